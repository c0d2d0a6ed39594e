//! # creditbook-postgres
//!
//! A [`Store`] for creditbook in a PostgreSQL database: what a chain needs when registers in
//! several stores and a back office work on the same customers' accounts.
//!
//! - The schema is created and migrated by the library, versioned in a table of its own; a
//!   database of a newer schema, or tables of the same names that are not creditbook's, are
//!   refused with an [`OpenError`] and left untouched.
//! - Tables live in a schema of the host's choice with a prefix of its choice
//!   ([`PostgresOptions`]), so one database can hold several books or other applications' tables.
//! - Each entry is a row keyed `(account, seq)` holding [`Entry::to_record`]. `append` writes an
//!   operation's entries with one statement (one transaction, one round trip) that checks the
//!   account's version first; a unique violation (SQLSTATE 23505) or a version mismatch is
//!   [`StoreError::Conflict`], and the Book decides again on the latest entries.
//! - A connection lost in the middle of an `append` (server restart, failover, network) is
//!   resolved on a new connection: the entries found there are ours (the operation succeeded),
//!   or the account is still at the expected version (the append runs again), or someone else
//!   wrote first (`Conflict`). Only when the server cannot be reached at all does the operation
//!   fail, with [`StoreError::Failed`] carrying the server's SQLSTATE (see [`sqlstate_code`]); an
//!   operation whose outcome stayed unknown is safe to run again with the same operation id.
//! - Connections come from a small pool of the store's own; a broken one is replaced.
//!
//! ```no_run
//! use creditbook::{Book, StoreSettings};
//! use creditbook_postgres::PostgresStore;
//!
//! let store = PostgresStore::connect("host=/run/postgresql user=till dbname=shop").unwrap();
//! let book = Book::with_store(
//!     StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Montreal").unwrap(),
//!     store,
//! );
//! # let _ = book;
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use creditbook::{Entry, Store, StoreError};
use postgres::{Client, NoTls, Statement};
use smol_str::SmolStr;

pub use postgres::Config;

/// The schema version this library writes (in the version table). Older databases are migrated
/// when a store connects; newer ones are refused ([`OpenError::NewerSchema`]).
pub const SCHEMA_VERSION: i32 = 1;

/// What the version table's `application` column holds in a creditbook schema.
pub const APPLICATION: &str = "creditbook";

// The store failure codes of the Store contract, the same in every shipped store.
pub use creditbook::store::{CODE_BAD_SEQUENCE, CODE_CORRUPT_RECORD};

/// Store failure code when no pooled connection became free within
/// [`PostgresOptions::checkout_timeout`].
pub const CODE_POOL_TIMEOUT: i32 = -3;

/// [`OpenError::code`] of [`OpenError::NewerSchema`].
pub const CODE_NEWER_SCHEMA: i32 = -4;

/// [`OpenError::code`] of [`OpenError::NotCreditbook`].
pub const CODE_NOT_CREDITBOOK: i32 = -5;

/// [`OpenError::code`] of [`OpenError::InvalidOptions`].
pub const CODE_INVALID_OPTIONS: i32 = -6;

/// The SQLSTATE reported when the connection itself failed and the server sent no code (socket
/// closed, connection refused, I/O error): `08006` connection_failure.
pub const SQLSTATE_CONNECTION_FAILURE: &str = "08006";

/// The SQLSTATE reported for an error of the client library that is not a connection failure (a
/// value it could not convert, an unexpected message): `XX000` internal_error.
pub const SQLSTATE_INTERNAL_ERROR: &str = "XX000";

/// A SQLSTATE as one `i32`, the way PostgreSQL itself numbers error codes internally
/// (`MAKE_SQLSTATE` in its `elog.h`: six bits per character, the first character lowest), so the
/// server's code fits the store's `code` and [`sqlstate_of`] gives it back. Characters outside
/// `0-9A-Z` make no sense in a SQLSTATE; they are encoded all the same.
///
/// ```
/// use creditbook_postgres::{sqlstate_code, sqlstate_of};
/// assert_eq!(sqlstate_code("23505"), 83_906_754); // unique_violation
/// assert_eq!(sqlstate_of(sqlstate_code("57P01")).as_deref(), Some("57P01"));
/// ```
pub fn sqlstate_code(sqlstate: &str) -> i32 {
    sqlstate
        .bytes()
        .take(5)
        .enumerate()
        .fold(0i32, |acc, (i, b)| {
            acc | ((i32::from(b.wrapping_sub(b'0')) & 0x3F) << (6 * i))
        })
}

