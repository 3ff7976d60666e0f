//! Decimal comparison on the evaluator's hot path: exactly what
//! rust_decimal decides, faster for the everyday case.
//!
//! `Decimal::cmp` is a call into a general routine that rescales both sides
//! in a 192-bit buffer. The evaluator compares some twenty times per
//! employee (bands, curve ends, the 0–100 bounds), nearly always numbers a
//! few decimals apart, so the mantissas are aligned here in 128 bits.

use std::cmp::Ordering;

use rust_decimal::Decimal;

/// Powers of ten a 96-bit mantissa can be multiplied by without leaving
/// 128 bits: 10⁹ < 2³⁰, and 96 + 30 < 127.
const POWERS: [i128; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// `a` against `b`, as `Decimal::cmp` orders them (`-0` equals `0`).
#[inline]
pub fn order(a: Decimal, b: Decimal) -> Ordering {
    let (sa, sb) = (a.scale(), b.scale());
    let (ma, mb) = (a.mantissa(), b.mantissa());
    let aligned = if sa == sb {
        Some((ma, mb))
    } else if sa < sb {
        POWERS.get((sb - sa) as usize).map(|p| (ma * p, mb))
    } else {
        POWERS.get((sa - sb) as usize).map(|p| (ma, mb * p))
    };
    match aligned {
        Some((x, y)) => x.cmp(&y),
        // Scales more than nine decimals apart: rare, left to rust_decimal.
        None => a.cmp(&b),
    }
}

/// The lesser of `a` and `b`, `a` when they are equal (as `Decimal::min`:
/// `0` and `-0` are equal, but they are written differently).
#[inline]
pub fn least(a: Decimal, b: Decimal) -> Decimal {
    if order(a, b).is_gt() { b } else { a }
}

/// The greater of `a` and `b`, `a` when they are equal (as `Decimal::max`).
#[inline]
pub fn greatest(a: Decimal, b: Decimal) -> Decimal {
    if order(a, b).is_lt() { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decimal() -> impl Strategy<Value = Decimal> {
        // Mantissas of every width up to 96 bits, every scale, both signs,
        // and small ones often, so that equal values at different scales
        // (1.5 and 1.50) come up.
        let mantissa = prop_oneof![-1000i64..1000, any::<i64>(), Just(0i64),].prop_map(i128::from);
        let wide = (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>()).prop_map(
            |(lo, mid, hi, negative)| {
                let m = i128::from(lo) | i128::from(mid) << 32 | i128::from(hi) << 64;
                if negative { -m } else { m }
            },
        );
        (
            prop_oneof![3 => mantissa, 1 => wide],
            0u32..=28,
            any::<bool>(),
        )
            .prop_map(|(m, scale, negative_zero)| {
                let mut d = Decimal::from_i128_with_scale(m, scale);
                if m == 0 && negative_zero {
                    d.set_sign_negative(true);
                }
                d
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn order_is_decimal_ord(a in decimal(), b in decimal()) {
            prop_assert_eq!(order(a, b), a.cmp(&b));
            prop_assert_eq!(order(a, a.normalize()), Ordering::Equal);
            let (x, y) = (least(a, b), greatest(a, b));
            let (ex, ey) = (a.min(b), a.max(b));
            // The same value and the same written form (scale).
            prop_assert_eq!(x.serialize(), ex.serialize());
            prop_assert_eq!(y.serialize(), ey.serialize());
        }
    }

    #[test]
    fn equal_values_at_different_scales_are_equal() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(order(d("1.5"), d("1.50")), Ordering::Equal);
        assert_eq!(order(d("-0.00"), d("0")), Ordering::Equal);
        assert_eq!(order(d("0.0100"), d("0.02")), Ordering::Less);
        assert_eq!(order(d("-1"), d("-0.999999999999")), Ordering::Less);
        // Eleven decimals apart: rust_decimal decides.
        assert_eq!(order(d("1"), d("1.00000000001")), Ordering::Less);
    }
}
