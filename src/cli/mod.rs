//! The command line: argument parsing and what the subcommands share.

mod analyze;
mod check;
mod diff;
mod eval;
mod explain;
mod fmt;
mod generate;
mod inputs;
mod lsp;
mod test;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kpi::diagnostic::{self, Diagnostic, Style};
use kpi::source::Source;

/// Exit codes, the same for every subcommand.
pub(crate) mod exit {
    /// Everything checked, evaluated or explained without a problem.
    pub const OK: u8 = 0;
    /// Problems were found: a policy with errors, a data row that failed, a
    /// missing column. Everything else was still processed and reported.
    pub const PROBLEMS: u8 = 1;
    /// kpi could not do its job: bad arguments, or a file that cannot be read.
    pub const CANNOT_RUN: u8 = 2;
}

const ABOUT: &str =
    "Appraisal and performance-pay policies as text: checked, compiled, evaluated and explained.";

const AFTER_HELP: &str = "\
Examples:
  kpi check policies/                                  check every .kpi file in a folder
  kpi analyze policies/foreign_trade_sales.kpi         what the policy can pay, before anyone is paid
  kpi eval policies/foreign_trade_sales.kpi --data examples/foreign_trade_sales.csv
  kpi eval policy.kpi --data q3.csv --format csv --output q3-results.csv
  kpi explain policies/foreign_trade_sales.kpi --data examples/foreign_trade_sales.csv --id E001
  kpi eval policies/foreign_trade_sales.kpi --year --data q1.csv q2.csv q3.csv q4.csv
  kpi inputs policies/foreign_trade_sales.kpi --csv > q4.csv       start a data file for a policy

Exit codes:
  0  no problem
  1  problems found: policy errors, rows that failed (the other rows are still evaluated),
     a data file whose columns do not fit the policy
  2  kpi could not run (bad arguments, a file that cannot be read)";

#[derive(Parser)]
#[command(name = "kpi", version, about = ABOUT, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The language of kpi's words: en or zh-CN (else KPI_LANG, else the locale: LC_ALL,
    /// LC_MESSAGES, LANG; else English).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    Check(check::Args),
    Analyze(analyze::Args),
    Eval(eval::Args),
    Diff(diff::Args),
    Explain(explain::Args),
    Test(test::Args),
    Fmt(fmt::Args),
    Inputs(inputs::Args),
    Gen(generate::Args),
    Lsp(lsp::Args),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::CANNOT_RUN
            } else {
                exit::OK
            });
        }
    };
    if let Some(tag) = &cli.lang
        && kpi::i18n::Lang::parse(tag).is_none()
    {
        eprintln!("error: kpi speaks `en` and `zh-CN`, not `{tag}` (--lang)");
        return ExitCode::from(exit::CANNOT_RUN);
    }
    kpi::i18n::set(kpi::i18n::Lang::chosen(cli.lang.as_deref(), |name| {
        std::env::var(name).ok()
    }));
    let code = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Test(args) => test::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Inputs(args) => inputs::run(args),
        Command::Gen(args) => generate::run(args),
        Command::Lsp(args) => lsp::run(args),
    };
    ExitCode::from(code)
}

/// "1 row", "3 rows".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The last line of a run, in the chosen language: "24 rows read, 24
/// evaluated, 0 failed", with the lines of no values passed over.
/// `read_key` counts what was read (`rows-count`, `employees-count`).
pub(crate) fn run_summary(summary: &kpi::batch::Summary, read_key: &str) -> String {
    use kpi::i18n::{Arg, text};
    const SHOWN: usize = 10;
    let empty = match summary.empty.len() {
        0 => String::new(),
        n => {
            let mut lines: Vec<String> = summary
                .empty
                .iter()
                .take(SHOWN)
                .map(usize::to_string)
                .collect();
            if n > SHOWN {
                lines.push("…".to_string());
            }
            let lines = lines.join(&text("list-separator", &[]));
            text(
                "empty-lines",
                &[("n", Arg::Count(n)), ("lines", Arg::Text(&lines))],
            )
        }
    };
    text(
        "run-summary",
        &[
            ("read", Arg::Text(&counted(read_key, summary.read))),
            ("evaluated", Arg::Count(summary.evaluated)),
            ("failed", Arg::Count(summary.failed)),
            ("empty", Arg::Text(&empty)),
        ],
    )
}

