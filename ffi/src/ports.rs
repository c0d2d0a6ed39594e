//! The Mailer and PaymentProvider ports in C: structs of callbacks the host fills, the borrowed
//! views they receive (a message, a payment link request), and the string sink they answer
//! through (a delivery id, a URL, or the reason of a failure).
//!
//! Like the store's, these callbacks run synchronously on the thread that called creditbook,
//! never while the library holds a lock; their status is kept as the host's code.

use std::ffi::{c_char, c_void};

use chrono::{DateTime, Utc};
use creditbook::{
    Currency, LinkPurpose, Mailer, Message, MessageKind, PaymentLinkRequest, PaymentProvider,
    PortError,
};

use crate::list::{items, Strings};
use crate::panic::ffi_panic_boundary;
use crate::result::{creditbook_result, FfiError, FfiResult};
use crate::strings::bytes_arg;
use crate::values::minor;

/// What a mailer or payment-provider callback returns on success. Any other value is a failure:
/// it is kept as the host's code (`CREDITBOOK_RESULT_DELIVERY_FAILED` /
/// `CREDITBOOK_RESULT_PAYMENT_PROVIDER_FAILED`, "code N" in the last error).
pub const CREDITBOOK_PORT_OK: i32 = 0;

/// Which kind of message.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_message_kind {
    /// A statement of account.
    Statement = 0,
    /// An invoice for one charge.
    Invoice = 1,
    /// A payment receipt to the customer.
    Receipt = 2,
    /// A payment notice to the store.
    StoreNotice = 3,
    /// A reminder of an invoice falling or fallen due.
    Reminder = 4,
}

impl From<MessageKind> for creditbook_message_kind {
    fn from(k: MessageKind) -> Self {
        match k {
            MessageKind::Statement => Self::Statement,
            MessageKind::Invoice => Self::Invoice,
            MessageKind::Receipt => Self::Receipt,
            MessageKind::StoreNotice => Self::StoreNotice,
            MessageKind::Reminder => Self::Reminder,
        }
    }
}

/// What a payment link asks to be paid for.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_link_purpose {
    /// What is owed (e.g. a statement's amount due); its reference is the statement number or
    /// another reference the customer recognizes.
    Balance = 0,
    /// A deposit toward a sale (layaway, special order), which becomes store credit when paid;
    /// its reference is the sale. A new request for the same sale cancels the pending one.
    Deposit = 1,
}

crate::values::c_enum!(creditbook_link_purpose: Balance, Deposit);

/// A purpose's kind and reference.
pub(crate) fn purpose_parts(p: &LinkPurpose) -> (creditbook_link_purpose, &str) {
    match p {
        LinkPurpose::Balance { reference } => (creditbook_link_purpose::Balance, reference),
        LinkPurpose::Deposit { sale } => (creditbook_link_purpose::Deposit, sale),
    }
}

/// One attached file of a message view.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_attachment_view {
    /// Its file name.
    pub filename: *const c_char,
    /// Its MIME type (`"text/html; charset=utf-8"`).
    pub content_type: *const c_char,
    /// Its content (`content_len` bytes, not NUL-terminated; NULL when empty).
    pub content: *const u8,
    /// The content's length in bytes.
    pub content_len: usize,
}

/// A message, borrowed: from `creditbook_message_get_view` (valid until the message is freed) or
/// handed to the mailer's `send` callback (valid until it returns). Strings are UTF-8,
/// NUL-terminated.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_message_view {
    /// The message id: sending the same id again after a delivery sends nothing.
    pub id: *const c_char,
    /// What it is.
    pub kind: creditbook_message_kind,
    /// The account it belongs to (where its sending is recorded).
    pub account: *const c_char,
    /// Its language tag (`"fr"`).
    pub language: *const c_char,
    /// The sender (the store's address); NULL when the store has none.
    pub from: *const c_char,
    /// The recipients' addresses (`to_count` of them).
    pub to: *const *const c_char,
    /// How many recipients.
    pub to_count: usize,
    /// The subject.
    pub subject: *const c_char,
    /// The plain-text body.
    pub text: *const c_char,
    /// The HTML body.
    pub html: *const c_char,
    /// The attached files (`attachment_count` of them; NULL when none).
    pub attachments: *const creditbook_attachment_view,
    /// How many attached files.
    pub attachment_count: usize,
    /// For a reminder: the invoice it is about (0 for other kinds).
    pub reminder_invoice: u64,
    /// For a reminder: its level, 0 for the store's first reminder day.
    pub reminder_level: u32,
    /// The message as RFC 5322 / MIME bytes, dated when the callback is called (the system
    /// clock), exactly what creditbook would have the mailer send; `rfc5322_len` bytes, not
    /// NUL-terminated. Only in the view the `send` callback receives; NULL and 0 from
    /// `creditbook_message_get_view` (use `creditbook_message_to_rfc5322`).
    pub rfc5322: *const u8,
    /// The length of `rfc5322` in bytes.
    pub rfc5322_len: usize,
}

