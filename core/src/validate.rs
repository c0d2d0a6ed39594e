//! Checks on text that comes from callers: identifiers, names, references, email addresses.

use chrono::NaiveDate;
use smol_str::SmolStr;

use crate::error::{Error, Result};

/// Longest identifier (account id, operation id, sale reference) in bytes.
pub const MAX_ID_BYTES: usize = 128;
/// Longest free text (names, reasons, address lines) in bytes.
pub const MAX_TEXT_BYTES: usize = 1024;

/// An identifier: 1 to [`MAX_ID_BYTES`] bytes, no control characters, no surrounding spaces.
pub fn id(field: &'static str, value: &str) -> Result<SmolStr> {
    check_id(field, value)?;
    Ok(SmolStr::new(value))
}

/// The reserved account id of the book's own ledger: store-wide records (the accounts-receivable
/// automation, who changed it and when) are entries of this ledger, so that they survive a
/// restart and every Book on the store decides the same way. A store keeps it like any other
/// account's entries; no customer account can have this id.
pub const BOOK_LEDGER: &str = "~creditbook";

/// An account id: an identifier ([`id`]) that is not the book's own ledger ([`BOOK_LEDGER`]).
pub fn account_id(value: &str) -> Result<SmolStr> {
    if value == BOOK_LEDGER {
        return Err(Error::invalid(
            "account id",
            "is reserved for the book's own ledger",
        ));
    }
    id("account id", value)
}

/// Checks an identifier like [`id`] without copying it.
pub fn check_id(field: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.len() > MAX_ID_BYTES {
        return Err(Error::invalid(
            field,
            format!("longer than {MAX_ID_BYTES} bytes"),
        ));
    }
    if value.trim() != value {
        return Err(Error::invalid(field, "has leading or trailing spaces"));
    }
    no_control(field, value)
}

/// Free text (a name, a reason): at most [`MAX_TEXT_BYTES`] bytes, no control characters.
/// `required` refuses empty (or blank) text.
pub fn text(field: &'static str, value: &str, required: bool) -> Result<String> {
    if required && value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.len() > MAX_TEXT_BYTES {
        return Err(Error::invalid(
            field,
            format!("longer than {MAX_TEXT_BYTES} bytes"),
        ));
    }
    no_control(field, value)?;
    Ok(value.trim().to_string())
}

fn no_control(field: &'static str, value: &str) -> Result<()> {
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "contains control characters (line breaks, NUL, ...)",
        ));
    }
    Ok(())
}

/// An email address, checked by the `email_address` crate (RFC 5321/5322 addresses with a dotted
/// domain; no display names, no domain literals). Refuses with [`Error::InvalidEmail`].
pub fn email(address: &str) -> Result<String> {
    let bad = || Error::InvalidEmail {
        address: address.chars().take(254).collect(),
    };
    let a = address.trim();
    if a.chars().any(char::is_control) {
        return Err(bad());
    }
    let options = email_address::Options {
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
        allow_long_local_parts: false,
    };
    email_address::EmailAddress::parse_with_options(a, options).map_err(|_| bad())?;
    Ok(a.to_string())
}

/// An address written into a message header as given (a recipient, the store's own addresses):
/// a control character anywhere in it is `HeaderInjection` (even around it, where [`email`]
/// would trim it away), then it must be a valid address.
pub fn header_address(address: &str) -> Result<String> {
    header_value("recipient", address)?;
    email(address)
}

/// A date with a four-digit year (0001-01-01 to 9999-12-31): what every host's date type holds
/// (Python's `datetime.date`, SQL `DATE`, ISO 8601 without extension). Business dates, due dates
/// and statement dates outside it are refused (`InvalidInput`) before anything is recorded.
pub fn date(field: &'static str, value: NaiveDate) -> Result<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    if value < first || value > last {
        return Err(Error::invalid(
            field,
            format!("{value} is not between 0001-01-01 and 9999-12-31"),
        ));
    }
    Ok(value)
}

/// A language tag such as `fr` or `fr-CA`: 2-3 letters, then optional subtags of letters/digits.
pub fn language(value: &str) -> Result<SmolStr> {
    // BCP 47 as ICU4X reads it (the library that formats the statements), with `-` only.
    let ok = !value.contains('_')
        && icu_locale_core::LanguageIdentifier::try_from_str(value)
            .is_ok_and(|id| !id.language.is_unknown());
    if ok {
        Ok(SmolStr::new(value))
    } else {
        Err(Error::invalid(
            "language",
            format!("{value:?} is not a language tag like \"fr\" or \"fr-CA\""),
        ))
    }
}

/// Refuses a header value with a line break or another control character.
pub fn header_value(field: &'static str, value: &str) -> Result<()> {
    if value.chars().any(char::is_control) {
        return Err(Error::HeaderInjection { field });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(id("op_id", "o-1").is_ok());
        for bad in ["", " o", "o\n", "a\u{0}b", &"x".repeat(129)] {
            assert!(id("op_id", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        for good in [
            "marie@example.com",
            "a.b+c@mail.example.co.uk",
            "élise@exemple.fr",
        ] {
            assert!(email(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "marie",
            "marie@",
            "@example.com",
            "marie@example",
            "a b@example.com",
            "marie@example.com\r\nBcc: x@y.z",
            "a..b@example.com",
            "m@-x.com",
            "m@x..com",
        ] {
            assert!(
                matches!(email(bad), Err(Error::InvalidEmail { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn languages() {
        assert!(language("fr").is_ok());
        assert!(language("fr-CA").is_ok());
        assert!(language("f").is_err());
        assert!(language("fr_CA").is_err());
        assert!(language("").is_err());
        assert!(language("en-Latn-US").is_ok());
        assert!(language("fr--CA").is_err());
        assert!(language("12").is_err());
        assert!(language("fr-CA-toolongsubtag").is_err());
    }
}
