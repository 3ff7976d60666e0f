//! Syntax errors in words: a pest error becomes a diagnostic that says what
//! was expected, what was found, and, where the mistake is a common one, how
//! to fix it.

use pest::error::{ErrorVariant, InputLocation};

use super::parser::Rule;
use super::words::{self, Expected};
use super::{ITEM_KEYWORDS, RESERVED};
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::Span;

/// Where the parse that failed was looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// The whole file.
    File,
    /// One top-level item parsed on its own: its end is where the next
    /// line of the policy (or the closing `}`) would start.
    Item,
}

/// Turns a pest error (in a slice of `text` starting at `offset`) into a diagnostic.
pub(super) fn describe(
    text: &str,
    offset: usize,
    error: &pest::error::Error<Rule>,
    scope: Scope,
) -> Diagnostic {
    let at = offset
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let context = Context::new(text, at);
    let positives: Vec<Rule> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    if let Some(d) = specific(&context, &positives) {
        return d;
    }
    generic(&context, &positives, scope)
}

/// What surrounds the place the parser stopped.
struct Context<'a> {
    at: usize,
    /// The text from the error on.
    rest: &'a str,
    /// The word, number or operator found there.
    found: &'a str,
    /// The last character before it that is not white space.
    before: Option<char>,
    /// Where that character is.
    before_span: Span,
    /// Whether only white space precedes it on its line.
    line_start: bool,
    /// Its line, up to the error.
    line_before: &'a str,
}

impl<'a> Context<'a> {
    fn new(text: &'a str, at: usize) -> Self {
        let rest = text.get(at..).unwrap_or("");
        let head = text.get(..at).unwrap_or("");
        let line_before = head.rsplit('\n').next().unwrap_or("");
        let trimmed = head.trim_end();
        let before_span = trimmed.chars().next_back().map_or(Span::new(at, at), |ch| {
            Span::new(trimmed.len() - ch.len_utf8(), trimmed.len())
        });
        Context {
            before_span,
            at,
            rest,
            found: found_token(rest),
            before: head.trim_end().chars().next_back(),
            line_start: line_before.trim().is_empty(),
            line_before,
        }
    }

    fn span(&self) -> Span {
        let len = self
            .found
            .len()
            .max(self.rest.chars().next().map_or(0, char::len_utf8));
        Span::new(self.at, self.at + len)
    }

    fn at_end(&self) -> bool {
        self.rest.trim().is_empty()
    }
}

