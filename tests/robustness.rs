//! What kpi promises about bad input (README, "What kpi promises"): no
//! policy text and no data makes it panic, abort or loop; every limit is a
//! diagnostic with a span. Adversarial inputs built here (too large to keep
//! as files), property tests over random and mutated policies and records,
//! and the replay of every fuzz input that once found a bug.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{one, program, run, score};
use kpi::diagnostic::{Code, Diagnostic};
use kpi::source::Source;
use kpi::syntax::{MAX_FORMULA_DEPTH, MAX_NESTING};
use proptest::prelude::*;

/// A one-indicator policy around a `let` formula.
fn with_formula(formula: &str) -> String {
    format!(
        "policy \"limits\" {{\n  period quarter\n  input x number \"x\"\n  let y = {formula}\n  \
         indicator a weight 100% {{\n    measure y\n    points linear {{ 0 => 0, 1000 => 100 }}\n  }}\n  \
         grades {{ A >= 50, B otherwise }}\n}}\n"
    )
}

/// The diagnostics of a policy text, which must not compile.
fn errors(text: &str) -> (Source, Vec<Diagnostic>) {
    let source = Source::new("limits.kpi", text);
    match kpi::compile(&source) {
        Ok(_) => panic!("the policy compiled"),
        Err(diagnostics) => (source, diagnostics),
    }
}

/// The one error a policy gets: its code, message and the line and column
/// it points at.
fn only_error(text: &str) -> (Code, String, (usize, usize)) {
    let (source, diagnostics) = errors(text);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    (
        d.code,
        d.message.clone(),
        source.line_col(d.primary_span().start),
    )
}

// ------------------------------------------------------------ limits

#[test]
fn ten_thousand_nested_brackets_are_refused_at_the_hundred_and_first() {
    let formula = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    let (code, message, at) = only_error(&with_formula(&formula));
    assert_eq!(code, Code::TooDeep);
    assert_eq!(message, "brackets nest more than 100 levels deep");
    // `policy … {` is the first bracket, so the 100th `(` is the 101st.
    assert_eq!(at, (4, 11 + 99));
}

#[test]
fn ten_thousand_nested_ifs_are_refused() {
    let formula = format!(
        "{}1{}",
        "if x > 1 then ".repeat(10_000),
        " else 2".repeat(10_000)
    );
    let (code, message, (line, _)) = only_error(&with_formula(&formula));
    assert_eq!(code, Code::TooDeep);
    assert_eq!(message, "brackets and `if`s nest more than 100 levels deep");
    assert_eq!(line, 4);
}

#[test]
fn a_chain_of_else_ifs_counts_every_if() {
    // 98 ifs plus the policy's brace are within the limit…
    let chain = |n: usize| {
        let mut f = String::new();
        for i in 0..n {
            f.push_str(&format!("if x > {i} then {i} else "));
        }
        f.push_str("1000");
        f
    };
    let p = program(&with_formula(&chain(98)));
    // x = 5: the first condition that holds is `x > 0`, so y = 0; x = 0
    // holds none until… `x > 0` fails, `x > 1` fails, …: y = 1000.
    assert_eq!(
        common::points(&one(&p, &[("id", "E1"), ("x", "5")]), "a"),
        "0.00"
    );
    assert_eq!(
        common::points(&one(&p, &[("id", "E1"), ("x", "0")]), "a"),
        "100.00"
    );
    // …101 are not.
    let (code, _, _) = only_error(&with_formula(&chain(101)));
    assert_eq!(code, Code::TooDeep);
}

#[test]
fn a_hundred_thousand_term_sum_is_refused_with_a_span() {
    let formula = vec!["x"; 100_000].join(" + ");
    let (code, message, at) = only_error(&with_formula(&formula));
    assert_eq!(code, Code::TooDeep);
    assert_eq!(message, "this formula is more than 200 operations deep");
    // The 200th `+` is where it became too deep: `let y = ` is 10
    // columns, each `x + ` 4.
    assert_eq!(at, (4, 11 + 2 + 199 * 4));
}

#[test]
fn a_hundred_thousand_minus_signs_are_refused() {
    let formula = format!("{}x", "-".repeat(100_000));
    let (code, _, at) = only_error(&with_formula(&formula));
    assert_eq!(code, Code::TooDeep);
    assert_eq!(at, (4, 11 + MAX_FORMULA_DEPTH));
    let nots = format!("if {}x > 1 then 1 else 0", "not ".repeat(100_000));
    let (code, _, _) = only_error(&with_formula(&nots));
    assert_eq!(code, Code::TooDeep);
}

