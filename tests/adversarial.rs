//! A corpus of hostile inputs (tests/adversarial/): broken, strange and
//! oversized policies, and data files that are empty, ragged, mis-encoded,
//! overflowing or not what they claim to be. Each one's diagnostics or
//! row errors are pinned by a snapshot; the promises that hold for all of
//! them (a span on every error, no row lost) are asserted here.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use kpi::data::ReadOptions;
use kpi::source::{Source, Span};

/// One line per diagnostic: code, position, message, and its help.
fn summary(source: &Source, diagnostics: &[kpi::diagnostic::Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let (line, column) = source.line_col(d.primary_span().start);
        let message: String = d.message.chars().take(200).collect();
        out.push_str(&format!(
            "{} at {line}:{column}: {message}\n",
            d.code.as_str()
        ));
        if let Some(help) = &d.help {
            out.push_str(&format!("  help: {help}\n"));
        }
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

#[test]
fn every_hostile_policy_gets_diagnostics_with_a_span() {
    insta::glob!("adversarial/policies/*.kpi", |path| {
        let bytes = std::fs::read(path).expect("a corpus file");
        let (source, diagnostics) = kpi::check_bytes("hostile.kpi", bytes.clone());
        for d in diagnostics.iter().filter(|d| d.is_error()) {
            // Every error points somewhere, except in a file with no text.
            assert!(
                d.primary_span() != Span::default() || source.text().trim().is_empty(),
                "{}: `{}` has no span",
                path.display(),
                d.message
            );
        }
        kpi::fuzzing::policy_text(&bytes);
        insta::assert_snapshot!(summary(&source, &diagnostics));
    });
}

#[test]
fn every_hostile_data_file_is_reported_row_by_row() {
    let dir = Path::new("tests/adversarial/data");
    let text = std::fs::read_to_string(dir.join("policy.kpi")).expect("the policy");
    let program = kpi::compile(&Source::new("policy.kpi", text))
        .expect("the corpus policy compiles")
        .program;
    insta::glob!("adversarial/data/*.{csv,json,jsonl}", |path| {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("data.csv");
        let bytes = std::fs::read(path).expect("a corpus file");
        let source = match kpi::data::open_bytes(name, bytes, &ReadOptions::default()) {
            Ok(source) => source,
            Err(e) => {
                insta::assert_snapshot!(format!("cannot read: {}", e.message));
                return;
            }
        };
        let batch = match kpi::batch::collect(&program, source) {
            Ok(batch) => batch,
            Err(e) => {
                insta::assert_snapshot!(format!("header: {e:?}"));
                return;
            }
        };
        // No row is lost: each is an outcome or a failure.
        assert_eq!(
            batch.rows_read,
            batch.outcomes.len() + batch.failures.len(),
            "{name}"
        );
        let mut out = format!(
            "{} rows read, {} evaluated, {} failed\n",
            batch.rows_read,
            batch.outcomes.len(),
            batch.failures.len()
        );
        for failure in &batch.failures {
            out.push_str(&format!("{failure}\n"));
        }
        let csv = kpi::report::csv(&program, &batch.outcomes);
        out.push_str(&csv.chars().take(2000).collect::<String>());
        insta::assert_snapshot!(out);
    });
}
