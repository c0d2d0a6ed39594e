//! The streaming month-end run (`creditbook::month_end`) against the Book-based run it replaces:
//! the same lines recorded through `Book::execute` (as `examples/month_end.rs` does) and the
//! Book's statements, rendered in every format, byte for byte; the same refusals at the same
//! lines.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use creditbook::import::parse_entry_line;
use creditbook::month_end::{shard_of, Ids, MonthEnd, Stop};
use creditbook::statement::{html, text};
use creditbook::{
    Actor, Book, Command, CreditLimit, Customer, OpenAccount, Operation, Permission, Statement,
    StatementRequest, StoreSettings,
};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The reference: every line through the Book, in file order, then one statement per account.
/// The first refusal, with its line, stops it.
fn with_book(
    settings: &StoreSettings,
    csv: &str,
    request: &StatementRequest,
) -> Result<BTreeMap<String, Statement>, String> {
    let book = Book::new(settings.clone());
    let importer = Actor::new("month-end")
        .with(Permission::CreditLimit)
        .with(Permission::CreditAccountRefund)
        .with(Permission::AdjustBalance);
    let mut accounts = BTreeMap::new();
    for (n, line) in csv.lines().enumerate().skip(1) {
        let n = n + 1;
        if line.is_empty() {
            continue;
        }
        let row =
            parse_entry_line(line, settings.currency).map_err(|e| format!("line {n}: {e}"))?;
        if !accounts.contains_key(row.account) {
            book.open_account(
                row.account,
                &Operation::new(format!("open-{}", row.account), row.at).by(importer.clone()),
                OpenAccount {
                    customer: Customer::new(row.account, row.account),
                    credit_limit: Some(CreditLimit::Unlimited),
                    terms: None,
                },
            )
            .map_err(|e| format!("line {n}: {e}"))?;
            accounts.insert(row.account.to_string(), ());
        }
        let mut op = Operation::new(row.op_id.clone(), row.at);
        if matches!(
            row.command,
            Command::RefundToCredit { .. } | Command::Adjust { .. }
        ) {
            op = op.by(importer.clone());
        }
        book.execute(row.account, &op, &row.command)
            .map_err(|e| format!("line {n}: {e}"))?;
    }
    accounts
        .into_keys()
        .map(|a| {
            let st = book
                .statement(&a, request)
                .map_err(|e| format!("{a}: {e}"))?;
            Ok((a, st))
        })
        .collect()
}

/// The streaming run, over `shards` runs each taking its accounts.
fn streamed(
    settings: &StoreSettings,
    csv: &str,
    request: &StatementRequest,
    ids: Ids,
    shards: usize,
) -> Result<BTreeMap<String, Statement>, Stop> {
    let mut out = BTreeMap::new();
    for me in 0..shards {
        let mut run = MonthEnd::new(settings.clone(), request.clone(), ids)
            .unwrap()
            .shard(me, shards);
        for (n, line) in csv.lines().enumerate() {
            run.record_line(n as u64 + 1, line)?;
        }
        let mut last = String::new();
        run.finish(|st| {
            assert!(
                st.account_id.as_str() > last.as_str(),
                "statements by account"
            );
            assert_eq!(shard_of(&st.account_id, shards), me);
            last = st.account_id.to_string();
            out.insert(st.account_id.to_string(), st);
            Ok(())
        })?;
    }
    Ok(out)
}

fn renderings(st: &Statement) -> [String; 4] {
    let loc = st.localizer().unwrap();
    [
        text::render(st, &loc, 80).unwrap(),
        html::render(st, &loc),
        st.to_ubl_xml().unwrap(),
        st.to_json(),
    ]
}

/// Both runs give the same statements, rendered the same in every format.
fn same(settings: &StoreSettings, csv: &str, request: &StatementRequest, ids: Ids) -> usize {
    let want = with_book(settings, csv, request).expect("the Book takes the export");
    for shards in [1, 2] {
        let got = streamed(settings, csv, request, ids, shards).expect("the run takes it");
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>()
        );
        for (account, st) in &want {
            let mine = &got[account];
            assert_eq!(mine, st, "{account} {request:?}");
            for (a, b) in renderings(mine).iter().zip(renderings(st).iter()) {
                assert!(a == b, "{account}: renderings differ");
            }
        }
    }
    want.values().map(|s| s.lines.len()).sum()
}

const EXPORT: &str = include_str!("../../tests/month_end/entries-2k.csv");

fn cad() -> StoreSettings {
    StoreSettings::new("creditbook month-end", "CAD", "UTC").unwrap()
}

/// A store whose rules differ from the defaults where the entries touch them: new credit applied
/// to open invoices at once, half the balance due, French statements, a local time zone.
fn other_store() -> StoreSettings {
    let mut s = StoreSettings::new("Quincaillerie du coin", "CAD", "America/Toronto").unwrap();
    s.policies.auto_apply_credit = true;
    s.statements.percent_due = rust_decimal::Decimal::from(50);
    s.statements.language = creditbook::Language::from_tag("fr").unwrap();
    s
}

