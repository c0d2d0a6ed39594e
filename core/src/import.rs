//! Entry lines of a day-by-day export, as a shop moving to creditbook (or the month-end batch job,
//! `examples/month_end.rs`) reads them: one CSV line per entry,
//!
//! ```text
//! entry_id,account_id,timestamp,kind,amount,reference
//! e-1,A-17,2024-12-01T03:04:05Z,charge,12.50,S-1001
//! ```
//!
//! Six fields, no quoting (none of them may hold a comma); the timestamp is RFC 3339 in UTC with a
//! `Z` and whole seconds, exactly 20 characters; the amount is a decimal in the store's currency
//! with at most its decimals. Kinds: `charge` (a sale on account; the reference is the sale),
//! `payment`, `deposit`, `refund_to_credit` (a refund to store credit without the original
//! sale), `adjustment` (signed: positive, the customer owes more; negative, less; the reference is
//! the reason, `import` when empty).
//!
//! [`parse_entry_line`] only reads a line: the [`Command`] it returns goes through
//! [`Book::execute`](crate::Book::execute) like any other, so every rule still applies. The entry
//! id becomes the operation id: importing a file twice records nothing twice.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use smol_str::SmolStr;

use crate::command::{Charge, Command, Payment};
use crate::entry::Direction;
use crate::error::Error;
use crate::money::{Currency, Money};

/// The header line of an export.
pub const HEADER: &str = "entry_id,account_id,timestamp,kind,amount,reference";

/// One entry line, read: which account, and the operation to record there.
#[derive(Debug, Clone)]
pub struct EntryLine<'a> {
    /// The account the entry belongs to (the line's `account_id`, as written).
    pub account: &'a str,
    /// The operation id: the line's `entry_id`.
    pub op_id: SmolStr,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What to record.
    pub command: Command,
}

/// Why a line could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum LineError {
    /// A line has exactly six comma-separated fields; this one had another count.
    FieldCount {
        /// How many fields the line had.
        found: usize,
    },
    /// The timestamp is not `YYYY-MM-DDTHH:MM:SSZ` (or not a real date and time).
    Timestamp(String),
    /// The amount is not an amount of the store's currency.
    Amount {
        /// The field as written.
        text: String,
        /// Why the currency refused it.
        error: Error,
    },
    /// The kind is none of the five kinds.
    Kind(String),
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FieldCount { found } => write!(f, "expected 6 fields, found {found}"),
            Self::Timestamp(t) => write!(f, "bad timestamp {t:?}"),
            Self::Amount { text, error } => write!(f, "bad amount {text:?}: {error}"),
            Self::Kind(k) => write!(f, "unknown kind {k:?}"),
        }
    }
}

impl std::error::Error for LineError {}

/// Reads one entry line (without its line end) of an export in `currency`.
///
/// ```
/// use creditbook::import::parse_entry_line;
/// use creditbook::{Command, Currency};
///
/// let cad = Currency::from_code("CAD")?;
/// let line = parse_entry_line("e-1,A-17,2024-12-01T03:04:05Z,charge,12.50,S-1001", cad)?;
/// assert_eq!(line.account, "A-17");
/// assert!(matches!(line.command, Command::Charge(_)));
/// assert!(parse_entry_line("e-1,A-17,2024-12-01,charge,12.50,S-1001", cad).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_entry_line(text: &str, currency: Currency) -> Result<EntryLine<'_>, LineError> {
    let found = text.bytes().filter(|b| *b == b',').count() + 1;
    if found != 6 {
        return Err(LineError::FieldCount { found });
    }
    let mut fields = text.split(',');
    let mut next = || fields.next().unwrap_or_default();
    let [entry_id, account, timestamp, kind, amount, reference] = [(); 6].map(|()| next());
    let at = parse_instant(timestamp).ok_or_else(|| LineError::Timestamp(timestamp.into()))?;
    let value = currency.parse(amount).map_err(|error| LineError::Amount {
        text: amount.into(),
        error,
    })?;
    let money = |v| Money::new(v, currency);
    let reference = (!reference.is_empty()).then(|| SmolStr::new(reference));
    let command = match kind {
        "charge" => Command::Charge(Charge {
            amount: money(value),
            sale: reference,
            due_date: None,
            override_reason: None,
            invoice_number: None,
        }),
        "payment" => Command::Payment(Payment {
            amount: money(value),
            invoices: Vec::new(),
            reference,
        }),
        "deposit" => Command::Deposit {
            amount: money(value),
            reference,
        },
        "refund_to_credit" => Command::RefundToCredit {
            amount: money(value),
            sale: None,
            sale_total: None,
        },
        "adjustment" => Command::Adjust {
            direction: if value.is_sign_negative() {
                Direction::Credit
            } else {
                Direction::Debit
            },
            amount: money(value.abs()),
            reason: reference.map_or_else(|| "import".to_string(), |r| r.to_string()),
        },
        other => return Err(LineError::Kind(other.into())),
    };
    Ok(EntryLine {
        account,
        op_id: SmolStr::new(entry_id),
        at,
        command,
    })
}

/// `2024-12-01T03:04:05Z`, strictly: 20 characters, a real date and time.
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        let digits = s.get(r)?;
        digits
            .bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| digits.parse::<u32>().ok())?
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    let time = NaiveTime::from_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
    Some(NaiveDateTime::new(date, time).and_utc())
}
