//! Lowering: pest pairs to the spanned AST, one function per grammar rule.
//!
//! The grammar guarantees the shape of each pair, but lowering never indexes
//! into children by position: it walks them and matches on their rule, so a
//! grammar change shows up as a lowering error, not a panic.

use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;

use super::parser::Rule;
use crate::language::ast::*;
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::Span;

mod expr;
mod literal;

pub(super) use expr::expr;
use expr::*;
use literal::*;

type Result<T> = std::result::Result<T, Diagnostic>;

/// Operator precedence, loosest first.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
        .op(Op::prefix(Rule::neg))
});

/// Lowers a parsed `file`. Items that fail to lower are left out and their
/// diagnostics returned beside the policy.
pub(super) fn file(pair: Pair<'_, Rule>, errors: &mut Vec<Diagnostic>) -> Option<Policy> {
    let policy_pair = pair.into_inner().find(|p| p.as_rule() == Rule::policy)?;
    let span = tight(&policy_pair);
    let mut name = None;
    let mut items = Vec::new();
    for child in policy_pair.into_inner() {
        match child.as_rule() {
            Rule::string => name = Some(label(child)),
            _ if is_item(child.as_rule()) => match item(child) {
                Ok(item) => items.push(item),
                Err(e) => errors.push(e),
            },
            _ => {}
        }
    }
    Some(Policy {
        name: name?,
        items,
        span,
    })
}

/// One part of a policy parsed in parts (`policy_head`, `policy_part`,
/// `policy_tail`), lowered, with its spans where they are in the whole text.
#[derive(Default)]
pub(super) struct Part {
    /// The policy's name (the head only).
    pub(super) name: Option<Label>,
    /// Where `policy` starts (the head) and where the last `}` ends (the tail).
    pub(super) start: Option<usize>,
    pub(super) end: Option<usize>,
    pub(super) items: Vec<Item>,
    pub(super) errors: Vec<Diagnostic>,
}

/// Lowers a part that starts at `shift` in the policy's text, as
/// [`file`] lowers the children of the whole policy.
pub(super) fn part(pair: Pair<'_, Rule>, shift: usize) -> Part {
    shifted(shift, || {
        let mut part = Part::default();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_policy => part.start = Some(tight(&child).start),
                Rule::string => part.name = Some(label(child)),
                Rule::rbrace => part.end = Some(tight(&child).end),
                rule if is_item(rule) => match item(child) {
                    Ok(item) => part.items.push(item),
                    Err(e) => part.errors.push(e),
                },
                _ => {}
            }
        }
        part
    })
}

fn is_item(rule: Rule) -> bool {
    matches!(
        rule,
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
            | Rule::plan_decl
            | Rule::drop_decl
            | Rule::override_decl
            | Rule::year_decl
            | Rule::example_decl
    )
}