/// A count in the chosen language: `key` is a message such as
/// `rows-count` ("3 rows", "3 行").
pub(crate) fn counted(key: &str, n: usize) -> String {
    kpi::i18n::text(key, &[("n", kpi::i18n::Arg::Count(n))])
}

/// Colour for people at a terminal; plain for files, pipes and `NO_COLOR`.
pub(crate) fn style() -> Style {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Style::Colour
    } else {
        Style::Plain
    }
}

/// Reads a policy file; text that is not UTF-8 comes with its diagnostic.
pub(crate) fn read_policy(path: &Path) -> Result<(Source, Vec<Diagnostic>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Source::from_bytes(path.display().to_string(), bytes))
}

/// Compiles a policy file, printing its diagnostics to stderr. `None` when
/// it has errors (or cannot be read).
pub(crate) fn load_program(path: &Path) -> Result<kpi::program::Program, u8> {
    let (source, mut diags) = read_policy(path).map_err(|e| {
        eprintln!("error: {e}");
        exit::CANNOT_RUN
    })?;
    let result = if diags.is_empty() {
        kpi::compile(&source)
    } else {
        Err(std::mem::take(&mut diags))
    };
    match result {
        Ok(compiled) => {
            if !compiled.warnings.is_empty() {
                eprint!(
                    "{}",
                    diagnostic::render(&source, &compiled.warnings, style())
                );
            }
            Ok(compiled.program)
        }
        Err(diags) => {
            eprint!("{}", diagnostic::render(&source, &diags, style()));
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: {} has {errors} error{}; fix it before evaluating (see `kpi check`)",
                path.display(),
                if errors == 1 { "" } else { "s" }
            );
            Err(exit::PROBLEMS)
        }
    }
}

/// The `.kpi` files named by `paths` (see [`find_policy_files`]); a path
/// that cannot be read, or no file at all, is reported here and gives the
/// exit code to return.
pub(crate) fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, u8> {
    match find_policy_files(paths) {
        Ok(files) if !files.is_empty() => Ok(files),
        Ok(_) => {
            eprintln!("error: no .kpi files found in the paths given");
            Err(exit::CANNOT_RUN)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(exit::CANNOT_RUN)
        }
    }
}

/// The `.kpi` files named by `paths`: files as given, folders searched
/// recursively, in a stable order.
fn find_policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect(path, &mut files)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(format!("{} does not exist", path.display()));
        }
    }
    Ok(files)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "kpi") {
            files.push(path);
        }
    }
    Ok(())
}

/// How to read a data file where its extension and contents do not say:
/// the same options for every command that reads data.
#[derive(clap::Args)]
pub(crate) struct ReadArgs {
    /// The sheet of a workbook: its name, or its position from 1.
    #[arg(long)]
    sheet: Option<String>,
    /// The encoding of a CSV file (utf-8, gbk, gb18030, utf-16le), instead of detecting it.
    #[arg(long)]
    encoding: Option<String>,
    /// The separator of a CSV file: `,`, `;` or `tab`, instead of detecting it.
    #[arg(long)]
    delimiter: Option<String>,
    /// A quoted CSV value may run over several lines. Without it every line
    /// is one row, and a quotation mark left open fails its line only.
    #[arg(long)]
    multiline: bool,
}

impl ReadArgs {
    /// The options, or exit code 2 for a separator that is not one character.
    pub(crate) fn options(&self) -> Result<kpi::data::ReadOptions, u8> {
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some("tab" | "\\t" | "\t") => Some(b'\t'),
            Some(d) if d.len() == 1 => d.bytes().next(),
            Some(d) => {
                eprintln!("error: --delimiter takes one character, or `tab`, not `{d}`");
                return Err(exit::CANNOT_RUN);
            }
        };
        Ok(kpi::data::ReadOptions {
            sheet: self.sheet.clone(),
            encoding: self.encoding.clone(),
            delimiter,
            multiline: self.multiline,
        })
    }
}

/// The year's files, for `eval` and `explain`: the quarters rolled up.
#[derive(clap::Args)]
pub(crate) struct YearArgs {
    /// Roll the quarters up to the year: financial indicators re-scored on the
    /// year's figures, the others averaged, then the yearly grade and pay.
    #[arg(long)]
    pub(crate) year: bool,
    /// With --year and one data file: the column naming each row's quarter.
    #[arg(long, requires = "year")]
    period_column: Option<String>,
    /// With --year: a file of yearly figures by employee id (e.g. yearly
    /// targets) that replace the quarters' sums.
    #[arg(long, requires = "year")]
    yearly_figures: Option<PathBuf>,
}

