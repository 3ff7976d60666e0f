//! The pipeline a file's rows go through: one thread reads units of the
//! file, a worker per core splits and works on them, and the units are put
//! back in file order, with the repeated-id check, before anything is handed on.

use super::*;

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
pub(super) fn pipeline<S: Default, O: Send>(
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

pub(super) type Queue = Mutex<Option<mpsc::Receiver<(usize, Unit)>>>;

/// Drops the queue of units when the last stage ends, so that a reader
/// blocked on a full queue wakes (its send fails) and stops.
pub(super) struct CloseQueue<'a> {
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
pub(super) const UNITS_AHEAD: usize = 8;
pub(super) const CHUNK: usize = 1024;

pub(super) type RawResult = Result<RawRow, RowError>;

/// What a worker is handed: a block of CSV text, which it splits into rows
/// itself, or rows read already (JSON, workbooks).
pub(super) enum Unit {
    Block(Block),
    Rows(Vec<RawResult>),
}

/// The units of a source, in file order.
pub(super) fn units(feed: Feed) -> Box<dyn Iterator<Item = Unit> + Send> {
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
pub(super) fn next_unit(queue: &Queue) -> Option<(usize, Unit)> {
    queue.lock().ok()?.as_ref()?.recv().ok()
}

/// A worker's buffers: the row each row of a block is read into, and the
/// `S` that `work` reuses.
#[derive(Default)]
pub(super) struct Worker<S> {
    row: RawRow,
    state: S,
}

/// What a worker hands back for a unit: each row's result, with its line
/// and employee id for the check done in file order, and the text `work`
/// wrote for the unit's rows, end to end.
pub(super) struct Done<O> {
    rows: Vec<Done1<O>>,
    text: Vec<u8>,
    /// The unit's size in its file, to estimate the file's rows.
    bytes: usize,
}

/// A [`Done`]'s buffers, emptied, to be reused.
pub(super) type DoneBuffers<O> = (Vec<u8>, Vec<Done1<O>>);

/// One row of a [`Done`]: `work`'s result, or why the row could not be read,
/// and where the text `work` wrote for it is in the unit's.
pub(super) struct Done1<O> {
    number: usize,
    id: CompactString,
    text: std::ops::Range<usize>,
    result: Result<O, RowError>,
}

impl<S> Worker<S> {
    pub(super) fn work<O>(
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
pub(super) fn in_order<O>(finished: mpsc::Receiver<(usize, O)>) -> impl Iterator<Item = O> {
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
pub(super) struct IdCheck<F> {
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
    pub(super) fn new(row_word: &'static str, file_bytes: Option<u64>, each: F) -> Self {
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
    pub(super) fn hand_on<O>(&mut self, done: Done<O>, spares: &Spares<DoneBuffers<O>>)
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