fn item(pair: Pair<'_, Rule>) -> Result<Item> {
    let span = tight(&pair);
    Ok(match pair.as_rule() {
        Rule::period_decl => Item::Period(PeriodDecl {
            period: match child_text(&pair, Rule::period_kind) {
                "month" => Period::Month,
                "half-year" => Period::HalfYear,
                "year" => Period::Year,
                _ => Period::Quarter,
            },
            span,
        }),
        Rule::currency_decl => Item::Currency(CurrencyDecl {
            code: child_text(&pair, Rule::currency_code).to_string(),
            span,
        }),
        Rule::round_decl => round_decl(pair)?,
        Rule::employee_decl => {
            let mut field = EmployeeField::Id;
            let mut column = None;
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::employee_field if child.as_str() == "name" => {
                        field = EmployeeField::Name;
                    }
                    Rule::employee_field if child.as_str() == "plan" => {
                        field = EmployeeField::Plan;
                    }
                    Rule::column_name => column = child.into_inner().next().map(name_or_label),
                    _ => {}
                }
            }
            Item::Employee(EmployeeDecl {
                field,
                column: column.ok_or_else(|| internal(span))?,
                span,
            })
        }
        Rule::input_decl => {
            let mut name = None;
            let mut ty = None;
            let mut label_ = None;
            let mut aliases = Vec::new();
            let mut missing = None;
            let mut yearly = None;
            let mut range = Vec::new();
            let mut range_span = None;
            let mut better = None;
            let mut written = None;
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::ident => name = Some(ident(child)),
                    Rule::input_type => ty = Some((input_type(child.as_str()), tight(&child))),
                    Rule::string => label_ = Some(label(child)),
                    Rule::input_aliases => {
                        aliases.extend(
                            child
                                .into_inner()
                                .filter(|p| p.as_rule() == Rule::string)
                                .map(label),
                        );
                    }
                    Rule::input_default => {
                        let value = child.into_inner().find(|p| p.as_rule() == Rule::arith);
                        missing = Some(MissingDecl::Default(expr(
                            value.ok_or_else(|| internal(span))?,
                        )?));
                    }
                    Rule::input_optional => missing = Some(MissingDecl::Optional(tight(&child))),
                    Rule::input_yearly => {
                        let rule_span = tight(&child);
                        let rule = match child_text(&child, Rule::yearly_rule) {
                            "sum" => YearlyRule::Sum,
                            "last" => YearlyRule::Last,
                            "any" => YearlyRule::Any,
                            _ => YearlyRule::Average,
                        };
                        yearly = Some((rule, rule_span));
                    }
                    Rule::input_range => {
                        range_span = Some(tight(&child));
                        for bound in child.into_inner() {
                            if bound.as_rule() != Rule::range_bound {
                                continue;
                            }
                            let bound_span = tight(&bound);
                            let mut op = None;
                            let mut value = None;
                            for part in bound.into_inner() {
                                if part.as_rule() == Rule::arith {
                                    value = Some(expr(part)?);
                                } else if let Some(o) = cmp_op(part.as_rule()) {
                                    op = Some(o);
                                }
                            }
                            match (op, value) {
                                (Some(op), Some(value)) => range.push(RangeBound {
                                    op,
                                    value,
                                    span: bound_span,
                                }),
                                _ => return Err(internal(bound_span)),
                            }
                        }
                    }
                    Rule::input_better => {
                        let way = if child_text(&child, Rule::better_way) == "lower" {
                            Better::Lower
                        } else {
                            Better::Higher
                        };
                        better = Some((way, tight(&child)));
                    }
                    Rule::input_written => {
                        let form = if child_text(&child, Rule::written_form) == "fraction" {
                            WrittenAs::Fraction
                        } else {
                            WrittenAs::Number
                        };
                        written = Some((form, tight(&child)));
                    }
                    _ => {}
                }
            }
            let (ty, ty_span) = ty.ok_or_else(|| internal(span))?;
            Item::Input(InputDecl {
                name: name.ok_or_else(|| internal(span))?,
                ty,
                ty_span,
                label: label_,
                aliases,
                missing,
                yearly,
                range,
                range_span,
                better,
                written,
                span,
            })
        }
        Rule::let_decl | Rule::pay_decl => {
            let is_let = pair.as_rule() == Rule::let_decl;
            let mut name = None;
            let mut label_ = None;
            let mut value = None;
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::ident => name = Some(ident(child)),
                    Rule::string => label_ = Some(label(child)),
                    Rule::expr => value = Some(expr(child)?),
                    _ => {}
                }
            }
            let name = name.ok_or_else(|| internal(span))?;
            let value = value.ok_or_else(|| internal(span))?;
            if is_let {
                Item::Let(LetDecl {
                    name,
                    label: label_,
                    value,
                    span,
                })
            } else {
                Item::Pay(PayDecl {
                    name,
                    label: label_,
                    value,
                    span,
                })
            }
        }
        Rule::indicator_decl => {
            let mut name = None;
            let mut label_ = None;
            let mut weight = None;
            let mut financial = false;
            let mut clauses = Vec::new();
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::ident => name = Some(ident(child)),
                    Rule::string => label_ = Some(label(child)),
                    Rule::percent => weight = Some((percent(child.clone())?, tight(&child))),
                    Rule::kw_financial => financial = true,
                    _ => {
                        if let Some(c) = clause(child)? {
                            clauses.push(c);
                        }
                    }
                }
            }
            let (weight, weight_span) = weight.ok_or_else(|| internal(span))?;
            Item::Indicator(IndicatorDecl {
                name: name.ok_or_else(|| internal(span))?,
                label: label_,
                weight,
                weight_span,
                financial,
                clauses,
                span,
            })
        }
        Rule::bonus_decl | Rule::deduction_decl => {
            let kind = if pair.as_rule() == Rule::bonus_decl {
                AdjustmentKind::Bonus
            } else {
                AdjustmentKind::Deduction
            };
            let mut name = None;
            let mut label_ = None;
            let mut clauses = Vec::new();
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::ident => name = Some(ident(child)),
                    Rule::string => label_ = Some(label(child)),
                    _ => {
                        if let Some(c) = clause(child)? {
                            clauses.push(c);
                        }
                    }
                }
            }
            Item::Adjustment(AdjustmentDecl {
                kind,
                name: name.ok_or_else(|| internal(span))?,
                label: label_,
                clauses,
                span,
            })
        }
        Rule::adjust_cap_decl => {
            let mut total = AdjustTotal::Adjustments;
            let mut cap = None;
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::adjust_total => {
                        total = match child.as_str() {
                            "bonuses" => AdjustTotal::Bonuses,
                            "deductions" => AdjustTotal::Deductions,
                            _ => AdjustTotal::Adjustments,
                        }
                    }
                    Rule::number => cap = Some((number(&child)?, tight(&child))),
                    _ => {}
                }
            }
            let (cap, cap_span) = cap.ok_or_else(|| internal(span))?;
            Item::AdjustCap(AdjustCapDecl {
                total,
                cap,
                cap_span,
                span,
            })
        }
        Rule::score_range_decl => {
            let mut bounds = Vec::new();
            for child in pair.into_inner() {
                if child.as_rule() == Rule::signed_number {
                    bounds.push(number(&child)?);
                }
            }
            match bounds.as_slice() {
                [low, high] => Item::ScoreRange(ScoreRangeDecl {
                    low: *low,
                    high: *high,
                    span,
                }),
                _ => return Err(internal(span)),
            }
        }
        Rule::quotas_decl => quotas_decl(pair)?,
        Rule::plan_decl => {
            let mut name = None;
            let mut label_ = None;
            let mut extends = None;
            let mut items = Vec::new();
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::ident => name = Some(ident(child)),
                    Rule::string => label_ = Some(label(child)),
                    Rule::plan_extends => {
                        extends = child
                            .into_inner()
                            .find(|p| p.as_rule() == Rule::ident)
                            .map(ident);
                    }
                    rule if is_item(rule) => items.push(item(child)?),
                    _ => {}
                }
            }
            Item::Plan(PlanDecl {
                name: name.ok_or_else(|| internal(span))?,
                label: label_,
                extends,
                items,
                span,
            })
        }
        Rule::year_decl => {
            let mut missing = None;
            for child in pair.into_inner() {
                if child.as_rule() == Rule::missing_quarters {
                    let rule = if child_text(&child, Rule::missing_rule) == "prorate" {
                        MissingQuarters::Prorate
                    } else {
                        MissingQuarters::Average
                    };
                    missing = Some((rule, tight(&child)));
                }
            }
            Item::Year(YearDecl { missing, span })
        }
        Rule::override_decl => {
            let mut target = OverrideTarget::Grade;
            let mut columns = Vec::new();
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::override_target if child.as_str().trim() == "score" => {
                        target = OverrideTarget::Score;
                    }
                    Rule::column_name => {
                        if let Some(c) = child.into_inner().next().map(name_or_label) {
                            columns.push(c);
                        }
                    }
                    _ => {}
                }
            }
            let mut columns = columns.into_iter();
            Item::Override(OverrideDecl {
                target,
                column: columns.next().ok_or_else(|| internal(span))?,
                reason: columns.next().ok_or_else(|| internal(span))?,
                span,
            })
        }
        Rule::drop_decl => Item::Drop(DropDecl {
            names: pair
                .into_inner()
                .filter(|p| p.as_rule() == Rule::ident)
                .map(ident)
                .collect(),
            span,
        }),
        Rule::grades_decl => {
            let mut bands = Vec::new();
            for child in pair.into_inner() {
                if child.as_rule() == Rule::grade_band {
                    bands.push(grade_band(child)?);
                }
            }
            Item::Grades(GradesDecl { bands, span })
        }
        Rule::veto_decl => {
            let mut label_ = None;
            let mut condition = None;
            let mut effect = None;
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::string => label_ = Some(label(child)),
                    Rule::expr => condition = Some(expr(child)?),
                    Rule::veto_grade => {
                        let grade = child
                            .into_inner()
                            .find(|p| p.as_rule() == Rule::ident)
                            .map(ident);
                        effect = Some(VetoEffect::Grade(grade.ok_or_else(|| internal(span))?));
                    }
                    Rule::veto_zero => {
                        let mut points = None;
                        let mut indicator = None;
                        for part in child.into_inner() {
                            match part.as_rule() {
                                Rule::number => points = Some((number(&part)?, tight(&part))),
                                Rule::ident => indicator = Some(ident(part)),
                                _ => {}
                            }
                        }
                        let (points, points_span) = points.ok_or_else(|| internal(span))?;
                        effect = Some(VetoEffect::ZeroIndicator {
                            points,
                            points_span,
                            indicator: indicator.ok_or_else(|| internal(span))?,
                        });
                    }
                    _ => {}
                }
            }
            Item::Veto(VetoDecl {
                label: label_,
                condition: condition.ok_or_else(|| internal(span))?,
                effect: effect.ok_or_else(|| internal(span))?,
                span,
            })
        }
        Rule::example_decl => {
            let mut name = None;
            let mut lines = Vec::new();
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::string => name = Some(label(child)),
                    Rule::example_given => {
                        let line_span = tight(&child);
                        let mut input = None;
                        let mut value = None;
                        for part in child.into_inner() {
                            match part.as_rule() {
                                Rule::ident => input = Some(ident(part)),
                                Rule::expr => value = Some(expr(part)?),
                                _ => {}
                            }
                        }
                        lines.push(ExampleLine::Given {
                            input: input.ok_or_else(|| internal(line_span))?,
                            value: value.ok_or_else(|| internal(line_span))?,
                            span: line_span,
                        });
                    }
                    Rule::example_expect => {
                        let line_span = tight(&child);
                        let mut target = None;
                        let mut value = None;
                        for part in child.into_inner() {
                            match part.as_rule() {
                                Rule::expect_target => {
                                    let target_span = tight(&part);
                                    target = part.into_inner().next().map(|t| match t.as_rule() {
                                        Rule::kw_score => ExpectTarget::Score(target_span),
                                        Rule::kw_grade => ExpectTarget::Grade(target_span),
                                        _ => ExpectTarget::Name(ident(t)),
                                    });
                                }
                                Rule::expr => value = Some(expr(part)?),
                                _ => {}
                            }
                        }
                        lines.push(ExampleLine::Expect {
                            target: target.ok_or_else(|| internal(line_span))?,
                            value: value.ok_or_else(|| internal(line_span))?,
                            span: line_span,
                        });
                    }
                    _ => {}
                }
            }
            Item::Example(ExampleDecl {
                name: name.ok_or_else(|| internal(span))?,
                lines,
                span,
            })
        }
        _ => return Err(internal(span)),
    })
}

