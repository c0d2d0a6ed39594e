//! Issue 4, payment links and online payments: the amount rules of a link (above 0, at most the
//! store's cap and, for a balance, what is owed) with their figures, the provider's failures,
//! replays, deposit requests (14 days, a new one cancels the pending one), statements with a
//! "Pay online" link, and provider confirmations recorded exactly once, allocated like any
//! payment, with the receipt and the store's notice, including when the mailer is down and when
//! a till payment races the confirmation.

mod common;
mod fixtures;
mod ports;

use std::sync::atomic::Ordering;
use std::sync::Barrier;

use chrono::{DateTime, Duration, Utc};
use creditbook::links::{self, LinkStatus};
use creditbook::statement::PaymentLinkShown;
use creditbook::{
    Book, Charge, CreditLimit, Customer, Delivery, EntryKind, Error, LinkPurpose, LinkRecord,
    MessageKind, Money, OnlinePayment, OnlinePaymentConfirmation, OpenAccount, Operation, Payment,
    PaymentLink, PaymentLinkRequest, Sent, StatementRequest, StoreSettings, Unusual,
};
use rust_decimal::Decimal;

use common::{allocations, cad, dec, eur, items, limit, money, Shop, ACCOUNT};
use ports::{recorded_messages, RecordingMailer, RecordingProvider};

const STORE_FROM: &str = "billing@lapointe.example";
const STORE_NOTICES: &str = "owner@lapointe.example";
const CUSTOMER: &str = "marie@example.com";

/// A shop whose settings `adjust` changes, with a recording mailer and provider, and account
/// A-1 (Marie Tremblay, marie@example.com, English, limit 200,000) opened on 2026-03-02.
fn shop_with(
    adjust: impl FnOnce(&mut StoreSettings),
) -> (Shop, RecordingMailer, RecordingProvider) {
    let mailer = RecordingMailer::default();
    let provider = RecordingProvider::default();
    let shop = Shop::with(|s| {
        s.messages.from = Some(STORE_FROM.into());
        s.messages.notices_to = Some(STORE_NOTICES.into());
        adjust(s);
    })
    .map_book(|b| {
        b.with_mailer(mailer.clone())
            .with_payment_provider(provider.clone())
    });
    shop.open(ACCOUNT, "Marie Tremblay", limit("200000"))
        .unwrap();
    let customer = Customer {
        email: Some(CUSTOMER.into()),
        language: Some("en".into()),
        ..Customer::new("cust-Marie Tremblay", "Marie Tremblay")
    };
    shop.book
        .update_contact(ACCOUNT, &shop.op(), customer)
        .unwrap();
    (shop, mailer, provider)
}

fn shop() -> (Shop, RecordingMailer, RecordingProvider) {
    shop_with(|_| {})
}

fn balance(reference: &str) -> LinkPurpose {
    LinkPurpose::Balance {
        reference: reference.into(),
    }
}

fn deposit_for(sale: &str) -> LinkPurpose {
    LinkPurpose::Deposit { sale: sale.into() }
}

/// Asks for a link with operation id `op_id`, now.
fn link(
    shop: &Shop,
    op_id: &str,
    amount: Money,
    purpose: LinkPurpose,
) -> creditbook::Result<PaymentLink> {
    shop.book
        .payment_link(ACCOUNT, &shop.op_id(op_id), amount, purpose)
}

fn out_of_range(max: &str, requested: &str) -> Error {
    Error::PaymentLinkAmountOutOfRange {
        min: dec("0.00"),
        max: dec(max),
        requested: dec(requested),
    }
}

/// A provider's report of a completed payment.
fn paid(
    id: &str,
    amount: Money,
    at: DateTime<Utc>,
    link: Option<&str>,
) -> OnlinePaymentConfirmation {
    OnlinePaymentConfirmation {
        provider_payment_id: id.into(),
        amount,
        at,
        link: link.map(String::from),
    }
}

/// The links of the selected account and where each stands.
fn link_states(shop: &Shop) -> Vec<(String, LinkStatus)> {
    links::links(&shop.book.entries(ACCOUNT).unwrap(), shop.now())
        .into_iter()
        .map(|l| (l.record.reference.to_string(), l.status))
        .collect()
}

// ---- payment links: amounts ----

#[test]
fn a_balance_link_asks_above_zero_and_at_most_what_is_owed() {
    let (shop, _, provider) = shop();
    // Nothing owed: no balance link at all.
    let err = shop.refused(|s| link(s, "l-0", money("10.00"), balance("ST-1")));
    assert_eq!(err, out_of_range("0.00", "10.00"));

    shop.invoice("250.00");
    for (amount, requested) in [("250.01", "250.01"), ("0", "0.00"), ("-5", "-5.00")] {
        let err = shop.refused(|s| link(s, "l-1", money(amount), balance("ST-1")));
        assert_eq!(err, out_of_range("250.00", requested), "{amount}");
        assert_eq!(err.code(), 310);
    }
    assert_eq!(
        shop.refused(|s| link(s, "l-1", money("10.001"), balance("ST-1"))),
        Error::TooManyDecimals {
            amount: dec("10.001"),
            currency: "CAD".into(),
            allowed: 2
        }
    );
    assert!(
        provider.made().is_empty(),
        "a refused link costs no provider call"
    );

    let now = shop.now();
    let made = link(&shop, "l-1", money("250"), balance("ST-1")).unwrap();
    let record = LinkRecord {
        reference: "A-1-l-1".into(),
        purpose: balance("ST-1"),
        amount: dec("250.00"),
        url: "https://pay.example/A-1-l-1".into(),
        expires_at: now + Duration::days(30),
    };
    assert_eq!(
        made,
        PaymentLink {
            account: ACCOUNT.into(),
            record: record.clone(),
            replayed: false
        }
    );
    assert_eq!(made.record.amount.scale(), 2);
    assert_eq!(
        provider.made(),
        vec![PaymentLinkRequest {
            account: ACCOUNT.into(),
            amount: dec("250.00"),
            currency: cad(),
            reference: "A-1-l-1".into(),
            purpose: balance("ST-1"),
            expires_at: now + Duration::days(30),
            customer_name: "Marie Tremblay".into(),
        }]
    );
    let last = shop.book.entries(ACCOUNT).unwrap().pop().unwrap();
    assert_eq!(last.kind, EntryKind::PaymentLinkCreated(Box::new(record)));
    // A link is not money.
    shop.assert_balances("250.00", "0.00");
}

