//! Indicator weights: each between 0% and 100%, together exactly 100%.

use rust_decimal::Decimal;

use crate::i18n::{Arg, text};
use crate::language::ast::IndicatorDecl;
use crate::language::diagnostic::{Code, Diagnostic};

/// How many weights a report of a wrong total marks.
const MARKED: usize = 20;

pub(super) fn check(indicators: &[&IndicatorDecl], diags: &mut Vec<Diagnostic>) {
    if indicators.is_empty() {
        return;
    }
    let mut sum = Decimal::ZERO;
    for indicator in indicators {
        if indicator.weight <= Decimal::ZERO || indicator.weight > Decimal::ONE {
            let name = [("name", Arg::Text(&indicator.name.text))];
            diags.push(
                Diagnostic::error(Code::WeightRange, text("weights-range", &name))
                    .label(indicator.weight_span, text("weights-range-label", &[]))
                    .help(text("weights-range-help", &[])),
            );
        }
        sum += indicator.weight;
    }
    if sum != Decimal::ONE {
        let percent = |d: Decimal| format!("{}%", (d * Decimal::ONE_HUNDRED).normalize());
        let (verb, diff) = if sum < Decimal::ONE {
            ("add", Decimal::ONE - sum)
        } else {
            ("remove", sum - Decimal::ONE)
        };
        let total = percent(sum);
        let mut d = Diagnostic::error(
            Code::WeightSum,
            text("weights-sum", &[("sum", Arg::Text(&total))]),
        );
        // Each weight is marked, up to a number a report can show: past
        // it, the report would be the policy again (and slow to draw).
        for indicator in indicators.iter().take(MARKED) {
            d = d.label(
                indicator.weight_span,
                format!("{} {}", indicator.name.text, percent(indicator.weight)),
            );
        }
        let unmarked = match indicators.len().saturating_sub(MARKED) {
            0 => String::new(),
            n => text(
                "weights-sum-unmarked",
                &[
                    ("marked", Arg::Count(MARKED)),
                    ("count", Arg::Count(indicators.len())),
                    ("more", Arg::Count(n)),
                ],
            ),
        };
        d = d.help(text(
            "weights-sum-help",
            &[
                ("verb", Arg::Text(verb)),
                ("diff", Arg::Text(&percent(diff))),
                ("unmarked", Arg::Text(&unmarked)),
            ],
        ));
        // One fix per indicator whose weight alone can make up the total.
        for indicator in indicators.iter().take(MARKED) {
            let mended = indicator.weight + Decimal::ONE - sum;
            if mended > Decimal::ZERO && mended <= Decimal::ONE {
                let weight = percent(mended);
                let title = text(
                    "weights-sum-fix",
                    &[
                        ("name", Arg::Text(&indicator.name.text)),
                        ("weight", Arg::Text(&weight)),
                        ("sum", Arg::Text(&total)),
                    ],
                );
                d = d.fix(title, indicator.weight_span, weight);
            }
        }
        diags.push(d);
    }
}