fn round_decl(pair: Pair<'_, Rule>) -> Result<Item> {
    let span = tight(&pair);
    let mut target = RoundTarget::Money;
    let mut quantum = None;
    let mut mode = None;
    let mut exact = false;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::round_target if child.as_str() != "money" => target = RoundTarget::Scores,
            Rule::kw_exactly => {
                exact = true;
                quantum = Some((Decimal::ZERO, tight(&child)));
            }
            Rule::number => quantum = Some((number(&child)?, tight(&child))),
            Rule::round_mode => {
                mode = Some(match child.as_str() {
                    // "四舍五入" and "half-up" are other names for the default.
                    "half-even" => RoundingMode::HalfEven,
                    "down" => RoundingMode::Down,
                    "up" => RoundingMode::Up,
                    _ => RoundingMode::HalfAwayFromZero,
                })
            }
            _ => {}
        }
    }
    let (quantum, quantum_span) = quantum.ok_or_else(|| internal(span))?;
    Ok(Item::Round(RoundDecl {
        target,
        exact,
        quantum,
        quantum_span,
        mode,
        span,
    }))
}

/// An indicator or adjustment clause; `None` for punctuation and keywords.
fn clause(pair: Pair<'_, Rule>) -> Result<Option<Clause>> {
    Ok(Some(match pair.as_rule() {
        Rule::measure_clause => {
            let span = tight(&pair);
            let e = pair.into_inner().find(|p| p.as_rule() == Rule::expr);
            Clause::Measure(expr(e.ok_or_else(|| internal(span))?)?)
        }
        Rule::points_clause => {
            let span = tight(&pair);
            let rule = pair
                .into_inner()
                .find(|p| matches!(p.as_rule(), Rule::expr | Rule::when_rule));
            Clause::Points(points_rule(rule.ok_or_else(|| internal(span))?)?)
        }
        Rule::cap_clause | Rule::floor_clause => {
            let is_cap = pair.as_rule() == Rule::cap_clause;
            let span = tight(&pair);
            let n = pair.into_inner().find(|p| p.as_rule() == Rule::number);
            let n = n.ok_or_else(|| internal(span))?;
            let value = number(&n)?;
            let n_span = tight(&n);
            if is_cap {
                Clause::Cap(value, n_span)
            } else {
                Clause::Floor(value, n_span)
            }
        }
        _ => return Ok(None),
    }))
}

