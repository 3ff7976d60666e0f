//! `kpi test`: run the worked examples inside policies.

use std::path::PathBuf;

use kpi::diagnostic;

use super::exit;

/// Run every example in the policies and compare each outcome with what it expects.
#[derive(clap::Args)]
#[command(after_help = "\
An example gives one employee's inputs and the outcomes the policy must give them:

  example \"exactly on target\" {
    成交额 = ¥1,000,000
    成交目标 = ¥1,000,000
    …
    expect 成交 = 75
    expect grade = B
    expect 绩效工资 = ¥3,300.00
  }

A failing example is reported at its expectation, with the derivation of the actual value.
The last line reads `N passed, N failed`; exit code 1 when any example fails or a policy has
errors. --coverage lists the bands, segments, branches, vetoes and grades no example reaches.")]
pub(crate) struct Args {
    /// Policy files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Run only the examples whose name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Report what no example reaches.
    #[arg(long)]
    coverage: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    let files = match super::policy_files(&args.paths) {
        Ok(files) if !files.is_empty() => files,
        Ok(_) => {
            eprintln!("error: no .kpi files found in the paths given");
            return exit::CANNOT_RUN;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return exit::CANNOT_RUN;
        }
    };
    let (mut passed, mut failed, mut broken) = (0, 0, 0);
    for file in &files {
        let program = match super::load_program(file) {
            Ok(p) => p,
            Err(exit::CANNOT_RUN) => return exit::CANNOT_RUN,
            Err(_) => {
                broken += 1;
                continue;
            }
        };
        let policy = program.policy();
        let run = kpi::testing::run(&program, args.filter.as_deref());
        println!("{}", file.display());
        if run.results.is_empty() {
            println!(
                "  (no examples{})",
                if args.filter.is_some() {
                    " match the filter"
                } else {
                    ""
                }
            );
        }
        for result in &run.results {
            let mark = if result.passed() { "✓" } else { "✗" };
            println!("  {mark} {}", result.name);
        }
        for result in run.results.iter().filter(|r| !r.passed()) {
            eprint!(
                "{}",
                diagnostic::render(&policy.source, &result.failures, super::style())
            );
        }
        passed += run.results.iter().filter(|r| r.passed()).count();
        failed += run.results.iter().filter(|r| !r.passed()).count();
        if args.coverage {
            let reached = run.coverage_points - run.unreached.len();
            println!(
                "  coverage: {reached} of {} bands, segments, branches, vetoes and grades reached",
                run.coverage_points
            );
            for point in &run.unreached {
                let (line, column) = policy.source.line_col(point.span.start);
                println!(
                    "    not reached: {}:{line}:{column}  {}: {}",
                    file.display(),
                    point.owner,
                    point.what
                );
            }
        }
    }
    if broken > 0 {
        eprintln!(
            "error: {} could not be tested because of the errors above",
            super::count(broken, "policy", "policies")
        );
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 || broken > 0 {
        exit::PROBLEMS
    } else {
        exit::OK
    }
}
