//! Diagnostics: every mistake found in a policy, with a stable code, the
//! spans it concerns, and a help line saying how to fix it.
//!
//! Phases build [`Diagnostic`]s as plain data; [`render`] is the one place that
//! turns them into miette reports for people, and `serde` gives the machine form.

use std::fmt;

use serde::Serialize;

use crate::language::source::{Source, Span};

/// Every diagnostic code kpi can report. The code is part of the public
/// interface: CI scripts match on it, so a code never changes meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    // syntax
    Encoding,
    Syntax,
    FullWidth,
    Invisible,
    ReservedWord,
    UnclosedLabel,
    NumberTooLarge,
    TooDeep,
    BandSyntax,
    // header
    HeaderMissing,
    HeaderDuplicate,
    Rounding,
    ScoreRange,
    Currency,
    // names
    UnknownName,
    DuplicateName,
    UnknownFunction,
    Arguments,
    MeasureOutside,
    UnknownGrade,
    // types and units
    TypeMismatch,
    Condition,
    NotPoints,
    PayNotMoney,
    DivisionByZero,
    // indicators and tables
    WeightSum,
    WeightRange,
    IndicatorClause,
    PointsRange,
    StepsOrder,
    StepsGap,
    LinearOrder,
    // grades and pay tables
    GradesGap,
    GradesOverlap,
    GradesUnreachable,
    GradesMissing,
    GradeTable,
    // dependencies
    Cycle,
    // examples
    ExampleInput,
    ExampleMissing,
    ExampleOutcome,
    ExampleValue,
    TestFailed,
    InputDefault,
    InputRange,
    // distribution quotas
    QuotaRule,
    QuotaInfeasible,
    // plans
    Plan,
    Override,
    Year,
    // warnings
    UnusedInput,
    ProratedInPart,
    // analysis (kpi analyze)
    ZeroDivisor,
    GradeNeverGiven,
    UnboundedPay,
    NotMonotone,
    FallingTable,
    PointsFraction,
    ExampleNoExpect,
}

