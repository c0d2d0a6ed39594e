//! The Store port (where the host keeps entries) and [`MemoryStore`], the embedded default.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use smol_str::SmolStr;

use crate::entry::Entry;
use crate::sharded::Sharded;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use crate::validate::BOOK_LEDGER;

/// Why a store call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// Someone appended first: the account's version is no longer the one expected. Nothing was
    /// written. The Book reloads, decides again and retries.
    Conflict,
    /// The store failed. `code` is the host's own, kept as it is in [`crate::Error::StoreFailed`].
    Failed {
        /// The host's code.
        code: i32,
        /// The host's message.
        message: String,
    },
}

impl From<StoreError> for crate::Error {
    fn from(e: StoreError) -> crate::Error {
        match e {
            StoreError::Conflict => crate::Error::StoreContention { attempts: 1 },
            StoreError::Failed { code, message } => crate::Error::StoreFailed { code, message },
        }
    }
}

/// Where an account's entries are kept. The host implements it over its database; creditbook calls
/// it synchronously on the calling thread, never while holding a lock of its own.
///
/// Contract:
/// - `load(account, after)` returns the account's entries with `seq > after`, in order (an
///   unknown account has none).
/// - `append(account, expected_version, entries)` writes all `entries` (numbered
///   `expected_version + 1 ..`) atomically if and only if the account's version is still
///   `expected_version`, else returns [`StoreError::Conflict`] and writes nothing.
/// - `account_ids()` lists every account that has entries ([`BOOK_LEDGER`] among them once the
///   Book has recorded store-wide state; the Book leaves it out of every list it shows).
pub trait Store: Send + Sync {
    /// Entries of `account` with `seq > after`, in ledger order.
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError>;
    /// Appends `entries` if the account is still at `expected_version`; all or nothing.
    fn append(
        &self,
        account: &str,
        expected_version: u64,
        entries: &[Entry],
    ) -> Result<(), StoreError>;
    /// Ids of every account with entries.
    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError>;
}

/// Store failure code for entries not numbered `expected_version + 1 ..` from the version they are
/// appended on: a bug of the caller, refused before anything is written. Every shipped store
/// answers it ([`check_numbering`]).
pub const CODE_BAD_SEQUENCE: i32 = -1;

/// Store failure code for a stored record that cannot be read back as the entry of its row
/// (edited by hand, or written by a newer library): [`entry_of_row`].
pub const CODE_CORRUPT_RECORD: i32 = -2;

/// Checks, for a store's `append`, that `entries` are numbered `expected_version + 1 ..`
/// (else [`CODE_BAD_SEQUENCE`], before anything is written).
pub fn check_numbering(expected_version: u64, entries: &[Entry]) -> Result<(), StoreError> {
    for (i, e) in entries.iter().enumerate() {
        if Some(e.seq) != expected_version.checked_add(1 + i as u64) {
            return Err(StoreError::Failed {
                code: CODE_BAD_SEQUENCE,
                message: format!(
                    "entry {} appended at version {}",
                    e.seq,
                    expected_version.saturating_add(i as u64)
                ),
            });
        }
    }
    Ok(())
}

/// Reads, for a store's `load`, the record kept in row `seq` of `account` back as its entry (else
/// [`CODE_CORRUPT_RECORD`], naming the account and the row).
pub fn entry_of_row(account: &str, seq: u64, record: &str) -> Result<Entry, StoreError> {
    let corrupt = |message: String| StoreError::Failed {
        code: CODE_CORRUPT_RECORD,
        message,
    };
    let entry = Entry::from_record(record)
        .map_err(|e| corrupt(format!("account {account:?} entry {seq}: {e}")))?;
    if entry.seq != seq {
        return Err(corrupt(format!(
            "account {account:?}: row {seq} holds entry {}",
            entry.seq
        )));
    }
    Ok(entry)
}

