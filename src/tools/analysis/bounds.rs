//! Interval analysis of one plan: every value the plan computes, evaluated
//! over sets of records (each input anywhere in its declared range) rather
//! than one record, step by step as the evaluator runs them.

use rust_decimal::Decimal;

use super::domain::{self, Abs};
use crate::language::ast::{AdjustmentKind, CmpOp};
use crate::language::checked::{
    ArithOp, CheckedPolicy, End, Expr, ExprKind, Function, Interval, Missing, Node, VetoEffect,
};
use crate::language::source::Span;

/// A condition known to hold (or not) inside a branch: `lhs op rhs`.
#[derive(Clone, Copy)]
struct Fact<'a> {
    lhs: &'a Expr,
    op: CmpOp,
    rhs: &'a Expr,
}

pub struct Bounds<'a> {
    policy: &'a CheckedPolicy,
    nodes: NodeBounds,
    measures: Vec<Abs>,
    /// The indicator whose formulas are being evaluated (for `measure`).
    indicator: Option<usize>,
    facts: Vec<Fact<'a>>,
    zero_divisors: Vec<(Span, &'a Expr)>,
    /// Grades the score reaches, by index (bit `i`: grade `i`).
    pub by_score: u128,
    /// Grades a veto can force.
    pub by_veto: u128,
}

/// The value a grade mask has when every grade is possible.
pub fn all_grades(n: usize) -> u128 {
    if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    }
}

pub fn bit(g: usize) -> u128 {
    if g >= 128 { 0 } else { 1u128 << g }
}

/// What each node can be, in a vector per kind of node: nodes are
/// numbered densely, so a lookup is an index rather than a hash (the
/// analysis looks a node up at every reference of every formula).
#[derive(Debug, Default)]
struct NodeBounds {
    kinds: [Vec<Abs>; 7],
}

impl NodeBounds {
    fn place(node: Node) -> (usize, usize) {
        match node {
            Node::Input(i) => (0, i),
            Node::Value(i) => (1, i),
            Node::Indicator(i) => (2, i),
            Node::Adjustment(i) => (3, i),
            Node::Score => (4, 0),
            Node::Grade => (5, 0),
            Node::Pay(i) => (6, i),
        }
    }

    fn insert(&mut self, node: Node, abs: Abs) {
        let (kind, i) = Self::place(node);
        let Some(list) = self.kinds.get_mut(kind) else {
            return;
        };
        if list.len() <= i {
            list.resize(i + 1, Abs::NOTHING);
        }
        if let Some(slot) = list.get_mut(i) {
            *slot = abs;
        }
    }

    fn get(&self, node: Node) -> Abs {
        let (kind, i) = Self::place(node);
        self.kinds
            .get(kind)
            .and_then(|list| list.get(i))
            .copied()
            .unwrap_or(Abs::NOTHING)
    }
}

impl<'a> Bounds<'a> {
    /// Runs the plan's steps over the declared input ranges.
    pub fn new(policy: &'a CheckedPolicy) -> Bounds<'a> {
        let mut b = Bounds {
            policy,
            nodes: NodeBounds::default(),
            measures: vec![Abs::NOTHING; policy.indicators.len()],
            indicator: None,
            facts: Vec::new(),
            zero_divisors: Vec::new(),
            by_score: 0,
            by_veto: 0,
        };
        for (i, input) in policy.inputs.iter().enumerate() {
            let mut abs = match input.ty {
                crate::language::ast::InputType::YesNo => Abs::truth(true, true),
                _ => Abs::num(input.range),
            };
            abs.missing = input.missing == Missing::Exclude;
            b.nodes.insert(Node::Input(i), abs);
        }
        for &node in &policy.order {
            let abs = match node {
                Node::Input(_) => continue,
                Node::Value(i) => match policy.values.get(i) {
                    Some(v) => b.expr(&v.expr),
                    None => continue,
                },
                Node::Indicator(i) => b.indicator(i),
                Node::Adjustment(i) => b.adjustment(i),
                Node::Score => b.score(),
                Node::Grade => {
                    let (score, veto) = b.grade();
                    b.by_score = score;
                    b.by_veto = veto;
                    let mut mask = score | veto;
                    // Forced ranking and the general manager's override can
                    // give any grade: pay must be bounded over all of them.
                    if policy.has_forced_ranking() || policy.override_rule.is_some() {
                        mask = all_grades(policy.grades.len());
                    }
                    Abs::grades(mask)
                }
                Node::Pay(i) => match policy.pay.get(i) {
                    Some(p) => b
                        .expr(&p.expr)
                        .map(|r| domain::round(r, policy.money_rounding)),
                    None => continue,
                },
            };
            b.nodes.insert(node, abs);
        }
        b.zero_divisors.sort_by_key(|(span, _)| *span);
        b.zero_divisors.dedup_by_key(|(span, _)| *span);
        b
    }

    pub fn policy(&self) -> &'a CheckedPolicy {
        self.policy
    }

