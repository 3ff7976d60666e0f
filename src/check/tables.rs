//! Static checks of scoring tables whose thresholds are written as numbers:
//! linear points in increasing order, steps with no unreachable band and no
//! value that falls through every band.

use crate::ast::{self, CmpOp};
use crate::checked::{Expr, Interval};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Source, Span};

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
    let mut covered: Vec<Interval> = Vec::new();
    let mut unreachable = false;
    for (i, (interval, threshold_span)) in intervals.iter().enumerate() {
        if interval.gaps(&covered).is_empty() {
            unreachable = true;
            let band_span = written
                .iter()
                .filter(|s| s.condition.is_some())
                .nth(i)
                .map_or(*threshold_span, |s| s.span);
            let mut d = Diagnostic::error(Code::StepsOrder, "this band can never apply")
                .label(band_span, "every value it takes is taken by a band above");
            if let Some(earlier) = intervals[..i]
                .iter()
                .find(|(e, _)| interval.gaps(std::slice::from_ref(e)).is_empty())
            {
                d = d.label(
                    earlier.1,
                    format!("`{}` already matches first", source.slice(earlier.1)),
                );
            }
            diags.push(d.help(
                "the first band that matches wins: list `>=` thresholds from the highest to the lowest, and `<=` thresholds from the lowest to the highest",
            ));
        }
        covered.push(*interval);
    }
    if !has_otherwise && !unreachable {
        let gaps = Interval::ALL.gaps(&covered);
        if let Some(gap) = gaps.first() {
            diags.push(
                Diagnostic::error(
                    Code::StepsGap,
                    format!("values where {} match no band", gap.describe("the value")),
                )
                .label(span, "no band for these values")
                .help("end the table with `otherwise …`, such as `otherwise 0`"),
            );
        }
    }
}
