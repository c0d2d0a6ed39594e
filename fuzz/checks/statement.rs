//! Statement requests: random periods, statement and due dates, amounts due, languages and numbers
//! through `Book::statement` on a small fixed ledger, then every rendering (HTML, text at a random
//! width, UBL, JSON). Input: 3 flags/width bytes, 4 x 2-byte day offsets, 8 bytes amount due
//! (minor units, LE), then `language SEP number` as text.

use chrono::{DateTime, Days, NaiveDate, Utc};
use creditbook::{
    Actor, Book, Charge, CreditLimit, Currency, Customer, Money, OpenAccount, Operation, Payment,
    Permission, StatementRequest, StoreSettings,
};
use rust_decimal::Decimal;

use super::{fields, take, typed};

const ACCOUNT: &str = "F-1";

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn at(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(17, 0, 0).unwrap().and_utc()
}

/// A store with one account: opened, three charges, a payment, over about two months.
fn ledger() -> Book {
    let settings = StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Montreal").unwrap();
    let book = Book::new(settings);
    let cad = Currency::from_code("CAD").unwrap();
    let manager = Permission::ALL
        .into_iter()
        .fold(Actor::new("manager"), Actor::with);
    let op =
        |id: &str, day: u64| Operation::new(id, at(base() + Days::new(day))).by(manager.clone());
    let mut customer = Customer::new("cust-f", "Fuzz Client");
    customer.language = Some("fr".into());
    let open = OpenAccount {
        customer,
        credit_limit: Some(CreditLimit::Amount(Decimal::new(500_000, 2))),
        terms: None,
    };
    let manager = creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit);
    book.open_account(ACCOUNT, &op("o1", 0).by(manager), open)
        .unwrap();
    let money = |minor: i64| Money::from_minor(minor, cad);
    book.charge(
        ACCOUNT,
        &op("o2", 1),
        Charge::new(money(12_050)).sale("S-1"),
    )
    .unwrap();
    book.charge(
        ACCOUNT,
        &op("o3", 20),
        Charge::new(money(8_000)).sale("S-2"),
    )
    .unwrap();
    book.pay(ACCOUNT, &op("o4", 35), Payment::new(money(5_000)))
        .unwrap();
    book.charge(
        ACCOUNT,
        &op("o5", 50),
        Charge::new(money(99_999)).sale("S-3"),
    )
    .unwrap();
    book
}

thread_local! {
    static BOOK: Book = ledger();
}

/// A date from two bytes: an offset of -16384..16383 days from 2026-03-01, or (offsets at the
/// ends) the first and last dates chrono knows.
fn date(b: [u8; 2]) -> NaiveDate {
    let off = i64::from(i16::from_le_bytes(b)) / 2;
    match off {
        -16384 => NaiveDate::MIN,
        16383 => NaiveDate::MAX,
        _ if off < 0 => base() - Days::new(off.unsigned_abs()),
        _ => base() + Days::new(off.unsigned_abs()),
    }
}

pub fn run(data: &[u8]) {
    let (head, rest) = take::<19>(data);
    let flags = head[0];
    let width = usize::from(head[1]) + usize::from(head[2] & 1) * 256;
    let d = |i: usize| date([head[3 + 2 * i], head[4 + 2 * i]]);
    let minor = i64::from_le_bytes(head[11..19].try_into().unwrap());
    let text = fields(rest, 2);
    let request = StatementRequest {
        from: d(0),
        to: d(1),
        statement_date: (flags & 1 != 0).then(|| d(2)),
        due_date: (flags & 2 != 0).then(|| d(3)),
        amount_due: (flags & 4 != 0).then(|| Decimal::new(minor, u32::from(flags >> 5) % 29)),
        language: (flags & 8 != 0).then(|| text[0].clone()),
        number: (flags & 16 != 0).then(|| text[1].clone()),
    };
    BOOK.with(|book| {
        let st = match book.statement(ACCOUNT, &request) {
            Ok(st) => st,
            Err(e) => return typed(&e),
        };
        match st.to_html() {
            Ok(html) => assert!(!html.is_empty()),
            Err(e) => typed(&e),
        }
        match st.to_text(width) {
            Ok(t) => assert!(
                t.lines().all(|l| l.chars().count() <= width),
                "a line wider than {width}"
            ),
            Err(e) => typed(&e),
        }
        match st.to_ubl_xml() {
            Ok(xml) => assert!(xml.starts_with("<?xml")),
            Err(e) => typed(&e),
        }
        let json: serde_json::Value =
            serde_json::from_str(&st.to_json()).expect("statement JSON parses");
        assert!(json.is_object());
    });
}
