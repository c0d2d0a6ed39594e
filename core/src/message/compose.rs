//! Composing the messages creditbook sends: a statement, an invoice for one charge, a payment
//! receipt to the customer, a payment notice to the store, a reminder. Each is complete (subject,
//! text and HTML bodies, attachments) and in the customer's language.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use smol_str::SmolStr;

use crate::account::Customer;
use crate::entry::{MessageKind, Unusual};
use crate::error::{Error, Result};
use crate::i18n::{without_bidi, Language, Localizer};
use crate::message::{Attachment, Message};
use crate::settings::StoreSettings;
use crate::statement::{html, Statement};
use crate::validate;

/// The recipient: `to` when given, else the customer's email on file; validated.
pub fn recipient(customer: &Customer, to: Option<&str>) -> Result<Vec<String>> {
    let address = to
        .or(customer.email.as_deref())
        .ok_or(Error::MissingRecipient)?;
    Ok(vec![validate::header_address(address)?])
}

/// A letter: paragraphs in the customer's language, rendered as text and as simple HTML.
struct Letter<'a> {
    loc: &'a Localizer,
    paragraphs: Vec<String>,
}

impl<'a> Letter<'a> {
    fn new(loc: &'a Localizer, name: &str) -> Letter<'a> {
        Letter {
            loc,
            paragraphs: vec![loc.text_with("email-greeting", &[("name", name)])],
        }
    }

    fn say(&mut self, id: &str, args: &[(&str, &str)]) -> &mut Self {
        self.paragraphs.push(self.loc.text_with(id, args));
        self
    }

    fn text(&self, store: &str) -> String {
        let mut out = self.paragraphs.join("\n\n");
        out.push_str("\n\n");
        out.push_str(&self.loc.text_with("email-signature", &[("store", store)]));
        out.push('\n');
        out
    }

    /// The paragraphs as HTML (escaped), a URL as a link.
    fn html_paragraphs(&self, store: &str, url: Option<&str>) -> String {
        let mut out = String::new();
        for p in &self.paragraphs {
            out.push_str("<p>");
            match url.filter(|u| p.contains(u) && u.starts_with("https://")) {
                Some(u) => {
                    let (before, after) = p.split_once(u).unwrap_or((p, ""));
                    out.push_str(&escape(before));
                    out.push_str(&format!("<a href=\"{0}\">{0}</a>", escape(u)));
                    out.push_str(&escape(after));
                }
                None => out.push_str(&escape(p)),
            }
            out.push_str("</p>\n");
        }
        out.push_str(&format!("<p>{}</p>\n", escape(store)));
        out
    }

    /// The letter as an HTML document; `url` (a "Pay online" link) as a link.
    fn html(&self, store: &str, url: Option<&str>) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head><meta charset=\"utf-8\"></head>\n<body style=\"font-family: sans-serif\">\n{}</body>\n</html>\n",
            self.loc.language().code(),
            self.html_paragraphs(store, url)
        )
    }
}

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    html::escape_into(&mut out, s);
    out
}

/// The store's localizer for a customer.
fn localizer(settings: &StoreSettings, language: Language) -> Result<Localizer> {
    Localizer::new(
        language,
        settings.country().as_deref(),
        settings.currency,
        settings.statements.currency_display,
    )
}

/// A message with the common fields filled.
struct Envelope<'a> {
    settings: &'a StoreSettings,
    account: &'a str,
    language: Language,
    to: Vec<String>,
}

impl Envelope<'_> {
    fn message(
        self,
        kind: MessageKind,
        subject: String,
        text: String,
        html: String,
    ) -> Result<Message> {
        let mut m = Message {
            id: String::new(),
            kind,
            account: SmolStr::new(self.account),
            language: self.language,
            from: self.settings.messages.from.clone(),
            to: self.to,
            // Names and references typed by people reach subjects and letters: no bidi control
            // may reorder them (the statement renderings take them out too).
            subject: without_bidi(subject),
            text: without_bidi(text),
            html: without_bidi(html),
            attachments: Vec::new(),
            reminder: None,
        };
        m.seal();
        m.check_headers()?;
        Ok(m)
    }
}

