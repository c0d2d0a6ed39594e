//! Payment links of an account, as its entries tell: which exist, which are pending, paid,
//! cancelled or expired. Links are few, so they are found by scanning the account's entries.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::entry::{Entry, EntryKind, LinkRecord, OnlinePayment};

/// Where a payment link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// Waiting for the customer.
    Pending,
    /// Paid (a payment or deposit was recorded through it).
    Paid,
    /// Replaced by a newer deposit request for the same sale.
    Cancelled,
    /// Not paid by its expiry: a new request for the same sale is allowed, and a payment that
    /// still arrives through it is recorded (flagged).
    Expired,
}

impl LinkStatus {
    /// The status as a word (`"expired"`).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Pending => "pending",
            LinkStatus::Paid => "paid",
            LinkStatus::Cancelled => "cancelled",
            LinkStatus::Expired => "expired",
        }
    }
}

/// A payment link and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkState {
    /// The link as recorded.
    pub record: LinkRecord,
    /// Pending, paid, cancelled or expired.
    pub status: LinkStatus,
}

/// Every payment link of an account, oldest first, as it stands at `at`: a link still pending at
/// its expiry instant is expired from then on.
pub fn links(entries: &[Entry], at: DateTime<Utc>) -> Vec<LinkState> {
    let mut out: Vec<LinkState> = Vec::new();
    for e in entries {
        match &e.kind {
            EntryKind::PaymentLinkCreated(r) => out.push(LinkState {
                record: (**r).clone(),
                status: LinkStatus::Pending,
            }),
            EntryKind::PaymentLinkCancelled { reference } => {
                set_status(&mut out, reference, LinkStatus::Cancelled)
            }
            EntryKind::Payment {
                online: Some(o), ..
            }
            | EntryKind::Deposit {
                online: Some(o), ..
            } => {
                if let OnlinePayment { link: Some(r), .. } = o.as_ref() {
                    set_status(&mut out, r, LinkStatus::Paid);
                }
            }
            _ => {}
        }
    }
    for l in &mut out {
        if l.status == LinkStatus::Pending && l.record.expires_at <= at {
            l.status = LinkStatus::Expired;
        }
    }
    out
}

fn set_status(out: &mut [LinkState], reference: &str, status: LinkStatus) {
    if let Some(l) = out.iter_mut().find(|l| l.record.reference == reference) {
        l.status = status;
    }
}

/// The link with this reference, as it stands at `at`.
pub fn find(entries: &[Entry], reference: &str, at: DateTime<Utc>) -> Option<LinkState> {
    links(entries, at)
        .into_iter()
        .find(|l| l.record.reference == reference)
}
