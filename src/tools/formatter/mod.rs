//! `kpi fmt`: one canonical layout for every policy.
//!
//! The AST is printed afresh: two-space indentation, one item per line,
//! aligned columns (inputs, indicator weights, steps thresholds, grade bands,
//! example values), half-width punctuation, labels in `"…"`. Literals keep
//! the text they were written with (`¥1,200`, `100万元`). Comments are not in
//! the AST: they are woven back in by position, each before the line that
//! followed it in the source, or at the end of the line it ended. Blank
//! lines between items are kept (one at most).

use unicode_width::UnicodeWidthStr;

use crate::language::ast::*;
use crate::language::diagnostic::Diagnostic;
use crate::language::source::{Source, Span};

mod expr;
mod items;

use expr::*;

/// Lines longer than this are broken (long `if` chains, linear tables).
const WIDTH: usize = 100;

/// Formats a policy. A policy with syntax errors cannot be formatted.
pub fn format(source: &Source) -> Result<String, Vec<Diagnostic>> {
    let policy = crate::language::syntax::parse(source)?;
    let mut printer = Printer::new(source.text());
    printer.policy(&policy);
    Ok(printer.finish())
}

/// Why a policy was not formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The policy cannot be read.
    Syntax(Vec<Diagnostic>),
    /// The formatted text would say something else: a bug in kpi.
    ChangesMeaning,
    /// A comment would be lost: a bug in kpi.
    LosesComment(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Syntax(d) => write!(f, "{} syntax errors", d.len()),
            Error::ChangesMeaning => f.write_str(
                "kpi fmt would change what the policy says (a bug in kpi: please report it)",
            ),
            Error::LosesComment(c) => write!(
                f,
                "kpi fmt would lose the comment `{c}` (a bug in kpi: please report it)"
            ),
        }
    }
}

/// Formats a policy and checks the result, as Cedar's formatter does: the
/// formatted text must parse to the same policy and keep every comment.
pub fn format_checked(source: &Source) -> Result<String, Error> {
    let original = crate::language::syntax::parse(source).map_err(Error::Syntax)?;
    let formatted = format(source).map_err(Error::Syntax)?;
    let again = crate::language::syntax::parse(&Source::new(source.name(), formatted.clone()))
        .map_err(|_| Error::ChangesMeaning)?;
    if !original.same_as(&again) {
        return Err(Error::ChangesMeaning);
    }
    let kept = comments(&formatted);
    for c in comments(source.text()) {
        let before = comments(source.text())
            .iter()
            .filter(|x| x.text == c.text)
            .count();
        let after = kept.iter().filter(|x| x.text == c.text).count();
        if after < before {
            return Err(Error::LosesComment(c.text));
        }
    }
    Ok(formatted)
}

#[derive(Debug, Clone)]
struct Comment {
    start: usize,
    end: usize,
    text: String,
}

/// Every `//` or `#` comment in the text, with its position.
fn comments(text: &str) -> Vec<Comment> {
    let mut found = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = crate::language::syntax::strip_comment(line);
        if code.len() < line.len() {
            let comment = line[code.len()..].trim_end();
            found.push(Comment {
                start: offset + code.len(),
                end: offset + code.len() + comment.len(),
                text: comment.to_string(),
            });
        }
        offset += line.len();
    }
    found
}

struct Printer<'a> {
    src: &'a str,
    comments: Vec<Comment>,
    next: usize,
    out: String,
    /// The line being written, if one is open.
    line: Option<String>,
    /// The source position of the end of what was printed last.
    last: usize,
    /// Just after a line ending in `{`: no blank line here.
    opened: bool,
    /// Extra indentation: one level inside a `plan` block.
    base: usize,
    /// Break over lines whatever fits on one (tables a point a line, `if`
    /// a branch a line): a construct with a comment inside is printed so,
    /// so that each comment stays beside what it annotates.
    expand: bool,
}

/// Where a [`Printer`] stood, to print a construct again another way.
struct Mark {
    out: usize,
    line: Option<String>,
    next: usize,
    last: usize,
    opened: bool,
}

impl<'a> Printer<'a> {
    fn new(src: &'a str) -> Self {
        Printer {
            src,
            comments: comments(src),
            next: 0,
            out: String::new(),
            line: None,
            last: 0,
            opened: true,
            base: 0,
            expand: false,
        }
    }