/// A message's view with everything it points to.
pub(crate) struct MessageView {
    _strings: Strings,
    _to: Vec<*const c_char>,
    _attachments: Vec<creditbook_attachment_view>,
    _rfc5322: Option<Vec<u8>>,
    /// The view; its pointers go into the fields above (heap buffers that do not move).
    pub(crate) view: creditbook_message_view,
}

// SAFETY: the view's pointers go only into the buffers this struct owns, never changed after it
// is made; reading them from several threads at once is reading shared immutable memory.
unsafe impl Send for MessageView {}
// SAFETY: as above.
unsafe impl Sync for MessageView {}

impl MessageView {
    /// The view of `m`, with its RFC 5322 bytes when given.
    pub(crate) fn new(m: &Message, rfc5322: Option<Vec<u8>>) -> FfiResult<MessageView> {
        let mut s = Strings::default();
        let to =
            m.to.iter()
                .map(|t| s.add(t))
                .collect::<FfiResult<Vec<_>>>()?;
        let attachments = m
            .attachments
            .iter()
            .map(|a| {
                Ok(creditbook_attachment_view {
                    filename: s.add(&a.filename)?,
                    content_type: s.add(&a.content_type)?,
                    content: items(&a.content),
                    content_len: a.content.len(),
                })
            })
            .collect::<FfiResult<Vec<_>>>()?;
        let (reminder_invoice, reminder_level) = m.reminder.unwrap_or((0, 0));
        let view = creditbook_message_view {
            id: s.add(&m.id)?,
            kind: m.kind.into(),
            account: s.add(&m.account)?,
            language: s.add(m.language.code())?,
            from: s.opt(m.from.as_deref())?,
            to: items(&to),
            to_count: to.len(),
            subject: s.add(&m.subject)?,
            text: s.add(&m.text)?,
            html: s.add(&m.html)?,
            attachments: items(&attachments),
            attachment_count: attachments.len(),
            reminder_invoice,
            reminder_level,
            rfc5322: rfc5322.as_deref().map_or(std::ptr::null(), items),
            rfc5322_len: rfc5322.as_ref().map_or(0, Vec::len),
        };
        Ok(MessageView {
            _strings: s,
            _to: to,
            _attachments: attachments,
            _rfc5322: rfc5322,
            view,
        })
    }
}

/// What creditbook asks the payment provider to make a link for, borrowed: valid until the
/// `create_link` callback returns. creditbook decided the amount, currency, reference and
/// expiry; the provider makes the secure URL.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_payment_link_request {
    /// The account.
    pub account: *const c_char,
    /// The amount to pay, in minor units of `currency`.
    pub amount: i64,
    /// The same amount as a decimal string (`"70.00"`).
    pub amount_text: *const c_char,
    /// The ISO 4217 currency code (the store's).
    pub currency: *const c_char,
    /// The link's reference (`<account>-<operation id>`), reported back with the payment
    /// (`creditbook_book_confirm_online_payment`'s `link`).
    pub reference: *const c_char,
    /// What the payment is for.
    pub purpose: creditbook_link_purpose,
    /// The purpose's reference: the statement number (BALANCE) or the sale (DEPOSIT).
    pub purpose_ref: *const c_char,
    /// When the link stops working: seconds since 1970-01-01T00:00:00Z.
    pub expires_at: i64,
    /// The customer's name, for the payment page.
    pub customer_name: *const c_char,
}