#[test]
fn the_stores_cap_bounds_every_link() {
    let (shop, _, _) = shop_with(|s| s.messages.payment_link_max = dec("500"));
    shop.invoice("800.00");
    assert_eq!(
        shop.refused(|s| link(s, "l-1", money("600.00"), balance("ST-1"))),
        out_of_range("500.00", "600.00")
    );
    assert_eq!(
        shop.refused(|s| link(s, "l-2", money("500.01"), deposit_for("S-77"))),
        out_of_range("500.00", "500.01")
    );
    assert_eq!(
        link(&shop, "l-3", money("500.00"), balance("ST-1"))
            .unwrap()
            .record
            .amount,
        dec("500.00")
    );
    assert_eq!(
        link(&shop, "l-4", money("500.00"), deposit_for("S-77"))
            .unwrap()
            .record
            .amount,
        dec("500.00")
    );
}

#[test]
fn the_default_cap_is_100_000() {
    let (shop, _, _) = shop();
    assert_eq!(
        shop.book.settings().messages.payment_link_max,
        dec("100000")
    );
    shop.invoice("150000.00");
    assert_eq!(
        shop.refused(|s| link(s, "l-1", money("100000.01"), balance("ST-1"))),
        out_of_range("100000.00", "100000.01")
    );
    // A deposit request is not bounded by what is owed, only by the cap.
    assert_eq!(
        shop.refused(|s| link(s, "l-2", money("100000.01"), deposit_for("S-77"))),
        out_of_range("100000.00", "100000.01")
    );
    assert!(link(&shop, "l-3", money("100000"), balance("ST-1")).is_ok());
    assert!(link(&shop, "l-4", money("100000"), deposit_for("S-77")).is_ok());
}

#[test]
fn a_deposit_request_needs_nothing_owed() {
    let (shop, _, _) = shop();
    let made = link(&shop, "l-1", money("75.00"), deposit_for("S-77")).unwrap();
    assert_eq!(made.record.amount, dec("75.00"));
    assert_eq!(
        shop.refused(|s| link(s, "l-2", money("0"), deposit_for("S-77"))),
        out_of_range("100000.00", "0.00")
    );
}

#[test]
fn a_yen_store_has_its_cap_in_yen() {
    let mut settings = StoreSettings::new("Tokyo Kanamono", "JPY", "Asia/Tokyo").unwrap();
    settings.messages.payment_link_max = dec("50000");
    let jpy = settings.currency;
    let provider = RecordingProvider::default();
    let book = Book::new(settings).with_payment_provider(provider.clone());
    let at = common::utc(2026, 11, 10, 3, 0);
    let op = |id: &str| Operation::new(id, at);
    book.open_account(
        "J-1",
        &op("open").by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        OpenAccount {
            customer: Customer::new("cust-j1", "Sato Hanako"),
            credit_limit: Some(CreditLimit::Amount(dec("200000"))),
            terms: None,
        },
    )
    .unwrap();
    book.charge(
        "J-1",
        &op("charge"),
        Charge::new(Money::new(dec("80000"), jpy)),
    )
    .unwrap();
    let yen = |s: &str| Money::new(dec(s), jpy);
    let balance_link =
        |id: &str, amount: &str| book.payment_link("J-1", &op(id), yen(amount), balance("ST-J"));
    assert_eq!(
        balance_link("l-1", "50001"),
        Err(Error::PaymentLinkAmountOutOfRange {
            min: dec("0"),
            max: dec("50000"),
            requested: dec("50001")
        })
    );
    assert_eq!(
        balance_link("l-1", "0.5"),
        Err(Error::TooManyDecimals {
            amount: dec("0.5"),
            currency: "JPY".into(),
            allowed: 0
        })
    );
    let made = balance_link("l-1", "50000").unwrap();
    assert_eq!(made.record.amount, dec("50000"));
    assert_eq!(made.record.amount.scale(), 0);
    assert_eq!(provider.made()[0].currency, jpy);
    // A CAD amount in a yen store.
    assert_eq!(
        book.payment_link("J-1", &op("l-2"), money("10"), balance("ST-J")),
        Err(Error::CurrencyMismatch {
            expected: "JPY".into(),
            got: "CAD".into()
        })
    );
    // The statement's 80,000 yen are above the cap: no link, and it says why.
    let request = StatementRequest::new(common::day(2026, 11, 1), common::day(2026, 11, 30));
    let st = book
        .statement_with_link("J-1", &request, &op("l-3"), None)
        .unwrap();
    assert_eq!(st.amount_due, dec("80000"));
    assert_eq!(st.payment_link, None);
    assert_eq!(st.payment_link_omitted, Some(dec("50000")));
    assert_eq!(provider.made().len(), 1);
}

#[test]
fn a_link_in_another_currency_is_refused() {
    let (shop, _, provider) = shop();
    shop.invoice("100.00");
    let err = shop.refused(|s| link(s, "l-1", eur("10.00"), balance("ST-1")));
    assert_eq!(
        err,
        Error::CurrencyMismatch {
            expected: "CAD".into(),
            got: "EUR".into()
        }
    );
    assert!(provider.made().is_empty());
}

// ---- payment links: the provider ----

#[test]
fn when_the_provider_is_down_nothing_is_recorded() {
    let (shop, _, provider) = shop();
    shop.invoice("100.00");
    provider.down.store(true, Ordering::SeqCst);
    let err = shop.refused(|s| link(s, "l-1", money("100.00"), balance("ST-1")));
    assert_eq!(
        err,
        Error::PaymentProviderFailed {
            code: 503,
            message: "provider unavailable".into()
        }
    );
    assert_eq!(err.code(), 605);
    // Back up: the same operation id is decided afresh.
    provider.down.store(false, Ordering::SeqCst);
    let made = link(&shop, "l-1", money("100.00"), balance("ST-1")).unwrap();
    assert!(!made.replayed);
    assert_eq!(provider.made().len(), 1);
}

#[test]
fn links_need_a_payment_provider() {
    let shop = Shop::with_account("1000");
    shop.invoice("100.00");
    let err = shop.refused(|s| link(s, "l-1", money("100.00"), balance("ST-1")));
    assert_eq!(
        err,
        Error::PortMissing {
            port: "payment provider"
        }
    );
    assert_eq!(err.code(), 606);
}

#[test]
fn replaying_a_links_operation_returns_the_same_link() {
    let (shop, _, provider) = shop();
    shop.invoice("300.00");
    let first = link(&shop, "l-1", money("120.00"), balance("ST-1")).unwrap();
    assert!(!first.replayed);
    let entries = shop.entry_count();
    let again = link(&shop, "l-1", money("120.00"), balance("ST-1")).unwrap();
    assert_eq!(
        again,
        PaymentLink {
            replayed: true,
            ..first.clone()
        }
    );
    assert_eq!(provider.made().len(), 1, "the provider is not called again");
    assert_eq!(shop.entry_count(), entries);
    // Another amount or purpose under the same operation id is another operation: refused.
    for (amount, purpose) in [("150.00", balance("ST-1")), ("120.00", deposit_for("S-1"))] {
        assert_eq!(
            shop.refused(|s| link(s, "l-1", money(amount), purpose.clone())),
            Error::OperationIdConflict {
                op_id: "l-1".into()
            }
        );
    }
    // An operation id that recorded something else is not a link.
    let charge = shop.op_id("c-1");
    shop.book
        .charge(ACCOUNT, &charge, Charge::new(money("10.00")))
        .unwrap();
    assert_eq!(
        shop.refused(|s| link(s, "c-1", money("10.00"), balance("ST-1"))),
        Error::OperationIdConflict {
            op_id: "c-1".into()
        }
    );
    assert_eq!(provider.made().len(), 1);
}

