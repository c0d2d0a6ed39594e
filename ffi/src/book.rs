//! `creditbook_book`: one store's accounts over the host's store, and every operation on them.
//!
//! Each operation converts its C arguments into the core's [`Command`] and runs
//! [`Book::execute`]: the rules live in the core, never here.

use std::ffi::c_char;

use creditbook::{Book, Charge, Command, Currency, MemoryStore, OpenAccount, Outcome, Payment};

use crate::handle;
use crate::last_error::{copy_out, finish, HasLastError, LastError};
use crate::panic::ffi_panic_boundary;
use crate::ports::{
    creditbook_mailer_callbacks, creditbook_payment_provider_callbacks, CallbackMailer,
    CallbackProvider,
};
use crate::result::{creditbook_result, FfiResult};
use crate::settings::creditbook_settings;
use crate::store::{creditbook_store_callbacks, CallbackStore, HostStore};
use crate::strings::{arg, opt_arg, out, slice_arg};
use crate::values::{
    self, c_enum, credit_limit, creditbook_customer, creditbook_date, creditbook_operation,
    instant, minor, money, opt_date, terms, CEnum,
};

/// One store's customer accounts (a `Book` inside) over the host's store or the embedded
/// in-memory one. Made by `creditbook_book_new`, released by `creditbook_book_free`.
///
/// Thread-safe: one book may be used from several threads at once (operations on one account
/// are serialized by optimistic concurrency, different accounts proceed in parallel), provided
/// the store callbacks are thread-safe too. Its last error is kept per thread. Never free it
/// while another thread, or a callback, is inside a call on it.
#[allow(non_camel_case_types)]
pub struct creditbook_book {
    book: Book<HostStore>,
    errors: LastError,
}

impl HasLastError for creditbook_book {
    fn last_error(&self) -> &LastError {
        &self.errors
    }
}

/// Runs a call on a book handle (inside the caller's panic boundary).
pub(crate) fn with_book(
    book: *const creditbook_book,
    f: impl FnOnce(&Book<HostStore>) -> FfiResult<()>,
) -> creditbook_result {
    handle::call(book, |b| f(&b.book))
}

/// What an operation did (or, for a replay, had done the first time). Amounts are minor units of
/// the account's currency. Every operation takes a `creditbook_outcome *outcome_out` last: NULL
/// when the caller does not need it, else written on success.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct creditbook_outcome {
    /// The number of the operation's first entry in the account's ledger.
    pub first_entry: u64,
    /// How many entries the operation recorded (usually 1).
    pub entry_count: usize,
    /// True when the operation id had been used before with the same content: nothing new was
    /// recorded and these are the figures of the first time.
    pub replayed: bool,
    /// The invoice the operation opened (a charge, a debit adjustment); 0: none.
    pub invoice: u64,
    /// That invoice's due date (all zero when no invoice was opened).
    pub due_date: creditbook_date,
    /// Change of the balance owed.
    pub owed_change: i64,
    /// Change of the store credit balance.
    pub credit_change: i64,
    /// What the operation put toward invoices, in all.
    pub allocated: i64,
}

impl creditbook_outcome {
    pub(crate) fn new(o: &Outcome, cur: Currency) -> FfiResult<creditbook_outcome> {
        let effect = o.effect()?;
        let allocated = o.allocated()?;
        Ok(creditbook_outcome {
            first_entry: o.entry().seq,
            entry_count: o.entries.len(),
            replayed: o.replayed,
            invoice: o.invoice().unwrap_or(0),
            due_date: o.due_date().map(Into::into).unwrap_or_default(),
            owed_change: minor(effect.owed, cur)?,
            credit_change: minor(effect.credit, cur)?,
            allocated: minor(allocated, cur)?,
        })
    }
}

/// Runs one operation: converts the account, the envelope and the command, executes it, and
/// writes the outcome to `outcome_out` when it is not NULL.
fn operate(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    outcome_out: *mut creditbook_outcome,
    command: impl FnOnce(Currency) -> FfiResult<Command>,
) -> creditbook_result {
    with_book(book, |b| {
        // SAFETY: the caller's string, valid for the call.
        let account = unsafe { arg(account, "account") }?;
        // SAFETY: the caller's operation, valid for the call.
        let op = unsafe { values::operation(op) }?;
        let cur = b.settings().currency;
        let outcome = b.execute(account, &op, &command(cur)?)?;
        if !outcome_out.is_null() {
            let o = creditbook_outcome::new(&outcome, cur)?;
            // SAFETY: not NULL; the caller passed it as writable.
            unsafe { outcome_out.write(o) };
        }
        Ok(())
    })
}

