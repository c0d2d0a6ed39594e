//! Each handle's last error: the message, with its figures, of the last call on that handle that
//! failed, kept per calling thread so that threads sharing a book never read each other's errors.
//!
//! Only failures write here (a successful call costs nothing), so the message stays until the
//! same thread's next failure on the same handle.

use std::collections::HashMap;
use std::ffi::c_char;
use std::sync::{Mutex, PoisonError};
use std::thread::ThreadId;

use creditbook::Error;

use crate::result::{creditbook_result, FfiError, FfiResult};
use crate::strings;

/// One thread's last error: its message, and the core's error when the core refused (kept so
/// that it can be put in the clerk's language).
#[derive(Debug, Clone, Default)]
pub(crate) struct Failure {
    /// The message, with its figures (English, for logs).
    pub(crate) message: String,
    /// The core's error, when the core refused (not for NULL pointers and the like).
    pub(crate) error: Option<Error>,
}

/// The last error of each thread that failed a call on one handle.
#[derive(Debug, Default)]
pub(crate) struct LastError {
    by_thread: Mutex<HashMap<ThreadId, Failure>>,
}

impl LastError {
    /// Keeps `failure` as the calling thread's last error.
    pub(crate) fn set(&self, failure: Failure) {
        let mut map = self
            .by_thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.insert(std::thread::current().id(), failure);
    }

    /// The calling thread's last error, empty when it had none.
    pub(crate) fn get(&self) -> String {
        self.failure().message
    }

    /// The calling thread's last failure, empty when it had none.
    pub(crate) fn failure(&self) -> Failure {
        let map = self
            .by_thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.get(&std::thread::current().id())
            .cloned()
            .unwrap_or_default()
    }
}

/// A handle that keeps a last error.
pub(crate) trait HasLastError {
    /// The handle's last error.
    fn last_error(&self) -> &LastError;
}

/// Finishes a call on a handle: `Ok` becomes `CREDITBOOK_RESULT_OK`, an error is recorded as the
/// handle's last error and returned as its code.
pub(crate) fn finish<H: HasLastError + ?Sized>(handle: &H, r: FfiResult<()>) -> creditbook_result {
    match r {
        Ok(()) => creditbook_result::Ok,
        Err(e) => {
            let error = match &e {
                FfiError::Core(core) => Some(core.clone()),
                _ => None,
            };
            handle.last_error().set(Failure {
                message: e.message(),
                error,
            });
            e.result()
        }
    }
}

/// Records a caught panic on a handle, if the handle pointer is not NULL.
pub(crate) fn record_panic<H: HasLastError>(
    handle: *const H,
    payload: &(dyn std::any::Any + Send),
) {
    let message = crate::panic::panic_message(payload);
    // Recording must not panic in turn: a second panic here would abort the host.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: the caller passed this handle to the call that panicked; it is still theirs.
        if let Some(h) = unsafe { handle.as_ref() } {
            h.last_error().set(Failure {
                message,
                error: None,
            });
        }
    }));
}

/// Writes a handle's last error (for the calling thread; `""` when none) as a new string.
pub(crate) fn copy_out<H: HasLastError>(
    handle: *const H,
    message_out: *mut *mut c_char,
) -> creditbook_result {
    // SAFETY: the caller passes a handle made by this library, or NULL.
    let Some(h) = (unsafe { handle.as_ref() }) else {
        return creditbook_result::NullParameter;
    };
    let text = h.last_error().get();
    match strings::write_string(message_out, "message_out", text) {
        Ok(()) => creditbook_result::Ok,
        Err(e) => e.result(),
    }
}
