//! CSV: one row per employee, one column per indicator, adjustment and pay item.

use crate::engine::outcome::Outcome;
use crate::engine::program::Program;

pub fn csv(program: &Program, outcomes: &[Outcome]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = super::columns(program)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let _ = writer.write_record(&header);
    for outcome in outcomes {
        let _ = writer.write_record(super::cells(program, outcome, false));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
