//! What the shop reads: an account's summary, the accounts list, the activity, the open invoices
//! and the aging. Lists are owned by the caller and released with their `_free` function.

use std::ffi::c_char;

use creditbook::{
    AccountSummary, AccountsQuery, ActivityLine, ActivityQuery, AgeRange, CreditLimit, Currency,
    OpenInvoice, Unusual,
};

use crate::book::{creditbook_book, with_book};
use crate::list::{self, items, Strings};
use crate::outreach::creditbook_link_status;
use crate::panic::ffi_panic_boundary;
use crate::result::{creditbook_result, FfiResult};
use crate::strings::{arg, opt_arg, out, slice_arg};
use crate::values::{
    creditbook_account_status, creditbook_date, creditbook_entry_type, creditbook_limit_kind,
    creditbook_standing, entry_type, minor, sort_key, standing_filter, status_filter,
};

/// An account's figures on a date, in minor units of its currency.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_summary {
    /// Active, on hold or archived.
    pub status: creditbook_account_status,
    /// Settled, outstanding or overdue on `as_of`.
    pub standing: creditbook_standing,
    /// An amount, or unlimited.
    pub limit_kind: creditbook_limit_kind,
    /// The credit limit (0 when unlimited).
    pub credit_limit: i64,
    /// Sum of the open invoices' remaining amounts.
    pub balance_owed: i64,
    /// Unapplied store credit (never netted against the balance owed).
    pub credit_balance: i64,
    /// Credit limit less balance owed, never below 0 (0 when unlimited: see `limit_kind`).
    pub available: i64,
    /// What is past due on `as_of`.
    pub overdue: i64,
    /// The number of open invoices.
    pub open_invoices: usize,
    /// The date of these figures.
    pub as_of: creditbook_date,
}

impl creditbook_summary {
    fn new(s: &AccountSummary, cur: Currency) -> FfiResult<creditbook_summary> {
        let (limit_kind, credit_limit) = match s.credit_limit {
            CreditLimit::Amount(a) => (creditbook_limit_kind::Amount, minor(a, cur)?),
            CreditLimit::Unlimited => (creditbook_limit_kind::Unlimited, 0),
        };
        Ok(creditbook_summary {
            status: s.status.into(),
            standing: s.standing.into(),
            limit_kind,
            credit_limit,
            balance_owed: minor(s.balance_owed, cur)?,
            credit_balance: minor(s.credit_balance, cur)?,
            available: s.available.map_or(Ok(0), |a| minor(a, cur))?,
            overdue: minor(s.overdue, cur)?,
            open_invoices: s.open_invoices,
            as_of: s.as_of.into(),
        })
    }
}

/// Writes to `*summary_out` the account's figures on `as_of`.
#[no_mangle]
pub extern "C" fn creditbook_book_summary(
    book: *const creditbook_book,
    account: *const c_char,
    as_of: creditbook_date,
    summary_out: *mut creditbook_summary,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let out = out(summary_out, "summary_out")?;
            // SAFETY: the caller's string.
            let account = unsafe { arg(account, "account") }?;
            let s = b.summary(account, as_of.get("as_of")?)?;
            let s = creditbook_summary::new(&s, b.settings().currency)?;
            // SAFETY: not NULL.
            unsafe { out.write(s) };
            Ok(())
        })
    })
}

/// Which accounts the list shows, and in which order.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_accounts_query {
    /// The date of the figures.
    pub as_of: creditbook_date,
    /// Only accounts in this `creditbook_standing`; -1: any.
    pub standing: i32,
    /// Only accounts with this `creditbook_account_status`; -1: any.
    pub status: i32,
    /// Only customers whose name contains this text, case-insensitively; NULL: all.
    pub search: *const c_char,
    /// The `creditbook_sort_key`.
    pub sort: u32,
    /// Largest first.
    pub descending: bool,
}

/// One row of the accounts list.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_account_row {
    /// The account id.
    pub account_id: *const c_char,
    /// The customer's id.
    pub customer_id: *const c_char,
    /// The customer's name.
    pub customer_name: *const c_char,
    /// The customer's email address; NULL: none.
    pub customer_email: *const c_char,
    /// The account's figures.
    pub summary: creditbook_summary,
}

