//! The crate's layout holds: imports go one way along the flow of data
//! (numbers → language → engine → data → company → batch → tools → report
//! → ide, with the catalogue of kpi's words, `i18n`, beneath them all),
//! and no modules import each other in a circle. Read from the `crate::`,
//! `super::` and `self::` paths of every file of the library (its tests
//! left out: a test may use anything), so a new import that breaks either
//! rule fails here, naming the file and line.
//!
//! A child module may use its parent's shared items (a folder's `mod.rs`
//! is there for that): those edges are not counted as cycles. Everything
//! else is a file-to-file edge.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's top-level folders, in the order data flows through them:
/// each may import from itself and those before it. `fuzzing.rs` (the
/// harness the fuzz targets share) sits on top and may use anything.
const LAYERS: &[&str] = &[
    "i18n", "numbers", "language", "engine", "data", "company", "batch", "tools", "report", "ide",
    "lsp", "fuzzing",
];

type Module = Vec<String>;

/// One `crate::…` path a file names, and where.
struct Import {
    target: Module,
    line: usize,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library file (not the binary's `main.rs` and `cli/`), by module.
fn library_files() -> BTreeMap<Module, PathBuf> {
    let mut files = BTreeMap::new();
    let mut todo = vec![src()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(src()).unwrap().to_path_buf();
            if rel == Path::new("cli") || rel == Path::new("main.rs") {
                continue;
            }
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut module: Module = rel
                    .with_extension("")
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|m| m == "mod" || m == "lib") {
                    module.pop();
                }
                files.insert(module, path);
            }
        }
    }
    files
}

/// The paths a file's code names, its `#[cfg(test)] mod tests` (always its
/// last item) left out; `super::` and `self::` made absolute.
fn imports(module: &Module, text: &str) -> Vec<Import> {
    let code = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    // The module `self::` names: a file's own; `super::`, its parent's (a
    // folder's `mod.rs` is the folder's module).
    let own = module.clone();
    let parent: Module = module[..module.len().saturating_sub(1)].to_vec();
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        for (prefix, base) in [
            ("crate::", Vec::new()),
            ("super::", parent.clone()),
            ("self::", own.clone()),
        ] {
            let mut rest = line;
            while let Some(at) = rest.find(prefix) {
                // Not the tail of a longer word (`my_crate::`).
                let before = rest[..at].chars().next_back();
                rest = &rest[at + prefix.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                for path in paths_at(rest) {
                    let mut target = base.clone();
                    let mut segments = path.into_iter().peekable();
                    // `super::super::x`
                    while segments.peek().is_some_and(|s| s == "super") {
                        segments.next();
                        target.pop();
                    }
                    target.extend(segments);
                    found.push(Import {
                        target,
                        line: n + 1,
                    });
                }
            }
        }
    }
    found
}

/// The module paths at the start of `text` (just after `crate::`): one
/// path, or each path of a `{a::b, c}` group.
fn paths_at(text: &str) -> Vec<Vec<String>> {
    let segment = |t: &str| -> (Vec<String>, usize) {
        let mut out = Vec::new();
        let mut at = 0;
        loop {
            let word: String = t[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if word.is_empty() {
                break;
            }
            at += word.len();
            out.push(word);
            if t[at..].starts_with("::") {
                at += 2;
            } else {
                break;
            }
        }
        (out, at)
    };
    let (first, used) = segment(text);
    let rest = &text[used..];
    if let Some(group) = rest.strip_prefix('{') {
        let inner = group.split('}').next().unwrap_or_default();
        return inner
            .split(',')
            .map(|item| {
                let mut path = first.clone();
                path.extend(segment(item.trim()).0);
                path
            })
            .collect();
    }
    vec![first]
}

/// The module a path names: its longest prefix that is a file.
fn resolve(target: &Module, modules: &BTreeSet<Module>) -> Option<Module> {
    (1..=target.len())
        .rev()
        .map(|n| target[..n].to_vec())
        .find(|m| modules.contains(m))
}

fn layer(module: &Module) -> Option<usize> {
    LAYERS
        .iter()
        .position(|l| module.first().is_some_and(|m| m == l))
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "lib".to_string()
    } else {
        module.join("::")
    }
}

