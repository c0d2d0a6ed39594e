//! What the shop sees of an account on a date: balances, available credit, standing, open invoices
//! with days past due, aging, and the activity with running balances.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use smol_str::SmolStr;

use crate::account::{AccountStatus, CreditLimit, Customer, Standing};
use crate::entry::{Entry, EntryKind, EntryType};
use crate::error::{Error, Result};
use crate::ledger::{Invoice, Ledger};
use crate::money::{self, Currency};
use crate::settings::AgingBuckets;

/// An account's figures on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountSummary {
    /// The account id.
    pub account_id: SmolStr,
    /// The customer.
    pub customer: Customer,
    /// Active, on hold or archived.
    pub status: AccountStatus,
    /// Settled, outstanding or overdue on `as_of`.
    pub standing: Standing,
    /// The account's currency.
    pub currency: Currency,
    /// The credit limit.
    pub credit_limit: CreditLimit,
    /// Sum of the open invoices' remaining amounts.
    pub balance_owed: Decimal,
    /// Unapplied store credit.
    pub credit_balance: Decimal,
    /// Credit limit less balance owed, never below 0; `None` when the limit is unlimited.
    /// Deposits and store credit do not count (Lightspeed).
    pub available: Option<Decimal>,
    /// What is past due on `as_of`.
    pub overdue: Decimal,
    /// The number of open invoices.
    pub open_invoices: usize,
    /// The date of these figures.
    pub as_of: NaiveDate,
}

/// An open invoice on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenInvoice {
    /// The invoice's place in the ledger (what payments name).
    pub id: u64,
    /// The number the customer sees: the host's own, else `id`.
    pub number: String,
    /// The sale it is for.
    pub sale: Option<SmolStr>,
    /// Invoice date.
    pub date: NaiveDate,
    /// Due date.
    pub due_date: NaiveDate,
    /// Amount first invoiced.
    pub amount: Decimal,
    /// What is still to be paid.
    pub remaining: Decimal,
    /// Days past the due date on `as_of` (0 or less: not yet overdue).
    pub days_past_due: i64,
}

/// Which days past due an aging bucket holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AgeRange {
    /// Not yet due.
    Current,
    /// From `from` to `to` days past due, both included.
    Between {
        /// First day.
        from: u32,
        /// Last day.
        to: u32,
    },
    /// More than `days` past due.
    Over {
        /// The bound.
        days: u32,
    },
}

impl AgeRange {
    /// A short label: `current`, `1-30`, `over 90`.
    pub fn label(&self) -> String {
        match self {
            AgeRange::Current => "current".to_string(),
            AgeRange::Between { from, to } => format!("{from}-{to}"),
            AgeRange::Over { days } => format!("over {days}"),
        }
    }

    fn holds(&self, days_past_due: i64) -> bool {
        match *self {
            AgeRange::Current => days_past_due <= 0,
            AgeRange::Between { from, to } => {
                days_past_due >= i64::from(from) && days_past_due <= i64::from(to)
            }
            AgeRange::Over { days } => days_past_due > i64::from(days),
        }
    }
}

/// One aging bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgingBucket {
    /// Its days past due.
    pub range: AgeRange,
    /// The remaining amounts of the open invoices in it.
    pub amount: Decimal,
}

/// The balance owed by days past due; the buckets always sum to the balance owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Aging {
    /// The date of the aging.
    pub as_of: NaiveDate,
    /// Current first, oldest last.
    pub buckets: Vec<AgingBucket>,
}

impl Aging {
    /// The sum of the buckets.
    pub fn total(&self) -> Result<Decimal> {
        money::sum(self.buckets.iter().map(|b| b.amount))
    }
}

/// Figures of one folded ledger on a date.
pub(crate) fn summary(
    account_id: &SmolStr,
    ledger: &Ledger,
    as_of: NaiveDate,
) -> Result<AccountSummary> {
    let profile = ledger.profile().ok_or_else(|| Error::UnknownAccount {
        account: account_id.to_string(),
    })?;
    let owed = ledger.balance_owed();
    let overdue = money::sum(
        ledger
            .open_invoices()
            .take_while(|i| i.due_date < as_of)
            .map(|i| i.remaining),
    )?;
    let standing = if owed.is_zero() {
        Standing::Settled
    } else if overdue > Decimal::ZERO {
        Standing::Overdue
    } else {
        Standing::Outstanding
    };
    let cur = profile.currency;
    Ok(AccountSummary {
        account_id: account_id.clone(),
        customer: profile.customer.clone(),
        status: profile.status,
        standing,
        currency: cur,
        credit_limit: profile.credit_limit,
        balance_owed: cur.at_scale(owed),
        credit_balance: cur.at_scale(ledger.credit_balance()),
        available: available(profile.credit_limit, owed).map(|a| cur.at_scale(a)),
        overdue: cur.at_scale(overdue),
        open_invoices: ledger.open_count(),
        as_of,
    })
}

/// Credit limit less balance owed, never below 0; `None` when unlimited.
pub fn available(limit: CreditLimit, owed: Decimal) -> Option<Decimal> {
    limit.amount().map(|l| {
        l.checked_sub(owed)
            .unwrap_or(Decimal::ZERO)
            .max(Decimal::ZERO)
    })
}

