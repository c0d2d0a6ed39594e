//! The store on a real server: the schema it creates and refuses, its typed errors (with the
//! server's SQLSTATE, never the password), its pool, and a Book over it.

mod common;

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use creditbook::{
    Actor, Book, Charge, CreditLimit, Customer, Error, Money, OpenAccount, Operation, Permission,
    Store, StoreError, StoreSettings,
};
use creditbook_postgres::{
    sqlstate_code, sqlstate_of, OpenError, PostgresOptions, PostgresStore, CODE_CORRUPT_RECORD,
    CODE_POOL_TIMEOUT, SCHEMA_VERSION,
};

fn settings() -> StoreSettings {
    StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Toronto").unwrap()
}

fn op(id: &str, n: i64) -> Operation {
    Operation::new(
        id,
        Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap() + chrono::Duration::seconds(n),
    )
}

fn open(book: &Book<PostgresStore>, account: &str, limit: CreditLimit) {
    book.open_account(
        account,
        &op(&format!("open-{account}"), 0).by(Actor::new("manager").with(Permission::CreditLimit)),
        OpenAccount {
            customer: Customer::new(format!("cust-{account}"), format!("Customer {account}")),
            credit_limit: Some(limit),
            terms: None,
        },
    )
    .unwrap();
}

fn charge(
    book: &Book<PostgresStore>,
    account: &str,
    id: &str,
    cents: i64,
) -> creditbook::Result<()> {
    let cad = book.settings().currency;
    book.charge(
        account,
        &op(id, 1),
        Charge::new(Money::from_minor(cents, cad)),
    )
    .map(drop)
}

