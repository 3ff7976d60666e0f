//! Evaluation: a record through the compiled program to an outcome.
//!
//! There is one evaluator. It is generic over a [`Tracer`]: [`NoTrace`]
//! compiles every trace call away for bulk evaluation, [`Trace`] records
//! each decision for `explain`. So an explanation cannot disagree with the
//! result: both come from the same run of the same code.

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

pub(crate) use super::frame::Frame;
pub use super::record::{Override, OverrideValue, Record, YearGiven};
pub use super::trace::{
    Event, IndicatorTrace, NoTrace, ScoreTrace, TableChoice, Trace, Traced, Tracer,
};
use crate::engine::outcome::{Detail, Outcome};
use crate::engine::program::{
    GradeBands, LinearTable, Op, PlanProgram, Program, Slot, Step, StepsTable, Value,
};
use crate::engine::round::round;
use crate::language::ast::CmpOp;
use crate::language::checked::{ArithOp, CheckedPolicy, Node};
use crate::language::source::Span;
use crate::numbers::num::{Num, greatest, least, order};

/// What forced ranking needs to know of one evaluated record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankingFacts {
    pub score: Decimal,
    /// The tie-breakers' values, in the policy's order (`None`: missing).
    pub ties: Vec<Option<Decimal>>,
    pub grade: u16,
    /// A veto set the grade: ranking leaves it.
    pub vetoed: bool,
}

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
struct Fault {
    kind: FaultKind,
    /// The span of the failing formula, in 32 bits: a policy is far
    /// smaller than 4 GB (a larger offset saturates).
    start: u32,
    end: u32,
    /// For a missing value, the slot that had none (`u32::MAX`: none).
    slot: u32,
}

impl Fault {
    fn new(kind: FaultKind, span: Span) -> Fault {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Fault {
            kind,
            start: narrow(span.start),
            end: narrow(span.end),
            slot: u32::MAX,
        }
    }

    /// A missing value in `slot`.
    fn missing_in(slot: usize) -> Fault {
        Fault {
            slot: u32::try_from(slot).unwrap_or(u32::MAX),
            ..Fault::new(FaultKind::MissingValue, Span::default())
        }
    }

    fn span(&self) -> Span {
        Span {
            start: self.start as usize,
            end: self.end as usize,
        }
    }

    fn slot(&self) -> Option<usize> {
        (self.slot != u32::MAX).then_some(self.slot as usize)
    }

    fn missing(&self) -> bool {
        self.kind == FaultKind::MissingValue
    }
}

type Eval<T> = Result<T, Fault>;

/// Puts points a yearly record took from its quarters in their slot, in
/// place of computing them; `false` when there are none.
fn take_given<T: Tracer>(
    frame: &mut Frame,
    given: Option<Value>,
    slot: usize,
    node: Node,
    t: &mut T,
) -> bool {
    let Some(value) = given else {
        return false;
    };
    set(&mut frame.slots, slot, value.into());
    t.event(|| Event::Given { node, value });
    true
}

/// A buffer [`Program::decide`] and [`Program::evaluate_into`] evaluate in,
/// reused from one record to the next so that evaluating a file allocates
/// nothing per employee.
#[derive(Debug, Default)]
pub struct Scratch {
    frame: Frame,
}

/// What a policy decides for one record, read from the [`Scratch`] it was
/// evaluated in: the score, the grade and each pay item (in the order of
/// the policy), before forced ranking.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub score: Option<Decimal>,
    pub grade: Option<&'a str>,
    pay: &'a [Slot],
}

impl Decision<'_> {
    /// The amount of the policy's `i`-th pay item.
    pub fn pay(&self, i: usize) -> Option<Decimal> {
        match self.pay.get(i) {
            Some(Slot::Num(n)) => Some((*n).into()),
            _ => None,
        }
    }
}

