//! Types and units of values, and the arithmetic between them.
//!
//! The checker knows units so that HR mistakes are caught before anyone is
//! paid: money / money is a ratio, money × percent is money, and money plus a
//! percentage, or a score compared with money, is an error.
//!
//! A plain number written in a policy (`75`, `1000`) has no unit of its own: it
//! takes the unit of what it is added to or compared with, so `成交额 >= 100000`
//! compares money with money and `民主评议 >= 90` points with points. A
//! percentage (`80%`) and an amount (`¥1,200`) do carry their units.

use std::fmt;

use crate::language::ast::InputType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ty {
    /// An amount of money in the policy's currency.
    Money,
    /// Points, 0–100: indicator points, the final score, a score input.
    Score,
    /// A plain number: a count, a coefficient.
    Number,
    /// A percentage or ratio: `80%`, `费用 / 营业额`.
    Ratio,
    /// A number written without a unit; takes the unit of its neighbour.
    Literal,
    /// Yes or no.
    Bool,
    /// A grade such as S or A.
    Grade,
    /// The type of an expression that already has an error: never reported
    /// again, so one mistake gives one diagnostic.
    Error,
}

impl Ty {
    pub fn of_input(ty: InputType) -> Ty {
        match ty {
            InputType::Money => Ty::Money,
            InputType::Percent => Ty::Ratio,
            InputType::Number => Ty::Number,
            InputType::Score => Ty::Score,
            InputType::YesNo => Ty::Bool,
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Ty::Money | Ty::Score | Ty::Number | Ty::Ratio | Ty::Literal | Ty::Error
        )
    }

    /// The type a value ends up with when nothing gives a literal a unit.
    pub fn settled(self) -> Ty {
        if self == Ty::Literal {
            Ty::Number
        } else {
            self
        }
    }

    /// How the type is named in diagnostics.
    pub fn words(self) -> &'static str {
        match self {
            Ty::Money => "money",
            Ty::Score => "a score (points)",
            Ty::Number => "a number",
            Ty::Ratio => "a percentage",
            Ty::Literal => "a number",
            Ty::Bool => "yes/no",
            Ty::Grade => "a grade",
            Ty::Error => "unknown",
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.words())
    }
}

/// The operands do not go together; the checker words the diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mismatch;

/// `a + b`, `a - b`, and the unit two sides of a comparison, `min`, `max`,
/// or the branches of an `if` must share.
pub fn unify(a: Ty, b: Ty) -> Result<Ty, Mismatch> {
    use Ty::*;
    Ok(match (a, b) {
        (Error, _) | (_, Error) => Error,
        (Literal, x) | (x, Literal) if x.is_numeric() => x,
        (x, y) if x == y => x,
        // A count is not a percentage: `新客户数 >= 80%` is a mistake.
        _ => return Err(Mismatch),
    })
}

/// `a * b`.
pub fn multiply(a: Ty, b: Ty) -> Result<Ty, Mismatch> {
    use Ty::*;
    Ok(match (a, b) {
        (Error, _) | (_, Error) => Error,
        (Literal, Literal) => Literal,
        (Money, Money) | (Score, Score) => return Err(Mismatch),
        // Points scale money as a plain number: `绩效基数 * score / 100`.
        (Money, Number | Ratio | Score | Literal) | (Number | Ratio | Score | Literal, Money) => {
            Money
        }
        (Score, Number | Ratio | Literal) | (Number | Ratio | Literal, Score) => Score,
        (Ratio, Ratio) => Ratio,
        // A percentage scaled by a number is a number: `96% * 100` is 96.
        (Ratio | Number | Literal, Ratio | Number | Literal) => Number,
        _ => return Err(Mismatch),
    })
}

/// `a / b`.
pub fn divide(a: Ty, b: Ty) -> Result<Ty, Mismatch> {
    use Ty::*;
    Ok(match (a, b) {
        (Error, _) | (_, Error) => Error,
        (Literal, Literal) => Literal,
        (Money, Money) | (Score, Score) | (Ratio, Ratio) | (Number, Number) => Ratio,
        (Money, Number | Ratio | Score | Literal) => Money,
        (Score, Number | Ratio | Literal) => Score,
        (Ratio, Number | Literal) => Ratio,
        (Number | Literal, Number | Literal | Ratio) => Number,
        _ => return Err(Mismatch),
    })
}

#[cfg(test)]
mod tests {
    use super::Ty::*;
    use super::*;

    #[test]
    fn units_follow_the_rules_hr_expects() {
        assert_eq!(divide(Money, Money), Ok(Ratio));
        assert_eq!(multiply(Money, Ratio), Ok(Money));
        assert_eq!(unify(Money, Ratio), Err(Mismatch));
        assert_eq!(unify(Score, Money), Err(Mismatch));
        assert_eq!(unify(Score, Ratio), Err(Mismatch));
        assert_eq!(unify(Money, Literal), Ok(Money));
        assert_eq!(unify(Score, Literal), Ok(Score));
        assert_eq!(multiply(Ratio, Literal), Ok(Number));
        assert_eq!(divide(Ratio, Literal), Ok(Ratio));
        assert_eq!(multiply(Money, Money), Err(Mismatch));
        assert_eq!(divide(Literal, Money), Err(Mismatch));
        assert_eq!(unify(Bool, Literal), Err(Mismatch));
        assert_eq!(unify(Number, Ratio), Err(Mismatch));
    }
}
