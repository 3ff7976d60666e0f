//! CSV files, streamed: UTF-8 with or without a byte-order mark, GBK/GB18030
//! as Chinese-locale Excel writes it, UTF-16 as Excel's "Unicode text" is;
//! comma, tab or semicolon separated. Encoding and separator are detected
//! from the start of the file unless given.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::data::spares::Spares;

use super::{
    CellProblem, CellRef, DataSource, EmptyRows, MAX_LINE_BYTES, RawRow, ReadOptions, RowError,
    RowProblem, Rows,
};

/// How much of the file is looked at to detect its encoding and separator.
const SAMPLE: usize = 64 * 1024;

pub(super) fn open(path: &Path, options: &ReadOptions) -> Result<DataSource, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let bytes = file.metadata().map(|m| m.len()).ok();
    from_reader(file, bytes, options)
}

/// A CSV file's contents, from any reader; `bytes` is its size if known.
pub(super) fn from_reader<R: Read + Send + 'static>(
    file: R,
    bytes: Option<u64>,
    options: &ReadOptions,
) -> Result<DataSource, String> {
    read_blocks(file, bytes, options, BLOCK)
}

/// [`from_reader`], in blocks of about `block` bytes (tests make them tiny,
/// so that records are cut across blocks everywhere).
fn read_blocks<R: Read + Send + 'static>(
    mut file: R,
    bytes: Option<u64>,
    options: &ReadOptions,
    block: usize,
) -> Result<DataSource, String> {
    let mut sample = Vec::with_capacity(SAMPLE);
    (&mut file)
        .take(SAMPLE as u64)
        .read_to_end(&mut sample)
        .map_err(|e| e.to_string())?;
    let encoding = match &options.encoding {
        Some(label) => Encoding::for_label(label.as_bytes()).ok_or_else(|| {
            format!("unknown encoding `{label}`: use utf-8, gbk, gb18030 or utf-16le")
        })?,
        None => detect_encoding(&sample),
    };
    let read_as = super::TextEncoding {
        name: encoding.name(),
        guessed: options.encoding.is_none() && Encoding::for_bom(&sample).is_none(),
    };
    let (text, _, _) = encoding.decode(&sample);
    let header_line = text
        .trim_start_matches('\u{FEFF}')
        .lines()
        .next()
        .unwrap_or("");
    let delimiter = match options.delimiter {
        Some(d) => d,
        None => detect_delimiter(header_line),
    };
    let start = Cursor::new(sample).chain(file);
    // UTF-8 is read as it is: each block's text is checked once, where it
    // is split into rows. Other encodings are decoded to UTF-8 first.
    let utf8 = encoding == encoding_rs::UTF_8
        && Encoding::for_bom(start.get_ref().0.get_ref())
            .is_none_or(|(e, _)| e == encoding_rs::UTF_8);
    let text: Box<dyn Read + Send> = if utf8 {
        Box::new(start)
    } else {
        Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_sniffing(true)
                .build(start),
        )
    };
    let empty = Arc::<EmptyRows>::default();
    let mut blocks = Blocks {
        input: CrLf::new(text),
        block: block.max(1),
        multiline: options.multiline,
        header: Arc::from(Vec::new()),
        empty: empty.clone(),
        spares: Arc::default(),
        carry: Vec::new(),
        searched: 0,
        at_start: true,
        line: 1,
        scanner: None,
        delimiter,
        fields: 0,
        ended: false,
        failure: None,
    };
    let first = match blocks.next() {
        Some(Ok(block)) => Some(block),
        Some(Err(RowError {
            row,
            problem: RowProblem::Unreadable(why),
            ..
        })) => return Err(format!("line {row}: {why}")),
        Some(Err(e)) => return Err(e.to_string()),
        None => None,
    };
    let (headers, first) = match first {
        Some(block) => {
            let (headers, rest) = block.split_header()?;
            (headers, Some(rest))
        }
        None => (Vec::new(), None),
    };
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err("the file has no header row".to_string());
    }
    blocks.fields = headers.len();
    blocks.header = Arc::from(headers.clone());
    let first = first.map(|mut block| {
        block.fields = headers.len();
        block.header = blocks.header.clone();
        block
    });
    Ok(DataSource {
        headers,
        row_word: "line",
        len: None,
        bytes,
        encoding: Some(read_as),
        empty,
        rows: Rows::Csv {
            blocks: Box::new(first.into_iter().map(Ok).chain(blocks)),
            pending: Vec::new().into_iter(),
        },
        again: None,
        first_reading: None,
    })
}

/// How many bytes of text make a [`Block`]: about a thousand of the usual
/// row. A thread that waits for a block sleeps and is woken, so blocks
/// should not be small; they are in flight a few at a time, so memory
/// stays flat.
pub(crate) const BLOCK: usize = 128 * 1024;

/// Whole records of a CSV file, as its text (decoded to UTF-8, every line
/// end a `\n`), with the line they start on. The reader only finds where
/// records end; splitting a block into rows ([`Block::rows`]) is left to
/// whichever thread takes the block, so that with a thread per core the
/// reading is shared out rather than done on one.
#[derive(Debug)]
pub(crate) struct Block {
    /// The block's text is `text[..end]`; past it, bytes of no meaning (a
    /// reused buffer is not cleared).
    text: Vec<u8>,
    end: usize,
    /// Where `text` goes back to once the block is read.
    spares: Arc<Spares<Vec<u8>>>,
    /// Where the rows start: after the header in the file's first block.
    start: usize,
    /// The line number of `text[start]`.
    line: usize,
    delimiter: u8,
    /// How many columns the header has.
    fields: usize,
    /// The header's names, for messages about a column.
    header: Arc<[String]>,
    /// A quoted value may hold line ends (`--multiline`); otherwise every
    /// line is a record of its own.
    multiline: bool,
    /// Where the rows of only separators are noted.
    empty: Arc<EmptyRows>,
}

