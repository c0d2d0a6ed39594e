//! Deterministic simulation: three tills and a back office run random operations of every kind
//! against one Book over a store, a mailer and a payment provider that fail on purpose, and the
//! Book is restarted at random points. The mailer and the provider go down, and turn slow: they
//! do the work and answer too late, so the Book sees a failure (a link asked again must be the
//! same request; a message sent again is counted, never recorded delivered twice; the gated,
//! multi-threaded version of a slow port is slow_ports.rs). One seeded generator decides everything (which till acts
//! next, what it does, which call fails and how), so a failing seed replays exactly.
//!
//! After every step the invariants hold (`sim::check`, a restarted Book agrees), every operation
//! acknowledged `Ok` is recorded exactly once with the entries it was acknowledged with, every
//! refused one is not recorded, and every refusal is one the store's entries justify (a fresh Book
//! on a copy of them refuses the same way).
//!
//! `cargo test --test simulation` runs `SIM_SEEDS` seeds (default 2,000: about 40 s in a debug build)
//! from `SIM_FIRST` (default 1);
//! `SIM_SEED=<n>` runs one seed; `SIM_STEPS` sets the steps per seed (default 120). A failure
//! prints its seed. `make soak` runs many more in release mode.

mod ports;
mod sim;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use creditbook::{
    Book, Charge, Command, CreditLimit, Customer, Delivery, Direction, Entry, EntryKind, Error,
    LinkPurpose, MemoryStore, Message, OnlinePaymentConfirmation, OpenAccount, Operation,
    PaymentLinkRequest, PaymentTerms, Policies, Store, StoreError, StoreSettings,
};
use rust_decimal::Decimal;
use smol_str::SmolStr;

use ports::{RecordingMailer, RecordingProvider};
use sim::{cad, cents, clerk, manager};

const ACCOUNTS: [&str; 2] = ["A", "B"];
/// Tills 0..TILLS, then the back office, then the payment provider's callbacks.
const TILLS: usize = 3;
const BACK_OFFICE: usize = TILLS;
const PROVIDER: usize = TILLS + 1;

/// xorshift64: tiny, seeded, the same on every platform.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

// ---- the faulty store ----

/// Fault rates (percent of calls) and what was injected.
#[derive(Default)]
struct Faults {
    /// Faults are injected only while on (never during the test's own checks).
    on: AtomicBool,
    rng: Mutex<Option<Rng>>,
    conflict: AtomicU64,
    before: AtomicU64,
    after: AtomicU64,
    load: AtomicU64,
    /// Counts: conflicts, failures before writing, failures after writing, failed loads.
    injected: [AtomicU64; 4],
    /// Set when a write happened but was reported failed (the scheduler may restart then).
    wrote_but_failed: AtomicBool,
}

impl Faults {
    fn roll(&self, rate: &AtomicU64, kind: usize) -> bool {
        if !self.on.load(Ordering::SeqCst) {
            return false;
        }
        let percent = rate.load(Ordering::SeqCst);
        let hit = percent > 0
            && self
                .rng
                .lock()
                .unwrap()
                .as_mut()
                .is_some_and(|r| r.chance(percent));
        if hit {
            self.injected[kind].fetch_add(1, Ordering::SeqCst);
        }
        hit
    }
}

fn store_failed(code: i32) -> StoreError {
    StoreError::Failed {
        code,
        message: "injected".into(),
    }
}

/// A MemoryStore that conflicts, fails before writing, fails after writing (the entries are kept
/// but the caller is told otherwise) and fails loads, as `Faults` says.
#[derive(Clone)]
struct FaultyStore {
    inner: MemoryStore,
    faults: Arc<Faults>,
}

impl Store for FaultyStore {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        if self.faults.roll(&self.faults.load, 3) {
            return Err(store_failed(71));
        }
        self.inner.load(account, after)
    }

    fn append(&self, account: &str, expected: u64, entries: &[Entry]) -> Result<(), StoreError> {
        if self.faults.roll(&self.faults.conflict, 0) {
            return Err(StoreError::Conflict);
        }
        if self.faults.roll(&self.faults.before, 1) {
            return Err(store_failed(72));
        }
        self.inner.append(account, expected, entries)?;
        if self.faults.roll(&self.faults.after, 2) {
            self.faults.wrote_but_failed.store(true, Ordering::SeqCst);
            return Err(store_failed(73));
        }
        Ok(())
    }

    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        if self.faults.roll(&self.faults.load, 3) {
            return Err(store_failed(74));
        }
        self.inner.account_ids()
    }
}

// ---- what the tills do ----

/// One thing a till, the back office or the provider asks of the Book.
#[derive(Clone, Debug)]
enum Action {
    Execute(Command),
    Link(creditbook::Money, LinkPurpose),
    Confirm(OnlinePaymentConfirmation),
    /// Compose the email of an invoice and send it.
    SendInvoice(u64),
}

/// An operation as its till keeps it, to retry or replay it.
#[derive(Clone, Debug)]
struct Op {
    account: &'static str,
    op: Operation,
    action: Action,
}

