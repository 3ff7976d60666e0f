//! The year (全年绩效评定): quarters rolled up, financial indicators
//! re-scored on the year's figures, the others averaged, mid-year joiners
//! handled as the policy says. Every figure computed by hand.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use kpi::data::{Cell, RawRow, RawTable};
use kpi::year::Quarter;

const POLICY: &str = r#"
policy "year" {
  period quarter
  currency CNY
  employee id id

  input 销售额   money
  input 销售目标 money
  input 评议     score
  input 基数     money yearly last

  indicator 销售 weight 60% financial {
    measure 销售额 / 销售目标
    points linear { 0% => 0, 100% => 75, 125% => 100 }
  }
  indicator 评议分 weight 40% { points 评议 }

  grades { A >= 85, B >= 70, C otherwise }

  pay 绩效 = 基数 * by grade { A 1.2, B 1.0, C 0.8 }

  year { missing quarters average }
}
"#;

/// Quarters of `(id, 销售额, 评议, 基数)`; every target is 1,000.
fn quarters(rows: [&[(&str, &str, &str, &str)]; 4]) -> Vec<Quarter> {
    rows.iter()
        .enumerate()
        .map(|(q, rows)| Quarter {
            name: format!("Q{}", q + 1),
            table: RawTable {
                headers: ["id", "销售额", "销售目标", "评议", "基数"]
                    .map(String::from)
                    .to_vec(),
                rows: rows
                    .iter()
                    .enumerate()
                    .map(|(i, (id, sales, review, base))| {
                        let cells = [*id, *sales, "1000", *review, *base];
                        RawRow::new(i + 2, cells.map(|c| Cell::Text(c.into())).to_vec())
                    })
                    .collect(),
                row_word: "line",
            },
        })
        .collect()
}

fn year(policy: &str, quarters: &[Quarter]) -> kpi::batch::Batch {
    let program = common::program(policy);
    let year = kpi::year::roll_up(&program, quarters, None).unwrap();
    let mut batch = kpi::batch::Batch {
        rows_read: 0,
        outcomes: Vec::new(),
        failures: Vec::new(),
        distribution: None,
        unranked: Vec::new(),
    };
    kpi::batch::run_records(&program, year.records, "employee", |r| match r {
        kpi::batch::RowResult::Evaluated(_, o) => batch.outcomes.push(*o),
        kpi::batch::RowResult::Failed(e) => batch.failures.push(e),
    });
    batch
}

fn company() -> Vec<Quarter> {
    quarters([
        &[("Y1", "1250", "80", "5000")],
        &[("Y1", "750", "90", "5000")],
        &[("Y1", "1000", "70", "5000"), ("Y2", "1250", "90", "5000")],
        &[("Y1", "1000", "80", "6000"), ("Y2", "1250", "80", "6000")],
    ])
}

#[test]
fn a_financial_indicator_is_re_scored_on_the_years_figures() {
    let batch = year(POLICY, &company());
    let y1 = &batch.outcomes[0];
    // 销售 by quarter: 125% → 100, 75% → 56.25, 100% → 75, 100% → 75; their
    // mean would be 76.5625. Re-scored on the year: 4,000 of 4,000 = 100% → 75.
    assert_eq!(common::points(y1, "销售"), "75.00");
    // 评议分 is averaged: (80 + 90 + 70 + 80) / 4 = 80.
    assert_eq!(common::points(y1, "评议分"), "80.00");
    // 75 × 60% + 80 × 40% = 45 + 32 = 77, a B (by the quarters' mean it
    // would be 77.94). 基数 is `yearly last`: Q4's 6,000 × 1.0.
    assert_eq!(common::score(y1), "77.00");
    assert_eq!(y1.grade.as_deref(), Some("B"));
    assert_eq!(common::pay(y1, "绩效"), "6000.00");
}

