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

    // ------------------------------------------------------------ sections

    fn inputs(&mut self) {
        let policy = self.policy;
        if policy.inputs.is_empty() {
            return;
        }
        if self.year.is_some() {
            self.heading(
                "Inputs (the year's: each input added up over the quarters by its `yearly` rule)",
            );
        } else {
            self.heading("Inputs");
        }
        // A plan shows only the inputs it uses; a policy without plans
        // shows all of them, used or not.
        let used = policy.used_inputs();
        let rows: Vec<(String, String)> = policy
            .inputs
            .iter()
            .enumerate()
            .filter(|(i, _)| policy.plan.is_none() || used.get(*i).copied().unwrap_or(true))
            .map(|(i, input)| {
                let ty = Ty::of_input(input.ty);
                (
                    Self::named(&input.name, input.label.as_deref()),
                    format::value(policy, self.slot(Node::Input(i)), ty),
                )
            })
            .collect();
        let width = rows.iter().map(|(n, _)| n.width()).max().unwrap_or(0);
        for (name, value) in rows {
            let pad = width - name.width();
            self.line(1, &format!("{name}{:pad$}  {value}", ""));
        }
    }

    fn values(&mut self) {
        if self.policy.values.is_empty() {
            return;
        }
        self.heading("Values");
        for i in 0..self.policy.values.len() {
            self.value(i);
        }
    }

    fn value(&mut self, i: usize) {
        let policy = self.policy;
        let Some(value) = policy.values.get(i) else {
            return;
        };
        let result = format::value(policy, self.slot(Node::Value(i)), value.expr.ty);
        let name = Self::named(&value.name, value.label.as_deref());
        self.formula(1, &name, &value.expr, &result);
    }

    fn indicators(&mut self) {
        if self.policy.indicators.is_empty() {
            return;
        }
        self.heading("Indicators");
        for i in 0..self.policy.indicators.len() {
            self.indicator(i);
        }
    }

    fn indicator(&mut self, i: usize) {
        let policy = self.policy;
        let Some(indicator) = policy.indicators.get(i) else {
            return;
        };
        let weight = format::percent(indicator.weight);
        self.line(
            1,
            &format!(
                "{} · weight {weight}",
                Self::named(&indicator.name, indicator.label.as_deref())
            ),
        );
        if self.year.is_some() {
            self.year_source(Node::Indicator(i), indicator.financial, &weight);
            if indicator.financial {
                self.line(2, "financial: re-scored on the year's figures");
            } else {
                return;
            }
        }
        if let Some(missing) = self.excluded.get(&i).copied() {
            let what = missing
                .map(|slot| self.slot_name(slot))
                .unwrap_or_else(|| "a value".to_string());
            self.line(
                2,
                &format!(
                    "left out: {what} has no value, so this indicator does not count this time"
                ),
            );
            return;
        }
        let Some(trace) = self.indicators.get(&i).copied() else {
            return;
        };
        if let (Some(measure), Some(m)) = (&indicator.measure, trace.measure) {
            let shown = format::value(policy, Value::Num(m), measure.ty);
            self.formula(2, "measure", measure, &shown);
        }
        if let Some(veto) = trace.vetoed_by.and_then(|v| policy.vetoes.get(v)) {
            let reason = veto_reason(policy, veto);
            self.line(2, &format!("vetoed: {reason} → 0 points"));
        } else {
            let shown = format::number(trace.raw);
            self.formula(2, "points", &indicator.points, &shown);
            self.bounds(trace, indicator.cap, indicator.floor);
        }
        let contribution = self
            .score
            .and_then(|s| s.contributions.get(i).copied().flatten())
            .map(|c| self.points(c))
            .unwrap_or_default();
        self.line(
            2,
            &format!("= {} points × {weight} = {contribution}", trace.points),
        );
    }

    /// Where a yearly indicator's (or bonus/deduction item's) points come
    /// from: the mean of the quarters' points, each quarter shown.
    fn year_source(&mut self, node: Node, financial: bool, weight: &str) {
        let Some(year) = &self.year else { return };
        let per_quarter = match node {
            Node::Indicator(i) => year.indicator_quarters.get(i),
            Node::Adjustment(i) => year.adjustment_quarters.get(i),
            _ => None,
        };
        let quarters: Vec<String> = year
            .quarters
            .iter()
            .zip(per_quarter.into_iter().flatten())
            .map(|(q, p)| match p {
                Some(p) => format!("{q} {p}"),
                None => format!("{q} —"),
            })
            .collect();
        if financial {
            self.line(2, &format!("quarters: {}", quarters.join(", ")));
            return;
        }
        let line = match self.given.get(&node) {
            Some(Value::Num(mean)) => {
                let mean = self.points(*mean);
                let contribution = match node {
                    Node::Indicator(i) => self
                        .score
                        .and_then(|s| s.contributions.get(i).copied().flatten())
                        .map(|c| format!(" × {weight} = {}", self.points(c)))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                format!(
                    "average of the quarters: {} → {mean} points{contribution}",
                    quarters.join(", ")
                )
            }
            _ => format!(
                "left out: no quarter gave it points ({})",
                quarters.join(", ")
            ),
        };
        self.line(2, &line);
    }

    fn bounds(&mut self, trace: &IndicatorTrace, cap: Option<Decimal>, floor: Option<Decimal>) {
        if trace.bounded != trace.raw {
            let why = if cap == Some(trace.bounded) {
                format!("capped at {} points", trace.bounded)
            } else if floor == Some(trace.bounded) {
                format!("raised to the floor of {} points", trace.bounded)
            } else {
                format!("kept within 0–100: {}", trace.bounded.normalize())
            };
            self.line(2, &why);
        }
        if trace.points.normalize() != trace.bounded.normalize() {
            let rounding = self.policy.score_rounding;
            self.line(
                2,
                &format!(
                    "rounded {} to {} → {}",
                    rounding.mode.as_str(),
                    rounding.quantum.normalize(),
                    trace.points
                ),
            );
        }
    }

    fn adjustments_and_score(&mut self) {
        let policy = self.policy;
        let Some(score) = self.score else {
            return;
        };
        self.heading("Score");
        let parts: Vec<String> = score
            .contributions
            .iter()
            .flatten()
            .map(|c| self.points(*c))
            .collect();
        if score.included_weight != Decimal::ONE {
            let left_out: Vec<String> = policy
                .indicators
                .iter()
                .zip(&score.contributions)
                .filter(|(_, c)| c.is_none())
                .map(|(i, _)| format!("`{}`", i.name))
                .collect();
            self.line(
                1,
                &format!(
                    "{} left out: the weights of the others add up to {}, so their sum is divided by it",
                    left_out.join(", "),
                    format::percent(score.included_weight)
                ),
            );
            self.line(
                1,
                &format!(
                    "weighted score = ({}) ÷ {} = {}",
                    parts.join(" + "),
                    format::percent(score.included_weight),
                    self.points(score.weighted)
                ),
            );
        } else {
            self.line(
                1,
                &format!(
                    "weighted score = {} = {}",
                    parts.join(" + "),
                    self.points(score.weighted)
                ),
            );
        }
        for (i, adjustment) in policy.adjustments.iter().enumerate() {
            let Some((raw, rounded, points)) = self.adjustments.get(&i).copied() else {
                continue;
            };
            let kind = match adjustment.kind {
                AdjustmentKind::Bonus => "bonus",
                AdjustmentKind::Deduction => "deduction",
            };
            let name = format!(
                "{kind} {}",
                Self::named(&adjustment.name, adjustment.label.as_deref())
            );
            self.formula(1, &name, &adjustment.points, &format::number(raw));
            if rounded != points {
                self.line(2, &format!("capped at {points} points"));
            }
        }
        if !policy.adjustments.is_empty() {
            let caps = policy.caps;
            let capped = |(total, kept): (Decimal, Decimal), cap: Option<Decimal>| match cap {
                Some(c) if total != kept => {
                    format!("{} (capped at {})", self.points(total), c.normalize())
                }
                _ => self.points(kept),
            };
            let signed = |d: Decimal| {
                if d >= Decimal::ZERO {
                    format!("+{}", self.points(d))
                } else {
                    self.points(d)
                }
            };
            let mut line = format!(
                "bonuses +{} − deductions {} = {}",
                capped(score.bonuses, caps.bonuses),
                capped(score.deductions, caps.deductions),
                signed(score.net.0)
            );
            if score.net.0 != score.net.1 {
                let cap = caps.net.unwrap_or_default().normalize();
                let _ = write!(line, ", kept within ±{cap} → {}", signed(score.net.1));
            }
            self.line(1, &line);
        }
        let (low, high) = policy.score_range;
        let mut line = if policy.adjustments.is_empty() {
            format!("final score = {}", self.points(score.raw))
        } else {
            format!(
                "final score = {} {} {} = {}",
                self.points(score.weighted),
                if score.net.1 >= Decimal::ZERO {
                    "+"
                } else {
                    "−"
                },
                self.points(score.net.1.abs()),
                self.points(score.raw)
            )
        };
        let mut shown = score.raw;
        if score.clamped != score.raw {
            let _ = write!(
                line,
                ", kept within {}–{} → {}",
                low.normalize(),
                high.normalize(),
                self.points(score.clamped)
            );
            shown = score.clamped;
        }
        if score.score.normalize() != shown.normalize() {
            let rounding = policy.score_rounding;
            let _ = write!(
                line,
                ", rounded {} to {} → {}",
                rounding.mode.as_str(),
                rounding.quantum.normalize(),
                score.score
            );
        }
        self.line(1, &line);
    }

    fn grade(&mut self) {
        let policy = self.policy;
        let Some((by_score, veto, ranked, grade)) = self.grade else {
            return;
        };
        self.heading("Grade");
        let band = |g: u16| policy.grades.get(usize::from(g));
        let score = self.outcome.score.unwrap_or_default();
        if let Some(b) = band(by_score) {
            let range = b
                .scores
                .iter()
                .map(|i| i.describe("score"))
                .collect::<Vec<_>>()
                .join(" or ");
            self.line(
                1,
                &format!(
                    "{} by score: {score} falls in {range}",
                    Self::named(&b.name, b.label.as_deref())
                ),
            );
        }
        if let (Some(v), Some(forced)) = (veto.and_then(|v| policy.vetoes.get(v)), band(grade)) {
            let reason = veto_reason(policy, v);
            self.line(
                1,
                &format!(
                    "{} by veto: {reason}",
                    Self::named(&forced.name, forced.label.as_deref())
                ),
            );
        }
        if let Some(note) = &self.outcome.ranking {
            let group = self
                .outcome
                .group
                .as_deref()
                .map(|g| format!(" in {g}"))
                .unwrap_or_default();
            let line = match (ranked.and_then(band), &note.quota) {
                (Some(to), quota) => format!(
                    "{} after forced ranking: rank {} of {}{group}{}",
                    Self::named(&to.name, to.label.as_deref()),
                    note.rank,
                    note.of,
                    quota
                        .as_deref()
                        .map(|q| format!(", {q}"))
                        .unwrap_or_default()
                ),
                (None, _) if veto.is_some() => format!(
                    "forced ranking: rank {} of {}{group}; a veto's grade is kept, and counts in the quotas",
                    note.rank, note.of
                ),
                (None, _)
                    if self.outcome.final_adjustment.as_ref().is_some_and(|n| {
                        n.target == crate::language::ast::OverrideTarget::Grade
                    }) =>
                {
                    format!(
                        "forced ranking: rank {} of {}{group}; the general manager's grade is kept, and counts in the quotas",
                        note.rank, note.of
                    )
                }
                (None, _) => format!(
                    "forced ranking: rank {} of {}{group}; the quotas hold without moving this grade",
                    note.rank, note.of
                ),
            };
            self.line(1, &line);
        }
        if let Some(note) = &self.outcome.final_adjustment
            && note.target == crate::language::ast::OverrideTarget::Grade
        {
            let after = policy
                .grades
                .iter()
                .find(|g| g.name == note.after)
                .map(|g| Self::named(&g.name, g.label.as_deref()))
                .unwrap_or_else(|| note.after.clone());
            let line = format!(
                "{after} by the general manager's final adjustment (was {}), reason: {}",
                note.before, note.reason
            );
            self.line(1, &line);
        }
    }

    /// The general manager's score, when it replaced the computed one.
    fn score_adjustment(&mut self) {
        if let Some(note) = &self.outcome.final_adjustment
            && note.target == crate::language::ast::OverrideTarget::Score
        {
            let line = format!(
                "score {} by the general manager's final adjustment (computed: {}), reason: {}",
                note.after, note.before, note.reason
            );
            self.heading("Final adjustment");
            self.line(1, &line);
        }
    }

    fn pay(&mut self) {
        if self.policy.pay.is_empty() {
            return;
        }
        self.heading("Pay");
        for i in 0..self.policy.pay.len() {
            self.pay_item(i);
        }
    }

    fn pay_item(&mut self, i: usize) {
        let policy = self.policy;
        let (Some(item), Some((unprorated, raw, amount))) =
            (policy.pay.get(i), self.pay.get(&i).copied())
        else {
            return;
        };
        let currency = policy.currency.as_deref();
        let name = Self::named(&item.name, item.label.as_deref());
        self.formula(
            1,
            &name,
            &item.expr,
            &format::money(unprorated.unwrap_or(raw), currency),
        );
        // A mid-year joiner's pay, prorated: the formula's amount, then the
        // share of the year.
        if let (Some(_), Some(year)) = (unprorated, &self.year) {
            let (present, quarters) = (year.quarters_present, year.quarters.len());
            self.line(
                2,
                &format!(
                    "prorated for {present} of the year's {quarters} quarters: × {present}/{quarters} = {}",
                    format::money(raw, currency)
                ),
            );
        }
        if raw.normalize() != amount.normalize() {
            let rounding = policy.money_rounding;
            self.line(
                2,
                &format!(
                    "rounded {} to {} → {}",
                    rounding.mode.as_str(),
                    rounding.quantum.normalize(),
                    format::money(amount, currency)
                ),
            );
        }
    }

    /// Only what leads to one node: its own lines, or for the score and the
    /// grade their sections.
    fn node(mut self, node: Node) -> String {
        match node {
            Node::Input(_) => {}
            Node::Value(i) => self.value(i),
            Node::Indicator(i) => self.indicator(i),
            Node::Adjustment(_) | Node::Score => self.adjustments_and_score(),
            Node::Grade => {
                self.adjustments_and_score();
                self.grade();
            }
            Node::Pay(i) => self.pay_item(i),
        }
        self.out.trim_start_matches('\n').to_string()
    }

    // ------------------------------------------------------------ formulas

    /// `name = formula`, then the decisions inside it (branches, table
    /// bands), then the formula with values put in and the result.
    fn formula(&mut self, indent: usize, name: &str, expr: &Expr, result: &str) {
        let text = one_line(self.policy.source.slice(expr.span));
        // A lone name or number: one line says it all.
        if matches!(
            expr.kind,
            ExprKind::Ref(_) | ExprKind::Number(_) | ExprKind::Measure(_)
        ) {
            if text == result {
                self.line(indent, &format!("{name} = {result}"));
            } else {
                self.line(indent, &format!("{name} = {text} = {result}"));
            }
            return;
        }
        self.line(indent, &format!("{name} = {text}"));
        let inner = indent + 1;
        let mut decisions = Vec::new();
        collect_decisions(expr, &mut decisions);
        let mut said_result = false;
        let mut decisions_said: Vec<Span> = Vec::new();
        for decision in decisions {
            let said = match &decision.kind {
                ExprKind::If(condition, then, otherwise) => match self.branches.get(&decision.span)
                {
                    Some(true) => Some(self.branch(condition, then, true)),
                    Some(false) => Some(self.branch(condition, otherwise, false)),
                    None => None,
                },
                _ => self
                    .tables
                    .get(&decision.span)
                    .map(|c| self.table_choice(decision, c)),
            };
            if let Some(said) = said {
                // The whole formula is this decision: its line gives the result.
                said_result |=
                    decision.span == expr.span && !matches!(decision.kind, ExprKind::If(..));
                self.line(inner, &said);
                decisions_said.push(decision.span);
            }
        }
        match self.substitute(expr) {
            Some(s) if s != result && s != text => self.line(inner, &format!("= {s} = {result}")),
            // A decision line above already gave the value.
            Some(_) if said_result || !decisions_said.is_empty() => {}
            _ if said_result => {}
            _ => {
                let values = self.referenced(expr);
                if values.is_empty() {
                    self.line(inner, &format!("= {result}"));
                } else {
                    self.line(inner, &format!("= {result}   where {}", values.join(", ")));
                }
            }
        }
    }

    /// "`measure <= 核定费用率` is met (12% <= 15%) → 80%".
    fn branch(&self, condition: &Expr, taken: &Expr, met: bool) -> String {
        let policy = self.policy;
        let condition_text = one_line(policy.source.slice(condition.span));
        let branch = one_line(policy.source.slice(taken.span));
        // A yes/no input on its own: "`个人大客户` is yes".
        if let ExprKind::Ref(node) = condition.kind {
            let shown = format::value(policy, self.slot(node), Ty::Bool);
            return format!("`{condition_text}` is {shown} → {branch}");
        }
        let values = match &condition.kind {
            // What holds, with values: "17% > 15%" when `<= 15%` is not met.
            ExprKind::Cmp(op, l, r) => match (self.substitute(l), self.substitute(r)) {
                (Some(l), Some(r)) => {
                    let op = if met { *op } else { negate(*op) };
                    format!(": {l} {} {r}", op.symbol())
                }
                _ => String::new(),
            },
            _ => match self.referenced(condition).as_slice() {
                [] => String::new(),
                values => format!(" ({})", values.join(", ")),
            },
        };
        let verdict = if met { "is met" } else { "is not met" };
        format!("`{condition_text}` {verdict}{values} → {branch}")
    }

    /// The named values a formula reads, as `name = value`.
    fn referenced(&self, expr: &Expr) -> Vec<String> {
        let mut nodes = Vec::new();
        expr.for_each_ref(&mut |n| {
            if !nodes.contains(&n) {
                nodes.push(n);
            }
        });
        nodes
            .into_iter()
            .map(|n| {
                let (name, _) = self.policy.describe(n);
                let shown = format::value(self.policy, self.slot(n), self.node_ty(n));
                format!("{name} = {shown}")
            })
            .collect()
    }

    fn node_ty(&self, node: Node) -> Ty {
        match node {
            Node::Input(i) => self
                .policy
                .inputs
                .get(i)
                .map_or(Ty::Number, |x| Ty::of_input(x.ty)),
            Node::Value(i) => self.policy.values.get(i).map_or(Ty::Number, |v| v.expr.ty),
            Node::Indicator(_) | Node::Adjustment(_) | Node::Score => Ty::Score,
            Node::Grade => Ty::Grade,
            Node::Pay(_) => Ty::Money,
        }
    }

    /// The formula with each name replaced by its value, when every part of
    /// it can be shown that way.
    fn substitute(&self, e: &Expr) -> Option<String> {
        let policy = self.policy;
        Some(match &e.kind {
            ExprKind::Number(n) => match e.ty {
                Ty::Money => format::money(*n, policy.currency.as_deref()),
                Ty::Ratio => format::percent(*n),
                _ => format::number(*n),
            },
            ExprKind::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            ExprKind::GradeConst(g) => policy.grades.get(*g)?.name.clone(),
            ExprKind::Ref(node) => format::value(policy, self.slot(*node), e.ty),
            ExprKind::Measure(i) => {
                let m = self.indicators.get(i)?.measure?;
                format::value(policy, Value::Num(m), e.ty)
            }
            ExprKind::Neg(x) => match x.kind {
                ExprKind::Arith(..) => format!("-({})", self.substitute(x)?),
                _ => format!("-{}", self.substitute(x)?),
            },
            ExprKind::Arith(op, l, r) => format!(
                "{} {} {}",
                self.operand(l, *op, false)?,
                op.symbol(),
                self.operand(r, *op, true)?
            ),
            ExprKind::Call(f, args) => {
                let name = match f {
                    Function::Min => "min",
                    Function::Max => "max",
                    Function::Clamp => "clamp",
                    Function::Abs => "abs",
                    Function::Average => "average",
                    Function::TrimmedAverage => "trimmed_average",
                    Function::FirstOf => "first_of",
                };
                let args: Option<Vec<String>> = args.iter().map(|a| self.substitute(a)).collect();
                format!("{name}({})", args?.join(", "))
            }
            ExprKind::FullMarks(x) => format!("{} of full marks", self.substitute(x)?),
            ExprKind::ByGrade(values) => {
                let Value::Grade(g) = self.slot(Node::Grade) else {
                    return None;
                };
                let entry = values.get(usize::from(g))?;
                let grade = &policy.grades.get(usize::from(g))?.name;
                format!("{} (grade {grade})", self.substitute(entry)?)
            }
            ExprKind::Linear { .. } | ExprKind::Steps { .. } => {
                let value = match self.tables.get(&e.span)? {
                    TableChoice::Band { value, .. }
                    | TableChoice::Otherwise { value, .. }
                    | TableChoice::Below { value, .. }
                    | TableChoice::Above { value, .. }
                    | TableChoice::Between { value, .. } => *value,
                };
                format::value(policy, Value::Num(value), e.ty)
            }
            ExprKind::If(_, then, otherwise) => match self.branches.get(&e.span)? {
                true => self.substitute(then)?,
                false => self.substitute(otherwise)?,
            },
            ExprKind::Not(_) | ExprKind::Cmp(..) | ExprKind::And(..) | ExprKind::Or(..) => {
                return None;
            }
        })
    }

    /// A substituted operand, in parentheses when it is itself an operation.
    /// An operand of `parent`, in parentheses only where precedence needs them.
    fn operand(&self, e: &Expr, parent: ArithOp, right: bool) -> Option<String> {
        let s = self.substitute(e)?;
        let binds = |op: ArithOp| match op {
            ArithOp::Add | ArithOp::Sub => 1,
            ArithOp::Mul | ArithOp::Div => 2,
        };
        let needs = match e.kind {
            ExprKind::Arith(op, ..) => {
                binds(op) < binds(parent)
                    || (right
                        && binds(op) == binds(parent)
                        && matches!(parent, ArithOp::Sub | ArithOp::Div))
            }
            _ => false,
        };
        Some(if needs { format!("({s})") } else { s })
    }

    fn table_choice(&self, table: &Expr, choice: &TableChoice) -> String {
        let policy = self.policy;
        let (subject_ty, out_ty) = match &table.kind {
            ExprKind::Linear { subject, points } => {
                (subject.ty, points.first().map_or(table.ty, |(_, v)| v.ty))
            }
            ExprKind::Steps { subject, bands, .. } => {
                (subject.ty, bands.first().map_or(table.ty, |(_, _, v)| v.ty))
            }
            _ => (table.ty, table.ty),
        };
        let out_ty = if table.ty == Ty::Score {
            Ty::Score
        } else {
            out_ty
        };
        let s = |d: Decimal| format::value(policy, Value::Num(d), subject_ty);
        let o = |d: Decimal| format::value(policy, Value::Num(d), out_ty);
        match choice {
            TableChoice::Band {
                index,
                subject,
                value,
                ..
            } => {
                let band = match &table.kind {
                    ExprKind::Steps { bands, .. } => bands
                        .get(*index)
                        .map(|(op, t, _)| {
                            format!("{} {}", op.symbol(), one_line(policy.source.slice(t.span)))
                        })
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                format!("{} matches `{band}` first → {}", s(*subject), o(*value))
            }
            TableChoice::Otherwise { subject, value } => {
                format!("{} matches no band → otherwise {}", s(*subject), o(*value))
            }
            TableChoice::Below { subject, at, value } if subject == at => {
                format!("{} is the first point → {}", s(*subject), o(*value))
            }
            TableChoice::Below { subject, at, value } => format!(
                "{} is below the first point {} => {} → {}",
                s(*subject),
                s(*at),
                o(*value),
                o(*value)
            ),
            TableChoice::Above { subject, at, value } if subject == at => {
                format!("{} is the last point → {}", s(*subject), o(*value))
            }
            TableChoice::Above { subject, at, value } => format!(
                "{} is above the last point {} => {} → {} (the table gives no more above it)",
                s(*subject),
                s(*at),
                o(*value),
                o(*value)
            ),
            TableChoice::Between {
                subject,
                from,
                value,
                ..
            } if *subject == from.0 => {
                format!(
                    "{} is exactly the point {} => {} → {}",
                    s(*subject),
                    s(from.0),
                    o(from.1),
                    o(*value)
                )
            }
            TableChoice::Between {
                subject,
                from,
                to,
                value,
                ..
            } => format!(
                "{} lies between {} => {} and {} => {}: {} + ({} − {}) × ({} − {}) ÷ ({} − {}) = {}",
                s(*subject),
                s(from.0),
                o(from.1),
                s(to.0),
                o(to.1),
                o(from.1),
                s(*subject),
                s(from.0),
                o(to.1),
                o(from.1),
                s(to.0),
                s(from.0),
                o(*value)
            ),
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
