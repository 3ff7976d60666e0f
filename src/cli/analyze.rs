//! `kpi analyze`: what a policy can do, before anyone is paid.

use std::path::PathBuf;

use clap::ValueEnum;
use kpi::diagnostic;

use super::exit;

/// Prove what a policy can pay: the bounds of every indicator, the score and
/// each pay item over the inputs' declared ranges, the grades no one can
/// reach, pay with no ceiling, divisors that can be zero, and points that
/// fall as a result improves.
#[derive(clap::Args)]
#[command(after_help = "\
Inputs are bounded by their declared ranges (`input 差错率 percent range >= 0% and <= 100%`);
a score input lies in 0–100. Bounds hold for every record the data readers accept.
Findings are warnings on stderr; exit code 1 with --deny-warnings when there are any.
With --data (one policy): the pay bill of the data, per pay item, as graded and with everyone
one grade up or one grade down (the best and worst grades stay, vetoes still apply).")]
pub(crate) struct Args {
    /// Policy files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// How to report: `human` (a table per plan) or `json`.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail when there is any finding.
    #[arg(long)]
    deny_warnings: bool,
    /// A period's data: also give the pay bill (each pay item's total) and
    /// what it would be if everyone were graded one grade up or down.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

pub(crate) fn run(args: Args) -> u8 {
    let files = match super::policy_files(&args.paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let mut findings = 0;
    let mut failed = false;
    let mut json = Vec::new();
    for file in &files {
        let program = match super::load_program(file) {
            Ok(p) => p,
            Err(code) => {
                if code == exit::CANNOT_RUN {
                    return code;
                }
                failed = true;
                continue;
            }
        };
        let analysis = kpi::analysis::analyze(&program);
        let bill = match &args.data {
            Some(path) => {
                let source = match kpi::data::open(path, &kpi::data::ReadOptions::default()) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("error: {e}");
                        return exit::CANNOT_RUN;
                    }
                };
                match kpi::analysis::bill::pay_bill(&program, source) {
                    Ok(bill) => Some(bill),
                    Err(e) => {
                        eprintln!("error: {}: {e}", path.display());
                        return exit::PROBLEMS;
                    }
                }
            }
            None => None,
        };
        findings += analysis.findings.len();
        if !analysis.findings.is_empty() {
            eprint!(
                "{}",
                diagnostic::render(&program.policy().source, &analysis.findings, super::style())
            );
        }
        match args.format {
            Format::Human => {
                println!("{}", file.display());
                print!(
                    "{}",
                    kpi::report::analysis::analysis_text(&analysis, program.policy())
                );
                if let Some(bill) = &bill {
                    print!(
                        "{}",
                        kpi::report::analysis::bill_text(bill, program.policy())
                    );
                }
            }
            Format::Json => json.push(serde_json::json!({
                "file": file.display().to_string(),
                "analysis": analysis,
                "pay_bill": bill,
            })),
        }
    }
    if args.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_else(|_| "[]".to_string())
        );
    }
    eprintln!(
        "analyzed {}: {}",
        super::count(files.len(), "file", "files"),
        super::count(findings, "finding", "findings")
    );
    if failed || (args.deny_warnings && findings > 0) {
        exit::PROBLEMS
    } else {
        exit::OK
    }
}
