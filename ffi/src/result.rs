//! `creditbook_result`: the one status every fallible function returns, and the errors of the C
//! boundary itself.
//!
//! The numbers below 900 are exactly the core's [`creditbook::Error::code`] values; 900 and up are
//! the C boundary's own (a NULL pointer, bad UTF-8, an unknown enum value, a caught panic). A
//! number is never reused for another meaning: a retired code stays listed as reserved.

use std::ffi::c_char;

use creditbook::{Error, ErrorKind};

use crate::panic::ffi_panic_boundary;

/// The status of a call: `CREDITBOOK_RESULT_OK` (0) or why it failed. Numbers 100 to 899 are the
/// core's error codes (1xx bad input, 2xx accounts and entries, 3xx rules, 4xx permissions, 5xx
/// idempotency, 6xx the host's store); 900 and up are the C boundary's own. Numbers are stable
/// and never reused. The message with the figures is the handle's last error
/// (`creditbook_book_last_error`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_result {
    /// Success.
    Ok = 0,
    /// An amount that must be positive is zero or negative.
    AmountNotPositive = 100,
    /// An amount that must not be negative is negative.
    AmountNegative = 101,
    /// An amount has more decimals than its currency allows.
    TooManyDecimals = 102,
    /// An amount in another currency than the account's.
    CurrencyMismatch = 103,
    /// Not an ISO 4217 currency with minor units.
    UnknownCurrency = 104,
    /// Text that cannot be read as a decimal amount.
    InvalidAmountText = 105,
    /// A figure does not fit (in the decimal type, or in an `int64_t` of minor units).
    Overflow = 106,
    /// A field is empty, too long, or has characters it may not have (also: a date that does
    /// not exist, an instant out of range).
    InvalidInput = 107,
    /// An email address that is not valid.
    InvalidEmail = 108,
    /// An unknown IANA time zone.
    UnknownTimeZone = 109,
    /// A date range that starts after it ends.
    InvalidDateRange = 110,
    /// A language the store does not print in.
    LanguageNotOffered = 111,
    /// A statement request that breaks a rule.
    InvalidStatementRequest = 112,
    /// A message without a recipient (the customer has no email address).
    MissingRecipient = 113,
    /// A message header with a line break or control character.
    HeaderInjection = 114,
    /// No account with this id.
    UnknownAccount = 200,
    /// An account with this id is already open.
    AccountExists = 201,
    /// The account is on hold: no new charges.
    AccountOnHold = 202,
    /// The account is archived.
    AccountArchived = 203,
    /// No entry with this number.
    UnknownEntry = 204,
    /// No invoice with this number.
    UnknownInvoice = 205,
    /// The invoice has nothing left to pay.
    InvoiceNotOpen = 206,
    /// The operation does not apply to the account as it is.
    InvalidState = 207,
    /// A charge above the available credit.
    CreditLimitExceeded = 300,
    /// Spending more store credit than the account holds.
    InsufficientCredit = 301,
    /// New charges are blocked while an invoice is too long overdue.
    OverdueCreditHold = 302,
    /// A refund above what is still refundable for the sale.
    RefundExceedsSale = 303,
    /// The store does not refund to store credit.
    RefundsToCreditDisabled = 304,
    /// The store refuses refunds without the original sale.
    ReceiptRequired = 305,
    /// Applying more credit than is owed.
    ApplyExceedsBalanceOwed = 306,
    /// The entry was already reversed.
    AlreadyReversed = 307,
    /// The entry cannot be reversed.
    NotReversible = 308,
    /// Writing off more than the invoice's remaining amount.
    WriteOffExceedsInvoice = 309,
    /// A payment link amount outside what the store allows or what is owed.
    PaymentLinkAmountOutOfRange = 310,
    /// No payment link with this reference (a payment link's status asked for one).
    UnknownPaymentLink = 311,
    /// An online payment whose amount is not the link's (no longer returned: such a payment is
    /// recorded and flagged; the number stays reserved).
    PaymentAmountMismatch = 312,
    /// The acting employee lacks a permission the operation needs.
    PermissionDenied = 400,
    /// The operation id was already used for a different operation.
    OperationIdConflict = 500,
    /// Other writers kept changing the account; try again.
    StoreContention = 600,
    /// The host's store callback failed; its status is in the message. Nothing was recorded.
    StoreFailed = 601,
    /// A persisted record could not be read.
    CorruptRecord = 602,
    /// A persisted record of a schema version this library does not read.
    UnsupportedSchema = 603,
    /// The host's mailer failed; its status is in the message.
    DeliveryFailed = 604,
    /// The host's payment provider failed; its status is in the message.
    PaymentProviderFailed = 605,
    /// The operation needs a port (mailer, payment provider) the book was not given.
    PortMissing = 606,
    /// A pointer that must not be NULL was NULL.
    NullParameter = 900,
    /// A string that is not valid UTF-8.
    InvalidUtf8 = 901,
    /// An enum-like integer that is not one of its constants.
    InvalidEnum = 902,
    /// A panic was caught inside the library; nothing was recorded. A bug: please report it.
    Panic = 903,
    /// Something that cannot happen did (a string with a NUL byte inside to return): see the
    /// message. A bug: please report it.
    Internal = 904,
}

