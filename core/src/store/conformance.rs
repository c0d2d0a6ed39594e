//! The [`Store`] contract as a test suite, for hosts that write their own store (and for the
//! stores creditbook ships). Enabled by the `conformance` cargo feature.
//!
//! [`run`] checks, each on a store made fresh by the caller's closure and on accounts no other
//! check uses: ledger order and `load(account, after)`, entries read back equal to what was
//! written (real entries made by a [`Book`], of every kind it can make without a mailer or a
//! payment provider), all-or-nothing appends, [`StoreError::Conflict`] on a stale or future
//! version with nothing written, account listing and isolation of similar ids, a reserved-looking
//! id (`~creditbook`) stored like any other, and many threads appending to one account at once
//! (no sequence number lost or doubled). It returns a [`Report`] or the first [`Failure`], which
//! names the [`Check`] and what was seen.
//!
//! ```
//! use creditbook::store::conformance;
//! use creditbook::MemoryStore;
//!
//! let report = conformance::run(MemoryStore::new).unwrap();
//! assert_eq!(report.checks.len(), conformance::Check::ALL.len());
//! ```
//!
//! A store that keeps its data elsewhere (a file, a server) may hand out the same store each time:
//! every check uses account ids of its own, made unique per run, so existing accounts are left
//! alone and do not disturb the checks.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use smol_str::SmolStr;

use crate::account::{CreditLimit, Customer, PaymentTerms};
use crate::command::{Charge, OpenAccount, Operation, Payment};
use crate::entry::{Direction, Entry, EntryType};
use crate::money::Money;
use crate::permission::{Actor, Permission};
use crate::settings::StoreSettings;
use crate::store::{MemoryStore, Store, StoreError};
use crate::Book;

/// Threads appending to one account at once in [`Check::ConcurrentAppends`].
pub const THREADS: usize = 4;
/// Appends each of those threads makes.
pub const APPENDS_PER_THREAD: usize = 25;

/// One check of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Check {
    /// An account never written loads empty (after 0 and after any version) and is not listed.
    UnknownAccount,
    /// Entries of every kind a Book makes are read back equal, in ledger order.
    RoundTrip,
    /// `load(account, after)` returns exactly the entries with `seq > after`.
    LoadAfter,
    /// Several entries appended in one call are all there afterwards.
    MultiEntryAppend,
    /// An append at a stale version answers `Conflict` and writes none of its entries, even those
    /// past the account's version; the store works on afterwards.
    StaleVersion,
    /// An append at a version the account has not reached answers `Conflict` and writes nothing.
    FutureVersion,
    /// `account_ids` lists each written account once, and nothing never written.
    AccountListing,
    /// Ids that differ by case, a suffix, a space or a SQL wildcard are separate accounts.
    SimilarIds,
    /// A reserved-looking id (`~creditbook`, the kind creditbook uses for book-wide records) is
    /// stored, loaded and listed like any other.
    ReservedId,
    /// Threads appending to one account at once, each retrying on `Conflict`: every append is
    /// there exactly once and the sequence numbers are dense.
    ConcurrentAppends,
}

impl Check {
    /// Every check, in the order [`run`] runs them.
    pub const ALL: [Check; 10] = [
        Check::UnknownAccount,
        Check::RoundTrip,
        Check::LoadAfter,
        Check::MultiEntryAppend,
        Check::StaleVersion,
        Check::FutureVersion,
        Check::AccountListing,
        Check::SimilarIds,
        Check::ReservedId,
        Check::ConcurrentAppends,
    ];

    /// The check's name (`"stale_version"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Check::UnknownAccount => "unknown_account",
            Check::RoundTrip => "round_trip",
            Check::LoadAfter => "load_after",
            Check::MultiEntryAppend => "multi_entry_append",
            Check::StaleVersion => "stale_version",
            Check::FutureVersion => "future_version",
            Check::AccountListing => "account_listing",
            Check::SimilarIds => "similar_ids",
            Check::ReservedId => "reserved_id",
            Check::ConcurrentAppends => "concurrent_appends",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a passing run checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The checks passed, in order.
    pub checks: Vec<Check>,
    /// The entry kinds written and read back.
    pub kinds: Vec<EntryType>,
    /// Entries appended over the run.
    pub entries_written: usize,
}

impl fmt::Display for Report {
    /// `10 checks passed (unknown_account, ...), 213 entries written`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.checks.iter().map(|c| c.as_str()).collect();
        write!(
            f,
            "{} checks passed ({}), {} entries written",
            self.checks.len(),
            names.join(", "),
            self.entries_written
        )
    }
}

