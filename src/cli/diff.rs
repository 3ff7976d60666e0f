//! `kpi diff`: two versions of a policy over the same data.

use std::path::PathBuf;

use clap::ValueEnum;

use super::exit;

/// Run two versions of a policy over the same data and list every employee whose score,
/// grade or pay changes, with the pay bill before and after.
#[derive(clap::Args)]
#[command(after_help = "\
This is how to test a policy change on last period's data before adopting it:
  kpi diff policies/sales-2025.kpi policies/sales-2026.kpi --data q4-2025.csv

The data must have the columns both versions need. Employees are matched by id.
Exit code 0 when both versions ran on every row (changes or not; with --exit-code, 1 when
anything changes), 1 when a row fails in either version, 2 when a file cannot be read.")]
pub(crate) struct Args {
    /// The policy as it is now.
    old: PathBuf,
    /// The changed policy.
    new: PathBuf,
    /// The data to run both on: .csv, .json, .jsonl, .xlsx, .xls or .ods.
    #[arg(long)]
    data: PathBuf,
    #[command(flatten)]
    read: super::ReadArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with 1 when any outcome changes (for CI gates).
    #[arg(long)]
    exit_code: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Each change with before → after, then the pay bill.
    Text,
    /// One row per changed value.
    Csv,
    /// The whole comparison as one object.
    Json,
}

pub(crate) fn run(args: Args) -> u8 {
    let (old, new) = match (
        super::load_program(&args.old),
        super::load_program(&args.new),
    ) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let options = match args.read.options() {
        Ok(options) => options,
        Err(code) => return code,
    };
    // Each version's run streams the data (read twice under forced
    // ranking) and keeps only what the comparison needs of each outcome.
    let mut sides = Vec::new();
    let mut failures = Vec::new();
    for (program, path) in [(&old, &args.old), (&new, &args.new)] {
        let source = match kpi::data::open(&args.data, &options) {
            Ok(source) => source,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::CANNOT_RUN;
            }
        };
        let mut compared = Vec::new();
        let mut failed = Vec::new();
        let run = kpi::batch::run(program, source, |row| match row {
            kpi::batch::RowResult::Evaluated(_, outcome) => {
                compared.push(kpi::diff::Compared::of(&outcome));
            }
            kpi::batch::RowResult::Failed(e) => failed.push(e),
        });
        if let Err(header) = run {
            let (file, policy) = (args.data.display().to_string(), path.display().to_string());
            let args = [
                ("file", kpi::i18n::Arg::Text(&file)),
                ("policy", kpi::i18n::Arg::Text(&policy)),
            ];
            eprint!(
                "{}\n{header}",
                kpi::i18n::text("data-misfit-version", &args)
            );
            return exit::PROBLEMS;
        }
        sides.push(compared);
        failures.push((path, failed));
    }
    let [before, after] = sides.as_slice() else {
        return exit::CANNOT_RUN;
    };
    let diff = kpi::diff::compare_outcomes(before, after);
    let currency = new.policy().currency.as_deref();
    match args.format {
        Format::Text => print!("{}", kpi::report::diff_text(&diff, currency)),
        Format::Csv => print!("{}", kpi::report::diff_csv(&diff)),
        Format::Json => print!("{}", kpi::report::diff_json(&diff)),
    }
    let mut failed = false;
    for (path, failures) in &failures {
        for failure in failures {
            eprintln!("error: {}: {failure}", path.display());
            failed = true;
        }
    }
    let gate = args.exit_code && !diff.changes.is_empty();
    if failed || gate {
        exit::PROBLEMS
    } else {
        exit::OK
    }
}
