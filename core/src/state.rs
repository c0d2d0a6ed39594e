//! An account as the Book holds it: its entries, their fold, and the index of operation ids.

use std::sync::OnceLock;

use std::collections::hash_map::Entry as Entry_;
use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};
use smol_str::SmolStr;

use crate::entry::Entry;
use crate::error::Result;
use crate::ledger::Ledger;
use crate::sales::SalesIndex;

/// One account's entries and everything folded from them.
#[derive(Debug, Default)]
pub struct AccountState {
    ledger: Ledger,
    entries: Vec<Entry>,
    ops: OpIndex,
    sales: OnceLock<SalesIndex>,
    /// The number of entries folded but not held (0 but for the month-end run's accounts, see
    /// [`AccountState::fold_window`]): the held entries are the ledger's from `window + 1` on.
    window: u64,
}

impl AccountState {
    /// Folds a whole ledger. The entries are folded in place and kept as they are (no copy).
    pub fn from_entries(entries: Vec<Entry>) -> Result<AccountState> {
        let mut ledger = Ledger::default();
        ledger.reserve_for(&entries);
        let mut ops = OpIndex::default();
        ops.reserve(entries.len());
        for (i, e) in entries.iter().enumerate() {
            ledger.apply(e)?;
            ops.insert(&entries, e, i);
        }
        Ok(AccountState {
            ledger,
            entries,
            ops,
            sales: OnceLock::new(),
            window: 0,
        })
    }

    /// For the streaming month-end run ([`crate::month_end`]): folds the next entry, holding it
    /// only when `hold` (an entry not held is folded into the figures and dropped). Held entries
    /// are always the ledger's last ones: holding starts at most once per window and
    /// [`AccountState::release`] ends it. No operation-id index is kept (the run checks ids
    /// itself), and when `forget`, paid invoices may be forgotten (the run asks only for those
    /// open at the period's end: it does not let them be forgotten while it holds entries dated
    /// after the period, which may have paid them).
    pub(crate) fn fold_window(&mut self, entry: Entry, hold: bool, forget: bool) -> Result<()> {
        self.ledger.apply(&entry)?;
        if hold {
            // Grown by an eighth, not doubled: at the end of a run every account holds its
            // period's entries at once.
            if self.entries.len() == self.entries.capacity() {
                self.entries.reserve_exact(self.entries.len() / 8 + 4);
            }
            self.entries.push(entry);
        } else if self.entries.is_empty() {
            self.window = entry.seq;
        } else {
            return Err(crate::ledger::corrupt(
                "an entry not held after held ones".into(),
            ));
        }
        if forget {
            self.ledger.forget_paid_when_worth_it();
        }
        Ok(())
    }

    /// Drops the held entries (they were needed until the statement was made).
    pub(crate) fn release(&mut self) {
        self.window = self.ledger.version();
        self.entries = Vec::new();
    }

    /// The number of the ledger's first entries folded but not held: 0 for an account the Book
    /// holds whole.
    pub(crate) fn window(&self) -> u64 {
        self.window
    }

    /// Folds one more entry (it must be the next in order).
    pub fn apply(&mut self, entry: Entry) -> Result<()> {
        self.ledger.apply(&entry)?;
        if let Some(sales) = self.sales.get_mut() {
            sales.apply(&entry)?;
        }
        self.ops.insert(&self.entries, &entry, self.entries.len());
        self.entries.push(entry);
        Ok(())
    }

    /// The folded figures.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// What the account knows of each sale (indexed on first use).
    pub fn sales(&self) -> Result<&SalesIndex> {
        if let Some(index) = self.sales.get() {
            return Ok(index);
        }
        if self.window > 0 {
            return Err(crate::ledger::corrupt(
                "the sales of an account whose first entries are not held".into(),
            ));
        }
        let built = SalesIndex::build(&self.entries)?;
        Ok(self.sales.get_or_init(|| built))
    }

    /// Every entry, in ledger order (for the month-end run's accounts, the entries it holds).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The account's version: the number of entries.
    pub fn version(&self) -> u64 {
        self.ledger.version()
    }

    /// The entries recorded by an operation id, if it was used.
    pub fn operation(&self, op_id: &str) -> Option<&[Entry]> {
        let start = self.ops.find(&self.entries, op_id)?;
        let rest = &self.entries[start..];
        let len = rest.iter().take_while(|e| e.op_id == op_id).count();
        Some(&rest[..len])
    }
}

/// Where each operation's entries start. Keyed by a 64-bit hash of the operation id (16-byte
/// buckets keep a long ledger's index small and cache-friendly); the rare id whose hash collides
/// with another's goes to a second map keyed by the id itself, so lookups are always exact.
#[derive(Debug, Default)]
struct OpIndex {
    by_hash: FxHashMap<u64, u32>,
    collided: FxHashMap<SmolStr, u32>,
}

impl OpIndex {
    fn reserve(&mut self, n: usize) {
        self.by_hash.reserve(n);
    }

    fn hash(op_id: &str) -> u64 {
        FxBuildHasher.hash_one(op_id)
    }

    /// Records that `entry` (at `index`) belongs to its operation, unless the operation's first
    /// entry is already known.
    fn insert(&mut self, entries: &[Entry], entry: &Entry, index: usize) {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        match self.by_hash.entry(Self::hash(&entry.op_id)) {
            Entry_::Vacant(v) => {
                v.insert(index);
            }
            Entry_::Occupied(o) => {
                let first = entries.get(*o.get() as usize);
                if first.is_some_and(|f| f.op_id != entry.op_id) {
                    self.collided.entry(entry.op_id.clone()).or_insert(index);
                }
            }
        }
    }

    /// The index of the first entry of `op_id`.
    fn find(&self, entries: &[Entry], op_id: &str) -> Option<usize> {
        let i = *self.by_hash.get(&Self::hash(op_id))? as usize;
        if entries.get(i).is_some_and(|e| e.op_id == op_id) {
            return Some(i);
        }
        self.collided.get(op_id).map(|i| *i as usize)
    }
}
