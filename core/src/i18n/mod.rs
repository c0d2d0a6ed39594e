//! Languages, and numbers, money and dates in a language's conventions.
//!
//! Sentences come from one Fluent message file per language (`messages/<code>.ftl`); numbers and
//! dates from ICU4X (CLDR data compiled in); the currency sign's placement from the language table
//! below. Figures are formatted by ICU before they reach Fluent: Fluent's own number formatting is
//! neither localized nor exact.
//!
//! **Adding a language** is adding its message file (a copy of `messages/en.ftl`, translated) and
//! one line in [`LANGUAGES`]; the test `every_language_has_every_message` checks the file.

mod fast;

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use icu_calendar::{Date, Gregorian};
use icu_datetime::fieldsets::YMD;
use icu_datetime::options::YearStyle;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorArg, Result};
use crate::money::Currency;

/// Where a language puts the currency sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignPlacement {
    /// Before the number, minus sign first: `$1,234.56`, `-$5.00` (`CAD 1,234.56` for codes).
    Before,
    /// Before the number and a space, minus sign after the sign: `€ 1.234,56`, `€ -5,00`.
    BeforeSpaced,
    /// After the number and a space: `1 234,56 $`, `-5,00 €`.
    After,
}

/// One language creditbook prints in.
#[derive(Debug)]
pub struct LanguageInfo {
    /// ISO 639-1 code, e.g. `"fr"`.
    pub code: &'static str,
    /// The language's own name, e.g. `"Français"`.
    pub name: &'static str,
    /// The Fluent message file.
    pub messages: &'static str,
    /// Where the currency sign goes.
    pub sign: SignPlacement,
    /// How long dates write the first of the month, when not as the number 1 (French: `1er`).
    pub first_of_month: Option<&'static str>,
}

/// The languages creditbook prints in. One line per language.
pub static LANGUAGES: &[LanguageInfo] = &[
    LanguageInfo {
        code: "en",
        name: "English",
        messages: include_str!("messages/en.ftl"),
        sign: SignPlacement::Before,
        first_of_month: None,
    },
    LanguageInfo {
        code: "fr",
        name: "Français",
        messages: include_str!("messages/fr.ftl"),
        sign: SignPlacement::After,
        first_of_month: Some("1er"),
    },
    LanguageInfo {
        code: "es",
        name: "Español",
        messages: include_str!("messages/es.ftl"),
        sign: SignPlacement::After,
        first_of_month: None,
    },
    LanguageInfo {
        code: "de",
        name: "Deutsch",
        messages: include_str!("messages/de.ftl"),
        sign: SignPlacement::After,
        first_of_month: None,
    },
    LanguageInfo {
        code: "nl",
        name: "Nederlands",
        messages: include_str!("messages/nl.ftl"),
        sign: SignPlacement::BeforeSpaced,
        first_of_month: None,
    },
];

/// A language of [`LANGUAGES`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(u8);

impl Language {
    /// English.
    pub const EN: Language = Language(0);

    /// Every language creditbook prints in.
    pub fn all() -> impl Iterator<Item = Language> {
        (0..LANGUAGES.len()).map(|i| Language(i as u8))
    }

    /// The language of a tag (`"fr"`, `"fr-CA"`, `"FR"`), when creditbook prints in it.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        LANGUAGES
            .iter()
            .position(|l| l.code == primary)
            .map(|i| Language(i as u8))
    }

    /// The language of a tag, or an `InvalidInput` error on `field` naming the languages
    /// creditbook prints in.
    pub fn parse(field: &'static str, tag: &str) -> Result<Language> {
        Language::from_tag(tag).ok_or_else(|| Error::InvalidInput {
            field,
            reason: format!(
                "creditbook prints in {}, not {tag:?}",
                Language::all()
                    .map(|l| l.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }

    /// The language's table line.
    pub fn info(self) -> &'static LanguageInfo {
        &LANGUAGES[usize::from(self.0)]
    }

    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        self.info().code
    }
}

impl std::fmt::Debug for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Language, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Language::from_tag(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown language {code:?}")))
    }
}

/// How the store's currency is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurrencyDisplay {
    /// The symbol the store's customers use: `$` for CAD in Canada, `€`, `£`.
    #[default]
    Symbol,
    /// The ISO 4217 code: `CAD`, `EUR`.
    IsoCode,
}

