//! `kpi fmt` over every policy and fixture in the repository: formatting
//! succeeds, keeps every comment, gives a policy that says the same thing
//! (checked inside `format_checked`), and is idempotent.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use kpi::source::Source;

fn kpi_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            kpi_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "kpi") {
            out.push(path);
        }
    }
}

#[test]
fn formatting_is_faithful_and_idempotent_on_every_policy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    kpi_files(&root.join("policies"), &mut files);
    kpi_files(&root.join("tests/fixtures"), &mut files);
    files.sort();
    let mut formatted_count = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let source = Source::new(path.display().to_string(), text);
        // Files with syntax errors cannot be formatted, by design.
        if kpi::syntax::parse(&source).is_err() {
            assert!(matches!(
                kpi::formatter::format_checked(&source),
                Err(kpi::formatter::Error::Syntax(_))
            ));
            continue;
        }
        let once = kpi::formatter::format_checked(&source)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let twice = kpi::formatter::format_checked(&Source::new("again", once.clone()))
            .unwrap_or_else(|e| panic!("{} (formatted): {e}", path.display()));
        assert_eq!(
            once,
            twice,
            "formatting {} again changes it",
            path.display()
        );
        formatted_count += 1;
    }
    assert!(
        formatted_count > 60,
        "only {formatted_count} policies were formatted"
    );
}

#[test]
fn the_bundled_policies_are_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in [
        "foreign_trade_sales",
        "operations_director",
        "marketing_director_pay",
    ] {
        let path = root.join("policies").join(format!("{name}.kpi"));
        let text = std::fs::read_to_string(&path).unwrap();
        let formatted = kpi::formatter::format_checked(&Source::new(name, text.clone())).unwrap();
        assert_eq!(formatted, text, "run `kpi fmt policies/`");
    }
}

#[test]
fn messy_policies_come_out_canonical() {
    insta::glob!("fixtures/fmt/*.kpi", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let formatted = kpi::formatter::format_checked(&Source::new("messy", text)).unwrap();
        insta::assert_snapshot!(formatted);
    });
}

#[test]
fn a_formula_that_would_change_is_caught() {
    // The parser and printer agree on precedence: `a - (b - c)` keeps its
    // parentheses and `(a * b) + c` loses them.
    let text = "policy \"p\" {\n  period quarter\n  input a number\n  input b number\n  input c number\n  let x = a - (b - c)\n  let y = (a * b) + c\n  let z = -(a + b) * c\n  let w = a / (b / c) / (a)\n}\n";
    let formatted = kpi::formatter::format_checked(&Source::new("p", text)).unwrap();
    assert!(formatted.contains("let x = a - (b - c)"), "{formatted}");
    assert!(formatted.contains("let y = a * b + c"), "{formatted}");
    assert!(formatted.contains("let z = -(a + b) * c"), "{formatted}");
    assert!(formatted.contains("let w = a / (b / c) / a"), "{formatted}");
}

/// A policy saved with lone `\r` line ends reads as written with `\n`:
/// `kpi fmt --check` says so and fails, and `kpi fmt` writes the bundled
/// policy back exactly as it is with `\n`.
#[test]
fn lone_carriage_returns_are_written_as_newlines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let original = std::fs::read_to_string(root.join("policies/operations_director.kpi")).unwrap();
    let dir = std::env::temp_dir().join(format!("kpi-fmt-cr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cr.kpi");
    std::fs::write(&file, original.replace('\n', "\r")).unwrap();
    let kpi = env!("CARGO_BIN_EXE_kpi");
    let check = std::process::Command::new(kpi)
        .env("KPI_LANG", "en")
        .args(["fmt", "--check"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("lines end in a lone \\r"),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let fmt = std::process::Command::new(kpi)
        .env("KPI_LANG", "en")
        .arg("fmt")
        .arg(&file)
        .output()
        .unwrap();
    assert!(fmt.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    std::fs::remove_dir_all(&dir).unwrap();
}
