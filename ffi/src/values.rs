//! The plain values that cross the boundary: dates, instants, the operation envelope, customers,
//! credit limits, terms, and the enum-like constants. Enum-like inputs are taken as `uint32_t`
//! and checked here ([`FfiError::Enum`] for an unknown value): a C value never becomes a Rust
//! enum without a check.

use std::ffi::c_char;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use creditbook::{
    AccountStatus, Actor, CreditLimit, Currency, Customer, Direction, EntryType, Error, Money,
    Operation, PaymentTerms, Permission, PostalAddress, SortKey, Standing,
};
use rust_decimal::Decimal;

use crate::result::{FfiError, FfiResult};
use crate::strings::{arg, opt_arg, slice_arg};

/// A calendar date (a store-local business date). Checked on entry: a date that does not exist
/// is `CREDITBOOK_RESULT_INVALID_INPUT`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct creditbook_date {
    /// The year, e.g. 2026.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month, 1 to 31.
    pub day: u32,
}

impl creditbook_date {
    /// The date as chrono's, or `InvalidInput` when it does not exist.
    pub(crate) fn get(self, what: &'static str) -> FfiResult<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, self.day).ok_or_else(|| {
            invalid(
                what,
                format!("{}-{}-{} is not a date", self.year, self.month, self.day),
            )
        })
    }
}

impl From<NaiveDate> for creditbook_date {
    fn from(d: NaiveDate) -> creditbook_date {
        creditbook_date {
            year: d.year(),
            month: d.month(),
            day: d.day(),
        }
    }
}

/// An optional date parameter: NULL is `None`.
///
/// # Safety
/// `p` is NULL or points to a date.
pub(crate) unsafe fn opt_date(
    p: *const creditbook_date,
    what: &'static str,
) -> FfiResult<Option<NaiveDate>> {
    // SAFETY: the caller's contract.
    unsafe { p.as_ref() }.map(|d| d.get(what)).transpose()
}

/// An `InvalidInput` core error for a value the C boundary checks itself.
pub(crate) fn invalid(field: &'static str, reason: String) -> FfiError {
    FfiError::Core(Error::InvalidInput { field, reason })
}

/// An instant given as seconds since 1970-01-01T00:00:00Z (a `time_t`).
pub(crate) fn instant(seconds: i64) -> FfiResult<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| invalid("instant", format!("{seconds} s is out of range")))
}

/// Amounts: `int64_t` minor units of the account's currency (cents for CAD).
pub(crate) fn money(minor: i64, currency: Currency) -> Money {
    Money::from_minor(minor, currency)
}

/// A figure as minor units; `CREDITBOOK_RESULT_OVERFLOW` when it does not fit an `int64_t`.
pub(crate) fn minor(amount: Decimal, currency: Currency) -> FfiResult<i64> {
    // Figures come back at the currency's scale (or as a bare zero): their mantissa is the answer,
    // without the normalizing and rescaling `to_minor` does for arbitrary amounts (this runs on
    // every charge's outcome).
    if amount.is_zero() {
        return Ok(0);
    }
    if amount.scale() == currency.exponent() {
        if let Ok(m) = i64::try_from(amount.mantissa()) {
            return Ok(m);
        }
    }
    Ok(currency.to_minor(amount)?)
}

/// An enum-like type of the header: C passes its value as a `uint32_t`, checked here.
pub(crate) trait CEnum: Sized + Copy + 'static {
    /// The C type's name, for messages.
    const NAME: &'static str;
    /// Every constant.
    const ALL: &'static [Self];
    /// The constant's number.
    fn number(self) -> u32;

    /// The constant numbered `v`, or `INVALID_ENUM`.
    fn checked(v: u32) -> FfiResult<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|x| x.number() == v)
            .ok_or(FfiError::Enum(Self::NAME, i64::from(v)))
    }

    /// The constant numbered `v` (a signed filter value), or `INVALID_ENUM`.
    fn checked_i32(v: i32) -> FfiResult<Self> {
        u32::try_from(v)
            .map_err(|_| FfiError::Enum(Self::NAME, i64::from(v)))
            .and_then(Self::checked)
    }
}

/// Implements [`CEnum`] for a `#[repr(u32)]` enum of the header, listing its constants. (The
/// enums themselves are written out, not made by a macro, so that cbindgen sees them.)
macro_rules! c_enum {
    ($t:ident: $($v:ident),+ $(,)?) => {
        impl $crate::values::CEnum for $t {
            const NAME: &'static str = stringify!($t);
            const ALL: &'static [Self] = &[$($t::$v),+];
            fn number(self) -> u32 {
                self as u32
            }
        }
    };
}
pub(crate) use c_enum;

