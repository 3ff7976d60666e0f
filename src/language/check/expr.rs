//! Expressions: resolve names, infer types and units, and check tables.
//!
//! Every expression is checked to the end even after a mistake: a part with a
//! mistake gets the type `Error`, which is never reported again, so each
//! mistake gives exactly one diagnostic.

use rust_decimal::Decimal;

use super::scope::Scope;
use super::tables;
use crate::i18n::{Arg, text};
use crate::language::ast::{self, BinaryOp, CmpOp, CurrencyMark, ExprKind as A, UnaryOp};
use crate::language::checked::{ArithOp, Expr, ExprKind, Function, Node};
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::{Source, Span};
use crate::language::types::{self, Ty};

/// Where an expression stands, for `measure`.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Place {
    /// Inside this indicator, whose measure has this type (if it has one).
    pub indicator: Option<(usize, Option<Ty>)>,
    /// Where that measure is defined.
    pub measure_span: Span,
    /// Inside the measure's own definition.
    pub in_measure: bool,
}

pub(super) struct ExprChecker<'a> {
    pub source: &'a Source,
    pub scope: &'a Scope,
    pub grades: &'a [String],
    /// Each grade's label, to recognise a grade written by its label.
    pub grade_labels: &'a [Option<String>],
    /// The type of each input, by index.
    pub input_types: Vec<Ty>,
    pub currency: Option<&'a str>,
    pub has_score: bool,
    /// Derived values (`let`), checked on first use so that a value may be
    /// used above its definition.
    pub lets: &'a [&'a ast::LetDecl],
    pub let_results: Vec<LetState>,
    pub place: Place,
    pub diags: Vec<Diagnostic>,
}

#[derive(Debug, Clone)]
pub(super) enum LetState {
    Unchecked,
    InProgress,
    Done(Expr),
}

impl<'a> ExprChecker<'a> {
    // ------------------------------------------------------------ entry points

    /// A derived value's expression, checked once.
    pub fn value(&mut self, index: usize) -> Expr {
        match self.let_results.get(index) {
            Some(LetState::Done(e)) => return e.clone(),
            // A value that uses itself: the dependency check reports the cycle.
            Some(LetState::InProgress) => return self.poisoned(Span::default()),
            _ => {}
        }
        let Some(decl) = self.lets.get(index).copied() else {
            return self.poisoned(Span::default());
        };
        if let Some(state) = self.let_results.get_mut(index) {
            *state = LetState::InProgress;
        }
        // A value is the same wherever it is used: no `measure` in it.
        let place = std::mem::take(&mut self.place);
        let mut e = self.expr(&decl.value);
        self.place = place;
        e.ty = e.ty.settled();
        if let Some(state) = self.let_results.get_mut(index) {
            *state = LetState::Done(e.clone());
        }
        e
    }

    /// An expression that must be yes or no.
    pub fn condition(&mut self, e: &ast::Expr) -> Expr {
        let checked = self.expr(e);
        if !matches!(checked.ty, Ty::Bool | Ty::Error) {
            self.diags.push(
                Diagnostic::error(Code::Condition, "a condition must be yes or no")
                    .label(e.span, format!("this is {}", checked.ty.words()))
                    .help(match checked.ty {
                        Ty::Money | Ty::Number | Ty::Score | Ty::Literal => format!(
                            "compare it with something, such as `{} > 0`, or use a yes/no input",
                            self.source.slice(e.span).trim()
                        ),
                        _ => "compare it with something, such as `成交额 >= 成交目标`, or use a yes/no input".to_string(),
                    }),
            );
            return self.poisoned(e.span);
        }
        checked
    }

    /// An expression that must be a number of some unit (not yes/no).
    pub fn numeric(&mut self, e: &ast::Expr, what: &str) -> Expr {
        let checked = self.expr(e);
        if !checked.ty.is_numeric() {
            self.diags.push(
                Diagnostic::error(Code::TypeMismatch, format!("{what} must be a number"))
                    .label(e.span, format!("this is {}", checked.ty.words()))
                    .help("use a formula that gives an amount, a percentage, points or a count"),
            );
            return self.poisoned(e.span);
        }
        checked
    }

    /// A points rule: yields points 0–100. Percentages given as points are a
    /// share of full marks (80% is 80 points); other numbers are points.
    pub fn points_rule(&mut self, rule: &ast::PointsRule) -> Expr {
        match rule {
            ast::PointsRule::Expr(e) => self.points(e),
            ast::PointsRule::When {
                condition,
                points,
                otherwise,
                span,
            } => {
                let condition = self.condition(condition);
                let then = self.points(points);
                let otherwise = self.points_rule(otherwise);
                Expr {
                    kind: ExprKind::If(Box::new(condition), Box::new(then), Box::new(otherwise)),
                    ty: Ty::Score,
                    span: *span,
                }
            }
        }
    }