/// The SQLSTATE a code made by [`sqlstate_code`] stands for, or `None` for the store's own codes
/// (negative) and numbers that are not a SQLSTATE.
pub fn sqlstate_of(code: i32) -> Option<String> {
    if code <= 0 || code >= 1 << 30 {
        return None;
    }
    let s: String = (0..5)
        .map(|i| char::from(((code >> (6 * i)) & 0x3F) as u8 + b'0'))
        .collect();
    s.bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        .then_some(s)
}

/// How a [`PostgresStore`] connects and where its tables are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Connections the store keeps at most (opened when needed, kept while they work). Each
    /// operation holds one for the time of a statement or two. Default 4.
    pub pool_size: usize,
    /// The PostgreSQL schema of the tables, created when missing. Lowercase letters, digits and
    /// `_`, starting with a letter or `_`. Default `public`.
    pub schema: String,
    /// The prefix of the table names (`<prefix>entries`, `<prefix>accounts`, `<prefix>schema`):
    /// lowercase letters, digits and `_`, possibly empty. Default `creditbook_`.
    pub table_prefix: String,
    /// How long opening one connection may take (unless the DSN sets `connect_timeout`).
    /// Default 5 s.
    pub connect_timeout: Duration,
    /// How long an operation waits for a free connection when all `pool_size` are in use before
    /// it fails with [`CODE_POOL_TIMEOUT`]. Default 30 s.
    pub checkout_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> PostgresOptions {
        PostgresOptions {
            pool_size: 4,
            schema: "public".into(),
            table_prefix: "creditbook_".into(),
            connect_timeout: Duration::from_secs(5),
            checkout_timeout: Duration::from_secs(30),
        }
    }
}

/// Why a store could not be made. Nothing in the database was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The DSN or the options cannot be used (a malformed DSN, a pool of 0, a table prefix that is
    /// not a plain lowercase name).
    #[error("invalid PostgreSQL store options: {reason}")]
    InvalidOptions {
        /// What is wrong (never the DSN's password).
        reason: String,
    },
    /// The tables were written by a newer creditbook, with a schema this library does not know.
    #[error("{table} has creditbook schema {found}; this library reads up to {supported}")]
    NewerSchema {
        /// The version table (`schema.prefix_schema`).
        table: String,
        /// The database's schema version.
        found: i32,
        /// The newest this library knows ([`SCHEMA_VERSION`]).
        supported: i32,
    },
    /// Tables with the store's names exist but are not a creditbook store.
    #[error("{table} is not a creditbook store: {reason}")]
    NotCreditbook {
        /// The table found.
        table: String,
        /// What was found.
        reason: String,
    },
    /// PostgreSQL failed: the server cannot be reached, refused the login, lacks a privilege...
    #[error("PostgreSQL {sqlstate}: {message}")]
    Postgres {
        /// The SQLSTATE (the server's, or `08006` when the connection itself failed).
        sqlstate: String,
        /// The server's message, or the client's for a connection failure. Never the password.
        message: String,
    },
}

