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

/// Prepares a database file that only its owner may read, before SQLite opens it: the
/// directory is created 0700 when missing, the file 0600 from its creation (an existing file and
/// its -wal/-shm are tightened to 0600). SQLite gives the -wal and -shm files it creates the
/// mode of the database file, so they are 0600 from their creation too.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = std::path::PathBuf::from(p);
        match std::fs::metadata(&p) {
            Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?
            }
            _ => {}
        }
    }
    Ok(())
}
