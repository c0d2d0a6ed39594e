//! `creditbook_settings`: the store's settings, made with `creditbook_settings_new` and adjusted
//! with setters before a book is made from them (the book keeps its own copy).

use std::ffi::c_char;
use std::str::FromStr;

use creditbook::{AgingBuckets, CurrencyDisplay, Language, StoreSettings};
use rust_decimal::Decimal;

use crate::handle;
use crate::last_error::{copy_out, HasLastError, LastError};
use crate::panic::ffi_panic_boundary;
use crate::result::{creditbook_result, status, FfiError, FfiResult};
use crate::strings::{arg, opt_arg, out, slice_arg};
use crate::values::{address, c_enum, creditbook_postal_address, invalid, terms, CEnum};

/// A store's settings (a `StoreSettings` inside). Made by `creditbook_settings_new`, released by
/// `creditbook_settings_free`. Not for concurrent use: set it up on one thread, then make books
/// from it (`creditbook_book_new` copies it).
#[allow(non_camel_case_types)]
pub struct creditbook_settings {
    settings: StoreSettings,
    errors: LastError,
}

impl HasLastError for creditbook_settings {
    fn last_error(&self) -> &LastError {
        &self.errors
    }
}

impl creditbook_settings {
    /// The settings inside.
    pub(crate) fn get(&self) -> &StoreSettings {
        &self.settings
    }
}

/// A switch of the store's settings, for `creditbook_settings_set_flag`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_setting_flag {
    /// Refunds to store credit are allowed (on by default).
    RefundsToCredit = 0,
    /// Refunds without the original sale are allowed, as flagged store credit (on by default).
    ReceiptLessRefunds = 1,
    /// New credit is applied to open invoices at once (off by default).
    AutoApplyCredit = 2,
    /// Statements show the credit limit and available credit (off by default).
    StatementShowsCreditLimit = 3,
    /// Statement emails attach the statement as UBL XML too (off by default).
    AttachUbl = 4,
    /// Statements get a "Pay online" link by default when the book has a payment provider (on
    /// by default).
    IncludePaymentLink = 5,
    /// Statement emails attach the statement as a PDF/A-3 document with the UBL inside (off by
    /// default; docs/pdf.md).
    AttachPdf = 6,
    /// Statement emails attach the statement as an HTML document (on by default).
    AttachHtml = 7,
}

c_enum!(
    creditbook_setting_flag: RefundsToCredit,
    ReceiptLessRefunds,
    AutoApplyCredit,
    StatementShowsCreditLimit,
    AttachUbl,
    IncludePaymentLink,
    AttachPdf,
    AttachHtml,
);

/// How statements show the store's currency.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_currency_display {
    /// The symbol the store's customers use (`$`, `€`).
    Symbol = 0,
    /// The ISO 4217 code (`CAD`).
    IsoCode = 1,
}

c_enum!(creditbook_currency_display: Symbol, IsoCode);

/// Runs a setter on a settings handle (inside the caller's panic boundary).
fn with_settings(
    settings: *mut creditbook_settings,
    f: impl FnOnce(&mut StoreSettings) -> FfiResult<()>,
) -> creditbook_result {
    // The core's rules decide what settings may be (`StoreSettings::validate`): a setter whose
    // value breaks one changes nothing.
    handle::call_mut(settings, |s| {
        let mut changed = s.settings.clone();
        f(&mut changed)?;
        changed.validate()?;
        s.settings = changed;
        Ok(())
    })
}

/// A percentage given as a decimal string (`"2.5"`); its range is the core's rule.
fn percent(text: &str) -> FfiResult<Decimal> {
    Decimal::from_str(text.trim())
        .map_err(|_| invalid("percent", format!("{text:?} is not a decimal number")))
}

