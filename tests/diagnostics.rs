//! The broken-policy corpus: every file in tests/fixtures/errors/ names the
//! code it must produce on its first line (`// expect: kpi::…`), from
//! `kpi check` or, for `kpi::test::failed`, from running its examples; its rendered
//! diagnostics are pinned in a snapshot next to the policy text, so each
//! snapshot reads "this policy gives this message". Every diagnostic code
//! kpi has must be produced by at least one file.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

use kpi::diagnostic::{Code, Style, render};

fn expected_code(bytes: &[u8]) -> String {
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let first_line = String::from_utf8_lossy(first_line);
    first_line
        .split("expect:")
        .nth(1)
        .map(|c| c.trim().to_string())
        .unwrap_or_else(|| panic!("no `// expect: <code>` line"))
}

fn check(path: &Path) -> (String, String, Vec<String>) {
    let bytes = std::fs::read(path).unwrap();
    let expected = expected_code(&bytes);
    let name = format!(
        "fixtures/errors/{}",
        path.file_name().unwrap().to_string_lossy()
    );
    let (source, mut diagnostics) = kpi::check_bytes(&name, bytes);
    // A policy that checks clean may still fail its examples.
    if !diagnostics.iter().any(|d| d.is_error())
        && let Ok(compiled) = kpi::compile(&source)
    {
        let run = kpi::testing::run(&compiled.program, None);
        diagnostics.extend(run.results.into_iter().flat_map(|r| r.failures));
        // And what `kpi analyze` finds (check_bytes has the intent findings).
        diagnostics.extend(
            kpi::analysis::analyze(&compiled.program)
                .findings
                .into_iter()
                .filter(|d| {
                    matches!(
                        d.code.as_str(),
                        "kpi::analyze::zero_divisor" | "kpi::analyze::unbounded_pay"
                    )
                }),
        );
    }
    let codes = diagnostics
        .iter()
        .map(|d| d.code.as_str().to_string())
        .collect();
    let rendered = render(&source, &diagnostics, Style::Plain);
    let snapshot = format!(
        "{}\n----- diagnostics -----\n{}",
        source.text().trim_end(),
        rendered.trim_end()
    );
    (expected, snapshot, codes)
}

#[test]
fn every_broken_policy_reports_its_mistake() {
    insta::glob!("fixtures/errors/*.kpi", |path| {
        let (expected, snapshot, codes) = check(path);
        assert!(
            codes.contains(&expected),
            "{} should report {expected}, reported {codes:?}",
            path.display()
        );
        insta::assert_snapshot!(snapshot);
    });
}

#[test]
fn every_diagnostic_code_has_a_broken_policy() {
    let mut produced = BTreeSet::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "kpi") {
            produced.extend(check(&path).2);
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !produced.contains(*c))
        .collect();
    assert!(missing.is_empty(), "no fixture produces {missing:?}");
}

#[test]
fn valid_policies_check_clean() {
    insta::glob!("fixtures/ok/*.kpi", |path| {
        let bytes = std::fs::read(path).unwrap();
        let (source, diagnostics) = kpi::check_bytes(&path.display().to_string(), bytes);
        assert!(
            diagnostics.is_empty(),
            "{}",
            render(&source, &diagnostics, Style::Plain)
        );
    });
}

/// The `file:line:column` above each report counts columns in characters,
/// as an editor and kpi's JSON and SARIF output do: across the corpus, where
/// Chinese names stand before many a mistake, each report's reference is
/// its first label's line and character column.
#[test]
fn report_references_count_columns_in_characters() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors");
    let mut checked = 0;
    let mut wide = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "kpi") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let (source, diagnostics) = kpi::check_bytes("p.kpi", bytes);
        for d in &diagnostics {
            let Some(label) = d.labels.first() else {
                continue;
            };
            let text = source.text();
            let before = &text[..label.span.start];
            let line = before.matches('\n').count() + 1;
            let line_text = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
            let column = line_text.chars().count() + 1;
            wide += usize::from(line_text.len() + 1 != column);
            let rendered = render(&source, std::slice::from_ref(d), Style::Plain);
            assert!(
                rendered.contains(&format!("[p.kpi:{line}:{column}]")),
                "{}: expected p.kpi:{line}:{column} in\n{rendered}",
                path.display()
            );
            checked += 1;
        }
    }
    // Reports were checked, many on lines where bytes and characters differ.
    assert!(checked > 100 && wide > 20, "{checked} reports, {wide} wide");
}

/// A policy saved with old Mac line ends (a lone `\r`) reads as the same
/// policy with `\n`: its comments end at the line end (rather than running
/// on to the end of the file), and each mistake is reported at the same
/// line and column. `\r\n` reads the same too.
#[test]
fn every_kind_of_line_end_reads_the_same_policy() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors");
    let mut compared = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "kpi") {
            continue;
        }
        // A fixture that is not UTF-8 (the encoding mistake) has no lines
        // to compare.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if text.contains('\r') || !text.contains("//") {
            continue;
        }
        let reports = |text: String| {
            let (source, diagnostics) = kpi::check_bytes("p.kpi", text.into_bytes());
            let codes: Vec<String> = diagnostics.iter().map(|d| d.code.to_string()).collect();
            let places: Vec<(usize, usize)> = diagnostics
                .iter()
                .map(|d| source.line_col(d.primary_span().start))
                .collect();
            (codes, places)
        };
        let expected = reports(text.clone());
        // The analyzer's fixtures check clean.
        if expected.0.is_empty() {
            continue;
        }
        for line_end in ["\r", "\r\n"] {
            assert_eq!(
                reports(text.replace('\n', line_end)),
                expected,
                "{} with {line_end:?}",
                path.display()
            );
        }
        compared += 1;
    }
    assert!(compared > 20, "{compared}");
}
