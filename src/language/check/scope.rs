//! Names: every definition in the policy, and the lookups with "did you mean".

use indexmap::IndexMap;

use crate::language::ast::{self, Item};
use crate::language::checked::Node;
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::Span;

/// What a name refers to, and where it was defined.
#[derive(Debug, Clone, Copy)]
pub(super) struct Symbol {
    pub node: Node,
    pub span: Span,
}

impl Symbol {
    /// "an input", "an indicator", ... for messages.
    pub fn kind_words(&self) -> &'static str {
        match self.node {
            Node::Input(_) => "an input",
            Node::Value(_) => "a value",
            Node::Indicator(_) => "an indicator",
            Node::Adjustment(_) => "a bonus or deduction item",
            Node::Pay(_) => "a pay item",
            Node::Score => "the score",
            Node::Grade => "the grade",
        }
    }
}

/// All names of a policy. Inputs, values, indicators, bonus and deduction
/// items and pay items share one namespace; grades have their own.
#[derive(Debug, Default)]
pub(super) struct Scope {
    pub symbols: IndexMap<String, Symbol>,
    /// Each label and the name it labels, to recognise a name written as
    /// its label (`季度销售额` for `销售额 "季度销售额"`).
    pub labels: Vec<(String, String)>,
}

impl Scope {
    /// Declares every definition. Each item gets the next index of its kind
    /// even when its name is taken, so that indexes follow the items; the
    /// name keeps meaning its first definition.
    pub fn declare(policy: &ast::Policy, diags: &mut Vec<Diagnostic>) -> Scope {
        let mut scope = Scope::default();
        for item in &policy.items {
            let (name, label) = match item {
                Item::Input(d) => (&d.name, &d.label),
                Item::Let(d) => (&d.name, &d.label),
                Item::Indicator(d) => (&d.name, &d.label),
                Item::Adjustment(d) => (&d.name, &d.label),
                Item::Pay(d) => (&d.name, &d.label),
                _ => continue,
            };
            if let Some(label) = label {
                scope.labels.push((label.text.clone(), name.text.clone()));
            }
        }
        let (mut inputs, mut values, mut indicators, mut adjustments, mut pay) = (0, 0, 0, 0, 0);
        for item in &policy.items {
            let (name, node) = match item {
                Item::Input(d) => (&d.name, Node::Input(next(&mut inputs))),
                Item::Let(d) => (&d.name, Node::Value(next(&mut values))),
                Item::Indicator(d) => (&d.name, Node::Indicator(next(&mut indicators))),
                Item::Adjustment(d) => (&d.name, Node::Adjustment(next(&mut adjustments))),
                Item::Pay(d) => (&d.name, Node::Pay(next(&mut pay))),
                _ => continue,
            };
            let symbol = Symbol {
                node,
                span: name.span,
            };
            if let Some(first) = scope.symbols.get(&name.text) {
                diags.push(duplicate(
                    &name.text,
                    first.span,
                    first.kind_words(),
                    name.span,
                ));
            } else {
                scope.symbols.insert(name.text.clone(), symbol);
            }
        }
        scope
    }

    pub fn get(&self, name: &str) -> Option<&Symbol> {
        self.symbols.get(name)
    }

    /// The defined name closest to a misspelt one.
    /// The name whose label is `text`, if one is.
    pub fn labelled(&self, text: &str) -> Option<&str> {
        let text = text.trim();
        self.labels
            .iter()
            .find(|(label, _)| label.trim() == text)
            .map(|(_, name)| name.as_str())
    }

    pub fn suggest(&self, name: &str) -> Option<&str> {
        crate::language::fuzzy::closest(name, self.symbols.keys().map(String::as_str))
            .or_else(|| self.same_start(name))
    }

    /// A Chinese name with its second half mistyped (`绩效奖金` for
    /// `绩效工资`) is too far for the edit distance: the one name of the
    /// same length that shares at least its first half.
    fn same_start(&self, name: &str) -> Option<&str> {
        let chars: Vec<char> = name.chars().collect();
        if chars.len() < 3 || chars.iter().all(char::is_ascii) {
            return None;
        }
        let half = chars.len().div_ceil(2);
        let mut found = self.symbols.keys().filter(|k| {
            let k: Vec<char> = k.chars().collect();
            k.len() == chars.len() && k[..half] == chars[..half]
        });
        match (found.next(), found.next()) {
            (Some(one), None) => Some(one.as_str()),
            _ => None,
        }
    }
}

fn next(counter: &mut usize) -> usize {
    let n = *counter;
    *counter += 1;
    n
}

pub(super) fn duplicate(name: &str, first: Span, first_kind: &str, again: Span) -> Diagnostic {
    use crate::i18n::{Arg, text};
    let kind = match first_kind {
        "an input" => text("kind-input", &[]),
        "a value" => text("kind-value", &[]),
        "an indicator" => text("kind-indicator", &[]),
        "a bonus or deduction item" => text("kind-adjustment", &[]),
        "a pay item" => text("kind-pay", &[]),
        "the score" => text("kind-score", &[]),
        "a grade" => text("kind-grade", &[]),
        "an example" => text("kind-example", &[]),
        other => other.to_string(),
    };
    Diagnostic::error(
        Code::DuplicateName,
        text("name-duplicate", &[("name", Arg::Text(name))]),
    )
    .label(again, text("name-duplicate-again", &[]))
    .label(
        first,
        text("name-duplicate-first", &[("kind", Arg::Text(&kind))]),
    )
    .help(text("name-duplicate-help", &[]))
}