impl OpenError {
    /// A number for the error: [`sqlstate_code`] of the SQLSTATE for [`OpenError::Postgres`],
    /// else [`CODE_INVALID_OPTIONS`], [`CODE_NEWER_SCHEMA`] or [`CODE_NOT_CREDITBOOK`].
    pub fn code(&self) -> i32 {
        match self {
            OpenError::InvalidOptions { .. } => CODE_INVALID_OPTIONS,
            OpenError::NewerSchema { .. } => CODE_NEWER_SCHEMA,
            OpenError::NotCreditbook { .. } => CODE_NOT_CREDITBOOK,
            OpenError::Postgres { sqlstate, .. } => sqlstate_code(sqlstate),
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

/// The server's SQLSTATE and message; for an error of the client, `08006` (connection_failure)
/// when the connection failed, `XX000` (internal_error) otherwise, with the client's description.
/// tokio-postgres never puts the password in its messages.
fn describe(e: &postgres::Error, connecting: bool) -> (String, String) {
    if let Some(db) = e.as_db_error() {
        return (
            db.code().code().to_string(),
            format!("{}: {}", db.severity(), db.message()),
        );
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = s.source();
    }
    let sqlstate = if connecting || connection_lost(e) {
        SQLSTATE_CONNECTION_FAILURE
    } else {
        SQLSTATE_INTERNAL_ERROR
    };
    (sqlstate.to_string(), message)
}

fn failed_as(e: &postgres::Error, connecting: bool) -> StoreError {
    let (sqlstate, message) = describe(e, connecting);
    StoreError::Failed {
        code: sqlstate_code(&sqlstate),
        message: format!("PostgreSQL {sqlstate}: {message}"),
    }
}

fn failed(e: &postgres::Error) -> StoreError {
    failed_as(e, false)
}

fn open_failed(e: &postgres::Error) -> OpenError {
    let (sqlstate, message) = describe(e, false);
    OpenError::Postgres { sqlstate, message }
}

/// The connection (not the statement) failed: the socket closed or failed (an I/O error), a
/// connection exception from the server (class 08) or the server going away (57P01
/// admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now). The connection is not used
/// again.
fn connection_lost(e: &postgres::Error) -> bool {
    match e.as_db_error() {
        None => {
            e.is_closed() || std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
        }
        Some(db) => {
            let code = db.code().code();
            code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
        }
    }
}

fn is_unique_violation(e: &postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|db| db.code().code() == "23505")
}

/// Table names, validated and quoted once.
#[derive(Debug, Clone)]
struct Tables {
    schema: String,
    prefix: String,
}

impl Tables {
    fn new(options: &PostgresOptions) -> Result<Tables, OpenError> {
        let plain = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        let invalid = |reason: String| Err(OpenError::InvalidOptions { reason });
        let schema = &options.schema;
        if schema.is_empty()
            || !plain(schema)
            || schema.as_bytes()[0].is_ascii_digit()
            || schema.len() > 63
            || schema.starts_with("pg_")
        {
            return invalid(format!(
                "schema {schema:?}: lowercase letters, digits and _, not starting with a digit \
                 or pg_, at most 63 bytes"
            ));
        }
        let prefix = &options.table_prefix;
        if !plain(prefix)
            || prefix.as_bytes().first().is_some_and(u8::is_ascii_digit)
            || prefix.len() + "accounts".len() > 63
        {
            return invalid(format!(
                "table prefix {prefix:?}: lowercase letters, digits and _, not starting with a \
                 digit, at most 55 bytes"
            ));
        }
        Ok(Tables {
            schema: schema.clone(),
            prefix: prefix.clone(),
        })
    }

    fn name(&self, table: &str) -> String {
        format!("{}{table}", self.prefix)
    }

    fn qualified(&self, table: &str) -> String {
        format!("\"{}\".\"{}{table}\"", self.schema, self.prefix)
    }

    fn entries(&self) -> String {
        self.qualified("entries")
    }

    fn accounts(&self) -> String {
        self.qualified("accounts")
    }

    fn version(&self) -> String {
        self.qualified("schema")
    }
}

/// Migrations: `migrations(t)[v]` takes the tables from schema `v` to `v + 1`, inside one
/// transaction (PostgreSQL's DDL is transactional). Version 0 is the empty schema with only the
/// version table.
fn migrations(t: &Tables) -> [String; SCHEMA_VERSION as usize] {
    [
        // 1: entries keyed (account, seq): one account's rows are adjacent in the primary key's
        // b-tree, so a load is one index range scan. `accounts` lists the accounts without
        // scanning every entry (a row is added with an account's first entries).
        format!(
            "CREATE TABLE {entries} (
                account text NOT NULL,
                seq bigint NOT NULL CHECK (seq >= 1),
                record text NOT NULL,
                PRIMARY KEY (account, seq)
            );
            CREATE TABLE {accounts} (
                account text NOT NULL PRIMARY KEY
            );",
            entries = t.entries(),
            accounts = t.accounts(),
        ),
    ]
}

/// The statements every connection prepares once.
struct Prepared {
    load: Statement,
    append: Statement,
    account_ids: Statement,
}

impl Prepared {
    fn new(client: &mut Client, t: &Tables) -> Result<Prepared, postgres::Error> {
        let load = client.prepare(&format!(
            "SELECT seq, record FROM {} WHERE account = $1 AND seq > $2 ORDER BY seq",
            t.entries()
        ))?;
        // One statement, so one transaction and one round trip: the account's version, the
        // entries inserted only if it is the expected one, and the account listed with its first
        // entries. A concurrent append of the same version commits first or waits for ours, then
        // fails on the primary key (23505): a conflict either way. Every data-modifying WITH
        // query runs to completion whether or not the final SELECT reads it.
        let append = client.prepare(&format!(
            "WITH current AS (
                SELECT coalesce(max(seq), 0) AS version FROM {entries} WHERE account = $1
            ), inserted AS (
                INSERT INTO {entries} (account, seq, record)
                SELECT $1, r.seq, r.record
                FROM current, unnest($3::bigint[], $4::text[]) AS r(seq, record)
                WHERE current.version = $2::bigint
                RETURNING 1
            ), listed AS (
                INSERT INTO {accounts} (account)
                SELECT $1 FROM current
                WHERE current.version = 0 AND $2::bigint = 0 AND cardinality($3::bigint[]) > 0
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            SELECT version FROM current",
            entries = t.entries(),
            accounts = t.accounts(),
        ))?;
        let account_ids = client.prepare(&format!(
            "SELECT account FROM {} ORDER BY account",
            t.accounts()
        ))?;
        Ok(Prepared {
            load,
            append,
            account_ids,
        })
    }
}

/// How the pool's connections talk to the server: in plain text, or over TLS.
enum Connector {
    Plain,
    #[cfg(feature = "tls")]
    Rustls(tokio_postgres_rustls::MakeRustlsConnect),
}

impl Connector {
    fn connect(&self, config: &Config) -> Result<Client, postgres::Error> {
        match self {
            Connector::Plain => config.connect(NoTls),
            #[cfg(feature = "tls")]
            Connector::Rustls(tls) => config.connect(tls.clone()),
        }
    }
}

/// The TLS settings of [`PostgresStore::connect_tls`] (feature `tls`): the certificates that
/// verify the server's (the chain's own certificate authority, or the server's self-signed
/// certificate), over rustls with the ring provider; or a whole rustls client configuration.
#[cfg(feature = "tls")]
#[derive(Clone)]
pub struct TlsOptions {
    config: Arc<rustls::ClientConfig>,
}

#[cfg(feature = "tls")]
impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions").finish_non_exhaustive()
    }
}

