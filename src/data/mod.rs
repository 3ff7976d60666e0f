//! Data in: a period's records from CSV or JSON, mapped to a policy's inputs.
//!
//! Reading gives raw cells ([`RawTable`]); [`Columns`] maps the header to the
//! policy's inputs once, up front; [`Columns::record`] turns one raw row into
//! a [`Record`] or a [`RowError`] naming the row, the column and the rule.
//! A bad row never stops the others.

mod cell;
mod columns;
mod csv;
mod errors;
mod header;
mod json;
mod sheet;
pub(crate) mod spares;

pub use columns::*;
pub use errors::*;
pub use header::*;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::engine::eval::{Override, OverrideValue, Record};
use crate::engine::program::{Program, Slot, Value};
use crate::language::ast::{InputType, OverrideTarget};
use crate::language::check::intervals::RangeTest;
use crate::language::checked::{CheckedPolicy, InputValue, Missing, Node};

pub use cell::{parse_cell, parse_percent_written};

/// Parses a cell for `input`: by its type, and for a percentage by how the
/// policy says its column is written.
pub fn parse_input_cell(
    input: &crate::language::checked::Input,
    cell: CellRef<'_>,
) -> Result<crate::engine::program::Value, String> {
    match input.written {
        Some(form) if input.ty == crate::language::ast::InputType::Percent => {
            parse_percent_written(form, cell)
        }
        _ => parse_cell(input.ty, cell),
    }
}
pub use compact_str::CompactString;
pub(crate) use csv::Block;

/// A cell as read from a file, before it is given a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Empty,
    /// Text, kept inline when short (most cells are a few characters).
    Text(CompactString),
    /// A number from JSON, as its exact source text.
    Number(CompactString),
    Bool(bool),
    /// A workbook cell holding a date, a time or a duration, as it reads
    /// (`2026-03-31`, `12:30:00`): never a number, whatever Excel stores.
    Date(CompactString),
}

impl Cell {
    /// The cell, borrowed. Text of only spaces is an empty cell, as in a
    /// CSV row, so that a `CellRef::Text` is never blank.
    pub fn view(&self) -> CellRef<'_> {
        match self {
            Cell::Empty => CellRef::Empty,
            Cell::Text(t) if trim(t).is_empty() => CellRef::Empty,
            Cell::Text(t) => CellRef::Text(t),
            Cell::Number(t) => CellRef::Number(t),
            Cell::Bool(b) => CellRef::Bool(*b),
            Cell::Date(t) => CellRef::Date(t),
        }
    }
}

/// A cell of a [`RawRow`], borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellRef<'a> {
    Empty,
    /// Text as written, spaces around it included; never only spaces.
    Text(&'a str),
    /// A number from JSON or a workbook, as its exact text.
    Number(&'a str),
    Bool(bool),
    /// A date or time from a workbook, as it reads.
    Date(&'a str),
}

impl<'a> CellRef<'a> {
    /// How the cell reads in an error message.
    pub fn shown(self) -> String {
        match self {
            CellRef::Empty => String::new(),
            CellRef::Text(t) | CellRef::Number(t) | CellRef::Date(t) => t.to_string(),
            CellRef::Bool(b) => b.to_string(),
        }
    }

    /// The cell as text without surrounding spaces, borrowed when it is text.
    pub fn trimmed(self) -> std::borrow::Cow<'a, str> {
        match self {
            CellRef::Empty => "".into(),
            CellRef::Text(t) | CellRef::Number(t) | CellRef::Date(t) => trim(t).into(),
            CellRef::Bool(b) => b.to_string().into(),
        }
    }
}

/// How much of a CSV file is read at a time: a quarter of a megabyte makes
/// a sixteenth of the system calls the csv crate's default 8 KB does, which
/// took a tenth of a second of system time off a million rows.
pub const READ_BUFFER: usize = 256 * 1024;

/// `text` without the spaces around it, as `str::trim`. Most cells start
/// and end with a visible character (`E001`, `员工1`, `业务员`): those are
/// kept as they are, told from a space by their first byte and last
/// character rather than by `str::trim`'s general walk.
#[inline]
pub(crate) fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let visible = match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) => {
            starts_visibly(first)
                && (last.is_ascii_graphic()
                    || (!last.is_ascii()
                        // The last character's lead byte: the last byte
                        // that is not a continuation byte (10xxxxxx).
                        && bytes
                            .iter()
                            .rev()
                            .take(4)
                            .find(|&&b| b & 0xC0 != 0x80)
                            .is_some_and(|&lead| starts_visibly(lead))))
        }
        _ => false,
    };
    if visible { text } else { text.trim() }
}