impl Drop for Block {
    fn drop(&mut self) {
        self.spares.give(std::mem::take(&mut self.text));
    }
}

impl Block {
    /// The block's size in bytes, to estimate a file's rows from its size.
    pub(crate) fn bytes(&self) -> usize {
        self.end - self.start
    }

    /// The file's first record as the header, and the block after it.
    fn split_header(mut self) -> Result<(Vec<String>, Block), String> {
        let mut reader = csv_core::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .build();
        let mut header = Vec::new();
        // Lines before the header: blank ones, passed over by the reader.
        let mut text = self.text.get(..self.end).unwrap_or_default();
        if !self.multiline {
            // The header is one line, as every record is.
            let blank = text.iter().take_while(|&&b| b == b'\n').count();
            let line_end = memchr::memchr(b'\n', text.get(blank..).unwrap_or_default());
            if let Some(end) = line_end {
                text = text.get(..blank + end + 1).unwrap_or_default();
            }
            let line = text.get(blank..).unwrap_or_default();
            if line.len() > MAX_LINE_BYTES {
                return Err(format!(
                    "line {}: {}",
                    self.line + blank,
                    too_long_message()
                ));
            }
            // The reader takes a byte-order mark before the header for the
            // file's own, and so does this check.
            let line = line.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(line);
            if let Some(problem) = quote_problem(line, self.delimiter) {
                let why = match problem.kind {
                    QuoteKind::Unclosed => "opens a quotation mark it never closes",
                    QuoteKind::ClosedMidValue => {
                        "has a quotation mark that closes a name before it ends"
                    }
                };
                return Err(format!(
                    "line {}: the header {why} (column {}): fix the quotes, or read a file whose values run over several lines with --multiline",
                    self.line + blank,
                    problem.column + 1
                ));
            }
        }
        let (end, _) = next_record(&mut reader, text, &mut RecordBuf::default(), |r| {
            header = r
                .cells()
                .map(|c| {
                    String::from_utf8_lossy(c)
                        .trim_start_matches('\u{FEFF}')
                        .to_string()
                })
                .collect();
        });
        self.line += count_lines(text.get(..end).unwrap_or_default());
        self.start = end;
        Ok((header, self))
    }

    /// Each row of the block in order, read into `row`, whose buffers are
    /// reused from row to row, or why it cannot be used: a row whose values
    /// do not fit the header's columns. Blank rows carry no employee and are
    /// passed over.
    pub(crate) fn rows(&self, row: &mut RawRow, mut each: impl FnMut(Result<&RawRow, RowError>)) {
        let text = self.text.get(self.start..self.end).unwrap_or_default();

        // The usual block: no quotes, UTF-8 throughout. Its records are its
        // lines, and its cells what lies between separators, as the csv
        // reader would read them; each row is copied out of it once.
        let plain = self.delimiter.is_ascii()
            && !matches!(self.delimiter, b'"' | b'\n' | b'\r')
            && memchr::memchr(b'"', text).is_none();
        if let (true, Ok(text)) = (plain, simdutf8::basic::from_utf8(text)) {
            let mut start = 0;
            let ends = memchr::memchr_iter(b'\n', text.as_bytes());
            // The last line may have no line end.
            let ends = ends.chain((!text.ends_with('\n')).then_some(text.len()));
            for (number, end) in (self.line..).zip(ends) {
                // Between line ends, which are characters of their own.
                let line = text.get(start..end).unwrap_or_default();
                start = end + 1;
                if line.len() > MAX_LINE_BYTES {
                    each(Err(too_long(number, false)));
                } else if !line.is_empty() {
                    row.fill_split(number, line, self.delimiter);
                    self.hand_on(row, &mut each);
                }
            }
            return;
        }
        // Anything else is read by the csv reader's own state machine.
        let mut reader = mid_file_reader(self.delimiter);
        let mut buf = RecordBuf::default();
        if !self.multiline {
            // A line at a time: a quote left open ends with its line, so
            // it never takes the lines after it.
            let mut start = 0;
            let ends = memchr::memchr_iter(b'\n', text);
            let ends = ends.chain((!text.ends_with(b"\n")).then_some(text.len()));
            for (number, end) in (self.line..).zip(ends) {
                let line = text.get(start..end).unwrap_or_default();
                // With its line end, where it has one: the record ends there.
                let record = text
                    .get(start..(end + 1).min(text.len()))
                    .unwrap_or_default();
                start = end + 1;
                if line.is_empty() {
                    continue;
                }
                if line.len() > MAX_LINE_BYTES {
                    each(Err(too_long(number, false)));
                    continue;
                }
                if let Some(problem) = quote_problem(line, self.delimiter) {
                    each(Err(self.quote_error(number, line, problem)));
                    continue;
                }
                let (_, found) = next_record(&mut reader, record, &mut buf, |record| {
                    row.fill_record(number, record.bytes(), record.ends());
                });
                if found {
                    self.hand_on(row, &mut each);
                }
            }
            return;
        }
        let (mut at, mut line) = (0, self.line);
        loop {
            // The record's line is that of its first byte: blank lines
            // before it are passed over with it.
            let rest = text.get(at..).unwrap_or_default();
            let blank = rest.iter().take_while(|&&b| b == b'\n').count();
            let (end, found) = next_record(&mut reader, rest, &mut buf, |record| {
                row.fill_record(line + blank, record.bytes(), record.ends());
            });
            if !found {
                return;
            }
            let record = rest.get(blank..end).unwrap_or_default();
            if record.len() > MAX_LINE_BYTES {
                each(Err(too_long(line + blank, true)));
            } else {
                match quote_problem(record, self.delimiter) {
                    Some(problem) => each(Err(self.quote_error(line + blank, record, problem))),
                    None => self.hand_on(row, &mut each),
                }
            }
            line += count_lines(rest.get(..end).unwrap_or_default());
            at += end;
        }
    }
}

