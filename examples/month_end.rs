//! The month-end statement run: the batch job a chain runs on the first of the month.
//!
//! It reads a day-by-day export of entries (CSV: `entry_id,account_id,timestamp,kind,amount,
//! reference`, as written by `shared/bench/gen.py`), opens each account it meets (unlimited limit,
//! store in UTC, CAD), records every entry through the Book's normal operations, then makes one
//! statement per account for the period:
//!
//! ```text
//! cargo run --release --example month_end -- --entries FILE.csv --from 2024-12-01 --to 2024-12-31 \
//!     [--format text|html|ubl|json|none] [--out DIR] [--language en|fr|es|de|nl]
//! ```
//!
//! It renders each statement in the format asked (text: 80 columns), writes one file per account
//! to DIR when `--out` is given (`<account_id>.txt|.html|.xml|.json`), and prints a CSV
//! line per account: `account_id,opening_owed,opening_credit,closing_owed,closing_credit,amount_due`.
//! Bad input (a malformed line, an unknown kind, an amount with too many decimals) stops the run
//! with the line number and the reason, before any file is written; files are written into a
//! scratch folder and moved into DIR only when every statement is made, so DIR never holds half
//! a run.
//!
//! The lines are read by [`creditbook::import`] (its page lists the kinds). Two threads parse and record the file, each
//! the accounts it owns (an account's entries stay in file order on one thread), into one Book.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use creditbook::i18n::Localizer;
use creditbook::import::{parse_entry_line, EntryLine};
use creditbook::statement::{html, text};
use creditbook::{
    Actor, Book, Command, CreditLimit, Currency, Customer, OpenAccount, Operation, Permission,
    Statement, StatementRequest, StoreSettings,
};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;

/// What to write for each statement.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Html,
    Ubl,
    Json,
    None,
}

impl Format {
    fn parse(s: &str) -> Result<Format, String> {
        Ok(match s {
            "text" => Format::Text,
            "html" => Format::Html,
            "ubl" => Format::Ubl,
            "json" => Format::Json,
            "none" => Format::None,
            other => {
                return Err(format!(
                    "unknown format {other:?} (text, html, ubl, json, none)"
                ))
            }
        })
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Html => "html",
            Format::Ubl => "xml",
            Format::Json => "json",
            Format::None => "",
        }
    }
}

struct Args {
    entries: PathBuf,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
    out: Option<PathBuf>,
    language: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut entries, mut from, mut to) = (None, None, None);
    let (mut format, mut out, mut language) = (Format::Text, None, None);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--entries" => entries = Some(PathBuf::from(value()?)),
            "--from" => from = Some(parse_date(&value()?)?),
            "--to" => to = Some(parse_date(&value()?)?),
            "--format" => format = Format::parse(&value()?)?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--language" => language = Some(value()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args {
        entries: entries.ok_or("--entries FILE.csv is required")?,
        from: from.ok_or("--from YYYY-MM-DD is required")?,
        to: to.ok_or("--to YYYY-MM-DD is required")?,
        format,
        out,
        language,
    })
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date YYYY-MM-DD"))
}

/// The thread (of `threads`) that records an account: every entry of an account stays on one
/// thread, in file order.
fn owner(account: &str, threads: usize) -> usize {
    let h = account.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (h % threads as u64) as usize
}

/// The lines of a file with their numbers (from 1), without line ends.
fn numbered_lines(data: &str) -> impl Iterator<Item = (u32, &str)> {
    data.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .zip(1u32..)
        .map(|(l, n)| (n, l))
}

/// The second comma-separated field of a line, found with one scan of its bytes.
fn second_field(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let first = b.iter().position(|&c| c == b',')?;
    let len = b[first + 1..].iter().position(|&c| c == b',')?;
    line.get(first + 1..first + 1 + len)
}

/// What every worker shares.
struct Job<'a> {
    book: Book,
    cad: Currency,
    importer: Actor,
    request: StatementRequest,
    format: Format,
    scratch: Option<&'a Path>,
}

