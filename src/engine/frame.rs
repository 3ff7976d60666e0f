//! The evaluator's working state for one record, and the outcome read
//! from it once the record's steps have run.

use rust_decimal::Decimal;

use crate::engine::outcome::{
    AdjustmentNote, Detail, Outcome, at_least, replace_optional_text, replace_text,
};
use crate::engine::program::{PlanProgram, Slot, Value};
use crate::engine::record::{OverrideValue, Record};
use crate::language::ast::{AdjustmentKind, OverrideTarget};
use crate::language::checked::VetoEffect;
use crate::numbers::num::Num;

/// The evaluator's working state for one record.
#[derive(Debug, Clone, Default)]
pub(crate) struct Frame {
    pub slots: Vec<Slot>,
    pub weighted: Decimal,
    /// Points × weight of each indicator, as the score step summed them.
    pub contributions: Vec<Option<Num>>,
    pub grade_veto: Option<usize>,
    pub grade_by_score: Option<u16>,
    pub zeroed_by: Vec<Option<usize>>,
    /// The grade forced ranking assigned, applied in place of the score's
    /// (a veto's grade still wins).
    pub ranked_grade: Option<u16>,
    /// The final adjustment to apply, from the record.
    pub adjustment: Option<OverrideValue>,
    /// What the score or grade was before the final adjustment replaced it.
    pub before_adjustment: Option<Value>,
    /// Points given by the quarters, for a yearly record.
    pub given_indicators: Vec<Option<Value>>,
    pub given_adjustments: Vec<Option<Value>>,
    pub pay_factor: Option<Decimal>,
}

impl Outcome {
    pub(crate) fn new(program: &PlanProgram, record: &Record, frame: &Frame) -> Outcome {
        let mut outcome = Outcome::default();
        outcome.fill(program, record, frame, Detail::Full);
        outcome
    }

    /// The outcome of `frame`, evaluated for `record`, in place of what this
    /// outcome held: the strings' and maps' buffers are reused, so that
    /// filling one outcome row after row allocates next to nothing.
    pub(crate) fn fill(
        &mut self,
        program: &PlanProgram,
        record: &Record,
        frame: &Frame,
        detail: Detail,
    ) {
        let policy = program.policy();
        let layout = &program.layout;
        let decimals = program.score_rounder.scale();
        let num = |slot: usize| match frame.slots.get(slot) {
            Some(Slot::Num(n)) => Decimal::from(*n),
            _ => Decimal::ZERO,
        };
        let grade_name = |g: u16| policy.grades.get(usize::from(g)).map(|g| g.name.as_str());
        // The maps share the plan's names: each is one vector of values.
        let keys = &program.outcome_keys;
        self.indicators.refill(
            &keys.indicators,
            (0..keys.indicators.len()).map(|i| match frame.slots.get(layout.indicators + i) {
                Some(Slot::Num(n)) => Some(Decimal::from(*n)),
                _ => None,
            }),
        );
        match detail {
            Detail::Full => self.contributions.refill(
                &keys.indicators,
                frame
                    .contributions
                    .iter()
                    .take(keys.indicators.len())
                    .map(|c| c.map(|c| at_least(c.into(), decimals))),
            ),
            Detail::Columns => self
                .contributions
                .refill(&keys.indicators, std::iter::empty()),
        }
        self.adjustments.refill(
            &keys.adjustments,
            policy.adjustments.iter().enumerate().map(|(i, a)| {
                let n = num(layout.adjustments + i);
                match a.kind {
                    AdjustmentKind::Bonus => n,
                    AdjustmentKind::Deduction if !n.is_zero() => -n,
                    AdjustmentKind::Deduction => n,
                }
            }),
        );
        self.pay
            .refill(&keys.pay, (0..keys.pay.len()).map(|i| num(layout.pay + i)));
        let grade = match frame.slots.get(layout.grade) {
            Some(Slot::Grade(g)) if !policy.grades.is_empty() => grade_name(*g),
            _ => None,
        };
        self.vetoes.clear();
        let mut grade_by_score = None;
        for (i, veto) in policy.vetoes.iter().enumerate() {
            let applied = match veto.effect {
                VetoEffect::Grade(_) => frame.grade_veto == Some(i),
                VetoEffect::ZeroIndicator(ind) => {
                    frame.zeroed_by.get(ind).copied().flatten() == Some(i)
                }
            };
            if applied {
                self.vetoes.push(
                    veto.label
                        .clone()
                        .unwrap_or_else(|| policy.source.slice(veto.condition.span).to_string()),
                );
                if matches!(veto.effect, VetoEffect::Grade(_)) {
                    grade_by_score = frame
                        .grade_by_score
                        .and_then(grade_name)
                        .filter(|by_score| Some(*by_score) != grade);
                }
            }
        }
        if frame.grade_veto.is_none() && frame.ranked_grade.is_some() {
            grade_by_score = frame
                .grade_by_score
                .and_then(grade_name)
                .filter(|by_score| Some(*by_score) != grade);
        }
        replace_text(&mut self.id, &record.id);
        replace_optional_text(&mut self.name, record.name.as_deref());
        replace_optional_text(
            &mut self.plan,
            policy.plan.as_ref().map(|p| p.name.as_str()),
        );
        self.weighted_score = (policy.has_score() && detail == Detail::Full)
            .then(|| at_least(frame.weighted, decimals));
        self.score = policy.has_score().then(|| num(layout.score));
        replace_optional_text(&mut self.grade, grade);
        replace_optional_text(&mut self.grade_by_score, grade_by_score);
        replace_optional_text(&mut self.group, record.group.as_deref());
        self.ranking = None;
        self.final_adjustment = record.final_adjustment.as_ref().and_then(|o| {
            let show = |v: Value| match v {
                Value::Num(n) => Some(at_least(n, decimals).to_string()),
                Value::Grade(g) => grade_name(g).map(str::to_string),
                _ => None,
            };
            let (target, after) = match o.value {
                OverrideValue::Score(s) => (OverrideTarget::Score, Value::Num(s)),
                OverrideValue::Grade(g) => (OverrideTarget::Grade, Value::Grade(g)),
            };
            Some(AdjustmentNote {
                target,
                before: show(frame.before_adjustment?)?,
                after: show(after)?,
                reason: o.reason.clone(),
            })
        });
    }
}
