//! Evaluating a data file: every row ends up either as an outcome or as a
//! failure that names it. Nothing is dropped, and rows are handled one at a
//! time, so that a streamed file is never held in memory.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::data::{Columns, DataSource, HeaderError, RawTable, RowError, RowProblem};
use crate::eval::Record;
use crate::outcome::Outcome;
use crate::program::Program;

/// What became of one row.
#[derive(Debug, Clone)]
pub enum RowResult {
    Evaluated(Box<Record>, Box<Outcome>),
    Failed(RowError),
}

/// How many rows were read, evaluated and failed. Always
/// `read == evaluated + failed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub read: usize,
    pub evaluated: usize,
    pub failed: usize,
}

/// Evaluates every row of `source`, handing each result to `each` in the
/// order of the file. A header that does not fit the policy is reported
/// before any row is read.
///
/// The first row with an employee id is evaluated; a later row with the same
/// id fails, naming the first, so that nobody is paid twice.
pub fn run(
    program: &Program,
    source: DataSource,
    mut each: impl FnMut(RowResult),
) -> Result<Summary, HeaderError> {
    let policy = program.policy();
    let columns = Columns::map(policy, &source.headers, source.row_word)?;
    let row_word = source.row_word;
    let mut seen = SeenIds::default();
    let mut summary = Summary::default();
    for row in source {
        summary.read += 1;
        let result = row.and_then(|row| {
            let id = columns.id_of(&row);
            if let Some(first) = seen.first_row(&id, row.number) {
                return Err(RowError {
                    row: row.number,
                    row_word,
                    id: Some(id),
                    problem: RowProblem::DuplicateId { first },
                });
            }
            let record = columns.record(policy, &row)?;
            match program.evaluate(&record) {
                Ok(outcome) => Ok((record, outcome)),
                Err(e) => Err(RowError {
                    row: row.number,
                    row_word,
                    id: Some(record.id.clone()),
                    problem: RowProblem::Eval(Box::new(e)),
                }),
            }
        });
        match result {
            Ok((record, outcome)) => {
                summary.evaluated += 1;
                each(RowResult::Evaluated(Box::new(record), Box::new(outcome)));
            }
            Err(e) => {
                summary.failed += 1;
                each(RowResult::Failed(e));
            }
        }
    }
    Ok(summary)
}

/// The employee ids seen so far, by a 128-bit hash of each: constant size
/// per person, and no two ids in any real file share one.
#[derive(Default)]
struct SeenIds(HashMap<(u64, u64), usize>);

impl SeenIds {
    /// The row an id was first seen on, or `None` (and the id is recorded).
    fn first_row(&mut self, id: &str, row: usize) -> Option<usize> {
        if id.is_empty() {
            return None;
        }
        let hash = |salt: u8| {
            let mut h = DefaultHasher::new();
            salt.hash(&mut h);
            id.hash(&mut h);
            h.finish()
        };
        match self.0.entry((hash(0), hash(1))) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(row);
                None
            }
        }
    }
}

/// The result of a run over a whole file, in memory.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Data rows read (blank lines are not rows).
    pub rows_read: usize,
    /// Outcomes, in the order of the file.
    pub outcomes: Vec<Outcome>,
    /// Rows that could not be evaluated, in the order of the file.
    pub failures: Vec<RowError>,
}

/// Evaluates every row of a table held in memory.
pub fn evaluate(program: &Program, table: &RawTable) -> Result<Batch, HeaderError> {
    collect(program, table.source())
}

/// Evaluates every row of a source and keeps the results.
pub fn collect(program: &Program, source: DataSource) -> Result<Batch, HeaderError> {
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    let summary = run(program, source, |result| match result {
        RowResult::Evaluated(_, outcome) => outcomes.push(*outcome),
        RowResult::Failed(e) => failures.push(e),
    })?;
    Ok(Batch {
        rows_read: summary.read,
        outcomes,
        failures,
    })
}
