//! Handles: what every handle's functions share. A handle is a `Box` handed to C by
//! [`give`], used through [`call`] or [`call_mut`] (NULL refused, an error kept as the handle's
//! last error) and released by [`free`].

use crate::last_error::{finish, HasLastError};
use crate::result::{creditbook_result, FfiResult};

/// Runs `f` on a handle: NULL is `NULL_PARAMETER` (with nowhere to keep a message), an error is
/// kept as the handle's last error and returned as its code. Runs inside the caller's panic
/// boundary.
pub(crate) fn call<H: HasLastError>(
    handle: *const H,
    f: impl FnOnce(&H) -> FfiResult<()>,
) -> creditbook_result {
    // SAFETY: the caller passes a handle made by this library, or NULL.
    let Some(h) = (unsafe { handle.as_ref() }) else {
        return creditbook_result::NullParameter;
    };
    let r = f(h);
    finish(h, r)
}

/// [`call`] for the functions that change their handle.
pub(crate) fn call_mut<H: HasLastError>(
    handle: *mut H,
    f: impl FnOnce(&mut H) -> FfiResult<()>,
) -> creditbook_result {
    // SAFETY: the caller passes a handle made by this library, or NULL, and uses it from one
    // thread (as the handle's documentation requires of the functions that change it).
    let Some(h) = (unsafe { handle.as_mut() }) else {
        return creditbook_result::NullParameter;
    };
    let r = f(h);
    finish(h, r)
}

/// Hands a new handle to C through an out-parameter.
///
/// # Safety
/// `out` is not NULL and writable (checked by [`crate::strings::out`]).
pub(crate) unsafe fn give<T>(out: *mut *mut T, value: T) {
    // SAFETY: the caller's contract.
    unsafe { out.write(Box::into_raw(Box::new(value))) }
}

/// Releases a handle made by [`give`]. NULL is a no-op.
///
/// # Safety
/// `p` is NULL or came from [`give`] and was not released yet.
pub(crate) unsafe fn free<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: the caller's contract.
        drop(unsafe { Box::from_raw(p) });
    }
}

#[cfg(test)]
mod tests {
    use crate::book::creditbook_book;
    use crate::message::creditbook_message;
    use crate::statement::creditbook_statement;

    fn shared_between_threads<T: Send + Sync>() {}

    /// The header promises that a book, a statement and a message may be used from several
    /// threads at once.
    #[test]
    fn books_statements_and_messages_are_send_and_sync() {
        shared_between_threads::<creditbook_book>();
        shared_between_threads::<creditbook_statement>();
        shared_between_threads::<creditbook_message>();
    }
}
