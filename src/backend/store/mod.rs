//! The receiver's persistence behind one trait: SQLite (a file, one receiver) or PostgreSQL
//! (`postgres://…`, any number of receivers on one database). Both keep one row per
//! (station_id, idempotency_key), enforced by the database's primary key, and store with
//! "insert, or replace unless the row is a success" semantics: a success is final, a
//! rejection is replaced when a retry is verified again. Verification happens before and
//! outside any of these calls (no transaction is held across it).

mod postgres;
mod sqlite;

pub use postgres::PgStore;
use serde_json::Value;
pub use sqlite::SqliteStore;
use std::ffi::{OsStr, OsString};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Where a receiver keeps its records, named once where an operator names it (`--db`, or
/// `database_url` in the config: `StoreLocation::parse`): a SQLite file, or a PostgreSQL
/// database by URL (never with a password in it: `pgconn`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// A file, created 0600 by a receiver when missing (`backend::db`).
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, shared by any number of receivers.
    Postgres(String),
}

impl StoreLocation {
    /// `postgres://…` or `postgresql://…` names PostgreSQL; anything else is a SQLite file.
    pub fn parse(text: impl Into<OsString>) -> StoreLocation {
        let text = text.into();
        match text.to_str() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                StoreLocation::Postgres(url.to_string())
            }
            _ => StoreLocation::Sqlite(PathBuf::from(text)),
        }
    }

    /// A PostgreSQL URL with a password in it, however spelled (`pgconn::holds_password`).
    pub fn holds_password(&self) -> bool {
        matches!(self, StoreLocation::Postgres(url) if super::pgconn::holds_password(url))
    }

    /// As an operator would write it (`--db` of another command).
    pub fn as_os_str(&self) -> &OsStr {
        match self {
            StoreLocation::Sqlite(path) => path.as_os_str(),
            StoreLocation::Postgres(url) => OsStr::new(url),
        }
    }
}

/// As an operator would write it: `Command::arg(db)`.
impl AsRef<OsStr> for StoreLocation {
    fn as_ref(&self) -> &OsStr {
        self.as_os_str()
    }
}

impl std::fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreLocation::Sqlite(path) => write!(f, "{}", path.display()),
            StoreLocation::Postgres(url) => f.write_str(url),
        }
    }
}

/// No location yet: `ReceiverConfig::default()` before its `db` is set.
impl Default for StoreLocation {
    fn default() -> StoreLocation {
        StoreLocation::Sqlite(PathBuf::new())
    }
}

/// A path is a SQLite file, whatever it spells (a URL is parsed, never taken as a path).
impl From<PathBuf> for StoreLocation {
    fn from(path: PathBuf) -> StoreLocation {
        StoreLocation::Sqlite(path)
    }
}

impl From<&Path> for StoreLocation {
    fn from(path: &Path) -> StoreLocation {
        StoreLocation::Sqlite(path.to_path_buf())
    }
}

impl From<&PathBuf> for StoreLocation {
    fn from(path: &PathBuf) -> StoreLocation {
        StoreLocation::Sqlite(path.clone())
    }
}

impl From<&StoreLocation> for StoreLocation {
    fn from(db: &StoreLocation) -> StoreLocation {
        db.clone()
    }
}

/// What was answered before for (station, key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remembered {
    pub body_sha256: String,
    pub status: u16,
    pub answer: String,
    /// Whether its sender was proven (`Row::proven`): an unproven rejection holds no key.
    pub proven: bool,
}

#[derive(Debug)]
pub enum StoreError {
    /// The database can't be reached now (down, restarting, connection lost): 503, retry.
    Unavailable(String),
    Other(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(e) => write!(f, "store unavailable: {e}"),
            StoreError::Other(e) => write!(f, "store error: {e}"),
        }
    }
}

pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// One answered request, as stored.
#[derive(Clone, Debug)]
pub struct Row {
    pub station_id: String,
    pub idempotency_key: String,
    pub station_bound: bool,
    /// SHA-256 of the canonical JSON body.
    pub body_sha256: String,
    /// SHA-256 of the raw bytes, which rows of the first release hold: a rejection stored
    /// under either is the same body's.
    pub raw_sha256: String,
    pub status: u16,
    pub answer: String,
    pub received_ms: i64,
    pub payload: Option<Vec<u8>>,
    /// The sender is proven: by the station's client certificate, or by the card's signature
    /// over the statement (which names the id and the station). A rejection that proves
    /// nothing is kept for review, but any later record under its key replaces it: it must
    /// not squat an enrollment id the genuine record needs (docs/backend-api.md).
    pub proven: bool,
}

/// A row as listed for operators: ids, time and result, no personal data.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Listed {
    pub station_id: String,
    pub idempotency_key: String,
    pub received_ms: i64,
    pub status: u16,
    pub result: String,
    /// The answer's `error` (structure, never data), for what went to review.
    pub reason: Option<String>,
    /// The assurance level proven (`signed`, `card-authenticated`, `unauthenticated`): on
    /// accepted records answered since the levels.
    pub assurance: Option<String>,
    /// Whether the sender was proven (`Row::proven`).
    pub proven: bool,
}

fn listed(
    station_id: String,
    idempotency_key: String,
    received_ms: i64,
    status: u16,
    answer: &str,
    proven: bool,
) -> Listed {
    let v = serde_json::from_str::<Value>(answer).unwrap_or_default();
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Listed {
        station_id,
        idempotency_key,
        received_ms,
        status,
        result: text("result").unwrap_or_default(),
        reason: text("error"),
        assurance: text("assurance"),
        proven,
    }
}