    /// What a node can be.
    pub fn of(&self, node: Node) -> Abs {
        self.nodes.get(node)
    }

    /// What an indicator's measure can be.
    pub fn measure(&self, indicator: usize) -> Abs {
        self.measures
            .get(indicator)
            .copied()
            .unwrap_or(Abs::NOTHING)
    }

    /// Divisions whose divisor can be zero: the divisors, with their spans.
    pub fn zero_divisors(&self) -> &[(Span, &'a Expr)] {
        &self.zero_divisors
    }

    fn indicator(&mut self, i: usize) -> Abs {
        let policy = self.policy;
        let Some(ind) = policy.indicators.get(i) else {
            return Abs::NOTHING;
        };
        self.indicator = Some(i);
        let measure = ind.measure.as_ref().map(|m| self.expr(m));
        if let Some(m) = measure
            && let Some(slot) = self.measures.get_mut(i)
        {
            *slot = m;
        }
        let points = self.expr(&ind.points);
        self.indicator = None;
        let vetoed = ind.zeroed_by.iter().any(|v| {
            policy
                .vetoes
                .get(*v)
                .is_some_and(|veto| self.expr(&veto.condition).yes)
        });
        let mut range = points.num.map(|r| {
            let mut r = clamp(r, Decimal::ZERO, Decimal::ONE_HUNDRED);
            if let Some(cap) = ind.cap {
                r = domain::min(r, point(cap));
            }
            if let Some(floor) = ind.floor {
                r = domain::max(r, point(floor));
            }
            r
        });
        if vetoed {
            range = Some(match range {
                Some(r) => domain::hull(r, point(Decimal::ZERO)),
                None => point(Decimal::ZERO),
            });
        }
        Abs {
            missing: points.missing || measure.is_some_and(|m| m.missing),
            ..Abs::num(
                range
                    .map(|r| domain::round(r, policy.score_rounding))
                    .unwrap_or(Interval::closed(Decimal::ONE, Decimal::ZERO)),
            )
        }
    }

    fn adjustment(&mut self, i: usize) -> Abs {
        let policy = self.policy;
        let Some(adj) = policy.adjustments.get(i) else {
            return Abs::NOTHING;
        };
        let points = self.expr(&adj.points);
        // Negative points stop the evaluation of a record: not an outcome.
        points.map(|r| {
            let mut r = r.intersect(&at_least(Decimal::ZERO));
            r = domain::round(r, policy.score_rounding);
            if let Some(cap) = adj.cap {
                r = domain::min(r, point(cap));
            }
            r
        })
    }

    fn score(&mut self) -> Abs {
        let policy = self.policy;
        if policy.indicators.is_empty() {
            return Abs::NOTHING;
        }
        let indicators: Vec<(Decimal, Abs)> = policy
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.weight, self.of(Node::Indicator(i))))
            .collect();
        let weighted = weighted_mean(&indicators);
        let (mut bonuses, mut deductions) = (point(Decimal::ZERO), point(Decimal::ZERO));
        for (i, adj) in policy.adjustments.iter().enumerate() {
            let r = self.of(Node::Adjustment(i)).range();
            match adj.kind {
                AdjustmentKind::Bonus => bonuses = domain::add(bonuses, r),
                AdjustmentKind::Deduction => deductions = domain::add(deductions, r),
            }
        }
        if let Some(cap) = policy.caps.bonuses {
            bonuses = domain::min(bonuses, point(cap));
        }
        if let Some(cap) = policy.caps.deductions {
            deductions = domain::min(deductions, point(cap));
        }
        let mut net = domain::sub(bonuses, deductions);
        if let Some(cap) = policy.caps.net {
            net = clamp(net, -cap, cap);
        }
        let Some(weighted) = weighted else {
            return Abs::NOTHING;
        };
        let (low, high) = policy.score_range;
        let raw = clamp(domain::add(weighted, net), low, high);
        Abs::num(domain::round(raw, policy.score_rounding))
    }

    /// The grades the score reaches, and those a veto can force.
    fn grade(&mut self) -> (u128, u128) {
        let policy = self.policy;
        let score = self.of(Node::Score).num;
        let mut by_score = 0;
        for (g, grade) in policy.grades.iter().enumerate() {
            let reached = match score {
                Some(s) => grade
                    .scores
                    .iter()
                    .any(|band| !band.intersect(&s).is_empty()),
                // No score (a policy of pay items only): no grade by score.
                None => false,
            };
            if reached {
                by_score |= bit(g);
            }
        }
        let mut by_veto = 0;
        for veto in &policy.vetoes {
            if let VetoEffect::Grade(g) = veto.effect
                && self.expr(&veto.condition).yes
            {
                by_veto |= bit(g);
            }
        }
        (by_score, by_veto)
    }

    /// What `e` can be where condition `c` holds (or fails).
    pub fn expr_under(&mut self, c: &'a Expr, holds: bool, e: &'a Expr) -> Abs {
        let ExprKind::Cmp(op, lhs, rhs) = &c.kind else {
            return self.expr(e);
        };
        let op = if holds { *op } else { negate(*op) };
        self.facts.push(Fact { lhs, op, rhs });
        let abs = self.expr(e);
        self.facts.pop();
        abs
    }

    /// What an expression can be, under the facts of the branches it is in.
    pub fn expr(&mut self, e: &'a Expr) -> Abs {
        let abs = self.expr_inner(e);
        self.refine(e, abs)
    }

    fn refine(&self, e: &Expr, abs: Abs) -> Abs {
        let Some(mut range) = abs.num else {
            return abs;
        };
        for fact in &self.facts {
            // `a - b` under `a op b`: the difference compares with 0 so.
            if let ExprKind::Arith(ArithOp::Sub, a, b) = &e.kind {
                if same(a, fact.lhs) && same(b, fact.rhs) {
                    range = within(range, fact.op, Decimal::ZERO);
                } else if same(a, fact.rhs) && same(b, fact.lhs) {
                    range = within(range, flip(fact.op), Decimal::ZERO);
                }
            }
            // `x` under `x op 5` or `5 op x`.
            if same(e, fact.lhs)
                && let ExprKind::Number(n) = fact.rhs.kind
            {
                range = within(range, fact.op, n);
            } else if same(e, fact.rhs)
                && let ExprKind::Number(n) = fact.lhs.kind
            {
                range = within(range, flip(fact.op), n);
            }
        }
        Abs {
            num: (!range.is_empty()).then_some(range),
            ..abs
        }
    }

    fn expr_inner(&mut self, e: &'a Expr) -> Abs {
        match &e.kind {
            ExprKind::Number(n) => Abs::exactly(*n),
            ExprKind::Bool(b) => Abs::truth(*b, !*b),
            ExprKind::GradeConst(g) => Abs::grades(bit(*g)),
            ExprKind::Ref(node) => self.of(*node),
            ExprKind::Measure(i) => self.measures.get(*i).copied().unwrap_or(Abs::NOTHING),
            ExprKind::Neg(x) => self.expr(x).map(domain::neg),
            ExprKind::Not(x) => {
                let x = self.expr(x);
                Abs {
                    missing: x.missing,
                    ..Abs::truth(x.no, x.yes)
                }
            }
            ExprKind::Arith(op, a, b) => {
                let (x, y) = (self.expr(a), self.expr(b));
                let missing = x.missing || y.missing;
                let (Some(xr), Some(yr)) = (x.num, y.num) else {
                    return Abs {
                        missing,
                        ..Abs::NOTHING
                    };
                };
                let r = match op {
                    ArithOp::Add => domain::add(xr, yr),
                    ArithOp::Sub => domain::sub(xr, yr),
                    ArithOp::Mul => domain::mul(xr, yr),
                    ArithOp::Div => {
                        if domain::has_zero(&yr) {
                            // A literal 0 is the checker's error already.
                            if !matches!(b.kind, ExprKind::Number(_)) {
                                self.zero_divisors.push((b.span, b));
                            }
                            let nonzero = [
                                yr.intersect(
                                    &Interval::of_comparison(CmpOp::Lt, Decimal::ZERO)
                                        .unwrap_or(Interval::ALL),
                                ),
                                yr.intersect(
                                    &Interval::of_comparison(CmpOp::Gt, Decimal::ZERO)
                                        .unwrap_or(Interval::ALL),
                                ),
                            ];
                            let parts: Vec<Interval> = nonzero
                                .into_iter()
                                .filter(|p| !p.is_empty())
                                .map(|p| domain::div(xr, p))
                                .collect();
                            match parts.as_slice() {
                                [] => {
                                    return Abs {
                                        missing,
                                        ..Abs::NOTHING
                                    };
                                }
                                [one] => *one,
                                [a, b, ..] => domain::hull(*a, *b),
                            }
                        } else {
                            domain::div(xr, yr)
                        }
                    }
                };
                Abs {
                    missing,
                    ..Abs::num(r)
                }
            }
            ExprKind::Cmp(op, a, b) => {
                let (x, y) = (self.expr(a), self.expr(b));
                let missing = x.missing || y.missing;
                let (yes, no) = match (x.num, y.num) {
                    (Some(xr), Some(yr)) => compare(*op, domain::sub(xr, yr)),
                    _ if x.grades != 0 && y.grades != 0 => {
                        let both_one = x.grades.count_ones() == 1 && x.grades == y.grades;
                        let meet = x.grades & y.grades != 0;
                        match op {
                            CmpOp::Eq => (meet, !both_one),
                            CmpOp::Ne => (!both_one, meet),
                            _ => (true, true),
                        }
                    }
                    _ if (x.yes || x.no) && (y.yes || y.no) => (true, true),
                    _ => (false, false),
                };
                Abs {
                    missing,
                    ..Abs::truth(yes, no)
                }
            }
            ExprKind::And(a, b) => {
                let (x, y) = (self.expr(a), self.expr(b));
                Abs {
                    missing: x.missing || y.missing,
                    ..Abs::truth(x.yes && y.yes, x.no || y.no)
                }
            }
            ExprKind::Or(a, b) => {
                let (x, y) = (self.expr(a), self.expr(b));
                Abs {
                    missing: x.missing || y.missing,
                    ..Abs::truth(x.yes || y.yes, x.no && y.no)
                }
            }
            ExprKind::If(c, t, f) => {
                let cond = self.expr(c);
                let mut out = Abs {
                    missing: cond.missing,
                    ..Abs::NOTHING
                };
                let comparison = match &c.kind {
                    ExprKind::Cmp(op, l, r) => Some((*op, &**l, &**r)),
                    _ => None,
                };
                if cond.yes {
                    if let Some((op, lhs, rhs)) = comparison {
                        self.facts.push(Fact { lhs, op, rhs });
                    }
                    out = out.join(self.expr(t));
                    if comparison.is_some() {
                        self.facts.pop();
                    }
                }
                if cond.no {
                    if let Some((op, lhs, rhs)) = comparison {
                        self.facts.push(Fact {
                            lhs,
                            op: negate(op),
                            rhs,
                        });
                    }
                    out = out.join(self.expr(f));
                    if comparison.is_some() {
                        self.facts.pop();
                    }
                }
                out
            }
            ExprKind::Call(function, args) => self.call(*function, args),
            ExprKind::FullMarks(x) => self
                .expr(x)
                .map(|r| domain::mul(r, point(Decimal::ONE_HUNDRED))),
            ExprKind::Linear { subject, points } => {
                let s = self.expr(subject);
                let mut missing = s.missing;
                let mut table = Vec::new();
                let mut constant = true;
                for (at, value) in points {
                    let (a, v) = (self.expr(at), self.expr(value));
                    missing |= a.missing || v.missing;
                    match (exact(a), exact(v)) {
                        (Some(a), Some(v)) => table.push((a, v)),
                        _ => constant = false,
                    }
                }
                let range = if constant {
                    s.num.map(|s| linear_range(&table, s))
                } else {
                    // Between two points the value lies between theirs.
                    let mut hull: Option<Interval> = None;
                    for (_, value) in points {
                        let v = self.expr(value).range();
                        hull = Some(hull.map_or(v, |h| domain::hull(h, v)));
                    }
                    hull
                };
                Abs {
                    missing,
                    ..range.map(Abs::num).unwrap_or(Abs::NOTHING)
                }
            }
            ExprKind::Steps {
                subject,
                bands,
                otherwise,
            } => {
                let s = self.expr(subject);
                let mut out = Abs {
                    missing: s.missing,
                    ..Abs::NOTHING
                };
                let Some(subject_range) = s.num else {
                    return out;
                };
                // What of the subject's range no band has taken yet.
                let mut rest = vec![subject_range];
                for (op, threshold, value) in bands {
                    let t = self.expr(threshold);
                    out.missing |= t.missing;
                    let band = exact(t).and_then(|t| Interval::of_comparison(*op, t));
                    let reached = match band {
                        Some(band) => rest.iter().any(|r| !r.intersect(&band).is_empty()),
                        None => !rest.is_empty(),
                    };
                    if reached {
                        out = out.join(self.expr(value));
                    }
                    if let Some(band) = band {
                        rest = rest
                            .iter()
                            .flat_map(|r| minus(*r, band))
                            .filter(|r| !r.is_empty())
                            .collect();
                    }
                }
                if let Some(value) = otherwise
                    && !rest.is_empty()
                {
                    out = out.join(self.expr(value));
                }
                out
            }
            ExprKind::ByGrade(values) => {
                let grades = self.of(Node::Grade).grades;
                let mut out = Abs::NOTHING;
                for (g, value) in values.iter().enumerate() {
                    if grades & bit(g) != 0 {
                        out = out.join(self.expr(value));
                    }
                }
                out
            }
        }
    }

    fn call(&mut self, function: Function, args: &'a [Expr]) -> Abs {
        let values: Vec<Abs> = args.iter().map(|a| self.expr(a)).collect();
        let missing = values.iter().any(|v| v.missing);
        let ranges = || values.iter().filter_map(|v| v.num);
        let fold = |f: fn(Interval, Interval) -> Interval| ranges().reduce(f);
        let num = match function {
            Function::Min => fold(domain::min),
            Function::Max => fold(domain::max),
            Function::Abs => ranges().next().map(domain::abs),
            Function::Clamp => match (values.first(), values.get(1), values.get(2)) {
                (Some(x), Some(lo), Some(hi)) => match (x.num, lo.num, hi.num) {
                    (Some(x), Some(lo), Some(hi)) => Some(domain::max(lo, domain::min(x, hi))),
                    _ => None,
                },
                _ => None,
            },
            // The mean of the values present lies between the least and the
            // greatest of them.
            Function::Average | Function::TrimmedAverage => fold(domain::hull),
            Function::FirstOf => {
                let mut hull: Option<Interval> = None;
                let mut all_missing = true;
                for v in &values {
                    if let Some(r) = v.num {
                        hull = Some(hull.map_or(r, |h| domain::hull(h, r)));
                    }
                    if !v.missing {
                        all_missing = false;
                        break;
                    }
                }
                return Abs {
                    missing: all_missing,
                    ..hull.map(Abs::num).unwrap_or(Abs::NOTHING)
                };
            }
        };
        let missing = match function {
            Function::Average | Function::TrimmedAverage => values.iter().all(|v| v.missing),
            _ => missing,
        };
        Abs {
            missing,
            ..num.map(Abs::num).unwrap_or(Abs::NOTHING)
        }
    }
}

