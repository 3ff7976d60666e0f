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
