//! Strings and out-parameters across the boundary: UTF-8 NUL-terminated inputs checked on entry,
//! returned strings owned by the caller and released with `creditbook_string_free`.

use std::ffi::{c_char, CStr, CString};

use crate::panic::ffi_panic_boundary;
use crate::result::{FfiError, FfiResult};

/// A required string parameter: NULL and invalid UTF-8 are refused.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string valid for the call.
pub(crate) unsafe fn arg<'a>(p: *const c_char, what: &'static str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(FfiError::Null(what));
    }
    // SAFETY: the caller's contract.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| FfiError::Utf8(what))
}

/// An optional string parameter: NULL is `None`; invalid UTF-8 is refused.
///
/// # Safety
/// As [`arg`].
pub(crate) unsafe fn opt_arg<'a>(
    p: *const c_char,
    what: &'static str,
) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: the caller's contract.
        unsafe { arg(p, what) }.map(Some)
    }
}

/// A string given as pointer and length (no NUL needed): NULL and invalid UTF-8 are refused.
///
/// # Safety
/// `p` is NULL or points to `len` readable bytes for the call.
pub(crate) unsafe fn bytes_arg<'a>(
    p: *const c_char,
    len: usize,
    what: &'static str,
) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(FfiError::Null(what));
    }
    // SAFETY: the caller's contract.
    let bytes = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|_| FfiError::Utf8(what))
}

/// A slice parameter given as pointer and count: NULL is allowed only with a count of 0.
///
/// # Safety
/// `p` is NULL or points to `len` values for the call.
pub(crate) unsafe fn slice_arg<'a, T>(
    p: *const T,
    len: usize,
    what: &'static str,
) -> FfiResult<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(FfiError::Null(what));
    }
    // SAFETY: the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Checks that an out-parameter is not NULL (before the work it reports on is done).
pub(crate) fn out<T>(p: *mut T, what: &'static str) -> FfiResult<*mut T> {
    if p.is_null() {
        Err(FfiError::Null(what))
    } else {
        Ok(p)
    }
}

/// A string ready to hand to C.
pub(crate) fn c_string(text: String) -> FfiResult<CString> {
    CString::new(text).map_err(|_| FfiError::Internal("a returned string holds a NUL byte".into()))
}

/// Writes a new string to `*p` (released by `creditbook_string_free`).
pub(crate) fn write_string(p: *mut *mut c_char, what: &'static str, text: String) -> FfiResult<()> {
    let p = out(p, what)?;
    let s = c_string(text)?;
    // SAFETY: `p` is not NULL and the caller passed it as writable.
    unsafe { p.write(s.into_raw()) };
    Ok(())
}

/// Releases a string returned by creditbook (a rendering, a message, an amount). NULL is a
/// no-op. Never pass a string to `free()`, nor twice to this function.
#[no_mangle]
pub extern "C" fn creditbook_string_free(string: *mut c_char) {
    ffi_panic_boundary!({
        if !string.is_null() {
            // SAFETY: the string was made by `CString::into_raw` in this library.
            drop(unsafe { CString::from_raw(string) });
        }
    })
}
