//! Faults on a real server and real processes: the server restarted with
//! `pg_ctl restart -m immediate` under a stream of charges, register processes killed with
//! SIGKILL at random points on shared accounts with credit limits, and processes running side by
//! side without faults.
//!
//! Child processes are this test binary run again with `CREDITBOOK_FAULT_ROLE=writer`: the test
//! `child_role` then plays a process of registers (threads, each with its own Book on one shared
//! store) instead of returning. Each register logs every operation (`try` before calling the
//! Book, `ack`/`refused`/`failed` after it returned) with one `write(2)` per line on a file opened
//! for appending, which the kernel keeps when the process is killed.
//!
//! The tests of this file take turns (one lock): a server restart would disturb the others.

#[path = "../../../core/tests/sim/mod.rs"]
mod sim;

mod common;

#[path = "../../../tests/support/procs.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use creditbook::{Book, Charge, CreditLimit, Error, Operation, Payment, Policies, Store};
use creditbook_postgres::{sqlstate_of, PostgresOptions, PostgresStore};
use rust_decimal::Decimal;

const ROLE: &str = "CREDITBOOK_FAULT_ROLE";
const ACCOUNTS: [&str; 5] = ["C-1", "C-2", "C-3", "C-4", "C-5"];
/// Credit limit of every account, in cents.
const LIMIT: i64 = 50_000;

static TURN: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

fn as_of() -> NaiveDate {
    (sim::start() + chrono::Duration::days(400)).date_naive()
}

fn options(schema: &str, pool_size: usize) -> PostgresOptions {
    PostgresOptions {
        pool_size,
        ..common::options_in(schema)
    }
}

fn store_on(schema: &str) -> PostgresStore {
    PostgresStore::connect_with(&common::dsn(), options(schema, 2)).expect("connect")
}

fn book_on(store: PostgresStore) -> Book<PostgresStore> {
    Book::with_store(sim::settings(Policies::default()), store)
}

fn open_accounts(schema: &str) {
    let book = book_on(store_on(schema));
    for a in ACCOUNTS {
        sim::open(
            &book,
            a,
            CreditLimit::Amount(sim::cents(LIMIT)),
            sim::start(),
        );
    }
}

// ---- the registers ----

/// One operation as logged: enough to run it again, identically (same id, amount and instant).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Op {
    id: String,
    account: String,
    charge: bool,
    cents: i64,
    n: i64,
}

impl Op {
    fn random(rng: &mut fastrand::Rng, id: String, n: i64) -> Op {
        Op {
            id,
            account: ACCOUNTS[rng.usize(..ACCOUNTS.len())].to_string(),
            // Mostly charges, so the limits are reached and refusals happen.
            charge: rng.u8(..4) < 3,
            cents: rng.i64(100..15_000),
            n,
        }
    }

    fn line(&self) -> String {
        let kind = if self.charge { "charge" } else { "pay" };
        format!(
            "{} {} {kind} {} {}",
            self.id, self.account, self.cents, self.n
        )
    }

    fn parse(words: &[&str]) -> Op {
        Op {
            id: words[0].to_string(),
            account: words[1].to_string(),
            charge: words[2] == "charge",
            cents: words[3].parse().unwrap(),
            n: words[4].parse().unwrap(),
        }
    }

    fn run<S: Store>(&self, book: &Book<S>) -> creditbook::Result<creditbook::Outcome> {
        let op = Operation::new(
            self.id.as_str(),
            sim::start() + chrono::Duration::seconds(self.n),
        );
        if self.charge {
            book.charge(&self.account, &op, Charge::new(sim::cad(self.cents)))
        } else {
            book.pay(&self.account, &op, Payment::new(sim::cad(self.cents)))
        }
    }
}

use support::log_line as log;

