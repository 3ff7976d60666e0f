//! Grade bands: each becomes a set of scores, and together they must cover
//! the whole score range with no gap, no overlap and no band out of reach.

use rust_decimal::Decimal;

use super::scope;
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
                        Diagnostic::error(Code::GradesOverlap, "two grades say `otherwise`")
                            .label(band.condition_span, "second `otherwise`")
                            .label(first, "first `otherwise`")
                            .help("only one grade can take the scores the others leave"),
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
        diags.push(d.help(
            "in the short form each grade runs from its threshold up to the grade above it: list them from the highest threshold to the lowest, e.g. `S >= 95, A >= 85, B >= 75, C >= 65, D otherwise`",
        ));
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
                        diags.push(
                            Diagnostic::error(
                                Code::GradesOverlap,
                                format!("grades `{}` and `{}` overlap where {}", a.name, b.name, both.describe("score")),
                            )
                            .label(b_span, format!("`{}` takes these scores", b.name))
                            .label(a_span, format!("and so does `{}`", a.name))
                            .help("a score on a boundary must fall in exactly one grade: use `<` on one side and `<=` (or `>=`) on the other, as in `85 <= score < 95`"),
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
                            format!(
                                "grade `{}` can never be given: the other grades take every score",
                                grade.name
                            ),
                        )
                        .label(at, "nothing is left for `otherwise`")
                        .help("remove this grade, or narrow the others"),
                    );
                }
                grade.scores = gaps;
            }
        }
        None => {
            for gap in gaps {
                let mut d = Diagnostic::error(
                    Code::GradesGap,
                    format!("scores where {} have no grade", gap.describe("score")),
                );
                // Point at the bands on either side of the gap.
                let mut labelled = false;
                for (grade, band) in grades.iter().zip(&bands) {
                    for s in &grade.scores {
                        let above =
                            matches!((s.lo, gap.hi), (Some(lo), Some(hi)) if lo.value == hi.value);
                        let below =
                            matches!((s.hi, gap.lo), (Some(hi), Some(lo)) if hi.value == lo.value);
                        if above || below {
                            let end = if above { "starts" } else { "ends" };
                            d = d
                                .label(band.condition_span, format!("`{}` {end} here", grade.name));
                            labelled = true;
                        }
                    }
                }
                if !labelled {
                    d = d.label(block.span, "no band takes these scores");
                }
                diags.push(d.help(
                    "make each band start exactly where the next one ends, with `<` on one side and `<=` on the other: `A 85 <= score < 95` then `B 75 <= score < 85`; or end the list with `D otherwise`",
                ));
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
