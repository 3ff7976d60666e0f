//! Monotonicity: a better result never lowers anyone's points.
//!
//! Two kinds of proof. Tables on their own: a steps or linear table whose
//! points dip as its subject rises, a grade coefficient table that pays a
//! better grade less. And inputs declared `higher is better` or `lower is
//! better`: the direction of every formula in each such input is derived
//! (sums, products by numbers of known sign, tables of known trend, `if`s
//! whose jump goes the right way), and where it is not the right one the
//! compiled program is run on records that differ in that input alone to
//! find two that show it. A finding always comes with such a pair.

use rust_decimal::Decimal;

use super::Bounds;
use super::bounds::exact;
use crate::engine::eval::{NoTrace, Record};
use crate::engine::program::{PlanProgram, Slot, Value};
use crate::language::ast::{AdjustmentKind, Better, CmpOp, InputType};
use crate::language::checked::{
    ArithOp, CheckedPolicy, Expr, ExprKind, Function, Node, VetoEffect,
};
use crate::language::diagnostic::{Code, Diagnostic};

/// How a value moves as one input rises, everything else fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Does not depend on it.
    Const,
    /// Never falls.
    Up,
    /// Never rises.
    Down,
    /// Not proved either way.
    Any,
}

impl Dir {
    fn flip(self) -> Dir {
        match self {
            Dir::Up => Dir::Down,
            Dir::Down => Dir::Up,
            d => d,
        }
    }

    /// The direction of a sum of two values moving so.
    fn join(self, other: Dir) -> Dir {
        match (self, other) {
            (Dir::Const, d) | (d, Dir::Const) => d,
            (a, b) if a == b => a,
            _ => Dir::Any,
        }
    }

    /// `f(g(x))` where `self` is g's direction and `outer` is f's.
    fn then(self, outer: Dir) -> Dir {
        match (self, outer) {
            (Dir::Const, _) | (_, Dir::Const) => Dir::Const,
            (Dir::Any, _) | (_, Dir::Any) => Dir::Any,
            (a, Dir::Up) => a,
            (a, _) => a.flip(),
        }
    }
}

/// The direction the points should follow in an input better so.
fn wanted(better: Better) -> Dir {
    match better {
        Better::Higher => Dir::Up,
        Better::Lower => Dir::Down,
    }
}

/// The direction of a sequence of values listed along a rising subject.
fn trend(values: &[Decimal]) -> Dir {
    let up = values.windows(2).all(|w| w[0] <= w[1]);
    let down = values.windows(2).all(|w| w[0] >= w[1]);
    match (up, down) {
        (true, true) => Dir::Const,
        (true, false) => Dir::Up,
        (false, true) => Dir::Down,
        _ => Dir::Any,
    }
}

/// What the monotonicity proofs give for one plan.
pub struct Monotonicity {
    /// Tables that dip, and points that fall as an input improves.
    pub findings: Vec<Diagnostic>,
    /// For each input with a declared direction that the score reads:
    /// whether the score is proved never to fall as it improves.
    pub proofs: Vec<(String, Better, bool)>,
}

/// The monotonicity findings and proofs of one plan: tables on their own,
/// then each input with a direction (declared, or implied by the tables),
/// with two records from the compiled program for every finding.
pub fn check<'a>(plan: &'a PlanProgram, bounds: &mut Bounds<'a>) -> Monotonicity {
    let policy = plan.policy();
    let mut findings = Vec::new();
    let mut proofs = Vec::new();
    tables(policy, bounds, &mut findings);
    let readers = Readers::of(policy);
    let implied = implied_directions(policy, bounds, &readers);
    for (x, input) in policy.inputs.iter().enumerate() {
        // Declared, or implied by the one way the indicators' tables read it.
        let (better, implied_by) = match (input.better, implied.get(x).copied().flatten()) {
            (Some(b), _) => (b, None),
            (None, Some((b, i))) => (b, Some(i)),
            (None, None) => continue,
        };
        let want = wanted(better);
        let mut dirs = Directions::new(bounds, &readers, x);
        let mut flagged = false;
        let mut targets: Vec<(Node, Dir)> = Vec::new();
        for i in dirs.indicators.clone() {
            let Some(ind) = policy.indicators.get(i) else {
                continue;
            };
            let mut d = dirs.expr(&ind.points);
            for v in &ind.zeroed_by {
                if let Some(veto) = policy.vetoes.get(*v) {
                    d = d.join(dirs.expr(&veto.condition).flip());
                }
            }
            targets.push((Node::Indicator(i), d));
        }
        for i in dirs.adjustments.clone() {
            let Some(adj) = policy.adjustments.get(i) else {
                continue;
            };
            let d = dirs.expr(&adj.points);
            let d = match adj.kind {
                AdjustmentKind::Bonus => d,
                // A deduction counts against the score.
                AdjustmentKind::Deduction => d.flip(),
            };
            targets.push((Node::Adjustment(i), d));
        }
        for (node, d) in targets {
            if d == Dir::Const || d == want {
                continue;
            }
            if let Some(w) = witness(plan, x, better, node) {
                findings.push(not_monotone(policy, x, node, &w, better, implied_by));
                flagged = true;
            }
        }
        if !policy.has_score() {
            continue;
        }
        let score = score_dir(policy, &mut dirs);
        // An input the score does not read has nothing to prove.
        if implied_by.is_none() && score != Dir::Const {
            proofs.push((input.name.clone(), better, score == want));
        }
        // The score, when no single item explains it.
        if !flagged
            && score != Dir::Const
            && score != want
            && let Some(w) = witness(plan, x, better, Node::Score)
        {
            findings.push(not_monotone(policy, x, Node::Score, &w, better, implied_by));
        }
    }
    Monotonicity { findings, proofs }
}

