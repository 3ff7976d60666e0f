//! The editor package (editors/vscode/): its TextMate grammar, run over the
//! bundled policies by a small TextMate engine, must colour what the parser
//! reads as names as names, every comment as a comment and the word that
//! starts each declaration as a keyword; and the package must name files
//! that exist.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// A match rule of the grammar: its regex, its scope, its captures' scopes.
struct Rule {
    regex: Regex,
    scope: Option<String>,
    captures: Vec<(usize, String)>,
}

/// The grammar's rules in the order TextMate tries them, includes resolved.
fn rules() -> Vec<Rule> {
    let text = std::fs::read_to_string(root().join("editors/vscode/syntaxes/kpi.tmLanguage.json"))
        .unwrap();
    let grammar: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(grammar["scopeName"], "source.kpi");
    let mut out = Vec::new();
    flatten(&grammar["patterns"], &grammar["repository"], &mut out);
    out
}

fn flatten(patterns: &Value, repository: &Value, out: &mut Vec<Rule>) {
    for p in patterns.as_array().unwrap() {
        if let Some(include) = p["include"].as_str() {
            let key = include.strip_prefix('#').unwrap();
            flatten(&repository[key]["patterns"], repository, out);
            continue;
        }
        assert!(
            p["begin"].is_null(),
            "only match rules: every token is on one line"
        );
        let source = p["match"].as_str().unwrap();
        let captures = p["captures"]
            .as_object()
            .map(|c| {
                c.iter()
                    .map(|(k, v)| (k.parse().unwrap(), v["name"].as_str().unwrap().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Rule {
            regex: Regex::new(source).unwrap_or_else(|e| panic!("{source}: {e}")),
            scope: p["name"].as_str().map(str::to_string),
            captures,
        });
    }
}

/// The scope of each byte of `line` (None: plain text), as TextMate gives
/// it: at each place, the rule matching earliest wins, the first on a tie.
fn tokenize(rules: &[Rule], line: &str) -> Vec<Option<String>> {
    let mut scopes = vec![None; line.len()];
    let mut at = 0;
    while at < line.len() {
        let best = rules
            .iter()
            .filter_map(|r| r.regex.captures_at(line, at).map(|c| (r, c)))
            .filter(|(_, c)| !c.get(0).unwrap().is_empty())
            .min_by_key(|(_, c)| c.get(0).unwrap().start());
        let Some((rule, caps)) = best else { break };
        let whole = caps.get(0).unwrap();
        for s in &mut scopes[whole.start()..whole.end()] {
            *s = rule.scope.clone();
        }
        for (group, scope) in &rule.captures {
            if let Some(g) = caps.get(*group) {
                for s in &mut scopes[g.start()..g.end()] {
                    *s = Some(scope.clone());
                }
            }
        }
        at = whole.end();
    }
    scopes
}

fn policies() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "kpi"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 3);
    out
}

/// The scope at each byte of the whole text.
fn scopes_of(rules: &[Rule], text: &str) -> Vec<Option<String>> {
    text.split_inclusive('\n')
        .flat_map(|line| {
            let body = line.trim_end_matches('\n');
            let mut s = tokenize(rules, body);
            s.extend(std::iter::repeat_n(None, line.len() - body.len()));
            s
        })
        .collect()
}

#[test]
fn the_grammar_colours_the_bundled_policies_as_the_parser_reads_them() {
    let rules = rules();
    for (name, text) in policies() {
        let scopes = scopes_of(&rules, &text);
        let source = kpi::source::Source::new(name.clone(), text.clone());
        let policy = kpi::syntax::parse(&source).unwrap();
        // Every name the parser reads is a name (or plain), never a
        // keyword, a number or a label.
        let names = kpi::ide::NameIndex::new(&policy);
        assert!(names.occurrences.len() > 50, "{name}");
        for o in &names.occurrences {
            let scope = scopes[o.span.start].as_deref();
            assert!(
                matches!(scope, None | Some("entity.name.kpi")),
                "{name}: `{}` at {} is coloured {scope:?}",
                o.name,
                o.span.start
            );
        }
        // Each declaration starts with a keyword.
        let mut items: Vec<&kpi::ast::Item> = policy.items.iter().collect();
        while let Some(item) = items.pop() {
            if let kpi::ast::Item::Plan(plan) = item {
                items.extend(plan.items.iter());
            }
            let scope = scopes[item.span().start].as_deref().unwrap_or("none");
            assert!(
                scope.starts_with("storage.type") || scope.starts_with("keyword.other"),
                "{name}: the item at {} starts with a word coloured {scope}",
                item.span().start
            );
        }
        // Every comment line is a comment to its end.
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let body = line.trim_end();
            if let Some(at) = body.find("//").filter(|at| body[..*at].trim().is_empty()) {
                let comment = &scopes[offset + at..offset + body.len()];
                assert!(
                    comment
                        .iter()
                        .all(|s| s.as_deref().is_some_and(|s| s.starts_with("comment."))),
                    "{name}: {body}"
                );
            }
            offset += line.len();
        }
    }
}

#[test]
fn labels_numbers_and_keywords_get_their_scopes() {
    let rules = rules();
    let line =
        r#"  indicator 成交 "deal value" weight 25% { measure min(成交额, ¥1,200) }  // 注释"#;
    let scopes = tokenize(&rules, line);
    let scope_of = |needle: &str| scopes[line.find(needle).unwrap()].clone();
    assert_eq!(scope_of("indicator").as_deref(), Some("storage.type.kpi"));
    assert_eq!(scope_of("成交 ").as_deref(), Some("entity.name.kpi"));
    assert_eq!(
        scope_of("\"deal").as_deref(),
        Some("string.quoted.double.kpi")
    );
    assert_eq!(scope_of("weight").as_deref(), Some("keyword.other.kpi"));
    assert_eq!(
        scope_of("25%").as_deref(),
        Some("constant.numeric.percent.kpi")
    );
    assert_eq!(scope_of("min").as_deref(), Some("support.function.kpi"));
    assert_eq!(scope_of("成交额"), None);
    assert_eq!(
        scope_of("¥1,200").as_deref(),
        Some("constant.numeric.money.kpi")
    );
    assert_eq!(
        scope_of("// 注释").as_deref(),
        Some("comment.line.double-slash.kpi")
    );
    assert_eq!(
        scope_of("注释").as_deref(),
        Some("comment.line.double-slash.kpi")
    );
}

#[test]
fn the_vscode_package_names_files_that_exist() {
    let dir = root().join("editors/vscode");
    let package: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    assert!(dir.join(package["main"].as_str().unwrap()).exists());
    let language = &package["contributes"]["languages"][0];
    assert_eq!(language["extensions"][0], ".kpi");
    assert!(
        dir.join(language["configuration"].as_str().unwrap())
            .exists()
    );
    let grammar = &package["contributes"]["grammars"][0];
    assert_eq!(grammar["scopeName"], "source.kpi");
    assert!(dir.join(grammar["path"].as_str().unwrap()).exists());
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("language-configuration.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(config["comments"]["lineComment"], "//");
}
