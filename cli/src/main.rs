//! `creditbook`: the back-office command. `creditbook month-end` makes every account's statement
//! for a period from an export of entries (CSV, in time order) with the streaming run of
//! [`creditbook::month_end`]; `creditbook --help` says how (docs/month-end.md says more).

use std::fs::File;
use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use creditbook::i18n::Localizer;
use creditbook::month_end::{self, Ids, MonthEnd, Stop};
use creditbook::statement::{html, text};
use creditbook::{Statement, StatementRequest, StoreSettings};
use rust_decimal::Decimal;

const HELP: &str = "\
creditbook month-end: every customer's statement for a period, from an export of entries.

USAGE
    creditbook month-end --entries FILE.csv --from YYYY-MM-DD --to YYYY-MM-DD [OPTIONS]
    creditbook month-end --store sqlite:FILE --from YYYY-MM-DD --to YYYY-MM-DD [OPTIONS]

WHAT IT DOES
    Reads the export (one line per entry: entry_id,account_id,timestamp,kind,amount,reference,
    oldest first, as the tills write it), checks every entry against the same rules as a till,
    and makes one statement per account for the period (the first and last days are included).
    Nothing is written unless every line is good: a bad line stops the run with its line
    number, and the output folder is left as it was. With --store, each account's entries are
    read from the store, checked to still add up, and its statement made.

OPTIONS
    --entries FILE.csv    the export to read
    --store sqlite:FILE   or: the accounts of a creditbook SQLite store (the file the tills
                          write); one of --entries and --store is required
    --from YYYY-MM-DD     first day of the statement period (required)
    --to YYYY-MM-DD       last day of the statement period (required)
    --format FORMAT       text (80 columns, the default), html, ubl (UBL 2.1 XML), json,
                          or none (no statement files, only the list of balances)
    --out DIR             where to write the statements, one file per account
                          (<account>.txt, .html, .xml or .json); created when missing
    --language CODE       print every statement in en, fr, es, de or nl
                          (default: the store's language, English)
    --threads N           how many processors to use (default: all, at most 8)
    -h, --help            this text

OUTPUT
    On standard output, one line per account, sorted by account, with the balances at the start
    and end of the period and the amount due:
        account_id,opening_owed,opening_credit,closing_owed,closing_credit,amount_due
    On standard error, a summary (accounts, statements, totals, time); while it runs, and only
    when standard error is a terminal, a progress line.

EXIT CODES
    0   every statement made (and written with --out)
    1   the export was refused: a bad line (its number and the reason are printed), or an
        account of the store whose entries do not add up; nothing was written
    2   the command line is wrong (unknown option, missing value, bad date)
    3   a file could not be read or written (the message names it); nothing was left in DIR

EXAMPLE
    creditbook month-end --entries /var/exports/entries.csv --from 2024-12-01 --to 2024-12-31 \\
        --format html --out /srv/statements/2024-12 > balances-2024-12.csv
";

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

/// Why the command failed, and its exit code.
enum Failure {
    /// Exit 2: the command line.
    Usage(String),
    /// Exit 3: a file.
    Io(String),
    /// Exit 1: the export was refused (or, inside `run_workers`, its ids are out of order).
    Stopped(Stop),
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Failure::Stopped(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Io(_) => 3,
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Usage(m) | Failure::Io(m) => m.clone(),
            Failure::Stopped(s) => s.to_string(),
        }
    }
}

/// Where the entries come from.
#[derive(Clone)]
enum Source {
    /// An export, CSV (`--entries`).
    Csv(PathBuf),
    /// The ledgers of a creditbook SQLite store (`--store sqlite:FILE`).
    Sqlite(PathBuf),
}

struct Args {
    source: Source,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
    out: Option<PathBuf>,
    language: Option<String>,
    threads: usize,
}

