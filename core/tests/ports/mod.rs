//! A recording Mailer and PaymentProvider with the real ports' shape: they keep what they were
//! given, answer with predictable ids and URLs, and can be told to fail.
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use creditbook::{
    Book, Delivery, EntryKind, Mailer, Message, MessageRecord, PaymentLinkRequest, PaymentProvider,
    PortError,
};

/// Keeps every message it delivers; fails while `down` is set; while `late` is set, delivers and
/// then reports a timeout (a slow mail server: the caller gave up before it answered).
#[derive(Clone, Default)]
pub struct RecordingMailer {
    pub sent: Arc<Mutex<Vec<Message>>>,
    pub down: Arc<AtomicBool>,
    pub late: Arc<AtomicBool>,
    pub attempts: Arc<AtomicU32>,
}

impl RecordingMailer {
    /// The messages delivered so far.
    pub fn delivered(&self) -> Vec<Message> {
        self.sent.lock().unwrap().clone()
    }

    /// How many times the mailer was called, delivered or not.
    pub fn attempted(&self) -> u32 {
        self.attempts.load(Ordering::SeqCst)
    }

    /// Makes the mailer fail (true) or work (false).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

impl Mailer for RecordingMailer {
    fn send(&self, message: &Message) -> Result<String, PortError> {
        let n = self.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        if self.down.load(Ordering::SeqCst) {
            return Err(PortError::new(421, "mail server down"));
        }
        self.sent.lock().unwrap().push(message.clone());
        if self.late.load(Ordering::SeqCst) {
            return Err(PortError::new(
                504,
                "no answer from the mail server in time",
            ));
        }
        Ok(format!("delivery-{n}"))
    }
}

/// Makes links `https://pay.example/<reference>`; keeps every request; fails while `down` is set;
/// while `late` is set, makes the link and then reports a timeout.
#[derive(Clone, Default)]
pub struct RecordingProvider {
    pub requests: Arc<Mutex<Vec<PaymentLinkRequest>>>,
    pub down: Arc<AtomicBool>,
    pub late: Arc<AtomicBool>,
}

impl RecordingProvider {
    /// The requests made so far.
    pub fn made(&self) -> Vec<PaymentLinkRequest> {
        self.requests.lock().unwrap().clone()
    }
}

impl PaymentProvider for RecordingProvider {
    fn create_link(&self, request: &PaymentLinkRequest) -> Result<String, PortError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(PortError::new(503, "provider unavailable"));
        }
        self.requests.lock().unwrap().push(request.clone());
        if self.late.load(Ordering::SeqCst) {
            return Err(PortError::new(504, "no answer from the provider in time"));
        }
        Ok(format!("https://pay.example/{}", request.reference))
    }
}

/// The messages an account recorded as handed to the mailer (delivered or failed), with when.
/// The outcomes of sending recorded on an account (delivered or failed), with when; the claims
/// recorded before each call of the mailer are left out ([`recorded_claims`]).
pub fn recorded_messages(book: &Book, account: &str) -> Vec<(MessageRecord, DateTime<Utc>)> {
    book.entries(account)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.kind {
            EntryKind::MessageSent(m) if !matches!(m.delivery, Delivery::Sending { .. }) => {
                Some((*m, e.at))
            }
            _ => None,
        })
        .collect()
}

/// The claims to send recorded on an account: message id and until when each held.
pub fn recorded_claims(book: &Book, account: &str) -> Vec<(String, DateTime<Utc>)> {
    book.entries(account)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.kind {
            EntryKind::MessageSent(m) => match m.delivery {
                Delivery::Sending { until } => Some((m.message_id, until)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}