/// The policy's entry points: each runs the record's plan.
impl Program {
    /// Evaluates one record into `scratch`, without building an
    /// [`Outcome`]: the fast path, for callers that need only the decision.
    /// The same evaluator as [`Self::evaluate`].
    pub fn decide<'a>(
        &'a self,
        record: &Record,
        scratch: &'a mut Scratch,
    ) -> Result<Decision<'a>, EvalError> {
        let plan = self.plan(record.plan);
        plan.run_in(record, None, None, &mut NoTrace, &mut scratch.frame)?;
        let policy = plan.policy();
        let layout = &plan.layout;
        let slots = &scratch.frame.slots;
        let score = match slots.get(layout.score) {
            Some(Slot::Num(n)) if policy.has_score() => Some((*n).into()),
            _ => None,
        };
        let grade = match slots.get(layout.grade) {
            Some(Slot::Grade(g)) => policy.grades.get(usize::from(*g)).map(|g| g.name.as_str()),
            _ => None,
        };
        let pay = slots
            .get(layout.pay..layout.pay + policy.pay.len())
            .unwrap_or_default();
        Ok(Decision { score, grade, pay })
    }

    /// Evaluates one record.
    pub fn evaluate(&self, record: &Record) -> Result<Outcome, EvalError> {
        self.plan(record.plan).evaluate(record)
    }

    /// [`Self::evaluate`] into `outcome`, in place of what it held, evaluating
    /// in `scratch`: both are reused from one record to the next, so that
    /// evaluating a file this way allocates next to nothing per employee.
    /// On an error, `outcome` is left as it was.
    pub fn evaluate_into(
        &self,
        record: &Record,
        scratch: &mut Scratch,
        outcome: &mut Outcome,
    ) -> Result<(), EvalError> {
        self.evaluate_into_with(record, scratch, outcome, Detail::Full)
    }

    /// [`Self::evaluate_into`], working out only the `detail` asked for.
    pub fn evaluate_into_with(
        &self,
        record: &Record,
        scratch: &mut Scratch,
        outcome: &mut Outcome,
        detail: Detail,
    ) -> Result<(), EvalError> {
        let plan = self.plan(record.plan);
        plan.run_in(record, None, None, &mut NoTrace, &mut scratch.frame)?;
        outcome.fill(plan, record, &scratch.frame, detail);
        Ok(())
    }

    /// [`Self::evaluate_into_with`] of a record whose inputs were typed
    /// into `inputs` rather than into the record
    /// ([`crate::data::Columns::type_into`]).
    pub(crate) fn evaluate_typed_into(
        &self,
        record: &Record,
        inputs: &[Slot],
        scratch: &mut Scratch,
        outcome: &mut Outcome,
        detail: Detail,
    ) -> Result<(), EvalError> {
        let plan = self.plan(record.plan);
        plan.run_in(record, Some(inputs), None, &mut NoTrace, &mut scratch.frame)?;
        outcome.fill(plan, record, &scratch.frame, detail);
        Ok(())
    }

    /// Evaluates one record with tracing on, for an explanation.
    pub fn evaluate_traced(&self, record: &Record) -> Result<Traced, EvalError> {
        self.plan(record.plan).evaluate_traced(record)
    }

    /// Evaluates one record whose grade forced ranking set: everything
    /// after the grade (pay) follows the ranked grade.
    pub fn evaluate_ranked(&self, record: &Record, grade: u16) -> Result<Outcome, EvalError> {
        self.plan(record.plan).evaluate_ranked(record, grade)
    }

    /// [`Program::evaluate_traced`], with the grade forced ranking set.
    pub fn evaluate_traced_ranked(
        &self,
        record: &Record,
        ranked: Option<u16>,
    ) -> Result<Traced, EvalError> {
        self.plan(record.plan)
            .evaluate_traced_ranked(record, ranked)
    }

    /// Evaluates one record for forced ranking: the outcome, and what the
    /// ranking needs to know of it.
    pub fn evaluate_for_ranking(
        &self,
        record: &Record,
    ) -> Result<(Outcome, RankingFacts), EvalError> {
        self.plan(record.plan).evaluate_for_ranking(record)
    }
}

impl PlanProgram {
    /// Evaluates one record.
    pub fn evaluate(&self, record: &Record) -> Result<Outcome, EvalError> {
        let frame = self.run(record, None, &mut NoTrace)?;
        Ok(Outcome::new(self, record, &frame))
    }

    /// Evaluates one record with tracing on, for an explanation.
    pub fn evaluate_traced(&self, record: &Record) -> Result<Traced, EvalError> {
        self.evaluate_traced_ranked(record, None)
    }

    /// Evaluates one record whose grade forced ranking set: everything
    /// after the grade (pay) follows the ranked grade.
    pub fn evaluate_ranked(&self, record: &Record, grade: u16) -> Result<Outcome, EvalError> {
        let frame = self.run(record, Some(grade), &mut NoTrace)?;
        Ok(Outcome::new(self, record, &frame))
    }

    /// [`PlanProgram::evaluate_traced`], with the grade forced ranking set.
    pub fn evaluate_traced_ranked(
        &self,
        record: &Record,
        ranked: Option<u16>,
    ) -> Result<Traced, EvalError> {
        let mut trace = Trace::default();
        let frame = self.run(record, ranked, &mut trace)?;
        Ok(Traced {
            outcome: Outcome::new(self, record, &frame),
            events: trace.events,
            slots: frame.slots.into_iter().map(Value::from).collect(),
        })
    }

    /// Evaluates one record for forced ranking: the outcome, and what the
    /// ranking needs to know of it.
    pub fn evaluate_for_ranking(
        &self,
        record: &Record,
    ) -> Result<(Outcome, RankingFacts), EvalError> {
        let frame = self.run(record, None, &mut NoTrace)?;
        let ties = self
            .policy
            .quotas
            .as_ref()
            .and_then(|q| q.ranking.as_ref())
            .map_or_else(Vec::new, |r| {
                r.ties
                    .iter()
                    .map(|t| match frame.slots.get(self.layout.slot(t.node)) {
                        Some(Slot::Num(n)) => Some((*n).into()),
                        _ => None,
                    })
                    .collect()
            });
        let facts = RankingFacts {
            score: match frame.slots.get(self.layout.score) {
                Some(Slot::Num(n)) => (*n).into(),
                _ => Decimal::ZERO,
            },
            ties,
            grade: match frame.slots.get(self.layout.grade) {
                Some(Slot::Grade(g)) => *g,
                _ => 0,
            },
            // A veto's or the general manager's grade is kept by the ranking.
            vetoed: frame.grade_veto.is_some()
                || matches!(frame.adjustment, Some(OverrideValue::Grade(_))),
        };
        Ok((Outcome::new(self, record, &frame), facts))
    }

    pub(crate) fn run<T: Tracer>(
        &self,
        record: &Record,
        ranked_grade: Option<u16>,
        tracer: &mut T,
    ) -> Result<Frame, EvalError> {
        let mut frame = Frame::default();
        self.run_in(record, None, ranked_grade, tracer, &mut frame)?;
        Ok(frame)
    }