    /// An expression in a points position. Tables and `if` pass the
    /// position on to each of their results.
    pub fn points(&mut self, e: &ast::Expr) -> Expr {
        match &e.kind {
            A::Percent(p) => {
                self.check_points_constant(p.checked_mul(Decimal::ONE_HUNDRED), e.span);
                Expr {
                    kind: ExprKind::FullMarks(Box::new(Expr {
                        kind: ExprKind::Number(*p),
                        ty: Ty::Ratio,
                        span: e.span,
                    })),
                    ty: Ty::Score,
                    span: e.span,
                }
            }
            A::If {
                condition,
                then,
                otherwise,
            } => {
                let condition = self.condition(condition);
                let then = self.points(then);
                let otherwise = self.points(otherwise);
                Expr {
                    kind: ExprKind::If(Box::new(condition), Box::new(then), Box::new(otherwise)),
                    ty: Ty::Score,
                    span: e.span,
                }
            }
            A::Linear { subject, points } => self.linear(e.span, subject.as_deref(), points, true),
            A::Steps { subject, steps, .. } => self.steps(e.span, subject.as_deref(), steps, true),
            A::ByGrade(values, _) => self.by_grade(e.span, values, true),
            _ => {
                let checked = self.expr(e);
                // `民主评议 * 1%`, a conversion to percent tried on points:
                // a 0–100 score becomes 0–1 point.
                if let A::Binary(BinaryOp::Mul, l, r) = &e.kind
                    && let Some(p) = [l, r].iter().find_map(|x| match x.kind {
                        A::Percent(p) => Some(p),
                        _ => None,
                    })
                    && p > Decimal::ZERO
                    && p <= Decimal::new(1, 2)
                    && checked.ty == Ty::Score
                {
                    let text = self.source.slice(e.span).trim().to_string();
                    self.diags.push(
                        Diagnostic::warning(
                            Code::PointsFraction,
                            format!(
                                "`{text}` gives at most {} of 100 points",
                                (p * Decimal::ONE_HUNDRED).normalize()
                            ),
                        )
                        .label(e.span, "points of 0–100 made into 0–1")
                        .help(format!(
                            "points are 0–100 already: leave out `* {}%` to give the score as points; to give a share of it, write the share as a percentage, such as `* 80%`",
                            (p * Decimal::ONE_HUNDRED).normalize()
                        )),
                    );
                }
                // `=> 0.8` where "80% of the points" is meant: 0.8 points.
                if let A::Number(n) = &e.kind
                    && *n > Decimal::ZERO
                    && *n < Decimal::ONE
                {
                    let percent = format!("{}%", (*n * Decimal::ONE_HUNDRED).normalize());
                    self.diags.push(
                        Diagnostic::warning(
                            Code::PointsFraction,
                            format!("{} points is less than one point", n.normalize()),
                        )
                        .label(e.span, "a fraction of a point")
                        .help(format!(
                            "did you mean `{percent}`? In points, a percentage is a share of full marks: `{percent}` is {} points, while `{}` is that fraction of one point",
                            (*n * Decimal::ONE_HUNDRED).normalize(),
                            n.normalize()
                        ))
                        .fix(format!("change to `{percent}`"), e.span, percent.clone()),
                    );
                }
                match checked.ty {
                    Ty::Score | Ty::Number | Ty::Literal | Ty::Error => {
                        if let Some(c) = checked.constant() {
                            self.check_points_constant(Some(c), e.span);
                        }
                        Expr {
                            ty: Ty::Score,
                            ..checked
                        }
                    }
                    ty => {
                        let help = match ty {
                            Ty::Ratio => {
                                "to give the percentage as points (96% is 96 points), multiply by 100: `… * 100`; or score it with a table such as `linear { 0% => 0, 100% => 75, 125% => 100 }`"
                            }
                            Ty::Money if has_money_literal(e) => {
                                "points are plain numbers from 0 to 100: drop the currency, e.g. `投诉次数 * 5` rather than `投诉次数 * ¥5`"
                            }
                            Ty::Money => {
                                "compare the amount with a target first, e.g. `measure 成交额 / 成交目标` with a `linear` or `steps` table"
                            }
                            Ty::Bool => {
                                "give points for a condition with `when <condition> => 100 otherwise 0`"
                            }
                            _ => "points are a number from 0 to 100",
                        };
                        self.diags.push(
                            Diagnostic::error(
                                Code::NotPoints,
                                format!("{} cannot be used as points", ty.words()),
                            )
                            .label(e.span, format!("this is {}", ty.words()))
                            .help(help),
                        );
                        self.poisoned(e.span)
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------ expressions

    pub fn expr(&mut self, e: &ast::Expr) -> Expr {
        let span = e.span;
        let (kind, ty) = match &e.kind {
            A::Number(n) => (ExprKind::Number(*n), Ty::Literal),
            A::Percent(p) => (ExprKind::Number(*p), Ty::Ratio),
            A::Money { amount, currency } => {
                self.check_currency(currency, span);
                (ExprKind::Number(*amount), Ty::Money)
            }
            A::Bool(b) => (ExprKind::Bool(*b), Ty::Bool),
            A::Name(name) => return self.name(name, span),
            A::Score => {
                if !self.has_score {
                    self.diags.push(
                        Diagnostic::error(Code::UnknownName, "this policy has no score")
                            .label(span, "there are no indicators to score")
                            .help("add `indicator` blocks, or compute pay from inputs without `score`"),
                    );
                    return self.poisoned(span);
                }
                (ExprKind::Ref(Node::Score), Ty::Score)
            }
            A::Grade => {
                if self.grades.is_empty() {
                    self.diags.push(no_grades(span, &[]));
                    return self.poisoned(span);
                }
                (ExprKind::Ref(Node::Grade), Ty::Grade)
            }
            A::Measure => return self.measure(span),
            A::Unary(UnaryOp::Neg, inner) => {
                let inner = self.expr(inner);
                if !inner.ty.is_numeric() {
                    self.diags.push(
                        Diagnostic::error(Code::TypeMismatch, format!("{} cannot be negative", inner.ty.words()))
                            .label(inner.span, format!("this is {}", inner.ty.words()))
                            .help("only numbers, amounts, percentages and points can be negated; for yes/no use `not`"),
                    );
                    return self.poisoned(span);
                }
                let ty = inner.ty;
                (ExprKind::Neg(Box::new(inner)), ty)
            }
            A::Unary(UnaryOp::Not, inner) => {
                let inner = self.condition(inner);
                (ExprKind::Not(Box::new(inner)), Ty::Bool)
            }
            A::Binary(op, lhs, rhs) => return self.binary(*op, lhs, rhs, span),
            A::If {
                condition,
                then,
                otherwise,
            } => {
                let condition = self.condition(condition);
                let then = self.expr(then);
                let otherwise = self.expr(otherwise);
                let ty = self.unify_branches(&then, &otherwise, "the two branches of `if`");
                (
                    ExprKind::If(Box::new(condition), Box::new(then), Box::new(otherwise)),
                    ty,
                )
            }
            A::Call { function, args } => return self.call(function, args, span),
            A::Linear { subject, points } => {
                return self.linear(span, subject.as_deref(), points, false);
            }
            A::Steps { subject, steps, .. } => {
                return self.steps(span, subject.as_deref(), steps, false);
            }
            A::ByGrade(values, _) => return self.by_grade(span, values, false),
        };
        Expr { kind, ty, span }
    }

    fn name(&mut self, name: &str, span: Span) -> Expr {
        let Some(symbol) = self.scope.get(name).copied() else {
            let named_args = [("name", Arg::Text(name))];
            let mut d = Diagnostic::error(Code::UnknownName, text("name-unknown", &named_args))
                .label(span, text("name-unknown-label", &[]));
            if self.grades.iter().any(|g| g == name) {
                d = d.help(text("name-unknown-grade", &named_args));
            } else if let Some(named) = self.scope.labelled(name) {
                let args = [("name", Arg::Text(name)), ("named", Arg::Text(named))];
                d = d.help(text("name-unknown-is-label", &args)).fix(
                    text("change-to", &[("name", Arg::Text(named))]),
                    span,
                    named.to_string(),
                );
            } else if let Some(suggestion) = self.scope.suggest(name) {
                d = d.did_you_mean(span, suggestion);
            } else {
                d = d.help(text("name-unknown-declare", &named_args));
            }
            self.diags.push(d);
            return self.poisoned(span);
        };
        let ty = match symbol.node {
            Node::Input(i) => self.input_ty(i),
            Node::Value(i) => self.value(i).ty,
            Node::Indicator(_) | Node::Adjustment(_) | Node::Score => Ty::Score,
            Node::Pay(_) => Ty::Money,
            Node::Grade => Ty::Grade,
        };
        Expr {
            kind: ExprKind::Ref(symbol.node),
            ty,
            span,
        }
    }

    /// `percent(x)`: a plain number read as a number of percent, so that
    /// a count or a figure given as `2.01` (meaning 2.01%) can be compared
    /// with percentages. It is `x / 100`, as a percentage.
    fn percent_of(&mut self, args: &[ast::Expr], span: Span) -> Expr {
        let [arg] = args else {
            self.diags.push(
                Diagnostic::error(Code::Arguments, format!("`percent` takes one number, not {}", args.len()))
                    .label(span, "wrong number of values")
                    .help("give `percent` one number: `percent(差错数 / 单证数 * 100)`, `percent(2.01)` is 2.01%"),
            );
            return self.poisoned(span);
        };
        let x = self.numeric(arg, "the value of `percent`");
        match x.ty {
            Ty::Number | Ty::Literal => {}
            Ty::Error => return self.poisoned(span),
            ty => {
                self.diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        format!("`percent` reads a plain number as percent, not {}", ty.words()),
                    )
                    .label(arg.span, format!("this is {}", ty.words()))
                    .help(match ty {
                        Ty::Ratio => "this is a percentage already: leave out `percent(…)`",
                        Ty::Money => "divide the amount by another first: `费用 / 营业额` is a percentage",
                        _ => "give `percent` a plain number, such as a count or a figure written without `%`",
                    }),
                );
                return self.poisoned(span);
            }
        }
        let hundred = Expr {
            kind: ExprKind::Number(Decimal::ONE_HUNDRED),
            ty: Ty::Number,
            span,
        };
        Expr {
            kind: ExprKind::Arith(ArithOp::Div, Box::new(x), Box::new(hundred)),
            ty: Ty::Ratio,
            span,
        }
    }

    fn input_ty(&self, index: usize) -> Ty {
        self.input_types.get(index).copied().unwrap_or(Ty::Error)
    }

    fn measure(&mut self, span: Span) -> Expr {
        let problem = match self.place.indicator {
            None => Some((
                "`measure` is only known inside an indicator",
                "use the formula itself here, or give it a name with `let`",
            )),
            Some((_, None)) => Some((
                "this indicator has no `measure`",
                "add a line such as `measure 成交额 / 成交目标` to the indicator",
            )),
            Some(_) if self.place.in_measure => Some((
                "`measure` cannot be used in its own definition",
                "write the measure from inputs and values",
            )),
            Some(_) => None,
        };
        if let Some((message, help)) = problem {
            self.diags.push(
                Diagnostic::error(Code::MeasureOutside, message)
                    .label(span, "here")
                    .help(help),
            );
            return self.poisoned(span);
        }
        match self.place.indicator {
            Some((index, Some(ty))) => Expr {
                kind: ExprKind::Measure(index),
                ty,
                span,
            },
            _ => self.poisoned(span),
        }
    }

    fn binary(&mut self, op: BinaryOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span) -> Expr {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let l = self.condition(lhs);
                let r = self.condition(rhs);
                let kind = if op == BinaryOp::And {
                    ExprKind::And(Box::new(l), Box::new(r))
                } else {
                    ExprKind::Or(Box::new(l), Box::new(r))
                };
                Expr {
                    kind,
                    ty: Ty::Bool,
                    span,
                }
            }
            BinaryOp::Cmp(cmp) => self.comparison(cmp, lhs, rhs, span),
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                let arith = match op {
                    BinaryOp::Add => ArithOp::Add,
                    BinaryOp::Sub => ArithOp::Sub,
                    BinaryOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                for side in [&l, &r] {
                    if !side.ty.is_numeric() {
                        self.diags.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                format!("{} cannot be used in arithmetic", side.ty.words()),
                            )
                            .label(side.span, format!("this is {}", side.ty.words()))
                            .help(match side.ty {
                                Ty::Bool => "turn a yes/no into a number with `if … then … else …`",
                                _ => "a grade becomes a number through a table: `by grade { S 1.5, A 1.3, … }`",
                            }),
                        );
                        return self.poisoned(span);
                    }
                }
                if arith == ArithOp::Div && r.constant() == Some(Decimal::ZERO) {
                    self.diags.push(
                        Diagnostic::error(Code::DivisionByZero, "division by zero")
                            .label(r.span, "this is always 0")
                            .help("divide by a value that cannot be zero"),
                    );
                    return self.poisoned(span);
                }
                if matches!(arith, ArithOp::Add | ArithOp::Sub) && self.plain_vs_percent(&l, &r) {
                    return self.poisoned(span);
                }
                let result = match arith {
                    ArithOp::Add | ArithOp::Sub => types::unify(l.ty, r.ty),
                    ArithOp::Mul => types::multiply(l.ty, r.ty),
                    ArithOp::Div => types::divide(l.ty, r.ty),
                };
                match result {
                    Ok(ty) => Expr {
                        kind: ExprKind::Arith(arith, Box::new(l), Box::new(r)),
                        ty,
                        span,
                    },
                    Err(_) => {
                        let verb = match arith {
                            ArithOp::Add => "added to",
                            ArithOp::Sub => "subtracted from",
                            ArithOp::Mul => "multiplied by",
                            ArithOp::Div => "divided by",
                        };
                        let (first, second) = if arith == ArithOp::Sub {
                            (&r, &l)
                        } else {
                            (&l, &r)
                        };
                        let message = format!(
                            "{} cannot be {verb} {}",
                            first.ty.words(),
                            second.ty.words()
                        );
                        self.mismatch(message, &l, &r, mismatch_help(arith, l.ty, r.ty));
                        self.poisoned(span)
                    }
                }
            }
        }
    }

    fn comparison(&mut self, op: CmpOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span) -> Expr {
        // `grade = S`: the bare name on the other side is a grade.
        let l = self.grade_operand(lhs, rhs);
        let r = self.grade_operand(rhs, lhs);
        if self.plain_vs_percent(&l, &r) {
            return self.poisoned(span);
        }
        let ok = match (l.ty, r.ty) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Grade, Ty::Grade) | (Ty::Bool, Ty::Bool) => {
                if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    true
                } else {
                    let what = if l.ty == Ty::Grade {
                        "grades"
                    } else {
                        "yes/no values"
                    };
                    self.diags.push(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            format!("{what} can only be compared with `=` or `!=`"),
                        )
                        .label(span, format!("`{}` needs numbers", op.symbol()))
                        .help("for several grades, join comparisons: `grade = S or grade = A`"),
                    );
                    return self.poisoned(span);
                }
            }
            (a, b) if a.is_numeric() && b.is_numeric() => types::unify(a, b).is_ok(),
            _ => false,
        };
        if !ok {
            let message = format!("{} cannot be compared with {}", l.ty.words(), r.ty.words());
            self.mismatch(message, &l, &r, compare_help(l.ty, r.ty));
            return self.poisoned(span);
        }
        Expr {
            kind: ExprKind::Cmp(op, Box::new(l), Box::new(r)),
            ty: Ty::Bool,
            span,
        }
    }

    /// Checks `e`; if it is a bare name, the other side is `grade` and the
    /// name is a grade, it is that grade.
    fn grade_operand(&mut self, e: &ast::Expr, other: &ast::Expr) -> Expr {
        if let (A::Name(name), A::Grade) = (&e.kind, &other.kind)
            && let Some(index) = self.grades.iter().position(|g| g == name)
        {
            return Expr {
                kind: ExprKind::GradeConst(index),
                ty: Ty::Grade,
                span: e.span,
            };
        }
        self.expr(e)
    }

    fn call(&mut self, function: &ast::Name, args: &[ast::Expr], span: Span) -> Expr {
        if function.text == "percent" {
            return self.percent_of(args, span);
        }
        const FUNCTIONS: [&str; 8] = [
            "percent",
            "min",
            "max",
            "clamp",
            "abs",
            "average",
            "trimmed_average",
            "first_of",
        ];
        let (f, arity, arity_words) = match function.text.as_str() {
            "min" => (Function::Min, 2..=usize::MAX, "two or more values"),
            "max" => (Function::Max, 2..=usize::MAX, "two or more values"),
            "clamp" => (
                Function::Clamp,
                3..=3,
                "three values: `clamp(value, low, high)`",
            ),
            "abs" => (Function::Abs, 1..=1, "one value"),
            "average" => (Function::Average, 1..=usize::MAX, "one or more values"),
            "trimmed_average" => (
                Function::TrimmedAverage,
                3..=usize::MAX,
                "three or more values (the highest and the lowest are dropped)",
            ),
            "first_of" => (Function::FirstOf, 2..=usize::MAX, "two or more values"),
            other => {
                let mut d = Diagnostic::error(
                    Code::UnknownFunction,
                    format!("there is no function `{other}`"),
                )
                .label(function.span, "unknown function");
                let spreadsheet = match other.to_ascii_lowercase().as_str() {
                    "avg" | "mean" | "averagea" => Some("average"),
                    "minimum" => Some("min"),
                    "maximum" => Some("max"),
                    lower if FUNCTIONS.contains(&lower) => {
                        FUNCTIONS.iter().copied().find(|f| *f == lower)
                    }
                    _ => None,
                };
                d = match spreadsheet.or_else(|| crate::language::fuzzy::closest(other, FUNCTIONS)) {
                    // A spreadsheet's IF(condition, then, else).
                    None if other.eq_ignore_ascii_case("if") => d.help(
                        "kpi writes conditions as `if <condition> then <value> else <value>`, not `IF(…, …, …)`",
                    ),
                    Some(s) => d.did_you_mean(function.span, s),
                    // Rounding belongs to the policy, not to formulas.
                    None if other.to_uppercase().starts_with("ROUND") => d.help(
                        "kpi rounds where the policy says, once for all pay: `round money to 1 down` rounds every pay item down to whole units",
                    ),
                    None => d.help(
                        "the functions are `min`, `max`, `clamp`, `abs`, `average`, `trimmed_average` and `first_of`",
                    ),
                };
                self.diags.push(d);
                return self.poisoned(span);
            }
        };
        let checked: Vec<Expr> = args
            .iter()
            .map(|a| self.numeric(a, "a function's argument"))
            .collect();
        if !arity.contains(&args.len()) {
            self.diags.push(
                Diagnostic::error(
                    Code::Arguments,
                    format!(
                        "`{}` takes {arity_words}, not {}",
                        function.text,
                        args.len()
                    ),
                )
                .label(span, "wrong number of values")
                .help(format!("give `{}` {arity_words}", function.text)),
            );
            return self.poisoned(span);
        }
        let mut ty = Ty::Literal;
        if f == Function::Abs {
            ty = checked.first().map_or(Ty::Error, |a| a.ty);
        } else {
            for pair in checked.windows(2) {
                if let [a, b] = pair
                    && self.plain_vs_percent(a, b)
                {
                    return self.poisoned(span);
                }
            }
            for arg in &checked {
                match types::unify(ty, arg.ty) {
                    Ok(t) => ty = t,
                    Err(_) => {
                        let first = checked.first().map_or(Ty::Error, |a| a.ty);
                        self.diags.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                format!(
                                    "the values given to `{}` have different units",
                                    function.text
                                ),
                            )
                            .label(arg.span, format!("this is {}", arg.ty.words()))
                            .help(format!(
                                "every value given to `{}` must be {}",
                                function.text,
                                first.words()
                            )),
                        );
                        return self.poisoned(span);
                    }
                }
            }
        }
        Expr {
            kind: ExprKind::Call(f, checked),
            ty,
            span,
        }
    }

    // ------------------------------------------------------------ tables

    /// The value a table looks up: `of X`, or the indicator's measure.
    fn subject(&mut self, subject: Option<&ast::Expr>, span: Span, table: &str) -> Expr {
        match subject {
            Some(s) => self.numeric(s, "what a table looks up"),
            None => match self.place.indicator {
                Some((index, Some(ty))) if !self.place.in_measure => Expr {
                    kind: ExprKind::Measure(index),
                    ty,
                    span: self.place.measure_span,
                },
                _ => {
                    self.diags.push(
                        Diagnostic::error(Code::IndicatorClause, format!("this `{table}` table has nothing to look up"))
                            .label(span, "no measure")
                            .help(format!(
                                "give the indicator a `measure` line, or name the value: `{table} of 毛利率 {{ … }}`"
                            )),
                    );
                    self.poisoned(span)
                }
            },
        }
    }

    fn table_output(&mut self, e: &ast::Expr, as_points: bool) -> Expr {
        if as_points {
            self.points(e)
        } else {
            self.numeric(e, "a table's value")
        }
    }

    fn linear(
        &mut self,
        span: Span,
        subject: Option<&ast::Expr>,
        points: &[ast::LinearPoint],
        as_points: bool,
    ) -> Expr {
        let implicit_measure = subject.is_none();
        let subject = self.subject(subject, span, "linear");
        let mut checked = Vec::new();
        let mut unit_mistakes: Vec<usize> = Vec::new();
        for point in points {
            let at = self.numeric(&point.at, "a point of a linear table");
            let before = self.diags.len();
            self.same_unit(&subject, &at, "the value the table looks up");
            unit_mistakes.extend(before..self.diags.len());
            let value = self.table_output(&point.value, as_points);
            checked.push((at, value));
        }
        self.fold_unit_mistakes(&unit_mistakes, checked.len(), implicit_measure, &subject);
        let ty = if as_points {
            Ty::Score
        } else {
            self.unify_outputs(checked.iter().map(|(_, v)| v))
        };
        tables::check_linear(self.source, span, &checked, &mut self.diags);
        Expr {
            kind: ExprKind::Linear {
                subject: Box::new(subject),
                points: checked,
            },
            ty,
            span,
        }
    }

    /// Several thresholds of a table in another unit than its subject are
    /// one mistake: said once, at the measure when every threshold
    /// disagrees with it (the measure is then what is wrong).
    fn fold_unit_mistakes(
        &mut self,
        unit_mistakes: &[usize],
        thresholds: usize,
        implicit_measure: bool,
        subject: &Expr,
    ) {
        if unit_mistakes.len() < 2 {
            return;
        }
        let mut all: Vec<Diagnostic> = Vec::new();
        for i in unit_mistakes.iter().rev() {
            all.push(self.diags.remove(*i));
        }
        all.reverse();
        let spans: Vec<Span> = all.iter().map(Diagnostic::primary_span).collect();
        let mut first = all.remove(0);
        for other in &all {
            first = first.label(other.primary_span(), "this threshold too");
        }
        if unit_mistakes.len() == thresholds
            && implicit_measure
            && !self.place.measure_span.is_empty()
        {
            first.labels = vec![kpi_label(
                self.place.measure_span,
                format!("the measure is {}", subject.ty.words()),
            )];
            for span in spans {
                first
                    .labels
                    .push(kpi_label(span, "a threshold in another unit"));
            }
            first.message = format!(
                "the measure is {}, but every threshold of its table is in another unit",
                subject.ty.words()
            );
        }
        self.diags.push(first);
    }

    fn steps(
        &mut self,
        span: Span,
        subject: Option<&ast::Expr>,
        steps: &[ast::Step],
        as_points: bool,
    ) -> Expr {
        let implicit_measure = subject.is_none();
        let subject = self.subject(subject, span, "steps");
        let mut bands = Vec::new();
        let mut otherwise: Option<(Expr, Span)> = None;
        let mut after_otherwise = false;
        // The diagnostics of thresholds in another unit than the subject.
        let mut unit_mistakes: Vec<usize> = Vec::new();
        for step in steps {
            if let Some((_, otherwise_span)) = &otherwise {
                if !after_otherwise {
                    self.diags.push(
                        Diagnostic::error(Code::StepsOrder, text("steps-after-otherwise", &[]))
                            .label(step.span, text("steps-never-reached", &[]))
                            .label(*otherwise_span, text("steps-otherwise-takes", &[]))
                            .help(text("steps-after-otherwise-help", &[])),
                    );
                }
                after_otherwise = true;
                continue;
            }
            match &step.condition {
                Some((op, threshold)) => {
                    let threshold = self.numeric(threshold, "a threshold");
                    let before = self.diags.len();
                    self.same_unit(&subject, &threshold, "the value the table looks up");
                    unit_mistakes.extend(before..self.diags.len());
                    let value = self.table_output(&step.value, as_points);
                    bands.push((*op, threshold, value));
                }
                None => otherwise = Some((self.table_output(&step.value, as_points), step.span)),
            }
        }
        let ty = if as_points {
            Ty::Score
        } else {
            let outputs = bands
                .iter()
                .map(|(_, _, v)| v)
                .chain(otherwise.as_ref().map(|(o, _)| o));
            self.unify_outputs(outputs)
        };
        self.fold_unit_mistakes(&unit_mistakes, bands.len(), implicit_measure, &subject);
        // Thresholds misread by their unit would be reported again as
        // bands out of order.
        if !after_otherwise && unit_mistakes.is_empty() {
            tables::check_steps(
                self.source,
                span,
                steps,
                &bands,
                subject.ty,
                otherwise.is_some(),
                &mut self.diags,
            );
        }
        Expr {
            kind: ExprKind::Steps {
                subject: Box::new(subject),
                bands,
                otherwise: otherwise.map(|(o, _)| Box::new(o)),
            },
            ty,
            span,
        }
    }

    fn by_grade(&mut self, span: Span, values: &[ast::GradeValue], as_points: bool) -> Expr {
        if self.grades.is_empty() {
            let names: Vec<&str> = values.iter().map(|v| v.grade.text.as_str()).collect();
            self.diags.push(no_grades(span, &names));
            return self.poisoned(span);
        }
        let mut table: Vec<Option<Expr>> = vec![None; self.grades.len()];
        let mut first_spans: Vec<Option<Span>> = vec![None; self.grades.len()];
        for entry in values {
            let value = self.table_output(&entry.value, as_points);
            let Some(index) = self.grades.iter().position(|g| *g == entry.grade.text) else {
                // A full-width letter is reported as one, and still fills
                // its grade's place, so that the table is not also short.
                if let Some(half) = crate::language::fuzzy::half_width(&entry.grade.text)
                    && let Some(index) = self.grades.iter().position(|g| *g == half)
                    && let Some(slot) = table.get_mut(index)
                    && slot.is_none()
                {
                    *slot = Some(value);
                    if let Some(first) = first_spans.get_mut(index) {
                        *first = Some(entry.grade.span);
                    }
                }
                self.diags.push(super::unknown_grade(
                    &entry.grade,
                    self.grades,
                    self.grade_labels,
                ));
                continue;
            };
            if let Some(Some(first)) = first_spans.get(index) {
                self.diags.push(
                    Diagnostic::error(
                        Code::GradeTable,
                        text(
                            "grade-table-twice",
                            &[("grade", Arg::Text(&entry.grade.text))],
                        ),
                    )
                    .label(entry.grade.span, text("header-duplicate-again", &[]))
                    .label(*first, text("header-duplicate-first", &[]))
                    .help(text("grade-table-twice-help", &[])),
                );
                continue;
            }
            if let (Some(slot), Some(first)) = (table.get_mut(index), first_spans.get_mut(index)) {
                *slot = Some(value);
                *first = Some(entry.grade.span);
            }
        }
        let missing: Vec<&str> = self
            .grades
            .iter()
            .zip(&table)
            .filter(|(_, v)| v.is_none())
            .map(|(g, _)| g.as_str())
            .collect();
        if !missing.is_empty() {
            // The fix adds each missing grade after the last entry, valued as
            // that entry for now: a value to set, shown in the fix's title.
            let separator = text("list-separator", &[]);
            let fix = values.last().map(|last| {
                let value = self.source.slice(last.value.span);
                let added: String = missing.iter().map(|g| format!(", {g} {value}")).collect();
                let entries = missing
                    .iter()
                    .map(|g| format!("`{g} {value}`"))
                    .collect::<Vec<_>>()
                    .join(&separator);
                let args = [
                    ("entries", Arg::Text(&entries)),
                    ("grade", Arg::Text(&last.grade.text)),
                ];
                (
                    text("grade-table-fix", &args),
                    Span::new(last.span.end, last.span.end),
                    added,
                )
            });
            let list = missing
                .iter()
                .map(|g| format!("`{g}`"))
                .collect::<Vec<_>>()
                .join(&separator);
            let entries = missing
                .iter()
                .map(|g| format!("`{g} …`"))
                .collect::<Vec<_>>()
                .join(&separator);
            self.diags.push(
                Diagnostic::error(
                    Code::GradeTable,
                    text("grade-table-missing", &[("grades", Arg::Text(&list))]),
                )
                .label(span, text("grade-table-incomplete", &[]))
                .help(text(
                    "grade-table-missing-help",
                    &[("entries", Arg::Text(&entries))],
                ))
                .fixes_from(fix),
            );
            return self.poisoned(span);
        }
        let table: Vec<Expr> = table.into_iter().flatten().collect();
        let ty = if as_points {
            Ty::Score
        } else {
            self.unify_outputs(table.iter())
        };
        Expr {
            kind: ExprKind::ByGrade(table),
            ty,
            span,
        }
    }

    // ------------------------------------------------------------ helpers

    fn check_points_constant(&mut self, points: Option<Decimal>, span: Span) {
        if let Some(p) = points
            && (p < Decimal::ZERO || p > Decimal::ONE_HUNDRED)
        {
            self.diags.push(
                Diagnostic::error(
                    Code::PointsRange,
                    text(
                        "points-outside",
                        &[("points", Arg::Text(&p.normalize().to_string()))],
                    ),
                )
                .label(span, text("points-outside-label", &[]))
                .help(text("points-outside-help", &[])),
            );
        }
    }

    fn check_currency(&mut self, mark: &CurrencyMark, span: Span) {
        if let Some(currency) = self.currency
            && let Some(d) = currency_mistake(mark, span, currency)
        {
            self.diags.push(d);
        }
    }

    fn same_unit(&mut self, subject: &Expr, other: &Expr, subject_words: &str) {
        if self.plain_vs_percent(subject, other) {
            return;
        }
        if types::unify(subject.ty, other.ty).is_err() {
            self.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "{} cannot be compared with {}",
                        other.ty.words(),
                        subject.ty.words()
                    ),
                )
                .label(other.span, format!("this is {}", other.ty.words()))
                .label(
                    subject.span,
                    format!("{subject_words} is {}", subject.ty.words()),
                )
                .help(compare_help(subject.ty, other.ty)),
            );
        }
    }

    fn unify_outputs<'e>(&mut self, outputs: impl Iterator<Item = &'e Expr>) -> Ty {
        let mut ty = Ty::Literal;
        let mut first: Option<&Expr> = None;
        for output in outputs {
            if let Some(f) = first
                && self.plain_vs_percent(f, output)
            {
                return Ty::Error;
            }
            match types::unify(ty, output.ty) {
                Ok(t) => ty = t,
                Err(_) => {
                    let first_ty = first.map_or(Ty::Error, |f| f.ty);
                    let mut d = Diagnostic::error(
                        Code::TypeMismatch,
                        "a table's values have different units",
                    )
                    .label(output.span, format!("this is {}", output.ty.words()));
                    if let Some(f) = first {
                        d = d.label(f.span, format!("this is {}", first_ty.words()));
                    }
                    self.diags
                        .push(d.help("every value in one table must have the same unit"));
                    return Ty::Error;
                }
            }
            first.get_or_insert(output);
        }
        ty
    }

    fn unify_branches(&mut self, a: &Expr, b: &Expr, what: &str) -> Ty {
        if self.plain_vs_percent(a, b) {
            return Ty::Error;
        }
        match types::unify(a.ty, b.ty) {
            Ok(ty) => ty,
            Err(_) => {
                self.mismatch(
                    format!("{what} have different units"),
                    a,
                    b,
                    "both branches must give the same kind of value, e.g. both money".to_string(),
                );
                Ty::Error
            }
        }
    }

    /// A plain number meeting a percentage must be written as one: `100`
    /// next to `完成率` would mean 10000%, which is never what was meant.
    /// Zero is the same in both units and allowed. Reports and returns true
    /// when the mistake is there.
    fn plain_vs_percent(&mut self, a: &Expr, b: &Expr) -> bool {
        let (percent, plain) = match (a.ty, b.ty) {
            (Ty::Ratio, Ty::Literal) => (a, b),
            (Ty::Literal, Ty::Ratio) => (b, a),
            _ => return false,
        };
        let Some(value) = plain.constant() else {
            return false;
        };
        if value.is_zero() {
            return false;
        }
        let text = self.source.slice(plain.span).trim().to_string();
        let as_percent = value
            .checked_mul(Decimal::ONE_HUNDRED)
            .map(|v| format!("{}%", v.normalize()))
            .unwrap_or_default();
        let help = if value.abs() < Decimal::ONE {
            format!(
                "write percentages with `%`: `{}%` for {text} percent, or `{as_percent}` for the fraction {text}",
                text
            )
        } else {
            format!("write `{text}%` for {text} percent")
        };
        self.diags.push(
            Diagnostic::error(
                Code::TypeMismatch,
                format!("`{text}` is a plain number but it is used as a percentage"),
            )
            .label(plain.span, format!("here `{text}` would mean {as_percent}"))
            .label(percent.span, self.describe(percent))
            .help(help),
        );
        true
    }

    fn mismatch(&mut self, message: String, l: &Expr, r: &Expr, help: String) {
        self.diags.push(
            Diagnostic::error(Code::TypeMismatch, message)
                .label(l.span, self.describe(l))
                .label(r.span, self.describe(r))
                .help(help),
        );
    }

    /// "`成交额` is money", or "this is a percentage" for longer formulas.
    fn describe(&self, e: &Expr) -> String {
        let text = self.source.slice(e.span);
        if text.chars().count() <= 24 && !text.contains('\n') {
            format!("`{text}` is {}", e.ty.words())
        } else {
            format!("this is {}", e.ty.words())
        }
    }

    pub fn poisoned(&self, span: Span) -> Expr {
        Expr {
            kind: ExprKind::Number(Decimal::ZERO),
            ty: Ty::Error,
            span,
        }
    }
}

