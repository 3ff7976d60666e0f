//! Arithmetic on score intervals: the proofs that steps tables and grade
//! bands leave no gap, have no overlap and no unreachable entry.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::language::ast::CmpOp;
use crate::language::checked::{End, Interval};
use crate::numbers::num::{Num, order};

impl Interval {
    pub const ALL: Interval = Interval { lo: None, hi: None };

    pub fn closed(lo: Decimal, hi: Decimal) -> Interval {
        Interval {
            lo: Some(End {
                value: lo,
                closed: true,
            }),
            hi: Some(End {
                value: hi,
                closed: true,
            }),
        }
    }

    /// The values `v` for which `v <op> t` holds; `None` for `!=`, which is
    /// not an interval.
    pub fn of_comparison(op: CmpOp, t: Decimal) -> Option<Interval> {
        let end = |closed| Some(End { value: t, closed });
        Some(match op {
            CmpOp::Ge => Interval {
                lo: end(true),
                hi: None,
            },
            CmpOp::Gt => Interval {
                lo: end(false),
                hi: None,
            },
            CmpOp::Le => Interval {
                lo: None,
                hi: end(true),
            },
            CmpOp::Lt => Interval {
                lo: None,
                hi: end(false),
            },
            CmpOp::Eq => Interval {
                lo: end(true),
                hi: end(true),
            },
            CmpOp::Ne => return None,
        })
    }

    pub fn is_empty(&self) -> bool {
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) => match lo.value.cmp(&hi.value) {
                Ordering::Greater => true,
                Ordering::Equal => !(lo.closed && hi.closed),
                Ordering::Less => false,
            },
            _ => false,
        }
    }

    /// Whether `v` is in the interval. Inline and compared as `Num`s:
    /// every value typed from a data file is checked against its range.
    #[inline]
    pub fn contains(&self, v: Decimal) -> bool {
        let v = Num::from(v);
        let above_lo = self
            .lo
            .is_none_or(|lo| match order(v, Num::from(lo.value)) {
                Ordering::Greater => true,
                Ordering::Equal => lo.closed,
                Ordering::Less => false,
            });
        let below_hi = self
            .hi
            .is_none_or(|hi| match order(v, Num::from(hi.value)) {
                Ordering::Less => true,
                Ordering::Equal => hi.closed,
                Ordering::Greater => false,
            });
        above_lo && below_hi
    }

    /// How to test many values against the interval: the usual ranges of
    /// data (none, `>= 0`, `> 0`, from 0 to a positive bound such as 100%
    /// or a score's 100) by the value's sign, zero and mantissa.
    pub(crate) fn test(&self) -> RangeTest {
        match (self.lo, self.hi) {
            (None, None) => RangeTest::Any,
            (Some(lo), None) if lo.value.is_zero() && lo.closed => RangeTest::AtLeastZero,
            (Some(lo), None) if lo.value.is_zero() => RangeTest::AboveZero,
            (Some(lo), Some(hi))
                if lo.value.is_zero()
                    && lo.closed
                    && hi.closed
                    && hi.value.is_sign_positive()
                    && !hi.value.is_zero() =>
            {
                RangeTest::ZeroTo {
                    mantissa: hi.value.mantissa().unsigned_abs(),
                    scale: hi.value.scale(),
                }
            }
            _ => RangeTest::Other,
        }
    }

    pub fn intersect(&self, other: &Interval) -> Interval {
        Interval {
            lo: max_lo(self.lo, other.lo),
            hi: min_hi(self.hi, other.hi),
        }
    }

    /// The parts of `self` that none of `cover` contains, in order.
    pub fn gaps(&self, cover: &[Interval]) -> Vec<Interval> {
        let mut sorted: Vec<&Interval> = cover.iter().filter(|i| !i.is_empty()).collect();
        sorted.sort_by(|a, b| cmp_lo(a.lo, b.lo));
        let mut gaps = Vec::new();
        let mut rest = Some(*self);
        for piece in sorted {
            let Some(r) = rest else { break };
            // What of the rest lies before this piece is a gap.
            if let Some(lo) = piece.lo {
                let before = r.intersect(&Interval {
                    lo: None,
                    hi: Some(End {
                        value: lo.value,
                        closed: !lo.closed,
                    }),
                });
                if !before.is_empty() {
                    gaps.push(before);
                }
            }
            // What lies after it is still to be covered.
            rest = piece.hi.map(|hi| {
                r.intersect(&Interval {
                    lo: Some(End {
                        value: hi.value,
                        closed: !hi.closed,
                    }),
                    hi: None,
                })
            });
            if rest.is_some_and(|r| r.is_empty()) {
                rest = None;
            }
        }
        if let Some(r) = rest
            && !r.is_empty()
        {
            gaps.push(r);
        }
        gaps
    }

    /// How the interval reads in a policy, e.g. `85 <= score < 95`.
    pub fn describe(&self, subject: &str) -> String {
        self.describe_with(subject, |d| d.normalize().to_string())
    }

    /// Like [`describe`](Self::describe), with the bounds shown by `show`
    /// (as percentages, for instance).
    pub fn describe_with(&self, subject: &str, show: impl Fn(Decimal) -> String) -> String {
        let lo_op = |e: End| if e.closed { "<=" } else { "<" };
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) if lo.value == hi.value => {
                format!("{subject} = {}", show(lo.value))
            }
            (Some(lo), Some(hi)) => format!(
                "{} {} {subject} {} {}",
                show(lo.value),
                lo_op(lo),
                lo_op(hi),
                show(hi.value)
            ),
            (Some(lo), None) => format!(
                "{subject} {} {}",
                if lo.closed { ">=" } else { ">" },
                show(lo.value)
            ),
            (None, Some(hi)) => format!("{subject} {} {}", lo_op(hi), show(hi.value)),
            (None, None) => format!("any {subject}"),
        }
    }
}

