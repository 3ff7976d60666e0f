//! The checked policy: what `check` produces and `compile` consumes.
//!
//! Every name is resolved to the definition it means, every expression has a
//! type, every default is filled in, and the evaluation order is known. Spans
//! are kept so that evaluation errors and explanations can point at the rule.

use rust_decimal::Decimal;

pub use crate::language::ast::HeadcountRounding;
use crate::language::ast::{AdjustmentKind, CmpOp, InputType, Period, RoundingMode};
use crate::language::source::{Source, Span};
use crate::language::types::Ty;

#[derive(Debug, Clone)]
pub struct CheckedPolicy {
    pub source: Source,
    pub name: String,
    pub period: Period,
    pub currency: Option<String>,
    pub money_rounding: Rounding,
    pub score_rounding: Rounding,
    /// The data column holding each employee's id.
    pub id_column: String,
    /// The data column holding each employee's name, if the policy names one.
    pub name_column: Option<String>,
    /// The data column choosing each employee's plan, for a policy with plans.
    pub plan_column: Option<String>,
    /// The plan this is, for a policy with plans (each plan is checked and
    /// compiled as a policy of its own).
    pub plan: Option<PlanInfo>,
    /// Every plan of the policy (empty for a policy without plans).
    pub plans: Vec<PlanInfo>,
    /// The final score is clamped to this range.
    pub score_range: (Decimal, Decimal),
    pub inputs: Vec<Input>,
    pub values: Vec<Value>,
    pub indicators: Vec<Indicator>,
    pub adjustments: Vec<Adjustment>,
    pub caps: AdjustmentCaps,
    pub vetoes: Vec<Veto>,
    pub grades: Vec<Grade>,
    pub pay: Vec<PayItem>,
    /// Limits on the grade distribution, and forced ranking.
    pub quotas: Option<Quotas>,
    /// The general manager's final adjustment, read from the data.
    pub override_rule: Option<OverrideRule>,
    /// What the yearly roll-up does for someone missing a quarter; `None`
    /// when the policy does not say (such a person then fails, never
    /// silently counted as zero).
    pub missing_quarters: Option<crate::language::ast::MissingQuarters>,
    /// Every node, each after everything it depends on.
    pub order: Vec<Node>,
    /// Worked examples, for `kpi test`.
    pub examples: Vec<Example>,
}

impl CheckedPolicy {
    /// Whether grades are reassigned by forced ranking.
    pub fn has_forced_ranking(&self) -> bool {
        self.quotas.as_ref().is_some_and(|q| q.ranking.is_some())
    }

    /// The data column whose value groups people for the quotas, if any.
    pub fn quota_group_column(&self) -> Option<&str> {
        self.quotas.as_ref()?.group_column.as_deref()
    }

    /// Whether the policy computes a score (it has indicators).
    pub fn has_score(&self) -> bool {
        !self.indicators.is_empty()
    }

    /// The formulas that give points: each indicator's measure and points,
    /// then each bonus or deduction item's points.
    pub fn scoring_formulas(&self) -> impl Iterator<Item = &Expr> {
        let indicators = self
            .indicators
            .iter()
            .flat_map(|i| i.measure.iter().chain([&i.points]));
        indicators.chain(self.adjustments.iter().map(|a| &a.points))
    }

    /// What a formula reads, directly or through `let` values (whose own
    /// formulas are followed), each node once, in the order first met.
    pub fn reads(&self, expr: &Expr) -> Vec<Node> {
        let mut read = Vec::new();
        let mut seen = vec![false; self.values.len()];
        let mut pending = vec![expr];
        while let Some(e) = pending.pop() {
            e.for_each_ref(&mut |node| {
                if let Node::Value(i) = node
                    && let (Some(false), Some(v)) = (seen.get(i).copied(), self.values.get(i))
                {
                    if let Some(s) = seen.get_mut(i) {
                        *s = true;
                    }
                    pending.push(&v.expr);
                }
                if !read.contains(&node) {
                    read.push(node);
                }
            });
        }
        read
    }

    /// How a pay formula's amount stands to the quarters an employee was
    /// appraised in, for `missing quarters prorate` ([`Extent`]).
    pub fn extent(&self, expr: &Expr) -> Extent {
        let mut known = vec![Known::Unvisited; self.values.len()];
        self.extent_in(expr, &mut known)
    }

