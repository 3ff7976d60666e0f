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
errors. --coverage lists the bands, segments, branches, vetoes and grades no example reaches.
--boundaries prints, for every threshold, linear point and grade edge, the outcomes just below,
at and just above it (one input of the plan's first example moved to reach it); --write appends
those records to the policy as examples pinning what the policy gives them today.")]
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
    /// Also print, for every table threshold, linear point and grade band
    /// edge, the outcomes just below, at and just above it.
    #[arg(long)]
    boundaries: bool,
    /// With --boundaries: append the table cases to the policy as examples
    /// (pinned outcomes) for the author to review.
    #[arg(long, requires = "boundaries")]
    write: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    let files = match super::policy_files(&args.paths) {
        Ok(files) => files,
        Err(code) => return code,
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
        if args.boundaries {
            let boundaries = kpi::analysis::cases::boundaries(&program);
            print!("{}", boundary_table(&boundaries, policy));
            if args.write {
                match write_boundaries(file, &program, &boundaries) {
                    Ok(0) => println!(
                        "  {} has every boundary example already: nothing written",
                        file.display()
                    ),
                    Ok(n) => println!(
                        "  wrote {} to {}",
                        super::count(n, "example", "examples"),
                        file.display()
                    ),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return exit::CANNOT_RUN;
                    }
                }
            }
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
    println!(
        "{}",
        kpi::i18n::text(
            "test-summary",
            &[
                ("passed", kpi::i18n::Arg::Count(passed)),
                ("failed", kpi::i18n::Arg::Count(failed)),
            ],
        )
    );
    if failed > 0 || broken > 0 {
        exit::PROBLEMS
    } else {
        exit::OK
    }
}

/// The boundary cases as text: one block per threshold.
fn boundary_table(
    boundaries: &[kpi::analysis::cases::Boundary],
    policy: &kpi::checked::CheckedPolicy,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for b in boundaries {
        let plan = b
            .plan
            .as_ref()
            .map(|p| format!("plan {p} · "))
            .unwrap_or_default();
        let owner = b
            .indicator
            .as_ref()
            .map(|i| format!("indicator {i}: "))
            .unwrap_or_default();
        let moved = b
            .input
            .as_ref()
            .map(|i| format!(" (moving {i})"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {plan}{owner}{}{moved}", b.what);
        for c in &b.cases {
            let mut cells = vec![format!("{:<5}", c.side)];
            if let (Some(v), Some(name)) = (c.input_value, &b.input) {
                let ty = policy.inputs.iter().find(|i| &i.name == name).map(|i| i.ty);
                let shown = match ty {
                    Some(kpi::ast::InputType::Money) => {
                        kpi::format::money(v, policy.currency.as_deref())
                    }
                    Some(kpi::ast::InputType::Percent) => kpi::format::percent(v),
                    _ => kpi::format::number(v),
                };
                cells.push(format!("{name} = {shown}"));
            }
            if let Some(p) = c.points {
                cells.push(format!("points {p}"));
            }
            if let Some(s) = c.score {
                cells.push(format!("score {s}"));
            }
            if let Some(g) = &c.grade {
                cells.push(format!("grade {g}"));
            }
            let _ = writeln!(out, "      {}", cells.join("   "));
        }
    }
    out
}

/// Appends the table cases to the policy as examples, each inside its plan.
fn write_boundaries(
    file: &std::path::Path,
    program: &kpi::program::Program,
    boundaries: &[kpi::analysis::cases::Boundary],
) -> Result<usize, String> {
    let source = &program.policy().source;
    let ast = kpi::syntax::parse(source).map_err(|_| format!("cannot parse {}", file.display()))?;
    // Where each plan's block (or the policy's) ends: the examples go
    // before its closing brace, last first so the offsets stay right.
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut written = 0;
    // The examples the policy has, in its plans too: a boundary example
    // written before is not written again (example names are unique).
    let mut existing = std::collections::HashSet::new();
    let mut items: Vec<&kpi::ast::Item> = ast.items.iter().collect();
    while let Some(item) = items.pop() {
        match item {
            kpi::ast::Item::Example(e) => {
                existing.insert(e.name.text.clone());
            }
            kpi::ast::Item::Plan(p) => items.extend(&p.items),
            _ => {}
        }
    }
    for plan in program.plans() {
        let policy = plan.policy();
        let name = policy.plan.as_ref().map(|p| p.name.clone());
        let text: String = boundaries
            .iter()
            .filter(|b| b.plan == name && b.input.is_some())
            .map(|b| {
                let (text, count) = kpi::analysis::cases::as_examples(policy, b, &existing);
                written += count;
                text
            })
            .collect();
        if text.is_empty() {
            continue;
        }
        let end = match &name {
            Some(n) => ast.items.iter().find_map(|i| match i {
                kpi::ast::Item::Plan(p) if &p.name.text == n => Some(p.span.end),
                _ => None,
            }),
            None => Some(ast.span.end),
        }
        .ok_or_else(|| format!("cannot find where to write in {}", file.display()))?;
        let brace = source.text()[..end].rfind('}').unwrap_or(end);
        inserts.push((brace, text));
    }
    // Nothing new: the file is left as it is.
    if written == 0 {
        return Ok(0);
    }
    let mut text = source.text().to_string();
    inserts.sort_by_key(|i| std::cmp::Reverse(i.0));
    for (at, examples) in inserts {
        text.insert_str(at, &examples);
    }
    let formatted = kpi::formatter::format(&kpi::source::Source::new(
        file.display().to_string(),
        text.clone(),
    ))
    .unwrap_or(text);
    std::fs::write(file, formatted).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(written)
}
