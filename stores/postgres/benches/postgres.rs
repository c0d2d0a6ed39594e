//! Charges per second through Books on PostgresStores, side by side with a bare postgres client
//! inserting the same rows (one transaction per charge), with 1 and 8 concurrent registers on 100
//! accounts and on 1 hot account; then a cold register's first read of a 100,000-entry account.
//!
//! `make bench-postgres` (a throwaway server, then `cargo bench -p creditbook-postgres --bench
//! postgres`). Needs `CREDITBOOK_PG_DSN`. `PG_BENCH_CHARGES` sets the charges per run (default
//! 4000); `PG_BENCH_NO_COLD=1` skips the cold read. Timings are for reading, never pass/fail.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use creditbook::{
    Actor, Book, Charge, CreditLimit, Customer, Entry, MemoryStore, Money, OpenAccount, Operation,
    Payment, Permission, Store, StoreError, StoreSettings,
};
use creditbook_postgres::{PostgresOptions, PostgresStore};
use smol_str::SmolStr;

fn settings() -> StoreSettings {
    StoreSettings::new("Bench", "CAD", "America/Toronto").unwrap()
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 15, 0, 0).unwrap()
}

fn dsn() -> String {
    std::env::var("CREDITBOOK_PG_DSN")
        .expect("CREDITBOOK_PG_DSN is not set: run `make bench-postgres`")
}

static RUN: AtomicUsize = AtomicUsize::new(0);

fn new_schema(tag: &str) -> String {
    format!(
        "bench_{tag}_{}_{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    )
}

fn options(schema: &str, pool_size: usize) -> PostgresOptions {
    PostgresOptions {
        pool_size,
        schema: schema.into(),
        ..PostgresOptions::default()
    }
}

fn open_account<S: Store>(book: &Book<S>, account: &str) {
    book.open_account(
        account,
        &Operation::new(format!("open-{account}"), start())
            .by(Actor::new("manager").with(Permission::CreditLimit)),
        OpenAccount {
            customer: Customer::new(format!("cust-{account}"), format!("Customer {account}")),
            credit_limit: Some(CreditLimit::Unlimited),
            terms: None,
        },
    )
    .unwrap();
}

/// The store, counting the conflicts it answers (each one is a decision made again).
struct Counting<S> {
    inner: S,
    conflicts: Arc<AtomicU64>,
}

impl<S: Store> Store for Counting<S> {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        self.inner.load(account, after)
    }
    fn append(&self, account: &str, expected: u64, entries: &[Entry]) -> Result<(), StoreError> {
        let r = self.inner.append(account, expected, entries);
        if r == Err(StoreError::Conflict) {
            self.conflicts.fetch_add(1, Ordering::Relaxed);
        }
        r
    }
    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        self.inner.account_ids()
    }
}

