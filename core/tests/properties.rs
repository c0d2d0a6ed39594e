//! Properties of a Book over random sequences of operations (design.md, "Tests"): every step is
//! run through a `Book` on a `MemoryStore` and every invariant is checked after it, whether the
//! operation was accepted, refused, replayed or reused an operation id.

mod sim;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use creditbook::{
    AccountSummary, Actor, AgingBuckets, Book, Charge, Command, CreditLimit, Direction, Entry,
    EntryKind, Error, MemoryStore, Money, Operation, Outcome, Payment, PaymentTerms, Policies,
    Store,
};
use proptest::prelude::*;
use proptest::sample::Index;
use rust_decimal::{Decimal, RoundingStrategy};
use smol_str::SmolStr;

use sim::{cad, cents, check, check_restart, clerk, manager, op_ids, settings, start};

const ACCOUNT: &str = "C-1";
/// Sales S-0 .. S-4: few enough that charges, tenders and refunds meet on the same sale.
const SALES: u8 = 5;

#[derive(Debug, Clone)]
enum Step {
    Charge {
        amount: Amount,
        sale: Option<u8>,
        overriding: bool,
        due_in_days: Option<i64>,
    },
    Pay {
        amount: Amount,
        invoices: Vec<Index>,
    },
    Deposit {
        amount: Amount,
    },
    UseCredit {
        amount: Amount,
        sale: Option<u8>,
    },
    ApplyCredit {
        amount: Amount,
        invoices: Vec<Index>,
    },
    RefundToCredit {
        amount: Amount,
        sale: Option<u8>,
        sale_total: Option<i64>,
    },
    RefundCredit {
        amount: Amount,
    },
    Reverse {
        entry: Index,
    },
    Adjust {
        debit: bool,
        amount: Amount,
    },
    WriteOff {
        invoice: Index,
        amount: Option<Amount>,
    },
    SetLimit {
        cents: Option<i64>,
    },
    Hold,
    Release,
    Archive,
    Reactivate,
    /// The same operation id with the same content, maybe re-stamped by another till.
    Replay {
        which: Index,
        restamp: bool,
    },
    /// The same operation id with other content.
    ReuseId {
        which: Index,
    },
}

#[derive(Debug, Clone)]
struct Tick {
    hours: i64,
    /// The actor holds every permission (else none).
    manager: bool,
    /// Reuse the id of an operation refused earlier (refusals record no id).
    retry_refused: Option<Index>,
    /// Days from today of a date to age the account on.
    as_of_days: i64,
    step: Step,
}

#[derive(Debug, Clone)]
struct Case {
    policies: Policies,
    terms: PaymentTerms,
    buckets: Vec<u32>,
    limit: Option<i64>,
    ticks: Vec<Tick>,
}

/// An amount: in cents, or a share of the figure the operation is about (what is owed, the credit
/// balance, what is available...) so that amounts meet the boundaries exactly (100 %) and cross them.
#[derive(Debug, Clone, Copy)]
enum Amount {
    Cents(i64),
    Percent(u8),
}

impl Amount {
    fn of(self, figure: Decimal) -> Money {
        match self {
            Amount::Cents(c) => cad(c),
            Amount::Percent(p) => {
                let share = figure * Decimal::from(p) / Decimal::ONE_HUNDRED;
                let share = share.round_dp_with_strategy(2, RoundingStrategy::ToZero);
                Money::new(share, cad(0).currency)
            }
        }
    }
}

fn amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        8 => (1..=20_000i64).prop_map(Amount::Cents),
        2 => (20_000..=120_000i64).prop_map(Amount::Cents),
        1 => (-1_000..=0i64).prop_map(Amount::Cents),
        6 => prop_oneof![Just(100u8), 1..=110u8].prop_map(Amount::Percent),
    ]
}

fn sale() -> impl Strategy<Value = Option<u8>> {
    prop::option::weighted(0.7, 0..SALES)
}

