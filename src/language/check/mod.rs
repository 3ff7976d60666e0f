//! Checking: AST to checked policy, the second phase.
//!
//! [`check`] resolves names, infers units, proves tables, weights and grade
//! bands sound, orders the definitions by dependency, and reports every
//! mistake it finds in one run, sorted by position.

mod cascade;
mod examples;
mod expr;
mod grades;
mod graph;
mod header;
pub(crate) mod intervals;
mod plans;
mod quotas;
mod scope;
mod tables;
mod weights;

use rust_decimal::Decimal;

use crate::language::ast::{self, Clause, CmpOp, InputType, Item};
use crate::language::checked::*;
use crate::language::diagnostic::{self, Code, Diagnostic};
use crate::language::source::{Source, Span};
use crate::language::types::Ty;
use expr::{ExprChecker, LetState, Place};
use scope::Scope;

/// A policy that passed the checker, with the warnings it raised: one
/// checked policy per plan (just one for a policy without plans).
#[derive(Debug, Clone)]
pub struct Checked {
    pub plans: Vec<CheckedPolicy>,
    pub warnings: Vec<Diagnostic>,
}

/// Checks a parsed policy. Returns the checked plans and their warnings, or
/// every diagnostic (errors and warnings) when there is any error.
///
/// Each plan is checked as a policy of its own; a mistake in a shared item
/// is found in every plan and reported once, a mistake that only some plans
/// have says which.
pub fn check(source: &Source, policy: &ast::Policy) -> Result<Checked, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let resolved = plans::resolve(policy, &mut diags);
    let infos: Vec<PlanInfo> = resolved.iter().filter_map(|p| p.info.clone()).collect();
    let count = resolved.iter().filter(|p| !p.broken).count();
    // Each diagnostic with the plans it arose in.
    let mut found: Vec<(Diagnostic, Vec<String>)> = Vec::new();
    let mut checked_plans = Vec::new();
    for plan in resolved.into_iter().filter(|p| !p.broken) {
        let (mut checked, plan_diags) = check_plan(source, &plan.policy);
        let name = plan
            .info
            .as_ref()
            .map(|i| i.name.clone())
            .unwrap_or_default();
        for d in plan_diags {
            match found.iter_mut().find(|(f, _)| *f == d) {
                Some((_, plans)) => plans.push(name.clone()),
                None => found.push((d, vec![name.clone()])),
            }
        }
        checked.plan = plan.info;
        checked.plans = infos.clone();
        checked_plans.push(checked);
    }
    for (mut d, plans) in found {
        if plans.len() < count {
            let names: Vec<String> = plans.iter().map(|p| format!("`{p}`")).collect();
            let word = if names.len() == 1 { "plan" } else { "plans" };
            d.message = format!("{} (in {word} {})", d.message, names.join(", "));
        }
        diags.push(d);
    }
    // An input is unused only when no plan uses it. A formula with an error
    // loses its references, so "never used" is only said without errors.
    if !diags.iter().any(Diagnostic::is_error)
        && let Some(first) = checked_plans.first()
    {
        let mut used = vec![false; first.inputs.len()];
        for plan in &checked_plans {
            for (u, p) in used.iter_mut().zip(plan.used_inputs()) {
                *u |= p;
            }
        }
        diags.extend(unused_inputs(source, first, &used));
    }
    cascade::fold(source, policy, &mut diags);
    diagnostic::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok(Checked {
            plans: checked_plans,
            warnings: diags,
        })
    }
}

