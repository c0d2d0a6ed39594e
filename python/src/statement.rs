//! `Statement`: the core's statement value, its figures as properties and its renderings
//! (HTML, plain text, UBL 2.1 XML, JSON), rendered with the GIL released.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use chrono::NaiveDate;
use creditbook::statement::{html, text, StatementLine};
use creditbook::{Currency, CurrencyDisplay, Language, Localizer, Statement};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rust_decimal::Decimal;

use crate::errors::enter;
use crate::outreach::{PyPaymentLink, PyPaymentLinkShown};
use crate::repr::Repr;
use crate::results::{aging_amounts, customer_dict, fields, PyCustomer, PyOpenInvoice};

/// Which localizer a statement is printed with.
type LocalizerKey = (Language, String, Currency, CurrencyDisplay);

thread_local! {
    /// Localizers made on this thread, reused: making one loads a language's formatting data,
    /// which a month-end run would otherwise pay for every statement (the core's advice: make one
    /// and reuse it). Per thread because a Localizer is not `Send`; a handful of entries at most
    /// (one per language and currency display a store prints in).
    static LOCALIZERS: RefCell<Vec<(LocalizerKey, Rc<Localizer>)>> = const { RefCell::new(Vec::new()) };
}

/// Entries kept per thread; more are dropped, oldest first.
const LOCALIZERS_KEPT: usize = 16;

fn with_localizer<R>(
    st: &Statement,
    f: impl FnOnce(&Localizer) -> Result<R, creditbook::Error>,
) -> Result<R, creditbook::Error> {
    let key: LocalizerKey = (
        st.language,
        st.locale.clone(),
        st.currency,
        st.currency_display,
    );
    let cached = LOCALIZERS.with(|c| {
        c.borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, l)| Rc::clone(l))
    });
    let loc = match cached {
        Some(l) => l,
        None => {
            let l = Rc::new(st.localizer()?);
            LOCALIZERS.with(|c| {
                let mut c = c.borrow_mut();
                if c.len() >= LOCALIZERS_KEPT {
                    c.remove(0);
                }
                c.push((key, Rc::clone(&l)));
            });
            l
        }
    };
    f(&loc)
}

/// A statement of account for a period. Every rendering comes from this one value.
#[pyclass(frozen, module = "creditbook", name = "Statement")]
pub struct PyStatement {
    inner: Arc<Statement>,
}

impl PyStatement {
    pub fn new(st: Statement) -> PyStatement {
        PyStatement {
            inner: Arc::new(st),
        }
    }

    pub fn inner(&self) -> &Statement {
        &self.inner
    }
}

#[pymethods]
impl PyStatement {
    /// The statement as a printable HTML document in its language.
    fn to_html(&self, py: Python<'_>) -> PyResult<String> {
        enter(py, || {
            with_localizer(&self.inner, |loc| Ok(html::render(&self.inner, loc)))
        })
    }

    /// The statement as plain text `width` columns wide (32 to 160).
    #[pyo3(signature = (width = 80))]
    fn to_text(&self, py: Python<'_>, width: usize) -> PyResult<String> {
        enter(py, || {
            with_localizer(&self.inner, |loc| text::render(&self.inner, loc, width))
        })
    }

    /// The statement as a UBL 2.1 `Statement` XML document.
    fn to_ubl_xml(&self, py: Python<'_>) -> PyResult<String> {
        enter(py, || self.inner.to_ubl_xml())
    }