fn invoices() -> impl Strategy<Value = Vec<Index>> {
    prop_oneof![2 => Just(vec![]), 1 => prop::collection::vec(any::<Index>(), 1..3)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        10 => (amount(), sale(), prop::bool::weighted(0.2), prop::option::weighted(0.1, -2..60i64))
            .prop_map(|(amount, sale, overriding, due_in_days)| Step::Charge {
                amount, sale, overriding, due_in_days
            }),
        5 => (amount(), invoices()).prop_map(|(amount, invoices)| Step::Pay { amount, invoices }),
        3 => amount().prop_map(|amount| Step::Deposit { amount }),
        2 => (amount(), sale()).prop_map(|(amount, sale)| Step::UseCredit { amount, sale }),
        2 => (amount(), invoices())
            .prop_map(|(amount, invoices)| Step::ApplyCredit { amount, invoices }),
        4 => (amount(), sale(), prop::option::weighted(0.3, 0..=50_000i64))
            .prop_map(|(amount, sale, sale_total)| Step::RefundToCredit { amount, sale, sale_total }),
        1 => amount().prop_map(|amount| Step::RefundCredit { amount }),
        4 => any::<Index>().prop_map(|entry| Step::Reverse { entry }),
        2 => (any::<bool>(), amount()).prop_map(|(debit, amount)| Step::Adjust { debit, amount }),
        2 => (any::<Index>(), prop::option::weighted(0.5, amount()))
            .prop_map(|(invoice, amount)| Step::WriteOff { invoice, amount }),
        2 => prop::option::weighted(0.9, 0..=300_000i64).prop_map(|cents| Step::SetLimit { cents }),
        1 => Just(Step::Hold),
        3 => Just(Step::Release),
        1 => Just(Step::Archive),
        3 => Just(Step::Reactivate),
        4 => (any::<Index>(), any::<bool>())
            .prop_map(|(which, restamp)| Step::Replay { which, restamp }),
        1 => any::<Index>().prop_map(|which| Step::ReuseId { which }),
    ]
}

fn tick() -> impl Strategy<Value = Tick> {
    (
        prop_oneof![6 => 0..=6i64, 3 => 6..=72i64, 1 => 72..=24 * 40i64],
        prop::bool::weighted(0.8),
        prop::option::weighted(0.1, any::<Index>()),
        -120..=150i64,
        step(),
    )
        .prop_map(|(hours, manager, retry_refused, as_of_days, step)| Tick {
            hours,
            manager,
            retry_refused,
            as_of_days,
            step,
        })
}

fn case() -> impl Strategy<Value = Case> {
    let policies = (
        prop::sample::select(vec![0i64, 500, 1000, 1250]),
        any::<bool>(),
        prop::option::weighted(0.3, 0..40u32),
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.9),
    )
        .prop_map(|(tolerance, auto, hold, receipt_less, refunds)| Policies {
            over_limit_tolerance_percent: Decimal::new(tolerance, 2),
            overdue_hold_days: hold,
            refunds_to_credit: refunds,
            receipt_less_refunds: receipt_less,
            auto_apply_credit: auto,
            ..Policies::default()
        });
    let terms = prop::sample::select(vec![
        PaymentTerms::Net(30),
        PaymentTerms::DueOnReceipt,
        PaymentTerms::EndOfMonthPlus(10),
        PaymentTerms::Net(7),
    ]);
    let buckets = prop::sample::select(vec![vec![30, 60, 90], vec![30, 60, 90, 120], vec![7, 14]]);
    (
        policies,
        terms,
        buckets,
        prop::option::weighted(0.85, 0..=300_000i64),
        prop::collection::vec(tick(), 1..60),
    )
        .prop_map(|(policies, terms, buckets, limit, ticks)| Case {
            policies,
            terms,
            buckets,
            limit,
            ticks,
        })
}

fn limit(cents_or_unlimited: Option<i64>) -> CreditLimit {
    cents_or_unlimited.map_or(CreditLimit::Unlimited, |c| CreditLimit::Amount(cents(c)))
}

/// An invoice number among every invoice ever opened, or one that does not exist.
fn pick_invoice(entries: &[Entry], index: &Index) -> u64 {
    let ids: Vec<u64> = entries
        .iter()
        .filter(|e| e.kind.opens_invoice().is_some())
        .map(|e| e.seq)
        .collect();
    ids.get(index.index(ids.len() + 1))
        .copied()
        .unwrap_or(9_999)
}

fn sale_ref(sale: Option<u8>) -> Option<SmolStr> {
    sale.map(|s| SmolStr::new(format!("S-{s}")))
}

