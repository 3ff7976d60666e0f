//! Evaluating a data file: every row ends up either as an outcome or as a
//! failure that names it. Nothing is dropped, and rows are handled a unit
//! at a time (a block of CSV text, or a chunk of rows; a bounded number in
//! flight), so that a streamed file is never held in memory.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use indexmap::IndexMap;

use compact_str::CompactString;

use crate::company::distribution::{Distribution, Tally, grade_of};
use crate::company::ranking;
use crate::data::spares::Spares;
use crate::data::{
    Block, Columns, DataSource, Feed, HeaderError, RawRow, RawTable, RowError, RowProblem,
};
use crate::engine::eval::{EvalError, RankingFacts, Record, Scratch};
use crate::engine::outcome::{Detail, Outcome, RankingNote};
use crate::engine::program::{Program, Slot};

mod finish;
mod ids;
mod pipeline;
mod ranked;

use finish::Finish;
use ids::SeenIds;
use pipeline::pipeline;

/// What became of one row.
#[derive(Debug, Clone)]
pub enum RowResult {
    Evaluated(Box<Record>, Box<Outcome>),
    Failed(RowError),
}

/// How many rows were read, evaluated and failed. Always
/// `read == evaluated + failed`. For a policy with quotas, the grade
/// distribution of each group against them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub read: usize,
    pub evaluated: usize,
    pub failed: usize,
    /// The lines with no values (`,,,,`), passed over: no employee is on
    /// them, but every line of the file is accounted for.
    pub empty: Vec<usize>,
    /// Each group's grades against the quotas (policies with quotas only).
    pub distribution: Option<Distribution>,
    /// Groups where forced ranking could not make every quota hold: their
    /// grades stay as the scores gave them.
    pub unranked: Vec<UnrankedGroup>,
}

impl Summary {
    /// `; 2 lines with no values passed over (lines 7, 9)`, to follow
    /// the counts of rows, or nothing when there were none.
    pub fn empty_note(&self) -> String {
        const SHOWN: usize = 10;
        let Some(&first) = self.empty.first() else {
            return String::new();
        };
        let n = self.empty.len();
        let lines: Vec<String> = self
            .empty
            .iter()
            .take(SHOWN)
            .map(usize::to_string)
            .collect();
        let more = if n > SHOWN { ", …" } else { "" };
        if n == 1 {
            format!("; 1 line with no values passed over (line {first})")
        } else {
            format!(
                "; {n} lines with no values passed over (lines {}{more})",
                lines.join(", ")
            )
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnrankedGroup {
    pub group: Option<String>,
    pub people: usize,
}

impl std::fmt::Display for UnrankedGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let group = self
            .group
            .as_deref()
            .map(|g| format!("group `{g}`"))
            .unwrap_or_else(|| "the company".to_string());
        write!(
            f,
            "forced ranking cannot make every quota hold for {group} ({} people, with the grades vetoes set): grades are left as the scores gave them",
            self.people
        )
    }
}

/// Evaluates every row of `source`, handing each result to `each` in the
/// order of the file. A header that does not fit the policy is reported
/// before any row is read.
///
/// The first row with an employee id is evaluated; a later row with the same
/// id fails, naming the first, so that nobody is paid twice.
///
/// Rows are handled a chunk at a time, except under forced ranking, which must
/// see a whole group before it can grade anyone: then the evaluated rows are
/// kept until the end (failures are still reported as they come), ranked,
/// and handed over in the order of the file.
pub fn run(
    program: &Program,
    source: DataSource,
    mut each: impl FnMut(RowResult),
) -> Result<Summary, HeaderError> {
    if program.policy().has_forced_ranking() {
        let evaluate =
            |_: &mut Reused, row: &RawRow, second: ranked::Second<'_>, _: &mut Vec<u8>| {
                let record = second.columns.record(program, row).map_err(Box::new)?;
                let evaluated = match second.ranked {
                    Some(grade) => program.evaluate_ranked(&record, grade),
                    None => program.evaluate(&record),
                };
                let mut outcome = evaluated.map_err(|e| {
                    Box::new(eval_failure(row.number, second.row_word, &record.id, e))
                })?;
                outcome.ranking = second.note;
                let grade = grade_of(program.policy(), &outcome);
                Ok(((record, outcome), grade))
            };
        return ranked::run(program, source, &evaluate, |row, _| match row {
            Ok((record, outcome)) => {
                each(RowResult::Evaluated(Box::new(record), Box::new(outcome)))
            }
            Err(e) => each(RowResult::Failed(e)),
        });
    }
    let columns = Columns::map(program, &source.headers, source.row_word)?;
    let row_word = source.row_word;
    let evaluate = |_: &mut (), row: &RawRow, _: &mut Vec<u8>| {
        let typed = columns.record(program, row).map(|r| (row.number, r));
        evaluate_row(program, row_word, typed)
    };
    let mut finish = Finish::new(program, each);
    let empty = source.empty_rows();
    pipeline(source, &columns, &evaluate, |row, _| {
        finish.row(row.and_then(|r| r))
    });
    let mut summary = finish.end();
    summary.empty = empty.lines();
    Ok(summary)
}

