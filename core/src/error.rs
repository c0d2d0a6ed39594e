//! The one error type of creditbook: every refusal names its rule and carries its figures.
//!
//! Each variant has a stable numeric [`Error::code`]. The C API returns these numbers and Python
//! exceptions carry them as `.code`: a number is never reused for another meaning.

use rust_decimal::Decimal;

use crate::permission::Permission;

/// Everything that can go wrong in creditbook. A refused operation records nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    // ---- input (1xx) ----
    /// An amount that must be positive is zero or negative.
    #[error("amount must be greater than zero, got {amount}")]
    AmountNotPositive {
        /// The amount given.
        amount: Decimal,
    },
    /// An amount that must not be negative is negative.
    #[error("amount must not be negative, got {amount}")]
    AmountNegative {
        /// The amount given.
        amount: Decimal,
    },
    /// An amount has more decimals than its currency's minor unit allows.
    #[error("{amount} has more decimals than {currency} allows ({allowed})")]
    TooManyDecimals {
        /// The amount given.
        amount: Decimal,
        /// ISO 4217 code of the currency.
        currency: String,
        /// Decimals the currency allows.
        allowed: u32,
    },
    /// An amount is in another currency than the account's.
    #[error("currency mismatch: the account is in {expected}, the amount in {got}")]
    CurrencyMismatch {
        /// The account's currency.
        expected: String,
        /// The currency given.
        got: String,
    },
    /// A currency code that is not an ISO 4217 currency with minor units.
    #[error("unknown currency {code:?}")]
    UnknownCurrency {
        /// The code given.
        code: String,
    },
    /// An amount that cannot be read as a decimal number.
    #[error("invalid amount {text:?}")]
    InvalidAmountText {
        /// The text given.
        text: String,
    },
    /// A sum or product does not fit in the decimal type.
    #[error("arithmetic overflow")]
    Overflow,
    /// A field is empty, too long, or has characters it may not have.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// Which input.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// An email address that is not a valid address.
    #[error("invalid email address {address:?}")]
    InvalidEmail {
        /// The address given.
        address: String,
    },
    /// An IANA time zone name that is not known.
    #[error("unknown time zone {name:?}")]
    UnknownTimeZone {
        /// The name given.
        name: String,
    },
    /// A date range whose start is after its end.
    #[error("date range starts {from} after it ends {to}")]
    InvalidDateRange {
        /// First day.
        from: chrono::NaiveDate,
        /// Last day.
        to: chrono::NaiveDate,
    },
    /// A language the store does not print in.
    #[error("the store does not print in {language:?}; it prints in {offered:?}")]
    LanguageNotOffered {
        /// The language asked for.
        language: String,
        /// The store's printing languages.
        offered: Vec<String>,
    },
    /// A statement request that breaks a rule (a due date before the statement date, an amount
    /// due above the balance owed...).
    #[error("invalid statement request: {reason}")]
    InvalidStatementRequest {
        /// What is wrong.
        reason: String,
    },
    /// A message without a recipient: the customer has no email on file and none was given.
    #[error("no recipient: the customer has no email address on file and none was given")]
    MissingRecipient,
    /// A line break (or another control character) in a message header value.
    #[error("the {field} of a message may not contain line breaks or control characters")]
    HeaderInjection {
        /// Which header.
        field: &'static str,
    },

    // ---- accounts and entries (2xx) ----
    /// No account with this id.
    #[error("unknown account {account:?}")]
    UnknownAccount {
        /// The account id given.
        account: String,
    },
    /// An account with this id is already open.
    #[error("account {account:?} already exists")]
    AccountExists {
        /// The account id given.
        account: String,
    },
    /// The account is on hold: no new charges (payments are still accepted).
    #[error("account {account:?} is on hold")]
    AccountOnHold {
        /// The account id.
        account: String,
    },
    /// The account is archived: no activity until it is reactivated.
    #[error("account {account:?} is archived")]
    AccountArchived {
        /// The account id.
        account: String,
    },
    /// No entry with this number on the account.
    #[error("unknown entry {entry}")]
    UnknownEntry {
        /// The entry number given.
        entry: u64,
    },
    /// No invoice with this number on the account.
    #[error("unknown invoice {invoice}")]
    UnknownInvoice {
        /// The invoice number given.
        invoice: u64,
    },
    /// The invoice has nothing left to pay.
    #[error("invoice {invoice} is not open")]
    InvoiceNotOpen {
        /// The invoice number given.
        invoice: u64,
    },
    /// The operation does not apply to the account as it is (e.g. releasing an account not on hold).
    #[error("{reason}")]
    InvalidState {
        /// Why.
        reason: String,
    },

    // ---- rules (3xx) ----
    /// A charge above the available credit.
    #[error("credit limit exceeded: {available} available, {requested} requested")]
    CreditLimitExceeded {
        /// What the account could still be charged.
        available: Decimal,
        /// What was asked.
        requested: Decimal,
    },
    /// Spending more store credit than the account holds.
    #[error("insufficient store credit: {available} available, {requested} requested")]
    InsufficientCredit {
        /// The credit balance.
        available: Decimal,
        /// What was asked.
        requested: Decimal,
    },
    /// New charges are blocked while an invoice is too long overdue (store policy).
    #[error(
        "credit hold: invoice {invoice} is {days_overdue} days overdue (more than {allowed_days})"
    )]
    OverdueCreditHold {
        /// The oldest overdue invoice.
        invoice: u64,
        /// How many days it is overdue.
        days_overdue: i64,
        /// The store's allowance.
        allowed_days: u32,
    },
    /// A refund above what is still refundable for the sale.
    #[error("refund exceeds the sale: {refundable} refundable, {requested} requested")]
    RefundExceedsSale {
        /// What can still be refunded for the sale.
        refundable: Decimal,
        /// What was asked.
        requested: Decimal,
    },
    /// The store does not refund to store credit.
    #[error("refunds to store credit are disabled for this store")]
    RefundsToCreditDisabled,
    /// The store refuses refunds without the original sale.
    #[error("a refund without the original sale is not allowed by this store")]
    ReceiptRequired,
    /// Applying more credit than is owed (on the named invoices, or in all).
    #[error("applying {requested} but only {owed} is owed")]
    ApplyExceedsBalanceOwed {
        /// What is owed on the invoices concerned.
        owed: Decimal,
        /// What was asked.
        requested: Decimal,
    },
    /// The entry was already reversed.
    #[error("entry {entry} is already reversed")]
    AlreadyReversed {
        /// The entry number.
        entry: u64,
    },
    /// The entry cannot be reversed.
    #[error("entry {entry} cannot be reversed: {reason}")]
    NotReversible {
        /// The entry number.
        entry: u64,
        /// Why.
        reason: String,
    },
    /// Writing off more than the invoice's remaining amount.
    #[error("write-off exceeds invoice: {remaining} remaining, {requested} requested")]
    WriteOffExceedsInvoice {
        /// The invoice's remaining amount.
        remaining: Decimal,
        /// What was asked.
        requested: Decimal,
    },
    /// A payment link amount out of its range (above 0, at most the store's cap and, for a
    /// balance, at most what is owed).
    #[error(
        "payment link amount out of range: {requested} requested, from {min} (excluded) to {max}"
    )]
    PaymentLinkAmountOutOfRange {
        /// The amount must be above this.
        min: Decimal,
        /// The amount may be at most this.
        max: Decimal,
        /// What was asked.
        requested: Decimal,
    },
    /// A provider confirmation names a link the account does not have.
    #[error("unknown payment link {reference:?}")]
    UnknownPaymentLink {
        /// The link's reference.
        reference: String,
    },
    /// A provider confirmation whose amount is not the link's. No longer returned since money
    /// received is never refused (such a payment is recorded, flagged); the code stays reserved.
    #[error("payment amount {paid} does not match the link's {expected}")]
    PaymentAmountMismatch {
        /// What the link asked.
        expected: Decimal,
        /// What the provider reported.
        paid: Decimal,
    },

    // ---- permissions (4xx) ----
    /// The acting employee lacks a permission the operation needs.
    #[error("permission denied: {permission} is required")]
    PermissionDenied {
        /// The missing permission.
        permission: Permission,
    },

    // ---- idempotency (5xx) ----
    /// The operation id was already used on this account for a different operation.
    #[error("operation id {op_id:?} was already used for a different operation")]
    OperationIdConflict {
        /// The operation id.
        op_id: String,
    },

    // ---- the host's store (6xx) ----
    /// Other writers kept changing the account: gave up after this many attempts.
    #[error("the account kept changing under {attempts} attempts; try again")]
    StoreContention {
        /// Attempts made.
        attempts: u32,
    },
    /// The host's store failed; nothing was recorded.
    #[error("store failed (code {code}): {message}")]
    StoreFailed {
        /// The host's own code, kept as it was.
        code: i32,
        /// The host's message.
        message: String,
    },
    /// The host's mailer failed to deliver a message (recorded as failed; sending it again retries).
    #[error("delivery failed (code {code}): {message}")]
    DeliveryFailed {
        /// The mailer's own code.
        code: i32,
        /// The mailer's message.
        message: String,
    },
    /// The host's payment provider failed to make a link; nothing was recorded.
    #[error("payment provider failed (code {code}): {message}")]
    PaymentProviderFailed {
        /// The provider's own code.
        code: i32,
        /// The provider's message.
        message: String,
    },
    /// The operation needs a port the host did not give the Book (`"mailer"`, `"payment provider"`).
    #[error("no {port} was given to the Book")]
    PortMissing {
        /// Which port.
        port: &'static str,
    },
    /// A persisted record could not be read.
    #[error("corrupt record: {reason}")]
    CorruptRecord {
        /// What is wrong.
        reason: String,
    },
    /// A persisted record of a schema version this library does not know.
    #[error("unsupported record schema version {version} (this library reads up to {supported})")]
    UnsupportedSchema {
        /// Version found.
        version: u32,
        /// Highest version this library reads.
        supported: u32,
    },
}

