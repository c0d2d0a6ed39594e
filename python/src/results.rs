//! Read-only result objects: outcomes of operations, entries, account figures.
//!
//! Each holds the core's value and converts a field when it is read, so a call that returns an
//! outcome pays only for the fields the caller looks at. Every class has `to_dict()` (plain
//! Python values: `Decimal`, `date`, `datetime`, `str`, lists and dicts) and a repr that shows
//! its main fields.

use chrono::{DateTime, NaiveDate, Utc};
use creditbook::{
    figures, AccountStatus, Allocation, Currency, Customer, Entry, EntryKind, Outcome, Standing,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple};
use rust_decimal::Decimal;

use crate::errors;
use crate::repr::Repr;
use crate::settings::{address_dict, PyPostalAddress};

/// Builds a dict from getters of the same shape (`fn f(&self, py) -> PyResult<T>`).
macro_rules! fields {
    ($py:expr, $obj:expr, [$($f:ident),* $(,)?]) => {{
        let d = PyDict::new($py);
        $( d.set_item(stringify!($f), $obj.$f($py)?)?; )*
        d
    }};
}
pub(crate) use fields;

/// A figure at the currency's scale (`0` prints `0.00`).
fn scaled(currency: Option<Currency>, d: Decimal) -> Decimal {
    match currency {
        Some(c) if d.scale() < c.exponent() => c.at_scale(d),
        _ => d,
    }
}

// ---- enums (str enums defined in creditbook/_enums.py) ----

static STANDING: PyOnceLock<[Py<PyAny>; 3]> = PyOnceLock::new();
static ACCOUNT_STATUS: PyOnceLock<[Py<PyAny>; 3]> = PyOnceLock::new();

fn members<'a>(
    py: Python<'_>,
    cell: &'a PyOnceLock<[Py<PyAny>; 3]>,
    class: &str,
    values: [&str; 3],
) -> PyResult<&'a [Py<PyAny>; 3]> {
    cell.get_or_try_init(py, || {
        let cls = py.import("creditbook._enums")?.getattr(class)?;
        let get = |v: &str| cls.call1((v,)).map(Bound::unbind);
        Ok([get(values[0])?, get(values[1])?, get(values[2])?])
    })
}

pub fn standing<'py>(py: Python<'py>, s: Standing) -> PyResult<Bound<'py, PyAny>> {
    let m = members(
        py,
        &STANDING,
        "Standing",
        ["settled", "outstanding", "overdue"],
    )?;
    let i = match s {
        Standing::Settled => 0,
        Standing::Outstanding => 1,
        Standing::Overdue => 2,
    };
    Ok(m[i].bind(py).clone())
}

pub fn account_status<'py>(py: Python<'py>, s: AccountStatus) -> PyResult<Bound<'py, PyAny>> {
    let m = members(
        py,
        &ACCOUNT_STATUS,
        "AccountStatus",
        ["active", "on_hold", "archived"],
    )?;
    let i = match s {
        AccountStatus::Active => 0,
        AccountStatus::OnHold => 1,
        AccountStatus::Archived => 2,
    };
    Ok(m[i].bind(py).clone())
}

// ---- Allocation ----

/// Part of an amount put toward one invoice.
#[pyclass(frozen, eq, module = "creditbook", name = "Allocation")]
#[derive(Clone, PartialEq)]
pub struct PyAllocation {
    #[pyo3(get)]
    invoice: u64,
    #[pyo3(get)]
    amount: Decimal,
}

impl PyAllocation {
    pub fn new(a: &Allocation, currency: Option<Currency>) -> PyAllocation {
        PyAllocation {
            invoice: a.invoice,
            amount: scaled(currency, a.amount),
        }
    }
}

#[pymethods]
impl PyAllocation {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("invoice", self.invoice)?;
        d.set_item("amount", self.amount)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "Allocation(invoice={}, amount=Decimal('{}'))",
            self.invoice, self.amount
        )
    }
}

fn allocations<'py>(
    py: Python<'py>,
    items: impl Iterator<Item = Allocation>,
    currency: Option<Currency>,
) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, items.map(|a| PyAllocation::new(&a, currency)))
}

// ---- Customer ----

/// The customer an account belongs to.
#[pyclass(frozen, module = "creditbook", name = "Customer")]
pub struct PyCustomer {
    pub inner: Customer,
}

