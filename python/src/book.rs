//! `Book`: one store's accounts. Each method converts its arguments, calls the core `Book` with
//! the GIL released (through [`errors::enter`]) and wraps the result; no rule lives here.

use chrono::NaiveDate;
use creditbook::{
    AccountStatus, AccountsQuery, ActivityQuery, Book, Charge, Command, CreditLimit, Currency,
    Customer, Direction, EntryType, Error, LinkPurpose, Message, OnlinePaymentConfirmation,
    OpenAccount, Operation, Payment, Sent, SortKey, Standing, StatementRequest, Store,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyList;
use smol_str::SmolStr;

use crate::convert;
use crate::errors::{self, PortCauses};
use crate::outreach::{
    PyAutomation, PyConfirmed, PyMessage, PyPaymentLink, PyReminderDue, PySendResult, PySent,
};
use crate::ports::{PyMailer, PyProvider};
use crate::results::{
    OutcomeKind, PyAccountSummary, PyActivityLine, PyAging, PyEntry, PyOpenInvoice, PyOutcome,
};
use crate::settings::{PyActor, PyPaymentTerms, PyPostalAddress, PyStoreSettings};
use crate::statement::PyStatement;
use crate::store::PyStore;

/// One store's customer accounts, on the embedded in-memory store, a `SqliteStore`, a
/// `PostgresStore` or a Python store port.
/// Safe to share between threads.
#[pyclass(frozen, module = "creditbook", name = "Book")]
pub struct PyBook {
    book: Book<Box<dyn Store>>,
    settings: Py<PyStoreSettings>,
    store: Option<Py<PyAny>>,
    mailer: Option<Py<PyAny>>,
    payments: Option<Py<PyAny>>,
}

impl PyBook {
    fn currency(&self) -> Currency {
        self.book.settings().currency
    }

    /// [`errors::enter`] on this book: a refusal carries the store's settings, so that
    /// `localized()` speaks the store's languages and prints its currency.
    fn enter<T, F>(&self, py: Python<'_>, f: F) -> PyResult<T>
    where
        F: FnOnce() -> Result<T, Error> + Send,
        T: Send,
    {
        errors::enter(py, f).map_err(|e| self.with_store(py, e))
    }

    /// [`errors::enter_with_causes`] on this book (see [`PyBook::enter`]).
    fn enter_with_causes<T, F>(&self, py: Python<'_>, f: F) -> PyResult<(T, PortCauses)>
    where
        F: FnOnce() -> Result<T, Error> + Send,
        T: Send,
    {
        errors::enter_with_causes(py, f).map_err(|e| self.with_store(py, e))
    }

    fn with_store(&self, py: Python<'_>, e: PyErr) -> PyErr {
        let settings = crate::settings::PyStoreSettings {
            inner: self.book.settings().clone(),
        };
        if let Ok(held) = Py::new(py, settings) {
            let _ = e.value(py).setattr("_settings", held);
        }
        e
    }

    fn today(&self) -> NaiveDate {
        self.book.settings().local_date(crate::convert::now())
    }

    fn as_of(&self, as_of: Option<&Bound<'_, PyAny>>) -> PyResult<NaiveDate> {
        Ok(convert::opt_date("as_of", as_of)?.unwrap_or_else(|| self.today()))
    }

    /// Runs a command and wraps its outcome.
    fn run<'py>(
        &self,
        py: Python<'py>,
        account: &str,
        op: Operation,
        command: Command,
        kind: OutcomeKind,
    ) -> PyResult<Bound<'py, PyAny>> {
        let outcome = self.enter(py, || self.book.execute(account, &op, &command))?;
        PyOutcome::create(py, outcome, self.currency(), kind)
    }
}

/// The envelope of an operation: its id, its instant and who acted.
fn operation(
    op_id: &Bound<'_, PyAny>,
    at: &Bound<'_, PyAny>,
    actor: Option<PyRef<'_, PyActor>>,
) -> PyResult<Operation> {
    let mut op = Operation::new(
        SmolStr::new(convert::text("op_id", op_id)?),
        convert::instant("at", at)?,
    );
    if let Some(a) = actor {
        op = op.by(a.inner.clone());
    }
    Ok(op)
}

fn opt_text(name: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(convert::text(name, o)?)),
        _ => Ok(None),
    }
}