/// Whether a character starting with byte `first` (of valid UTF-8) is
/// certainly not white space: a visible ASCII character, or one whose lead
/// byte no white space character has (those are C2, E1, E2 and E3:
/// U+0085, U+00A0, U+1680, U+2000–U+205F and U+3000).
fn starts_visibly(first: u8) -> bool {
    first.is_ascii_graphic() || (first >= 0xC3 && !matches!(first, 0xE1..=0xE3))
}

/// One data row with its position in the source file.
#[derive(Debug, Clone, Default)]
pub struct RawRow {
    /// The line number in a CSV file (the header is line 1), or the position
    /// (from 1) in a JSON array.
    pub number: usize,
    cells: Cells,
}

/// A row's cells. A CSV row keeps its text whole, each cell a range of it,
/// so that reading a row copies its bytes once and checks them once, rather
/// than allocating and checking cell by cell: reading is a large share of
/// evaluating a big file. JSON and workbook rows give their cells one by one.
#[derive(Debug, Clone)]
enum Cells {
    /// The cells' text, where each ends, and how many bytes lie between
    /// one cell and the next: 1 for a line as written (a separator), 0 for
    /// cells end to end (a record whose quotes were taken out).
    Text {
        text: String,
        ends: Vec<u32>,
        gap: u32,
    },
    Each(Vec<Cell>),
}

impl Default for Cells {
    fn default() -> Cells {
        Cells::Each(Vec::new())
    }
}

impl RawRow {
    pub fn new(number: usize, cells: Vec<Cell>) -> RawRow {
        RawRow {
            number,
            cells: Cells::Each(cells),
        }
    }

    /// Makes this row line `number` of a CSV file that has no quotes: the
    /// cells of `line` split at `delimiter`, an ASCII character. Its
    /// buffers are reused, so that reading many rows into one allocates
    /// nothing per row.
    pub(crate) fn fill_split(&mut self, number: usize, line: &str, delimiter: u8) {
        self.number = number;
        if u32::try_from(line.len()).is_err() {
            let cells = line.split(char::from(delimiter));
            self.cells = Cells::Each(cells.map(|c| Cell::Text(c.into())).collect());
            return;
        }
        let (mut text, mut ends) = self.take_text();
        text.push_str(line);
        separators(line.as_bytes(), delimiter, &mut ends);
        // Within u32: checked above.
        ends.push(line.len() as u32);
        self.cells = Cells::Text { text, ends, gap: 1 };
    }

    /// Makes this row record `number` of a CSV file as csv_core reads it:
    /// the cells' bytes end to end, and where each ends. Bytes that are not
    /// UTF-8 become U+FFFD, as decoding the file would make them.
    pub(crate) fn fill_record(&mut self, number: usize, bytes: &[u8], cell_ends: &[usize]) {
        self.number = number;
        // Cells must lie in order, between characters: a character that
        // is not UTF-8 alone may be made whole by the cell after it.
        let text = std::str::from_utf8(bytes).ok().filter(|text| {
            let mut start = 0;
            cell_ends.iter().all(|&end| {
                let fits = start <= end && u32::try_from(end).is_ok() && text.is_char_boundary(end);
                start = end;
                fits
            })
        });
        let Some(whole) = text else {
            let mut start = 0;
            let cells = cell_ends.iter().map(|&end| {
                let cell = bytes.get(start..end).unwrap_or_default();
                start = end;
                Cell::Text(String::from_utf8_lossy(cell).as_ref().into())
            });
            self.cells = Cells::Each(cells.collect());
            return;
        };
        let (mut text, mut ends) = self.take_text();
        text.push_str(whole);
        // Within u32: checked above.
        ends.extend(cell_ends.iter().map(|&end| end as u32));
        self.cells = Cells::Text { text, ends, gap: 0 };
    }

    /// The row's text and cell ends, emptied, to be filled again.
    fn take_text(&mut self) -> (String, Vec<u32>) {
        match std::mem::replace(&mut self.cells, Cells::Each(Vec::new())) {
            Cells::Text {
                mut text, mut ends, ..
            } => {
                text.clear();
                ends.clear();
                (text, ends)
            }
            Cells::Each(_) => (String::new(), Vec::new()),
        }
    }

