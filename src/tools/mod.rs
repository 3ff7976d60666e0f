//! The tools around a policy: `explain` one number, run its examples
//! (`testing`), compare two versions (`diff`), lay it out (`formatter`),
//! make data for it (`generate`), and prove what it can pay (`analysis`).

pub mod analysis;
pub mod diff;
pub mod explain;
pub mod formatter;
pub mod generate;
pub mod testing;
