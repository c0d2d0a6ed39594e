//! The inputs that are objects: store settings, postal addresses, payment terms and the actor.

use creditbook::{
    AgingBuckets, CurrencyDisplay, Error, Language, MessageSettings, PaymentTerms, Permission,
    Policies, PostalAddress, StatementSettings, StoreSettings,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PyTuple};
use rust_decimal::Decimal;

use crate::convert;
use crate::errors;
use crate::repr::Repr;

/// A postal address; every part is optional.
#[pyclass(frozen, eq, module = "creditbook", name = "PostalAddress")]
#[derive(Clone, PartialEq)]
pub struct PyPostalAddress {
    pub inner: PostalAddress,
}

#[pymethods]
impl PyPostalAddress {
    #[new]
    #[pyo3(signature = (*, lines = Vec::new(), city = String::new(), region = String::new(), postal_code = String::new(), country = String::new()),
        text_signature = "(*, lines=(), city='', region='', postal_code='', country='')")]
    fn new(
        lines: Vec<String>,
        city: String,
        region: String,
        postal_code: String,
        country: String,
    ) -> Self {
        PyPostalAddress {
            inner: PostalAddress {
                lines,
                city,
                region,
                postal_code,
                country,
            },
        }
    }

    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.inner.lines)
    }
    #[getter]
    fn city(&self) -> &str {
        &self.inner.city
    }
    #[getter]
    fn region(&self) -> &str {
        &self.inner.region
    }
    #[getter]
    fn postal_code(&self) -> &str {
        &self.inner.postal_code
    }
    #[getter]
    fn country(&self) -> &str {
        &self.inner.country
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        address_dict(py, &self.inner)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Repr::dict(py, "PostalAddress", &address_dict(py, &self.inner)?)
    }
}

pub fn address_dict<'py>(py: Python<'py>, a: &PostalAddress) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("lines", PyTuple::new(py, &a.lines)?)?;
    d.set_item("city", &a.city)?;
    d.set_item("region", &a.region)?;
    d.set_item("postal_code", &a.postal_code)?;
    d.set_item("country", &a.country)?;
    Ok(d)
}

/// When an invoice falls due: `PaymentTerms.net(30)`, `PaymentTerms.end_of_month_plus(10)`,
/// `PaymentTerms.due_on_receipt()`.
#[pyclass(frozen, eq, module = "creditbook", name = "PaymentTerms")]
#[derive(Clone, PartialEq, Eq)]
pub struct PyPaymentTerms {
    pub inner: PaymentTerms,
}

#[pymethods]
impl PyPaymentTerms {
    /// Due the day the invoice is issued.
    #[staticmethod]
    fn due_on_receipt() -> Self {
        PyPaymentTerms {
            inner: PaymentTerms::DueOnReceipt,
        }
    }

    /// Due `days` days after the invoice date.
    #[staticmethod]
    fn net(days: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyPaymentTerms {
            inner: PaymentTerms::Net(days16(days)?),
        })
    }

    /// Due `days` days after the end of the invoice's month.
    #[staticmethod]
    fn end_of_month_plus(days: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyPaymentTerms {
            inner: PaymentTerms::EndOfMonthPlus(days16(days)?),
        })
    }

    /// `"due_on_receipt"`, `"net"` or `"end_of_month_plus"`.
    #[getter]
    fn kind(&self) -> &'static str {
        terms_kind(&self.inner)
    }

    /// The days of `net` and `end_of_month_plus`; `None` for `due_on_receipt`.
    #[getter]
    fn days(&self) -> Option<u16> {
        match self.inner {
            PaymentTerms::DueOnReceipt => None,
            PaymentTerms::Net(n) | PaymentTerms::EndOfMonthPlus(n) => Some(n),
        }
    }

    /// The due date of an invoice dated `invoice_date`.
    fn due_date(&self, invoice_date: &Bound<'_, PyAny>) -> PyResult<chrono::NaiveDate> {
        Ok(self
            .inner
            .due_date(convert::date("invoice_date", invoice_date)?))
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.kind(), self.days()).hash(&mut h);
        h.finish()
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", self.kind())?;
        d.set_item("days", self.days())?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        match self.inner {
            PaymentTerms::DueOnReceipt => "PaymentTerms.due_on_receipt()".to_string(),
            PaymentTerms::Net(n) => format!("PaymentTerms.net({n})"),
            PaymentTerms::EndOfMonthPlus(n) => format!("PaymentTerms.end_of_month_plus({n})"),
        }
    }
}

pub fn terms_kind(t: &PaymentTerms) -> &'static str {
    match t {
        PaymentTerms::DueOnReceipt => "due_on_receipt",
        PaymentTerms::Net(_) => "net",
        PaymentTerms::EndOfMonthPlus(_) => "end_of_month_plus",
    }
}

