//! Text to AST: the first phase. [`parse`] reads a policy and returns its
//! spanned AST, or every syntax error it can find.
//!
//! pest stops at the first error, so after a failed parse each top-level item
//! (a line starting with `input`, `indicator`, `pay`, ...) is parsed again on
//! its own: one run reports a syntax error in every broken item.

mod braces;
mod errors;
mod lower;
pub mod parser;
mod parts;
mod words;

use pest::Parser;

use crate::language::ast::Policy;
use crate::language::diagnostic::{self, Code, Diagnostic};
use crate::language::source::{Source, Span};
use errors::Scope;
use parser::{PolicyParser, Rule};

pub(crate) use words::{ITEM_KEYWORDS, RESERVED};

/// How deeply brackets and `if`s may nest. Far beyond any real policy; it
/// keeps the recursive parser and checker well inside the stack.
pub const MAX_NESTING: usize = 100;

/// How many operations deep one formula may be (a sum of 200 terms is 200
/// deep). The checker, compiler and evaluator walk formulas recursively;
/// this bound keeps them inside the stack whatever the input.
pub const MAX_FORMULA_DEPTH: usize = 200;

/// Reserved words that cannot appear inside a formula. No formula spans
/// one, so the count of `if`s that may be open resets there.
const OUTSIDE_FORMULAS: &[&str] = &[
    "policy",
    "period",
    "employee",
    "input",
    "let",
    "indicator",
    "bonus",
    "deduction",
    "grades",
    "veto",
    "pay",
    "points",
    "example",
    "expect",
];

/// Parses a policy's text into its AST, or returns all syntax errors found.
pub fn parse(source: &Source) -> Result<Policy, Vec<Diagnostic>> {
    parse_in(source, parts::MIN_PART)
}

/// [`parse`], in parts of at least `min_part` bytes when the text has two.
fn parse_in(source: &Source, min_part: usize) -> Result<Policy, Vec<Diagnostic>> {
    let text = source.text();
    let in_parts = text.len() / 2 >= min_part;
    let item_lines = match check_nesting(text, in_parts) {
        Ok(lines) => lines,
        Err(diagnostic) => return Err(vec![diagnostic]),
    };
    let invisible = invisible_scan(text);
    if !invisible.is_empty() {
        return Err(invisible);
    }
    if let Some(policy) = parts::parse(text, &item_lines, min_part) {
        return Ok(policy);
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
            // Every stray full-width character is reported, not only the
            // first of each item; syntax errors at the same place are the
            // same mistake.
            let full_width = full_width_scan(text);
            let mut errors: Vec<Diagnostic> = recover(text, &error)
                .into_iter()
                .filter(|e| {
                    !full_width
                        .iter()
                        .any(|f| f.primary_span().start == e.primary_span().start)
                })
                .collect();
            errors.extend(full_width);
            diagnostic::sort(&mut errors);
            Err(errors)
        }
    }
}

