//! Worked examples: every input given once with a value of its kind, every
//! expectation naming something the policy computes.

use rust_decimal::Decimal;

use super::scope::Scope;
use crate::language::ast::{self, ExampleLine, ExpectTarget, ExprKind, InputType, Item, UnaryOp};
use crate::language::checked::{Example, Expectation, Expected, Input, InputValue, Node};
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::Span;
use crate::language::types::Ty;

/// What the checker knows that examples are checked against.
pub(super) struct Context<'a> {
    pub scope: &'a Scope,
    pub inputs: &'a [Input],
    /// The type of each derived value, by index.
    pub value_types: &'a [Ty],
    pub grades: &'a [String],
    pub grade_labels: &'a [Option<String>],
    pub has_score: bool,
    /// Which inputs the policy (plan) uses: an example need not give the others.
    pub used: &'a [bool],
}

pub(super) fn check(
    policy: &ast::Policy,
    cx: &Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    for item in &policy.items {
        let Item::Example(decl) = item else { continue };
        if let Some(first) = examples.iter().find(|e| e.name == decl.name.text) {
            diags.push(super::scope::duplicate(
                &decl.name.text,
                first.name_span,
                "an example",
                decl.name.span,
            ));
            continue;
        }
        // An example that expects nothing passes whatever the policy
        // computes: almost always its `expect` lines were forgotten.
        if !decl
            .lines
            .iter()
            .any(|l| matches!(l, ExampleLine::Expect { .. }))
        {
            diags.push(
                Diagnostic::warning(
                    Code::ExampleNoExpect,
                    format!("example \"{}\" expects nothing, so it checks nothing", decl.name.text),
                )
                .label(decl.name.span, "no `expect` line")
                .help("add what the policy must give these inputs, worked out by hand: `expect score = …`, `expect grade = …`, or `expect` and a pay item"),
            );
        }
        if let Some(example) = example(decl, cx, diags) {
            examples.push(example);
        }
    }
    examples
}

