//! Registers and back office of a chain on one store, in several processes, under faults: the
//! harness both shipped stores' `chain` tests share (stores/sqlite/tests/chain.rs,
//! stores/postgres/tests/chain.rs include it with `#[path]`).
//!
//! - **The processes** (the test binary run again with `CHAIN_ROLE` set): [`PROCESS_THREADS`]
//!   threads each, threads 0..3 registers and thread 3 the back office, each with its own Book on
//!   its own store handle, on [`ACCOUNTS`] shared accounts with credit limits. Each thread runs a
//!   fixed count of random operations of every kind, each logged with one `write(2)` of a whole
//!   line on the process's log, opened for appending (what the kernel keeps when the process is
//!   killed): `try` with everything needed to run it again before calling the Book, then `ack`,
//!   `refused` with the refusal's kind and figures, or `error`. A process started again after a
//!   SIGKILL reads its log, retries each thread's unanswered operation with the same id and content
//!   (the Book's replay), and goes on where it stopped. The mailer port logs each delivery on the
//!   same log, before it returns.
//! - **The supervisor** ([`supervise`]) kills processes with SIGKILL at random points and starts
//!   them again, lets the store's own fault hook act (the PostgreSQL server restarted), checks at
//!   checkpoints and at the end.
//! - **The checks** ([`check`]) judge what the store holds against the logs and an independent
//!   model of the rules ([`Model`], written here from the domain's rules and sharing no code with
//!   the library): every acknowledged operation recorded exactly once and as asked; every refusal
//!   one the model makes at some prefix of the account's entries (the Book decides on the store's
//!   latest entries, which another process may have moved since); no charge ever leaves more owed
//!   than the limit in force; every payment and credit allocated oldest due first as the model
//!   does it; every message delivered by the mailer at most once per send claim recorded before
//!   it, and recorded delivered at most once; the figures a fresh Book computes equal the model's.
#![allow(dead_code)] // each test binary uses its own part

#[path = "../support/procs.rs"]
mod procs;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use creditbook::{
    Actor, Automation, Book, Charge, CreditLimit, Customer, Delivery, Direction, Entry, EntryKind,
    Error, ErrorArg, LinkPurpose, Mailer, Message, OnlinePaymentConfirmation, OpenAccount,
    Operation, Payment, PaymentLinkRequest, PaymentProvider, PaymentTerms, Permission, PortError,
    Store, StoreSettings,
};
use rust_decimal::Decimal;

/// The shared accounts.
pub const ACCOUNTS: usize = 20;
/// Threads per process: registers, then the back office.
pub const PROCESS_THREADS: usize = 4;
/// Processes of the run.
pub const PROCESSES: usize = 4;
/// The credit limit every account opens with, in cents.
pub const LIMIT: i64 = 50_000;
/// The book's own ledger, where automation changes are recorded.
pub const BOOK_LEDGER: &str = creditbook::store::BOOK_LEDGER;

const ROLE: &str = "CHAIN_ROLE";
/// Exit code of a process that could not open its store (the server restarting): started again.
const EXIT_NO_STORE: i32 = 3;

/// The account ids.
pub fn account(i: usize) -> String {
    format!("A{i:02}")
}

/// The chain's settings: Toronto (daylight saving time), CAD, the default policies (no
/// tolerance, no credit hold, refunds to credit, no auto-apply), net 30, statements with a link.
pub fn settings() -> StoreSettings {
    let mut s = StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Toronto").unwrap();
    s.messages.from = Some("comptes@lapointe.example".into());
    s
}

/// The first instant of a run. Thread `t`'s operation `i` happens `i` × 11 h later: a run of 60
/// operations crosses from January into February, so February's statement run has a month to send.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 20, 15, 0, 0).unwrap()
}

fn at_of(slot: usize, t: usize, i: usize) -> DateTime<Utc> {
    start()
        + chrono::Duration::hours(11 * i as i64)
        + chrono::Duration::seconds((slot * PROCESS_THREADS + t) as i64)
}

/// When the statement run of a back office's operation `i` happens: the threads' clocks drift
/// apart by days (each operation is 11 hours after the last), but a send claim holds for 10
/// minutes of the instants it is given, so back offices running the month's statements at
/// instants days apart would each find the other's claim lapsed and send again, as the claim
/// allows for a sender that died. Every run happens within a few minutes of one instant instead,
/// as the runs of one head office do, so a second delivery recorded for a message is a fault.
fn run_instant(i: usize) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 2, 14, 0, 0).unwrap()
        + chrono::Duration::seconds((i % 500) as i64)
}

fn cents(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

fn cad(n: i64) -> creditbook::Money {
    creditbook::Money::new(cents(n), settings().currency)
}

fn manager() -> Actor {
    Permission::ALL
        .into_iter()
        .fold(Actor::new("emp-manager"), Actor::with)
}

/// Opens the accounts (once: a replay records nothing) with a limit and an email address.
pub fn open_accounts<S: Store>(store: S) {
    open_on(&Book::with_store(settings(), store));
}

/// The customer of account `a`, with an email address (statements go out by email).
fn customer_of(a: &str) -> Customer {
    let mut customer = Customer::new(format!("cust-{a}"), format!("Client {a}"));
    customer.email = Some(format!("client-{}@example.com", a.to_lowercase()));
    customer
}

fn open_on<S: Store>(book: &Book<S>) {
    for i in 0..ACCOUNTS {
        let a = account(i);
        let customer = customer_of(&a);
        book.open_account(
            &a,
            &Operation::new(format!("open-{a}"), start()).by(manager()),
            OpenAccount {
                customer,
                credit_limit: Some(CreditLimit::Amount(cents(LIMIT))),
                terms: None,
            },
        )
        .unwrap();
    }
}

/// The month the statement tests send: the accounts opened, a January charge on every other
/// account, the statement day set to the 1st. Returns how many accounts owe.
pub fn statement_month<S: Store>(store: S) -> usize {
    let book = Book::with_store(settings(), store);
    open_on(&book);
    let mut owing = 0;
    for i in (0..ACCOUNTS).step_by(2) {
        let op = Operation::new(
            format!("setup-jan-{i}"),
            start() + chrono::Duration::hours(1),
        );
        book.charge(&account(i), &op, Charge::new(cad(1_000 + i as i64)))
            .unwrap();
        owing += 1;
    }
    let op = Operation::new("setup-statement-day", start()).by(manager());
    let automation = Automation {
        reminder_days: vec![],
        statement_day: Some(1),
    };
    book.set_automation(&op, automation).unwrap();
    owing
}

/// The statement runs' checks ([`check`], then): every owing account's statement recorded
/// delivered once, and only theirs.
pub fn check_statements<S: Store>(store: &S, logs: &Logs, owing: usize) -> Summary {
    let s = check(store, logs, None, true);
    assert_eq!(s.statement_accounts.len(), owing, "{s:?}");
    assert_eq!(s.statements_delivered, owing, "{s:?}");
    s
}

/// The statement run across processes, on two stores prepared by [`statement_month`] (`env`:
/// what the processes need to open each):
/// - on the first, four back-office processes run the statement run three times each, at once,
///   at the same instant, the mailer never failing: each statement is delivered by the mailer
///   exactly once and recorded delivered once;
/// - on the second, four processes killed one after the other at random points of their run (the
///   mailer slowed so that kills land between a send's claim and its outcome), then one rerun
///   after the claims lapsed: every statement recorded delivered once, none delivered twice on one
///   claim, nothing left that the rerun could not finish.
pub fn statement_runs<S: Store>(
    dir: &Path,
    child_test: &str,
    env: (&[Var], &[Var]),
    stores: (&S, &S),
    owing: usize,
) -> (Summary, Summary) {
    let plan = Plan {
        ops: 3,
        ..Plan::from_env(0)
    };
    let with = |env: &[(String, String)], more: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut v = env.to_vec();
        v.extend(more.iter().map(|(k, x)| (k.to_string(), x.to_string())));
        v
    };
    let calm = with(env.0, &[("CHAIN_MAIL_FAIL_PERCENT", "0")]);
    let logs: Vec<PathBuf> = (0..4).map(|i| dir.join(format!("run{i}.log"))).collect();
    let mut procs = Procs(
        (0..4)
            .map(|i| spawn(child_test, "statements", i, &logs[i], &plan, &calm))
            .collect(),
    );
    for c in &mut procs.0 {
        assert!(c.wait().unwrap().success());
    }
    let first = check_statements(stores.0, &Logs::read(&logs), owing);
    assert_eq!(first.mails, owing, "{first:?}");
    assert_eq!(first.claims, owing, "{first:?}");

    let mut rng = fastrand::Rng::with_seed(plan.seed);
    let slow = with(
        env.1,
        &[("CHAIN_MAIL_DELAY_MS", "40"), ("CHAIN_AT_MINUTES", "60")],
    );
    let mut all = Vec::new();
    // At least four kills, and on until one left a claim without its outcome.
    for k in 0.. {
        assert!(k < 20, "no kill landed between a claim and its outcome");
        let p = dir.join(format!("killed{k}.log"));
        let mut c = spawn(child_test, "statements", 10 + k, &p, &plan, &slow);
        std::thread::sleep(Duration::from_millis(rng.u64(50..400)));
        c.kill().unwrap();
        c.wait().unwrap();
        all.push(p);
        if k >= 3 && open_claims(stores.1) > 0 {
            break;
        }
    }
    // Killed: some statements claimed, some delivered, none recorded delivered twice.
    check(stores.1, &Logs::read(&all), None, true);
    let rerun = dir.join("rerun.log");
    let late = with(
        env.1,
        &[("CHAIN_AT_MINUTES", "80"), ("CHAIN_MAIL_FAIL_PERCENT", "0")],
    );
    let ok = spawn(child_test, "statements", 20, &rerun, &plan, &late)
        .wait()
        .unwrap();
    assert!(ok.success());
    all.push(rerun);
    let second = check_statements(stores.1, &Logs::read(&all), owing);
    assert!(second.claims > owing, "{second:?}");
    assert_eq!(open_claims(stores.1), 0);
    (first, second)
}

