//! CSV files, streamed: UTF-8 with or without a byte-order mark, GBK/GB18030
//! as Chinese-locale Excel writes it, UTF-16 as Excel's "Unicode text" is;
//! comma, tab or semicolon separated. Encoding and separator are detected
//! from the start of the file unless given.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::{Cell, CellRef, DataSource, RawRow, ReadOptions, RowError, RowProblem};

/// How much of the file is looked at to detect its encoding and separator.
const SAMPLE: usize = 64 * 1024;

pub(super) fn open(path: &Path, options: &ReadOptions) -> Result<DataSource, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let bytes = file.metadata().map(|m| m.len()).ok();
    from_reader(file, bytes, options)
}

/// A CSV file's contents, from any reader; `bytes` is its size if known.
pub(super) fn from_reader<R: Read + Send + 'static>(
    mut file: R,
    bytes: Option<u64>,
    options: &ReadOptions,
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
    // UTF-8 is read as it is: each row's text is checked once, as it is
    // made (`row`). Other encodings are decoded to UTF-8 first.
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
    let decoded = CrLf::new(text);
    let lines = decoded.lines.clone();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(super::READ_BUFFER)
        .from_reader(decoded);
    let headers: Vec<String> = reader
        .byte_headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{FEFF}')
                .to_string()
        })
        .collect();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err("the file has no header row".to_string());
    }
    let mut failed = false;
    let fields = headers.len();
    let mut record = csv::ByteRecord::new();
    let rows = std::iter::from_fn(move || {
        loop {
            if failed {
                return None;
            }
            match reader.read_byte_record(&mut record) {
                Ok(false) => return None,
                Ok(true) => {
                    let number = record.position().map_or(0, |p| lines.line_at(p.byte()));
                    let row = row(number, &record);
                    // Blank lines carry no employee.
                    if row.cells().all(|c| c == CellRef::Empty) {
                        continue;
                    }
                    return Some(fit(row, fields));
                }
                // The file cannot be read on: report where, and stop.
                Err(e) => {
                    failed = true;
                    let number = e.position().map_or(0, |p| lines.line_at(p.byte()));
                    return Some(Err(RowError {
                        row: number,
                        row_word: "line",
                        id: None,
                        problem: RowProblem::Unreadable(e.to_string()),
                    }));
                }
            }
        }
    });
    Ok(DataSource {
        headers,
        row_word: "line",
        len: None,
        bytes,
        rows: Box::new(rows),
    })
}

/// A record as a row: its bytes copied once into one text, checked once.
/// Bytes that are not UTF-8 become U+FFFD, as decoding would make them.
fn row(number: usize, record: &csv::ByteRecord) -> RawRow {
    let mut ends = Vec::with_capacity(record.len());
    let mut end = 0usize;
    for cell in record {
        end += cell.len();
        ends.push(u32::try_from(end).unwrap_or(u32::MAX));
    }
    String::from_utf8(record.as_slice().to_vec())
        .ok()
        .and_then(|text| RawRow::from_text(number, text, ends))
        .unwrap_or_else(|| {
            let cell = |c: &[u8]| Cell::Text(String::from_utf8_lossy(c).as_ref().into());
            RawRow::new(number, record.iter().map(cell).collect())
        })
}

/// The row, or why it fails: a row that does not have one value per column
/// would put values in the wrong columns.
fn fit(row: RawRow, fields: usize) -> Result<RawRow, RowError> {
    let number = row.number;
    // Not `cells().skip(..)`, which would read each skipped cell.
    let extra_empty = (fields..row.len()).all(|i| row.cell_or_empty(i) == CellRef::Empty);
    if row.len() >= fields && extra_empty {
        return Ok(row);
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
            "it has {} values where the header has {fields} columns: {why}",
            row.len()
        )),
    })
}

/// Turns `\r\n` and a lone `\r` into `\n`, so that line numbers count
/// lines as an editor does whatever the file's line endings (the csv crate
/// does not count the `\n` of a `\r\n`).
struct CrLf<R> {
    inner: R,
    /// A `\r` ended the last chunk: a `\n` starting the next one is its pair.
    after_cr: bool,
    /// Bytes handed out so far.
    written: u64,
    /// Where the line ends handed out lie, for [`Lines::line_at`].
    lines: Lines,
}

impl<R: Read> CrLf<R> {
    fn new(inner: R) -> Self {
        CrLf {
            inner,
            after_cr: false,
            written: 0,
            lines: Lines::default(),
        }
    }
}

/// The line number of a byte offset in the text the csv reader reads. The
/// csv crate's own line count leaves out blank lines, so a row after one
/// would be reported a line too early. Offsets are asked for in order, so
/// line ends already passed are dropped: memory stays flat.
#[derive(Debug, Clone, Default)]
struct Lines(Arc<Mutex<LineEnds>>);

#[derive(Debug, Default)]
struct LineEnds {
    /// Offsets of `\n`s not yet passed.
    ahead: VecDeque<u64>,
    /// `\n`s before the last offset asked for.
    passed: usize,
}

impl Lines {
    /// Records line ends, all of a chunk under one lock.
    fn extend(&self, offsets: impl Iterator<Item = u64>) {
        if let Ok(mut ends) = self.0.lock() {
            ends.ahead.extend(offsets);
        }
    }

    /// The one-based line on which a record starting at `offset` lies.
    /// The csv crate starts a record at the blank lines before it: a line
    /// end right at the start is such a line, and is passed too.
    fn line_at(&self, offset: u64) -> usize {
        let Ok(mut ends) = self.0.lock() else {
            return 0;
        };
        let mut offset = offset;
        while let Some(end) = ends.ahead.front().copied() {
            if end > offset {
                break;
            }
            if end == offset {
                offset += 1;
            }
            ends.ahead.pop_front();
            ends.passed += 1;
        }
        ends.passed + 1
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
            // The usual chunk has no `\r` to fold: its line ends are found
            // at once, and the bytes stay where they are.
            if !self.after_cr && memchr::memchr(b'\r', chunk).is_none() {
                let written = self.written;
                self.lines
                    .extend(memchr::memchr_iter(b'\n', chunk).map(|i| written + i as u64));
                self.written += n as u64;
                return Ok(n);
            }
            let mut kept = 0;
            let mut ends = Vec::new();
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
                if out == b'\n' {
                    ends.push(self.written + kept as u64);
                }
                kept += 1;
            }
            // Only a dropped `\n` can empty a chunk; read on rather than
            // return 0, which would mean the end of the file.
            self.lines.extend(ends.into_iter());
            if kept > 0 {
                self.written += kept as u64;
                return Ok(kept);
            }
        }
    }
}

/// UTF-8 when the sample is UTF-8 (a character cut at its end is fine);
/// a byte-order mark decides for UTF-16; otherwise GB18030, which reads
/// GBK and GB2312 too, as Chinese-locale Excel writes CSV.
fn detect_encoding(sample: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(sample) {
        return encoding;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => encoding_rs::UTF_8,
        Err(e) if e.error_len().is_none() => encoding_rs::UTF_8,
        Err(_) => encoding_rs::GB18030,
    }
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
}
