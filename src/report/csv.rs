//! CSV: one row per employee, one column per indicator, adjustment and pay item.

use crate::checked::CheckedPolicy;
use crate::outcome::Outcome;

use super::plain;

pub fn csv(policy: &CheckedPolicy, outcomes: &[Outcome]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec![policy.id_column.clone()];
    if let Some(name) = &policy.name_column {
        header.push(name.clone());
    }
    header.extend(policy.indicators.iter().map(|i| i.name.clone()));
    header.extend(policy.adjustments.iter().map(|a| a.name.clone()));
    if policy.has_score() {
        header.push("score".to_string());
    }
    if !policy.grades.is_empty() {
        header.push("grade".to_string());
    }
    header.extend(policy.pay.iter().map(|p| p.name.clone()));
    let _ = writer.write_record(&header);
    for outcome in outcomes {
        let mut row: Vec<String> = vec![outcome.id.clone()];
        if policy.name_column.is_some() {
            row.push(outcome.name.clone().unwrap_or_default());
        }
        row.extend(outcome.indicators.values().map(|d| plain(*d)));
        row.extend(outcome.adjustments.values().map(|d| plain(*d)));
        if policy.has_score() {
            row.push(outcome.score.map(plain).unwrap_or_default());
        }
        if !policy.grades.is_empty() {
            row.push(outcome.grade.clone().unwrap_or_default());
        }
        row.extend(outcome.pay.values().map(|d| plain(*d)));
        let _ = writer.write_record(&row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
