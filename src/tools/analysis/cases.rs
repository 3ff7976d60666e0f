//! Generated boundary cases (`kpi test --boundaries`): for every threshold
//! of a steps table, every point of a linear table and every grade band
//! edge, the records just below, at and just above it, run through the
//! compiled program, so that an author sees at once that 94.99 is an A and
//! 95 an S.
//!
//! A table's subject is moved to its threshold by changing one input of
//! the plan's first example (or of a plain record within the ranges): the
//! one the subject reads first, solved exactly where the subject is a
//! linear function of it (`成交额 / 成交目标` at 110% sets 成交额 to 110% of
//! the target), and refused, never approximated, where it is not.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::engine::eval::{NoTrace, Record};
use crate::engine::program::{PlanProgram, Program, Slot, Value};
use crate::language::ast::InputType;
use crate::language::checked::{CheckedPolicy, Expr, ExprKind, Node};

/// The cases around one threshold.
#[derive(Debug, Clone, Serialize)]
pub struct Boundary {
    pub plan: Option<String>,
    /// What the threshold is, as the policy writes it: `结汇额 / 结汇目标 >= 110%`.
    pub what: String,
    /// The indicator whose table it is, if any.
    pub indicator: Option<String>,
    /// The input moved to reach the threshold (`None`: a grade edge, moved
    /// on the score itself).
    pub input: Option<String>,
    pub cases: Vec<Case>,
}

/// One record near a threshold and what the policy gives it.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// `below`, `at` or `above`.
    pub side: &'static str,
    /// The subject's value (the measure, or the score for a grade edge).
    pub subject: Decimal,
    /// The moved input's value.
    pub input_value: Option<Decimal>,
    pub points: Option<Decimal>,
    pub score: Option<Decimal>,
    pub grade: Option<String>,
    /// Every input of the record, for writing it as an example.
    #[serde(skip)]
    pub inputs: Vec<Value>,
}

/// Every boundary of every plan.
pub fn boundaries(program: &Program) -> Vec<Boundary> {
    let mut out = Vec::new();
    for plan in program.plans() {
        let policy = plan.policy();
        let base = baseline(policy);
        let plan_name = policy.plan.as_ref().map(|p| p.name.clone());
        for (i, ind) in policy.indicators.iter().enumerate() {
            for (subject, thresholds, text) in tables(policy, &ind.points) {
                for t in thresholds {
                    let what = format!("{text} at {}", show_subject(subject, t));
                    if let Some(b) = around(plan, &base, subject, t, Some(i)) {
                        out.push(Boundary {
                            plan: plan_name.clone(),
                            what,
                            indicator: Some(ind.name.clone()),
                            input: b.0,
                            cases: b.1,
                        });
                    }
                }
            }
        }
        if policy.has_score() {
            for grade in &policy.grades {
                for band in &grade.scores {
                    for end in [band.lo, band.hi].into_iter().flatten() {
                        let edge = end.value;
                        // Exact scores: a hundredth either side still shows the edge.
                        let step = match policy.score_rounding.quantum {
                            q if q.is_zero() => rust_decimal::Decimal::new(1, 2),
                            q => q,
                        };
                        let cases = [("below", edge - step), ("at", edge), ("above", edge + step)]
                            .into_iter()
                            .filter(|(_, s)| {
                                *s >= policy.score_range.0 && *s <= policy.score_range.1
                            })
                            .map(|(side, s)| Case {
                                side,
                                subject: s,
                                input_value: None,
                                points: None,
                                score: Some(s),
                                grade: policy
                                    .grades
                                    .iter()
                                    .find(|g| g.scores.iter().any(|b| b.contains(s)))
                                    .map(|g| g.name.clone()),
                                inputs: Vec::new(),
                            })
                            .collect();
                        out.push(Boundary {
                            plan: plan_name.clone(),
                            what: format!(
                                "grade {} edge at score {}",
                                grade.name,
                                edge.normalize()
                            ),
                            indicator: None,
                            input: None,
                            cases,
                        });
                    }
                }
            }
        }
    }
    // Grade edges are the policy's, not a plan's: once is enough.
    let mut seen = std::collections::HashSet::new();
    out.retain(|b| b.input.is_some() || seen.insert(b.what.clone()));
    out
}