#[pymethods]
impl PyCustomer {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    #[getter]
    fn email(&self) -> Option<&str> {
        self.inner.email.as_deref()
    }
    #[getter]
    fn language(&self) -> Option<&str> {
        self.inner.language.as_deref()
    }
    #[getter]
    fn address(&self) -> PyPostalAddress {
        PyPostalAddress {
            inner: self.inner.address.clone(),
        }
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        customer_dict(py, &self.inner)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::some(
            "Customer",
            &customer_dict(py, &self.inner)?,
            &["id", "name", "email", "language"],
        )
    }
}

pub(crate) fn customer_dict<'py>(py: Python<'py>, c: &Customer) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", c.id.as_str())?;
    d.set_item("name", &c.name)?;
    d.set_item("email", c.email.as_deref())?;
    d.set_item("language", c.language.as_deref())?;
    d.set_item("address", address_dict(py, &c.address)?)?;
    Ok(d)
}

// ---- Entry and ActivityLine ----

/// One immutable ledger entry.
#[pyclass(frozen, subclass, module = "creditbook", name = "Entry")]
pub struct PyEntry {
    pub inner: Entry,
    pub currency: Option<Currency>,
}

impl PyEntry {
    pub fn new(inner: Entry, currency: Option<Currency>) -> PyEntry {
        PyEntry { inner, currency }
    }

    fn effect(&self) -> PyResult<creditbook::Effect> {
        self.inner.effect().map_err(errors::core)
    }

    fn dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(fields!(
            py,
            self,
            [
                seq,
                op_id,
                at,
                date,
                actor,
                kind,
                amount,
                reference,
                sale,
                due_date,
                invoice,
                reverses,
                override_reason,
                receipt_less,
                invoice_number,
                unusual,
                owed_change,
                credit_change,
            ]
        ))
        .and_then(|d: Bound<'py, PyDict>| {
            let allocs = PyList::empty(py);
            for a in self.inner.allocations.iter() {
                allocs.append(PyAllocation::new(a, self.currency).to_dict(py)?)?;
            }
            d.set_item("allocations", allocs)?;
            Ok(d)
        })
    }
}

#[pymethods]
impl PyEntry {
    /// Reads a persisted record (the JSON line of `to_record()`).
    #[staticmethod]
    fn from_record(record: &str) -> PyResult<PyEntry> {
        let entry = Entry::from_record(record).map_err(errors::core)?;
        let currency = match &entry.kind {
            EntryKind::AccountOpened(o) => Some(o.currency),
            _ => None,
        };
        Ok(PyEntry::new(entry, currency))
    }

    /// The entry as its persisted record: one line of versioned JSON (decimal strings).
    fn to_record(&self) -> String {
        self.inner.to_record()
    }