/// The first check that failed, and what it saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The check.
    pub check: Check,
    /// What was expected and what the store did.
    pub detail: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "store conformance check {} failed: {}",
            self.check, self.detail
        )
    }
}

impl std::error::Error for Failure {}

/// Runs every [`Check`] in order, each on a store from `make_store`, and stops at the first
/// failure.
pub fn run<S, F>(make_store: F) -> Result<Report, Failure>
where
    S: Store + 'static,
    F: Fn() -> S,
{
    let sample = sample_entries().map_err(|detail| Failure {
        check: Check::RoundTrip,
        detail: format!("making the sample entries: {detail}"),
    })?;
    let mut kit = Kit {
        prefix: run_prefix(),
        sample,
        written: 0,
        accounts: BTreeSet::new(),
    };
    let mut checks = Vec::new();
    for check in Check::ALL {
        let store = make_store();
        kit.check(check, store)
            .map_err(|detail| Failure { check, detail })?;
        checks.push(check);
    }
    let kinds: BTreeSet<EntryType> = kit.sample.iter().map(|e| e.kind.entry_type()).collect();
    Ok(Report {
        checks,
        kinds: kinds.into_iter().collect(),
        entries_written: kit.written,
    })
}

/// A prefix no earlier run in this process (or, by the clock, in another) used.
fn run_prefix() -> String {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let n = RUNS.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("cf{nanos:x}-{}-{n}", std::process::id())
}

struct Kit {
    prefix: String,
    sample: Vec<Entry>,
    written: usize,
    /// Accounts this run appended to.
    accounts: BTreeSet<String>,
}

type Outcome = Result<(), String>;

fn store_err(what: &str, e: StoreError) -> String {
    format!("{what}: unexpected {e:?}")
}

impl Kit {
    fn id(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    fn check<S: Store + 'static>(&mut self, check: Check, store: S) -> Outcome {
        match check {
            Check::UnknownAccount => self.unknown_account(&store),
            Check::RoundTrip => self.round_trip(&store),
            Check::LoadAfter => self.load_after(&store),
            Check::MultiEntryAppend => self.multi_entry_append(&store),
            Check::StaleVersion => self.stale_version(&store),
            Check::FutureVersion => self.future_version(&store),
            Check::AccountListing => self.account_listing(&store),
            Check::SimilarIds => self.similar_ids(&store),
            Check::ReservedId => self.reserved_id(&store),
            Check::ConcurrentAppends => self.concurrent(store),
        }
    }

    fn append<S: Store>(
        &mut self,
        store: &S,
        account: &str,
        version: u64,
        entries: &[Entry],
    ) -> Outcome {
        store.append(account, version, entries).map_err(|e| {
            store_err(
                &format!("append({account:?}, {version}, {} entries)", entries.len()),
                e,
            )
        })?;
        self.written += entries.len();
        self.accounts.insert(account.to_string());
        Ok(())
    }

    /// Appends the sample operation by operation, as the Book did.
    fn write_sample<S: Store>(&mut self, store: &S, account: &str) -> Outcome {
        let sample = self.sample.clone();
        let mut start = 0;
        while start < sample.len() {
            let op = &sample[start].op_id;
            let end = start
                + sample[start..]
                    .iter()
                    .take_while(|e| &e.op_id == op)
                    .count();
            self.append(store, account, start as u64, &sample[start..end])?;
            start = end;
        }
        Ok(())
    }

    fn unknown_account<S: Store>(&mut self, store: &S) -> Outcome {
        let id = self.id("never-written");
        for after in [0, 1, 1000, u64::MAX] {
            let got = load(store, &id, after)?;
            if !got.is_empty() {
                return Err(format!(
                    "load({id:?}, {after}) returned {} entries",
                    got.len()
                ));
            }
        }
        if listed(store)?.contains(id.as_str()) {
            return Err(format!("{id:?} listed without entries"));
        }
        Ok(())
    }

    fn round_trip<S: Store>(&mut self, store: &S) -> Outcome {
        let id = self.id("round-trip");
        self.write_sample(store, &id)?;
        expect_entries(
            &load(store, &id, 0)?,
            &self.sample,
            &format!("load({id:?}, 0)"),
        )
    }

    fn load_after<S: Store>(&mut self, store: &S) -> Outcome {
        let id = self.id("load-after");
        self.write_sample(store, &id)?;
        let n = self.sample.len();
        for after in 0..=n + 1 {
            let want = &self.sample[after.min(n)..];
            expect_entries(
                &load(store, &id, after as u64)?,
                want,
                &format!("load({id:?}, {after})"),
            )?;
        }
        let got = load(store, &id, u64::MAX)?;
        if !got.is_empty() {
            return Err(format!(
                "load({id:?}, u64::MAX) returned {} entries",
                got.len()
            ));
        }
        Ok(())
    }

