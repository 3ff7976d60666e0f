//! CSV: one row per employee, one column per indicator, adjustment and pay item.

use crate::checked::CheckedPolicy;
use crate::outcome::Outcome;

pub fn csv(policy: &CheckedPolicy, outcomes: &[Outcome]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = super::columns(policy)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let _ = writer.write_record(&header);
    for outcome in outcomes {
        let _ = writer.write_record(super::cells(policy, outcome, false));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
