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

    // Employee ids seen more than once: every such row fails, naming the others.
    let mut rows_by_id: HashMap<String, Vec<usize>> = HashMap::new();
    let records: Vec<_> = table
        .rows
        .iter()
        .map(|row| {
            let record = columns.record(policy, row);
            if let Ok(r) = &record {
                rows_by_id.entry(r.id.clone()).or_default().push(row.number);
            }
            (row, record)
        })
        .collect();

    for (row, record) in records {
        let result = record.and_then(|record| {
            if let Some(rows) = rows_by_id.get(&record.id).filter(|rows| rows.len() > 1) {
                return Err(RowError {
                    row: row.number,
                    row_word: table.row_word,
                    id: Some(record.id.clone()),
                    problem: RowProblem::DuplicateId {
                        rows: rows.iter().copied().filter(|r| *r != row.number).collect(),
                    },
                });
            }
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
