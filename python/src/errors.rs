//! The exception hierarchy and the one place where core errors become Python exceptions.
//!
//! `CreditbookError` is the base; each family of the core's [`Error`] has its own class, and every
//! instance carries `.code` (the core's stable [`Error::code`], the number the C API returns) and the
//! variant's figures as attributes. The mapping is an exhaustive `match`: a new core variant does not
//! compile here until it has a class.

use std::any::Any;
use std::cell::RefCell;

use creditbook::{Error, ErrorKind};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

create_exception!(
    creditbook,
    CreditbookError,
    PyException,
    "Base class of every creditbook error; `.code` is the core's stable error number."
);
create_exception!(
    creditbook,
    InternalError,
    CreditbookError,
    "A bug inside creditbook (a Rust panic), caught at the boundary; `.code` is 0."
);
create_exception!(
    creditbook,
    InvalidInput,
    CreditbookError,
    "Bad input (codes 1xx): an empty or too long field, an unknown permission..."
);
create_exception!(
    creditbook,
    InvalidAmount,
    InvalidInput,
    "An amount that is not positive, negative, has too many decimals for the currency, or does not fit."
);
create_exception!(
    creditbook,
    DeliveryError,
    CreditbookError,
    "The host's mailer failed (`.host_code`, `.host_message`); the failed attempt is recorded on the account and sending the message again retries it. A Python mailer's exception is the `__cause__`."
);
create_exception!(
    creditbook,
    PaymentProviderError,
    CreditbookError,
    "The host's payment provider failed; nothing was recorded (`.host_code`, `.host_message`). A Python provider's exception is the `__cause__`."
);
create_exception!(creditbook, StorageError, CreditbookError, "The store failed (codes 6xx); nothing was recorded. A Python port's exception is the `__cause__`.");

/// The base class of a family of the core's errors ([`creditbook::ErrorFamily`]).
macro_rules! family_class {
    (Input) => {
        InvalidInput
    };
    (Amount) => {
        InvalidAmount
    };
    (Store) => {
        StorageError
    };
    (Delivery) => {
        DeliveryError
    };
    (PaymentProvider) => {
        PaymentProviderError
    };
    (Account) => {
        CreditbookError
    };
    (Rule) => {
        CreditbookError
    };
    (Permission) => {
        CreditbookError
    };
    (Idempotency) => {
        CreditbookError
    };
    (Port) => {
        CreditbookError
    };
}

/// One exception class per core error, named as the error and derived from its family's class,
/// made from the core's one list ([`creditbook::error_vocabulary`]): a new core error has its class
/// without an edit here. `InvalidInput` (code 107) is its family's class itself.
macro_rules! exception_classes {
    ($($variant:ident = $code:literal, $name:literal, $family:ident, $doc:literal;)*) => {
        $(exception_classes!(@class $variant, $family, $doc);)*

        /// The class of a core error kind.
        fn class_of(py: Python<'_>, kind: ErrorKind) -> Bound<'_, pyo3::types::PyType> {
            match kind {
                $(ErrorKind::$variant => py.get_type::<$variant>(),)*
            }
        }

        /// Adds every core error's class to the module.
        fn register_kinds(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add(stringify!($variant), m.py().get_type::<$variant>())?;)*
            Ok(())
        }
    };
    (@class InvalidInput, $family:ident, $doc:literal) => {};
    (@class $variant:ident, $family:ident, $doc:literal) => {
        create_exception!(creditbook, $variant, family_class!($family), $doc);
    };
}

creditbook::error_vocabulary!(exception_classes);

create_exception!(creditbook, Conflict, PyException, "Raised by a Python store port's `append` when the account is no longer at the expected version.");

/// Registers every exception class on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    macro_rules! add {
        ($($name:ident),* $(,)?) => {
            $( m.add(stringify!($name), py.get_type::<$name>())?; )*
        };
    }
    add!(
        CreditbookError,
        InternalError,
        InvalidInput,
        InvalidAmount,
        DeliveryError,
        PaymentProviderError,
        StorageError,
        Conflict,
    );
    register_kinds(m)?;
    Ok(())
}

