//! Statements: a request makes a `creditbook_statement` (computed once), whose figures are read
//! as a struct and which renders as HTML, plain text at a width, UBL 2.1 XML or JSON, in the
//! language the request picked. Rendering through the ABI adds only the copy of the output.

use creditbook::{Currency, Statement, StatementRequest};
use std::ffi::{c_char, CString};

use crate::book::{creditbook_book, with_book};
use crate::handle;
use crate::last_error::{copy_out, HasLastError, LastError};
use crate::panic::ffi_panic_boundary;
use crate::result::{creditbook_result, FfiError, FfiResult};
use crate::strings::{arg, c_string, opt_arg, out, write_string};
use crate::values::{c_enum, creditbook_date, minor, opt_date, CEnum};

/// What a statement covers and, optionally, its date, due date, amount due, language and number
/// (each NULL for the store's default).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_statement_request {
    /// First day of the period (store-local, included).
    pub from: creditbook_date,
    /// Last day of the period (store-local, included).
    pub to: creditbook_date,
    /// The statement's date (not before `to`); NULL: `to`.
    pub statement_date: *const creditbook_date,
    /// The due date (not before the statement date); NULL: statement date + the store's days.
    pub due_date: *const creditbook_date,
    /// The amount due in minor units (0 to the balance owed); NULL: the store's percent of the
    /// closing balance.
    pub amount_due: *const i64,
    /// The language tag (`"fr"`), one the store prints in; NULL: the customer's preferred
    /// language when the store prints in it, else the store's.
    pub language: *const c_char,
    /// The statement number; NULL: `<account>-<YYYYMMDD of the statement date>`.
    pub number: *const c_char,
}

/// A computed statement (a `Statement` inside). Made by `creditbook_book_statement`, released by
/// `creditbook_statement_free`. May be read and rendered from several threads at once.
#[allow(non_camel_case_types)]
pub struct creditbook_statement {
    statement: Statement,
    /// The "Pay online" link's URL, for `creditbook_statement_get_payment_link`.
    link_url: Option<CString>,
    errors: LastError,
}

impl creditbook_statement {
    /// The statement inside.
    pub(crate) fn get(&self) -> &Statement {
        &self.statement
    }

    /// Hands a computed statement to C.
    /// A statement handle of a computed statement.
    pub(crate) fn new(statement: Statement) -> FfiResult<creditbook_statement> {
        let link_url = statement
            .payment_link
            .as_ref()
            .map(|l| c_string(l.url.clone()))
            .transpose()?;
        Ok(creditbook_statement {
            statement,
            link_url,
            errors: LastError::default(),
        })
    }

    pub(crate) fn give(out: *mut *mut creditbook_statement, statement: Statement) -> FfiResult<()> {
        let o = crate::strings::out(out, "statement_out")?;
        let made = creditbook_statement::new(statement)?;
        // SAFETY: not NULL.
        unsafe { handle::give(o, made) };
        Ok(())
    }
}

impl HasLastError for creditbook_statement {
    fn last_error(&self) -> &LastError {
        &self.errors
    }
}

/// A statement's figures, in minor units of its currency.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct creditbook_statement_figures {
    /// First day of the period.
    pub period_from: creditbook_date,
    /// Last day of the period.
    pub period_to: creditbook_date,
    /// The statement's date.
    pub statement_date: creditbook_date,
    /// Balance owed at the start of the period.
    pub opening_balance: i64,
    /// Store credit at the start of the period.
    pub opening_credit_balance: i64,
    /// Sum of the lines' charges.
    pub total_charges: i64,
    /// Sum of the lines' credits.
    pub total_credits: i64,
    /// Balance owed at the end of the period: opening + charges - credits.
    pub closing_balance: i64,
    /// Store credit at the end of the period (beside the balance, never netted).
    pub credit_balance: i64,
    /// What the customer is asked to pay.
    pub amount_due: i64,
    /// By when.
    pub due_date: creditbook_date,
    /// True when due on the statement date.
    pub due_upon_receipt: bool,
    /// The number of entry lines of the period.
    pub line_count: usize,
    /// The number of invoices open at the end of the period.
    pub open_invoice_count: usize,
}

