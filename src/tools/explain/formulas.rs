//! A formula shown with its values put in, step by step, and the table
//! choice or branch that decided it.

use super::*;

impl Renderer<'_> {
    /// `name = formula`, then the decisions inside it (branches, table
    /// bands), then the formula with values put in and the result.
    pub(super) fn formula(&mut self, indent: usize, name: &str, expr: &Expr, result: &str) {
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
    pub(super) fn branch(&self, condition: &Expr, taken: &Expr, met: bool) -> String {
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
    pub(super) fn referenced(&self, expr: &Expr) -> Vec<String> {
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

    pub(super) fn node_ty(&self, node: Node) -> Ty {
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
    pub(super) fn substitute(&self, e: &Expr) -> Option<String> {
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
    pub(super) fn operand(&self, e: &Expr, parent: ArithOp, right: bool) -> Option<String> {
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

    pub(super) fn table_choice(&self, table: &Expr, choice: &TableChoice) -> String {
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
        // The value looked up, with the digits that tell it from a
        // threshold next to it: the digit that decides the band must show.
        let thresholds: Vec<Decimal> = match &table.kind {
            ExprKind::Steps { bands, .. } => {
                bands.iter().filter_map(|(_, t, _)| t.constant()).collect()
            }
            ExprKind::Linear { points, .. } => {
                points.iter().filter_map(|(at, _)| at.constant()).collect()
            }
            _ => Vec::new(),
        };
        let s = |d: Decimal| format::value_near(policy, Value::Num(d), subject_ty, &thresholds);
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
