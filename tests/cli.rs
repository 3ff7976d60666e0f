//! The `kpi` command as a user runs it: exit codes, what goes to stdout and
//! stderr, and that every row is accounted for.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kpi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpi"))
        .env("KPI_LANG", "en")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("kpi runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `out` with the folder kpi ran in (a SARIF log's base) named the same
/// in every clone.
fn same_in_every_clone(out: &str) -> String {
    let base = format!(
        "file://{}/",
        env!("CARGO_MANIFEST_DIR")
            .replace(' ', "%20")
            .replace('\\', "/")
    );
    out.replace(&base, "file:///[the folder kpi ran in]/")
}

/// Writes a scratch file for one test.
fn scratch(name: &str, contents: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

const POLICY: &str = r#"
policy "test" {
  period quarter
  currency CNY
  input 成交额   money "deal value"
  input 成交目标 money "deal target"
  input 绩效基数 money
  indicator 成交 weight 100% {
    measure 成交额 / 成交目标
    points linear { 0% => 0, 100% => 75, 125% => 100 }
  }
  grades { A >= 85, B >= 75, C otherwise }
  pay 绩效工资 = 绩效基数 * by grade { A 1.3, B 1.1, C 0.9 }
}"#;

#[test]
fn check_passes_the_bundled_policies() {
    let o = kpi(&["check", "--deny-warnings", "policies/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("checked 3 files: 0 errors, 0 warnings"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_fails_with_code_1_and_reports_every_mistake() {
    let path = scratch(
        "two-mistakes.kpi",
        r#"policy "x" {
  period quarter
  input 得分 score
  indicator a weight 60% { points 得分 }
  indicator b weight 30% { points 得份 }
}"#,
    );
    let o = kpi(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("kpi::weights::sum"), "{err}");
    assert!(err.contains("kpi::name::unknown"), "{err}");
    assert!(err.contains("did you mean `得分`?"), "{err}");
    assert!(err.contains("2 errors"), "{err}");
}

#[test]
fn check_json_gives_positions_codes_and_help() {
    let path = scratch(
        "weights.kpi",
        "policy \"x\" {\n  period quarter\n  input 得分 score\n  indicator a weight 90% { points 得分 }\n}\n",
    );
    let o = kpi(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout");
    let first = &json[0];
    assert_eq!(first["code"], "kpi::weights::sum");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["line"], 4);
    assert_eq!(first["column"], 22);
    assert_eq!(
        first["message"],
        "the indicator weights add up to 90%, not 100%"
    );
    assert!(first["help"].as_str().unwrap().contains("add 10%"));
}

#[test]
fn warnings_fail_only_when_denied() {
    let path = scratch(
        "unused.kpi",
        "policy \"x\" {\n  period quarter\n  input 得分 score\n  input 没用 number\n  indicator a weight 100% { points 得分 }\n}\n",
    );
    assert_eq!(
        kpi(&["check", path.to_str().unwrap()]).status.code(),
        Some(0)
    );
    assert_eq!(
        kpi(&["check", "--deny-warnings", path.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn eval_reports_bad_rows_and_still_evaluates_the_others() {
    let policy = scratch("eval.kpi", POLICY);
    let data = scratch(
        "eval.csv",
        "id,成交额,deal target,绩效基数\n\
         E1,1125000,1000000,3000\n\
         E2,12a,1000000,3000\n\
         E3,900000,0,3000\n\
         E4,1000000,1000000,3000\n",
    );
    let o = kpi(&[
        "eval",
        policy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    // The good rows are all written, in file order.
    assert_eq!(
        stdout(&o),
        "id,成交,score,grade,绩效工资\nE1,87.50,87.50,A,3900.00\nE4,75.00,75.00,B,3300.00\n"
    );
    let err = stderr(&o);
    assert!(
        err.contains("line 3 (id E2): column `成交额` = `12a`: `12a` is not an amount of money (used by indicator `成交`)"),
        "{err}"
    );
    assert!(
        err.contains("line 4 (id E3): division by zero in indicator `成交`"),
        "{err}"
    );
    assert!(err.contains("成交目标 = 0"), "{err}");
    assert!(err.contains("4 rows read, 2 evaluated, 2 failed"), "{err}");
}

/// JSON Lines: each line is put together on the thread that evaluated the
/// row, as CSV lines are; they are the outcomes the JSON array holds (made
/// whole, on the writing thread), one per line, in file order, with the
/// failed row left out and reported.
#[test]
fn eval_writes_json_lines_as_the_json_array_holds_them() {
    let policy = scratch("jsonl.kpi", POLICY);
    let data = scratch(
        "jsonl.csv",
        "id,成交额,deal target,绩效基数\n\
         E1,1125000,1000000,3000\n\
         E2,12a,1000000,3000\n\
         E4,1000000,1000000,3000\n",
    );
    let run = |format: &str| {
        kpi(&[
            "eval",
            policy.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--format",
            format,
        ])
    };
    let (lines, array) = (run("jsonl"), run("json"));
    assert_eq!(lines.status.code(), Some(1));
    assert!(stderr(&lines).contains("3 rows read, 2 evaluated, 1 failed"));
    let text = stdout(&lines);
    let lines: Vec<&str> = text.lines().collect();
    // 112.5% of target: 75 + 12.5 / 25 × 25 = 87.50 points, an A, 3,000 × 1.3.
    assert_eq!(
        lines[0],
        r#"{"id":"E1","indicators":{"成交":"87.50"},"contributions":{"成交":"87.50"},"weighted_score":"87.50","score":"87.50","grade":"A","grade_by_score":null,"vetoes":[],"pay":{"绩效工资":"3900.00"}}"#
    );
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let array: serde_json::Value = serde_json::from_str(&stdout(&array)).unwrap();
    assert_eq!(serde_json::Value::Array(parsed), array);
}

#[test]
fn eval_reports_a_missing_column_once_with_a_suggestion() {
    let policy = scratch("header.kpi", POLICY);
    let data = scratch("header.csv", "id,成交额,成交木标,绩效基数\nE1,1,1,1\n");
    let o = kpi(&[
        "eval",
        policy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(
            "no column for `成交目标` (\"deal target\"); did you mean the column `成交木标`?"
        ),
        "{err}"
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn eval_json_is_an_array_of_outcomes_with_decimal_strings() {
    let policy = scratch("json.kpi", POLICY);
    let data = scratch(
        "json.json",
        r#"[{"id": "E1", "成交额": 1125000, "成交目标": "1,000,000", "绩效基数": 3000.5}]"#,
    );
    let o = kpi(&[
        "eval",
        policy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json[0]["id"], "E1");
    assert_eq!(json[0]["indicators"]["成交"], "87.50");
    assert_eq!(json[0]["score"], "87.50");
    assert_eq!(json[0]["grade"], "A");
    // 3000.5 × 1.3 = 3900.65
    assert_eq!(json[0]["pay"]["绩效工资"], "3900.65");
}

#[test]
fn a_repeated_id_fails_naming_the_first_row() {
    let policy = scratch("dup.kpi", POLICY);
    // The second E1 has a bad cell too: the repeat is what is reported.
    let data = scratch(
        "dup.csv",
        "id,成交额,成交目标,绩效基数\nE1,1,1,1\nE2,1,1,1\nE1,x,2,2\n",
    );
    let o = kpi(&[
        "eval",
        policy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("line 4 (id E1): the same employee id as line 2; each employee must appear once per period"),
        "{err}"
    );
    assert!(err.contains("3 rows read, 2 evaluated, 1 failed"), "{err}");
    assert_eq!(
        stdout(&o).lines().filter(|l| l.starts_with("E1,")).count(),
        1
    );
}

#[test]
fn explain_derives_one_employee() {
    let policy = scratch("explain.kpi", POLICY);
    let data = scratch(
        "explain.csv",
        "id,成交额,成交目标,绩效基数\nE1,1125000,1000000,3000\n",
    );
    let o = kpi(&[
        "explain",
        policy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--id",
        "E1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("= ¥1,125,000.00 ÷ ¥1,000,000.00 = 112.5%"),
        "{out}"
    );
    assert!(
        out.contains("= ¥3,000.00 × 1.3 (grade A) = ¥3,900.00"),
        "{out}"
    );

    let o = kpi(&[
        "explain",
        policy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--id",
        "E2",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no employee with id `E2`"));
    assert!(stderr(&o).contains("did you mean `E1`?"));
}

#[test]
fn a_file_that_cannot_be_read_exits_with_2() {
    assert_eq!(kpi(&["check", "no/such/policy.kpi"]).status.code(), Some(2));
    let policy = scratch("io.kpi", POLICY);
    let o = kpi(&[
        "eval",
        policy.to_str().unwrap(),
        "--data",
        "no/such/data.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read no/such/data.csv"));
}

#[test]
fn bad_arguments_exit_with_2_and_help_exits_with_0() {
    assert_eq!(kpi(&["eval"]).status.code(), Some(2));
    assert_eq!(kpi(&["frobnicate"]).status.code(), Some(2));
    let help = kpi(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Exit codes"));
}

#[test]
fn eval_refuses_a_broken_policy_with_its_diagnostics() {
    let policy = scratch(
        "broken.kpi",
        "policy \"x\" {\n  period quarter\n  input a score\n  indicator b weight 100% { points c }\n}\n",
    );
    let data = scratch("broken.csv", "id,a\nE1,1\n");
    let o = kpi(&[
        "eval",
        policy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("kpi::name::unknown"));
    assert!(stdout(&o).is_empty());
}

#[test]
fn test_runs_the_examples_of_the_bundled_policies() {
    let o = kpi(&["test", "policies/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("✓ exactly 95 is an S"), "{out}");
    assert!(out.ends_with("14 passed, 0 failed\n"), "{out}");
    insta::assert_snapshot!("kpi_test_passing", out);
}

#[test]
fn test_reports_a_failing_example_with_its_derivation() {
    let o = kpi(&["test", "tests/fixtures/errors/test-failed.kpi"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).ends_with("0 passed, 1 failed\n"));
    let err = stderr(&o);
    assert!(
        err.contains("`绩效工资` is ¥4,000.00, not ¥4,800.00"),
        "{err}"
    );
    assert!(err.contains("how ¥4,000.00 came about"), "{err}");
    insta::assert_snapshot!(
        "kpi_test_failing",
        format!("{}----- stderr -----\n{err}", stdout(&o))
    );
}

#[test]
fn test_filter_and_coverage() {
    let o = kpi(&[
        "test",
        "policies/marketing_director_pay.kpi",
        "--filter",
        "half a cent",
        "--coverage",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("✓ team commission, half a cent"), "{out}");
    assert!(!out.contains("team target missed"), "{out}");
    assert!(out.ends_with("1 passed, 0 failed\n"), "{out}");
    // One example reaches little: the rest is listed.
    assert!(
        out.contains("not reached: policies/marketing_director_pay.kpi"),
        "{out}"
    );
    insta::assert_snapshot!("kpi_test_coverage", out);
}

#[test]
fn check_formats_for_ci() {
    let fixture = "tests/fixtures/errors/weights-sum.kpi";
    for format in ["json", "github", "sarif"] {
        let o = kpi(&["check", "--format", format, fixture]);
        assert_eq!(o.status.code(), Some(1));
        insta::assert_snapshot!(
            format!("check_format_{format}"),
            same_in_every_clone(&stdout(&o))
        );
    }
    let github = stdout(&kpi(&["check", "--format", "github", fixture]));
    assert!(
        github.starts_with("::error file=tests/fixtures/errors/weights-sum.kpi,line=15,col=46,"),
        "{github}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&stdout(&kpi(&["check", "--format", "sarif", fixture]))).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "kpi::weights::sum"
    );
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        15
    );
}

#[test]
fn diff_lists_who_moves_and_the_pay_bill() {
    let o = kpi(&[
        "diff",
        "policies/foreign_trade_sales.kpi",
        "tests/fixtures/diff/foreign_trade_sales_2027.kpi",
        "--data",
        "examples/foreign_trade_sales.csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // E001: the expense indicator gives 85 instead of 80: +5 × 15% = +0.75;
    // still an A after forced ranking both years, so the same pay.
    assert!(out.contains("score  97.80 → 98.55  +0.75"), "{out}");
    // E013, the one S both years (100 points, at the cap): paid 1.6 instead
    // of 1.5 of 10,000: +1,000.
    assert!(
        out.contains("E013 马超\n    绩效工资  ¥15,000.00 → ¥16,000.00  +¥1,000.00"),
        "{out}"
    );
    insta::assert_snapshot!("kpi_diff", out);
    let gate = kpi(&[
        "diff",
        "policies/foreign_trade_sales.kpi",
        "tests/fixtures/diff/foreign_trade_sales_2027.kpi",
        "--data",
        "examples/foreign_trade_sales.csv",
        "--exit-code",
    ]);
    assert_eq!(gate.status.code(), Some(1));
    let same = kpi(&[
        "diff",
        "policies/foreign_trade_sales.kpi",
        "policies/foreign_trade_sales.kpi",
        "--data",
        "examples/foreign_trade_sales.csv",
        "--exit-code",
    ]);
    assert_eq!(same.status.code(), Some(0));
    assert!(stdout(&same).starts_with("0 of 24 employees change"));
}

#[test]
fn every_check_format_over_the_broken_policy_corpus() {
    for format in ["json", "github", "sarif"] {
        let o = kpi(&["check", "--format", format, "tests/fixtures/errors/"]);
        assert_eq!(o.status.code(), Some(1));
        let out = stdout(&o);
        // Every fixture that checks with errors appears.
        assert!(
            out.contains("tests/fixtures/errors/weights-sum.kpi"),
            "{format}"
        );
        assert!(
            out.contains("tests/fixtures/errors/syntax-encoding.kpi"),
            "{format}"
        );
        insta::assert_snapshot!(format!("check_corpus_{format}"), same_in_every_clone(&out));
    }
    let json: serde_json::Value = serde_json::from_str(&stdout(&kpi(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/errors/",
    ])))
    .unwrap();
    let all = json.as_array().unwrap();
    assert!(all.len() > 80, "{} diagnostics", all.len());
    for d in all {
        for field in [
            "file",
            "code",
            "severity",
            "message",
            "line",
            "column",
            "end_line",
            "end_column",
            "labels",
            "help",
        ] {
            assert!(d.get(field).is_some(), "{field} missing in {d}");
        }
    }
}

#[test]
fn eval_year_from_four_files_or_one_file_with_a_period_column() {
    let quarters: Vec<String> = (1..=4)
        .map(|q| format!("examples/company_2026/Q{q}.csv"))
        .collect();
    let mut args = vec![
        "eval",
        "policies/foreign_trade_sales.kpi",
        "--year",
        "--format",
        "csv",
        "--data",
    ];
    args.extend(quarters.iter().map(String::as_str));
    let four = kpi(&args);
    assert_eq!(four.status.code(), Some(0), "{}", stderr(&four));
    assert!(stderr(&four).ends_with("64 employees read, 64 evaluated, 0 failed\n"));

    // The same quarters in one file, with a 季度 column.
    let mut combined = String::new();
    for (q, path) in quarters.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        for (i, line) in text.lines().enumerate() {
            match (i, q) {
                (0, 0) => combined.push_str(&format!("季度,{line}\n")),
                (0, _) => {}
                _ => combined.push_str(&format!("Q{},{line}\n", q + 1)),
            }
        }
    }
    let path = scratch("year.csv", &combined);
    let one = kpi(&[
        "eval",
        "policies/foreign_trade_sales.kpi",
        "--year",
        "--format",
        "csv",
        "--period-column",
        "季度",
        "--data",
        path.to_str().unwrap(),
    ]);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    assert_eq!(stdout(&one), stdout(&four));

    // Several files without --year is a mistake, said plainly.
    let o = kpi(&[
        "eval",
        "policies/foreign_trade_sales.kpi",
        "--data",
        "examples/company_2026/Q1.csv",
        "examples/company_2026/Q2.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("several only with --year"));
}

/// `kpi explain --year` takes the files `kpi eval --year` takes, yearly
/// figures and a period column among them, so that the explanation an
/// employee reads is of the number they are paid by.
#[test]
fn explain_year_explains_the_year_eval_computes() {
    let figures = scratch("explain-figures.csv", "工号,成交目标\nS001,4800000\n");
    let quarters: Vec<String> = (1..=4)
        .map(|q| format!("examples/company_2026/Q{q}.csv"))
        .collect();
    let mut eval = vec![
        "eval",
        "policies/foreign_trade_sales.kpi",
        "--year",
        "--yearly-figures",
        figures.to_str().unwrap(),
        "--format",
        "json",
        "--data",
    ];
    eval.extend(quarters.iter().map(String::as_str));
    let o = kpi(&eval);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s001 = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "S001")
        .unwrap();
    let score = s001["score"].as_str().unwrap();

    let mut explain = vec![
        "explain",
        "policies/foreign_trade_sales.kpi",
        "--year",
        "--yearly-figures",
        figures.to_str().unwrap(),
        "--id",
        "S001",
        "--data",
    ];
    explain.extend(quarters.iter().map(String::as_str));
    let o = kpi(&explain);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("成交目标") && text.contains("¥4,800,000.00"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("final score") && l.ends_with(score)),
        "{score}\n{text}"
    );
    // Without the figures the year is another: the explanation followed them.
    let without: Vec<&str> = explain
        .iter()
        .copied()
        .filter(|a| *a != "--yearly-figures" && *a != figures.to_str().unwrap())
        .collect();
    let o = kpi(&without);
    assert!(!stdout(&o).contains("¥4,800,000.00"), "{}", stdout(&o));
}

/// A quarter's row that cannot be read belongs to nobody the year can name:
/// rolling up without it would change someone's year unseen. The run says
/// which line, and stops with no results (exit 1). Yearly figures for an id
/// no quarter has fail the run too, though every employee's year is
/// computed.
#[test]
fn eval_year_stops_at_a_quarter_row_that_cannot_be_read() {
    let q3 = std::fs::read_to_string("examples/company_2026/Q3.csv").unwrap();
    let mut lines: Vec<String> = q3.lines().map(str::to_string).collect();
    lines[5].push_str(",an extra value");
    let broken = scratch("Q3.csv", &(lines.join("\n") + "\n"));
    let args = |q3: &str| {
        [
            "eval",
            "policies/foreign_trade_sales.kpi",
            "--year",
            "--format",
            "csv",
            "--data",
            "examples/company_2026/Q1.csv",
            "examples/company_2026/Q2.csv",
            q3,
            "examples/company_2026/Q4.csv",
        ]
        .map(str::to_string)
    };
    let o = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .env("KPI_LANG", "en")
        .args(args(broken.to_str().unwrap()))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("line 6"), "{err}");
    assert!(
        err.contains("1 line cannot be read, and the year adds up every row of every file"),
        "{err}"
    );

    let figures = scratch("figures.csv", "工号,成交目标\nS001,4800000\nS999,100\n");
    let mut with_figures = args("examples/company_2026/Q3.csv").to_vec();
    with_figures.splice(
        3..3,
        [
            "--yearly-figures".to_string(),
            figures.display().to_string(),
        ],
    );
    let o = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .env("KPI_LANG", "en")
        .args(&with_figures)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("error: the yearly figures: line 3 (id S999): no quarter has this employee"),
        "{err}"
    );
    assert!(
        err.ends_with("64 employees read, 64 evaluated, 0 failed\n"),
        "{err}"
    );
}

#[test]
fn analyze_prints_the_bounds_and_fails_on_findings_only_when_denied() {
    let o = kpi(&["analyze", "policies/foreign_trade_sales.kpi"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("analyze_foreign_trade", stdout(&o));
    assert!(stdout(&o).contains("0.7 × 绩效基数 … 1.5 × 绩效基数"));
    // The marketing director's uncapped team commission is a finding: a
    // warning, which fails the run only with --deny-warnings.
    let o = kpi(&["analyze", "policies/marketing_director_pay.kpi"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("kpi::analyze::unbounded_pay"),
        "{}",
        stderr(&o)
    );
    let o = kpi(&[
        "analyze",
        "--deny-warnings",
        "policies/marketing_director_pay.kpi",
    ]);
    assert_eq!(o.status.code(), Some(1));
    // JSON for machines: exact decimals as strings, null for no bound.
    let o = kpi(&[
        "analyze",
        "--format",
        "json",
        "policies/marketing_director_pay.kpi",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let pay = &json[0]["analysis"]["plans"][0]["pay"];
    assert_eq!(pay[0]["range"]["lo"], "16000");
    assert_eq!(pay[0]["range"]["hi"], "30000");
    assert_eq!(pay[2]["range"]["hi"], serde_json::Value::Null);
}

#[test]
fn check_summarises_each_policys_bounds_in_a_line() {
    let o = kpi(&["check", "policies/"]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(
        err.contains("policies/foreign_trade_sales.kpi: score 0 … 100; 绩效工资 0.7 × 绩效基数 … 1.5 × 绩效基数"),
        "{err}"
    );
    assert!(
        err.contains("policies/operations_director.kpi: score 2 … 99.25;"),
        "{err}"
    );
}

/// SARIF artifact locations are URI references (RFC 3986): a file name with
/// a space, `%`, `#`, a line break or Chinese is percent-encoded, relative
/// to the folder kpi ran in (`originalUriBaseIds`), and decodes back to the
/// name; GitHub's annotations name the file as it is.
#[test]
fn sarif_names_files_by_percent_encoded_uri_references() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif names");
    std::fs::create_dir_all(&dir).unwrap();
    let broken = "policy \"x\" {\n  period quarter\n  input a number\n  indicator i weight 90% { points a }\n}\n";
    for name in ["有 空格.kpi", "100%.kpi", "a#b?.kpi", "two\nlines.kpi"] {
        std::fs::write(dir.join(name), broken).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_kpi"))
            .env("KPI_LANG", "en")
            .args(["check", "--format", "sarif", name])
            .current_dir(&dir)
            .output()
            .unwrap();
        let log: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let run = &log["runs"][0];
        let base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            base.starts_with("file:///") && base.ends_with("/sarif%20names/"),
            "{base}"
        );
        let location = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(location["uriBaseId"], "SRCROOT");
        let uri = location["uri"].as_str().unwrap();
        // Only unreserved characters, `/` and percent-encoded bytes.
        let bytes = uri.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                assert!(
                    bytes.len() > i + 2
                        && bytes[i + 1].is_ascii_hexdigit()
                        && bytes[i + 2].is_ascii_hexdigit(),
                    "{uri}"
                );
                i += 3;
            } else {
                assert!(
                    b.is_ascii_alphanumeric() || b"-._~/".contains(&b),
                    "{name}: {uri}"
                );
                i += 1;
            }
        }
        let decoded = percent_encoding::percent_decode_str(uri)
            .decode_utf8()
            .unwrap();
        assert_eq!(decoded, name);
        // GitHub's annotations are unchanged: the name as given, escaped
        // as workflow commands are.
        let github = Command::new(env!("CARGO_BIN_EXE_kpi"))
            .env("KPI_LANG", "en")
            .args(["check", "--format", "github", name])
            .current_dir(&dir)
            .output()
            .unwrap();
        let expected = name.replace('%', "%25").replace('\n', "%0A");
        assert!(
            stdout(&github).starts_with(&format!("::error file={expected},")),
            "{}",
            stdout(&github)
        );
    }
}

#[test]
fn explain_shows_the_digit_that_decides_a_band() {
    let policy = scratch(
        "near.kpi",
        "policy \"p\" {\n  period quarter\n  employee id 工号\n  input 实绩 number\n  input 目标 number range > 0\n  indicator 业绩 weight 100% {\n    measure 实绩 / 目标\n    points steps { >= 100% => 100, >= 90% => 75, otherwise 0 }\n  }\n}\n",
    );
    let data = scratch("near.csv", "工号,实绩,目标\nE1,9999999,10000000\nE2,2,3\n");
    let p = policy.to_str().unwrap();
    let d = data.to_str().unwrap();
    // 99.99999% rounds to 100% at four decimals: the band choice shows the
    // digits that put it below `>= 100%`.
    let o = kpi(&["explain", p, "--data", d, "--id", "E1"]);
    assert!(
        stdout(&o).contains("99.99999% matches `>= 90%` first → 75"),
        "{}",
        stdout(&o)
    );
    // 2/3 is far from every threshold: shown rounded, as elsewhere.
    let o = kpi(&["explain", p, "--data", d, "--id", "E2"]);
    assert!(
        stdout(&o).contains("≈66.6667% matches no band → otherwise 0"),
        "{}",
        stdout(&o)
    );
}