/// Mistakes recognised by what was found, with their own message and fix.
fn specific(c: &Context<'_>, positives: &[Rule]) -> Option<Diagnostic> {
    // The file ends inside the policy.
    if c.at_end() && positives.contains(&Rule::rbrace) {
        return Some(
            Diagnostic::error(Code::Syntax, "the file ends before the policy is closed")
                .label(c.before_span, "the file ends after this")
                .help("add `}` at the end of the policy, and close any block or table left open"),
        );
    }
    let first = c.rest.chars().next()?;

    // A label opened but not closed on its line.
    if let open @ ('"' | '“' | '「') = first {
        let line = c.rest.split('\n').next().unwrap_or("");
        let close = match open {
            '"' => '"',
            '“' => '”',
            _ => '」',
        };
        if !line[open.len_utf8()..].contains(close) {
            return Some(
                Diagnostic::error(Code::UnclosedLabel, "this label is not closed")
                    .label(Span::new(c.at, c.at + line.trim_end().len()), "the label starts here")
                    .help(format!(
                        "end the label with `{close}` on the same line; a quote inside a label is written `\\\"`"
                    )),
            );
        }
        if positives.contains(&Rule::input_type) {
            return Some(
                Diagnostic::error(Code::Syntax, "the type of an input comes before its label")
                    .label(c.span(), "the label")
                    .help("write the name, the type, then the label: `input 成交额 money \"deal value\"`"),
            );
        }
    }

    // Full-width punctuation with no meaning here.
    if let Some((what, fix)) = words::full_width(first) {
        return Some(super::full_width_error(c.at, first, what, fix));
    }

    // A colon joining a step's threshold and points, YAML-style.
    if matches!(first, ':' | '：') && positives.contains(&Rule::arrow) {
        return Some(
            Diagnostic::error(
                Code::Syntax,
                "a threshold and its points are joined by `=>`, not a colon",
            )
            .label(c.span(), "`=>` here")
            .help("write `<= 100% => 100`")
            .fix("change the colon to `=>`", c.span(), " =>"),
        );
    }
    // A colon, as in `weight: 30%`.
    if first == ':' {
        return Some(
            Diagnostic::error(Code::Syntax, "a colon `:` is not part of the policy language")
                .label(c.span(), "not needed")
                .help("remove it: names, types and values are separated by spaces, as in `weight 30%` and `input 成交额 money`"),
        );
    }

    // A reserved word where a name belongs.
    let wants_name = positives.contains(&Rule::ident) || expects_value(positives);
    if wants_name && RESERVED.contains(&c.found) {
        return Some(
            Diagnostic::error(
                Code::ReservedWord,
                format!("`{}` is a reserved word and cannot be used as a name", c.found),
            )
            .label(c.span(), "reserved word")
            .help(format!(
                "choose another name, such as `{0}_value`, or a Chinese name; the label in quotes can still say \"{0}\"",
                c.found
            )),
        );
    }

    // `95%` where points belong: grade thresholds, caps, floors.
    if first == '%' && c.before.is_some_and(|b| b.is_ascii_digit()) {
        return Some(
            Diagnostic::error(Code::Syntax, "a percentage is not allowed here")
                .label(c.span(), "grade thresholds, caps and floors are points")
                .help("write points without `%`: `score >= 95`, `cap 6`"),
        );
    }

    // `let x == …`
    if positives.contains(&Rule::assign) && c.found.starts_with('=') {
        return Some(
            Diagnostic::error(Code::Syntax, format!("expected `=`, found `{}`", c.found))
                .label(c.span(), "one `=` is enough")
                .help("a value is defined with one `=`: `let 毛利率 = 团队毛利 / 团队销售额`"),
        );
    }

    // `if … then …` without `else`.
    if positives.contains(&Rule::kw_else) && c.found != "else" {
        return Some(
            Diagnostic::error(Code::Syntax, "`if … then …` needs an `else`")
                .label(c.before_span, "expected `else` after this")
                .help("say what applies when the condition is not met, e.g. `if 个人大客户 then 大客户回款 * 2% else ¥0`"),
        );
    }

    // A block left open: a new item starts where `}` was expected.
    if positives.contains(&Rule::rbrace) && c.line_start && ITEM_KEYWORDS.contains(&c.found) {
        return Some(
            Diagnostic::error(Code::Syntax, "the block above is not closed")
                .label(
                    c.span(),
                    format!("`{}` starts a new line of the policy", c.found),
                )
                .help("close the `{` of the block above with `}` before this line"),
        );
    }
    None
}

fn expects_value(positives: &[Rule]) -> bool {
    positives
        .iter()
        .any(|r| words::describe(*r) == Some(Expected::Value))
}

/// "expected X, Y or Z", with help where the mistake can be guessed.
fn generic(c: &Context<'_>, positives: &[Rule], scope: Scope) -> Diagnostic {
    let mut expected: Vec<Expected> = positives
        .iter()
        .filter_map(|r| match r {
            // Parsing one item alone, its end is the start of the next line.
            Rule::EOI if scope == Scope::Item => Some(Expected::Item),
            _ => words::describe(*r),
        })
        .collect();
    if scope == Scope::Item && expected.contains(&Expected::Item) {
        expected.push(Expected::Words("`}`"));
    }
    // `score` also starts an item (`score range`).
    if expected.contains(&Expected::Item) {
        expected.retain(|e| *e != Expected::Words("`score`"));
    }
    // "a value" already says "a name", "(", `score`, `grade` and `measure`.
    if expected.contains(&Expected::Value) {
        expected.retain(|e| {
            !matches!(
                e,
                Expected::Words(w) if w.starts_with("a name") || ["`(`", "`score`", "`grade`", "`measure`"].contains(w)
            )
        });
    }
    // A lone number expected (after `cap`, `floor`, `round … to`).
    if positives == [Rule::number] {
        expected = vec![Expected::Words("a number such as `6`")];
    }
    expected.sort();
    expected.dedup();
    let words: Vec<&str> = expected.iter().map(|e| e.words()).collect();
    let message = if words.is_empty() {
        "the policy cannot be read here".to_string()
    } else {
        format!("expected {}", join_or(&words))
    };
    let label = if c.at_end() {
        "the file ends here".to_string()
    } else {
        format!("found `{}`", c.found)
    };
    let mut d = Diagnostic::error(Code::Syntax, message).label(c.span(), label);
    if let Some(help) = help(c, positives, &expected) {
        d = d.help(help);
    }
    d
}

