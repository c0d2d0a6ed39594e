//! Currencies (ISO 4217, minor units from the maintained `iso_currency` table) and exact money.
//!
//! Amounts are [`rust_decimal::Decimal`]; they are never rounded behind the caller's back. An amount
//! with more significant decimals than its currency's minor unit allows is an error
//! ([`Error::TooManyDecimals`]); a valid amount is carried at exactly the currency's scale
//! (`120` CAD becomes `120.00`). All arithmetic is checked and fails with [`Error::Overflow`].

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An ISO 4217 currency with a defined minor unit (CAD, EUR, JPY, KWD...).
///
/// Currencies without a minor unit (gold XAU, testing XTS, ...) are refused: money in them has no
/// exact representation for a shop.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    iso: iso_currency::Currency,
    exponent: u8,
}

impl Currency {
    /// Looks a currency up by its ISO 4217 alphabetic code (upper case, e.g. `"CAD"`).
    ///
    /// ```
    /// use creditbook::Currency;
    /// let cad = Currency::from_code("CAD").unwrap();
    /// assert_eq!(cad.exponent(), 2);
    /// assert_eq!(Currency::from_code("JPY").unwrap().exponent(), 0);
    /// assert!(Currency::from_code("XAU").is_err()); // no minor unit
    /// ```
    pub fn from_code(code: &str) -> Result<Currency> {
        let unknown = || Error::UnknownCurrency {
            code: code.chars().take(16).collect(),
        };
        let iso = iso_currency::Currency::from_code(code).ok_or_else(unknown)?;
        let exponent = iso.exponent().ok_or_else(unknown)?;
        let exponent = u8::try_from(exponent).map_err(|_| unknown())?;
        Ok(Currency { iso, exponent })
    }

    /// The ISO 4217 alphabetic code, e.g. `"CAD"`.
    pub fn code(&self) -> &'static str {
        self.iso.code()
    }

    /// Number of decimals of the minor unit (2 for CAD, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u32 {
        u32::from(self.exponent)
    }

    /// Checks that `amount` has no more significant decimals than this currency allows and is at
    /// most [`max_amount`] either way, and returns it at exactly the currency's scale.
    pub fn normalize(&self, amount: Decimal) -> Result<Decimal> {
        let exp = self.exponent();
        if amount.abs() > max_amount() {
            return Err(Error::Overflow);
        }
        if amount.normalize().scale() > exp {
            return Err(Error::TooManyDecimals {
                amount,
                currency: self.code().to_string(),
                allowed: exp,
            });
        }
        let mut scaled = amount;
        scaled.rescale(exp);
        if scaled != amount {
            // rescale can only lose digits when the value does not fit at that scale.
            return Err(Error::Overflow);
        }
        Ok(scaled)
    }

    /// Converts a whole number of minor units (cents) to an amount at the currency's scale.
    pub fn from_minor(&self, minor: i64) -> Decimal {
        Decimal::new(minor, self.exponent())
    }

    /// Converts an amount to whole minor units; fails when it has too many decimals or does not fit.
    pub fn to_minor(&self, amount: Decimal) -> Result<i64> {
        let scaled = self.normalize(amount)?;
        let mantissa = scaled.mantissa();
        i64::try_from(mantissa).map_err(|_| Error::Overflow)
    }

    /// `amount` shown at the currency's scale (`0` becomes `0.00` in CAD). Only for amounts that
    /// already fit the currency; figures computed by creditbook always do.
    pub fn at_scale(&self, amount: Decimal) -> Decimal {
        let mut a = amount;
        a.rescale(self.exponent());
        if a.is_zero() {
            a.set_sign_positive(true); // never print "-0.00"
        }
        a
    }

    /// Parses a decimal amount written with `.` as the decimal separator (`"1234.50"`).
    pub fn parse(&self, text: &str) -> Result<Decimal> {
        let invalid = || Error::InvalidAmountText {
            text: text.chars().take(64).collect(),
        };
        let t = text.trim();
        if t.is_empty()
            || t.len() > 40
            || !t
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
        {
            return Err(invalid());
        }
        let value = Decimal::from_str_exact(t).map_err(|_| invalid())?;
        self.normalize(value)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = Error;
    fn from_str(s: &str) -> Result<Currency> {
        Currency::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Currency, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount in a currency, as a caller hands it to an operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount, in major units (`12.50` is twelve dollars fifty).
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// An amount in a currency. Nothing is checked here: operations check sign, scale and currency.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Parses `"12.50"` in `currency`, refusing more decimals than the currency allows.
    ///
    /// ```
    /// use creditbook::{Currency, Money};
    /// let cad = Currency::from_code("CAD").unwrap();
    /// assert_eq!(Money::parse("12.5", cad).unwrap().to_string(), "12.50 CAD");
    /// assert!(Money::parse("12.505", cad).is_err());
    /// ```
    pub fn parse(text: &str, currency: Currency) -> Result<Money> {
        Ok(Money::new(currency.parse(text)?, currency))
    }

    /// An amount from whole minor units (`1250` cents is `12.50`).
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money::new(currency.from_minor(minor), currency)
    }

    /// Checks that this is a positive amount in `expected` with the currency's scale, and returns
    /// the amount at exactly that scale.
    pub fn positive_in(&self, expected: Currency) -> Result<Decimal> {
        self.require_currency(expected)?;
        if self.amount <= Decimal::ZERO {
            return Err(Error::AmountNotPositive {
                amount: self.amount,
            });
        }
        expected.normalize(self.amount)
    }

    /// Checks that this is a non-negative amount in `expected`, at the currency's scale.
    pub fn non_negative_in(&self, expected: Currency) -> Result<Decimal> {
        self.require_currency(expected)?;
        if self.amount < Decimal::ZERO {
            return Err(Error::AmountNegative {
                amount: self.amount,
            });
        }
        expected.normalize(self.amount)
    }

    /// `Ok` when this amount is in `expected`, else [`Error::CurrencyMismatch`].
    pub fn require_currency(&self, expected: Currency) -> Result<()> {
        if self.currency != expected {
            return Err(Error::CurrencyMismatch {
                expected: expected.code().to_string(),
                got: self.currency.code().to_string(),
            });
        }
        Ok(())
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut a = self.amount;
        a.rescale(self.currency.exponent());
        write!(f, "{} {}", a, self.currency)
    }
}

