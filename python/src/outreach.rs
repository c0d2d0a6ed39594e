//! The results and inputs of getting paid: messages (emails as data, and their RFC 5322 bytes),
//! payment links and what the provider is asked for, sends, online payment confirmations,
//! reminders and the automation settings. Read-only, each with `to_dict()` and a repr; the Book's
//! methods that make them are in `book`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use creditbook::statement::PaymentLinkShown;
use creditbook::{
    Attachment, Automation, Currency, LinkPurpose, Message, PaymentLink, PaymentLinkRequest,
    ReminderDue, Sent,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use rust_decimal::Decimal;

use crate::convert;
use crate::errors::{self, enter, PortCauses};
use crate::repr::Repr;
use crate::results::fields;

/// A figure at the currency's scale (`70` reads `70.00`).
fn scaled(currency: Currency, d: Decimal) -> Decimal {
    if d.scale() < currency.exponent() {
        currency.at_scale(d)
    } else {
        d
    }
}

/// `"balance"` or `"deposit"`, the statement number (or reference) of a balance link and the
/// sale of a deposit request.
fn purpose(p: &LinkPurpose) -> (&'static str, Option<String>, Option<String>) {
    match p {
        LinkPurpose::Balance { reference } => ("balance", Some(reference.to_string()), None),
        LinkPurpose::Deposit { sale } => ("deposit", None, Some(sale.to_string())),
    }
}

// ---- Message ----

/// A file attached to a message.
#[pyclass(frozen, module = "creditbook", name = "Attachment")]
pub struct PyAttachment {
    inner: Attachment,
}

#[pymethods]
impl PyAttachment {
    #[getter]
    fn filename(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.filename.clone())
    }
    /// Its MIME type, e.g. `text/html; charset=utf-8`.
    #[getter]
    fn content_type(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.content_type.clone())
    }
    #[getter]
    fn content<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.inner.content))
    }
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(fields!(py, self, [filename, content_type, content]))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let d = PyDict::new(py);
        d.set_item("filename", &self.inner.filename)?;
        d.set_item("content_type", &self.inner.content_type)?;
        d.set_item("size", self.inner.content.len())?;
        Repr::dict(py, "Attachment", &d)
    }
}

/// A complete message, ready to be reviewed and sent: recipients, subject, text and HTML
/// bodies, attachments. `to_bytes()` gives the RFC 5322 / MIME bytes that will be sent.
#[pyclass(frozen, module = "creditbook", name = "Message")]
pub struct PyMessage {
    inner: Arc<Message>,
}

impl PyMessage {
    pub fn new(m: Message) -> PyMessage {
        PyMessage { inner: Arc::new(m) }
    }

    pub fn inner(&self) -> &Message {
        &self.inner
    }
}

#[pymethods]
impl PyMessage {
    /// Its id: sending the same id again after a delivery sends nothing.
    #[getter]
    fn id(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.id.clone())
    }
    /// `"statement"`, `"invoice"`, `"receipt"`, `"store_notice"` or `"reminder"`.
    #[getter]
    fn kind(&self, _py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.inner.kind.as_str())
    }
    /// The account it belongs to (where sending it is recorded).
    #[getter]
    fn account(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.account.to_string())
    }
    #[getter]
    fn language(&self, _py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.inner.language.code())
    }
    /// The sender (the store's `from_` setting), if the store has an address.
    #[getter]
    fn from_(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.inner.from.clone())
    }
    #[getter]
    fn to(&self, _py: Python<'_>) -> PyResult<Vec<String>> {
        Ok(self.inner.to.clone())
    }
    #[getter]
    fn subject(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.subject.clone())
    }
    /// The plain-text body.
    #[getter]
    fn text(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.text.clone())
    }
    /// The HTML body.
    #[getter]
    fn html(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.html.clone())
    }
    #[getter]
    fn attachments<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.inner
                .attachments
                .iter()
                .map(|a| PyAttachment { inner: a.clone() }),
        )
    }
    /// For a reminder: `(invoice, level)`.
    #[getter]
    fn reminder(&self, _py: Python<'_>) -> PyResult<Option<(u64, u32)>> {
        Ok(self.inner.reminder)
    }

    /// The message as RFC 5322 / MIME bytes (text and HTML alternatives, then the attachments),
    /// dated `date` (a timezone-aware datetime; now when `None`). MIME boundaries are random.
    #[pyo3(signature = (date = None))]
    fn to_bytes<'py>(
        &self,
        py: Python<'py>,
        date: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let date = convert::instant_or_now("date", date)?;
        let bytes = enter(py, || self.inner.to_rfc5322(date))?;
        Ok(PyBytes::new(py, &bytes))
    }

    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = fields!(
            py,
            self,
            [id, kind, account, language, from_, to, subject, text, html, reminder]
        );
        let attachments = PyList::empty(py);
        for a in &self.inner.attachments {
            attachments.append(PyAttachment { inner: a.clone() }.to_dict(py)?)?;
        }
        d.set_item("attachments", attachments)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::some(
            "Message",
            &self.to_dict(py)?,
            &["id", "kind", "account", "to", "subject"],
        )
    }
}

