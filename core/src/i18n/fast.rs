//! Fast paths for the two things a statement formats thousands of times: amounts and short
//! dates. Each is learned from ICU4X's own output for the locale when a [`super::Localizer`] is
//! made, then checked against ICU4X on a set of samples; a locale whose output the learned shape
//! does not reproduce exactly (other digits, Indian grouping...) keeps using ICU4X.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// The separators of a locale's decimal numbers, learned from ICU4X.
#[derive(Debug, Clone)]
pub(crate) struct NumberShape {
    minus: String,
    group: String,
    decimal: String,
    /// 2 when a four-digit number is written without a separator (Spanish `1234,5`).
    min_grouping: usize,
}

impl NumberShape {
    /// Learns the shape from `icu` (a formatter of decimal strings), or `None` when the locale's
    /// numbers do not fit it.
    pub(crate) fn learn(icu: impl Fn(&str) -> String) -> Option<NumberShape> {
        let big = icu("1234567.25");
        let (head, rest) = big.split_once('1')?;
        if !head.is_empty() {
            return None;
        }
        let (group, rest) = rest.split_once("234")?;
        let (group2, rest) = rest.split_once("567")?;
        let decimal = rest.strip_suffix("25")?;
        if group != group2 || decimal.is_empty() {
            return None;
        }
        let four = icu("1234.25");
        let min_grouping = if four.starts_with("1234") { 2 } else { 1 };
        let minus = icu("-5.25")
            .strip_suffix(&format!("5{decimal}25"))?
            .to_string();
        let shape = NumberShape {
            minus,
            group: group.to_string(),
            decimal: decimal.to_string(),
            min_grouping,
        };
        const SAMPLES: [&str; 14] = [
            "0",
            "0.05",
            "5",
            "12.5",
            "999.99",
            "1000",
            "1234",
            "12345.67",
            "123456.78",
            "1234567.89",
            "12345678901.23",
            "-1234.56",
            "-0.5",
            "100000.000",
        ];
        SAMPLES
            .iter()
            .all(|s| s.parse().is_ok_and(|v: Decimal| shape.format(&v) == icu(s)))
            .then_some(shape)
    }

    /// `value` in this shape, exactly as given (its scale kept).
    pub(crate) fn format(&self, value: &Decimal) -> String {
        let mut out = String::with_capacity(24);
        self.write(&mut out, value);
        out
    }

    /// Writes `value` in this shape at the end of `out`, exactly as given (its scale kept).
    pub(crate) fn write(&self, out: &mut String, value: &Decimal) {
        let mut buf = [0u8; DIGITS];
        let digits = digits(&mut buf, value.mantissa().unsigned_abs());
        // The digits of the integer part and of the fraction (zero-padded to the scale).
        let scale = value.scale() as usize;
        let (int, frac_zeros, frac): (&[u8], usize, &[u8]) = match digits.len().checked_sub(scale) {
            Some(0) | None => (b"0", scale - digits.len(), digits),
            Some(n) => (&digits[..n], 0, &digits[n..]),
        };
        if value.is_sign_negative() && !value.is_zero() {
            out.push_str(&self.minus);
        }
        let n = int.len();
        let grouped = n > 3 && n >= 3 + self.min_grouping;
        for (i, &d) in int.iter().enumerate() {
            if grouped && i > 0 && (n - i) % 3 == 0 {
                out.push_str(&self.group);
            }
            out.push(char::from(d));
        }
        if scale > 0 {
            out.push_str(&self.decimal);
            out.extend(std::iter::repeat_n('0', frac_zeros));
            out.extend(frac.iter().map(|&d| char::from(d)));
        }
    }
}

/// Room for the digits of a decimal's mantissa (at most 29 digits for 96 bits).
const DIGITS: usize = 40;

/// The ASCII decimal digits of `n` (no leading zeros; `0` for zero), written at the end of
/// `buf`.
fn digits(buf: &mut [u8; DIGITS], n: u128) -> &[u8] {
    const TEN_TO_19: u128 = 10_000_000_000_000_000_000;
    // 128-bit division is slow: amounts fit 64 bits, and larger mantissas (up to 96 bits) are
    // two 64-bit halves, the low one of 19 digits.
    let start = match u64::try_from(n) {
        Ok(n) => write_u64(buf, DIGITS, n, 1),
        Err(_) => {
            let low = write_u64(buf, DIGITS, (n % TEN_TO_19) as u64, 19);
            write_u64(buf, low, (n / TEN_TO_19) as u64, 1)
        }
    };
    &buf[start..]
}

