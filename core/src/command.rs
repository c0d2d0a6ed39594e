//! The operations a till or back office asks of an account, as plain data, and the fingerprint that
//! tells a retry (same operation id, same content) from a reused id.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use smol_str::SmolStr;

use crate::account::{CreditLimit, Customer, PaymentTerms};
use crate::digest::Fnv;
use crate::entry::{Delivery, Direction, LinkPurpose, LinkRecord, MessageRecord};
use crate::money::Money;
use crate::permission::Actor;
use crate::settings::Automation;

/// The envelope of every operation: the caller's operation id, when it happened and who acted.
///
/// The operation id is unique within the account: replaying it returns the first result and
/// records nothing; reusing it for another operation is refused. The instant and the actor are not
/// part of the operation's content (a till that re-stamps a retry is still retrying).
#[derive(Debug, Clone)]
pub struct Operation {
    /// The caller's operation id (1 to 128 bytes).
    pub op_id: SmolStr,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who acted, with what the host grants them.
    pub actor: Option<Actor>,
}

impl Operation {
    /// An operation without a named employee.
    pub fn new(op_id: impl Into<SmolStr>, at: DateTime<Utc>) -> Operation {
        Operation {
            op_id: op_id.into(),
            at,
            actor: None,
        }
    }

    /// The same operation, by an employee.
    pub fn by(mut self, actor: Actor) -> Operation {
        self.actor = Some(actor);
        self
    }

    /// Checks the envelope: the operation id and the actor's id (recorded on every entry the
    /// operation makes) are identifiers, 1 to 128 bytes without control characters.
    pub fn check(&self) -> crate::Result<()> {
        crate::validate::check_id("operation id", &self.op_id)?;
        if let Some(actor) = &self.actor {
            crate::validate::check_id("actor id", &actor.id)?;
        }
        Ok(())
    }
}

/// Opening an account.
#[derive(Debug, Clone)]
pub struct OpenAccount {
    /// The customer.
    pub customer: Customer,
    /// The credit limit (`CreditLimit::Amount(0)`: deposit-only); `None`: the store's
    /// [`default_credit_limit`](crate::Policies::default_credit_limit). Any limit but 0 needs the
    /// `credit_limit` permission.
    pub credit_limit: Option<CreditLimit>,
    /// The account's own terms; `None` follows the store's.
    pub terms: Option<PaymentTerms>,
}

/// Charging a sale (or part of it) to the account.
#[derive(Debug, Clone)]
pub struct Charge {
    /// The amount to charge.
    pub amount: Money,
    /// The sale (receipt number).
    pub sale: Option<SmolStr>,
    /// A due date for this invoice instead of the terms' (not before the invoice date).
    pub due_date: Option<NaiveDate>,
    /// A manager's override of the credit limit, with its reason (needs `override_credit_limit`).
    pub override_reason: Option<String>,
    /// The host's own invoice number (unique within the account); `None`: the invoice is
    /// numbered by its place in the account's ledger.
    pub invoice_number: Option<SmolStr>,
}

impl Charge {
    /// A charge of `amount` with nothing else set.
    pub fn new(amount: Money) -> Charge {
        Charge {
            amount,
            sale: None,
            due_date: None,
            override_reason: None,
            invoice_number: None,
        }
    }

    /// The same charge, for a sale.
    pub fn sale(mut self, sale: impl Into<SmolStr>) -> Charge {
        self.sale = Some(sale.into());
        self
    }

    /// The same charge, with the host's own invoice number.
    pub fn invoice_number(mut self, number: impl Into<SmolStr>) -> Charge {
        self.invoice_number = Some(number.into());
        self
    }
}

/// Money received toward what is owed.
#[derive(Debug, Clone)]
pub struct Payment {
    /// The amount received.
    pub amount: Money,
    /// The invoices to pay, in order; empty: oldest due date first.
    pub invoices: Vec<u64>,
    /// The host's reference (tender, cheque number...).
    pub reference: Option<SmolStr>,
}

impl Payment {
    /// A payment allocated oldest due date first.
    pub fn new(amount: Money) -> Payment {
        Payment {
            amount,
            invoices: Vec::new(),
            reference: None,
        }
    }
}