/// The vocabulary of errors, written once: one row per [`Error`] variant with its stable code,
/// its name in the C API (`CREDITBOOK_RESULT_<NAME>`), its [`ErrorFamily`] and what it means.
///
/// The core makes [`ErrorKind`] and [`Error::kind`] from it, and each face passes its own macro
/// to make its vocabulary from the same rows: the C API's result codes (`ffi/src/result.rs`) and
/// the Python exception classes (`python/src/errors.rs`). A variant missing here, or a row
/// without its variant, does not compile; so does a face that forgets one. Invoke it as
/// `error_vocabulary!(your_macro)`; `your_macro!` receives the rows
/// `Variant = code, "NAME", Family, "meaning";`.
#[macro_export]
macro_rules! error_vocabulary {
    ($then:ident) => {
        $then! {
            AmountNotPositive = 100, "AMOUNT_NOT_POSITIVE", Amount,
                "An amount that must be positive is zero or negative.";
            AmountNegative = 101, "AMOUNT_NEGATIVE", Amount,
                "An amount that must not be negative is negative.";
            TooManyDecimals = 102, "TOO_MANY_DECIMALS", Amount,
                "An amount has more decimals than its currency's minor unit allows.";
            CurrencyMismatch = 103, "CURRENCY_MISMATCH", Input,
                "An amount is in another currency than the account's.";
            UnknownCurrency = 104, "UNKNOWN_CURRENCY", Input,
                "A currency code that is not an ISO 4217 currency with minor units.";
            InvalidAmountText = 105, "INVALID_AMOUNT_TEXT", Amount,
                "An amount that cannot be read as a decimal number.";
            Overflow = 106, "OVERFLOW", Amount,
                "A sum or product does not fit in the decimal type.";
            InvalidInput = 107, "INVALID_INPUT", Input,
                "A field is empty, too long, or has characters it may not have.";
            InvalidEmail = 108, "INVALID_EMAIL", Input,
                "An email address that is not a valid address.";
            UnknownTimeZone = 109, "UNKNOWN_TIME_ZONE", Input,
                "An IANA time zone name that is not known.";
            InvalidDateRange = 110, "INVALID_DATE_RANGE", Input,
                "A date range whose start is after its end.";
            LanguageNotOffered = 111, "LANGUAGE_NOT_OFFERED", Input,
                "A language the store does not print in.";
            InvalidStatementRequest = 112, "INVALID_STATEMENT_REQUEST", Input,
                "A statement request that breaks a rule (a due date before the statement date...).";
            MissingRecipient = 113, "MISSING_RECIPIENT", Input,
                "A message without a recipient: the customer has no email address on file.";
            HeaderInjection = 114, "HEADER_INJECTION", Input,
                "A message header with a line break or control character.";
            UnknownAccount = 200, "UNKNOWN_ACCOUNT", Account,
                "No account with this id.";
            AccountExists = 201, "ACCOUNT_EXISTS", Account,
                "An account with this id is already open.";
            AccountOnHold = 202, "ACCOUNT_ON_HOLD", Account,
                "The account is on hold: no new charges (payments are still accepted).";
            AccountArchived = 203, "ACCOUNT_ARCHIVED", Account,
                "The account is archived: no activity until it is reactivated.";
            UnknownEntry = 204, "UNKNOWN_ENTRY", Account,
                "No entry with this number on the account.";
            UnknownInvoice = 205, "UNKNOWN_INVOICE", Account,
                "No invoice with this number on the account.";
            InvoiceNotOpen = 206, "INVOICE_NOT_OPEN", Account,
                "The invoice has nothing left to pay.";
            InvalidState = 207, "INVALID_STATE", Account,
                "The operation does not apply to the account as it is.";
            CreditLimitExceeded = 300, "CREDIT_LIMIT_EXCEEDED", Rule,
                "A charge above the available credit.";
            InsufficientCredit = 301, "INSUFFICIENT_CREDIT", Rule,
                "Spending more store credit than the account holds.";
            OverdueCreditHold = 302, "OVERDUE_CREDIT_HOLD", Rule,
                "New charges are blocked while an invoice is too long overdue (store policy).";
            RefundExceedsSale = 303, "REFUND_EXCEEDS_SALE", Rule,
                "A refund above what is still refundable for the sale.";
            RefundsToCreditDisabled = 304, "REFUNDS_TO_CREDIT_DISABLED", Rule,
                "The store does not refund to store credit.";
            ReceiptRequired = 305, "RECEIPT_REQUIRED", Rule,
                "The store refuses refunds without the original sale.";
            ApplyExceedsBalanceOwed = 306, "APPLY_EXCEEDS_BALANCE_OWED", Rule,
                "Applying more credit than is owed (on the named invoices, or in all).";
            AlreadyReversed = 307, "ALREADY_REVERSED", Rule,
                "The entry was already reversed.";
            NotReversible = 308, "NOT_REVERSIBLE", Rule,
                "The entry cannot be reversed.";
            WriteOffExceedsInvoice = 309, "WRITE_OFF_EXCEEDS_INVOICE", Rule,
                "Writing off more than the invoice's remaining amount.";
            PaymentLinkAmountOutOfRange = 310, "PAYMENT_LINK_AMOUNT_OUT_OF_RANGE", Rule,
                "A payment link amount outside what the store allows or what is owed.";
            UnknownPaymentLink = 311, "UNKNOWN_PAYMENT_LINK", Rule,
                "A provider confirmation names a link the account does not have.";
            PaymentAmountMismatch = 312, "PAYMENT_AMOUNT_MISMATCH", Rule,
                "An online payment not of the link's amount (no longer returned; reserved).";
            PermissionDenied = 400, "PERMISSION_DENIED", Permission,
                "The acting employee lacks a permission the operation needs.";
            OperationIdConflict = 500, "OPERATION_ID_CONFLICT", Idempotency,
                "The operation id was already used for a different operation.";
            StoreContention = 600, "STORE_CONTENTION", Store,
                "Other writers kept changing the account; try again.";
            StoreFailed = 601, "STORE_FAILED", Store,
                "The host's store failed; nothing was recorded.";
            CorruptRecord = 602, "CORRUPT_RECORD", Store,
                "A persisted record could not be read.";
            UnsupportedSchema = 603, "UNSUPPORTED_SCHEMA", Store,
                "A persisted record of a schema version this library does not know.";
            DeliveryFailed = 604, "DELIVERY_FAILED", Delivery,
                "The host's mailer failed (recorded as failed; sending again retries).";
            PaymentProviderFailed = 605, "PAYMENT_PROVIDER_FAILED", PaymentProvider,
                "The host's payment provider failed; nothing was recorded.";
            PortMissing = 606, "PORT_MISSING", Port,
                "The operation needs a port (mailer, payment provider) the Book was not given.";
        }
    };
}