/// An attribute value of an exception.
enum Field {
    Str(String),
    Int(i64),
    Dec(rust_decimal::Decimal),
    Date(chrono::NaiveDate),
    Strs(Vec<String>),
}

/// The core error as a Python exception of its family, with `.code`, `.message` and its figures.
pub fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let core = e.clone();
    let err = to_py_fields(py, e);
    // The core error itself, so that `localized()` can put it in the clerk's language.
    if let Ok(held) = Py::new(py, CoreError { inner: core }) {
        let _ = err.value(py).setattr("_error", held);
    }
    err
}

/// The core's error, held (hidden) by each exception it became.
#[pyclass(frozen, module = "creditbook", name = "_CoreError")]
pub struct CoreError {
    pub inner: Error,
}

/// `CreditbookError.localized(language)`: the error's message in one of the store's languages,
/// amounts in the store's currency as its statements print them. Errors raised outside a Book
/// (building settings) have no store to speak for: their English message.
#[pyfunction]
pub fn _localize_error(err: &Bound<'_, PyAny>, language: &str) -> PyResult<String> {
    let message = || -> PyResult<String> { Ok(err.str()?.to_string()) };
    let Ok(held) = err.getattr("_error") else {
        return message();
    };
    let Ok(core) = held.cast::<CoreError>() else {
        return message();
    };
    let Ok(settings) = err.getattr("_settings") else {
        return message();
    };
    let Ok(settings) = settings.cast::<crate::settings::PyStoreSettings>() else {
        return message();
    };
    settings
        .get()
        .inner
        .localize_error(&core.get().inner, language)
        .map_err(core_err)
}

fn core_err(e: Error) -> PyErr {
    Python::attach(|py| to_py(py, e))
}

