//! Writing results as rows arrive: CSV, JSON and JSON Lines are streamed,
//! so memory stays flat; the table (for a terminal) and the workbook are
//! laid out at the end.

use std::io::{self, Write};
use std::path::PathBuf;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::batch::Summary;
use crate::language::ast::InputType;

use super::Cell;
use crate::data::{RowError, RowProblem};
use crate::engine::eval::Record;
use crate::engine::outcome::{Detail, Outcome};
use crate::engine::program::{Program, Value};

/// Receives each evaluated row and each failure, in the order of the file.
pub trait OutcomeWriter {
    fn outcome(&mut self, record: &Record, outcome: &Outcome) -> io::Result<()>;
    /// How the writer's rows can be rendered ahead, on the thread that
    /// evaluated them, to be handed to [`OutcomeWriter::rendered`]; `None`
    /// for a writer that takes whole outcomes only.
    fn renderer(&self) -> Option<Renderer> {
        None
    }
    /// How much of each outcome the [`renderer`](OutcomeWriter::renderer)
    /// shows, and so needs worked out.
    fn detail(&self) -> Detail {
        Detail::Full
    }
    /// A row its [`renderer`](OutcomeWriter::renderer) rendered.
    fn rendered(&mut self, _row: &[u8]) -> io::Result<()> {
        Err(io::Error::other("this format does not take rendered rows"))
    }
    fn failure(&mut self, _failure: &RowError) -> io::Result<()> {
        Ok(())
    }
    fn finish(self: Box<Self>, summary: &Summary) -> io::Result<()>;
}

/// Renders an outcome as a writer writes it, appending its bytes (UTF-8):
/// `false` if it cannot (the writer's own [`OutcomeWriter::outcome`] then
/// takes the row, and reports why).
pub type Renderer = fn(&Program, &Outcome, &mut Vec<u8>) -> bool;

/// CSV: the report's columns (`report::columns`). With `bom`, a UTF-8 byte-order
/// mark first, so that Excel opens Chinese text correctly. Nothing is
/// written before the first row (or the end), so that a file whose header
/// does not fit the policy leaves the output empty.
///
/// Each line is put together in one buffer and written whole, quoted as the
/// csv crate quotes (RFC 4180: only a field holding a comma, a quote or a
/// line break), which a test checks: most fields are numbers, which never
/// need quotes, and going through a CSV writer field by field was a large
/// share of writing a big file.
pub struct CsvWriter<'p, W: Write> {
    program: &'p Program,
    out: W,
    /// The header is written before the first row.
    started: bool,
    bom: bool,
    /// The line being put together.
    line: Vec<u8>,
}

impl<'p, W: Write> CsvWriter<'p, W> {
    pub fn new(program: &'p Program, out: W, bom: bool) -> io::Result<Self> {
        Ok(CsvWriter {
            program,
            out,
            started: false,
            bom,
            line: Vec::new(),
        })
    }

    /// The byte-order mark and header, before anything else.
    fn start(&mut self) -> io::Result<()> {
        if std::mem::replace(&mut self.started, true) {
            return Ok(());
        }
        if self.bom {
            self.out.write_all(b"\xEF\xBB\xBF")?;
        }
        let mut line = Vec::new();
        let mut first = true;
        for (name, _) in super::columns(self.program) {
            push_csv_cell(&mut line, &mut first, &name);
        }
        line.push(b'\n');
        self.out.write_all(&line)
    }
}

/// Appends `field` to a CSV line, in quotes (a quote doubled) when it holds
/// a comma, a quote or a line break.
pub fn push_csv_field(line: &mut Vec<u8>, field: &str) {
    // Every byte that calls for quotes lies below `-`, and most fields (ids,
    // names, grades) have no such byte: one comparison a byte, no branch.
    let below_dash = field.bytes().fold(false, |any, b| any | (b < b'-'));
    if !below_dash
        || !field
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        line.extend_from_slice(field.as_bytes());
        return;
    }
    line.push(b'"');
    for (i, part) in field.split('"').enumerate() {
        if i > 0 {
            line.extend_from_slice(b"\"\"");
        }
        line.extend_from_slice(part.as_bytes());
    }
    line.push(b'"');
}

