//! Reading one cell as an input's type: exactly the decimal the person sees.

use rust_decimal::Decimal;

use super::CellRef;
use crate::engine::program::Value;
use crate::language::ast::InputType;
use crate::numbers::decimal::Plain;

/// Parses a cell for an input of type `ty`, or says in words what is wrong.
///
/// Money may carry a currency sign, `元`, a currency code, thousands
/// separators, or accounting parentheses for a negative amount. A percentage
/// is read as written (`85%`), or as a fraction without the sign (`0.85`).
/// A score must lie within 0–100.
#[inline]
pub fn parse_cell(ty: InputType, cell: CellRef<'_>) -> Result<Value, String> {
    // Kept small enough to inline where rows are typed, so that the value
    // stays in registers (a value passed back through memory piece by piece
    // stalls the load that reads it whole).
    if let CellRef::Text(text) = cell
        && let Some(value) = usual(ty, text)
    {
        return Ok(value);
    }
    parse_cell_in_full(ty, cell)
}

/// The cell as most are written, `1234.50`, `85%`, `0.85`, `yes` (nothing
/// to trim, no sign, unit or separator), read as [`parse_cell_in_full`]
/// reads it; `None` for anything else, which that then reads (or refuses).
#[inline(always)]
pub(super) fn usual(ty: InputType, text: &str) -> Option<Value> {
    match usual_parts(ty, text)? {
        Usual::Num(n) => Some(Value::Num(n.decimal())),
        Usual::Bool(b) => Some(Value::Bool(b)),
    }
}

/// What [`usual`] reads, a number still as its parts: how rows are typed,
/// with the input's range checked on the parts.
#[derive(Debug, Clone, Copy)]
pub(super) enum Usual {
    Num(Plain),
    Bool(bool),
}

#[inline(always)]
pub(super) fn usual_parts(ty: InputType, text: &str) -> Option<Usual> {
    let n = match ty {
        InputType::Money | InputType::Number => plain_number(text)?,
        // Bounds compared on the mantissa (at most 18 digits and 18
        // decimals): rust_decimal's comparison is a call.
        InputType::Score => plain_number(text)
            .filter(|n| !n.negative && u128::from(n.mantissa) <= 100 * 10u128.pow(n.scale))?,
        InputType::Percent => match text.strip_suffix('%') {
            Some(number) => hundredth_of_plain(plain_number(number)?),
            None => plain_number(text).filter(|n| u128::from(n.mantissa) < 10u128.pow(n.scale))?,
        },
        InputType::YesNo => {
            return match text {
                "yes" | "是" => Some(Usual::Bool(true)),
                "no" | "否" => Some(Usual::Bool(false)),
                _ => None,
            };
        }
    };
    Some(Usual::Num(n))
}

/// `n / 100` exactly as rust_decimal's division gives it, by moving the
/// point rather than dividing: a mantissa that 100 divides keeps its scale
/// (`100` is `1`, `120.00` is `1.20`), any other gains two decimals (`85`
/// is `0.85`, `12.50` is `0.1250`; a plain number has at most 18, so two
/// more always fit), and zero (read as [`Plain::ZERO`]) stays `0`. The
/// test of [`usual`] against the
/// full reading, which divides, checks it bit for bit.
#[inline(always)]
fn hundredth_of_plain(n: Plain) -> Plain {
    if n.mantissa % 100 == 0 {
        return Plain {
            mantissa: n.mantissa / 100,
            ..n
        };
    }
    Plain {
        scale: n.scale + 2,
        ..n
    }
}

