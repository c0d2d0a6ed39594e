//! The PostgreSQL store in C (cargo feature `postgres`, on by default): `creditbook_postgres_store`,
//! a store in a PostgreSQL database shared by many registers, stores and back offices (crate
//! `creditbook-postgres`), and the books made over it.
//!
//! The store is native: a book over it talks to PostgreSQL directly, with no callback and no
//! record crossing the boundary. A handle holds the store's connection pool by reference count,
//! so books made over it keep the pool after the handle is freed. Messages never hold the DSN's
//! password (the client library never puts it in its errors, and the DSN itself is never quoted).

use std::ffi::c_char;

use creditbook::StoreError;
use creditbook_postgres::PostgresStore;

use crate::book::creditbook_book;
use crate::handle;
use crate::native;
use crate::panic::ffi_panic_boundary;
use crate::ports::{creditbook_mailer_callbacks, creditbook_payment_provider_callbacks};
use crate::result::{creditbook_result, FfiResult};
use crate::settings::creditbook_settings;
use crate::store::HostStore;
use crate::strings::{arg, out};

/// A creditbook store in a PostgreSQL database, connected by `creditbook_postgres_store_connect`,
/// released by `creditbook_postgres_store_free`. Give it to `creditbook_book_new_postgres`;
/// several books, on several threads, may share one store (and its pool of connections). Each
/// book keeps the pool until it is freed too: the store handle may be freed as soon as the books
/// are made.
///
/// Many processes on many machines may use the same database: an operation another register
/// recorded first makes this one catch up and decide again. docs/stores.md says what is
/// guaranteed, what happens when the server goes away, and the schema.
#[allow(non_camel_case_types)]
pub struct creditbook_postgres_store {
    store: PostgresStore,
}

/// Connects to the PostgreSQL database `dsn` (UTF-8): a libpq-style connection string
/// (`"host=/run/postgresql user=till dbname=shop"`) or a URL (`"postgresql://till@db/shop"`).
/// The tables are `public.creditbook_*`, with a pool of at most 4 connections (one is opened
/// now) and a 5 s connect timeout unless the DSN sets `connect_timeout`. The schema is created in
/// a new database and migrated in an older one; a database of a newer schema, or tables of the
/// same names that are not creditbook's, are refused and left untouched. On success writes a new
/// handle to `*store_out` (release it with `creditbook_postgres_store_free`).
///
/// A failure is `CREDITBOOK_RESULT_STORE_FAILED` (`NULL_PARAMETER`, `INVALID_UTF8` for bad
/// arguments). There is no handle yet to keep its message: `error_out` (NULL: not wanted)
/// receives it, a new string to release with `creditbook_string_free`, written only on failure
/// (and left as it was on success). The message holds the reason's number and never the
/// password: -6 a malformed DSN ("store failed (code -6): invalid PostgreSQL store options: the
/// DSN: ..."), -4 a newer schema, -5 not a creditbook store, else the SQLSTATE as a number
/// (`sqlstate_code` in crate creditbook-postgres) with the SQLSTATE itself in the text: "store
/// failed (code 100663808): PostgreSQL 08006: error connecting to server: ..." when the server
/// cannot be reached, the server's own code when it refused (a login, a privilege).
#[no_mangle]
pub extern "C" fn creditbook_postgres_store_connect(
    dsn: *const c_char,
    store_out: *mut *mut creditbook_postgres_store,
    error_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!({
        let connected = || -> FfiResult<creditbook_postgres_store> {
            out(store_out, "store_out")?;
            // SAFETY: the caller's string, valid for the call.
            let dsn = unsafe { arg(dsn, "dsn") }?;
            let store = PostgresStore::connect(dsn)
                .map_err(|e| native::store_failed(StoreError::from(e)))?;
            Ok(creditbook_postgres_store { store })
        };
        native::give_store(connected(), store_out, error_out)
    })
}

/// Releases a store handle. NULL is a no-op; never release twice. Books made over it keep
/// working (they hold the pool until they are freed; the last one closes its connections).
#[no_mangle]
pub extern "C" fn creditbook_postgres_store_free(store: *mut creditbook_postgres_store) {
    ffi_panic_boundary!({
        // SAFETY: made by `creditbook_postgres_store_connect`, or NULL.
        unsafe { handle::free(store) }
    })
}

/// Makes a book over a PostgreSQL store, as `creditbook_book_new_sqlite` does over a SQLite
/// store: from the store's settings (copied) and `store` (shared: the book keeps the pool until
/// the book is freed), with the host's mailer and payment provider (each copied). `mailer` and
/// `payment_provider` may be NULL: none (what needs one fails with
/// `CREDITBOOK_RESULT_PORT_MISSING`). On success writes a new handle to `*book_out` (release it
/// with `creditbook_book_free`). Refusals are kept as the settings' last error. Once made, a
/// PostgreSQL failure the store could not resolve (the server unreachable) fails an operation with
/// `CREDITBOOK_RESULT_STORE_FAILED` and the SQLSTATE in the book's last error; nothing is
/// recorded, and an operation whose outcome stayed unknown is safe to run again with the same
/// operation id (it answers replayed if it had been recorded).
#[no_mangle]
pub extern "C" fn creditbook_book_new_postgres(
    settings: *const creditbook_settings,
    store: *const creditbook_postgres_store,
    mailer: *const creditbook_mailer_callbacks,
    payment_provider: *const creditbook_payment_provider_callbacks,
    book_out: *mut *mut creditbook_book,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
        let shared = |s: &creditbook_postgres_store| -> HostStore { Box::new(s.store.clone()) };
        native::new_book_over(settings, store, shared, mailer, payment_provider, book_out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::{CStr, CString};
    use std::ptr;

    /// Connects to `dsn`: the result, whether a handle was written, and the message.
    fn connect(dsn: &str) -> (creditbook_result, bool, String) {
        let dsn = CString::new(dsn).unwrap();
        let mut store = ptr::null_mut();
        let mut error = ptr::null_mut();
        let rc = creditbook_postgres_store_connect(dsn.as_ptr(), &mut store, &mut error);
        let made = !store.is_null();
        creditbook_postgres_store_free(store);
        let message = if error.is_null() {
            String::new()
        } else {
            // SAFETY: a string this library wrote.
            let m = unsafe { CStr::from_ptr(error) }
                .to_str()
                .unwrap()
                .to_string();
            crate::strings::creditbook_string_free(error);
            m
        };
        (rc, made, message)
    }

    /// Refused DSNs (no server needed): the typed code, the reason, and never the password.
    #[test]
    fn refused_dsns_keep_the_password_out_of_the_message() {
        let cases = [
            // no socket there: the connection fails at once
            (
                "host=/nonexistent/creditbook port=5432 user=till dbname=shop password=pw-s3cret-1",
                "(code 100663808): PostgreSQL 08006",
            ),
            // malformed: the option is named, never its value
            (
                "host=/tmp port=notaport user=till password=pw-s3cret-1",
                "(code -6): invalid PostgreSQL store options",
            ),
            (
                "user=till password='pw-s3cret-1",
                "(code -6): invalid PostgreSQL store options",
            ),
            (
                "postgresql://till:pw-s3cret-1@localhost:notaport/shop",
                "(code -6): invalid PostgreSQL store options",
            ),
        ];
        for (dsn, want) in cases {
            let (rc, made, message) = connect(dsn);
            assert_eq!(rc, creditbook_result::StoreFailed, "{dsn}: {message}");
            assert!(!made);
            assert!(message.contains(want), "{dsn}: {message}");
            assert!(!message.contains("pw-s3cret"), "{dsn}: {message}");
        }
    }
}
