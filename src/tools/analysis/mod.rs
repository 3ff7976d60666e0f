//! What a policy can do, before anyone is paid (`kpi analyze`).
//!
//! The checker proves a policy well-formed; the analysis proves things about
//! what it computes, over every record whose inputs lie in their declared
//! ranges: the bounds of each indicator's points, the score and every pay
//! item; the grades no one can reach; pay with no ceiling; divisions that
//! can be by zero; and (in [`monotone`]) whether a better result can ever
//! lower someone's points.

pub mod bill;
mod bounds;
pub mod cases;
mod domain;
pub mod monotone;

use rust_decimal::Decimal;
use serde::Serialize;

pub use bounds::Bounds;
pub use domain::Abs;

use crate::engine::program::Program;
use crate::language::checked::{CheckedPolicy, Expr, ExprKind, Interval, Node};
use crate::language::diagnostic::{self, Code, Diagnostic};

/// Everything `kpi analyze` finds in one policy.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub policy: String,
    /// One report per plan (one for a policy without plans).
    pub plans: Vec<PlanReport>,
    /// Warnings: unreachable grades, pay without a ceiling, divisors that can
    /// be zero, points that fall as a result improves.
    pub findings: Vec<Diagnostic>,
    /// The findings `kpi check` reports too ([`for_check`]).
    #[serde(skip)]
    pub for_check: Vec<Diagnostic>,
}

/// The bounds of what one plan computes.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub plan: Option<String>,
    /// Derived values (`let`).
    pub values: Vec<Bound>,
    pub indicators: Vec<Bound>,
    pub adjustments: Vec<Bound>,
    pub score: Option<Range>,
    pub grades: Vec<GradeReach>,
    pub pay: Vec<PayBound>,
    /// For each input declared `higher/lower is better`: whether the score
    /// is proved never to fall as it improves.
    pub monotone: Vec<MonotoneProof>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonotoneProof {
    pub input: String,
    pub better: crate::language::ast::Better,
    pub proved: bool,
}

/// The values something can take.
#[derive(Debug, Clone, Serialize)]
pub struct Bound {
    pub name: String,
    pub label: Option<String>,
    pub range: Range,
    /// Whether it can be left out (an indicator reading an optional input).
    pub can_be_left_out: bool,
}

/// An interval with exact ends; `None`: unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Range {
    #[serde(serialize_with = "decimal_str")]
    pub lo: Option<Decimal>,
    #[serde(serialize_with = "decimal_str")]
    pub hi: Option<Decimal>,
}

fn decimal_str<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.normalize().to_string()),
        None => s.serialize_none(),
    }
}

impl Range {
    fn of(interval: Option<Interval>) -> Range {
        match interval {
            Some(i) => Range {
                lo: i.lo.map(|e| e.value),
                hi: i.hi.map(|e| e.value),
            },
            // Never a number (only ever missing): shown as nothing.
            None => Range { lo: None, hi: None },
        }
    }

    /// `0 … 100`, `0 … unbounded`.
    pub fn show(&self, f: impl Fn(Decimal) -> String) -> String {
        let lo = self.lo.map_or("unbounded".to_string(), &f);
        let hi = self.hi.map_or("unbounded".to_string(), &f);
        if self.lo.is_some() && self.lo == self.hi {
            return lo;
        }
        format!("{lo} … {hi}")
    }
}

/// The smallest range holding both (an unbounded side stays unbounded).
pub fn domain_hull(a: Range, b: Range) -> Range {
    Range {
        lo: match (a.lo, b.lo) {
            (Some(x), Some(y)) => Some(x.min(y)),
            _ => None,
        },
        hi: match (a.hi, b.hi) {
            (Some(x), Some(y)) => Some(x.max(y)),
            _ => None,
        },
    }
}

/// Whether a grade can be given, and how.
#[derive(Debug, Clone, Serialize)]
pub struct GradeReach {
    pub grade: String,
    pub by_score: bool,
    pub by_veto: bool,
}

/// The bounds of a pay item: in money and, when it is a multiple of a base
/// amount, as multiples of that base.
#[derive(Debug, Clone, Serialize)]
pub struct PayBound {
    pub name: String,
    pub label: Option<String>,
    pub range: Range,
    pub relative: Option<Relative>,
}

/// `0.7 × 绩效基数 … 1.5 × 绩效基数`.
#[derive(Debug, Clone, Serialize)]
pub struct Relative {
    pub base: String,
    pub factor: Range,
}

