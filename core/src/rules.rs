//! The rules: pure decisions `(account, store settings, operation) -> entries to record`.
//!
//! Nothing here touches a store or a clock. A refusal is an [`Error`] with its figures and records
//! nothing; an acceptance is the list of entries the operation appends, all or none.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use smol_str::SmolStr;

use crate::account::{AccountStatus, CreditLimit, PaymentTerms};
use crate::command::{Charge, Command, OpenAccount, Operation, Payment};
use crate::entry::{
    AccountOpened, Allocation, Direction, Entry, EntryKind, LinkPurpose, LinkRecord, OnlinePayment,
    Reversal, SaleDelta, Unusual,
};
use crate::error::{Error, Result};
use crate::ledger::{Ledger, Profile};
use crate::links::LinkStatus;
use crate::money::{self, Currency, Money};
use crate::permission::{require, Permission};
use crate::settings::{Automation, StoreSettings};
use crate::state::AccountState;
use crate::validate;

/// What a charge of any amount may reach now: `None` when unlimited, else the credit limit plus
/// the store's tolerance, less the balance owed (never below zero). The tolerance is rounded down
/// to the currency's minor unit.
pub fn chargeable(ledger: &Ledger, settings: &StoreSettings) -> Result<Option<Decimal>> {
    let Some(profile) = ledger.profile() else {
        return Ok(Some(Decimal::ZERO));
    };
    let CreditLimit::Amount(limit) = profile.credit_limit else {
        return Ok(None);
    };
    let pct = settings.policies.over_limit_tolerance_percent;
    let tolerance = limit
        .checked_mul(pct)
        .and_then(|t| t.checked_div(Decimal::ONE_HUNDRED))
        .ok_or(Error::Overflow)?
        .round_dp_with_strategy(profile.currency.exponent(), RoundingStrategy::ToZero);
    let ceiling = money::add(limit, tolerance)?;
    Ok(Some(
        money::sub(ceiling, ledger.balance_owed())?.max(Decimal::ZERO),
    ))
}