/// Makes a store's settings from its name, currency (ISO 4217 code, `"CAD"`) and IANA time zone
/// (`"America/Montreal"`); everything else at its default (net 30 terms, aging buckets 30/60/90,
/// statements due in 30 days in every language, English the store's own). On success writes a new
/// handle to `*settings_out` (release it with `creditbook_settings_free`). Fails with
/// `UNKNOWN_CURRENCY`, `UNKNOWN_TIME_ZONE`, `INVALID_INPUT` (an empty name), `NULL_PARAMETER`,
/// `INVALID_UTF8`; there is no handle yet to keep a message: `creditbook_result_name` names it.
#[no_mangle]
pub extern "C" fn creditbook_settings_new(
    name: *const c_char,
    currency: *const c_char,
    timezone: *const c_char,
    settings_out: *mut *mut creditbook_settings,
) -> creditbook_result {
    ffi_panic_boundary!({
        let made = || -> FfiResult<()> {
            let out = out(settings_out, "settings_out")?;
            // SAFETY: the caller's strings, valid for the call.
            let settings = unsafe {
                StoreSettings::new(
                    arg(name, "name")?,
                    arg(currency, "currency")?,
                    arg(timezone, "timezone")?,
                )?
            };
            let made = creditbook_settings {
                settings,
                errors: LastError::default(),
            };
            // SAFETY: `out` is not NULL.
            unsafe { handle::give(out, made) };
            Ok(())
        };
        status(made())
    })
}

/// Releases settings made by `creditbook_settings_new`. NULL is a no-op; never release twice.
#[no_mangle]
pub extern "C" fn creditbook_settings_free(settings: *mut creditbook_settings) {
    ffi_panic_boundary!({
        // SAFETY: made by `creditbook_settings_new`, or NULL.
        unsafe { handle::free(settings) }
    })
}

/// Writes to `*message_out` the message of the last call on `settings` that failed on this
/// thread (`""` when none), as a new string to release with `creditbook_string_free`.
#[no_mangle]
pub extern "C" fn creditbook_settings_last_error(
    settings: *const creditbook_settings,
    message_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!({ copy_out(settings, message_out) })
}

/// Sets the store's postal address (printed on statements). Every part may be NULL.
#[no_mangle]
pub extern "C" fn creditbook_settings_set_address(
    settings: *mut creditbook_settings,
    address: *const creditbook_postal_address,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        // SAFETY: the caller's address, valid for the call.
        let a = unsafe { address.as_ref() }.ok_or(FfiError::Null("address"))?;
        // SAFETY: as above.
        s.address = unsafe { crate::values::address(a) }?;
        Ok(())
    })
    })
}

/// Sets the terms of accounts that have none of their own: `kind` is a `creditbook_terms_kind`
/// other than `STORE`; `days` counts for `NET` and `END_OF_MONTH_PLUS`.
#[no_mangle]
pub extern "C" fn creditbook_settings_set_default_terms(
    settings: *mut creditbook_settings,
    kind: u32,
    days: u32,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        s.default_terms = terms(kind, days)?.ok_or_else(|| {
            invalid(
                "default terms",
                "the store's own terms cannot be STORE".into(),
            )
        })?;
        Ok(())
    })
    })
}

/// Lets charges go this many percent above the credit limit (`"0"` to `"100"`, a decimal string:
/// `"2.5"`). 0 by default.
#[no_mangle]
pub extern "C" fn creditbook_settings_set_over_limit_tolerance(
    settings: *mut creditbook_settings,
    percent_text: *const c_char,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        // SAFETY: the caller's string.
        s.policies.over_limit_tolerance_percent = percent(unsafe { arg(percent_text, "percent") }?)?;
        Ok(())
    })
    })
}

/// Blocks new charges while an invoice is more than `days` days overdue; a negative `days` turns
/// the credit hold off (the default).
#[no_mangle]
pub extern "C" fn creditbook_settings_set_overdue_hold_days(
    settings: *mut creditbook_settings,
    days: i64,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        s.policies.overdue_hold_days = if days < 0 {
            None
        } else {
            Some(u32::try_from(days).map_err(|_| invalid("days", format!("{days} is too many")))?)
        };
        Ok(())
    })
    })
}

