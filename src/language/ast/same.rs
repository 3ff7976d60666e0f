//! Two policies compared for what they say, not where: spans cleared,
//! numbers by value. The formatter checks its own output with this.

use super::*;

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
                if let Some((_, s)) = &mut d.written {
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
