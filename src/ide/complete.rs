//! What may be typed at a place of a policy, for an editor's completion:
//! the keywords that start a line where one is expected, the clauses of an
//! indicator, the policy's names (with their labels, so that a Chinese
//! label finds its name), the functions, and the grades inside `by grade`,
//! `quotas` and after `grade`.
//!
//! A policy being typed rarely parses, so the place is read from the text
//! (which blocks are open around the cursor) and the names come from the
//! outline of the last version that parsed.

use super::outline::{Symbol, SymbolKind};
use crate::language::syntax::ITEM_KEYWORDS;

/// What a completion is, for the editor's icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Function,
    Symbol(SymbolKind),
}

/// One thing that may be typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    /// What it is: the label, the type, the signature.
    pub detail: Option<String>,
    /// Matched against what is typed, besides the label: a name's label,
    /// so that typing `成交` offers `deal_value "成交额"`.
    pub filter: String,
}

/// Which block the cursor is in, by the word that opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Policy,
    /// An indicator, bonus or deduction item.
    Scored,
    Plan,
    Grades,
    Quotas,
    Example,
    /// `by grade { … }`.
    ByGrade,
    /// A table or anything else inside a formula.
    Formula,
    Other,
}

/// Words that may start a line inside a plan.
const PLAN_KEYWORDS: &[&str] = &[
    "let",
    "indicator",
    "bonus",
    "deduction",
    "veto",
    "drop",
    "example",
];
const CLAUSE_KEYWORDS: &[&str] = &["measure", "points", "cap", "floor"];
const QUOTA_KEYWORDS: &[&str] = &["forced ranking", "round headcount", "ties by"];
const FORMULA_KEYWORDS: &[&str] = &[
    "if",
    "then",
    "else",
    "linear",
    "steps",
    "by grade",
    "when",
    "otherwise",
    "score",
    "grade",
    "measure",
    "and",
    "or",
    "not",
    "yes",
    "no",
];

/// What may be typed at byte `offset` of `text`, given the outline of the
/// policy (of its last version that parsed).
pub fn complete(text: &str, offset: usize, outline: &[Symbol]) -> Vec<Completion> {
    let offset = floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let typed = current_word(before);
    let line_before = &before[line_start..before.len() - typed.len()];
    let at_line_start = line_before.trim().is_empty();
    let blocks = open_blocks(before);
    let block = blocks.last().copied();
    let plan_symbols = plan_of(outline, before.len(), &blocks);
    let mut out = Vec::new();
    let keywords = |words: &[&str], out: &mut Vec<Completion>| {
        out.extend(words.iter().map(|w| keyword(w)));
    };
    match block {
        None => keywords(&["policy"], &mut out),
        Some(Block::Policy) if at_line_start => keywords(ITEM_KEYWORDS, &mut out),
        Some(Block::Plan) if at_line_start => keywords(PLAN_KEYWORDS, &mut out),
        Some(Block::Scored) if at_line_start => keywords(CLAUSE_KEYWORDS, &mut out),
        Some(Block::Grades) => {}
        Some(Block::Quotas) => {
            grades(outline, &mut out);
            if at_line_start {
                keywords(QUOTA_KEYWORDS, &mut out);
            }
        }
        Some(Block::ByGrade) if at_line_start || ends_entry(line_before) => {
            grades(outline, &mut out)
        }
        Some(Block::Example) if at_line_start => {
            keywords(&["expect"], &mut out);
            names(outline, plan_symbols, &mut out, |k| k == SymbolKind::Input);
        }
        _ if after_grade(line_before) => grades(outline, &mut out),
        _ => {
            names(outline, plan_symbols, &mut out, |k| {
                !matches!(
                    k,
                    SymbolKind::Grade | SymbolKind::Grades | SymbolKind::Plan | SymbolKind::Example
                )
            });
            out.extend(
                super::FUNCTIONS
                    .iter()
                    .map(|(name, signature, doc)| Completion {
                        label: (*name).to_string(),
                        kind: CompletionKind::Function,
                        detail: Some(format!("{signature}: {doc}")),
                        filter: (*name).to_string(),
                    }),
            );
            keywords(FORMULA_KEYWORDS, &mut out);
        }
    }
    out
}

