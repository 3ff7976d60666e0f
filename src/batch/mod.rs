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

use crate::company::distribution::{Distribution, Tally};
use crate::company::ranking::{self, Candidate};
use crate::data::spares::Spares;
use crate::data::{
    Block, Columns, DataSource, Feed, HeaderError, RawRow, RawTable, RowError, RowProblem,
};
use crate::engine::eval::{EvalError, RankingFacts, Record, Scratch};
use crate::engine::outcome::{Detail, Outcome, RankingNote};
use crate::engine::program::{Program, Slot};

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
    each: impl FnMut(RowResult),
) -> Result<Summary, HeaderError> {
    let columns = Columns::map(program, &source.headers, source.row_word)?;
    let row_word = source.row_word;
    let ranking = program.policy().has_forced_ranking();
    let evaluate = |_: &mut (), row: &RawRow, _: &mut Vec<u8>| {
        let typed = columns.record(program, row).map(|r| (row.number, r));
        evaluate_row(program, ranking, row_word, typed)
    };
    let mut finish = Finish::new(program, row_word, each);
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
    if policy.has_forced_ranking() || policy.quotas.is_some() {
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
        let Reused {
            record,
            inputs,
            scratch,
            outcomes,
        } = reused;
        // A failure is boxed, so that the result comes back in two
        // registers: returned through memory, it was read back whole while
        // its parts were still being written, a stall on every row.
        columns
            .type_into(program, row, record, inputs)
            .map_err(Box::new)?;
        if outcomes.len() <= record.plan {
            outcomes.resize_with(record.plan + 1, Outcome::default);
        }
        // In bounds: made so just above.
        let outcome = &mut outcomes[record.plan];
        match program.evaluate_typed_into(record, inputs, scratch, outcome, detail) {
            Ok(()) => Ok(render(record, outcome, text)),
            Err(e) => Err(Box::new(eval_failure(row.number, row_word, &record.id, e))),
        }
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

/// A typed row whose evaluation failed (a division by zero in a formula).
fn eval_failure(row: usize, row_word: &'static str, id: &str, e: EvalError) -> RowError {
    RowError {
        row,
        row_word,
        id: Some(id.to_string()),
        problem: RowProblem::Eval(Box::new(e)),
    }
}

/// Reads the rows of `source`, does `work` on each, and hands the results to
/// `each` in the order of the file, each with the text `work` wrote for
/// that row. Each thread that works keeps an `S` of its own
/// (buffers to reuse) that `work` is given with every row.
///
/// Three stages: one thread reads the file in units (blocks of CSV text,
/// or chunks of rows), workers on every core split each unit into rows
/// and work on them, and this thread puts the units back in file order,
/// checks that no employee id comes twice, and hands the results on.
/// Units in flight are bounded, so memory stays flat. Where no thread can
/// be started, everything runs here, in the same order.
fn pipeline<S: Default, O: Send>(
    source: DataSource,
    columns: &Columns,
    work: &(impl Fn(&mut S, &RawRow, &mut Vec<u8>) -> O + Sync),
    each: impl FnMut(Result<O, RowError>, &[u8]),
) {
    let mut check = IdCheck::new(source.row_word, source.bytes, each);
    // The text and rows of units handed on, for the workers to reuse.
    let spares = Spares::default();
    let pending = Mutex::new(Some(units(source.into_feed())));
    let take = || pending.lock().ok().and_then(|mut units| units.take());
    let stopped = AtomicBool::new(false);
    let (sender, queue) = mpsc::sync_channel::<(usize, Unit)>(UNITS_AHEAD);
    let queue = Mutex::new(Some(queue));
    let work_here = |units: &mut dyn Iterator<Item = Unit>, check: &mut IdCheck<_>| {
        let mut worker = Worker::default();
        for unit in units {
            check.hand_on(worker.work(unit, columns, work, &spares), &spares);
        }
    };
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("kpi-read".to_string())
            .spawn_scoped(scope, || {
                let sender = sender;
                for unit in take().into_iter().flatten().enumerate() {
                    // Nothing receives any more (a panic downstream).
                    if stopped.load(Ordering::Relaxed) || sender.send(unit).is_err() {
                        return;
                    }
                }
            });
        if reader.is_err() {
            return work_here(&mut take().into_iter().flatten(), &mut check);
        }
        let (done, finished) = mpsc::sync_channel::<(usize, Done<O>)>(UNITS_AHEAD);
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut started = 0;
        for n in 0..workers {
            let done = done.clone();
            let (queue, stopped, spares) = (&queue, &stopped, &spares);
            let thread = std::thread::Builder::new()
                .name(format!("kpi-eval-{n}"))
                .spawn_scoped(scope, move || {
                    let mut worker = Worker::default();
                    while let Some((seq, unit)) = next_unit(queue) {
                        if stopped.load(Ordering::Relaxed) {
                            continue;
                        }
                        let worked = worker.work(unit, columns, work, spares);
                        if done.send((seq, worked)).is_err() {
                            // Let the reader stop, and drain what it sent.
                            stopped.store(true, Ordering::Relaxed);
                        }
                    }
                });
            started += usize::from(thread.is_ok());
        }
        drop(done);
        if started == 0 {
            // The reader's units come in order: work on them here.
            let units = std::iter::from_fn(|| next_unit(&queue)).map(|(_, unit)| unit);
            return work_here(&mut { units }, &mut check);
        }
        // Once this stage stops, however it stops (every worker gone, by a
        // panic say), the reader must not wait forever to hand on a unit.
        let _close = CloseQueue {
            queue: &queue,
            stopped: &stopped,
        };
        for done in in_order(finished) {
            check.hand_on(done, &spares);
        }
    });
}

