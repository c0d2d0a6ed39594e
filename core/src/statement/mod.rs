//! Statements: what the customer sees of their account for a period, computed once and rendered
//! in every format from the same value.
//!
//! A statement is computed from the account's folded state in O(entries since the period began +
//! open invoices): figures at the period's end are the current figures less the effects of the
//! entries dated after it, so a statement of last month on a long ledger does not refold it.

#[cfg(feature = "statements")]
pub mod html;
#[cfg(feature = "pdf")]
pub mod pdf;
#[cfg(feature = "statements")]
pub mod text;
#[cfg(feature = "ubl")]
pub mod ubl;

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use smol_str::SmolStr;

use crate::account::{CreditLimit, Customer, PostalAddress};
use crate::entry::{Entry, EntryKind, EntryType};
use crate::error::{Error, Result};
use crate::figures::{self, Aging, OpenInvoice};
use crate::i18n::{CurrencyDisplay, Language};
use crate::money::{self, Currency};
use crate::settings::StoreSettings;
use crate::state::AccountState;

/// Version of the statement's JSON schema ([`Statement`] serialized with serde).
pub const STATEMENT_SCHEMA_VERSION: u32 = 1;

/// What the user asks for: a period and, optionally, the statement date, due date, amount due
/// and language (each has a default from the store's settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRequest {
    /// First day of the period (store-local, included).
    pub from: NaiveDate,
    /// Last day of the period (store-local, included).
    pub to: NaiveDate,
    /// The statement's date; default: the period's end. Not before it.
    pub statement_date: Option<NaiveDate>,
    /// The due date; default: statement date + the store's days till due. Not before the
    /// statement date.
    pub due_date: Option<NaiveDate>,
    /// The amount due; default: the closing balance owed x the store's percent due. From 0 to the
    /// balance owed on the statement date.
    pub amount_due: Option<Decimal>,
    /// The language (`"fr"`); default: the customer's when the store prints in it, else the
    /// store's.
    pub language: Option<String>,
    /// The statement number; default: `<account>-<statement date as YYYYMMDD>`.
    pub number: Option<String>,
}

impl StatementRequest {
    /// A statement of a period with every other choice at its default.
    pub fn new(from: NaiveDate, to: NaiveDate) -> StatementRequest {
        StatementRequest {
            from,
            to,
            statement_date: None,
            due_date: None,
            amount_due: None,
            language: None,
            number: None,
        }
    }
}

/// The store's block at the top of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreBlock {
    /// The store's name.
    pub name: String,
    /// The store's address.
    pub address: PostalAddress,
    /// "Make cheques payable to" (the store's name when the setting is blank).
    pub cheques_payable_to: String,
    /// Where to mail payments, when not the store's address.
    pub remittance_address: Option<PostalAddress>,
    /// Extra header text.
    pub header_text: String,
}

/// One entry of the period, with its effect on the balance owed and the running balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    /// The entry's number.
    pub entry: u64,
    /// Its business date.
    pub date: NaiveDate,
    /// What it is.
    pub kind: EntryType,
    /// Its reference (sale, payment reference, reason).
    pub reference: Option<String>,
    /// A refund without receipt.
    pub receipt_less: bool,
    /// The entry's own amount.
    pub amount: Decimal,
    /// What it added to the balance owed (a charge).
    pub charge: Decimal,
    /// What it took off the balance owed (a payment, a refund, a credit applied).
    pub credit: Decimal,
    /// The balance owed after it.
    pub balance: Decimal,
    /// Its change of the store credit (a deposit +, credit used -); 0 for most.
    pub credit_change: Decimal,
    /// The store credit after it.
    pub credit_balance: Decimal,
}

/// The credit limit as printed, when the store shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditLimitShown {
    /// The limit.
    pub limit: CreditLimit,
    /// Limit less the closing balance owed (never below 0); `None` when unlimited.
    pub available: Option<Decimal>,
}

/// A link the customer can follow to pay online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentLinkShown {
    /// The URL.
    pub url: String,
    /// The amount it asks for.
    pub amount: Decimal,
    /// When it stops working, in the store's time (the offset keeps the exact instant).
    pub expires_at: Option<DateTime<FixedOffset>>,
}

