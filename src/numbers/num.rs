//! The evaluator's numbers: rust_decimal's `Decimal`, kept in a form the
//! processor holds in two registers, with the everyday operations done
//! inline. Every result is bit for bit what rust_decimal gives (the same
//! value, the same scale, the same sign of zero); property tests below
//! check each operation against it. What is not everyday (a division, a
//! result past 96 bits or 28 decimals, a sum of numbers more than nine
//! decimals apart) is handed to rust_decimal.
//!
//! Why: `Decimal` is four 32-bit fields. Passed between functions, inside an
//! `Option` or a `Result`, it is written to memory piece by piece and read
//! back whole, and every such read stalls the processor; the walk of a
//! formula moves a number through a dozen of these per indicator. A `Num`
//! is one 128-bit integer: it moves in registers or as two 64-bit words.

use std::cmp::Ordering;

use rust_decimal::{Decimal, RoundingStrategy};

use super::rounding::RoundingMode;

/// A decimal as one 128-bit word: the magnitude of the mantissa in bits
/// 0–95, the scale (0–28) in bits 96–103, the sign in bit 127.
#[derive(Clone, Copy, Debug, Default)]
pub struct Num(u128);

/// The largest 96-bit magnitude.
const MAGNITUDE: u128 = (1 << 96) - 1;
const SCALE_SHIFT: u32 = 96;
const SIGN: u128 = 1 << 127;
/// A `Decimal`'s largest scale.
const MAX_SCALE: u32 = 28;