fn invoice_ids(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<u64>> {
    let mut ids = Vec::new();
    if let Some(o) = obj.filter(|o| !o.is_none()) {
        for item in o.try_iter()? {
            ids.push(convert::count("invoice", &item?)?);
        }
    }
    Ok(ids)
}

#[allow(clippy::too_many_arguments)]
fn customer(
    account: &str,
    customer_name: &Bound<'_, PyAny>,
    customer_id: Option<&Bound<'_, PyAny>>,
    email: Option<&Bound<'_, PyAny>>,
    language: Option<&Bound<'_, PyAny>>,
    address: Option<PyRef<'_, PyPostalAddress>>,
) -> PyResult<Customer> {
    let name = convert::text("customer_name", customer_name)?;
    let mut c = match opt_text("customer_id", customer_id)? {
        Some(id) => Customer::new(id, name),
        None => Customer::of_account(account, name),
    };
    c.email = opt_text("email", email)?;
    c.language = opt_text("language", language)?.map(SmolStr::new);
    if let Some(a) = address {
        c.address = a.inner.clone();
    }
    Ok(c)
}

/// The Book's store for a `store=` argument: a native store (`SqliteStore`, `PostgresStore`),
/// whose calls stay in Rust, or any Python object with the port's methods.
pub(crate) fn native_or_port(store: &Bound<'_, PyAny>) -> PyResult<Box<dyn Store>> {
    #[cfg(feature = "sqlite")]
    if let Ok(native) = store.cast::<crate::sqlite::PySqliteStore>() {
        return Ok(Box::new(native.get().shared()));
    }
    #[cfg(feature = "postgres")]
    if let Ok(native) = store.cast::<crate::postgres::PyPostgresStore>() {
        return Ok(Box::new(native.get().shared()));
    }
    Ok(Box::new(PyStore::new(store)?))
}

/// A `credit_limit` argument of `open_account`: omitted (the store's default), or given (`None`:
/// unlimited, a Decimal: that amount).
pub enum LimitArg<'py> {
    /// Not passed.
    Omitted,
    /// Passed, `None` included.
    Given(Bound<'py, PyAny>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for LimitArg<'py> {
    type Error = PyErr;
    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(LimitArg::Given(obj.to_owned()))
    }
}

pub(crate) fn credit_limit(obj: Option<&Bound<'_, PyAny>>) -> PyResult<CreditLimit> {
    match obj {
        Some(o) if !o.is_none() => Ok(CreditLimit::Amount(convert::decimal("credit_limit", o)?)),
        _ => Ok(CreditLimit::Unlimited),
    }
}

fn parse_word<T: Word>(field: &'static str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<T>> {
    let Some(text) = opt_text(field, obj)? else {
        return Ok(None);
    };
    match T::ALL.iter().find(|v| v.word() == text) {
        Some(v) => Ok(Some(*v)),
        None => Err(errors::core(Error::InvalidInput {
            field,
            reason: format!(
                "{text:?} is not one of {}",
                T::ALL
                    .iter()
                    .map(|v| v.word())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })),
    }
}

#[allow(clippy::too_many_arguments)]
fn statement_request(
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    statement_date: Option<&Bound<'_, PyAny>>,
    due_date: Option<&Bound<'_, PyAny>>,
    amount_due: Option<&Bound<'_, PyAny>>,
    language: Option<&Bound<'_, PyAny>>,
    number: Option<&Bound<'_, PyAny>>,
) -> PyResult<StatementRequest> {
    let mut request =
        StatementRequest::new(convert::date("start", start)?, convert::date("end", end)?);
    request.statement_date = convert::opt_date("statement_date", statement_date)?;
    request.due_date = convert::opt_date("due_date", due_date)?;
    request.amount_due = match amount_due.filter(|a| !a.is_none()) {
        Some(a) => Some(convert::decimal("amount_due", a)?),
        None => None,
    };
    request.language = opt_text("language", language)?;
    request.number = opt_text("number", number)?;
    Ok(request)
}

/// Warns that a name is deprecated (`DeprecationWarning`, pointing at the caller).
pub(crate) fn deprecated(py: Python<'_>, message: &str) -> PyResult<()> {
    PyErr::warn(
        py,
        &py.get_type::<pyo3::exceptions::PyDeprecationWarning>(),
        &std::ffi::CString::new(message).unwrap_or_default(),
        1,
    )
}

/// A word of one of the core's vocabularies (its `ALL` list and `as_str`), as Python passes it.
trait Word: Copy + 'static {
    const ALL: &'static [Self];
    fn word(self) -> &'static str;
}

macro_rules! words {
    ($($t:ty),*) => {
        $(impl Word for $t {
            const ALL: &'static [Self] = &<$t>::ALL;
            fn word(self) -> &'static str {
                self.as_str()
            }
        })*
    };
}
words!(Standing, AccountStatus, SortKey, Direction);

#[pymethods]
impl PyBook {
    /// A Book on the embedded in-memory store, or on `store`: a `SqliteStore`, a `PostgresStore`,
    /// or any object
    /// with `load`, `append` and `account_ids` (see `StorePort` in the stubs). `mailer`: any object with
    /// `send(message) -> str` (the delivery id); `payments`: any object with
    /// `create_link(request) -> str` (the URL).
    #[new]
    #[pyo3(signature = (settings, *, store = None, mailer = None, payments = None))]
    fn new(
        settings: Bound<'_, PyStoreSettings>,
        store: Option<&Bound<'_, PyAny>>,
        mailer: Option<&Bound<'_, PyAny>>,
        payments: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mailer = mailer.filter(|m| !m.is_none());
        let payments = payments.filter(|p| !p.is_none());
        let py_mailer = mailer.map(PyMailer::new).transpose()?;
        let py_provider = payments.map(PyProvider::new).transpose()?;
        let s = settings.get().inner.clone();
        let (book, port): (Book<Box<dyn Store>>, _) = match store.filter(|s| !s.is_none()) {
            None => (
                Book::with_store(s, Box::new(creditbook::MemoryStore::new())),
                None,
            ),
            Some(port) => (
                Book::with_store(s, native_or_port(port)?),
                Some(port.clone().unbind()),
            ),
        };
        let book = match py_mailer {
            Some(m) => book.with_mailer(m),
            None => book,
        };
        let book = match py_provider {
            Some(p) => book.with_payment_provider(p),
            None => book,
        };
        Ok(PyBook {
            book,
            settings: settings.unbind(),
            store: port,
            mailer: mailer.map(|m| m.clone().unbind()),
            payments: payments.map(|p| p.clone().unbind()),
        })
    }