/// The command a step asks for of the account as it is.
fn command(step: &Step, book: &Book, today: NaiveDate) -> Command {
    let entries = book.entries(ACCOUNT).unwrap();
    let now = book.summary(ACCOUNT, today).unwrap();
    let (owed, credit) = (now.balance_owed, now.credit_balance);
    let invoices = |picks: &[Index]| picks.iter().map(|i| pick_invoice(&entries, i)).collect();
    let reason = || "counted twice at the till".to_string();
    match step {
        Step::Charge {
            amount,
            sale,
            overriding,
            due_in_days,
        } => Command::Charge(Charge {
            amount: amount.of(now.available.unwrap_or(cents(50_000))),
            sale: sale_ref(*sale),
            due_date: due_in_days.map(|d| today + Duration::days(d)),
            override_reason: overriding.then(|| "long-time customer".to_string()),
            invoice_number: None,
        }),
        Step::Pay {
            amount,
            invoices: i,
        } => Command::Payment(Payment {
            amount: amount.of(owed),
            invoices: invoices(i),
            reference: Some("cheque 1042".into()),
        }),
        Step::Deposit { amount } => Command::Deposit {
            amount: amount.of(owed),
            reference: None,
        },
        Step::UseCredit { amount, sale } => Command::UseCredit {
            amount: amount.of(credit),
            sale: sale_ref(*sale),
        },
        Step::ApplyCredit {
            amount,
            invoices: i,
        } => Command::ApplyCredit {
            amount: amount.of(credit.min(owed)),
            invoices: invoices(i),
        },
        Step::RefundToCredit {
            amount,
            sale,
            sale_total,
        } => {
            let sale = sale_ref(*sale);
            let sales = sim::sales(&entries);
            let refundable = sale
                .as_deref()
                .and_then(|s| sales.get(s))
                .map_or(credit, |s| s.paid() - s.refunded);
            Command::RefundToCredit {
                amount: amount.of(refundable),
                sale,
                sale_total: sale_total.map(cad),
            }
        }
        Step::RefundCredit { amount } => Command::RefundCredit {
            amount: amount.of(credit),
            method: Some("cash".into()),
        },
        Step::Reverse { entry } => Command::Reverse {
            entry: entry.index(entries.len() + 1) as u64 + 1,
            reason: reason(),
        },
        Step::Adjust { debit, amount } => Command::Adjust {
            direction: if *debit {
                Direction::Debit
            } else {
                Direction::Credit
            },
            amount: amount.of(owed),
            reason: reason(),
        },
        Step::WriteOff { invoice, amount } => {
            let invoice = pick_invoice(&entries, invoice);
            let open = book.open_invoices(ACCOUNT, today).unwrap();
            let remaining = open.iter().find(|i| i.id == invoice).map(|i| i.remaining);
            Command::WriteOff {
                invoice,
                amount: amount.map(|a| a.of(remaining.unwrap_or_default())),
                reason: "customer moved away".into(),
            }
        }
        Step::SetLimit { cents } => Command::SetCreditLimit(limit(*cents)),
        Step::Hold => Command::Hold {
            reason: Some("cheque bounced".into()),
        },
        Step::Release => Command::Release,
        Step::Archive => Command::Archive,
        Step::Reactivate => Command::Reactivate,
        Step::Replay { .. } | Step::ReuseId { .. } => unreachable!("not a new operation"),
    }
}

/// One run: the Book, the clock, and what the run has seen.
struct Run {
    book: Book,
    now: DateTime<Utc>,
    accepted: Vec<(Operation, Command, Outcome)>,
    refused: Vec<SmolStr>,
    /// The summary at the end of each day, as it was that day.
    days: BTreeMap<NaiveDate, AccountSummary>,
}

impl Run {
    fn today(&self) -> NaiveDate {
        self.book.settings().local_date(self.now)
    }

    fn entries(&self) -> Vec<Entry> {
        self.book.entries(ACCOUNT).unwrap()
    }

    fn summary(&self) -> AccountSummary {
        self.book.summary(ACCOUNT, self.today()).unwrap()
    }

