//! The persisted entry format, version 1: the golden file `tests/golden/entries-v1.jsonl` holds the
//! whole ledger of `common::mixed_scenario`, one record per line, with an entry of every kind.
//! Hosts keep these records for years, so every later version of the library must read them,
//! fold them to the same figures and write them back byte for byte.
//!
//! The golden file is written once, by `CREDITBOOK_BLESS=1 cargo test -p creditbook --test
//! persisted_format`, and committed; a normal run only reads it. A released format's golden file
//! is never re-blessed: a new format gets a new schema version and a new golden file.

mod common;
mod ports;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use common::*;
use creditbook::{AccountState, AccountStatus, CreditLimit, Entry, EntryType, Error};
use rust_decimal::Decimal;

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/golden/entries-v1.jsonl"
);

/// A second ledger of schema 1 with the kinds of getting paid online: payment links (one
/// cancelled by a newer deposit request), payments and deposits confirmed by the provider, and
/// messages sent (one failed, then retried).
const GOLDEN_ONLINE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/golden/entries-v1-online.jsonl"
);

/// The same kinds as written since December 2026 (still schema 1: every change is a new optional
/// field or a new kind): claims to send recorded before the mailer is called, content-named
/// messages, the host's own invoice number, a payment flagged as unusual.
const GOLDEN_ONLINE_2: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/golden/entries-v1-online-2.jsonl"
);

/// The book's own ledger (store-wide records): the automation changed twice.
const GOLDEN_BOOK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/golden/entries-v1-book.jsonl"
);

/// The records of the online scenario.
fn online_records() -> String {
    use creditbook::{Book, LinkPurpose, OnlinePaymentConfirmation};
    let mailer = ports::RecordingMailer::default();
    let book = Book::new(settings())
        .with_mailer(mailer.clone())
        .with_payment_provider(ports::RecordingProvider::default());
    let at = noon(opening_day());
    let mut request = open_request("Marie Tremblay", limit("500.00"));
    request.customer.email = Some("marie@example.com".into());
    let manager = creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit);
    book.open_account(
        ACCOUNT,
        &creditbook::Operation::new("o-1", at).by(manager),
        request,
    )
    .unwrap();
    let op = |id: &str| creditbook::Operation::new(id, at);
    book.charge(
        ACCOUNT,
        &op("o-2"),
        creditbook::Charge::new(money("120.00"))
            .sale("S-1")
            .invoice_number("F-2026-0001"),
    )
    .unwrap();
    let balance = LinkPurpose::Balance {
        reference: "ST-1".into(),
    };
    let link = book
        .payment_link(ACCOUNT, &op("o-3"), money("120.00"), balance)
        .unwrap();
    let layaway = || LinkPurpose::Deposit { sale: "S-9".into() };
    book.payment_link(ACCOUNT, &op("o-4"), money("50.00"), layaway())
        .unwrap();
    let deposit = book
        .payment_link(ACCOUNT, &op("o-5"), money("60.00"), layaway())
        .unwrap();
    let confirm = |id: &str, amount: &str, link: Option<String>| OnlinePaymentConfirmation {
        provider_payment_id: id.into(),
        amount: money(amount),
        at,
        link,
    };
    mailer.set_down(true);
    book.confirm_online_payment(
        ACCOUNT,
        &confirm("pp_1", "120.00", Some(link.record.reference.to_string())),
    )
    .unwrap();
    mailer.set_down(false);
    // 59.00 through the 60.00 deposit request: recorded, flagged.
    book.confirm_online_payment(
        ACCOUNT,
        &confirm("pp_2", "59.00", Some(deposit.record.reference.to_string())),
    )
    .unwrap();
    let entries = book.entries(ACCOUNT).unwrap();
    entries.iter().map(|e| e.to_record() + "\n").collect()
}

/// The records of the book's own ledger after two changes of the automation.
fn book_records() -> String {
    use creditbook::{Actor, Automation, Book, Permission};
    let book = Book::new(settings());
    let by = Actor::new("owner").with(Permission::AutomatedAr);
    let at = noon(opening_day());
    let first = Automation {
        reminder_days: vec![-3, 0, 7],
        statement_day: Some(5),
    };
    book.set_automation(&creditbook::Operation::new("a-1", at).by(by.clone()), first)
        .unwrap();
    book.set_automation(
        &creditbook::Operation::new("a-2", at).by(by),
        Automation::default(),
    )
    .unwrap();
    book.automation_history()
        .unwrap()
        .iter()
        .map(|e| e.to_record() + "\n")
        .collect()
}

