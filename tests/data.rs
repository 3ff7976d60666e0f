//! Data files as HR has them (tests/fixtures/data/, made by openpyxl and
//! plain Python, see its README): every row accounted for in every format,
//! the same employees giving the same outcomes whatever the format, and
//! workbooks written by kpi reading back the same.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use kpi::batch::{self, Rendered, RowResult};
use kpi::data::{self, ReadOptions};
use kpi::outcome::{Detail, Outcome};
use kpi::program::Program;
use kpi::report::writer::{OutcomeWriter, XlsxWriter, csv_line};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/data")
        .join(name)
}

fn program() -> Program {
    let text = std::fs::read_to_string(fixture("sales.kpi")).unwrap();
    kpi::compile(&kpi::source::Source::new("sales.kpi", text))
        .unwrap()
        .program
}

/// The data fixtures' policy with `from` replaced by `to` (which must be
/// in it).
fn edited_program(from: &str, to: &str) -> Program {
    let text = std::fs::read_to_string(fixture("sales.kpi")).unwrap();
    assert!(text.contains(from), "the fixture has `{from}`");
    kpi::compile(&kpi::source::Source::new(
        "sales.kpi",
        text.replace(from, to),
    ))
    .unwrap()
    .program
}

/// The first row of `source`, typed.
fn first_record(program: &Program, source: data::DataSource) -> kpi::eval::Record {
    let columns = data::Columns::map(program, &source.headers, source.row_word).unwrap();
    let row = source.into_iter().next().unwrap().unwrap();
    columns.record(program, &row).unwrap()
}

/// Outcomes, failures as people read them, and the counts.
fn run(file: &str) -> (Vec<Outcome>, Vec<String>, batch::Summary) {
    let program = program();
    let source = data::open(&fixture(file), &ReadOptions::default()).unwrap();
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    let summary = batch::run(&program, source, |r| match r {
        RowResult::Evaluated(_, o) => outcomes.push(*o),
        RowResult::Failed(e) => failures.push(e.to_string()),
    })
    .unwrap();
    (outcomes, failures, summary)
}

const FILES: [(&str, usize, usize, usize); 8] = [
    ("sales.xlsx", 14, 8, 6),
    ("sales-gbk.csv", 14, 8, 6),
    ("sales-bom.csv", 14, 8, 6),
    ("sales-utf16.txt", 13, 8, 5),
    ("sales.jsonl", 14, 8, 6),
    ("sales.json", 14, 8, 6),
    ("sales.ods", 12, 8, 4),
    ("sales.xls", 12, 8, 4),
];

#[test]
fn every_row_is_accounted_for_in_every_format() {
    for (file, read, evaluated, failed) in FILES {
        let (outcomes, failures, summary) = run(file);
        assert_eq!(summary.read, summary.evaluated + summary.failed, "{file}");
        assert_eq!(
            (summary.read, summary.evaluated, summary.failed),
            (read, evaluated, failed),
            "{file}"
        );
        assert_eq!(outcomes.len(), evaluated, "{file}");
        assert_eq!(failures.len(), failed, "{file}");
        let report = format!(
            "{}\n----- failed rows -----\n{}\n{} read, {} evaluated, {} failed\n",
            kpi::report::json(&outcomes).trim_end(),
            failures.join("\n"),
            summary.read,
            summary.evaluated,
            summary.failed
        );
        insta::assert_snapshot!(format!("data_{file}"), report);
    }
}

/// The good rows are the same eight employees in every file (ids E001, E501,
/// E101, E201… by file): the outcomes must not depend on the format.
#[test]
fn the_same_employees_give_the_same_outcomes_in_every_format() {
    let key = |o: &Outcome| {
        let suffix: String = o.id.chars().skip(2).collect();
        (
            suffix,
            o.score.map(|s| s.to_string()),
            o.grade.clone(),
            o.pay["绩效工资"].to_string(),
        )
    };
    let mut expected = None;
    for (file, ..) in FILES {
        let mut keys: Vec<_> = run(file).0.iter().map(key).collect();
        keys.sort();
        match &expected {
            None => expected = Some(keys),
            Some(e) => assert_eq!(&keys, e, "{file} differs from sales.xlsx"),
        }
    }
}