    fn finish(mut self) -> String {
        self.close_line(self.src.len());
        // Comments after the policy's closing brace.
        self.flush_comments(usize::MAX, 0);
        let mut out = self.out.trim_end().to_string();
        out.push('\n');
        out
    }

    // ------------------------------------------------------------ lines and comments

    /// Whether the source has a blank line between two positions.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let gap = self.src.get(from.min(to)..to).unwrap_or("");
        let mut newlines = 0;
        for c in gap.chars() {
            match c {
                '\n' => {
                    newlines += 1;
                    if newlines >= 2 {
                        return true;
                    }
                }
                c if c.is_whitespace() => {}
                _ => newlines = 0,
            }
        }
        false
    }

    fn push_blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn mark(&self) -> Mark {
        Mark {
            out: self.out.len(),
            line: self.line.clone(),
            next: self.next,
            last: self.last,
            opened: self.opened,
        }
    }

    fn back_to(&mut self, mark: &Mark) {
        self.out.truncate(mark.out);
        self.line.clone_from(&mark.line);
        self.next = mark.next;
        self.last = mark.last;
        self.opened = mark.opened;
    }

    /// Whether a comment inside `span` is still to be written: the
    /// construct was printed on fewer lines than its comments need.
    fn comment_left_inside(&self, span: Span) -> bool {
        self.comments
            .get(self.next)
            .is_some_and(|c| c.start >= span.start && c.start < span.end)
    }

    /// Prints the construct at `span` with `print`, keeping its comments
    /// where they are: if a comment inside it would be pushed below it (the
    /// construct was put on one line), it is printed again broken over
    /// lines; if even that leaves a comment out of place, its source is
    /// kept as written, `head` (its keyword) and all, only re-indented.
    fn keeping_comments(
        &mut self,
        span: Span,
        indent: usize,
        head: &str,
        print: impl Fn(&mut Self),
    ) {
        let mark = self.mark();
        print(self);
        if !self.comment_left_inside(span) {
            return;
        }
        self.back_to(&mark);
        let expand = std::mem::replace(&mut self.expand, true);
        print(self);
        self.expand = expand;
        if !self.comment_left_inside(span) {
            return;
        }
        self.back_to(&mark);
        self.verbatim(span, indent, head);
    }

    /// The source of `span` as written after `head`, its later lines
    /// re-indented as they stood against its first.
    fn verbatim(&mut self, span: Span, indent: usize, head: &str) {
        self.begin(span.start, indent);
        self.text(head);
        let line_start = self
            .src
            .get(..span.start)
            .map_or(0, |b| b.rfind('\n').map_or(0, |i| i + 1));
        let indented = |line: &str| line.len() - line.trim_start_matches([' ', '\t']).len();
        let first_indent = indented(self.src.get(line_start..).unwrap_or_default());
        let src = self.src;
        let mut lines = src.get(span.start..span.end).unwrap_or("").split('\n');
        if let Some(first) = lines.next() {
            self.text(first.trim_end());
        }
        for line in lines {
            if let Some(done) = self.line.take() {
                self.out.push_str(done.trim_end());
                self.out.push('\n');
            }
            let deeper = indented(line).saturating_sub(first_indent);
            self.line = Some(format!(
                "{}{}{}",
                "  ".repeat(indent + self.base),
                " ".repeat(deeper),
                line.trim_start_matches([' ', '\t']).trim_end()
            ));
        }
        // Its comments are in the text.
        while self.comment_left_inside(span) {
            self.next += 1;
        }
        self.end(span.end);
    }

    /// Writes the comments that start before `at`, each on its own line.
    fn flush_comments(&mut self, at: usize, indent: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= at {
                break;
            }
            let c = c.clone();
            self.next += 1;
            if self.blank_between(self.last, c.start) && !self.opened {
                self.push_blank();
            }
            self.out.push_str(&"  ".repeat(indent + self.base));
            self.out.push_str(&c.text);
            self.out.push('\n');
            self.last = c.end;
            self.opened = false;
        }
    }

    /// Starts a line for a construct that starts at source position `at`.
    fn begin(&mut self, at: usize, indent: usize) {
        self.close_line(at);
        self.flush_comments(at, indent);
        if self.blank_between(self.last, at) && !self.opened {
            self.push_blank();
        }
        self.line = Some("  ".repeat(indent + self.base));
        self.opened = false;
    }

    fn text(&mut self, s: &str) {
        if let Some(line) = &mut self.line {
            line.push_str(s);
        }
    }

    /// Ends the line of a construct that ended at `end`, with the comment
    /// that followed it on its source line.
    fn end(&mut self, end: usize) {
        let Some(mut line) = self.line.take() else {
            return;
        };
        let mut last = end;
        if let Some(c) = self.comments.get(self.next)
            && c.start >= end
            && self.src.get(end..c.start).is_some_and(|between| {
                between
                    .chars()
                    .all(|ch| ch == ' ' || ch == '\t' || ",;}）)".contains(ch))
            })
        {
            line.push_str("  ");
            line.push_str(&c.text);
            last = c.end;
            self.next += 1;
        }
        self.out.push_str(line.trim_end());
        self.out.push('\n');
        self.opened = line.trim_end().ends_with('{');
        self.last = self.last.max(last);
    }

    fn close_line(&mut self, at: usize) {
        if self.line.is_some() {
            self.end(at);
        }
    }

    // ------------------------------------------------------------ the policy

    fn policy(&mut self, policy: &Policy) {
        self.begin(policy.span.start, 0);
        self.text(&format!("policy {} {{", label(&policy.name)));
        let brace = self.after(policy.name.span.end, '{');
        self.end(brace);
        let widths = Widths::of(policy);
        for (i, item) in policy.items.iter().enumerate() {
            let group = if matches!(item, Item::Input(_)) {
                widths.input_group(&policy.items, i, self)
            } else {
                (0, 0)
            };
            self.keeping_comments(item.span(), 1, "", |p| p.item(item, &widths, group));
        }
        let close = policy.span.end.saturating_sub(1);
        self.begin_close(close, 0);
        self.text("}");
        self.end(policy.span.end);
    }

    /// The position just after the first `c` (or its full-width twin) at or after `from`.
    fn after(&self, from: usize, c: char) -> usize {
        let twin = match c {
            '{' => '｛',
            _ => c,
        };
        self.src
            .get(from..)
            .and_then(|rest| {
                rest.find([c, twin])
                    .map(|i| from + i + rest[i..].chars().next().map_or(1, char::len_utf8))
            })
            .unwrap_or(from)
    }

    fn slice(&self, span: Span) -> &str {
        self.src.get(span.start..span.end).unwrap_or("")
    }
}

