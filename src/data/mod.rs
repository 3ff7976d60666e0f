//! Data in: a period's records from CSV or JSON, mapped to a policy's inputs.
//!
//! Reading gives raw cells ([`RawTable`]); [`Columns`] maps the header to the
//! policy's inputs once, up front; [`Columns::record`] turns one raw row into
//! a [`Record`] or a [`RowError`] naming the row, the column and the rule.
//! A bad row never stops the others.

mod cell;
mod csv;
mod json;
mod sheet;
pub(crate) mod spares;

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

pub use cell::parse_cell;
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
        let rows: Vec<Result<RawRow, RowError>> = self.rows.iter().cloned().map(Ok).collect();
        DataSource::of_rows(
            self.headers.clone(),
            self.row_word,
            Some(rows.len()),
            None,
            rows.into_iter(),
        )
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
}

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
    fn of_rows(
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
        }
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
            sheet::from_bytes(bytes, options.sheet.as_deref())
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

/// Problems with the header, found before any row is evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderError {
    /// Inputs (or the id column) with no column, with a suggestion each.
    pub missing: Vec<MissingColumn>,
    /// Columns that match no input, with the input each may be misspelt from.
    pub unknown: Vec<UnknownColumn>,
    /// Columns named twice.
    pub duplicates: Vec<String>,
    /// Inputs given by two columns (by name and by label or alias), where
    /// only one may count.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub two_columns: Vec<TwoColumns>,
}

/// An input two columns of one file give, each by another of its names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TwoColumns {
    pub input: String,
    pub columns: [String; 2],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownColumn {
    pub column: String,
    pub did_you_mean: Option<String>,
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
        let unknown: Vec<String> = self
            .unknown
            .iter()
            .map(|u| match &u.did_you_mean {
                Some(s) => format!("`{}` (`{s}`?)", u.column),
                None => format!("`{}`", u.column),
            })
            .collect();
        if !unknown.is_empty() {
            writeln!(f, "columns the policy does not use: {}", unknown.join(", "))?;
        }
        for d in &self.duplicates {
            writeln!(f, "the column `{d}` appears twice")?;
        }
        for t in &self.two_columns {
            let [a, b] = &t.columns;
            writeln!(
                f,
                "the columns `{a}` and `{b}` both give `{}`: keep the one that counts",
                t.input
            )?;
        }
        Ok(())
    }
}

/// How one input a plan uses is typed from a row: its index, its column
/// (`None` when the data leaves it out: an input only some plans use may
/// be, as a file of sales staff needs no project columns), and its range
/// made ready.
#[derive(Debug, Clone, Copy)]
struct Typing {
    input: usize,
    column: Option<usize>,
    range: RangeTest,
}

/// A header's columns by name (trimmed; columns with no name, the
/// trailing commas spreadsheets leave, hold nothing the policy could ask
/// for), and the names given twice. A name given twice is its first column.
pub(crate) struct HeaderIndex<'h> {
    index: HashMap<&'h str, usize>,
    pub(crate) duplicates: Vec<String>,
}

impl<'h> HeaderIndex<'h> {
    pub(crate) fn of(headers: &'h [String]) -> HeaderIndex<'h> {
        let mut index = HashMap::new();
        let mut duplicates: Vec<String> = Vec::new();
        for (i, h) in headers.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
            if index.contains_key(h.as_str()) {
                if !duplicates.contains(h) {
                    duplicates.push(h.clone());
                }
            } else {
                index.insert(h.as_str(), i);
            }
        }
        HeaderIndex { index, duplicates }
    }

    pub(crate) fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The column of each input: by its name, else its label, else an
    /// alias; but never by a label or alias that is the name of a column
    /// another input is read from by its name (that column is the other
    /// input's).
    pub(crate) fn inputs(&self, inputs: &[crate::language::checked::Input]) -> Vec<Option<usize>> {
        let by_name: Vec<Option<usize>> = inputs.iter().map(|i| self.get(&i.name)).collect();
        inputs
            .iter()
            .zip(&by_name)
            .map(|(input, name)| {
                name.or_else(|| {
                    self.names(input)
                        .skip(1)
                        .filter_map(|n| self.get(n))
                        .find(|c| !by_name.contains(&Some(*c)))
                })
            })
            .collect()
    }

