//! Decimal-string helpers for amounts, which cross the boundary as `int64_t` minor units.

use std::ffi::c_char;

use creditbook::Currency;

use crate::panic::ffi_panic_boundary;
use crate::result::{creditbook_result, status};
use crate::strings::{arg, out, write_string};

/// Writes to `*text_out` the amount of `minor_units` in `currency` (ISO 4217 code) as a decimal
/// string with exactly the currency's decimals and `.` as separator: 1250 CAD is `"12.50"`, 1250
/// JPY `"1250"`, -5 CAD `"-0.05"`. A new string: release it with `creditbook_string_free`.
#[no_mangle]
pub extern "C" fn creditbook_amount_to_string(
    minor_units: i64,
    currency: *const c_char,
    text_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!({
        status((|| {
            out(text_out, "text_out")?;
            // SAFETY: the caller's string.
            let cur = Currency::from_code(unsafe { arg(currency, "currency") }?)?;
            write_string(
                text_out,
                "text_out",
                cur.from_minor(minor_units).to_string(),
            )
        })())
    })
}

/// Reads a decimal amount (`"12.5"`, `"-3"`; `.` as separator, no grouping, no exponent) in
/// `currency` and writes it to `*minor_units_out` in minor units (1250 for `"12.5"` CAD). More
/// decimals than the currency allows is `TOO_MANY_DECIMALS` (never rounded); text that is no
/// amount is `INVALID_AMOUNT_TEXT`; an amount beyond `int64_t` is `OVERFLOW`.
#[no_mangle]
pub extern "C" fn creditbook_amount_parse(
    text: *const c_char,
    currency: *const c_char,
    minor_units_out: *mut i64,
) -> creditbook_result {
    ffi_panic_boundary!({
        status((|| {
            let o = out(minor_units_out, "minor_units_out")?;
            // SAFETY: the caller's strings.
            let (text, cur) = unsafe { (arg(text, "text")?, arg(currency, "currency")?) };
            let cur = Currency::from_code(cur)?;
            let minor = cur.to_minor(cur.parse(text)?)?;
            // SAFETY: not NULL.
            unsafe { o.write(minor) };
            Ok(())
        })())
    })
}

/// Writes to `*exponent_out` the number of decimals of `currency`'s minor unit (2 for CAD, 0 for
/// JPY, 3 for KWD).
#[no_mangle]
pub extern "C" fn creditbook_currency_exponent(
    currency: *const c_char,
    exponent_out: *mut u32,
) -> creditbook_result {
    ffi_panic_boundary!({
        status((|| {
            let o = out(exponent_out, "exponent_out")?;
            // SAFETY: the caller's string.
            let cur = Currency::from_code(unsafe { arg(currency, "currency") }?)?;
            // SAFETY: not NULL.
            unsafe { o.write(cur.exponent()) };
            Ok(())
        })())
    })
}
