//! What a company does with everyone's outcomes together: the grade
//! `distribution` against the quotas, forced `ranking`, and the `year`
//! rolled up from the quarters.

pub mod distribution;
pub mod ranking;
pub mod year;