pub(crate) fn open_invoice(inv: &Invoice, as_of: NaiveDate) -> OpenInvoice {
    OpenInvoice {
        id: inv.id,
        number: inv.number(),
        sale: inv.sale.clone(),
        date: inv.date,
        due_date: inv.due_date,
        amount: inv.amount,
        remaining: inv.remaining,
        days_past_due: (as_of - inv.due_date).num_days(),
    }
}

/// The open invoices of a folded ledger on a date, oldest due first.
pub(crate) fn open_invoices(ledger: &Ledger, as_of: NaiveDate) -> Vec<OpenInvoice> {
    ledger
        .open_invoices()
        .map(|i| open_invoice(i, as_of))
        .collect()
}

/// Ages the open invoices of a folded ledger.
pub(crate) fn aging(ledger: &Ledger, buckets: &AgingBuckets, as_of: NaiveDate) -> Result<Aging> {
    let zero = ledger
        .profile()
        .map_or(Decimal::ZERO, |p| p.currency.at_scale(Decimal::ZERO));
    age(
        buckets,
        as_of,
        zero,
        ledger.open_invoices().map(|i| (i.due_date, i.remaining)),
    )
}

/// Puts amounts by due date into the store's buckets as of a date. `zero` is the currency's zero
/// (so empty buckets print at the currency's scale).
pub fn age(
    buckets: &AgingBuckets,
    as_of: NaiveDate,
    zero: Decimal,
    items: impl Iterator<Item = (NaiveDate, Decimal)>,
) -> Result<Aging> {
    let mut ranges = vec![AgeRange::Current];
    let mut from = 1;
    for &to in buckets.bounds() {
        ranges.push(AgeRange::Between { from, to });
        from = to + 1;
    }
    ranges.push(AgeRange::Over {
        days: *buckets.bounds().last().unwrap_or(&0),
    });
    let mut out: Vec<AgingBucket> = ranges
        .into_iter()
        .map(|range| AgingBucket {
            range,
            amount: zero,
        })
        .collect();
    for (due_date, remaining) in items {
        let days = (as_of - due_date).num_days();
        if let Some(b) = out.iter_mut().find(|b| b.range.holds(days)) {
            b.amount = money::add(b.amount, remaining)?;
        }
    }
    Ok(Aging {
        as_of,
        buckets: out,
    })
}

/// Which entries an activity listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityQuery {
    /// First store-local date, included.
    pub from: NaiveDate,
    /// Last store-local date, included.
    pub to: NaiveDate,
    /// Only these kinds; empty: every kind.
    pub types: Vec<EntryType>,
}

impl ActivityQuery {
    /// Every entry between two dates, both included.
    pub fn between(from: NaiveDate, to: NaiveDate) -> ActivityQuery {
        ActivityQuery {
            from,
            to,
            types: Vec::new(),
        }
    }
}

/// One line of an account's activity: an entry and the balances right after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityLine {
    /// The entry.
    pub entry: Entry,
    /// Balance owed after it.
    pub owed_after: Decimal,
    /// Credit balance after it.
    pub credit_after: Decimal,
    /// For a payment link: where it stands at the end of the activity's last day (pending, paid,
    /// cancelled or expired); `None` for any other entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_status: Option<crate::links::LinkStatus>,
}

impl ActivityLine {
    /// The entry's plain kind.
    pub fn entry_type(&self) -> EntryType {
        self.entry.kind.entry_type()
    }
}

/// Lists the entries of a ledger in the query's range with running balances.
pub(crate) fn activity(entries: &[Entry], query: &ActivityQuery) -> Result<Vec<ActivityLine>> {
    if query.from > query.to {
        return Err(Error::InvalidDateRange {
            from: query.from,
            to: query.to,
        });
    }
    // Running balances are shown at the currency's scale (0.00, not 0).
    let scale = |d: Decimal| match entries.first().map(|e| &e.kind) {
        Some(EntryKind::AccountOpened(o)) => o.currency.at_scale(d),
        _ => d,
    };
    let mut owed = Decimal::ZERO;
    let mut credit = Decimal::ZERO;
    let mut out = Vec::new();
    for e in entries {
        if e.date > query.to {
            break; // business dates never go backwards
        }
        let effect = e.effect()?;
        owed = money::add(owed, effect.owed)?;
        credit = money::add(credit, effect.credit)?;
        if e.date >= query.from
            && (query.types.is_empty() || query.types.contains(&e.kind.entry_type()))
        {
            out.push(ActivityLine {
                link_status: None,
                entry: e.clone(),
                owed_after: scale(owed),
                credit_after: scale(credit),
            });
        }
    }
    Ok(out)
}

/// Folds the prefix of a ledger dated on or before `as_of` (business dates never go backwards).
pub(crate) fn ledger_as_of(entries: &[Entry], as_of: NaiveDate) -> Result<Ledger> {
    let end = entries.partition_point(|e| e.date <= as_of);
    let mut ledger = Ledger::default();
    for e in &entries[..end] {
        ledger.apply(e)?;
    }
    Ok(ledger)
}
