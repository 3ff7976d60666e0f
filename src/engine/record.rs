//! What the evaluator is given for one employee: the inputs a data row was
//! typed into, the final adjustment, and for a yearly record what its
//! quarters give it.

use rust_decimal::Decimal;

use crate::language::value::Value;

/// One employee's inputs, in the order the policy declares them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    pub id: String,
    pub name: Option<String>,
    /// The value of the quota group column, when the policy sets quotas per group.
    pub group: Option<String>,
    /// The plan the employee is appraised under (0 for a policy without plans).
    pub plan: usize,
    pub inputs: Vec<Value>,
    /// The general manager's final adjustment, when the data gives one.
    pub final_adjustment: Option<Override>,
    /// A yearly record: what the quarters give it (see `year`).
    pub year: Option<Box<YearGiven>>,
}

/// What a yearly record takes from its quarters instead of computing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct YearGiven {
    /// Per indicator: the mean of the quarters' points (`Value::Missing` when
    /// left out in every quarter), or `None` for a financial indicator,
    /// re-scored on the year's figures.
    pub indicators: Vec<Option<Value>>,
    /// Per bonus or deduction item: the mean of the quarters' points.
    pub adjustments: Vec<Option<Value>>,
    /// Every pay item that is prorated is multiplied by this (the share of
    /// the year's quarters a mid-year joiner was appraised in); see
    /// `missing quarters prorate`.
    pub pay_factor: Option<Decimal>,
    /// How many of the year's quarters the employee was appraised in.
    pub quarters_present: usize,
    /// For explanations: the quarters' names and, per indicator and per
    /// bonus or deduction item, each quarter's points (`None`: absent).
    pub quarters: Vec<String>,
    pub indicator_quarters: Vec<Vec<Option<Decimal>>>,
    pub adjustment_quarters: Vec<Vec<Option<Decimal>>>,
}

/// A final adjustment of one employee's score or grade, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub value: OverrideValue,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideValue {
    Score(Decimal),
    /// A grade, by index.
    Grade(u16),
}
