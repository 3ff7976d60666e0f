//! Data in: a period's records from CSV or JSON, mapped to a policy's inputs.
//!
//! Reading gives raw cells ([`RawTable`]); [`Columns`] maps the header to the
//! policy's inputs once, up front; [`Columns::record`] turns one raw row into
//! a [`Record`] or a [`RowError`] naming the row, the column and the rule.
//! A bad row never stops the others.

mod cell;
mod csv;
mod json;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::checked::{CheckedPolicy, InputValue, Missing, Node};
use crate::eval::Record;
use crate::program::Value;

pub use cell::parse_cell;

/// A cell as read from a file, before it is given a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number from JSON, as its exact source text.
    Number(String),
    Bool(bool),
}

impl Cell {
    /// How the cell reads in an error message.
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) | Cell::Number(t) => t.clone(),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// One data row with its position in the source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// The line number in a CSV file (the header is line 1), or the position
    /// (from 1) in a JSON array.
    pub number: usize,
    pub cells: Vec<Cell>,
}

/// A whole data file, read but not yet typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTable {
    pub headers: Vec<String>,
    pub rows: Vec<RawRow>,
    /// "line" for CSV, "record" for JSON: how rows are numbered.
    pub row_word: &'static str,
}

/// The data file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read {}: {}", self.path, self.message)
    }
}

impl std::error::Error for ReadError {}

/// Reads a data file; the format follows the extension (`.csv`, `.json`).
pub fn read(path: &Path) -> Result<RawTable, ReadError> {
    let error = |message: String| ReadError {
        path: path.display().to_string(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| error(e.to_string()))?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "json" => json::read(&bytes).map_err(error),
        "csv" | "txt" | "tsv" => csv::read(&bytes).map_err(error),
        other => Err(error(format!(
            "unknown data format `.{other}`: use a .csv or .json file"
        ))),
    }
}

/// Problems with the header, found before any row is evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderError {
    /// Inputs (or the id column) with no column, with a suggestion each.
    pub missing: Vec<MissingColumn>,
    /// Columns named twice.
    pub duplicates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingColumn {
    /// The input's name, or the id column's.
    pub input: String,
    pub label: Option<String>,
    /// A column with a similar name, if there is one.
    pub did_you_mean: Option<String>,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.missing {
            write!(f, "no column for `{}`", m.input)?;
            if let Some(label) = &m.label {
                write!(f, " (\"{label}\")")?;
            }
            if let Some(s) = &m.did_you_mean {
                write!(f, "; did you mean the column `{s}`?")?;
            }
            writeln!(f)?;
        }
        for d in &self.duplicates {
            writeln!(f, "the column `{d}` appears twice")?;
        }
        Ok(())
    }
}

/// Where each input's value is in a row.
#[derive(Debug, Clone)]
pub struct Columns {
    id: usize,
    name: Option<usize>,
    inputs: Vec<usize>,
    /// For each input, the rule that first uses it: "indicator `成交`".
    consumers: Vec<String>,
    headers: Vec<String>,
    row_word: &'static str,
}

impl Columns {
    /// Maps a header to the policy: each input by its name or its label,
    /// the id column by the name the policy gives it.
    pub fn map(policy: &CheckedPolicy, table: &RawTable) -> Result<Columns, HeaderError> {
        let headers: Vec<String> = table.headers.iter().map(|h| h.trim().to_string()).collect();
        let mut duplicates = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            if index.insert(h.as_str(), i).is_some() && !duplicates.contains(h) {
                duplicates.push(h.clone());
            }
        }
        let find = |name: &str, label: Option<&str>| {
            index
                .get(name)
                .or_else(|| label.and_then(|l| index.get(l.trim())))
                .copied()
        };
        let mut missing = Vec::new();
        let suggest = |name: &str| {
            crate::fuzzy::closest(name, headers.iter().map(String::as_str)).map(str::to_string)
        };
        let id = find(&policy.id_column, None);
        if id.is_none() {
            missing.push(MissingColumn {
                input: policy.id_column.clone(),
                label: Some("employee id".to_string()),
                did_you_mean: suggest(&policy.id_column),
            });
        }
        let name = policy.name_column.as_deref().and_then(|n| find(n, None));
        let mut inputs = Vec::new();
        for input in &policy.inputs {
            let by_alias = || {
                input
                    .aliases
                    .iter()
                    .find_map(|a| index.get(a.trim()).copied())
            };
            match find(&input.name, input.label.as_deref()).or_else(by_alias) {
                Some(i) => inputs.push(i),
                None => missing.push(MissingColumn {
                    input: input.name.clone(),
                    label: input.label.clone(),
                    did_you_mean: suggest(&input.name)
                        .or_else(|| input.label.as_deref().and_then(suggest)),
                }),
            }
        }
        if !missing.is_empty() || !duplicates.is_empty() {
            return Err(HeaderError {
                missing,
                duplicates,
            });
        }
        Ok(Columns {
            id: id.unwrap_or_default(),
            name,
            inputs,
            consumers: consumers(policy),
            headers,
            row_word: table.row_word,
        })
    }

    /// Types one row's cells as the policy's inputs.
    pub fn record(&self, policy: &CheckedPolicy, row: &RawRow) -> Result<Record, RowError> {
        let cell = |i: usize| row.cells.get(i).cloned().unwrap_or(Cell::Empty);
        let id = cell(self.id).shown().trim().to_string();
        let mut problems = Vec::new();
        if id.is_empty() {
            problems.push(CellProblem {
                column: self.header(self.id),
                value: String::new(),
                message: "no employee id".to_string(),
                rule: "the employee id".to_string(),
            });
        }
        let name = self
            .name
            .map(|i| cell(i).shown().trim().to_string())
            .filter(|n| !n.is_empty());
        let mut inputs = Vec::with_capacity(self.inputs.len());
        for (i, (input, &column)) in policy.inputs.iter().zip(&self.inputs).enumerate() {
            let raw = cell(column);
            let empty = match &raw {
                Cell::Empty => true,
                Cell::Text(t) => t.trim().is_empty(),
                Cell::Number(_) | Cell::Bool(_) => false,
            };
            // What the policy says an empty cell means.
            match (empty, input.missing) {
                (true, Missing::Exclude) => {
                    inputs.push(Value::Missing);
                    continue;
                }
                (true, Missing::Default(v)) => {
                    inputs.push(match v {
                        InputValue::Number(n) => Value::Num(n),
                        InputValue::Bool(b) => Value::Bool(b),
                    });
                    continue;
                }
                _ => {}
            }
            match parse_cell(input.ty, &raw) {
                Ok(value) => inputs.push(value),
                Err(message) => {
                    problems.push(CellProblem {
                        column: self.header(column),
                        value: raw.shown(),
                        message,
                        rule: self.consumers.get(i).cloned().unwrap_or_default(),
                    });
                    inputs.push(Value::Num(Default::default()));
                }
            }
        }
        if problems.is_empty() {
            Ok(Record { id, name, inputs })
        } else {
            Err(RowError {
                row: row.number,
                row_word: self.row_word,
                id: (!id.is_empty()).then_some(id),
                problem: RowProblem::Cells(problems),
            })
        }
    }

    /// The employee id of a row, as written (trimmed).
    pub fn id_of(&self, row: &RawRow) -> String {
        row.cells
            .get(self.id)
            .map(|c| c.shown().trim().to_string())
            .unwrap_or_default()
    }

    /// The employee name of a row, if the policy names a name column.
    pub fn name_of(&self, row: &RawRow) -> Option<String> {
        let column = self.name?;
        let name = row.cells.get(column)?.shown().trim().to_string();
        (!name.is_empty()).then_some(name)
    }

    fn header(&self, column: usize) -> String {
        self.headers.get(column).cloned().unwrap_or_default()
    }
}

