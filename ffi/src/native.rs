//! What the native stores (`sqlite.rs`, `postgres.rs`) share: handing out a new store handle or
//! the reason it could not be made (there is no handle yet to keep the message), and making a
//! book over a store handle. One code path, so both stores keep the same conventions.

use std::ffi::c_char;

use crate::book::{creditbook_book, new_book};
use crate::handle;
use crate::ports::{creditbook_mailer_callbacks, creditbook_payment_provider_callbacks};
use crate::result::{creditbook_result, FfiError, FfiResult};
use crate::settings::creditbook_settings;
use crate::store::HostStore;
use crate::strings;

/// A store failure (`CREDITBOOK_RESULT_STORE_FAILED`, its code and message kept).
pub(crate) fn store_failed(e: creditbook::StoreError) -> FfiError {
    FfiError::from(creditbook::Error::from(e))
}

/// Gives the store `made` to `*store_out`, or writes why not to `error_out` (when not NULL).
/// `made` must have checked `store_out` is not NULL before succeeding.
pub(crate) fn give_store<T>(
    made: FfiResult<T>,
    store_out: *mut *mut T,
    error_out: *mut *mut c_char,
) -> creditbook_result {
    match made {
        Ok(made) => {
            // SAFETY: `made` checked `store_out` is not NULL.
            unsafe { handle::give(store_out, made) };
            creditbook_result::Ok
        }
        Err(e) => {
            if !error_out.is_null() {
                // The reason is best effort: the result code stands even if it cannot be written.
                let _ = strings::write_string(error_out, "error_out", e.message());
            }
            e.result()
        }
    }
}

/// A book over the store handle `store` (NULL: `NULL_PARAMETER`, kept as the settings' last
/// error), the book's store being `shared(store)`; everything else as `new_book`.
pub(crate) fn new_book_over<S>(
    settings: *const creditbook_settings,
    store: *const S,
    shared: impl FnOnce(&S) -> HostStore,
    mailer: *const creditbook_mailer_callbacks,
    payment_provider: *const creditbook_payment_provider_callbacks,
    book_out: *mut *mut creditbook_book,
) -> creditbook_result {
    let store = || -> FfiResult<HostStore> {
        // SAFETY: the caller passes a store handle made by this library, or NULL.
        let s = unsafe { store.as_ref() }.ok_or(FfiError::Null("store"))?;
        Ok(shared(s))
    };
    new_book(settings, store, mailer, payment_provider, book_out)
}
