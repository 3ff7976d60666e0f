//! JSON: an array of outcomes. Keys and maps keep the policy's order and
//! decimals are strings, so the same data always gives the same bytes.

use crate::engine::outcome::Outcome;

pub fn json(outcomes: &[Outcome]) -> String {
    let mut text = serde_json::to_string_pretty(outcomes)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
