//! Evaluating one employee of the foreign-trade sales plan: kpi's compiled
//! policy, the hand-written floor, zen-engine and cel-interpreter, over the
//! same 1,000 employees, in one run so that the ratios are comparable. The
//! set-up asserts that each decides what kpi decides (CEL: to the cent).
//!
//! cargo bench --manifest-path benches/peers/Cargo.toml

use std::sync::LazyLock;

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use kpi_peers::{cel::Cel, floor, zen};

const EMPLOYEES: usize = 1_000;

type Sample = (
    kpi::program::Program,
    Vec<kpi::eval::Record>,
    Vec<floor::Sales>,
);

static SAMPLE: LazyLock<Sample> = LazyLock::new(|| floor::sample(EMPLOYEES));

fn main() {
    divan::main();
}

// kpi's `decide` and `evaluate` and the hand-written floor: the same
// benchmarks as `cargo bench --bench eval` runs.
#[path = "../../per_employee.rs"]
mod per_employee;

/// zen-engine: the precompiled decision graph, one evaluation per employee.
#[divan::bench]
fn zen_engine(bencher: Bencher) {
    let (program, records, typed) = &*SAMPLE;
    let zen = zen::Zen::new();
    let inputs: Vec<_> = typed.iter().map(zen::input).collect();
    for ((record, input), _) in records.iter().zip(&inputs).zip(typed) {
        assert_eq!(
            zen.decide(input),
            floor::engine(program, record),
            "{}",
            record.id
        );
    }
    bencher
        .counter(ItemsCount::new(inputs.len()))
        .bench_local(|| {
            for input in &inputs {
                black_box(zen.decide(black_box(input)));
            }
        });
}

/// cel-interpreter: the compiled expressions, evaluated in order.
#[divan::bench]
fn cel_interpreter(bencher: Bencher) {
    let (program, records, typed) = &*SAMPLE;
    let cel = Cel::new();
    let scopes: Vec<_> = typed.iter().map(|s| cel.scope(s)).collect();
    let cent = rust_decimal::Decimal::new(1, 2);
    for (record, scope) in records.iter().zip(&scopes) {
        let (by_cel, engine) = (cel.decide(scope), floor::engine(program, record));
        assert_eq!(by_cel.grade, engine.grade, "{}", record.id);
        assert!((by_cel.pay - engine.pay).abs() <= cent, "{}", record.id);
    }
    bencher
        .counter(ItemsCount::new(scopes.len()))
        .bench_local(|| {
            for scope in &scopes {
                black_box(cel.decide(black_box(scope)));
            }
        });
}
