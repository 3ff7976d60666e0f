//! `kpi check`: report every mistake in policy files.

use std::path::PathBuf;

use clap::ValueEnum;
use kpi::diagnostic::{self, Diagnostic};
use kpi::report::diagnostics::{self as machine, FileDiagnostics};
use kpi::source::Source;

use super::exit;

/// Check policy files and report every mistake, with where it is and how to fix it.
#[derive(clap::Args)]
#[command(after_help = "\
Folders are searched for .kpi files. Human diagnostics go to stderr; the machine formats go to
stdout: `json` (an array of objects with code, severity, message, file, line, column, end_line,
end_column, labels and help), `github` (workflow commands that annotate the pull request's lines)
and `sarif` (SARIF 2.1.0, for code-scanning tools).
Exit code 1 when any file has an error (or a warning, with --deny-warnings); 2 if a path cannot be read.")]
pub(crate) struct Args {
    /// Policy files or folders to check.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// How to report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Graphical reports for people.
    Human,
    /// A JSON array of diagnostics.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
    /// SARIF 2.1.0.
    Sarif,
}

pub(crate) fn run(args: Args) -> u8 {
    let files = match super::policy_files(&args.paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let mut checked: Vec<(Source, Vec<Diagnostic>)> = Vec::new();
    // What each clean policy can give, from `kpi analyze`, in a line.
    let mut summaries: Vec<String> = Vec::new();
    for file in &files {
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", file.display());
                return exit::CANNOT_RUN;
            }
        };
        // The analysis the language server and the workbench share.
        let analyzed = kpi::ide::analyze_bytes(&file.display().to_string(), bytes);
        if let (Some(analysis), Some(compiled)) = (&analyzed.analysis, &analyzed.compiled) {
            let line = kpi::report::analysis::summary_line(analysis, compiled.program.policy());
            if !line.is_empty() {
                summaries.push(format!("{}: {line}", file.display()));
            }
        }
        let kpi::ide::PolicyAnalysis {
            source,
            diagnostics,
            syntax,
            names,
            compiled,
            analysis,
        } = analyzed;
        // The trees of a large policy take a while to free, which the next
        // file (or the process's exit) need not wait for.
        // Where no thread can be started, they are freed here.
        drop(
            std::thread::Builder::new()
                .name("kpi-free".to_string())
                .spawn(move || drop((syntax, names, compiled, analysis))),
        );
        checked.push((source, diagnostics));
    }
    let all = checked.iter().flat_map(|(_, d)| d);
    let errors = all.clone().filter(|d| d.is_error()).count();
    let warnings = all.filter(|d| !d.is_error()).count();
    let unreadable = checked
        .iter()
        .filter(|(_, d)| d.iter().any(|d| d.code.as_str().starts_with("kpi::syntax")))
        .count();
    let for_machines: Vec<FileDiagnostics<'_>> = checked
        .iter()
        .map(|(source, diagnostics)| FileDiagnostics {
            source,
            diagnostics,
        })
        .collect();
    match args.format {
        Format::Human => {
            for (source, diags) in &checked {
                if !diags.is_empty() {
                    eprint!("{}", diagnostic::render(source, diags, super::style()));
                }
            }
            for line in &summaries {
                eprintln!("{line}");
            }
            use kpi::i18n::{Arg, text};
            let (files, errors, warnings) = (
                super::counted("files-count", files.len()),
                super::counted("errors-count", errors),
                super::counted("warnings-count", warnings),
            );
            eprintln!(
                "{}",
                text(
                    "check-summary",
                    &[
                        ("files", Arg::Text(&files)),
                        ("errors", Arg::Text(&errors)),
                        ("warnings", Arg::Text(&warnings)),
                    ],
                )
            );
            if unreadable > 0 {
                let files = super::counted("files-count", unreadable);
                eprintln!(
                    "{}",
                    text("check-unreadable", &[("files", Arg::Text(&files))])
                );
            }
        }
        Format::Json => print!("{}", machine::json(&for_machines)),
        Format::Github => print!("{}", machine::github(&for_machines)),
        Format::Sarif => print!("{}", machine::sarif(&for_machines)),
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        exit::PROBLEMS
    } else {
        exit::OK
    }
}