/// Which rendering `creditbook_statement_render` makes.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_statement_format {
    /// A printable, self-contained HTML document.
    Html = 0,
    /// Plain text `width` columns wide (32 to 160: 40 or 48 for receipt printers, 80 for email).
    Text = 1,
    /// An OASIS UBL 2.1 Statement document (XML).
    Ubl = 2,
    /// JSON (schema 1, amounts as decimal strings: docs/statement-json.md).
    Json = 3,
    /// A PDF/A-3 document with the UBL statement embedded (docs/pdf.md), on the store's paper:
    /// bytes, so only through `creditbook_statement_render_bytes` (`creditbook_statement_render`
    /// refuses it with `CREDITBOOK_RESULT_INVALID_INPUT`).
    Pdf = 4,
}

c_enum!(creditbook_statement_format: Html, Text, Ubl, Json, Pdf);

/// The paper of a PDF.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_paper {
    /// The store's: Letter in the United States, Canada, Mexico and a few others, else A4.
    StoreDefault = 0,
    /// ISO A4, for DL window envelopes.
    A4 = 1,
    /// US Letter, for #10 window envelopes.
    Letter = 2,
}

c_enum!(creditbook_paper: StoreDefault, A4, Letter);

/// How a PDF is written (all zeros: the defaults).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct creditbook_pdf_options {
    /// A `creditbook_paper`.
    pub paper: u32,
    /// True to leave the UBL statement out (by default it is embedded as an associated file).
    pub leave_out_ubl: bool,
}

/// A statement request as the core's.
///
/// # Safety
/// `request` is NULL or points to a request whose pointers are each NULL or valid for the call.
pub(crate) unsafe fn statement_request(
    request: *const creditbook_statement_request,
    cur: Currency,
) -> FfiResult<StatementRequest> {
    // SAFETY: the caller's contract.
    let r = unsafe { request.as_ref() }.ok_or(FfiError::Null("request"))?;
    // SAFETY: the request's pointers, each NULL or valid for the call.
    unsafe {
        Ok(StatementRequest {
            from: r.from.get("request->from")?,
            to: r.to.get("request->to")?,
            statement_date: opt_date(r.statement_date, "request->statement_date")?,
            due_date: opt_date(r.due_date, "request->due_date")?,
            amount_due: r.amount_due.as_ref().map(|a| cur.from_minor(*a)),
            language: opt_arg(r.language, "request->language")?.map(str::to_string),
            number: opt_arg(r.number, "request->number")?.map(str::to_string),
        })
    }
}

/// Computes a statement of the account for `request` and writes a new handle to
/// `*statement_out` (release it with `creditbook_statement_free`).
#[no_mangle]
pub extern "C" fn creditbook_book_statement(
    book: *const creditbook_book,
    account: *const c_char,
    request: *const creditbook_statement_request,
    statement_out: *mut *mut creditbook_statement,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let out = out(statement_out, "statement_out")?;
            // SAFETY: the caller's string.
            let account = unsafe { arg(account, "account") }?;
            // SAFETY: the caller's request, valid for the call, or NULL.
            let request = unsafe { statement_request(request, b.settings().currency) }?;
            creditbook_statement::give(out, b.statement(account, &request)?)
        })
    })
}

/// Releases a statement. NULL is a no-op; never release twice.
#[no_mangle]
pub extern "C" fn creditbook_statement_free(statement: *mut creditbook_statement) {
    ffi_panic_boundary!({
        // SAFETY: made by `creditbook_book_statement`, or NULL.
        unsafe { handle::free(statement) }
    })
}

/// Writes to `*message_out` the message of the last call on `statement` that failed on this
/// thread (`""` when none), as a new string to release with `creditbook_string_free`.
#[no_mangle]
pub extern "C" fn creditbook_statement_last_error(
    statement: *const creditbook_statement,
    message_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!({ copy_out(statement, message_out) })
}

/// Writes the statement's figures to `*figures_out`.
#[no_mangle]
pub extern "C" fn creditbook_statement_get_figures(
    statement: *const creditbook_statement,
    figures_out: *mut creditbook_statement_figures,
) -> creditbook_result {
    ffi_panic_boundary!(on statement, {
        handle::call(statement, |s| {
            let out = out(figures_out, "figures_out")?;
            let st = &s.statement;
            let m = |d| minor(d, st.currency);
            let figures = creditbook_statement_figures {
                period_from: st.period_from.into(),
                period_to: st.period_to.into(),
                statement_date: st.statement_date.into(),
                opening_balance: m(st.opening_balance)?,
                opening_credit_balance: m(st.opening_credit_balance)?,
                total_charges: m(st.total_charges)?,
                total_credits: m(st.total_credits)?,
                closing_balance: m(st.closing_balance)?,
                credit_balance: m(st.credit_balance)?,
                amount_due: m(st.amount_due)?,
                due_date: st.due_date.into(),
                due_upon_receipt: st.due_upon_receipt,
                line_count: st.lines.len(),
                open_invoice_count: st.open_invoices.len(),
            };
            // SAFETY: not NULL.
            unsafe { out.write(figures) };
            Ok(())
        })
    })
}