    /// The store's settings.
    #[getter]
    fn settings(&self, py: Python<'_>) -> Py<PyStoreSettings> {
        self.settings.clone_ref(py)
    }

    /// The store given (a `SqliteStore`, a `PostgresStore` or a Python store port), or `None` on
    /// the embedded store.
    #[getter]
    fn store(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.store.as_ref().map(|s| s.clone_ref(py))
    }

    /// The Python mailer, or `None`.
    #[getter]
    fn mailer(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.mailer.as_ref().map(|s| s.clone_ref(py))
    }

    /// The Python payment provider, or `None`.
    #[getter]
    fn payments(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.payments.as_ref().map(|s| s.clone_ref(py))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let _ = py; // used only to tell a native store (features `sqlite`, `postgres`) from a port
        format!(
            "Book(store={:?}, currency={:?}, port={})",
            self.book.settings().name,
            self.currency().code(),
            match &self.store {
                None => "memory",
                #[cfg(feature = "sqlite")]
                Some(s) if s.bind(py).is_instance_of::<crate::sqlite::PySqliteStore>() => "sqlite",
                #[cfg(feature = "postgres")]
                Some(s)
                    if s.bind(py)
                        .is_instance_of::<crate::postgres::PyPostgresStore>() =>
                {
                    "postgres"
                }
                Some(_) => "python",
            }
        )
    }

    // ---- operations ----

