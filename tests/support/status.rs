//! A running station seen from outside, as support staff see it: its status socket
//! (`madoguchi status --json`) in a runtime directory of its own, and the programs a
//! screenshot test starts, killed when the test ends.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed and reaped when dropped (Xvfb, xterm, cage).
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `dir/run`, private (0700): the station's `XDG_RUNTIME_DIR`, its status socket there.
pub fn runtime_dir(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let run = dir.join("run");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    run
}

/// What the station of `run` says (`madoguchi status --json`, run as `status` makes it: the
/// station answers only its own user), if it answers.
pub fn status_of(mut status: Command, run: &Path) -> Option<Value> {
    let out = status
        .args(["status", "--json"])
        .env("XDG_RUNTIME_DIR", run)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    serde_json::from_slice(&out.stdout).ok()
}

/// Waits (at most `within`) until the station of `run` is on `step` with no card request in
/// flight: keys typed while the card works are not taken, so each key waits for the screen
/// that takes it.
pub fn wait_step(run: &Path, step: &str, within: Duration, status: impl Fn() -> Command) {
    let started = Instant::now();
    loop {
        let s = status_of(status(), run);
        if s.as_ref().is_some_and(|s| s["step"] == step && s["busy"] == false) {
            return;
        }
        assert!(started.elapsed() < within, "timed out waiting for {step}: {s:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