/// Makes a book for a store from its settings (copied) over the host's store callbacks (copied;
/// `store` NULL: the embedded in-memory store, which lives and dies with the book). On success
/// writes a new handle to `*book_out` (release it with `creditbook_book_free`). Settings that do
/// not hold together are refused with the reason as the settings' last error. Every callback of
/// `store` must be set (`NULL_PARAMETER` otherwise); `store->user_data` must outlive the book.
/// The book has no mailer and no payment provider: `creditbook_book_new_with_ports` gives them.
#[no_mangle]
pub extern "C" fn creditbook_book_new(
    settings: *const creditbook_settings,
    store: *const creditbook_store_callbacks,
    book_out: *mut *mut creditbook_book,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
        new_book(
            settings,
            || callback_store(store),
            std::ptr::null(),
            std::ptr::null(),
            book_out,
        )
    })
}

/// `creditbook_book_new` with the host's mailer and payment provider (each copied; NULL: none,
/// and what needs it fails with `CREDITBOOK_RESULT_PORT_MISSING`). Their callbacks must be set
/// (`NULL_PARAMETER` otherwise) and their `user_data` must outlive the book.
#[no_mangle]
pub extern "C" fn creditbook_book_new_with_ports(
    settings: *const creditbook_settings,
    store: *const creditbook_store_callbacks,
    mailer: *const creditbook_mailer_callbacks,
    payment_provider: *const creditbook_payment_provider_callbacks,
    book_out: *mut *mut creditbook_book,
) -> creditbook_result {
    ffi_panic_boundary!(on settings, {
        new_book(
            settings,
            || callback_store(store),
            mailer,
            payment_provider,
            book_out,
        )
    })
}

/// The host's store callbacks (copied) as the book's store; NULL: the embedded in-memory store.
fn callback_store(store: *const creditbook_store_callbacks) -> FfiResult<HostStore> {
    // SAFETY: the caller's callbacks, valid or NULL.
    Ok(match unsafe { store.as_ref() } {
        None => Box::new(MemoryStore::new()),
        Some(c) => Box::new(CallbackStore::new(c)?),
    })
}

/// Makes a book over the store `store` makes, with the ports given (inside the caller's panic
/// boundary). Errors, the store's included, are kept as the settings' last error.
pub(crate) fn new_book(
    settings: *const creditbook_settings,
    store: impl FnOnce() -> FfiResult<HostStore>,
    mailer: *const creditbook_mailer_callbacks,
    payment_provider: *const creditbook_payment_provider_callbacks,
    book_out: *mut *mut creditbook_book,
) -> creditbook_result {
    // SAFETY: the caller passes settings made by `creditbook_settings_new`, or NULL.
    let Some(s) = (unsafe { settings.as_ref() }) else {
        return creditbook_result::NullParameter;
    };
    let made = || -> FfiResult<()> {
        let out = out(book_out, "book_out")?;
        s.get().validate()?;
        let store = store()?;
        // SAFETY: the caller's callbacks, each valid or NULL.
        let (mailer, provider) = unsafe { (mailer.as_ref(), payment_provider.as_ref()) };
        let mailer = mailer.map(CallbackMailer::new).transpose()?;
        let provider = provider.map(CallbackProvider::new).transpose()?;
        let mut book = Book::with_store(s.get().clone(), store);
        if let Some(m) = mailer {
            book = book.with_mailer(m);
        }
        if let Some(p) = provider {
            book = book.with_payment_provider(p);
        }
        let made = creditbook_book {
            book,
            errors: LastError::default(),
        };
        // SAFETY: `out` is not NULL.
        unsafe { handle::give(out, made) };
        Ok(())
    };
    finish(s, made())
}

/// Releases a book. NULL is a no-op; never release twice, nor while a call on the book is running
/// (on another thread, or from inside one of its store callbacks).
#[no_mangle]
pub extern "C" fn creditbook_book_free(book: *mut creditbook_book) {
    ffi_panic_boundary!({
        // SAFETY: made by `creditbook_book_new`, or NULL.
        unsafe { handle::free(book) }
    })
}

/// Writes to `*message_out` the message, with its figures, of the last call on `book` that failed
/// on this thread (`""` when none): e.g. "credit limit exceeded: 180.00 available, 250.00
/// requested". A new string: release it with `creditbook_string_free`.
#[no_mangle]
pub extern "C" fn creditbook_book_last_error(
    book: *const creditbook_book,
    message_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!({ copy_out(book, message_out) })
}