/// Checks one plan (or a policy without plans) with every rule of the
/// language.
fn check_plan(source: &Source, policy: &ast::Policy) -> (CheckedPolicy, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let header = header::check(policy, &mut diags);
    let scope = Scope::declare(policy, &mut diags);
    let grades = grades::check(policy, header.score_range, &mut diags);
    let grade_names: Vec<String> = grades.iter().map(|g| g.name.clone()).collect();
    let grade_labels: Vec<Option<String>> = grades.iter().map(|g| g.label.clone()).collect();
    let has_indicators = policy.items.iter().any(|i| matches!(i, Item::Indicator(_)));
    if let (false, Some(block)) = (
        has_indicators,
        policy.items.iter().find(|i| matches!(i, Item::Grades(_))),
    ) {
        diags.push(
            Diagnostic::error(
                Code::GradesMissing,
                "grades are given from the score, but this policy has no indicators",
            )
            .label(block_keyword(block.span(), "grades"), "nothing to grade")
            .help("add `indicator` blocks to compute a score, or remove the grades"),
        );
    }

    let inputs: Vec<&ast::InputDecl> = items(policy, |i| match i {
        Item::Input(d) => Some(d),
        _ => None,
    });
    let lets: Vec<&ast::LetDecl> = items(policy, |i| match i {
        Item::Let(d) => Some(d),
        _ => None,
    });
    let indicator_decls: Vec<&ast::IndicatorDecl> = items(policy, |i| match i {
        Item::Indicator(d) => Some(d),
        _ => None,
    });
    let adjustment_decls: Vec<&ast::AdjustmentDecl> = items(policy, |i| match i {
        Item::Adjustment(d) => Some(d),
        _ => None,
    });
    let veto_decls: Vec<&ast::VetoDecl> = items(policy, |i| match i {
        Item::Veto(d) => Some(d),
        _ => None,
    });
    let pay_decls: Vec<&ast::PayDecl> = items(policy, |i| match i {
        Item::Pay(d) => Some(d),
        _ => None,
    });

    let mut checker = ExprChecker {
        source,
        scope: &scope,
        grades: &grade_names,
        grade_labels: &grade_labels,
        input_types: inputs.iter().map(|d| Ty::of_input(d.ty)).collect(),
        currency: header.currency.as_ref().map(|(c, _)| c.as_str()),
        has_score: !indicator_decls.is_empty(),
        lets: &lets,
        let_results: vec![LetState::Unchecked; lets.len()],
        place: Place::default(),
        diags: Vec::new(),
    };

    let values: Vec<Value> = lets
        .iter()
        .enumerate()
        .map(|(i, d)| Value {
            name: d.name.text.clone(),
            label: d.label.as_ref().map(|l| l.text.clone()),
            expr: checker.value(i),
            span: d.span,
            name_span: d.name.span,
        })
        .collect();

    let mut indicators: Vec<Indicator> = indicator_decls
        .iter()
        .enumerate()
        .map(|(i, d)| indicator(&mut checker, i, d))
        .collect();
    weights::check(&indicator_decls, &mut checker.diags);

    let adjustments: Vec<Adjustment> = adjustment_decls
        .iter()
        .map(|d| adjustment(&mut checker, d))
        .collect();

    let mut vetoes = Vec::new();
    for (index, d) in veto_decls.iter().enumerate() {
        let condition = checker.condition(&d.condition);
        let effect = match &d.effect {
            ast::VetoEffect::Grade(name) => {
                match grade_names.iter().position(|g| *g == name.text) {
                    Some(g) => VetoEffect::Grade(g),
                    None => {
                        checker
                            .diags
                            .push(unknown_grade(name, &grade_names, &grade_labels));
                        continue;
                    }
                }
            }
            ast::VetoEffect::ZeroIndicator {
                points,
                points_span,
                indicator: name,
            } => {
                if !points.is_zero() {
                    checker.diags.push(
                        Diagnostic::error(
                            Code::PointsRange,
                            "a veto can only take all of an indicator's points",
                        )
                        .label(*points_span, "must be 0")
                        .help(format!(
                            "write `=> 0 points for {}`; for a smaller cut, use a `deduction`",
                            name.text
                        )),
                    );
                }
                match scope.get(&name.text).map(|s| s.node) {
                    Some(Node::Indicator(i)) => {
                        if let Some(ind) = indicators.get_mut(i) {
                            ind.zeroed_by.push(index);
                        }
                        VetoEffect::ZeroIndicator(i)
                    }
                    _ => {
                        let names = indicator_decls.iter().map(|i| i.name.text.as_str());
                        let by_label = indicator_decls
                            .iter()
                            .find(|i| i.label.as_ref().is_some_and(|l| l.text == name.text));
                        let mut diag = Diagnostic::error(
                            Code::UnknownName,
                            format!("there is no indicator `{}`", name.text),
                        )
                        .label(name.span, "not an indicator");
                        diag = match (by_label, crate::language::fuzzy::closest(&name.text, names)) {
                            (Some(i), _) => diag.help(format!(
                                "\"{}\" is the label of indicator `{}`: write `{}`",
                                name.text, i.name.text, i.name.text
                            )).fix(format!("change to `{}`", i.name.text), name.span, i.name.text.clone()),
                            (None, Some(s)) => diag.did_you_mean(name.span, s),
                            (None, None) => diag.help("a veto can zero one of the policy's indicators, named as in its `indicator` line"),
                        };
                        checker.diags.push(diag);
                        continue;
                    }
                }
            }
        };
        vetoes.push(Veto {
            label: d.label.as_ref().map(|l| l.text.clone()),
            condition,
            effect,
            span: d.span,
        });
    }

    let pay: Vec<PayItem> = pay_decls
        .iter()
        .map(|d| {
            let expr = checker.expr(&d.value);
            if expr.ty == Ty::Literal {
                checker.diags.push(
                    Diagnostic::error(Code::PayNotMoney, format!("pay item `{}` is a plain number, not an amount of money", d.name.text))
                        .label(d.value.span, "no currency")
                        .help("write amounts with their currency, such as `¥200` or `200元`; a coefficient on its own is not pay: multiply a base by it, e.g. `绩效基数 * by grade { S 1.5, … }`"),
                );
            } else if !matches!(expr.ty, Ty::Money | Ty::Error) {
                checker.diags.push(
                    Diagnostic::error(Code::PayNotMoney, format!("pay item `{}` is not an amount of money", d.name.text))
                        .label(d.value.span, format!("this is {}", expr.ty.words()))
                        .help("a pay item is money: multiply a base amount by a coefficient or rate, e.g. `绩效基数 * by grade { S 1.5, … }`"),
                );
            }
            PayItem {
                name: d.name.text.clone(),
                label: d.label.as_ref().map(|l| l.text.clone()),
                expr: Expr { ty: Ty::Money, ..expr },
                span: d.span,
                name_span: d.name.span,
            }
        })
        .collect();
    diags.append(&mut checker.diags);

    // The currency must be named once money is involved.
    let uses_money = inputs.iter().any(|i| i.ty == InputType::Money) || !pay.is_empty();
    if uses_money && header.currency.is_none() {
        diags.push(
            Diagnostic::error(
                Code::HeaderMissing,
                crate::i18n::text("currency-missing", &[]),
            )
            .label(policy.name.span, crate::i18n::text("this-policy", &[]))
            .help(crate::i18n::text("currency-missing-help", &[])),
        );
    }

    let currency = header.currency.as_ref().map(|(c, _)| c.clone());
    let mut checked = CheckedPolicy {
        source: source.clone(),
        name: policy.name.text.clone(),
        period: header.period.unwrap_or(ast::Period::Quarter),
        currency: header.currency.map(|(c, _)| c),
        money_rounding: header.money_rounding,
        score_rounding: header.score_rounding,
        id_column: header.id_column,
        name_column: header.name_column,
        plan_column: header.plan_column,
        plan: None,
        plans: Vec::new(),
        score_range: header.score_range,
        inputs: inputs
            .iter()
            .map(|d| Input {
                name: d.name.text.clone(),
                label: d.label.as_ref().map(|l| l.text.clone()),
                aliases: d.aliases.iter().map(|a| a.text.clone()).collect(),
                missing: {
                    input_currency(d, currency.as_deref(), &mut diags);
                    missing_rule(d, &mut diags)
                },
                yearly: yearly_rule(d, &mut diags),
                range: input_range(d, &mut diags),
                better: d.better.map(|(b, _)| b),
                written: written_form(d, &mut diags),
                ty: d.ty,
                span: d.span,
                name_span: d.name.span,
            })
            .collect(),
        values,
        indicators: std::mem::take(&mut indicators),
        adjustments,
        caps: header.caps,
        vetoes,
        grades,
        pay,
        quotas: None,
        override_rule: None,
        missing_quarters: None,
        order: Vec::new(),
        examples: Vec::new(),
    };
    for (input, d) in checked.inputs.iter().zip(&inputs) {
        if let (Missing::Default(InputValue::Number(n)), Some(ast::MissingDecl::Default(value))) =
            (input.missing, &d.missing)
            && !input.range.contains(n)
        {
            diags.push(
                Diagnostic::error(
                    Code::InputRange,
                    format!("the default of `{}` lies outside its range", input.name),
                )
                .label(value.span, "outside the range")
                .label(d.range_span.unwrap_or(d.ty_span), "the range")
                .help("give a default within the range, or widen the range"),
            );
        }
    }
    checked.quotas = quotas::check(policy, &scope, &checked, &grade_labels, &mut diags);
    checked.override_rule = override_rule(policy, &checked, &mut diags);
    let years = policy.items.iter().filter_map(|i| match i {
        Item::Year(d) => Some(d),
        _ => None,
    });
    checked.missing_quarters =
        one_block(years, |d| d.span, "year", &mut diags).and_then(|d| d.missing.map(|(m, _)| m));
    if checked.missing_quarters == Some(ast::MissingQuarters::Prorate) {
        diags.extend(prorated_in_part(&checked));
    }
    checked.order = graph::order(&checked, &mut diags);
    let value_types: Vec<Ty> = checked.values.iter().map(|v| v.expr.ty).collect();
    checked.examples = examples::check(
        policy,
        &examples::Context {
            scope: &scope,
            inputs: &checked.inputs,
            value_types: &value_types,
            grades: &grade_names,
            grade_labels: &grade_labels,
            has_score: checked.has_score(),
            used: &checked.used_inputs(),
        },
        &mut diags,
    );
    (checked, diags)
}