/// The command an operation carries. Each needs the account open and not archived, except
/// `OpenAccount` and `Reactivate`.
#[derive(Debug, Clone)]
pub enum Command {
    /// Open the account.
    OpenAccount(OpenAccount),
    /// Replace the customer's contact details.
    UpdateContact(Customer),
    /// Change the credit limit (needs `credit_limit`).
    SetCreditLimit(CreditLimit),
    /// Change the account's payment terms (needs `credit_limit`; `None`: the store's).
    SetTerms(Option<PaymentTerms>),
    /// Put the account on hold: no new charges.
    Hold {
        /// Why.
        reason: Option<String>,
    },
    /// Release a hold.
    Release,
    /// Archive the account (needs `archive_account`); balances are kept.
    Archive,
    /// Reactivate an archived account (needs `archive_account`).
    Reactivate,
    /// Charge a sale to the account.
    Charge(Charge),
    /// Record a payment.
    Payment(Payment),
    /// Record a deposit: money received in advance becomes store credit.
    Deposit {
        /// The amount received.
        amount: Money,
        /// Layaway, special order...
        reference: Option<SmolStr>,
    },
    /// Use store credit as tender on a sale.
    UseCredit {
        /// The amount of credit to spend.
        amount: Money,
        /// The sale it pays for.
        sale: Option<SmolStr>,
    },
    /// Apply store credit to open invoices (named ones, or oldest due first).
    ApplyCredit {
        /// The amount of credit to apply.
        amount: Money,
        /// Invoices to apply it to, in order; empty: oldest due date first.
        invoices: Vec<u64>,
    },
    /// Refund a sale (or without receipt) as store credit (needs `credit_account_refund`).
    RefundToCredit {
        /// The amount to refund.
        amount: Money,
        /// The original sale; `None`: no receipt (store credit only, flagged).
        sale: Option<SmolStr>,
        /// For a sale paid otherwise than through the account: what was paid for it.
        sale_total: Option<Money>,
    },
    /// Pay store credit back in cash or to a card.
    RefundCredit {
        /// The amount paid out.
        amount: Money,
        /// How.
        method: Option<SmolStr>,
    },
    /// Reverse an earlier entry (needs `adjust_balance`).
    Reverse {
        /// The entry to reverse.
        entry: u64,
        /// Why.
        reason: String,
    },
    /// Adjust the balance (needs `adjust_balance`).
    Adjust {
        /// More owed or less.
        direction: Direction,
        /// The amount.
        amount: Money,
        /// Why.
        reason: String,
    },
    /// Write off an invoice, or part of it (needs `adjust_balance`).
    WriteOff {
        /// The invoice.
        invoice: u64,
        /// How much; `None`: all that remains.
        amount: Option<Money>,
        /// Why.
        reason: String,
    },
    /// Record a payment link the host's provider made (`Book::payment_link` calls the provider
    /// and records it): checks the amount, and cancels a pending deposit request for the same sale.
    RecordPaymentLink(Box<LinkRecord>),
    /// Record a payment the provider confirmed (`Book::confirm_online_payment`): a payment, or a
    /// deposit when paid through a deposit request.
    OnlinePayment {
        /// The amount paid.
        amount: Money,
        /// The provider's payment id.
        provider_payment_id: SmolStr,
        /// The link it was paid through, if any.
        link: Option<SmolStr>,
    },
    /// Record a message handed to the host's mailer (`Book::send`).
    RecordMessage(Box<MessageRecord>),
    /// Change the store's reminders and statement schedule (`Book::set_automation`, needs
    /// `automated_ar`): recorded on the book's own ledger.
    SetAutomation(Box<Automation>),
}

