//! Getting paid: payment links through the host's provider, statements with a "Pay online" link,
//! online payments the provider confirms (with the receipt and the store's notice sent), and the
//! reminders automation. Each call converts its arguments and calls the core's `Book`.

use std::ffi::c_char;

use creditbook::links::LinkStatus;
use creditbook::{
    Automation, Error, LinkPurpose, OnlinePaymentConfirmation, ReminderDue, Result, Sent,
};
use smol_str::SmolStr;

use crate::book::{creditbook_book, creditbook_outcome, with_book};
use crate::list::{self, items, Strings};
use crate::panic::ffi_panic_boundary;
use crate::ports::{creditbook_link_purpose, purpose_parts};
use crate::result::{creditbook_result, FfiError, FfiResult};
use crate::statement::{creditbook_statement, creditbook_statement_request, statement_request};
use crate::strings::{arg, opt_arg, out};
use crate::values::{
    self, creditbook_date, creditbook_operation, instant, invalid, minor, money, operation, CEnum,
};

/// A payment link as the book made it. Its strings live until `creditbook_payment_link_free`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct creditbook_payment_link {
    /// The account.
    pub account: *const c_char,
    /// The link's reference (`<account>-<operation id>`): give it back with the payment to
    /// `creditbook_book_confirm_online_payment`.
    pub reference: *const c_char,
    /// What it is for.
    pub purpose: creditbook_link_purpose,
    /// The purpose's reference: the statement number (BALANCE) or the sale (DEPOSIT).
    pub purpose_ref: *const c_char,
    /// What it asks, in minor units.
    pub amount: i64,
    /// The URL the provider made.
    pub url: *const c_char,
    /// When it stops working: seconds since 1970-01-01T00:00:00Z.
    pub expires_at: i64,
    /// True when the operation id had made this link before: the provider was not called again.
    pub replayed: bool,
}

type LinkKeep = Strings;

/// Where a payment link stands.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_link_status {
    /// Waiting for the customer.
    Pending = 0,
    /// A payment or deposit was recorded through it.
    Paid = 1,
    /// Replaced by a newer deposit request for the same sale.
    Cancelled = 2,
    /// Not paid by its expiry (a deposit request: a new one for the sale is allowed). A payment
    /// that still arrives through it is recorded, flagged.
    Expired = 3,
}

impl From<LinkStatus> for creditbook_link_status {
    fn from(s: LinkStatus) -> creditbook_link_status {
        match s {
            LinkStatus::Pending => creditbook_link_status::Pending,
            LinkStatus::Paid => creditbook_link_status::Paid,
            LinkStatus::Cancelled => creditbook_link_status::Cancelled,
            LinkStatus::Expired => creditbook_link_status::Expired,
        }
    }
}

/// Writes to `*status_out` where the account's payment link `reference` stands at `at` (seconds
/// since 1970-01-01T00:00:00Z): a link still pending at its expiry is expired from then on. An
/// unknown reference is `UNKNOWN_PAYMENT_LINK`.
#[no_mangle]
pub extern "C" fn creditbook_book_payment_link_status(
    book: *const creditbook_book,
    account: *const c_char,
    reference: *const c_char,
    at: i64,
    status_out: *mut creditbook_link_status,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let o = out(status_out, "status_out")?;
            // SAFETY: the caller's strings, valid for the call.
            let (account, reference) =
                unsafe { (arg(account, "account")?, arg(reference, "reference")?) };
            let at = instant(at)?;
            let status = b
                .payment_links(account, at)?
                .into_iter()
                .find(|l| l.record.reference == reference)
                .map(|l| l.status)
                .ok_or_else(|| Error::UnknownPaymentLink {
                    reference: reference.to_string(),
                })?;
            // SAFETY: not NULL, the caller's.
            unsafe { o.write(status.into()) };
            Ok(())
        })
    })
}

/// The most reminder days an automation holds.
pub const CREDITBOOK_MAX_REMINDER_DAYS: usize = 12;

/// Accounts-receivable automation: reminder days relative to due dates and the statement day.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct creditbook_automation {
    /// Reminder days relative to due dates, strictly increasing, each from -365 to 365 (`{-3, 0,
    /// 3, 7, 14, 30}`); only the first `reminder_day_count` count.
    pub reminder_days: [i32; CREDITBOOK_MAX_REMINDER_DAYS],
    /// How many reminder days (0: no reminders; at most `CREDITBOOK_MAX_REMINDER_DAYS`).
    pub reminder_day_count: usize,
    /// Day of the month (1 to 28) on which last month's statements are due; 0: no schedule.
    pub statement_day: u32,
}

