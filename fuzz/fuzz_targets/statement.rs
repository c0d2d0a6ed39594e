//! cargo-fuzz target `statement`: the body is fuzz/checks/statement.rs, shared with the corpus replay.
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::statement::run(data));