macro_rules! error_kinds {
    ($($variant:ident = $code:literal, $name:literal, $family:ident, $doc:literal;)*) => {
        /// What went wrong, without the figures: one value per [`Error`] variant, numbered by
        /// its stable code (`kind as u32`). Made from [`error_vocabulary!`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum ErrorKind {
            $(
                #[doc = $doc]
                $variant = $code,
            )*
        }

        impl ErrorKind {
            /// Every kind, in code order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant),*];

            /// The stable number (never reused; the C API returns it, Python's `.code`).
            pub const fn code(self) -> u32 {
                self as u32
            }

            /// The name in capitals (`"CREDIT_LIMIT_EXCEEDED"`): the C constant without its
            /// `CREDITBOOK_RESULT_` prefix.
            pub const fn name(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $name,)*
                }
            }

            /// The family of errors this kind belongs to.
            pub const fn family(self) -> ErrorFamily {
                match self {
                    $(ErrorKind::$variant => ErrorFamily::$family,)*
                }
            }

            /// What the error means, in one sentence.
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $doc,)*
                }
            }

            /// The kind with this code, if there is one.
            pub fn from_code(code: u32) -> Option<ErrorKind> {
                match code {
                    $($code => Some(ErrorKind::$variant),)*
                    _ => None,
                }
            }
        }

        impl Error {
            /// What went wrong, without the figures.
            pub const fn kind(&self) -> ErrorKind {
                match self {
                    $(Error::$variant { .. } => ErrorKind::$variant,)*
                }
            }
        }
    };
}

