//! The peers decide what kpi decides, for 2,000 generated sales employees
//! (every grade occurs): zen-engine exactly (its numbers are decimals), CEL
//! the same grade for everyone and a score and pay within a cent (its
//! numbers are doubles).

use kpi_peers::{cel::Cel, floor, zen};

#[test]
fn the_peers_decide_what_kpi_decides() {
    let (program, records, typed) = floor::sample(2_000);
    let zen = zen::Zen::new();
    let cel = Cel::new();
    let cent = rust_decimal::Decimal::new(1, 2);
    let mut cel_off_by_a_cent = 0;
    let mut grades = std::collections::BTreeSet::new();
    for (record, sales) in records.iter().zip(&typed) {
        let engine = floor::engine(&program, record);
        grades.insert(engine.grade);
        assert_eq!(zen.decide(&zen::input(sales)), engine, "zen, {}", record.id);
        let by_cel = cel.decide(&cel.scope(sales));
        assert_eq!(by_cel.grade, engine.grade, "CEL, {}", record.id);
        let off = (by_cel.score - engine.score)
            .abs()
            .max((by_cel.pay - engine.pay).abs());
        assert!(off <= cent, "CEL, {}: {by_cel:?} vs {engine:?}", record.id);
        if off > rust_decimal::Decimal::ZERO {
            cel_off_by_a_cent += 1;
        }
    }
    assert_eq!(grades.len(), 5, "{grades:?}");
    println!("CEL (doubles) is a cent off kpi for {cel_off_by_a_cent} of 2,000 employees");
}