#[test]
fn the_committed_export_gives_the_books_statements_in_every_period() {
    let mut lines = 0;
    for (from, to, statement_date) in [
        ("2024-12-01", "2024-12-31", None),
        // In the middle of the file: the accounts pass the statement date before the file ends.
        ("2024-06-01", "2024-06-30", None),
        ("2023-01-01", "2023-01-31", None),
        // A statement dated after the period: the entries between are held too.
        ("2024-03-01", "2024-03-31", Some("2024-04-10")),
        // Two years at once, and a month after the file.
        ("2023-01-01", "2024-12-31", None),
        ("2025-01-01", "2025-01-31", None),
    ] {
        let mut request = StatementRequest::new(day(from), day(to));
        request.statement_date = statement_date.map(day);
        lines += same(&cad(), EXPORT, &request, Ids::Increasing);
        lines += same(&other_store(), EXPORT, &request, Ids::Exact);
    }
    assert!(lines > 4000, "the periods have lines ({lines})");
}

/// A tiny deterministic generator (no dependency): an export where ids do not increase, entries
/// repeat (the same line twice: the Book replays it), and accounts start late.
fn shuffled_ids_export() -> String {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let kinds = [
        "charge",
        "charge",
        "payment",
        "deposit",
        "refund_to_credit",
        "adjustment",
    ];
    let mut out = String::from("entry_id,account_id,timestamp,kind,amount,reference\n");
    let mut seconds = 1_700_000_000_i64;
    for i in 0..3000 {
        seconds += (next() % 20_000) as i64;
        let at = chrono::DateTime::from_timestamp(seconds, 0).unwrap();
        let account = format!("K{}", next() % if i < 1500 { 5 } else { 9 });
        let kind = kinds[(next() % kinds.len() as u64) as usize];
        let cents = 1 + next() % 40_000;
        let sign = if kind == "adjustment" && next() % 2 == 0 {
            "-"
        } else {
            ""
        };
        let line = format!(
            "x{:x},{account},{},{kind},{sign}{}.{:02},R{}\n",
            next() % 1_000_000_000,
            at.format("%Y-%m-%dT%H:%M:%SZ"),
            cents / 100,
            cents % 100,
            i
        );
        out.push_str(&line);
        if i % 97 == 0 {
            out.push_str(&line);
        }
    }
    out
}

#[test]
fn ids_that_do_not_increase_are_run_with_every_id_kept() {
    let csv = shuffled_ids_export();
    let request = StatementRequest::new(day("2024-01-01"), day("2024-01-31"));
    let stop = streamed(&cad(), &csv, &request, Ids::Increasing, 1).unwrap_err();
    assert!(matches!(stop, Stop::IdsNotIncreasing { .. }), "{stop}");
    let lines = same(&cad(), &csv, &request, Ids::Exact);
    assert!(lines > 50, "{lines}");
    let request = StatementRequest::new(day("2023-12-01"), day("2023-12-31"));
    same(&other_store(), &csv, &request, Ids::Exact);
}

/// Refusals: the same line and reason as the Book-based run.
#[test]
fn bad_lines_are_refused_at_the_same_line_as_the_book() {
    let request = StatementRequest::new(day("2024-12-01"), day("2024-12-31"));
    let lines: Vec<&str> = EXPORT.lines().collect();
    let with = |n: usize, new: &str| {
        let mut l = lines.clone();
        l[n - 1] = new;
        l.join("\n")
    };
    let repeat_other_content = {
        // Line 40 reuses line 30's id on the same account with another amount.
        let l30: Vec<&str> = lines[29].split(',').collect();
        let l40: Vec<&str> = lines[39].split(',').collect();
        format!(
            "{},{},{},{},{}.01,{}",
            l30[0],
            l30[1],
            l40[2],
            l30[3],
            l30[4].split('.').next().unwrap(),
            l30[5]
        )
    };
    let cases = [
        with(6, "E00000006;C0001;2023-01-03T00:00:00Z;charge;1.00;X"),
        with(6, "E00000006,C0001,2023-01-03T00:00:00Z,gift,1.00,X"),
        with(6, "E00000006,C0001,2023-01-03T00:00:00Z,charge,1.005,X"),
        with(6, "E00000006,,2023-01-03T00:00:00Z,charge,1.00,X"),
        with(6, "E00000006,C0001,2023-01-03T00:00:00Z,charge,-1.00,X"),
        with(40, &repeat_other_content),
        with(1, "id,account,when,kind,amount,reference"),
    ];
    for (i, csv) in cases.iter().enumerate() {
        let want = if csv.starts_with("id,") {
            "line 1: expected the header entry_id,account_id,timestamp,kind,amount,reference"
                .to_string()
        } else {
            with_book(&cad(), csv, &request).expect_err("the Book refuses it")
        };
        for ids in [Ids::Increasing, Ids::Exact] {
            for shards in [1, 2] {
                let got = streamed(&cad(), csv, &request, ids, shards).unwrap_err();
                if i == 5 && ids == Ids::Increasing {
                    // A repeated id does not increase: the host runs again with every id kept.
                    assert_eq!(got, Stop::IdsNotIncreasing { line: 40 });
                } else {
                    assert_eq!(got.to_string(), want, "{ids:?} {shards}");
                }
            }
        }
    }
    // The same line twice (same id, same content) is recorded once, as the Book replays it.
    let mut twice = lines.clone();
    twice.insert(41, lines[40]);
    let twice = twice.join("\n");
    assert_eq!(
        streamed(&cad(), &twice, &request, Ids::Increasing, 1).unwrap_err(),
        Stop::IdsNotIncreasing { line: 42 }
    );
    same(&cad(), &twice, &request, Ids::Exact);
}
