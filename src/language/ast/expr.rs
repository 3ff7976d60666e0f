//! Formulas as written: arithmetic, comparisons, conditions, tables and
//! calls, each with its span.

use super::*;

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
