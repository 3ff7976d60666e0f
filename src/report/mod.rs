//! Outcomes out: a terminal table, CSV, or JSON.

mod csv;
mod json;
mod table;

pub use csv::csv;
pub use json::json;
pub use table::table;

use rust_decimal::Decimal;

/// A decimal as it appears in CSV and JSON: exactly the outcome's value,
/// with the scale the policy's rounding gave it.
pub(crate) fn plain(d: Decimal) -> String {
    d.to_string()
}
