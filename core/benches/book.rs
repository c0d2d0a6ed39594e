//! Throughput of the Book: charges with their limit check, folding a long ledger, statements, and
//! composing a statement email.
//!
//! `make bench` runs it; figures go to BENCHMARKS.md.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use creditbook::statement::{html, text};
use creditbook::{
    AccountState, Book, Charge, CreditLimit, Customer, Entry, Money, OpenAccount, Operation,
    Payment, StatementRequest, StoreSettings,
};
use divan::Bencher;
use rust_decimal::Decimal;
use smol_str::SmolStr;

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

fn main() {
    divan::main();
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 15, 0, 0).unwrap()
}

fn book_with_account(limit: CreditLimit) -> Book {
    let book = Book::new(StoreSettings::new("Bench", "CAD", "America/Toronto").unwrap());
    book.open_account(
        "C-1",
        &Operation::new("open", start())
            .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        OpenAccount {
            customer: Customer::new("c1", "Bench Customer"),
            credit_limit: Some(limit),
            terms: None,
        },
    )
    .unwrap();
    book
}

/// One charge through the Book on the MemoryStore: validation, operation-id check, limit check,
/// due date, append to the store and fold. The account has a limit, so the check is real.
#[divan::bench(sample_count = 200, sample_size = 2000)]
fn charge_with_limit_check(bencher: Bencher) {
    let book = book_with_account(CreditLimit::Amount(Decimal::new(1_000_000_000_000, 2)));
    let cad = book.settings().currency;
    let amount = Money::new(Decimal::new(1250, 2), cad);
    let at = start();
    let mut n: u64 = 0;
    bencher
        .with_inputs(|| {
            n += 1;
            Operation::new(SmolStr::new(format!("op-{n}")), at)
        })
        .bench_local_refs(|op| {
            book.charge("C-1", op, Charge::new(amount)).unwrap();
        });
}

/// A ledger of `n` entries: charges and payments over two years, every tenth sale refunded.
fn ledger(n: usize) -> Vec<Entry> {
    let book = book_with_account(CreditLimit::Unlimited);
    let cad = book.settings().currency;
    let mut at = start();
    let mut i = 1;
    while i < n {
        at += Duration::minutes(10);
        let op = Operation::new(SmolStr::new(format!("op-{i}")), at);
        if i % 3 == 0 {
            book.pay("C-1", &op, Payment::new(Money::from_minor(2500, cad)))
                .unwrap();
        } else {
            let sale = format!("S-{i}");
            book.charge(
                "C-1",
                &op,
                Charge::new(Money::from_minor(1999, cad)).sale(sale.as_str()),
            )
            .unwrap();
        }
        i += 1;
    }
    book.entries("C-1").unwrap()
}

/// Folding an account's 100,000 entries into its state (what a Book does when it first loads an
/// account from the host's store).
#[divan::bench(sample_count = 20)]
fn fold_100k_entries(bencher: Bencher) {
    let entries = ledger(100_000);
    bencher
        .with_inputs(|| entries.clone())
        .bench_values(|entries| AccountState::from_entries(entries).unwrap());
}

/// Reading an account's 100,000 persisted records back (`Entry::from_record`, what a host's store
/// does when a register first loads an account), without the fold.
#[divan::bench(sample_count = 20)]
fn read_100k_records(bencher: Bencher) {
    let records: Vec<String> = ledger(100_000).iter().map(Entry::to_record).collect();
    bencher.bench(|| {
        records
            .iter()
            .map(|r| Entry::from_record(r).unwrap())
            .collect::<Vec<Entry>>()
    });
}

/// A Book whose account has `n` entries over about `days` days: charges with sale references,
/// payments every third entry, a deposit and a refund to credit now and then.
fn busy_account(n: usize, days: i64) -> (Book, NaiveDate, NaiveDate) {
    let book = book_with_account(CreditLimit::Unlimited);
    let cad = book.settings().currency;
    let step = Duration::minutes(days * 24 * 60 / n as i64);
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
    (book, first, at.date_naive())
}

/// A statement of an account with 10,000 entries, every one of them in the period: computing it.
#[divan::bench(sample_count = 50)]
fn statement_10k_entries_compute(bencher: Bencher) {
    let (book, from, to) = busy_account(10_000, 300);
    let request = StatementRequest::new(from, to);
    bencher.bench_local(|| book.statement("C-1", &request).unwrap());
}

/// The same statement rendered to HTML (the localizer made once, as a month-end run does).
#[divan::bench(sample_count = 50)]
fn statement_10k_entries_html(bencher: Bencher) {
    let (book, from, to) = busy_account(10_000, 300);
    let st = book
        .statement("C-1", &StatementRequest::new(from, to))
        .unwrap();
    let loc = st.localizer().unwrap();
    bencher.bench_local(|| html::render(&st, &loc));
}

/// A monthly statement of an account with 10,000 entries over 300 days (about 1,000 lines).
#[divan::bench(sample_count = 50)]
fn statement_month_of_10k_account(bencher: Bencher) {
    let (book, _, to) = busy_account(10_000, 300);
    let from = to - Duration::days(30);
    let request = StatementRequest::new(from, to);
    bencher.bench_local(|| book.statement("C-1", &request).unwrap());
}

/// The same statement as 80-column text.
#[divan::bench(sample_count = 50)]
fn statement_10k_entries_text(bencher: Bencher) {
    let (book, from, to) = busy_account(10_000, 300);
    let st = book
        .statement("C-1", &StatementRequest::new(from, to))
        .unwrap();
    let loc = st.localizer().unwrap();
    bencher.bench_local(|| text::render(&st, &loc, 80).unwrap());
}

/// November's statement of the statement tests' fixture (a month of every kind of entry, three
/// open invoices) with a "Pay online" link, from a store that attaches UBL too.
fn fixture_statement() -> (Book, creditbook::Statement) {
    let mut settings = fixtures::settings("CAD", "America/Montreal");
    settings.messages.attach_ubl = true;
    settings.messages.from = Some("billing@lapointe.example".into());
    let book = fixtures::book(settings, "Marie Tremblay", "fr");
    let mut st = fixtures::november(&book, "fr");
    st.payment_link = Some(creditbook::statement::PaymentLinkShown {
        url: "https://pay.example/C-1-link-nov".into(),
        amount: st.amount_due,
        expires_at: Some(
            Utc.with_ymd_and_hms(2026, 12, 31, 14, 0, 0)
                .unwrap()
                .fixed_offset(),
        ),
    });
    (book, st)
}

/// Composing the statement email of the fixture's statement: the letter, the statement as text
/// and HTML in the bodies, the HTML and UBL attachments, every header checked.
#[divan::bench(sample_count = 200)]
fn email_statement_compose(bencher: Bencher) {
    let (book, st) = fixture_statement();
    bencher.bench_local(|| book.compose_statement_email(&st, None).unwrap());
}

/// The same, then written as the RFC 5322 / MIME bytes handed to the mailer.
#[divan::bench(sample_count = 200)]
fn email_statement_compose_and_rfc5322(bencher: Bencher) {
    let (book, st) = fixture_statement();
    let date = Utc.with_ymd_and_hms(2026, 12, 1, 14, 0, 0).unwrap();
    bencher.bench_local(|| {
        book.compose_statement_email(&st, None)
            .unwrap()
            .to_rfc5322(date)
            .unwrap()
    });
}