/// Re-parses each top-level item alone to find every broken one.
fn recover(text: &str, first: &pest::error::Error<Rule>) -> Vec<Diagnostic> {
    let first_error = errors::describe(text, 0, first, Scope::File);
    // Without its `policy "…" {` line a file has no items to speak of.
    if !starts_with_policy(text) {
        return vec![first_error];
    }
    let blocks = braces::blocks(text);
    let segments = item_segments(text, &blocks);
    let mut errors = Vec::new();
    for segment in &segments {
        let Some(slice) = text.get(segment.start..segment.end) else {
            continue;
        };
        if let Err(error) = PolicyParser::parse(Rule::item_alone, slice) {
            let mut diagnostic = errors::describe(text, segment.start, &error, Scope::Item);
            // An item that runs out (a bracket left open) is reported where
            // its text ends, not at the next item after blank lines and
            // comments.
            let code_end = segment.start + code_end(slice);
            if diagnostic.primary_span().start > code_end
                && let Some(primary) = diagnostic.labels.first_mut()
            {
                primary.span = Span::new(code_end, code_end);
            }
            // A bracket left open is found only where the text stops making
            // sense; it is reported at the `(` itself.
            if let Some(open) = unclosed_paren(text, segment.start, segment.end)
                .filter(|open| open.start < diagnostic.primary_span().start)
            {
                diagnostic = Diagnostic::error(Code::Syntax, "this `(` is never closed")
                    .label(open, "opened here")
                    .label(diagnostic.primary_span(), "still open here")
                    .help(
                        "add `)` where the bracketed part of the formula ends, or remove this `(`",
                    );
            }
            let at = diagnostic.primary_span().start;
            // The last item may end with the policy's own `}` on its line;
            // an item cut short by a brace already reported (one left open
            // ends where the next item starts) is that brace's mistake.
            let rest = text.get(at..segment.end).map(|r| strip_comment(r).trim());
            let brace_reported = !blocks.problems.is_empty()
                && (rest.is_some_and(str::is_empty)
                    || blocks.problems.iter().any(|p| p.primary_span().start == at));
            if !matches!(rest, Some("}" | "｝")) && !brace_reported {
                errors.push((diagnostic, *segment));
            }
        }
    }
    // A brace problem that follows another mistake of its item (a label
    // left open swallows the `{` after it) is that mistake's consequence.
    let consequence = |problem: &Diagnostic| {
        let at = problem.primary_span().start;
        errors.iter().any(|(d, segment): &(Diagnostic, Span)| {
            segment.start <= at && at < segment.end && d.primary_span().start < at
        })
    };
    let problems: Vec<Diagnostic> = blocks
        .problems
        .iter()
        .filter(|p| !consequence(p))
        .cloned()
        .collect();
    // And an item's error after a brace problem of its own (the line after
    // a `{` left out "expects `{`") is that problem's.
    let after_brace = |d: &Diagnostic, segment: &Span| {
        let at = d.primary_span().start;
        problems.iter().any(|p| {
            let p = p.primary_span().start;
            segment.start <= p && p < segment.end && p < at
        })
    };
    let mut errors: Vec<Diagnostic> = errors
        .into_iter()
        .filter(|(d, segment)| !after_brace(d, segment))
        .map(|(d, _)| d)
        .collect();
    errors.extend(problems);
    // A reserved word used as a name is said once, where it is declared,
    // not again at each use.
    let mut reserved_seen: Vec<String> = Vec::new();
    errors.sort_by_key(|d| d.primary_span().start);
    errors.retain(|d| {
        if d.code != Code::ReservedWord {
            return true;
        }
        let word = text
            .get(d.primary_span().start..d.primary_span().end)
            .unwrap_or("")
            .to_string();
        if reserved_seen.contains(&word) {
            return false;
        }
        reserved_seen.push(word);
        true
    });
    // The whole-file error still counts when nothing else explains it, or
    // when it lies outside every item (in the header, or after the
    // policy's `}`) and is not a brace already reported.
    let at = first_error.primary_span().start;
    let outside = segments.first().is_none_or(|s| at < s.start) || at > blocks.policy_end;
    if errors.is_empty() || (outside && blocks.problems.is_empty()) {
        errors.push(first_error);
    }
    errors
}

/// The innermost `(` of `text[from..to]` that nothing closes, outside
/// labels and comments.
fn unclosed_paren(text: &str, from: usize, to: usize) -> Option<Span> {
    let mut open: Vec<Span> = Vec::new();
    let mut offset = from;
    for line in text.get(from..to)?.split_inclusive('\n') {
        let code = strip_comment(line);
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
                '(' | '（' => open.push(Span::new(offset + i, offset + i + c.len_utf8())),
                ')' | '）' => {
                    open.pop();
                }
                _ => {}
            }
        }
        offset += line.len();
    }
    open.pop()
}

/// The offset just after the last character of `text` outside comments
/// and white space.
fn code_end(text: &str) -> usize {
    let mut end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = strip_comment(line).trim_end();
        if !code.trim().is_empty() {
            end = offset + code.len();
        }
        offset += line.len();
    }
    end
}