/// [`parse_cell`] for any cell.
#[inline(never)]
fn parse_cell_in_full(ty: InputType, cell: CellRef<'_>) -> Result<Value, String> {
    let text = match cell {
        CellRef::Empty => return Err(missing()),
        CellRef::Bool(b) => {
            return match ty {
                InputType::YesNo => Ok(Value::Bool(b)),
                _ => Err(format!(
                    "the cell holds the yes/no value {}, not {}",
                    if b { "TRUE" } else { "FALSE" },
                    words(ty)
                )),
            };
        }
        // Excel stores a date as a day count, which must never be read as
        // an amount: 2026-03-31 is 46112.
        CellRef::Date(when) => {
            return Err(format!(
                "the cell holds the {} {when}, not {}: type the figure into the cell, or format the cell as a number",
                if when.contains('-') { "date" } else { "time" },
                words(ty)
            ));
        }
        CellRef::Text(t) | CellRef::Number(t) => super::trim(t),
    };
    if text.is_empty() {
        return Err(missing());
    }
    // No number, however written, is this long; the messages below quote
    // the value, which would repeat a whole pasted paragraph.
    // Bytes first: no character count for the usual short cell.
    let length = if text.len() > MAX_VALUE_CHARS {
        text.chars().count()
    } else {
        0
    };
    if length > MAX_VALUE_CHARS {
        return Err(format!(
            "a value {length} characters long is not {}",
            words(ty)
        ));
    }
    // An error value a spreadsheet formula left in the cell.
    if text.starts_with('#') && EXCEL_ERRORS.contains(&text) {
        return Err(format!(
            "the cell holds the spreadsheet error `{text}`: fix the formula in the workbook"
        ));
    }
    match ty {
        InputType::YesNo => yes_no(text).map(Value::Bool),
        InputType::Money => money(text).map(Value::Num),
        // A number stored as a number (a workbook cell, a JSON number) is a
        // fraction, as spreadsheets store percentages: a cell shown as 100%
        // holds 1. Text is what someone typed, and a bare 15 is ambiguous.
        InputType::Percent if matches!(cell, CellRef::Number(_)) => {
            stored_fraction(text).map(Value::Num)
        }
        InputType::Percent => percent(text).map(Value::Num),
        InputType::Number => plain(text, ty).map(Value::Num),
        InputType::Score => {
            let n = plain(text, ty)?;
            if n < Decimal::ZERO || n > Decimal::ONE_HUNDRED {
                Err(format!("`{text}` is outside 0–100 points"))
            } else {
                Ok(Value::Num(n))
            }
        }
    }
}

/// Parses a cell of a percentage input whose policy says how the column
/// is written without `%` (`written as number`: 2.01 is 2.01%; `written
/// as fraction`: 0.0201 is 2.01%). A cell with `%` is read as written.
pub fn parse_percent_written(
    form: crate::language::ast::WrittenAs,
    cell: CellRef<'_>,
) -> Result<Value, String> {
    let text = match cell {
        CellRef::Text(t) | CellRef::Number(t) => super::trim(t),
        other => return parse_cell_in_full(InputType::Percent, other),
    };
    if text.is_empty() {
        return Err(missing());
    }
    if text.ends_with(['%', '％']) {
        return percent(text).map(Value::Num);
    }
    let n = decimal(text).map_err(|why| format!("`{text}` is not a percentage{why}"))?;
    match form {
        crate::language::ast::WrittenAs::Fraction => Ok(Value::Num(n)),
        crate::language::ast::WrittenAs::Number => n
            .checked_div(Decimal::ONE_HUNDRED)
            .map(Value::Num)
            .ok_or_else(|| format!("`{text}` is not a percentage: too large")),
    }
}

/// The error values spreadsheets show for a failed formula.
const EXCEL_ERRORS: &[&str] = &[
    "#DIV/0!",
    "#N/A",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
];

/// A percentage stored as a number: the fraction itself, up to 1000%.
fn stored_fraction(text: &str) -> Result<Decimal, String> {
    let n = decimal(text).map_err(|why| format!("`{text}` is not a percentage{why}"))?;
    if n.abs() > Decimal::TEN {
        let percent = n.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(n).normalize();
        return Err(format!(
            "`{text}` in a percentage column would be {percent}%: store percentages as fractions (0.15 for 15%), or format the cell as a percentage"
        ));
    }
    Ok(n)
}

fn missing() -> String {
    "no value: the policy needs one for every employee".to_string()
}

/// Longer than any value of any type: `¥79,228,162,514,264,337,593,543,950,335.00`
/// is 45 characters.
const MAX_VALUE_CHARS: usize = 64;