/// Writes to `*message_out` the last error of `book` on this thread (as
/// `creditbook_book_last_error`) in one of the store's languages (`language`: `"fr"`, `"es"`...),
/// for the clerk: amounts in the store's currency as its statements print them ("Limite de crédit
/// dépassée : 80,00 $ disponible, 120,00 $ demandé."). Failures of the C call itself (a NULL
/// pointer, invalid UTF-8, an unknown enum value) are for the programmer and stay in English. A
/// language the store does not print in is `LANGUAGE_NOT_OFFERED`. A new string: release it with
/// `creditbook_string_free`. This call does not replace the last error.
#[no_mangle]
pub extern "C" fn creditbook_book_last_error_localized(
    book: *const creditbook_book,
    language: *const c_char,
    message_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!({
        // Answered without touching the last error: the host asks about the failure before.
        // SAFETY: made by `creditbook_book_new`, or NULL.
        let Some(b) = (unsafe { book.as_ref() }) else {
            return creditbook_result::NullParameter;
        };
        let run = || -> FfiResult<()> {
            // SAFETY: the caller's string, valid for the call.
            let language = unsafe { arg(language, "language") }?;
            let failure = b.last_error().failure();
            let text = match &failure.error {
                Some(e) => b.book.localize_error(e, language)?,
                None => failure.message,
            };
            crate::strings::write_string(message_out, "message_out", text)
        };
        match run() {
            Ok(()) => creditbook_result::Ok,
            Err(e) => e.result(),
        }
    })
}

/// Opens an account for a customer with a credit limit (`limit_kind`: a `creditbook_limit_kind`;
/// `limit`: minor units, 0 for a deposit-only account; `STORE_DEFAULT` for the store's default
/// limit). Any limit but 0 needs `op`'s employee granted `CREDITBOOK_PERMISSION_CREDIT_LIMIT`
/// (`PERMISSION_DENIED` otherwise); the store's default needs none. Terms (`terms_kind`: a
/// `creditbook_terms_kind`, `STORE` for the store's; `terms_days` for NET and END_OF_MONTH_PLUS).
/// `outcome_out` may be NULL.
#[no_mangle]
pub extern "C" fn creditbook_book_open_account(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    customer: *const creditbook_customer,
    limit_kind: u32,
    limit: i64,
    terms_kind: u32,
    terms_days: u32,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            Ok(Command::OpenAccount(OpenAccount {
                // SAFETY: the caller's customer and account, valid for the call.
                customer: unsafe { values::customer(customer, account) }?,
                credit_limit: credit_limit(limit_kind, limit, cur)?,
                terms: terms(terms_kind, terms_days)?,
            }))
        })
    })
}

/// Replaces the customer's contact details.
#[no_mangle]
pub extern "C" fn creditbook_book_update_contact(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    customer: *const creditbook_customer,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |_| {
            // SAFETY: the caller's customer and account, valid for the call.
            Ok(Command::UpdateContact(unsafe {
                values::customer(customer, account)
            }?))
        })
    })
}

/// Changes the credit limit (needs `CREDITBOOK_PERMISSION_CREDIT_LIMIT`).
#[no_mangle]
pub extern "C" fn creditbook_book_set_credit_limit(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    limit_kind: u32,
    limit: i64,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            let limit = credit_limit(limit_kind, limit, cur)?.ok_or_else(|| {
                crate::result::FfiError::from(creditbook::Error::InvalidInput {
                    field: "limit_kind",
                    reason: "the store's default is for opening an account".into(),
                })
            })?;
            Ok(Command::SetCreditLimit(limit))
        })
    })
}

/// Changes the account's payment terms (needs `CREDITBOOK_PERMISSION_CREDIT_LIMIT`; `STORE`:
/// follow the store's).
#[no_mangle]
pub extern "C" fn creditbook_book_set_terms(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    terms_kind: u32,
    terms_days: u32,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |_| {
            Ok(Command::SetTerms(terms(terms_kind, terms_days)?))
        })
    })
}

/// Which status change `creditbook_book_set_status` makes.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_status_change {
    /// Put on hold: no new charges (payments still accepted). No permission needed.
    Hold = 0,
    /// Release a hold. No permission needed.
    Release = 1,
    /// Archive: no activity until reactivated (needs `CREDITBOOK_PERMISSION_ARCHIVE_ACCOUNT`).
    Archive = 2,
    /// Reactivate an archived account (needs `CREDITBOOK_PERMISSION_ARCHIVE_ACCOUNT`).
    Reactivate = 3,
}

c_enum!(creditbook_status_change: Hold, Release, Archive, Reactivate);