/// The largest amount creditbook takes, in major units: 10^15 (a thousand trillion). Anything
/// larger is refused with [`Error::Overflow`], so that no sum of an account's entries can come
/// near the limits of the decimal type, where its arithmetic would round instead of failing.
pub fn max_amount() -> Decimal {
    Decimal::new(1_000_000_000_000_000, 0)
}

/// Checked addition: `a + b` or [`Error::Overflow`].
#[inline]
pub fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_add(b).ok_or(Error::Overflow)
}

/// Checked subtraction: `a - b` or [`Error::Overflow`].
#[inline]
pub fn sub(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_sub(b).ok_or(Error::Overflow)
}

/// Checked sum of amounts.
pub fn sum<I: IntoIterator<Item = Decimal>>(items: I) -> Result<Decimal> {
    items.into_iter().try_fold(Decimal::ZERO, add)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::prelude::FromPrimitive;

    fn cad() -> Currency {
        Currency::from_code("CAD").unwrap()
    }

    #[test]
    fn minor_units_come_from_iso_4217() {
        for (code, exp) in [
            ("CAD", 2),
            ("EUR", 2),
            ("JPY", 0),
            ("ISK", 0),
            ("KWD", 3),
            ("BHD", 3),
            ("IQD", 3),
            ("HUF", 2),
            ("CLF", 4),
        ] {
            assert_eq!(Currency::from_code(code).unwrap().exponent(), exp, "{code}");
        }
        assert!(matches!(
            Currency::from_code("XAU"),
            Err(Error::UnknownCurrency { .. })
        ));
        assert!(Currency::from_code("cad").is_err());
        assert!(Currency::from_code("ZZZ").is_err());
    }

    #[test]
    fn too_many_decimals_is_refused_not_rounded() {
        let err = cad().normalize(Decimal::new(12345, 3)).unwrap_err();
        assert_eq!(err.code(), 102);
        // trailing zeros are not significant
        assert_eq!(
            cad().normalize(Decimal::new(12300, 3)).unwrap().to_string(),
            "12.30"
        );
        let jpy = Currency::from_code("JPY").unwrap();
        assert!(jpy.normalize(Decimal::new(15, 1)).is_err());
        assert_eq!(
            jpy.normalize(Decimal::new(150, 1)).unwrap().to_string(),
            "15"
        );
    }

    #[test]
    fn minor_units_round_trip() {
        assert_eq!(cad().to_minor(Decimal::new(1250, 2)).unwrap(), 1250);
        assert_eq!(cad().from_minor(-5).to_string(), "-0.05");
        assert_eq!(cad().to_minor(Decimal::MAX), Err(Error::Overflow));
        assert_eq!(
            cad().to_minor(max_amount()).unwrap(),
            100_000_000_000_000_000
        );
        // Above the largest amount creditbook takes: refused, not rounded.
        assert_eq!(
            cad().to_minor(Decimal::from_i64(i64::MAX / 100).unwrap()),
            Err(Error::Overflow)
        );
    }

    #[test]
    fn parse_is_strict() {
        assert_eq!(cad().parse("1234.5").unwrap().to_string(), "1234.50");
        for bad in ["", "1,234.50", "1e3", "abc", "12.345", "NaN", "1 000"] {
            assert!(cad().parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_checks_sign_and_currency() {
        let eur = Currency::from_code("EUR").unwrap();
        let m = Money::parse("5", eur).unwrap();
        assert!(matches!(
            m.positive_in(cad()),
            Err(Error::CurrencyMismatch { .. })
        ));
        assert_eq!(m.positive_in(eur).unwrap().to_string(), "5.00");
        assert!(matches!(
            Money::new(Decimal::ZERO, eur).positive_in(eur),
            Err(Error::AmountNotPositive { .. })
        ));
        assert!(matches!(
            Money::new(Decimal::NEGATIVE_ONE, eur).non_negative_in(eur),
            Err(Error::AmountNegative { .. })
        ));
        assert_eq!(add(Decimal::MAX, Decimal::ONE), Err(Error::Overflow));
    }
}
