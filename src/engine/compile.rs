//! Compiling: checked policy to program, the third phase. Names become slots,
//! the dependency order becomes a list of steps.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::engine::program::{
    GradeBands, Layout, LinearTable, Op, PlanProgram, Program, Slot, Step, StepsTable,
};
use crate::engine::round::Rounder;
use crate::language::checked::{CheckedPolicy, Expr, ExprKind, Extent, Function, Node, VetoEffect};
use crate::numbers::num::{Num, order};

/// Compiles each checked plan into its program; `None` for no plans at all
/// (the checker always gives at least one).
pub fn compile(plans: Vec<CheckedPolicy>) -> Option<Program> {
    let mut plans = plans.into_iter().map(compile_plan);
    Some(Program::new(plans.next()?, plans.collect()))
}

fn compile_plan(policy: CheckedPolicy) -> PlanProgram {
    let layout = Layout::new(&policy);
    let steps: Vec<Step> = policy
        .order
        .iter()
        .filter_map(|node| step(&policy, &layout, *node))
        .collect();
    PlanProgram {
        outcome_keys: crate::engine::scores::OutcomeKeys::new(&policy),
        score_rounder: Rounder::new(policy.score_rounding),
        money_rounder: Rounder::new(policy.money_rounding),
        policy: Arc::new(policy),
        layout,
        depth: steps.iter().map(Step::depth).max().unwrap_or(0),
        steps,
    }
}

fn step(policy: &CheckedPolicy, layout: &Layout, node: Node) -> Option<Step> {
    let op = |e: &Expr| op(layout, e);
    Some(match node {
        Node::Input(_) => return None,
        Node::Value(index) => Step::Value {
            index,
            op: op(&policy.values.get(index)?.expr),
        },
        Node::Indicator(index) => {
            let indicator = policy.indicators.get(index)?;
            Step::Indicator {
                index,
                measure: indicator.measure.as_ref().map(op),
                points: op(&indicator.points),
                vetoes: indicator
                    .zeroed_by
                    .iter()
                    .filter_map(|v| Some((*v, op(&policy.vetoes.get(*v)?.condition))))
                    .collect(),
            }
        }
        Node::Adjustment(index) => Step::Adjustment {
            index,
            points: op(&policy.adjustments.get(index)?.points),
        },
        Node::Score => Step::Score {
            total_weight: policy
                .indicators
                .iter()
                .try_fold(Decimal::ZERO, |sum, i| sum.checked_add(i.weight)),
            weights: policy.indicators.iter().map(|i| i.weight.into()).collect(),
        },
        Node::Grade => Step::Grade {
            bands: GradeBands::new(
                policy
                    .grades
                    .iter()
                    .enumerate()
                    .map(|(i, g)| (grade_index(i), g.scores.clone()))
                    .collect(),
                crate::engine::round::decimals(policy.score_rounding),
            ),
            vetoes: policy
                .vetoes
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v.effect {
                    VetoEffect::Grade(g) => Some((i, op(&v.condition), grade_index(g))),
                    VetoEffect::ZeroIndicator(_) => None,
                })
                .collect(),
        },
        Node::Pay(index) => {
            let expr = &policy.pay.get(index)?.expr;
            Step::Pay {
                index,
                op: op(expr),
                prorated: prorated(policy, expr),
            }
        }
    })
}

/// Whether a pay item is scaled by the share of the year's quarters an
/// employee was appraised in (`missing quarters prorate`): not one whose
/// amount the year already adds up over the quarters present (a commission
/// on collections, `yearly sum`: scaling it would count the missing
/// quarters twice), nor one made of pay items (prorated already). An
/// amount of both kinds is prorated, as every pay item once was, and the
/// checker warns of it ([`crate::language::checked::Extent`]).
fn prorated(policy: &CheckedPolicy, expr: &Expr) -> bool {
    policy.extent(expr) != Extent::Partial
}