/// A bidirectional control character (marks, embeddings, overrides, isolates): in text from
/// outside, it could reorder what follows it when displayed ("\u{202e}gnp.exe" shows as
/// "exe.png"). None of the five languages needs one, so output never carries them.
#[cfg(feature = "statements")]
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` without [`is_bidi_control`] characters (unchanged, without copying, when it has none).
#[cfg(feature = "email")]
pub(crate) fn without_bidi(s: String) -> String {
    if s.contains(is_bidi_control) {
        s.chars().filter(|c| !is_bidi_control(*c)).collect()
    } else {
        s
    }
}

/// The symbol a store's own customers use for its currency (the local one, not `CA$`).
pub fn local_symbol(currency: Currency) -> &'static str {
    match currency.code() {
        "CAD" | "USD" | "AUD" | "NZD" | "MXN" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        other => other,
    }
}

/// The country a store is most likely in, from its currency and time zone: picks the regional
/// conventions (fr-CA against fr-FR) when the store does not say.
pub fn default_country(currency: Currency, timezone: &str) -> Option<&'static str> {
    const BY_ZONE: &[(&str, &str)] = &[
        ("Europe/Paris", "FR"),
        ("Europe/Berlin", "DE"),
        ("Europe/Madrid", "ES"),
        ("Europe/Amsterdam", "NL"),
        ("Europe/Brussels", "BE"),
        ("Europe/Vienna", "AT"),
        ("Europe/Luxembourg", "LU"),
        ("Europe/Rome", "IT"),
        ("Europe/Dublin", "IE"),
        ("Europe/Lisbon", "PT"),
        ("Europe/Helsinki", "FI"),
        ("Europe/Athens", "GR"),
        ("Europe/London", "GB"),
        ("Europe/Zurich", "CH"),
    ];
    if let Some((_, c)) = BY_ZONE.iter().find(|(z, _)| *z == timezone) {
        return Some(c);
    }
    match currency.code() {
        "CAD" => Some("CA"),
        "USD" => Some("US"),
        "GBP" => Some("GB"),
        "CHF" => Some("CH"),
        "AUD" => Some("AU"),
        "NZD" => Some("NZ"),
        "MXN" => Some("MX"),
        "JPY" => Some("JP"),
        _ => None,
    }
}

static BUNDLES: LazyLock<Vec<FluentBundle<FluentResource>>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .map(|l| {
            let id: unic_langid::LanguageIdentifier = l
                .code
                .parse()
                .expect("language codes in the table are valid");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            bundle.set_use_isolating(false);
            let resource = FluentResource::try_new(l.messages.to_string())
                .expect("message files parse (checked by tests)");
            bundle
                .add_resource(resource)
                .expect("message ids are unique (checked by tests)");
            bundle
        })
        .collect()
});

/// Formats numbers, money, dates and sentences in one language and region for one currency.
/// Make one and reuse it: building one loads the language's formatting data.
pub struct Localizer {
    language: Language,
    locale: String,
    decimal: DecimalFormatter,
    long_date: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    short_date: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    currency: Currency,
    sign: String,
    iso: bool,
    fast_numbers: Option<fast::NumberShape>,
    fast_dates: Option<fast::DateShape>,
}

impl std::fmt::Debug for Localizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Localizer")
            .field("locale", &self.locale)
            .field("currency", &self.currency)
            .finish_non_exhaustive()
    }
}

impl Localizer {
    /// A localizer for `language` in `country` (ISO 3166 alpha-2, e.g. `"CA"`; `None`: the
    /// language's default region) and the store's `currency`.
    pub fn new(
        language: Language,
        country: Option<&str>,
        currency: Currency,
        display: CurrencyDisplay,
    ) -> Result<Localizer> {
        let tag = match country {
            Some(c) => format!("{}-{}", language.code(), c.to_ascii_uppercase()),
            None => language.code().to_string(),
        };
        let locale = Locale::try_from_str(&tag)
            .map_err(|_| Error::invalid("country", format!("{tag:?} is not a locale")))?;
        let data_error = |e: icu_provider::DataError| Error::invalid("locale", e.to_string());
        let decimal =
            DecimalFormatter::try_new((&locale).into(), Default::default()).map_err(data_error)?;
        let long_date = FixedCalendarDateTimeFormatter::try_new((&locale).into(), YMD::long())
            .map_err(|e| Error::invalid("locale", e.to_string()))?;
        let short_date = FixedCalendarDateTimeFormatter::try_new(
            (&locale).into(),
            YMD::short().with_year_style(YearStyle::Full),
        )
        .map_err(|e| Error::invalid("locale", e.to_string()))?;
        let (sign, iso) = match display {
            CurrencyDisplay::Symbol => (local_symbol(currency).to_string(), false),
            CurrencyDisplay::IsoCode => (currency.code().to_string(), true),
        };
        let mut loc = Localizer {
            language,
            locale: tag,
            decimal,
            long_date,
            short_date,
            currency,
            sign,
            iso,
            fast_numbers: None,
            fast_dates: None,
        };
        loc.fast_numbers = fast::NumberShape::learn(|s| loc.icu_number(s));
        loc.fast_dates = fast::DateShape::learn(|d| loc.icu_short_date(d));
        Ok(loc)
    }

    /// The language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The BCP 47 locale used, e.g. `"fr-CA"`.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// A number with the language's digits, separators and grouping, exactly as given.
    pub fn number(&self, value: Decimal) -> String {
        let mut out = String::new();
        self.write_number(&mut out, value);
        out
    }

    /// Writes [`Localizer::number`] at the end of `out`, without allocating on the fast path.
    pub fn write_number(&self, out: &mut String, value: Decimal) {
        match &self.fast_numbers {
            Some(shape) => shape.write(out, &value),
            None => out.push_str(&self.icu_number(&value.to_string())),
        }
    }

    fn icu_number(&self, text: &str) -> String {
        match fixed_decimal::Decimal::try_from_str(text) {
            Ok(d) => self.decimal.format(&d).to_string(),
            Err(_) => text.to_string(),
        }
    }

    /// An amount of the currency at its exact scale, with the sign placed as the language does:
    /// `$1,234.56`, `1 234,56 $`, `1.234,56 €`, `€ 1.234,56`.
    pub fn money(&self, amount: Decimal) -> String {
        let mut out = String::with_capacity(24);
        self.write_money(&mut out, amount);
        out
    }

    /// Writes [`Localizer::money`] at the end of `out`, without allocating on the fast path.
    pub fn write_money(&self, out: &mut String, amount: Decimal) {
        // Most amounts are at the currency's scale already (-0.00 prints as 0.00 below).
        let scaled = if amount.scale() == self.currency.exponent() {
            amount
        } else {
            self.currency.at_scale(amount)
        };
        let minus = if scaled.is_sign_negative() && !scaled.is_zero() {
            "-"
        } else {
            ""
        };
        let digits = scaled.abs();
        let nbsp = '\u{a0}';
        match self.language.info().sign {
            SignPlacement::Before => {
                out.push_str(minus);
                out.push_str(&self.sign);
                if self.iso {
                    out.push(nbsp);
                }
                self.write_number(out, digits);
            }
            SignPlacement::BeforeSpaced => {
                out.push_str(&self.sign);
                out.push(nbsp);
                out.push_str(minus);
                self.write_number(out, digits);
            }
            SignPlacement::After => {
                out.push_str(minus);
                self.write_number(out, digits);
                out.push(nbsp);
                out.push_str(&self.sign);
            }
        }
    }

    /// An error's message in this language (the Fluent message `error-<code>`), amounts in the
    /// store's currency as statements print them, dates as long dates. The English `Display`
    /// of [`Error`] stays the text for logs.
    pub fn error(&self, error: &Error) -> String {
        let args: Vec<(&str, String)> = error
            .args()
            .into_iter()
            .map(|(name, arg)| {
                let shown = match arg {
                    ErrorArg::Text(t) => t,
                    ErrorArg::Money(d) => self.money(d),
                    ErrorArg::Number(n) => n.to_string(),
                    ErrorArg::Date(d) => self.long_date(d),
                };
                (name, shown)
            })
            .collect();
        let borrowed: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.text_with(&format!("error-{}", error.code()), &borrowed)
    }

    /// A date written out: `November 30, 2026`, `30 novembre 2026`.
    pub fn long_date(&self, date: NaiveDate) -> String {
        let text = match gregorian(date) {
            Some(d) => self.long_date.format(&d).to_string(),
            None => return date.to_string(),
        };
        // French writes the first of the month as an ordinal: « 1er novembre 2026 ».
        if let Some(first) = self
            .language
            .info()
            .first_of_month
            .filter(|_| date.day() == 1)
        {
            if let Some(rest) = text.strip_prefix("1 ") {
                return format!("{first} {rest}");
            }
        }
        text
    }

    /// A date in digits with the full year: `11/30/2026`, `30/11/2026`, `2026-11-30` (fr-CA).
    pub fn short_date(&self, date: NaiveDate) -> String {
        let mut out = String::with_capacity(12);
        self.write_short_date(&mut out, date);
        out
    }

    /// Writes [`Localizer::short_date`] at the end of `out`, without allocating on the fast
    /// path.
    pub fn write_short_date(&self, out: &mut String, date: NaiveDate) {
        let written = self
            .fast_dates
            .as_ref()
            .is_some_and(|shape| shape.write(out, date));
        if !written {
            out.push_str(&self.icu_short_date(date));
        }
    }

    fn icu_short_date(&self, date: NaiveDate) -> String {
        match gregorian(date) {
            Some(d) => self.short_date.format(&d).to_string(),
            None => date.to_string(),
        }
    }

    /// A sentence of the language's message file.
    pub fn text(&self, id: &str) -> String {
        self.text_with(id, &[])
    }

    /// A sentence with its arguments (already formatted strings).
    pub fn text_with(&self, id: &str, args: &[(&str, &str)]) -> String {
        message(self.language, id, args).unwrap_or_else(|| id.to_string())
    }
}

/// A message of a language, `None` when the message is missing or does not format cleanly.
pub fn message(language: Language, id: &str, args: &[(&str, &str)]) -> Option<String> {
    let bundle = &BUNDLES[usize::from(language.0)];
    let pattern = bundle.get_message(id)?.value()?;
    let mut fluent_args = FluentArgs::new();
    for (k, v) in args {
        fluent_args.set(*k, v.to_string());
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    errors.is_empty().then(|| text.into_owned())
}

fn gregorian(date: NaiveDate) -> Option<Date<Gregorian>> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    Date::try_new_gregorian(date.year(), month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(lang: &str, country: Option<&str>, cur: &str) -> Localizer {
        Localizer::new(
            Language::from_tag(lang).unwrap(),
            country,
            Currency::from_code(cur).unwrap(),
            CurrencyDisplay::Symbol,
        )
        .unwrap()
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn money_follows_each_language() {
        let nb = '\u{a0}';
        assert_eq!(
            loc("en", Some("CA"), "CAD").money(d("1234.56")),
            "$1,234.56"
        );
        assert_eq!(loc("en", Some("CA"), "CAD").money(d("-5")), "-$5.00");
        assert_eq!(
            loc("fr", Some("CA"), "CAD").money(d("1234.56")),
            format!("1{nb}234,56{nb}$")
        );
        assert_eq!(
            loc("de", Some("DE"), "EUR").money(d("1234.56")),
            format!("1.234,56{nb}€")
        );
        assert_eq!(
            loc("nl", Some("NL"), "EUR").money(d("1234.56")),
            format!("€{nb}1.234,56")
        );
        assert_eq!(
            loc("nl", Some("NL"), "EUR").money(d("-1234.5")),
            format!("€{nb}-1.234,50")
        );
        assert_eq!(
            loc("es", Some("ES"), "EUR").money(d("1234.56")),
            format!("1234,56{nb}€")
        );
        assert_eq!(
            loc("es", Some("ES"), "EUR").money(d("12345.6")),
            format!("12.345,60{nb}€")
        );
        assert_eq!(loc("en", Some("GB"), "GBP").money(d("0")), "£0.00");
        let fr_fr = loc("fr", Some("FR"), "EUR").money(d("1234.56"));
        assert_eq!(fr_fr, format!("1\u{202f}234,56{nb}€"));
        let iso = Localizer::new(
            Language::EN,
            Some("CA"),
            Currency::from_code("CAD").unwrap(),
            CurrencyDisplay::IsoCode,
        )
        .unwrap();
        assert_eq!(iso.money(d("1234.56")), format!("CAD{nb}1,234.56"));
    }

    #[test]
    fn dates_follow_each_language() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            loc("en", Some("US"), "USD").long_date(date),
            "November 30, 2026"
        );
        assert_eq!(loc("en", Some("US"), "USD").short_date(date), "11/30/2026");
        assert_eq!(
            loc("fr", Some("CA"), "CAD").long_date(date),
            "30 novembre 2026"
        );
        assert_eq!(loc("fr", Some("CA"), "CAD").short_date(date), "2026-11-30");
        assert_eq!(
            loc("de", Some("DE"), "EUR").long_date(date),
            "30. November 2026"
        );
        assert_eq!(
            loc("es", Some("ES"), "EUR").long_date(date),
            "30 de noviembre de 2026"
        );
        assert_eq!(loc("nl", Some("NL"), "EUR").short_date(date), "30-11-2026");
    }

    #[test]
    fn every_language_has_every_message() {
        let ids = |src: &str| -> Vec<String> {
            src.lines()
                .filter(|l| !l.starts_with('#') && l.contains(" = "))
                .map(|l| l.split(" = ").next().unwrap().trim().to_string())
                .collect()
        };
        let english = ids(LANGUAGES[0].messages);
        assert!(english.len() > 40);
        for lang in Language::all() {
            let own = ids(lang.info().messages);
            assert_eq!(
                own, english,
                "{lang}: same messages in the same order as en.ftl"
            );
            for id in &english {
                let args = [
                    ("from", "1"),
                    ("to", "2"),
                    ("days", "3"),
                    ("date", "x"),
                    ("amount", "y"),
                    ("max", "z"),
                    ("name", "n"),
                    ("number", "n"),
                    ("store", "s"),
                    ("period", "p"),
                    ("url", "u"),
                    ("invoice", "i"),
                    ("due", "d"),
                    ("owed", "o"),
                    ("credit", "c"),
                    ("account", "a"),
                    ("payment", "p"),
                    ("total", "t"),
                    ("asked", "a"),
                    ("what", "w"),
                    // The figures of the errors' messages (`Error::args`).
                    ("allowed", "2"),
                    ("currency", "c"),
                    ("expected", "e"),
                    ("got", "g"),
                    ("code", "1"),
                    ("text", "t"),
                    ("field", "f"),
                    ("reason", "r"),
                    ("address", "a"),
                    ("offered", "o"),
                    ("language", "l"),
                    ("entry", "3"),
                    ("available", "a"),
                    ("requested", "r"),
                    ("refundable", "r"),
                    ("remaining", "r"),
                    ("min", "0"),
                    ("paid", "p"),
                    ("permission", "p"),
                    ("op_id", "o"),
                    ("attempts", "4"),
                    ("message", "m"),
                    ("version", "5"),
                    ("supported", "1"),
                    ("port", "p"),
                    ("reference", "r"),
                    // The PDF's page numbers.
                    ("page", "1"),
                    ("pages", "2"),
                ];
                let text = message(lang, id, &args);
                assert!(
                    text.as_deref().is_some_and(|t| !t.is_empty()),
                    "{lang}: {id}"
                );
            }
        }
    }

    #[test]
    fn fast_paths_are_learned_for_every_language_and_match_icu() {
        for (lang, country) in [
            ("en", "CA"),
            ("en", "US"),
            ("fr", "CA"),
            ("fr", "FR"),
            ("es", "ES"),
            ("de", "DE"),
            ("nl", "NL"),
            ("de", "CH"),
        ] {
            let l = loc(lang, Some(country), "EUR");
            assert!(l.fast_numbers.is_some(), "{lang}-{country} numbers");
            assert!(l.fast_dates.is_some(), "{lang}-{country} dates");
            for v in [
                "-98765432.1",
                "0.00",
                "0.0005",
                "1000.5",
                "-12",
                // Mantissas beyond 64 bits.
                "18446744073709551616",
                "-100000000000000000000.00",
                "12345678901234567890123.45",
            ] {
                assert_eq!(l.number(d(v)), l.icu_number(v), "{lang}-{country} {v}");
            }
            let date = NaiveDate::from_ymd_opt(2031, 2, 3).unwrap();
            assert_eq!(
                l.short_date(date),
                l.icu_short_date(date),
                "{lang}-{country}"
            );
        }
        // A locale whose grouping does not fit (Indian lakh grouping) keeps ICU's formatting.
        let hi = loc("en", Some("IN"), "EUR");
        assert!(hi.fast_numbers.is_none());
        assert_eq!(hi.number(d("1234567.25")), "12,34,567.25");
    }

    #[test]
    fn tags_map_to_languages() {
        assert_eq!(Language::from_tag("fr-CA").map(|l| l.code()), Some("fr"));
        assert_eq!(Language::from_tag("NL").map(|l| l.code()), Some("nl"));
        assert_eq!(Language::from_tag("it"), None);
        assert_eq!(
            default_country(Currency::from_code("EUR").unwrap(), "Europe/Amsterdam"),
            Some("NL")
        );
        assert_eq!(
            default_country(Currency::from_code("CAD").unwrap(), "America/Montreal"),
            Some("CA")
        );
    }
}
