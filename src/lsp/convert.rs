//! The one place kpi's analysis becomes the protocol's types: spans to
//! UTF-16 ranges (through `ide::LineIndex`), diagnostics, hovers, symbols.

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, HoverContents, Location,
    MarkupContent, MarkupKind, NumberOrString, Range, Uri,
};

use crate::ide::{self, LineIndex};
use crate::language::diagnostic::{Diagnostic, Severity};
use crate::language::source::{Source, Span};

/// The name a document is reported by: its path for a `file:` URI, the URI
/// otherwise.
pub(super) fn file_name(uri: &Uri) -> String {
    let text = uri.as_str();
    match text.strip_prefix("file://") {
        Some(path) => percent_encoding::percent_decode_str(path)
            .decode_utf8_lossy()
            .into_owned(),
        None => text.to_string(),
    }
}

pub(super) fn position(p: lsp_types::Position) -> ide::Position {
    ide::Position {
        line: p.line,
        column: p.character,
    }
}

pub(super) fn to_position(p: ide::Position) -> lsp_types::Position {
    lsp_types::Position::new(p.line, p.column)
}

pub(super) fn range(text: &str, lines: &LineIndex, span: Span) -> Range {
    Range {
        start: to_position(lines.position(text, span.start)),
        end: to_position(lines.position(text, span.end)),
    }
}

/// A diagnostic as the editor shows it: its code, severity, message and
/// help; its other labels as related information at their own places.
pub(super) fn diagnostic(
    uri: &Uri,
    source: &Source,
    lines: &LineIndex,
    d: &Diagnostic,
) -> lsp_types::Diagnostic {
    let text = source.text();
    let mut message = d.message.clone();
    if let Some(primary) = d.labels.first()
        && !primary.message.is_empty()
    {
        message.push_str(&format!(" ({})", primary.message));
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .skip(1)
        .map(|l| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: range(text, lines, l.span),
            },
            message: l.message.clone(),
        })
        .collect();
    lsp_types::Diagnostic {
        range: range(text, lines, d.primary_span()),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("kpi".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

pub(super) fn hover(text: &str, lines: &LineIndex, h: ide::Hover) -> lsp_types::Hover {
    lsp_types::Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(range(text, lines, h.span)),
    }
}

pub(super) fn symbol(text: &str, lines: &LineIndex, s: ide::Symbol) -> DocumentSymbol {
    use lsp_types::SymbolKind as K;
    let kind = match s.kind {
        ide::SymbolKind::Input => K::VARIABLE,
        ide::SymbolKind::Value => K::CONSTANT,
        ide::SymbolKind::Indicator => K::FIELD,
        ide::SymbolKind::Bonus | ide::SymbolKind::Deduction => K::EVENT,
        ide::SymbolKind::Grades => K::ENUM,
        ide::SymbolKind::Grade => K::ENUM_MEMBER,
        ide::SymbolKind::Pay => K::FUNCTION,
        ide::SymbolKind::Plan => K::NAMESPACE,
        ide::SymbolKind::Example => K::OBJECT,
    };
    let children: Vec<DocumentSymbol> = s
        .children
        .into_iter()
        .map(|c| symbol(text, lines, c))
        .collect();
    // `deprecated` is a field of the protocol's type, to be left out.
    #[allow(deprecated)]
    DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind,
        tags: None,
        deprecated: None,
        range: range(text, lines, s.span),
        selection_range: range(text, lines, s.name_span),
        children: (!children.is_empty()).then_some(children),
    }
}

pub(super) fn completion(c: ide::Completion) -> lsp_types::CompletionItem {
    use lsp_types::CompletionItemKind as K;
    let kind = match c.kind {
        ide::CompletionKind::Keyword => K::KEYWORD,
        ide::CompletionKind::Function => K::FUNCTION,
        ide::CompletionKind::Symbol(kind) => match kind {
            ide::SymbolKind::Input => K::VARIABLE,
            ide::SymbolKind::Value => K::CONSTANT,
            ide::SymbolKind::Indicator => K::FIELD,
            ide::SymbolKind::Bonus | ide::SymbolKind::Deduction => K::EVENT,
            ide::SymbolKind::Grades | ide::SymbolKind::Grade => K::ENUM_MEMBER,
            ide::SymbolKind::Pay => K::FUNCTION,
            ide::SymbolKind::Plan => K::MODULE,
            ide::SymbolKind::Example => K::TEXT,
        },
    };
    lsp_types::CompletionItem {
        filter_text: (c.filter != c.label).then_some(c.filter),
        label: c.label,
        kind: Some(kind),
        detail: c.detail,
        ..lsp_types::CompletionItem::default()
    }
}

/// A diagnostic's fix as a quick fix editing the document at `uri`.
pub(super) fn code_action(
    uri: &Uri,
    source: &Source,
    lines: &LineIndex,
    d: &Diagnostic,
    fix: &crate::language::diagnostic::Fix,
) -> lsp_types::CodeAction {
    let text = source.text();
    let edits = fix
        .edits
        .iter()
        .map(|e| lsp_types::TextEdit::new(range(text, lines, e.span), e.text.clone()))
        .collect();
    // The protocol's type keys edits by `Uri`, whose parsed parts are cached
    // inside it; the key is never changed while in the map.
    #[allow(clippy::mutable_key_type)]
    let changes = std::collections::HashMap::from([(uri.clone(), edits)]);
    lsp_types::CodeAction {
        title: fix.title.clone(),
        kind: Some(lsp_types::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(uri, source, lines, d)]),
        edit: Some(lsp_types::WorkspaceEdit {
            changes: Some(changes),
            ..lsp_types::WorkspaceEdit::default()
        }),
        is_preferred: Some(d.fixes.len() == 1),
        ..lsp_types::CodeAction::default()
    }
}

/// Spans of the document at `uri` as locations.
pub(super) fn locations(uri: &Uri, text: &str, lines: &LineIndex, spans: &[Span]) -> Vec<Location> {
    spans
        .iter()
        .map(|s| Location {
            uri: uri.clone(),
            range: range(text, lines, *s),
        })
        .collect()
}