/// Byte ranges of the top-level items: from a line starting with an item
/// keyword, directly in the policy or in a plan, to the next such line; the
/// last one ends before the policy's closing brace.
fn item_segments(text: &str, blocks: &braces::Blocks) -> Vec<Span> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
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
        let in_items = matches!(
            blocks.within.get(index),
            Some(braces::Within::Policy | braces::Within::Plan)
        );
        if is_item && in_items {
            starts.push(offset + indent);
        }
        offset += line.len();
    }
    let end = blocks.policy_end;
    let mut segments = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let next = starts.get(i + 1).copied().unwrap_or(end).min(end);
        if start < next {
            segments.push(Span::new(start, next));
        }
    }
    segments
}

/// Whether the first word outside comments is `policy`.
fn starts_with_policy(text: &str) -> bool {
    text.lines()
        .map(|line| {
            strip_comment(line)
                .trim_start_matches(['\u{FEFF}', '\u{3000}'])
                .trim()
        })
        .find(|code| !code.is_empty())
        .is_some_and(|code| code.starts_with("policy"))
}

/// The part of a line before a `//` or `#` comment (labels are respected).
pub(crate) fn strip_comment(line: &str) -> &str {
    let mut closing: Option<char> = None;
    let mut prev = '\0';
    for (i, c) in line.char_indices() {
        match closing {
            Some(close) => {
                if c == close && !(close == '"' && prev == '\\') {
                    closing = None;
                }
            }
            None => match c {
                '"' => closing = Some('"'),
                '“' => closing = Some('”'),
                '「' => closing = Some('」'),
                '#' => return &line[..i],
                '/' if prev == '/' => return &line[..i - 1],
                _ => {}
            },
        }
        prev = c;
    }
    line
}

/// Every invisible character, anywhere in the text (labels and comments
/// too): a zero-width space makes `成交额` and `成交\u{200B}额` two names
/// that look alike, and a text-direction override can make a line read
/// differently from what kpi runs ("Trojan Source", CVE-2021-42574).
fn invisible_scan(text: &str) -> Vec<Diagnostic> {
    // Every invisible character is encoded starting with one of these
    // bytes (U+00AD, U+061C, U+200B–U+2069, U+FEFF), so only the
    // characters there are looked at: the scan of a large policy is a
    // search for three bytes, not a decoding of every character.
    let bytes = text.as_bytes();
    let leads =
        memchr::memchr3_iter(0xC2, 0xE2, 0xEF, bytes).chain(memchr::memchr_iter(0xD8, bytes));
    let mut at_leads: Vec<usize> = leads.collect();
    at_leads.sort_unstable();
    at_leads
        .into_iter()
        .filter_map(|at| Some((at, text.get(at..)?.chars().next()?)))
        .filter_map(|(at, c)| {
            let name = match c {
                '\u{200B}' => "ZERO WIDTH SPACE",
                '\u{200C}' => "ZERO WIDTH NON-JOINER",
                '\u{200D}' => "ZERO WIDTH JOINER",
                '\u{2060}' => "WORD JOINER",
                '\u{00AD}' => "SOFT HYPHEN",
                '\u{FEFF}' if at > 0 => "ZERO WIDTH NO-BREAK SPACE",
                '\u{200E}' | '\u{200F}' | '\u{061C}' => "a text-direction mark",
                '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => "a text-direction override",
                _ => return None,
            };
            Some(
                Diagnostic::error(
                    Code::Invisible,
                    format!("an invisible character (U+{:04X}, {name}) is here", u32::from(c)),
                )
                .label(Span::new(at, at + c.len_utf8()), "invisible character")
                .help("delete it: invisible characters make a policy read differently from what it does")
                .fix(format!("delete the invisible U+{:04X}", u32::from(c)), Span::new(at, at + c.len_utf8()), ""),
            )
        })
        .collect()
}