/// What became of one row, with an evaluated row rendered (see
/// [`run_rendered`]).
#[derive(Debug, Clone)]
pub enum Rendered<'t, T> {
    /// What `render` returned for the row, and the text it wrote for it.
    Evaluated(T, &'t [u8]),
    Failed(RowError),
}

/// [`run`], with each evaluated row rendered by `render` on the thread that
/// evaluated it: `render` appends the row's bytes (for CSV, its line) to
/// the buffer it is given and returns anything else to hand on, and `each`
/// gets both. Each thread types and evaluates every row into a
/// record and an outcome per plan of its own, reused from row to row
/// ([`Columns::record_into`], [`Program::evaluate_into`]; the inputs are
/// typed straight into the evaluator's slots, so the record `render` is
/// given has the row's id, name, plan and group but no inputs), and writes the
/// text of a whole chunk of rows into one buffer, so that nothing is
/// allocated per row, moved between threads or freed on another. Each
/// outcome is worked out to `detail`: [`Detail::Columns`] where `render`
/// writes only the report's columns. A policy that ranks or counts quotas
/// needs every outcome at the end: its rows are evaluated in full and
/// rendered as [`run`] hands them on, in the same order.
pub fn run_rendered<T: Send>(
    program: &Program,
    source: DataSource,
    detail: Detail,
    render: impl Fn(&Record, &Outcome, &mut Vec<u8>) -> T + Sync,
    mut each: impl FnMut(Rendered<'_, T>),
) -> Result<Summary, HeaderError> {
    let policy = program.policy();
    if policy.has_forced_ranking() {
        let evaluate =
            |reused: &mut Reused, row: &RawRow, second: ranked::Second<'_>, text: &mut Vec<u8>| {
                let (record, outcome) = reused.evaluate(
                    program,
                    second.columns,
                    row,
                    second.ranked,
                    detail,
                    second.row_word,
                )?;
                outcome.ranking = second.note;
                let grade = grade_of(policy, outcome);
                Ok((render(record, outcome, text), grade))
            };
        return ranked::run(program, source, &evaluate, |row, text| match row {
            Ok(rendered) => each(Rendered::Evaluated(rendered, text)),
            Err(e) => each(Rendered::Failed(e)),
        });
    }
    if policy.quotas.is_some() {
        let mut text = Vec::new();
        return run(program, source, |row| match row {
            RowResult::Evaluated(record, outcome) => {
                text.clear();
                let rendered = render(&record, &outcome, &mut text);
                each(Rendered::Evaluated(rendered, &text));
            }
            RowResult::Failed(e) => each(Rendered::Failed(e)),
        });
    }
    let columns = Columns::map(program, &source.headers, source.row_word)?;
    let row_word = source.row_word;
    let work = |reused: &mut Reused, row: &RawRow, text: &mut Vec<u8>| {
        let (record, outcome) = reused.evaluate(program, &columns, row, None, detail, row_word)?;
        Ok::<_, Box<RowError>>(render(record, outcome, text))
    };
    let mut summary = Summary::default();
    let empty = source.empty_rows();
    pipeline(source, &columns, &work, |row, text| {
        summary.read += 1;
        match row {
            Ok(Ok(rendered)) => {
                summary.evaluated += 1;
                each(Rendered::Evaluated(rendered, text));
            }
            Ok(Err(e)) => {
                summary.failed += 1;
                each(Rendered::Failed(*e));
            }
            Err(e) => {
                summary.failed += 1;
                each(Rendered::Failed(e));
            }
        }
    });
    summary.empty = empty.lines();
    Ok(summary)
}