/// Orders lower ends: unbounded first; at the same value, closed first.
fn cmp_lo(a: Option<End>, b: Option<End>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => a.value.cmp(&b.value).then(b.closed.cmp(&a.closed)),
    }
}

/// Orders upper ends: unbounded last; at the same value, open first.
fn cmp_hi(a: Option<End>, b: Option<End>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(a), Some(b)) => a.value.cmp(&b.value).then(a.closed.cmp(&b.closed)),
    }
}

fn max_lo(a: Option<End>, b: Option<End>) -> Option<End> {
    if cmp_lo(a, b) == Ordering::Less { b } else { a }
}

fn min_hi(a: Option<End>, b: Option<End>) -> Option<End> {
    if cmp_hi(a, b) == Ordering::Greater {
        b
    } else {
        a
    }
}

/// An [`Interval`] made ready to test every value of a column against it
/// ([`Interval::test`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeTest {
    Any,
    AtLeastZero,
    AboveZero,
    /// From 0 to a positive bound (`mantissa` at `scale`), both included.
    ZeroTo {
        mantissa: u128,
        scale: u32,
    },
    /// Any other interval: compared end by end.
    Other,
}

impl RangeTest {
    /// Whether the plain number `v` lies in `interval`, the interval this
    /// test was made from: on its parts, without putting a `Decimal`
    /// together first.
    #[inline(always)]
    pub(crate) fn holds_plain(
        self,
        v: crate::numbers::decimal::Plain,
        interval: &Interval,
    ) -> bool {
        match self {
            RangeTest::Any => true,
            RangeTest::AtLeastZero => v.mantissa == 0 || !v.negative,
            RangeTest::AboveZero => v.mantissa != 0 && !v.negative,
            RangeTest::ZeroTo { mantissa, scale } => {
                // Compared as num::order compares: the mantissa at the
                // larger scale.
                let (magnitude, bound) = (
                    Num::new(u128::from(v.mantissa), v.scale, false),
                    Num::new(mantissa, scale, false),
                );
                v.mantissa == 0 || (!v.negative && order(magnitude, bound).is_le())
            }
            RangeTest::Other => interval.contains(v.decimal()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: i64) -> Decimal {
        Decimal::from(n)
    }
    fn cmp(op: CmpOp, n: i64) -> Interval {
        Interval::of_comparison(op, d(n)).unwrap()
    }

    #[test]
    fn gaps_are_found_exactly() {
        let range = Interval::closed(d(0), d(100));
        // [95, ∞) and (-∞, 65): the gap is 65 <= score < 95.
        let gaps = range.gaps(&[cmp(CmpOp::Ge, 95), cmp(CmpOp::Lt, 65)]);
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].describe("score"), "65 <= score < 95");
        // A complete cover has no gap.
        assert!(
            range
                .gaps(&[cmp(CmpOp::Ge, 65), cmp(CmpOp::Lt, 65)])
                .is_empty()
        );
        // `> 85` and `< 85` leave exactly the point 85.
        let gaps = range.gaps(&[cmp(CmpOp::Gt, 85), cmp(CmpOp::Lt, 85)]);
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].describe("score"), "score = 85");
    }

    /// `contains` compares as rust_decimal does: ends open and closed,
    /// either or both absent, values at other scales than the ends (`95.0`
    /// is `95`), negative zero, and numbers too far apart to align.
    #[test]
    fn contains_compares_as_decimals_do() {
        let values: Vec<Decimal> = [
            "-0",
            "0",
            "0.000",
            "-1",
            "94.99",
            "95",
            "95.0",
            "95.000001",
            "100",
            "100.00",
            "-100.5",
            "79228162514264337593543950335",
            "-7922816251426433759354395033.5",
            "0.0000000000000000000000000001",
            "1",
            "1.0000",
            "0.9999",
            "1.0001",
            "0.5",
            "-0.0001",
        ]
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
        let ends = [
            d(0),
            d(95),
            "95.00".parse().unwrap(),
            d(100),
            "-0.5".parse().unwrap(),
            d(1),
            "1.00".parse().unwrap(),
        ];
        let end = |i: usize| {
            let value = *ends.get(i / 2)?;
            Some(End {
                value,
                closed: i % 2 == 0,
            })
        };
        let slow = |interval: &Interval, v: Decimal| {
            interval.lo.is_none_or(|lo| {
                if lo.closed {
                    v >= lo.value
                } else {
                    v > lo.value
                }
            }) && interval.hi.is_none_or(|hi| {
                if hi.closed {
                    v <= hi.value
                } else {
                    v < hi.value
                }
            })
        };
        let (mut checked, mut tested_plain) = (0, 0);
        for lo in 0..=2 * ends.len() {
            for hi in 0..=2 * ends.len() {
                let interval = Interval {
                    lo: end(lo),
                    hi: end(hi),
                };
                for &v in &values {
                    assert_eq!(
                        interval.contains(v),
                        slow(&interval, v),
                        "{v} in {interval:?}"
                    );
                    // As a plain number reads it: 64-bit mantissa, no -0.
                    if let Ok(mantissa) = u64::try_from(v.mantissa().unsigned_abs()) {
                        let plain = crate::numbers::decimal::Plain {
                            mantissa,
                            scale: v.scale(),
                            negative: v.is_sign_negative() && mantissa != 0,
                        };
                        assert_eq!(
                            interval.test().holds_plain(plain, &interval),
                            slow(&interval, v),
                            "{v} in {interval:?}, tested as {:?}",
                            interval.test()
                        );
                        tested_plain += 1;
                    }
                    checked += usize::from(interval.contains(v));
                }
            }
        }
        assert!(checked > 100, "{checked}");
        assert!(tested_plain > 1_000, "{tested_plain}");
        // The quick tests were among those taken, on zero at other scales.
        let at_least = |value: &str| Interval {
            lo: Some(End {
                value: value.parse().unwrap(),
                closed: true,
            }),
            hi: None,
        };
        assert_eq!(at_least("0.00").test(), RangeTest::AtLeastZero);
        assert_eq!(at_least("0.01").test(), RangeTest::Other);
        let percent = Interval::closed(Decimal::ZERO, "1.00".parse().unwrap());
        assert_eq!(
            percent.test(),
            RangeTest::ZeroTo {
                mantissa: 100,
                scale: 2
            }
        );
        let score = Interval::closed(Decimal::ZERO, Decimal::ONE_HUNDRED);
        assert!(matches!(score.test(), RangeTest::ZeroTo { .. }));
        assert_eq!(Interval::ALL.test(), RangeTest::Any);
    }

    #[test]
    fn emptiness_and_intersection() {
        assert!(cmp(CmpOp::Ge, 96).intersect(&cmp(CmpOp::Lt, 95)).is_empty());
        assert!(!cmp(CmpOp::Ge, 95).intersect(&cmp(CmpOp::Lt, 96)).is_empty());
        let point = cmp(CmpOp::Ge, 95).intersect(&cmp(CmpOp::Le, 95));
        assert!(!point.is_empty());
        assert!(point.contains(d(95)));
        assert!(
            !cmp(CmpOp::Ge, 95)
                .intersect(&cmp(CmpOp::Lt, 95))
                .contains(d(95))
        );
    }
}