impl Block {
    /// Hands a row read to `each`, or why it cannot be used: its values do
    /// not fit the header's columns. A row of only separators carries no
    /// employee: it is noted, not handed on.
    #[inline]
    fn hand_on<'r>(&self, row: &'r RawRow, each: &mut impl FnMut(Result<&'r RawRow, RowError>)) {
        if row.cells().all(|c| c == CellRef::Empty) {
            // A blank line is no row at all (never read as one); a line of
            // separators or spaces is noted.
            self.empty.note(row.number);
            return;
        }
        each(fit(row, self.fields).map(|()| row));
    }

    /// The failure of a row whose quotes do not follow CSV's rules: it names
    /// the column and the value as written.
    fn quote_error(&self, number: usize, record: &[u8], problem: QuoteProblem) -> RowError {
        let column = self
            .header
            .get(problem.column)
            .cloned()
            .unwrap_or_else(|| format!("column {}", problem.column + 1));
        let written =
            String::from_utf8_lossy(record.get(problem.value.clone()).unwrap_or_default());
        let written = written.trim_end_matches('\n');
        // The value as far as its first separator or line end: what the
        // writer most likely meant to quote.
        let first = written
            .split(['\n', char::from(self.delimiter)])
            .next()
            .unwrap_or_default();
        let mut message = match problem.kind {
            QuoteKind::Unclosed if self.multiline => {
                "the quotation mark that opens this value is never closed, so every line after it was read into it: close the quote or remove it".to_string()
            }
            QuoteKind::Unclosed => format!(
                "the quotation mark that opens this value is not closed on its line: close it where the value ends (`{first}\"`), or remove it (a value written over several lines needs --multiline)"
            ),
            QuoteKind::ClosedMidValue if written.contains('\n') => {
                "a quotation mark closes this value before it ends: remove the quotes, or double each quote inside the value".to_string()
            }
            QuoteKind::ClosedMidValue => format!(
                "a quotation mark closes this value before it ends: remove the quotes, or quote the whole value with each quote in it doubled (`\"{}\"`)",
                written.replace('"', "\"\"")
            ),
        };
        // With --multiline, the lines the value took.
        let lines = count_lines(record.strip_suffix(b"\n").unwrap_or(record));
        if lines > 0 {
            message.push_str(&format!(
                "; lines {number}–{} were read as this one row",
                number + lines
            ));
        }
        // The value shown is its first line.
        let mut value = written.lines().next().unwrap_or_default().to_string();
        if written.contains('\n') {
            value.push('…');
        }
        RowError {
            row: number,
            row_word: "line",
            id: None,
            problem: RowProblem::Cells(vec![CellProblem {
                column,
                value,
                message,
                rule: String::new(),
            }]),
        }
    }
}

/// The failure of line `row`, longer than [`MAX_LINE_BYTES`].
fn too_long(row: usize, multiline: bool) -> RowError {
    let mut message = too_long_message();
    if multiline {
        message
            .push_str(" (with --multiline, a quote left open makes the rest of the file one line)");
    }
    RowError {
        row,
        row_word: "line",
        id: None,
        problem: RowProblem::Unreadable(message),
    }
}

fn too_long_message() -> String {
    let limit = MAX_LINE_BYTES / (1024 * 1024);
    format!(
        "the line is longer than {limit} MiB, the most a line of data may be: is this a CSV file of one row per employee?"
    )
}

/// A value whose quotes break CSV's rules (RFC 4180), which csv readers
/// read on as best they can, and so differently: the value's column, where
/// it lies in the record, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
struct QuoteProblem {
    column: usize,
    value: std::ops::Range<usize>,
    kind: QuoteKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteKind {
    /// `"王芳,800000,…`: the quote opened is never closed.
    Unclosed,
    /// `"abc"def`: the value goes on after its closing quote.
    ClosedMidValue,
}

/// The first value of `record` (one record's text, its line end perhaps
/// after it) whose quotes break CSV's rules, if any. A quote inside a value
/// that does not start with one (`5" screen`) is text, as every CSV reader
/// and Excel read it.
fn quote_problem(record: &[u8], delimiter: u8) -> Option<QuoteProblem> {
    let mut column = 0;
    let mut at = 0;
    loop {
        let start = at;
        if record.get(at) == Some(&b'"') {
            at += 1;
            // To the closing quote: a doubled quote is a quote in the text.
            loop {
                let Some(quote) = memchr::memchr(b'"', record.get(at..).unwrap_or_default()) else {
                    return Some(QuoteProblem {
                        column,
                        value: start..record.len(),
                        kind: QuoteKind::Unclosed,
                    });
                };
                at += quote + 1;
                if record.get(at) == Some(&b'"') {
                    at += 1;
                } else {
                    break;
                }
            }
            match record.get(at) {
                None | Some(b'\n') => return None,
                Some(&b) if b == delimiter => {}
                Some(_) => {
                    let end =
                        memchr::memchr2(delimiter, b'\n', record.get(at..).unwrap_or_default())
                            .map_or(record.len(), |i| at + i);
                    return Some(QuoteProblem {
                        column,
                        value: start..end,
                        kind: QuoteKind::ClosedMidValue,
                    });
                }
            }
        }
        match memchr::memchr(delimiter, record.get(at..).unwrap_or_default()) {
            Some(i) => at += i + 1,
            None => return None,
        }
        column += 1;
    }
}

/// The rows of a CSV file, a block at a time, for [`DataSource`]'s
/// iterator; the batch pipeline takes the blocks themselves.
pub(super) fn rows_of(block: &Block) -> Vec<Result<RawRow, RowError>> {
    let mut rows = Vec::new();
    let mut row = RawRow::new(0, Vec::new());
    block.rows(&mut row, |r| rows.push(r.cloned()));
    rows
}

/// The record buffers of a csv_core reader, grown as records need.
#[derive(Default)]
struct RecordBuf {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    used: (usize, usize),
}

impl RecordBuf {
    fn bytes(&self) -> &[u8] {
        self.bytes.get(..self.used.0).unwrap_or_default()
    }

