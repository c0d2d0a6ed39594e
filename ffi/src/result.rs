//! `creditbook_result`: the one status every fallible function returns, and the errors of the C
//! boundary itself.
//!
//! The numbers below 900 are exactly the core's [`creditbook::Error::code`] values; 900 and up are
//! the C boundary's own (a NULL pointer, bad UTF-8, an unknown enum value, a caught panic). A
//! number is never reused for another meaning: a retired code stays listed as reserved.

use std::ffi::c_char;

use creditbook::Error;

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
    /// An error the C API does not know (a newer core than this binding): see the message.
    Internal = 904,
}

impl creditbook_result {
    /// Every result, in numeric order.
    pub(crate) const ALL: [creditbook_result; 51] = {
        use creditbook_result::*;
        [
            Ok,
            AmountNotPositive,
            AmountNegative,
            TooManyDecimals,
            CurrencyMismatch,
            UnknownCurrency,
            InvalidAmountText,
            Overflow,
            InvalidInput,
            InvalidEmail,
            UnknownTimeZone,
            InvalidDateRange,
            LanguageNotOffered,
            InvalidStatementRequest,
            MissingRecipient,
            HeaderInjection,
            UnknownAccount,
            AccountExists,
            AccountOnHold,
            AccountArchived,
            UnknownEntry,
            UnknownInvoice,
            InvoiceNotOpen,
            InvalidState,
            CreditLimitExceeded,
            InsufficientCredit,
            OverdueCreditHold,
            RefundExceedsSale,
            RefundsToCreditDisabled,
            ReceiptRequired,
            ApplyExceedsBalanceOwed,
            AlreadyReversed,
            NotReversible,
            WriteOffExceedsInvoice,
            PaymentLinkAmountOutOfRange,
            UnknownPaymentLink,
            PaymentAmountMismatch,
            PermissionDenied,
            OperationIdConflict,
            StoreContention,
            StoreFailed,
            CorruptRecord,
            UnsupportedSchema,
            DeliveryFailed,
            PaymentProviderFailed,
            PortMissing,
            NullParameter,
            InvalidUtf8,
            InvalidEnum,
            Panic,
            Internal,
        ]
    };

    /// The result with this number, if there is one.
    pub(crate) fn from_code(code: u32) -> Option<creditbook_result> {
        Self::ALL.into_iter().find(|r| *r as u32 == code)
    }

