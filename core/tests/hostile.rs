//! Hostile input through the Book, end to end: what a till or a customer can type reaches every
//! statement format and every message escaped or refused, never as markup, formula or reordering
//! control; control characters in any header value are refused before the mailer is called;
//! amounts at the limits of `Decimal` and `i64` and sums beyond them give typed errors; identifiers
//! of a megabyte are refused. (Renderer-level escaping of a hand-made statement is in
//! statement_render.rs and statement_ubl.rs; header injection by field in messages.rs.)

mod common;
mod ports;

use creditbook::{
    Actor, Book, Charge, CreditLimit, Customer, Direction, Error, LinkPurpose, Message, Money,
    OnlinePaymentConfirmation, OpenAccount, Operation, Payment, PostalAddress, StatementRequest,
};
use rust_decimal::Decimal;

use common::{day, manager, money, noon, settings};
use ports::{RecordingMailer, RecordingProvider};

const SCRIPT: &str = "<script>alert(1)</script>";
const CDATA_END: &str = "]]><x/>";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"pay here\")";
/// Right-to-left override, isolates and marks: they reorder what follows them when displayed.
const BIDI: [char; 9] = [
    '\u{202a}', '\u{202b}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{200f}',
    '\u{061c}',
];

fn hostile_name() -> String {
    format!("{SCRIPT} {FORMULA} {CDATA_END} \u{202e}gnp.exe\u{2066}")
}

fn at() -> chrono::DateTime<chrono::Utc> {
    noon(day(2026, 3, 2))
}

fn op(id: &str) -> Operation {
    Operation::new(id, at()).by(manager())
}

/// A Book whose account "H-1" was opened and used with hostile text everywhere a caller gives
/// text: name, address, sale and payment references, reasons.
fn hostile_book(mailer: &RecordingMailer) -> Book {
    let mut settings = settings();
    settings.messages.from = Some("comptes@lapointe.example".into());
    let book = Book::new(settings)
        .with_mailer(mailer.clone())
        .with_payment_provider(RecordingProvider::default());
    let mut customer = Customer::new("cust-h", hostile_name());
    customer.email = Some("eve@example.com".into());
    customer.language = Some("en".into());
    customer.address = PostalAddress {
        lines: vec![SCRIPT.into(), CDATA_END.into(), FORMULA.into()],
        city: "\u{202e}lasrever".into(),
        region: "'\"><img src=x onerror=alert(1)>".into(),
        postal_code: "@SUM(A1:A9)".into(),
        country: "CA".into(),
    };
    let open = OpenAccount {
        customer,
        credit_limit: Some(CreditLimit::Amount(Decimal::new(500_000, 2))),
        terms: None,
    };
    book.open_account(
        "H-1",
        &op("o1").by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        open,
    )
    .unwrap();
    book.charge("H-1", &op("o2"), Charge::new(money("120.00")).sale(FORMULA))
        .unwrap();
    book.charge("H-1", &op("o3"), Charge::new(money("80.00")).sale(SCRIPT))
        .unwrap();
    let payment = Payment {
        reference: Some(CDATA_END.into()),
        ..Payment::new(money("50.00"))
    };
    book.pay("H-1", &op("o4"), payment).unwrap();
    book.adjust(
        "H-1",
        &op("o5"),
        Direction::Debit,
        money("1.00"),
        &hostile_name(),
    )
    .unwrap();
    book
}

fn assert_no_markup(what: &str, out: &str) {
    for raw in ["<script", "<img", "<x/>"] {
        // Escaped, a payload's `<` is `&lt;`: the raw tag never appears.
        assert!(!out.contains(raw), "{what}: raw {raw:?} in\n{out}");
    }
}

fn assert_no_bidi(what: &str, out: &str) {
    assert!(
        !out.chars().any(|c| BIDI.contains(&c)),
        "{what}: a bidirectional control reorders what follows it"
    );
}