#[cfg(feature = "tls")]
impl TlsOptions {
    /// Trusts the certificates of `pem` (one or more `BEGIN CERTIFICATE` blocks) and no others.
    /// No certificate in it, or one that does not read: [`OpenError::InvalidOptions`].
    pub fn from_pem(pem: &[u8]) -> Result<TlsOptions, OpenError> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::CertificateDer;
        let invalid = |reason: String| OpenError::InvalidOptions { reason };
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| invalid(format!("the TLS certificates: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| invalid(format!("a TLS certificate: {e}")))?;
        }
        if roots.is_empty() {
            return Err(invalid("the TLS certificates: no certificate".into()));
        }
        // ring: a small C and assembly build, where aws-lc-rs (rustls's default, with
        // post-quantum key exchange, which ring lacks and for which 0.23.48 deprecated this
        // function) needs a long one. A host that wants it passes its own configuration to
        // `from_rustls`.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(TlsOptions {
            config: Arc::new(config),
        })
    }

    /// The host's own rustls configuration (client certificates, the platform's roots...).
    pub fn from_rustls(config: rustls::ClientConfig) -> TlsOptions {
        TlsOptions {
            config: Arc::new(config),
        }
    }
}

/// The TLS library of the `tls` feature, for [`TlsOptions::from_rustls`].
#[cfg(feature = "tls")]
pub use rustls;

/// One pooled connection with its prepared statements.
struct Connection {
    client: Client,
    prepared: Prepared,
}

struct PoolState {
    idle: Vec<Connection>,
    /// Connections open, idle or checked out.
    open: usize,
}

/// A small connection pool: at most `size` connections, opened when needed, returned after each
/// use unless they failed.
struct Pool {
    config: Config,
    tls: Connector,
    tables: Tables,
    size: usize,
    checkout_timeout: Duration,
    state: Mutex<PoolState>,
    freed: Condvar,
}

fn lock(m: &Mutex<PoolState>) -> MutexGuard<'_, PoolState> {
    // The state is a list and a count, each updated in one step: still consistent after a panic.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A connection checked out of the pool. Returned to it when dropped, unless marked broken.
struct Lease<'a> {
    pool: &'a Pool,
    conn: Option<Connection>,
    broken: bool,
}