fn keyword(word: &str) -> Completion {
    Completion {
        label: word.to_string(),
        kind: CompletionKind::Keyword,
        detail: None,
        filter: word.to_string(),
    }
}

fn named(symbol: &Symbol) -> Completion {
    let kind = match symbol.kind {
        SymbolKind::Input => "input",
        SymbolKind::Value => "value",
        SymbolKind::Indicator => "indicator",
        SymbolKind::Bonus => "bonus",
        SymbolKind::Deduction => "deduction",
        SymbolKind::Grades | SymbolKind::Grade => "grade",
        SymbolKind::Pay => "pay",
        SymbolKind::Plan => "plan",
        SymbolKind::Example => "example",
    };
    let detail = match &symbol.detail {
        Some(label) => format!("{kind} “{label}”"),
        None => kind.to_string(),
    };
    Completion {
        label: symbol.name.clone(),
        kind: CompletionKind::Symbol(symbol.kind),
        filter: match &symbol.detail {
            Some(label) => format!("{} {label}", symbol.name),
            None => symbol.name.clone(),
        },
        detail: Some(detail),
    }
}

/// The policy's names that `keep` allows, each once: the shared ones and
/// those of the plan the cursor is in.
fn names(
    outline: &[Symbol],
    plan: Option<&Symbol>,
    out: &mut Vec<Completion>,
    keep: impl Fn(SymbolKind) -> bool,
) {
    let own = plan.map(|p| p.children.as_slice()).unwrap_or_default();
    for symbol in outline.iter().chain(own) {
        if keep(symbol.kind) && !out.iter().any(|c| c.label == symbol.name) {
            out.push(named(symbol));
        }
    }
}

fn grades(outline: &[Symbol], out: &mut Vec<Completion>) {
    for grades in outline.iter().filter(|s| s.kind == SymbolKind::Grades) {
        out.extend(grades.children.iter().map(named));
    }
}

/// The plan the cursor is in, when it is in one.
fn plan_of<'a>(outline: &'a [Symbol], offset: usize, blocks: &[Block]) -> Option<&'a Symbol> {
    if !blocks.contains(&Block::Plan) {
        return None;
    }
    outline
        .iter()
        .rfind(|s| s.kind == SymbolKind::Plan && s.span.start <= offset)
}

/// Whether the line so far ends where a grade may follow: `grade == `,
/// `=> grade `.
fn after_grade(line: &str) -> bool {
    let line = line.trim_end();
    let line = line
        .trim_end_matches(['=', '!', '<', '>', '≥', '≤', '≠', '＝'])
        .trim_end();
    line.ends_with("grade") && !line.ends_with("by grade")
}

/// Whether a `by grade` entry may start here: after a `,` or `{`.
fn ends_entry(line: &str) -> bool {
    matches!(
        line.trim_end().chars().last(),
        Some(',' | '，' | '{' | '｛' | ';' | '；' | '、')
    )
}

/// The name being typed just before the cursor.
fn current_word(before: &str) -> &str {
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map_or(before.len(), |(i, _)| i);
    &before[start..]
}

/// The blocks open at the end of `before`, outermost first, each by the
/// words before its `{`. Labels and comments are skipped.
fn open_blocks(before: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    for line in before.split_inclusive('\n') {
        let code = crate::language::syntax::strip_comment(line);
        let mut closing: Option<char> = None;
        for (i, c) in code.char_indices() {
            if let Some(close) = closing {
                if c == close {
                    closing = None;
                }
                continue;
            }
            match c {
                '"' => closing = Some('"'),
                '“' => closing = Some('”'),
                '「' => closing = Some('」'),
                '{' | '｛' => blocks.push(opened(&code[..i], blocks.is_empty())),
                '}' | '｝' => {
                    blocks.pop();
                }
                _ => {}
            }
        }
    }
    blocks
}