impl Code {
    /// All codes, for documentation and for the test that every code has a
    /// broken-policy fixture.
    pub const ALL: &'static [Code] = &[
        Code::Encoding,
        Code::Syntax,
        Code::FullWidth,
        Code::Invisible,
        Code::ReservedWord,
        Code::UnclosedLabel,
        Code::NumberTooLarge,
        Code::TooDeep,
        Code::BandSyntax,
        Code::HeaderMissing,
        Code::HeaderDuplicate,
        Code::Rounding,
        Code::ScoreRange,
        Code::Currency,
        Code::UnknownName,
        Code::DuplicateName,
        Code::UnknownFunction,
        Code::Arguments,
        Code::MeasureOutside,
        Code::UnknownGrade,
        Code::TypeMismatch,
        Code::Condition,
        Code::NotPoints,
        Code::PayNotMoney,
        Code::DivisionByZero,
        Code::WeightSum,
        Code::WeightRange,
        Code::IndicatorClause,
        Code::PointsRange,
        Code::StepsOrder,
        Code::StepsGap,
        Code::LinearOrder,
        Code::GradesGap,
        Code::GradesOverlap,
        Code::GradesUnreachable,
        Code::GradesMissing,
        Code::GradeTable,
        Code::Cycle,
        Code::ExampleInput,
        Code::ExampleMissing,
        Code::ExampleOutcome,
        Code::ExampleValue,
        Code::TestFailed,
        Code::InputDefault,
        Code::InputRange,
        Code::QuotaRule,
        Code::QuotaInfeasible,
        Code::Plan,
        Code::Override,
        Code::Year,
        Code::UnusedInput,
        Code::ProratedInPart,
        Code::ZeroDivisor,
        Code::GradeNeverGiven,
        Code::UnboundedPay,
        Code::NotMonotone,
        Code::FallingTable,
        Code::PointsFraction,
        Code::ExampleNoExpect,
    ];

    /// What the code means, in a few words (for SARIF rules and docs).
    pub fn description(self) -> &'static str {
        match self {
            Code::Encoding => "the file is not UTF-8",
            Code::Syntax => {
                "the text does not follow the language; says what was expected, in words"
            }
            Code::FullWidth => "full-width punctuation with no meaning in a policy",
            Code::ReservedWord => "a reserved word used as a name",
            Code::UnclosedLabel => "a label whose closing quote is missing",
            Code::NumberTooLarge => "a number beyond 28 significant digits",
            Code::Invisible => "an invisible or text-direction character",
            Code::TooDeep => "a formula nested or chained too deep",
            Code::BandSyntax => "a grade band whose range cannot be read",
            Code::HeaderMissing => "no period, or money without currency",
            Code::HeaderDuplicate => "a header line (or grades) given twice",
            Code::Rounding => "rounding to a step of zero or less",
            Code::ScoreRange => "an empty score range",
            Code::Currency => "an amount in another currency than the policy's",
            Code::UnknownName => "an unknown name, with 'did you mean'",
            Code::DuplicateName => "a name defined twice",
            Code::UnknownFunction => "a function that does not exist",
            Code::Arguments => "a function given the wrong number of values",
            Code::MeasureOutside => "measure outside an indicator, or in one without a measure",
            Code::UnknownGrade => "a grade that the grades block does not define",
            Code::TypeMismatch => "units that do not go together (money + percent, score vs money)",
            Code::Condition => "a condition that is not yes or no",
            Code::NotPoints => "money, a percentage formula or a yes/no used as points",
            Code::PayNotMoney => "a pay item that is not money",
            Code::DivisionByZero => "a division by a literal 0",
            Code::WeightSum => "weights not adding up to 100% (shows the sum and each weight)",
            Code::WeightRange => "a weight of 0% or less, or over 100%",
            Code::IndicatorClause => {
                "an indicator without points, a clause given twice, a table with nothing to look up"
            }
            Code::PointsRange => "points, a cap or a floor outside 0–100",
            Code::StepsOrder => "a steps band that can never apply (thresholds out of order)",
            Code::StepsGap => "values that match no band of a steps table without otherwise",
            Code::LinearOrder => "linear points not in increasing order",
            Code::GradesGap => "scores that no grade takes",
            Code::GradesOverlap => "scores that two grades take",
            Code::GradesUnreachable => "a grade no score can reach",
            Code::GradesMissing => {
                "grade used without a grades block, or grades without indicators"
            }
            Code::GradeTable => "a by grade table missing a grade, or giving one twice",
            Code::Cycle => "definitions that depend on each other in a circle",
            Code::ExampleInput => {
                "an example gives a value for something that is not an input, or twice"
            }
            Code::ExampleMissing => "an example leaves out an input the policy needs",
            Code::ExampleOutcome => "an example expects something the policy does not compute",
            Code::ExampleValue => {
                "an example value of the wrong kind, or a formula instead of a value"
            }
            Code::TestFailed => "(kpi test) an example's outcome differs from what it expects",
            Code::InputDefault => "an input's default is not a value of its type",
            Code::InputRange => {
                "an input's declared range that is empty, one-sided twice, or not of its type"
            }
            Code::QuotaRule => {
                "a quota that cannot be read as a limit on a share of grades, or that forced ranking cannot hold"
            }
            Code::QuotaInfeasible => "quotas that no group of people can satisfy together",
            Code::Year => {
                "a yearly roll-up rule that does not fit its input (`yearly sum` of a yes/no)"
            }
            Code::Override => {
                "an override of the score or grade that cannot apply (no grades, no score, the reason in the same column)"
            }
            Code::Plan => {
                "plans per role that are not set up right (no plan column, an example outside the plans, a replacement of another kind)"
            }
            Code::UnusedInput => "(warning) an input nothing uses",
            Code::ExampleNoExpect => {
                "(warning) a worked example that expects nothing, so it checks nothing"
            }
            Code::PointsFraction => {
                "(warning) a fraction such as 0.8 given as points, where 80% (80 points) is likely meant"
            }
            Code::ProratedInPart => {
                "(warning) a pay item adding an amount the year sums over the quarters present to one it does not, under `missing quarters prorate`"
            }
            Code::ZeroDivisor => {
                "(warning, kpi analyze) a divisor that can be zero within the inputs' declared ranges"
            }
            Code::GradeNeverGiven => {
                "(warning) a grade no record within the inputs' ranges can get"
            }
            Code::UnboundedPay => "(warning, kpi analyze) a pay item with no upper bound",
            Code::NotMonotone => {
                "(warning) points that fall as a result improves, shown with two records"
            }
            Code::FallingTable => {
                "(warning) a grade coefficient or rate table that falls as the grade or result rises"
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Encoding => "kpi::syntax::encoding",
            Code::Syntax => "kpi::syntax",
            Code::FullWidth => "kpi::syntax::full_width",
            Code::ReservedWord => "kpi::syntax::reserved_word",
            Code::UnclosedLabel => "kpi::syntax::unclosed_label",
            Code::NumberTooLarge => "kpi::syntax::number_too_large",
            Code::Invisible => "kpi::syntax::invisible",
            Code::TooDeep => "kpi::syntax::too_deep",
            Code::BandSyntax => "kpi::syntax::grade_band",
            Code::HeaderMissing => "kpi::header::missing",
            Code::HeaderDuplicate => "kpi::header::duplicate",
            Code::Rounding => "kpi::header::rounding",
            Code::ScoreRange => "kpi::header::score_range",
            Code::Currency => "kpi::money::currency",
            Code::UnknownName => "kpi::name::unknown",
            Code::DuplicateName => "kpi::name::duplicate",
            Code::UnknownFunction => "kpi::name::unknown_function",
            Code::Arguments => "kpi::name::arguments",
            Code::MeasureOutside => "kpi::name::measure",
            Code::UnknownGrade => "kpi::name::unknown_grade",
            Code::TypeMismatch => "kpi::type::mismatch",
            Code::Condition => "kpi::type::condition",
            Code::NotPoints => "kpi::type::points",
            Code::PayNotMoney => "kpi::type::pay",
            Code::DivisionByZero => "kpi::expr::division_by_zero",
            Code::WeightSum => "kpi::weights::sum",
            Code::WeightRange => "kpi::weights::range",
            Code::IndicatorClause => "kpi::indicator::clause",
            Code::PointsRange => "kpi::points::range",
            Code::StepsOrder => "kpi::steps::order",
            Code::StepsGap => "kpi::steps::gap",
            Code::LinearOrder => "kpi::linear::order",
            Code::GradesGap => "kpi::grades::gap",
            Code::GradesOverlap => "kpi::grades::overlap",
            Code::GradesUnreachable => "kpi::grades::unreachable",
            Code::GradesMissing => "kpi::grades::missing",
            Code::GradeTable => "kpi::pay::grade_table",
            Code::Cycle => "kpi::cycle",
            Code::ExampleInput => "kpi::example::input",
            Code::ExampleMissing => "kpi::example::missing",
            Code::ExampleOutcome => "kpi::example::outcome",
            Code::ExampleValue => "kpi::example::value",
            Code::TestFailed => "kpi::test::failed",
            Code::InputDefault => "kpi::input::default",
            Code::InputRange => "kpi::input::range",
            Code::QuotaRule => "kpi::quota::rule",
            Code::QuotaInfeasible => "kpi::quota::infeasible",
            Code::Plan => "kpi::plan",
            Code::Override => "kpi::override",
            Code::Year => "kpi::year",
            Code::UnusedInput => "kpi::unused_input",
            Code::PointsFraction => "kpi::points::fraction",
            Code::ExampleNoExpect => "kpi::example::no_expect",
            Code::ProratedInPart => "kpi::year::prorated_in_part",
            Code::ZeroDivisor => "kpi::analyze::zero_divisor",
            Code::GradeNeverGiven => "kpi::analyze::grade_never_given",
            Code::UnboundedPay => "kpi::analyze::unbounded_pay",
            Code::NotMonotone => "kpi::analyze::not_monotone",
            Code::FallingTable => "kpi::analyze::falling_table",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A span with a short note saying what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One mistake (or warning) in a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary one: where the mistake is.
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Edits that would mend the mistake, for an editor's quick fixes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
}

/// One way to mend a mistake: a title to offer and the edits it makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

/// Replace the text at `span` with `text` (empty: delete; empty span: insert).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Offers a fix that puts `text` in place of `span`.
    pub fn fix(mut self, title: impl Into<String>, span: Span, text: impl Into<String>) -> Self {
        self.fixes.push(Fix {
            title: title.into(),
            edits: vec![Edit {
                span,
                text: text.into(),
            }],
        });
        self
    }

    /// Offers the fix given, if any: `(title, span, text)`.
    pub fn fixes_from(self, fix: Option<(String, Span, String)>) -> Self {
        match fix {
            Some((title, span, text)) => self.fix(title, span, text),
            None => self,
        }
    }

    /// "did you mean `suggestion`?", with the fix that writes it at `span`.
    pub fn did_you_mean(self, span: Span, suggestion: &str) -> Self {
        use crate::i18n::{Arg, text};
        let name = [("name", Arg::Text(suggestion))];
        self.help(text("did-you-mean", &name))
            .fix(text("change-to", &name), span, suggestion)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Where the diagnostic points first; used to sort diagnostics by position.
    pub fn primary_span(&self) -> Span {
        self.labels.first().map(|l| l.span).unwrap_or_default()
    }
}

/// Sorts diagnostics by position, then code, and drops exact duplicates, so
/// that output is deterministic and reads top to bottom.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.primary_span(), a.code, &a.message).cmp(&(b.primary_span(), b.code, &b.message))
    });
    diagnostics.dedup();
}