/// For each input the policy does not declare better one way: the way the
/// indicators' scoring tables read it, when they all agree (a steps or
/// linear table of a measure that rises with the input, and whose points
/// rise, makes a higher value better), with the first such indicator.
fn implied_directions<'a>(
    policy: &'a CheckedPolicy,
    bounds: &mut Bounds<'a>,
    readers: &Readers,
) -> Vec<Option<(Better, usize)>> {
    let mut out = Vec::with_capacity(policy.inputs.len());
    for (x, input) in policy.inputs.iter().enumerate() {
        if input.better.is_some() || input.ty == InputType::YesNo {
            out.push(None);
            continue;
        }
        let mut dirs = Directions::new(bounds, readers, x);
        let mut found: Option<(Dir, usize)> = None;
        let mut agree = true;
        for i in dirs.indicators.clone() {
            let Some(ind) = policy.indicators.get(i) else {
                continue;
            };
            let (ExprKind::Linear { subject, .. } | ExprKind::Steps { subject, .. }) =
                &ind.points.kind
            else {
                continue;
            };
            // A table that falls on purpose says nothing of which way is better.
            if in_any_order(policy, &ind.points) {
                continue;
            }
            if dirs.expr(subject) == Dir::Const {
                continue;
            }
            let d = dirs.expr(&ind.points);
            if !matches!(d, Dir::Up | Dir::Down) {
                continue;
            }
            match found {
                None => found = Some((d, i)),
                Some((f, _)) if f != d => agree = false,
                _ => {}
            }
        }
        out.push(match (found, agree) {
            (Some((Dir::Up, i)), true) => Some((Better::Higher, i)),
            (Some((Dir::Down, i)), true) => Some((Better::Lower, i)),
            _ => None,
        });
    }
    out
}

fn score_dir<'a>(policy: &'a CheckedPolicy, dirs: &mut Directions<'_, 'a>) -> Dir {
    let mut d = Dir::Const;
    for i in dirs.indicators.clone() {
        if let Some(ind) = policy.indicators.get(i) {
            d = d.join(dirs.expr(&ind.points));
        }
    }
    for i in dirs.adjustments.clone() {
        let Some(adj) = policy.adjustments.get(i) else {
            continue;
        };
        let a = dirs.expr(&adj.points);
        d = d.join(match adj.kind {
            AdjustmentKind::Bonus => a,
            AdjustmentKind::Deduction => a.flip(),
        });
    }
    d
}

/// Which items read each input, directly or through values: so that the
/// proofs for one input look only at what reads it (linear in the policy,
/// not inputs × size).
struct Readers {
    values: Vec<Vec<usize>>,
    /// Each value's place in the policy's dependency order.
    value_order: Vec<usize>,
    indicators: Vec<Vec<usize>>,
    adjustments: Vec<Vec<usize>>,
}