/// A line number and what went wrong there.
type LineError = (usize, String);

/// One worker: takes the accounts it owns, and for each (in order of first appearance) records its
/// lines in file order, then makes, renders and writes its statement while the account is still in
/// the processor's cache. An account stops at its first bad line; the worker returns its report
/// lines (account, CSV line), or its earliest bad line, which is the earliest bad line of the file
/// among its accounts.
fn work(
    job: &Job<'_>,
    data: &str,
    me: usize,
    threads: usize,
) -> Result<Vec<(SmolStr, String)>, LineError> {
    let mut accounts: Vec<Vec<(u32, &str)>> = Vec::new();
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    for (line, text) in numbered_lines(data).skip(1) {
        // A line whose account cannot be read is worker 0's to report.
        let account = second_field(text).unwrap_or("");
        if text.is_empty() || owner(account, threads) != me {
            continue;
        }
        let slot = *index.entry(account).or_insert_with(|| {
            accounts.push(Vec::new());
            accounts.len() - 1
        });
        accounts[slot].push((line, text));
    }
    let mut report = Vec::with_capacity(accounts.len());
    let mut localizer: Option<Localizer> = None;
    let mut first_error: Option<LineError> = None;
    for lines in &accounts {
        let done = record_account(job, lines).and_then(|(account, last_line)| {
            statement(job, &account, &mut localizer)
                .map(|csv| report.push((account, csv)))
                .map_err(|e| (last_line, e))
        });
        if let Err(e) = done {
            if first_error.as_ref().is_none_or(|f| e.0 < f.0) {
                first_error = Some(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// Opens one account and records its lines in order; the first bad line stops it. Returns the
/// account and its last line number.
fn record_account(job: &Job<'_>, lines: &[(u32, &str)]) -> Result<(SmolStr, usize), LineError> {
    let mut account = SmolStr::default();
    let mut last = 0;
    for &(line, text) in lines {
        last = line as usize;
        let row = parse_entry_line(text, job.cad).map_err(|e| (last, e.to_string()))?;
        if account.is_empty() {
            open_account(job, &row).map_err(|e| (last, e.to_string()))?;
            account = SmolStr::new(row.account);
        }
        let mut op = Operation::new(row.op_id.clone(), row.at);
        if matches!(
            row.command,
            Command::RefundToCredit { .. } | Command::Adjust { .. }
        ) {
            op = op.by(job.importer.clone());
        }
        job.book
            .execute(row.account, &op, &row.command)
            .map_err(|e| (last, e.to_string()))?;
    }
    Ok((account, last))
}

fn open_account(
    job: &Job<'_>,
    row: &EntryLine<'_>,
) -> Result<creditbook::Outcome, creditbook::Error> {
    job.book.open_account(
        row.account,
        &Operation::new(format!("open-{}", row.account), row.at).by(job.importer.clone()),
        OpenAccount {
            customer: Customer::new(row.account, row.account),
            credit_limit: Some(CreditLimit::Unlimited),
            terms: None,
        },
    )
}

/// Makes one account's statement, renders it and writes it to the scratch folder; returns its
/// CSV line.
fn statement(
    job: &Job<'_>,
    account: &str,
    localizer: &mut Option<Localizer>,
) -> Result<String, String> {
    let st = job
        .book
        .statement(account, &job.request)
        .map_err(|e| format!("{account}: {e}"))?;
    let csv = format!(
        "{},{},{},{},{},{}",
        account,
        st.opening_balance,
        st.opening_credit_balance,
        st.closing_balance,
        st.credit_balance,
        st.amount_due
    );
    if job.format == Format::None {
        return Ok(csv);
    }
    if localizer
        .as_ref()
        .is_none_or(|l| l.language() != st.language)
    {
        *localizer = Some(st.localizer().map_err(|e| e.to_string())?);
    }
    let loc = localizer.as_ref().expect("made above");
    let body = render(&st, loc, job.format).map_err(|e| format!("{account}: {e}"))?;
    if let Some(dir) = job.scratch {
        let path = dir.join(format!("{account}.{}", job.format.extension()));
        std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(csv)
}

fn render(st: &Statement, loc: &Localizer, format: Format) -> Result<String, creditbook::Error> {
    Ok(match format {
        Format::Text => text::render(st, loc, 80)?,
        Format::Html => html::render(st, loc),
        Format::Ubl => st.to_ubl_xml()?,
        Format::Json => st.to_json(),
        Format::None => String::new(),
    })
}

/// Runs every worker; returns the report lines sorted by account, or the earliest bad line.
fn run_workers(job: &Job<'_>, data: &str) -> Result<Vec<(SmolStr, String)>, String> {
    const HEADER: &str = "entry_id,account_id,timestamp,kind,amount,reference";
    if data.lines().next() != Some(HEADER) {
        return Err(format!("line 1: expected the header {HEADER}"));
    }
    const THREADS: usize = 2;
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|me| s.spawn(move || work(job, data, me, THREADS)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err((0, "a worker panicked".into())))
            })
            .collect()
    });
    let mut report = Vec::new();
    let mut first_error: Option<LineError> = None;
    for r in results {
        match r {
            Ok(lines) => report.extend(lines),
            Err(e) if first_error.as_ref().is_none_or(|f| e.0 < f.0) => first_error = Some(e),
            Err(_) => {}
        }
    }
    if let Some((line, reason)) = first_error {
        return Err(format!("line {line}: {reason}"));
    }
    report.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(report)
}

fn run(args: Args) -> Result<(), String> {
    let mut settings =
        StoreSettings::new("creditbook month-end", "CAD", "UTC").map_err(|e| e.to_string())?;
    if let Some(lang) = &args.language {
        settings.statements.language = creditbook::Language::from_tag(lang)
            .ok_or_else(|| format!("unknown language {lang:?} (en, fr, es, de, nl)"))?;
    }
    let data = std::fs::read_to_string(&args.entries)
        .map_err(|e| format!("{}: {e}", args.entries.display()))?;
    let scratch = match (&args.out, args.format) {
        (Some(out), f) if f != Format::None => {
            std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
            let dir = out.join(format!(".month_end-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            Some(dir)
        }
        _ => None,
    };
    let mut request = StatementRequest::new(args.from, args.to);
    request.language = args.language.clone();
    let job = Job {
        cad: settings.currency,
        book: Book::new(settings),
        // The run replays history the tills decided: it opens the accounts it meets (granting
        // credit) and records refunds and corrections.
        importer: Actor::new("month-end")
            .with(Permission::CreditLimit)
            .with(Permission::CreditAccountRefund)
            .with(Permission::AdjustBalance),
        request,
        format: args.format,
        scratch: scratch.as_deref(),
    };
    let started = std::time::Instant::now();
    let result = run_workers(&job, &data);
    if std::env::var_os("MONTH_END_TIMINGS").is_some() {
        eprintln!("recorded and made statements in {:?}", started.elapsed());
    }
    // The process ends here: let the OS take the memory back instead of freeing a million
    // entries one by one.
    std::mem::forget(job);
    std::mem::forget(data);
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            if let Some(dir) = &scratch {
                let _ = std::fs::remove_dir_all(dir);
            }
            return Err(e);
        }
    };
    if let (Some(dir), Some(out)) = (&scratch, &args.out) {
        for (account, _) in &report {
            let name = format!("{account}.{}", args.format.extension());
            std::fs::rename(dir.join(&name), out.join(&name))
                .map_err(|e| format!("{name}: {e}"))?;
        }
        let _ = std::fs::remove_dir(dir);
    }
    let mut out = String::with_capacity(report.len() * 64 + 80);
    out.push_str("account_id,opening_owed,opening_credit,closing_owed,closing_credit,amount_due\n");
    for (_, line) in &report {
        out.push_str(line);
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}

fn main() -> ExitCode {
    let result = parse_args().and_then(run);
    let _ = std::io::stdout().flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("month_end: {e}");
            ExitCode::FAILURE
        }
    }
}
