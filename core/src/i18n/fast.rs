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
        let text = value.abs().to_string();
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut out = String::with_capacity(text.len() + 8);
        if value.is_sign_negative() && !value.is_zero() {
            out.push_str(&self.minus);
        }
        let n = int.len();
        let grouped = n > 3 && n >= 3 + self.min_grouping;
        for (i, c) in int.chars().enumerate() {
            if grouped && i > 0 && (n - i) % 3 == 0 {
                out.push_str(&self.group);
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push_str(&self.decimal);
            out.push_str(frac);
        }
        out
    }
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
        if !(1000..=9999).contains(&date.year()) {
            return None;
        }
        let mut out = String::with_capacity(12);
        for p in &self.parts {
            match p {
                Part::Year => out.push_str(&date.year().to_string()),
                Part::Month { padded: true } => out.push_str(&format!("{:02}", date.month())),
                Part::Month { padded: false } => out.push_str(&date.month().to_string()),
                Part::Day { padded: true } => out.push_str(&format!("{:02}", date.day())),
                Part::Day { padded: false } => out.push_str(&date.day().to_string()),
                Part::Text(t) => out.push_str(t),
            }
        }
        Some(out)
    }
}
