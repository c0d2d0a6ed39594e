//! Faults on real files and real processes: writers killed with SIGKILL mid-operation, several
//! processes on one file, and files that cannot be used (not a database, a newer schema,
//! read-only, a full disk).
//!
//! Child processes are this test binary run again with `CREDITBOOK_FAULT_ROLE` set: the test
//! `child_role` then plays the writer instead of returning. A writer logs every operation to a
//! file (`try` before calling the Book, `ack`/`refused`/`failed` after it returned) with one
//! unbuffered `write` each, which the kernel keeps when the process is killed.

#[path = "../../../core/tests/sim/mod.rs"]
mod sim;

#[path = "../../../tests/support/procs.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use creditbook::{
    Book, Charge, CreditLimit, EntryKind, Error, Operation, Payment, Policies, Store, StoreError,
};
use creditbook_sqlite::{OpenError, SqliteOptions, SqliteStore, Synchronous, SCHEMA_VERSION};
use rust_decimal::Decimal;

const ROLE: &str = "CREDITBOOK_FAULT_ROLE";
const ACCOUNTS: [&str; 3] = ["C-1", "C-2", "C-3"];
/// Credit limit of every account, in cents.
const LIMIT: i64 = 50_000;

fn as_of() -> NaiveDate {
    (sim::start() + chrono::Duration::days(400)).date_naive()
}

fn book_on(path: &Path, synchronous: Synchronous) -> Book<SqliteStore> {
    let options = SqliteOptions {
        synchronous,
        ..SqliteOptions::default()
    };
    Book::with_store(
        sim::settings(Policies::default()),
        SqliteStore::open_with(path, options).expect("open the store"),
    )
}

fn open_accounts(book: &Book<SqliteStore>) {
    for a in ACCOUNTS {
        if book.summary(a, as_of()).is_err() {
            sim::open(
                book,
                a,
                CreditLimit::Amount(sim::cents(LIMIT)),
                sim::start(),
            );
        }
    }
}

// ---- the writer (a child process) ----

/// One operation as logged: enough to run it again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Op {
    id: String,
    account: String,
    charge: bool,
    cents: i64,
}

impl Op {
    fn line(&self) -> String {
        let kind = if self.charge { "charge" } else { "pay" };
        format!("{} {} {kind} {}", self.id, self.account, self.cents)
    }

    fn parse(words: &[&str]) -> Op {
        Op {
            id: words[0].to_string(),
            account: words[1].to_string(),
            charge: words[2] == "charge",
            cents: words[3].parse().unwrap(),
        }
    }

    fn run(&self, book: &Book<SqliteStore>, n: i64) -> creditbook::Result<creditbook::Outcome> {
        let op = Operation::new(
            self.id.as_str(),
            sim::start() + chrono::Duration::seconds(n),
        );
        if self.charge {
            book.charge(&self.account, &op, Charge::new(sim::cad(self.cents)))
        } else {
            book.pay(&self.account, &op, Payment::new(sim::cad(self.cents)))
        }
    }
}

use support::log_line as log;

/// Charges and pays at random on the shared accounts until `CREDITBOOK_FAULT_OPS` operations are
/// done (or forever), logging each.
fn writer() {
    let var = |k: &str| std::env::var(k).unwrap();
    let path = PathBuf::from(var("CREDITBOOK_FAULT_DB"));
    let name = var("CREDITBOOK_FAULT_NAME");
    let ops: usize = var("CREDITBOOK_FAULT_OPS").parse().unwrap();
    let sync = match var("CREDITBOOK_FAULT_SYNC").as_str() {
        "full" => Synchronous::Full,
        _ => Synchronous::Normal,
    };
    let mut rng = fastrand::Rng::with_seed(var("CREDITBOOK_FAULT_SEED").parse().unwrap());
    let logf = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(var("CREDITBOOK_FAULT_LOG"))
        .unwrap();
    let book = match SqliteStore::open_with(
        &path,
        SqliteOptions {
            synchronous: sync,
            ..SqliteOptions::default()
        },
    ) {
        Ok(store) => Book::with_store(sim::settings(Policies::default()), store),
        Err(e) => {
            log(&logf, &format!("open-failed {}", e.code()));
            return;
        }
    };
    for i in 0..ops {
        let op = Op {
            id: format!("{name}-{i}"),
            account: ACCOUNTS[rng.usize(..ACCOUNTS.len())].to_string(),
            charge: rng.u8(..3) < 2,
            cents: rng.i64(100..15_000),
        };
        log(&logf, &format!("try {}", op.line()));
        match op.run(&book, i as i64) {
            Ok(outcome) => {
                assert!(!outcome.replayed);
                log(&logf, &format!("ack {}", op.line()));
            }
            Err(Error::CreditLimitExceeded {
                available,
                requested,
            }) => log(
                &logf,
                &format!("refused {} {available} {requested}", op.line()),
            ),
            Err(Error::StoreFailed { code, .. }) => {
                log(&logf, &format!("failed {code} {}", op.line()))
            }
            Err(e) => log(&logf, &format!("error {} {}", e.code(), op.line())),
        }
    }
}

