//! Rounding at the points a policy declares: money to its quantum (cents by
//! default), points and scores to the score precision.

use rust_decimal::Decimal;

use crate::language::ast::RoundingMode;
use crate::language::checked::Rounding;
use crate::numbers::num::Num;

/// Rounds `value` to a multiple of the rounding's quantum and gives the
/// result the quantum's number of decimals, so that 87.5 rounded to 0.01
/// reads `87.50`. `None` only if the value is too large to represent.
pub fn round(value: Decimal, rounding: Rounding) -> Option<Decimal> {
    Rounder::new(rounding)
        .round(Num::from(value))
        .map(Decimal::from)
}

/// A rounding made ready once, at compile time, for the evaluator: [`round`]
/// of its numbers. The one implementation of both.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rounder {
    /// The quantum's decimals: what a rounded number shows.
    scale: u32,
    mode: RoundingMode,
    /// A quantum that is not a power of ten (0.05, 10); `None` for 0.01 or 1.
    step: Option<Num>,
    /// A quantum of 0 (`round scores exactly`): values are kept as they are.
    exact: bool,
}

impl Rounder {
    pub fn new(rounding: Rounding) -> Rounder {
        // `0.010` is `0.01`.
        let quantum = rounding.quantum.normalize();
        let power_of_ten = quantum.mantissa() == 1;
        Rounder {
            scale: quantum.scale(),
            mode: rounding.mode,
            step: (!power_of_ten).then(|| Num::from(quantum)),
            exact: quantum.is_zero(),
        }
    }

    #[inline]
    pub fn round(&self, value: Num) -> Option<Num> {
        if self.exact {
            return Some(value);
        }
        let rounded = match self.step {
            // A power of ten (0.01, 0.1, 1): round to that many decimals.
            None => value.round_dp(self.scale, self.mode),
            // Any other step (0.05, 10): round value / step to a whole number
            // (a zero step, which the checker refuses, cannot divide: `None`).
            Some(step) => value
                .checked_div(step)?
                .round_dp(0, self.mode)
                .checked_mul(step)?,
        };
        Some(with_scale(rounded, self.scale))
    }

    /// The decimals a rounded number shows.
    pub fn scale(&self) -> u32 {
        self.scale
    }
}

/// `n` written with `scale` decimals, as `Decimal::rescale` writes it:
/// padded inline in the usual case (`100` points read `100.00`), by
/// rust_decimal otherwise.
#[inline]
fn with_scale(n: Num, scale: u32) -> Num {
    match n.padded(scale) {
        Some(padded) => padded,
        None => rescaled(n, scale),
    }
}

#[cold]
#[inline(never)]
fn rescaled(n: Num, scale: u32) -> Num {
    let mut d = Decimal::from(n);
    d.rescale(scale);
    Num::from(d)
}

/// The number of decimals a rounding shows.
pub fn decimals(rounding: Rounding) -> u32 {
    rounding.quantum.normalize().scale()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn r(q: &str, mode: RoundingMode) -> Rounding {
        Rounding {
            quantum: d(q),
            mode,
        }
    }

    #[test]
    fn half_a_cent_goes_away_from_zero() {
        let cents = Rounding::CENTS;
        assert_eq!(round(d("0.005"), cents).unwrap().to_string(), "0.01");
        assert_eq!(round(d("-0.005"), cents).unwrap().to_string(), "-0.01");
        assert_eq!(round(d("2.675"), cents).unwrap().to_string(), "2.68");
        assert_eq!(round(d("87.5"), cents).unwrap().to_string(), "87.50");
        assert_eq!(round(d("94.995"), cents).unwrap().to_string(), "95.00");
    }

    #[test]
    fn a_zero_quantum_keeps_the_value_exact() {
        // `round scores exactly`: no rounding point, every digit kept (the
        // checker refuses a step of 0 written as `to 0`).
        assert_eq!(
            round(d("2.5"), r("0", RoundingMode::HalfAwayFromZero)),
            Some(d("2.5"))
        );
        assert_eq!(
            round(
                d("24.999999999999999999999999998"),
                r("0.00", RoundingMode::Down)
            ),
            Some(d("24.999999999999999999999999998"))
        );
    }

    #[test]
    fn other_modes_and_steps() {
        assert_eq!(
            round(d("2.675"), r("0.01", RoundingMode::HalfEven))
                .unwrap()
                .to_string(),
            "2.68"
        );
        assert_eq!(
            round(d("2.665"), r("0.01", RoundingMode::HalfEven))
                .unwrap()
                .to_string(),
            "2.66"
        );
        assert_eq!(
            round(d("2.679"), r("0.01", RoundingMode::Down))
                .unwrap()
                .to_string(),
            "2.67"
        );
        assert_eq!(
            round(d("2.671"), r("0.01", RoundingMode::Up))
                .unwrap()
                .to_string(),
            "2.68"
        );
        assert_eq!(
            round(d("1234.5"), r("10", RoundingMode::HalfAwayFromZero))
                .unwrap()
                .to_string(),
            "1230"
        );
        assert_eq!(
            round(d("1235"), r("10", RoundingMode::HalfAwayFromZero))
                .unwrap()
                .to_string(),
            "1240"
        );
        assert_eq!(
            round(d("1.025"), r("0.05", RoundingMode::HalfAwayFromZero))
                .unwrap()
                .to_string(),
            "1.05"
        );
        assert_eq!(
            round(d("3.3333"), r("1", RoundingMode::HalfAwayFromZero))
                .unwrap()
                .to_string(),
            "3"
        );
    }

    /// `with_scale` is `Decimal::rescale`: the same
    /// number and the same decimals for every sign, every pair of scales,
    /// mantissas near 96 bits (where padding cannot fit and rescale keeps
    /// what fits) and negative zero.
    #[test]
    fn with_scale_writes_what_rescale_writes() {
        let mantissas: [i128; 9] = [
            0,
            1,
            -1,
            875,
            -12_345,
            999_999_999_999,
            (1 << 96) - 1,
            -((1 << 96) - 1),
            (1 << 80) + 7,
        ];
        for m in mantissas {
            for have in 0..=28u32 {
                let Ok(x) = Decimal::try_from_i128_with_scale(m, have) else {
                    continue;
                };
                for x in [x, -x] {
                    for scale in 0..=28u32 {
                        let mut expected = x;
                        expected.rescale(scale);
                        let got = Decimal::from(with_scale(Num::from(x), scale));
                        assert_eq!(got, expected, "{x} to {scale}");
                        assert_eq!(got.scale(), expected.scale(), "{x} to {scale}");
                        assert_eq!(got.to_string(), expected.to_string(), "{x} to {scale}");
                    }
                }
            }
        }
    }
}
