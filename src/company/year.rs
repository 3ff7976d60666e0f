//! The year: a policy's quarters rolled up to a yearly result (全年绩效评定).
//!
//! Each quarter is evaluated as usual. Then, per employee:
//! - a `financial` indicator is re-scored on the year's figures: each input
//!   is added up over the quarters by its `yearly` rule (amounts sum, rates
//!   average, a base pay takes the last quarter's), unless a file of yearly
//!   figures gives the value;
//! - every other indicator, and every bonus and deduction item, takes the
//!   mean of its quarterly points;
//! - the score, grade (with the policy's quotas and forced ranking, over
//!   everyone's year) and pay follow through the ordinary evaluator.
//!
//! Someone absent from a quarter is rolled up as the policy's `year` block
//! says (average over the quarters present, or prorated pay); a policy that
//! says nothing fails them, naming the quarter, rather than count a zero.

use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::data::{
    CellProblem, CellRef, Columns, HeaderError, RawTable, RowError, RowProblem, within_range,
};
use crate::engine::eval::{Record, YearGiven};
use crate::engine::outcome::Outcome;
use crate::engine::program::{Program, Value};
use crate::engine::round::round;
use crate::language::ast::{MissingQuarters, YearlyRule};

/// One quarter's data, with the name it is shown by (`Q1`, `2026Q1.csv`).
#[derive(Debug, Clone)]
pub struct Quarter {
    pub name: String,
    pub table: RawTable,
}

/// What the quarters gave: the yearly records, ready for
/// [`crate::batch::run_records`], and every quarter row that failed.
#[derive(Debug, Clone)]
pub struct Year {
    /// One per employee, in order of first appearance; numbered from 1.
    pub records: Vec<Result<(usize, Record), RowError>>,
    /// Rows of the quarters that failed, with their quarter's name.
    pub quarter_failures: Vec<(String, RowError)>,
}

/// A header of a quarter's file (or of the yearly figures) that does not fit.
#[derive(Debug, Clone)]
pub struct YearHeaderError {
    pub file: String,
    pub error: HeaderError,
}

