//! Workbooks: Excel (.xlsx, .xlsm, .xls, .xlsb) and OpenDocument (.ods),
//! read with calamine. The first row with any value is the header.
//!
//! A numeric cell is read as the decimal Excel stores: the shortest decimal
//! that is exactly the stored number (1200.5, 0.85 for a cell shown as
//! 85%). A value Excel shows rounded (33% for 1/3) is read at its stored
//! precision, as Excel itself computes with it.

use std::path::Path;

use calamine::{Data, Reader, Sheets, open_workbook_auto, open_workbook_auto_from_rs};

use super::{Cell, DataSource, RawRow};

pub(super) fn open(path: &Path, sheet: Option<&str>) -> Result<DataSource, String> {
    let workbook = open_workbook_auto(path).map_err(|e| e.to_string())?;
    read_sheet(workbook, sheet)
}

/// A workbook given as its bytes.
pub(super) fn from_bytes(bytes: Vec<u8>, sheet: Option<&str>) -> Result<DataSource, String> {
    let workbook =
        open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    read_sheet(workbook, sheet)
}

fn read_sheet<RS: std::io::Read + std::io::Seek>(
    mut workbook: Sheets<RS>,
    sheet: Option<&str>,
) -> Result<DataSource, String> {
    let names = workbook.sheet_names();
    let name = match sheet {
        None => names.first().cloned().ok_or("the workbook has no sheets")?,
        Some(s) => match names.iter().find(|n| n.as_str() == s) {
            Some(n) => n.clone(),
            // A number is a sheet's position, from 1.
            None => match s
                .parse::<usize>()
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| names.get(i))
            {
                Some(n) => n.clone(),
                None => {
                    return Err(format!(
                        "no sheet `{s}`; the sheets are {}",
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            },
        },
    };
    let range = workbook.worksheet_range(&name).map_err(|e| e.to_string())?;
    let start_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = range.rows().enumerate();
    let mut headers = Vec::new();
    for (_, row) in rows.by_ref() {
        if row.iter().any(|c| !matches!(c, Data::Empty)) {
            headers = row.iter().map(|c| text(c).trim().to_string()).collect();
            break;
        }
    }
    if headers.is_empty() {
        return Err(format!("the sheet `{name}` is empty"));
    }
    let mut data = Vec::new();
    for (i, row) in rows {
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        // The row number Excel shows.
        let number = start_row + i + 1;
        data.push(Ok(RawRow::new(number, row.iter().map(cell).collect())));
    }
    Ok(DataSource::of_rows(
        headers,
        "row",
        Some(data.len()),
        None,
        data.into_iter(),
    ))
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.as_str().into()),
        Data::Int(i) => Cell::Number(i.to_string().into()),
        // Rust prints the shortest decimal that reads back as the same f64.
        Data::Float(f) => Cell::Number(format!("{f}").into()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(when) => Cell::Date(date_text(when).into()),
        Data::DateTimeIso(when) | Data::DurationIso(when) => Cell::Date(when.as_str().into()),
        other => Cell::Text(text(other).into()),
    }
}

/// A date cell as a person reads it: `2026-03-31`, `2026-03-31 09:30:00`,
/// a time of day `09:30:00`, or a duration `[h]:mm:ss` as `36:00:00`.
fn date_text(when: &calamine::ExcelDateTime) -> String {
    if when.is_duration() {
        let seconds = (when.as_f64() * 86_400.0).round() as i64;
        let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
        return format!("{h:02}:{m:02}:{s:02}");
    }
    let (year, month, day, hour, minute, second, _) = when.to_ymd_hms_milli();
    let time = format!("{hour:02}:{minute:02}:{second:02}");
    if when.as_f64() < 1.0 {
        time
    } else if (hour, minute, second) == (0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {time}")
    }
}

fn text(data: &Data) -> String {
    match data {
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(when) => date_text(when),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}
