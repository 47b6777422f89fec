//! Crash safety: a station process stores records and delivers them in the background and is
//! killed with SIGKILL at random moments (during an insert, during delivery, between the
//! receiver's 2xx and the local mark). In each round an operator command runs beside it on the
//! same files (`outbox list`, `outbox export`, `receive list`, `receive import`): the station's
//! `-wal` and `-shm` stay linked. After a restart drains the queue, every record that was
//! confirmed is in the receiver's store exactly once.

mod support;

use madoguchi::backend::outbox::{Outbox, Status};
use madoguchi::backend::receiver;
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;
use support::live_db;

fn helper() -> PathBuf {
    // cargo test builds the examples next to the test binaries' directory.
    let exe = std::env::current_exe().unwrap();
    let p = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join("crash_station");
    assert!(p.exists(), "{} missing (cargo test builds examples)", p.display());
    p
}

/// Round `round`'s operator command, by `madoguchi` as a process: (exit code, what, stderr).
fn operator_command(
    round: usize,
    cfg: &std::path::Path,
    receiver_db: &std::path::Path,
    ca: &std::path::Path,
    carried: &std::path::Path,
) -> (i32, String, String) {
    let (c, r, a, f) = (
        cfg.to_str().unwrap(),
        receiver_db.to_str().unwrap(),
        ca.to_str().unwrap(),
        carried.to_str().unwrap(),
    );
    let _ = std::fs::remove_file(carried);
    let args: Vec<&str> = match round % 4 {
        0 => vec!["--config", c, "outbox", "list"],
        1 => vec!["--config", c, "outbox", "export", f],
        2 => vec!["receive", "list", "--db", r],
        // The records are unsigned: a carried file binds no station, so they are refused (exit
        // 3), after the receiver's store was opened and closed like any import's.
        _ => {
            let _ = std::process::Command::new(support::BIN)
                .args(["--config", c, "outbox", "export", f])
                .output();
            vec!["receive", "import", "--db", r, "--trust-ca", a, "--no-crl", f]
        }
    };
    let (code, _, err) = support::cli::run(&args);
    (code, args.join(" "), err)
}

#[test]
fn sigkill_at_random_points_loses_nothing_and_duplicates_nothing() {
    let dir = support::tmp("crash");
    let pki = madoguchi::card::vcard::pki::TestPki::generate().unwrap();
    // The helper stores unsigned records: the receiver takes them only over mTLS from the
    // station its client certificate names, and only when allowed.
    let (_tls, rx) = support::receiver::bound(&dir, "crash", dir.join("receiver.sqlite3"), &pki.sign_ca.cert);
    let url = rx.url(true);
    let bin = helper();
    let outbox_db = dir.join("outbox.sqlite3");
    let receiver_db = dir.join("receiver.sqlite3");
    let ca = dir.join("sign-ca.pem");
    std::fs::write(&ca, pki.sign_ca.cert.to_pem().unwrap()).unwrap();
    let cfg = dir.join("station.toml");
    std::fs::write(&cfg, format!("[backend]\noutbox = \"{}\"\n", outbox_db.display())).unwrap();
    let carried = dir.join("carried.jsonl");
    let mut confirmed = HashSet::new();
    for round in 0..8 {
        let mut child = Command::new(&bin)
            .arg(&dir)
            .arg(&url)
            .arg("enqueue")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, first) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut ids = Vec::new();
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(id) = l.strip_prefix("CONFIRMED ") {
                    let _ = tx.send(());
                    ids.push(id.to_string());
                }
            }
            ids
        });
        // The station runs (its outbox and delivery connections open, a record stored):
        // the clerk's second shell runs an operator command on the same files.
        let _ = first.recv_timeout(Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(support::random_in(0, 100)));
        let command = operator_command(round, &cfg, &receiver_db, &ca, &carried);
        assert!(
            matches!(command.0, 0 | 3),
            "round {round}: {:?} failed: {}",
            command.1,
            command.2
        );
        let pid = child.id() as i32;
        let station_deleted = live_db::deleted_files(pid, "outbox.sqlite3");
        let receiver_deleted = live_db::deleted_files(std::process::id() as i32, &receiver_db.to_string_lossy());
        std::thread::sleep(Duration::from_millis(support::random_in(30, 250)));
        live_db::kill9(&mut child);
        confirmed.extend(reader.join().unwrap());
        assert!(
            station_deleted.is_empty() && receiver_deleted.is_empty(),
            "round {round}: after {:?}, live files were unlinked: {station_deleted:?} {receiver_deleted:?}",
            command.1
        );
    }
    assert!(confirmed.len() > 10, "the child stored records ({})", confirmed.len());
    let status = Command::new(&bin).arg(&dir).arg(&url).arg("drain").status().unwrap();
    assert!(status.success(), "drain finished");
    let o = Outbox::open(&dir.join("outbox.sqlite3"), 1_000_000).unwrap();
    let rows = o.list().unwrap();
    assert!(rows.iter().all(|r| r.status == Status::Delivered), "all delivered");
    let stored: HashSet<String> = rows.iter().map(|r| r.id.clone()).collect();
    for id in &confirmed {
        assert!(stored.contains(id), "confirmed record {id} lost");
    }
    let received = receiver::accepted_payloads(&dir.join("receiver.sqlite3")).unwrap();
    let ids: Vec<String> = received
        .iter()
        .map(|p| p["enrollment_id"].as_str().unwrap().to_string())
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no record stored twice");
    for id in &confirmed {
        assert!(unique.contains(id), "confirmed record {id} never reached the receiver");
    }
    assert_eq!(unique.len(), stored.len());
    drop(rx);
    let _ = std::fs::remove_dir_all(&dir);
}
