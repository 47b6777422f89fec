//! Process hardening at start-up, before any PIN or card data exists in memory:
//!
//! - `PR_SET_DUMPABLE 0`: no core dump, no ptrace by other processes of the same user, and
//!   `/proc/PID/mem` closed to them;
//! - `RLIMIT_CORE 0`: no core file even if something turns dumping back on;
//! - `umask 077`: every file the process creates is private from creation;
//! - `mlockall(MCL_CURRENT | MCL_FUTURE)` only when `RLIMIT_MEMLOCK` is unlimited or far above
//!   what the station uses: past the limit MCL_FUTURE makes later allocations fail, which
//!   aborts the process. Otherwise only the secret buffers are locked (`secret.rs`), and the
//!   diagnostics say so once.

/// What start-up achieved, for diagnostics (`madoguchi diagnose --json`, the status socket).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Hardening {
    pub dumpable: bool,
    pub core_limit: u64,
    pub umask: u32,
    pub memory: MemoryLock,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryLock {
    /// All pages locked (mlockall).
    All,
    /// The limit is too low for mlockall: only the secret buffers are locked.
    SecretsOnly,
    /// mlockall was allowed by the limit but refused by the kernel.
    Failed,
}

/// Memory the station may use at its peak, with room: mlockall needs at least this.
const MLOCKALL_MIN: u64 = 256 * 1024 * 1024;

pub fn apply() -> Hardening {
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &zero);
        libc::umask(0o077);
    }
    let memory = if memlock_limit().is_none_or(|l| l >= MLOCKALL_MIN) {
        if unsafe { libc::mlockall(libc::MCL_CURRENT | libc::MCL_FUTURE) } == 0 {
            MemoryLock::All
        } else {
            MemoryLock::Failed
        }
    } else {
        MemoryLock::SecretsOnly
    };
    let h = current(memory);
    if h.memory != MemoryLock::All {
        tracing::warn!(memory = ?h.memory, "memory is not locked as a whole; secret buffers are locked one by one");
    }
    h
}

/// The soft RLIMIT_MEMLOCK, None when unlimited.
fn memlock_limit() -> Option<u64> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    if unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut r) } != 0 {
        return Some(0);
    }
    (r.rlim_cur != libc::RLIM_INFINITY).then_some(r.rlim_cur)
}

/// The process's state as the kernel reports it.
pub fn current(memory: MemoryLock) -> Hardening {
    let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) } != 0;
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut r) };
    // umask can only be read by setting it: set and restore.
    let umask = unsafe {
        let m = libc::umask(0o077);
        libc::umask(m);
        m
    };
    Hardening {
        dumpable,
        core_limit: r.rlim_cur,
        umask: umask as u32,
        memory,
    }
}

static APPLIED: std::sync::OnceLock<Hardening> = std::sync::OnceLock::new();

/// Applies once per process and remembers the result.
pub fn once() -> Hardening {
    *APPLIED.get_or_init(apply)
}

/// The result of [`once`], if it ran.
pub fn applied() -> Option<Hardening> {
    APPLIED.get().copied()
}

/// Locks the pages of a secret buffer in memory (best effort; never fails the caller). With
/// mlockall in force it is already locked.
pub fn lock_buffer(ptr: *const u8, len: usize) {
    if len > 0 && applied().is_none_or(|h| h.memory != MemoryLock::All) {
        unsafe { libc::mlock(ptr as *const libc::c_void, len) };
    }
}

/// Undoes [`lock_buffer`] (after the buffer was zeroized).
pub fn unlock_buffer(ptr: *const u8, len: usize) {
    if len > 0 && applied().is_none_or(|h| h.memory != MemoryLock::All) {
        unsafe { libc::munlock(ptr as *const libc::c_void, len) };
    }
}
