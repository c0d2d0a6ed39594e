//! The Rust side of the C ABI benchmark (`make bench`): one million charges through
//! `Book::charge` on the embedded store, timed as tests/c/bench_charge.c times the same charges
//! through `creditbook_book_charge`, so the two figures differ only by the C boundary.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use creditbook::{
    Book, Charge, CreditLimit, Customer, Money, OpenAccount, Operation, StoreSettings,
};
use rust_decimal::Decimal;

/// 10 rounds of 100,000 charges: a million in all, each round on a fresh book.
const CHARGES: usize = 100_000;
const ROUNDS: usize = 10;

fn main() {
    // `cargo test --all-targets` runs this without `--bench`: a small smoke round, not the timing.
    let timing = std::env::args().any(|a| a == "--bench");
    // CREDITBOOK_BENCH_CHARGES sets one round's size (for counting instructions under callgrind).
    let size = std::env::var("CREDITBOOK_BENCH_CHARGES")
        .ok()
        .and_then(|n| n.parse().ok());
    let (charges, rounds) = match size {
        Some(n) => (n, 1),
        None if timing => (CHARGES, ROUNDS),
        None => (1000, 1),
    };
    let at = Utc.with_ymd_and_hms(2026, 1, 5, 15, 0, 0).unwrap();
    let mut rounds_ns = Vec::new();
    for round in 0..rounds {
        let book = Book::new(StoreSettings::new("Bench", "CAD", "America/Toronto").unwrap());
        let cad = book.settings().currency;
        book.open_account(
            "C-1",
            &Operation::new("open", at)
                .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
            OpenAccount {
                customer: Customer::new("c1", "Bench Customer"),
                credit_limit: Some(CreditLimit::Amount(Decimal::new(1_000_000_000_000_000, 2))),
                terms: None,
            },
        )
        .unwrap();
        // Operation ids are made before the clock starts, as the C side does.
        let ops: Vec<Operation> = (0..charges)
            .map(|n| Operation::new(format!("op-{round}-{n}"), at))
            .collect();
        let amount = Money::new(Decimal::new(1250, 2), cad);
        let start = Instant::now();
        for op in &ops {
            book.charge("C-1", op, Charge::new(amount)).unwrap();
        }
        let ns = start.elapsed().as_nanos() as f64 / charges as f64;
        rounds_ns.push(ns);
    }
    rounds_ns.sort_by(f64::total_cmp);
    println!(
        "rust: {rounds} rounds of {charges} charges: median {:.1} ns, best {:.1} ns per charge",
        rounds_ns[rounds_ns.len() / 2],
        rounds_ns[0]
    );
}
