//! `kpi fmt`: rewrite policies in the canonical layout.

use std::path::PathBuf;

use kpi::diagnostic;
use kpi::source::Source;

use super::exit;

/// Rewrite policy files in one canonical layout, keeping every comment.
#[derive(clap::Args)]
#[command(after_help = "\
The layout: two-space indentation, one line per item, aligned inputs, weights, thresholds,
grade bands and example values, half-width punctuation, labels in \"…\". Comments and blank
lines between items are kept. The formatted policy is parsed again and compared with the
original before anything is written: formatting never changes what a policy says.
With --check nothing is written: a diff is printed for each file that is not formatted,
and the exit code is 1 if there is any.")]
pub(crate) struct Args {
    /// Policy files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Only check: print a diff and exit with 1 when a file is not formatted.
    #[arg(long)]
    check: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    let files = match super::policy_files(&args.paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let (mut unformatted, mut failed, mut changed) = (0, 0, 0);
    for file in &files {
        let (source, diags) = match super::read_policy(file) {
            Ok(read) => read,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::CANNOT_RUN;
            }
        };
        if !diags.is_empty() {
            eprint!("{}", diagnostic::render(&source, &diags, super::style()));
            failed += 1;
            continue;
        }
        let formatted = match kpi::formatter::format_checked(&source) {
            Ok(text) => text,
            Err(kpi::formatter::Error::Syntax(diags)) => {
                eprint!("{}", diagnostic::render(&source, &diags, super::style()));
                eprintln!(
                    "error: {} has syntax errors and was not formatted",
                    file.display()
                );
                failed += 1;
                continue;
            }
            Err(e) => {
                eprintln!("error: {}: {e}; the file was left as it is", file.display());
                failed += 1;
                continue;
            }
        };
        if formatted == source.text() && !source.rewrote_line_ends() {
            continue;
        }
        if args.check {
            unformatted += 1;
            print!("{}", diff(&source, &formatted));
            if source.rewrote_line_ends() {
                println!(
                    "{}: lines end in a lone \\r (kpi fmt writes \\n)",
                    file.display()
                );
            }
        } else if let Err(e) = std::fs::write(file, &formatted) {
            eprintln!("error: cannot write {}: {e}", file.display());
            return exit::CANNOT_RUN;
        } else {
            changed += 1;
        }
    }
    if args.check {
        eprintln!(
            "{} checked: {} not formatted",
            super::count(files.len(), "file", "files"),
            unformatted
        );
    } else {
        eprintln!(
            "{} formatted: {} changed",
            super::count(files.len(), "file", "files"),
            changed
        );
    }
    if unformatted > 0 || failed > 0 {
        exit::PROBLEMS
    } else {
        exit::OK
    }
}

fn diff(source: &Source, formatted: &str) -> String {
    similar::TextDiff::from_lines(source.text(), formatted)
        .unified_diff()
        .context_radius(2)
        .header(source.name(), &format!("{} (formatted)", source.name()))
        .to_string()
}
