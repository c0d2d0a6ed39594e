//! The Store port in C: a struct of callbacks the host fills, and the sinks its `load` and
//! `account_ids` callbacks push into. [`HostStore`] is what a book runs on: the embedded
//! in-memory store or the host's callbacks.
//!
//! Entries cross as their persisted records (`Entry::to_record`: one line of versioned JSON,
//! amounts as decimal strings): the host keeps text and sequence numbers, never a Rust layout.

use std::ffi::{c_char, c_void, CString};

use creditbook::store::conformance;
use creditbook::{Entry, Store, StoreError};
use smol_str::SmolStr;

use crate::panic::ffi_panic_boundary;
use crate::result::{creditbook_result, FfiError, FfiResult};
use crate::strings::bytes_arg;

/// What a store callback returns: success.
pub const CREDITBOOK_STORE_OK: i32 = 0;
/// What `append` returns when the account is no longer at `expected_version` (another writer
/// appended first) and it wrote nothing: the book catches up, decides again and retries.
pub const CREDITBOOK_STORE_CONFLICT: i32 = 2147483647;

/// One entry to append: its sequence number in the account's ledger (from 1) and its persisted
/// record (UTF-8 JSON, NUL-terminated, `len` bytes without the NUL). Borrowed: valid only during
/// the callback; copy what you keep.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_record {
    /// The entry's number in its account (the account's version once it is written).
    pub seq: u64,
    /// The record's text.
    pub text: *const c_char,
    /// The record's length in bytes, without the NUL.
    pub len: usize,
}

/// What a callback pushed: the items read, or the first push refused.
struct Sink<T> {
    items: Vec<T>,
    error: Option<FfiError>,
}

impl<T> Sink<T> {
    fn new() -> Sink<T> {
        Sink {
            items: Vec::new(),
            error: None,
        }
    }

    /// Keeps an item, or the first refusal (the call then fails even if the host ignores it).
    fn push(&mut self, item: FfiResult<T>) -> creditbook_result {
        match item {
            Ok(item) => {
                self.items.push(item);
                creditbook_result::Ok
            }
            Err(e) => {
                let r = e.result();
                self.error.get_or_insert(e);
                r
            }
        }
    }

    /// What was pushed, once the callback returned.
    fn finish(self, what: &str) -> Result<Vec<T>, StoreError> {
        match self.error {
            Some(e) => Err(refused(what, e)),
            None => Ok(self.items),
        }
    }
}

/// Where the `load` callback hands its records back (`creditbook_entry_sink_push`). Valid only
/// during the callback.
#[allow(non_camel_case_types)]
pub struct creditbook_entry_sink(Sink<Entry>);

/// Where the `account_ids` callback hands account ids back (`creditbook_id_sink_push`). Valid
/// only during the callback.
#[allow(non_camel_case_types)]
pub struct creditbook_id_sink(Sink<SmolStr>);

/// The host's store, as callbacks. Every callback gets `user_data` first and returns
/// `CREDITBOOK_STORE_OK` (0), `CREDITBOOK_STORE_CONFLICT` (from `append` only), or any other
/// value for a failure: the operation then fails with `CREDITBOOK_RESULT_STORE_FAILED`, nothing is
/// recorded, and the value is kept in the last error's message ("store failed (code N)").
///
/// Contract (see the header's "Threads and callbacks"): callbacks run synchronously on the thread
/// that called creditbook, inside that call, never while the library holds a lock; they may call
/// creditbook again (reads and operations, on any account, even the same book), but must not free
/// the book they serve. Pointers they receive are valid only until they return. `user_data` must
/// stay valid as long as the book. If the book is used from several threads, the callbacks are
/// called from those threads, concurrently: they must be thread-safe.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_store_callbacks {
    /// Passed as the first argument of every callback; never read by creditbook.
    pub user_data: *mut c_void,
    /// Pushes into `sink`, in order, the records of `account` whose `seq` is greater than `after`
    /// (none for an unknown account), with `creditbook_entry_sink_push`.
    pub load: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            account: *const c_char,
            after: u64,
            sink: *mut creditbook_entry_sink,
        ) -> i32,
    >,
    /// Writes all `count` records of `account` (numbered `expected_version + 1` on) atomically, if
    /// and only if the account's version is still `expected_version` (0 for an account without
    /// records); else writes nothing and returns `CREDITBOOK_STORE_CONFLICT`.
    pub append: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            account: *const c_char,
            expected_version: u64,
            records: *const creditbook_record,
            count: usize,
        ) -> i32,
    >,
    /// Pushes into `sink` the id of every account that has records, with
    /// `creditbook_id_sink_push`.
    pub account_ids:
        Option<unsafe extern "C" fn(user_data: *mut c_void, sink: *mut creditbook_id_sink) -> i32>,
}