fn help(c: &Context<'_>, positives: &[Rule], expected: &[Expected]) -> Option<String> {
    let found = c.found;
    if c.at_end() {
        return expected.contains(&Expected::Words("`}`")).then(|| {
            "a `{` is not closed: add `}` at the end of the block (and of the policy)".to_string()
        });
    }
    let expects = |rule: Rule| positives.contains(&rule);
    let wants_otherwise = expected.iter().any(|e| e.words().contains("`otherwise`"));
    // Other languages' operators.
    if found.starts_with("&&") || found == "&" {
        return Some("write `and` for `&&`: `a >= 60 and b >= 60`".to_string());
    }
    if found.starts_with("||") || found == "|" {
        return Some("write `or` for `||`: `a >= 60 or b >= 60`".to_string());
    }
    if matches!(found, "else" | "否则") && wants_otherwise {
        return Some(
            "a table or a `when` rule ends with `otherwise`, not `else`: write `otherwise`"
                .to_string(),
        );
    }
    if found == "else" && expects(Rule::kw_then) {
        return Some(
            "an `if` gives its value after `then`: `if <condition> then <value> else <value>`"
                .to_string(),
        );
    }
    if matches!(found, "=" | "＝" | ":" | "：") && expects(Rule::arrow) {
        return Some("a threshold and its points are joined by `=>`: `>= 100% => 75`".to_string());
    }
    if expects(Rule::kw_weight) && matches!(found, "{" | "｛") {
        return Some(
            "give the indicator its weight before `{`, such as `weight 20%`: the weights add up to 100%"
                .to_string(),
        );
    }
    if expects(Rule::assign) && matches!(found, "}" | "｝") {
        return Some("give the value after `=`, such as `pay 奖金 = 绩效基数 * 1.2`".to_string());
    }
    if found.starts_with("/*") {
        return Some(
            "comments start with `//` (or `#`) and run to the end of their line: write `// …` on each line"
                .to_string(),
        );
    }
    // A row pasted from a spreadsheet: cells separated by tabs.
    if c.line_start && c.rest.split('\n').next().is_some_and(|l| l.contains('\t')) {
        return Some(
            "this looks like a row pasted from a spreadsheet: write it as a line of the policy, such as `input 新客户数 number \"新开客户数\" range >= 0`"
                .to_string(),
        );
    }
    // `¥30 000`: a space where thousands are separated.
    let digits = |t: &str| !t.is_empty() && t.chars().all(|ch| ch.is_ascii_digit());
    if found.len() == 3
        && digits(found)
        && c.before.is_some_and(|b| b.is_ascii_digit())
        && c.line_before.ends_with([' ', '\u{00A0}'])
    {
        return Some(
            "separate thousands with `,` (`¥30,000`), or write the amount without them (`¥30000`)"
                .to_string(),
        );
    }
    // `里程碑　达成`: an ideographic space splits a name in two.
    if c.line_before.ends_with('\u{3000}') && c.before.is_some_and(char::is_alphanumeric) {
        return Some(
            "an ideographic space (U+3000) splits the name in two: remove it, a name has no spaces"
                .to_string(),
        );
    }
    // `>= 100% 75` in a steps table.
    if expects(Rule::arrow) && !c.line_start {
        return Some("a threshold and its points are joined by `=>`: `>= 100% => 75`".to_string());
    }
    // `range >= 0 <= 100`: two bounds need `and` between them.
    if matches!(found, "<=" | "<" | ">=" | ">" | "≤" | "≥") && c.line_before.contains(" range ")
    {
        return Some(format!(
            "join the two bounds of a range with `and`: `… and {found} …`"
        ));
    }
    // `¥16，000`: `，` separates values, so the amount stops at 16.
    if found.starts_with(|ch: char| ch.is_ascii_digit())
        && c.line_before.trim_end().ends_with(['，', '、'])
        && c.line_before
            .trim_end()
            .trim_end_matches(['，', '、'])
            .ends_with(|ch: char| ch.is_ascii_digit())
    {
        return Some(
            "in an amount, thousands are separated by the half-width `,` (`16,000`); the full-width `，` separates values"
                .to_string(),
        );
    }
    // Keywords are English; a Chinese one gets its translation.
    if let Some(english) = chinese_keyword(found) {
        return Some(format!(
            "keywords are English: write `{english}` for {found}"
        ));
    }
    // A misspelt word from a closed vocabulary, or a misspelt keyword.
    let mut vocabulary: Vec<&str> = positives
        .iter()
        .flat_map(|r| words::vocabulary(*r).iter().copied())
        .collect();
    if expected.contains(&Expected::Item) {
        vocabulary.extend(ITEM_KEYWORDS);
    }
    if let Some(suggestion) = crate::language::fuzzy::closest(found, vocabulary.iter().copied()) {
        return Some(format!("did you mean `{suggestion}`?"));
    }
    if matches!(found, ";" | "；") {
        return Some("remove the `;`: a line of a policy needs no ending mark".to_string());
    }
    if positives.contains(&Rule::percent) && found.starts_with(|ch: char| ch.is_ascii_digit()) {
        // A fraction such as `0.25` was meant as 25%.
        let fix = match found.parse::<rust_decimal::Decimal>() {
            Ok(v) if v > rust_decimal::Decimal::ZERO && v < rust_decimal::Decimal::ONE => {
                format!("{}%", (v * rust_decimal::Decimal::ONE_HUNDRED).normalize())
            }
            _ => format!("{found}%"),
        };
        let space = if c
            .rest
            .get(found.len()..)
            .is_some_and(|r| r.trim_start().starts_with('%'))
        {
            " with no space before `%`"
        } else {
            ""
        };
        return Some(format!("write weights as percentages{space}: `{fix}`"));
    }
    if matches!(found, "x" | "X") {
        return Some("multiply with `*` or `×`".to_string());
    }
    if c.line_before.contains("if(") || c.line_before.contains("IF(") {
        return Some("kpi writes conditions as `if <condition> then <value> else <value>`, not `if(…, …, …)`".to_string());
    }
    // Two values side by side: a value ends just before, another starts here.
    let value_ended = c
        .before
        .is_some_and(|b| b.is_alphanumeric() || matches!(b, '%' | ')' | '）' | '_'));
    // A table or an `if` starts a value too (`基数 by grade { … }`).
    let value_starts = (found
        .starts_with(|ch: char| ch.is_alphanumeric() || matches!(ch, '¥' | '￥' | '(' | '（'))
        && !RESERVED.contains(&found)
        && !ITEM_KEYWORDS.contains(&found))
        || matches!(found, "by" | "linear" | "steps" | "if");
    if expected.contains(&Expected::Operator) && value_ended && value_starts && !c.line_start {
        return Some(
            "two values cannot stand side by side: join them with an operator such as `*` or `+`"
                .to_string(),
        );
    }
    if expected.contains(&Expected::Item) && c.line_start {
        return Some(
            "each line of a policy starts with a keyword such as `input`, `let`, `indicator`, `grades` or `pay`"
                .to_string(),
        );
    }
    None
}