/// Every edge of the library: from a file to each file it names.
fn edges() -> BTreeMap<Module, BTreeMap<Module, (PathBuf, usize)>> {
    let files = library_files();
    let modules: BTreeSet<Module> = files.keys().cloned().collect();
    let mut edges: BTreeMap<Module, BTreeMap<Module, (PathBuf, usize)>> = BTreeMap::new();
    for (module, path) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        for import in imports(module, &text) {
            let Some(target) = resolve(&import.target, &modules) else {
                continue;
            };
            if &target == module {
                continue;
            }
            edges
                .entry(module.clone())
                .or_default()
                .entry(target)
                .or_insert((path.clone(), import.line));
        }
    }
    edges
}

#[test]
fn imports_go_one_way_along_the_flow() {
    let mut wrong = Vec::new();
    for (from, targets) in edges() {
        // The crate root re-exports the old paths; it is above every layer.
        let Some(from_layer) = layer(&from) else {
            continue;
        };
        for (to, (path, line)) in targets {
            if let Some(to_layer) = layer(&to)
                && to_layer > from_layer
            {
                wrong.push(format!(
                    "{}:{line}: {} imports {}, which comes later in the flow ({})",
                    path.strip_prefix(src()).unwrap().display(),
                    name(&from),
                    name(&to),
                    LAYERS.join(" → ")
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn no_modules_import_each_other_in_a_circle() {
    let edges = edges();
    // A child's use of its ancestors' shared items is no cycle.
    let counted = |from: &Module, to: &Module| !(to.len() < from.len() && from.starts_with(to));
    let graph: BTreeMap<&Module, Vec<&Module>> = edges
        .iter()
        .map(|(from, targets)| {
            let to: Vec<&Module> = targets.keys().filter(|to| counted(from, to)).collect();
            (from, to)
        })
        .collect();
    let cycles = strongly_connected(&graph);
    let described: Vec<String> = cycles
        .iter()
        .map(|cycle| {
            let names: Vec<String> = cycle.iter().map(|m| name(m)).collect();
            let lines: Vec<String> = cycle
                .iter()
                .flat_map(|from| {
                    edges[*from]
                        .iter()
                        .filter(|(to, _)| cycle.contains(to) && counted(from, to))
                        .map(|(to, (path, line))| {
                            format!(
                                "    {}:{line} imports {}",
                                path.strip_prefix(src()).unwrap().display(),
                                name(to)
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            format!("{}\n{}", names.join(" ↔ "), lines.join("\n"))
        })
        .collect();
    assert!(described.is_empty(), "\n{}", described.join("\n"));
}

/// Tarjan's strongly connected components with more than one module.
fn strongly_connected<'m>(graph: &BTreeMap<&'m Module, Vec<&'m Module>>) -> Vec<Vec<&'m Module>> {
    struct State<'m> {
        index: BTreeMap<&'m Module, usize>,
        low: BTreeMap<&'m Module, usize>,
        stack: Vec<&'m Module>,
        on_stack: BTreeSet<&'m Module>,
        found: Vec<Vec<&'m Module>>,
    }
    fn visit<'m>(v: &'m Module, graph: &BTreeMap<&'m Module, Vec<&'m Module>>, s: &mut State<'m>) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in graph.get(v).map(Vec::as_slice).unwrap_or_default() {
            if !s.index.contains_key(w) {
                visit(w, graph, s);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for &v in graph.keys() {
        if !state.index.contains_key(v) {
            visit(v, graph, &mut state);
        }
    }
    state.found
}

/// The reader of paths finds what it must: a group, `super::`, a path in
/// the middle of a line, and nothing in a word that merely ends in `crate`.
#[test]
fn the_import_reader_reads_groups_super_and_self() {
    let module: Module = vec!["data".into(), "csv".into()];
    let text = "use crate::{engine::eval::Record, language::ast};\n\
                use super::{CellRef, spares::Spares};\n\
                let x = crate::numbers::decimal::exact(t);\n\
                use self::inner::X;\n\
                // crate::tools::explain in a comment\n\
                let y = my_crate::report::x;\n\
                #[cfg(test)]\nmod tests { use crate::tools::diff; }\n";
    let got: Vec<(String, usize)> = imports(&module, text)
        .into_iter()
        .map(|i| (i.target.join("::"), i.line))
        .collect();
    assert_eq!(
        got,
        [
            ("engine::eval::Record".to_string(), 1),
            ("language::ast".to_string(), 1),
            ("data::CellRef".to_string(), 2),
            ("data::spares::Spares".to_string(), 2),
            ("numbers::decimal::exact".to_string(), 3),
            ("data::csv::inner::X".to_string(), 4),
        ]
    );
}