/// The C boundary's own results (900 and up), after the core's: with `Ok`, the results that are
/// not core errors.
const BOUNDARY: [(creditbook_result, &str); 6] = [
    (creditbook_result::Ok, "OK\0"),
    (creditbook_result::NullParameter, "NULL_PARAMETER\0"),
    (creditbook_result::InvalidUtf8, "INVALID_UTF8\0"),
    (creditbook_result::InvalidEnum, "INVALID_ENUM\0"),
    (creditbook_result::Panic, "PANIC\0"),
    (creditbook_result::Internal, "INTERNAL\0"),
];

/// The core's errors as C results, made from the core's one list ([`creditbook::error_vocabulary`]):
/// the enum above must have a constant of the same name and number for each (a missing one, or a
/// wrong number, does not compile), so adding an error to the core is adding its line above.
macro_rules! core_results {
    ($($variant:ident = $code:literal, $name:literal, $family:ident, $doc:literal;)*) => {
        // Each constant has the core's number.
        const _: () = {
            $(assert!(creditbook_result::$variant as u32 == $code);)*
        };

        impl creditbook_result {
            /// The result of a core error kind.
            pub(crate) const fn of_kind(kind: ErrorKind) -> creditbook_result {
                match kind {
                    $(ErrorKind::$variant => creditbook_result::$variant,)*
                }
            }

            /// The result with this number, if there is one.
            pub(crate) fn from_code(code: u32) -> Option<creditbook_result> {
                match ErrorKind::from_code(code) {
                    Some(kind) => Some(creditbook_result::of_kind(kind)),
                    None => BOUNDARY.iter().map(|(r, _)| *r).find(|r| *r as u32 == code),
                }
            }

            /// The constant's name without its prefix, NUL-terminated:
            /// `"CREDIT_LIMIT_EXCEEDED\0"`.
            fn name(self) -> &'static str {
                match self {
                    $(creditbook_result::$variant => concat!($name, "\0"),)*
                    other => BOUNDARY
                        .iter()
                        .find(|(r, _)| *r == other)
                        .map_or("UNKNOWN\0", |(_, name)| name),
                }
            }
        }
    };
}

creditbook::error_vocabulary!(core_results);