type Queue = Mutex<Option<mpsc::Receiver<(usize, Unit)>>>;

/// Drops the queue of units when the last stage ends, so that a reader
/// blocked on a full queue wakes (its send fails) and stops.
struct CloseQueue<'a> {
    queue: &'a Queue,
    stopped: &'a AtomicBool,
}

impl Drop for CloseQueue<'_> {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Relaxed);
        // A worker that panicked holding the lock poisoned it; the queue
        // is still there to drop.
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        *queue = None;
    }
}

/// How many units of rows at most wait between two stages: enough to keep
/// every core busy, few enough that memory stays flat. A unit is a block
/// of CSV text ([`crate::data::Block`], 128 KB: about a thousand of the
/// usual row), or [`CHUNK`] rows of any other source. A thread that waits
/// for a unit sleeps and is woken, so units should not be small: chunks of
/// 1,024 rows rather than 256 took the 1M-row run from about 1.7 to 1.45 s
/// (median of six) for some 5 MB more.
const UNITS_AHEAD: usize = 8;
const CHUNK: usize = 1024;

type RawResult = Result<RawRow, RowError>;

/// What a worker is handed: a block of CSV text, which it splits into rows
/// itself, or rows read already (JSON, workbooks).
enum Unit {
    Block(Block),
    Rows(Vec<RawResult>),
}

/// The units of a source, in file order.
fn units(feed: Feed) -> Box<dyn Iterator<Item = Unit> + Send> {
    match feed {
        Feed::Blocks { rows, blocks } => {
            let begun = (!rows.is_empty()).then_some(Unit::Rows(rows));
            Box::new(begun.into_iter().chain(blocks.map(|block| match block {
                Ok(block) => Unit::Block(block),
                Err(e) => Unit::Rows(vec![Err(e)]),
            })))
        }
        Feed::Rows(rows) => {
            let mut rows = rows.peekable();
            Box::new(std::iter::from_fn(move || {
                rows.peek()?;
                Some(Unit::Rows(rows.by_ref().take(CHUNK).collect()))
            }))
        }
    }
}

/// The next unit of the shared queue, or `None` once the reader is done.
fn next_unit(queue: &Queue) -> Option<(usize, Unit)> {
    queue.lock().ok()?.as_ref()?.recv().ok()
}

/// A worker's buffers: the row each row of a block is read into, and the
/// `S` that `work` reuses.
#[derive(Default)]
struct Worker<S> {
    row: RawRow,
    state: S,
}