    /// Cell `i` as it is written, if it is text with nothing to trim
    /// (most cells of a CSV file); `None` for anything else, read with
    /// [`Self::cell`]. What [`Self::cell`] gives as `CellRef::Text` then.
    #[inline]
    pub(crate) fn plain_text(&self, i: usize) -> Option<&str> {
        let Cells::Text { text, ends, gap } = &self.cells else {
            return None;
        };
        let cell = written(text, ends, *gap, i)?;
        let bytes = cell.as_bytes();
        match (bytes.first(), bytes.last()) {
            (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => {
                Some(cell)
            }
            _ => None,
        }
    }

    /// Cell `i`, or `None` past the last. A cell of only spaces is empty.
    #[inline]
    pub fn cell(&self, i: usize) -> Option<CellRef<'_>> {
        match &self.cells {
            Cells::Text { text, ends, gap } => {
                let cell = written(text, ends, *gap, i)?;
                Some(if trim(cell).is_empty() {
                    CellRef::Empty
                } else {
                    CellRef::Text(cell)
                })
            }
            Cells::Each(cells) => cells.get(i).map(Cell::view),
        }
    }

    /// [`Self::cell`], empty past the last.
    #[inline]
    pub fn cell_or_empty(&self, i: usize) -> CellRef<'_> {
        self.cell(i).unwrap_or(CellRef::Empty)
    }

    /// Cell `i` without the spaces around it, as
    /// `cell_or_empty(i).trimmed()` gives it, but trimmed once: an id, a
    /// name or a plan read from every row.
    #[inline]
    pub fn trimmed(&self, i: usize) -> std::borrow::Cow<'_, str> {
        match &self.cells {
            Cells::Text { text, ends, gap } => {
                std::borrow::Cow::Borrowed(written(text, ends, *gap, i).map_or("", trim))
            }
            Cells::Each(_) => self.cell_or_empty(i).trimmed(),
        }
    }

    /// About how many bytes the row took in its file: its cells' text, a
    /// separator after each and a line break (what a CSV line holds,
    /// quotes aside), to estimate a file's rows from its size.
    pub(crate) fn bytes(&self) -> usize {
        match &self.cells {
            Cells::Text { text, ends, gap } => match gap {
                0 => text.len() + ends.len(),
                _ => text.len() + 1,
            },
            Cells::Each(cells) => cells.iter().map(|c| c.view().shown().len() + 1).sum(),
        }
    }

    /// How many cells the row has.
    pub fn len(&self) -> usize {
        match &self.cells {
            Cells::Text { ends, .. } => ends.len(),
            Cells::Each(cells) => cells.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cells in order.
    pub fn cells(&self) -> impl Iterator<Item = CellRef<'_>> {
        (0..self.len()).map(|i| self.cell_or_empty(i))
    }
}

/// Appends where `delimiter` stands in `line` (no longer than u32 counts).
/// Eight bytes at a time: separators are a few bytes apart, too close for
/// a search that starts again at each to pay, and a byte at a time is
/// slower still. A byte of `word ^ delimiter × 0x01…01` is zero where the
/// delimiter is; `zero_bytes` marks exactly those.
fn separators(line: &[u8], delimiter: u8, ends: &mut Vec<u32>) {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    let pattern = ONES * u64::from(delimiter);
    let mut chunks = line.chunks_exact(8);
    let mut base = 0u32;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let mut zeros = zero_bytes(word ^ pattern);
        while zeros != 0 {
            ends.push(base + zeros.trailing_zeros() / 8);
            zeros &= zeros - 1;
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == delimiter {
            ends.push(base + i as u32);
        }
    }
}

/// The high bit of each byte of `x` that is zero, and no other bit: the
/// exact form (the usual `(x - 0x01…) & !x` also marks a 0x01 byte above a
/// zero one).
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    const LOW: u64 = u64::from_ne_bytes([0x7F; 8]);
    !(((x & LOW) + LOW) | x | LOW)
}

/// Cell `i` of cells kept in `text`, `gap` bytes apart, as written; `None`
/// past the last (or, which the `fill_` functions rule out, not between
/// characters).
#[inline]
fn written<'t>(text: &'t str, ends: &[u32], gap: u32, i: usize) -> Option<&'t str> {
    let start = match i.checked_sub(1) {
        Some(before) => *ends.get(before)? + gap,
        None => 0,
    };
    text.get(start as usize..*ends.get(i)? as usize)
}

/// Rows are equal when their numbers and cells are, however they were read.
impl PartialEq for RawRow {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number && self.len() == other.len() && self.cells().eq(other.cells())
    }
}

