//! Issue 4, reminders and the statement schedule: changing the policy needs `automated_ar`;
//! reminders fall on days relative to due dates, each at most once, never for a paid invoice, in
//! the customer's language; on the statement day, last month's statements of every account with
//! a balance.

mod common;
mod ports;

use chrono::NaiveDate;
use creditbook::{Automation, Customer, Delivery, Error, MessageKind, Permission, ReminderDue};

use common::{day, dec, manager, noon, only, Shop, ACCOUNT};
use ports::{recorded_messages, RecordingMailer, RecordingProvider};

/// The reminder days of the example.
fn policy() -> Automation {
    Automation {
        reminder_days: vec![-3, 0, 3, 7, 14, 30],
        statement_day: None,
    }
}

/// A shop with a recording mailer and account A-1 (Marie Tremblay, marie@example.com, `lang`)
/// opened on 2026-03-02, reminders on the days.
fn shop_in(lang: &str) -> (Shop, RecordingMailer) {
    let mailer = RecordingMailer::default();
    let shop = Shop::with(|s| s.messages.from = Some("billing@lapointe.example".into()))
        .map_book(|b| b.with_mailer(mailer.clone()));
    shop.open(ACCOUNT, "Marie Tremblay", common::limit("5000"))
        .unwrap();
    contact(&shop, ACCOUNT, Some("marie@example.com"), lang);
    shop.book
        .set_automation(&common::automation_op(manager()), policy())
        .unwrap();
    (shop, mailer)
}

fn contact(shop: &Shop, account: &str, email: Option<&str>, lang: &str) {
    let name = if account == ACCOUNT {
        "Marie Tremblay"
    } else {
        "Jan de Vries"
    };
    let customer = Customer {
        email: email.map(String::from),
        language: Some(lang.into()),
        ..Customer::new(format!("cust-{account}"), name)
    };
    shop.book
        .update_contact(account, &shop.op(), customer)
        .unwrap();
}

/// A reminder due: (account, invoice, level, days from due).
type Due = (String, u64, u32, i64);

/// The reminders due on `day`.
fn due_on(shop: &Shop, on: NaiveDate) -> Vec<Due> {
    shop.book
        .reminders_due(on)
        .unwrap()
        .into_iter()
        .map(|r| (r.account.to_string(), r.invoice, r.level, r.days_from_due))
        .collect()
}

/// Sends the reminders of `day`; returns (invoice, level, days from due) of those delivered.
fn send_on(shop: &Shop, on: NaiveDate) -> Vec<(u64, u32, i64)> {
    shop.book
        .send_reminders(on, noon(on))
        .unwrap()
        .into_iter()
        .filter(|(_, sent)| sent.is_ok())
        .map(|(r, _)| (r.invoice, r.level, r.days_from_due))
        .collect()
}

fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}

// ---- the policy ----

#[test]
fn changing_the_policy_needs_automated_ar() {
    let shop = Shop::new();
    assert_eq!(shop.book.automation().unwrap(), Automation::default());
    let err = shop
        .book
        .set_automation(&common::automation_op(common::clerk()), policy())
        .unwrap_err();
    assert_eq!(
        err,
        Error::PermissionDenied {
            permission: Permission::AutomatedAr
        }
    );
    assert_eq!(err.code(), 400);
    // Other permissions are not enough.
    assert!(shop
        .book
        .set_automation(
            &common::automation_op(only(Permission::AdjustBalance)),
            policy()
        )
        .is_err());
    assert_eq!(shop.book.automation().unwrap(), Automation::default());
    shop.book
        .set_automation(
            &common::automation_op(only(Permission::AutomatedAr)),
            policy(),
        )
        .unwrap();
    assert_eq!(shop.book.automation().unwrap(), policy());
}

