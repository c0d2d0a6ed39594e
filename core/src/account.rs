//! An account's terms: the customer, the credit limit, the payment terms and the account status.

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::error::Result;
use crate::validate;

/// A postal address, printed on statements. Every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// Street lines, first to last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    /// City.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub city: String,
    /// Province, state or region.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// Postal or ZIP code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub country: String,
}

impl PostalAddress {
    fn validated(&self) -> Result<PostalAddress> {
        Ok(PostalAddress {
            lines: self
                .lines
                .iter()
                .map(|l| validate::text("address line", l, false))
                .collect::<Result<_>>()?,
            city: validate::text("city", &self.city, false)?,
            region: validate::text("region", &self.region, false)?,
            postal_code: validate::text("postal code", &self.postal_code, false)?,
            country: validate::text("country", &self.country, false)?,
        })
    }
}

/// The customer an account belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// The customer's id in the host's system (may differ from the account id).
    pub id: SmolStr,
    /// Name as printed on statements.
    pub name: String,
    /// Email address on file, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Preferred language tag (`"fr"`, `"en-CA"`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<SmolStr>,
    /// Postal address.
    #[serde(default)]
    pub address: PostalAddress,
}

impl Customer {
    /// A customer with an id and a name; other fields empty.
    pub fn new(id: impl Into<SmolStr>, name: impl Into<String>) -> Customer {
        Customer {
            id: id.into(),
            name: name.into(),
            ..Customer::default()
        }
    }

    /// A customer known by the account's id: what a shop that keeps no separate customer list
    /// opens (the C and Python faces use it when no customer id is given).
    pub fn of_account(account: &str, name: impl Into<String>) -> Customer {
        Customer::new(account, name)
    }

    /// This customer, checked: id and name present, email valid, language a language tag.
    pub fn validated(&self) -> Result<Customer> {
        Ok(Customer {
            id: validate::id("customer id", &self.id)?,
            name: validate::text("customer name", &self.name, true)?,
            email: self.email.as_deref().map(validate::email).transpose()?,
            language: self
                .language
                .as_deref()
                .map(validate::language)
                .transpose()?,
            address: self.address.validated()?,
        })
    }
}

/// How much the customer may owe. There is no magic zero: `Amount(0)` means no credit at all
/// (a deposit-only account), `Unlimited` means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditLimit {
    /// At most this much may be owed.
    Amount(Decimal),
    /// No limit.
    Unlimited,
}

impl CreditLimit {
    /// The limit checked in a currency: an amount at its exact scale and not negative.
    pub fn in_currency(&self, currency: crate::money::Currency) -> crate::Result<CreditLimit> {
        Ok(match self {
            CreditLimit::Amount(a) => CreditLimit::Amount(
                crate::money::Money::new(*a, currency).non_negative_in(currency)?,
            ),
            CreditLimit::Unlimited => CreditLimit::Unlimited,
        })
    }

    /// The limit as an amount, `None` when unlimited.
    pub fn amount(&self) -> Option<Decimal> {
        match self {
            CreditLimit::Amount(a) => Some(*a),
            CreditLimit::Unlimited => None,
        }
    }
}

/// When an invoice falls due, counted from its store-local invoice date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "days")]
pub enum PaymentTerms {
    /// Due the day it is issued.
    DueOnReceipt,
    /// Due N days after the invoice date ("net 30").
    Net(u16),
    /// Due N days after the end of the invoice's month ("EOM + 10").
    EndOfMonthPlus(u16),
}

impl PaymentTerms {
    /// The due date of an invoice dated `invoice_date`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use creditbook::PaymentTerms;
    /// let d = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
    /// assert_eq!(PaymentTerms::Net(30).due_date(d), NaiveDate::from_ymd_opt(2026, 2, 19).unwrap());
    /// assert_eq!(PaymentTerms::EndOfMonthPlus(10).due_date(d), NaiveDate::from_ymd_opt(2026, 2, 10).unwrap());
    /// ```
    pub fn due_date(&self, invoice_date: NaiveDate) -> NaiveDate {
        let add = |d: NaiveDate, n: u16| {
            d.checked_add_days(Days::new(u64::from(n)))
                .unwrap_or(NaiveDate::MAX)
        };
        match *self {
            PaymentTerms::DueOnReceipt => invoice_date,
            PaymentTerms::Net(n) => add(invoice_date, n),
            PaymentTerms::EndOfMonthPlus(n) => add(end_of_month(invoice_date), n),
        }
    }
}

/// The last day of `date`'s month.
pub fn end_of_month(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// Whether the account takes new activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Normal.
    Active,
    /// No new charges; payments and credits are still accepted.
    OnHold,
    /// No activity at all; balances are kept.
    Archived,
}

impl AccountStatus {
    /// Every status, in this order: the words the faces accept and show.
    pub const ALL: [AccountStatus; 3] = [
        AccountStatus::Active,
        AccountStatus::OnHold,
        AccountStatus::Archived,
    ];

    /// The status as a word (`"on_hold"`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::OnHold => "on_hold",
            AccountStatus::Archived => "archived",
        }
    }
}

/// Where the account stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Owes nothing.
    Settled,
    /// Owes, nothing overdue.
    Outstanding,
    /// At least one invoice is past its due date.
    Overdue,
}

impl Standing {
    /// Every standing, in this order: the words the faces accept and show.
    pub const ALL: [Standing; 3] = [Standing::Settled, Standing::Outstanding, Standing::Overdue];

    /// The standing as a word (`"overdue"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Settled => "settled",
            Standing::Outstanding => "outstanding",
            Standing::Overdue => "overdue",
        }
    }
}