// ---- deposit requests ----

#[test]
fn a_deposit_request_expires_after_14_days_and_a_new_one_cancels_it() {
    let (shop, _, provider) = shop();
    let first_at = shop.now();
    let first = link(&shop, "d-1", money("200.00"), deposit_for("S-77")).unwrap();
    assert_eq!(first.record.expires_at, first_at + Duration::days(14));
    assert_eq!(provider.made()[0].expires_at, first_at + Duration::days(14));
    assert_eq!(provider.made()[0].purpose, deposit_for("S-77"));
    // Another sale's request does not touch it.
    link(&shop, "d-2", money("50.00"), deposit_for("S-78")).unwrap();

    shop.advance(3);
    let second_at = shop.now();
    let second = shop
        .book
        .payment_link(
            ACCOUNT,
            &shop.op_id("d-3"),
            money("250.00"),
            deposit_for("S-77"),
        )
        .unwrap();
    assert_eq!(second.record.expires_at, second_at + Duration::days(14));
    let recorded: Vec<EntryKind> = shop
        .book
        .entries(ACCOUNT)
        .unwrap()
        .into_iter()
        .filter(|e| e.op_id == "d-3")
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        recorded,
        vec![
            EntryKind::PaymentLinkCancelled {
                reference: "A-1-d-1".into()
            },
            EntryKind::PaymentLinkCreated(Box::new(second.record.clone())),
        ]
    );
    assert_eq!(
        link_states(&shop),
        vec![
            ("A-1-d-1".into(), LinkStatus::Cancelled),
            ("A-1-d-2".into(), LinkStatus::Pending),
            ("A-1-d-3".into(), LinkStatus::Pending),
        ]
    );

    // Paid, the request becomes a deposit; a newer request leaves a paid one alone.
    let confirmation = paid("pi_d3", money("250.00"), shop.now(), Some("A-1-d-3"));
    shop.book
        .confirm_online_payment(ACCOUNT, &confirmation)
        .unwrap();
    link(&shop, "d-4", money("100.00"), deposit_for("S-77")).unwrap();
    assert_eq!(
        link_states(&shop),
        vec![
            ("A-1-d-1".into(), LinkStatus::Cancelled),
            ("A-1-d-2".into(), LinkStatus::Pending),
            ("A-1-d-3".into(), LinkStatus::Paid),
            ("A-1-d-4".into(), LinkStatus::Pending),
        ]
    );
    // A new balance link cancels no deposit request.
    shop.invoice("40.00");
    link(&shop, "b-1", money("40.00"), balance("ST-1")).unwrap();
    assert_eq!(link_states(&shop)[3].1, LinkStatus::Pending);
}

// ---- statements with a "Pay online" link ----

fn fixture_book(settings: StoreSettings) -> (Book, RecordingProvider) {
    let provider = RecordingProvider::default();
    let book =
        fixtures::book(settings, "Marie Tremblay", "en").with_payment_provider(provider.clone());
    (book, provider)
}

fn november() -> StatementRequest {
    StatementRequest::new(fixtures::date(2026, 11, 1), fixtures::date(2026, 11, 30))
}

fn link_op() -> Operation {
    Operation::new("link-nov", common::utc(2026, 12, 1, 14, 0))
}

#[test]
fn a_link_made_apart_is_shown_on_a_copy_of_the_statement_in_the_stores_time() {
    let settings = fixtures::settings("CAD", "America/Montreal");
    let tz = settings.timezone;
    let (book, _provider) = fixture_book(settings);
    let st = book.statement("C-1", &november()).unwrap();
    assert_eq!(st.payment_link, None);
    let link = book
        .payment_link("C-1", &link_op(), money("50.00"), balance(&st.number))
        .unwrap();
    let shown = st.with_payment_link(&link, tz).unwrap();
    // Made 2026-12-01 14:00 UTC, valid 30 days: 2026-12-31 09:00 in Montreal (UTC-5).
    let expires = shown
        .payment_link
        .as_ref()
        .and_then(|l| l.expires_at)
        .unwrap();
    assert_eq!(expires.to_rfc3339(), "2026-12-31T09:00:00-05:00");
    assert_eq!(
        shown
            .payment_link
            .as_ref()
            .map(|l| (l.url.as_str(), l.amount)),
        Some(("https://pay.example/C-1-link-nov", dec("50.00")))
    );
    // The statement itself is a value: unchanged.
    assert_eq!(st.payment_link, None);
    assert_eq!(shown.closing_balance, st.closing_balance);

    // A link of another account is refused.
    let mut other = link.clone();
    other.account = "C-2".into();
    assert!(matches!(
        st.with_payment_link(&other, tz),
        Err(Error::InvalidInput { field: "link", .. })
    ));
}

#[test]
fn a_statement_shows_its_link_as_pay_online_in_every_format() {
    let (book, provider) = fixture_book(fixtures::settings("CAD", "America/Montreal"));
    let st = book
        .statement_with_link("C-1", &november(), &link_op(), None)
        .unwrap();
    let url = "https://pay.example/C-1-link-nov";
    assert_eq!(
        st.payment_link,
        Some(PaymentLinkShown {
            url: url.into(),
            amount: dec("919.76"),
            expires_at: Some(common::utc(2026, 12, 31, 14, 0).fixed_offset()),
        })
    );
    assert_eq!(st.payment_link_omitted, None);
    let request = &provider.made()[0];
    assert_eq!(request.purpose, balance("C-1-20261130"));
    assert_eq!(request.amount, dec("919.76"));
    assert_eq!(request.reference, "C-1-link-nov");

    let text = st.to_text(80).unwrap();
    assert!(
        text.contains("Pay online (link valid until December 31, 2026"),
        "{text}"
    );
    assert!(text.contains(url));
    let html = st.to_html().unwrap();
    assert!(html.contains("Pay online"));
    assert!(html.contains(url));
    let ubl = st.to_ubl_xml().unwrap();
    assert!(ubl.contains("Pay online"));
    assert!(ubl.contains(url));

    // The email says it too, and links it.
    let m = book.compose_statement_email(&st, None).unwrap();
    assert!(m.text.contains(&format!("\n\nPay online: {url}\n\n")));
    assert!(m
        .html
        .contains(&format!("<p>Pay online: <a href=\"{url}\">{url}</a></p>")));

    // The same statement run again: the same link, no second call.
    let again = book
        .statement_with_link("C-1", &november(), &link_op(), None)
        .unwrap();
    assert_eq!(again.payment_link, st.payment_link);
    assert_eq!(provider.made().len(), 1);
}

