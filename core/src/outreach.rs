//! The Book's side of getting paid: payment links, statements with a "Pay online" link, messages
//! composed and sent through the host's Mailer, online payments confirmed by the provider, and
//! reminders and the monthly statement run.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use smol_str::SmolStr;

use crate::account::AccountStatus;
use crate::book::{Book, Outcome};
use crate::command::{Command, Operation};
use crate::entry::Entry;
use crate::entry::{Delivery, EntryKind, LinkPurpose, LinkRecord, MessageRecord};
use crate::error::{Error, Result};
use crate::links::LinkState;
#[cfg(feature = "email")]
use crate::message::compose::{self, Addressee, InvoiceFacts, PaymentFacts};
use crate::message::Message;
use crate::money::Money;
use crate::ports::{PaymentLinkRequest, PortError};
use crate::settings::Automation;
use crate::state::AccountState;
use crate::statement::{PaymentLinkShown, Statement, StatementRequest};
use crate::store::Store;
use crate::store::BOOK_LEDGER;

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

impl PaymentLink {
    /// The link as a statement shows it: its URL, amount and expiry in the store's time zone
    /// (the offset keeps the exact instant).
    pub fn shown(&self, timezone: chrono_tz::Tz) -> PaymentLinkShown {
        PaymentLinkShown {
            url: self.record.url.clone(),
            amount: self.record.amount,
            expires_at: Some(
                self.record
                    .expires_at
                    .with_timezone(&timezone)
                    .fixed_offset(),
            ),
        }
    }
}

impl Statement {
    /// The same statement showing `link` as its "Pay online" link (a statement is a value: this
    /// is a copy), its expiry in the store's `timezone`: for a link made apart from the
    /// statement (`Book::payment_link` with the statement's number). The link must be one of
    /// the statement's account (`InvalidInput` otherwise). A note that the amount due was above
    /// the store's cap for links no longer applies and goes.
    pub fn with_payment_link(
        &self,
        link: &PaymentLink,
        timezone: chrono_tz::Tz,
    ) -> Result<Statement> {
        if link.account != self.account_id {
            return Err(Error::InvalidInput {
                field: "link",
                reason: format!(
                    "a link of account {}, not of the statement's account {}",
                    link.account, self.account_id
                ),
            });
        }
        let mut st = self.clone();
        st.payment_link = Some(link.shown(timezone));
        st.payment_link_omitted = None;
        Ok(st)
    }
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

/// A reminder due on a day (feature `email`).
#[cfg(feature = "email")]
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
    /// Reminders and the statement schedule in force: the latest change recorded in the store
    /// (by any Book on it), else none.
    pub fn automation(&self) -> Result<Automation> {
        Ok(self
            .with_ledger(
                &SmolStr::new_static(BOOK_LEDGER),
                crate::rules::automation_of,
            )?
            .unwrap_or_default())
    }

    /// Changes the reminders and the statement schedule (needs `automated_ar` in `op`'s actor).
    /// The change is recorded in the store (who, when, old, new) as an entry of the book's own
    /// ledger, so it survives a restart and every Book on the store follows it; replaying the
    /// operation id records nothing new.
    pub fn set_automation(&self, op: &Operation, automation: Automation) -> Result<Outcome> {
        self.execute_on(
            &SmolStr::new_static(BOOK_LEDGER),
            op,
            &Command::SetAutomation(Box::new(automation)),
        )
    }

    /// Every change of the automation, oldest first (who: each entry's actor).
    pub fn automation_history(&self) -> Result<Vec<Entry>> {
        Ok(self
            .with_ledger(&SmolStr::new_static(BOOK_LEDGER), |state| {
                state.entries().to_vec()
            })?
            .unwrap_or_default())
    }