/// (xmin, version) of the version row: xmin changes whenever the row is written.
fn version_row(schema: &str) -> (String, i32) {
    let row = common::admin()
        .query_one(
            &format!("SELECT xmin::text, version FROM \"{schema}\".creditbook_schema"),
            &[],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

#[test]
fn a_new_database_gets_the_schema_and_connecting_again_writes_nothing() {
    let schema = common::unique_schema("new");
    let store = PostgresStore::connect_with(&common::dsn(), common::options_in(&schema)).unwrap();
    assert_eq!(
        store.entries_table(),
        format!("\"{schema}\".\"creditbook_entries\"")
    );
    let mut admin = common::admin();
    let app: String = admin
        .query_one(
            &format!("SELECT application FROM \"{schema}\".creditbook_schema"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(app, "creditbook");
    let pk: String = admin
        .query_one(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
             JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE n.nspname = $1 AND c.conname = 'creditbook_entries_pkey'",
            &[&schema],
        )
        .unwrap()
        .get(0);
    assert_eq!(pk, "PRIMARY KEY (account, seq)");
    let before = version_row(&schema);
    assert_eq!(before.1, SCHEMA_VERSION);
    drop(store);
    let again = PostgresStore::connect_with(&common::dsn(), common::options_in(&schema)).unwrap();
    assert_eq!(
        version_row(&schema),
        before,
        "connecting again wrote the version row"
    );
    assert_eq!(again.entry_count().unwrap(), 0);
}

#[test]
fn many_registers_connecting_to_a_new_database_at_once_create_it_once() {
    let schema = common::unique_schema("race");
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let schema = schema.clone();
            std::thread::spawn(move || {
                PostgresStore::connect_with(&common::dsn(), common::options_in(&schema))
            })
        })
        .collect();
    let stores: Vec<PostgresStore> = handles
        .into_iter()
        .map(|h| h.join().unwrap().expect("every register connects"))
        .collect();
    let book = Book::with_store(settings(), stores[3].clone());
    open(&book, "C-1", CreditLimit::Unlimited);
    for s in &stores {
        assert_eq!(s.load("C-1", 0).unwrap().len(), 1);
    }
    assert_eq!(version_row(&schema).1, SCHEMA_VERSION);
}

#[test]
fn a_newer_schema_is_refused_untouched_and_connects_once_set_back() {
    let schema = common::unique_schema("newer");
    let store = PostgresStore::connect_with(&common::dsn(), common::options_in(&schema)).unwrap();
    let book = Book::with_store(settings(), store);
    open(&book, "C-1", CreditLimit::Unlimited);
    charge(&book, "C-1", "s-1", 1250).unwrap();
    drop(book);
    let mut admin = common::admin();
    let set = |admin: &mut postgres::Client, v: i32| {
        admin
            .execute(
                &format!("UPDATE \"{schema}\".creditbook_schema SET version = $1"),
                &[&v],
            )
            .unwrap();
    };
    set(&mut admin, SCHEMA_VERSION + 1);
    let before = version_row(&schema);
    let e = PostgresStore::connect_with(&common::dsn(), common::options_in(&schema)).unwrap_err();
    assert_eq!(
        e,
        OpenError::NewerSchema {
            table: format!("{schema}.creditbook_schema"),
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
    );
    assert_eq!(e.code(), creditbook_postgres::CODE_NEWER_SCHEMA);
    assert_eq!(
        version_row(&schema),
        before,
        "a refused database was written"
    );
    set(&mut admin, SCHEMA_VERSION);
    let store = PostgresStore::connect_with(&common::dsn(), common::options_in(&schema)).unwrap();
    assert_eq!(store.load("C-1", 0).unwrap().len(), 2);
}

#[test]
fn an_older_schema_is_migrated_in_one_transaction() {
    // Version 0 is what the library itself writes first: the version table alone.
    let schema = common::unique_schema("older");
    common::admin()
        .batch_execute(&format!(
            "CREATE SCHEMA \"{schema}\";
             CREATE TABLE \"{schema}\".creditbook_schema (
                 singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                 application text NOT NULL, version integer NOT NULL);
             INSERT INTO \"{schema}\".creditbook_schema (application, version)
             VALUES ('creditbook', 0);"
        ))
        .unwrap();
    let store = PostgresStore::connect_with(&common::dsn(), common::options_in(&schema)).unwrap();
    assert_eq!(version_row(&schema).1, SCHEMA_VERSION);
    let book = Book::with_store(settings(), store);
    open(&book, "C-1", CreditLimit::Unlimited);
    assert_eq!(book.store().account_ids().unwrap(), vec!["C-1"]);
}

#[test]
fn another_applications_tables_are_refused_untouched() {
    let mut admin = common::admin();
    // A table named like ours, without our version table.
    let schema = common::unique_schema("other");
    admin
        .batch_execute(&format!(
            "CREATE SCHEMA \"{schema}\";
             CREATE TABLE \"{schema}\".creditbook_entries (sku text);
             INSERT INTO \"{schema}\".creditbook_entries VALUES ('A-1');"
        ))
        .unwrap();
    let e = PostgresStore::connect_with(&common::dsn(), common::options_in(&schema)).unwrap_err();
    assert!(matches!(e, OpenError::NotCreditbook { .. }), "{e:?}");
    let tables: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1",
            &[&schema],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        tables, 1,
        "tables were created beside another application's"
    );
    // A version table of that name with another application's row, or other columns.
    for (tag, sql) in [
        (
            "otherapp",
            "CREATE TABLE {t} (singleton boolean PRIMARY KEY, application text, version integer);
             INSERT INTO {t} VALUES (true, 'inventory', 1);",
        ),
        (
            "othercols",
            "CREATE TABLE {t} (name text); INSERT INTO {t} VALUES ('x');",
        ),
    ] {
        let schema = common::unique_schema(tag);
        let t = format!("\"{schema}\".creditbook_schema");
        admin
            .batch_execute(&format!(
                "CREATE SCHEMA \"{schema}\"; {}",
                sql.replace("{t}", &t)
            ))
            .unwrap();
        let e =
            PostgresStore::connect_with(&common::dsn(), common::options_in(&schema)).unwrap_err();
        assert!(matches!(e, OpenError::NotCreditbook { .. }), "{tag}: {e:?}");
        assert_eq!(e.code(), creditbook_postgres::CODE_NOT_CREDITBOOK);
        let tables: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = $1",
                &[&schema],
            )
            .unwrap()
            .get(0);
        assert_eq!(tables, 1, "{tag}");
    }
}