/// Holds, releases, archives or reactivates the account (`change`: a
/// `creditbook_status_change`). `reason` (NULL: none) is kept only for a hold.
#[no_mangle]
pub extern "C" fn creditbook_book_set_status(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    change: u32,
    reason: *const c_char,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |_| {
            // SAFETY: the caller's string, or NULL.
            let reason = unsafe { opt_arg(reason, "reason") }?.map(str::to_string);
            use creditbook_status_change as S;
            Ok(match S::checked(change)? {
                S::Hold => Command::Hold { reason },
                S::Release => Command::Release,
                S::Archive => Command::Archive,
                S::Reactivate => Command::Reactivate,
            })
        })
    })
}

/// Charges a sale (or part of it) to the account: opens an invoice of `amount` (minor units).
/// `sale` (receipt number), `due_date` (instead of the terms') and `override_reason` (a manager's
/// override of the credit limit, needs `CREDITBOOK_PERMISSION_OVERRIDE_CREDIT_LIMIT`) may be NULL.
/// Over the limit: `CREDIT_LIMIT_EXCEEDED`, with the available credit in the last error.
/// The invoice is numbered by its place in the ledger (`creditbook_book_charge_numbered` takes the
/// host's own number).
#[no_mangle]
pub extern "C" fn creditbook_book_charge(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    amount: i64,
    sale: *const c_char,
    due_date: *const creditbook_date,
    override_reason: *const c_char,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!({
        creditbook_book_charge_numbered(
            book,
            account,
            op,
            amount,
            sale,
            std::ptr::null(),
            due_date,
            override_reason,
            outcome_out,
        )
    })
}

/// `creditbook_book_charge` with the host's own invoice number, unique within the account
/// (messages, statements and reminders show it; a number the account already has is
/// `INVALID_INPUT`). `sale`, `invoice_number` (numbered by its place in the ledger), `due_date`,
/// `override_reason` and `outcome_out` may be NULL.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn creditbook_book_charge_numbered(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    amount: i64,
    sale: *const c_char,
    invoice_number: *const c_char,
    due_date: *const creditbook_date,
    override_reason: *const c_char,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            // SAFETY: the caller's pointers, each NULL or valid for the call.
            unsafe {
                Ok(Command::Charge(Charge {
                    amount: money(amount, cur),
                    sale: opt_arg(sale, "sale")?.map(Into::into),
                    due_date: opt_date(due_date, "due_date")?,
                    override_reason: opt_arg(override_reason, "override_reason")?
                        .map(str::to_string),
                    invoice_number: opt_arg(invoice_number, "invoice_number")?.map(Into::into),
                }))
            }
        })
    })
}

/// Writes to `*amount_out` how much of `sale_due` (minor units) the account can be charged at
/// `at` (seconds since the epoch): `min(sale_due, available)` with the store's tolerance, for a
/// partial charge. Refuses, like a charge would, an account on hold, archived or under a credit
/// hold.
#[no_mangle]
pub extern "C" fn creditbook_book_max_charge(
    book: *const creditbook_book,
    account: *const c_char,
    sale_due: i64,
    at: i64,
    amount_out: *mut i64,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let out = out(amount_out, "amount_out")?;
            // SAFETY: the caller's string.
            let account = unsafe { arg(account, "account") }?;
            let cur = b.settings().currency;
            let max = b.max_charge(account, money(sale_due, cur), instant(at)?)?;
            let max = minor(max, cur)?;
            // SAFETY: not NULL.
            unsafe { out.write(max) };
            Ok(())
        })
    })
}

/// Records a payment of `amount`: to the `invoice_count` invoices of `invoices` in that order,
/// else (`invoice_count` 0) oldest due date first; any excess becomes store credit. `reference`
/// (tender, cheque number) may be NULL.
#[no_mangle]
pub extern "C" fn creditbook_book_pay(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    amount: i64,
    invoices: *const u64,
    invoice_count: usize,
    reference: *const c_char,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            // SAFETY: the caller's pointers, valid for the call.
            unsafe {
                Ok(Command::Payment(Payment {
                    amount: money(amount, cur),
                    invoices: slice_arg(invoices, invoice_count, "invoices")?.to_vec(),
                    reference: opt_arg(reference, "reference")?.map(Into::into),
                }))
            }
        })
    })
}

/// Records a deposit: money received in advance becomes store credit. `reference` (layaway,
/// special order) may be NULL.
#[no_mangle]
pub extern "C" fn creditbook_book_deposit(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    amount: i64,
    reference: *const c_char,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            Ok(Command::Deposit {
                amount: money(amount, cur),
                // SAFETY: the caller's string, or NULL.
                reference: unsafe { opt_arg(reference, "reference") }?.map(Into::into),
            })
        })
    })
}

