//! Rounding at the points a policy declares: money to its quantum (cents by
//! default), points and scores to the score precision.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::ast::RoundingMode;
use crate::checked::Rounding;

fn strategy(mode: RoundingMode) -> RoundingStrategy {
    match mode {
        RoundingMode::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
        RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
        RoundingMode::Down => RoundingStrategy::ToZero,
        RoundingMode::Up => RoundingStrategy::AwayFromZero,
    }
}

/// Rounds `value` to a multiple of the rounding's quantum and gives the
/// result the quantum's number of decimals, so that 87.5 rounded to 0.01
/// reads `87.50`. `None` only if the value is too large to represent.
pub fn round(value: Decimal, rounding: Rounding) -> Option<Decimal> {
    // `0.010` is `0.01`; most quanta are written normalised already.
    let quantum = match rounding.quantum {
        // The usual quanta (0.01, 1) first, without the division below.
        q if q.mantissa() == 1 => q,
        q if q.scale() > 0 && q.mantissa() % 10 == 0 => q.normalize(),
        q => q,
    };
    let scale = quantum.scale();
    let rounded = if quantum.mantissa() == 1 {
        // A power of ten (0.01, 0.1, 1): round to that many decimals.
        value.round_dp_with_strategy(scale, strategy(rounding.mode))
    } else {
        // Any other step (0.05, 10): round value / step to a whole number.
        value
            .checked_div(quantum)?
            .round_dp_with_strategy(0, strategy(rounding.mode))
            .checked_mul(quantum)?
    };
    Some(with_scale(rounded, scale))
}

/// `d` written with `scale` decimals. `Decimal::rescale` does this too,
/// but it writes the number field by field in memory, and reading it back
/// whole then stalls; padding a number with fewer decimals (the usual case:
/// `100` points read `100.00`) is one multiplication of its mantissa here.
fn with_scale(d: Decimal, scale: u32) -> Decimal {
    let have = d.scale();
    if have == scale {
        return d;
    }
    if have < scale {
        let padded = 10u128
            .checked_pow(scale - have)
            .and_then(|power| d.mantissa().unsigned_abs().checked_mul(power))
            // Zero keeps its sign through rescale (`-0.00`), not through from_parts.
            .filter(|m| *m != 0 && *m < 1 << 96);
        if let Some(m) = padded {
            // The three 32-bit words of a 96-bit mantissa.
            let word = |shift: u32| (m >> shift) as u32;
            return Decimal::from_parts(word(0), word(32), word(64), d.is_sign_negative(), scale);
        }
    }
    let mut d = d;
    d.rescale(scale);
    d
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

    /// `with_scale` is `Decimal::rescale` without its stall: the same
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
                        let got = with_scale(x, scale);
                        assert_eq!(got, expected, "{x} to {scale}");
                        assert_eq!(got.scale(), expected.scale(), "{x} to {scale}");
                        assert_eq!(got.to_string(), expected.to_string(), "{x} to {scale}");
                    }
                }
            }
        }
    }
}