#[test]
fn hostile_text_stays_text_in_every_statement_format() {
    let book = hostile_book(&RecordingMailer::default());
    let st = book
        .statement(
            "H-1",
            &StatementRequest::new(day(2026, 3, 1), day(2026, 3, 31)),
        )
        .unwrap();
    let html = st.to_html().unwrap();
    assert_no_markup("html", &html);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for width in [32, 40, 80, 160] {
        let text = st.to_text(width).unwrap();
        assert_no_bidi(&format!("text/{width}"), &text);
        assert!(text.lines().all(|l| l.chars().count() <= width), "{text}");
    }
    let xml = st.to_ubl_xml().unwrap();
    assert_no_markup("ubl", &xml);
    // `]]>` is harmless in XML text only escaped; no CDATA section is opened by a value.
    assert!(!xml.contains(CDATA_END), "ubl: raw ]]>");
    let json: serde_json::Value = serde_json::from_str(&st.to_json()).unwrap();
    assert_eq!(
        json["customer"]["name"],
        hostile_name(),
        "json keeps the text as text"
    );
}

#[test]
fn hostile_text_stays_text_in_every_message() {
    let mailer = RecordingMailer::default();
    let book = hostile_book(&mailer);
    let st = book
        .statement(
            "H-1",
            &StatementRequest::new(day(2026, 3, 1), day(2026, 3, 31)),
        )
        .unwrap();
    let mut messages: Vec<Message> = vec![
        book.compose_statement_email(&st, None).unwrap(),
        book.compose_invoice_email("H-1", 2, None).unwrap(),
    ];
    let link = book
        .payment_link(
            "H-1",
            &op("o6"),
            money("10.00"),
            creditbook::LinkPurpose::Balance {
                reference: "ST-1".into(),
            },
        )
        .unwrap();
    let confirmed = book
        .confirm_online_payment(
            "H-1",
            &OnlinePaymentConfirmation {
                provider_payment_id: "pp-1".into(),
                amount: money("10.00"),
                at: at(),
                link: Some(link.record.reference.to_string()),
            },
        )
        .unwrap();
    messages.extend(confirmed.receipt.map(|(m, _)| m));
    messages.extend(confirmed.notice.map(|(m, _)| m));
    assert_eq!(messages.len(), 4, "statement, invoice, receipt, notice");
    for m in &messages {
        let what = format!("{:?}", m.kind);
        assert_no_markup(&format!("{what} html"), &m.html);
        // The store's notice names the customer in its subject: no bidi control reorders it.
        assert_no_bidi(&format!("{what} subject"), &m.subject);
        assert_no_bidi(&format!("{what} text"), &m.text);
        assert_no_bidi(&format!("{what} html"), &m.html);
        let bytes = m.to_rfc5322(at()).unwrap();
        let head = String::from_utf8_lossy(&bytes);
        let head = head.split("\r\n\r\n").next().unwrap();
        // The subject is text (a name with markup stays as typed, as in the text body, encoded
        // as header text); what matters is that no value made a header of its own.
        let names: Vec<&str> = head
            .split("\r\n")
            .filter(|line| !line.starts_with([' ', '\t']))
            .map(|line| line.split(':').next().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Message-ID",
                "To",
                "Subject",
                "Date",
                "From",
                "Reply-To",
                "MIME-Version",
                "Content-Type"
            ],
            "{what}: {head}"
        );
        for a in &m.attachments {
            if a.content_type.starts_with("text/html") || a.filename.ends_with(".xml") {
                assert_no_markup(&a.filename, &String::from_utf8_lossy(&a.content));
            }
        }
    }
}