/// Every full-width character outside labels and comments that the grammar
/// does not accept, each with its fix.
fn full_width_scan(text: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut offset = 0;
    let mut skip_close: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let code = strip_comment(line);
        let mut closing: Option<char> = None;
        for (i, c) in code.char_indices() {
            match closing {
                Some(close) => {
                    if c == close {
                        closing = None;
                    }
                }
                None => match c {
                    '"' => closing = Some('"'),
                    '“' => closing = Some('”'),
                    '「' => closing = Some('」'),
                    _ => {
                        if let Some((what, fix)) = words::full_width(c) {
                            let at = offset + i;
                            let mut d = full_width_error(at, c, what, fix);
                            // 【成交额】: brackets used as a label's quotes.
                            let before: Vec<&str> = code[..i].split_whitespace().collect();
                            let label_place = before.len() == 2
                                && matches!(
                                    before[0],
                                    "input"
                                        | "let"
                                        | "indicator"
                                        | "bonus"
                                        | "deduction"
                                        | "pay"
                                        | "plan"
                                        | "grades"
                                );
                            if c == '【'
                                && label_place
                                && let Some(close) = code[i..].find('】')
                            {
                                let end = at + close;
                                d = Diagnostic::error(
                                    Code::FullWidth,
                                    "a label is written in quotes, not in 【】",
                                )
                                .label(
                                    Span::new(at, at + c.len_utf8()),
                                    "typed with a Chinese input method?",
                                )
                                .help(format!(
                                    "write the label in quotes: \"{0}\" (or “{0}”)",
                                    &code[i + c.len_utf8()..i + close]
                                ))
                                .fix(
                                    "write the label in quotes",
                                    Span::new(at, at + c.len_utf8()),
                                    "\"",
                                );
                                if let Some(fix) = d.fixes.first_mut() {
                                    fix.edits.push(crate::language::diagnostic::Edit {
                                        span: Span::new(end, end + '】'.len_utf8()),
                                        text: "\"".to_string(),
                                    });
                                }
                                skip_close = Some(offset + i + close);
                            }
                            // `<= 100%： 100`: a colon where `=>` joins a step.
                            if matches!(c, '：')
                                && code[..i]
                                    .trim_start()
                                    .starts_with(['>', '<', '≥', '≤', '＞', '＜'])
                            {
                                d.help = Some(
                                    "a threshold and its points are joined by `=>`: `<= 100% => 100`".to_string(),
                                );
                                d.fixes = vec![crate::language::diagnostic::Fix {
                                    title: "change `：` to `=>`".to_string(),
                                    edits: vec![crate::language::diagnostic::Edit {
                                        span: Span::new(at, at + c.len_utf8()),
                                        text: " =>".to_string(),
                                    }],
                                }];
                            }
                            // A no-break space between two letters of a name.
                            let inside_name = fix == Some(" ")
                                && code[..i]
                                    .chars()
                                    .next_back()
                                    .is_some_and(char::is_alphanumeric)
                                && code[i + c.len_utf8()..]
                                    .chars()
                                    .next()
                                    .is_some_and(char::is_alphanumeric);
                            let in_number = inside_name
                                && code[..i]
                                    .chars()
                                    .next_back()
                                    .is_some_and(|c| c.is_ascii_digit())
                                && code[i + c.len_utf8()..]
                                    .chars()
                                    .next()
                                    .is_some_and(|c| c.is_ascii_digit());
                            if in_number {
                                d.help = Some(format!(
                                    "separate thousands with `,` (`4,000`): U+{:04X} looks like a space but is not one",
                                    u32::from(c)
                                ));
                                d.fixes = vec![crate::language::diagnostic::Fix {
                                    title: format!("change U+{:04X} to `,`", u32::from(c)),
                                    edits: vec![crate::language::diagnostic::Edit {
                                        span: Span::new(at, at + c.len_utf8()),
                                        text: ",".to_string(),
                                    }],
                                }];
                            } else if inside_name {
                                d.help = Some(format!(
                                    "remove it: U+{:04X} looks like a space, and a name has no spaces (it comes with text pasted from Word, Excel or a web page)",
                                    u32::from(c)
                                ));
                                d.fixes = vec![crate::language::diagnostic::Fix {
                                    title: format!("remove U+{:04X}", u32::from(c)),
                                    edits: vec![crate::language::diagnostic::Edit {
                                        span: Span::new(at, at + c.len_utf8()),
                                        text: String::new(),
                                    }],
                                }];
                            }
                            if skip_close != Some(at) {
                                found.push(d);
                            }
                        }
                    }
                },
            }
        }
        offset += line.len();
    }
    found
}