/// Permission bit: change credit limits and payment terms.
pub const CREDITBOOK_PERMISSION_CREDIT_LIMIT: u32 = 1 << 0;
/// Permission bit: refund a sale as store credit.
pub const CREDITBOOK_PERMISSION_CREDIT_ACCOUNT_REFUND: u32 = 1 << 1;
/// Permission bit: charge beyond the credit limit (manager override, with a reason).
pub const CREDITBOOK_PERMISSION_OVERRIDE_CREDIT_LIMIT: u32 = 1 << 2;
/// Permission bit: adjust a balance, write off an invoice, reverse an entry.
pub const CREDITBOOK_PERMISSION_ADJUST_BALANCE: u32 = 1 << 3;
/// Permission bit: configure accounts-receivable automation.
pub const CREDITBOOK_PERMISSION_AUTOMATED_AR: u32 = 1 << 4;
/// Permission bit: archive or reactivate an account.
pub const CREDITBOOK_PERMISSION_ARCHIVE_ACCOUNT: u32 = 1 << 5;

/// The permission of each bit, bit 0 first.
const PERMISSION_BITS: [(u32, Permission); 6] = [
    (CREDITBOOK_PERMISSION_CREDIT_LIMIT, Permission::CreditLimit),
    (
        CREDITBOOK_PERMISSION_CREDIT_ACCOUNT_REFUND,
        Permission::CreditAccountRefund,
    ),
    (
        CREDITBOOK_PERMISSION_OVERRIDE_CREDIT_LIMIT,
        Permission::OverrideCreditLimit,
    ),
    (
        CREDITBOOK_PERMISSION_ADJUST_BALANCE,
        Permission::AdjustBalance,
    ),
    (CREDITBOOK_PERMISSION_AUTOMATED_AR, Permission::AutomatedAr),
    (
        CREDITBOOK_PERMISSION_ARCHIVE_ACCOUNT,
        Permission::ArchiveAccount,
    ),
];

/// The envelope of every operation: the caller's operation id (unique within the account:
/// replaying it returns the first outcome and records nothing), when it happened, and who acted
/// with what the host's role system grants them for this call.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_operation {
    /// The operation id, 1 to 128 bytes of UTF-8. Required.
    pub op_id: *const c_char,
    /// When it happened: seconds since 1970-01-01T00:00:00Z (a `time_t`).
    pub at: i64,
    /// The acting employee's id, 1 to 128 bytes of UTF-8 (`INVALID_INPUT` otherwise), recorded on
    /// the entries; NULL: no named employee (who then holds no permission).
    pub actor_id: *const c_char,
    /// `CREDITBOOK_PERMISSION_*` bits granted to the employee for this call; 0 without an actor.
    pub permissions: u32,
}

/// The operation envelope as the core's.
///
/// # Safety
/// `p` is NULL or points to an operation whose strings are valid for the call.
pub(crate) unsafe fn operation(p: *const creditbook_operation) -> FfiResult<Operation> {
    // SAFETY: the caller's contract.
    let op = unsafe { p.as_ref() }.ok_or(FfiError::Null("op"))?;
    // SAFETY: the caller's contract.
    let op_id = unsafe { arg(op.op_id, "op->op_id") }?;
    let at = instant(op.at)?;
    let operation = Operation::new(op_id, at);
    // SAFETY: the caller's contract.
    match unsafe { actor(op.actor_id, op.permissions, "op->actor_id") }? {
        Some(actor) => Ok(operation.by(actor)),
        None => Ok(operation),
    }
}

/// An employee with the `CREDITBOOK_PERMISSION_*` bits granted to them; `None` without an id
/// (who then may hold no permission).
///
/// # Safety
/// `actor_id` is NULL or a NUL-terminated string valid for the call.
pub(crate) unsafe fn actor(
    actor_id: *const c_char,
    permissions: u32,
    what: &'static str,
) -> FfiResult<Option<Actor>> {
    let all: u32 = PERMISSION_BITS.iter().map(|(b, _)| b).sum();
    if permissions & !all != 0 {
        return Err(FfiError::Enum("permission bit", i64::from(permissions)));
    }
    // SAFETY: the caller's contract.
    match unsafe { opt_arg(actor_id, what) }? {
        // The core checks the id (1 to 128 bytes, no control characters) with the operation.
        Some(id) => Ok(Some(
            PERMISSION_BITS
                .iter()
                .filter(|(bit, _)| permissions & bit != 0)
                .fold(Actor::new(id), |a, (_, p)| a.with(*p)),
        )),
        None if permissions != 0 => Err(invalid(
            "permissions",
            "permissions are granted to an actor: set the actor's id".into(),
        )),
        None => Ok(None),
    }
}

