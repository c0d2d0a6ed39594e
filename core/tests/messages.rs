//! Issue 4, messages: who a message goes to, what is refused (missing or bad addresses, line
//! breaks in header values), what a statement email holds in each language, the RFC 5322 / MIME
//! bytes as a mail client reads them, sending through the host's Mailer (recorded, never twice,
//! retried after a failure), and snapshots of every message kind in every language.

mod common;
mod fixtures;
mod mime;
mod ports;

use chrono::{DateTime, TimeZone, Utc};
use creditbook::message::compose::{self, Addressee, InvoiceFacts, PaymentFacts};
use creditbook::{
    Attachment, Automation, Book, Customer, Delivery, Error, Language, Message, MessageKind,
    MessageRecord, OnlinePaymentConfirmation, Operation, Permission, Sent, Statement,
    StatementRequest, StoreSettings,
};
use rust_decimal::Decimal;

use common::{dec, manager, Shop};
use mime::Part;
use ports::{recorded_messages, RecordingMailer, RecordingProvider};

/// The store's address, the sender of its messages.
const STORE_FROM: &str = "billing@lapointe.example";
/// Where the store wants payment notices.
const STORE_NOTICES: &str = "owner@lapointe.example";
/// The customer's email on file in the fixture.
const CUSTOMER: &str = "marie@example.com";
/// Statement number of the fixture's November statement.
const NUMBER: &str = "C-1-20261130";

/// When the messages are written.
fn sent_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 14, 0, 0).unwrap()
}

/// The fixture's Montréal store, with a sender address and a notices address.
fn montreal() -> StoreSettings {
    let mut s = fixtures::settings("CAD", "America/Montreal");
    s.messages.from = Some(STORE_FROM.into());
    s.messages.notices_to = Some(STORE_NOTICES.into());
    s
}

/// The fixture's book (customer Marie Tremblay, preferred language `lang`).
fn book_in(settings: StoreSettings, lang: &str) -> Book {
    fixtures::book(settings, "Marie Tremblay", lang)
}

/// November's statement of the fixture in `lang`.
fn november(lang: &str) -> Statement {
    fixtures::november(&book_in(montreal(), lang), lang)
}

fn language(code: &str) -> Language {
    Language::from_tag(code).unwrap()
}

/// The RFC 5322 bytes of a message, parsed.
fn parsed(m: &Message) -> Part {
    Part::parse(&m.to_rfc5322(sent_at()).unwrap())
}

/// The header fields of a message creditbook writes, in order (`From` and `Reply-To` when the
/// store has an address).
fn header_names(with_sender: bool) -> Vec<&'static str> {
    let sender: &[&str] = if with_sender {
        &["From", "Reply-To"]
    } else {
        &[]
    };
    [
        &["Message-ID", "To", "Subject", "Date"],
        sender,
        &["MIME-Version", "Content-Type"],
    ]
    .concat()
}

/// The header block of the RFC 5322 bytes (up to the first empty line).
fn header_block(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    text.split("\r\n\r\n").next().unwrap().to_string()
}

// ---- recipients ----

#[test]
fn the_statement_email_goes_to_the_email_on_file() {
    let st = november("fr");
    let m = compose::statement_email(&st, &montreal(), None).unwrap();
    assert_eq!(m.to, vec![CUSTOMER.to_string()]);
    assert_eq!(m.from.as_deref(), Some(STORE_FROM));
    // A message is named by its content.
    assert_eq!(m.id, m.content_id());
    assert!(m.id.starts_with("statement-") && m.id.len() == "statement-".len() + 32);
    assert_eq!(m.kind, MessageKind::Statement);
    assert_eq!(m.account, "C-1");
    assert_eq!(m.language, language("fr"));
    assert_eq!(m.reminder, None);
    // The Book composes the same message.
    let book = book_in(montreal(), "fr");
    assert_eq!(book.compose_statement_email(&st, None).unwrap(), m);
}

#[test]
fn a_recipient_given_by_the_caller_replaces_the_email_on_file() {
    let st = november("en");
    let m = compose::statement_email(&st, &montreal(), Some("compta@tremblay.example")).unwrap();
    assert_eq!(m.to, vec!["compta@tremblay.example".to_string()]);
    // Surrounding spaces are not part of the address.
    let m = compose::statement_email(&st, &montreal(), Some("  compta@tremblay.example ")).unwrap();
    assert_eq!(m.to, vec!["compta@tremblay.example".to_string()]);
}

#[test]
fn without_an_email_on_file_the_caller_must_give_one() {
    let mut st = november("en");
    st.customer.email = None;
    let err = compose::statement_email(&st, &montreal(), None).unwrap_err();
    assert_eq!(err, Error::MissingRecipient);
    assert_eq!(err.code(), 113);
    let m = compose::statement_email(&st, &montreal(), Some("marie@tremblay.example")).unwrap();
    assert_eq!(m.to, vec!["marie@tremblay.example".to_string()]);

    // Through the Book: an account opened without an email.
    let shop = Shop::with_account("1000");
    let invoice = shop.invoice("120.00");
    assert_eq!(
        shop.book
            .compose_invoice_email(common::ACCOUNT, invoice, None),
        Err(Error::MissingRecipient)
    );
    let m = shop
        .book
        .compose_invoice_email(common::ACCOUNT, invoice, Some("marie@example.com"))
        .unwrap();
    assert_eq!(m.to, vec!["marie@example.com".to_string()]);
    assert_eq!(m.from, None);
    assert_eq!(
        shop.book
            .compose_invoice_email(common::ACCOUNT, 99, Some("marie@example.com")),
        Err(Error::UnknownInvoice { invoice: 99 })
    );
}