/// The block a `{` opens, from what comes before it on its line.
fn opened(line: &str, outermost: bool) -> Block {
    if outermost {
        return Block::Policy;
    }
    let line = line.trim();
    let last_two: Vec<&str> = line.split_whitespace().rev().take(2).collect();
    if last_two.first() == Some(&"grade") && last_two.get(1) == Some(&"by")
        || line.ends_with("in any order") && line.contains("by grade")
    {
        return Block::ByGrade;
    }
    if line.ends_with("linear") || line.contains(" linear") || line.contains("steps") {
        return Block::Formula;
    }
    match line.split_whitespace().next() {
        Some("indicator" | "bonus" | "deduction") => Block::Scored,
        Some("plan") => Block::Plan,
        Some("grades") => Block::Grades,
        Some("quotas") => Block::Quotas,
        Some("example") => Block::Example,
        Some("policy") => Block::Policy,
        _ => Block::Other,
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::source::Source;

    const POLICY: &str = "policy \"p\" {\n  input 成交额 money \"deal value\"\n  input 评议 score\n  indicator 业绩 weight 100% {\n    measure 成交额 / ¥100\n    points linear { 0% => 0, 100% => 100 }\n  }\n  grades { A >= 85, B otherwise }\n  pay 奖金 = by grade { A ¥100, B ¥0 }\n}\n";

    fn outline() -> Vec<Symbol> {
        super::super::symbols(&Source::new("p.kpi", POLICY))
    }

    fn labels(text: &str, at: &str) -> Vec<String> {
        let offset = text.find(at).unwrap_or_else(|| panic!("no {at}")) + at.len();
        complete(text, offset, &outline())
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    #[test]
    fn a_new_line_of_the_policy_offers_the_item_keywords() {
        let text = POLICY.replace("  grades", "  ind\n  grades");
        let got = labels(&text, "  ind");
        assert!(got.contains(&"indicator".to_string()), "{got:?}");
        assert!(got.contains(&"input".to_string()));
        assert!(!got.contains(&"成交额".to_string()));
    }

    #[test]
    fn a_formula_offers_names_with_their_labels_and_functions() {
        let text = POLICY.replace("measure 成交额 / ¥100", "measure 成");
        let offset = text.find("measure 成").unwrap_or(0) + "measure 成".len();
        let got = complete(&text, offset, &outline());
        let deal = got.iter().find(|c| c.label == "成交额");
        assert_eq!(
            deal.and_then(|c| c.detail.as_deref()),
            Some("input “deal value”")
        );
        assert!(
            got.iter()
                .any(|c| c.label == "min" && c.kind == CompletionKind::Function)
        );
        assert!(got.iter().any(|c| c.label == "业绩"));
        assert!(
            !got.iter().any(|c| c.label == "A"),
            "no grades in a measure"
        );
    }

    #[test]
    fn inside_an_indicator_a_line_starts_with_a_clause() {
        let text = POLICY.replace(
            "    measure 成交额 / ¥100\n",
            "    measure 成交额 / ¥100\n    c\n",
        );
        assert_eq!(
            labels(&text, "\n    c"),
            ["measure", "points", "cap", "floor"]
        );
    }

    #[test]
    fn by_grade_and_a_comparison_with_grade_offer_the_grades() {
        let text = POLICY.replace("A ¥100, B ¥0", "A ¥100, ");
        assert_eq!(labels(&text, "A ¥100, "), ["A", "B"]);
        let text = POLICY.replace("  grades", "  veto when 评议 < 60 => grade \n  grades");
        assert_eq!(labels(&text, "=> grade "), ["A", "B"]);
    }
}
