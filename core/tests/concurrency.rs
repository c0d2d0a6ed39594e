//! Many tills on one shared Book: no charge takes an account over its limit, no entry is lost or
//! recorded twice, replays from other tills return the first result, a store that conflicts or
//! fails at random leaves exactly the acknowledged operations recorded, and a store callback that
//! calls the Book back does not deadlock.

mod sim;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier, Mutex, OnceLock, Weak};
use std::thread;
use std::time::Duration;

use creditbook::{
    Book, Charge, Command, CreditLimit, Entry, EntryKind, Error, MemoryStore, Operation, Outcome,
    Payment, Policies, Store, StoreError,
};
use rust_decimal::Decimal;
use smol_str::SmolStr;

use sim::{cad, cents, check, op_ids, open, settings, start};

const THREADS: usize = 8;
const LIMIT: i64 = 500_000;

/// A tiny seeded generator (xorshift64), so that every run is reproducible without a dependency.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// One call a till made and what it got back.
#[derive(Clone)]
struct Call {
    account: &'static str,
    op_id: SmolStr,
    command: Command,
    result: Result<Outcome, Error>,
}

fn call<S: Store>(book: &Book<S>, account: &'static str, op_id: SmolStr, command: Command) -> Call {
    let result = book.execute(account, &Operation::new(op_id.clone(), start()), &command);
    Call {
        account,
        op_id,
        command,
        result,
    }
}

/// Runs `till(t, book)` on `THREADS` threads at once, thread `t` on `books[t % books.len()]` (each
/// Book is a process with its own cache over the shared store), and gathers their calls.
fn tills<S: Store + 'static>(
    books: &[Arc<Book<S>>],
    till: fn(usize, &Book<S>) -> Vec<Call>,
) -> Vec<Call> {
    let start_line = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let book = Arc::clone(&books[t % books.len()]);
            let start_line = Arc::clone(&start_line);
            thread::spawn(move || {
                start_line.wait();
                till(t, &book)
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect()
}

/// A charge every till can rebuild from its operation id alone, so that any till can replay it.
fn charge(t: usize, i: usize) -> (SmolStr, Command) {
    let mut rng = XorShift::new((t * 1_000 + i) as u64 + 1);
    let amount = cad(1 + rng.below(5_000) as i64);
    (
        SmolStr::new(format!("t{t}-{i}")),
        Command::Charge(Charge::new(amount)),
    )
}

/// Till `t`'s charge number `i`, on account A.
fn charge_call<S: Store>(book: &Book<S>, t: usize, i: usize) -> Call {
    let (op_id, command) = charge(t, i);
    call(book, "A", op_id, command)
}

/// Every call acknowledged `Ok` is recorded exactly once with the entries it returned (one of its
/// calls recorded it, the others were replays); an operation whose calls all failed recorded
/// nothing. Returns the first `Ok` of each recorded operation.
fn check_exactly_once<'a>(entries: &[Entry], calls: &'a [Call]) -> Vec<&'a Call> {
    let recorded: BTreeMap<&str, usize> = op_ids(entries).into_iter().collect();
    let mut by_op: BTreeMap<&str, Vec<&Call>> = BTreeMap::new();
    for c in calls {
        by_op.entry(&c.op_id).or_default().push(c);
    }
    let mut firsts = Vec::new();
    for (op_id, calls) in by_op {
        let oks: Vec<&Outcome> = calls
            .iter()
            .filter_map(|c| c.result.as_ref().ok())
            .collect();
        let Some(first) = oks.first() else {
            assert!(
                !recorded.contains_key(op_id),
                "{op_id} failed but was recorded"
            );
            continue;
        };
        let mine: Vec<&Entry> = entries.iter().filter(|e| e.op_id == op_id).collect();
        for ok in &oks {
            assert_eq!(ok.entries.iter().collect::<Vec<_>>(), mine, "{op_id}");
        }
        assert_eq!(
            oks.iter().filter(|o| !o.replayed).count(),
            1,
            "{op_id} recorded by exactly one call: {:?}",
            calls.iter().map(|c| &c.result).collect::<Vec<_>>()
        );
        assert_eq!(first.entries.len(), recorded[op_id]);
        firsts.push(*calls.iter().find(|c| c.result.is_ok()).unwrap());
    }
    firsts
}

/// Every call that failed failed for a reason `expected` allows.
fn check_refusals(calls: &[Call], expected: fn(&Error) -> bool) {
    for c in calls {
        if let Err(e) = &c.result {
            assert!(expected(e), "{}: {e:?}", c.op_id);
        }
    }
}

/// The sum of the amounts of recorded operations of one kind.
fn total(recorded: &[&Call], kind: fn(&Command) -> Option<Decimal>) -> Decimal {
    recorded.iter().filter_map(|c| kind(&c.command)).sum()
}

fn charged(c: &Command) -> Option<Decimal> {
    match c {
        Command::Charge(c) => Some(c.amount.amount),
        _ => None,
    }
}

