//! Decimals read from text exactly: a number that does not fit is refused,
//! never rounded. rust_decimal's own `from_str` rounds anything past 28
//! decimal places (so `0.000…0001` with 40 zeros silently became 0).

use rust_decimal::Decimal;

/// Parses `123`, `-1.50`, `.5` or `1.2e5` exactly, or `None` when the value
/// needs more than 28 decimal places or 96 bits. Zeros after the decimal
/// point beyond 28 places are dropped, as they change nothing.
pub fn exact(text: &str) -> Option<Decimal> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(text.get(i + 1..)?.parse::<i32>().ok()?)),
        None => (text, None),
    };
    let n = Decimal::from_str_exact(mantissa).ok().or_else(|| {
        let trimmed = mantissa.trim_end_matches('0').trim_end_matches('.');
        (mantissa.contains('.') && trimmed != mantissa)
            .then(|| Decimal::from_str_exact(trimmed).ok())
            .flatten()
    })?;
    match exponent {
        None => Some(n),
        Some(_) if n.is_zero() => Some(Decimal::ZERO),
        Some(e) if e >= 0 => {
            // Moving the point right: first out of the decimal places,
            // then by multiplying, so `1.5e3` is 1500, not 1500.0.
            let (e, scale) = (e.unsigned_abs(), n.scale());
            if e > 28 {
                return None;
            }
            let mut n = n;
            n.set_scale(scale.saturating_sub(e)).ok()?;
            (scale..e).try_fold(n, |n, _| n.checked_mul(Decimal::TEN))
        }
        Some(e) => {
            let scale = n.scale().checked_add(e.unsigned_abs())?;
            if scale > 28 {
                return None;
            }
            let mut n = n;
            n.set_scale(scale).ok()?;
            Some(n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exact;

    fn shown(text: &str) -> Option<String> {
        exact(text).map(|n| n.to_string())
    }

    #[test]
    fn numbers_that_fit_are_read_as_written() {
        assert_eq!(shown("1.50").as_deref(), Some("1.50"));
        assert_eq!(shown("-0.5").as_deref(), Some("-0.5"));
        assert_eq!(shown("1.2e5").as_deref(), Some("120000"));
        assert_eq!(shown("1.25e1").as_deref(), Some("12.5"));
        assert_eq!(
            shown("1.0000000000000000000000000001e1").as_deref(),
            Some("10.000000000000000000000000001")
        );
        assert_eq!(shown("15e-3").as_deref(), Some("0.015"));
        assert_eq!(shown("0e400").as_deref(), Some("0"));
        let long_zeros = format!("2.{}", "0".repeat(40));
        assert_eq!(shown(&long_zeros).as_deref(), Some("2"));
        assert_eq!(
            shown("79228162514264337593543950335").as_deref(),
            Some("79228162514264337593543950335")
        );
    }

    #[test]
    fn numbers_that_do_not_fit_are_refused_not_rounded() {
        for text in [
            "0.00000000000000000000000000001",
            "79228162514264337593543950336",
            "1e400",
            "1e-29",
            "1e29",
            "9e28",
            "1e",
            "NaN",
            "",
        ] {
            assert_eq!(exact(text), None, "{text}");
        }
    }
}
