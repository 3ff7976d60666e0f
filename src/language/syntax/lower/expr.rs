//! Lowering formulas: the Pratt parser over operators, primaries, tables
//! and calls.

use super::*;

/// Lowers an `expr` or `arith` pair.
pub(crate) fn expr(pair: Pair<'_, Rule>) -> Result<Expr> {
    pratt(pair.into_inner())
}

/// A formula deeper than [`super::super::MAX_FORMULA_DEPTH`].
pub(super) fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TooDeep,
        format!(
            "this formula is more than {} operations deep",
            super::super::MAX_FORMULA_DEPTH
        ),
    )
    .label(span, "too deep from here")
    .help("split the formula into named values with `let`, and add those up")
}

pub(super) fn pratt(pairs: Pairs<'_, Rule>) -> Result<Expr> {
    // The Pratt parser recurses once per prefix operator: a long run of
    // them (`- - - … x`) is refused before it starts.
    let mut run = 0;
    for pair in pairs.clone() {
        if matches!(pair.as_rule(), Rule::neg | Rule::not_op) {
            run += 1;
            if run > super::super::MAX_FORMULA_DEPTH {
                return Err(too_deep(tight(&pair)));
            }
        } else {
            run = 0;
        }
    }
    // Each expression is built with its depth beside it, and refused as
    // soon as it grows too deep: no deeper tree is ever built (or dropped,
    // which would recurse too).
    let deeper = |depth: usize, span: Span| {
        if depth > super::super::MAX_FORMULA_DEPTH {
            Err(too_deep(span))
        } else {
            Ok(depth)
        }
    };
    PRATT
        .map_primary(|pair| {
            let expr = primary(pair)?;
            let depth = deeper(expr.depth(), expr.span)?;
            Ok((expr, depth))
        })
        .map_prefix(|op, rhs| {
            let (rhs, depth) = rhs?;
            let span = tight(&op).to(rhs.span);
            let depth = deeper(depth + 1, tight(&op))?;
            let op = if op.as_rule() == Rule::not_op {
                UnaryOp::Not
            } else {
                UnaryOp::Neg
            };
            Ok((
                Expr {
                    kind: ExprKind::Unary(op, Box::new(rhs)),
                    span,
                },
                depth,
            ))
        })
        .map_infix(|lhs, op, rhs| {
            let ((lhs, left), (rhs, right)) = (lhs?, rhs?);
            let span = lhs.span.to(rhs.span);
            let depth = deeper(left.max(right) + 1, tight(&op))?;
            let op = match op.as_rule() {
                Rule::or_op => BinaryOp::Or,
                Rule::and_op => BinaryOp::And,
                Rule::add => BinaryOp::Add,
                Rule::sub => BinaryOp::Sub,
                Rule::mul => BinaryOp::Mul,
                Rule::div => BinaryOp::Div,
                rule => match cmp_op(rule) {
                    Some(c) => BinaryOp::Cmp(c),
                    None => return Err(internal(tight(&op))),
                },
            };
            Ok((
                Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    span,
                },
                depth,
            ))
        })
        .parse(pairs)
        .map(|(expr, _)| expr)
}