/// Where a mailer or payment-provider callback writes its answer with `creditbook_string_sink_set`:
/// on success the delivery id (`send`) or the link's URL (`create_link`), on failure (optionally)
/// the reason kept with the host's code. Valid only during the callback.
#[allow(non_camel_case_types)]
pub struct creditbook_string_sink {
    text: Option<String>,
    error: Option<FfiError>,
}

/// Writes `len` bytes of UTF-8 `text` (no NUL needed) to the sink a mailer or payment-provider
/// callback received; the last one set counts. `NULL_PARAMETER` / `INVALID_UTF8` for bad
/// arguments (the callback then fails even if it returns `CREDITBOOK_PORT_OK`). Call it only inside
/// the callback that received `sink`.
#[no_mangle]
pub extern "C" fn creditbook_string_sink_set(
    sink: *mut creditbook_string_sink,
    text: *const c_char,
    len: usize,
) -> creditbook_result {
    ffi_panic_boundary!({
        // SAFETY: the sink was handed to the callback that calls this.
        let Some(sink) = (unsafe { sink.as_mut() }) else {
            return creditbook_result::NullParameter;
        };
        // SAFETY: the caller's contract.
        match unsafe { bytes_arg(text, len, "text") } {
            Ok(t) => {
                sink.text = Some(t.to_string());
                creditbook_result::Ok
            }
            Err(e) => {
                let r = e.result();
                sink.error.get_or_insert(e);
                r
            }
        }
    })
}

/// Calls a port callback with a fresh sink and turns its status and sink into the port's answer.
fn answer(
    what: &str,
    call: impl FnOnce(*mut creditbook_string_sink) -> i32,
) -> Result<String, PortError> {
    let mut sink = creditbook_string_sink {
        text: None,
        error: None,
    };
    let code = call(&mut sink);
    if code != CREDITBOOK_PORT_OK {
        let reason = sink
            .text
            .unwrap_or_else(|| format!("the host's {what} callback failed"));
        return Err(PortError::new(code, reason));
    }
    if let Some(e) = sink.error {
        return Err(PortError::new(
            0,
            format!(
                "the {what} callback set what creditbook cannot read: {}",
                e.message()
            ),
        ));
    }
    sink.text.ok_or_else(|| {
        PortError::new(
            0,
            format!("the {what} callback returned 0 without setting its answer"),
        )
    })
}

/// The host's mailer, as callbacks. `send` gets `user_data` first and returns
/// `CREDITBOOK_PORT_OK` (0) after setting the delivery id with `creditbook_string_sink_set`, or any
/// other value for a failure (optionally with a reason set in the sink): the send then fails with
/// `CREDITBOOK_RESULT_DELIVERY_FAILED` and is recorded as failed with that code (sending the same
/// message again retries it).
///
/// Contract (the header's "Threads and callbacks" holds for every callback): called synchronously
/// on the thread that called creditbook (`creditbook_book_send`, a confirmation's receipt and
/// notice, `creditbook_book_send_reminders`), never while the library holds a lock; it may call
/// creditbook again, except freeing the book it serves (sending the same message from inside its
/// own `send` is `INVALID_STATE`: it is being sent). The view and the sink are valid only until it
/// returns. `user_data` must stay valid as long as the book.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_mailer_callbacks {
    /// Passed as the first argument of the callback; never read by creditbook.
    pub user_data: *mut c_void,
    /// Delivers `message` (its RFC 5322 bytes are `message->rfc5322`) and sets the delivery id in
    /// `delivery_id`.
    pub send: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            message: *const creditbook_message_view,
            delivery_id: *mut creditbook_string_sink,
        ) -> i32,
    >,
}

/// The host's payment provider, as callbacks. `create_link` gets `user_data` first and returns
/// `CREDITBOOK_PORT_OK` (0) after setting the link's URL with `creditbook_string_sink_set`, or any
/// other value for a failure (optionally with a reason set in the sink): the operation then fails
/// with `CREDITBOOK_RESULT_PAYMENT_PROVIDER_FAILED`, the host's code in the last error, and no
/// link is recorded. The same contract as `creditbook_mailer_callbacks`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_payment_provider_callbacks {
    /// Passed as the first argument of the callback; never read by creditbook.
    pub user_data: *mut c_void,
    /// Makes a link for `request` and sets its URL in `url`.
    pub create_link: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            request: *const creditbook_payment_link_request,
            url: *mut creditbook_string_sink,
        ) -> i32,
    >,
}

