//! The abstract syntax tree: what a policy says, in the order it says it,
//! with the span of every part. Produced by `syntax`, consumed by `check`
//! (and by the formatter, which needs the forms exactly as written).

use rust_decimal::Decimal;

use crate::language::source::Span;

/// A name as written: an input, value, indicator, grade, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// A quoted label, e.g. `"deal value"` or `“成交额”`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: Label,
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Period(PeriodDecl),
    Currency(CurrencyDecl),
    Round(RoundDecl),
    Employee(EmployeeDecl),
    Input(InputDecl),
    Let(LetDecl),
    Indicator(IndicatorDecl),
    Adjustment(AdjustmentDecl),
    AdjustCap(AdjustCapDecl),
    ScoreRange(ScoreRangeDecl),
    Grades(GradesDecl),
    Veto(VetoDecl),
    Pay(PayDecl),
    Quotas(QuotasDecl),
    Override(OverrideDecl),
    Year(YearDecl),
    Plan(PlanDecl),
    /// `drop NAME, ...`: only inside a plan.
    Drop(DropDecl),
    Example(ExampleDecl),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Period(d) => d.span,
            Item::Currency(d) => d.span,
            Item::Round(d) => d.span,
            Item::Employee(d) => d.span,
            Item::Input(d) => d.span,
            Item::Let(d) => d.span,
            Item::Indicator(d) => d.span,
            Item::Adjustment(d) => d.span,
            Item::AdjustCap(d) => d.span,
            Item::ScoreRange(d) => d.span,
            Item::Grades(d) => d.span,
            Item::Veto(d) => d.span,
            Item::Pay(d) => d.span,
            Item::Quotas(d) => d.span,
            Item::Override(d) => d.span,
            Item::Year(d) => d.span,
            Item::Plan(d) => d.span,
            Item::Drop(d) => d.span,
            Item::Example(d) => d.span,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Period {
    Month,
    Quarter,
    HalfYear,
    Year,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::HalfYear => "half-year",
            Period::Year => "year",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodDecl {
    pub period: Period,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyDecl {
    pub code: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundTarget {
    Money,
    Scores,
}

/// How a value is brought to its declared precision (defined with the
/// numbers, which round by it).
pub use crate::numbers::rounding::RoundingMode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundDecl {
    pub target: RoundTarget,
    pub quantum: Decimal,
    pub quantum_span: Span,
    pub mode: Option<RoundingMode>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmployeeField {
    Id,
    Name,
    /// The column choosing each employee's plan.
    Plan,
}

/// A plan for one role: `plan NAME "label" extends OTHER { items }`. Its
/// items add to, replace (by name) or `drop` what it inherits: the policy's
/// shared items, then those of the plan it extends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDecl {
    pub name: Name,
    pub label: Option<Label>,
    pub extends: Option<Name>,
    pub items: Vec<Item>,
    pub span: Span,
}

/// `override grade from 总经理调整 reason 调整原因`: a final adjustment read
/// from a data column, allowed only with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideDecl {
    pub target: OverrideTarget,
    pub column: Label,
    pub reason: Label,
    pub span: Span,
}

/// What an override sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OverrideTarget {
    Score,
    Grade,
}

/// `drop 新客户, 结汇`: removes inherited indicators, bonuses or deductions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropDecl {
    pub names: Vec<Name>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeDecl {
    pub field: EmployeeField,
    /// The column's name as written (a bare name or a quoted label).
    pub column: Label,
    pub span: Span,
}

/// The declared type of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputType {
    Money,
    Percent,
    Number,
    Score,
    #[serde(rename = "yes/no")]
    YesNo,
}

impl InputType {
    pub fn as_str(self) -> &'static str {
        match self {
            InputType::Money => "money",
            InputType::Percent => "percent",
            InputType::Number => "number",
            InputType::Score => "score",
            InputType::YesNo => "yes/no",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDecl {
    pub name: Name,
    pub ty: InputType,
    pub ty_span: Span,
    pub label: Option<Label>,
    /// Other names the data may give the column.
    pub aliases: Vec<Label>,
    /// What an empty cell means, when not an error.
    pub missing: Option<MissingDecl>,
    /// How the year adds up the quarters' values (`yearly last`).
    pub yearly: Option<(YearlyRule, Span)>,
    /// The values the data may hold (`range >= 0% and <= 100%`).
    pub range: Vec<RangeBound>,
    pub range_span: Option<Span>,
    /// Which way is better (`higher is better`).
    pub better: Option<(Better, Span)>,
    pub span: Span,
}

/// One side of an input's declared range: `>= 0%`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeBound {
    pub op: CmpOp,
    pub value: Expr,
    pub span: Span,
}

/// Which way an input is better, for the monotonicity proofs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

impl Better {
    pub fn as_str(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }
}

/// How a year's value of an input follows from its quarters' values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum YearlyRule {
    /// Amounts and counts: the year is the sum of its quarters.
    Sum,
    /// Rates and scores: the mean of the quarters given.
    Average,
    /// A level such as a base pay: the latest quarter's.
    Last,
    /// Yes/no: yes if any quarter says yes.
    Any,
}

