//! Throughput of the Book: charges with their limit check, and folding a long ledger.
//!
//! `make bench` runs it; figures go to BENCHMARKS.md.

use chrono::{DateTime, Duration, TimeZone, Utc};
use creditbook::{
    AccountState, Book, Charge, CreditLimit, Customer, Entry, Money, OpenAccount, Operation,
    Payment, StoreSettings,
};
use divan::Bencher;
use rust_decimal::Decimal;
use smol_str::SmolStr;

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
        &Operation::new("open", start()),
        OpenAccount {
            customer: Customer::new("c1", "Bench Customer"),
            credit_limit: limit,
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