#[test]
fn a_policy_is_checked() {
    let shop = Shop::new();
    let bad_days = [
        vec![3, 0],
        vec![0, 0],
        vec![-366],
        vec![400],
        (1..=13).collect::<Vec<i32>>(),
    ];
    for reminder_days in bad_days {
        let err = shop
            .book
            .set_automation(
                &common::automation_op(manager()),
                Automation {
                    reminder_days: reminder_days.clone(),
                    statement_day: None,
                },
            )
            .unwrap_err();
        common::assert_invalid(err, "reminder days");
    }
    for statement_day in [0, 29, 31] {
        let err = shop
            .book
            .set_automation(
                &common::automation_op(manager()),
                Automation {
                    reminder_days: vec![],
                    statement_day: Some(statement_day),
                },
            )
            .unwrap_err();
        common::assert_invalid(err, "statement day");
    }
    assert_eq!(shop.book.automation().unwrap(), Automation::default());
    // The automation is recorded in the store: a second Book on the same store (another till,
    // or the same one after a restart) follows it, and its history says who changed what.
    shop.book
        .set_automation(&common::automation_op(manager()), policy())
        .unwrap();
    let other = creditbook::Book::with_store(common::settings(), shop.book.store().clone());
    assert_eq!(other.automation().unwrap(), policy());
    let history = other.automation_history().unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.actor.as_deref(), Some("manager"));
    assert_eq!(
        last.kind,
        creditbook::EntryKind::AutomationChanged {
            old: Box::new(Automation::default()),
            new: Box::new(policy()),
        }
    );
    // The book's own ledger is no customer account.
    assert!(other
        .account_ids()
        .unwrap()
        .iter()
        .all(|id| id != creditbook::store::BOOK_LEDGER));
    assert!(matches!(
        shop.open(
            creditbook::store::BOOK_LEDGER,
            "Mallory",
            common::limit("0")
        ),
        Err(Error::InvalidInput {
            field: "account id",
            ..
        })
    ));
}

// ---- which reminders are due ----

#[test]
fn reminders_fall_on_days_relative_to_the_due_date() {
    let (shop, _) = shop_in("en");
    let invoice = shop.invoice("100.00"); // 2026-03-02, due 2026-04-01
    assert_eq!(shop.open_items(), vec![(invoice, dec("100.00"))]);
    let a = || ACCOUNT.to_string();
    let expected: [(NaiveDate, Vec<Due>); 9] = [
        (day(2026, 3, 2), vec![]),
        (day(2026, 3, 28), vec![]),
        (day(2026, 3, 29), vec![(a(), invoice, 0, -3)]),
        // Not sent yet: still due, with its own level.
        (day(2026, 3, 31), vec![(a(), invoice, 0, -1)]),
        (day(2026, 4, 1), vec![(a(), invoice, 1, 0)]),
        (day(2026, 4, 4), vec![(a(), invoice, 2, 3)]),
        (day(2026, 4, 8), vec![(a(), invoice, 3, 7)]),
        (day(2026, 4, 15), vec![(a(), invoice, 4, 14)]),
        (day(2026, 5, 1), vec![(a(), invoice, 5, 30)]),
    ];
    for (on, want) in expected {
        assert_eq!(due_on(&shop, on), want, "{on}");
    }
    assert_eq!(due_on(&shop, day(2026, 9, 1)), vec![(a(), invoice, 5, 153)]);
}

#[test]
fn day_by_day_each_reminder_goes_out_once() {
    let (shop, mailer) = shop_in("en");
    let invoice = shop.invoice("100.00");
    let mut sent = Vec::new();
    for on in days(day(2026, 3, 2), day(2026, 6, 30)) {
        for (i, level, from_due) in send_on(&shop, on) {
            sent.push((on, i, level, from_due));
        }
    }
    assert_eq!(
        sent,
        vec![
            (day(2026, 3, 29), invoice, 0, -3),
            (day(2026, 4, 1), invoice, 1, 0),
            (day(2026, 4, 4), invoice, 2, 3),
            (day(2026, 4, 8), invoice, 3, 7),
            (day(2026, 4, 15), invoice, 4, 14),
            (day(2026, 5, 1), invoice, 5, 30),
        ]
    );
    assert_eq!(mailer.delivered().len(), 6);
    let records: Vec<_> = recorded_messages(&shop.book, ACCOUNT)
        .into_iter()
        .map(|(m, _)| (m.reminder, m.kind, m.message_id))
        .collect();
    let delivered_ids: Vec<String> = mailer.delivered().iter().map(|m| m.id.clone()).collect();
    assert_eq!(
        records,
        (0..6)
            .map(|level| (
                Some((invoice, level)),
                MessageKind::Reminder,
                delivered_ids[level as usize].clone()
            ))
            .collect::<Vec<_>>()
    );
}

