//! Ledger entries: the immutable record of everything that happened on an account, and their
//! persisted form.
//!
//! An entry holds what the user did ([`EntryKind`]: a charge of 120.00 for sale S-1) and the
//! decisions taken when it was recorded (its [`Allocation`]s to invoices, its business date, the
//! due date of the invoice it opened). Folding entries in order therefore gives the same figures
//! forever, whatever later versions of the rules decide. Entries are never edited or deleted: a
//! mistake is corrected by a [`EntryKind::Reversal`] or an [`EntryKind::Adjustment`].

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::account::{AccountStatus, CreditLimit, Customer, PaymentTerms};
use crate::error::{Error, Result};
use crate::money::{self, Currency};
use crate::settings::Automation;

/// Schema version of persisted entry records written by this library.
pub const RECORD_SCHEMA_VERSION: u32 = 1;

/// Part of an amount put toward one invoice. A positive amount reduces what the invoice still
/// asks for; a negative one (only in reversals) gives it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// The invoice number (the number of the entry that opened it).
    pub invoice: u64,
    /// The amount put toward it.
    pub amount: Decimal,
}

/// Which way a balance adjustment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The customer owes more: opens an item like a charge.
    Debit,
    /// The customer owes less: allocated like a payment, any excess becomes credit.
    Credit,
}

impl Direction {
    /// Both directions: the words the faces accept.
    pub const ALL: [Direction; 2] = [Direction::Debit, Direction::Credit];

    /// The direction as a word (`"debit"`), as its record writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Debit => "debit",
            Direction::Credit => "credit",
        }
    }
}

/// What opening an account recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOpened {
    /// The customer.
    pub customer: Customer,
    /// The credit limit granted.
    pub credit_limit: CreditLimit,
    /// The account's own payment terms; `None` follows the store's.
    pub terms: Option<PaymentTerms>,
    /// The account's currency (the store's).
    pub currency: Currency,
}

/// What a reversal undid, fixed when it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reversal {
    /// The number of the entry reversed.
    pub reverses: u64,
    /// Why.
    pub reason: String,
    /// Change of the credit balance.
    pub credit_delta: Decimal,
    /// The invoice the reversed entry opened, now cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancels_invoice: Option<u64>,
    /// Change to a sale's figures (what the account saw of it, what was refunded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale: Option<SaleDelta>,
}

/// A change to what the account knows of one sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleDelta {
    /// The sale.
    pub sale: SmolStr,
    /// Change of the amount paid for it through the account.
    pub paid: Decimal,
    /// Change of the amount refunded for it.
    pub refunded: Decimal,
}

