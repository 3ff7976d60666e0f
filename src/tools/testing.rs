//! `kpi test`: the worked examples inside a policy, run and compared with
//! what they expect, and the bands and branches no example reaches.
//!
//! Each example is evaluated once, traced: the same run gives the values
//! compared and the derivation shown when one differs.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use crate::engine::eval::{Event, Record, TableChoice, Traced};
use crate::engine::program::{PlanProgram, Program, Value};
use crate::language::checked::{
    CheckedPolicy, Example, Expected, Expr, ExprKind, InputValue, Node, VetoEffect,
};
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::format;
use crate::language::source::Span;
use crate::language::types::Ty;

/// The result of one example.
#[derive(Debug, Clone)]
pub struct ExampleResult {
    pub name: String,
    /// Empty when the example passed.
    pub failures: Vec<Diagnostic>,
}

impl ExampleResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// All examples of a policy, run.
#[derive(Debug, Clone)]
pub struct TestRun {
    pub results: Vec<ExampleResult>,
    /// Coverage points no example reached (empty if all were).
    pub unreached: Vec<CoveragePoint>,
    /// How many coverage points the policy has.
    pub coverage_points: usize,
}

/// A band, segment, branch, veto or grade the policy can take.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CoveragePoint {
    pub span: Span,
    /// What it is, e.g. "band `>= 80% => 50`".
    pub what: String,
    /// Where it is, e.g. "indicator `结汇`".
    pub owner: String,
}

/// Runs the examples whose name contains `filter` (all when `None`).
///
/// In a policy with plans, each example runs under the plan it is written
/// in, and a coverage point of a shared rule counts once, reached by any plan.
pub fn run(program: &Program, filter: Option<&str>) -> TestRun {
    let mut results = Vec::new();
    let mut reached: BTreeSet<Key> = BTreeSet::new();
    let mut all: Vec<(Key, CoveragePoint)> = Vec::new();
    for plan in program.plans() {
        run_plan(plan, filter, &mut results, &mut reached);
        for (key, point) in coverage_points(plan.policy()) {
            if !all.iter().any(|(k, _)| *k == key) {
                all.push((key, point));
            }
        }
    }
    let coverage_points = all.len();
    let unreached = all
        .into_iter()
        .filter(|(key, _)| !reached.contains(key))
        .map(|(_, point)| point)
        .collect();
    TestRun {
        results,
        unreached,
        coverage_points,
    }
}

fn run_plan(
    program: &PlanProgram,
    filter: Option<&str>,
    results: &mut Vec<ExampleResult>,
    reached: &mut BTreeSet<Key>,
) {
    let policy = program.policy();
    for example in &policy.examples {
        if filter.is_some_and(|f| !example.name.contains(f)) {
            continue;
        }
        let record = record(policy, example);
        let failures = match program.evaluate_traced(&record) {
            Ok(traced) => {
                collect_reached(policy, &traced, reached);
                compare(program, example, &traced)
            }
            Err(e) => vec![
                Diagnostic::error(
                    Code::TestFailed,
                    format!("example \"{}\" cannot be evaluated: {e}", example.name),
                )
                .label(example.name_span, "this example")
                .label(e.span, e.kind.words())
                .help("change the example's inputs, or the rule, so that it can be evaluated"),
            ],
        };
        results.push(ExampleResult {
            name: example.name.clone(),
            failures,
        });
    }
}

fn record(policy: &CheckedPolicy, example: &Example) -> Record {
    Record {
        group: None,
        id: example.name.clone(),
        name: None,
        plan: policy.plan.as_ref().map_or(0, |p| p.index),
        final_adjustment: None,
        year: None,
        inputs: example_inputs(policy, example),
    }
}

/// An example's inputs as the evaluator's values (an input it leaves out
/// is missing).
pub(crate) fn example_inputs(policy: &CheckedPolicy, example: &Example) -> Vec<Value> {
    policy
        .inputs
        .iter()
        .zip(&example.inputs)
        .map(|(_, v)| match v {
            Some(InputValue::Number(n)) => Value::Num(*n),
            Some(InputValue::Bool(b)) => Value::Bool(*b),
            None => Value::Missing,
        })
        .collect()
}

