//! The compiled program: what the evaluator runs.
//!
//! Names are gone: every input and computed value lives in a slot of one flat
//! array, resolved at compile time, and the steps are in dependency order.
//! Built by `compile`, run by `eval`.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::engine::round::Rounder;
use crate::language::ast::CmpOp;
use crate::language::checked::{ArithOp, CheckedPolicy, Interval, Node};
use crate::language::source::Span;
use crate::numbers::num::Num;

/// A compiled policy, ready to evaluate records: one program per plan (just
/// one for a policy without plans). Cheap to share across threads: it is
/// immutable.
#[derive(Debug, Clone)]
pub struct Program {
    pub(crate) first: PlanProgram,
    /// The plans after the first, for a policy with plans.
    pub(crate) others: Vec<PlanProgram>,
    /// Every plan's indicators and bonus/deduction items, each name once,
    /// in order of first appearance: the report's columns, found once here
    /// rather than for every row written.
    indicator_names: Vec<String>,
    adjustment_names: Vec<String>,
    /// Per plan, where each of those columns is in its outcomes' maps.
    columns: Vec<PlanColumns>,
    has_vetoes: bool,
}

/// For each report column (of [`Program::indicator_names`] and
/// [`Program::adjustment_names`]), its place in one plan's outcomes'
/// indicators or adjustments, or `None` for a column the plan lacks: a
/// report row is then filled without looking any name up.
#[derive(Debug, Clone, Default)]
pub(crate) struct PlanColumns {
    pub indicators: Vec<Option<usize>>,
    pub adjustments: Vec<Option<usize>>,
}

/// One plan, compiled.
#[derive(Debug, Clone)]
pub struct PlanProgram {
    pub(crate) policy: Arc<CheckedPolicy>,
    pub(crate) layout: Layout,
    pub(crate) steps: Vec<Step>,
    /// The deepest formula of the steps, in operations: the stack a record
    /// needs is checked once, for this depth, rather than at every node.
    pub(crate) depth: usize,
    /// The keys of every outcome of this plan, made once.
    pub(crate) outcome_keys: crate::engine::scores::OutcomeKeys,
    /// The policy's roundings, made ready once.
    pub(crate) score_rounder: Rounder,
    pub(crate) money_rounder: Rounder,
}

impl PlanProgram {
    /// The checked plan the program was compiled from.
    pub fn policy(&self) -> &CheckedPolicy {
        &self.policy
    }
}

impl Program {
    /// The checked policy: for a policy with plans, the first plan. What the
    /// plans share (header, inputs, grades, pay items, quotas) is the same
    /// in every plan; indicators and bonuses are each plan's own.
    pub fn policy(&self) -> &CheckedPolicy {
        self.first().policy()
    }

    fn first(&self) -> &PlanProgram {
        &self.first
    }

    /// Every plan's program, in the policy's order.
    pub fn plans(&self) -> impl Iterator<Item = &PlanProgram> {
        std::iter::once(&self.first).chain(&self.others)
    }

    /// The program of plan `index` (the first plan for an index out of range).
    pub fn plan(&self, index: usize) -> &PlanProgram {
        index
            .checked_sub(1)
            .and_then(|i| self.others.get(i))
            .unwrap_or(&self.first)
    }

    /// Whether the policy has plans, each employee choosing one.
    pub fn has_plans(&self) -> bool {
        self.policy().plan.is_some()
    }

    /// The plan a data cell names, by the plan's name or its label.
    pub fn plan_named(&self, text: &str) -> Option<usize> {
        let plans = &self.policy().plans;
        plans
            .iter()
            .position(|p| p.name == text)
            .or_else(|| plans.iter().position(|p| p.label.as_deref() == Some(text)))
    }

    /// Builds the program of a policy from its plans' programs.
    pub(crate) fn new(first: PlanProgram, others: Vec<PlanProgram>) -> Program {
        let plans = || std::iter::once(&first).chain(&others);
        let indicator_names = union(plans().map(|p| p.policy.indicators.iter().map(|i| &i.name)));
        let adjustment_names = union(plans().map(|p| p.policy.adjustments.iter().map(|a| &a.name)));
        let has_vetoes = plans().any(|p| !p.policy.vetoes.is_empty());
        let columns = plans()
            .map(|p| PlanColumns {
                indicators: places(
                    &indicator_names,
                    p.policy.indicators.iter().map(|i| &i.name),
                ),
                adjustments: places(
                    &adjustment_names,
                    p.policy.adjustments.iter().map(|a| &a.name),
                ),
            })
            .collect();
        Program {
            first,
            others,
            indicator_names,
            adjustment_names,
            columns,
            has_vetoes,
        }
    }