#[test]
fn bad_options_and_unreachable_servers_are_typed_and_keep_the_password_out() {
    let secret = "hunter2-Sesame";
    let seen = std::cell::RefCell::new(Vec::new());
    let bad = |dsn: &str, options: PostgresOptions| {
        let e = PostgresStore::connect_with(dsn, options).unwrap_err();
        seen.borrow_mut().push(e.clone());
        e
    };
    let e = bad(
        &format!("host=/tmp user=x password={secret} sslmode=bogus"),
        PostgresOptions::default(),
    );
    assert!(matches!(e, OpenError::InvalidOptions { .. }), "{e:?}");
    let e = bad(
        &common::dsn(),
        PostgresOptions {
            pool_size: 0,
            ..PostgresOptions::default()
        },
    );
    assert!(matches!(e, OpenError::InvalidOptions { .. }), "{e:?}");
    // No server on that socket: a connection failure, 08006.
    let dir = tempfile::tempdir().unwrap();
    let e = bad(
        &format!(
            "host={} user=till password={secret} dbname=shop",
            dir.path().display()
        ),
        PostgresOptions::default(),
    );
    match &e {
        OpenError::Postgres { sqlstate, .. } => assert_eq!(sqlstate, "08006"),
        other => panic!("{other:?}"),
    }
    assert_eq!(sqlstate_of(e.code()).as_deref(), Some("08006"));
    // The server answers: a database that does not exist is its 3D000, with its message.
    let e = bad(
        &format!("{} dbname=no_such_shop password={secret}", common::dsn()),
        PostgresOptions::default(),
    );
    match &e {
        OpenError::Postgres { sqlstate, message } => {
            assert_eq!(sqlstate, "3D000");
            assert!(message.contains("no_such_shop"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let seen = seen.into_inner();
    assert_eq!(seen.len(), 4);
    for e in &seen {
        assert!(!format!("{e} {e:?}").contains(secret), "{e:?}");
    }
    let store = PostgresStore::connect(&format!("{} password={secret}", common::dsn())).unwrap();
    assert!(!format!("{store:?}").contains(secret), "{store:?}");
}

#[test]
fn a_server_error_fails_the_operation_with_its_sqlstate_and_nothing_recorded() {
    let schema = common::unique_schema("denied");
    let owner = PostgresStore::connect_with(&common::dsn(), common::options_in(&schema)).unwrap();
    let book = Book::with_store(settings(), owner.clone());
    open(&book, "C-1", CreditLimit::Unlimited);
    // A clerk's role that may read the accounts but not write them.
    let role = format!("{schema}_ro");
    common::admin()
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN;
             GRANT USAGE ON SCHEMA \"{schema}\" TO {role};
             GRANT SELECT ON ALL TABLES IN SCHEMA \"{schema}\" TO {role};"
        ))
        .unwrap();
    let dsn = format!("{} user={role}", common::dsn());
    let ro = Book::with_store(
        settings(),
        PostgresStore::connect_with(&dsn, common::options_in(&schema)).unwrap(),
    );
    match charge(&ro, "C-1", "denied-1", 500) {
        Err(Error::StoreFailed { code, message }) => {
            assert_eq!(sqlstate_of(code).as_deref(), Some("42501"), "{message}");
            assert_eq!(code, sqlstate_code("42501"));
            assert!(message.contains("42501") && message.contains("permission denied"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(owner.load("C-1", 0).unwrap().len(), 1);
    // The connection that failed a statement is still good: reads go on.
    assert_eq!(ro.entries("C-1").unwrap().len(), 1);
}

#[test]
fn a_record_that_cannot_be_read_fails_the_load_with_its_code() {
    let schema = common::unique_schema("corrupt");
    let store = PostgresStore::connect_with(&common::dsn(), common::options_in(&schema)).unwrap();
    let book = Book::with_store(settings(), store.clone());
    open(&book, "C-1", CreditLimit::Unlimited);
    common::admin()
        .execute(
            &format!("UPDATE \"{schema}\".creditbook_entries SET record = '{{\"schema\": 1'"),
            &[],
        )
        .unwrap();
    match store.load("C-1", 0) {
        Err(StoreError::Failed { code, message }) => {
            assert_eq!(code, CODE_CORRUPT_RECORD);
            assert!(message.contains("C-1"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// Terminating every connection of the store from the server (as a failover or an
/// administrator would): the next operations run on new connections, each recorded once.
#[test]
fn connections_killed_by_the_server_are_replaced() {
    let schema = common::unique_schema("killed");
    let app = format!("{schema}_app");
    let dsn = format!("{} application_name={app}", common::dsn());
    let options = PostgresOptions {
        pool_size: 3,
        ..common::options_in(&schema)
    };
    let store = PostgresStore::connect_with(&dsn, options).unwrap();
    let book = std::sync::Arc::new(Book::with_store(settings(), store.clone()));
    open(&book, "C-1", CreditLimit::Unlimited);
    // Fill the pool: three threads at once.
    std::thread::scope(|s| {
        for t in 0..3 {
            let book = &book;
            s.spawn(move || {
                for i in 0..10 {
                    charge(book, "C-1", &format!("fill-{t}-{i}"), 100).unwrap();
                }
            });
        }
    });
    let mut admin = common::admin();
    let terminate = |admin: &mut postgres::Client| -> i64 {
        admin
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&app],
            )
            .unwrap()
            .len() as i64
    };
    for round in 0..3 {
        assert!(
            terminate(&mut admin) >= 1,
            "round {round}: no connection to kill"
        );
        // Each charge below runs on a dead connection first, unless a fresh one replaced it.
        for i in 0..3 {
            charge(&book, "C-1", &format!("after-{round}-{i}"), 100).unwrap();
        }
        assert!(store.open_connections() <= 3);
    }
    let entries = store.load("C-1", 0).unwrap();
    assert_eq!(entries.len(), 1 + 30 + 9);
    let ids: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.op_id.as_str()).collect();
    assert_eq!(ids.len(), entries.len(), "an operation recorded twice");
    // A new Book on the store sees the same.
    let fresh = Book::with_store(settings(), store);
    assert_eq!(fresh.entries("C-1").unwrap(), entries);
}

/// All connections busy (a load blocked by a lock held elsewhere): the next operation waits for
/// the checkout timeout and fails with its code; the blocked one completes once the lock goes.
#[test]
fn a_busy_pool_fails_after_the_checkout_timeout() {
    let schema = common::unique_schema("busy");
    let options = PostgresOptions {
        pool_size: 1,
        checkout_timeout: Duration::from_millis(300),
        ..common::options_in(&schema)
    };
    let store = PostgresStore::connect_with(&common::dsn(), options).unwrap();
    let book = Book::with_store(settings(), store.clone());
    open(&book, "C-1", CreditLimit::Unlimited);
    let mut admin = common::admin();
    let mut tx = admin.transaction().unwrap();
    tx.batch_execute(&format!(
        "LOCK TABLE \"{schema}\".creditbook_entries IN ACCESS EXCLUSIVE MODE"
    ))
    .unwrap();
    std::thread::scope(|s| {
        let blocked = s.spawn(|| store.load("C-1", 0));
        std::thread::sleep(Duration::from_millis(200));
        let t0 = Instant::now();
        match store.load("C-1", 0) {
            Err(StoreError::Failed { code, .. }) => assert_eq!(code, CODE_POOL_TIMEOUT),
            other => panic!("{other:?}"),
        }
        assert!(t0.elapsed() >= Duration::from_millis(250));
        tx.rollback().unwrap();
        assert_eq!(blocked.join().unwrap().unwrap().len(), 1);
    });
    assert_eq!(store.load("C-1", 0).unwrap().len(), 1);
}

/// Two stores (two registers) on one schema: a stale one gets a conflict from the store and the
/// Book decides again on the latest entries, so the limit holds across registers.
#[test]
fn two_registers_share_the_accounts_and_the_limit() {
    let schema = common::unique_schema("two");
    let connect = || PostgresStore::connect_with(&common::dsn(), common::options_in(&schema));
    let a = Book::with_store(settings(), connect().unwrap());
    let b = Book::with_store(settings(), connect().unwrap());
    open(
        &a,
        "C-1",
        CreditLimit::Amount(rust_decimal::Decimal::new(10_000, 2)),
    );
    charge(&b, "C-1", "b-1", 6_000).unwrap();
    // a's cache has only the opening: its charge conflicts, it catches up and refuses.
    match charge(&a, "C-1", "a-1", 6_000) {
        Err(Error::CreditLimitExceeded { .. }) => {}
        other => panic!("{other:?}"),
    }
    charge(&a, "C-1", "a-2", 4_000).unwrap();
    let entries = b.store().load("C-1", 0).unwrap();
    assert_eq!(entries.len(), 3);
    // The store alone: an append at a stale version writes nothing.
    assert_eq!(
        b.store().append("C-1", 1, &entries[1..2]),
        Err(StoreError::Conflict)
    );
    assert_eq!(a.store().load("C-1", 0).unwrap(), entries);
}