impl Readers {
    fn of(policy: &CheckedPolicy) -> Readers {
        let n = policy.inputs.len();
        // Each value's inputs, in dependency order, from its references.
        let mut value_inputs: Vec<Vec<usize>> = vec![Vec::new(); policy.values.len()];
        let inputs_of = |e: &Expr, value_inputs: &[Vec<usize>]| {
            let mut out = Vec::new();
            e.for_each_ref(&mut |node| match node {
                Node::Input(i) => out.push(i),
                Node::Value(v) => out.extend(value_inputs.get(v).into_iter().flatten()),
                _ => {}
            });
            out.sort_unstable();
            out.dedup();
            out
        };
        for &node in &policy.order {
            if let Node::Value(v) = node
                && let Some(value) = policy.values.get(v)
            {
                let inputs = inputs_of(&value.expr, &value_inputs);
                if let Some(slot) = value_inputs.get_mut(v) {
                    *slot = inputs;
                }
            }
        }
        let mut value_order = vec![0; policy.values.len()];
        for (place, &node) in policy.order.iter().enumerate() {
            if let Node::Value(v) = node
                && let Some(slot) = value_order.get_mut(v)
            {
                *slot = place;
            }
        }
        let mut readers = Readers {
            values: vec![Vec::new(); n],
            value_order,
            indicators: vec![Vec::new(); n],
            adjustments: vec![Vec::new(); n],
        };
        for (v, inputs) in value_inputs.iter().enumerate() {
            for &x in inputs {
                if let Some(r) = readers.values.get_mut(x) {
                    r.push(v);
                }
            }
        }
        for (i, ind) in policy.indicators.iter().enumerate() {
            let mut inputs = inputs_of(&ind.points, &value_inputs);
            if let Some(m) = &ind.measure {
                inputs.extend(inputs_of(m, &value_inputs));
            }
            for veto in ind.zeroed_by.iter().filter_map(|v| policy.vetoes.get(*v)) {
                inputs.extend(inputs_of(&veto.condition, &value_inputs));
            }
            inputs.sort_unstable();
            inputs.dedup();
            for x in inputs {
                if let Some(r) = readers.indicators.get_mut(x) {
                    r.push(i);
                }
            }
        }
        for (i, adj) in policy.adjustments.iter().enumerate() {
            for x in inputs_of(&adj.points, &value_inputs) {
                if let Some(r) = readers.adjustments.get_mut(x) {
                    r.push(i);
                }
            }
        }
        readers
    }
}

/// Directions of formulas in input `x`.
struct Directions<'b, 'a> {
    bounds: &'b mut Bounds<'a>,
    x: usize,
    /// Each value's and pay item's direction, computed once in dependency
    /// order: a formula reading a `let` looks its direction up.
    known: std::collections::HashMap<Node, Dir>,
    /// The values, indicators and bonus/deduction items that read `x`:
    /// everything else is constant in it.
    reading_values: std::collections::HashSet<usize>,
    indicators: Vec<usize>,
    adjustments: Vec<usize>,
}

impl<'b, 'a> Directions<'b, 'a> {
    fn new(bounds: &'b mut Bounds<'a>, readers: &Readers, x: usize) -> Directions<'b, 'a> {
        // Only the values that read `x`, in dependency order: the work for
        // one input is the size of what reads it, not of the policy.
        let mut reading: Vec<usize> = readers.values.get(x).cloned().unwrap_or_default();
        reading.sort_unstable_by_key(|&v| readers.value_order.get(v).copied());
        let mut d = Directions {
            bounds,
            x,
            known: std::collections::HashMap::new(),
            reading_values: reading.iter().copied().collect(),
            indicators: readers.indicators.get(x).cloned().unwrap_or_default(),
            adjustments: readers.adjustments.get(x).cloned().unwrap_or_default(),
        };
        for v in reading {
            let node = Node::Value(v);
            let dir = d.node(node);
            d.known.insert(node, dir);
        }
        d
    }

    fn sign(&mut self, e: &'a Expr) -> Option<i8> {
        let r = self.bounds.expr(e).num?;
        if r.lo.is_some_and(|l| l.value >= Decimal::ZERO) {
            Some(1)
        } else if r.hi.is_some_and(|h| h.value <= Decimal::ZERO) {
            Some(-1)
        } else {
            None
        }
    }

