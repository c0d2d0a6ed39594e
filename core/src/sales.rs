//! What an account knows of each sale: what was paid for it through the account and what was
//! refunded, the base of the cap on refunds.
//!
//! Only refunds need it, so an account builds this index on the first refund decision (one pass
//! over its entries) and keeps it up to date from then on; loading a long ledger does not pay for it.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use smol_str::SmolStr;

use crate::entry::{Entry, EntryKind};
use crate::error::Result;
use crate::money;

/// What the account knows of one sale: what was paid for it through the account (charged or paid
/// with store credit, less what was written off) and what was refunded. The cap on refunds comes from here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sale {
    /// Charged to the account or paid with its store credit.
    pub paid_through_account: Decimal,
    /// Refunded to store credit so far.
    pub refunded: Decimal,
    /// The largest total a caller declared for it (for sales paid otherwise).
    pub declared_total: Option<Decimal>,
    /// The first invoice opened for it (most sales have one), 0 when none.
    first_invoice: u64,
    /// Further invoices opened for it, in order.
    more_invoices: Vec<u64>,
}

impl Sale {
    /// Invoices opened for the sale, in order.
    pub fn invoices(&self) -> impl Iterator<Item = u64> + '_ {
        (self.first_invoice != 0)
            .then_some(self.first_invoice)
            .into_iter()
            .chain(self.more_invoices.iter().copied())
    }

    fn add_invoice(&mut self, id: u64) {
        if self.first_invoice == 0 {
            self.first_invoice = id;
        } else {
            self.more_invoices.push(id);
        }
    }

    /// What can still be refunded: the larger of what the account saw and the declared total,
    /// less what was refunded already (never below zero).
    pub fn refundable(&self) -> Decimal {
        let paid = self.declared_total.map_or(self.paid_through_account, |t| {
            t.max(self.paid_through_account)
        });
        (paid - self.refunded).max(Decimal::ZERO)
    }
}

/// Every sale an account's entries name.
#[derive(Debug, Clone, Default)]
pub struct SalesIndex {
    sales: FxHashMap<SmolStr, Sale>,
    /// The sale of each invoice opened by a sale's charge.
    invoice_sale: FxHashMap<u64, SmolStr>,
}

impl SalesIndex {
    /// Indexes a whole ledger.
    pub fn build(entries: &[Entry]) -> Result<SalesIndex> {
        let mut index = SalesIndex::default();
        for e in entries {
            index.apply(e)?;
        }
        Ok(index)
    }

    /// What the account knows of a sale.
    pub fn get(&self, sale: &str) -> Option<&Sale> {
        self.sales.get(sale)
    }

    /// Takes one more entry into account.
    pub fn apply(&mut self, entry: &Entry) -> Result<()> {
        match &entry.kind {
            EntryKind::Charge {
                amount,
                sale: Some(s),
                ..
            } => {
                let rec = self.sales.entry(s.clone()).or_default();
                rec.paid_through_account = money::add(rec.paid_through_account, *amount)?;
                rec.add_invoice(entry.seq);
                self.invoice_sale.insert(entry.seq, s.clone());
            }
            EntryKind::WriteOff {
                invoice, amount, ..
            } => {
                // What was written off was never paid: it cannot come back as store credit.
                if let Some(s) = self.invoice_sale.get(invoice) {
                    let rec = self.sales.entry(s.clone()).or_default();
                    rec.paid_through_account = money::sub(rec.paid_through_account, *amount)?;
                }
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
                if let Some(d) = &r.sale {
                    let rec = self.sales.entry(d.sale.clone()).or_default();
                    rec.paid_through_account = money::add(rec.paid_through_account, d.paid)?;
                    rec.refunded = money::add(rec.refunded, d.refunded)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