/// The core error as a Python exception of its family, with its figures.
fn to_py_fields(py: Python<'_>, e: Error) -> PyErr {
    use Field::*;
    let code = e.code();
    let message = e.to_string();
    let ty = class_of(py, e.kind());
    let fields: Vec<(&str, Field)> = match e {
        Error::AmountNotPositive { amount } | Error::AmountNegative { amount } => {
            vec![("amount", Dec(amount))]
        }
        Error::TooManyDecimals {
            amount,
            currency,
            allowed,
        } => vec![
            ("amount", Dec(amount)),
            ("currency", Str(currency)),
            ("allowed", Int(i64::from(allowed))),
        ],
        Error::InvalidAmountText { text } => vec![("text", Str(text))],
        Error::Overflow => vec![],
        Error::CurrencyMismatch { expected, got } => {
            vec![("expected", Str(expected)), ("got", Str(got))]
        }
        Error::UnknownCurrency { code } => vec![("currency", Str(code))],
        Error::InvalidInput { field, reason } => {
            vec![("field", Str(field.to_string())), ("reason", Str(reason))]
        }
        Error::InvalidEmail { address } => vec![("address", Str(address))],
        Error::UnknownTimeZone { name } => vec![("name", Str(name))],
        Error::InvalidDateRange { from, to } => vec![("start", Date(from)), ("end", Date(to))],
        Error::LanguageNotOffered { language, offered } => {
            vec![("language", Str(language)), ("offered", Strs(offered))]
        }
        Error::InvalidStatementRequest { reason } => vec![("reason", Str(reason))],
        Error::UnknownAccount { account } => vec![("account", Str(account))],
        Error::AccountExists { account } => vec![("account", Str(account))],
        Error::AccountOnHold { account } => vec![("account", Str(account))],
        Error::AccountArchived { account } => vec![("account", Str(account))],
        Error::UnknownEntry { entry } => vec![("entry", int(entry))],
        Error::UnknownInvoice { invoice } => vec![("invoice", int(invoice))],
        Error::InvoiceNotOpen { invoice } => vec![("invoice", int(invoice))],
        Error::InvalidState { reason } => vec![("reason", Str(reason))],
        Error::CreditLimitExceeded {
            available,
            requested,
        } => vec![("available", Dec(available)), ("requested", Dec(requested))],
        Error::InsufficientCredit {
            available,
            requested,
        } => vec![("available", Dec(available)), ("requested", Dec(requested))],
        Error::OverdueCreditHold {
            invoice,
            days_overdue,
            allowed_days,
        } => vec![
            ("invoice", int(invoice)),
            ("days_overdue", Int(days_overdue)),
            ("allowed_days", Int(i64::from(allowed_days))),
        ],
        Error::RefundExceedsSale {
            refundable,
            requested,
        } => vec![
            ("refundable", Dec(refundable)),
            ("requested", Dec(requested)),
        ],
        Error::RefundsToCreditDisabled => vec![],
        Error::ReceiptRequired => vec![],
        Error::ApplyExceedsBalanceOwed { owed, requested } => {
            vec![("owed", Dec(owed)), ("requested", Dec(requested))]
        }
        Error::AlreadyReversed { entry } => vec![("entry", int(entry))],
        Error::NotReversible { entry, reason } => {
            vec![("entry", int(entry)), ("reason", Str(reason))]
        }
        Error::WriteOffExceedsInvoice {
            remaining,
            requested,
        } => vec![("remaining", Dec(remaining)), ("requested", Dec(requested))],
        Error::PermissionDenied { permission } => {
            vec![("permission", Str(permission.as_str().to_string()))]
        }
        Error::OperationIdConflict { op_id } => vec![("op_id", Str(op_id))],
        Error::StoreContention { attempts } => vec![("attempts", Int(i64::from(attempts)))],
        Error::StoreFailed { code, message } => vec![
            ("host_code", Int(i64::from(code))),
            ("host_message", Str(message)),
        ],
        Error::CorruptRecord { reason } => vec![("reason", Str(reason))],
        Error::UnsupportedSchema { version, supported } => vec![
            ("version", Int(i64::from(version))),
            ("supported", Int(i64::from(supported))),
        ],
        Error::MissingRecipient => vec![],
        Error::HeaderInjection { field } => vec![("field", Str(field.to_string()))],
        Error::PaymentLinkAmountOutOfRange {
            min,
            max,
            requested,
        } => vec![
            ("min", Dec(min)),
            ("max", Dec(max)),
            ("requested", Dec(requested)),
        ],
        Error::UnknownPaymentLink { reference } => vec![("reference", Str(reference))],
        Error::PaymentAmountMismatch { expected, paid } => {
            vec![("expected", Dec(expected)), ("paid", Dec(paid))]
        }
        Error::DeliveryFailed { code, message } => vec![
            ("host_code", Int(i64::from(code))),
            ("host_message", Str(message)),
        ],
        Error::PaymentProviderFailed { code, message } => vec![
            ("host_code", Int(i64::from(code))),
            ("host_message", Str(message)),
        ],
        Error::PortMissing { port } => vec![("port", Str(port.to_string()))],
    };
    build(py, &ty, code, &message, fields)
}

fn int(v: u64) -> Field {
    Field::Int(i64::try_from(v).unwrap_or(i64::MAX))
}

fn build(
    py: Python<'_>,
    ty: &Bound<'_, pyo3::types::PyType>,
    code: u32,
    message: &str,
    fields: Vec<(&str, Field)>,
) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let exc = ty.call1(PyTuple::new(py, [message])?)?;
        exc.setattr("code", code)?;
        exc.setattr("message", message)?;
        for (name, value) in fields {
            match value {
                Field::Str(s) => exc.setattr(name, s)?,
                Field::Int(i) => exc.setattr(name, i)?,
                Field::Dec(d) => exc.setattr(name, d)?,
                Field::Date(d) => exc.setattr(name, d)?,
                Field::Strs(v) => exc.setattr(name, v)?,
            }
        }
        Ok(PyErr::from_value(exc))
    })();
    made.unwrap_or_else(|e| e)
}