    /// [`Self::run`] in a frame from an earlier run, whose buffers are
    /// reused: evaluating many records this way allocates nothing. The
    /// inputs are the record's, or `typed` when given.
    pub(crate) fn run_in<T: Tracer>(
        &self,
        record: &Record,
        typed: Option<&[Slot]>,
        ranked_grade: Option<u16>,
        tracer: &mut T,
        frame: &mut Frame,
    ) -> Result<(), EvalError> {
        let policy = &*self.policy;
        frame.slots.clear();
        match typed {
            Some(inputs) => frame
                .slots
                .extend_from_slice(inputs.get(..self.layout.len).unwrap_or(inputs)),
            None => frame.slots.extend(
                record
                    .inputs
                    .iter()
                    .take(self.layout.len)
                    .map(|v| Slot::from(*v)),
            ),
        }
        frame.slots.resize(self.layout.len, Slot::Num(Num::ZERO));
        frame.weighted = Decimal::ZERO;
        frame.contributions.clear();
        frame.grade_veto = None;
        frame.grade_by_score = None;
        frame.zeroed_by.clear();
        frame.zeroed_by.resize(policy.indicators.len(), None);
        frame.ranked_grade = ranked_grade;
        frame.adjustment = record.final_adjustment.as_ref().map(|o| o.value);
        frame.before_adjustment = None;
        frame.given_indicators.clear();
        frame.given_adjustments.clear();
        if let Some(year) = &record.year {
            frame.given_indicators.extend_from_slice(&year.indicators);
            frame.given_adjustments.extend_from_slice(&year.adjustments);
        }
        frame.pay_factor = record.year.as_ref().and_then(|y| y.pay_factor);
        // Formulas are walked recursively: make room for the deepest one
        // once per record, rather than looking at the stack at every node.
        let needed = stack_needed(self.depth);
        stacker::maybe_grow(needed, (needed * 2).max(4 * 1024 * 1024), || {
            for step in &self.steps {
                self.step(step, frame, tracer)
                    .map_err(|fault| self.describe(fault, step, &frame.slots))?;
            }
            Ok(())
        })
    }

    fn step<T: Tracer>(&self, step: &Step, frame: &mut Frame, t: &mut T) -> Eval<()> {
        let policy = &*self.policy;
        let layout = &self.layout;
        match step {
            Step::Value { index, op } => {
                // A value that reads a missing optional input is missing too;
                // whatever needs it later fails or is left out.
                let value = match eval(op, &frame.slots, t) {
                    Err(f) if f.missing() => Slot::Missing,
                    other => other?,
                };
                t.event(|| Event::Value {
                    index: *index,
                    value: value.into(),
                });
                set(&mut frame.slots, layout.values + index, value);
            }
            Step::Indicator {
                index,
                measure,
                points,
                vetoes,
            } => {
                let indicator = policy.indicators.get(*index);
                // A yearly record's averaged indicator: the quarters' mean.
                let given = frame.given_indicators.get(*index).copied().flatten();
                if take_given(
                    frame,
                    given,
                    layout.indicators + index,
                    Node::Indicator(*index),
                    t,
                ) {
                    return Ok(());
                }
                // An indicator that reads a missing optional input is left
                // out, and the other weights re-normalised.
                let excluded = |f: Fault, frame: &mut Frame, t: &mut T| {
                    set(&mut frame.slots, layout.indicators + index, Slot::Missing);
                    t.event(|| Event::Excluded {
                        index: *index,
                        missing: f.slot(),
                    });
                };
                let measure_value = match measure {
                    Some(op) => match eval_number(op, &frame.slots, t) {
                        Err(f) if f.missing() => {
                            excluded(f, frame, t);
                            return Ok(());
                        }
                        m => {
                            let m = m?;
                            set_number(&mut frame.slots, layout.measure(*index), m);
                            Some(m)
                        }
                    },
                    None => None,
                };
                let mut vetoed_by = None;
                for (veto, condition) in vetoes {
                    if eval_truth(condition, &frame.slots, t)? {
                        vetoed_by = Some(*veto);
                        break;
                    }
                }
                let span = indicator.map(|i| i.points.span).unwrap_or_default();
                let raw = match vetoed_by {
                    Some(_) => Num::ZERO,
                    None => match eval_number(points, &frame.slots, t) {
                        Err(f) if f.missing() => {
                            excluded(f, frame, t);
                            return Ok(());
                        }
                        p => p?,
                    },
                };
                // Within 0–100: the sign is a bit, so one comparison.
                let mut bounded = if raw.is_sign_negative() {
                    Num::ZERO
                } else {
                    least(raw, Num::ONE_HUNDRED)
                };
                if let Some(cap) = indicator.and_then(|i| i.cap) {
                    bounded = least(bounded, cap.into());
                }
                if let (Some(floor), None) = (indicator.and_then(|i| i.floor), vetoed_by) {
                    bounded = greatest(bounded, floor.into());
                }
                let rounded = self
                    .score_rounder
                    .round(bounded)
                    .ok_or(Fault::new(FaultKind::Overflow, span))?;
                if let Some(z) = frame.zeroed_by.get_mut(*index) {
                    *z = vetoed_by;
                }
                t.event(|| {
                    Event::Indicator(IndicatorTrace {
                        index: *index,
                        measure: measure_value.map(Decimal::from),
                        vetoed_by,
                        raw: raw.into(),
                        bounded: bounded.into(),
                        points: rounded.into(),
                    })
                });
                set_number(&mut frame.slots, layout.indicators + index, rounded);
            }
            Step::Adjustment { index, points } => {
                let given = frame.given_adjustments.get(*index).copied().flatten();
                if take_given(
                    frame,
                    given,
                    layout.adjustments + index,
                    Node::Adjustment(*index),
                    t,
                ) {
                    return Ok(());
                }
                let adjustment = policy.adjustments.get(*index);
                let span = adjustment.map(|a| a.points.span).unwrap_or_default();
                let raw = eval_number(points, &frame.slots, t)?;
                if raw.is_sign_negative() && !raw.is_zero() {
                    return Err(Fault::new(FaultKind::NegativeAdjustment, span));
                }
                let rounded = self
                    .score_rounder
                    .round(raw)
                    .ok_or(Fault::new(FaultKind::Overflow, span))?;
                // A cap keeps the score precision's decimals (`6.00`, not `6`).
                let capped = match adjustment.and_then(|a| a.cap).map(Num::from) {
                    Some(cap) if order(cap, rounded).is_lt() => self
                        .score_rounder
                        .round(cap)
                        .ok_or(Fault::new(FaultKind::Overflow, span))?,
                    _ => rounded,
                };
                t.event(|| Event::Adjustment {
                    index: *index,
                    raw: raw.into(),
                    rounded: rounded.into(),
                    points: capped.into(),
                });
                set_number(&mut frame.slots, layout.adjustments + index, capped);
            }
            Step::Score {
                total_weight,
                weights,
            } => self.score(*total_weight, weights, frame, t)?,
            Step::Grade { bands, vetoes } => self.grade(bands, vetoes, frame, t)?,
            Step::Pay {
                index,
                op,
                prorated,
            } => {
                let span = policy
                    .pay
                    .get(*index)
                    .map(|p| p.expr.span)
                    .unwrap_or_default();
                let mut raw = eval_number(op, &frame.slots, t)?;
                let mut unprorated = None;
                if let (Some(factor), true) = (frame.pay_factor, *prorated) {
                    unprorated = Some(raw);
                    raw = raw
                        .checked_mul(factor.into())
                        .ok_or(Fault::new(FaultKind::Overflow, span))?;
                }
                let amount = self
                    .money_rounder
                    .round(raw)
                    .ok_or(Fault::new(FaultKind::Overflow, span))?;
                t.event(|| Event::Pay {
                    index: *index,
                    unprorated: unprorated.map(Decimal::from),
                    raw: raw.into(),
                    amount: amount.into(),
                });
                set_number(&mut frame.slots, layout.pay + index, amount);
            }
        }
        Ok(())
    }