impl creditbook_statement {
    /// The rendering, exactly as the Rust API makes it. (A `Localizer` is not kept between
    /// renderings: it holds `Rc`s, and a statement handle may be used from any thread.)
    fn render(&self, format: u32, width: usize) -> FfiResult<String> {
        use creditbook_statement_format as F;
        let st = &self.statement;
        Ok(match F::checked(format)? {
            F::Html => st.to_html()?,
            F::Text => st.to_text(width)?,
            F::Ubl => st.to_ubl_xml()?,
            F::Json => st.to_json(),
            F::Pdf => {
                return Err(FfiError::Core(creditbook::Error::InvalidInput {
                    field: "format",
                    reason: "a PDF is bytes: use creditbook_statement_render_bytes".into(),
                }))
            }
        })
    }

    /// The rendering as bytes: a PDF's, or a text document's UTF-8.
    fn render_bytes(&self, format: u32, width: usize) -> FfiResult<Vec<u8>> {
        match creditbook_statement_format::checked(format)? {
            creditbook_statement_format::Pdf => pdf(&[&self.statement], std::ptr::null()),
            _ => Ok(self.render(format, width)?.into_bytes()),
        }
    }
}

/// The PDF of `statements` with the caller's options (NULL: the defaults).
#[cfg(feature = "pdf")]
fn pdf(statements: &[&Statement], options: *const creditbook_pdf_options) -> FfiResult<Vec<u8>> {
    use creditbook::statement::pdf::{print_run, Paper, PdfOptions};
    // SAFETY: the caller's options, valid for the call, or NULL.
    let o = unsafe { options.as_ref() }.copied().unwrap_or_default();
    let paper = match creditbook_paper::checked(o.paper)? {
        creditbook_paper::StoreDefault => None,
        creditbook_paper::A4 => Some(Paper::A4),
        creditbook_paper::Letter => Some(Paper::Letter),
    };
    let options = PdfOptions {
        paper,
        embed_ubl: !o.leave_out_ubl,
        ..PdfOptions::default()
    };
    let owned: Vec<Statement>;
    let list: &[Statement] = match statements {
        [one] => std::slice::from_ref(*one),
        many => {
            owned = many.iter().map(|s| (*s).clone()).collect();
            &owned
        }
    };
    Ok(print_run(list, &options)?)
}

/// Without the `pdf` feature: refused.
#[cfg(not(feature = "pdf"))]
fn pdf(_: &[&Statement], options: *const creditbook_pdf_options) -> FfiResult<Vec<u8>> {
    // SAFETY: the caller's options, valid for the call, or NULL.
    let o = unsafe { options.as_ref() }.copied().unwrap_or_default();
    creditbook_paper::checked(o.paper)?;
    Err(FfiError::Core(creditbook::Error::InvalidState {
        reason: "this library was built without PDF statements (feature pdf)".into(),
    }))
}

/// Renders the statement in its language as `format` (a `creditbook_statement_format`; `width`
/// counts only for TEXT) and writes the document to `*bytes_out` and its length to `*len_out`:
/// a PDF's bytes for PDF (the store's paper, the UBL statement embedded), UTF-8 without a NUL for
/// the others. Release them with `creditbook_bytes_free(bytes, len)`.
#[no_mangle]
pub extern "C" fn creditbook_statement_render_bytes(
    statement: *const creditbook_statement,
    format: u32,
    width: usize,
    bytes_out: *mut *mut u8,
    len_out: *mut usize,
) -> creditbook_result {
    ffi_panic_boundary!(on statement, {
        handle::call(statement, |s| {
            let (b, l) = (out(bytes_out, "bytes_out")?, out(len_out, "len_out")?);
            give_bytes(b, l, s.render_bytes(format, width)?);
            Ok(())
        })
    })
}

/// Renders the statement as a PDF/A-3 document with `options` (NULL: the store's paper, the UBL
/// statement embedded) and writes its bytes to `*bytes_out` and their count to `*len_out`
/// (release them with `creditbook_bytes_free(bytes, len)`).
#[no_mangle]
pub extern "C" fn creditbook_statement_render_pdf(
    statement: *const creditbook_statement,
    options: *const creditbook_pdf_options,
    bytes_out: *mut *mut u8,
    len_out: *mut usize,
) -> creditbook_result {
    ffi_panic_boundary!(on statement, {
        handle::call(statement, |s| {
            let (b, l) = (out(bytes_out, "bytes_out")?, out(len_out, "len_out")?);
            give_bytes(b, l, pdf(&[&s.statement], options)?);
            Ok(())
        })
    })
}