/// Messages whose latest record is a claim (`Sending`): a send claimed and never finished.
fn open_claims<S: Store>(store: &S) -> usize {
    (0..ACCOUNTS)
        .map(|i| {
            let mut last: BTreeMap<String, bool> = BTreeMap::new();
            for e in store.load(&account(i), 0).unwrap() {
                if let EntryKind::MessageSent(m) = &e.kind {
                    let open = matches!(m.delivery, Delivery::Sending { .. });
                    last.insert(m.message_id.clone(), open);
                }
            }
            last.values().filter(|open| **open).count()
        })
        .sum()
}

// ---- the operations ----

/// One operation of a register or the back office, as logged (`kind account cents extra`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    Charge {
        a: usize,
        c: i64,
        sale: u32,
    },
    Pay {
        a: usize,
        c: i64,
    },
    Deposit {
        a: usize,
        c: i64,
    },
    UseCredit {
        a: usize,
        c: i64,
        sale: u32,
    },
    ApplyCredit {
        a: usize,
        c: i64,
    },
    /// A refund to credit of a sale, or without receipt (`None`).
    Refund {
        a: usize,
        c: i64,
        sale: Option<u32>,
    },
    /// Store credit paid back in cash.
    RefundCredit {
        a: usize,
        c: i64,
    },
    /// A payment link for what is owed.
    Link {
        a: usize,
        c: i64,
    },
    /// A deposit request for a sale (cancels the sale's pending one).
    DepositLink {
        a: usize,
        c: i64,
        sale: u32,
    },
    /// The provider reports a payment, through a link (its reference) or not.
    Online {
        a: usize,
        c: i64,
        link: Option<String>,
    },
    Adjust {
        a: usize,
        c: i64,
        debit: bool,
    },
    WriteOff {
        a: usize,
        c: i64,
        invoice: u64,
    },
    Reverse {
        a: usize,
        seq: u64,
    },
    Hold {
        a: usize,
    },
    Release {
        a: usize,
    },
    SetLimit {
        a: usize,
        c: i64,
    },
    /// The account's terms: net `days` (0: due on receipt), or the store's (`days` < 0).
    SetTerms {
        a: usize,
        days: i64,
    },
    /// The customer's contact details again (a new phone number).
    Contact {
        a: usize,
    },
    /// The statement day changed (on the book's ledger).
    Automation {
        day: u32,
    },
    /// February's statement run: `statements_due` on the statement day, each statement sent.
    Statements,
}

impl Act {
    fn words(&self) -> String {
        let (k, a, c, x) = match self {
            Act::Charge { a, c, sale } => ("charge", *a, *c, sale.to_string()),
            Act::Pay { a, c } => ("pay", *a, *c, "-".into()),
            Act::Deposit { a, c } => ("deposit", *a, *c, "-".into()),
            Act::UseCredit { a, c, sale } => ("use", *a, *c, sale.to_string()),
            Act::ApplyCredit { a, c } => ("apply", *a, *c, "-".into()),
            Act::Refund { a, c, sale } => {
                ("refund", *a, *c, sale.map_or("-".into(), |s| s.to_string()))
            }
            Act::RefundCredit { a, c } => ("refundcredit", *a, *c, "-".into()),
            Act::Link { a, c } => ("link", *a, *c, "-".into()),
            Act::DepositLink { a, c, sale } => ("depositlink", *a, *c, sale.to_string()),
            Act::Online { a, c, link } => ("online", *a, *c, link.clone().unwrap_or("-".into())),
            Act::Adjust { a, c, debit } => ("adjust", *a, *c, debit.to_string()),
            Act::WriteOff { a, c, invoice } => ("writeoff", *a, *c, invoice.to_string()),
            Act::Reverse { a, seq } => ("reverse", *a, 0, seq.to_string()),
            Act::Hold { a } => ("hold", *a, 0, "-".into()),
            Act::Release { a } => ("release", *a, 0, "-".into()),
            Act::SetLimit { a, c } => ("limit", *a, *c, "-".into()),
            Act::SetTerms { a, days } => ("terms", *a, *days, "-".into()),
            Act::Contact { a } => ("contact", *a, 0, "-".into()),
            Act::Automation { day } => ("automation", 0, 0, day.to_string()),
            Act::Statements => ("statements", 0, 0, "-".into()),
        };
        format!("{k} {a} {c} {x}")
    }

    fn parse(w: &[&str]) -> Act {
        let (a, c, x) = (w[1].parse().unwrap(), w[2].parse().unwrap(), w[3]);
        match w[0] {
            "charge" => Act::Charge {
                a,
                c,
                sale: x.parse().unwrap(),
            },
            "pay" => Act::Pay { a, c },
            "deposit" => Act::Deposit { a, c },
            "use" => Act::UseCredit {
                a,
                c,
                sale: x.parse().unwrap(),
            },
            "apply" => Act::ApplyCredit { a, c },
            "refund" => Act::Refund {
                a,
                c,
                sale: (x != "-").then(|| x.parse().unwrap()),
            },
            "refundcredit" => Act::RefundCredit { a, c },
            "depositlink" => Act::DepositLink {
                a,
                c,
                sale: x.parse().unwrap(),
            },
            "link" => Act::Link { a, c },
            "online" => Act::Online {
                a,
                c,
                link: (x != "-").then(|| x.to_string()),
            },
            "adjust" => Act::Adjust {
                a,
                c,
                debit: x.parse().unwrap(),
            },
            "writeoff" => Act::WriteOff {
                a,
                c,
                invoice: x.parse().unwrap(),
            },
            "reverse" => Act::Reverse {
                a,
                seq: x.parse().unwrap(),
            },
            "hold" => Act::Hold { a },
            "release" => Act::Release { a },
            "limit" => Act::SetLimit { a, c },
            "terms" => Act::SetTerms { a, days: c },
            "contact" => Act::Contact { a },
            "automation" => Act::Automation {
                day: x.parse().unwrap(),
            },
            "statements" => Act::Statements,
            other => panic!("unknown act {other}"),
        }
    }

    /// The ledger the operation records on and the operation id it records under (`None`: the
    /// statement run, whose records are its messages').
    fn recorded_as(&self, id: &str) -> Option<(String, String)> {
        match self {
            Act::Statements => None,
            Act::Automation { .. } => Some((BOOK_LEDGER.to_string(), id.to_string())),
            Act::Online { a, .. } => Some((account(*a), format!("online-{id}"))),
            Act::Charge { a, .. }
            | Act::Pay { a, .. }
            | Act::Deposit { a, .. }
            | Act::UseCredit { a, .. }
            | Act::ApplyCredit { a, .. }
            | Act::Refund { a, .. }
            | Act::RefundCredit { a, .. }
            | Act::Link { a, .. }
            | Act::DepositLink { a, .. }
            | Act::SetTerms { a, .. }
            | Act::Contact { a }
            | Act::Adjust { a, .. }
            | Act::WriteOff { a, .. }
            | Act::Reverse { a, .. }
            | Act::Hold { a }
            | Act::Release { a }
            | Act::SetLimit { a, .. } => Some((account(*a), id.to_string())),
        }
    }
}

fn sale_of(a: usize, sale: u32) -> String {
    format!("S{a}-{sale}")
}

/// A refusal as logged and as the model states it: its kind and its figures (amounts
/// normalized, invoice and entry numbers), without its texts (reasons, the account's id).
pub fn describe(e: &Error) -> String {
    let mut out: String = format!("{e:?}")
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect();
    for (name, arg) in e.args() {
        match arg {
            ErrorArg::Money(d) => out.push_str(&format!(" {name}={}", d.normalize())),
            ErrorArg::Number(n) => out.push_str(&format!(" {name}={n}")),
            ErrorArg::Text(_) | ErrorArg::Date(_) => {}
        }
    }
    out
}