/// One register: `ops` random operations (or until `stop`), each retried with the same id while
/// the store fails (the host's job after an unknown outcome), each step logged.
fn register(
    book: &Book<PostgresStore>,
    logf: &std::fs::File,
    name: &str,
    seed: u64,
    ops: usize,
    stop: &AtomicBool,
) {
    let mut rng = fastrand::Rng::with_seed(seed);
    for i in 0..ops {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let op = Op::random(&mut rng, format!("{name}-{i}"), i as i64);
        log(logf, &format!("try {}", op.line()));
        loop {
            match op.run(book) {
                Ok(_) => log(logf, &format!("ack {}", op.line())),
                Err(Error::CreditLimitExceeded { .. }) => {
                    log(logf, &format!("refused {}", op.line()))
                }
                Err(Error::StoreFailed { code, .. }) => {
                    log(logf, &format!("failed {code} {}", op.line()));
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                Err(e) => log(logf, &format!("error {} {}", e.code(), op.line())),
            }
            break;
        }
    }
}

/// A process of registers: `CREDITBOOK_FAULT_THREADS` threads, each with its own Book on one
/// store with a connection each.
fn writer_process() {
    let var = |k: &str| std::env::var(k).unwrap();
    let schema = var("CREDITBOOK_FAULT_SCHEMA");
    let name = var("CREDITBOOK_FAULT_NAME");
    let ops: usize = var("CREDITBOOK_FAULT_OPS").parse().unwrap();
    let threads: usize = var("CREDITBOOK_FAULT_THREADS").parse().unwrap();
    let seed: u64 = var("CREDITBOOK_FAULT_SEED").parse().unwrap();
    let logf = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(var("CREDITBOOK_FAULT_LOG"))
        .unwrap();
    let store = match PostgresStore::connect_with(&common::dsn(), options(&schema, threads)) {
        Ok(store) => store,
        Err(e) => {
            // The server restarting: this process gives up, as a register would show an error.
            log(&logf, &format!("open-failed {}", e.code()));
            return;
        }
    };
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (store, logf, name, stop) = (store.clone(), &logf, &name, &stop);
            s.spawn(move || {
                let book = book_on(store);
                register(
                    &book,
                    logf,
                    &format!("{name}t{t}"),
                    seed + t as u64,
                    ops,
                    stop,
                );
            });
        }
    });
}

/// The child's entry point: a no-op unless this binary was started as a child.
#[test]
fn child_role() {
    match std::env::var(ROLE).as_deref() {
        Ok("writer") => writer_process(),
        Ok(other) => panic!("unknown role {other}"),
        Err(_) => {}
    }
}

fn spawn_writer(
    schema: &str,
    logp: &Path,
    name: &str,
    seed: u64,
    ops: usize,
    threads: usize,
) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_role", "--nocapture", "--test-threads=1"])
        .env(ROLE, "writer")
        .env("CREDITBOOK_FAULT_SCHEMA", schema)
        .env("CREDITBOOK_FAULT_LOG", logp)
        .env("CREDITBOOK_FAULT_NAME", name)
        .env("CREDITBOOK_FAULT_SEED", seed.to_string())
        .env("CREDITBOOK_FAULT_OPS", ops.to_string())
        .env("CREDITBOOK_FAULT_THREADS", threads.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

// ---- what the logs say, and the checks against the database ----

#[derive(Debug, Default)]
struct Log {
    tried: BTreeMap<String, Op>,
    acked: BTreeMap<String, Op>,
    refused: BTreeSet<String>,
    /// (SQLSTATE, operation id) of each failed attempt.
    failed: Vec<(String, String)>,
    open_failed: usize,
    other: Vec<String>,
}

fn assert_no_other(log: &Log) {
    assert!(
        log.other.is_empty(),
        "{} unexpected outcomes, the first: {:?}",
        log.other.len(),
        &log.other[..log.other.len().min(5)]
    );
}

impl Log {
    fn read(paths: &[PathBuf]) -> Log {
        let mut log = Log::default();
        for path in paths {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            for line in text.lines() {
                log.add(line);
            }
        }
        log
    }

    fn add(&mut self, line: &str) {
        let words: Vec<&str> = line.split(' ').collect();
        match words[0] {
            "try" => {
                let op = Op::parse(&words[1..]);
                self.tried.insert(op.id.clone(), op);
            }
            "ack" => {
                let op = Op::parse(&words[1..]);
                assert!(self.acked.insert(op.id.clone(), op).is_none(), "{line}");
            }
            "refused" => {
                self.refused.insert(words[1].to_string());
            }
            "failed" => {
                let code: i32 = words[1].parse().unwrap();
                let sqlstate = sqlstate_of(code).unwrap_or_else(|| code.to_string());
                self.failed.push((sqlstate, words[2].to_string()));
            }
            "open-failed" => self.open_failed += 1,
            _ => self.other.push(line.to_string()),
        }
    }
}

/// What a fresh store reads: each operation id with its account, asserting on the way that seqs
/// are dense, no operation is recorded twice, every acknowledged one is there on its account,
/// nothing was recorded that was not tried or was refused, and no prefix of any account's
/// entries owes more than the limit (no charge here has an override).
///
/// While registers still run, the logs are read twice, `before` and `after` the rows: an
/// operation acknowledged in `before` must be recorded, one recorded must be tried in `after`.
fn check_rows(
    schema: &str,
    before: &Log,
    after: Option<&dyn Fn() -> Log>,
) -> BTreeMap<String, &'static str> {
    let store = store_on(schema);
    let rows: Vec<(&str, Vec<creditbook::Entry>)> = ACCOUNTS
        .iter()
        .map(|a| (*a, store.load(a, 0).unwrap()))
        .collect();
    let reread;
    let after = match after {
        Some(read) => {
            reread = read();
            &reread
        }
        None => before,
    };
    let mut recorded = BTreeMap::new();
    for (a, entries) in rows {
        let mut owed = Decimal::ZERO;
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.seq, i as u64 + 1, "{a}: seqs not dense");
            owed += e.effect().unwrap().owed;
            assert!(
                owed <= sim::cents(LIMIT),
                "{a}: {owed} owed after entry {} ({})",
                e.seq,
                e.op_id
            );
            if e.seq > 1 {
                assert!(
                    after.tried.contains_key(e.op_id.as_str()),
                    "{} recorded, never tried",
                    e.op_id
                );
                assert!(
                    !after.refused.contains(e.op_id.as_str()),
                    "{} recorded but refused",
                    e.op_id
                );
            }
            let previous = recorded.insert(e.op_id.to_string(), a);
            assert!(previous.is_none(), "{} recorded twice", e.op_id);
        }
    }
    for (id, op) in &before.acked {
        assert_eq!(
            recorded.get(id).copied(),
            Some(op.account.as_str()),
            "acknowledged {id} not recorded on {}",
            op.account
        );
    }
    recorded
}