fn days16(days: &Bound<'_, PyAny>) -> PyResult<u16> {
    let n = convert::count("days", days)?;
    u16::try_from(n).map_err(|_| {
        errors::core(Error::InvalidInput {
            field: "payment terms",
            reason: format!("{n} days is more than 65535"),
        })
    })
}

/// Who acts (an employee id, recorded on the entry) and the permissions the host's role system
/// grants them for this call: `Actor("emp-7", {"credit_limit"})`.
#[pyclass(frozen, eq, module = "creditbook", name = "Actor")]
#[derive(Clone, PartialEq)]
pub struct PyActor {
    pub inner: creditbook::Actor,
}

#[pymethods]
impl PyActor {
    #[new]
    #[pyo3(signature = (id, permissions = None))]
    fn new(id: &Bound<'_, PyAny>, permissions: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut actor = creditbook::Actor::new(convert::text("id", id)?);
        if let Some(perms) = permissions {
            if perms.is_instance_of::<pyo3::types::PyString>() {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "permissions must be a collection of permission names, not one str",
                ));
            }
            for p in perms.try_iter()? {
                let name = convert::text("permission", &p?)?;
                actor = actor.with(Permission::from_name(&name).map_err(errors::core)?);
            }
        }
        Ok(PyActor { inner: actor })
    }

    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    #[getter]
    fn permissions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyFrozenSet>> {
        PyFrozenSet::new(py, self.inner.permissions.iter().map(|p| p.as_str()))
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", self.id())?;
        let names: Vec<&str> = self.inner.permissions.iter().map(|p| p.as_str()).collect();
        d.set_item("permissions", names)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let names: Vec<String> = self
            .inner
            .permissions
            .iter()
            .map(|p| format!("'{}'", p.as_str()))
            .collect();
        format!(
            "Actor({:?}, {{{}}})",
            self.inner.id.as_str(),
            names.join(", ")
        )
    }
}

/// One store's settings: every setting is a keyword with the core's default.
#[pyclass(frozen, module = "creditbook", name = "StoreSettings")]
pub struct PyStoreSettings {
    pub inner: StoreSettings,
}