error_vocabulary!(error_kinds);

/// The families of errors: what a caller does about one. Python's exception classes derive from
/// one class per family; the code's hundreds say the same (1xx input, 2xx accounts and entries,
/// 3xx rules, 4xx permissions, 5xx idempotency, 6xx the host's ports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorFamily {
    /// Bad input other than an amount: fix the input.
    Input,
    /// An amount that is not valid for the operation or its currency: fix the amount.
    Amount,
    /// The account or entry named does not exist or is not in a state for the operation.
    Account,
    /// A rule of the store refused the operation (limits, refunds, reversals, links).
    Rule,
    /// The acting employee lacks a permission.
    Permission,
    /// An operation id reused for another operation.
    Idempotency,
    /// The store failed or holds what this library cannot read; nothing was recorded.
    Store,
    /// The host's mailer failed.
    Delivery,
    /// The host's payment provider failed.
    PaymentProvider,
    /// The host did not give the Book a port the operation needs.
    Port,
}

impl Error {
    /// The stable numeric code of this error (never reused; the C API returns it).
    pub fn code(&self) -> u32 {
        self.kind().code()
    }

    /// The error's figures by name, for its message in the clerk's language: the Fluent message
    /// `error-<code>` of each language takes them ([`crate::Localizer::error`] formats amounts
    /// like the statement's). Every variant is listed: a new one does not compile until it is.
    pub fn args(&self) -> Vec<(&'static str, ErrorArg)> {
        use ErrorArg::{Date, Money, Number, Text};
        let text = |s: &str| Text(s.to_string());
        match self {
            Error::AmountNotPositive { amount } | Error::AmountNegative { amount } => {
                vec![("amount", Money(*amount))]
            }
            Error::TooManyDecimals {
                amount,
                currency,
                allowed,
            } => vec![
                ("amount", Text(amount.to_string())),
                ("currency", text(currency)),
                ("allowed", Number(i64::from(*allowed))),
            ],
            Error::CurrencyMismatch { expected, got } => {
                vec![("expected", text(expected)), ("got", text(got))]
            }
            Error::UnknownCurrency { code } => vec![("code", text(code))],
            Error::InvalidAmountText { text: t } => vec![("text", text(t))],
            Error::Overflow
            | Error::MissingRecipient
            | Error::RefundsToCreditDisabled
            | Error::ReceiptRequired => Vec::new(),
            Error::InvalidInput { field, reason } => {
                vec![("field", text(field)), ("reason", text(reason))]
            }
            Error::InvalidEmail { address } => vec![("address", text(address))],
            Error::UnknownTimeZone { name } => vec![("name", text(name))],
            Error::InvalidDateRange { from, to } => vec![("from", Date(*from)), ("to", Date(*to))],
            Error::LanguageNotOffered { language, offered } => vec![
                ("language", text(language)),
                ("offered", Text(offered.join(", "))),
            ],
            Error::InvalidStatementRequest { reason }
            | Error::InvalidState { reason }
            | Error::CorruptRecord { reason } => vec![("reason", text(reason))],
            Error::HeaderInjection { field } => vec![("field", text(field))],
            Error::UnknownAccount { account }
            | Error::AccountExists { account }
            | Error::AccountOnHold { account }
            | Error::AccountArchived { account } => vec![("account", text(account))],
            Error::UnknownEntry { entry } | Error::AlreadyReversed { entry } => {
                vec![("entry", Number(*entry as i64))]
            }
            Error::UnknownInvoice { invoice } | Error::InvoiceNotOpen { invoice } => {
                vec![("invoice", Number(*invoice as i64))]
            }
            Error::CreditLimitExceeded {
                available,
                requested,
            }
            | Error::InsufficientCredit {
                available,
                requested,
            } => vec![
                ("available", Money(*available)),
                ("requested", Money(*requested)),
            ],
            Error::OverdueCreditHold {
                invoice,
                days_overdue,
                allowed_days,
            } => vec![
                ("invoice", Number(*invoice as i64)),
                ("days", Number(*days_overdue)),
                ("allowed", Number(i64::from(*allowed_days))),
            ],
            Error::RefundExceedsSale {
                refundable,
                requested,
            } => vec![
                ("refundable", Money(*refundable)),
                ("requested", Money(*requested)),
            ],
            Error::ApplyExceedsBalanceOwed { owed, requested } => {
                vec![("owed", Money(*owed)), ("requested", Money(*requested))]
            }
            Error::NotReversible { entry, reason } => {
                vec![("entry", Number(*entry as i64)), ("reason", text(reason))]
            }
            Error::WriteOffExceedsInvoice {
                remaining,
                requested,
            } => vec![
                ("remaining", Money(*remaining)),
                ("requested", Money(*requested)),
            ],
            Error::PaymentLinkAmountOutOfRange {
                min,
                max,
                requested,
            } => vec![
                ("min", Money(*min)),
                ("max", Money(*max)),
                ("requested", Money(*requested)),
            ],
            Error::UnknownPaymentLink { reference } => vec![("reference", text(reference))],
            Error::PaymentAmountMismatch { expected, paid } => {
                vec![("expected", Money(*expected)), ("paid", Money(*paid))]
            }
            Error::PermissionDenied { permission } => {
                vec![("permission", text(permission.as_str()))]
            }
            Error::OperationIdConflict { op_id } => vec![("op_id", text(op_id))],
            Error::StoreContention { attempts } => {
                vec![("attempts", Number(i64::from(*attempts)))]
            }
            Error::StoreFailed { code, message }
            | Error::DeliveryFailed { code, message }
            | Error::PaymentProviderFailed { code, message } => vec![
                ("code", Number(i64::from(*code))),
                ("message", text(message)),
            ],
            Error::UnsupportedSchema { version, supported } => vec![
                ("version", Number(i64::from(*version))),
                ("supported", Number(i64::from(*supported))),
            ],
            Error::PortMissing { port } => vec![("port", text(port))],
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}

/// A figure an error carries, typed so that each language formats it its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorArg {
    /// Text as it is (an id, a reason, a code word).
    Text(String),
    /// An amount of the store's currency, formatted like the statement's.
    Money(Decimal),
    /// A count or a number (an invoice, days).
    Number(i64),
    /// A business date.
    Date(chrono::NaiveDate),
}

/// Shorthand for results of creditbook operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The C name is the variant's name in capitals, words joined by `_`: written out here
    /// independently of the table, so a typo in a row fails.
    fn capitals(variant: &str) -> String {
        let mut out = String::new();
        for (i, c) in variant.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }

