//! A large policy parsed in parts, one per core: the text is cut where a
//! top-level item starts, each part is parsed and lowered on a thread of
//! its own, and the items are put back in order. Only a policy of many
//! thousands of items gains from this (40,000 indicators are 8 MB of text);
//! a company's policy is far below [`MIN_PART`] and is parsed whole.
//!
//! The result is the whole parse's: a part starts at a line whose first word
//! is a reserved word that begins an item (`indicator`, `input`, …), in the
//! policy's braces and outside any other bracket, and nothing an item
//! can end with may be followed by such a word, so the item before the cut
//! ends before it in the whole text too. Whenever a part does not parse or
//! lower cleanly, `None` sends the caller to parse the whole text, which
//! finds and reports the mistakes as it always does.

use std::sync::atomic::{AtomicUsize, Ordering};

use pest::Parser;

use super::lower::{self, Part};
use super::parser::{PolicyParser, Rule};
use crate::language::ast::Policy;
use crate::language::source::Span;

/// The fewest bytes in a part: below two of them, the policy is parsed whole.
pub(super) const MIN_PART: usize = 512 * 1024;

/// The words that may start a part: reserved words (so never a name that
/// could go on a formula from the line before) that begin an item.
const CUT_WORDS: [&str; 8] = [
    "indicator",
    "input",
    "let",
    "pay",
    "bonus",
    "deduction",
    "veto",
    "example",
];

/// The stack of a thread that parses a part: as deep as the one the whole
/// text is parsed on (`crate::with_deep_stack`).
const STACK: usize = 32 * 1024 * 1024;

/// Parses `text` in parts of at least `min_part` bytes on every core, cut
/// at some of `item_lines` (the starts of lines that may begin a part, in
/// order: see [`starts_part`]), or `None` when it is too small or cannot be
/// cut, or a part does not parse cleanly.
pub(super) fn parse(text: &str, item_lines: &[usize], min_part: usize) -> Option<Policy> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    parse_on(text, item_lines, min_part, cores)
}

/// [`parse`] on `cores` threads.
fn parse_on(text: &str, item_lines: &[usize], min_part: usize, cores: usize) -> Option<Policy> {
    if cores < 2 || text.len() / 2 < min_part.max(1) {
        return None;
    }
    // More parts than cores, taken in turn by the threads: parts of the
    // same size are not the same work (a line of inputs parses faster
    // than a scoring table), and a thread that is done takes the next.
    let wanted = (PARTS_PER_CORE * cores).min(text.len() / min_part.max(1) * PARTS_PER_CORE);
    let bounds = bounds(text.len(), item_lines, wanted.max(2));
    if bounds.len() < 2 {
        return None;
    }
    let next = AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(start, end, rule)) = bounds.get(i) else {
                return done;
            };
            let part = one(text, start, end, rule);
            let failed = part.is_none();
            done.push((i, part));
            if failed {
                // The whole text is parsed again: the other parts are moot.
                next.store(bounds.len(), Ordering::Relaxed);
                return done;
            }
        }
    };
    let mut lowered: Vec<(usize, Option<Part>)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..cores.min(bounds.len()))
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("kpi-parse".to_string())
                    .stack_size(STACK)
                    .spawn_scoped(scope, take)
                    .ok()
            })
            .collect();
        let mut lowered = take();
        for helper in helpers {
            // A part whose thread panicked is missing, and the count below
            // sends the caller to parse the whole text.
            lowered.extend(helper.join().unwrap_or_default());
        }
        lowered
    });
    if lowered.len() != bounds.len() {
        return None;
    }
    lowered.sort_unstable_by_key(|(i, _)| *i);
    let mut parts = lowered.into_iter().map(|(_, part)| part);
    let head = parts.next()??;
    let name = head.name?;
    let start = head.start?;
    let mut items = head.items;
    let mut end = None;
    for part in parts {
        let part = part?;
        items.extend(part.items);
        end = part.end;
    }
    Some(Policy {
        name,
        items,
        span: Span::new(start, end?),
    })
}

/// How many parts each core is given, at most.
const PARTS_PER_CORE: usize = 4;

/// One part parsed and lowered, or `None` if it has a mistake.
fn one(text: &str, start: usize, end: usize, rule: Rule) -> Option<Part> {
    let slice = text.get(start..end)?;
    let pair = PolicyParser::parse(rule, slice).ok()?.next()?;
    let part = lower::part(pair, start);
    part.errors.is_empty().then_some(part)
}