/// Turns a switch (`creditbook_setting_flag`) on or off.
#[no_mangle]
pub extern "C" fn creditbook_settings_set_flag(
    settings: *mut creditbook_settings,
    flag: u32,
    on: bool,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        use creditbook_setting_flag as F;
        match F::checked(flag)? {
            F::RefundsToCredit => s.policies.refunds_to_credit = on,
            F::ReceiptLessRefunds => s.policies.receipt_less_refunds = on,
            F::AutoApplyCredit => s.policies.auto_apply_credit = on,
            F::StatementShowsCreditLimit => s.statements.display_credit_limit = on,
            F::AttachUbl => s.messages.attach_ubl = on,
            F::IncludePaymentLink => s.messages.include_payment_link = on,
            F::AttachPdf => s.messages.attach_pdf = on,
            F::AttachHtml => s.messages.attach_html = on,
        }
        Ok(())
    })
    })
}

/// Sets the aging buckets by their upper day counts (`{30, 60, 90}`: current, 1-30, 31-60, 61-90,
/// over 90): 1 to 12 strictly increasing counts above 0.
#[no_mangle]
pub extern "C" fn creditbook_settings_set_aging_buckets(
    settings: *mut creditbook_settings,
    bounds: *const u32,
    count: usize,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        // SAFETY: the caller's array of `count` values.
        let bounds = unsafe { slice_arg(bounds, count, "bounds") }?;
        s.aging = AgingBuckets::new(bounds.to_vec())?;
        Ok(())
    })
    })
}

/// Sets the days from a statement's date to its due date (30 by default; 0: due upon receipt).
#[no_mangle]
pub extern "C" fn creditbook_settings_set_statement_days_till_due(
    settings: *mut creditbook_settings,
    days: u32,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        s.statements.days_till_due = days;
        Ok(())
    })
    })
}

/// Sets the percent of the closing balance a statement asks for (a decimal string, `"0"` to
/// `"100"`; 100 by default).
#[no_mangle]
pub extern "C" fn creditbook_settings_set_statement_percent_due(
    settings: *mut creditbook_settings,
    percent_text: *const c_char,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        // SAFETY: the caller's string.
        s.statements.percent_due = percent(unsafe { arg(percent_text, "percent") }?)?;
        Ok(())
    })
    })
}

/// Sets the texts statements print: "make cheques payable to" (NULL or empty: the store's name)
/// and the header text under the store's name (NULL: none).
#[no_mangle]
pub extern "C" fn creditbook_settings_set_statement_texts(
    settings: *mut creditbook_settings,
    cheques_payable_to: *const c_char,
    header_text: *const c_char,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        // SAFETY: the caller's strings.
        let (payee, header) = unsafe {
            (
                opt_arg(cheques_payable_to, "cheques_payable_to")?,
                opt_arg(header_text, "header_text")?,
            )
        };
        s.statements.cheques_payable_to = payee.unwrap_or_default().to_string();
        s.statements.header_text = header.unwrap_or_default().to_string();
        Ok(())
    })
    })
}

/// Sets where payments are mailed when not to the store's address (NULL: the store's).
#[no_mangle]
pub extern "C" fn creditbook_settings_set_remittance_address(
    settings: *mut creditbook_settings,
    remittance: *const creditbook_postal_address,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        // SAFETY: the caller's address, or NULL.
        s.statements.remittance_address = match unsafe { remittance.as_ref() } {
            // SAFETY: as above.
            Some(a) => Some(unsafe { address(a) }?),
            None => None,
        };
        Ok(())
    })
    })
}