pub trait Store: Send + Sync {
    /// What was answered before for (station, key), if anything.
    fn lookup<'a>(&'a self, station: &'a str, key: &'a str) -> StoreFuture<'a, Option<Remembered>>;
    /// Stores `row` unless its (station, key) holds a success, or a proven rejection of
    /// another body; then that row is returned (its answer is the answer), else None.
    fn store(&self, row: Row) -> StoreFuture<'_, Option<Remembered>>;
    fn accepted_count(&self) -> StoreFuture<'_, u64>;
    /// Accepted payloads (JSON), oldest first.
    fn accepted_payloads(&self) -> StoreFuture<'_, Vec<Value>>;
    /// Every row, or only those for review (not accepted), oldest first.
    fn list(&self, review_only: bool) -> StoreFuture<'_, Vec<Listed>>;
    /// The database answers.
    fn ping(&self) -> StoreFuture<'_, ()>;
}

/// How long one store call may take by default (`receive --store-timeout`).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5);

/// Opens the store `db` names (migrating its schema), creating a SQLite file when missing,
/// with the default deadline. PostgreSQL connections are made lazily on the runtime that uses
/// the store; the migration runs here on a runtime of its own.
pub fn open(db: &StoreLocation) -> Result<Arc<dyn Store>, String> {
    open_with(db, true, DEFAULT_DEADLINE)
}

/// Like `open`: every call of the store answers within `deadline`, else with
/// `StoreError::Unavailable` (a hung database is a 503 the station retries, not a request
/// that waits with it).
pub fn open_with_deadline(db: &StoreLocation, deadline: Duration) -> Result<Arc<dyn Store>, String> {
    open_with(db, true, deadline)
}

fn open_with(db: &StoreLocation, create: bool, deadline: Duration) -> Result<Arc<dyn Store>, String> {
    let inner: Arc<dyn Store> = match db {
        StoreLocation::Postgres(url) => Arc::new(PgStore::open(url)?.with_deadline(deadline)),
        StoreLocation::Sqlite(path) => {
            if !create && !path.exists() {
                return Err(format!("{}: no such database", path.display()));
            }
            Arc::new(SqliteStore::open_with(path, create).map_err(|e| format!("{}: {e}", path.display()))?)
        }
    };
    Ok(Arc::new(Deadlined { inner, deadline }))
}

/// A store whose every call ends within `deadline`. What was still running is dropped: a
/// PostgreSQL connection it held is not reused (`Conn`), a SQLite call finishes on its
/// blocking thread and is ignored.
struct Deadlined {
    inner: Arc<dyn Store>,
    deadline: Duration,
}

impl Deadlined {
    fn within<'a, T: Send + 'a>(&self, call: StoreFuture<'a, T>) -> StoreFuture<'a, T> {
        let deadline = self.deadline;
        Box::pin(async move {
            match tokio::time::timeout(deadline, call).await {
                Ok(r) => r,
                Err(_) => Err(StoreError::Unavailable(format!(
                    "no answer within {:.1} s",
                    deadline.as_secs_f64()
                ))),
            }
        })
    }
}

impl Store for Deadlined {
    fn lookup<'a>(&'a self, station: &'a str, key: &'a str) -> StoreFuture<'a, Option<Remembered>> {
        self.within(self.inner.lookup(station, key))
    }
    fn store(&self, row: Row) -> StoreFuture<'_, Option<Remembered>> {
        self.within(self.inner.store(row))
    }
    fn accepted_count(&self) -> StoreFuture<'_, u64> {
        self.within(self.inner.accepted_count())
    }
    fn accepted_payloads(&self) -> StoreFuture<'_, Vec<Value>> {
        self.within(self.inner.accepted_payloads())
    }
    fn list(&self, review_only: bool) -> StoreFuture<'_, Vec<Listed>> {
        self.within(self.inner.list(review_only))
    }
    fn ping(&self) -> StoreFuture<'_, ()> {
        self.within(self.inner.ping())
    }
}

/// Runs `f` against the store `db` names (a location, or a SQLite file's path), from synchronous code (CLI, tests), on a runtime
/// of its own on a thread of its own (so it works from inside another runtime too). It reads
/// what is there: a SQLite file that does not exist is an error, never created.
pub fn with_store<'d, D: ?Sized, T: Send>(
    db: &'d D,
    f: impl for<'a> FnOnce(&'a dyn Store) -> StoreFuture<'a, T> + Send,
) -> Result<T, String>
where
    &'d D: Into<StoreLocation>,
{
    let db = db.into();
    on_own_runtime("store", |rt| {
        // Listing a large database may take longer than one request's deadline.
        let store = open_with(&db, false, Duration::from_secs(300))?;
        rt.block_on(f(&*store)).map_err(|e| e.to_string())
    })
}

/// `f` on a thread of its own, with a current-thread runtime of its own: it works from
/// synchronous code and from inside another runtime alike, and what `f` leaves on the runtime
/// (connections and their drivers) ends with it.
fn on_own_runtime<T: Send>(
    what: &str,
    f: impl FnOnce(&tokio::runtime::Runtime) -> Result<T, String> + Send,
) -> Result<T, String> {
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            f(&rt)
        })
        .join()
        .map_err(|_| format!("{what} thread panicked"))?
    })
}
