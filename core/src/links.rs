//! Payment links of an account, as its entries tell: which exist, which are pending, paid or
//! cancelled. Links are few, so they are found by scanning the account's entries.

use crate::entry::{Entry, EntryKind, LinkRecord, OnlinePayment};

/// Where a payment link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    /// Waiting for the customer.
    Pending,
    /// Paid (a payment or deposit was recorded through it).
    Paid,
    /// Replaced by a newer deposit request for the same sale.
    Cancelled,
}

/// A payment link and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkState {
    /// The link as recorded.
    pub record: LinkRecord,
    /// Pending, paid or cancelled.
    pub status: LinkStatus,
}

/// Every payment link of an account, oldest first.
pub fn links(entries: &[Entry]) -> Vec<LinkState> {
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
    out
}

fn set_status(out: &mut [LinkState], reference: &str, status: LinkStatus) {
    if let Some(l) = out.iter_mut().find(|l| l.record.reference == reference) {
        l.status = status;
    }
}

/// The link with this reference.
pub fn find(entries: &[Entry], reference: &str) -> Option<LinkState> {
    links(entries)
        .into_iter()
        .find(|l| l.record.reference == reference)
}
