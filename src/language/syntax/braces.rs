//! The blocks of a policy's text, read from its braces and its indentation,
//! for recovery after a syntax error. A parser that meets a stray `}` or a
//! missing one learns of it only where the text stops making sense, often
//! many lines later; the indentation says where the writer meant each block
//! to end. So a brace that closes nothing is reported at its own line, and
//! a block left open at the `{` that opened it, with where its `}` belongs;
//! and each line is known to lie in the policy, in a plan or in some other
//! block, so that recovery re-parses whole items only.
//!
//! A block is *indented* when its first line of content is deeper than the
//! line that opened it (as `kpi fmt` writes every block). Only indented
//! blocks are judged by indentation, and only in the direction the braces
//! are wrong: with more `}` than `{`, a `}` deeper than the block it would
//! close is the stray one; with more `{` than `}`, a line back at a block's
//! own indentation shows where it ended. Balanced braces are read as they
//! are, so a `}` merely indented oddly is never an error.

use super::strip_comment;
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::Span;

/// The block a line stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Within {
    /// Outside every block (before `policy … {`, or after its `}`).
    Nothing,
    /// Directly in the policy: a line here may start an item.
    Policy,
    /// Directly in a plan: a line here may start one of its items.
    Plan,
    /// In any other block (an indicator, a table, `quotas`, …).
    Other,
}

/// What the braces and indentation of a text say.
#[derive(Debug)]
pub(super) struct Blocks {
    /// The block each line (by index) starts in.
    pub within: Vec<Within>,
    /// Where the policy's block ends: its `}`, or the end of the text.
    pub policy_end: usize,
    /// Each stray or missing brace, with its fix.
    pub problems: Vec<Diagnostic>,
}

struct Open {
    /// The byte offset of the `{`.
    at: usize,
    line: usize,
    /// The indentation of the line that opened it.
    indent: usize,
    kind: Within,
    /// What opened it, as written: `indicator 评议`.
    what: String,
    /// Whether its content is deeper than its opening line; unknown until
    /// its first line of content.
    indented: Option<bool>,
    /// Whether its content starts on its own line (`by grade { S 1.5, …`):
    /// such a block is meant to close on that line.
    inline: bool,
}

