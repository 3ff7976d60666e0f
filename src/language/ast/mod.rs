//! The abstract syntax tree: what a policy says, in the order it says it,
//! with the span of every part. Produced by `syntax`, consumed by `check`
//! (and by the formatter, which needs the forms exactly as written).

use rust_decimal::Decimal;

use crate::language::source::Span;

mod expr;
mod same;

pub use expr::*;

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
    /// `round scores exactly`: no rounding (the quantum is then 0).
    pub exact: bool,
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
    /// How a percentage column is written without `%` (`written as number`).
    pub written: Option<(WrittenAs, Span)>,
    pub span: Span,
}

/// How the cells of a percentage column are written when they carry no `%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WrittenAs {
    /// `2.01` is 2.01%: the figure a report gives in percent.
    Number,
    /// `0.0201` is 2.01%: the value a spreadsheet stores.
    Fraction,
}

impl WrittenAs {
    pub fn as_str(self) -> &'static str {
        match self {
            WrittenAs::Number => "number",
            WrittenAs::Fraction => "fraction",
        }
    }
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