    /// `known` holds each `let`'s extent once worked out, so a value read
    /// many times (a chain of lets each reading the one before twice) is
    /// walked once.
    fn extent_in(&self, expr: &Expr, known: &mut Vec<Known>) -> Extent {
        use Extent::{Full, Partial, Zero};
        let mut of = |e: &Expr| self.extent_in(e, known);
        match &expr.kind {
            ExprKind::Number(n) if n.is_zero() => Zero,
            ExprKind::Number(_) | ExprKind::Bool(_) | ExprKind::GradeConst(_) => Full,
            ExprKind::Measure(_) => Full,
            ExprKind::Ref(Node::Input(i)) => match self.inputs.get(*i) {
                Some(input) if input.yearly == crate::language::ast::YearlyRule::Sum => Partial,
                _ => Full,
            },
            // A pay item adds amounts prorated already, or left whole.
            ExprKind::Ref(Node::Pay(_)) => Partial,
            ExprKind::Ref(Node::Value(i)) => {
                let (Some(Known::Unvisited), Some(value)) =
                    (known.get(*i).copied(), self.values.get(*i))
                else {
                    return match known.get(*i) {
                        Some(Known::Extent(e)) => *e,
                        // A value met again on its own path (a cycle,
                        // which the checker reports): nothing to learn.
                        _ => Zero,
                    };
                };
                if let Some(k) = known.get_mut(*i) {
                    *k = Known::InProgress;
                }
                let extent = self.extent_in(&value.expr, known);
                if let Some(k) = known.get_mut(*i) {
                    *k = Known::Extent(extent);
                }
                extent
            }
            // Points, scores and grades are not amounts of the quarters.
            ExprKind::Ref(_) => Full,
            ExprKind::Neg(e) | ExprKind::FullMarks(e) => of(e),
            // Conditions decide which amount; they are not one.
            ExprKind::Not(_) | ExprKind::Cmp(..) | ExprKind::And(..) | ExprKind::Or(..) => Full,
            ExprKind::Arith(op, a, b) => {
                let (a, b) = (of(a), of(b));
                match op {
                    ArithOp::Add | ArithOp::Sub => a.join(b),
                    ArithOp::Mul => a.times(b),
                    ArithOp::Div => a.over(b),
                }
            }
            ExprKind::If(_, then, otherwise) => {
                let then = of(then);
                then.join(of(otherwise))
            }
            ExprKind::Call(_, args) | ExprKind::ByGrade(args) => {
                args.iter().fold(Zero, |all, a| all.join(of(a)))
            }
            ExprKind::Linear { points, .. } => points
                .iter()
                .fold(Zero, |all, (_, value)| all.join(of(value))),
            ExprKind::Steps {
                bands, otherwise, ..
            } => bands
                .iter()
                .map(|(_, _, value)| value)
                .chain(otherwise.as_deref())
                .fold(Zero, |all, value| all.join(of(value))),
        }
    }

    /// Which inputs the policy uses, by input index: an input no formula,
    /// tie-breaker or veto reads is not needed from the data.
    pub fn used_inputs(&self) -> Vec<bool> {
        let mut used = vec![false; self.inputs.len()];
        let mut add = |n: Node| {
            if let Node::Input(i) = n
                && let Some(u) = used.get_mut(i)
            {
                *u = true;
            }
        };
        for v in &self.values {
            v.expr.for_each_ref(&mut add);
        }
        for i in &self.indicators {
            if let Some(m) = &i.measure {
                m.for_each_ref(&mut add);
            }
            i.points.for_each_ref(&mut add);
        }
        for a in &self.adjustments {
            a.points.for_each_ref(&mut add);
        }
        for v in &self.vetoes {
            v.condition.for_each_ref(&mut add);
        }
        for p in &self.pay {
            p.expr.for_each_ref(&mut add);
        }
        if let Some(ranking) = self.quotas.as_ref().and_then(|q| q.ranking.as_ref()) {
            for tie in &ranking.ties {
                add(tie.node);
            }
        }
        used
    }

    /// Name and label of a node, for explanations and error messages.
    pub fn describe(&self, node: Node) -> (String, Option<String>) {
        match node {
            Node::Input(i) => self
                .inputs
                .get(i)
                .map(|x| (x.name.clone(), x.label.clone())),
            Node::Value(i) => self
                .values
                .get(i)
                .map(|x| (x.name.clone(), x.label.clone())),
            Node::Indicator(i) => self
                .indicators
                .get(i)
                .map(|x| (x.name.clone(), x.label.clone())),
            Node::Adjustment(i) => self
                .adjustments
                .get(i)
                .map(|x| (x.name.clone(), x.label.clone())),
            Node::Pay(i) => self.pay.get(i).map(|x| (x.name.clone(), x.label.clone())),
            Node::Score => Some(("score".to_string(), None)),
            Node::Grade => Some(("grade".to_string(), None)),
        }
        .unwrap_or_default()
    }

