//! `kpi analyze` for people: the bounds of each plan as a short table.

use std::fmt::Write;

use crate::language::checked::CheckedPolicy;
use crate::language::format;
use crate::tools::analysis::{Analysis, Range};

/// The analysis as text: per plan, each indicator's points, the score, the
/// grades reached and each pay item's bounds.
pub fn analysis_text(analysis: &Analysis, policy: &CheckedPolicy) -> String {
    let mut out = String::new();
    let money = |d| format::money(d, policy.currency.as_deref());
    let points = |d: rust_decimal::Decimal| format::number(d);
    for plan in &analysis.plans {
        match &plan.plan {
            Some(name) => {
                let label = policy
                    .plans
                    .iter()
                    .find(|p| &p.name == name)
                    .and_then(|p| p.label.as_deref())
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default();
                let _ = writeln!(out, "plan {name}{label}");
            }
            None => {
                let _ = writeln!(out, "{}", analysis.policy);
            }
        }
        let mut rows: Vec<(String, String)> = Vec::new();
        for v in &plan.values {
            let ty = policy
                .values
                .iter()
                .find(|x| x.name == v.name)
                .map(|x| x.expr.ty);
            let shown = match ty {
                Some(crate::language::types::Ty::Ratio) => v.range.show(format::percent),
                Some(crate::language::types::Ty::Money) => show_money(&v.range, &money),
                _ => v.range.show(points),
            };
            let missing = if v.can_be_left_out {
                ", or missing"
            } else {
                ""
            };
            rows.push((format!("value {}", v.name), format!("{shown}{missing}")));
        }
        for i in &plan.indicators {
            let left_out = if i.can_be_left_out {
                ", or left out"
            } else {
                ""
            };
            rows.push((
                format!("indicator {}", i.name),
                format!("{} points{left_out}", i.range.show(points)),
            ));
        }
        for a in &plan.adjustments {
            rows.push((
                format!("bonus/deduction {}", a.name),
                format!("{} points", a.range.show(points)),
            ));
        }
        if let Some(score) = &plan.score {
            rows.push(("score".to_string(), score.show(points)));
        }
        if !plan.grades.is_empty() && plan.score.is_some() {
            let reached: Vec<String> = plan
                .grades
                .iter()
                .filter(|g| g.by_score || g.by_veto)
                .map(|g| {
                    if g.by_score {
                        g.grade.clone()
                    } else {
                        format!("{} (by veto only)", g.grade)
                    }
                })
                .collect();
            let never: Vec<&str> = plan
                .grades
                .iter()
                .filter(|g| !g.by_score && !g.by_veto)
                .map(|g| g.grade.as_str())
                .collect();
            let mut text = reached.join(" ");
            if !never.is_empty() {
                text.push_str(&format!("; never {}", never.join(" ")));
            }
            rows.push(("grades".to_string(), text));
        }
        for p in &plan.pay {
            let mut text = show_money(&p.range, &money);
            if let Some(rel) = &p.relative {
                let f = |d: rust_decimal::Decimal| {
                    if d.is_zero() {
                        "0".to_string()
                    } else {
                        format!("{} × {}", format::number(d), rel.base)
                    }
                };
                text = format!("{}  ({text})", rel.factor.show(f));
            }
            rows.push((format!("pay {}", p.name), text));
        }
        let proved: Vec<&str> = plan
            .monotone
            .iter()
            .filter(|m| m.proved)
            .map(|m| m.input.as_str())
            .collect();
        let unproved: Vec<&str> = plan
            .monotone
            .iter()
            .filter(|m| !m.proved)
            .map(|m| m.input.as_str())
            .collect();
        if !proved.is_empty() {
            rows.push((
                "monotone (proved)".to_string(),
                format!("a better {} never lowers the score", proved.join(", ")),
            ));
        }
        if !unproved.is_empty() {
            rows.push(("monotone (not proved)".to_string(), unproved.join(", ")));
        }
        let width = rows
            .iter()
            .map(|(k, _)| unicode_width::UnicodeWidthStr::width(k.as_str()))
            .max()
            .unwrap_or(0);
        for (k, v) in rows {
            let pad = width - unicode_width::UnicodeWidthStr::width(k.as_str());
            let _ = writeln!(out, "  {k}{}  {v}", " ".repeat(pad));
        }
        out.push('\n');
    }
    out
}

fn show_money(range: &Range, money: &impl Fn(rust_decimal::Decimal) -> String) -> String {
    match (range.lo, range.hi) {
        (Some(lo), None) => format!("{} … no upper bound", money(lo)),
        _ => range.show(money),
    }
}

/// The pay bill: per pay item, the total and one grade either way.
pub fn bill_text(bill: &crate::tools::analysis::bill::PayBill, policy: &CheckedPolicy) -> String {
    let money = |d| format::money(d, policy.currency.as_deref());
    let mut out = format!(
        "pay bill of {} ({} failed, left out)\n",
        if bill.people == 1 {
            "1 employee".to_string()
        } else {
            format!("{} employees", bill.people)
        },
        bill.failed
    );
    let change = |new: rust_decimal::Decimal, old: rust_decimal::Decimal| {
        let diff = new - old;
        let sign = if diff.is_sign_negative() { "−" } else { "+" };
        format!("{sign}{}", money(diff.abs()))
    };
    let width = bill
        .items
        .iter()
        .map(|i| unicode_width::UnicodeWidthStr::width(i.name.as_str()))
        .max()
        .unwrap_or(0);
    for item in &bill.items {
        let pad = width - unicode_width::UnicodeWidthStr::width(item.name.as_str());
        let _ = writeln!(
            out,
            "  {}{}  {:>16}   one grade up {} ({})   one grade down {} ({})",
            item.name,
            " ".repeat(pad),
            money(item.total),
            money(item.one_grade_up),
            change(item.one_grade_up, item.total),
            money(item.one_grade_down),
            change(item.one_grade_down, item.total),
        );
    }
    out
}

/// One line for `kpi check`: the score's range over every plan and each pay
/// item's, as multiples of its base where every plan has one.
pub fn summary_line(analysis: &Analysis, policy: &CheckedPolicy) -> String {
    use crate::tools::analysis::domain_hull;
    let mut parts = Vec::new();
    let scores: Vec<Range> = analysis.plans.iter().filter_map(|p| p.score).collect();
    if let Some(score) = scores.into_iter().reduce(domain_hull) {
        parts.push(format!("score {}", score.show(format::number)));
    }
    for (i, item) in policy.pay.iter().enumerate() {
        let items: Vec<&crate::tools::analysis::PayBound> =
            analysis.plans.iter().filter_map(|p| p.pay.get(i)).collect();
        let relative: Option<Vec<&crate::tools::analysis::Relative>> =
            items.iter().map(|p| p.relative.as_ref()).collect();
        let text = match relative {
            Some(rel) if !rel.is_empty() && rel.iter().all(|r| r.base == rel[0].base) => {
                let base = &rel[0].base;
                let factor = rel.iter().map(|r| r.factor).reduce(domain_hull);
                factor.map(|f| {
                    f.show(|d| {
                        if d.is_zero() {
                            "0".to_string()
                        } else {
                            format!("{} × {base}", format::number(d))
                        }
                    })
                })
            }
            _ => items
                .iter()
                .map(|p| p.range)
                .reduce(domain_hull)
                .map(|r| show_money(&r, &|d| format::money(d, policy.currency.as_deref()))),
        };
        if let Some(text) = text {
            parts.push(format!("{} {text}", item.name));
        }
    }
    parts.join("; ")
}