impl creditbook_automation {
    /// The automation as the core's (the core checks the days).
    pub(crate) fn get(&self) -> FfiResult<Automation> {
        let days = self
            .reminder_days
            .get(..self.reminder_day_count)
            .ok_or_else(|| {
                invalid(
                    "reminder_day_count",
                    format!(
                        "{} is above {CREDITBOOK_MAX_REMINDER_DAYS}",
                        self.reminder_day_count
                    ),
                )
            })?;
        let automation = Automation {
            reminder_days: days.to_vec(),
            statement_day: (self.statement_day != 0).then_some(self.statement_day),
        };
        automation.validate()?;
        Ok(automation)
    }

    fn new(a: &Automation) -> creditbook_automation {
        let mut c = creditbook_automation {
            statement_day: a.statement_day.unwrap_or(0),
            ..Default::default()
        };
        let n = a.reminder_days.len().min(CREDITBOOK_MAX_REMINDER_DAYS);
        c.reminder_days[..n].copy_from_slice(&a.reminder_days[..n]);
        c.reminder_day_count = n;
        c
    }
}

/// Makes a payment link of `amount` (minor units) through the book's payment provider and records
/// it: `purpose` is a `creditbook_link_purpose`, `purpose_ref` the statement number (BALANCE) or
/// the sale (DEPOSIT). creditbook decides the amount's range (above 0, at most the store's cap
/// and, for a balance, what is owed: `PAYMENT_LINK_AMOUNT_OUT_OF_RANGE` with the figures), the
/// reference (`<account>-<op_id>`) and the expiry (`op->at` plus the store's days). Replaying
/// `op->op_id` gives the first link without calling the provider again. The provider's failure is
/// `PAYMENT_PROVIDER_FAILED` (the host's code in the last error; nothing recorded); without a
/// provider, `PORT_MISSING`. Writes a new link to `*link_out` (release it with
/// `creditbook_payment_link_free`).
#[no_mangle]
pub extern "C" fn creditbook_book_payment_link(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const values::creditbook_operation,
    amount: i64,
    purpose: u32,
    purpose_ref: *const c_char,
    link_out: *mut *mut creditbook_payment_link,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let o = out(link_out, "link_out")?;
            // SAFETY: the caller's pointers, valid for the call.
            let (account, op, reference) = unsafe {
                (
                    arg(account, "account")?,
                    values::operation(op)?,
                    arg(purpose_ref, "purpose_ref")?,
                )
            };
            let reference = SmolStr::new(reference);
            let purpose = match creditbook_link_purpose::checked(purpose)? {
                creditbook_link_purpose::Balance => LinkPurpose::Balance { reference },
                creditbook_link_purpose::Deposit => LinkPurpose::Deposit { sale: reference },
            };
            let cur = b.settings().currency;
            let link = b.payment_link(account, &op, money(amount, cur), purpose)?;
            let r = &link.record;
            let mut s = Strings::default();
            let (purpose, purpose_ref) = purpose_parts(&r.purpose);
            let header = creditbook_payment_link {
                account: s.add(&link.account)?,
                reference: s.add(&r.reference)?,
                purpose,
                purpose_ref: s.add(purpose_ref)?,
                amount: minor(r.amount, cur)?,
                url: s.add(&r.url)?,
                expires_at: r.expires_at.timestamp(),
                replayed: link.replayed,
            };
            let made = list::into_raw::<_, LinkKeep>(s, |_| header);
            // SAFETY: not NULL.
            unsafe { o.write(made) };
            Ok(())
        })
    })
}

/// Releases a payment link. NULL is a no-op.
#[no_mangle]
pub extern "C" fn creditbook_payment_link_free(link: *mut creditbook_payment_link) {
    // SAFETY: made by this library, or NULL.
    ffi_panic_boundary!({ unsafe { list::free::<_, LinkKeep>(link) } })
}

