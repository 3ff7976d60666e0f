//! Laying out formulas: on one line when they fit, tables on lines of
//! their own, parentheses only where binding needs them.

use super::*;

impl Printer<'_> {
    /// Writes an expression into the current line; tables that do not fit
    /// on it continue on lines of their own at `indent + 1`.
    pub(super) fn expr(&mut self, e: &Expr, min: u8, indent: usize) {
        match &e.kind {
            ExprKind::Steps {
                subject,
                steps,
                any_order,
            } => self.steps(e, subject.as_deref(), steps, *any_order, min, indent),
            ExprKind::Linear { subject, points } => {
                let flat = self.flat(e, min);
                let current = self.line.as_ref().map_or(0, |l| l.width());
                if !self.expand && current + flat.width() <= WIDTH {
                    self.text(&flat);
                } else {
                    self.linear_lines(e, subject.as_deref(), points, indent);
                }
            }
            ExprKind::Binary(op, l, r) if has_steps(e) => {
                let p = precedence(*op);
                let paren = p < min;
                if paren {
                    self.text("(");
                }
                self.expr(l, p, indent);
                self.text(&format!(" {} ", op_text(*op)));
                self.expr(r, p + 1, indent);
                if paren {
                    self.text(")");
                }
            }
            _ => {
                let flat = self.flat(e, min);
                self.text(&flat);
            }
        }
    }

    pub(super) fn steps(
        &mut self,
        e: &Expr,
        subject: Option<&Expr>,
        steps: &[Step],
        any_order: bool,
        min: u8,
        indent: usize,
    ) {
        let paren = PRIMARY < min;
        if paren {
            self.text("(");
        }
        self.text("steps ");
        if let Some(s) = subject {
            self.text(&format!("of {} ", self.flat(s, ARITH)));
        }
        if any_order {
            self.text("in any order ");
        }
        self.text("{");
        let open = subject.map_or(e.span.start, |s| s.span.end);
        let brace = self.after(open, '{');
        self.end(brace);
        let width = steps
            .iter()
            .filter_map(|s| s.condition.as_ref())
            .map(|(op, t)| format!("{} {}", op.symbol(), self.flat(t, ARITH)).width())
            .max()
            .unwrap_or(0);
        for step in steps {
            self.begin(step.span.start, indent + 1);
            match &step.condition {
                Some((op, threshold)) => {
                    let head = format!("{} {}", op.symbol(), self.flat(threshold, ARITH));
                    self.text(&format!("{head}{} => ", pad(&head, width)));
                }
                None => self.text("otherwise "),
            }
            let value = self.flat(&step.value, ARITH);
            self.text(&value);
            self.end(step.span.end);
        }
        self.begin_close(e.span.end.saturating_sub(1), indent);
        self.text("}");
        if paren {
            self.text(")");
        }
    }

    pub(super) fn linear_lines(
        &mut self,
        e: &Expr,
        subject: Option<&Expr>,
        points: &[LinearPoint],
        indent: usize,
    ) {
        self.text("linear ");
        if let Some(s) = subject {
            self.text(&format!("of {} ", self.flat(s, ARITH)));
        }
        self.text("{");
        let open = subject.map_or(e.span.start, |s| s.span.end);
        let brace = self.after(open, '{');
        self.end(brace);
        let width = points
            .iter()
            .map(|p| self.flat(&p.at, ARITH).width())
            .max()
            .unwrap_or(0);
        for point in points {
            self.begin(point.span.start, indent + 1);
            let at = self.flat(&point.at, ARITH);
            self.text(&format!(
                "{at}{} => {}",
                pad(&at, width),
                self.flat(&point.value, ARITH)
            ));
            self.end(point.span.end);
        }
        self.begin_close(e.span.end.saturating_sub(1), indent);
        self.text("}");
    }

    /// An expression on one line, with the parentheses its precedence
    /// needs when it stands where binding strength `min` is required.
    pub(super) fn flat(&self, e: &Expr, min: u8) -> String {
        let (text, p) = match &e.kind {
            ExprKind::Number(_) | ExprKind::Percent(_) | ExprKind::Money { .. } => {
                (literal(unparenthesised(self.slice(e.span))), PRIMARY)
            }
            ExprKind::Bool(b) => ((if *b { "yes" } else { "no" }).to_string(), PRIMARY),
            ExprKind::Name(n) => (n.clone(), PRIMARY),
            ExprKind::Score => ("score".to_string(), PRIMARY),
            ExprKind::Grade => ("grade".to_string(), PRIMARY),
            ExprKind::Measure => ("measure".to_string(), PRIMARY),
            ExprKind::Unary(UnaryOp::Neg, x) => (format!("-{}", self.flat(x, NEG)), NEG),
            ExprKind::Unary(UnaryOp::Not, x) => (format!("not {}", self.flat(x, NOT)), NOT),
            ExprKind::Binary(op, l, r) => {
                let p = precedence(*op);
                (
                    format!(
                        "{} {} {}",
                        self.flat(l, p),
                        op_text(*op),
                        self.flat(r, p + 1)
                    ),
                    p,
                )
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => (
                format!(
                    "if {} then {} else {}",
                    self.flat(condition, 0),
                    self.flat(then, 0),
                    self.flat(otherwise, 0)
                ),
                0,
            ),
            ExprKind::Call { function, args } => {
                let args: Vec<String> = args.iter().map(|a| self.flat(a, 0)).collect();
                (format!("{}({})", function.text, args.join(", ")), PRIMARY)
            }
            ExprKind::Linear { subject, points } => {
                let points: Vec<String> = points
                    .iter()
                    .map(|p| {
                        format!(
                            "{} => {}",
                            self.flat(&p.at, ARITH),
                            self.flat(&p.value, ARITH)
                        )
                    })
                    .collect();
                (
                    format!(
                        "linear {}{{ {} }}",
                        self.subject(subject.as_deref()),
                        points.join(", ")
                    ),
                    PRIMARY,
                )
            }
            ExprKind::Steps {
                subject,
                steps,
                any_order,
            } => {
                let steps: Vec<String> = steps
                    .iter()
                    .map(|s| match &s.condition {
                        Some((op, t)) => format!(
                            "{} {} => {}",
                            op.symbol(),
                            self.flat(t, ARITH),
                            self.flat(&s.value, ARITH)
                        ),
                        None => format!("otherwise {}", self.flat(&s.value, ARITH)),
                    })
                    .collect();
                (
                    format!(
                        "steps {}{}{{ {} }}",
                        self.subject(subject.as_deref()),
                        if *any_order { "in any order " } else { "" },
                        steps.join(", ")
                    ),
                    PRIMARY,
                )
            }
            ExprKind::ByGrade(values, any_order) => {
                let values: Vec<String> = values
                    .iter()
                    .map(|v| format!("{} {}", v.grade.text, self.flat(&v.value, ARITH)))
                    .collect();
                let order = if *any_order { "in any order " } else { "" };
                (
                    format!("by grade {order}{{ {} }}", values.join(", ")),
                    PRIMARY,
                )
            }
        };
        if p < min { format!("({text})") } else { text }
    }

    pub(super) fn subject(&self, subject: Option<&Expr>) -> String {
        subject
            .map(|s| format!("of {} ", self.flat(s, ARITH)))
            .unwrap_or_default()
    }
}