fn items<'a, T>(policy: &'a ast::Policy, pick: impl Fn(&'a Item) -> Option<&'a T>) -> Vec<&'a T> {
    policy.items.iter().filter_map(pick).collect()
}

fn indicator(checker: &mut ExprChecker<'_>, index: usize, d: &ast::IndicatorDecl) -> Indicator {
    let mut measure: Option<(Expr, Span)> = None;
    let mut points: Option<(&ast::PointsRule, Span)> = None;
    let mut cap: Option<(Decimal, Span)> = None;
    let mut floor: Option<(Decimal, Span)> = None;
    for clause in &d.clauses {
        match clause {
            Clause::Measure(e) => {
                if let Some((_, first)) = &measure {
                    checker.diags.push(twice("measure", e.span, *first));
                    continue;
                }
                checker.place = Place {
                    indicator: Some((index, None)),
                    measure_span: e.span,
                    in_measure: true,
                };
                let m = checker.numeric(e, "a measure");
                measure = Some((m, e.span));
            }
            Clause::Points(rule) => {
                if let Some((_, first)) = &points {
                    checker.diags.push(twice("points", rule.span(), *first));
                    continue;
                }
                points = Some((rule, rule.span()));
            }
            Clause::Cap(value, span) => {
                check_points_bound(checker, *value, *span, "cap");
                if let Some((_, first)) = &cap {
                    checker.diags.push(twice("cap", *span, *first));
                } else {
                    cap = Some((*value, *span));
                }
            }
            Clause::Floor(value, span) => {
                check_points_bound(checker, *value, *span, "floor");
                if let Some((_, first)) = &floor {
                    checker.diags.push(twice("floor", *span, *first));
                } else {
                    floor = Some((*value, *span));
                }
            }
        }
    }
    if let (Some((c, c_span)), Some((f, f_span))) = (cap, floor)
        && f > c
    {
        checker.diags.push(
            Diagnostic::error(Code::PointsRange, crate::i18n::text("floor-above-cap", &[]))
                .label(
                    f_span,
                    crate::i18n::text(
                        "floor-label",
                        &[("points", crate::i18n::Arg::Text(&f.normalize().to_string()))],
                    ),
                )
                .label(
                    c_span,
                    crate::i18n::text(
                        "cap-label",
                        &[("points", crate::i18n::Arg::Text(&c.normalize().to_string()))],
                    ),
                )
                .help(crate::i18n::text("floor-above-cap-help", &[])),
        );
    }
    checker.place = Place {
        indicator: Some((index, measure.as_ref().map(|(m, _)| m.ty))),
        measure_span: measure.as_ref().map_or(d.span, |(_, span)| *span),
        in_measure: false,
    };
    let points = match points {
        Some((rule, _)) => checker.points_rule(rule),
        None => {
            checker.diags.push(
                Diagnostic::error(Code::IndicatorClause, format!("indicator `{}` does not say how it gives points", d.name.text))
                    .label(d.name.span, "no `points` line")
                    .help("add a `points` line, e.g. `points linear { 0% => 0, 100% => 75, 125% => 100 }`"),
            );
            checker.poisoned(d.span)
        }
    };
    checker.place = Place::default();
    Indicator {
        name: d.name.text.clone(),
        label: d.label.as_ref().map(|l| l.text.clone()),
        weight: d.weight,
        measure: measure.map(|(m, _)| m),
        points,
        cap: cap.map(|(c, _)| c),
        floor: floor.map(|(f, _)| f),
        financial: d.financial,
        zeroed_by: Vec::new(),
        span: d.span,
        name_span: d.name.span,
    }
}

