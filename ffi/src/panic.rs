//! The panic boundary: no Rust panic ever unwinds into C.
//!
//! Every `extern "C"` body runs inside [`ffi_panic_boundary!`]. A caught panic becomes the value
//! [`PanicOrDefault::panic_value`] of the function's return type: `CREDITBOOK_RESULT_PANIC` for a
//! result, NULL for a pointer, nothing for `void`. Given a handle (`ffi_panic_boundary!(on handle,
//! { ... })`), the boundary also records the panic as that handle's last error. The library is
//! built with `panic = "unwind"` in every profile (the workspace `Cargo.toml`), without which
//! `catch_unwind` would catch nothing.

use std::any::Any;
use std::ffi::c_char;

use crate::result::creditbook_result;

/// What a function returns when a panic was caught inside it.
pub(crate) trait PanicOrDefault {
    /// The value returned in place of the panicked body's.
    fn panic_value() -> Self;
}

impl PanicOrDefault for creditbook_result {
    fn panic_value() -> Self {
        creditbook_result::Panic
    }
}

impl PanicOrDefault for () {
    fn panic_value() -> Self {}
}

impl<T> PanicOrDefault for *mut T {
    fn panic_value() -> Self {
        std::ptr::null_mut()
    }
}

impl PanicOrDefault for *const c_char {
    fn panic_value() -> Self {
        std::ptr::null()
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    format!("internal error (a panic was caught, nothing was recorded): {what}")
}

/// Runs an `extern "C"` body, turning a panic into the return type's
/// [`PanicOrDefault::panic_value`]. With `on handle,` the panic is also recorded as the handle's
/// last error (the handle's type implements [`crate::last_error::HasLastError`]).
macro_rules! ffi_panic_boundary {
    (on $handle:expr, $body:block) => {{
        let handle = $handle;
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(payload) => {
                $crate::last_error::record_panic(handle, payload.as_ref());
                $crate::panic::PanicOrDefault::panic_value()
            }
        }
    }};
    ($body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(_) => $crate::panic::PanicOrDefault::panic_value(),
        }
    }};
}

pub(crate) use ffi_panic_boundary;

#[cfg(test)]
mod tests {
    /// The sources of every module with exported functions.
    const SOURCES: [(&str, &str); 13] = [
        ("amount.rs", include_str!("amount.rs")),
        ("book.rs", include_str!("book.rs")),
        ("lib.rs", include_str!("lib.rs")),
        ("message.rs", include_str!("message.rs")),
        ("outreach.rs", include_str!("outreach.rs")),
        ("ports.rs", include_str!("ports.rs")),
        ("reads.rs", include_str!("reads.rs")),
        ("result.rs", include_str!("result.rs")),
        ("settings.rs", include_str!("settings.rs")),
        ("sqlite.rs", include_str!("sqlite.rs")),
        ("statement.rs", include_str!("statement.rs")),
        ("store.rs", include_str!("store.rs")),
        ("strings.rs", include_str!("strings.rs")),
    ];

    /// Every `extern "C"` body is one `ffi_panic_boundary!` (comments aside), so that no panic
    /// can unwind into C, whoever adds a function.
    #[test]
    fn every_exported_body_is_inside_the_boundary() {
        let mut exported = 0;
        for (file, text) in SOURCES {
            for (at, _) in text.match_indices("pub extern \"C\" fn ") {
                exported += 1;
                let body_start = at + text[at..].find(" {\n").expect("a body") + 3;
                let first = text[body_start..]
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with("//"))
                    .unwrap_or("");
                assert!(
                    first.starts_with("ffi_panic_boundary!("),
                    "{file}: an exported body starts with {first:?}"
                );
            }
        }
        assert!(exported >= 57, "found {exported} exported functions");
    }
}