/// The child's entry point: a no-op unless this binary was started as a child.
#[test]
fn child_role() {
    match std::env::var(ROLE).as_deref() {
        Ok("writer") => writer(),
        Ok(other) => panic!("unknown role {other}"),
        Err(_) => {}
    }
}

struct Writer<'a> {
    db: &'a Path,
    log: &'a Path,
    name: String,
    seed: u64,
    ops: usize,
    sync: Synchronous,
    /// A shell prefix (`ulimit`...) to start the child under.
    shell: Option<String>,
}

impl Writer<'_> {
    fn spawn(&self) -> Child {
        let exe = std::env::current_exe().unwrap();
        let mut cmd = match &self.shell {
            None => Command::new(&exe),
            Some(prefix) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("{prefix}; exec \"$0\" \"$@\""))
                    .arg(&exe);
                c
            }
        };
        cmd.args(["--exact", "child_role", "--nocapture", "--test-threads=1"])
            .env(ROLE, "writer")
            .env("CREDITBOOK_FAULT_DB", self.db)
            .env("CREDITBOOK_FAULT_LOG", self.log)
            .env("CREDITBOOK_FAULT_NAME", &self.name)
            .env("CREDITBOOK_FAULT_SEED", self.seed.to_string())
            .env("CREDITBOOK_FAULT_OPS", self.ops.to_string())
            .env(
                "CREDITBOOK_FAULT_SYNC",
                match self.sync {
                    Synchronous::Full => "full",
                    Synchronous::Normal => "normal",
                },
            )
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap()
    }
}

// ---- what the log says, and the checks against the file ----

#[derive(Debug, Default)]
struct Log {
    tried: BTreeMap<String, Op>,
    acked: BTreeMap<String, Op>,
    refused: BTreeSet<String>,
    /// Each refusal: the operation and the figures it was refused with (available, requested).
    refusals: Vec<(Op, Decimal, Decimal)>,
    failed: Vec<(i32, String)>,
    other: Vec<String>,
}

fn read_log(path: &Path) -> Log {
    let mut log = Log::default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for line in text.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        match words[0] {
            // A line cut by the kill (no newline yet) cannot happen: one write(2) per line.
            "try" => {
                let op = Op::parse(&words[1..]);
                log.tried.insert(op.id.clone(), op);
            }
            "ack" => {
                let op = Op::parse(&words[1..]);
                assert!(log.acked.insert(op.id.clone(), op).is_none(), "{line}");
            }
            "refused" => {
                log.refused.insert(words[1].to_string());
                let n = words.len();
                let op = Op::parse(&words[1..n - 2]);
                let figure = |w: &str| Decimal::from_str_exact(w).unwrap();
                log.refusals
                    .push((op, figure(words[n - 2]), figure(words[n - 1])));
            }
            "failed" => log
                .failed
                .push((words[1].parse().unwrap(), words[2].to_string())),
            _ => log.other.push(line.to_string()),
        }
    }
    log
}

/// Every acknowledged operation is recorded exactly once; nothing recorded was not tried, nor
/// refused; seqs are dense; every account satisfies the ledger invariants; replaying acknowledged
/// operations records nothing. Returns the number of operations recorded.
fn check_file(db: &Path, log: &Log, replays: usize) -> usize {
    let book = book_on(db, Synchronous::Full);
    let mut recorded = BTreeMap::new();
    for a in ACCOUNTS {
        let entries = match book.entries(a) {
            Ok(e) => e,
            Err(Error::UnknownAccount { .. }) => continue,
            Err(e) => panic!("{a}: {e}"),
        };
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.seq, i as u64 + 1, "{a}: seqs not dense");
        }
        // op_ids also asserts that no operation id is recorded twice.
        for (id, _) in sim::op_ids(&entries) {
            recorded.insert(id.to_string(), a);
        }
        sim::check(&book, a, as_of());
        // What another process sees equals what the entries fold to.
        let raw = book.store().load(a, 0).unwrap();
        assert_eq!(raw, entries);
    }
    for (id, op) in &log.acked {
        assert_eq!(
            recorded.get(id).copied(),
            Some(op.account.as_str()),
            "acknowledged {id} not on {}",
            op.account
        );
    }
    for (id, _) in recorded
        .iter()
        .filter(|(id, _)| !id.starts_with("open-") && !id.starts_with("seed-"))
    {
        assert!(log.tried.contains_key(id), "{id} recorded but never tried");
        assert!(!log.refused.contains(id), "{id} recorded but refused");
    }
    for (i, op) in log.acked.values().rev().take(replays).enumerate() {
        let again = op.run(&book, i as i64).unwrap();
        assert!(again.replayed, "{} not replayed", op.id);
    }
    recorded.len() - ACCOUNTS.len()
}