/// Decides an operation on an account. `account` is the account's id, for error messages.
pub fn decide(
    state: &AccountState,
    settings: &StoreSettings,
    account: &str,
    op: &Operation,
    command: &Command,
) -> Result<Vec<Entry>> {
    let ledger = state.ledger();
    let mut out = Out {
        next_seq: ledger.version() + 1,
        op,
        digest: command.digest(),
        date: business_date(ledger, settings, op),
        entries: Vec::with_capacity(1),
    };
    op.check()?;
    // An account of the streaming month-end run holds only its last entries: what needs its
    // whole history is refused rather than decided on part of it (the run never asks).
    if state.window() > 0
        && matches!(
            command,
            Command::Reverse { .. }
                | Command::RecordPaymentLink(_)
                | Command::OnlinePayment { .. }
                | Command::SetAutomation(_)
        )
    {
        return Err(crate::ledger::corrupt(
            "an operation that needs the account's whole history".into(),
        ));
    }
    // The business date: never before the account's last one, so this bounds the instant too.
    validate::date("instant", out.date)?;
    if let Command::OpenAccount(o) = command {
        if ledger.profile().is_some() {
            return Err(Error::AccountExists {
                account: account.to_string(),
            });
        }
        open_account(&mut out, settings, o)?;
        return Ok(out.entries);
    }
    // Store-wide records live on the book's own ledger, and only there.
    let on_book_ledger = account == crate::store::BOOK_LEDGER;
    if let Command::SetAutomation(new) = command {
        if !on_book_ledger {
            return Err(Error::invalid(
                "automation",
                "is recorded on the book's own ledger",
            ));
        }
        set_automation(&mut out, state, new)?;
        return Ok(out.entries);
    }
    if on_book_ledger {
        return Err(Error::UnknownAccount {
            account: account.to_string(),
        });
    }
    let profile = ledger.profile().ok_or_else(|| Error::UnknownAccount {
        account: account.to_string(),
    })?;
    let actor = op.actor.as_ref();
    let cur = profile.currency;
    // Money that arrived online and messages already sent are recorded even on an archived account.
    let always = matches!(
        command,
        Command::Reactivate | Command::OnlinePayment { .. } | Command::RecordMessage(_)
    );
    if profile.status == AccountStatus::Archived && !always {
        return Err(Error::AccountArchived {
            account: account.to_string(),
        });
    }
    match command {
        Command::OpenAccount(_) | Command::SetAutomation(_) => unreachable!("handled above"),
        Command::UpdateContact(c) => {
            out.push(EntryKind::ContactChanged(Box::new(c.validated()?)), vec![])
        }
        Command::SetCreditLimit(limit) => {
            require(actor, Permission::CreditLimit)?;
            let new = limit.in_currency(cur)?;
            out.push(
                EntryKind::CreditLimitChanged {
                    old: profile.credit_limit,
                    new,
                },
                vec![],
            );
        }
        Command::SetTerms(terms) => {
            require(actor, Permission::CreditLimit)?;
            out.push(EntryKind::TermsChanged { terms: *terms }, vec![]);
        }
        Command::Hold { reason } => {
            if profile.status != AccountStatus::Active {
                return Err(state_error("only an active account can be put on hold"));
            }
            let reason = reason
                .as_deref()
                .map(|r| validate::text("reason", r, false).map(String::into_boxed_str))
                .transpose()?;
            out.status(AccountStatus::OnHold, reason);
        }
        Command::Release => {
            if profile.status != AccountStatus::OnHold {
                return Err(state_error("the account is not on hold"));
            }
            out.status(AccountStatus::Active, None);
        }
        Command::Archive => {
            require(actor, Permission::ArchiveAccount)?;
            out.status(AccountStatus::Archived, None);
        }
        Command::Reactivate => {
            require(actor, Permission::ArchiveAccount)?;
            if profile.status != AccountStatus::Archived {
                return Err(state_error("the account is not archived"));
            }
            out.status(profile.before_archive, None);
        }
        Command::Charge(c) => charge(&mut out, ledger, settings, profile, account, c)?,
        Command::Payment(p) => payment(&mut out, ledger, settings, cur, p)?,
        Command::Deposit { amount, reference } => {
            let amount = amount.positive_in(cur)?;
            let reference = opt_id("reference", reference)?;
            out.push(
                EntryKind::Deposit {
                    amount,
                    reference,
                    online: None,
                },
                vec![],
            );
            auto_apply(&mut out, ledger, settings, amount)?;
        }
        Command::UseCredit { amount, sale } => {
            let amount = amount.positive_in(cur)?;
            ensure_credit(ledger, amount)?;
            let sale = opt_id("sale", sale)?;
            out.push(EntryKind::CreditTender { amount, sale }, vec![]);
        }
        Command::ApplyCredit { amount, invoices } => {
            apply_credit(&mut out, ledger, amount.positive_in(cur)?, invoices)?
        }
        Command::RefundToCredit {
            amount,
            sale,
            sale_total,
        } => refund_to_credit(&mut out, state, settings, cur, amount, sale, sale_total)?,
        Command::RefundCredit { amount, method } => {
            // Money leaves the till.
            require(actor, Permission::CreditAccountRefund)?;
            let amount = amount.positive_in(cur)?;
            ensure_credit(ledger, amount)?;
            let method = opt_id("method", method)?;
            out.push(EntryKind::CreditRefund { amount, method }, vec![]);
        }
        Command::Reverse { entry, reason } => {
            require(actor, Permission::AdjustBalance)?;
            let reason = validate::text("reason", reason, true)?;
            reverse(&mut out, state, *entry, reason)?;
        }
        Command::Adjust {
            direction,
            amount,
            reason,
        } => {
            require(actor, Permission::AdjustBalance)?;
            let amount = amount.positive_in(cur)?;
            let reason = validate::text("reason", reason, true)?.into_boxed_str();
            adjust(
                &mut out, ledger, settings, profile, *direction, amount, reason,
            )?
        }
        Command::RecordPaymentLink(link) => payment_link(&mut out, state, settings, cur, link)?,
        Command::OnlinePayment {
            amount,
            provider_payment_id,
            link,
        } => online_payment(
            &mut out,
            state,
            settings,
            cur,
            amount,
            provider_payment_id,
            link,
        )?,
        Command::RecordMessage(m) => {
            validate::check_id("message id", &m.message_id)?;
            out.push(EntryKind::MessageSent(m.clone()), vec![]);
        }
        Command::WriteOff {
            invoice,
            amount,
            reason,
        } => {
            require(actor, Permission::AdjustBalance)?;
            let reason = validate::text("reason", reason, true)?.into_boxed_str();
            write_off(&mut out, ledger, cur, *invoice, amount.as_ref(), reason)?
        }
    }
    check_balances(ledger, &out.entries)?;
    Ok(out.entries)
}