/// Rolls the quarters up. `figures`, when given, holds yearly values by
/// employee id (e.g. the yearly targets) that replace the added-up ones.
pub fn roll_up(
    program: &Program,
    quarters: &[Quarter],
    figures: Option<&RawTable>,
) -> Result<Year, YearHeaderError> {
    let policy = program.policy();
    let count = quarters.len();
    // Per employee, per quarter: the record and its outcome, or the
    // quarter's failure.
    type Slot = Option<Result<(Record, Outcome), ()>>;
    let mut people: IndexMap<String, Vec<Slot>> = IndexMap::new();
    let mut quarter_failures = Vec::new();
    for (q, quarter) in quarters.iter().enumerate() {
        let columns = Columns::map(program, &quarter.table.headers, quarter.table.row_word)
            .map_err(|error| YearHeaderError {
                file: quarter.name.clone(),
                error,
            })?;
        for row in &quarter.table.rows {
            let id = columns.id_of(row);
            let result =
                columns
                    .record(program, row)
                    .and_then(|record| match program.evaluate(&record) {
                        Ok(outcome) => Ok((record, outcome)),
                        Err(e) => Err(RowError {
                            row: row.number,
                            row_word: quarter.table.row_word,
                            id: Some(record.id.clone()),
                            problem: RowProblem::Eval(Box::new(e)),
                        }),
                    });
            let slots = people
                .entry(id.clone())
                .or_insert_with(|| vec![None; count]);
            let Some(slot) = slots.get_mut(q) else {
                continue;
            };
            match result {
                // A second row, good or not, does not replace the first.
                _ if slot.is_some() => quarter_failures.push((
                    quarter.name.clone(),
                    RowError {
                        row: row.number,
                        row_word: quarter.table.row_word,
                        id: Some(id),
                        problem: RowProblem::Year(
                            "the employee appears twice in this quarter; the first row counts"
                                .to_string(),
                        ),
                    },
                )),
                Ok(pair) => *slot = Some(Ok(pair)),
                Err(e) => {
                    *slot = Some(Err(()));
                    quarter_failures.push((quarter.name.clone(), e));
                }
            }
        }
    }
    let mut figures = match figures {
        Some(table) => Some(yearly_figures(program, table)?),
        None => None,
    };
    if let Some(f) = &mut figures {
        let mut failures = std::mem::take(&mut f.failures);
        // Figures for someone no quarter has: most likely a mistyped id,
        // whose figures would otherwise replace nobody's sums. A row
        // failed already (a bad cell) is reported once.
        let unknown = f
            .by_id
            .iter()
            .filter(|(id, given)| given.values.is_some() && !people.contains_key(*id));
        for (id, given) in unknown {
            failures.push(RowError {
                row: given.row,
                row_word: f.row_word,
                id: Some(id.clone()),
                problem: RowProblem::Year(
                    "no quarter has this employee, so these figures replace nobody's: check the id"
                        .to_string(),
                ),
            });
        }
        // In file order, as every other file's failures are.
        failures.sort_by_key(|e| e.row);
        quarter_failures.extend(failures.into_iter().map(|e| (FIGURES.to_string(), e)));
    }
    let names: Vec<String> = quarters.iter().map(|q| q.name.clone()).collect();
    let mut records = Vec::new();
    let people = people.into_iter().filter(|(id, _)| !id.is_empty());
    for (n, (id, slots)) in people.enumerate() {
        let number = n + 1;
        let fail = |message: String| RowError {
            row: number,
            row_word: "employee",
            id: Some(id.clone()),
            problem: RowProblem::Year(message),
        };
        let quarters_where = |wanted: fn(&Slot) -> bool| -> Vec<&str> {
            names
                .iter()
                .zip(&slots)
                .filter(|(_, s)| wanted(s))
                .map(|(q, _)| q.as_str())
                .collect()
        };
        let failed = quarters_where(|s| matches!(s, Some(Err(()))));
        if !failed.is_empty() {
            records.push(Err(fail(format!(
                "no yearly result: the row of {} failed (reported above)",
                failed.join(", ")
            ))));
            continue;
        }
        let absent = quarters_where(Option::is_none);
        if !absent.is_empty() && policy.missing_quarters.is_none() {
            records.push(Err(fail(format!(
                "absent from {}: the policy does not say how the year treats a missing quarter (add `year {{ missing quarters average }}` or `prorate`)",
                absent.join(", ")
            ))));
            continue;
        }
        let present: Vec<(usize, Record, Outcome)> = slots
            .into_iter()
            .enumerate()
            .filter_map(|(q, s)| match s {
                Some(Ok((record, outcome))) => Some((q, record, outcome)),
                _ => None,
            })
            .collect();
        let given = match figures.as_ref().and_then(|f| f.by_id.get(&id)) {
            Some(FiguresRow { values: None, .. }) => {
                records.push(Err(fail(format!(
                    "no yearly result: the row of {FIGURES} failed (reported above)"
                ))));
                continue;
            }
            Some(FiguresRow { values, .. }) => values.as_ref(),
            None => None,
        };
        if let Some(record) = yearly_record(program, &present, &names, given) {
            records.push(Ok((number, record)));
        }
    }
    Ok(Year {
        records,
        quarter_failures,
    })
}