    /// The span of a node's name in its definition.
    pub fn name_span_of(&self, node: Node) -> Span {
        match node {
            Node::Input(i) => self.inputs.get(i).map(|x| x.name_span),
            Node::Value(i) => self.values.get(i).map(|x| x.name_span),
            Node::Indicator(i) => self.indicators.get(i).map(|x| x.name_span),
            Node::Adjustment(i) => self.adjustments.get(i).map(|x| x.name_span),
            Node::Pay(i) => self.pay.get(i).map(|x| x.name_span),
            Node::Score | Node::Grade => None,
        }
        .unwrap_or_default()
    }

    /// The span of a node's definition.
    pub fn span_of(&self, node: Node) -> Span {
        match node {
            Node::Input(i) => self.inputs.get(i).map(|x| x.span),
            Node::Value(i) => self.values.get(i).map(|x| x.span),
            Node::Indicator(i) => self.indicators.get(i).map(|x| x.span),
            Node::Adjustment(i) => self.adjustments.get(i).map(|x| x.span),
            Node::Pay(i) => self.pay.get(i).map(|x| x.span),
            Node::Score | Node::Grade => None,
        }
        .unwrap_or_default()
    }
}

/// `override grade from 总经理调整 reason 调整原因`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideRule {
    pub target: crate::language::ast::OverrideTarget,
    /// The data column holding the overriding score or grade.
    pub column: String,
    /// The data column holding the reason, required with every override.
    pub reason_column: String,
}

/// One plan of a policy with plans.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanInfo {
    pub index: usize,
    pub name: String,
    pub label: Option<String>,
}

/// Precision and rule of a rounding point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Rounding {
    /// Round to a multiple of this: 0.01 for cents.
    pub quantum: Decimal,
    pub mode: RoundingMode,
}

impl Rounding {
    pub const CENTS: Rounding = Rounding {
        quantum: Decimal::from_parts(1, 0, 0, false, 2),
        mode: RoundingMode::HalfAwayFromZero,
    };
}

/// Something the evaluator computes (or reads), in dependency order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Input(usize),
    Value(usize),
    Indicator(usize),
    Adjustment(usize),
    Score,
    Grade,
    Pay(usize),
}

#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub label: Option<String>,
    /// Other column names the data may use for it.
    pub aliases: Vec<String>,
    /// What an empty cell means.
    pub missing: Missing,
    /// How the year adds up the quarters' values.
    pub yearly: crate::language::ast::YearlyRule,
    pub ty: InputType,
    /// The values the data may hold: what the policy declares, within what
    /// the type allows (0–100 for a score). Data outside it is refused.
    pub range: Interval,
    /// Which way is better, when the policy says.
    pub better: Option<crate::language::ast::Better>,
    /// How a percentage column is written without `%`, when the policy says.
    pub written: Option<crate::language::ast::WrittenAs>,
    pub span: Span,
    /// Where the name is written in its definition.
    pub name_span: Span,
}

/// What an empty cell of an input means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The row fails: the value is needed.
    Error,
    /// The input takes this value.
    Default(InputValue),
    /// The indicators that use the input are left out, and the weights of
    /// the others re-normalised.
    Exclude,
}

/// A derived value (`let`).
#[derive(Debug, Clone)]
pub struct Value {
    pub name: String,
    pub label: Option<String>,
    pub expr: Expr,
    pub span: Span,
    /// Where the name is written in its definition.
    pub name_span: Span,
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub name: String,
    pub label: Option<String>,
    /// As a fraction: 30% is 0.30.
    pub weight: Decimal,
    pub measure: Option<Expr>,
    /// Yields points: already converted from percentages (80% is 80 points).
    pub points: Expr,
    pub cap: Option<Decimal>,
    pub floor: Option<Decimal>,
    /// Re-scored on the year's figures (not averaged) in the yearly roll-up.
    pub financial: bool,
    /// Vetoes that zero this indicator, by index into `vetoes`.
    pub zeroed_by: Vec<usize>,
    pub span: Span,
    /// Where the name is written in its definition.
    pub name_span: Span,
}

#[derive(Debug, Clone)]
pub struct Adjustment {
    pub kind: AdjustmentKind,
    pub name: String,
    pub label: Option<String>,
    pub points: Expr,
    pub cap: Option<Decimal>,
    pub span: Span,
    /// Where the name is written in its definition.
    pub name_span: Span,
}

/// Caps on the sums of bonus and deduction points, and on their net effect.
#[derive(Debug, Clone, Copy, Default)]
pub struct AdjustmentCaps {
    pub bonuses: Option<Decimal>,
    pub deductions: Option<Decimal>,
    pub net: Option<Decimal>,
}

