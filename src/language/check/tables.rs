//! Static checks of scoring tables whose thresholds are written as numbers:
//! linear points in increasing order, steps with no unreachable band and no
//! value that falls through every band.

use crate::language::ast::{self, CmpOp};
use crate::language::checked::{Expr, Interval};
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::{Source, Span};
use crate::language::types::Ty;

pub(super) fn check_linear(
    source: &Source,
    span: Span,
    points: &[(Expr, Expr)],
    diags: &mut Vec<Diagnostic>,
) {
    if points.len() < 2 {
        diags.push(
            Diagnostic::error(Code::LinearOrder, "a linear table needs at least two points")
                .label(span, "one point draws no line")
                .help("give the points the line passes through, such as `linear { 0% => 0, 100% => 75, 125% => 100 }`"),
        );
        return;
    }
    for pair in points.windows(2) {
        let [(prev, _), (next, _)] = pair else {
            continue;
        };
        if let (Some(a), Some(b)) = (prev.constant(), next.constant())
            && b <= a
        {
            let what = if a == b {
                "repeats"
            } else {
                "comes after a larger"
            };
            diags.push(
                Diagnostic::error(
                    Code::LinearOrder,
                    format!("the points of a linear table must increase, but `{}` {what} `{}`", source.slice(next.span), source.slice(prev.span)),
                )
                .label(next.span, "out of order")
                .label(prev.span, "previous point")
                .help("list the points from the lowest value to the highest, each value once, e.g. `0% => 0, 100% => 75, 125% => 100`"),
            );
        }
    }
}

pub(super) fn check_steps(
    source: &Source,
    span: Span,
    written: &[ast::Step],
    bands: &[(CmpOp, Expr, Expr)],
    subject: Ty,
    has_otherwise: bool,
    diags: &mut Vec<Diagnostic>,
) {
    // Only tables whose thresholds are all numbers can be checked before data.
    let mut intervals = Vec::new();
    for (op, threshold, _) in bands {
        match threshold
            .constant()
            .and_then(|t| Interval::of_comparison(*op, t))
        {
            Some(i) => intervals.push((i, threshold.span)),
            None => return,
        }
    }
    let band_spans: Vec<Span> = written
        .iter()
        .filter(|s| s.condition.is_some())
        .map(|s| s.span)
        .collect();
    // Bands no value can reach, each with the earlier band that takes its
    // values. One table in the wrong order is one mistake: one diagnostic.
    let mut covered: Vec<Interval> = Vec::new();
    let mut never: Vec<(usize, Option<usize>)> = Vec::new();
    for (i, (interval, _)) in intervals.iter().enumerate() {
        if interval.gaps(&covered).is_empty() {
            let earlier = intervals
                .iter()
                .take(i)
                .position(|(e, _)| interval.gaps(std::slice::from_ref(e)).is_empty());
            never.push((i, earlier));
        }
        covered.push(*interval);
    }
    let unreachable = !never.is_empty();
    if let Some((first, earlier)) = never.first() {
        let band = |i: usize| {
            band_spans
                .get(i)
                .copied()
                .or_else(|| intervals.get(i).map(|(_, s)| *s))
                .unwrap_or(span)
        };
        let message = if never.len() == 1 {
            "this band can never apply".to_string()
        } else {
            format!("{} bands of this table can never apply", never.len())
        };
        let mut d = Diagnostic::error(Code::StepsOrder, message);
        if let Some(e) = earlier {
            d = d.label(
                band(*e),
                format!(
                    "`{}` comes first and takes their values",
                    source.slice(band(*e))
                ),
            );
        }
        d = d.label(
            band(*first),
            "never reached: a band above takes every value it would",
        );
        for (i, _) in never.iter().skip(1) {
            d = d.label(band(*i), "never reached either");
        }
        diags.push(d.help(
            "the first band that matches wins: list `>=` thresholds from the highest to the lowest, and `<=` thresholds from the lowest to the highest",
        ));
    }
    if !has_otherwise && !unreachable {
        let gaps = Interval::ALL.gaps(&covered);
        if let Some(gap) = gaps.first() {
            diags.push(
                Diagnostic::error(
                    Code::StepsGap,
                    format!(
                        "no band of this table takes {}",
                        gap.describe_with("the value", |d| match subject {
                            Ty::Ratio => crate::language::format::percent(d),
                            _ => d.normalize().to_string(),
                        })
                    ),
                )
                .label(
                    Span::new(span.start, span.start + "steps".len().min(span.len())),
                    "no band for these values",
                )
                .help("end the table with `otherwise …`, such as `otherwise 0`"),
            );
        }
    }
}
