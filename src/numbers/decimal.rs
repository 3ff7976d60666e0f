//! Decimals read from text exactly: a number that does not fit is refused,
//! never rounded. rust_decimal's own `from_str` rounds anything past 28
//! decimal places (so `0.000…0001` with 40 zeros silently became 0).

use rust_decimal::Decimal;

/// Parses `123`, `-1.50`, `.5` or `1.2e5` exactly, or `None` when the value
/// needs more than 28 decimal places or 96 bits. Zeros after the decimal
/// point beyond 28 places are dropped, as they change nothing.
pub fn exact(text: &str) -> Option<Decimal> {
    // The usual number, `-1234.50`, in one pass.
    if let Some(n) = plain(text) {
        return Some(n);
    }
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

/// `-1234.50`: an optional minus, at most 18 digits and one point, as
/// `Decimal::from_str_exact` reads it (trailing zeros kept), in one pass;
/// `None` for anything else.
#[inline]
pub fn plain(text: &str) -> Option<Decimal> {
    plain_parts(text).map(Plain::decimal)
}

/// A plain number's parts as read (at most 18 digits: the mantissa fits in
/// 64 bits). Checks made on these, before a `Decimal` is put together,
/// need not read its four fields back (a read that stalls on the writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plain {
    pub mantissa: u64,
    pub scale: u32,
    /// Never set with a zero mantissa: `-0` is 0.
    pub negative: bool,
}

impl Plain {
    /// A plain `0`, as every zero cell reads (`-0` and `0.00` too).
    pub const ZERO: Plain = Plain {
        mantissa: 0,
        scale: 0,
        negative: false,
    };

    #[inline(always)]
    pub fn decimal(self) -> Decimal {
        let m = self.mantissa;
        Decimal::from_parts(m as u32, (m >> 32) as u32, 0, self.negative, self.scale)
    }

    /// The same number as the evaluator holds it.
    #[inline(always)]
    pub(crate) fn num(self) -> crate::numbers::num::Num {
        crate::numbers::num::Num::new(u128::from(self.mantissa), self.scale, self.negative)
    }
}

/// [`plain`], as its parts.
#[inline(always)]
pub fn plain_parts(text: &str) -> Option<Plain> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let bytes = unsigned.as_bytes();
    // 18 digits and a point at most: 18 digits always fit in 64 bits, so
    // the loop need not count them.
    if bytes.len() > 19 {
        return None;
    }
    let (mut mantissa, mut point) = (0u64, None);
    // Two digits a step where both are digits: each step waits for the
    // one before (× 10 + digit), so halving the steps halves the wait.
    let mut rest = bytes;
    while !rest.is_empty() {
        if let [a, b, after @ ..] = rest {
            let (da, db) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
            if da < 10 && db < 10 {
                mantissa = mantissa * 100 + u64::from(da * 10 + db);
                rest = after;
                continue;
            }
        }
        let [b, after @ ..] = rest else { break };
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if *b == b'.' && point.is_none() {
            point = Some(bytes.len() - rest.len());
        } else {
            return None;
        }
        rest = after;
    }
    let digits = bytes.len() - usize::from(point.is_some());
    if digits == 0 || digits > 18 {
        return None;
    }
    // The digits after the point: at most 18.
    let scale = point.map_or(0, |p| bytes.len() - p - 1) as u32;
    Some(Plain {
        mantissa,
        scale,
        // `-0` reads as 0, as rust_decimal reads it.
        negative: negative && mantissa != 0,
    })
}

/// Appends `d` as its `Display` writes it (`-12.50`, `0.05`).
pub fn push_decimal(out: &mut String, d: Decimal) {
    let mut buf = [0; DECIMAL_TEXT];
    // ASCII: always UTF-8.
    out.push_str(std::str::from_utf8(decimal_text(&d, &mut buf)).unwrap_or_default());
}

/// Appends `d` as its `Display` writes it, as bytes: how the CSV writer
/// writes millions of numbers, with no formatter and no check that its
/// digits are UTF-8.
///
/// `d` is read where it is, field by field: a number an outcome has just
/// written, copied whole, would wait for its fields' writes to land.
pub fn write_decimal(out: &mut Vec<u8>, d: &Decimal) {
    let mut buf = [0; DECIMAL_TEXT];
    out.extend_from_slice(decimal_text(d, &mut buf));
}

/// The longest a decimal is written: a sign, 29 digits, a point and a zero
/// before it (at most 28 decimals).
const DECIMAL_TEXT: usize = 40;