/// Analyses a compiled policy, every plan of it.
pub fn analyze(program: &Program) -> Analysis {
    let mut plans = Vec::new();
    let mut findings = Vec::new();
    let mut unreached: Vec<Vec<String>> = vec![Vec::new(); program.policy().grades.len()];
    let mut unbounded_pay: Vec<bool> = vec![false; program.policy().pay.len()];
    let mut declared_zero: Vec<Diagnostic> = Vec::new();
    for plan in program.plans() {
        let policy = plan.policy();
        let mut bounds = Bounds::new(policy);
        for (span, divisor) in bounds.zero_divisors() {
            let (finding, declared) = zero_divisor(policy, *span, divisor);
            if declared && !declared_zero.contains(&finding) {
                declared_zero.push(finding.clone());
            }
            findings.push(finding);
        }
        let monotone = monotone::check(plan, &mut bounds);
        findings.extend(monotone.findings);
        let report = plan_report(&mut bounds, monotone.proofs);
        let plan_name = policy.plan.as_ref().map(|p| p.name.clone());
        for (g, reach) in report.grades.iter().enumerate() {
            if !reach.by_score && !reach.by_veto && policy.has_score() {
                if let Some(list) = unreached.get_mut(g) {
                    list.push(plan_name.clone().unwrap_or_default());
                }
            }
        }
        for (i, pay) in report.pay.iter().enumerate() {
            if pay.range.hi.is_none() && pay.relative.is_none() {
                if let Some(u) = unbounded_pay.get_mut(i) {
                    *u = true;
                }
            }
        }
        plans.push(report);
    }
    let policy = program.policy();
    for (g, missed) in unreached.iter().enumerate() {
        if missed.is_empty() {
            continue;
        }
        if let Some(d) = unreachable_grade(policy, g, missed, &plans) {
            findings.push(d);
        }
    }
    for (i, unbounded) in unbounded_pay.iter().enumerate() {
        if *unbounded {
            findings.push(unbounded_pay_item(policy, i));
        }
    }
    diagnostic::sort(&mut findings);
    let mut for_check: Vec<Diagnostic> = findings
        .iter()
        .filter(|d| is_intent(d.code))
        .cloned()
        .collect();
    for_check.extend(declared_zero);
    diagnostic::sort(&mut for_check);
    Analysis {
        policy: policy.name.clone(),
        plans,
        findings,
        for_check,
    }
}

/// The findings `kpi check` reports too: those that show the policy does
/// not do what its author means whatever the data (a grade no one gets,
/// points that fall as a result improves, a better grade paid less), and a
/// divisor that can be zero although every input it reads declares its
/// range (the author said what the data holds, and it allows 0). Pay
/// without a ceiling, and divisors of inputs with no declared range, are
/// for `kpi analyze`: ranges are optional.
pub fn intent_findings(program: &Program) -> Vec<Diagnostic> {
    analyze(program).for_check
}

/// Whether a finding is one `kpi check` reports (see [`intent_findings`]).
pub fn is_intent(code: Code) -> bool {
    matches!(
        code,
        Code::GradeNeverGiven | Code::NotMonotone | Code::FallingTable
    )
}

fn plan_report(
    bounds: &mut Bounds<'_>,
    proofs: Vec<(String, crate::language::ast::Better, bool)>,
) -> PlanReport {
    let policy = bounds.policy();
    let bound = |name: &str, label: &Option<String>, abs: Abs| Bound {
        name: name.to_string(),
        label: label.clone(),
        range: Range::of(abs.num),
        can_be_left_out: abs.missing,
    };
    let values = policy
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| bound(&v.name, &v.label, bounds.of(Node::Value(i))))
        .collect();
    let indicators = policy
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| bound(&ind.name, &ind.label, bounds.of(Node::Indicator(i))))
        .collect();
    let adjustments = policy
        .adjustments
        .iter()
        .enumerate()
        .map(|(i, a)| bound(&a.name, &a.label, bounds.of(Node::Adjustment(i))))
        .collect();
    let score = policy
        .has_score()
        .then(|| Range::of(bounds.of(Node::Score).num));
    let grades = policy
        .grades
        .iter()
        .enumerate()
        .map(|(g, grade)| GradeReach {
            grade: grade.name.clone(),
            by_score: bounds.by_score & bounds::bit(g) != 0,
            by_veto: bounds.by_veto & bounds::bit(g) != 0,
        })
        .collect();
    let bases = base_amounts(policy);
    let paid_from = inputs_read(policy, policy.pay.iter().map(|p| &p.expr).collect());
    // Each base's factors, once: pay items are looked up in them.
    let mut factors: std::collections::HashMap<usize, Known> = std::collections::HashMap::new();
    for (b, is_base) in bases.iter().enumerate() {
        if *is_base && paid_from.get(b).copied().unwrap_or(false) {
            factors.insert(b, base_factors(bounds, b));
        }
    }
    let mut pay = Vec::new();
    for (i, item) in policy.pay.iter().enumerate() {
        let relative = bases.iter().enumerate().find_map(|(b, is_base)| {
            if !*is_base {
                return None;
            }
            let factor = factors
                .get(&b)?
                .factors
                .get(&Node::Pay(i))
                .copied()
                .flatten()?;
            (factor.lo.is_some() && factor.hi.is_some()).then(|| Relative {
                base: policy
                    .inputs
                    .get(b)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                factor: Range::of(Some(factor)),
            })
        });
        pay.push(PayBound {
            name: item.name.clone(),
            label: item.label.clone(),
            range: Range::of(bounds.of(Node::Pay(i)).num),
            relative,
        });
    }
    let monotone = proofs
        .into_iter()
        .map(|(input, better, proved)| MonotoneProof {
            input,
            better,
            proved,
        })
        .collect();
    PlanReport {
        plan: policy.plan.as_ref().map(|p| p.name.clone()),
        values,
        indicators,
        adjustments,
        score,
        grades,
        pay,
        monotone,
    }
}