/// What a worker hands back for a unit: each row's result, with its line
/// and employee id for the check done in file order, and the text `work`
/// wrote for the unit's rows, end to end.
struct Done<O> {
    rows: Vec<Done1<O>>,
    text: Vec<u8>,
    /// The unit's size in its file, to estimate the file's rows.
    bytes: usize,
}

/// A [`Done`]'s buffers, emptied, to be reused.
type DoneBuffers<O> = (Vec<u8>, Vec<Done1<O>>);

/// One row of a [`Done`]: `work`'s result, or why the row could not be read,
/// and where the text `work` wrote for it is in the unit's.
struct Done1<O> {
    number: usize,
    id: CompactString,
    text: std::ops::Range<usize>,
    result: Result<O, RowError>,
}

impl<S> Worker<S> {
    fn work<O>(
        &mut self,
        unit: Unit,
        columns: &Columns,
        work: &impl Fn(&mut S, &RawRow, &mut Vec<u8>) -> O,
        spares: &Spares<DoneBuffers<O>>,
    ) -> Done<O> {
        let Worker { row, state } = self;
        let (mut text, mut rows) = spares.take();
        // Sized at once for the usual unit, rather than grown by doubling:
        // each step of growing a buffer this large takes new pages.
        rows.reserve(CHUNK);
        if let Unit::Block(block) = &unit {
            text.reserve(block.bytes() + block.bytes() / 2);
        }
        let mut each = |read: Result<&RawRow, RowError>| {
            rows.push(match read {
                Ok(row) => {
                    let start = text.len();
                    let result = work(state, row, &mut text);
                    Done1 {
                        number: row.number,
                        id: columns.id_text(row).as_ref().into(),
                        text: start..text.len(),
                        result: Ok(result),
                    }
                }
                Err(e) => Done1 {
                    number: e.row,
                    id: CompactString::default(),
                    text: 0..0,
                    result: Err(e),
                },
            });
        };
        let bytes = match unit {
            Unit::Block(block) => {
                block.rows(row, &mut each);
                block.bytes()
            }
            Unit::Rows(read) => {
                let mut bytes = 0;
                for r in read {
                    match r {
                        Ok(row) => {
                            bytes += row.bytes();
                            each(Ok(&row));
                        }
                        Err(e) => each(Err(e)),
                    }
                }
                bytes
            }
        };
        Done { rows, text, bytes }
    }
}

/// The workers' units, which arrive in any order, put back in the order
/// of the file.
fn in_order<O>(finished: mpsc::Receiver<(usize, O)>) -> impl Iterator<Item = O> {
    let mut early: BTreeMap<usize, O> = BTreeMap::new();
    let mut next = 0;
    std::iter::from_fn(move || {
        loop {
            if let Some(unit) = early.remove(&next) {
                next += 1;
                return Some(unit);
            }
            let (seq, unit) = finished.recv().ok()?;
            early.insert(seq, unit);
        }
    })
}

/// The last stage of the pipeline: each row in file order, failed if its
/// employee id came before, handed on.
struct IdCheck<F> {
    seen: SeenIds,
    row_word: &'static str,
    /// The file's size, and the rows and bytes of the first units: once a
    /// chunk's worth of rows is in, the table of ids is sized for the
    /// whole file at once rather than grown by doubling.
    file_bytes: Option<u64>,
    rows: usize,
    bytes: usize,
    each: F,
}

impl<F> IdCheck<F> {
    fn new(row_word: &'static str, file_bytes: Option<u64>, each: F) -> Self {
        IdCheck {
            seen: SeenIds::default(),
            row_word,
            file_bytes,
            rows: 0,
            bytes: 0,
            each,
        }
    }