/// A postal address. Every string may be NULL (empty); `lines` may be NULL when `line_count` is 0.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_postal_address {
    /// Street lines, first to last.
    pub lines: *const *const c_char,
    /// How many street lines.
    pub line_count: usize,
    /// City.
    pub city: *const c_char,
    /// Province, state or region.
    pub region: *const c_char,
    /// Postal or ZIP code.
    pub postal_code: *const c_char,
    /// ISO 3166-1 alpha-2 country code.
    pub country: *const c_char,
}

/// An address as the core's (the core checks the texts).
///
/// # Safety
/// The address's pointers are NULL or valid for the call.
pub(crate) unsafe fn address(a: &creditbook_postal_address) -> FfiResult<PostalAddress> {
    let part = |p, what| -> FfiResult<String> {
        // SAFETY: the caller's contract.
        Ok(unsafe { opt_arg(p, what) }?.unwrap_or_default().to_string())
    };
    // SAFETY: the caller's contract.
    let lines = unsafe { slice_arg(a.lines, a.line_count, "address.lines") }?
        .iter()
        // SAFETY: the caller's contract.
        .map(|l| unsafe { arg(*l, "address line") }.map(str::to_string))
        .collect::<FfiResult<_>>()?;
    Ok(PostalAddress {
        lines,
        city: part(a.city, "address.city")?,
        region: part(a.region, "address.region")?,
        postal_code: part(a.postal_code, "address.postal_code")?,
        country: part(a.country, "address.country")?,
    })
}

/// The customer an account belongs to.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct creditbook_customer {
    /// The customer's id in the host's system; NULL: the account's id (a shop that keeps no
    /// separate customer list).
    pub id: *const c_char,
    /// Name as printed on statements. Required.
    pub name: *const c_char,
    /// Email address; NULL: none.
    pub email: *const c_char,
    /// Preferred language tag (`"fr"`, `"en-CA"`); NULL: none.
    pub language: *const c_char,
    /// Postal address.
    pub address: creditbook_postal_address,
}

/// A customer as the core's (the core validates it).
///
/// # Safety
/// `p` is NULL or points to a customer whose pointers are valid for the call.
pub(crate) unsafe fn customer(
    p: *const creditbook_customer,
    account: *const c_char,
) -> FfiResult<Customer> {
    // SAFETY: the caller's contract.
    let c = unsafe { p.as_ref() }.ok_or(FfiError::Null("customer"))?;
    // SAFETY: the caller's contract, for each field.
    unsafe {
        let name = arg(c.name, "customer->name")?;
        let mut customer = match opt_arg(c.id, "customer->id")? {
            Some(id) => Customer::new(id, name),
            None => Customer::of_account(arg(account, "account")?, name),
        };
        customer.email = opt_arg(c.email, "customer->email")?.map(str::to_string);
        customer.language = opt_arg(c.language, "customer->language")?.map(Into::into);
        customer.address = address(&c.address)?;
        Ok(customer)
    }
}

/// What kind of credit limit.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_limit_kind {
    /// At most an amount may be owed (0: no credit at all, a deposit-only account).
    Amount = 0,
    /// No limit.
    Unlimited = 1,
    /// The store's default credit limit (opening an account only; needs no permission).
    StoreDefault = 2,
}

c_enum!(creditbook_limit_kind: Amount, Unlimited, StoreDefault);

/// A credit limit from its kind and amount (minor units; ignored but for an amount); `None` for
/// the store's default.
pub(crate) fn credit_limit(
    kind: u32,
    amount: i64,
    currency: Currency,
) -> FfiResult<Option<CreditLimit>> {
    Ok(match creditbook_limit_kind::checked(kind)? {
        creditbook_limit_kind::Amount => Some(CreditLimit::Amount(currency.from_minor(amount))),
        creditbook_limit_kind::Unlimited => Some(CreditLimit::Unlimited),
        creditbook_limit_kind::StoreDefault => None,
    })
}

/// When an invoice falls due.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_terms_kind {
    /// The store's default terms (for an account only).
    Store = 0,
    /// Due the day it is issued.
    DueOnReceipt = 1,
    /// Due N days after the invoice date ("net 30").
    Net = 2,
    /// Due N days after the end of the invoice's month ("EOM + 10").
    EndOfMonthPlus = 3,
}