#[test]
fn sending_twice_on_the_same_day_sends_once() {
    let (shop, mailer) = shop_in("en");
    let invoice = shop.invoice("100.00");
    assert_eq!(send_on(&shop, day(2026, 4, 1)), vec![(invoice, 1, 0)]);
    assert!(shop
        .book
        .send_reminders(day(2026, 4, 1), noon(day(2026, 4, 1)))
        .unwrap()
        .is_empty());
    assert!(due_on(&shop, day(2026, 4, 1)).is_empty());
    assert!(due_on(&shop, day(2026, 4, 3)).is_empty());
    assert_eq!(mailer.attempted(), 1);
}

#[test]
fn a_level_missed_on_a_day_off_goes_out_once_later() {
    let (shop, mailer) = shop_in("en");
    let invoice = shop.invoice("100.00");
    // Nobody ran the reminders until April 5: only the latest level goes out.
    assert_eq!(send_on(&shop, day(2026, 4, 5)), vec![(invoice, 2, 4)]);
    assert!(send_on(&shop, day(2026, 4, 6)).is_empty());
    assert_eq!(send_on(&shop, day(2026, 4, 9)), vec![(invoice, 3, 8)]);
    assert_eq!(mailer.delivered().len(), 2);
    assert!(mailer.delivered()[0]
        .text
        .contains("$100.00 is still due, 4 days past due."));
}

#[test]
fn paid_invoices_get_no_reminder() {
    let (shop, _) = shop_in("en");
    let first = shop.invoice("100.00");
    let second = shop.invoice("80.00");
    shop.pay_invoices("100.00", vec![first]).unwrap();
    assert_eq!(
        due_on(&shop, day(2026, 4, 1)),
        vec![(ACCOUNT.to_string(), second, 1, 0)]
    );
    // Partly paid: reminded of what remains.
    shop.pay_invoices("20.00", vec![second]).unwrap();
    let due = shop.book.reminders_due(day(2026, 4, 1)).unwrap();
    assert_eq!(due.len(), 1);
    let m = due[0].message.as_ref().unwrap();
    assert_eq!(second, 4);
    assert!(
        m.text
            .contains("Invoice 4 of $80.00 is due today; $60.00 is still due."),
        "{}",
        m.text
    );
    // Paid in full (credit applied counts too): none.
    shop.deposit("60.00").unwrap();
    shop.apply_credit("60.00", vec![second]).unwrap();
    assert!(due_on(&shop, day(2026, 4, 1)).is_empty());
    assert!(due_on(&shop, day(2026, 5, 1)).is_empty());
}

#[test]
fn a_failed_reminder_is_due_again_and_retried() {
    let (shop, mailer) = shop_in("en");
    let invoice = shop.invoice("100.00");
    mailer.set_down(true);
    let on = day(2026, 4, 1);
    let results = shop.book.send_reminders(on, noon(on)).unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0].1,
        Err(Error::DeliveryFailed {
            code: 421,
            message: "mail server down".into()
        })
    );
    assert_eq!(
        due_on(&shop, on),
        vec![(ACCOUNT.to_string(), invoice, 1, 0)]
    );
    mailer.set_down(false);
    assert_eq!(send_on(&shop, on), vec![(invoice, 1, 0)]);
    let deliveries: Vec<Delivery> = recorded_messages(&shop.book, ACCOUNT)
        .into_iter()
        .map(|(m, _)| m.delivery)
        .collect();
    assert_eq!(
        deliveries,
        vec![
            Delivery::Failed {
                code: 421,
                reason: "mail server down".into()
            },
            Delivery::Delivered {
                delivery_id: "delivery-2".into()
            }
        ]
    );
    assert!(due_on(&shop, on).is_empty());
}

#[test]
fn no_policy_no_reminders() {
    let (shop, _) = shop_in("en");
    shop.invoice("100.00");
    shop.book
        .set_automation(&common::automation_op(manager()), Automation::default())
        .unwrap();
    assert!(due_on(&shop, day(2026, 4, 1)).is_empty());
    assert!(due_on(&shop, day(2026, 8, 1)).is_empty());
}

// ---- composed in the customer's language ----

