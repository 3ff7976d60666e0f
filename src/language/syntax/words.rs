//! What each grammar rule is called in a syntax error, in words an HR person
//! understands. The match is exhaustive, so a new rule cannot be added to the
//! grammar without deciding how errors will name it.

use super::parser::Rule;

/// What the parser wanted at the place it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Expected {
    /// The start of a new line of the policy (`input`, `indicator`, ...).
    Item,
    /// A value: a number, percentage, amount, name or formula.
    Value,
    /// An operator continuing a formula.
    Operator,
    /// Something specific, already worded.
    Words(&'static str),
}

impl Expected {
    pub(super) fn words(self) -> &'static str {
        match self {
            Expected::Item => {
                "a new line of the policy (`input`, `let`, `indicator`, `bonus`, `deduction`, `grades`, `veto`, `pay`, ...)"
            }
            Expected::Value => {
                "a value: a number such as `75`, a percentage such as `80%`, an amount such as `¥1,200`, or a name"
            }
            Expected::Operator => "an operator such as `+`, `*` or `>=`",
            Expected::Words(words) => words,
        }
    }
}

/// Words for one rule, or `None` for rules that never appear in errors
/// (silent rules, and rules whose parent is the better description).
pub(super) fn describe(rule: Rule) -> Option<Expected> {
    use Expected::{Item, Operator, Value, Words};
    Some(match rule {
        Rule::EOI => Words("the end of the file"),
        Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::item
        | Rule::item_alone
        | Rule::policy_head
        | Rule::policy_part
        | Rule::policy_tail
        | Rule::plan_open
        | Rule::year_line
        | Rule::plan_item
        | Rule::indicator_clause
        | Rule::adjust_clause
        | Rule::points_rule
        | Rule::band_condition
        | Rule::veto_effect
        | Rule::quota_line
        | Rule::prefix
        | Rule::infix
        | Rule::arith_infix
        | Rule::cmp_op
        | Rule::primary
        | Rule::arith_primary
        | Rule::step
        | Rule::reference
        | Rule::literal
        | Rule::percent_sign
        | Rule::reserved
        | Rule::string_ascii
        | Rule::string_curly
        | Rule::string_corner
        | Rule::ten_thousands
        | Rule::yuan
        | Rule::currency_symbol => return None,
        Rule::file | Rule::policy | Rule::kw_policy => {
            Words("`policy \"name\" {` to start the policy")
        }
        Rule::period_decl
        | Rule::currency_decl
        | Rule::round_decl
        | Rule::employee_decl
        | Rule::input_decl
        | Rule::let_decl
        | Rule::indicator_decl
        | Rule::bonus_decl
        | Rule::deduction_decl
        | Rule::adjust_cap_decl
        | Rule::score_range_decl
        | Rule::grades_decl
        | Rule::veto_decl
        | Rule::pay_decl
        | Rule::quotas_decl
        | Rule::kw_quotas
        | Rule::plan_decl
        | Rule::kw_plan
        | Rule::override_decl
        | Rule::kw_override
        | Rule::year_decl
        | Rule::kw_year
        | Rule::kw_period
        | Rule::kw_currency
        | Rule::kw_round
        | Rule::kw_employee
        | Rule::kw_input
        | Rule::kw_let
        | Rule::kw_indicator
        | Rule::kw_bonus
        | Rule::kw_deduction
        | Rule::kw_grades
        | Rule::kw_veto
        | Rule::kw_pay
        | Rule::example_decl
        | Rule::kw_example
        | Rule::adjust_total => Item,
        Rule::period_kind => Words("a period: `month`, `quarter`, `half-year` or `year`"),
        Rule::currency_code => Words("a three-letter currency code such as `CNY`"),
        Rule::round_target => Words("what to round: `money` or `scores`"),
        Rule::round_mode => Words(
            "a rounding rule: `half-away-from-zero` (also `half-up` or `四舍五入`), `half-even`, `down` or `up`",
        ),
        Rule::employee_field => Words("`id`, `name` or `plan`"),
        Rule::plan_extends | Rule::kw_extends => Words("`extends <plan>`"),
        Rule::kw_financial => Words("`financial` (re-scored on the year's figures)"),
        Rule::input_yearly | Rule::kw_yearly => {
            Words("`yearly sum`, `yearly average`, `yearly last` or `yearly any`")
        }
        Rule::yearly_rule => {
            Words("how the year adds up the quarters: `sum`, `average`, `last` or `any`")
        }
        Rule::missing_quarters | Rule::kw_missing | Rule::kw_quarters => {
            Words("`missing quarters average` or `missing quarters prorate`")
        }
        Rule::missing_rule => Words("`average` or `prorate`"),
        Rule::override_target => Words("what the override sets: `score` or `grade`"),
        Rule::kw_from => Words("`from <column>`"),
        Rule::kw_reason => Words("`reason <column>`: every override needs a reason"),
        Rule::drop_decl | Rule::kw_drop => Words(
            "a line of the plan (`indicator`, `bonus`, `deduction`, `let`, `veto`, `drop`, `example`)",
        ),
        Rule::quota_group | Rule::kw_per => Words("`per <column>` to set quotas per group"),
        Rule::quota_rule => Words("a quota such as `S <= 5%` or `C + D >= 30%`"),
        Rule::quota_rounding | Rule::kw_headcount => {
            Words("`round headcount strict` or `round headcount half-up`")
        }
        Rule::headcount_mode => Words("`strict` or `half-up`"),
        Rule::forced_ranking | Rule::kw_forced | Rule::kw_ranking => Words("`forced ranking`"),
        Rule::kw_ties => Words("`ties by <input>`"),
        Rule::tie_key => {
            Words("an input to break ties, such as `民主评议` or `差错率 lower first`")
        }
        Rule::tie_order => Words("`higher first` or `lower first`"),
        Rule::column_name => Words("a column name"),
        Rule::input_type => Words("a type: `money`, `percent`, `number`, `score` or `yes/no`"),
        Rule::measure_clause | Rule::kw_measure => Words("`measure`"),
        Rule::points_clause | Rule::kw_points => Words("`points`"),
        Rule::when_rule | Rule::kw_when => Words("`when`"),
        Rule::cap_clause | Rule::kw_cap => Words("`cap`"),
        Rule::floor_clause | Rule::kw_floor => Words("`floor`"),
        Rule::grade_band => Words("a grade such as `A \"优秀\" 85 <= score < 95`"),
        Rule::band_shorthand | Rule::band_interval => {
            Words("the grade's scores, such as `score >= 95`, `85 <= score < 95` or `otherwise`")
        }
        Rule::veto_grade | Rule::veto_zero => {
            Words("what the veto does: `grade D` or `0 points for <indicator>`")
        }
        Rule::expr
        | Rule::arith
        | Rule::paren
        | Rule::if_expr
        | Rule::call
        | Rule::linear_table
        | Rule::steps_table
        | Rule::by_grade
        | Rule::money
        | Rule::amount
        | Rule::number
        | Rule::boolean
        | Rule::not_op
        | Rule::neg
        | Rule::kw_if
        | Rule::kw_linear
        | Rule::kw_steps
        | Rule::kw_by => Value,
        Rule::percent => Words("a percentage such as `30%`"),
        Rule::signed_number => Words("a number such as `95`"),
        Rule::table_subject | Rule::kw_of => Words("`of`"),
        Rule::linear_point => Words("a point such as `100% => 75`"),
        Rule::step_band => Words("a band such as `>= 100% => 75`"),
        Rule::step_otherwise | Rule::kw_otherwise => Words("`otherwise`"),
        Rule::grade_value => Words("a grade and its value, such as `S 1.5`"),
        Rule::string => Words("a label in quotes, such as \"deal value\""),
        Rule::ident => Words("a name such as `成交额` or `deal_value`"),
        Rule::or_op
        | Rule::and_op
        | Rule::ge
        | Rule::le
        | Rule::ne
        | Rule::eq
        | Rule::gt
        | Rule::lt
        | Rule::add
        | Rule::sub
        | Rule::mul
        | Rule::div => Operator,
        Rule::arrow => Words("`=>`"),
        Rule::assign => Words("`=`"),
        Rule::lbrace => Words("`{`"),
        Rule::rbrace => Words("`}`"),
        Rule::lparen => Words("`(`"),
        Rule::rparen => Words("`)`"),
        Rule::sep => Words("`,`"),
        Rule::kw_to => Words("`to`"),
        Rule::kw_weight => Words("`weight` and a percentage, such as `weight 30%`"),
        Rule::kw_score => Words("`score`"),
        Rule::kw_range => Words("`range`"),
        Rule::kw_grade => Words("`grade`"),
        Rule::kw_for => Words("`for`"),
        Rule::kw_then => Words("`then`"),
        Rule::kw_else => Words("`else`"),
        Rule::example_line | Rule::input_option => return None,
        Rule::input_aliases | Rule::kw_aliases => Words("`aliases \"other column name\"`"),
        Rule::input_default | Rule::kw_default => {
            Words("`default` and a value, such as `default 0`")
        }
        Rule::input_optional | Rule::kw_optional => Words("`optional`"),
        Rule::input_range => {
            Words("`range` and the values the data may hold, such as `range >= 0% and <= 100%`")
        }
        Rule::range_bound => Words("a comparison such as `>= 0` or `> ¥0`"),
        Rule::input_better | Rule::better_way => Words("`higher is better` or `lower is better`"),
        Rule::kw_exactly => Words("`exactly` (no rounding)"),
        Rule::input_written | Rule::kw_written | Rule::kw_as | Rule::written_form => {
            Words("`written as number` or `written as fraction`")
        }
        Rule::kw_is => Words("`is`"),
        Rule::kw_better => Words("`better`"),
        Rule::any_order | Rule::kw_in | Rule::kw_any | Rule::kw_order => Words("`in any order`"),
        Rule::example_given => Words("an input and its value, such as `成交额 = ¥1,125,000`"),
        Rule::example_expect | Rule::kw_expect => {
            Words("`expect` and an outcome, such as `expect score = 93.38`")
        }
        Rule::expect_target => {
            Words("what to expect: `score`, `grade`, or an indicator or pay item")
        }
    })
}