/// What an entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EntryKind {
    /// The account was opened.
    AccountOpened(Box<AccountOpened>),
    /// The customer's contact details changed.
    ContactChanged(Box<Customer>),
    /// The credit limit changed (who: the entry's actor).
    CreditLimitChanged {
        /// Before.
        old: CreditLimit,
        /// After.
        new: CreditLimit,
    },
    /// The account's payment terms changed (`None`: follow the store's).
    TermsChanged {
        /// The new terms.
        terms: Option<PaymentTerms>,
    },
    /// The account was put on hold, released, archived or reactivated.
    StatusChanged {
        /// The new status.
        status: AccountStatus,
        /// Why, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<Box<str>>,
    },
    /// A sale (or part of one) charged to the account: opens an invoice.
    Charge {
        /// The amount charged.
        amount: Decimal,
        /// The sale (receipt number).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sale: Option<SmolStr>,
        /// The invoice's due date.
        due_date: NaiveDate,
        /// Set when a manager's override let the charge through (over the limit, or past an
        /// overdue credit hold): the reason given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        override_reason: Option<Box<str>>,
        /// The host's own invoice number, when it gave one (boxed: most charges have none, and
        /// every entry is as large as the largest kind).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invoice_number: Option<Box<SmolStr>>,
    },
    /// Money received toward what is owed; allocated to invoices, any excess became credit.
    Payment {
        /// The amount received.
        amount: Decimal,
        /// The host's reference (tender, cheque number...).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<SmolStr>,
        /// Set for a payment confirmed by the payment provider.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        online: Option<Box<OnlinePayment>>,
    },
    /// Money received in advance: becomes credit.
    Deposit {
        /// The amount received.
        amount: Decimal,
        /// Layaway, special order, work order...
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<SmolStr>,
        /// Set for a deposit paid online through a deposit request.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        online: Option<Box<OnlinePayment>>,
    },
    /// Store credit used as tender on a sale.
    CreditTender {
        /// The amount of credit spent.
        amount: Decimal,
        /// The sale it paid for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sale: Option<SmolStr>,
    },
    /// Store credit applied to open invoices.
    CreditApplied {
        /// The amount of credit applied.
        amount: Decimal,
    },
    /// A refund issued as store credit; reduces the sale's open invoice first.
    RefundToCredit {
        /// The amount refunded.
        amount: Decimal,
        /// The original sale; `None` for a refund without receipt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sale: Option<SmolStr>,
        /// The sale's total as the caller declared it, when paid otherwise than through the account.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sale_total: Option<Decimal>,
        /// True for a refund without the original sale (no receipt).
        #[serde(default)]
        receipt_less: bool,
    },
    /// Store credit paid back to the customer in cash or to a card.
    CreditRefund {
        /// The amount paid out.
        amount: Decimal,
        /// How (cash, card reference...).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<SmolStr>,
    },
    /// A correction of the balance, with a reason.
    Adjustment {
        /// More owed (debit) or less (credit).
        direction: Direction,
        /// The amount.
        amount: Decimal,
        /// Why.
        reason: Box<str>,
        /// For a debit: the due date of the item it opens.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_date: Option<NaiveDate>,
    },
    /// An uncollectable invoice (or part of it) written off.
    WriteOff {
        /// The invoice.
        invoice: u64,
        /// The amount written off.
        amount: Decimal,
        /// Why.
        reason: Box<str>,
    },
    /// An earlier entry undone.
    Reversal(Box<Reversal>),
    /// A payment link was made (by the host's payment provider) for the account.
    PaymentLinkCreated(Box<LinkRecord>),
    /// A pending payment link was cancelled (a newer deposit request for the same sale).
    PaymentLinkCancelled {
        /// The link's reference.
        reference: SmolStr,
    },
    /// A message was sent to the host's mailer, delivered or not (or is being sent: the claim
    /// recorded before the mailer is called).
    MessageSent(Box<MessageRecord>),
    /// The store's accounts-receivable automation changed (on the book's own ledger,
    /// [`crate::store::BOOK_LEDGER`]; who: the entry's actor).
    AutomationChanged {
        /// Before.
        old: Box<Automation>,
        /// After.
        new: Box<Automation>,
    },
}

/// What the provider said about a payment made online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlinePayment {
    /// The provider's payment id: a payment is recorded once per id.
    pub provider_payment_id: SmolStr,
    /// The reference of the link it was paid through, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<SmolStr>,
    /// What was unusual about it: money received is recorded whatever its link says, and this
    /// says what differed (empty for an ordinary payment).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unusual: Vec<Unusual>,
}

/// Something unusual about a payment confirmed online, flagged on its entry and in the notice to
/// the store. The payment is recorded all the same: the provider says the money arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unusual {
    /// The amount paid is not the amount the link asked.
    AmountDiffers {
        /// What the link asked.
        asked: Decimal,
    },
    /// The link had expired when the payment was made.
    LinkExpired,
    /// The link had been cancelled (replaced by a newer deposit request).
    LinkCancelled,
    /// A payment had already been made through the link.
    LinkAlreadyPaid,
    /// No link of the account has the reference the provider reported.
    LinkUnknown,
}

impl Unusual {
    /// The flag as a word (`"amount_differs"`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Unusual::AmountDiffers { .. } => "amount_differs",
            Unusual::LinkExpired => "link_expired",
            Unusual::LinkCancelled => "link_cancelled",
            Unusual::LinkAlreadyPaid => "link_already_paid",
            Unusual::LinkUnknown => "link_unknown",
        }
    }
}

/// What a payment link asks to be paid for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkPurpose {
    /// What is owed, e.g. a statement's amount due.
    Balance {
        /// The statement number (or another reference the customer will recognize).
        reference: SmolStr,
    },
    /// A deposit toward a sale (layaway, special order): becomes store credit when paid.
    Deposit {
        /// The sale.
        sale: SmolStr,
    },
}

