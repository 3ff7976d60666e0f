//! Exact decimal numbers, beneath everything else: reading a number's text
//! exactly, never rounding (`decimal`), and the evaluator's inline 128-bit
//! decimal, bit for bit rust_decimal's results (`num`), and the rules they
//! round by (`rounding`).

pub mod decimal;
pub(crate) mod num;
pub mod rounding;