#[test]
fn hand_computed_rows_of_the_workbook() {
    let (outcomes, failures, _) = run("sales.xlsx");
    let find = |id: &str| outcomes.iter().find(|o| o.id == id).unwrap();
    // E003: ¥1,200,000.00 typed as text ÷ 1,000,000 = 120% → 95; 1.5% → 60;
    // 88 → 95×0.6 + 60×0.2 + 88×0.2 = 86.6, +2 = 88.60, an A;
    // 4,567.85 × 1.3 = 5,938.205, half a cent, → 5,938.21.
    let e003 = find("E003");
    assert_eq!(e003.score.unwrap().to_string(), "88.60");
    assert_eq!(e003.pay["绩效工资"].to_string(), "5938.21");
    // E002: peer review empty (optional): (60×0.6 + 60×0.2) ÷ 80% = 60;
    // bonus 4×2 = 8 capped at 6; complaints empty (default 0): 66.00, a C.
    let e002 = find("E002");
    assert_eq!(e002.indicators["评议"], None);
    assert_eq!(e002.score.unwrap().to_string(), "66.00");
    assert_eq!(e002.adjustments["新客户奖励"].to_string(), "6.00");
    assert_eq!(e002.pay["绩效工资"].to_string(), "4500.00");
    // E006: 12,345.60 ÷ 20,000 = 61.728% → 46.296 → 46.30; 5% → 0; 60:
    // 27.78 + 0 + 12 = 39.78, −6 for two complaints = 33.78, a D: 4,000 × 0.7.
    let e006 = find("E006");
    assert_eq!(e006.indicators["成交"].unwrap().to_string(), "46.30");
    assert_eq!(e006.score.unwrap().to_string(), "33.78");
    assert_eq!(e006.pay["绩效工资"].to_string(), "2800.00");
    // The spreadsheet error and the repeated id are reported as such.
    assert!(
        failures
            .iter()
            .any(|f| f.contains("the cell holds the spreadsheet error `#DIV/0!`"))
    );
    assert!(
        failures
            .iter()
            .any(|f| f.contains("row 13 (id E003): the same employee id as row 4"))
    );
}

#[test]
fn crlf_files_number_their_lines_as_an_editor_does() {
    // sales-gbk.csv has Windows line endings; its first data row is line 2.
    let (_, failures, _) = run("sales-gbk.csv");
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("line 13 (id E101): the same employee id as line 2")),
        "{failures:?}"
    );
}

#[test]
fn a_workbook_written_by_kpi_reads_back_the_same() {
    let program = program();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("xlsx-round-trip");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("results.xlsx");
    let source = data::open(&fixture("sales-bom.csv"), &ReadOptions::default()).unwrap();
    let mut writer: Box<dyn OutcomeWriter> = Box::new(XlsxWriter::new(&program, path.clone()));
    let mut before = Vec::new();
    let summary = batch::run(&program, source, |r| match r {
        RowResult::Evaluated(record, outcome) => {
            writer.outcome(&record, &outcome).unwrap();
            before.push(*outcome);
        }
        RowResult::Failed(e) => writer.failure(&e).unwrap(),
    })
    .unwrap();
    writer.finish(&summary).unwrap();
    // The "Results" sheet has every input column: it is valid data again.
    let again = batch::collect(
        &program,
        data::open(&path, &ReadOptions::default()).unwrap(),
    )
    .unwrap();
    assert!(again.failures.is_empty(), "{:?}", again.failures);
    assert_eq!(again.outcomes, before);
    // The other sheets.
    let options = ReadOptions {
        sheet: Some("Failed rows".to_string()),
        ..ReadOptions::default()
    };
    let failed = data::open(&path, &options).unwrap();
    assert_eq!(
        failed.headers,
        ["row", "id", "column", "value", "problem", "rule"]
    );
    let lines: Vec<_> = failed.map(|r| r.unwrap()).collect();
    assert!(lines.len() >= summary.failed);
}