    fn multi_entry_append<S: Store>(&mut self, store: &S) -> Outcome {
        let id = self.id("multi");
        let sample = self.sample.clone();
        self.append(store, &id, 0, &sample[..3])?;
        self.append(store, &id, 3, &sample[3..7])?;
        expect_entries(
            &load(store, &id, 0)?,
            &sample[..7],
            "after appends of 3 and 4 entries",
        )
    }

    fn stale_version<S: Store>(&mut self, store: &S) -> Outcome {
        let id = self.id("stale");
        let sample = self.sample.clone();
        self.append(store, &id, 0, &sample[..4])?;
        // Version 2 is stale: entries 3 and 4 exist, 5 and 6 do not and must not be written.
        for (version, upto) in [(2usize, 6usize), (0, 5), (3, 5)] {
            let r = store.append(&id, version as u64, &sample[version..upto]);
            if r != Err(StoreError::Conflict) {
                return Err(format!(
                    "append at stale version {version} (account at 4) answered {r:?}, not Conflict"
                ));
            }
            expect_entries(
                &load(store, &id, 0)?,
                &sample[..4],
                &format!("after the conflict at version {version}"),
            )?;
        }
        // Still usable.
        self.append(store, &id, 4, &sample[4..6])?;
        expect_entries(
            &load(store, &id, 0)?,
            &sample[..6],
            "after a conflict, the next append",
        )
    }

    fn future_version<S: Store>(&mut self, store: &S) -> Outcome {
        let id = self.id("future");
        let sample = self.sample.clone();
        for (version, upto) in [(1usize, 3usize), (2, 3)] {
            let r = store.append(&id, version as u64, &sample[version..upto]);
            if r != Err(StoreError::Conflict) {
                return Err(format!(
                    "append at version {version} to an empty account answered {r:?}, not Conflict"
                ));
            }
        }
        if !load(store, &id, 0)?.is_empty() || listed(store)?.contains(id.as_str()) {
            return Err("a refused append to a new account left entries or a listing".into());
        }
        self.append(store, &id, 0, &sample[..2])?;
        let r = store.append(&id, 5, &sample[5..6]);
        if r != Err(StoreError::Conflict) {
            return Err(format!(
                "append at version 5 (account at 2) answered {r:?}, not Conflict"
            ));
        }
        expect_entries(
            &load(store, &id, 0)?,
            &sample[..2],
            "after the future-version append",
        )
    }

    fn account_listing<S: Store>(&mut self, store: &S) -> Outcome {
        let sample = self.sample.clone();
        let ids: Vec<String> = (0..5).map(|i| self.id(&format!("listed-{i}"))).collect();
        for id in &ids {
            self.append(store, id, 0, &sample[..1])?;
            self.append(store, id, 1, &sample[1..2])?;
        }
        let all = store
            .account_ids()
            .map_err(|e| store_err("account_ids()", e))?;
        for id in &ids {
            let n = all.iter().filter(|a| a.as_str() == id).count();
            if n != 1 {
                return Err(format!("{id:?} listed {n} times"));
            }
        }
        // Of this run's ids, only those written may be listed (refused appends list nothing).
        for a in all.iter().filter(|a| a.starts_with(&self.prefix)) {
            if !self.accounts.contains(a.as_str()) {
                return Err(format!("{a:?} listed but never written"));
            }
        }
        Ok(())
    }

    fn similar_ids<S: Store>(&mut self, store: &S) -> Outcome {
        let base = self.id("Similar");
        let ids = [
            base.clone(),
            base.to_lowercase(),
            format!("{base}0"),
            format!("{base} "),
            format!("{base}%"),
            format!("{base}_"),
            format!("{base}-Ünïcödé-€"),
        ];
        let sample = self.sample.clone();
        for (i, id) in ids.iter().enumerate() {
            // Account i gets i + 1 entries.
            self.append(store, id, 0, &sample[..=i])?;
        }
        let listed = listed(store)?;
        for (i, id) in ids.iter().enumerate() {
            expect_entries(
                &load(store, id, 0)?,
                &sample[..=i],
                &format!("load({id:?}, 0)"),
            )?;
            if !listed.contains(id.as_str()) {
                return Err(format!("{id:?} not listed"));
            }
        }
        Ok(())
    }

