//! The C ABI of creditbook: everything a till or a back office does with customer credit
//! accounts, for C and C++ hosts. The header is `include/creditbook.h`, generated from this crate
//! by cbindgen (`make header`); docs/c.md explains the conventions.
//!
//! Layout: `panic.rs` (the boundary every `extern "C"` body runs in), `result.rs` (the status codes),
//! `handle.rs` and `last_error.rs` (handles and their messages), `strings.rs` and `values.rs` (what crosses the boundary),
//! `amount.rs` (decimal-string helpers), `settings.rs`, `store.rs` (the Store port as callbacks),
//! `book.rs` (operations), `reads.rs` (figures and lists), `list.rs` (lists owned by the caller),
//! `statement.rs`, `ports.rs` (the Mailer and PaymentProvider ports as callbacks), `message.rs`
//! (composed emails, sending), `outreach.rs` (payment links, online payments, reminders),
//! `sqlite.rs` (the SQLite store, feature `sqlite`, on by default), `postgres.rs` (the PostgreSQL
//! store, feature `postgres`, on by default), `native.rs` (what those two share). No rule is
//! decided here:
//! every call converts its arguments and calls the core.
#![warn(missing_docs)]
#![allow(clippy::missing_safety_doc)]

mod amount;
mod book;
mod handle;
mod last_error;
mod list;
mod message;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod native;
mod outreach;
mod panic;
mod ports;
#[cfg(feature = "postgres")]
mod postgres;
mod reads;
mod result;
mod settings;
#[cfg(feature = "sqlite")]
mod sqlite;
mod statement;
mod store;
mod strings;
mod values;

use panic::ffi_panic_boundary;

/// The library's version (`"0.1.0"`), a static string that must not be freed. The header's
/// `CREDITBOOK_VERSION_MAJOR/MINOR/PATCH` are the version it was generated for.
#[no_mangle]
pub extern "C" fn creditbook_version() -> *const std::ffi::c_char {
    ffi_panic_boundary!({ concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast() })
}
