//! Policy source text and byte spans into it.

use std::sync::Arc;

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
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: Arc::from(name.into()),
            text: Arc::from(text.into()),
        }
    }

    /// A source from a file's bytes. Bytes that are not UTF-8 are read with
    /// replacement characters and reported, so the rest is still checked.
    pub fn from_bytes(
        name: impl Into<String>,
        bytes: Vec<u8>,
    ) -> (Self, Vec<crate::diagnostic::Diagnostic>) {
        use crate::diagnostic::{Code, Diagnostic};
        match String::from_utf8(bytes) {
            Ok(text) => (Source::new(name, text), Vec::new()),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let diagnostic =
                    Diagnostic::error(Code::Encoding, "the policy file is not UTF-8 text")
                        .label(Span::new(at, at + 1), "this byte is not UTF-8")
                        .help(
                            "save the file as UTF-8 (in most editors: Save As… → Encoding: UTF-8)",
                        );
                (Source::new(name, text), vec![diagnostic])
            }
        }
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
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
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
}