impl Eq for RawRow {}

/// A whole data file, read but not yet typed, held in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTable {
    pub headers: Vec<String>,
    pub rows: Vec<RawRow>,
    /// "line" for CSV, "record" for JSON, "row" for workbooks: how rows
    /// are numbered.
    pub row_word: &'static str,
}

impl RawTable {
    /// The table as a source, for [`crate::batch`].
    pub fn source(&self) -> DataSource {
        let rows = Arc::new(self.rows.clone());
        let (headers, row_word) = (self.headers.clone(), self.row_word);
        let read = move || {
            let rows = rows.clone();
            let len = rows.len();
            let each = (0..len).filter_map(move |i| rows.get(i).cloned().map(Ok));
            DataSource::of_rows(headers.clone(), row_word, Some(len), None, each)
        };
        let first = read();
        first.with_again(Arc::new(move || Ok(read())))
    }
}

/// The rows of a data file, read one at a time: CSV and JSON Lines files
/// are streamed, so that memory stays flat however many rows there are.
pub struct DataSource {
    pub headers: Vec<String>,
    pub row_word: &'static str,
    /// How many rows there are, when known before reading them.
    pub len: Option<usize>,
    /// The file's size, for a progress bar.
    pub bytes: Option<u64>,
    /// The encoding a text file was read in, and whether it was guessed
    /// from the file's bytes (`None` for workbooks and JSON).
    pub encoding: Option<TextEncoding>,
    /// Where the rows of only separators are noted as they are read.
    empty: Arc<EmptyRows>,
    rows: Rows,
    /// How to read the same rows again from the start (a file, bytes or a
    /// table in memory; not a pipe): forced ranking reads them twice.
    again: Option<Again>,
    /// Told of each row of a first reading, for a progress bar (see
    /// [`DataSource::on_first_reading`]).
    first_reading: Option<FirstReadingProgress>,
}

/// What a run that reads the data twice (forced ranking) reports of its
/// first reading: each row as it is scored, then that the ranking is done
/// and the rows are being read again to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstReading {
    Row,
    Done,
}

/// Told of [`FirstReading`] events, on the thread that runs the batch.
pub type FirstReadingProgress = Box<dyn FnMut(FirstReading) + Send>;

/// Opens a source again, from its first row.
pub(crate) type Again = Arc<dyn Fn() -> Result<DataSource, ReadError> + Send + Sync>;

/// The encoding a CSV file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEncoding {
    /// encoding_rs's name: `UTF-8`, `gb18030`, `UTF-16LE`, …
    pub name: &'static str,
    /// Guessed from the file's bytes, not given with `--encoding`.
    pub guessed: bool,
}

impl TextEncoding {
    /// A hint for a header that does not fit, read in a guessed encoding
    /// other than UTF-8, or with characters that could not be read: the
    /// names may be garbled by a wrong guess.
    pub fn hint(&self, headers: &[String]) -> Option<String> {
        let garbled = headers
            .iter()
            .any(|h| h.contains(char::REPLACEMENT_CHARACTER));
        if !self.guessed || (self.name == "UTF-8" && !garbled) {
            return None;
        }
        let other = if self.name == "UTF-8" { "gbk" } else { "utf-8" };
        Some(format!(
            "the file was read as {}, guessed from its bytes; if the column names above look garbled, give the encoding: --encoding {other}",
            self.name.to_ascii_uppercase()
        ))
    }
}

/// The most bytes one line of a data file may hold (1 MiB): no row of one
/// employee's figures comes near it, and a file that is not CSV at all (one
/// huge line) is refused as soon as the limit is passed, rather than read
/// whole into memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The lines of a CSV file that hold no value, only separators or spaces
/// (`,,,,`: a spreadsheet row whose cells were cleared). They carry no employee, so
/// they are not rows, but each is noted, so that every line of the file is
/// accounted for; they are noted by whichever thread splits their block.
#[derive(Debug, Default)]
pub struct EmptyRows(std::sync::Mutex<Vec<usize>>);

impl EmptyRows {
    pub(crate) fn note(&self, line: usize) {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(line);
        }
    }

    /// The lines noted so far, in order.
    pub fn lines(&self) -> Vec<usize> {
        let mut lines = self.0.lock().map(|l| l.clone()).unwrap_or_default();
        lines.sort_unstable();
        lines
    }
}