/// The weighted mean of the indicators' points, over every way the
/// indicators that can be left out (for a missing value) are left out.
fn weighted_mean(indicators: &[(Decimal, Abs)]) -> Option<Interval> {
    let optional: Vec<usize> = (0..indicators.len())
        .filter(|&i| indicators[i].1.missing)
        .collect();
    // Too many to try every combination: the mean lies between the least
    // and the greatest points of any indicator.
    if optional.len() > 12 {
        return indicators
            .iter()
            .filter_map(|(_, a)| a.num)
            .reduce(domain::hull);
    }
    let mut out: Option<Interval> = None;
    for mask in 0u32..(1 << optional.len()) {
        let left_out = |i: usize| {
            optional
                .iter()
                .position(|&o| o == i)
                .is_some_and(|k| mask & (1 << k) != 0)
        };
        let mut sum = point(Decimal::ZERO);
        let mut weight = Decimal::ZERO;
        let mut any = false;
        for (i, (w, abs)) in indicators.iter().enumerate() {
            if left_out(i) {
                continue;
            }
            let Some(r) = abs.num else {
                // Always missing: always left out, so this case is no case.
                any = false;
                weight = Decimal::ZERO;
                break;
            };
            sum = domain::add(sum, domain::mul(point(*w), r));
            weight += *w;
            any = true;
        }
        if !any || weight.is_zero() {
            continue;
        }
        let mean = if weight == Decimal::ONE {
            sum
        } else {
            domain::div(sum, point(weight))
        };
        out = Some(out.map_or(mean, |o| domain::hull(o, mean)));
    }
    out
}