impl Command {
    /// A stable fingerprint of the command's content (FNV-1a over an explicit encoding, the same on
    /// every platform and version): equal for a retry, different for another operation.
    pub fn digest(&self) -> u64 {
        let mut d = Digest::default();
        match self {
            Command::OpenAccount(o) => {
                d.tag("open");
                d.customer(&o.customer);
                // A named limit hashes as it always did (ledgers recorded before the default
                // existed replay unchanged).
                match &o.credit_limit {
                    Some(l) => d.limit(l),
                    None => d.tag("default limit"),
                }
                d.terms(&o.terms);
            }
            Command::UpdateContact(c) => {
                d.tag("contact");
                d.customer(c);
            }
            Command::SetCreditLimit(l) => {
                d.tag("limit");
                d.limit(l);
            }
            Command::SetTerms(t) => {
                d.tag("terms");
                d.terms(t);
            }
            Command::Hold { reason } => {
                d.tag("hold");
                d.opt(reason.as_deref());
            }
            Command::Release => d.tag("release"),
            Command::Archive => d.tag("archive"),
            Command::Reactivate => d.tag("reactivate"),
            Command::Charge(c) => {
                d.tag("charge");
                d.money(&c.amount);
                d.opt(c.sale.as_deref());
                d.opt(c.due_date.map(|x| x.to_string()).as_deref());
                d.opt(c.override_reason.as_deref());
                // Charges without a number of their own hash as they always did.
                if let Some(n) = &c.invoice_number {
                    d.tag("invoice number");
                    d.str(n);
                }
            }
            Command::Payment(p) => {
                d.tag("payment");
                d.money(&p.amount);
                d.ids(&p.invoices);
                d.opt(p.reference.as_deref());
            }
            Command::Deposit { amount, reference } => {
                d.tag("deposit");
                d.money(amount);
                d.opt(reference.as_deref());
            }
            Command::UseCredit { amount, sale } => {
                d.tag("use_credit");
                d.money(amount);
                d.opt(sale.as_deref());
            }
            Command::ApplyCredit { amount, invoices } => {
                d.tag("apply_credit");
                d.money(amount);
                d.ids(invoices);
            }
            Command::RefundToCredit {
                amount,
                sale,
                sale_total,
            } => {
                d.tag("refund_to_credit");
                d.money(amount);
                d.opt(sale.as_deref());
                match sale_total {
                    Some(t) => d.money(t),
                    None => d.tag("-"),
                }
            }
            Command::RefundCredit { amount, method } => {
                d.tag("refund_credit");
                d.money(amount);
                d.opt(method.as_deref());
            }
            Command::Reverse { entry, reason } => {
                d.tag("reverse");
                d.u64(*entry);
                d.str(reason);
            }
            Command::Adjust {
                direction,
                amount,
                reason,
            } => {
                d.tag(match direction {
                    Direction::Debit => "adjust_debit",
                    Direction::Credit => "adjust_credit",
                });
                d.money(amount);
                d.str(reason);
            }
            Command::WriteOff {
                invoice,
                amount,
                reason,
            } => {
                d.tag("write_off");
                d.u64(*invoice);
                match amount {
                    Some(t) => d.money(t),
                    None => d.tag("-"),
                }
                d.str(reason);
            }
            Command::RecordPaymentLink(l) => {
                d.tag("payment_link");
                d.str(&l.reference);
                match &l.purpose {
                    LinkPurpose::Balance { reference } => {
                        d.tag("balance");
                        d.str(reference);
                    }
                    LinkPurpose::Deposit { sale } => {
                        d.tag("deposit");
                        d.str(sale);
                    }
                }
                d.dec(l.amount);
                d.str(&l.url);
                d.str(&l.expires_at.to_rfc3339());
            }
            Command::OnlinePayment {
                amount,
                provider_payment_id,
                link,
            } => {
                d.tag("online_payment");
                d.money(amount);
                d.str(provider_payment_id);
                d.opt(link.as_deref());
            }
            Command::RecordMessage(m) => {
                d.tag("message");
                d.str(&m.message_id);
                d.str(m.kind.as_str());
                for to in &m.to {
                    d.str(to);
                }
                match &m.delivery {
                    Delivery::Delivered { delivery_id } => {
                        d.tag("delivered");
                        d.str(delivery_id);
                    }
                    Delivery::Sending { until } => {
                        d.tag("sending");
                        d.str(&until.to_rfc3339());
                    }
                    Delivery::Failed { code, reason } => {
                        d.tag("failed");
                        d.u64(*code as u64);
                        d.str(reason);
                    }
                }
            }
            Command::SetAutomation(a) => {
                d.tag("automation");
                d.u64(a.reminder_days.len() as u64);
                for day in &a.reminder_days {
                    d.u64(i64::from(*day) as u64);
                }
                d.u64(a.statement_day.map_or(0, u64::from));
            }
        }
        d.0 .0
    }
}

/// The operation's fingerprint: [`Fnv`] 64 bits, with the domain's fields.
#[derive(Default)]
struct Digest(Fnv<u64>);

impl std::ops::Deref for Digest {
    type Target = Fnv<u64>;
    fn deref(&self) -> &Fnv<u64> {
        &self.0
    }
}

impl std::ops::DerefMut for Digest {
    fn deref_mut(&mut self) -> &mut Fnv<u64> {
        &mut self.0
    }
}

impl Digest {
    fn tag(&mut self, t: &str) {
        self.str(t);
    }
    fn dec(&mut self, v: Decimal) {
        // The normalized value's canonical 16-byte form: 120 and 120.00 are the same amount.
        self.bytes(&v.normalize().serialize());
    }
    fn money(&mut self, m: &Money) {
        self.dec(m.amount);
        self.str(m.currency.code());
    }
    fn ids(&mut self, ids: &[u64]) {
        self.u64(ids.len() as u64);
        for id in ids {
            self.u64(*id);
        }
    }
    fn limit(&mut self, l: &CreditLimit) {
        match l {
            CreditLimit::Amount(a) => {
                self.tag("amount");
                self.dec(*a);
            }
            CreditLimit::Unlimited => self.tag("unlimited"),
        }
    }
    fn terms(&mut self, t: &Option<PaymentTerms>) {
        match t {
            None => self.tag("store"),
            Some(PaymentTerms::DueOnReceipt) => self.tag("receipt"),
            Some(PaymentTerms::Net(n)) => {
                self.tag("net");
                self.u64(u64::from(*n));
            }
            Some(PaymentTerms::EndOfMonthPlus(n)) => {
                self.tag("eom");
                self.u64(u64::from(*n));
            }
        }
    }
    fn customer(&mut self, c: &Customer) {
        self.str(&c.id);
        self.str(&c.name);
        self.opt(c.email.as_deref());
        self.opt(c.language.as_deref());
        let a = &c.address;
        self.u64(a.lines.len() as u64);
        for l in &a.lines {
            self.str(l);
        }
        for part in [&a.city, &a.region, &a.postal_code, &a.country] {
            self.str(part);
        }
    }
}