    fn reserved_id<S: Store>(&mut self, store: &S) -> Outcome {
        let sample = self.sample.clone();
        // The exact reserved id is shared by every run on a shared store: append at its version.
        let reserved = "~creditbook";
        let before = load(store, reserved, 0)?;
        let version = before.len();
        let mut entry = sample[0].clone();
        entry.seq = version as u64 + 1;
        entry.op_id = SmolStr::new(format!("{}-reserved", self.prefix));
        self.append(
            store,
            reserved,
            version as u64,
            std::slice::from_ref(&entry),
        )?;
        let after = load(store, reserved, version as u64)?;
        expect_entries(
            &after,
            std::slice::from_ref(&entry),
            "load(\"~creditbook\")",
        )?;
        let ours = format!("~{}", self.id("book"));
        self.append(store, &ours, 0, &sample[..2])?;
        expect_entries(
            &load(store, &ours, 0)?,
            &sample[..2],
            &format!("load({ours:?}, 0)"),
        )?;
        let listed = listed(store)?;
        for id in [reserved, ours.as_str()] {
            if !listed.contains(id) {
                return Err(format!("{id:?} not listed"));
            }
        }
        Ok(())
    }

    fn concurrent<S: Store + 'static>(&mut self, store: S) -> Outcome {
        let id = self.id("concurrent");
        let template = self.sample[0].clone();
        let store = Arc::new(store);
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = Arc::clone(&store);
                let id = id.clone();
                let template = template.clone();
                std::thread::spawn(move || -> Outcome {
                    for n in 0..APPENDS_PER_THREAD {
                        let mut entry = template.clone();
                        entry.op_id = SmolStr::new(format!("t{t}-{n}"));
                        let mut conflicts = 0u32;
                        loop {
                            let version =
                                store.load(&id, 0).map_err(|e| store_err("load", e))?.len() as u64;
                            entry.seq = version + 1;
                            match store.append(&id, version, std::slice::from_ref(&entry)) {
                                Ok(()) => break,
                                Err(StoreError::Conflict) => {
                                    conflicts += 1;
                                    if conflicts > 10_000 {
                                        return Err(format!(
                                            "thread {t}: 10,000 conflicts in a row"
                                        ));
                                    }
                                    std::thread::yield_now();
                                }
                                Err(e) => return Err(store_err(&format!("thread {t} append"), e)),
                            }
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join()
                .map_err(|_| "an appending thread panicked".to_string())??;
        }
        self.written += THREADS * APPENDS_PER_THREAD;
        let got = load(&*store, &id, 0)?;
        if got.len() != THREADS * APPENDS_PER_THREAD {
            return Err(format!(
                "{} entries after {} appends",
                got.len(),
                THREADS * APPENDS_PER_THREAD
            ));
        }
        let mut ops = BTreeSet::new();
        for (i, e) in got.iter().enumerate() {
            if e.seq != i as u64 + 1 {
                return Err(format!("entry {i} has seq {}", e.seq));
            }
            if !ops.insert(e.op_id.clone()) {
                return Err(format!("operation {} recorded twice", e.op_id));
            }
        }
        Ok(())
    }
}

fn load<S: Store + ?Sized>(store: &S, account: &str, after: u64) -> Result<Vec<Entry>, String> {
    store
        .load(account, after)
        .map_err(|e| store_err(&format!("load({account:?}, {after})"), e))
}

fn listed<S: Store + ?Sized>(store: &S) -> Result<BTreeSet<SmolStr>, String> {
    Ok(store
        .account_ids()
        .map_err(|e| store_err("account_ids()", e))?
        .into_iter()
        .collect())
}

fn expect_entries(got: &[Entry], want: &[Entry], what: &str) -> Outcome {
    if got.len() != want.len() {
        let seqs: Vec<u64> = got.iter().map(|e| e.seq).collect();
        return Err(format!(
            "{what}: {} entries (seqs {seqs:?}), expected {}",
            got.len(),
            want.len()
        ));
    }
    for (g, w) in got.iter().zip(want) {
        if g != w {
            return Err(format!(
                "{what}: entry {} read back as {g:?}, written as {w:?}",
                w.seq
            ));
        }
    }
    Ok(())
}

/// Entries of every kind a Book makes without a mailer or payment provider, recorded by a real
/// Book on a [`MemoryStore`]. An operation the rules refuse is skipped (the sample stays real).
pub fn sample_entries() -> Result<Vec<Entry>, String> {
    let settings = StoreSettings::new("Conformance Hardware", "CAD", "America/Toronto")
        .map_err(|e| e.to_string())?;
    let cad = settings.currency;
    let store = MemoryStore::new();
    let book = Book::with_store(settings, store.clone());
    let manager = Permission::ALL
        .into_iter()
        .fold(Actor::new("emp-manager"), Actor::with);
    let start: DateTime<Utc> = Utc
        .with_ymd_and_hms(2026, 3, 7, 14, 30, 0)
        .single()
        .ok_or("start")?;
    let mut n = 0i64;
    let mut op = || {
        n += 1;
        Operation::new(format!("op-{n:03}"), start + Duration::hours(n)).by(manager.clone())
    };
    let c = "C-1";
    let m = |minor: i64| Money::from_minor(minor, cad);
    let mut customer = Customer::new("cust-1", "Zoë Tremblay-Ñandú");
    book.open_account(
        c,
        &op(),
        OpenAccount {
            customer: customer.clone(),
            credit_limit: Some(CreditLimit::Amount(cad.from_minor(50_000))),
            terms: Some(PaymentTerms::Net(30)),
        },
    )
    .map_err(|e| format!("open: {e}"))?;
    customer.name = "Zoë Tremblay-Ñandú \"Quincaillerie\" 'du coin' \\ 100 %".into();
    let _ = book.update_contact(c, &op(), customer);
    let _ = book.set_credit_limit(c, &op(), CreditLimit::Amount(cad.from_minor(80_000)));
    let _ = book.set_terms(c, &op(), Some(PaymentTerms::EndOfMonthPlus(10)));
    let _ = book.hold(c, &op(), Some("cheque returned".into()));
    let _ = book.release(c, &op());
    let _ = book.charge(c, &op(), Charge::new(m(12_000)).sale("S-1"));
    let second = book.charge(c, &op(), Charge::new(m(8_025)).sale("S-2"));
    let _ = book.pay(
        c,
        &op(),
        Payment {
            reference: Some("cheque 12".into()),
            ..Payment::new(m(5_000))
        },
    );
    let _ = book.deposit(c, &op(), m(3_000), Some("layaway L-9"));
    let _ = book.use_credit(c, &op(), m(1_000), Some("S-3"));
    let _ = book.apply_credit(c, &op(), m(500), Vec::new());
    let _ = book.refund_to_credit(c, &op(), m(2_000), Some("S-1"), None);
    let _ = book.refund_credit(c, &op(), m(500), Some("cash"));
    let _ = book.adjust(c, &op(), Direction::Debit, m(310), "late fee");
    let _ = book.adjust(c, &op(), Direction::Credit, m(100), "goodwill");
    if let Ok(second) = &second {
        if let Some(invoice) = second.invoice() {
            let _ = book.write_off(c, &op(), invoice, Some(m(1_000)), "damaged goods");
        }
    }
    let mistaken = book.charge(c, &op(), Charge::new(m(1_234)).sale("S-4"));
    if let Ok(mistaken) = &mistaken {
        let _ = book.reverse(
            c,
            &op(),
            mistaken.entry().seq,
            "charged to the wrong account",
        );
    }
    let mut over = Charge::new(m(9_999_999_999));
    over.override_reason = Some("owner approved the fit-out".into());
    let _ = book.charge(c, &op(), over);
    let _ = book.pay(c, &op(), Payment::new(m(9_999_999_999)));
    let entries = store.load(c, 0).map_err(|e| format!("{e:?}"))?;
    if entries.len() < 8 {
        return Err(format!(
            "only {} sample entries were recorded",
            entries.len()
        ));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_covers_the_kinds_a_book_makes_without_ports() {
        let kinds: BTreeSet<EntryType> = sample_entries()
            .unwrap()
            .iter()
            .map(|e| e.kind.entry_type())
            .collect();
        let missing: Vec<EntryType> = EntryType::ALL
            .into_iter()
            .filter(|t| {
                !matches!(
                    t,
                    EntryType::PaymentLinkCreated
                        | EntryType::PaymentLinkCancelled
                        | EntryType::MessageSent
                        // On the book's own ledger, not a customer's (checked apart).
                        | EntryType::AutomationChanged
                )
            })
            .filter(|t| !kinds.contains(t))
            .collect();
        assert!(missing.is_empty(), "the sample lacks {missing:?}");
    }

    #[test]
    fn the_memory_store_conforms() {
        let report = run(MemoryStore::new).unwrap();
        assert_eq!(report.checks, Check::ALL.to_vec());
        // A shared store (the same one each time) conforms too: checks use their own accounts.
        let shared = MemoryStore::new();
        run(|| shared.clone()).unwrap();
        run(|| shared.clone()).unwrap();
    }
}
