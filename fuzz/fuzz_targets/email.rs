//! cargo-fuzz target `email`: the body is fuzz/checks/email.rs, shared with the corpus replay.
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::email::run(data));
