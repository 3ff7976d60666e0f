//! Distribution quotas and forced ranking, checked against hand computation.
//!
//! tests/fixtures/quotas/ranking.csv has two departments. 销售一部, ten
//! people, strict headcounts: S <= 10% of 10 allows 1, S + A <= 30% allows
//! 3, C + D >= 30% requires 3. 销售二部, three people: 10% of 3 = 0.3 and
//! 30% of 3 = 0.9 round down to 0 for the `<=` quotas, and 0.9 rounds up to
//! 1 for `C + D >= 30%`: nobody in a group of three can be S or A.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use kpi::batch::Batch;
use kpi::data::ReadOptions;
use kpi::outcome::Outcome;

fn ranked() -> Batch {
    let text = std::fs::read_to_string("tests/fixtures/quotas/ranking.kpi").unwrap();
    let program = common::program(&text);
    let source = kpi::data::open(
        std::path::Path::new("tests/fixtures/quotas/ranking.csv"),
        &ReadOptions::default(),
    )
    .unwrap();
    kpi::batch::collect(&program, source).unwrap()
}

fn find<'a>(batch: &'a Batch, id: &str) -> &'a Outcome {
    batch.outcomes.iter().find(|o| o.id == id).unwrap()
}

/// (grade, grade by score, rank, quota that moved them, pay)
fn placed(o: &Outcome) -> (String, Option<String>, usize, Option<String>, String) {
    let note = o.ranking.clone().unwrap();
    (
        o.grade.clone().unwrap(),
        o.grade_by_score.clone(),
        note.rank,
        note.quota,
        o.pay["绩效工资"].to_string(),
    )
}

fn p(
    grade: &str,
    by_score: Option<&str>,
    rank: usize,
    quota: Option<&str>,
    pay: &str,
) -> (String, Option<String>, usize, Option<String>, String) {
    (
        grade.to_string(),
        by_score.map(str::to_string),
        rank,
        quota.map(str::to_string),
        pay.to_string(),
    )
}

/// 销售一部 by score: S E01 97, E02 96, E03 96; A E04 90, E05 88; B E07 80
/// (peer 75), E06 80 (70), E08 80 (70); C E09 70; E10 99 vetoed to D (kept,
/// and counted in C + D). Ranked by score, then 民主评议, then id: E10, E01,
/// E02, E03, E04, E05, E07, E06, E08, E09.
/// Only one S: E02 and E03 go down to A. Only three S or A: E04 and E05 go
/// down to B. C + D needs 3 and has E09 and E10: the lowest B goes down to
/// C, and of E06 and E08 (80, peer 70 both) the id decides: E08.
/// Five moves; with grades following rank no fewer can keep the quotas.
#[test]
fn forced_ranking_moves_the_fewest_people_and_breaks_ties_by_the_policy() {
    let batch = ranked();
    assert!(batch.failures.is_empty());
    assert!(batch.unranked.is_empty());
    let expect = [
        ("E01", p("S", None, 2, None, "15000.00")),
        ("E02", p("A", Some("S"), 3, Some("S <= 10%"), "13000.00")),
        ("E03", p("A", Some("S"), 4, Some("S <= 10%"), "13000.00")),
        (
            "E04",
            p("B", Some("A"), 5, Some("S + A <= 30%"), "11000.00"),
        ),
        (
            "E05",
            p("B", Some("A"), 6, Some("S + A <= 30%"), "11000.00"),
        ),
        ("E07", p("B", None, 7, None, "11000.00")),
        ("E06", p("B", None, 8, None, "11000.00")),
        ("E08", p("C", Some("B"), 9, Some("C + D >= 30%"), "9000.00")),
        ("E09", p("C", None, 10, None, "9000.00")),
        // The veto keeps D (S by score) whatever the rank.
        ("E10", p("D", Some("S"), 1, None, "7000.00")),
    ];
    for (id, want) in expect {
        assert_eq!(placed(find(&batch, id)), want, "{id}");
    }
}

/// 销售二部: S and A allow nobody, C + D requires one. F01 96 (S) and F02 86
/// (A) both go down to B; F03 76, the lowest, goes down to C. Pay follows:
/// 8,000 × 1.1 = 8,800 and 8,000 × 0.9 = 7,200.
#[test]
fn a_group_of_three_under_strict_headcounts() {
    let batch = ranked();
    assert_eq!(
        placed(find(&batch, "F01")),
        p("B", Some("S"), 1, Some("S <= 10%"), "8800.00")
    );
    assert_eq!(
        placed(find(&batch, "F02")),
        p("B", Some("A"), 2, Some("S + A <= 30%"), "8800.00")
    );
    assert_eq!(
        placed(find(&batch, "F03")),
        p("C", Some("B"), 3, Some("C + D >= 30%"), "7200.00")
    );
    for o in batch.outcomes.iter().filter(|o| o.id.starts_with('F')) {
        assert_eq!(o.ranking.as_ref().unwrap().of, 3);
    }
}