// ---- the ports ----

/// A mailer that logs each delivery (`mail <account> <message id>`) with one `write(2)` before it
/// answers, fails `fail` percent of its calls (`mailfail`), and takes `delay` per call.
struct LogMailer {
    log: std::sync::Arc<std::fs::File>,
    delay: Duration,
    /// Percent of calls that fail.
    fail: u8,
}

impl Mailer for LogMailer {
    fn send(&self, message: &Message) -> Result<String, PortError> {
        std::thread::sleep(self.delay);
        if fastrand::u8(..100) < self.fail {
            log(
                &self.log,
                &format!("mailfail {} {}", message.account, message.id),
            );
            return Err(PortError::new(421, "try again later"));
        }
        log(
            &self.log,
            &format!("mail {} {}", message.account, message.id),
        );
        Ok(format!("d-{}", message.id))
    }
}

/// A provider whose URL is its reference's: a link asked again is the same link.
struct Provider;

impl PaymentProvider for Provider {
    fn create_link(&self, request: &PaymentLinkRequest) -> Result<String, PortError> {
        Ok(format!("https://pay.example/{}", request.reference))
    }
}

use procs::log_line as log;
pub use procs::Procs;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name}={v:?}")))
        .unwrap_or(default)
}

// ---- a process ----

/// A process's entry point: the role named by `CHAIN_ROLE` (a no-op without it). `open` opens
/// one store handle (each thread its own); `Err` when the store cannot be reached now.
pub fn child<S, F>(open: F)
where
    S: Store + 'static,
    F: Fn() -> Result<S, String> + Sync,
{
    let role = match std::env::var(ROLE) {
        Ok(r) => r,
        Err(_) => return,
    };
    let var = |k: &str| std::env::var(k).unwrap();
    let path = PathBuf::from(var("CHAIN_LOG"));
    let slot: usize = var("CHAIN_SLOT").parse().unwrap();
    let ops: usize = var("CHAIN_OPS").parse().unwrap();
    let seed: u64 = var("CHAIN_SEED").parse().unwrap();
    let delay = Duration::from_millis(env_or("CHAIN_MAIL_DELAY_MS", 0) as u64);
    let fail = env_or("CHAIN_MAIL_FAIL_PERCENT", 10) as u8;
    let resume = Resume::of(&path);
    let file = std::sync::Arc::new(
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .unwrap(),
    );
    let book = |store: S| {
        Book::with_store(settings(), store)
            .with_mailer(LogMailer {
                log: file.clone(),
                delay,
                fail,
            })
            .with_payment_provider(Provider)
    };
    match role.as_str() {
        "chain" => std::thread::scope(|s| {
            for t in 0..PROCESS_THREADS {
                let (open, file, book, resume) = (&open, &file, &book, &resume);
                s.spawn(move || {
                    let store = open().unwrap_or_else(|e| {
                        log(file, &format!("open-failed {e}"));
                        std::process::exit(EXIT_NO_STORE)
                    });
                    Thread {
                        book: book(store),
                        log: file,
                        slot,
                        t,
                        seed,
                    }
                    .run(resume, ops)
                });
            }
        }),
        // The statement run alone, `ops` times, at one instant.
        "statements" => {
            let store = open().unwrap_or_else(|_| std::process::exit(EXIT_NO_STORE));
            let thread = Thread {
                book: book(store),
                log: &file,
                slot,
                t: PROCESS_THREADS - 1,
                seed,
            };
            let at = start() + chrono::Duration::minutes(env_or("CHAIN_AT_MINUTES", 0) as i64);
            for _ in 0..ops {
                thread.statements(at, &format!("run{slot}")).unwrap();
            }
        }
        other => panic!("unknown role {other}"),
    }
    std::process::exit(0);
}

/// Where each thread of a slot stopped, from the slot's log.
#[derive(Default)]
struct Resume {
    /// Per thread: operations answered, and the operation tried but not answered (to retry).
    threads: BTreeMap<usize, (usize, Option<(usize, Act)>)>,
}

impl Resume {
    fn of(path: &Path) -> Resume {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut r = Resume::default();
        for line in text.lines() {
            let w: Vec<&str> = line.split(' ').collect();
            match w[0] {
                "try" => {
                    let (t, i) = thread_and_index(w[1]);
                    r.threads.entry(t).or_default().1 = Some((i, Act::parse(&w[2..])));
                }
                "ack" | "refused" | "error" => {
                    let (t, _) = thread_and_index(w[1]);
                    let e = r.threads.entry(t).or_default();
                    e.0 += 1;
                    e.1 = None;
                }
                _ => {}
            }
        }
        r
    }
}

/// `s<slot>t<thread>-<index>` → (thread, index).
fn thread_and_index(id: &str) -> (usize, usize) {
    let (head, i) = id.split_once('-').unwrap();
    let t = head.split_once('t').unwrap().1;
    (t.parse().unwrap(), i.parse().unwrap())
}

struct Thread<'a, S: Store> {
    book: Book<S>,
    log: &'a std::fs::File,
    slot: usize,
    t: usize,
    seed: u64,
}

/// A store failure or contention: the outcome is unknown, the operation is retried with its id.
fn unknown(e: &Error) -> bool {
    matches!(e, Error::StoreFailed { .. } | Error::StoreContention { .. })
}