/// Uses store credit as tender on a sale (`sale` may be NULL).
#[no_mangle]
pub extern "C" fn creditbook_book_use_credit(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    amount: i64,
    sale: *const c_char,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            Ok(Command::UseCredit {
                amount: money(amount, cur),
                // SAFETY: the caller's string, or NULL.
                sale: unsafe { opt_arg(sale, "sale") }?.map(Into::into),
            })
        })
    })
}

/// Applies store credit to open invoices: the named ones in order, else oldest due first.
#[no_mangle]
pub extern "C" fn creditbook_book_apply_credit(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    amount: i64,
    invoices: *const u64,
    invoice_count: usize,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            Ok(Command::ApplyCredit {
                amount: money(amount, cur),
                // SAFETY: the caller's array, valid for the call.
                invoices: unsafe { slice_arg(invoices, invoice_count, "invoices") }?.to_vec(),
            })
        })
    })
}

/// Refunds a sale as store credit (needs `CREDITBOOK_PERMISSION_CREDIT_ACCOUNT_REFUND`); it reduces
/// the sale's open invoice first. `sale` NULL: a refund without receipt. `sale_total` (NULL: none)
/// declares what was paid for a sale paid otherwise than through the account.
#[no_mangle]
pub extern "C" fn creditbook_book_refund_to_credit(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    amount: i64,
    sale: *const c_char,
    sale_total: *const i64,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            Ok(Command::RefundToCredit {
                amount: money(amount, cur),
                // SAFETY: the caller's pointers, each NULL or valid for the call.
                sale: unsafe { opt_arg(sale, "sale") }?.map(Into::into),
                // SAFETY: as above.
                sale_total: unsafe { sale_total.as_ref() }.map(|t| money(*t, cur)),
            })
        })
    })
}

/// Pays store credit back in cash or to a card (`method` may be NULL).
#[no_mangle]
pub extern "C" fn creditbook_book_refund_credit(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    amount: i64,
    method: *const c_char,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            Ok(Command::RefundCredit {
                amount: money(amount, cur),
                // SAFETY: the caller's string, or NULL.
                method: unsafe { opt_arg(method, "method") }?.map(Into::into),
            })
        })
    })
}

/// Reverses an earlier entry, by number (needs `CREDITBOOK_PERMISSION_ADJUST_BALANCE`).
#[no_mangle]
pub extern "C" fn creditbook_book_reverse(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    entry: u64,
    reason: *const c_char,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |_| {
            Ok(Command::Reverse {
                entry,
                // SAFETY: the caller's string.
                reason: unsafe { arg(reason, "reason") }?.to_string(),
            })
        })
    })
}

/// Adjusts the balance (`direction`: a `creditbook_direction`; needs
/// `CREDITBOOK_PERMISSION_ADJUST_BALANCE`).
#[no_mangle]
pub extern "C" fn creditbook_book_adjust(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    direction: u32,
    amount: i64,
    reason: *const c_char,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            Ok(Command::Adjust {
                direction: values::direction(direction)?,
                amount: money(amount, cur),
                // SAFETY: the caller's string.
                reason: unsafe { arg(reason, "reason") }?.to_string(),
            })
        })
    })
}

/// Writes off an invoice: `amount` of it (NULL: all that remains). Needs
/// `CREDITBOOK_PERMISSION_ADJUST_BALANCE`.
#[no_mangle]
pub extern "C" fn creditbook_book_write_off(
    book: *const creditbook_book,
    account: *const c_char,
    op: *const creditbook_operation,
    invoice: u64,
    amount: *const i64,
    reason: *const c_char,
    outcome_out: *mut creditbook_outcome,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        operate(book, account, op, outcome_out, |cur| {
            Ok(Command::WriteOff {
                invoice,
                // SAFETY: the caller's pointers, each NULL or valid for the call.
                amount: unsafe { amount.as_ref() }.map(|a| money(*a, cur)),
                // SAFETY: as above.
                reason: unsafe { arg(reason, "reason") }?.to_string(),
            })
        })
    })
}

/// For tests of the panic boundary: panics inside the library. Returns `CREDITBOOK_RESULT_PANIC`
/// and records the panic as `book`'s last error (when `book` is not NULL); the process lives on.
/// Only in a library built with the `test-hooks` feature (the C test suite's).
#[cfg(feature = "test-hooks")]
#[no_mangle]
pub extern "C" fn creditbook_test_force_panic(book: *const creditbook_book) -> creditbook_result {
    ffi_panic_boundary!(on book, { forced_panic() })
}

#[cfg(feature = "test-hooks")]
fn forced_panic() -> creditbook_result {
    panic!("forced by creditbook_test_force_panic")
}
