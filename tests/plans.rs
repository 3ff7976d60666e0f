//! Plans per role: one policy, each employee appraised under the plan their
//! `岗位` column names. Shared indicators, a plan extending another, a plan
//! replacing and dropping what it inherits; every figure computed by hand.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

const POLICY: &str = r#"
policy "plans" {
  period quarter
  currency CNY
  employee id id
  employee plan 岗位

  input 差错率 percent
  input 成交率 percent
  input 项目   score
  input 评议   score
  input 基数   money

  indicator 差错 weight 20% {
    measure 差错率
    points steps { <= 1% => 100, <= 3% => 75, otherwise 0 }
  }
  indicator 评议分 weight 20% { points 评议 }

  plan 业务员 "sales staff" {
    indicator 成交 weight 60% {
      measure 成交率
      points linear { 0% => 0, 100% => 75, 125% => 100 }
    }
  }

  plan 高级业务员 "senior sales" extends 业务员 {
    bonus 带教 "mentoring" { points 5 }
  }

  plan 单证员 "documentation clerk" extends 业务员 {
    drop 成交
    indicator 差错 weight 40% {
      measure 差错率
      points steps { <= 0.5% => 100, <= 2% => 75, otherwise 0 }
    }
    indicator 项目分 weight 40% { points 项目 }
  }

  grades { A >= 85, B >= 70, C otherwise }

  pay 绩效 = 基数 * by grade { A 1.2, B 1.0, C 0.8 }
}
"#;

fn sales(id: &str, plan: &'static str) -> Vec<(&'static str, String)> {
    vec![
        ("id", id.to_string()),
        ("岗位", plan.to_string()),
        ("差错率", "1%".to_string()),
        ("成交率", "110%".to_string()),
        ("评议", "80".to_string()),
        ("基数", "5000".to_string()),
    ]
}

