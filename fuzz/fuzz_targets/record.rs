//! cargo-fuzz target `record`: the body is fuzz/checks/record.rs, shared with the corpus replay.
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::record::run(data));