#[test]
fn a_mid_year_joiner_is_averaged_over_the_quarters_present() {
    let batch = year(POLICY, &company());
    let y2 = &batch.outcomes[1];
    // Y2 joined in Q3: 2,500 of 2,000 = 125% → 100; 评议 (90 + 80) / 2 = 85.
    // 100 × 60% + 85 × 40% = 60 + 34 = 94, an A: 6,000 × 1.2.
    assert_eq!(common::score(y2), "94.00");
    assert_eq!(y2.grade.as_deref(), Some("A"));
    assert_eq!(common::pay(y2, "绩效"), "7200.00");

    // Prorated: the same grade, pay for half the year: 7,200 × 2/4.
    let prorated = POLICY.replace("missing quarters average", "missing quarters prorate");
    let batch = year(&prorated, &company());
    assert_eq!(common::pay(&batch.outcomes[1], "绩效"), "3600.00");
    assert_eq!(common::pay(&batch.outcomes[0], "绩效"), "6000.00");

    // A total of pay items adds amounts already prorated: it is not
    // prorated twice (it once was: (3,600 + 500) × 2/4 = 2,050).
    let with_total = prorated.replace(
        "  pay 绩效 = 基数 * by grade { A 1.2, B 1.0, C 0.8 }\n",
        "  pay 绩效 = 基数 * by grade { A 1.2, B 1.0, C 0.8 }\n  \
         pay 补贴 = ¥1,000\n  let 小计 = 绩效 + 补贴\n  pay 合计 = 小计\n",
    );
    let batch = year(&with_total, &company());
    let y2 = &batch.outcomes[1];
    assert_eq!(common::pay(y2, "补贴"), "500.00");
    assert_eq!(common::pay(y2, "合计"), "4100.00");
    assert_eq!(common::pay(&batch.outcomes[0], "合计"), "7000.00");
}

/// A commission on an amount the year adds up covers only the quarters
/// present already: `prorate` does not scale it again (it once did, paying
/// a half-year joiner a quarter of their commission), while the base pay
/// beside it is prorated as before.
#[test]
fn prorate_leaves_pay_on_a_yearly_sum_alone() {
    let policy = POLICY
        .replace("missing quarters average", "missing quarters prorate")
        .replace(
            "  pay 绩效 = 基数 * by grade { A 1.2, B 1.0, C 0.8 }\n",
            "  pay 绩效 = 基数 * by grade { A 1.2, B 1.0, C 0.8 }\n  \
             let 业绩 = 销售额\n  pay 提成 = 业绩 * 2%\n",
        );
    let batch = year(&policy, &company());
    let (y1, y2) = (&batch.outcomes[0], &batch.outcomes[1]);
    // Y2, in Q3 and Q4: 1,250 + 1,250 = 2,500 sold, 2% = 50 (not 25); the
    // base pay is prorated, 7,200 × 2/4. Y1, all year: 4,000 × 2% = 80.
    assert_eq!(common::pay(y2, "提成"), "50.00");
    assert_eq!(common::pay(y2, "绩效"), "3600.00");
    assert_eq!(common::pay(y1, "提成"), "80.00");

    // The explanation shows the formula's amount, then the prorating: the
    // arithmetic an employee reads adds up.
    let program = common::program(&policy);
    let rolled = kpi::year::roll_up(&program, &company(), None).unwrap();
    let (_, y2) = rolled.records[1].as_ref().unwrap();
    let text = kpi::explain::explain(&program, y2).unwrap();
    assert!(
        text.contains(
            "= ¥6,000.00 × 1.2 (grade A) = ¥7,200.00\n    prorated for 2 of the year's 4 quarters: × 2/4 = ¥3,600.00\n"
        ),
        "{text}"
    );
    assert!(text.contains("= ¥2,500.00 × 2% = ¥50.00\n"), "{text}");
}

