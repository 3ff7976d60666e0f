//! Text to AST: the first phase. [`parse`] reads a policy and returns its
//! spanned AST, or every syntax error it can find.
//!
//! pest stops at the first error, so after a failed parse each top-level item
//! (a line starting with `input`, `indicator`, `pay`, ...) is parsed again on
//! its own: one run reports a syntax error in every broken item.

mod lower;
pub mod parser;
mod words;

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};

use crate::ast::Policy;
use crate::diagnostic::{self, Code, Diagnostic};
use crate::source::{Source, Span};
use parser::{PolicyParser, Rule};
use words::Expected;

pub(crate) use words::{ITEM_KEYWORDS, RESERVED};

/// How deeply brackets may nest. Far beyond any real policy; it keeps the
/// recursive parser and checker well inside the stack.
pub const MAX_NESTING: usize = 100;

/// Parses a policy's text into its AST, or returns all syntax errors found.
pub fn parse(source: &Source) -> Result<Policy, Vec<Diagnostic>> {
    let text = source.text();
    if let Some(diagnostic) = check_nesting(text) {
        return Err(vec![diagnostic]);
    }
    let mut errors = Vec::new();
    match PolicyParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let policy = pairs.next().and_then(|file| lower::file(file, &mut errors));
            match policy {
                Some(policy) if errors.is_empty() => Ok(policy),
                _ => {
                    diagnostic::sort(&mut errors);
                    Err(errors)
                }
            }
        }
        Err(error) => {
            let mut errors = recover(text, &error);
            diagnostic::sort(&mut errors);
            Err(errors)
        }
    }
}

/// Re-parses each top-level item alone to find every broken one.
fn recover(text: &str, first: &pest::error::Error<Rule>) -> Vec<Diagnostic> {
    let first_error = syntax_error(text, 0, first);
    let segments = item_segments(text);
    let mut errors = Vec::new();
    let mut last_end = 0;
    for segment in &segments {
        let Some(slice) = text.get(segment.start..segment.end) else {
            continue;
        };
        last_end = segment.end;
        if let Err(error) = PolicyParser::parse(Rule::item_alone, slice) {
            errors.push(syntax_error(text, segment.start, &error));
        }
    }
    // The whole-file error still counts when no item explains it, or when it
    // lies outside every item (in the header or at the closing brace).
    if errors.is_empty() || first_error.primary_span().start >= last_end {
        errors.push(first_error);
    }
    errors
}

/// Byte ranges of the top-level items: from a line starting with an item
/// keyword to the next such line, the last one ending before the policy's
/// closing brace.
fn item_segments(text: &str) -> Vec<Span> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '\t', '\u{3000}', '\u{FEFF}']);
        let indent = line.len() - trimmed.len();
        let word: &str = trimmed
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .next()
            .unwrap_or("");
        let is_item = if word == "score" {
            trimmed["score".len()..].trim_start().starts_with("range")
        } else {
            ITEM_KEYWORDS.contains(&word)
        };
        if is_item {
            starts.push(offset + indent);
        }
        offset += line.len();
    }
    // The policy's closing brace: the last `}` outside comments.
    let end = last_closing_brace(text).unwrap_or(text.len());
    let mut segments = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let next = starts.get(i + 1).copied().unwrap_or(end).min(end);
        if start < next {
            segments.push(Span::new(start, next));
        }
    }
    segments
}

fn last_closing_brace(text: &str) -> Option<usize> {
    let mut last = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = strip_comment(line);
        if let Some(i) = code.rfind(['}', '｝']) {
            last = Some(offset + i);
        }
        offset += line.len();
    }
    last
}

/// The part of a line before a `//` or `#` comment (quotes are respected).
fn strip_comment(line: &str) -> &str {
    let mut in_quote = false;
    let mut prev = '\0';
    for (i, c) in line.char_indices() {
        match c {
            '"' if prev != '\\' => in_quote = !in_quote,
            '#' if !in_quote => return &line[..i],
            '/' if !in_quote && prev == '/' => return &line[..i - 1],
            _ => {}
        }
        prev = c;
    }
    line
}

/// Rejects bracket nesting deeper than [`MAX_NESTING`] before parsing, so
/// that adversarial input cannot exhaust the stack.
fn check_nesting(text: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = strip_comment(line);
        for (i, c) in code.char_indices() {
            match c {
                '(' | '（' | '{' | '｛' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        let at = offset + i;
                        return Some(
                            Diagnostic::error(
                                Code::TooDeep,
                                format!("brackets nest more than {MAX_NESTING} levels deep"),
                            )
                            .label(Span::new(at, at + c.len_utf8()), "too deep")
                            .help("split the formula into named values with `let`"),
                        );
                    }
                }
                ')' | '）' | '}' | '｝' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        offset += line.len();
    }
    None
}

