//! Operator commands beside a live process (issue #20 item 1). A running receiver (the real
//! binary) and a running station (`madoguchi demo --data-dir`, in tmux) keep their usual
//! SQLite connections while another process runs `receive list`, `receive import`, `outbox
//! list` and `outbox export` against the same files. The live process's `-wal` and `-shm` stay
//! linked (nothing in /proc/PID/fd is "(deleted)"), and after SIGKILL every record it
//! acknowledged is in its database.

mod support;

use madoguchi::backend::outbox::Outbox;
use madoguchi::backend::receiver;
use madoguchi::card::vcard::pki::TestPki;
use madoguchi::i18n::{msg, Msg};
use madoguchi::lang::Lang;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::live_db::assert_linked;
use support::receiver_bin;
use support::records;
use support::tmp;
use support::BIN;

/// Runs `madoguchi ARGS…` to its end: (exit code, stdout, stderr).
fn madoguchi<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn ids_in(db: &Path) -> Vec<String> {
    receiver::accepted_payloads(db)
        .unwrap()
        .iter()
        .map(|p| p["enrollment_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn operator_commands_beside_a_running_receiver_keep_its_wal_and_every_acknowledged_record() {
    let dir = tmp("receiver");
    let pki = TestPki::generate().unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pki.sign_ca.cert.to_pem().unwrap()).unwrap();
    let db = dir.join("r").join("recv.sqlite3");
    let mut rx = receiver_bin::ReceiverBin::start(&[
        "--db".as_ref(),
        db.as_os_str(),
        "--trust-ca".as_ref(),
        ca.as_os_str(),
        "--no-crl".as_ref(),
        "--request-log".as_ref(),
        "off".as_ref(),
    ] as &[&std::ffi::OsStr]);
    let mut signer = records::Signer::new(&pki, "yamada");
    let mut acknowledged: Vec<String> = Vec::new();
    let url = rx.url.clone();
    let post = |signer: &mut records::Signer, acknowledged: &mut Vec<String>, id: &str| {
        let body = signer.record("s1", id);
        let (status, _, answer) = records::post_record(&url, id, &body);
        assert_eq!(status, 200, "{id}: {answer}");
        acknowledged.push(id.to_string());
    };
    let pid = rx.pid();
    let live = |after: &str| assert_linked(pid, "recv.sqlite3", after);
    let db_arg = db.to_str().unwrap();

    post(&mut signer, &mut acknowledged, "live-1");
    let (code, out, err) = madoguchi(&["receive", "list", "--db", db_arg]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("live-1"), "{out}");
    live("receive list");

    post(&mut signer, &mut acknowledged, "live-2");
    // What docs/operations.md tells operators to do: import beside the running receiver.
    let carried = dir.join("carried.jsonl");
    let mut file = String::new();
    for id in ["live-3", "live-4"] {
        file.push_str(&madoguchi::backend::carry::line(id, false, &signer.record("s1", id), None).unwrap());
        file.push('\n');
    }
    std::fs::write(&carried, file).unwrap();
    let (code, out, err) = madoguchi(&[
        "receive",
        "import",
        "--db",
        db_arg,
        "--trust-ca",
        ca.to_str().unwrap(),
        "--no-crl",
        carried.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("accepted 2"), "{out}");
    acknowledged.extend(["live-3".to_string(), "live-4".to_string()]);
    live("receive import");

    post(&mut signer, &mut acknowledged, "live-5");
    let (code, out, err) = madoguchi(&["receive", "list", "--db", db_arg, "--status", "review", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    live("receive list --status review");
    post(&mut signer, &mut acknowledged, "live-6");
    live("the POST after the commands");

    // A power cut: whatever was acknowledged must be on disk.
    rx.kill9();
    let stored = ids_in(&db);
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged {id} lost: {stored:?}");
    }
    assert_eq!(stored.len(), acknowledged.len(), "{stored:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The pid of the `madoguchi demo` whose command line names `dir` (not the shell around it).
fn demo_pid(dir: &Path) -> Option<i32> {
    let want = dir.to_str().unwrap();
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: i32 = e.file_name().to_str()?.parse().ok()?;
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        (exe.file_name()? == "madoguchi" && args.iter().any(|a| a == "demo") && args.iter().any(|a| a == want))
            .then_some(pid)
    })
}

/// One citizen from the terms to 完了 with the `sato` card (PIN 2580, password hanako2024).
fn enroll_to_done(t: &support::tmux::Tmux) {
    t.send(&["End"]);
    t.wait_for(msg(Lang::En, Msg::KeyAgree));
    t.send(&["Enter"]);
    t.wait_for("Tries left: 3");
    t.send(&["2", "5", "8", "0", "Enter"]);
    t.wait_for(msg(Lang::En, Msg::ConfirmHeading));
    t.send(&["Enter"]);
    t.wait_for("Tries left: 5");
    t.send(&["-l", "hanako2024"]);
    t.send(&["Enter"]);
    t.wait_for(msg(Lang::En, Msg::DoneHeading));
}

#[test]
fn operator_commands_beside_a_running_demo_station_lose_no_confirmed_record() {
    let dir = tmp("demo");
    let cmd = format!(
        "{BIN} --lang en demo --data-dir {} --profile sato 2>{}/stderr; echo EXIT=$?; sleep 60",
        dir.display(),
        dir.display()
    );
    let Some(t) = support::tmux::Tmux::start(&cmd) else {
        return;
    };
    t.wait_for(msg(Lang::En, Msg::ConsentHeading));
    let pid = demo_pid(&dir).expect("the demo process");
    let (outbox_db, receiver_db) = (dir.join("outbox.sqlite3"), dir.join("receiver.sqlite3"));
    let live = |after: &str| {
        assert_linked(pid, "outbox.sqlite3", after);
        assert_linked(pid, "receiver.sqlite3", after);
    };

    enroll_to_done(&t);
    // Delivered to the demo's own receiver: acknowledged there too.
    let deadline = Instant::now() + support::DEADLINE;
    while receiver::accepted_count(&receiver_db).unwrap_or(0) < 1 {
        assert!(Instant::now() < deadline, "the demo receiver never got the record");
        std::thread::sleep(Duration::from_millis(100));
    }
    live("the first enrollment");

    // The clerk's second shell: the operator commands on the station's own files.
    let cfg = dir.join("station.toml");
    std::fs::write(&cfg, format!("[backend]\noutbox = \"{}\"\n", outbox_db.display())).unwrap();
    let c = cfg.to_str().unwrap();
    let (code, out, err) = madoguchi(&["--config", c, "outbox", "list"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("delivered"), "{out}");
    live("outbox list");
    let carried = dir.join("carried.jsonl");
    let (code, out, err) = madoguchi(&["--config", c, "outbox", "export", carried.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    live("outbox export");
    let (code, out, err) = madoguchi(&["receive", "list", "--db", receiver_db.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    live("receive list");

    // The next citizen, to 完了 — then the power goes.
    t.send(&["Enter"]);
    t.wait_for(msg(Lang::En, Msg::ConsentHeading));
    enroll_to_done(&t);
    live("the second enrollment");
    // SAFETY: kill(2) on the demo the test started (through tmux).
    unsafe { libc::kill(pid, libc::SIGKILL) };
    let deadline = Instant::now() + support::DEADLINE;
    while Path::new(&format!("/proc/{pid}")).exists() {
        assert!(Instant::now() < deadline, "the demo outlived SIGKILL");
        std::thread::sleep(Duration::from_millis(20));
    }

    let rows = Outbox::open_existing(&outbox_db, 100).unwrap().list().unwrap();
    assert_eq!(rows.len(), 2, "both confirmed enrollments are in the outbox: {rows:?}");
    let received = ids_in(&receiver_db);
    assert!(
        received.contains(&rows[0].id),
        "the record the receiver acknowledged is in its database: {received:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
