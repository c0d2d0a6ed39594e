//! A chain on one PostgreSQL database: 4 processes of 4 threads (3 registers and the back office
//! each) on 20 shared accounts with credit limits, random operations of every kind, processes
//! killed with SIGKILL and started again, and the server itself restarted with
//! `pg_ctl restart -m immediate`, checked at checkpoints and at the end against the logs and an
//! independent model of the rules (the harness: tests/chain/mod.rs, shared with the SQLite store's
//! test). Then the statement run of several back-office processes at once, and one killed
//! mid-run.
//!
//! `CHAIN_OPS` (operations per thread, default 60), `CHAIN_SEED`, `CHAIN_KILL_AFTER_LINES` and
//! `CHAIN_STORE_FAULTS` make a bigger run (`make soak-chain`).

#[path = "../../../tests/chain/mod.rs"]
mod chain;

mod common;

use creditbook_postgres::{PostgresOptions, PostgresStore};

fn options(schema: &str) -> PostgresOptions {
    PostgresOptions {
        pool_size: 2,
        ..common::options_in(schema)
    }
}

fn open(schema: &str) -> Result<PostgresStore, String> {
    PostgresStore::connect_with(&common::dsn(), options(schema)).map_err(|e| e.to_string())
}

/// The processes' entry point: a no-op unless this binary was started as one.
#[test]
fn chain_child() {
    if let Ok(schema) = std::env::var("CHAIN_SCHEMA") {
        chain::child(|| open(&schema));
    }
}

/// The tests of this file take turns: a server restart would disturb the other.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

fn schema_env(schema: &str) -> Vec<(String, String)> {
    vec![("CHAIN_SCHEMA".to_string(), schema.to_string())]
}

#[test]
fn registers_and_back_office_of_a_chain_under_kills_and_server_restarts() {
    let _turn = turn();
    let schema = common::unique_schema("chain");
    chain::open_accounts(open(&schema).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let plan = chain::Plan::from_env(60);
    let report = chain::supervise(
        dir.path(),
        &plan,
        "chain_child",
        &schema_env(&schema),
        &|| open(&schema).unwrap(),
        &mut common::restart_server,
    );
    eprintln!("PostgreSQL chain: {report:#?}");
    report.assert_eventful();
    assert!(report.store_faults >= 1, "the server was never restarted");
}

/// Several back-office processes run the statement run at once on one database: each statement
/// is sent once. Then one killed mid-run (the mailer slowed down so that the kill lands between
/// the claim and the outcome), and a rerun once its claims have lapsed finishes the month: every
/// statement delivered, none delivered twice on one claim.
#[test]
fn the_statement_run_across_processes_sends_each_statement_once() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let (calm, killed) = (
        common::unique_schema("stmt"),
        common::unique_schema("stmtkill"),
    );
    let owing = chain::statement_month(open(&calm).unwrap());
    assert_eq!(chain::statement_month(open(&killed).unwrap()), owing);
    let (first, second) = chain::statement_runs(
        dir.path(),
        "chain_child",
        (&schema_env(&calm), &schema_env(&killed)),
        (&open(&calm).unwrap(), &open(&killed).unwrap()),
        owing,
    );
    eprintln!("statement runs: {first:?}\n{second:?}");
}