/// The quick check after a kill, on the rows as a fresh store reads them: dense seqs, each
/// acknowledged operation once on its account, nothing recorded that was not tried.
fn check_rows(db: &Path, log: &Log) {
    let store = SqliteStore::open(db).unwrap();
    let mut recorded = BTreeMap::new();
    for a in ACCOUNTS {
        for (i, e) in store.load(a, 0).unwrap().iter().enumerate() {
            assert_eq!(e.seq, i as u64 + 1, "{a}: seqs not dense");
            if e.seq > 1 {
                assert!(
                    log.tried.contains_key(e.op_id.as_str()),
                    "{} never tried",
                    e.op_id
                );
            }
            let previous = recorded.insert(e.op_id.to_string(), a);
            assert!(previous.is_none(), "{} recorded twice", e.op_id);
        }
    }
    for (id, op) in &log.acked {
        assert_eq!(
            recorded.get(id).copied(),
            Some(op.account.as_str()),
            "{id} lost"
        );
    }
}

// ---- (a) SIGKILL at random points ----

#[test]
fn writers_killed_at_random_points_lose_and_double_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("killed.sqlite3");
    let logp = dir.path().join("ops.log");
    open_accounts(&book_on(&db, Synchronous::Full));
    let budget = Duration::from_secs(
        std::env::var("CREDITBOOK_KILL_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(35),
    );
    let mut rng = fastrand::Rng::with_seed(7);
    let started = Instant::now();
    let mut kills = 0;
    let exited = 0;
    while started.elapsed() < budget && kills < 400 {
        let cycle = kills + exited;
        let mut child = Writer {
            db: &db,
            log: &logp,
            name: format!("k{cycle}"),
            seed: rng.u64(..),
            ops: 1_000_000,
            sync: if cycle % 2 == 0 {
                Synchronous::Full
            } else {
                Synchronous::Normal
            },
            shell: None,
        }
        .spawn();
        std::thread::sleep(Duration::from_millis(rng.u64(2..60)));
        match child.try_wait().unwrap() {
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
            }
            Some(status) => panic!("writer exited by itself: {status}"),
        }
        let log = read_log(&logp);
        assert!(log.other.is_empty(), "{:?}", log.other);
        // The full check (a fresh Book, every invariant, replays) every few kills; the raw rows
        // through a fresh store after every kill.
        if cycle % 10 == 0 {
            check_file(&db, &log, 3);
        } else {
            check_rows(&db, &log);
        }
    }
    let log = read_log(&logp);
    let recorded = check_file(&db, &log, 20);
    eprintln!(
        "{kills} kills in {:.1} s: {} operations acknowledged, {recorded} recorded, {} refused",
        started.elapsed().as_secs_f64(),
        log.acked.len(),
        log.refused.len()
    );
    assert!(kills >= 100, "only {kills} kills");
    assert!(
        log.acked.len() >= kills,
        "too few operations ran between kills"
    );
    // At most one operation per killed writer was recorded without being acknowledged.
    assert!(recorded - log.acked.len() <= kills);
}

// ---- (b) several processes on one file ----

