//! What the multi-process fault tests share (the SIGKILL tests of stores/*/tests/faults.rs and the
//! chain harness, tests/chain/mod.rs): child processes that die with the test, and a log that
//! survives their SIGKILL. Included with `#[path]`.
#![allow(dead_code)] // each test binary uses its own part

use std::io::Write;
use std::process::Child;

/// Appends `line` to a log opened for appending with one `write(2)` of the whole line: in the
/// kernel once it returns, whatever kills the process next, and never interleaved with another
/// thread's or process's line.
pub fn log_line(file: &std::fs::File, line: &str) {
    (&*file).write_all(format!("{line}\n").as_bytes()).unwrap();
}

/// Child processes, killed (SIGKILL) and reaped when dropped: a failing test leaves none running.
pub struct Procs(pub Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