fn kpi(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kpi"))
        .env("KPI_LANG", "en")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn errors_file_bom_jsonl_and_sheets() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("data-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let errors = dir.join("failed.csv");
    let policy = "tests/fixtures/data/sales.kpi";
    let o = kpi(&[
        "eval",
        policy,
        "--data",
        "tests/fixtures/data/sales-bom.csv",
        "--format",
        "csv",
        "--bom",
        "--errors",
        errors.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        o.stdout
            .starts_with(b"\xEF\xBB\xBF\xE5\xB7\xA5\xE5\x8F\xB7,"),
        "BOM then 工号"
    );
    let failed = std::fs::read_to_string(&errors).unwrap();
    let mut lines = failed.lines();
    assert_eq!(lines.next(), Some("row,id,column,value,problem,rule"));
    assert_eq!(lines.count(), 6);
    assert!(
        failed.contains("line 12,E211,客户投诉,一,`一` is not a number,bonus/deduction `投诉`"),
        "{failed}"
    );

    let jsonl = kpi(&[
        "eval",
        policy,
        "--data",
        "tests/fixtures/data/sales.jsonl",
        "--format",
        "jsonl",
    ]);
    let text = String::from_utf8(jsonl.stdout).unwrap();
    assert_eq!(text.lines().count(), 8);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["id"].is_string());
    }

    let by_name = kpi(&[
        "eval",
        policy,
        "--data",
        "tests/fixtures/data/sales.xlsx",
        "--sheet",
        "考核数据",
        "--format",
        "csv",
    ]);
    let by_index = kpi(&[
        "eval",
        policy,
        "--data",
        "tests/fixtures/data/sales.xlsx",
        "--sheet",
        "1",
        "--format",
        "csv",
    ]);
    assert_eq!(by_name.stdout, by_index.stdout);
    let wrong = kpi(&[
        "eval",
        policy,
        "--data",
        "tests/fixtures/data/sales.xlsx",
        "--sheet",
        "3",
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("the sheets are `考核数据`, `说明`"));
}

#[test]
fn generated_data_evaluates_cleanly() {
    for name in [
        "foreign_trade_sales",
        "operations_director",
        "marketing_director_pay",
    ] {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("policies")
                .join(format!("{name}.kpi")),
        )
        .unwrap();
        let program = kpi::compile(&kpi::source::Source::new(name, text))
            .unwrap()
            .program;
        let mut csv = Vec::new();
        kpi::generate::csv(program.policy(), 500, 7, &mut csv).unwrap();
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-generated.csv"));
        std::fs::write(&path, &csv).unwrap();
        let batch = batch::collect(
            &program,
            data::open(&path, &ReadOptions::default()).unwrap(),
        )
        .unwrap();
        assert_eq!(
            (batch.rows_read, batch.outcomes.len()),
            (500, 500),
            "{name}: {:?}",
            batch.failures.first()
        );
    }
}

