//! The receiver's persistence behind one trait: SQLite (a file, one receiver) or PostgreSQL
//! (`postgres://…`, any number of receivers on one database). Both keep one row per
//! (station_id, idempotency_key), enforced by the database's primary key, and store with
//! "insert, or replace unless the row is a success" semantics: a success is final, a
//! rejection is replaced when a retry is verified again. Verification happens before and
//! outside any of these calls (no transaction is held across it).

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// `postgres://…` or `postgresql://…` selects PostgreSQL; anything else is a SQLite file.
pub fn is_postgres(db: &Path) -> bool {
    db.to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// How long one store call may take by default (`receive --store-timeout`).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5);

/// Opens the store `db` names (migrating its schema), creating a SQLite file when missing,
/// with the default deadline. PostgreSQL connections are made lazily on the runtime that uses
/// the store; the migration runs here on a runtime of its own.
pub fn open(db: &Path) -> Result<Arc<dyn Store>, String> {
    open_with(db, true, DEFAULT_DEADLINE)
}

/// Like `open`: every call of the store answers within `deadline`, else with
/// `StoreError::Unavailable` (a hung database is a 503 the station retries, not a request
/// that waits with it).
pub fn open_with_deadline(db: &Path, deadline: Duration) -> Result<Arc<dyn Store>, String> {
    open_with(db, true, deadline)
}

fn open_with(db: &Path, create: bool, deadline: Duration) -> Result<Arc<dyn Store>, String> {
    let inner: Arc<dyn Store> = if is_postgres(db) {
        let url = db.to_str().unwrap_or_default();
        Arc::new(PgStore::open(url)?.with_deadline(deadline))
    } else {
        if !create && !db.exists() {
            return Err(format!("{}: no such database", db.display()));
        }
        Arc::new(SqliteStore::open_with(db, create).map_err(|e| format!("{}: {e}", db.display()))?)
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

/// Runs `f` against the store `db` names, from synchronous code (CLI, tests), on a runtime
/// of its own on a thread of its own (so it works from inside another runtime too). It reads
/// what is there: a SQLite file that does not exist is an error, never created.
pub fn with_store<T: Send>(
    db: &Path,
    f: impl for<'a> FnOnce(&'a dyn Store) -> StoreFuture<'a, T> + Send,
) -> Result<T, String> {
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            // Listing a large database may take longer than one request's deadline.
            let store = open_with(db, false, Duration::from_secs(300))?;
            rt.block_on(f(&*store)).map_err(|e| e.to_string())
        })
        .join()
        .map_err(|_| "store thread panicked".to_string())?
    })
}

// ---------------------------------------------------------------------------------------------
// SQLite

/// Idempotency keys are per station: (station_id, idempotency_key). `station_id` is the mTLS
/// station when the connection is bound (`station_bound` = 1), else the body's station_id.
macro_rules! schema_sql {
    () => {
        "CREATE TABLE IF NOT EXISTS received (
    station_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    station_bound INTEGER NOT NULL DEFAULT 0,
    body_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL,
    answer TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    payload BLOB,
    PRIMARY KEY (station_id, idempotency_key)
);"
    };
}
const SCHEMA_SQL: &str = schema_sql!();