/// [`check_rows`], then a fresh Book on a fresh store: the ledger invariants of every account
/// (its figures equal the fold of its entries, open invoices, aging, limits at every prefix) and
/// acknowledged operations replayed, recording nothing. Returns the operations recorded (the
/// openings left out).
fn check_all(schema: &str, log: &Log, replays: usize) -> usize {
    let recorded = check_rows(schema, log, None);
    let book = book_on(store_on(schema));
    for a in ACCOUNTS {
        let summary = sim::check(&book, a, as_of());
        assert!(
            summary.balance_owed <= sim::cents(LIMIT),
            "{a}: {summary:?}"
        );
        let raw = book.store().load(a, 0).unwrap();
        assert_eq!(book.entries(a).unwrap(), raw);
        let owed: Decimal = raw.iter().map(|e| e.effect().unwrap().owed).sum();
        assert_eq!(summary.balance_owed, owed, "{a}");
    }
    let before = book.store().entry_count().unwrap();
    for op in log.acked.values().rev().take(replays) {
        assert!(op.run(&book).unwrap().replayed, "{} not replayed", op.id);
    }
    assert_eq!(book.store().entry_count().unwrap(), before);
    recorded.len() - ACCOUNTS.len()
}

// ---- (a) the server restarted under a stream of charges ----

#[test]
fn server_restarts_in_a_stream_of_charges_lose_and_double_nothing() {
    let _turn = turn();
    let schema = common::unique_schema("restart");
    open_accounts(&schema);
    let dir = tempfile::tempdir().unwrap();
    let logp = dir.path().join("restart.log");
    let logf = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&logp)
        .unwrap();
    let store = PostgresStore::connect_with(&common::dsn(), options(&schema, 4)).unwrap();
    let stop = AtomicBool::new(false);
    let acked_after_last_restart = AtomicUsize::new(0);
    let restarts = 3;
    std::thread::scope(|s| {
        for t in 0..4 {
            let (store, logf, stop) = (store.clone(), &logf, &stop);
            s.spawn(move || {
                let book = book_on(store);
                register(&book, logf, &format!("r{t}"), 100 + t, usize::MAX, stop);
            });
        }
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..restarts {
            std::thread::sleep(Duration::from_millis(rng.u64(300..900)));
            common::restart_server();
        }
        let acked = Log::read(std::slice::from_ref(&logp)).acked.len();
        std::thread::sleep(Duration::from_millis(700));
        let now = Log::read(std::slice::from_ref(&logp)).acked.len();
        acked_after_last_restart.store(now - acked, Ordering::Relaxed);
        stop.store(true, Ordering::Relaxed);
    });
    let log = Log::read(&[logp]);
    assert_no_other(&log);
    // Every operation ended acknowledged or refused: a failed one was retried with its id.
    for id in log.tried.keys() {
        assert!(
            log.acked.contains_key(id) || log.refused.contains(id),
            "{id} neither acknowledged nor refused"
        );
    }
    let recorded = check_all(&schema, &log, 20);
    assert_eq!(recorded, log.acked.len());
    // The restarts did reach the registers, with the server's code or a connection failure.
    assert!(!log.failed.is_empty(), "no operation saw a restart");
    let states: BTreeSet<&str> = log.failed.iter().map(|(s, _)| s.as_str()).collect();
    for s in &states {
        assert!(
            ["57P01", "57P02", "57P03", "08006"].contains(s),
            "unexpected failure {s}"
        );
    }
    assert!(
        acked_after_last_restart.load(Ordering::Relaxed) > 0,
        "nothing acknowledged after the last restart"
    );
    // Replay the failed ones once more: each one recorded is recognised, none recorded twice.
    let book = book_on(store_on(&schema));
    let failed: BTreeSet<&str> = log.failed.iter().map(|(_, id)| id.as_str()).collect();
    for id in &failed {
        let op = &log.tried[*id];
        let again = op.run(&book);
        if log.acked.contains_key(*id) {
            assert!(again.unwrap().replayed, "{id}");
        }
    }
    eprintln!(
        "{restarts} restarts: {} operations acknowledged, {} refused, {} failed attempts \
         ({} operations, {states:?}), all retried to an answer",
        log.acked.len(),
        log.refused.len(),
        log.failed.len(),
        failed.len()
    );
}

