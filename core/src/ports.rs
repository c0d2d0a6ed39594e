//! The host's delivery ports: the Mailer that delivers composed messages and the PaymentProvider
//! that makes payment links. Like the [`crate::Store`], they are called synchronously on the
//! calling thread, never while the Book holds a lock, and their failures keep the host's code.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::entry::LinkPurpose;
use crate::message::Message;
use crate::money::Currency;

/// A port's failure: the host's own code and message, kept as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortError {
    /// The host's code.
    pub code: i32,
    /// The host's message.
    pub message: String,
}

impl PortError {
    /// A failure with a code and a message.
    pub fn new(code: i32, message: impl Into<String>) -> PortError {
        PortError {
            code,
            message: message.into(),
        }
    }
}

/// Delivers composed messages (by SMTP, an email API, a print queue...).
pub trait Mailer: Send + Sync {
    /// Delivers `message`; returns the delivery id.
    fn send(&self, message: &Message) -> Result<String, PortError>;
}

/// What creditbook asks the payment provider to make a link for. creditbook decides the amount,
/// currency, reference and expiry; the provider makes the secure URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLinkRequest {
    /// The account.
    pub account: String,
    /// The amount to pay.
    pub amount: Decimal,
    /// Its currency (the store's).
    pub currency: Currency,
    /// The link's reference, to be reported back with the payment.
    pub reference: String,
    /// What the payment is for.
    pub purpose: LinkPurpose,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// The customer's name, for the payment page.
    pub customer_name: String,
}

/// Makes payment links (Lightspeed Payments, Stripe, Square...).
pub trait PaymentProvider: Send + Sync {
    /// Makes a link for `request`; returns its URL.
    fn create_link(&self, request: &PaymentLinkRequest) -> Result<String, PortError>;
}
