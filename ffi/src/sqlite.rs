//! The SQLite store in C (cargo feature `sqlite`, on by default): `creditbook_sqlite_store`, a
//! durable store in one file (crate `creditbook-sqlite`), and the books made over it.
//!
//! The store is native: a book over it calls SQLite directly, with no callback and no record
//! crossing the boundary. A handle holds the store by reference count, so books made over it keep
//! the file open after the handle is freed.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use creditbook::StoreError;
use creditbook_sqlite::{SqliteOptions, SqliteStore, Synchronous};

use crate::book::creditbook_book;
use crate::handle;
use crate::native;
use crate::panic::ffi_panic_boundary;
use crate::ports::{creditbook_mailer_callbacks, creditbook_payment_provider_callbacks};
use crate::result::{creditbook_result, FfiResult};
use crate::settings::creditbook_settings;
use crate::store::HostStore;
use crate::strings::{arg, out};
use crate::values::{c_enum, CEnum};

/// A creditbook store in one SQLite file (WAL mode), opened by `creditbook_sqlite_store_open`,
/// released by `creditbook_sqlite_store_free`. Give it to `creditbook_book_new_sqlite`; several
/// books, on several threads, may share one store. Each book keeps the file open until it is
/// freed too: the store handle may be freed as soon as the books are made.
///
/// Several processes may open the same file (on one machine, on a local disk): an operation
/// another process recorded first makes this one catch up and decide again. docs/stores.md says
/// what is guaranteed, how the file is backed up, and its schema.
#[allow(non_camel_case_types)]
pub struct creditbook_sqlite_store {
    store: Arc<SqliteStore>,
}

/// How durable each recorded operation is (`creditbook_sqlite_store_open_with`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_sqlite_synchronous {
    /// Every operation is fsynced before the call returns: an acknowledged operation survives a
    /// crash of the process, of the operating system and a power loss. The default.
    Full = 0,
    /// Fsynced only at checkpoints: an acknowledged operation survives the process being killed,
    /// but the last ones before a power loss or an OS crash may be missing (never half of one).
    /// Many times faster.
    Normal = 1,
}

c_enum!(creditbook_sqlite_synchronous: Full, Normal);

/// Opens the store, or writes why not to `error_out` (when not NULL).
fn open(
    path: *const c_char,
    options: impl FnOnce() -> FfiResult<SqliteOptions>,
    store_out: *mut *mut creditbook_sqlite_store,
    error_out: *mut *mut c_char,
) -> creditbook_result {
    let opened = || -> FfiResult<creditbook_sqlite_store> {
        out(store_out, "store_out")?;
        // SAFETY: the caller's string, valid for the call.
        let path = unsafe { arg(path, "path") }?;
        let options = options()?;
        let store = SqliteStore::open_with(path, options)
            .map_err(|e| native::store_failed(StoreError::from(e)))?;
        Ok(creditbook_sqlite_store {
            store: Arc::new(store),
        })
    };
    native::give_store(opened(), store_out, error_out)
}

/// Opens the creditbook store in the SQLite file at `path` (UTF-8), creating the file when it does
/// not exist, with the defaults: `CREDITBOOK_SQLITE_SYNCHRONOUS_FULL`, a 5 s busy timeout. A file
/// of an older schema is migrated; a file that is not a creditbook database, of a newer schema or
/// read-only is refused and left untouched. On success writes a new handle to `*store_out`
/// (release it with `creditbook_sqlite_store_free`).
///
/// A failure is `CREDITBOOK_RESULT_STORE_FAILED` (`NULL_PARAMETER`, `INVALID_UTF8` for bad
/// arguments). There is no handle yet to keep its message: `error_out` (NULL: not wanted)
/// receives it, a new string to release with `creditbook_string_free`, written only on failure
/// (and left as it was on success). The message holds the reason's number: "store failed (code
/// 26): <path> is not a creditbook database: ..." (26: not a creditbook file, 17: a newer schema,
/// 8: read-only, else SQLite's extended result code with its message).
#[no_mangle]
pub extern "C" fn creditbook_sqlite_store_open(
    path: *const c_char,
    store_out: *mut *mut creditbook_sqlite_store,
    error_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!({ open(path, || Ok(SqliteOptions::default()), store_out, error_out) })
}