/// `batch::run` reads a CSV file in blocks of text on one thread, and a
/// worker per core splits each block into rows, types and evaluates them,
/// and may finish out of order: over many blocks (20,000 rows are some
/// dozen blocks of 128 KB), with bad rows and repeated ids scattered
/// through (a repeat is told apart where the blocks are put back in
/// order), every row still comes out once, in the order of the file,
/// exactly as evaluating the rows one by one on this thread gives.
#[test]
fn reading_ahead_on_a_second_thread_keeps_every_row_in_order() {
    let program = program();
    let mut generated = Vec::new();
    kpi::generate::csv(program.policy(), 20_000, 7, &mut generated).unwrap();
    let text = String::from_utf8(generated).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let columns = lines[0].split(',').count();
    // Every 701st employee's line gets a value no column takes; every
    // 997th line repeats the first employee's line (a repeated id).
    let mut bad = 0;
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        if i % 701 == 0 {
            let mut cells: Vec<&str> = line.split(',').collect();
            *cells.last_mut().unwrap() = "lots";
            *line = cells.join(",");
            bad += 1;
        }
    }
    let first = lines[1].clone();
    let mut repeated = 0;
    for at in (997..lines.len()).step_by(997).rev() {
        lines.insert(at, first.clone());
        repeated += 1;
    }
    let data = lines.join("\n") + "\n";
    assert!(lines.iter().all(|l| l.split(',').count() == columns));
    // Many blocks of 128 KB, so that workers finish them out of order.
    assert!(data.len() > 8 * 128 * 1024, "{} bytes", data.len());

    // One thread: each row typed and evaluated in turn.
    let source = data::open_bytes(
        "big.csv",
        data.clone().into_bytes(),
        &ReadOptions::default(),
    )
    .unwrap();
    let columns_map = data::Columns::map(&program, &source.headers, source.row_word).unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut expected: Vec<Result<Outcome, usize>> = Vec::new();
    for row in source {
        let row = row.unwrap();
        if !seen.insert(columns_map.id_of(&row)) {
            expected.push(Err(row.number));
            continue;
        }
        expected.push(match columns_map.record(&program, &row) {
            Ok(record) => Ok(program.evaluate(&record).unwrap()),
            Err(e) => Err(e.row),
        });
    }

    let source = data::open_bytes(
        "big.csv",
        data.clone().into_bytes(),
        &ReadOptions::default(),
    )
    .unwrap();
    let mut got: Vec<Result<Outcome, usize>> = Vec::new();
    let summary = batch::run(&program, source, |r| match r {
        RowResult::Evaluated(_, o) => got.push(Ok(*o)),
        RowResult::Failed(e) => got.push(Err(e.row)),
    })
    .unwrap();
    assert_eq!(summary.read, 20_000 + repeated);
    assert_eq!(summary.failed, bad + repeated);
    assert_eq!(summary.evaluated, 20_000 - bad);
    assert_eq!(got.len(), expected.len());
    for (i, (got, expected)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(got, expected, "row {i}");
    }

    // Rendered on the workers, as `kpi eval` writes CSV: the same lines, in
    // the same order, as rendering each outcome on this thread, and the
    // same counts.
    let line_of = |outcome: &Outcome| {
        let mut line = Vec::new();
        csv_line(&program, outcome, &mut line);
        String::from_utf8(line).unwrap()
    };
    let source = data::open_bytes(
        "big.csv",
        data.clone().into_bytes(),
        &ReadOptions::default(),
    )
    .unwrap();
    // Each worker types and evaluates into one record and one outcome,
    // reused row after row (bad rows among them): every outcome must be
    // the one evaluating that row afresh gives, field for field.
    let mut lines: Vec<Result<String, usize>> = Vec::new();
    let mut reused: Vec<Result<Outcome, usize>> = Vec::new();
    let rendered = batch::run_rendered(
        &program,
        source,
        Detail::Full,
        |_, outcome, text| {
            csv_line(&program, outcome, text);
            outcome.clone()
        },
        |r| match r {
            Rendered::Evaluated(outcome, line) => {
                lines.push(Ok(String::from_utf8(line.to_vec()).unwrap()));
                reused.push(Ok(outcome));
            }
            Rendered::Failed(e) => {
                lines.push(Err(e.row));
                reused.push(Err(e.row));
            }
        },
    )
    .unwrap();
    assert_eq!(rendered, summary);
    assert_eq!(reused.len(), expected.len());
    for (i, (got, expected)) in reused.iter().zip(&expected).enumerate() {
        assert_eq!(got, expected, "row {i}");
    }
    let expected: Vec<Result<String, usize>> = expected
        .iter()
        .map(|e| e.as_ref().map(line_of).map_err(|row| *row))
        .collect();
    assert_eq!(lines.len(), expected.len());
    for (i, (got, expected)) in lines.iter().zip(&expected).enumerate() {
        assert_eq!(got, expected, "row {i}");
    }
    // Lines, not just rows: a CSV line ends in a line break and starts
    // with the employee id.
    assert!(
        lines
            .iter()
            .flatten()
            .all(|l| l.ends_with('\n') && l.starts_with('E'))
    );

    // Worked out only as far as the report's columns, as `kpi eval` does
    // for CSV: the same lines, and outcomes without contributions (which
    // the full ones have).
    let source = data::open_bytes("big.csv", data.into_bytes(), &ReadOptions::default()).unwrap();
    let mut column_lines: Vec<Result<String, usize>> = Vec::new();
    let mut without = 0;
    batch::run_rendered(
        &program,
        source,
        Detail::Columns,
        |_, outcome, text| {
            csv_line(&program, outcome, text);
            outcome.contributions.is_empty() && outcome.weighted_score.is_none()
        },
        |r| match r {
            Rendered::Evaluated(no_contributions, line) => {
                column_lines.push(Ok(String::from_utf8(line.to_vec()).unwrap()));
                without += usize::from(no_contributions);
            }
            Rendered::Failed(e) => column_lines.push(Err(e.row)),
        },
    )
    .unwrap();
    assert_eq!(column_lines, lines);
    assert_eq!(without, summary.evaluated);
    assert!(
        reused
            .iter()
            .flatten()
            .all(|o| !o.contributions.is_empty() && o.weighted_score.is_some())
    );
}