/// How [`render`] draws reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unicode drawing and ANSI colours, for a terminal.
    Colour,
    /// Unicode drawing without colours: for files, pipes and snapshots.
    Plain,
}

/// Renders diagnostics as miette graphical reports, in order, one after another.
pub fn render(source: &Source, diagnostics: &[Diagnostic], style: Style) -> String {
    let theme = match style {
        Style::Colour => miette::GraphicalTheme::unicode(),
        Style::Plain => miette::GraphicalTheme::unicode_nocolor(),
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let named = source.named_source();
    let source = CharColumns {
        named: &named,
        source,
    };
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Report {
            diagnostic,
            source: &source,
        };
        if handler.render_report(&mut out, &report).is_err() {
            // Rendering into a String cannot fail; fall back to the message.
            out.push_str(&diagnostic.message);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// A diagnostic together with its source, as miette wants it.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: &'a CharColumns<'a>,
}

/// A policy's text for miette, with columns counted in characters: miette
/// counts bytes, so a mistake after `input 成交额 ` was said to be at column
/// 17 where an editor (and kpi's JSON and SARIF output) puts it at 11. Only
/// the reference `file:line:column` above a report shows a column; it is
/// read with no context lines, and that is what is corrected here. Each
/// span is read from a few lines before it rather than from the top of the
/// file, which miette would scan for every report.
struct CharColumns<'a> {
    named: &'a miette::NamedSource<std::sync::Arc<str>>,
    source: &'a Source,
}

impl miette::SourceCode for CharColumns<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text = self.source.text();
        let (start, line) = self
            .source
            .report_window(span.offset(), context_lines_before);
        let (Some(window), Some(offset)) = (text.get(start..), span.offset().checked_sub(start))
        else {
            return self
                .named
                .read_span(span, context_lines_before, context_lines_after);
        };
        let within = miette::SourceSpan::new(offset.into(), span.len());
        let contents = window.read_span(&within, context_lines_before, context_lines_after)?;
        // With context lines, miette gives column 0: nothing to correct.
        let column = match context_lines_before {
            0 => self.source.line_col(span.offset()).1.saturating_sub(1),
            _ => contents.column(),
        };
        let read = contents.span();
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.named.name().to_string(),
            contents.data(),
            miette::SourceSpan::new((read.offset() + start).into(), read.len()),
            contents.line() + line,
            column,
            contents.line_count() + line,
        )))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.diagnostic.fmt(f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let labels = self.diagnostic.labels.iter().enumerate().map(|(i, label)| {
            let text = (!label.message.is_empty()).then(|| label.message.clone());
            if i == 0 {
                miette::LabeledSpan::new_primary_with_span(text, label.span)
            } else {
                miette::LabeledSpan::new_with_span(text, label.span)
            }
        });
        Some(Box::new(labels))
    }
}

/// Reading a policy's bytes is where its first diagnostic can come from, so
/// it is here, with the diagnostics, rather than in `source`, which knows
/// nothing of them.
impl Source {
    /// A source from a file's bytes. Bytes that are not UTF-8 are read with
    /// replacement characters and reported, so the rest is still checked.
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> (Self, Vec<Diagnostic>) {
        match String::from_utf8(bytes) {
            Ok(text) => (Source::new(name, text), Vec::new()),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let diagnostic =
                    Diagnostic::error(Code::Encoding, "the policy file is not UTF-8 text")
                        .label(Span::new(at, at + 1), "this byte is not UTF-8")
                        .help(
                            "save the file as UTF-8 (in most editors: Save As… → Encoding: UTF-8)",
                        );
                (Source::new(name, text), vec![diagnostic])
            }
        }
    }
}
