//! A chain on one SQLite file: 4 processes of 4 threads (3 registers and the back office each) on
//! 20 shared accounts with credit limits, random operations of every kind, processes killed with
//! SIGKILL and started again, checked at checkpoints and at the end against the logs and an
//! independent model of the rules; then the statement run of several processes at once, and of
//! processes killed mid-run. The harness (tests/chain/mod.rs) is the PostgreSQL store's too, so
//! both shipped stores face the same test.
//!
//! `CHAIN_OPS` (operations per thread, default 60), `CHAIN_SEED` and `CHAIN_KILL_AFTER_LINES` make a
//! bigger run (`make soak-chain`).

#[path = "../../../tests/chain/mod.rs"]
mod chain;

use std::path::{Path, PathBuf};

use creditbook_sqlite::SqliteStore;

fn open(path: &Path) -> Result<SqliteStore, String> {
    SqliteStore::open(path).map_err(|e| e.to_string())
}

/// The processes' entry point: a no-op unless this binary was started as one.
#[test]
fn chain_child() {
    if let Ok(path) = std::env::var("CHAIN_DB") {
        chain::child(|| open(Path::new(&path)));
    }
}

fn db_env(path: &Path) -> Vec<(String, String)> {
    vec![("CHAIN_DB".to_string(), path.display().to_string())]
}

#[test]
fn registers_and_back_office_of_a_chain_on_one_file_under_kills() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chain.sqlite3");
    chain::open_accounts(open(&db).unwrap());
    // No store faults of its own: SQLite has no server to restart.
    let plan = chain::Plan {
        store_faults: 0,
        ..chain::Plan::from_env(60)
    };
    let report = chain::supervise(
        dir.path(),
        &plan,
        "chain_child",
        &db_env(&db),
        &|| open(&db).unwrap(),
        &mut || {},
    );
    eprintln!("SQLite chain: {report:#?}");
    report.assert_eventful();
}

#[test]
fn the_statement_run_across_processes_sends_each_statement_once() {
    let dir = tempfile::tempdir().unwrap();
    let dbs: Vec<PathBuf> = ["calm", "killed"]
        .iter()
        .map(|n| dir.path().join(format!("{n}.sqlite3")))
        .collect();
    let owing = chain::statement_month(open(&dbs[0]).unwrap());
    assert_eq!(chain::statement_month(open(&dbs[1]).unwrap()), owing);
    let (first, second) = chain::statement_runs(
        dir.path(),
        "chain_child",
        (&db_env(&dbs[0]), &db_env(&dbs[1])),
        (&open(&dbs[0]).unwrap(), &open(&dbs[1]).unwrap()),
        owing,
    );
    eprintln!("statement runs: {first:?}\n{second:?}");
}
