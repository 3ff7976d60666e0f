//! A policy's outline: its inputs, values, indicators, bonus and deduction
//! items, grades, pay items, plans and examples, each with where it is
//! written. Read from the parsed text, so that an outline shows while the
//! policy still has mistakes in names or units.

use crate::language::ast::{Item, Label, Name, Policy};
use crate::language::source::Span;

/// What a symbol of the outline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Input,
    Value,
    Indicator,
    Bonus,
    Deduction,
    Grades,
    Grade,
    Pay,
    Plan,
    Example,
}

/// One entry of the outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    /// The label, when the policy gives one.
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole declaration.
    pub span: Span,
    /// The name in it.
    pub name_span: Span,
    pub children: Vec<Symbol>,
}

/// The outline of a parsed policy, in the order it is written.
pub fn outline(policy: &Policy) -> Vec<Symbol> {
    policy.items.iter().filter_map(symbol).collect()
}

fn symbol(item: &Item) -> Option<Symbol> {
    let named = |kind, name: &Name, label: &Option<Label>, span| Symbol {
        name: name.text.clone(),
        detail: label.as_ref().map(|l| l.text.clone()),
        kind,
        span,
        name_span: name.span,
        children: Vec::new(),
    };
    Some(match item {
        Item::Input(d) => named(SymbolKind::Input, &d.name, &d.label, d.span),
        Item::Let(d) => named(SymbolKind::Value, &d.name, &d.label, d.span),
        Item::Indicator(d) => named(SymbolKind::Indicator, &d.name, &d.label, d.span),
        Item::Adjustment(d) => {
            let kind = match d.kind {
                crate::language::ast::AdjustmentKind::Bonus => SymbolKind::Bonus,
                crate::language::ast::AdjustmentKind::Deduction => SymbolKind::Deduction,
            };
            named(kind, &d.name, &d.label, d.span)
        }
        Item::Pay(d) => named(SymbolKind::Pay, &d.name, &d.label, d.span),
        Item::Grades(d) => Symbol {
            name: "grades".to_string(),
            detail: None,
            kind: SymbolKind::Grades,
            span: d.span,
            name_span: Span::new(d.span.start, d.span.start + "grades".len()),
            children: d
                .bands
                .iter()
                .map(|b| named(SymbolKind::Grade, &b.name, &b.label, b.span))
                .collect(),
        },
        Item::Plan(d) => Symbol {
            children: d.items.iter().filter_map(symbol).collect(),
            ..named(SymbolKind::Plan, &d.name, &d.label, d.span)
        },
        Item::Example(d) => Symbol {
            name: d.name.text.clone(),
            detail: None,
            kind: SymbolKind::Example,
            span: d.span,
            name_span: d.name.span,
            children: Vec::new(),
        },
        _ => return None,
    })
}

/// The outline of `source`, or none while its syntax is broken.
pub fn symbols(source: &crate::language::source::Source) -> Vec<Symbol> {
    crate::language::syntax::parse(source)
        .map(|policy| outline(&policy))
        .unwrap_or_default()
}
