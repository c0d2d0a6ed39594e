//! # creditbook-sqlite
//!
//! A durable [`Store`] for creditbook in one SQLite file: what a shop with one or a few registers
//! needs to survive a crash or a power cut.
//!
//! - One file, in WAL mode, `synchronous=FULL` by default: an operation the Book acknowledged is on
//!   disk (see [`Synchronous`] for what `NORMAL` gives up).
//! - The schema is created and migrated by the library (`PRAGMA user_version`, `PRAGMA
//!   application_id`); a file of a newer schema, or one that is not a creditbook database, is
//!   refused with an [`OpenError`] and left untouched.
//! - Each entry is a row keyed `(account, seq)` holding [`Entry::to_record`]; `append` writes an
//!   operation's entries in one `BEGIN IMMEDIATE` transaction after checking the account's
//!   version, so two processes on one file (two registers on a back-office PC) cannot both write
//!   the same version: the second gets [`StoreError::Conflict`] and the Book decides again.
//! - A busy database is waited for (the busy timeout) and retried, then reported as
//!   [`StoreError::Failed`] with SQLite's extended result code.
//!
//! ```
//! use creditbook::{Book, StoreSettings};
//! use creditbook_sqlite::SqliteStore;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = SqliteStore::open(dir.path().join("creditbook.sqlite3")).unwrap();
//! let book = Book::with_store(
//!     StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Montreal").unwrap(),
//!     store,
//! );
//! # let _ = book;
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use creditbook::{Entry, Store, StoreError};
use rusqlite::{ffi, Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use smol_str::SmolStr;

/// `PRAGMA application_id` of a creditbook database (`"CrBk"` in ASCII): tells a creditbook file
/// from another application's SQLite database.
pub const APPLICATION_ID: i32 = 0x4372_426B;

/// The schema version this library writes (`PRAGMA user_version`). Older files are migrated when
/// opened; newer ones are refused ([`OpenError::NewerSchema`]).
pub const SCHEMA_VERSION: i32 = 1;

// The store failure codes of the Store contract, the same in every shipped store.
pub use creditbook::store::{CODE_BAD_SEQUENCE, CODE_CORRUPT_RECORD};

/// How many times a busy database is waited for (each time up to the busy timeout) before the
/// store reports it.
const BUSY_ATTEMPTS: u32 = 3;

/// Migrations: `MIGRATIONS[v]` takes a database from schema `v` to `v + 1`, inside one
/// transaction. Version 0 is the empty file.
const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [
    // 1: entries keyed (account, seq) without a rowid, so one account's rows are contiguous in the
    // table's own b-tree: loading an account reads only its pages. `accounts` lists the accounts
    // without scanning every entry.
    "CREATE TABLE entries (
        account TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        record TEXT NOT NULL,
        PRIMARY KEY (account, seq)
    ) WITHOUT ROWID;
    CREATE TABLE accounts (
        account TEXT NOT NULL PRIMARY KEY
    ) WITHOUT ROWID;",
];

/// What `synchronous` SQLite runs with (in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// Every commit is fsynced to the WAL before `append` returns: an acknowledged operation
    /// survives a process crash and a power loss. The default.
    #[default]
    Full,
    /// Commits are fsynced only at checkpoints: an acknowledged operation survives a process crash
    /// (even SIGKILL), but the last ones before a power loss or an OS crash may be lost. The file
    /// stays consistent either way (no torn or half-written operation).
    Normal,
}

/// How a [`SqliteStore`] is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Durability of each commit. Default [`Synchronous::Full`].
    pub synchronous: Synchronous,
    /// How long one call waits for another connection or process holding the write lock before
    /// SQLite answers busy (retried a few times, then reported). Default 5 s.
    pub busy_timeout: Duration,
    /// Connections for reads besides the one that writes (WAL lets them read while it writes).
    /// 0 reads through the writing connection. Default 2.
    pub read_connections: usize,
}

impl Default for SqliteOptions {
    fn default() -> SqliteOptions {
        SqliteOptions {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
            read_connections: 2,
        }
    }
}