/// For rules with a closed vocabulary: the words, so a misspelling gets a
/// "did you mean" suggestion.
pub(super) fn vocabulary(rule: Rule) -> &'static [&'static str] {
    match rule {
        Rule::period_kind => &["month", "quarter", "half-year", "year"],
        Rule::round_target => &["money", "scores"],
        Rule::round_mode => &[
            "half-away-from-zero",
            "half-up",
            "half-even",
            "down",
            "up",
            "四舍五入",
        ],
        Rule::employee_field => &["id", "name", "plan"],
        Rule::input_type => &["money", "percent", "number", "score", "yes/no"],
        Rule::kw_period
        | Rule::kw_currency
        | Rule::kw_round
        | Rule::kw_employee
        | Rule::kw_input
        | Rule::kw_let
        | Rule::kw_indicator
        | Rule::kw_bonus
        | Rule::kw_deduction
        | Rule::kw_grades
        | Rule::kw_veto
        | Rule::kw_pay
        | Rule::kw_example
        | Rule::adjust_total => ITEM_KEYWORDS,
        Rule::measure_clause | Rule::points_clause | Rule::cap_clause | Rule::floor_clause => {
            &["measure", "points", "cap", "floor"]
        }
        Rule::kw_weight => &["weight"],
        _ => &[],
    }
}

