//! The figures of DOMAIN.md and the issue, computed by hand and asserted
//! exactly. Every expected value here was worked out on paper first; the
//! arithmetic is in the comments.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{one, pay, points, program, run, score};

/// One indicator scored on the piecewise curve of DOMAIN.md §1.
const CURVE: &str = r#"
policy "curve" {
  period quarter
  currency CNY
  input 成交额   money
  input 成交目标 money
  indicator 成交 weight 100% {
    measure 成交额 / 成交目标
    points linear { 0% => 0, 100% => 75, 125% => 100 }
  }
}"#;

#[test]
fn the_piecewise_curve_gives_75_at_target_and_100_at_125_percent() {
    let p = program(CURVE);
    let at = |actual: &str| {
        points(
            &one(
                &p,
                &[("id", "E1"), ("成交额", actual), ("成交目标", "1000000")],
            ),
            "成交",
        )
    };
    assert_eq!(at("1000000"), "75.00"); // 100% of target
    assert_eq!(at("1250000"), "100.00"); // 125%
    assert_eq!(at("1125000"), "87.50"); // 112.5%: 75 + 12.5% × 25 / 25% = 87.5
    assert_eq!(at("1500000"), "100.00"); // capped above the last point
    assert_eq!(at("500000"), "37.50"); // 50% × 75 = 37.5
    assert_eq!(at("0"), "0.00");
}

#[test]
fn thirds_and_sevenths_come_out_exact_at_the_declared_precision() {
    let p = program(CURVE);
    let at = |actual: &str, target: &str| {
        points(
            &one(
                &p,
                &[("id", "E1"), ("成交额", actual), ("成交目标", target)],
            ),
            "成交",
        )
    };
    assert_eq!(at("2", "3"), "50.00"); // 2/3 × 75 = 50 exactly, though 2/3 has no finite decimal
    assert_eq!(at("1", "3"), "25.00"); // 1/3 × 75 = 25
    assert_eq!(at("1", "7"), "10.71"); // 75/7 = 10.714285…
    assert_eq!(at("4", "9"), "33.33"); // 300/9 = 33.333…
    assert_eq!(at("5", "9"), "41.67"); // 375/9 = 41.666…
    assert_eq!(at("7", "6"), "91.67"); // 75 + (1/6) × 25 / 25% = 91.666…
}

#[test]
fn a_score_of_exactly_95_after_an_inexact_ratio_is_an_s() {
    // points = ratio × k where ratio × k is mathematically 95, but the ratio
    // has no finite decimal: 1/3 × 285, 2/7 × 332.5, 4/9 × 213.75. Computed
    // naively each gives 94.999…9, an A; rounded at the declared precision
    // each is 95.00, an S.
    let p = program(
        r#"
policy "ninety-five" {
  period quarter
  input 实际 number
  input 目标 number
  input 系数 number
  indicator 业绩 weight 100% {
    points 实际 / 目标 * 系数
  }
  grades { S >= 95, A >= 85, B otherwise }
}"#,
    );
    for (actual, target, k) in [("1", "3", "285"), ("2", "7", "332.5"), ("4", "9", "213.75")] {
        let o = one(
            &p,
            &[
                ("id", "E1"),
                ("实际", actual),
                ("目标", target),
                ("系数", k),
            ],
        );
        assert_eq!(score(&o), "95.00", "{actual}/{target} × {k}");
        assert_eq!(o.grade.as_deref(), Some("S"), "{actual}/{target} × {k}");
    }
}

#[test]
fn meeting_the_expense_ratio_earns_80_percent_of_the_points() {
    let p = program(
        r#"
policy "expenses" {
  period quarter
  currency CNY
  input 费用 money
  input 营业额 money
  input 核定费用率 percent
  input 其他 score
  indicator 费用控制 weight 15% {
    measure 费用 / 营业额
    points when measure <= 核定费用率 => 80% otherwise 0
  }
  indicator 其他指标 weight 85% { points 其他 }
}"#,
    );
    let row = |expenses: &str| {
        one(
            &p,
            &[
                ("id", "E1"),
                ("费用", expenses),
                ("营业额", "1000000"),
                ("核定费用率", "15%"),
                ("其他", "0"),
            ],
        )
    };
    let met = row("150000"); // exactly 15%: met
    assert_eq!(points(&met, "费用控制"), "80.00");
    assert_eq!(score(&met), "12.00"); // 80 × 15% = 12
    let missed = row("150001"); // 15.0001%: missed
    assert_eq!(points(&missed, "费用控制"), "0.00");
    assert_eq!(score(&missed), "0.00");
}