/// The accounts list. Strings inside are valid until `creditbook_account_list_free`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct creditbook_account_list {
    /// The rows (NULL when there are none).
    pub items: *const creditbook_account_row,
    /// How many rows.
    pub len: usize,
}

type AccountListKeep = (Vec<creditbook_account_row>, Strings);

/// Writes to `*list_out` the accounts list: one row of figures per account, filtered, searched and
/// sorted as `query` says. Release it with `creditbook_account_list_free`.
#[no_mangle]
pub extern "C" fn creditbook_book_accounts(
    book: *const creditbook_book,
    query: *const creditbook_accounts_query,
    list_out: *mut *mut creditbook_account_list,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let out = out(list_out, "list_out")?;
            // SAFETY: the caller's query, or NULL.
            let q = unsafe { query.as_ref() }.ok_or(crate::result::FfiError::Null("query"))?;
            let query = AccountsQuery {
                as_of: q.as_of.get("query->as_of")?,
                standing: standing_filter(q.standing)?,
                status: status_filter(q.status)?,
                // SAFETY: the caller's string, or NULL.
                search: unsafe { opt_arg(q.search, "query->search") }?.map(str::to_string),
                sort: sort_key(q.sort)?,
                descending: q.descending,
            };
            let cur = b.settings().currency;
            let mut strings = Strings::default();
            let rows = b
                .accounts(&query)?
                .iter()
                .map(|s| {
                    Ok(creditbook_account_row {
                        account_id: strings.add(&s.account_id)?,
                        customer_id: strings.add(&s.customer.id)?,
                        customer_name: strings.add(&s.customer.name)?,
                        customer_email: strings.opt(s.customer.email.as_deref())?,
                        summary: creditbook_summary::new(s, cur)?,
                    })
                })
                .collect::<FfiResult<Vec<_>>>()?;
            let list = list::into_raw::<_, AccountListKeep>((rows, strings), |(rows, _)| {
                creditbook_account_list {
                    items: items(rows),
                    len: rows.len(),
                }
            });
            // SAFETY: not NULL.
            unsafe { out.write(list) };
            Ok(())
        })
    })
}

/// Releases an accounts list. NULL is a no-op.
#[no_mangle]
pub extern "C" fn creditbook_account_list_free(list: *mut creditbook_account_list) {
    // SAFETY: made by `creditbook_book_accounts`, or NULL.
    ffi_panic_boundary!({ unsafe { list::free::<_, AccountListKeep>(list) } })
}

/// Part of an amount put toward (positive) or given back to (negative, in reversals) an invoice.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_allocation {
    /// The invoice number.
    pub invoice: u64,
    /// The amount, in minor units.
    pub amount: i64,
}

/// One entry of an account's activity, with the balances right after it.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_activity_line {
    /// The entry's number (an invoice's number is the number of the entry that opened it).
    pub entry: u64,
    /// What it is.
    pub kind: creditbook_entry_type,
    /// The operation id that recorded it.
    pub op_id: *const c_char,
    /// When it happened: seconds since the epoch, UTC.
    pub at: i64,
    /// Its store-local business date.
    pub date: creditbook_date,
    /// The employee who acted; NULL: none named.
    pub actor: *const c_char,
    /// The entry's own amount (0 for entries without one: status changes, reversals).
    pub amount: i64,
    /// Its reference (sale, payment reference, reason); NULL: none.
    pub reference: *const c_char,
    /// Its change of the balance owed.
    pub owed_change: i64,
    /// Its change of the store credit.
    pub credit_change: i64,
    /// The balance owed after it.
    pub owed_after: i64,
    /// The store credit after it.
    pub credit_after: i64,
    /// Amounts put toward invoices (NULL when none).
    pub allocations: *const creditbook_allocation,
    /// How many allocations.
    pub allocation_count: usize,
    /// For a charge: the host's own invoice number; NULL when it gave none.
    pub invoice_number: *const c_char,
    /// The sale (receipt number) a charge, a credit tender or a refund to credit names; NULL
    /// otherwise.
    pub sale: *const c_char,
    /// The invoice the entry opens (numbered by the entry itself: a charge, a debit adjustment)
    /// or writes off; 0 for any other entry.
    pub invoice: u64,
    /// For a reversal: the entry it undid; 0 otherwise.
    pub reverses: u64,
    /// For a payment or deposit confirmed online: what was unusual about it, as
    /// `CREDITBOOK_UNUSUAL_*` bits (0: nothing). It was recorded all the same.
    pub unusual: u32,
    /// For a payment link (`has_link_status`): where it stands at the end of the activity's last
    /// day (pending, paid, cancelled, expired).
    pub link_status: creditbook_link_status,
    /// True for a payment link's line: `link_status` says where it stands.
    pub has_link_status: bool,
}