fn adjustment(checker: &mut ExprChecker<'_>, d: &ast::AdjustmentDecl) -> Adjustment {
    let mut points: Option<(Expr, Span)> = None;
    let mut cap: Option<(Decimal, Span)> = None;
    for clause in &d.clauses {
        match clause {
            Clause::Points(rule) => {
                if let Some((_, first)) = &points {
                    checker.diags.push(twice("points", rule.span(), *first));
                    continue;
                }
                points = Some((checker.points_rule(rule), rule.span()));
            }
            Clause::Cap(value, span) => {
                check_points_bound(checker, *value, *span, "cap");
                if let Some((_, first)) = &cap {
                    checker.diags.push(twice("cap", *span, *first));
                } else {
                    cap = Some((*value, *span));
                }
            }
            Clause::Measure(e) => checker.diags.push(
                Diagnostic::error(
                    Code::IndicatorClause,
                    "a bonus or deduction has no `measure`",
                )
                .label(e.span, "not allowed here")
                .help("write the formula in the `points` line, or name it with `let`"),
            ),
            Clause::Floor(_, span) => checker.diags.push(
                Diagnostic::error(Code::IndicatorClause, "a bonus or deduction has no `floor`")
                    .label(*span, "not allowed here")
                    .help("bonus and deduction points start at 0; use `cap` to limit them"),
            ),
        }
    }
    let points = match points {
        Some((p, _)) => p,
        None => {
            checker.diags.push(
                Diagnostic::error(
                    Code::IndicatorClause,
                    format!("`{}` does not say how many points it gives", d.name.text),
                )
                .label(d.name.span, "no `points` line")
                .help("add a `points` line, e.g. `points 投诉次数 * 2`"),
            );
            checker.poisoned(d.span)
        }
    };
    Adjustment {
        kind: d.kind,
        name: d.name.text.clone(),
        label: d.label.as_ref().map(|l| l.text.clone()),
        points,
        cap: cap.map(|(c, _)| c),
        span: d.span,
        name_span: d.name.span,
    }
}