/// Chinese words HR may type for a keyword.
fn chinese_keyword(word: &str) -> Option<&'static str> {
    Some(match word {
        "政策" | "制度" | "方案" => "policy",
        "周期" | "期间" => "period",
        "币种" | "货币" => "currency",
        "输入" | "数据" => "input",
        "指标" => "indicator",
        "权重" | "比重" => "weight",
        "衡量" | "度量" => "measure",
        "得分" | "分数" => "points",
        "加分" | "奖励" => "bonus",
        "扣分" => "deduction",
        "否决" | "一票否决" => "veto",
        "等级" | "评级" => "grades",
        "薪酬" | "工资" | "发放" => "pay",
        "如果" => "if",
        "那么" | "则" => "then",
        "否则" => "else",
        "月度" | "每月" => "month",
        "季度" | "每季度" => "quarter",
        "半年" | "半年度" => "half-year",
        "年度" | "每年" => "year",
        "并且" | "且" | "而且" => "and",
        "或" | "或者" => "or",
        "不" | "非" => "not",
        _ => return None,
    })
}

/// The word, number or operator at the start of `rest`, for "found `…`".
fn found_token(rest: &str) -> &str {
    let mut chars = rest.char_indices().peekable();
    let Some((_, first)) = chars.peek().copied() else {
        return "";
    };
    let is_word = |ch: char| ch.is_alphanumeric() || ch == '_';
    let is_operator = |ch: char| "=<>!-+*/".contains(ch);
    let mut end = first.len_utf8();
    if is_word(first) {
        // Words and numbers, with a decimal point: `成交额`, `0.25`, `yes/no`.
        let mut prev = first;
        for (i, ch) in rest.char_indices().skip(1) {
            let continues = is_word(ch)
                || (ch == '.'
                    && prev.is_ascii_digit()
                    && rest[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
                || (ch == '/' && rest[..i].ends_with("yes"));
            if !continues {
                break;
            }
            end = i + ch.len_utf8();
            prev = ch;
        }
    } else if is_operator(first) {
        for (i, ch) in rest.char_indices().skip(1) {
            if !is_operator(ch) {
                break;
            }
            end = i + ch.len_utf8();
        }
    }
    rest.get(..end).unwrap_or("")
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}
