//! `SqliteStore` (cargo feature `sqlite`, on by default): creditbook's durable store in one SQLite
//! file (crate `creditbook-sqlite`), handed to `Book(settings, store=SqliteStore(path))`.
//!
//! The store is native: a Book over it calls SQLite from Rust with the GIL released, with no
//! Python method in between. Opening (which may migrate the file or wait for another process)
//! releases the GIL too. Failures are the core's `StoreFailed`: `StorageError` with SQLite's code
//! in `host_code`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use creditbook::{Error, StoreError};
use creditbook_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

use crate::convert;
use crate::errors::{self, enter};

/// A creditbook store in one SQLite file: `Book(settings, store=SqliteStore(path))`. Safe to share
/// between Books and threads; several processes may open the same file (on one machine).
#[pyclass(frozen, module = "creditbook", name = "SqliteStore")]
pub struct PySqliteStore {
    store: Arc<SqliteStore>,
}

impl PySqliteStore {
    /// The store, shared with the Book made over it.
    pub fn shared(&self) -> Arc<SqliteStore> {
        Arc::clone(&self.store)
    }
}

/// The `busy_timeout` argument: seconds as an `int` or a `float` (not a bool), finite, from 0 to
/// a day.
fn busy_timeout(obj: &Bound<'_, PyAny>) -> PyResult<Duration> {
    if obj.is_instance_of::<PyBool>()
        || !(obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>())
    {
        return Err(PyTypeError::new_err(format!(
            "busy_timeout must be a number of seconds (int or float), not {}",
            obj.get_type().name()?
        )));
    }
    let seconds: f64 = obj.extract()?;
    if !(0.0..=86_400.0).contains(&seconds) {
        return Err(errors::core(Error::InvalidInput {
            field: "busy_timeout",
            reason: format!("{seconds} is not between 0 and 86400 seconds"),
        }));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[pymethods]
impl PySqliteStore {
    /// Opens (creating it when missing) the store in the SQLite file at `path`, in WAL mode.
    /// `synchronous`: `"full"` (the default: an acknowledged operation survives a power loss) or
    /// `"normal"` (survives the process being killed; the last operations before a power loss or
    /// an OS crash may be missing). `busy_timeout`: seconds a call waits for another process's
    /// write before SQLite answers busy. A file of an older schema is migrated; one that is not a
    /// creditbook database, of a newer schema or read-only raises `StorageError` (`host_code` 26,
    /// 17 or 8; SQLite's code otherwise) and is left untouched.
    #[new]
    #[pyo3(
        signature = (path, *, synchronous = None, busy_timeout = None),
        text_signature = "(path, *, synchronous='full', busy_timeout=5.0)"
    )]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        synchronous: Option<&Bound<'_, PyAny>>,
        busy_timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let synchronous = match synchronous {
            None => "full".to_string(),
            Some(s) => convert::text("synchronous", s)?,
        };
        let synchronous = match synchronous.as_str() {
            "full" => Synchronous::Full,
            "normal" => Synchronous::Normal,
            other => {
                return Err(errors::core(Error::InvalidInput {
                    field: "synchronous",
                    reason: format!("{other:?} is not one of full, normal"),
                }))
            }
        };
        let mut options = SqliteOptions {
            synchronous,
            ..SqliteOptions::default()
        };
        if let Some(t) = busy_timeout {
            options.busy_timeout = self::busy_timeout(t)?;
        }
        let store = enter(py, move || {
            SqliteStore::open_with(path, options).map_err(|e| Error::from(StoreError::from(e)))
        })?;
        Ok(PySqliteStore {
            store: Arc::new(store),
        })
    }

    /// The file the store is in.
    #[getter]
    fn path(&self) -> PathBuf {
        self.store.path().to_path_buf()
    }

    /// Writes a consistent copy of the store to `target`, a new file (SQLite's `VACUUM INTO`),
    /// safe while Books and other processes keep writing. The GIL is released meanwhile.
    fn backup_to(&self, py: Python<'_>, target: PathBuf) -> PyResult<()> {
        let store = Arc::clone(&self.store);
        enter(py, move || store.backup_to(target).map_err(Error::from))
    }

    /// Moves the write-ahead log into the database file and truncates it (SQLite checkpoints by
    /// itself; this is for copying the file with ordinary tools once no process has it open).
    fn checkpoint(&self, py: Python<'_>) -> PyResult<()> {
        let store = Arc::clone(&self.store);
        enter(py, move || store.checkpoint().map_err(Error::from))
    }

    fn __repr__(&self) -> String {
        format!("SqliteStore({:?})", self.store.path().display().to_string())
    }
}