fn parse_args(args: &[String]) -> Result<Option<Args>, Failure> {
    let usage = Failure::Usage;
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("month-end") => {}
        Some("-h" | "--help") | None => return Ok(None),
        Some(other) => {
            return Err(usage(format!(
                "unknown command {other:?} (creditbook month-end; see creditbook --help)"
            )))
        }
    }
    let (mut source, mut from, mut to) = (None, None, None);
    let (mut format, mut out, mut language) = (Format::Text, None, None);
    let mut threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| usage(format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--entries" => source = Some(Source::Csv(PathBuf::from(value()?))),
            "--store" => {
                let v = value()?;
                let file = v.strip_prefix("sqlite:").ok_or_else(|| {
                    usage(format!("--store {v:?}: only sqlite:FILE is supported"))
                })?;
                source = Some(Source::Sqlite(PathBuf::from(file)));
            }
            "--from" => from = Some(parse_date(&value()?)?),
            "--to" => to = Some(parse_date(&value()?)?),
            "--format" => format = Format::parse(&value()?).map_err(usage)?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--language" => language = Some(value()?),
            "--threads" => {
                let v = value()?;
                threads = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=64).contains(n))
                    .ok_or_else(|| usage(format!("--threads {v:?}: a number from 1 to 64")))?;
            }
            other => return Err(usage(format!("unknown option {other:?} (see --help)"))),
        }
    }
    Ok(Some(Args {
        source: source
            .ok_or_else(|| usage("--entries FILE.csv or --store sqlite:FILE is required".into()))?,
        from: from.ok_or_else(|| usage("--from YYYY-MM-DD is required".into()))?,
        to: to.ok_or_else(|| usage("--to YYYY-MM-DD is required".into()))?,
        format,
        out,
        language,
        threads,
    }))
}

fn parse_date(s: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Failure::Usage(format!("{s:?} is not a date YYYY-MM-DD")))
}

/// What every worker shares.
struct Job<'a> {
    settings: StoreSettings,
    request: StatementRequest,
    format: Format,
    scratch: Option<&'a Path>,
    source: &'a Source,
    /// The size of the export, for the progress line (0: no progress line).
    progress_of: u64,
}

/// What one worker made: its report lines (account, CSV line) and its totals.
#[derive(Default)]
struct Made {
    report: Vec<(String, String)>,
    entries: u64,
    owed: Decimal,
    credit: Decimal,
    due: Decimal,
}

impl Made {
    /// Adds a statement's figures to the totals (checked: an overflow is reported, not wrapped).
    fn add(&mut self, owed: Decimal, credit: Decimal, due: Decimal) -> Result<(), String> {
        let sum = |a: Decimal, b: Decimal| a.checked_add(b).ok_or("the totals overflow");
        self.owed = sum(self.owed, owed)?;
        self.credit = sum(self.credit, credit)?;
        self.due = sum(self.due, due)?;
        Ok(())
    }
}

/// One worker: the statements of its shard of the accounts, made, rendered and written.
fn work(job: &Job<'_>, me: usize, shards: usize, ids: Ids) -> Result<Made, Failure> {
    let mut made = Made::default();
    let mut localizer: Option<Localizer> = None;
    let each = |st: Statement| {
        made.add(st.closing_balance, st.credit_balance, st.amount_due)?;
        made.report.push((
            st.account_id.to_string(),
            format!(
                "{},{},{},{},{},{}",
                st.account_id,
                st.opening_balance,
                st.opening_credit_balance,
                st.closing_balance,
                st.credit_balance,
                st.amount_due
            ),
        ));
        write_statement(job, &st, &mut localizer)
    };
    let stopped = |s: Stop| match s {
        Stop::Output(e) => Failure::Io(e),
        other => Failure::Stopped(other),
    };
    let entries = match job.source {
        Source::Csv(path) => {
            let run = read_export(job, path, me, shards, ids)?;
            let entries = run.entries();
            run.finish(each).map_err(stopped)?;
            entries
        }
        Source::Sqlite(path) => {
            let store = creditbook_sqlite::SqliteStore::open(path)
                .map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
            month_end::from_store(&store, &job.settings, &job.request, (me, shards), each)
                .map_err(stopped)?;
            0
        }
    };
    made.entries = entries;
    Ok(made)
}

