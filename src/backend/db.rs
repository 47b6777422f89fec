//! How every SQLite file of madoguchi is opened: WAL with `synchronous = FULL` (a commit is on
//! disk when it returns), a busy timeout so two connections (station and delivery) wait for
//! each other instead of failing, temp data in memory (no stray files next to the data), and
//! the schema created when missing. The files hold personal data: the directory is created
//! 0700 and the database 0600 before SQLite opens it (SQLite gives its -wal and -shm the
//! database's mode), so nothing is ever readable by others, not even for a moment.

use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

pub fn open(path: &Path, schema: &str) -> rusqlite::Result<Connection> {
    create_private(path).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn database_wal_and_shm_are_private_from_creation() {
        let base = std::env::temp_dir().join(format!(
            "madoguchi-db-{}-{}",
            std::process::id(),
            crate::time::unix_ms()
        ));
        let path = base.join("sub").join("x.sqlite3");
        // A permissive umask must not matter.
        let old = unsafe { libc::umask(0o022) };
        let db = open(&path, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);").unwrap();
        unsafe { libc::umask(old) };
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&base.join("sub")), 0o700);
        assert_eq!(mode(&path), 0o600);
        for ext in ["-wal", "-shm"] {
            let p = base.join("sub").join(format!("x.sqlite3{ext}"));
            assert!(p.exists(), "{ext} exists while open");
            assert_eq!(mode(&p), 0o600, "{ext}");
        }
        drop(db);
        let _ = std::fs::remove_dir_all(&base);
    }
}