fn processes_on_one_file(n: usize, ops: usize) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.sqlite3");
    open_accounts(&book_on(&db, Synchronous::Full));
    let logs: Vec<PathBuf> = (0..n)
        .map(|i| dir.path().join(format!("p{i}.log")))
        .collect();
    let children: Vec<Child> = (0..n)
        .map(|i| {
            Writer {
                db: &db,
                log: &logs[i],
                name: format!("p{i}"),
                seed: 1000 + i as u64,
                ops,
                sync: Synchronous::Full,
                shell: None,
            }
            .spawn()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let mut all = Log::default();
    for l in &logs {
        let log = read_log(l);
        assert!(log.other.is_empty(), "{:?}", log.other);
        assert!(log.failed.is_empty(), "store failures: {:?}", log.failed);
        assert_eq!(log.tried.len(), ops);
        assert_eq!(log.acked.len() + log.refused.len(), ops);
        all.tried.extend(log.tried);
        all.acked.extend(log.acked);
        all.refused.extend(log.refused);
        all.refusals.extend(log.refusals);
    }
    let recorded = check_file(&db, &all, 10);
    every_prefix_within_the_limit_and_every_refusal_justified(&db, &all);
    // No kill: exactly the acknowledged operations are recorded.
    assert_eq!(recorded, all.acked.len());
    assert!(!all.refused.is_empty(), "no charge reached the limit");
    let book = book_on(&db, Synchronous::Full);
    for a in ACCOUNTS {
        let s = book.summary(a, as_of()).unwrap();
        assert!(s.balance_owed <= sim::cents(LIMIT), "{a}: {s:?}");
    }
}

/// Checked against a model of the rules, not the library's fold: a charge adds its amount to what
/// is owed, a payment takes it off (what exceeds the balance is store credit). At every prefix of
/// every account the balance owed is within the limit; every refusal's `available` is what some
/// prefix left (the Book refuses only on the store's latest entries) and its `requested` exceeded it.
fn every_prefix_within_the_limit_and_every_refusal_justified(db: &Path, log: &Log) {
    let book = book_on(db, Synchronous::Full);
    let limit = sim::cents(LIMIT);
    for a in ACCOUNTS {
        let mut owed = Decimal::ZERO;
        let mut left = BTreeSet::from([limit]);
        for e in book.entries(a).unwrap() {
            match e.kind {
                EntryKind::Charge { amount, .. } => owed += amount,
                EntryKind::Payment { amount, .. } => owed = (owed - amount).max(Decimal::ZERO),
                _ => {}
            }
            assert!(owed <= limit, "{a}: {owed} owed at entry {}", e.seq);
            left.insert((limit - owed).max(Decimal::ZERO));
        }
        for (op, available, requested) in log.refusals.iter().filter(|(op, ..)| op.account == a) {
            assert!(op.charge, "{} refused but not a charge", op.id);
            assert_eq!(*requested, sim::cents(op.cents), "{}", op.id);
            assert!(requested > available, "{} refused within the limit", op.id);
            assert!(
                left.contains(available),
                "{}: {available} available is what no prefix of {a} left",
                op.id
            );
        }
    }
}

#[test]
fn two_processes_on_one_file() {
    processes_on_one_file(2, 120);
}

#[test]
fn four_processes_on_one_file() {
    processes_on_one_file(4, 60);
}

// ---- (c) files that cannot be used ----

fn sidecars(db: &Path) -> Vec<PathBuf> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|s| PathBuf::from(format!("{}{s}", db.display())))
        .filter(|p| p.exists())
        .collect()
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.txt");
    let text = "Ce fichier n'est pas une base de données.\n".repeat(200);
    std::fs::write(&db, &text).unwrap();
    let e = SqliteStore::open(&db).unwrap_err();
    assert!(matches!(e, OpenError::NotCreditbook { .. }), "{e:?}");
    assert_eq!(e.code(), 26);
    assert_eq!(std::fs::read_to_string(&db).unwrap(), text);
    assert_eq!(sidecars(&db), Vec::<PathBuf>::new());
}

#[test]
fn another_applications_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inventory.sqlite3");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("CREATE TABLE items (sku TEXT); INSERT INTO items VALUES ('A-1');")
            .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let e = SqliteStore::open(&db).unwrap_err();
    assert!(matches!(e, OpenError::NotCreditbook { .. }), "{e:?}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(sidecars(&db), Vec::<PathBuf>::new());
}

/// Writes a store with a few operations and closes it (the WAL checkpointed away).
fn small_store(db: &Path) -> usize {
    let book = book_on(db, Synchronous::Full);
    open_accounts(&book);
    for i in 0..5 {
        Op {
            id: format!("seed-{i}"),
            account: "C-1".into(),
            charge: true,
            cents: 1000,
        }
        .run(&book, i)
        .unwrap();
    }
    book.store().entry_count().unwrap() as usize
}

#[test]
fn a_newer_schema_is_refused_untouched_and_opens_once_set_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("newer.sqlite3");
    let entries = small_store(&db);
    let set_version = |v: i32| {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "user_version", v).unwrap();
    };
    set_version(SCHEMA_VERSION + 1);
    assert_eq!(sidecars(&db), Vec::<PathBuf>::new());
    let before = std::fs::read(&db).unwrap();
    let e = SqliteStore::open(&db).unwrap_err();
    assert_eq!(
        e,
        OpenError::NewerSchema {
            path: db.clone(),
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    set_version(SCHEMA_VERSION);
    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.entry_count().unwrap() as usize, entries);
}