/// What `prorate` scales is decided by the amount, not by every input a
/// formula reads: a sum in a condition only chooses an amount (a bonus for
/// selling over a line is a bonus of the year's kind); a ratio of two sums
/// is a rate (a base pay times the completion rate is still a base pay).
/// An amount that adds a sum to a base pay is prorated whole, as before,
/// and `kpi check` warns of it.
#[test]
fn prorate_scales_amounts_of_the_years_kind_only() {
    let with_pay = |pay: &str| {
        POLICY
            .replace("missing quarters average", "missing quarters prorate")
            .replace(
                "  pay 绩效 = 基数 * by grade { A 1.2, B 1.0, C 0.8 }\n",
                &format!(
                    "  pay 绩效 = 基数 * by grade {{ A 1.2, B 1.0, C 0.8 }}\n  pay 其他 = {pay}\n"
                ),
            )
    };
    // Y2, in Q3 and Q4 only: 2,500 sold of a 2,000 target, base 6,000.
    let paid = |pay: &str| {
        let batch = year(&with_pay(pay), &company());
        common::pay(&batch.outcomes[1], "其他")
    };
    // Sales in a condition: a ¥1,000 bonus of the year's kind, halved.
    assert_eq!(paid("if 销售额 >= ¥2,000 then ¥1,000 else ¥0"), "500.00");
    // A ratio of two sums is a rate: 6,000 × 125% = 7,500, halved.
    assert_eq!(paid("基数 * (销售额 / 销售目标)"), "3750.00");
    // A commission on the sum: 2% of 2,500, whole.
    assert_eq!(
        paid("if 销售额 >= ¥2,000 then 销售额 * 2% else ¥0"),
        "50.00"
    );
    // Both kinds: prorated whole, (50 + 6,000) × 2/4 = 3,025, and warned.
    let mixed = with_pay("销售额 * 2% + 基数");
    let batch = year(&mixed, &company());
    assert_eq!(common::pay(&batch.outcomes[1], "其他"), "3025.00");
    let (_, diagnostics) = kpi::check_bytes("mixed.kpi", mixed.into_bytes());
    let warned: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(warned, ["kpi::year::prorated_in_part"]);
    for clean in [
        "if 销售额 >= ¥2,000 then ¥1,000 else ¥0",
        "基数 * (销售额 / 销售目标)",
    ] {
        let (_, diagnostics) = kpi::check_bytes("clean.kpi", with_pay(clean).into_bytes());
        assert!(diagnostics.is_empty(), "{clean}: {diagnostics:?}");
    }
}

#[test]
fn a_missing_quarter_without_a_rule_fails_and_is_never_a_zero() {
    let silent = POLICY.replace("  year { missing quarters average }\n", "");
    let batch = year(&silent, &company());
    assert_eq!(batch.outcomes.len(), 1);
    assert_eq!(
        batch.failures[0].to_string(),
        "employee 2 (id Y2): absent from Q1, Q2: the policy does not say how the year treats a missing quarter (add `year { missing quarters average }` or `prorate`)"
    );
}

#[test]
fn a_quarter_row_that_failed_fails_the_year() {
    let quarters = quarters([
        &[("Y1", "1250", "80", "5000")],
        &[("Y1", "lots", "90", "5000")],
        &[("Y1", "1000", "70", "5000")],
        &[("Y1", "1000", "80", "6000")],
    ]);
    let program = common::program(POLICY);
    let year = kpi::year::roll_up(&program, &quarters, None).unwrap();
    assert_eq!(year.quarter_failures.len(), 1);
    assert_eq!(year.quarter_failures[0].0, "Q2");
    let failure = year.records[0].as_ref().unwrap_err();
    assert_eq!(
        failure.to_string(),
        "employee 1 (id Y1): no yearly result: the row of Q2 failed (reported above)"
    );
}

/// The sample company (examples/company_2026): 63–64 people a quarter.
fn company_quarters() -> Vec<Quarter> {
    (1..=4)
        .map(|q| Quarter {
            name: format!("Q{q}"),
            table: kpi::data::read(std::path::Path::new(&format!(
                "examples/company_2026/Q{q}.csv"
            )))
            .unwrap(),
        })
        .collect()
}

fn foreign_trade() -> kpi::program::Program {
    common::program(&std::fs::read_to_string("policies/foreign_trade_sales.kpi").unwrap())
}