impl Op {
    /// The operation id its entries carry (`None`: the Book names them, as for messages).
    fn recorded_id(&self) -> Option<SmolStr> {
        match &self.action {
            Action::Execute(_) | Action::Link(..) => Some(self.op.op_id.clone()),
            Action::Confirm(c) => Some(format!("online-{}", c.provider_payment_id).into()),
            Action::SendInvoice(_) => None,
        }
    }
}

/// What the test knows of an operation id.
#[derive(Clone, Debug)]
enum Truth {
    /// Acknowledged `Ok`, with the entries the store held for it then.
    Acked(Vec<Entry>),
    /// Refused (and never acknowledged).
    Refused(Error),
    /// The last call failed in the store: recorded or not, the till must retry.
    Unknown,
}

/// What a call answered, reduced to what the test needs.
struct Answer {
    /// The entries an `Outcome` carried (`Execute`, `Confirm`).
    entries: Option<Vec<Entry>>,
    replayed: bool,
}

/// Store failures: nothing is known of the write, the till retries.
fn ambiguous(e: &Error) -> bool {
    matches!(e, Error::StoreFailed { .. } | Error::StoreContention { .. })
}

#[derive(Default, Debug)]
struct Stats {
    steps: u64,
    calls: u64,
    acked: u64,
    refused: u64,
    ambiguous: u64,
    retries: u64,
    replays: u64,
    restarts: u64,
    mailer_faults: u64,
    provider_faults: u64,
    late_mailer: u64,
    late_provider: u64,
    confirmations: u64,
    duplicate_confirmations: u64,
    sends: u64,
    store_faults: [u64; 4],
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.steps += o.steps;
        self.calls += o.calls;
        self.acked += o.acked;
        self.refused += o.refused;
        self.ambiguous += o.ambiguous;
        self.retries += o.retries;
        self.replays += o.replays;
        self.restarts += o.restarts;
        self.mailer_faults += o.mailer_faults;
        self.provider_faults += o.provider_faults;
        self.late_mailer += o.late_mailer;
        self.late_provider += o.late_provider;
        self.confirmations += o.confirmations;
        self.duplicate_confirmations += o.duplicate_confirmations;
        self.sends += o.sends;
        for i in 0..4 {
            self.store_faults[i] += o.store_faults[i];
        }
    }
}

/// Sends of one message id: how often the mailer delivered it, and how many deliveries the Book
/// could not know of: the store failed after the mailer delivered, or the mailer delivered but
/// answered too late (a retry then sends the message again; its Message-ID stays the same, so a
/// mail client shows it once).
#[derive(Default)]
struct Sends {
    delivered: usize,
    unrecorded: usize,
    late: usize,
}