fn check_points_bound(checker: &mut ExprChecker<'_>, value: Decimal, span: Span, what: &str) {
    if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
        checker.diags.push(
            Diagnostic::error(
                Code::PointsRange,
                format!(
                    "a {what} of {} points is outside 0 to 100",
                    value.normalize()
                ),
            )
            .label(span, "points are 0–100")
            .help(format!("give the {what} in points between 0 and 100")),
        );
    }
}

/// The one block of a kind (`grades`, `quotas`); every later one is an error.
fn one_block<'a, T: 'a>(
    mut blocks: impl Iterator<Item = &'a T>,
    span: impl Fn(&T) -> Span,
    word: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a T> {
    let first = blocks.next()?;
    for again in blocks {
        diags.push(
            Diagnostic::error(Code::HeaderDuplicate, format!("the {word} are given twice"))
                .label(block_keyword(span(again), word), "given again here")
                .label(block_keyword(span(first), word), "first given here")
                .help(format!("keep one `{word}` block")),
        );
    }
    Some(first)
}

/// How the year adds up an input's quarters: as the policy says, else by
/// its type (amounts and counts add up, rates and scores average, yes/no is
/// yes if any quarter is).
fn yearly_rule(d: &ast::InputDecl, diags: &mut Vec<Diagnostic>) -> ast::YearlyRule {
    use ast::YearlyRule::*;
    let default = match d.ty {
        InputType::Money | InputType::Number => Sum,
        InputType::Percent | InputType::Score => Average,
        InputType::YesNo => Any,
    };
    let Some((rule, span)) = d.yearly else {
        return default;
    };
    let fits = match (rule, d.ty) {
        (Last, _) => true,
        (Any, ty) => ty == InputType::YesNo,
        (Sum | Average, ty) => ty != InputType::YesNo,
    };
    if !fits {
        diags.push(
            Diagnostic::error(
                Code::Year,
                format!(
                    "`yearly {}` does not fit a {} input",
                    rule.as_str(),
                    d.ty.as_str()
                ),
            )
            .label(span, "cannot add up this input's quarters")
            .help("`sum` and `average` are for numbers, `any` for yes/no, `last` for any input"),
        );
        return default;
    }
    rule
}

/// The override line, if any: it needs something to override.
fn override_rule(
    policy: &ast::Policy,
    checked: &CheckedPolicy,
    diags: &mut Vec<Diagnostic>,
) -> Option<OverrideRule> {
    let lines = policy.items.iter().filter_map(|i| match i {
        Item::Override(d) => Some(d),
        _ => None,
    });
    let d = one_block(lines, |d| d.span, "override", diags)?;
    let missing = match d.target {
        ast::OverrideTarget::Grade if checked.grades.is_empty() => Some("grades"),
        ast::OverrideTarget::Score if !checked.has_score() => Some("a score"),
        _ => None,
    };
    if let Some(what) = missing {
        diags.push(
            Diagnostic::error(
                Code::Override,
                format!(
                    "an override of the {}, but the policy has no {what}",
                    if what == "grades" { "grade" } else { "score" }
                ),
            )
            .label(block_keyword(d.span, "override"), "nothing to override")
            .help("add the grades (or indicators, for a score), or remove the line"),
        );
        return None;
    }
    if d.column.text == d.reason.text {
        diags.push(
            Diagnostic::error(
                Code::Override,
                "the override and its reason are the same column",
            )
            .label(d.reason.span, "the reason needs a column of its own")
            .help("write the reason in another column, e.g. `reason 调整原因`"),
        );
        return None;
    }
    Some(OverrideRule {
        target: d.target,
        column: d.column.text.clone(),
        reason_column: d.reason.text.clone(),
    })
}

/// The keyword at the start of a block (`grades`, `quotas`), to point at
/// the block without underlining all of it.
fn block_keyword(block: Span, word: &str) -> Span {
    Span::new(block.start, block.start + word.len().min(block.len()))
}

fn twice(clause: &str, again: Span, first: Span) -> Diagnostic {
    Diagnostic::error(Code::IndicatorClause, format!("`{clause}` is given twice"))
        .label(again, "given again here")
        .label(first, "first given here")
        .help(format!("keep one `{clause}` line"))
}

pub(super) fn unknown_grade(
    name: &ast::Name,
    grades: &[String],
    labels: &[Option<String>],
) -> Diagnostic {
    let list = grades
        .iter()
        .map(|g| format!("`{g}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let d = Diagnostic::error(
        Code::UnknownGrade,
        format!("there is no grade `{}`", name.text),
    )
    .label(name.span, "unknown grade");
    // `Ａ` typed with a Chinese input method for `A`.
    if let Some(half) = crate::language::fuzzy::half_width(&name.text)
        && grades.contains(&half)
    {
        return d
            .help(format!(
                "`{}` is typed full-width: write `{half}`",
                name.text
            ))
            .fix(format!("change to `{half}`"), name.span, half);
    }
    let by_label = grades
        .iter()
        .zip(labels)
        .find(|(_, label)| label.as_deref().map(str::trim) == Some(name.text.as_str()));
    if let Some((grade, _)) = by_label {
        return d
            .help(format!(
                "`{}` is the label of grade `{grade}`: write `{grade}`",
                name.text
            ))
            .fix(format!("change to `{grade}`"), name.span, grade.clone());
    }
    match crate::language::fuzzy::closest(&name.text, grades.iter().map(String::as_str)) {
        Some(s) => d
            .help(format!("did you mean `{s}`? The grades are {list}"))
            .fix(format!("change to `{s}`"), name.span, s),
        None if grades.is_empty() => d.help("add a `grades { … }` block"),
        None => d.help(format!("the grades are {list}")),
    }
}

/// Under `missing quarters prorate`, a pay item whose amount adds one the
/// year sums over the quarters present (not prorated) to one of the whole
/// year's kind (prorated): it is prorated as a whole, as pay items were
/// before, which scales the summed part twice. A warning: the author
/// decides, and can split it.
fn prorated_in_part(policy: &CheckedPolicy) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for pay in &policy.pay {
        if policy.extent(&pay.expr) != crate::language::checked::Extent::Mixed {
            continue;
        }
        let inputs: Vec<&Input> = policy
            .reads(&pay.expr)
            .into_iter()
            .filter_map(|node| match node {
                Node::Input(i) => policy.inputs.get(i),
                _ => None,
            })
            .collect();
        let mut d = Diagnostic::warning(
            Code::ProratedInPart,
            format!(
                "pay item `{}` adds an amount the year sums over the quarters present to one it does not: `missing quarters prorate` scales it all, the summed part twice",
                pay.name
            ),
        )
        .label(pay.expr.span, "two kinds of amount in one formula");
        if let Some(summed) = inputs.iter().find(|i| i.yearly == ast::YearlyRule::Sum) {
            d = d.label(
                summed.name_span,
                "summed over the quarters present: not to be prorated",
            );
        }
        diags.push(d.help(
            "split it into two pay items, one of the summed amount (a commission) and one of the rest (a base pay, a fixed sum), and add them in a third if a total is needed; a total of pay items is not prorated again",
        ));
    }
    diags
}

fn unused_inputs(source: &Source, policy: &CheckedPolicy, used: &[bool]) -> Vec<Diagnostic> {
    policy
        .inputs
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.get(*i).copied().unwrap_or(true))
        .map(|(_, input)| {
            use crate::i18n::{Arg, text};
            let name = [("name", Arg::Text(&input.name))];
            Diagnostic::warning(Code::UnusedInput, text("unused-input", &name))
                .label(input.span, text("unused-input-label", &[]))
                .help(text("unused-input-help", &[]))
                .fix(
                    text("unused-input-fix", &name),
                    whole_lines(source.text(), input.span),
                    "",
                )
        })
        .collect()
}