/// A linear table's points as numbers, if all are constants in increasing
/// order; otherwise they are evaluated (and their order checked) each time.
fn constant_points(at: &[Op], values: &[Op]) -> Option<Vec<(Num, Num)>> {
    let number = |op: &Op| match op {
        Op::Const(Slot::Num(n)) => Some(*n),
        _ => None,
    };
    let points: Vec<(Num, Num)> = at
        .iter()
        .zip(values)
        .map(|(a, v)| Some((number(a)?, number(v)?)))
        .collect::<Option<_>>()?;
    let increasing = points.windows(2).all(|w| order(w[0].0, w[1].0).is_lt());
    (increasing && !points.is_empty()).then_some(points)
}

fn grade_index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn op(layout: &Layout, e: &Expr) -> Op {
    let o = |e: &Expr| op(layout, e);
    let pair = |a: &Expr, b: &Expr| Box::new([o(a), o(b)]);
    match &e.kind {
        ExprKind::Number(n) => Op::Const(Slot::Num((*n).into())),
        ExprKind::Bool(b) => Op::Const(Slot::Bool(*b)),
        ExprKind::GradeConst(g) => Op::Const(Slot::Grade(grade_index(*g))),
        ExprKind::Ref(node) => Op::Slot(layout.slot(*node)),
        ExprKind::Measure(i) => Op::Slot(layout.measure(*i)),
        ExprKind::Neg(x) => Op::Neg(Box::new(o(x))),
        ExprKind::Not(x) => Op::Not(Box::new(o(x))),
        ExprKind::Arith(a, l, r) => Op::Arith(*a, pair(l, r), e.span),
        ExprKind::Cmp(c, l, r) => Op::Cmp(*c, pair(l, r)),
        ExprKind::And(l, r) => Op::And(pair(l, r)),
        ExprKind::Or(l, r) => Op::Or(pair(l, r)),
        ExprKind::If(c, t, f) => Op::If(Box::new([o(c), o(t), o(f)]), e.span),
        ExprKind::Call(f, args) => {
            let args: Vec<Op> = args.iter().map(o).collect();
            match (f, args.as_slice()) {
                (Function::Min, _) => Op::Min(args),
                (Function::Max, _) => Op::Max(args),
                (Function::Clamp, [x, lo, hi]) => {
                    Op::Clamp(Box::new([x.clone(), lo.clone(), hi.clone()]), e.span)
                }
                (Function::Abs, [x]) => Op::Abs(Box::new(x.clone())),
                (Function::Average, _) => Op::Average(args, false, e.span),
                (Function::TrimmedAverage, _) => Op::Average(args, true, e.span),
                (Function::FirstOf, _) => Op::FirstOf(args, e.span),
                // The checker guarantees the arity; keep the value unchanged otherwise.
                (_, _) => args
                    .into_iter()
                    .next()
                    .unwrap_or(Op::Const(Slot::Num(Num::ZERO))),
            }
        }
        ExprKind::FullMarks(x) => Op::FullMarks(Box::new(o(x)), e.span),
        ExprKind::Linear { subject, points } => {
            let at: Vec<Op> = points.iter().map(|(at, _)| o(at)).collect();
            let values: Vec<Op> = points.iter().map(|(_, v)| o(v)).collect();
            Op::Linear(Box::new(LinearTable {
                subject: o(subject),
                constant: constant_points(&at, &values),
                at,
                values,
                span: e.span,
            }))
        }
        ExprKind::Steps {
            subject,
            bands,
            otherwise,
        } => Op::Steps(Box::new(StepsTable {
            subject: o(subject),
            bands: bands.iter().map(|(c, t, v)| (*c, o(t), o(v))).collect(),
            otherwise: otherwise.as_deref().map(o),
            span: e.span,
        })),
        ExprKind::ByGrade(values) => {
            Op::ByGrade(layout.slot(Node::Grade), values.iter().map(o).collect())
        }
    }
}