/// How much output is gathered before it is written: see
/// [`crate::data::READ_BUFFER`].
pub const WRITE_BUFFER: usize = 256 * 1024;

/// Appends a cell to a CSV line: a comma before it unless it is the
/// `first`, then the field.
fn push_csv_cell(line: &mut Vec<u8>, first: &mut bool, cell: &str) {
    if !std::mem::replace(first, false) {
        line.push(b',');
    }
    push_csv_field(line, cell);
}

/// Appends an outcome's CSV line, with its line break, to `line`: what a
/// [`CsvWriter`] writes for it. Numbers are written straight into the line:
/// none needs quotes.
pub fn csv_line(program: &Program, outcome: &Outcome, line: &mut Vec<u8>) {
    let mut first = true;
    super::each_cell(program, outcome, false, |cell| match cell {
        Cell::Text(text) => push_csv_cell(line, &mut first, text),
        Cell::Number(d) => {
            if !std::mem::replace(&mut first, false) {
                line.push(b',');
            }
            crate::numbers::decimal::write_decimal(line, d);
        }
    });
    line.push(b'\n');
}

impl<W: Write> OutcomeWriter for CsvWriter<'_, W> {
    fn outcome(&mut self, _record: &Record, outcome: &Outcome) -> io::Result<()> {
        self.start()?;
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        csv_line(self.program, outcome, &mut line);
        let written = self.out.write_all(&line);
        self.line = line;
        written
    }

    fn renderer(&self) -> Option<Renderer> {
        Some(|program, outcome, line| {
            csv_line(program, outcome, line);
            true
        })
    }

    /// The report's columns: no contributions.
    fn detail(&self) -> Detail {
        Detail::Columns
    }

    fn rendered(&mut self, row: &[u8]) -> io::Result<()> {
        self.start()?;
        self.out.write_all(row)
    }

    fn finish(mut self: Box<Self>, _summary: &Summary) -> io::Result<()> {
        self.start()?;
        self.out.flush()
    }
}

/// JSON Lines: one outcome object per line.
pub struct JsonLinesWriter<W: Write> {
    out: W,
}

impl<W: Write> JsonLinesWriter<W> {
    pub fn new(out: W) -> Self {
        JsonLinesWriter { out }
    }
}

/// Appends an outcome's JSON Lines line, with its line break: what a
/// [`JsonLinesWriter`] writes for it.
pub fn json_line(outcome: &Outcome, line: &mut Vec<u8>) -> serde_json::Result<()> {
    let start = line.len();
    if let Err(e) = serde_json::to_writer(&mut *line, outcome) {
        // Nothing of a line that could not be written whole.
        line.truncate(start);
        return Err(e);
    }
    line.push(b'\n');
    Ok(())
}

impl<W: Write> OutcomeWriter for JsonLinesWriter<W> {
    fn outcome(&mut self, _record: &Record, outcome: &Outcome) -> io::Result<()> {
        let mut line = Vec::new();
        json_line(outcome, &mut line)?;
        self.rendered(&line)
    }

    fn renderer(&self) -> Option<Renderer> {
        Some(|_, outcome, line| json_line(outcome, line).is_ok())
    }

    fn rendered(&mut self, row: &[u8]) -> io::Result<()> {
        self.out.write_all(row)
    }

    fn finish(mut self: Box<Self>, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}

/// JSON: an array of outcomes, written as they come, exactly as
/// [`super::json`] writes the whole array.
pub struct JsonWriter<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> JsonWriter<W> {
    pub fn new(out: W) -> Self {
        JsonWriter { out, first: true }
    }
}

impl<W: Write> OutcomeWriter for JsonWriter<W> {
    fn outcome(&mut self, _record: &Record, outcome: &Outcome) -> io::Result<()> {
        let item = serde_json::to_string_pretty(outcome)?;
        self.out
            .write_all(if self.first { b"[\n" } else { b",\n" })?;
        self.first = false;
        for (i, line) in item.lines().enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(b"  ")?;
            self.out.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>, _summary: &Summary) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}

/// The table for a terminal, laid out once every row is in.
pub struct TableWriter<'p, W: Write> {
    program: &'p Program,
    out: W,
    outcomes: Vec<Outcome>,
}