pub(super) fn primary(pair: Pair<'_, Rule>) -> Result<Expr> {
    let span = tight(&pair);
    let kind = match pair.as_rule() {
        Rule::number => ExprKind::Number(number(&pair)?),
        Rule::percent => ExprKind::Percent(percent(pair)?),
        Rule::money => money(pair)?,
        Rule::boolean => ExprKind::Bool(matches!(pair.as_str(), "yes" | "true")),
        Rule::ident => ExprKind::Name(pair.as_str().to_string()),
        Rule::kw_score => ExprKind::Score,
        Rule::kw_grade => ExprKind::Grade,
        Rule::kw_measure => ExprKind::Measure,
        Rule::paren => {
            let inner = pair.into_inner().find(|p| p.as_rule() == Rule::expr);
            let mut inner = expr(inner.ok_or_else(|| internal(span))?)?;
            // The parentheses belong to the expression: errors point at them too.
            inner.span = span;
            return Ok(inner);
        }
        Rule::if_expr => {
            let mut parts = Vec::new();
            for child in pair.into_inner() {
                if child.as_rule() == Rule::expr {
                    parts.push(expr(child)?);
                }
            }
            let mut parts = parts.into_iter();
            match (parts.next(), parts.next(), parts.next()) {
                (Some(c), Some(t), Some(e)) => ExprKind::If {
                    condition: Box::new(c),
                    then: Box::new(t),
                    otherwise: Box::new(e),
                },
                _ => return Err(internal(span)),
            }
        }
        Rule::call => {
            let mut function = None;
            let mut args = Vec::new();
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::ident => function = Some(ident(child)),
                    Rule::expr => args.push(expr(child)?),
                    _ => {}
                }
            }
            ExprKind::Call {
                function: function.ok_or_else(|| internal(span))?,
                args,
            }
        }
        Rule::linear_table => {
            let mut subject = None;
            let mut points = Vec::new();
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::table_subject => subject = Some(Box::new(table_subject(child)?)),
                    Rule::linear_point => {
                        let point_span = tight(&child);
                        let (at, value) = two_ariths(child)?;
                        points.push(LinearPoint {
                            at,
                            value,
                            span: point_span,
                        });
                    }
                    _ => {}
                }
            }
            ExprKind::Linear { subject, points }
        }
        Rule::steps_table => {
            let mut subject = None;
            let mut steps = Vec::new();
            let mut any_order = false;
            for child in pair.into_inner() {
                let step_span = tight(&child);
                match child.as_rule() {
                    Rule::table_subject => subject = Some(Box::new(table_subject(child)?)),
                    Rule::any_order => any_order = true,
                    Rule::step_band => {
                        let mut op = None;
                        let mut ariths = Vec::new();
                        for part in child.into_inner() {
                            if part.as_rule() == Rule::arith {
                                ariths.push(expr(part)?);
                            } else if let Some(o) = cmp_op(part.as_rule()) {
                                op = Some(o);
                            }
                        }
                        let mut ariths = ariths.into_iter();
                        match (op, ariths.next(), ariths.next()) {
                            (Some(op), Some(threshold), Some(value)) => steps.push(Step {
                                condition: Some((op, threshold)),
                                value,
                                span: step_span,
                            }),
                            _ => return Err(internal(step_span)),
                        }
                    }
                    Rule::step_otherwise => {
                        let value = child.into_inner().find(|p| p.as_rule() == Rule::arith);
                        steps.push(Step {
                            condition: None,
                            value: expr(value.ok_or_else(|| internal(step_span))?)?,
                            span: step_span,
                        });
                    }
                    _ => {}
                }
            }
            ExprKind::Steps {
                subject,
                steps,
                any_order,
            }
        }
        Rule::by_grade => {
            let mut values = Vec::new();
            let mut any_order = false;
            for child in pair.into_inner() {
                if child.as_rule() == Rule::any_order {
                    any_order = true;
                }
                if child.as_rule() == Rule::grade_value {
                    let value_span = tight(&child);
                    let mut grade = None;
                    let mut value = None;
                    for part in child.into_inner() {
                        match part.as_rule() {
                            Rule::ident => grade = Some(ident(part)),
                            Rule::arith => value = Some(expr(part)?),
                            _ => {}
                        }
                    }
                    values.push(GradeValue {
                        grade: grade.ok_or_else(|| internal(value_span))?,
                        value: value.ok_or_else(|| internal(value_span))?,
                        span: value_span,
                    });
                }
            }
            ExprKind::ByGrade(values, any_order)
        }
        _ => return Err(internal(span)),
    };
    Ok(Expr { kind, span })
}

pub(super) fn table_subject(pair: Pair<'_, Rule>) -> Result<Expr> {
    let span = tight(&pair);
    let inner = pair.into_inner().find(|p| p.as_rule() == Rule::arith);
    expr(inner.ok_or_else(|| internal(span))?)
}

pub(super) fn two_ariths(pair: Pair<'_, Rule>) -> Result<(Expr, Expr)> {
    let span = tight(&pair);
    let mut ariths = Vec::new();
    for child in pair.into_inner() {
        if child.as_rule() == Rule::arith {
            ariths.push(expr(child)?);
        }
    }
    let mut ariths = ariths.into_iter();
    match (ariths.next(), ariths.next()) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(internal(span)),
    }
}

pub(super) fn cmp_op(rule: Rule) -> Option<CmpOp> {
    Some(match rule {
        Rule::eq => CmpOp::Eq,
        Rule::ne => CmpOp::Ne,
        Rule::lt => CmpOp::Lt,
        Rule::le => CmpOp::Le,
        Rule::gt => CmpOp::Gt,
        Rule::ge => CmpOp::Ge,
        _ => return None,
    })
}
