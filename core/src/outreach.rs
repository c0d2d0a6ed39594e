//! The Book's side of getting paid: payment links, statements with a "Pay online" link, messages
//! composed and sent through the host's Mailer, online payments confirmed by the provider, and
//! reminders and the monthly statement run.

use std::sync::PoisonError;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use smol_str::SmolStr;

use crate::book::{Book, Outcome};
use crate::command::{Command, Operation};
use crate::entry::{Delivery, EntryKind, LinkPurpose, LinkRecord, MessageRecord};
use crate::error::{Error, Result};
use crate::message::compose::{self, Addressee, InvoiceFacts, PaymentFacts};
use crate::message::Message;
use crate::money::Money;
use crate::permission::{Actor, Permission};
use crate::ports::{PaymentLinkRequest, PortError};
use crate::settings::Automation;
use crate::state::AccountState;
use crate::statement::{PaymentLinkShown, Statement, StatementRequest};
use crate::store::Store;

/// A payment link as the Book made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLink {
    /// The account.
    pub account: SmolStr,
    /// The link as recorded (reference, purpose, amount, URL, expiry).
    pub record: LinkRecord,
    /// True when the operation id had made this link before: the provider was not called again.
    pub replayed: bool,
}

/// What sending a message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The mailer's delivery id.
    pub delivery_id: String,
    /// True when the message had been delivered before: nothing was sent this time.
    pub already_delivered: bool,
}

/// A payment the provider reports as completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlinePaymentConfirmation {
    /// The provider's payment id: a payment is recorded once per id.
    pub provider_payment_id: String,
    /// The amount paid.
    pub amount: Money,
    /// When it was paid.
    pub at: DateTime<Utc>,
    /// The link's reference, when it was paid through a link.
    pub link: Option<String>,
}

/// What confirming an online payment did.
#[derive(Debug)]
pub struct Confirmed {
    /// The payment (or deposit) recorded; `replayed` when the provider reported it before.
    pub outcome: Outcome,
    /// The receipt to the customer as composed, and how sending it went (`None` on a replay, or
    /// when the Book has no mailer or the customer no address).
    pub receipt: Option<(Message, Result<Sent>)>,
    /// The notice to the store and how sending it went (same conditions).
    pub notice: Option<(Message, Result<Sent>)>,
}

/// A reminder due on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderDue {
    /// The account.
    pub account: SmolStr,
    /// The invoice.
    pub invoice: u64,
    /// Its place in the store's reminder days (0 = the first).
    pub level: u32,
    /// Days from the due date (negative: before it).
    pub days_from_due: i64,
    /// The composed reminder, or why there is none (e.g. no email on file).
    pub message: std::result::Result<Message, Error>,
}

