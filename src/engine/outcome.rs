//! The outcome of evaluating one employee: indicator points, score, grade and
//! pay, exact to the declared precision. Serializes with serde: decimals are
//! strings with a fixed number of decimals (`"87.50"`, `"3900.00"`), maps keep
//! the policy's order, so JSON output is stable enough to pin in snapshots.

use rust_decimal::Decimal;
use serde::Serialize;

pub use crate::engine::scores::{Name, Scores};

/// `Default` is an outcome with nothing in it, for
/// [`crate::engine::program::Program::evaluate_into`] to fill.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Outcome {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The plan the employee was appraised under, for a policy with plans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Points of each indicator (0–100), by indicator name.
    /// `None` (null in JSON) for an indicator left out for a missing value.
    pub indicators: Scores<Option<Decimal>>,
    /// Each indicator's points × weight, exact, by indicator name.
    #[serde(skip_serializing_if = "Scores::is_empty")]
    pub contributions: Scores<Option<Decimal>>,
    /// Σ points × weight, exact, before bonuses and deductions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighted_score: Option<Decimal>,
    /// Points of each bonus (positive) and deduction (negative) item.
    #[serde(skip_serializing_if = "Scores::is_empty")]
    pub adjustments: Scores<Decimal>,
    /// The final score, clamped and rounded.
    pub score: Option<Decimal>,
    pub grade: Option<String>,
    /// The grade the score alone would give, when a veto changed it.
    pub grade_by_score: Option<String>,
    /// Vetoes that applied, by their reason (always present, so that every
    /// outcome has the same fields).
    pub vetoes: Vec<String>,
    /// Each pay item, rounded per the policy.
    pub pay: Scores<Decimal>,
    /// The group the quotas count this person in (`quotas per 部门`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Forced ranking: the person's rank in the group, and the quota that
    /// moved their grade (`grade_by_score` then holds the score's grade).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranking: Option<RankingNote>,
    /// The general manager's final adjustment: what it replaced, with what,
    /// and why.
    #[serde(rename = "override", skip_serializing_if = "Option::is_none")]
    pub final_adjustment: Option<AdjustmentNote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdjustmentNote {
    /// `score` or `grade`.
    pub target: crate::language::ast::OverrideTarget,
    /// The score or grade before the adjustment.
    pub before: String,
    pub after: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankingNote {
    pub rank: usize,
    pub of: usize,
    /// The quota that moved the grade, as written (`C + D >= 30%`); none
    /// when the grade was not changed.
    pub quota: Option<String>,
}

/// How much of an outcome is worked out when it is filled: everything
/// (JSON, explanations, the library's API), or what the report's columns
/// show (the CSV line), which leaves out each indicator's contribution
/// (its points × weight) and the weighted score before rounding: putting
/// those in order was 3% of a large CSV run. An outcome filled for the
/// columns has none of them at all, never stale ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    #[default]
    Full,
    Columns,
}

/// `text` in place of what `to` held, in its buffer.
#[inline]
pub(crate) fn replace_text(to: &mut String, text: &str) {
    to.clear();
    to.push_str(text);
}

/// [`replace_text`] for a text that may be absent.
#[inline]
pub(crate) fn replace_optional_text(to: &mut Option<String>, text: Option<&str>) {
    match (to.as_mut(), text) {
        (Some(to), Some(text)) => replace_text(to, text),
        (None, Some(text)) => *to = Some(text.to_string()),
        (_, None) => *to = None,
    }
}

/// An exact value shown with at least `decimals` decimals: `96.70`, `21.875`.
pub(crate) fn at_least(d: Decimal, decimals: u32) -> Decimal {
    if d.is_zero() || d.scale() <= decimals {
        // Zero (negative zero too) and short values: just more decimals.
        let mut d = if d.is_zero() { Decimal::ZERO } else { d };
        d.rescale(decimals);
        return d;
    }
    // Trailing zeros dropped, down to `decimals` (what normalising and
    // rescaling would give, without dividing the whole mantissa down).
    let (mantissa, mut scale) = (d.mantissa(), d.scale());
    let mut digits = mantissa.unsigned_abs();
    // Most mantissas fit 64 bits, where dividing by ten is a multiplication;
    // a 128-bit division is a call into a slow routine.
    if let Ok(mut small) = u64::try_from(digits) {
        while scale > decimals && small % 10 == 0 {
            small /= 10;
            scale -= 1;
        }
        digits = u128::from(small);
    } else {
        while scale > decimals && digits % 10 == 0 {
            digits /= 10;
            scale -= 1;
        }
    }
    let Ok(digits) = i128::try_from(digits) else {
        return d;
    };
    let mantissa = if mantissa < 0 { -digits } else { digits };
    Decimal::try_from_i128_with_scale(mantissa, scale).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::at_least;
    use rust_decimal::Decimal;

    /// `at_least` is normalising, then adding decimals up to the score's.
    #[test]
    fn at_least_keeps_the_value_and_shows_at_least_the_decimals() {
        let slow = |d: Decimal, decimals: u32| {
            let mut d = d.normalize();
            if d.scale() < decimals {
                d.rescale(decimals);
            }
            d
        };
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..3_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let zeros = 10u64.pow((x % 6) as u32);
            let m = i128::from((x >> 40) * zeros) * if x % 3 == 0 { -1 } else { 1 };
            for scale in [0, 1, 2, 4, 6, 12, 28] {
                let Ok(d) = Decimal::try_from_i128_with_scale(m, scale) else {
                    continue;
                };
                for decimals in [0, 2, 4] {
                    let (fast, slow) = (at_least(d, decimals), slow(d, decimals));
                    assert_eq!(fast.to_string(), slow.to_string(), "{d} at {decimals}");
                }
            }
        }
        let mut negative_zero = Decimal::new(0, 3);
        negative_zero.set_sign_negative(true);
        assert_eq!(at_least(negative_zero, 2).to_string(), "0.00");
        assert_eq!(at_least(Decimal::new(187_500, 4), 2).to_string(), "18.75");
        assert_eq!(at_least(Decimal::new(218_750, 4), 2).to_string(), "21.875");
        assert_eq!(at_least(Decimal::new(75, 1), 2).to_string(), "7.50");
    }
}