/// Store credit applied to what is owed: to the oldest invoices, or to the named ones; never
/// more than is owed on them.
fn apply_credit(
    out: &mut Out<'_>,
    ledger: &Ledger,
    amount: Decimal,
    invoices: &[u64],
) -> Result<()> {
    ensure_credit(ledger, amount)?;
    let allocations = if invoices.is_empty() {
        if amount > ledger.balance_owed() {
            return Err(Error::ApplyExceedsBalanceOwed {
                owed: ledger.balance_owed(),
                requested: amount,
            });
        }
        allocate_oldest(ledger, amount, &[])?.0
    } else {
        let (allocations, left) = allocate_named(ledger, invoices, amount)?;
        if left > Decimal::ZERO {
            return Err(Error::ApplyExceedsBalanceOwed {
                owed: money::sub(amount, left)?,
                requested: amount,
            });
        }
        allocations
    };
    out.push(EntryKind::CreditApplied { amount }, allocations);
    Ok(())
}

/// A manager's adjustment: a debit opens an invoice with the account's terms, a credit pays the
/// oldest invoices (any excess becomes store credit).
fn adjust(
    out: &mut Out<'_>,
    ledger: &Ledger,
    settings: &StoreSettings,
    profile: &Profile,
    direction: Direction,
    amount: Decimal,
    reason: Box<str>,
) -> Result<()> {
    match direction {
        Direction::Debit => {
            let due = validate::date("due date", terms_of(profile, settings).due_date(out.date))?;
            out.push(
                EntryKind::Adjustment {
                    direction: Direction::Debit,
                    amount,
                    reason,
                    due_date: Some(due),
                },
                vec![],
            );
        }
        Direction::Credit => {
            let (allocations, _) = allocate_oldest(ledger, amount, &[])?;
            out.push(
                EntryKind::Adjustment {
                    direction: Direction::Credit,
                    amount,
                    reason,
                    due_date: None,
                },
                allocations,
            );
        }
    }
    Ok(())
}

/// Writes off an open invoice: all that remains (`amount` None) or part of it, never more.
fn write_off(
    out: &mut Out<'_>,
    ledger: &Ledger,
    cur: Currency,
    invoice: u64,
    amount: Option<&Money>,
    reason: Box<str>,
) -> Result<()> {
    let inv = ledger
        .invoice(invoice)
        .ok_or(Error::UnknownInvoice { invoice })?;
    if inv.remaining <= Decimal::ZERO {
        return Err(Error::InvoiceNotOpen { invoice });
    }
    let amount = match amount {
        Some(a) => a.positive_in(cur)?,
        None => inv.remaining,
    };
    if amount > inv.remaining {
        return Err(Error::WriteOffExceedsInvoice {
            remaining: inv.remaining,
            requested: amount,
        });
    }
    out.push(
        EntryKind::WriteOff {
            invoice,
            amount,
            reason,
        },
        vec![Allocation { invoice, amount }],
    );
    Ok(())
}

/// Neither balance may pass the largest amount creditbook takes ([`money::max_amount`]): every
/// figure of the account then fits the hosts' integer minor units (C's `int64_t` up to three
/// decimals), and an account's list line never fails to read. Only a rise past it is refused: an
/// operation that lowers a balance is always taken.
fn check_balances(ledger: &Ledger, entries: &[Entry]) -> Result<()> {
    let before = (ledger.balance_owed(), ledger.credit_balance());
    let (mut owed, mut credit) = before;
    for e in entries {
        let effect = e.effect()?;
        owed = money::add(owed, effect.owed)?;
        credit = money::add(credit, effect.credit)?;
    }
    let max = money::max_amount();
    if (owed > max && owed > before.0) || (credit > max && credit > before.1) {
        return Err(Error::Overflow);
    }
    Ok(())
}

/// The entries an operation produces, numbered from the account's next version.
struct Out<'a> {
    next_seq: u64,
    op: &'a Operation,
    digest: u64,
    date: NaiveDate,
    entries: Vec<Entry>,
}

