//! The bodies of the fuzz targets, shared by the cargo-fuzz targets (fuzz/fuzz_targets) and the
//! corpus replay of `make test` (core/tests/fuzz_corpus.rs), which include this module with
//! `#[path]`. Each `run` takes arbitrary bytes, must never panic, and asserts that every refusal
//! is a typed [`creditbook::Error`] with a stable code.
#![allow(dead_code)]

pub mod amount;
pub mod csv_line;
pub mod email;
pub mod record;
pub mod statement;

/// The field separator of multi-field inputs (ASCII record separator).
pub const SEP: u8 = 0x1e;

/// Splits `data` into exactly `n` text fields at [`SEP`] (missing ones are empty; the last takes
/// the rest), decoded lossily as UTF-8.
pub fn fields(data: &[u8], n: usize) -> Vec<String> {
    let mut out: Vec<String> = data
        .splitn(n, |&b| b == SEP)
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    out.resize(n, String::new());
    out
}

/// Takes the first `N` bytes of `data` (zero-padded) and returns them with the rest.
pub fn take<const N: usize>(data: &[u8]) -> ([u8; N], &[u8]) {
    let mut head = [0u8; N];
    let k = data.len().min(N);
    head[..k].copy_from_slice(&data[..k]);
    (head, &data[k..])
}

/// A refusal must be a typed error with a stable code (100..900) and a message.
pub fn typed(e: &creditbook::Error) {
    let code = e.code();
    assert!((100..900).contains(&code), "untyped error code {code}: {e}");
    assert!(!e.to_string().is_empty(), "error {code} without a message");
}
