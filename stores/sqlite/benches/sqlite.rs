//! Charges per second through a Book on a SqliteStore, side by side with a bare rusqlite program
//! inserting the same rows (one transaction per charge), at FULL and NORMAL, on 1 and 4 threads;
//! then a cold start on a 1,000,000-entry file: open it and read one account's summary.
//!
//! `cargo bench -p creditbook-sqlite --bench sqlite` (`make bench-sqlite`). Set
//! `SQLITE_BENCH_CHARGES` (per configuration, default 4000) and `SQLITE_BENCH_DIR` (where the
//! files go, default target/sqlite-bench; the million-entry file is kept there and reused);
//! `SQLITE_BENCH_NO_COLD=1` skips the cold start.
//! Timings are for reading, never pass/fail.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use creditbook::{
    Book, Charge, CreditLimit, Customer, Entry, MemoryStore, Money, OpenAccount, Operation,
    Payment, Store, StoreSettings,
};
use creditbook_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use rusqlite::{Connection, TransactionBehavior};

fn settings() -> StoreSettings {
    StoreSettings::new("Bench", "CAD", "America/Toronto").unwrap()
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 15, 0, 0).unwrap()
}

fn open_op(account: &str) -> OpenAccount {
    OpenAccount {
        customer: Customer::new(format!("cust-{account}"), format!("Customer {account}")),
        credit_limit: Some(CreditLimit::Unlimited),
        terms: None,
    }
}