/// A database from before per-station keys (idempotency_key alone was the primary key) is
/// moved to the new table once; rows without a station (rejections) keep the station ''.
fn migrate(db: &mut Connection) -> rusqlite::Result<()> {
    let keyed_by_station = |db: &Connection| -> rusqlite::Result<bool> {
        db.query_row(
            "SELECT COUNT(*) FROM pragma_table_info('received') WHERE name = 'station_id' AND pk > 0",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    };
    if !keyed_by_station(db)? {
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if !keyed_by_station(&tx)? {
            tx.execute_batch(concat!(
                "ALTER TABLE received RENAME TO received_v0;",
                schema_sql!(),
                "INSERT INTO received (station_id, idempotency_key, station_bound, body_sha256, status, answer, received_ms, payload)
                     SELECT COALESCE(station_id, ''), idempotency_key, 0, body_sha256, status, answer, received_ms, payload
                     FROM received_v0;
                 DROP TABLE received_v0;"
            ))?;
        }
        tx.commit()?;
    }
    add_proven(db)
}

/// Adds `proven` (issue #20: unproven rejections must not hold an id). Rows stored before it
/// are judged by what they hold, like migrations/postgres/0002_proven.sql does.
fn add_proven(db: &mut Connection) -> rusqlite::Result<()> {
    let has = |db: &Connection| -> rusqlite::Result<bool> {
        db.query_row(
            "SELECT COUNT(*) FROM pragma_table_info('received') WHERE name = 'proven'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    };
    if has(db)? {
        return Ok(());
    }
    let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if !has(&tx)? {
        tx.execute_batch(
            r#"ALTER TABLE received ADD COLUMN proven INTEGER NOT NULL DEFAULT 1;
               UPDATE received SET proven = 0
                WHERE station_bound = 0 AND status <> 200
                  AND answer NOT LIKE '%"result":"CERTIFICATE_REVOKED"%'
                  AND answer NOT LIKE '%"result":"CARD_DATA_MISMATCH"%';"#,
        )?;
    }
    tx.commit()
}

/// The receiver's database holds opened payloads (personal data): `db::open` makes its
/// directory 0700 and the file, -wal and -shm 0600. Without `create`, a missing file is an
/// error (operator commands that read).
fn open_sqlite(path: &Path, create: bool) -> rusqlite::Result<Connection> {
    let mut db = if create {
        super::db::open(path, SCHEMA_SQL)?
    } else {
        super::db::open_existing(path, SCHEMA_SQL)?
    };
    migrate(&mut db)?;
    Ok(db)
}

fn sqlite_lookup(db: &Connection, station: &str, key: &str) -> rusqlite::Result<Option<Remembered>> {
    db.query_row(
        "SELECT body_sha256, status, answer, proven FROM received WHERE station_id = ?1 AND idempotency_key = ?2",
        params![station, key],
        |r| {
            Ok(Remembered {
                body_sha256: r.get(0)?,
                status: r.get(1)?,
                answer: r.get(2)?,
                proven: r.get(3)?,
            })
        },
    )
    .optional()
}

pub struct SqliteStore {
    /// Inserts, one at a time (each a synced commit).
    writer: Arc<Mutex<Connection>>,
    /// Lookups, on their own connection (WAL: not behind a writer's commit).
    reader: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens the database, creating it when missing (a receiver).
    pub fn open(path: &Path) -> rusqlite::Result<SqliteStore> {
        SqliteStore::open_with(path, true)
    }

    fn open_with(path: &Path, create: bool) -> rusqlite::Result<SqliteStore> {
        Ok(SqliteStore {
            writer: Arc::new(Mutex::new(open_sqlite(path, create)?)),
            reader: Arc::new(Mutex::new(open_sqlite(path, create)?)),
        })
    }

    /// Runs `f` on one of the connections, on the blocking pool.
    fn call<T: Send + 'static>(
        conn: &Arc<Mutex<Connection>>,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let conn = Arc::clone(conn);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let db = conn.lock().unwrap_or_else(|e| e.into_inner());
                f(&db).map_err(|e| StoreError::Other(e.to_string()))
            })
            .await
            .map_err(|e| StoreError::Other(e.to_string()))?
        })
    }
}

