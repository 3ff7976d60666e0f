//! Running one employee's record: a checked policy compiled to a flat
//! program (`compile` → `program`), evaluated (`eval`) to an `outcome`,
//! rounded by the policy's rules (`round`).

pub mod compile;
pub mod eval;
pub(crate) mod frame;
pub mod outcome;
pub mod program;
pub mod record;
pub mod round;
pub mod scores;
pub mod trace;