fn reminder(due: &[ReminderDue], account: &str) -> creditbook::Message {
    due.iter()
        .find(|r| r.account == account)
        .unwrap()
        .message
        .clone()
        .unwrap()
}

#[test]
fn reminders_are_in_each_customers_language() {
    let (shop, _) = shop_in("de");
    shop.invoice("100.00"); // invoice 3 of A-1
    shop.open("A-2", "Jan de Vries", common::limit("500"))
        .unwrap();
    contact(&shop, "A-2", Some("jan@example.nl"), "nl-BE");
    shop.select("A-2");
    shop.invoice("45.50"); // invoice 3 of A-2
    let due = shop.book.reminders_due(day(2026, 4, 8)).unwrap();
    let de = reminder(&due, ACCOUNT);
    assert_eq!(
        de.subject,
        "Zahlungserinnerung: Rechnung 3 von Quincaillerie Lapointe"
    );
    assert_eq!(
        de.text,
        "Guten Tag Marie Tremblay,\n\n\
         Die Rechnung 3 über 100,00\u{a0}$ war am 1. April 2026 fällig und ist 7 Tage überfällig; \
         offen sind noch 100,00\u{a0}$.\n\n\
         Quincaillerie Lapointe\n"
    );
    assert_eq!(de.to, vec!["marie@example.com".to_string()]);
    assert_eq!(de.kind, MessageKind::Reminder);
    assert_eq!(de.reminder, Some((3, 3)));
    let nl = reminder(&due, "A-2");
    assert_eq!(
        nl.subject,
        "Herinnering: factuur 3 van Quincaillerie Lapointe"
    );
    assert_eq!(
        nl.text,
        "Beste Jan de Vries,\n\n\
         Factuur 3 van $\u{a0}45,50 had op 1 april 2026 betaald moeten zijn; er staat nog \
         $\u{a0}45,50 open, 7 dagen te laat.\n\n\
         Quincaillerie Lapointe\n"
    );
    assert_eq!(nl.id, nl.content_id());
    assert_ne!(nl.id, de.id);
}

#[test]
fn a_language_the_store_does_not_print_falls_back_to_the_stores() {
    let mailer = RecordingMailer::default();
    let shop = Shop::with(|s| {
        s.statements.languages = vec![
            creditbook::Language::from_tag("en").unwrap(),
            creditbook::Language::from_tag("fr").unwrap(),
        ];
    })
    .map_book(|b| b.with_mailer(mailer));
    shop.book
        .set_automation(&common::automation_op(manager()), policy())
        .unwrap();
    shop.open(ACCOUNT, "Marie Tremblay", common::limit("5000"))
        .unwrap();
    contact(&shop, ACCOUNT, Some("marie@example.com"), "de");
    shop.invoice("100.00");
    let due = shop.book.reminders_due(day(2026, 3, 29)).unwrap();
    let m = reminder(&due, ACCOUNT);
    assert_eq!(m.subject, "Reminder: invoice 3 from Quincaillerie Lapointe");
    assert_eq!(
        m.text,
        "Hello Marie Tremblay,\n\nInvoice 3 of $100.00 is due on April 1, 2026; $100.00 is still due.\n\n\
         Quincaillerie Lapointe\n"
    );
}

#[test]
fn one_day_past_due_is_a_day() {
    let (shop, _) = shop_in("en");
    shop.book
        .set_automation(
            &common::automation_op(manager()),
            Automation {
                reminder_days: vec![1],
                statement_day: None,
            },
        )
        .unwrap();
    shop.invoice("100.00");
    for (lang, sentence) in [
        (
            "en",
            "Invoice 3 of $100.00 was due on April 1, 2026; $100.00 is still due, 1 day past due.",
        ),
        (
            "fr",
            "La facture 3 de 100,00\u{a0}$ était payable le 1er avril 2026 ; il reste 100,00\u{a0}$ à payer, avec un jour de retard.",
        ),
        (
            "es",
            "La factura 3 de 100,00\u{a0}$ venció el 1 de abril de 2026; quedan 100,00\u{a0}$ por pagar y tiene un día de atraso.",
        ),
        (
            "de",
            "Die Rechnung 3 über 100,00\u{a0}$ war am 1. April 2026 fällig und ist einen Tag überfällig; offen sind noch 100,00\u{a0}$.",
        ),
        (
            "nl",
            "Factuur 3 van $\u{a0}100,00 had op 1 april 2026 betaald moeten zijn; er staat nog $\u{a0}100,00 open, één dag te laat.",
        ),
    ] {
        contact(&shop, ACCOUNT, Some("marie@example.com"), lang);
        let due = shop.book.reminders_due(day(2026, 4, 2)).unwrap();
        let m = reminder(&due, ACCOUNT);
        assert_eq!(m.text.split("\n\n").nth(1), Some(sentence), "{lang}");
    }
}

