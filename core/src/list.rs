//! The accounts list: one row of figures per account, filtered, searched and sorted.

use std::cmp::Ordering;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::account::{AccountStatus, CreditLimit, Standing};
use crate::figures::AccountSummary;

/// The figure the accounts list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Account id (the default).
    #[default]
    AccountId,
    /// Customer name, case-insensitively.
    CustomerName,
    /// Balance owed.
    BalanceOwed,
    /// Overdue amount.
    Overdue,
    /// Credit balance.
    CreditBalance,
    /// Credit limit (unlimited above any amount).
    CreditLimit,
    /// Available credit (unlimited above any amount).
    Available,
}

impl SortKey {
    /// Every sort key, in this order: the words the faces accept.
    pub const ALL: [SortKey; 7] = [
        SortKey::AccountId,
        SortKey::CustomerName,
        SortKey::BalanceOwed,
        SortKey::Overdue,
        SortKey::CreditBalance,
        SortKey::CreditLimit,
        SortKey::Available,
    ];

    /// The key as a word (`"balance_owed"`).
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::AccountId => "account_id",
            SortKey::CustomerName => "customer_name",
            SortKey::BalanceOwed => "balance_owed",
            SortKey::Overdue => "overdue",
            SortKey::CreditBalance => "credit_balance",
            SortKey::CreditLimit => "credit_limit",
            SortKey::Available => "available",
        }
    }
}

/// Which accounts the list shows and in which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountsQuery {
    /// The date of the figures.
    pub as_of: NaiveDate,
    /// Only accounts in this standing (settled, outstanding, overdue).
    pub standing: Option<Standing>,
    /// Only accounts with this status (active, on hold, archived).
    pub status: Option<AccountStatus>,
    /// Only customers whose name contains this text (case-insensitive).
    pub search: Option<String>,
    /// Sort order.
    pub sort: SortKey,
    /// Largest first.
    pub descending: bool,
}

impl AccountsQuery {
    /// Every account on a date, by account id.
    pub fn on(as_of: NaiveDate) -> AccountsQuery {
        AccountsQuery {
            as_of,
            standing: None,
            status: None,
            search: None,
            sort: SortKey::AccountId,
            descending: false,
        }
    }

    pub(crate) fn keeps(&self, row: &AccountSummary) -> bool {
        self.standing.is_none_or(|s| s == row.standing)
            && self.status.is_none_or(|s| s == row.status)
            && self
                .search
                .as_deref()
                .is_none_or(|q| row.customer.name.to_lowercase().contains(&q.to_lowercase()))
    }

    pub(crate) fn sort(&self, rows: &mut [AccountSummary]) {
        let key = self.sort;
        rows.sort_by(|a, b| {
            let ord = compare(key, a, b).then_with(|| a.account_id.cmp(&b.account_id));
            if self.descending {
                ord.reverse()
            } else {
                ord
            }
        });
    }
}

fn unlimited_last(v: Option<Decimal>) -> (bool, Decimal) {
    (v.is_none(), v.unwrap_or_default())
}

fn compare(key: SortKey, a: &AccountSummary, b: &AccountSummary) -> Ordering {
    match key {
        SortKey::AccountId => Ordering::Equal,
        SortKey::CustomerName => a
            .customer
            .name
            .to_lowercase()
            .cmp(&b.customer.name.to_lowercase()),
        SortKey::BalanceOwed => a.balance_owed.cmp(&b.balance_owed),
        SortKey::Overdue => a.overdue.cmp(&b.overdue),
        SortKey::CreditBalance => a.credit_balance.cmp(&b.credit_balance),
        SortKey::CreditLimit => {
            let l = |s: &AccountSummary| match s.credit_limit {
                CreditLimit::Amount(x) => Some(x),
                CreditLimit::Unlimited => None,
            };
            unlimited_last(l(a)).cmp(&unlimited_last(l(b)))
        }
        SortKey::Available => unlimited_last(a.available).cmp(&unlimited_last(b.available)),
    }
}
