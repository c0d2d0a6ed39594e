//! Shared helpers for creditbook's integration tests: a shop with a clock, money, dates, actors.
//!
//! Every test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use std::cell::Cell;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use creditbook::{
    AccountSummary, Actor, Book, Charge, CreditLimit, Currency, Customer, Direction, EntryType,
    Error, MemoryStore, Money, OpenAccount, Operation, Outcome, Payment, PaymentTerms, Permission,
    PostalAddress, Result, StoreSettings,
};
use rust_decimal::Decimal;

/// The account most tests work on.
pub const ACCOUNT: &str = "A-1";

/// The store's time zone.
pub const ZONE: chrono_tz::Tz = chrono_tz::America::Montreal;

/// An exact decimal (`"12.50"`), panicking on typos.
pub fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap_or_else(|e| panic!("bad decimal {text:?}: {e}"))
}

/// The store's currency.
pub fn cad() -> Currency {
    Currency::from_code("CAD").unwrap()
}

/// An amount in CAD, unchecked (so tests can hand the library bad amounts too).
pub fn money(text: &str) -> Money {
    Money::new(dec(text), cad())
}

/// An amount in another currency than the store's.
pub fn eur(text: &str) -> Money {
    Money::new(dec(text), Currency::from_code("EUR").unwrap())
}

/// A calendar date.
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An instant given in UTC.
pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
}

