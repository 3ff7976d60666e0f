//! Outcomes out: a terminal table, CSV, or JSON.

pub mod analysis;
mod csv;
pub mod diagnostics;
mod diff;
mod json;
mod table;
pub mod writer;

pub use csv::csv;
pub use diff::{diff_csv, diff_json, diff_text};
pub use json::json;
pub use table::table;

use rust_decimal::Decimal;

use crate::format;
use crate::outcome::Outcome;
use crate::program::Program;

/// What a column holds, for alignment and number formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Points,
    Money,
}

/// The columns of the table and CSV forms: id, name, plan, each indicator
/// and adjustment (of every plan), score, grade, vetoes, each pay item.
pub(crate) fn columns(program: &Program) -> Vec<(String, Kind)> {
    let policy = program.policy();
    let mut columns = vec![(policy.id_column.clone(), Kind::Text)];
    if let Some(name) = &policy.name_column {
        columns.push((name.clone(), Kind::Text));
    }
    if let Some(plan) = &policy.plan_column {
        columns.push((plan.clone(), Kind::Text));
    }
    if let Some(group) = policy.quota_group_column() {
        columns.push((group.to_string(), Kind::Text));
    }
    columns.extend(
        program
            .indicator_names()
            .iter()
            .map(|name| (name.clone(), Kind::Points)),
    );
    columns.extend(
        program
            .adjustment_names()
            .iter()
            .map(|name| (name.clone(), Kind::Points)),
    );
    if policy.has_score() {
        columns.push(("score".to_string(), Kind::Points));
    }
    if !policy.grades.is_empty() {
        columns.push(("grade".to_string(), Kind::Text));
    }
    if program.has_vetoes() {
        columns.push(("veto".to_string(), Kind::Text));
    }
    if policy.has_forced_ranking() {
        columns.push(("ranking".to_string(), Kind::Text));
    }
    if policy.override_rule.is_some() {
        columns.push(("override".to_string(), Kind::Text));
    }
    columns.extend(policy.pay.iter().map(|p| (p.name.clone(), Kind::Money)));
    columns
}

/// `17/40`, or `17/40: B → C (C + D >= 30%)` when forced ranking moved the grade.
pub(crate) fn ranking_cell(outcome: &Outcome) -> String {
    let Some(note) = &outcome.ranking else {
        return String::new();
    };
    let mut text = format!("{}/{}", note.rank, note.of);
    if let (Some(from), Some(to)) = (&outcome.grade_by_score, &outcome.grade)
        && outcome.vetoes.is_empty()
    {
        text.push_str(&format!(": {from} → {to}"));
        if let Some(quota) = &note.quota {
            text.push_str(&format!(" ({quota})"));
        }
    }
    text
}

/// `B → A: 大客户签约` when the general manager's final adjustment applied.
pub(crate) fn override_cell(outcome: &Outcome) -> String {
    outcome
        .final_adjustment
        .as_ref()
        .map(|n| format!("{} → {}: {}", n.before, n.after, n.reason))
        .unwrap_or_default()
}

/// One outcome's cells, in the order of [`columns`]. Money is shown with
/// its currency when `for_people`, as a plain decimal otherwise. An
/// indicator the employee's plan does not have is an empty cell.
pub(crate) fn cells(program: &Program, outcome: &Outcome, for_people: bool) -> Vec<String> {
    let mut row = Vec::new();
    each_cell(program, outcome, for_people, |cell| {
        row.push(match cell {
            Cell::Text(text) => text.to_string(),
            Cell::Number(d) => {
                let mut text = String::new();
                crate::decimal::push_decimal(&mut text, d);
                text
            }
        });
    });
    row
}

/// One cell of a report row: a text, or a number, which a writer puts
/// down as it likes (the CSV writer straight into its line).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Text(&'a str),
    Number(Decimal),
}

/// The value of `name` in `map`, whose entry is usually the `next` one:
/// an outcome lists its plan's names in the order of the report's columns
/// (every plan's, in policy order), so walking both in step finds most
/// without a lookup by name.
fn in_step<'m, V>(
    map: &'m crate::outcome::Scores<V>,
    next: &mut usize,
    name: &str,
) -> Option<&'m V> {
    match map.get_index(*next) {
        Some((key, value)) if **key == *name => {
            *next += 1;
            Some(value)
        }
        _ => map.get(name),
    }
}

/// [`cells`], handed one at a time to `cell`: the CSV writer writes a
/// million rows this way without a string per cell.
pub(crate) fn each_cell(
    program: &Program,
    outcome: &Outcome,
    for_people: bool,
    mut cell: impl FnMut(Cell<'_>),
) {
    let policy = program.policy();
    cell(Cell::Text(&outcome.id));
    if policy.name_column.is_some() {
        cell(Cell::Text(outcome.name.as_deref().unwrap_or_default()));
    }
    if policy.plan_column.is_some() {
        cell(Cell::Text(outcome.plan.as_deref().unwrap_or_default()));
    }
    if policy.quota_group_column().is_some() {
        cell(Cell::Text(outcome.group.as_deref().unwrap_or_default()));
    }
    // An indicator left out for a missing value.
    let left_out = if for_people { "—" } else { "" };
    // The outcome lists its plan's indicators in the order of the columns
    // (every plan's, in policy order): walked in step, a lookup by name is
    // needed only where the order differs.
    let mut next = 0;
    for name in program.indicator_names() {
        match in_step(&outcome.indicators, &mut next, name) {
            Some(Some(d)) => cell(Cell::Number(*d)),
            Some(None) => cell(Cell::Text(left_out)),
            None => cell(Cell::Text("")),
        }
    }
    let mut next = 0;
    for name in program.adjustment_names() {
        match in_step(&outcome.adjustments, &mut next, name) {
            Some(d) => cell(Cell::Number(*d)),
            None => cell(Cell::Text("")),
        }
    }
    if policy.has_score() {
        match &outcome.score {
            Some(d) => cell(Cell::Number(*d)),
            None => cell(Cell::Text("")),
        }
    }
    if !policy.grades.is_empty() {
        cell(Cell::Text(outcome.grade.as_deref().unwrap_or_default()));
    }
    if program.has_vetoes() {
        let mut vetoes = outcome.vetoes.join("; ");
        let vetoed = !outcome.vetoes.is_empty();
        if let (true, true, Some(by_score)) = (for_people, vetoed, &outcome.grade_by_score) {
            vetoes = format!("{vetoes} (by score: {by_score})");
        }
        cell(Cell::Text(&vetoes));
    }
    if policy.has_forced_ranking() {
        cell(Cell::Text(&ranking_cell(outcome)));
    }
    if policy.override_rule.is_some() {
        cell(Cell::Text(&override_cell(outcome)));
    }
    let currency = policy.currency.as_deref();
    for d in outcome.pay.values() {
        if for_people {
            cell(Cell::Text(&format::money(*d, currency)));
        } else {
            cell(Cell::Number(*d));
        }
    }
}