    /// The score step: the weighted points, the adjustments, the bounds.
    /// Its own function (as is the grade's), so that the per-indicator
    /// steps run in a small frame.
    #[inline(never)]
    fn score<T: Tracer>(
        &self,
        total_weight: Option<Decimal>,
        weights: &[Num],
        frame: &mut Frame,
        t: &mut T,
    ) -> Eval<()> {
        let policy = &*self.policy;
        let layout = &self.layout;
        let overflow = Fault::new(FaultKind::Overflow, Span::default());
        let mut contributions = std::mem::take(&mut frame.contributions);
        contributions.clear();
        let mut weighted = Num::ZERO;
        let mut left_out = false;
        for (i, weight) in weights.iter().enumerate() {
            let slot = layout.indicators + i;
            // Left out for a missing value.
            if let Some(Slot::Missing) = frame.slots.get(slot) {
                left_out = true;
                contributions.push(None);
                continue;
            }
            let c = number_in(&frame.slots, slot)
                .checked_mul(*weight)
                .ok_or(overflow)?;
            weighted = weighted.checked_add(c).ok_or(overflow)?;
            contributions.push(Some(c));
        }
        // The weights of the indicators that count: all of them (summed
        // at compile time) unless some were left out.
        let included = match (left_out, total_weight) {
            (false, Some(total)) => total,
            _ => {
                let mut included = Decimal::ZERO;
                for (indicator, c) in policy.indicators.iter().zip(&contributions) {
                    if c.is_some() {
                        included = included.checked_add(indicator.weight).ok_or(overflow)?;
                    }
                }
                included
            }
        };
        if included.is_zero() && !policy.indicators.is_empty() {
            return Err(Fault::new(FaultKind::NoIndicators, Span::default()));
        }
        // Re-normalise when indicators were left out: divide once, at
        // the end, so that the only inexact step is this division.
        // The products before re-normalising, for the trace only.
        let products: Vec<Option<Decimal>> = if T::ENABLED {
            contributions.iter().map(|c| c.map(Decimal::from)).collect()
        } else {
            Vec::new()
        };
        // Exactly one (the usual total of weights) by its mantissa: a
        // Decimal comparison is a call.
        let is_one = included.mantissa() == 10i128.pow(included.scale());
        if !is_one && !included.is_zero() {
            weighted = weighted.checked_div(included.into()).ok_or(overflow)?;
            for c in contributions.iter_mut().flatten() {
                *c = c.checked_div(included.into()).ok_or(overflow)?;
            }
        }
        let (mut bonuses, mut deductions) = (Num::ZERO, Num::ZERO);
        for (i, adjustment) in policy.adjustments.iter().enumerate() {
            let points = number_in(&frame.slots, layout.adjustments + i);
            match adjustment.kind {
                crate::language::ast::AdjustmentKind::Bonus => {
                    bonuses = bonuses.checked_add(points).ok_or(overflow)?;
                }
                crate::language::ast::AdjustmentKind::Deduction => {
                    deductions = deductions.checked_add(points).ok_or(overflow)?;
                }
            }
        }
        let (bonuses_total, deductions_total) = (bonuses, deductions);
        if let Some(cap) = policy.caps.bonuses {
            bonuses = least(bonuses, cap.into());
        }
        if let Some(cap) = policy.caps.deductions {
            deductions = least(deductions, cap.into());
        }
        let net_total = bonuses.checked_sub(deductions).ok_or(overflow)?;
        let mut net = net_total;
        if let Some(cap) = policy.caps.net.map(Num::from) {
            net = within(net, -cap, cap);
        }
        let raw = weighted.checked_add(net).ok_or(overflow)?;
        let (low, high) = policy.score_range;
        let clamped = within(raw, low.into(), high.into());
        let score = self.score_rounder.round(clamped).ok_or(overflow)?;
        frame.weighted = weighted.into();
        frame.contributions = contributions;
        t.event(|| {
            let d = Decimal::from;
            Event::Score(ScoreTrace {
                contributions: products,
                included_weight: included,
                weighted: d(weighted),
                bonuses: (d(bonuses_total), d(bonuses)),
                deductions: (d(deductions_total), d(deductions)),
                net: (d(net_total), d(net)),
                raw: d(raw),
                clamped: d(clamped),
                score: d(score),
            })
        });
        let mut score = score;
        if let Some(OverrideValue::Score(s)) = frame.adjustment {
            let s = round(s, policy.score_rounding).ok_or(overflow)?;
            let before = Decimal::from(score);
            frame.before_adjustment = Some(Value::Num(before));
            t.event(|| Event::Override {
                before: Value::Num(before),
                after: Value::Num(s),
            });
            score = s.into();
        }
        set_number(&mut frame.slots, layout.score, score);
        Ok(())
    }

