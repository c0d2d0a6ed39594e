//! Each handle's last error: the message, with its figures, of the last call on that handle that
//! failed, kept per calling thread (in the thread's own storage) so that threads sharing a book
//! never read each other's errors, and a thread's errors go away with it.
//!
//! Only failures write here (a successful call costs nothing), so the message stays until the
//! same thread's next failure on the same handle.

use std::cell::RefCell;
use std::ffi::c_char;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// The last error of each thread that failed a call on one handle. The failures live in the
/// calling thread's own storage, keyed by the handle's id (never reused): they go away with the
/// thread, so a host that starts a thread per request does not grow the handle, and a thread
/// keeps those of at most [`KEPT_PER_THREAD`] handles.
#[derive(Debug)]
pub(crate) struct LastError {
    id: u64,
}

/// How many handles' last errors one thread keeps (the oldest goes first).
pub(crate) const KEPT_PER_THREAD: usize = 64;

thread_local! {
    /// This thread's last failure on each handle, oldest first.
    static FAILURES: RefCell<Vec<(u64, Failure)>> = const { RefCell::new(Vec::new()) };
}

impl Default for LastError {
    fn default() -> LastError {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        LastError {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl LastError {
    /// Keeps `failure` as the calling thread's last error.
    pub(crate) fn set(&self, failure: Failure) {
        FAILURES.with(|f| {
            let mut f = f.borrow_mut();
            f.retain(|(id, _)| *id != self.id);
            if f.len() >= KEPT_PER_THREAD {
                f.remove(0);
            }
            f.push((self.id, failure));
        });
    }

    /// The calling thread's last error, empty when it had none.
    pub(crate) fn get(&self) -> String {
        self.failure().message
    }

    /// The calling thread's last failure, empty when it had none.
    pub(crate) fn failure(&self) -> Failure {
        FAILURES.with(|f| {
            f.borrow()
                .iter()
                .find(|(id, _)| *id == self.id)
                .map(|(_, failure)| failure.clone())
                .unwrap_or_default()
        })
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

#[cfg(test)]
mod tests {
    use super::{Failure, LastError, KEPT_PER_THREAD};

    fn failure(text: &str) -> Failure {
        Failure {
            message: text.to_string(),
            error: None,
        }
    }

    #[test]
    fn a_threads_errors_are_its_own_and_go_away_with_it() {
        let handle = LastError::default();
        handle.set(failure("main"));
        std::thread::scope(|s| {
            s.spawn(|| {
                assert_eq!(handle.get(), "");
                handle.set(failure("worker"));
                assert_eq!(handle.get(), "worker");
            });
        });
        assert_eq!(handle.get(), "main");
    }

    #[test]
    fn a_thread_keeps_the_errors_of_its_latest_handles_only() {
        let handles: Vec<LastError> = (0..KEPT_PER_THREAD + 10)
            .map(|_| LastError::default())
            .collect();
        for (i, h) in handles.iter().enumerate() {
            h.set(failure(&format!("error {i}")));
        }
        assert_eq!(handles[0].get(), "");
        let last = KEPT_PER_THREAD + 9;
        assert_eq!(handles[last].get(), format!("error {last}"));
        assert_eq!(handles[10].get(), "error 10");
        // Failing again on a handle keeps one failure for it, the latest.
        handles[10].set(failure("again"));
        assert_eq!(handles[10].get(), "again");
    }
}