    /// Where each report column is in an outcome's maps, found by the
    /// plan whose names its maps share (no name compared), or by name for
    /// an outcome made otherwise.
    pub(crate) fn columns_of(
        &self,
        indicators: &crate::engine::scores::Scores<Option<Decimal>>,
        adjustments: &crate::engine::scores::Scores<Decimal>,
    ) -> std::borrow::Cow<'_, PlanColumns> {
        let plan = self
            .plans()
            .position(|p| p.outcome_keys.made(indicators, adjustments));
        match plan.and_then(|i| self.columns.get(i)) {
            Some(columns) => std::borrow::Cow::Borrowed(columns),
            None => std::borrow::Cow::Owned(PlanColumns {
                indicators: places(&self.indicator_names, indicators.keys()),
                adjustments: places(&self.adjustment_names, adjustments.keys()),
            }),
        }
    }

    /// The names of every plan's indicators, each once, in order of first
    /// appearance: the columns of a report.
    pub fn indicator_names(&self) -> &[String] {
        &self.indicator_names
    }

    /// The names of every plan's bonus and deduction items, each once.
    pub fn adjustment_names(&self) -> &[String] {
        &self.adjustment_names
    }

    /// Whether any plan has vetoes.
    pub fn has_vetoes(&self) -> bool {
        self.has_vetoes
    }
}

/// The place in `names` of each of `columns`.
fn places<'a, N: AsRef<str> + 'a>(
    columns: &[String],
    names: impl Iterator<Item = &'a N>,
) -> Vec<Option<usize>> {
    // A table keeps this linear: a policy may have thousands of indicators.
    let mut place: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, name) in names.map(AsRef::as_ref).enumerate() {
        place.entry(name).or_insert(i);
    }
    columns
        .iter()
        .map(|c| place.get(c.as_str()).copied())
        .collect()
}

fn union<'a, I: Iterator<Item = &'a String>>(lists: impl Iterator<Item = I>) -> Vec<String> {
    // A set keeps this linear: a policy may have thousands of indicators.
    let mut out = indexmap::IndexSet::new();
    for list in lists {
        for name in list {
            if !out.contains(name) {
                out.insert(name.clone());
            }
        }
    }
    out.into_iter().collect()
}

/// Where each node's value lives in the slot array.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub values: usize,
    pub indicators: usize,
    pub measures: usize,
    pub adjustments: usize,
    pub score: usize,
    pub grade: usize,
    pub pay: usize,
    pub len: usize,
}

impl Layout {
    pub fn new(policy: &CheckedPolicy) -> Layout {
        let values = policy.inputs.len();
        let indicators = values + policy.values.len();
        let measures = indicators + policy.indicators.len();
        let adjustments = measures + policy.indicators.len();
        let score = adjustments + policy.adjustments.len();
        let grade = score + 1;
        let pay = grade + 1;
        Layout {
            values,
            indicators,
            measures,
            adjustments,
            score,
            grade,
            pay,
            len: pay + policy.pay.len(),
        }
    }

    pub fn slot(&self, node: Node) -> usize {
        match node {
            Node::Input(i) => i,
            Node::Value(i) => self.values + i,
            Node::Indicator(i) => self.indicators + i,
            Node::Adjustment(i) => self.adjustments + i,
            Node::Score => self.score,
            Node::Grade => self.grade,
            Node::Pay(i) => self.pay + i,
        }
    }

    pub fn measure(&self, indicator: usize) -> usize {
        self.measures + indicator
    }
}

/// A value: a record's input, or one the evaluator worked out (which it
/// holds in its slots as a [`Slot`]).
pub use crate::language::value::Value;