/// The statement by email: a short letter (amount due, due date, the "Pay online" link) over the
/// statement itself in both bodies, the statement attached as HTML (and as UBL XML when the store
/// asks for it). `to`: the recipient when not the customer's email on file.
pub fn statement_email(
    st: &Statement,
    settings: &StoreSettings,
    to: Option<&str>,
) -> Result<Message> {
    let loc = st.localizer()?;
    let to = recipient(&st.customer, to)?;
    let store = st.store.name.as_str();
    let period = loc.text_with(
        "period-range",
        &[
            ("from", &loc.long_date(st.period_from)),
            ("to", &loc.long_date(st.period_to)),
        ],
    );
    let mut letter = Letter::new(&loc, &st.customer.name);
    letter.say("email-statement-intro", &[("period", &period)]);
    if st.amount_due > Decimal::ZERO {
        let amount = loc.money(st.amount_due);
        if st.due_upon_receipt {
            letter.say("email-statement-due-now", &[("amount", &amount)]);
        } else {
            let date = loc.long_date(st.due_date);
            letter.say(
                "email-statement-due",
                &[("amount", &amount), ("date", &date)],
            );
        }
    } else {
        letter.say("email-statement-nothing-due", &[]);
    }
    let url = st.payment_link.as_ref().map(|l| l.url.as_str());
    if let Some(u) = url {
        letter.say("email-pay-online", &[("url", u)]);
    }
    let statement_text = crate::statement::text::render(st, &loc, 80)?;
    let statement_html = html::render(st, &loc);
    let text = format!("{}\n{}", letter.text(store), statement_text);
    let html = insert_after_body(&statement_html, &letter.html_paragraphs(store, url));
    let subject = loc.text_with(
        "email-statement-subject",
        &[("number", &st.number), ("store", store)],
    );
    let envelope = Envelope {
        settings,
        account: &st.account_id,
        language: st.language,
        to,
    };
    let mut m = envelope.message(MessageKind::Statement, subject, text, html)?;
    if settings.messages.attach_pdf {
        m.attachments.push(Attachment {
            filename: format!("statement-{}.pdf", st.number),
            content_type: "application/pdf".into(),
            content: statement_pdf(st)?,
        });
    }
    if settings.messages.attach_html {
        m.attachments.push(Attachment {
            filename: format!("statement-{}.html", st.number),
            content_type: "text/html; charset=utf-8".into(),
            content: statement_html.into_bytes(),
        });
    }
    if settings.messages.attach_ubl {
        m.attachments.push(Attachment {
            filename: format!("statement-{}.xml", st.number),
            content_type: "application/xml".into(),
            content: st.to_ubl_xml()?.into_bytes(),
        });
    }
    m.seal();
    m.check_headers()?;
    Ok(m)
}

/// The statement as the PDF a statement email attaches: the store's paper, the UBL inside.
#[cfg(feature = "pdf")]
fn statement_pdf(st: &Statement) -> Result<Vec<u8>> {
    st.to_pdf(&crate::statement::pdf::PdfOptions::default())
}

/// Without the `pdf` feature a store cannot attach PDFs.
#[cfg(not(feature = "pdf"))]
fn statement_pdf(_: &Statement) -> Result<Vec<u8>> {
    Err(crate::error::Error::InvalidState {
        reason: "this build of creditbook has no PDF statements (feature pdf): turn attach_pdf off"
            .into(),
    })
}

/// Puts a letter at the top of an HTML document's body.
fn insert_after_body(document: &str, letter: &str) -> String {
    let at = document
        .find("<body")
        .and_then(|i| document[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(0);
    let mut out = String::with_capacity(document.len() + letter.len() + 64);
    out.push_str(&document[..at]);
    out.push_str("\n<div class=\"letter\">\n");
    out.push_str(letter);
    out.push_str("</div>\n");
    out.push_str(&document[at..]);
    out
}

/// What a message about one account needs: who, in which language, and the store.
pub struct Addressee<'a> {
    /// The account.
    pub account: &'a str,
    /// The customer.
    pub customer: &'a Customer,
    /// The recipient when not the customer's email on file.
    pub to: Option<&'a str>,
}

impl Addressee<'_> {
    fn prepare<'s>(&self, settings: &'s StoreSettings) -> Result<(Localizer, Envelope<'s>)>
    where
        Self: 's,
    {
        let language = settings.pick_language(None, self.customer.language.as_deref())?;
        let loc = localizer(settings, language)?;
        let to = recipient(self.customer, self.to)?;
        Ok((
            loc,
            Envelope {
                settings,
                account: self.account,
                language,
                to: to.clone(),
            },
        ))
    }
}

/// One invoice, as the customer is asked to pay it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceFacts {
    /// Its place in the ledger.
    pub id: u64,
    /// What the customer knows it by: the host's invoice number, else the sale's reference the
    /// till gave, else its place in the ledger.
    pub label: String,
    /// Its date.
    pub date: NaiveDate,
    /// Its due date.
    pub due_date: NaiveDate,
    /// The amount invoiced.
    pub amount: Decimal,
    /// What is still to be paid.
    pub remaining: Decimal,
}

/// An invoice for one charge.
pub fn invoice_email(
    who: &Addressee<'_>,
    invoice: &InvoiceFacts,
    settings: &StoreSettings,
) -> Result<Message> {
    let (loc, envelope) = who.prepare(settings)?;
    let store = settings.name.as_str();
    let number = invoice.label.as_str();
    let mut letter = Letter::new(&loc, &who.customer.name);
    letter.say("email-invoice-intro", &[]).say(
        "email-invoice-line",
        &[
            ("invoice", number),
            ("date", &loc.long_date(invoice.date)),
            ("amount", &loc.money(invoice.amount)),
            ("due", &loc.long_date(invoice.due_date)),
        ],
    );
    let subject = loc.text_with(
        "email-invoice-subject",
        &[("invoice", number), ("store", store)],
    );
    envelope.message(
        MessageKind::Invoice,
        subject,
        letter.text(store),
        letter.html(store, None),
    )
}

