//! How every SQLite file of madoguchi is opened: WAL with `synchronous = FULL` (a commit is on
//! disk when it returns), a busy timeout so two connections (station and delivery) wait for
//! each other instead of failing, temp data in memory (no stray files next to the data), and
//! the schema created when missing.

use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

pub fn open(path: &Path, schema: &str) -> rusqlite::Result<Connection> {
    let db = Connection::open(path)?;
    db.busy_timeout(Duration::from_secs(10))?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "FULL")?;
    db.pragma_update(None, "temp_store", "MEMORY")?;
    db.execute_batch(schema)?;
    Ok(db)
}