/// A panic caught at the boundary, as `InternalError` (a `CreditbookError`, never a
/// `BaseException` that `except Exception` would miss).
pub fn panic_to_py(py: Python<'_>, payload: Box<dyn Any + Send>) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    let message = format!("internal error in creditbook (please report it): {what}");
    build(py, &py.get_type::<InternalError>(), 0, &message, vec![])
}

thread_local! {
    /// The exceptions Python ports (store, mailer, payment provider) raised during the current
    /// call on this thread, each with the message of the port failure it became. Ports run
    /// synchronously on the calling thread, so the boundary that called the core finds them here
    /// and sets each as the `__cause__` of the exception its failure becomes.
    static PORT_ERRORS: RefCell<Vec<(String, PyErr)>> = const { RefCell::new(Vec::new()) };
}

/// Keeps a port's exception for the boundary (see [`PORT_ERRORS`]); `message` is the message of
/// the core's port failure (`StoreFailed`, `DeliveryFailed`, `PaymentProviderFailed`).
pub fn stash_port_error(message: &str, err: PyErr) {
    PORT_ERRORS.with(|slot| slot.borrow_mut().push((message.to_string(), err)));
}

/// The port exceptions one core call left, in the order they were raised.
#[derive(Default)]
pub struct PortCauses(Vec<(String, PyErr)>);

impl PortCauses {
    fn take() -> PortCauses {
        PortCauses(PORT_ERRORS.with(|slot| std::mem::take(&mut *slot.borrow_mut())))
    }

    /// The exception behind a port failure of a Python port, if it is one (first in, first out:
    /// the failures of one call are converted in the order they happened).
    fn cause_of(&mut self, e: &Error) -> Option<PyErr> {
        let (Error::StoreFailed { code, message }
        | Error::DeliveryFailed { code, message }
        | Error::PaymentProviderFailed { code, message }) = e
        else {
            return None;
        };
        if *code != crate::store::PYTHON_PORT_FAILED {
            return None;
        }
        let i = self.0.iter().position(|(m, _)| m == message)?;
        Some(self.0.remove(i).1)
    }

    /// Maps a core error, chaining the Python port's exception behind it as `__cause__`.
    pub fn error(&mut self, py: Python<'_>, e: Error) -> PyErr {
        let cause = self.cause_of(&e);
        let err = to_py(py, e);
        if let Some(c) = cause {
            err.set_cause(py, Some(c));
        }
        err
    }
}

/// Runs a core call with the GIL released and panics caught, and maps its error. This is the
/// only way the bindings enter the core.
pub fn enter<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> Result<T, Error> + Send,
    T: Send,
{
    enter_with_causes(py, f).map(|(v, _)| v)
}

