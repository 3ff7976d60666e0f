//! The values of the language: what an input holds and a formula gives.

use rust_decimal::Decimal;

/// A value: a record's input, or one the evaluator worked out (which it
/// holds in its slots as a `program::Slot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Num(Decimal),
    Bool(bool),
    /// A grade, by index into the policy's grades.
    Grade(u16),
    /// No value: an optional input left empty, or what depends on it.
    Missing,
}