/// Writes the digits of `n`, at least `min` of them (zero-padded), to end at `end` in `buf`;
/// returns where they start. Two digits a division: divisions are most of the work.
fn write_u64(buf: &mut [u8; DIGITS], end: usize, mut n: u64, min: usize) -> usize {
    const PAIRS: &[u8; 200] = b"\
        0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut at = end;
    while n >= 10 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        at -= 2;
        buf[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n > 0 || at == end {
        at -= 1;
        buf[at] = b'0' + n as u8;
    }
    while end - at < min {
        at -= 1;
        buf[at] = b'0';
    }
    at
}

/// One part of a short date.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Year,
    Month { padded: bool },
    Day { padded: bool },
    Text(String),
}

/// The layout of a locale's short dates (`11/23/2026`, `23.11.2026`, `2026-11-23`), learned
/// from ICU4X.
#[derive(Debug, Clone)]
pub(crate) struct DateShape {
    parts: Vec<Part>,
}

impl DateShape {
    /// Learns the layout from `icu` (a short-date formatter), or `None` when it does not fit.
    pub(crate) fn learn(icu: impl Fn(NaiveDate) -> String) -> Option<DateShape> {
        let late = icu(NaiveDate::from_ymd_opt(2026, 11, 23)?);
        let early = icu(NaiveDate::from_ymd_opt(2026, 1, 5)?);
        let mut parts = Vec::new();
        let mut rest = late.as_str();
        let mut text = String::new();
        while !rest.is_empty() {
            let field = [
                ("2026", Part::Year),
                ("11", Part::Month { padded: true }),
                ("23", Part::Day { padded: true }),
            ]
            .into_iter()
            .find(|(token, _)| rest.starts_with(token));
            match field {
                Some((token, part)) => {
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(part);
                    rest = &rest[token.len()..];
                }
                None => {
                    let c = rest.chars().next()?;
                    text.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        // Single-digit months and days tell whether they are padded.
        let padded_month = early.contains("01");
        let padded_day = early.contains("05");
        for p in &mut parts {
            match p {
                Part::Month { padded } => *padded = padded_month,
                Part::Day { padded } => *padded = padded_day,
                _ => {}
            }
        }
        let shape = DateShape { parts };
        (1..=12)
            .flat_map(|m: u32| {
                [1, 9, 10, 28].map(|d| NaiveDate::from_ymd_opt(2025 + (m % 2) as i32, m, d))
            })
            .chain([
                NaiveDate::from_ymd_opt(1000, 3, 4),
                NaiveDate::from_ymd_opt(9999, 12, 31),
            ])
            .all(|d| d.is_some_and(|d| shape.format(d).is_some_and(|f| f == icu(d))))
            .then_some(shape)
    }

    /// `date` in this layout; `None` for years outside 1000..=9999 (left to ICU4X).
    pub(crate) fn format(&self, date: NaiveDate) -> Option<String> {
        let mut out = String::with_capacity(12);
        self.write(&mut out, date).then_some(out)
    }

    /// Writes `date` in this layout at the end of `out`; false (and nothing written) for years
    /// outside 1000..=9999 (left to ICU4X).
    pub(crate) fn write(&self, out: &mut String, date: NaiveDate) -> bool {
        let Ok(year) = u16::try_from(date.year()) else {
            return false;
        };
        if !(1000..=9999).contains(&year) {
            return false;
        }
        for p in &self.parts {
            match p {
                Part::Year => {
                    push_two(out, (year / 100) as u8, true);
                    push_two(out, (year % 100) as u8, true);
                }
                Part::Month { padded } => push_two(out, date.month() as u8, *padded),
                Part::Day { padded } => push_two(out, date.day() as u8, *padded),
                Part::Text(t) => out.push_str(t),
            }
        }
        true
    }
}

/// Writes `n` (below 100) in two digits, or in one below 10 when not `padded`.
fn push_two(out: &mut String, n: u8, padded: bool) {
    if padded || n >= 10 {
        out.push(char::from(b'0' + n / 10));
    }
    out.push(char::from(b'0' + n % 10));
}