impl LinkPurpose {
    /// An operation id for a link for `amount` (as the caller shows it, `"70.00"`) toward this
    /// purpose, for callers without ids of their own: `link-<reference>-<amount>` or
    /// `deposit-<sale>-<amount>`. Asking again for the same link replays it; another amount
    /// (what is owed changed) is another link.
    ///
    /// ```
    /// use creditbook::LinkPurpose;
    /// let p = LinkPurpose::Deposit { sale: "S-77".into() };
    /// assert_eq!(p.default_op_id(&"250.00".parse().unwrap()), "deposit-S-77-250.00");
    /// ```
    pub fn default_op_id(&self, amount: &Decimal) -> String {
        match self {
            LinkPurpose::Balance { reference } => format!("link-{reference}-{amount}"),
            LinkPurpose::Deposit { sale } => format!("deposit-{sale}-{amount}"),
        }
    }
}

/// A payment link as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    /// The link's reference (made by creditbook, given to the provider).
    pub reference: SmolStr,
    /// What it is for.
    pub purpose: LinkPurpose,
    /// The amount it asks for.
    pub amount: Decimal,
    /// The URL the provider made.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Which kind of message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A statement of account.
    Statement,
    /// An invoice for one charge.
    Invoice,
    /// A payment confirmation receipt to the customer.
    Receipt,
    /// A payment notice to the store.
    StoreNotice,
    /// A reminder of an invoice falling or fallen due.
    Reminder,
}

impl MessageKind {
    /// The kind as a word (`"store_notice"`).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Statement => "statement",
            MessageKind::Invoice => "invoice",
            MessageKind::Receipt => "receipt",
            MessageKind::StoreNotice => "store_notice",
            MessageKind::Reminder => "reminder",
        }
    }
}

/// How a message's delivery went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Delivery {
    /// The mailer took it.
    Delivered {
        /// The mailer's delivery id.
        delivery_id: String,
    },
    /// Claimed by a Book that is handing it to the mailer now: until `until`, no other Book (or
    /// process) on the store sends it. A claim left by a process that died expires then, and
    /// the message may be sent again (delivery is at least once, with the same Message-ID).
    Sending {
        /// When the claim lapses.
        until: DateTime<Utc>,
    },
    /// The mailer failed; sending the same message again retries.
    Failed {
        /// The mailer's code.
        code: i32,
        /// The mailer's reason.
        reason: String,
    },
}

/// A message as the account records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRecord {
    /// The message id (sending it again after a delivery sends nothing).
    pub message_id: String,
    /// What it was.
    pub kind: MessageKind,
    /// To whom.
    pub to: Vec<String>,
    /// Its subject.
    pub subject: String,
    /// For a reminder: the invoice and the reminder level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder: Option<(u64, u32)>,
    /// Delivered or failed.
    pub delivery: Delivery,
}

/// The kind of an entry as a plain word, for filtering and display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum EntryType {
    AccountOpened,
    ContactChanged,
    CreditLimitChanged,
    TermsChanged,
    StatusChanged,
    Charge,
    Payment,
    Deposit,
    CreditTender,
    CreditApplied,
    RefundToCredit,
    CreditRefund,
    Adjustment,
    WriteOff,
    Reversal,
    PaymentLinkCreated,
    PaymentLinkCancelled,
    MessageSent,
    AutomationChanged,
}

impl EntryType {
    /// Every entry type, in a fixed order.
    pub const ALL: [EntryType; 19] = [
        EntryType::AccountOpened,
        EntryType::ContactChanged,
        EntryType::CreditLimitChanged,
        EntryType::TermsChanged,
        EntryType::StatusChanged,
        EntryType::Charge,
        EntryType::Payment,
        EntryType::Deposit,
        EntryType::CreditTender,
        EntryType::CreditApplied,
        EntryType::RefundToCredit,
        EntryType::CreditRefund,
        EntryType::Adjustment,
        EntryType::WriteOff,
        EntryType::Reversal,
        EntryType::PaymentLinkCreated,
        EntryType::PaymentLinkCancelled,
        EntryType::MessageSent,
        EntryType::AutomationChanged,
    ];