/// A panic where the results are handed on (a writer's bug) stops the
/// whole run: the reading thread and the workers stop too, so the run ends
/// with the panic rather than hanging with threads waiting on each other.
#[test]
fn a_panic_handing_rows_on_ends_the_run_instead_of_hanging() {
    let program = program();
    let mut generated = Vec::new();
    kpi::generate::csv(program.policy(), 20_000, 3, &mut generated).unwrap();
    let source = data::open_bytes("big.csv", generated, &ReadOptions::default()).unwrap();
    let mut handed = 0;
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        batch::run(&program, source, |_| {
            handed += 1;
            assert!(handed < 300, "a writer's bug");
        })
    }));
    assert!(run.is_err(), "the panic reaches the caller");
    assert_eq!(handed, 300, "nothing is handed on after the panic");
}

/// A UTF-8 file with a byte that is not UTF-8 in one name: that cell reads
/// U+FFFD in its place (as decoding the file would make it), the row is
/// still evaluated, and every row keeps its line number and its values.
/// A byte that is not UTF-8 spoils one character, never its neighbours;
/// in a number it fails the cell, and in the id or name, which must read
/// as written on a payslip, it fails the row, naming the column.
#[test]
fn a_byte_that_is_not_utf8_spoils_one_character_and_fails_its_row() {
    let program = program();
    let mut data =
        "工号,姓名,成交额,成交目标,差错率,民主评议,新客户数,客户投诉,严重违规,绩效基数\n"
            .as_bytes()
            .to_vec();
    data.extend_from_slice("E1,张三,100000,100000,1%,90,3,0,否,5000\n".as_bytes());
    data.extend_from_slice(b"E2,\xFF\xE6\x9D\x8E,100000,100000,1%,90,3,0,no,5000\n");
    data.extend_from_slice("E3,  王五　,\"125,000\",100000,2%,,3,0,no,5000\n".as_bytes());
    // Said to be UTF-8: otherwise a bad byte near the start makes the file
    // read as GBK, as Chinese-locale Excel would have written it.
    let utf8 = ReadOptions {
        encoding: Some("utf-8".to_string()),
        ..ReadOptions::default()
    };
    let source = data::open_bytes("odd.csv", data, &utf8).unwrap();
    let columns = data::Columns::map(&program, &source.headers, source.row_word).unwrap();
    let rows: Vec<data::RawRow> = source.map(Result::unwrap).collect();
    assert_eq!(rows.iter().map(|r| r.number).collect::<Vec<_>>(), [2, 3, 4]);
    assert_eq!(columns.name_of(&rows[1]).as_deref(), Some("\u{FFFD}李"));
    // Spaces around a cell (an ideographic space too) are not part of it;
    // a cell of only spaces is empty; a quoted cell keeps its comma.
    assert_eq!(columns.name_of(&rows[2]).as_deref(), Some("王五"));
    assert_eq!(rows[2].cell(5), Some(data::CellRef::Empty));
    assert_eq!(rows[2].cell(2), Some(data::CellRef::Text("125,000")));
    assert_eq!(rows[2].cell(10), None);
    let score = |row: &data::RawRow| {
        let record = columns.record(&program, row).unwrap();
        program
            .evaluate(&record)
            .unwrap()
            .score
            .unwrap()
            .to_string()
    };
    // Deal 100% → 75 points × 60%, errors ≤ 1% → 100 × 20%, review 90 × 20%
    // = 45 + 20 + 18 = 83, plus 3 new customers × 2 = 6: 89. E3: deal 125%
    // → 100 × 60%, errors ≤ 3% → 60 × 20%, review left out, so
    // (60 + 12) / 80% = 90, plus 6: 96.
    assert_eq!(score(&rows[0]), "89.00");
    assert_eq!(score(&rows[2]), "96.00");
    let failure = columns.record(&program, &rows[1]).unwrap_err().to_string();
    assert!(
        failure.starts_with(
            "line 3 (id E2): column `姓名` = `\u{FFFD}李`: it holds bytes the file's encoding does not have"
        ),
        "{failure}"
    );
}