    /// Position in the account's ledger, from 1; invoices are numbered by it.
    #[getter]
    fn seq(&self, _py: Python<'_>) -> PyResult<u64> {
        Ok(self.inner.seq)
    }
    #[getter]
    fn op_id(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.op_id.to_string())
    }
    #[getter]
    fn at(&self, _py: Python<'_>) -> PyResult<DateTime<Utc>> {
        Ok(self.inner.at)
    }
    /// The store-local business date.
    #[getter]
    fn date(&self, _py: Python<'_>) -> PyResult<NaiveDate> {
        Ok(self.inner.date)
    }
    #[getter]
    fn actor(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.inner.actor.as_ref().map(|a| a.to_string()))
    }
    /// The entry's type as a word: `"charge"`, `"payment"`, `"refund_to_credit"`...
    #[getter]
    fn kind(&self, _py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.inner.kind.entry_type().as_str())
    }
    #[getter]
    fn amount(&self, _py: Python<'_>) -> PyResult<Option<Decimal>> {
        Ok(self.inner.kind.amount())
    }
    /// What a person reads next to it: the sale, the payment reference, the reason.
    #[getter]
    fn reference(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.inner.kind.reference().map(str::to_string))
    }
    #[getter]
    fn sale(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.inner.kind.sale().map(str::to_string))
    }
    /// The due date of the invoice this entry opens (a charge, a debit adjustment).
    #[getter]
    fn due_date(&self, _py: Python<'_>) -> PyResult<Option<NaiveDate>> {
        Ok(self.inner.kind.opens_invoice().map(|(_, d)| d))
    }
    /// The invoice this entry opens (its own number) or writes off.
    #[getter]
    fn invoice(&self, _py: Python<'_>) -> PyResult<Option<u64>> {
        Ok(self.inner.invoice())
    }
    /// The entry a reversal undid.
    #[getter]
    fn reverses(&self, _py: Python<'_>) -> PyResult<Option<u64>> {
        Ok(self.inner.kind.reverses())
    }
    /// The reason of a manager's override that let a charge through.
    #[getter]
    fn override_reason(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.inner.kind.override_reason().map(str::to_string))
    }
    /// The host's own invoice number given at charge time, if any.
    #[getter]
    fn invoice_number(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.inner.kind.invoice_number().map(str::to_string))
    }
    /// What was unusual about a payment confirmed online (`"amount_differs"`, `"link_expired"`,
    /// `"link_cancelled"`, `"link_already_paid"`, `"link_unknown"`); empty for any other entry.
    #[getter]
    fn unusual<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.kind.unusual().iter().map(|u| u.as_str()))
    }
    /// A refund without the original sale.
    #[getter]
    fn receipt_less(&self, _py: Python<'_>) -> PyResult<bool> {
        Ok(matches!(
            self.inner.kind,
            EntryKind::RefundToCredit {
                receipt_less: true,
                ..
            }
        ))
    }
    #[getter]
    fn allocations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        allocations(py, self.inner.allocations.iter().copied(), self.currency)
    }
    /// Change of the balance owed.
    #[getter]
    fn owed_change(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(scaled(self.currency, self.effect()?.owed))
    }
    /// Change of the credit balance.
    #[getter]
    fn credit_change(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(scaled(self.currency, self.effect()?.credit))
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.dict(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::some(
            "Entry",
            &self.dict(py)?,
            &["seq", "kind", "date", "amount", "reference", "op_id"],
        )
    }
}

/// An entry of an account's activity, with the balances right after it.
#[pyclass(frozen, extends = PyEntry, module = "creditbook", name = "ActivityLine")]
pub struct PyActivityLine {
    owed_after: Decimal,
    credit_after: Decimal,
    link_status: Option<&'static str>,
}

impl PyActivityLine {
    pub fn create(
        py: Python<'_>,
        line: figures::ActivityLine,
        currency: Currency,
    ) -> PyResult<Bound<'_, PyActivityLine>> {
        let init = PyClassInitializer::from(PyEntry::new(line.entry, Some(currency))).add_subclass(
            PyActivityLine {
                owed_after: line.owed_after,
                credit_after: line.credit_after,
                link_status: line.link_status.map(|s| s.as_str()),
            },
        );
        Bound::new(py, init)
    }
}

#[pymethods]
impl PyActivityLine {
    /// Balance owed after the entry.
    #[getter]
    fn owed_after(&self) -> Decimal {
        self.owed_after
    }
    /// Credit balance after the entry.
    #[getter]
    fn credit_after(&self) -> Decimal {
        self.credit_after
    }
    /// For a payment link: `"pending"`, `"paid"`, `"cancelled"` or `"expired"` at the end of the
    /// activity's last day; `None` for any other entry.
    #[getter]
    fn link_status(&self) -> Option<&'static str> {
        self.link_status
    }
    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let d = slf.as_super().get().dict(py)?;
        d.set_item("owed_after", slf.get().owed_after)?;
        d.set_item("credit_after", slf.get().credit_after)?;
        d.set_item("link_status", slf.get().link_status)?;
        Ok(d)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let d = Self::to_dict(slf)?;
        Repr::some(
            "ActivityLine",
            &d,
            &[
                "seq",
                "kind",
                "date",
                "amount",
                "reference",
                "owed_after",
                "credit_after",
            ],
        )
    }
}

// ---- Outcome, Charge, Payment ----

/// What an operation recorded (or, when `replayed`, had recorded the first time).
#[pyclass(frozen, subclass, module = "creditbook", name = "Outcome")]
pub struct PyOutcome {
    pub inner: Outcome,
    pub currency: Currency,
}

impl PyOutcome {
    fn effect(&self) -> PyResult<creditbook::Effect> {
        self.inner.effect().map_err(errors::core)
    }

