//! Lists returned to C: a `#[repr(C)]` header the caller reads (`items`, `len`, ...) at the start
//! of one allocation that also owns the rows and their strings, released whole by the list's
//! `_free` function. Strings and arrays inside a list are valid until that list is freed.

use std::ffi::{c_char, CString};

use crate::result::FfiResult;
use crate::strings::c_string;

/// One allocation: the header C sees first, then what the header points into.
#[repr(C)]
struct Owned<H, K> {
    header: H,
    keep: K,
}

/// Boxes `keep` with the header made from it and returns the header's address. The header may
/// point into `keep`'s heap buffers (vectors, C strings): moving `keep` does not move them.
pub(crate) fn into_raw<H, K>(keep: K, header: impl FnOnce(&K) -> H) -> *mut H {
    let header = header(&keep);
    Box::into_raw(Box::new(Owned { header, keep })).cast::<H>()
}

/// Releases what [`into_raw`] made with the same `H` and `K`. NULL is a no-op.
///
/// # Safety
/// `p` is NULL or came from `into_raw::<H, K>` and was not released yet.
pub(crate) unsafe fn free<H, K>(p: *mut H) {
    if !p.is_null() {
        // SAFETY: `Owned` is `repr(C)` with the header first, and `p` came from its box.
        drop(unsafe { Box::from_raw(p.cast::<Owned<H, K>>()) });
    }
}

/// The strings of one list, kept alive with it.
#[derive(Default)]
pub(crate) struct Strings(Vec<CString>);

impl Strings {
    /// Keeps `text` and returns its C address.
    pub(crate) fn add(&mut self, text: &str) -> FfiResult<*const c_char> {
        let s = c_string(text.to_string())?;
        let p = s.as_ptr();
        self.0.push(s);
        Ok(p)
    }

    /// Keeps `text` when there is one; NULL when there is none.
    pub(crate) fn opt(&mut self, text: Option<&str>) -> FfiResult<*const c_char> {
        text.map_or(Ok(std::ptr::null()), |t| self.add(t))
    }
}

/// The address of a vector's first item, NULL when it is empty.
pub(crate) fn items<T>(v: &[T]) -> *const T {
    if v.is_empty() {
        std::ptr::null()
    } else {
        v.as_ptr()
    }
}