    /// Opens an account. `credit_limit` omitted: the store's default limit (no permission
    /// needed); `None`: unlimited; `0`: no credit (deposits only). Any limit but 0 needs an
    /// `actor` granted `credit_limit`.
    #[pyo3(signature = (account, *, customer_name, at, op_id, customer_id = None, email = None,
        language = None, address = None, credit_limit = LimitArg::Omitted, terms = None,
        actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn open_account<'py>(
        &self,
        py: Python<'py>,
        account: String,
        customer_name: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        customer_id: Option<&Bound<'py, PyAny>>,
        email: Option<&Bound<'py, PyAny>>,
        language: Option<&Bound<'py, PyAny>>,
        address: Option<PyRef<'py, PyPostalAddress>>,
        credit_limit: LimitArg<'py>,
        terms: Option<PyRef<'py, PyPaymentTerms>>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let credit_limit = match &credit_limit {
            LimitArg::Omitted => None,
            LimitArg::Given(o) => Some(self::credit_limit(Some(o))?),
        };
        let command = Command::OpenAccount(OpenAccount {
            customer: customer(
                &account,
                customer_name,
                customer_id,
                email,
                language,
                address,
            )?,
            credit_limit,
            terms: terms.map(|t| t.inner),
        });
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Replaces the customer's contact details (`customer_id` defaults to the account id).
    #[pyo3(signature = (account, *, customer_name, at, op_id, customer_id = None, email = None,
        language = None, address = None, actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn update_contact<'py>(
        &self,
        py: Python<'py>,
        account: String,
        customer_name: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        customer_id: Option<&Bound<'py, PyAny>>,
        email: Option<&Bound<'py, PyAny>>,
        language: Option<&Bound<'py, PyAny>>,
        address: Option<PyRef<'py, PyPostalAddress>>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = customer(
            &account,
            customer_name,
            customer_id,
            email,
            language,
            address,
        )?;
        let op = operation(op_id, at, actor)?;
        self.run(
            py,
            &account,
            op,
            Command::UpdateContact(c),
            OutcomeKind::Plain,
        )
    }

    /// Changes the credit limit (`None`: unlimited); needs `credit_limit`.
    #[pyo3(signature = (account, limit, *, at, op_id, actor = None))]
    fn set_credit_limit<'py>(
        &self,
        py: Python<'py>,
        account: String,
        limit: Option<&Bound<'py, PyAny>>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::SetCreditLimit(credit_limit(limit)?);
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Changes the account's payment terms (`None`: the store's); needs `credit_limit`.
    #[pyo3(signature = (account, terms, *, at, op_id, actor = None))]
    fn set_terms<'py>(
        &self,
        py: Python<'py>,
        account: String,
        terms: Option<PyRef<'py, PyPaymentTerms>>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::SetTerms(terms.map(|t| t.inner));
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Puts the account on hold: no new charges.
    #[pyo3(signature = (account, *, at, op_id, reason = None, actor = None))]
    fn hold<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        reason: Option<&Bound<'py, PyAny>>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::Hold {
            reason: opt_text("reason", reason)?,
        };
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Releases a hold.
    #[pyo3(signature = (account, *, at, op_id, actor = None))]
    fn release<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, Command::Release, OutcomeKind::Plain)
    }

    /// Archives the account (needs `archive_account`); balances are kept.
    #[pyo3(signature = (account, *, at, op_id, actor = None))]
    fn archive<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, Command::Archive, OutcomeKind::Plain)
    }

    /// Reactivates an archived account (needs `archive_account`).
    #[pyo3(signature = (account, *, at, op_id, actor = None))]
    fn reactivate<'py>(
        &self,
        py: Python<'py>,
        account: String,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, Command::Reactivate, OutcomeKind::Plain)
    }

    /// Charges a sale to the account; returns the invoice it opened. `invoice_number`: the
    /// host's own number for the invoice (unique within the account).
    #[pyo3(signature = (account, amount, *, at, op_id, sale = None, due_date = None,
        override_reason = None, actor = None, invoice_number = None))]
    #[allow(clippy::too_many_arguments)]
    fn charge<'py>(
        &self,
        py: Python<'py>,
        account: String,
        amount: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        sale: Option<&Bound<'py, PyAny>>,
        due_date: Option<&Bound<'py, PyAny>>,
        override_reason: Option<&Bound<'py, PyAny>>,
        actor: Option<PyRef<'py, PyActor>>,
        invoice_number: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut charge = Charge::new(convert::money("amount", amount, self.currency())?);
        charge.sale = opt_text("sale", sale)?.map(SmolStr::new);
        charge.invoice_number = opt_text("invoice_number", invoice_number)?.map(SmolStr::new);
        charge.due_date = convert::opt_date("due_date", due_date)?;
        charge.override_reason = opt_text("override_reason", override_reason)?;
        let op = operation(op_id, at, actor)?;
        self.run(
            py,
            &account,
            op,
            Command::Charge(charge),
            OutcomeKind::Charge,
        )
    }

    /// How much of `sale_due` the account can take now (`at`: now when `None`). Refuses like a
    /// charge would (on hold, archived, credit hold).
    #[pyo3(signature = (account, sale_due, *, at = None))]
    fn max_charge(
        &self,
        py: Python<'_>,
        account: String,
        sale_due: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<rust_decimal::Decimal> {
        let due = convert::money("sale_due", sale_due, self.currency())?;
        let at = convert::instant_or_now("at", at)?;
        self.enter(py, || self.book.max_charge(&account, due, at))
    }

    /// Records a payment, allocated oldest due date first or to `invoices` in order; any excess
    /// becomes store credit.
    #[pyo3(signature = (account, amount, *, at, op_id, invoices = None, reference = None,
        actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn pay<'py>(
        &self,
        py: Python<'py>,
        account: String,
        amount: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        invoices: Option<&Bound<'py, PyAny>>,
        reference: Option<&Bound<'py, PyAny>>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut payment = Payment::new(convert::money("amount", amount, self.currency())?);
        payment.invoices = invoice_ids(invoices)?;
        payment.reference = opt_text("reference", reference)?.map(SmolStr::new);
        let op = operation(op_id, at, actor)?;
        self.run(
            py,
            &account,
            op,
            Command::Payment(payment),
            OutcomeKind::Payment,
        )
    }

    /// Records a deposit: money received in advance becomes store credit.
    #[pyo3(signature = (account, amount, *, at, op_id, reference = None, actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn deposit<'py>(
        &self,
        py: Python<'py>,
        account: String,
        amount: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        reference: Option<&Bound<'py, PyAny>>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::Deposit {
            amount: convert::money("amount", amount, self.currency())?,
            reference: opt_text("reference", reference)?.map(SmolStr::new),
        };
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Uses store credit as tender on a sale.
    #[pyo3(signature = (account, amount, *, at, op_id, sale = None, actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn use_credit<'py>(
        &self,
        py: Python<'py>,
        account: String,
        amount: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        sale: Option<&Bound<'py, PyAny>>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::UseCredit {
            amount: convert::money("amount", amount, self.currency())?,
            sale: opt_text("sale", sale)?.map(SmolStr::new),
        };
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Applies store credit to open invoices (`invoices` in order, else oldest due first).
    #[pyo3(signature = (account, amount, *, at, op_id, invoices = None, actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn apply_credit<'py>(
        &self,
        py: Python<'py>,
        account: String,
        amount: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        invoices: Option<&Bound<'py, PyAny>>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::ApplyCredit {
            amount: convert::money("amount", amount, self.currency())?,
            invoices: invoice_ids(invoices)?,
        };
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Refunds a sale as store credit (needs `credit_account_refund`). `sale=None` is a refund
    /// without receipt; `sale_total` declares what was paid for a sale paid otherwise.
    #[pyo3(signature = (account, amount, *, at, op_id, sale = None, sale_total = None,
        actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn refund_to_credit<'py>(
        &self,
        py: Python<'py>,
        account: String,
        amount: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        sale: Option<&Bound<'py, PyAny>>,
        sale_total: Option<&Bound<'py, PyAny>>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cur = self.currency();
        let command = Command::RefundToCredit {
            amount: convert::money("amount", amount, cur)?,
            sale: opt_text("sale", sale)?.map(SmolStr::new),
            sale_total: convert::opt_money("sale_total", sale_total, cur)?,
        };
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Pays store credit back in cash or to a card.
    #[pyo3(signature = (account, amount, *, at, op_id, method = None, actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn refund_credit<'py>(
        &self,
        py: Python<'py>,
        account: String,
        amount: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        method: Option<&Bound<'py, PyAny>>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::RefundCredit {
            amount: convert::money("amount", amount, self.currency())?,
            method: opt_text("method", method)?.map(SmolStr::new),
        };
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Reverses an entry by number (needs `adjust_balance`).
    #[pyo3(signature = (account, entry, *, reason, at, op_id, actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn reverse<'py>(
        &self,
        py: Python<'py>,
        account: String,
        entry: &Bound<'py, PyAny>,
        reason: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::Reverse {
            entry: convert::count("entry", entry)?,
            reason: convert::text("reason", reason)?,
        };
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Adjusts the balance: `direction="debit"` (more owed) or `"credit"` (less); needs
    /// `adjust_balance`.
    #[pyo3(signature = (account, direction, amount, *, reason, at, op_id, actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn adjust<'py>(
        &self,
        py: Python<'py>,
        account: String,
        direction: &Bound<'py, PyAny>,
        amount: &Bound<'py, PyAny>,
        reason: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // Required: `None` is no direction (it was taken as "debit", moving money the wrong way).
        let direction =
            parse_word::<Direction>("direction", Some(direction))?.ok_or_else(|| {
                PyTypeError::new_err(
                    "direction must be a str (\"debit\" or \"credit\"), not NoneType",
                )
            })?;
        let command = Command::Adjust {
            direction,
            amount: convert::money("amount", amount, self.currency())?,
            reason: convert::text("reason", reason)?,
        };
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    /// Writes off an invoice, or `amount` of it (needs `adjust_balance`).
    #[pyo3(signature = (account, invoice, amount = None, *, reason, at, op_id, actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn write_off<'py>(
        &self,
        py: Python<'py>,
        account: String,
        invoice: &Bound<'py, PyAny>,
        amount: Option<&Bound<'py, PyAny>>,
        reason: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        op_id: &Bound<'py, PyAny>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::WriteOff {
            invoice: convert::count("invoice", invoice)?,
            amount: convert::opt_money("amount", amount, self.currency())?,
            reason: convert::text("reason", reason)?,
        };
        let op = operation(op_id, at, actor)?;
        self.run(py, &account, op, command, OutcomeKind::Plain)
    }

    // ---- reads ----

    /// The account's figures on `as_of` (today in the store's time zone when `None`).
    #[pyo3(signature = (account, as_of = None))]
    fn summary(
        &self,
        py: Python<'_>,
        account: String,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyAccountSummary> {
        let as_of = self.as_of(as_of)?;
        let inner = self.enter(py, || self.book.summary(&account, as_of))?;
        Ok(PyAccountSummary { inner })
    }

    /// The accounts list on `as_of`: filtered by `standing` (settled, outstanding, overdue), by
    /// `account_status` (active, on_hold, archived) and a case-insensitive search in the
    /// customer's name, sorted by `sort`. `status=` is the old name of `standing=` (deprecated:
    /// a `DeprecationWarning`; in Rust and C the status is the account's status).
    #[pyo3(signature = (as_of = None, *, standing = None, account_status = None, search = None,
        sort = None, descending = false, status = None))]
    #[allow(clippy::too_many_arguments)]
    fn accounts<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'py, PyAny>>,
        standing: Option<&Bound<'py, PyAny>>,
        account_status: Option<&Bound<'py, PyAny>>,
        search: Option<&Bound<'py, PyAny>>,
        sort: Option<&Bound<'py, PyAny>>,
        descending: bool,
        status: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let old = status.filter(|s| !s.is_none());
        let standing = match (standing.filter(|s| !s.is_none()), old) {
            (Some(_), Some(_)) => {
                return Err(errors::core(Error::InvalidInput {
                    field: "status",
                    reason: "give `standing` only (`status` is its deprecated name)".into(),
                }))
            }
            (Some(s), None) => parse_word("standing", Some(s))?,
            (None, Some(s)) => {
                deprecated(py, "accounts(status=...) is deprecated: use standing=...")?;
                parse_word("status", Some(s))?
            }
            (None, None) => None,
        };
        let query = AccountsQuery {
            as_of: self.as_of(as_of)?,
            standing,
            status: parse_word("account_status", account_status)?,
            search: opt_text("search", search)?,
            sort: parse_word("sort", sort)?.unwrap_or_default(),
            descending,
        };
        let rows = self.enter(py, || self.book.accounts(&query))?;
        PyList::new(py, rows.into_iter().map(|inner| PyAccountSummary { inner }))
    }

    /// The account's entries dated `start` to `end` (both included, store-local dates), each
    /// with the balances after it; `kinds` keeps only those entry kinds.
    #[pyo3(signature = (account, *, start, end, kinds = None))]
    fn activity<'py>(
        &self,
        py: Python<'py>,
        account: String,
        start: &Bound<'py, PyAny>,
        end: &Bound<'py, PyAny>,
        kinds: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut query =
            ActivityQuery::between(convert::date("start", start)?, convert::date("end", end)?);
        if let Some(k) = kinds.filter(|k| !k.is_none()) {
            for item in k.try_iter()? {
                let name = convert::text("kind", &item?)?;
                query
                    .types
                    .push(EntryType::from_name(&name).map_err(errors::core)?);
            }
        }
        let lines = self.enter(py, || self.book.activity(&account, &query))?;
        let cur = self.currency();
        let out = PyList::empty(py);
        for line in lines {
            out.append(PyActivityLine::create(py, line, cur)?)?;
        }
        Ok(out)
    }

    /// Every entry of the account, in ledger order.
    fn entries<'py>(&self, py: Python<'py>, account: String) -> PyResult<Bound<'py, PyList>> {
        let entries = self.enter(py, || self.book.entries(&account))?;
        let cur = Some(self.currency());
        PyList::new(py, entries.into_iter().map(|e| PyEntry::new(e, cur)))
    }

    /// The open invoices on `as_of`, oldest due first, with days past due.
    #[pyo3(signature = (account, as_of = None))]
    fn open_invoices<'py>(
        &self,
        py: Python<'py>,
        account: String,
        as_of: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let as_of = self.as_of(as_of)?;
        let rows = self.enter(py, || self.book.open_invoices(&account, as_of))?;
        PyList::new(py, rows.into_iter().map(|inner| PyOpenInvoice { inner }))
    }

    /// The balance owed on `as_of` by days past due, in the store's buckets.
    #[pyo3(signature = (account, as_of = None))]
    fn aging(
        &self,
        py: Python<'_>,
        account: String,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyAging> {
        let as_of = self.as_of(as_of)?;
        let inner = self.enter(py, || self.book.aging(&account, as_of))?;
        Ok(PyAging { inner })
    }

    /// A statement of the period `start`..`end` (store-local dates, both included). Each other
    /// choice defaults from the store's settings: the statement date (the period's end), the due
    /// date, the amount due, the language (the customer's when the store prints in it) and the
    /// number.
    #[pyo3(signature = (account, *, start, end, statement_date = None, due_date = None,
        amount_due = None, language = None, number = None))]
    #[allow(clippy::too_many_arguments)]
    fn statement(
        &self,
        py: Python<'_>,
        account: String,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        statement_date: Option<&Bound<'_, PyAny>>,
        due_date: Option<&Bound<'_, PyAny>>,
        amount_due: Option<&Bound<'_, PyAny>>,
        language: Option<&Bound<'_, PyAny>>,
        number: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyStatement> {
        let request = statement_request(
            start,
            end,
            statement_date,
            due_date,
            amount_due,
            language,
            number,
        )?;
        let st = self.enter(py, || self.book.statement(&account, &request))?;
        Ok(PyStatement::new(st))
    }

    // ---- messages, payment links, online payments, reminders ----

    /// Makes a payment link through the payment provider and records it. For what is owed:
    /// `statement=st` (the link names the statement's number; show it with
    /// `st.with_payment_link(link)`) or `reference=` (another reference the customer knows);
    /// for a deposit toward a sale: `sale=` (a new request for the same sale cancels the pending
    /// one). `op_id` defaults to `link-<statement number or reference>-<amount>` or
    /// `deposit-<sale>-<amount>`: asking again for the same link replays it (the provider is not
    /// called again); give an `op_id` of your own for a second link of the same amount.
    #[pyo3(signature = (account, amount, *, at, statement = None, sale = None, reference = None,
        op_id = None, actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn payment_link<'py>(
        &self,
        py: Python<'py>,
        account: String,
        amount: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        statement: Option<PyRef<'py, PyStatement>>,
        sale: Option<&Bound<'py, PyAny>>,
        reference: Option<&Bound<'py, PyAny>>,
        op_id: Option<&Bound<'py, PyAny>>,
        actor: Option<PyRef<'py, PyActor>>,
    ) -> PyResult<PyPaymentLink> {
        let cur = self.currency();
        let money = convert::money("amount", amount, cur)?;
        let shown = if money.amount.scale() < cur.exponent() {
            cur.at_scale(money.amount)
        } else {
            money.amount
        };
        let sale = opt_text("sale", sale)?;
        let reference = opt_text("reference", reference)?;
        let purpose = match (statement, sale, reference) {
            (Some(st), None, None) => {
                let st = st.inner();
                if st.account_id != account {
                    return Err(errors::core(Error::InvalidInput {
                        field: "statement",
                        reason: format!("a statement of account {}, not {account}", st.account_id),
                    }));
                }
                LinkPurpose::Balance {
                    reference: SmolStr::new(&st.number),
                }
            }
            (None, None, Some(r)) => LinkPurpose::Balance {
                reference: SmolStr::new(r),
            },
            (None, Some(sale), None) => LinkPurpose::Deposit {
                sale: SmolStr::new(sale),
            },
            _ => {
                return Err(PyTypeError::new_err(
                    "payment_link() takes exactly one of statement=, reference= (what is owed) \
                     or sale= (a deposit request)",
                ))
            }
        };
        let op_id = opt_text("op_id", op_id)?.unwrap_or_else(|| purpose.default_op_id(&shown));
        let mut op = Operation::new(SmolStr::new(op_id), convert::instant("at", at)?);
        if let Some(a) = actor {
            op = op.by(a.inner.clone());
        }
        let inner = self.enter(py, || self.book.payment_link(&account, &op, money, purpose))?;
        Ok(PyPaymentLink {
            inner,
            currency: cur,
            timezone: self.book.settings().timezone,
            status: None,
        })
    }

    /// The account's payment links, oldest first, as they stand at `at`: each with its
    /// `status` (`"pending"`, `"paid"`, `"cancelled"`, `"expired"`).
    #[pyo3(signature = (account, *, at))]
    fn payment_links(
        &self,
        py: Python<'_>,
        account: String,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyPaymentLink>> {
        let at = convert::instant("at", at)?;
        let cur = self.currency();
        let links = self.enter(py, || self.book.payment_links(&account, at))?;
        Ok(links
            .into_iter()
            .map(|l| PyPaymentLink {
                inner: creditbook::PaymentLink {
                    account: SmolStr::new(&account),
                    record: l.record,
                    replayed: true,
                },
                currency: cur,
                timezone: self.book.settings().timezone,
                status: Some(l.status.as_str()),
            })
            .collect())
    }

    /// A statement of the period with a "Pay online" link for its amount due (at most what is
    /// owed now), made under `op_id`: by default when the store includes links and the Book has
    /// a payment provider; `with_link=True` asks for one (`PortMissing` without a provider),
    /// `False` for none. Above the store's cap the statement has no link and says why
    /// (`payment_link_omitted`). The other keywords are `statement()`'s.
    #[pyo3(signature = (account, *, start, end, at, op_id, with_link = None,
        statement_date = None, due_date = None, amount_due = None, language = None,
        number = None, actor = None))]
    #[allow(clippy::too_many_arguments)]
    fn statement_with_link(
        &self,
        py: Python<'_>,
        account: String,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
        op_id: &Bound<'_, PyAny>,
        with_link: Option<bool>,
        statement_date: Option<&Bound<'_, PyAny>>,
        due_date: Option<&Bound<'_, PyAny>>,
        amount_due: Option<&Bound<'_, PyAny>>,
        language: Option<&Bound<'_, PyAny>>,
        number: Option<&Bound<'_, PyAny>>,
        actor: Option<PyRef<'_, PyActor>>,
    ) -> PyResult<PyStatement> {
        let request = statement_request(
            start,
            end,
            statement_date,
            due_date,
            amount_due,
            language,
            number,
        )?;
        let op = operation(op_id, at, actor)?;
        let st = self.enter(py, || {
            self.book
                .statement_with_link(&account, &request, &op, with_link)
        })?;
        Ok(PyStatement::new(st))
    }

    /// The statement's email, in the statement's language, with the statement attached (HTML,
    /// and UBL XML when the store's `attach_ubl` is on); to `to` when given, else to the
    /// customer's email on file (none: `MissingRecipient`). Nothing is sent: review it, then
    /// `send()` it.
    #[pyo3(signature = (statement, to = None))]
    fn compose_statement_email(
        &self,
        py: Python<'_>,
        statement: PyRef<'_, PyStatement>,
        to: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyMessage> {
        let to = opt_text("to", to)?;
        let st = statement.inner();
        let m = self.enter(py, || self.book.compose_statement_email(st, to.as_deref()))?;
        Ok(PyMessage::new(m))
    }

    /// The email of one invoice (a charge's `invoice_id`) of the account.
    #[pyo3(signature = (account, invoice, to = None))]
    fn compose_invoice_email(
        &self,
        py: Python<'_>,
        account: String,
        invoice: &Bound<'_, PyAny>,
        to: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyMessage> {
        let invoice = convert::count("invoice", invoice)?;
        let to = opt_text("to", to)?;
        let m = self.enter(py, || {
            self.book
                .compose_invoice_email(&account, invoice, to.as_deref())
        })?;
        Ok(PyMessage::new(m))
    }

    /// Sends a message through the mailer and records it on its account (`at`: now when
    /// `None`). A message already delivered is not sent again (`Sent.already_delivered`); when
    /// the mailer fails, `DeliveryError` is raised, the failure is recorded and sending the same
    /// message again retries it.
    #[pyo3(signature = (message, *, at = None))]
    fn send(
        &self,
        py: Python<'_>,
        message: PyRef<'_, PyMessage>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySent> {
        let at = convert::instant_or_now("at", at)?;
        let m = message.inner();
        let sent = self.enter(py, || self.book.send(m, at))?;
        Ok(PySent::new(sent))
    }

    /// Records a payment the provider reports as completed, once per `provider_payment_id` (a
    /// replay records and sends nothing and returns the first outcome), allocated like any
    /// payment (through a deposit request's link: a deposit); then sends the receipt to the
    /// customer and the notice to the store when the Book has a mailer. `link`: the link's
    /// reference (`PaymentLink.reference`); `None` when paid through the provider's portal
    /// without a link. Money received is never refused: through an expired, cancelled, paid or
    /// unknown link, or of another amount, it is recorded and flagged (`Entry.unusual`).
    #[pyo3(signature = (account, *, provider_payment_id, amount, at, link = None))]
    fn confirm_online_payment(
        &self,
        py: Python<'_>,
        account: String,
        provider_payment_id: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
        link: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyConfirmed> {
        let cur = self.currency();
        let confirmation = OnlinePaymentConfirmation {
            provider_payment_id: convert::text("provider_payment_id", provider_payment_id)?,
            amount: convert::money("amount", amount, cur)?,
            at: convert::instant("at", at)?,
            link: opt_text("link", link)?,
        };
        let (c, mut causes) = self.enter_with_causes(py, || {
            self.book.confirm_online_payment(&account, &confirmation)
        })?;
        let replayed = c.outcome.replayed;
        let outcome = PyOutcome::create(py, c.outcome, cur, OutcomeKind::Payment)?.unbind();
        let receipt = send_result(py, c.receipt, &mut causes)?;
        let notice = send_result(py, c.notice, &mut causes)?;
        Ok(PyConfirmed::new(outcome, receipt, notice, replayed))
    }

    /// The reminders due on `day` (today in the store's time zone when `None`), each composed in
    /// the customer's language: per open invoice, the highest level of the store's reminder days
    /// reached and not yet sent.
    #[pyo3(signature = (day = None))]
    fn reminders_due<'py>(
        &self,
        py: Python<'py>,
        day: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let day = convert::opt_date("day", day)?.unwrap_or_else(|| self.today());
        let rows = self.enter(py, || self.book.reminders_due(day))?;
        let out = PyList::empty(py);
        for r in rows {
            out.append(PyReminderDue::create(py, r)?)?;
        }
        Ok(out)
    }

    /// Sends the reminders due on `day` (each at most once; `at`: now when `None`) and returns
    /// each with how sending it went: `[(ReminderDue, SendResult), ...]`.
    #[pyo3(signature = (day = None, *, at = None))]
    fn send_reminders<'py>(
        &self,
        py: Python<'py>,
        day: Option<&Bound<'py, PyAny>>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let day = convert::opt_date("day", day)?.unwrap_or_else(|| self.today());
        let at = convert::instant_or_now("at", at)?;
        let (rows, mut causes) =
            self.enter_with_causes(py, || self.book.send_reminders(day, at))?;
        let out = PyList::empty(py);
        for (r, sent) in rows {
            let r = PyReminderDue::create(py, r)?;
            let message = r.message(py);
            let result = PySendResult::create(py, message, sent, &mut causes)?;
            out.append((Py::new(py, r)?, Py::new(py, result)?))?;
        }
        Ok(out)
    }

    /// On the store's statement day, last month's statements of every account with a balance
    /// owed or store credit, each with its "Pay online" link when the Book can make one (made at
    /// `at`, now when `None`); on any other day, none.
    #[pyo3(signature = (day = None, *, at = None))]
    fn statements_due<'py>(
        &self,
        py: Python<'py>,
        day: Option<&Bound<'py, PyAny>>,
        at: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let day = convert::opt_date("day", day)?.unwrap_or_else(|| self.today());
        let at = convert::instant_or_now("at", at)?;
        let rows = self.enter(py, || self.book.statements_due(day, at))?;
        PyList::new(py, rows.into_iter().map(PyStatement::new))
    }

    /// Reminders and the statement schedule in force (from the settings until changed).
    #[getter]
    fn automation(&self, py: Python<'_>) -> PyResult<PyAutomation> {
        let inner = self.enter(py, || self.book.automation())?;
        Ok(PyAutomation { inner })
    }

    /// Changes the reminders and the statement schedule (needs `automated_ar`), recorded in the
    /// store (who, when, old, new) so that every Book on the store follows it.
    #[pyo3(signature = (automation, *, at, op_id, actor))]
    fn set_automation(
        &self,
        py: Python<'_>,
        automation: PyRef<'_, PyAutomation>,
        at: &Bound<'_, PyAny>,
        op_id: &Bound<'_, PyAny>,
        actor: PyRef<'_, PyActor>,
    ) -> PyResult<()> {
        let a = automation.inner.clone();
        let op = operation(op_id, at, Some(actor))?;
        self.enter(py, || self.book.set_automation(&op, a).map(|_| ()))
    }
}

/// The `SendResult` of a message the Book composed and sent itself.
fn send_result(
    py: Python<'_>,
    pair: Option<(Message, creditbook::Result<Sent>)>,
    causes: &mut PortCauses,
) -> PyResult<Option<Py<PySendResult>>> {
    let Some((m, sent)) = pair else {
        return Ok(None);
    };
    let message = Some(Py::new(py, PyMessage::new(m))?);
    Ok(Some(Py::new(
        py,
        PySendResult::create(py, message, sent, causes)?,
    )?))
}