/// A statement of account. Every rendering (HTML, text, UBL, JSON) comes from this one value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// [`STATEMENT_SCHEMA_VERSION`].
    pub schema: u32,
    /// The statement number.
    pub number: String,
    /// The account.
    pub account_id: SmolStr,
    /// The language it is printed in.
    pub language: Language,
    /// The locale of numbers and dates (`fr-CA`).
    pub locale: String,
    /// The account's currency.
    pub currency: Currency,
    /// Symbol or ISO code.
    pub currency_display: CurrencyDisplay,
    /// The store.
    pub store: StoreBlock,
    /// The customer.
    pub customer: Customer,
    /// The statement's date.
    pub statement_date: NaiveDate,
    /// First day of the period.
    pub period_from: NaiveDate,
    /// Last day of the period.
    pub period_to: NaiveDate,
    /// Balance owed at the start of the period.
    pub opening_balance: Decimal,
    /// Store credit at the start of the period.
    pub opening_credit_balance: Decimal,
    /// Every entry of the period that moves money, in order.
    pub lines: Vec<StatementLine>,
    /// Sum of the lines' charges.
    pub total_charges: Decimal,
    /// Sum of the lines' credits.
    pub total_credits: Decimal,
    /// Balance owed at the end of the period: opening + charges - credits.
    pub closing_balance: Decimal,
    /// Store credit at the end of the period (shown beside the balance, never netted).
    pub credit_balance: Decimal,
    /// The credit limit, when the store shows it.
    pub credit_limit: Option<CreditLimitShown>,
    /// Invoices open at the end of the period, oldest due first, days past due on the statement
    /// date.
    pub open_invoices: Vec<OpenInvoice>,
    /// The closing balance by days past due on the statement date.
    pub aging: Aging,
    /// What the customer is asked to pay.
    pub amount_due: Decimal,
    /// By when.
    pub due_date: NaiveDate,
    /// True when due on the statement date ("due upon receipt").
    pub due_upon_receipt: bool,
    /// The "Pay online" link, when one is attached.
    pub payment_link: Option<PaymentLinkShown>,
    /// Why no link is attached although the store includes links (the amount is above the cap).
    pub payment_link_omitted: Option<Decimal>,
}

impl Statement {
    /// The localizer of its language, locale and currency: what every rendering prints with.
    pub fn localizer(&self) -> Result<crate::i18n::Localizer> {
        let country = self.locale.split_once('-').map(|(_, c)| c);
        crate::i18n::Localizer::new(self.language, country, self.currency, self.currency_display)
    }

    /// The statement as JSON (schema [`STATEMENT_SCHEMA_VERSION`]; amounts as decimal strings,
    /// dates ISO 8601).
    #[cfg(feature = "statements")]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("statements always serialize")
    }
}

fn invalid(reason: String) -> Error {
    Error::InvalidStatementRequest { reason }
}

/// Sums the effects of entries: (owed, credit).
fn effects(entries: &[Entry]) -> Result<(Decimal, Decimal)> {
    entries
        .iter()
        .try_fold((Decimal::ZERO, Decimal::ZERO), |(o, c), e| {
            let x = e.effect()?;
            Ok((money::add(o, x.owed)?, money::add(c, x.credit)?))
        })
}

/// The lines of a period and the figures they add up to.
struct Period {
    lines: Vec<StatementLine>,
    opening: Decimal,
    opening_credit: Decimal,
    total_charges: Decimal,
    total_credits: Decimal,
}

/// The lines of the period's `entries`, from the balance owed and the store credit at its end:
/// walking back from the end, each entry's effect is computed once, and what is left at the
/// start is the opening balance.
fn lines(entries: &[Entry], cur: Currency, closing: Decimal, credit: Decimal) -> Result<Period> {
    let scale = Scale::of(cur);
    let mut lines = Vec::with_capacity(entries.len());
    let (mut owed, mut credit) = (closing, credit);
    let (mut total_charges, mut total_credits) = (Decimal::ZERO, Decimal::ZERO);
    for e in entries.iter().rev() {
        let kind = e.kind.entry_type();
        let x = e.effect()?;
        if kind.is_financial() {
            let charge = above_zero(x.owed);
            let credit_line = above_zero(-x.owed);
            total_charges = plus(total_charges, charge)?;
            total_credits = plus(total_credits, credit_line)?;
            lines.push(StatementLine {
                entry: e.seq,
                date: e.date,
                kind,
                reference: e.kind.reference().map(str::to_string),
                receipt_less: matches!(
                    e.kind,
                    EntryKind::RefundToCredit {
                        receipt_less: true,
                        ..
                    }
                ),
                // A reversal has no amount of its own: show what it moved.
                amount: scale.put(
                    e.kind
                        .amount()
                        .unwrap_or_else(|| charge.max(credit_line).max(x.credit.abs())),
                ),
                charge: scale.put(charge),
                credit: scale.put(credit_line),
                balance: scale.put(owed),
                credit_change: scale.put(x.credit),
                credit_balance: scale.put(credit),
            });
        }
        // The figures before this entry.
        owed = plus(owed, -x.owed)?;
        credit = plus(credit, -x.credit)?;
    }
    lines.reverse();
    Ok(Period {
        lines,
        opening: owed,
        opening_credit: credit,
        total_charges,
        total_credits,
    })
}