    /// The statement as JSON (versioned schema; amounts as decimal strings).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        enter(py, || Ok(self.inner.to_json()))
    }

    /// The statement as a PDF/A-3 document on `paper` (`"a4"`, `"letter"`; None: the store's),
    /// with its UBL 2.1 XML embedded unless `embed_ubl` is false.
    #[cfg(feature = "pdf")]
    #[pyo3(signature = (paper = None, embed_ubl = true))]
    fn to_pdf<'py>(
        &self,
        py: Python<'py>,
        paper: Option<&str>,
        embed_ubl: bool,
    ) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
        let pdf = enter(py, || self.inner.to_pdf(&pdf_options(paper, embed_ubl)?))?;
        Ok(pyo3::types::PyBytes::new(py, &pdf))
    }

    #[getter]
    fn number(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.number.clone())
    }
    #[getter]
    fn account_id(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.account_id.to_string())
    }
    /// The language it is printed in (`"fr"`).
    #[getter]
    fn language(&self, _py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.inner.language.code())
    }
    /// The locale of its numbers and dates (`"fr-CA"`).
    #[getter]
    fn locale(&self, _py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.locale.clone())
    }
    #[getter]
    fn currency(&self, _py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.inner.currency.code())
    }
    #[getter]
    fn customer(&self, _py: Python<'_>) -> PyResult<PyCustomer> {
        Ok(PyCustomer {
            inner: self.inner.customer.clone(),
        })
    }
    #[getter]
    fn statement_date(&self, _py: Python<'_>) -> PyResult<NaiveDate> {
        Ok(self.inner.statement_date)
    }
    /// First day of the period.
    #[getter]
    fn start(&self, _py: Python<'_>) -> PyResult<NaiveDate> {
        Ok(self.inner.period_from)
    }
    /// Last day of the period.
    #[getter]
    fn end(&self, _py: Python<'_>) -> PyResult<NaiveDate> {
        Ok(self.inner.period_to)
    }
    /// Balance owed at the start of the period.
    #[getter]
    fn opening_balance(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.opening_balance)
    }
    /// Store credit at the start of the period.
    #[getter]
    fn opening_credit_balance(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.opening_credit_balance)
    }
    #[getter]
    fn total_charges(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.total_charges)
    }
    #[getter]
    fn total_credits(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.total_credits)
    }
    /// Balance owed at the end of the period.
    #[getter]
    fn closing_balance(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.closing_balance)
    }
    /// Store credit at the end of the period (never netted with the balance).
    #[getter]
    fn credit_balance(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.credit_balance)
    }
    /// What the customer is asked to pay.
    #[getter]
    fn amount_due(&self, _py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.inner.amount_due)
    }
    #[getter]
    fn due_date(&self, _py: Python<'_>) -> PyResult<NaiveDate> {
        Ok(self.inner.due_date)
    }
    /// True when due on the statement date.
    #[getter]
    fn due_upon_receipt(&self, _py: Python<'_>) -> PyResult<bool> {
        Ok(self.inner.due_upon_receipt)
    }
    /// The credit limit as printed: `None` when the store does not show it or it is unlimited.
    #[getter]
    fn credit_limit(&self, _py: Python<'_>) -> PyResult<Option<Decimal>> {
        Ok(self
            .inner
            .credit_limit
            .as_ref()
            .and_then(|c| c.limit.amount().map(|a| self.inner.currency.at_scale(a))))
    }
    /// The closing balance by days past due: bucket label (`current`, `1-30`, ..., `over 90`)
    /// to amount, current first.
    #[getter]
    fn aging<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        aging_amounts(py, &self.inner.aging)
    }
    /// Every entry of the period that moves money, in order.
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            (0..self.inner.lines.len()).map(|index| PyStatementLine {
                statement: Arc::clone(&self.inner),
                index,
            }),
        )
    }
    /// Invoices open at the end of the period, days past due on the statement date.
    #[getter]
    fn open_invoices<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.inner
                .open_invoices
                .iter()
                .map(|i| PyOpenInvoice { inner: i.clone() }),
        )
    }

    /// The "Pay online" link the statement shows, if one is attached.
    #[getter]
    fn payment_link(&self, _py: Python<'_>) -> PyResult<Option<PyPaymentLinkShown>> {
        Ok(self
            .inner
            .payment_link
            .clone()
            .map(|inner| PyPaymentLinkShown { inner }))
    }
    /// The store's cap when the amount due is above it: the statement then has no link and says
    /// why.
    #[getter]
    fn payment_link_omitted(&self, _py: Python<'_>) -> PyResult<Option<Decimal>> {
        Ok(self.inner.payment_link_omitted)
    }

    /// The same statement showing `link` as its "Pay online" link (a statement is immutable):
    /// `st.with_payment_link(book.payment_link(account, amount, at=at, statement=st))`. The link
    /// must be one of the statement's account.
    fn with_payment_link(&self, link: PyRef<'_, PyPaymentLink>) -> PyResult<PyStatement> {
        self.inner
            .with_payment_link(&link.inner, link.timezone)
            .map(PyStatement::new)
            .map_err(crate::errors::core)
    }

    /// The statement as plain Python values (the same content as `to_json()`, with Decimals and
    /// dates).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = fields!(
            py,
            self,
            [
                number,
                account_id,
                language,
                locale,
                currency,
                statement_date,
                start,
                end,
                opening_balance,
                opening_credit_balance,
                total_charges,
                total_credits,
                closing_balance,
                credit_balance,
                credit_limit,
                amount_due,
                due_date,
                due_upon_receipt,
                aging,
            ]
        );
        d.set_item("customer", customer_dict(py, &self.inner.customer)?)?;
        let lines = PyList::empty(py);
        for l in &self.inner.lines {
            lines.append(line_dict(py, l)?)?;
        }
        d.set_item("lines", lines)?;
        let open = PyList::empty(py);
        for i in &self.inner.open_invoices {
            open.append(PyOpenInvoice { inner: i.clone() }.to_dict(py)?)?;
        }
        d.set_item("open_invoices", open)?;
        d.set_item(
            "payment_link",
            self.payment_link(py)?.map(|l| l.to_dict(py)).transpose()?,
        )?;
        d.set_item("payment_link_omitted", self.inner.payment_link_omitted)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let d = fields!(
            py,
            self,
            [
                number,
                start,
                end,
                opening_balance,
                closing_balance,
                credit_balance,
                amount_due,
                due_date,
                language,
            ]
        );
        Repr::dict(py, "Statement", &d)
    }
}