// ---- Payment links ----

/// What creditbook asks the payment provider to make a link for: the provider's
/// `create_link(request)` makes the URL and returns it.
#[pyclass(frozen, module = "creditbook", name = "PaymentLinkRequest")]
pub struct PyPaymentLinkRequest {
    pub inner: PaymentLinkRequest,
}

#[pymethods]
impl PyPaymentLinkRequest {
    #[getter]
    fn account(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.account.clone())
    }
    /// The amount to pay, at the currency's scale.
    #[getter]
    fn amount(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(scaled(self.inner.currency, self.inner.amount))
    }
    /// The ISO 4217 code (the store's currency).
    #[getter]
    fn currency(&self, _py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.inner.currency.code())
    }
    /// The link's reference, to be reported back with the payment (`link=` of
    /// `Book.confirm_online_payment`).
    #[getter]
    fn reference(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.reference.clone())
    }
    /// `"balance"` (what is owed) or `"deposit"` (toward a sale).
    #[getter]
    fn purpose(&self, _py: Python<'_>) -> PyResult<&'static str> {
        Ok(purpose(&self.inner.purpose).0)
    }
    /// For a balance link: the statement number (or the reference the customer recognizes).
    #[getter]
    fn statement_number(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(purpose(&self.inner.purpose).1)
    }
    /// For a deposit request: the sale.
    #[getter]
    fn sale(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(purpose(&self.inner.purpose).2)
    }
    /// When the link stops working.
    #[getter]
    fn expires_at(&self, _py: Python<'_>) -> PyResult<DateTime<Utc>> {
        Ok(self.inner.expires_at)
    }
    /// The customer's name, for the payment page.
    #[getter]
    fn customer_name(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.customer_name.clone())
    }
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(fields!(
            py,
            self,
            [
                account,
                amount,
                currency,
                reference,
                purpose,
                statement_number,
                sale,
                expires_at,
                customer_name
            ]
        ))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::some(
            "PaymentLinkRequest",
            &self.to_dict(py)?,
            &["account", "amount", "currency", "reference", "expires_at"],
        )
    }
}

/// A payment link as the Book made and recorded it.
#[pyclass(frozen, module = "creditbook", name = "PaymentLink")]
pub struct PyPaymentLink {
    pub inner: PaymentLink,
    pub currency: Currency,
    /// The store's time zone, in which a statement shows the link's expiry.
    pub timezone: creditbook::Tz,
    /// Where it stands, when read with `Book.payment_links` (`None` for a link just made).
    pub status: Option<&'static str>,
}

#[pymethods]
impl PyPaymentLink {
    #[getter]
    fn account(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.account.to_string())
    }
    /// The URL the provider made.
    #[getter]
    fn url(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.record.url.clone())
    }
    #[getter]
    fn amount(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(scaled(self.currency, self.inner.record.amount))
    }
    /// `<account>-<operation id>`: the provider reports it back with the payment (`link=` of
    /// `Book.confirm_online_payment`).
    #[getter]
    fn reference(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.record.reference.to_string())
    }
    #[getter]
    fn expires_at(&self, _py: Python<'_>) -> PyResult<DateTime<Utc>> {
        Ok(self.inner.record.expires_at)
    }
    /// `"balance"` or `"deposit"`.
    #[getter]
    fn purpose(&self, _py: Python<'_>) -> PyResult<&'static str> {
        Ok(purpose(&self.inner.record.purpose).0)
    }
    /// For a balance link: the statement number (or the reference given).
    #[getter]
    fn statement_number(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(purpose(&self.inner.record.purpose).1)
    }
    /// For a deposit request: the sale.
    #[getter]
    fn sale(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(purpose(&self.inner.record.purpose).2)
    }
    /// True when the operation id had made this link before: the provider was not called again.
    #[getter]
    fn replayed(&self, _py: Python<'_>) -> PyResult<bool> {
        Ok(self.inner.replayed)
    }
    /// `"pending"`, `"paid"`, `"cancelled"` or `"expired"` when read with `Book.payment_links`;
    /// `None` on the link `Book.payment_link` returns.
    #[getter]
    fn status(&self, _py: Python<'_>) -> PyResult<Option<&'static str>> {
        Ok(self.status)
    }
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(fields!(
            py,
            self,
            [
                account,
                url,
                amount,
                reference,
                expires_at,
                purpose,
                statement_number,
                sale,
                replayed,
                status
            ]
        ))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::some(
            "PaymentLink",
            &self.to_dict(py)?,
            &["reference", "url", "amount", "expires_at", "replayed"],
        )
    }
}