/// `creditbook_book_statement` with a "Pay online" link for the amount due (at most what is owed
/// now), made through the book's payment provider under `op` (its id names the link: the same id
/// replays it). `with_link`: -1 the store's choice (a link when it includes them and the book has
/// a provider), 0 never, 1 always (`PORT_MISSING` without a provider). A statement whose amount
/// due is above the store's cap gets no link and says why
/// (`creditbook_statement_get_payment_link`). Writes a new handle to `*statement_out`.
#[no_mangle]
pub extern "C" fn creditbook_book_statement_with_link(
    book: *const creditbook_book,
    account: *const c_char,
    request: *const creditbook_statement_request,
    op: *const values::creditbook_operation,
    with_link: i32,
    statement_out: *mut *mut creditbook_statement,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            out(statement_out, "statement_out")?;
            // SAFETY: the caller's pointers, valid for the call.
            let (account, request, op) = unsafe {
                (
                    arg(account, "account")?,
                    statement_request(request, b.settings().currency)?,
                    values::operation(op)?,
                )
            };
            let with_link = match with_link {
                -1 => None,
                0 => Some(false),
                1 => Some(true),
                v => return Err(FfiError::Enum("with_link (-1, 0 or 1)", i64::from(v))),
            };
            let st = b.statement_with_link(account, &request, &op, with_link)?;
            creditbook_statement::give(statement_out, st)
        })
    })
}

/// How sending one message went.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_delivery_status {
    /// Not sent: there was nothing to send (a replay, no mailer, no email on file: see the
    /// result), or it was only listed.
    NotSent = 0,
    /// The mailer took it now.
    Delivered = 1,
    /// It had been delivered before: nothing was sent.
    AlreadyDelivered = 2,
    /// The mailer failed (recorded; sending it again retries), or it could not be composed or
    /// sent: see the result.
    Failed = 3,
}

/// How sending one message went: its status, the result of the send (OK, or why it failed:
/// `DELIVERY_FAILED`, `MISSING_RECIPIENT`, ...) and, for `DELIVERY_FAILED`, the mailer's status.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_delivery {
    /// What happened.
    pub status: creditbook_delivery_status,
    /// OK, or why it was not delivered.
    pub result: creditbook_result,
    /// The mailer's status when `result` is `DELIVERY_FAILED`; else 0.
    pub host_code: i32,
}

impl creditbook_delivery {
    const NOT_SENT: creditbook_delivery = creditbook_delivery {
        status: creditbook_delivery_status::NotSent,
        result: creditbook_result::Ok,
        host_code: 0,
    };

    fn new(sent: &Result<Sent>) -> creditbook_delivery {
        match sent {
            Ok(s) => creditbook_delivery {
                status: if s.already_delivered {
                    creditbook_delivery_status::AlreadyDelivered
                } else {
                    creditbook_delivery_status::Delivered
                },
                ..Self::NOT_SENT
            },
            Err(e) => creditbook_delivery {
                status: creditbook_delivery_status::Failed,
                result: FfiError::Core(e.clone()).result(),
                host_code: match e {
                    Error::DeliveryFailed { code, .. } => *code,
                    _ => 0,
                },
            },
        }
    }
}

/// What confirming an online payment did.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_confirmation {
    /// The payment (or, through a deposit request, the deposit) recorded; `outcome.replayed`
    /// when the provider had reported it before (nothing recorded, nothing sent).
    pub outcome: creditbook_outcome,
    /// The receipt to the customer (NOT_SENT on a replay, without a mailer, or when the customer
    /// has no email on file).
    pub receipt: creditbook_delivery,
    /// The payment notice to the store (same conditions; the store's `notices_to` or `from`).
    pub notice: creditbook_delivery,
}

/// Records a payment the provider reports as completed: `amount` (minor units) paid at `at`
/// (seconds since the epoch), through the link whose reference is `link` (NULL: not through a
/// link). Recorded once per `provider_payment_id` (a replay records nothing and reports the first
/// outcome), allocated like any payment; then the receipt and the store's notice are composed and
/// sent through the book's mailer (their failures do not fail the call: see
/// `confirmation_out->receipt` and `->notice`). Money received is never refused: through an
/// expired, cancelled, already paid or unknown link, or of another amount than the link's, it is
/// recorded and flagged (`creditbook_activity_line.unusual`, and the store's notice says so).
/// `confirmation_out` may be NULL.
#[no_mangle]
pub extern "C" fn creditbook_book_confirm_online_payment(
    book: *const creditbook_book,
    account: *const c_char,
    provider_payment_id: *const c_char,
    amount: i64,
    at: i64,
    link: *const c_char,
    confirmation_out: *mut creditbook_confirmation,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            // SAFETY: the caller's strings, valid for the call (`link` may be NULL).
            let (account, payment_id, link) = unsafe {
                (
                    arg(account, "account")?,
                    arg(provider_payment_id, "provider_payment_id")?,
                    opt_arg(link, "link")?,
                )
            };
            let cur = b.settings().currency;
            let confirmation = OnlinePaymentConfirmation {
                provider_payment_id: payment_id.to_string(),
                amount: money(amount, cur),
                at: instant(at)?,
                link: link.map(str::to_string),
            };
            let done = b.confirm_online_payment(account, &confirmation)?;
            if !confirmation_out.is_null() {
                let delivery = |d: &Option<(creditbook::Message, Result<Sent>)>| {
                    d.as_ref()
                        .map_or(creditbook_delivery::NOT_SENT, |(_, s)| {
                            creditbook_delivery::new(s)
                        })
                };
                let c = creditbook_confirmation {
                    outcome: creditbook_outcome::new(&done.outcome, cur)?,
                    receipt: delivery(&done.receipt),
                    notice: delivery(&done.notice),
                };
                // SAFETY: not NULL; the caller passed it as writable.
                unsafe { confirmation_out.write(c) };
            }
            Ok(())
        })
    })
}