/// Money inputs that pay is only ever a multiple of (a base pay, a bonus
/// pool): inputs no formula compares, scores or looks up in a table. Pay
/// bounded as a multiple of such an amount is bounded.
fn base_amounts(policy: &CheckedPolicy) -> Vec<bool> {
    let mut judged: Vec<&Expr> = policy.scoring_formulas().collect();
    for v in &policy.vetoes {
        judged.push(&v.condition);
    }
    for p in &policy.pay {
        visit_judged(&p.expr, &mut |e| judged.push(e));
    }
    let read = inputs_read(policy, judged);
    policy
        .inputs
        .iter()
        .zip(read)
        .map(|(input, judged)| input.ty == crate::language::ast::InputType::Money && !judged)
        .collect()
}

/// Which inputs any of the formulas reads, directly or through values and
/// pay items: one walk, each value visited once.
/// The inputs `e` reads through the values, pay items and measures it
/// names, each visited once (a set of those seen, not a table the size of
/// the policy).
fn inputs_through(policy: &CheckedPolicy, e: &Expr) -> Vec<usize> {
    let mut inputs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut work = vec![e];
    while let Some(e) = work.pop() {
        e.walk(&mut |sub| {
            let next = match &sub.kind {
                ExprKind::Ref(Node::Input(i)) => {
                    inputs.push(*i);
                    None
                }
                ExprKind::Ref(Node::Value(v)) => policy.values.get(*v).map(|v| &v.expr),
                ExprKind::Ref(Node::Pay(p)) => policy.pay.get(*p).map(|p| &p.expr),
                ExprKind::Measure(i) => policy
                    .indicators
                    .get(*i)
                    .and_then(|ind| ind.measure.as_ref()),
                _ => None,
            };
            if let Some(next) = next
                && seen.insert(std::ptr::from_ref(next))
            {
                work.push(next);
            }
        });
    }
    inputs
}

pub(crate) fn inputs_read<'a>(policy: &'a CheckedPolicy, exprs: Vec<&'a Expr>) -> Vec<bool> {
    let mut read = vec![false; policy.inputs.len()];
    let mut seen_values = vec![false; policy.values.len()];
    let mut seen_pay = vec![false; policy.pay.len()];
    let mut work = exprs;
    while let Some(e) = work.pop() {
        e.for_each_ref(&mut |node| match node {
            Node::Input(i) => {
                if let Some(r) = read.get_mut(i) {
                    *r = true;
                }
            }
            Node::Value(v) => {
                if let (Some(seen), Some(value)) = (seen_values.get_mut(v), policy.values.get(v))
                    && !*seen
                {
                    *seen = true;
                    work.push(&value.expr);
                }
            }
            Node::Pay(p) => {
                if let (Some(seen), Some(item)) = (seen_pay.get_mut(p), policy.pay.get(p))
                    && !*seen
                {
                    *seen = true;
                    work.push(&item.expr);
                }
            }
            _ => {}
        });
    }
    read
}

/// Calls `f` on every part of a formula whose value is judged rather than
/// scaled: comparisons' sides and tables' subjects.
fn visit_judged<'a>(e: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    e.walk(&mut |e| match &e.kind {
        ExprKind::Cmp(_, a, b) => {
            f(a);
            f(b);
        }
        ExprKind::Linear { subject, .. } | ExprKind::Steps { subject, .. } => f(subject),
        _ => {}
    });
}