/// A [`Value`] as the evaluator keeps it in a slot and in a formula's
/// constants: its number a [`Num`], so that reading or writing a number
/// converts nothing (a walk of the usual record read and wrote some fifty
/// numbers, each converted from and back to a `Decimal`). A record's inputs
/// are converted once, as they are put in the frame; what is reported is
/// converted back as the outcome is filled.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot {
    Num(Num),
    Bool(bool),
    Grade(u16),
    Missing,
}

impl Slot {
    /// Whether the two are equal as [`Value`]s are: numbers by value
    /// (`1.0` equals `1.00`, `-0` equals `0`).
    pub fn same(self, other: Slot) -> bool {
        match (self, other) {
            (Slot::Num(a), Slot::Num(b)) => crate::numbers::num::order(a, b).is_eq(),
            (Slot::Bool(a), Slot::Bool(b)) => a == b,
            (Slot::Grade(a), Slot::Grade(b)) => a == b,
            (Slot::Missing, Slot::Missing) => true,
            _ => false,
        }
    }
}

impl From<Value> for Slot {
    #[inline]
    fn from(value: Value) -> Slot {
        match value {
            Value::Num(n) => Slot::Num(n.into()),
            Value::Bool(b) => Slot::Bool(b),
            Value::Grade(g) => Slot::Grade(g),
            Value::Missing => Slot::Missing,
        }
    }
}

impl From<Slot> for Value {
    #[inline]
    fn from(slot: Slot) -> Value {
        match slot {
            Slot::Num(n) => Value::Num(n.into()),
            Slot::Bool(b) => Value::Bool(b),
            Slot::Grade(g) => Value::Grade(g),
            Slot::Missing => Value::Missing,
        }
    }
}

/// One thing the evaluator computes, writing its slot.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Value {
        index: usize,
        op: Op,
    },
    Indicator {
        index: usize,
        measure: Option<Op>,
        points: Op,
        /// Conditions of the vetoes that zero it, with the veto's index.
        vetoes: Vec<(usize, Op)>,
    },
    Adjustment {
        index: usize,
        points: Op,
    },
    Score {
        /// The sum of every indicator's weight (100% in a checked policy),
        /// what the weighted points are divided by when none is left out
        /// (`None` if it overflows: then it is summed, and fails, per record).
        total_weight: Option<Decimal>,
        /// Each indicator's weight, by index, made a `Num` once.
        weights: Vec<Num>,
    },
    Grade {
        /// Score intervals of each grade, by grade index.
        bands: GradeBands,
        /// Vetoes that force a grade: index, condition, grade.
        vetoes: Vec<(usize, Op, u16)>,
    },
    Pay {
        index: usize,
        op: Op,
        /// Scaled by the year's pay factor (false for an item that adds up
        /// other pay items, which are scaled already).
        prorated: bool,
    },
}

/// The grades' score intervals. A score has the score precision's
/// decimals (it is rounded to them), so the ends are also kept as whole
/// numbers of that precision's units (95 at 0.01 is 9500) and a grade is
/// found by comparing integers, not decimals of different scales.
#[derive(Debug, Clone)]
pub(crate) struct GradeBands {
    /// Each grade's intervals, by grade index.
    pub decimal: Vec<(u16, Vec<Interval>)>,
    /// The score's decimals.
    pub scale: u32,
    /// The intervals at `scale` decimals; `None` when an end has more
    /// decimals than the score (then the decimal intervals are used).
    pub scaled: Option<Vec<(u16, Vec<ScaledInterval>)>>,
}

/// An [`Interval`] whose ends are mantissas at one scale: `(end, closed)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScaledInterval {
    lo: Option<(i128, bool)>,
    hi: Option<(i128, bool)>,
}