/// Reads the blocks of `text`.
pub(super) fn blocks(text: &str) -> Blocks {
    let mut stack: Vec<Open> = Vec::new();
    let mut within = Vec::new();
    let mut problems = Vec::new();
    let mut policy_end = None;
    // The line each block closed on most recently, for a stray brace's help.
    let mut last_closed: Option<(String, usize)> = None;
    let mut offset = 0;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (opens, closes) = lines.iter().flat_map(|l| braces(strip_comment(l))).fold(
        (0usize, 0usize),
        |(o, c), (_, b)| {
            if b == '{' { (o + 1, c) } else { (o, c + 1) }
        },
    );
    let judge_strays = closes > opens;
    // The policy's `}` is the last one of the text.
    let mut last_close = None;
    let mut start = 0;
    for line in &lines {
        for (i, b) in braces(strip_comment(line)) {
            if b != '{' {
                last_close = Some(start + i);
            }
        }
        start += line.len();
    }
    let judge_unclosed = opens > closes;
    for (index, line) in lines.iter().enumerate() {
        let code = strip_comment(line);
        let trimmed = code.trim_start_matches([' ', '\t', '\u{3000}', '\u{FEFF}']);
        // A line's indentation is its white space before the text, braces
        // among it not counted: a brace typed at the start of a line does
        // not move the line (`{    example` stands where `    example` did).
        let after_brace = trimmed.trim_start_matches(['{', '｛', '}', '｝', ' ', '\t']);
        let lead = indentation(&code[..code.len() - trimmed.len()]);
        let indent = if trimmed.starts_with(['{', '｛', '}', '｝']) {
            let run = &trimmed[..trimmed.len() - after_brace.len()];
            lead + indentation(&run.replace(['{', '｛', '}', '｝'], ""))
        } else {
            lead
        };
        let blank = trimmed.trim().is_empty();
        if !blank {
            let starts_with_close = trimmed.starts_with(['}', '｝']);
            // A line at or left of an indented block's opening line, which
            // does not close it, means the block ended without its `}`.
            while let Some(top) = stack.last_mut() {
                if top.line == index {
                    break;
                }
                // A line starting with a quote is likely a label broken
                // off its line: it says nothing of the blocks' indentation.
                if trimmed.starts_with(['"', '“', '「']) {
                    break;
                }
                let indented = *top
                    .indented
                    .get_or_insert(top.inline || indent > top.indent);
                // The policy's own block ends only at its `}` or the end.
                let ended = judge_unclosed
                    && top.kind != Within::Policy
                    && indented
                    && (indent < top.indent || (indent == top.indent && !starts_with_close));
                if !ended {
                    break;
                }
                let Some(open) = stack.pop() else { break };
                problems.push(unclosed(text, &lines, &open, Some(index), offset));
            }
        }
        within.push(match stack.last() {
            None => Within::Nothing,
            Some(open) => open.kind,
        });
        // `policy "…"` without its `{`: the policy is opened all the same,
        // so that its items are read as items.
        if stack.is_empty()
            && policy_end.is_none()
            && first_word(trimmed) == "policy"
            && braces(code).is_empty()
        {
            let end = offset + code.trim_end().len();
            problems.push(
                Diagnostic::error(Code::Syntax, "`policy` opens no block: its `{` is missing")
                    .label(Span::new(offset + code.len() - trimmed.len(), end), "no `{` at the end of this line")
                    .help("write the policy's items between `{` at the end of this line and `}` at the end of the file")
                    .fix("add the `{` of the policy", Span::new(end, end), " {"),
            );
            stack.push(Open {
                at: end,
                line: index,
                indent,
                kind: Within::Policy,
                what: "`policy`".to_string(),
                indented: None,
                inline: false,
            });
        }
        for (i, c) in braces(code) {
            let at = offset + i;
            if c == '{' {
                let kind = if stack.is_empty() {
                    Within::Policy
                } else if stack.len() == 1 && first_word(trimmed) == "plan" {
                    Within::Plan
                } else {
                    Within::Other
                };
                let inline = !code[i + c.len_utf8()..]
                    .trim_start_matches(['{', '｛', '}', '｝'])
                    .trim()
                    .is_empty();
                stack.push(Open {
                    at,
                    line: index,
                    indent,
                    kind,
                    what: opener(&code[..i]),
                    indented: None,
                    inline,
                });
                continue;
            }
            // With a `}` too many, one at another indentation than the
            // block it would close closes nothing: the writer closed that
            // block already, or never opened one there.
            let stray = match stack.last() {
                None => true,
                Some(top) => {
                    judge_strays
                        && ((top.kind == Within::Policy && Some(at) != last_close)
                            || (top.line != index
                                && top.indented == Some(true)
                                && indent != top.indent))
                }
            };
            if stray {
                problems.push(match unopened(&lines, index, indent) {
                    Some(opener) => {
                        // The lines up to this `}` were the block's content.
                        for w in &mut within[opener + 1..] {
                            *w = Within::Other;
                        }
                        missing_open(&lines, opener, index)
                    }
                    None => stray_brace(text, at, c, &last_closed),
                });
                continue;
            }
            if let Some(open) = stack.pop() {
                if open.kind == Within::Policy {
                    policy_end = Some(at);
                }
                last_closed = Some((open.what, index));
            }
        }
        offset += line.len();
    }
    while let Some(open) = stack.pop() {
        problems.push(unclosed(text, &lines, &open, None, text.len()));
    }
    problems.sort_by_key(|d| d.primary_span().start);
    Blocks {
        within,
        policy_end: policy_end.unwrap_or(text.len()),
        problems,
    }
}

/// Columns of leading white space (a tab counts as four).
fn indentation(lead: &str) -> usize {
    lead.chars()
        .map(|c| match c {
            '\t' => 4,
            '\u{3000}' => 2,
            '\u{FEFF}' => 0,
            _ => 1,
        })
        .sum()
}

/// The braces of a line outside its labels, with their byte offsets.
fn braces(code: &str) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let mut closing: Option<char> = None;
    let mut prev = '\0';
    for (i, c) in code.char_indices() {
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
                '{' | '｛' => out.push((i, '{')),
                '}' | '｝' => out.push((i, c)),
                _ => {}
            },
        }
        prev = c;
    }
    out
}

fn first_word(code: &str) -> &str {
    code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
}

