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

impl Error {
    /// The stable numeric code of this error (never reused; the C API returns it).
    pub fn code(&self) -> u32 {
        match self {
            Error::AmountNotPositive { .. } => 100,
            Error::AmountNegative { .. } => 101,
            Error::TooManyDecimals { .. } => 102,
            Error::CurrencyMismatch { .. } => 103,
            Error::UnknownCurrency { .. } => 104,
            Error::InvalidAmountText { .. } => 105,
            Error::Overflow => 106,
            Error::InvalidInput { .. } => 107,
            Error::InvalidEmail { .. } => 108,
            Error::UnknownTimeZone { .. } => 109,
            Error::InvalidDateRange { .. } => 110,
            Error::LanguageNotOffered { .. } => 111,
            Error::InvalidStatementRequest { .. } => 112,
            Error::MissingRecipient => 113,
            Error::HeaderInjection { .. } => 114,
            Error::UnknownAccount { .. } => 200,
            Error::AccountExists { .. } => 201,
            Error::AccountOnHold { .. } => 202,
            Error::AccountArchived { .. } => 203,
            Error::UnknownEntry { .. } => 204,
            Error::UnknownInvoice { .. } => 205,
            Error::InvoiceNotOpen { .. } => 206,
            Error::InvalidState { .. } => 207,
            Error::CreditLimitExceeded { .. } => 300,
            Error::InsufficientCredit { .. } => 301,
            Error::OverdueCreditHold { .. } => 302,
            Error::RefundExceedsSale { .. } => 303,
            Error::RefundsToCreditDisabled => 304,
            Error::ReceiptRequired => 305,
            Error::ApplyExceedsBalanceOwed { .. } => 306,
            Error::AlreadyReversed { .. } => 307,
            Error::NotReversible { .. } => 308,
            Error::WriteOffExceedsInvoice { .. } => 309,
            Error::PaymentLinkAmountOutOfRange { .. } => 310,
            Error::UnknownPaymentLink { .. } => 311,
            Error::PaymentAmountMismatch { .. } => 312,
            Error::PermissionDenied { .. } => 400,
            Error::OperationIdConflict { .. } => 500,
            Error::StoreContention { .. } => 600,
            Error::StoreFailed { .. } => 601,
            Error::CorruptRecord { .. } => 602,
            Error::UnsupportedSchema { .. } => 603,
            Error::DeliveryFailed { .. } => 604,
            Error::PaymentProviderFailed { .. } => 605,
            Error::PortMissing { .. } => 606,
        }
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
