//! `kpi explain`: how one employee's numbers came about.

use std::path::PathBuf;

use kpi::data::Columns;

use super::exit;

/// Explain every number of one employee's outcome, from the inputs to the pay.
#[derive(clap::Args)]
#[command(
    after_help = "The explanation comes from the same evaluation that `kpi eval` runs, \
traced: it shows each input, each formula with its values, the band of each table that applied, \
the weights, bonuses and deductions, the grade band and each pay formula with its rounding."
)]
pub(crate) struct Args {
    /// The policy file (.kpi).
    policy: PathBuf,
    /// The period's data: .csv, .json, .jsonl, .xlsx, .xls or .ods. With
    /// --year, one file per quarter, in order (or one file and
    /// --period-column), as `kpi eval --year` takes them.
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    #[command(flatten)]
    year: super::YearArgs,
    #[command(flatten)]
    read: super::ReadArgs,
    /// The employee's id, as in the policy's id column.
    #[arg(long)]
    id: String,
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
    if args.year.year {
        return explain_year(&program, &args, &options);
    }
    let [data] = args.data.as_slice() else {
        eprintln!("error: give one --data file (several only with --year, one per quarter)");
        return exit::CANNOT_RUN;
    };
    let table = match kpi::data::read_with(data, &options) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::CANNOT_RUN;
        }
    };
    let policy = program.policy();
    let columns = match Columns::map(&program, &table.headers, table.row_word) {
        Ok(c) => c,
        Err(header) => {
            let file = data.display().to_string();
            let file = [("file", kpi::i18n::Arg::Text(&file))];
            eprint!("{}\n{header}", kpi::i18n::text("data-misfit", &file));
            if let Some(hint) = super::encoding_hint(data, &options) {
                eprintln!("hint: {hint}");
            }
            return exit::PROBLEMS;
        }
    };
    let rows: Vec<&kpi::data::RawRow> = table
        .rows
        .iter()
        .filter(|row| columns.id_of(row) == args.id)
        .collect();
    let row = match rows.as_slice() {
        [row] => *row,
        [] => {
            eprintln!(
                "error: no employee with id `{}` in {}",
                args.id,
                data.display()
            );
            // Perhaps a name was given for the id.
            let by_name: Vec<String> = table
                .rows
                .iter()
                .filter(|row| columns.name_of(row).as_deref() == Some(args.id.as_str()))
                .map(|row| columns.id_of(row))
                .collect();
            if let [id] = by_name.as_slice() {
                eprintln!("hint: `{}` is the name of {id}: use `--id {id}`", args.id);
            } else {
                let ids: Vec<String> = table.rows.iter().map(|row| columns.id_of(row)).collect();
                if let Some(s) = kpi::fuzzy::closest(&args.id, ids.iter().map(String::as_str)) {
                    eprintln!("hint: did you mean `{s}`?");
                }
            }
            return exit::PROBLEMS;
        }
        many => {
            let lines: Vec<String> = many.iter().map(|r| r.number.to_string()).collect();
            eprintln!(
                "error: the employee id `{}` is on {}s {} of {}; each employee must appear once per period",
                args.id,
                table.row_word,
                lines.join(", "),
                data.display()
            );
            return exit::PROBLEMS;
        }
    };
    let record = match columns.record(&program, row) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::PROBLEMS;
        }
    };
    // Under forced ranking a grade depends on the whole group: run it all.
    let ranking = policy.has_forced_ranking();
    let explained = if ranking {
        let ranked = kpi::batch::evaluate(&program, &table)
            .ok()
            .and_then(|batch| batch.outcomes.into_iter().find(|o| o.id == record.id));
        match ranked {
            Some(outcome) => kpi::explain::explain_ranked(&program, &record, &outcome),
            None => kpi::explain::explain(&program, &record),
        }
    } else {
        kpi::explain::explain(&program, &record)
    };
    match explained {
        Ok(text) => {
            print!("{text}");
            exit::OK
        }
        Err(e) => {
            eprintln!(
                "error: {} {} (id {}): {e}",
                table.row_word, row.number, record.id
            );
            exit::PROBLEMS
        }
    }
}

/// `kpi explain --year`: one employee's yearly result, from the quarters
/// and yearly figures `kpi eval --year` rolls it up from.
fn explain_year(
    program: &kpi::program::Program,
    args: &Args,
    options: &kpi::data::ReadOptions,
) -> u8 {
    let year = match args.year.roll_up(program, &args.data, options) {
        Ok(year) => year,
        Err(code) => return code,
    };
    let found = year.records.iter().find_map(|r| match r {
        Ok((_, record)) if record.id == args.id => Some(Ok(record.clone())),
        Err(e) if e.id.as_deref() == Some(args.id.as_str()) => Some(Err(e.clone())),
        _ => None,
    });
    let record = match found {
        Some(Ok(record)) => record,
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return exit::PROBLEMS;
        }
        None => {
            eprintln!("error: no employee with id `{}` in the quarters", args.id);
            return exit::PROBLEMS;
        }
    };
    // Under forced ranking the yearly grade depends on everyone's year.
    let explained = if program.policy().has_forced_ranking() {
        let mut ranked = None;
        kpi::batch::run_records(program, year.records, "employee", |result| {
            if let kpi::batch::RowResult::Evaluated(_, outcome) = result
                && outcome.id == args.id
            {
                ranked = Some(outcome);
            }
        });
        match ranked {
            Some(outcome) => kpi::explain::explain_ranked(program, &record, &outcome),
            None => kpi::explain::explain(program, &record),
        }
    } else {
        kpi::explain::explain(program, &record)
    };
    match explained {
        Ok(text) => {
            print!("{text}");
            exit::OK
        }
        Err(e) => {
            eprintln!("error: employee {}: {e}", record.id);
            exit::PROBLEMS
        }
    }
}