    #[test]
    fn the_vocabulary_is_numbered_named_and_grouped_consistently() {
        let mut last = 0;
        for &kind in ErrorKind::ALL {
            assert!(kind.code() > last, "{kind:?}: codes ascend and are unique");
            last = kind.code();
            assert_eq!(kind.name(), capitals(&format!("{kind:?}")));
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
            let hundreds = match kind.family() {
                ErrorFamily::Input | ErrorFamily::Amount => 1,
                ErrorFamily::Account => 2,
                ErrorFamily::Rule => 3,
                ErrorFamily::Permission => 4,
                ErrorFamily::Idempotency => 5,
                ErrorFamily::Store
                | ErrorFamily::Delivery
                | ErrorFamily::PaymentProvider
                | ErrorFamily::Port => 6,
            };
            assert_eq!(
                kind.code() / 100,
                hundreds,
                "{kind:?} is in its family's hundreds"
            );
            assert!(!kind.meaning().is_empty());
        }
        assert_eq!(ErrorKind::from_code(0), None);
        assert_eq!(ErrorKind::from_code(999), None);
        assert_eq!(Error::Overflow.kind(), ErrorKind::Overflow);
        assert_eq!(
            Error::MissingRecipient.code(),
            113,
            "the numbers are the released ones"
        );
        assert_eq!(ErrorKind::PortMissing.code(), 606);
    }
}