/// What a thread of [`run_rendered`] types and evaluates every row into:
/// an outcome per plan, so that each keeps its plan's names (shared behind
/// a reference count, which two threads taking turns to count would make
/// them wait on each other).
#[derive(Default)]
struct Reused {
    /// The row's record, with its inputs typed into `inputs`, the
    /// evaluator's form, instead: its own stay empty.
    record: Record,
    inputs: Vec<Slot>,
    scratch: Scratch,
    outcomes: Vec<Outcome>,
}

impl Reused {
    /// Types `row` into this thread's buffers and evaluates it to `detail`
    /// (with the grade forced ranking gave, when it moved the employee) into
    /// the outcome kept for its plan. A failure is boxed, so that the result
    /// comes back in two registers: returned through memory, it was read
    /// back whole while its parts were still being written, a stall on
    /// every row.
    fn evaluate(
        &mut self,
        program: &Program,
        columns: &Columns,
        row: &RawRow,
        ranked: Option<u16>,
        detail: Detail,
        row_word: &'static str,
    ) -> Result<(&Record, &mut Outcome), Box<RowError>> {
        let Reused {
            record,
            inputs,
            scratch,
            outcomes,
        } = self;
        columns
            .type_into(program, row, record, inputs)
            .map_err(Box::new)?;
        if outcomes.len() <= record.plan {
            outcomes.resize_with(record.plan + 1, Outcome::default);
        }
        // In bounds: made so just above.
        let outcome = &mut outcomes[record.plan];
        program
            .evaluate_typed_ranked_into(record, inputs, ranked, scratch, outcome, detail)
            .map_err(|e| Box::new(eval_failure(row.number, row_word, &record.id, e)))?;
        Ok((record, outcome))
    }
}

/// A typed row whose evaluation failed (a division by zero in a formula).
fn eval_failure(row: usize, row_word: &'static str, id: &str, e: EvalError) -> RowError {
    RowError {
        row,
        row_word,
        id: Some(id.to_string()),
        problem: RowProblem::Eval(Box::new(e)),
    }
}

type EvaluatedRow = Result<(Record, Outcome), RowError>;

/// Evaluates a typed row.
fn evaluate_row(
    program: &Program,
    row_word: &'static str,
    row: Result<(usize, Record), RowError>,
) -> EvaluatedRow {
    let (number, record) = row?;
    match program.evaluate(&record) {
        Ok(outcome) => Ok((record, outcome)),
        Err(e) => Err(eval_failure(number, row_word, &record.id, e)),
    }
}

/// Evaluates records typed elsewhere (a year rolled up from its quarters),
/// as [`run`] evaluates a file's rows: under forced ranking, in two passes
/// over them (see [`ranked`]).
pub fn run_records(
    program: &Program,
    records: Vec<Result<(usize, Record), RowError>>,
    row_word: &'static str,
    mut each: impl FnMut(RowResult),
) -> Summary {
    if program.policy().has_forced_ranking() {
        return ranked::run_records(program, records, row_word, each);
    }
    let mut finish = Finish::new(program, &mut each);
    for row in records {
        finish.row(evaluate_row(program, row_word, row));
    }
    finish.end()
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
    /// Each group's grades against the quotas (policies with quotas only).
    pub distribution: Option<Distribution>,
    /// Groups forced ranking could not rank.
    pub unranked: Vec<UnrankedGroup>,
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
        distribution: summary.distribution,
        unranked: summary.unranked,
    })
}

#[cfg(test)]
mod tests {
    use super::ids::SeenIds;