    fn node(&mut self, node: Node) -> Dir {
        if let Some(d) = self.known.get(&node) {
            return *d;
        }
        let policy = self.bounds.policy();
        match node {
            Node::Input(i) if i == self.x => Dir::Up,
            Node::Input(_) => Dir::Const,
            Node::Value(v) if !self.reading_values.contains(&v) => Dir::Const,
            Node::Value(v) => match policy.values.get(v) {
                Some(v) => self.expr(&v.expr),
                None => Dir::Any,
            },
            Node::Indicator(i) => match policy.indicators.get(i) {
                Some(ind) => self.expr(&ind.points),
                None => Dir::Any,
            },
            Node::Adjustment(i) => match policy.adjustments.get(i) {
                Some(a) => match a.kind {
                    AdjustmentKind::Bonus => self.expr(&a.points),
                    AdjustmentKind::Deduction => self.expr(&a.points).flip(),
                },
                None => Dir::Any,
            },
            Node::Score => score_dir(policy, self),
            Node::Grade => {
                // A better score, a better grade; a veto forces a worse one.
                let mut d = score_dir(policy, self);
                for veto in &policy.vetoes {
                    if let VetoEffect::Grade(_) = veto.effect {
                        d = d.join(self.expr(&veto.condition).flip());
                    }
                }
                d
            }
            Node::Pay(p) => match policy.pay.get(p) {
                Some(p) => self.expr(&p.expr),
                None => Dir::Any,
            },
        }
    }

