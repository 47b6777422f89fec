//! The one place where madoguchi opens SQLite files: WAL with `synchronous = FULL` (a commit is
//! on disk when it returns), a busy timeout so two connections (station and delivery) wait for
//! each other instead of failing, temp data in memory (no stray files next to the data), and
//! the schema created when missing.
//!
//! A database file is never opened by other means while a connection to it may exist in this
//! process. POSIX locks belong to the process: closing *any* descriptor of the file drops every
//! lock the process holds on it, SQLite's included. Another process (`receive list`, `outbox
//! list`) would then believe it is the last user, checkpoint, and unlink the live `-wal` and
//! `-shm` while this process goes on committing into them (docs/operations.md, "Operator
//! commands beside a running process"). So a missing file is created 0600 once, under a
//! process-wide lock that every open here takes (a brand-new file can have no connection yet);
//! an existing file's mode is fixed by path (stat, chmod), never through a descriptor.
//!
//! The files hold personal data: the directory is created 0700 and the database 0600 before
//! SQLite opens it (SQLite gives its -wal and -shm the database's mode), so nothing is ever
//! readable by others, not even for a moment.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// Held while a database file is created and SQLite opens it: no other thread of this process
/// can open the new file between its creation and the close of the creating descriptor.
static OPENING: Mutex<()> = Mutex::new(());

/// Opens `path`, creating the file (and its directory) private when missing, and applies
/// `schema`: for the stores that write (the station's outbox, a receiver's database).
pub fn open(path: &Path, schema: &str) -> rusqlite::Result<Connection> {
    open_with(path, schema, true)
}

/// Opens `path` only if it exists (an operator command must not leave an empty database
/// behind a typo): a missing file is `SQLITE_CANTOPEN`. The schema is still applied, so a
/// database of an older release gains what this one reads.
pub fn open_existing(path: &Path, schema: &str) -> rusqlite::Result<Connection> {
    open_with(path, schema, false)
}

fn open_with(path: &Path, schema: &str, create: bool) -> rusqlite::Result<Connection> {
    let db = {
        let _one_at_a_time = OPENING.lock().unwrap_or_else(|e| e.into_inner());
        prepare(path, create).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!("{}: {e}", path.display())),
            )
        })?;
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        Connection::open_with_flags(path, flags)?
    };
    db.busy_timeout(Duration::from_secs(10))?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "FULL")?;
    db.pragma_update(None, "temp_store", "MEMORY")?;
    db.execute_batch(schema)?;
    Ok(db)
}

/// Makes `path` a file only its owner may read, before SQLite opens it (under `OPENING`):
/// - the directory is created 0700 when missing (only with `create`);
/// - a missing file is created 0600 (only with `create`), its descriptor closed at once: a new
///   inode, which no connection of this process can hold yet;
/// - an existing file, -wal and -shm with bits for others are chmod'ed 0600 by path.
///
/// SQLite gives the -wal and -shm files it creates the mode of the database file.
fn prepare(path: &Path, create: bool) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if create {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
            }
        }
    }
    match std::fs::metadata(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            // create_new: if another process made it meanwhile, it is an existing file (and
            // this process has no descriptor of it to close).
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
            {
                Ok(created) => drop(created),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        private_by_path(Path::new(&p))?;
    }
    Ok(())
}

/// chmod 0600 when group or others have any bit: stat and chmod by path, no descriptor.
fn private_by_path(p: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(p) {
        Ok(m) if m.permissions().mode() & 0o077 != 0 => {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600))
        }
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether `table` has the column `column` (a key column only, with `key`): how a migration
/// made after the first release sees whether it already ran.
pub fn has_column(db: &Connection, table: &str, column: &str, key: bool) -> rusqlite::Result<bool> {
    db.query_row(
        "SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2 AND (?3 = 0 OR pk > 0)",
        rusqlite::params![table, column, key],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn base(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!(
            "madoguchi-db-{name}-{}-{}",
            std::process::id(),
            crate::time::unix_ms()
        ))
    }

    #[test]
    fn database_wal_and_shm_are_private_from_creation() {
        let base = base("private");
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
        // An existing file that others may read is tightened on the next open.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let db = open(&path, "").unwrap();
        assert_eq!(mode(&path), 0o600);
        drop(db);
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn open_existing_never_creates_a_file() {
        let base = base("existing");
        let path = base.join("none.sqlite3");
        assert!(open_existing(&path, "").is_err());
        assert!(!base.exists(), "neither the directory nor the file was made");
        drop(open(&path, "CREATE TABLE t (x INTEGER);").unwrap());
        let db = open_existing(&path, "").unwrap();
        assert_eq!(
            db.query_row("SELECT COUNT(*) FROM t", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            0
        );
        drop(db);
        let _ = std::fs::remove_dir_all(&base);
    }

    /// The POSIX locks this process holds on the inode of `path` (from /proc/locks).
    fn locks_held(path: &Path) -> usize {
        use std::os::unix::fs::MetadataExt;
        let ino = std::fs::metadata(path).unwrap().ino();
        let pid = std::process::id().to_string();
        std::fs::read_to_string("/proc/locks")
            .unwrap()
            .lines()
            .filter(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                // "1: POSIX  ADVISORY  READ 1234 08:01:5678 128 128"
                f.get(1) == Some(&"POSIX")
                    && f.get(4) == Some(&pid.as_str())
                    && f.get(5).and_then(|d| d.rsplit(':').next()) == Some(ino.to_string().as_str())
            })
            .count()
    }

    /// A second connection in the same process (the station's delivery beside its outbox, a
    /// receiver's reader beside its writer) leaves the first one's locks in place: with them
    /// gone, another process closing its connection would unlink the live WAL.
    #[test]
    fn a_second_open_keeps_the_first_connections_locks() {
        let base = base("locks");
        let path = base.join("x.sqlite3");
        let first = open(&path, "CREATE TABLE IF NOT EXISTS t (x INTEGER);").unwrap();
        first.execute("INSERT INTO t VALUES (1)", []).unwrap();
        let held = locks_held(&path);
        assert!(held > 0, "a WAL connection holds a shared lock on the database file");
        let second = open(&path, "CREATE TABLE IF NOT EXISTS t (x INTEGER);").unwrap();
        assert!(
            locks_held(&path) >= held,
            "opening a second connection dropped the first one's locks"
        );
        // Concurrent opens from several threads: never a descriptor closed under a live one.
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| drop(open(&path, "").unwrap()));
            }
        });
        assert!(locks_held(&path) >= held, "a concurrent open dropped the locks");
        drop((first, second));
        let _ = std::fs::remove_dir_all(&base);
    }
}