    /// The account's payment links as they stand at `at`: pending, paid, cancelled or expired.
    pub fn payment_links(&self, account: &str, at: DateTime<Utc>) -> Result<Vec<LinkState>> {
        self.with_account(account, |state| crate::links::links(state.entries(), at))
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
    /// payment since the statement date lowers it). `op` names the link's operation: asked again
    /// with the same operation id, the statement shows the link that operation made (the same
    /// statement, the same message), whatever was paid since.
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
        let made = self.with_account(account, |state| {
            state
                .operation(&op.op_id)
                .and_then(|first| link_in(account, first, &op.op_id, true).ok())
        })?;
        let amount = match made {
            Some(link) if wanted => Some(link.record.amount),
            _ => self.statement_link_amount(account, &mut st, wanted)?,
        };
        if let Some(amount) = amount {
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
        st.payment_link = Some(link.shown(self.settings().timezone));
        Ok(())
    }

    /// The statement email (see [`compose::statement_email`]); `to` when not the customer's
    /// email on file (feature `email`).
    #[cfg(feature = "email")]
    pub fn compose_statement_email(&self, st: &Statement, to: Option<&str>) -> Result<Message> {
        compose::statement_email(st, self.settings(), to)
    }

    /// The email of one invoice of the account (feature `email`).
    #[cfg(feature = "email")]
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
    /// when, and the delivery id or the failure. A message is its content
    /// ([`Message::content_id`]): the same message already delivered is not sent again; a
    /// corrected one, or the same one to another address, is another message and is sent. One
    /// that failed is retried. Returns `DeliveryFailed` (recorded) when the mailer fails.
    ///
    /// Before the mailer is called, the send is claimed in the store (a `sending` record on the
    /// account, for [`SEND_CLAIM_MINUTES`]): two Books or processes sending the same message at
    /// once send it once, and the other is told it is being sent (`InvalidState`). A claim left
    /// by a process that died lapses, and the message can then be sent again.
    pub fn send(&self, message: &Message, at: DateTime<Utc>) -> Result<Sent> {
        let mailer = self
            .mailer
            .as_deref()
            .ok_or(Error::PortMissing { port: "mailer" })?;
        message.check_headers()?;
        if message.id != message.content_id() {
            return Err(Error::invalid(
                "message id",
                "is not the id of the message's content (call seal() after changing it)",
            ));
        }
        let history = self.with_account(&message.account, |state| {
            SendHistory::of(state.entries(), &message.id)
        })?;
        if let Some(delivery_id) = history.delivered {
            return Ok(Sent {
                delivery_id,
                already_delivered: true,
            });
        }
        if history.claimed_until.is_some_and(|until| until > at) {
            return Err(being_sent(&message.id));
        }
        let digest = message.id.rsplit('-').next().unwrap_or(&message.id);
        let record = |delivery| MessageRecord {
            message_id: message.id.clone(),
            kind: message.kind,
            to: message.to.clone(),
            subject: message.subject.clone(),
            reminder: message.reminder,
            delivery,
        };
        // The claim: whoever records it first sends; the other sees it recorded (a replay of
        // the same claim id, or the id taken by another instant) and does not.
        let attempt = history.claims + 1;
        let claim = Operation::new(format!("message-{digest}-{attempt}-claim"), at);
        let until = at + chrono::Duration::minutes(SEND_CLAIM_MINUTES);
        match self.execute(
            &message.account,
            &claim,
            &Command::RecordMessage(Box::new(record(Delivery::Sending { until }))),
        ) {
            Ok(o) if !o.replayed => {}
            Ok(_) | Err(Error::OperationIdConflict { .. }) => return Err(being_sent(&message.id)),
            Err(e) => return Err(e),
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
        let op = Operation::new(format!("message-{digest}-{attempt}"), at);
        self.execute(
            &message.account,
            &op,
            &Command::RecordMessage(Box::new(record(delivery))),
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
    /// notice to the store. Money received is never refused: through an expired, cancelled,
    /// already paid or unknown link, or of another amount than the link's, it is recorded and
    /// what was unusual is flagged on the entry (`OnlinePayment::unusual`) and in the store's
    /// notice. Only another currency, or nothing paid, is refused (and recorded nowhere).
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
        self.confirmation_messages(account, confirmation, &provider_payment_id, outcome)
    }

    /// Without the `email` feature there is nothing to compose: the payment is recorded only.
    #[cfg(not(feature = "email"))]
    fn confirmation_messages(
        &self,
        _account: &str,
        _confirmation: &OnlinePaymentConfirmation,
        _provider_payment_id: &SmolStr,
        outcome: Outcome,
    ) -> Result<Confirmed> {
        Ok(Confirmed {
            outcome,
            receipt: None,
            notice: None,
        })
    }

    /// The receipt to the customer and the notice to the store of a confirmed payment, sent.
    #[cfg(feature = "email")]
    fn confirmation_messages(
        &self,
        account: &str,
        confirmation: &OnlinePaymentConfirmation,
        provider_payment_id: &SmolStr,
        outcome: Outcome,
    ) -> Result<Confirmed> {
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
                unusual: outcome
                    .entries
                    .iter()
                    .find_map(|e| match &e.kind {
                        EntryKind::Payment {
                            online: Some(o), ..
                        }
                        | EntryKind::Deposit {
                            online: Some(o), ..
                        } => Some(o.unusual.clone()),
                        _ => None,
                    })
                    .unwrap_or_default(),
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
    /// none. Each is composed in the customer's language (feature `email`).
    #[cfg(feature = "email")]
    pub fn reminders_due(&self, day: NaiveDate) -> Result<Vec<ReminderDue>> {
        let days = self.automation()?.reminder_days;
        if days.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for account in self.account_ids()? {
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
                let message = self.reminder_link(&account, &facts, day).and_then(|url| {
                    compose::reminder_email(
                        &who,
                        &facts,
                        level,
                        from_due,
                        url.as_deref(),
                        self.settings(),
                    )
                });
                out.push(ReminderDue {
                    account: account.clone(),
                    invoice: facts.id,
                    level,
                    days_from_due: from_due,
                    message,
                });
            }
        }
        Ok(out)
    }

    /// The "Pay online" link of a reminder, for what remains of the invoice, when the store
    /// includes links and the Book can make one (none above the store's cap). Made at the start
    /// of `day` in the store's time, with an operation id named by the invoice and the amount:
    /// asking again the same day, or another day for the same amount, replays the link.
    #[cfg(feature = "email")]
    fn reminder_link(
        &self,
        account: &str,
        invoice: &InvoiceFacts,
        day: NaiveDate,
    ) -> Result<Option<String>> {
        let m = &self.settings().messages;
        if !m.include_payment_link
            || self.payments.is_none()
            || invoice.remaining > m.payment_link_max
        {
            return Ok(None);
        }
        let at = day
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(self.settings().timezone).earliest())
            .map_or_else(
                || day.and_time(chrono::NaiveTime::MIN).and_utc(),
                |t| t.to_utc(),
            );
        let op = Operation::new(
            format!("reminder-link-{}-{}", invoice.id, invoice.remaining),
            at,
        );
        let purpose = LinkPurpose::Balance {
            reference: SmolStr::new(&invoice.label),
        };
        let currency = self.settings().currency;
        let link = self.payment_link(
            account,
            &op,
            Money::new(invoice.remaining, currency),
            purpose,
        )?;
        Ok(Some(link.record.url))
    }

    /// Sends the reminders due on `day` (each at most once) and returns them with how each went
    /// (feature `email`).
    #[cfg(feature = "email")]
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
        if self.automation()?.statement_day != Some(day.day()) {
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
        for account in self.account_ids()? {
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
            // An archived account (now, not at the period's end) takes no new activity, a link
            // included: what it owes is still stated, without a "Pay online" link
            // (docs/decisions.md).
            let archived = self.with_account(&account, |state| {
                state
                    .ledger()
                    .profile()
                    .is_some_and(|p| p.status == AccountStatus::Archived)
            })?;
            let wanted = self.settings().messages.include_payment_link
                && self.payments.is_some()
                && !archived;
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

#[cfg(feature = "email")]
fn invoice_facts(inv: &crate::ledger::Invoice) -> InvoiceFacts {
    // The host's number, else the till's sale reference: what the customer knows it by.
    let label = match (&inv.host_number, &inv.sale) {
        (Some(n), _) => n.to_string(),
        (None, Some(sale)) => sale.to_string(),
        (None, None) => inv.id.to_string(),
    };
    InvoiceFacts {
        id: inv.id,
        label,
        date: inv.date,
        due_date: inv.due_date,
        amount: inv.amount,
        remaining: inv.remaining,
    }
}

/// How long a claim to send a message holds off other senders: long enough for any mailer to
/// answer, short enough that a message whose sender died goes out the same day.
pub const SEND_CLAIM_MINUTES: i64 = 10;

fn being_sent(id: &str) -> Error {
    Error::InvalidState {
        reason: format!("message {id} is being sent"),
    }
}

/// What the account's records say of one message.
struct SendHistory {
    /// The delivery id, when it was delivered.
    delivered: Option<String>,
    /// How many sends were claimed.
    claims: u32,
    /// Until when the latest claim holds, when no outcome followed it.
    claimed_until: Option<DateTime<Utc>>,
}

impl SendHistory {
    fn of(entries: &[crate::entry::Entry], id: &str) -> SendHistory {
        let mut h = SendHistory {
            delivered: None,
            claims: 0,
            claimed_until: None,
        };
        for e in entries {
            let EntryKind::MessageSent(m) = &e.kind else {
                continue;
            };
            if m.message_id != id {
                continue;
            }
            match &m.delivery {
                Delivery::Sending { until } => {
                    h.claims += 1;
                    h.claimed_until = Some(*until);
                }
                Delivery::Delivered { delivery_id } => {
                    h.delivered = Some(delivery_id.clone());
                    h.claimed_until = None;
                }
                Delivery::Failed { .. } => h.claimed_until = None,
            }
        }
        h
    }
}