/// Why a call failed: a core error, or a fault of the C boundary itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FfiError {
    /// The core refused.
    Core(Error),
    /// A pointer parameter, named, was NULL.
    Null(&'static str),
    /// A string parameter, named, was not UTF-8.
    Utf8(&'static str),
    /// An enum-like parameter, named, had an unknown value.
    Enum(&'static str, i64),
    /// Something that cannot happen did (a string with a NUL byte inside to return).
    Internal(String),
}

impl From<Error> for FfiError {
    fn from(e: Error) -> FfiError {
        FfiError::Core(e)
    }
}

impl FfiError {
    /// The status returned for this error.
    pub(crate) fn result(&self) -> creditbook_result {
        match self {
            FfiError::Core(e) => creditbook_result::of_kind(e.kind()),
            FfiError::Null(_) => creditbook_result::NullParameter,
            FfiError::Utf8(_) => creditbook_result::InvalidUtf8,
            FfiError::Enum(..) => creditbook_result::InvalidEnum,
            FfiError::Internal(_) => creditbook_result::Internal,
        }
    }

    /// The message kept as the handle's last error: the core's message with its figures.
    pub(crate) fn message(&self) -> String {
        match self {
            FfiError::Core(e) => e.to_string(),
            FfiError::Null(what) => format!("{what} is NULL"),
            FfiError::Utf8(what) => format!("{what} is not valid UTF-8"),
            FfiError::Enum(what, v) => format!("{v} is not a valid {what}"),
            FfiError::Internal(what) => format!("internal error: {what}"),
        }
    }
}

/// A result of the C boundary's conversions and the core's calls.
pub(crate) type FfiResult<T> = Result<T, FfiError>;

/// The status of a call that has no handle to keep a message: only the code tells what failed.
pub(crate) fn status(r: FfiResult<()>) -> creditbook_result {
    match r {
        Ok(()) => creditbook_result::Ok,
        Err(e) => e.result(),
    }
}

/// The name of a result code without its `CREDITBOOK_RESULT_` prefix (`"CREDIT_LIMIT_EXCEEDED"`),
/// as a static NUL-terminated string that must not be freed; `"UNKNOWN"` for a number that is no
/// result. Takes any integer, so it is safe to call with a code read from a log or a file.
#[no_mangle]
pub extern "C" fn creditbook_result_name(result: u32) -> *const c_char {
    ffi_panic_boundary!({
        creditbook_result::from_code(result)
            .map_or("UNKNOWN\0", creditbook_result::name)
            .as_ptr()
            .cast()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The constants of the header (`CREDITBOOK_RESULT_<NAME> = <number>`), read from the file a
    /// C host compiles against, so the check does not rest on this crate's own lists.
    fn header_results() -> Vec<(String, u32)> {
        let header = include_str!("../../include/creditbook.h");
        let mut out = Vec::new();
        for line in header.lines() {
            let line = line.trim();
            let Some(rest) = line.strip_prefix("CREDITBOOK_RESULT_") else {
                continue;
            };
            let Some((name, number)) = rest.split_once(" = ") else {
                continue;
            };
            let number = number.trim_end_matches(',').parse().expect("a number");
            out.push((name.to_string(), number));
        }
        out
    }

    #[test]
    fn every_header_result_is_a_core_error_or_the_boundarys_own_by_name_and_number() {
        let results = header_results();
        assert_eq!(results.len(), ErrorKind::ALL.len() + BOUNDARY.len());
        for (name, number) in &results {
            let r = creditbook_result::from_code(*number).expect("a known number");
            assert_eq!(r.name(), format!("{name}\0"), "{number}");
            match ErrorKind::from_code(*number) {
                Some(kind) => assert_eq!(kind.name(), name),
                None => assert!(*number == 0 || *number >= 900, "{name}: a core number"),
            }
        }
        for &kind in ErrorKind::ALL {
            assert_eq!(creditbook_result::of_kind(kind) as u32, kind.code());
        }
        assert_eq!(creditbook_result::from_code(899), None);
        assert_eq!(
            FfiError::Core(Error::Overflow).result(),
            creditbook_result::Overflow
        );
    }

    #[test]
    fn names_are_nul_terminated_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for (_, number) in header_results() {
            let r = creditbook_result::from_code(number).expect("known");
            assert!(r.name().ends_with('\0'));
            assert!(seen.insert(r.name()));
        }
    }
}