pub(super) fn full_width_error(at: usize, c: char, what: &str, fix: Option<&str>) -> Diagnostic {
    let help = match fix {
        None if matches!(c, '～' | '〜') => {
            "a range is two comparisons: write a band as `85 <= score < 95`, a table's step as `>= 85%`".to_string()
        }
        Some(" ") => format!(
            "type a plain space instead: U+{:04X} looks like one but is not (it comes with text pasted from Word, Excel or a web page)",
            u32::from(c)
        ),
        Some(fix) => format!(
            "type the half-width `{fix}` instead (switch the input method to English punctuation)"
        ),
        None => "remove it: names, types and values are separated by spaces".to_string(),
    };
    let span = Span::new(at, at + c.len_utf8());
    // The one character to put in its place (the help names a set).
    let replacement = match c {
        '０'..='９' => {
            char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).map(String::from)
        }
        '【' => Some("(".to_string()),
        '】' => Some(")".to_string()),
        _ => fix.map(str::to_string),
    };
    let title = match &replacement {
        Some(r) if r == " " => format!("change U+{:04X} to a plain space", u32::from(c)),
        Some(r) => format!("change `{c}` to `{r}`"),
        None => format!("remove `{c}`"),
    };
    Diagnostic::error(
        Code::FullWidth,
        format!("{what} is not part of the policy language"),
    )
    .label(
        span,
        if fix == Some(" ") {
            "not a plain space"
        } else {
            "typed with a Chinese input method?"
        },
    )
    .help(help)
    .fix(title, span, replacement.unwrap_or_default())
}

/// Rejects nesting deeper than [`MAX_NESTING`] before parsing, so that
/// adversarial input cannot exhaust the parser's stack. The parser recurses
/// once per bracket and once per `if` (an `if` in an `else` recurses too),
/// so both count: brackets by their depth, `if`s by how many have been seen
/// since the last word no formula can contain. That over-counts `if`s that
/// have already closed, which only matters past 100 of them in one formula.
fn check_nesting(text: &str, item_lines: bool) -> Result<Vec<usize>, Diagnostic> {
    let mut brackets = 0usize;
    let mut ifs = 0usize;
    let mut offset = 0;
    let too_deep = |at: usize, len: usize, what: &str| {
        Diagnostic::error(
            Code::TooDeep,
            format!("{what} nest more than {MAX_NESTING} levels deep"),
        )
        .label(Span::new(at, at + len), "too deep")
        .help("split the formula into named values with `let`")
    };
    let word_char = |c: char| {
        if c.is_ascii() {
            c.is_ascii_alphanumeric() || c == '_'
        } else {
            pest::unicode::XID_CONTINUE(c)
        }
    };
    // The lines a large policy may be cut at to be parsed in parts (see
    // `parts`): a line that starts an item inside the policy's braces only.
    let mut lines = Vec::new();
    for line in text.split_inclusive('\n') {
        if item_lines && brackets == 1 && parts::starts_part(line) {
            lines.push(offset);
        }
        let code = strip_comment(line);
        let mut word_start: Option<usize> = None;
        for (i, c) in code
            .char_indices()
            .chain(std::iter::once((code.len(), ' ')))
        {
            if word_char(c) {
                word_start.get_or_insert(i);
                continue;
            }
            if let Some(start) = word_start.take() {
                let word = &code[start..i];
                // The grammar reads `if` wherever it ends a run of word
                // characters (`1if` is `1 if`), so every such ending counts.
                if word.ends_with("if") {
                    ifs += 1;
                    if brackets + ifs > MAX_NESTING {
                        return Err(too_deep(offset + i - 2, 2, "brackets and `if`s"));
                    }
                } else if OUTSIDE_FORMULAS.contains(&word) {
                    ifs = 0;
                }
            }
            match c {
                '(' | '（' | '{' | '｛' => {
                    brackets += 1;
                    if brackets + ifs > MAX_NESTING {
                        let what = if ifs == 0 {
                            "brackets"
                        } else {
                            "brackets and `if`s"
                        };
                        return Err(too_deep(offset + i, c.len_utf8(), what));
                    }
                }
                ')' | '）' | '}' | '｝' => brackets = brackets.saturating_sub(1),
                _ => {}
            }
        }
        offset += line.len();
    }
    Ok(lines)
}