/// Each value's and pay item's factor of one base, and whether it reads
/// the base at all: computed once each, in dependency order, so that a long
/// chain of lets is neither walked again for every formula that reads it
/// nor recursed through.
struct Known {
    base: usize,
    reads: std::collections::HashMap<Node, bool>,
    factors: std::collections::HashMap<Node, Option<Interval>>,
}

impl Known {
    /// Whether a formula reads the base, directly or through a value or pay
    /// item already known.
    fn reads(&self, e: &Expr) -> bool {
        let mut found = false;
        e.for_each_ref(&mut |node| {
            found |= match node {
                Node::Input(i) => i == self.base,
                other => self.reads.get(&other).copied().unwrap_or(false),
            }
        });
        found
    }
}

fn base_factors(bounds: &mut Bounds<'_>, base: usize) -> Known {
    let policy = bounds.policy();
    let mut known = Known {
        base,
        reads: std::collections::HashMap::new(),
        factors: std::collections::HashMap::new(),
    };
    for &node in &policy.order {
        let expr = match node {
            Node::Value(v) => policy.values.get(v).map(|v| &v.expr),
            Node::Pay(p) => policy.pay.get(p).map(|p| &p.expr),
            _ => None,
        };
        if let Some(e) = expr {
            let reads = known.reads(e);
            let f = if reads {
                factor(bounds, &known, e)
            } else {
                None
            };
            known.reads.insert(node, reads);
            known.factors.insert(node, f);
        }
    }
    known
}

