//! A million entries on one account: every operation still answers from the account's cached
//! state (no operation re-reads or copies the whole ledger), and the figures, the statement and the
//! activity of such an account are exact.

mod common;

use chrono::{Duration, NaiveDate};
use creditbook::{
    ActivityQuery, Book, Charge, CreditLimit, Customer, EntryType, OpenAccount, Operation, Payment,
    StatementRequest,
};
use rust_decimal::Decimal;

use common::{cad, settings, utc};

const ENTRIES: u64 = 1_000_000;

#[test]
fn a_million_entries_on_one_account() {
    let book = Book::new(settings());
    let start = utc(2024, 1, 1, 15, 0);
    let at = |n: u64| start + Duration::minutes(n as i64);
    let open = OpenAccount {
        customer: Customer::new("cust-big", "Entreprises Big"),
        credit_limit: Some(CreditLimit::Unlimited),
        terms: None,
    };
    book.open_account(
        "BIG",
        &Operation::new("o-0", at(0))
            .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        open,
    )
    .unwrap();
    // Charges of 1.00 to 9.99 (by entry number); every tenth operation a payment of 5.00.
    let mut charged = Decimal::ZERO;
    let mut paid = Decimal::ZERO;
    for n in 1..ENTRIES {
        let op = Operation::new(format!("o-{n}"), at(n));
        if n % 10 == 0 {
            let amount = Decimal::new(500, 2);
            book.pay(
                "BIG",
                &op,
                Payment::new(creditbook::Money::new(amount, cad())),
            )
            .unwrap();
            paid += amount;
        } else {
            let amount = Decimal::new(100 + (n % 900) as i64, 2);
            book.charge(
                "BIG",
                &op,
                Charge::new(creditbook::Money::new(amount, cad())),
            )
            .unwrap();
            charged += amount;
        }
    }
    let last_day = at(ENTRIES).date_naive();
    let summary = book.summary("BIG", last_day).unwrap();
    assert_eq!(summary.balance_owed, charged - paid);
    assert_eq!(summary.credit_balance, Decimal::ZERO);

    // A retry of the first operation a million entries later is still a replay.
    let first = Operation::new("o-1", at(1));
    let again = book
        .charge(
            "BIG",
            &first,
            Charge::new(creditbook::Money::new(Decimal::new(101, 2), cad())),
        )
        .unwrap();
    assert!(again.replayed);

    // The statement of October 2025, near the end: one line per entry, closing = opening + lines.
    let from = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2025, 10, 31).unwrap();
    let st = book
        .statement("BIG", &StatementRequest::new(from, to))
        .unwrap();
    // October 2025 in Montreal is 31 whole days of daylight time: one entry a minute.
    assert_eq!(st.lines.len(), 31 * 24 * 60);
    assert_eq!(
        st.closing_balance,
        st.opening_balance + st.total_charges - st.total_credits
    );

    assert_eq!(
        st.closing_balance,
        book.summary("BIG", to).unwrap().balance_owed
    );

    // The activity of the whole life of the account, payments only.
    let query = ActivityQuery {
        types: vec![EntryType::Payment],
        ..ActivityQuery::between(at(0).date_naive(), last_day)
    };
    let payments = book.activity("BIG", &query).unwrap();
    assert_eq!(payments.len() as u64, (ENTRIES - 1) / 10);
}
