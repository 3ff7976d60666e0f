//! `kpi diff` output: the employees whose outcome moves, and the pay bill.

use std::fmt::Write;

use rust_decimal::Decimal;
use unicode_width::UnicodeWidthStr;

use crate::language::format;
use crate::tools::diff::{Delta, PolicyDiff};

/// Text for people: each changed employee with before → after and the
/// difference, then the pay bill per item and in total.
pub fn diff_text(diff: &PolicyDiff, currency: Option<&str>) -> String {
    let money = |d: Option<Decimal>| d.map_or("—".to_string(), |d| format::money(d, currency));
    let signed_money = |d: Decimal| {
        if d > Decimal::ZERO {
            format!("+{}", format::money(d, currency))
        } else {
            format::money(d, currency)
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} of {} employees change",
        diff.changes.len(),
        diff.employees
    );
    for change in &diff.changes {
        let who = match &change.name {
            Some(name) => format!("{} {name}", change.id),
            None => change.id.clone(),
        };
        let _ = writeln!(out, "\n  {who}");
        let mut rows: Vec<(String, String, String)> = Vec::new();
        if let Some(score) = &change.score {
            let show = |d: Option<Decimal>| d.map_or("—".to_string(), |d| d.to_string());
            let sign = if score.difference > Decimal::ZERO {
                "+"
            } else {
                ""
            };
            rows.push((
                "score".to_string(),
                format!("{} → {}", show(score.before), show(score.after)),
                format!("{sign}{}", score.difference),
            ));
        }
        if let Some(grade) = &change.grade {
            let show = |g: &Option<String>| g.clone().unwrap_or_else(|| "—".to_string());
            rows.push((
                "grade".to_string(),
                format!("{} → {}", show(&grade.before), show(&grade.after)),
                String::new(),
            ));
        }
        for (item, delta) in &change.pay {
            rows.push((
                item.clone(),
                format!("{} → {}", money(delta.before), money(delta.after)),
                signed_money(delta.difference),
            ));
        }
        if change.pay.len() > 1 {
            rows.push((
                "total pay".to_string(),
                format!(
                    "{} → {}",
                    money(change.total_pay.before),
                    money(change.total_pay.after)
                ),
                signed_money(change.total_pay.difference),
            ));
        }
        push_rows(&mut out, &rows);
    }
    let _ = writeln!(out, "\nPay bill");
    let mut rows: Vec<(String, String, String)> = diff
        .pay_bill
        .iter()
        .map(|(item, d)| {
            (
                item.clone(),
                format!("{} → {}", money(d.before), money(d.after)),
                bill_change(d, &signed_money),
            )
        })
        .collect();
    if diff.pay_bill.len() > 1 {
        rows.push((
            "total".to_string(),
            format!(
                "{} → {}",
                money(diff.total_pay_bill.before),
                money(diff.total_pay_bill.after)
            ),
            bill_change(&diff.total_pay_bill, &signed_money),
        ));
    }
    push_rows(&mut out, &rows);
    for (ids, which) in [
        (&diff.only_before, "the old"),
        (&diff.only_after, "the new"),
    ] {
        if !ids.is_empty() {
            let _ = writeln!(
                out,
                "\nEvaluated only by {which} policy: {}",
                ids.join(", ")
            );
        }
    }
    out
}

/// "+¥5,000.00 (+2.5%)": the change of a bill, with its share of the old bill.
fn bill_change(d: &Delta, signed_money: &impl Fn(Decimal) -> String) -> String {
    let share = match d.before {
        Some(before) if !before.is_zero() => d
            .difference
            .checked_div(before)
            .map(|r| {
                let p = (r * Decimal::ONE_HUNDRED).round_dp(2).normalize();
                if p > Decimal::ZERO {
                    format!(" (+{p}%)")
                } else {
                    format!(" ({p}%)")
                }
            })
            .unwrap_or_default(),
        _ => String::new(),
    };
    format!("{}{share}", signed_money(d.difference))
}

fn push_rows(out: &mut String, rows: &[(String, String, String)]) {
    let w0 = rows.iter().map(|r| r.0.width()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.width()).max().unwrap_or(0);
    for (a, b, c) in rows {
        let line = format!(
            "    {a}{}  {b}{}  {c}",
            " ".repeat(w0 - a.width()),
            " ".repeat(w1 - b.width())
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// CSV: one row per changed value: id, name, what, before, after, difference.
pub fn diff_csv(diff: &PolicyDiff) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["id", "name", "what", "before", "after", "difference"]);
    let show = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
    for change in &diff.changes {
        let name = change.name.clone().unwrap_or_default();
        if let Some(s) = &change.score {
            let _ = writer.write_record([
                change.id.clone(),
                name.clone(),
                "score".to_string(),
                show(s.before),
                show(s.after),
                s.difference.to_string(),
            ]);
        }
        if let Some(g) = &change.grade {
            let _ = writer.write_record([
                change.id.clone(),
                name.clone(),
                "grade".to_string(),
                g.before.clone().unwrap_or_default(),
                g.after.clone().unwrap_or_default(),
                String::new(),
            ]);
        }
        for (item, d) in &change.pay {
            let _ = writer.write_record([
                change.id.clone(),
                name.clone(),
                item.clone(),
                show(d.before),
                show(d.after),
                d.difference.to_string(),
            ]);
        }
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

pub fn diff_json(diff: &PolicyDiff) -> String {
    let mut text = serde_json::to_string_pretty(diff).unwrap_or_default();
    text.push('\n');
    text
}
