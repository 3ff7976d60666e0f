//! The harness shared by the fuzz targets (`fuzz/`), the property tests
//! and the replay of the fuzz corpus (`tests/robustness.rs`): one set of
//! checks, three drivers. Each function runs kpi end to end on its input
//! and panics only when kpi breaks a promise: a panic inside kpi, a
//! formatter that changes what a policy says, output that differs between
//! two runs of the same input.

use crate::data::{Columns, ReadOptions};
use crate::language::diagnostic::{self, Style};
use crate::language::source::Source;
use crate::report::diagnostics::{self as machine, FileDiagnostics};
use crate::tools::formatter;

/// The bundled policies, which the data target evaluates when its input
/// carries no policy of its own.
pub const BUNDLED: &[&str] = &[
    include_str!("../policies/foreign_trade_sales.kpi"),
    include_str!("../policies/marketing_director_pay.kpi"),
    include_str!("../policies/operations_director.kpi"),
];

/// Separates a policy from its data in a fuzz input.
pub const SEPARATOR: &[u8] = b"\n====\n";

/// Any bytes as a policy file: decoded, parsed, checked and compiled; the
/// diagnostics rendered in every format; the policy formatted, and the
/// formatted text checked to say the same and to be formatted already.
#[allow(clippy::panic)]
pub fn policy_text(bytes: &[u8]) {
    let (source, diagnostics) = crate::check_bytes("fuzz.kpi", bytes.to_vec());
    render_all(&source, &diagnostics);
    match formatter::format_checked(&source) {
        Ok(formatted) => {
            let again = formatter::format(&Source::new("fuzz.kpi", formatted.clone()));
            if again.as_ref() != Ok(&formatted) {
                panic!("formatting is not idempotent:\n{formatted}");
            }
        }
        Err(formatter::Error::Syntax(_)) => {}
        Err(e) => panic!("{e}"),
    }
}

/// Renders diagnostics as a terminal, CI and code scanning would see them.
fn render_all(source: &Source, diagnostics: &[diagnostic::Diagnostic]) {
    let _ = diagnostic::render(source, diagnostics, Style::Plain);
    let files = [FileDiagnostics {
        source,
        diagnostics,
    }];
    let _ = machine::json(&files);
    let _ = machine::github(&files);
    let _ = machine::sarif(&files);
}

/// A fuzz input for [`policy_and_data`]: `policy ==== data`, or (with no
/// separator) a first byte choosing a bundled policy and the data format,
/// followed by the data.
pub fn split(bytes: &[u8]) -> (Vec<u8>, &'static str, Vec<u8>) {
    const FORMATS: [&str; 3] = ["data.csv", "data.json", "data.jsonl"];
    let at = bytes.windows(SEPARATOR.len()).position(|w| w == SEPARATOR);
    match (at, bytes.split_first()) {
        (Some(at), _) => {
            let (policy, data) = bytes.split_at(at);
            let data = &data[SEPARATOR.len()..];
            let format = FORMATS[data.first().map_or(0, |b| usize::from(*b) % 3)];
            (policy.to_vec(), format, data.to_vec())
        }
        (None, Some((choice, data))) => {
            let choice = usize::from(*choice);
            let policy = BUNDLED[choice % BUNDLED.len()];
            let format = FORMATS[(choice / BUNDLED.len()) % 3];
            (policy.as_bytes().to_vec(), format, data.to_vec())
        }
        (None, None) => (Vec::new(), FORMATS[0], Vec::new()),
    }
}

/// A policy and a data file: every row evaluated (twice, to see that the
/// outcome does not change), written as CSV, JSON and a table, and the
/// first rows explained.
#[allow(clippy::panic)]
pub fn policy_and_data(bytes: &[u8]) {
    let (policy, data_name, data) = split(bytes);
    let (source, _) = Source::from_bytes("fuzz.kpi", policy);
    let Ok(compiled) = crate::compile(&source) else {
        return;
    };
    let program = compiled.program;
    let options = ReadOptions::default();
    let read = || crate::data::open_bytes(data_name, data.clone(), &options);
    let (Ok(first), Ok(second)) = (read(), read()) else {
        return;
    };
    let headers = first.headers.clone();
    let row_word = first.row_word;
    let (Ok(batch), Ok(again)) = (
        crate::batch::collect(&program, first),
        crate::batch::collect(&program, second),
    ) else {
        return;
    };
    let csv = crate::report::csv(&program, &batch.outcomes);
    if csv != crate::report::csv(&program, &again.outcomes) {
        panic!("two runs over the same data differ");
    }
    let _ = crate::report::json(&batch.outcomes);
    let _ = crate::report::table(&program, &batch.outcomes);
    for failure in &batch.failures {
        let _ = failure.to_string();
    }
    // The explanation of the first rows, as `kpi explain` gives it.
    let Ok(columns) = Columns::map(&program, &headers, row_word) else {
        return;
    };
    let Ok(rows) = read() else { return };
    for row in rows.take(3).flatten() {
        if let Ok(record) = columns.record(&program, &row) {
            let _ = crate::tools::explain::explain(&program, &record);
        }
    }
}
