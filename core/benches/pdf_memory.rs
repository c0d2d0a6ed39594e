//! Peak heap of the print run of 1,000 one-page statements (feature `pdf`), measured with a
//! counting global allocator: the most bytes live at once while the PDF is written, less what
//! was live before (the statements themselves), and the process's peak resident set.
//! `make bench` runs it; the figure goes to BENCHMARKS.md (budget: 256 MiB).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use creditbook::statement::pdf::{print_run, PdfOptions};

mod pdf_common;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grew(by: isize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grew(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn main() {
    let run = pdf_common::run_of(1_000);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let started = std::time::Instant::now();
    let pdf = print_run(&run, &PdfOptions::default()).unwrap();
    let took = started.elapsed();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    // SAFETY: getrusage with a valid out-pointer.
    let maxrss_kib = unsafe {
        let mut u: libc_rusage = std::mem::zeroed();
        getrusage(0, &mut u);
        u.ru_maxrss
    };
    println!(
        "print run of 1,000 statements: {} bytes of PDF in {:.3} s; peak heap while writing it {:.1} MiB; process peak RSS {:.1} MiB",
        pdf.len(),
        took.as_secs_f64(),
        peak as f64 / (1024.0 * 1024.0),
        maxrss_kib as f64 / 1024.0
    );
}

/// `struct rusage` of Linux (x86_64 and aarch64): two timevals then 14 longs.
#[repr(C)]
struct libc_rusage {
    ru_utime: [i64; 2],
    ru_stime: [i64; 2],
    ru_maxrss: i64,
    rest: [i64; 13],
}

extern "C" {
    fn getrusage(who: i32, usage: *mut libc_rusage) -> i32;
}