fn paid(c: &Command) -> Option<Decimal> {
    match c {
        Command::Payment(p) => Some(p.amount.amount),
        _ => None,
    }
}

type Shared = Book<Arc<FlakyStore>>;

/// `n` Books on one [`FlakyStore`] with accounts A and B open (limit 5,000.00), faults off.
fn shared_books(n: usize) -> Vec<Arc<Shared>> {
    let store = Arc::new(FlakyStore {
        inner: MemoryStore::new(),
        rng: Mutex::new(XorShift::new(7)),
        percent: AtomicU64::new(0),
        injected: AtomicUsize::new(0),
        conflicts: AtomicUsize::new(0),
    });
    let books: Vec<Arc<Shared>> = (0..n)
        .map(|_| {
            let s = settings(Policies::default());
            Arc::new(Book::with_store(s, Arc::clone(&store)))
        })
        .collect();
    for account in ["A", "B"] {
        open(
            &books[0],
            account,
            CreditLimit::Amount(cents(LIMIT)),
            start(),
        );
    }
    books
}

/// What concurrent charges leave on an account with a limit: never over it, nothing lost.
fn check_charges(books: &[Arc<Shared>], calls: &[Call]) {
    check_refusals(calls, |e| {
        matches!(
            e,
            Error::CreditLimitExceeded { .. } | Error::StoreContention { .. }
        )
    });
    let book = &books[0];
    let entries = book.entries("A").unwrap();
    let recorded = check_exactly_once(&entries, calls);
    let charges = entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Charge { .. }))
        .count();
    assert_eq!(
        charges,
        recorded
            .iter()
            .filter(|c| charged(&c.command).is_some())
            .count()
    );
    let summary = check(book, "A", start().date_naive());
    assert!(summary.balance_owed <= cents(LIMIT), "{summary:?}");
    assert_eq!(
        summary.balance_owed - summary.credit_balance,
        total(&recorded, charged) - total(&recorded, paid)
    );
    for b in books {
        sim::check_restart(b, &book.store().inner, "A", start().date_naive());
    }
    // The tills really did meet: some appends found another till's entries first.
    assert!(book.store().conflicts.load(Ordering::SeqCst) > 0);
}

#[test]
fn eight_tills_charging_one_account_never_exceed_its_limit() {
    let books = shared_books(1);
    let calls = tills(&books, |t, book| {
        (0..200).map(|i| charge_call(book, t, i)).collect()
    });
    let accepted = calls.iter().filter(|c| c.result.is_ok()).count();
    assert!(
        accepted > 100 && accepted < THREADS * 200,
        "{accepted} accepted"
    );
    check_charges(&books, &calls);
}

#[test]
fn tills_replaying_each_others_operations_record_each_once() {
    let books = shared_books(2);
    let calls = tills(&books, |t, book| {
        let mut rng = XorShift::new(t as u64 + 100);
        let mut calls = Vec::new();
        for i in 0..200 {
            calls.push(charge_call(book, t, i));
            // Another till's charge, done already or not yet: whoever comes first records it.
            let (other, j) = (rng.below(THREADS as u64), rng.below(200));
            calls.push(charge_call(book, other as usize, j as usize));
            if i % 10 == 9 {
                // Payments make room again, so a charge refused once may be accepted later.
                let payment = Payment::new(cad(1 + rng.below(30_000) as i64));
                calls.push(call(
                    book,
                    "A",
                    format!("pay-{t}-{i}").into(),
                    Command::Payment(payment),
                ));
            }
        }
        calls
    });
    assert!(calls
        .iter()
        .any(|c| c.result.as_ref().is_ok_and(|o| o.replayed)));
    check_charges(&books, &calls);
}

/// The store of these tests: a MemoryStore that counts the conflicts it answers and, while a
/// fault rate is set, at random but reproducibly answers `Conflict` or `Failed` without writing and
/// fails loads. It yields after writing so that other tills run in between.
struct FlakyStore {
    inner: MemoryStore,
    rng: Mutex<XorShift>,
    /// Percent of calls that fail, per kind of fault.
    percent: AtomicU64,
    injected: AtomicUsize,
    conflicts: AtomicUsize,
}

impl FlakyStore {
    fn fault(&self) -> bool {
        let percent = self.percent.load(Ordering::SeqCst);
        let hit = percent > 0 && self.rng.lock().unwrap().below(100) < percent;
        if hit {
            self.injected.fetch_add(1, Ordering::SeqCst);
        }
        hit
    }
}

fn failed() -> StoreError {
    StoreError::Failed {
        code: 42,
        message: "disk busy".into(),
    }
}

impl Store for FlakyStore {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        if self.fault() {
            return Err(failed());
        }
        self.inner.load(account, after)
    }

    fn append(&self, account: &str, expected: u64, entries: &[Entry]) -> Result<(), StoreError> {
        if self.fault() {
            return Err(StoreError::Conflict);
        }
        if self.fault() {
            return Err(failed());
        }
        let written = self.inner.append(account, expected, entries);
        if written == Err(StoreError::Conflict) {
            self.conflicts.fetch_add(1, Ordering::SeqCst);
        }
        thread::yield_now();
        written
    }

    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        self.inner.account_ids()
    }
}

