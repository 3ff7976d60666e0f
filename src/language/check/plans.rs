//! Plans per role: one policy, several plans. Each plan is checked as a
//! policy of its own: the shared items (everything outside `plan` blocks),
//! then what the plan it extends adds, replaces and drops, then its own.
//!
//! This module only assembles each plan's items and reports mistakes in the
//! plan structure itself (unknown parents, circles, drops of nothing); every
//! other rule is the ordinary checker's, run once per plan.

use crate::language::ast::{self, Item, Name, PlanDecl};
use crate::language::checked::PlanInfo;
use crate::language::diagnostic::{Code, Diagnostic};

/// One plan's items as a policy of its own, ready for the ordinary checker.
pub(super) struct PlanPolicy {
    pub info: Option<PlanInfo>,
    pub policy: ast::Policy,
    /// Its `extends` is broken (already reported): checking its rules
    /// would only repeat the mistake as missing weights.
    pub broken: bool,
}

/// Splits a policy into its plans (one, without plan information, for a
/// policy that has none).
pub(super) fn resolve(policy: &ast::Policy, diags: &mut Vec<Diagnostic>) -> Vec<PlanPolicy> {
    let decls: Vec<&PlanDecl> = policy
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Plan(p) => Some(p),
            _ => None,
        })
        .collect();
    let column = policy.items.iter().find_map(|i| match i {
        Item::Employee(d) if d.field == ast::EmployeeField::Plan => Some(d),
        _ => None,
    });
    if decls.is_empty() {
        if let Some(line) = column {
            diags.push(
                Diagnostic::error(
                    Code::Plan,
                    "the policy names a column for plans, but has no plans",
                )
                .label(line.span, "no `plan` block uses this")
                .help("add `plan NAME { … }` blocks for the roles, or remove the line"),
            );
        }
        return vec![PlanPolicy {
            info: None,
            policy: policy.clone(),
            broken: false,
        }];
    }
    if column.is_none()
        && let Some(first) = decls.first()
    {
        diags.push(
            Diagnostic::error(
                Code::Plan,
                "the policy has plans, but does not say which column chooses each employee's plan",
            )
            .label(first.name.span, "first plan")
            .help("add a line such as `employee plan 岗位`, naming the data column that holds each employee's plan"),
        );
    }
    for item in &policy.items {
        if let Item::Example(e) = item {
            diags.push(
                Diagnostic::error(
                    Code::Plan,
                    "in a policy with plans, an example belongs to a plan",
                )
                .label(e.name.span, "outside every plan")
                .help("move the example into the `plan` block whose employees it describes"),
            );
        }
    }

    // Duplicate names: the later plan is reported and left out.
    let mut plans: Vec<&PlanDecl> = Vec::new();
    for decl in decls {
        if let Some(first) = plans.iter().find(|p| p.name.text == decl.name.text) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("there are two plans named `{}`", decl.name.text),
                )
                .label(decl.name.span, "named again here")
                .label(first.name.span, "first named here")
                .help("give each plan its own name"),
            );
            continue;
        }
        plans.push(decl);
    }
    let parents = parents(&plans, diags);
    // A plan whose `extends` chain is broken somewhere.
    let broken: Vec<bool> = (0..plans.len())
        .map(|start| {
            let mut at = start;
            for _ in 0..plans.len() {
                let Some(plan) = plans.get(at) else { break };
                match (&plan.extends, parents.get(at).copied().flatten()) {
                    (Some(_), None) => return true,
                    (Some(_), Some(parent)) => at = parent,
                    (None, _) => return false,
                }
            }
            false
        })
        .collect();

    // Each plan's items, parents first.
    let shared: Vec<Item> = policy
        .items
        .iter()
        .filter(|i| !matches!(i, Item::Plan(_) | Item::Example(_)))
        .cloned()
        .collect();
    let infos: Vec<PlanInfo> = plans
        .iter()
        .enumerate()
        .map(|(index, p)| PlanInfo {
            index,
            name: p.name.text.clone(),
            label: p.label.as_ref().map(|l| l.text.clone()),
        })
        .collect();
    let mut items: Vec<Option<Vec<Item>>> = vec![None; plans.len()];
    for index in order(&parents) {
        let base = match parents.get(index).copied().flatten() {
            Some(parent) => items
                .get(parent)
                .cloned()
                .flatten()
                .unwrap_or_else(|| shared.clone())
                .into_iter()
                .filter(|i| !matches!(i, Item::Example(_)))
                .collect(),
            None => shared.clone(),
        };
        if let (Some(plan), Some(slot)) = (plans.get(index), items.get_mut(index)) {
            *slot = Some(apply(base, plan, diags));
        }
    }
    infos
        .into_iter()
        .zip(items)
        .zip(broken)
        .map(|((info, items), broken)| PlanPolicy {
            broken,
            info: Some(info),
            policy: ast::Policy {
                name: policy.name.clone(),
                items: items.unwrap_or_default(),
                span: policy.span,
            },
        })
        .collect()
}