/// Hands one record to the `load` callback's sink: `text` is `len` bytes of a record that
/// `append` was given (no NUL needed). Returns `CREDITBOOK_RESULT_CORRUPT_RECORD` or
/// `CREDITBOOK_RESULT_UNSUPPORTED_SCHEMA` for a record this library cannot read (the load then
/// fails with it), `CREDITBOOK_RESULT_NULL_PARAMETER` / `_INVALID_UTF8` for bad arguments.
/// Call it only inside the `load` callback that received `sink`.
#[no_mangle]
pub extern "C" fn creditbook_entry_sink_push(
    sink: *mut creditbook_entry_sink,
    text: *const c_char,
    len: usize,
) -> creditbook_result {
    ffi_panic_boundary!({
        // SAFETY: the sink was handed to the callback that calls this.
        let Some(sink) = (unsafe { sink.as_mut() }) else {
            return creditbook_result::NullParameter;
        };
        // SAFETY: the caller's contract.
        let parsed = unsafe { bytes_arg(text, len, "text") }
            .and_then(|t| Entry::from_record(t).map_err(FfiError::from));
        sink.0.push(parsed)
    })
}

/// Hands one account id (`len` bytes of UTF-8, no NUL needed) to the `account_ids` callback's
/// sink. Call it only inside the callback that received `sink`.
#[no_mangle]
pub extern "C" fn creditbook_id_sink_push(
    sink: *mut creditbook_id_sink,
    id: *const c_char,
    len: usize,
) -> creditbook_result {
    ffi_panic_boundary!({
        // SAFETY: the sink was handed to the callback that calls this.
        let Some(sink) = (unsafe { sink.as_mut() }) else {
            return creditbook_result::NullParameter;
        };
        // SAFETY: the caller's contract.
        sink.0
            .push(unsafe { bytes_arg(id, len, "id") }.map(SmolStr::new))
    })
}

/// The host's callbacks as a [`Store`].
#[derive(Debug)]
pub(crate) struct CallbackStore {
    callbacks: creditbook_store_callbacks,
}

// SAFETY: the callbacks and `user_data` are the host's; the header's contract makes the host
// responsible for them being callable from every thread that uses the book (documented on
// `creditbook_store_callbacks` and `creditbook_book`). creditbook never reads `user_data`.
unsafe impl Send for CallbackStore {}
// SAFETY: as above.
unsafe impl Sync for CallbackStore {}

impl CallbackStore {
    /// The callbacks, checked: every one must be set.
    pub(crate) fn new(callbacks: &creditbook_store_callbacks) -> Result<CallbackStore, FfiError> {
        if callbacks.load.is_none() {
            return Err(FfiError::Null("store->load"));
        }
        if callbacks.append.is_none() {
            return Err(FfiError::Null("store->append"));
        }
        if callbacks.account_ids.is_none() {
            return Err(FfiError::Null("store->account_ids"));
        }
        Ok(CallbackStore {
            callbacks: *callbacks,
        })
    }
}

/// A host status as the port's answer.
fn status(code: i32, what: &str) -> Result<(), StoreError> {
    match code {
        CREDITBOOK_STORE_OK => Ok(()),
        CREDITBOOK_STORE_CONFLICT => Err(StoreError::Conflict),
        code => Err(StoreError::Failed {
            code,
            message: format!("the host's {what} callback failed"),
        }),
    }
}

/// A sink's refusal of what the host pushed, as a store failure (the host's status was 0).
fn refused(what: &str, e: FfiError) -> StoreError {
    StoreError::Failed {
        code: 0,
        message: format!(
            "the {what} callback pushed what creditbook cannot read: {}",
            e.message()
        ),
    }
}