fn example(
    decl: &ast::ExampleDecl,
    cx: &Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Example> {
    let before = diags.len();
    let mut inputs: Vec<Option<(InputValue, Span)>> = vec![None; cx.inputs.len()];
    let mut expects = Vec::new();
    for line in &decl.lines {
        match line {
            ExampleLine::Given { input, value, span } => {
                let Some(index) = given_input(input, cx, diags) else {
                    continue;
                };
                if let Some(Some((_, first))) = inputs.get(index) {
                    diags.push(
                        Diagnostic::error(
                            Code::ExampleInput,
                            format!("`{}` is given twice in this example", input.text),
                        )
                        .label(*span, "given again here")
                        .label(*first, "first given here")
                        .help("give each input one value"),
                    );
                    continue;
                }
                let ty = cx.inputs.get(index).map_or(InputType::Number, |i| i.ty);
                let value_ = input_value(ty, value, diags);
                if let (Some(InputValue::Number(n)), Some(declared)) =
                    (value_, cx.inputs.get(index))
                    && !declared.range.contains(n)
                {
                    let show = |d| crate::language::format::input_value(ty, d);
                    diags.push(
                        Diagnostic::error(
                            Code::InputRange,
                            format!(
                                "`{}` = {} lies outside its range: {}",
                                input.text,
                                show(n),
                                declared.range.describe_with(&declared.name, show)
                            ),
                        )
                        .label(value.span, "outside the declared range")
                        .help("give a value within the range, or widen the input's range"),
                    );
                    continue;
                }
                if let Some(v) = value_
                    && let Some(slot) = inputs.get_mut(index)
                {
                    *slot = Some((v, *span));
                }
            }
            ExampleLine::Expect {
                target,
                value,
                span,
            } => {
                if let Some(e) = expectation(target, value, *span, cx, diags) {
                    expects.push(e);
                }
            }
        }
    }
    // An input the plan does not use, or an optional one (an empty cell),
    // may be left out.
    let missing: Vec<&str> = cx
        .inputs
        .iter()
        .zip(&inputs)
        .zip(cx.used.iter().copied().chain(std::iter::repeat(true)))
        .filter(|((input, given), used)| {
            given.is_none() && *used && input.missing != crate::language::checked::Missing::Exclude
        })
        .map(|((input, _), _)| input.name.as_str())
        .collect();
    // An input given with a wrong value is already reported: not "missing" too.
    if !missing.is_empty() && diags.len() == before {
        let list = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        diags.push(
            Diagnostic::error(
                Code::ExampleMissing,
                format!("example \"{}\" leaves out {list}", decl.name.text),
            )
            .label(decl.name.span, "every input needs a value")
            .help(format!(
                "add a line for each, such as `{} = …`; an example is a whole employee, so that its outcome is fully determined",
                missing.first().copied().unwrap_or("")
            )),
        );
    }
    if diags.len() > before {
        return None;
    }
    Some(Example {
        name: decl.name.text.clone(),
        span: decl.span,
        name_span: decl.name.span,
        inputs: inputs.into_iter().map(|g| g.map(|(v, _)| v)).collect(),
        expects,
    })
}

fn given_input(input: &ast::Name, cx: &Context<'_>, diags: &mut Vec<Diagnostic>) -> Option<usize> {
    match cx.scope.get(&input.text).map(|s| s.node) {
        Some(Node::Input(i)) => Some(i),
        Some(_) => {
            diags.push(
                Diagnostic::error(Code::ExampleInput, format!("`{}` is computed by the policy, not an input", input.text))
                    .label(input.span, "not an input")
                    .help(format!(
                        "an example gives inputs only; to pin what the policy computes, write `expect {} = …`",
                        input.text
                    )),
            );
            None
        }
        None => {
            let names = cx.inputs.iter().map(|i| i.name.as_str());
            let d = Diagnostic::error(
                Code::ExampleInput,
                format!("there is no input `{}`", input.text),
            )
            .label(input.span, "unknown input");
            diags.push(match crate::language::fuzzy::closest(&input.text, names) {
                Some(s) => d.did_you_mean(input.span, s),
                None => {
                    d.help("an example gives a value to each `input` of the policy, by its name")
                }
            });
            None
        }
    }
}

/// A literal value: a number, percentage, amount or yes/no, possibly negated.
enum Literal {
    Number(Decimal),
    Percent(Decimal),
    Money(Decimal),
    Bool(bool),
}

fn literal(value: &ast::Expr) -> Option<Literal> {
    Some(match &value.kind {
        ExprKind::Number(n) => Literal::Number(*n),
        ExprKind::Percent(p) => Literal::Percent(*p),
        ExprKind::Money { amount, .. } => Literal::Money(*amount),
        ExprKind::Bool(b) => Literal::Bool(*b),
        ExprKind::Unary(UnaryOp::Neg, inner) => match literal(inner)? {
            Literal::Number(n) => Literal::Number(-n),
            Literal::Percent(p) => Literal::Percent(-p),
            Literal::Money(m) => Literal::Money(-m),
            Literal::Bool(_) => return None,
        },
        _ => return None,
    })
}

fn not_a_value(value: &ast::Expr) -> Diagnostic {
    Diagnostic::error(Code::ExampleValue, "an example gives values, not formulas")
        .label(value.span, "a formula")
        .help("write the value itself, such as `¥1,125,000`, `12.5%`, `6` or `yes`")
}

fn wrong_kind(value: &ast::Expr, wanted: &str, example: &str) -> Diagnostic {
    Diagnostic::error(Code::ExampleValue, format!("this value should be {wanted}"))
        .label(value.span, format!("not {wanted}"))
        .help(format!("write {wanted}, such as `{example}`"))
}

pub(super) fn input_value(
    ty: InputType,
    value: &ast::Expr,
    diags: &mut Vec<Diagnostic>,
) -> Option<InputValue> {
    let Some(lit) = literal(value) else {
        diags.push(not_a_value(value));
        return None;
    };
    let ok = match (ty, lit) {
        (InputType::Money, Literal::Money(n) | Literal::Number(n)) => InputValue::Number(n),
        (InputType::Money, _) => {
            diags.push(wrong_kind(value, "an amount of money", "¥1,125,000"));
            return None;
        }
        (InputType::Percent, Literal::Percent(p)) => InputValue::Number(p),
        (InputType::Percent, Literal::Number(n)) if n.is_zero() => InputValue::Number(n),
        (InputType::Percent, _) => {
            diags.push(wrong_kind(value, "a percentage", "12.5%"));
            return None;
        }
        (InputType::Number, Literal::Number(n)) => InputValue::Number(n),
        (InputType::Number, _) => {
            diags.push(wrong_kind(value, "a plain number", "6"));
            return None;
        }
        (InputType::Score, Literal::Number(n))
            if n >= Decimal::ZERO && n <= Decimal::ONE_HUNDRED =>
        {
            InputValue::Number(n)
        }
        (InputType::Score, _) => {
            diags.push(wrong_kind(value, "a score from 0 to 100", "85"));
            return None;
        }
        (InputType::YesNo, Literal::Bool(b)) => InputValue::Bool(b),
        (InputType::YesNo, _) => {
            diags.push(wrong_kind(value, "yes or no", "yes"));
            return None;
        }
    };
    Some(ok)
}

fn expectation(
    target: &ExpectTarget,
    value: &ast::Expr,
    span: Span,
    cx: &Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expectation> {
    let node = match target {
        ExpectTarget::Score(at) => {
            if !cx.has_score {
                diags.push(
                    Diagnostic::error(Code::ExampleOutcome, "this policy has no score to expect")
                        .label(*at, "no indicators")
                        .help("expect pay items instead"),
                );
                return None;
            }
            Node::Score
        }
        ExpectTarget::Grade(at) => {
            if cx.grades.is_empty() {
                diags.push(
                    Diagnostic::error(Code::ExampleOutcome, "this policy has no grades to expect")
                        .label(*at, "no grades")
                        .help("expect the score or pay items instead"),
                );
                return None;
            }
            Node::Grade
        }
        ExpectTarget::Name(name) => match cx.scope.get(&name.text).map(|s| s.node) {
            Some(Node::Input(_)) => {
                diags.push(
                    Diagnostic::error(
                        Code::ExampleOutcome,
                        format!("`{}` is an input: the example gives it", name.text),
                    )
                    .label(name.span, "an input")
                    .help(format!("write `{} = …` without `expect`", name.text)),
                );
                return None;
            }
            Some(node) => node,
            None => {
                let mut outcomes: Vec<&str> = cx
                    .scope
                    .symbols
                    .iter()
                    .filter(|(_, s)| !matches!(s.node, Node::Input(_)))
                    .map(|(n, _)| n.as_str())
                    .collect();
                outcomes.extend(["score", "grade"]);
                let d = Diagnostic::error(
                    Code::ExampleOutcome,
                    format!("the policy computes nothing called `{}`", name.text),
                )
                .label(name.span, "unknown outcome");
                diags.push(match crate::language::fuzzy::closest(&name.text, outcomes.iter().copied()) {
                    Some(s) => d.did_you_mean(name.span, s),
                    None => d.help("an example can expect `score`, `grade`, an indicator's points, a bonus or deduction item, a value or a pay item"),
                });
                return None;
            }
        },
    };
    let expected = if node == Node::Grade {
        let ExprKind::Name(grade) = &value.kind else {
            diags.push(wrong_kind(
                value,
                "a grade",
                cx.grades.first().map_or("A", String::as_str),
            ));
            return None;
        };
        match cx.grades.iter().position(|g| g == grade) {
            Some(g) => Expected::Grade(g),
            None => {
                let name = ast::Name {
                    text: grade.clone(),
                    span: value.span,
                };
                diags.push(super::unknown_grade(&name, cx.grades, cx.grade_labels));
                return None;
            }
        }
    } else {
        let Some(lit) = literal(value) else {
            diags.push(not_a_value(value));
            return None;
        };
        let ty = match node {
            Node::Value(i) => cx.value_types.get(i).copied().unwrap_or(Ty::Number),
            Node::Pay(_) => Ty::Money,
            _ => Ty::Score,
        };
        match (ty, lit) {
            (Ty::Money, Literal::Money(n) | Literal::Number(n)) => Expected::Number(n),
            (Ty::Ratio, Literal::Percent(p)) => Expected::Number(p),
            (Ty::Score | Ty::Number | Ty::Literal, Literal::Number(n)) => Expected::Number(n),
            (Ty::Bool, _) | (Ty::Grade, _) | (Ty::Error, _) => {
                diags.push(
                    Diagnostic::error(
                        Code::ExampleOutcome,
                        "only numbers, amounts, percentages and grades can be expected",
                    )
                    .label(span, "not a number")
                    .help("expect the score, the grade, points or pay"),
                );
                return None;
            }
            (Ty::Money, _) => {
                diags.push(wrong_kind(value, "an amount of money", "¥3,900.00"));
                return None;
            }
            (Ty::Ratio, _) => {
                diags.push(wrong_kind(value, "a percentage", "112.5%"));
                return None;
            }
            (_, _) => {
                diags.push(wrong_kind(value, "a number of points", "87.50"));
                return None;
            }
        }
    };
    Some(Expectation {
        target: node,
        expected,
        span,
        value_span: value.span,
    })
}
