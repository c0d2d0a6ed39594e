//! A till that needs only the ledger, on the packaged crate with `default-features = false`
//! (tests/install/check-rust.sh): it opens an account, charges, is refused over the limit, pays,
//! and reads the figures, with no statement renderer and no email composer built.
use chrono::{TimeZone, Utc};
use creditbook::{
    Actor, Book, Charge, CreditLimit, Customer, Error, Money, OpenAccount, Operation, Payment,
    Permission, StoreSettings,
};

fn main() -> Result<(), Error> {
    let settings = StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Montreal")?;
    let cad = settings.currency;
    let book = Book::new(settings);
    let at = Utc.with_ymd_and_hms(2026, 11, 3, 15, 0, 0).unwrap();
    let manager = Actor::new("emp-4").with(Permission::CreditLimit);
    book.open_account(
        "C-1",
        &Operation::new("op-1", at).by(manager),
        OpenAccount {
            customer: Customer::new("cust-17", "Marie Tremblay"),
            credit_limit: Some(CreditLimit::Amount(Money::parse("500.00", cad)?.amount)),
            terms: None,
        },
    )?;
    book.charge("C-1", &Operation::new("op-2", at), Charge::new(Money::parse("320.00", cad)?))?;
    match book.charge("C-1", &Operation::new("op-3", at), Charge::new(Money::parse("250.00", cad)?)) {
        Err(Error::CreditLimitExceeded { .. }) => println!("refused over the limit"),
        other => panic!("an over-limit charge was not refused: {other:?}"),
    }
    book.pay("C-1", &Operation::new("op-4", at), Payment::new(Money::parse("120.00", cad)?))?;
    let summary = book.summary("C-1", at.date_naive())?;
    println!("balance owed {}", summary.balance_owed);
    Ok(())
}