#[test]
fn a_customer_without_an_email_is_reminded_of_nothing_but_told_why() {
    let (shop, mailer) = shop_in("en");
    contact(&shop, ACCOUNT, None, "en");
    let invoice = shop.invoice("100.00");
    let on = day(2026, 4, 1);
    let due = shop.book.reminders_due(on).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].invoice, invoice);
    assert_eq!(due[0].message, Err(Error::MissingRecipient));
    let before = shop.entry_count();
    let results = shop.book.send_reminders(on, noon(on)).unwrap();
    assert_eq!(results[0].1, Err(Error::MissingRecipient));
    assert_eq!(shop.entry_count(), before);
    assert!(mailer.delivered().is_empty());
}

// ---- the statement schedule ----

/// A-1 owes (a March sale), A-2 owed and paid, A-3 holds only a deposit, A-4 never did anything.
fn month_of_four_accounts(provider: Option<RecordingProvider>) -> Shop {
    let shop = Shop::new();
    let shop = match provider {
        Some(p) => shop.map_book(|b| b.with_payment_provider(p)),
        None => shop,
    };
    shop.book
        .set_automation(
            &common::automation_op(manager()),
            Automation {
                reminder_days: vec![],
                statement_day: Some(5),
            },
        )
        .unwrap();
    for (account, name) in [
        ("A-1", "Marie Tremblay"),
        ("A-2", "Jan de Vries"),
        ("A-3", "Ana García"),
        ("A-4", "Lena Weber"),
    ] {
        shop.open(account, name, common::limit("1000")).unwrap();
    }
    shop.go_to(day(2026, 3, 10));
    shop.select("A-1");
    shop.invoice("120.00");
    shop.select("A-2");
    shop.invoice("80.00");
    shop.pay("80.00").unwrap();
    shop.select("A-3");
    shop.deposit("50.00").unwrap();
    shop.select(ACCOUNT);
    shop
}

fn statement_ids(statements: &[creditbook::Statement]) -> Vec<(String, String)> {
    statements
        .iter()
        .map(|s| (s.account_id.to_string(), s.number.clone()))
        .collect()
}

#[test]
fn on_the_statement_day_last_months_statements_are_due() {
    let shop = month_of_four_accounts(None);
    let on = day(2026, 4, 5);
    let due = shop.book.statements_due(on, noon(on)).unwrap();
    assert_eq!(
        statement_ids(&due),
        vec![
            ("A-1".to_string(), "A-1-20260331".to_string()),
            ("A-3".to_string(), "A-3-20260331".to_string()),
        ]
    );
    for st in &due {
        assert_eq!(
            (st.period_from, st.period_to),
            (day(2026, 3, 1), day(2026, 3, 31))
        );
        assert_eq!(st.payment_link, None, "no provider, no link");
    }
    assert_eq!(
        (due[0].closing_balance, due[0].amount_due),
        (dec("120.00"), dec("120.00"))
    );
    assert_eq!(
        (
            due[1].closing_balance,
            due[1].credit_balance,
            due[1].amount_due
        ),
        (dec("0.00"), dec("50.00"), dec("0.00"))
    );
    // Any other day: none.
    for other in [day(2026, 4, 4), day(2026, 4, 6), day(2026, 5, 4)] {
        assert!(shop
            .book
            .statements_due(other, noon(other))
            .unwrap()
            .is_empty());
    }
    // The next month's statement day: April's statements.
    let may = day(2026, 5, 5);
    let due = shop.book.statements_due(may, noon(may)).unwrap();
    assert_eq!(due[0].number, "A-1-20260430");
    // Without a schedule: none.
    shop.book
        .set_automation(&common::automation_op(manager()), Automation::default())
        .unwrap();
    assert!(shop.book.statements_due(on, noon(on)).unwrap().is_empty());
}