    /// Hands on the rows of `done`, and gives its buffers back.
    fn hand_on<O>(&mut self, done: Done<O>, spares: &Spares<DoneBuffers<O>>)
    where
        F: FnMut(Result<O, RowError>, &[u8]),
    {
        let Done {
            mut rows,
            mut text,
            bytes,
        } = done;
        if self.rows < CHUNK {
            self.rows += rows.len();
            self.bytes += bytes;
            let per_row = self.bytes / self.rows.max(1);
            let file = self.file_bytes.and_then(|b| usize::try_from(b).ok());
            if let (true, Some(file)) = (self.rows >= CHUNK, file) {
                self.seen.reserve(file / per_row.max(1));
            }
        }
        for row in rows.drain(..) {
            let result = match row.result {
                Ok(o) if !row.id.is_empty() => match self.seen.first_row(&row.id, row.number) {
                    Some(first) => Err(RowError {
                        row: row.number,
                        row_word: self.row_word,
                        id: Some(row.id.to_string()),
                        problem: RowProblem::DuplicateId { first },
                    }),
                    None => Ok(o),
                },
                other => other,
            };
            (self.each)(result, text.get(row.text).unwrap_or_default());
        }
        text.clear();
        spares.give((text, rows));
    }
}

type EvaluatedRow = Result<(usize, Record, Outcome, Option<RankingFacts>), RowError>;

/// Evaluates a typed row, with the facts forced ranking needs if it ranks.
fn evaluate_row(
    program: &Program,
    ranking: bool,
    row_word: &'static str,
    row: Result<(usize, Record), RowError>,
) -> EvaluatedRow {
    let (number, record) = row?;
    let evaluated = if ranking {
        program
            .evaluate_for_ranking(&record)
            .map(|(o, facts)| (o, Some(facts)))
    } else {
        program.evaluate(&record).map(|o| (o, None))
    };
    match evaluated {
        Ok((outcome, facts)) => Ok((number, record, outcome, facts)),
        Err(e) => Err(eval_failure(number, row_word, &record.id, e)),
    }
}

/// Evaluates records typed elsewhere (a year rolled up from its quarters),
/// as [`run`] evaluates a file's rows.
pub fn run_records(
    program: &Program,
    records: impl IntoIterator<Item = Result<(usize, Record), RowError>>,
    row_word: &'static str,
    each: impl FnMut(RowResult),
) -> Summary {
    let ranking = program.policy().has_forced_ranking();
    let mut finish = Finish::new(program, row_word, each);
    for row in records {
        finish.row(evaluate_row(program, ranking, row_word, row));
    }
    finish.end()
}

/// Hands evaluated rows on and counts them; under forced ranking, holds
/// them until the end, ranks each group and hands them on then; with
/// quotas, tallies the grades.
struct Finish<'p, F> {
    program: &'p Program,
    row_word: &'static str,
    summary: Summary,
    tally: Option<Tally>,
    held: Vec<Held>,
    each: F,
}

impl<'p, F: FnMut(RowResult)> Finish<'p, F> {
    fn new(program: &'p Program, row_word: &'static str, each: F) -> Self {
        Finish {
            program,
            row_word,
            summary: Summary::default(),
            tally: program.policy().quotas.is_some().then(Tally::default),
            held: Vec::new(),
            each,
        }
    }

    fn row(&mut self, row: EvaluatedRow) {
        self.summary.read += 1;
        match row {
            Ok((number, record, outcome, Some(facts))) => self.held.push(Held {
                number,
                record,
                outcome: Ok(outcome),
                facts,
            }),
            Ok((_, record, outcome, None)) => self.evaluated(record, outcome),
            Err(e) => {
                self.summary.failed += 1;
                (self.each)(RowResult::Failed(e));
            }
        }
    }

    fn evaluated(&mut self, record: Record, outcome: Outcome) {
        self.summary.evaluated += 1;
        if let Some(t) = &mut self.tally {
            t.add(self.program.policy(), &outcome);
        }
        (self.each)(RowResult::Evaluated(Box::new(record), Box::new(outcome)));
    }

