//! The fold of an account's entries into its figures: the account's terms, its invoices (open and
//! closed) and its two balances. (What the account knows of each sale is in [`crate::sales`].)
//!
//! Folding is pure and incremental: [`Ledger::apply`] takes one entry at a time in ledger order, in
//! O(log n), so figures are O(1) to read once folded and a reload only folds what is new.

use std::collections::BTreeSet;

use rustc_hash::FxHashSet;

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
    /// The status the account had when it was archived: reactivating returns to it (an account
    /// archived while on hold comes back on hold).
    pub before_archive: AccountStatus,
}

/// An invoice: what one charge (or debit adjustment) asks the customer to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// Its number: the number of the entry that opened it.
    pub id: u64,
    /// The sale it is for, when known.
    pub sale: Option<SmolStr>,
    /// The host's own invoice number, when it gave one.
    pub host_number: Option<SmolStr>,
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

impl Invoice {
    /// The number the customer sees: the host's own, else the invoice's place in the ledger.
    pub fn number(&self) -> String {
        display_number(self.host_number.as_deref(), self.id)
    }

    /// True when the customer would read `number` as this invoice's number.
    pub fn is_numbered(&self, number: &str) -> bool {
        match &self.host_number {
            Some(n) => n == number,
            None => number.parse::<u64>().ok() == Some(self.id),
        }
    }
}

/// The number an invoice shows: the host's own, else its place in the ledger.
pub fn display_number(host_number: Option<&str>, id: u64) -> String {
    host_number.map_or_else(|| id.to_string(), str::to_string)
}

/// An account's figures, folded from its entries.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    version: u64,
    profile: Option<Profile>,
    /// Every invoice, by increasing number (they are opened in ledger order).
    invoices: Vec<Invoice>,
    /// `invoice_at[seq]` is 1 + the position in `invoices` of the invoice entry `seq` opened, or
    /// 0: O(1) lookup by invoice number, 4 bytes per entry.
    invoice_at: Vec<u32>,
    open: BTreeSet<(NaiveDate, u64)>,
    reversed: FxHashSet<u64>,
    balance_owed: Decimal,
    credit_balance: Decimal,
    last_date: Option<NaiveDate>,
    /// `invoice_at[i]` is about entry `invoice_base + i`: 0 but once paid invoices were forgotten
    /// ([`Ledger::forget_paid_when_worth_it`]), then the oldest invoice still held.
    invoice_base: u64,
}

impl Ledger {
    /// Reserves room for folding `entries` (one pass to count invoices, so a long ledger is
    /// folded without regrowing its tables).
    pub fn reserve_for(&mut self, entries: &[Entry]) {
        let invoices = entries
            .iter()
            .filter(|e| e.kind.opens_invoice().is_some())
            .count();
        self.invoices.reserve(invoices);
        self.invoice_at.reserve(entries.len() + 1);
    }

    /// The number of entries folded (the account's version).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The account's terms, `None` before it is opened.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    /// The account's terms, or [`Error::UnknownAccount`] naming `account` before it is opened.
    pub fn profile_of(&self, account: &str) -> Result<&Profile> {
        self.profile.as_ref().ok_or_else(|| Error::UnknownAccount {
            account: account.to_string(),
        })
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
        self.invoices.get(self.invoice_position(id)?)
    }

    fn invoice_position(&self, id: u64) -> Option<usize> {
        let slot = *self
            .invoice_at
            .get(usize::try_from(id.checked_sub(self.invoice_base)?).ok()?)?;
        (slot as usize).checked_sub(1)
    }

    fn invoice_mut(&mut self, id: u64) -> Result<&mut Invoice> {
        let i = self
            .invoice_position(id)
            .ok_or_else(|| corrupt(format!("unknown invoice {id}")))?;
        Ok(&mut self.invoices[i])
    }

    /// Every invoice, open or not, by increasing number.
    pub fn invoices(&self) -> &[Invoice] {
        &self.invoices
    }