    fn expr(&mut self, e: &'a Expr) -> Dir {
        match &e.kind {
            ExprKind::Number(_) | ExprKind::Bool(_) | ExprKind::GradeConst(_) => Dir::Const,
            ExprKind::Ref(node) => self.node(*node),
            ExprKind::Measure(i) => {
                let policy = self.bounds.policy();
                match policy
                    .indicators
                    .get(*i)
                    .and_then(|ind| ind.measure.as_ref())
                {
                    Some(m) => self.expr(m),
                    None => Dir::Any,
                }
            }
            ExprKind::Neg(a) | ExprKind::Not(a) => self.expr(a).flip(),
            ExprKind::FullMarks(a) => self.expr(a),
            ExprKind::Arith(op, a, b) => {
                let (da, db) = (self.expr(a), self.expr(b));
                match op {
                    ArithOp::Add => da.join(db),
                    ArithOp::Sub => da.join(db.flip()),
                    ArithOp::Mul => self.product(a, da, b, db),
                    ArithOp::Div => self.quotient(a, da, b, db),
                }
            }
            ExprKind::Cmp(op, a, b) => {
                let d = self.expr(a).join(self.expr(b).flip());
                match op {
                    CmpOp::Ge | CmpOp::Gt => d,
                    CmpOp::Le | CmpOp::Lt => d.flip(),
                    CmpOp::Eq | CmpOp::Ne if d == Dir::Const => Dir::Const,
                    _ => Dir::Any,
                }
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => self.expr(a).join(self.expr(b)),
            ExprKind::If(c, t, f) => self.branch(c, t, f),
            ExprKind::Call(function, args) => {
                let mut d = Dir::Const;
                for a in args {
                    d = d.join(self.expr(a));
                }
                match function {
                    Function::Abs => match args.first().map(|a| self.sign(a)) {
                        Some(Some(1)) => d,
                        Some(Some(_)) => d.flip(),
                        _ if d == Dir::Const => Dir::Const,
                        _ => Dir::Any,
                    },
                    _ => d,
                }
            }
            ExprKind::Linear { subject, points } => {
                let ds = self.expr(subject);
                let mut values = Vec::new();
                for (at, value) in points {
                    if self.expr(at) != Dir::Const || self.expr(value) != Dir::Const {
                        return Dir::Any;
                    }
                    match exact(self.bounds.expr(value)) {
                        Some(v) => values.push(v),
                        None => return Dir::Any,
                    }
                }
                ds.then(trend(&values))
            }
            ExprKind::Steps { subject, .. } => {
                let ds = self.expr(subject);
                if ds == Dir::Const {
                    return Dir::Const;
                }
                match steps_function(self.bounds, e) {
                    Some(f) => ds.then(trend(&f.iter().map(|p| p.1).collect::<Vec<_>>())),
                    None => Dir::Any,
                }
            }
            ExprKind::ByGrade(values) => {
                let dg = self.node(Node::Grade);
                if dg == Dir::Const {
                    return Dir::Const;
                }
                match grade_values(self.bounds, values) {
                    Some(by_quality) => dg.then(trend(&by_quality)),
                    None => Dir::Any,
                }
            }
        }
    }

    fn product(&mut self, a: &'a Expr, da: Dir, b: &'a Expr, db: Dir) -> Dir {
        match (da, db) {
            (Dir::Const, Dir::Const) => Dir::Const,
            (d, Dir::Const) => match self.sign(b) {
                Some(s) if s >= 0 => d,
                Some(_) => d.flip(),
                None => Dir::Any,
            },
            (Dir::Const, d) => match self.sign(a) {
                Some(s) if s >= 0 => d,
                Some(_) => d.flip(),
                None => Dir::Any,
            },
            (x, y) if x == y && self.sign(a) == Some(1) && self.sign(b) == Some(1) => x,
            _ => Dir::Any,
        }
    }

    fn quotient(&mut self, a: &'a Expr, da: Dir, b: &'a Expr, db: Dir) -> Dir {
        let sb = self.sign(b);
        match (da, db) {
            (Dir::Const, Dir::Const) => Dir::Const,
            (d, Dir::Const) => match sb {
                Some(1) => d,
                Some(_) => d.flip(),
                None => Dir::Any,
            },
            // a / b falls as a positive b rises, for a >= 0.
            (Dir::Const, d) => match (self.sign(a), sb) {
                (Some(1), Some(1)) => d.flip(),
                (Some(-1), Some(1)) => d,
                _ => Dir::Any,
            },
            (x, y) if x == y.flip() && self.sign(a) == Some(1) && sb == Some(1) => x,
            _ => Dir::Any,
        }
    }

    /// `if c then t else f`: monotone when both branches are, and the value
    /// jumps the same way where the condition flips.
    fn branch(&mut self, c: &'a Expr, t: &'a Expr, f: &'a Expr) -> Dir {
        let (dc, dt, df) = (self.expr(c), self.expr(t), self.expr(f));
        let both = dt.join(df);
        match dc {
            Dir::Const => both,
            Dir::Any => Dir::Any,
            _ if both == Dir::Any => Dir::Any,
            _ => {
                let then = self.bounds.expr_under(c, true, t).num;
                let otherwise = self.bounds.expr_under(c, false, f).num;
                let (Some(then), Some(otherwise)) = (then, otherwise) else {
                    return both;
                };
                // As the input rises the condition goes from false to true
                // (Up) or from true to false (Down).
                let (before, after) = if dc == Dir::Up {
                    (otherwise, then)
                } else {
                    (then, otherwise)
                };
                let rises = below_or_equal(before, after);
                let falls = below_or_equal(after, before);
                match both {
                    Dir::Up if rises => Dir::Up,
                    Dir::Down if falls => Dir::Down,
                    Dir::Const if rises => Dir::Up,
                    Dir::Const if falls => Dir::Down,
                    _ => Dir::Any,
                }
            }
        }
    }
}

/// Whether every value of `a` is at most every value of `b`.
fn below_or_equal(
    a: crate::language::checked::Interval,
    b: crate::language::checked::Interval,
) -> bool {
    match (a.hi, b.lo) {
        (Some(hi), Some(lo)) => hi.value <= lo.value,
        _ => false,
    }
}

/// A steps table with constant thresholds and values as the function it
/// is: probe points along the subject, rising, each with its value.
fn steps_function<'a>(bounds: &mut Bounds<'a>, e: &'a Expr) -> Option<Vec<(Decimal, Decimal)>> {
    let ExprKind::Steps {
        bands, otherwise, ..
    } = &e.kind
    else {
        return None;
    };
    let mut table = Vec::new();
    for (op, threshold, value) in bands {
        let t = exact(bounds.expr(threshold))?;
        let v = exact(bounds.expr(value))?;
        table.push((*op, t, v));
    }
    let otherwise = match otherwise {
        Some(o) => Some(exact(bounds.expr(o))?),
        None => None,
    };
    let mut thresholds: Vec<Decimal> = table.iter().map(|b| b.1).collect();
    thresholds.sort();
    thresholds.dedup();
    let (first, last) = (*thresholds.first()?, *thresholds.last()?);
    let mut probes = vec![first - Decimal::ONE];
    for w in thresholds.windows(2) {
        probes.push(w[0]);
        probes.push((w[0] + w[1]) / Decimal::TWO);
    }
    probes.push(last);
    probes.push(last + Decimal::ONE);
    let value_at = |x: Decimal| {
        table
            .iter()
            .find(|(op, t, _)| compare(*op, x, *t))
            .map(|b| b.2)
            .or(otherwise)
    };
    Some(
        probes
            .into_iter()
            .filter_map(|x| value_at(x).map(|v| (x, v)))
            .collect(),
    )
}

fn compare(op: CmpOp, a: Decimal, b: Decimal) -> bool {
    match op {
        CmpOp::Ge => a >= b,
        CmpOp::Gt => a > b,
        CmpOp::Le => a <= b,
        CmpOp::Lt => a < b,
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
    }
}

