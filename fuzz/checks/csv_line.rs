//! Entry lines of an export (`creditbook::import`, what month_end reads): every line of the input
//! is read with `parse_entry_line`; a line read is recorded through the Book like month_end does
//! (the account opened on its first line, unlimited), so the commands it yields meet every rule.
//! Input: text, one entry line per line (at most 64 lines are recorded).

use creditbook::import::{parse_entry_line, parse_instant, LineError};
use creditbook::{
    Actor, Book, Command, CreditLimit, Currency, Customer, OpenAccount, Operation, Permission,
    StoreSettings,
};

use super::typed;

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let settings = StoreSettings::new("Fuzz", "CAD", "UTC").unwrap();
    let cad = Currency::from_code("CAD").unwrap();
    let book = Book::new(settings);
    // The import replays history: it opens the accounts it meets (granting credit) and records
    // corrections.
    let importer = Actor::new("import")
        .with(Permission::AdjustBalance)
        .with(Permission::CreditLimit);
    for line in text.lines().take(64) {
        match parse_entry_line(line, cad) {
            Ok(row) => {
                let fields: Vec<&str> = line.split(',').collect();
                assert_eq!(fields.len(), 6, "{line:?} read with another field count");
                assert_eq!(row.account, fields[1]);
                assert_eq!(row.op_id, fields[0]);
                assert_eq!(parse_instant(fields[2]), Some(row.at));
                assert_eq!(
                    row.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    fields[2],
                    "{line:?}: the instant does not read back"
                );
                let amount = match &row.command {
                    Command::Charge(c) => c.amount,
                    Command::Payment(p) => p.amount,
                    Command::Deposit { amount, .. }
                    | Command::RefundToCredit { amount, .. }
                    | Command::Adjust { amount, .. } => *amount,
                    other => panic!("{line:?} read as {other:?}"),
                };
                assert_eq!(amount.amount.scale(), cad.exponent(), "{line:?}");
                assert_eq!(amount.currency, cad);
                record(&book, &importer, &row);
            }
            Err(LineError::Amount { error, .. }) => typed(&error),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}

fn record(book: &Book, importer: &Actor, row: &creditbook::import::EntryLine<'_>) {
    if book.summary(row.account, row.at.date_naive()).is_err() {
        let open = OpenAccount {
            customer: Customer::new(row.account, row.account),
            credit_limit: Some(CreditLimit::Unlimited),
            terms: None,
        };
        let op = Operation::new(format!("open-{}", row.account), row.at).by(importer.clone());
        if let Err(e) = book.open_account(row.account, &op, open) {
            return typed(&e);
        }
    }
    let op = Operation::new(row.op_id.clone(), row.at).by(importer.clone());
    match book.execute(row.account, &op, &row.command) {
        Ok(outcome) => {
            let again = book.execute(row.account, &op, &row.command).unwrap();
            assert!(again.replayed, "a replayed line recorded again");
            assert_eq!(
                again.entries, outcome.entries,
                "a replay gives other entries"
            );
        }
        Err(e) => typed(&e),
    }
}