impl Lease<'_> {
    fn conn(&mut self) -> &mut Connection {
        self.conn
            .as_mut()
            .expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        if self.broken || conn.client.is_closed() {
            lock(&self.pool.state).open -= 1;
            self.pool.freed.notify_one();
            drop(conn); // outside the lock: closing may wait for the socket
        } else {
            lock(&self.pool.state).idle.push(conn);
            self.pool.freed.notify_one();
        }
    }
}

impl Pool {
    fn open_connection(&self) -> Result<Connection, postgres::Error> {
        let mut client = self.tls.connect(&self.config)?;
        let prepared = Prepared::new(&mut client, &self.tables)?;
        Ok(Connection { client, prepared })
    }

    /// An idle connection, or a new one while fewer than `size` are open; else waits for one.
    /// `fresh`: never an idle one (after a connection was lost, the idle ones may be dead too).
    fn get(&self, fresh: bool) -> Result<Lease<'_>, StoreError> {
        let deadline = Instant::now() + self.checkout_timeout;
        let mut state = lock(&self.state);
        loop {
            if fresh {
                // Whatever idle connections there are predate the failure: close them.
                let stale = std::mem::take(&mut state.idle);
                state.open -= stale.len();
                if state.open < self.size {
                    state.open += 1;
                    drop(state);
                    drop(stale);
                    return self.connect_lease();
                }
                drop(stale);
            } else {
                if let Some(conn) = state.idle.pop() {
                    return Ok(Lease {
                        pool: self,
                        conn: Some(conn),
                        broken: false,
                    });
                }
                if state.open < self.size {
                    state.open += 1;
                    drop(state);
                    return self.connect_lease();
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Failed {
                    code: CODE_POOL_TIMEOUT,
                    message: format!(
                        "no free PostgreSQL connection within {:?} (pool of {})",
                        self.checkout_timeout, self.size
                    ),
                });
            }
            state = self
                .freed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Opens a connection for a slot already counted in `open`.
    fn connect_lease(&self) -> Result<Lease<'_>, StoreError> {
        match self.open_connection() {
            Ok(conn) => Ok(Lease {
                pool: self,
                conn: Some(conn),
                broken: false,
            }),
            Err(e) => {
                lock(&self.state).open -= 1;
                self.freed.notify_one();
                Err(failed_as(&e, true))
            }
        }
    }
}

/// A creditbook store in a PostgreSQL database. `Send + Sync` and cheap to clone (clones share
/// one pool): share it, or the `Book` over it, between threads.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Arc<Pool>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the password: the hosts, the database and the user only.
        let c = &self.pool.config;
        f.debug_struct("PostgresStore")
            .field("hosts", &c.get_hosts())
            .field("dbname", &c.get_dbname())
            .field("user", &c.get_user())
            .field("entries", &self.pool.tables.entries())
            .field("pool_size", &self.pool.size)
            .finish_non_exhaustive()
    }
}

/// What the version table says.
enum Found {
    /// No version table, and none of the store's other tables.
    Nothing,
    /// The version table, at this version.
    Version(i32),
}

/// Reads the schema version without writing anything; refuses tables that are not ours.
fn inspect(
    client: &mut impl postgres::GenericClient,
    t: &Tables,
) -> Result<Found, postgres::Error> {
    let names = [t.name("schema"), t.name("entries"), t.name("accounts")];
    let present: Vec<String> = client
        .query(
            "SELECT c.relname FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relname = ANY($2)",
            &[&t.schema, &names.as_slice()],
        )?
        .into_iter()
        .map(|r| r.get(0))
        .collect();
    if !present.contains(&names[0]) {
        return Ok(if present.is_empty() {
            Found::Nothing
        } else {
            Found::Version(-1)
        });
    }
    let rows = client.query(
        &format!("SELECT application, version FROM {}", t.version()),
        &[],
    );
    match rows {
        Ok(rows)
            if rows.len() == 1
                && rows[0].try_get::<_, String>(0).ok().as_deref() == Some(APPLICATION) =>
        {
            Ok(Found::Version(rows[0].try_get(1).unwrap_or(-1)))
        }
        Ok(_) => Ok(Found::Version(-1)),
        // A table of that name with other columns: not ours.
        Err(e) if e.as_db_error().is_some_and(|d| d.code().code() == "42703") => {
            Ok(Found::Version(-1))
        }
        Err(e) => Err(e),
    }
}

