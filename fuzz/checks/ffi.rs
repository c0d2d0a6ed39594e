//! The body of the `ffi` fuzz target (C entry points called through their symbols; ffi/src built
//! as an rlib by fuzz/ffi-rlib). Input: 40 bytes of integers (amount minor units, charge amount,
//! instant, limit kind and amount, terms kind and days, permissions), then
//! `text SEP currency SEP account SEP op id SEP actor SEP customer id SEP name SEP email SEP
//! language SEP sale SEP override reason SEP timezone`.
//!
//! After the charge, the account's statement goes through C too: a request with fuzzed dates
//! (from the integers), amount due, language and number; every rendering at a fuzzed width (and
//! an unknown format); the statement email to the fuzzed address and its RFC 5322 bytes; and the
//! store's settings take the fuzzed texts as tolerance, languages, region and message addresses.

use std::ffi::{c_char, CString};
use std::ptr;

extern crate creditbook_ffi;

const OK: u32 = 0;
const PANIC: u32 = 903;
const INTERNAL: u32 = 904;
const SEP: u8 = 0x1e;

#[repr(C)]
struct Operation {
    op_id: *const c_char,
    at: i64,
    actor_id: *const c_char,
    permissions: u32,
}

#[repr(C)]
struct Date {
    year: i32,
    month: u32,
    day: u32,
}

#[repr(C)]
struct PostalAddress {
    lines: *const *const c_char,
    line_count: usize,
    city: *const c_char,
    region: *const c_char,
    postal_code: *const c_char,
    country: *const c_char,
}

#[repr(C)]
struct Customer {
    id: *const c_char,
    name: *const c_char,
    email: *const c_char,
    language: *const c_char,
    address: PostalAddress,
}

#[repr(C)]
struct StatementRequest {
    from: Date,
    to: Date,
    statement_date: *const Date,
    due_date: *const Date,
    amount_due: *const i64,
    language: *const c_char,
    number: *const c_char,
}

/// Opaque handles.
enum Settings {}
enum Book {}
enum Statement {}
enum Message {}

/// Room for a `creditbook_outcome` (a few integers), whatever its exact layout.
type OutcomeBuf = [u64; 32];

extern "C" {
    fn creditbook_amount_parse(text: *const c_char, currency: *const c_char, out: *mut i64) -> u32;
    fn creditbook_amount_to_string(
        minor: i64,
        currency: *const c_char,
        out: *mut *mut c_char,
    ) -> u32;
    fn creditbook_currency_exponent(currency: *const c_char, out: *mut u32) -> u32;
    fn creditbook_string_free(s: *mut c_char);
    fn creditbook_settings_new(
        name: *const c_char,
        currency: *const c_char,
        timezone: *const c_char,
        out: *mut *mut Settings,
    ) -> u32;
    fn creditbook_settings_free(s: *mut Settings);
    fn creditbook_book_new(settings: *const Settings, store: *const u8, out: *mut *mut Book)
        -> u32;
    fn creditbook_book_free(b: *mut Book);
    fn creditbook_book_last_error(b: *const Book, out: *mut *mut c_char) -> u32;
    fn creditbook_book_open_account(
        book: *const Book,
        account: *const c_char,
        op: *const Operation,
        customer: *const Customer,
        limit_kind: u32,
        limit: i64,
        terms_kind: u32,
        terms_days: u32,
        outcome: *mut OutcomeBuf,
    ) -> u32;
    fn creditbook_settings_set_over_limit_tolerance(
        s: *mut Settings,
        percent: *const c_char,
    ) -> u32;
    fn creditbook_settings_set_statement_percent_due(
        s: *mut Settings,
        percent: *const c_char,
    ) -> u32;
    fn creditbook_settings_set_languages(
        s: *mut Settings,
        codes: *const *const c_char,
        count: usize,
        own: *const c_char,
    ) -> u32;
    fn creditbook_settings_set_region(
        s: *mut Settings,
        country: *const c_char,
        display: u32,
    ) -> u32;
    fn creditbook_settings_set_message_addresses(
        s: *mut Settings,
        from: *const c_char,
        notices_to: *const c_char,
    ) -> u32;
    fn creditbook_settings_set_statement_texts(
        s: *mut Settings,
        payable_to: *const c_char,
        header: *const c_char,
    ) -> u32;
    fn creditbook_settings_last_error(s: *const Settings, out: *mut *mut c_char) -> u32;
    fn creditbook_book_statement(
        book: *const Book,
        account: *const c_char,
        request: *const StatementRequest,
        out: *mut *mut Statement,
    ) -> u32;
    fn creditbook_statement_free(st: *mut Statement);
    fn creditbook_statement_render(
        st: *const Statement,
        format: u32,
        width: usize,
        out: *mut *mut c_char,
    ) -> u32;
    fn creditbook_statement_last_error(st: *const Statement, out: *mut *mut c_char) -> u32;
    fn creditbook_book_compose_statement_email(
        book: *const Book,
        st: *const Statement,
        to: *const c_char,
        out: *mut *mut Message,
    ) -> u32;
    fn creditbook_message_free(m: *mut Message);
    fn creditbook_message_to_rfc5322(
        m: *const Message,
        date: i64,
        bytes: *mut *mut u8,
        len: *mut usize,
    ) -> u32;
    fn creditbook_bytes_free(bytes: *mut u8, len: usize);
    fn creditbook_book_charge(
        book: *const Book,
        account: *const c_char,
        op: *const Operation,
        amount: i64,
        sale: *const c_char,
        due_date: *const Date,
        override_reason: *const c_char,
        outcome: *mut OutcomeBuf,
    ) -> u32;
}