#[test]
fn a_faulty_store_records_exactly_the_acknowledged_operations() {
    let books = shared_books(2);
    let book = &books[0];
    book.store().percent.store(10, Ordering::SeqCst);
    let calls = tills(&books, |t, book| {
        let mut rng = XorShift::new(t as u64 + 1_000);
        let mut calls = Vec::new();
        for i in 0..150 {
            let account = if rng.below(2) == 0 { "A" } else { "B" };
            let amount = cad(1 + rng.below(20_000) as i64);
            let command = match rng.below(10) {
                0..=5 => Command::Charge(Charge::new(amount)),
                6 | 7 => Command::Payment(Payment::new(amount)),
                8 => Command::Deposit {
                    amount,
                    reference: None,
                },
                _ => Command::UseCredit { amount, sale: None },
            };
            // A till retries what failed, with the same operation id, a few times.
            for _ in 0..3 {
                let c = call(book, account, format!("t{t}-{i}").into(), command.clone());
                let retry = matches!(
                    c.result,
                    Err(Error::StoreFailed { .. } | Error::StoreContention { .. })
                );
                calls.push(c);
                if !retry {
                    break;
                }
            }
        }
        calls
    });
    book.store().percent.store(0, Ordering::SeqCst);
    assert!(book.store().injected.load(Ordering::SeqCst) > 100);
    assert!(calls
        .iter()
        .any(|c| matches!(c.result, Err(Error::StoreFailed { code: 42, .. }))));
    check_refusals(&calls, |e| {
        matches!(
            e,
            Error::StoreFailed { code: 42, .. }
                | Error::StoreContention { .. }
                | Error::CreditLimitExceeded { .. }
                | Error::InsufficientCredit { .. }
        )
    });

    let today = start().date_naive();
    for account in ["A", "B"] {
        let mine: Vec<Call> = calls
            .iter()
            .filter(|c| c.account == account)
            .cloned()
            .collect();
        // The ledger as the store holds it, folded by a Book that never saw a fault.
        for b in &books {
            sim::check_restart(b, &book.store().inner, account, today);
        }
        let recorded = check_exactly_once(&book.entries(account).unwrap(), &mine);
        assert!(recorded.len() > 50, "{} recorded", recorded.len());
        check(book, account, today);
    }
}

/// A store whose append calls back into the Book that calls it: reads of both accounts, and a
/// write to the other account.
struct ReentrantStore {
    inner: MemoryStore,
    book: OnceLock<Weak<Book<ReentrantStore>>>,
    writes: AtomicUsize,
}

impl Store for ReentrantStore {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        self.inner.load(account, after)
    }

    fn append(&self, account: &str, expected: u64, entries: &[Entry]) -> Result<(), StoreError> {
        if let Some(book) = self.book.get().and_then(Weak::upgrade) {
            let today = start().date_naive();
            for other in ["A", "B"] {
                let _ = book.summary(other, today);
            }
            if account == "A" {
                let n = self.writes.fetch_add(1, Ordering::SeqCst);
                let deposit = Command::Deposit {
                    amount: cad(1),
                    reference: None,
                };
                let op = Operation::new(format!("nested-{n}"), start());
                book.execute("B", &op, &deposit).unwrap();
            }
        }
        self.inner.append(account, expected, entries)
    }

    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        self.inner.account_ids()
    }
}

#[test]
fn a_store_callback_may_call_the_book_back() {
    let store = ReentrantStore {
        inner: MemoryStore::new(),
        book: OnceLock::new(),
        writes: AtomicUsize::new(0),
    };
    let book = Arc::new(Book::with_store(settings(Policies::default()), store));
    book.store().book.set(Arc::downgrade(&book)).unwrap();
    for account in ["B", "A"] {
        open(&book, account, CreditLimit::Unlimited, start());
    }
    let (done, finished) = mpsc::channel();
    let runner = Arc::clone(&book);
    thread::spawn(move || {
        let calls = tills(&[runner], |t, book| {
            (0..25).map(|i| charge_call(book, t, i)).collect()
        });
        done.send(calls).unwrap();
    });
    let calls = finished
        .recv_timeout(Duration::from_secs(120))
        .expect("deadlock: the tills did not finish");
    assert!(calls.iter().all(|c| c.result.is_ok()));
    let today = start().date_naive();
    let entries = book.entries("A").unwrap();
    assert_eq!(check_exactly_once(&entries, &calls).len(), THREADS * 25);
    check(&*book, "A", today);
    let b = check(&*book, "B", today);
    // Every nested deposit made while appending to A, including those whose append conflicted.
    assert_eq!(
        b.credit_balance,
        cents(book.store().writes.load(Ordering::SeqCst) as i64)
    );
}
