//! `creditbook month-end --store sqlite:FILE`: the statements of a SQLite store holding what the
//! committed export records are, byte for byte, those of the export itself (which
//! `tests/month_end/check.sh` compares with the Book's).

#[path = "../src/sqlite_file.rs"]
mod sqlite_file;

use std::path::Path;
use std::process::Command;

const EXPORT: &str = include_str!("../../tests/month_end/entries-2k.csv");

fn run(dir: &Path, source: &[&str], from: &str, to: &str, format: &str, out: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_creditbook"))
        .arg("month-end")
        .args(source)
        .args(["--from", from, "--to", to, "--format", format, "--out"])
        .arg(dir.join(out))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn a_sqlite_store_gives_the_statements_of_its_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite3");
    let settings = creditbook::StoreSettings::new("creditbook month-end", "CAD", "UTC").unwrap();
    sqlite_file::build(EXPORT, &settings, &db);
    let csv = dir.path().join("entries.csv");
    std::fs::write(&csv, EXPORT).unwrap();
    let store = format!("sqlite:{}", db.display());
    for (from, to, format) in [
        ("2024-12-01", "2024-12-31", "text"),
        ("2024-06-01", "2024-06-30", "json"),
    ] {
        let a = run(dir.path(), &["--store", &store], from, to, format, "a");
        let b = run(
            dir.path(),
            &["--entries", csv.to_str().unwrap()],
            from,
            to,
            format,
            "b",
        );
        assert_eq!(a, b);
        assert_eq!(a.lines().count(), 21, "a header and 20 accounts");
        let (fa, fb) = (files(&dir.path().join("a")), files(&dir.path().join("b")));
        assert_eq!(fa.len(), 20);
        assert!(fa == fb, "{from}: the statements differ");
        std::fs::remove_dir_all(dir.path().join("a")).unwrap();
        std::fs::remove_dir_all(dir.path().join("b")).unwrap();
    }
    // A store that is not there is not made: exit code 3.
    let status = Command::new(env!("CARGO_BIN_EXE_creditbook"))
        .args([
            "month-end",
            "--from",
            "2024-12-01",
            "--to",
            "2024-12-31",
            "--store",
        ])
        .arg(format!(
            "sqlite:{}",
            dir.path().join("none.sqlite3").display()
        ))
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(3));
    assert!(!dir.path().join("none.sqlite3").exists());
}
