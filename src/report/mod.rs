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
    let policy = program.policy();
    let mut row = vec![outcome.id.clone()];
    if policy.name_column.is_some() {
        row.push(outcome.name.clone().unwrap_or_default());
    }
    if policy.plan_column.is_some() {
        row.push(outcome.plan.clone().unwrap_or_default());
    }
    if policy.quota_group_column().is_some() {
        row.push(outcome.group.clone().unwrap_or_default());
    }
    // An indicator left out for a missing value.
    let left_out = if for_people { "—" } else { "" };
    row.extend(
        program
            .indicator_names()
            .iter()
            .map(|name| match outcome.indicators.get(name) {
                Some(Some(d)) => d.to_string(),
                Some(None) => left_out.to_string(),
                None => String::new(),
            }),
    );
    row.extend(program.adjustment_names().iter().map(|name| {
        outcome
            .adjustments
            .get(name)
            .map(|d| d.to_string())
            .unwrap_or_default()
    }));
    if policy.has_score() {
        row.push(outcome.score.map(|d| d.to_string()).unwrap_or_default());
    }
    if !policy.grades.is_empty() {
        row.push(outcome.grade.clone().unwrap_or_default());
    }
    if program.has_vetoes() {
        let mut vetoes = outcome.vetoes.join("; ");
        let vetoed = !outcome.vetoes.is_empty();
        if let (true, true, Some(by_score)) = (for_people, vetoed, &outcome.grade_by_score) {
            vetoes = format!("{vetoes} (by score: {by_score})");
        }
        row.push(vetoes);
    }
    if policy.has_forced_ranking() {
        row.push(ranking_cell(outcome));
    }
    if policy.override_rule.is_some() {
        row.push(override_cell(outcome));
    }
    let currency = policy.currency.as_deref();
    row.extend(outcome.pay.values().map(|d| {
        if for_people {
            format::money(*d, currency)
        } else {
            d.to_string()
        }
    }));
    row
}
