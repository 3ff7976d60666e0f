//! Grade bands: each becomes a set of scores, and together they must cover
//! the whole score range with no gap, no overlap and no band out of reach.

use rust_decimal::Decimal;

use super::scope;
use crate::i18n::{Arg, text};
use crate::language::ast::{self, BandCondition, Item};
use crate::language::checked::{End, Grade, Interval};
use crate::language::diagnostic::{Code, Diagnostic};

pub(super) fn check(
    policy: &ast::Policy,
    score_range: (Decimal, Decimal),
    diags: &mut Vec<Diagnostic>,
) -> Vec<Grade> {
    let blocks = policy.items.iter().filter_map(|item| match item {
        Item::Grades(g) => Some(g),
        _ => None,
    });
    let Some(block) = super::one_block(blocks, |b| b.span, "grades", diags) else {
        return Vec::new();
    };
    let range = Interval::closed(score_range.0, score_range.1);

    // Each band's scores. The short form `A >= 85` reaches up to the band
    // above; `otherwise` takes what the others leave.
    let mut grades: Vec<Grade> = Vec::new();
    let mut otherwise_at = None;
    for band in &block.bands {
        if grades.iter().any(|g| g.name == band.name.text)
            && let Some(first) = block.bands.iter().find(|b| b.name.text == band.name.text)
        {
            diags.push(scope::duplicate(
                &band.name.text,
                first.name.span,
                "a grade",
                band.name.span,
            ));
            continue;
        }
        let scores = match band.condition {
            BandCondition::Otherwise => {
                if let Some(first) = otherwise_at {
                    diags.push(
                        Diagnostic::error(Code::GradesOverlap, text("grades-otherwise-twice", &[]))
                            .label(band.condition_span, text("grades-otherwise-second", &[]))
                            .label(first, text("grades-otherwise-first", &[]))
                            .help(text("grades-otherwise-twice-help", &[])),
                    );
                }
                otherwise_at = Some(band.condition_span);
                Vec::new()
            }
            BandCondition::AtLeast(bound) => {
                // Up to the lowest threshold of the grades above it, so one
                // band out of order does not make the next ones overlap.
                let above = grades
                    .iter()
                    .flat_map(|g| g.scores.iter().filter_map(|i| i.lo))
                    .min_by(|a, b| a.value.cmp(&b.value).then(b.closed.cmp(&a.closed)));
                vec![Interval {
                    lo: Some(End {
                        value: bound.value,
                        closed: bound.inclusive,
                    }),
                    hi: above.map(|lo| End {
                        value: lo.value,
                        closed: !lo.closed,
                    }),
                }]
            }
            BandCondition::Interval { lower, upper, .. } => vec![Interval {
                lo: lower.map(|b| End {
                    value: b.value,
                    closed: b.inclusive,
                }),
                hi: upper.map(|b| End {
                    value: b.value,
                    closed: b.inclusive,
                }),
            }],
        };
        grades.push(Grade {
            name: band.name.text.clone(),
            label: band.label.as_ref().map(|l| l.text.clone()),
            scores,
            span: band.span,
        });
    }
    let bands: Vec<&ast::GradeBand> = {
        let mut seen = Vec::new();
        block
            .bands
            .iter()
            .filter(|b| {
                let new = !seen.contains(&&b.name.text);
                seen.push(&b.name.text);
                new
            })
            .collect()
    };

    // Out of reach: a band with no score inside the range.
    let mut reachable = vec![true; grades.len()];
    let mut out_of_order = Vec::new();
    for (i, (grade, band)) in grades.iter().zip(&bands).enumerate() {
        if band.condition == BandCondition::Otherwise {
            continue;
        }
        let inside = grade.scores.iter().any(|s| !s.intersect(&range).is_empty());
        if inside {
            continue;
        }
        if let Some(r) = reachable.get_mut(i) {
            *r = false;
        }
        let empty = grade.scores.iter().all(Interval::is_empty);
        if empty && matches!(band.condition, BandCondition::AtLeast(_)) {
            out_of_order.push((grade.name.as_str(), band.condition_span));
            continue;
        }
        let (why, help) = if empty {
            (
                "its range holds no score".to_string(),
                "write the low end first: `85 <= score < 95`".to_string(),
            )
        } else {
            (
                format!(
                    "scores range from {} to {}",
                    score_range.0.normalize(),
                    score_range.1.normalize()
                ),
                "bring the band inside the score range, or change the range with `score range …`"
                    .to_string(),
            )
        };
        diags.push(
            Diagnostic::error(
                Code::GradesUnreachable,
                format!("grade `{}` can never be given: {why}", grade.name),
            )
            .label(band.condition_span, "no score reaches this")
            .help(help),
        );
    }
    // Short-form grades whose threshold is not below the ones above: one
    // mistake (the list is out of order), one diagnostic.
    if !out_of_order.is_empty() {
        let names = out_of_order
            .iter()
            .map(|(n, _)| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut d = Diagnostic::error(
            Code::GradesUnreachable,
            format!(
                "grade {names} can never be given: the grades are not listed from the highest score down"
            ),
        );
        for (name, span) in &out_of_order {
            d = d.label(
                *span,
                format!("`{name}` starts at or above a grade listed before it"),
            );
        }
        diags.push(d.help(out_of_order_help(&bands)));
    }

    // Overlaps between any two bands.
    for (i, a) in grades.iter().enumerate() {
        for (j, b) in grades.iter().enumerate().skip(i + 1) {
            if !reachable.get(i).copied().unwrap_or(true)
                || !reachable.get(j).copied().unwrap_or(true)
            {
                continue;
            }
            for x in &a.scores {
                for y in &b.scores {
                    let both = x.intersect(y).intersect(&range);
                    if !both.is_empty() {
                        let (a_span, b_span) =
                            (band_span(&bands, &a.name), band_span(&bands, &b.name));
                        // The later band (the lower grade) is cut back to
                        // where the earlier one starts, when that is a fix.
                        let help = match (x.lo, y.lo, y.hi) {
                            (Some(a_lo), Some(b_lo), Some(b_hi))
                                if b_hi.value > a_lo.value && b_lo.value < a_lo.value =>
                            {
                                let band = format!(
                                    "{b} {} {} score < {}",
                                    b_lo.value.normalize(),
                                    if b_lo.closed { "<=" } else { "<" },
                                    a_lo.value.normalize(),
                                    b = b.name
                                );
                                text(
                                    "grades-overlap-cut",
                                    &[
                                        ("grade", Arg::Text(&b.name)),
                                        ("other", Arg::Text(&a.name)),
                                        ("band", Arg::Text(&band)),
                                    ],
                                )
                            }
                            _ => text("grades-overlap-help", &[]),
                        };
                        diags.push(
                            Diagnostic::error(
                                Code::GradesOverlap,
                                text(
                                    "grades-overlap",
                                    &[
                                        ("a", Arg::Text(&a.name)),
                                        ("b", Arg::Text(&b.name)),
                                        ("scores", Arg::Text(&both.describe("score"))),
                                    ],
                                ),
                            )
                            .label(
                                b_span,
                                text("grades-overlap-takes", &[("grade", Arg::Text(&b.name))]),
                            )
                            .label(
                                a_span,
                                text("grades-overlap-also", &[("grade", Arg::Text(&a.name))]),
                            )
                            .help(help),
                        );
                    }
                }
            }
        }
    }

    // Gaps: scores no band takes. `otherwise` fills them.
    let covered: Vec<Interval> = grades
        .iter()
        .flat_map(|g| g.scores.iter().copied())
        .collect();
    let gaps = range.gaps(&covered);
    match otherwise_at {
        Some(at) => {
            let index = bands
                .iter()
                .position(|b| b.condition == BandCondition::Otherwise);
            if let Some(grade) = index.and_then(|i| grades.get_mut(i)) {
                if gaps.is_empty() {
                    diags.push(
                        Diagnostic::error(
                            Code::GradesUnreachable,
                            text(
                                "grades-otherwise-unreachable",
                                &[("grade", Arg::Text(&grade.name))],
                            ),
                        )
                        .label(at, text("grades-otherwise-nothing", &[]))
                        .help(text("grades-otherwise-unreachable-help", &[])),
                    );
                }
                grade.scores = gaps;
            }
        }
        None => {
            for gap in gaps {
                let scores = gap.describe("score");
                let mut d = Diagnostic::error(
                    Code::GradesGap,
                    text("grades-gap", &[("scores", Arg::Text(&scores))]),
                );
                // Point at the bands on either side of the gap; the band
                // below it is extended up to the band above.
                let mut labelled = false;
                let mut extend: Option<String> = None;
                for (grade, band) in grades.iter().zip(&bands) {
                    for s in &grade.scores {
                        let above =
                            matches!((s.lo, gap.hi), (Some(lo), Some(hi)) if lo.value == hi.value);
                        let below =
                            matches!((s.hi, gap.lo), (Some(hi), Some(lo)) if hi.value == lo.value);
                        if below && let (Some(lo), Some(hi)) = (s.lo, gap.hi) {
                            let band = format!(
                                "{g} {} {} score {} {}",
                                lo.value.normalize(),
                                if lo.closed { "<=" } else { "<" },
                                if hi.closed { "<=" } else { "<" },
                                hi.value.normalize(),
                                g = grade.name
                            );
                            let args = [
                                ("grade", Arg::Text(&grade.name)),
                                ("band", Arg::Text(&band)),
                            ];
                            extend = Some(text("grades-gap-extend", &args));
                        }
                        if above || below {
                            let key = if above {
                                "grades-gap-starts"
                            } else {
                                "grades-gap-ends"
                            };
                            let words = text(key, &[("grade", Arg::Text(&grade.name))]);
                            d = d.label(band.condition_span, words);
                            labelled = true;
                        }
                    }
                }
                if !labelled {
                    d = d.label(block.span, text("grades-gap-nowhere", &[]));
                }
                diags.push(d.help(extend.unwrap_or_else(|| text("grades-gap-help", &[]))));
            }
        }
    }
    grades
}

fn band_span(bands: &[&ast::GradeBand], name: &str) -> crate::language::source::Span {
    bands
        .iter()
        .find(|b| b.name.text == name)
        .map(|b| b.span)
        .unwrap_or_default()
}
/// The help of short-form bands out of order: the thresholds as written,
/// given back from the highest down in the order the grades are listed
/// (`A >= 75, B >= 90` becomes `A >= 90, B >= 75`); when two are equal,
/// which one to lower.
fn out_of_order_help(bands: &[&ast::GradeBand]) -> String {
    let short: Vec<(&str, Decimal)> = bands
        .iter()
        .filter_map(|b| match &b.condition {
            BandCondition::AtLeast(bound) => Some((b.name.text.as_str(), bound.value)),
            _ => None,
        })
        .collect();
    if let Some(pair) = short.windows(2).find(|w| w[0].1 == w[1].1) {
        return format!(
            "`{}` and `{}` both start at {}: give `{}` a lower threshold (each grade runs from its threshold up to the grade above it)",
            pair[0].0,
            pair[1].0,
            pair[0].1.normalize(),
            pair[1].0
        );
    }
    let show = |list: &[(&str, Decimal)]| {
        list.iter()
            .map(|(name, t)| format!("{name} >= {}", t.normalize()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Either the lines are in the wrong order, or the numbers are.
    let mut reordered = short.clone();
    reordered.sort_by_key(|x| std::cmp::Reverse(x.1));
    let mut thresholds: Vec<Decimal> = short.iter().map(|(_, t)| *t).collect();
    thresholds.sort_by_key(|t| std::cmp::Reverse(*t));
    let renumbered: Vec<(&str, Decimal)> = short
        .iter()
        .zip(&thresholds)
        .map(|((name, _), t)| (*name, *t))
        .collect();
    format!(
        "each grade runs from its threshold up to the grade listed above it: list the grades from the highest threshold down (`{}`), or, if they are in the order meant, give them thresholds from the highest down (`{}`)",
        show(&reordered),
        show(&renumbered)
    )
}