#[derive(Debug, Clone)]
pub struct Veto {
    pub label: Option<String>,
    pub condition: Expr,
    pub effect: VetoEffect,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VetoEffect {
    /// Forces this grade (index into `grades`).
    Grade(usize),
    /// Zeroes this indicator (index into `indicators`).
    ZeroIndicator(usize),
}

/// One end of a score interval; `None` on an [`Interval`] side is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End {
    pub value: Decimal,
    pub closed: bool,
}

/// A set of scores `lo .. hi`, each end open or closed or unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub lo: Option<End>,
    pub hi: Option<End>,
}

#[derive(Debug, Clone)]
pub struct Grade {
    pub name: String,
    pub label: Option<String>,
    /// The scores that earn this grade (usually one interval; `otherwise`
    /// may take several pieces).
    pub scores: Vec<Interval>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct PayItem {
    pub name: String,
    pub label: Option<String>,
    pub expr: Expr,
    pub span: Span,
    /// Where the name is written in its definition.
    pub name_span: Span,
}

/// The `quotas` block: limits on how many people of a group may get (or
/// must get) some grades.
#[derive(Debug, Clone)]
pub struct Quotas {
    /// The column that groups people (`per 部门`); none: all appraised together.
    pub group_column: Option<String>,
    pub limits: Vec<QuotaLimit>,
    pub rounding: HeadcountRounding,
    pub ranking: Option<Ranking>,
    pub span: Span,
}

/// `S + A <= 20%`
#[derive(Debug, Clone)]
pub struct QuotaLimit {
    /// Grade indexes, best first.
    pub grades: Vec<u16>,
    /// `<=` (true) or `>=` (false).
    pub at_most: bool,
    /// The share of the group, as a fraction (0.2 for 20%).
    pub share: Decimal,
    /// As written, for reports: `S + A <= 20%`.
    pub text: String,
    pub span: Span,
}

/// `forced ranking, ties by 民主评议`: grades are reassigned by rank so that
/// every quota holds.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// After the score, in order; the employee id always breaks the last tie.
    pub ties: Vec<TieBreak>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct TieBreak {
    pub node: Node,
    pub name: String,
    pub lower_first: bool,
}

/// A worked example: an employee's inputs and what the policy must give.
#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    pub span: Span,
    pub name_span: Span,
    /// One value per input, in the policy's order; `None` for an input the
    /// example leaves out (one its plan does not use, or an optional one).
    pub inputs: Vec<Option<InputValue>>,
    pub expects: Vec<Expectation>,
}

/// A value an input can take: in an example, or as a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputValue {
    Number(Decimal),
    Bool(bool),
}

/// `expect <target> = <value>`.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub target: Node,
    pub expected: Expected,
    /// The whole `expect` line, and the expected value in it.
    pub span: Span,
    pub value_span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Number(Decimal),
    Grade(usize),
}

// ---------------------------------------------------------------- expressions

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "×",
            ArithOp::Div => "÷",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Min,
    Max,
    Clamp,
    Abs,
    /// The mean of the values present.
    Average,
    /// The mean of the values present, without the highest and the lowest
    /// (民主评议 by several raters), when at least three are present.
    TrimmedAverage,
    /// The first value present: the approver's score, else the supervisor's.
    FirstOf,
}

/// What [`CheckedPolicy::extent`] knows of a `let` so far.
#[derive(Debug, Clone, Copy)]
enum Known {
    Unvisited,
    InProgress,
    Extent(Extent),
}

/// How an amount stands to the quarters an employee was appraised in,
/// which decides whether `missing quarters prorate` scales it: an amount of
/// the whole year's kind (a base pay, a fixed bonus) is `Full` and is
/// scaled; an amount the year adds up over the quarters present (an input
/// whose yearly rule is `sum`, such as collections, times a rate), or made
/// of pay items (prorated already), is `Partial` and is not; a ratio of two
/// such sums is a rate, `Full`. Conditions, table subjects and thresholds
/// choose an amount and are not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// Zero: takes the other's kind.
    Zero,
    Full,
    Partial,
    /// Both kinds added together: no one scaling is right.
    Mixed,
}

impl Extent {
    fn join(self, other: Extent) -> Extent {
        match (self, other) {
            (Extent::Zero, x) | (x, Extent::Zero) => x,
            (a, b) if a == b => a,
            _ => Extent::Mixed,
        }
    }

