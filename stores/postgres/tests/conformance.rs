//! The store contract kit (`creditbook::store::conformance`) on a real PostgreSQL server.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use creditbook::store::conformance::{self, Check};
use creditbook_postgres::{PostgresOptions, PostgresStore};

#[test]
fn a_fresh_schema_per_check_conforms() {
    let n = AtomicUsize::new(0);
    let report = conformance::run(|| {
        n.fetch_add(1, Ordering::Relaxed);
        common::fresh_store("conf")
    })
    .unwrap();
    assert_eq!(report.checks, Check::ALL.to_vec());
    assert_eq!(n.load(Ordering::Relaxed), Check::ALL.len());
}

/// One schema, connected to again for each check (as several registers would), with pools of 1
/// (every call waits for the one connection) and 8: the same contract.
#[test]
fn one_shared_schema_connected_again_for_each_check_conforms() {
    let schema = common::unique_schema("shared");
    for pool_size in [1, 8] {
        let options = PostgresOptions {
            pool_size,
            ..common::options_in(&schema)
        };
        conformance::run(|| PostgresStore::connect_with(&common::dsn(), options.clone()).unwrap())
            .unwrap();
    }
}

/// The same checks with an empty table prefix in a schema of the store's own.
#[test]
fn an_empty_prefix_in_a_schema_of_its_own_conforms() {
    let options = PostgresOptions {
        table_prefix: String::new(),
        ..common::options_in(&common::unique_schema("noprefix"))
    };
    let store = PostgresStore::connect_with(&common::dsn(), options).unwrap();
    assert!(
        store.entries_table().ends_with(".\"entries\""),
        "{}",
        store.entries_table()
    );
    conformance::run(|| store.clone()).unwrap();
}
