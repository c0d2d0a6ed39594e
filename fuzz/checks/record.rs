//! Persisted record decoding: each line is given to `Entry::from_record`; the entries read are
//! written back (`to_record` reads back the same) and folded with `AccountState::from_entries`.

use creditbook::state::AccountState;
use creditbook::Entry;

use super::typed;

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut entries = Vec::new();
    for line in text.lines() {
        match Entry::from_record(line) {
            Ok(entry) => {
                let again = Entry::from_record(&entry.to_record())
                    .expect("a record written by to_record reads back");
                assert_eq!(again, entry, "record does not round-trip: {line}");
                let _ = entry.effect();
                let _ = entry.allocated();
                let _ = entry.kind.amount();
                let _ = entry.kind.opens_invoice();
                entries.push(entry);
            }
            Err(e) => typed(&e),
        }
    }
    if entries.is_empty() {
        return;
    }
    let n = entries.len();
    match AccountState::from_entries(entries) {
        Ok(state) => {
            assert_eq!(state.entries().len(), n);
            let _ = state.sales();
        }
        Err(e) => typed(&e),
    }
}