    /// An input's names, in the order a column is looked for by them.
    fn names<'i>(
        &self,
        input: &'i crate::language::checked::Input,
    ) -> impl Iterator<Item = &'i str> {
        std::iter::once(input.name.as_str())
            .chain(input.label.as_deref().map(str::trim))
            .chain(input.aliases.iter().map(|a| a.trim()))
    }

    /// The inputs two columns give, each by another of its names (its name
    /// and its label, say), with `columns` the column each input was
    /// found in ([`Self::inputs`]): only one of the two would count, and
    /// which must be said rather than the other dropped unseen. A column
    /// another input is read from is that input's, and one in `taken` (the
    /// id, name, plan or group column) is that, even if its name is also
    /// this input's label or alias.
    pub(crate) fn two_columns(
        &self,
        headers: &[String],
        inputs: &[crate::language::checked::Input],
        columns: &[Option<usize>],
        taken: &[usize],
    ) -> Vec<TwoColumns> {
        let mut found: Vec<TwoColumns> = Vec::new();
        for (input, column) in inputs.iter().zip(columns) {
            let Some(first) = *column else { continue };
            let others = self.names(input).filter_map(|n| self.get(n));
            let other_use = |i: usize| columns.contains(&Some(i)) || taken.contains(&i);
            for other in others.filter(|&i| i != first && !other_use(i)) {
                let (Some(a), Some(b)) = (headers.get(first), headers.get(other)) else {
                    continue;
                };
                let pair = [a.clone(), b.clone()];
                if !found.iter().any(|t| t.columns == pair) {
                    found.push(TwoColumns {
                        input: input.name.clone(),
                        columns: pair,
                    });
                }
            }
        }
        found
    }
}

/// Where each input's value is in a row.
#[derive(Debug, Clone)]
pub struct Columns {
    id: usize,
    name: Option<usize>,
    /// The quota group column, when the policy sets quotas per group.
    group: Option<usize>,
    /// The column choosing each employee's plan, for a policy with plans.
    plan: Option<usize>,
    /// Per plan, how each input it uses is typed, in the inputs' order.
    typing: Vec<Vec<Typing>>,
    /// Per plan, for each input, the rule that first uses it: "indicator
    /// `成交`", or `None` when the plan does not use the input (its cell
    /// may then be empty).
    consumers: Vec<Vec<Option<String>>>,
    /// Every plan's name, for the message naming an unknown plan.
    plan_names: Vec<String>,
    /// The final adjustment's column and its reason's column, when the
    /// policy allows overrides and the data has the column.
    adjustment: Option<(usize, usize)>,
    headers: Vec<String>,
    row_word: &'static str,
}

/// Where typing puts a row's inputs, by the policy's order: a record's
/// [`Value`]s, or the evaluator's [`Slot`]s, so that the pipeline does not
/// make a `Decimal` of each number only for the evaluator to take it apart.
pub(crate) trait Inputs {
    /// As many inputs as the policy has, every one missing.
    fn reset(&mut self, len: usize);
    fn set(&mut self, i: usize, value: Value);
    /// A number read as its parts (the usual cell).
    fn set_plain(&mut self, i: usize, n: crate::numbers::decimal::Plain);
}

/// A typed input as [`Inputs`] keeps it: a `Value` or a `Slot`.
pub(crate) trait Input: Copy + From<Value> {
    fn plain(n: crate::numbers::decimal::Plain) -> Self;
}

impl Input for Value {
    #[inline]
    fn plain(n: crate::numbers::decimal::Plain) -> Value {
        Value::Num(n.decimal())
    }
}

impl Input for Slot {
    #[inline]
    fn plain(n: crate::numbers::decimal::Plain) -> Slot {
        Slot::Num(n.num())
    }
}

impl<T: Input> Inputs for Vec<T> {
    fn reset(&mut self, len: usize) {
        self.clear();
        self.resize(len, T::from(Value::Missing));
    }

    fn set(&mut self, i: usize, value: Value) {
        if let Some(slot) = self.get_mut(i) {
            *slot = T::from(value);
        }
    }

    #[inline]
    fn set_plain(&mut self, i: usize, n: crate::numbers::decimal::Plain) {
        if let Some(slot) = self.get_mut(i) {
            *slot = T::plain(n);
        }
    }
}

