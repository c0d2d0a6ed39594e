//! The fuzz corpus replayed as regression tests: every file of fuzz/corpus/<target>/ goes through
//! the same body as the cargo-fuzz target (fuzz/checks, included here, so no check is written
//! twice). A panic fails the test with the file's name. The `ffi` target's corpus is replayed by
//! `make fuzz-replay` (the C entry points are not linkable from the core's tests).

#[path = "../../fuzz/checks/mod.rs"]
mod checks;

use std::path::PathBuf;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let result = std::panic::catch_unwind(|| run(&data));
        assert!(result.is_ok(), "{target}: {} panicked", file.display());
    }
}

#[test]
fn amount_corpus() {
    replay("amount", checks::amount::run);
}

#[test]
fn csv_line_corpus() {
    replay("csv_line", checks::csv_line::run);
}

#[test]
fn record_corpus() {
    replay("record", checks::record::run);
}

#[test]
fn statement_corpus() {
    replay("statement", checks::statement::run);
}

#[test]
fn email_corpus() {
    replay("email", checks::email::run);
}