fn check_found(t: &Tables, found: &Found) -> Result<(), OpenError> {
    match found {
        Found::Version(-1) => Err(OpenError::NotCreditbook {
            table: format!("{}.{}", t.schema, t.name("schema")),
            reason: format!(
                "tables named {}schema, {0}entries or {0}accounts exist in schema {} without a \
                 creditbook version row",
                t.prefix, t.schema
            ),
        }),
        Found::Version(v) if *v > SCHEMA_VERSION => Err(OpenError::NewerSchema {
            table: format!("{}.{}", t.schema, t.name("schema")),
            found: *v,
            supported: SCHEMA_VERSION,
        }),
        _ => Ok(()),
    }
}

/// Creates or migrates the schema in one transaction, under an advisory lock so that two
/// processes connecting to a new database at once migrate it once.
fn prepare_schema(client: &mut Client, t: &Tables) -> Result<(), OpenError> {
    let found = inspect(client, t).map_err(|e| open_failed(&e))?;
    check_found(t, &found)?;
    if matches!(found, Found::Version(SCHEMA_VERSION)) {
        return Ok(());
    }
    let pg = |e: postgres::Error| open_failed(&e);
    let mut tx = client.transaction().map_err(pg)?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        &[&format!("creditbook schema {}", t.version())],
    )
    .map_err(pg)?;
    let found = inspect(&mut tx, t).map_err(pg)?;
    check_found(t, &found)?;
    let from = match found {
        Found::Nothing => {
            tx.batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS \"{schema}\";
                 CREATE TABLE {version} (
                     singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                     application text NOT NULL,
                     version integer NOT NULL
                 );
                 INSERT INTO {version} (application, version) VALUES ('{APPLICATION}', 0);",
                schema = t.schema,
                version = t.version(),
            ))
            .map_err(pg)?;
            0
        }
        Found::Version(v) => v,
    };
    for (version, sql) in migrations(t).iter().enumerate().skip(from as usize) {
        tx.batch_execute(sql).map_err(pg)?;
        tx.execute(
            &format!("UPDATE {} SET version = $1", t.version()),
            &[&(version as i32 + 1)],
        )
        .map_err(pg)?;
    }
    tx.commit().map_err(pg)
}

impl PostgresStore {
    /// Connects with the default options ([`PostgresOptions::default`]): tables
    /// `public.creditbook_*`, a pool of 4. `dsn` is a libpq-style connection string
    /// (`host=/run/postgresql user=till dbname=shop`) or URL (`postgresql://till@db/shop`).
    pub fn connect(dsn: &str) -> Result<PostgresStore, OpenError> {
        PostgresStore::connect_with(dsn, PostgresOptions::default())
    }

    /// Connects, then creates the schema (in a new database), migrates it (an older one) or
    /// refuses it untouched (a newer one, or tables of the same names that are not creditbook's).
    pub fn connect_with(dsn: &str, options: PostgresOptions) -> Result<PostgresStore, OpenError> {
        let config: Config = dsn.parse().map_err(|e: postgres::Error| {
            // The parser names the option, never its value.
            OpenError::InvalidOptions {
                reason: format!("the DSN: {e}"),
            }
        })?;
        PostgresStore::from_config(config, options)
    }

    /// Like [`PostgresStore::connect_with`], from a [`Config`] the host built (with a password
    /// fetched from its secrets, say).
    pub fn from_config(
        config: Config,
        options: PostgresOptions,
    ) -> Result<PostgresStore, OpenError> {
        PostgresStore::open(config, options, Connector::Plain)
    }

    /// Like [`PostgresStore::connect_with`], over TLS: the server's certificate is verified
    /// against `tls`'s roots and the DSN's host name (or IP address). The DSN's `sslmode`
    /// `prefer` (its default) is taken as `require`: a store given TLS options never falls back to
    /// plain text (`sslmode=disable` turns TLS off). TLS needs a TCP host: PostgreSQL does not
    /// speak it on a Unix socket.
    #[cfg(feature = "tls")]
    pub fn connect_tls(
        dsn: &str,
        options: PostgresOptions,
        tls: &TlsOptions,
    ) -> Result<PostgresStore, OpenError> {
        let config: Config = dsn.parse().map_err(|e: postgres::Error| {
            // The parser names the option, never its value.
            OpenError::InvalidOptions {
                reason: format!("the DSN: {e}"),
            }
        })?;
        PostgresStore::from_config_tls(config, options, tls)
    }

