//! Policy source text and byte spans into it.

use std::sync::{Arc, OnceLock};

use serde::Serialize;

/// A half-open byte range `start..end` in a policy's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn shifted(self, offset: usize) -> Span {
        Span::new(self.start + offset, self.end + offset)
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(span: pest::Span<'_>) -> Self {
        Span::new(span.start(), span.end())
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new(span.start.into(), span.len())
    }
}

/// A named policy text. Cheap to clone: diagnostics and compiled programs
/// keep a handle on the text their spans point into.
#[derive(Debug, Clone)]
pub struct Source {
    name: Arc<str>,
    text: Arc<str>,
    /// Where lines start, made when first asked for: counting lines from
    /// the start for every diagnostic made reporting thousands of mistakes
    /// in a large policy take seconds.
    lines: Arc<OnceLock<Lines>>,
    /// The text had lone `\r` line ends, made `\n` (see [`Source::new`]).
    lone_cr: bool,
}

/// The offsets at which lines start: after each `\n`. The text has no
/// lone `\r` ([`Source::new`]), so these are the lines miette counts too.
#[derive(Debug, Default)]
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn of(text: &str) -> Lines {
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1);
        Lines {
            starts: std::iter::once(0).chain(newlines).collect(),
        }
    }
}

impl Source {
    /// A lone `\r` (the line end of old Mac files) is made a `\n`, byte for
    /// byte, so that every offset still points where it did in the file:
    /// the grammar, the formatter and line numbers all end lines at `\n`,
    /// and a comment would otherwise run on to the end of the file.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        let mut lone_cr = false;
        if text.contains('\r') {
            let mut bytes = std::mem::take(&mut text).into_bytes();
            // From the end, knowing what each byte was followed by.
            let mut before_lf = false;
            for b in bytes.iter_mut().rev() {
                let was = *b;
                if was == b'\r' && !before_lf {
                    *b = b'\n';
                    lone_cr = true;
                }
                before_lf = was == b'\n';
            }
            // One ASCII byte for another: still UTF-8.
            text = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        }
        Self {
            name: Arc::from(name.into()),
            text: Arc::from(text),
            lines: Arc::default(),
            lone_cr,
        }
    }

    /// Whether the text's lone `\r` line ends were made `\n`: the file
    /// itself differs from [`Source::text`] there.
    pub fn rewrote_line_ends(&self) -> bool {
        self.lone_cr
    }

    fn lines(&self) -> &Lines {
        self.lines.get_or_init(|| Lines::of(&self.text))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text under `span`, or "" if the span is not within the text.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        // Within the text, and not inside a character (the end of a span
        // over a byte that was not UTF-8, now a replacement character).
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset += 1;
        }
        let before = self.text.get(..offset).unwrap_or("");
        let starts = &self.lines().starts;
        // The lines starting at or before the offset: it is on the last.
        let line = starts.partition_point(|&start| start <= offset).max(1);
        let line_start = starts.get(line - 1).copied().unwrap_or(0);
        // A byte-order mark is not a column an editor shows.
        let column = before
            .get(line_start..)
            .map_or(0, |s| s.chars().filter(|c| *c != '\u{FEFF}').count())
            + 1;
        (line, column)
    }

    pub fn line_of(&self, span: Span) -> usize {
        self.line_col(span.start).0
    }

    pub(crate) fn named_source(&self) -> miette::NamedSource<Arc<str>> {
        miette::NamedSource::new(&self.name, Arc::clone(&self.text))
    }

    /// Where to start reading for a report of the text at `offset` with
    /// `before` lines of context: the start of a line (as miette counts
    /// lines) some lines before, and that line's index from 0. miette
    /// counts lines from where it starts reading, so reading from here
    /// rather than from the top gives the same report in time that does
    /// not grow with the file.
    pub(crate) fn report_window(&self, offset: usize, before: usize) -> (usize, usize) {
        let starts = &self.lines().starts;
        let line = starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let first = line.saturating_sub(before + 1);
        (starts.get(first).copied().unwrap_or(0), first)
    }
}

#[cfg(test)]
mod tests {
    use super::Source;

    /// Lines and columns from the index are those counted from the top,
    /// for every offset of texts with every kind of line end, Chinese and a
    /// byte-order mark; a report read from its window starts where miette,
    /// reading from the top, would start it.
    #[test]
    fn lines_found_in_the_index_are_lines_counted_from_the_top() {
        let pieces = ["a", "成交", "\n", "\r\n", "\r", " ", "\u{FEFF}", "//", "x1"];
        let mut x: u32 = 0x2545_F491;
        let mut checked = 0;
        for _ in 0..1_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let mut text = String::new();
            for _ in 0..(x % 60) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                text.push_str(pieces[x as usize % pieces.len()]);
            }
            let source = Source::new("t.kpi", text.clone());
            // Lone `\r`s are line ends made `\n`, in place.
            assert_eq!(source.text().len(), text.len());
            assert_eq!(source.rewrote_line_ends(), source.text() != text);
            let text = source.text().to_string();
            for offset in 0..=text.len() {
                let mut at = offset;
                while !text.is_char_boundary(at) {
                    at += 1;
                }
                let before = &text[..at];
                let line = before.matches('\n').count() + 1;
                let start = before.rfind('\n').map_or(0, |i| i + 1);
                let column = before[start..].chars().filter(|c| *c != '\u{FEFF}').count() + 1;
                assert_eq!(
                    source.line_col(offset),
                    (line, column),
                    "{text:?} at {offset}"
                );
                checked += 1;
                if !text.is_char_boundary(offset) {
                    continue;
                }
                for context in 0..3 {
                    let span = miette::SourceSpan::new(offset.into(), 0);
                    let whole =
                        miette::SourceCode::read_span(text.as_str(), &span, context, context);
                    let (w, line) = source.report_window(offset, context);
                    let within = miette::SourceSpan::new((offset - w).into(), 0);
                    let part = miette::SourceCode::read_span(&text[w..], &within, context, context);
                    match (whole, part) {
                        (Ok(whole), Ok(part)) => {
                            assert_eq!(whole.data(), part.data(), "{text:?} at {offset}");
                            assert_eq!(whole.line(), part.line() + line, "{text:?} at {offset}");
                            assert_eq!(
                                whole.span().offset(),
                                part.span().offset() + w,
                                "{text:?} at {offset}"
                            );
                        }
                        (Err(_), Err(_)) => {}
                        (whole, part) => panic!(
                            "{text:?} at {offset}: {:?} vs {:?}",
                            whole.is_ok(),
                            part.is_ok()
                        ),
                    }
                }
            }
        }
        assert!(checked > 30_000, "{checked} offsets");
    }
}