/// [`enter`] for calls whose result holds errors of its own (a receipt that could not be sent,
/// a reminder that failed): also returns the port exceptions left for those errors.
pub fn enter_with_causes<T, F>(py: Python<'_>, f: F) -> PyResult<(T, PortCauses)>
where
    F: FnOnce() -> Result<T, Error> + Send,
    T: Send,
{
    // Stale port errors from an earlier call must not become the cause of this call's error.
    drop(PortCauses::take());
    let result = py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    let mut causes = PortCauses::take();
    match result {
        Ok(Ok(v)) => Ok((v, causes)),
        Ok(Err(e)) => Err(causes.error(py, e)),
        Err(payload) => Err(panic_to_py(py, payload)),
    }
}

/// A core error raised outside a core call (argument conversion).
pub fn core(e: Error) -> PyErr {
    Python::attach(|py| to_py(py, e))
}

/// Test support: raises `InternalError` from a panic inside a core call, as any bug would.
#[cfg(feature = "test-hooks")]
#[pyfunction]
pub fn _force_panic(py: Python<'_>) -> PyResult<()> {
    enter(py, || -> Result<(), Error> {
        panic!("forced by the test suite")
    })
}

/// Test support: raises the exception of a core error code (one sample of each variant), so
/// the tests can check the whole mapping, including errors the Python API cannot provoke (a
/// currency mismatch: amounts are always in the store's currency).
#[cfg(feature = "test-hooks")]
#[pyfunction]
pub fn _raise_sample(py: Python<'_>, code: u32) -> PyResult<()> {
    let d = rust_decimal::Decimal::new(1250, 2);
    let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap_or_default();
    let s = |t: &str| t.to_string();
    let e = match code {
        100 => Error::AmountNotPositive { amount: d },
        101 => Error::AmountNegative { amount: d },
        102 => Error::TooManyDecimals {
            amount: d,
            currency: s("JPY"),
            allowed: 0,
        },
        103 => Error::CurrencyMismatch {
            expected: s("CAD"),
            got: s("EUR"),
        },
        104 => Error::UnknownCurrency { code: s("XXX") },
        105 => Error::InvalidAmountText { text: s("abc") },
        106 => Error::Overflow,
        107 => Error::InvalidInput {
            field: "op_id",
            reason: s("empty"),
        },
        108 => Error::InvalidEmail { address: s("x") },
        109 => Error::UnknownTimeZone {
            name: s("Mars/Olympus"),
        },
        110 => Error::InvalidDateRange {
            from: date,
            to: date,
        },
        111 => Error::LanguageNotOffered {
            language: s("de"),
            offered: vec![s("en")],
        },
        112 => Error::InvalidStatementRequest { reason: s("r") },
        200 => Error::UnknownAccount { account: s("A") },
        201 => Error::AccountExists { account: s("A") },
        202 => Error::AccountOnHold { account: s("A") },
        203 => Error::AccountArchived { account: s("A") },
        204 => Error::UnknownEntry { entry: 9 },
        205 => Error::UnknownInvoice { invoice: 9 },
        206 => Error::InvoiceNotOpen { invoice: 9 },
        207 => Error::InvalidState { reason: s("r") },
        300 => Error::CreditLimitExceeded {
            available: d,
            requested: d,
        },
        301 => Error::InsufficientCredit {
            available: d,
            requested: d,
        },
        302 => Error::OverdueCreditHold {
            invoice: 2,
            days_overdue: 40,
            allowed_days: 30,
        },
        303 => Error::RefundExceedsSale {
            refundable: d,
            requested: d,
        },
        304 => Error::RefundsToCreditDisabled,
        305 => Error::ReceiptRequired,
        306 => Error::ApplyExceedsBalanceOwed {
            owed: d,
            requested: d,
        },
        307 => Error::AlreadyReversed { entry: 2 },
        308 => Error::NotReversible {
            entry: 2,
            reason: s("r"),
        },
        309 => Error::WriteOffExceedsInvoice {
            remaining: d,
            requested: d,
        },
        400 => Error::PermissionDenied {
            permission: creditbook::Permission::AdjustBalance,
        },
        500 => Error::OperationIdConflict { op_id: s("o") },
        600 => Error::StoreContention { attempts: 64 },
        601 => Error::StoreFailed {
            code: 7,
            message: s("disk"),
        },
        602 => Error::CorruptRecord { reason: s("r") },
        603 => Error::UnsupportedSchema {
            version: 9,
            supported: 1,
        },
        113 => Error::MissingRecipient,
        114 => Error::HeaderInjection { field: "subject" },
        310 => Error::PaymentLinkAmountOutOfRange {
            min: d,
            max: d,
            requested: d,
        },
        311 => Error::UnknownPaymentLink { reference: s("L") },
        312 => Error::PaymentAmountMismatch {
            expected: d,
            paid: d,
        },
        604 => Error::DeliveryFailed {
            code: 5,
            message: s("smtp"),
        },
        605 => Error::PaymentProviderFailed {
            code: 6,
            message: s("psp"),
        },
        606 => Error::PortMissing { port: "mailer" },
        _ => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "no core error has code {code}"
            )))
        }
    };
    assert_eq!(e.code(), code, "the sample of code {code}");
    Err(to_py(py, e))
}