struct Sim {
    rng: Rng,
    settings: StoreSettings,
    store: MemoryStore,
    faults: Arc<Faults>,
    mailer: RecordingMailer,
    provider: RecordingProvider,
    book: Book<FaultyStore>,
    now: DateTime<Utc>,
    n: u64,
    truth: BTreeMap<(&'static str, SmolStr), Truth>,
    /// Every operation asked so far (for replays).
    history: Vec<Op>,
    /// Per actor, operations whose last call failed in the store.
    pending: Vec<Vec<Op>>,
    /// The provider's callbacks, waiting to be delivered (in any order, some twice).
    callbacks: Vec<(&'static str, OnlinePaymentConfirmation)>,
    /// Payments the provider made up so far (their ids are `pp-<n>`).
    callbacks_made: u64,
    sends: BTreeMap<String, Sends>,
    stats: Stats,
}

fn settings(rng: &mut Rng) -> StoreSettings {
    let policies = Policies {
        over_limit_tolerance_percent: Decimal::new([0, 500, 1000][rng.index(3)], 2),
        overdue_hold_days: rng.chance(30).then(|| rng.below(40) as u32),
        refunds_to_credit: rng.chance(90),
        receipt_less_refunds: rng.chance(80),
        auto_apply_credit: rng.chance(50),
        ..Policies::default()
    };
    let mut s = sim::settings(policies);
    s.default_terms = [
        PaymentTerms::Net(30),
        PaymentTerms::DueOnReceipt,
        PaymentTerms::EndOfMonthPlus(10),
    ][rng.index(3)];
    s.messages.from = Some("comptes@lapointe.example".into());
    s
}

fn book(
    settings: &StoreSettings,
    sim_store: FaultyStore,
    sim: (&RecordingMailer, &RecordingProvider),
) -> Book<FaultyStore> {
    Book::with_store(settings.clone(), sim_store)
        .with_mailer(sim.0.clone())
        .with_payment_provider(sim.1.clone())
}

impl Sim {
    fn new(seed: u64) -> Sim {
        let mut rng = Rng::new(seed);
        let settings = settings(&mut rng);
        let faults = Arc::new(Faults::default());
        *faults.rng.lock().unwrap() = Some(Rng::new(seed ^ 0xFA17));
        // Each seed its own rates: from a calm store to a very faulty one.
        for rate in [
            &faults.conflict,
            &faults.before,
            &faults.after,
            &faults.load,
        ] {
            rate.store(rng.below(12), Ordering::SeqCst);
        }
        let store = MemoryStore::new();
        let mailer = RecordingMailer::default();
        let provider = RecordingProvider::default();
        let faulty = FaultyStore {
            inner: store.clone(),
            faults: Arc::clone(&faults),
        };
        let book = book(&settings, faulty, (&mailer, &provider));
        let now = sim::start();
        for (i, account) in ACCOUNTS.into_iter().enumerate() {
            let mut customer =
                Customer::new(format!("cust-{account}"), format!("Client {account}"));
            customer.email = Some(format!("client-{}@example.com", account.to_lowercase()));
            customer.language = Some(["fr", "en"][i % 2].into());
            let limit = if rng.chance(15) {
                CreditLimit::Unlimited
            } else {
                CreditLimit::Amount(cents(rng.below(200_000) as i64))
            };
            book
                .open_account(
                    account,
                    &Operation::new(format!("open-{account}"), now)
                        .by(creditbook::Actor::new("manager")
                            .with(creditbook::Permission::CreditLimit)),
                    OpenAccount {
                        customer,
                        credit_limit: Some(limit),
                        terms: None,
                    },
                )
                .unwrap();
        }
        Sim {
            rng,
            settings,
            store,
            faults,
            mailer,
            provider,
            book,
            now,
            n: 0,
            truth: BTreeMap::new(),
            history: Vec::new(),
            pending: vec![Vec::new(); TILLS + 2],
            callbacks: Vec::new(),
            callbacks_made: 0,
            sends: BTreeMap::new(),
            stats: Stats::default(),
        }
    }

    /// A fresh Book on the same store and ports: the till software restarted.
    fn restart(&mut self) {
        let faulty = FaultyStore {
            inner: self.store.clone(),
            faults: Arc::clone(&self.faults),
        };
        self.book = book(&self.settings, faulty, (&self.mailer, &self.provider));
        self.stats.restarts += 1;
    }

    fn faults(&self, on: bool) {
        self.faults.on.store(on, Ordering::SeqCst);
    }

    fn today(&self) -> chrono::NaiveDate {
        self.settings.local_date(self.now)
    }

    fn entries(&self, account: &str) -> Vec<Entry> {
        self.store.load(account, 0).unwrap()
    }

    fn recorded(&self, account: &str, op_id: &str) -> Vec<Entry> {
        self.entries(account)
            .into_iter()
            .filter(|e| e.op_id == op_id)
            .collect()
    }

    fn next_id(&mut self, actor: usize) -> SmolStr {
        self.n += 1;
        format!(
            "{}-{}",
            ["till1", "till2", "till3", "office"][actor],
            self.n
        )
        .into()
    }

    // ---- one step ----

    fn step(&mut self) {
        self.stats.steps += 1;
        self.now += Duration::minutes(self.rng.below(60 * 20) as i64);
        // The mailer and the provider go down and come back.
        if self.rng.chance(5) {
            let down = !self.mailer.down.load(Ordering::SeqCst);
            self.mailer.set_down(down);
        }
        if self.rng.chance(5) {
            let down = !self.provider.down.load(Ordering::SeqCst);
            self.provider.down.store(down, Ordering::SeqCst);
        }
        // Slow: the mailer and the provider do the work, and answer too late.
        for late in [&self.mailer.late, &self.provider.late] {
            if self.rng.chance(3) {
                late.store(!late.load(Ordering::SeqCst), Ordering::SeqCst);
            }
        }
        if self.rng.chance(2) {
            self.restart();
        }
        let actor = self.rng.index(TILLS + 2);
        if actor == PROVIDER {
            self.callback();
            return;
        }
        if !self.pending[actor].is_empty() && self.rng.chance(70) {
            let i = self.rng.index(self.pending[actor].len());
            let op = self.pending[actor].swap_remove(i);
            self.stats.retries += 1;
            self.run(actor, op);
            return;
        }
        if !self.history.is_empty() && self.rng.chance(8) {
            self.replay();
            return;
        }
        let account = ACCOUNTS[self.rng.index(ACCOUNTS.len())];
        let action = if actor == BACK_OFFICE {
            self.office_action(account)
        } else {
            self.till_action(account)
        };
        let Some(action) = action else { return };
        let actor_id = if self.rng.chance(90) {
            manager()
        } else {
            clerk()
        };
        let op = Op {
            account,
            op: Operation::new(self.next_id(actor), self.now).by(actor_id),
            action,
        };
        self.history.push(op.clone());
        self.run(actor, op);
    }

    /// What the till sees of the account now (its screen), without faults.
    fn screen(&self, account: &str) -> (Decimal, Decimal, Option<Decimal>, Vec<u64>, Vec<Entry>) {
        // Read through a reader of the store, not the Book under test: reading catches a Book up
        // with the store, and a till does not always read before it acts.
        let reader = self.reader();
        let s = reader.summary(account, self.today()).unwrap();
        let open = reader.open_invoices(account, self.today()).unwrap();
        let entries = reader.entries(account).unwrap();
        (
            s.balance_owed,
            s.credit_balance,
            s.available,
            open.iter().map(|i| i.id).collect(),
            entries,
        )
    }

    /// A Book that only reads the store as it is, without faults.
    fn reader(&self) -> Book {
        Book::with_store(self.settings.clone(), self.store.clone())
    }

    /// An amount around `figure`: below it, at it, just above it, or anything.
    fn amount(&mut self, figure: Decimal) -> creditbook::Money {
        let c = (figure * Decimal::ONE_HUNDRED)
            .trunc()
            .try_into()
            .unwrap_or(0i64)
            .max(0);
        let n = match self.rng.below(6) {
            0 => c,
            1 => c + 1,
            2 | 3 => 1 + self.rng.below(c.max(1) as u64) as i64,
            _ => 1 + self.rng.below(60_000) as i64,
        };
        cad(n.max(1))
    }

    fn sale(&mut self) -> SmolStr {
        format!("S-{}", self.rng.below(12)).into()
    }

    fn pick_invoices(&mut self, open: &[u64]) -> Vec<u64> {
        if open.is_empty() || self.rng.chance(60) {
            return Vec::new();
        }
        (0..1 + self.rng.below(2))
            .map(|_| open[self.rng.index(open.len())])
            .collect()
    }

    fn till_action(&mut self, account: &'static str) -> Option<Action> {
        let (owed, credit, available, open, entries) = self.screen(account);
        let available = available.unwrap_or(cents(40_000));
        let command = match self.rng.below(20) {
            0..=6 => Command::Charge(Charge {
                amount: self.amount(available),
                sale: Some(self.sale()),
                due_date: None,
                override_reason: self.rng.chance(10).then(|| "regular customer".into()),
                invoice_number: None,
            }),
            7..=9 => Command::Payment(creditbook::Payment {
                amount: self.amount(owed),
                invoices: self.pick_invoices(&open),
                reference: Some("cash".into()),
            }),
            10 => Command::Deposit {
                amount: self.amount(cents(20_000)),
                reference: Some(self.sale()),
            },
            11 | 12 => Command::UseCredit {
                amount: self.amount(credit),
                sale: Some(self.sale()),
            },
            13 => Command::ApplyCredit {
                amount: self.amount(credit.min(owed)),
                invoices: self.pick_invoices(&open),
            },
            // Refunds race payments of the same sale.
            14..=16 => {
                let sale = self.sale();
                let paid = sim::sales(&entries)
                    .get(sale.as_str())
                    .map_or(Decimal::ZERO, |s| s.paid() - s.refunded);
                Command::RefundToCredit {
                    amount: self.amount(paid),
                    sale: if self.rng.chance(85) {
                        Some(sale)
                    } else {
                        None
                    },
                    sale_total: self.rng.chance(15).then(|| cad(10_000)),
                }
            }
            // Reusing an acknowledged id for something else.
            17 => {
                let acked: Vec<SmolStr> = self
                    .truth
                    .iter()
                    .filter(|((a, _), t)| *a == account && matches!(t, Truth::Acked(_)))
                    .map(|((_, id), _)| id.clone())
                    .filter(|id| !id.starts_with("online-"))
                    .collect();
                if acked.is_empty() {
                    return None;
                }
                let id = acked[self.rng.index(acked.len())].clone();
                self.reuse(account, id);
                return None;
            }
            _ => Command::Payment(creditbook::Payment::new(self.amount(owed))),
        };
        Some(Action::Execute(command))
    }

    fn office_action(&mut self, account: &'static str) -> Option<Action> {
        let (owed, credit, _, open, entries) = self.screen(account);
        let reason = || "back office".to_string();
        let command = match self.rng.below(22) {
            // Limit changes race the tills' charges.
            0..=2 => Command::SetCreditLimit(if self.rng.chance(10) {
                CreditLimit::Unlimited
            } else {
                CreditLimit::Amount(cents(self.rng.below(150_000) as i64))
            }),
            3 => Command::Hold {
                reason: Some("cheque bounced".into()),
            },
            4 | 5 => Command::Release,
            6 => Command::Adjust {
                direction: if self.rng.chance(50) {
                    Direction::Debit
                } else {
                    Direction::Credit
                },
                amount: self.amount(owed),
                reason: reason(),
            },
            7 if !open.is_empty() => Command::WriteOff {
                invoice: open[self.rng.index(open.len())],
                amount: self
                    .rng
                    .chance(50)
                    .then(|| self.amount(owed / Decimal::TWO)),
                reason: reason(),
            },
            8 => Command::Reverse {
                entry: 1 + self.rng.below(entries.len() as u64 + 1),
                reason: reason(),
            },
            9 => Command::RefundCredit {
                amount: self.amount(credit),
                method: Some("cash".into()),
            },
            10 => Command::Archive,
            11 | 12 => Command::Reactivate,
            13 => Command::SetTerms(
                self.rng
                    .chance(50)
                    .then(|| PaymentTerms::Net(self.rng.below(45) as u16)),
            ),
            14 => {
                let mut c = Customer::new(format!("cust-{account}"), format!("Client {account}"));
                c.email = Some(format!("client-{}@example.com", account.to_lowercase()));
                c.language = Some(["fr", "en", "de", "es", "nl"][self.rng.index(5)].into());
                Command::UpdateContact(c)
            }
            15..=17 => {
                let purpose = if self.rng.chance(60) {
                    LinkPurpose::Balance {
                        reference: format!("ST-{}", self.rng.below(100)).into(),
                    }
                } else {
                    LinkPurpose::Deposit { sale: self.sale() }
                };
                return Some(Action::Link(self.amount(owed), purpose));
            }
            18 | 19 if !open.is_empty() => {
                return Some(Action::SendInvoice(open[self.rng.index(open.len())]));
            }
            _ => Command::Payment(creditbook::Payment::new(self.amount(owed))),
        };
        Some(Action::Execute(command))
    }

    /// The provider reports a payment made through a link: now or later, once or twice.
    fn callback(&mut self) {
        if self.callbacks.is_empty() {
            return;
        }
        let i = self.rng.index(self.callbacks.len());
        let (account, confirmation) = if self.rng.chance(25) {
            self.stats.duplicate_confirmations += 1;
            self.callbacks[i].clone()
        } else {
            self.callbacks.swap_remove(i)
        };
        self.stats.confirmations += 1;
        let op = Op {
            account,
            op: Operation::new(
                format!("callback-{}", confirmation.provider_payment_id),
                confirmation.at,
            ),
            action: Action::Confirm(confirmation),
        };
        self.history.push(op.clone());
        self.run(PROVIDER, op);
    }

    /// Replays an earlier operation as it was (a till that did not hear the answer).
    fn replay(&mut self) {
        let op = self.history[self.rng.index(self.history.len())].clone();
        self.stats.replays += 1;
        let acked = op
            .recorded_id()
            .and_then(|id| self.truth.get(&(op.account, id)).cloned());
        self.faults(false);
        let before = self.entries(op.account).len();
        if let Some(Truth::Acked(first)) = acked {
            // A replay of an acknowledged operation changes nothing, whatever fails.
            let result = self.call(&op);
            self.faults(false);
            assert_eq!(
                self.entries(op.account).len(),
                before,
                "replay of {op:?} wrote"
            );
            match result {
                Ok(answer) => {
                    if !matches!(op.action, Action::SendInvoice(_)) {
                        assert!(answer.replayed, "replay of {op:?} not seen as one");
                    }
                    if let Some(entries) = answer.entries {
                        assert_eq!(entries, first, "replay of {op:?}");
                    }
                }
                Err(e) => assert!(ambiguous(&e), "replay of {op:?} refused: {e:?}"),
            }
            self.stats.calls += 1;
        } else {
            self.run(BACK_OFFICE, op);
        }
    }

    /// Reuses an acknowledged operation id for another operation: refused, nothing recorded.
    fn reuse(&mut self, account: &'static str, id: SmolStr) {
        let op = Op {
            account,
            op: Operation::new(id.clone(), self.now).by(manager()),
            action: Action::Execute(Command::Deposit {
                amount: cad(1 + self.rng.below(99) as i64),
                reference: Some("reused id".into()),
            }),
        };
        let first = self.recorded(account, &id);
        let before = self.entries(account).len();
        let result = self.call(&op);
        self.faults(false);
        assert_eq!(self.entries(account).len(), before, "reused {id} wrote");
        assert_eq!(self.recorded(account, &id), first);
        match result {
            Err(Error::OperationIdConflict { .. }) => {}
            Err(e) if ambiguous(&e) => {}
            // A deposit of the same amount and reference is the same operation.
            Ok(a) if a.replayed => {}
            other => panic!("reused {id}: {:?}", other.map(|a| a.entries)),
        }
        self.stats.calls += 1;
    }

    /// Calls the Book with faults on.
    fn call(&mut self, op: &Op) -> Result<Answer, Error> {
        self.faults.wrote_but_failed.store(false, Ordering::SeqCst);
        self.faults(true);
        let result = match &op.action {
            Action::Execute(command) => {
                self.book
                    .execute(op.account, &op.op, command)
                    .map(|o| Answer {
                        replayed: o.replayed,
                        entries: Some(o.entries),
                    })
            }
            Action::Link(amount, purpose) => {
                if self.provider.down.load(Ordering::SeqCst) {
                    self.stats.provider_faults += 1;
                } else if self.provider.late.load(Ordering::SeqCst) {
                    self.stats.late_provider += 1;
                }
                self.book
                    .payment_link(op.account, &op.op, *amount, purpose.clone())
                    .map(|l| Answer {
                        replayed: l.replayed,
                        entries: None,
                    })
            }
            Action::Confirm(c) => self.book.confirm_online_payment(op.account, c).map(|c| {
                for (m, sent) in [c.receipt, c.notice].into_iter().flatten() {
                    self.note_send(&m, &sent, 0);
                }
                Answer {
                    replayed: c.outcome.replayed,
                    entries: Some(c.outcome.entries),
                }
            }),
            Action::SendInvoice(invoice) => self.send_invoice(op, *invoice),
        };
        self.faults(false);
        result
    }

    fn send_invoice(&mut self, op: &Op, invoice: u64) -> Result<Answer, Error> {
        let message = self.book.compose_invoice_email(op.account, invoice, None)?;
        let delivered = self.mailer.delivered().len();
        if self.mailer.down.load(Ordering::SeqCst) {
            self.stats.mailer_faults += 1;
        } else if self.mailer.late.load(Ordering::SeqCst) {
            self.stats.late_mailer += 1;
        }
        let sent = self.book.send(&message, op.op.at);
        let now_delivered = self.mailer.delivered().len() - delivered;
        self.note_send(&message, &sent, now_delivered);
        sent.map(|s| Answer {
            replayed: s.already_delivered,
            entries: None,
        })
    }

    /// Counts a send: a delivery the store may have failed to record may go out again.
    fn note_send(
        &mut self,
        m: &Message,
        sent: &creditbook::Result<creditbook::Sent>,
        delivered: usize,
    ) {
        self.stats.sends += 1;
        let s = self.sends.entry(m.id.clone()).or_default();
        s.delivered += delivered;
        match sent {
            Err(e) if delivered > 0 && ambiguous(e) => s.unrecorded += 1,
            Err(Error::DeliveryFailed { code: 504, .. }) if delivered > 0 => s.late += 1,
            _ => {}
        }
    }

    /// Runs an operation for an actor and records what the test now knows of it.
    fn run(&mut self, actor: usize, op: Op) {
        self.stats.calls += 1;
        let result = self.call(&op);
        let wrote_but_failed = self.faults.wrote_but_failed.load(Ordering::SeqCst);
        let Some(id) = op.recorded_id() else {
            // A send: delivered, or failed and recorded, or to retry.
            match &result {
                Err(e) if ambiguous(e) => self.pending[actor].push(op),
                // A claim to send recorded by an attempt whose answer was lost still holds: the
                // till tries again once it has lapsed.
                Err(Error::InvalidState { reason }) if reason.ends_with("is being sent") => {
                    let mut later = op.clone();
                    later.op.at +=
                        chrono::Duration::minutes(creditbook::outreach::SEND_CLAIM_MINUTES + 1);
                    self.pending[actor].push(later);
                }
                Err(Error::DeliveryFailed { .. }) | Ok(_) => {}
                Err(e) => panic!("send of {op:?}: {e:?}"),
            }
            return;
        };
        let key = (op.account, id.clone());
        let recorded = self.recorded(op.account, &id);
        match result {
            Ok(answer) => {
                self.stats.acked += 1;
                assert!(!recorded.is_empty(), "{op:?} acknowledged but not recorded");
                if let Some(entries) = &answer.entries {
                    assert_eq!(entries, &recorded, "{op:?} acknowledged other entries");
                }
                if let Some(Truth::Acked(first)) = self.truth.get(&key) {
                    assert!(answer.replayed, "{op:?} recorded twice");
                    assert_eq!(first, &recorded);
                }
                if let Action::Link(..) = &op.action {
                    if !answer.replayed {
                        self.paid_later(op.account, &recorded);
                    }
                }
                self.truth.insert(key, Truth::Acked(recorded));
            }
            Err(e) if ambiguous(&e) => {
                self.stats.ambiguous += 1;
                if !matches!(self.truth.get(&key), Some(Truth::Acked(_))) {
                    self.truth.insert(key, Truth::Unknown);
                }
                self.pending[actor].push(op);
                if wrote_but_failed && self.rng.chance(30) {
                    // The till crashed between the write and hearing of it.
                    self.restart();
                }
            }
            Err(e) => {
                self.stats.refused += 1;
                assert!(
                    !matches!(self.truth.get(&key), Some(Truth::Acked(_))),
                    "{op:?} acknowledged before, refused now: {e:?}"
                );
                assert!(recorded.is_empty(), "{op:?} refused ({e:?}) but recorded");
                self.check_refusal(&op, &e);
                let provider_failed = matches!(e, Error::PaymentProviderFailed { .. });
                self.truth.insert(key, Truth::Refused(e));
                // The clerk asks for the link again (the provider may have made it already).
                if provider_failed && self.rng.chance(70) {
                    self.pending[actor].push(op);
                }
            }
        }
    }

    /// A link acknowledged: the customer pays it later (the provider calls back).
    fn paid_later(&mut self, account: &'static str, recorded: &[Entry]) {
        let Some(record) = recorded.iter().find_map(|e| match &e.kind {
            EntryKind::PaymentLinkCreated(r) => Some(r.clone()),
            _ => None,
        }) else {
            panic!("link recorded without its record: {recorded:?}");
        };
        if self.rng.chance(70) {
            self.callbacks_made += 1;
            self.callbacks.push((
                account,
                OnlinePaymentConfirmation {
                    provider_payment_id: format!("pp-{}", self.callbacks_made),
                    amount: creditbook::Money::new(record.amount, self.settings.currency),
                    at: self.now,
                    link: Some(record.reference.to_string()),
                },
            ));
        }
    }

    /// A refusal is the store's truth: a fresh Book on a copy of the account's entries, without
    /// faults, refuses the same operation the same way.
    fn check_refusal(&self, op: &Op, e: &Error) {
        if matches!(
            e,
            Error::PaymentProviderFailed { .. } | Error::DeliveryFailed { .. }
        ) {
            return;
        }
        let copy = MemoryStore::new();
        copy.append(op.account, 0, &self.entries(op.account))
            .unwrap();
        let probe = Book::with_store(self.settings.clone(), copy)
            .with_payment_provider(RecordingProvider::default());
        let again = match &op.action {
            Action::Execute(c) => probe.execute(op.account, &op.op, c).map(|_| ()),
            Action::Link(a, p) => probe
                .payment_link(op.account, &op.op, *a, p.clone())
                .map(|_| ()),
            Action::Confirm(c) => probe.confirm_online_payment(op.account, c).map(|_| ()),
            Action::SendInvoice(_) => return,
        };
        assert_eq!(
            again.as_ref().err(),
            Some(e),
            "{op:?} refused with {e:?}, but the store's entries say {again:?}"
        );
    }

    // ---- the invariants ----

    /// Every invariant, on the store as it is; `read`: the Book under test is read too (which
    /// catches it up with the store).
    fn check(&self, read: bool) {
        self.faults(false);
        let today = self.today();
        let reader = self.reader();
        // A link asked again is the same request: the provider can deduplicate it by reference.
        let mut requests: BTreeMap<String, PaymentLinkRequest> = BTreeMap::new();
        for r in self.provider.made() {
            match requests.get(&r.reference) {
                Some(first) => assert_eq!(first, &r, "one reference, two requests"),
                None => {
                    requests.insert(r.reference.clone(), r);
                }
            }
        }
        for account in ACCOUNTS {
            sim::check(&reader, account, today);
            if read {
                // A till reads its screen: the Book under test agrees with the store.
                sim::check_restart(&self.book, &self.store, account, today);
            }
            let entries = self.entries(account);
            let recorded: BTreeMap<&str, usize> = sim::op_ids(&entries).into_iter().collect();
            for ((a, id), truth) in &self.truth {
                if *a != account {
                    continue;
                }
                let mine: Vec<&Entry> = entries.iter().filter(|e| e.op_id == *id).collect();
                match truth {
                    Truth::Acked(first) => {
                        assert_eq!(mine, first.iter().collect::<Vec<_>>(), "{id} changed")
                    }
                    Truth::Refused(e) => assert!(mine.is_empty(), "{id} refused ({e:?}), recorded"),
                    Truth::Unknown => {}
                }
            }
            // Nothing recorded that nobody asked for.
            for id in recorded.keys() {
                let known = id.starts_with("open-")
                    || id.starts_with("message-")
                    || self.truth.contains_key(&(account, SmolStr::new(id)));
                assert!(known, "{id} recorded, never asked for");
            }
            // A message is recorded delivered at most once.
            let mut delivered: BTreeMap<&str, usize> = BTreeMap::new();
            for e in &entries {
                if let EntryKind::MessageSent(m) = &e.kind {
                    if matches!(m.delivery, Delivery::Delivered { .. }) {
                        *delivered.entry(&m.message_id).or_default() += 1;
                    }
                }
            }
            assert!(delivered.values().all(|n| *n == 1), "{delivered:?}");
            // Every link recorded was made by the provider, at the URL it gave.
            for e in &entries {
                if let EntryKind::PaymentLinkCreated(l) = &e.kind {
                    let url = format!("https://pay.example/{}", l.reference);
                    assert_eq!(l.url, url, "a link recorded with another URL");
                    assert!(
                        requests.contains_key(l.reference.as_str()),
                        "{} recorded, never asked of the provider",
                        l.reference
                    );
                }
            }
        }
        // The mailer delivered each message once, unless the store lost the record of a delivery.
        for (id, s) in &self.sends {
            assert!(
                s.delivered <= 1 + s.unrecorded + s.late,
                "{id} delivered {} times, {} unrecorded, {} late",
                s.delivered,
                s.unrecorded,
                s.late
            );
        }
    }

    /// The end of a run: every till retries what it does not know the fate of, until it knows.
    fn settle(&mut self) {
        for actor in 0..self.pending.len() {
            let mut tries = 0;
            while let Some(op) = self.pending[actor].pop() {
                tries += 1;
                assert!(tries < 1_000, "{op:?} never settles");
                self.run(actor, op);
            }
        }
        self.check(true);
        assert!(
            !self.truth.values().any(|t| matches!(t, Truth::Unknown)),
            "unsettled operations"
        );
    }
}

/// Runs one seed; returns what it did.
fn run_seed(seed: u64, steps: u64) -> Stats {
    let mut sim = Sim::new(seed);
    for _ in 0..steps {
        sim.step();
        let read = sim.rng.chance(20);
        sim.check(read);
    }
    sim.settle();
    sim.stats.store_faults = std::array::from_fn(|i| sim.faults.injected[i].load(Ordering::SeqCst));
    sim.stats
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
        })
        .unwrap_or(default)
}