/// Words that start a top-level line of a policy.
pub(crate) const ITEM_KEYWORDS: &[&str] = &[
    "period",
    "currency",
    "round",
    "employee",
    "input",
    "let",
    "indicator",
    "bonus",
    "deduction",
    "bonuses",
    "deductions",
    "adjustments",
    "score",
    "grades",
    "veto",
    "pay",
    "quotas",
    "override",
    "year",
    "plan",
    "drop",
    "example",
];

/// Words that cannot be used as names.
pub(crate) const RESERVED: &[&str] = &[
    "policy",
    "period",
    "currency",
    "round",
    "employee",
    "input",
    "let",
    "indicator",
    "bonuses",
    "bonus",
    "deductions",
    "deduction",
    "adjustments",
    "grades",
    "grade",
    "veto",
    "pay",
    "score",
    "measure",
    "points",
    "linear",
    "steps",
    "when",
    "otherwise",
    "by",
    "of",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "yes",
    "no",
    "true",
    "false",
    "example",
    "expect",
];

/// Full-width punctuation the grammar does not accept: a description and
/// the fix (`None` means "remove it": it has no place in a policy).
pub(super) fn full_width(c: char) -> Option<(&'static str, Option<&'static str>)> {
    Some(match c {
        '：' => ("a full-width colon `：`", None),
        '。' => ("a full-width full stop `。`", None),
        '【' | '】' => ("a full-width bracket", Some("( )")),
        '《' | '》' => ("a book-title mark", Some("\"")),
        '‘' | '’' => ("a full-width single quote", Some("\"")),
        '！' => ("a full-width exclamation mark `！`", Some("!")),
        '？' => ("a full-width question mark `？`", None),
        '＄' => ("a full-width dollar sign `＄`", Some("$")),
        '０'..='９' => ("a full-width digit", Some("0-9")),
        // Spaces pasted from Word, Excel or a web page look like a space.
        '\u{00A0}' => ("a no-break space (U+00A0 NO-BREAK SPACE)", Some(" ")),
        '\u{202F}' => (
            "a narrow no-break space (U+202F NARROW NO-BREAK SPACE)",
            Some(" "),
        ),
        '\u{2007}' => ("a figure space (U+2007 FIGURE SPACE)", Some(" ")),
        '\u{2000}'..='\u{200A}' | '\u{205F}' => ("a typographic space", Some(" ")),
        // Dashes pasted from Word where a minus is meant.
        '\u{2013}' => ("an en dash `–`", Some("-")),
        '\u{2014}' => ("an em dash `—`", Some("-")),
        '．' => ("a full-width full stop `．`", Some(".")),
        '～' | '〜' => ("a wave dash `～`", None),
        _ => return None,
    })
}
