//! The month-end statement run, streaming: one statement per account for a period, from an export
//! of entries in time order ([`crate::import`]'s lines), in memory bounded by the accounts'
//! open figures and the period's entries, not by the file.
//!
//! A [`MonthEnd`] takes the lines one at a time in file order. Each account it meets is opened
//! (unlimited credit, the store's currency) and every entry is decided by the same
//! [`rules::decide`] as a till's, so an impossible ledger is refused with its line as the
//! [`Book`](crate::Book) would refuse it. What it does not pay is the live till's machinery: no
//! store, no copy of each entry into one, no lock, no index of every operation id. It keeps
//! per account only:
//!
//! - the folded figures, with the invoices paid in full forgotten as it goes (a statement at the
//!   period's end only shows the open ones);
//! - the entries dated from the period's first day, until the statement is made;
//! - the greatest entry id so far (see [`Ids`]).
//!
//! An account's statement is made as soon as an entry dated after the statement date arrives (the
//! entries held are then dropped), else at [`MonthEnd::finish`]. Every statement is the one
//! [`Book::statement`](crate::Book::statement) gives after recording the same lines in a Book,
//! field for field: `core/tests/month_end.rs` renders both in every format and compares the bytes.
//!
//! ```
//! use chrono::NaiveDate;
//! use creditbook::month_end::{Ids, MonthEnd};
//! use creditbook::{StatementRequest, StoreSettings};
//!
//! let settings = StoreSettings::new("Corner Hardware", "CAD", "UTC")?;
//! let june = StatementRequest::new(
//!     NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
//!     NaiveDate::from_ymd_opt(2024, 6, 30).unwrap(),
//! );
//! let mut run = MonthEnd::new(settings, june, Ids::Increasing)?;
//! let export = "entry_id,account_id,timestamp,kind,amount,reference
//! e-1,A-17,2024-05-20T10:00:00Z,charge,40.00,S-1
//! e-2,A-17,2024-06-03T10:00:00Z,payment,15.00,
//! e-3,B-2,2024-06-04T11:00:00Z,deposit,20.00,";
//! for (n, line) in export.lines().enumerate() {
//!     run.record_line(n as u64 + 1, line)?;
//! }
//! let mut owed = Vec::new();
//! run.finish(|st| {
//!     owed.push((st.account_id.to_string(), st.closing_balance.to_string()));
//!     Ok(())
//! })?;
//! assert_eq!(owed, [("A-17".into(), "25.00".into()), ("B-2".into(), "0.00".into())]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Sharding: a run can take only the accounts of one shard of several
//! ([`MonthEnd::shard`], [`shard_of`]), so a host runs one per processor over the same lines and
//! merges the statements (each account's entries stay on one shard, in file order).

use std::fmt;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use smol_str::SmolStr;

use crate::account::{CreditLimit, Customer};
use crate::command::{Command, OpenAccount, Operation};
use crate::error::{Error, Result};
use crate::import::{parse_entry_line, EntryLine, HEADER};
use crate::money::Currency;
use crate::permission::{Actor, Permission};
use crate::rules;
use crate::settings::StoreSettings;
use crate::state::AccountState;
use crate::statement::{self, Statement, StatementRequest};
use crate::store::Store;

/// How the run checks that no entry id is used twice in an account (a till's idempotency: the
/// [`Book`](crate::Book) replays a repeated operation id with the same content, recording nothing,
/// and refuses one with other content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// Entry ids increase within each account, shorter ids first then byte by byte (`E9` before
    /// `E10`, as exports number their lines): then a new id can be no earlier one, and the run
    /// keeps only the greatest. An id that does not increase stops the run with
    /// [`Stop::IdsNotIncreasing`]; run again with [`Ids::Exact`].
    Increasing,
    /// Every account keeps every id it has seen (memory grows with the file).
    Exact,
}

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// A line is unreadable, or its entry refused: the line number and the reason (what the
    /// [`Book`](crate::Book) would answer).
    Line {
        /// The line number (from 1).
        line: u64,
        /// Why.
        reason: String,
    },
    /// An entry id is not greater than an earlier one of its account, under [`Ids::Increasing`].
    IdsNotIncreasing {
        /// The line of that id.
        line: u64,
    },
    /// The host's `each` of [`MonthEnd::finish`] or [`from_store`] failed (writing a
    /// statement): its message.
    Output(String),
    /// An account of a store could not be read, or its entries do not fold ([`from_store`]).
    Account {
        /// The account.
        account: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line { line, reason } => write!(f, "line {line}: {reason}"),
            Self::IdsNotIncreasing { line } => write!(
                f,
                "line {line}: the entry ids of an account do not increase (run with every id kept)"
            ),
            Self::Output(e) => f.write_str(e),
            Self::Account { account, reason } => write!(f, "account {account}: {reason}"),
        }
    }
}