fn words(ty: InputType) -> &'static str {
    match ty {
        InputType::Money => "an amount of money",
        InputType::Percent => "a percentage",
        InputType::Number => "a number",
        InputType::Score => "a score",
        InputType::YesNo => "yes or no",
    }
}

fn yes_no(text: &str) -> Result<bool, String> {
    // Written as the policy's own examples write it: no lowercase copy.
    match text {
        "yes" | "是" => return Ok(true),
        "no" | "否" => return Ok(false),
        _ => {}
    }
    match text.to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" | "有" | "√" | "✓" => Ok(true),
        "no" | "n" | "false" | "0" | "否" | "无" | "×" | "✗" => Ok(false),
        _ => Err(format!(
            "`{text}` is not yes or no (write yes/no, 是/否, true/false or 1/0)"
        )),
    }
}

fn money(text: &str) -> Result<Decimal, String> {
    // The usual cell, `1234.50`: none of the signs, codes or units below.
    if let Some(n) = plain_number(text) {
        return Ok(n.decimal());
    }
    if text.ends_with(['%', '％']) {
        return Err(format!("`{text}` is a percentage, not an amount of money"));
    }
    let fail = |why: String| format!("`{text}` is not an amount of money{why}");
    // Accounting style: (1,200.00) is -1,200.00.
    let (negative, body) = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, text),
    };
    let (sign, body) = match body.strip_prefix('-') {
        Some(rest) => ("-", rest.trim()),
        None => ("", body),
    };
    let mut body = body
        .trim_start_matches(['¥', '￥', '$', '€', '£'])
        .trim_end_matches('元')
        .trim();
    // A trailing currency code: `1200.50 CNY`.
    if let Some((amount, code)) = body.rsplit_once(' ')
        && code.len() == 3
        && code.chars().all(|c| c.is_ascii_uppercase())
    {
        body = amount.trim();
    }
    // 万 (ten thousand) and 亿 (a hundred million), as in `100万`.
    let (body, multiplier) = if let Some(b) = body.strip_suffix('万') {
        (b.trim(), Decimal::from(10_000))
    } else if let Some(b) = body.strip_suffix('亿') {
        (b.trim(), Decimal::from(100_000_000))
    } else {
        (body, Decimal::ONE)
    };
    // A negative amount is rare: its text is put together again.
    let n = if sign.is_empty() {
        decimal(body)
    } else {
        decimal(&format!("{sign}{body}"))
    };
    let n = n
        .and_then(|n| {
            n.checked_mul(multiplier)
                .ok_or_else(|| ": too large".to_string())
        })
        .map_err(fail)?;
    Ok(if negative { -n } else { n })
}

/// `85%` is 0.85. Without the sign a value is a fraction, as spreadsheets
/// store percentages: `0.85` is 85%. A bare number of 1 or more is refused:
/// `2` in an error-rate column almost always means 2%, not 200%.
fn percent(text: &str) -> Result<Decimal, String> {
    let fail = |why: String| format!("`{text}` is not a percentage{why}");
    match text.strip_suffix(['%', '％']) {
        Some(number) => decimal(number.trim())
            .and_then(|n| {
                n.checked_div(Decimal::ONE_HUNDRED)
                    .ok_or_else(|| ": too large".to_string())
            })
            .map_err(fail),
        None => {
            let n = decimal(text).map_err(fail)?;
            if n.abs() >= Decimal::ONE {
                let fraction = n.checked_div(Decimal::ONE_HUNDRED).unwrap_or(n).normalize();
                Err(format!(
                    "`{text}` in a percentage column is ambiguous: write `{text}%` for {text} percent (or the fraction `{fraction}`), or say on the input's line how the column is written: `written as number` ({text} is {text}%) or `written as fraction`"
                ))
            } else {
                Ok(n)
            }
        }
    }
}

fn plain(text: &str, ty: InputType) -> Result<Decimal, String> {
    if text.ends_with(['%', '％']) {
        return Err(format!("`{text}` is a percentage, not {}", words(ty)));
    }
    decimal(text).map_err(|why| format!("`{text}` is not {}{why}", words(ty)))
}

