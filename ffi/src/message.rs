//! Messages: `creditbook_message`, a composed email (statement, invoice) the host can review
//! through a borrowed view and as its RFC 5322 bytes, and sending it through the book's mailer.

use std::ffi::c_char;

use creditbook::Message;

use crate::book::{creditbook_book, with_book};
use crate::handle;
use crate::last_error::{copy_out, HasLastError, LastError};
use crate::panic::ffi_panic_boundary;
use crate::ports::{creditbook_message_view, MessageView};
use crate::result::{creditbook_result, FfiError, FfiResult};
use crate::statement::creditbook_statement;
use crate::strings::{arg, opt_arg, out, write_string};
use crate::values::instant;

/// A composed message (a `Message` inside): recipients, subject, text and HTML bodies,
/// attachments. Made by `creditbook_book_compose_statement_email` or
/// `creditbook_book_compose_invoice_email`, released by `creditbook_message_free`. May be read and
/// sent from several threads at once (one send goes out; the others find it delivered or being
/// sent).
#[allow(non_camel_case_types)]
pub struct creditbook_message {
    message: Message,
    view: MessageView,
    errors: LastError,
}

impl HasLastError for creditbook_message {
    fn last_error(&self) -> &LastError {
        &self.errors
    }
}

/// Hands a composed message to C.
fn give(message_out: *mut *mut creditbook_message, message: Message) -> FfiResult<()> {
    let o = out(message_out, "message_out")?;
    let view = MessageView::new(&message, None)?;
    let made = creditbook_message {
        message,
        view,
        errors: LastError::default(),
    };
    // SAFETY: not NULL.
    unsafe { handle::give(o, made) };
    Ok(())
}

/// Composes the email of a statement (made by `creditbook_book_statement` or
/// `creditbook_book_statement_with_link`, whose "Pay online" link it shows) in the statement's
/// language, with the statement attached as HTML (and UBL XML when the store attaches it), to `to`
/// (NULL: the customer's email on file; none at all is `MISSING_RECIPIENT`, a bad address
/// `INVALID_EMAIL`, a line break `HEADER_INJECTION`). Writes a new handle to `*message_out`.
#[no_mangle]
pub extern "C" fn creditbook_book_compose_statement_email(
    book: *const creditbook_book,
    statement: *const creditbook_statement,
    to: *const c_char,
    message_out: *mut *mut creditbook_message,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            out(message_out, "message_out")?;
            // SAFETY: the caller's statement, or NULL.
            let st = unsafe { statement.as_ref() }.ok_or(FfiError::Null("statement"))?;
            // SAFETY: the caller's string, or NULL.
            let to = unsafe { opt_arg(to, "to") }?;
            give(message_out, b.compose_statement_email(st.get(), to)?)
        })
    })
}

/// Composes the email of one invoice of the account, to `to` (NULL: the customer's email on
/// file; refused as for a statement). Writes a new handle to `*message_out`.
#[no_mangle]
pub extern "C" fn creditbook_book_compose_invoice_email(
    book: *const creditbook_book,
    account: *const c_char,
    invoice: u64,
    to: *const c_char,
    message_out: *mut *mut creditbook_message,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            out(message_out, "message_out")?;
            // SAFETY: the caller's strings.
            let (account, to) = unsafe { (arg(account, "account")?, opt_arg(to, "to")?) };
            give(message_out, b.compose_invoice_email(account, invoice, to)?)
        })
    })
}

/// Releases a message. NULL is a no-op; never release twice.
#[no_mangle]
pub extern "C" fn creditbook_message_free(message: *mut creditbook_message) {
    ffi_panic_boundary!({
        // SAFETY: made by a compose function, or NULL.
        unsafe { handle::free(message) }
    })
}

/// Writes to `*message_out` the message of the last call on `message` that failed on this thread
/// (`""` when none), as a new string to release with `creditbook_string_free`.
#[no_mangle]
pub extern "C" fn creditbook_message_last_error(
    message: *const creditbook_message,
    message_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!({ copy_out(message, message_out) })
}