impl Store for SqliteStore {
    fn lookup<'a>(&'a self, station: &'a str, key: &'a str) -> StoreFuture<'a, Option<Remembered>> {
        let (s, k) = (station.to_string(), key.to_string());
        Self::call(&self.reader, move |db| sqlite_lookup(db, &s, &k))
    }

    fn store(&self, row: Row) -> StoreFuture<'_, Option<Remembered>> {
        Self::call(&self.writer, move |db| {
            let n = db.execute(
                "INSERT INTO received (station_id, idempotency_key, station_bound, body_sha256, status, answer, received_ms, payload, proven)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10)
                 ON CONFLICT (station_id, idempotency_key) DO UPDATE SET
                     station_bound = excluded.station_bound, body_sha256 = excluded.body_sha256,
                     status = excluded.status, answer = excluded.answer,
                     received_ms = excluded.received_ms, payload = excluded.payload,
                     proven = excluded.proven
                 WHERE received.status != 200
                   AND (received.body_sha256 IN (excluded.body_sha256, ?9) OR received.proven = 0)",
                params![
                    row.station_id,
                    row.idempotency_key,
                    row.station_bound,
                    row.body_sha256,
                    row.status,
                    row.answer,
                    row.received_ms,
                    row.payload,
                    row.raw_sha256,
                    row.proven
                ],
            )?;
            if n == 1 {
                Ok(None)
            } else {
                sqlite_lookup(db, &row.station_id, &row.idempotency_key)
            }
        })
    }

    fn accepted_count(&self) -> StoreFuture<'_, u64> {
        Self::call(&self.reader, |db| {
            db.query_row("SELECT COUNT(*) FROM received WHERE status = 200", [], |r| r.get(0))
        })
    }

    fn accepted_payloads(&self) -> StoreFuture<'_, Vec<Value>> {
        Self::call(&self.reader, |db| {
            let mut st = db.prepare("SELECT payload FROM received WHERE status = 200 ORDER BY received_ms")?;
            let rows = st
                .query_map([], |r| r.get::<_, Vec<u8>>(0))?
                .filter_map(Result::ok)
                .filter_map(|b| serde_json::from_slice(&b).ok())
                .collect();
            Ok(rows)
        })
    }

    fn list(&self, review_only: bool) -> StoreFuture<'_, Vec<Listed>> {
        Self::call(&self.reader, move |db| {
            let mut st = db.prepare(
                "SELECT station_id, idempotency_key, received_ms, status, answer, proven FROM received
                 WHERE (?1 = 0 OR status != 200) ORDER BY received_ms, station_id, idempotency_key",
            )?;
            let rows = st
                .query_map([review_only], |r| {
                    let answer: String = r.get(4)?;
                    Ok(listed(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, &answer, r.get(5)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Self::call(&self.reader, |db| db.query_row("SELECT 1", [], |_| Ok(())))
    }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/// Versioned migrations, applied in order at start, each once (table `schema_version`).
const PG_MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_received.sql")),
    (2, include_str!("../../migrations/postgres/0002_proven.sql")),
];

/// Key of the advisory lock that serialises migrations of receivers starting together.
const PG_MIGRATION_LOCK: i64 = 0x6d61_646f_6775_6368;

/// Connections kept per receiver.
const PG_POOL_SIZE: usize = 8;

fn pg_error(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        // 08 connection exception, 53 insufficient resources, 57 operator intervention
        // (admin shutdown, cannot connect now).
        Some(db) => {
            let class = &db.code().code()[..2];
            if matches!(class, "08" | "53" | "57") {
                StoreError::Unavailable(db.message().to_string())
            } else {
                StoreError::Other(db.message().to_string())
            }
        }
        // No server answer: I/O, closed connection, connect refused or timed out. Anything
        // else (a value that does not convert, a protocol surprise) is ours to fix, not a
        // reason for stations to retry for ever.
        None if e.is_closed() || io_caused(&e) => StoreError::Unavailable(with_causes(&e)),
        None => StoreError::Other(with_causes(&e)),
    }
}

/// `e` and what lies under it: tokio-postgres says "invalid configuration" or "error
/// performing TLS handshake" and keeps the reason ("password missing", "certificate verify
/// failed") as the source.
fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let c_text = c.to_string();
        if !text.contains(&c_text) {
            text = format!("{text}: {c_text}");
        }
        cause = c.source();
    }
    text
}

/// Whether an I/O error (refused, reset, timed out) lies under `e`.
fn io_caused(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = e.source();
    while let Some(c) = cause {
        if c.is::<std::io::Error>() {
            return true;
        }
        cause = c.source();
    }
    false
}

struct Pool {
    config: tokio_postgres::Config,
    tls: postgres_openssl::MakeTlsConnector,
    idle: Mutex<Vec<tokio_postgres::Client>>,
    slots: tokio::sync::Semaphore,
    /// How long a call waits for a free connection before the store is called unavailable.
    acquire_timeout: Duration,
}

/// A pooled client; back to the pool when dropped only after its call finished (`done`, or an
/// error the server answered): a call dropped at its deadline may still have a statement in
/// flight on a hung server, and a connection that broke is discarded.
struct Conn<'a> {
    pool: &'a Pool,
    client: Option<tokio_postgres::Client>,
    broken: bool,
    finished: bool,
    _slot: tokio::sync::SemaphorePermit<'a>,
}