#[test]
fn a_statement_link_asks_at_most_what_is_owed_now() {
    // Paid in part since the statement date: the statement still shows its amount due, the link
    // asks what is owed now (a link for more would be refused, and the statement must not fail).
    let (book, provider) = fixture_book(fixtures::settings("CAD", "America/Montreal"));
    let op = Operation::new("pay-dec", common::utc(2026, 12, 1, 15, 0));
    book.pay("C-1", &op, Payment::new(money("500.00"))).unwrap();
    let st = book
        .statement_with_link("C-1", &november(), &link_op(), None)
        .unwrap();
    assert_eq!(st.amount_due, dec("919.76"));
    assert_eq!(st.payment_link.unwrap().amount, dec("419.76"));
    assert_eq!(provider.made()[0].amount, dec("419.76"));
}

#[test]
fn a_statement_above_the_cap_gets_no_link_and_says_why() {
    let mut settings = fixtures::settings("CAD", "America/Montreal");
    settings.messages.payment_link_max = dec("500");
    let (book, provider) = fixture_book(settings);
    let before = book.entries("C-1").unwrap().len();
    let st = book
        .statement_with_link("C-1", &november(), &link_op(), None)
        .unwrap();
    assert_eq!(st.amount_due, dec("919.76"));
    assert_eq!(st.payment_link, None);
    assert_eq!(st.payment_link_omitted, Some(dec("500.00")));
    assert!(provider.made().is_empty());
    assert_eq!(book.entries("C-1").unwrap().len(), before);
    let text = st.to_text(120).unwrap();
    assert!(
        text.contains(
            "No online payment link: the amount due is above the $500.00 limit for online payments."
        ),
        "{text}"
    );
}

#[test]
fn no_link_when_nothing_is_due_or_the_store_does_not_want_one() {
    let (book, provider) = fixture_book(fixtures::settings("CAD", "America/Montreal"));
    let mut nothing_due = november();
    nothing_due.amount_due = Some(Decimal::ZERO);
    let st = book
        .statement_with_link("C-1", &nothing_due, &link_op(), Some(true))
        .unwrap();
    assert_eq!((st.payment_link, st.payment_link_omitted), (None, None));
    let st = book
        .statement_with_link("C-1", &november(), &link_op(), Some(false))
        .unwrap();
    assert_eq!(st.payment_link, None);
    assert!(provider.made().is_empty());

    // A store that does not include links by default: none, unless the caller asks.
    let mut settings = fixtures::settings("CAD", "America/Montreal");
    settings.messages.include_payment_link = false;
    let (book, provider) = fixture_book(settings);
    let st = book
        .statement_with_link("C-1", &november(), &link_op(), None)
        .unwrap();
    assert_eq!(st.payment_link, None);
    assert!(provider.made().is_empty());
    let st = book
        .statement_with_link("C-1", &november(), &link_op(), Some(true))
        .unwrap();
    assert_eq!(st.payment_link.unwrap().amount, dec("919.76"));
}

#[test]
fn without_a_provider_a_statement_has_no_link_unless_one_is_asked_for() {
    let book = fixtures::book(
        fixtures::settings("CAD", "America/Montreal"),
        "Marie Tremblay",
        "en",
    );
    assert!(book.settings().messages.include_payment_link);
    let st = book
        .statement_with_link("C-1", &november(), &link_op(), None)
        .unwrap();
    assert_eq!(st.payment_link, None);
    assert_eq!(
        book.statement_with_link("C-1", &november(), &link_op(), Some(true)),
        Err(Error::PortMissing {
            port: "payment provider"
        })
    );
}

// ---- online payments ----

#[test]
fn an_online_payment_is_recorded_once_per_provider_payment_id() {
    let (shop, mailer, _) = shop();
    let a = shop.invoice("100.00");
    let b = shop.invoice("50.00");
    let at = shop.now();
    let first = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_1", money("120.00"), at, None))
        .unwrap();
    assert!(!first.outcome.replayed);
    assert_eq!(first.outcome.entries.len(), 1);
    assert_eq!(
        first.outcome.entry().kind,
        EntryKind::Payment {
            amount: dec("120.00"),
            reference: None,
            online: Some(Box::new(OnlinePayment {
                provider_payment_id: "pi_1".into(),
                link: None,
                unusual: vec![],
            })),
        }
    );
    assert_eq!(first.outcome.entry().at, at);
    assert_eq!(
        allocations(&first.outcome),
        items(&[(a, "100.00"), (b, "20.00")])
    );
    shop.assert_balances("30.00", "0.00");
    let sent = |n: &str| Sent {
        delivery_id: n.into(),
        already_delivered: false,
    };
    let (receipt, receipt_sent) = first.receipt.unwrap();
    assert_eq!(receipt_sent, Ok(sent("delivery-1")));
    assert_eq!(receipt.kind, MessageKind::Receipt);
    let (notice, notice_sent) = first.notice.unwrap();
    assert_eq!(notice_sent, Ok(sent("delivery-2")));
    assert_eq!(notice.kind, MessageKind::StoreNotice);
    let entries = shop.entry_count();

    // The provider reports it again, later: nothing recorded, nothing sent, the first result.
    let replay = shop
        .book
        .confirm_online_payment(
            ACCOUNT,
            &paid("pi_1", money("120.00"), at + Duration::hours(2), None),
        )
        .unwrap();
    assert!(replay.outcome.replayed);
    assert_eq!(replay.outcome.entries, first.outcome.entries);
    assert!(replay.receipt.is_none() && replay.notice.is_none());
    assert_eq!(mailer.delivered().len(), 2);
    assert_eq!(shop.entry_count(), entries);
    shop.assert_balances("30.00", "0.00");

    // The same payment id with another amount is not the same payment: refused, nothing recorded.
    assert_eq!(
        shop.refused(|s| s
            .book
            .confirm_online_payment(ACCOUNT, &paid("pi_1", money("99.00"), at, None))),
        Error::OperationIdConflict {
            op_id: "online-pi_1".into()
        }
    );
    assert_eq!(mailer.delivered().len(), 2);
}

#[test]
fn an_online_overpayment_is_kept_as_credit() {
    let (shop, _, _) = shop();
    let a = shop.invoice("30.00");
    let outcome = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_2", money("50.00"), shop.now(), None))
        .unwrap()
        .outcome;
    assert_eq!(allocations(&outcome), items(&[(a, "30.00")]));
    shop.assert_balances("0.00", "20.00");
    assert!(shop.open_items().is_empty());
}

