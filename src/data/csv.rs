//! CSV files: UTF-8, with or without a byte-order mark, comma or tab separated.

use super::{Cell, RawRow, RawTable};

pub(super) fn read(bytes: &[u8]) -> Result<RawTable, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 text (at byte {}); save it as \"CSV UTF-8\"",
            e.valid_up_to()
        )
    })?;
    // Tab-separated when the header has tabs and no commas.
    let header_line = text.lines().next().unwrap_or("");
    let delimiter = if header_line.contains('\t') && !header_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err("the file has no header row".to_string());
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let number = record.position().map_or(0, |p| p.line() as usize);
        // Blank lines carry no employee.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
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
        rows.push(RawRow { number, cells });
    }
    Ok(RawTable {
        headers,
        rows,
        row_word: "line",
    })
}