impl Out<'_> {
    fn push(&mut self, kind: EntryKind, allocations: Vec<Allocation>) {
        self.entries.push(Entry {
            seq: self.next_seq,
            op_id: self.op.op_id.clone(),
            op_digest: self.digest,
            at: self.op.at,
            date: self.date,
            actor: self.op.actor.as_ref().map(|a| a.id.clone()),
            kind,
            allocations: allocations.into_boxed_slice(),
        });
        self.next_seq += 1;
    }

    fn status(&mut self, status: AccountStatus, reason: Option<Box<str>>) {
        self.push(EntryKind::StatusChanged { status, reason }, vec![]);
    }
}

/// The business date of an operation: the store-local date of its instant, but never before the
/// account's latest entry. A ledger's dates never go backwards, so the figures of any date are a
/// prefix of the ledger (an offline till's late entry is dated the day it reaches the ledger).
pub fn business_date(ledger: &Ledger, settings: &StoreSettings, op: &Operation) -> NaiveDate {
    let local = settings.local_date(op.at);
    ledger.last_date().map_or(local, |last| local.max(last))
}

fn state_error(reason: &str) -> Error {
    Error::InvalidState {
        reason: reason.to_string(),
    }
}

fn opt_id(field: &'static str, value: &Option<SmolStr>) -> Result<Option<SmolStr>> {
    value
        .as_ref()
        .map(|v| validate::check_id(field, v).map(|()| v.clone()))
        .transpose()
}

fn terms_of(profile: &Profile, settings: &StoreSettings) -> PaymentTerms {
    profile.terms.unwrap_or(settings.default_terms)
}

fn ensure_credit(ledger: &Ledger, amount: Decimal) -> Result<()> {
    if amount > ledger.credit_balance() {
        return Err(Error::InsufficientCredit {
            available: ledger.credit_balance(),
            requested: amount,
        });
    }
    Ok(())
}