    fn times(self, other: Extent) -> Extent {
        match (self, other) {
            (Extent::Zero, _) | (_, Extent::Zero) => Extent::Zero,
            (Extent::Full, x) | (x, Extent::Full) => x,
            _ => Extent::Mixed,
        }
    }

    fn over(self, other: Extent) -> Extent {
        match (self, other) {
            (Extent::Zero, _) => Extent::Zero,
            (x, Extent::Full) => x,
            // A sum over a sum: a rate, the same whatever the quarters.
            (Extent::Partial, Extent::Partial) => Extent::Full,
            _ => Extent::Mixed,
        }
    }
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Number(Decimal),
    Bool(bool),
    GradeConst(usize),
    Ref(Node),
    /// The measure of the indicator with this index.
    Measure(usize),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Function, Vec<Expr>),
    /// A percentage given as points: a share of full marks (80% is 80 points).
    FullMarks(Box<Expr>),
    Linear {
        subject: Box<Expr>,
        points: Vec<(Expr, Expr)>,
    },
    Steps {
        subject: Box<Expr>,
        bands: Vec<(CmpOp, Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    /// One value per grade, indexed like `CheckedPolicy::grades`.
    ByGrade(Vec<Expr>),
}

impl Expr {
    /// Calls `f` on this formula and every formula inside it, outside in.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        self.for_each_child(&mut |c| c.walk(f));
    }

    /// Calls `f` on each direct sub-formula, in order.
    pub fn for_each_child<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Number(_)
            | ExprKind::Bool(_)
            | ExprKind::GradeConst(_)
            | ExprKind::Ref(_)
            | ExprKind::Measure(_) => {}
            ExprKind::Neg(e) | ExprKind::Not(e) | ExprKind::FullMarks(e) => f(e),
            ExprKind::Arith(_, a, b)
            | ExprKind::Cmp(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b) => {
                f(a);
                f(b);
            }
            ExprKind::If(c, t, e) => {
                f(c);
                f(t);
                f(e);
            }
            ExprKind::Call(_, args) | ExprKind::ByGrade(args) => args.iter().for_each(f),
            ExprKind::Linear { subject, points } => {
                f(subject);
                for (at, value) in points {
                    f(at);
                    f(value);
                }
            }
            ExprKind::Steps {
                subject,
                bands,
                otherwise,
            } => {
                f(subject);
                for (_, threshold, value) in bands {
                    f(threshold);
                    f(value);
                }
                if let Some(o) = otherwise {
                    f(o);
                }
            }
        }
    }

    /// Calls `f` on every node this expression reads.
    pub fn for_each_ref(&self, f: &mut impl FnMut(Node)) {
        match &self.kind {
            ExprKind::Ref(node) => f(*node),
            ExprKind::ByGrade(values) => {
                f(Node::Grade);
                values.iter().for_each(|v| v.for_each_ref(f));
            }
            // The measure is computed inside its own indicator: not a dependency.
            ExprKind::Measure(_)
            | ExprKind::GradeConst(_)
            | ExprKind::Number(_)
            | ExprKind::Bool(_) => {}
            ExprKind::Neg(e) | ExprKind::Not(e) | ExprKind::FullMarks(e) => e.for_each_ref(f),
            ExprKind::Arith(_, a, b)
            | ExprKind::Cmp(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b) => {
                a.for_each_ref(f);
                b.for_each_ref(f);
            }
            ExprKind::If(c, t, e) => {
                c.for_each_ref(f);
                t.for_each_ref(f);
                e.for_each_ref(f);
            }
            ExprKind::Call(_, args) => args.iter().for_each(|a| a.for_each_ref(f)),
            ExprKind::Linear { subject, points } => {
                subject.for_each_ref(f);
                for (at, value) in points {
                    at.for_each_ref(f);
                    value.for_each_ref(f);
                }
            }
            ExprKind::Steps {
                subject,
                bands,
                otherwise,
            } => {
                subject.for_each_ref(f);
                for (_, threshold, value) in bands {
                    threshold.for_each_ref(f);
                    value.for_each_ref(f);
                }
                if let Some(o) = otherwise {
                    o.for_each_ref(f);
                }
            }
        }
    }

    /// The value of an expression made only of literals, if it is one.
    pub fn constant(&self) -> Option<Decimal> {
        // An expression that failed to check has no value to speak of.
        if self.ty == Ty::Error {
            return None;
        }
        match &self.kind {
            ExprKind::Number(n) => Some(*n),
            ExprKind::Neg(e) => e.constant().map(|n| -n),
            ExprKind::FullMarks(e) => e.constant()?.checked_mul(Decimal::ONE_HUNDRED),
            _ => None,
        }
    }
}