    /// The constant's name without its prefix, NUL-terminated: `"CREDIT_LIMIT_EXCEEDED\0"`.
    fn name(self) -> &'static str {
        use creditbook_result::*;
        match self {
            Ok => "OK\0",
            AmountNotPositive => "AMOUNT_NOT_POSITIVE\0",
            AmountNegative => "AMOUNT_NEGATIVE\0",
            TooManyDecimals => "TOO_MANY_DECIMALS\0",
            CurrencyMismatch => "CURRENCY_MISMATCH\0",
            UnknownCurrency => "UNKNOWN_CURRENCY\0",
            InvalidAmountText => "INVALID_AMOUNT_TEXT\0",
            Overflow => "OVERFLOW\0",
            InvalidInput => "INVALID_INPUT\0",
            InvalidEmail => "INVALID_EMAIL\0",
            UnknownTimeZone => "UNKNOWN_TIME_ZONE\0",
            InvalidDateRange => "INVALID_DATE_RANGE\0",
            LanguageNotOffered => "LANGUAGE_NOT_OFFERED\0",
            InvalidStatementRequest => "INVALID_STATEMENT_REQUEST\0",
            MissingRecipient => "MISSING_RECIPIENT\0",
            HeaderInjection => "HEADER_INJECTION\0",
            UnknownAccount => "UNKNOWN_ACCOUNT\0",
            AccountExists => "ACCOUNT_EXISTS\0",
            AccountOnHold => "ACCOUNT_ON_HOLD\0",
            AccountArchived => "ACCOUNT_ARCHIVED\0",
            UnknownEntry => "UNKNOWN_ENTRY\0",
            UnknownInvoice => "UNKNOWN_INVOICE\0",
            InvoiceNotOpen => "INVOICE_NOT_OPEN\0",
            InvalidState => "INVALID_STATE\0",
            CreditLimitExceeded => "CREDIT_LIMIT_EXCEEDED\0",
            InsufficientCredit => "INSUFFICIENT_CREDIT\0",
            OverdueCreditHold => "OVERDUE_CREDIT_HOLD\0",
            RefundExceedsSale => "REFUND_EXCEEDS_SALE\0",
            RefundsToCreditDisabled => "REFUNDS_TO_CREDIT_DISABLED\0",
            ReceiptRequired => "RECEIPT_REQUIRED\0",
            ApplyExceedsBalanceOwed => "APPLY_EXCEEDS_BALANCE_OWED\0",
            AlreadyReversed => "ALREADY_REVERSED\0",
            NotReversible => "NOT_REVERSIBLE\0",
            WriteOffExceedsInvoice => "WRITE_OFF_EXCEEDS_INVOICE\0",
            PaymentLinkAmountOutOfRange => "PAYMENT_LINK_AMOUNT_OUT_OF_RANGE\0",
            UnknownPaymentLink => "UNKNOWN_PAYMENT_LINK\0",
            PaymentAmountMismatch => "PAYMENT_AMOUNT_MISMATCH\0",
            PermissionDenied => "PERMISSION_DENIED\0",
            OperationIdConflict => "OPERATION_ID_CONFLICT\0",
            StoreContention => "STORE_CONTENTION\0",
            StoreFailed => "STORE_FAILED\0",
            CorruptRecord => "CORRUPT_RECORD\0",
            UnsupportedSchema => "UNSUPPORTED_SCHEMA\0",
            DeliveryFailed => "DELIVERY_FAILED\0",
            PaymentProviderFailed => "PAYMENT_PROVIDER_FAILED\0",
            PortMissing => "PORT_MISSING\0",
            NullParameter => "NULL_PARAMETER\0",
            InvalidUtf8 => "INVALID_UTF8\0",
            InvalidEnum => "INVALID_ENUM\0",
            Panic => "PANIC\0",
            Internal => "INTERNAL\0",
        }
    }
}

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
            FfiError::Core(e) => {
                creditbook_result::from_code(e.code()).unwrap_or(creditbook_result::Internal)
            }
            FfiError::Null(_) => creditbook_result::NullParameter,
            FfiError::Utf8(_) => creditbook_result::InvalidUtf8,
            FfiError::Enum(..) => creditbook_result::InvalidEnum,
            FfiError::Internal(_) => creditbook_result::Internal,
        }
    }

    /// The message kept as the handle's last error: the core's message with its figures.
    pub(crate) fn message(&self) -> String {
        match self {
            FfiError::Core(e) if self.result() == creditbook_result::Internal => {
                format!("error {}: {e}", e.code())
            }
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
    use creditbook::Permission;
    use rust_decimal::Decimal;

    /// One error of every core variant: each maps to the C result of the same number.
    #[test]
    fn core_codes_are_the_c_numbers() {
        let d = Decimal::ONE;
        let s = String::new;
        let date = chrono::NaiveDate::MIN;
        let all = [
            Error::AmountNotPositive { amount: d },
            Error::AmountNegative { amount: d },
            Error::TooManyDecimals {
                amount: d,
                currency: s(),
                allowed: 2,
            },
            Error::CurrencyMismatch {
                expected: s(),
                got: s(),
            },
            Error::UnknownCurrency { code: s() },
            Error::InvalidAmountText { text: s() },
            Error::Overflow,
            Error::InvalidInput {
                field: "x",
                reason: s(),
            },
            Error::InvalidEmail { address: s() },
            Error::UnknownTimeZone { name: s() },
            Error::InvalidDateRange {
                from: date,
                to: date,
            },
            Error::LanguageNotOffered {
                language: s(),
                offered: vec![],
            },
            Error::InvalidStatementRequest { reason: s() },
            Error::MissingRecipient,
            Error::HeaderInjection { field: "x" },
            Error::UnknownAccount { account: s() },
            Error::AccountExists { account: s() },
            Error::AccountOnHold { account: s() },
            Error::AccountArchived { account: s() },
            Error::UnknownEntry { entry: 1 },
            Error::UnknownInvoice { invoice: 1 },
            Error::InvoiceNotOpen { invoice: 1 },
            Error::InvalidState { reason: s() },
            Error::CreditLimitExceeded {
                available: d,
                requested: d,
            },
            Error::InsufficientCredit {
                available: d,
                requested: d,
            },
            Error::OverdueCreditHold {
                invoice: 1,
                days_overdue: 1,
                allowed_days: 1,
            },
            Error::RefundExceedsSale {
                refundable: d,
                requested: d,
            },
            Error::RefundsToCreditDisabled,
            Error::ReceiptRequired,
            Error::ApplyExceedsBalanceOwed {
                owed: d,
                requested: d,
            },
            Error::AlreadyReversed { entry: 1 },
            Error::NotReversible {
                entry: 1,
                reason: s(),
            },
            Error::WriteOffExceedsInvoice {
                remaining: d,
                requested: d,
            },
            Error::PaymentLinkAmountOutOfRange {
                min: d,
                max: d,
                requested: d,
            },
            Error::UnknownPaymentLink { reference: s() },
            Error::PaymentAmountMismatch {
                expected: d,
                paid: d,
            },
            Error::PermissionDenied {
                permission: Permission::CreditLimit,
            },
            Error::OperationIdConflict { op_id: s() },
            Error::StoreContention { attempts: 1 },
            Error::StoreFailed {
                code: 1,
                message: s(),
            },
            Error::CorruptRecord { reason: s() },
            Error::UnsupportedSchema {
                version: 2,
                supported: 1,
            },
            Error::DeliveryFailed {
                code: 1,
                message: s(),
            },
            Error::PaymentProviderFailed {
                code: 1,
                message: s(),
            },
            Error::PortMissing { port: "mailer" },
        ];
        // Every core error has its own C result, and every C result below 900 is a core error.
        let core_results: Vec<_> = creditbook_result::ALL
            .iter()
            .filter(|r| (1..900).contains(&(**r as u32)))
            .collect();
        assert_eq!(all.len(), core_results.len());
        for e in all {
            let r = FfiError::Core(e.clone()).result();
            assert_eq!(r as u32, e.code(), "{e:?}");
            assert_ne!(r, creditbook_result::Internal);
        }
    }

    #[test]
    fn names_are_nul_terminated_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in creditbook_result::ALL {
            assert!(r.name().ends_with('\0'));
            assert!(seen.insert(r.name()));
            assert_eq!(creditbook_result::from_code(r as u32), Some(r));
        }
        assert_eq!(creditbook_result::from_code(899), None);
    }
}