impl YearlyRule {
    pub fn as_str(self) -> &'static str {
        match self {
            YearlyRule::Sum => "sum",
            YearlyRule::Average => "average",
            YearlyRule::Last => "last",
            YearlyRule::Any => "any",
        }
    }
}

/// `year { missing quarters average }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearDecl {
    pub missing: Option<(MissingQuarters, Span)>,
    pub span: Span,
}

/// What the year does for an employee who was not appraised every quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MissingQuarters {
    /// Average over the quarters present.
    Average,
    /// Average over the quarters present, and yearly pay scaled by the
    /// share of the year's quarters present.
    Prorate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissingDecl {
    /// `default 0`: an empty cell has this value.
    Default(Expr),
    /// `optional`: an empty cell leaves out the indicators that use it.
    Optional(Span),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetDecl {
    pub name: Name,
    pub label: Option<Label>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorDecl {
    pub name: Name,
    pub label: Option<Label>,
    /// The weight as a fraction: `30%` is 0.30.
    pub weight: Decimal,
    pub weight_span: Span,
    /// `financial`: the year re-scores it on the year's figures instead of
    /// averaging the quarters' points.
    pub financial: bool,
    pub clauses: Vec<Clause>,
    pub span: Span,
}

/// A clause inside an indicator, bonus or deduction block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    Measure(Expr),
    Points(PointsRule),
    Cap(Decimal, Span),
    Floor(Decimal, Span),
}

/// How points are given: an expression, or the `when … => … otherwise …` form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointsRule {
    Expr(Expr),
    When {
        condition: Expr,
        points: Expr,
        otherwise: Box<PointsRule>,
        span: Span,
    },
}