const GRADED: &str = r#"
policy "grades" {
  period quarter
  currency CNY
  input 得分 score
  input 绩效基数 money
  indicator 综合 weight 100% { points 得分 }
  grades {
    S "卓越"   score >= 95
    A "优秀"   85 <= score < 95
    B "良好"   75 <= score < 85
    C "一般"   65 <= score < 75
    D "需改进" score < 65
  }
  pay 绩效工资 = 绩效基数 * by grade { S 1.5, A 1.3, B 1.1, C 0.9, D 0.7 }
}"#;

#[test]
fn scores_on_and_beside_boundaries_land_in_exactly_one_grade() {
    let p = program(GRADED);
    let grade = |s: &str| {
        one(&p, &[("id", "E1"), ("得分", s), ("绩效基数", "3000")])
            .grade
            .expect("a grade")
    };
    assert_eq!(grade("100"), "S");
    assert_eq!(grade("95"), "S");
    assert_eq!(grade("94.99"), "A");
    assert_eq!(grade("85"), "A");
    assert_eq!(grade("84.99"), "B");
    assert_eq!(grade("75"), "B");
    assert_eq!(grade("74.99"), "C");
    assert_eq!(grade("65"), "C");
    assert_eq!(grade("64.99"), "D");
    assert_eq!(grade("0"), "D");
    // 94.995 is rounded to the score precision (0.01, half away from zero)
    // before grading: 95.00, an S.
    assert_eq!(grade("94.995"), "S");
}

#[test]
fn performance_pay_is_the_base_times_the_grade_coefficient() {
    let p = program(GRADED);
    let pay_for = |s: &str| {
        pay(
            &one(&p, &[("id", "E1"), ("得分", s), ("绩效基数", "3000")]),
            "绩效工资",
        )
    };
    assert_eq!(pay_for("96"), "4500.00"); // S: 3000 × 1.5
    assert_eq!(pay_for("90"), "3900.00"); // A: 3000 × 1.3
    assert_eq!(pay_for("80"), "3300.00"); // B: 3000 × 1.1
    assert_eq!(pay_for("70"), "2700.00"); // C: 3000 × 0.9
    assert_eq!(pay_for("60"), "2100.00"); // D: 3000 × 0.7
}

const COMMISSION: &str = r#"
policy "commission" {
  period quarter
  currency CNY
  input 团队销售额 money
  input 团队目标   money
  input 个人大客户 yes/no
  input 大客户回款 money
  pay 大客户提成 = if 个人大客户 then 大客户回款 * 2% else ¥0
  pay 团队提成 = if 个人大客户 then ¥0
                 else if 团队销售额 >= 团队目标 then 团队销售额 * 1%
                 else 团队销售额 * 0.5%
}"#;

#[test]
fn team_commission_is_1_percent_when_the_target_is_met_else_half_a_percent() {
    let p = program(COMMISSION);
    let row = |sales: &str, key: &str| {
        one(
            &p,
            &[
                ("id", "E1"),
                ("团队销售额", sales),
                ("团队目标", "1000000"),
                ("个人大客户", key),
                ("大客户回款", "500000"),
            ],
        )
    };
    let met = row("1000000", "no");
    assert_eq!(pay(&met, "团队提成"), "10000.00"); // 1% of 1,000,000
    assert_eq!(pay(&met, "大客户提成"), "0.00");
    let missed = row("800000", "no");
    assert_eq!(pay(&missed, "团队提成"), "4000.00"); // 0.5% of 800,000
    // Key-account commission excludes the team commission.
    let key = row("1200000", "yes");
    assert_eq!(pay(&key, "大客户提成"), "10000.00"); // 2% of 500,000
    assert_eq!(pay(&key, "团队提成"), "0.00");
}

#[test]
fn money_is_rounded_half_away_from_zero_to_the_cent() {
    let p = program(COMMISSION);
    let team = |sales: &str, target: &str| {
        pay(
            &one(
                &p,
                &[
                    ("id", "E1"),
                    ("团队销售额", sales),
                    ("团队目标", target),
                    ("个人大客户", "no"),
                    ("大客户回款", "0"),
                ],
            ),
            "团队提成",
        )
    };
    // 1% of 1,234,500.50 is 12,345.005: exactly half a cent, rounded up.
    assert_eq!(team("1234500.50", "1000000"), "12345.01");
    // 0.5% of 1,000.90 is 5.0045: below half a cent, rounded down.
    assert_eq!(team("1000.90", "2000000"), "5.00");
    // 0.5% of 1,001.00 is 5.005: half a cent, away from zero.
    assert_eq!(team("1001.00", "2000000"), "5.01");
}

