//! Statement properties over random books: about three months of random operations through the
//! public Book API (refused ones are ignored), then statements of random adjacent periods. Each
//! must add up, chain, agree with the Book's own figures on the period's end, and refuse bad
//! requests with the right error.
mod fixtures;
mod ubl_check;

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate};
use creditbook::{
    Actor, Book, Charge, CreditLimit, Customer, Direction, Error, Language, Money, OpenAccount,
    Operation, Payment, Permission, Statement, StatementRequest,
};
use proptest::prelude::*;
use proptest::sample::Index;
use rust_decimal::Decimal;

const ACCOUNT: &str = "C-1";
/// The account opens on day 0; operations fall on days 1 to 91 after it.
const DAYS: u32 = 92;

#[derive(Debug, Clone)]
enum Op {
    Charge(i64, u8),
    Pay(i64),
    Deposit(i64),
    UseCredit(i64),
    RefundToCredit(i64, Option<u8>),
    Adjust(bool, i64),
    WriteOff(Index, Option<i64>),
    Reverse(Index),
}

fn op() -> impl Strategy<Value = Op> {
    let cents = || 1i64..80_000;
    prop_oneof![
        4 => (cents(), 0u8..6).prop_map(|(c, s)| Op::Charge(c, s)),
        3 => cents().prop_map(Op::Pay),
        1 => cents().prop_map(Op::Deposit),
        1 => cents().prop_map(Op::UseCredit),
        1 => (cents(), proptest::option::of(0u8..6)).prop_map(|(c, s)| Op::RefundToCredit(c, s)),
        1 => (any::<bool>(), cents()).prop_map(|(d, c)| Op::Adjust(d, c)),
        1 => (any::<Index>(), proptest::option::of(cents())).prop_map(|(i, c)| Op::WriteOff(i, c)),
        1 => any::<Index>().prop_map(Op::Reverse),
    ]
}

fn day(n: u32) -> NaiveDate {
    fixtures::date(2026, 9, 1) + Days::new(u64::from(n))
}

/// A store printing in English and French only, and an account whose customer prefers German.
fn run(mut ops: Vec<(u32, Op)>) -> Book {
    let mut settings = fixtures::settings("CAD", "America/Montreal");
    settings.statements.languages = ["en", "fr"].map(|l| Language::from_tag(l).unwrap()).into();
    let (tz, cur) = (settings.timezone, settings.currency);
    let book = Book::new(settings);
    let boss = Actor::new("emp-1")
        .with(Permission::CreditAccountRefund)
        .with(Permission::AdjustBalance);
    let op = |i: usize, d: u32| {
        let date = day(d);
        let at = fixtures::at(tz, date.year(), date.month(), date.day(), 10);
        Operation::new(format!("o-{i}"), at).by(boss.clone())
    };
    let m = |cents| Money::from_minor(cents, cur);
    let mut customer = Customer::new("cust-1", "Marie Tremblay");
    customer.language = Some("de".into());
    let open = OpenAccount {
        customer,
        credit_limit: Some(CreditLimit::Amount(Decimal::new(300_000, 2))),
        terms: None,
    };
    book.open_account(
        ACCOUNT,
        &op(usize::MAX, 0)
            .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        open,
    )
    .unwrap();
    ops.sort_by_key(|(d, _)| *d);
    for (i, (d, step)) in ops.into_iter().enumerate() {
        let o = op(i, d);
        let sale = |s: u8| format!("S-{s}");
        // Refusals (over the limit, nothing to refund, ...) are part of the game.
        let _ = match step {
            Op::Charge(c, s) => book.charge(ACCOUNT, &o, Charge::new(m(c)).sale(sale(s))),
            Op::Pay(c) => book.pay(ACCOUNT, &o, Payment::new(m(c))),
            Op::Deposit(c) => book.deposit(ACCOUNT, &o, m(c), None),
            Op::UseCredit(c) => book.use_credit(ACCOUNT, &o, m(c), None),
            Op::RefundToCredit(c, s) => {
                book.refund_to_credit(ACCOUNT, &o, m(c), s.map(sale).as_deref(), None)
            }
            Op::Adjust(debit, c) => {
                let dir = [Direction::Credit, Direction::Debit][usize::from(debit)];
                book.adjust(ACCOUNT, &o, dir, m(c), "adjusted")
            }
            Op::WriteOff(pick, c) => {
                let open = book.open_invoices(ACCOUNT, day(d)).unwrap();
                match open.get(pick.index(open.len().max(1))) {
                    Some(inv) => book.write_off(ACCOUNT, &o, inv.id, c.map(m), "bad debt"),
                    None => continue,
                }
            }
            Op::Reverse(pick) => {
                let entries = book.entries(ACCOUNT).unwrap();
                let seq = entries[pick.index(entries.len())].seq;
                book.reverse(ACCOUNT, &o, seq, "mistake")
            }
        };
    }
    book
}