/// Powers of ten: 10⁰ to 10²⁸, the most decimals a number has.
const POWERS_128: [u128; 29] = {
    let mut powers = [1u128; 29];
    let mut i = 1;
    while i < 29 {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

/// The powers a 96-bit magnitude can be multiplied by without leaving 128
/// bits, unchecked: 10⁹ < 2³⁰, and 96 + 30 < 127.
const POWERS: &[u128] = POWERS_128.split_at(10).0;

impl Num {
    pub const ZERO: Num = Num(0);
    pub const ONE_HUNDRED: Num = Num(100);

    /// A number from its parts, as `Decimal::from_parts` makes it: a zero
    /// magnitude is positive.
    #[inline]
    pub(crate) fn new(magnitude: u128, scale: u32, negative: bool) -> Num {
        let sign = if negative && magnitude != 0 { SIGN } else { 0 };
        Num(magnitude | u128::from(scale) << SCALE_SHIFT | sign)
    }

    /// As [`Num::new`], but a zero keeps its sign.
    #[inline]
    fn with_sign(magnitude: u128, scale: u32, negative: bool) -> Num {
        let sign = if negative { SIGN } else { 0 };
        Num(magnitude | u128::from(scale) << SCALE_SHIFT | sign)
    }

    #[inline]
    fn magnitude(self) -> u128 {
        self.0 & MAGNITUDE
    }

    #[inline]
    pub fn scale(self) -> u32 {
        (self.0 >> SCALE_SHIFT) as u32 & 0xff
    }

    #[inline]
    pub fn is_sign_negative(self) -> bool {
        self.0 & SIGN != 0
    }

    #[inline]
    pub fn is_zero(self) -> bool {
        self.magnitude() == 0
    }

    /// The mantissa with its sign.
    #[inline]
    fn signed(self) -> i128 {
        let m = self.magnitude() as i128;
        if self.is_sign_negative() { -m } else { m }
    }

    #[inline]
    pub fn decimal(self) -> Decimal {
        let m = self.magnitude();
        let mut d = Decimal::from_parts(
            m as u32,
            (m >> 32) as u32,
            (m >> 64) as u32,
            false,
            self.scale(),
        );
        // Set afterwards: `from_parts` drops the sign of a zero, and
        // `-0.00` keeps it.
        d.set_sign_negative(self.is_sign_negative());
        d
    }

    #[inline]
    pub fn abs(self) -> Num {
        Num(self.0 & !SIGN)
    }

    #[inline(always)]
    pub fn checked_add(self, other: Num) -> Option<Num> {
        self.add_or_sub(other, false)
    }

    #[inline(always)]
    pub fn checked_sub(self, other: Num) -> Option<Num> {
        self.add_or_sub(other, true)
    }

    /// Addition, and subtraction as the addition of `-other`, by
    /// rust_decimal's rules: a zero operand gives the other one as it is
    /// (its scale kept); otherwise the result has the larger scale.
    #[inline(always)]
    fn add_or_sub(self, other: Num, subtract: bool) -> Option<Num> {
        if self.is_zero() {
            return Some(if subtract && !other.is_zero() {
                -other
            } else {
                other
            });
        }
        if other.is_zero() {
            return Some(self);
        }
        let (sa, sb) = (self.scale(), other.scale());
        let (a, b, scale) = if sa == sb {
            (self.magnitude(), other.magnitude(), sa)
        } else if sa < sb {
            match aligned_magnitude(self.magnitude(), sb - sa) {
                Some(a) => (a, other.magnitude(), sb),
                None => return self.slow(other, add_or_sub(subtract)),
            }
        } else {
            match aligned_magnitude(other.magnitude(), sa - sb) {
                Some(b) => (self.magnitude(), b, sa),
                None => return self.slow(other, add_or_sub(subtract)),
            }
        };
        let negative = self.is_sign_negative();
        let opposite = subtract ^ (negative != other.is_sign_negative());
        let (magnitude, negative) = match (opposite, a >= b) {
            (false, _) => (a + b, negative),
            (true, true) => (a - b, negative),
            (true, false) => (b - a, !negative),
        };
        if magnitude <= MAGNITUDE {
            Some(Num::new(magnitude, scale, negative))
        } else {
            // Past 96 bits rust_decimal gives up decimals to fit.
            self.slow(other, add_or_sub(subtract))
        }
    }

    /// Multiplication: a zero operand gives a plain zero (`0`, whatever the
    /// scales), as rust_decimal's does; otherwise the scales add up.
    #[inline(always)]
    pub fn checked_mul(self, other: Num) -> Option<Num> {
        if self.is_zero() || other.is_zero() {
            return Some(Num::ZERO);
        }
        let scale = self.scale() + other.scale();
        let negative = self.is_sign_negative() != other.is_sign_negative();
        match self.magnitude().checked_mul(other.magnitude()) {
            Some(m) if m <= MAGNITUDE && scale <= MAX_SCALE => Some(Num::new(m, scale, negative)),
            // Past 96 bits or 28 decimals rust_decimal rounds to fit.
            _ => self.slow(other, Decimal::checked_mul),
        }
    }

    /// Division, by rust_decimal, called directly rather than through
    /// [`Num::slow`]: it is the usual case of the slow ones (every ratio).
    #[inline(never)]
    pub fn checked_div(self, other: Num) -> Option<Num> {
        self.decimal().checked_div(other.decimal()).map(Num::from)
    }

    /// An operation done by rust_decimal.
    #[cold]
    #[inline(never)]
    fn slow(self, other: Num, op: fn(Decimal, Decimal) -> Option<Decimal>) -> Option<Num> {
        op(self.decimal(), other.decimal()).map(Num::from)
    }

    /// Rounded to `dp` decimals, as `Decimal::round_dp_with_strategy`: a
    /// number with no more decimals is left as it is; a zero keeps its sign.
    #[inline(always)]
    pub fn round_dp(self, dp: u32, mode: RoundingMode) -> Num {
        let scale = self.scale();
        if scale <= dp {
            return self;
        }
        if self.is_zero() {
            return Num::with_sign(0, dp, self.is_sign_negative());
        }
        let m = self.magnitude();
        let diff = (scale - dp) as usize;
        // In 64 bits when the number fits (a division's quotient, with its
        // 28 digits, does not), else in 128.
        // 10¹⁹ is the largest power of ten in 64 bits.
        let power_64 = POWERS_128
            .get(diff)
            .filter(|_| diff <= 19)
            .map(|p| *p as u64);
        let (kept, dropped, power) = match (u64::try_from(m), power_64) {
            (Ok(m), Some(power)) => (
                u128::from(m / power),
                u128::from(m % power),
                u128::from(power),
            ),
            _ => match POWERS_128.get(diff) {
                // One 128-bit division (a call), not a second for `%`.
                Some(&power) => {
                    let kept = m / power;
                    (kept, m - kept * power, power)
                }
                None => return self.round_dp_slowly(dp, mode),
            },
        };
        let half = power / 2;
        let up = match mode {
            RoundingMode::HalfAwayFromZero => dropped >= half,
            RoundingMode::HalfEven => dropped > half || (dropped == half && kept & 1 == 1),
            RoundingMode::Down => false,
            RoundingMode::Up => dropped != 0,
        };
        Num::new(kept + u128::from(up), dp, self.is_sign_negative())
    }

    /// Not reached for a number's scales (at most 28 decimals are dropped,
    /// and every power to 10²⁸ is in the table); kept so that no input can
    /// make rounding index past it.
    #[cold]
    #[inline(never)]
    fn round_dp_slowly(self, dp: u32, mode: RoundingMode) -> Num {
        Num::from(self.decimal().round_dp_with_strategy(dp, strategy(mode)))
    }

    /// Written with `scale` decimals, as `Decimal::rescale` writes it when
    /// that adds at most nine decimals (`100` → `100.00`) and the mantissa
    /// fits; `None` otherwise (fewer decimals, more than nine more, past 96
    /// bits or 28 decimals), for the caller to rescale with rust_decimal.
    #[inline]
    pub fn padded(self, scale: u32) -> Option<Num> {
        let have = self.scale();
        if have == scale {
            return Some(self);
        }
        if scale > MAX_SCALE {
            return None;
        }
        let power = POWERS.get(scale.checked_sub(have)? as usize)?;
        let m = self.magnitude() * power;
        (m <= MAGNITUDE).then(|| Num::with_sign(m, scale, self.is_sign_negative()))
    }
}

/// `-n`; a zero changes sign too, as `Decimal`'s does.
impl std::ops::Neg for Num {
    type Output = Num;

    #[inline]
    fn neg(self) -> Num {
        Num(self.0 ^ SIGN)
    }
}

impl From<Decimal> for Num {
    #[inline(always)]
    fn from(d: Decimal) -> Num {
        let d = d.unpack();
        let magnitude = u128::from(d.lo) | u128::from(d.mid) << 32 | u128::from(d.hi) << 64;
        Num::with_sign(magnitude, d.scale, d.negative)
    }
}

impl From<Num> for Decimal {
    #[inline]
    fn from(n: Num) -> Decimal {
        n.decimal()
    }
}

fn add_or_sub(subtract: bool) -> fn(Decimal, Decimal) -> Option<Decimal> {
    if subtract {
        Decimal::checked_sub
    } else {
        Decimal::checked_add
    }
}

/// rust_decimal's name for a rounding mode.
pub fn strategy(mode: RoundingMode) -> RoundingStrategy {
    match mode {
        RoundingMode::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
        RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
        RoundingMode::Down => RoundingStrategy::ToZero,
        RoundingMode::Up => RoundingStrategy::AwayFromZero,
    }
}

/// `a` against `b`, as `Decimal::cmp` orders them (`-0` equals `0`).
#[inline(always)]
pub fn order(a: Num, b: Num) -> Ordering {
    let (sa, sb) = (a.scale(), b.scale());
    let (ma, mb) = (a.signed(), b.signed());
    if sa == sb {
        ma.cmp(&mb)
    } else if sa < sb {
        match aligned(ma, sb - sa) {
            Some(ma) => ma.cmp(&mb),
            // Past 127 bits, `a` is further from zero than any `b`.
            None => ma.cmp(&0),
        }
    } else {
        match aligned(mb, sa - sb) {
            Some(mb) => ma.cmp(&mb),
            None => 0.cmp(&mb),
        }
    }
}

/// A 96-bit magnitude × 10^`by`, to add to or take from another 96-bit
/// one in 128 bits, or `None` where that could overflow (rust_decimal then
/// works it out in wider arithmetic, which [`Num::slow`] leaves to it).
/// Up to 10⁹ the product stays below 2¹²⁶; past it (a quotient's 28
/// decimals against a table's 2) it is checked against that.
#[inline(always)]
fn aligned_magnitude(m: u128, by: u32) -> Option<u128> {
    match POWERS.get(by as usize) {
        Some(p) => Some(m * p),
        None => m
            .checked_mul(*POWERS_128.get(by as usize)?)
            .filter(|aligned| *aligned < 1 << 126),
    }
}

/// `m` × 10^`by`, or `None` past 127 bits.
#[inline(always)]
fn aligned(m: i128, by: u32) -> Option<i128> {
    match POWERS.get(by as usize) {
        // A 96-bit mantissa × 10⁹ fits.
        Some(p) => Some(m * *p as i128),
        None => m.checked_mul(*POWERS_128.get(by as usize)? as i128),
    }
}

/// The lesser of `a` and `b`, `a` when they are equal (as `Decimal::min`:
/// `0` and `-0` are equal, but they are written differently).
#[inline(always)]
pub fn least(a: Num, b: Num) -> Num {
    if order(a, b).is_gt() { b } else { a }
}

/// The greater of `a` and `b`, `a` when they are equal (as `Decimal::max`).
#[inline(always)]
pub fn greatest(a: Num, b: Num) -> Num {
    if order(a, b).is_lt() { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decimal() -> impl Strategy<Value = Decimal> {
        // Mantissas of every width up to 96 bits, every scale, both signs
        // (zero too), and small ones often, so that equal values at
        // different scales (1.5 and 1.50) and exact midpoints come up.
        let small = prop_oneof![-1000i64..1000, any::<i64>(), Just(0i64), Just(5), Just(-5)]
            .prop_map(i128::from);
        let wide = (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>()).prop_map(
            |(lo, mid, hi, negative)| {
                let m = i128::from(lo) | i128::from(mid) << 32 | i128::from(hi) << 64;
                if negative { -m } else { m }
            },
        );
        (
            prop_oneof![3 => small, 1 => wide],
            prop_oneof![3 => 0u32..=6, 1 => 0u32..=28],
            any::<bool>(),
        )
            .prop_map(|(m, scale, negative_zero)| {
                let d = Decimal::from_i128_with_scale(m, scale);
                if m == 0 && negative_zero { -d } else { d }
            })
    }

    fn mode() -> impl Strategy<Value = RoundingMode> {
        prop_oneof![
            Just(RoundingMode::HalfAwayFromZero),
            Just(RoundingMode::HalfEven),
            Just(RoundingMode::Down),
            Just(RoundingMode::Up),
        ]
    }

    /// The same value, scale and sign: what `Decimal`'s bytes say.
    fn same(n: Num, d: Decimal) -> bool {
        n.decimal().serialize() == d.serialize()
    }

    fn same_option(n: Option<Num>, d: Option<Decimal>) -> bool {
        match (n, d) {
            (Some(n), Some(d)) => same(n, d),
            (None, None) => true,
            _ => false,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn a_decimal_goes_there_and_back(a in decimal()) {
            prop_assert!(same(Num::from(a), a));
        }

        #[test]
        fn arithmetic_is_rust_decimals(a in decimal(), b in decimal()) {
            let (x, y) = (Num::from(a), Num::from(b));
            prop_assert!(same_option(x.checked_add(y), a.checked_add(b)), "{a} + {b}");
            prop_assert!(same_option(x.checked_sub(y), a.checked_sub(b)), "{a} - {b}");
            prop_assert!(same_option(x.checked_mul(y), a.checked_mul(b)), "{a} * {b}");
            prop_assert!(same_option(x.checked_div(y), a.checked_div(b)), "{a} / {b}");
            prop_assert!(same(-x, -a));
            prop_assert!(same(x.abs(), a.abs()));
        }

        /// A quotient's 20 to 28 decimals against a table's few: the
        /// scales ten or more apart, aligned in checked 128-bit arithmetic.
        #[test]
        fn far_apart_scales_add_as_rust_decimal_does(
            small in any::<u32>(),
            small_scale in 0u32..=4,
            wide in any::<u128>(),
            wide_scale in 14u32..=28,
            negative in any::<(bool, bool)>(),
        ) {
            let mut a = Decimal::from_i128_with_scale(i128::from(small), small_scale);
            let mut b = Decimal::from_i128_with_scale((wide >> 32) as i128, wide_scale);
            a.set_sign_negative(negative.0);
            b.set_sign_negative(negative.1);
            let (x, y) = (Num::from(a), Num::from(b));
            for (p, q, x, y) in [(a, b, x, y), (b, a, y, x)] {
                prop_assert!(same_option(x.checked_add(y), p.checked_add(q)), "{p} + {q}");
                prop_assert!(same_option(x.checked_sub(y), p.checked_sub(q)), "{p} - {q}");
            }
        }

        #[test]
        fn order_is_decimal_ord(a in decimal(), b in decimal()) {
            let (x, y) = (Num::from(a), Num::from(b));
            prop_assert_eq!(order(x, y), a.cmp(&b));
            prop_assert_eq!(order(x, Num::from(a.normalize())), Ordering::Equal);
            prop_assert!(same(least(x, y), a.min(b)));
            prop_assert!(same(greatest(x, y), a.max(b)));
        }

        #[test]
        fn rounding_is_rust_decimals(a in decimal(), dp in 0u32..=28, mode in mode()) {
            let expected = a.round_dp_with_strategy(dp, strategy(mode));
            prop_assert!(same(Num::from(a).round_dp(dp, mode), expected), "{a} to {dp}");
        }

        #[test]
        fn padding_is_rescale(a in decimal(), scale in 0u32..=28) {
            let mut expected = a;
            expected.rescale(scale);
            if let Some(padded) = Num::from(a).padded(scale) {
                prop_assert!(same(padded, expected), "{a} to {scale}");
            }
            // It pads whenever it is asked to add a few decimals to a
            // number that still fits.
            if scale >= a.scale() && scale - a.scale() <= 9 && expected.scale() == scale {
                prop_assert!(Num::from(a).padded(scale).is_some());
            }
        }
    }

    #[test]
    fn midpoints_and_zeros() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let n = |s: &str| Num::from(d(s));
        let show = |n: Num| n.decimal().to_string();
        assert_eq!(
            show(n("2.345").round_dp(2, RoundingMode::HalfAwayFromZero)),
            "2.35"
        );
        assert_eq!(
            show(n("-2.345").round_dp(2, RoundingMode::HalfAwayFromZero)),
            "-2.35"
        );
        assert_eq!(show(n("2.345").round_dp(2, RoundingMode::HalfEven)), "2.34");
        assert_eq!(show(n("2.355").round_dp(2, RoundingMode::HalfEven)), "2.36");
        assert_eq!(show(n("2.341").round_dp(2, RoundingMode::Up)), "2.35");
        assert_eq!(show(n("2.349").round_dp(2, RoundingMode::Down)), "2.34");
        // -0.001 rounds to a positive zero; a zero keeps its sign.
        assert_eq!(
            show(n("-0.001").round_dp(2, RoundingMode::HalfEven)),
            "0.00"
        );
        let negative_zero = -n("0.000");
        assert!(
            negative_zero
                .round_dp(2, RoundingMode::Down)
                .is_sign_negative()
        );
        // 0 × 0.15 is a plain 0; 0 + 1.50 is 1.50.
        assert_eq!(show(n("0.00").checked_mul(n("0.15")).unwrap()), "0");
        assert_eq!(show(n("0.000").checked_add(n("1.50")).unwrap()), "1.50");
        assert_eq!(show(n("1.5").checked_sub(n("1.50")).unwrap()), "0.00");
        assert_eq!(order(n("1.5"), n("1.50")), Ordering::Equal);
        assert_eq!(order(n("1"), n("1.00000000001")), Ordering::Less);
        // Past 28 decimals nothing is padded (a Decimal cannot hold it).
        assert!(n("1.5").padded(29).is_none());
        assert_eq!(show(n("1.5").padded(10).unwrap()), "1.5000000000");
    }
}
