//! # creditbook
//!
//! Customer credit accounts for point-of-sale systems: customers buy "on account" within a credit
//! limit, pay later, prepay deposits, get refunds as store credit, and the shop sees every figure.
//!
//! The pieces, in the order data flows:
//! - [`Book`] runs [`Operation`]s ([`Command`]s with an operation id, an instant and an [`Actor`])
//!   over a [`Store`] ([`MemoryStore`] by default) and answers with [`Outcome`]s.
//! - [`rules`] decide each operation purely: limits, allocation, refunds, permissions.
//! - [`Entry`] is the immutable record; [`Ledger`] folds entries into figures.
//! - [`AccountSummary`], [`OpenInvoice`], [`Aging`], [`ActivityLine`] are what the shop reads.
//!
//! Money is [`rust_decimal::Decimal`] at the currency's exact scale ([`Currency`], ISO 4217); every
//! sum is checked. Errors are one [`Error`] type with stable numeric codes.
//!
//! Cargo features, all on by default but `conformance`: `statements` (statements rendered as
//! HTML, text and JSON), `ubl` (the UBL 2.1 XML statement), `email` (composing and sending
//! statement, invoice, reminder and receipt emails, and `Message::to_rfc5322`), `conformance`
//! (`store::conformance`, the Store contract as a test kit). With `default-features = false`
//! the ledger, the rules, the figures, the store and statement figures remain.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod account;
pub mod book;
pub mod command;
mod digest;
pub mod entry;
pub mod error;
pub mod figures;
pub mod i18n;
pub mod import;
pub mod ledger;
pub mod links;
pub mod list;
pub mod message;
pub mod money;
pub mod month_end;
pub mod outreach;
pub mod permission;
pub mod ports;
pub mod rules;
pub mod sales;
pub mod settings;
mod sharded;
pub mod state;
pub mod statement;
pub mod store;
pub mod validate;

pub use account::{AccountStatus, CreditLimit, Customer, PaymentTerms, PostalAddress, Standing};
pub use book::{Book, Outcome};
/// A store's time zone (IANA), as [`StoreSettings::timezone`] holds it.
pub use chrono_tz::Tz;
pub use command::{Charge, Command, OpenAccount, Operation, Payment};
pub use entry::{
    Allocation, Direction, Effect, Entry, EntryKind, EntryType, RECORD_SCHEMA_VERSION,
};
pub use entry::{
    Delivery, LinkPurpose, LinkRecord, MessageKind, MessageRecord, OnlinePayment, Unusual,
};
pub use error::{Error, ErrorArg, ErrorFamily, ErrorKind, Result};
pub use figures::{
    AccountSummary, ActivityLine, ActivityQuery, AgeRange, Aging, AgingBucket, OpenInvoice,
};
pub use i18n::{CurrencyDisplay, Language, Localizer};
pub use ledger::{Invoice, Ledger, Profile};
pub use list::{AccountsQuery, SortKey};
pub use message::{Attachment, Message};
pub use money::{Currency, Money};
#[cfg(feature = "email")]
pub use outreach::ReminderDue;
pub use outreach::{Confirmed, OnlinePaymentConfirmation, PaymentLink, Sent};
pub use permission::{Actor, Permission};
pub use ports::{Mailer, PaymentLinkRequest, PaymentProvider, PortError};
pub use sales::{Sale, SalesIndex};
pub use settings::{AgingBuckets, Policies, StatementSettings, StoreSettings};
pub use settings::{Automation, MessageSettings};
pub use state::AccountState;
pub use statement::{Statement, StatementLine, StatementRequest};
pub use store::{MemoryStore, Store, StoreError};

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The examples of docs/statements.md, compiled and run as doc tests.
#[doc = include_str!("../../docs/statements.md")]
#[cfg(doctest)]
pub struct StatementsDocDoctests;

/// The examples of docs/month-end.md, compiled and run as doc tests.
#[doc = include_str!("../../docs/month-end.md")]
#[cfg(doctest)]
pub struct MonthEndDocDoctests;

/// The examples of docs/getting-paid.md, compiled and run as doc tests.
#[doc = include_str!("../../docs/getting-paid.md")]
#[cfg(doctest)]
pub struct GettingPaidDocDoctests;
