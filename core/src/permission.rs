//! Named permissions and the acting employee. The host's role system decides who has what; it hands
//! creditbook, per call, who acts and what they were granted. Refusals name the missing permission.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::error::{Error, Result};

/// A permission checked by creditbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Change an account's credit limit.
    CreditLimit,
    /// Refund a sale as store credit.
    CreditAccountRefund,
    /// Charge beyond the credit limit (manager override, recorded with a reason).
    OverrideCreditLimit,
    /// Adjust a balance, write off an invoice, reverse an entry.
    AdjustBalance,
    /// Configure accounts-receivable automation (reminders, scheduled statements).
    AutomatedAr,
    /// Archive or reactivate an account.
    ArchiveAccount,
}

impl Permission {
    /// Every permission, in a fixed order.
    pub const ALL: [Permission; 6] = [
        Permission::CreditLimit,
        Permission::CreditAccountRefund,
        Permission::OverrideCreditLimit,
        Permission::AdjustBalance,
        Permission::AutomatedAr,
        Permission::ArchiveAccount,
    ];

    /// The permission's name as hosts spell it (`"credit_limit"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::CreditLimit => "credit_limit",
            Permission::CreditAccountRefund => "credit_account_refund",
            Permission::OverrideCreditLimit => "override_credit_limit",
            Permission::AdjustBalance => "adjust_balance",
            Permission::AutomatedAr => "automated_ar",
            Permission::ArchiveAccount => "archive_account",
        }
    }

    /// Looks a permission up by name.
    pub fn from_name(name: &str) -> Result<Permission> {
        Permission::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| Error::invalid("permission", format!("unknown permission {name:?}")))
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who acts (an employee id, recorded on the entry) and what the host granted them.
///
/// ```
/// use creditbook::{Actor, Permission};
/// let manager = Actor::new("emp-7").with(Permission::CreditLimit);
/// assert!(manager.require(Permission::CreditLimit).is_ok());
/// assert!(manager.require(Permission::AdjustBalance).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actor {
    /// The employee's id in the host's system.
    pub id: SmolStr,
    /// What the host's role system grants them for this call.
    pub permissions: BTreeSet<Permission>,
}

impl Actor {
    /// An employee without permissions.
    pub fn new(id: impl Into<SmolStr>) -> Actor {
        Actor {
            id: id.into(),
            permissions: BTreeSet::new(),
        }
    }

    /// The same employee, granted one more permission.
    pub fn with(mut self, permission: Permission) -> Actor {
        self.permissions.insert(permission);
        self
    }

    /// `Ok` when the employee holds `permission`, else [`Error::PermissionDenied`] naming it.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.permissions.contains(&permission) {
            Ok(())
        } else {
            Err(Error::PermissionDenied { permission })
        }
    }
}

/// `Ok` when an actor is given and holds `permission`; a missing actor holds nothing.
pub(crate) fn require(actor: Option<&Actor>, permission: Permission) -> Result<()> {
    match actor {
        Some(a) => a.require(permission),
        None => Err(Error::PermissionDenied { permission }),
    }
}