/// An account's activity. Strings and arrays inside are valid until `creditbook_activity_free`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct creditbook_activity {
    /// The lines, in ledger order (NULL when there are none).
    pub items: *const creditbook_activity_line,
    /// How many lines.
    pub len: usize,
}

type ActivityKeep = (
    Vec<creditbook_activity_line>,
    Vec<Vec<creditbook_allocation>>,
    Strings,
);

/// Bit of `creditbook_activity_line.unusual`: the amount paid is not the amount the link asked.
pub const CREDITBOOK_UNUSUAL_AMOUNT_DIFFERS: u32 = 1;
/// Bit of `creditbook_activity_line.unusual`: the link had expired.
pub const CREDITBOOK_UNUSUAL_LINK_EXPIRED: u32 = 1 << 1;
/// Bit of `creditbook_activity_line.unusual`: the link had been cancelled.
pub const CREDITBOOK_UNUSUAL_LINK_CANCELLED: u32 = 1 << 2;
/// Bit of `creditbook_activity_line.unusual`: the link had been paid already.
pub const CREDITBOOK_UNUSUAL_LINK_ALREADY_PAID: u32 = 1 << 3;
/// Bit of `creditbook_activity_line.unusual`: no link of the account has the reference.
pub const CREDITBOOK_UNUSUAL_LINK_UNKNOWN: u32 = 1 << 4;

/// The bit of one flag (every flag has one: a new flag does not compile until it has).
fn unusual_bit(u: &Unusual) -> u32 {
    match u {
        Unusual::AmountDiffers { .. } => CREDITBOOK_UNUSUAL_AMOUNT_DIFFERS,
        Unusual::LinkExpired => CREDITBOOK_UNUSUAL_LINK_EXPIRED,
        Unusual::LinkCancelled => CREDITBOOK_UNUSUAL_LINK_CANCELLED,
        Unusual::LinkAlreadyPaid => CREDITBOOK_UNUSUAL_LINK_ALREADY_PAID,
        Unusual::LinkUnknown => CREDITBOOK_UNUSUAL_LINK_UNKNOWN,
    }
}

fn activity_line(
    l: &ActivityLine,
    cur: Currency,
    allocations: &mut Vec<Vec<creditbook_allocation>>,
    strings: &mut Strings,
) -> FfiResult<creditbook_activity_line> {
    let e = &l.entry;
    let effect = e.effect()?;
    let allocs = e
        .allocations
        .iter()
        .map(|a| {
            Ok(creditbook_allocation {
                invoice: a.invoice,
                amount: minor(a.amount, cur)?,
            })
        })
        .collect::<FfiResult<Vec<_>>>()?;
    let line = creditbook_activity_line {
        entry: e.seq,
        kind: l.entry_type().into(),
        op_id: strings.add(&e.op_id)?,
        at: e.at.timestamp(),
        date: e.date.into(),
        actor: strings.opt(e.actor.as_deref())?,
        amount: e.kind.amount().map_or(Ok(0), |a| minor(a, cur))?,
        reference: strings.opt(e.kind.reference())?,
        owed_change: minor(effect.owed, cur)?,
        credit_change: minor(effect.credit, cur)?,
        owed_after: minor(l.owed_after, cur)?,
        credit_after: minor(l.credit_after, cur)?,
        allocations: items(&allocs),
        allocation_count: allocs.len(),
        invoice_number: strings.opt(e.kind.invoice_number())?,
        sale: strings.opt(e.kind.sale())?,
        invoice: e.invoice().unwrap_or(0),
        reverses: e.kind.reverses().unwrap_or(0),
        unusual: e
            .kind
            .unusual()
            .iter()
            .fold(0, |bits, u| bits | unusual_bit(u)),
        link_status: l
            .link_status
            .map_or(creditbook_link_status::Pending, Into::into),
        has_link_status: l.link_status.is_some(),
    };
    allocations.push(allocs);
    Ok(line)
}