/// `a + b`, or [`Error::Overflow`], for the loop over lines: inlined (a call such as
/// [`money::add`] returns its `Result` through memory, on the running balance's critical path),
/// and nothing to do for the zeros most effects are made of (the scale of a sum of zeros does
/// not matter: every figure is put at the currency's scale).
#[inline(always)]
fn plus(a: Decimal, b: Decimal) -> Result<Decimal> {
    if b.is_zero() {
        Ok(a)
    } else {
        a.checked_add(b).ok_or(Error::Overflow)
    }
}

/// `d` when above zero, else zero.
fn above_zero(d: Decimal) -> Decimal {
    if d.is_sign_positive() && !d.is_zero() {
        d
    } else {
        Decimal::ZERO
    }
}

/// Puts figures at a currency's scale, as [`Currency::at_scale`] does, without rescaling zeros
/// and figures already at that scale (nearly all).
struct Scale {
    cur: Currency,
    /// Zero at the currency's scale.
    zero: Decimal,
}

impl Scale {
    fn of(cur: Currency) -> Scale {
        Scale {
            cur,
            zero: cur.at_scale(Decimal::ZERO),
        }
    }

    fn put(&self, amount: Decimal) -> Decimal {
        if amount.is_zero() {
            self.zero
        } else if amount.scale() == self.cur.exponent() {
            amount
        } else {
            self.cur.at_scale(amount)
        }
    }
}

