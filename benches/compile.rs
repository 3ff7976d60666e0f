//! Parse, check and compile: each bundled policy, and a generated policy
//! far larger than any company's (200 indicators, 10 plans, 50 pay items;
//! benches/large_policy.rs). Target: the large one under 10 ms.
//!
//! cargo bench --bench compile

// Benchmarks stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use divan::{Bencher, black_box};
use kpi::source::Source;

#[path = "large_policy.rs"]
mod large_policy;

fn main() {
    divan::main();
}

fn compile(bencher: Bencher, text: String) {
    let source = Source::new("bench.kpi", text);
    assert!(kpi::compile(&source).is_ok(), "the policy compiles");
    bencher.bench(|| black_box(kpi::compile(black_box(&source)).is_ok()));
}

#[divan::bench(args = ["foreign_trade_sales", "marketing_director_pay", "operations_director"])]
fn bundled(bencher: Bencher, name: &str) {
    let text = std::fs::read_to_string(format!("policies/{name}.kpi")).expect("a bundled policy");
    compile(bencher, text);
}

#[divan::bench]
fn large_200_indicators_10_plans_50_pay_items(bencher: Bencher) {
    compile(bencher, large_policy::text());
}

/// A broken policy of 6,000 lines with 3,000 unknown names (and weights
/// that add up to 3,000%): checking it and drawing every report, as
/// `kpi check` does. Lines are found in an index, miette reads each report
/// from a few lines before it, "did you mean" skips words too far to
/// suggest, and a wrong total marks 20 weights: it took 5.5 s before, and
/// takes a few hundred milliseconds.
#[divan::bench(sample_count = 10)]
fn check_and_report_3000_mistakes(bencher: Bencher) {
    let mut text = String::from(
        "policy \"big\" {\n  period quarter\n  employee id 工号\n  input 完成率 percent\n",
    );
    for i in 0..3000 {
        text.push_str(&format!(
            "  indicator 指标{i} weight 1% {{ measure 完成率 points linear {{ 0% => 0, 100% => 75, 125% => 100 }} }}\n  let 值{i} = 不存在{i} + 1\n"
        ));
    }
    text.push_str("  grades { A >= 85, B >= 70, C otherwise }\n}\n");
    let bytes = text.into_bytes();
    let (_, diagnostics) = kpi::check_bytes("big.kpi", bytes.clone());
    assert_eq!(diagnostics.len(), 3001);
    bencher.bench(|| {
        let (source, diagnostics) = kpi::check_bytes("big.kpi", black_box(bytes.clone()));
        black_box(kpi::diagnostic::render(
            &source,
            &diagnostics,
            kpi::diagnostic::Style::Plain,
        ))
    });
}

/// What `kpi check` does to a clean policy (compile, then the analysis whose
/// line it prints), on a policy of `n` indicators, each reading two inputs
/// of its own: the time per indicator must not grow with `n` (there were
/// steps once that compared every divisor, input or column with every
/// other: 40,000 indicators took 33 s). Target: linear, 40k under 1 s.
#[divan::bench(args = [10_000, 40_000], sample_count = 3)]
fn check_indicators_each_with_inputs(bencher: Bencher, n: usize) {
    let mut text = String::from("policy \"big\" {\n  period quarter\n  currency CNY\n");
    for i in 0..n {
        text.push_str(&format!("  input 实绩{i} money\n  input 目标{i} money\n"));
    }
    let weight = rust_decimal::Decimal::ONE_HUNDRED / rust_decimal::Decimal::from(n);
    for i in 0..n {
        text.push_str(&format!(
            "  indicator 指标{i} weight {weight}% {{\n    measure 实绩{i} / 目标{i}\n    points linear {{ 0% => 0, 100% => 75, 125% => 100 }}\n  }}\n"
        ));
    }
    text.push_str("}\n");
    let source = Source::new("big.kpi", text);
    assert!(kpi::compile(&source).is_ok(), "the policy compiles");
    bencher.bench(|| {
        let compiled = kpi::compile(black_box(&source)).ok()?;
        Some(kpi::analysis::analyze(&compiled.program).findings.len())
    });
}
