//! cargo-fuzz target `csv_line`: the body is fuzz/checks/csv_line.rs, shared with the corpus replay.
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::csv_line::run(data));