/// The print run: the `count` statements of `statements` in one PDF/A-3 document, each starting
/// on a new page in its own language, with `options` (NULL: each store's paper, each UBL
/// statement embedded). Writes its bytes to `*bytes_out` and their count to `*len_out` (release
/// them with `creditbook_bytes_free(bytes, len)`). No statement is an error; failures are
/// recorded on `book` (`creditbook_book_last_error`).
#[no_mangle]
pub extern "C" fn creditbook_book_print_run(
    book: *const creditbook_book,
    statements: *const *const creditbook_statement,
    count: usize,
    options: *const creditbook_pdf_options,
    bytes_out: *mut *mut u8,
    len_out: *mut usize,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |_| {
            let (b, l) = (out(bytes_out, "bytes_out")?, out(len_out, "len_out")?);
            // SAFETY: the caller's array of `count` handles, valid for the call.
            let handles = unsafe { crate::strings::slice_arg(statements, count, "statements") }?;
            let mut list = Vec::with_capacity(handles.len());
            for h in handles {
                // SAFETY: each a live statement handle, or NULL (refused).
                let st = unsafe { h.as_ref() }.ok_or(FfiError::Null("statements"))?;
                list.push(&st.statement);
            }
            give_bytes(b, l, pdf(&list, options)?);
            Ok(())
        })
    })
}

/// Hands bytes to C: `*bytes_out` and `*len_out` (both checked not NULL), released by
/// `creditbook_bytes_free`.
fn give_bytes(bytes_out: *mut *mut u8, len_out: *mut usize, bytes: Vec<u8>) {
    let bytes = bytes.into_boxed_slice();
    let len = bytes.len();
    // SAFETY: both not NULL; the bytes are released by `creditbook_bytes_free`.
    unsafe {
        bytes_out.write(Box::into_raw(bytes).cast::<u8>());
        len_out.write(len);
    }
}

/// Renders the statement in its language as `format` (a `creditbook_statement_format`; `width`
/// counts only for TEXT) and writes the document to `*document_out`, a new UTF-8 string to
/// release with `creditbook_string_free`.
#[no_mangle]
pub extern "C" fn creditbook_statement_render(
    statement: *const creditbook_statement,
    format: u32,
    width: usize,
    document_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!(on statement, {
        handle::call(statement, |s| {
            out(document_out, "document_out")?;
            write_string(document_out, "document_out", s.render(format, width)?)
        })
    })
}

/// A statement's "Pay online" link, as `creditbook_statement_get_payment_link` reads it.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_statement_payment_link {
    /// True when the statement shows a link (the fields below are then set).
    pub present: bool,
    /// The link's URL, borrowed from the statement: valid until it is freed. NULL without a link.
    pub url: *const c_char,
    /// What the link asks, in minor units.
    pub amount: i64,
    /// When it stops working (seconds since the epoch); 0 when the statement does not say.
    pub expires_at: i64,
    /// True when the amount due was above the store's cap, so the statement has no link and says
    /// why.
    pub omitted: bool,
    /// That cap, in minor units (0 unless `omitted`).
    pub omitted_cap: i64,
}

/// Writes to `*link_out` the statement's "Pay online" link (made by
/// `creditbook_book_statement_with_link`), or that it has none.
#[no_mangle]
pub extern "C" fn creditbook_statement_get_payment_link(
    statement: *const creditbook_statement,
    link_out: *mut creditbook_statement_payment_link,
) -> creditbook_result {
    ffi_panic_boundary!(on statement, {
        handle::call(statement, |s| {
            let o = out(link_out, "link_out")?;
            let st = &s.statement;
            let link = st.payment_link.as_ref();
            let link = creditbook_statement_payment_link {
                present: link.is_some(),
                url: s.link_url.as_ref().map_or(std::ptr::null(), |u| u.as_ptr()),
                amount: link.map_or(Ok(0), |l| minor(l.amount, st.currency))?,
                expires_at: link.and_then(|l| l.expires_at).map_or(0, |t| t.timestamp()),
                omitted: st.payment_link_omitted.is_some(),
                omitted_cap: st
                    .payment_link_omitted
                    .map_or(Ok(0), |c| minor(c, st.currency))?,
            };
            // SAFETY: not NULL.
            unsafe { o.write(link) };
            Ok(())
        })
    })
}