/// Reads the whole export, recording the lines of the shard's accounts.
fn read_export(
    job: &Job<'_>,
    path: &Path,
    me: usize,
    shards: usize,
    ids: Ids,
) -> Result<MonthEnd, Failure> {
    let mut run = MonthEnd::new(job.settings.clone(), job.request.clone(), ids)
        .map_err(|e| Failure::Usage(e.to_string()))?
        .shard(me, shards);
    let stop = Failure::Stopped;
    let mut file = File::open(path).map_err(|e| io(path, e))?;
    // The export is read in blocks; a line cut by a block's end is completed by the next.
    const BLOCK: usize = 1 << 20;
    let mut buf = vec![0u8; BLOCK];
    let (mut have, mut line, mut read_total) = (0usize, 0u64, 0u64);
    let mut last_shown = 0u64;
    loop {
        if have == buf.len() {
            // One line longer than the block: give it room.
            buf.resize(buf.len() * 2, 0);
        }
        let n = file.read(&mut buf[have..]).map_err(|e| io(path, e))?;
        read_total += n as u64;
        let end_of_file = n == 0;
        have += n;
        let mut start = 0;
        while let Some(len) = buf[start..have].iter().position(|&b| b == b'\n') {
            line += 1;
            record(&mut run, line, &buf[start..start + len]).map_err(stop)?;
            start += len + 1;
        }
        if end_of_file {
            if start < have {
                line += 1;
                record(&mut run, line, &buf[start..have]).map_err(stop)?;
            }
            break;
        }
        buf.copy_within(start..have, 0);
        have -= start;
        if job.progress_of > 0 && me == 0 && read_total - last_shown >= 16 * BLOCK as u64 {
            last_shown = read_total;
            eprint!(
                "\rcreditbook month-end: read {:>3}% of the export",
                read_total * 100 / job.progress_of
            );
        }
    }
    Ok(run)
}

fn record(run: &mut MonthEnd, line: u64, bytes: &[u8]) -> Result<(), Stop> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| Stop::Line {
        line,
        reason: "not UTF-8 text".into(),
    })?;
    run.record_line(line, text)
}

fn io(path: &Path, e: std::io::Error) -> Failure {
    Failure::Io(format!("{}: {e}", path.display()))
}

/// Renders one statement and writes it to the scratch folder.
fn write_statement(
    job: &Job<'_>,
    st: &Statement,
    localizer: &mut Option<Localizer>,
) -> Result<(), String> {
    let Some(dir) = job.scratch else {
        return Ok(());
    };
    if localizer
        .as_ref()
        .is_none_or(|l| l.language() != st.language)
    {
        *localizer = Some(st.localizer().map_err(|e| e.to_string())?);
    }
    let loc = localizer.as_ref().expect("made above");
    let account = &st.account_id;
    let body = match job.format {
        Format::Text => text::render(st, loc, 80),
        Format::Html => Ok(html::render(st, loc)),
        Format::Ubl => st.to_ubl_xml(),
        Format::Json => Ok(st.to_json()),
        Format::None => return Ok(()),
    }
    .map_err(|e| format!("{account}: {e}"))?;
    let path = dir.join(format!("{account}.{}", job.format.extension()));
    std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs the workers, each on its shard of the accounts. `Ok(None)`: the entry ids do not
/// increase, run again keeping every id.
fn run_workers(job: &Job<'_>, threads: usize, ids: Ids) -> Result<Option<Made>, Failure> {
    let results: Vec<Result<Made, Failure>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|me| s.spawn(move || work(job, me, threads, ids)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Failure::Io("a worker panicked".into())))
            })
            .collect()
    });
    let mut made = Made::default();
    // The earliest refused line of the file wins (each worker stops at its first).
    let mut refused: Option<(u64, Failure)> = None;
    let mut ids_stop: Option<u64> = None;
    for r in results {
        match r {
            Ok(m) => {
                made.add(m.owed, m.credit, m.due).map_err(Failure::Io)?;
                made.report.extend(m.report);
                made.entries += m.entries;
            }
            Err(Failure::Stopped(Stop::IdsNotIncreasing { line })) => {
                ids_stop = Some(ids_stop.map_or(line, |l| l.min(line)));
            }
            Err(Failure::Stopped(Stop::Line { line, reason })) => {
                if refused.as_ref().is_none_or(|(l, _)| line < *l) {
                    refused = Some((line, Failure::Stopped(Stop::Line { line, reason })));
                }
            }
            Err(other) => return Err(other),
        }
    }
    match (refused, ids_stop) {
        (Some((line, _)), Some(ids)) if ids < line => Ok(None),
        (Some((_, f)), _) => Err(f),
        (None, Some(_)) => Ok(None),
        (None, None) => {
            made.report.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            Ok(Some(made))
        }
    }
}

