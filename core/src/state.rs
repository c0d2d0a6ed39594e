//! An account as the Book holds it: its entries, their fold, and the index of operation ids.

use std::collections::HashMap;

use smol_str::SmolStr;

use crate::entry::Entry;
use crate::error::Result;
use crate::ledger::Ledger;

/// One account's entries and everything folded from them.
#[derive(Debug, Clone, Default)]
pub struct AccountState {
    ledger: Ledger,
    entries: Vec<Entry>,
    ops: HashMap<SmolStr, u32>,
}

impl AccountState {
    /// Folds a whole ledger.
    pub fn from_entries(entries: Vec<Entry>) -> Result<AccountState> {
        let mut state = AccountState::default();
        state.entries.reserve(entries.len());
        state.ops.reserve(entries.len());
        for e in entries {
            state.apply(e)?;
        }
        Ok(state)
    }

    /// Folds one more entry (it must be the next in order).
    pub fn apply(&mut self, entry: Entry) -> Result<()> {
        self.ledger.apply(&entry)?;
        let index = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        self.ops.entry(entry.op_id.clone()).or_insert(index);
        self.entries.push(entry);
        Ok(())
    }

    /// The folded figures.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Every entry, in ledger order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The account's version: the number of entries.
    pub fn version(&self) -> u64 {
        self.ledger.version()
    }

    /// The entries recorded by an operation id, if it was used.
    pub fn operation(&self, op_id: &str) -> Option<&[Entry]> {
        let start = *self.ops.get(op_id)? as usize;
        let rest = &self.entries[start..];
        let len = rest.iter().take_while(|e| e.op_id == op_id).count();
        Some(&rest[..len])
    }
}
