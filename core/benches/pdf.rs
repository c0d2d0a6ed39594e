//! PDF statements (feature `pdf`): a one-page statement, a 10,000-line statement and a print run
//! of 1,000 one-page statements, with the size of each PDF printed. `make bench` runs it (the
//! memory of the print run: benches/pdf_memory.rs); figures go to BENCHMARKS.md.

use creditbook::statement::pdf::{print_run, PdfOptions};
use divan::Bencher;

mod pdf_common;

fn main() {
    let opts = PdfOptions::default();
    let one = pdf_common::one_page().to_pdf(&opts).unwrap();
    let long_st = pdf_common::ten_thousand_lines();
    let long = long_st.to_pdf(&opts).unwrap();
    println!(
        "UBL of the 10,000-line statement: {} bytes",
        long_st.to_ubl_xml().unwrap().len()
    );
    let run = print_run(&pdf_common::run_of(1_000), &opts).unwrap();
    println!("PDF sizes: one-page statement {} bytes; 10,000-line statement {} bytes; print run of 1,000 statements {} bytes", one.len(), long.len(), run.len());
    divan::main();
}

/// The one-page statement (French, Letter, UBL embedded): layout, font subset, PDF/A.
#[divan::bench(sample_count = 100)]
fn statement_one_page(bencher: Bencher) {
    let st = pdf_common::one_page();
    let opts = PdfOptions::default();
    bencher.bench_local(|| st.to_pdf(&opts).unwrap());
}

/// The same without the UBL attachment.
#[divan::bench(sample_count = 100)]
fn statement_one_page_no_ubl(bencher: Bencher) {
    let st = pdf_common::one_page();
    let opts = PdfOptions {
        embed_ubl: false,
        ..PdfOptions::default()
    };
    bencher.bench_local(|| st.to_pdf(&opts).unwrap());
}

/// A statement of 10,000 lines (about 180 pages), UBL embedded.
#[divan::bench(sample_count = 10)]
fn statement_10k_lines(bencher: Bencher) {
    let st = pdf_common::ten_thousand_lines();
    let opts = PdfOptions::default();
    bencher.bench_local(|| st.to_pdf(&opts).unwrap());
}

/// The same without the UBL attachment (whose compression is a good part of the time).
#[divan::bench(sample_count = 10)]
fn statement_10k_lines_no_ubl(bencher: Bencher) {
    let st = pdf_common::ten_thousand_lines();
    let opts = PdfOptions {
        embed_ubl: false,
        ..PdfOptions::default()
    };
    bencher.bench_local(|| st.to_pdf(&opts).unwrap());
}

/// The print run of 1,000 one-page statements in one PDF, each one's UBL embedded.
#[divan::bench(sample_count = 5)]
fn print_run_1000(bencher: Bencher) {
    let run = pdf_common::run_of(1_000);
    let opts = PdfOptions::default();
    bencher.bench_local(|| print_run(&run, &opts).unwrap());
}