/// The steps and linear tables of a points formula: subject, the
/// thresholds or points, and how the table is written.
fn tables<'a>(policy: &CheckedPolicy, e: &'a Expr) -> Vec<(&'a Expr, Vec<Decimal>, String)> {
    let mut out = Vec::new();
    let mut visit = |e: &'a Expr| {
        let (subject, at): (&Expr, Vec<Decimal>) = match &e.kind {
            ExprKind::Steps { subject, bands, .. } => (
                subject,
                bands
                    .iter()
                    .filter_map(|(_, t, _)| match t.kind {
                        ExprKind::Number(n) => Some(n),
                        _ => None,
                    })
                    .collect(),
            ),
            ExprKind::Linear { subject, points } => (
                subject,
                points
                    .iter()
                    .filter_map(|(a, _)| match a.kind {
                        ExprKind::Number(n) => Some(n),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => return,
        };
        let text = match &subject.kind {
            ExprKind::Measure(i) => policy
                .indicators
                .get(*i)
                .and_then(|ind| ind.measure.as_ref())
                .map(|m| policy.source.slice(m.span).trim().to_string())
                .unwrap_or_default(),
            _ => policy.source.slice(subject.span).trim().to_string(),
        };
        out.push((subject, at, text));
    };
    e.walk(&mut visit);
    out
}

fn show_subject(subject: &Expr, t: Decimal) -> String {
    if subject.ty == crate::language::types::Ty::Ratio {
        crate::language::format::percent(t)
    } else {
        crate::language::format::number(t)
    }
}

/// The plan's first example's inputs, or a plain record within the ranges.
fn baseline(policy: &CheckedPolicy) -> Vec<Value> {
    if let Some(ex) = policy.examples.first() {
        return crate::tools::testing::example_inputs(policy, ex);
    }
    super::monotone::synthetic(policy)
}

/// The cases below, at and above `t`, moving the first input the subject
/// reads; `None` when the subject cannot be set to `t` exactly that way.
fn around(
    plan: &PlanProgram,
    base: &[Value],
    subject: &Expr,
    t: Decimal,
    indicator: Option<usize>,
) -> Option<(Option<String>, Vec<Case>)> {
    let policy = plan.policy();
    let slot = match &subject.kind {
        ExprKind::Measure(i) => plan.layout.measure(*i),
        ExprKind::Ref(node @ (Node::Input(_) | Node::Value(_))) => plan.layout.slot(*node),
        _ => return None,
    };
    // The input to move: the first numeric one the subject reads.
    let expr = match &subject.kind {
        ExprKind::Measure(i) => policy.indicators.get(*i)?.measure.as_ref()?,
        _ => subject,
    };
    let read = super::inputs_read(policy, vec![expr]);
    let x = policy.inputs.iter().enumerate().find_map(|(k, input)| {
        (input.ty != InputType::YesNo && read.get(k).copied().unwrap_or(false)).then_some(k)
    })?;
    let input = policy.inputs.get(x)?;
    let run = |value: Decimal| -> Option<Case> {
        let mut inputs = base.to_vec();
        *inputs.get_mut(x)? = Value::Num(value);
        let record = Record {
            id: String::new(),
            name: None,
            group: None,
            plan: policy.plan.as_ref().map_or(0, |p| p.index),
            inputs: inputs.clone(),
            final_adjustment: None,
            year: None,
        };
        let frame = plan.run(&record, None, &mut NoTrace).ok()?;
        let num = |s: usize| match frame.slots.get(s) {
            Some(Slot::Num(n)) => Some(Decimal::from(*n)),
            _ => None,
        };
        let s = num(slot)?;
        let points = indicator.and_then(|i| num(plan.layout.slot(Node::Indicator(i))));
        let score = policy
            .has_score()
            .then(|| num(plan.layout.slot(Node::Score)))
            .flatten();
        let grade = match frame.slots.get(plan.layout.slot(Node::Grade)) {
            Some(Slot::Grade(g)) => policy.grades.get(usize::from(*g)).map(|g| g.name.clone()),
            _ => None,
        };
        Some(Case {
            side: "",
            subject: s,
            input_value: Some(value),
            points,
            score,
            grade,
            inputs,
        })
    };
    // Solve s(x) = t for a subject linear in x, from two runs.
    let x0 = match base.get(x) {
        Some(Value::Num(n)) if !n.is_zero() => *n,
        _ => Decimal::ONE,
    };
    let x1 = x0.checked_mul(Decimal::TWO)?;
    let (s0, s1) = (run(x0)?.subject, run(x1)?.subject);
    if s1 == s0 {
        return None;
    }
    let slope = (s1 - s0).checked_div(x1 - x0)?;
    let at = x0.checked_add((t.checked_sub(s0)?).checked_div(slope)?)?;
    if run(at)?.subject != t {
        return None;
    }
    // One step of the input's precision either side.
    let step = match input.ty {
        InputType::Money => Decimal::new(1, 2),
        InputType::Percent => Decimal::new(1, 4),
        // A count moves by one; a plain number with decimals by 0.01.
        _ if at.fract().is_zero() && x0.fract().is_zero() => Decimal::ONE,
        _ => Decimal::new(1, 2),
    };
    let rising = slope > Decimal::ZERO;
    let (below, above) = if rising {
        (at - step, at + step)
    } else {
        (at + step, at - step)
    };
    let mut cases = Vec::new();
    for (side, value) in [("below", below), ("at", at), ("above", above)] {
        if !input.range.contains(value) {
            continue;
        }
        if let Some(case) = run(value) {
            cases.push(Case { side, ..case });
        }
    }
    Some((Some(input.name.clone()), cases))
}

/// The cases as examples to append to a policy: one per record, pinning
/// the indicator's points, the score and the grade.
pub fn as_examples(
    policy: &CheckedPolicy,
    boundary: &Boundary,
    written: &std::collections::HashSet<String>,
) -> (String, usize) {
    let mut out = String::new();
    let mut count = 0;
    for case in &boundary.cases {
        if case.inputs.is_empty() {
            continue;
        }
        let owner = boundary
            .indicator
            .as_ref()
            .map(|i| format!("{i}, "))
            .unwrap_or_default();
        let name = format!(
            "boundary: {owner}{}, {}",
            boundary.what.replace('"', "'"),
            case.side
        );
        // Written by an earlier `--write`: the policy holds it already.
        if written.contains(&name) {
            continue;
        }
        count += 1;
        out.push_str(&format!("\n  example \"{name}\" {{\n"));
        let used = policy.used_inputs();
        for (k, (input, value)) in policy.inputs.iter().zip(&case.inputs).enumerate() {
            if !used.get(k).copied().unwrap_or(true) {
                continue;
            }
            let text = match value {
                Value::Num(n) => match input.ty {
                    InputType::Money => format!("¥{}", n.normalize()),
                    InputType::Percent => crate::language::format::percent(*n).replace('≈', ""),
                    _ => n.normalize().to_string(),
                },
                Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
                _ => continue,
            };
            out.push_str(&format!("    {} = {text}\n", input.name));
        }
        if let (Some(ind), Some(p)) = (&boundary.indicator, case.points) {
            out.push_str(&format!("    expect {ind} = {p}\n"));
        }
        if let Some(s) = case.score {
            out.push_str(&format!("    expect score = {s}\n"));
        }
        if let Some(g) = &case.grade {
            out.push_str(&format!("    expect grade = {g}\n"));
        }
        out.push_str("  }\n");
    }
    (out, count)
}
