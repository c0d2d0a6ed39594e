//! Python bindings for creditbook: the native module `creditbook._creditbook`.
//!
//! The bindings convert arguments strictly (module `convert`), call the core `Book` with the GIL
//! released and panics caught (`errors::enter`, the only way in), and wrap results in read-only
//! objects (`results`, `statement`). A Python object can be the Book's store (`store`), its mailer or its payment provider
//! (`ports`); `SqliteStore` (`sqlite`, feature `sqlite`) and `PostgresStore` (`postgres`, feature
//! `postgres`) are the native durable stores; messages,
//! links and reminders are in `outreach`. No rule
//! of the domain is written here: if one is, it is in the wrong place.

mod book;
mod convert;
mod errors;
mod outreach;
mod ports;
#[cfg(feature = "postgres")]
mod postgres;
mod repr;
mod results;
mod settings;
#[cfg(feature = "sqlite")]
mod sqlite;
mod statement;
mod store;

use pyo3::prelude::*;

/// The native module; `creditbook/__init__.py` re-exports its names.
#[pymodule]
fn _creditbook(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("PYTHON_PORT_FAILED", store::PYTHON_PORT_FAILED)?;
    // The permission names, from the core's one list.
    m.add(
        "PERMISSIONS",
        pyo3::types::PyFrozenSet::new(
            m.py(),
            creditbook::Permission::ALL.iter().map(|p| p.as_str()),
        )?,
    )?;
    m.add_class::<settings::PyStoreSettings>()?;
    m.add_class::<settings::PyPostalAddress>()?;
    m.add_class::<settings::PyPaymentTerms>()?;
    m.add_class::<settings::PyActor>()?;
    m.add_class::<book::PyBook>()?;
    #[cfg(feature = "sqlite")]
    m.add_class::<sqlite::PySqliteStore>()?;
    #[cfg(feature = "postgres")]
    m.add_class::<postgres::PyPostgresStore>()?;
    m.add_class::<results::PyOutcome>()?;
    m.add_class::<results::PyCharge>()?;
    m.add_class::<results::PyPayment>()?;
    m.add_class::<results::PyAllocation>()?;
    m.add_class::<results::PyEntry>()?;
    m.add_class::<results::PyActivityLine>()?;
    m.add_class::<results::PyCustomer>()?;
    m.add_class::<results::PyAccountSummary>()?;
    m.add_class::<results::PyOpenInvoice>()?;
    m.add_class::<results::PyAging>()?;
    m.add_class::<results::PyAgingBucket>()?;
    m.add_class::<statement::PyStatement>()?;
    m.add_class::<statement::PyStatementLine>()?;
    m.add_class::<outreach::PyMessage>()?;
    m.add_class::<outreach::PyAttachment>()?;
    m.add_class::<outreach::PyPaymentLinkRequest>()?;
    m.add_class::<outreach::PyPaymentLink>()?;
    m.add_class::<outreach::PyPaymentLinkShown>()?;
    m.add_class::<outreach::PySent>()?;
    m.add_class::<outreach::PySendResult>()?;
    m.add_class::<outreach::PyConfirmed>()?;
    m.add_class::<outreach::PyReminderDue>()?;
    m.add_class::<outreach::PyAutomation>()?;
    errors::register(m)?;
    #[cfg(feature = "test-hooks")]
    {
        m.add_function(wrap_pyfunction!(errors::_force_panic, m)?)?;
        m.add_function(wrap_pyfunction!(errors::_raise_sample, m)?)?;
        // Not part of the module's API: out of `__all__`, as the stubs (which omit them) say.
        let all = m.getattr("__all__")?;
        all.call_method1("remove", ("_force_panic",))?;
        all.call_method1("remove", ("_raise_sample",))?;
    }
    m.add_function(wrap_pyfunction!(errors::_localize_error, m)?)?;
    m.add_function(wrap_pyfunction!(store::check_store, m)?)?;
    #[cfg(feature = "pdf")]
    m.add_function(wrap_pyfunction!(statement::print_run, m)?)?;
    m.add_class::<errors::CoreError>()?;
    let enums = m.py().import("creditbook._enums")?;
    m.add("Standing", enums.getattr("Standing")?)?;
    m.add("AccountStatus", enums.getattr("AccountStatus")?)?;
    Ok(())
}
