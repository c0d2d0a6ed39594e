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
    if args.is_empty() {
        // `cargo test --all-targets` (make test) runs this without arguments: a smoke run on the
        // month-end check's small export, into a folder that goes away.
        let dir = tempfile::tempdir().expect("a temporary folder");
        let csv = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/month_end/entries-2k.csv"
        );
        let out = dir.path().join("smoke.sqlite3");
        let text = std::fs::read_to_string(csv).expect("the small export");
        let settings =
            creditbook::StoreSettings::new("creditbook month-end", "CAD", "UTC").unwrap();
        sqlite_file::build(&text, &settings, &out);
        assert!(out.exists(), "the store file is written");
        return;
    }
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