fn points_rule(pair: Pair<'_, Rule>) -> Result<PointsRule> {
    match pair.as_rule() {
        Rule::when_rule => {
            let span = tight(&pair);
            let mut condition = None;
            let mut points = None;
            let mut otherwise = None;
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::expr if condition.is_none() => condition = Some(expr(child)?),
                    Rule::arith => points = Some(expr(child)?),
                    Rule::expr | Rule::when_rule => otherwise = Some(points_rule(child)?),
                    _ => {}
                }
            }
            Ok(PointsRule::When {
                condition: condition.ok_or_else(|| internal(span))?,
                points: points.ok_or_else(|| internal(span))?,
                otherwise: Box::new(otherwise.ok_or_else(|| internal(span))?),
                span,
            })
        }
        _ => Ok(PointsRule::Expr(expr(pair)?)),
    }
}

fn grade_band(pair: Pair<'_, Rule>) -> Result<GradeBand> {
    let span = tight(&pair);
    let mut name = None;
    let mut label_ = None;
    let mut condition = None;
    for child in pair.into_inner() {
        let child_span = tight(&child);
        match child.as_rule() {
            Rule::ident => name = Some(ident(child)),
            Rule::string => label_ = Some(label(child)),
            Rule::kw_otherwise => condition = Some((BandCondition::Otherwise, child_span)),
            Rule::band_shorthand => {
                let (op, value) = op_and_number(child)?;
                let bound = match op {
                    CmpOp::Ge => Bound {
                        value,
                        inclusive: true,
                    },
                    CmpOp::Gt => Bound {
                        value,
                        inclusive: false,
                    },
                    _ => {
                        return Err(Diagnostic::error(
                            Code::BandSyntax,
                            format!("a grade written `{} …` has no lower bound", op.symbol()),
                        )
                        .label(child_span, "a grade's short form gives its lowest score")
                        .help(format!(
                            "write `>= {0}` for \"{0} and above\", or spell the range out: `score {1} {0}`",
                            value.normalize(),
                            op.symbol()
                        )));
                    }
                };
                condition = Some((BandCondition::AtLeast(bound), child_span));
            }
            Rule::band_interval => {
                condition = Some((band_interval(child)?, child_span));
            }
            _ => {}
        }
    }
    let (condition, condition_span) = condition.ok_or_else(|| internal(span))?;
    Ok(GradeBand {
        name: name.ok_or_else(|| internal(span))?,
        label: label_,
        condition,
        condition_span,
        span,
    })
}

