//! Evaluating a whole data file: every row ends up either as an outcome or
//! as a failure that names it. Nothing is dropped.

use std::collections::HashMap;

use crate::data::{Columns, HeaderError, RawTable, RowError, RowProblem};
use crate::outcome::Outcome;
use crate::program::Program;

/// The result of one run over a data file.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Data rows read (blank lines are not rows).
    pub rows_read: usize,
    /// Outcomes, in the order of the file.
    pub outcomes: Vec<Outcome>,
    /// Rows that could not be evaluated, in the order of the file.
    pub failures: Vec<RowError>,
}

/// Evaluates every row of `table`. A header that does not fit the policy
/// is reported before any row is evaluated.
pub fn evaluate(program: &Program, table: &RawTable) -> Result<Batch, HeaderError> {
    let policy = program.policy();
    let columns = Columns::map(policy, table)?;
    let mut outcomes = Vec::with_capacity(table.rows.len());
    let mut failures = Vec::new();

    // Employee ids seen more than once, from the id cells as written, so
    // that a duplicate is caught even when one of its rows has bad cells:
    // every such row fails, naming the others.
    let mut rows_by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for row in &table.rows {
        let id = columns.id_of(row);
        if !id.is_empty() {
            rows_by_id.entry(id).or_default().push(row.number);
        }
    }

    for row in &table.rows {
        let id = columns.id_of(row);
        if let Some(rows) = rows_by_id.get(&id).filter(|rows| rows.len() > 1) {
            failures.push(RowError {
                row: row.number,
                row_word: table.row_word,
                id: Some(id.clone()),
                problem: RowProblem::DuplicateId {
                    rows: rows.iter().copied().filter(|r| *r != row.number).collect(),
                },
            });
            continue;
        }
        let result = columns.record(policy, row).and_then(|record| {
            program.evaluate(&record).map_err(|e| RowError {
                row: row.number,
                row_word: table.row_word,
                id: Some(record.id.clone()),
                problem: RowProblem::Eval(Box::new(e)),
            })
        });
        match result {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => failures.push(e),
        }
    }
    Ok(Batch {
        rows_read: table.rows.len(),
        outcomes,
        failures,
    })
}