/// After a header that does not fit: which encoding `path` was read in,
/// where it was guessed and may be wrong (see `TextEncoding::hint`).
pub(crate) fn encoding_hint(path: &Path, options: &kpi::data::ReadOptions) -> Option<String> {
    let source = kpi::data::open(path, options).ok()?;
    source.encoding?.hint(&source.headers)
}

impl YearArgs {
    /// The quarters in `data`, read and rolled up with the yearly figures.
    pub(crate) fn roll_up(
        &self,
        program: &kpi::program::Program,
        data: &[PathBuf],
        options: &kpi::data::ReadOptions,
    ) -> Result<kpi::year::Year, u8> {
        let quarters = read_quarters(data, self.period_column.as_deref(), options)?;
        let figures = match &self.yearly_figures {
            Some(path) => Some(read_table(path, options)?),
            None => None,
        };
        kpi::year::roll_up(program, &quarters, figures.as_ref()).map_err(|e| {
            let file = [("file", kpi::i18n::Arg::Text(&e.file))];
            eprint!("{}\n{}", kpi::i18n::text("data-misfit", &file), e.error);
            if let Some(hint) = encoding_hint(Path::new(&e.file), options) {
                eprintln!("hint: {hint}");
            }
            exit::PROBLEMS
        })
    }
}

/// Reads a whole file of the year (a quarter, or the yearly figures) into
/// memory. A row that cannot be read is reported on stderr, and the year is
/// not rolled up: it adds up every row of every file, and whose a row that
/// cannot be read is, nobody knows, so leaving it out would change someone's
/// year without saying whose.
pub(crate) fn read_table(
    path: &Path,
    options: &kpi::data::ReadOptions,
) -> Result<kpi::data::RawTable, u8> {
    let source = kpi::data::open(path, options).map_err(|e| {
        eprintln!("error: {e}");
        exit::CANNOT_RUN
    })?;
    let headers = source.headers.clone();
    let row_word = source.row_word;
    let mut rows = Vec::new();
    let mut unreadable = 0;
    for row in source {
        match row {
            Ok(row) => rows.push(row),
            Err(e) => {
                unreadable += 1;
                eprintln!("error: {}: {e}", path.display());
            }
        }
    }
    if unreadable > 0 {
        eprintln!(
            "error: {}: {} cannot be read, and the year adds up every row of every file: fix {} and run again",
            path.display(),
            count(unreadable, row_word, &format!("{row_word}s")),
            if unreadable == 1 { "it" } else { "them" },
        );
        return Err(exit::PROBLEMS);
    }
    Ok(kpi::data::RawTable {
        headers,
        rows,
        row_word,
    })
}

/// The quarters of `--year`: one file each, in order and named by the file
/// (`Q1.csv` is `Q1`), or one file split by the values of its period column.
pub(crate) fn read_quarters(
    paths: &[PathBuf],
    period_column: Option<&str>,
    options: &kpi::data::ReadOptions,
) -> Result<Vec<kpi::year::Quarter>, u8> {
    match (period_column, paths) {
        (Some(column), [path]) => {
            let table = read_table(path, options)?;
            let Some(at) = table.headers.iter().position(|h| h.trim() == column) else {
                eprintln!("error: {} has no column `{column}`", path.display());
                return Err(exit::PROBLEMS);
            };
            let mut split: indexmap::IndexMap<String, Vec<kpi::data::RawRow>> =
                indexmap::IndexMap::new();
            for row in table.rows {
                let period = row.cell(at).map(|c| c.trimmed().into_owned());
                split
                    .entry(period.unwrap_or_default())
                    .or_default()
                    .push(row);
            }
            Ok(split
                .into_iter()
                .map(|(name, rows)| kpi::year::Quarter {
                    name,
                    table: kpi::data::RawTable {
                        headers: table.headers.clone(),
                        rows,
                        row_word: table.row_word,
                    },
                })
                .collect())
        }
        (Some(_), _) => {
            eprintln!("error: --period-column splits one data file: give one --data");
            Err(exit::CANNOT_RUN)
        }
        (None, paths) => paths
            .iter()
            .map(|path| {
                Ok(kpi::year::Quarter {
                    name: path
                        .file_stem()
                        .map(|s| s.to_string_lossy().to_string())
                        .unwrap_or_default(),
                    table: read_table(path, options)?,
                })
            })
            .collect(),
    }
}