#[test]
fn an_online_payment_is_allocated_oldest_due_first() {
    let (shop, _, _) = shop();
    let late = shop
        .charge_due("60.00", common::day(2026, 6, 1))
        .unwrap()
        .invoice()
        .unwrap();
    let early = shop
        .charge_due("40.00", common::day(2026, 4, 1))
        .unwrap()
        .invoice()
        .unwrap();
    let outcome = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_3", money("70.00"), shop.now(), None))
        .unwrap()
        .outcome;
    assert_eq!(
        allocations(&outcome),
        items(&[(early, "40.00"), (late, "30.00")])
    );
    shop.assert_balances("30.00", "0.00");
}

#[test]
fn a_payment_through_a_balance_link() {
    let (shop, _, _) = shop();
    let a = shop.invoice("100.00");
    let made = link(&shop, "l-1", money("80.00"), balance("ST-1")).unwrap();
    let reference = made.record.reference.to_string();
    let outcome = shop
        .book
        .confirm_online_payment(
            ACCOUNT,
            &paid("pi_4", money("80"), shop.now(), Some(&reference)),
        )
        .unwrap()
        .outcome;
    assert_eq!(
        outcome.entry().kind,
        EntryKind::Payment {
            amount: dec("80.00"),
            reference: Some(reference.as_str().into()),
            online: Some(Box::new(OnlinePayment {
                provider_payment_id: "pi_4".into(),
                link: Some(reference.as_str().into()),
                unusual: vec![],
            })),
        }
    );
    assert_eq!(allocations(&outcome), items(&[(a, "80.00")]));
    shop.assert_balances("20.00", "0.00");
    assert_eq!(link_states(&shop), vec![(reference, LinkStatus::Paid)]);
}

#[test]
fn a_payment_through_a_deposit_request_is_a_deposit() {
    let (shop, _, _) = shop();
    shop.invoice("100.00");
    let made = link(&shop, "d-1", money("200.00"), deposit_for("S-77")).unwrap();
    let reference = made.record.reference.to_string();
    let confirmed = shop
        .book
        .confirm_online_payment(
            ACCOUNT,
            &paid("pi_5", money("200.00"), shop.now(), Some(&reference)),
        )
        .unwrap();
    assert_eq!(
        confirmed.outcome.entry().kind,
        EntryKind::Deposit {
            amount: dec("200.00"),
            reference: Some("S-77".into()),
            online: Some(Box::new(OnlinePayment {
                provider_payment_id: "pi_5".into(),
                link: Some(reference.as_str().into()),
                unusual: vec![],
            })),
        }
    );
    assert!(allocations(&confirmed.outcome).is_empty());
    // Store credit, not netted against what is owed.
    shop.assert_balances("100.00", "200.00");
    let receipt = confirmed.receipt.unwrap().0;
    assert!(receipt
        .text
        .contains("Balance owed now: $100.00. Store credit: $200.00."));
}

#[test]
fn a_confirmation_that_cannot_be_money_of_the_account_is_refused_and_recorded_nowhere() {
    let (shop, mailer, _) = shop();
    shop.invoice("100.00");
    let reference = link(&shop, "l-1", money("80.00"), balance("ST-1"))
        .unwrap()
        .record
        .reference
        .to_string();
    let now = shop.now();
    // Another currency cannot be recorded on a CAD account, and nothing is no payment.
    let cases = [
        (
            paid("pi_6", eur("80.00"), now, Some(&reference)),
            Error::CurrencyMismatch {
                expected: "CAD".into(),
                got: "EUR".into(),
            },
            103,
        ),
        (
            paid("pi_6", eur("80.00"), now, None),
            Error::CurrencyMismatch {
                expected: "CAD".into(),
                got: "EUR".into(),
            },
            103,
        ),
        (
            paid("pi_6", money("0"), now, None),
            Error::AmountNotPositive { amount: dec("0") },
            100,
        ),
    ];
    for (confirmation, expected, code) in cases {
        let err = shop.refused(|s| s.book.confirm_online_payment(ACCOUNT, &confirmation));
        assert_eq!(err, expected);
        assert_eq!(err.code(), code);
    }
    let err = shop.refused(|s| {
        s.book
            .confirm_online_payment(ACCOUNT, &paid("", money("1.00"), now, None))
    });
    common::assert_invalid(err, "provider payment id");
    assert!(mailer.delivered().is_empty());
    assert_eq!(mailer.attempted(), 0);
    shop.assert_balances("100.00", "0.00");
    // The same payment id, right this time, is decided afresh.
    let ok = shop
        .book
        .confirm_online_payment(
            ACCOUNT,
            &paid("pi_6", money("80.00"), now, Some(&reference)),
        )
        .unwrap();
    assert!(!ok.outcome.replayed);
    shop.assert_balances("20.00", "0.00");
}

/// The flags recorded on a confirmed payment's entry.
fn unusual_of(confirmed: &creditbook::Confirmed) -> Vec<Unusual> {
    match &confirmed.outcome.entry().kind {
        EntryKind::Payment {
            online: Some(o), ..
        }
        | EntryKind::Deposit {
            online: Some(o), ..
        } => o.unusual.clone(),
        other => panic!("not an online payment: {other:?}"),
    }
}

#[test]
fn money_received_is_recorded_whatever_its_link_says_and_flagged() {
    let (shop, _mailer, _) = shop();
    shop.invoice("300.00");
    let asked = |op: &str, amount: &str| {
        link(&shop, op, money(amount), balance(op))
            .unwrap()
            .record
            .reference
            .to_string()
    };
    let confirm = |id: &str, amount: &str, link: Option<&str>, at: DateTime<Utc>| {
        shop.book
            .confirm_online_payment(ACCOUNT, &paid(id, money(amount), at, link))
            .unwrap()
    };
    let now = shop.now();
    // Another amount than the link's: recorded for what arrived, allocated like any payment.
    let l1 = asked("l-1", "80.00");
    let c = confirm("pi_20", "79.99", Some(&l1), now);
    assert_eq!(
        unusual_of(&c),
        vec![Unusual::AmountDiffers {
            asked: dec("80.00")
        }]
    );
    shop.assert_balances("220.01", "0.00");
    let notice = c.notice.unwrap().0;
    assert!(
        notice
            .text
            .contains("Please check this payment: the link asked $80.00."),
        "{}",
        notice.text
    );
    // A second payment through the same link.
    let c = confirm("pi_21", "10.00", Some(&l1), now);
    assert_eq!(
        unusual_of(&c),
        vec![
            Unusual::AmountDiffers {
                asked: dec("80.00")
            },
            Unusual::LinkAlreadyPaid
        ]
    );
    // A link no one made: recorded as a payment, flagged.
    let c = confirm("pi_22", "5.00", Some("A-1-nope"), now);
    assert_eq!(unusual_of(&c), vec![Unusual::LinkUnknown]);
    // A link past its expiry (30 days by default).
    let l2 = asked("l-2", "20.00");
    let late = now + Duration::days(31);
    let c = confirm("pi_23", "20.00", Some(&l2), late);
    assert_eq!(unusual_of(&c), vec![Unusual::LinkExpired]);
    shop.go_to(late.date_naive());
    shop.assert_balances("185.01", "0.00");
    // Each was recorded once: the provider's retries are replays.
    assert!(confirm("pi_23", "20.00", Some(&l2), late).outcome.replayed);
    shop.assert_balances("185.01", "0.00");
}

