//! The benchmark's hand-written floor (benches/floor.rs) decides exactly
//! what the compiled foreign-trade policy decides, for 2,000 generated
//! sales employees: so the benchmark compares the same work.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/floor.rs"]
mod floor;

#[test]
fn the_hand_written_floor_equals_the_engine() {
    let (program, records, typed) = floor::sample(2_000);
    assert_eq!(records.len(), 2_000);
    let mut grades = std::collections::BTreeMap::new();
    let mut scratch = kpi::eval::Scratch::default();
    for (record, sales) in records.iter().zip(&typed) {
        let engine = floor::engine(&program, record);
        assert_eq!(engine, floor::decide(sales), "{}", record.id);
        // The fast path, reusing one scratch buffer, decides the same.
        let fast = floor::engine_decide(&program, record, &mut scratch);
        assert_eq!(fast, engine, "{}", record.id);
        *grades.entry(engine.grade).or_insert(0) += 1;
    }
    // The sample exercises every grade, so every branch is compared.
    assert_eq!(grades.len(), 5, "{grades:?}");
}

#[path = "../benches/large_policy.rs"]
mod large_policy;

#[test]
fn the_benchmarks_large_policy_compiles() {
    let source = kpi::source::Source::new("large.kpi", large_policy::text());
    let compiled = match kpi::compile(&source) {
        Ok(c) => c,
        Err(d) => panic!(
            "{}",
            kpi::diagnostic::render(&source, &d, kpi::diagnostic::Style::Plain)
        ),
    };
    let program = compiled.program;
    assert_eq!(program.plans().count(), large_policy::PLANS);
    assert_eq!(program.indicator_names().len(), 200);
    assert_eq!(program.policy().pay.len(), large_policy::PAY_ITEMS);
}