    /// The grade step: by the score, then vetoes, ranking and the override.
    #[inline(never)]
    fn grade<T: Tracer>(
        &self,
        bands: &GradeBands,
        vetoes: &[(usize, Op, u16)],
        frame: &mut Frame,
        t: &mut T,
    ) -> Eval<()> {
        let layout = &self.layout;
        let score = Decimal::from(number_in(&frame.slots, layout.score));
        let by_score = bands
            .grade_of(score)
            .ok_or(Fault::new(FaultKind::NoGrade, Span::default()))?;
        let mut grade = by_score;
        let mut applied = None;
        for (veto, condition, forced) in vetoes {
            if eval_truth(condition, &frame.slots, t)? {
                grade = *forced;
                applied = Some(*veto);
                break;
            }
        }
        let ranked = match (applied, frame.ranked_grade) {
            (None, Some(r)) if r != grade => Some(r),
            _ => None,
        };
        if let Some(r) = ranked {
            grade = r;
        }
        frame.grade_by_score = Some(by_score);
        frame.grade_veto = applied;
        t.event(|| Event::Grade {
            by_score,
            veto: applied,
            ranked,
            grade,
        });
        // The general manager's grade is final: it wins over a veto.
        if let Some(OverrideValue::Grade(g)) = frame.adjustment {
            frame.before_adjustment = Some(Value::Grade(grade));
            t.event(|| Event::Override {
                before: Value::Grade(grade),
                after: Value::Grade(g),
            });
            grade = g;
        }
        set(&mut frame.slots, layout.grade, Slot::Grade(grade));
        Ok(())
    }

    /// Turns a fault into an error naming the rule, its line, its formula
    /// and the values it read.
    fn describe(&self, fault: Fault, step: &Step, slots: &[Slot]) -> EvalError {
        let policy = &*self.policy;
        let node = match step {
            Step::Value { index, .. } => Node::Value(*index),
            Step::Indicator { index, .. } => Node::Indicator(*index),
            Step::Adjustment { index, .. } => Node::Adjustment(*index),
            Step::Score { .. } => Node::Score,
            Step::Grade { .. } => Node::Grade,
            Step::Pay { index, .. } => Node::Pay(*index),
        };
        let (name, label) = policy.describe(node);
        let kind = match node {
            Node::Value(_) => "value",
            Node::Indicator(_) => "indicator",
            Node::Adjustment(_) => "bonus/deduction",
            Node::Pay(_) => "pay item",
            Node::Score => "the score",
            Node::Grade => "the grade",
            Node::Input(_) => "input",
        };
        let rule = match (node, label) {
            (Node::Score | Node::Grade, _) => kind.to_string(),
            (_, Some(label)) => format!("{kind} `{name}` ({label})"),
            (_, None) => format!("{kind} `{name}`"),
        };
        let span = if fault.span().is_empty() {
            policy.span_of(node)
        } else {
            fault.span()
        };
        let mut values = Vec::new();
        for (i, input) in policy.inputs.iter().enumerate() {
            if mentions(policy, span, &input.name) {
                values.push((input.name.clone(), show(policy, get(slots, i).into())));
            }
        }
        for (i, value) in policy.values.iter().enumerate() {
            if mentions(policy, span, &value.name) {
                values.push((
                    value.name.clone(),
                    show(policy, get(slots, self.layout.values + i).into()),
                ));
            }
        }
        if fault.kind == FaultKind::NoGrade {
            values.push((
                "score".to_string(),
                show(policy, get(slots, self.layout.score).into()),
            ));
        }
        let formula = policy.source.slice(span);
        let formula = if formula.contains('\n') || formula.chars().count() > 80 {
            formula.lines().next().unwrap_or("").trim().to_string() + " …"
        } else {
            formula.to_string()
        };
        EvalError {
            kind: fault.kind,
            rule,
            line: policy.source.line_of(span),
            span,
            formula,
            values,
        }
    }
}

/// Whether the formula under `span` mentions `name` as a whole word.
fn mentions(policy: &CheckedPolicy, span: Span, name: &str) -> bool {
    let text = policy.source.slice(span);
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !is_word(before) && !is_word(after)
    })
}

fn show(policy: &CheckedPolicy, value: Value) -> String {
    match value {
        Value::Num(n) => n.normalize().to_string(),
        Value::Bool(b) => if b { "yes" } else { "no" }.to_string(),
        Value::Grade(g) => policy
            .grades
            .get(usize::from(g))
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        Value::Missing => "(missing)".to_string(),
    }
}

/// `x` kept within `lo..=hi`: `Ord::clamp` without its check that
/// `lo <= hi` (a third comparison, and a panic if the policy's bounds were
/// ever crossed; here `lo` then wins).
fn within(x: Num, lo: Num, hi: Num) -> Num {
    if order(x, lo).is_lt() {
        lo
    } else if order(x, hi).is_gt() {
        hi
    } else {
        x
    }
}