/// `e` as `base × factor`: the factor's bounds, when `e` is a multiple of
/// the base (a sum of multiples, a choice between multiples or zero).
fn factor<'a>(bounds: &mut Bounds<'a>, known: &Known, e: &'a Expr) -> Option<Interval> {
    // A part that does not read the base: it must be zero to be a multiple.
    fn part<'a>(bounds: &mut Bounds<'a>, known: &Known, x: &'a Expr) -> Option<Interval> {
        if known.reads(x) {
            factor(bounds, known, x)
        } else {
            (bounds::exact(bounds.expr(x)) == Some(Decimal::ZERO))
                .then_some(bounds::point(Decimal::ZERO))
        }
    }
    use crate::language::checked::ArithOp;
    match &e.kind {
        ExprKind::Ref(Node::Input(i)) if *i == known.base => Some(bounds::point(Decimal::ONE)),
        // Looked up, not recomputed: see `base_factors`.
        ExprKind::Ref(node @ (Node::Value(_) | Node::Pay(_))) => {
            known.factors.get(node).copied().flatten()
        }
        ExprKind::Neg(x) => factor(bounds, known, x).map(domain::neg),
        ExprKind::Arith(ArithOp::Mul, a, b) => {
            let (scaled, other) = match (known.reads(a), known.reads(b)) {
                (true, false) => (a, b),
                (false, true) => (b, a),
                _ => return None,
            };
            let f = factor(bounds, known, scaled)?;
            let k = bounds.expr(other).num?;
            Some(domain::mul(f, k))
        }
        ExprKind::Arith(ArithOp::Div, a, b) if !known.reads(b) => {
            let f = factor(bounds, known, a)?;
            let k = bounds.expr(b).num?;
            (!domain::has_zero(&k)).then(|| domain::div(f, k))
        }
        ExprKind::Arith(op @ (ArithOp::Add | ArithOp::Sub), a, b) => {
            let (x, y) = (part(bounds, known, a)?, part(bounds, known, b)?);
            Some(if *op == ArithOp::Add {
                domain::add(x, y)
            } else {
                domain::sub(x, y)
            })
        }
        ExprKind::If(c, t, f) => {
            let cond = bounds.expr(c);
            let mut out: Option<Interval> = None;
            for (taken, branch) in [(cond.yes, t), (cond.no, f)] {
                if taken {
                    let r = part(bounds, known, branch)?;
                    out = Some(out.map_or(r, |o| domain::hull(o, r)));
                }
            }
            out
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- findings

/// The finding of a divisor that can be zero, and whether every input it
/// reads declares its range.
fn zero_divisor(
    policy: &CheckedPolicy,
    span: crate::language::source::Span,
    divisor: &Expr,
) -> (Diagnostic, bool) {
    let text = policy.source.slice(span).trim().to_string();
    // The inputs the divisor reads, for the help's example: those it names
    // itself, or failing that, those of the values it names. Found from the
    // formula, not its text (whose `目标10` also holds `目标1`), and
    // without a table of every input, once per divisor of a large policy.
    let mut direct = Vec::new();
    divisor.for_each_ref(&mut |node| {
        if let Node::Input(i) = node {
            direct.push(i);
        }
    });
    if direct.is_empty() {
        direct = inputs_through(policy, divisor);
    }
    direct.sort_unstable();
    direct.dedup();
    let inputs: Vec<&str> = direct
        .iter()
        .filter_map(|&i| policy.inputs.get(i))
        .map(|x| x.name.as_str())
        .collect();
    let help = match inputs.first() {
        Some(first) => format!(
            "declare the values the data may hold so that `{text}` cannot be 0, e.g. `input {first} … range > 0`; a row where it is 0 fails with a division by zero"
        ),
        None => format!(
            "keep `{text}` away from 0 (e.g. `max(…, 1)`), or test it with `if`; a row where it is 0 fails"
        ),
    };
    let declared = !direct.is_empty()
        && direct
            .iter()
            .filter_map(|&i| policy.inputs.get(i))
            .all(|x| {
                x.range != crate::language::checked::Interval::ALL
                    && x.ty != crate::language::ast::InputType::Score
            });
    let d = Diagnostic::warning(
        Code::ZeroDivisor,
        format!("`{text}` can be zero within the declared ranges"),
    )
    .label(span, "this divisor can be 0")
    .help(help);
    (d, declared)
}

fn unreachable_grade(
    policy: &CheckedPolicy,
    g: usize,
    missed: &[String],
    plans: &[PlanReport],
) -> Option<Diagnostic> {
    let grade = policy.grades.get(g)?;
    // A band outside the score range is the checker's error already.
    let (low, high) = policy.score_range;
    let range = Interval::closed(low, high);
    if grade.scores.iter().all(|b| b.intersect(&range).is_empty()) {
        return None;
    }
    let plan_count = plans.len();
    let mut notes = Vec::new();
    for report in plans {
        let name = report.plan.clone().unwrap_or_default();
        if !missed.contains(&name) {
            continue;
        }
        let top = report.score.map(|s| s.show(|d| d.normalize().to_string()));
        let capped: Vec<String> = report
            .indicators
            .iter()
            .filter_map(|ind| {
                let hi = ind.range.hi?;
                (hi < Decimal::ONE_HUNDRED)
                    .then(|| format!("`{}` gives at most {}", ind.name, hi.normalize()))
            })
            .collect();
        let scope = if plan_count > 1 {
            format!("plan `{name}`: ")
        } else {
            String::new()
        };
        notes.push(format!(
            "{scope}the score lies in {}{}",
            top.unwrap_or_default(),
            if capped.is_empty() {
                String::new()
            } else {
                format!(" ({})", capped.join(", "))
            }
        ));
    }
    let where_ = if plan_count <= 1 {
        String::new()
    } else if missed.len() == plan_count {
        " in any plan".to_string()
    } else {
        format!(
            " in plan{} {}",
            if missed.len() == 1 { "" } else { "s" },
            missed
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Some(
        Diagnostic::warning(
            Code::GradeNeverGiven,
            format!("no one can be graded {}{where_}", grade.name),
        )
        .label(
            grade.span,
            "no score within the inputs' ranges reaches this band",
        )
        .help(format!(
            "{}; lower the band, or raise what caps the points",
            notes.join("; ")
        )),
    )
}

fn unbounded_pay_item(policy: &CheckedPolicy, i: usize) -> Diagnostic {
    let Some(item) = policy.pay.get(i) else {
        return Diagnostic::warning(Code::UnboundedPay, "a pay item has no upper bound");
    };
    let read = inputs_read(policy, vec![&item.expr]);
    let open: Vec<String> = policy
        .inputs
        .iter()
        .enumerate()
        .filter(|(k, input)| {
            read.get(*k).copied().unwrap_or(false)
                && input.ty != crate::language::ast::InputType::YesNo
                && (input.range.hi.is_none() || input.range.lo.is_none())
        })
        .map(|(_, input)| format!("`{}`", input.name))
        .collect();
    let why = if open.is_empty() {
        String::new()
    } else {
        format!(
            "it grows with {}, which the policy does not bound; ",
            open.join(", ")
        )
    };
    Diagnostic::warning(
        Code::UnboundedPay,
        format!("pay item `{}` has no upper bound", item.name),
    )
    .label(item.name_span, "can be any amount, however large")
    .help(format!(
        "{why}if there is a ceiling, write it (`min(…, ¥100,000)`) or declare the input's range (`range <= …`); an uncapped commission is a choice, and then this warning is expected"
    ))
}