/// Writes to `*activity_out` the account's entries dated `from` to `to` (both included, store-local
/// dates), only of the `type_count` kinds in `types` (`creditbook_entry_type` values; 0: every
/// kind), each with the balances right after it. Release it with `creditbook_activity_free`.
#[no_mangle]
pub extern "C" fn creditbook_book_activity(
    book: *const creditbook_book,
    account: *const c_char,
    from: creditbook_date,
    to: creditbook_date,
    types: *const u32,
    type_count: usize,
    activity_out: *mut *mut creditbook_activity,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let out = out(activity_out, "activity_out")?;
            // SAFETY: the caller's string.
            let account = unsafe { arg(account, "account") }?;
            // SAFETY: the caller's array of `type_count` values.
            let types = unsafe { slice_arg(types, type_count, "types") }?
                .iter()
                .map(|t| entry_type(*t))
                .collect::<FfiResult<Vec<_>>>()?;
            let query = ActivityQuery {
                from: from.get("from")?,
                to: to.get("to")?,
                types,
            };
            let cur = b.settings().currency;
            let (mut allocations, mut strings) = (Vec::new(), Strings::default());
            let lines = b
                .activity(account, &query)?
                .iter()
                .map(|l| activity_line(l, cur, &mut allocations, &mut strings))
                .collect::<FfiResult<Vec<_>>>()?;
            let list = list::into_raw::<_, ActivityKeep>((lines, allocations, strings), |k| {
                creditbook_activity {
                    items: items(&k.0),
                    len: k.0.len(),
                }
            });
            // SAFETY: not NULL.
            unsafe { out.write(list) };
            Ok(())
        })
    })
}

/// Releases an activity. NULL is a no-op.
#[no_mangle]
pub extern "C" fn creditbook_activity_free(activity: *mut creditbook_activity) {
    // SAFETY: made by `creditbook_book_activity`, or NULL.
    ffi_panic_boundary!({ unsafe { list::free::<_, ActivityKeep>(activity) } })
}

/// An open invoice on a date.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_open_invoice {
    /// The invoice number.
    pub invoice: u64,
    /// The sale it is for; NULL: none.
    pub sale: *const c_char,
    /// Invoice date.
    pub date: creditbook_date,
    /// Due date.
    pub due_date: creditbook_date,
    /// Amount first invoiced.
    pub amount: i64,
    /// What is still to be paid.
    pub remaining: i64,
    /// Days past the due date on the list's date (0 or less: not yet overdue).
    pub days_past_due: i64,
}

/// Open invoices, oldest due first. Strings inside are valid until `creditbook_invoice_list_free`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct creditbook_invoice_list {
    /// The invoices (NULL when there are none).
    pub items: *const creditbook_open_invoice,
    /// How many invoices.
    pub len: usize,
}

type InvoiceListKeep = (Vec<creditbook_open_invoice>, Strings);

/// Makes an invoice list of the core's open invoices.
fn invoice_list(
    invoices: &[OpenInvoice],
    cur: Currency,
) -> FfiResult<*mut creditbook_invoice_list> {
    let mut strings = Strings::default();
    let rows = invoices
        .iter()
        .map(|i| {
            Ok(creditbook_open_invoice {
                invoice: i.id,
                sale: strings.opt(i.sale.as_deref())?,
                date: i.date.into(),
                due_date: i.due_date.into(),
                amount: minor(i.amount, cur)?,
                remaining: minor(i.remaining, cur)?,
                days_past_due: i.days_past_due,
            })
        })
        .collect::<FfiResult<Vec<_>>>()?;
    Ok(list::into_raw::<_, InvoiceListKeep>(
        (rows, strings),
        |(rows, _)| creditbook_invoice_list {
            items: items(rows),
            len: rows.len(),
        },
    ))
}