impl<S: Store> Thread<'_, S> {
    fn run(&self, resume: &Resume, ops: usize) {
        let (done, pending) = resume.threads.get(&self.t).cloned().unwrap_or_default();
        let mut from = done;
        if let Some((i, act)) = pending {
            // Killed between `try` and the answer: the same operation again, same id and content.
            self.attempt(i, act);
            from = i + 1;
        }
        for i in from..ops {
            let act = self.generate(i);
            self.attempt(i, act);
        }
    }

    fn id(&self, i: usize) -> String {
        format!("s{}t{}-{i}", self.slot, self.t)
    }

    fn attempt(&self, i: usize, act: Act) {
        let id = self.id(i);
        log(self.log, &format!("try {id} {}", act.words()));
        let at = at_of(self.slot, self.t, i);
        loop {
            match self.execute(&id, at, &act) {
                Ok(()) => log(self.log, &format!("ack {id}")),
                Err(e) if unknown(&e) || overtaken(&act, &e) => {
                    log(self.log, &format!("failed {id} {}", e.code()));
                    std::thread::sleep(Duration::from_millis(30));
                    continue;
                }
                Err(e) if expected_refusal(&act, &e) => {
                    log(self.log, &format!("refused {id} {}", describe(&e)))
                }
                Err(e) => log(self.log, &format!("error {id} {e:?}")),
            }
            return;
        }
    }

    fn execute(&self, id: &str, at: DateTime<Utc>, act: &Act) -> creditbook::Result<()> {
        let b = &self.book;
        let op = Operation::new(id, at).by(manager());
        let acc = |a: &usize| account(*a);
        match act {
            Act::Charge { a, c, sale } => b
                .charge(&acc(a), &op, Charge::new(cad(*c)).sale(sale_of(*a, *sale)))
                .map(drop),
            Act::Pay { a, c } => b.pay(&acc(a), &op, Payment::new(cad(*c))).map(drop),
            Act::Deposit { a, c } => b.deposit(&acc(a), &op, cad(*c), None).map(drop),
            Act::UseCredit { a, c, sale } => b
                .use_credit(&acc(a), &op, cad(*c), Some(sale_of(*a, *sale).as_str()))
                .map(drop),
            Act::ApplyCredit { a, c } => b.apply_credit(&acc(a), &op, cad(*c), vec![]).map(drop),
            Act::Refund { a, c, sale } => b
                .refund_to_credit(
                    &acc(a),
                    &op,
                    cad(*c),
                    sale.map(|s| sale_of(*a, s)).as_deref(),
                    None,
                )
                .map(drop),
            Act::RefundCredit { a, c } => b
                .refund_credit(&acc(a), &op, cad(*c), Some("cash"))
                .map(drop),
            Act::DepositLink { a, c, sale } => b
                .payment_link(
                    &acc(a),
                    &op,
                    cad(*c),
                    LinkPurpose::Deposit {
                        sale: sale_of(*a, *sale).into(),
                    },
                )
                .map(drop),
            Act::Link { a, c } => b
                .payment_link(
                    &acc(a),
                    &op,
                    cad(*c),
                    LinkPurpose::Balance {
                        reference: id.into(),
                    },
                )
                .map(drop),
            Act::Online { a, c, link } => b
                .confirm_online_payment(
                    &acc(a),
                    &OnlinePaymentConfirmation {
                        provider_payment_id: id.to_string(),
                        amount: cad(*c),
                        at,
                        link: link.clone(),
                    },
                )
                .map(drop),
            Act::Adjust { a, c, debit } => {
                let direction = if *debit {
                    Direction::Debit
                } else {
                    Direction::Credit
                };
                b.adjust(&acc(a), &op, direction, cad(*c), "back office")
                    .map(drop)
            }
            Act::WriteOff { a, c, invoice } => b
                .write_off(&acc(a), &op, *invoice, Some(cad(*c)), "uncollectable")
                .map(drop),
            Act::Reverse { a, seq } => b.reverse(&acc(a), &op, *seq, "entered in error").map(drop),
            Act::Hold { a } => b
                .hold(&acc(a), &op, Some("cheque bounced".into()))
                .map(drop),
            Act::Release { a } => b.release(&acc(a), &op).map(drop),
            Act::SetLimit { a, c } => b
                .set_credit_limit(&acc(a), &op, CreditLimit::Amount(cents(*c)))
                .map(drop),
            Act::SetTerms { a, days } => {
                let terms = match *days {
                    d if d < 0 => None,
                    0 => Some(PaymentTerms::DueOnReceipt),
                    d => Some(PaymentTerms::Net(d as u16)),
                };
                b.set_terms(&acc(a), &op, terms).map(drop)
            }
            Act::Contact { a } => {
                let mut customer = customer_of(&acc(a));
                customer.name = format!("Client {} #{}", acc(a), at.timestamp() % 1_000);
                b.update_contact(&acc(a), &op, customer).map(drop)
            }
            Act::Automation { day } => b
                .set_automation(
                    &op,
                    Automation {
                        reminder_days: vec![],
                        statement_day: Some(*day),
                    },
                )
                .map(drop),
            // The back offices share one clock for the run (see `run_instant`).
            Act::Statements => self.statements(run_instant(thread_and_index(id).1), id),
        }
    }

    /// February's statement run on the statement day in force, each statement sent: a send
    /// another process claimed (being sent), or the mailer failed, is logged and left to a later
    /// run; a store failure fails the run (retried).
    fn statements(&self, at: DateTime<Utc>, id: &str) -> creditbook::Result<()> {
        let Some(day) = self.book.automation()?.statement_day else {
            log(self.log, &format!("run {id} no-schedule"));
            return Ok(());
        };
        let day = NaiveDate::from_ymd_opt(2026, 2, day).unwrap();
        let mut counts = BTreeMap::<&str, usize>::new();
        for st in self.book.statements_due(day, at)? {
            let m = self.book.compose_statement_email(&st, None)?;
            let what = match self.book.send(&m, at) {
                Ok(s) if s.already_delivered => "already",
                Ok(_) => "sent",
                Err(Error::InvalidState { reason }) if reason.ends_with("is being sent") => {
                    "being-sent"
                }
                Err(Error::DeliveryFailed { .. }) => "mailer-failed",
                Err(e) => return Err(e),
            };
            *counts.entry(what).or_default() += 1;
        }
        let counts = format!("{counts:?}").replace(' ', "");
        log(self.log, &format!("run {id} {counts}"));
        Ok(())
    }

    /// What the thread reads before choosing (its screen), retried while the store fails.
    fn screen(&self, a: usize, at: DateTime<Utc>) -> (i64, i64, i64, Vec<(u64, i64)>, u64) {
        let to_cents = |d: Decimal| (d * Decimal::ONE_HUNDRED).trunc().try_into().unwrap_or(0);
        loop {
            let read = || -> creditbook::Result<_> {
                let date = settings().local_date(at);
                let s = self.book.summary(&account(a), date)?;
                let open = self.book.open_invoices(&account(a), date)?;
                let n = self.book.entries(&account(a))?.len() as u64;
                Ok((
                    to_cents(s.balance_owed),
                    to_cents(s.credit_balance),
                    to_cents(s.available.unwrap_or_default()),
                    open.iter().map(|i| (i.id, to_cents(i.remaining))).collect(),
                    n,
                ))
            };
            match read() {
                Ok(x) => return x,
                Err(e) if unknown(&e) => std::thread::sleep(Duration::from_millis(30)),
                Err(e) => panic!("reading {}: {e:?}", account(a)),
            }
        }
    }

    fn links(&self, a: usize, at: DateTime<Utc>) -> Vec<(String, i64)> {
        loop {
            match self.book.payment_links(&account(a), at) {
                Ok(l) => {
                    return l
                        .into_iter()
                        .map(|l| {
                            let c = (l.record.amount * Decimal::ONE_HUNDRED)
                                .trunc()
                                .try_into()
                                .unwrap_or(0);
                            (l.record.reference.to_string(), c)
                        })
                        .collect()
                }
                Err(e) if unknown(&e) => std::thread::sleep(Duration::from_millis(30)),
                Err(e) => panic!("links of {}: {e:?}", account(a)),
            }
        }
    }

    /// Operation `i` of this thread: seeded by (run, slot, thread, index), with amounts around
    /// what the screen shows, so limits, credit and invoices are often reached exactly.
    fn generate(&self, i: usize) -> Act {
        let mut rng = fastrand::Rng::with_seed(
            self.seed ^ ((self.slot as u64) << 40) ^ ((self.t as u64) << 32) ^ i as u64,
        );
        let at = at_of(self.slot, self.t, i);
        let a = rng.usize(..ACCOUNTS);
        let (owed, credit, available, open, n) = self.screen(a, at);
        let sale = fastrand::Rng::with_seed(rng.u64(..)).u32(..6);
        if self.t < PROCESS_THREADS - 1 {
            match rng.u8(..20) {
                0..=5 => Act::Charge {
                    a,
                    c: near(&mut rng, available),
                    sale,
                },
                6..=8 => Act::Pay {
                    a,
                    c: near(&mut rng, owed),
                },
                9 => Act::Deposit {
                    a,
                    c: 100 + rng.i64(0..20_000),
                },
                10 => Act::UseCredit {
                    a,
                    c: near(&mut rng, credit),
                    sale,
                },
                11 => Act::ApplyCredit {
                    a,
                    c: near(&mut rng, credit.min(owed)),
                },
                12 | 13 => Act::Refund {
                    a,
                    c: near(&mut rng, 3_000),
                    sale: (rng.u8(..5) > 0).then_some(sale),
                },
                14 => Act::RefundCredit {
                    a,
                    c: near(&mut rng, credit),
                },
                15 => Act::Link {
                    a,
                    c: near(&mut rng, owed),
                },
                16 => Act::DepositLink {
                    a,
                    c: 100 + rng.i64(0..10_000),
                    sale,
                },
                _ => {
                    let links = self.links(a, at);
                    let pick = (!links.is_empty() && rng.u8(..4) > 0)
                        .then(|| links[rng.usize(..links.len())].clone());
                    match pick {
                        Some((reference, c)) => Act::Online {
                            a,
                            c: if rng.bool() { c } else { near(&mut rng, c) },
                            link: Some(reference),
                        },
                        None => Act::Online {
                            a,
                            c: near(&mut rng, owed),
                            link: None,
                        },
                    }
                }
            }
        } else {
            match rng.u8(..20) {
                0 | 1 => Act::SetLimit {
                    a,
                    c: rng.i64(0..150_000),
                },
                2 | 3 => Act::Hold { a },
                4 | 5 => Act::Release { a },
                6 | 7 => Act::Adjust {
                    a,
                    c: near(&mut rng, owed),
                    debit: rng.bool(),
                },
                8 | 9 => {
                    let (invoice, remaining) = if open.is_empty() || rng.u8(..5) == 0 {
                        (1 + rng.u64(..n + 1), 1_000)
                    } else {
                        open[rng.usize(..open.len())]
                    };
                    Act::WriteOff {
                        a,
                        c: near(&mut rng, remaining),
                        invoice,
                    }
                }
                10..=12 => Act::Reverse {
                    a,
                    seq: 1 + rng.u64(..n + 1),
                },
                13 => Act::Automation {
                    day: 1 + rng.u32(..28),
                },
                // Terms far apart, so that a newer invoice often falls due before an older one.
                14 | 15 => Act::SetTerms {
                    a,
                    days: [-1, 0, 7, 60][rng.usize(..4)],
                },
                16 => Act::Contact { a },
                _ => Act::Statements,
            }
        }
    }
}

/// The statement run's link asked for what was owed when the run read the account, and a
/// payment recorded since made it too much: the run is retried (it then asks for what is owed).
fn overtaken(act: &Act, e: &Error) -> bool {
    matches!(act, Act::Statements) && matches!(e, Error::PaymentLinkAmountOutOfRange { .. })
}

/// An amount around `figure` (cents): at it, just above it, below it, or anything.
fn near(rng: &mut fastrand::Rng, figure: i64) -> i64 {
    let n = match rng.u8(..6) {
        0 => figure,
        1 => figure + 1,
        2 | 3 => 1 + rng.i64(0..figure.max(1)),
        _ => 1 + rng.i64(0..30_000),
    };
    n.max(1)
}