/// What opened a block, from the text before its `{`: the keyword and the
/// name (`indicator 评议`), or the table (`linear`, `by grade`).
fn opener(before: &str) -> String {
    let mut words: Vec<&str> = before.split_whitespace().collect();
    if words.ends_with(&["in", "any", "order"]) {
        words.truncate(words.len() - 3);
    }
    if words.ends_with(&["by", "grade"]) {
        return "the `by grade` table".to_string();
    }
    if let Some(table) = words
        .iter()
        .rev()
        .find(|w| matches!(**w, "linear" | "steps"))
    {
        return format!("the `{table}` table");
    }
    match (words.first(), words.get(1)) {
        (Some(keyword), Some(name)) if !name.starts_with(['"', '“', '「']) => {
            format!("`{keyword} {name}`")
        }
        (Some(keyword), _) => format!("`{keyword}`"),
        (None, _) => "a block".to_string(),
    }
}

/// A block left open: reported at its `{`, with where its `}` belongs
/// (before the line `next` that shows it ended, or at the end of the text).
fn unclosed(text: &str, lines: &[&str], open: &Open, next: Option<usize>, at: usize) -> Diagnostic {
    let line_no = open.line + 1;
    let brace = Span::new(
        open.at,
        open.at + text[open.at..].chars().next().map_or(1, char::len_utf8),
    );
    let pad = " ".repeat(open.indent);
    if open.inline && next.is_some() {
        // A table begun on its line closes on it.
        let line_start: usize = lines[..open.line].iter().map(|l| l.len()).sum();
        let end = line_start + strip_comment(lines[open.line]).trim_end().len();
        return Diagnostic::error(
            Code::Syntax,
            format!("the `{{` of {} (line {line_no}) is never closed", open.what),
        )
        .label(brace, "opened here")
        .label(Span::new(end, end), "its `}` belongs here")
        .help(format!("add `}}` at the end of line {line_no}"))
        .fix(
            format!("add the `}}` of {}", open.what),
            Span::new(end, end),
            " }",
        );
    }
    match next {
        Some(next) => {
            // The `}` goes after the block's last line of content.
            let mut end_line = next;
            while end_line > open.line + 1 && strip_comment(lines[end_line - 1]).trim().is_empty() {
                end_line -= 1;
            }
            let insert_at = lines[..end_line].iter().map(|l| l.len()).sum::<usize>();
            let insert_at = insert_at.min(at);
            Diagnostic::error(
                Code::Syntax,
                format!("the `{{` of {} (line {line_no}) is never closed", open.what),
            )
            .label(brace, "opened here")
            .label(Span::new(insert_at, insert_at), "its `}` belongs here")
            .help(format!(
                "add `}}` on its own line after line {end_line}, indented as line {line_no}"
            ))
            .fix(
                format!("add the `}}` of {}", open.what),
                Span::new(insert_at, insert_at),
                format!("{pad}}}\n"),
            )
        }
        None => {
            let ends_with_newline = text.ends_with('\n');
            let insert = if ends_with_newline {
                format!("{pad}}}\n")
            } else {
                format!("\n{pad}}}\n")
            };
            Diagnostic::error(
                Code::Syntax,
                format!(
                    "the file ends before the `{{` of {} (line {line_no}) is closed",
                    open.what
                ),
            )
            .label(brace, "opened here")
            .help(format!("add `}}` at the end, indented as line {line_no}"))
            .fix(
                format!("add the `}}` of {} at the end", open.what),
                Span::new(at, at),
                insert,
            )
        }
    }
}

/// The line whose block a stray `}` at `indent` on line `index` would
/// close, when that line forgot its `{`: the nearest line above at the same
/// indentation, if it opens nothing and closes nothing itself.
fn unopened(lines: &[&str], index: usize, indent: usize) -> Option<usize> {
    for i in (0..index).rev() {
        let code = strip_comment(lines[i]);
        let trimmed = code.trim_start_matches([' ', '\t', '\u{3000}', '\u{FEFF}']);
        if trimmed.trim().is_empty() {
            // A comment that swallowed a line's `{` (two lines joined).
            if lines[i].trim_end().ends_with(['{', '｛'])
                && strip_comment(lines[i]).len() < lines[i].trim_end().len()
            {
                return Some(i);
            }
            continue;
        }
        // A quote typed at the start of a line makes the line a label,
        // its `{` included: the line stands where its text does.
        let body = trimmed.trim_start_matches(['"', '“', '「']);
        let quoted = body.len() < trimmed.len();
        let this = indentation(&code[..code.len() - trimmed.len()])
            + if quoted {
                indentation(&body[..body.len() - body.trim_start().len()])
            } else {
                0
            };
        if this < indent {
            // Shallower, but its `{` caught in a label: a label broken
            // across lines, whose second half opens a label of its own.
            return (braces(code).is_empty() && label_around_brace(code).is_some()).then_some(i);
        }
        if this == indent {
            // A brace outside labels: the line opened its block. One inside
            // a label (a quote typed before it) was meant to.
            if !braces(code).is_empty() {
                return None;
            }
            return (code.contains(['{', '｛']) || opens_a_block(body)).then_some(i);
        }
    }
    None
}

