//! The per-employee benchmarks of the compiled policy and of the
//! hand-written floor over the parent's `SAMPLE`: run by `benches/eval.rs`,
//! and by the peers benchmark (benches/peers) beside zen-engine and CEL, so
//! that both measure the same thing. Shared through `#[path]`.

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};

use super::{SAMPLE, floor};

/// The compiled program's fast path: score, grade and pay per employee,
/// evaluated in one reused buffer (`Program::decide`).
#[divan::bench]
fn decide(bencher: Bencher) {
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

/// The compiled program: a full outcome (every indicator's points, the
/// adjustments, score, grade and pay) per employee.
#[divan::bench]
fn evaluate(bencher: Bencher) {
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