/// The refusals an operation may meet from the rules (anything else is an error of the run).
fn expected_refusal(act: &Act, e: &Error) -> bool {
    use Error::*;
    match act {
        Act::Charge { .. } => matches!(e, CreditLimitExceeded { .. } | AccountOnHold { .. }),
        Act::UseCredit { .. } | Act::RefundCredit { .. } => {
            matches!(e, InsufficientCredit { .. })
        }
        Act::ApplyCredit { .. } => {
            matches!(
                e,
                InsufficientCredit { .. } | ApplyExceedsBalanceOwed { .. }
            )
        }
        Act::Refund { .. } => matches!(e, RefundExceedsSale { .. }),
        Act::Link { .. } => matches!(e, PaymentLinkAmountOutOfRange { .. }),
        Act::WriteOff { .. } => matches!(
            e,
            UnknownInvoice { .. } | InvoiceNotOpen { .. } | WriteOffExceedsInvoice { .. }
        ),
        Act::Reverse { .. } => matches!(
            e,
            UnknownEntry { .. }
                | AlreadyReversed { .. }
                | NotReversible { .. }
                | InsufficientCredit { .. }
        ),
        Act::Hold { .. } | Act::Release { .. } => matches!(e, InvalidState { .. }),
        _ => false,
    }
}

// ---- the supervisor ----

/// How a run goes: its seed, operations per thread, and how often things go wrong.
#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    pub ops: usize,
    /// Kill a process after at most this many new lines of its log (a random count from 4):
    /// paced by its progress, not by the clock, so a fast machine sees as many kills as a slow
    /// one.
    pub kill_after_lines: u64,
    /// The store's own faults (a server restart): at most this many.
    pub store_faults: usize,
}

impl Plan {
    /// The plan of `make test`, or a bigger one from `CHAIN_OPS` / `CHAIN_SEED` (`make soak`).
    pub fn from_env(ops: usize) -> Plan {
        Plan {
            seed: env_or("CHAIN_SEED", 12) as u64,
            ops: env_or("CHAIN_OPS", ops),
            kill_after_lines: env_or("CHAIN_KILL_AFTER_LINES", 40) as u64,
            store_faults: env_or("CHAIN_STORE_FAULTS", 3),
        }
    }
}

/// Starts this test binary as a process of `role` for `slot` (its test `child_test` runs
/// [`child`]); `env`: more variables (the store's location).
pub fn spawn(
    child_test: &str,
    role: &str,
    slot: usize,
    logp: &Path,
    plan: &Plan,
    env: &[(String, String)],
) -> Child {
    let mut cmd = Process::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", child_test, "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .env("CHAIN_LOG", logp)
        .env("CHAIN_SLOT", slot.to_string())
        .env("CHAIN_OPS", plan.ops.to_string())
        .env("CHAIN_SEED", plan.seed.to_string());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    pub kills: usize,
    pub store_faults: usize,
    pub checkpoints: usize,
    pub starts: usize,
    pub seconds: f64,
    pub summary: Summary,
}

impl Report {
    /// The run did what it is for: processes killed, operations refused (limits and credit
    /// reached) and acknowledged, messages sent.
    pub fn assert_eventful(&self) {
        let s = &self.summary;
        assert!(self.kills >= 10, "only {} kills", self.kills);
        assert!(s.refused > 0 && s.acked > s.refused, "{s:?}");
        assert!(
            s.mails > 0 && s.statements_delivered > 0,
            "nothing was sent"
        );
        for kind in ["CreditLimitExceeded", "InsufficientCredit"] {
            assert!(s.refusal_kinds.contains_key(kind), "no {kind}: {s:?}");
        }
    }
}

/// A variable of a process's environment.
pub type Var = (String, String);

