//! `kpi gen`: synthetic data for a policy.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use super::exit;

/// Write synthetic data for a policy: one row per made-up employee, a column per input.
#[derive(clap::Args)]
#[command(after_help = "\
Values are of each input's type in plausible ranges: targets of ¥200,000–¥2,000,000, actuals
around them, pay bases of ¥3,000–¥20,000, percentages of 0–20%, scores of 50–100, counts of
1–12, and `yes` for about 3% of yes/no inputs. The same --seed gives the same file.
For tests and benchmarks: kpi gen policy.kpi --rows 1000000 --output big.csv")]
pub(crate) struct Args {
    /// The policy file (.kpi).
    policy: PathBuf,
    /// How many employees.
    #[arg(long, default_value_t = 1000)]
    rows: usize,
    /// The seed of the random numbers.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write to this CSV file instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> u8 {
    let program = match super::load_program(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let written = match &args.output {
        Some(path) => File::create(path).and_then(|f| {
            kpi::generate::csv(program.policy(), args.rows, args.seed, BufWriter::new(f))
        }),
        None => kpi::generate::csv(
            program.policy(),
            args.rows,
            args.seed,
            std::io::stdout().lock(),
        ),
    };
    match written {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: cannot write the data: {e}");
            exit::CANNOT_RUN
        }
    }
}