/// One employee's yearly record from the quarters they were appraised in
/// (in order), under the plan of their latest quarter.
fn yearly_record(
    program: &Program,
    present: &[(usize, Record, Outcome)],
    quarters: &[String],
    figures: Option<&Vec<Option<Value>>>,
) -> Option<Record> {
    let (_, last, _) = present.last()?;
    let policy = program.plan(last.plan).policy();
    let rounding = policy.score_rounding;
    let inputs = policy
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            if let Some(v) = figures.and_then(|f| f.get(i).copied().flatten()) {
                return v;
            }
            let values: Vec<Value> = present
                .iter()
                .filter_map(|(_, r, _)| r.inputs.get(i).copied())
                .filter(|v| *v != Value::Missing)
                .collect();
            aggregate(input.yearly, &values)
        })
        .collect();
    // Each quarter's points of one indicator or item, `None` where absent.
    let per_quarter = |points: &dyn Fn(&Outcome) -> Option<Decimal>| -> Vec<Option<Decimal>> {
        (0..quarters.len())
            .map(|q| {
                present
                    .iter()
                    .find(|(pq, _, _)| *pq == q)
                    .and_then(|(_, _, o)| points(o))
            })
            .collect()
    };
    let averaged = |points: &[Option<Decimal>]| -> Value {
        let given: Vec<Decimal> = points.iter().flatten().copied().collect();
        mean(&given)
            .and_then(|m| round(m, rounding))
            .map_or(Value::Missing, Value::Num)
    };
    let mut year = YearGiven {
        quarters: quarters.to_vec(),
        ..YearGiven::default()
    };
    for indicator in &policy.indicators {
        let points = per_quarter(&|o: &Outcome| {
            o.indicators.get(indicator.name.as_str()).copied().flatten()
        });
        year.indicators
            .push((!indicator.financial).then(|| averaged(&points)));
        year.indicator_quarters.push(points);
    }
    for adjustment in &policy.adjustments {
        // Deductions are shown negative in outcomes; the rule gives them positive.
        let points = per_quarter(&|o: &Outcome| {
            o.adjustments.get(adjustment.name.as_str()).map(|p| p.abs())
        });
        year.adjustments.push(Some(averaged(&points)));
        year.adjustment_quarters.push(points);
    }
    year.quarters_present = present.len();
    if present.len() < quarters.len() && policy.missing_quarters == Some(MissingQuarters::Prorate) {
        year.pay_factor = Decimal::from(present.len()).checked_div(Decimal::from(quarters.len()));
    }
    Some(Record {
        id: last.id.clone(),
        name: last.name.clone(),
        group: last.group.clone(),
        plan: last.plan,
        inputs,
        final_adjustment: None,
        year: Some(Box::new(year)),
    })
}

/// The name the yearly figures' failures are reported under.
const FIGURES: &str = "the yearly figures";

/// A file of yearly figures, read: each employee's values (for each input
/// the file has a column for, its non-empty cell), or `None` where the
/// employee's row failed; and the rows that failed, with why.
struct Figures {
    by_id: IndexMap<String, FiguresRow>,
    failures: Vec<RowError>,
    row_word: &'static str,
}

/// One employee's row of the yearly figures: where it is, and its values.
struct FiguresRow {
    row: usize,
    values: Option<Vec<Option<Value>>>,
}