impl<S: Store + ?Sized> Store for Box<S> {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        (**self).load(account, after)
    }
    fn append(
        &self,
        account: &str,
        expected_version: u64,
        entries: &[Entry],
    ) -> Result<(), StoreError> {
        (**self).append(account, expected_version, entries)
    }
    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        (**self).account_ids()
    }
}

impl<S: Store + ?Sized> Store for Arc<S> {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        (**self).load(account, after)
    }
    fn append(
        &self,
        account: &str,
        expected_version: u64,
        entries: &[Entry],
    ) -> Result<(), StoreError> {
        (**self).append(account, expected_version, entries)
    }
    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        (**self).account_ids()
    }
}

/// Entries per segment of an account's ledger in [`MemoryStore`]. Segments are allocated whole, so
/// a long ledger wastes at most one partly filled segment instead of a doubled `Vec`.
const SEGMENT: usize = 1024;

/// One account's entries in segments of [`SEGMENT`] (small ledgers start small).
#[derive(Default)]
struct Segments {
    len: usize,
    segments: Vec<Vec<Entry>>,
}

impl Segments {
    fn push(&mut self, entry: Entry) {
        let full = self.segments.last().is_none_or(|s| s.len() == s.capacity());
        if full {
            if self.len < SEGMENT && !self.segments.is_empty() {
                // Small ledgers live in one segment that doubles up to SEGMENT entries.
                let first = &mut self.segments[0];
                let cap = (first.capacity() * 2).min(SEGMENT);
                first.reserve_exact(cap - first.len());
            } else {
                let cap = if self.len == 0 { 4 } else { SEGMENT };
                self.segments.push(Vec::with_capacity(cap));
            }
        }
        if let Some(last) = self.segments.last_mut() {
            last.push(entry);
            self.len += 1;
        }
    }

    fn after(&self, after: usize) -> Vec<Entry> {
        self.segments
            .iter()
            .flatten()
            .skip(after)
            .cloned()
            .collect()
    }
}

/// The embedded store: entries in memory, shared by clones (`Arc` inside). Thread-safe, with one
/// lock per account, so tills working on different accounts never wait for each other.
#[derive(Clone, Default)]
pub struct MemoryStore {
    accounts: Arc<Sharded<Arc<Mutex<Segments>>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// The number of entries held, over all accounts.
    pub fn entry_count(&self) -> usize {
        self.accounts
            .entries()
            .iter()
            .map(|(_, s)| lock(s).len)
            .sum()
    }

    fn ledger(&self, account: &str) -> Option<Arc<Mutex<Segments>>> {
        self.accounts.get(account)
    }
}

// A panic while holding an account's lock cannot leave it half-written (a push is the last step
// of an append), so a poisoned lock is still consistent.
fn lock(m: &Mutex<Segments>) -> MutexGuard<'_, Segments> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("entries", &self.entry_count())
            .finish()
    }
}

impl Store for MemoryStore {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        let Some(ledger) = self.ledger(account) else {
            return Ok(Vec::new());
        };
        let seg = lock(&ledger);
        let after = usize::try_from(after).unwrap_or(usize::MAX);
        if after >= seg.len {
            return Ok(Vec::new());
        }
        Ok(seg.after(after))
    }

    fn append(
        &self,
        account: &str,
        expected_version: u64,
        entries: &[Entry],
    ) -> Result<(), StoreError> {
        check_numbering(expected_version, entries)?;
        let ledger = match self.ledger(account) {
            Some(l) => l,
            None if expected_version != 0 => return Err(StoreError::Conflict),
            None if entries.is_empty() => return Ok(()),
            None => self.accounts.get_or_insert_with(account, Default::default),
        };
        let mut seg = lock(&ledger);
        if seg.len as u64 != expected_version {
            return Err(StoreError::Conflict);
        }
        for e in entries {
            seg.push(e.clone());
        }
        Ok(())
    }

    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        let mut ids: Vec<SmolStr> = self
            .accounts
            .entries()
            .into_iter()
            .filter(|(_, l)| lock(l).len > 0)
            .map(|(id, _)| id)
            .collect();
        ids.sort();
        Ok(ids)
    }
}