#[test]
fn a_row_that_divides_by_zero_fails_alone_and_names_the_rule() {
    let p = program(CURVE);
    let batch = run(
        &p,
        &[
            &[("id", "E1"), ("成交额", "100"), ("成交目标", "100")],
            &[("id", "E2"), ("成交额", "100"), ("成交目标", "0")],
            &[("id", "E3"), ("成交额", "50"), ("成交目标", "100")],
        ],
    );
    assert_eq!(batch.rows_read, 3);
    assert_eq!(batch.outcomes.len(), 2);
    assert_eq!(batch.failures.len(), 1);
    let message = batch.failures[0].to_string();
    assert!(message.contains("line 3 (id E2)"), "{message}");
    assert!(message.contains("division by zero"), "{message}");
    assert!(message.contains("indicator `成交`"), "{message}");
    assert!(message.contains("成交目标 = 0"), "{message}");
}

/// Missing values, as the policy says: an optional input leaves out the
/// indicators that use it, a default fills in, anything else fails the row.
const MISSING: &str = r#"
policy "missing values" {
  period quarter
  currency CNY
  input 成交额   money
  input 成交目标 money
  input 民主评议 score "peer review" optional
  input 改进提案 number default 0
  input 绩效基数 money
  indicator 成交 weight 70% {
    measure 成交额 / 成交目标
    points linear { 0% => 0, 100% => 75, 125% => 100 }
  }
  indicator 评议 weight 30% { points 民主评议 }
  bonus 提案 { points 改进提案 * 2 }
  grades { A >= 85, B >= 75, C otherwise }
  pay 绩效工资 = 绩效基数 * by grade { A 1.3, B 1.1, C 0.9 }
}"#;

#[test]
fn an_optional_input_left_empty_leaves_out_its_indicators() {
    let p = program(MISSING);
    let row = |review: &str, proposals: &str| {
        one(
            &p,
            &[
                ("id", "E1"),
                ("成交额", "1125000"),
                ("成交目标", "1000000"),
                ("民主评议", review),
                ("改进提案", proposals),
                ("绩效基数", "3000"),
            ],
        )
    };
    // With a review: 87.5 × 70% + 60 × 30% = 61.25 + 18 = 79.25, +2 bonus = 81.25.
    let full = row("60", "1");
    assert_eq!(score(&full), "81.25");
    // Without: only 成交 counts, 87.5 × 70% / 70% = 87.5, +2 = 89.50, an A.
    let partial = row("", "1");
    assert_eq!(partial.indicators["评议"], None);
    assert_eq!(partial.contributions["成交"].unwrap().to_string(), "87.50");
    assert_eq!(score(&partial), "89.50");
    assert_eq!(partial.grade.as_deref(), Some("A"));
    // An empty 改进提案 is its default, 0: 87.5 with no bonus.
    let defaulted = row("", "");
    assert_eq!(score(&defaulted), "87.50");
    assert_eq!(defaulted.adjustments["提案"].to_string(), "0.00");
}

/// The walk runs on past a fault (so that numbers come back in registers),
/// but the first fault in evaluation order is the one that counts: a
/// division by zero before a missing optional input fails the row; the
/// same input read first leaves the indicator out, as it always did.
#[test]
fn a_formula_s_first_fault_decides_between_failing_and_leaving_out() {
    let policy = |formula: &str| {
        program(&format!(
            r#"
policy "x" {{
  period quarter
  currency CNY
  input 成交额   money
  input 成交目标 money
  input 民主评议 score optional
  input 得分     score
  indicator 成交 weight 50% {{ points {formula} }}
  indicator 其他 weight 50% {{ points 得分 }}
}}"#
        ))
    };
    let row: &[(&str, &str)] = &[
        ("id", "E1"),
        ("成交额", "100"),
        ("成交目标", "0"),
        ("民主评议", ""),
        ("得分", "80"),
    ];
    let divides_first = run(&policy("成交额 / 成交目标 * 民主评议"), &[row]);
    assert_eq!(divides_first.outcomes.len(), 0);
    let message = divides_first.failures[0].to_string();
    assert!(message.contains("division by zero"), "{message}");
    let missing_first = one(&policy("民主评议 * (成交额 / 成交目标)"), row);
    assert_eq!(missing_first.indicators["成交"], None);
    assert_eq!(score(&missing_first), "80.00");
    // first_of skips a missing argument but keeps an earlier fault first.
    let before_first_of = run(
        &policy("成交额 / 成交目标 * first_of(民主评议, 得分)"),
        &[row],
    );
    let message = before_first_of.failures[0].to_string();
    assert!(message.contains("division by zero"), "{message}");
    let first_of = one(&policy("first_of(民主评议, 得分) / 2"), row);
    assert_eq!(first_of.indicators["成交"].unwrap().to_string(), "40.00");
}