    fn dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = fields!(py, self, [account, replayed, owed_change, credit_change]);
        let allocs = PyList::empty(py);
        for a in self.inner.allocations() {
            allocs.append(PyAllocation::new(&a, Some(self.currency)).to_dict(py)?)?;
        }
        d.set_item("allocations", allocs)?;
        let entries = PyList::empty(py);
        for e in &self.inner.entries {
            entries.append(PyEntry::new(e.clone(), Some(self.currency)).dict(py)?)?;
        }
        d.set_item("entries", entries)?;
        Ok(d)
    }

    /// Makes the outcome object of an operation: `Charge`, `Payment` or `Outcome`.
    pub fn create(
        py: Python<'_>,
        inner: Outcome,
        currency: Currency,
        kind: OutcomeKind,
    ) -> PyResult<Bound<'_, PyAny>> {
        let base = PyClassInitializer::from(PyOutcome { inner, currency });
        Ok(match kind {
            OutcomeKind::Plain => Bound::new(py, base)?.into_any(),
            OutcomeKind::Charge => Bound::new(py, base.add_subclass(PyCharge {}))?.into_any(),
            OutcomeKind::Payment => Bound::new(py, base.add_subclass(PyPayment {}))?.into_any(),
        })
    }
}

/// Which class an operation's outcome is.
pub enum OutcomeKind {
    Plain,
    Charge,
    Payment,
}

#[pymethods]
impl PyOutcome {
    #[getter]
    fn account(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.account.to_string())
    }
    /// True when the operation id had been used with the same content: nothing new was recorded.
    #[getter]
    fn replayed(&self, _py: Python<'_>) -> PyResult<bool> {
        Ok(self.inner.replayed)
    }
    /// The entries of the operation, in order (usually one).
    #[getter]
    fn entries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.inner
                .entries
                .iter()
                .map(|e| PyEntry::new(e.clone(), Some(self.currency))),
        )
    }
    /// The operation's first entry.
    #[getter]
    fn entry(&self) -> PyEntry {
        PyEntry::new(self.inner.entry().clone(), Some(self.currency))
    }
    /// Every allocation to invoices the operation made, in order.
    #[getter]
    fn allocations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        allocations(
            py,
            self.inner.allocations().into_iter(),
            Some(self.currency),
        )
    }
    /// Net change of the balance owed.
    #[getter]
    fn owed_change(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(scaled(Some(self.currency), self.effect()?.owed))
    }
    /// Net change of the credit balance.
    #[getter]
    fn credit_change(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(scaled(Some(self.currency), self.effect()?.credit))
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.dict(py)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::some(
            "Outcome",
            &self.dict(py)?,
            &["account", "replayed", "owed_change", "credit_change"],
        )
    }
}

/// A charge and a payment always record an entry of their kind first; anything else is a bug.
fn not_a_charge() -> PyErr {
    errors::InternalError::new_err("a charge's outcome without an invoice")
}

fn entry_amount(o: &PyOutcome) -> PyResult<Decimal> {
    o.inner
        .entry()
        .kind
        .amount()
        .ok_or_else(|| errors::InternalError::new_err("an operation's entry without an amount"))
}

/// A charge's outcome: the invoice it opened and its due date.
#[pyclass(frozen, extends = PyOutcome, module = "creditbook", name = "Charge")]
pub struct PyCharge {}

#[pymethods]
impl PyCharge {
    /// The invoice the charge opened (its entry number).
    #[getter]
    fn invoice_id(slf: &Bound<'_, Self>) -> PyResult<u64> {
        slf.as_super()
            .get()
            .inner
            .invoice()
            .ok_or_else(not_a_charge)
    }
    /// The invoice's due date.
    #[getter]
    fn due_date(slf: &Bound<'_, Self>) -> PyResult<NaiveDate> {
        slf.as_super()
            .get()
            .inner
            .due_date()
            .ok_or_else(not_a_charge)
    }
    /// The amount charged.
    #[getter]
    fn amount(slf: &Bound<'_, Self>) -> PyResult<Decimal> {
        entry_amount(slf.as_super().get())
    }
    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let d = slf.as_super().get().dict(slf.py())?;
        d.set_item("invoice_id", Self::invoice_id(slf)?)?;
        d.set_item("due_date", Self::due_date(slf)?)?;
        d.set_item("amount", Self::amount(slf)?)?;
        Ok(d)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Repr::some(
            "Charge",
            &Self::to_dict(slf)?,
            &["account", "invoice_id", "amount", "due_date", "replayed"],
        )
    }
}

