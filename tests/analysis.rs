//! `kpi analyze`: bounds, unreachable grades, unbounded pay, zero divisors
//! and monotonicity, with every key number computed by hand.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use kpi::analysis::{Analysis, PlanReport, Range, analyze};
use kpi::program::Program;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn bundled(name: &str) -> Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies")
        .join(format!("{name}.kpi"));
    common::program(&std::fs::read_to_string(path).unwrap())
}

fn fixture(name: &str) -> Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/errors")
        .join(format!("{name}.kpi"));
    common::program(&std::fs::read_to_string(path).unwrap())
}

fn range(lo: Option<&str>, hi: Option<&str>) -> Range {
    Range {
        lo: lo.map(d),
        hi: hi.map(d),
    }
}

fn plan<'a>(a: &'a Analysis, name: Option<&str>) -> &'a PlanReport {
    a.plans.iter().find(|p| p.plan.as_deref() == name).unwrap()
}

fn indicator(p: &PlanReport, name: &str) -> Range {
    p.indicators.iter().find(|i| i.name == name).unwrap().range
}

fn codes(a: &Analysis) -> Vec<&str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn foreign_trade_performance_pay_is_between_0_7_and_1_5_times_the_base() {
    let a = analyze(&bundled("foreign_trade_sales"));
    assert!(a.findings.is_empty(), "{:?}", codes(&a));
    for name in ["业务员", "非业务员"] {
        let p = plan(&a, Some(name));
        let pay = &p.pay[0];
        assert_eq!(pay.name, "绩效工资");
        let rel = pay.relative.as_ref().expect("a multiple of the base");
        assert_eq!(rel.base, "绩效基数");
        // D's 0.7 to S's 1.5: forced ranking can give anyone any grade.
        assert_eq!(rel.factor, range(Some("0.7"), Some("1.5")));
        // In money: the base is at least ¥0 and has no ceiling.
        assert_eq!(pay.range, range(Some("0"), None));
        assert_eq!(p.score, Some(range(Some("0"), Some("100"))));
        assert!(p.grades.iter().all(|g| g.by_score));
    }
    let sales = plan(&a, Some("业务员"));
    // Meeting the approved expense ratio earns 80% of the points, and
    // nothing earns more.
    assert_eq!(indicator(sales, "费用控制"), range(Some("0"), Some("80")));
    assert_eq!(indicator(sales, "成交"), range(Some("0"), Some("100")));
    // Proposals: 2 points each, capped at 6; complaints 3 each, capped at 12.
    let adjustments: Vec<Range> = sales.adjustments.iter().map(|b| b.range).collect();
    assert_eq!(
        adjustments,
        [range(Some("0"), Some("6")), range(Some("0"), Some("12"))]
    );
    // The project is left out when neither review nor decision is given.
    let others = plan(&a, Some("非业务员"));
    assert!(
        others
            .indicators
            .iter()
            .find(|i| i.name == "项目")
            .unwrap()
            .can_be_left_out
    );
    // Every input declared better one way is proved to never lower the
    // score, including the expense ratio's `when` with its jump at the
    // approved ratio.
    assert!(sales.monotone.iter().all(|m| m.proved));
    assert!(sales.monotone.iter().any(|m| m.input == "费用"));
}

#[test]
fn operations_director_score_lies_in_2_to_99_25() {
    let a = analyze(&bundled("operations_director"));
    assert!(a.findings.is_empty(), "{:?}", codes(&a));
    let p = plan(&a, None);
    // Satisfaction is capped at 95; the team indicator has a floor of 20.
    assert_eq!(indicator(p, "满意度"), range(Some("0"), Some("95")));
    assert_eq!(indicator(p, "团队"), range(Some("20"), Some("100")));
    // Lowest: 20 × 10% = 2. Highest: 100 × 85% + 95 × 15% = 85 + 14.25.
    assert_eq!(p.score, Some(range(Some("2"), Some("99.25"))));
}