/// An exact decimal from text with optional thousands separators and an
/// optional exponent. The error is a short reason, or empty.
/// The usual cell, `-1234.50`, read in one pass without copying it; `None`
/// for anything written otherwise.
#[inline(always)]
fn plain_number(text: &str) -> Option<Plain> {
    // -0 is 0, and any zero is a plain 0.
    crate::numbers::decimal::plain_parts(text)
        .map(|n| if n.mantissa == 0 { Plain::ZERO } else { n })
}

/// Whether the commas of `text` (a number) group its whole part in
/// thousands: `1,200`, `-12,345,678.9`; not `1,2`, `1234,567`, `1,200.5,0`.
fn thousands_grouped(text: &str) -> bool {
    let unsigned = text.trim_start_matches(['-', '+']);
    let whole = unsigned.split(['.', 'e', 'E']).next().unwrap_or_default();
    if unsigned.len() > whole.len() && unsigned[whole.len()..].contains(',') {
        return false;
    }
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or_default();
    (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

fn decimal(text: &str) -> Result<Decimal, String> {
    if let Some(n) = plain_number(text) {
        return Ok(n.decimal());
    }
    // A comma separates thousands, and only thousands: `1,2` or `12,34`
    // is a decimal comma or a typo, never twelve or 1,234. An underscore
    // (`1_000`) is no way HR writes a number, and Excel does not read it.
    if text.contains('_') && text.bytes().any(|b| b.is_ascii_digit()) {
        return Err(": `_` is not part of a number (write 1000000 or 1,000,000)".to_string());
    }
    if text.contains(',') && !thousands_grouped(text) {
        return Err(
            ": a comma separates thousands (1,200,000.50); a decimal point is written `.`"
                .to_string(),
        );
    }
    let cleaned: String = text.chars().filter(|c| *c != ',').collect();
    let looks_numeric = !cleaned.is_empty()
        && cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && cleaned.chars().any(|c| c.is_ascii_digit());
    if !looks_numeric {
        return Err(String::new());
    }
    let digits = cleaned.chars().filter(char::is_ascii_digit).count();
    let plain = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    match crate::numbers::decimal::exact(plain) {
        // -0 is 0.
        Some(n) => Ok(if n.is_zero() { Decimal::ZERO } else { n }),
        None if digits > 28 || cleaned.contains(['e', 'E']) => {
            Err(": too large or too precise (at most 28 significant digits)".to_string())
        }
        None => Err(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(ty: InputType, s: &str) -> String {
        match parse_cell(ty, CellRef::Text(s)) {
            Ok(Value::Num(n)) => n.to_string(),
            Ok(other) => format!("{other:?}"),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn money_reads_as_written() {
        assert_eq!(num(InputType::Money, "12,345.60"), "12345.60");
        assert_eq!(num(InputType::Money, "¥1,200"), "1200");
        assert_eq!(num(InputType::Money, "1200元"), "1200");
        assert_eq!(num(InputType::Money, "1200.50 CNY"), "1200.50");
        assert_eq!(num(InputType::Money, "(1,200.00)"), "-1200.00");
        assert_eq!(num(InputType::Money, "-¥30"), "-30");
        assert_eq!(num(InputType::Money, "100万"), "1000000");
        assert_eq!(num(InputType::Money, "¥1.5亿"), "150000000.0");
        assert!(num(InputType::Money, "85%").starts_with("error"));
        assert!(num(InputType::Money, "12a").starts_with("error: `12a` is not an amount of money"));
    }

    #[test]
    fn percentages_and_scores() {
        assert_eq!(num(InputType::Percent, "85%"), "0.85");
        assert_eq!(num(InputType::Percent, "0.85"), "0.85");
        assert_eq!(num(InputType::Percent, "12.5％"), "0.125");
        // A bare 2 is 2% or 200%: refused rather than guessed.
        assert!(num(InputType::Percent, "2").contains("write `2%` for 2 percent"));
        assert!(num(InputType::Percent, "1").starts_with("error"));
        assert_eq!(num(InputType::Percent, "-0.05"), "-0.05");
        // A number stored as a number is the fraction: a cell shown as 100% holds 1.
        let stored = |s: &str| parse_cell(InputType::Percent, CellRef::Number(s));
        assert_eq!(stored("1"), Ok(Value::Num(Decimal::ONE)));
        assert_eq!(stored("0.15"), Ok(Value::Num(Decimal::new(15, 2))));
        assert!(stored("15").unwrap_err().contains("would be 1500%"));
        assert!(num(InputType::Money, "#DIV/0!").contains("spreadsheet error `#DIV/0!`"));
        assert_eq!(num(InputType::Score, "100"), "100");
        assert!(num(InputType::Score, "100.01").contains("outside 0–100"));
    }

    /// The usual cells are read in one pass; whatever that pass accepts,
    /// the full reading gives the same value, bit for bit (scale and sign
    /// of zero included), and what it passes on the full reading handles.
    #[test]
    fn the_usual_cell_reads_as_the_full_reading_reads_it() {
        let types = [
            InputType::Money,
            InputType::Number,
            InputType::Score,
            InputType::Percent,
            InputType::YesNo,
        ];
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "0.00",
            "-0.00",
            "1",
            "100",
            "100.00",
            "100.01",
            "-5",
            "0.5",
            "0.999",
            "1.0",
            "-0.85",
            "85%",
            "0%",
            "-0%",
            "0.00%",
            "12.50%",
            "100%",
            "1000%",
            "-3.5%",
            "99.99%",
            " 85%",
            "85 %",
            "85％",
            "1,200",
            "¥1200",
            "(12)",
            "1e3",
            ".5",
            "5.",
            "-",
            ".",
            "%",
            "",
            "yes",
            "no",
            "是",
            "否",
            "YES",
            "y",
            "#N/A",
            "123456789012345678",
            "1234567890123456789",
            "0.000000000000000001",
        ]
        .map(str::to_string)
        .to_vec();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x >> 8) % 10u64.pow((x % 12) as u32 + 1);
            let text = match x % 5 {
                0 => format!("{digits}"),
                1 => format!("-{}.{:02}", digits / 100, digits % 100),
                2 => format!("{}.{}%", digits / 1000, digits % 1000),
                3 => format!("0.{digits}"),
                _ => format!("{digits}.{}", "0".repeat((x % 4) as usize)),
            };
            texts.push(text);
        }
        let mut usual_ones = 0;
        for text in &texts {
            for ty in types {
                let full = parse_cell_in_full(ty, CellRef::Text(text));
                if let Some(value) = usual(ty, text) {
                    usual_ones += 1;
                    let bits = |v: &Value| match v {
                        Value::Num(n) => format!("{:?}", n.serialize()),
                        other => format!("{other:?}"),
                    };
                    let full = full.unwrap_or_else(|e| panic!("{ty:?} `{text}`: {e}"));
                    assert_eq!(bits(&value), bits(&full), "{ty:?} `{text}`");
                }
                assert_eq!(
                    parse_cell(ty, CellRef::Text(text)),
                    parse_cell_in_full(ty, CellRef::Text(text)),
                    "{ty:?} `{text}`"
                );
            }
        }
        assert!(usual_ones > 4_000, "{usual_ones}");
    }

    #[test]
    fn hostile_numbers_are_errors_not_panics() {
        for bad in [
            "NaN",
            "inf",
            "--5",
            "1e400",
            "1234567890123456789012345678901234567890",
            "",
            "  ",
        ] {
            assert!(num(InputType::Number, bad).starts_with("error"), "{bad}");
        }
        assert_eq!(num(InputType::Number, "-0"), "0");
        assert_eq!(num(InputType::Number, "1.5e3"), "1500");
    }

    #[test]
    fn yes_and_no() {
        for yes in ["yes", "Y", "true", "1", "是"] {
            assert_eq!(
                parse_cell(InputType::YesNo, CellRef::Text(yes)),
                Ok(Value::Bool(true))
            );
        }
        for no in ["no", "N", "false", "0", "否"] {
            assert_eq!(
                parse_cell(InputType::YesNo, CellRef::Text(no)),
                Ok(Value::Bool(false))
            );
        }
        assert!(parse_cell(InputType::YesNo, CellRef::Text("maybe")).is_err());
    }
}
