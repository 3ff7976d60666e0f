//! Why a record could not be evaluated: the kind of fault, the rule and
//! the values involved, so that HR can find and fix the data.

use super::*;

/// Why a record could not be evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    DivisionByZero,
    Overflow,
    NoBand,
    LinearOrder,
    NegativeAdjustment,
    ClampOrder,
    NoGrade,
    /// A value the rule needs is missing (an optional input left empty).
    MissingValue,
    /// Every indicator was left out for missing values: there is no score.
    NoIndicators,
}

impl FaultKind {
    pub fn words(self) -> &'static str {
        match self {
            FaultKind::DivisionByZero => "division by zero",
            FaultKind::Overflow => "a number grew too large",
            FaultKind::NoBand => "no band of the table matches",
            FaultKind::LinearOrder => "the points of the linear table are not in increasing order",
            FaultKind::NegativeAdjustment => "bonus and deduction points cannot be negative",
            FaultKind::ClampOrder => "clamp's low bound is above its high bound",
            FaultKind::NoGrade => "the score falls in no grade",
            FaultKind::MissingValue => "a value it needs is missing",
            FaultKind::NoIndicators => {
                "every indicator is left out for missing values, so there is no score"
            }
        }
    }
}

/// An error evaluating one record: what went wrong, in which rule, with the
/// values involved, so that HR can find and fix the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvalError {
    pub kind: FaultKind,
    /// The rule that failed, e.g. "indicator `成交` (deal value)".
    pub rule: String,
    /// The policy line of the failing formula.
    pub line: usize,
    #[serde(skip)]
    pub span: Span,
    /// The failing formula as written.
    pub formula: String,
    /// The named values the formula read, as `name = value`.
    pub values: Vec<(String, String)>,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == FaultKind::NoIndicators {
            // Not one rule's fault: the row left every indicator out.
            return write!(f, "{}", self.kind.words());
        }
        write!(
            f,
            "{} in {} (policy line {})",
            self.kind.words(),
            self.rule,
            self.line
        )?;
        if !self.formula.is_empty() {
            write!(f, ": `{}`", self.formula)?;
        }
        if !self.values.is_empty() {
            let values: Vec<String> = self
                .values
                .iter()
                .map(|(n, v)| format!("{n} = {v}"))
                .collect();
            write!(f, " with {}", values.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for EvalError {}

/// Where evaluation stopped, before it is described for people. Kept
/// small (16 bytes), as every operation's result carries room for one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fault {
    pub(super) kind: FaultKind,
    /// The span of the failing formula, in 32 bits: a policy is far
    /// smaller than 4 GB (a larger offset saturates).
    pub(super) start: u32,
    pub(super) end: u32,
    /// For a missing value, the slot that had none (`u32::MAX`: none).
    pub(super) slot: u32,
}

impl Fault {
    pub(super) fn new(kind: FaultKind, span: Span) -> Fault {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Fault {
            kind,
            start: narrow(span.start),
            end: narrow(span.end),
            slot: u32::MAX,
        }
    }

    /// A missing value in `slot`.
    pub(super) fn missing_in(slot: usize) -> Fault {
        Fault {
            slot: u32::try_from(slot).unwrap_or(u32::MAX),
            ..Fault::new(FaultKind::MissingValue, Span::default())
        }
    }

    pub(super) fn span(&self) -> Span {
        Span {
            start: self.start as usize,
            end: self.end as usize,
        }
    }

    pub(super) fn slot(&self) -> Option<usize> {
        (self.slot != u32::MAX).then_some(self.slot as usize)
    }

    pub(super) fn missing(&self) -> bool {
        self.kind == FaultKind::MissingValue
    }
}

pub(super) type Eval<T> = Result<T, Fault>;