#[test]
fn marketing_director_team_commission_has_no_ceiling() {
    let a = analyze(&bundled("marketing_director_pay"));
    let p = plan(&a, None);
    let pay = |name: &str| p.pay.iter().find(|x| x.name == name).unwrap();
    // Position grades 1–4: ¥16,000 to ¥30,000.
    assert_eq!(pay("底薪").range, range(Some("16000"), Some("30000")));
    // 1% or 0.5% of team sales, which have no upper bound.
    assert_eq!(pay("团队提成").range, range(Some("0"), None));
    assert!(pay("团队提成").relative.is_none());
    // Margin steps from 0 to 1.2 times the base.
    assert_eq!(
        pay("绩效工资").relative.as_ref().unwrap().factor,
        range(Some("0"), Some("1.2"))
    );
    // The total starts at the lowest base salary.
    assert_eq!(pay("应发合计").range, range(Some("16000"), None));
    assert_eq!(
        codes(&a),
        ["kpi::analyze::unbounded_pay", "kpi::analyze::unbounded_pay"]
    );
    assert!(a.findings[0].message.contains("团队提成"));
    assert!(a.findings[1].message.contains("应发合计"));
}

#[test]
fn a_grade_above_the_highest_score_is_never_given() {
    let a = analyze(&fixture("analyze-grade_never_given"));
    // 75 × 60% + 100 × 40% = 45 + 40 = 85 < 90.
    assert_eq!(plan(&a, None).score, Some(range(Some("0"), Some("85"))));
    assert_eq!(codes(&a), ["kpi::analyze::grade_never_given"]);
    assert_eq!(a.findings[0].message, "no one can be graded A");
    let reach: Vec<bool> = plan(&a, None).grades.iter().map(|g| g.by_score).collect();
    assert_eq!(reach, [false, true, true, true]);
}

#[test]
fn a_divisor_that_may_be_zero_is_found() {
    let a = analyze(&fixture("analyze-zero_divisor"));
    assert_eq!(codes(&a), ["kpi::analyze::zero_divisor"]);
    assert!(a.findings[0].message.contains("`销售目标`"));
    // Declaring the target above zero removes the finding.
    let fixed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/errors/analyze-zero_divisor.kpi"),
    )
    .unwrap()
    .replace(
        "\"sales target\" range >= ¥0",
        "\"sales target\" range > ¥0",
    );
    assert!(analyze(&common::program(&fixed)).findings.is_empty());
}

#[test]
fn commission_without_a_ceiling_is_found() {
    let a = analyze(&fixture("analyze-unbounded_pay"));
    assert_eq!(codes(&a), ["kpi::analyze::unbounded_pay"]);
    let p = plan(&a, None);
    assert_eq!(p.pay[0].range, range(Some("0"), Some("20000")));
    // 0 below ¥100,000 of sales, 3% above: from ¥0 up, without end.
    assert_eq!(p.pay[1].range, range(Some("0"), None));
}

#[test]
fn points_that_fall_as_results_improve_are_shown_with_two_records() {
    let a = analyze(&fixture("analyze-not_monotone"));
    assert_eq!(codes(&a), ["kpi::analyze::not_monotone"; 3]);
    let messages: Vec<&str> = a.findings.iter().map(|f| f.message.as_str()).collect();
    // The table on its own: 92.5% (the 90% row) gives 80, 95% gives 70.
    assert!(
        messages
            .iter()
            .any(|m| m.contains("出勤率 = 92.5% gives 80, 出勤率 = 95% gives 70")),
        "{messages:#?}"
    );
    // The deduction, with the other inputs of the example: (10% − 0.5%) ×
    // 100 = 9.5 points deducted; at 0% rework, 10.
    assert!(
        messages
            .iter()
            .any(|m| m.contains("返工率 = 0.5% deducts 9.5, the better 返工率 = 0% deducts 10")),
        "{messages:#?}"
    );
}

#[test]
fn a_better_grade_paid_less_is_found() {
    let a = analyze(&fixture("analyze-falling_table"));
    assert_eq!(codes(&a), ["kpi::analyze::falling_table"]);
    assert_eq!(
        a.findings[0].message,
        "grade A gets 1.5 but the better grade S only 1.3"
    );
}

