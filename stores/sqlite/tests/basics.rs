//! The store's own behaviour on real files: a Book's operations survive a reopen, the file is in
//! WAL mode with the schema version set, conflicts write nothing, a second store on the same file
//! (another process's view) sees the first's writes.

use chrono::{TimeZone, Utc};
use creditbook::{
    Book, Charge, CreditLimit, Customer, Money, OpenAccount, Operation, Payment, Store, StoreError,
    StoreSettings,
};
use creditbook_sqlite::{SqliteOptions, SqliteStore, Synchronous, APPLICATION_ID, SCHEMA_VERSION};

fn settings() -> StoreSettings {
    StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Toronto").unwrap()
}

fn book_on(store: SqliteStore) -> Book<SqliteStore> {
    Book::with_store(settings(), store)
}

#[test]
fn a_book_on_a_file_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.sqlite3");
    let at = Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap();
    let cad = settings().currency;
    {
        let book = book_on(SqliteStore::open(&path).unwrap());
        book.open_account(
            "C-1",
            &Operation::new("o1", at)
                .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
            OpenAccount {
                customer: Customer::new("cust-1", "Marie Tremblay"),
                credit_limit: Some(CreditLimit::Amount(cad.from_minor(50000))),
                terms: None,
            },
        )
        .unwrap();
        book.charge(
            "C-1",
            &Operation::new("o2", at),
            Charge::new(Money::from_minor(12000, cad)).sale("S-1"),
        )
        .unwrap();
        book.pay(
            "C-1",
            &Operation::new("o3", at),
            Payment::new(Money::from_minor(2000, cad)),
        )
        .unwrap();
    }
    let book = book_on(SqliteStore::open(&path).unwrap());
    let summary = book.summary("C-1", at.date_naive()).unwrap();
    assert_eq!(summary.balance_owed, cad.from_minor(10000));
    // Every op id replays after the reopen: nothing is recorded twice.
    let again = book
        .charge(
            "C-1",
            &Operation::new("o2", at),
            Charge::new(Money::from_minor(12000, cad)).sale("S-1"),
        )
        .unwrap();
    assert!(again.replayed);
    assert_eq!(book.entries("C-1").unwrap().len(), 3);
    assert_eq!(book.store().account_ids().unwrap(), vec!["C-1"]);

    // The file as another SQLite client sees it.
    let raw = rusqlite_free_check(&path);
    assert_eq!(raw, ("wal".to_string(), APPLICATION_ID, SCHEMA_VERSION, 3));
}

/// Reads the header and row count through a second store-independent path: a fresh store's
/// pragmas (the store exposes no connection, so open one with the same library).
fn rusqlite_free_check(path: &std::path::Path) -> (String, i32, i32, u64) {
    let store = SqliteStore::open(path).unwrap();
    let (mode, app, version) = store.pragmas().unwrap();
    (mode, app, version, store.entry_count().unwrap())
}

#[test]
fn a_stale_version_is_a_conflict_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.sqlite3");
    let source = creditbook::MemoryStore::new();
    let book = Book::with_store(settings(), source.clone());
    let at = Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap();
    let cad = settings().currency;
    book.open_account(
        "C-1",
        &Operation::new("o1", at)
            .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        OpenAccount {
            customer: Customer::new("cust-1", "Marie Tremblay"),
            credit_limit: Some(CreditLimit::Unlimited),
            terms: None,
        },
    )
    .unwrap();
    for i in 0..3 {
        book.charge(
            "C-1",
            &Operation::new(format!("c{i}"), at),
            Charge::new(Money::from_minor(100, cad)),
        )
        .unwrap();
    }
    let entries = source.load("C-1", 0).unwrap();
    let a = SqliteStore::open(&path).unwrap();
    let b = SqliteStore::open_with(
        &path,
        SqliteOptions {
            synchronous: Synchronous::Normal,
            read_connections: 0,
            ..SqliteOptions::default()
        },
    )
    .unwrap();
    a.append("C-1", 0, &entries[..2]).unwrap();
    // b (another connection, as another process would be) still thinks version 0 or 1.
    assert_eq!(b.append("C-1", 0, &entries[..1]), Err(StoreError::Conflict));
    assert_eq!(
        b.append("C-1", 1, &entries[1..3]),
        Err(StoreError::Conflict)
    );
    assert_eq!(a.load("C-1", 0).unwrap(), entries[..2].to_vec());
    b.append("C-1", 2, &entries[2..]).unwrap();
    assert_eq!(a.load("C-1", 0).unwrap(), entries);
    assert_eq!(a.load("C-1", 2).unwrap(), entries[2..].to_vec());
    assert_eq!(a.load("C-1", 99).unwrap(), vec![]);
    assert_eq!(a.load("nobody", 0).unwrap(), vec![]);
    // Misnumbered entries are the caller's bug: refused before the database is touched.
    assert!(matches!(
        a.append("C-1", 4, &entries[3..]),
        Err(StoreError::Failed {
            code: creditbook_sqlite::CODE_BAD_SEQUENCE,
            ..
        })
    ));
    assert_eq!(a.entry_count().unwrap(), entries.len() as u64);
}

#[test]
fn a_backup_taken_while_open_holds_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.sqlite3");
    let copy = dir.path().join("backup.sqlite3");
    let source = creditbook::store::conformance::sample_entries().unwrap();
    let store = SqliteStore::open(&path).unwrap();
    store.append("C-1", 0, &source).unwrap();
    // The entries are in the WAL, not yet in the main file: a plain copy of it would miss them.
    store.backup_to(&copy).unwrap();
    let backup = SqliteStore::open(&copy).unwrap();
    assert_eq!(backup.load("C-1", 0).unwrap(), source);
    assert_eq!(backup.account_ids().unwrap(), vec!["C-1"]);
    // An existing target is refused rather than overwritten.
    assert!(store.backup_to(&copy).is_err());
    store.checkpoint().unwrap();
    assert_eq!(
        std::fs::metadata(format!("{}-wal", path.display()))
            .unwrap()
            .len(),
        0
    );
}