impl Columns {
    /// Maps a header to the policy: each input by its name or its label,
    /// the id column by the name the policy gives it.
    pub fn map(
        program: &Program,
        headers: &[String],
        row_word: &'static str,
    ) -> Result<Columns, HeaderError> {
        let policy = program.policy();
        let headers: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
        let index = HeaderIndex::of(&headers);
        let duplicates = index.duplicates.clone();
        let find = |name: &str, label: Option<&str>| {
            index
                .get(name)
                .or_else(|| label.and_then(|l| index.get(l.trim())))
        };
        let mut missing = Vec::new();
        let suggest = |name: &str| {
            crate::language::fuzzy::closest(name, headers.iter().map(String::as_str))
                .map(str::to_string)
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
        // A column the policy names for a purpose, required when named.
        let mut purpose_column = |column: Option<&str>, purpose: &str| {
            let column = column?;
            let found = find(column, None);
            if found.is_none() {
                missing.push(MissingColumn {
                    input: column.to_string(),
                    label: Some(purpose.to_string()),
                    did_you_mean: suggest(column),
                });
            }
            found
        };
        let group = purpose_column(policy.quota_group_column(), "the group the quotas apply to");
        let plan = purpose_column(policy.plan_column.as_deref(), "each employee's plan");
        // An input every plan uses must have a column; one that only some
        // plans use may be left out, and is then missing for those plans' rows.
        let mut required = vec![true; policy.inputs.len()];
        for plan in program.plans() {
            for (r, used) in required.iter_mut().zip(plan.policy().used_inputs()) {
                *r &= used;
            }
        }
        // A file without the override column has no overrides; with it, the
        // reason column must be there too.
        let override_rule = policy.override_rule.as_ref();
        let adjustment = override_rule.and_then(|o| find(&o.column, None));
        let reason = override_rule.and_then(|o| find(&o.reason_column, None));
        if let (Some(rule), Some(_), None) = (override_rule, adjustment, reason) {
            missing.push(MissingColumn {
                input: rule.reason_column.clone(),
                label: Some(format!("the reason for each override in `{}`", rule.column)),
                did_you_mean: suggest(&rule.reason_column),
            });
        }
        let found = index.inputs(&policy.inputs);
        let mut inputs = Vec::new();
        for ((input, required), column) in policy.inputs.iter().zip(required).zip(&found) {
            match *column {
                Some(i) => inputs.push(Some(i)),
                None if !required => inputs.push(None),
                None => missing.push(MissingColumn {
                    input: input.name.clone(),
                    label: input.label.clone(),
                    did_you_mean: suggest(&input.name)
                        .or_else(|| input.label.as_deref().and_then(suggest)),
                }),
            }
        }
        // As in the yearly figures: an input given by two columns is
        // refused, not read from one with the other ignored.
        let taken: Vec<usize> = [id, name, group, plan, adjustment, reason]
            .into_iter()
            .flatten()
            .collect();
        let two_columns = index.two_columns(&headers, &policy.inputs, &found, &taken);
        if !missing.is_empty() || !duplicates.is_empty() || !two_columns.is_empty() {
            // The columns nothing uses: when an input has no column, one of
            // these is likely its misspelt name.
            let second: Vec<usize> = two_columns
                .iter()
                .filter_map(|t| index.get(&t.columns[1]))
                .collect();
            let used: Vec<usize> = inputs
                .iter()
                .copied()
                .flatten()
                .chain(second)
                .chain(id)
                .chain(name)
                .chain(group)
                .chain(plan)
                .chain(adjustment)
                .chain(reason)
                .collect();
            let names: Vec<&str> = policy
                .inputs
                .iter()
                .flat_map(|i| std::iter::once(i.name.as_str()).chain(i.label.as_deref()))
                .chain(std::iter::once(policy.id_column.as_str()))
                .collect();
            let unknown = headers
                .iter()
                .enumerate()
                // A column named twice is reported as that, not also as
                // one the policy does not use.
                .filter(|(i, h)| !used.contains(i) && !h.is_empty() && !duplicates.contains(h))
                .map(|(_, h)| UnknownColumn {
                    column: h.clone(),
                    did_you_mean: crate::language::fuzzy::closest(h, names.iter().copied())
                        .map(str::to_string),
                })
                .collect();
            return Err(HeaderError {
                missing,
                unknown,
                duplicates,
                two_columns,
            });
        }
        // Per plan, the inputs it uses, each with its column and range.
        let consumers: Vec<Vec<Option<String>>> =
            program.plans().map(|p| consumers(p.policy())).collect();
        let typing = consumers
            .iter()
            .map(|used| {
                (0..policy.inputs.len())
                    .filter(|i| matches!(used.get(*i), Some(Some(_))))
                    .map(|i| Typing {
                        input: i,
                        column: inputs.get(i).copied().flatten(),
                        range: policy
                            .inputs
                            .get(i)
                            .map_or(RangeTest::Other, |input| input.range.test()),
                    })
                    .collect()
            })
            .collect();
        Ok(Columns {
            id: id.unwrap_or_default(),
            name,
            group,
            plan,
            typing,
            consumers,
            plan_names: policy.plans.iter().map(|p| p.name.clone()).collect(),
            adjustment: adjustment.zip(reason),
            headers,
            row_word,
        })
    }

    /// Types one row's cells as the policy's inputs.
    pub fn record(&self, program: &Program, row: &RawRow) -> Result<Record, RowError> {
        let mut record = Record::default();
        self.record_into(program, row, &mut record)?;
        Ok(record)
    }

    /// [`Self::record`] into a record from an earlier row, whose buffers are
    /// reused: typing many rows this way allocates little per row. On an
    /// error, `record` holds part of the row and must not be evaluated.
    pub fn record_into(
        &self,
        program: &Program,
        row: &RawRow,
        record: &mut Record,
    ) -> Result<(), RowError> {
        let mut inputs = std::mem::take(&mut record.inputs);
        let typed = self.type_into(program, row, record, &mut inputs);
        record.inputs = inputs;
        typed
    }

    /// [`Self::record_into`], with the inputs put in `inputs` rather than in
    /// the record (whose own are left as they were): the pipeline types
    /// them straight into the evaluator's form ([`Slot`]s).
    pub(crate) fn type_into(
        &self,
        program: &Program,
        row: &RawRow,
        record: &mut Record,
        inputs: &mut impl Inputs,
    ) -> Result<(), RowError> {
        let policy = program.policy();
        let cell = |i: usize| row.cell_or_empty(i);
        crate::engine::outcome::replace_text(&mut record.id, &row.trimmed(self.id));
        let id = &record.id;
        let mut problems = Vec::new();
        if id.is_empty() {
            problems.push(CellProblem {
                column: self.header(self.id),
                value: String::new(),
                message: "no employee id".to_string(),
                rule: String::new(),
            });
        }
        let name = self.name.map(|i| row.trimmed(i)).filter(|n| !n.is_empty());
        crate::engine::outcome::replace_optional_text(&mut record.name, name.as_deref());
        let group = self.group.map(|column| (column, row.trimmed(column)));
        crate::engine::outcome::replace_optional_text(
            &mut record.group,
            group.as_ref().map(|(_, g)| &**g),
        );
        // Who the row is must read as written: a byte the file's encoding
        // does not have (a name pasted from a GBK file into a UTF-8 one)
        // would put a garbled id or name on a payslip.
        let who = [
            Some((self.id, id.as_str())),
            self.name.zip(record.name.as_deref()),
            self.group.zip(record.group.as_deref()),
        ];
        for (column, text) in who.into_iter().flatten() {
            if text.contains(char::REPLACEMENT_CHARACTER) {
                problems.push(CellProblem {
                    column: self.header(column),
                    value: text.to_string(),
                    message: "it holds bytes the file's encoding does not have (shown as �): the file mixes encodings; save it again as UTF-8 (Excel: CSV UTF-8), or give its encoding with --encoding".to_string(),
                    rule: String::new(),
                });
            }
        }
        if let Some((column, value)) = group
            && value.is_empty()
        {
            problems.push(CellProblem {
                column: self.header(column),
                value: String::new(),
                message: "no group: the quotas are counted per group".to_string(),
                rule: "quotas".to_string(),
            });
        }
        let plan = match self.plan {
            Some(column) => {
                let value = row.trimmed(column);
                match program.plan_named(&value) {
                    Some(plan) => plan,
                    None => {
                        let value = value.into_owned();
                        let plans = self
                            .plan_names
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let message = if value.is_empty() {
                            format!("no plan: the plans are {plans}")
                        } else {
                            format!("names no plan: the plans are {plans}")
                        };
                        return Err(RowError {
                            row: row.number,
                            row_word: self.row_word,
                            id: (!id.is_empty()).then(|| id.clone()),
                            problem: RowProblem::Cells(vec![CellProblem {
                                column: self.header(column),
                                value,
                                message,
                                rule: "the plans".to_string(),
                            }]),
                        });
                    }
                }
            }
            None => 0,
        };
        let no_consumers = Vec::new();
        let consumers = self.consumers.get(plan).unwrap_or(&no_consumers);
        let consumer = |i: usize| consumers.get(i).cloned().flatten().unwrap_or_default();
        // An input the employee's plan does not use is not read: missing.
        inputs.reset(policy.inputs.len());
        let steps = self.typing.get(plan).map_or(&[][..], Vec::as_slice);
        for step in steps {
            let Some(input) = policy.inputs.get(step.input) else {
                continue;
            };
            let slot = step.input;
            let Some(column) = step.column else {
                let plan_name = self.plan_names.get(plan).cloned().unwrap_or_default();
                problems.push(CellProblem {
                    column: input.name.clone(),
                    value: String::new(),
                    message: format!(
                        "the data has no such column, and plan `{plan_name}` needs it"
                    ),
                    rule: consumer(step.input),
                });
                inputs.set(slot, Value::Num(Default::default()));
                continue;
            };
            // The usual cell, read without making a `CellRef`, and checked
            // against its range inline, not by `within_range` (values passed
            // to a call go through memory, and stall the read after).
            match row
                .plain_text(column)
                .and_then(|text| cell::usual_parts(input.ty, text))
            {
                Some(cell::Usual::Num(n)) if step.range.holds_plain(n, &input.range) => {
                    inputs.set_plain(slot, n);
                    continue;
                }
                Some(cell::Usual::Bool(b)) => {
                    inputs.set(slot, Value::Bool(b));
                    continue;
                }
                _ => {}
            }
            let raw = cell(column);
            let empty = raw == CellRef::Empty;
            // What the policy says an empty cell means.
            match (empty, input.missing) {
                (true, Missing::Exclude) => {
                    inputs.set(slot, Value::Missing);
                    continue;
                }
                (true, Missing::Default(v)) => {
                    let value = match v {
                        InputValue::Number(n) => Value::Num(n),
                        InputValue::Bool(b) => Value::Bool(b),
                    };
                    inputs.set(slot, value);
                    continue;
                }
                _ => {}
            }
            match parse_cell(input.ty, raw).and_then(|v| within_range(input, v)) {
                Ok(value) => inputs.set(slot, value),
                Err(message) => {
                    problems.push(CellProblem {
                        column: self.header(column),
                        value: raw.shown(),
                        message,
                        rule: consumer(step.input),
                    });
                    inputs.set(slot, Value::Num(Default::default()));
                }
            }
        }
        // Written only where there may be one: moving even a `None` of this
        // size through memory costs a stall on every row.
        if self.adjustment.is_some() || record.final_adjustment.is_some() {
            record.final_adjustment = self.final_adjustment(program, row, &mut problems);
        }
        record.plan = plan;
        record.year = None;
        if problems.is_empty() {
            Ok(())
        } else {
            Err(RowError {
                row: row.number,
                row_word: self.row_word,
                id: (!record.id.is_empty()).then(|| record.id.clone()),
                problem: RowProblem::Cells(problems),
            })
        }
    }

    /// The general manager's override of a row, if its cell is filled: a
    /// grade (by name or label) or a score in the policy's range, with a
    /// reason. An override without a reason is refused.
    fn final_adjustment(
        &self,
        program: &Program,
        row: &RawRow,
        problems: &mut Vec<CellProblem>,
    ) -> Option<Override> {
        let policy = program.policy();
        let rule = policy.override_rule.as_ref()?;
        let (column, reason_column) = self.adjustment?;
        let cell = |i: usize| row.cell_or_empty(i);
        let raw = cell(column);
        let text = raw.trimmed().into_owned();
        if text.is_empty() {
            return None;
        }
        let reason = cell(reason_column).trimmed().into_owned();
        let mut problem = |at: usize, value: &str, message: String| {
            problems.push(CellProblem {
                column: self.header(at),
                value: value.to_string(),
                message,
                rule: "override".to_string(),
            });
        };
        let value = match rule.target {
            OverrideTarget::Grade => {
                let found = policy
                    .grades
                    .iter()
                    .position(|g| g.name == text || g.label.as_deref() == Some(text.as_str()))
                    .and_then(|g| u16::try_from(g).ok());
                if found.is_none() {
                    let grades: Vec<String> = policy
                        .grades
                        .iter()
                        .map(|g| format!("`{}`", g.name))
                        .collect();
                    problem(
                        column,
                        &text,
                        format!("not a grade: the grades are {}", grades.join(", ")),
                    );
                }
                found.map(OverrideValue::Grade)
            }
            OverrideTarget::Score => match parse_cell(InputType::Score, raw) {
                Ok(Value::Num(n)) if n >= policy.score_range.0 && n <= policy.score_range.1 => {
                    Some(OverrideValue::Score(n))
                }
                Ok(_) => {
                    problem(
                        column,
                        &text,
                        format!(
                            "a score must lie in {} to {}",
                            policy.score_range.0, policy.score_range.1
                        ),
                    );
                    None
                }
                Err(message) => {
                    problem(column, &text, message);
                    None
                }
            },
        };
        if reason.is_empty() {
            problem(
                reason_column,
                "",
                format!(
                    "an override needs a reason: `{}` = `{text}` has none, so it is not applied",
                    self.header(column)
                ),
            );
        }
        Some(Override {
            value: value?,
            reason,
        })
    }

    /// The employee id of a row, as written (trimmed).
    pub fn id_of(&self, row: &RawRow) -> String {
        self.id_text(row).into_owned()
    }

    /// [`Self::id_of`], borrowed from the row where it can be.
    pub fn id_text<'r>(&self, row: &'r RawRow) -> std::borrow::Cow<'r, str> {
        row.trimmed(self.id)
    }

    /// The employee name of a row, if the policy names a name column.
    pub fn name_of(&self, row: &RawRow) -> Option<String> {
        let column = self.name?;
        let name = row.cell(column)?.trimmed().into_owned();
        (!name.is_empty()).then_some(name)
    }

    fn header(&self, column: usize) -> String {
        self.headers.get(column).cloned().unwrap_or_default()
    }
}