/// Changes the book's reminders and statement schedule, recorded in the store (who, when, old,
/// new) so that every book on the store follows it and it survives a restart. Needs `op`'s
/// employee granted `CREDITBOOK_PERMISSION_AUTOMATED_AR` (`PERMISSION_DENIED` otherwise); days
/// out of range are `INVALID_INPUT`. Replaying `op->op_id` records nothing new.
#[no_mangle]
pub extern "C" fn creditbook_book_set_automation(
    book: *const creditbook_book,
    op: *const creditbook_operation,
    automation: *const creditbook_automation,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            // SAFETY: the caller's pointers, valid for the call.
            let (op, a) = unsafe { (operation(op)?, automation.as_ref()) };
            let a = a.ok_or(FfiError::Null("automation"))?.get()?;
            b.set_automation(&op, a)?;
            Ok(())
        })
    })
}

/// Writes the book's reminders and statement schedule to `*automation_out`.
#[no_mangle]
pub extern "C" fn creditbook_book_get_automation(
    book: *const creditbook_book,
    automation_out: *mut creditbook_automation,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let o = out(automation_out, "automation_out")?;
            let a = creditbook_automation::new(&b.automation()?);
            // SAFETY: not NULL.
            unsafe { o.write(a) };
            Ok(())
        })
    })
}

/// One reminder due: which invoice, which level, and how sending it went.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_reminder {
    /// The account.
    pub account: *const c_char,
    /// The invoice.
    pub invoice: u64,
    /// Its place in the store's reminder days (0 = the first).
    pub level: u32,
    /// Days from the due date (negative: before it).
    pub days_from_due: i64,
    /// From `creditbook_book_reminders_due`: NOT_SENT, with `result` OK when the reminder could
    /// be composed (else why not, e.g. `MISSING_RECIPIENT`). From `creditbook_book_send_reminders`:
    /// how sending it went.
    pub delivery: creditbook_delivery,
    /// The mailer's delivery id when delivered; else NULL.
    pub delivery_id: *const c_char,
}

/// Reminders, owned by the caller (release with `creditbook_reminder_list_free`).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct creditbook_reminder_list {
    /// The reminders (NULL when there are none).
    pub items: *const creditbook_reminder,
    /// How many reminders.
    pub len: usize,
}

type ReminderKeep = (Vec<creditbook_reminder>, Strings);

/// Makes a reminder list of the core's reminders and, when sent, how each went.
fn reminder_list(
    due: &[(ReminderDue, Option<Result<Sent>>)],
) -> FfiResult<*mut creditbook_reminder_list> {
    let mut s = Strings::default();
    let rows = due
        .iter()
        .map(|(r, sent)| {
            let (delivery, id) = match sent {
                None => (
                    match &r.message {
                        Ok(_) => creditbook_delivery::NOT_SENT,
                        Err(e) => creditbook_delivery {
                            result: FfiError::Core(e.clone()).result(),
                            ..creditbook_delivery::NOT_SENT
                        },
                    },
                    None,
                ),
                Some(sent) => (
                    creditbook_delivery::new(sent),
                    sent.as_ref().ok().map(|x| x.delivery_id.as_str()),
                ),
            };
            Ok(creditbook_reminder {
                account: s.add(&r.account)?,
                invoice: r.invoice,
                level: r.level,
                days_from_due: r.days_from_due,
                delivery,
                delivery_id: s.opt(id)?,
            })
        })
        .collect::<FfiResult<Vec<_>>>()?;
    Ok(list::into_raw::<_, ReminderKeep>((rows, s), |(rows, _)| {
        creditbook_reminder_list {
            items: items(rows),
            len: rows.len(),
        }
    }))
}