    fn ends(&self) -> &[usize] {
        self.ends.get(..self.used.1).unwrap_or_default()
    }

    fn cells(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.ends().iter().map(move |&end| {
            let cell = self.bytes().get(start..end).unwrap_or_default();
            start = end;
            cell
        })
    }
}

/// Reads the next record of `text` (whole records, the last perhaps
/// without its line end) into `buf` and hands it to `each`: how many bytes
/// it took, and whether there was a record.
fn next_record(
    reader: &mut csv_core::Reader,
    text: &[u8],
    buf: &mut RecordBuf,
    each: impl FnOnce(&RecordBuf),
) -> (usize, bool) {
    use csv_core::ReadRecordResult as R;
    buf.used = (0, 0);
    let mut at = 0;
    loop {
        if buf.bytes.len() <= buf.used.0 {
            buf.bytes.resize((buf.bytes.len() * 2).max(256), 0);
        }
        if buf.ends.len() <= buf.used.1 {
            buf.ends.resize((buf.ends.len() * 2).max(32), 0);
        }
        let input = text.get(at..).unwrap_or_default();
        let (result, read, written, ended) = reader.read_record(
            input,
            buf.bytes.get_mut(buf.used.0..).unwrap_or_default(),
            buf.ends.get_mut(buf.used.1..).unwrap_or_default(),
        );
        at += read;
        // The reader counts cell ends from the record's start.
        buf.used.0 += written;
        buf.used.1 += ended;
        match result {
            R::Record => {
                each(buf);
                return (at, true);
            }
            // Past the end of the text, an empty input asks for what is
            // left: a last record without its line end, or nothing.
            R::InputEmpty | R::End if input.is_empty() => return (at, false),
            R::InputEmpty | R::OutputFull | R::OutputEndsFull => {}
            R::End => return (at, false),
        }
    }
}

/// A csv_core reader for text that does not start the file: one that has
/// read nothing yet would take a byte-order mark at the start of its input
/// for the file's own and drop it. A blank line read first (and passed
/// over, as every blank line is) tells it the file has started.
fn mid_file_reader(delimiter: u8) -> csv_core::Reader {
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let _ = reader.read_record(b"\n", &mut [0; 1], &mut [0; 1]);
    reader
}

/// How many line ends `text` holds.
fn count_lines(text: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', text).count()
}

/// Reads a CSV file's text a block of whole records at a time. It only
/// looks for where the last whole record of a block ends: at the last line
/// end, unless the file has quotes, where a line end may lie inside a
/// quoted value, and csv_core's state machine follows the quotes.
struct Blocks {
    input: CrLf<Box<dyn Read + Send>>,
    /// How many bytes to read for a block ([`BLOCK`]).
    block: usize,
    /// A quoted value may hold line ends: records are found by following
    /// the quotes. Otherwise a record ends at its line's end.
    multiline: bool,
    header: Arc<[String]>,
    empty: Arc<EmptyRows>,
    /// Buffers of blocks already read, to read the next ones into.
    spares: Arc<Spares<Vec<u8>>>,
    /// Text read past the last block's end: the start of a record.
    carry: Vec<u8>,
    /// How much of the text being read into a block is known to hold no
    /// quote (and, before any quote, no line end).
    searched: usize,
    /// No block has been handed out: the text read starts the file.
    at_start: bool,
    /// The line number at the start of `carry`.
    line: usize,
    /// Once a quote is seen: a reader that has followed the text up to the
    /// end of `carry`, and how much of `carry` that is.
    scanner: Option<(csv_core::Reader, usize)>,
    delimiter: u8,
    fields: usize,
    /// The whole file has been read (or could not be read on).
    ended: bool,
    /// Why the file could not be read on, reported after the records
    /// before it.
    failure: Option<String>,
}

impl Iterator for Blocks {
    type Item = Result<Block, RowError>;

