//! Email addresses and header values: `validate::email`, `message::header_value`, and a whole
//! `Message` through `check_headers` and `to_rfc5322`. Input: 8 bytes date (LE seconds), then
//! `to SEP from SEP subject SEP id SEP attachment name SEP attachment type SEP body` as text.

use chrono::DateTime;
use creditbook::entry::MessageKind;
use creditbook::message::header_value;
use creditbook::{validate, Attachment, Language, Message};

use super::{fields, take, typed};

pub fn run(data: &[u8]) {
    let (head, rest) = take::<8>(data);
    let f = fields(rest, 7);
    for value in &f {
        let clean = !value.chars().any(char::is_control);
        match header_value("fuzz", value) {
            Ok(()) => assert!(clean, "control character let through in {value:?}"),
            Err(e) => {
                typed(&e);
                assert!(!clean);
            }
        }
        match validate::email(value) {
            Ok(a) => {
                assert!(!a.chars().any(char::is_control), "{a:?}");
                assert_eq!(a, value.trim());
            }
            Err(e) => typed(&e),
        }
    }
    let message = Message {
        id: f[3].clone(),
        kind: MessageKind::Statement,
        account: "F-1".into(),
        language: Language::from_tag("en").unwrap(),
        from: (!f[1].is_empty()).then(|| f[1].clone()),
        to: f[0].split(',').map(str::to_string).collect(),
        subject: f[2].clone(),
        text: f[6].clone(),
        html: f[6].clone(),
        attachments: vec![Attachment {
            filename: f[4].clone(),
            content_type: f[5].clone(),
            content: f[6].as_bytes().to_vec(),
        }],
        reminder: None,
    };
    let checked = message.check_headers();
    if let Err(e) = &checked {
        typed(e);
    }
    let secs = i64::from_le_bytes(head) % 253_402_300_799; // before year 10000
    let date = DateTime::from_timestamp(secs, 0).unwrap_or_default();
    match message.to_rfc5322(date) {
        Ok(bytes) => {
            assert!(checked.is_ok(), "sent although its headers were refused");
            assert!(!bytes.is_empty());
        }
        Err(e) => typed(&e),
    }
}