/// The parts `text` (of `len` bytes) is cut into, about `parts` of the
/// same size, each as (start, end, the rule that parses it): cut at the
/// first of `item_lines` past each `len / parts` bytes.
fn bounds(len: usize, item_lines: &[usize], parts: usize) -> Vec<(usize, usize, Rule)> {
    let mut cuts = Vec::with_capacity(parts);
    let mut lines = item_lines.iter().copied().peekable();
    for k in 1..parts {
        let target = k * len / parts;
        while lines.next_if(|&at| at < target).is_some() {}
        match lines.next() {
            Some(at) if at > 0 => cuts.push(at),
            _ => break,
        }
    }
    let mut bounds = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for (i, &end) in cuts.iter().chain([&len]).enumerate() {
        let rule = match i {
            0 => Rule::policy_head,
            _ if end == len => Rule::policy_tail,
            _ => Rule::policy_part,
        };
        bounds.push((start, end, rule));
        start = end;
    }
    bounds
}

/// Whether a line starts with one of [`CUT_WORDS`] as a word of its own.
pub(super) fn starts_part(line: &str) -> bool {
    let code = line.trim_start_matches([' ', '\t']);
    CUT_WORDS.iter().any(|word| {
        code.strip_prefix(word)
            .is_some_and(|rest| rest.chars().next().is_some_and(|c| c == ' ' || c == '\t'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_cut_at_the_first_item_line_past_each_share() {
        let four = bounds(100, &[10, 20, 30, 55, 60, 90], 4);
        let cuts: Vec<(usize, usize)> = four.iter().map(|&(s, e, _)| (s, e)).collect();
        assert_eq!(cuts, [(0, 30), (30, 55), (55, 90), (90, 100)]);
        assert_eq!(four[0].2, Rule::policy_head);
        assert_eq!(four[1].2, Rule::policy_part);
        assert_eq!(four[3].2, Rule::policy_tail);
        let few = bounds(100, &[10, 80], 4);
        let cuts: Vec<(usize, usize)> = few.iter().map(|&(s, e, _)| (s, e)).collect();
        assert_eq!(cuts, [(0, 80), (80, 100)], "no line past the second share");
        assert_eq!(bounds(100, &[], 4).len(), 1, "no line to cut at");
    }

    /// Every policy kpi ships or tests with, whole and with lines taken
    /// out, parsed in parts as small as a few lines: the same syntax tree
    /// as the whole parse when it parses, and no tree when it does not.
    #[test]
    #[allow(clippy::unwrap_used, clippy::panic)]
    fn parts_give_the_whole_parse_or_nothing() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("policies"), root.join("tests/fixtures")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "kpi") {
                    files.push(path);
                }
            }
        }
        files.sort();
        assert!(files.len() > 100, "the policies and fixtures are found");
        let mut cut = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let mut variants = vec![text.clone()];
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            if path.starts_with(root.join("policies")) {
                for skip in (0..lines.len()).step_by(3) {
                    let mut v = lines.clone();
                    v.remove(skip);
                    variants.push(v.concat());
                }
            }
            for variant in variants {
                let source = crate::language::source::Source::new("p.kpi", variant.clone());
                let whole = super::super::parse_in(&source, usize::MAX);
                // The scans `parse` runs before parsing, in parts or not.
                let Ok(item_lines) = super::super::check_nesting(&variant, true) else {
                    continue;
                };
                if !super::super::invisible_scan(&variant).is_empty() {
                    continue;
                }
                for (min_part, cores) in [(40, 2), (150, 3), (600, 2)] {
                    let parts = parse_on(&variant, &item_lines, min_part, cores);
                    match (&whole, parts) {
                        (Ok(whole), Some(parts)) => {
                            cut += 1;
                            assert_eq!(whole, &parts, "{}", path.display());
                        }
                        (Ok(_), None) => {}
                        (Err(_), None) => {}
                        (Err(e), Some(_)) => panic!(
                            "{}: parsed in parts, but the whole text has errors: {e:?}\n{variant}",
                            path.display()
                        ),
                    }
                }
            }
        }
        assert!(cut > 100, "policies were parsed in parts ({cut} times)");
    }

    #[test]
    fn words_that_only_begin_with_a_cut_word_are_not_cuts() {
        assert!(starts_part("  indicator 指标 weight 5% {\n"));
        assert!(!starts_part("  indicators x\n"));
        assert!(!starts_part("  bonuses cap 5\n"));
        assert!(!starts_part("  lettuce = 1\n"));
        assert!(!starts_part("  # indicator\n"));
    }
}
