//! Decimal amount parsing and minor-unit conversion: `Currency::parse`, `to_minor`/`from_minor`
//! and the `Money` checks. Input: 1 byte currency choice, 8 bytes minor units (LE), then text.

use creditbook::money::max_amount;
use creditbook::{Currency, Error, Money};
use rust_decimal::Decimal;

use super::{take, typed};

/// Currencies with 0, 2, 3 and 4 decimals, and one without a minor unit (refused).
const CODES: [&str; 6] = ["CAD", "JPY", "KWD", "CLF", "EUR", "XAU"];

pub fn run(data: &[u8]) {
    let (head, rest) = take::<9>(data);
    let text = String::from_utf8_lossy(rest);
    let minor = i64::from_le_bytes(head[1..9].try_into().unwrap());
    // The text as a currency code too: any string, never a panic.
    if let Err(e) = Currency::from_code(&text) {
        typed(&e);
    }
    let cur = match Currency::from_code(CODES[usize::from(head[0]) % CODES.len()]) {
        Ok(c) => c,
        Err(e) => return typed(&e),
    };
    let other = Currency::from_code(if cur.code() == "CAD" { "EUR" } else { "CAD" }).unwrap();
    let exp = cur.exponent();

    match cur.parse(&text) {
        Ok(v) => {
            assert_eq!(v.scale(), exp, "{text:?} parsed at another scale");
            assert!(
                v.abs() <= max_amount(),
                "{text:?} beyond the largest amount"
            );
            // Up to 10^15 major units, so with 4 decimals (CLF) beyond i64 minor units: refused.
            match cur.to_minor(v) {
                Ok(m) => assert_eq!(cur.from_minor(m), v, "{text:?} does not round-trip"),
                Err(e) => {
                    assert!(matches!(e, Error::Overflow), "{text:?}: {e}");
                    assert!(i64::try_from(v.mantissa()).is_err(), "{text:?} fits: {e}");
                }
            }
            let money = Money::parse(&text, cur).expect("Money::parse agrees with Currency::parse");
            assert_eq!(money.amount, v);
            let _ = money.to_string();
            check_money(money, cur, other);
        }
        Err(e) => {
            typed(&e);
            assert!(Money::parse(&text, cur).is_err());
        }
    }

    // Minor units: every i64 converts; back to minor units it is the same or refused as too large.
    let v = cur.from_minor(minor);
    match cur.to_minor(v) {
        Ok(back) => assert_eq!(back, minor),
        Err(e) => {
            typed(&e);
            assert!(v.abs() > max_amount(), "{minor} minor units refused: {e}");
        }
    }
    let _ = cur.at_scale(v).to_string();
    let money = Money::from_minor(minor, cur);
    let _ = money.to_string();
    check_money(money, cur, other);
    // An amount of any scale, as a host could hand it over.
    let scale = u32::from(head[1]) % 29;
    let raw = Decimal::new(minor, scale);
    match cur.normalize(raw) {
        Ok(n) => {
            assert_eq!(n, raw);
            assert_eq!(n.scale(), exp);
        }
        Err(e) => typed(&e),
    }
    check_money(Money::new(raw, cur), cur, other);
}

fn check_money(money: Money, cur: Currency, other: Currency) {
    for r in [
        money.positive_in(cur),
        money.non_negative_in(cur),
        money.positive_in(other),
        money.non_negative_in(other),
    ] {
        match r {
            Ok(v) => {
                assert!(v >= Decimal::ZERO);
                assert_eq!(v.scale(), cur.exponent());
            }
            Err(e) => typed(&e),
        }
    }
    assert!(money.require_currency(other).is_err());
}
