//! Evaluating one employee: the compiled foreign-trade policy (sales plan)
//! against the same rules hand-written in Rust with rust_decimal (the
//! floor, benches/floor.rs), over the same 1,000 employees. The set-up
//! asserts that both decide the same score, grade and pay for each.
//!
//! cargo bench --bench eval

use std::sync::LazyLock;

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};

#[path = "floor.rs"]
mod floor;

const EMPLOYEES: usize = 1_000;

static SAMPLE: LazyLock<(
    kpi::program::Program,
    Vec<kpi::eval::Record>,
    Vec<floor::Sales>,
)> = LazyLock::new(|| {
    let sample = floor::sample(EMPLOYEES);
    let (program, records, typed) = &sample;
    for (record, sales) in records.iter().zip(typed) {
        assert_eq!(
            floor::engine(program, record),
            floor::decide(sales),
            "{}",
            record.id
        );
    }
    sample
});

fn main() {
    divan::main();
}

/// The compiled program: a full outcome (every indicator's points, the
/// adjustments, score, grade and pay) per employee.
#[divan::bench]
fn engine(bencher: Bencher) {
    let (program, records, _) = &*SAMPLE;
    bencher.counter(ItemsCount::new(records.len())).bench(|| {
        for record in records {
            black_box(program.evaluate(black_box(record)).ok());
        }
    });
}

/// The same rules hand-written: score, grade and pay per employee.
#[divan::bench]
fn hand_written(bencher: Bencher) {
    let (_, _, typed) = &*SAMPLE;
    bencher.counter(ItemsCount::new(typed.len())).bench(|| {
        for sales in typed {
            black_box(floor::decide(black_box(sales)));
        }
    });
}