    /// Workers that all panic (a bug) must not leave the reader waiting
    /// forever on a full queue: the run ends, with the panic.
    #[test]
    #[allow(clippy::panic, clippy::unwrap_used)]
    fn a_panic_in_every_worker_ends_the_run() {
        let text = "policy \"p\" {\n  period month\n  currency CNY\n  input y score \"review\"\n  indicator i \"review\" weight 100% {\n    points y\n  }\n}\n";
        let source = crate::language::source::Source::new("p.kpi", text);
        let Ok(compiled) = crate::compile(&source) else {
            panic!("the policy compiles")
        };
        let program = compiled.program;
        // Some 4 MB: many more 128 KB blocks than the queues hold.
        let mut csv = String::from("id,y\n");
        for n in 0..400_000 {
            csv.push_str(&format!("E{n},50\n"));
        }
        let (ended, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let options = crate::data::ReadOptions::default();
            let source = crate::data::open_bytes("d.csv", csv.into_bytes(), &options).unwrap();
            let columns = crate::data::Columns::map(&program, &source.headers, "line").unwrap();
            let work = |_: &mut (), _: &crate::data::RawRow, _: &mut Vec<u8>| -> () {
                panic!("a bug in evaluation")
            };
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                super::pipeline(source, &columns, &work, |_, _| {})
            }));
            ended.send(run.is_err()).unwrap();
        });
        let panicked = wait.recv_timeout(std::time::Duration::from_secs(120));
        assert_eq!(
            panicked,
            Ok(true),
            "the run hangs, or ends without its panic"
        );
    }

    #[test]
    fn repeated_ids_name_the_first_row() {
        let mut seen = SeenIds::default();
        assert_eq!(seen.first_row("E001", 2), None);
        assert_eq!(seen.first_row("E002", 3), None);
        assert_eq!(
            seen.first_row("", 4),
            None,
            "an empty id is reported elsewhere"
        );
        assert_eq!(seen.first_row("", 5), None);
        assert_eq!(seen.first_row("E001", 6), Some(2));
        assert_eq!(seen.first_row("E001", 7), Some(2));
        assert_eq!(seen.first_row("E002", 8), Some(3));
    }

    /// Two different ids with the same hash are told apart, and each is
    /// still caught when it repeats: ids out of order from the start, and
    /// ids put in the table when the first comes out of order.
    #[test]
    fn ids_sharing_a_hash_are_not_taken_for_repeats() {
        let colliding = || SeenIds {
            hash: |_| 7,
            ..SeenIds::default()
        };
        let mut seen = colliding();
        assert_eq!(seen.first_row("王五", 2), None);
        assert_eq!(seen.first_row("张三", 3), None);
        assert_eq!(seen.first_row("李四", 4), None);
        assert_eq!(seen.first_row("张三", 5), Some(3));
        assert_eq!(seen.first_row("王五", 6), Some(2));
        assert_eq!(seen.first_row("李四", 7), Some(4));

        let mut seen = colliding();
        for (row, id) in ["E1", "E2", "E3"].into_iter().enumerate() {
            assert_eq!(seen.first_row(id, row + 2), None);
        }
        assert!(seen.ascending, "no table while the ids ascend");
        assert_eq!(seen.first_row("E0", 5), None, "out of order, but new");
        assert!(!seen.ascending);
        for (id, first) in [("E1", 2), ("E2", 3), ("E3", 4), ("E0", 5)] {
            assert_eq!(seen.first_row(id, 9), Some(first), "{id}");
        }
        assert_eq!(seen.first_row("E4", 10), None);
        assert_eq!(seen.first_row("E4", 11), Some(10));
    }

    /// A repeat is caught however the ids are ordered: ascending (told by
    /// comparing with the last), a repeat of the last, and ids that go back.
    #[test]
    fn repeats_are_caught_in_sorted_and_unsorted_files() {
        let ids: Vec<String> = (0..500).map(|i| format!("E{i:04}")).collect();
        let mut seen = SeenIds::default();
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(seen.first_row(id, row + 2), None, "{id}");
        }
        assert!(seen.ascending);
        assert_eq!(seen.first_row("E0499", 600), Some(501), "the last again");
        assert!(!seen.ascending);
        for (row, id) in ids.iter().enumerate().rev() {
            assert_eq!(seen.first_row(id, 700), Some(row + 2), "{id}");
        }

        let mut seen = SeenIds::default();
        assert_eq!(seen.first_row("E0002", 2), None);
        assert_eq!(seen.first_row("E0001", 3), None, "out of order, but new");
        assert_eq!(seen.first_row("E0003", 4), None);
        assert_eq!(seen.first_row("E0002", 5), Some(2));
        assert_eq!(seen.first_row("E0003", 6), Some(4));
    }
}