/// What a payment receipt says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFacts {
    /// The provider's payment id (or another id of the payment).
    pub payment_id: String,
    /// The amount paid.
    pub amount: Decimal,
    /// The business date it was recorded on.
    pub date: NaiveDate,
    /// The balance owed after it.
    pub owed: Decimal,
    /// The store credit after it.
    pub credit: Decimal,
    /// What was unusual about it (for the store's notice).
    pub unusual: Vec<Unusual>,
}

/// The payment confirmation receipt to the customer.
pub fn receipt_email(
    who: &Addressee<'_>,
    payment: &PaymentFacts,
    settings: &StoreSettings,
) -> Result<Message> {
    let (loc, envelope) = who.prepare(settings)?;
    let store = settings.name.as_str();
    let amount = loc.money(payment.amount);
    let mut letter = Letter::new(&loc, &who.customer.name);
    letter
        .say(
            "email-receipt-intro",
            &[("amount", &amount), ("date", &loc.long_date(payment.date))],
        )
        .say(
            "email-receipt-balance",
            &[
                ("owed", &loc.money(payment.owed)),
                ("credit", &loc.money(payment.credit)),
            ],
        )
        .say(
            "email-receipt-reference",
            &[("payment", payment.payment_id.as_str())],
        );
    let subject = loc.text_with("email-receipt-subject", &[("amount", &amount)]);
    envelope.message(
        MessageKind::Receipt,
        subject,
        letter.text(store),
        letter.html(store, None),
    )
}

/// The payment notice to the store (in the store's language, to its notices address).
pub fn store_notice(
    account: &str,
    customer: &Customer,
    payment: &PaymentFacts,
    settings: &StoreSettings,
) -> Result<Message> {
    let to = settings
        .messages
        .notices_to
        .as_deref()
        .or(settings.messages.from.as_deref())
        .ok_or(Error::MissingRecipient)?;
    let language = settings.statements.language;
    let loc = localizer(settings, language)?;
    let store = settings.name.as_str();
    let amount = loc.money(payment.amount);
    let mut letter = Letter {
        loc: &loc,
        paragraphs: Vec::new(),
    };
    letter.say(
        "email-notice-body",
        &[
            ("name", &customer.name),
            ("account", account),
            ("amount", &amount),
            ("date", &loc.long_date(payment.date)),
            ("payment", &payment.payment_id),
        ],
    );
    if !payment.unusual.is_empty() {
        let what: Vec<String> = payment
            .unusual
            .iter()
            .map(|u| match u {
                Unusual::AmountDiffers { asked } => {
                    loc.text_with("notice-amount-differs", &[("asked", &loc.money(*asked))])
                }
                Unusual::LinkExpired => loc.text("notice-link-expired"),
                Unusual::LinkCancelled => loc.text("notice-link-cancelled"),
                Unusual::LinkAlreadyPaid => loc.text("notice-link-already-paid"),
                Unusual::LinkUnknown => loc.text("notice-link-unknown"),
            })
            .collect();
        let what = what.join(&loc.text("notice-separator"));
        letter.say("email-notice-check", &[("what", &what)]);
    }
    let envelope = Envelope {
        settings,
        account,
        language,
        to: vec![validate::header_address(to)?],
    };
    let subject = loc.text_with(
        "email-notice-subject",
        &[("name", &customer.name), ("amount", &amount)],
    );
    envelope.message(
        MessageKind::StoreNotice,
        subject,
        letter.text(store),
        letter.html(store, None),
    )
}

/// A reminder of an invoice: `days_from_due` below 0 is before the due date, 0 the due date,
/// above 0 past it. `level` is the reminder's place in the store's reminder days. It names the
/// invoice as the customer knows it, its original amount and what remains, and carries the
/// "Pay online" link `pay_url` when there is one.
pub fn reminder_email(
    who: &Addressee<'_>,
    invoice: &InvoiceFacts,
    level: u32,
    days_from_due: i64,
    pay_url: Option<&str>,
    settings: &StoreSettings,
) -> Result<Message> {
    let (loc, envelope) = who.prepare(settings)?;
    let store = settings.name.as_str();
    let number = invoice.label.as_str();
    let total = loc.money(invoice.amount);
    let amount = loc.money(invoice.remaining);
    let due = loc.long_date(invoice.due_date);
    let days = days_from_due.to_string();
    let id = match days_from_due {
        d if d < 0 => "email-reminder-upcoming",
        0 => "email-reminder-today",
        1 => "email-reminder-overdue-one-day",
        _ => "email-reminder-overdue",
    };
    let mut letter = Letter::new(&loc, &who.customer.name);
    letter.say(
        id,
        &[
            ("invoice", number),
            ("total", &total),
            ("amount", &amount),
            ("due", &due),
            ("days", &days),
        ],
    );
    if let Some(u) = pay_url {
        letter.say("email-pay-online", &[("url", u)]);
    }
    let subject = loc.text_with(
        "email-reminder-subject",
        &[("invoice", number), ("store", store)],
    );
    let html = letter.html(store, pay_url);
    let mut m = envelope.message(MessageKind::Reminder, subject, letter.text(store), html)?;
    m.reminder = Some((invoice.id, level));
    m.seal();
    Ok(m)
}
