//! A hardware store's month on account, kept in one SQLite file (`target/demo/creditbook.sqlite3`).
//!
//! Run it with `make demo` (or `cargo run -p creditbook --example quickstart`). Run it again:
//! every operation id replays, nothing is recorded twice, and it says so.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Montreal;
use creditbook::{
    AccountsQuery, ActivityQuery, Actor, Book, Charge, CreditLimit, Currency, Customer, Error,
    Language, Money, OpenAccount, Operation, Payment, Permission, SortKey, StatementRequest,
    StoreSettings,
};

/// An instant at a local wall-clock time in the store's time zone.
fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Montreal
        .with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).expect("a valid date")
}

fn main() -> Result<(), Error> {
    let mut settings = StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Montreal")?;
    settings.messages.from = Some("comptes@quincaillerie-lapointe.example".into());
    let cad: Currency = settings.currency;
    let money = |text: &str| Money::parse(text, cad);
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/demo");
    let outbox = demo.join("outbox");
    std::fs::create_dir_all(&outbox).map_err(|e| io_error(&outbox, e))?;
    // The accounts live in one file: a second run finds them and replays every operation id.
    let file = demo.join("creditbook.sqlite3");
    let store = creditbook_sqlite::SqliteStore::open(&file)
        .map_err(|e| Error::from(creditbook::StoreError::from(e)))?;
    let entries_before = store.entry_count().map_err(Error::from)?;
    // The host's ports: a mailer that writes .eml files, a payment provider that makes links.
    let book = Book::with_store(settings, store)
        .with_mailer(OutboxMailer {
            dir: outbox.clone(),
        })
        .with_payment_provider(DemoProvider);
    let manager = Actor::new("emp-1")
        .with(Permission::CreditAccountRefund)
        .with(Permission::CreditLimit);

    println!("== Quincaillerie Lapointe, November 2026, on account ==\n");

    // Two customers open accounts: Marie with $500 of credit, a contractor with no limit.
    let mut marie = Customer::new("cust-17", "Marie Tremblay");
    marie.email = Some("marie@example.com".into());
    marie.language = Some("fr".into());
    book.open_account(
        "C-1",
        &Operation::new("open-1", at(2, 9, 0))
            .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        OpenAccount {
            customer: marie,
            credit_limit: Some(CreditLimit::Amount(money("500.00")?.amount)),
            terms: None,
        },
    )?;
    book.open_account(
        "C-2",
        &Operation::new("open-2", at(2, 9, 5))
            .by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        OpenAccount {
            customer: Customer {
                email: Some("comptabilite@gagnon.example".into()),
                ..Customer::new("cust-40", "Construction Gagnon")
            },
            credit_limit: Some(CreditLimit::Unlimited),
            terms: None,
        },
    )?;
    println!("Opened C-1 for Marie Tremblay (limit 500.00 CAD) and C-2 for Construction Gagnon (unlimited).");

    // A charge within the limit opens an invoice due in 30 days (the store's net 30).
    let paint = book.charge(
        "C-1",
        &Operation::new("till1-0001", at(3, 10, 15)),
        Charge::new(money("320.00")?).sale("S-1001"),
    )?;
    println!(
        "Charged 320.00 for sale S-1001: invoice {} due {}.",
        paint.invoice().unwrap_or_default(),
        paint.due_date().map(|d| d.to_string()).unwrap_or_default()
    );

    // A second sale is too big: the till is told why, with the figures, and nothing is recorded.
    // (A refused operation records nothing, its id included: asked again on a later run, with the
    // month's payments in, it would be decided afresh. So only a first run asks.)
    if entries_before == 0 {
        match book.charge(
            "C-1",
            &Operation::new("till1-0002", at(5, 14, 0)),
            Charge::new(money("250.00")?).sale("S-1002"),
        ) {
            Err(e @ Error::CreditLimitExceeded { .. }) => println!(
                "Declined 250.00 for sale S-1002: {e}.\n  The clerk reads: {}",
                book.localize_error(&e, "fr")?
            ),
            other => println!("Unexpected: {other:?}"),
        }
    }

    // So the till charges what the account can take and tenders the rest another way.
    // (A till remembers what it charged: run again, the demo retries the same amount.)
    let sale_due = money("250.00")?;
    let charged_before = book
        .entries("C-1")?
        .iter()
        .find(|e| e.op_id == "till1-0003")
        .and_then(|e| e.kind.amount());
    let part = match charged_before {
        Some(amount) => amount,
        None => book.max_charge("C-1", sale_due, at(5, 14, 1))?,
    };
    book.charge(
        "C-1",
        &Operation::new("till1-0003", at(5, 14, 1)),
        Charge::new(Money::new(part, cad)).sale("S-1002"),
    )?;
    println!(
        "Charged {part} of sale S-1002 to the account (max_charge), the other {} paid in cash.",
        sale_due.amount - part
    );

    // Marie prepays a layaway: the deposit becomes store credit, kept apart from what she owes.
    book.deposit(
        "C-1",
        &Operation::new("till1-0004", at(8, 11, 0)),
        money("60.00")?,
        Some("layaway-7"),
    )?;
    let s = book.summary("C-1", date(11, 8))?;
    println!(
        "Deposit of 60.00 for layaway-7: she owes {} and holds {} of credit at the same time.",
        s.balance_owed, s.credit_balance
    );

    // She spends 25.00 of that credit on a new sale.
    book.use_credit(
        "C-1",
        &Operation::new("till1-0005", at(10, 16, 30)),
        money("25.00")?,
        Some("S-1003"),
    )?;
    println!("Used 25.00 of store credit as tender on sale S-1003.");

    // Refunds to store credit: S-1002's invoice is still open, so the refund reduces it.
    let refund = book.refund_to_credit(
        "C-1",
        &Operation::new("till1-0006", at(12, 9, 45)).by(manager.clone()),
        money("30.00")?,
        Some("S-1002"),
        None,
    )?;
    let e = refund.effect()?;
    println!(
        "Refunded 30.00 of sale S-1002 (invoice still open): owed changes by {}, credit by {}.",
        e.owed, e.credit
    );

    // The contractor's sale was already paid; its refund becomes store credit.
    book.charge(
        "C-2",
        &Operation::new("till2-0001", at(4, 8, 0)),
        Charge::new(money("1200.00")?).sale("S-2001"),
    )?;
    book.pay(
        "C-2",
        &Operation::new("till2-0002", at(6, 8, 0)),
        Payment::new(money("1200.00")?),
    )?;
    let refund = book.refund_to_credit(
        "C-2",
        &Operation::new("till2-0003", at(9, 8, 0)).by(manager.clone()),
        money("150.00")?,
        Some("S-2001"),
        None,
    )?;
    println!(
        "Refunded 150.00 of the contractor's paid sale S-2001: credit grows by {}.",
        refund.effect()?.credit
    );

    // Marie pays 600.00: it goes to her oldest invoice first and the excess is kept as credit.
    let pay = book.pay(
        "C-1",
        &Operation::new("till1-0007", at(20, 13, 0)),
        Payment::new(money("600.00")?),
    )?;
    for a in pay.allocations() {
        println!("Payment of 600.00: {} to invoice {}.", a.amount, a.invoice);
    }
    println!(
        "  the excess of {} is kept as store credit.",
        pay.effect()?.credit
    );

    // The payment, replayed by a till that lost the answer, is not recorded twice.
    let again = book.pay(
        "C-1",
        &Operation::new("till1-0007", at(20, 13, 0)),
        Payment::new(money("600.00")?),
    )?;
    println!(
        "Same payment sent again (same operation id): replayed = {}, nothing new recorded.",
        again.replayed
    );

    // The contractor buys again with a special due date (Nov 15); by Nov 30 it is overdue.
    let mut due_now = Charge::new(money("80.00")?).sale("S-2002");
    due_now.due_date = Some(date(11, 15));
    book.charge("C-2", &Operation::new("till2-0004", at(15, 8, 0)), due_now)?;
    let late = book.open_invoices("C-2", date(11, 30))?;
    for inv in late.iter().filter(|i| i.days_past_due > 0) {
        println!(
            "Overdue on Nov 30: invoice {} (sale {}) of {} due {}, {} days past due.",
            inv.id,
            inv.sale.as_deref().unwrap_or("-"),
            inv.remaining,
            inv.due_date,
            inv.days_past_due
        );
    }

    println!("\n== Accounts on 2026-11-30, by balance owed ==");
    let mut query = AccountsQuery::on(date(11, 30));
    query.sort = SortKey::BalanceOwed;
    query.descending = true;
    println!(
        "{:<5} {:<22} {:<12} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "acct", "customer", "standing", "owed", "overdue", "credit", "limit", "available"
    );
    for row in book.accounts(&query)? {
        let limit = row
            .credit_limit
            .amount()
            .map_or("unlimited".to_string(), |l| l.to_string());
        let available = row
            .available
            .map_or("unlimited".to_string(), |a| a.to_string());
        println!(
            "{:<5} {:<22} {:<12} {:>10} {:>10} {:>10} {:>10} {:>10}",
            row.account_id,
            row.customer.name,
            row.standing.as_str(),
            row.balance_owed,
            row.overdue,
            row.credit_balance,
            limit,
            available
        );
    }

    println!("\n== Activity of C-1, November 2026 ==");
    println!(
        "{:<3} {:<10} {:<16} {:<10} {:>8} {:>8} {:>8}",
        "#", "date", "kind", "ref", "amount", "owed", "credit"
    );
    for line in book.activity("C-1", &ActivityQuery::between(date(11, 1), date(11, 30)))? {
        let e = &line.entry;
        println!(
            "{:<3} {:<10} {:<16} {:<10} {:>8} {:>8} {:>8}",
            e.seq,
            e.date,
            e.kind.entry_type().as_str(),
            e.kind.reference().unwrap_or(""),
            e.kind.amount().map(|a| a.to_string()).unwrap_or_default(),
            line.owed_after,
            line.credit_after
        );
    }

    // November's statement, for the customer (she reads French) and for the store (English).
    let mut request = StatementRequest::new(date(11, 1), date(11, 30));
    let statement = book.statement("C-1", &request)?;
    println!(
        "\n== November statement of C-1, in her language ({}) ==",
        statement.language
    );
    print!("{}", statement.to_text(48)?);
    request.language = Some("en".into());
    println!("\n== The same statement in English, 48 columns (a receipt printer) ==");
    print!("{}", book.statement("C-1", &request)?.to_text(48)?);

    // Every format in every language, for a look in a browser, an XML validator or a JSON tool.
    let dir = demo.clone();
    for language in Language::all() {
        request.language = Some(language.code().into());
        let st = book.statement("C-1", &request)?;
        for (ext, body) in [
            ("html", st.to_html()?),
            ("txt", st.to_text(80)?),
            ("xml", st.to_ubl_xml()?),
            ("json", st.to_json()),
        ] {
            let path = dir.join(format!("statement-C-1-{}.{ext}", language.code()));
            std::fs::write(&path, body).map_err(|e| io_error(&path, e))?;
        }
    }
    let dir = dir.canonicalize().unwrap_or(dir);
    println!(
        "\nWrote the statement as HTML, text, UBL 2.1 XML and JSON in en, fr, es, de and nl to {}/",
        dir.display()
    );
    #[cfg(feature = "pdf")]
    pdf_statements(&book, &dir)?;

    // December 1st: email every November statement with a balance, each with a "Pay online" link.
    println!("\n== December 1st: the month's statements by email ==");
    let dec1 = Montreal
        .with_ymd_and_hms(2026, 12, 1, 8, 0, 0)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc);
    let november = StatementRequest::new(date(11, 1), date(11, 30));
    let mut gagnon_link = None;
    for account in ["C-1", "C-2"] {
        let op = Operation::new("statement-2026-11", dec1);
        let st = book.statement_with_link(account, &november, &op, None)?;
        let message = book.compose_statement_email(&st, None)?;
        let sent = book.send(&message, dec1)?;
        println!(
            "{account}: \"{}\" to {} ({}), delivery {}",
            message.subject,
            message.to.join(", "),
            st.payment_link
                .as_ref()
                .map_or("no link: nothing due".to_string(), |l| format!(
                    "Pay online: {}",
                    l.url
                )),
            sent.delivery_id
        );
        if account == "C-2" {
            gagnon_link = st.payment_link.clone();
        }
    }
    // The contractor calls: they will pay half now. The clerk corrects the amount due and sends
    // again: another message (its content differs), so it goes out; pressing Send twice does not.
    let mut corrected = november.clone();
    let owed = book.statement("C-2", &november)?.closing_balance;
    corrected.amount_due = Some((owed / rust_decimal::Decimal::TWO).round_dp(2));
    let st = book.statement("C-2", &corrected)?;
    let message = book.compose_statement_email(&st, None)?;
    let first = book.send(&message, dec1)?;
    let twice = book.send(&message, dec1)?;
    println!(
        "C-2: corrected statement (amount due {} of {owed}) sent again: delivered = {}, \
         pressed twice: already delivered = {}",
        st.amount_due, !first.already_delivered, twice.already_delivered
    );
    let outbox = outbox.canonicalize().unwrap_or(outbox);
    println!(
        "The messages are in {}/ (open them in any mail client).",
        outbox.display()
    );

    // The contractor pays online; the provider reports it twice. It is recorded once.
    if let Some(link) = gagnon_link {
        let reference = book
            .entries("C-2")?
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                creditbook::EntryKind::PaymentLinkCreated(r) => Some(r.reference.to_string()),
                _ => None,
            });
        let confirmation = creditbook::OnlinePaymentConfirmation {
            provider_payment_id: "pp_20261203_0001".into(),
            amount: Money::new(link.amount, cad),
            at: dec1 + chrono::Duration::days(2),
            link: reference,
        };
        let first = book.confirm_online_payment("C-2", &confirmation)?;
        let again = book.confirm_online_payment("C-2", &confirmation)?;
        println!(
            "\nOnline payment of {} confirmed twice: recorded once (second replayed = {}), owed now {}.",
            link.amount,
            again.outcome.replayed,
            book.summary("C-2", date(12, 3))?.balance_owed
        );
        if let Some((receipt, sent)) = first.receipt {
            println!(
                "Receipt to {} ({}):\n  Subject: {}\n{}",
                receipt.to.join(", "),
                if sent.is_ok() {
                    "delivered"
                } else {
                    "delivery failed"
                },
                receipt.subject,
                receipt
                    .text
                    .lines()
                    .map(|l| format!("  {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }

    // A layaway: a deposit request for sale S-1010, which expires after 14 days. Marie pays
    // through it three weeks later: money received is never refused. It is recorded as the
    // deposit it was asked for, flagged, and the store's notice says so.
    let asked = book.payment_link(
        "C-1",
        &Operation::new("layaway-S-1010", dec1),
        money("40.00")?,
        creditbook::LinkPurpose::Deposit {
            sale: "S-1010".into(),
        },
    )?;
    let late = dec1 + chrono::Duration::days(21);
    let status = book
        .payment_links("C-1", late)?
        .into_iter()
        .find(|l| l.record.reference == asked.record.reference)
        .map(|l| l.status.as_str());
    let paid = book.confirm_online_payment(
        "C-1",
        &creditbook::OnlinePaymentConfirmation {
            provider_payment_id: "pp_20261222_0007".into(),
            amount: money("40.00")?,
            at: late,
            link: Some(asked.record.reference.to_string()),
        },
    )?;
    let flags: Vec<&str> = match &paid.outcome.entry().kind {
        creditbook::EntryKind::Deposit {
            online: Some(o), ..
        } => o.unusual.iter().map(|u| u.as_str()).collect(),
        _ => Vec::new(),
    };
    println!(
        "\nDeposit request for S-1010 ({} on December 22): paid late, recorded as a deposit \
         flagged {:?}; store credit now {}.",
        status.unwrap_or("unknown"),
        flags,
        book.summary("C-1", date(12, 22))?.credit_balance
    );
    if let Some((notice, _)) = paid.notice {
        println!(
            "Notice to the store: {}",
            notice.text.lines().nth(2).unwrap_or("")
        );
    }
    let entries_after = book.store().entry_count().map_err(Error::from)?;
    let file = file.canonicalize().unwrap_or(file);
    println!(
        "\n{} new entries recorded in {} ({} in all){}",
        entries_after - entries_before,
        file.display(),
        entries_after,
        if entries_after == entries_before {
            ": this run replayed every operation id and recorded nothing twice."
        } else {
            ". Run `make demo` again: every operation id replays and nothing is recorded twice."
        }
    );
    Ok(())
}

/// The demo's mailer: writes each message as an .eml file (openable in any mail client).
struct OutboxMailer {
    dir: std::path::PathBuf,
}

impl creditbook::Mailer for OutboxMailer {
    fn send(&self, message: &creditbook::Message) -> Result<String, creditbook::PortError> {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 13, 0, 0).unwrap();
        let bytes = message
            .to_rfc5322(at)
            .map_err(|e| creditbook::PortError::new(1, e.to_string()))?;
        let path = self.dir.join(format!("{}.eml", message.id));
        std::fs::write(&path, bytes).map_err(|e| creditbook::PortError::new(2, e.to_string()))?;
        Ok(path.display().to_string())
    }
}

/// The demo's payment provider: a link on a made-up payment portal.
struct DemoProvider;

impl creditbook::PaymentProvider for DemoProvider {
    fn create_link(
        &self,
        request: &creditbook::PaymentLinkRequest,
    ) -> Result<String, creditbook::PortError> {
        Ok(format!(
            "https://pay.example/lapointe/{}",
            request.reference
        ))
    }
}

/// A file error as a creditbook error, for the demo's one error type.
fn io_error(path: &std::path::Path, e: std::io::Error) -> Error {
    Error::InvalidInput {
        field: "demo output",
        reason: format!("{}: {e}", path.display()),
    }
}

/// The statement as PDF (PDF/A-3, the UBL inside) in every language, and the month's print run:
/// every account's November statement in one PDF, each in its customer's language (docs/pdf.md).
#[cfg(feature = "pdf")]
fn pdf_statements(
    book: &Book<creditbook_sqlite::SqliteStore>,
    dir: &std::path::Path,
) -> Result<(), Error> {
    use creditbook::statement::pdf::{print_run, PdfOptions};
    let mut request = StatementRequest::new(date(11, 1), date(11, 30));
    for language in Language::all() {
        request.language = Some(language.code().into());
        let pdf = book
            .statement("C-1", &request)?
            .to_pdf(&PdfOptions::default())?;
        let path = dir.join(format!("statement-C-1-{}.pdf", language.code()));
        std::fs::write(&path, pdf).map_err(|e| io_error(&path, e))?;
    }
    let november = StatementRequest::new(date(11, 1), date(11, 30));
    let run: Vec<_> = ["C-1", "C-2"]
        .iter()
        .map(|a| book.statement(a, &november))
        .collect::<Result<_, _>>()?;
    let path = dir.join("print-run-2026-11.pdf");
    let pdf = print_run(&run, &PdfOptions::default())?;
    std::fs::write(&path, &pdf).map_err(|e| io_error(&path, e))?;
    println!(
        "Wrote the statement as PDF in en, fr, es, de and nl, and November's print run ({} statements, {} bytes) to {}/",
        run.len(),
        pdf.len(),
        dir.display()
    );
    Ok(())
}
