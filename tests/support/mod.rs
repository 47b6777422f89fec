//! Test scaffolding, in one home: every test binary has it as `mod support;`, and
//! `examples/bench_stores.rs` includes this file by path. Each helper is written once here;
//! a test file keeps only what is its own.
//!
//! - `card`: the station's card sign-in (PIN → EF 02 → password → certificate) and one
//!   enrollment through a station store;
//! - `records`: records and requests for the receiver (unsigned, signed, card-authenticated);
//! - `pg`: a private PostgreSQL cluster, and `both_stores!` (one scenario on SQLite and on
//!   PostgreSQL);
//! - `receiver`: a receiver in this process; `receiver_bin`: the binary as a process;
//! - `station`: a station's configuration file beside its terms;
//! - `cli`: the `madoguchi` binary run to its end;
//! - `pcscd`: turns on the vpcd reader, a virtual card inserted in it;
//! - `tmux`: the station on a terminal;
//! - `live_db`: what a live process holds of its SQLite files;
//! - `status`: a running station's status socket, and the programs a screenshot test starts.
//!
//! The parts that run the binary are for tests only (`CARGO_BIN_EXE_madoguchi` is set for
//! tests, not for examples).
#![allow(dead_code, unused_imports, unused_macros)]

pub mod card;
#[cfg(test)]
pub mod cli;
pub mod live_db;
#[cfg(test)]
pub mod pcscd;
pub mod pg;
pub mod receiver;
#[cfg(test)]
pub mod receiver_bin;
pub mod records;
#[cfg(test)]
pub mod station;
#[cfg(test)]
pub mod status;
#[cfg(test)]
pub mod tmux;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The binary under test.
#[cfg(test)]
pub const BIN: &str = env!("CARGO_BIN_EXE_madoguchi");

/// How long a test waits for what it expects (a screen, a card, a reader) before failing.
/// Generous, because a loaded machine (a build beside the tests on two cores) is slow; a wait
/// ends as soon as its condition holds, so a passing run does not pay for it.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Written past the test harness's capture (it only captures the print macros), so a skip is
/// seen in a plain `cargo test` run.
pub fn skipped(why: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}

/// Waits until `cond` holds, failing the test past `DEADLINE`.
pub fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Seconds in a day (certificate and CRL times).
pub const DAY: i64 = 86_400;

/// A path under the temp dir no other test or process uses: the test binary's name, `name`,
/// the process id and a sequence number (short: unix sockets live under some of them). Not
/// created; whatever a dead process of the same id left there is removed.
pub fn temp_path(name: &str) -> PathBuf {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let p = std::env::temp_dir().join(format!(
        "madoguchi-{}-{name}-{}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&p);
    p
}

/// A new empty directory of the test's own (`temp_path`).
pub fn tmp(name: &str) -> PathBuf {
    let d = temp_path(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Seconds since the epoch, now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A random number from the system's generator (openssl).
pub fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    openssl::rand::rand_bytes(&mut b).unwrap();
    u64::from_le_bytes(b)
}

/// A random number in `lo..hi`.
pub fn random_in(lo: u64, hi: u64) -> u64 {
    lo + random_u64() % (hi - lo)
}