fn run(rows: &[Vec<(&'static str, String)>]) -> kpi::batch::Batch {
    let program = common::program(POLICY);
    let rows: Vec<Vec<(&str, &str)>> = rows
        .iter()
        .map(|r| r.iter().map(|(c, v)| (*c, v.as_str())).collect())
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
    common::run(&program, &rows)
}

#[test]
fn each_employee_is_scored_under_their_plan() {
    let mut clerk = vec![
        ("id", "D1".to_string()),
        ("岗位", "单证员".to_string()),
        ("差错率", "1%".to_string()),
        ("项目", "90".to_string()),
        ("评议", "80".to_string()),
        ("基数", "5000".to_string()),
    ];
    let batch = run(&[
        sales("S1", "业务员"),
        // A plan may be named by its label too.
        sales("S2", "senior sales"),
        std::mem::take(&mut clerk),
    ]);
    assert!(batch.failures.is_empty(), "{:?}", batch.failures);
    let [s1, s2, d1] = batch.outcomes.as_slice() else {
        panic!("three outcomes")
    };

    // S1, sales: 差错 1% → 100; 成交 110% → 75 + 10/25 × 25 = 85; 评议 80.
    // 100 × 20% + 80 × 20% + 85 × 60% = 20 + 16 + 51 = 87, an A: 5,000 × 1.2.
    assert_eq!(s1.plan.as_deref(), Some("业务员"));
    assert_eq!(common::points(s1, "成交"), "85.00");
    assert_eq!(common::score(s1), "87.00");
    assert_eq!(s1.grade.as_deref(), Some("A"));
    assert_eq!(common::pay(s1, "绩效"), "6000.00");
    assert!(!s1.indicators.contains_key("项目分"));

    // S2, senior sales: everything of sales, plus the 5-point mentoring bonus.
    assert_eq!(s2.plan.as_deref(), Some("高级业务员"));
    assert_eq!(common::score(s2), "92.00");
    assert_eq!(s2.adjustments["带教"].to_string(), "5.00");

    // D1, clerk: 成交 dropped; 差错 replaced by a stricter table at 40%:
    // 1% → 75 (not 100). 75 × 40% + 80 × 20% + 90 × 40% = 30 + 16 + 36 = 82,
    // a B: 5,000 × 1.0. The clerk's row has no 成交率 and needs none.
    assert_eq!(d1.plan.as_deref(), Some("单证员"));
    assert_eq!(common::points(d1, "差错"), "75.00");
    assert_eq!(common::score(d1), "82.00");
    assert_eq!(d1.grade.as_deref(), Some("B"));
    assert_eq!(common::pay(d1, "绩效"), "5000.00");
    assert!(!d1.indicators.contains_key("成交"));
    assert_eq!(
        d1.indicators.keys().map(|k| &**k).collect::<Vec<_>>(),
        ["差错", "评议分", "项目分"]
    );
}

#[test]
fn the_report_has_a_column_for_every_plans_indicators() {
    let program = common::program(POLICY);
    let batch = run(&[
        sales("S1", "业务员"),
        vec![
            ("id", "D1".to_string()),
            ("岗位", "单证员".to_string()),
            ("差错率", "0.5%".to_string()),
            ("项目", "70".to_string()),
            ("评议", "90".to_string()),
            ("基数", "5000".to_string()),
        ],
    ]);
    let csv = kpi::report::csv(&program, &batch.outcomes);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,岗位,差错,评议分,成交,项目分,带教,score,grade,绩效"
    );
    assert_eq!(lines[1], "S1,业务员,100.00,80.00,85.00,,,87.00,A,6000.00");
    // 100 × 40% + 90 × 20% + 70 × 40% = 40 + 18 + 28 = 86, an A.
    assert_eq!(lines[2], "D1,单证员,100.00,90.00,,70.00,,86.00,A,6000.00");
}

#[test]
fn a_row_naming_no_plan_fails_with_the_list_and_the_others_go_on() {
    let batch = run(&[sales("S1", "业务员"), sales("X1", "经理"), sales("X2", "")]);
    assert_eq!(batch.outcomes.len(), 1);
    assert_eq!(batch.failures.len(), 2);
    assert_eq!(
        batch.failures[0].to_string(),
        "line 3 (id X1): column `岗位` = `经理`: names no plan: the plans are `业务员`, `高级业务员`, `单证员` (used by the plans)"
    );
    assert_eq!(
        batch.failures[1].to_string(),
        "line 4 (id X2): column `岗位`: no plan: the plans are `业务员`, `高级业务员`, `单证员` (used by the plans)"
    );
}

#[test]
fn a_column_only_some_plans_use_may_be_left_out() {
    // No 项目 column: the sales rows are fine, the clerk's row fails
    // naming the plan that needs it.
    let batch = run(&[
        sales("S1", "业务员"),
        vec![
            ("id", "D1".to_string()),
            ("岗位", "单证员".to_string()),
            ("差错率", "0.5%".to_string()),
            ("评议", "90".to_string()),
            ("基数", "5000".to_string()),
            ("成交率", String::new()),
        ],
    ]);
    assert_eq!(batch.outcomes.len(), 1);
    assert_eq!(
        batch.failures[0].to_string(),
        "line 3 (id D1): column `项目`: the data has no such column, and plan `单证员` needs it (used by indicator `项目分`)"
    );
}

#[test]
fn every_plan_is_checked_on_its_own() {
    // The clerk's weights: 差错 20% (not replaced) + 评议分 20% + 项目分 40%.
    let text = POLICY.replace(
        "    indicator 差错 weight 40% {\n      measure 差错率\n      points steps { <= 0.5% => 100, <= 2% => 75, otherwise 0 }\n    }\n",
        "",
    );
    let source = kpi::source::Source::new("plans.kpi", text);
    let diags = kpi::compile(&source).unwrap_err();
    let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        ["the indicator weights add up to 80%, not 100% (in plan `单证员`)"]
    );
}

#[test]
fn the_table_leaves_out_columns_no_row_fills() {
    let program = common::program(POLICY);
    let batch = run(&[sales("S1", "业务员")]);
    let table = kpi::report::table(&program, &batch.outcomes);
    let header = table.lines().next().unwrap();
    // Only sales staff: no clerk's 项目分, nobody mentored (带教).
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        [
            "id",
            "岗位",
            "差错",
            "评议分",
            "成交",
            "score",
            "grade",
            "绩效"
        ]
    );
    // CSV keeps every column whatever the data.
    let csv = kpi::report::csv(&program, &batch.outcomes);
    assert!(csv.starts_with("id,岗位,差错,评议分,成交,项目分,带教,"));
}
