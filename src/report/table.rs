//! A table for the terminal: aligned columns (Chinese characters count
//! double), then the distribution of grades.

use unicode_width::UnicodeWidthStr;

use super::Kind;
use crate::checked::CheckedPolicy;
use crate::outcome::Outcome;

pub fn table(policy: &CheckedPolicy, outcomes: &[Outcome]) -> String {
    let columns = super::columns(policy);
    let header: Vec<String> = columns.iter().map(|(name, _)| name.clone()).collect();
    let rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| super::cells(policy, o, true))
        .collect();
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

/// Count, share and a bar for each grade.
fn distribution(policy: &CheckedPolicy, outcomes: &[Outcome]) -> String {
    if policy.grades.is_empty() || outcomes.is_empty() {
        return String::new();
    }
    let total = outcomes.len();
    let mut out = String::from("\nGrades\n");
    let width = policy
        .grades
        .iter()
        .map(|g| g.name.width())
        .max()
        .unwrap_or(1);
    for grade in &policy.grades {
        let count = outcomes
            .iter()
            .filter(|o| o.grade.as_deref() == Some(&grade.name))
            .count();
        // Integer arithmetic: the share is shown to one decimal, exactly rounded.
        let tenths = (count * 1000 + total / 2) / total;
        let bar = "█".repeat((count * 40).div_ceil(total.max(1)).min(40));
        let pad = " ".repeat(width - grade.name.width());
        out.push_str(&format!(
            "  {}{pad}  {count:>4}  {:>3}.{}%  {bar}\n",
            grade.name,
            tenths / 10,
            tenths % 10
        ));
    }
    out
}
