//! The sales plan as CEL expressions (cel-interpreter): one named
//! expression per intermediate value, evaluated in order, each result bound
//! as a variable for the next, as a team embedding CEL would write it. CEL
//! has no decimal type: numbers are doubles, and a `round2` function (half
//! away from zero, to the hundredth) is registered, since CEL has none.
//! So results can differ from kpi's exact ones by a cent where a double
//! lands just below a midpoint; `tests/agree.rs` bounds such differences.

use cel_interpreter::{Context, Program, Value};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use crate::floor::{Decided, Sales};

/// Each step's name and CEL source, in evaluation order.
const STEPS: &[(&str, &str)] = &[
    ("dealRatio", "deal / dealTarget"),
    ("fxRatio", "fx / fxTarget"),
    ("customerRatio", "newCustomers / newTarget"),
    ("expenseRatio", "expenses / revenue"),
    // 差错: lower is better, the first band that matches wins.
    (
        "errorPts",
        "errorRate <= 0.01 ? 100.0 : errorRate <= 0.02 ? 75.0 : errorRate <= 0.05 ? 50.0 : 0.0",
    ),
    ("reviewPts", "round2(min(max(review, 0.0), 100.0))"),
    // 成交: 0% → 0, 100% → 75, 125% → 100.
    (
        "dealPts",
        "round2(min(max(dealRatio >= 1.25 ? 100.0 : dealRatio >= 1.0 ? 75.0 + (dealRatio - 1.0) * 100.0 : dealRatio <= 0.0 ? 0.0 : dealRatio * 75.0, 0.0), 100.0))",
    ),
    // 结汇: steps on the ratio to target.
    (
        "fxPts",
        "fxRatio >= 1.1 ? 100.0 : fxRatio >= 1.0 ? 75.0 : fxRatio >= 0.8 ? 50.0 : 0.0",
    ),
    // 新客户: 0% → 0, 100% → 75, 150% → 100.
    (
        "customerPts",
        "round2(min(max(customerRatio >= 1.5 ? 100.0 : customerRatio >= 1.0 ? 75.0 + (customerRatio - 1.0) * 50.0 : customerRatio <= 0.0 ? 0.0 : customerRatio * 75.0, 0.0), 100.0))",
    ),
    // 费用控制: met ⇒ 80; over, 10 points per percentage point, to 0.
    (
        "expensePts",
        "round2(min(max(expenseRatio <= approvedRatio ? 80.0 : 80.0 - (expenseRatio - approvedRatio) * 1000.0, 0.0), 100.0))",
    ),
    (
        "weighted",
        "errorPts * 0.1 + reviewPts * 0.15 + dealPts * 0.25 + fxPts * 0.2 + customerPts * 0.15 + expensePts * 0.15",
    ),
    ("bonus", "min(round2(proposals * 2.0), 6.0)"),
    ("deduction", "min(round2(complaints * 3.0), 12.0)"),
    ("net", "min(max(bonus - deduction, -10.0), 10.0)"),
    ("score", "round2(min(max(weighted + net, 0.0), 100.0))"),
    (
        "grade",
        "breach ? 'D' : score >= 95.0 ? 'S' : score >= 85.0 ? 'A' : score >= 75.0 ? 'B' : score >= 65.0 ? 'C' : 'D'",
    ),
    (
        "pay",
        "round2(base * {'S': 1.5, 'A': 1.3, 'B': 1.1, 'C': 0.9, 'D': 0.7}[grade])",
    ),
];

/// The compiled expressions and the root context holding `round2`.
pub struct Cel {
    steps: Vec<(&'static str, Program)>,
    root: Context<'static>,
}

/// To the hundredth, half away from zero (`f64::round` rounds half away).
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Cel {
    pub fn new() -> Cel {
        let steps = STEPS
            .iter()
            .map(|(name, source)| {
                let program = Program::compile(source)
                    .unwrap_or_else(|e| panic!("`{name}` does not compile: {e:?}"));
                (*name, program)
            })
            .collect();
        let mut root = Context::default();
        root.add_function("round2", round2);
        Cel { steps, root }
    }

    /// An employee's inputs as variables in a scope of the root context
    /// (made before timing, as kpi's records and zen's input objects are).
    pub fn scope(&self, s: &Sales) -> Context<'_> {
        let mut scope = self.root.new_inner_scope();
        let f = |d: Decimal| Value::Float(d.to_f64().unwrap_or(f64::NAN));
        for (name, value) in crate::numbers(s) {
            scope.add_variable_from_value(name, f(value));
        }
        scope.add_variable_from_value("breach", Value::Bool(s.breach));
        scope
    }

    /// One employee's decision: every step in order, in a scope of its own
    /// over the employee's inputs.
    pub fn decide(&self, inputs: &Context<'_>) -> Decided {
        let mut scope = inputs.new_inner_scope();
        for (name, program) in &self.steps {
            let value = program
                .execute(&scope)
                .unwrap_or_else(|e| panic!("`{name}`: {e:?}"));
            scope.add_variable_from_value(*name, value);
        }
        let number = |name: &str| match scope.get_variable(name) {
            Ok(Value::Float(x)) => Decimal::from_f64(x)
                .map(|d| d.round_dp(2))
                .unwrap_or_else(|| panic!("`{name}` = {x}")),
            other => panic!("`{name}` = {other:?}"),
        };
        let grade = match scope.get_variable("grade") {
            Ok(Value::String(g)) => crate::grade(g.as_str()),
            other => panic!("grade = {other:?}"),
        };
        Decided {
            score: number("score"),
            grade,
            pay: number("pay"),
        }
    }
}

impl Default for Cel {
    fn default() -> Self {
        Cel::new()
    }
}