impl GradeBands {
    /// The bands of `grades`, for scores with `scale` decimals.
    pub fn new(grades: Vec<(u16, Vec<Interval>)>, scale: u32) -> GradeBands {
        let end = |end: Option<crate::language::checked::End>| -> Option<Option<(i128, bool)>> {
            match end {
                None => Some(None),
                Some(e) if e.value.scale() <= scale => {
                    let mut v = e.value;
                    v.rescale(scale);
                    (v.scale() == scale).then_some(Some((v.mantissa(), e.closed)))
                }
                Some(_) => None,
            }
        };
        let scaled = grades
            .iter()
            .map(|(g, intervals)| {
                let intervals = intervals
                    .iter()
                    .map(|i| {
                        Some(ScaledInterval {
                            lo: end(i.lo)?,
                            hi: end(i.hi)?,
                        })
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some((*g, intervals))
            })
            .collect::<Option<Vec<_>>>();
        GradeBands {
            decimal: grades,
            scale,
            scaled,
        }
    }

    /// The grade whose scores hold `score`.
    pub fn grade_of(&self, score: Decimal) -> Option<u16> {
        if let Some(bands) = &self.scaled
            && score.scale() == self.scale
        {
            let m = score.mantissa();
            let above =
                |lo: Option<(i128, bool)>| lo.is_none_or(|(e, closed)| m > e || closed && m == e);
            let below =
                |hi: Option<(i128, bool)>| hi.is_none_or(|(e, closed)| m < e || closed && m == e);
            return bands
                .iter()
                .find(|(_, scores)| scores.iter().any(|i| above(i.lo) && below(i.hi)))
                .map(|(g, _)| *g);
        }
        self.by_decimals(score)
    }

    /// The grade whose scores hold `score`, by the decimal intervals.
    fn by_decimals(&self, score: Decimal) -> Option<u16> {
        self.decimal
            .iter()
            .find(|(_, scores)| scores.iter().any(|i| i.contains(score)))
            .map(|(g, _)| *g)
    }
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Const(Slot),
    Slot(usize),
    Neg(Box<Op>),
    Not(Box<Op>),
    Arith(ArithOp, Box<[Op; 2]>, Span),
    Cmp(CmpOp, Box<[Op; 2]>),
    And(Box<[Op; 2]>),
    Or(Box<[Op; 2]>),
    If(Box<[Op; 3]>, Span),
    Min(Vec<Op>),
    Max(Vec<Op>),
    Clamp(Box<[Op; 3]>, Span),
    Abs(Box<Op>),
    /// The mean of the arguments present; `true`: without the highest and
    /// the lowest when at least three are present.
    Average(Vec<Op>, bool, Span),
    /// The first argument present.
    FirstOf(Vec<Op>, Span),
    /// ×100: a percentage given as points.
    FullMarks(Box<Op>, Span),
    Linear(Box<LinearTable>),
    Steps(Box<StepsTable>),
    ByGrade(usize, Vec<Op>),
}

impl Step {
    /// The deepest formula the step evaluates, in operations.
    pub fn depth(&self) -> usize {
        let deepest = |ops: &mut dyn Iterator<Item = &Op>| ops.map(Op::depth).max().unwrap_or(0);
        match self {
            Step::Value { op, .. } | Step::Pay { op, .. } => op.depth(),
            Step::Adjustment { points, .. } => points.depth(),
            Step::Indicator {
                measure,
                points,
                vetoes,
                ..
            } => deepest(
                &mut measure
                    .iter()
                    .chain([points])
                    .chain(vetoes.iter().map(|(_, c)| c)),
            ),
            Step::Score { .. } => 0,
            Step::Grade { vetoes, .. } => deepest(&mut vetoes.iter().map(|(_, c, _)| c)),
        }
    }
}

impl Op {
    /// How deep the operation nests: 1 for a constant or a slot.
    pub fn depth(&self) -> usize {
        let deepest = |ops: &[Op]| ops.iter().map(Op::depth).max().unwrap_or(0);
        1 + match self {
            Op::Const(_) | Op::Slot(_) => 0,
            Op::Neg(x) | Op::Not(x) | Op::Abs(x) | Op::FullMarks(x, _) => x.depth(),
            Op::Arith(_, xs, _) | Op::Cmp(_, xs) | Op::And(xs) | Op::Or(xs) => deepest(&**xs),
            Op::If(xs, _) | Op::Clamp(xs, _) => deepest(&**xs),
            Op::Min(xs) | Op::Max(xs) | Op::Average(xs, ..) | Op::FirstOf(xs, _) => deepest(xs),
            Op::ByGrade(_, xs) => deepest(xs),
            Op::Linear(table) => table
                .subject
                .depth()
                .max(deepest(&table.at))
                .max(deepest(&table.values)),
            Op::Steps(table) => {
                let bands = table.bands.iter().map(|(_, t, v)| t.depth().max(v.depth()));
                let otherwise = table.otherwise.as_ref().map_or(0, Op::depth);
                bands
                    .max()
                    .unwrap_or(0)
                    .max(otherwise)
                    .max(table.subject.depth())
            }
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct LinearTable {
    pub subject: Op,
    pub at: Vec<Op>,
    pub values: Vec<Op>,
    /// The points, when every one is a constant in increasing order (the
    /// usual case): a sorted array searched without evaluating anything.
    pub constant: Option<Vec<(Num, Num)>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub(crate) struct StepsTable {
    pub subject: Op,
    pub bands: Vec<(CmpOp, Op, Op)>,
    pub otherwise: Option<Op>,
    pub span: Span,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::checked::End;

    fn end(value: &str, closed: bool) -> Option<End> {
        Some(End {
            value: value.parse().unwrap(),
            closed,
        })
    }

    /// S >= 95, A 85 <= s < 95, B 75 < s <= 85 (ends of every kind), C
    /// below 75, and a band whose end has three decimals.
    fn grades(odd_end: &str) -> Vec<(u16, Vec<Interval>)> {
        vec![
            (
                0,
                vec![Interval {
                    lo: end("95", true),
                    hi: None,
                }],
            ),
            (
                1,
                vec![Interval {
                    lo: end("85", true),
                    hi: end("95", false),
                }],
            ),
            (
                2,
                vec![Interval {
                    lo: end("75", false),
                    hi: end("85", false),
                }],
            ),
            (
                3,
                vec![Interval {
                    lo: end(odd_end, true),
                    hi: end("75", true),
                }],
            ),
            (
                4,
                vec![Interval {
                    lo: None,
                    hi: end(odd_end, false),
                }],
            ),
        ]
    }

    /// The integer bands find the grade the decimal intervals find, for
    /// every score at the precision from -1 to 101, and scores of another
    /// scale (or bands finer than the score) take the decimal way.
    #[test]
    fn scaled_bands_find_the_grade_the_decimal_bands_find() {
        let bands = GradeBands::new(grades("60.5"), 2);
        assert!(bands.scaled.is_some());
        let finer = GradeBands::new(grades("60.505"), 2);
        assert!(finer.scaled.is_none());
        let decimal = |bands: &GradeBands, s: Decimal| bands.by_decimals(s);
        for m in -100..=10_100i64 {
            let s = Decimal::new(m, 2);
            assert_eq!(bands.grade_of(s), decimal(&bands, s), "{s}");
            assert_eq!(finer.grade_of(s), decimal(&finer, s), "{s}");
            let coarse = s.normalize();
            assert_eq!(bands.grade_of(coarse), decimal(&bands, coarse), "{coarse}");
        }
        let at = |s: &str| bands.grade_of(s.parse().unwrap());
        assert_eq!(at("95.00"), Some(0));
        assert_eq!(at("94.99"), Some(1));
        assert_eq!(at("85.00"), Some(1));
        assert_eq!(at("75.00"), Some(3));
        assert_eq!(at("75.01"), Some(2));
        assert_eq!(at("60.50"), Some(3));
        assert_eq!(at("60.49"), Some(4));
        assert_eq!(at("-3.00"), Some(4));
    }

    /// A slot is a value with its number held as a `Num`: it goes there
    /// and back unchanged (a negative zero too), and two slots are equal
    /// exactly when their values are.
    #[test]
    fn slots_hold_values_and_compare_as_values_do() {
        let n = |s: &str| Value::Num(s.parse().unwrap());
        let values = [
            n("1.0"),
            n("1.00"),
            n("-0"),
            n("0.00"),
            n("-2.5"),
            n("79228162514264337593543950335"),
            Value::Num(-Decimal::ZERO),
            Value::Bool(true),
            Value::Bool(false),
            Value::Grade(0),
            Value::Grade(3),
            Value::Missing,
        ];
        for a in values {
            let back = Value::from(Slot::from(a));
            assert_eq!(back, a);
            if let (Value::Num(x), Value::Num(y)) = (a, back) {
                assert_eq!(x.serialize(), y.serialize(), "{x}: the same scale and sign");
            }
            for b in values {
                assert_eq!(Slot::from(a).same(Slot::from(b)), a == b, "{a:?} and {b:?}");
            }
        }
    }
}