#[test]
fn the_sample_companys_year() {
    let program = foreign_trade();
    let year = kpi::year::roll_up(&program, &company_quarters(), None).unwrap();
    assert!(year.quarter_failures.is_empty());
    let mut outcomes = Vec::new();
    let summary = kpi::batch::run_records(&program, year.records, "employee", |r| {
        if let kpi::batch::RowResult::Evaluated(_, o) = r {
            outcomes.push(*o);
        }
    });
    // 64 people: S044 joined in Q3, N020 left after Q3; both are averaged
    // over their quarters.
    assert_eq!(
        (summary.read, summary.evaluated, summary.failed),
        (64, 64, 0)
    );
    // The quotas hold after forced ranking, which had to move people.
    let distribution = summary.distribution.unwrap();
    assert!(distribution.broken().next().is_none());
    let moved = outcomes
        .iter()
        .filter(|o| o.grade_by_score.is_some() && o.vetoes.is_empty())
        .count();
    assert!(moved >= 5, "{moved} moved");

    // S044, by hand from the files: Q3 + Q4 deal value 1,334,000 + 1,697,000
    // = 3,031,000 against 1,200,000 + 1,500,000 = 2,700,000: 112.259…% →
    // 75 + 12.259…% × 25 / 25% = 87.26 (the quarters' mean: (86.17 + 88.13)
    // / 2 = 87.15).
    let s044 = outcomes.iter().find(|o| o.id == "S044").unwrap();
    assert_eq!(common::points(s044, "成交"), "87.26");
    assert_eq!(common::score(s044), "88.95");
    assert_eq!(s044.grade_by_score.as_deref(), Some("A"));
    assert_eq!(s044.grade.as_deref(), Some("B"));

    let csv = kpi::report::csv(&program, &outcomes);
    insta::assert_snapshot!("company_2026_year", csv);
}

#[test]
fn the_sample_companys_fourth_quarter() {
    let program = foreign_trade();
    let table = kpi::data::read(std::path::Path::new("examples/company_2026/Q4.csv")).unwrap();
    let batch = kpi::batch::evaluate(&program, &table).unwrap();
    assert_eq!(batch.failures.len(), 0);
    // The general manager's A for S030, with its reason.
    let s030 = batch.outcomes.iter().find(|o| o.id == "S030").unwrap();
    assert_eq!(s030.grade.as_deref(), Some("A"));
    let note = s030.final_adjustment.as_ref().unwrap();
    assert_eq!(note.reason, "签下年度最大客户，业绩计入下季度");
    assert!(batch.distribution.unwrap().broken().next().is_none());
    insta::assert_snapshot!(
        "company_2026_q4",
        kpi::report::csv(&program, &batch.outcomes)
    );
}

#[test]
fn yearly_figures_replace_the_sums_and_explain_shows_each_source() {
    let program = common::program(POLICY);
    // HR set Y1's yearly target at 5,000, not the quarters' 4,000.
    let figures = RawTable {
        headers: ["id", "销售目标"].map(String::from).to_vec(),
        rows: vec![RawRow::new(
            2,
            ["Y1", "5000"].map(|c| Cell::Text(c.into())).to_vec(),
        )],
        row_word: "line",
    };
    let year = kpi::year::roll_up(&program, &company(), Some(&figures)).unwrap();
    let (_, y1) = year.records[0].as_ref().unwrap();
    let outcome = program.evaluate(y1).unwrap();
    // 4,000 of 5,000 = 80% → 60 points; 60 × 60% + 80 × 40% = 36 + 32 = 68, a C.
    assert_eq!(common::points(&outcome, "销售"), "60.00");
    assert_eq!(common::score(&outcome), "68.00");
    assert_eq!(outcome.grade.as_deref(), Some("C"));

    let text = kpi::explain::explain(&program, y1).unwrap();
    assert!(
        text.contains("Y1 — year, the year of Q1, Q2, Q3, Q4"),
        "{text}"
    );
    assert!(
        text.contains("quarters: Q1 100.00, Q2 56.25, Q3 75.00, Q4 75.00\n    financial: re-scored on the year's figures"),
        "{text}"
    );
    assert!(
        text.contains("average of the quarters: Q1 80.00, Q2 90.00, Q3 70.00, Q4 80.00 → 80.00 points × 40% = 32.00"),
        "{text}"
    );
}