#[test]
fn bad_addresses_are_refused() {
    let st = november("en");
    for bad in [
        "a@b",
        "x y@z.com",
        "marie",
        "@example.com",
        "marie@",
        "marie@@example.com",
        "marie@example..com",
        "Marie <marie@example.com>",
        "marie@example.com, eve@x.com",
        "",
    ] {
        let err = compose::statement_email(&st, &montreal(), Some(bad)).unwrap_err();
        assert_eq!(
            err,
            Error::InvalidEmail {
                address: bad.to_string()
            },
            "{bad:?}"
        );
        assert_eq!(err.code(), 108);
    }
    for good in [
        "marie@example.com",
        "marie.tremblay+statements@mail.example.co.uk",
        "o'brien@example.ie",
        "marie@xn--qincaillerie-lapointe-ucb.example",
    ] {
        let m = compose::statement_email(&st, &montreal(), Some(good)).unwrap();
        assert_eq!(m.to, vec![good.to_string()]);
    }
    // The store's own addresses are checked too.
    let mut s = montreal();
    s.messages.notices_to = Some("x y@z.com".into());
    assert_eq!(
        s.validate(),
        Err(Error::InvalidEmail {
            address: "x y@z.com".into()
        })
    );
}

// ---- no header injection ----

#[test]
fn a_line_break_in_the_recipient_is_refused() {
    let st = november("en");
    for sep in ["\r\n", "\n", "\r", "\t", "\0"] {
        let to = format!("marie@example.com{sep}Bcc: evil@x.com");
        let err = compose::statement_email(&st, &montreal(), Some(&to)).unwrap_err();
        assert_eq!(
            err,
            Error::HeaderInjection { field: "recipient" },
            "{sep:?}"
        );
        assert_eq!(err.code(), 114);
    }
}

#[test]
fn a_hostile_customer_name_puts_no_header_in_the_bytes() {
    // A name only ever reaches the bodies of a statement email: the bytes have no Bcc header.
    let mut st = november("en");
    st.customer.name = "Eve\r\nBcc: evil@x.com".into();
    let m = compose::statement_email(&st, &montreal(), None).unwrap();
    let bytes = m.to_rfc5322(sent_at()).unwrap();
    let head = header_block(&bytes);
    // Header lines only: the random boundary is hex and may well contain "bcc".
    let bcc_lines = head
        .split("\r\n")
        .filter(|line| line.to_ascii_lowercase().starts_with("bcc"));
    assert_eq!(bcc_lines.count(), 0, "{head}");
    let msg = Part::parse(&bytes);
    assert_eq!(msg.names(), header_names(true));
    assert_eq!(msg.header("To"), Some("<marie@example.com>"));
    fn no_bcc(p: &Part) {
        assert_eq!(p.count("Bcc"), 0, "{:?}", p.headers);
        p.parts.iter().for_each(no_bcc);
    }
    no_bcc(&msg);

    // In a subject, the same name is refused: the store's notice names the customer.
    let customer = Customer {
        email: Some(CUSTOMER.into()),
        ..Customer::new("cust-17", "Eve\r\nBcc: evil@x.com")
    };
    let payment = PaymentFacts {
        payment_id: "pi_1".into(),
        amount: dec("10.00"),
        date: fixtures::date(2026, 12, 1),
        owed: dec("0.00"),
        credit: dec("0.00"),
        unusual: vec![],
    };
    assert_eq!(
        compose::store_notice("C-1", &customer, &payment, &montreal()),
        Err(Error::HeaderInjection { field: "subject" })
    );

    // Such a name is never stored on an account.
    let shop = Shop::new();
    let err = shop.refused(|s| {
        let hostile = Customer::new("cust-9", "Eve\r\nBcc: evil@x.com");
        let open = creditbook::OpenAccount {
            customer: hostile,
            credit_limit: Some(common::limit("100")),
            terms: None,
        };
        s.book.open_account(
            "A-9",
            &s.op()
                .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
            open,
        )
    });
    common::assert_invalid(err, "customer name");
}

#[test]
fn a_line_break_in_the_subject_or_an_attachment_name_is_refused() {
    // A store name with a line break reaches the statement email's subject.
    let mut st = november("en");
    st.store.name = "Lapointe\r\nBcc: evil@x.com".into();
    assert_eq!(
        compose::statement_email(&st, &montreal(), None),
        Err(Error::HeaderInjection { field: "subject" })
    );

    // A message changed after it was composed is checked again before it becomes bytes.
    let good = compose::statement_email(&november("en"), &montreal(), None).unwrap();
    let mut m = good.clone();
    m.subject.push_str("\r\nBcc: evil@x.com");
    assert_eq!(
        m.check_headers(),
        Err(Error::HeaderInjection { field: "subject" })
    );
    assert_eq!(
        m.to_rfc5322(sent_at()),
        Err(Error::HeaderInjection { field: "subject" })
    );

    let mut m = good.clone();
    m.attachments[0].filename = "statement.html\r\nBcc: evil@x.com".into();
    assert_eq!(
        m.to_rfc5322(sent_at()),
        Err(Error::HeaderInjection {
            field: "attachment name"
        })
    );
    let mut m = good.clone();
    m.attachments.push(Attachment {
        filename: "x.txt".into(),
        content_type: "text/plain\nBcc: evil@x.com".into(),
        content: b"x".to_vec(),
    });
    assert_eq!(
        m.to_rfc5322(sent_at()),
        Err(Error::HeaderInjection {
            field: "attachment type"
        })
    );

    let mut m = good.clone();
    m.to.push("eve@x.com\r\nBcc: evil@x.com".into());
    assert_eq!(
        m.to_rfc5322(sent_at()),
        Err(Error::HeaderInjection { field: "recipient" })
    );
    let mut m = good.clone();
    m.from = Some("billing@lapointe.example\nBcc: evil@x.com".into());
    assert_eq!(
        m.to_rfc5322(sent_at()),
        Err(Error::HeaderInjection { field: "recipient" })
    );
    let mut m = good.clone();
    m.id.push_str("\r\nBcc: evil@x.com");
    assert_eq!(
        m.to_rfc5322(sent_at()),
        Err(Error::HeaderInjection {
            field: "message id"
        })
    );
    let mut m = good;
    m.to.clear();
    assert_eq!(m.to_rfc5322(sent_at()), Err(Error::MissingRecipient));
}

