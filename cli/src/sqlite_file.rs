//! Shared by the SQLite test and benchmark: a creditbook SQLite store holding what an export's
//! lines record when each goes through a Book (as `examples/month_end.rs` records them).

use std::path::Path;

use creditbook::import::parse_entry_line;
use creditbook::{
    Actor, Book, Command, CreditLimit, Customer, MemoryStore, OpenAccount, Operation, Permission,
    Store, StoreSettings,
};
use creditbook_sqlite::{SqliteOptions, SqliteStore, Synchronous};

/// Records every line of `csv` through a Book on a memory store, then writes each account's
/// entries into a new SQLite store at `path`.
pub fn build(csv: &str, settings: &StoreSettings, path: &Path) {
    let memory = MemoryStore::new();
    let book = Book::with_store(settings.clone(), memory.clone());
    let importer = Actor::new("month-end")
        .with(Permission::CreditLimit)
        .with(Permission::CreditAccountRefund)
        .with(Permission::AdjustBalance);
    let mut opened = std::collections::HashSet::new();
    for line in csv.lines().skip(1).filter(|l| !l.is_empty()) {
        let row = parse_entry_line(line, settings.currency).expect("a good export");
        if opened.insert(row.account.to_string()) {
            book.open_account(
                row.account,
                &Operation::new(format!("open-{}", row.account), row.at).by(importer.clone()),
                OpenAccount {
                    customer: Customer::new(row.account, row.account),
                    credit_limit: Some(CreditLimit::Unlimited),
                    terms: None,
                },
            )
            .expect("opened");
        }
        let mut op = Operation::new(row.op_id.clone(), row.at);
        if matches!(
            row.command,
            Command::RefundToCredit { .. } | Command::Adjust { .. }
        ) {
            op = op.by(importer.clone());
        }
        book.execute(row.account, &op, &row.command)
            .expect("recorded");
    }
    let store = SqliteStore::open_with(
        path,
        SqliteOptions {
            synchronous: Synchronous::Normal,
            ..SqliteOptions::default()
        },
    )
    .expect("a new store");
    for id in memory.account_ids().expect("listed") {
        let entries = memory.load(&id, 0).expect("loaded");
        store.append(&id, 0, &entries).expect("written");
    }
    store.checkpoint().expect("checkpointed");
}