    fn end(mut self) -> Summary {
        let policy = self.program.policy();
        if policy.has_forced_ranking() {
            let mut held = std::mem::take(&mut self.held);
            self.summary.unranked = rank_groups(self.program, &mut held);
            for h in held {
                match h.outcome {
                    Ok(outcome) => self.evaluated(h.record, outcome),
                    Err(e) => {
                        self.summary.failed += 1;
                        let failure = eval_failure(h.number, self.row_word, &h.record.id, e);
                        (self.each)(RowResult::Failed(failure));
                    }
                }
            }
        }
        self.summary.distribution = self.tally.map(|t| t.finish(policy));
        self.summary
    }
}

/// An evaluated row waiting for forced ranking. The outcome becomes an
/// error if re-evaluating with the ranked grade fails (a pay formula).
struct Held {
    number: usize,
    record: Record,
    outcome: Result<Outcome, crate::engine::eval::EvalError>,
    facts: RankingFacts,
}

/// Ranks every group and re-evaluates the people whose grade moved, so that
/// pay follows the final grade. Returns the groups that could not be ranked.
fn rank_groups(program: &Program, held: &mut [Held]) -> Vec<UnrankedGroup> {
    let policy = program.policy();
    let Some(quotas) = &policy.quotas else {
        return Vec::new();
    };
    let mut groups: IndexMap<Option<String>, Vec<usize>> = IndexMap::new();
    for (i, h) in held.iter().enumerate() {
        groups.entry(h.record.group.clone()).or_default().push(i);
    }
    let mut unranked = Vec::new();
    for (group, members) in groups {
        let people: Vec<Candidate> = members
            .iter()
            .map(|&i| Candidate {
                score: held[i].facts.score,
                ties: held[i].facts.ties.clone(),
                id: held[i].record.id.clone(),
                grade: held[i].facts.grade,
                fixed: held[i].facts.vetoed,
            })
            .collect();
        let Ok(placements) = ranking::rank(quotas, policy.grades.len(), &people) else {
            unranked.push(UnrankedGroup {
                group,
                people: members.len(),
            });
            continue;
        };
        let of = members.len();
        for (&i, placed) in members.iter().zip(placements) {
            let h = &mut held[i];
            if placed.grade != h.facts.grade {
                h.outcome = program.evaluate_ranked(&h.record, placed.grade);
            }
            if let Ok(outcome) = &mut h.outcome {
                outcome.ranking = Some(RankingNote {
                    rank: placed.rank,
                    of,
                    quota: placed
                        .quota
                        .and_then(|q| quotas.limits.get(q))
                        .map(|l| l.text.clone()),
                });
            }
        }
    }
    unranked
}

/// The employee ids seen so far, kept small because there is one per
/// employee: every id's bytes end to end in one arena, and where each id
/// starts and the row it was first seen on in `seen`.
///
/// While the ids come in ascending order (a file sorted by employee id, as
/// payroll exports usually are), a new id is told from the ones before by
/// comparing it with the last: nothing else is looked up, and no table is
/// made. The first id out of order puts every id seen so far in a table from
/// a 32-bit hash of the id to its place in `seen` (some 30 bytes plus the id
/// per employee, against some 60 for a map of strings), which every later id
/// is then looked up in: an unsorted file does the work it always did, once
/// more for the ids before the first out of order. A million lookups in a
/// table far larger than the processor's caches cost about a tenth of a
/// second of the reading thread, which is what the sorted file saves.
///
/// Ids that share a hash are told apart by comparing their bytes, so the
/// answer is exact; the rare later id with a hash already taken is kept
/// whole in `others`.
struct SeenIds {
    arena: String,
    seen: Vec<SeenId>,
    /// Every id so far is greater than the one before it, and `by_hash` is
    /// empty.
    ascending: bool,
    by_hash: HashMap<u32, u32>,
    others: HashMap<Box<str>, usize>,
    /// The hash of an id (a field so that tests can make ids collide).
    hash: fn(&str) -> u32,
}

#[derive(Clone, Copy)]
struct SeenId {
    start: u32,
    row: u32,
}

impl Default for SeenIds {
    fn default() -> SeenIds {
        SeenIds {
            arena: String::new(),
            seen: Vec::new(),
            ascending: true,
            by_hash: HashMap::new(),
            others: HashMap::new(),
            hash: |id| {
                let mut h = DefaultHasher::new();
                id.hash(&mut h);
                // The low half of the hash: collisions are resolved below.
                h.finish() as u32
            },
        }
    }
}