impl PointsRule {
    pub fn span(&self) -> Span {
        match self {
            PointsRule::Expr(e) => e.span,
            PointsRule::When { span, .. } => *span,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AdjustmentKind {
    Bonus,
    Deduction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentDecl {
    pub kind: AdjustmentKind,
    pub name: Name,
    pub label: Option<Label>,
    pub clauses: Vec<Clause>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustTotal {
    Bonuses,
    Deductions,
    Adjustments,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustCapDecl {
    pub total: AdjustTotal,
    pub cap: Decimal,
    pub cap_span: Span,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRangeDecl {
    pub low: Decimal,
    pub high: Decimal,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradesDecl {
    pub bands: Vec<GradeBand>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeBand {
    pub name: Name,
    pub label: Option<Label>,
    pub condition: BandCondition,
    pub condition_span: Span,
    pub span: Span,
}

/// One end of a score interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub value: Decimal,
    pub inclusive: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BandCondition {
    /// `otherwise`: every score no other band takes.
    Otherwise,
    /// `>= 95`: from this bound up to the band above.
    AtLeast(Bound),
    /// `85 <= score < 95`, `score >= 95`, `score < 65`.
    Interval {
        lower: Option<Bound>,
        upper: Option<Bound>,
        /// Whether the lower bound was written before `score` (`85 <= score`)
        /// rather than after it (`score >= 85`); kept for the formatter.
        lower_first: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VetoDecl {
    pub label: Option<Label>,
    pub condition: Expr,
    pub effect: VetoEffect,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VetoEffect {
    /// `=> grade D`
    Grade(Name),
    /// `=> 0 points for 质量控制`
    ZeroIndicator {
        points: Decimal,
        points_span: Span,
        indicator: Name,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayDecl {
    pub name: Name,
    pub label: Option<Label>,
    pub value: Expr,
    pub span: Span,
}

/// `quotas per 部门 { S <= 5%  C + D >= 30%  round headcount half-up
/// forced ranking, ties by 民主评议 }`: limits on the grade distribution
/// of the people appraised together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotasDecl {
    /// The column whose value groups people (`per 部门`); none: everyone.
    pub group: Option<Label>,
    pub lines: Vec<QuotaLine>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotaLine {
    /// `S + A <= 20%`
    Limit(QuotaLimitDecl),
    /// `round headcount half-up`
    Rounding { mode: HeadcountRounding, span: Span },
    /// `forced ranking, ties by 民主评议 then 差错率 lower first`
    Ranking { ties: Vec<TieKey>, span: Span },
}

/// `S + A <= 20%`: grades, a comparison and a share of the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaLimitDecl {
    pub grades: Vec<Name>,
    pub op: CmpOp,
    pub op_span: Span,
    pub share: Decimal,
    pub share_span: Span,
    pub span: Span,
}

/// How a share of a group becomes a whole number of people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeadcountRounding {
    /// `<=` limits round down and `>=` limits round up, so the share always
    /// holds: S <= 5% of 13 people allows 0.
    Strict,
    /// Both round to the nearest person, halves up (四舍五入): 5% of 13
    /// people (0.65) allows 1.
    HalfUp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TieKey {
    pub name: Name,
    /// `lower first`: the lower value ranks higher (an error rate).
    pub lower_first: bool,
    pub span: Span,
}

/// A worked example: inputs and the outcome they must give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleDecl {
    pub name: Label,
    pub lines: Vec<ExampleLine>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleLine {
    /// `成交额 = ¥1,125,000`
    Given {
        input: Name,
        value: Expr,
        span: Span,
    },
    /// `expect score = 93.38`
    Expect {
        target: ExpectTarget,
        value: Expr,
        span: Span,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectTarget {
    Score(Span),
    Grade(Span),
    /// An indicator, bonus or deduction item, value or pay item.
    Name(Name),
}

// ---------------------------------------------------------------- expressions

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// Calls `f` on each expression directly inside this one.
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Number(_)
            | ExprKind::Percent(_)
            | ExprKind::Money { .. }
            | ExprKind::Bool(_)
            | ExprKind::Name(_)
            | ExprKind::Score
            | ExprKind::Grade
            | ExprKind::Measure => {}
            ExprKind::Unary(_, e) => f(e),
            ExprKind::Binary(_, l, r) => {
                f(l);
                f(r);
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                f(condition);
                f(then);
                f(otherwise);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(f),
            ExprKind::Linear { subject, points } => {
                if let Some(s) = subject {
                    f(s);
                }
                for p in points {
                    f(&p.at);
                    f(&p.value);
                }
            }
            ExprKind::Steps { subject, steps, .. } => {
                if let Some(s) = subject {
                    f(s);
                }
                for s in steps {
                    if let Some((_, e)) = &s.condition {
                        f(e);
                    }
                    f(&s.value);
                }
            }
            ExprKind::ByGrade(values, _) => values.iter().for_each(|v| f(&v.value)),
        }
    }

    /// How many levels deep the expression is (a name is 1, `a + b` is 2).
    /// Recursive: the parser bounds every expression it builds by
    /// [`crate::language::syntax::MAX_FORMULA_DEPTH`].
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        self.for_each_child(|c| deepest = deepest.max(c.depth()));
        1 + deepest
    }
}

/// How a money literal named its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurrencyMark {
    Symbol(char),
    Code(String),
    /// `元`
    Yuan,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    /// A plain number: `75`, `1.5`.
    Number(Decimal),
    /// A percentage, stored as a fraction: `80%` is 0.8.
    Percent(Decimal),
    Money {
        amount: Decimal,
        currency: CurrencyMark,
    },
    Bool(bool),
    Name(String),
    /// The final score.
    Score,
    /// The final grade.
    Grade,
    /// The enclosing indicator's measure.
    Measure,
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Call {
        function: Name,
        args: Vec<Expr>,
    },
    /// `linear [of X] { 0% => 0, 100% => 75, 125% => 100 }`
    Linear {
        subject: Option<Box<Expr>>,
        points: Vec<LinearPoint>,
    },
    /// `steps [of X] { >= 110% => 100, >= 100% => 75, otherwise 0 }`
    Steps {
        subject: Option<Box<Expr>>,
        steps: Vec<Step>,
        /// `in any order`: may fall as the subject rises, on purpose.
        any_order: bool,
    },
    /// `by grade { S 1.5, A 1.3, ... }`; `true`: `in any order`.
    ByGrade(Vec<GradeValue>, bool),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinearPoint {
    pub at: Expr,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `None` for the `otherwise` step.
    pub condition: Option<(CmpOp, Expr)>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeValue {
    pub grade: Name,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    And,
    Or,
    Cmp(CmpOp),
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Cmp(op) => op.symbol(),
        }
    }
}

// ---------------------------------------------------------------- comparison without spans

impl Policy {
    /// Whether two policies say the same thing, wherever it is written:
    /// spans are ignored, numbers compare by value. The formatter checks
    /// its output with this.
    pub fn same_as(&self, other: &Policy) -> bool {
        let mut a = self.clone();
        let mut b = other.clone();
        a.clear_spans();
        b.clear_spans();
        a == b
    }
}

/// Sets every span to the empty span, so that equality compares meaning.
trait ClearSpans {
    fn clear_spans(&mut self);
}

impl<T: ClearSpans> ClearSpans for Vec<T> {
    fn clear_spans(&mut self) {
        self.iter_mut().for_each(ClearSpans::clear_spans);
    }
}

impl<T: ClearSpans> ClearSpans for Option<T> {
    fn clear_spans(&mut self) {
        if let Some(x) = self {
            x.clear_spans();
        }
    }
}

impl<T: ClearSpans> ClearSpans for Box<T> {
    fn clear_spans(&mut self) {
        (**self).clear_spans();
    }
}

impl ClearSpans for Span {
    fn clear_spans(&mut self) {
        *self = Span::default();
    }
}

impl ClearSpans for Name {
    fn clear_spans(&mut self) {
        self.span.clear_spans();
    }
}

impl ClearSpans for Label {
    fn clear_spans(&mut self) {
        self.span.clear_spans();
    }
}

impl ClearSpans for Policy {
    fn clear_spans(&mut self) {
        self.name.clear_spans();
        self.items.clear_spans();
        self.span.clear_spans();
    }
}

impl ClearSpans for Item {
    fn clear_spans(&mut self) {
        match self {
            Item::Period(d) => d.span.clear_spans(),
            Item::Currency(d) => d.span.clear_spans(),
            Item::Round(d) => {
                d.quantum_span.clear_spans();
                d.span.clear_spans();
            }
            Item::Employee(d) => {
                d.column.clear_spans();
                d.span.clear_spans();
            }
            Item::Input(d) => {
                d.name.clear_spans();
                d.ty_span.clear_spans();
                d.label.clear_spans();
                d.aliases.clear_spans();
                match &mut d.missing {
                    Some(MissingDecl::Default(e)) => e.clear_spans(),
                    Some(MissingDecl::Optional(s)) => s.clear_spans(),
                    None => {}
                }
                if let Some((_, s)) = &mut d.yearly {
                    s.clear_spans();
                }
                for b in &mut d.range {
                    b.value.clear_spans();
                    b.span.clear_spans();
                }
                if let Some(s) = &mut d.range_span {
                    s.clear_spans();
                }
                if let Some((_, s)) = &mut d.better {
                    s.clear_spans();
                }
                d.span.clear_spans();
            }
            Item::Let(d) => {
                d.name.clear_spans();
                d.label.clear_spans();
                d.value.clear_spans();
                d.span.clear_spans();
            }
            Item::Pay(d) => {
                d.name.clear_spans();
                d.label.clear_spans();
                d.value.clear_spans();
                d.span.clear_spans();
            }
            Item::Indicator(d) => {
                d.name.clear_spans();
                d.label.clear_spans();
                d.weight_span.clear_spans();
                d.clauses.clear_spans();
                d.span.clear_spans();
            }
            Item::Adjustment(d) => {
                d.name.clear_spans();
                d.label.clear_spans();
                d.clauses.clear_spans();
                d.span.clear_spans();
            }
            Item::AdjustCap(d) => {
                d.cap_span.clear_spans();
                d.span.clear_spans();
            }
            Item::ScoreRange(d) => d.span.clear_spans(),
            Item::Grades(d) => {
                for band in &mut d.bands {
                    band.name.clear_spans();
                    band.label.clear_spans();
                    band.condition_span.clear_spans();
                    band.span.clear_spans();
                }
                d.span.clear_spans();
            }
            Item::Veto(d) => {
                d.label.clear_spans();
                d.condition.clear_spans();
                match &mut d.effect {
                    VetoEffect::Grade(g) => g.clear_spans(),
                    VetoEffect::ZeroIndicator {
                        points_span,
                        indicator,
                        ..
                    } => {
                        points_span.clear_spans();
                        indicator.clear_spans();
                    }
                }
                d.span.clear_spans();
            }
            Item::Quotas(d) => {
                d.group.clear_spans();
                for line in &mut d.lines {
                    match line {
                        QuotaLine::Limit(l) => {
                            l.grades.clear_spans();
                            l.op_span.clear_spans();
                            l.share_span.clear_spans();
                            l.span.clear_spans();
                        }
                        QuotaLine::Rounding { span, .. } => span.clear_spans(),
                        QuotaLine::Ranking { ties, span } => {
                            for tie in ties {
                                tie.name.clear_spans();
                                tie.span.clear_spans();
                            }
                            span.clear_spans();
                        }
                    }
                }
                d.span.clear_spans();
            }
            Item::Plan(d) => {
                d.name.clear_spans();
                d.label.clear_spans();
                d.extends.clear_spans();
                d.items.clear_spans();
                d.span.clear_spans();
            }
            Item::Drop(d) => {
                d.names.clear_spans();
                d.span.clear_spans();
            }
            Item::Year(d) => {
                if let Some((_, s)) = &mut d.missing {
                    s.clear_spans();
                }
                d.span.clear_spans();
            }
            Item::Override(d) => {
                d.column.clear_spans();
                d.reason.clear_spans();
                d.span.clear_spans();
            }
            Item::Example(d) => {
                d.name.clear_spans();
                for line in &mut d.lines {
                    match line {
                        ExampleLine::Given { input, value, span } => {
                            input.clear_spans();
                            value.clear_spans();
                            span.clear_spans();
                        }
                        ExampleLine::Expect {
                            target,
                            value,
                            span,
                        } => {
                            match target {
                                ExpectTarget::Score(s) | ExpectTarget::Grade(s) => s.clear_spans(),
                                ExpectTarget::Name(n) => n.clear_spans(),
                            }
                            value.clear_spans();
                            span.clear_spans();
                        }
                    }
                }
                d.span.clear_spans();
            }
        }
    }
}

impl ClearSpans for Clause {
    fn clear_spans(&mut self) {
        match self {
            Clause::Measure(e) => e.clear_spans(),
            Clause::Points(rule) => rule.clear_spans(),
            Clause::Cap(_, s) | Clause::Floor(_, s) => s.clear_spans(),
        }
    }
}

impl ClearSpans for PointsRule {
    fn clear_spans(&mut self) {
        match self {
            PointsRule::Expr(e) => e.clear_spans(),
            PointsRule::When {
                condition,
                points,
                otherwise,
                span,
            } => {
                condition.clear_spans();
                points.clear_spans();
                otherwise.clear_spans();
                span.clear_spans();
            }
        }
    }
}

impl ClearSpans for Expr {
    fn clear_spans(&mut self) {
        self.span.clear_spans();
        match &mut self.kind {
            ExprKind::Number(_)
            | ExprKind::Percent(_)
            | ExprKind::Money { .. }
            | ExprKind::Bool(_)
            | ExprKind::Name(_)
            | ExprKind::Score
            | ExprKind::Grade
            | ExprKind::Measure => {}
            ExprKind::Unary(_, x) => x.clear_spans(),
            ExprKind::Binary(_, a, b) => {
                a.clear_spans();
                b.clear_spans();
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                condition.clear_spans();
                then.clear_spans();
                otherwise.clear_spans();
            }
            ExprKind::Call { function, args } => {
                function.clear_spans();
                args.clear_spans();
            }
            ExprKind::Linear { subject, points } => {
                subject.clear_spans();
                for p in points {
                    p.at.clear_spans();
                    p.value.clear_spans();
                    p.span.clear_spans();
                }
            }
            ExprKind::Steps { subject, steps, .. } => {
                subject.clear_spans();
                for s in steps {
                    if let Some((_, t)) = &mut s.condition {
                        t.clear_spans();
                    }
                    s.value.clear_spans();
                    s.span.clear_spans();
                }
            }
            ExprKind::ByGrade(values, _) => {
                for v in values {
                    v.grade.clear_spans();
                    v.value.clear_spans();
                    v.span.clear_spans();
                }
            }
        }
    }
}
