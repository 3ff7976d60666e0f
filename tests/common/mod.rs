//! Helpers shared by the integration tests.
#![allow(dead_code)]

use kpi::batch::Batch;
use kpi::data::{Cell, RawRow, RawTable};
use kpi::outcome::Outcome;
use kpi::program::Program;
use kpi::source::Source;

/// Compiles a policy, failing the test with the rendered diagnostics.
pub fn program(text: &str) -> Program {
    let source = Source::new("test.kpi", text);
    match kpi::compile(&source) {
        Ok(compiled) => compiled.program,
        Err(diags) => panic!(
            "policy does not compile:\n{}",
            kpi::diagnostic::render(&source, &diags, kpi::diagnostic::Style::Plain)
        ),
    }
}

/// Evaluates rows given as `(column, value)` pairs; the id column is `id`.
pub fn run(program: &Program, rows: &[&[(&str, &str)]]) -> Batch {
    let mut headers: Vec<String> = Vec::new();
    for row in rows {
        for (column, _) in *row {
            if !headers.iter().any(|h| h == column) {
                headers.push(column.to_string());
            }
        }
    }
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let cells = headers
                .iter()
                .map(|h| match row.iter().find(|(c, _)| c == h) {
                    Some((_, v)) => Cell::Text((*v).into()),
                    None => Cell::Empty,
                })
                .collect();
            RawRow::new(i + 2, cells)
        })
        .collect();
    let table = RawTable {
        headers,
        rows,
        row_word: "line",
    };
    kpi::batch::evaluate(program, &table).expect("the header fits the policy")
}

/// Evaluates one row that must succeed.
pub fn one(program: &Program, row: &[(&str, &str)]) -> Outcome {
    let batch = run(program, &[row]);
    if let Some(failure) = batch.failures.first() {
        panic!("row failed: {failure}");
    }
    batch.outcomes.into_iter().next().expect("one outcome")
}

pub fn points(outcome: &Outcome, indicator: &str) -> String {
    outcome.indicators[indicator]
        .expect("the indicator counts")
        .to_string()
}

pub fn pay(outcome: &Outcome, item: &str) -> String {
    outcome.pay[item].to_string()
}

pub fn score(outcome: &Outcome) -> String {
    outcome.score.expect("a score").to_string()
}