impl std::error::Error for Stop {}

/// The shard (of `shards`) an account belongs to: a fixed hash of its id (FNV-1a), the same on
/// every platform, so every run sharded the same way splits the accounts the same way.
pub fn shard_of(account: &str, shards: usize) -> usize {
    let h = account.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (h % shards.max(1) as u64) as usize
}

/// One account on its way to its statement.
struct Run {
    state: AccountState,
    /// The greatest entry id so far ([`Ids::Increasing`]).
    last_id: SmolStr,
    /// Every operation id and its content's digest ([`Ids::Exact`]).
    seen: FxHashMap<SmolStr, u64>,
    /// The digest of the operation that opened the account (its id is `open-<account>`).
    open_digest: u64,
    /// The last line of the account so far.
    last_line: u64,
    /// Made once an entry dated after the statement date arrived (boxed: most accounts have
    /// none until the end, and a statement is large).
    statement: Option<Box<Statement>>,
}

/// The streaming month-end run (see the [module](self)).
pub struct MonthEnd {
    settings: StoreSettings,
    request: StatementRequest,
    currency: Currency,
    from: NaiveDate,
    to: NaiveDate,
    statement_date: NaiveDate,
    ids: Ids,
    shard: (usize, usize),
    /// A refund or correction is recorded by the run itself: the importer may.
    by_importer: Operation,
    /// Boxed: the map's spare slots then cost a pointer, not a whole account.
    accounts: FxHashMap<SmolStr, Box<Run>>,
    entries: u64,
}

impl fmt::Debug for MonthEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MonthEnd")
            .field("store", &self.settings.name)
            .field("accounts", &self.accounts.len())
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

impl MonthEnd {
    /// A run of the statements of `request` for a store. Settings that do not validate, and a
    /// period that is not one (end before start, statement date before its end), are refused
    /// here.
    pub fn new(settings: StoreSettings, request: StatementRequest, ids: Ids) -> Result<MonthEnd> {
        settings.validate()?;
        let from = crate::validate::date("period start", request.from)?;
        let to = crate::validate::date("period end", request.to)?;
        if from > to {
            return Err(Error::InvalidDateRange { from, to });
        }
        let statement_date =
            crate::validate::date("statement date", request.statement_date.unwrap_or(to))?;
        // The run replays history the tills decided: it opens the accounts it meets (granting
        // credit) and records refunds and corrections.
        let importer = Actor::new("month-end")
            .with(Permission::CreditLimit)
            .with(Permission::CreditAccountRefund)
            .with(Permission::AdjustBalance);
        Ok(MonthEnd {
            currency: settings.currency,
            settings,
            request,
            from,
            to,
            statement_date,
            ids,
            shard: (0, 1),
            by_importer: Operation::new("", chrono::DateTime::UNIX_EPOCH).by(importer),
            accounts: FxHashMap::default(),
            entries: 0,
        })
    }

    /// Takes only the accounts of shard `me` of `of` ([`shard_of`]); the lines of other accounts
    /// are skipped (a line whose account cannot be read is shard 0's).
    pub fn shard(mut self, me: usize, of: usize) -> MonthEnd {
        self.shard = (me, of.max(1));
        self
    }

    /// The accounts met so far.
    pub fn accounts(&self) -> usize {
        self.accounts.len()
    }