#[test]
fn ten_thousand_characters_are_refused_where_typed_and_survive_where_computed() {
    let book = Book::new(settings());
    let long = "W".repeat(10_000);
    let open = |name: &str| OpenAccount {
        customer: Customer::new("cust-l", name),
        credit_limit: Some(CreditLimit::Unlimited),
        terms: None,
    };
    let refused = book.open_account(
        "L-1",
        &op("l1").by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        open(&long),
    );
    assert!(
        matches!(refused, Err(Error::InvalidInput { .. })),
        "{refused:?}"
    );
    book.open_account(
        "L-1",
        &op("l2").by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        open("Léa"),
    )
    .unwrap();
    for reason in [long.as_str(), &"é".repeat(5_000)] {
        let r = book.adjust("L-1", &op("l3"), Direction::Debit, money("1.00"), reason);
        assert!(matches!(r, Err(Error::InvalidInput { .. })), "{r:?}");
    }

    // A statement the host fills with its own long values still renders, within its width.
    book.charge("L-1", &op("l4"), Charge::new(money("5.00")))
        .unwrap();
    let mut st = book
        .statement(
            "L-1",
            &StatementRequest::new(day(2026, 3, 1), day(2026, 3, 31)),
        )
        .unwrap();
    st.customer.name = format!("{SCRIPT}{long}\u{202e}");
    st.customer.address.lines = vec![long.clone(), format!("{FORMULA}{long}")];
    st.store.header_text = format!("{CDATA_END}{long}");
    if let Some(line) = st.lines.last_mut() {
        line.reference = Some(format!("{long}{SCRIPT}"));
    }
    for width in [32, 48, 160] {
        let text = st.to_text(width).unwrap();
        assert!(text.lines().all(|l| l.chars().count() <= width));
        assert_no_bidi("long text", &text);
    }
    assert_no_markup("long html", &st.to_html().unwrap());
    assert_no_markup("long ubl", &st.to_ubl_xml().unwrap());
    let json: serde_json::Value = serde_json::from_str(&st.to_json()).unwrap();
    assert_eq!(
        json["customer"]["name"].as_str().unwrap().len(),
        10_000 + 28
    );
}

#[test]
fn control_characters_in_any_header_value_are_refused_before_the_mailer_is_called() {
    let mailer = RecordingMailer::default();
    let book = hostile_book(&mailer);
    let good = book.compose_invoice_email("H-1", 2, None).unwrap();
    type Tamper = fn(&mut Message, &str);
    let fields: [(&str, Tamper); 6] = [
        ("recipient", |m, bad| m.to[0].push_str(bad)),
        ("recipient", |m, bad| {
            m.from = Some(format!("a@example.com{bad}"))
        }),
        ("subject", |m, bad| m.subject.push_str(bad)),
        ("message id", |m, bad| m.id.push_str(bad)),
        ("attachment name", |m, bad| {
            m.attachments.push(creditbook::Attachment {
                filename: format!("x{bad}.txt"),
                content_type: "text/plain".into(),
                content: b"x".to_vec(),
            })
        }),
        ("attachment type", |m, bad| {
            m.attachments.push(creditbook::Attachment {
                filename: "x.txt".into(),
                content_type: format!("text/plain{bad}"),
                content: b"x".to_vec(),
            })
        }),
    ];
    let before = book.entries("H-1").unwrap();
    for bad in ["\r", "\n", "\r\n", "\0", "\u{85}", "\u{1b}[2J"] {
        for (field, tamper) in &fields {
            let mut m = good.clone();
            tamper(&mut m, bad);
            let expected = Error::HeaderInjection { field };
            assert_eq!(m.check_headers(), Err(expected.clone()), "{field} {bad:?}");
            assert_eq!(m.to_rfc5322(at()), Err(expected.clone()), "{field} {bad:?}");
            assert_eq!(book.send(&m, at()), Err(expected), "{field} {bad:?}");
        }
    }
    assert_eq!(mailer.attempted(), 0);
    assert_eq!(book.entries("H-1").unwrap(), before, "nothing recorded");
}

/// A Book with account "M-1" opened without a credit limit.
fn unlimited_book() -> Book {
    let book = Book::new(settings());
    let open = OpenAccount {
        customer: Customer::new("cust-m", "Max"),
        credit_limit: Some(CreditLimit::Unlimited),
        terms: None,
    };
    book.open_account(
        "M-1",
        &op("m1").by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        open,
    )
    .unwrap();
    book
}