/// An indicator left out for a missing value explains no branch it never
/// took: the walk runs on past the missing value, the trace does not.
#[test]
fn a_left_out_indicator_traces_no_branch() {
    let p = review_policy("when 民主评议 >= 60 => 100 otherwise 0");
    let present = p.evaluate_traced(&review_record(Some("70"))).unwrap();
    assert_eq!(branches(&present), 1);
    assert_eq!(present.outcome.score.unwrap().to_string(), "90.00");
    let absent = p.evaluate_traced(&review_record(None)).unwrap();
    assert_eq!(branches(&absent), 0);
    assert!(
        absent
            .events
            .iter()
            .any(|e| matches!(e, kpi::eval::Event::Excluded { .. }))
    );
    assert_eq!(absent.outcome.score.unwrap().to_string(), "80.00");
}

/// The same inside `first_of`: once the formula has read a missing value,
/// the branch in a later `first_of` argument is neither walked nor traced.
#[test]
fn a_left_out_indicator_traces_no_branch_inside_first_of() {
    let p = review_policy("民主评议 * first_of(if 得分 >= 60 then 1 else 0, 1)");
    let present = p.evaluate_traced(&review_record(Some("70"))).unwrap();
    assert_eq!(branches(&present), 1);
    assert_eq!(present.outcome.score.unwrap().to_string(), "75.00");
    let absent = p.evaluate_traced(&review_record(None)).unwrap();
    assert_eq!(branches(&absent), 0);
    assert_eq!(absent.outcome.indicators["评议"], None);
    assert_eq!(absent.outcome.score.unwrap().to_string(), "80.00");
}

/// The two branch tests' policy: 评议 scored by `points`, 其他 by 得分.
fn review_policy(points: &str) -> kpi::program::Program {
    program(&format!(
        r#"
policy "x" {{
  period quarter
  currency CNY
  input 民主评议 score optional
  input 得分     score
  indicator 评议 weight 50% {{ points {points} }}
  indicator 其他 weight 50% {{ points 得分 }}
}}"#
    ))
}

/// A record of the two branch tests' policies: 民主评议 (empty for `None`),
/// then 得分 = 80.
fn review_record(review: Option<&str>) -> kpi::eval::Record {
    kpi::eval::Record {
        id: "E1".into(),
        name: None,
        group: None,
        plan: 0,
        inputs: vec![
            match review {
                Some(r) => kpi::program::Value::Num(r.parse().unwrap()),
                None => kpi::program::Value::Missing,
            },
            kpi::program::Value::Num(80.into()),
        ],
        final_adjustment: None,
        year: None,
    }
}

/// How many branches a traced evaluation explains.
fn branches(traced: &kpi::eval::Traced) -> usize {
    traced
        .events
        .iter()
        .filter(|e| matches!(e, kpi::eval::Event::Branch { .. }))
        .count()
}

#[test]
fn a_required_input_left_empty_fails_the_row() {
    let p = program(MISSING);
    let batch = run(
        &p,
        &[&[
            ("id", "E1"),
            ("成交额", ""),
            ("成交目标", "1000000"),
            ("民主评议", "60"),
            ("改进提案", "0"),
            ("绩效基数", "3000"),
        ]],
    );
    assert_eq!(batch.failures.len(), 1);
    let message = batch.failures[0].to_string();
    assert!(message.contains("column `成交额`: no value"), "{message}");
}

#[test]
fn a_missing_optional_input_that_pay_needs_fails_the_row() {
    let p = program(
        r#"
policy "x" {
  period quarter
  currency CNY
  input 得分 score
  input 奖金 money optional
  indicator a weight 100% { points 得分 }
  pay 奖励 = 奖金 * 2
}"#,
    );
    let batch = run(&p, &[&[("id", "E1"), ("得分", "80"), ("奖金", "")]]);
    assert_eq!(batch.failures.len(), 1);
    let message = batch.failures[0].to_string();
    assert!(
        message.contains("a value it needs is missing in pay item `奖励`"),
        "{message}"
    );
}
