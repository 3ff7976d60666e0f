//! The policy's header lines: period, currency, rounding, the employee
//! columns, the score range and the caps on bonus and deduction totals.

use rust_decimal::Decimal;

use crate::i18n::{Arg, text};
use crate::language::ast::{
    self, AdjustTotal, EmployeeField, Item, Period, RoundTarget, RoundingMode,
};
use crate::language::checked::{AdjustmentCaps, Rounding};
use crate::language::diagnostic::{Code, Diagnostic};
use crate::language::source::Span;

#[derive(Debug)]
pub(super) struct Header {
    pub period: Option<Period>,
    pub currency: Option<(String, Span)>,
    pub money_rounding: Rounding,
    pub score_rounding: Rounding,
    pub id_column: String,
    pub name_column: Option<String>,
    pub plan_column: Option<String>,
    pub score_range: (Decimal, Decimal),
    pub caps: AdjustmentCaps,
}

pub(super) fn check(policy: &ast::Policy, diags: &mut Vec<Diagnostic>) -> Header {
    let mut header = Header {
        period: None,
        currency: None,
        money_rounding: Rounding::CENTS,
        score_rounding: Rounding::CENTS,
        id_column: "id".to_string(),
        name_column: None,
        plan_column: None,
        score_range: (Decimal::ZERO, Decimal::ONE_HUNDRED),
        caps: AdjustmentCaps::default(),
    };
    // Where each header line was first given, to report repeats.
    let mut seen: Vec<(&'static str, Span)> = Vec::new();
    let mut once = |what: &'static str, span: Span, diags: &mut Vec<Diagnostic>| -> bool {
        if let Some((_, first)) = seen.iter().find(|(w, _)| *w == what) {
            let key = match what {
                "period" => "header-period",
                "currency" => "header-currency",
                "rounding of money" => "header-money-rounding",
                "rounding of scores" => "header-score-rounding",
                "employee id column" => "header-id-column",
                "employee name column" => "header-name-column",
                "employee plan column" => "header-plan-column",
                "score range" => "header-score-range",
                "cap on bonuses" => "header-bonus-cap",
                "cap on deductions" => "header-deduction-cap",
                _ => "header-adjustment-cap",
            };
            let what = text(key, &[]);
            diags.push(
                Diagnostic::error(
                    Code::HeaderDuplicate,
                    text("header-duplicate", &[("what", Arg::Text(&what))]),
                )
                .label(span, text("header-duplicate-again", &[]))
                .label(*first, text("header-duplicate-first", &[]))
                .help(text("header-duplicate-help", &[])),
            );
            false
        } else {
            seen.push((what, span));
            true
        }
    };
    for item in &policy.items {
        match item {
            Item::Period(d) if once("period", d.span, diags) => header.period = Some(d.period),
            Item::Currency(d) if once("currency", d.span, diags) => {
                header.currency = Some((d.code.clone(), d.span));
            }
            Item::Round(d) => {
                let what = match d.target {
                    RoundTarget::Money => "rounding of money",
                    RoundTarget::Scores => "rounding of scores",
                };
                if !once(what, d.span, diags) {
                    continue;
                }
                // Money is paid in cents: only scores may be kept exact.
                if d.exact && d.target == RoundTarget::Money {
                    diags.push(
                        Diagnostic::error(Code::Rounding, "money is always rounded: it is paid in whole cents")
                            .label(d.quantum_span, "only scores can be kept exact")
                            .help("round money to a step, such as `round money to 0.01`; `round scores exactly` keeps scores unrounded")
                            .fix("round money to cents", d.quantum_span, "to 0.01"),
                    );
                    continue;
                }
                if d.quantum <= Decimal::ZERO && !d.exact {
                    diags.push(
                        Diagnostic::error(Code::Rounding, "values cannot be rounded to zero")
                            .label(d.quantum_span, "must be more than 0")
                            .help("round to a positive step, such as `0.01` for cents or `1` for whole numbers"),
                    );
                    continue;
                }
                let rounding = Rounding {
                    quantum: d.quantum,
                    mode: d.mode.unwrap_or(RoundingMode::HalfAwayFromZero),
                };
                match d.target {
                    RoundTarget::Money => header.money_rounding = rounding,
                    RoundTarget::Scores => header.score_rounding = rounding,
                }
            }
            Item::Employee(d) => match d.field {
                EmployeeField::Id => {
                    if once("employee id column", d.span, diags) {
                        header.id_column = d.column.text.clone();
                    }
                }
                EmployeeField::Name => {
                    if once("employee name column", d.span, diags) {
                        header.name_column = Some(d.column.text.clone());
                    }
                }
                EmployeeField::Plan => {
                    if once("employee plan column", d.span, diags) {
                        header.plan_column = Some(d.column.text.clone());
                    }
                }
            },
            Item::ScoreRange(d) => {
                if !once("score range", d.span, diags) {
                    continue;
                }
                if d.low >= d.high {
                    diags.push(
                        Diagnostic::error(Code::ScoreRange, "the score range is empty")
                            .label(d.span, "the low end must be below the high end")
                            .help("write the range low to high, such as `score range 0 to 100`"),
                    );
                } else {
                    header.score_range = (d.low, d.high);
                }
            }
            Item::AdjustCap(d) => {
                let (what, slot) = match d.total {
                    AdjustTotal::Bonuses => ("cap on bonuses", &mut header.caps.bonuses),
                    AdjustTotal::Deductions => ("cap on deductions", &mut header.caps.deductions),
                    AdjustTotal::Adjustments => ("cap on adjustments", &mut header.caps.net),
                };
                if once(what, d.span, diags) {
                    *slot = Some(d.cap);
                }
            }
            _ => {}
        }
    }
    if header.period.is_none() {
        diags.push(
            Diagnostic::error(Code::HeaderMissing, text("period-missing", &[]))
                .label(policy.name.span, text("this-policy", &[]))
                .help(text("period-missing-help", &[])),
        );
    }
    header
}
