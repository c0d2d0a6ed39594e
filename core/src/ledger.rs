//! The fold of an account's entries into its figures: the account's terms, its invoices (open and
//! closed), what it knows of each sale, and its two balances.
//!
//! Folding is pure and incremental: [`Ledger::apply`] takes one entry at a time in ledger order, in
//! O(log n), so figures are O(1) to read once folded and a reload only folds what is new.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use smol_str::SmolStr;

use crate::account::{AccountStatus, CreditLimit, Customer, PaymentTerms};
use crate::entry::{Entry, EntryKind};
use crate::error::{Error, Result};
use crate::money::{self, Currency};

/// The account's terms as they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The customer.
    pub customer: Customer,
    /// The credit limit.
    pub credit_limit: CreditLimit,
    /// The account's own terms; `None` follows the store's.
    pub terms: Option<PaymentTerms>,
    /// Active, on hold or archived.
    pub status: AccountStatus,
    /// The account's currency.
    pub currency: Currency,
    /// The business date it was opened.
    pub opened_on: NaiveDate,
}

/// An invoice: what one charge (or debit adjustment) asks the customer to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// Its number: the number of the entry that opened it.
    pub id: u64,
    /// The sale it is for, when known.
    pub sale: Option<SmolStr>,
    /// The store-local invoice date.
    pub date: NaiveDate,
    /// The due date.
    pub due_date: NaiveDate,
    /// The amount first invoiced.
    pub amount: Decimal,
    /// What is still to be paid.
    pub remaining: Decimal,
    /// True once the entry that opened it was reversed.
    pub cancelled: bool,
}

/// What the account knows of one sale: what was paid for it through the account and what was
/// refunded. The cap on refunds comes from here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sale {
    /// Charged to the account or paid with its store credit.
    pub paid_through_account: Decimal,
    /// Refunded to store credit so far.
    pub refunded: Decimal,
    /// The largest total a caller declared for it (for sales paid otherwise).
    pub declared_total: Option<Decimal>,
    /// Invoices opened for it, in order.
    pub invoices: Vec<u64>,
}

impl Sale {
    /// What can still be refunded: the larger of what the account saw and the declared total,
    /// less what was refunded already (never below zero).
    pub fn refundable(&self) -> Decimal {
        let paid = self.declared_total.map_or(self.paid_through_account, |t| {
            t.max(self.paid_through_account)
        });
        (paid - self.refunded).max(Decimal::ZERO)
    }
}

/// An account's figures, folded from its entries.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    version: u64,
    profile: Option<Profile>,
    invoices: HashMap<u64, Invoice>,
    open: BTreeSet<(NaiveDate, u64)>,
    sales: HashMap<SmolStr, Sale>,
    reversed: HashSet<u64>,
    balance_owed: Decimal,
    credit_balance: Decimal,
    last_date: Option<NaiveDate>,
}

impl Ledger {
    /// The number of entries folded (the account's version).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The account's terms, `None` before it is opened.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    /// Sum of the remaining amounts of all open invoices (never negative).
    pub fn balance_owed(&self) -> Decimal {
        self.balance_owed
    }

    /// Sum of unapplied store credit (never negative).
    pub fn credit_balance(&self) -> Decimal {
        self.credit_balance
    }

    /// The latest business date among the entries folded.
    pub fn last_date(&self) -> Option<NaiveDate> {
        self.last_date
    }

    /// An invoice by number, open or not.
    pub fn invoice(&self, id: u64) -> Option<&Invoice> {
        self.invoices.get(&id)
    }