#[test]
fn a_tampered_message_is_not_sent() {
    let mailer = RecordingMailer::default();
    let book = book_in(montreal(), "en").with_mailer(mailer.clone());
    let st = fixtures::november(&book, "en");
    let mut m = book.compose_statement_email(&st, None).unwrap();
    m.subject = "Hi\r\nBcc: evil@x.com".into();
    let before = book.entries("C-1").unwrap().len();
    assert_eq!(
        book.send(&m, sent_at()),
        Err(Error::HeaderInjection { field: "subject" })
    );
    assert_eq!(mailer.attempted(), 0);
    assert_eq!(book.entries("C-1").unwrap().len(), before);
}

// ---- the statement email ----

/// (language, subject, greeting, the letter's "amount due" line, statement text's title).
const STATEMENT_WORDS: [(&str, &str, &str, &str); 5] = [
    (
        "en",
        "Your statement C-1-20261130 from Quincaillerie Lapointe",
        "Hello Marie Tremblay,",
        "Amount due: $919.76, by December 30, 2026.",
    ),
    (
        "fr",
        "Votre relevé C-1-20261130 de Quincaillerie Lapointe",
        "Bonjour Marie Tremblay,",
        "Montant dû : 919,76\u{a0}$, au plus tard le 30 décembre 2026.",
    ),
    (
        "es",
        "Su estado de cuenta C-1-20261130 de Quincaillerie Lapointe",
        "Hola Marie Tremblay:",
        "Importe a pagar: 919,76\u{a0}$, a más tardar el 30 de diciembre de 2026.",
    ),
    (
        "de",
        "Ihr Kontoauszug C-1-20261130 von Quincaillerie Lapointe",
        "Guten Tag Marie Tremblay,",
        "Fälliger Betrag: 919,76\u{a0}$, zahlbar bis 30. Dezember 2026.",
    ),
    (
        "nl",
        "Uw rekeningoverzicht C-1-20261130 van Quincaillerie Lapointe",
        "Beste Marie Tremblay,",
        "Te betalen: $\u{a0}919,76, uiterlijk 30 december 2026.",
    ),
];

#[test]
fn the_statement_email_is_in_the_statements_language() {
    for (lang, subject, greeting, due) in STATEMENT_WORDS {
        let st = november(lang);
        let m = compose::statement_email(&st, &montreal(), None).unwrap();
        assert_eq!(m.language, language(lang));
        assert_eq!(m.subject, subject, "{lang}");
        // The text body: the letter, the store's signature, then the statement as 80-column text.
        let statement_text = st.to_text(80).unwrap();
        let letter = m
            .text
            .strip_suffix(statement_text.as_str())
            .unwrap_or_else(|| panic!("{lang}: the text body ends with the statement"));
        let paragraphs: Vec<&str> = letter.trim_end().split("\n\n").collect();
        assert_eq!(paragraphs.len(), 4, "{lang}: {paragraphs:?}");
        assert_eq!(paragraphs[0], greeting, "{lang}");
        assert_eq!(paragraphs[2], due, "{lang}");
        assert_eq!(paragraphs[3], "Quincaillerie Lapointe");
        // The HTML body: the statement's HTML with the letter at the top of its body.
        assert_eq!(st.locale, format!("{lang}-CA"));
        assert!(
            m.html
                .starts_with(&format!("<!DOCTYPE html>\n<html lang=\"{lang}-CA\">")),
            "{lang}"
        );
        assert!(m
            .html
            .contains(&format!("<div class=\"letter\">\n<p>{greeting}</p>")));
        assert!(m.html.contains(&format!("<p>{due}</p>")), "{lang}");
        // The statement attached as HTML, exactly as it prints.
        assert_eq!(
            m.attachments.len(),
            1,
            "{lang}: no UBL unless the store asks"
        );
        let a = &m.attachments[0];
        assert_eq!(a.filename, format!("statement-{NUMBER}.html"));
        assert_eq!(a.content_type, "text/html; charset=utf-8");
        assert_eq!(a.content, st.to_html().unwrap().into_bytes());
    }
}