fn ok_or_typed(what: &str, r: u32) {
    assert!(r != PANIC && r != INTERNAL, "{what}: result {r}");
}

/// A C string of the bytes up to the first NUL (what a C caller's string would be).
fn c(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap()
}

/// NULL for an empty field, else the string.
fn opt(s: &CString) -> *const c_char {
    if s.as_bytes().is_empty() {
        ptr::null()
    } else {
        s.as_ptr()
    }
}

fn int<const N: usize>(head: &[u8], at: usize) -> [u8; N] {
    head[at..at + N].try_into().unwrap()
}

pub fn run(data: &[u8]) {
    let mut head = [0u8; 40];
    let k = data.len().min(40);
    head[..k].copy_from_slice(&data[..k]);
    let mut f: Vec<CString> = data[k..].splitn(12, |&b| b == SEP).map(c).collect();
    f.resize(12, CString::default());
    let minor = i64::from_le_bytes(int(&head, 0));
    let amount = i64::from_le_bytes(int(&head, 8));
    let at = i64::from_le_bytes(int(&head, 16));
    let limit_kind = u32::from(head[24]) % 4;
    let limit = i64::from(i32::from_le_bytes(int(&head, 25)));
    let terms_kind = u32::from(head[29]) % 6;
    let terms_days = u32::from_le_bytes(int(&head, 30));
    let permissions = u32::from_le_bytes(int(&head, 34));
    let due = Date {
        year: i32::from(i16::from_le_bytes(int(&head, 38))),
        month: u32::from(head[34] & 15),
        day: u32::from(head[35] & 31),
    };
    let currency = if head[39] & 1 == 0 {
        c(b"CAD")
    } else {
        f[1].clone()
    };

    // SAFETY: every pointer below is NULL or a live CString / local for the duration of the call;
    // every string returned is freed once.
    unsafe {
        let mut m = 0i64;
        let r = creditbook_amount_parse(f[0].as_ptr(), currency.as_ptr(), &mut m);
        ok_or_typed("amount_parse", r);
        if r == OK {
            let mut s = ptr::null_mut();
            let r2 = creditbook_amount_to_string(m, currency.as_ptr(), &mut s);
            assert_eq!(r2, OK, "a parsed amount prints");
            creditbook_string_free(s);
        }
        let mut s = ptr::null_mut();
        let r = creditbook_amount_to_string(minor, currency.as_ptr(), &mut s);
        ok_or_typed("amount_to_string", r);
        if r == OK {
            let mut back = 0i64;
            let rb = creditbook_amount_parse(s, currency.as_ptr(), &mut back);
            ok_or_typed("amount_parse(to_string)", rb);
            if rb == OK {
                assert_eq!(back, minor, "amount does not round-trip through text");
            }
            creditbook_string_free(s);
        }
        let mut e = 0u32;
        ok_or_typed(
            "currency_exponent",
            creditbook_currency_exponent(currency.as_ptr(), &mut e),
        );
        ok_or_typed(
            "amount_parse(NULL)",
            creditbook_amount_parse(ptr::null(), currency.as_ptr(), &mut m),
        );

        // A store with the fuzzed time zone when it is one, else Montreal.
        let mut settings = ptr::null_mut();
        let mut r = creditbook_settings_new(
            f[6].as_ptr(),
            c(b"CAD").as_ptr(),
            f[11].as_ptr(),
            &mut settings,
        );
        ok_or_typed("settings_new", r);
        if r != OK {
            r = creditbook_settings_new(
                c(b"Fuzz").as_ptr(),
                c(b"CAD").as_ptr(),
                c(b"America/Montreal").as_ptr(),
                &mut settings,
            );
            assert_eq!(r, OK);
        }
        fuzz_settings(settings, &f, head[33]);
        let mut book = ptr::null_mut();
        assert_eq!(creditbook_book_new(settings, ptr::null(), &mut book), OK);
        creditbook_settings_free(settings);

        let op = Operation {
            op_id: f[3].as_ptr(),
            at,
            actor_id: opt(&f[4]),
            permissions,
        };
        let customer = Customer {
            id: f[5].as_ptr(),
            name: f[6].as_ptr(),
            email: opt(&f[7]),
            language: opt(&f[8]),
            address: PostalAddress {
                lines: ptr::null(),
                line_count: 0,
                city: ptr::null(),
                region: ptr::null(),
                postal_code: ptr::null(),
                country: ptr::null(),
            },
        };
        let mut outcome: OutcomeBuf = [0; 32];
        let r = creditbook_book_open_account(
            book,
            f[2].as_ptr(),
            &op,
            &customer,
            limit_kind,
            limit,
            terms_kind,
            terms_days,
            &mut outcome,
        );
        check(book, "open_account", r);
        // The charge: same op id (a replay or a conflict) and a fresh one.
        let fresh = c(b"fuzz-charge");
        for op_id in [f[3].as_ptr(), fresh.as_ptr()] {
            let op = Operation { op_id, ..op };
            let due_date = if head[39] & 2 == 0 {
                ptr::null()
            } else {
                &due as *const Date
            };
            let r = creditbook_book_charge(
                book,
                f[2].as_ptr(),
                &op,
                amount,
                opt(&f[9]),
                due_date,
                opt(&f[10]),
                &mut outcome,
            );
            check(book, "charge", r);
        }
        fuzz_statement(book, &f, &head, &due, at);
        creditbook_book_free(book);
    }
}

