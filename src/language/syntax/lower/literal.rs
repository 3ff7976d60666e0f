//! Lowering the smallest parts: names, labels, numbers, percentages and
//! amounts of money, read exactly, and the spans they take.

use super::*;

pub(super) fn ident(pair: Pair<'_, Rule>) -> Name {
    Name {
        text: pair.as_str().to_string(),
        span: tight(&pair),
    }
}

/// A quoted label's text, without its quotes and with `\"` and `\\` unescaped.
pub(super) fn label(pair: Pair<'_, Rule>) -> Label {
    let span = tight(&pair);
    let raw = pair
        .into_inner()
        .next()
        .map(|inner| inner.as_str())
        .unwrap_or("");
    Label {
        text: raw.replace("\\\"", "\"").replace("\\\\", "\\"),
        span,
    }
}

pub(super) fn name_or_label(pair: Pair<'_, Rule>) -> Label {
    if pair.as_rule() == Rule::string {
        label(pair)
    } else {
        Label {
            text: pair.as_str().to_string(),
            span: tight(&pair),
        }
    }
}

pub(super) fn input_type(text: &str) -> InputType {
    match text {
        "money" => InputType::Money,
        "percent" => InputType::Percent,
        "score" => InputType::Score,
        "yes/no" => InputType::YesNo,
        _ => InputType::Number,
    }
}

pub(super) fn child_text<'i>(pair: &Pair<'i, Rule>, rule: Rule) -> &'i str {
    pair.clone()
        .into_inner()
        .find(|p| p.as_rule() == rule)
        .map(|p| p.as_str())
        .unwrap_or("")
}

/// Parses a decimal literal (possibly signed with a full-width minus, possibly
/// with `,` thousands separators), reporting one that does not fit.
pub(super) fn number(pair: &Pair<'_, Rule>) -> Result<Decimal> {
    parse_decimal(pair.as_str(), tight(pair))
}

pub(super) fn parse_decimal(text: &str, span: Span) -> Result<Decimal> {
    let cleaned: String = text
        .chars()
        .filter(|c| *c != ',')
        .map(|c| if c == '－' || c == '−' { '-' } else { c })
        .collect();
    crate::numbers::decimal::exact(&cleaned).ok_or_else(|| too_large(span))
}

pub(super) fn too_large(span: Span) -> Diagnostic {
    Diagnostic::error(Code::NumberTooLarge, "this number is too large or too precise")
        .label(span, "kpi works with at most 28 significant digits")
        .help("numbers must lie within ±79,228,162,514,264,337,593,543,950,335 and have at most 28 digits after the point")
}

/// `80%` as the fraction 0.8. Dividing by 100 moves the decimal point, so it
/// is exact whenever the literal itself fits.
pub(super) fn percent(pair: Pair<'_, Rule>) -> Result<Decimal> {
    let span = tight(&pair);
    let n = pair.into_inner().find(|p| p.as_rule() == Rule::number);
    let n = number(&n.ok_or_else(|| internal(span))?)?;
    n.checked_div(Decimal::ONE_HUNDRED)
        .filter(|d| d.scale() <= 28)
        .ok_or_else(|| too_large(span))
}

pub(super) fn money(pair: Pair<'_, Rule>) -> Result<ExprKind> {
    let span = tight(&pair);
    let mut amount = None;
    let mut multiplier = Decimal::ONE;
    let mut currency = CurrencyMark::Yuan;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::amount => amount = Some(number(&child)?),
            Rule::ten_thousands => {
                multiplier = if child.as_str() == "亿" {
                    Decimal::from(100_000_000)
                } else {
                    Decimal::from(10_000)
                }
            }
            Rule::currency_symbol => {
                let symbol = child.as_str().chars().next().unwrap_or('¥');
                currency = CurrencyMark::Symbol(if symbol == '￥' { '¥' } else { symbol });
            }
            Rule::currency_code => currency = CurrencyMark::Code(child.as_str().to_string()),
            Rule::yuan => currency = CurrencyMark::Yuan,
            _ => {}
        }
    }
    let amount = amount
        .ok_or_else(|| internal(span))?
        .checked_mul(multiplier)
        .ok_or_else(|| too_large(span))?;
    Ok(ExprKind::Money { amount, currency })
}

thread_local! {
    /// Where the text pest was given starts in the policy's text: non-zero
    /// while a part of a large policy, parsed on its own, is lowered (see
    /// `syntax::parts`), so that every span is one in the whole text.
    static SHIFT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs `f` (lowering pairs of a text that starts at `shift` in the
/// policy's text) with every span it makes shifted by `shift`.
pub(super) fn shifted<R>(shift: usize, f: impl FnOnce() -> R) -> R {
    let before = SHIFT.replace(shift);
    let result = f();
    SHIFT.set(before);
    result
}

/// The span of a pair without the white space and comments pest's implicit
/// whitespace leaves at its end, so that labels and formula texts stop where
/// the construct does.
pub(super) fn tight(pair: &Pair<'_, Rule>) -> Span {
    let start = pair.as_span().start() + SHIFT.get();
    let mut text = pair.as_str();
    loop {
        let trimmed = text.trim_end();
        let last_line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        let last_line = trimmed.get(last_line_start..).unwrap_or("");
        let code = super::super::strip_comment(last_line);
        let trimmed = if code.len() < last_line.len() {
            trimmed
                .get(..last_line_start + code.len())
                .unwrap_or(trimmed)
        } else {
            trimmed
        };
        if trimmed.len() == text.len() {
            break;
        }
        text = trimmed;
    }
    Span::new(start, start + text.len())
}

/// A shape the grammar should have ruled out. Reported rather than panicking.
pub(super) fn internal(span: Span) -> Diagnostic {
    Diagnostic::error(Code::Syntax, "kpi could not read this part of the policy")
        .label(span, "unexpected shape")
        .help("this is a bug in kpi; please report it with the policy that caused it")
}
