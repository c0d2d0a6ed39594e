//! Bytes held per entry in the MemoryStore, measured with a counting global allocator.
//!
//! Method: build a realistic ledger (charges with sale references, payments with allocations,
//! operation ids like a till's), then count the heap bytes a fresh MemoryStore allocates to hold
//! it (every allocation minus every free, so segment slack counts), divided by the entry count.
//! `make bench` runs it; the figure goes to BENCHMARKS.md.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use chrono::{Duration, TimeZone, Utc};
use creditbook::{
    Book, Charge, CreditLimit, Customer, MemoryStore, Money, OpenAccount, Operation, Payment,
    Store, StoreSettings,
};
use smol_str::SmolStr;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn main() {
    const N: usize = 100_000;
    let book = Book::new(StoreSettings::new("Bench", "CAD", "America/Toronto").unwrap());
    let cad = book.settings().currency;
    let mut at = Utc.with_ymd_and_hms(2025, 1, 2, 15, 0, 0).unwrap();
    book.open_account(
        "C-000123",
        &Operation::new("till-01-00000000", at)
            .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        OpenAccount {
            customer: Customer::new("cust-123", "Bench Customer"),
            credit_limit: Some(CreditLimit::Unlimited),
            terms: None,
        },
    )
    .unwrap();
    for i in 1..N {
        at += Duration::minutes(7);
        let op = Operation::new(SmolStr::new(format!("till-01-{i:08}")), at);
        if i % 3 == 0 {
            book.pay("C-000123", &op, Payment::new(Money::from_minor(2500, cad)))
                .unwrap();
        } else {
            let sale = format!("S-{i:08}");
            book.charge(
                "C-000123",
                &op,
                Charge::new(Money::from_minor(1999, cad)).sale(sale.as_str()),
            )
            .unwrap();
        }
    }
    let entries = book.entries("C-000123").unwrap();
    let stack = std::mem::size_of::<creditbook::Entry>();
    drop(book);

    let before = LIVE.load(Ordering::Relaxed);
    let store = MemoryStore::new();
    for (i, e) in entries.iter().enumerate() {
        store
            .append("C-000123", i as u64, std::slice::from_ref(e))
            .unwrap();
    }
    let held = LIVE.load(Ordering::Relaxed) - before;
    println!("entries held:             {}", store.entry_count());
    println!("size_of::<Entry>():       {stack} bytes");
    println!("heap held by MemoryStore: {held} bytes");
    println!(
        "bytes per entry:          {:.1}",
        held as f64 / store.entry_count() as f64
    );
}
