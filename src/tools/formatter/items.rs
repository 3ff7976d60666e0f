//! Laying out the policy's items: declarations, indicators and their
//! clauses, grades, quotas, examples.

use super::*;

impl Printer<'_> {
    pub(super) fn item(&mut self, item: &Item, widths: &Widths, group: (usize, usize)) {
        let span = item.span();
        match item {
            Item::Period(d) => self.simple(span, &format!("period {}", d.period.as_str())),
            Item::Currency(d) => self.simple(span, &format!("currency {}", d.code)),
            Item::Round(d) => {
                let target = match d.target {
                    RoundTarget::Money => "money",
                    RoundTarget::Scores => "scores",
                };
                let mut text = if d.exact {
                    format!("round {target} exactly")
                } else {
                    format!("round {target} to {}", self.slice(d.quantum_span))
                };
                if let Some(mode) = d.mode {
                    text.push(' ');
                    text.push_str(mode.as_str());
                }
                self.simple(span, &text);
            }
            Item::Employee(d) => {
                let field = match d.field {
                    EmployeeField::Id => "id",
                    EmployeeField::Name => "name",
                    EmployeeField::Plan => "plan",
                };
                let column = if is_plain_name(&d.column.text) {
                    d.column.text.clone()
                } else {
                    label(&d.column)
                };
                self.simple(span, &format!("employee {field} {column}"));
            }
            Item::Input(d) => {
                let (name_width, type_width) = group;
                let mut text = format!(
                    "input {}{} {}",
                    d.name.text,
                    pad(&d.name.text, name_width),
                    d.ty.as_str()
                );
                if let Some(l) = &d.label {
                    text.push_str(&pad(d.ty.as_str(), type_width));
                    text.push(' ');
                    text.push_str(&label(l));
                }
                if !d.aliases.is_empty() {
                    let aliases: Vec<String> = d.aliases.iter().map(label).collect();
                    text.push_str(&format!(" aliases {}", aliases.join(", ")));
                }
                match &d.missing {
                    Some(MissingDecl::Default(value)) => {
                        text.push_str(&format!(" default {}", self.flat(value, ARITH)));
                    }
                    Some(MissingDecl::Optional(_)) => text.push_str(" optional"),
                    None => {}
                }
                if let Some((rule, _)) = d.yearly {
                    text.push_str(&format!(" yearly {}", rule.as_str()));
                }
                if !d.range.is_empty() {
                    let bounds: Vec<String> = d
                        .range
                        .iter()
                        .map(|b| format!("{} {}", b.op.symbol(), self.flat(&b.value, ARITH)))
                        .collect();
                    text.push_str(&format!(" range {}", bounds.join(" and ")));
                }
                if let Some((way, _)) = d.better {
                    text.push_str(&format!(" {} is better", way.as_str()));
                }
                if let Some((form, _)) = d.written {
                    text.push_str(&format!(" written as {}", form.as_str()));
                }
                self.simple(span, &text);
            }
            Item::Let(d) => self.definition(span, "let", &d.name, d.label.as_ref(), &d.value),
            Item::Pay(d) => self.definition(span, "pay", &d.name, d.label.as_ref(), &d.value),
            Item::Indicator(d) => {
                self.begin(span.start, 1);
                let head = format!("indicator {}{}", d.name.text, label_after(d.label.as_ref()));
                self.text(&format!(
                    "{head}{} weight {}{} {{",
                    pad(&head, widths.indicator_head),
                    self.slice(d.weight_span).replace('％', "%"),
                    if d.financial { " financial" } else { "" }
                ));
                let brace = self.after(d.weight_span.end, '{');
                self.end(brace);
                self.clauses(&d.clauses, 2);
                self.close_block(span, 1);
            }
            Item::Adjustment(d) => {
                let kind = match d.kind {
                    AdjustmentKind::Bonus => "bonus",
                    AdjustmentKind::Deduction => "deduction",
                };
                self.begin(span.start, 1);
                self.text(&format!(
                    "{kind} {}{} {{",
                    d.name.text,
                    label_after(d.label.as_ref())
                ));
                let after_name = d.label.as_ref().map_or(d.name.span.end, |l| l.span.end);
                let brace = self.after(after_name, '{');
                self.end(brace);
                self.clauses(&d.clauses, 2);
                self.close_block(span, 1);
            }
            Item::AdjustCap(d) => {
                let total = match d.total {
                    AdjustTotal::Bonuses => "bonuses",
                    AdjustTotal::Deductions => "deductions",
                    AdjustTotal::Adjustments => "adjustments",
                };
                self.simple(span, &format!("{total} cap {}", self.slice(d.cap_span)));
            }
            Item::ScoreRange(d) => self.simple(
                span,
                &format!(
                    "score range {} to {}",
                    d.low.normalize(),
                    d.high.normalize()
                ),
            ),
            Item::Grades(d) => self.grades(d),
            Item::Quotas(d) => self.quotas(d),
            Item::Veto(d) => {
                self.begin(span.start, 1);
                let mut text = "veto".to_string();
                if let Some(l) = &d.label {
                    text.push(' ');
                    text.push_str(&label(l));
                }
                text.push_str(&format!(" when {} => ", self.flat(&d.condition, 0)));
                match &d.effect {
                    VetoEffect::Grade(g) => text.push_str(&format!("grade {}", g.text)),
                    VetoEffect::ZeroIndicator {
                        points_span,
                        indicator,
                        ..
                    } => {
                        text.push_str(&format!(
                            "{} points for {}",
                            self.slice(*points_span),
                            indicator.text
                        ));
                    }
                }
                self.text(&text);
                self.end(span.end);
            }
            Item::Example(d) => self.example(d),
            Item::Year(d) => {
                self.begin(span.start, 1);
                self.text("year {");
                let brace = self.after(span.start, '{');
                self.end(brace);
                if let Some((rule, line)) = d.missing {
                    let rule = match rule {
                        MissingQuarters::Average => "average",
                        MissingQuarters::Prorate => "prorate",
                    };
                    self.begin(line.start, 2);
                    self.text(&format!("missing quarters {rule}"));
                    self.end(line.end);
                }
                self.close_block(span, 1);
            }
            Item::Override(d) => {
                let target = match d.target {
                    OverrideTarget::Score => "score",
                    OverrideTarget::Grade => "grade",
                };
                let column = |l: &Label| {
                    if is_plain_name(&l.text) {
                        l.text.clone()
                    } else {
                        label(l)
                    }
                };
                self.simple(
                    span,
                    &format!(
                        "override {target} from {} reason {}",
                        column(&d.column),
                        column(&d.reason)
                    ),
                );
            }
            Item::Drop(d) => {
                let names: Vec<&str> = d.names.iter().map(|n| n.text.as_str()).collect();
                self.simple(span, &format!("drop {}", names.join(", ")));
            }
            Item::Plan(d) => {
                self.begin(span.start, 1);
                let mut head = format!("plan {}{}", d.name.text, label_after(d.label.as_ref()));
                if let Some(parent) = &d.extends {
                    head.push_str(&format!(" extends {}", parent.text));
                }
                self.text(&format!("{head} {{"));
                let after_head = d
                    .extends
                    .as_ref()
                    .map(|n| n.span.end)
                    .or(d.label.as_ref().map(|l| l.span.end))
                    .unwrap_or(d.name.span.end);
                let brace = self.after(after_head, '{');
                self.end(brace);
                // The plan's items, one level deeper.
                self.base += 1;
                for inner in &d.items {
                    self.keeping_comments(inner.span(), 1, "", |p| p.item(inner, widths, (0, 0)));
                }
                self.base -= 1;
                self.close_block(span, 1);
            }
        }
    }

    pub(super) fn simple(&mut self, span: Span, text: &str) {
        self.begin(span.start, 1);
        self.text(text);
        self.end(span.end);
    }

    pub(super) fn close_block(&mut self, span: Span, indent: usize) {
        let close = span.end.saturating_sub(1);
        self.begin_close(close, indent);
        self.text("}");
        self.end(span.end);
    }

    /// Starts the line of a closing `}`: comments before it are inside the
    /// block, one level deeper.
    pub(super) fn begin_close(&mut self, at: usize, indent: usize) {
        self.close_line(at);
        self.flush_comments(at, indent + 1);
        self.begin(at, indent);
    }

    /// `let`/`pay NAME "label" = formula`, the formula broken over lines
    /// when it is too long or holds a steps table.
    pub(super) fn definition(
        &mut self,
        span: Span,
        keyword: &str,
        name: &Name,
        l: Option<&Label>,
        value: &Expr,
    ) {
        self.begin(span.start, 1);
        let head = format!("{keyword} {}{} =", name.text, label_after(l));
        self.text(&head);
        let flat = self.flat(value, 0);
        let fits =
            !self.expand && 2 + head.width() + 1 + flat.width() <= WIDTH && !has_steps(value);
        if fits {
            self.text(" ");
            self.text(&flat);
            self.end(span.end);
        } else if let ExprKind::If { .. } = value.kind {
            // One branch per line.
            self.end(name.span.end);
            self.if_chain(value, 2);
            self.close_line(span.end);
            self.last = self.last.max(span.end);
        } else {
            self.text(" ");
            self.expr(value, 0, 1);
            self.end(span.end);
        }
    }

    pub(super) fn if_chain(&mut self, e: &Expr, indent: usize) {
        let ExprKind::If {
            condition,
            then,
            otherwise,
        } = &e.kind
        else {
            return;
        };
        self.begin(e.span.start, indent);
        self.text(&format!("if {} then ", self.flat(condition, 0)));
        self.expr(then, 0, indent);
        let mut rest = otherwise.as_ref();
        loop {
            match &rest.kind {
                ExprKind::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    self.close_line(rest.span.start);
                    self.begin(rest.span.start, indent);
                    self.text(&format!("else if {} then ", self.flat(condition, 0)));
                    self.expr(then, 0, indent);
                    rest = otherwise;
                }
                _ => {
                    self.close_line(rest.span.start);
                    self.begin(rest.span.start, indent);
                    self.text("else ");
                    self.expr(rest, 0, indent);
                    self.end(rest.span.end);
                    return;
                }
            }
        }
    }

    pub(super) fn clauses(&mut self, clauses: &[Clause], indent: usize) {
        for clause in clauses {
            let (span, head) = match clause {
                Clause::Measure(e) => (e.span, "measure "),
                Clause::Points(rule) => (rule.span(), "points "),
                Clause::Cap(_, span) => (*span, "cap "),
                Clause::Floor(_, span) => (*span, "floor "),
            };
            self.keeping_comments(span, indent, head, |p| p.clause(clause, indent));
        }
    }

    pub(super) fn clause(&mut self, clause: &Clause, indent: usize) {
        {
            match clause {
                Clause::Measure(e) => {
                    self.begin(e.span.start, indent);
                    self.text("measure ");
                    self.expr(e, 0, indent);
                    self.end(e.span.end);
                }
                Clause::Points(rule) => {
                    let span = rule.span();
                    self.begin(span.start, indent);
                    self.text("points ");
                    self.points_rule(rule, indent);
                    self.end(span.end);
                }
                Clause::Cap(_, span) => {
                    self.begin(span.start, indent);
                    self.text(&format!("cap {}", self.slice(*span)));
                    self.end(span.end);
                }
                Clause::Floor(_, span) => {
                    self.begin(span.start, indent);
                    self.text(&format!("floor {}", self.slice(*span)));
                    self.end(span.end);
                }
            }
        }
    }

    pub(super) fn points_rule(&mut self, rule: &PointsRule, indent: usize) {
        match rule {
            PointsRule::Expr(e) => self.expr(e, 0, indent),
            PointsRule::When {
                condition,
                points,
                otherwise,
                ..
            } => {
                let head = format!(
                    "when {} => {}",
                    self.flat(condition, 0),
                    self.flat(points, ARITH)
                );
                let column = self.line.as_ref().map_or(0, |l| l.width());
                self.text(&head);
                let rest = match otherwise.as_ref() {
                    PointsRule::Expr(e) if !has_steps(e) => self.flat(e, 0).width(),
                    _ => 0,
                };
                if self.expand || column + head.width() + " otherwise ".len() + rest > WIDTH {
                    // `otherwise` on the next line, under `when`; a comment
                    // after the `when` part stays at its end.
                    let at = otherwise.span().start;
                    self.close_line(points.span.end);
                    self.flush_comments(at, indent + 1);
                    self.begin(at, 0);
                    self.text(&" ".repeat(column));
                } else {
                    self.text(" ");
                }
                self.text("otherwise ");
                self.points_rule(otherwise, indent);
            }
        }
    }

    pub(super) fn grades(&mut self, d: &GradesDecl) {
        self.begin(d.span.start, 1);
        self.text("grades {");
        let brace = self.after(d.span.start, '{');
        self.end(brace);
        let name_width = d
            .bands
            .iter()
            .map(|b| b.name.text.width())
            .max()
            .unwrap_or(0);
        let label_width = d
            .bands
            .iter()
            .map(|b| b.label.as_ref().map_or(0, |l| label(l).width()))
            .max()
            .unwrap_or(0);
        for band in &d.bands {
            self.begin(band.span.start, 2);
            let mut text = format!("{}{}", band.name.text, pad(&band.name.text, name_width));
            if label_width > 0 {
                let l = band.label.as_ref().map(label).unwrap_or_default();
                text.push(' ');
                text.push_str(&l);
                text.push_str(&" ".repeat(label_width - l.width()));
            }
            text.push(' ');
            text.push_str(&band_condition(&band.condition));
            self.text(&text);
            self.end(band.span.end);
        }
        self.close_block(d.span, 1);
    }

    pub(super) fn quotas(&mut self, d: &QuotasDecl) {
        self.begin(d.span.start, 1);
        let mut head = "quotas".to_string();
        if let Some(group) = &d.group {
            head.push_str(" per ");
            head.push_str(&if is_plain_name(&group.text) {
                group.text.clone()
            } else {
                label(group)
            });
        }
        self.text(&format!("{head} {{"));
        let brace = self.after(d.group.as_ref().map_or(d.span.start, |g| g.span.end), '{');
        self.end(brace);
        let sum = |grades: &[Name]| {
            grades
                .iter()
                .map(|g| g.text.as_str())
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let width = d
            .lines
            .iter()
            .filter_map(|l| match l {
                QuotaLine::Limit(l) => Some(sum(&l.grades).width()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        for line in &d.lines {
            let (text, span) = match line {
                QuotaLine::Limit(QuotaLimitDecl {
                    grades,
                    op,
                    share_span,
                    span,
                    ..
                }) => {
                    let left = sum(grades);
                    let text = format!(
                        "{left}{} {} {}",
                        pad(&left, width),
                        op.symbol(),
                        self.slice(*share_span).replace('％', "%")
                    );
                    (text, *span)
                }
                QuotaLine::Rounding { mode, span } => {
                    let mode = match mode {
                        HeadcountRounding::Strict => "strict",
                        HeadcountRounding::HalfUp => "half-up",
                    };
                    (format!("round headcount {mode}"), *span)
                }
                QuotaLine::Ranking { ties, span } => {
                    let mut text = "forced ranking".to_string();
                    if !ties.is_empty() {
                        let keys: Vec<String> = ties
                            .iter()
                            .map(|t| {
                                if t.lower_first {
                                    format!("{} lower first", t.name.text)
                                } else {
                                    t.name.text.clone()
                                }
                            })
                            .collect();
                        text.push_str(", ties by ");
                        text.push_str(&keys.join(", then "));
                    }
                    (text, *span)
                }
            };
            self.begin(span.start, 2);
            self.text(&text);
            self.end(span.end);
        }
        self.close_block(d.span, 1);
    }

    pub(super) fn example(&mut self, d: &ExampleDecl) {
        self.begin(d.span.start, 1);
        self.text(&format!("example {} {{", label(&d.name)));
        let brace = self.after(d.name.span.end, '{');
        self.end(brace);
        let given_width = d
            .lines
            .iter()
            .filter_map(|l| match l {
                ExampleLine::Given { input, .. } => Some(input.text.width()),
                ExampleLine::Expect { .. } => None,
            })
            .max()
            .unwrap_or(0);
        let expect_width = d
            .lines
            .iter()
            .filter_map(|l| match l {
                ExampleLine::Expect { target, .. } => Some(target_text(target).width()),
                ExampleLine::Given { .. } => None,
            })
            .max()
            .unwrap_or(0);
        for line in &d.lines {
            match line {
                ExampleLine::Given { input, value, span } => {
                    self.begin(span.start, 2);
                    self.text(&format!(
                        "{}{} = {}",
                        input.text,
                        pad(&input.text, given_width),
                        self.flat(value, 0)
                    ));
                    self.end(span.end);
                }
                ExampleLine::Expect {
                    target,
                    value,
                    span,
                } => {
                    self.begin(span.start, 2);
                    let t = target_text(target);
                    self.text(&format!(
                        "expect {t}{} = {}",
                        pad(&t, expect_width),
                        self.flat(value, 0)
                    ));
                    self.end(span.end);
                }
            }
        }
        self.close_block(d.span, 1);
    }
}