/// The quote that opens the label a line's `{` is caught in, with its
/// offset in the line.
fn label_around_brace(code: &str) -> Option<(usize, char)> {
    let mut open: Option<(usize, char, char)> = None;
    let mut prev = '\0';
    for (i, c) in code.char_indices() {
        match open {
            Some((_, _, close)) => {
                if c == close && !(close == '"' && prev == '\\') {
                    open = None;
                } else if matches!(c, '{' | '｛') {
                    return open.map(|(at, quote, _)| (at, quote));
                }
            }
            None => match c {
                '"' => open = Some((i, c, '"')),
                '“' => open = Some((i, c, '”')),
                '「' => open = Some((i, c, '」')),
                _ => {}
            },
        }
        prev = c;
    }
    None
}

/// Whether a line is one that opens a block: a block item, or a table.
fn opens_a_block(code: &str) -> bool {
    let words: Vec<&str> = code.split_whitespace().collect();
    matches!(
        words.first().copied(),
        Some(
            "indicator"
                | "bonus"
                | "deduction"
                | "grades"
                | "quotas"
                | "year"
                | "plan"
                | "example"
                | "policy"
        )
    ) || words.iter().any(|w| matches!(*w, "linear" | "steps"))
        || words.windows(2).any(|w| w == ["by", "grade"])
}

/// A line that should open a block but has no `{`: the `}` on line
/// `closing` closes it.
fn missing_open(lines: &[&str], line: usize, closing: usize) -> Diagnostic {
    let start: usize = lines[..line].iter().map(|l| l.len()).sum();
    let code = strip_comment(lines[line]);
    if code.trim().is_empty() {
        let raw = lines[line].trim_end();
        let brace = start + raw.len() - raw.chars().last().map_or(1, char::len_utf8);
        let comment = start + code.len();
        return Diagnostic::error(
            Code::Syntax,
            format!(
                "the `{{` at the end of line {} is inside a comment, so the `}}` on line {} closes no block",
                line + 1,
                closing + 1
            ),
        )
        .label(
            Span::new(brace, start + raw.len()),
            "commented out",
        )
        .label(Span::new(comment, comment + 1), "the comment starts here")
        .help("put the comment on a line of its own, above the line it explains");
    }
    let end = start + code.trim_end().len();
    let first = start + (code.len() - code.trim_start().len());
    if let Some((offset, quote)) = label_around_brace(code) {
        let at = start + offset;
        let quote_span = Span::new(at, at + quote.len_utf8());
        // A quote typed before the line's text is removed; a label left
        // open is closed where it was meant to end.
        let leading = code[..offset].trim().is_empty();
        let d = Diagnostic::error(
            Code::Syntax,
            format!(
                "the label that starts on line {} is not closed on its line, so the `{{` after it is part of the label",
                line + 1
            ),
        )
        .label(quote_span, "a label starts here");
        return if leading {
            d.help(format!(
                "remove this `{quote}`: the line's text is not a label, and the `}}` on line {} closes its block",
                closing + 1
            ))
            .fix(format!("remove the `{quote}`"), quote_span, "")
        } else {
            let close = match quote {
                '“' => '”',
                '「' => '」',
                _ => '"',
            };
            d.help(format!(
                "close the label with `{close}` where it ends: a label ends on its line, as in `\"deal value\"`"
            ))
        };
    }
    let words: Vec<&str> = code.split_whitespace().take(2).collect();
    let what = match words.as_slice() {
        [keyword, name, ..] if !name.starts_with(['"', '“', '「']) => {
            format!("`{keyword} {name}`")
        }
        [keyword, ..] => format!("`{keyword}`"),
        [] => "this line".to_string(),
    };
    Diagnostic::error(
        Code::Syntax,
        format!(
            "{what} opens no block, but the `}}` on line {} closes one",
            closing + 1
        ),
    )
    .label(Span::new(first, end), "no `{` at the end of this line")
    .help(format!(
        "add ` {{` at the end of line {}, so that its block runs to the `}}` on line {}",
        line + 1,
        closing + 1
    ))
    .fix(format!("add the `{{` of {what}"), Span::new(end, end), " {")
}