impl<'p, W: Write> TableWriter<'p, W> {
    pub fn new(program: &'p Program, out: W) -> Self {
        TableWriter {
            program,
            out,
            outcomes: Vec::new(),
        }
    }
}

impl<W: Write> OutcomeWriter for TableWriter<'_, W> {
    fn outcome(&mut self, _record: &Record, outcome: &Outcome) -> io::Result<()> {
        self.outcomes.push(outcome.clone());
        Ok(())
    }

    fn finish(mut self: Box<Self>, _summary: &Summary) -> io::Result<()> {
        self.out
            .write_all(super::table(self.program, &self.outcomes).as_bytes())?;
        self.out.flush()
    }
}

/// Failed rows as CSV, one line per problem: where, who, which column and
/// value, what is wrong and which rule needed it.
pub struct ErrorsWriter<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> ErrorsWriter<W> {
    pub fn new(out: W) -> io::Result<Self> {
        let mut out = csv::Writer::from_writer(out);
        out.write_record(["row", "id", "column", "value", "problem", "rule"])?;
        Ok(ErrorsWriter { out })
    }

    pub fn write(&mut self, failure: &RowError) -> io::Result<()> {
        for line in problem_lines(failure) {
            self.out.write_record(&line)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A failed row as lines of `[row, id, column, value, problem, rule]`.
fn problem_lines(failure: &RowError) -> Vec<[String; 6]> {
    let row = format!("{} {}", failure.row_word, failure.row);
    let id = failure.id.clone().unwrap_or_default();
    match &failure.problem {
        RowProblem::Cells(problems) => problems
            .iter()
            .map(|p| {
                [
                    row.clone(),
                    id.clone(),
                    p.column.clone(),
                    p.value.clone(),
                    p.message.clone(),
                    p.rule.clone(),
                ]
            })
            .collect(),
        RowProblem::Eval(e) => {
            let values = e
                .values
                .iter()
                .map(|(n, v)| format!("{n} = {v}"))
                .collect::<Vec<_>>()
                .join(", ");
            vec![[
                row,
                id,
                String::new(),
                values,
                e.kind.words().to_string(),
                format!("{} (policy line {}): {}", e.rule, e.line, e.formula),
            ]]
        }
        RowProblem::DuplicateId { first } => vec![[
            row,
            id,
            String::new(),
            String::new(),
            format!("the same employee id as {} {first}", failure.row_word),
            "each employee appears once per period".to_string(),
        ]],
        RowProblem::Unreadable(message) | RowProblem::Year(message) => vec![[
            row,
            id,
            String::new(),
            String::new(),
            message.clone(),
            String::new(),
        ]],
    }
}

/// An Excel workbook: the results (inputs, points, score, grade and pay,
/// money and percentages formatted as such, the header frozen), the grade
/// distribution, and the rows that failed with why.
pub struct XlsxWriter<'p> {
    program: &'p Program,
    path: PathBuf,
    rows: Vec<(Record, Outcome)>,
    failures: Vec<RowError>,
}

impl<'p> XlsxWriter<'p> {
    pub fn new(program: &'p Program, path: PathBuf) -> Self {
        XlsxWriter {
            program,
            path,
            rows: Vec::new(),
            failures: Vec::new(),
        }
    }
}

impl OutcomeWriter for XlsxWriter<'_> {
    fn outcome(&mut self, record: &Record, outcome: &Outcome) -> io::Result<()> {
        self.rows.push((record.clone(), outcome.clone()));
        Ok(())
    }

    fn failure(&mut self, failure: &RowError) -> io::Result<()> {
        self.failures.push(failure.clone());
        Ok(())
    }

    fn finish(self: Box<Self>, summary: &Summary) -> io::Result<()> {
        workbook(self.program, &self.rows, &self.failures, summary)
            .and_then(|mut w| w.save(&self.path))
            .map_err(io::Error::other)
    }
}

/// A report cell kept until the workbook is laid out.
enum OwnedCell {
    Text(String),
    Number(Decimal),
}

/// The sheet column of the `c`-th column (a sheet has 16,384; the report
/// has a few dozen).
fn column_number(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// A decimal as a spreadsheet number. Spreadsheets store binary floating
/// point; the amounts of a payroll (cents below 10^13) convert exactly to
/// what Excel shows.
fn number(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn workbook(
    program: &Program,
    rows: &[(Record, Outcome)],
    failures: &[RowError],
    summary: &Summary,
) -> Result<rust_xlsxwriter::Workbook, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let policy = program.policy();
    let money_format = match policy.currency.as_deref() {
        Some("USD") => "$#,##0.00".to_string(),
        Some("EUR") => "€#,##0.00".to_string(),
        Some("GBP") => "£#,##0.00".to_string(),
        Some("CNY") | Some("JPY") | None => "¥#,##0.00".to_string(),
        Some(code) => format!("#,##0.00 \"{code}\""),
    };
    let money = Format::new().set_num_format(&money_format);
    let percent = Format::new().set_num_format("0.00%");
    let points = Format::new().set_num_format("0.00");
    let header = Format::new().set_bold();

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Results")?;
    // The report's columns, as the CSV has them, with the inputs after the
    // columns that say who a row is: the header and every row are laid out
    // from this one list, so that no cell can stand under another's name,
    // and the sheet reads back as data.
    let columns = super::columns(program);
    let identity = super::identity_columns(program);
    let (who, results) = columns.split_at(identity.min(columns.len()));
    let header_names = who
        .iter()
        .map(|(name, _)| name.as_str())
        .chain(policy.inputs.iter().map(|input| input.name.as_str()))
        .chain(results.iter().map(|(name, _)| name.as_str()));
    for (c, name) in header_names.enumerate() {
        sheet.write_string_with_format(0, column_number(c), name, &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let inputs_at = who.len();
    let results_at = inputs_at + policy.inputs.len();
    for (r, (record, outcome)) in rows.iter().enumerate() {
        let row = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (i, (input, value)) in policy.inputs.iter().zip(&record.inputs).enumerate() {
            let at = column_number(inputs_at + i);
            match (value, input.ty) {
                (Value::Num(n), InputType::Money) => {
                    sheet.write_number_with_format(row, at, number(*n), &money)?
                }
                (Value::Num(n), InputType::Percent) => {
                    sheet.write_number_with_format(row, at, number(*n), &percent)?
                }
                (Value::Num(n), _) => sheet.write_number(row, at, number(*n))?,
                (Value::Bool(b), _) => {
                    sheet.write_string(row, at, if *b { "yes" } else { "no" })?
                }
                (Value::Grade(_) | Value::Missing, _) => sheet,
            };
        }
        // The report's cells, in the order of its columns.
        let mut cells = Vec::with_capacity(columns.len());
        super::each_cell(program, outcome, false, |cell| {
            cells.push(match cell {
                Cell::Text(text) => OwnedCell::Text(text.to_string()),
                Cell::Number(d) => OwnedCell::Number(*d),
            })
        });
        for (i, (cell, (_, kind))) in cells.iter().zip(&columns).enumerate() {
            let at = column_number(if i < identity {
                i
            } else {
                results_at + (i - identity)
            });
            match (cell, kind) {
                (OwnedCell::Text(text), _) if text.is_empty() => {}
                (OwnedCell::Text(text), _) => {
                    sheet.write_string(row, at, text)?;
                }
                (OwnedCell::Number(d), super::Kind::Money) => {
                    sheet.write_number_with_format(row, at, number(*d), &money)?;
                }
                (OwnedCell::Number(d), super::Kind::Points) => {
                    sheet.write_number_with_format(row, at, number(*d), &points)?;
                }
                (OwnedCell::Number(d), super::Kind::Text) => {
                    sheet.write_number(row, at, number(*d))?;
                }
            }
        }
    }
    sheet.autofit();

    // Each group's grades, then each quota against its count.
    let distribution = workbook.add_worksheet();
    distribution.set_name("Distribution")?;
    let tally = crate::company::distribution::Tally::of(policy, rows.iter().map(|(_, o)| o));
    let grouped = policy.quota_group_column().is_some();
    let offset = u16::from(grouped);
    if grouped {
        distribution.write_string_with_format(0, 0, "group", &header)?;
    }
    for (c, h) in ["grade", "label", "count", "share"].iter().enumerate() {
        distribution.write_string_with_format(
            0,
            offset + u16::try_from(c).unwrap_or(0),
            *h,
            &header,
        )?;
    }
    let mut row = 1u32;
    for group in &tally.groups {
        let total = group.people;
        for (grade, (name, &count)) in policy.grades.iter().zip(&group.counts) {
            if let Some(g) = &group.group {
                distribution.write_string(row, 0, g)?;
            }
            distribution.write_string(row, offset, name)?;
            distribution.write_string(row, offset + 1, grade.label.as_deref().unwrap_or(""))?;
            distribution.write_number(row, offset + 2, count as f64)?;
            let share = Decimal::from(count)
                .checked_div(Decimal::from(total))
                .map_or(0.0, number);
            distribution.write_number_with_format(row, offset + 3, share, &percent)?;
            row += 1;
        }
    }
    if policy.quotas.is_some() {
        row += 1;
        let heads = ["quota", "people", "limit", "holds"];
        if grouped {
            distribution.write_string_with_format(row, 0, "group", &header)?;
        }
        for (c, h) in heads.iter().enumerate() {
            distribution.write_string_with_format(
                row,
                offset + u16::try_from(c).unwrap_or(0),
                *h,
                &header,
            )?;
        }
        row += 1;
        for group in &tally.groups {
            for q in &group.quotas {
                if let Some(g) = &group.group {
                    distribution.write_string(row, 0, g)?;
                }
                distribution.write_string(row, offset, &q.quota)?;
                distribution.write_number(row, offset + 1, q.actual as f64)?;
                distribution.write_number(row, offset + 2, q.limit as f64)?;
                distribution.write_string(
                    row,
                    offset + 3,
                    if q.holds { "yes" } else { "BROKEN" },
                )?;
                row += 1;
            }
        }
    }
    distribution.set_freeze_panes(1, 0)?;
    distribution.autofit();

    let failed = workbook.add_worksheet();
    failed.set_name("Failed rows")?;
    for (c, h) in ["row", "id", "column", "value", "problem", "rule"]
        .iter()
        .enumerate()
    {
        failed.write_string_with_format(0, u16::try_from(c).unwrap_or(0), *h, &header)?;
    }
    let mut r = 1u32;
    for failure in failures {
        for line in problem_lines(failure) {
            for (c, text) in line.iter().enumerate() {
                failed.write_string(r, u16::try_from(c).unwrap_or(0), text)?;
            }
            r += 1;
        }
    }
    failed.write_string(
        r + 1,
        0,
        format!(
            "{} rows read, {} evaluated, {} failed{}",
            summary.read,
            summary.evaluated,
            summary.failed,
            summary.empty_note()
        ),
    )?;
    failed.set_freeze_panes(1, 0)?;
    failed.autofit();
    Ok(workbook)
}

#[cfg(test)]
mod tests {
    use super::push_csv_field;

    /// Lines put together by hand are byte for byte what the csv crate
    /// writes, for fields with every character that matters to CSV.
    #[test]
    fn csv_lines_are_quoted_as_the_csv_crate_quotes_them() {
        let parts = [
            "", "a", ",", "\"", "\n", "\r", " ", "张三", "12.50", "#", "'", ";", "\t",
        ];
        let mut x: u32 = 0x9E37_79B9;
        for _ in 0..2_000 {
            let mut fields = Vec::new();
            for _ in 0..(1 + x % 5) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let field: String = (0..x % 4)
                    .map(|i| parts[((x >> (i * 4)) as usize) % parts.len()])
                    .collect();
                fields.push(field);
            }
            // The csv crate quotes a record of one empty field; kpi's
            // records always have several fields.
            if fields.len() == 1 && fields[0].is_empty() {
                continue;
            }
            let mut by_crate = csv::Writer::from_writer(Vec::new());
            by_crate.write_record(&fields).unwrap();
            let by_crate = by_crate.into_inner().unwrap();
            let mut by_hand = Vec::new();
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    by_hand.push(b',');
                }
                push_csv_field(&mut by_hand, field);
            }
            by_hand.push(b'\n');
            assert_eq!(by_hand, by_crate, "{fields:?}");
        }
    }
}