/// A yearly figures file of `(id, 销售目标)` rows, numbered from line 2,
/// under the given header.
fn figures(header: [&str; 2], rows: &[(&str, &str)]) -> RawTable {
    RawTable {
        headers: header.map(String::from).to_vec(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, (id, target))| {
                RawRow::new(i + 2, [*id, *target].map(|c| Cell::Text(c.into())).to_vec())
            })
            .collect(),
        row_word: "line",
    }
}

/// A yearly figure that cannot be read, or lies outside its input's range,
/// fails that employee's year, naming the line, the column and the rule;
/// the quarters' sum never stands in for it unseen. Everyone else's year
/// is still rolled up, Y2's with its own figure.
#[test]
fn a_yearly_figure_that_cannot_be_used_fails_the_employees_year() {
    let policy = POLICY.replace("input 销售目标 money", "input 销售目标 money range > ¥0");
    let program = common::program(&policy);
    for (bad, why) in [
        ("5千", "money"),
        ("-5000", "outside the range the policy declares"),
    ] {
        let table = figures(["id", "销售目标"], &[("Y1", bad), ("Y2", "2000")]);
        let year = kpi::year::roll_up(&program, &company(), Some(&table)).unwrap();
        assert_eq!(year.quarter_failures.len(), 1, "{bad}");
        let (file, failure) = &year.quarter_failures[0];
        assert_eq!(file, "the yearly figures");
        let shown = failure.to_string();
        assert!(shown.contains("line 2"), "{shown}");
        assert!(shown.contains("销售目标") && shown.contains(why), "{shown}");
        assert!(shown.contains("the yearly figures"), "{shown}");
        let Err(y1) = &year.records[0] else {
            panic!("Y1's year is rolled up from a figure that failed")
        };
        assert!(
            y1.to_string()
                .contains("no yearly result: the row of the yearly figures failed"),
            "{y1}"
        );
        // Y2: 2,500 of the figure's 2,000 = 125% → 100 points.
        let (_, y2) = year.records[1].as_ref().unwrap();
        let outcome = program.evaluate(y2).unwrap();
        assert_eq!(common::points(&outcome, "销售"), "100.00");
    }
}

/// An employee given twice: the first row counts and the second fails,
/// naming the first. Figures for an id no quarter has fail too (a mistyped
/// id would otherwise replace nobody's sums), and so does a row without an
/// id.
#[test]
fn yearly_figures_for_an_employee_twice_or_for_nobody_are_reported() {
    let program = common::program(POLICY);
    let table = figures(
        ["id", "销售目标"],
        &[
            ("Y1", "5000"),
            ("Y1", "4000"),
            ("Y9", "3000"),
            ("", "1000"),
            ("Y8", "lots"),
        ],
    );
    let year = kpi::year::roll_up(&program, &company(), Some(&table)).unwrap();
    let failures: Vec<String> = year
        .quarter_failures
        .iter()
        .map(|(file, e)| format!("{file}: {e}"))
        .collect();
    // In file order, each row once: Y8's bad cell is its failure, not also
    // its unknown id.
    assert_eq!(failures.len(), 4, "{failures:#?}");
    assert!(
        failures[0].contains("line 3") && failures[0].contains("line 2"),
        "{}",
        failures[0]
    );
    assert!(
        failures[1].contains("line 4") && failures[1].contains("Y9"),
        "{}",
        failures[1]
    );
    assert!(
        failures[1].contains("no quarter has this employee"),
        "{}",
        failures[1]
    );
    assert!(
        failures[2].contains("line 5") && failures[2].contains("no employee id"),
        "{}",
        failures[2]
    );
    assert!(
        failures[3].contains("line 6") && failures[3].contains("lots"),
        "{}",
        failures[3]
    );
    // The first row's 5,000 counts: 4,000 of 5,000 = 80% → 60 points.
    let (_, y1) = year.records[0].as_ref().unwrap();
    let outcome = program.evaluate(y1).unwrap();
    assert_eq!(common::points(&outcome, "销售"), "60.00");
}

