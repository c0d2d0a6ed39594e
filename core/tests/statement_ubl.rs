//! The UBL 2.1 Statement XML, re-read: totals agree with the lines and the statement, every
//! amount has its currency and exactly the currency's decimals, hostile text stays text.
//!
//! With `CREDITBOOK_UBL_OUT=<dir>`, `samples_are_consistent` also writes every sample there for
//! `tests/ubl/validate.sh` to check against the OASIS XSD (`make ubl`).
mod fixtures;
mod ubl_check;

use chrono::{TimeZone, Utc};
use creditbook::statement::PaymentLinkShown;
use creditbook::{Actor, Book, Charge, CreditLimit, Customer, Money, OpenAccount, Operation};
use creditbook::{Payment, Permission, Statement, StatementRequest};

use ubl_check::{all, checked, one, parse, LINE};

/// A store in `currency` with one November: a charge, a payment, a refund, amounts given in
/// minor units (so it works for 0 and 3 decimals).
fn minor_units_book(currency: &str, timezone: &str) -> Book {
    let settings = fixtures::settings(currency, timezone);
    let (tz, cur) = (settings.timezone, settings.currency);
    let m = |minor| Money::from_minor(minor, cur);
    let book = Book::new(settings);
    let boss = Actor::new("emp-1").with(Permission::CreditAccountRefund);
    let op = |id: &str, d| Operation::new(id, fixtures::at(tz, 2026, 11, d, 10)).by(boss.clone());
    let open = OpenAccount {
        customer: Customer::new("cust-9", "Yamada Tarō"),
        credit_limit: Some(CreditLimit::Unlimited),
        terms: None,
    };
    book.open_account(
        "C-1",
        &op("o-open", 2)
            .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        open,
    )
    .unwrap();
    let sale = Charge::new(m(1_234_567)).sale("S-1");
    book.charge("C-1", &op("o-1", 3), sale).unwrap();
    book.pay("C-1", &op("o-2", 10), Payment::new(m(34_567)))
        .unwrap();
    book.refund_to_credit("C-1", &op("o-3", 12), m(1_001), Some("S-1"), None)
        .unwrap();
    book
}

const HOSTILE: &str = "<script>alert(\"x&y\")</script> ]]> O'Brien";

/// The fixture with hostile text everywhere and a payment link whose URL has `&` and `<`.
fn hostile() -> Statement {
    let mut settings = fixtures::settings("CAD", "America/Montreal");
    settings.name = format!("{HOSTILE} Hardware");
    settings.statements.header_text = HOSTILE.into();
    settings.statements.cheques_payable_to = "]]><!--".into();
    let book = fixtures::book(settings, HOSTILE, "fr");
    let mut st = fixtures::november(&book, "fr");
    st.payment_link = Some(PaymentLinkShown {
        url: "https://pay.example/p?a=1&b=<2>".into(),
        amount: st.amount_due,
        expires_at: Some(
            Utc.with_ymd_and_hms(2026, 12, 14, 5, 0, 0)
                .unwrap()
                .fixed_offset(),
        ),
    });
    st
}

/// The fixture's book: a Canadian store, a French-speaking customer.
fn cad_book() -> Book {
    let settings = fixtures::settings("CAD", "America/Montreal");
    fixtures::book(settings, "Marie Tremblay", "fr")
}

/// Every sample `make ubl` validates, by file name.
fn samples() -> Vec<(String, Statement)> {
    let cad = cad_book();
    let mut out: Vec<(String, Statement)> = fixtures::LANGUAGES
        .iter()
        .map(|l| (format!("fixture-{l}"), fixtures::november(&cad, l)))
        .collect();
    let december = StatementRequest::new(fixtures::date(2026, 12, 1), fixtures::date(2026, 12, 31));
    out.push((
        "empty-period".into(),
        cad.statement("C-1", &december).unwrap(),
    ));
    out.push(("hostile".into(), hostile()));
    let eur = fixtures::book(
        fixtures::settings("EUR", "Europe/Paris"),
        "Jürgen Müller",
        "de",
    );
    out.push(("eur".into(), fixtures::november(&eur, "de")));
    for (code, tz) in [("JPY", "Asia/Tokyo"), ("KWD", "Asia/Kuwait")] {
        let book = minor_units_book(code, tz);
        out.push((code.to_lowercase(), fixtures::november(&book, "en")));
    }
    out
}

#[test]
fn samples_are_consistent() {
    let dir = std::env::var_os("CREDITBOOK_UBL_OUT").map(std::path::PathBuf::from);
    if let Some(dir) = &dir {
        std::fs::create_dir_all(dir).unwrap();
    }
    for (name, st) in samples() {
        let xml = checked(&st);
        if let Some(dir) = &dir {
            std::fs::write(dir.join(format!("{name}.xml")), xml).unwrap();
        }
    }
}

#[test]
fn empty_period_has_the_brought_forward_line_only() {
    let book = minor_units_book("JPY", "Asia/Tokyo");
    let req = StatementRequest::new(fixtures::date(2026, 12, 1), fixtures::date(2026, 12, 31));
    let st = book.statement("C-1", &req).unwrap();
    assert!(st.lines.is_empty());
    let els = parse(&checked(&st));
    assert_eq!(all(&els, LINE).len(), 1);
    assert_eq!(one(&els, "Statement/cbc:TotalDebitAmount").text, "0");
}

#[test]
fn hostile_text_stays_text() {
    let st = hostile();
    let xml = checked(&st);
    assert!(!xml.contains("<script"), "{xml}");
    assert!(!xml.contains("]]><"), "{xml}");
    assert!(!xml.contains("<!--"), "{xml}");
    let els = parse(&xml);
    let store = "Statement/cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name";
    assert_eq!(one(&els, store).text, st.store.name);
    let payee = "Statement/cac:PayeeParty/cac:PartyName/cbc:Name";
    assert_eq!(one(&els, payee).text, "]]><!--");
    let uri = "Statement/cac:AdditionalDocumentReference/cac:Attachment/cac:ExternalReference";
    assert_eq!(
        one(&els, &format!("{uri}/cbc:URI")).text,
        "https://pay.example/p?a=1&b=<2>"
    );
    assert_eq!(
        one(&els, &format!("{uri}/cbc:ExpiryTime")).text,
        "05:00:00+00:00"
    );
    let notes = all(&els, "Statement/cbc:Note");
    assert!(notes.iter().any(|n| n.text == HOSTILE));
}

#[test]
fn text_xml_cannot_hold_is_refused() {
    let mut st = hostile();
    st.customer.name = "bell\u{7}".into();
    let err = st.to_ubl_xml().unwrap_err();
    assert_eq!(err.code(), 107, "{err}");
}

#[test]
fn fixture_snapshots() {
    let book = cad_book();
    for lang in ["en", "fr"] {
        let xml = checked(&fixtures::november(&book, lang));
        insta::assert_snapshot!(format!("fixture_{lang}"), xml);
    }
}
