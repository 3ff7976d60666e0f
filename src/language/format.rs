//! How numbers are shown to people: money with its currency sign and
//! thousands separators, ratios as percentages, points with the score
//! precision. Exact: nothing is rounded unless the caller rounded it, and a
//! value shown shorter than it is carries `≈`.

use rust_decimal::Decimal;

use super::value::Value;
use crate::language::checked::CheckedPolicy;
use crate::language::types::Ty;

/// Money: `¥1,250,000.00`, `$30.50`, `1,200.00 HKD`. At least two decimals,
/// more if the amount has them (an unrounded intermediate).
pub fn money(amount: Decimal, currency: Option<&str>) -> String {
    let mut n = amount.normalize();
    if n.scale() < 2 {
        n.rescale(2);
    }
    let digits = group(&n.abs().to_string());
    let sign = if n.is_sign_negative() && !n.is_zero() {
        "-"
    } else {
        ""
    };
    match currency {
        Some("CNY") | Some("JPY") | None => format!("{sign}¥{digits}"),
        Some("USD") => format!("{sign}${digits}"),
        Some("EUR") => format!("{sign}€{digits}"),
        Some("GBP") => format!("{sign}£{digits}"),
        Some(code) => format!("{sign}{digits} {code}"),
    }
}

/// A ratio as a percentage: 1.125 is `112.5%`. Shown to at most four
/// decimals of a percent; a longer value (2/3) is shown as `≈66.6667%`.
pub fn percent(ratio: Decimal) -> String {
    let p = ratio
        .checked_mul(Decimal::ONE_HUNDRED)
        .unwrap_or(ratio)
        .normalize();
    let shown = p.round_dp(4).normalize();
    if shown == p {
        format!("{shown}%")
    } else {
        format!("≈{shown}%")
    }
}

/// A value of an input as the policy would write it, without a currency
/// sign: `12.5%` for a percentage, `8000` for money or a number, `yes` or
/// `no` (1 or 0).
pub fn input_value(ty: crate::language::ast::InputType, n: Decimal) -> String {
    use crate::language::ast::InputType;
    match ty {
        InputType::Percent => percent(n),
        InputType::YesNo => if n.is_zero() { "no" } else { "yes" }.to_string(),
        _ => number(n),
    }
}

/// A plain number: `1.5`, `12`, or `≈0.3333` when it is longer than 8 decimals.
pub fn number(n: Decimal) -> String {
    let n = n.normalize();
    let shown = n.round_dp(8).normalize();
    if shown == n {
        n.to_string()
    } else {
        format!("≈{shown}")
    }
}

/// Points or a score, with at least `decimals` decimals (`16.875`, `20.00`).
pub fn points(n: Decimal, decimals: u32) -> String {
    let mut n = n.normalize();
    if n.scale() < decimals {
        n.rescale(decimals);
    }
    n.to_string()
}

/// A value of a known type, as it should read in an explanation.
pub fn value(policy: &CheckedPolicy, value: Value, ty: Ty) -> String {
    match value {
        Value::Missing => "(missing)".to_string(),
        Value::Bool(b) => if b { "yes" } else { "no" }.to_string(),
        Value::Grade(g) => policy
            .grades
            .get(usize::from(g))
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        Value::Num(n) => match ty {
            Ty::Money => money(n, policy.currency.as_deref()),
            Ty::Ratio => percent(n),
            _ => number(n),
        },
    }
}

/// A value a table compares with its thresholds, with enough digits to
/// tell it from the nearest one: `≈100%` for 99.99999% would hide why the
/// band below `>= 100%` was chosen, so it shows as `99.99999%`. Values
/// far from every threshold show as [`value`] does.
pub fn value_near(policy: &CheckedPolicy, v: Value, ty: Ty, thresholds: &[Decimal]) -> String {
    let shown = value(policy, v, ty);
    let Value::Num(n) = v else {
        return shown;
    };
    if !shown.starts_with('≈') || !matches!(ty, Ty::Ratio | Ty::Number | Ty::Literal) {
        return shown;
    }
    let scale = if ty == Ty::Ratio {
        Decimal::ONE_HUNDRED
    } else {
        Decimal::ONE
    };
    let x = n.checked_mul(scale).unwrap_or(n);
    let shown_dp: u32 = if ty == Ty::Ratio { 4 } else { 8 };
    let close = thresholds
        .iter()
        .filter_map(|t| t.checked_mul(scale))
        .find(|t| x.round_dp(shown_dp) == t.round_dp(shown_dp));
    let Some(t) = close else {
        return shown;
    };
    // The fewest decimals at which the value and the threshold differ.
    let dp = (shown_dp..=28)
        .find(|dp| x.round_dp(*dp) != t.round_dp(*dp))
        .unwrap_or(28);
    let digits = x.round_dp(dp).normalize();
    let mark = if digits == x.normalize() { "" } else { "≈" };
    match ty {
        Ty::Ratio => format!("{mark}{digits}%"),
        _ => format!("{mark}{digits}"),
    }
}

/// Inserts thousands separators into a plain decimal string.
fn group(digits: &str) -> String {
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn shows_money_percent_and_numbers() {
        assert_eq!(money(d("1250000"), Some("CNY")), "¥1,250,000.00");
        assert_eq!(money(d("-30.5"), Some("USD")), "-$30.50");
        assert_eq!(money(d("999.125"), Some("CNY")), "¥999.125");
        assert_eq!(money(d("1200"), Some("HKD")), "1,200.00 HKD");
        assert_eq!(percent(d("1.125")), "112.5%");
        assert_eq!(percent(d("0.15")), "15%");
        assert_eq!(percent(d("2") / d("3")), "≈66.6667%");
        assert_eq!(number(d("1.50")), "1.5");
    }
}
