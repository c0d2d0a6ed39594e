//! The store contract kit (`creditbook::store::conformance`) on SQLite files.

use std::sync::atomic::{AtomicUsize, Ordering};

use creditbook::store::conformance::{self, Check};
use creditbook_sqlite::{SqliteOptions, SqliteStore, Synchronous};

#[test]
fn a_fresh_file_per_check_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let n = AtomicUsize::new(0);
    let report = conformance::run(|| {
        let i = n.fetch_add(1, Ordering::Relaxed);
        SqliteStore::open(dir.path().join(format!("check-{i}.sqlite3"))).unwrap()
    })
    .unwrap();
    assert_eq!(report.checks, Check::ALL.to_vec());
    assert_eq!(n.load(Ordering::Relaxed), Check::ALL.len());
}

/// One file, opened again for each check (as several processes would), at NORMAL, with reads
/// through the writing connection: the same contract.
#[test]
fn one_shared_file_opened_again_for_each_check_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.sqlite3");
    for read_connections in [0, 3] {
        let options = SqliteOptions {
            synchronous: Synchronous::Normal,
            read_connections,
            ..SqliteOptions::default()
        };
        conformance::run(|| SqliteStore::open_with(&path, options.clone()).unwrap()).unwrap();
    }
}