/// Entries of a golden file written by `make` (blessed once).
fn golden_entries_of(path: &str, make: fn() -> String) -> (String, Vec<Entry>) {
    let text = golden_file(path, make);
    let entries = text
        .lines()
        .enumerate()
        .map(|(i, line)| Entry::from_record(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)))
        .collect();
    (text, entries)
}

/// A golden file's text (written first when `CREDITBOOK_BLESS=1`).
fn golden_file(path: &str, make: fn() -> String) -> String {
    if std::env::var("CREDITBOOK_BLESS").as_deref() == Ok("1") {
        std::fs::write(path, make()).expect("writing the golden file");
    }
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e} (bless it once with CREDITBOOK_BLESS=1)"))
}

fn online_entries() -> Vec<Entry> {
    // Released before December 2026: only read, never written again.
    let text = std::fs::read_to_string(GOLDEN_ONLINE).expect("the released online golden file");
    text.lines()
        .enumerate()
        .map(|(i, line)| Entry::from_record(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)))
        .collect()
}

/// The records the scenario writes today, one per line.
fn scenario_records() -> String {
    let shop = mixed_scenario();
    let entries = shop.book.entries(ACCOUNT).unwrap();
    entries.iter().map(|e| e.to_record() + "\n").collect()
}

/// The golden file's text (written first when `CREDITBOOK_BLESS=1`).
fn golden() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| golden_file(GOLDEN, scenario_records))
}

fn golden_entries() -> Vec<Entry> {
    golden()
        .lines()
        .enumerate()
        .map(|(i, line)| Entry::from_record(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)))
        .collect()
}

#[test]
fn the_golden_files_have_an_entry_of_every_kind() {
    let online_2 = golden_entries_of(GOLDEN_ONLINE_2, online_records).1;
    let book = golden_entries_of(GOLDEN_BOOK, book_records).1;
    let kinds: BTreeSet<EntryType> = golden_entries()
        .iter()
        .chain(&online_entries())
        .chain(&online_2)
        .chain(&book)
        .map(|e| e.kind.entry_type())
        .collect();
    assert_eq!(kinds, EntryType::ALL.into_iter().collect());
}

#[test]
fn the_online_golden_file_loads_folds_and_is_written_back() {
    let entries = online_entries();
    assert_eq!(
        std::fs::read_to_string(GOLDEN_ONLINE).unwrap(),
        entries
            .iter()
            .map(|e| e.to_record() + "\n")
            .collect::<String>()
    );
    let state = AccountState::from_entries(entries).unwrap();
    // 120.00 charged and paid online; the 60.00 layaway deposit paid online is credit.
    assert_eq!(state.ledger().balance_owed(), dec("0.00"));
    assert_eq!(state.ledger().credit_balance(), dec("60.00"));
    // Seen the day they were made (all three expired since, or paid).
    let made = state.entries().last().unwrap().at;
    let links = creditbook::links::links(state.entries(), made);
    let status: Vec<_> = links.iter().map(|l| l.status).collect();
    use creditbook::links::LinkStatus::*;
    assert_eq!(status, [Paid, Cancelled, Paid]);
}

#[test]
fn golden_records_are_written_back_byte_for_byte() {
    let lines: Vec<&str> = golden().lines().collect();
    let entries = golden_entries();
    assert_eq!(lines.len(), entries.len());
    for (line, entry) in lines.iter().zip(&entries) {
        assert_eq!(entry.to_record(), *line);
    }
    assert!(golden().ends_with('\n'));
}

#[test]
fn golden_records_fold_to_the_scenarios_figures() {
    let state = AccountState::from_entries(golden_entries()).unwrap();
    let ledger = state.ledger();
    assert_eq!(ledger.version(), 23);
    assert_eq!(ledger.balance_owed(), dec("70.00"));
    assert_eq!(ledger.credit_balance(), dec("97.50"));
    let open: Vec<(u64, Decimal)> = ledger
        .open_invoices()
        .map(|i| (i.id, i.remaining))
        .collect();
    assert_eq!(open, items(&[(5, "15.00"), (14, "15.00"), (6, "40.00")]));
    let profile = ledger.profile().unwrap();
    assert_eq!(profile.credit_limit, CreditLimit::Amount(dec("1500")));
    assert_eq!(profile.status, AccountStatus::Active);
    assert_eq!(profile.customer.email.as_deref(), Some("marie@example.com"));
    assert_eq!(ledger.last_date(), Some(day(2026, 4, 1)));
    assert!(ledger.is_reversed(13) && ledger.is_reversed(20));
    assert!(ledger.invoice(20).unwrap().cancelled);
    let sales = state.sales().unwrap();
    assert_eq!(sales.get("S-100").unwrap().refunded, dec("30"));
    assert_eq!(sales.get("S-103").unwrap().paid_through_account, dec("0"));
    assert_eq!(sales.get("S-104").unwrap().refundable(), dec("0"));
    assert_eq!(state.operation("op-23").map(<[Entry]>::len), Some(1));
}

