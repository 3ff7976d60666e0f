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
    /// The period's data (.csv or .json).
    #[arg(long)]
    data: PathBuf,
    /// The employee's id, as in the policy's id column.
    #[arg(long)]
    id: String,
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
    let policy = program.policy();
    let columns = match Columns::map(policy, &table) {
        Ok(c) => c,
        Err(header) => {
            eprint!(
                "error: {} does not fit the policy:\n{header}",
                args.data.display()
            );
            return exit::PROBLEMS;
        }
    };
    let id_column = table
        .headers
        .iter()
        .position(|h| h.trim() == policy.id_column);
    let ids: Vec<String> = table
        .rows
        .iter()
        .map(|row| {
            id_column
                .and_then(|c| row.cells.get(c))
                .map(|c| c.shown().trim().to_string())
                .unwrap_or_default()
        })
        .collect();
    let Some(index) = ids.iter().position(|id| *id == args.id) else {
        let suggestion = kpi::fuzzy::closest(&args.id, ids.iter().map(String::as_str));
        eprintln!(
            "error: no employee with id `{}` in {}",
            args.id,
            args.data.display()
        );
        if let Some(s) = suggestion {
            eprintln!("hint: did you mean `{s}`?");
        }
        return exit::PROBLEMS;
    };
    let Some(row) = table.rows.get(index) else {
        return exit::PROBLEMS;
    };
    let record = match columns.record(policy, row) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::PROBLEMS;
        }
    };
    match kpi::explain::explain(&program, &record) {
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