/// The values a piecewise-linear table takes over a range of its subject.
fn linear_range(points: &[(Decimal, Decimal)], s: Interval) -> Interval {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return s;
    };
    let value_at = |x: Decimal| -> Decimal {
        if x <= first.0 {
            return first.1;
        }
        if x >= last.0 {
            return last.1;
        }
        for w in points.windows(2) {
            let (a, b) = (w[0], w[1]);
            if x >= a.0 && x <= b.0 {
                if b.0 == a.0 {
                    return b.1;
                }
                let t = (x - a.0).checked_div(b.0 - a.0).unwrap_or_default();
                return a.1 + (b.1 - a.1) * t;
            }
        }
        last.1
    };
    let mut xs: Vec<Decimal> = points
        .iter()
        .map(|p| p.0)
        .filter(|x| s.contains(*x))
        .collect();
    // An end of the range: a value taken when the end is.
    let mut ends = Vec::new();
    match s.lo {
        Some(e) => ends.push((e.value, e.closed)),
        None => xs.push(first.0 - Decimal::ONE),
    }
    match s.hi {
        Some(e) => ends.push((e.value, e.closed)),
        None => xs.push(last.0 + Decimal::ONE),
    }
    let mut out: Option<Interval> = None;
    for (x, closed) in xs.into_iter().map(|x| (x, true)).chain(ends) {
        let v = value_at(x);
        let r = Interval {
            lo: Some(End { value: v, closed }),
            hi: Some(End { value: v, closed }),
        };
        out = Some(match out {
            Some(o) => domain::hull(o, r),
            None => r,
        });
    }
    out.unwrap_or(s)
}

