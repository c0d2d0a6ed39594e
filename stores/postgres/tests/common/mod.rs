//! What the PostgreSQL tests share: the server to use and a schema of their own on it.
#![allow(dead_code)] // each test binary uses its own part

use std::sync::atomic::{AtomicUsize, Ordering};

use creditbook_postgres::{PostgresOptions, PostgresStore};

/// The throwaway server's DSN. A test without a server fails: CI must run these tests, so a
/// missing server is an error of the set-up, never a reason to skip.
pub fn dsn() -> String {
    std::env::var("CREDITBOOK_PG_DSN").unwrap_or_else(|_| {
        panic!(
            "CREDITBOOK_PG_DSN is not set: run `make pg-test`, or start a throwaway server with \
             `eval \"$(tests/pg/cluster.sh start)\"` first"
        )
    })
}

/// A schema name no other test (nor an earlier run on the same server) uses.
pub fn unique_schema(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "t_{tag}_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Options for a store in `schema`.
pub fn options_in(schema: &str) -> PostgresOptions {
    PostgresOptions {
        schema: schema.to_string(),
        ..PostgresOptions::default()
    }
}

/// A store in a new schema of its own.
pub fn fresh_store(tag: &str) -> PostgresStore {
    PostgresStore::connect_with(&dsn(), options_in(&unique_schema(tag))).expect("connect")
}

/// A plain client, for looking at the tables from outside the store.
pub fn admin() -> postgres::Client {
    postgres::Client::connect(&dsn(), postgres::NoTls).expect("connect")
}

/// `pg_ctl restart -m immediate` through the cluster script: every backend killed at once, as in
/// a crash, and the server recovering from its WAL.
pub fn restart_server() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/pg/cluster.sh");
    let status = std::process::Command::new(script)
        .arg("restart")
        .status()
        .expect("run tests/pg/cluster.sh restart");
    assert!(status.success(), "restart failed: {status}");
}