/// The rule that first uses each input, for error messages.
fn consumers(policy: &CheckedPolicy) -> Vec<String> {
    let mut found: Vec<Option<String>> = vec![None; policy.inputs.len()];
    for node in &policy.order {
        let (kind, exprs): (&str, Vec<&crate::checked::Expr>) = match *node {
            Node::Value(i) => (
                "value",
                policy
                    .values
                    .get(i)
                    .map(|v| vec![&v.expr])
                    .unwrap_or_default(),
            ),
            Node::Indicator(i) => (
                "indicator",
                policy
                    .indicators
                    .get(i)
                    .map(|x| x.measure.iter().chain(std::iter::once(&x.points)).collect())
                    .unwrap_or_default(),
            ),
            Node::Adjustment(i) => (
                "bonus/deduction",
                policy
                    .adjustments
                    .get(i)
                    .map(|a| vec![&a.points])
                    .unwrap_or_default(),
            ),
            Node::Pay(i) => (
                "pay item",
                policy.pay.get(i).map(|p| vec![&p.expr]).unwrap_or_default(),
            ),
            Node::Grade => ("veto", policy.vetoes.iter().map(|v| &v.condition).collect()),
            Node::Input(_) | Node::Score => continue,
        };
        let (name, _) = policy.describe(*node);
        for e in exprs {
            e.for_each_ref(&mut |n| {
                if let Node::Input(i) = n
                    && let Some(slot @ None) = found.get_mut(i)
                {
                    *slot = Some(if *node == Node::Grade {
                        kind.to_string()
                    } else {
                        format!("{kind} `{name}`")
                    });
                }
            });
        }
    }
    found
        .into_iter()
        .map(|f| f.unwrap_or_else(|| "no rule (unused input)".to_string()))
        .collect()
}

/// A row that could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    #[serde(skip)]
    pub row_word: &'static str,
    pub id: Option<String>,
    pub problem: RowProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowProblem {
    /// Cells that could not be read as their input's type.
    Cells(Vec<CellProblem>),
    /// The row read well but a rule failed on its values.
    Eval(Box<crate::eval::EvalError>),
    /// Other rows have the same employee id.
    DuplicateId { rows: Vec<usize> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellProblem {
    pub column: String,
    pub value: String,
    pub message: String,
    /// The rule that uses the column.
    pub rule: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.row_word, self.row)?;
        if let Some(id) = &self.id {
            write!(f, " (id {id})")?;
        }
        match &self.problem {
            RowProblem::Cells(problems) => {
                for (i, p) in problems.iter().enumerate() {
                    let sep = if i == 0 { ": " } else { "; " };
                    write!(f, "{sep}column `{}`", p.column)?;
                    if !p.value.is_empty() {
                        write!(f, " = `{}`", p.value)?;
                    }
                    write!(f, ": {} (used by {})", p.message, p.rule)?;
                }
                Ok(())
            }
            RowProblem::Eval(e) => write!(f, ": {e}"),
            RowProblem::DuplicateId { rows } => {
                let rows: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
                write!(
                    f,
                    ": the same employee id is also on {} {}; each employee must appear once per period, so none of these rows is evaluated",
                    self.row_word,
                    rows.join(", ")
                )
            }
        }
    }
}
