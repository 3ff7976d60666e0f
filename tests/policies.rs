//! The bundled policies over their sample data: outcomes and explanations
//! pinned in snapshots, so a change to the engine or to a policy that moves
//! anyone's pay shows up in review. Key figures are also asserted by hand.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use kpi::outcome::Outcome;
use kpi::program::Program;
use kpi::source::Source;

const POLICIES: [&str; 3] = [
    "foreign_trade_sales",
    "operations_director",
    "marketing_director_pay",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn program(name: &str) -> Program {
    let path = root().join("policies").join(format!("{name}.kpi"));
    let source = Source::new(name, std::fs::read_to_string(path).unwrap());
    let compiled = kpi::compile(&source).unwrap_or_else(|d| {
        panic!(
            "{}",
            kpi::diagnostic::render(&source, &d, kpi::diagnostic::Style::Plain)
        )
    });
    assert!(compiled.warnings.is_empty(), "{name} has warnings");
    compiled.program
}

fn outcomes(name: &str, data: &str) -> Vec<Outcome> {
    let program = program(name);
    let table = kpi::data::read(&root().join("examples").join(data)).unwrap();
    let batch = kpi::batch::evaluate(&program, &table).unwrap();
    assert!(batch.failures.is_empty(), "{:?}", batch.failures);
    assert_eq!(batch.rows_read, batch.outcomes.len());
    batch.outcomes
}

fn find<'a>(outcomes: &'a [Outcome], id: &str) -> &'a Outcome {
    outcomes.iter().find(|o| o.id == id).unwrap()
}

#[test]
fn every_policy_evaluates_its_sample_data() {
    for name in POLICIES {
        let outcomes = outcomes(name, &format!("{name}.csv"));
        assert!(
            outcomes.len() >= 20,
            "{name} has {} employees",
            outcomes.len()
        );
        insta::assert_snapshot!(format!("{name}_outcomes"), kpi::report::json(&outcomes));
    }
}

#[test]
fn json_data_gives_the_same_outcomes_as_csv() {
    let csv = outcomes("foreign_trade_sales", "foreign_trade_sales.csv");
    let json = outcomes("foreign_trade_sales", "foreign_trade_sales.json");
    assert_eq!(csv, json);
}

#[test]
fn explanations_of_chosen_employees() {
    // A boundary score, a veto, a cap on adjustments, a zero-points veto, a
    // floor, and the marketing director's commissions.
    let cases = [
        ("foreign_trade_sales", "E002"),
        ("foreign_trade_sales", "E007"),
        ("foreign_trade_sales", "E012"),
        ("operations_director", "E006"),
        ("operations_director", "E009"),
        ("marketing_director_pay", "E003"),
        ("marketing_director_pay", "E008"),
    ];
    for (name, id) in cases {
        let program = program(name);
        let table = kpi::data::read(&root().join("examples").join(format!("{name}.csv"))).unwrap();
        let columns = kpi::data::Columns::map(&program, &table.headers, table.row_word).unwrap();
        let row = table.rows.iter().find(|r| columns.id_of(r) == id).unwrap();
        let record = columns.record(&program, row).unwrap();
        // As `kpi explain` does: under forced ranking, from the whole run.
        let batch = kpi::batch::evaluate(&program, &table).unwrap();
        let ranked = batch.outcomes.iter().find(|o| o.id == id).unwrap();
        let text = kpi::explain::explain_ranked(&program, &record, ranked).unwrap();
        insta::assert_snapshot!(format!("{name}_explain_{id}"), text);
    }
}

/// Hand-computed figures for rows of the sample data (see examples/COVERAGE.md).
#[test]
fn sample_rows_match_hand_computation() {
    let trade = outcomes("foreign_trade_sales", "foreign_trade_sales.csv");
    // E002: weighted 25 + 20 + 15 + 10 + 12 + 12 = 94; +4 bonus − 3 deduction
    // = 95.00 exactly, on the S boundary: an S by score. Forced ranking: of
    // 24 people at most 1 S (5% of 24 = 1.2, rounded down), 3 A and 4 S + A.
    // By score E013 (100), E001 (97.80), E002 and the vetoed E019 (95.50,
    // kept at D) are S, E015, E003, E023 and E004 A. E013 keeps the S; E001,
    // E002 and E015 take the three A; E003, E023, E004 go down to B. E002
    // ranks 4th (E019 ranks 3rd by score): A, 8,500 × 1.3 = 11,050.
    let e002 = find(&trade, "E002");
    assert_eq!(e002.score.unwrap().to_string(), "95.00");
    assert_eq!(e002.grade_by_score.as_deref(), Some("S"));
    assert_eq!(e002.grade.as_deref(), Some("A"));
    let note = e002.ranking.as_ref().unwrap();
    assert_eq!((note.rank, note.of), (4, 24));
    assert_eq!(note.quota.as_deref(), Some("S <= 5%"));
    assert_eq!(e002.pay["绩效工资"].to_string(), "11050.00");
    let moved: Vec<(&str, &str, &str)> = trade
        .iter()
        .filter(|o| o.vetoes.is_empty())
        .filter_map(|o| {
            Some((
                o.id.as_str(),
                o.grade_by_score.as_deref()?,
                o.grade.as_deref()?,
            ))
        })
        .collect();
    assert_eq!(
        moved,
        [
            ("E001", "S", "A"),
            ("E002", "S", "A"),
            ("E003", "A", "B"),
            ("E004", "A", "B"),
            ("E023", "A", "B"),
        ]
    );
    // E003: 8,000 × 1.1 (B after ranking) = 8,800.
    assert_eq!(find(&trade, "E003").pay["绩效工资"].to_string(), "8800.00");
    // E007: a score of 91.25 (A), forced to D by the compliance veto: 9,500 × 0.7.
    let e007 = find(&trade, "E007");
    assert_eq!(e007.score.unwrap().to_string(), "91.25");
    assert_eq!(e007.grade.as_deref(), Some("D"));
    assert_eq!(e007.grade_by_score.as_deref(), Some("A"));
    assert_eq!(e007.pay["绩效工资"].to_string(), "6650.00");
    // E012: 76.55 weighted, −12 in deductions kept within ±10: 66.55, C.
    let e012 = find(&trade, "E012");
    assert_eq!(e012.adjustments["投诉"].to_string(), "-12.00");
    assert_eq!(e012.score.unwrap().to_string(), "66.55");
    assert_eq!(e012.grade.as_deref(), Some("C"));

    let marketing = outcomes("marketing_director_pay", "marketing_director_pay.csv");
    // E003: team sales 1,234,500.50 met the target: 1% is 12,345.005, half a
    // cent, rounded up to 12,345.01.
    let e003 = find(&marketing, "E003");
    assert_eq!(e003.pay["团队提成"].to_string(), "12345.01");
    assert_eq!(e003.pay["大客户提成"].to_string(), "0.00");
}