/// Payment terms from their kind and days (`None` for the store's; days ignored unless NET or
/// END_OF_MONTH_PLUS, at most 65535).
pub(crate) fn terms(kind: u32, days: u32) -> FfiResult<Option<PaymentTerms>> {
    let days16 =
        || u16::try_from(days).map_err(|_| invalid("terms days", format!("{days} is above 65535")));
    Ok(match creditbook_terms_kind::checked(kind)? {
        creditbook_terms_kind::Store => None,
        creditbook_terms_kind::DueOnReceipt => Some(PaymentTerms::DueOnReceipt),
        creditbook_terms_kind::Net => Some(PaymentTerms::Net(days16()?)),
        creditbook_terms_kind::EndOfMonthPlus => Some(PaymentTerms::EndOfMonthPlus(days16()?)),
    })
}

c_enum!(creditbook_terms_kind: Store, DueOnReceipt, Net, EndOfMonthPlus);

/// Whether an account takes new activity.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_account_status {
    /// Normal.
    Active = 0,
    /// No new charges; payments and credits are still accepted.
    OnHold = 1,
    /// No activity at all; balances are kept.
    Archived = 2,
}

impl From<AccountStatus> for creditbook_account_status {
    fn from(s: AccountStatus) -> Self {
        match s {
            AccountStatus::Active => Self::Active,
            AccountStatus::OnHold => Self::OnHold,
            AccountStatus::Archived => Self::Archived,
        }
    }
}

/// Where an account stands on a date.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_standing {
    /// Owes nothing.
    Settled = 0,
    /// Owes, nothing overdue.
    Outstanding = 1,
    /// At least one invoice is past its due date.
    Overdue = 2,
}

impl From<Standing> for creditbook_standing {
    fn from(s: Standing) -> Self {
        match s {
            Standing::Settled => Self::Settled,
            Standing::Outstanding => Self::Outstanding,
            Standing::Overdue => Self::Overdue,
        }
    }
}

c_enum!(creditbook_account_status: Active, OnHold, Archived);
c_enum!(creditbook_standing: Settled, Outstanding, Overdue);

/// A status filter: -1 for any, else a `creditbook_account_status`.
pub(crate) fn status_filter(v: i32) -> FfiResult<Option<AccountStatus>> {
    if v == -1 {
        return Ok(None);
    }
    Ok(Some(match creditbook_account_status::checked_i32(v)? {
        creditbook_account_status::Active => AccountStatus::Active,
        creditbook_account_status::OnHold => AccountStatus::OnHold,
        creditbook_account_status::Archived => AccountStatus::Archived,
    }))
}

/// A standing filter: -1 for any, else a `creditbook_standing`.
pub(crate) fn standing_filter(v: i32) -> FfiResult<Option<Standing>> {
    if v == -1 {
        return Ok(None);
    }
    Ok(Some(match creditbook_standing::checked_i32(v)? {
        creditbook_standing::Settled => Standing::Settled,
        creditbook_standing::Outstanding => Standing::Outstanding,
        creditbook_standing::Overdue => Standing::Overdue,
    }))
}

/// Which way a balance adjustment goes.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_direction {
    /// The customer owes more: opens an item like a charge.
    Debit = 0,
    /// The customer owes less: allocated like a payment, any excess becomes credit.
    Credit = 1,
}

c_enum!(creditbook_direction: Debit, Credit);

/// A direction from its number.
pub(crate) fn direction(v: u32) -> FfiResult<Direction> {
    Ok(match creditbook_direction::checked(v)? {
        creditbook_direction::Debit => Direction::Debit,
        creditbook_direction::Credit => Direction::Credit,
    })
}

/// The kind of a ledger entry (the core's `EntryType`, in the same order).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_entry_type {
    /// The account was opened.
    AccountOpened = 0,
    /// The customer's contact details changed.
    ContactChanged = 1,
    /// The credit limit changed.
    CreditLimitChanged = 2,
    /// The payment terms changed.
    TermsChanged = 3,
    /// Put on hold, released, archived or reactivated.
    StatusChanged = 4,
    /// A sale charged to the account (opens an invoice).
    Charge = 5,
    /// A payment.
    Payment = 6,
    /// A deposit (becomes store credit).
    Deposit = 7,
    /// Store credit used as tender on a sale.
    CreditTender = 8,
    /// Store credit applied to open invoices.
    CreditApplied = 9,
    /// A refund issued as store credit.
    RefundToCredit = 10,
    /// Store credit paid back in cash or to a card.
    CreditRefund = 11,
    /// A correction of the balance.
    Adjustment = 12,
    /// An invoice (or part of it) written off.
    WriteOff = 13,
    /// An earlier entry undone.
    Reversal = 14,
    /// A payment link was created.
    PaymentLinkCreated = 15,
    /// A payment link was cancelled.
    PaymentLinkCancelled = 16,
    /// A message was sent (or its delivery failed, or it is being sent: the claim).
    MessageSent = 17,
    /// The store's automation changed (the book's own ledger).
    AutomationChanged = 18,
}