/// `run_rendered` types and evaluates every row of a thread into one record
/// and one outcome, reused: across plans (each employee's plan has its own
/// indicators) and vetoes, each outcome equals evaluating its row afresh.
#[test]
fn outcomes_evaluated_into_reused_buffers_equal_fresh_ones_across_plans() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(root.join("policies/foreign_trade_sales.kpi")).unwrap();
    // Without its quotas, the policy streams: rows are rendered where
    // they are evaluated, in the reused buffers.
    let start = text.find("  quotas {").unwrap();
    let end = start + text[start..].find("\n  }\n").unwrap() + 5;
    text.replace_range(start..end, "");
    let program = kpi::compile(&kpi::source::Source::new("ft.kpi", text))
        .unwrap()
        .program;
    assert!(program.policy().quotas.is_none());
    let mut generated = Vec::new();
    kpi::generate::csv(program.policy(), 3_000, 11, &mut generated).unwrap();
    let open = || data::open_bytes("ft.csv", generated.clone(), &ReadOptions::default()).unwrap();

    let source = open();
    let columns = data::Columns::map(&program, &source.headers, source.row_word).unwrap();
    let fresh: Vec<Outcome> = source
        .map(|row| {
            let record = columns.record(&program, &row.unwrap()).unwrap();
            program.evaluate(&record).unwrap()
        })
        .collect();
    // Both plans and a veto occur, so buffers are refilled across them.
    let plans: std::collections::HashSet<_> = fresh.iter().map(|o| o.plan.clone()).collect();
    assert_eq!(plans.len(), 2, "{plans:?}");
    assert!(fresh.iter().any(|o| !o.vetoes.is_empty()));

    let mut reused = Vec::new();
    let summary = batch::run_rendered(
        &program,
        open(),
        Detail::Full,
        |_, outcome, _| outcome.clone(),
        |r| match r {
            Rendered::Evaluated(outcome, _) => reused.push(outcome),
            Rendered::Failed(e) => panic!("{e}"),
        },
    )
    .unwrap();
    assert_eq!(summary.evaluated, 3_000);
    assert_eq!(reused.len(), fresh.len());
    for (i, (got, fresh)) in reused.iter().zip(&fresh).enumerate() {
        assert_eq!(got, fresh, "row {i}");
    }
}