/// Runs [`PROCESSES`] processes of the chain to the end of their operations, killing them at
/// random and starting them again, calling `store_fault` (at most `plan.store_faults` times, at
/// random points) and checking at checkpoints (`check`, with `final = false`) and at the end.
pub fn supervise<S: Store>(
    dir: &Path,
    plan: &Plan,
    child_test: &str,
    env: &[(String, String)],
    open: &dyn Fn() -> S,
    store_fault: &mut dyn FnMut(),
) -> Report {
    let logs: Vec<PathBuf> = (0..PROCESSES)
        .map(|i| dir.join(format!("p{i}.log")))
        .collect();
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    let started = Instant::now();
    let mut report = Report::default();
    let mut procs = Procs(
        (0..PROCESSES)
            .map(|i| spawn(child_test, "chain", i, &logs[i], plan, env))
            .collect(),
    );
    // Slots whose process ended its operations.
    let mut finished = [false; PROCESSES];
    // The log length at which each process is killed next.
    let lines = |slot: usize| -> u64 {
        std::fs::read(&logs[slot]).map_or(0, |b| b.iter().filter(|c| **c == b'\n').count() as u64)
    };
    let mut next_kill: Vec<u64> = (0..PROCESSES)
        .map(|slot| lines(slot) + rng.u64(4..plan.kill_after_lines.max(5)))
        .collect();
    report.starts = PROCESSES;
    loop {
        std::thread::sleep(Duration::from_millis(rng.u64(5..15)));
        // Processes that ended: done, or could not reach the store (started again).
        for (slot, done) in finished.iter_mut().enumerate() {
            if *done {
                continue;
            }
            if let Some(status) = procs.0[slot].try_wait().unwrap() {
                match status.code() {
                    Some(0) => *done = true,
                    Some(EXIT_NO_STORE) => {
                        report.starts += 1;
                        procs.0[slot] = spawn(child_test, "chain", slot, &logs[slot], plan, env);
                    }
                    _ => panic!("process {slot} failed: {status}"),
                }
            }
        }
        let running: Vec<usize> = (0..PROCESSES).filter(|s| !finished[*s]).collect();
        if running.is_empty() {
            break;
        }
        if rng.u8(..8) == 0 && report.store_faults < plan.store_faults {
            store_fault();
            report.store_faults += 1;
            continue;
        }
        let Some(&slot) = running.iter().find(|&&s| lines(s) >= next_kill[s]) else {
            continue;
        };
        next_kill[slot] = lines(slot) + rng.u64(4..plan.kill_after_lines.max(5));
        let c = &mut procs.0[slot];
        if c.try_wait().unwrap().is_some() {
            continue; // ended by itself: seen at the next turn
        }
        c.kill().unwrap(); // SIGKILL
        c.wait().unwrap();
        report.kills += 1;
        procs.0[slot] = spawn(child_test, "chain", slot, &logs[slot], plan, env);
        report.starts += 1;
        if report.kills % 8 == 0 {
            let before = Logs::read(&logs);
            check(&open(), &before, Some(&|| Logs::read(&logs)), false);
            report.checkpoints += 1;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    let logs = Logs::read(&logs);
    report.summary = check(&open(), &logs, None, true);
    report
}

// ---- the logs ----

/// What the processes' logs say.
#[derive(Debug, Default)]
pub struct Logs {
    /// Every operation tried, by id.
    pub tried: BTreeMap<String, Act>,
    pub acked: BTreeSet<String>,
    /// Refusals: id → the refusal as described.
    pub refused: BTreeMap<String, String>,
    pub errors: Vec<String>,
    /// Deliveries by the mailer: (account, message id) → how many.
    pub mails: BTreeMap<(String, String), usize>,
    pub failed_attempts: usize,
    pub runs: Vec<String>,
}

impl Logs {
    pub fn read(paths: &[PathBuf]) -> Logs {
        let mut l = Logs::default();
        for p in paths {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            for line in text.lines() {
                let w: Vec<&str> = line.split(' ').collect();
                match w[0] {
                    "try" => {
                        l.tried.insert(w[1].to_string(), Act::parse(&w[2..]));
                    }
                    "ack" => assert!(l.acked.insert(w[1].to_string()), "acked twice: {line}"),
                    "refused" => {
                        l.refused.insert(w[1].to_string(), w[2..].join(" "));
                    }
                    "error" => l.errors.push(line.to_string()),
                    "mail" => {
                        *l.mails
                            .entry((w[1].to_string(), w[2].to_string()))
                            .or_default() += 1
                    }
                    "failed" => l.failed_attempts += 1,
                    "run" => l.runs.push(line.to_string()),
                    "mailfail" | "open-failed" => {}
                    _ => panic!("unknown log line {line:?}"),
                }
            }
        }
        l
    }
}

// ---- the model ----

#[derive(Debug, Clone)]
struct Invoice {
    id: u64,
    due: NaiveDate,
    amount: Decimal,
    remaining: Decimal,
    sale: Option<String>,
    cancelled: bool,
}

#[derive(Debug, Clone, Default)]
struct SaleFigures {
    paid: Decimal,
    refunded: Decimal,
    invoices: Vec<u64>,
}

/// One account as the domain's rules say, folded from its entries here: the two balances, the
/// invoices with what remains of each, the sales, what was reversed, the status and the limit.
#[derive(Debug, Clone, Default)]
pub struct Model {
    limit: Decimal,
    /// The account's own terms (days after the invoice date: net N, 0 due on receipt); `None`:
    /// the store's (net 30).
    terms: Option<i64>,
    on_hold: bool,
    pub owed: Decimal,
    pub credit: Decimal,
    invoices: Vec<Invoice>,
    sales: BTreeMap<String, SaleFigures>,
    reversed: BTreeSet<u64>,
    /// Each entry seen: its kind, and the allocations the model made for it.
    entries: Vec<(EntryKind, Vec<(u64, Decimal)>)>,
}

impl Model {
    fn invoice(&mut self, id: u64) -> Option<&mut Invoice> {
        self.invoices.iter_mut().find(|i| i.id == id)
    }

    /// `amount` given to open invoices, oldest due date first then oldest invoice.
    fn allocate(&mut self, amount: Decimal) -> (Vec<(u64, Decimal)>, Decimal) {
        let mut order: Vec<usize> = (0..self.invoices.len())
            .filter(|i| self.invoices[*i].remaining > Decimal::ZERO)
            .collect();
        order.sort_by_key(|i| (self.invoices[*i].due, self.invoices[*i].id));
        let mut left = amount;
        let mut out = Vec::new();
        for i in order {
            if left <= Decimal::ZERO {
                break;
            }
            let inv = &mut self.invoices[i];
            let take = inv.remaining.min(left);
            inv.remaining -= take;
            left -= take;
            out.push((inv.id, take));
        }
        self.owed -= amount - left;
        (out, left)
    }

    /// Gives back allocations (a reversal).
    fn unallocate(&mut self, allocations: &[(u64, Decimal)]) {
        for (id, amount) in allocations {
            self.invoice(*id).unwrap().remaining += *amount;
            self.owed += *amount;
        }
    }

    /// Applies one recorded entry by the rules, asserting that the allocations it records are the
    /// ones the rules make and that a charge never leaves more owed than the limit.
    fn apply(&mut self, account: &str, e: &Entry) {
        assert_eq!(e.seq, self.entries.len() as u64 + 1, "{account}: seqs");
        let recorded: Vec<(u64, Decimal)> = e
            .allocations
            .iter()
            .map(|a| (a.invoice, a.amount))
            .collect();
        let mut made: Vec<(u64, Decimal)> = Vec::new();
        match &e.kind {
            EntryKind::AccountOpened(o) => {
                self.limit = o.credit_limit.amount().expect("limited accounts");
            }
            EntryKind::CreditLimitChanged { new, .. } => {
                self.limit = new.amount().expect("limited accounts")
            }
            EntryKind::StatusChanged { status, .. } => {
                self.on_hold = *status == creditbook::AccountStatus::OnHold
            }
            EntryKind::Charge {
                amount,
                sale,
                due_date,
                override_reason,
                ..
            } => {
                assert_eq!(
                    *due_date,
                    self.due(e.date),
                    "{account}: due date of {}",
                    e.seq
                );
                self.open_invoice(e.seq, *due_date, *amount, sale.as_deref());
                assert!(override_reason.is_none());
                assert!(
                    self.owed <= self.limit,
                    "{account}: {} owed over the limit {} after entry {}",
                    self.owed,
                    self.limit,
                    e.seq
                );
                if let Some(s) = sale {
                    self.sales.entry(s.to_string()).or_default().paid += *amount;
                }
            }
            EntryKind::Adjustment {
                direction: Direction::Debit,
                amount,
                due_date,
                ..
            } => {
                let due = due_date.expect("a debit opens an item");
                assert_eq!(due, self.due(e.date), "{account}: due date of {}", e.seq);
                self.open_invoice(e.seq, due, *amount, None);
            }
            EntryKind::Payment { amount, .. }
            | EntryKind::Adjustment {
                direction: Direction::Credit,
                amount,
                ..
            } => {
                let (allocations, left) = self.allocate(*amount);
                made = allocations;
                self.credit += left;
            }
            EntryKind::Deposit { amount, .. } => self.credit += *amount,
            EntryKind::CreditTender { amount, sale } => {
                self.credit -= *amount;
                if let Some(s) = sale {
                    self.sales.entry(s.to_string()).or_default().paid += *amount;
                }
            }
            EntryKind::CreditApplied { amount } => {
                let (allocations, left) = self.allocate(*amount);
                assert!(
                    left.is_zero(),
                    "{account}: credit applied beyond what is owed"
                );
                made = allocations;
                self.credit -= *amount;
            }
            EntryKind::CreditRefund { amount, .. } => self.credit -= *amount,
            EntryKind::RefundToCredit { amount, sale, .. } => {
                let mut left = *amount;
                if let Some(s) = sale {
                    let rec = self.sales.entry(s.to_string()).or_default();
                    rec.refunded += *amount;
                    for id in rec.invoices.clone() {
                        let inv = self.invoice(id).unwrap();
                        let take = inv.remaining.min(left);
                        if take > Decimal::ZERO {
                            inv.remaining -= take;
                            left -= take;
                            made.push((id, take));
                        }
                    }
                    self.owed -= *amount - left;
                }
                self.credit += left;
            }
            EntryKind::WriteOff {
                invoice, amount, ..
            } => {
                let inv = self.invoice(*invoice).expect("writes off an invoice");
                inv.remaining -= *amount;
                assert!(inv.remaining >= Decimal::ZERO);
                let sale = inv.sale.clone();
                self.owed -= *amount;
                made.push((*invoice, *amount));
                if let Some(s) = sale {
                    self.sales.get_mut(&s).unwrap().paid -= *amount;
                }
            }
            EntryKind::Reversal(r) => {
                let (kind, allocations) = self.entries[r.reverses as usize - 1].clone();
                assert!(
                    self.reversed.insert(r.reverses),
                    "{account}: reversed twice"
                );
                let target = r.reverses;
                match &kind {
                    EntryKind::Charge { amount, sale, .. } => {
                        let inv = self.invoice(target).unwrap();
                        made.push((target, inv.remaining));
                        inv.remaining = Decimal::ZERO;
                        inv.cancelled = true;
                        self.owed -= *amount;
                        if let Some(s) = sale {
                            self.sales.get_mut(s.as_str()).unwrap().paid -= *amount;
                        }
                    }
                    EntryKind::Adjustment {
                        direction: Direction::Debit,
                        amount,
                        ..
                    } => {
                        let inv = self.invoice(target).unwrap();
                        made.push((target, inv.remaining));
                        inv.remaining = Decimal::ZERO;
                        inv.cancelled = true;
                        self.owed -= *amount;
                    }
                    EntryKind::CreditTender { amount, sale } => {
                        self.credit += *amount;
                        if let Some(s) = sale {
                            self.sales.get_mut(s.as_str()).unwrap().paid -= *amount;
                        }
                    }
                    other => {
                        let (credit, mut sale) = credit_of(other, &allocations);
                        if let EntryKind::WriteOff { invoice, .. } = other {
                            sale = self.invoice(*invoice).unwrap().sale.clone();
                        }
                        self.unallocate(&allocations);
                        made = allocations.iter().map(|(i, a)| (*i, -*a)).collect();
                        self.credit -= credit;
                        match (other, sale) {
                            (EntryKind::RefundToCredit { amount, .. }, Some(s)) => {
                                self.sales.get_mut(&s).unwrap().refunded -= *amount
                            }
                            (EntryKind::WriteOff { amount, .. }, Some(s)) => {
                                self.sales.get_mut(&s).unwrap().paid += *amount
                            }
                            _ => {}
                        }
                    }
                }
            }
            EntryKind::TermsChanged { terms } => {
                self.terms = terms.map(|t| match t {
                    PaymentTerms::DueOnReceipt => 0,
                    PaymentTerms::Net(n) => i64::from(n),
                    PaymentTerms::EndOfMonthPlus(_) => panic!("not generated"),
                })
            }
            EntryKind::ContactChanged(_)
            | EntryKind::PaymentLinkCreated(_)
            | EntryKind::PaymentLinkCancelled { .. }
            | EntryKind::MessageSent(_)
            | EntryKind::AutomationChanged { .. } => {}
        }
        assert_eq!(
            recorded, made,
            "{account}: entry {} ({}) records other allocations than the rules make",
            e.seq, e.op_id
        );
        assert!(
            self.owed >= Decimal::ZERO && self.credit >= Decimal::ZERO,
            "{account}: a balance below zero after entry {}",
            e.seq
        );
        self.entries.push((e.kind.clone(), made));
    }

    /// The due date of an invoice dated `date` under the account's terms.
    fn due(&self, date: NaiveDate) -> NaiveDate {
        date + chrono::Duration::days(self.terms.unwrap_or(30))
    }

    fn open_invoice(&mut self, id: u64, due: NaiveDate, amount: Decimal, sale: Option<&str>) {
        self.invoices.push(Invoice {
            id,
            due,
            amount,
            remaining: amount,
            sale: sale.map(str::to_string),
            cancelled: false,
        });
        self.owed += amount;
        if let Some(s) = sale {
            self.sales
                .entry(s.to_string())
                .or_default()
                .invoices
                .push(id);
        }
    }

    /// The model's decision on `act` now: `Ok` or the refusal, described as [`describe`] does.
    fn decide(&self, act: &Act) -> Result<(), String> {
        let no = |e: Error| Err(describe(&e));
        match act {
            Act::Charge { c, .. } => {
                if self.on_hold {
                    return no(Error::AccountOnHold {
                        account: String::new(),
                    });
                }
                let available = (self.limit - self.owed).max(Decimal::ZERO);
                if cents(*c) > available {
                    return no(Error::CreditLimitExceeded {
                        available,
                        requested: cents(*c),
                    });
                }
            }
            Act::UseCredit { c, .. } | Act::RefundCredit { c, .. } if cents(*c) > self.credit => {
                return no(Error::InsufficientCredit {
                    available: self.credit,
                    requested: cents(*c),
                })
            }
            Act::ApplyCredit { c, .. } => {
                if cents(*c) > self.credit {
                    return no(Error::InsufficientCredit {
                        available: self.credit,
                        requested: cents(*c),
                    });
                }
                if cents(*c) > self.owed {
                    return no(Error::ApplyExceedsBalanceOwed {
                        owed: self.owed,
                        requested: cents(*c),
                    });
                }
            }
            // Without receipt: store credit, allowed by the store's policy.
            Act::Refund { sale: None, .. } => {}
            Act::Refund {
                a,
                c,
                sale: Some(sale),
            } => {
                let rec = self
                    .sales
                    .get(&sale_of(*a, *sale))
                    .cloned()
                    .unwrap_or_default();
                let refundable = (rec.paid - rec.refunded).max(Decimal::ZERO);
                if cents(*c) > refundable {
                    return no(Error::RefundExceedsSale {
                        refundable,
                        requested: cents(*c),
                    });
                }
            }
            Act::Link { c, .. } => {
                let max = self.owed.min(Decimal::new(100_000, 0));
                if cents(*c) > max {
                    return no(Error::PaymentLinkAmountOutOfRange {
                        min: Decimal::ZERO,
                        max,
                        requested: cents(*c),
                    });
                }
            }
            Act::WriteOff { c, invoice, .. } => {
                let Some(inv) = self.invoices.iter().find(|i| i.id == *invoice) else {
                    return no(Error::UnknownInvoice { invoice: *invoice });
                };
                if inv.remaining <= Decimal::ZERO {
                    return no(Error::InvoiceNotOpen { invoice: *invoice });
                }
                if cents(*c) > inv.remaining {
                    return no(Error::WriteOffExceedsInvoice {
                        remaining: inv.remaining,
                        requested: cents(*c),
                    });
                }
            }
            Act::Reverse { seq, .. } => return self.decide_reversal(*seq),
            Act::Hold { .. } if self.on_hold => {
                return no(Error::InvalidState {
                    reason: String::new(),
                })
            }
            Act::Release { .. } if !self.on_hold => {
                return no(Error::InvalidState {
                    reason: String::new(),
                })
            }
            _ => {}
        }
        Ok(())
    }

    fn decide_reversal(&self, seq: u64) -> Result<(), String> {
        let no = |e: Error| Err(describe(&e));
        let not = || {
            no(Error::NotReversible {
                entry: seq,
                reason: String::new(),
            })
        };
        if seq == 0 || seq as usize > self.entries.len() {
            return no(Error::UnknownEntry { entry: seq });
        }
        if self.reversed.contains(&seq) {
            return no(Error::AlreadyReversed { entry: seq });
        }
        let (kind, allocations) = &self.entries[seq as usize - 1];
        let inv = |id: u64| self.invoices.iter().find(|i| i.id == id).unwrap();
        let (credit_delta, sale_paid_down) = match kind {
            EntryKind::Charge { amount, sale, .. } => {
                if inv(seq).remaining != inv(seq).amount {
                    return not();
                }
                (
                    Decimal::ZERO,
                    sale.as_ref().map(|s| (s.to_string(), *amount)),
                )
            }
            EntryKind::Adjustment {
                direction: Direction::Debit,
                ..
            } => {
                if inv(seq).remaining != inv(seq).amount {
                    return not();
                }
                (Decimal::ZERO, None)
            }
            EntryKind::CreditTender { amount, sale } => {
                (*amount, sale.as_ref().map(|s| (s.to_string(), *amount)))
            }
            EntryKind::Payment { .. }
            | EntryKind::Deposit { .. }
            | EntryKind::CreditApplied { .. }
            | EntryKind::CreditRefund { .. }
            | EntryKind::Adjustment { .. }
            | EntryKind::RefundToCredit { .. }
            | EntryKind::WriteOff { .. } => (-credit_of(kind, allocations).0, None),
            _ => return not(),
        };
        // Undoing what a sale was paid with may not leave more refunded than paid.
        if let Some((sale, amount)) = sale_paid_down {
            let rec = &self.sales[&sale];
            if rec.refunded > rec.paid - amount {
                return not();
            }
        }
        if self.credit + credit_delta < Decimal::ZERO {
            return no(Error::InsufficientCredit {
                available: self.credit,
                requested: -credit_delta,
            });
        }
        // Giving back an allocation to an invoice cancelled since: refused.
        let gives_back = !matches!(
            kind,
            EntryKind::Charge { .. }
                | EntryKind::Adjustment {
                    direction: Direction::Debit,
                    ..
                }
        );
        if gives_back && allocations.iter().any(|(id, _)| inv(*id).cancelled) {
            return not();
        }
        Ok(())
    }

    /// What a recorded operation says matches what was asked.
    fn check_content(&self, account: &str, act: &Act, group: &[Entry]) {
        // A deposit request first cancels the sale's pending ones; anything else is one entry.
        let (first, before) = match act {
            Act::DepositLink { .. } => group.split_last().unwrap(),
            _ => {
                assert_eq!(group.len(), 1, "{account}: {act:?} recorded as {group:?}");
                (&group[0], &[][..])
            }
        };
        for e in before {
            assert!(
                matches!(e.kind, EntryKind::PaymentLinkCancelled { .. }),
                "{account}: {act:?} recorded as {group:?}"
            );
        }
        let first = &first.kind;
        let ok = match (act, first) {
            (Act::Charge { c, .. }, EntryKind::Charge { amount, .. })
            | (Act::Pay { c, .. }, EntryKind::Payment { amount, .. })
            | (Act::Deposit { c, .. }, EntryKind::Deposit { amount, .. })
            | (Act::UseCredit { c, .. }, EntryKind::CreditTender { amount, .. })
            | (Act::ApplyCredit { c, .. }, EntryKind::CreditApplied { amount })
            | (Act::RefundCredit { c, .. }, EntryKind::CreditRefund { amount, .. })
            | (Act::Adjust { c, .. }, EntryKind::Adjustment { amount, .. })
            | (Act::WriteOff { c, .. }, EntryKind::WriteOff { amount, .. }) => *amount == cents(*c),
            (
                Act::Refund { a, c, sale },
                EntryKind::RefundToCredit {
                    amount,
                    sale: recorded,
                    receipt_less,
                    ..
                },
            ) => {
                *amount == cents(*c)
                    && recorded.as_deref() == sale.map(|s| sale_of(*a, s)).as_deref()
                    && *receipt_less == sale.is_none()
            }
            // Through a deposit request: a deposit; else a payment.
            (Act::Online { c, .. }, EntryKind::Payment { amount, .. })
            | (Act::Online { c, .. }, EntryKind::Deposit { amount, .. }) => *amount == cents(*c),
            (Act::Link { c, .. }, EntryKind::PaymentLinkCreated(l)) => {
                l.amount == cents(*c) && matches!(l.purpose, LinkPurpose::Balance { .. })
            }
            (Act::DepositLink { a, c, sale }, EntryKind::PaymentLinkCreated(l)) => {
                l.amount == cents(*c)
                    && l.purpose
                        == LinkPurpose::Deposit {
                            sale: sale_of(*a, *sale).into(),
                        }
            }
            (Act::SetTerms { days, .. }, EntryKind::TermsChanged { terms }) => {
                *terms
                    == match *days {
                        d if d < 0 => None,
                        0 => Some(PaymentTerms::DueOnReceipt),
                        d => Some(PaymentTerms::Net(d as u16)),
                    }
            }
            (Act::Contact { .. }, EntryKind::ContactChanged(_)) => true,
            (Act::Reverse { seq, .. }, EntryKind::Reversal(r)) => r.reverses == *seq,
            (Act::Hold { .. }, EntryKind::StatusChanged { status, .. }) => {
                *status == creditbook::AccountStatus::OnHold
            }
            (Act::Release { .. }, EntryKind::StatusChanged { status, .. }) => {
                *status == creditbook::AccountStatus::Active
            }
            (Act::SetLimit { c, .. }, EntryKind::CreditLimitChanged { new, .. }) => {
                *new == CreditLimit::Amount(cents(*c))
            }
            (Act::Automation { day }, EntryKind::AutomationChanged { new, .. }) => {
                new.statement_day == Some(*day)
            }
            _ => false,
        };
        assert!(ok, "{account}: {act:?} recorded as {group:?}");
    }
}

/// What an entry moved on the credit balance, by the rules, and the sale a refund names (a
/// write-off's sale is its invoice's, which the model keeps).
fn credit_of(kind: &EntryKind, allocations: &[(u64, Decimal)]) -> (Decimal, Option<String>) {
    let allocated: Decimal = allocations.iter().map(|(_, a)| *a).sum();
    match kind {
        EntryKind::Payment { amount, .. }
        | EntryKind::Adjustment {
            direction: Direction::Credit,
            amount,
            ..
        } => (*amount - allocated, None),
        EntryKind::RefundToCredit { amount, sale, .. } => {
            (*amount - allocated, sale.as_ref().map(|s| s.to_string()))
        }
        EntryKind::Deposit { amount, .. } => (*amount, None),
        EntryKind::CreditApplied { amount } | EntryKind::CreditRefund { amount, .. } => {
            (-*amount, None)
        }
        EntryKind::CreditTender { amount, .. } => (-*amount, None),
        _ => (Decimal::ZERO, None),
    }
}

// ---- the checks ----

/// What the checks counted.
#[derive(Debug, Default)]
pub struct Summary {
    pub tried: usize,
    pub acked: usize,
    pub refused: usize,
    pub refusal_kinds: BTreeMap<String, usize>,
    pub entries: usize,
    pub mails: usize,
    pub claims: usize,
    pub statements_delivered: usize,
    /// The accounts with a statement recorded delivered.
    pub statement_accounts: BTreeSet<String>,
    pub failed_attempts: usize,
}

/// Checks the store against the logs and the model. `before`: the logs read before the store;
/// `after` rereads them once the store is read (processes still running: an operation recorded
/// must be tried in those). `done`: every process finished its operations, so every operation
/// tried was answered and exactly the acknowledged ones are recorded.
pub fn check<S: Store>(
    store: &S,
    before: &Logs,
    after: Option<&dyn Fn() -> Logs>,
    done: bool,
) -> Summary {
    let mut ledgers: Vec<String> = (0..ACCOUNTS).map(account).collect();
    ledgers.push(BOOK_LEDGER.to_string());
    let rows: Vec<(String, Vec<Entry>)> = ledgers
        .iter()
        .map(|a| (a.clone(), store.load(a, 0).unwrap()))
        .collect();
    let reread;
    let later = match after {
        Some(read) => {
            reread = read();
            &reread
        }
        None => before,
    };
    assert!(
        later.errors.is_empty(),
        "unexpected errors: {:?}",
        later.errors
    );
    // Which operation each recorded id belongs to.
    let mut by_recorded: BTreeMap<(String, String), (String, Act)> = BTreeMap::new();
    for (id, act) in &later.tried {
        if let Some(key) = act.recorded_as(id) {
            by_recorded.insert(key, (id.clone(), act.clone()));
        }
    }
    let mut summary = Summary {
        tried: before.tried.len(),
        acked: before.acked.len(),
        refused: before.refused.len(),
        failed_attempts: later.failed_attempts,
        ..Summary::default()
    };
    let mut recorded_ops: BTreeSet<String> = BTreeSet::new();
    // Per message: claims recorded, deliveries recorded.
    let mut claims: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut delivered: BTreeMap<(String, String), usize> = BTreeMap::new();
    // Per account: the model at each operation boundary.
    let mut prefixes: BTreeMap<String, Vec<Model>> = BTreeMap::new();
    for (a, entries) in &rows {
        summary.entries += entries.len();
        let mut model = Model::default();
        let mut states = vec![model.clone()];
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut i = 0;
        while i < entries.len() {
            let op_id = entries[i].op_id.as_str();
            let n = entries[i..].iter().take_while(|e| e.op_id == op_id).count();
            let group = &entries[i..i + n];
            assert!(seen.insert(op_id), "{a}: {op_id} recorded twice");
            match by_recorded.get(&(a.clone(), op_id.to_string())) {
                Some((id, act)) => {
                    assert!(
                        !later.refused.contains_key(id),
                        "{a}: {id} recorded but refused"
                    );
                    if a != BOOK_LEDGER {
                        if let Err(why) = model.decide(act) {
                            panic!("{a}: {id} ({act:?}) recorded where the rules refuse: {why}");
                        }
                    }
                    model.check_content(a, act, group);
                    recorded_ops.insert(id.clone());
                }
                None => {
                    let known = (a.as_str() != BOOK_LEDGER && op_id == format!("open-{a}"))
                        || op_id.starts_with("setup-")
                        || op_id.starts_with("message-")
                        || op_id.starts_with("statement-link-");
                    assert!(known, "{a}: {op_id} recorded, never asked for");
                }
            }
            if a != BOOK_LEDGER {
                for e in group {
                    model.apply(a, e);
                    if let EntryKind::MessageSent(m) = &e.kind {
                        let key = (a.clone(), m.message_id.clone());
                        match m.delivery {
                            Delivery::Sending { .. } => *claims.entry(key).or_default() += 1,
                            Delivery::Delivered { .. } => {
                                *delivered.entry(key).or_default() += 1;
                                if m.kind == creditbook::MessageKind::Statement {
                                    summary.statements_delivered += 1;
                                    summary.statement_accounts.insert(a.clone());
                                }
                            }
                            Delivery::Failed { .. } => {}
                        }
                    }
                }
                states.push(model.clone());
            }
            i += n;
        }
        prefixes.insert(a.clone(), states);
    }
    // Every acknowledged operation recorded (exactly once: `seen` above), as asked.
    for id in &before.acked {
        let act = &before.tried[id];
        if act.recorded_as(id).is_some() {
            assert!(
                recorded_ops.contains(id),
                "acknowledged {id} ({act:?}) not recorded"
            );
        }
    }
    if done {
        for id in later.tried.keys() {
            assert!(
                later.acked.contains(id) || later.refused.contains_key(id),
                "{id} never answered"
            );
        }
        for id in &recorded_ops {
            assert!(later.acked.contains(id), "{id} recorded, not acknowledged");
        }
    }
    // Every refusal is one the model makes at some prefix of the account's entries.
    for (id, why) in &before.refused {
        let act = &before.tried[id];
        let (a, _) = act.recorded_as(id).expect("refusals are of recorded kinds");
        let justified = prefixes[&a]
            .iter()
            .any(|m| m.decide(act).err().as_deref() == Some(why.as_str()));
        assert!(
            justified,
            "{a}: {id} ({act:?}) refused with {why}, which no prefix of the entries justifies"
        );
        let kind = why.split(' ').next().unwrap().to_string();
        *summary.refusal_kinds.entry(kind).or_default() += 1;
    }
    // Messages: recorded delivered at most once; delivered by the mailer at most once per claim.
    for (key, n) in &delivered {
        assert_eq!(*n, 1, "{key:?} recorded delivered {n} times");
    }
    for (key, n) in &before.mails {
        let c = claims.get(key).copied().unwrap_or(0);
        assert!(*n <= c, "{key:?} delivered {n} times on {c} claims");
        summary.mails += n;
    }
    summary.claims = claims.values().sum();
    // A fresh Book's figures are the model's.
    let book = Book::with_store(settings(), ClonedRows(rows.iter().cloned().collect()));
    let as_of = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    for (a, states) in &prefixes {
        if a == BOOK_LEDGER {
            continue;
        }
        let m = states.last().unwrap();
        let s = book.summary(a, as_of).unwrap();
        assert_eq!(
            (s.balance_owed, s.credit_balance),
            (m.owed, m.credit),
            "{a}: the Book's balances"
        );
        let open: Vec<(u64, Decimal)> = book
            .open_invoices(a, as_of)
            .unwrap()
            .iter()
            .map(|i| (i.id, i.remaining))
            .collect();
        let mut mine: Vec<(u64, Decimal)> = m
            .invoices
            .iter()
            .filter(|i| i.remaining > Decimal::ZERO)
            .map(|i| (i.id, i.remaining))
            .collect();
        mine.sort();
        let mut theirs = open;
        theirs.sort();
        assert_eq!(theirs, mine, "{a}: open invoices");
    }
    summary
}

/// The rows as read, served as a store: the fresh Book folds exactly what was checked.
struct ClonedRows(BTreeMap<String, Vec<Entry>>);

impl Store for ClonedRows {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, creditbook::StoreError> {
        Ok(self
            .0
            .get(account)
            .map(|e| e.iter().filter(|e| e.seq > after).cloned().collect())
            .unwrap_or_default())
    }

    fn append(
        &self,
        _account: &str,
        _expected: u64,
        _entries: &[Entry],
    ) -> Result<(), creditbook::StoreError> {
        Err(creditbook::StoreError::Failed {
            code: 1,
            message: "read only".into(),
        })
    }

    fn account_ids(&self) -> Result<Vec<smol_str::SmolStr>, creditbook::StoreError> {
        Ok(self.0.keys().map(|k| k.as_str().into()).collect())
    }
}