/// The grades from worst to best, by index: ordered by the highest score
/// each takes.
pub(super) fn grades_worst_first(policy: &CheckedPolicy) -> Vec<usize> {
    let top = |g: &crate::language::checked::Grade| {
        g.scores
            .iter()
            .map(|b| match (b.hi, b.lo) {
                (Some(h), _) => h.value,
                (None, _) => Decimal::MAX,
            })
            .max()
            .unwrap_or(Decimal::MIN)
    };
    let mut order: Vec<usize> = (0..policy.grades.len()).collect();
    order.sort_by_key(|&g| top(&policy.grades[g]));
    order
}

/// A by-grade table's values from the worst grade to the best.
fn grade_values<'a>(bounds: &mut Bounds<'a>, values: &'a [Expr]) -> Option<Vec<Decimal>> {
    let order = grades_worst_first(bounds.policy());
    order
        .into_iter()
        .map(|g| values.get(g).and_then(|v| exact(bounds.expr(v))))
        .collect()
}

// ---------------------------------------------------------------- tables

/// Tables that dip: a better subject, fewer points (or a lower rate); a
/// better grade, a lower coefficient.
fn tables<'a>(policy: &'a CheckedPolicy, bounds: &mut Bounds<'a>, findings: &mut Vec<Diagnostic>) {
    let values = policy.values.iter().map(|v| &v.expr);
    let pay = policy.pay.iter().map(|p| &p.expr);
    let exprs: Vec<&Expr> = values.chain(policy.scoring_formulas()).chain(pay).collect();
    for e in exprs {
        e.walk(&mut |e| table(policy, bounds, e, findings));
    }
}

/// Whether a table is written `in any order`: it may fall on purpose. The
/// words stand between the table's keyword (and subject) and its `{`.
fn in_any_order(policy: &CheckedPolicy, e: &Expr) -> bool {
    let text = policy.source.slice(e.span);
    let head = text.split('{').next().unwrap_or("");
    head.split_whitespace()
        .collect::<Vec<_>>()
        .windows(3)
        .any(|w| w == ["in", "any", "order"])
}

fn table<'a>(
    policy: &'a CheckedPolicy,
    bounds: &mut Bounds<'a>,
    e: &'a Expr,
    findings: &mut Vec<Diagnostic>,
) {
    if in_any_order(policy, e) {
        return;
    }
    let subject_text = |s: &Expr| policy.source.slice(s.span).trim().to_string();
    match &e.kind {
        ExprKind::Linear { subject, points } => {
            let mut pts = Vec::new();
            for (at, value) in points {
                match (exact(bounds.expr(at)), exact(bounds.expr(value))) {
                    (Some(a), Some(v)) => pts.push((a, v)),
                    _ => return,
                }
            }
            if let Some(d) = dip(&pts) {
                findings.push(dip_finding(e, &subject_text(subject), subject, d));
            }
        }
        ExprKind::Steps { subject, .. } => {
            if let Some(f) = steps_function(bounds, e)
                && let Some(d) = dip(&f)
            {
                findings.push(dip_finding(e, &subject_text(subject), subject, d));
            }
        }
        ExprKind::ByGrade(values) => {
            let order = grades_worst_first(policy);
            let Some(by_quality) = grade_values(bounds, values) else {
                return;
            };
            // Worst to best: each grade's value at least the one below.
            for k in 1..by_quality.len() {
                if by_quality[k] < by_quality[k - 1] {
                    let (better, worse) = (order[k], order[k - 1]);
                    let name = |g: usize| {
                        policy
                            .grades
                            .get(g)
                            .map(|g| g.name.clone())
                            .unwrap_or_default()
                    };
                    findings.push(
                        Diagnostic::warning(
                            Code::FallingTable,
                            format!(
                                "grade {} gets {} but the better grade {} only {}",
                                name(worse),
                                by_quality[k - 1].normalize(),
                                name(better),
                                by_quality[k].normalize()
                            ),
                        )
                        .label(
                            values.get(better).map_or(e.span, |v| v.span),
                            "less than a worse grade gets",
                        )
                        .label(values.get(worse).map_or(e.span, |v| v.span), "the worse grade's")
                        .help("a better grade should never be paid less: check the order of the values; if it is meant, write `by grade in any order { … }`"),
                    );
                    return;
                }
            }
        }
        _ => {}
    }
}