/// Each fuzzed text as each setting that takes text; a refusal leaves a message on the settings.
unsafe fn fuzz_settings(settings: *mut Settings, f: &[CString], bits: u8) {
    let results = [
        (
            "set_over_limit_tolerance",
            creditbook_settings_set_over_limit_tolerance(settings, f[0].as_ptr()),
        ),
        (
            "set_statement_percent_due",
            creditbook_settings_set_statement_percent_due(settings, f[1].as_ptr()),
        ),
        ("set_languages", {
            let en = c(b"en");
            let codes = [f[8].as_ptr(), en.as_ptr(), f[1].as_ptr()];
            let count = usize::from(bits % 4).min(codes.len());
            creditbook_settings_set_languages(settings, codes.as_ptr(), count, opt(&f[8]))
        }),
        (
            "set_region",
            creditbook_settings_set_region(settings, f[1].as_ptr(), u32::from(bits >> 4) % 3),
        ),
        (
            "set_message_addresses",
            creditbook_settings_set_message_addresses(settings, opt(&f[7]), opt(&f[4])),
        ),
        (
            "set_statement_texts",
            creditbook_settings_set_statement_texts(settings, opt(&f[9]), opt(&f[10])),
        ),
    ];
    for (what, r) in results {
        ok_or_typed(what, r);
        if r != OK {
            let mut msg = ptr::null_mut();
            assert_eq!(creditbook_settings_last_error(settings, &mut msg), OK);
            assert!(!msg.is_null() && *msg != 0, "{what}: {r} without a message");
            creditbook_string_free(msg);
        }
    }
}

