//! The book (docs/en, docs/zh-CN) and the README, tested as written:
//!
//! - every ```` ```kpi ```` block is a whole policy `kpi check` accepts; a
//!   ```` ```kpi,error=CODE ```` block gives diagnostics of that one code;
//!   `file=PATH` also requires the block to be that file, byte for byte;
//! - every ```` ```console,test ```` block's first line `$ kpi ARGS` is run
//!   from the repository's root, and what it prints (stdout, then stderr)
//!   must be the rest of the block (trailing spaces and blank lines aside).
//!   `KPI_BLESS=1 cargo test --test book` writes today's output instead;
//! - every diagnostic code has its entry, every command and flag its
//!   mention, in both languages; every page of a SUMMARY.md exists;
//! - the README stays short (≤ 200 lines).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

const BOOKS: &[&str] = &["docs/en", "docs/zh-CN"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// A fenced block: its info string, its lines, where it is.
struct Block {
    info: String,
    /// The line of the opening fence (0-based) and of the closing one.
    open: usize,
    close: usize,
    body: String,
}

fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].strip_prefix("```") else {
            i += 1;
            continue;
        };
        let start = i;
        let mut end = i + 1;
        while end < lines.len() && lines[end].trim_end() != "```" {
            end += 1;
        }
        let body: String = lines[start + 1..end.min(lines.len())]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        out.push(Block {
            info: info.trim().to_string(),
            open: start,
            close: end,
            body,
        });
        i = end + 1;
    }
    out
}

fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut files = vec![root().join("README.md")];
    for book in BOOKS {
        walk(&root().join(book), &mut files);
    }
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().display().to_string()
}

/// The words of a command line, with "double quotes" keeping spaces.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// What `kpi ARGS` prints, from the repository's root.
fn run(args: &[String]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_kpi"))
        .env("KPI_LANG", "en")
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("KPI_LANG")
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    text
}

fn normalized(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    lines[..end].join("\n")
}

#[test]
fn every_policy_and_every_shown_output_is_what_kpi_gives() {
    let bless = std::env::var_os("KPI_BLESS").is_some();
    let mut failures = Vec::new();
    let mut counted = (0, 0);
    for path in markdown_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = relative(&path);
        let mut blessed: Vec<(usize, usize, String)> = Vec::new();
        for block in blocks(&text) {
            let at = format!("{name}:{}", block.open + 1);
            let mut parts = block.info.split(',').map(str::trim);
            match parts.next() {
                Some("kpi") => {
                    counted.0 += 1;
                    let mut code = None;
                    for part in parts {
                        if let Some(c) = part.strip_prefix("error=") {
                            code = Some(c.to_string());
                        } else if let Some(file) = part.strip_prefix("file=") {
                            match std::fs::read_to_string(root().join(file)) {
                                Ok(content) if content == block.body => {}
                                Ok(_) => {
                                    failures.push(format!("{at}: the block is not {file} as it is"))
                                }
                                Err(e) => failures.push(format!("{at}: {file}: {e}")),
                            }
                        } else {
                            failures.push(format!("{at}: unknown attribute `{part}`"));
                        }
                    }
                    let (_, diagnostics) =
                        kpi::check_bytes("block.kpi", block.body.clone().into_bytes());
                    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
                    match &code {
                        None if diagnostics.iter().any(|d| d.is_error()) => {
                            failures.push(format!("{at}: the policy has errors: {codes:?}"));
                        }
                        Some(code) if codes.is_empty() || codes.iter().any(|c| c != code) => {
                            failures.push(format!("{at}: expected only {code}, got {codes:?}"));
                        }
                        _ => {}
                    }
                }
                Some("console") if parts.any(|p| p == "test") => {
                    counted.1 += 1;
                    let mut lines = block.body.lines();
                    let command = lines.next().unwrap_or("");
                    let Some(args) = command.strip_prefix("$ kpi") else {
                        failures.push(format!("{at}: a tested block starts with `$ kpi …`"));
                        continue;
                    };
                    let expected: String = lines.map(|l| format!("{l}\n")).collect();
                    let got = run(&words(args));
                    if normalized(&got) != normalized(&expected) {
                        if bless {
                            blessed.push((
                                block.open + 1,
                                block.close,
                                format!("{command}\n{got}"),
                            ));
                        } else {
                            failures.push(format!(
                                "{at}: `kpi{args}` prints\n{}\n--- but the book shows\n{}",
                                normalized(&got),
                                normalized(&expected)
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        if !blessed.is_empty() {
            let lines: Vec<&str> = text.lines().collect();
            let mut out = String::new();
            let mut next = 0;
            for (from, to, body) in blessed {
                for l in &lines[next..from] {
                    out.push_str(l);
                    out.push('\n');
                }
                for l in normalized(&body).lines() {
                    out.push_str(l);
                    out.push('\n');
                }
                next = to;
            }
            for l in &lines[next..] {
                out.push_str(l);
                out.push('\n');
            }
            std::fs::write(&path, out).unwrap();
        }
    }
    assert!(
        counted.0 > 100 && counted.1 > 200,
        "blocks found: {counted:?}"
    );
    assert!(
        failures.is_empty(),
        "{} blocks fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_diagnostic_code_has_its_entry_in_both_languages() {
    for book in BOOKS {
        let page =
            std::fs::read_to_string(root().join(book).join("reference/diagnostics.md")).unwrap();
        let headings: Vec<&str> = page
            .lines()
            .filter_map(|l| l.strip_prefix("### "))
            .map(str::trim)
            .collect();
        for code in kpi::diagnostic::Code::ALL {
            assert!(
                headings.contains(&code.as_str()),
                "{book}/reference/diagnostics.md has no `### {}`",
                code.as_str()
            );
        }
    }
}

#[test]
fn every_command_and_flag_is_in_the_reference_in_both_languages() {
    let help = run(&["--help".to_string()]);
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line starts two spaces in; its help wraps deeper.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(commands.len() >= 10, "{commands:?}");
    for book in BOOKS {
        let page =
            std::fs::read_to_string(root().join(book).join("reference/commands.md")).unwrap();
        for command in &commands {
            assert!(
                page.contains(&format!("kpi {command}")),
                "{book}/reference/commands.md does not name `kpi {command}`"
            );
            let flags = run(&[command.clone(), "--help".to_string()]);
            for flag in flags
                .split(|c: char| !(c.is_alphanumeric() || c == '-'))
                .filter(|w| w.starts_with("--") && w.len() > 2)
            {
                assert!(
                    page.contains(flag),
                    "{book}/reference/commands.md does not mention `kpi {command} {flag}`"
                );
            }
        }
    }
}

#[test]
fn every_page_of_the_summaries_exists() {
    for book in BOOKS {
        let dir = root().join(book);
        let summary = std::fs::read_to_string(dir.join("SUMMARY.md")).unwrap();
        let mut pages = 0;
        for part in summary.split("](").skip(1) {
            let target = part.split(')').next().unwrap();
            assert!(
                dir.join(target).exists(),
                "{book}/SUMMARY.md links {target}, which is not there"
            );
            pages += 1;
        }
        assert!(pages >= 30, "{book}: {pages} pages");
        assert!(dir.join("book.toml").exists());
    }
}

#[test]
fn the_readme_is_short() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 200,
        "README.md has {lines} lines; the book holds the rest"
    );
}