fn get(slots: &[Slot], i: usize) -> Slot {
    slots.get(i).copied().unwrap_or(Slot::Num(Num::ZERO))
}

/// The number in slot `i` (zero for none), read in place: copying the
/// whole `Value` out first costs a stalled load.
#[inline]
fn number_in(slots: &[Slot], i: usize) -> Num {
    match slots.get(i) {
        Some(Slot::Num(n)) => *n,
        _ => Num::ZERO,
    }
}

/// Puts a number in slot `i`. A computed slot holds a number already (a
/// frame starts them at zero), so only the number is written: building a
/// whole `Slot` and copying it in costs a stalled load.
#[inline]
fn set_number(slots: &mut [Slot], i: usize, n: Num) {
    match slots.get_mut(i) {
        Some(Slot::Num(slot)) => *slot = n,
        Some(slot) => *slot = Slot::Num(n),
        None => {}
    }
}

fn set(slots: &mut [Slot], i: usize, value: Slot) {
    if let Some(slot) = slots.get_mut(i) {
        *slot = value;
    }
}

/// The number in a value. The checker guarantees numbers where numbers
/// are read, and a missing value never reaches here (reading one faults).
fn num(value: Slot) -> Num {
    match value {
        Slot::Num(n) => n,
        Slot::Bool(_) | Slot::Grade(_) | Slot::Missing => Num::ZERO,
    }
}

/// Stack kept free for a step, beside what its formulas take.
const RED_ZONE: usize = 128 * 1024;

/// The stack evaluating a formula `depth` operations deep may take: a
/// generous bound per level (a debug build's frames are large), and room
/// for the step around it.
fn stack_needed(depth: usize) -> usize {
    const PER_LEVEL: usize = 16 * 1024;
    RED_ZONE + depth * PER_LEVEL
}

/// The first fault of the formula being walked. An operation that faults
/// records it here (unless one is recorded already: the first one, in
/// evaluation order, is what the user is told) and yields zero; the walk
/// runs on to the end of the formula, and the step then reports the fault.
/// So a number comes back from each operation in two registers, rather than
/// inside a 20-byte `Result` in memory, which was most of the walk's cost.
type Pending = Option<Fault>;

/// Records `fault` unless an earlier one is pending, and yields zero in
/// place of the value the operation could not compute.
#[cold]
fn fail(pending: &mut Pending, fault: Fault) -> Num {
    if pending.is_none() {
        *pending = Some(fault);
    }
    Num::ZERO
}

/// Records a trace event, unless the formula has faulted already (its
/// values are then stand-ins, and a faulting walk used to stop before it).
fn note<T: Tracer>(t: &mut T, pending: &Pending, event: impl FnOnce() -> Event) {
    if pending.is_none() {
        t.event(event);
    }
}

/// A formula's value, or its first fault.
#[inline]
fn eval<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T) -> Eval<Slot> {
    let mut pending = None;
    let v = value(op, slots, t, &mut pending);
    pending.map_or(Ok(v), Err)
}

/// A number-valued formula's value, or its first fault.
#[inline]
fn eval_number<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T) -> Eval<Num> {
    let mut pending = None;
    let n = operand(op, slots, t, &mut pending);
    pending.map_or(Ok(n), Err)
}

/// Whether a yes/no formula holds, or its first fault.
#[inline]
fn eval_truth<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T) -> Eval<bool> {
    let mut pending = None;
    let holds = truth(op, slots, t, &mut pending);
    pending.map_or(Ok(holds), Err)
}

/// A formula of any type: numbers and yes/no go to their own walks; what
/// is left here is what may be of any type (a constant, a slot, a branch,
/// `first_of`, a by-grade table).
fn value<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T, p: &mut Pending) -> Slot {
    match op {
        Op::Const(v) => *v,
        Op::Slot(i) => match get(slots, *i) {
            Slot::Missing => {
                fail(p, Fault::missing_in(*i));
                Slot::Missing
            }
            v => v,
        },
        Op::Not(_) | Op::Cmp(..) | Op::And(_) | Op::Or(_) => Slot::Bool(truth(op, slots, t, p)),
        Op::If(parts, span) => value(branch(parts, *span, slots, t, p), slots, t, p),
        Op::FirstOf(args, span) => first_of(args, *span, slots, t, p),
        Op::ByGrade(slot, values) => match values.get(grade_in(slots, *slot)) {
            Some(v) => value(v, slots, t, p),
            None => Slot::Num(Num::ZERO),
        },
        Op::Neg(_)
        | Op::Arith(..)
        | Op::Min(_)
        | Op::Max(_)
        | Op::Clamp(..)
        | Op::Abs(_)
        | Op::Average(..)
        | Op::FullMarks(..)
        | Op::Linear(_)
        | Op::Steps(_) => Slot::Num(number(op, slots, t, p)),
    }
}