    /// Open invoices, oldest due date first (then oldest invoice): the allocation order.
    pub fn open_invoices(&self) -> impl Iterator<Item = &Invoice> + '_ {
        self.open.iter().filter_map(|(_, id)| self.invoices.get(id))
    }

    /// The number of open invoices.
    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    /// What the account knows of a sale.
    pub fn sale(&self, sale: &str) -> Option<&Sale> {
        self.sales.get(sale)
    }

    /// True when the entry was reversed.
    pub fn is_reversed(&self, seq: u64) -> bool {
        self.reversed.contains(&seq)
    }

    /// Folds one entry. Entries must come in ledger order (seq = version + 1); anything that does
    /// not fit (a gap, an unknown invoice, a balance going negative) is a corrupt ledger.
    pub fn apply(&mut self, entry: &Entry) -> Result<()> {
        if entry.seq != self.version + 1 {
            return Err(corrupt(format!(
                "entry {} follows version {}",
                entry.seq, self.version
            )));
        }
        let effect = entry
            .effect()
            .map_err(|_| corrupt("amounts overflow".into()))?;
        self.apply_kind(entry)?;
        for a in &entry.allocations {
            self.allocate(a.invoice, a.amount)?;
        }
        self.balance_owed = money::add(self.balance_owed, effect.owed)?;
        self.credit_balance = money::add(self.credit_balance, effect.credit)?;
        if self.balance_owed < Decimal::ZERO || self.credit_balance < Decimal::ZERO {
            return Err(corrupt(format!(
                "entry {} makes a balance negative",
                entry.seq
            )));
        }
        self.version = entry.seq;
        self.last_date = Some(self.last_date.map_or(entry.date, |d| d.max(entry.date)));
        Ok(())
    }

    fn apply_kind(&mut self, entry: &Entry) -> Result<()> {
        if let EntryKind::AccountOpened(o) = &entry.kind {
            if self.profile.is_some() {
                return Err(corrupt("account opened twice".into()));
            }
            self.profile = Some(Profile {
                customer: o.customer.clone(),
                credit_limit: o.credit_limit,
                terms: o.terms,
                status: AccountStatus::Active,
                currency: o.currency,
                opened_on: entry.date,
            });
            return Ok(());
        }
        let profile = self
            .profile
            .as_mut()
            .ok_or_else(|| corrupt("entry before the account was opened".into()))?;
        match &entry.kind {
            EntryKind::ContactChanged(c) => profile.customer = (**c).clone(),
            EntryKind::CreditLimitChanged { new, .. } => profile.credit_limit = *new,
            EntryKind::TermsChanged { terms } => profile.terms = *terms,
            EntryKind::StatusChanged { status, .. } => profile.status = *status,
            EntryKind::Charge {
                amount,
                sale: Some(s),
                ..
            } => {
                let rec = self.sales.entry(s.clone()).or_default();
                rec.paid_through_account = money::add(rec.paid_through_account, *amount)?;
                rec.invoices.push(entry.seq);
            }
            EntryKind::CreditTender {
                amount,
                sale: Some(s),
            } => {
                let rec = self.sales.entry(s.clone()).or_default();
                rec.paid_through_account = money::add(rec.paid_through_account, *amount)?;
            }
            EntryKind::RefundToCredit {
                amount,
                sale: Some(s),
                sale_total,
                ..
            } => {
                let rec = self.sales.entry(s.clone()).or_default();
                rec.refunded = money::add(rec.refunded, *amount)?;
                if let Some(t) = sale_total {
                    rec.declared_total = Some(rec.declared_total.map_or(*t, |d| d.max(*t)));
                }
            }
            EntryKind::Reversal(r) => {
                if !self.reversed.insert(r.reverses) {
                    return Err(corrupt(format!("entry {} reversed twice", r.reverses)));
                }
                if let Some(d) = &r.sale {
                    let rec = self.sales.entry(d.sale.clone()).or_default();
                    rec.paid_through_account = money::add(rec.paid_through_account, d.paid)?;
                    rec.refunded = money::add(rec.refunded, d.refunded)?;
                }
                if let Some(id) = r.cancels_invoice {
                    let inv = self
                        .invoices
                        .get_mut(&id)
                        .ok_or_else(|| corrupt(format!("unknown invoice {id}")))?;
                    inv.cancelled = true;
                }
            }
            _ => {}
        }
        if let Some((amount, due_date)) = entry.kind.opens_invoice() {
            let sale = match &entry.kind {
                EntryKind::Charge { sale, .. } => sale.clone(),
                _ => None,
            };
            self.invoices.insert(
                entry.seq,
                Invoice {
                    id: entry.seq,
                    sale,
                    date: entry.date,
                    due_date,
                    amount,
                    remaining: amount,
                    cancelled: false,
                },
            );
            self.open.insert((due_date, entry.seq));
        }
        Ok(())
    }

    fn allocate(&mut self, id: u64, amount: Decimal) -> Result<()> {
        let inv = self
            .invoices
            .get_mut(&id)
            .ok_or_else(|| corrupt(format!("allocation to unknown invoice {id}")))?;
        let was_open = inv.remaining > Decimal::ZERO;
        let remaining = money::sub(inv.remaining, amount)?;
        if remaining < Decimal::ZERO || remaining > inv.amount {
            return Err(corrupt(format!("allocation of {amount} to invoice {id}")));
        }
        inv.remaining = remaining;
        let is_open = remaining > Decimal::ZERO;
        if was_open && !is_open {
            self.open.remove(&(inv.due_date, id));
        } else if !was_open && is_open {
            self.open.insert((inv.due_date, id));
        }
        Ok(())
    }
}

fn corrupt(reason: String) -> Error {
    Error::CorruptRecord { reason }
}
