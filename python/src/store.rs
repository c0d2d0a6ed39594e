//! A store port written in Python: any object with `load`, `append` and `account_ids`.
//!
//! The Book calls it with the GIL released; each call re-attaches only for the duration of the
//! Python method. Entries cross as their persisted records (`Entry.to_record()` JSON lines), so a
//! Python store keeps text and never parses amounts. An exception raised by a method fails the
//! operation with `StorageError` (the exception as its `__cause__`) and nothing is recorded;
//! `creditbook.Conflict` from `append` is the optimistic-concurrency answer and makes the Book
//! catch up and decide again.

use creditbook::{Entry, Store, StoreError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use smol_str::SmolStr;

use crate::errors::{self, Conflict};

/// The host code a Python port's failure carries in `StorageError.host_code`.
pub const PYTHON_PORT_FAILED: i32 = -1;

/// A Python object used as the Book's [`Store`].
pub struct PyStore {
    port: Py<PyAny>,
}

impl PyStore {
    /// Checks that `port` has the three methods.
    pub fn new(port: &Bound<'_, PyAny>) -> PyResult<PyStore> {
        for method in ["load", "append", "account_ids"] {
            let ok = port
                .getattr(method)
                .map(|m| m.is_callable())
                .unwrap_or(false);
            if !ok {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "store must have a callable {method}() (see creditbook.StorePort)"
                )));
            }
        }
        Ok(PyStore {
            port: port.clone().unbind(),
        })
    }
}

/// Turns a port's exception into the core's store failure, keeping the exception for the
/// boundary to chain.
fn failed(py: Python<'_>, method: &str, err: PyErr) -> StoreError {
    let message = format!("the store port's {method}() raised {}", describe(py, &err));
    errors::stash_port_error(&message, err);
    StoreError::Failed {
        code: PYTHON_PORT_FAILED,
        message,
    }
}

pub fn describe(py: Python<'_>, err: &PyErr) -> String {
    let value = err.value(py);
    let name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an exception".to_string());
    match value.str() {
        Ok(s) if !s.to_string().is_empty() => format!("{name}: {s}"),
        _ => name,
    }
}

/// A record that is not a `str` (or a record the core cannot read) is a store failure too.
fn records(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let mut out = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        out.push(crate::convert::text("a record returned by load()", &item)?);
    }
    Ok(out)
}

impl Store for PyStore {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        let texts = Python::attach(|py| {
            self.port
                .bind(py)
                .call_method1("load", (account, after))
                .and_then(|r| records(&r))
                .map_err(|e| failed(py, "load", e))
        })?;
        // Parsing needs no GIL. A corrupt record is reported as the core's CorruptRecord.
        let mut entries = Vec::with_capacity(texts.len());
        for t in &texts {
            match Entry::from_record(t) {
                Ok(e) => entries.push(e),
                Err(e) => {
                    return Err(StoreError::Failed {
                        code: PYTHON_PORT_FAILED,
                        message: format!("load() returned a record creditbook cannot read: {e}"),
                    })
                }
            }
        }
        Ok(entries)
    }

    fn append(
        &self,
        account: &str,
        expected_version: u64,
        entries: &[Entry],
    ) -> Result<(), StoreError> {
        let texts: Vec<String> = entries.iter().map(Entry::to_record).collect();
        Python::attach(|py| {
            let list = PyList::new(py, &texts).map_err(|e| failed(py, "append", e))?;
            match self
                .port
                .bind(py)
                .call_method1("append", (account, expected_version, list))
            {
                Ok(_) => Ok(()),
                Err(e) if e.is_instance_of::<Conflict>(py) => Err(StoreError::Conflict),
                Err(e) => Err(failed(py, "append", e)),
            }
        })
    }

    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        Python::attach(|py| {
            let ids = self
                .port
                .bind(py)
                .call_method0("account_ids")
                .and_then(|r| {
                    let mut out = Vec::new();
                    for item in r.try_iter()? {
                        out.push(SmolStr::new(crate::convert::text(
                            "an id returned by account_ids()",
                            &item?,
                        )?));
                    }
                    Ok(out)
                });
            ids.map_err(|e| failed(py, "account_ids", e))
        })
    }
}

/// Runs the Store contract (`creditbook::store::conformance`: ledger order, loads after a
/// version, entries read back equal, all-or-nothing appends, conflicts with nothing written,
/// account listing, similar and reserved-looking ids, threads appending to one account at once)
/// on `store` (a `SqliteStore`, a `PostgresStore` or a store of your own with the port's three
/// methods). Returns the
/// report when every check passed; raises `AssertionError` naming the first check that failed and
/// what the store did. The checks use account ids of their own, so a store holding data is left
/// alone; they call the store from several threads (the GIL is released between calls).
#[pyfunction]
pub fn check_store(py: Python<'_>, store: &Bound<'_, PyAny>) -> PyResult<String> {
    let shared: std::sync::Arc<dyn Store> =
        std::sync::Arc::from(crate::book::native_or_port(store)?);
    let result = py.detach(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            creditbook::store::conformance::run(|| shared.clone())
        }))
    });
    match result {
        Ok(Ok(report)) => Ok(report.to_string()),
        Ok(Err(failure)) => Err(pyo3::exceptions::PyAssertionError::new_err(
            failure.to_string(),
        )),
        Err(payload) => Err(crate::errors::panic_to_py(py, payload)),
    }
}
