//! cargo-fuzz target `amount`: the body is fuzz/checks/amount.rs, shared with the corpus replay.
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::amount::run(data));