/// Column widths shared across the policy.
struct Widths {
    /// `indicator NAME "label"`, so that `weight` lines up.
    indicator_head: usize,
}

impl Widths {
    fn of(policy: &Policy) -> Widths {
        let plan_items = policy.items.iter().flat_map(|i| match i {
            Item::Plan(p) => p.items.as_slice(),
            _ => &[],
        });
        let indicator_head = policy
            .items
            .iter()
            .chain(plan_items)
            .filter_map(|i| match i {
                Item::Indicator(d) => Some(
                    format!("indicator {}{}", d.name.text, label_after(d.label.as_ref())).width(),
                ),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        Widths { indicator_head }
    }

    /// Name and type widths of the run of inputs around item `i`: inputs
    /// with no blank line between them line up.
    fn input_group(&self, items: &[Item], i: usize, printer: &Printer<'_>) -> (usize, usize) {
        let is_input = |k: usize| matches!(items.get(k), Some(Item::Input(_)));
        let joined = |a: usize, b: usize| {
            let (Some(x), Some(y)) = (items.get(a), items.get(b)) else {
                return false;
            };
            is_input(a) && is_input(b) && !printer.blank_between(x.span().end, y.span().start)
        };
        let mut first = i;
        while first > 0 && joined(first - 1, first) {
            first -= 1;
        }
        let mut last = i;
        while joined(last, last + 1) {
            last += 1;
        }
        let inputs = items
            .get(first..=last)
            .unwrap_or_default()
            .iter()
            .filter_map(|item| match item {
                Item::Input(d) => Some(d),
                _ => None,
            });
        inputs.fold((0, 0), |(n, t), d| {
            (n.max(d.name.text.width()), t.max(d.ty.as_str().width()))
        })
    }
}