/// A group of the distribution: its name, head count, count per grade, and
/// each quota's (actual, limit, holds).
type GroupSummary = (Option<String>, usize, Vec<usize>, Vec<(usize, usize, bool)>);

#[test]
fn the_distribution_after_ranking_keeps_every_quota() {
    let batch = ranked();
    let distribution = batch.distribution.unwrap();
    let summary: Vec<GroupSummary> = distribution
        .groups
        .iter()
        .map(|g| {
            (
                g.group.clone(),
                g.people,
                g.counts.values().copied().collect(),
                g.quotas
                    .iter()
                    .map(|q| (q.actual, q.limit, q.holds))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Some("销售一部".to_string()),
                10,
                vec![1, 2, 4, 2, 1],
                vec![(1, 1, true), (3, 3, true), (3, 3, true)]
            ),
            (
                Some("销售二部".to_string()),
                3,
                vec![0, 0, 2, 1, 0],
                vec![(0, 0, true), (0, 0, true), (1, 1, true)]
            ),
        ]
    );
}

const QUOTAS_ONLY: &str = r#"
policy "只统计不排序" {
  period quarter
  employee id id
  input 考核分 score "appraisal score"
  indicator 考核 weight 100% { points 考核分 }
  grades {
    S score >= 95
    A 85 <= score < 95
    B 75 <= score < 85
    C 60 <= score < 75
    D score < 60
  }
  quotas {
    S     <= 5%
    A     <= 15%
    S + A <= 20%
    C + D >= 30%
    round headcount half-up
  }
}
"#;

/// Without forced ranking, grades stay as scored and the distribution says
/// which quotas are broken. 13 people, half-up: S <= 5% of 13 = 0.65 → 1;
/// A <= 15% = 1.95 → 2; S + A <= 20% = 2.6 → 3; C + D >= 30% = 3.9 → 4.
/// Scores: 2 S, 3 A, 5 B, 2 C, 1 D: S (2 > 1), A (3 > 2), S + A (5 > 3)
/// and C + D (3 < 4) are all broken.
#[test]
fn quotas_without_ranking_report_what_is_broken() {
    let program = common::program(QUOTAS_ONLY);
    let scores = [
        "96", "95", "94", "90", "85", "84", "80", "78", "76", "75", "70", "60", "59",
    ];
    let ids: Vec<String> = (1..=13).map(|i| format!("E{i:02}")).collect();
    let rows: Vec<Vec<(&str, &str)>> = ids
        .iter()
        .zip(scores)
        .map(|(id, s)| vec![("id", id.as_str()), ("考核分", s)])
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
    let batch = common::run(&program, &rows);
    assert!(batch.outcomes.iter().all(|o| o.ranking.is_none()));
    let group = &batch.distribution.unwrap().groups[0];
    assert_eq!(group.people, 13);
    assert_eq!(
        group.counts.values().copied().collect::<Vec<_>>(),
        [2, 3, 5, 2, 1]
    );
    let quotas: Vec<(&str, usize, usize, bool)> = group
        .quotas
        .iter()
        .map(|q| (q.quota.as_str(), q.actual, q.limit, q.holds))
        .collect();
    assert_eq!(
        quotas,
        [
            ("S <= 5%", 2, 1, false),
            ("A <= 15%", 3, 2, false),
            ("S + A <= 20%", 5, 3, false),
            ("C + D >= 30%", 3, 4, false),
        ]
    );
}

fn kpi(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kpi"))
        .env("KPI_LANG", "en")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn eval_table_shows_ranking_and_the_distribution() {
    let o = kpi(&[
        "eval",
        "tests/fixtures/quotas/ranking.kpi",
        "--data",
        "tests/fixtures/quotas/ranking.csv",
    ]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(o.stdout).unwrap());
}

#[test]
fn eval_json_carries_group_and_ranking() {
    let o = kpi(&[
        "eval",
        "tests/fixtures/quotas/ranking.kpi",
        "--data",
        "tests/fixtures/quotas/ranking.csv",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(o.stdout).unwrap());
}

#[test]
fn explain_says_why_the_grade_moved() {
    let o = kpi(&[
        "explain",
        "tests/fixtures/quotas/ranking.kpi",
        "--data",
        "tests/fixtures/quotas/ranking.csv",
        "--id",
        "E08",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("C (一般) after forced ranking: rank 9 of 10 in 销售一部, C + D >= 30%"),
        "{text}"
    );
    assert!(
        text.contains("¥10,000.00 × 0.9 (grade C) = ¥9,000.00"),
        "{text}"
    );
}

#[test]
fn a_missing_group_column_is_a_header_problem() {
    let dir = std::env::temp_dir().join(format!("kpi-quota-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("no-group.csv");
    let text = std::fs::read_to_string("tests/fixtures/quotas/ranking.csv").unwrap();
    std::fs::write(&data, text.replace("部门", "科室")).unwrap();
    let o = kpi(&[
        "eval",
        "tests/fixtures/quotas/ranking.kpi",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("部门"), "{err}");
    assert!(err.contains("the group the quotas apply to"), "{err}");
    assert!(o.stdout.is_empty());
}
