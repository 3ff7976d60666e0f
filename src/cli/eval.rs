//! `kpi eval`: run a policy over a period's data.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use kpi::batch::{Rendered, RowResult};
use kpi::eval::Record;
use kpi::outcome::Outcome;
use kpi::report::writer::{
    CsvWriter, ErrorsWriter, JsonLinesWriter, JsonWriter, OutcomeWriter, TableWriter, WRITE_BUFFER,
    XlsxWriter,
};

use super::exit;

/// Evaluate every employee in a data file: indicator points, score, grade and pay.
#[derive(clap::Args)]
#[command(after_help = "\
Data files: .csv (UTF-8 with or without BOM, or GBK/GB18030 as Chinese Excel saves it; comma,
tab or semicolon separated), .json (an array of objects), .jsonl (one object per line), and
workbooks .xlsx .xls .ods (--sheet picks the sheet by name or position; default the first).
Columns match inputs by name, by label or by an alias the policy gives (`kpi inputs <policy>`
lists them); other columns are ignored. Cells are read as the person sees them:
  money    1125000, 1,125,000.00, ¥1,200, 1200元, 100万, (300.00) for -300
  percent  15% (or the fraction 0.15; a bare 15 is refused as ambiguous)
  number   6, 2.5        score  0 to 100        yes/no  yes/no, 是/否, true/false, 1/0
An empty cell is an error unless the policy gives the input a `default` or makes it `optional`.

A row that cannot be evaluated is reported on stderr with its line, employee id, column and rule
(and in --errors FILE as CSV); every other row is still evaluated and written. The last line
counts rows read, evaluated and failed. CSV and JSON Lines are streamed: memory stays flat.
Exit code 1 if any row failed; 2 if a file cannot be read. The language is described in the book: docs/en (English), docs/zh-CN (中文).")]
pub(crate) struct Args {
    /// The policy file (.kpi).
    policy: PathBuf,
    /// The period's data: .csv, .json, .jsonl, .xlsx, .xls or .ods. With --year,
    /// give one file per quarter, in order (or one file and --period-column).
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    #[command(flatten)]
    year: super::YearArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the results to this file instead of standard output (required for xlsx).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Write the rows that failed, with why, to this CSV file.
    #[arg(long)]
    errors: Option<PathBuf>,
    #[command(flatten)]
    read: super::ReadArgs,
    /// Start CSV output with a byte-order mark, so that Excel reads Chinese text correctly.
    #[arg(long)]
    bom: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Aligned columns and a grade distribution, for reading in a terminal.
    Table,
    /// One row per employee, for spreadsheets.
    Csv,
    /// An array of objects with decimals as strings, for programs and snapshots.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// An Excel workbook: results, grade distribution and failed rows (needs --output).
    Xlsx,
}