/// Sets the languages statements are printed in (`codes`: `count` tags among `"en"`, `"fr"`,
/// `"es"`, `"de"`, `"nl"`) and the store's own language (`own`, one of them), used for customers
/// without a preferred language; `own` NULL: English when the store prints in English, else the
/// first of `codes`.
#[no_mangle]
pub extern "C" fn creditbook_settings_set_languages(
    settings: *mut creditbook_settings,
    codes: *const *const c_char,
    count: usize,
    own: *const c_char,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        // SAFETY: the caller's array of `count` strings.
        let codes = unsafe { slice_arg(codes, count, "codes") }?;
        let languages = codes
            .iter()
            // SAFETY: as above.
            .map(|c| Ok(Language::parse("language", unsafe { arg(*c, "language code") }?)?))
            .collect::<FfiResult<Vec<_>>>()?;
        // SAFETY: the caller's string, or NULL.
        let own = unsafe { opt_arg(own, "own") }?
            .map(|tag| Language::parse("own", tag))
            .transpose()?;
        s.statements.set_languages(&languages, own)?;
        Ok(())
    })
    })
}

/// Sets the store's country (ISO 3166 alpha-2, `"CA"`) for regional conventions of numbers and
/// dates (NULL: guessed from the currency and time zone), and how the currency is shown
/// (`creditbook_currency_display`).
#[no_mangle]
pub extern "C" fn creditbook_settings_set_region(
    settings: *mut creditbook_settings,
    country: *const c_char,
    currency_display: u32,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
    with_settings(settings, |s| {
        let display = match creditbook_currency_display::checked(currency_display)? {
            creditbook_currency_display::Symbol => CurrencyDisplay::Symbol,
            creditbook_currency_display::IsoCode => CurrencyDisplay::IsoCode,
        };
        // SAFETY: the caller's string, or NULL.
        let country = unsafe { opt_arg(country, "country") }?;
        if let Some(c) = country {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(invalid("country", format!("{c:?} is not an ISO 3166 alpha-2 code")));
            }
        }
        s.statements.country = country.map(str::to_ascii_uppercase);
        s.statements.currency_display = display;
        Ok(())
    })
    })
}

/// Runs a setter on a copy of the settings and keeps the copy only when the core finds it whole
/// (`StoreSettings::validate`): the rules stay in the core, and a refused setter changes nothing.
fn with_checked_settings(
    settings: *mut creditbook_settings,
    f: impl FnOnce(&mut StoreSettings) -> FfiResult<()>,
) -> creditbook_result {
    handle::call_mut(settings, |s| {
        let mut copy = s.settings.clone();
        f(&mut copy)?;
        copy.validate()?;
        s.settings = copy;
        Ok(())
    })
}

/// Sets the store's email address, the sender (and reply address) of its messages (NULL: none),
/// and where payment notices to the store go (NULL: `from`). A bad address is `INVALID_EMAIL`; a
/// line break, tab or other control character in it (around it too) is `HEADER_INJECTION`.
#[no_mangle]
pub extern "C" fn creditbook_settings_set_message_addresses(
    settings: *mut creditbook_settings,
    from: *const c_char,
    notices_to: *const c_char,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
        with_checked_settings(settings, |s| {
            // SAFETY: the caller's strings, each NULL or valid for the call.
            let (from, notices_to) =
                unsafe { (opt_arg(from, "from")?, opt_arg(notices_to, "notices_to")?) };
            s.messages.from = from.map(str::to_string);
            s.messages.notices_to = notices_to.map(str::to_string);
            Ok(())
        })
    })
}

/// Sets the payment links' rules: the most one link may ask (`max`, minor units of the store's
/// currency, above 0; 100,000.00 by default) and the days a statement's link (30) and a deposit
/// request (14) stay valid.
#[no_mangle]
pub extern "C" fn creditbook_settings_set_payment_links(
    settings: *mut creditbook_settings,
    max: i64,
    link_days: u32,
    deposit_request_days: u32,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
        with_checked_settings(settings, |s| {
            s.messages.payment_link_max = s.currency.from_minor(max);
            s.messages.payment_link_days = link_days;
            s.messages.deposit_request_days = deposit_request_days;
            Ok(())
        })
    })
}
