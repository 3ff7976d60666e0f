//! A table for the terminal: aligned columns (Chinese characters count
//! double), then the distribution of grades.

use unicode_width::UnicodeWidthStr;

use super::Kind;
use crate::company::distribution::{GroupDistribution, Tally};
use crate::engine::outcome::Outcome;
use crate::engine::program::Program;
use crate::language::checked::{CheckedPolicy, HeadcountRounding};

pub fn table(program: &Program, outcomes: &[Outcome]) -> String {
    let policy = program.policy();
    let mut columns = super::columns(program);
    let mut rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| super::cells(program, o, true))
        .collect();
    // A table is read by people: a column no row fills (another plan's
    // indicator, an override nobody got) is left out. CSV, JSON and xlsx
    // keep every column, so that their shape does not depend on the data.
    let filled: Vec<bool> = (0..columns.len())
        .map(|c| c == 0 || rows.iter().any(|r| r.get(c).is_some_and(|s| !s.is_empty())))
        .collect();
    if !rows.is_empty() {
        let keep = |c: &usize| filled.get(*c).copied().unwrap_or(true);
        columns = columns
            .into_iter()
            .enumerate()
            .filter(|(c, _)| keep(c))
            .map(|(_, x)| x)
            .collect();
        for row in &mut rows {
            *row = std::mem::take(row)
                .into_iter()
                .enumerate()
                .filter(|(c, _)| keep(c))
                .map(|(_, x)| x)
                .collect();
        }
    }
    let header: Vec<String> = columns.iter().map(|(name, _)| name.clone()).collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            std::iter::once(&header)
                .chain(&rows)
                .filter_map(|r| r.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut text = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let width = widths.get(c).copied().unwrap_or(0);
            let pad = " ".repeat(width.saturating_sub(cell.width()));
            if c > 0 {
                text.push_str("  ");
            }
            // Text is left-aligned, numbers right-aligned.
            if columns.get(c).is_some_and(|(_, kind)| *kind == Kind::Text) {
                text.push_str(cell);
                text.push_str(&pad);
            } else {
                text.push_str(&pad);
                text.push_str(cell);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header);
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    line(&rule);
    for row in &rows {
        line(row);
    }
    out.push_str(&distribution(policy, outcomes));
    out
}

/// Count, share and a bar for each grade, per quota group, and each quota
/// beside the count it allows or requires.
fn distribution(policy: &CheckedPolicy, outcomes: &[Outcome]) -> String {
    if policy.grades.is_empty() || outcomes.is_empty() {
        return String::new();
    }
    let distribution = Tally::of(policy, outcomes);
    let mut out = String::new();
    for group in &distribution.groups {
        out.push_str(&group_table(policy, group));
    }
    out
}

fn group_table(policy: &CheckedPolicy, group: &GroupDistribution) -> String {
    let total = group.people.max(1);
    let mut out = match &group.group {
        Some(name) => format!("\nGrades: {name} ({} people)\n", group.people),
        None => "\nGrades\n".to_string(),
    };
    let width = policy
        .grades
        .iter()
        .map(|g| g.name.width())
        .max()
        .unwrap_or(1);
    for (name, &count) in &group.counts {
        // Integer arithmetic: the share is shown to one decimal, exactly rounded.
        let tenths = (count * 1000 + total / 2) / total;
        let bar = "█".repeat((count * 40).div_ceil(total).min(40));
        let pad = " ".repeat(width - name.width());
        out.push_str(&format!(
            "  {name}{pad}  {count:>4}  {:>3}.{}%  {bar}\n",
            tenths / 10,
            tenths % 10
        ));
    }
    if !group.quotas.is_empty() {
        let rounding = match policy.quotas.as_ref().map(|q| q.rounding) {
            Some(HeadcountRounding::HalfUp) => "headcounts rounded half-up",
            _ => "headcounts rounded strictly: at most rounds down, at least rounds up",
        };
        out.push_str(&format!("  Quotas ({rounding})\n"));
        let width = group
            .quotas
            .iter()
            .map(|q| q.quota.width())
            .max()
            .unwrap_or(0);
        for q in &group.quotas {
            let pad = " ".repeat(width - q.quota.width());
            let bound = if q.at_most { "at most" } else { "at least" };
            let mark = if q.holds { "ok" } else { "BROKEN" };
            out.push_str(&format!(
                "  {}{pad}  {:>4} {}, {bound} {:<4}  {mark}\n",
                q.quota,
                q.actual,
                if q.actual == 1 { "person" } else { "people" },
                q.limit
            ));
        }
    }
    out
}