#[test]
fn formulas_at_the_limits_compile_and_evaluate() {
    // The deepest formula allowed: x + 1 + 1 + … (199 additions, depth 200).
    let deep = format!("x{}", " + 1".repeat(MAX_FORMULA_DEPTH - 1));
    let p = program(&with_formula(&deep));
    // y = 1 + 199 = 200 → 200/1000 of 100 points.
    assert_eq!(
        common::points(&one(&p, &[("id", "E1"), ("x", "1")]), "a"),
        "20.00"
    );
    // The deepest brackets allowed: 99 inside the policy's braces.
    let brackets = MAX_NESTING - 1;
    let nested = format!("{}x * 2{}", "(".repeat(brackets), ")".repeat(brackets));
    let p = program(&with_formula(&nested));
    assert_eq!(
        common::points(&one(&p, &[("id", "E1"), ("x", "250")]), "a"),
        "50.00"
    );
}

#[test]
fn huge_and_over_precise_literals_are_diagnosed() {
    for literal in [
        "9".repeat(40),
        format!("0.{}1", "0".repeat(40)),
        "79228162514264337593543950336".to_string(),
    ] {
        let (code, message, (line, _)) = only_error(&with_formula(&format!("x * {literal}")));
        assert_eq!(code, Code::NumberTooLarge, "{literal}");
        assert_eq!(message, "this number is too large or too precise");
        assert_eq!(line, 4);
    }
}

#[test]
fn a_hundred_thousand_indicators_compile() {
    let mut text = String::from("policy \"wide\" {\n  period quarter\n  input x number \"x\"\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "  indicator a{i} weight 0.001% {{ measure x  points linear {{ 0 => 0, 100 => 100 }} }}\n"
        ));
    }
    text.push_str("  grades { A >= 50, B otherwise }\n}\n");
    let p = program(&text);
    let outcome = one(&p, &[("id", "E1"), ("x", "50")]);
    assert_eq!(outcome.indicators.len(), 100_000);
    assert_eq!(score(&outcome), "50.00");
}

#[test]
fn bytes_that_are_not_text_get_an_encoding_error_at_the_first_bad_byte() {
    let mut bytes = b"policy \"p\" {\n  period quarter\n".to_vec();
    bytes.extend([0xFF, 0xFE, 0x00, 0xC3]);
    let (source, diagnostics) = kpi::check_bytes("bad.kpi", bytes);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].code, Code::Encoding);
    assert_eq!(source.line_col(diagnostics[0].primary_span().start), (3, 1));
    // Every byte value, in every order the fuzzer would not think of first.
    let all: Vec<u8> = (0..=255).chain((0..=255).rev()).collect();
    let (_, diagnostics) = kpi::check_bytes("all.kpi", all);
    assert!(diagnostics.iter().any(Diagnostic::is_error));
}

#[test]
fn every_truncation_of_the_bundled_policies_is_diagnosed() {
    for text in kpi::fuzzing::BUNDLED {
        // Cuts before the policy's closing brace: at every line end, and
        // every 97 bytes (inside words, numbers and labels).
        let end = text.rfind('}').expect("a closing brace");
        let mut cuts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
        cuts.extend((0..end).step_by(97).filter(|i| text.is_char_boundary(*i)));
        cuts.retain(|cut| *cut < end);
        for cut in cuts {
            let part = &text[..cut];
            let (_, diagnostics) = kpi::check_bytes("cut.kpi", part.as_bytes().to_vec());
            // A cut policy misses at least its closing brace.
            assert!(
                diagnostics.iter().any(Diagnostic::is_error),
                "no error for the first {cut} bytes"
            );
            kpi::fuzzing::policy_text(part.as_bytes());
        }
    }
}

// ------------------------------------------------------------ data

/// The foreign-trade policy's sample row, as (column, value) pairs.
fn sample_row() -> Vec<(String, String)> {
    let csv = std::fs::read_to_string("examples/foreign_trade_sales.csv").expect("sample data");
    let mut lines = csv.lines();
    let header = lines.next().expect("a header");
    let first = lines.next().expect("a row");
    header
        .split(',')
        .zip(first.split(','))
        .map(|(h, v)| (h.to_string(), v.to_string()))
        .collect()
}

fn foreign_trade() -> kpi::program::Program {
    program(kpi::fuzzing::BUNDLED[0])
}

fn pairs(row: &[(String, String)]) -> Vec<(&str, &str)> {
    row.iter().map(|(c, v)| (c.as_str(), v.as_str())).collect()
}

