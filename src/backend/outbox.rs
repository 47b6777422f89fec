//! The outbox: one SQLite row per enrollment (WAL, `synchronous = FULL`). `enqueue` returns
//! only after the row is committed and synced — that is what lets the screen say 完了. Rows
//! are never deleted or evicted: delivered rows stay as receipts, permanent verdicts go to
//! `review`. The body is the sealed envelope (or, only with `seal = false`, the plain payload);
//! the other columns hold only what delivery needs, never personal data.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::path::Path;

/// The columns `entry` reads, in its order: a literal, so queries are put together at compile
/// time (no SQL built at run time).
macro_rules! outbox_cols {
    () => {
        "id, station_id, created_ms, status, attempts, next_attempt_ms, last_error, sealed, carried_ms, assurance"
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Delivered,
    Review,
}

impl Status {
    fn parse(s: &str) -> Status {
        match s {
            "delivered" => Status::Delivered,
            "review" => Status::Review,
            _ => Status::Pending,
        }
    }
}

/// A row without its body: safe to list and show.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub station_id: String,
    pub created_ms: i64,
    pub status: Status,
    pub attempts: u32,
    pub next_attempt_ms: i64,
    pub last_error: Option<String>,
    pub sealed: bool,
    /// Written to a hand-carry file (`outbox export`) while undelivered. It stays in the
    /// queue: a later network delivery is answered as a duplicate and marks it delivered.
    pub carried: bool,
    /// The record's assurance level (`signed`, `card-authenticated`, `unauthenticated`): not
    /// personal, kept beside the sealed body so `outbox list` can say it. None for rows
    /// stored before the levels.
    pub assurance: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub pending: u64,
    pub review: u64,
    pub oldest_pending_ms: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("the queue is full ({0} undelivered records)")]
    Full(u64),
    #[error("no record {0}")]
    NotFound(String),
    /// `open_existing` of a path where nothing was stored yet.
    #[error("{0}: no outbox here (nothing was stored yet, or another path is configured)")]
    Missing(String),
}

pub struct Outbox {
    db: Connection,
    limit: u64,
}

use crate::time::unix_ms;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    station_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    body BLOB NOT NULL,
    sealed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','delivered','review')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_error TEXT,
    delivered_ms INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_ms);";

impl Outbox {
    /// Opens the outbox, creating it when missing (the station, its delivery).
    pub fn open(path: &Path, limit: u64) -> Result<Outbox, OutboxError> {
        Outbox::with(super::db::open(path, SCHEMA)?, limit)
    }

    /// Opens an outbox that exists (the `outbox` commands: an operator's typo leaves no
    /// empty database behind).
    pub fn open_existing(path: &Path, limit: u64) -> Result<Outbox, OutboxError> {
        if !path.exists() {
            return Err(OutboxError::Missing(path.display().to_string()));
        }
        Outbox::with(super::db::open_existing(path, SCHEMA)?, limit)
    }

    fn with(db: Connection, limit: u64) -> Result<Outbox, OutboxError> {
        // Added after the first release (carried_ms) and with the assurance levels (#22,
        // assurance): outboxes made before gain the column on open.
        for (column, kind) in [("carried_ms", "INTEGER"), ("assurance", "TEXT")] {
            if !super::db::has_column(&db, "outbox", column, false)? {
                db.execute_batch(&format!("ALTER TABLE outbox ADD COLUMN {column} {kind}"))?;
            }
        }
        Ok(Outbox { db, limit })
    }