    /// Like [`PostgresStore::connect_tls`], from a [`Config`] the host built.
    #[cfg(feature = "tls")]
    pub fn from_config_tls(
        mut config: Config,
        options: PostgresOptions,
        tls: &TlsOptions,
    ) -> Result<PostgresStore, OpenError> {
        if config.get_ssl_mode() == postgres::config::SslMode::Prefer {
            config.ssl_mode(postgres::config::SslMode::Require);
        }
        let connector = tokio_postgres_rustls::MakeRustlsConnect::new((*tls.config).clone());
        PostgresStore::open(config, options, Connector::Rustls(connector))
    }

    fn open(
        mut config: Config,
        options: PostgresOptions,
        tls: Connector,
    ) -> Result<PostgresStore, OpenError> {
        let tables = Tables::new(&options)?;
        if options.pool_size == 0 {
            return Err(OpenError::InvalidOptions {
                reason: "a pool of 0 connections".into(),
            });
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.connect_timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name("creditbook");
        }
        let mut client = tls.connect(&config).map_err(|e| {
            let (sqlstate, message) = describe(&e, true);
            OpenError::Postgres { sqlstate, message }
        })?;
        prepare_schema(&mut client, &tables)?;
        let prepared = Prepared::new(&mut client, &tables).map_err(|e| open_failed(&e))?;
        let pool = Pool {
            config,
            tls,
            tables,
            size: options.pool_size,
            checkout_timeout: options.checkout_timeout,
            state: Mutex::new(PoolState {
                idle: vec![Connection { client, prepared }],
                open: 1,
            }),
            freed: Condvar::new(),
        };
        Ok(PostgresStore {
            pool: Arc::new(pool),
        })
    }

    /// The entries table, qualified and quoted (`"public"."creditbook_entries"`).
    pub fn entries_table(&self) -> String {
        self.pool.tables.entries()
    }

    /// The accounts table, qualified and quoted.
    pub fn accounts_table(&self) -> String {
        self.pool.tables.accounts()
    }

    /// The version table, qualified and quoted.
    pub fn version_table(&self) -> String {
        self.pool.tables.version()
    }

    /// The number of entries held, over all accounts.
    pub fn entry_count(&self) -> Result<u64, StoreError> {
        let sql = format!("SELECT count(*) FROM {}", self.pool.tables.entries());
        self.read(|c| {
            c.client
                .query_one(&sql, &[])
                .map(|r| r.get::<_, i64>(0) as u64)
        })
    }

    /// Connections open now (idle or in use), at most the pool size.
    pub fn open_connections(&self) -> usize {
        lock(&self.pool.state).open
    }

    /// Runs a read on a pooled connection; when the connection turns out to be lost (the server
    /// restarted since it was opened), once more on a new one. Reads change nothing, so running
    /// one twice is harmless.
    fn read<T>(
        &self,
        f: impl Fn(&mut Connection) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut lease = self.pool.get(false)?;
        match f(lease.conn()) {
            Ok(v) => Ok(v),
            Err(e) if connection_lost(&e) => {
                lease.broken = true;
                drop(lease);
                let mut lease = self.pool.get(true)?;
                f(lease.conn()).map_err(|e| {
                    lease.broken = connection_lost(&e);
                    failed(&e)
                })
            }
            Err(e) => Err(failed(&e)),
        }
    }
}

/// What an append's statement answered.
enum Appended {
    Done,
    Conflict,
}

fn run_append(
    conn: &mut Connection,
    account: &str,
    expected: i64,
    seqs: &[i64],
    records: &[String],
) -> Result<Appended, postgres::Error> {
    match conn.client.query_one(
        &conn.prepared.append,
        &[&account, &expected, &seqs, &records],
    ) {
        Ok(row) if row.get::<_, i64>(0) == expected => Ok(Appended::Done),
        Ok(_) => Ok(Appended::Conflict),
        Err(e) if is_unique_violation(&e) => Ok(Appended::Conflict),
        Err(e) => Err(e),
    }
}