fn fresh(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

/// Charges per second through Book + SqliteStore: `threads` tills, each on its own account.
fn book_rate(dir: &Path, sync: Synchronous, threads: usize, reads: usize, n: usize) -> f64 {
    let path = fresh(dir, "book.sqlite3");
    let options = SqliteOptions {
        synchronous: sync,
        read_connections: reads,
        ..SqliteOptions::default()
    };
    let book = Arc::new(Book::with_store(
        settings(),
        SqliteStore::open_with(&path, options).unwrap(),
    ));
    let cad = book.settings().currency;
    for t in 0..threads {
        let a = format!("C-{t}");
        book.open_account(
            &a,
            &Operation::new(format!("open-{t}"), start())
                .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
            open_op(&a),
        )
        .unwrap();
    }
    let barrier = Arc::new(Barrier::new(threads + 1));
    let per = n / threads;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let book = Arc::clone(&book);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let a = format!("C-{t}");
                barrier.wait();
                for i in 0..per {
                    let op = Operation::new(
                        format!("till-{t}-{i:08}"),
                        start() + chrono::Duration::seconds(i as i64),
                    );
                    book.charge(
                        &a,
                        &op,
                        Charge::new(Money::from_minor(1999, cad)).sale(format!("S-{t}-{i:08}")),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    barrier.wait();
    let t0 = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    (per * threads) as f64 / t0.elapsed().as_secs_f64()
}

/// The same rows inserted by a bare rusqlite program: same schema and pragmas, the records made
/// beforehand, one `BEGIN IMMEDIATE; INSERT; COMMIT` per charge on one shared connection.
fn bare_rate(dir: &Path, sync: Synchronous, threads: usize, n: usize) -> f64 {
    let path = fresh(dir, "bare.sqlite3");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    let s = match sync {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", s).unwrap();
    conn.execute_batch(
        "CREATE TABLE entries (account TEXT NOT NULL, seq INTEGER NOT NULL CHECK (seq >= 1),
         record TEXT NOT NULL, PRIMARY KEY (account, seq)) WITHOUT ROWID;",
    )
    .unwrap();
    // The exact rows the Book writes: make them with a Book on a MemoryStore.
    let per = n / threads;
    let rows: Vec<Vec<(i64, String)>> = (0..threads)
        .map(|t| {
            let memory = MemoryStore::new();
            let book = Book::with_store(settings(), memory.clone());
            let cad = book.settings().currency;
            let a = format!("C-{t}");
            book
                .open_account(
                    &a,
                    &Operation::new(format!("open-{t}"), start())
                        .by(creditbook::Actor::new("manager")
                            .with(creditbook::Permission::CreditLimit)),
                    open_op(&a),
                )
                .unwrap();
            for i in 0..per {
                let op = Operation::new(
                    format!("till-{t}-{i:08}"),
                    start() + chrono::Duration::seconds(i as i64),
                );
                book.charge(
                    &a,
                    &op,
                    Charge::new(Money::from_minor(1999, cad)).sale(format!("S-{t}-{i:08}")),
                )
                .unwrap();
            }
            memory
                .load(&a, 0)
                .unwrap()
                .iter()
                .map(|e| (e.seq as i64, e.to_record()))
                .collect()
        })
        .collect();
    let conn = Arc::new(Mutex::new(conn));
    let barrier = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = rows
        .into_iter()
        .enumerate()
        .map(|(t, rows)| {
            let conn = Arc::clone(&conn);
            let barrier = Arc::clone(&barrier);
            let a = format!("C-{t}");
            let (seq, record) = &rows[0];
            conn.lock()
                .unwrap()
                .execute(
                    "INSERT INTO entries (account, seq, record) VALUES (?1, ?2, ?3)",
                    (&a, seq, record),
                )
                .unwrap();
            std::thread::spawn(move || {
                barrier.wait();
                for (seq, record) in rows.into_iter().skip(1) {
                    let mut c = conn.lock().unwrap();
                    let tx = c
                        .transaction_with_behavior(TransactionBehavior::Immediate)
                        .unwrap();
                    tx.prepare_cached(
                        "INSERT INTO entries (account, seq, record) VALUES (?1, ?2, ?3)",
                    )
                    .unwrap()
                    .execute((&a, seq, &record))
                    .unwrap();
                    tx.commit().unwrap();
                }
            })
        })
        .collect();
    barrier.wait();
    let t0 = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    (per * threads) as f64 / t0.elapsed().as_secs_f64()
}

/// A file of `accounts` accounts of `per_account` entries each (charges and payments), kept and
/// reused when it already holds them.
fn million_file(dir: &Path, accounts: usize, per_account: usize) -> PathBuf {
    let path = dir.join(format!("million-{accounts}x{per_account}.sqlite3"));
    if let Ok(store) = SqliteStore::open(&path) {
        if store.entry_count().unwrap() as usize == accounts * per_account {
            return path;
        }
    }
    let path = fresh(dir, path.file_name().unwrap().to_str().unwrap());
    let t0 = Instant::now();
    let store = SqliteStore::open_with(
        &path,
        SqliteOptions {
            synchronous: Synchronous::Normal,
            ..SqliteOptions::default()
        },
    )
    .unwrap();
    let cad = settings().currency;
    for a in 0..accounts {
        let id = format!("C-{a:06}");
        let memory = MemoryStore::new();
        let book = Book::with_store(settings(), memory.clone());
        book.open_account(
            &id,
            &Operation::new("open", start())
                .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
            open_op(&id),
        )
        .unwrap();
        for i in 1..per_account {
            let op = Operation::new(
                format!("till-01-{i:08}"),
                start() + chrono::Duration::minutes(7 * i as i64),
            );
            if i % 3 == 0 {
                book.pay(&id, &op, Payment::new(Money::from_minor(2500, cad)))
                    .unwrap();
            } else {
                book.charge(
                    &id,
                    &op,
                    Charge::new(Money::from_minor(1999, cad)).sale(format!("S-{i:08}")),
                )
                .unwrap();
            }
        }
        let entries: Vec<Entry> = memory.load(&id, 0).unwrap();
        store.append(&id, 0, &entries).unwrap();
    }
    store.checkpoint().unwrap();
    eprintln!(
        "built {} ({} entries) in {:.1} s",
        path.display(),
        accounts * per_account,
        t0.elapsed().as_secs_f64()
    );
    path
}

/// Open the file, make a Book on it and read one account's summary: what a till does first.
fn cold_start(path: &Path, account: &str) -> Duration {
    let t0 = Instant::now();
    let book = Book::with_store(settings(), SqliteStore::open(path).unwrap());
    let summary = book
        .summary(
            account,
            (start() + chrono::Duration::days(3650)).date_naive(),
        )
        .unwrap();
    let took = t0.elapsed();
    assert!(summary.balance_owed > rust_decimal::Decimal::ZERO);
    took
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let dir = PathBuf::from(std::env::var("SQLITE_BENCH_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/sqlite-bench").into()
    }));
    std::fs::create_dir_all(&dir).unwrap();
    // `cargo bench` passes --bench; `cargo test --all-targets` (make test) runs this binary
    // without it: then a smoke run, a few charges and no million-entry file.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("SQLITE_BENCH_CHARGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if smoke { 40 } else { 4000 });
    println!("charges per second, {n} charges per run, median of 3 runs (book and bare alternate)");
    println!(
        "{:<8} {:>7} {:>12} {:>12} {:>9} {:>16}",
        "sync", "threads", "book", "bare", "overhead", "book, 0 readers"
    );
    for sync in [Synchronous::Full, Synchronous::Normal] {
        for threads in [1, 4] {
            let (mut book, mut bare, mut book0) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..3 {
                book.push(book_rate(&dir, sync, threads, 2, n));
                bare.push(bare_rate(&dir, sync, threads, n));
                book0.push(book_rate(&dir, sync, threads, 0, n));
            }
            eprintln!("  runs: book {book:.0?} bare {bare:.0?} book/0 readers {book0:.0?}");
            let (book, bare, book0) = (median(book), median(bare), median(book0));
            println!(
                "{:<8} {:>7} {:>12.0} {:>12.0} {:>8.1}% {:>16.0}",
                format!("{sync:?}"),
                threads,
                book,
                bare,
                (bare / book - 1.0) * 100.0,
                book0
            );
        }
    }

    if smoke || std::env::var_os("SQLITE_BENCH_NO_COLD").is_some() {
        return;
    }
    let (accounts, per) = (1_000, 1_000);
    let path = million_file(&dir, accounts, per);
    let size = std::fs::metadata(&path).unwrap().len();
    let times: Vec<f64> = (0..15)
        .map(|i| cold_start(&path, &format!("C-{:06}", (i * 397) % accounts)).as_secs_f64() * 1e3)
        .collect();
    let max = times.iter().cloned().fold(0.0, f64::max);
    println!(
        "cold start on {} entries ({accounts} accounts x {per}, {:.0} MB): open + summary of one \
         account, median {:.2} ms, max {:.2} ms over {} accounts",
        accounts * per,
        size as f64 / 1e6,
        median(times.clone()),
        max,
        times.len()
    );
}