/// The "Pay online" link a statement shows.
#[pyclass(frozen, module = "creditbook", name = "PaymentLinkShown")]
pub struct PyPaymentLinkShown {
    pub inner: PaymentLinkShown,
}

#[pymethods]
impl PyPaymentLinkShown {
    #[getter]
    fn url(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.url.clone())
    }
    #[getter]
    fn amount(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.amount)
    }
    #[getter]
    fn expires_at(&self, _py: Python<'_>) -> PyResult<Option<DateTime<Utc>>> {
        Ok(self.inner.expires_at.map(|t| t.to_utc()))
    }
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(fields!(py, self, [url, amount, expires_at]))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::dict(py, "PaymentLinkShown", &self.to_dict(py)?)
    }
}

// ---- Sending ----

/// What sending a message did.
#[pyclass(frozen, module = "creditbook", name = "Sent")]
pub struct PySent {
    /// The mailer's delivery id.
    #[pyo3(get)]
    delivery_id: String,
    /// True when the message had been delivered before: nothing was sent this time.
    #[pyo3(get)]
    already_delivered: bool,
}

impl PySent {
    pub fn new(s: Sent) -> PySent {
        PySent {
            delivery_id: s.delivery_id,
            already_delivered: s.already_delivered,
        }
    }
}

#[pymethods]
impl PySent {
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("delivery_id", &self.delivery_id)?;
        d.set_item("already_delivered", self.already_delivered)?;
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::dict(py, "Sent", &self.to_dict(py)?)
    }
}

/// How sending one message the Book composed itself went (a receipt, a store notice, a
/// reminder): `sent` when it was delivered, else `error` (the exception it would have raised,
/// e.g. `DeliveryError` with the mailer's exception as `__cause__`, or `MissingRecipient`).
#[pyclass(frozen, module = "creditbook", name = "SendResult")]
pub struct PySendResult {
    /// The message, when there is one.
    #[pyo3(get)]
    message: Option<Py<PyMessage>>,
    /// What the send did, when it succeeded.
    #[pyo3(get)]
    sent: Option<Py<PySent>>,
    /// Why it failed.
    #[pyo3(get)]
    error: Option<Py<PyAny>>,
}

impl PySendResult {
    pub fn create(
        py: Python<'_>,
        message: Option<Py<PyMessage>>,
        result: creditbook::Result<Sent>,
        causes: &mut PortCauses,
    ) -> PyResult<PySendResult> {
        let (sent, error) = match result {
            Ok(s) => (Some(Py::new(py, PySent::new(s))?), None),
            Err(e) => (None, Some(causes.error(py, e).into_value(py).into_any())),
        };
        Ok(PySendResult {
            message,
            sent,
            error,
        })
    }
}

#[pymethods]
impl PySendResult {
    /// True when the message was delivered (now or before).
    #[getter]
    fn ok(&self) -> bool {
        self.sent.is_some()
    }
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item(
            "message",
            self.message
                .as_ref()
                .map(|m| m.get().to_dict(py))
                .transpose()?,
        )?;
        d.set_item(
            "sent",
            self.sent
                .as_ref()
                .map(|s| s.get().to_dict(py))
                .transpose()?,
        )?;
        d.set_item("error", self.error.as_ref().map(|e| e.bind(py).clone()))?;
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let d = PyDict::new(py);
        d.set_item(
            "message",
            self.message.as_ref().map(|m| m.get().inner.id.clone()),
        )?;
        d.set_item("sent", self.sent.as_ref().map(|s| s.bind(py).clone()))?;
        d.set_item("error", self.error.as_ref().map(|e| e.bind(py).clone()))?;
        Repr::dict(py, "SendResult", &d)
    }
}

/// What confirming an online payment did: the payment (or deposit) recorded, and how sending
/// the receipt to the customer and the notice to the store went (`None` on a replay, when the
/// Book has no mailer, or when there is no address to send to).
#[pyclass(frozen, module = "creditbook", name = "Confirmed")]
pub struct PyConfirmed {
    /// The payment as recorded (`Payment`: amount, allocations, credit).
    #[pyo3(get)]
    outcome: Py<PyAny>,
    #[pyo3(get)]
    receipt: Option<Py<PySendResult>>,
    #[pyo3(get)]
    notice: Option<Py<PySendResult>>,
    replayed: bool,
}