fn statement(book: &Book, req: &StatementRequest) -> Statement {
    book.statement(ACCOUNT, req).unwrap()
}

/// The statement adds up: lines run from the opening balance, totals are the lines' sums, the
/// closing balance follows, the aging sums to it and the amount due defaults to it.
fn adds_up(st: &Statement) {
    let mut balance = st.opening_balance;
    for l in &st.lines {
        assert_eq!(l.balance, balance + l.charge - l.credit, "{l:?}");
        balance = l.balance;
    }
    assert_eq!(balance, st.closing_balance);
    let sum =
        |f: fn(&creditbook::StatementLine) -> Decimal| st.lines.iter().map(f).sum::<Decimal>();
    assert_eq!(st.total_charges, sum(|l| l.charge));
    assert_eq!(st.total_credits, sum(|l| l.credit));
    assert_eq!(
        st.closing_balance,
        st.opening_balance + st.total_charges - st.total_credits
    );
    assert_eq!(st.aging.total().unwrap(), st.closing_balance);
    let open: Decimal = st.open_invoices.iter().map(|i| i.remaining).sum();
    assert_eq!(open, st.closing_balance);
}

fn refused(book: &Book, req: &StatementRequest) -> Error {
    book.statement(ACCOUNT, req).unwrap_err()
}

fn invalid_request(book: &Book, req: &StatementRequest) {
    let err = refused(book, req);
    assert!(
        matches!(err, Error::InvalidStatementRequest { .. }),
        "{err:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn statements_add_up_chain_and_agree_with_the_book(
        ops in prop::collection::vec((1..DAYS, op()), 0..60),
        bounds in prop::collection::btree_set(0..DAYS + 10, 2..6),
        late in 0u64..20,
        past in 1u64..30,
    ) {
        let book = run(ops);
        let bounds: Vec<u32> = BTreeSet::into_iter(bounds).collect();
        let mut previous: Option<Statement> = None;
        for w in bounds.windows(2) {
            let (from, to) = (day(w[0]), day(w[1] - 1));
            let req = StatementRequest::new(from, to);
            let st = statement(&book, &req);
            adds_up(&st);
            ubl_check::checked(&st);
            if let Some(p) = &previous {
                prop_assert_eq!(p.closing_balance, st.opening_balance);
            }
            let summary = book.summary(ACCOUNT, to).unwrap();
            prop_assert_eq!(summary.balance_owed, st.closing_balance);
            prop_assert_eq!(summary.credit_balance, st.credit_balance);
            prop_assert_eq!(&book.aging(ACCOUNT, to).unwrap(), &st.aging);
            prop_assert_eq!(&book.open_invoices(ACCOUNT, to).unwrap(), &st.open_invoices);
            prop_assert_eq!(st.amount_due, st.closing_balance);
            prop_assert_eq!(st.due_date, to + Days::new(30));
            prop_assert!(!st.due_upon_receipt);
            prop_assert_eq!(st.language.code(), "en");
            previous = Some(st);
        }

        // A later statement date: the same period's figures, the amount due capped by what is
        // owed on that date.
        let (from, to) = (day(bounds[0]), day(bounds[1] - 1));
        let statement_date = to + Days::new(late);
        let mut req = StatementRequest::new(from, to);
        req.statement_date = Some(statement_date);
        let st = statement(&book, &req);
        adds_up(&st);
        let owed = book.summary(ACCOUNT, statement_date).unwrap().balance_owed;
        prop_assert_eq!(st.amount_due, st.closing_balance.min(owed));
        prop_assert_eq!(st.aging.as_of, statement_date);

        // The user's choices, and the ones refused.
        req.amount_due = Some(owed);
        prop_assert_eq!(statement(&book, &req).amount_due, owed);
        req.amount_due = Some(owed + Decimal::new(1, 2));
        invalid_request(&book, &req);
        req.amount_due = Some(Decimal::new(-1, 2));
        invalid_request(&book, &req);
        req.amount_due = None;
        req.due_date = Some(statement_date);
        prop_assert!(statement(&book, &req).due_upon_receipt);
        req.due_date = Some(statement_date - Days::new(past));
        invalid_request(&book, &req);
        req.due_date = None;
        req.statement_date = Some(to - Days::new(past));
        invalid_request(&book, &req);
        req.statement_date = None;
        req.language = Some("fr-CA".into());
        prop_assert_eq!(statement(&book, &req).language.code(), "fr");
        req.language = Some("de".into());
        prop_assert_eq!(
            refused(&book, &req),
            Error::LanguageNotOffered { language: "de".into(), offered: vec!["en".into(), "fr".into()] }
        );
        let backwards = StatementRequest::new(to + Days::new(past), to);
        prop_assert_eq!(
            refused(&book, &backwards),
            Error::InvalidDateRange { from: to + Days::new(past), to }
        );
    }
}
