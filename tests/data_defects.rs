//! The data defects found when HR's real files were tried (issue 33): each
//! case has a fixture under tests/fixtures/data/ (see its README) and a test
//! that asserts the exact accounting: rows read, evaluated and failed, and
//! each error's line, column and text.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kpi::data::{self, CellRef, ReadOptions};
use rust_decimal::Decimal;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("data-defects");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn kpi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpi"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A cell read back as the text it compares by: numbers as exact decimals
/// with no trailing zeros (a workbook stores 87.5 for the CSV's `87.50`).
fn comparable(cell: CellRef<'_>) -> String {
    match cell {
        CellRef::Empty => String::new(),
        CellRef::Number(n) => n.parse::<Decimal>().unwrap().normalize().to_string(),
        CellRef::Text(t) => match t.parse::<Decimal>() {
            Ok(n) => n.normalize().to_string(),
            Err(_) => t.to_string(),
        },
        CellRef::Bool(b) => b.to_string(),
    }
}

/// Every workbook `kpi eval --format xlsx` writes for a bundled policy
/// holds, column by column, what its CSV holds (headers and values), the
/// inputs besides; and read back as data it gives the same CSV again.
#[test]
fn every_bundled_policys_workbook_matches_its_csv_cell_by_cell() {
    let bundled = [
        "foreign_trade_sales",
        "marketing_director_pay",
        "operations_director",
    ];
    for name in bundled {
        let policy = format!("policies/{name}.kpi");
        let data = format!("examples/{name}.csv");
        let csv = kpi(&["eval", &policy, "--data", &data, "--format", "csv"]);
        assert_eq!(csv.status.code(), Some(0), "{}", text(&csv.stderr));
        let workbook = scratch(&format!("{name}.xlsx"));
        let xlsx = kpi(&[
            "eval",
            &policy,
            "--data",
            &data,
            "--format",
            "xlsx",
            "--output",
            workbook.to_str().unwrap(),
        ]);
        assert_eq!(xlsx.status.code(), Some(0), "{}", text(&xlsx.stderr));

        let csv_text = text(&csv.stdout);
        let csv_table = data::open_bytes(
            "out.csv",
            csv_text.clone().into_bytes(),
            &ReadOptions::default(),
        )
        .unwrap();
        let csv_headers = csv_table.headers.clone();
        let csv_rows: Vec<_> = csv_table.map(|r| r.unwrap()).collect();
        let sheet = data::open(&workbook, &ReadOptions::default()).unwrap();
        let sheet_headers = sheet.headers.clone();
        let sheet_rows: Vec<_> = sheet.map(|r| r.unwrap()).collect();
        assert_eq!(sheet_rows.len(), csv_rows.len(), "{name}");

        // The sheet's columns are the CSV's with the inputs inserted: each
        // CSV column stands in the sheet under its own header.
        let source = std::fs::read_to_string(root().join(&policy)).unwrap();
        let compiled = kpi::compile(&kpi::source::Source::new(policy.as_str(), source)).unwrap();
        let inputs: Vec<&str> = compiled
            .program
            .policy()
            .inputs
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        let non_inputs: Vec<usize> = (0..sheet_headers.len())
            .filter(|&c| !inputs.contains(&sheet_headers[c].as_str()))
            .collect();
        let shown: Vec<&String> = non_inputs.iter().map(|&c| &sheet_headers[c]).collect();
        assert_eq!(
            shown,
            csv_headers.iter().collect::<Vec<_>>(),
            "{name}: headers"
        );
        for (csv_row, sheet_row) in csv_rows.iter().zip(&sheet_rows) {
            for (c, &at) in non_inputs.iter().enumerate() {
                assert_eq!(
                    comparable(sheet_row.cell_or_empty(at)),
                    comparable(csv_row.cell_or_empty(c)),
                    "{name}: column `{}` of the row of {}",
                    csv_headers[c],
                    csv_row.trimmed(0)
                );
            }
        }

        // The README's round trip: the workbook is data again.
        let again = kpi(&[
            "eval",
            &policy,
            "--data",
            workbook.to_str().unwrap(),
            "--format",
            "csv",
        ]);
        assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
        assert_eq!(text(&again.stdout), csv_text, "{name}: read back");
    }
}

/// The foreign-trade policy has plans: its workbook's third column is the
/// plan, under the plan column's own header (it held 业务员 under 成交额).
#[test]
fn a_workbook_of_a_policy_with_plans_heads_each_column_with_its_own_name() {
    let workbook = scratch("plans.xlsx");
    let o = kpi(&[
        "eval",
        "policies/foreign_trade_sales.kpi",
        "--data",
        "examples/foreign_trade_sales.csv",
        "--format",
        "xlsx",
        "--output",
        workbook.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let sheet = data::open(&workbook, &ReadOptions::default()).unwrap();
    assert_eq!(sheet.headers[..4], ["工号", "姓名", "岗位", "成交额"]);
    let first = sheet.map(|r| r.unwrap()).next().unwrap();
    assert_eq!(first.trimmed(0), "E001");
    assert_eq!(first.trimmed(2), "业务员");
    assert_eq!(comparable(first.cell_or_empty(3)), "1500000");
}