/// Writes to `*view_out` the message's parts (id, kind, account, language, sender, recipients,
/// subject, bodies, attachments). Its pointers are borrowed from `message`: valid until it is
/// freed. Its `rfc5322` is NULL: `creditbook_message_to_rfc5322` makes the bytes.
#[no_mangle]
pub extern "C" fn creditbook_message_get_view(
    message: *const creditbook_message,
    view_out: *mut creditbook_message_view,
) -> creditbook_result {
    ffi_panic_boundary!(on message, {
        handle::call(message, |m| {
            let o = out(view_out, "view_out")?;
            // SAFETY: not NULL.
            unsafe { o.write(m.view.view) };
            Ok(())
        })
    })
}

/// Writes to `*bytes_out` and `*len_out` the message as RFC 5322 / MIME bytes (multipart: text and
/// HTML alternatives, then the attachments) dated `date` (seconds since the epoch): exactly what
/// the mailer is given. Not NUL-terminated; release them with `creditbook_bytes_free(bytes,
/// len)`. MIME boundaries are random, everything else is deterministic.
#[no_mangle]
pub extern "C" fn creditbook_message_to_rfc5322(
    message: *const creditbook_message,
    date: i64,
    bytes_out: *mut *mut u8,
    len_out: *mut usize,
) -> creditbook_result {
    ffi_panic_boundary!(on message, {
        handle::call(message, |m| {
            let (bytes_o, len_o) = (out(bytes_out, "bytes_out")?, out(len_out, "len_out")?);
            let bytes = m.message.to_rfc5322(instant(date)?)?.into_boxed_slice();
            let len = bytes.len();
            // SAFETY: both not NULL; the bytes are released by `creditbook_bytes_free`.
            unsafe {
                bytes_o.write(Box::into_raw(bytes).cast::<u8>());
                len_o.write(len);
            }
            Ok(())
        })
    })
}

/// Releases bytes returned by creditbook (`creditbook_message_to_rfc5322`) with the length
/// returned with them. NULL is a no-op. Never pass them to `free()`, nor twice to this function.
#[no_mangle]
pub extern "C" fn creditbook_bytes_free(bytes: *mut u8, len: usize) {
    ffi_panic_boundary!({
        if !bytes.is_null() {
            // SAFETY: made by `Box::into_raw` of a boxed slice of `len` bytes in this library.
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(bytes, len)) });
        }
    })
}

/// Sends `message` through the book's mailer and records it on its account at `at` (seconds
/// since the epoch): kind, to whom, and the delivery id or the failure. A message already
/// delivered is not sent again (`*already_delivered_out` true, `*delivery_id_out` the first
/// delivery's id); one that failed is retried. The mailer's failure is
/// `CREDITBOOK_RESULT_DELIVERY_FAILED` (recorded as failed; the host's code in the last error);
/// without a mailer, `PORT_MISSING`. On success writes to `*delivery_id_out` (a new string to
/// release with `creditbook_string_free`) and `*already_delivered_out`; either may be NULL.
#[no_mangle]
pub extern "C" fn creditbook_book_send(
    book: *const creditbook_book,
    message: *const creditbook_message,
    at: i64,
    delivery_id_out: *mut *mut c_char,
    already_delivered_out: *mut bool,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            // SAFETY: the caller's message, or NULL.
            let m = unsafe { message.as_ref() }.ok_or(FfiError::Null("message"))?;
            let sent = b.send(&m.message, instant(at)?)?;
            if !delivery_id_out.is_null() {
                write_string(delivery_id_out, "delivery_id_out", sent.delivery_id)?;
            }
            if !already_delivered_out.is_null() {
                // SAFETY: not NULL; the caller passed it as writable.
                unsafe { already_delivered_out.write(sent.already_delivered) };
            }
            Ok(())
        })
    })
}
