//! The store in a SQLite file: one receiver, a writer connection for inserts (each a synced
//! commit) and a reader beside it (WAL), both on the blocking pool.

use super::{listed, Listed, Remembered, Row, Store, StoreError, StoreFuture};
use crate::backend::db::has_column;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, Mutex};

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
    let keyed_by_station = |db: &Connection| has_column(db, "received", "station_id", true);
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
    let has = |db: &Connection| has_column(db, "received", "proven", false);
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
        crate::backend::db::open(path, SCHEMA_SQL)?
    } else {
        crate::backend::db::open_existing(path, SCHEMA_SQL)?
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

    pub(super) fn open_with(path: &Path, create: bool) -> rusqlite::Result<SqliteStore> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let db = crate::backend::db::open(&path, SCHEMA_SQL).unwrap();
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