/// Reads the yearly figures. Every cell is typed and checked against its
/// input's range as a quarter's cell is: a figure that cannot be read fails
/// the employee's year, rather than the quarters' sum standing in for it
/// unseen. A column that is not the id, the name, the plan, the group or an
/// input is refused, with the input it may be misspelt from: the file exists
/// to replace sums, and a misspelt column would replace none.
fn yearly_figures(program: &Program, table: &RawTable) -> Result<Figures, YearHeaderError> {
    let policy = program.policy();
    let headers: Vec<String> = table.headers.iter().map(|h| h.trim().to_string()).collect();
    let index = crate::data::HeaderIndex::of(&headers);
    let at = |name: &str| index.get(name);
    let header_error = |error: HeaderError| YearHeaderError {
        file: FIGURES.to_string(),
        error,
    };
    let Some(id_column) = at(&policy.id_column) else {
        return Err(header_error(HeaderError {
            missing: vec![crate::data::MissingColumn {
                input: policy.id_column.clone(),
                label: Some("employee id".to_string()),
                did_you_mean: crate::language::fuzzy::closest(
                    &policy.id_column,
                    headers.iter().map(String::as_str),
                )
                .map(str::to_string),
            }],
            unknown: Vec::new(),
            duplicates: Vec::new(),
            two_columns: Vec::new(),
        }));
    };
    let columns = index.inputs(&policy.inputs);
    // Columns that describe the employee, kept for people reading the file.
    let described = [
        policy.name_column.as_deref(),
        policy.plan_column.as_deref(),
        policy.quota_group_column(),
    ];
    // A second column for an input (its name and its label both there)
    // is not silently dropped: which one counts must be said.
    let taken: Vec<usize> = std::iter::once(Some(id_column))
        .chain(described.iter().map(|c| c.and_then(at)))
        .flatten()
        .collect();
    let two_columns = index.two_columns(&headers, &policy.inputs, &columns, &taken);
    let duplicates = index.duplicates.clone();
    // A column named twice is reported as that, not also as unknown.
    let known = |i: usize| {
        duplicates.contains(&headers[i])
            || i == id_column
            || columns.contains(&Some(i))
            || two_columns.iter().any(|t| t.columns[1] == headers[i])
            || described.iter().flatten().any(|c| at(c) == Some(i))
    };
    let names: Vec<&str> = policy
        .inputs
        .iter()
        .flat_map(|i| std::iter::once(i.name.as_str()).chain(i.label.as_deref()))
        .collect();
    let unknown: Vec<crate::data::UnknownColumn> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.is_empty() && !known(*i))
        .map(|(_, h)| crate::data::UnknownColumn {
            column: h.clone(),
            did_you_mean: crate::language::fuzzy::closest(h, names.iter().copied())
                .map(str::to_string),
        })
        .collect();
    if !unknown.is_empty() || !duplicates.is_empty() || !two_columns.is_empty() {
        return Err(header_error(HeaderError {
            missing: Vec::new(),
            unknown,
            duplicates,
            two_columns,
        }));
    }
    let mut figures = Figures {
        by_id: IndexMap::new(),
        failures: Vec::new(),
        row_word: table.row_word,
    };
    for row in &table.rows {
        let cell = |c: usize| row.cell_or_empty(c);
        let id = cell(id_column).trimmed().into_owned();
        let failure = |problem: RowProblem| RowError {
            row: row.number,
            row_word: table.row_word,
            id: (!id.is_empty()).then(|| id.clone()),
            problem,
        };
        if id.is_empty() {
            figures
                .failures
                .push(failure(RowProblem::Cells(vec![CellProblem {
                    column: policy.id_column.clone(),
                    value: String::new(),
                    message: "no employee id".to_string(),
                    rule: FIGURES.to_string(),
                }])));
            continue;
        }
        if let Some(first) = figures.by_id.get(&id) {
            let first = first.row;
            figures
                .failures
                .push(failure(RowProblem::DuplicateId { first }));
            continue;
        }
        let mut problems = Vec::new();
        let values = policy
            .inputs
            .iter()
            .zip(&columns)
            .map(|(input, column)| {
                let column = (*column)?;
                let raw = cell(column);
                if raw == CellRef::Empty {
                    return None;
                }
                match crate::data::parse_input_cell(input, raw).and_then(|v| within_range(input, v))
                {
                    Ok(value) => Some(value),
                    Err(message) => {
                        problems.push(CellProblem {
                            column: headers.get(column).cloned().unwrap_or_default(),
                            value: raw.shown(),
                            message,
                            rule: FIGURES.to_string(),
                        });
                        None
                    }
                }
            })
            .collect();
        let values = if problems.is_empty() {
            Some(values)
        } else {
            figures.failures.push(failure(RowProblem::Cells(problems)));
            None
        };
        figures.by_id.insert(
            id,
            FiguresRow {
                row: row.number,
                values,
            },
        );
    }
    Ok(figures)
}

/// A year's value of an input from its quarters' values, by its rule.
fn aggregate(rule: YearlyRule, values: &[Value]) -> Value {
    let nums: Vec<Decimal> = values
        .iter()
        .filter_map(|v| match v {
            Value::Num(n) => Some(*n),
            _ => None,
        })
        .collect();
    match rule {
        YearlyRule::Last => values.last().copied().unwrap_or(Value::Missing),
        YearlyRule::Any => {
            if values.is_empty() {
                Value::Missing
            } else {
                Value::Bool(values.contains(&Value::Bool(true)))
            }
        }
        YearlyRule::Sum => {
            if nums.is_empty() {
                Value::Missing
            } else {
                nums.iter()
                    .try_fold(Decimal::ZERO, |a, b| a.checked_add(*b))
                    .map_or(Value::Missing, Value::Num)
            }
        }
        YearlyRule::Average => mean(&nums).map_or(Value::Missing, Value::Num),
    }
}

fn mean(values: &[Decimal]) -> Option<Decimal> {
    let sum = values
        .iter()
        .try_fold(Decimal::ZERO, |a, b| a.checked_add(*b))?;
    sum.checked_div(Decimal::from(values.len()))
}