/// Turns a pest error (in a slice starting at `offset`) into a diagnostic.
fn syntax_error(text: &str, offset: usize, error: &pest::error::Error<Rule>) -> Diagnostic {
    let at = offset
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let rest = text.get(at..).unwrap_or("");
    let found = found_token(rest);
    let found_span = Span::new(at, at + found.len().max(1).min(rest.len().max(1)));
    let positives: Vec<Rule> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };

    let first_char = rest.chars().next();
    // A label opened but not closed on its line.
    if let Some(open @ ('"' | '“' | '「')) = first_char {
        let line = rest.split('\n').next().unwrap_or("");
        let close = match open {
            '"' => '"',
            '“' => '”',
            _ => '」',
        };
        if !line[open.len_utf8()..].contains(close) {
            return Diagnostic::error(Code::UnclosedLabel, "this label is not closed")
                .label(
                    Span::new(at, at + line.trim_end().len()),
                    "the label starts here",
                )
                .help(format!("end the label with `{close}` on the same line"));
        }
    }
    // Full-width punctuation with no meaning here.
    if let Some(c) = first_char
        && let Some((what, fix)) = words::full_width(c)
    {
        let help = match fix {
            Some(fix) => format!(
                "type the half-width `{fix}` instead (switch the input method to English punctuation)"
            ),
            None => "remove it: names, types and values are separated by spaces".to_string(),
        };
        return Diagnostic::error(
            Code::FullWidth,
            format!("{what} is not part of the policy language"),
        )
        .label(
            Span::new(at, at + c.len_utf8()),
            "typed with a Chinese input method?",
        )
        .help(help);
    }
    // A reserved word where a name belongs.
    if positives.contains(&Rule::ident) && RESERVED.contains(&found) {
        return Diagnostic::error(
            Code::ReservedWord,
            format!("`{found}` is a reserved word and cannot be used as a name"),
        )
        .label(found_span, "reserved word")
        .help(format!(
            "choose another name, such as `{found}_value`, or a Chinese name; the label in quotes can still say \"{found}\""
        ));
    }

    let mut expected: Vec<Expected> = positives
        .iter()
        .filter_map(|r| words::describe(*r))
        .collect();
    // `score` starts both an item (`score range`) and a value: when a new line
    // is among the possibilities, it is the item.
    expected.sort();
    expected.dedup();
    let expected_words: Vec<&str> = expected.iter().map(|e| e.words()).collect();
    let message = if expected_words.is_empty() {
        "the policy cannot be read here".to_string()
    } else {
        format!("expected {}", join_or(&expected_words))
    };
    let label = if rest.trim().is_empty() {
        "the file ends here".to_string()
    } else {
        format!("found `{found}`")
    };
    let mut diagnostic = Diagnostic::error(Code::Syntax, message).label(found_span, label);
    if let Some(help) = syntax_help(&positives, &expected, found) {
        diagnostic = diagnostic.help(help);
    }
    diagnostic
}

fn syntax_help(positives: &[Rule], expected: &[Expected], found: &str) -> Option<String> {
    // A misspelt word from a closed vocabulary.
    let vocabulary: Vec<&str> = positives
        .iter()
        .flat_map(|r| words::vocabulary(*r).iter().copied())
        .collect();
    if let Some(suggestion) = crate::fuzzy::closest(found, vocabulary.iter().copied()) {
        return Some(format!("did you mean `{suggestion}`?"));
    }
    if positives.contains(&Rule::percent) && found.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Some(format!("write weights as percentages: `{found}%`"));
    }
    if expected.contains(&Expected::Operator) && !found.is_empty() {
        return Some(
            "two values cannot stand side by side: join them with an operator such as `*` or `+`, or start a new line with a keyword such as `input` or `pay`".to_string(),
        );
    }
    if expected.contains(&Expected::Item) {
        return Some("each line of a policy starts with a keyword such as `input`, `let`, `indicator`, `grades` or `pay`; a name on its own belongs after one of them".to_string());
    }
    None
}

/// The word or symbol at the start of `rest`, for "found `...`".
fn found_token(rest: &str) -> &str {
    let mut end = 0;
    for (i, c) in rest.char_indices() {
        if c.is_alphanumeric() || c == '_' || c == '/' && i > 0 {
            end = i + c.len_utf8();
        } else {
            if i == 0 {
                end = c.len_utf8();
            }
            break;
        }
    }
    rest.get(..end).unwrap_or("")
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}