/// Writes to `*invoices_out` the account's open invoices on `as_of`, oldest due first, with days
/// past due. Release it with `creditbook_invoice_list_free`.
#[no_mangle]
pub extern "C" fn creditbook_book_open_invoices(
    book: *const creditbook_book,
    account: *const c_char,
    as_of: creditbook_date,
    invoices_out: *mut *mut creditbook_invoice_list,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let out = out(invoices_out, "invoices_out")?;
            // SAFETY: the caller's string.
            let account = unsafe { arg(account, "account") }?;
            let open = b.open_invoices(account, as_of.get("as_of")?)?;
            let list = invoice_list(&open, b.settings().currency)?;
            // SAFETY: not NULL.
            unsafe { out.write(list) };
            Ok(())
        })
    })
}

/// Releases an invoice list. NULL is a no-op.
#[no_mangle]
pub extern "C" fn creditbook_invoice_list_free(list: *mut creditbook_invoice_list) {
    // SAFETY: made by this library, or NULL.
    ffi_panic_boundary!({ unsafe { list::free::<_, InvoiceListKeep>(list) } })
}

/// Which days past due an aging bucket holds.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_age_range {
    /// Not yet due.
    Current = 0,
    /// From `from_days` to `to_days` days past due, both included.
    Between = 1,
    /// More than `from_days` days past due.
    Over = 2,
}

/// One aging bucket.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_aging_bucket {
    /// Which days it holds.
    pub range: creditbook_age_range,
    /// First day past due (0 for CURRENT; the bound for OVER).
    pub from_days: u32,
    /// Last day past due (0 for CURRENT and OVER).
    pub to_days: u32,
    /// The remaining amounts of the open invoices in it.
    pub amount: i64,
    /// A short label: `"current"`, `"1-30"`, `"over 90"`.
    pub label: *const c_char,
}

/// The balance owed by days past due; the buckets sum to `total`, the balance owed.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct creditbook_aging {
    /// Current first, oldest last.
    pub buckets: *const creditbook_aging_bucket,
    /// How many buckets.
    pub len: usize,
    /// The date of the aging.
    pub as_of: creditbook_date,
    /// The sum of the buckets.
    pub total: i64,
}

type AgingKeep = (Vec<creditbook_aging_bucket>, Strings);

/// Makes a C aging of the core's.
fn aging_list(a: &creditbook::Aging, cur: Currency) -> FfiResult<*mut creditbook_aging> {
    let mut strings = Strings::default();
    let buckets = a
        .buckets
        .iter()
        .map(|b| {
            let (range, from_days, to_days) = match b.range {
                AgeRange::Current => (creditbook_age_range::Current, 0, 0),
                AgeRange::Between { from, to } => (creditbook_age_range::Between, from, to),
                AgeRange::Over { days } => (creditbook_age_range::Over, days, 0),
            };
            Ok(creditbook_aging_bucket {
                range,
                from_days,
                to_days,
                amount: minor(b.amount, cur)?,
                label: strings.add(&b.range.label())?,
            })
        })
        .collect::<FfiResult<Vec<_>>>()?;
    let total = minor(a.total()?, cur)?;
    let as_of = a.as_of.into();
    Ok(list::into_raw::<_, AgingKeep>(
        (buckets, strings),
        |(b, _)| creditbook_aging {
            buckets: items(b),
            len: b.len(),
            as_of,
            total,
        },
    ))
}

/// Writes to `*aging_out` the account's balance owed on `as_of` by days past due, in the store's
/// buckets. Release it with `creditbook_aging_free`.
#[no_mangle]
pub extern "C" fn creditbook_book_aging(
    book: *const creditbook_book,
    account: *const c_char,
    as_of: creditbook_date,
    aging_out: *mut *mut creditbook_aging,
) -> creditbook_result {
    ffi_panic_boundary!(on book, {
        with_book(book, |b| {
            let out = out(aging_out, "aging_out")?;
            // SAFETY: the caller's string.
            let account = unsafe { arg(account, "account") }?;
            let aging = b.aging(account, as_of.get("as_of")?)?;
            let list = aging_list(&aging, b.settings().currency)?;
            // SAFETY: not NULL.
            unsafe { out.write(list) };
            Ok(())
        })
    })
}

/// Releases an aging. NULL is a no-op.
#[no_mangle]
pub extern "C" fn creditbook_aging_free(aging: *mut creditbook_aging) {
    // SAFETY: made by this library, or NULL.
    ffi_panic_boundary!({ unsafe { list::free::<_, AgingKeep>(aging) } })
}
