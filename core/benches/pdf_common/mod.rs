//! The statements the PDF benchmarks render: the statement tests' November fixture (one page),
//! an account with 10,000 lines in the period, and a store's month of 1,000 one-page statements.
#![allow(dead_code)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use creditbook::{
    Book, Charge, CreditLimit, Customer, Money, OpenAccount, Operation, Payment, Statement,
    StatementRequest, StoreSettings,
};
use smol_str::SmolStr;

#[path = "../../tests/fixtures/mod.rs"]
mod fixtures;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 15, 0, 0).unwrap()
}

fn open(book: &Book, account: &str, name: &str) {
    book.open_account(
        account,
        &Operation::new(SmolStr::new(format!("open-{account}")), start())
            .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        OpenAccount {
            customer: Customer::new(SmolStr::new(format!("c-{account}")), name),
            credit_limit: Some(CreditLimit::Unlimited),
            terms: None,
        },
    )
    .unwrap();
}

/// The statement tests' November statement (one page with its slip), in French.
pub fn one_page() -> Statement {
    let book = fixtures::book(
        fixtures::settings("CAD", "America/Montreal"),
        "Marie Tremblay",
        "fr",
    );
    fixtures::november(&book, "fr")
}

/// A statement of 10,000 lines: an account with 10,000 entries (charges, payments every third
/// entry, a deposit every tenth) over 300 days, all in the period.
pub fn ten_thousand_lines() -> Statement {
    let book = Book::new(StoreSettings::new("Bench", "CAD", "America/Toronto").unwrap());
    open(&book, "C-1", "Bench Customer");
    let cad = book.settings().currency;
    let n = 10_001;
    let step = Duration::minutes(300 * 24 * 60 / n as i64);
    let mut at = start();
    let first = start().date_naive();
    for i in 1..n {
        at += step;
        let op = Operation::new(SmolStr::new(format!("op-{i}")), at);
        let m = |minor| Money::from_minor(minor, cad);
        let sale = format!("S-{i}");
        match i % 10 {
            0 => book.deposit("C-1", &op, m(5000), Some("layaway")),
            3 | 6 | 9 => book.pay("C-1", &op, Payment::new(m(2500))),
            _ => book.charge("C-1", &op, Charge::new(m(1999)).sale(sale.as_str())),
        }
        .unwrap();
    }
    let st = book
        .statement("C-1", &StatementRequest::new(first, at.date_naive()))
        .unwrap();
    assert_eq!(st.lines.len(), 10_000);
    st
}

/// A month's run of `n` statements: `n` accounts, each with a sale and a payment in the month.
pub fn run_of(n: usize) -> Vec<Statement> {
    let book = Book::new(StoreSettings::new("Bench Hardware", "CAD", "America/Toronto").unwrap());
    let cad = book.settings().currency;
    let day = |d: u32| Utc.with_ymd_and_hms(2026, 3, d, 15, 0, 0).unwrap();
    for i in 0..n {
        let account = format!("C-{i:05}");
        open(&book, &account, &format!("Customer number {i}"));
        let op = |k: &str, d: u32| Operation::new(SmolStr::new(format!("{account}-{k}")), day(d));
        book.charge(
            &account,
            &op("s", 3),
            Charge::new(Money::from_minor(12_345, cad)).sale("S-1"),
        )
        .unwrap();
        book.pay(
            &account,
            &op("p", 20),
            Payment::new(Money::from_minor(2_000, cad)),
        )
        .unwrap();
    }
    let req = StatementRequest::new(date(2026, 3, 1), date(2026, 3, 31));
    (0..n)
        .map(|i| book.statement(&format!("C-{i:05}"), &req).unwrap())
        .collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