/// The account's statement for a fuzzed request, every rendering, and its email.
unsafe fn fuzz_statement(book: *const Book, f: &[CString], head: &[u8; 40], due: &Date, at: i64) {
    let day = |b: u8| Date {
        year: 2026 + i32::from(b >> 6) - 1,
        month: u32::from(b & 15),
        day: u32::from(b >> 2 & 31),
    };
    let amount_due = i64::from(i32::from_le_bytes(int(head, 8)));
    let request = StatementRequest {
        from: day(head[0]),
        to: day(head[1]),
        statement_date: if head[2] & 1 == 0 { ptr::null() } else { due },
        due_date: if head[2] & 2 == 0 { ptr::null() } else { due },
        amount_due: if head[2] & 4 == 0 {
            ptr::null()
        } else {
            &amount_due
        },
        language: opt(&f[8]),
        number: opt(&f[10]),
    };
    let mut st = ptr::null_mut();
    let r = creditbook_book_statement(book, f[2].as_ptr(), &request, &mut st);
    check(book, "statement", r);
    if r != OK {
        assert!(st.is_null(), "statement written on failure");
        return;
    }
    let width = usize::from(u16::from_le_bytes(int(head, 3)) % 300);
    for format in [0, 1, 2, 3, u32::from(head[5])] {
        let mut doc = ptr::null_mut();
        let r = creditbook_statement_render(st, format, width, &mut doc);
        ok_or_typed("statement_render", r);
        if r == OK {
            assert!(!doc.is_null());
            creditbook_string_free(doc);
        } else {
            assert!(doc.is_null(), "render wrote its output on failure");
            let mut msg = ptr::null_mut();
            assert_eq!(creditbook_statement_last_error(st, &mut msg), OK);
            creditbook_string_free(msg);
        }
    }
    let mut message = ptr::null_mut();
    let r = creditbook_book_compose_statement_email(book, st, opt(&f[7]), &mut message);
    check(book, "compose_statement_email", r);
    if r == OK {
        let (mut bytes, mut len) = (ptr::null_mut(), 0usize);
        let r = creditbook_message_to_rfc5322(message, at, &mut bytes, &mut len);
        ok_or_typed("message_to_rfc5322", r);
        if r == OK {
            let text = std::slice::from_raw_parts(bytes, len);
            let head_end = text.windows(4).position(|w| w == b"\r\n\r\n");
            assert!(head_end.is_some(), "a message without a header block");
            creditbook_bytes_free(bytes, len);
        }
        creditbook_message_free(message);
    }
    creditbook_statement_free(st);
}

/// A refusal is typed and the book's last error says why.
unsafe fn check(book: *const Book, what: &str, r: u32) {
    ok_or_typed(what, r);
    if r != OK {
        let mut msg = ptr::null_mut();
        // SAFETY: a live book; the message is freed below.
        unsafe {
            assert_eq!(creditbook_book_last_error(book, &mut msg), OK);
            assert!(
                !msg.is_null() && *msg != 0,
                "{what}: result {r} without a message"
            );
            creditbook_string_free(msg);
        }
    }
}