/// Charges per second: `registers` threads, each a register with its own Book and its own store
/// (one connection), charging in turn the `accounts` accounts (charge i on account i % accounts).
/// Returns the rate, the conflicts answered and the charges the Book gave up on (`StoreContention`,
/// sent again).
fn book_rate(registers: usize, accounts: usize, n: usize) -> (f64, u64, u64) {
    let schema = new_schema("book");
    let setup = Book::with_store(
        settings(),
        PostgresStore::connect_with(&dsn(), options(&schema, 1)).unwrap(),
    );
    for a in 0..accounts {
        open_account(&setup, &format!("C-{a:03}"));
    }
    let conflicts = Arc::new(AtomicU64::new(0));
    let gave_up = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(registers + 1));
    let handles: Vec<_> = (0..registers)
        .map(|t| {
            let store = Counting {
                inner: PostgresStore::connect_with(&dsn(), options(&schema, 1)).unwrap(),
                conflicts: Arc::clone(&conflicts),
            };
            let (next, barrier, gave_up) = (
                Arc::clone(&next),
                Arc::clone(&barrier),
                Arc::clone(&gave_up),
            );
            std::thread::spawn(move || {
                let book = Book::with_store(settings(), store);
                let cad = book.settings().currency;
                // Warm the register's cache as a register open all day would have it.
                for a in 0..accounts {
                    book.entries(&format!("C-{a:03}")).unwrap();
                }
                barrier.wait();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return;
                    }
                    let op = Operation::new(
                        format!("reg-{t}-{i:08}"),
                        start() + chrono::Duration::seconds(i as i64),
                    );
                    let charge =
                        Charge::new(Money::from_minor(1999, cad)).sale(format!("S-{i:08}"));
                    // The Book gives up after MAX_ATTEMPTS conflicts in a row (a hot account):
                    // the register sends the same operation again, as a host would.
                    loop {
                        match book.charge(&format!("C-{:03}", i % accounts), &op, charge.clone()) {
                            Ok(_) => break,
                            Err(creditbook::Error::StoreContention { .. }) => {
                                gave_up.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            })
        })
        .collect();
    barrier.wait();
    let t0 = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    let rate = n as f64 / t0.elapsed().as_secs_f64();
    (
        rate,
        conflicts.load(Ordering::Relaxed),
        gave_up.load(Ordering::Relaxed),
    )
}

/// A charge's record as the Book writes it (made with a Book on a MemoryStore).
fn charge_record() -> String {
    let book = Book::with_store(settings(), MemoryStore::new());
    open_account(&book, "C-000");
    let cad = book.settings().currency;
    let outcome = book
        .charge(
            "C-000",
            &Operation::new("reg-0-00000001", start()),
            Charge::new(Money::from_minor(1999, cad)).sale("S-00000001"),
        )
        .unwrap();
    outcome.entries[0].to_record()
}

/// The same inserts by a bare client: `registers` threads, each with its own connection, one
/// `INSERT` of a prepared row per charge in its own transaction (autocommit), same table and
/// primary key, no version check, no decision.
fn bare_rate(registers: usize, accounts: usize, n: usize, record: &str) -> f64 {
    let schema = new_schema("bare");
    // The store creates the same tables.
    drop(PostgresStore::connect_with(&dsn(), options(&schema, 1)).unwrap());
    let table = format!("\"{schema}\".\"creditbook_entries\"");
    let next = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(registers + 1));
    let handles: Vec<_> = (0..registers)
        .map(|_| {
            let mut client = postgres::Client::connect(&dsn(), postgres::NoTls).unwrap();
            let insert = client
                .prepare(&format!(
                    "INSERT INTO {table} (account, seq, record) VALUES ($1, $2, $3)"
                ))
                .unwrap();
            let (next, barrier, record) =
                (Arc::clone(&next), Arc::clone(&barrier), record.to_string());
            std::thread::spawn(move || {
                barrier.wait();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return;
                    }
                    let account = format!("C-{:03}", i % accounts);
                    let seq = (i / accounts) as i64 + 2;
                    client.execute(&insert, &[&account, &seq, &record]).unwrap();
                }
            })
        })
        .collect();
    barrier.wait();
    let t0 = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    n as f64 / t0.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// An account of `entries` entries (charges and payments), written through the store in
/// appends of 1,000.
fn big_account(schema: &str, entries: usize) {
    let book = Book::with_store(settings(), MemoryStore::new());
    open_account(&book, "BIG");
    let cad = book.settings().currency;
    let mut i = 0;
    while book.store().entry_count() < entries {
        let op = Operation::new(
            format!("big-{i:08}"),
            start() + chrono::Duration::seconds(i as i64),
        );
        if i % 3 == 2 {
            book.pay("BIG", &op, Payment::new(Money::from_minor(2500, cad)))
                .unwrap();
        } else {
            book.charge("BIG", &op, Charge::new(Money::from_minor(1999, cad)))
                .unwrap();
        }
        i += 1;
    }
    let all = book.store().load("BIG", 0).unwrap();
    let store = PostgresStore::connect_with(&dsn(), options(schema, 1)).unwrap();
    for chunk in all[..entries].chunks(1000) {
        store.append("BIG", chunk[0].seq - 1, chunk).unwrap();
    }
}