// Binding strengths, loosest first, as in the grammar's Pratt table.
pub(super) const OR: u8 = 1;
pub(super) const AND: u8 = 2;
pub(super) const NOT: u8 = 3;
pub(super) const CMP: u8 = 4;
/// Where the grammar wants `arith`: no comparisons, `if` only in parentheses.
pub(super) const ARITH: u8 = 5;
pub(super) const MUL: u8 = 6;
pub(super) const NEG: u8 = 7;
pub(super) const PRIMARY: u8 = 8;

pub(super) fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => OR,
        BinaryOp::And => AND,
        BinaryOp::Cmp(_) => CMP,
        BinaryOp::Add | BinaryOp::Sub => ARITH,
        BinaryOp::Mul | BinaryOp::Div => MUL,
    }
}

pub(super) fn op_text(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        other => other.symbol(),
    }
}

pub(super) fn has_steps(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Steps { .. } => true,
        ExprKind::Binary(_, l, r) => has_steps(l) || has_steps(r),
        _ => false,
    }
}

/// The text of a literal written in parentheses, without them: `(90%)`.
pub(super) fn unparenthesised(text: &str) -> &str {
    let mut text = text.trim();
    while let Some(inner) = text
        .strip_prefix(['(', '（'])
        .and_then(|t| t.strip_suffix([')', '）']))
    {
        text = inner.trim();
    }
    text
}

/// A literal as written, with full-width signs made half-width.
pub(super) fn literal(text: &str) -> String {
    text.replace('％', "%").replace('￥', "¥")
}

/// A label in `"…"`, quotes and backslashes escaped.
pub(super) fn label(l: &Label) -> String {
    format!("\"{}\"", l.text.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(super) fn label_after(l: Option<&Label>) -> String {
    l.map(|l| format!(" {}", label(l))).unwrap_or_default()
}

/// Whether a column name can be written without quotes.
pub(super) fn is_plain_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && !crate::language::syntax::RESERVED.contains(&text)
}

pub(super) fn pad(text: &str, width: usize) -> String {
    " ".repeat(width.saturating_sub(text.width()))
}

pub(super) fn target_text(target: &ExpectTarget) -> String {
    match target {
        ExpectTarget::Score(_) => "score".to_string(),
        ExpectTarget::Grade(_) => "grade".to_string(),
        ExpectTarget::Name(n) => n.text.clone(),
    }
}

pub(super) fn band_condition(c: &BandCondition) -> String {
    let num = |b: &Bound| b.value.normalize().to_string();
    match c {
        BandCondition::Otherwise => "otherwise".to_string(),
        BandCondition::AtLeast(b) => format!("{} {}", if b.inclusive { ">=" } else { ">" }, num(b)),
        BandCondition::Interval {
            lower,
            upper,
            lower_first,
        } => {
            let lower_op = |b: &Bound| if b.inclusive { "<=" } else { "<" };
            match (lower, upper) {
                (Some(lo), Some(hi)) => format!(
                    "{} {} score {} {}",
                    num(lo),
                    lower_op(lo),
                    lower_op(hi),
                    num(hi)
                ),
                (Some(lo), None) if *lower_first => format!("{} {} score", num(lo), lower_op(lo)),
                (Some(lo), None) => format!(
                    "score {} {}",
                    if lo.inclusive { ">=" } else { ">" },
                    num(lo)
                ),
                // `95 >= score`: an upper bound written first.
                (None, Some(hi)) if *lower_first => {
                    format!(
                        "{} {} score",
                        num(hi),
                        if hi.inclusive { ">=" } else { ">" }
                    )
                }
                (None, Some(hi)) => format!("score {} {}", lower_op(hi), num(hi)),
                (None, None) => "otherwise".to_string(),
            }
        }
    }
}