/// A `}` that closes no block.
fn stray_brace(
    text: &str,
    at: usize,
    c: char,
    last_closed: &Option<(String, usize)>,
) -> Diagnostic {
    let span = Span::new(at, at + c.len_utf8());
    let help = match last_closed {
        Some((what, line)) => format!(
            "remove it: the block above it, {what}, is closed already at line {}",
            line + 1
        ),
        None => "remove it: no block is open here".to_string(),
    };
    // Removing the brace's whole line when it stands alone on it.
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    let alone = strip_comment(&text[line_start..line_end]).trim() == c.to_string();
    let removed = if alone {
        Span::new(line_start, line_end)
    } else {
        span
    };
    Diagnostic::error(Code::Syntax, format!("this `{c}` closes no block"))
        .label(span, "nothing to close")
        .help(help)
        .fix(format!("remove the extra `{c}`"), removed, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "policy \"p\" {\n  indicator 评议 weight 100% {\n    points 民主评议\n  }\n  quotas {\n    S <= 5%\n    round headcount strict\n  }\n}\n";

    #[test]
    fn a_balanced_text_has_no_problems_and_knows_its_items() {
        let b = blocks(POLICY);
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        use Within::*;
        assert_eq!(
            b.within,
            [
                Nothing, Policy, Other, Other, Policy, Other, Other, Other, Policy
            ]
        );
        assert_eq!(&POLICY[b.policy_end..], "}\n");
    }

    #[test]
    fn a_stray_brace_is_reported_at_its_line_and_the_items_stay_items() {
        let text = POLICY.replace(
            "    points 民主评议\n  }\n",
            "    points 民主评议\n  }\n  }\n",
        );
        let b = blocks(&text);
        assert_eq!(b.problems.len(), 1, "{:?}", b.problems);
        let d = &b.problems[0];
        assert_eq!(d.message, "this `}` closes no block");
        assert_eq!(
            d.primary_span().start,
            text.find("  }\n  }").unwrap_or(0) + 6
        );
        assert_eq!(
            d.help.as_deref(),
            Some("remove it: the block above it, `indicator 评议`, is closed already at line 4")
        );
        // `round headcount` is still inside `quotas`, not an item.
        assert_eq!(b.within[7], Within::Other);
    }

    #[test]
    fn a_missing_brace_is_traced_to_its_opening() {
        let text = POLICY.replace("    points 民主评议\n  }\n", "    points 民主评议\n");
        let b = blocks(&text);
        assert_eq!(b.problems.len(), 1, "{:?}", b.problems);
        let d = &b.problems[0];
        assert_eq!(
            d.message,
            "the `{` of `indicator 评议` (line 2) is never closed"
        );
        assert_eq!(
            d.help.as_deref(),
            Some("add `}` on its own line after line 3, indented as line 2")
        );
        let fix = &d.fixes[0].edits[0];
        let mut mended = text.clone();
        mended.replace_range(fix.span.start..fix.span.end, &fix.text);
        assert_eq!(mended, POLICY);
    }

    #[test]
    fn a_file_that_ends_inside_the_policy_names_the_policy() {
        let text = POLICY.trim_end().trim_end_matches('}').to_string();
        let b = blocks(&text);
        assert_eq!(b.problems.len(), 1, "{:?}", b.problems);
        assert_eq!(
            b.problems[0].message,
            "the file ends before the `{` of `policy` (line 1) is closed"
        );
    }

    #[test]
    fn a_text_written_flush_left_is_read_by_its_braces() {
        let flat: String = POLICY.lines().map(|l| format!("{}\n", l.trim())).collect();
        assert!(blocks(&flat).problems.is_empty());
    }
}