/// `r` without the values of `band` (one half-line or point): up to two pieces.
fn minus(r: Interval, band: Interval) -> Vec<Interval> {
    let mut out = Vec::new();
    if let Some(lo) = band.lo {
        out.push(r.intersect(&Interval {
            lo: None,
            hi: Some(End {
                value: lo.value,
                closed: !lo.closed,
            }),
        }));
    }
    if let Some(hi) = band.hi {
        out.push(r.intersect(&Interval {
            lo: Some(End {
                value: hi.value,
                closed: !hi.closed,
            }),
            hi: None,
        }));
    }
    out
}

/// Whether `d op 0` can hold, and whether it can fail, for `d` in a range.
fn compare(op: CmpOp, d: Interval) -> (bool, bool) {
    let holds = |op: CmpOp| match Interval::of_comparison(op, Decimal::ZERO) {
        Some(side) => !d.intersect(&side).is_empty(),
        None => !(d == point(Decimal::ZERO)),
    };
    (holds(op), holds(negate(op)))
}

fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Ge => CmpOp::Lt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
    }
}

/// `a op b` read from the other side: `b flip(op) a`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Lt => CmpOp::Gt,
        other => other,
    }
}

fn within(range: Interval, op: CmpOp, n: Decimal) -> Interval {
    match Interval::of_comparison(op, n) {
        Some(side) => range.intersect(&side),
        None => range,
    }
}