fn no_grades(span: Span, names: &[&str]) -> Diagnostic {
    let example = match names {
        [] | [_] => "S >= 95, A >= 85, B >= 75, C >= 65, D otherwise".to_string(),
        [init @ .., last] => {
            let mut parts: Vec<String> = init
                .iter()
                .enumerate()
                .map(|(i, n)| format!("{n} >= {}", 95 - 10 * i.min(9)))
                .collect();
            parts.push(format!("{last} otherwise"));
            parts.join(", ")
        }
    };
    Diagnostic::error(Code::GradesMissing, "this policy has no grades")
        .label(span, "uses the grade")
        .help(format!(
            "add a `grades {{ {example} }}` block (with your own thresholds)"
        ))
}

fn example_amount(currency: &str) -> String {
    match currency {
        "CNY" => "`¥1,200` or `1200元`".to_string(),
        "USD" => "`$1,200`".to_string(),
        "EUR" => "`€1,200`".to_string(),
        "GBP" => "`£1,200`".to_string(),
        other => format!("`1200 {other}`"),
    }
}

fn mismatch_help(op: ArithOp, a: Ty, b: Ty) -> String {
    use Ty::*;
    let pair = |x: Ty, y: Ty| (a == x && b == y) || (a == y && b == x);
    match op {
        ArithOp::Add | ArithOp::Sub if pair(Money, Ratio) => {
            "a percentage is not an amount: to take a share of money multiply (`成交额 * 80%`); to work with a ratio, divide money by money first (`费用 / 营业额`)".into()
        }
        ArithOp::Add | ArithOp::Sub if pair(Score, Ratio) => {
            "a score is points (0–100): write `80`, not `80%`, for 80 points".into()
        }
        ArithOp::Add | ArithOp::Sub if pair(Score, Money) => {
            "points and money cannot be added: a pay formula turns points into money by multiplying, e.g. `绩效基数 * score / 100`".into()
        }
        ArithOp::Mul if pair(Money, Money) => {
            "multiplying two amounts of money means nothing: one side should be a rate such as `2%` or a coefficient".into()
        }
        ArithOp::Mul if pair(Score, Score) => {
            "multiplying points by points means nothing: scale points by a number or a percentage".into()
        }
        ArithOp::Div if b == Money => {
            "only money can be divided by money (`费用 / 营业额` is a ratio)".into()
        }
        ArithOp::Div if b == Score => "only points can be divided by points".into(),
        _ => "both sides must have the same unit: money with money, points with points, percentages with percentages".into(),
    }
}