impl PyConfirmed {
    pub fn new(
        outcome: Py<PyAny>,
        receipt: Option<Py<PySendResult>>,
        notice: Option<Py<PySendResult>>,
        replayed: bool,
    ) -> PyConfirmed {
        PyConfirmed {
            outcome,
            receipt,
            notice,
            replayed,
        }
    }
}

#[pymethods]
impl PyConfirmed {
    /// True when the provider had reported this payment before: nothing new was recorded or sent.
    #[getter]
    fn replayed(&self) -> bool {
        self.replayed
    }
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("outcome", self.outcome.bind(py).call_method0("to_dict")?)?;
        d.set_item("replayed", self.replayed)?;
        for (name, r) in [("receipt", &self.receipt), ("notice", &self.notice)] {
            d.set_item(name, r.as_ref().map(|r| r.get().to_dict(py)).transpose()?)?;
        }
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let d = PyDict::new(py);
        d.set_item("outcome", self.outcome.bind(py))?;
        d.set_item("receipt", self.receipt.as_ref().map(|r| r.bind(py).clone()))?;
        d.set_item("notice", self.notice.as_ref().map(|r| r.bind(py).clone()))?;
        Repr::dict(py, "Confirmed", &d)
    }
}

// ---- Reminders ----

/// A reminder due on a day: the invoice, its level in the store's reminder days and the composed
/// message, or why there is none (`error`, e.g. `MissingRecipient` when no email is on file).
#[pyclass(frozen, module = "creditbook", name = "ReminderDue")]
pub struct PyReminderDue {
    #[pyo3(get)]
    account: String,
    #[pyo3(get)]
    invoice: u64,
    /// Its place in the store's reminder days (0 = the first).
    #[pyo3(get)]
    level: u32,
    /// Days from the due date (negative: before it).
    #[pyo3(get)]
    days_from_due: i64,
    #[pyo3(get)]
    message: Option<Py<PyMessage>>,
    #[pyo3(get)]
    error: Option<Py<PyAny>>,
}

impl PyReminderDue {
    pub fn create(py: Python<'_>, r: ReminderDue) -> PyResult<PyReminderDue> {
        let (message, error) = match r.message {
            Ok(m) => (Some(Py::new(py, PyMessage::new(m))?), None),
            Err(e) => (None, Some(errors::to_py(py, e).into_value(py).into_any())),
        };
        Ok(PyReminderDue {
            account: r.account.to_string(),
            invoice: r.invoice,
            level: r.level,
            days_from_due: r.days_from_due,
            message,
            error,
        })
    }

    pub fn message(&self, py: Python<'_>) -> Option<Py<PyMessage>> {
        self.message.as_ref().map(|m| m.clone_ref(py))
    }
}

#[pymethods]
impl PyReminderDue {
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("account", &self.account)?;
        d.set_item("invoice", self.invoice)?;
        d.set_item("level", self.level)?;
        d.set_item("days_from_due", self.days_from_due)?;
        d.set_item(
            "message",
            self.message
                .as_ref()
                .map(|m| m.get().to_dict(py))
                .transpose()?,
        )?;
        d.set_item("error", self.error.as_ref().map(|e| e.bind(py).clone()))?;
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::some(
            "ReminderDue",
            &self.to_dict(py)?,
            &["account", "invoice", "level", "days_from_due", "error"],
        )
    }
}

// ---- Automation ----

/// Reminders and the monthly statement run: `reminder_days` relative to due dates (e.g.
/// `(-3, 0, 3, 7, 14, 30)`; empty: no reminders) and the day of the month (1 to 28) on which
/// last month's statements are due (`None`: no schedule).
#[pyclass(frozen, eq, module = "creditbook", name = "Automation")]
#[derive(Clone, PartialEq)]
pub struct PyAutomation {
    pub inner: Automation,
}

#[pymethods]
impl PyAutomation {
    #[new]
    #[pyo3(signature = (*, reminder_days = Vec::new(), statement_day = None),
        text_signature = "(*, reminder_days=(), statement_day=None)")]
    fn new(reminder_days: Vec<i32>, statement_day: Option<u32>) -> PyResult<Self> {
        let inner = Automation {
            reminder_days,
            statement_day,
        };
        inner.validate().map_err(errors::core)?;
        Ok(PyAutomation { inner })
    }
    #[getter]
    fn reminder_days<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.inner.reminder_days)
    }
    #[getter]
    fn statement_day(&self) -> Option<u32> {
        self.inner.statement_day
    }
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("reminder_days", self.reminder_days(py)?)?;
        d.set_item("statement_day", self.inner.statement_day)?;
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::dict(py, "Automation", &self.to_dict(py)?)
    }
}