#[test]
fn a_deposit_request_expires_and_its_late_payment_is_still_a_deposit() {
    let (shop, _mailer, _) = shop();
    let first = link(&shop, "d-1", money("50.00"), deposit_for("S-9")).unwrap();
    let made = shop.now();
    // 14 days (the store's deposit_request_days): pending the day before, expired from then.
    let expiry = made + Duration::days(14);
    assert_eq!(first.record.expires_at, expiry);
    let status = |at| {
        shop.book
            .payment_links(ACCOUNT, at)
            .unwrap()
            .into_iter()
            .map(|l| (l.record.reference.to_string(), l.status))
            .collect::<Vec<_>>()
    };
    let reference = first.record.reference.to_string();
    assert_eq!(
        status(expiry - Duration::minutes(1)),
        vec![(reference.clone(), LinkStatus::Pending)]
    );
    // The activity says so too: the request as it stands at the end of the last day shown.
    let link_line = |to: chrono::NaiveDate| {
        shop.book
            .activity(
                ACCOUNT,
                &creditbook::ActivityQuery::between(common::day(2026, 1, 1), to),
            )
            .unwrap()
            .into_iter()
            .find(|l| matches!(l.entry.kind, EntryKind::PaymentLinkCreated(_)))
            .and_then(|l| l.link_status)
    };
    let expiry_day = expiry
        .with_timezone(&chrono_tz::America::Montreal)
        .date_naive();
    assert_eq!(
        link_line(expiry_day.pred_opt().unwrap()),
        Some(LinkStatus::Pending)
    );
    assert_eq!(link_line(expiry_day), Some(LinkStatus::Expired));
    assert_eq!(
        status(expiry),
        vec![(reference.clone(), LinkStatus::Expired)]
    );
    // A new request for the sale after the expiry is allowed, and does not cancel the expired
    // one (nothing to cancel).
    let second = shop
        .book
        .payment_link(
            ACCOUNT,
            &Operation::new("d-2", expiry + Duration::hours(1)),
            money("50.00"),
            deposit_for("S-9"),
        )
        .unwrap();
    let later = expiry + Duration::hours(2);
    assert_eq!(
        status(later),
        vec![
            (reference.clone(), LinkStatus::Expired),
            (second.record.reference.to_string(), LinkStatus::Pending)
        ]
    );
    // The customer pays through the expired link anyway: it is a deposit, flagged.
    let c = shop
        .book
        .confirm_online_payment(
            ACCOUNT,
            &paid("pi_30", money("50.00"), later, Some(&reference)),
        )
        .unwrap();
    assert!(matches!(c.outcome.entry().kind, EntryKind::Deposit { .. }));
    assert_eq!(unusual_of(&c), vec![Unusual::LinkExpired]);
    shop.go_to(later.date_naive());
    shop.assert_balances("0.00", "50.00");
    assert_eq!(status(later)[0].1, LinkStatus::Paid);
}

#[test]
fn the_receipt_goes_to_the_customer_and_the_notice_to_the_store() {
    let (shop, mailer, _) = shop();
    shop.invoice("150.00");
    let confirmed = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_7", money("120.00"), shop.now(), None))
        .unwrap();
    let (receipt, _) = confirmed.receipt.unwrap();
    assert_eq!(receipt.id, receipt.content_id());
    assert_eq!(receipt.to, vec![CUSTOMER.to_string()]);
    assert_eq!(receipt.from.as_deref(), Some(STORE_FROM));
    assert_eq!(receipt.subject, "Payment received: $120.00");
    assert_eq!(
        receipt.text,
        "Hello Marie Tremblay,\n\n\
         Thank you: we received your payment of $120.00 on March 2, 2026.\n\n\
         Balance owed now: $30.00. Store credit: $0.00.\n\n\
         Payment reference: pi_7.\n\n\
         Quincaillerie Lapointe\n"
    );
    let (notice, _) = confirmed.notice.unwrap();
    assert_eq!(notice.id, notice.content_id());
    assert_eq!(notice.to, vec![STORE_NOTICES.to_string()]);
    assert_eq!(
        notice.subject,
        "Online payment from Marie Tremblay: $120.00"
    );
    assert_eq!(
        notice.text,
        "Marie Tremblay (account A-1) paid $120.00 online on March 2, 2026, provider payment pi_7.\n\n\
         Quincaillerie Lapointe\n"
    );
    assert_eq!(mailer.delivered(), vec![receipt.clone(), notice.clone()]);
    let records: Vec<_> = recorded_messages(&shop.book, ACCOUNT)
        .into_iter()
        .map(|(m, _)| (m.message_id, m.kind, m.to, m.delivery))
        .collect();
    assert_eq!(
        records,
        vec![
            (
                receipt.id.clone(),
                MessageKind::Receipt,
                vec![CUSTOMER.into()],
                Delivery::Delivered {
                    delivery_id: "delivery-1".into()
                }
            ),
            (
                notice.id.clone(),
                MessageKind::StoreNotice,
                vec![STORE_NOTICES.into()],
                Delivery::Delivered {
                    delivery_id: "delivery-2".into()
                }
            ),
        ]
    );
}

#[test]
fn the_notice_goes_to_the_sender_address_without_a_notices_address() {
    let (shop, _, _) = shop_with(|s| s.messages.notices_to = None);
    let confirmed = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_8", money("10.00"), shop.now(), None))
        .unwrap();
    assert_eq!(confirmed.notice.unwrap().0.to, vec![STORE_FROM.to_string()]);

    // A store without any address: the receipt still goes out, no notice is composed.
    let (shop, mailer, _) = shop_with(|s| {
        s.messages.notices_to = None;
        s.messages.from = None;
    });
    let confirmed = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_9", money("10.00"), shop.now(), None))
        .unwrap();
    assert!(confirmed.notice.is_none());
    let (receipt, sent) = confirmed.receipt.unwrap();
    assert_eq!(receipt.from, None);
    assert!(sent.is_ok());
    assert_eq!(mailer.delivered().len(), 1);
}

