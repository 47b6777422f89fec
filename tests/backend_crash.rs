//! Crash safety: a station process stores records and delivers them in the background and is
//! killed with SIGKILL at random moments (during an insert, during delivery, between the
//! receiver's 2xx and the local mark). After a restart drains the queue, every record that was
//! confirmed is in the receiver's store exactly once.

use madoguchi::backend::outbox::{now_ms, Outbox, Status};
use madoguchi::backend::receiver::{self, ReceiverConfig};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

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

fn rand_ms(lo: u64, hi: u64) -> u64 {
    let mut b = [0u8; 8];
    openssl::rand::rand_bytes(&mut b).unwrap();
    lo + u64::from_le_bytes(b) % (hi - lo)
}

#[test]
fn sigkill_at_random_points_loses_nothing_and_duplicates_nothing() {
    let dir = std::env::temp_dir().join(format!("madoguchi-crash-{}-{}", std::process::id(), now_ms()));
    std::fs::create_dir_all(&dir).unwrap();
    let pki = madoguchi::card::vcard::pki::TestPki::generate().unwrap();
    // The helper stores unsigned records: the receiver takes them only over mTLS from the
    // station its client certificate names, and only when allowed.
    let tls = receiver::LoopbackTls::create(&dir.join("tls"), "crash").unwrap();
    let rx = receiver::spawn(
        "127.0.0.1:0",
        ReceiverConfig {
            db: dir.join("receiver.sqlite3"),
            trust_ca: vec![pki.sign_ca.cert.clone()],
            crl: None,
            seal_keys: vec![],
            allow_unsigned: true,
            ..Default::default()
        },
        Some(tls.server()),
    )
    .unwrap();
    let url = rx.url(true);
    let bin = helper();
    let mut confirmed = HashSet::new();
    for _round in 0..8 {
        let mut child = Command::new(&bin)
            .arg(&dir)
            .arg(&url)
            .arg("enqueue")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(out)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("CONFIRMED ").map(str::to_string))
                .collect::<Vec<_>>()
        });
        std::thread::sleep(Duration::from_millis(rand_ms(80, 400)));
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let _ = child.wait();
        confirmed.extend(reader.join().unwrap());
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
