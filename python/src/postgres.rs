//! `PostgresStore` (cargo feature `postgres`, on by default): creditbook's store in a PostgreSQL
//! database shared by many registers, stores and back offices (crate `creditbook-postgres`),
//! handed to `Book(settings, store=PostgresStore(dsn))`.
//!
//! The store is native: a Book over it talks to PostgreSQL from Rust with the GIL released, with
//! no Python method in between. Connecting (which may create or migrate the schema, or wait for
//! an unreachable server until the connect timeout) releases the GIL too. Failures are the
//! core's `StoreFailed`, as `SqliteStore`'s: `StorageError` with the SQLSTATE as a number in
//! `host_code` (the store's own negative codes otherwise). No message holds the DSN's password.

use creditbook::{Error, StoreError};
use creditbook_postgres::{PostgresOptions, PostgresStore};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt};

use crate::convert;
use crate::errors::{self, enter};

/// A creditbook store in a PostgreSQL database: `Book(settings, store=PostgresStore(dsn))`. Safe
/// to share between Books and threads (one pool of connections); many processes on many
/// machines may use the same database.
#[pyclass(frozen, module = "creditbook", name = "PostgresStore")]
pub struct PyPostgresStore {
    store: PostgresStore,
}

impl PyPostgresStore {
    /// The store (sharing its pool), for the Book made over it.
    pub fn shared(&self) -> PostgresStore {
        self.store.clone()
    }
}

/// The `pool_size` argument: an `int` (not a bool), at least 1.
fn pool_size(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "pool_size must be an int, not {}",
            obj.get_type().name()?
        )));
    }
    match obj.extract::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(errors::core(Error::InvalidInput {
            field: "pool_size",
            reason: format!("{obj} is not a number of connections (at least 1)"),
        })),
    }
}

#[pymethods]
impl PyPostgresStore {
    /// Connects to the PostgreSQL database `dsn`: a libpq-style connection string
    /// (`"host=/run/postgresql user=till dbname=shop"`) or a URL (`"postgresql://till@db/shop"`).
    /// `pool_size`: connections kept at most (one is opened now). `schema` (default `public`)
    /// and `table_prefix` (default `creditbook_`): where the tables are, lowercase names. The
    /// schema is created in a new database and migrated in an older one. A malformed DSN or bad
    /// names, a database of a newer schema, tables of the same names that are not creditbook's,
    /// or a server that cannot be reached or refuses raise `StorageError` (`host_code` -6, -4,
    /// -5, or the SQLSTATE as a number, the SQLSTATE itself in the message), the database left
    /// untouched; the message never holds the password.
    #[new]
    #[pyo3(
        signature = (dsn, *, pool_size = None, schema = None, table_prefix = None),
        text_signature = "(dsn, *, pool_size=4, schema=None, table_prefix=None)"
    )]
    fn new(
        py: Python<'_>,
        dsn: &Bound<'_, PyAny>,
        pool_size: Option<&Bound<'_, PyAny>>,
        schema: Option<&Bound<'_, PyAny>>,
        table_prefix: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let dsn = convert::text("dsn", dsn)?;
        let mut options = PostgresOptions::default();
        if let Some(n) = pool_size {
            options.pool_size = self::pool_size(n)?;
        }
        if let Some(s) = schema.filter(|s| !s.is_none()) {
            options.schema = convert::text("schema", s)?;
        }
        if let Some(p) = table_prefix.filter(|p| !p.is_none()) {
            options.table_prefix = convert::text("table_prefix", p)?;
        }
        let store = enter(py, move || {
            PostgresStore::connect_with(&dsn, options).map_err(|e| Error::from(StoreError::from(e)))
        })?;
        Ok(PyPostgresStore { store })
    }

    /// The entries table, qualified and quoted (`"public"."creditbook_entries"`).
    #[getter]
    fn entries_table(&self) -> String {
        self.store.entries_table()
    }

    /// The number of entries held, over all accounts (one query; the GIL is released).
    fn entry_count(&self, py: Python<'_>) -> PyResult<u64> {
        let store = self.store.clone();
        enter(py, move || store.entry_count().map_err(Error::from))
    }

    fn __repr__(&self) -> String {
        // The tables, never the DSN (it may hold a password).
        format!("PostgresStore(entries={})", self.store.entries_table())
    }
}