/// `span` widened to the lines it stands on, line ends included, when
/// nothing else is written on them; else `span` itself.
fn whole_lines(text: &str, span: Span) -> Span {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i + 1);
    let alone = text[start..span.start].trim().is_empty()
        && crate::language::syntax::strip_comment(&text[span.end..end])
            .trim()
            .is_empty();
    if alone { Span::new(start, end) } else { span }
}

/// What an empty cell of an input means, its default checked like an
/// example value.
/// The values an input's data may hold: the declared range within what
/// its type allows.
fn input_range(d: &ast::InputDecl, diags: &mut Vec<Diagnostic>) -> Interval {
    let allowed = match d.ty {
        InputType::Score => Interval::closed(Decimal::ZERO, Decimal::ONE_HUNDRED),
        _ => Interval::ALL,
    };
    let Some(span) = d.range_span else {
        return allowed;
    };
    let error = |message: String| Diagnostic::error(Code::InputRange, message);
    if d.ty == InputType::YesNo {
        diags.push(
            error(format!("`{}` is yes or no: it has no range", d.name.text))
                .label(span, "a range of a yes/no input")
                .help("remove the range"),
        );
        return allowed;
    }
    let mut range = Interval::ALL;
    let (mut lower, mut upper) = (None::<Span>, None::<Span>);
    for bound in &d.range {
        let side = match bound.op {
            CmpOp::Ge | CmpOp::Gt => &mut lower,
            CmpOp::Le | CmpOp::Lt => &mut upper,
            CmpOp::Eq | CmpOp::Ne => {
                diags.push(
                    error(format!("`{}` is not a range", bound.op.symbol()))
                        .label(bound.span, "not a lower or upper bound")
                        .help("bound the values with `>`, `>=`, `<` or `<=`, such as `range >= 0% and <= 100%`"),
                );
                continue;
            }
        };
        if let Some(first) = side.replace(bound.span) {
            diags.push(
                error("the range bounds the same side twice".to_string())
                    .label(bound.span, "bounds the same side again")
                    .label(first, "first bound")
                    .help("give one lower bound (`>` or `>=`) and one upper bound (`<` or `<=`)"),
            );
            continue;
        }
        let mut found = Vec::new();
        let Some(InputValue::Number(n)) = examples::input_value(d.ty, &bound.value, &mut found)
        else {
            for mut f in found {
                f.code = Code::InputRange;
                f.message = format!("the range of `{}`: {}", d.name.text, f.message);
                diags.push(f);
            }
            continue;
        };
        if let Some(side) = Interval::of_comparison(bound.op, n) {
            range = range.intersect(&side);
        }
    }
    let range = range.intersect(&allowed);
    if range.is_empty() {
        diags.push(
            error(format!("no value of `{}` lies in its range", d.name.text))
                .label(span, "an empty range")
                .help(if d.ty == InputType::Score {
                    "a score lies within 0–100: write bounds that leave some values in between"
                } else {
                    "the lower bound must be below the upper bound"
                }),
        );
        return allowed;
    }
    range
}