/// Whether two formulas are the same formula (names, numbers and arithmetic).
pub fn same(a: &Expr, b: &Expr) -> bool {
    match (&a.kind, &b.kind) {
        (ExprKind::Number(x), ExprKind::Number(y)) => x == y,
        (ExprKind::Ref(x), ExprKind::Ref(y)) => x == y,
        (ExprKind::Measure(x), ExprKind::Measure(y)) => x == y,
        (ExprKind::Neg(x), ExprKind::Neg(y)) => same(x, y),
        (ExprKind::FullMarks(x), ExprKind::FullMarks(y)) => same(x, y),
        (ExprKind::Arith(o, x1, x2), ExprKind::Arith(p, y1, y2)) => {
            o == p && same(x1, y1) && same(x2, y2)
        }
        _ => false,
    }
}

/// The one number an abstract value can be.
pub fn exact(a: Abs) -> Option<Decimal> {
    let r = a.num?;
    match (r.lo, r.hi) {
        (Some(lo), Some(hi)) if lo.value == hi.value => Some(lo.value),
        _ => None,
    }
}

pub fn point(n: Decimal) -> Interval {
    Interval::closed(n, n)
}

fn at_least(n: Decimal) -> Interval {
    Interval::of_comparison(CmpOp::Ge, n).unwrap_or(Interval::ALL)
}

fn clamp(r: Interval, lo: Decimal, hi: Decimal) -> Interval {
    domain::max(point(lo), domain::min(r, point(hi)))
}
