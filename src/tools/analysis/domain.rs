//! The abstract values of the analysis: for each value a policy computes,
//! the set of values it can take over every record within the declared
//! input ranges, as an interval (numbers), the truth values (yes/no), the
//! grades, and whether it can be missing.
//!
//! Interval ends are exact decimals; an end that does not exist (`None`) is
//! unbounded. Arithmetic over-approximates: the true set always lies within
//! the interval, and for a formula that reads each input once the interval
//! is exact.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::language::checked::{End, Interval, Rounding};

/// What a value can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Abs {
    /// The numbers it can be, if it can be a number.
    pub num: Option<Interval>,
    pub yes: bool,
    pub no: bool,
    /// The grades it can be, by index (bit `i`: grade `i`).
    pub grades: u128,
    /// Whether it can be missing (an optional input left empty).
    pub missing: bool,
}

impl Abs {
    /// No value at all: what an unreachable branch gives.
    pub const NOTHING: Abs = Abs {
        num: None,
        yes: false,
        no: false,
        grades: 0,
        missing: false,
    };

    pub fn num(range: Interval) -> Abs {
        Abs {
            num: (!range.is_empty()).then_some(range),
            ..Abs::NOTHING
        }
    }

    pub fn exactly(n: Decimal) -> Abs {
        Abs::num(Interval::closed(n, n))
    }

    pub fn truth(yes: bool, no: bool) -> Abs {
        Abs {
            yes,
            no,
            ..Abs::NOTHING
        }
    }

    pub fn grades(mask: u128) -> Abs {
        Abs {
            grades: mask,
            ..Abs::NOTHING
        }
    }

    /// Everything either can be.
    pub fn join(self, other: Abs) -> Abs {
        Abs {
            num: match (self.num, other.num) {
                (Some(a), Some(b)) => Some(hull(a, b)),
                (a, b) => a.or(b),
            },
            yes: self.yes || other.yes,
            no: self.no || other.no,
            grades: self.grades | other.grades,
            missing: self.missing || other.missing,
        }
    }

    /// The numbers it can be; every number when it can be none (a value
    /// that is only ever missing), so sums over it stay unbounded.
    pub fn range(&self) -> Interval {
        self.num.unwrap_or(Interval::ALL)
    }

    /// A number computed from this one; missing stays missing.
    pub fn map(self, f: impl FnOnce(Interval) -> Interval) -> Abs {
        Abs {
            num: self.num.map(f).filter(|r| !r.is_empty()),
            missing: self.missing,
            ..Abs::NOTHING
        }
    }
}

/// A bound of an interval in arithmetic: minus infinity, a number, or plus
/// infinity, with whether the bound itself is a possible value.
#[derive(Debug, Clone, Copy)]
struct Ext {
    value: X,
    closed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum X {
    NegInf,
    Fin(Decimal),
    PosInf,
}

impl X {
    fn sign(self) -> i8 {
        match self {
            X::NegInf => -1,
            X::PosInf => 1,
            X::Fin(d) if d.is_zero() => 0,
            X::Fin(d) if d.is_sign_negative() => -1,
            X::Fin(_) => 1,
        }
    }

    fn inf(sign: i8) -> X {
        if sign < 0 { X::NegInf } else { X::PosInf }
    }

