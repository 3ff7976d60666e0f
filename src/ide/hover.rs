//! What a name means, for an editor's hover: an input's type, label and
//! columns; an indicator's weight and rules; a value's, bonus's or pay
//! item's formula; a grade's band; a function's signature. Read from the
//! checked policy, so it answers once the policy has no errors.

use crate::Compiled;
use crate::language::ast::InputType;
use crate::language::checked::CheckedPolicy;
use crate::language::source::{Source, Span};

/// The answer to a hover: the name's span and what to show, in Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// The functions of the language, with their signature and a line of doc.
pub const FUNCTIONS: &[(&str, &str, &str)] = &[
    ("min", "min(a, b, …)", "the smallest of the values"),
    ("max", "max(a, b, …)", "the largest of the values"),
    (
        "clamp",
        "clamp(x, low, high)",
        "`x` kept within `low` and `high`",
    ),
    ("abs", "abs(x)", "`x` without its sign"),
    (
        "percent",
        "percent(x)",
        "a plain number read as percent: `percent(2.01)` is 2.01%",
    ),
    (
        "first_of",
        "first_of(a, b, …)",
        "the first value present (a reviewer's empty cell is skipped)",
    ),
    (
        "average",
        "average(a, b, …)",
        "the mean of the values present",
    ),
    (
        "trimmed_average",
        "trimmed_average(a, b, c, …)",
        "the mean of the values present without the highest and the lowest, when at least three are present",
    ),
];

/// What the name at byte `offset` of `source` means, if it names
/// something of the policy or a function.
pub fn hover(source: &Source, compiled: Option<&Compiled>, offset: usize) -> Option<Hover> {
    let text = source.text();
    let span = word_at(text, offset)?;
    let word = text.get(span.start..span.end)?;
    if let Some((_, signature, doc)) = FUNCTIONS.iter().find(|(name, _, _)| *name == word) {
        return Some(Hover {
            span,
            markdown: format!("**function** `{signature}`\n\n{doc}"),
        });
    }
    let program = &compiled?.program;
    // The policy's plans share its inputs and values; an indicator may be
    // in one plan only.
    let markdown = program
        .plans()
        .find_map(|plan| describe(source, plan.policy(), word))?;
    Some(Hover { span, markdown })
}

/// The span of the name around `offset` (letters of any script, digits and
/// `_`), if there is one.
pub fn word_at(text: &str, offset: usize) -> Option<Span> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let after = text.get(offset..)?;
    let end = offset
        + after
            .char_indices()
            .find(|(_, c)| !is_word(*c))
            .map_or(after.len(), |(i, _)| i);
    let word = text.get(start..end)?;
    // A number is not a name.
    (!word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| Span::new(start, end))
}

fn describe(source: &Source, policy: &CheckedPolicy, word: &str) -> Option<String> {
    let declared = |span: Span| {
        let text = source.slice(span);
        let lines: Vec<&str> = text.lines().collect();
        let shown = if lines.len() > 12 {
            format!("{}\n  …", lines[..12].join("\n"))
        } else {
            lines.join("\n")
        };
        format!("\n\n```kpi\n{shown}\n```")
    };
    let label = |l: &Option<String>| l.as_ref().map(|l| format!(" · “{l}”")).unwrap_or_default();
    if let Some(x) = policy.inputs.iter().find(|x| x.name == word) {
        let ty = match x.ty {
            InputType::Money => "money",
            InputType::Percent => "percent",
            InputType::Number => "number",
            InputType::Score => "score",
            InputType::YesNo => "yes/no",
        };
        let mut columns = vec![format!("`{}`", x.name)];
        columns.extend(x.label.iter().map(|l| format!("`{l}`")));
        columns.extend(x.aliases.iter().map(|a| format!("`{a}`")));
        return Some(format!(
            "**input** `{}` · {ty}{}\n\nread from the column {}{}",
            x.name,
            label(&x.label),
            columns.join(" or "),
            declared(x.span)
        ));
    }
    if let Some(v) = policy.values.iter().find(|v| v.name == word) {
        return Some(format!(
            "**value** `{}`{}{}",
            v.name,
            label(&v.label),
            declared(v.span)
        ));
    }
    if let Some(i) = policy.indicators.iter().find(|i| i.name == word) {
        let weight = crate::language::format::percent(i.weight);
        return Some(format!(
            "**indicator** `{}` · weight {weight}{}{}",
            i.name,
            label(&i.label),
            declared(i.span)
        ));
    }
    if let Some(a) = policy.adjustments.iter().find(|a| a.name == word) {
        let kind = match a.kind {
            crate::language::ast::AdjustmentKind::Bonus => "bonus",
            crate::language::ast::AdjustmentKind::Deduction => "deduction",
        };
        return Some(format!(
            "**{kind}** `{}`{}{}",
            a.name,
            label(&a.label),
            declared(a.span)
        ));
    }
    if let Some(p) = policy.pay.iter().find(|p| p.name == word) {
        return Some(format!(
            "**pay** `{}`{}{}",
            p.name,
            label(&p.label),
            declared(p.span)
        ));
    }
    if let Some(g) = policy.grades.iter().find(|g| g.name == word) {
        return Some(format!(
            "**grade** `{}`{}{}",
            g.name,
            label(&g.label),
            declared(g.span)
        ));
    }
    None
}