    fn next(&mut self) -> Option<Result<Block, RowError>> {
        // A spare buffer keeps its length: its bytes were written once
        // already and need not be cleared again before they are read over.
        let mut text = self.spares.take();
        let mut filled = self.carry.len();
        grow(&mut text, filled + self.block);
        if let Some(start) = text.get_mut(..filled) {
            start.copy_from_slice(&self.carry);
        }
        self.carry.clear();
        loop {
            if !self.ended {
                let want = filled + self.block;
                grow(&mut text, want);
                match fill(&mut self.input, &mut text, filled, want) {
                    Ok(read) => {
                        filled = read;
                        self.ended = filled < want;
                    }
                    Err((read, e)) => {
                        filled = read;
                        self.ended = true;
                        self.failure = Some(e.to_string());
                    }
                }
            }
            let read = text.get(..filled).unwrap_or_default();
            let end = if self.ended && self.failure.is_none() {
                filled
            } else {
                self.records_end(read)
            };
            if end > 0 {
                self.carry
                    .extend_from_slice(read.get(end..).unwrap_or_default());
                let line = self.line;
                self.line += count_lines(read.get(..end).unwrap_or_default());
                self.searched = self.searched.saturating_sub(end);
                self.at_start = false;
                if let Some((_, scanned)) = &mut self.scanner {
                    *scanned = scanned.saturating_sub(end);
                }
                return Some(Ok(Block {
                    text,
                    spares: self.spares.clone(),
                    start: 0,
                    end,
                    line,
                    delimiter: self.delimiter,
                    fields: self.fields,
                    header: self.header.clone(),
                    multiline: self.multiline,
                    empty: self.empty.clone(),
                }));
            }
            if filled > MAX_LINE_BYTES {
                // No record ends in more than a line may hold: refuse it now,
                // rather than read on into memory.
                let failure = self.too_long(read);
                self.spares.give(text);
                return Some(Err(failure));
            }
            if self.ended {
                // The text left cannot be read: the records before it have
                // been handed out; say where, and stop.
                let failure = self.failure.take()?;
                let blank = read.iter().take_while(|&&b| b == b'\n').count();
                return Some(Err(RowError {
                    row: self.line + blank,
                    row_word: "line",
                    id: None,
                    problem: RowProblem::Unreadable(failure),
                }));
            }
        }
    }
}

impl Blocks {
    /// The failure of a line longer than [`MAX_LINE_BYTES`], `read` its
    /// start: the line is passed over to its end, and reading goes on after
    /// it (a record over several lines, with `--multiline`, ends the file).
    fn too_long(&mut self, read: &[u8]) -> RowError {
        let blank = read.iter().take_while(|&&b| b == b'\n').count();
        let row = self.line + blank;
        if self.multiline {
            self.ended = true;
        } else {
            self.skip_line();
            self.line = row + 1;
        }
        self.at_start = false;
        self.searched = 0;
        too_long(row, self.multiline)
    }