/// Makes the file unwritable. Permissions do not stop root, so as root the file is also made
/// immutable (`chattr +i`); returns false when neither works here.
fn make_read_only(db: &Path) -> bool {
    let mut perms = std::fs::metadata(db).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(db, perms).unwrap();
    let writable = || std::fs::OpenOptions::new().write(true).open(db).is_ok();
    if !writable() {
        return true;
    }
    let _ = Command::new("chattr").arg("+i").arg(db).status();
    !writable()
}

fn make_writable(db: &Path) {
    let _ = Command::new("chattr").arg("-i").arg(db).status();
    let mut perms = std::fs::metadata(db).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(db, perms).unwrap();
}

#[test]
fn a_read_only_file_is_refused_untouched_and_usable_once_writable() {
    // Under the target directory (the project's disk), where `chattr` works, not a tmpfs.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let db = dir.path().join("locked.sqlite3");
    let entries = small_store(&db);
    let before = std::fs::read(&db).unwrap();
    if !make_read_only(&db) {
        make_writable(&db);
        panic!(
            "cannot make a file read-only here (root, and chattr +i refused): this test must run, \
             not skip"
        );
    }
    let e = SqliteStore::open(&db).unwrap_err();
    make_writable(&db);
    assert!(matches!(e, OpenError::ReadOnly { .. }), "{e:?}");
    assert_eq!(e.code(), 8);
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let book = book_on(&db, Synchronous::Full);
    assert_eq!(book.entries("C-1").unwrap().len(), entries - 2);
    Op {
        id: "after-ro".into(),
        account: "C-1".into(),
        charge: true,
        cents: 100,
    }
    .run(&book, 99)
    .unwrap();
}

/// A writer limited to files of 256 KiB (RLIMIT_FSIZE, with SIGXFSZ ignored so the write fails
/// instead of killing it) fills its WAL: the operation that does not fit fails with SQLite's code,
/// nothing of it is recorded, and without the limit the book goes on.
#[test]
fn a_full_disk_fails_an_operation_cleanly_and_the_book_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("full.sqlite3");
    let logp = dir.path().join("full.log");
    small_store(&db);
    let status = Writer {
        db: &db,
        log: &logp,
        name: "full".into(),
        seed: 3,
        ops: 2_000,
        sync: Synchronous::Full,
        // dash's ulimit -f counts 512-byte blocks: 256 KiB.
        shell: Some("trap '' XFSZ; ulimit -f 512".into()),
    }
    .spawn()
    .wait()
    .unwrap();
    assert!(status.success(), "{status}");
    let log = read_log(&logp);
    assert!(log.other.is_empty(), "{:?}", log.other);
    assert!(!log.failed.is_empty(), "the size limit was never reached");
    for (code, _) in &log.failed {
        // SQLITE_IOERR_WRITE (EFBIG) or SQLITE_FULL (ENOSPC).
        assert!(*code == 778 || *code == 13, "code {code}");
    }
    let failed: BTreeSet<&String> = log.failed.iter().map(|(_, id)| id).collect();
    let recorded = check_file(&db, &log, 5);
    assert_eq!(recorded, log.acked.len() + 5);
    let book = book_on(&db, Synchronous::Full);
    for id in failed {
        for a in ACCOUNTS {
            assert!(book
                .entries(a)
                .unwrap()
                .iter()
                .all(|e| e.op_id != id.as_str()));
        }
    }
    // The cause gone (no limit), the book goes on.
    Op {
        id: "after-full".into(),
        account: "C-2".into(),
        charge: false,
        cents: 100,
    }
    .run(&book, 1)
    .unwrap();
    eprintln!(
        "full disk: {} operations acknowledged before the limit, {} failed",
        log.acked.len(),
        log.failed.len()
    );
}

#[test]
fn a_conflicting_append_from_another_connection_writes_nothing() {
    // The store-level guarantee the Book's retry relies on, seen from two files handles.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.sqlite3");
    small_store(&db);
    let a = SqliteStore::open(&db).unwrap();
    let entries = a.load("C-1", 0).unwrap();
    let b = SqliteStore::open(&db).unwrap();
    let r = b.append(
        "C-1",
        entries.len() as u64 - 1,
        &entries[entries.len() - 1..],
    );
    assert_eq!(r, Err(StoreError::Conflict));
    assert_eq!(a.load("C-1", 0).unwrap(), entries);
}