/// The host's mailer callbacks as a [`Mailer`].
#[derive(Debug)]
pub(crate) struct CallbackMailer {
    callbacks: creditbook_mailer_callbacks,
}

// SAFETY: the callbacks and `user_data` are the host's; the header's contract makes the host
// responsible for them being callable from every thread that uses the book. creditbook never
// reads `user_data`.
unsafe impl Send for CallbackMailer {}
// SAFETY: as above.
unsafe impl Sync for CallbackMailer {}

impl CallbackMailer {
    /// The callbacks, checked: `send` must be set.
    pub(crate) fn new(callbacks: &creditbook_mailer_callbacks) -> FfiResult<CallbackMailer> {
        if callbacks.send.is_none() {
            return Err(FfiError::Null("mailer->send"));
        }
        Ok(CallbackMailer {
            callbacks: *callbacks,
        })
    }
}

impl Mailer for CallbackMailer {
    fn send(&self, message: &Message) -> Result<String, PortError> {
        let Some(send) = self.callbacks.send else {
            return Err(PortError::new(0, "mailer->send is NULL"));
        };
        let internal = |e: FfiError| PortError::new(0, e.message());
        let bytes = message
            .to_rfc5322(DateTime::<Utc>::from(std::time::SystemTime::now()))
            .map_err(|e| internal(e.into()))?;
        let view = MessageView::new(message, Some(bytes)).map_err(internal)?;
        answer("send", |sink| {
            // SAFETY: the host's callback, called as its contract says; the view and the sink
            // outlive the call.
            unsafe { send(self.callbacks.user_data, &view.view, sink) }
        })
    }
}

/// The host's payment-provider callbacks as a [`PaymentProvider`].
#[derive(Debug)]
pub(crate) struct CallbackProvider {
    callbacks: creditbook_payment_provider_callbacks,
}

// SAFETY: as for `CallbackMailer`.
unsafe impl Send for CallbackProvider {}
// SAFETY: as above.
unsafe impl Sync for CallbackProvider {}

impl CallbackProvider {
    /// The callbacks, checked: `create_link` must be set.
    pub(crate) fn new(
        callbacks: &creditbook_payment_provider_callbacks,
    ) -> FfiResult<CallbackProvider> {
        if callbacks.create_link.is_none() {
            return Err(FfiError::Null("payment_provider->create_link"));
        }
        Ok(CallbackProvider {
            callbacks: *callbacks,
        })
    }
}

/// A request's strings, kept for the callback.
fn request_view(
    r: &PaymentLinkRequest,
    cur: Currency,
    s: &mut Strings,
) -> FfiResult<creditbook_payment_link_request> {
    let (purpose, purpose_ref) = purpose_parts(&r.purpose);
    Ok(creditbook_payment_link_request {
        account: s.add(&r.account)?,
        amount: minor(r.amount, cur)?,
        amount_text: s.add(&cur.at_scale(r.amount).to_string())?,
        currency: s.add(cur.code())?,
        reference: s.add(&r.reference)?,
        purpose,
        purpose_ref: s.add(purpose_ref)?,
        expires_at: r.expires_at.timestamp(),
        customer_name: s.add(&r.customer_name)?,
    })
}

impl PaymentProvider for CallbackProvider {
    fn create_link(&self, request: &PaymentLinkRequest) -> Result<String, PortError> {
        let Some(create_link) = self.callbacks.create_link else {
            return Err(PortError::new(0, "payment_provider->create_link is NULL"));
        };
        let mut strings = Strings::default();
        let view = request_view(request, request.currency, &mut strings)
            .map_err(|e| PortError::new(0, e.message()))?;
        answer("create_link", |sink| {
            // SAFETY: the host's callback; the request, its strings and the sink outlive the call.
            unsafe { create_link(self.callbacks.user_data, &view, sink) }
        })
    }
}