/// Writes to `*reminders_out` the reminders due on `day` (a store-local date): for every open
/// invoice, the highest reminder level whose day has come and that was not delivered yet. Nothing
/// is sent.
#[no_mangle]
pub extern "C" fn creditbook_book_reminders_due(
    book: *const creditbook_book,
    day: creditbook_date,
    reminders_out: *mut *mut creditbook_reminder_list,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let o = out(reminders_out, "reminders_out")?;
            let due: Vec<_> = b
                .reminders_due(day.get("day")?)?
                .into_iter()
                .map(|r| (r, None))
                .collect();
            let list = reminder_list(&due)?;
            // SAFETY: not NULL.
            unsafe { o.write(list) };
            Ok(())
        })
    })
}

/// Sends the reminders due on `day` through the book's mailer at `at` (seconds since the epoch),
/// each at most once, and writes them with how each went to `*reminders_out` (a failed one is
/// recorded and sent again by a later run). Without a mailer, each is FAILED with `PORT_MISSING`.
#[no_mangle]
pub extern "C" fn creditbook_book_send_reminders(
    book: *const creditbook_book,
    day: creditbook_date,
    at: i64,
    reminders_out: *mut *mut creditbook_reminder_list,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let o = out(reminders_out, "reminders_out")?;
            let sent: Vec<_> = b
                .send_reminders(day.get("day")?, instant(at)?)?
                .into_iter()
                .map(|(r, s)| (r, Some(s)))
                .collect();
            let list = reminder_list(&sent)?;
            // SAFETY: not NULL.
            unsafe { o.write(list) };
            Ok(())
        })
    })
}

/// Releases a reminder list. NULL is a no-op.
#[no_mangle]
pub extern "C" fn creditbook_reminder_list_free(list: *mut creditbook_reminder_list) {
    // SAFETY: made by this library, or NULL.
    ffi_panic_boundary!({ unsafe { list::free::<_, ReminderKeep>(list) } })
}

/// Statements, owned by the caller (release with `creditbook_statement_list_free`). Each item is a
/// statement handle for every `creditbook_statement_*` reader and
/// `creditbook_book_compose_statement_email`, valid until the list is released; never pass one
/// to `creditbook_statement_free`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct creditbook_statement_list {
    /// The statements (NULL when there are none).
    pub items: *const *const creditbook_statement,
    /// How many statements.
    pub len: usize,
}

/// The handles, and the addresses the header points to.
type StatementKeep = (
    Vec<*const creditbook_statement>,
    Vec<Box<creditbook_statement>>,
);

/// On the store's statement day (`creditbook_automation.statement_day`), writes to
/// `*statements_out` last month's statement of every account with a balance owed or store credit,
/// each with its "Pay online" link when the book has a payment provider and the store includes
/// links (made at `at`, seconds since the epoch); on any other day, an empty list. A link the
/// provider cannot make fails the whole call (`PAYMENT_PROVIDER_FAILED`, nothing written): call
/// it again when the provider is back, the links already made are not made twice.
#[no_mangle]
pub extern "C" fn creditbook_book_statements_due(
    book: *const creditbook_book,
    day: creditbook_date,
    at: i64,
    statements_out: *mut *mut creditbook_statement_list,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let o = out(statements_out, "statements_out")?;
            let handles = b
                .statements_due(day.get("day")?, instant(at)?)?
                .into_iter()
                .map(|st| creditbook_statement::new(st).map(Box::new))
                .collect::<FfiResult<Vec<_>>>()?;
            let addresses = handles
                .iter()
                .map(|h| &**h as *const creditbook_statement)
                .collect();
            let list = list::into_raw::<_, StatementKeep>((addresses, handles), |(a, _)| {
                creditbook_statement_list {
                    items: items(a),
                    len: a.len(),
                }
            });
            // SAFETY: not NULL.
            unsafe { o.write(list) };
            Ok(())
        })
    })
}

/// Releases a statement list and every statement in it. NULL is a no-op.
#[no_mangle]
pub extern "C" fn creditbook_statement_list_free(list: *mut creditbook_statement_list) {
    // SAFETY: made by this library, or NULL.
    ffi_panic_boundary!({ unsafe { list::free::<_, StatementKeep>(list) } })
}