    fn cmp(self, other: X) -> Ordering {
        match (self, other) {
            (X::Fin(a), X::Fin(b)) => a.cmp(&b),
            (a, b) => rank(a).cmp(&rank(b)),
        }
    }
}

fn rank(x: X) -> i8 {
    match x {
        X::NegInf => -1,
        X::Fin(_) => 0,
        X::PosInf => 1,
    }
}

fn lo_ext(r: &Interval) -> Ext {
    ext(r.lo, X::NegInf)
}

fn hi_ext(r: &Interval) -> Ext {
    ext(r.hi, X::PosInf)
}

/// An interval's end, or `unbounded` (open) where it has none.
fn ext(end: Option<End>, unbounded: X) -> Ext {
    match end {
        Some(e) => Ext {
            value: X::Fin(e.value),
            closed: e.closed,
        },
        None => Ext {
            value: unbounded,
            closed: false,
        },
    }
}

fn end(e: Ext) -> Option<End> {
    match e.value {
        X::Fin(value) => Some(End {
            value,
            closed: e.closed,
        }),
        _ => None,
    }
}

/// The interval from the least to the greatest of some candidate ends.
fn span_of(candidates: &[Ext]) -> Interval {
    // The candidate further out on the `wins` side; of two equal ends, the
    // closed one.
    let further = |kept: Option<Ext>, c: Ext, wins: Ordering| match kept {
        None => c,
        Some(k) => match c.value.cmp(k.value) {
            Ordering::Equal => Ext {
                value: k.value,
                closed: k.closed || c.closed,
            },
            o if o == wins => c,
            _ => k,
        },
    };
    let mut lo: Option<Ext> = None;
    let mut hi: Option<Ext> = None;
    for &c in candidates {
        lo = Some(further(lo, c, Ordering::Less));
        hi = Some(further(hi, c, Ordering::Greater));
    }
    Interval {
        lo: lo.and_then(end),
        hi: hi.and_then(end),
    }
}

/// The smallest interval holding both.
pub fn hull(a: Interval, b: Interval) -> Interval {
    span_of(&[lo_ext(&a), hi_ext(&a), lo_ext(&b), hi_ext(&b)])
}

pub fn neg(a: Interval) -> Interval {
    let flip = |e: Option<End>| {
        e.map(|e| End {
            value: -e.value,
            closed: e.closed,
        })
    };
    Interval {
        lo: flip(a.hi),
        hi: flip(a.lo),
    }
}

pub fn add(a: Interval, b: Interval) -> Interval {
    let sum = |x: Option<End>, y: Option<End>| {
        let (x, y) = (x?, y?);
        Some(End {
            value: x.value.checked_add(y.value)?,
            closed: x.closed && y.closed,
        })
    };
    Interval {
        lo: sum(a.lo, b.lo),
        hi: sum(a.hi, b.hi),
    }
}

pub fn sub(a: Interval, b: Interval) -> Interval {
    add(a, neg(b))
}

fn times(a: Ext, b: Ext) -> Ext {
    let zero = |e: Ext| e.value.sign() == 0;
    // Zero times anything is zero; a closed zero is a value taken.
    if zero(a) || zero(b) {
        return Ext {
            value: X::Fin(Decimal::ZERO),
            closed: (zero(a) && a.closed) || (zero(b) && b.closed),
        };
    }
    let sign = a.value.sign() * b.value.sign();
    let value = match (a.value, b.value) {
        (X::Fin(x), X::Fin(y)) => x.checked_mul(y).map_or(X::inf(sign), X::Fin),
        _ => X::inf(sign),
    };
    Ext {
        value,
        closed: a.closed && b.closed,
    }
}

pub fn mul(a: Interval, b: Interval) -> Interval {
    let (al, ah, bl, bh) = (lo_ext(&a), hi_ext(&a), lo_ext(&b), hi_ext(&b));
    span_of(&[times(al, bl), times(al, bh), times(ah, bl), times(ah, bh)])
}

/// `a / b` for a divisor that cannot be zero (its interval may touch zero
/// at an open end).
pub fn div(a: Interval, b: Interval) -> Interval {
    let positive = hi_ext(&b).value.sign() > 0;
    let quotient = |x: Ext, y: Ext| -> Option<Ext> {
        let closed = x.closed && y.closed;
        let value = match (x.value, y.value) {
            (X::Fin(n), _) if n.is_zero() => X::Fin(Decimal::ZERO),
            (X::Fin(_), X::NegInf | X::PosInf) => {
                return Some(Ext {
                    value: X::Fin(Decimal::ZERO),
                    closed: false,
                });
            }
            (_, X::Fin(d)) if d.is_zero() => X::inf(x.value.sign() * if positive { 1 } else { -1 }),
            (X::Fin(n), X::Fin(d)) => n
                .checked_div(d)
                .map_or(X::inf(x.value.sign() * y.value.sign()), X::Fin),
            (X::NegInf | X::PosInf, X::Fin(_)) => X::inf(x.value.sign() * y.value.sign()),
            // ∞ / ∞: the other corners bound the quotient.
            _ => return None,
        };
        Some(Ext { value, closed })
    };
    let (al, ah, bl, bh) = (lo_ext(&a), hi_ext(&a), lo_ext(&b), hi_ext(&b));
    let corners: Vec<Ext> = [(al, bl), (al, bh), (ah, bl), (ah, bh)]
        .into_iter()
        .filter_map(|(x, y)| quotient(x, y))
        .collect();
    if corners.is_empty() {
        return Interval::ALL;
    }
    span_of(&corners)
}

fn least(x: Ext, y: Ext) -> Ext {
    match x.value.cmp(y.value) {
        Ordering::Less => x,
        Ordering::Greater => y,
        Ordering::Equal => Ext {
            value: x.value,
            closed: x.closed || y.closed,
        },
    }
}

pub fn min(a: Interval, b: Interval) -> Interval {
    Interval {
        lo: end(least(lo_ext(&a), lo_ext(&b))),
        hi: end(least(hi_ext(&a), hi_ext(&b))),
    }
}

pub fn max(a: Interval, b: Interval) -> Interval {
    neg(min(neg(a), neg(b)))
}

pub fn abs(a: Interval) -> Interval {
    if a.lo.is_some_and(|l| l.value >= Decimal::ZERO) {
        return a;
    }
    if a.hi.is_some_and(|h| h.value <= Decimal::ZERO) {
        return neg(a);
    }
    // Straddles zero: from 0 to the larger magnitude.
    Interval {
        lo: Some(End {
            value: Decimal::ZERO,
            closed: true,
        }),
        hi: max(a, neg(a)).hi,
    }
}

/// Each end rounded as the engine rounds; a rounded end is a value taken.
pub fn round(a: Interval, rounding: Rounding) -> Interval {
    let r = |e: Option<End>| {
        e.map(|e| End {
            value: crate::engine::round::round(e.value, rounding).unwrap_or(e.value),
            closed: true,
        })
    };
    Interval {
        lo: r(a.lo),
        hi: r(a.hi),
    }
}

/// Whether zero lies in the interval.
pub fn has_zero(a: &Interval) -> bool {
    a.contains(Decimal::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn c(lo: &str, hi: &str) -> Interval {
        Interval::closed(d(lo), d(hi))
    }
    fn at_least(lo: &str) -> Interval {
        Interval {
            lo: Some(End {
                value: d(lo),
                closed: true,
            }),
            hi: None,
        }
    }

    #[test]
    fn products_take_the_extreme_corners() {
        assert_eq!(mul(c("-2", "3"), c("4", "5")), c("-10", "15"));
        // A base of at least 0 times a coefficient 0.7–1.5: 0 to unbounded.
        assert_eq!(mul(at_least("0"), c("0.7", "1.5")), at_least("0"));
        // Anything times exactly zero is zero.
        assert_eq!(mul(Interval::ALL, c("0", "0")), c("0", "0"));
    }

    #[test]
    fn quotients_by_a_positive_divisor() {
        assert_eq!(div(c("0", "150"), c("100", "200")), c("0", "1.5"));
        // Over a target above zero, a sale of at least 0 is any ratio >= 0.
        let positive = Interval {
            lo: Some(End {
                value: Decimal::ZERO,
                closed: false,
            }),
            hi: None,
        };
        let q = div(at_least("0"), positive);
        assert_eq!(q.lo.map(|e| e.value), Some(Decimal::ZERO));
        assert_eq!(q.hi, None);
    }

    #[test]
    fn min_max_and_abs() {
        assert_eq!(min(c("0", "10"), c("5", "6")), c("0", "6"));
        assert_eq!(max(c("0", "10"), c("5", "6")), c("5", "10"));
        assert_eq!(min(at_least("3"), c("0", "6")), c("0", "6"));
        assert_eq!(abs(c("-4", "3")), c("0", "4"));
    }
}