/// The rule that first uses each input, for error messages; `None` for an
/// input the policy (plan) does not use.
fn consumers(policy: &CheckedPolicy) -> Vec<Option<String>> {
    let mut found: Vec<Option<String>> = vec![None; policy.inputs.len()];
    for node in &policy.order {
        let (kind, exprs): (&str, Vec<&crate::language::checked::Expr>) = match *node {
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
    if let Some(ranking) = policy.quotas.as_ref().and_then(|q| q.ranking.as_ref()) {
        for tie in &ranking.ties {
            if let Node::Input(i) = tie.node
                && let Some(slot @ None) = found.get_mut(i)
            {
                *slot = Some("forced ranking's tie-breaker".to_string());
            }
        }
    }
    found
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
    Eval(Box<crate::engine::eval::EvalError>),
    /// An earlier row has the same employee id.
    DuplicateId { first: usize },
    /// The row could not be read at all (a line that is not JSON).
    Unreadable(String),
    /// The yearly roll-up cannot make a year of this employee's quarters.
    Year(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellProblem {
    pub column: String,
    pub value: String,
    pub message: String,
    /// The rule that uses the column.
    pub rule: String,
}

/// A value as quoted in a message: at most 40 characters of it.
pub(super) fn shortened(value: &str) -> std::borrow::Cow<'_, str> {
    const SHOWN: usize = 40;
    match value.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &value[..end]).into(),
        None => value.into(),
    }
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
                        write!(f, " = `{}`", shortened(&p.value))?;
                    }
                    write!(f, ": {}", p.message)?;
                    if !p.rule.is_empty() {
                        write!(f, " (used by {})", p.rule)?;
                    }
                }
                Ok(())
            }
            RowProblem::Eval(e) => write!(f, ": {e}"),
            RowProblem::DuplicateId { first } => write!(
                f,
                ": the same employee id as {} {first}; each employee must appear once per period, so this row is not evaluated",
                self.row_word
            ),
            RowProblem::Unreadable(message) => write!(f, ": cannot be read: {message}"),
            RowProblem::Year(message) => write!(f, ": {message}"),
        }
    }
}

/// A value the policy declares out of range (`range >= 0% and <= 100%`) is
/// refused like a value of the wrong type: the analysis of `kpi analyze`
/// holds only for data within the declared ranges.
#[inline]
pub(crate) fn within_range(
    input: &crate::language::checked::Input,
    value: Value,
) -> Result<Value, String> {
    match value {
        Value::Num(n) if !input.range.contains(n) => Err(format!(
            "outside the range the policy declares, {}",
            input
                .range
                .describe_with(&input.name, |d| crate::language::format::input_value(
                    input.ty, d
                ))
        )),
        _ => Ok(value),
    }
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
