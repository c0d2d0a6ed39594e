//! A mailer and a payment provider written in Python: any object with `send(message) -> str`
//! (the delivery id), any object with `create_link(request) -> str` (the URL).
//!
//! Like the store port (module `store`), each is called with the GIL released by the Book and
//! re-attaches only for the duration of the Python method. An exception raised by the method (or
//! a result that is not a `str`) becomes the core's `PortError` with code `PYTHON_PORT_FAILED`,
//! hence `DeliveryError` / `PaymentProviderError`, the exception kept as its `__cause__`.

use creditbook::{Mailer, Message, PaymentLinkRequest, PaymentProvider, PortError};
use pyo3::prelude::*;

use crate::errors;
use crate::outreach::{PyMessage, PyPaymentLinkRequest};
use crate::store::{describe, PYTHON_PORT_FAILED};

/// Checks that `port` has a callable `method`.
fn check(port: &Bound<'_, PyAny>, what: &str, method: &str, protocol: &str) -> PyResult<()> {
    let ok = port
        .getattr(method)
        .map(|m| m.is_callable())
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{what} must have a callable {method}() (see creditbook.{protocol})"
        )))
    }
}

/// Calls `method` of `port` with `arg` and reads a `str` back; any failure is a `PortError`
/// whose exception is stashed for the boundary.
fn call(
    port: &Py<PyAny>,
    what: &str,
    method: &str,
    arg: impl FnOnce(Python<'_>) -> PyResult<Py<PyAny>>,
) -> Result<String, PortError> {
    Python::attach(|py| {
        let result = arg(py)
            .and_then(|a| port.bind(py).call_method1(method, (a,)))
            .and_then(|r| {
                crate::convert::text(&format!("the value returned by {what}'s {method}()"), &r)
            });
        result.map_err(|e| {
            let message = format!("the {what}'s {method}() raised {}", describe(py, &e));
            errors::stash_port_error(&message, e);
            PortError::new(PYTHON_PORT_FAILED, message)
        })
    })
}

/// A Python object used as the Book's [`Mailer`].
pub struct PyMailer {
    port: Py<PyAny>,
}

impl PyMailer {
    /// Checks that `port` has `send`.
    pub fn new(port: &Bound<'_, PyAny>) -> PyResult<PyMailer> {
        check(port, "mailer", "send", "MailerPort")?;
        Ok(PyMailer {
            port: port.clone().unbind(),
        })
    }
}

impl Mailer for PyMailer {
    fn send(&self, message: &Message) -> Result<String, PortError> {
        call(&self.port, "mailer", "send", |py| {
            Ok(Py::new(py, PyMessage::new(message.clone()))?.into_any())
        })
    }
}

/// A Python object used as the Book's [`PaymentProvider`].
pub struct PyProvider {
    port: Py<PyAny>,
}

impl PyProvider {
    /// Checks that `port` has `create_link`.
    pub fn new(port: &Bound<'_, PyAny>) -> PyResult<PyProvider> {
        check(
            port,
            "payment provider",
            "create_link",
            "PaymentProviderPort",
        )?;
        Ok(PyProvider {
            port: port.clone().unbind(),
        })
    }
}

impl PaymentProvider for PyProvider {
    fn create_link(&self, request: &PaymentLinkRequest) -> Result<String, PortError> {
        call(&self.port, "payment provider", "create_link", |py| {
            Ok(Py::new(
                py,
                PyPaymentLinkRequest {
                    inner: request.clone(),
                },
            )?
            .into_any())
        })
    }
}