#[test]
fn overflow_in_a_rule_is_an_error_for_that_row_with_the_rule() {
    let p = program(&with_formula("x * x * x"));
    let batch = run(
        &p,
        &[
            &[("id", "E1"), ("x", "10")],
            &[("id", "E2"), ("x", "100000000000")],
            &[("id", "E3"), ("x", "3")],
        ],
    );
    assert_eq!(batch.outcomes.len(), 2);
    assert_eq!(batch.failures.len(), 1);
    let failure = batch.failures[0].to_string();
    assert!(failure.starts_with("line 3 (id E2): "), "{failure}");
    assert!(failure.contains("value `y`"), "{failure}");
    assert!(failure.contains("policy line 4"), "{failure}");
    assert!(failure.contains("too large"), "{failure}");
}

#[test]
fn edge_values_in_data_fail_their_row_and_spare_the_others() {
    let p = foreign_trade();
    let bad = [
        "1e400",
        "NaN",
        "--5",
        "inf",
        "1234567890123456789012345678901234567890",
        "１２３",
        "",
    ];
    let mut rows: Vec<Vec<(String, String)>> = Vec::new();
    for (i, value) in bad.iter().enumerate() {
        let mut row = sample_row();
        row[0].1 = format!("B{i}");
        row[3].1 = value.to_string(); // 成交额
        rows.push(row);
    }
    let mut good = sample_row();
    good[0].1 = "OK".to_string();
    good[3].1 = "-0".to_string();
    rows.push(good);
    let owned: Vec<Vec<(&str, &str)>> = rows.iter().map(|r| pairs(r)).collect();
    let refs: Vec<&[(&str, &str)]> = owned.iter().map(Vec::as_slice).collect();
    let batch = run(&p, &refs);
    assert_eq!(batch.failures.len(), bad.len());
    for (i, failure) in batch.failures.iter().enumerate() {
        let text = failure.to_string();
        assert!(text.contains(&format!("(id B{i})")), "{text}");
        assert!(text.contains("成交额"), "{text}");
    }
    // `-0` is zero: no deal points (the deal indicator's curve starts at 0).
    assert_eq!(batch.outcomes.len(), 1);
    assert_eq!(batch.outcomes[0].id, "OK");
    assert_eq!(common::points(&batch.outcomes[0], "成交"), "0.00");
}

#[test]
fn empty_header_only_and_ragged_files_are_reported_not_panicked_on() {
    let p = foreign_trade();
    let read = |name: &str, text: &str| {
        kpi::data::open_bytes(name, text.as_bytes().to_vec(), &Default::default())
    };
    let empty = read("empty.csv", "")
        .err()
        .expect("an empty file is an error");
    assert_eq!(empty.message, "the file has no header row");
    let header = sample_row()
        .iter()
        .map(|(h, _)| h.clone())
        .collect::<Vec<_>>()
        .join(",");
    let batch = kpi::batch::collect(&p, read("header.csv", &header).expect("readable"))
        .expect("the header fits");
    assert_eq!((batch.rows_read, batch.outcomes.len()), (0, 0));
    let ragged = format!("{header}\nE1,张伟\n\nE2{}\n", ",1".repeat(40));
    let batch = kpi::batch::collect(&p, read("ragged.csv", &ragged).expect("readable"))
        .expect("the header fits");
    let failures: Vec<String> = batch.failures.iter().map(ToString::to_string).collect();
    assert_eq!(failures.len(), 2, "{failures:#?}");
    assert!(
        failures[0].starts_with("line 2: cannot be read: it has 2 values"),
        "{failures:#?}"
    );
    // Line 4: the blank line 3 counts (the csv crate's own count skips it).
    assert!(
        failures[1].starts_with("line 4: cannot be read: it has 41 values"),
        "{failures:#?}"
    );
    let json = read("bad.json", "[1, {\"工号\": 2}")
        .err()
        .expect("invalid JSON");
    assert!(json.message.starts_with("invalid JSON"), "{}", json.message);
}

#[test]
fn the_same_input_gives_byte_identical_output_whatever_the_row_order() {
    // Under forced ranking order could matter; ties break by employee id.
    let p = foreign_trade();
    let csv = std::fs::read("examples/foreign_trade_sales.csv").expect("sample data");
    let text = String::from_utf8(csv).expect("UTF-8");
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let evaluate = |rows: &[&str]| {
        let data = format!("{header}\n{}\n", rows.join("\n"));
        let source = kpi::data::open_bytes("d.csv", data.into_bytes(), &Default::default())
            .expect("readable");
        let batch = kpi::batch::collect(&p, source).expect("the header fits");
        let mut outcomes = batch.outcomes;
        outcomes.sort_by(|a, b| a.id.cmp(&b.id));
        kpi::report::csv(&p, &outcomes)
    };
    let forward = evaluate(&lines);
    assert_eq!(forward, evaluate(&lines), "two runs differ");
    let mut reversed = lines.clone();
    reversed.reverse();
    assert_eq!(forward, evaluate(&reversed), "row order changed an outcome");
    let mut rotated = lines.clone();
    rotated.rotate_left(lines.len() / 3);
    assert_eq!(forward, evaluate(&rotated), "row order changed an outcome");
}

