//! Exact decimal numbers, beneath everything else: reading a number's text
//! exactly, never rounding (`decimal`), and the evaluator's inline 128-bit
//! decimal, bit for bit rust_decimal's results (`num`).

pub mod decimal;
pub(crate) mod num;