/// Why a file could not be opened as a store. Nothing in the file was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The file is not a creditbook database (not SQLite at all, or another application's).
    #[error("{path} is not a creditbook database: {reason}")]
    NotCreditbook {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The file was written by a newer creditbook, with a schema this library does not know.
    #[error("{path} has creditbook schema {found}; this library reads up to {supported}")]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// The file's schema version.
        found: i32,
        /// The newest this library knows ([`SCHEMA_VERSION`]).
        supported: i32,
    },
    /// The file (or its directory, where SQLite keeps the WAL) cannot be written.
    #[error("{path} is read-only")]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// SQLite failed (cannot open the file, disk full, busy past the timeout...).
    #[error("{path}: SQLite error {code}: {message}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// SQLite's extended result code.
        code: i32,
        /// SQLite's message.
        message: String,
    },
}

impl OpenError {
    /// A number for the error: SQLite's extended result code for [`OpenError::Sqlite`], else the
    /// SQLite primary code closest to the cause: `SQLITE_NOTADB` (26) for a file that is not a
    /// creditbook database, `SQLITE_SCHEMA` (17) for a newer schema, `SQLITE_READONLY` (8).
    pub fn code(&self) -> i32 {
        match self {
            OpenError::NotCreditbook { .. } => ffi::SQLITE_NOTADB,
            OpenError::NewerSchema { .. } => ffi::SQLITE_SCHEMA,
            OpenError::ReadOnly { .. } => ffi::SQLITE_READONLY,
            OpenError::Sqlite { code, .. } => *code,
        }
    }
}

impl From<OpenError> for StoreError {
    fn from(e: OpenError) -> StoreError {
        StoreError::Failed {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// A creditbook store in one SQLite file. `Send + Sync`: share it (or the `Book` over it) between
/// threads; writes go through one connection in turn, reads through a few more.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A poisoned connection is still usable: a panic cannot leave a transaction open (rusqlite's
/// `Transaction` rolls back when dropped during unwinding).
fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn code_of(e: &rusqlite::Error) -> i32 {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => f.extended_code,
        _ => ffi::SQLITE_ERROR,
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn failed(e: rusqlite::Error) -> StoreError {
    StoreError::Failed {
        code: code_of(&e),
        message: e.to_string(),
    }
}

/// Runs `f`, again while SQLite answers busy (each attempt already waited the busy timeout).
fn retry_busy<T>(mut f: impl FnMut() -> Result<T, rusqlite::Error>) -> Result<T, rusqlite::Error> {
    let mut attempt = 1;
    loop {
        match f() {
            Err(e) if is_busy(&e) && attempt < BUSY_ATTEMPTS => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(10 * u64::from(attempt)));
            }
            other => return other,
        }
    }
}

impl SqliteStore {
    /// Opens (creating it if missing) the store in the file at `path`, with the default options:
    /// WAL, `synchronous=FULL`, a 5 s busy timeout.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, OpenError> {
        SqliteStore::open_with(path, SqliteOptions::default())
    }

    /// Opens (creating it if missing) the store in the file at `path`. A new file gets the
    /// current schema; an older one is migrated in one transaction; a newer one, or a file that
    /// is not a creditbook database, is refused untouched.
    pub fn open_with(
        path: impl AsRef<Path>,
        options: SqliteOptions,
    ) -> Result<SqliteStore, OpenError> {
        let path = path.as_ref().to_path_buf();
        let writer = connect(&path, &options)?;
        prepare_schema(&path, &writer)?;
        let readers = (0..options.read_connections)
            .map(|_| connect(&path, &options).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(writer),
            readers,
        })
    }

    /// The file the store is in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The number of entries held, over all accounts.
    pub fn entry_count(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            c.query_row("SELECT count(*) FROM entries", [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
        })
    }

    /// The file's `journal_mode`, `application_id` and `user_version`, as SQLite reports them.
    pub fn pragmas(&self) -> Result<(String, i32, i32), StoreError> {
        self.read(|c| {
            Ok((
                c.pragma_query_value(None, "journal_mode", |r| r.get(0))?,
                c.pragma_query_value(None, "application_id", |r| r.get(0))?,
                c.pragma_query_value(None, "user_version", |r| r.get(0))?,
            ))
        })
    }