#[pymethods]
impl PyStoreSettings {
    #[new]
    #[pyo3(signature = (
        name, currency, timezone, *,
        address = None,
        default_terms = None,
        over_limit_tolerance_percent = None,
        overdue_hold_days = None,
        refunds_to_credit = true,
        receipt_less_refunds = true,
        auto_apply_credit = false,
        aging_buckets = None,
        days_till_due = None,
        percent_due = None,
        display_credit_limit = false,
        cheques_payable_to = String::new(),
        remittance_address = None,
        header_text = String::new(),
        languages = None,
        language = None,
        country = None,
        currency_display = String::from("symbol"),
        from_ = None,
        notices_to = None,
        attach_ubl = false,
        attach_pdf = false,
        attach_html = true,
        payment_link_max = None,
        include_payment_link = true,
        payment_link_days = None,
        deposit_request_days = None,
        default_credit_limit = crate::book::LimitArg::Omitted,
    ),
    text_signature = "(name, currency, timezone, *, address=None, default_terms=None, \
        over_limit_tolerance_percent=None, overdue_hold_days=None, refunds_to_credit=True, \
        receipt_less_refunds=True, auto_apply_credit=False, aging_buckets=None, \
        days_till_due=None, percent_due=None, display_credit_limit=False, cheques_payable_to='', \
        remittance_address=None, header_text='', languages=None, language=None, country=None, \
        currency_display='symbol', from_=None, notices_to=None, attach_ubl=False, \
        attach_pdf=False, attach_html=True, payment_link_max=None, include_payment_link=True, payment_link_days=None, \
        deposit_request_days=None, default_credit_limit=Decimal('0'))")]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        timezone: &Bound<'_, PyAny>,
        address: Option<PyRef<'_, PyPostalAddress>>,
        default_terms: Option<PyRef<'_, PyPaymentTerms>>,
        over_limit_tolerance_percent: Option<&Bound<'_, PyAny>>,
        overdue_hold_days: Option<&Bound<'_, PyAny>>,
        refunds_to_credit: bool,
        receipt_less_refunds: bool,
        auto_apply_credit: bool,
        aging_buckets: Option<Vec<u32>>,
        days_till_due: Option<&Bound<'_, PyAny>>,
        percent_due: Option<&Bound<'_, PyAny>>,
        display_credit_limit: bool,
        cheques_payable_to: String,
        remittance_address: Option<PyRef<'_, PyPostalAddress>>,
        header_text: String,
        languages: Option<Vec<String>>,
        language: Option<String>,
        country: Option<String>,
        currency_display: String,
        from_: Option<String>,
        notices_to: Option<String>,
        attach_ubl: bool,
        attach_pdf: bool,
        attach_html: bool,
        payment_link_max: Option<&Bound<'_, PyAny>>,
        include_payment_link: bool,
        payment_link_days: Option<&Bound<'_, PyAny>>,
        deposit_request_days: Option<&Bound<'_, PyAny>>,
        default_credit_limit: crate::book::LimitArg<'_>,
    ) -> PyResult<Self> {
        let mut s = StoreSettings::new(
            &convert::text("name", name)?,
            &convert::text("currency", currency)?,
            &convert::text("timezone", timezone)?,
        )
        .map_err(errors::core)?;
        if let Some(a) = address {
            s.address = a.inner.clone();
        }
        if let Some(t) = default_terms {
            s.default_terms = t.inner;
        }
        let mut policies = Policies {
            refunds_to_credit,
            receipt_less_refunds,
            auto_apply_credit,
            ..Policies::default()
        };
        if let Some(p) = over_limit_tolerance_percent {
            policies.over_limit_tolerance_percent =
                convert::decimal("over_limit_tolerance_percent", p)?;
        }
        if let Some(d) = overdue_hold_days.filter(|d| !d.is_none()) {
            policies.overdue_hold_days = Some(days32("overdue_hold_days", d)?);
        }
        s.policies = policies;
        if let Some(b) = aging_buckets {
            s.aging = AgingBuckets::new(b).map_err(errors::core)?;
        }
        let mut st = StatementSettings::default();
        if let Some(d) = days_till_due {
            st.days_till_due = days32("days_till_due", d)?;
        }
        if let Some(p) = percent_due {
            st.percent_due = convert::decimal("percent_due", p)?;
        }
        st.display_credit_limit = display_credit_limit;
        st.cheques_payable_to = cheques_payable_to;
        st.remittance_address = remittance_address.map(|a| a.inner.clone());
        st.header_text = header_text;
        let offered = match languages {
            Some(tags) => tags.iter().map(|t| lang(t)).collect::<PyResult<Vec<_>>>()?,
            None => st.languages.clone(),
        };
        let own = language.map(|t| lang(&t)).transpose()?;
        st.set_languages(&offered, own).map_err(errors::core)?;
        st.country = country;
        st.currency_display = match currency_display.as_str() {
            "symbol" => CurrencyDisplay::Symbol,
            "iso_code" => CurrencyDisplay::IsoCode,
            other => {
                return Err(errors::core(Error::InvalidInput {
                    field: "currency_display",
                    reason: format!("{other:?} is not \"symbol\" or \"iso_code\""),
                }))
            }
        };
        s.statements = st;
        let mut m = MessageSettings {
            from: from_,
            notices_to,
            attach_ubl,
            attach_pdf,
            attach_html,
            include_payment_link,
            ..MessageSettings::default()
        };
        if let Some(max) = payment_link_max {
            m.payment_link_max = convert::decimal("payment_link_max", max)?;
        }
        if let Some(d) = payment_link_days {
            m.payment_link_days = days32("payment_link_days", d)?;
        }
        if let Some(d) = deposit_request_days {
            m.deposit_request_days = days32("deposit_request_days", d)?;
        }
        s.messages = m;
        if let crate::book::LimitArg::Given(limit) = &default_credit_limit {
            s.policies.default_credit_limit = crate::book::credit_limit(Some(limit))?;
        }
        s.validate().map_err(errors::core)?;
        Ok(PyStoreSettings { inner: s })
    }

    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    #[getter]
    fn currency(&self) -> &'static str {
        self.inner.currency.code()
    }
    #[getter]
    fn timezone(&self) -> &'static str {
        self.inner.timezone.name()
    }
    #[getter]
    fn address(&self) -> PyPostalAddress {
        PyPostalAddress {
            inner: self.inner.address.clone(),
        }
    }
    #[getter]
    fn default_terms(&self) -> PyPaymentTerms {
        PyPaymentTerms {
            inner: self.inner.default_terms,
        }
    }
    #[getter]
    fn over_limit_tolerance_percent(&self) -> Decimal {
        self.inner.policies.over_limit_tolerance_percent
    }
    #[getter]
    fn overdue_hold_days(&self) -> Option<u32> {
        self.inner.policies.overdue_hold_days
    }
    #[getter]
    fn refunds_to_credit(&self) -> bool {
        self.inner.policies.refunds_to_credit
    }
    #[getter]
    fn receipt_less_refunds(&self) -> bool {
        self.inner.policies.receipt_less_refunds
    }
    #[getter]
    fn auto_apply_credit(&self) -> bool {
        self.inner.policies.auto_apply_credit
    }
    #[getter]
    fn aging_buckets<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.aging.bounds())
    }
    #[getter]
    fn days_till_due(&self) -> u32 {
        self.inner.statements.days_till_due
    }
    #[getter]
    fn percent_due(&self) -> Decimal {
        self.inner.statements.percent_due
    }
    #[getter]
    fn display_credit_limit(&self) -> bool {
        self.inner.statements.display_credit_limit
    }
    #[getter]
    fn cheques_payable_to(&self) -> &str {
        &self.inner.statements.cheques_payable_to
    }
    #[getter]
    fn remittance_address(&self) -> Option<PyPostalAddress> {
        self.inner
            .statements
            .remittance_address
            .clone()
            .map(|inner| PyPostalAddress { inner })
    }
    #[getter]
    fn header_text(&self) -> &str {
        &self.inner.statements.header_text
    }
    #[getter]
    fn languages<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner.statements.languages.iter().map(|l| l.code()))
    }
    #[getter]
    fn language(&self) -> &'static str {
        self.inner.statements.language.code()
    }
    #[getter]
    fn country(&self) -> Option<String> {
        self.inner.country()
    }
    #[getter]
    fn currency_display(&self) -> &'static str {
        match self.inner.statements.currency_display {
            CurrencyDisplay::Symbol => "symbol",
            CurrencyDisplay::IsoCode => "iso_code",
        }
    }

    /// The store's email address, the messages' sender and reply address (`None`: none).
    #[getter]
    fn from_(&self) -> Option<&str> {
        self.inner.messages.from.as_deref()
    }
    /// Where payment notices to the store go (`None`: `from_`).
    #[getter]
    fn notices_to(&self) -> Option<&str> {
        self.inner.messages.notices_to.as_deref()
    }
    /// Statement emails attach the UBL XML too.
    #[getter]
    fn attach_ubl(&self) -> bool {
        self.inner.messages.attach_ubl
    }
    /// Statement emails attach the statement as a PDF/A-3 document (off by default).
    #[getter]
    fn attach_pdf(&self) -> bool {
        self.inner.messages.attach_pdf
    }
    /// Statement emails attach the statement as an HTML document (on by default).
    #[getter]
    fn attach_html(&self) -> bool {
        self.inner.messages.attach_html
    }
    /// The most one payment link may ask (100000 by default).
    #[getter]
    fn payment_link_max(&self) -> Decimal {
        self.inner.messages.payment_link_max
    }
    /// Statements get a "Pay online" link by default when the Book has a payment provider.
    #[getter]
    fn include_payment_link(&self) -> bool {
        self.inner.messages.include_payment_link
    }
    /// Days a statement's payment link stays valid (30).
    #[getter]
    fn payment_link_days(&self) -> u32 {
        self.inner.messages.payment_link_days
    }
    /// Days a deposit request stays valid (14).
    #[getter]
    fn deposit_request_days(&self) -> u32 {
        self.inner.messages.deposit_request_days
    }
    /// The credit limit of an account opened without one (`None`: unlimited; 0 by default).
    #[getter]
    fn default_credit_limit(&self) -> Option<Decimal> {
        self.inner.policies.default_credit_limit.amount()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let d = PyDict::new(py);
        for name in SETTINGS_FIELDS {
            let v = slf.getattr(*name)?;
            let v = if v.hasattr("to_dict")? {
                v.call_method0("to_dict")?
            } else {
                v
            };
            d.set_item(*name, v)?;
        }
        Ok(d)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let s = slf.get();
        Ok(format!(
            "StoreSettings(name={:?}, currency={:?}, timezone={:?}, languages={:?})",
            s.inner.name,
            s.currency(),
            s.timezone(),
            s.inner
                .statements
                .languages
                .iter()
                .map(|l| l.code())
                .collect::<Vec<_>>()
        ))
    }
}

const SETTINGS_FIELDS: &[&str] = &[
    "name",
    "currency",
    "timezone",
    "address",
    "default_terms",
    "over_limit_tolerance_percent",
    "overdue_hold_days",
    "refunds_to_credit",
    "receipt_less_refunds",
    "auto_apply_credit",
    "aging_buckets",
    "days_till_due",
    "percent_due",
    "display_credit_limit",
    "cheques_payable_to",
    "remittance_address",
    "header_text",
    "languages",
    "language",
    "country",
    "currency_display",
    "from_",
    "notices_to",
    "attach_ubl",
    "attach_pdf",
    "attach_html",
    "payment_link_max",
    "include_payment_link",
    "payment_link_days",
    "deposit_request_days",
    "default_credit_limit",
];

fn days32(name: &'static str, obj: &Bound<'_, PyAny>) -> PyResult<u32> {
    let n = convert::count(name, obj)?;
    u32::try_from(n).map_err(|_| {
        errors::core(Error::InvalidInput {
            field: name,
            reason: format!("{n} days is too many"),
        })
    })
}

fn lang(tag: &str) -> PyResult<Language> {
    Language::parse("language", tag).map_err(errors::core)
}