    /// The type as a word (`"refund_to_credit"`).
    pub fn as_str(self) -> &'static str {
        match self {
            EntryType::AccountOpened => "account_opened",
            EntryType::ContactChanged => "contact_changed",
            EntryType::CreditLimitChanged => "credit_limit_changed",
            EntryType::TermsChanged => "terms_changed",
            EntryType::StatusChanged => "status_changed",
            EntryType::Charge => "charge",
            EntryType::Payment => "payment",
            EntryType::Deposit => "deposit",
            EntryType::CreditTender => "credit_tender",
            EntryType::CreditApplied => "credit_applied",
            EntryType::RefundToCredit => "refund_to_credit",
            EntryType::CreditRefund => "credit_refund",
            EntryType::Adjustment => "adjustment",
            EntryType::WriteOff => "write_off",
            EntryType::Reversal => "reversal",
            EntryType::PaymentLinkCreated => "payment_link_created",
            EntryType::PaymentLinkCancelled => "payment_link_cancelled",
            EntryType::MessageSent => "message_sent",
            EntryType::AutomationChanged => "automation_changed",
        }
    }

    /// Looks a type up by its word.
    pub fn from_name(name: &str) -> Result<EntryType> {
        EntryType::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| Error::invalid("entry kind", format!("unknown kind {name:?}")))
    }

    /// True for entries that move money (and so appear on statements).
    pub fn is_financial(self) -> bool {
        !matches!(
            self,
            EntryType::AccountOpened
                | EntryType::ContactChanged
                | EntryType::CreditLimitChanged
                | EntryType::TermsChanged
                | EntryType::StatusChanged
                | EntryType::PaymentLinkCreated
                | EntryType::PaymentLinkCancelled
                | EntryType::MessageSent
                | EntryType::AutomationChanged
        )
    }
}

impl EntryKind {
    /// The plain type of this entry.
    pub fn entry_type(&self) -> EntryType {
        match self {
            EntryKind::AccountOpened(_) => EntryType::AccountOpened,
            EntryKind::ContactChanged(_) => EntryType::ContactChanged,
            EntryKind::CreditLimitChanged { .. } => EntryType::CreditLimitChanged,
            EntryKind::TermsChanged { .. } => EntryType::TermsChanged,
            EntryKind::StatusChanged { .. } => EntryType::StatusChanged,
            EntryKind::Charge { .. } => EntryType::Charge,
            EntryKind::Payment { .. } => EntryType::Payment,
            EntryKind::Deposit { .. } => EntryType::Deposit,
            EntryKind::CreditTender { .. } => EntryType::CreditTender,
            EntryKind::CreditApplied { .. } => EntryType::CreditApplied,
            EntryKind::RefundToCredit { .. } => EntryType::RefundToCredit,
            EntryKind::CreditRefund { .. } => EntryType::CreditRefund,
            EntryKind::Adjustment { .. } => EntryType::Adjustment,
            EntryKind::WriteOff { .. } => EntryType::WriteOff,
            EntryKind::Reversal(_) => EntryType::Reversal,
            EntryKind::PaymentLinkCreated(_) => EntryType::PaymentLinkCreated,
            EntryKind::PaymentLinkCancelled { .. } => EntryType::PaymentLinkCancelled,
            EntryKind::MessageSent(_) => EntryType::MessageSent,
            EntryKind::AutomationChanged { .. } => EntryType::AutomationChanged,
        }
    }

    /// The amount the entry is about, when it has one (always positive).
    pub fn amount(&self) -> Option<Decimal> {
        match self {
            EntryKind::Charge { amount, .. }
            | EntryKind::Payment { amount, .. }
            | EntryKind::Deposit { amount, .. }
            | EntryKind::CreditTender { amount, .. }
            | EntryKind::CreditApplied { amount }
            | EntryKind::RefundToCredit { amount, .. }
            | EntryKind::CreditRefund { amount, .. }
            | EntryKind::Adjustment { amount, .. }
            | EntryKind::WriteOff { amount, .. } => Some(*amount),
            _ => None,
        }
    }

    /// The reference a person reads next to the entry: the sale, the payment reference, the reason.
    pub fn reference(&self) -> Option<&str> {
        match self {
            EntryKind::Charge { sale, .. }
            | EntryKind::CreditTender { sale, .. }
            | EntryKind::RefundToCredit { sale, .. } => sale.as_deref(),
            EntryKind::Payment { reference, .. } | EntryKind::Deposit { reference, .. } => {
                reference.as_deref()
            }
            EntryKind::CreditRefund { method, .. } => method.as_deref(),
            EntryKind::Adjustment { reason, .. } | EntryKind::WriteOff { reason, .. } => {
                Some(reason)
            }
            EntryKind::StatusChanged { reason, .. } => reason.as_deref(),
            EntryKind::Reversal(r) => Some(&r.reason),
            EntryKind::PaymentLinkCreated(l) => Some(&l.reference),
            EntryKind::PaymentLinkCancelled { reference } => Some(reference),
            EntryKind::MessageSent(m) => Some(&m.subject),
            _ => None,
        }
    }

