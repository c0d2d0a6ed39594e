//! A small, strict reader of the RFC 5322 / MIME bytes creditbook writes, so tests check what a
//! mail client would see: header fields (unfolded, RFC 2047 encoded words decoded), multipart
//! bodies split on their boundaries, and leaf parts decoded from quoted-printable or base64.
//! Anything it does not understand panics: a test that reads a message expects a good one.
#![allow(dead_code)]

/// One MIME entity: the message itself, a multipart container or a leaf part.
#[derive(Debug)]
pub struct Part {
    /// Header fields in order: (name, unfolded raw value).
    pub headers: Vec<(String, String)>,
    /// The decoded body of a leaf part (empty for a multipart).
    pub body: Vec<u8>,
    /// The parts of a multipart, in order.
    pub parts: Vec<Part>,
}

impl Part {
    /// Parses a whole message. Checks the line discipline of RFC 5322 on the way: every line ends
    /// with CRLF (no bare CR or LF), no line is longer than 998 octets, headers are ASCII.
    pub fn parse(bytes: &[u8]) -> Part {
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'\n' => assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF at byte {i}"),
                b'\r' => assert!(bytes.get(i + 1) == Some(&b'\n'), "bare CR at byte {i}"),
                _ => {}
            }
        }
        for (n, line) in split_lines(bytes).iter().enumerate() {
            assert!(line.len() <= 998, "line {} is {} octets", n + 1, line.len());
        }
        Part::entity(bytes)
    }

    fn entity(bytes: &[u8]) -> Part {
        let (head, body) = match find(bytes, b"\r\n\r\n") {
            Some(i) => (&bytes[..i], &bytes[i + 4..]),
            None => (bytes, &b""[..]),
        };
        assert!(head.is_ascii(), "non-ASCII bytes in a header block");
        let head = std::str::from_utf8(head).unwrap();
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                let last = headers
                    .last_mut()
                    .expect("a continuation line opens the headers");
                last.1.push_str(line);
            } else {
                let (name, value) = line
                    .split_once(':')
                    .unwrap_or_else(|| panic!("not a header field: {line:?}"));
                assert!(
                    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()),
                    "bad header name {name:?}"
                );
                headers.push((name.to_string(), value.trim_start().to_string()));
            }
        }
        let mut part = Part {
            headers,
            body: Vec::new(),
            parts: Vec::new(),
        };
        if part.media_type().starts_with("multipart/") {
            let boundary = part
                .param("Content-Type", "boundary")
                .expect("a multipart has a boundary");
            part.parts = split_multipart(body, &boundary)
                .into_iter()
                .map(Part::entity)
                .collect();
        } else {
            part.body = match part
                .header("Content-Transfer-Encoding")
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("quoted-printable") => decode_qp(body),
                Some("base64") => decode_base64(body),
                Some("7bit") | Some("8bit") | Some("binary") | None => body.to_vec(),
                Some(other) => panic!("unknown transfer encoding {other}"),
            };
        }
        part
    }

    /// The raw (unfolded) value of the first header field with this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The decoded value of a header field (RFC 2047 encoded words decoded).
    pub fn decoded(&self, name: &str) -> Option<String> {
        self.header(name).map(decode_words)
    }

    /// How many header fields have this name.
    pub fn count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    }

    /// The header fields' names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.headers.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The media type, lower case, without parameters (`text/plain` when there is none).
    pub fn media_type(&self) -> String {
        self.header("Content-Type")
            .map(|v| v.split(';').next().unwrap().trim().to_ascii_lowercase())
            .unwrap_or_else(|| "text/plain".into())
    }

    /// A parameter of a structured header field (`boundary`, `filename`, `charset`), unquoted.
    pub fn param(&self, header: &str, name: &str) -> Option<String> {
        let value = self.header(header)?;
        value.split(';').skip(1).find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().trim_matches('"').to_string())
        })
    }

    /// The attachment's file name, when this is an attachment.
    pub fn filename(&self) -> Option<String> {
        let disposition = self.header("Content-Disposition")?;
        assert!(disposition.to_ascii_lowercase().starts_with("attachment"));
        self.param("Content-Disposition", "filename")
    }

    /// The decoded body as UTF-8 text, line breaks as `\n`.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone())
            .expect("a UTF-8 body")
            .replace("\r\n", "\n")
    }

    /// The leaf parts, depth first.
    pub fn leaves(&self) -> Vec<&Part> {
        if self.parts.is_empty() {
            vec![self]
        } else {
            self.parts.iter().flat_map(Part::leaves).collect()
        }
    }

    /// The part tree as text: media types, indented, with attachments' names.
    pub fn outline(&self) -> String {
        let mut out = String::new();
        self.outline_into(0, &mut out);
        out
    }

    fn outline_into(&self, depth: usize, out: &mut String) {
        out.push_str(&"  ".repeat(depth));
        out.push_str(&self.media_type());
        if let Some(name) = self.filename() {
            out.push_str(&format!(" (attachment {name})"));
        }
        out.push('\n');
        for p in &self.parts {
            p.outline_into(depth + 1, out);
        }
    }
}