impl Conn<'_> {
    fn client(&self) -> &tokio_postgres::Client {
        self.client.as_ref().expect("client present until drop")
    }

    /// Maps an error, and discards this connection when the server is out of reach.
    fn fail(&mut self, e: tokio_postgres::Error) -> StoreError {
        let e = pg_error(e);
        match e {
            StoreError::Unavailable(_) => self.broken = true,
            StoreError::Other(_) => self.finished = true,
        }
        e
    }

    /// The call finished: the connection may serve another.
    fn done(&mut self) {
        self.finished = true;
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            if self.finished && !self.broken && !c.is_closed() {
                self.pool.idle.lock().unwrap_or_else(|e| e.into_inner()).push(c);
            }
        }
    }
}

impl Pool {
    async fn get(&self) -> Result<Conn<'_>, StoreError> {
        let slot = tokio::time::timeout(self.acquire_timeout, self.slots.acquire())
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "no database connection free within {:.1} s",
                    self.acquire_timeout.as_secs_f64()
                ))
            })?
            .map_err(|_| StoreError::Other("pool closed".into()))?;
        loop {
            let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            match idle {
                Some(c) if c.is_closed() => continue,
                Some(c) => {
                    return Ok(Conn {
                        pool: self,
                        client: Some(c),
                        broken: false,
                        finished: false,
                        _slot: slot,
                    })
                }
                None => break,
            }
        }
        let (client, connection) = self.config.connect(self.tls.clone()).await.map_err(pg_error)?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Conn {
            pool: self,
            client: Some(client),
            broken: false,
            finished: false,
            _slot: slot,
        })
    }
}

pub struct PgStore {
    pool: Pool,
}

impl PgStore {
    /// Parses `url`, then connects once to apply the migrations (on a runtime of its own).
    /// Password, TLS and CA come from `pgconn::settings` (no password in the URL, `sslmode`
    /// `require` by default).
    pub fn open(url: &str) -> Result<PgStore, String> {
        PgStore::open_with_ca(url, None)
    }

    /// Like `open`, trusting only the CA certificate(s) in `ca` for the server when given.
    pub fn open_with_ca(url: &str, ca: Option<&Path>) -> Result<PgStore, String> {
        let super::pgconn::PgSettings {
            mut config,
            tls,
            password_from,
            ..
        } = super::pgconn::settings(url, ca)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        if config.get_application_name().is_none() {
            config.application_name("madoguchi-receive");
        }
        let store = PgStore {
            pool: Pool {
                config,
                tls,
                idle: Mutex::new(Vec::new()),
                slots: tokio::sync::Semaphore::new(PG_POOL_SIZE),
                acquire_timeout: DEFAULT_DEADLINE,
            },
        };
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                let r = rt.block_on(store.migrate()).map_err(|e| e.to_string());
                // Connections made here belong to this runtime: drop them with it.
                store.pool.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
                r
            })
            .join()
            .map_err(|_| "migration thread panicked".to_string())?
        })
        .map_err(|e| super::pgconn::explain(e, &password_from))?;
        Ok(store)
    }

    /// Applies the missing migrations in one transaction, under an advisory lock so that
    /// receivers starting together apply each once.
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await?;
        let mut client = conn.client.take().expect("client");
        let r = async {
            let tx = client.transaction().await?;
            // A migration may take longer than a request's statement_timeout.
            tx.batch_execute("SET LOCAL statement_timeout = 0").await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PG_MIGRATION_LOCK])
                .await?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_version (
                     version INTEGER PRIMARY KEY,
                     applied_ms BIGINT NOT NULL
                 )",
            )
            .await?;
            let current: i32 = tx
                .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
                .await?
                .get(0);
            for (version, sql) in PG_MIGRATIONS.iter().filter(|(v, _)| *v > current) {
                tx.batch_execute(sql).await?;
                tx.execute(
                    "INSERT INTO schema_version (version, applied_ms) VALUES ($1, $2)",
                    &[version, &super::outbox::now_ms()],
                )
                .await?;
            }
            tx.commit().await
        }
        .await;
        conn.client = Some(client);
        r.map_err(|e| conn.fail(e))?;
        conn.done();
        Ok(())
    }

    /// Calls end within `deadline` (the pool's acquire timeout), and connections made from now
    /// on carry the settings `pg_deadlines` gives them.
    pub fn with_deadline(mut self, deadline: Duration) -> PgStore {
        pg_deadlines(&mut self.pool.config, deadline);
        self.pool.acquire_timeout = deadline;
        self
    }
}