/// Where a table listed along a rising subject goes against its overall
/// trend: two subject values and their results.
fn dip(points: &[(Decimal, Decimal)]) -> Option<((Decimal, Decimal), (Decimal, Decimal))> {
    let (first, last) = (points.first()?, points.last()?);
    // The trend: from end to end, or for level ends (a table that rises
    // then falls, or the reverse) its first move.
    let trend = match last.1.cmp(&first.1) {
        std::cmp::Ordering::Equal => points
            .windows(2)
            .map(|w| w[1].1.cmp(&w[0].1))
            .find(|o| o.is_ne())?,
        o => o,
    };
    points
        .windows(2)
        .find(|w| w[1].1.cmp(&w[0].1) == trend.reverse())
        .map(|w| (w[0], w[1]))
}

fn dip_finding(
    table: &Expr,
    subject: &str,
    subject_expr: &Expr,
    ((x1, v1), (x2, v2)): ((Decimal, Decimal), (Decimal, Decimal)),
) -> Diagnostic {
    let show = |x: Decimal| {
        if subject_expr.ty == crate::language::types::Ty::Ratio {
            crate::language::format::percent(x)
        } else {
            crate::language::format::number(x)
        }
    };
    Diagnostic::warning(
        Code::NotMonotone,
        format!(
            "the table goes against its own trend: {subject} = {} gives {}, {subject} = {} gives {}",
            show(x1),
            v1.normalize(),
            show(x2),
            v2.normalize()
        ),
    )
    .label(table.span, "not monotone")
    .help(if matches!(table.kind, ExprKind::Linear { .. }) {
        "a scoring curve should never step back: check its points' values"
    } else {
        "a table read as `higher (or lower) is better` should never step back: check the order of its rows and their values; if it is meant, write `steps in any order { … }`"
    })
}

// ---------------------------------------------------------------- witnesses

/// Two records that differ in input `x` alone, the second better, where
/// `node` comes out worse for the second.
pub struct Witness {
    pub worse_input: Decimal,
    pub better_input: Decimal,
    pub worse_result: Decimal,
    pub better_result: Decimal,
    /// The other inputs, as `name = value`, from the example used.
    pub given: Option<String>,
}

fn witness(plan: &PlanProgram, x: usize, better: Better, node: Node) -> Option<Witness> {
    let policy = plan.policy();
    let input = policy.inputs.get(x)?;
    let mut baselines: Vec<(Option<String>, Vec<Value>)> = policy
        .examples
        .iter()
        .map(|ex| {
            (
                Some(ex.name.clone()),
                crate::tools::testing::example_inputs(policy, ex),
            )
        })
        .collect();
    baselines.push((None, synthetic(policy)));
    for (name, base) in baselines {
        let mut candidates = candidates(input.ty, base.get(x).copied());
        candidates.retain(|c| match c {
            Value::Num(n) => input.range.contains(*n),
            _ => true,
        });
        let mut results: Vec<(Value, Decimal)> = Vec::new();
        for c in candidates {
            let mut inputs = base.clone();
            if let Some(slot) = inputs.get_mut(x) {
                *slot = c;
            }
            let record = Record {
                id: String::new(),
                name: None,
                group: None,
                plan: policy.plan.as_ref().map_or(0, |p| p.index),
                inputs,
                final_adjustment: None,
                year: None,
            };
            let Ok(frame) = plan.run(&record, None, &mut NoTrace) else {
                continue;
            };
            if let Some(Slot::Num(v)) = frame.slots.get(plan.layout.slot(node)) {
                results.push((c, Decimal::from(*v)));
            }
        }
        // Rising input: each step to the better value must not lower it.
        let worse_then_better = |a: &(Value, Decimal), b: &(Value, Decimal)| match better {
            Better::Higher => (*a, *b),
            Better::Lower => (*b, *a),
        };
        for w in results.windows(2) {
            let (worse, better_) = worse_then_better(&w[0], &w[1]);
            // A deduction must not grow as the input improves.
            let lower = match node {
                Node::Adjustment(i)
                    if policy
                        .adjustments
                        .get(i)
                        .is_some_and(|a| a.kind == AdjustmentKind::Deduction) =>
                {
                    better_.1 > worse.1
                }
                _ => better_.1 < worse.1,
            };
            if lower {
                let num = |v: Value| match v {
                    Value::Num(n) => n,
                    Value::Bool(true) => Decimal::ONE,
                    _ => Decimal::ZERO,
                };
                return Some(Witness {
                    worse_input: num(worse.0),
                    better_input: num(better_.0),
                    worse_result: worse.1,
                    better_result: better_.1,
                    given: name,
                });
            }
        }
    }
    None
}