/// A formula the checker typed as a number.
fn number<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T, p: &mut Pending) -> Num {
    // Constants and slots are read in place: copying the whole `Value` out
    // first costs a stalled load on every read.
    match op {
        Op::Const(Slot::Num(n)) => *n,
        Op::Const(_) => Num::ZERO,
        Op::Slot(i) => match slots.get(*i) {
            Some(Slot::Num(n)) => *n,
            Some(Slot::Missing) => fail(p, Fault::missing_in(*i)),
            Some(Slot::Bool(_) | Slot::Grade(_)) | None => Num::ZERO,
        },
        Op::Neg(x) => -operand(x, slots, t, p),
        Op::Arith(a, operands, span) => {
            let [l, r] = &**operands;
            let l = operand(l, slots, t, p);
            let r = operand(r, slots, t, p);
            let result = match a {
                ArithOp::Add => l.checked_add(r),
                ArithOp::Sub => l.checked_sub(r),
                ArithOp::Mul => l.checked_mul(r),
                ArithOp::Div if r.is_zero() => {
                    return fail(p, Fault::new(FaultKind::DivisionByZero, *span));
                }
                ArithOp::Div => l.checked_div(r),
            };
            match result {
                Some(n) => n,
                None => fail(p, Fault::new(FaultKind::Overflow, *span)),
            }
        }
        Op::Min(args) => extreme(args, true, slots, t, p),
        Op::Max(args) => extreme(args, false, slots, t, p),
        Op::Clamp(parts, span) => clamp(parts, *span, slots, t, p),
        Op::Abs(x) => operand(x, slots, t, p).abs(),
        Op::Average(args, trimmed, span) => average(args, *trimmed, *span, slots, t, p),
        Op::FullMarks(x, span) => match operand(x, slots, t, p).checked_mul(Num::ONE_HUNDRED) {
            Some(n) => n,
            None => fail(p, Fault::new(FaultKind::Overflow, *span)),
        },
        Op::Linear(table) => linear(table, slots, t, p),
        Op::Steps(table) => steps(table, slots, t, p),
        Op::If(parts, span) => number(branch(parts, *span, slots, t, p), slots, t, p),
        Op::ByGrade(slot, values) => match values.get(grade_in(slots, *slot)) {
            Some(v) => number(v, slots, t, p),
            None => Num::ZERO,
        },
        Op::FirstOf(..) | Op::Not(_) | Op::Cmp(..) | Op::And(_) | Op::Or(_) => {
            num(value(op, slots, t, p))
        }
    }
}

/// An operand: a constant or a slot read here, anything else walked. Most
/// operands are leaves, and a call of [`number`] for each costs more than
/// the read itself (its frame is large, for the operations it holds).
#[inline(always)]
fn operand<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T, p: &mut Pending) -> Num {
    match op {
        Op::Const(Slot::Num(n)) => *n,
        Op::Slot(i) => match slots.get(*i) {
            Some(Slot::Num(n)) => *n,
            _ => number(op, slots, t, p),
        },
        _ => number(op, slots, t, p),
    }
}

/// [`operand`] for a value of any type.
#[inline(always)]
fn leaf_value<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T, p: &mut Pending) -> Slot {
    match op {
        Op::Const(v) => *v,
        Op::Slot(i) => match slots.get(*i) {
            Some(v) if !matches!(v, Slot::Missing) => *v,
            _ => value(op, slots, t, p),
        },
        _ => value(op, slots, t, p),
    }
}

/// The least (`min`) or the greatest of the arguments.
#[inline(never)]
fn extreme<T: Tracer>(args: &[Op], min: bool, slots: &[Slot], t: &mut T, p: &mut Pending) -> Num {
    let mut best: Option<Num> = None;
    for arg in args {
        let v = operand(arg, slots, t, p);
        best = Some(match best {
            None => v,
            Some(b) if min => least(b, v),
            Some(b) => greatest(b, v),
        });
    }
    best.unwrap_or_default()
}

/// `clamp(x, lo, hi)`: a fault if the bounds are crossed.
#[inline(never)]
fn clamp<T: Tracer>(
    parts: &[Op; 3],
    span: Span,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> Num {
    let [x, lo, hi] = parts;
    let x = number(x, slots, t, p);
    let lo = number(lo, slots, t, p);
    let hi = number(hi, slots, t, p);
    if order(lo, hi).is_gt() {
        return fail(p, Fault::new(FaultKind::ClampOrder, span));
    }
    within(x, lo, hi)
}

/// A formula the checker typed as yes/no.
fn truth<T: Tracer>(op: &Op, slots: &[Slot], t: &mut T, p: &mut Pending) -> bool {
    match op {
        Op::Not(x) => !truth(x, slots, t, p),
        Op::Cmp(c, operands) => {
            let [l, r] = &**operands;
            match (leaf_value(l, slots, t, p), leaf_value(r, slots, t, p)) {
                (Slot::Num(a), Slot::Num(b)) => compare(*c, a, b),
                (a, b) => match c {
                    CmpOp::Eq => a.same(b),
                    CmpOp::Ne => !a.same(b),
                    _ => false,
                },
            }
        }
        Op::And(operands) => {
            let [l, r] = &**operands;
            truth(l, slots, t, p) && truth(r, slots, t, p)
        }
        Op::Or(operands) => {
            let [l, r] = &**operands;
            truth(l, slots, t, p) || truth(r, slots, t, p)
        }
        Op::If(parts, span) => truth(branch(parts, *span, slots, t, p), slots, t, p),
        _ => matches!(value(op, slots, t, p), Slot::Bool(true)),
    }
}

/// The branch of an `if` its condition takes.
fn branch<'a, T: Tracer>(
    parts: &'a [Op; 3],
    span: Span,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> &'a Op {
    let [condition, then, otherwise] = parts;
    let taken = truth(condition, slots, t, p);
    note(t, p, || Event::Branch { span, taken });
    if taken { then } else { otherwise }
}

/// The grade in `slot`, as an index into a by-grade table.
fn grade_in(slots: &[Slot], slot: usize) -> usize {
    match get(slots, slot) {
        Slot::Grade(g) => usize::from(g),
        _ => 0,
    }
}