    /// The entry lines recorded so far.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Takes line `line` (numbered from 1, without its line end) of a CSV export: line 1 must be
    /// the header [`HEADER`], empty lines are skipped, every other line is read by
    /// [`parse_entry_line`] and recorded ([`MonthEnd::record`]) when its account is this run's.
    pub fn record_line(&mut self, line: u64, text: &str) -> std::result::Result<(), Stop> {
        if line == 1 {
            if text != HEADER {
                return Err(Stop::Line {
                    line,
                    reason: format!("expected the header {HEADER}"),
                });
            }
            return Ok(());
        }
        if text.is_empty() {
            return Ok(());
        }
        if self.shard.1 > 1 {
            // A line whose account cannot be read is shard 0's to report.
            let account = second_field(text).unwrap_or("");
            if shard_of(account, self.shard.1) != self.shard.0 {
                return Ok(());
            }
        }
        let row = parse_entry_line(text, self.currency).map_err(|e| Stop::Line {
            line,
            reason: e.to_string(),
        })?;
        self.record(line, &row)
    }

    /// Records one entry (`line`: where it came from, for errors), after every earlier entry of
    /// its account. Its account is opened on its first entry.
    pub fn record(&mut self, line: u64, row: &EntryLine<'_>) -> std::result::Result<(), Stop> {
        let refused = |e: Error| Stop::Line {
            line,
            reason: e.to_string(),
        };
        let run = match self.accounts.entry(SmolStr::new(row.account)) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert(Box::new(
                open(
                    &self.settings,
                    &self.by_importer,
                    (self.from, self.statement_date),
                    row,
                )
                .map_err(refused)?,
            )),
        };
        run.last_line = line;
        // The Book's idempotency: a repeated id with the same content records nothing, with other
        // content is refused.
        let repeated = if row.op_id.strip_prefix("open-") == Some(row.account) {
            Some(run.open_digest)
        } else {
            match self.ids {
                Ids::Increasing => {
                    if !increases(&run.last_id, &row.op_id) {
                        return Err(Stop::IdsNotIncreasing { line });
                    }
                    run.last_id = row.op_id.clone();
                    None
                }
                Ids::Exact => run.seen.get(&row.op_id).copied(),
            }
        };
        if let Some(digest) = repeated {
            if digest == row.command.digest() {
                return Ok(());
            }
            return Err(refused(Error::OperationIdConflict {
                op_id: row.op_id.to_string(),
            }));
        }
        let entries = {
            let op = if matches!(
                row.command,
                Command::RefundToCredit { .. } | Command::Adjust { .. }
            ) {
                self.by_importer.op_id = row.op_id.clone();
                self.by_importer.at = row.at;
                &self.by_importer
            } else {
                &Operation::new(row.op_id.clone(), row.at)
            };
            rules::decide(&run.state, &self.settings, row.account, op, &row.command)
                .map_err(refused)?
        };
        if let (Ids::Exact, Some(first)) = (self.ids, entries.first()) {
            run.seen.insert(row.op_id.clone(), first.op_digest);
        }
        if run.statement.is_none()
            && entries
                .first()
                .is_some_and(|e| e.date > self.statement_date)
        {
            // The account has passed the statement date: its statement is what it holds now.
            let st = statement::build(
                &row.account.into(),
                &run.state,
                &self.settings,
                &self.request,
            )
            .map_err(|e| Stop::Line {
                line,
                reason: format!("{}: {e}", row.account),
            })?;
            run.statement = Some(Box::new(st));
            run.state.release();
        }
        let holding = run.statement.is_none();
        for e in entries {
            let hold = holding && e.date >= self.from;
            // An entry after the period, before the statement date, may pay an invoice the
            // statement shows open at the period's end: keep the paid ones until it is made.
            let forget = !(holding && e.date > self.to);
            run.state.fold_window(e, hold, forget).map_err(refused)?;
        }
        self.entries += 1;
        Ok(())
    }
}

