//! The mistakes HR writers make (tests/fixtures/mistakes/): each file is a
//! realistic policy with one mistake typed into it, and its first line says
//! what the writer did and the line a good tool points at:
//!
//!     // mistake: <what the writer did> | line: <N>
//!
//! Every file must get a diagnostic at that line with a help, and no error
//! on any other line (a diagnostic about a whole set, such as the weights,
//! may start elsewhere if one of its labels marks the line). The full human
//! output of each is pinned by a snapshot. REPORT.md judges each help by
//! hand as well.
//!
//! The files kpi does not yet handle so are listed in `KNOWN_GAPS`, each
//! with what goes wrong; the test fails when one of them starts to pass, so
//! that the list only shrinks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use kpi::diagnostic::{Style, render};

/// Files that still fail, and why.
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// The line the file's first line names.
fn expected_line(text: &str) -> usize {
    let first = text.lines().next().unwrap_or("");
    let line = first
        .split("| line:")
        .nth(1)
        .unwrap_or_else(|| panic!("no `| line: N` in {first:?}"));
    line.trim().parse().unwrap()
}

/// Why a file fails the rule, or `None` when it passes.
fn judge(path: &Path) -> (Option<String>, String) {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let line = expected_line(&text);
    let name = format!("mistakes/{}", path.file_name().unwrap().to_string_lossy());
    let (source, diagnostics) = kpi::check_bytes(&name, bytes);
    // A diagnostic about a whole set (the weights, the bands, a name
    // defined twice, a circle) starts where the set does and marks the
    // line with a label; any other must start at the line.
    let on_line = |d: &kpi::diagnostic::Diagnostic| {
        let set = matches!(
            d.code.as_str(),
            "kpi::weights::sum"
                | "kpi::grades::gap"
                | "kpi::grades::overlap"
                | "kpi::name::duplicate"
                | "kpi::cycle"
        );
        if set {
            d.labels
                .iter()
                .any(|l| source.line_col(l.span.start).0 == line)
        } else {
            source.line_col(d.primary_span().start).0 == line
        }
    };
    let rendered = render(&source, &diagnostics, Style::Plain);
    let snapshot = format!(
        "{}\n----- diagnostics -----\n{}",
        source.text().trim_end(),
        rendered.trim_end()
    );
    let at = diagnostics.iter().find(|d| on_line(d));
    let why = match at {
        None => Some(format!("nothing is reported at line {line}")),
        Some(d) if d.help.as_deref().is_none_or(str::is_empty) => {
            Some(format!("the diagnostic at line {line} has no help"))
        }
        Some(_) => diagnostics
            .iter()
            .find(|d| d.is_error() && !on_line(d))
            .map(|d| {
                format!(
                    "an error at line {}: {}",
                    source.line_col(d.primary_span().start).0,
                    d.message
                )
            }),
    };
    (why, snapshot)
}

#[test]
fn every_mistake_is_named_once_at_its_line_with_its_fix() {
    let mut failures = Vec::new();
    let mut fixed = Vec::new();
    let mut count = 0;
    insta::glob!("fixtures/mistakes/*.kpi", |path| {
        count += 1;
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let (why, snapshot) = judge(path);
        let gap = KNOWN_GAPS.iter().any(|(f, _)| *f == file);
        match (why, gap) {
            (Some(why), false) => failures.push(format!("{file}: {why}")),
            (None, true) => fixed.push(file),
            _ => {}
        }
        insta::assert_snapshot!(snapshot);
    });
    assert!(count >= 100, "{count} mistakes");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        fixed.is_empty(),
        "these now pass: take them out of KNOWN_GAPS: {fixed:?}"
    );
}