/// A diagnostic for each expectation the outcome does not meet.
fn compare(program: &PlanProgram, example: &Example, traced: &Traced) -> Vec<Diagnostic> {
    let policy = program.policy();
    let layout = &program.layout;
    let mut failures = Vec::new();
    for expect in &example.expects {
        let actual = traced
            .slots
            .get(layout.slot(expect.target))
            .copied()
            .unwrap_or(Value::Num(Decimal::ZERO));
        let ty = target_ty(policy, expect.target);
        let (matches, expected_text) = match (expect.expected, actual) {
            (Expected::Number(e), Value::Num(a)) => (e == a, show(policy, Value::Num(e), ty)),
            (Expected::Grade(e), Value::Grade(a)) => (
                usize::from(a) == e,
                policy
                    .grades
                    .get(e)
                    .map(|g| g.name.clone())
                    .unwrap_or_default(),
            ),
            _ => (false, String::new()),
        };
        if matches {
            continue;
        }
        let actual_text = show(policy, actual, ty);
        let (name, _) = policy.describe(expect.target);
        let derivation = crate::tools::explain::render_node(program, traced, expect.target);
        failures.push(
            Diagnostic::error(
                Code::TestFailed,
                format!(
                    "example \"{}\": `{name}` is {actual_text}, not {expected_text}",
                    example.name
                ),
            )
            .label(
                expect.value_span,
                format!("expected {expected_text}, actual {actual_text}"),
            )
            .help(format!(
                "how {actual_text} came about:\n{}",
                derivation.trim_end()
            )),
        );
    }
    failures
}

fn target_ty(policy: &CheckedPolicy, node: Node) -> Ty {
    match node {
        Node::Value(i) => policy.values.get(i).map_or(Ty::Number, |v| v.expr.ty),
        Node::Pay(_) => Ty::Money,
        Node::Grade => Ty::Grade,
        Node::Input(i) => policy
            .inputs
            .get(i)
            .map_or(Ty::Number, |x| Ty::of_input(x.ty)),
        Node::Indicator(_) | Node::Adjustment(_) | Node::Score => Ty::Score,
    }
}

fn show(policy: &CheckedPolicy, value: Value, ty: Ty) -> String {
    match (value, ty) {
        (Value::Num(n), Ty::Score) => n.to_string(),
        _ => format::value(policy, value, ty),
    }
}

// ---------------------------------------------------------------- coverage

/// A coverage point, as traces name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Band(Span, usize),
    Otherwise(Span),
    Below(Span),
    Segment(Span, usize),
    Above(Span),
    Branch(Span, bool),
    Veto(usize, bool),
    Grade(usize),
}

fn collect_reached(policy: &CheckedPolicy, traced: &Traced, reached: &mut BTreeSet<Key>) {
    for event in &traced.events {
        match event {
            Event::Table { span, choice } => {
                reached.insert(match choice {
                    TableChoice::Band { index, .. } => Key::Band(*span, *index),
                    TableChoice::Otherwise { .. } => Key::Otherwise(*span),
                    TableChoice::Below { .. } => Key::Below(*span),
                    TableChoice::Above { .. } => Key::Above(*span),
                    TableChoice::Between { segment, .. } => Key::Segment(*span, *segment),
                });
            }
            Event::Branch { span, taken } => {
                reached.insert(Key::Branch(*span, *taken));
            }
            Event::Indicator(t) => {
                let zeroed_by = policy
                    .indicators
                    .get(t.index)
                    .map(|i| i.zeroed_by.as_slice())
                    .unwrap_or(&[]);
                for veto in zeroed_by {
                    reached.insert(Key::Veto(*veto, t.vetoed_by == Some(*veto)));
                }
            }
            Event::Grade {
                by_score,
                veto,
                grade,
                ..
            } => {
                reached.insert(Key::Grade(usize::from(*by_score)));
                reached.insert(Key::Grade(usize::from(*grade)));
                for (i, v) in policy.vetoes.iter().enumerate() {
                    if matches!(v.effect, VetoEffect::Grade(_)) {
                        reached.insert(Key::Veto(i, *veto == Some(i)));
                    }
                }
            }
            Event::Excluded { .. }
            | Event::Value { .. }
            | Event::Adjustment { .. }
            | Event::Score(_)
            | Event::Pay { .. }
            | Event::Override { .. }
            | Event::Given { .. } => {}
        }
    }
}

