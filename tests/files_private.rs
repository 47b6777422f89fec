//! Files with secrets in them are private from creation, and the log is never written
//! through a symlink (issue #10 item 8). The outbox side is covered in backend::db's tests.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn log_file_is_0600_and_refuses_a_planted_symlink() {
    let dir = std::env::temp_dir().join(format!("madoguchi-logs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let bin = env!("CARGO_BIN_EXE_madoguchi");
    let log = dir.join("station.log");
    let _ = Command::new(bin)
        .args([
            "--log-file",
            log.to_str().unwrap(),
            "outbox",
            "list",
            "--config",
            "/nonexistent",
        ])
        .output()
        .unwrap();
    assert!(log.exists());
    assert_eq!(std::fs::metadata(&log).unwrap().permissions().mode() & 0o777, 0o600);

    // A log left world-readable (by hand, by an older version) is made private on open.
    let old = dir.join("old.log");
    std::fs::write(&old, "earlier lines\n").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _ = Command::new(bin)
        .args([
            "--log-file",
            old.to_str().unwrap(),
            "outbox",
            "list",
            "--config",
            "/nonexistent",
        ])
        .output()
        .unwrap();
    assert_eq!(std::fs::metadata(&old).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(&old).unwrap().starts_with("earlier lines\n"),
        "appended, not replaced"
    );
    // A FIFO is no log file: refused at once, not waited on for ever.
    let fifo = dir.join("fifo.log");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) on a NUL-terminated path of ours.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = Command::new(bin)
        .args([
            "--log-file",
            fifo.to_str().unwrap(),
            "outbox",
            "list",
            "--config",
            "/nonexistent",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));

    let target = dir.join("victim");
    std::fs::write(&target, "keep").unwrap();
    let link = dir.join("link.log");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = Command::new(bin)
        .args([
            "--log-file",
            link.to_str().unwrap(),
            "outbox",
            "list",
            "--config",
            "/nonexistent",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open log file"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    let _ = std::fs::remove_dir_all(&dir);
}