/// The message's lines, without their CRLF.
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(i) = find(&bytes[start..], b"\r\n") {
        out.push(&bytes[start..start + i]);
        start += i + 2;
    }
    out.push(&bytes[start..]);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The bodies of a multipart: between `--boundary` lines, up to `--boundary--`.
fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let open = format!("--{boundary}");
    let close = format!("--{boundary}--");
    let lines = split_lines(body);
    let mut parts = Vec::new();
    let mut current: Option<Vec<&[u8]>> = None;
    let mut closed = false;
    for line in lines {
        if line == close.as_bytes() {
            parts.extend(current.take());
            closed = true;
            break;
        } else if line == open.as_bytes() {
            parts.extend(current.take());
            current = Some(Vec::new());
        } else if let Some(c) = current.as_mut() {
            c.push(line);
        }
    }
    assert!(closed, "multipart {boundary} is not closed");
    // Each part is a slice of `body`: from its first line to the end of its last.
    parts
        .into_iter()
        .map(|lines: Vec<&[u8]>| match (lines.first(), lines.last()) {
            (Some(first), Some(last)) => {
                let start = first.as_ptr() as usize - body.as_ptr() as usize;
                let end = last.as_ptr() as usize - body.as_ptr() as usize + last.len();
                &body[start..end]
            }
            _ => &body[..0],
        })
        .collect()
}

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'A'..=b'F' => b - b'A' + 10,
        b'a'..=b'f' => b - b'a' + 10,
        _ => panic!("bad hex digit {:?}", b as char),
    }
}

/// Quoted-printable (RFC 2045 6.7): `=XX` octets, `=` CRLF soft line breaks.
pub fn decode_qp(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'=' {
            if body[i + 1..].starts_with(b"\r\n") {
                i += 3;
            } else {
                out.push(hex(body[i + 1]) * 16 + hex(body[i + 2]));
                i += 3;
            }
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

/// Base64 (RFC 4648), line breaks ignored.
pub fn decode_base64(body: &[u8]) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 character {:?}", c as char),
        }
    };
    let chars: Vec<u8> = body
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    assert_eq!(chars.len() % 4, 0, "base64 length");
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    for quad in chars.chunks(4) {
        let pad = quad.iter().filter(|&&c| c == b'=').count();
        let n = quad
            .iter()
            .map(|&c| if c == b'=' { 0 } else { value(c) })
            .fold(0u32, |acc, v| (acc << 6) | v);
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?Q?...?=`, `=?utf-8?B?...?=`); white space between
/// two encoded words is dropped, as the RFC says.
pub fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while !rest.is_empty() {
        let start = rest.find("=?");
        let (plain, next) = match start {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if !(after_word && plain.trim().is_empty() && !next.is_empty()) {
            out.push_str(plain);
        }
        if next.is_empty() {
            break;
        }
        // =?charset?encoding?text?=
        let inner = &next[2..];
        let mut fields = inner.splitn(3, '?');
        let charset = fields.next().unwrap();
        let encoding = fields.next().unwrap();
        let tail = fields.next().unwrap();
        let end = tail.find("?=").expect("an encoded word ends with ?=");
        let text = &tail[..end];
        assert!(charset.eq_ignore_ascii_case("utf-8"), "charset {charset}");
        let bytes = match encoding {
            "Q" | "q" => {
                let raw = text.replace('_', " ");
                decode_qp(raw.as_bytes())
            }
            "B" | "b" => decode_base64(text.as_bytes()),
            other => panic!("unknown encoding {other}"),
        };
        out.push_str(&String::from_utf8(bytes).expect("UTF-8 in an encoded word"));
        rest = &tail[end + 2..];
        after_word = true;
    }
    out
}

/// The message as text with its random MIME boundaries replaced by `BOUNDARY-1`, `BOUNDARY-2`...
/// in order of appearance, so that it can be snapshotted.
pub fn mask_boundaries(bytes: &[u8]) -> String {
    let mut text = String::from_utf8(bytes.to_vec()).expect("a UTF-8 message");
    let mut found = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("boundary=\"") {
        let tail = &rest[i + 10..];
        let end = tail.find('"').expect("a closing quote");
        found.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    for (n, b) in found.iter().enumerate() {
        text = text.replace(b.as_str(), &format!("BOUNDARY-{}", n + 1));
    }
    text
}
