//! Outgoing messages: complete emails (recipients, subject, text and HTML bodies, attachments) as
//! data the user can review, and as the RFC 5322 / MIME bytes that will be sent.
//!
//! Every header value is checked: a line break or another control character in a recipient, the
//! subject or an attachment's name is refused ([`Error::HeaderInjection`]), and every address is
//! validated ([`Error::InvalidEmail`]).

#[cfg(feature = "email")]
pub mod compose;

#[cfg(feature = "email")]
use chrono::{DateTime, Utc};
use serde::Serialize;
use smol_str::SmolStr;

use crate::digest::Fnv;
use crate::entry::MessageKind;
use crate::error::{Error, Result};
use crate::i18n::Language;
use crate::validate;

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// Its file name.
    pub filename: String,
    /// Its MIME type, e.g. `text/html; charset=utf-8`.
    pub content_type: String,
    /// Its content.
    pub content: Vec<u8>,
}

/// A complete message, ready to be reviewed and sent.
///
/// A message is its content: its id is `<kind>-<digest>`, the digest (FNV-1a, 128 bits) of the
/// account, recipients, sender, subject, both bodies and every attachment. The same message is
/// delivered at most once; a corrected one (another amount due, due date, language, period) or
/// the same one to another address has another id and is delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// Its id, made from its content ([`Message::content_id`]): sending the same id again after
    /// a delivery sends nothing.
    pub id: String,
    /// What it is.
    pub kind: MessageKind,
    /// The account it belongs to (where it is recorded).
    pub account: SmolStr,
    /// Its language.
    pub language: Language,
    /// The sender (the store), when the store has an address.
    pub from: Option<String>,
    /// The recipients.
    pub to: Vec<String>,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
    /// Attached files.
    pub attachments: Vec<Attachment>,
    /// For a reminder: the invoice and the level.
    pub reminder: Option<(u64, u32)>,
}

/// The domain of Message-ID headers when the store has no `from` address. `.invalid` is reserved
/// (RFC 2606): it can never be anyone's real domain.
pub const FALLBACK_MESSAGE_ID_DOMAIN: &str = "creditbook.invalid";

impl Message {
    /// The id this message's content gives it: `<kind>-<32 hex digits>`.
    pub fn content_id(&self) -> String {
        let mut d = Fnv::<u128>::default();
        d.str(self.kind.as_str());
        d.str(&self.account);
        d.str(self.language.code());
        d.opt(self.from.as_deref());
        d.u64(self.to.len() as u64);
        for to in &self.to {
            d.str(to);
        }
        d.str(&self.subject);
        d.str(&self.text);
        d.str(&self.html);
        d.u64(self.attachments.len() as u64);
        for a in &self.attachments {
            d.str(&a.filename);
            d.str(&a.content_type);
            d.sized(&a.content);
        }
        match self.reminder {
            Some((invoice, level)) => {
                d.u64(invoice);
                d.u64(u64::from(level));
            }
            None => d.str(""),
        }
        format!("{}-{:032x}", self.kind.as_str(), d.0)
    }

    /// Gives the message the id of its content (done by every composer once the message is
    /// complete; a host that changes a composed message calls it again).
    pub fn seal(&mut self) {
        self.id = self.content_id();
    }

    /// The Message-ID header's value: `<id@domain>`, the domain the store's `from` address's,
    /// else [`FALLBACK_MESSAGE_ID_DOMAIN`].
    pub fn message_id_header(&self) -> String {
        let domain = self
            .from
            .as_deref()
            .and_then(|f| f.rsplit_once('@'))
            .map(|(_, d)| d.trim_end_matches('>').trim())
            .filter(|d| !d.is_empty())
            .unwrap_or(FALLBACK_MESSAGE_ID_DOMAIN);
        format!("{}@{domain}", self.id)
    }

    /// Checks every header value: addresses valid, no line breaks or control characters.
    pub fn check_headers(&self) -> Result<()> {
        if self.to.is_empty() {
            return Err(Error::MissingRecipient);
        }
        for address in self.to.iter().chain(self.from.iter()) {
            validate::header_address(address)?;
        }
        header_value("subject", &self.subject)?;
        header_value("message id", &self.id)?;
        for a in &self.attachments {
            header_value("attachment name", &a.filename)?;
            header_value("attachment type", &a.content_type)?;
        }
        Ok(())
    }

    /// The message as RFC 5322 / MIME bytes (multipart: text and HTML alternatives, then the
    /// attachments), dated `date`. MIME boundaries are random; everything else is deterministic.
    #[cfg(feature = "email")]
    pub fn to_rfc5322(&self, date: DateTime<Utc>) -> Result<Vec<u8>> {
        self.check_headers()?;
        let mut b = mail_builder::MessageBuilder::new()
            .message_id(self.message_id_header())
            .to(self.to.iter().map(String::as_str).collect::<Vec<_>>())
            .subject(self.subject.as_str())
            .date(date.timestamp())
            .text_body(self.text.as_str())
            .html_body(self.html.as_str());
        if let Some(from) = &self.from {
            b = b.from(from.as_str()).reply_to(from.as_str());
        }
        for a in &self.attachments {
            b = b.attachment(
                a.content_type.as_str(),
                a.filename.as_str(),
                a.content.as_slice(),
            );
        }
        b.write_to_vec().map_err(|e| Error::InvalidInput {
            field: "message",
            reason: e.to_string(),
        })
    }
}

/// Refuses a header value with a line break or another control character (the check lives in
/// [`validate`], which every layer may use).
pub use crate::validate::header_value;
