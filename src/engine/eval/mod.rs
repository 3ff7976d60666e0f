//! Evaluation: a record through the compiled program to an outcome.
//!
//! There is one evaluator. It is generic over a [`Tracer`]: [`NoTrace`]
//! compiles every trace call away for bulk evaluation, [`Trace`] records
//! each decision for `explain`. So an explanation cannot disagree with the
//! result: both come from the same run of the same code.

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

mod error;
mod formula;

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
use error::{Eval, Fault};
pub use error::{EvalError, FaultKind};
use formula::*;

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

    /// What forced ranking needs of a record whose inputs were typed into
    /// `inputs`, evaluated in `scratch`, without building an outcome: the
    /// first pass of a ranked run keeps only this of each employee.
    pub(crate) fn ranking_facts_typed(
        &self,
        record: &Record,
        inputs: &[Slot],
        scratch: &mut Scratch,
    ) -> Result<RankingFacts, EvalError> {
        let plan = self.plan(record.plan);
        plan.run_in(record, Some(inputs), None, &mut NoTrace, &mut scratch.frame)?;
        Ok(plan.ranking_facts(&scratch.frame))
    }

    /// [`Self::ranking_facts_typed`] of a record that holds its inputs.
    pub(crate) fn ranking_facts(
        &self,
        record: &Record,
        scratch: &mut Scratch,
    ) -> Result<RankingFacts, EvalError> {
        let plan = self.plan(record.plan);
        plan.run_in(record, None, None, &mut NoTrace, &mut scratch.frame)?;
        Ok(plan.ranking_facts(&scratch.frame))
    }

    /// [`Self::evaluate_into_with`] of a record whose inputs were typed
    /// into `inputs` rather than into the record
    /// ([`crate::data::Columns::type_into`]), with the grade forced ranking
    /// gave when it moved the employee (`ranked`, else `None`): pay
    /// follows that grade.
    pub(crate) fn evaluate_typed_ranked_into(
        &self,
        record: &Record,
        inputs: &[Slot],
        ranked: Option<u16>,
        scratch: &mut Scratch,
        outcome: &mut Outcome,
        detail: Detail,
    ) -> Result<(), EvalError> {
        let plan = self.plan(record.plan);
        plan.run_in(
            record,
            Some(inputs),
            ranked,
            &mut NoTrace,
            &mut scratch.frame,
        )?;
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
        let facts = self.ranking_facts(&frame);
        Ok((Outcome::new(self, record, &frame), facts))
    }

    /// What forced ranking needs to know of a record evaluated in `frame`.
    fn ranking_facts(&self, frame: &Frame) -> RankingFacts {
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
        RankingFacts {
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
        }
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