#[test]
fn check_reports_what_the_author_did_not_mean_but_not_optional_ranges() {
    // `kpi check` (check_bytes) carries the grade, monotonicity and table
    // findings, and a divisor whose declared range allows 0 (the fixture's
    // `range >= ¥0`); ceilings depend on optional ranges.
    for (name, expected) in [
        (
            "analyze-grade_never_given",
            Some("kpi::analyze::grade_never_given"),
        ),
        ("analyze-not_monotone", Some("kpi::analyze::not_monotone")),
        ("analyze-falling_table", Some("kpi::analyze::falling_table")),
        ("analyze-zero_divisor", Some("kpi::analyze::zero_divisor")),
        ("analyze-unbounded_pay", None),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/errors")
            .join(format!("{name}.kpi"));
        let (_, diags) = kpi::check_bytes(name, std::fs::read(path).unwrap());
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
        match expected {
            Some(code) => assert!(codes.contains(&code), "{name}: {codes:?}"),
            None => assert!(codes.is_empty(), "{name}: {codes:?}"),
        }
    }
}

#[test]
fn check_leaves_a_divisor_with_no_declared_range_to_analyze() {
    let policy = "policy \"p\" {\n  period quarter\n  currency CNY\n  input 实绩 money\n  input 目标 money\n  indicator 业绩 weight 100% {\n    measure 实绩 / 目标\n    points linear { 0% => 0, 100% => 100 }\n  }\n  grades { A >= 85, B otherwise }\n}\n";
    let (_, diags) = kpi::check_bytes("p.kpi", policy.as_bytes().to_vec());
    assert!(diags.is_empty(), "{diags:?}");
    // With `range >= ¥0`, the author says 0 may come: check warns at `目标`.
    let declared = policy.replace("input 目标 money", "input 目标 money range >= ¥0");
    let (source, diags) = kpi::check_bytes("p.kpi", declared.into_bytes());
    let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["kpi::analyze::zero_divisor"]);
    assert_eq!(source.slice(diags[0].primary_span()), "目标");
    assert_eq!(source.line_col(diags[0].primary_span().start), (7, 18));
}

#[test]
fn data_outside_a_declared_range_is_refused_and_the_rest_evaluated() {
    let program = common::program(
        r#"policy "p" {
  period month
  currency CNY
  employee id id
  input 出勤率 percent "attendance" range >= 0% and <= 100%
  indicator 出勤 "attendance" weight 100% {
    measure 出勤率
    points linear { 0% => 0, 100% => 100 }
  }
}"#,
    );
    let batch = common::run(
        &program,
        &[
            &[("id", "E1"), ("出勤率", "95%")],
            &[("id", "E2"), ("出勤率", "150%")],
            &[("id", "E3"), ("出勤率", "-1%")],
        ],
    );
    assert_eq!(batch.outcomes.len(), 1);
    assert_eq!(batch.outcomes[0].score, Some(d("95")));
    let errors: Vec<String> = batch.failures.iter().map(|f| f.to_string()).collect();
    assert_eq!(errors.len(), 2);
    assert!(
        errors[0].contains("E2") && errors[0].contains("出勤率"),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("outside the range the policy declares, 0% <= 出勤率 <= 100%"),
        "{errors:?}"
    );
    assert!(errors[1].contains("E3"), "{errors:?}");
}

#[test]
fn boundary_cases_show_each_side_of_each_threshold() {
    let program = bundled("foreign_trade_sales");
    let boundaries = kpi::analysis::cases::boundaries(&program);
    let find = |what: &str| {
        boundaries
            .iter()
            .find(|b| b.what == what && b.plan.as_deref() != Some("非业务员"))
            .unwrap_or_else(|| panic!("no boundary {what}"))
    };
    // 结汇 steps: >= 110% => 100, >= 100% => 75. From the "on target"
    // example (target ¥1,000,000), moving 结汇额 a cent either side.
    let fx = find("结汇额 / 结汇目标 at 110%");
    assert_eq!(fx.input.as_deref(), Some("结汇额"));
    let got: Vec<(&str, Decimal, Decimal)> = fx
        .cases
        .iter()
        .map(|c| (c.side, c.input_value.unwrap(), c.points.unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("below", d("1099999.99"), d("75")),
            ("at", d("1100000.00"), d("100")),
            ("above", d("1100000.01"), d("100")),
        ]
    );
    // 75 × 85% + 80 × 15% = 75.75 below; 100 × 20% + 75 × 65% + 12 = 80.75 at.
    assert_eq!(fx.cases[0].score, Some(d("75.75")));
    assert_eq!(fx.cases[1].score, Some(d("80.75")));
    // Grade S from 95: 94.99 is an A, 95 and 95.01 are S.
    let s = find("grade S edge at score 95");
    let grades: Vec<(Decimal, &str)> = s
        .cases
        .iter()
        .map(|c| (c.score.unwrap(), c.grade.as_deref().unwrap()))
        .collect();
    assert_eq!(
        grades,
        [(d("94.99"), "A"), (d("95"), "S"), (d("95.01"), "S")]
    );
}