/// Each plan's parent, by index; unknown parents and circles are reported
/// and cut.
fn parents(plans: &[&PlanDecl], diags: &mut Vec<Diagnostic>) -> Vec<Option<usize>> {
    let mut parents: Vec<Option<usize>> = plans
        .iter()
        .map(|p| {
            let parent = p.extends.as_ref()?;
            let found = plans.iter().position(|q| q.name.text == parent.text);
            if found.is_none() {
                diags.push(unknown_plan(parent, plans));
            }
            found
        })
        .collect();
    for start in 0..plans.len() {
        let mut seen = vec![start];
        let mut at = start;
        while let Some(next) = parents.get(at).copied().flatten() {
            if next == start {
                let names: Vec<String> = seen
                    .iter()
                    .filter_map(|&i| plans.get(i))
                    .map(|p| format!("`{}`", p.name.text))
                    .collect();
                if let Some(plan) = plans.get(start)
                    && let Some(parent) = &plan.extends
                {
                    diags.push(
                        Diagnostic::error(Code::Cycle, "plans extend each other in a circle")
                            .label(parent.span, format!("{} extend each other", names.join(" → ")))
                            .help("one plan of the circle must stand on the shared items alone: remove its `extends`"),
                    );
                }
                if let Some(p) = parents.get_mut(start) {
                    *p = None;
                }
                break;
            }
            if seen.contains(&next) {
                break;
            }
            seen.push(next);
            at = next;
        }
    }
    parents
}

fn unknown_plan(name: &Name, plans: &[&PlanDecl]) -> Diagnostic {
    let names: Vec<&str> = plans.iter().map(|p| p.name.text.as_str()).collect();
    let diag = Diagnostic::error(
        Code::UnknownName,
        format!("there is no plan `{}`", name.text),
    )
    .label(name.span, "not a plan of this policy");
    match crate::language::fuzzy::closest(&name.text, names.iter().copied()) {
        Some(s) => diag.did_you_mean(name.span, s),
        None => diag.help(format!("the plans are {}", quoted(&names))),
    }
}

/// Plans in an order where every parent comes before its children.
fn order(parents: &[Option<usize>]) -> Vec<usize> {
    let mut done = vec![false; parents.len()];
    let mut out = Vec::new();
    for start in 0..parents.len() {
        let mut chain = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            if done.get(i).copied().unwrap_or(true) || chain.contains(&i) {
                break;
            }
            chain.push(i);
            at = parents.get(i).copied().flatten();
        }
        for &i in chain.iter().rev() {
            if let Some(d) = done.get_mut(i) {
                *d = true;
            }
            out.push(i);
        }
    }
    out
}

/// The plan's own items applied to what it inherits: `drop` removes, a
/// definition with an inherited name replaces it in place, anything else
/// is added.
fn apply(mut items: Vec<Item>, plan: &PlanDecl, diags: &mut Vec<Diagnostic>) -> Vec<Item> {
    let mut own: Vec<&str> = Vec::new();
    for item in &plan.items {
        match item {
            Item::Drop(d) => {
                for name in &d.names {
                    match items
                        .iter()
                        .position(|i| defined_name(i) == Some(&name.text))
                    {
                        Some(at) => {
                            items.remove(at);
                        }
                        None => diags.push(nothing_to_drop(name, &items, plan)),
                    }
                }
            }
            _ => {
                let name = defined_name(item);
                let inherited = name
                    .filter(|n| !own.contains(n))
                    .and_then(|n| items.iter().position(|i| defined_name(i) == Some(n)));
                match (inherited, name) {
                    (Some(at), Some(n)) => {
                        let was = items.get(at).map(kind_words).unwrap_or_default();
                        if was != kind_words(item) {
                            diags.push(
                                Diagnostic::error(
                                    Code::Plan,
                                    format!("`{n}` is {was} in what plan `{}` inherits", plan.name.text),
                                )
                                .label(item.span(), format!("replaces it with {}", kind_words(item)))
                                .help(format!("a plan replaces a definition only by one of the same kind: give this one another name, or `drop {n}` first")),
                            );
                        } else if let Some(slot) = items.get_mut(at) {
                            *slot = item.clone();
                        }
                    }
                    _ => items.push(item.clone()),
                }
                if let Some(n) = name {
                    own.push(n);
                }
            }
        }
    }
    items
}

fn nothing_to_drop(name: &Name, items: &[Item], plan: &PlanDecl) -> Diagnostic {
    let names: Vec<&str> = items.iter().filter_map(defined_name).collect();
    let diag = Diagnostic::error(
        Code::UnknownName,
        format!(
            "plan `{}` inherits nothing named `{}` to drop",
            plan.name.text, name.text
        ),
    )
    .label(name.span, "not inherited");
    match crate::language::fuzzy::closest(&name.text, names.iter().copied()) {
        Some(s) => diag.did_you_mean(name.span, s),
        None => diag.help(
            "`drop` removes an indicator, bonus, deduction or `let` the plan inherits from the shared items or the plan it extends",
        ),
    }
}

/// The name an item defines that a plan can replace or drop.
fn defined_name(item: &Item) -> Option<&str> {
    match item {
        Item::Let(d) => Some(&d.name.text),
        Item::Indicator(d) => Some(&d.name.text),
        Item::Adjustment(d) => Some(&d.name.text),
        _ => None,
    }
}

fn kind_words(item: &Item) -> &'static str {
    match item {
        Item::Let(_) => "a value (`let`)",
        Item::Indicator(_) => "an indicator",
        Item::Adjustment(d) => match d.kind {
            ast::AdjustmentKind::Bonus => "a bonus",
            ast::AdjustmentKind::Deduction => "a deduction",
        },
        _ => "another definition",
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
