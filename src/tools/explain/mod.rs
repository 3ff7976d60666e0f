//! Explanations: every number of one employee's outcome, derived line by
//! line from the inputs, as HR would show it to the employee who asks "why is
//! my pay this?".
//!
//! The text is rendered from one traced run of the evaluator (the same code
//! that computes outcomes in bulk), never from a second computation.

use std::collections::HashMap;
use std::fmt::Write;

use rust_decimal::Decimal;
use unicode_width::UnicodeWidthStr;

use crate::engine::eval::{
    EvalError, Event, IndicatorTrace, Record, ScoreTrace, TableChoice, Traced,
};
use crate::engine::outcome::Outcome;
use crate::engine::program::{PlanProgram, Program, Value};
use crate::language::ast::AdjustmentKind;
use crate::language::ast::CmpOp;
use crate::language::checked::{
    ArithOp, CheckedPolicy, Expr, ExprKind, Function, Node, VetoEffect,
};
use crate::language::format;
use crate::language::source::Span;
use crate::language::types::Ty;

mod formulas;
mod sections;

/// Evaluates `record` with tracing on and renders the derivation as text.
pub fn explain(program: &Program, record: &Record) -> Result<String, EvalError> {
    let traced = program.evaluate_traced(record)?;
    Ok(render(program, record, &traced))
}

/// Explains one employee whose grade forced ranking set: `ranked` is their
/// outcome from the whole group's run (`batch::run`), which carries the
/// rank, the ranked grade and the quota that moved it.
pub fn explain_ranked(
    program: &Program,
    record: &Record,
    ranked: &Outcome,
) -> Result<String, EvalError> {
    let grade = ranked.grade.as_deref().and_then(|name| {
        program
            .policy()
            .grades
            .iter()
            .position(|g| g.name == name)
            .and_then(|g| u16::try_from(g).ok())
    });
    let mut traced = program.evaluate_traced_ranked(record, grade)?;
    traced.outcome.ranking = ranked.ranking.clone();
    Ok(render(program, record, &traced))
}

/// Renders the derivation of a traced evaluation.
pub fn render(program: &Program, record: &Record, traced: &Traced) -> String {
    Renderer::new(
        program.plan(record.plan),
        &traced.outcome,
        &traced.events,
        traced.slots.clone(),
    )
    .render(record)
}

/// Renders the derivation of one outcome of a traced evaluation: an
/// indicator's points, a pay item, the score, the grade.
pub fn render_node(program: &PlanProgram, traced: &Traced, node: Node) -> String {
    Renderer::new(
        program,
        &traced.outcome,
        &traced.events,
        traced.slots.clone(),
    )
    .node(node)
}

struct Renderer<'a> {
    policy: &'a CheckedPolicy,
    program: &'a PlanProgram,
    outcome: &'a Outcome,
    slots: Vec<Value>,
    tables: HashMap<Span, &'a TableChoice>,
    branches: HashMap<Span, bool>,
    /// Indicators left out, with the slot that had no value.
    excluded: HashMap<usize, Option<usize>>,
    indicators: HashMap<usize, &'a IndicatorTrace>,
    adjustments: HashMap<usize, (Decimal, Decimal, Decimal)>,
    score: Option<&'a ScoreTrace>,
    grade: Option<(u16, Option<usize>, Option<u16>, u16)>,
    /// Per pay item: before prorating (if prorated), before rounding, and
    /// the amount.
    pay: HashMap<usize, (Option<Decimal>, Decimal, Decimal)>,
    /// Points a yearly record took from its quarters.
    given: HashMap<Node, Value>,
    /// The quarters behind a yearly record.
    year: Option<crate::engine::eval::YearGiven>,
    out: String,
}

impl<'a> Renderer<'a> {
    fn new(
        program: &'a PlanProgram,
        outcome: &'a Outcome,
        events: &'a [Event],
        slots: Vec<Value>,
    ) -> Self {
        let mut r = Renderer {
            policy: program.policy(),
            program,
            outcome,
            slots,
            tables: HashMap::new(),
            branches: HashMap::new(),
            excluded: HashMap::new(),
            indicators: HashMap::new(),
            adjustments: HashMap::new(),
            score: None,
            grade: None,
            pay: HashMap::new(),
            given: HashMap::new(),
            year: None,
            out: String::new(),
        };
        for event in events {
            match event {
                Event::Table { span, choice } => {
                    r.tables.insert(*span, choice);
                }
                Event::Branch { span, taken } => {
                    r.branches.insert(*span, *taken);
                }
                Event::Value { .. } => {}
                Event::Excluded { index, missing } => {
                    r.excluded.insert(*index, *missing);
                }
                Event::Indicator(t) => {
                    r.indicators.insert(t.index, t);
                }
                Event::Adjustment {
                    index,
                    raw,
                    rounded,
                    points,
                } => {
                    r.adjustments.insert(*index, (*raw, *rounded, *points));
                }
                Event::Score(s) => r.score = Some(s),
                Event::Grade {
                    by_score,
                    veto,
                    ranked,
                    grade,
                } => r.grade = Some((*by_score, *veto, *ranked, *grade)),
                Event::Pay {
                    index,
                    unprorated,
                    raw,
                    amount,
                } => {
                    r.pay.insert(*index, (*unprorated, *raw, *amount));
                }
                // Shown from the outcome's note, which carries the reason.
                Event::Override { .. } => {}
                Event::Given { node, value } => {
                    r.given.insert(*node, *value);
                }
            }
        }
        r
    }