    /// The sale (receipt number) a charge, a credit tender or a refund to credit names.
    pub fn sale(&self) -> Option<&str> {
        match self {
            EntryKind::Charge { sale, .. }
            | EntryKind::CreditTender { sale, .. }
            | EntryKind::RefundToCredit { sale, .. } => sale.as_deref(),
            _ => None,
        }
    }

    /// The entry a reversal undid.
    pub fn reverses(&self) -> Option<u64> {
        match self {
            EntryKind::Reversal(r) => Some(r.reverses),
            _ => None,
        }
    }

    /// The host's own invoice number of a charge, when it gave one.
    pub fn invoice_number(&self) -> Option<&str> {
        match self {
            EntryKind::Charge { invoice_number, .. } => {
                invoice_number.as_deref().map(|n| n.as_str())
            }
            _ => None,
        }
    }

    /// The reason of a manager's override that let a charge through.
    pub fn override_reason(&self) -> Option<&str> {
        match self {
            EntryKind::Charge {
                override_reason, ..
            } => override_reason.as_deref(),
            _ => None,
        }
    }

    /// What was unusual about an online payment or deposit (empty for every other entry).
    pub fn unusual(&self) -> &[Unusual] {
        match self {
            EntryKind::Payment {
                online: Some(o), ..
            }
            | EntryKind::Deposit {
                online: Some(o), ..
            } => &o.unusual,
            _ => &[],
        }
    }

    /// The amount of the invoice this entry opens, if it opens one (a charge, a debit adjustment).
    pub fn opens_invoice(&self) -> Option<(Decimal, NaiveDate)> {
        match self {
            EntryKind::Charge {
                amount, due_date, ..
            } => Some((*amount, *due_date)),
            EntryKind::Adjustment {
                direction: Direction::Debit,
                amount,
                due_date: Some(due),
                ..
            } => Some((*amount, *due)),
            _ => None,
        }
    }
}

/// One immutable ledger entry of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the account's ledger, from 1; also the account's version once it is recorded.
    /// Invoices are numbered by the entry that opened them.
    pub seq: u64,
    /// The caller's operation id (every entry of one operation carries it).
    pub op_id: SmolStr,
    /// Fingerprint of the operation's content, to tell a replay from a reused id.
    #[serde(with = "hex_u64")]
    pub op_digest: u64,
    /// When it happened (UTC).
    pub at: DateTime<Utc>,
    /// The store-local business date, fixed when recorded.
    pub date: NaiveDate,
    /// The employee who acted, when one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<SmolStr>,
    /// What happened.
    pub kind: EntryKind,
    /// Amounts put toward (or given back to) invoices.
    #[serde(default, skip_serializing_if = "no_allocations")]
    pub allocations: Box<[Allocation]>,
}

fn no_allocations(a: &[Allocation]) -> bool {
    a.is_empty()
}

/// An entry's effect on the two balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Effect {
    /// Change of the balance owed.
    pub owed: Decimal,
    /// Change of the credit balance.
    pub credit: Decimal,
}

impl Entry {
    /// The invoice this entry is about: the one it opens (numbered by this entry) or the one it
    /// writes off.
    pub fn invoice(&self) -> Option<u64> {
        match &self.kind {
            EntryKind::WriteOff { invoice, .. } => Some(*invoice),
            k if k.opens_invoice().is_some() => Some(self.seq),
            _ => None,
        }
    }

    /// Sum of the allocations.
    pub fn allocated(&self) -> Result<Decimal> {
        money::sum(self.allocations.iter().map(|a| a.amount))
    }