#[test]
fn boundary_cases_written_as_examples_pass_and_are_formatted() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("boundaries");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("foreign_trade_sales.kpi");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/foreign_trade_sales.kpi"),
        &file,
    )
    .unwrap();
    let kpi = env!("CARGO_BIN_EXE_kpi");
    let out = std::process::Command::new(kpi)
        .env("KPI_LANG", "en")
        .args(["test", "--boundaries", "--write"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("example \"boundary: 结汇, 结汇额 / 结汇目标 at 110%, at\""));
    // The written examples pass, and the file stays in canonical layout.
    let program = common::program(&text);
    let run = kpi::testing::run(&program, None);
    assert!(run.results.len() > 8);
    assert!(run.results.iter().all(|r| r.passed()));
    let check = std::process::Command::new(kpi)
        .env("KPI_LANG", "en")
        .args(["fmt", "--check"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(check.status.success());

    // Written again: the examples are there already, and the file is left
    // as it is (it once gained every example twice, which the checker
    // then refused as names given twice).
    let again = std::process::Command::new(kpi)
        .env("KPI_LANG", "en")
        .args(["test", "--boundaries", "--write"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("nothing written"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn pay_bill_as_graded_and_one_grade_either_way() {
    let program = common::program(
        r#"policy "p" {
  period quarter
  currency CNY
  employee id id
  input 评分 score "review"
  input 基数 money "base" range >= ¥0
  input 违规 yes/no "breach"
  indicator 评审 "review" weight 100% {
    points 评分
  }
  veto "breach" when 违规 => grade D
  grades { S >= 95, A >= 85, B >= 75, C >= 60, D otherwise }
  pay 绩效工资 "performance pay" = 基数 * by grade { S 1.5, A 1.3, B 1.1, C 0.9, D 0.7 }
}"#,
    );
    let csv = "id,评分,基数,违规\nE1,96,1000,no\nE2,80,2000,no\nE3,90,1000,yes\nE4,oops,1000,no\n";
    let source = kpi::data::open_bytes(
        "q.csv",
        csv.as_bytes().to_vec(),
        &kpi::data::ReadOptions::default(),
    )
    .unwrap();
    let bill = kpi::analysis::bill::pay_bill(&program, source).unwrap();
    assert_eq!((bill.people, bill.failed), (3, 1));
    let item = &bill.items[0];
    // As graded: S 1,000 × 1.5 + B 2,000 × 1.1 + D (veto) 1,000 × 0.7
    // = 1,500 + 2,200 + 700.
    assert_eq!(item.total, d("4400"));
    // Up: S stays S (1,500), B → A (2,600), the veto keeps D (700).
    assert_eq!(item.one_grade_up, d("4800"));
    // Down: S → A (1,300), B → C (1,800), D stays D (700).
    assert_eq!(item.one_grade_down, d("3800"));
}

#[test]
fn a_long_chain_of_lets_is_analysed_once_per_let() {
    // Each let reads the one before twice: walked naively, 2^60 paths.
    let mut text = String::from(
        "policy \"chain\" {\n  period month\n  currency CNY\n  input x money \"base\" range >= ¥0\n  input y score \"review\" higher is better\n  let v0 = x\n",
    );
    for k in 1..60 {
        text.push_str(&format!("  let v{k} = v{} + v{}\n", k - 1, k - 1));
    }
    text.push_str(
        "  indicator i \"review\" weight 100% {\n    points y\n  }\n  pay p = v59 * 1\n}\n",
    );
    let a = analyze(&common::program(&text));
    // v59 = 2^59 × x.
    let rel = a.plans[0].pay[0].relative.as_ref().unwrap();
    assert_eq!(rel.base, "x");
    assert_eq!(
        rel.factor,
        range(Some("576460752303423488"), Some("576460752303423488"))
    );
}

#[test]
fn a_direction_implied_by_an_indicator_table_is_held_too() {
    // No input declares a direction; the accuracy table scores a lower
    // error rate higher, so the deduction must not grow as it falls:
    // (5% − 0.25%) × 200 = 9.5 deducted, at 0% the cap of 10.
    let a = analyze(&fixture("analyze-not_monotone-implied"));
    assert_eq!(codes(&a), ["kpi::analyze::not_monotone"]);
    assert!(
        a.findings[0]
            .message
            .contains("差错率 = 0.25% deducts 9.5, the better 差错率 = 0% deducts 10"),
        "{}",
        a.findings[0].message
    );
    assert_eq!(
        a.findings[0].labels[1].message,
        "lower is better, as indicator `准确` scores it"
    );
}

#[test]
fn a_table_in_any_order_falls_on_purpose() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/errors/analyze-falling_table.kpi"),
    )
    .unwrap();
    let meant = text.replace("by grade { S 1.3", "by grade in any order { S 1.3");
    assert!(analyze(&common::program(&meant)).findings.is_empty());
    // The words survive formatting.
    let formatted = kpi::formatter::format(&kpi::source::Source::new("p.kpi", meant)).unwrap();
    assert!(formatted.contains("by grade in any order { S 1.3, A 1.5"));
    // A steps table too: the dip is not reported, but a declared
    // direction the table goes against still is.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/errors/analyze-not_monotone.kpi"),
    )
    .unwrap()
    .replace("points steps {", "points steps in any order {");
    let a = analyze(&common::program(&text));
    assert_eq!(codes(&a), ["kpi::analyze::not_monotone"; 2]);
    assert!(
        a.findings
            .iter()
            .all(|f| !f.message.contains("against its own trend"))
    );
    let formatted = kpi::formatter::format(&kpi::source::Source::new("p.kpi", text)).unwrap();
    assert!(formatted.contains("points steps in any order {\n"));
}

#[test]
fn derived_values_are_bounded_too() {
    // 销售完成率 = 销售实际 (>= ¥0) / 销售目标 (> ¥0): from 0% up, without end.
    // 利润完成率: actual profit may be a loss, so no bound either way.
    let a = analyze(&bundled("operations_director"));
    let p = plan(&a, None);
    let value = |name: &str| p.values.iter().find(|v| v.name == name).unwrap().range;
    assert_eq!(value("销售完成率"), range(Some("0"), None));
    assert_eq!(value("利润完成率"), range(None, None));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
        .env("KPI_LANG", "en")
        .args(["analyze", "policies/operations_director.kpi"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("value 销售完成率   0% … unbounded"));
}

#[test]
fn a_dip_in_a_scoring_curve_is_found() {
    // linear { 0% => 0, 100% => 80, 110% => 70, 125% => 100 }: rising end
    // to end, but 100% gives 80 and 110% gives 70. Sales are not declared
    // better one way, and the curve implies no direction (it does not
    // move one way), so the table itself is the finding.
    let a = analyze(&fixture("analyze-not_monotone-curve"));
    assert_eq!(codes(&a), ["kpi::analyze::not_monotone"]);
    assert_eq!(
        a.findings[0].message,
        "the table goes against its own trend: 销售额 / 销售目标 = 100% gives 80, 销售额 / 销售目标 = 110% gives 70"
    );
}

/// The help of a divisor that can be 0 names the input the divisor reads,
/// found from the formula: `目标10` is not `目标1`, though its text holds it;
/// through a `let`, the inputs the value reads.
#[test]
fn a_zero_divisors_help_names_the_input_it_reads() {
    let program = common::program(
        r#"
policy "p" {
  period quarter
  input 实绩 number
  input 目标1 number
  input 目标10 number
  let 合计目标 = 目标1 + 目标10
  indicator a weight 50% { points min(100, 实绩 / 目标10 * 100) }
  indicator b weight 50% { points min(100, 实绩 / 合计目标 * 100) }
}
"#,
    );
    let a = analyze(&program);
    let helps: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.code.as_str() == "kpi::analyze::zero_divisor")
        .filter_map(|f| f.help.as_deref())
        .collect();
    assert_eq!(helps.len(), 2, "{:?}", codes(&a));
    assert!(
        helps[0].contains("so that `目标10` cannot be 0, e.g. `input 目标10 … range > 0`"),
        "{}",
        helps[0]
    );
    assert!(
        helps[1].contains("so that `合计目标` cannot be 0, e.g. `input 目标1 … range > 0`"),
        "{}",
        helps[1]
    );
}

#[test]
fn a_percentage_column_written_as_numbers_or_fractions_reads_as_the_policy_says() {
    let policy = |form: &str| {
        format!(
            "policy \"p\" {{\n  period quarter\n  employee id id\n  input 差错率 percent \"error rate\" {form} range >= 0% and <= 100%\n  indicator 差错 weight 100% {{\n    measure 差错率\n    points steps {{ <= 1% => 100, <= 2% => 75, otherwise 0 }}\n  }}\n}}"
        )
    };
    let rows: &[&[(&str, &str)]] = &[
        &[("id", "E1"), ("差错率", "0.85")],
        &[("id", "E2"), ("差错率", "2.01")],
        &[("id", "E3"), ("差错率", "1.5%")],
    ];
    // Without a declaration, 0.85 is the fraction 85% and 2.01 is refused.
    let plain = common::run(&common::program(&policy("")), rows);
    assert_eq!(plain.outcomes.len(), 2);
    assert_eq!(plain.outcomes[0].score, Some(d("0")));
    let refused = plain.failures[0].to_string();
    assert!(
        refused.contains("E2") && refused.contains("`written as number`"),
        "{refused}"
    );
    // `written as number`: 0.85 is 0.85% (100 points), 2.01 is 2.01% (0).
    let numbers = common::run(&common::program(&policy("written as number")), rows);
    let scores: Vec<_> = numbers.outcomes.iter().map(|o| o.score).collect();
    assert_eq!(scores, [Some(d("100")), Some(d("0")), Some(d("75"))]);
    // `written as fraction`: 0.85 is 85% (0 points), 2.01 is 201%, outside the range.
    let fractions = common::run(&common::program(&policy("written as fraction")), rows);
    assert_eq!(fractions.outcomes.len(), 2);
    assert_eq!(fractions.outcomes[0].score, Some(d("0")));
    assert!(fractions.failures[0].to_string().contains("E2"));
    // For another type the declaration is a mistake, with its removal as a fix.
    let money = policy("written as number").replace("差错率 percent", "差错率 money");
    let (_, diags) = kpi::check_bytes("p.kpi", money.into_bytes());
    assert!(
        diags
            .iter()
            .any(|d| d.message == "`written as number` is for percentage inputs; `差错率` is money"),
        "{diags:?}"
    );
}

#[test]
fn percent_reads_a_plain_number_as_percent() {
    let program = common::program(
        "policy \"p\" {\n  period quarter\n  employee id id\n  input 差错数 number\n  input 单证数 number range > 0\n  indicator 差错 weight 100% {\n    measure percent(差错数 / 单证数 * 100)\n    points steps { <= 1% => 100, <= 2% => 75, otherwise 0 }\n  }\n}",
    );
    // 3 errors in 200 documents: 1.5%, in the second band.
    let outcome = common::one(
        &program,
        &[("id", "E1"), ("差错数", "3"), ("单证数", "200")],
    );
    assert_eq!(common::points(&outcome, "差错"), "75.00");
}

#[test]
fn round_scores_exactly_keeps_every_digit_of_the_score() {
    let text = |rounding: &str| {
        format!(
            "policy \"p\" {{\n  period quarter\n  employee id id\n  {rounding}\n  input 实绩 number\n  input 目标 number range > 0\n  indicator 业绩 weight 100% {{\n    measure 实绩 / 目标\n    points linear {{ 0% => 0, 100% => 75, 125% => 100 }}\n  }}\n}}"
        )
    };
    let row: &[(&str, &str)] = &[("id", "E1"), ("实绩", "1125"), ("目标", "1000")];
    // 112.5% lies between 100% => 75 and 125% => 100: 87.5 exactly, and
    // 88 rounded to whole points (half away from zero).
    let exact = common::one(&common::program(&text("round scores exactly")), row);
    assert_eq!(common::score(&exact), "87.5");
    let whole = common::one(&common::program(&text("round scores to 1")), row);
    assert_eq!(common::score(&whole), "88");
    // Money cannot be kept exact: it is paid in cents.
    let (_, diags) = kpi::check_bytes("p.kpi", text("round money exactly").into_bytes());
    assert_eq!(
        diags[0].message,
        "money is always rounded: it is paid in whole cents"
    );
}