/// An input given by two columns of the data (its name and its label, or
/// its label and an alias) is refused naming both, as in the yearly
/// figures: reading one and ignoring the other would drop a column the
/// user meant unseen. Either column alone is the input.
#[test]
fn an_input_given_by_two_columns_is_refused_naming_both() {
    let program = program();
    let header = "工号,姓名,成交额,成交目标,差错率,民主评议,新客户数,客户投诉,严重违规,绩效基数";
    let row = "E1,张三,1000,1000,1%,90,2,0,no,6000";
    let open = |header: &str, row: &str| {
        let text = format!("{header}\n{row}\n");
        data::open_bytes("d.csv", text.into_bytes(), &ReadOptions::default()).unwrap()
    };
    let refused = |header: String, row: String| {
        let source = open(&header, &row);
        data::Columns::map(&program, &source.headers, source.row_word)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refused(format!("{header},deal value"), format!("{row},2000")),
        "the columns `成交额` and `deal value` both give `成交额`: keep the one that counts\n"
    );
    // By its label and an alias: the label counts first, and both are named.
    let by_label = header.replace("新客户数", "new customers");
    assert_eq!(
        refused(format!("{by_label},新客户"), format!("{row},3")),
        "the columns `new customers` and `新客户` both give `新客户数`: keep the one that counts\n"
    );
    // A label that is another input's name is not a second column: that
    // column is the other input's.
    let labelled = edited_program(
        "input 客户投诉 number  \"complaints\"",
        "input 客户投诉 number  \"严重违规\"",
    );
    let source = open(header, row);
    assert!(data::Columns::map(&labelled, &source.headers, source.row_word).is_ok());
    // Nor when the input's own column is absent: it is read by its alias,
    // never from the other input's column.
    let aliased = edited_program(
        "input 客户投诉 number  \"complaints\"",
        "input 客户投诉 number  \"严重违规\" aliases \"投诉\"",
    );
    let record = first_record(
        &aliased,
        open(
            &header.replace("客户投诉", "投诉"),
            "E1,张三,1000,1000,1%,90,2,7,no,6000",
        ),
    );
    assert_eq!(
        record.inputs[5],
        kpi::program::Value::Num(rust_decimal::Decimal::from(7))
    );
    // Nor an alias that is the name of the employee-name column.
    let named = edited_program("aliases \"新客户\", \"new clients\"", "aliases \"姓名\"");
    let source = open(header, row);
    assert!(data::Columns::map(&named, &source.headers, source.row_word).is_ok());
    // Either column alone is the input.
    for header in [header.to_string(), header.replace("成交额", "deal value")] {
        let record = first_record(&program, open(&header, row));
        assert_eq!(
            record.inputs[0],
            kpi::program::Value::Num(rust_decimal::Decimal::from(1000)),
            "{header}"
        );
    }
}

/// Rows that cannot be read (a ragged line) and rows that cannot be typed,
/// between good ones: through the pipeline as `kpi eval` runs it, each good
/// row comes with its own CSV line, the failures name their lines, and the
/// file's order holds.
#[test]
fn each_rendered_row_gets_its_own_line_between_failures() {
    let program = program();
    let header = "工号,姓名,成交额,成交目标,差错率,民主评议,新客户数,客户投诉,严重违规,绩效基数";
    let text = format!(
        "{header}\n\
         E1,张三,1000,1000,1%,90,2,0,no,6000\n\
         E2,李四,1000,1000,1%,90,2,0,no,6000,extra,cells\n\
         E3,王五,1200,1000,0.5%,80,3,1,no,7000\n\
         E4,赵六,lots,1000,1%,90,2,0,no,6000\n\
         E5,钱七,900,1000,2%,70,1,0,yes,5000\n"
    );
    let open = || data::open_bytes("d.csv", text.clone().into_bytes(), &ReadOptions::default());
    // Each good row's line, worked out on its own.
    let source = open().unwrap();
    let columns = data::Columns::map(&program, &source.headers, source.row_word).unwrap();
    let mut expected: Vec<Result<String, usize>> = Vec::new();
    for row in source {
        expected.push(match row {
            Ok(row) => match columns.record(&program, &row) {
                Ok(record) => {
                    let mut line = Vec::new();
                    csv_line(&program, &program.evaluate(&record).unwrap(), &mut line);
                    Ok(String::from_utf8(line).unwrap())
                }
                Err(e) => Err(e.row),
            },
            Err(e) => Err(e.row),
        });
    }
    let mut got: Vec<Result<String, usize>> = Vec::new();
    let summary = batch::run_rendered(
        &program,
        open().unwrap(),
        Detail::Columns,
        |_, outcome, line| csv_line(&program, outcome, line),
        |r| match r {
            Rendered::Evaluated((), line) => {
                got.push(Ok(String::from_utf8(line.to_vec()).unwrap()))
            }
            Rendered::Failed(e) => got.push(Err(e.row)),
        },
    )
    .unwrap();
    assert_eq!(got, expected);
    // Lines 3 (ragged) and 5 (`lots`) fail; E1, E3 and E5 have their own lines.
    assert_eq!(
        got.iter()
            .filter_map(|r| r.as_ref().err())
            .collect::<Vec<_>>(),
        [&3, &5]
    );
    let ids: Vec<&str> = got.iter().flatten().map(|l| &l[..2]).collect();
    assert_eq!(ids, ["E1", "E3", "E5"]);
    assert_eq!((summary.read, summary.evaluated, summary.failed), (5, 3, 2));
}