#[test]
fn a_total_of_pay_items_is_the_sum_of_the_rounded_items_to_the_cent() {
    // Each pay item is rounded once, when computed, by the policy's rule
    // (half away from zero, to the cent); a total adds the rounded items.
    let p = program(kpi::fuzzing::BUNDLED[1]);
    let table = kpi::data::read(Path::new("examples/marketing_director_pay.csv")).expect("data");
    let batch = kpi::batch::evaluate(&p, &table).expect("the header fits");
    assert!(batch.failures.is_empty());
    for o in &batch.outcomes {
        let items: rust_decimal::Decimal = ["底薪", "大客户提成", "团队提成", "绩效工资"]
            .iter()
            .map(|item| o.pay[*item])
            .sum();
        assert_eq!(o.pay["应发合计"], items, "{}", o.id);
    }
    // E004 by hand: 2,469,001.00 misses its 2,600,000 target, so 0.5%:
    // 12,345.005 → 12,345.01. Margin 370,350.15 / 2,469,001.00 = 15.0000…%
    // → 0.3 × 8,333.35 = 2,500.005 → 2,500.01. Rank 1: 16,000.
    // Total 16,000 + 12,345.01 + 2,500.01 = 30,845.02, where rounding the
    // unrounded sum would give 30,845.01: what the payslip lists adds up.
    let e004 = batch
        .outcomes
        .iter()
        .find(|o| o.id == "E004")
        .expect("E004");
    assert_eq!(common::pay(e004, "团队提成"), "12345.01");
    assert_eq!(common::pay(e004, "绩效工资"), "2500.01");
    assert_eq!(common::pay(e004, "应发合计"), "30845.02");
}

// ------------------------------------------------------------ fuzz corpus

/// Every input that once made a fuzz target fail, replayed through the
/// same harness: `tests/fuzz/<target>/<name>`.
#[test]
fn every_input_the_fuzzers_found_still_passes() {
    let mut replayed = 0;
    for (target, run) in [
        ("policy_text", kpi::fuzzing::policy_text as fn(&[u8])),
        (
            "policy_and_data",
            kpi::fuzzing::policy_and_data as fn(&[u8]),
        ),
    ] {
        let dir = Path::new("tests/fuzz").join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).expect("a corpus file");
            run(&bytes);
            replayed += 1;
        }
    }
    assert!(replayed > 0, "the fuzz regression corpus is empty");
}

// ------------------------------------------------------------ properties

/// Pieces policies are made of, so random text gets past the first token.
const TOKENS: &[&str] = &[
    "policy \"p\" {",
    "}",
    "{",
    "(",
    ")",
    "period quarter",
    "input ",
    "x",
    "y",
    " number",
    " percent",
    " money",
    " score",
    " yes/no",
    " optional",
    "let ",
    " = ",
    "indicator ",
    " weight ",
    "100%",
    "50%",
    "measure ",
    "points ",
    "linear ",
    "steps ",
    "of ",
    "=>",
    ",",
    "\n",
    " >= ",
    "otherwise ",
    "grades ",
    "A",
    "B",
    " otherwise",
    "bonus ",
    "deduction ",
    "cap ",
    "veto ",
    "when ",
    "pay ",
    "by grade ",
    "if ",
    " then ",
    " else ",
    " and ",
    " or ",
    "not ",
    "+",
    "-",
    "*",
    "/",
    "1",
    "0.5",
    "¥1,200",
    "100万元",
    "example \"e\" ",
    "expect ",
    "score",
    "grade",
    "plan ",
    "extends ",
    "drop ",
    "employee ",
    "quota",
    "“标签”",
    "成交额",
    "（",
    "）",
    "，",
    "％",
    "// note\n",
    "round money to 0.01",
    "first_of(",
    "min(",
    "max(",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..120).prop_map(|t| t.concat())
}