/// The automation in force on the book's ledger: the latest change's, else none.
pub fn automation_of(state: &AccountState) -> Automation {
    state
        .entries()
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EntryKind::AutomationChanged { new, .. } => Some((**new).clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// Changes the store's automation (needs `automated_ar`), recording the old and the new.
fn set_automation(out: &mut Out<'_>, state: &AccountState, new: &Automation) -> Result<()> {
    require(out.op.actor.as_ref(), Permission::AutomatedAr)?;
    new.validate()?;
    let old = automation_of(state);
    out.push(
        EntryKind::AutomationChanged {
            old: Box::new(old),
            new: Box::new(new.clone()),
        },
        vec![],
    );
    Ok(())
}

/// Opens an account. Granting credit needs `credit_limit`: a named limit other than 0 (unlimited
/// too); no limit named takes the store's default, which needs no permission.
fn open_account(out: &mut Out<'_>, settings: &StoreSettings, o: &OpenAccount) -> Result<()> {
    let credit_limit = match &o.credit_limit {
        None => settings.policies.default_credit_limit,
        Some(limit) => {
            if *limit != CreditLimit::Amount(Decimal::ZERO) {
                require(out.op.actor.as_ref(), Permission::CreditLimit)?;
            }
            *limit
        }
    };
    let opened = AccountOpened {
        customer: o.customer.validated()?,
        credit_limit: credit_limit.in_currency(settings.currency)?,
        terms: o.terms,
        currency: settings.currency,
    };
    out.push(EntryKind::AccountOpened(Box::new(opened)), vec![]);
    Ok(())
}

fn charge(
    out: &mut Out<'_>,
    ledger: &Ledger,
    settings: &StoreSettings,
    profile: &Profile,
    account: &str,
    c: &Charge,
) -> Result<()> {
    let amount = c.amount.positive_in(profile.currency)?;
    if profile.status == AccountStatus::OnHold {
        return Err(Error::AccountOnHold {
            account: account.to_string(),
        });
    }
    let sale = opt_id("sale", &c.sale)?;
    let invoice_number = opt_id("invoice number", &c.invoice_number)?;
    if let Some(n) = &invoice_number {
        if ledger.invoices().iter().any(|i| i.is_numbered(n)) {
            return Err(Error::invalid(
                "invoice number",
                format!("{n} is already an invoice of this account"),
            ));
        }
    }
    let due_date = match c.due_date {
        Some(d) if d < out.date => {
            return Err(Error::invalid(
                "due date",
                format!("{d} is before the invoice date {}", out.date),
            ))
        }
        Some(d) => validate::date("due date", d)?,
        None => validate::date("due date", terms_of(profile, settings).due_date(out.date))?,
    };
    let override_reason = match &c.override_reason {
        Some(r) => {
            require(out.op.actor.as_ref(), Permission::OverrideCreditLimit)?;
            Some(validate::text("override reason", r, true)?)
        }
        None => None,
    };
    // The override is recorded when it lifted a refusal (credit hold or limit), and only then.
    let mut overridden = false;
    if let Some(allowed) = settings.policies.overdue_hold_days {
        if let Some(oldest) = ledger.open_invoices().next() {
            let days = (out.date - oldest.due_date).num_days();
            if days > i64::from(allowed) {
                if override_reason.is_none() {
                    return Err(Error::OverdueCreditHold {
                        invoice: oldest.id,
                        days_overdue: days,
                        allowed_days: allowed,
                    });
                }
                overridden = true;
            }
        }
    }
    if let Some(available) = chargeable(ledger, settings)? {
        if amount > available {
            if override_reason.is_none() {
                return Err(Error::CreditLimitExceeded {
                    available,
                    requested: amount,
                });
            }
            overridden = true;
        }
    }
    out.push(
        EntryKind::Charge {
            amount,
            sale,
            due_date,
            override_reason: override_reason
                .filter(|_| overridden)
                .map(String::into_boxed_str),
            invoice_number: invoice_number.map(Box::new),
        },
        vec![],
    );
    Ok(())
}

fn payment(
    out: &mut Out<'_>,
    ledger: &Ledger,
    settings: &StoreSettings,
    cur: Currency,
    p: &Payment,
) -> Result<()> {
    let amount = p.amount.positive_in(cur)?;
    let reference = opt_id("reference", &p.reference)?;
    let (allocations, left) = if p.invoices.is_empty() {
        allocate_oldest(ledger, amount, &[])?
    } else {
        allocate_named(ledger, &p.invoices, amount)?
    };
    out.push(
        EntryKind::Payment {
            amount,
            reference,
            online: None,
        },
        allocations,
    );
    auto_apply(out, ledger, settings, left)
}

#[allow(clippy::too_many_arguments)]
fn refund_to_credit(
    out: &mut Out<'_>,
    state: &AccountState,
    settings: &StoreSettings,
    cur: Currency,
    amount: &Money,
    sale: &Option<SmolStr>,
    sale_total: &Option<Money>,
) -> Result<()> {
    require(out.op.actor.as_ref(), Permission::CreditAccountRefund)?;
    let ledger = state.ledger();
    if !settings.policies.refunds_to_credit {
        return Err(Error::RefundsToCreditDisabled);
    }
    let amount = amount.positive_in(cur)?;
    let sale_total = sale_total.map(|t| t.non_negative_in(cur)).transpose()?;
    let sale = opt_id("sale", sale)?;
    let Some(sale) = sale else {
        if !settings.policies.receipt_less_refunds {
            return Err(Error::ReceiptRequired);
        }
        if sale_total.is_some() {
            return Err(Error::invalid(
                "sale total",
                "a refund without the original sale has no sale total",
            ));
        }
        out.push(
            EntryKind::RefundToCredit {
                amount,
                sale: None,
                sale_total: None,
                receipt_less: true,
            },
            vec![],
        );
        return auto_apply(out, ledger, settings, amount);
    };
    let mut record = state.sales()?.get(&sale).cloned().unwrap_or_default();
    if let Some(t) = sale_total {
        record.declared_total = Some(record.declared_total.map_or(t, |d| d.max(t)));
    }
    let refundable = record.refundable();
    if amount > refundable {
        return Err(Error::RefundExceedsSale {
            refundable,
            requested: amount,
        });
    }
    // The sale's own open invoices are reduced first; only the part already paid becomes credit.
    let mut left = amount;
    let mut allocations = Vec::new();
    for id in record.invoices() {
        let Some(inv) = ledger.invoice(id) else {
            continue;
        };
        let take = inv.remaining.min(left);
        if take > Decimal::ZERO {
            allocations.push(Allocation {
                invoice: id,
                amount: take,
            });
            left = money::sub(left, take)?;
        }
    }
    out.push(
        EntryKind::RefundToCredit {
            amount,
            sale: Some(sale),
            sale_total,
            receipt_less: false,
        },
        allocations,
    );
    auto_apply(out, ledger, settings, left)
}

/// The range a payment link's amount must be in: above 0, at most the store's cap and, for what
/// is owed, at most the balance owed. Returns the amount at the currency's scale.
pub fn check_link_amount(
    ledger: &Ledger,
    settings: &StoreSettings,
    cur: Currency,
    purpose: &LinkPurpose,
    amount: Decimal,
) -> Result<Decimal> {
    let amount = cur.normalize(amount)?;
    let cap = settings.messages.payment_link_max;
    let max = match purpose {
        LinkPurpose::Balance { .. } => cap.min(ledger.balance_owed()),
        LinkPurpose::Deposit { .. } => cap,
    };
    if amount <= Decimal::ZERO || amount > max {
        return Err(Error::PaymentLinkAmountOutOfRange {
            min: cur.at_scale(Decimal::ZERO),
            max: cur.at_scale(max),
            requested: amount,
        });
    }
    Ok(amount)
}

/// What a link is for names a statement (its number) or a sale: an identifier either way.
pub fn check_link_purpose(purpose: &LinkPurpose) -> Result<()> {
    match purpose {
        LinkPurpose::Balance { reference } => validate::check_id("reference", reference),
        LinkPurpose::Deposit { sale } => validate::check_id("sale", sale),
    }
}

fn payment_link(
    out: &mut Out<'_>,
    state: &AccountState,
    settings: &StoreSettings,
    cur: Currency,
    link: &LinkRecord,
) -> Result<()> {
    let amount = check_link_amount(state.ledger(), settings, cur, &link.purpose, link.amount)?;
    validate::check_id("payment link reference", &link.reference)?;
    check_link_purpose(&link.purpose)?;
    validate::header_value("payment link URL", &link.url)?;
    if link.url.is_empty() || link.url.len() > 2048 {
        return Err(Error::invalid(
            "payment link URL",
            "must be 1 to 2048 bytes",
        ));
    }
    if let LinkPurpose::Deposit { sale } = &link.purpose {
        // A new request for the same sale cancels the pending one.
        for old in crate::links::links(state.entries(), out.op.at) {
            let same_sale =
                matches!(&old.record.purpose, LinkPurpose::Deposit { sale: s } if s == sale);
            if same_sale && old.status == LinkStatus::Pending {
                out.push(
                    EntryKind::PaymentLinkCancelled {
                        reference: old.record.reference.clone(),
                    },
                    vec![],
                );
            }
        }
    }
    let mut record = link.clone();
    record.amount = amount;
    out.push(EntryKind::PaymentLinkCreated(Box::new(record)), vec![]);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn online_payment(
    out: &mut Out<'_>,
    state: &AccountState,
    settings: &StoreSettings,
    cur: Currency,
    amount: &Money,
    provider_payment_id: &SmolStr,
    link: &Option<SmolStr>,
) -> Result<()> {
    let ledger = state.ledger();
    let amount = amount.positive_in(cur)?;
    validate::check_id("provider payment id", provider_payment_id)?;
    // Money received is never refused: the payment is recorded whatever its link says, and what
    // differed from the link is flagged on the entry (and in the store's notice).
    let mut unusual = Vec::new();
    let purpose = match link {
        Some(reference) => match crate::links::find(state.entries(), reference, out.op.at) {
            Some(l) => {
                if l.record.amount != amount {
                    unusual.push(Unusual::AmountDiffers {
                        asked: l.record.amount,
                    });
                }
                match l.status {
                    LinkStatus::Pending => {}
                    LinkStatus::Expired => unusual.push(Unusual::LinkExpired),
                    LinkStatus::Cancelled => unusual.push(Unusual::LinkCancelled),
                    LinkStatus::Paid => unusual.push(Unusual::LinkAlreadyPaid),
                }
                Some(l.record.purpose)
            }
            None => {
                unusual.push(Unusual::LinkUnknown);
                None
            }
        },
        None => None,
    };
    let online = Some(Box::new(OnlinePayment {
        provider_payment_id: provider_payment_id.clone(),
        link: link.clone(),
        unusual,
    }));
    match purpose {
        Some(LinkPurpose::Deposit { sale }) => {
            out.push(
                EntryKind::Deposit {
                    amount,
                    reference: Some(sale),
                    online,
                },
                vec![],
            );
            auto_apply(out, ledger, settings, amount)
        }
        _ => {
            let (allocations, left) = allocate_oldest(ledger, amount, &[])?;
            out.push(
                EntryKind::Payment {
                    amount,
                    reference: link.clone(),
                    online,
                },
                allocations,
            );
            auto_apply(out, ledger, settings, left)
        }
    }
}

/// Under the auto-apply policy, new credit goes to open invoices (oldest due first) in the same
/// operation, as a separate `CreditApplied` entry.
fn auto_apply(
    out: &mut Out<'_>,
    ledger: &Ledger,
    settings: &StoreSettings,
    new_credit: Decimal,
) -> Result<()> {
    if !settings.policies.auto_apply_credit || new_credit <= Decimal::ZERO {
        return Ok(());
    }
    let already: Vec<Allocation> = out
        .entries
        .iter()
        .flat_map(|e| e.allocations.iter().copied())
        .collect();
    let (allocations, left) = allocate_oldest(ledger, new_credit, &already)?;
    let applied = money::sub(new_credit, left)?;
    if applied > Decimal::ZERO {
        out.push(EntryKind::CreditApplied { amount: applied }, allocations);
    }
    Ok(())
}

/// Allocates `amount` to open invoices, oldest due date first then oldest invoice, net of
/// `already` allocated in this operation. Returns the allocations and what is left.
pub fn allocate_oldest(
    ledger: &Ledger,
    amount: Decimal,
    already: &[Allocation],
) -> Result<(Vec<Allocation>, Decimal)> {
    let mut left = amount;
    let mut out = Vec::new();
    for inv in ledger.open_invoices() {
        if left <= Decimal::ZERO {
            break;
        }
        let taken = money::sum(
            already
                .iter()
                .filter(|a| a.invoice == inv.id)
                .map(|a| a.amount),
        )?;
        let take = money::sub(inv.remaining, taken)?.min(left);
        if take > Decimal::ZERO {
            out.push(Allocation {
                invoice: inv.id,
                amount: take,
            });
            left = money::sub(left, take)?;
        }
    }
    Ok((out, left))
}

/// Allocates `amount` to the named invoices in the order given. Each must exist and be open.
pub fn allocate_named(
    ledger: &Ledger,
    invoices: &[u64],
    amount: Decimal,
) -> Result<(Vec<Allocation>, Decimal)> {
    let mut left = amount;
    let mut out: Vec<Allocation> = Vec::new();
    for id in invoices {
        let inv = ledger
            .invoice(*id)
            .ok_or(Error::UnknownInvoice { invoice: *id })?;
        if inv.remaining <= Decimal::ZERO || out.iter().any(|a| a.invoice == *id) {
            return Err(Error::InvoiceNotOpen { invoice: *id });
        }
        let take = inv.remaining.min(left);
        if take > Decimal::ZERO {
            out.push(Allocation {
                invoice: *id,
                amount: take,
            });
            left = money::sub(left, take)?;
        }
    }
    Ok((out, left))
}

fn reverse(out: &mut Out<'_>, state: &AccountState, seq: u64, reason: String) -> Result<()> {
    let ledger = state.ledger();
    let target = seq
        .checked_sub(1)
        .and_then(|i| state.entries().get(usize::try_from(i).ok()?))
        .ok_or(Error::UnknownEntry { entry: seq })?;
    if ledger.is_reversed(seq) {
        return Err(Error::AlreadyReversed { entry: seq });
    }
    let not_reversible = |why: &str| Error::NotReversible {
        entry: seq,
        reason: why.to_string(),
    };
    let undo: Vec<Allocation> = target
        .allocations
        .iter()
        .map(|a| Allocation {
            invoice: a.invoice,
            amount: -a.amount,
        })
        .collect();
    let effect = target.effect()?;
    // Not `-effect.credit`: the negation of zero is -0, recorded as "-0" and shown as "-0.00".
    let undo_credit = money::sub(Decimal::ZERO, effect.credit)?;
    let mut sale = None;
    let mut cancels_invoice = None;
    let (allocations, credit_delta) = match &target.kind {
        EntryKind::Charge { .. }
        | EntryKind::Adjustment {
            direction: Direction::Debit,
            ..
        } => {
            let inv = ledger
                .invoice(seq)
                .ok_or_else(|| not_reversible("its invoice is unknown"))?;
            if inv.remaining != inv.amount {
                return Err(not_reversible(
                    "its invoice was paid or reduced; reverse those entries first",
                ));
            }
            if let EntryKind::Charge {
                amount,
                sale: Some(s),
                ..
            } = &target.kind
            {
                sale = Some(SaleDelta {
                    sale: s.clone(),
                    paid: -*amount,
                    refunded: Decimal::ZERO,
                });
            }
            cancels_invoice = Some(seq);
            (
                vec![Allocation {
                    invoice: seq,
                    amount: inv.remaining,
                }],
                Decimal::ZERO,
            )
        }
        EntryKind::CreditTender { amount, sale: s } => {
            if let Some(s) = s {
                sale = Some(SaleDelta {
                    sale: s.clone(),
                    paid: -*amount,
                    refunded: Decimal::ZERO,
                });
            }
            (vec![], undo_credit)
        }
        EntryKind::RefundToCredit {
            amount, sale: s, ..
        } => {
            if let Some(s) = s {
                sale = Some(SaleDelta {
                    sale: s.clone(),
                    paid: Decimal::ZERO,
                    refunded: -*amount,
                });
            }
            (undo, undo_credit)
        }
        EntryKind::WriteOff {
            invoice, amount, ..
        } => {
            // A write-off took its amount off what the sale counts as paid; give it back.
            if let Some(s) = ledger.invoice(*invoice).and_then(|i| i.sale.clone()) {
                sale = Some(SaleDelta {
                    sale: s,
                    paid: *amount,
                    refunded: Decimal::ZERO,
                });
            }
            (undo, undo_credit)
        }
        EntryKind::Payment { .. }
        | EntryKind::Deposit { .. }
        | EntryKind::CreditApplied { .. }
        | EntryKind::CreditRefund { .. }
        | EntryKind::Adjustment { .. } => (undo, undo_credit),
        EntryKind::Reversal(_) => return Err(not_reversible("a reversal cannot be reversed")),
        // Every kind is listed: a new kind is irreversible only when it is added here.
        EntryKind::AccountOpened(_)
        | EntryKind::ContactChanged(_)
        | EntryKind::CreditLimitChanged { .. }
        | EntryKind::TermsChanged { .. }
        | EntryKind::StatusChanged { .. }
        | EntryKind::PaymentLinkCreated(_)
        | EntryKind::PaymentLinkCancelled { .. }
        | EntryKind::MessageSent(_)
        | EntryKind::AutomationChanged { .. } => {
            return Err(not_reversible(
                "only entries that move money can be reversed",
            ))
        }
    };
    // What was refunded for a sale never exceeds what was paid for it: undoing a charge or a
    // tender of a sale refunded since would leave the refund without its payment.
    if let Some(d) = sale.as_ref().filter(|d| d.paid < Decimal::ZERO) {
        if let Some(rec) = state.sales()?.get(&d.sale) {
            let paid = money::add(rec.paid_through_account, d.paid)?;
            if rec.refunded > rec.declared_total.map_or(paid, |t| t.max(paid)) {
                return Err(not_reversible(
                    "its sale was refunded since; reverse the refund first",
                ));
            }
        }
    }
    if money::add(ledger.credit_balance(), credit_delta)? < Decimal::ZERO {
        return Err(Error::InsufficientCredit {
            available: ledger.credit_balance(),
            requested: -credit_delta,
        });
    }
    // Giving back an allocation reopens an invoice; a cancelled invoice stays closed.
    for a in &allocations {
        if a.amount < Decimal::ZERO && ledger.invoice(a.invoice).is_some_and(|inv| inv.cancelled) {
            return Err(not_reversible(
                "it paid an invoice that was cancelled since",
            ));
        }
    }
    out.push(
        EntryKind::Reversal(Box::new(Reversal {
            reverses: seq,
            reason,
            credit_delta,
            cancels_invoice,
            sale,
        })),
        allocations,
    );
    Ok(())
}