    /// Open invoices, oldest due date first (then oldest invoice): the allocation order.
    pub fn open_invoices(&self) -> impl Iterator<Item = &Invoice> + '_ {
        self.open.iter().filter_map(|(_, id)| self.invoice(*id))
    }

    /// The number of open invoices.
    pub fn open_count(&self) -> usize {
        self.open.len()
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
                before_archive: AccountStatus::Active,
            });
            return Ok(());
        }
        if let EntryKind::AutomationChanged { .. } = &entry.kind {
            // The book's own ledger (store-wide records) has no profile: nothing to fold.
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
            EntryKind::StatusChanged { status, .. } => {
                if *status == AccountStatus::Archived {
                    profile.before_archive = profile.status;
                }
                profile.status = *status;
            }
            EntryKind::Reversal(r) => {
                if !self.reversed.insert(r.reverses) {
                    return Err(corrupt(format!("entry {} reversed twice", r.reverses)));
                }
                if let Some(id) = r.cancels_invoice {
                    self.invoice_mut(id)?.cancelled = true;
                }
            }
            _ => {}
        }
        if let Some((amount, due_date)) = entry.kind.opens_invoice() {
            let (sale, host_number) = match &entry.kind {
                EntryKind::Charge {
                    sale,
                    invoice_number,
                    ..
                } => (sale.clone(), invoice_number.as_deref().cloned()),
                _ => (None, None),
            };
            let at = usize::try_from(entry.seq - self.invoice_base)
                .map_err(|_| corrupt("more than 4 billion invoices".into()))?;
            if self.invoice_at.len() <= at {
                self.invoice_at.resize(at + 1, 0);
            }
            self.invoice_at[at] = u32::try_from(self.invoices.len() + 1)
                .map_err(|_| corrupt("more than 4 billion invoices".into()))?;
            self.invoices.push(Invoice {
                id: entry.seq,
                sale,
                host_number,
                date: entry.date,
                due_date,
                amount,
                remaining: amount,
                cancelled: false,
            });
            self.open.insert((due_date, entry.seq));
        }
        Ok(())
    }

    /// For the streaming month-end run only: keeps an account's memory to its open invoices, not
    /// its history. Called after each entry: when the invoices' table is full (the next invoice
    /// would double it) and at least an eighth of it is paid in full, the paid ones (and the
    /// index by entry number below the oldest invoice left) are forgotten; when it is mostly open
    /// it grows by an eighth (the open invoices at the period's end are most of the run's
    /// memory: 104 bytes each). Afterwards [`Ledger::invoice`] and [`Ledger::invoices`] know only the
    /// invoices open then and those opened since; figures, open invoices and allocation are
    /// unchanged. Amortized O(1) per entry.
    pub(crate) fn forget_paid_when_worth_it(&mut self) {
        let len = self.invoices.len();
        if len < 8 || len < self.invoices.capacity() {
            return;
        }
        if len.saturating_sub(self.open.len()) < len / 8 {
            self.invoices.reserve_exact(len / 8 + 4);
            return;
        }
        self.invoices
            .retain(|i| i.remaining > Decimal::ZERO || i.cancelled);
        // The index now starts at the oldest invoice held (an entry's number is past every
        // invoice's, so the base never passes one opened later).
        self.invoice_base = self.invoices.first().map_or(self.version, |i| i.id);
        self.invoice_at.clear();
        for (k, inv) in self.invoices.iter().enumerate() {
            let at = (inv.id - self.invoice_base) as usize;
            if self.invoice_at.len() <= at {
                self.invoice_at.resize(at + 1, 0);
            }
            // Fewer invoices than before, so their positions fit as they did.
            self.invoice_at[at] = (k + 1) as u32;
        }
        self.invoice_at.shrink_to(self.invoice_at.len() * 2);
    }

    fn allocate(&mut self, id: u64, amount: Decimal) -> Result<()> {
        let inv = self.invoice_mut(id)?;
        let was_open = inv.remaining > Decimal::ZERO;
        let remaining = money::sub(inv.remaining, amount)?;
        if remaining < Decimal::ZERO || remaining > inv.amount {
            return Err(corrupt(format!("allocation of {amount} to invoice {id}")));
        }
        inv.remaining = remaining;
        let is_open = remaining > Decimal::ZERO;
        let key = (inv.due_date, id);
        if was_open && !is_open {
            self.open.remove(&key);
        } else if !was_open && is_open {
            self.open.insert(key);
        }
        Ok(())
    }
}

pub(crate) fn corrupt(reason: String) -> Error {
    Error::CorruptRecord { reason }
}