fn month_end(args: Args) -> Result<(), Failure> {
    let started = Instant::now();
    let mut settings = StoreSettings::new("creditbook month-end", "CAD", "UTC")
        .map_err(|e| Failure::Usage(e.to_string()))?;
    if let Some(lang) = &args.language {
        settings.statements.language = creditbook::Language::from_tag(lang).ok_or_else(|| {
            Failure::Usage(format!("unknown language {lang:?} (en, fr, es, de, nl)"))
        })?;
    }
    let mut request = StatementRequest::new(args.from, args.to);
    request.language = args.language.clone();
    let (Source::Csv(input) | Source::Sqlite(input)) = &args.source;
    // A store file that is not there is an error, not a new empty store.
    let size = std::fs::metadata(input).map_err(|e| io(input, e))?.len();
    let scratch = match (&args.out, args.format) {
        (Some(out), f) if f != Format::None => {
            std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
            let dir = out.join(format!(".month_end-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
            Some(dir)
        }
        _ => None,
    };
    let terminal = std::io::stderr().is_terminal();
    let job = Job {
        settings,
        request,
        format: args.format,
        scratch: scratch.as_deref(),
        source: &args.source,
        progress_of: if terminal && matches!(args.source, Source::Csv(_)) {
            size.max(1)
        } else {
            0
        },
    };
    let mut result = run_workers(&job, args.threads, Ids::Increasing);
    if matches!(result, Ok(None)) {
        if let Some(dir) = &scratch {
            clear(dir).map_err(|e| io(dir, e))?;
        }
        result = run_workers(&job, args.threads, Ids::Exact);
    }
    if terminal {
        eprint!("\r\x1b[K");
    }
    let made = match result {
        Ok(Some(made)) => made,
        Ok(None) => unreachable!("a run keeping every id does not stop for their order"),
        Err(e) => {
            if let Some(dir) = &scratch {
                let _ = std::fs::remove_dir_all(dir);
            }
            return Err(e);
        }
    };
    if let (Some(dir), Some(out)) = (&scratch, &args.out) {
        for (account, _) in &made.report {
            let name = format!("{account}.{}", args.format.extension());
            std::fs::rename(dir.join(&name), out.join(&name))
                .map_err(|e| io(&out.join(&name), e))?;
        }
        let _ = std::fs::remove_dir(dir);
    }
    let mut out = String::with_capacity(made.report.len() * 64 + 80);
    out.push_str("account_id,opening_owed,opening_credit,closing_owed,closing_credit,amount_due\n");
    for (_, line) in &made.report {
        out.push_str(line);
        out.push('\n');
    }
    std::io::stdout()
        .write_all(out.as_bytes())
        .and_then(|()| std::io::stdout().flush())
        .map_err(|e| Failure::Io(format!("standard output: {e}")))?;
    let written = match (&args.out, args.format) {
        (Some(dir), f) if f != Format::None => format!("written to {}", dir.display()),
        _ => "not written (no --out, or --format none)".into(),
    };
    let n = made.report.len();
    let read = match &args.source {
        Source::Csv(_) => format!("{} entries", made.entries),
        Source::Sqlite(path) => format!("the store {}", path.display()),
    };
    eprintln!(
        "creditbook month-end: {read}, {n} accounts, {n} statements {written}; \
         closing balances owed {} CAD, store credit {} CAD, amount due {} CAD; {:.2} s",
        made.owed,
        made.credit,
        made.due,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Empties the scratch folder before a second pass.
fn clear(dir: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        std::fs::remove_file(e?.path())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = parse_args(&args).and_then(|a| match a {
        None => {
            print!("{HELP}");
            Ok(())
        }
        Some(a) => month_end(a),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("creditbook: {}", e.message());
            ExitCode::from(e.code())
        }
    }
}