    /// Writes any committed transactions of the WAL into the database file and truncates the WAL
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`). SQLite checkpoints by itself; call this before
    /// copying the file with ordinary tools while no process has it open.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        retry_busy(|| {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            })
        })
        .map_err(failed)
        .map(drop)
    }

    /// Writes a consistent copy of the store to `target` (a new file) with `VACUUM INTO`, safe
    /// while other connections and processes keep writing.
    pub fn backup_to(&self, target: impl AsRef<Path>) -> Result<(), StoreError> {
        let target = target.as_ref().to_str().ok_or_else(|| StoreError::Failed {
            code: ffi::SQLITE_CANTOPEN,
            message: "the backup path is not UTF-8".into(),
        })?;
        self.read(|c| c.execute("VACUUM INTO ?1", [target]).map(drop))
    }

    /// Runs a read on a free reading connection (the writer when there is none, or all are busy
    /// and the writer is free), retried while busy.
    fn read<T>(
        &self,
        f: impl Fn(&Connection) -> Result<T, rusqlite::Error>,
    ) -> Result<T, StoreError> {
        let run = |c: &Connection| retry_busy(|| f(c)).map_err(failed);
        for r in &self.readers {
            if let Ok(c) = r.try_lock() {
                return run(&c);
            }
        }
        match self.readers.first() {
            None => run(&lock(&self.writer)),
            Some(first) => match self.writer.try_lock() {
                Ok(c) => run(&c),
                Err(_) => run(&lock(first)),
            },
        }
    }
}

/// Opens one connection and sets it up: busy timeout, WAL, synchronous. Refuses a file that is not
/// a database, or cannot be written, before anything is written to it.
fn connect(path: &Path, options: &SqliteOptions) -> Result<Connection, OpenError> {
    let sqlite = |e: rusqlite::Error| OpenError::Sqlite {
        path: path.to_path_buf(),
        code: code_of(&e),
        message: e.to_string(),
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
    conn.busy_timeout(options.busy_timeout).map_err(sqlite)?;
    // Reading the header is the first access to the file: a file that is not SQLite fails here,
    // before any pragma could write to it.
    let (application_id, user_version) = retry_busy(|| {
        Ok((
            conn.pragma_query_value(None, "application_id", |r| r.get::<_, i32>(0))?,
            conn.pragma_query_value(None, "user_version", |r| r.get::<_, i32>(0))?,
        ))
    })
    .map_err(|e| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => OpenError::NotCreditbook {
            path: path.to_path_buf(),
            reason: "not a SQLite database".into(),
        },
        _ => sqlite(e),
    })?;
    check_identity(path, &conn, application_id, user_version).map_err(|e| match e {
        Identity::Refused(e) => e,
        Identity::Sqlite(e) => sqlite(e),
    })?;
    if conn.is_readonly(rusqlite::MAIN_DB).map_err(sqlite)? {
        return Err(OpenError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    let mode: String =
        retry_busy(|| conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)))
            .map_err(|e| match e.sqlite_error_code() {
                Some(ErrorCode::ReadOnly) => OpenError::ReadOnly {
                    path: path.to_path_buf(),
                },
                _ => sqlite(e),
            })?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(OpenError::Sqlite {
            path: path.to_path_buf(),
            code: ffi::SQLITE_CANTOPEN,
            message: format!("journal_mode is {mode}, WAL could not be set"),
        });
    }
    let sync = match options.synchronous {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync)
        .map_err(sqlite)?;
    conn.set_prepared_statement_cache_capacity(16);
    Ok(conn)
}

enum Identity {
    Refused(OpenError),
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for Identity {
    fn from(e: rusqlite::Error) -> Identity {
        Identity::Sqlite(e)
    }
}

/// Ours (any schema up to ours), or an empty file; anything else is refused.
fn check_identity(
    path: &Path,
    conn: &Connection,
    application_id: i32,
    user_version: i32,
) -> Result<(), Identity> {
    if application_id == APPLICATION_ID {
        if user_version > SCHEMA_VERSION {
            return Err(Identity::Refused(OpenError::NewerSchema {
                path: path.to_path_buf(),
                found: user_version,
                supported: SCHEMA_VERSION,
            }));
        }
        return Ok(());
    }
    let objects: i64 =
        retry_busy(|| conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)))?;
    if application_id == 0 && user_version == 0 && objects == 0 {
        return Ok(());
    }
    Err(Identity::Refused(OpenError::NotCreditbook {
        path: path.to_path_buf(),
        reason: format!(
            "a SQLite database of another application (application_id {application_id:#x}, \
             user_version {user_version}, {objects} schema objects)"
        ),
    }))
}

/// Creates or migrates the schema in one `BEGIN IMMEDIATE` transaction, checking again under the
/// write lock (another process may be opening the same new file).
fn prepare_schema(path: &Path, conn: &Connection) -> Result<(), OpenError> {
    let sqlite = |e: rusqlite::Error| OpenError::Sqlite {
        path: path.to_path_buf(),
        code: code_of(&e),
        message: e.to_string(),
    };
    let current =
        |c: &Connection| c.pragma_query_value(None, "user_version", |r| r.get::<_, i32>(0));
    if current(conn).map_err(sqlite)? == SCHEMA_VERSION {
        return Ok(());
    }
    retry_busy(|| {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let application_id: i32 = tx.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let from = current(&tx)?;
        Ok((tx, application_id, from))
    })
    .map_err(sqlite)
    .and_then(|(tx, application_id, from)| {
        check_identity(path, &tx, application_id, from).map_err(|e| match e {
            Identity::Refused(e) => e,
            Identity::Sqlite(e) => sqlite(e),
        })?;
        for (version, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            tx.execute_batch(sql).map_err(sqlite)?;
            tx.pragma_update(None, "user_version", version as i32 + 1)
                .map_err(sqlite)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(sqlite)?;
        tx.commit().map_err(sqlite)
    })
}

impl Store for SqliteStore {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, record FROM entries WHERE account = ?1 AND seq > ?2 ORDER BY seq",
            )?;
            let rows = stmt.query_map((account, after), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?;
            rows.collect::<Result<Vec<_>, _>>()
        })?;
        rows.into_iter()
            .map(|(seq, record)| creditbook::store::entry_of_row(account, seq as u64, &record))
            .collect()
    }

    fn append(
        &self,
        account: &str,
        expected_version: u64,
        entries: &[Entry],
    ) -> Result<(), StoreError> {
        creditbook::store::check_numbering(expected_version, entries)?;
        let Ok(expected) = i64::try_from(expected_version) else {
            return Err(StoreError::Conflict);
        };
        // Serialized outside the transaction: the write lock is held for the inserts only.
        let rows: Vec<(i64, String)> = entries
            .iter()
            .map(|e| (e.seq as i64, e.to_record()))
            .collect();
        let conn = lock(&self.writer);
        let result = retry_busy(|| {
            let tx = Transaction::new_unchecked(&conn, TransactionBehavior::Immediate)?;
            let Some(((first_seq, first), rest)) = rows.split_first() else {
                // Nothing to write: only the version to confirm.
                let version: i64 = tx
                    .prepare_cached("SELECT max(seq) FROM entries WHERE account = ?1")?
                    .query_row([account], |r| r.get::<_, Option<i64>>(0))?
                    .unwrap_or(0);
                return Ok(if version == expected {
                    Ok(())
                } else {
                    Err(StoreError::Conflict)
                });
            };
            // The version check is in the first insert: the row `expected` must exist (the
            // account is not behind), and the primary key refuses `expected + 1` when it exists
            // (the account moved on). One statement instead of a read and a write.
            let inserted = if expected == 0 {
                tx.prepare_cached("INSERT INTO entries (account, seq, record) VALUES (?1, ?2, ?3)")?
                    .execute((account, first_seq, first))?
            } else {
                tx.prepare_cached(
                    "INSERT INTO entries (account, seq, record) SELECT ?1, ?2, ?3 \
                     WHERE EXISTS (SELECT 1 FROM entries WHERE account = ?1 AND seq = ?4)",
                )?
                .execute((account, first_seq, first, expected))?
            };
            if inserted == 0 {
                return Ok(Err(StoreError::Conflict));
            }
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO entries (account, seq, record) VALUES (?1, ?2, ?3)",
                )?;
                for (seq, record) in rest {
                    insert.execute((account, seq, record))?;
                }
            }
            if expected == 0 {
                tx.prepare_cached("INSERT OR IGNORE INTO accounts (account) VALUES (?1)")?
                    .execute([account])?;
            }
            tx.commit()?;
            Ok(Ok(()))
        });
        match result {
            Ok(outcome) => outcome,
            // The primary key as a backstop: a row of this version exists, someone wrote first.
            Err(e) if e.extended_code() == Some(ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                Err(StoreError::Conflict)
            }
            Err(e) => Err(failed(e)),
        }
    }

    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT account FROM accounts ORDER BY account")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0).map(SmolStr::from))?;
            rows.collect()
        })
    }
}

trait ExtendedCode {
    fn extended_code(&self) -> Option<i32>;
}

impl ExtendedCode for rusqlite::Error {
    fn extended_code(&self) -> Option<i32> {
        match self {
            rusqlite::Error::SqliteFailure(f, _) => Some(f.extended_code),
            _ => None,
        }
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<SqliteStore>();
}