/// After a connection was lost during an append, on a new connection: were our entries written?
/// Ours are there (byte for byte: each record holds its entry's and operation's ids): done. The
/// account still at the expected version: nothing was written, append again. Anything else:
/// another writer was first.
fn resolve(
    conn: &mut Connection,
    account: &str,
    expected: i64,
    seqs: &[i64],
    records: &[String],
) -> Result<Appended, postgres::Error> {
    let rows = conn
        .client
        .query(&conn.prepared.load, &[&account, &expected])?;
    if rows.is_empty() {
        return run_append(conn, account, expected, seqs, records);
    }
    let ours = rows.len() >= seqs.len()
        && rows
            .iter()
            .zip(seqs.iter().zip(records))
            .all(|(row, (seq, record))| {
                row.get::<_, i64>(0) == *seq && row.get::<_, &str>(1) == record.as_str()
            });
    Ok(if ours {
        Appended::Done
    } else {
        Appended::Conflict
    })
}

impl Store for PostgresStore {
    fn load(&self, account: &str, after: u64) -> Result<Vec<Entry>, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = self.read(|c| c.client.query(&c.prepared.load, &[&account, &after]))?;
        rows.into_iter()
            .map(|row| {
                let seq: i64 = row.get(0);
                let record: &str = row.get(1);
                creditbook::store::entry_of_row(account, seq as u64, record)
            })
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
        let Some(seqs) = entries
            .iter()
            .map(|e| i64::try_from(e.seq).ok())
            .collect::<Option<Vec<i64>>>()
        else {
            return Err(StoreError::Conflict);
        };
        // Serialized before a connection is taken: it is held for the statement only.
        let records: Vec<String> = entries.iter().map(Entry::to_record).collect();
        let mut lease = self.pool.get(false)?;
        let outcome = match run_append(lease.conn(), account, expected, &seqs, &records) {
            Ok(outcome) => outcome,
            Err(e) if connection_lost(&e) => {
                // The statement may or may not have committed before the connection went: ask a
                // new connection (the idle ones are as old as the lost one, so they go too).
                lease.broken = true;
                drop(lease);
                let first = failed(&e);
                let mut lease = self.pool.get(true).map_err(|_| first.clone())?;
                match resolve(lease.conn(), account, expected, &seqs, &records) {
                    Ok(outcome) => outcome,
                    Err(e) => {
                        lease.broken = connection_lost(&e);
                        return Err(failed(&e));
                    }
                }
            }
            Err(e) => return Err(failed(&e)),
        };
        match outcome {
            Appended::Done => Ok(()),
            Appended::Conflict => Err(StoreError::Conflict),
        }
    }

    fn account_ids(&self) -> Result<Vec<SmolStr>, StoreError> {
        self.read(|c| {
            c.client.query(&c.prepared.account_ids, &[]).map(|rows| {
                rows.iter()
                    .map(|r| SmolStr::from(r.get::<_, &str>(0)))
                    .collect()
            })
        })
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<PostgresStore>();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates_round_trip_through_codes() {
        for s in ["23505", "57P01", "08006", "40001", "42P07", "XX000"] {
            assert_eq!(sqlstate_of(sqlstate_code(s)).as_deref(), Some(s), "{s}");
        }
        // PostgreSQL's own ERRCODE_UNIQUE_VIOLATION, MAKE_SQLSTATE('2','3','5','0','5').
        assert_eq!(sqlstate_code("23505"), 2 | 3 << 6 | 5 << 12 | 5 << 24);
        assert_eq!(sqlstate_of(CODE_BAD_SEQUENCE), None);
        assert_eq!(sqlstate_of(0), None);
    }

    #[test]
    fn table_names_must_be_plain() {
        let with = |schema: &str, prefix: &str| {
            Tables::new(&PostgresOptions {
                schema: schema.into(),
                table_prefix: prefix.into(),
                ..PostgresOptions::default()
            })
        };
        assert!(with("public", "creditbook_").is_ok());
        assert!(with("chain_east", "").is_ok());
        for (schema, prefix) in [
            ("", "x_"),
            ("Public", "x_"),
            ("1abc", "x_"),
            ("pg_temp", "x_"),
            ("a\"; DROP TABLE x; --", "x_"),
            ("public", "X_"),
            ("public", "a-b"),
            ("public", "9_"),
            ("public", &"p".repeat(56)),
        ] {
            assert!(
                matches!(with(schema, prefix), Err(OpenError::InvalidOptions { .. })),
                "{schema:?} {prefix:?}"
            );
        }
    }
}