/// `d` as its `Display` writes it, at the end of `buf`, several times
/// faster: the decimals one at a time and the whole part two at a time from
/// a table, right to left, in 64-bit arithmetic when the mantissa fits (the
/// usual one does).
fn decimal_text<'b>(d: &Decimal, buf: &'b mut [u8; DECIMAL_TEXT]) -> &'b [u8] {
    let parts = d.unpack();
    let scale = parts.scale.min(28);
    let mantissa = u128::from(parts.lo) | u128::from(parts.mid) << 32 | u128::from(parts.hi) << 64;
    let mut at = buf.len();
    let mut put = |byte: u8| {
        at -= 1;
        buf[at] = byte;
    };
    match u64::try_from(mantissa) {
        Ok(mut v) => {
            // Every decimal is written, zeros included: `0.05`; two at a
            // time from the table (the usual number has two).
            for _ in 0..scale / 2 {
                let pair = (v % 100) as usize * 2;
                v /= 100;
                put(PAIRS[pair + 1]);
                put(PAIRS[pair]);
            }
            if scale % 2 == 1 {
                put(b'0' + (v % 10) as u8);
                v /= 10;
            }
            if scale > 0 {
                put(b'.');
            }
            // At least one digit before the point: `0.05`, `0`.
            loop {
                if v < 10 {
                    put(b'0' + v as u8);
                    break;
                }
                let pair = (v % 100) as usize * 2;
                v /= 100;
                put(PAIRS[pair + 1]);
                put(PAIRS[pair]);
                if v == 0 {
                    break;
                }
            }
        }
        // Past 64 bits (rare): a digit at a time in 128-bit arithmetic.
        Err(_) => {
            let mut v = mantissa;
            for _ in 0..scale {
                put(b'0' + (v % 10) as u8);
                v /= 10;
            }
            if scale > 0 {
                put(b'.');
            }
            loop {
                put(b'0' + (v % 10) as u8);
                v /= 10;
                if v == 0 {
                    break;
                }
            }
        }
    }
    if parts.negative {
        put(b'-');
    }
    &buf[at..]
}

/// `00`, `01`, … `99`: two digits at a time.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

#[cfg(test)]
mod tests {
    use super::{exact, plain, push_decimal, write_decimal};
    use rust_decimal::Decimal;

    /// The one-pass reading of a plain number gives what rust_decimal's
    /// exact parser gives, trailing zeros and all.
    #[test]
    fn plain_decimals_read_as_rust_decimal_reads_them() {
        let cases = [
            "0",
            "-0",
            "7",
            "007",
            "1.",
            ".5",
            "-.5",
            "0.50",
            "1234.50",
            "-1234.50",
            "999999999999999999",
            "0.00000000000000001",
            "12345678.123456789",
            "1110375.00",
            "18.21",
        ];
        for text in cases {
            let expected = Decimal::from_str_exact(text).unwrap();
            let got = plain(text).unwrap();
            assert_eq!(got.to_string(), expected.to_string(), "{text}");
            assert_eq!(got, expected, "{text}");
        }
        for text in [
            "",
            "-",
            ".",
            "1.2.3",
            "1,200",
            "1e5",
            "+1",
            "1 2",
            "9999999999999999999",
            "0.000000000000000001",
        ] {
            assert_eq!(plain(text), None, "{text}");
        }
        // Random texts of digits, points and minus signs: what rust_decimal
        // reads exactly, within 18 digits, is read alike; the rest refused.
        let alphabet = b"0123456789.-09";
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut read = 0;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 23) as usize;
            let text: String = (0..len)
                .map(|i| {
                    let pick = (x >> (i * 2 + 5)) % alphabet.len() as u64;
                    char::from(alphabet[pick as usize])
                })
                .collect();
            let unsigned = text.strip_prefix('-').unwrap_or(&text);
            let digits = unsigned.bytes().filter(u8::is_ascii_digit).count();
            let plain_shape = !unsigned.is_empty()
                && unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && unsigned.matches('.').count() <= 1
                && (1..=18).contains(&digits);
            let expected = plain_shape
                .then(|| Decimal::from_str_exact(&text).ok())
                .flatten();
            let got = plain(&text);
            read += usize::from(got.is_some());
            let shown = |d: Option<Decimal>| d.map(|d| (d.to_string(), d.serialize()));
            assert_eq!(shown(got), shown(expected), "{text:?}");
        }
        assert!(read > 5_000, "{read} read");
    }

    /// `push_decimal` writes what `Display` writes, for every sign, scale
    /// and size of mantissa, negative zero included.
    #[test]
    fn decimals_are_written_as_display_writes_them() {
        let mut mantissas: Vec<i128> = vec![0, 1, 5, 9, 10, 99, 100, 12345, 100_000];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            mantissas.push(i128::from(x >> (x % 64)));
        }
        mantissas.push(i128::from(u64::MAX));
        mantissas.push(i128::from(u64::MAX) + 1);
        mantissas.push((1i128 << 96) - 1);
        for m in mantissas {
            for scale in [0, 1, 2, 3, 10, 27, 28] {
                for negative in [false, true] {
                    let Ok(mut d) = Decimal::try_from_i128_with_scale(m, scale) else {
                        continue;
                    };
                    d.set_sign_negative(negative);
                    let mut out = String::from("x");
                    push_decimal(&mut out, d);
                    assert_eq!(out, format!("x{d}"), "{m} scale {scale}");
                    let mut bytes = b"x".to_vec();
                    write_decimal(&mut bytes, &d);
                    assert_eq!(bytes, out.as_bytes(), "{m} scale {scale}");
                }
            }
        }
    }

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
