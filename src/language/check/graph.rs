//! Dependencies between definitions: the order to evaluate them in, and
//! the circles that make an order impossible.

use std::collections::BTreeSet;

use crate::language::checked::{CheckedPolicy, Node, VetoEffect};
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::Span;

/// What each node reads.
pub(super) fn dependencies(policy: &CheckedPolicy, node: Node) -> BTreeSet<Node> {
    let mut deps = BTreeSet::new();
    let mut add = |n: Node| {
        deps.insert(n);
    };
    match node {
        Node::Input(_) => {}
        Node::Value(i) => {
            if let Some(v) = policy.values.get(i) {
                v.expr.for_each_ref(&mut add);
            }
        }
        Node::Indicator(i) => {
            if let Some(ind) = policy.indicators.get(i) {
                if let Some(m) = &ind.measure {
                    m.for_each_ref(&mut add);
                }
                ind.points.for_each_ref(&mut add);
                for veto in ind.zeroed_by.iter().filter_map(|v| policy.vetoes.get(*v)) {
                    veto.condition.for_each_ref(&mut add);
                }
            }
        }
        Node::Adjustment(i) => {
            if let Some(a) = policy.adjustments.get(i) {
                a.points.for_each_ref(&mut add);
            }
        }
        Node::Score => {
            (0..policy.indicators.len()).for_each(|i| add(Node::Indicator(i)));
            (0..policy.adjustments.len()).for_each(|i| add(Node::Adjustment(i)));
        }
        Node::Grade => {
            if policy.has_score() {
                add(Node::Score);
            }
            for veto in &policy.vetoes {
                if matches!(veto.effect, VetoEffect::Grade(_)) {
                    veto.condition.for_each_ref(&mut add);
                }
            }
        }
        Node::Pay(i) => {
            if let Some(p) = policy.pay.get(i) {
                p.expr.for_each_ref(&mut add);
            }
        }
    }
    deps
}

/// Every node of the policy, in declaration order.
pub(super) fn all_nodes(policy: &CheckedPolicy) -> Vec<Node> {
    let mut nodes: Vec<Node> = (0..policy.inputs.len()).map(Node::Input).collect();
    nodes.extend((0..policy.values.len()).map(Node::Value));
    nodes.extend((0..policy.indicators.len()).map(Node::Indicator));
    nodes.extend((0..policy.adjustments.len()).map(Node::Adjustment));
    if policy.has_score() {
        nodes.push(Node::Score);
    }
    if !policy.grades.is_empty() {
        nodes.push(Node::Grade);
    }
    nodes.extend((0..policy.pay.len()).map(Node::Pay));
    nodes
}

/// A topological order of all nodes, or a diagnostic for each circle.
pub(super) fn order(policy: &CheckedPolicy, diags: &mut Vec<Diagnostic>) -> Vec<Node> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let nodes = all_nodes(policy);
    let positions: std::collections::HashMap<Node, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let index = |n: Node| positions.get(&n).copied();
    let mut marks = vec![Mark::New; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    let mut reported: BTreeSet<Vec<Node>> = BTreeSet::new();

    // Iterative depth-first search: policies may be large, the stack is not.
    for start in 0..nodes.len() {
        if marks.get(start) != Some(&Mark::New) {
            continue;
        }
        let mut stack: Vec<(usize, Vec<Node>)> = Vec::new();
        let first = nodes.get(start).copied();
        if let Some(n) = first {
            stack.push((start, dependencies(policy, n).into_iter().collect()));
            if let Some(m) = marks.get_mut(start) {
                *m = Mark::Open;
            }
        }
        while let Some((current, pending)) = stack.last_mut() {
            let current = *current;
            match pending.pop() {
                Some(dep) => {
                    let Some(d) = index(dep) else { continue };
                    match marks.get(d).copied() {
                        Some(Mark::New) => {
                            if let Some(m) = marks.get_mut(d) {
                                *m = Mark::Open;
                            }
                            stack.push((d, dependencies(policy, dep).into_iter().collect()));
                        }
                        Some(Mark::Open) => {
                            // A circle: the part of the stack from `dep` on.
                            let from = stack.iter().position(|(i, _)| *i == d).unwrap_or(0);
                            let circle: Vec<Node> = stack
                                .get(from..)
                                .unwrap_or_default()
                                .iter()
                                .filter_map(|(i, _)| nodes.get(*i).copied())
                                .collect();
                            let mut key = circle.clone();
                            key.sort();
                            if reported.insert(key) {
                                diags.push(cycle(policy, &circle));
                            }
                        }
                        _ => {}
                    }
                }
                None => {
                    if let Some(m) = marks.get_mut(current) {
                        *m = Mark::Done;
                    }
                    if let Some(n) = nodes.get(current) {
                        order.push(*n);
                    }
                    stack.pop();
                }
            }
        }
    }
    order
}

fn cycle(policy: &CheckedPolicy, circle: &[Node]) -> Diagnostic {
    let names: Vec<String> = circle.iter().map(|n| policy.describe(*n).0).collect();
    let first = names.first().cloned().unwrap_or_default();
    let chain = names
        .iter()
        .chain(std::iter::once(&first))
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" → ");
    let mut d = Diagnostic::error(Code::Cycle, format!("`{first}` depends on itself: {chain}"));
    for (i, node) in circle.iter().enumerate() {
        let span = policy.name_span_of(*node);
        if span.is_empty() {
            continue;
        }
        let next = circle.get(i + 1).or(circle.first()).copied();
        let next_name = next.map(|n| policy.describe(n).0).unwrap_or_default();
        d = d.label(span, format!("uses `{next_name}`"));
    }
    // A name used in its own formula is most often another name misspelt
    // (the bonus `专利` written where the input `专利数` was meant).
    if let [node] = circle
        && let Some(at) = use_in_own_formula(policy, *node, &first)
    {
        d = d.label(at, format!("`{first}` used in its own formula"));
        let others: Vec<String> = (0..policy.inputs.len())
            .map(Node::Input)
            .chain((0..policy.values.len()).map(Node::Value))
            .map(|n| policy.describe(n).0)
            .filter(|n| *n != first)
            .collect();
        if let Some(s) = crate::language::fuzzy::closest(&first, others.iter().map(String::as_str))
        {
            return d
                .help(format!(
                    "did you mean `{s}`? An item cannot be computed from itself"
                ))
                .fix(format!("change to `{s}`"), at, s);
        }
    }
    let involves_score = circle
        .iter()
        .any(|n| matches!(n, Node::Score | Node::Grade));
    d.help(if involves_score {
        "what the score is computed from cannot itself use `score` or `grade`: compute it from inputs only"
    } else {
        "break the circle: compute one of these from inputs without the others"
    })
}

/// Where `name` is written in the formula of `node`, after its declaration.
fn use_in_own_formula(policy: &CheckedPolicy, node: Node, name: &str) -> Option<Span> {
    let text = policy.source.text();
    let from = policy.name_span_of(node).end;
    let to = policy.span_of(node).end;
    let body = text.get(from..to)?;
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    body.match_indices(name).find_map(|(i, _)| {
        let before = body[..i].chars().next_back();
        let after = body[i + name.len()..].chars().next();
        (!word(before) && !word(after)).then(|| Span::new(from + i, from + i + name.len()))
    })
}