    /// Reads past the next line end, keeping what follows it in `carry`.
    fn skip_line(&mut self) {
        let mut chunk = vec![0; 64 * 1024];
        loop {
            match self.input.read(&mut chunk) {
                Ok(0) => {
                    self.ended = true;
                    return;
                }
                Ok(n) => {
                    let read = chunk.get(..n).unwrap_or_default();
                    if let Some(i) = memchr::memchr(b'\n', read) {
                        self.carry
                            .extend_from_slice(read.get(i + 1..).unwrap_or_default());
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.ended = true;
                    self.failure = Some(e.to_string());
                    return;
                }
            }
        }
    }

    /// Where the last whole record of `text` ends (0 if none does).
    fn records_end(&mut self, text: &[u8]) -> usize {
        if !self.multiline {
            // Every record is a line: quotes do not matter here.
            let from = self.searched.min(text.len());
            self.searched = text.len();
            let unsearched = text.get(from..).unwrap_or_default();
            return memchr::memrchr(b'\n', unsearched).map_or(0, |i| from + i + 1);
        }
        if self.scanner.is_none() {
            // What was searched already holds no quote, and no line end
            // either (it is the text after a block's last one, or text
            // with none): a line longer than a block is searched once.
            let from = self.searched.min(text.len());
            let unsearched = text.get(from..).unwrap_or_default();
            if memchr::memchr(b'"', unsearched).is_none() {
                self.searched = text.len();
                return memchr::memrchr(b'\n', unsearched).map_or(0, |i| from + i + 1);
            }
            let reader = if self.at_start {
                // The file's start, where a byte-order mark is the file's.
                csv_core::ReaderBuilder::new()
                    .delimiter(self.delimiter)
                    .build()
            } else {
                mid_file_reader(self.delimiter)
            };
            self.scanner = Some((reader, 0));
        }
        let Some((reader, scanned)) = &mut self.scanner else {
            return 0;
        };
        let mut buf = RecordBuf::default();
        let mut end = 0;
        let mut at = *scanned;
        // Records are read, not kept: only where each ends matters.
        loop {
            let rest = text.get(at..).unwrap_or_default();
            if rest.is_empty() {
                break;
            }
            let (read, found) = scan_record(reader, rest, &mut buf);
            at += read;
            if !found {
                break;
            }
            end = at;
        }
        *scanned = at;
        end
    }
}

/// Follows `text` to the end of its next record, keeping nothing of it:
/// how many bytes that took, and whether the record ended within `text`
/// (otherwise all of it was taken, and the reader waits inside the record).
fn scan_record(
    reader: &mut csv_core::Reader,
    text: &[u8],
    scratch: &mut RecordBuf,
) -> (usize, bool) {
    use csv_core::ReadRecordResult as R;
    if scratch.bytes.is_empty() {
        scratch.bytes.resize(4096, 0);
        scratch.ends.resize(64, 0);
    }
    let mut at = 0;
    loop {
        // An empty input would tell the reader the file has ended.
        let input = text.get(at..).unwrap_or_default();
        if input.is_empty() {
            return (at, false);
        }
        let (result, read, _, _) = reader.read_record(input, &mut scratch.bytes, &mut scratch.ends);
        at += read;
        match result {
            R::Record => return (at, true),
            R::InputEmpty | R::End => return (at, false),
            // What the record holds is not kept: the scratch is reused.
            R::OutputFull | R::OutputEndsFull => {}
        }
    }
}

/// `text` at least `len` bytes long (the new bytes zero; a buffer is only
/// ever lengthened, so that its bytes are cleared once).
fn grow(text: &mut Vec<u8>, len: usize) {
    if text.len() < len {
        text.resize(len, 0);
    }
}

/// Reads from `input` into `text` after its first `filled` bytes until
/// `want` bytes are filled or the input ends: how many are filled then, or
/// with the error that stopped the reading.
fn fill(
    input: &mut impl Read,
    text: &mut [u8],
    mut filled: usize,
    want: usize,
) -> Result<usize, (usize, std::io::Error)> {
    loop {
        let Some(free) = text.get_mut(filled..want).filter(|f| !f.is_empty()) else {
            return Ok(filled);
        };
        match input.read(free) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err((filled, e)),
        }
    }
}
/// Whether a row has one value per column, and why not: a row that does
/// not would put values in the wrong columns.
fn fit(row: &RawRow, fields: usize) -> Result<(), RowError> {
    let number = row.number;
    // Not `cells().skip(..)`, which would read each skipped cell.
    let extra_empty = (fields..row.len()).all(|i| row.cell_or_empty(i) == CellRef::Empty);
    if row.len() >= fields && extra_empty {
        return Ok(());
    }
    // A quote never closed swallows the lines after it into one value: say
    // which lines, so none is lost unseen.
    let swallowed: usize = row
        .cells()
        .map(|c| c.shown().trim_end_matches('\n').matches('\n').count())
        .sum();
    let why = if swallowed > 0 {
        format!(
            "a quotation mark in it is never closed, so lines {number}–{} were read as this one row; close the quote or remove it",
            number + swallowed
        )
    } else if row.len() < fields {
        "a value is missing, or the line was cut".to_string()
    } else {
        "a value with a comma in it (such as 1,200) needs quotes: \"1,200\"".to_string()
    };
    Err(RowError {
        row: number,
        row_word: "line",
        id: None,
        problem: RowProblem::Unreadable(format!(
            "it has {} where the header has {fields} columns: {why}",
            match row.len() {
                1 => "1 value".to_string(),
                n => format!("{n} values"),
            }
        )),
    })
}

/// Turns `\r\n` and a lone `\r` into `\n`, so that line numbers count
/// lines as an editor does whatever the file's line endings, and a line
/// end is one byte wherever the text is split.
struct CrLf<R> {
    inner: R,
    /// A `\r` ended the last chunk: a `\n` starting the next one is its pair.
    after_cr: bool,
}

impl<R: Read> CrLf<R> {
    fn new(inner: R) -> Self {
        CrLf {
            inner,
            after_cr: false,
        }
    }
}

impl<R: Read> Read for CrLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let chunk = buf.get(..n).unwrap_or_default();
            // The usual chunk has no `\r` to fold: its bytes stay as they are.
            if !self.after_cr && memchr::memchr(b'\r', chunk).is_none() {
                return Ok(n);
            }
            let mut kept = 0;
            for i in 0..n {
                let byte = buf.get(i).copied().unwrap_or(b'\n');
                let was_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
                let out = match byte {
                    b'\n' if was_cr => continue,
                    b'\r' => b'\n',
                    other => other,
                };
                if let Some(slot) = buf.get_mut(kept) {
                    *slot = out;
                }
                kept += 1;
            }
            // Only a dropped `\n` can empty a chunk; read on rather than
            // return 0, which would mean the end of the file.
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// A byte-order mark decides (UTF-8, UTF-16). Otherwise the sample's bytes
/// are weighed: text that is UTF-8 but for a few bytes (a name pasted from
/// another file) is UTF-8, whose bad bytes then fail their rows; text with
/// more bytes that are not UTF-8 than characters that are (beyond ASCII)
/// is GB18030, which reads GBK and GB2312 too, as Chinese-locale Excel
/// writes CSV. A character cut at the sample's end is not counted.
fn detect_encoding(sample: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(sample) {
        return encoding;
    }
    let (mut wide, mut bad) = (0usize, 0usize);
    let mut rest = sample;
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                wide += wide_characters(text);
                break;
            }
            Err(e) => {
                let (good, after) = rest.split_at(e.valid_up_to());
                // Valid up to there: the check above said so.
                wide += std::str::from_utf8(good).map_or(0, wide_characters);
                let Some(len) = e.error_len() else {
                    break;
                };
                bad += 1;
                rest = after.get(len..).unwrap_or_default();
            }
        }
    }
    // GBK text read as UTF-8 is nearly all bad bytes, and a GBK pair makes
    // a three-byte UTF-8 character (CJK) only by chance: one bad byte in
    // four characters is far from it.
    if bad == 0 || bad * 4 <= wide {
        encoding_rs::UTF_8
    } else {
        encoding_rs::GB18030
    }
}

/// How many characters of `text` take three or four bytes in UTF-8 (CJK
/// among them).
fn wide_characters(text: &str) -> usize {
    text.bytes().filter(|&b| b >= 0xE0).count()
}

