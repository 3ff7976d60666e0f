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

/// The compiled program's fast path: score, grade and pay per employee,
/// evaluated in one reused buffer (`Program::decide`).
#[divan::bench]
fn engine_decide(bencher: Bencher) {
    let (program, records, _) = &*SAMPLE;
    let mut scratch = kpi::eval::Scratch::default();
    bencher
        .counter(ItemsCount::new(records.len()))
        .bench_local(|| {
            for record in records {
                black_box(
                    program
                        .decide(black_box(record), &mut scratch)
                        .ok()
                        .map(|d| d.score),
                );
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
