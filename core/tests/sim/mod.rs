//! What the property and concurrency tests share: a store's settings, its actors, money in cents,
//! and the invariants every account must satisfy after any operation, checked from outside the
//! Book (through its public reads and the raw entries) so that a wrong fold cannot vouch for itself.
#![allow(dead_code)] // each test binary uses its own part

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use creditbook::{
    AccountSummary, ActivityQuery, Actor, Book, CreditLimit, Customer, Entry, EntryKind,
    MemoryStore, Money, OpenAccount, Operation, Outcome, Permission, Policies, Store,
    StoreSettings,
};
use rust_decimal::Decimal;

/// A store in a time zone with daylight saving time, so that instants and business dates differ.
pub fn settings(policies: Policies) -> StoreSettings {
    let mut s = StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Toronto").unwrap();
    s.policies = policies;
    s
}

/// The first instant of every run.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 15, 0, 0).unwrap()
}

/// An amount in cents.
pub fn cents(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

/// An amount in cents of the store's currency.
pub fn cad(n: i64) -> Money {
    Money::new(cents(n), settings(Policies::default()).currency)
}

/// An employee granted every permission.
pub fn manager() -> Actor {
    Permission::ALL
        .into_iter()
        .fold(Actor::new("emp-manager"), Actor::with)
}

/// An employee granted nothing.
pub fn clerk() -> Actor {
    Actor::new("emp-clerk")
}

/// Opens `account` with a credit limit.
pub fn open<S: Store>(
    book: &Book<S>,
    account: &str,
    limit: CreditLimit,
    at: DateTime<Utc>,
) -> Outcome {
    let open = OpenAccount {
        customer: Customer::new(format!("cust-{account}"), format!("Customer {account}")),
        credit_limit: Some(limit),
        terms: None,
    };
    book.open_account(
        account,
        &Operation::new(format!("open-{account}"), at)
            .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        open,
    )
    .unwrap()
}

/// The operation ids recorded on an account, each with the number of its entries, in ledger order.
pub fn op_ids(entries: &[Entry]) -> Vec<(&str, usize)> {
    let mut out: Vec<(&str, usize)> = Vec::new();
    for e in entries {
        match out.last_mut() {
            Some((id, n)) if *id == e.op_id => *n += 1,
            _ => out.push((&e.op_id, 1)),
        }
    }
    let distinct: BTreeSet<&str> = out.iter().map(|(id, _)| *id).collect();
    assert_eq!(distinct.len(), out.len(), "an operation id recorded twice");
    out
}

/// Checks every invariant of the account on `as_of` (a date on or after its last entry) and
/// returns its summary.
pub fn check<S: Store>(book: &Book<S>, account: &str, as_of: NaiveDate) -> AccountSummary {
    let summary = book.summary(account, as_of).unwrap();
    let entries = book.entries(account).unwrap();
    let owed = summary.balance_owed;
    let credit = summary.credit_balance;
    assert!(owed >= Decimal::ZERO, "balance owed {owed} < 0");
    assert!(credit >= Decimal::ZERO, "credit balance {credit} < 0");

    // Balance owed = sum of the remaining amounts of the open invoices.
    let open = book.open_invoices(account, as_of).unwrap();
    let remaining: Decimal = open.iter().map(|i| i.remaining).sum();
    assert_eq!(owed, remaining, "balance owed vs open invoices {open:#?}");
    assert_eq!(summary.open_invoices, open.len());
    for i in &open {
        assert!(
            i.remaining > Decimal::ZERO && i.remaining <= i.amount,
            "{i:?}"
        );
    }
    let overdue: Decimal = open
        .iter()
        .filter(|i| i.days_past_due > 0)
        .map(|i| i.remaining)
        .sum();
    assert_eq!(summary.overdue, overdue);
    assert_eq!(
        summary.available,
        summary
            .credit_limit
            .amount()
            .map(|l| (l - owed).max(Decimal::ZERO))
    );

    // Conservation: the balances are the sum of the entries' effects, each on its own.
    let (mut sum_owed, mut sum_credit) = (Decimal::ZERO, Decimal::ZERO);
    for e in &entries {
        let x = e.effect().unwrap();
        sum_owed += x.owed;
        sum_credit += x.credit;
    }
    assert_eq!((owed, credit), (sum_owed, sum_credit), "fold vs effects");
    assert_eq!(owed - credit, sum_owed - sum_credit);

    check_charges(&entries, book.settings());
    check_sales(&entries);

    // Aging buckets sum to the balance owed.
    let aging = book.aging(account, as_of).unwrap();
    assert_eq!(aging.total().unwrap(), owed, "aging {aging:#?}");
    assert!(aging.buckets.iter().all(|b| b.amount >= Decimal::ZERO));

    // The activity's running balances end on the summary's figures.
    let opened_on = entries[0].date;
    let lines = book
        .activity(account, &ActivityQuery::between(opened_on, as_of))
        .unwrap();
    assert_eq!(lines.len(), entries.len());
    let last = lines.last().unwrap();
    assert_eq!((last.owed_after, last.credit_after), (owed, credit));
    summary
}

/// Never over the limit without a recorded override, and an override recorded only when used:
/// walks the charges with the balance owed after each and the limit in force then.
fn check_charges(entries: &[Entry], settings: &StoreSettings) {
    let pct = settings.policies.over_limit_tolerance_percent;
    let mut limit = CreditLimit::Unlimited;
    let mut owed = Decimal::ZERO;
    for e in entries {
        owed += e.effect().unwrap().owed;
        match &e.kind {
            EntryKind::AccountOpened(o) => limit = o.credit_limit,
            EntryKind::CreditLimitChanged { old, new } => {
                assert_eq!(*old, limit, "entry {} records the old limit", e.seq);
                limit = *new;
            }
            EntryKind::Charge {
                override_reason, ..
            } => {
                let ceiling = limit
                    .amount()
                    .map(|l| l * (Decimal::ONE_HUNDRED + pct) / Decimal::ONE_HUNDRED);
                if ceiling.is_some_and(|c| owed > c) {
                    assert!(
                        override_reason.is_some(),
                        "over {ceiling:?} unrecorded: {e:?}"
                    );
                }
                // Recorded only when it lifted a refusal: the limit, or a credit hold.
                let over_limit = limit.amount().is_some_and(|l| owed > l);
                let hold = settings.policies.overdue_hold_days.is_some();
                if override_reason.is_some() {
                    assert!(over_limit || hold, "override recorded but not used: {e:?}");
                }
            }
            _ => {}
        }
    }
}

/// What the entries say of one sale: paid for it through the account (charges and tenders), the
/// largest total a caller declared for it, and what was refunded, net of reversals.
#[derive(Debug, Default)]
pub struct Sale {
    pub paid: Decimal,
    pub declared: Option<Decimal>,
    pub refunded: Decimal,
}

impl Sale {
    /// What was paid for the sale: what the account saw, or the declared total when larger.
    pub fn paid(&self) -> Decimal {
        self.declared.map_or(self.paid, |t| t.max(self.paid))
    }
}

/// Every sale the entries name, folded here rather than by the library.
pub fn sales(entries: &[Entry]) -> BTreeMap<String, Sale> {
    let mut sales: BTreeMap<String, Sale> = BTreeMap::new();
    fn sale<'a>(sales: &'a mut BTreeMap<String, Sale>, s: &str) -> &'a mut Sale {
        sales.entry(s.to_string()).or_default()
    }
    for e in entries {
        match &e.kind {
            EntryKind::Charge {
                amount,
                sale: Some(s),
                ..
            }
            | EntryKind::CreditTender {
                amount,
                sale: Some(s),
            } => sale(&mut sales, s).paid += amount,
            EntryKind::RefundToCredit {
                amount,
                sale: Some(s),
                sale_total,
                ..
            } => {
                let rec = sale(&mut sales, s);
                rec.refunded += amount;
                rec.declared = rec.declared.max(*sale_total);
            }
            EntryKind::Reversal(r) => {
                if let Some(d) = &r.sale {
                    let rec = sale(&mut sales, &d.sale);
                    rec.paid += d.paid;
                    rec.refunded += d.refunded;
                }
            }
            _ => {}
        }
    }
    sales
}

/// What was refunded for a sale never exceeds what was paid for it.
fn check_sales(entries: &[Entry]) {
    for (s, sale) in sales(entries) {
        assert!(sale.paid >= Decimal::ZERO, "{s}: {sale:?}");
        assert!(sale.refunded >= Decimal::ZERO, "{s}: {sale:?}");
        assert!(
            sale.refunded <= sale.paid(),
            "{s} refunded beyond paid: {sale:?}"
        );
    }
}

/// A fresh Book on the store's entries (a restart) folds the same entries and figures.
pub fn check_restart<S: Store>(
    book: &Book<S>,
    store: &MemoryStore,
    account: &str,
    as_of: NaiveDate,
) {
    let fresh = Book::with_store(book.settings().clone(), store.clone());
    assert_eq!(
        fresh.entries(account).unwrap(),
        book.entries(account).unwrap()
    );
    assert_eq!(
        fresh.summary(account, as_of).unwrap(),
        book.summary(account, as_of).unwrap()
    );
    assert_eq!(
        fresh.open_invoices(account, as_of).unwrap(),
        book.open_invoices(account, as_of).unwrap()
    );
}