impl SeenIds {
    /// Room for `ids` ids in all, as long as the ids seen so far. The table
    /// is made when it is first needed, as large as `seen` can grow.
    fn reserve(&mut self, ids: usize) {
        let more = ids.saturating_sub(self.seen.len());
        let length = self.arena.len() / self.seen.len().max(1);
        if !self.ascending {
            self.by_hash.reserve(more);
        }
        self.seen.reserve(more);
        self.arena.reserve(more.saturating_mul(length));
    }

    /// The row an id was first seen on, or `None` (and the id is recorded).
    fn first_row(&mut self, id: &str, row: usize) -> Option<usize> {
        if id.is_empty() {
            return None;
        }
        if self.ascending {
            let last = (self.seen.last()).and_then(|last| self.arena.get(last.start as usize..));
            if last.is_none_or(|last| id > last) && self.record(id, row).is_some() {
                return None;
            }
            self.leave_ascending();
        }
        let hash = (self.hash)(id);
        match self.by_hash.entry(hash) {
            Entry::Occupied(place) => {
                let place = *place.get() as usize;
                if id_at(&self.arena, &self.seen, place) == Some(id) {
                    return Some(self.seen[place].row as usize);
                }
                // A different id with the same hash.
                Self::first_row_of_other(&mut self.others, id, row)
            }
            Entry::Vacant(slot) => {
                let fits = (
                    u32::try_from(self.arena.len() + id.len()),
                    u32::try_from(row),
                    u32::try_from(self.seen.len()),
                );
                let (Ok(_), Ok(row), Ok(place)) = fits else {
                    // Beyond four billion rows or bytes: keep it whole.
                    return Self::first_row_of_other(&mut self.others, id, row);
                };
                slot.insert(place);
                self.seen.push(SeenId {
                    start: self.arena.len() as u32,
                    row,
                });
                self.arena.push_str(id);
                None
            }
        }
    }

    /// Records `id` at the end of `seen`, returning its place, or `None`
    /// (and nothing recorded) beyond four billion rows or bytes.
    fn record(&mut self, id: &str, row: usize) -> Option<u32> {
        let start = u32::try_from(self.arena.len()).ok()?;
        u32::try_from(start as usize + id.len()).ok()?;
        let row = u32::try_from(row).ok()?;
        let place = u32::try_from(self.seen.len()).ok()?;
        self.seen.push(SeenId { start, row });
        self.arena.push_str(id);
        Some(place)
    }

    /// An id came out of order: every id so far goes into the table. They
    /// are all different, so an id whose hash is taken goes to `others`.
    fn leave_ascending(&mut self) {
        self.ascending = false;
        let SeenIds {
            arena,
            seen,
            by_hash,
            others,
            hash,
            ..
        } = self;
        by_hash.reserve(seen.capacity());
        for (place, first) in seen.iter().enumerate() {
            let Some(id) = id_at(arena, seen, place) else {
                continue;
            };
            match by_hash.entry(hash(id)) {
                // `record` keeps places within 32 bits.
                Entry::Vacant(slot) => {
                    slot.insert(place as u32);
                }
                Entry::Occupied(_) => {
                    others.insert(id.into(), first.row as usize);
                }
            }
        }
    }

    fn first_row_of_other(
        others: &mut HashMap<Box<str>, usize>,
        id: &str,
        row: usize,
    ) -> Option<usize> {
        match others.entry(id.into()) {
            Entry::Occupied(first) => Some(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(row);
                None
            }
        }
    }
}

/// The id at `place` in `seen`: it ends where the next one starts.
fn id_at<'a>(arena: &'a str, seen: &[SeenId], place: usize) -> Option<&'a str> {
    let start = seen.get(place)?.start as usize;
    let end = seen
        .get(place + 1)
        .map_or(arena.len(), |next| next.start as usize);
    arena.get(start..end)
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
    use super::SeenIds;

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