// ---- (b) processes killed at random ----

#[test]
fn register_processes_killed_at_random_lose_and_double_nothing() {
    let _turn = turn();
    let schema = common::unique_schema("kill");
    open_accounts(&schema);
    let dir = tempfile::tempdir().unwrap();
    let budget = Duration::from_secs(
        std::env::var("CREDITBOOK_KILL_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20),
    );
    let slots = 3;
    let mut rng = fastrand::Rng::with_seed(11);
    let mut logs: Vec<PathBuf> = Vec::new();
    let mut spawned = 0;
    let mut spawn = |logs: &mut Vec<PathBuf>, rng: &mut fastrand::Rng| {
        let logp = dir.path().join(format!("p{spawned}.log"));
        let child = spawn_writer(
            &schema,
            &logp,
            &format!("p{spawned}"),
            rng.u64(..),
            1_000_000,
            2,
        );
        logs.push(logp);
        spawned += 1;
        child
    };
    let mut children = support::Procs((0..slots).map(|_| spawn(&mut logs, &mut rng)).collect());
    let started = Instant::now();
    let mut kills = 0;
    let mut restarted = false;
    while started.elapsed() < budget {
        std::thread::sleep(Duration::from_millis(rng.u64(30..300)));
        let slot = rng.usize(..slots);
        match children.0[slot].try_wait().unwrap() {
            None => {
                children.0[slot].kill().unwrap(); // SIGKILL
                children.0[slot].wait().unwrap();
                kills += 1;
            }
            // It could not connect (the server was restarting) and gave up: start another.
            Some(status) => assert!(status.success(), "a register process failed: {status}"),
        }
        children.0[slot] = spawn(&mut logs, &mut rng);
        if kills % 10 == 0 {
            check_rows(&schema, &Log::read(&logs), Some(&|| Log::read(&logs)));
        }
        if !restarted && started.elapsed() > budget / 2 {
            // The server itself goes away once, under the running processes.
            common::restart_server();
            restarted = true;
        }
    }
    for c in &mut children.0 {
        c.kill().unwrap();
        c.wait().unwrap();
        kills += 1;
    }
    let log = Log::read(&logs);
    assert_no_other(&log);
    let recorded = check_all(&schema, &log, 30);
    eprintln!(
        "{kills} kills of {slots}x2 registers and 1 server restart in {:.1} s: {} operations \
         acknowledged, {recorded} recorded, {} refused, {} failed attempts, {} processes could \
         not connect",
        started.elapsed().as_secs_f64(),
        log.acked.len(),
        log.refused.len(),
        log.failed.len(),
        log.open_failed
    );
    assert!(kills >= 40, "only {kills} kills");
    assert!(log.acked.len() >= kills, "too few operations between kills");
    assert!(!log.refused.is_empty(), "no charge reached a limit");
    // At most one operation per killed register was recorded without being acknowledged.
    assert!(recorded - log.acked.len() <= 2 * kills);
}

// ---- (c) processes side by side, no fault ----

#[test]
fn four_processes_of_two_registers_on_shared_accounts() {
    let _turn = turn();
    let schema = common::unique_schema("procs");
    open_accounts(&schema);
    let dir = tempfile::tempdir().unwrap();
    let (n, ops) = (4, 40);
    let logs: Vec<PathBuf> = (0..n)
        .map(|i| dir.path().join(format!("p{i}.log")))
        .collect();
    let mut children = support::Procs(
        (0..n)
            .map(|i| {
                spawn_writer(
                    &schema,
                    &logs[i],
                    &format!("p{i}"),
                    1000 + i as u64 * 10,
                    ops,
                    2,
                )
            })
            .collect(),
    );
    for c in &mut children.0 {
        assert!(c.wait().unwrap().success());
    }
    let log = Log::read(&logs);
    assert_no_other(&log);
    assert!(log.failed.is_empty(), "store failures: {:?}", log.failed);
    assert_eq!(log.open_failed, 0);
    assert_eq!(log.tried.len(), n * 2 * ops);
    assert_eq!(log.acked.len() + log.refused.len(), n * 2 * ops);
    let recorded = check_all(&schema, &log, 10);
    // No fault: exactly the acknowledged operations are recorded.
    assert_eq!(recorded, log.acked.len());
    assert!(!log.refused.is_empty(), "no charge reached a limit");
}