fn compare_help(a: Ty, b: Ty) -> String {
    use Ty::*;
    let pair = |x: Ty, y: Ty| (a == x && b == y) || (a == y && b == x);
    if pair(Score, Ratio) {
        "a score is points (0–100): compare it with `80`, not `80%`".into()
    } else if pair(Score, Money) {
        "a score is points and cannot be compared with an amount of money; compare points with points (`score >= 85`) and money with money".into()
    } else if pair(Money, Ratio) {
        "an amount cannot be compared with a percentage: compare a ratio instead, e.g. `费用 / 营业额 <= 15%`".into()
    } else if pair(Number, Ratio) {
        "a plain number cannot be compared with a percentage: compare a count with a count (`>= 450`), or read a number written without `%` as percent with `percent(…)` (`percent(2.01)` is 2.01%); `x * 1%` and `x / 100` stay plain numbers".into()
    } else if pair(Score, Number) {
        "a score is points: to use a plain number as points it must be 0–100, or score it with a table such as `linear { 0 => 0, 10 => 100 }`".into()
    } else if a == Bool || b == Bool {
        "a yes/no value can only be compared with `yes` or `no`; usually it is used on its own as the condition".into()
    } else {
        "both sides of a comparison must have the same unit".into()
    }
}

/// The error of an amount written in another currency than the policy's.
pub(super) fn currency_mistake(
    mark: &CurrencyMark,
    span: Span,
    currency: &str,
) -> Option<Diagnostic> {
    let matches = match mark {
        CurrencyMark::Code(code) => code == currency,
        CurrencyMark::Yuan => currency == "CNY",
        CurrencyMark::Symbol('¥') => matches!(currency, "CNY" | "JPY"),
        CurrencyMark::Symbol('$') => currency.ends_with('D'),
        CurrencyMark::Symbol('€') => currency == "EUR",
        CurrencyMark::Symbol('£') => currency == "GBP",
        CurrencyMark::Symbol(_) => false,
    };
    (!matches).then(|| {
        Diagnostic::error(
            Code::Currency,
            format!("this amount is not in {currency}, the policy's currency"),
        )
        .label(span, "another currency")
        .help(format!(
            "write amounts in {currency}, e.g. {}",
            example_amount(currency)
        ))
    })
}

fn kpi_label(span: Span, message: impl Into<String>) -> crate::language::diagnostic::Label {
    crate::language::diagnostic::Label {
        span,
        message: message.into(),
    }
}

/// Whether an amount of money is written in `e` (`¥50`).
fn has_money_literal(e: &ast::Expr) -> bool {
    let mut found = matches!(e.kind, A::Money { .. });
    e.for_each_child(|c| found |= has_money_literal(c));
    found
}
