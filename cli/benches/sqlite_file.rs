//! For `make bench` (tests/month_end/bench.sh): `cargo bench -p creditbook-cli --bench
//! sqlite_file -- ENTRIES.csv STORE.sqlite3` writes a creditbook SQLite store holding what the
//! export's lines record, for timing `creditbook month-end --store sqlite:STORE.sqlite3` against
//! the same run from the export. An existing STORE is kept.

#[path = "../src/sqlite_file.rs"]
mod sqlite_file;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [csv, out] = args.as_slice() else {
        eprintln!("usage: sqlite_file ENTRIES.csv STORE.sqlite3");
        std::process::exit(2);
    };
    let out = std::path::Path::new(out);
    if out.exists() {
        eprintln!("{} is there: kept", out.display());
        return;
    }
    let t0 = std::time::Instant::now();
    let csv = std::fs::read_to_string(csv).expect("the export");
    let settings = creditbook::StoreSettings::new("creditbook month-end", "CAD", "UTC").unwrap();
    sqlite_file::build(&csv, &settings, out);
    eprintln!(
        "built {} in {:.1} s",
        out.display(),
        t0.elapsed().as_secs_f64()
    );
}