fn op_and_number(pair: Pair<'_, Rule>) -> Result<(CmpOp, Decimal)> {
    let span = tight(&pair);
    let mut op = None;
    let mut value = None;
    for child in pair.into_inner() {
        if child.as_rule() == Rule::signed_number {
            value = Some(number(&child)?);
        } else if let Some(o) = cmp_op(child.as_rule()) {
            op = Some(o);
        }
    }
    Ok((
        op.ok_or_else(|| internal(span))?,
        value.ok_or_else(|| internal(span))?,
    ))
}

/// `85 <= score < 95`, `score >= 95`, `score < 65`, `95 <= score`.
fn band_interval(pair: Pair<'_, Rule>) -> Result<BandCondition> {
    let span = tight(&pair);
    let mut before: Option<(Decimal, CmpOp)> = None;
    let mut after: Option<(CmpOp, Decimal)> = None;
    let mut seen_score = false;
    let mut pending_number = None;
    let mut pending_op = None;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::kw_score => {
                seen_score = true;
                if let (Some(n), Some(op)) = (pending_number.take(), pending_op.take()) {
                    before = Some((n, op));
                }
            }
            Rule::signed_number => {
                let n = number(&child)?;
                if seen_score {
                    if let Some(op) = pending_op.take() {
                        after = Some((op, n));
                    }
                } else {
                    pending_number = Some(n);
                }
            }
            rule => {
                if let Some(op) = cmp_op(rule) {
                    pending_op = Some(op);
                }
            }
        }
    }
    let mut lower = None;
    let mut upper = None;
    let bad = |what: &str| {
        Diagnostic::error(Code::BandSyntax, format!("this grade's scores {what}"))
            .label(span, "cannot tell which scores this grade takes")
            .help("write the range as `85 <= score < 95`: the low end first, `<` or `<=` on both sides")
    };
    // `a <= score` gives a lower bound; `a >= score` an upper one.
    if let Some((n, op)) = before {
        match op {
            CmpOp::Le => {
                lower = Some(Bound {
                    value: n,
                    inclusive: true,
                })
            }
            CmpOp::Lt => {
                lower = Some(Bound {
                    value: n,
                    inclusive: false,
                })
            }
            CmpOp::Ge => {
                upper = Some(Bound {
                    value: n,
                    inclusive: true,
                })
            }
            CmpOp::Gt => {
                upper = Some(Bound {
                    value: n,
                    inclusive: false,
                })
            }
            CmpOp::Eq | CmpOp::Ne => return Err(bad("use `=` or `!=`, which do not make a range")),
        }
    }
    if let Some((op, n)) = after {
        let (slot, bound) = match op {
            CmpOp::Ge => (
                &mut lower,
                Bound {
                    value: n,
                    inclusive: true,
                },
            ),
            CmpOp::Gt => (
                &mut lower,
                Bound {
                    value: n,
                    inclusive: false,
                },
            ),
            CmpOp::Le => (
                &mut upper,
                Bound {
                    value: n,
                    inclusive: true,
                },
            ),
            CmpOp::Lt => (
                &mut upper,
                Bound {
                    value: n,
                    inclusive: false,
                },
            ),
            CmpOp::Eq | CmpOp::Ne => return Err(bad("use `=` or `!=`, which do not make a range")),
        };
        if slot.is_some() {
            return Err(bad("give two bounds on the same side"));
        }
        *slot = Some(bound);
    }
    if lower.is_none() && upper.is_none() {
        return Err(bad("have no bound"));
    }
    Ok(BandCondition::Interval {
        lower,
        upper,
        lower_first: before.is_some(),
    })
}