    pub fn stats(&self) -> Result<Stats, OutboxError> {
        let (pending, oldest): (u64, Option<i64>) = self.db.query_row(
            "SELECT COUNT(*), MIN(created_ms) FROM outbox WHERE status = 'pending'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let review: u64 = self
            .db
            .query_row("SELECT COUNT(*) FROM outbox WHERE status = 'review'", [], |r| r.get(0))?;
        Ok(Stats {
            pending,
            review,
            oldest_pending_ms: oldest,
        })
    }

    /// A new enrollment may start only while undelivered records are under the limit.
    pub fn can_start_new(&self) -> Result<bool, OutboxError> {
        let s = self.stats()?;
        Ok(s.pending + s.review < self.limit)
    }

    /// Stores a record durably. Refuses (never evicts) when the queue is full.
    pub fn enqueue(
        &mut self,
        id: &str,
        station_id: &str,
        created_ms: i64,
        body: &[u8],
        sealed: bool,
    ) -> Result<(), OutboxError> {
        self.enqueue_record(id, station_id, created_ms, body, sealed, None)
    }

    /// [`Outbox::enqueue`] with the record's assurance level beside it.
    pub fn enqueue_record(
        &mut self,
        id: &str,
        station_id: &str,
        created_ms: i64,
        body: &[u8],
        sealed: bool,
        assurance: Option<&str>,
    ) -> Result<(), OutboxError> {
        // IMMEDIATE: take the write lock up front. A deferred transaction that reads, then
        // writes, fails at once with SQLITE_BUSY when delivery wrote in between.
        let tx = self
            .db
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let undelivered: u64 = tx.query_row("SELECT COUNT(*) FROM outbox WHERE status != 'delivered'", [], |r| {
            r.get(0)
        })?;
        if undelivered >= self.limit {
            return Err(OutboxError::Full(undelivered));
        }
        tx.execute(
            "INSERT INTO outbox (id, station_id, created_ms, body, sealed, status, next_attempt_ms, assurance) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?3, ?6)",
            params![id, station_id, created_ms, body, sealed, assurance],
        )?;
        // With synchronous=FULL the commit is fsync'd before it returns.
        tx.commit()?;
        Ok(())
    }

    fn entry(r: &rusqlite::Row) -> rusqlite::Result<Entry> {
        Ok(Entry {
            id: r.get(0)?,
            station_id: r.get(1)?,
            created_ms: r.get(2)?,
            status: Status::parse(&r.get::<_, String>(3)?),
            attempts: r.get(4)?,
            next_attempt_ms: r.get(5)?,
            last_error: r.get(6)?,
            sealed: r.get(7)?,
            carried: r.get::<_, Option<i64>>(8)?.is_some(),
            assurance: r.get(9)?,
        })
    }

    pub fn list(&self) -> Result<Vec<Entry>, OutboxError> {
        let mut st = self
            .db
            .prepare(concat!("SELECT ", outbox_cols!(), " FROM outbox ORDER BY created_ms"))?;
        let rows = st.query_map([], Self::entry)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Pending rows due at `now`, oldest first, with their bodies.
    pub fn due(&self, now: i64, max: usize) -> Result<Vec<(Entry, Vec<u8>)>, OutboxError> {
        let mut st = self.db.prepare(concat!(
            "SELECT ",
            outbox_cols!(),
            ", body FROM outbox WHERE status = 'pending' AND next_attempt_ms <= ?1 ORDER BY created_ms LIMIT ?2"
        ))?;
        let rows = st
            .query_map(params![now, max as i64], |r| {
                Ok((Self::entry(r)?, r.get::<_, Vec<u8>>(10)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// When the next pending row becomes due.
    pub fn next_due(&self) -> Result<Option<i64>, OutboxError> {
        Ok(self
            .db
            .query_row(
                "SELECT MIN(next_attempt_ms) FROM outbox WHERE status = 'pending'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    pub fn mark_delivered(&mut self, id: &str) -> Result<(), OutboxError> {
        self.db.execute(
            "UPDATE outbox SET status = 'delivered', delivered_ms = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
            params![id, unix_ms()],
        )?;
        Ok(())
    }

    /// Schedules another attempt (the schedule is persisted: a restart continues it).
    pub fn mark_retry(&mut self, id: &str, next_attempt_ms: i64, error: &str) -> Result<(), OutboxError> {
        self.db.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3 WHERE id = ?1 AND status = 'pending'",
            params![id, next_attempt_ms, error],
        )?;
        Ok(())
    }

    /// A permanent verdict: kept for a person to review, never retried by itself.
    pub fn mark_review(&mut self, id: &str, error: &str) -> Result<(), OutboxError> {
        self.db.execute(
            "UPDATE outbox SET status = 'review', attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![id, error],
        )?;
        Ok(())
    }

    /// Puts a review row back in the queue (after the backend was fixed).
    pub fn retry(&mut self, id: &str) -> Result<(), OutboxError> {
        let n = self.db.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_ms = ?2 WHERE id = ?1 AND status = 'review'",
            params![id, unix_ms()],
        )?;
        if n == 0 {
            return Err(OutboxError::NotFound(id.to_string()));
        }
        Ok(())
    }

    /// Marks rows as written to a hand-carry file (after the file is synced). Delivered rows
    /// are left as they are.
    pub fn mark_carried(&mut self, ids: &[String]) -> Result<(), OutboxError> {
        let tx = self.db.transaction()?;
        for id in ids {
            tx.execute(
                "UPDATE outbox SET carried_ms = ?2 WHERE id = ?1 AND status != 'delivered'",
                params![id, unix_ms()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Makes every pending row due now (`outbox flush`).
    pub fn make_all_due(&mut self) -> Result<(), OutboxError> {
        self.db.execute(
            "UPDATE outbox SET next_attempt_ms = ?1 WHERE status = 'pending'",
            params![unix_ms()],
        )?;
        Ok(())
    }

    /// Undelivered rows with their (sealed) bodies, for hand-carry export.
    /// The stored body of one record (sealed when the station seals).
    pub fn body(&self, id: &str) -> Result<Vec<u8>, OutboxError> {
        self.db
            .query_row("SELECT body FROM outbox WHERE id = ?1", params![id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| OutboxError::NotFound(id.to_string()))
    }

    pub fn undelivered(&self) -> Result<Vec<(Entry, Vec<u8>)>, OutboxError> {
        let mut st = self.db.prepare(concat!(
            "SELECT ",
            outbox_cols!(),
            ", body FROM outbox WHERE status != 'delivered' ORDER BY created_ms"
        ))?;
        let rows = st
            .query_map([], |r| Ok((Self::entry(r)?, r.get::<_, Vec<u8>>(10)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("madoguchi-outbox-{}-{name}-{}", std::process::id(), unix_ms()));
        std::fs::create_dir_all(&d).unwrap();
        d.join("outbox.sqlite3")
    }

    #[test]
    fn lifecycle_and_limit() {
        let path = tmp("life");
        let mut o = Outbox::open(&path, 2).unwrap();
        o.enqueue("a", "s", 1, b"body-a", true).unwrap();
        o.enqueue("b", "s", 2, b"body-b", true).unwrap();
        assert!(!o.can_start_new().unwrap());
        assert!(matches!(o.enqueue("c", "s", 3, b"x", true), Err(OutboxError::Full(2))));
        assert_eq!(o.list().unwrap().len(), 2, "nothing evicted");
        let due = o.due(10, 10).unwrap();
        assert_eq!(due.len(), 2);
        assert_eq!(due[0].1, b"body-a");
        o.mark_retry("a", 1_000, "503").unwrap();
        o.mark_review("b", "CERTIFICATE_EXPIRED").unwrap();
        assert_eq!(o.due(10, 10).unwrap().len(), 0);
        assert_eq!(o.next_due().unwrap(), Some(1_000));
        let s = o.stats().unwrap();
        assert_eq!((s.pending, s.review, s.oldest_pending_ms), (1, 1, Some(1)));
        o.retry("b").unwrap();
        assert!(o.retry("zzz").is_err());
        o.mark_carried(&["b".into()]).unwrap();
        o.mark_delivered("a").unwrap();
        assert!(o.can_start_new().unwrap());
        // Reopened: everything still there, the schedule too.
        drop(o);
        let mut o = Outbox::open(&path, 2).unwrap();
        let l = o.list().unwrap();
        assert_eq!(l.iter().find(|e| e.id == "a").unwrap().status, Status::Delivered);
        assert_eq!(l.iter().find(|e| e.id == "b").unwrap().status, Status::Pending);
        assert!(l.iter().find(|e| e.id == "b").unwrap().carried, "carried, still queued");
        assert!(!l.iter().find(|e| e.id == "a").unwrap().carried);
        assert!(o.enqueue("a", "s", 9, b"again", true).is_err(), "an id is stored once");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    /// An outbox of the first release (no carried_ms column) opens and gains it.
    #[test]
    fn a_first_release_outbox_gains_the_carried_column() {
        let path = tmp("old");
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE outbox (id TEXT PRIMARY KEY, station_id TEXT NOT NULL, created_ms INTEGER NOT NULL,
              body BLOB NOT NULL, sealed INTEGER NOT NULL,
              status TEXT NOT NULL CHECK (status IN ('pending','delivered','review')),
              attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL, last_error TEXT,
              delivered_ms INTEGER);
             INSERT INTO outbox VALUES ('old', 's', 1, x'7b7d', 1, 'pending', 0, 1, NULL, NULL);",
        )
        .unwrap();
        drop(db);
        let mut o = Outbox::open(&path, 10).unwrap();
        assert!(!o.list().unwrap()[0].carried);
        o.mark_carried(&["old".into()]).unwrap();
        assert!(o.list().unwrap()[0].carried);
        assert_eq!(o.due(10, 10).unwrap()[0].1, b"{}");
        assert_eq!(o.list().unwrap()[0].assurance, None, "stored before the levels");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    /// The level goes beside the (sealed) body, so `outbox list` says it without opening it.
    #[test]
    fn the_assurance_level_is_kept_beside_the_body() {
        let path = tmp("level");
        let mut o = Outbox::open(&path, 10).unwrap();
        o.enqueue_record("a", "s", 1, b"sealed-a", true, Some("card-authenticated"))
            .unwrap();
        o.enqueue_record("b", "s", 2, b"sealed-b", true, Some("signed"))
            .unwrap();
        o.enqueue("c", "s", 3, b"sealed-c", true).unwrap();
        drop(o);
        let o = Outbox::open(&path, 10).unwrap();
        let levels: Vec<Option<String>> = o.list().unwrap().into_iter().map(|e| e.assurance).collect();
        assert_eq!(
            levels,
            [Some("card-authenticated".to_string()), Some("signed".to_string()), None]
        );
        // The body is still the one stored, at its column.
        assert_eq!(o.due(10, 10).unwrap()[0].1, b"sealed-a");
        assert_eq!(o.undelivered().unwrap()[1].1, b"sealed-b");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