    fn render(mut self, record: &Record) -> String {
        self.year = record.year.as_deref().cloned();
        let policy = self.policy;
        let who = match &record.name {
            Some(name) => format!("{name} ({})", record.id),
            None => record.id.clone(),
        };
        let period = match &self.year {
            Some(year) => format!("the year of {}", year.quarters.join(", ")),
            None => policy.period.as_str().to_string(),
        };
        self.line(0, &format!("{who} — {}, {period}", policy.name));
        if let Some(plan) = &policy.plan {
            let label = plan
                .label
                .as_ref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            self.line(1, &format!("plan {}{label}", plan.name));
        }
        self.inputs();
        self.values();
        self.indicators();
        self.adjustments_and_score();
        self.score_adjustment();
        self.grade();
        self.pay();
        self.out
    }

    fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.out, "{:indent$}{text}", "", indent = indent * 2);
    }

    fn heading(&mut self, text: &str) {
        self.out.push('\n');
        self.line(0, text);
    }

    /// "input `民主评议`", "value `完成率`": what a slot holds.
    fn slot_name(&self, slot: usize) -> String {
        let layout = &self.program.layout;
        let policy = self.policy;
        if let Some(input) = policy.inputs.get(slot) {
            return format!("input `{}`", input.name);
        }
        let value = slot
            .checked_sub(layout.values)
            .and_then(|i| policy.values.get(i));
        match value {
            Some(v) => format!("value `{}`", v.name),
            None => "a value".to_string(),
        }
    }

    /// Points with at least the score precision's decimals.
    fn points(&self, d: Decimal) -> String {
        format::points(
            d,
            crate::engine::round::decimals(self.policy.score_rounding),
        )
    }

    fn slot(&self, node: Node) -> Value {
        self.slots
            .get(self.program.layout.slot(node))
            .copied()
            .unwrap_or(Value::Num(Decimal::ZERO))
    }

    fn named(name: &str, label: Option<&str>) -> String {
        match label {
            Some(l) if l != name => format!("{name} ({l})"),
            _ => name.to_string(),
        }
    }
}

/// The tables and branches inside an expression, in reading order.
fn collect_decisions<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    let collect_tables = collect_decisions;
    match &e.kind {
        ExprKind::Linear { subject, points } => {
            collect_tables(subject, out);
            out.push(e);
            for (at, v) in points {
                collect_tables(at, out);
                collect_tables(v, out);
            }
        }
        ExprKind::Steps {
            subject,
            bands,
            otherwise,
        } => {
            collect_tables(subject, out);
            out.push(e);
            for (_, t, v) in bands {
                collect_tables(t, out);
                collect_tables(v, out);
            }
            if let Some(o) = otherwise {
                collect_tables(o, out);
            }
        }
        ExprKind::Neg(x) | ExprKind::Not(x) | ExprKind::FullMarks(x) => collect_tables(x, out),
        ExprKind::Arith(_, a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b) => {
            collect_tables(a, out);
            collect_tables(b, out);
        }
        ExprKind::If(c, t, f) => {
            collect_tables(c, out);
            out.push(e);
            collect_tables(t, out);
            collect_tables(f, out);
        }
        ExprKind::Call(_, args) | ExprKind::ByGrade(args) => {
            args.iter().for_each(|a| collect_tables(a, out));
        }
        ExprKind::Number(_)
        | ExprKind::Bool(_)
        | ExprKind::GradeConst(_)
        | ExprKind::Ref(_)
        | ExprKind::Measure(_) => {}
    }
}

fn veto_reason(policy: &CheckedPolicy, veto: &crate::language::checked::Veto) -> String {
    let condition = one_line(policy.source.slice(veto.condition.span));
    let effect = match veto.effect {
        VetoEffect::Grade(g) => policy
            .grades
            .get(g)
            .map(|g| format!(" (forces grade {})", g.name))
            .unwrap_or_default(),
        VetoEffect::ZeroIndicator(_) => String::new(),
    };
    match &veto.label {
        Some(label) => format!("\"{label}\" — {condition} is yes{effect}"),
        None => format!("{condition} is yes{effect}"),
    }
}

/// A formula as one line: runs of white space become one space.
/// A formula as one line. Lines that were separate entries of a table (or
/// branches) are joined with `, `; a line continuing an operation with a
/// space.
fn one_line(text: &str) -> String {
    let mut out = String::new();
    for line in text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    {
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            let continues = out
                .ends_with(['{', '(', ',', '+', '-', '*', '/', '×', '÷', '=', '>', '<'])
                || line.starts_with(['}', ')', '+', '-', '*', '/', '×', '÷', ','])
                || line.starts_with("=>");
            out.push_str(if continues { " " } else { ", " });
        }
        out.push_str(&line);
    }
    out
}

/// The comparison that holds when `op` does not.
fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
    }
}