fn account_arg(account: &str) -> Result<CString, StoreError> {
    // Account ids are checked by the Book (no control characters), so they hold no NUL.
    CString::new(account).map_err(|_| StoreError::Failed {
        code: 0,
        message: "account id holds a NUL byte".into(),
    })
}

impl Store for CallbackStore {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        let Some(load) = self.callbacks.load else {
            return Err(refused("load", FfiError::Null("store->load")));
        };
        let account = account_arg(account)?;
        let mut sink = creditbook_entry_sink(Sink::new());
        // SAFETY: the host's callback, called as its contract says; the sink outlives the call.
        let code = unsafe { load(self.callbacks.user_data, account.as_ptr(), after, &mut sink) };
        status(code, "load")?;
        sink.0.finish("load")
    }

    fn append(
        &self,
        account: &str,
        expected_version: u64,
        entries: &[Entry],
    ) -> Result<(), StoreError> {
        let Some(append) = self.callbacks.append else {
            return Err(refused("append", FfiError::Null("store->append")));
        };
        let account = account_arg(account)?;
        let texts: Vec<CString> = entries
            .iter()
            .map(|e| CString::new(e.to_record()))
            .collect::<Result<_, _>>()
            .map_err(|_| StoreError::Failed {
                code: 0,
                message: "a record holds a NUL byte".into(),
            })?;
        let records: Vec<creditbook_record> = entries
            .iter()
            .zip(&texts)
            .map(|(e, t)| creditbook_record {
                seq: e.seq,
                text: t.as_ptr(),
                len: t.as_bytes().len(),
            })
            .collect();
        // SAFETY: the host's callback; the records and their texts outlive the call.
        let code = unsafe {
            append(
                self.callbacks.user_data,
                account.as_ptr(),
                expected_version,
                records.as_ptr(),
                records.len(),
            )
        };
        status(code, "append")
    }

    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        let Some(account_ids) = self.callbacks.account_ids else {
            return Err(refused("account_ids", FfiError::Null("store->account_ids")));
        };
        let mut sink = creditbook_id_sink(Sink::new());
        // SAFETY: the host's callback; the sink outlives the call.
        let code = unsafe { account_ids(self.callbacks.user_data, &mut sink) };
        status(code, "account_ids")?;
        sink.0.finish("account_ids")
    }
}

/// The store a book runs on: the embedded `MemoryStore`, a [`CallbackStore`] or (feature
/// `sqlite`) a shared `SqliteStore` (the core's `Store` for `Box<S>` forwards to any).
pub(crate) type HostStore = Box<dyn Store>;

/// Runs the Store contract (the checks of `creditbook::store::conformance`: ledger order, loads
/// after a version, entries read back equal, all-or-nothing appends, conflicts on a stale or
/// future version with nothing written, account listing, similar and reserved-looking ids, threads
/// appending to one account at once) on the host's store callbacks. Writes to `*passed_out`
/// whether every check passed, and to `*report_out` what the kit found: the checks passed, or the
/// first check that failed and what the store did (a new string: release it with
/// `creditbook_string_free`). The run itself is `OK` whether the store passes or not. The checks
/// use account ids of their own (unique per run), so a store holding data is left alone, and
/// call the callbacks from several threads at once: the store must be thread-safe, as a book
/// needs.
#[no_mangle]
pub extern "C" fn creditbook_store_conformance(
    store: *const creditbook_store_callbacks,
    passed_out: *mut bool,
    report_out: *mut *mut c_char,
) -> creditbook_result {
    ffi_panic_boundary!({
        let run = || -> FfiResult<()> {
            // SAFETY: the caller's callbacks, valid for the call.
            let callbacks = unsafe { store.as_ref() }.ok_or(FfiError::Null("store"))?;
            let host = CallbackStore::new(callbacks)?;
            let passed = crate::strings::out(passed_out, "passed_out")?;
            crate::strings::out(report_out, "report_out")?;
            let shared = std::sync::Arc::new(host);
            let (text, ok) = match conformance::run(|| shared.clone()) {
                Ok(report) => (report.to_string(), true),
                Err(failure) => (failure.to_string(), false),
            };
            crate::strings::write_string(report_out, "report_out", text)?;
            // SAFETY: not NULL, the caller's.
            unsafe { passed.write(ok) };
            Ok(())
        };
        match run() {
            Ok(()) => creditbook_result::Ok,
            Err(e) => e.result(),
        }
    })
}
