//! JSON files: an array of objects, one per employee. Numbers keep their
//! exact text (serde_json's `arbitrary_precision`), so 0.1 stays 0.1.

use serde_json::Value as Json;

use super::{Cell, RawRow, RawTable};

pub(super) fn read(bytes: &[u8]) -> Result<RawTable, String> {
    let json: Json = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let Json::Array(items) = json else {
        return Err("expected a JSON array of objects, one per employee".to_string());
    };
    // The header: every key, in the order first seen.
    let mut headers: Vec<String> = Vec::new();
    for item in &items {
        if let Json::Object(map) = item {
            for key in map.keys() {
                if !headers.contains(key) {
                    headers.push(key.clone());
                }
            }
        }
    }
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Json::Object(map) = item else {
            return Err(format!("record {} is not an object", i + 1));
        };
        let cells = headers
            .iter()
            .map(|h| match map.get(h) {
                None | Some(Json::Null) => Cell::Empty,
                Some(Json::String(s)) if s.trim().is_empty() => Cell::Empty,
                Some(Json::String(s)) => Cell::Text(s.clone()),
                Some(Json::Number(n)) => Cell::Number(n.to_string()),
                Some(Json::Bool(b)) => Cell::Bool(*b),
                Some(other) => Cell::Text(other.to_string()),
            })
            .collect();
        rows.push(RawRow {
            number: i + 1,
            cells,
        });
    }
    Ok(RawTable {
        headers,
        rows,
        row_word: "record",
    })
}