    /// Runs an operation that must change nothing and returns its result.
    fn unchanged(&self, op: &Operation, command: &Command) -> creditbook::Result<Outcome> {
        let (entries, summary) = (self.entries(), self.summary());
        let result = self.book.execute(ACCOUNT, op, command);
        assert_eq!(self.entries(), entries, "{command:?} -> {result:?}");
        assert_eq!(self.summary(), summary);
        result
    }

    fn tick(&mut self, n: usize, t: &Tick) {
        self.now += Duration::hours(t.hours);
        let actor = if t.manager { manager() } else { clerk() };
        match &t.step {
            Step::Replay { which, restamp } => {
                let Some((op, command, first)) = self.pick(which) else {
                    return;
                };
                let op = if *restamp {
                    Operation::new(op.op_id, self.now).by(actor)
                } else {
                    op
                };
                let again = self.unchanged(&op, &command).unwrap();
                assert!(again.replayed);
                assert_eq!(again.entries, first.entries);
            }
            Step::ReuseId { which } => {
                let Some((op, _, _)) = self.pick(which) else {
                    return;
                };
                let other = Command::Deposit {
                    amount: cad(1),
                    reference: Some("reused id".into()),
                };
                let op = Operation::new(op.op_id.clone(), self.now).by(actor);
                let refused = self.unchanged(&op, &other).unwrap_err();
                assert_eq!(
                    refused,
                    Error::OperationIdConflict {
                        op_id: op.op_id.to_string()
                    }
                );
            }
            step => self.new_operation(n, t, step, actor),
        }
    }

    fn pick(&self, which: &Index) -> Option<(Operation, Command, Outcome)> {
        if self.accepted.is_empty() {
            return None;
        }
        Some(self.accepted[which.index(self.accepted.len())].clone())
    }

    fn new_operation(&mut self, n: usize, t: &Tick, step: &Step, actor: Actor) {
        let retried = t
            .retry_refused
            .filter(|_| !self.refused.is_empty())
            .map(|i| self.refused.swap_remove(i.index(self.refused.len())));
        let op_id = retried.unwrap_or_else(|| SmolStr::new(format!("op-{n}")));
        let op = Operation::new(op_id.clone(), self.now).by(actor.clone());
        let before = self.entries();
        let command = command(step, &self.book, self.today());
        let lifted = match &command {
            Command::Charge(c) if c.override_reason.is_some() => {
                self.refused_without_override(&op, c)
            }
            _ => None,
        };
        match self.book.execute(ACCOUNT, &op, &command) {
            Ok(outcome) => {
                assert!(!outcome.replayed);
                let after = self.entries();
                assert_eq!(after[..before.len()], before[..], "history changed");
                assert_eq!(after[before.len()..], outcome.entries[..]);
                assert!(!outcome.entries.is_empty());
                for (i, e) in outcome.entries.iter().enumerate() {
                    assert_eq!(e.seq, (before.len() + 1 + i) as u64);
                    assert_eq!(e.op_id, op_id);
                    assert_eq!(e.op_digest, command.digest());
                    assert_eq!(e.date, self.today());
                    assert_eq!(e.actor.as_ref(), Some(&actor.id));
                }
                if let (
                    Some(lifted),
                    EntryKind::Charge {
                        override_reason, ..
                    },
                ) = (lifted, &outcome.entry().kind)
                {
                    assert_eq!(override_reason.is_some(), lifted, "{outcome:?}");
                }
                self.accepted.push((op, command, outcome));
            }
            Err(e) => {
                assert!(
                    !matches!(
                        e,
                        Error::CorruptRecord { .. }
                            | Error::StoreFailed { .. }
                            | Error::StoreContention { .. }
                            | Error::Overflow
                            | Error::OperationIdConflict { .. }
                            | Error::UnknownAccount { .. }
                    ),
                    "{command:?} -> {e:?}"
                );
                assert_eq!(self.entries(), before, "refused {command:?} recorded");
                self.refused.push(op_id);
            }
        }
    }