/// The first argument present.
#[inline(never)]
fn first_of<T: Tracer>(
    args: &[Op],
    span: Span,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> Slot {
    // After a fault nothing more counts, not even a trace of what follows.
    if p.is_some() {
        return Slot::Missing;
    }
    // Each argument is walked on its own (`eval`), to see whether it alone
    // is missing.
    let mut missing = Fault::new(FaultKind::MissingValue, span);
    for arg in args {
        match eval(arg, slots, t) {
            Ok(v) => return v,
            Err(f) if f.missing() => missing = f,
            Err(f) => {
                fail(p, f);
                return Slot::Missing;
            }
        }
    }
    fail(p, missing);
    Slot::Missing
}

/// The mean of the arguments present (a missing one is skipped); trimmed:
/// without the highest and the lowest when at least three are present.
#[inline(never)]
fn average<T: Tracer>(
    args: &[Op],
    trimmed: bool,
    span: Span,
    slots: &[Slot],
    t: &mut T,
    p: &mut Pending,
) -> Num {
    // As in `first_of`: nothing counts after a fault, and each argument is
    // walked on its own.
    if p.is_some() {
        return Num::ZERO;
    }
    let mut present = Vec::with_capacity(args.len());
    let mut missing = None;
    for arg in args {
        match eval_number(arg, slots, t) {
            Ok(v) => present.push(Decimal::from(v)),
            Err(f) if f.missing() => missing = Some(f),
            Err(f) => return fail(p, f),
        }
    }
    if present.is_empty() {
        return fail(
            p,
            missing.unwrap_or(Fault::new(FaultKind::MissingValue, span)),
        );
    }
    if trimmed && present.len() >= 3 {
        present.sort_unstable();
        present.pop();
        present.remove(0);
    }
    let mut sum = Decimal::ZERO;
    for v in &present {
        match sum.checked_add(*v) {
            Some(s) => sum = s,
            None => return fail(p, Fault::new(FaultKind::Overflow, span)),
        }
    }
    match sum.checked_div(Decimal::from(present.len())) {
        Some(mean) => mean.into(),
        None => fail(p, Fault::new(FaultKind::Overflow, span)),
    }
}

fn compare(op: CmpOp, a: Num, b: Num) -> bool {
    let o = order(a, b);
    match op {
        CmpOp::Eq => o.is_eq(),
        CmpOp::Ne => o.is_ne(),
        CmpOp::Lt => o.is_lt(),
        CmpOp::Le => o.is_le(),
        CmpOp::Gt => o.is_gt(),
        CmpOp::Ge => o.is_ge(),
    }
}

#[inline(never)]
fn steps<T: Tracer>(table: &StepsTable, slots: &[Slot], t: &mut T, p: &mut Pending) -> Num {
    let subject = operand(&table.subject, slots, t, p);
    for (index, (op, threshold, value)) in table.bands.iter().enumerate() {
        let threshold = operand(threshold, slots, t, p);
        if compare(*op, subject, threshold) {
            let value = operand(value, slots, t, p);
            note(t, p, || Event::Table {
                span: table.span,
                choice: TableChoice::Band {
                    index,
                    subject: subject.into(),
                    threshold: threshold.into(),
                    value: value.into(),
                },
            });
            return value;
        }
    }
    match &table.otherwise {
        Some(value) => {
            let value = operand(value, slots, t, p);
            note(t, p, || Event::Table {
                span: table.span,
                choice: TableChoice::Otherwise {
                    subject: subject.into(),
                    value: value.into(),
                },
            });
            value
        }
        None => fail(p, Fault::new(FaultKind::NoBand, table.span)),
    }
}

#[inline(never)]
fn linear<T: Tracer>(table: &LinearTable, slots: &[Slot], t: &mut T, p: &mut Pending) -> Num {
    let subject = operand(&table.subject, slots, t, p);
    let fault = |kind| Fault::new(kind, table.span);
    let evaluated;
    let points: &[(Num, Num)] = match &table.constant {
        Some(points) => points,
        None => {
            let mut points = Vec::with_capacity(table.at.len());
            for (at, value) in table.at.iter().zip(&table.values) {
                let at = number(at, slots, t, p);
                let value = number(value, slots, t, p);
                if points
                    .last()
                    .is_some_and(|(prev, _)| order(at, *prev).is_le())
                {
                    return fail(p, fault(FaultKind::LinearOrder));
                }
                points.push((at, value));
            }
            evaluated = points;
            &evaluated
        }
    };
    let (Some(&first), Some(&last)) = (points.first(), points.last()) else {
        return fail(p, fault(FaultKind::LinearOrder));
    };
    if order(subject, first.0).is_le() {
        note(t, p, || Event::Table {
            span: table.span,
            choice: TableChoice::Below {
                subject: subject.into(),
                at: first.0.into(),
                value: first.1.into(),
            },
        });
        return first.1;
    }
    if order(subject, last.0).is_ge() {
        note(t, p, || Event::Table {
            span: table.span,
            choice: TableChoice::Above {
                subject: subject.into(),
                at: last.0.into(),
                value: last.1.into(),
            },
        });
        return last.1;
    }
    // The segment holding the subject: the first point above it and the one before.
    let upper = points.partition_point(|(at, _)| order(*at, subject).is_le());
    let (Some(&from), Some(&to)) = (points.get(upper.wrapping_sub(1)), points.get(upper)) else {
        return fail(p, fault(FaultKind::LinearOrder));
    };
    // y0 + (x - x0) × (y1 - y0) / (x1 - x0): multiply before dividing, so
    // that exact results stay exact.
    let value = subject.checked_sub(from.0).and_then(|dx| {
        let dy = to.1.checked_sub(from.1)?;
        let width = to.0.checked_sub(from.0)?;
        from.1.checked_add(dx.checked_mul(dy)?.checked_div(width)?)
    });
    let Some(value) = value else {
        return fail(p, fault(FaultKind::Overflow));
    };
    note(t, p, || Event::Table {
        span: table.span,
        choice: TableChoice::Between {
            segment: upper.saturating_sub(1),
            subject: subject.into(),
            from: (from.0.into(), from.1.into()),
            to: (to.0.into(), to.1.into()),
            value: value.into(),
        },
    });
    value
}
