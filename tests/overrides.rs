//! The general manager's final adjustment (总经理最终调整权): a grade or score
//! from a data column, applied only with a reason, final over vetoes and
//! forced ranking, shown with the original and the reason.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

const POLICY: &str = r#"
policy "override" {
  period quarter
  currency CNY
  employee id id

  input 分数 score
  input 基数 money

  indicator 综合 weight 100% { points 分数 }

  grades { S >= 95, A >= 85, B >= 75, C >= 65, D otherwise }

  pay 绩效 = 基数 * by grade { S 1.5, A 1.3, B 1.1, C 0.9, D 0.7 }

  override grade from 总经理调整 reason 调整原因
}
"#;

fn row<'a>(id: &'a str, score: &'a str, to: &'a str, reason: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", id),
        ("分数", score),
        ("基数", "1000"),
        ("总经理调整", to),
        ("调整原因", reason),
    ]
}

#[test]
fn a_grade_override_applies_with_its_reason_and_pay_follows() {
    let program = common::program(POLICY);
    let rows = [
        row("O1", "80", "A", "签下年度大客户"),
        row("O2", "80", "A", ""),
        row("O3", "90", "", ""),
        row("O4", "80", "E", "笔误"),
    ];
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
    let batch = common::run(&program, &rows);

    // O1: 80 is a B by score; the general manager's A stands, and pay
    // follows it: 1,000 × 1.3.
    let o1 = &batch.outcomes[0];
    assert_eq!(common::score(o1), "80.00");
    assert_eq!(o1.grade.as_deref(), Some("A"));
    assert_eq!(common::pay(o1, "绩效"), "1300.00");
    let note = o1.final_adjustment.as_ref().expect("a note");
    assert_eq!(
        (
            note.before.as_str(),
            note.after.as_str(),
            note.reason.as_str()
        ),
        ("B", "A", "签下年度大客户")
    );
    let text = kpi::explain::explain(&program, &record(&program, "80", "A")).unwrap();
    assert!(
        text.contains("A by the general manager's final adjustment (was B), reason: 年中调岗"),
        "{text}"
    );
    // O3: no override, nothing noted.
    assert_eq!(batch.outcomes[1].id, "O3");
    assert_eq!(batch.outcomes[1].final_adjustment, None);

    // O2: no reason, so the row fails rather than pay an unexplained A;
    // O4 names no grade. Both say so, and the others were evaluated.
    assert_eq!(batch.outcomes.len(), 2);
    let failures: Vec<String> = batch.failures.iter().map(|f| f.to_string()).collect();
    assert_eq!(
        failures,
        [
            "line 3 (id O2): column `调整原因`: an override needs a reason: `总经理调整` = `A` has none, so it is not applied (used by override)",
            "line 5 (id O4): column `总经理调整` = `E`: not a grade: the grades are `S`, `A`, `B`, `C`, `D` (used by override)",
        ]
    );
}

#[test]
fn a_score_override_sets_the_score_and_the_grade_follows() {
    let program = common::program(&POLICY.replace("override grade", "override score"));
    let o = common::one(&program, &row("O5", "80", "96", "年中调岗，按新岗位评定"));
    // 96 is an S: 1,000 × 1.5.
    assert_eq!(common::score(&o), "96.00");
    assert_eq!(o.grade.as_deref(), Some("S"));
    assert_eq!(common::pay(&o, "绩效"), "1500.00");
    let note = o.final_adjustment.as_ref().expect("a note");
    assert_eq!(
        (note.before.as_str(), note.after.as_str()),
        ("80.00", "96.00")
    );

    let text = kpi::explain::explain(&program, &record(&program, "80", "96")).unwrap();
    assert!(
        text.contains("score 96.00 by the general manager's final adjustment (computed: 80.00), reason: 年中调岗"),
        "{text}"
    );
}

fn record(program: &kpi::program::Program, score: &str, to: &str) -> kpi::eval::Record {
    let table = kpi::data::RawTable {
        headers: ["id", "分数", "基数", "总经理调整", "调整原因"]
            .map(String::from)
            .to_vec(),
        rows: vec![kpi::data::RawRow::new(
            2,
            ["X", score, "1000", to, "年中调岗"]
                .map(|s| kpi::data::Cell::Text((*s).into()))
                .to_vec(),
        )],
        row_word: "line",
    };
    let columns = kpi::data::Columns::map(program, &table.headers, "line").unwrap();
    columns.record(program, &table.rows[0]).unwrap()
}

#[test]
fn a_file_without_the_override_column_has_no_overrides() {
    let program = common::program(POLICY);
    let o = common::one(&program, &[("id", "P"), ("分数", "80"), ("基数", "1000")]);
    assert_eq!(o.grade.as_deref(), Some("B"));
    // With the override column, the reason column must be there too.
    let table = kpi::data::RawTable {
        headers: ["id", "分数", "基数", "总经理调整"]
            .map(String::from)
            .to_vec(),
        rows: vec![],
        row_word: "line",
    };
    let err = kpi::batch::evaluate(&program, &table).unwrap_err();
    assert_eq!(err.missing[0].input, "调整原因");
}

#[test]
fn forced_ranking_keeps_an_overridden_grade_and_counts_it() {
    let text = POLICY.replace(
        "  override grade",
        "  quotas {\n    S <= 10%\n    A <= 20%\n    forced ranking\n  }\n\n  override grade",
    );
    let program = common::program(&text);
    let scores = ["100", "99", "98", "97", "96", "95", "94", "93", "92", "91"];
    let ids: Vec<String> = (1..=10).map(|i| format!("P{i:02}")).collect();
    let rows: Vec<Vec<(&str, &str)>> = ids
        .iter()
        .zip(scores)
        .map(|(id, score)| {
            let to = if id == "P10" { "S" } else { "" };
            let reason = if id == "P10" {
                "海外市场开拓"
            } else {
                ""
            };
            row(id, score, to, reason)
        })
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
    let batch = common::run(&program, &rows);
    let grades: Vec<&str> = batch
        .outcomes
        .iter()
        .map(|o| o.grade.as_deref().unwrap())
        .collect();
    // Of 10: at most 1 S and 2 A. The general manager's S for P10 (91 by
    // score) is kept and takes the one S; P01 and P02 rank highest of the
    // rest and get the two A; everyone else falls to B.
    assert_eq!(grades, ["A", "A", "B", "B", "B", "B", "B", "B", "B", "S"]);
    assert_eq!(common::pay(&batch.outcomes[9], "绩效"), "1500.00");
    assert_eq!(common::pay(&batch.outcomes[2], "绩效"), "1100.00");
    assert!(batch.unranked.is_empty());
}