impl DataSource {
    /// A source of `rows` read already.
    pub(crate) fn of_rows(
        headers: Vec<String>,
        row_word: &'static str,
        len: Option<usize>,
        bytes: Option<u64>,
        rows: impl Iterator<Item = RowResult> + Send + 'static,
    ) -> DataSource {
        DataSource {
            headers,
            row_word,
            len,
            bytes,
            encoding: None,
            empty: Arc::default(),
            rows: Rows::each(rows),
            again: None,
            first_reading: None,
        }
    }

    /// The source, with `progress` told of the rows of a first reading
    /// (forced ranking reads the data twice; other runs never call it).
    pub fn on_first_reading(mut self, progress: FirstReadingProgress) -> DataSource {
        self.first_reading = Some(progress);
        self
    }

    pub(crate) fn take_first_reading(&mut self) -> Option<FirstReadingProgress> {
        self.first_reading.take()
    }

    /// The source, able to be read again by `again`.
    pub(crate) fn with_again(mut self, again: Again) -> DataSource {
        self.again = Some(again);
        self
    }

    /// The same rows from the start, as a new source, when they can be
    /// read again (`None` for a pipe).
    pub(crate) fn reopen(&self) -> Option<Result<DataSource, ReadError>> {
        self.again.as_ref().map(|again| again())
    }

    /// Where the rows of only separators are noted: read it once the rows
    /// have been read.
    pub fn empty_rows(&self) -> Arc<EmptyRows> {
        self.empty.clone()
    }
}

type RowResult = Result<RawRow, RowError>;

/// How a source gives its rows: one by one, or (CSV) as blocks of text
/// that are split into rows when they are needed.
enum Rows {
    Each(Box<dyn Iterator<Item = RowResult> + Send>),
    Csv {
        blocks: Box<dyn Iterator<Item = Result<csv::Block, RowError>> + Send>,
        /// The rows of the block being read.
        pending: std::vec::IntoIter<RowResult>,
    },
}

impl Rows {
    fn each(rows: impl Iterator<Item = RowResult> + Send + 'static) -> Rows {
        Rows::Each(Box::new(rows))
    }
}

impl Iterator for DataSource {
    /// A row, or a row that cannot be read (a line that is not JSON), which
    /// counts as a failed row: the others are still read.
    type Item = RowResult;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.rows {
            Rows::Each(rows) => rows.next(),
            Rows::Csv { blocks, pending } => loop {
                if let Some(row) = pending.next() {
                    return Some(row);
                }
                match blocks.next()? {
                    Ok(block) => *pending = csv::rows_of(&block).into_iter(),
                    Err(e) => return Some(Err(e)),
                }
            },
        }
    }
}

/// A source as [`crate::batch`] reads it: CSV as blocks of text, which
/// the threads that evaluate rows split into rows themselves, so that one
/// thread reading the file is not left to do it all; anything else as rows.
pub(crate) enum Feed {
    Blocks {
        /// Rows of a block already begun, before the blocks.
        rows: Vec<RowResult>,
        blocks: Box<dyn Iterator<Item = Result<Block, RowError>> + Send>,
    },
    Rows(Box<dyn Iterator<Item = RowResult> + Send>),
}

impl DataSource {
    pub(crate) fn into_feed(self) -> Feed {
        match self.rows {
            Rows::Each(rows) => Feed::Rows(rows),
            Rows::Csv { blocks, pending } => Feed::Blocks {
                rows: pending.collect(),
                blocks,
            },
        }
    }
}

/// How to read a data file, when its extension and contents do not say.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The sheet of a workbook: its name, or its position from 1.
    pub sheet: Option<String>,
    /// The encoding of a CSV file (`gbk`, `utf-8`, …), instead of detecting it.
    pub encoding: Option<String>,
    /// The separator of a CSV file, instead of detecting it.
    pub delimiter: Option<u8>,
    /// A quoted CSV value may hold line ends. Off, every line is a record
    /// of its own, so that a quote left open fails its line only, rather
    /// than swallowing the lines after it into one value.
    pub multiline: bool,
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

/// Opens a data file; the format follows the extension: `.csv` `.tsv`
/// `.txt`, `.json`, `.jsonl` `.ndjson`, `.xlsx` `.xlsm` `.xls` `.xlsb` `.ods`.
pub fn open(path: &Path, options: &ReadOptions) -> Result<DataSource, ReadError> {
    let source = open_once(path, options)?;
    // A file can be read a second time (forced ranking does); a pipe cannot.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(source);
    }
    let (path, options) = (path.to_path_buf(), options.clone());
    Ok(source.with_again(Arc::new(move || open_once(&path, &options))))
}