/// A cold register: connect, then the account's summary (loading and folding every entry).
fn cold_read(schema: &str) -> (Duration, Duration) {
    let t0 = Instant::now();
    let store = PostgresStore::connect_with(&dsn(), options(schema, 1)).unwrap();
    let connected = t0.elapsed();
    let book = Book::with_store(settings(), store);
    let summary = book
        .summary("BIG", (start() + chrono::Duration::days(30)).date_naive())
        .unwrap();
    assert!(summary.balance_owed > rust_decimal::Decimal::ZERO);
    (connected, t0.elapsed())
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it: then
    // a smoke run, a few charges and a small account.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("PG_BENCH_CHARGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if smoke { 40 } else { 4000 });
    let record = charge_record();
    let charges = std::env::var_os("PG_BENCH_NO_CHARGES").is_none();
    for accounts in [100, 1].into_iter().filter(|_| charges) {
        charge_rates(accounts, n, &record);
    }
    if std::env::var_os("PG_BENCH_NO_COLD").is_some() {
        return;
    }
    cold(if smoke { 2_000 } else { 100_000 });
}

fn charge_rates(accounts: usize, n: usize, record: &str) {
    if accounts == 100 {
        println!(
            "charges per second, {n} charges per run, median of 3 runs (book and bare alternate)"
        );
        println!(
            "{:<9} {:>9} {:>10} {:>10} {:>9} {:>22}",
            "accounts", "registers", "book", "bare", "overhead", "conflicts (per charge)"
        );
    }
    {
        for registers in [1, 8] {
            let (mut book, mut bare, mut conflicts) = (Vec::new(), Vec::new(), Vec::new());
            let mut gave_up = Vec::new();
            for _ in 0..3 {
                let (rate, c, g) = book_rate(registers, accounts, n);
                book.push(rate);
                conflicts.push(c as f64);
                gave_up.push(g);
                bare.push(bare_rate(registers, accounts, n, record));
            }
            eprintln!(
                "  runs: book {book:.0?} bare {bare:.0?} conflicts {conflicts:?} \
                 gave up (StoreContention, sent again) {gave_up:?}"
            );
            let (book, bare, conflicts) = (median(book), median(bare), median(conflicts));
            println!(
                "{:<9} {:>9} {:>10.0} {:>10.0} {:>8.1}% {:>10.0} ({:.2})",
                accounts,
                registers,
                book,
                bare,
                (bare / book - 1.0) * 100.0,
                conflicts,
                conflicts / n as f64
            );
        }
    }
}

/// A cold register's first read of a big account, and where the time goes: the rows alone
/// (`load`), and the fold alone (a Book on a MemoryStore holding the same entries).
fn cold(entries: usize) {
    let schema = new_schema("cold");
    let t0 = Instant::now();
    big_account(&schema, entries);
    eprintln!(
        "  {entries} entries written in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let runs: Vec<(Duration, Duration)> = (0..7).map(|_| cold_read(&schema)).collect();
    let total: Vec<f64> = runs.iter().map(|r| r.1.as_secs_f64() * 1e3).collect();
    let connect: Vec<f64> = runs.iter().map(|r| r.0.as_secs_f64() * 1e3).collect();
    let max = total.iter().cloned().fold(0.0, f64::max);
    let store = PostgresStore::connect_with(&dsn(), options(&schema, 1)).unwrap();
    let mut load = Vec::new();
    let mut fold = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let all = store.load("BIG", 0).unwrap();
        load.push(t.elapsed().as_secs_f64() * 1e3);
        let memory = MemoryStore::new();
        memory.append("BIG", 0, &all).unwrap();
        let t = Instant::now();
        let book = Book::with_store(settings(), memory);
        book.summary("BIG", (start() + chrono::Duration::days(30)).date_naive())
            .unwrap();
        fold.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "cold read of a {entries}-entry account: connect + summary, median {:.1} ms (connecting \
         {:.1} ms of it), max {:.1} ms over {} runs; load alone (rows read and parsed) median \
         {:.1} ms, fold alone (Book on a MemoryStore) median {:.1} ms",
        median(total.clone()),
        median(connect),
        max,
        total.len(),
        median(load),
        median(fold)
    );
}
