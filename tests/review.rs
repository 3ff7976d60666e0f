//! Several reviewers of one indicator: the review chain (the approver's score
//! is final when given, else the supervisor's, else the self review) and peer
//! review averaged without the highest and the lowest.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

fn batch() -> kpi::batch::Batch {
    let program =
        common::program(&std::fs::read_to_string("tests/fixtures/review/review.kpi").unwrap());
    let table = kpi::data::read(std::path::Path::new("tests/fixtures/review/review.csv")).unwrap();
    kpi::batch::evaluate(&program, &table).unwrap()
}

fn points(batch: &kpi::batch::Batch, id: &str) -> (Option<String>, Option<String>, String) {
    let o = batch.outcomes.iter().find(|o| o.id == id).unwrap();
    let p = |name: &str| o.indicators[name].map(|d| d.to_string());
    (p("工作态度"), p("民主评议"), o.score.unwrap().to_string())
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn the_review_chain_and_trimmed_peer_review_by_hand() {
    let batch = batch();
    // R1: approver 90 is final. Peers 60, 80, 85, 90, 100 without 60 and
    // 100: (80 + 85 + 90) / 3 = 85. Score 90 × 50% + 85 × 50% = 87.50.
    assert_eq!(
        points(&batch, "R1"),
        (s("90.00"), s("85.00"), "87.50".to_string())
    );
    // R2: no approver: the supervisor's 88. Two peers only (70, 80): too
    // few to drop any, the mean 75. 44 + 37.5 = 81.50.
    assert_eq!(
        points(&batch, "R2"),
        (s("88.00"), s("75.00"), "81.50".to_string())
    );
    // R3: only the self review, 95. Peers 70, 80, 90 without 70 and 90: 80.
    assert_eq!(
        points(&batch, "R3"),
        (s("95.00"), s("80.00"), "87.50".to_string())
    );
    // R4: no review at all: 工作态度 is left out and 民主评议 carries the
    // whole weight. Peers 70, 80, 90, 95 without 70 and 95: 85.
    assert_eq!(
        points(&batch, "R4"),
        (None, s("85.00"), "85.00".to_string())
    );
    // R5: nothing at all: no indicator left, the row fails and says so.
    assert_eq!(batch.outcomes.len(), 4);
    assert_eq!(batch.failures.len(), 1);
    assert_eq!(batch.failures[0].id.as_deref(), Some("R5"));
    assert_eq!(
        batch.failures[0].to_string(),
        "line 6 (id R5): every indicator is left out for missing values, so there is no score"
    );
}

#[test]
fn a_trimmed_average_needs_three_raters() {
    let source = kpi::source::Source::new(
        "t.kpi",
        r#"policy "t" {
  period quarter
  employee id id
  input a score "a"
  input b score "b"
  indicator x weight 100% { points trimmed_average(a, b) }
}"#,
    );
    let diags = kpi::compile(&source).err().unwrap();
    assert_eq!(diags[0].code, kpi::diagnostic::Code::Arguments);
    assert!(
        diags[0].message.contains("three or more values"),
        "{}",
        diags[0].message
    );
}