/// A bundled policy with one random edit: a range deleted, duplicated, or
/// replaced by a token.
fn mutated_policy() -> impl Strategy<Value = Vec<u8>> {
    (
        0..kpi::fuzzing::BUNDLED.len(),
        any::<prop::sample::Index>(),
        0usize..400,
        0u8..3,
        prop::sample::select(TOKENS),
    )
        .prop_map(|(which, at, len, edit, token)| {
            let text = kpi::fuzzing::BUNDLED[which].as_bytes();
            let start = at.index(text.len());
            let end = (start + len).min(text.len());
            let mut out = text[..start].to_vec();
            match edit {
                0 => {}
                1 => {
                    out.extend_from_slice(&text[start..end]);
                    out.extend_from_slice(&text[start..end]);
                }
                _ => out.extend_from_slice(token.as_bytes()),
            }
            out.extend_from_slice(&text[end..]);
            out
        })
}

/// A data cell: numbers of every size and sign, percentages, yes/no,
/// blanks, and text that is none of these.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1_000_000_000i64..1_000_000_000i64, 0u32..6)
            .prop_map(|(n, scale)| { rust_decimal::Decimal::new(n, scale).to_string() }),
        (0i64..20_000, 0u32..3).prop_map(|(n, s)| format!("{}%", rust_decimal::Decimal::new(n, s))),
        prop::sample::select(
            &[
                "",
                "0",
                "-0",
                "是",
                "否",
                "yes",
                "no",
                "1e400",
                "NaN",
                "--5",
                "9999999999999999999999999999",
                "0.0000000000000000000000000001",
                "¥1,200",
                "１２３",
                "业务员",
                "非业务员",
                "x",
            ][..]
        )
        .prop_map(str::to_string),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_policy_text_never_panics(text in token_soup()) {
        kpi::fuzzing::policy_text(text.as_bytes());
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        kpi::fuzzing::policy_text(&bytes);
    }

    #[test]
    fn mutated_real_policies_never_panic(bytes in mutated_policy()) {
        kpi::fuzzing::policy_text(&bytes);
    }

    #[test]
    fn random_data_files_never_panic(
        choice in any::<u8>(),
        lines in prop::collection::vec(prop::collection::vec(cell(), 0..20), 0..8),
    ) {
        // A bundled policy (chosen by the first byte, as the fuzz target
        // does) over CSV, JSON or JSON Lines text of random cells.
        let text: Vec<String> = lines.iter().map(|cells| cells.join(",")).collect();
        let mut input = vec![choice];
        input.extend_from_slice(text.join("\n").as_bytes());
        kpi::fuzzing::policy_and_data(&input);
    }

    #[test]
    fn random_records_never_panic(rows in prop::collection::vec(prop::collection::vec(cell(), 18), 1..12)) {
        // The foreign-trade policy over rows of random cells: every row is
        // evaluated or fails with a reason, none is lost.
        let p = foreign_trade();
        let header: Vec<String> = sample_row().into_iter().map(|(h, _)| h).collect();
        // Each row keeps a distinct id in the first column (工号).
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .enumerate()
            .map(|(i, mut row)| {
                row[0] = format!("R{i}");
                row
            })
            .collect();
        let owned: Vec<Vec<(&str, &str)>> = rows
            .iter()
            .map(|row| header.iter().map(String::as_str).zip(row.iter().map(String::as_str)).collect())
            .collect();
        let refs: Vec<&[(&str, &str)]> = owned.iter().map(Vec::as_slice).collect();
        let batch = run(&p, &refs);
        prop_assert_eq!(batch.outcomes.len() + batch.failures.len(), rows.len());
    }

    #[test]
    fn more_deal_value_never_lowers_the_score(
        deal in 0u64..5_000_000,
        more in 0u64..5_000_000,
        errors in 0u32..300,
        review in 0u32..=100,
    ) {
        // The foreign-trade policy's indicators are all higher-is-better in
        // deal value (and lower-is-better in error rate): a real check of
        // its thresholds, curves and caps.
        let p = foreign_trade();
        let score_with = |deal: u64, error_rate: u32| {
            let mut row = sample_row();
            for (column, value) in row.iter_mut() {
                match column.as_str() {
                    "成交额" => *value = deal.to_string(),
                    "差错率" => *value = format!("{}%", rust_decimal::Decimal::new(i64::from(error_rate), 2)),
                    "民主评议" => *value = review.to_string(),
                    _ => {}
                }
            }
            let outcome = one(&p, &pairs(&row));
            outcome.score.expect("a score")
        };
        let base = score_with(deal, errors);
        prop_assert!(score_with(deal + more, errors) >= base, "more deal value lowered the score");
        prop_assert!(score_with(deal, errors / 2) >= base, "fewer errors lowered the score");
    }
}