/// Every coverage point of the policy, in source order.
fn coverage_points(policy: &CheckedPolicy) -> Vec<(Key, CoveragePoint)> {
    let source = &policy.source;
    let text = |span: Span| {
        source
            .slice(span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut points = Vec::new();
    let mut owned: Vec<(String, &Expr)> = Vec::new();
    for v in &policy.values {
        owned.push((format!("value `{}`", v.name), &v.expr));
    }
    for i in &policy.indicators {
        if let Some(m) = &i.measure {
            owned.push((format!("indicator `{}`", i.name), m));
        }
        owned.push((format!("indicator `{}`", i.name), &i.points));
    }
    for a in &policy.adjustments {
        owned.push((format!("`{}`", a.name), &a.points));
    }
    for p in &policy.pay {
        owned.push((format!("pay item `{}`", p.name), &p.expr));
    }
    for (owner, expr) in owned {
        let mut found = Vec::new();
        decisions(expr, &mut found);
        for e in found {
            match &e.kind {
                ExprKind::Steps {
                    bands, otherwise, ..
                } => {
                    for (i, (op, threshold, value)) in bands.iter().enumerate() {
                        let band = format!(
                            "{} {} => {}",
                            op.symbol(),
                            text(threshold.span),
                            text(value.span)
                        );
                        points.push((
                            Key::Band(e.span, i),
                            point(threshold.span, format!("band `{band}`"), &owner),
                        ));
                    }
                    if let Some(o) = otherwise {
                        points.push((
                            Key::Otherwise(e.span),
                            point(o.span, format!("`otherwise {}`", text(o.span)), &owner),
                        ));
                    }
                }
                ExprKind::Linear { points: line, .. } => {
                    let at = |i: usize| {
                        line.get(i)
                            .map(|(a, v)| format!("{} => {}", text(a.span), text(v.span)))
                    };
                    if let Some((first, _)) = line.first() {
                        points.push((
                            Key::Below(e.span),
                            point(
                                first.span,
                                format!(
                                    "at or below the first point `{}`",
                                    at(0).unwrap_or_default()
                                ),
                                &owner,
                            ),
                        ));
                    }
                    for i in 0..line.len().saturating_sub(1) {
                        let span = line.get(i).map_or(e.span, |(a, _)| a.span);
                        points.push((
                            Key::Segment(e.span, i),
                            point(
                                span,
                                format!(
                                    "between `{}` and `{}`",
                                    at(i).unwrap_or_default(),
                                    at(i + 1).unwrap_or_default()
                                ),
                                &owner,
                            ),
                        ));
                    }
                    if let Some((last, _)) = line.last() {
                        points.push((
                            Key::Above(e.span),
                            point(
                                last.span,
                                format!(
                                    "at or above the last point `{}`",
                                    at(line.len() - 1).unwrap_or_default()
                                ),
                                &owner,
                            ),
                        ));
                    }
                }
                ExprKind::If(condition, _, _) => {
                    let c = text(condition.span);
                    points.push((
                        Key::Branch(e.span, true),
                        point(condition.span, format!("`{c}` met"), &owner),
                    ));
                    points.push((
                        Key::Branch(e.span, false),
                        point(condition.span, format!("`{c}` not met"), &owner),
                    ));
                }
                _ => {}
            }
        }
    }
    for (i, veto) in policy.vetoes.iter().enumerate() {
        let what = veto
            .label
            .clone()
            .unwrap_or_else(|| text(veto.condition.span));
        points.push((
            Key::Veto(i, true),
            point(veto.span, format!("veto \"{what}\" applied"), "vetoes"),
        ));
        points.push((
            Key::Veto(i, false),
            point(veto.span, format!("veto \"{what}\" not applied"), "vetoes"),
        ));
    }
    for (i, grade) in policy.grades.iter().enumerate() {
        points.push((
            Key::Grade(i),
            point(grade.span, format!("grade {}", grade.name), "grades"),
        ));
    }
    points.sort_by(|a, b| a.1.cmp(&b.1));
    points
}

fn point(span: Span, what: String, owner: &str) -> CoveragePoint {
    CoveragePoint {
        span,
        what,
        owner: owner.to_string(),
    }
}

/// The tables and branches inside an expression, outermost first.
fn decisions<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Linear { subject, points } => {
            out.push(e);
            decisions(subject, out);
            for (a, v) in points {
                decisions(a, out);
                decisions(v, out);
            }
        }
        ExprKind::Steps {
            subject,
            bands,
            otherwise,
        } => {
            out.push(e);
            decisions(subject, out);
            for (_, t, v) in bands {
                decisions(t, out);
                decisions(v, out);
            }
            if let Some(o) = otherwise {
                decisions(o, out);
            }
        }
        ExprKind::If(c, t, f) => {
            out.push(e);
            decisions(c, out);
            decisions(t, out);
            decisions(f, out);
        }
        ExprKind::Neg(x) | ExprKind::Not(x) | ExprKind::FullMarks(x) => decisions(x, out),
        ExprKind::Arith(_, a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b) => {
            decisions(a, out);
            decisions(b, out);
        }
        ExprKind::Call(_, args) | ExprKind::ByGrade(args) => {
            args.iter().for_each(|a| decisions(a, out))
        }
        ExprKind::Number(_)
        | ExprKind::Bool(_)
        | ExprKind::GradeConst(_)
        | ExprKind::Ref(_)
        | ExprKind::Measure(_) => {}
    }
}
