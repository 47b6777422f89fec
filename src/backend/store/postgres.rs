//! The store in PostgreSQL: any number of receivers on one database, a small pool of
//! connections per receiver, versioned migrations applied once at start, and deadlines that
//! keep a hung server from hanging a request (`pg_deadlines`).

use super::{listed, Listed, Remembered, Row, Store, StoreError, StoreFuture, DEFAULT_DEADLINE};
use serde_json::Value;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// Versioned migrations, applied in order at start, each once (table `schema_version`).
const PG_MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../../migrations/postgres/0001_received.sql")),
    (2, include_str!("../../../migrations/postgres/0002_proven.sql")),
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
        let crate::backend::pgconn::PgSettings {
            mut config,
            tls,
            password_from,
            ..
        } = crate::backend::pgconn::settings(url, ca)?;
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
        super::on_own_runtime("migration", |rt| {
            let r = rt.block_on(store.migrate()).map_err(|e| e.to_string());
            // Connections made here belong to this runtime: drop them with it.
            store.pool.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
            r
        })
        .map_err(|e| crate::backend::pgconn::explain(e, &password_from))?;
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
                    &[version, &crate::time::unix_ms()],
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
}