pub(crate) fn run(args: Args) -> u8 {
    let program = match super::load_program(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let options = match args.read.options() {
        Ok(options) => options,
        Err(code) => return code,
    };
    let input = if args.year.year {
        match args.year.roll_up(&program, &args.data, &options) {
            Ok(year) => Input::Year(Box::new(year)),
            Err(code) => return code,
        }
    } else {
        let [data] = args.data.as_slice() else {
            eprintln!("error: give one --data file (several only with --year, one per quarter)");
            return exit::CANNOT_RUN;
        };
        match kpi::data::open(data, &options) {
            Ok(s) => Input::Period(s),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::CANNOT_RUN;
            }
        }
    };

    let out: Box<dyn Write> = match &args.output {
        Some(path) if args.format != Format::Xlsx => match File::create(path) {
            Ok(f) => Box::new(BufWriter::with_capacity(WRITE_BUFFER, f)),
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                return exit::CANNOT_RUN;
            }
        },
        _ => Box::new(BufWriter::with_capacity(
            WRITE_BUFFER,
            std::io::stdout().lock(),
        )),
    };
    let writer: Result<Box<dyn OutcomeWriter>, std::io::Error> = match args.format {
        Format::Table => Ok(Box::new(TableWriter::new(&program, out))),
        Format::Csv => {
            CsvWriter::new(&program, out, args.bom).map(|w| Box::new(w) as Box<dyn OutcomeWriter>)
        }
        Format::Json => Ok(Box::new(JsonWriter::new(out))),
        Format::Jsonl => Ok(Box::new(JsonLinesWriter::new(out))),
        Format::Xlsx => match &args.output {
            Some(path) => Ok(Box::new(XlsxWriter::new(&program, path.clone()))),
            None => {
                eprintln!(
                    "error: --format xlsx writes a workbook: give it a file with --output results.xlsx"
                );
                return exit::CANNOT_RUN;
            }
        },
    };
    let mut writer = match writer {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot write the results: {e}");
            return exit::CANNOT_RUN;
        }
    };
    let mut errors = match &args.errors {
        Some(path) => match File::create(path).and_then(|f| ErrorsWriter::new(BufWriter::new(f))) {
            Ok(w) => Some(w),
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                return exit::CANNOT_RUN;
            }
        },
        None => None,
    };

    let mut write_error = None;
    // A quarter's failed rows come first: the year cannot use them. They
    // fail the run even where no employee's year fails with them (figures
    // for an id no quarter has).
    let mut year_failures = 0;
    if let Input::Year(year) = &input {
        year_failures = year.quarter_failures.len();
        for (quarter, failure) in &year.quarter_failures {
            eprintln!("error: {quarter}: {failure}");
            if let Some(e) = errors.as_mut()
                && let Err(e) = e.write(failure)
            {
                write_error.get_or_insert(e);
            }
        }
    }
    let progress = match &input {
        Input::Period(source) => progress_bar(source.len, source.bytes),
        Input::Year(_) => None,
    };
    // Forced ranking reads the data twice: the bar counts the first
    // reading ("scoring"), then starts again for the rows written.
    let input = match (input, &progress) {
        (Input::Period(source), Some(bar)) if program.policy().has_forced_ranking() => {
            let bar = bar.clone();
            bar.set_message("scoring");
            Input::Period(source.on_first_reading(Box::new(move |event| match event {
                kpi::data::FirstReading::Row => bar.inc(1),
                kpi::data::FirstReading::Done => {
                    bar.set_position(0);
                    bar.set_message("writing");
                }
            })))
        }
        (input, _) => input,
    };
    let data_name = args
        .data
        .first()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    // A CSV or JSON Lines line is put together on the thread that evaluated
    // the row, and only the line comes back here; the other formats take
    // the whole row. A row the renderer could not put together goes to the
    // writer whole, which says why.
    let renderer = writer.renderer();
    let detail = writer.detail();
    let render = |record: &Record, outcome: &Outcome, text: &mut Vec<u8>| {
        let start = text.len();
        match renderer {
            Some(render) if render(&program, outcome, text) => None,
            _ => {
                text.truncate(start);
                Some(Box::new((record.clone(), outcome.clone())))
            }
        }
    };
    let mut handle = |row: Row<'_>| {
        if let Some(bar) = &progress {
            bar.inc(1);
        }
        let written = match row {
            Row::Line(line) => writer.rendered(line),
            Row::Whole(record, outcome) => writer.outcome(record, outcome),
            Row::Failed(failure) => {
                if let Some(bar) = &progress {
                    bar.suspend(|| eprintln!("error: {failure}"));
                } else {
                    eprintln!("error: {failure}");
                }
                let to_file = errors.as_mut().map_or(Ok(()), |e| e.write(&failure));
                to_file.and_then(|()| writer.failure(&failure))
            }
        };
        if let (Err(e), None) = (written, &write_error) {
            write_error = Some(e);
        }
    };
    let (summary, row_words) = match input {
        Input::Period(source) if renderer.is_some() => (
            kpi::batch::run_rendered(&program, source, detail, render, |row| match row {
                Rendered::Evaluated(None, line) => handle(Row::Line(line)),
                Rendered::Evaluated(Some(row), _) => handle(Row::Whole(&row.0, &row.1)),
                Rendered::Failed(e) => handle(Row::Failed(e)),
            }),
            ("row", "rows"),
        ),
        Input::Period(source) => (
            kpi::batch::run(&program, source, |row| whole(row, &mut handle)),
            ("row", "rows"),
        ),
        Input::Year(year) => {
            let summary = kpi::batch::run_records(&program, year.records, "employee", |row| {
                whole(row, &mut handle)
            });
            (Ok(summary), ("employee", "employees"))
        }
    };
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let summary = match summary {
        Ok(s) => s,
        Err(header) => {
            let file = [("file", kpi::i18n::Arg::Text(&data_name))];
            eprint!("{}\n{header}", kpi::i18n::text("data-misfit", &file));
            if let Some(hint) = args
                .data
                .first()
                .and_then(|data| super::encoding_hint(data, &options))
            {
                eprintln!("hint: {hint}");
            }
            let policy = args.policy.display().to_string();
            let policy = [("policy", kpi::i18n::Arg::Text(&policy))];
            eprintln!("{}", kpi::i18n::text("data-misfit-hint", &policy));
            return exit::PROBLEMS;
        }
    };
    let finished = writer
        .finish(&summary)
        .and(errors.map_or(Ok(()), ErrorsWriter::finish));
    if let Some(e) = write_error.or(finished.err()) {
        eprintln!("error: cannot write the results: {e}");
        return exit::CANNOT_RUN;
    }
    use kpi::i18n::{Arg, text};
    for unranked in &summary.unranked {
        let group = match &unranked.group {
            Some(g) => text("unranked-group", &[("group", Arg::Text(g))]),
            None => text("unranked-company", &[]),
        };
        let args = [
            ("group", Arg::Text(&group)),
            ("people", Arg::Count(unranked.people)),
        ];
        eprintln!("{}", text("unranked", &args));
    }
    if let Some(distribution) = &summary.distribution {
        for (group, q) in distribution.broken() {
            let place = group
                .group
                .as_deref()
                .map(|g| text("quota-place", &[("group", Arg::Text(g))]))
                .unwrap_or_default();
            let (actual, people, limit) = (
                q.actual.to_string(),
                group.people.to_string(),
                q.limit.to_string(),
            );
            let args = [
                ("quota", Arg::Text(&q.quota)),
                ("place", Arg::Text(&place)),
                ("actual", Arg::Text(&actual)),
                ("people", Arg::Text(&people)),
                ("bound", Arg::Text(if q.at_most { "most" } else { "least" })),
                ("limit", Arg::Text(&limit)),
            ];
            eprintln!("{}", text("quota-broken", &args));
        }
    }
    let read_key = if row_words.0 == "employee" {
        "employees-count"
    } else {
        "rows-count"
    };
    eprintln!("{}", super::run_summary(&summary, read_key));
    if summary.failed == 0 && year_failures == 0 {
        exit::OK
    } else {
        exit::PROBLEMS
    }
}

