//! JSON: an array of objects (read whole), or JSON Lines, one object per
//! line (streamed). Numbers keep their exact text (serde_json's
//! `arbitrary_precision`), so 0.1 stays 0.1.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::{Map, Value as Json};

use super::{Cell, DataSource, MAX_LINE_BYTES, RawRow, RowError, RowProblem, shortened};

pub(super) fn open_array(path: &Path) -> Result<DataSource, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    array_from_slice(&bytes)
}

/// A JSON array of objects, from its bytes.
pub(super) fn array_from_slice(bytes: &[u8]) -> Result<DataSource, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let json: Json = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let Json::Array(items) = json else {
        return Err("expected a JSON array of objects, one per employee (or JSON Lines, one object per line, in a .jsonl file)".to_string());
    };
    // The header: every key, in the order first seen.
    let mut headers: Vec<String> = Vec::new();
    for item in &items {
        if let Json::Object(map) = item {
            for key in map.keys() {
                if !headers.contains(key) {
                    headers.push(key.clone());
                }
            }
        }
    }
    let len = items.len();
    let row_headers = headers.clone();
    let rows = items
        .into_iter()
        .enumerate()
        .map(move |(i, item)| match item {
            Json::Object(map) => Ok(RawRow::new(i + 1, cells(&row_headers, &map))),
            other => Err(RowError {
                row: i + 1,
                row_word: "record",
                id: None,
                problem: RowProblem::Unreadable(format!(
                    "not an object: {}",
                    shortened(&other.to_string())
                )),
            }),
        });
    Ok(DataSource::of_rows(
        headers,
        "record",
        Some(len),
        None,
        rows,
    ))
}

/// JSON Lines, streamed. The first record names the fields; a line that is
/// not a JSON object is a failed row, and the others are still read.
pub(super) fn open_lines(path: &Path) -> Result<DataSource, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let bytes = file.metadata().map(|m| m.len()).ok();
    lines_from_reader(file, bytes)
}

/// JSON Lines from any reader; `bytes` is its size if known.
pub(super) fn lines_from_reader<R: std::io::Read + Send + 'static>(
    file: R,
    bytes: Option<u64>,
) -> Result<DataSource, String> {
    let mut lines = bounded_lines(BufReader::new(file))
        .enumerate()
        .map(|(i, l)| (i + 1, l));
    // The first record, for the header.
    let mut first = None;
    for (number, line) in lines.by_ref() {
        let line = line.map_err(|e| e.to_string())?;
        let line = line.trim_start_matches('\u{FEFF}').trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Json>(line) {
            Ok(Json::Object(map)) => {
                first = Some((number, map));
                break;
            }
            _ => {
                return Err(format!(
                    "line {number} is not a JSON object; the first record names the fields"
                ));
            }
        }
    }
    let Some((first_number, first_map)) = first else {
        return Err("the file has no records".to_string());
    };
    let headers: Vec<String> = first_map.keys().cloned().collect();
    let row_headers = headers.clone();
    let first_row = RawRow::new(first_number, cells(&headers, &first_map));
    let rest = lines.filter_map(move |(number, line)| {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                return Some(Err(unreadable(number, e.to_string())));
            }
        };
        let line = line.trim();
        if line.is_empty() {
            return None;
        }
        Some(match serde_json::from_str::<Json>(line) {
            Ok(Json::Object(map)) => Ok(RawRow::new(number, cells(&row_headers, &map))),
            Ok(other) => Err(unreadable(
                number,
                format!("not an object: {}", shortened(&other.to_string())),
            )),
            Err(e) => Err(unreadable(
                number,
                format!("not valid JSON: {}", without_position(&e)),
            )),
        })
    });
    Ok(DataSource::of_rows(
        headers,
        "line",
        None,
        bytes,
        std::iter::once(Ok(first_row)).chain(rest),
    ))
}

/// The lines of `input`, each at most [`MAX_LINE_BYTES`] long: a longer
/// line is an error as soon as the limit is passed, and the rest of it is
/// read past without being kept, so that memory stays bounded.
fn bounded_lines(mut input: impl BufRead) -> impl Iterator<Item = std::io::Result<String>> {
    let mut ended = false;
    std::iter::from_fn(move || {
        if ended {
            return None;
        }
        let mut line = Vec::new();
        let limit = MAX_LINE_BYTES as u64 + 1;
        match (&mut input).take(limit).read_until(b'\n', &mut line) {
            Ok(0) => {
                ended = true;
                return None;
            }
            Ok(_) => {}
            Err(e) => {
                ended = true;
                return Some(Err(e));
            }
        }
        if line.len() > MAX_LINE_BYTES && !line.ends_with(b"\n") {
            // Past the rest of the line, a buffer at a time.
            loop {
                let (done, used) = match input.fill_buf() {
                    Ok([]) => (true, 0),
                    Ok(buf) => match memchr::memchr(b'\n', buf) {
                        Some(i) => (true, i + 1),
                        None => (false, buf.len()),
                    },
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => (false, 0),
                    Err(_) => (true, 0),
                };
                input.consume(used);
                if done {
                    break;
                }
            }
            let limit = MAX_LINE_BYTES / (1024 * 1024);
            return Some(Err(std::io::Error::other(format!(
                "the line is longer than {limit} MiB, the most a line of data may be"
            ))));
        }
        if line.ends_with(b"\n") {
            line.pop();
            if line.ends_with(b"\r") {
                line.pop();
            }
        }
        Some(String::from_utf8(line).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            )
        }))
    })
}

fn unreadable(number: usize, message: String) -> RowError {
    RowError {
        row: number,
        row_word: "line",
        id: None,
        problem: RowProblem::Unreadable(message),
    }
}

fn cells(headers: &[String], map: &Map<String, Json>) -> Vec<Cell> {
    headers
        .iter()
        .map(|h| match map.get(h) {
            None | Some(Json::Null) => Cell::Empty,
            Some(Json::String(s)) if s.trim().is_empty() => Cell::Empty,
            Some(Json::String(s)) => Cell::Text(s.as_str().into()),
            Some(Json::Number(n)) => Cell::Number(n.to_string().into()),
            Some(Json::Bool(b)) => Cell::Bool(*b),
            Some(other) => Cell::Text(other.to_string().into()),
        })
        .collect()
}

/// serde_json's message without its "at line 1 column 75": the line is
/// already named, and the column counts bytes, not characters.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