#[test]
fn amounts_that_are_not_amounts_of_the_currency_give_typed_errors() {
    let book = unlimited_book();
    let cur = settings().currency;
    let max = Decimal::from_i128_with_scale(Decimal::MAX.mantissa(), 2);
    for bad in [Decimal::MIN, Decimal::new(1, 28), -max, Decimal::ZERO] {
        for r in [
            book.charge("M-1", &op("m8"), Charge::new(Money::new(bad, cur))),
            book.pay("M-1", &op("m9"), Payment::new(Money::new(bad, cur))),
            book.deposit("M-1", &op("m10"), Money::new(bad, cur), None),
        ] {
            assert!(
                matches!(
                    r,
                    Err(Error::TooManyDecimals { .. }
                        | Error::AmountNotPositive { .. }
                        | Error::Overflow)
                ),
                "{bad}: {r:?}"
            );
        }
    }
    assert_eq!(book.entries("M-1").unwrap().len(), 1, "nothing recorded");
    for text in [
        "79228162514264337593543950336",
        "1e30",
        "NaN",
        "1,5",
        "0.001",
        "",
    ] {
        assert!(Money::parse(text, cur).is_err(), "{text}");
    }
    assert_eq!(cur.to_minor(Decimal::MAX), Err(Error::Overflow));
    assert_eq!(cur.from_minor(i64::MIN), Decimal::new(i64::MIN, 2));
    assert_eq!(cur.from_minor(i64::MAX), Decimal::new(i64::MAX, 2));
}

/// Sums near `Decimal::MAX` would round instead of overflowing, so no amount above
/// `money::max_amount()` (10^15 in major units) is taken: the largest is refused with `Overflow`
/// and records nothing. Neither balance may pass it either (the C face found 93 charges of the
/// largest amount took the balance past `int64_t` cents, and every read of the account, the
/// accounts list included, then failed): the charge that would is refused, and the figures up to
/// the cap are exact to the cent.
#[test]
fn amounts_beyond_the_largest_allowed_are_refused_so_sums_stay_exact() {
    let book = unlimited_book();
    let cur = settings().currency;
    let max = Decimal::from_i128_with_scale(Decimal::MAX.mantissa(), 2);
    let refused = book.charge("M-1", &op("m2"), Charge::new(Money::new(max, cur)));
    assert_eq!(refused.unwrap_err(), Error::Overflow);
    let just_above = creditbook::money::max_amount() + Decimal::new(1, 2);
    let refused = book.charge("M-1", &op("m3"), Charge::new(Money::new(just_above, cur)));
    assert_eq!(refused.unwrap_err(), Error::Overflow);
    assert_eq!(book.entries("M-1").unwrap().len(), 1);
    let largest = Money::new(creditbook::money::max_amount(), cur);
    let cent = money("0.01");
    let today = at().date_naive();
    book.charge("M-1", &op("m4"), Charge::new(money("999999999999999.99")))
        .unwrap();
    book.charge("M-1", &op("m5"), Charge::new(cent)).unwrap();
    let owed = book.summary("M-1", today).unwrap().balance_owed;
    assert_eq!(owed.to_string(), "1000000000000000.00");
    // One cent more owed, or the largest amount again: refused, nothing recorded.
    for (id, amount) in [("m6", cent), ("m7", largest)] {
        let refused = book.charge("M-1", &op(id), Charge::new(amount));
        assert_eq!(refused.unwrap_err(), Error::Overflow, "{id}");
    }
    assert_eq!(book.entries("M-1").unwrap().len(), 3);
    assert_eq!(
        book.max_charge("M-1", largest, at()).unwrap(),
        Decimal::ZERO
    );
    // Paid back to the cent, the account takes the largest amount again.
    book.pay("M-1", &op("m8"), Payment::new(largest)).unwrap();
    assert_eq!(
        book.summary("M-1", today).unwrap().balance_owed,
        Decimal::ZERO
    );
    assert_eq!(
        book.max_charge("M-1", largest, at()).unwrap(),
        largest.amount
    );
    book.charge("M-1", &op("m9"), Charge::new(largest)).unwrap();
    // Store credit has the same cap.
    book.deposit("M-1", &op("m10"), largest, None).unwrap();
    let refused = book.deposit("M-1", &op("m11"), cent, None);
    assert_eq!(refused.unwrap_err(), Error::Overflow);
    let summary = book.summary("M-1", today).unwrap();
    assert_eq!(
        (summary.balance_owed, summary.credit_balance),
        (
            creditbook::money::max_amount(),
            creditbook::money::max_amount()
        )
    );
}