/// Values of an input to try, rising.
fn candidates(ty: InputType, base: Option<Value>) -> Vec<Value> {
    let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
    let mut out: Vec<Decimal> = Vec::new();
    match ty {
        InputType::YesNo => return vec![Value::Bool(false), Value::Bool(true)],
        InputType::Percent => {
            for k in 0..=40 {
                out.push(Decimal::new(k * 5, 3)); // 0% … 20% by 0.5%
            }
            for k in 5..=30 {
                out.push(Decimal::new(k * 5, 2)); // 25% … 150% by 5%
            }
        }
        InputType::Score => {
            for k in 0..=100 {
                out.push(Decimal::from(k));
            }
        }
        InputType::Money | InputType::Number => {
            out.extend([d("0"), d("1"), d("2"), d("5"), d("10"), d("100")]);
        }
    }
    if let Some(Value::Num(b)) = base {
        for m in [
            "0.5", "0.75", "0.8", "0.9", "0.95", "0.99", "1", "1.01", "1.05", "1.1", "1.2", "1.25",
            "1.5", "2", "3",
        ] {
            if let Some(v) = b.checked_mul(d(m)) {
                out.push(v);
            }
        }
    }
    out.sort();
    out.dedup();
    out.into_iter().map(Value::Num).collect()
}

/// A record with every input at a plain value within its range, for a
/// plan without examples.
pub(super) fn synthetic(policy: &CheckedPolicy) -> Vec<Value> {
    policy
        .inputs
        .iter()
        .map(|input| {
            let guess = match input.ty {
                InputType::YesNo => return Value::Bool(false),
                InputType::Percent => Decimal::new(5, 2),
                InputType::Score => Decimal::from(75),
                InputType::Money => Decimal::from(100_000),
                InputType::Number => Decimal::from(10),
            };
            let r = input.range;
            let v = if r.contains(guess) {
                guess
            } else {
                match (r.lo, r.hi) {
                    (Some(lo), Some(hi)) => (lo.value + hi.value) / Decimal::TWO,
                    (Some(lo), None) => lo.value + Decimal::ONE,
                    (None, Some(hi)) => hi.value - Decimal::ONE,
                    (None, None) => guess,
                }
            };
            Value::Num(v)
        })
        .collect()
}

fn not_monotone(
    policy: &CheckedPolicy,
    x: usize,
    node: Node,
    w: &Witness,
    better_way: Better,
    implied_by: Option<usize>,
) -> Diagnostic {
    let input = &policy.inputs[x];
    let show = |n: Decimal| crate::language::format::input_value(input.ty, n);
    let (what, span) = match node {
        Node::Indicator(i) => (
            format!("indicator `{}`", policy.indicators[i].name),
            policy.indicators[i].points.span,
        ),
        Node::Adjustment(i) => (
            format!(
                "{} `{}`",
                match policy.adjustments[i].kind {
                    AdjustmentKind::Bonus => "bonus",
                    AdjustmentKind::Deduction => "deduction",
                },
                policy.adjustments[i].name
            ),
            policy.adjustments[i].points.span,
        ),
        _ => ("the score".to_string(), input.name_span),
    };
    let better = better_way.as_str();
    let given = w
        .given
        .as_ref()
        .map(|g| format!(" (the other inputs as in example \"{g}\")"))
        .unwrap_or_default();
    let verb = match node {
        Node::Adjustment(i) if policy.adjustments[i].kind == AdjustmentKind::Deduction => "deducts",
        _ => "gives",
    };
    Diagnostic::warning(
        Code::NotMonotone,
        format!(
            "a better `{}` gives a worse result in {what}: {} = {} {verb} {}, the better {} = {} {verb} {}",
            input.name,
            input.name,
            show(w.worse_input),
            w.worse_result.normalize(),
            input.name,
            show(w.better_input),
            w.better_result.normalize()
        ),
    )
    .label(span, "goes the wrong way")
    .label(
        input.name_span,
        match implied_by.and_then(|i| policy.indicators.get(i)) {
            Some(ind) => format!("{better} is better, as indicator `{}` scores it", ind.name),
            None => format!("declared {better} is better"),
        },
    )
    .help(match implied_by {
        Some(_) => format!(
            "check the formula's sign and the order of its table{given}; the direction comes from how the indicators score `{}`: declaring `higher is better` or `lower is better` on the input sets it",
            input.name
        ),
        None => format!(
            "check the formula's sign and the order of its table{given}; if a {better} `{}` really is not better here, remove `{better} is better`",
            input.name
        ),
    })
}
