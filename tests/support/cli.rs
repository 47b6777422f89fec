//! The `madoguchi` binary run to its end.

use super::BIN;
use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `madoguchi ARGS…` with `stdin` written to it (a PIN, a password).
pub fn madoguchi(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// `madoguchi ARGS…` to its end: (exit code, stdout, stderr).
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// `madoguchi --config CFG outbox ARGS…`: (exit code, stdout, stderr).
pub fn outbox(cfg: &Path, args: &[&str]) -> (i32, String, String) {
    let mut a: Vec<&OsStr> = vec!["--config".as_ref(), cfg.as_os_str(), "outbox".as_ref()];
    a.extend(args.iter().map(OsStr::new));
    run(&a)
}