/// A payment's outcome: its allocations and the credit kept from any excess.
#[pyclass(frozen, extends = PyOutcome, module = "creditbook", name = "Payment")]
pub struct PyPayment {}

#[pymethods]
impl PyPayment {
    /// The amount received.
    #[getter]
    fn amount(slf: &Bound<'_, Self>) -> PyResult<Decimal> {
        entry_amount(slf.as_super().get())
    }
    /// The store credit the payment created (what was left after the invoices).
    #[getter]
    fn credit(slf: &Bound<'_, Self>) -> PyResult<Decimal> {
        let o = slf.as_super().get();
        Ok(scaled(Some(o.currency), o.effect()?.credit))
    }
    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let d = slf.as_super().get().dict(slf.py())?;
        d.set_item("amount", Self::amount(slf)?)?;
        d.set_item("credit", Self::credit(slf)?)?;
        Ok(d)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Repr::some(
            "Payment",
            &Self::to_dict(slf)?,
            &["account", "amount", "allocations", "credit", "replayed"],
        )
    }
}

// ---- AccountSummary ----

/// An account's figures on a date.
#[pyclass(frozen, module = "creditbook", name = "AccountSummary")]
pub struct PyAccountSummary {
    pub inner: figures::AccountSummary,
}

#[pymethods]
impl PyAccountSummary {
    #[getter]
    fn account_id(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.account_id.to_string())
    }
    #[getter]
    fn customer(&self, _py: Python<'_>) -> PyResult<PyCustomer> {
        Ok(PyCustomer {
            inner: self.inner.customer.clone(),
        })
    }
    #[getter]
    fn customer_name(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.customer.name.clone())
    }
    /// The old name of `standing` (deprecated: a `DeprecationWarning`; in Rust and C the status
    /// is the account's status, `account_status` here).
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::book::deprecated(py, "AccountSummary.status is deprecated: use .standing")?;
        standing(py, self.inner.standing)
    }
    /// Where the account stands: `Standing.SETTLED`, `OUTSTANDING` or `OVERDUE` (equal to the
    /// strings `"settled"`, `"outstanding"`, `"overdue"`).
    #[getter]
    fn standing<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        standing(py, self.inner.standing)
    }
    /// Whether the account takes new activity: `"active"`, `"on_hold"` or `"archived"`.
    #[getter]
    fn account_status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        account_status(py, self.inner.status)
    }
    #[getter]
    fn currency(&self, _py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.inner.currency.code())
    }
    /// The credit limit; `None` when unlimited.
    #[getter]
    fn credit_limit(&self, _py: Python<'_>) -> PyResult<Option<Decimal>> {
        Ok(self
            .inner
            .credit_limit
            .amount()
            .map(|a| scaled(Some(self.inner.currency), a)))
    }
    #[getter]
    fn balance_owed(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.balance_owed)
    }
    #[getter]
    fn credit_balance(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.credit_balance)
    }
    /// Credit limit less balance owed, never below 0; `None` when unlimited.
    #[getter]
    fn available(&self, _py: Python<'_>) -> PyResult<Option<Decimal>> {
        Ok(self.inner.available)
    }
    #[getter]
    fn overdue(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.overdue)
    }
    /// The number of open invoices.
    #[getter]
    fn open_invoices(&self, _py: Python<'_>) -> PyResult<usize> {
        Ok(self.inner.open_invoices)
    }
    #[getter]
    fn as_of(&self, _py: Python<'_>) -> PyResult<NaiveDate> {
        Ok(self.inner.as_of)
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = fields!(
            py,
            self,
            [
                account_id,
                customer_name,
                standing,
                account_status,
                currency,
                credit_limit,
                balance_owed,
                credit_balance,
                available,
                overdue,
                open_invoices,
                as_of,
            ]
        );
        d.set_item("customer", customer_dict(py, &self.inner.customer)?)?;
        // The old key of `standing`, kept through 0.2 (deprecated with `.status`).
        d.set_item("status", standing(py, self.inner.standing)?)?;
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::some(
            "AccountSummary",
            &self.to_dict(py)?,
            &[
                "account_id",
                "customer_name",
                "standing",
                "balance_owed",
                "credit_balance",
                "available",
                "overdue",
                "as_of",
            ],
        )
    }
}