#[test]
fn a_customer_without_an_email_gets_no_receipt_but_the_store_is_told() {
    let (shop, mailer, _) = shop();
    let customer = Customer {
        language: Some("en".into()),
        ..Customer::new("cust-Marie Tremblay", "Marie Tremblay")
    };
    shop.book
        .update_contact(ACCOUNT, &shop.op(), customer)
        .unwrap();
    let confirmed = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_10", money("10.00"), shop.now(), None))
        .unwrap();
    assert!(confirmed.receipt.is_none());
    assert_eq!(
        confirmed.notice.unwrap().0.to,
        vec![STORE_NOTICES.to_string()]
    );
    assert_eq!(mailer.delivered().len(), 1);
    shop.assert_balances("0.00", "10.00");
}

#[test]
fn when_the_mailer_is_down_the_payment_is_recorded_and_the_receipt_failed() {
    let (shop, mailer, _) = shop();
    shop.invoice("100.00");
    mailer.set_down(true);
    let at = shop.now();
    let confirmed = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_11", money("100.00"), at, None))
        .unwrap();
    assert!(!confirmed.outcome.replayed);
    shop.assert_balances("0.00", "0.00");
    let down = Error::DeliveryFailed {
        code: 421,
        message: "mail server down".into(),
    };
    let (receipt, sent) = confirmed.receipt.unwrap();
    assert_eq!(sent, Err(down.clone()));
    let (notice, sent) = confirmed.notice.unwrap();
    assert_eq!(sent, Err(down));
    let notice_id = notice.id;
    let failed = Delivery::Failed {
        code: 421,
        reason: "mail server down".into(),
    };
    let deliveries = |shop: &Shop| -> Vec<(String, Delivery)> {
        recorded_messages(&shop.book, ACCOUNT)
            .into_iter()
            .map(|(m, _)| (m.message_id, m.delivery))
            .collect()
    };
    assert_eq!(
        deliveries(&shop),
        vec![
            (receipt.id.clone(), failed.clone()),
            (notice_id.clone(), failed.clone()),
        ]
    );
    // The provider's retry of the confirmation changes nothing and sends nothing.
    let replay = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_11", money("100.00"), at, None))
        .unwrap();
    assert!(replay.outcome.replayed && replay.receipt.is_none());
    assert_eq!(mailer.attempted(), 2);
    // The mailer is back: the receipt is sent again and recorded as delivered.
    mailer.set_down(false);
    assert_eq!(
        shop.book.send(&receipt, at + Duration::minutes(5)),
        Ok(Sent {
            delivery_id: "delivery-3".into(),
            already_delivered: false
        })
    );
    assert_eq!(
        deliveries(&shop).last().unwrap(),
        &(
            receipt.id.clone(),
            Delivery::Delivered {
                delivery_id: "delivery-3".into()
            }
        )
    );
    shop.assert_balances("0.00", "0.00");
}

#[test]
fn without_a_mailer_the_payment_is_recorded_and_nothing_is_sent() {
    let shop = Shop::with_account("1000");
    shop.invoice("100.00");
    let confirmed = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_12", money("60.00"), shop.now(), None))
        .unwrap();
    assert!(confirmed.receipt.is_none() && confirmed.notice.is_none());
    shop.assert_balances("40.00", "0.00");
}

#[test]
fn money_that_arrived_online_is_recorded_on_an_archived_account() {
    let (shop, _, _) = shop();
    shop.invoice("100.00");
    shop.book.archive(ACCOUNT, &shop.op()).unwrap();
    let confirmed = shop
        .book
        .confirm_online_payment(ACCOUNT, &paid("pi_13", money("100.00"), shop.now(), None))
        .unwrap();
    assert!(!confirmed.outcome.replayed);
    shop.assert_balances("0.00", "0.00");
}

#[test]
fn a_confirmation_racing_a_till_payment_loses_no_money() {
    for round in 0..30 {
        let (shop, _, _) = shop();
        let a = shop.invoice("100.00");
        let till = shop.op();
        let at = shop.now();
        let book = &shop.book;
        let barrier = Barrier::new(2);
        let pp = format!("pi_race_{round}");
        let (online, cash) = std::thread::scope(|s| {
            let online = s.spawn(|| {
                barrier.wait();
                book.confirm_online_payment(ACCOUNT, &paid(&pp, money("100.00"), at, None))
                    .unwrap()
                    .outcome
            });
            let cash = s.spawn(|| {
                barrier.wait();
                book.pay(ACCOUNT, &till, Payment::new(money("100.00")))
                    .unwrap()
            });
            (online.join().unwrap(), cash.join().unwrap())
        });
        // Whichever came first paid the invoice; the other became store credit.
        let paid_to_invoice: Decimal = allocations(&online)
            .iter()
            .chain(allocations(&cash).iter())
            .map(|(i, amount)| {
                assert_eq!(*i, a);
                *amount
            })
            .sum();
        assert_eq!(paid_to_invoice, dec("100.00"), "round {round}");
        shop.assert_balances("0.00", "100.00");
        assert!(shop.open_items().is_empty());
        // Both recorded once, in some order, each as a whole.
        let payments: Vec<Decimal> = shop
            .book
            .entries(ACCOUNT)
            .unwrap()
            .into_iter()
            .filter_map(|e| match e.kind {
                EntryKind::Payment { amount, .. } => Some(amount),
                _ => None,
            })
            .collect();
        assert_eq!(payments, vec![dec("100.00"), dec("100.00")]);
        // A fresh Book over the same entries agrees.
        let state =
            creditbook::AccountState::from_entries(shop.book.entries(ACCOUNT).unwrap()).unwrap();
        assert_eq!(
            (
                state.ledger().balance_owed(),
                state.ledger().credit_balance()
            ),
            (dec("0.00"), dec("100.00"))
        );
    }
}

#[test]
fn the_same_confirmation_from_two_webhooks_at_once_is_recorded_once() {
    let (shop, mailer, _) = shop();
    shop.invoice("100.00");
    let at = shop.now();
    let book = &shop.book;
    let barrier = Barrier::new(2);
    let confirmation = paid("pi_twice", money("100.00"), at, None);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    book.confirm_online_payment(ACCOUNT, &confirmation).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let firsts: Vec<_> = results.iter().filter(|c| !c.outcome.replayed).collect();
    assert_eq!(firsts.len(), 1);
    assert_eq!(results[0].outcome.entries, results[1].outcome.entries);
    assert_eq!(results.iter().filter(|c| c.receipt.is_some()).count(), 1);
    assert_eq!(mailer.delivered().len(), 2, "one receipt, one notice");
    shop.assert_balances("0.00", "0.00");
}