/// `written as …` says how a percentage column is written: for another
/// type it is a mistake.
fn written_form(d: &ast::InputDecl, diags: &mut Vec<Diagnostic>) -> Option<ast::WrittenAs> {
    let (form, span) = d.written?;
    if d.ty == InputType::Percent {
        return Some(form);
    }
    diags.push(
        Diagnostic::error(
            Code::TypeMismatch,
            format!(
                "`written as {}` is for percentage inputs; `{}` is {}",
                form.as_str(),
                d.name.text,
                d.ty.as_str()
            ),
        )
        .label(span, "only a percentage column is written in these two ways")
        .help("remove it: it says whether a percentage column's `2.01` means 2.01% (`written as number`) or 201% (`written as fraction`)")
        .fix("remove `written as …`", span, ""),
    );
    None
}

/// Amounts in an input's range and default are in the policy's currency,
/// as amounts in formulas are.
fn input_currency(d: &ast::InputDecl, currency: Option<&str>, diags: &mut Vec<Diagnostic>) {
    let Some(currency) = currency else {
        return;
    };
    fn walk(e: &ast::Expr, currency: &str, diags: &mut Vec<Diagnostic>) {
        if let ast::ExprKind::Money { currency: mark, .. } = &e.kind
            && let Some(d) = expr::currency_mistake(mark, e.span, currency)
        {
            diags.push(d);
        }
        e.for_each_child(|c| walk(c, currency, diags));
    }
    for bound in &d.range {
        walk(&bound.value, currency, diags);
    }
    if let Some(ast::MissingDecl::Default(value)) = &d.missing {
        walk(value, currency, diags);
    }
}

fn missing_rule(d: &ast::InputDecl, diags: &mut Vec<Diagnostic>) -> Missing {
    match &d.missing {
        None => Missing::Error,
        Some(ast::MissingDecl::Optional(_)) => Missing::Exclude,
        Some(ast::MissingDecl::Default(value)) => {
            let mut found = Vec::new();
            match examples::input_value(d.ty, value, &mut found) {
                Some(v) => Missing::Default(v),
                None => {
                    for f in found {
                        let mut f = f;
                        f.code = Code::InputDefault;
                        f.message = format!("the default of `{}`: {}", d.name.text, f.message);
                        diags.push(f);
                    }
                    Missing::Error
                }
            }
        }
    }
}