impl<S: Store> Book<S> {
    /// Reminders and the statement schedule in force.
    pub fn automation(&self) -> Automation {
        self.automation
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Changes the reminders and the statement schedule (needs `automated_ar`).
    pub fn set_automation(&self, actor: &Actor, automation: Automation) -> Result<()> {
        actor.require(Permission::AutomatedAr)?;
        automation.validate()?;
        *self
            .automation
            .write()
            .unwrap_or_else(PoisonError::into_inner) = automation;
        Ok(())
    }

    /// Makes a payment link through the host's provider and records it. The amount is above 0, at
    /// most the store's cap and, for a balance, at most what is owed; a deposit request cancels
    /// the pending request for the same sale. The link's reference is `<account>-<operation id>`;
    /// replaying the operation id returns the link made the first time without calling the
    /// provider again (reused with another amount or purpose: `OperationIdConflict`). A replay
    /// that starts while the first call is still at the provider asks it again with the same
    /// reference (what a provider deduplicates on); both calls return the link recorded first.
    pub fn payment_link(
        &self,
        account: &str,
        op: &Operation,
        amount: Money,
        purpose: LinkPurpose,
    ) -> Result<PaymentLink> {
        let provider = self.payments.as_deref().ok_or(Error::PortMissing {
            port: "payment provider",
        })?;
        let settings = self.settings();
        let (amount_asked, purpose_asked) = (amount, purpose.clone());
        // Checked before the provider is asked, so a refused link costs nothing (the reference
        // the provider gets is made of the account and operation ids).
        op.check()?;
        let reference = format!("{account}-{}", op.op_id);
        crate::validate::check_id("payment link reference", &reference)?;
        crate::rules::check_link_purpose(&purpose)?;
        let check = self.with_account(account, |state| -> Result<LinkCheck> {
            if let Some(link) = recorded_link(state, account, op, &amount, &purpose)? {
                return Ok(LinkCheck::Replay(link));
            }
            let profile = state.ledger().profile_of(account)?;
            let cur = profile.currency;
            amount.require_currency(cur)?;
            let amount = crate::rules::check_link_amount(
                state.ledger(),
                settings,
                cur,
                &purpose,
                amount.amount,
            )?;
            Ok(LinkCheck::Make {
                customer_name: profile.customer.name.clone(),
                amount,
            })
        })??;
        let (customer_name, amount) = match check {
            LinkCheck::Replay(link) => return Ok(link),
            LinkCheck::Make {
                customer_name,
                amount,
            } => (customer_name, amount),
        };
        let days = match purpose {
            LinkPurpose::Deposit { .. } => settings.messages.deposit_request_days,
            LinkPurpose::Balance { .. } => settings.messages.payment_link_days,
        };
        let request = PaymentLinkRequest {
            account: account.to_string(),
            amount,
            currency: settings.currency,
            reference,
            purpose,
            expires_at: op.at + chrono::Duration::days(i64::from(days)),
            customer_name,
        };
        let url = provider
            .create_link(&request)
            .map_err(|PortError { code, message }| Error::PaymentProviderFailed {
                code,
                message,
            })?;
        let record = LinkRecord {
            reference: SmolStr::new(&request.reference),
            purpose: request.purpose,
            amount,
            url,
            expires_at: request.expires_at,
        };
        match self.execute(account, op, &Command::RecordPaymentLink(Box::new(record))) {
            Ok(outcome) => link_in(account, &outcome.entries, &op.op_id, outcome.replayed),
            // The same request, made again while the provider was answering this one (a till
            // tapping twice), recorded its link first: that link is the answer to both.
            Err(Error::OperationIdConflict { .. }) => self
                .with_account(account, |state| {
                    recorded_link(state, account, op, &amount_asked, &purpose_asked)
                })??
                .ok_or_else(|| Error::OperationIdConflict {
                    op_id: op.op_id.to_string(),
                }),
            Err(e) => Err(e),
        }
    }

    /// The account's statement, with a "Pay online" link for its amount due when the Book has a
    /// payment provider and the store includes links (or `with_link` asks for one). A statement
    /// whose amount due is above the store's cap gets no link and says why
    /// (`payment_link_omitted`); it does not fail. The link asks at most what is owed now (a
    /// payment since the statement date lowers it). `op` names the link's operation.
    pub fn statement_with_link(
        &self,
        account: &str,
        request: &StatementRequest,
        op: &Operation,
        with_link: Option<bool>,
    ) -> Result<Statement> {
        let mut st = self.statement(account, request)?;
        // By default, a link when the store includes them and the Book can make one; asked for
        // explicitly without a provider, `PortMissing`.
        let wanted = with_link
            .unwrap_or(self.settings().messages.include_payment_link && self.payments.is_some());
        if let Some(amount) = self.statement_link_amount(account, &mut st, wanted)? {
            self.attach_link(account, &mut st, op, amount)?;
        }
        Ok(st)
    }

    /// What a statement's link asks: its amount due, at most what is owed now; `None` when there
    /// is to be no link (not wanted, nothing due, or above the cap: `payment_link_omitted` then
    /// says so).
    fn statement_link_amount(
        &self,
        account: &str,
        st: &mut Statement,
        wanted: bool,
    ) -> Result<Option<Decimal>> {
        if !wanted || st.amount_due <= Decimal::ZERO {
            return Ok(None);
        }
        let cap = self.settings().messages.payment_link_max;
        if st.amount_due > cap {
            st.payment_link_omitted = Some(st.currency.at_scale(cap));
            return Ok(None);
        }
        let owed = self.with_account(account, |state| state.ledger().balance_owed())?;
        let amount = st.amount_due.min(owed);
        Ok((amount > Decimal::ZERO).then_some(amount))
    }

    /// Makes the statement's link for `amount` and shows it on the statement.
    fn attach_link(
        &self,
        account: &str,
        st: &mut Statement,
        op: &Operation,
        amount: Decimal,
    ) -> Result<()> {
        let purpose = LinkPurpose::Balance {
            reference: SmolStr::new(&st.number),
        };
        let link = self.payment_link(account, op, Money::new(amount, st.currency), purpose)?;
        st.payment_link = Some(PaymentLinkShown {
            url: link.record.url,
            amount: link.record.amount,
            expires_at: Some(link.record.expires_at),
        });
        Ok(())
    }

    /// The statement email (see [`compose::statement_email`]); `to` when not the customer's
    /// email on file.
    pub fn compose_statement_email(&self, st: &Statement, to: Option<&str>) -> Result<Message> {
        compose::statement_email(st, self.settings(), to)
    }

    /// The email of one invoice of the account.
    pub fn compose_invoice_email(
        &self,
        account: &str,
        invoice: u64,
        to: Option<&str>,
    ) -> Result<Message> {
        let (customer, facts) = self.with_account(account, |state| -> Result<_> {
            let ledger = state.ledger();
            let inv = ledger
                .invoice(invoice)
                .ok_or(Error::UnknownInvoice { invoice })?;
            let customer = ledger
                .profile()
                .map(|p| p.customer.clone())
                .unwrap_or_default();
            Ok((customer, invoice_facts(inv)))
        })??;
        let who = Addressee {
            account,
            customer: &customer,
            to,
        };
        compose::invoice_email(&who, &facts, self.settings())
    }

    /// Sends a message through the host's mailer and records it on its account: kind, to whom,
    /// when, and the delivery id or the failure. A message already delivered is not sent again;
    /// one that failed is retried. Returns `DeliveryFailed` (recorded) when the mailer fails.
    pub fn send(&self, message: &Message, at: DateTime<Utc>) -> Result<Sent> {
        let mailer = self
            .mailer
            .as_deref()
            .ok_or(Error::PortMissing { port: "mailer" })?;
        message.check_headers()?;
        // Claimed before the account is read: a send of the same message that finished between
        // the read and the claim would otherwise go unseen, and the message out twice.
        let _guard = SendingGuard::claim(self, &message.id)?;
        let (delivered, attempts) = self.with_account(&message.account, |state| {
            let mut attempts = 0u32;
            let mut delivered = None;
            for e in state.entries() {
                if let EntryKind::MessageSent(m) = &e.kind {
                    if m.message_id == message.id {
                        attempts += 1;
                        if let Delivery::Delivered { delivery_id } = &m.delivery {
                            delivered = Some(delivery_id.clone());
                        }
                    }
                }
            }
            (delivered, attempts)
        })?;
        if let Some(delivery_id) = delivered {
            return Ok(Sent {
                delivery_id,
                already_delivered: true,
            });
        }
        let result = mailer.send(message);
        let delivery = match &result {
            Ok(id) => Delivery::Delivered {
                delivery_id: id.clone(),
            },
            Err(e) => Delivery::Failed {
                code: e.code,
                reason: e.message.clone(),
            },
        };
        let record = MessageRecord {
            message_id: message.id.clone(),
            kind: message.kind,
            to: message.to.clone(),
            subject: message.subject.clone(),
            reminder: message.reminder,
            delivery,
        };
        let op = Operation::new(format!("message-{}-{}", message.id, attempts + 1), at);
        self.execute(
            &message.account,
            &op,
            &Command::RecordMessage(Box::new(record)),
        )?;
        match result {
            Ok(delivery_id) => Ok(Sent {
                delivery_id,
                already_delivered: false,
            }),
            Err(PortError { code, message }) => Err(Error::DeliveryFailed { code, message }),
        }
    }

    /// Records a payment the provider reports as completed, once per provider payment id (a
    /// replay records nothing and returns the first result), allocated like any payment (through
    /// a deposit request: a deposit), then composes and sends the receipt to the customer and the
    /// notice to the store. A confirmation for an unknown link, another currency or an amount
    /// that is not the link's is refused and recorded nowhere.
    pub fn confirm_online_payment(
        &self,
        account: &str,
        confirmation: &OnlinePaymentConfirmation,
    ) -> Result<Confirmed> {
        let provider_payment_id =
            crate::validate::id("provider payment id", &confirmation.provider_payment_id)?;
        let op = Operation::new(format!("online-{provider_payment_id}"), confirmation.at);
        let command = Command::OnlinePayment {
            amount: confirmation.amount,
            provider_payment_id: provider_payment_id.clone(),
            link: confirmation.link.as_deref().map(SmolStr::new),
        };
        let outcome = self.execute(account, &op, &command)?;
        if outcome.replayed || self.mailer.is_none() {
            return Ok(Confirmed {
                outcome,
                receipt: None,
                notice: None,
            });
        }
        let (customer, facts) = self.with_account(account, |state| {
            let ledger = state.ledger();
            let customer = ledger
                .profile()
                .map(|p| p.customer.clone())
                .unwrap_or_default();
            let cur = ledger.profile().map(|p| p.currency);
            let scale = |d: Decimal| cur.map_or(d, |c| c.at_scale(d));
            let facts = PaymentFacts {
                payment_id: provider_payment_id.to_string(),
                amount: scale(confirmation.amount.amount),
                date: outcome.entry().date,
                owed: scale(ledger.balance_owed()),
                credit: scale(ledger.credit_balance()),
            };
            (customer, facts)
        })?;
        let who = Addressee {
            account,
            customer: &customer,
            to: None,
        };
        let settings = self.settings();
        let send = |m: Result<Message>| {
            m.ok().map(|m| {
                let sent = self.send(&m, confirmation.at);
                (m, sent)
            })
        };
        let receipt = send(compose::receipt_email(&who, &facts, settings));
        let notice = send(compose::store_notice(account, &customer, &facts, settings));
        Ok(Confirmed {
            outcome,
            receipt,
            notice,
        })
    }

    /// The reminders due on `day`: for every open invoice of every account, the highest reminder
    /// level whose day (relative to the due date) has come and that was not sent yet (so a level
    /// missed on a day off is sent once, later, and lower levels are skipped). Paid invoices get
    /// none. Each is composed in the customer's language.
    pub fn reminders_due(&self, day: NaiveDate) -> Result<Vec<ReminderDue>> {
        let days = self.automation().reminder_days;
        if days.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for account in self.store().account_ids()? {
            let found = self.with_account(&account, |state| {
                let sent: Vec<(u64, u32)> = state
                    .entries()
                    .iter()
                    .filter_map(|e| match &e.kind {
                        EntryKind::MessageSent(m)
                            if matches!(m.delivery, Delivery::Delivered { .. }) =>
                        {
                            m.reminder
                        }
                        _ => None,
                    })
                    .collect();
                let ledger = state.ledger();
                let customer = ledger
                    .profile()
                    .map(|p| p.customer.clone())
                    .unwrap_or_default();
                let due: Vec<(InvoiceFacts, u32, i64)> = ledger
                    .open_invoices()
                    .filter_map(|inv| {
                        let from_due = (day - inv.due_date).num_days();
                        let level = days.iter().rposition(|d| i64::from(*d) <= from_due)? as u32;
                        let done = sent.iter().any(|(i, l)| *i == inv.id && *l >= level);
                        (!done).then(|| (invoice_facts(inv), level, from_due))
                    })
                    .collect();
                (customer, due)
            });
            let (customer, due) = match found {
                Ok(x) => x,
                Err(Error::UnknownAccount { .. }) => continue,
                Err(e) => return Err(e),
            };
            for (facts, level, from_due) in due {
                let who = Addressee {
                    account: &account,
                    customer: &customer,
                    to: None,
                };
                out.push(ReminderDue {
                    account: account.clone(),
                    invoice: facts.id,
                    level,
                    days_from_due: from_due,
                    message: compose::reminder_email(
                        &who,
                        &facts,
                        level,
                        from_due,
                        self.settings(),
                    ),
                });
            }
        }
        Ok(out)
    }

    /// Sends the reminders due on `day` (each at most once) and returns them with how each went.
    pub fn send_reminders(
        &self,
        day: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<Vec<(ReminderDue, Result<Sent>)>> {
        Ok(self
            .reminders_due(day)?
            .into_iter()
            .map(|r| {
                let sent = match &r.message {
                    Ok(m) => self.send(m, at),
                    Err(e) => Err(e.clone()),
                };
                (r, sent)
            })
            .collect())
    }

    /// On the store's statement day, last month's statements of every account with a balance
    /// owed or store credit, each with its "Pay online" link when the Book can make one; on any
    /// other day, none. `at` is when the links are made. A link the provider cannot make fails
    /// the run (`PaymentProviderFailed`) rather than send a statement without its link: run it
    /// again when the provider is back; the links already made are replayed, not made twice
    /// (their operation ids are named by the month and the amount).
    pub fn statements_due(&self, day: NaiveDate, at: DateTime<Utc>) -> Result<Vec<Statement>> {
        if self.automation().statement_day != Some(day.day()) {
            return Ok(Vec::new());
        }
        let this_month = day.with_day(1).unwrap_or(day);
        let from = this_month
            .checked_sub_months(Months::new(1))
            .unwrap_or(this_month);
        let to = this_month
            .checked_sub_days(Days::new(1))
            .unwrap_or(this_month);
        let mut out = Vec::new();
        for account in self.store().account_ids()? {
            let summary = match self.summary(&account, to) {
                Ok(s) => s,
                Err(Error::UnknownAccount { .. }) => continue,
                Err(e) => return Err(e),
            };
            if summary.balance_owed.is_zero() && summary.credit_balance.is_zero() {
                continue;
            }
            let request = StatementRequest::new(from, to);
            let mut st = self.statement(&account, &request)?;
            let wanted = self.settings().messages.include_payment_link && self.payments.is_some();
            if let Some(amount) = self.statement_link_amount(&account, &mut st, wanted)? {
                // Named by the month and the amount: running the schedule again replays the
                // link; a payment in between makes a new one for what is owed then.
                let op_id = format!("statement-link-{}-{amount}", to.format("%Y%m"));
                self.attach_link(&account, &mut st, &Operation::new(op_id, at), amount)?;
            }
            out.push(st);
        }
        Ok(out)
    }
}

/// What `payment_link` found before asking the provider.
enum LinkCheck {
    /// The operation id made a link already.
    Replay(PaymentLink),
    /// A link may be made.
    Make {
        customer_name: String,
        amount: Decimal,
    },
}

/// The link operation `op` already recorded on the account, if it did; the same operation id used
/// for anything else (another amount, purpose or kind of operation) is `OperationIdConflict`.
fn recorded_link(
    state: &AccountState,
    account: &str,
    op: &Operation,
    amount: &Money,
    purpose: &LinkPurpose,
) -> Result<Option<PaymentLink>> {
    let Some(first) = state.operation(&op.op_id) else {
        return Ok(None);
    };
    let link = link_in(account, first, &op.op_id, true)?;
    let cur = state.ledger().profile().map(|p| p.currency);
    let same = link.record.purpose == *purpose
        && link.record.amount == amount.amount
        && cur == Some(amount.currency);
    if !same {
        return Err(Error::OperationIdConflict {
            op_id: op.op_id.to_string(),
        });
    }
    Ok(Some(link))
}

/// The link an operation's entries recorded; `replayed` when they were recorded before this call.
fn link_in(
    account: &str,
    entries: &[crate::entry::Entry],
    op_id: &str,
    replayed: bool,
) -> Result<PaymentLink> {
    entries
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EntryKind::PaymentLinkCreated(r) => Some(PaymentLink {
                account: SmolStr::new(account),
                record: (**r).clone(),
                replayed,
            }),
            _ => None,
        })
        .ok_or_else(|| Error::OperationIdConflict {
            op_id: op_id.to_string(),
        })
}

fn invoice_facts(inv: &crate::ledger::Invoice) -> InvoiceFacts {
    InvoiceFacts {
        id: inv.id,
        date: inv.date,
        due_date: inv.due_date,
        amount: inv.amount,
        remaining: inv.remaining,
    }
}

/// Holds a message id in the Book's set of messages being sent, for as long as it is sent.
struct SendingGuard<'a, S: Store> {
    book: &'a Book<S>,
    id: String,
}

impl<'a, S: Store> SendingGuard<'a, S> {
    fn claim(book: &'a Book<S>, id: &str) -> Result<SendingGuard<'a, S>> {
        let mut set = book.sending.lock().unwrap_or_else(PoisonError::into_inner);
        if !set.insert(id.to_string()) {
            return Err(Error::InvalidState {
                reason: format!("message {id} is being sent"),
            });
        }
        Ok(SendingGuard {
            book,
            id: id.to_string(),
        })
    }
}

impl<S: Store> Drop for SendingGuard<'_, S> {
    fn drop(&mut self) {
        self.book
            .sending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}