/// One line of a statement: an entry of the period with its effect and the running balances.
#[pyclass(frozen, module = "creditbook", name = "StatementLine")]
pub struct PyStatementLine {
    statement: Arc<Statement>,
    index: usize,
}

impl PyStatementLine {
    fn line(&self) -> &StatementLine {
        &self.statement.lines[self.index]
    }
}

fn line_dict<'py>(py: Python<'py>, l: &StatementLine) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("seq", l.entry)?;
    d.set_item("date", l.date)?;
    d.set_item("kind", l.kind.as_str())?;
    d.set_item("reference", l.reference.as_deref())?;
    d.set_item("receipt_less", l.receipt_less)?;
    d.set_item("amount", l.amount)?;
    d.set_item("charge", l.charge)?;
    d.set_item("credit", l.credit)?;
    d.set_item("balance", l.balance)?;
    d.set_item("credit_change", l.credit_change)?;
    d.set_item("credit_balance", l.credit_balance)?;
    Ok(d)
}

#[pymethods]
impl PyStatementLine {
    /// The entry's number (as `Entry.seq`).
    #[getter]
    fn seq(&self) -> u64 {
        self.line().entry
    }
    #[getter]
    fn date(&self) -> NaiveDate {
        self.line().date
    }
    /// The entry's kind as a word (as `Entry.kind`).
    #[getter]
    fn kind(&self) -> &'static str {
        self.line().kind.as_str()
    }
    #[getter]
    fn reference(&self) -> Option<String> {
        self.line().reference.clone()
    }
    #[getter]
    fn receipt_less(&self) -> bool {
        self.line().receipt_less
    }
    /// The entry's own amount.
    #[getter]
    fn amount(&self) -> Decimal {
        self.line().amount
    }
    /// What it added to the balance owed.
    #[getter]
    fn charge(&self) -> Decimal {
        self.line().charge
    }
    /// What it took off the balance owed.
    #[getter]
    fn credit(&self) -> Decimal {
        self.line().credit
    }
    /// The balance owed after it.
    #[getter]
    fn balance(&self) -> Decimal {
        self.line().balance
    }
    /// Its change of the store credit.
    #[getter]
    fn credit_change(&self) -> Decimal {
        self.line().credit_change
    }
    /// The store credit after it.
    #[getter]
    fn credit_balance(&self) -> Decimal {
        self.line().credit_balance
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        line_dict(py, self.line())
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::some(
            "StatementLine",
            &line_dict(py, self.line())?,
            &["seq", "date", "kind", "reference", "amount", "balance"],
        )
    }
}

/// The PDF options of `paper` and `embed_ubl`.
#[cfg(feature = "pdf")]
fn pdf_options(
    paper: Option<&str>,
    embed_ubl: bool,
) -> Result<creditbook::statement::pdf::PdfOptions, creditbook::Error> {
    use creditbook::statement::pdf::{Paper, PdfOptions};
    Ok(PdfOptions {
        paper: paper.map(Paper::from_code).transpose()?,
        embed_ubl,
        ..PdfOptions::default()
    })
}

/// The print run: every statement in one PDF/A-3 document, each starting on a new page in its
/// own language, on `paper` (`"a4"`, `"letter"`; None: each store's), each one's UBL 2.1 XML
/// embedded unless `embed_ubl` is false.
#[cfg(feature = "pdf")]
#[pyfunction]
#[pyo3(signature = (statements, paper = None, embed_ubl = true))]
pub fn print_run<'py>(
    py: Python<'py>,
    statements: Vec<PyRef<'py, PyStatement>>,
    paper: Option<&str>,
    embed_ubl: bool,
) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
    let list: Vec<Arc<Statement>> = statements.iter().map(|s| Arc::clone(&s.inner)).collect();
    let pdf = enter(py, || {
        let owned: Vec<Statement> = list.iter().map(|s| (**s).clone()).collect();
        creditbook::statement::pdf::print_run(&owned, &pdf_options(paper, embed_ubl)?)
    })?;
    Ok(pyo3::types::PyBytes::new(py, &pdf))
}
