//! Forced ranking over a large file in two passes (src/batch/ranked.rs)
//! gives, byte for byte, what ranking everyone held in memory gives: each
//! row evaluated in full, each group ranked from the candidates, the people
//! who moved evaluated again with their new grade. That way of doing it
//! was kpi's own until it took 1.75 GB for a million people; it is kept
//! here, written with the library's public parts, as the oracle.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kpi::data::ReadOptions;
use kpi::outcome::RankingNote;
use kpi::ranking::Candidate;
use kpi::report::writer::{CsvWriter, OutcomeWriter};

const POLICY: &str = "policies/foreign_trade_sales.kpi";

/// The bundled policy, with its bottom quota turned round so that ranking
/// moves most people of generated data (whose scores are mostly D) up.
fn program() -> kpi::program::Program {
    let text = std::fs::read_to_string(POLICY).unwrap();
    assert!(text.contains("C + D >= 30%"));
    let text = text.replace("C + D >= 30%", "C + D <= 40%");
    kpi::compile(&kpi::source::Source::new(POLICY, text))
        .unwrap()
        .program
}

fn data(rows: usize, seed: u64) -> Vec<u8> {
    let program = program();
    let mut csv = Vec::new();
    kpi::generate::csv(program.policy(), rows, seed, &mut csv).unwrap();
    csv
}

/// The CSV `kpi eval --format csv` writes, by the two-pass run.
fn two_pass(program: &kpi::program::Program, csv: &[u8]) -> (Vec<u8>, kpi::batch::Summary) {
    let source = kpi::data::open_bytes("d.csv", csv.to_vec(), &ReadOptions::default()).unwrap();
    let mut out = Vec::new();
    let summary = {
        let mut writer = CsvWriter::new(program, &mut out, false).unwrap();
        let renderer = writer.renderer().unwrap();
        let detail = writer.detail();
        let render = |_: &kpi::eval::Record, o: &kpi::outcome::Outcome, line: &mut Vec<u8>| {
            assert!(renderer(program, o, line));
        };
        let summary = kpi::batch::run_rendered(program, source, detail, render, |r| {
            if let kpi::batch::Rendered::Evaluated((), line) = r {
                writer.rendered(line).unwrap();
            }
        })
        .unwrap();
        Box::new(writer).finish(&summary).unwrap();
        summary
    };
    (out, summary)
}

/// The same CSV, with every outcome held and ranked in memory, and how
/// many people ranking moved.
fn held(program: &kpi::program::Program, csv: &[u8]) -> (Vec<u8>, usize) {
    let policy = program.policy();
    let quotas = policy.quotas.as_ref().unwrap();
    let table = kpi::data::open_bytes("d.csv", csv.to_vec(), &ReadOptions::default()).unwrap();
    let columns = kpi::data::Columns::map(program, &table.headers, table.row_word).unwrap();
    let mut people = Vec::new();
    for row in table {
        let record = columns.record(program, &row.unwrap()).unwrap();
        let (outcome, facts) = program.evaluate_for_ranking(&record).unwrap();
        people.push((record, outcome, facts));
    }
    let candidates: Vec<Candidate> = people
        .iter()
        .map(|(record, _, facts)| Candidate {
            score: facts.score,
            ties: facts.ties.clone(),
            id: record.id.clone(),
            grade: facts.grade,
            fixed: facts.vetoed,
        })
        .collect();
    assert!(
        policy.quotas.as_ref().unwrap().group_column.is_none(),
        "one group"
    );
    let placements =
        kpi::ranking::rank(quotas, policy.grades.len(), candidates.as_slice()).unwrap();
    let of = people.len();
    let mut moved = 0;
    let mut out = Vec::new();
    let mut writer = CsvWriter::new(program, &mut out, false).unwrap();
    for ((record, mut outcome, facts), placed) in people.into_iter().zip(placements) {
        if placed.grade != facts.grade {
            moved += 1;
            outcome = program.evaluate_ranked(&record, placed.grade).unwrap();
        }
        outcome.ranking = Some(RankingNote {
            rank: placed.rank as usize,
            of,
            quota: placed
                .quota
                .and_then(|q| quotas.limits.get(usize::from(q)))
                .map(|l| l.text.clone()),
        });
        writer.outcome(&record, &outcome).unwrap();
    }
    Box::new(writer)
        .finish(&kpi::batch::Summary::default())
        .unwrap();
    (out, moved)
}

#[test]
fn a_hundred_thousand_ranked_in_two_passes_are_written_as_ranked_in_memory() {
    let program = program();
    let csv = data(100_000, 7);
    let (two, summary) = two_pass(&program, &csv);
    assert_eq!(
        (summary.read, summary.evaluated, summary.failed),
        (100_000, 100_000, 0)
    );
    let (oracle, moved) = held(&program, &csv);
    assert!(moved > 1_000, "ranking moved people ({moved})");
    assert_eq!(two.len(), oracle.len());
    assert!(two == oracle, "the two-pass CSV differs from the oracle's");
}