/// Opens the account of `row` as the Book-based run does: its id as the customer's id and name,
/// unlimited credit, the store's terms, on the instant of its first entry; its first entry is
/// held when in `(first day, statement date)`.
fn open(
    settings: &StoreSettings,
    by_importer: &Operation,
    (from, statement_date): (NaiveDate, NaiveDate),
    row: &EntryLine<'_>,
) -> Result<Run> {
    let account = crate::validate::account_id(row.account)?;
    let mut op = by_importer.clone();
    op.op_id = SmolStr::new(format!("open-{account}"));
    op.at = row.at;
    let command = Command::OpenAccount(OpenAccount {
        customer: Customer::new(account.clone(), account.as_str()),
        credit_limit: Some(CreditLimit::Unlimited),
        terms: None,
    });
    let mut state = AccountState::default();
    let entries = rules::decide(&state, settings, &account, &op, &command)?;
    let open_digest = command.digest();
    for e in entries {
        let hold = e.date >= from && e.date <= statement_date;
        state.fold_window(e, hold, false)?;
    }
    Ok(Run {
        state,
        last_id: SmolStr::default(),
        seen: FxHashMap::default(),
        open_digest,
        last_line: 0,
        statement: None,
    })
}

impl MonthEnd {
    /// Ends the run: makes the statements not made yet and hands every statement to `each`, by
    /// account id, dropping each account once handed. The first error of `each` stops it
    /// ([`Stop::Output`]).
    pub fn finish(
        self,
        mut each: impl FnMut(Statement) -> std::result::Result<(), String>,
    ) -> std::result::Result<(), Stop> {
        let mut accounts: Vec<(SmolStr, Box<Run>)> = self.accounts.into_iter().collect();
        accounts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (id, run) in accounts {
            let st = match run.statement {
                Some(st) => *st,
                None => statement::build(&id, &run.state, &self.settings, &self.request).map_err(
                    |e| Stop::Line {
                        line: run.last_line,
                        reason: format!("{id}: {e}"),
                    },
                )?,
            };
            drop(run.state);
            each(st).map_err(Stop::Output)?;
        }
        Ok(())
    }
}

/// The same job from a store's ledgers: every account of `store` (of shard `me` of `shards`, see
/// [`shard_of`]), by account id, loaded, folded and its statement made and handed to `each`, one
/// account at a time (memory: the largest account). The entries were decided when they were
/// recorded; folding them checks that they still make a ledger (numbered in order, every
/// allocation to an open invoice, no balance below zero) and a store whose entries do not is
/// refused ([`Stop::Account`]).
pub fn from_store<S: Store + ?Sized>(
    store: &S,
    settings: &StoreSettings,
    request: &StatementRequest,
    (me, shards): (usize, usize),
    mut each: impl FnMut(Statement) -> std::result::Result<(), String>,
) -> std::result::Result<(), Stop> {
    let failed = |account: &str, reason: String| Stop::Account {
        account: account.to_string(),
        reason,
    };
    settings
        .validate()
        .map_err(|e| failed("(settings)", e.to_string()))?;
    let mut ids = store
        .account_ids()
        .map_err(|e| failed("(list)", Error::from(e).to_string()))?;
    ids.retain(|id| id != crate::store::BOOK_LEDGER && shard_of(id, shards) == me);
    ids.sort_unstable();
    for id in ids {
        let entries = store
            .load(&id, 0)
            .map_err(|e| failed(&id, Error::from(e).to_string()))?;
        let state = AccountState::from_entries(entries).map_err(|e| failed(&id, e.to_string()))?;
        let st = statement::build(&id, &state, settings, request)
            .map_err(|e| failed(&id, e.to_string()))?;
        drop(state);
        each(st).map_err(Stop::Output)?;
    }
    Ok(())
}

/// True when `next` comes after `last` in the order of [`Ids::Increasing`] (an empty `last`:
/// none yet).
fn increases(last: &str, next: &str) -> bool {
    last.is_empty() || (last.len(), last.as_bytes()) < (next.len(), next.as_bytes())
}

/// The second comma-separated field of a line, found with one scan of its bytes.
fn second_field(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let first = b.iter().position(|&c| c == b',')?;
    let len = b[first + 1..].iter().position(|&c| c == b',')?;
    line.get(first + 1..first + 1 + len)
}