/// A column of the yearly figures that is no input (by name, label or
/// alias), nor the id, name, plan or group column, is refused with the
/// input it may be misspelt from: the file exists to replace sums, and a
/// misspelt column would replace none.
#[test]
fn a_yearly_figures_column_that_is_no_input_is_refused() {
    let program = common::program(POLICY);
    let table = figures(["id", "销售目表"], &[("Y1", "5000")]);
    let e = kpi::year::roll_up(&program, &company(), Some(&table)).unwrap_err();
    assert_eq!(e.file, "the yearly figures");
    let shown = e.error.to_string();
    assert!(shown.contains("`销售目表` (`销售目标`?)"), "{shown}");
}

/// An input given by two columns of the yearly figures (its name and its
/// label) is refused naming both: which of two figures replaces the sum
/// must be said, not guessed.
#[test]
fn a_yearly_figures_input_given_twice_is_refused_naming_both_columns() {
    let policy = POLICY.replace("input 销售目标 money", "input 销售目标 money \"target\"");
    let program = common::program(&policy);
    let mut table = figures(["id", "销售目标"], &[("Y1", "5000")]);
    table.headers.push("target".to_string());
    let e = kpi::year::roll_up(&program, &company(), Some(&table)).unwrap_err();
    assert_eq!(
        e.error.to_string(),
        "the columns `销售目标` and `target` both give `销售目标`: keep the one that counts\n"
    );
    // Either column alone is the input.
    for header in ["销售目标", "target"] {
        let table = figures(["id", header], &[("Y1", "5000")]);
        let year = kpi::year::roll_up(&program, &company(), Some(&table)).unwrap();
        assert!(year.quarter_failures.is_empty(), "{header}");
    }
}

/// An employee twice in one quarter: the first row counts even when the
/// second cannot be read, and the second is reported.
#[test]
fn a_second_row_in_a_quarter_never_replaces_the_first() {
    let quarters = quarters([
        &[("Y1", "1250", "80", "5000"), ("Y1", "lots", "90", "5000")],
        &[("Y1", "750", "90", "5000")],
        &[("Y1", "1000", "70", "5000")],
        &[("Y1", "1000", "80", "6000")],
    ]);
    let program = common::program(POLICY);
    let year = kpi::year::roll_up(&program, &quarters, None).unwrap();
    assert_eq!(year.quarter_failures.len(), 1);
    let (file, failure) = &year.quarter_failures[0];
    assert_eq!(file, "Q1");
    assert_eq!(
        failure.to_string(),
        "line 3 (id Y1): the employee appears twice in this quarter; the first row counts"
    );
    // The year of the first rows: 4,000 of 4,000 = 100% → 75 points × 60%
    // = 45, plus the reviews' average 80 × 40% = 32: 77.
    let (_, y1) = year.records[0].as_ref().unwrap();
    let outcome = program.evaluate(y1).unwrap();
    assert_eq!(common::points(&outcome, "销售"), "75.00");
    assert_eq!(common::score(&outcome), "77.00");
}

/// A yearly figures column named twice is reported as that, as in a
/// quarter's file, and not also as a column that is no input.
#[test]
fn a_yearly_figures_column_named_twice_is_reported_once() {
    let program = common::program(POLICY);
    let mut table = figures(["id", "销售目标"], &[("Y1", "5000")]);
    table.headers.push("销售目标".to_string());
    let e = kpi::year::roll_up(&program, &company(), Some(&table)).unwrap_err();
    assert_eq!(e.error.to_string(), "the column `销售目标` appears twice\n");
}