fn quotas_decl(pair: Pair<'_, Rule>) -> Result<Item> {
    let span = tight(&pair);
    let mut group = None;
    let mut lines = Vec::new();
    for child in pair.into_inner() {
        let line_span = tight(&child);
        match child.as_rule() {
            Rule::quota_group => {
                group = child
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::column_name)
                    .and_then(|c| c.into_inner().next())
                    .map(name_or_label);
            }
            Rule::quota_rule => {
                let mut grades = Vec::new();
                let mut op = None;
                let mut share = None;
                for part in child.into_inner() {
                    match part.as_rule() {
                        Rule::ident => grades.push(ident(part)),
                        Rule::percent => share = Some((tight(&part), percent(part)?)),
                        rule => {
                            if let Some(o) = cmp_op(rule) {
                                op = Some((o, tight(&part)));
                            }
                        }
                    }
                }
                let (op, op_span) = op.ok_or_else(|| internal(line_span))?;
                let (share_span, share) = share.ok_or_else(|| internal(line_span))?;
                lines.push(QuotaLine::Limit(QuotaLimitDecl {
                    grades,
                    op,
                    op_span,
                    share,
                    share_span,
                    span: line_span,
                }));
            }
            Rule::quota_rounding => {
                let mode = match child_text(&child, Rule::headcount_mode) {
                    "strict" => HeadcountRounding::Strict,
                    _ => HeadcountRounding::HalfUp,
                };
                lines.push(QuotaLine::Rounding {
                    mode,
                    span: line_span,
                });
            }
            Rule::forced_ranking => {
                let mut ties = Vec::new();
                for key in child.into_inner().filter(|p| p.as_rule() == Rule::tie_key) {
                    let key_span = tight(&key);
                    let lower_first = child_text(&key, Rule::tie_order).starts_with("lower");
                    let name = key
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::ident)
                        .map(ident)
                        .ok_or_else(|| internal(key_span))?;
                    ties.push(TieKey {
                        name,
                        lower_first,
                        span: key_span,
                    });
                }
                lines.push(QuotaLine::Ranking {
                    ties,
                    span: line_span,
                });
            }
            _ => {}
        }
    }
    Ok(Item::Quotas(QuotasDecl { group, lines, span }))
}