/// The separator the header line uses most: comma, tab or semicolon.
fn detect_delimiter(header: &str) -> u8 {
    let count = |c: char| header.matches(c).count();
    let (tabs, semicolons, commas) = (count('\t'), count(';'), count(','));
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_and_separators_are_detected() {
        assert_eq!(
            detect_encoding("工号,成交额".as_bytes()),
            encoding_rs::UTF_8
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("工号,成交额");
        assert_eq!(detect_encoding(&gbk), encoding_rs::GB18030);
        assert_eq!(detect_encoding(b"\xFF\xFEa\x00"), encoding_rs::UTF_16LE);
        // A multi-byte character cut by the end of the sample is still UTF-8.
        let cut = &"工号".as_bytes()[..4];
        assert_eq!(detect_encoding(cut), encoding_rs::UTF_8);
        assert_eq!(detect_delimiter("a,b,c"), b',');
        assert_eq!(detect_delimiter("a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter("a;b;c"), b';');
    }

    #[test]
    fn line_endings_become_newlines() {
        let mut out = String::new();
        CrLf::new("a\r\nb\rc\nd\r\n".as_bytes())
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "a\nb\nc\nd\n");
        // A \r\n split across reads is still one newline.
        struct Split(Vec<&'static [u8]>);
        impl Read for Split {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match self.0.first().copied() {
                    Some(chunk) => {
                        buf[..chunk.len()].copy_from_slice(chunk);
                        self.0.remove(0);
                        Ok(chunk.len())
                    }
                    None => Ok(0),
                }
            }
        }
        let mut out = String::new();
        CrLf::new(Split(vec![b"a\r", b"\nb"]))
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "a\nb");
    }

    /// A file's header and rows, a refused row as its message.
    type Rows = (Vec<String>, Vec<Result<RawRow, String>>);

    /// The header and rows of `text` as the csv crate reads them, which
    /// is how kpi read CSV before it read blocks: the reference the block
    /// reader is checked against. Lines are counted as an editor counts
    /// them, a record on the line of its first byte.
    fn read_by_csv_crate(text: &[u8], delimiter: u8) -> Rows {
        let mut normalized = Vec::new();
        CrLf::new(text).read_to_end(&mut normalized).unwrap();
        let mut ends = Vec::new();
        {
            let mut reader = ::csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .from_reader(normalized.as_slice());
            let mut record = ::csv::ByteRecord::new();
            let _ = reader.byte_headers();
            while reader.read_byte_record(&mut record).unwrap() {
                ends.push(record.position().unwrap().byte() as usize);
            }
            ends.push(normalized.len());
        }
        let mut next_start = ends.into_iter().skip(1);
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(normalized.as_slice());
        let headers: Vec<String> = reader
            .byte_headers()
            .unwrap()
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{FEFF}')
                    .to_string()
            })
            .collect();
        let mut rows = Vec::new();
        let mut record = ::csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record.position().unwrap().byte() as usize;
            let blank = normalized[start..]
                .iter()
                .take_while(|&&b| b == b'\n')
                .count();
            let number = 1 + count_lines(&normalized[..start + blank]);
            let ends: Vec<usize> = record
                .iter()
                .scan(0, |end, cell| {
                    *end += cell.len();
                    Some(*end)
                })
                .collect();
            let mut row = RawRow::default();
            row.fill_record(number, record.as_slice(), &ends);
            // A record whose quotes break the rules fails, whatever it holds.
            let raw = &normalized[start + blank..next_start.next().unwrap()];
            if quote_problem(raw, delimiter).is_some() {
                rows.push(Err(format!("line {number}: quotes")));
                continue;
            }
            if row.cells().all(|c| c == CellRef::Empty) {
                continue;
            }
            rows.push(
                fit(&row, headers.len())
                    .map(|()| row)
                    .map_err(|e| e.to_string()),
            );
        }
        (headers, rows)
    }

    /// The header and rows of `text` as kpi reads them each line on its
    /// own (the default): every line read by the csv crate alone, after a
    /// blank line so that a byte-order mark starting it is text, as it is
    /// anywhere but the file's start.
    fn read_lines_by_csv_crate(text: &[u8], delimiter: u8) -> Result<Rows, String> {
        let mut normalized = Vec::new();
        CrLf::new(text).read_to_end(&mut normalized).unwrap();
        let mut lines = normalized
            .split(|&b| b == b'\n')
            .enumerate()
            .filter(|(_, line)| !line.is_empty());
        let parse = |line: &[u8], first: bool| {
            let text = if first {
                line.to_vec()
            } else {
                [b"\n".as_slice(), line].concat()
            };
            let mut reader = ::csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_slice());
            let mut record = ::csv::ByteRecord::new();
            assert!(reader.read_byte_record(&mut record).unwrap());
            record
        };
        let Some((_, header)) = lines.next() else {
            return Err("no header".to_string());
        };
        let unmarked = header.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(header);
        if quote_problem(unmarked, delimiter).is_some() {
            return Err("the header's quotes".to_string());
        }
        let headers: Vec<String> = parse(header, true)
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{FEFF}')
                    .to_string()
            })
            .collect();
        let mut rows = Vec::new();
        for (i, line) in lines {
            let number = i + 1;
            if quote_problem(line, delimiter).is_some() {
                rows.push(Err(format!("line {number}: quotes")));
                continue;
            }
            let record = parse(line, false);
            let ends: Vec<usize> = record
                .iter()
                .scan(0, |end, cell| {
                    *end += cell.len();
                    Some(*end)
                })
                .collect();
            let mut row = RawRow::default();
            row.fill_record(number, record.as_slice(), &ends);
            if row.cells().all(|c| c == CellRef::Empty) {
                continue;
            }
            rows.push(
                fit(&row, headers.len())
                    .map(|()| row)
                    .map_err(|e| e.to_string()),
            );
        }
        Ok((headers, rows))
    }

    /// The header and rows of `text` as kpi reads them, in blocks of about
    /// `block` bytes; a refusal for its quotes as `line N: quotes`.
    fn read_by_blocks(
        text: &[u8],
        delimiter: u8,
        block: usize,
        multiline: bool,
    ) -> Result<Rows, String> {
        let options = ReadOptions {
            encoding: Some("utf-8".to_string()),
            delimiter: Some(delimiter),
            multiline,
            ..ReadOptions::default()
        };
        let source = read_blocks(Cursor::new(text.to_vec()), None, &options, block)?;
        let headers = source.headers.clone();
        Ok((
            headers,
            source
                .map(|r| {
                    r.map_err(|e| match &e.problem {
                        RowProblem::Cells(cells)
                            if cells.iter().any(|c| c.message.contains("quotation mark")) =>
                        {
                            format!("line {}: quotes", e.row)
                        }
                        _ => e.to_string(),
                    })
                })
                .collect(),
        ))
    }

    /// Random CSV text, quotes, blank lines, every kind of line end, byte-
    /// order marks, Chinese text and bytes that are not UTF-8 among it,
    /// read in blocks of every size from one byte up: the same header and
    /// rows (lines, cells, refusals) as the csv crate reading it whole.
    #[test]
    fn blocks_read_as_the_csv_crate_reads_the_whole_file() {
        let pieces: [&[u8]; 20] = [
            b"a",
            b"E1",
            "\u{5F20}\u{4E09}".as_bytes(),
            b",",
            b",",
            b",",
            b";",
            b"\"",
            b"\"\"",
            b"\n",
            b"\n",
            b"\n",
            b"\r\n",
            b"\r",
            b" ",
            "\u{FEFF}".as_bytes(),
            "\u{3000}".as_bytes(),
            b"\xFF",
            b"12.5",
            b"\t",
        ];
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut quoted, mut plain) = (0, 0);
        for case in 0..3_000 {
            // A quoted header whose first name holds a line end: read
            // wrongly if a byte-order mark before it were taken for text.
            let header: &[u8] = if case % 3 == 1 {
                b"\"i\nd\",name,value\n"
            } else {
                b"id,name,value\n"
            };
            let mut text = header.to_vec();
            if case % 7 == 0 {
                text.splice(0..0, "\u{FEFF}".bytes());
            }
            let length = next() % 120;
            for _ in 0..length {
                // Mostly cells and separators; quotes in one case in four.
                let piece = pieces[(next() % pieces.len() as u64) as usize];
                if piece.contains(&b'"') && case % 4 != 0 {
                    continue;
                }
                text.extend_from_slice(piece);
            }
            if text.contains(&b'"') {
                quoted += 1;
            } else {
                plain += 1;
            }
            let delimiter = if case % 5 == 0 { b';' } else { b',' };
            let expected = read_by_csv_crate(&text, delimiter);
            let by_lines = read_lines_by_csv_crate(&text, delimiter);
            for block in [1, 2, 3, 7, 16, 61, BLOCK] {
                let got = read_by_blocks(&text, delimiter, block, true).unwrap();
                assert_eq!(
                    got,
                    expected,
                    "case {case}, --multiline, blocks of {block}: {:?}",
                    String::from_utf8_lossy(&text)
                );
                let got = read_by_blocks(&text, delimiter, block, false);
                match (&got, &by_lines) {
                    (Ok(got), Ok(by_lines)) => assert_eq!(
                        got,
                        by_lines,
                        "case {case}, lines, blocks of {block}: {:?}",
                        String::from_utf8_lossy(&text)
                    ),
                    // A header whose quotes break the rules refuses the file.
                    (Err(_), Err(_)) => {}
                    _ => panic!(
                        "case {case}, lines, blocks of {block}: {got:?} / {by_lines:?}: {:?}",
                        String::from_utf8_lossy(&text)
                    ),
                }
            }
        }
        // Both ways of splitting a block into rows were taken.
        assert!(
            quoted > 300 && plain > 1_000,
            "{quoted} quoted, {plain} plain"
        );
    }

    /// A file that cannot be read on (a disk error, a cut connection): the
    /// rows before are read, then one failure says from which line, and
    /// reading stops.
    #[test]
    fn a_read_error_keeps_the_rows_before_it_and_names_its_line() {
        struct Failing(Cursor<Vec<u8>>);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match self.0.read(buf)? {
                    0 => Err(std::io::Error::other("the disk is gone")),
                    n => Ok(n),
                }
            }
        }
        // Past the sample read to detect the encoding, which would fail
        // the file as a whole.
        let mut text = b"id,v\n".to_vec();
        let mut lines = 1;
        while text.len() < SAMPLE + 1_000 {
            lines += 1;
            text.extend_from_slice(format!("E{lines},{lines}\n").as_bytes());
            if lines % 100 == 0 {
                lines += 1;
                text.push(b'\n');
            }
        }
        text.extend_from_slice(b"\nE-last,");
        for block in [1, 4, 5_000, BLOCK] {
            let failing = Failing(Cursor::new(text.clone()));
            let source = read_blocks(failing, None, &ReadOptions::default(), block).unwrap();
            let rows: Vec<_> = source.collect();
            let (last, read) = rows.split_last().unwrap();
            assert_eq!(
                read.len(),
                lines - 1 - (lines - 1) / 100,
                "blocks of {block}"
            );
            for row in read {
                let row = row.as_ref().unwrap();
                assert_eq!(
                    row.cell(0),
                    Some(CellRef::Text(&format!("E{}", row.number)))
                );
            }
            let Err(e) = last else { unreachable!() };
            // The blank line before the cut row is passed over.
            assert_eq!(e.row, lines + 2, "blocks of {block}");
            assert_eq!(
                e.problem,
                RowProblem::Unreadable("the disk is gone".to_string())
            );
        }
    }
}