#[test]
fn identifiers_of_a_megabyte_are_refused() {
    let mailer = RecordingMailer::default();
    let book = hostile_book(&mailer);
    let huge = "x".repeat(1 << 20);
    let invalid = |r: creditbook::Result<creditbook::Outcome>, what: &str| {
        assert!(
            matches!(r, Err(Error::InvalidInput { .. })),
            "{what}: {r:?}"
        );
    };
    invalid(
        book.charge(&huge, &op("i1"), Charge::new(money("1.00"))),
        "account id",
    );
    invalid(
        book.charge("H-1", &op(&huge), Charge::new(money("1.00"))),
        "operation id",
    );
    invalid(
        book.charge(
            "H-1",
            &op("i2"),
            Charge::new(money("1.00")).sale(huge.as_str()),
        ),
        "sale",
    );
    invalid(
        book.deposit("H-1", &op("i3"), money("1.00"), Some(&huge)),
        "deposit reference",
    );
    let customer = Customer::new(huge.as_str(), "Huge");
    invalid(
        book.update_contact("H-1", &op("i4"), customer),
        "customer id",
    );
    let confirmed = book.confirm_online_payment(
        "H-1",
        &OnlinePaymentConfirmation {
            provider_payment_id: huge.clone(),
            amount: money("1.00"),
            at: at(),
            link: None,
        },
    );
    assert!(matches!(confirmed, Err(Error::InvalidInput { .. })));
    assert!(book.summary(&huge, at().date_naive()).is_err());
    assert!(book.compose_invoice_email("H-1", 2, Some(&huge)).is_err());
}

#[test]
fn an_actors_id_is_an_identifier() {
    let mailer = RecordingMailer::default();
    let book = hostile_book(&mailer);
    let before = book.entries("H-1").unwrap();
    for id in ["", "emp\n1", " emp-1", &"e".repeat(1 << 20)] {
        let actor = Actor::new(id).with(creditbook::Permission::AdjustBalance);
        let r = book.charge(
            "H-1",
            &Operation::new("a1", at()).by(actor),
            Charge::new(money("1.00")),
        );
        assert!(
            matches!(
                &r,
                Err(Error::InvalidInput {
                    field: "actor id",
                    ..
                })
            ),
            "{:?}: {r:?}",
            id.get(..8)
        );
    }
    assert_eq!(book.entries("H-1").unwrap(), before, "nothing recorded");
}

#[test]
fn a_link_that_would_be_refused_is_never_asked_of_the_provider() {
    let provider = RecordingProvider::default();
    let book = unlimited_book().with_payment_provider(provider.clone());
    book.charge("M-1", &op("c1"), Charge::new(money("50.00")))
        .unwrap();
    let balance = |r: &str| LinkPurpose::Balance {
        reference: r.into(),
    };
    let deposit = |s: &str| LinkPurpose::Deposit { sale: s.into() };
    let long_op = "o".repeat(125); // "M-1-" + 125 bytes: a reference of 129 bytes
    let cases = [
        ("a\nb", balance("ST-1")),
        (&*"x".repeat(1 << 20), balance("ST-1")),
        (&*long_op, balance("ST-1")),
        ("l1", balance("")),
        ("l2", balance("ST\r\n1")),
        ("l3", deposit("S-1\n")),
        ("l4", deposit(&"s".repeat(200))),
    ];
    for (op_id, purpose) in cases {
        let r = book.payment_link("M-1", &op(op_id), money("10.00"), purpose.clone());
        assert!(
            matches!(r, Err(Error::InvalidInput { .. })),
            "{purpose:?}: {r:?}"
        );
    }
    assert!(provider.made().is_empty(), "{:?}", provider.made());
    assert_eq!(book.entries("M-1").unwrap().len(), 2);
}