#[test]
fn records_are_json_with_decimal_strings_and_utc_instants() {
    let charge = golden()
        .lines()
        .find(|l| l.contains(r#""type":"charge""#))
        .unwrap();
    assert!(
        charge.starts_with(r#"{"schema":1,"entry":{"seq":5,"#),
        "{charge}"
    );
    assert!(charge.contains(r#""amount":"250.00""#), "{charge}");
    assert!(
        charge.contains(r#""at":"2026-03-02T17:00:00Z""#),
        "{charge}"
    );
    assert!(charge.contains(r#""due_date":"2026-03-17""#), "{charge}");
    // The hold was put late on March 31 in Montreal: April 1 in UTC, March 31 in the shop.
    let hold = golden().lines().nth(16).unwrap();
    assert!(
        hold.contains(r#""at":"2026-04-01T03:30:00Z","date":"2026-03-31""#),
        "{hold}"
    );
}

#[test]
fn the_library_still_writes_the_v1_format() {
    // Failing here means the persisted format changed: bump RECORD_SCHEMA_VERSION, keep reading
    // v1, and add a golden file for the new version instead of re-blessing this one.
    assert_eq!(scenario_records(), golden());
}

#[test]
fn a_record_of_a_later_schema_is_refused() {
    let first = golden().lines().next().unwrap();
    let v2 = first.replacen(r#"{"schema":1,"#, r#"{"schema":2,"#, 1);
    assert_eq!(
        Entry::from_record(&v2),
        Err(Error::UnsupportedSchema {
            version: 2,
            supported: 1
        })
    );
    let v0 = first.replacen(r#"{"schema":1,"#, r#"{"schema":0,"#, 1);
    assert!(matches!(
        Entry::from_record(&v0),
        Err(Error::UnsupportedSchema { version: 0, .. })
    ));
}

#[test]
fn garbage_is_a_corrupt_record() {
    let first = golden().lines().next().unwrap();
    let truncated = &first[..first.len() / 2];
    let bad_kind = first.replace(r#""type":"account_opened""#, r#""type":"gift""#);
    for garbage in [
        "",
        "not json",
        "{}",
        r#"{"schema":1}"#,
        truncated,
        &bad_kind,
    ] {
        assert!(
            matches!(
                Entry::from_record(garbage),
                Err(Error::CorruptRecord { .. })
            ),
            "{garbage:?}: {:?}",
            Entry::from_record(garbage)
        );
    }
}

#[test]
fn a_ledger_with_a_gap_does_not_fold() {
    let mut entries = golden_entries();
    entries.remove(7);
    assert!(matches!(
        AccountState::from_entries(entries),
        Err(Error::CorruptRecord { .. })
    ));
}

#[test]
fn the_library_writes_the_december_2026_records_as_blessed() {
    let (text, entries) = golden_entries_of(GOLDEN_ONLINE_2, online_records);
    assert_eq!(online_records(), text);
    let state = AccountState::from_entries(entries.clone()).unwrap();
    // 120.00 paid; 59.00 of deposit through a 60.00 request is credit, flagged.
    assert_eq!(state.ledger().balance_owed(), dec("0.00"));
    assert_eq!(state.ledger().credit_balance(), dec("59.00"));
    assert!(text.contains(r#""invoice_number":"F-2026-0001""#), "{text}");
    assert!(
        text.contains(r#""unusual":[{"kind":"amount_differs","asked":"60.00"}]"#),
        "{text}"
    );
    assert!(text.contains(r#""status":"sending""#), "{text}");
    let (book_text, book) = golden_entries_of(GOLDEN_BOOK, book_records);
    assert_eq!(book_records(), book_text);
    assert_eq!(book.len(), 2);
    assert_eq!(book[1].actor.as_deref(), Some("owner"));
}