/// Computes a statement of an account.
pub fn build(
    account_id: &SmolStr,
    state: &AccountState,
    settings: &StoreSettings,
    request: &StatementRequest,
) -> Result<Statement> {
    let from = crate::validate::date("period start", request.from)?;
    let to = crate::validate::date("period end", request.to)?;
    if from > to {
        return Err(Error::InvalidDateRange { from, to });
    }
    let ledger = state.ledger();
    let profile = ledger.profile().ok_or_else(|| Error::UnknownAccount {
        account: account_id.to_string(),
    })?;
    let cur = profile.currency;
    let statement_date =
        crate::validate::date("statement date", request.statement_date.unwrap_or(to))?;
    if statement_date < to {
        return Err(invalid(format!(
            "the statement date {statement_date} is before the period's end {to}"
        )));
    }
    let language = settings.pick_language(
        request.language.as_deref(),
        profile.customer.language.as_deref(),
    )?;
    let entries = state.entries();
    // Business dates never go backwards, so periods are slices of the ledger.
    let start = entries.partition_point(|e| e.date < from);
    let end = entries.partition_point(|e| e.date <= to);
    let upto = entries.partition_point(|e| e.date <= statement_date);
    let after_statement_date = effects(&entries[upto..])?;
    let before_statement_date = effects(&entries[end..upto])?;
    let owed_on_statement_date = money::sub(ledger.balance_owed(), after_statement_date.0)?;
    let closing = money::sub(owed_on_statement_date, before_statement_date.0)?;
    let credit_at_end = money::sub(
        money::sub(ledger.credit_balance(), after_statement_date.1)?,
        before_statement_date.1,
    )?;
    let period = lines(&entries[start..end], cur, closing, credit_at_end)?;
    let open_invoices = open_at(state, end, statement_date)?;
    let aging = figures::age(
        &settings.aging,
        statement_date,
        cur.at_scale(Decimal::ZERO),
        open_invoices.iter().map(|i| (i.due_date, i.remaining)),
    )?;

    let amount_due = match request.amount_due {
        Some(a) => {
            let a = cur.normalize(a)?;
            if a < Decimal::ZERO || a > owed_on_statement_date {
                return Err(invalid(format!(
                    "the amount due {a} is not between 0 and the balance owed {owed_on_statement_date}"
                )));
            }
            a
        }
        None => closing
            .checked_mul(settings.statements.percent_due)
            .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
            .ok_or(Error::Overflow)?
            .round_dp_with_strategy(cur.exponent(), RoundingStrategy::MidpointAwayFromZero)
            .min(owed_on_statement_date),
    };
    let due_date = match request.due_date {
        Some(d) if d < statement_date => {
            return Err(invalid(format!(
                "the due date {d} is before the statement date {statement_date}"
            )))
        }
        Some(d) => crate::validate::date("due date", d)?,
        None => crate::validate::date(
            "due date",
            statement_date
                .checked_add_days(Days::new(u64::from(settings.statements.days_till_due)))
                .unwrap_or(NaiveDate::MAX),
        )?,
    };
    let st = &settings.statements;
    let number = match &request.number {
        Some(n) => crate::validate::id("statement number", n)?.to_string(),
        None => format!("{account_id}-{}", statement_date.format("%Y%m%d")),
    };
    Ok(Statement {
        schema: STATEMENT_SCHEMA_VERSION,
        number,
        account_id: account_id.clone(),
        language,
        locale: match settings.country() {
            Some(c) => format!("{}-{c}", language.code()),
            None => language.code().to_string(),
        },
        currency: cur,
        currency_display: st.currency_display,
        store: StoreBlock {
            name: settings.name.clone(),
            address: settings.address.clone(),
            cheques_payable_to: if st.cheques_payable_to.trim().is_empty() {
                settings.name.clone()
            } else {
                st.cheques_payable_to.clone()
            },
            remittance_address: st.remittance_address.clone(),
            header_text: st.header_text.clone(),
        },
        customer: profile.customer.clone(),
        statement_date,
        period_from: from,
        period_to: to,
        opening_balance: cur.at_scale(period.opening),
        opening_credit_balance: cur.at_scale(period.opening_credit),
        lines: period.lines,
        total_charges: cur.at_scale(period.total_charges),
        total_credits: cur.at_scale(period.total_credits),
        closing_balance: cur.at_scale(closing),
        credit_balance: cur.at_scale(credit_at_end),
        credit_limit: st.display_credit_limit.then(|| CreditLimitShown {
            limit: profile.credit_limit,
            available: figures::available(profile.credit_limit, closing).map(|a| cur.at_scale(a)),
        }),
        open_invoices,
        aging,
        amount_due: cur.at_scale(amount_due),
        due_date,
        due_upon_receipt: due_date == statement_date,
        payment_link: None,
        payment_link_omitted: None,
    })
}

/// The invoices open after the first `end` entries, with days past due on `as_of`: the current
/// open invoices plus those the later entries paid, each with the later allocations added back.
fn open_at(state: &AccountState, end: usize, as_of: NaiveDate) -> Result<Vec<OpenInvoice>> {
    let ledger = state.ledger();
    let tail = &state.entries()[end..];
    let first_later = tail.first().map_or(u64::MAX, |e| e.seq);
    let later = allocated_by_invoice(tail)?;
    let mut ids: Vec<u64> = ledger
        .open_invoices()
        .map(|i| i.id)
        .chain(later.iter().map(|(id, _)| *id))
        .filter(|id| *id < first_later)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let Some(inv) = ledger.invoice(id) else {
            continue;
        };
        let added_back = later
            .binary_search_by_key(&id, |(i, _)| *i)
            .map_or(Decimal::ZERO, |k| later[k].1);
        let remaining = money::add(inv.remaining, added_back)?;
        if remaining > Decimal::ZERO {
            let mut open = figures::open_invoice(inv, as_of);
            open.remaining = remaining;
            out.push(open);
        }
    }
    out.sort_by_key(|i| (i.due_date, i.id));
    Ok(out)
}

/// What `entries` allocated to each invoice: (invoice, sum), by invoice.
fn allocated_by_invoice(entries: &[Entry]) -> Result<Vec<(u64, Decimal)>> {
    let mut all: Vec<(u64, Decimal)> = entries
        .iter()
        .flat_map(|e| e.allocations.iter())
        .map(|a| (a.invoice, a.amount))
        .collect();
    all.sort_by_key(|(id, _)| *id);
    let mut sums: Vec<(u64, Decimal)> = Vec::with_capacity(all.len());
    for (id, amount) in all {
        match sums.last_mut() {
            Some((last, sum)) if *last == id => *sum = money::add(*sum, amount)?,
            _ => sums.push((id, amount)),
        }
    }
    Ok(sums)
}