#[test]
fn dates_past_year_9999_are_refused_before_anything_is_recorded() {
    fn refused_on<T: std::fmt::Debug>(r: creditbook::Result<T>, field: &str) {
        assert!(
            matches!(&r, Err(Error::InvalidInput { field: f, .. }) if *f == field),
            "{field}: {r:?}"
        );
    }
    let book = unlimited_book();
    let last_day = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    // Net 30 from the last day there is: the due date would be in year 10000.
    let late = Operation::new("d1", noon(last_day)).by(manager());
    refused_on(
        book.charge("M-1", &late, Charge::new(money("1.00"))),
        "due date",
    );
    let beyond = chrono::NaiveDate::from_ymd_opt(12_000, 1, 1).unwrap();
    let later = Operation::new("d2", noon(beyond));
    refused_on(book.deposit("M-1", &later, money("1.00"), None), "instant");
    assert_eq!(book.entries("M-1").unwrap().len(), 1, "nothing recorded");
    // A statement due after 9999-12-31 is refused too.
    let december = StatementRequest::new(day(9999, 12, 1), last_day);
    refused_on(book.statement("M-1", &december), "due date");
}

#[test]
fn the_stores_addresses_take_no_control_character_even_around_them() {
    for bad in [
        "store@example.com\r",
        "\nstore@example.com",
        "store@example.com\t",
        "store@example.com\u{85}",
    ] {
        let mut s = settings();
        s.messages.from = Some(bad.into());
        assert_eq!(
            s.validate(),
            Err(Error::HeaderInjection { field: "recipient" }),
            "{bad:?}"
        );
        let mut s = settings();
        s.messages.notices_to = Some(bad.into());
        assert!(s.validate().is_err(), "{bad:?}");
    }
}

/// The cap refuses a rise past the largest balance, never a fall: an account already above it (a
/// ledger written before the cap, or by another program) still takes payments and credits.
#[test]
fn an_account_above_the_largest_balance_can_still_be_paid_down() {
    let store = creditbook::MemoryStore::new();
    let book = Book::with_store(settings(), store.clone());
    let open = OpenAccount {
        customer: Customer::new("cust-l", "Legacy"),
        credit_limit: Some(CreditLimit::Unlimited),
        terms: None,
    };
    book.open_account(
        "L-1",
        &op("l1").by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        open,
    )
    .unwrap();
    let largest = Money::new(creditbook::money::max_amount(), settings().currency);
    book.charge("L-1", &op("l2"), Charge::new(largest)).unwrap();
    // A second charge of the largest amount, written straight to the store.
    let mut entries = book.entries("L-1").unwrap();
    let mut legacy = entries.pop().unwrap();
    legacy.seq = 3;
    legacy.op_id = "legacy".into();
    creditbook::Store::append(&store, "L-1", 2, &[legacy]).unwrap();
    let fresh = Book::with_store(settings(), store);
    let today = at().date_naive();
    let twice = creditbook::money::max_amount() * Decimal::TWO;
    assert_eq!(fresh.summary("L-1", today).unwrap().balance_owed, twice);
    // Paid down: taken. Charged more: refused.
    fresh
        .pay("L-1", &op("l3"), Payment::new(money("1.00")))
        .unwrap();
    let refused = fresh.charge("L-1", &op("l4"), Charge::new(money("0.01")));
    assert_eq!(refused.unwrap_err(), Error::Overflow);
    assert_eq!(
        fresh.summary("L-1", today).unwrap().balance_owed,
        twice - Decimal::ONE
    );
}
