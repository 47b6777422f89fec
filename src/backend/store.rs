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

/// (body_sha256, status, answer) remembered for (station, key).
pub type Remembered = (String, u16, String);

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
}

fn listed(station_id: String, idempotency_key: String, received_ms: i64, status: u16, answer: &str) -> Listed {
    let v = serde_json::from_str::<Value>(answer).unwrap_or_default();
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Listed {
        station_id,
        idempotency_key,
        received_ms,
        status,
        result: text("result").unwrap_or_default(),
        reason: text("error"),
    }
}

pub trait Store: Send + Sync {
    /// What was answered before for (station, key), if anything.
    fn lookup<'a>(&'a self, station: &'a str, key: &'a str) -> StoreFuture<'a, Option<Remembered>>;
    /// Stores `row` unless a success is already stored under its (station, key); then that
    /// success is returned (its answer is the answer), else None.
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

/// Opens the store `db` names (migrating its schema). PostgreSQL connections are made lazily
/// on the runtime that uses the store; the migration runs here on a runtime of its own.
pub fn open(db: &Path) -> Result<Arc<dyn Store>, String> {
    if is_postgres(db) {
        let url = db.to_str().unwrap_or_default();
        Ok(Arc::new(PgStore::open(url)?))
    } else {
        Ok(Arc::new(
            SqliteStore::open(db).map_err(|e| format!("{}: {e}", db.display()))?,
        ))
    }
}

/// Runs `f` against the store `db` names, from synchronous code (CLI, tests), on a runtime
/// of its own on a thread of its own (so it works from inside another runtime too).
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
            let store = open(db)?;
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
    if keyed_by_station(db)? {
        return Ok(());
    }
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
    tx.commit()
}

/// The receiver's database holds opened payloads (personal data): its directory is made 0700
/// and the file, -wal and -shm 0600 (db::create_private).
pub(crate) fn open_sqlite(path: &Path) -> rusqlite::Result<Connection> {
    super::db::create_private(path).map_err(|e| {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(e.to_string()),
        )
    })?;
    let mut db = super::db::open(path, SCHEMA_SQL)?;
    migrate(&mut db)?;
    Ok(db)
}

fn sqlite_lookup(db: &Connection, station: &str, key: &str) -> rusqlite::Result<Option<Remembered>> {
    db.query_row(
        "SELECT body_sha256, status, answer FROM received WHERE station_id = ?1 AND idempotency_key = ?2",
        params![station, key],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
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
    pub fn open(path: &Path) -> rusqlite::Result<SqliteStore> {
        Ok(SqliteStore {
            writer: Arc::new(Mutex::new(open_sqlite(path)?)),
            reader: Arc::new(Mutex::new(open_sqlite(path)?)),
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
                "INSERT INTO received (station_id, idempotency_key, station_bound, body_sha256, status, answer, received_ms, payload)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (station_id, idempotency_key) DO UPDATE SET
                     station_bound = excluded.station_bound, body_sha256 = excluded.body_sha256,
                     status = excluded.status, answer = excluded.answer,
                     received_ms = excluded.received_ms, payload = excluded.payload
                 WHERE received.status != 200 AND received.body_sha256 IN (excluded.body_sha256, ?9)",
                params![
                    row.station_id,
                    row.idempotency_key,
                    row.station_bound,
                    row.body_sha256,
                    row.status,
                    row.answer,
                    row.received_ms,
                    row.payload,
                    row.raw_sha256
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
                "SELECT station_id, idempotency_key, received_ms, status, answer FROM received
                 WHERE (?1 = 0 OR status != 200) ORDER BY received_ms, station_id, idempotency_key",
            )?;
            let rows = st
                .query_map([review_only], |r| {
                    let answer: String = r.get(4)?;
                    Ok(listed(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, &answer))
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
const PG_MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("../../migrations/postgres/0001_received.sql"))];

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
}

/// A pooled client; back to the pool when dropped unless its connection is closed or broke.
struct Conn<'a> {
    pool: &'a Pool,
    client: Option<tokio_postgres::Client>,
    broken: bool,
    _slot: tokio::sync::SemaphorePermit<'a>,
}

impl Conn<'_> {
    fn client(&self) -> &tokio_postgres::Client {
        self.client.as_ref().expect("client present until drop")
    }

    /// Maps an error, and discards this connection when the server is out of reach.
    fn fail(&mut self, e: tokio_postgres::Error) -> StoreError {
        let e = pg_error(e);
        if matches!(e, StoreError::Unavailable(_)) {
            self.broken = true;
        }
        e
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            if !self.broken && !c.is_closed() {
                self.pool.idle.lock().unwrap_or_else(|e| e.into_inner()).push(c);
            }
        }
    }
}

impl Pool {
    async fn get(&self) -> Result<Conn<'_>, StoreError> {
        let slot = self
            .slots
            .acquire()
            .await
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
        r.map_err(|e| conn.fail(e))
    }
}

impl Store for PgStore {
    fn lookup<'a>(&'a self, station: &'a str, key: &'a str) -> StoreFuture<'a, Option<Remembered>> {
        Box::pin(async move {
            let mut c = self.pool.get().await?;
            let row = c
                .client()
                .query_opt(
                    "SELECT body_sha256, status, answer FROM received WHERE station_id = $1 AND idempotency_key = $2",
                    &[&station, &key],
                )
                .await
                .map_err(|e| c.fail(e))?;
            Ok(row.map(|r| (r.get(0), r.get::<_, i32>(1) as u16, r.get(2))))
        })
    }

    fn store(&self, row: Row) -> StoreFuture<'_, Option<Remembered>> {
        Box::pin(async move {
            let mut c = self.pool.get().await?;
            let status = i32::from(row.status);
            let n = c
                .client()
                .execute(
                    "INSERT INTO received (station_id, idempotency_key, station_bound, body_sha256, status, answer, received_ms, payload)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (station_id, idempotency_key) DO UPDATE SET
                         station_bound = excluded.station_bound, body_sha256 = excluded.body_sha256,
                         status = excluded.status, answer = excluded.answer,
                         received_ms = excluded.received_ms, payload = excluded.payload
                     WHERE received.status <> 200 AND received.body_sha256 IN (excluded.body_sha256, $9)",
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
                    ],
                )
                .await
                .map_err(|e| c.fail(e))?;
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
                    "SELECT station_id, idempotency_key, received_ms, status, answer FROM received
                     WHERE (NOT $1 OR status <> 200) ORDER BY received_ms, station_id, idempotency_key",
                    &[&review_only],
                )
                .await
                .map_err(|e| c.fail(e))?;
            Ok(rows
                .iter()
                .map(|r| {
                    let answer: String = r.get(4);
                    listed(r.get(0), r.get(1), r.get(2), r.get::<_, i32>(3) as u16, &answer)
                })
                .collect())
        })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let mut c = self.pool.get().await?;
            c.client().simple_query("SELECT 1").await.map_err(|e| c.fail(e))?;
            Ok(())
        })
    }
}