    /// Whether the same charge without its override would be refused for the limit or a credit
    /// hold (`None`: for another reason), asked of a copy of the account: an override is recorded
    /// when it lifted such a refusal, and only then.
    fn refused_without_override(&self, op: &Operation, charge: &Charge) -> Option<bool> {
        let copy = MemoryStore::new();
        copy.append(ACCOUNT, 0, &self.entries()).unwrap();
        let probe = Book::with_store(self.book.settings().clone(), copy);
        let plain = Charge {
            override_reason: None,
            ..charge.clone()
        };
        match probe.charge(ACCOUNT, op, plain) {
            Ok(_) => Some(false),
            Err(Error::CreditLimitExceeded { .. } | Error::OverdueCreditHold { .. }) => Some(true),
            Err(_) => None,
        }
    }

    /// Every invariant, after every step.
    fn check(&mut self, t: &Tick) {
        let today = self.today();
        let summary = check(&self.book, ACCOUNT, today);
        check_restart(&self.book, self.book.store(), ACCOUNT, today);
        self.days.insert(today, summary);
        op_ids(&self.entries());

        // Aging on any date sums to that date's balance owed.
        let as_of = today + Duration::days(t.as_of_days);
        match (
            self.book.summary(ACCOUNT, as_of),
            self.book.aging(ACCOUNT, as_of),
        ) {
            (Ok(s), Ok(a)) => assert_eq!(a.total().unwrap(), s.balance_owed, "{a:#?}"),
            (Err(e), Err(f)) => {
                assert_eq!(e, f);
                assert!(matches!(e, Error::UnknownAccount { .. }), "{e:?}");
            }
            other => panic!("summary and aging disagree: {other:?}"),
        }
    }

    /// The figures of every past day are still the figures that day had, also after a restart.
    fn check_history(&self) {
        let fresh = Book::with_store(self.book.settings().clone(), self.book.store().clone());
        for (day, seen) in &self.days {
            assert_eq!(&self.book.summary(ACCOUNT, *day).unwrap(), seen, "{day}");
            assert_eq!(&fresh.summary(ACCOUNT, *day).unwrap(), seen, "{day}");
        }
    }
}

fn run(case: &Case) {
    let mut s = settings(case.policies.clone());
    s.default_terms = case.terms;
    s.aging = AgingBuckets::new(case.buckets.clone()).unwrap();
    let book = Book::new(s);
    sim::open(&book, ACCOUNT, limit(case.limit), start());
    let mut run = Run {
        book,
        now: start(),
        accepted: Vec::new(),
        refused: Vec::new(),
        days: BTreeMap::new(),
    };
    for (n, t) in case.ticks.iter().enumerate() {
        run.tick(n, t);
        run.check(t);
    }
    run.check_history();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn every_invariant_holds_after_every_operation(case in case()) {
        run(&case);
    }
}

/// Found by the properties: reversing what paid for a sale (a tender, a charge) after the sale was
/// refunded left the refund without its payment, and made store credit out of nothing.
#[test]
fn what_paid_for_a_refunded_sale_is_not_reversed() {
    let book = Book::new(settings(Policies::default()));
    let at = start();
    sim::open(&book, ACCOUNT, CreditLimit::Unlimited, at);
    let op = |id: &str| Operation::new(id, at).by(manager());
    book.deposit(ACCOUNT, &op("d"), cad(38_672), None).unwrap();
    let tender = book
        .use_credit(ACCOUNT, &op("t"), cad(38_672), Some("S-3"))
        .unwrap();
    book.refund_to_credit(ACCOUNT, &op("r3"), cad(11_631), Some("S-3"), None)
        .unwrap();
    let charge = Charge::new(cad(10_000)).sale("S-1");
    let charge = book.charge(ACCOUNT, &op("c"), charge).unwrap();
    let paid = book
        .pay(ACCOUNT, &op("p"), Payment::new(cad(10_000)))
        .unwrap();
    book.refund_to_credit(ACCOUNT, &op("r1"), cad(10_000), Some("S-1"), None)
        .unwrap();
    book.reverse(ACCOUNT, &op("undo-p"), paid.entry().seq, "bounced")
        .unwrap();
    for (id, entry) in [
        ("undo-t", tender.entry().seq),
        ("undo-c", charge.entry().seq),
    ] {
        let refused = book
            .reverse(ACCOUNT, &op(id), entry, "mistake")
            .unwrap_err();
        assert!(
            matches!(refused, Error::NotReversible { .. }),
            "{refused:?}"
        );
    }
    check(&book, ACCOUNT, at.date_naive());
}