/// `creditbook_sqlite_store_open` with options: `synchronous` (a `creditbook_sqlite_synchronous`)
/// and `busy_timeout_ms`, how long a call waits for another process holding the write lock
/// before SQLite answers busy (retried a few times, then the operation fails with
/// `STORE_FAILED`, SQLite's code 5 in the message; nothing recorded). Everything else as there:
/// `error_out` (NULL: not wanted) receives the reason of a failure; an unknown `synchronous` is
/// `INVALID_ENUM`, before the file is touched.
#[no_mangle]
pub extern "C" fn creditbook_sqlite_store_open_with(
    path: *const c_char,
    synchronous: u32,
    busy_timeout_ms: u32,
    store_out: *mut *mut creditbook_sqlite_store,
    error_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!({
        let options = || {
            Ok(SqliteOptions {
                synchronous: match creditbook_sqlite_synchronous::checked(synchronous)? {
                    creditbook_sqlite_synchronous::Full => Synchronous::Full,
                    creditbook_sqlite_synchronous::Normal => Synchronous::Normal,
                },
                busy_timeout: Duration::from_millis(u64::from(busy_timeout_ms)),
                ..SqliteOptions::default()
            })
        };
        open(path, options, store_out, error_out)
    })
}

/// Releases a store handle. NULL is a no-op; never release twice. Books made over it keep
/// working (they hold the file open until they are freed).
#[no_mangle]
pub extern "C" fn creditbook_sqlite_store_free(store: *mut creditbook_sqlite_store) {
    ffi_panic_boundary!({
        // SAFETY: made by `creditbook_sqlite_store_open`, or NULL.
        unsafe { handle::free(store) }
    })
}

/// Makes a book over a SQLite store, as `creditbook_book_new_with_ports` does over the host's
/// callbacks: from the store's settings (copied) and `store` (shared: the book keeps the file
/// open until the book is freed), with the host's mailer and payment provider (each copied).
/// `mailer` and `payment_provider` may be NULL: none (what needs one fails with
/// `CREDITBOOK_RESULT_PORT_MISSING`). On success writes a new handle to `*book_out` (release it
/// with `creditbook_book_free`). Refusals are kept as the settings' last error. Once made, a SQLite failure fails
/// an operation with `CREDITBOOK_RESULT_STORE_FAILED` and SQLite's extended result code in the
/// book's last error ("store failed (code 778): disk I/O error"); nothing is recorded.
#[no_mangle]
pub extern "C" fn creditbook_book_new_sqlite(
    settings: *const creditbook_settings,
    store: *const creditbook_sqlite_store,
    mailer: *const creditbook_mailer_callbacks,
    payment_provider: *const creditbook_payment_provider_callbacks,
    book_out: *mut *mut creditbook_book,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
        let shared = |s: &creditbook_sqlite_store| -> HostStore { Box::new(Arc::clone(&s.store)) };
        native::new_book_over(settings, store, shared, mailer, payment_provider, book_out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::{CStr, CString};
    use std::ptr;

    fn open_at(
        path: &std::path::Path,
    ) -> (creditbook_result, *mut creditbook_sqlite_store, String) {
        let p = CString::new(path.to_str().unwrap()).unwrap();
        let mut store = ptr::null_mut();
        let mut error = ptr::null_mut();
        let rc = creditbook_sqlite_store_open(p.as_ptr(), &mut store, &mut error);
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
        (rc, store, message)
    }

    /// The typed reason of a refused file reaches C in the message, with its number.
    #[test]
    fn a_text_file_is_refused_with_its_reason() {
        let dir =
            std::env::temp_dir().join(format!("creditbook-ffi-sqlite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notes.txt");
        std::fs::write(&path, "not a database, just words\n".repeat(200)).unwrap();
        let (rc, store, message) = open_at(&path);
        assert_eq!(rc, creditbook_result::StoreFailed);
        assert!(store.is_null());
        assert!(message.contains("store failed (code 26)"), "{message}");
        assert!(
            message.contains("is not a creditbook database"),
            "{message}"
        );
        let (rc, store, message) = open_at(&dir.join("book.sqlite3"));
        assert_eq!(rc, creditbook_result::Ok, "{message}");
        assert!(message.is_empty());
        creditbook_sqlite_store_free(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// An unknown synchronous mode is refused before the file is touched.
    #[test]
    fn synchronous_is_checked() {
        let path = CString::new("/nonexistent-dir/never.sqlite3").unwrap();
        let mut store = ptr::null_mut();
        let rc =
            creditbook_sqlite_store_open_with(path.as_ptr(), 2, 100, &mut store, ptr::null_mut());
        assert_eq!(rc, creditbook_result::InvalidEnum);
        assert!(store.is_null());
    }
}