    /// How this entry changes the balance owed and the credit balance. Derived from the entry
    /// alone, so activity and statements can run balances without the account's state.
    pub fn effect(&self) -> Result<Effect> {
        let allocated = if self.allocations.is_empty() {
            Decimal::ZERO
        } else {
            self.allocated()?
        };
        let owed = match self.kind.opens_invoice() {
            Some((amount, _)) => money::sub(amount, allocated)?,
            // Not `-allocated` for zero: the negation of zero is -0, which shows as "-0.00".
            None if allocated.is_zero() => Decimal::ZERO,
            None => -allocated,
        };
        let credit = match &self.kind {
            EntryKind::Payment { amount, .. }
            | EntryKind::RefundToCredit { amount, .. }
            | EntryKind::Adjustment {
                direction: Direction::Credit,
                amount,
                ..
            } => money::sub(*amount, allocated)?,
            EntryKind::Deposit { amount, .. } => *amount,
            EntryKind::CreditTender { amount, .. }
            | EntryKind::CreditApplied { amount }
            | EntryKind::CreditRefund { amount, .. } => -*amount,
            EntryKind::Reversal(r) => r.credit_delta,
            _ => Decimal::ZERO,
        };
        Ok(Effect { owed, credit })
    }

    /// The entry as a persisted record: one line of JSON with the schema version. Amounts are
    /// decimal strings, instants RFC 3339 UTC, dates ISO 8601; never a float.
    pub fn to_record(&self) -> String {
        #[derive(Serialize)]
        struct Record<'a> {
            schema: u32,
            entry: &'a Entry,
        }
        serde_json::to_string(&Record {
            schema: RECORD_SCHEMA_VERSION,
            entry: self,
        })
        .expect("entries always serialize")
    }

    /// Reads a persisted record written by [`Entry::to_record`] of this or an earlier version.
    ///
    /// One pass over the text refuses a number with a fraction or an exponent anywhere (amounts
    /// are decimal strings, never floats), then one parse reads the record; only a record that
    /// does not read as this version's is parsed again, to tell a later schema from a corrupt one.
    pub fn from_record(record: &str) -> Result<Entry> {
        #[derive(Deserialize)]
        struct Head {
            schema: u32,
        }
        #[derive(Deserialize)]
        struct Record {
            schema: u32,
            entry: Entry,
        }
        let corrupt = |e: serde_json::Error| Error::CorruptRecord {
            reason: e.to_string(),
        };
        let unsupported = |version: u32| Error::UnsupportedSchema {
            version,
            supported: RECORD_SCHEMA_VERSION,
        };
        if has_fraction_number(record) {
            return Err(Error::CorruptRecord {
                reason: "a number with a fraction or exponent: amounts are decimal strings, never floats"
                    .into(),
            });
        }
        match serde_json::from_str::<Record>(record) {
            Ok(r) if r.schema == 0 || r.schema > RECORD_SCHEMA_VERSION => {
                Err(unsupported(r.schema))
            }
            Ok(r) => Ok(r.entry),
            Err(e) => match serde_json::from_str::<Head>(record) {
                Ok(head) if head.schema == 0 || head.schema > RECORD_SCHEMA_VERSION => {
                    Err(unsupported(head.schema))
                }
                _ => Err(corrupt(e)),
            },
        }
    }
}

/// True when the JSON text holds, outside its strings, a number with a fraction or an exponent.
/// (A number is the only place `.`, `e` or `E` can stand outside a string, but for the literals
/// `true`, `false` and `null`, whose `e` is not after a digit.)
fn has_fraction_number(text: &str) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    let mut after_digit = false;
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                after_digit = false;
            }
            b'0'..=b'9' => after_digit = true,
            b'.' | b'e' | b'E' if after_digit => return true,
            _ => after_digit = false,
        }
    }
    false
}

mod hex_u64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:016x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        u64::from_str_radix(&text, 16).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod record_tests {
    use super::has_fraction_number;

    #[test]
    fn a_float_anywhere_outside_strings_is_seen_and_nothing_else() {
        for float in [
            r#"{"a":12.5}"#,
            r#"{"a":-0.1}"#,
            r#"{"a":1e3}"#,
            r#"{"a":2E-2}"#,
            r#"{"a":[1,2,3.0]}"#,
            r#"{"s":"a \" quote","a":7.25}"#,
        ] {
            assert!(has_fraction_number(float), "{float}");
        }
        for plain in [
            r#"{"a":12,"b":-3,"c":true,"d":false,"e":null}"#,
            r#"{"amount":"12.50","reason":"1e3 boxes at 2.5 kg"}"#,
            r#"{"s":"ends with a backslash \\","n":10}"#,
            r#"{"key 1.5":0}"#,
        ] {
            assert!(!has_fraction_number(plain), "{plain}");
        }
    }
}