fn open_once(path: &Path, options: &ReadOptions) -> Result<DataSource, ReadError> {
    let error = |message: String| ReadError {
        path: path.display().to_string(),
        message,
    };
    match extension(path).as_str() {
        "json" => json::open_array(path),
        "jsonl" | "ndjson" => json::open_lines(path),
        "csv" | "txt" | "tsv" => csv::open(path, options),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => sheet::open(path, options.sheet.as_deref()),
        other => Err(unknown_format(other)),
    }
    .map_err(error)
}

/// Reads data given as bytes (standard input, a test, a fuzzer) rather
/// than as a file; `name`'s extension says the format, as for [`open`].
pub fn open_bytes(
    name: &str,
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<DataSource, ReadError> {
    let bytes: Arc<[u8]> = bytes.into();
    let source = open_shared_bytes(name, bytes.clone(), options)?;
    let (name, options) = (name.to_string(), options.clone());
    Ok(source.with_again(Arc::new(move || {
        open_shared_bytes(&name, bytes.clone(), &options)
    })))
}

fn open_shared_bytes(
    name: &str,
    bytes: Arc<[u8]>,
    options: &ReadOptions,
) -> Result<DataSource, ReadError> {
    let error = |message: String| ReadError {
        path: name.to_string(),
        message,
    };
    let len = Some(bytes.len() as u64);
    match extension(Path::new(name)).as_str() {
        "json" => json::array_from_slice(&bytes),
        "jsonl" | "ndjson" => json::lines_from_reader(std::io::Cursor::new(bytes), len),
        "csv" | "txt" | "tsv" => csv::from_reader(std::io::Cursor::new(bytes), len, options),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            sheet::from_bytes(bytes.to_vec(), options.sheet.as_deref())
        }
        other => Err(unknown_format(other)),
    }
    .map_err(error)
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

fn unknown_format(extension: &str) -> String {
    format!("unknown data format `.{extension}`: use .csv, .json, .jsonl, .xlsx, .xls or .ods")
}

/// Reads a whole data file into memory, with default options. A row that
/// cannot be read is an error here.
pub fn read(path: &Path) -> Result<RawTable, ReadError> {
    read_with(path, &ReadOptions::default())
}

/// [`read`], with the sheet, encoding or separator given.
pub fn read_with(path: &Path, options: &ReadOptions) -> Result<RawTable, ReadError> {
    let source = open(path, options)?;
    let headers = source.headers.clone();
    let row_word = source.row_word;
    let mut rows = Vec::new();
    for row in source {
        rows.push(row.map_err(|e| ReadError {
            path: path.display().to_string(),
            message: e.to_string(),
        })?);
    }
    Ok(RawTable {
        headers,
        rows,
        row_word,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_is_str_trim() {
        for text in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "12.5%",
            "  ¥1,000 ",
            "员工1",
            "　王五　",
            "\u{A0}7",
            "7\u{2003}",
            "#N/A",
            "x y",
            "员工",
            "业务员 ",
            " 员",
            "\u{3000}员",
            "员\u{3000}",
            "\u{85}x",
            "x\u{85}",
            "\u{A0}",
            "é",
            "\u{1680}a",
            "a\u{2029}",
            "\u{205F}a",
            "€5",
            "5€",
            "\u{FEFF}5",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
        // Every character, alone and around a visible one.
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            for text in [
                c.to_string(),
                format!("{c}x"),
                format!("x{c}"),
                format!("{c}员{c}"),
            ] {
                assert_eq!(trim(&text), text.trim(), "{text:?}");
            }
        }
    }

    /// A CSV row (one text, cells as ranges of it) reads as the same cells
    /// given one by one, whether it was split from a line or read by
    /// csv_core, and a row refilled reads as a fresh one.
    #[test]
    fn a_row_reads_the_same_however_it_is_kept() {
        let cells = ["E1", " 张三", "  ", "12 "];
        let each = RawRow::new(
            5,
            cells
                .iter()
                .map(|c| {
                    if c.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text((*c).into())
                    }
                })
                .collect(),
        );
        let mut row = RawRow::new(9, vec![Cell::Text("old".into())]);
        row.fill_record(5, "E1 张三  12 ".as_bytes(), &[2, 9, 11, 14]);
        assert_eq!(row, each);
        assert_eq!(row.len(), 4);
        assert_eq!(row.cell(1), Some(CellRef::Text(" 张三")));
        assert_eq!(row.cell(2), Some(CellRef::Empty));
        assert_eq!(row.cell(4), None);
        assert_eq!(row.cell_or_empty(4), CellRef::Empty);
        let mut split = RawRow::new(0, Vec::new());
        split.fill_split(7, "x,y,z,w,v", b',');
        split.fill_split(5, "E1; 张三;  ;12 ", b';');
        assert_eq!(split, each);
        // An end inside a character, or before the one before it: the
        // cells are read one by one, a cut character as U+FFFD.
        let lossy = |cells: &[&[u8]]| {
            let cells = cells
                .iter()
                .map(|c| String::from_utf8_lossy(c).as_ref().into());
            RawRow::new(5, cells.map(Cell::Text).collect())
        };
        let zhang = "张三".as_bytes();
        row.fill_record(5, zhang, &[1, 6]);
        assert_eq!(row, lossy(&[&zhang[..1], &zhang[1..6]]));
        row.fill_record(5, b"abc", &[2, 1]);
        assert_eq!(row, lossy(&[b"ab", b""]));
        row.fill_record(5, b"abc", &[4]);
        assert_eq!(row, lossy(&[b""]));
    }

    /// Separators are found eight bytes at a time where a byte at a time
    /// finds them: every position, every length, bytes next to the
    /// separator's value (0x2B, 0x2D), and bytes with the high bit set.
    #[test]
    fn separators_are_found_where_they_stand() {
        let bytes = [
            b',', b';', b'a', 0x2B, 0x2D, 0x00, 0x01, 0x80, 0xAC, 0xFF, b'\t',
        ];
        let mut x: u32 = 0x2545_F491;
        for length in 0..40 {
            for _ in 0..200 {
                let line: Vec<u8> = (0..length)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        bytes[x as usize % bytes.len()]
                    })
                    .collect();
                for delimiter in [b',', b';', b'\t', 0x01, 0x80] {
                    let mut found = Vec::new();
                    separators(&line, delimiter, &mut found);
                    let expected: Vec<u32> = (0..line.len() as u32)
                        .filter(|&i| line[i as usize] == delimiter)
                        .collect();
                    assert_eq!(found, expected, "{line:?} at {delimiter}");
                }
            }
        }
    }

    /// A cell given as plain text is the cell `cell` gives as text, as it
    /// is: only cells with nothing to trim are, and never an empty one.
    #[test]
    fn plain_text_is_the_text_cell_as_written() {
        let cells = [
            "E1", " 张三", "  ", "12 ", "", "85%", "\t7", "x", "员工1", "#N/A", "1,200",
        ];
        let text: String = cells.concat();
        let ends: Vec<u32> = cells
            .iter()
            .scan(0, |end, c| {
                *end += c.len() as u32;
                Some(*end)
            })
            .collect();
        let ends: Vec<usize> = ends.iter().map(|&e| e as usize).collect();
        let mut row = RawRow::new(0, Vec::new());
        row.fill_record(2, text.as_bytes(), &ends);
        let mut plain = 0;
        for (i, written) in cells.iter().enumerate() {
            if let Some(text) = row.plain_text(i) {
                plain += 1;
                assert_eq!(row.cell(i), Some(CellRef::Text(text)), "cell {i}");
                assert_eq!(text, *written);
                assert_eq!(text, text.trim());
            }
        }
        // E1, 85%, x, #N/A and 1,200; 员工1 is read the full way.
        assert_eq!(plain, 5);
        assert_eq!(row.plain_text(cells.len()), None);
        // A row kept cell by cell reads its cells the full way.
        let each = RawRow::new(2, vec![Cell::Text("E1".into())]);
        assert_eq!(each.plain_text(0), None);
        // Trimmed once, as the cell's own trimming gives it, past the
        // last cell too, however the row is kept.
        let kept = RawRow::new(2, cells.iter().map(|c| Cell::Text((*c).into())).collect());
        for i in 0..cells.len() + 2 {
            assert_eq!(row.trimmed(i), row.cell_or_empty(i).trimmed(), "cell {i}");
            assert_eq!(kept.trimmed(i), kept.cell_or_empty(i).trimmed(), "cell {i}");
            assert_eq!(row.trimmed(i), kept.trimmed(i), "cell {i}");
        }
        assert_eq!(row.trimmed(1), "张三");
        assert_eq!(row.trimmed(2), "");
    }

    /// The pipeline types a row's inputs straight into the evaluator's
    /// slots: the same numbers, to the scale and sign, and the same
    /// problems, as typing them into a record, for generated rows and for
    /// cells of every kind (empty optional, defaulted, yes/no, percent,
    /// money, out of range, not a number, an unknown plan).
    #[test]
    fn typing_into_slots_gives_what_typing_into_a_record_gives() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("policies/foreign_trade_sales.kpi"))
            .unwrap_or_default();
        let program = crate::compile(&crate::language::source::Source::new("p.kpi", text))
            .map(|c| c.program)
            .unwrap_or_else(|_| panic!("the policy compiles"));
        let mut data = Vec::new();
        crate::tools::generate::csv(program.policy(), 500, 7, &mut data).unwrap_or_default();
        // With the general manager's override columns: every tenth row
        // overridden, one of them without a reason (refused).
        let mut data: String = String::from_utf8(data)
            .unwrap_or_default()
            .lines()
            .enumerate()
            .map(|(i, line)| match i {
                0 => format!("{line},总经理调整,调整原因\n"),
                30 => format!("{line},A,\n"),
                i if i % 10 == 0 => format!("{line},S,见会议纪要\n"),
                _ => format!("{line},,\n"),
            })
            .collect();
        let header: Vec<&str> = data.lines().next().unwrap_or_default().split(',').collect();
        let first: Vec<String> = data
            .lines()
            .nth(1)
            .unwrap_or_default()
            .split(',')
            .map(str::to_string)
            .collect();
        let column = |name: &str| header.iter().position(|h| *h == name);
        // The first row again, on the sales plan (which reads every cell
        // below), with one cell changed.
        let mut first = first;
        if let Some(plan) = column("岗位").and_then(|i| first.get_mut(i)) {
            *plan = "业务员".to_string();
        }
        let mut edited = String::new();
        for (name, value) in [
            ("项目审定", ""),
            ("项目复评", " "),
            ("差错率", "0.5"),
            ("差错率", "150%"),
            ("差错率", "x"),
            ("成交额", "\"¥1,200.50\""),
            ("成交额", "-5"),
            ("新客户数", "1e3"),
            ("严重违规", "是"),
            ("严重违规", "maybe"),
            ("岗位", "清洁工"),
            ("改进提案", "-0"),
            ("绩效基数", "0.000"),
        ] {
            let mut row = first.clone();
            if let Some(cell) = column(name).and_then(|i| row.get_mut(i)) {
                *cell = value.to_string();
            }
            edited.push_str(&row.join(","));
            edited.push('\n');
        }
        data.push_str(&edited);
        let source = open_bytes("d.csv", data.into_bytes(), &ReadOptions::default())
            .unwrap_or_else(|_| panic!("the data opens"));
        let columns = Columns::map(&program, &source.headers, source.row_word)
            .unwrap_or_else(|_| panic!("the header fits"));
        let (mut record, mut typed) = (Record::default(), Record::default());
        let mut slots: Vec<Slot> = Vec::new();
        let (mut failed, mut overridden) = (0, 0);
        for row in source {
            let Ok(row) = row else {
                panic!("a row reads");
            };
            let into_record = columns.record_into(&program, &row, &mut record);
            let into_slots = columns.type_into(&program, &row, &mut typed, &mut slots);
            assert_eq!(
                into_record.as_ref().err().map(ToString::to_string),
                into_slots.as_ref().err().map(ToString::to_string),
                "row {}",
                row.number
            );
            failed += usize::from(into_record.is_err());
            if into_record.is_err() {
                continue;
            }
            assert!(
                typed.inputs.is_empty(),
                "the record's own inputs are not filled"
            );
            assert_eq!(typed.id, record.id);
            assert_eq!(typed.plan, record.plan);
            assert_eq!(typed.final_adjustment, record.final_adjustment);
            overridden += usize::from(record.final_adjustment.is_some());
            assert_eq!(slots.len(), record.inputs.len());
            for (slot, value) in slots.iter().zip(&record.inputs) {
                let back = Value::from(*slot);
                assert_eq!(back, *value, "row {}", row.number);
                if let (Value::Num(a), Value::Num(b)) = (back, value) {
                    assert_eq!(a.serialize(), b.serialize(), "row {}: {b}", row.number);
                }
            }
        }
        // 150%, x, -5, maybe and the unknown plan (1e3 reads as 1000), and
        // the override without a reason.
        assert_eq!(failed, 6);
        assert_eq!(overridden, 49);
    }
}