/// What `eval` runs over: one period's rows, streamed, or a year's
/// employees rolled up from the quarters.
enum Input {
    Period(kpi::data::DataSource),
    Year(Box<kpi::year::Year>),
}

/// A progress bar on stderr for a large file, at a terminal only.
fn progress_bar(rows: Option<usize>, bytes: Option<u64>) -> Option<indicatif::ProgressBar> {
    let large = rows.is_some_and(|r| r > 20_000) || bytes.is_some_and(|b| b > 4_000_000);
    if !large || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match rows {
        Some(n) => indicatif::ProgressBar::new(n as u64),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let style = match rows {
        Some(_) => indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} rows {msg} {per_sec} {eta}",
        ),
        None => indicatif::ProgressStyle::with_template("{spinner} {pos} rows {msg} {per_sec}"),
    };
    if let Ok(style) = style {
        bar.set_style(style);
    }
    Some(bar)
}

/// Hands a row evaluated whole to the writer.
fn whole(row: RowResult, handle: &mut impl FnMut(Row<'_>)) {
    match row {
        RowResult::Evaluated(record, outcome) => handle(Row::Whole(&record, &outcome)),
        RowResult::Failed(e) => handle(Row::Failed(e)),
    }
}

/// A row as it reaches the writer: a CSV or JSON Lines line rendered
/// where the row was evaluated, the record and outcome for the other
/// formats, or why the row failed.
enum Row<'a> {
    Line(&'a [u8]),
    Whole(&'a Record, &'a Outcome),
    Failed(kpi::data::RowError),
}
