//! Process hardening (issue #10 item 7), read back from the kernel: in this process after
//! `harden::apply()`, and in a running `madoguchi` from /proc.

use madoguchi::harden::{self, MemoryLock};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn field(text: &str, name: &str) -> Option<String> {
    text.lines()
        .find(|l| l.starts_with(name))
        .map(|l| l[name.len()..].trim().to_string())
}

#[test]
fn start_up_hardening_as_the_kernel_sees_it() {
    let h = harden::apply();
    assert!(!h.dumpable, "PR_SET_DUMPABLE 0");
    assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
    assert_eq!(h.core_limit, 0);
    assert_eq!(h.umask, 0o077);
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    assert_eq!(field(&status, "Umask:").as_deref(), Some("0077"));
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap();
    assert!(core.split_whitespace().nth(4) == Some("0"), "{core}");
    // mlockall only when the limit allows it; never a failure either way.
    let locked_kb: u64 = field(&status, "VmLck:")
        .and_then(|v| v.split_whitespace().next().map(str::to_string))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    match h.memory {
        MemoryLock::All => assert!(locked_kb > 0, "mlockall in force: {status}"),
        MemoryLock::SecretsOnly | MemoryLock::Failed => {}
    }

    // The binary hardens itself before anything else: a long-running command, seen from /proc.
    let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["diagnose", "--watch", "--json", "--no-probe"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let path = format!("/proc/{}/status", child.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        let s = std::fs::read_to_string(&path).unwrap_or_default();
        if field(&s, "Umask:").as_deref() == Some("0077") || Instant::now() > deadline {
            break s;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(field(&status, "Umask:").as_deref(), Some("0077"), "{status}");
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or("");
    assert_eq!(core.split_whitespace().nth(4), Some("0"), "{limits}");
}
