//! Grade bands: each becomes a set of scores, and together they must cover
//! the whole score range with no gap, no overlap and no band out of reach.

use rust_decimal::Decimal;

use super::scope;
use crate::ast::{self, BandCondition, Item};
use crate::checked::{End, Grade, Interval};
use crate::diagnostic::{Code, Diagnostic};

pub(super) fn check(
    policy: &ast::Policy,
    score_range: (Decimal, Decimal),
    diags: &mut Vec<Diagnostic>,
) -> Vec<Grade> {
    let mut blocks = policy.items.iter().filter_map(|item| match item {
        Item::Grades(g) => Some(g),
        _ => None,
    });
    let Some(block) = blocks.next() else {
        return Vec::new();
    };
    for again in blocks {
        diags.push(
            Diagnostic::error(Code::HeaderDuplicate, "the grades are given twice")
                .label(again.span, "given again here")
                .label(block.span, "first given here")
                .help("keep one `grades` block"),
        );
    }
    let range = Interval::closed(score_range.0, score_range.1);

    // Each band's scores. The short form `A >= 85` reaches up to the band
    // above; `otherwise` takes what the others leave.
    let mut grades: Vec<Grade> = Vec::new();
    let mut otherwise_at = None;
    for band in &block.bands {
        if let Some(first) = grades.iter().find(|g| g.name == band.name.text) {
            diags.push(scope::duplicate(
                &band.name.text,
                first.span,
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
                let above = grades
                    .last()
                    .and_then(|g| g.scores.first())
                    .and_then(|i| i.lo);
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
    for (i, (grade, band)) in grades.iter().zip(&bands).enumerate() {
        if band.condition == BandCondition::Otherwise {
            continue;
        }
        let inside = grade.scores.iter().any(|s| !s.intersect(&range).is_empty());
        if !inside {
            if let Some(r) = reachable.get_mut(i) {
                *r = false;
            }
            let empty = grade.scores.iter().all(Interval::is_empty);
            let (why, help) = if empty && matches!(band.condition, BandCondition::AtLeast(_)) {
                (
                    "its threshold is not below the grade above it".to_string(),
                    "list the grades from the highest score to the lowest".to_string(),
                )
            } else if empty {
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
                    "bring the band inside the score range, or change the range with `score range …`".to_string(),
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
    }

    // Overlaps between any two bands.
    for (i, a) in grades.iter().enumerate() {
        for b in grades.iter().skip(i + 1) {
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
                diags.push(
                    Diagnostic::error(Code::GradesGap, format!("scores where {} have no grade", gap.describe("score")))
                        .label(block.span, "no band takes these scores")
                        .help("make each band start where the one above ends, e.g. `A 85 <= score < 95` then `B 75 <= score < 85`, or end with `D otherwise`"),
                );
            }
        }
    }
    grades
}

fn band_span(bands: &[&ast::GradeBand], name: &str) -> crate::source::Span {
    bands
        .iter()
        .find(|b| b.name.text == name)
        .map(|b| b.span)
        .unwrap_or_default()
}