// ---- OpenInvoice ----

/// An open invoice on a date.
#[pyclass(frozen, module = "creditbook", name = "OpenInvoice")]
pub struct PyOpenInvoice {
    pub inner: figures::OpenInvoice,
}

#[pymethods]
impl PyOpenInvoice {
    #[getter]
    fn id(&self, _py: Python<'_>) -> PyResult<u64> {
        Ok(self.inner.id)
    }
    #[getter]
    fn sale(&self, _py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.inner.sale.as_ref().map(|s| s.to_string()))
    }
    #[getter]
    fn date(&self, _py: Python<'_>) -> PyResult<NaiveDate> {
        Ok(self.inner.date)
    }
    #[getter]
    fn due_date(&self, _py: Python<'_>) -> PyResult<NaiveDate> {
        Ok(self.inner.due_date)
    }
    #[getter]
    fn amount(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.amount)
    }
    #[getter]
    fn remaining(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.remaining)
    }
    /// Days past the due date (0 or less: not yet overdue).
    #[getter]
    fn days_past_due(&self, _py: Python<'_>) -> PyResult<i64> {
        Ok(self.inner.days_past_due)
    }
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(fields!(
            py,
            self,
            [id, sale, date, due_date, amount, remaining, days_past_due]
        ))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::dict(py, "OpenInvoice", &self.to_dict(py)?)
    }
}

// ---- Aging ----

/// One aging bucket: a label (`current`, `1-30`, `over 90`), its day range and its amount.
#[pyclass(frozen, module = "creditbook", name = "AgingBucket")]
pub struct PyAgingBucket {
    pub inner: figures::AgingBucket,
}

#[pymethods]
impl PyAgingBucket {
    #[getter]
    fn label(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.range.label())
    }
    /// First day past due it holds (`None` for current).
    #[getter]
    fn min_days(&self, _py: Python<'_>) -> PyResult<Option<u32>> {
        Ok(match self.inner.range {
            figures::AgeRange::Current => None,
            figures::AgeRange::Between { from, .. } => Some(from),
            figures::AgeRange::Over { days } => Some(days + 1),
        })
    }
    /// Last day past due it holds (`None` for current and the last bucket).
    #[getter]
    fn max_days(&self, _py: Python<'_>) -> PyResult<Option<u32>> {
        Ok(match self.inner.range {
            figures::AgeRange::Between { to, .. } => Some(to),
            _ => None,
        })
    }
    #[getter]
    fn amount(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.amount)
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(fields!(py, self, [label, min_days, max_days, amount]))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::dict(py, "AgingBucket", &self.to_dict(py)?)
    }
}

/// The balance owed by days past due; the buckets sum to the balance owed.
#[pyclass(frozen, module = "creditbook", name = "Aging")]
pub struct PyAging {
    pub inner: figures::Aging,
}

/// Aging amounts by bucket label, current first.
pub fn aging_amounts<'py>(py: Python<'py>, a: &figures::Aging) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for b in &a.buckets {
        d.set_item(b.range.label(), b.amount)?;
    }
    Ok(d)
}

#[pymethods]
impl PyAging {
    #[getter]
    fn as_of(&self, _py: Python<'_>) -> PyResult<NaiveDate> {
        Ok(self.inner.as_of)
    }
    /// The buckets, current first, oldest last.
    #[getter]
    fn buckets<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.inner
                .buckets
                .iter()
                .map(|b| PyAgingBucket { inner: b.clone() }),
        )
    }
    /// The amounts by label (`{"current": ..., "1-30": ..., "over 90": ...}`).
    #[getter]
    fn amounts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        aging_amounts(py, &self.inner)
    }
    /// The sum of the buckets (the balance owed).
    #[getter]
    fn total(&self, _py: Python<'_>) -> PyResult<Decimal> {
        self.inner.total().map_err(errors::core)
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(fields!(py, self, [as_of, amounts, total]))
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::dict(py, "Aging", &self.to_dict(py)?)
    }
}
