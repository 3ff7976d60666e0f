//! `kpi check`: report every mistake in policy files.

use std::path::PathBuf;

use clap::ValueEnum;
use kpi::diagnostic::{self, Diagnostic, Severity};
use kpi::source::Source;
use serde::Serialize;

use super::exit;

/// Check policy files and report every mistake, with where it is and how to fix it.
#[derive(clap::Args)]
#[command(
    after_help = "Folders are searched for .kpi files. Diagnostics go to stderr; \
with --format json, one JSON array goes to stdout.\n\
Exit code 1 when any file has an error (or a warning, with --deny-warnings)."
)]
pub(crate) struct Args {
    /// Policy files or folders to check.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// How to report: `human` (graphical, for people) or `json` (for CI tools).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

pub(crate) fn run(args: Args) -> u8 {
    let files = match super::policy_files(&args.paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::CANNOT_RUN;
        }
    };
    if files.is_empty() {
        eprintln!("error: no .kpi files found in the paths given");
        return exit::CANNOT_RUN;
    }
    let (mut errors, mut warnings, mut unreadable) = (0, 0, 0);
    let mut json = Vec::new();
    for file in &files {
        let (source, mut diags) = match super::read_policy(file) {
            Ok(read) => read,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::CANNOT_RUN;
            }
        };
        if diags.is_empty() {
            diags = match kpi::compile(&source) {
                Ok(compiled) => compiled.warnings,
                Err(diags) => diags,
            };
        }
        errors += diags.iter().filter(|d| d.is_error()).count();
        if diags
            .iter()
            .any(|d| d.code.as_str().starts_with("kpi::syntax"))
        {
            unreadable += 1;
        }
        warnings += diags.iter().filter(|d| !d.is_error()).count();
        match args.format {
            Format::Human => {
                if !diags.is_empty() {
                    eprint!("{}", diagnostic::render(&source, &diags, super::style()));
                }
            }
            Format::Json => json.extend(diags.iter().map(|d| JsonDiagnostic::new(&source, d))),
        }
    }
    match args.format {
        Format::Human => {
            eprintln!(
                "checked {}: {}, {}",
                super::count(files.len(), "file", "files"),
                super::count(errors, "error", "errors"),
                super::count(warnings, "warning", "warnings")
            );
            if unreadable > 0 {
                eprintln!(
                    "note: {} could not be read, so names, units, weights and grades were not checked yet: fix the syntax errors first",
                    super::count(unreadable, "file", "files")
                );
            }
        }
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        ),
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        exit::PROBLEMS
    } else {
        exit::OK
    }
}

/// One diagnostic for machines: positions as one-based line and column.
#[derive(Serialize)]
struct JsonDiagnostic {
    file: String,
    code: String,
    severity: Severity,
    message: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    labels: Vec<JsonLabel>,
    help: Option<String>,
}

#[derive(Serialize)]
struct JsonLabel {
    message: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl JsonDiagnostic {
    fn new(source: &Source, d: &Diagnostic) -> Self {
        let span = d.primary_span();
        let (line, column) = source.line_col(span.start);
        let (end_line, end_column) = source.line_col(span.end);
        JsonDiagnostic {
            file: source.name().to_string(),
            code: d.code.as_str().to_string(),
            severity: d.severity,
            message: d.message.clone(),
            line,
            column,
            end_line,
            end_column,
            labels: d
                .labels
                .iter()
                .map(|l| {
                    let (line, column) = source.line_col(l.span.start);
                    let (end_line, end_column) = source.line_col(l.span.end);
                    JsonLabel {
                        message: l.message.clone(),
                        line,
                        column,
                        end_line,
                        end_column,
                    }
                })
                .collect(),
            help: d.help.clone(),
        }
    }
}