#[test]
fn the_statement_email_attaches_ubl_when_the_store_asks() {
    let mut s = montreal();
    s.messages.attach_ubl = true;
    let st = november("de");
    let m = compose::statement_email(&st, &s, None).unwrap();
    assert_eq!(
        m.attachments
            .iter()
            .map(|a| (a.filename.as_str(), a.content_type.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("statement-C-1-20261130.html", "text/html; charset=utf-8"),
            ("statement-C-1-20261130.xml", "application/xml"),
        ]
    );
    assert_eq!(
        m.attachments[1].content,
        st.to_ubl_xml().unwrap().into_bytes()
    );
}

#[test]
fn a_statement_with_nothing_due_says_so() {
    let book = book_in(montreal(), "en");
    let mut req = StatementRequest::new(fixtures::date(2026, 11, 1), fixtures::date(2026, 11, 30));
    req.amount_due = Some(Decimal::ZERO);
    let st = book.statement("C-1", &req).unwrap();
    let m = book.compose_statement_email(&st, None).unwrap();
    assert!(m.text.starts_with(
        "Hello Marie Tremblay,\n\n\
         Please find attached your statement of account for the period from November 1, 2026 to \
         November 30, 2026.\n\n\
         Nothing is due on this statement.\n\n\
         Quincaillerie Lapointe\n"
    ));
    assert!(!m.text.contains("Amount due:"));
}

#[test]
fn a_statement_due_upon_receipt_says_so() {
    let mut s = montreal();
    s.statements.days_till_due = 0;
    let book = book_in(s, "en");
    let st = fixtures::november(&book, "en");
    assert!(st.due_upon_receipt);
    let m = book.compose_statement_email(&st, None).unwrap();
    assert!(
        m.text
            .contains("\n\nAmount due: $919.76, due upon receipt.\n\n"),
        "{}",
        &m.text[..400]
    );
    let fr = fixtures::november(&book, "fr");
    let m = book.compose_statement_email(&fr, None).unwrap();
    assert!(m
        .text
        .contains("\n\nMontant dû : 919,76\u{a0}$, payable sur réception.\n\n"));
}

// ---- the RFC 5322 / MIME bytes ----

#[test]
fn the_rfc5322_bytes_are_the_message_a_client_reads() {
    let mut s = montreal();
    s.messages.attach_ubl = true;
    let provider = RecordingProvider::default();
    let book = book_in(s, "fr").with_payment_provider(provider);
    let mut req = StatementRequest::new(fixtures::date(2026, 11, 1), fixtures::date(2026, 11, 30));
    req.language = Some("fr".into());
    let op = Operation::new("link-nov", sent_at());
    let st = book.statement_with_link("C-1", &req, &op, None).unwrap();
    let m = book.compose_statement_email(&st, None).unwrap();
    let msg = parsed(&m);

    assert_eq!(
        msg.header("Message-ID"),
        Some(format!("<{}@lapointe.example>", m.id).as_str())
    );
    assert_eq!(msg.header("To"), Some("<marie@example.com>"));
    assert_eq!(msg.header("From"), Some("<billing@lapointe.example>"));
    assert_eq!(msg.header("Reply-To"), Some("<billing@lapointe.example>"));
    assert_eq!(msg.header("Date"), Some("Tue, 1 Dec 2026 14:00:00 +0000"));
    assert_eq!(msg.header("MIME-Version"), Some("1.0"));
    // The subject is not ASCII: it travels as encoded words and reads back exactly.
    assert!(msg.header("Subject").unwrap().starts_with("=?utf-8?"));
    assert_eq!(
        msg.decoded("Subject").as_deref(),
        Some("Votre relevé C-1-20261130 de Quincaillerie Lapointe")
    );
    assert_eq!(
        msg.outline(),
        "multipart/mixed\n\
         \x20 multipart/alternative\n\
         \x20   text/plain\n\
         \x20   text/html\n\
         \x20 text/html (attachment statement-C-1-20261130.html)\n\
         \x20 application/xml (attachment statement-C-1-20261130.xml)\n"
    );
    let leaves = msg.leaves();
    assert_eq!(
        leaves[0].param("Content-Type", "charset").as_deref(),
        Some("utf-8")
    );
    assert_eq!(leaves[0].text(), m.text);
    assert_eq!(leaves[1].text(), m.html);
    assert_eq!(leaves[2].text(), st.to_html().unwrap());
    assert_eq!(leaves[3].body, st.to_ubl_xml().unwrap().into_bytes());
    // The link is in both bodies and in both attachments.
    let url = "https://pay.example/C-1-link-nov";
    assert!(leaves[0]
        .text()
        .contains(&format!("Payer en ligne : {url}")));
    assert!(leaves[1]
        .text()
        .contains(&format!("<a href=\"{url}\">{url}</a>")));
    assert!(leaves[2].text().contains(url));
    assert!(String::from_utf8_lossy(&leaves[3].body).contains(url));
}

#[test]
fn a_message_without_a_sender_has_no_from_header() {
    let mut s = montreal();
    s.messages.from = None;
    let m = compose::statement_email(&november("en"), &s, None).unwrap();
    assert_eq!(m.from, None);
    let msg = parsed(&m);
    assert_eq!(msg.names(), header_names(false));
    assert_eq!(
        msg.decoded("Subject").as_deref(),
        Some("Your statement C-1-20261130 from Quincaillerie Lapointe")
    );
}

#[test]
fn the_bytes_differ_only_by_their_boundaries() {
    let m = compose::statement_email(&november("nl"), &montreal(), None).unwrap();
    let a = mime::mask_boundaries(&m.to_rfc5322(sent_at()).unwrap());
    let b = mime::mask_boundaries(&m.to_rfc5322(sent_at()).unwrap());
    assert_eq!(a, b);
    assert!(a.contains("boundary=\"BOUNDARY-1\""));
    assert!(a.contains("\r\n--BOUNDARY-2--\r\n"));
}

// ---- sending ----

/// A book of the fixture with a recording mailer.
fn sending_book(lang: &str) -> (Book, RecordingMailer) {
    let mailer = RecordingMailer::default();
    (
        book_in(montreal(), lang).with_mailer(mailer.clone()),
        mailer,
    )
}

#[test]
fn a_sent_message_is_recorded_on_its_account() {
    let (book, mailer) = sending_book("en");
    let m = book.compose_invoice_email("C-1", 11, None).unwrap();
    assert_eq!(m.id, m.content_id());
    assert_eq!(
        book.send(&m, sent_at()),
        Ok(Sent {
            delivery_id: "delivery-1".into(),
            already_delivered: false
        })
    );
    assert_eq!(mailer.delivered(), vec![m.clone()]);
    assert_eq!(
        recorded_messages(&book, "C-1"),
        vec![(
            MessageRecord {
                message_id: m.id.clone(),
                kind: MessageKind::Invoice,
                to: vec![CUSTOMER.into()],
                subject: "Invoice S-1121 from Quincaillerie Lapointe".into(),
                reminder: None,
                delivery: Delivery::Delivered {
                    delivery_id: "delivery-1".into()
                },
            },
            sent_at()
        )]
    );
    // A record is not money: the balances do not move.
    let s = book.summary("C-1", fixtures::date(2026, 12, 1)).unwrap();
    assert_eq!(
        (s.balance_owed, s.credit_balance),
        (dec("919.76"), dec("92.50"))
    );
}

#[test]
fn sending_a_delivered_message_again_sends_nothing() {
    let (book, mailer) = sending_book("en");
    let st = fixtures::november(&book, "en");
    let m = book.compose_statement_email(&st, None).unwrap();
    book.send(&m, sent_at()).unwrap();
    let entries = book.entries("C-1").unwrap().len();
    let later = sent_at() + chrono::Duration::hours(3);
    assert_eq!(
        book.send(&m, later),
        Ok(Sent {
            delivery_id: "delivery-1".into(),
            already_delivered: true
        })
    );
    // Even composed again, the same message is the same id.
    let again = book.compose_statement_email(&st, None).unwrap();
    assert!(book.send(&again, later).unwrap().already_delivered);
    assert_eq!(mailer.attempted(), 1);
    assert_eq!(mailer.delivered().len(), 1);
    assert_eq!(book.entries("C-1").unwrap().len(), entries);
}

#[test]
fn a_failed_delivery_is_recorded_and_retried() {
    let (book, mailer) = sending_book("en");
    let m = book.compose_invoice_email("C-1", 5, None).unwrap();
    mailer.set_down(true);
    let err = book.send(&m, sent_at()).unwrap_err();
    assert_eq!(
        err,
        Error::DeliveryFailed {
            code: 421,
            message: "mail server down".into()
        }
    );
    assert_eq!(err.code(), 604);
    let failed = Delivery::Failed {
        code: 421,
        reason: "mail server down".into(),
    };
    assert_eq!(
        recorded_messages(&book, "C-1")
            .into_iter()
            .map(|(r, _)| r.delivery)
            .collect::<Vec<_>>(),
        vec![failed.clone()]
    );
    // Still down: a second failure is recorded too.
    let second = sent_at() + chrono::Duration::minutes(10);
    assert!(book.send(&m, second).is_err());
    // Back up: the retry sends and records the delivery.
    mailer.set_down(false);
    let third = sent_at() + chrono::Duration::minutes(20);
    assert_eq!(
        book.send(&m, third),
        Ok(Sent {
            delivery_id: "delivery-3".into(),
            already_delivered: false
        })
    );
    let records = recorded_messages(&book, "C-1");
    assert_eq!(
        records
            .iter()
            .map(|(r, at)| (r.delivery.clone(), *at))
            .collect::<Vec<_>>(),
        vec![
            (failed.clone(), sent_at()),
            (failed, second),
            (
                Delivery::Delivered {
                    delivery_id: "delivery-3".into()
                },
                third
            ),
        ]
    );
    assert!(records.iter().all(|(r, _)| r.message_id == m.id
        && r.kind == MessageKind::Invoice
        && r.subject == "Invoice S-1103 from Quincaillerie Lapointe"));
    // Delivered now: nothing more is sent.
    assert!(book.send(&m, third).unwrap().already_delivered);
    assert_eq!(mailer.attempted(), 3);
    assert_eq!(mailer.delivered(), vec![m]);
}

/// A mailer that takes its time, so that sends of the same message overlap.
struct SlowMailer(RecordingMailer);

impl creditbook::Mailer for SlowMailer {
    fn send(&self, message: &Message) -> Result<String, creditbook::PortError> {
        std::thread::sleep(std::time::Duration::from_millis(30));
        self.0.send(message)
    }
}

#[test]
fn the_same_message_sent_from_two_tills_at_once_goes_out_once() {
    let mailer = RecordingMailer::default();
    let book = book_in(montreal(), "en").with_mailer(SlowMailer(mailer.clone()));
    let m = book.compose_invoice_email("C-1", 11, None).unwrap();
    let barrier = std::sync::Barrier::new(4);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    book.send(&m, sent_at())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let fresh = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Ok(Sent {
                    already_delivered: false,
                    ..
                })
            )
        })
        .count();
    assert_eq!(fresh, 1, "{results:?}");
    for r in &results {
        match r {
            Ok(sent) => assert_eq!(sent.delivery_id, "delivery-1"),
            Err(Error::InvalidState { reason }) => {
                assert_eq!(reason, &format!("message {} is being sent", m.id))
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(mailer.delivered().len(), 1);
    assert_eq!(recorded_messages(&book, "C-1").len(), 1);
}

#[test]
fn sending_needs_a_mailer() {
    let book = book_in(montreal(), "en");
    let m = book.compose_invoice_email("C-1", 5, None).unwrap();
    let before = book.entries("C-1").unwrap().len();
    let err = book.send(&m, sent_at()).unwrap_err();
    assert_eq!(err, Error::PortMissing { port: "mailer" });
    assert_eq!(err.code(), 606);
    assert_eq!(book.entries("C-1").unwrap().len(), before);
}

#[test]
fn the_invoice_email_has_the_invoices_figures() {
    let (book, _) = sending_book("en");
    let m = book.compose_invoice_email("C-1", 5, None).unwrap();
    // Named as the customer knows it: the sale's reference the till gave.
    assert_eq!(m.subject, "Invoice S-1103 from Quincaillerie Lapointe");
    assert_eq!(
        m.text,
        "Hello Marie Tremblay,\n\n\
         Here is your invoice for your purchase on account.\n\n\
         Invoice S-1103 of November 3, 2026: $89.99, due December 3, 2026.\n\n\
         Quincaillerie Lapointe\n"
    );
    assert_eq!(
        m.html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"></head>\n\
         <body style=\"font-family: sans-serif\">\n\
         <p>Hello Marie Tremblay,</p>\n\
         <p>Here is your invoice for your purchase on account.</p>\n\
         <p>Invoice S-1103 of November 3, 2026: $89.99, due December 3, 2026.</p>\n\
         <p>Quincaillerie Lapointe</p>\n</body>\n</html>\n"
    );
    assert!(m.attachments.is_empty());
}

#[test]
fn names_are_escaped_in_html_bodies() {
    let customer = Customer {
        email: Some(CUSTOMER.into()),
        language: Some("en".into()),
        ..Customer::new("cust-1", "<b>Tom & \"Jerry\"</b>")
    };
    let who = Addressee {
        account: "C-1",
        customer: &customer,
        to: None,
    };
    let invoice = InvoiceFacts {
        id: 7,
        label: "7".into(),
        date: fixtures::date(2026, 11, 3),
        due_date: fixtures::date(2026, 12, 3),
        amount: dec("10.00"),
        remaining: dec("10.00"),
    };
    let m = compose::invoice_email(&who, &invoice, &montreal()).unwrap();
    assert!(m
        .html
        .contains("<p>Hello &lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;,</p>"));
    assert!(!m.html.contains("<b>"));
    assert!(m.text.starts_with("Hello <b>Tom & \"Jerry\"</b>,\n"));
}

// ---- snapshots of every message kind in every language ----

/// A message as the user reviews it: recipients, subject, then the text body.
fn review(m: &Message) -> String {
    format!(
        "From: {}\nTo: {}\nSubject: {}\nAttachments: {}\n\n{}",
        m.from.as_deref().unwrap_or("-"),
        m.to.join(", "),
        m.subject,
        m.attachments
            .iter()
            .map(|a| format!("{} ({})", a.filename, a.content_type))
            .collect::<Vec<_>>()
            .join(", "),
        m.text
    )
}

/// Every kind of message of the fixture's account, in `lang`: the statement with its link, the
/// invoice of S-1121, the receipt and the store's notice of an online payment, and the reminders
/// of invoice 11 three days before its due date, on it and a week after.
fn every_message(lang: &str) -> Vec<(&'static str, Message)> {
    let mut s = montreal();
    s.statements.language = language(lang);
    let mailer = RecordingMailer::default();
    let book = book_in(s, lang)
        .with_mailer(mailer.clone())
        .with_payment_provider(RecordingProvider::default());
    let mut req = StatementRequest::new(fixtures::date(2026, 11, 1), fixtures::date(2026, 11, 30));
    req.language = Some(lang.into());
    let op = Operation::new("link-nov", sent_at());
    let st = book.statement_with_link("C-1", &req, &op, None).unwrap();
    let mut out = vec![
        (
            "statement",
            book.compose_statement_email(&st, None).unwrap(),
        ),
        (
            "invoice",
            book.compose_invoice_email("C-1", 11, None).unwrap(),
        ),
    ];
    let confirmation = OnlinePaymentConfirmation {
        provider_payment_id: "pi_3MtwBwLkdIwHu7ix".into(),
        amount: creditbook::Money::new(dec("100.00"), st.currency),
        at: Utc.with_ymd_and_hms(2026, 12, 2, 15, 30, 0).unwrap(),
        link: None,
    };
    let confirmed = book.confirm_online_payment("C-1", &confirmation).unwrap();
    out.push(("receipt", confirmed.receipt.unwrap().0));
    out.push(("store_notice", confirmed.notice.unwrap().0));
    book.set_automation(
        &common::automation_op(manager()),
        Automation {
            reminder_days: vec![-3, 0, 3, 7, 14, 30],
            statement_day: None,
        },
    )
    .unwrap();
    for (kind, day) in [
        ("reminder_upcoming", fixtures::date(2026, 12, 18)),
        ("reminder_today", fixtures::date(2026, 12, 21)),
        ("reminder_overdue", fixtures::date(2026, 12, 28)),
    ] {
        let due = book.reminders_due(day).unwrap();
        let r = due.into_iter().find(|r| r.invoice == 11).unwrap();
        out.push((kind, r.message.unwrap()));
    }
    out
}

#[test]
fn snapshots_of_every_message_in_every_language() {
    for lang in fixtures::LANGUAGES {
        for (kind, m) in every_message(lang) {
            assert_eq!(m.language, language(lang), "{kind} {lang}");
            insta::assert_snapshot!(format!("{kind}_{lang}"), review(&m));
        }
    }
}

#[test]
fn snapshot_of_a_whole_message() {
    let messages = every_message("fr");
    let (_, receipt) = messages.iter().find(|(k, _)| *k == "receipt").unwrap();
    let bytes = receipt.to_rfc5322(sent_at()).unwrap();
    Part::parse(&bytes);
    let masked = mime::mask_boundaries(&bytes).replace("\r\n", "\n");
    insta::assert_snapshot!("rfc5322_receipt_fr", masked);

    // The statement's: every header of every part (the bodies are the statement's own, checked
    // above and by the statement's snapshots).
    let (_, statement) = messages.iter().find(|(k, _)| *k == "statement").unwrap();
    let msg = parsed(statement);
    let mut outline = String::new();
    fn headers(p: &Part, depth: usize, out: &mut String) {
        for (name, value) in &p.headers {
            let value = if name.eq_ignore_ascii_case("Content-Type") && value.contains("boundary") {
                value.split(';').next().unwrap().to_string() + "; boundary=..."
            } else {
                value.clone()
            };
            out.push_str(&format!("{}{name}: {value}\n", "  ".repeat(depth)));
        }
        for part in &p.parts {
            headers(part, depth + 1, out);
        }
    }
    headers(&msg, 0, &mut outline);
    insta::assert_snapshot!("rfc5322_statement_fr_headers", outline);
}

#[test]
fn permissions_are_not_needed_to_compose_or_send() {
    // Composing and sending is the host's decision: no permission is asked.
    let (book, _) = sending_book("en");
    let m = book.compose_invoice_email("C-1", 11, None).unwrap();
    assert!(book.send(&m, sent_at()).is_ok());
    // Changing the reminder policy is another matter (see reminders.rs).
    assert_eq!(
        book.set_automation(
            &common::automation_op(common::clerk()),
            Automation::default()
        ),
        Err(Error::PermissionDenied {
            permission: Permission::AutomatedAr
        })
    );
}

// ---- refusals in the clerk's language ----

/// One error of every variant, with figures.
fn every_error() -> Vec<Error> {
    use chrono::NaiveDate;
    let d = |s: &str| dec(s);
    let day = |m, dd| NaiveDate::from_ymd_opt(2026, m, dd).unwrap();
    vec![
        Error::AmountNotPositive { amount: d("0") },
        Error::AmountNegative { amount: d("-5.00") },
        Error::TooManyDecimals {
            amount: d("1.005"),
            currency: "CAD".into(),
            allowed: 2,
        },
        Error::CurrencyMismatch {
            expected: "CAD".into(),
            got: "EUR".into(),
        },
        Error::UnknownCurrency { code: "XYZ".into() },
        Error::InvalidAmountText {
            text: "12,3.4".into(),
        },
        Error::Overflow,
        Error::InvalidInput {
            field: "sale",
            reason: "longer than 128 bytes".into(),
        },
        Error::InvalidEmail {
            address: "marie@".into(),
        },
        Error::UnknownTimeZone {
            name: "Mars/Olympus".into(),
        },
        Error::InvalidDateRange {
            from: day(12, 1),
            to: day(11, 1),
        },
        Error::LanguageNotOffered {
            language: "it".into(),
            offered: vec!["en".into(), "fr".into()],
        },
        Error::InvalidStatementRequest {
            reason: "due date before the statement date".into(),
        },
        Error::MissingRecipient,
        Error::HeaderInjection { field: "subject" },
        Error::UnknownAccount {
            account: "C-9".into(),
        },
        Error::AccountExists {
            account: "C-1".into(),
        },
        Error::AccountOnHold {
            account: "C-1".into(),
        },
        Error::AccountArchived {
            account: "C-1".into(),
        },
        Error::UnknownEntry { entry: 42 },
        Error::UnknownInvoice { invoice: 7 },
        Error::InvoiceNotOpen { invoice: 7 },
        Error::InvalidState {
            reason: "message x is being sent".into(),
        },
        Error::CreditLimitExceeded {
            available: d("80.00"),
            requested: d("120.00"),
        },
        Error::InsufficientCredit {
            available: d("10.00"),
            requested: d("25.00"),
        },
        Error::OverdueCreditHold {
            invoice: 3,
            days_overdue: 45,
            allowed_days: 30,
        },
        Error::RefundExceedsSale {
            refundable: d("30.00"),
            requested: d("50.00"),
        },
        Error::RefundsToCreditDisabled,
        Error::ReceiptRequired,
        Error::ApplyExceedsBalanceOwed {
            owed: d("40.00"),
            requested: d("60.00"),
        },
        Error::AlreadyReversed { entry: 5 },
        Error::NotReversible {
            entry: 5,
            reason: "its invoice was paid".into(),
        },
        Error::WriteOffExceedsInvoice {
            remaining: d("15.00"),
            requested: d("20.00"),
        },
        Error::PaymentLinkAmountOutOfRange {
            min: d("0.00"),
            max: d("100000.00"),
            requested: d("250000.00"),
        },
        Error::UnknownPaymentLink {
            reference: "C-1-nope".into(),
        },
        Error::PaymentAmountMismatch {
            expected: d("80.00"),
            paid: d("79.99"),
        },
        Error::PermissionDenied {
            permission: Permission::CreditLimit,
        },
        Error::OperationIdConflict {
            op_id: "op-7".into(),
        },
        Error::StoreContention { attempts: 64 },
        Error::StoreFailed {
            code: 5,
            message: "database is locked".into(),
        },
        Error::CorruptRecord {
            reason: "not JSON".into(),
        },
        Error::UnsupportedSchema {
            version: 9,
            supported: 1,
        },
        Error::DeliveryFailed {
            code: 421,
            message: "relay down".into(),
        },
        Error::PaymentProviderFailed {
            code: 503,
            message: "portal down".into(),
        },
        Error::PortMissing { port: "mailer" },
    ]
}

#[test]
fn every_refusal_has_a_message_in_every_language_with_its_figures() {
    let errors = every_error();
    let codes: std::collections::BTreeSet<u32> = errors.iter().map(Error::code).collect();
    assert_eq!(codes.len(), 45, "one sample per error code");
    let book = book_in(montreal(), "fr");
    for lang in ["en", "fr", "es", "de", "nl"] {
        let mut seen = std::collections::BTreeSet::new();
        for e in &errors {
            let text = book.localize_error(e, lang).unwrap();
            // A missing message, or one naming a figure the error lacks, comes back as its id.
            assert!(!text.starts_with("error-"), "{lang} {}: {text}", e.code());
            assert!(seen.insert(text.clone()), "{lang}: two errors read {text}");
            for (_, arg) in e.args() {
                if let creditbook::ErrorArg::Text(t) = arg {
                    assert!(text.contains(&t), "{lang} {}: {text} lacks {t}", e.code());
                }
            }
        }
    }
}

#[test]
fn a_declined_charge_reads_in_the_clerks_language_with_the_statements_amounts() {
    let book = book_in(montreal(), "fr");
    let e = Error::CreditLimitExceeded {
        available: dec("80.00"),
        requested: dec("120.00"),
    };
    // Hand-written: a Canadian store prints 80,00 $ in French and $80.00 in English.
    assert_eq!(
        book.localize_error(&e, "fr").unwrap(),
        "Limite de crédit dépassée : 80,00\u{a0}$ disponible, 120,00\u{a0}$ demandé."
    );
    assert_eq!(
        book.localize_error(&e, "en").unwrap(),
        "Credit limit exceeded: $80.00 available, $120.00 requested."
    );
    assert_eq!(
        book.localize_error(&e, "de").unwrap(),
        "Kreditlimit überschritten: 80,00\u{a0}$ verfügbar, 120,00\u{a0}$ angefordert."
    );
    // The English Display stays for logs.
    assert_eq!(
        e.to_string(),
        "credit limit exceeded: 80.00 available, 120.00 requested"
    );
    // A language the store does not print in is refused.
    let mut only_en = montreal();
    only_en.statements.languages = vec![language("en")];
    assert!(matches!(
        book_in(only_en, "en").localize_error(&e, "fr"),
        Err(Error::LanguageNotOffered { .. })
    ));
}

// ---- a message is its content ----

#[test]
fn a_corrected_statement_is_sent_again_and_the_same_one_only_once() {
    let (book, mailer) = sending_book("fr");
    let mut req = StatementRequest::new(fixtures::date(2026, 11, 1), fixtures::date(2026, 11, 30));
    let st = book.statement("C-1", &req).unwrap();
    let first = book.compose_statement_email(&st, None).unwrap();
    assert!(!book.send(&first, sent_at()).unwrap().already_delivered);
    // The same message again: recorded once, sent once.
    let same = book.compose_statement_email(&st, None).unwrap();
    assert_eq!(same.id, first.id);
    assert!(book.send(&same, sent_at()).unwrap().already_delivered);
    assert_eq!(mailer.delivered().len(), 1);
    // The clerk edits the amount due and sends again: another message, delivered.
    req.amount_due = Some(dec("100.00"));
    let corrected = book.statement("C-1", &req).unwrap();
    let second = book.compose_statement_email(&corrected, None).unwrap();
    assert_ne!(second.id, first.id);
    assert!(!book.send(&second, sent_at()).unwrap().already_delivered);
    // Another due date, another language: other messages again.
    req.due_date = Some(fixtures::date(2026, 12, 15));
    let third = book
        .compose_statement_email(&book.statement("C-1", &req).unwrap(), None)
        .unwrap();
    req.language = Some("en".into());
    let fourth = book
        .compose_statement_email(&book.statement("C-1", &req).unwrap(), None)
        .unwrap();
    assert!(!book.send(&third, sent_at()).unwrap().already_delivered);
    assert!(!book.send(&fourth, sent_at()).unwrap().already_delivered);
    // The first statement to a second address: allowed, delivered and recorded with its recipient.
    let other = book
        .compose_statement_email(&st, Some("comptable@example.com"))
        .unwrap();
    assert_ne!(other.id, first.id);
    assert!(!book.send(&other, sent_at()).unwrap().already_delivered);
    assert_eq!(mailer.delivered().len(), 5);
    let recipients: Vec<Vec<String>> = recorded_messages(&book, "C-1")
        .into_iter()
        .map(|(r, _)| r.to)
        .collect();
    assert_eq!(recipients.len(), 5);
    assert_eq!(
        recipients.last().unwrap(),
        &vec!["comptable@example.com".to_string()]
    );
    // A message changed after composing is refused until sealed again: its id names its content.
    let mut edited = first.clone();
    edited.subject.push_str(" (copie)");
    assert!(matches!(
        book.send(&edited, sent_at()),
        Err(Error::InvalidInput {
            field: "message id",
            ..
        })
    ));
    edited.seal();
    assert!(!book.send(&edited, sent_at()).unwrap().already_delivered);
}

#[test]
fn the_message_id_header_is_in_the_stores_domain_or_the_documented_fallback() {
    let (book, _) = sending_book("en");
    let m = book.compose_invoice_email("C-1", 11, None).unwrap();
    assert_eq!(m.message_id_header(), format!("{}@lapointe.example", m.id));
    let mut no_from = montreal();
    no_from.messages.from = None;
    let m = book_in(no_from, "en")
        .compose_invoice_email("C-1", 11, None)
        .unwrap();
    assert_eq!(
        m.message_id_header(),
        format!("{}@creditbook.invalid", m.id)
    );
    let bytes = String::from_utf8(m.to_rfc5322(sent_at()).unwrap()).unwrap();
    assert!(
        bytes.contains(&format!("Message-ID: <{}@creditbook.invalid>", m.id)),
        "{bytes}"
    );
}
