//! `kpi fmt`: one canonical layout for every policy.
//!
//! The AST is printed afresh: two-space indentation, one item per line,
//! aligned columns (inputs, indicator weights, steps thresholds, grade bands,
//! example values), half-width punctuation, labels in `"…"`. Literals keep
//! the text they were written with (`¥1,200`, `100万元`). Comments are not in
//! the AST: they are woven back in by position, each before the line that
//! followed it in the source, or at the end of the line it ended. Blank
//! lines between items are kept (one at most).

use unicode_width::UnicodeWidthStr;

use crate::language::ast::*;
use crate::language::diagnostic::Diagnostic;
use crate::language::source::{Source, Span};

/// Lines longer than this are broken (long `if` chains, linear tables).
const WIDTH: usize = 100;

/// Formats a policy. A policy with syntax errors cannot be formatted.
pub fn format(source: &Source) -> Result<String, Vec<Diagnostic>> {
    let policy = crate::language::syntax::parse(source)?;
    let mut printer = Printer::new(source.text());
    printer.policy(&policy);
    Ok(printer.finish())
}

/// Why a policy was not formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The policy cannot be read.
    Syntax(Vec<Diagnostic>),
    /// The formatted text would say something else: a bug in kpi.
    ChangesMeaning,
    /// A comment would be lost: a bug in kpi.
    LosesComment(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Syntax(d) => write!(f, "{} syntax errors", d.len()),
            Error::ChangesMeaning => f.write_str(
                "kpi fmt would change what the policy says (a bug in kpi: please report it)",
            ),
            Error::LosesComment(c) => write!(
                f,
                "kpi fmt would lose the comment `{c}` (a bug in kpi: please report it)"
            ),
        }
    }
}

/// Formats a policy and checks the result, as Cedar's formatter does: the
/// formatted text must parse to the same policy and keep every comment.
pub fn format_checked(source: &Source) -> Result<String, Error> {
    let original = crate::language::syntax::parse(source).map_err(Error::Syntax)?;
    let formatted = format(source).map_err(Error::Syntax)?;
    let again = crate::language::syntax::parse(&Source::new(source.name(), formatted.clone()))
        .map_err(|_| Error::ChangesMeaning)?;
    if !original.same_as(&again) {
        return Err(Error::ChangesMeaning);
    }
    let kept = comments(&formatted);
    for c in comments(source.text()) {
        let before = comments(source.text())
            .iter()
            .filter(|x| x.text == c.text)
            .count();
        let after = kept.iter().filter(|x| x.text == c.text).count();
        if after < before {
            return Err(Error::LosesComment(c.text));
        }
    }
    Ok(formatted)
}

#[derive(Debug, Clone)]
struct Comment {
    start: usize,
    end: usize,
    text: String,
}

/// Every `//` or `#` comment in the text, with its position.
fn comments(text: &str) -> Vec<Comment> {
    let mut found = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = crate::language::syntax::strip_comment(line);
        if code.len() < line.len() {
            let comment = line[code.len()..].trim_end();
            found.push(Comment {
                start: offset + code.len(),
                end: offset + code.len() + comment.len(),
                text: comment.to_string(),
            });
        }
        offset += line.len();
    }
    found
}

struct Printer<'a> {
    src: &'a str,
    comments: Vec<Comment>,
    next: usize,
    out: String,
    /// The line being written, if one is open.
    line: Option<String>,
    /// The source position of the end of what was printed last.
    last: usize,
    /// Just after a line ending in `{`: no blank line here.
    opened: bool,
    /// Extra indentation: one level inside a `plan` block.
    base: usize,
    /// Break over lines whatever fits on one (tables a point a line, `if`
    /// a branch a line): a construct with a comment inside is printed so,
    /// so that each comment stays beside what it annotates.
    expand: bool,
}

/// Where a [`Printer`] stood, to print a construct again another way.
struct Mark {
    out: usize,
    line: Option<String>,
    next: usize,
    last: usize,
    opened: bool,
}

impl<'a> Printer<'a> {
    fn new(src: &'a str) -> Self {
        Printer {
            src,
            comments: comments(src),
            next: 0,
            out: String::new(),
            line: None,
            last: 0,
            opened: true,
            base: 0,
            expand: false,
        }
    }