/// An instant given as the store's local wall-clock time (must not be ambiguous).
pub fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    ZONE.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// Noon, store time, on a date.
pub fn noon(date: NaiveDate) -> DateTime<Utc> {
    ZONE.from_local_datetime(&date.and_hms_opt(12, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// An employee with every permission.
pub fn manager() -> Actor {
    Permission::ALL
        .into_iter()
        .fold(Actor::new("manager"), Actor::with)
}

/// An employee without any permission.
pub fn clerk() -> Actor {
    Actor::new("clerk")
}

/// An employee with exactly one permission.
pub fn only(permission: Permission) -> Actor {
    Actor::new(format!("has-{permission}")).with(permission)
}

/// The store's settings: CAD, Montreal, net 30, default policies.
pub fn settings() -> StoreSettings {
    StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Montreal").unwrap()
}

/// The date accounts are opened on in most tests.
pub fn opening_day() -> NaiveDate {
    day(2026, 3, 2)
}

/// Opening an account for a customer with a limit and the store's terms.
pub fn open_request(name: &str, limit: CreditLimit) -> OpenAccount {
    OpenAccount {
        customer: Customer::new(format!("cust-{name}"), name),
        credit_limit: Some(limit),
        terms: None,
    }
}

/// A limit of an amount in CAD.
pub fn limit(text: &str) -> CreditLimit {
    CreditLimit::Amount(dec(text))
}

/// A Book with a clock: operations happen at noon, store time, on the clock's date, by a manager
/// unless said otherwise, with operation ids `op-1`, `op-2`... (deterministic, so a scenario
/// always records the same entries). Shortcuts act on the selected account, [`ACCOUNT`] at first.
pub struct Shop {
    /// The book under test.
    pub book: Book,
    today: Cell<NaiveDate>,
    ops: Cell<u32>,
    account: Cell<&'static str>,
}

impl Shop {
    /// A shop with the default settings and no account.
    pub fn new() -> Shop {
        Shop::with(|_| {})
    }

    /// A shop whose settings `adjust` changes, with no account.
    pub fn with(adjust: impl FnOnce(&mut StoreSettings)) -> Shop {
        let mut s = settings();
        adjust(&mut s);
        s.validate().unwrap();
        Shop {
            book: Book::with_store(s, MemoryStore::new()),
            today: Cell::new(opening_day()),
            ops: Cell::new(0),
            account: Cell::new(ACCOUNT),
        }
    }

    /// The same shop with its Book changed by `f` (e.g. given a mailer or a payment provider).
    pub fn map_book(self, f: impl FnOnce(Book) -> Book) -> Shop {
        Shop {
            book: f(self.book),
            ..self
        }
    }

    /// A shop with [`ACCOUNT`] opened on [`opening_day`] with this CAD limit.
    pub fn with_account(credit_limit: &str) -> Shop {
        Shop::with_account_in(Shop::new(), limit(credit_limit))
    }

    /// `shop` with [`ACCOUNT`] opened on [`opening_day`] with `limit`.
    pub fn with_account_in(shop: Shop, limit: CreditLimit) -> Shop {
        shop.open(ACCOUNT, "Marie Tremblay", limit).unwrap();
        shop
    }

    /// A shop with default settings and [`ACCOUNT`] opened on `date` with `limit`.
    pub fn opened_on(date: NaiveDate, limit: CreditLimit) -> Shop {
        let shop = Shop::new();
        shop.go_to(date);
        Shop::with_account_in(shop, limit)
    }

    /// Opens an account for a customer named `name`, store terms, by an employee who may grant
    /// credit.
    pub fn open(&self, account: &str, name: &str, limit: CreditLimit) -> Result<Outcome> {
        self.book.open_account(
            account,
            &self.op_by(Actor::new("manager").with(Permission::CreditLimit)),
            open_request(name, limit),
        )
    }

    /// The account the shortcuts act on.
    pub fn account(&self) -> &'static str {
        self.account.get()
    }

    /// Makes the shortcuts act on another account.
    pub fn select(&self, account: &'static str) {
        self.account.set(account);
    }

    // ---- the clock ----

    /// The store-local date operations happen on.
    pub fn today(&self) -> NaiveDate {
        self.today.get()
    }

    /// Moves the clock to a date.
    pub fn go_to(&self, date: NaiveDate) {
        self.today.set(date);
    }

    /// Moves the clock forward by some days.
    pub fn advance(&self, days: u64) -> NaiveDate {
        self.go_to(self.today().checked_add_days(Days::new(days)).unwrap());
        self.today()
    }

    /// Noon, store time, today.
    pub fn now(&self) -> DateTime<Utc> {
        noon(self.today())
    }

    // ---- operations ----

    /// A fresh operation, now, by a manager.
    pub fn op(&self) -> Operation {
        self.op_by(manager())
    }

    /// A fresh operation, now, by `actor`.
    pub fn op_by(&self, actor: Actor) -> Operation {
        self.op_at(self.now()).by(actor)
    }

    /// A fresh operation at an instant, by nobody in particular (add `.by(...)`).
    pub fn op_at(&self, at: DateTime<Utc>) -> Operation {
        self.ops.set(self.ops.get() + 1);
        Operation::new(format!("op-{}", self.ops.get()), at)
    }

    /// An operation with a given id, now, by a manager.
    pub fn op_id(&self, id: &str) -> Operation {
        Operation::new(id, self.now()).by(manager())
    }

    /// Charges `amount` to the selected account.
    pub fn charge(&self, amount: &str) -> Result<Outcome> {
        self.charge_with(Charge::new(money(amount)))
    }

    /// Charges `amount` for a sale to the selected account.
    pub fn charge_sale(&self, amount: &str, sale: &str) -> Result<Outcome> {
        self.charge_with(Charge::new(money(amount)).sale(sale))
    }

    /// Charges `amount` to the selected account with a custom due date.
    pub fn charge_due(&self, amount: &str, due: NaiveDate) -> Result<Outcome> {
        self.charge_with(Charge {
            due_date: Some(due),
            ..Charge::new(money(amount))
        })
    }

    /// Runs a charge on the selected account.
    pub fn charge_with(&self, charge: Charge) -> Result<Outcome> {
        self.book.charge(self.account(), &self.op(), charge)
    }

    /// Charges `amount` at an instant (not the clock's), by a manager.
    pub fn charge_at(&self, at: DateTime<Utc>, amount: &str) -> Outcome {
        let op = self.op_at(at).by(manager());
        let charge = Charge::new(money(amount));
        self.book.charge(self.account(), &op, charge).unwrap()
    }

    /// Opens an invoice of `amount` and returns its number.
    pub fn invoice(&self, amount: &str) -> u64 {
        self.charge(amount).unwrap().invoice().unwrap()
    }

    /// Opens an invoice of `amount` for a sale and returns its number.
    pub fn invoice_for(&self, amount: &str, sale: &str) -> u64 {
        self.charge_sale(amount, sale).unwrap().invoice().unwrap()
    }

    /// Pays `amount`, oldest due first.
    pub fn pay(&self, amount: &str) -> Result<Outcome> {
        self.book
            .pay(self.account(), &self.op(), Payment::new(money(amount)))
    }

    /// Pays `amount` to the named invoices.
    pub fn pay_invoices(&self, amount: &str, invoices: Vec<u64>) -> Result<Outcome> {
        let payment = Payment {
            invoices,
            ..Payment::new(money(amount))
        };
        self.book.pay(self.account(), &self.op(), payment)
    }

    /// Records a deposit.
    pub fn deposit(&self, amount: &str) -> Result<Outcome> {
        self.book
            .deposit(self.account(), &self.op(), money(amount), Some("layaway"))
    }

    /// Uses store credit as tender.
    pub fn use_credit(&self, amount: &str, sale: Option<&str>) -> Result<Outcome> {
        self.book
            .use_credit(self.account(), &self.op(), money(amount), sale)
    }

    /// Applies store credit to invoices (empty: oldest due first).
    pub fn apply_credit(&self, amount: &str, invoices: Vec<u64>) -> Result<Outcome> {
        self.book
            .apply_credit(self.account(), &self.op(), money(amount), invoices)
    }

    /// Refunds to store credit, by a manager.
    pub fn refund(&self, amount: &str, sale: Option<&str>, total: Option<&str>) -> Result<Outcome> {
        self.book.refund_to_credit(
            self.account(),
            &self.op(),
            money(amount),
            sale,
            total.map(money),
        )
    }

    /// Pays store credit back in cash.
    pub fn refund_credit(&self, amount: &str) -> Result<Outcome> {
        self.book
            .refund_credit(self.account(), &self.op(), money(amount), Some("cash"))
    }

    /// Reverses an entry, by a manager.
    pub fn reverse(&self, entry: u64) -> Result<Outcome> {
        self.book
            .reverse(self.account(), &self.op(), entry, "entered by mistake")
    }

    /// Adjusts the balance, by a manager.
    pub fn adjust(&self, direction: Direction, amount: &str) -> Result<Outcome> {
        self.book.adjust(
            self.account(),
            &self.op(),
            direction,
            money(amount),
            "correction",
        )
    }

    /// Writes off an invoice (all of it when `amount` is `None`), by a manager.
    pub fn write_off(&self, invoice: u64, amount: Option<&str>) -> Result<Outcome> {
        self.book.write_off(
            self.account(),
            &self.op(),
            invoice,
            amount.map(money),
            "uncollectable",
        )
    }

    /// Changes the terms of the selected account, by a manager.
    pub fn set_terms(&self, terms: PaymentTerms) -> Outcome {
        self.book
            .set_terms(self.account(), &self.op(), Some(terms))
            .unwrap()
    }

    /// Puts the selected account on hold, by a manager.
    pub fn hold(&self) -> Result<Outcome> {
        let reason = Some("cheque returned".to_string());
        self.book.hold(self.account(), &self.op(), reason)
    }

    /// Releases the hold on the selected account.
    pub fn release(&self) -> Result<Outcome> {
        self.book.release(self.account(), &self.op())
    }

    /// Changes the credit limit of the selected account, by `actor`.
    pub fn set_limit(&self, actor: Actor, limit: CreditLimit) -> Result<Outcome> {
        self.book
            .set_credit_limit(self.account(), &self.op_by(actor), limit)
    }

    // ---- reads ----

    /// What the selected account can be charged now of a sale of `sale_due`.
    pub fn max_charge(&self, sale_due: &str) -> Result<Decimal> {
        self.book
            .max_charge(self.account(), money(sale_due), self.now())
    }

    /// The summary of the selected account today.
    pub fn summary(&self) -> AccountSummary {
        self.book.summary(self.account(), self.today()).unwrap()
    }

    /// Asserts the two balances of the selected account today.
    #[track_caller]
    pub fn assert_balances(&self, owed: &str, credit: &str) {
        let s = self.summary();
        assert_eq!(
            (s.balance_owed, s.credit_balance),
            (dec(owed), dec(credit)),
            "(balance owed, credit balance)"
        );
    }

    /// (invoice, remaining) of the open invoices of the selected account, oldest due first.
    pub fn open_items(&self) -> Vec<(u64, Decimal)> {
        self.book
            .open_invoices(self.account(), self.today())
            .unwrap()
            .into_iter()
            .map(|i| (i.id, i.remaining))
            .collect()
    }

    /// The kinds of the entries of the selected account, in order.
    pub fn entry_types(&self) -> Vec<EntryType> {
        self.book
            .entries(self.account())
            .unwrap()
            .iter()
            .map(|e| e.kind.entry_type())
            .collect()
    }

    /// Entries held by the store, over all accounts.
    pub fn entry_count(&self) -> usize {
        self.book.store().entry_count()
    }

    /// Runs an operation that must be refused, checks that it recorded nothing, returns the error.
    #[track_caller]
    pub fn refused<T: std::fmt::Debug>(&self, run: impl FnOnce(&Shop) -> Result<T>) -> Error {
        let before = self.entry_count();
        let err = run(self).expect_err("the operation should have been refused");
        assert_eq!(self.entry_count(), before, "a refusal recorded entries");
        err
    }
}

/// Asserts that an error is an `InvalidInput` about `field`.
#[track_caller]
pub fn assert_invalid(err: Error, field: &str) {
    match err {
        Error::InvalidInput { field: f, .. } if f == field => {}
        other => panic!("expected invalid {field}, got {other:?}"),
    }
}

/// The refusal of a charge over the limit.
pub fn over_limit(available: &str, requested: &str) -> Error {
    Error::CreditLimitExceeded {
        available: dec(available),
        requested: dec(requested),
    }
}

/// The refusal to spend more store credit than the account holds.
pub fn insufficient_credit(available: &str, requested: &str) -> Error {
    Error::InsufficientCredit {
        available: dec(available),
        requested: dec(requested),
    }
}

/// The refusal of a refund above what is left to refund of its sale.
pub fn exceeds_sale(refundable: &str, requested: &str) -> Error {
    Error::RefundExceedsSale {
        refundable: dec(refundable),
        requested: dec(requested),
    }
}

/// The refusal to apply more credit than is owed.
pub fn exceeds_owed(owed: &str, requested: &str) -> Error {
    Error::ApplyExceedsBalanceOwed {
        owed: dec(owed),
        requested: dec(requested),
    }
}

/// The refusal for a missing permission.
pub fn denied(permission: Permission) -> Error {
    Error::PermissionDenied { permission }
}

/// (invoice, amount) pairs of allocations.
pub fn allocations(outcome: &Outcome) -> Vec<(u64, Decimal)> {
    outcome
        .allocations()
        .into_iter()
        .map(|a| (a.invoice, a.amount))
        .collect()
}

/// Shorthand for expected `(invoice, amount)` lists: `items(&[(2, "40.00")])`.
pub fn items(list: &[(u64, &str)]) -> Vec<(u64, Decimal)> {
    list.iter().map(|(i, a)| (*i, dec(a))).collect()
}

/// A month of one account that records an entry of every kind, 23 entries in all, ending on
/// 2026-04-01 with 70.00 owed on three open invoices (5: 15.00, 14: 15.00, 6: 40.00) and 97.50
/// of store credit. Deterministic: the same entries, byte for byte, on every run.
pub fn mixed_scenario() -> Shop {
    let shop = Shop::with_account("1000"); // 1 opened on 2026-03-02
    let customer = Customer {
        email: Some("marie@example.com".into()),
        language: Some("fr-CA".into()),
        address: PostalAddress {
            lines: vec!["12 rue Principale".into()],
            city: "Montréal".into(),
            region: "QC".into(),
            postal_code: "H2X 1Y4".into(),
            country: "CA".into(),
        },
        ..Customer::new("cust-Marie Tremblay", "Marie Tremblay")
    };
    let op = shop.op();
    shop.book.update_contact(ACCOUNT, &op, customer).unwrap(); // 2
    shop.set_limit(manager(), limit("1500")).unwrap(); // 3
    shop.set_terms(PaymentTerms::Net(15)); // 4
    assert_eq!(shop.invoice_for("250.00", "S-100"), 5); // due 03-17
    let custom_due = Charge {
        due_date: Some(day(2026, 4, 30)),
        ..Charge::new(money("99.95")).sale("S-101")
    };
    assert_eq!(shop.charge_with(custom_due).unwrap().invoice(), Some(6));
    shop.go_to(day(2026, 3, 3));
    shop.deposit("150").unwrap(); // 7
    shop.pay("100").unwrap(); // 8: invoice 5 down to 150.00
    shop.use_credit("20", Some("S-102")).unwrap(); // 9
    shop.apply_credit("50", vec![6]).unwrap(); // 10: invoice 6 down to 49.95
    shop.go_to(day(2026, 3, 10));
    shop.refund("30", Some("S-100"), None).unwrap(); // 11: invoice 5 down to 120.00
    shop.refund("12.50", None, None).unwrap(); // 12: receipt-less
    shop.refund_credit("10").unwrap(); // 13
    shop.go_to(day(2026, 3, 20));
    shop.adjust(Direction::Debit, "15").unwrap(); // 14: a fee, due 04-04
    shop.adjust(Direction::Credit, "5").unwrap(); // 15: invoice 5 down to 115.00
    shop.write_off(6, Some("9.95")).unwrap(); // 16: invoice 6 down to 40.00
                                              // Late on the last evening of March: April in UTC, still March in Montreal.
    let late = shop.op_at(local(2026, 3, 31, 23, 30)).by(manager());
    let reason = Some("cheque returned".to_string());
    shop.book.hold(ACCOUNT, &late, reason).unwrap(); // 17
    shop.go_to(day(2026, 4, 1));
    shop.release().unwrap(); // 18
    shop.reverse(13).unwrap(); // 19: the cash refund undone
    assert_eq!(shop.invoice_for("12", "S-103"), 20);
    shop.reverse(20).unwrap(); // 21: cancels invoice 20, S-103 no longer paid
    shop.refund("5", Some("S-104"), Some("5")).unwrap(); // 22: a sale paid in cash
    shop.pay("100").unwrap(); // 23: invoice 5 down to 15.00
    shop
}

/// The number of an outcome's first entry.
pub trait Seq {
    /// The entry number.
    fn seq(&self) -> u64;
}

impl Seq for Outcome {
    fn seq(&self) -> u64 {
        self.entry().seq
    }
}

/// An operation changing the automation, by `actor`, with an id never used before.
pub fn automation_op(actor: Actor) -> Operation {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    Operation::new(format!("automation-{n}"), utc(2026, 1, 1, 12, 0)).by(actor)
}
