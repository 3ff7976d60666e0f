//! Indicator weights: each between 0% and 100%, together exactly 100%.

use rust_decimal::Decimal;

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
            diags.push(
                Diagnostic::error(Code::WeightRange, format!("the weight of `{}` must be more than 0% and at most 100%", indicator.name.text))
                    .label(indicator.weight_span, "out of range")
                    .help("give each indicator a share of the score, such as `weight 30%`; leave out an indicator that should not count"),
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
        let mut d = Diagnostic::error(
            Code::WeightSum,
            format!("the indicator weights add up to {}, not 100%", percent(sum)),
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
            n => format!(
                " (the first {MARKED} of {} indicators are marked; {n} more follow)",
                indicators.len()
            ),
        };
        d = d.help(format!(
            "weights must add up to exactly 100%: {verb} {} across the indicators{unmarked}",
            percent(diff)
        ));
        // One fix per indicator whose weight alone can make up the total.
        for indicator in indicators.iter().take(MARKED) {
            let mended = indicator.weight + Decimal::ONE - sum;
            if mended > Decimal::ZERO && mended <= Decimal::ONE {
                d = d.fix(
                    format!(
                        "set the weight of `{}` to {} (the weights add up to {} now)",
                        indicator.name.text,
                        percent(mended),
                        percent(sum)
                    ),
                    indicator.weight_span,
                    percent(mended),
                );
            }
        }
        diags.push(d);
    }
}