// In the core's `EntryType::ALL` order: a C number is an index into it.
c_enum!(
    creditbook_entry_type: AccountOpened,
    ContactChanged,
    CreditLimitChanged,
    TermsChanged,
    StatusChanged,
    Charge,
    Payment,
    Deposit,
    CreditTender,
    CreditApplied,
    RefundToCredit,
    CreditRefund,
    Adjustment,
    WriteOff,
    Reversal,
    PaymentLinkCreated,
    PaymentLinkCancelled,
    MessageSent,
    AutomationChanged,
);

impl From<EntryType> for creditbook_entry_type {
    fn from(t: EntryType) -> Self {
        let i = EntryType::ALL.iter().position(|x| *x == t).unwrap_or(0);
        <Self as CEnum>::ALL[i]
    }
}

/// An entry type from its number.
pub(crate) fn entry_type(v: u32) -> FfiResult<EntryType> {
    Ok(EntryType::ALL[creditbook_entry_type::checked(v)? as usize])
}

/// The figure the accounts list is sorted by.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum creditbook_sort_key {
    /// Account id.
    AccountId = 0,
    /// Customer name, case-insensitively.
    CustomerName = 1,
    /// Balance owed.
    BalanceOwed = 2,
    /// Overdue amount.
    Overdue = 3,
    /// Credit balance.
    CreditBalance = 4,
    /// Credit limit (unlimited above any amount).
    CreditLimit = 5,
    /// Available credit (unlimited above any amount).
    Available = 6,
}

c_enum!(
    creditbook_sort_key: AccountId,
    CustomerName,
    BalanceOwed,
    Overdue,
    CreditBalance,
    CreditLimit,
    Available,
);

/// A sort key from its number.
pub(crate) fn sort_key(v: u32) -> FfiResult<SortKey> {
    use creditbook_sort_key as K;
    Ok(match K::checked(v)? {
        K::AccountId => SortKey::AccountId,
        K::CustomerName => SortKey::CustomerName,
        K::BalanceOwed => SortKey::BalanceOwed,
        K::Overdue => SortKey::Overdue,
        K::CreditBalance => SortKey::CreditBalance,
        K::CreditLimit => SortKey::CreditLimit,
        K::Available => SortKey::Available,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_types_follow_the_core_order() {
        for (i, t) in EntryType::ALL.into_iter().enumerate() {
            let c = creditbook_entry_type::from(t);
            assert_eq!(c as usize, i);
            assert_eq!(entry_type(c as u32).unwrap(), t);
            let snake: String = format!("{c:?}")
                .chars()
                .enumerate()
                .flat_map(|(i, ch)| {
                    let lower = ch.to_ascii_lowercase();
                    if ch.is_ascii_uppercase() && i > 0 {
                        vec!['_', lower]
                    } else {
                        vec![lower]
                    }
                })
                .collect();
            assert_eq!(snake, t.as_str());
        }
        assert_eq!(
            <creditbook_entry_type as CEnum>::ALL.len(),
            EntryType::ALL.len()
        );
        assert!(entry_type(EntryType::ALL.len() as u32).is_err());
    }

    #[test]
    fn dates_and_instants_are_checked() {
        let bad = creditbook_date {
            year: 2026,
            month: 2,
            day: 30,
        };
        assert!(bad.get("d").is_err());
        assert!(instant(i64::MAX).is_err());
        assert_eq!(instant(0).unwrap().timestamp(), 0);
    }

    #[test]
    fn minor_units_take_the_fast_path_only_when_exact() {
        let cad = Currency::from_code("CAD").unwrap();
        assert_eq!(minor(Decimal::new(1250, 2), cad).unwrap(), 1250);
        assert_eq!(minor(Decimal::new(125, 1), cad).unwrap(), 1250);
        assert_eq!(minor(Decimal::ZERO, cad).unwrap(), 0);
        assert!(minor(Decimal::new(12345, 3), cad).is_err());
        assert!(minor(Decimal::from(i64::MAX), cad).is_err());
    }

    #[test]
    fn permission_bits_cover_every_permission_once() {
        let mut seen: Vec<Permission> = PERMISSION_BITS.iter().map(|(_, p)| *p).collect();
        seen.sort();
        assert_eq!(seen, Permission::ALL.to_vec());
        for (i, (bit, _)) in PERMISSION_BITS.iter().enumerate() {
            assert_eq!(*bit, 1 << i);
        }
    }
}
