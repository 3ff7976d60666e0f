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

use crate::engine::outcome::Outcome;
use crate::engine::program::Program;
use crate::language::format;

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
    debug_assert_eq!(columns.len(), identity_columns(program));
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

/// How many of the first [`columns`] say who a row is (the id, name, plan
/// and group columns): the workbook puts the inputs after them.
pub(crate) fn identity_columns(program: &Program) -> usize {
    let policy = program.policy();
    1 + usize::from(policy.name_column.is_some())
        + usize::from(policy.plan_column.is_some())
        + usize::from(policy.quota_group_column().is_some())
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
                crate::numbers::decimal::push_decimal(&mut text, *d);
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
    /// By reference: the outcome wrote it a moment ago, and a copy of it
    /// whole would wait for those writes (see `decimal::write_decimal`).
    Number(&'a Decimal),
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
    // An indicator the employee's plan does not have is an empty cell.
    let columns = program.columns_of(&outcome.indicators, &outcome.adjustments);
    for place in &columns.indicators {
        match place.and_then(|i| outcome.indicators.get_index(i)) {
            Some((_, Some(d))) => cell(Cell::Number(d)),
            Some((_, None)) => cell(Cell::Text(left_out)),
            None => cell(Cell::Text("")),
        }
    }
    for place in &columns.adjustments {
        match place.and_then(|i| outcome.adjustments.get_index(i)) {
            Some((_, d)) => cell(Cell::Number(d)),
            None => cell(Cell::Text("")),
        }
    }
    if policy.has_score() {
        match &outcome.score {
            Some(d) => cell(Cell::Number(d)),
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
            cell(Cell::Number(d));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scores::Name;
    use std::sync::Arc;

    /// A row's cells come from the plan's column places when the outcome's
    /// maps share the plan's names, and from a lookup by name otherwise:
    /// both give the same cells, for each plan (whose indicators differ).
    #[test]
    fn a_row_reads_the_same_by_place_and_by_name() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("policies/foreign_trade_sales.kpi"))
            .unwrap_or_default();
        let source = crate::language::source::Source::new("ft.kpi", text);
        let Ok(compiled) = crate::compile(&source) else {
            panic!("the policy compiles");
        };
        let program = compiled.program;
        let mut generated = Vec::new();
        let written = crate::tools::generate::csv(program.policy(), 40, 3, &mut generated);
        assert!(written.is_ok());
        let Ok(data) = crate::data::open_bytes("ft.csv", generated, &Default::default()) else {
            panic!("the data opens");
        };
        let Ok(columns) = crate::data::Columns::map(&program, &data.headers, data.row_word) else {
            panic!("the header fits");
        };
        let mut plans = std::collections::HashSet::new();
        for row in data.flatten() {
            let Ok(record) = columns.record(&program, &row) else {
                panic!("a record");
            };
            let Ok(outcome) = program.evaluate(&record) else {
                panic!("evaluated");
            };
            plans.insert(outcome.plan.clone());
            // The same values under names of their own.
            let mut renamed = outcome.clone();
            let indicators: Arc<[Name]> = outcome.indicators.keys().cloned().collect();
            renamed
                .indicators
                .refill(&indicators, outcome.indicators.values().copied());
            let adjustments: Arc<[Name]> = outcome.adjustments.keys().cloned().collect();
            renamed
                .adjustments
                .refill(&adjustments, outcome.adjustments.values().copied());
            assert!(matches!(
                program.columns_of(&outcome.indicators, &outcome.adjustments),
                std::borrow::Cow::Borrowed(_)
            ));
            assert!(matches!(
                program.columns_of(&renamed.indicators, &renamed.adjustments),
                std::borrow::Cow::Owned(_)
            ));
            let by_place = cells(&program, &outcome, false);
            assert_eq!(by_place, cells(&program, &renamed, false));
            // Every column has a cell, and a plan's missing indicator is empty.
            assert_eq!(by_place.len(), super::columns(&program).len());
            assert!(by_place.iter().any(String::is_empty));
        }
        assert_eq!(plans.len(), 2);
    }
}
