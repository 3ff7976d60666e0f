//! `kpi eval`: run a policy over a period's data.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;

use super::exit;

/// Evaluate every employee in a data file: indicator points, score, grade and pay.
#[derive(clap::Args)]
#[command(after_help = "\
Columns match inputs by name or by label (`kpi inputs <policy>` lists them); other columns are ignored.
Cells are read as the person sees them:
  money    1125000, 1,125,000.00, ¥1,200, 1200元, 100万, (300.00) for -300
  percent  15% (or the fraction 0.15; a bare 15 is refused as ambiguous)
  number   6, 2.5        score  0 to 100        yes/no  yes/no, 是/否, true/false, 1/0

A row that cannot be evaluated is reported on stderr with its line, employee id, column and rule;
every other row is still evaluated and written, and a last line counts rows read, evaluated and
failed. Exit code 1 if any row failed; 2 if a file cannot be read.
The policy language is described in README.md.")]
pub(crate) struct Args {
    /// The policy file (.kpi).
    policy: PathBuf,
    /// The period's data: a .csv file (UTF-8, comma or tab separated) or a .json array of objects.
    #[arg(long)]
    data: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the results to this file instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned columns and a grade distribution, for reading in a terminal.
    Table,
    /// One row per employee, for spreadsheets.
    Csv,
    /// An array of objects with decimals as strings, for programs and snapshots.
    Json,
}

pub(crate) fn run(args: Args) -> u8 {
    let program = match super::load_program(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let table = match kpi::data::read(&args.data) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::CANNOT_RUN;
        }
    };
    let batch = match kpi::batch::evaluate(&program, &table) {
        Ok(b) => b,
        Err(header) => {
            eprint!(
                "error: {} does not fit the policy:\n{header}",
                args.data.display()
            );
            eprintln!("hint: a column matches an input by its name or its label");
            return exit::PROBLEMS;
        }
    };
    let policy = program.policy();
    let text = match args.format {
        Format::Table => kpi::report::table(policy, &batch.outcomes),
        Format::Csv => kpi::report::csv(policy, &batch.outcomes),
        Format::Json => kpi::report::json(&batch.outcomes),
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write the results: {e}")),
    };
    if let Err(e) = written {
        eprintln!("error: {e}");
        return exit::CANNOT_RUN;
    }
    for failure in &batch.failures {
        eprintln!("error: {failure}");
    }
    eprintln!(
        "{} read, {} evaluated, {} failed",
        super::count(batch.rows_read, "row", "rows"),
        batch.outcomes.len(),
        batch.failures.len()
    );
    if batch.failures.is_empty() {
        exit::OK
    } else {
        exit::PROBLEMS
    }
}
