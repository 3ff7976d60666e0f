//! Evaluating one employee: the compiled foreign-trade policy (sales plan)
//! against the same rules hand-written in Rust with rust_decimal (the
//! floor, benches/floor.rs), over the same 1,000 employees. The set-up
//! asserts that both decide the same score, grade and pay for each.
//!
//! cargo bench --bench eval

// Benchmarks stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::LazyLock;

#[path = "floor.rs"]
mod floor;
#[path = "per_employee.rs"]
mod per_employee;

const EMPLOYEES: usize = 1_000;

static SAMPLE: LazyLock<(
    kpi::program::Program,
    Vec<kpi::eval::Record>,
    Vec<floor::Sales>,
)> = LazyLock::new(|| {
    let sample = floor::sample(EMPLOYEES);
    let (program, records, typed) = &sample;
    let mut scratch = kpi::eval::Scratch::default();
    for (record, sales) in records.iter().zip(typed) {
        let engine = floor::engine(program, record);
        assert_eq!(engine, floor::decide(sales), "{}", record.id);
        assert_eq!(floor::engine_decide(program, record, &mut scratch), engine);
    }
    sample
});

fn main() {
    divan::main();
}
