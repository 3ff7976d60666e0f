//! CSV files, streamed: UTF-8 with or without a byte-order mark, GBK/GB18030
//! as Chinese-locale Excel writes it, UTF-16 as Excel's "Unicode text" is;
//! comma, tab or semicolon separated. Encoding and separator are detected
//! from the start of the file unless given.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::{Cell, DataSource, RawRow, ReadOptions, RowError, RowProblem};

/// How much of the file is looked at to detect its encoding and separator.
const SAMPLE: usize = 64 * 1024;

pub(super) fn open(path: &Path, options: &ReadOptions) -> Result<DataSource, String> {
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let bytes = file.metadata().map(|m| m.len()).ok();
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
    let decoded = DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_sniffing(true)
        .build(Cursor::new(sample).chain(file));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(decoded);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').to_string())
        .collect();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err("the file has no header row".to_string());
    }
    let mut failed = false;
    let rows = reader.into_records().filter_map(move |record| {
        if failed {
            return None;
        }
        match record {
            Ok(record) => {
                // Blank lines carry no employee.
                if record.iter().all(|c| c.trim().is_empty()) {
                    return None;
                }
                let number = record.position().map_or(0, |p| p.line() as usize);
                let cells = record
                    .iter()
                    .map(|c| {
                        if c.trim().is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(c.to_string())
                        }
                    })
                    .collect();
                Some(Ok(RawRow { number, cells }))
            }
            // The file cannot be read on: report where, and stop.
            Err(e) => {
                failed = true;
                let number = e.position().map_or(0, |p| p.line() as usize);
                Some(Err(RowError {
                    row: number,
                    row_word: "line",
                    id: None,
                    problem: RowProblem::Unreadable(e.to_string()),
                }))
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
}