#[test]
fn tills_and_back_office_under_faults_lose_and_double_nothing() {
    let steps = env("SIM_STEPS", 120);
    let seeds: Vec<u64> = match std::env::var("SIM_SEED") {
        Ok(s) => vec![s.parse().expect("SIM_SEED is a number")],
        Err(_) => {
            let first = env("SIM_FIRST", 1);
            (first..first + env("SIM_SEEDS", 2_000)).collect()
        }
    };
    let started = Instant::now();
    let mut total = Stats::default();
    for &seed in &seeds {
        match catch_unwind(AssertUnwindSafe(|| run_seed(seed, steps))) {
            Ok(stats) => total.add(&stats),
            Err(panic) => {
                eprintln!(
                    "simulation failed with seed {seed}: reproduce with \
                     SIM_SEED={seed} SIM_STEPS={steps} cargo test -p creditbook --test simulation"
                );
                std::panic::resume_unwind(panic);
            }
        }
    }
    let [conflicts, before, after, loads] = total.store_faults;
    eprintln!(
        "simulation: {} seeds x {steps} steps in {:.1?}: {} calls ({} acknowledged, {} refused, \
         {} store failures seen, {} retries, {} replays), {} restarts; store faults injected: \
         {conflicts} conflicts, {before} failures before writing, {after} after writing, {loads} \
         failed loads; {} calls with the mailer down, {} with the provider down, {} with the \
         mailer and {} with the provider answering too late; {} online confirmations ({} \
         duplicates), {} sends",
        seeds.len(),
        started.elapsed(),
        total.calls,
        total.acked,
        total.refused,
        total.ambiguous,
        total.retries,
        total.replays,
        total.restarts,
        total.mailer_faults,
        total.provider_faults,
        total.late_mailer,
        total.late_provider,
        total.confirmations,
        total.duplicate_confirmations,
        total.sends,
    );
    assert!(total.acked > 0);
}