    fn finish(mut self) -> String {
        self.close_line(self.src.len());
        // Comments after the policy's closing brace.
        self.flush_comments(usize::MAX, 0);
        let mut out = self.out.trim_end().to_string();
        out.push('\n');
        out
    }

    // ------------------------------------------------------------ lines and comments

    /// Whether the source has a blank line between two positions.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let gap = self.src.get(from.min(to)..to).unwrap_or("");
        let mut newlines = 0;
        for c in gap.chars() {
            match c {
                '\n' => {
                    newlines += 1;
                    if newlines >= 2 {
                        return true;
                    }
                }
                c if c.is_whitespace() => {}
                _ => newlines = 0,
            }
        }
        false
    }

    fn push_blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn mark(&self) -> Mark {
        Mark {
            out: self.out.len(),
            line: self.line.clone(),
            next: self.next,
            last: self.last,
            opened: self.opened,
        }
    }

    fn back_to(&mut self, mark: &Mark) {
        self.out.truncate(mark.out);
        self.line.clone_from(&mark.line);
        self.next = mark.next;
        self.last = mark.last;
        self.opened = mark.opened;
    }

    /// Whether a comment inside `span` is still to be written: the
    /// construct was printed on fewer lines than its comments need.
    fn comment_left_inside(&self, span: Span) -> bool {
        self.comments
            .get(self.next)
            .is_some_and(|c| c.start >= span.start && c.start < span.end)
    }

    /// Prints the construct at `span` with `print`, keeping its comments
    /// where they are: if a comment inside it would be pushed below it (the
    /// construct was put on one line), it is printed again broken over
    /// lines; if even that leaves a comment out of place, its source is
    /// kept as written, `head` (its keyword) and all, only re-indented.
    fn keeping_comments(
        &mut self,
        span: Span,
        indent: usize,
        head: &str,
        print: impl Fn(&mut Self),
    ) {
        let mark = self.mark();
        print(self);
        if !self.comment_left_inside(span) {
            return;
        }
        self.back_to(&mark);
        let expand = std::mem::replace(&mut self.expand, true);
        print(self);
        self.expand = expand;
        if !self.comment_left_inside(span) {
            return;
        }
        self.back_to(&mark);
        self.verbatim(span, indent, head);
    }

    /// The source of `span` as written after `head`, its later lines
    /// re-indented as they stood against its first.
    fn verbatim(&mut self, span: Span, indent: usize, head: &str) {
        self.begin(span.start, indent);
        self.text(head);
        let line_start = self
            .src
            .get(..span.start)
            .map_or(0, |b| b.rfind('\n').map_or(0, |i| i + 1));
        let indented = |line: &str| line.len() - line.trim_start_matches([' ', '\t']).len();
        let first_indent = indented(self.src.get(line_start..).unwrap_or_default());
        let src = self.src;
        let mut lines = src.get(span.start..span.end).unwrap_or("").split('\n');
        if let Some(first) = lines.next() {
            self.text(first.trim_end());
        }
        for line in lines {
            if let Some(done) = self.line.take() {
                self.out.push_str(done.trim_end());
                self.out.push('\n');
            }
            let deeper = indented(line).saturating_sub(first_indent);
            self.line = Some(format!(
                "{}{}{}",
                "  ".repeat(indent + self.base),
                " ".repeat(deeper),
                line.trim_start_matches([' ', '\t']).trim_end()
            ));
        }
        // Its comments are in the text.
        while self.comment_left_inside(span) {
            self.next += 1;
        }
        self.end(span.end);
    }

    /// Writes the comments that start before `at`, each on its own line.
    fn flush_comments(&mut self, at: usize, indent: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= at {
                break;
            }
            let c = c.clone();
            self.next += 1;
            if self.blank_between(self.last, c.start) && !self.opened {
                self.push_blank();
            }
            self.out.push_str(&"  ".repeat(indent + self.base));
            self.out.push_str(&c.text);
            self.out.push('\n');
            self.last = c.end;
            self.opened = false;
        }
    }

    /// Starts a line for a construct that starts at source position `at`.
    fn begin(&mut self, at: usize, indent: usize) {
        self.close_line(at);
        self.flush_comments(at, indent);
        if self.blank_between(self.last, at) && !self.opened {
            self.push_blank();
        }
        self.line = Some("  ".repeat(indent + self.base));
        self.opened = false;
    }

    fn text(&mut self, s: &str) {
        if let Some(line) = &mut self.line {
            line.push_str(s);
        }
    }

    /// Ends the line of a construct that ended at `end`, with the comment
    /// that followed it on its source line.
    fn end(&mut self, end: usize) {
        let Some(mut line) = self.line.take() else {
            return;
        };
        let mut last = end;
        if let Some(c) = self.comments.get(self.next)
            && c.start >= end
            && self.src.get(end..c.start).is_some_and(|between| {
                between
                    .chars()
                    .all(|ch| ch == ' ' || ch == '\t' || ",;}）)".contains(ch))
            })
        {
            line.push_str("  ");
            line.push_str(&c.text);
            last = c.end;
            self.next += 1;
        }
        self.out.push_str(line.trim_end());
        self.out.push('\n');
        self.opened = line.trim_end().ends_with('{');
        self.last = self.last.max(last);
    }

    fn close_line(&mut self, at: usize) {
        if self.line.is_some() {
            self.end(at);
        }
    }

    // ------------------------------------------------------------ the policy

    fn policy(&mut self, policy: &Policy) {
        self.begin(policy.span.start, 0);
        self.text(&format!("policy {} {{", label(&policy.name)));
        let brace = self.after(policy.name.span.end, '{');
        self.end(brace);
        let widths = Widths::of(policy);
        for (i, item) in policy.items.iter().enumerate() {
            let group = if matches!(item, Item::Input(_)) {
                widths.input_group(&policy.items, i, self)
            } else {
                (0, 0)
            };
            self.keeping_comments(item.span(), 1, "", |p| p.item(item, &widths, group));
        }
        let close = policy.span.end.saturating_sub(1);
        self.begin_close(close, 0);
        self.text("}");
        self.end(policy.span.end);
    }

    /// The position just after the first `c` (or its full-width twin) at or after `from`.
    fn after(&self, from: usize, c: char) -> usize {
        let twin = match c {
            '{' => '｛',
            _ => c,
        };
        self.src
            .get(from..)
            .and_then(|rest| {
                rest.find([c, twin])
                    .map(|i| from + i + rest[i..].chars().next().map_or(1, char::len_utf8))
            })
            .unwrap_or(from)
    }

    fn item(&mut self, item: &Item, widths: &Widths, group: (usize, usize)) {
        let span = item.span();
        match item {
            Item::Period(d) => self.simple(span, &format!("period {}", d.period.as_str())),
            Item::Currency(d) => self.simple(span, &format!("currency {}", d.code)),
            Item::Round(d) => {
                let target = match d.target {
                    RoundTarget::Money => "money",
                    RoundTarget::Scores => "scores",
                };
                let mut text = format!("round {target} to {}", self.slice(d.quantum_span));
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

    fn simple(&mut self, span: Span, text: &str) {
        self.begin(span.start, 1);
        self.text(text);
        self.end(span.end);
    }

    fn close_block(&mut self, span: Span, indent: usize) {
        let close = span.end.saturating_sub(1);
        self.begin_close(close, indent);
        self.text("}");
        self.end(span.end);
    }

    /// Starts the line of a closing `}`: comments before it are inside the
    /// block, one level deeper.
    fn begin_close(&mut self, at: usize, indent: usize) {
        self.close_line(at);
        self.flush_comments(at, indent + 1);
        self.begin(at, indent);
    }

    /// `let`/`pay NAME "label" = formula`, the formula broken over lines
    /// when it is too long or holds a steps table.
    fn definition(
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

    fn if_chain(&mut self, e: &Expr, indent: usize) {
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

    fn clauses(&mut self, clauses: &[Clause], indent: usize) {
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

    fn clause(&mut self, clause: &Clause, indent: usize) {
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

    fn points_rule(&mut self, rule: &PointsRule, indent: usize) {
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

    fn grades(&mut self, d: &GradesDecl) {
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

    fn quotas(&mut self, d: &QuotasDecl) {
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

    fn example(&mut self, d: &ExampleDecl) {
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

    // ------------------------------------------------------------ expressions

    /// Writes an expression into the current line; tables that do not fit
    /// on it continue on lines of their own at `indent + 1`.
    fn expr(&mut self, e: &Expr, min: u8, indent: usize) {
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

    fn steps(
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

    fn linear_lines(
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
    fn flat(&self, e: &Expr, min: u8) -> String {
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

    fn subject(&self, subject: Option<&Expr>) -> String {
        subject
            .map(|s| format!("of {} ", self.flat(s, ARITH)))
            .unwrap_or_default()
    }

    fn slice(&self, span: Span) -> &str {
        self.src.get(span.start..span.end).unwrap_or("")
    }
}

/// Column widths shared across the policy.
struct Widths {
    /// `indicator NAME "label"`, so that `weight` lines up.
    indicator_head: usize,
}

impl Widths {
    fn of(policy: &Policy) -> Widths {
        let plan_items = policy.items.iter().flat_map(|i| match i {
            Item::Plan(p) => p.items.as_slice(),
            _ => &[],
        });
        let indicator_head = policy
            .items
            .iter()
            .chain(plan_items)
            .filter_map(|i| match i {
                Item::Indicator(d) => Some(
                    format!("indicator {}{}", d.name.text, label_after(d.label.as_ref())).width(),
                ),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        Widths { indicator_head }
    }

    /// Name and type widths of the run of inputs around item `i`: inputs
    /// with no blank line between them line up.
    fn input_group(&self, items: &[Item], i: usize, printer: &Printer<'_>) -> (usize, usize) {
        let is_input = |k: usize| matches!(items.get(k), Some(Item::Input(_)));
        let joined = |a: usize, b: usize| {
            let (Some(x), Some(y)) = (items.get(a), items.get(b)) else {
                return false;
            };
            is_input(a) && is_input(b) && !printer.blank_between(x.span().end, y.span().start)
        };
        let mut first = i;
        while first > 0 && joined(first - 1, first) {
            first -= 1;
        }
        let mut last = i;
        while joined(last, last + 1) {
            last += 1;
        }
        let inputs = items
            .get(first..=last)
            .unwrap_or_default()
            .iter()
            .filter_map(|item| match item {
                Item::Input(d) => Some(d),
                _ => None,
            });
        inputs.fold((0, 0), |(n, t), d| {
            (n.max(d.name.text.width()), t.max(d.ty.as_str().width()))
        })
    }
}

// Binding strengths, loosest first, as in the grammar's Pratt table.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
/// Where the grammar wants `arith`: no comparisons, `if` only in parentheses.
const ARITH: u8 = 5;
const MUL: u8 = 6;
const NEG: u8 = 7;
const PRIMARY: u8 = 8;

fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => OR,
        BinaryOp::And => AND,
        BinaryOp::Cmp(_) => CMP,
        BinaryOp::Add | BinaryOp::Sub => ARITH,
        BinaryOp::Mul | BinaryOp::Div => MUL,
    }
}

fn op_text(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        other => other.symbol(),
    }
}

fn has_steps(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Steps { .. } => true,
        ExprKind::Binary(_, l, r) => has_steps(l) || has_steps(r),
        _ => false,
    }
}

/// The text of a literal written in parentheses, without them: `(90%)`.
fn unparenthesised(text: &str) -> &str {
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
fn literal(text: &str) -> String {
    text.replace('％', "%").replace('￥', "¥")
}

/// A label in `"…"`, quotes and backslashes escaped.
fn label(l: &Label) -> String {
    format!("\"{}\"", l.text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn label_after(l: Option<&Label>) -> String {
    l.map(|l| format!(" {}", label(l))).unwrap_or_default()
}

/// Whether a column name can be written without quotes.
fn is_plain_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && !crate::language::syntax::RESERVED.contains(&text)
}

fn pad(text: &str, width: usize) -> String {
    " ".repeat(width.saturating_sub(text.width()))
}

fn target_text(target: &ExpectTarget) -> String {
    match target {
        ExpectTarget::Score(_) => "score".to_string(),
        ExpectTarget::Grade(_) => "grade".to_string(),
        ExpectTarget::Name(n) => n.text.clone(),
    }
}

fn band_condition(c: &BandCondition) -> String {
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