#[test]
fn the_online_payment_entry_survives_a_reload() {
    // Recorded entries are the store's: a Book reloading them sees the same payment, the same
    // link status, and still refuses to record the provider's payment id twice.
    let (shop, _, _) = shop();
    shop.invoice("100.00");
    let reference = link(&shop, "l-1", money("100.00"), balance("ST-1"))
        .unwrap()
        .record
        .reference
        .to_string();
    let at = shop.now();
    shop.book
        .confirm_online_payment(
            ACCOUNT,
            &paid("pi_14", money("100.00"), at, Some(&reference)),
        )
        .unwrap();
    let entries = shop.book.entries(ACCOUNT).unwrap();
    let store = creditbook::MemoryStore::new();
    use creditbook::Store;
    store.append(ACCOUNT, 0, &entries).unwrap();
    let reloaded = Book::with_store(shop.book.settings().clone(), store);
    let replay = reloaded
        .confirm_online_payment(
            ACCOUNT,
            &paid("pi_14", money("100.00"), at, Some(&reference)),
        )
        .unwrap();
    assert!(replay.outcome.replayed);
    assert_eq!(
        links::find(&reloaded.entries(ACCOUNT).unwrap(), &reference, at)
            .unwrap()
            .status,
        LinkStatus::Paid
    );
    let s = reloaded.summary(ACCOUNT, shop.today()).unwrap();
    assert_eq!(
        (s.balance_owed, s.credit_balance),
        (dec("0.00"), dec("0.00"))
    );
}

#[test]
fn the_links_expiry_is_shown_in_the_stores_time_and_kept_exact_in_data() {
    let (shop, _, _) = shop();
    shop.invoice("70.00");
    // Made at 04:30 UTC on December 1st, which is 23:30 on November 30 in Montreal (UTC-5);
    // valid 30 days: until 04:30 UTC on December 31st, 23:30 on December 30 in the store.
    let made = common::utc(2026, 12, 1, 4, 30);
    let mut request = StatementRequest::new(common::day(2026, 3, 1), common::day(2026, 3, 31));
    request.language = Some("fr".into());
    let st = shop
        .book
        .statement_with_link(
            ACCOUNT,
            &request,
            &Operation::new("st-link", made),
            Some(true),
        )
        .unwrap();
    let text = st.to_text(80).unwrap();
    assert!(
        text.contains("lien valide jusqu’au 30 décembre 2026 23:30"),
        "{text}"
    );
    assert!(!text.contains("UTC"), "{text}");
    request.language = Some("en".into());
    let st = shop
        .book
        .statement_with_link(
            ACCOUNT,
            &request,
            &Operation::new("st-link", made),
            Some(true),
        )
        .unwrap();
    let html = st.to_html().unwrap();
    assert!(
        html.contains("link valid until December 30, 2026 23:30"),
        "{html}"
    );
    // JSON and UBL keep the exact instant, with the store's offset.
    assert!(
        st.to_json()
            .contains("\"expires_at\": \"2026-12-30T23:30:00-05:00\""),
        "{}",
        st.to_json()
    );
    let xml = st.to_ubl_xml().unwrap();
    assert!(
        xml.contains("<cbc:ExpiryDate>2026-12-30</cbc:ExpiryDate>"),
        "{xml}"
    );
    assert!(
        xml.contains("<cbc:ExpiryTime>23:30:00-05:00</cbc:ExpiryTime>"),
        "{xml}"
    );
}

#[test]
fn invoices_carry_the_hosts_number_once_per_account_and_reminders_their_figures() {
    let (shop, _, provider) = shop();
    let charged = shop
        .charge_with(
            Charge::new(money("120.00"))
                .sale("S-1001")
                .invoice_number("F-2026-0042"),
        )
        .unwrap();
    let invoice = charged.invoice().unwrap();
    // Unique within the account, against the numbers the ledger gives invoices without one too.
    let plain = shop.invoice("1.00");
    for taken in ["F-2026-0042", &plain.to_string()] {
        let err = shop
            .charge_with(Charge::new(money("1.00")).invoice_number(taken))
            .unwrap_err();
        common::assert_invalid(err, "invoice number");
    }
    let email = shop
        .book
        .compose_invoice_email(ACCOUNT, invoice, None)
        .unwrap();
    assert_eq!(
        email.subject,
        "Invoice F-2026-0042 from Quincaillerie Lapointe"
    );
    let open = shop.book.open_invoices(ACCOUNT, shop.today()).unwrap();
    assert_eq!(open[0].number, "F-2026-0042");
    assert_eq!(open[0].sale.as_deref(), Some("S-1001"));
    // Partly paid, then reminded: the original amount, what remains and a "Pay online" link.
    shop.pay_invoices("75.00", vec![invoice]).unwrap();
    shop.book
        .set_automation(
            &common::automation_op(common::manager()),
            creditbook::Automation {
                reminder_days: vec![0],
                statement_day: None,
            },
        )
        .unwrap();
    let due_day = charged.due_date().unwrap();
    let due = shop.book.reminders_due(due_day).unwrap();
    let reminder = due.iter().find(|r| r.invoice == invoice).unwrap();
    let m = reminder.message.as_ref().unwrap();
    assert!(
        m.text
            .contains("Invoice F-2026-0042 of $120.00 is due today; $45.00 is still due."),
        "{}",
        m.text
    );
    let asked = provider.made();
    let link = asked
        .iter()
        .find(|r| r.purpose == balance("F-2026-0042"))
        .unwrap();
    assert_eq!(link.amount, dec("45.00"));
    let url = format!("https://pay.example/{}", link.reference);
    assert!(m.text.contains(&format!("Pay online: {url}")), "{}", m.text);
    assert!(m.html.contains("<a href=\"https://"), "{}", m.html);
}

#[test]
fn a_statement_asked_again_with_its_operation_id_shows_the_link_that_operation_made() {
    let (shop, _, provider) = shop();
    shop.invoice("70.00");
    let request = StatementRequest::new(common::day(2026, 3, 1), common::day(2026, 3, 31));
    let op = Operation::new("statement-2026-03", shop.now());
    let first = shop
        .book
        .statement_with_link(ACCOUNT, &request, &op, None)
        .unwrap();
    assert_eq!(first.payment_link.as_ref().unwrap().amount, dec("70.00"));
    // Paid since: a new statement run would ask nothing, but the same operation shows the
    // statement it made (the same message: sending it again sends nothing).
    shop.go_to(common::day(2026, 4, 5));
    shop.pay("70.00").unwrap();
    let again = shop
        .book
        .statement_with_link(ACCOUNT, &request, &op, None)
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(provider.made().len(), 1);
    let other = shop
        .book
        .statement_with_link(
            ACCOUNT,
            &request,
            &Operation::new("later", shop.now()),
            None,
        )
        .unwrap();
    assert_eq!(other.payment_link, None);
}
