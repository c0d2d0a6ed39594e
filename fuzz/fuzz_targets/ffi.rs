//! cargo-fuzz target `ffi`: the C entry points from a Rust harness, fed arbitrary bytes as strings
//! (raw, not UTF-8-checked, cut at NUL as C would) and integers. No call may return
//! `CREDITBOOK_RESULT_PANIC` or `CREDITBOOK_RESULT_INTERNAL`, and every refusal has a message.
#![no_main]

#[path = "../checks/ffi.rs"]
mod ffi;

libfuzzer_sys::fuzz_target!(|data: &[u8]| ffi::run(data));
