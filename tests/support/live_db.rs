//! What a live process holds of its SQLite files, seen from outside: the descriptors in
//! /proc/PID/fd. A `-wal` or `-shm` shown "(deleted)" is one another process unlinked under
//! it (its commits from then on are lost when it dies).

/// The targets of `pid`'s descriptors whose path contains `name` and that are unlinked.
pub fn deleted_files(pid: i32, name: &str) -> Vec<String> {
    open_files(pid, name)
        .into_iter()
        .filter(|t| t.ends_with(" (deleted)"))
        .collect()
}

/// The targets of `pid`'s descriptors whose path contains `name`.
pub fn open_files(pid: i32, name: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .map(|t| t.to_string_lossy().into_owned())
        .filter(|t| t.contains(name))
        .collect()
}

/// Asserts that `pid` holds `name`'s database, and that none of its files is unlinked.
pub fn assert_linked(pid: i32, name: &str, after: &str) {
    let open = open_files(pid, name);
    assert!(!open.is_empty(), "process {pid} holds no {name} (after {after})");
    let deleted = deleted_files(pid, name);
    assert!(
        deleted.is_empty(),
        "after {after}, process {pid} writes into unlinked files: {deleted:?}"
    );
}

/// SIGKILL and reap (our own child).
pub fn kill9(child: &mut std::process::Child) {
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    let _ = child.wait();
}