#[test]
fn scheduled_statements_carry_a_link_made_once() {
    let provider = RecordingProvider::default();
    let shop = month_of_four_accounts(Some(provider.clone()));
    let on = day(2026, 4, 5);
    let due = shop.book.statements_due(on, noon(on)).unwrap();
    let link = due[0].payment_link.clone().unwrap();
    assert_eq!(link.amount, dec("120.00"));
    assert_eq!(
        link.url,
        "https://pay.example/A-1-statement-link-202603-120.00"
    );
    assert_eq!(
        due[1].payment_link, None,
        "nothing due on a credit-only statement"
    );
    // Run again the same day: the same link, no second call.
    let again = shop.book.statements_due(on, noon(on)).unwrap();
    assert_eq!(again[0].payment_link, Some(link));
    assert_eq!(provider.made().len(), 1);
}

#[test]
fn an_archived_account_that_owes_gets_its_statement_without_a_link() {
    let provider = RecordingProvider::default();
    let shop = month_of_four_accounts(Some(provider.clone()));
    shop.go_to(day(2026, 4, 1));
    let op = creditbook::Operation::new("archive-a1", shop.now()).by(manager());
    shop.book.archive("A-1", &op).unwrap();
    shop.select("A-3");
    shop.invoice("30.00");
    let on = day(2026, 4, 5);
    // The run goes on: an archived account takes no new link (a link is activity), but what it
    // owes is still stated; the other accounts keep theirs.
    let due = shop.book.statements_due(on, noon(on)).unwrap();
    assert_eq!(
        statement_ids(&due),
        vec![
            ("A-1".to_string(), "A-1-20260331".to_string()),
            ("A-3".to_string(), "A-3-20260331".to_string()),
        ]
    );
    assert_eq!(due[0].amount_due, dec("120.00"));
    assert_eq!(due[0].payment_link, None);
    assert_eq!(
        provider.made().len(),
        0,
        "nothing due on A-3's March statement"
    );
}

#[test]
fn a_payment_before_the_statement_day_lowers_the_link_and_fails_nothing() {
    let provider = RecordingProvider::default();
    let shop = month_of_four_accounts(Some(provider.clone()));
    shop.go_to(day(2026, 4, 2));
    shop.pay("70.00").unwrap();
    let on = day(2026, 4, 5);
    let due = shop.book.statements_due(on, noon(on)).unwrap();
    // March's statement still shows what was due at its end; the link asks what is owed now.
    assert_eq!(due[0].amount_due, dec("120.00"));
    assert_eq!(due[0].payment_link.as_ref().unwrap().amount, dec("50.00"));
    // Another payment, the schedule run again: a new link for what is owed then.
    shop.go_to(day(2026, 4, 5));
    shop.pay("20.00").unwrap();
    let due = shop.book.statements_due(on, noon(on)).unwrap();
    assert_eq!(due[0].payment_link.as_ref().unwrap().amount, dec("30.00"));
    assert_eq!(provider.made().len(), 2);
    // Paid in full before the statement day: no link at all.
    shop.pay("30.00").unwrap();
    let due = shop.book.statements_due(on, noon(on)).unwrap();
    assert_eq!(due[0].payment_link, None);
    assert_eq!(provider.made().len(), 2);
}

#[test]
fn a_provider_down_fails_the_statement_run_and_the_rerun_makes_each_link_once() {
    let provider = RecordingProvider::default();
    let shop = month_of_four_accounts(Some(provider.clone()));
    let on = day(2026, 4, 5);
    provider
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let err = shop.book.statements_due(on, noon(on)).unwrap_err();
    assert!(
        matches!(err, Error::PaymentProviderFailed { code: 503, .. }),
        "{err:?}"
    );
    assert!(provider.made().is_empty());
    provider
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let due = shop.book.statements_due(on, noon(on)).unwrap();
    assert!(due[0].payment_link.is_some());
    let again = shop.book.statements_due(on, noon(on)).unwrap();
    assert_eq!(again[0].payment_link, due[0].payment_link);
    assert_eq!(provider.made().len(), 1, "each link made once");
}