// ---- what the simulation found, kept as plain regression tests ----

/// Seed 19 found it: a store that wrote a deposit but reported a failure left the Book's cache
/// behind the store, and the Book refused the next operation on the stale state (credit used or
/// applied: `InsufficientCredit`, though the store held the credit). A refusal is now decided on the
/// store's latest entries.
#[test]
fn a_refusal_after_a_write_reported_failed_is_decided_on_the_stores_entries() {
    let store = MemoryStore::new();
    let faults = Arc::new(Faults::default());
    *faults.rng.lock().unwrap() = Some(Rng::new(1));
    let faulty = FaultyStore {
        inner: store.clone(),
        faults: Arc::clone(&faults),
    };
    let book = Book::with_store(sim::settings(Policies::default()), faulty);
    sim::open(&book, "A", CreditLimit::Amount(cents(10_000)), sim::start());
    let at = sim::start();
    // The deposit is written, but the Book is told the store failed.
    faults.after.store(100, Ordering::SeqCst);
    faults.on.store(true, Ordering::SeqCst);
    let deposit = book.deposit("A", &Operation::new("d1", at), cad(5_000), None);
    faults.on.store(false, Ordering::SeqCst);
    assert!(matches!(deposit, Err(Error::StoreFailed { code: 73, .. })));
    assert_eq!(
        store.load("A", 0).unwrap().len(),
        2,
        "the deposit was written"
    );
    // The credit is in the store: using it is not refused.
    let used = book.use_credit("A", &Operation::new("u1", at), cad(3_000), Some("S-1"));
    assert!(used.is_ok(), "{used:?}");
    // And the deposit, retried, is the one recorded.
    let retried = book
        .deposit("A", &Operation::new("d1", at), cad(5_000), None)
        .unwrap();
    assert!(retried.replayed);
}

/// The same with two Books (two processes) on one store: the one that did not see the other's
/// deposit does not refuse to use the credit.
#[test]
fn a_book_behind_another_books_writes_does_not_refuse_on_what_it_missed() {
    let store = MemoryStore::new();
    let settings = sim::settings(Policies::default());
    let first = Book::with_store(settings.clone(), store.clone());
    let second = Book::with_store(settings, store.clone());
    sim::open(
        &first,
        "A",
        CreditLimit::Amount(cents(10_000)),
        sim::start(),
    );
    let at = sim::start();
    assert_eq!(
        first.summary("A", at.date_naive()).unwrap().credit_balance,
        Decimal::ZERO
    );
    second
        .deposit("A", &Operation::new("d1", at), cad(2_500), None)
        .unwrap();
    let used = first.use_credit("A", &Operation::new("u1", at), cad(2_000), Some("S-1"));
    assert!(used.is_ok(), "{used:?}");
    // A refusal still stands when the store agrees with it.
    let too_much = first.use_credit("A", &Operation::new("u2", at), cad(2_000), Some("S-2"));
    assert!(
        matches!(too_much, Err(Error::InsufficientCredit { .. })),
        "{too_much:?}"
    );
}