/// What keeps a PostgreSQL connection from hanging a receiver for long: TCP keepalive (a server
/// or network gone without a word is noticed in about a minute, not the kernel's two hours),
/// a TCP user timeout on data the server never acknowledges, and a `statement_timeout` at the
/// store's deadline (the server ends a statement no request waits for any more). The URL's
/// own `options` keep theirs.
fn pg_deadlines(config: &mut tokio_postgres::Config, deadline: Duration) {
    config
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(30))
        .keepalives_interval(Duration::from_secs(10))
        .keepalives_retries(3)
        .tcp_user_timeout(Duration::from_secs(30));
    let mine = format!("-c statement_timeout={}", deadline.as_millis().max(1));
    let options = match config.get_options() {
        Some(o) if o.contains("statement_timeout") => return,
        Some(o) if !o.trim().is_empty() => format!("{o} {mine}"),
        _ => mine,
    };
    config.options(options);
}

impl Store for PgStore {
    fn lookup<'a>(&'a self, station: &'a str, key: &'a str) -> StoreFuture<'a, Option<Remembered>> {
        Box::pin(async move {
            let mut c = self.pool.get().await?;
            let row = c
                .client()
                .query_opt(
                    "SELECT body_sha256, status, answer, proven FROM received WHERE station_id = $1 AND idempotency_key = $2",
                    &[&station, &key],
                )
                .await
                .map_err(|e| c.fail(e))?;
            c.done();
            Ok(row.map(|r| Remembered {
                body_sha256: r.get(0),
                status: r.get::<_, i32>(1) as u16,
                answer: r.get(2),
                proven: r.get(3),
            }))
        })
    }

    fn store(&self, row: Row) -> StoreFuture<'_, Option<Remembered>> {
        Box::pin(async move {
            let mut c = self.pool.get().await?;
            let status = i32::from(row.status);
            let n = c
                .client()
                .execute(
                    "INSERT INTO received (station_id, idempotency_key, station_bound, body_sha256, status, answer, received_ms, payload, proven)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10)
                     ON CONFLICT (station_id, idempotency_key) DO UPDATE SET
                         station_bound = excluded.station_bound, body_sha256 = excluded.body_sha256,
                         status = excluded.status, answer = excluded.answer,
                         received_ms = excluded.received_ms, payload = excluded.payload,
                         proven = excluded.proven
                     WHERE received.status <> 200
                       AND (received.body_sha256 IN (excluded.body_sha256, $9) OR NOT received.proven)",
                    &[
                        &row.station_id,
                        &row.idempotency_key,
                        &row.station_bound,
                        &row.body_sha256,
                        &status,
                        &row.answer,
                        &row.received_ms,
                        &row.payload,
                        &row.raw_sha256,
                        &row.proven,
                    ],
                )
                .await
                .map_err(|e| c.fail(e))?;
            c.done();
            drop(c);
            if n == 1 {
                Ok(None)
            } else {
                self.lookup(&row.station_id, &row.idempotency_key).await
            }
        })
    }

    fn accepted_count(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let mut c = self.pool.get().await?;
            let n: i64 = c
                .client()
                .query_one("SELECT COUNT(*) FROM received WHERE status = 200", &[])
                .await
                .map_err(|e| c.fail(e))?
                .get(0);
            c.done();
            Ok(n as u64)
        })
    }

    fn accepted_payloads(&self) -> StoreFuture<'_, Vec<Value>> {
        Box::pin(async move {
            let mut c = self.pool.get().await?;
            let rows = c
                .client()
                .query(
                    "SELECT payload FROM received WHERE status = 200 ORDER BY received_ms",
                    &[],
                )
                .await
                .map_err(|e| c.fail(e))?;
            c.done();
            Ok(rows
                .iter()
                .filter_map(|r| r.get::<_, Option<Vec<u8>>>(0))
                .filter_map(|b| serde_json::from_slice(&b).ok())
                .collect())
        })
    }

    fn list(&self, review_only: bool) -> StoreFuture<'_, Vec<Listed>> {
        Box::pin(async move {
            let mut c = self.pool.get().await?;
            let rows = c
                .client()
                .query(
                    "SELECT station_id, idempotency_key, received_ms, status, answer, proven FROM received
                     WHERE (NOT $1 OR status <> 200) ORDER BY received_ms, station_id, idempotency_key",
                    &[&review_only],
                )
                .await
                .map_err(|e| c.fail(e))?;
            c.done();
            Ok(rows
                .iter()
                .map(|r| {
                    let answer: String = r.get(4);
                    listed(
                        r.get(0),
                        r.get(1),
                        r.get(2),
                        r.get::<_, i32>(3) as u16,
                        &answer,
                        r.get(5),
                    )
                })
                .collect())
        })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let mut c = self.pool.get().await?;
            c.client().simple_query("SELECT 1").await.map_err(|e| c.fail(e))?;
            c.done();
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_connections_carry_keepalive_and_a_statement_timeout() {
        let mut c: tokio_postgres::Config = "postgres://u@127.0.0.1/db".parse().unwrap();
        pg_deadlines(&mut c, Duration::from_millis(2500));
        assert!(c.get_keepalives());
        assert_eq!(c.get_keepalives_idle(), Duration::from_secs(30));
        assert_eq!(c.get_options(), Some("-c statement_timeout=2500"));
        // The URL's own options stay, and its own statement_timeout wins.
        let mut c: tokio_postgres::Config = "postgres://u@h/db?options=-c%20search_path%3Dx".parse().unwrap();
        pg_deadlines(&mut c, Duration::from_secs(5));
        assert_eq!(c.get_options(), Some("-c search_path=x -c statement_timeout=5000"));
        let mut c: tokio_postgres::Config = "postgres://u@h/db?options=-c%20statement_timeout%3D9000"
            .parse()
            .unwrap();
        pg_deadlines(&mut c, Duration::from_secs(5));
        assert_eq!(c.get_options(), Some("-c statement_timeout=9000"));
    }

    /// A database from before `proven`: its unbound rejections that no signature proved become
    /// unproven (they hold no key any more); bound ones, successes and card-signed verdicts stay.
    #[test]
    fn rows_from_before_proven_are_judged_by_what_they_hold() {
        let dir = std::env::temp_dir().join(format!(
            "madoguchi-store-{}-{}",
            std::process::id(),
            crate::time::unix_ms()
        ));
        let path = dir.join("r.sqlite3");
        let db = super::super::db::open(&path, SCHEMA_SQL).unwrap();
        let answer = |r: &str| serde_json::json!({"result": r, "error": "x"}).to_string();
        for (key, bound, status, result) in [
            ("forged", false, 422, "UNKNOWN_KEY"),
            ("expired", false, 422, "CERTIFICATE_EXPIRED"),
            ("revoked", false, 422, "CERTIFICATE_REVOKED"),
            ("mine", true, 422, "UNKNOWN_KEY"),
            ("ok", false, 200, "OK"),
        ] {
            db.execute(
                "INSERT INTO received VALUES ('s', ?1, ?2, 'h', ?3, ?4, 1, NULL)",
                params![key, bound, status, answer(result)],
            )
            .unwrap();
        }
        drop(db);
        let store = SqliteStore::open(&path).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let rows = rt.block_on(store.list(false)).unwrap();
        let proven = |k: &str| rows.iter().find(|r| r.idempotency_key == k).unwrap().proven;
        assert!(!proven("forged") && !proven("expired"));
        assert!(proven("revoked") && proven("mine") && proven("ok"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
