//! Reader monitoring and diagnostics through a real pcscd: `madoguchi diagnose --watch --json`
//! sees the virtual card come and go, in order and in bounded time; it survives pcscd stopping
//! and starting again (a private pcscd this test owns); `diagnose --json` measures extended
//! length; the monitor stops promptly.

mod support;

use madoguchi::card::vcard::DEFAULT_ATR;
use madoguchi::reader::hex;
use madoguchi::reader::monitor::{Monitor, ReaderEvent};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};
use support::cli::madoguchi;
use support::pcscd::*;
use support::{skipped, BIN};

const WAIT: Duration = Duration::from_secs(15);

/// `diagnose --watch --json` with its lines parsed on a thread.
struct Watch {
    child: Child,
    lines: Receiver<Value>,
}

impl Watch {
    fn start(env: &[(&str, String)]) -> Watch {
        let mut cmd = Command::new(BIN);
        cmd.args(["--lang", "en", "diagnose", "--watch", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines }
    }

    /// The next event whose name is `event` (and reader, when given), within `WAIT`. Returns it
    /// and the names of the events skipped on the way.
    fn expect(&self, event: &str, reader: Option<&str>) -> (Value, Vec<String>) {
        let deadline = Instant::now() + WAIT;
        let mut skipped = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let v = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {event} within {WAIT:?}; saw {skipped:?}"));
            let name = v["event"].as_str().unwrap_or_default().to_string();
            if name == event && reader.is_none_or(|r| v["reader"] == r) {
                return (v, skipped);
            }
            skipped.push(name);
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_sees_the_card_come_and_go_in_order() {
    let Some(_turn) = turn() else { return };
    let watch = Watch::start(&[]);
    watch.expect("service_up", None);
    watch.expect("reader_added", Some(READER));
    for profile in ["yamada", "sato"] {
        let t0 = Instant::now();
        let card = Inserted::new(profile, &[]);
        let (ins, skipped) = watch.expect("card_inserted", Some(READER));
        assert!(!skipped.contains(&"card_removed".to_string()), "{skipped:?}");
        assert_eq!(ins["atr"], hex(&DEFAULT_ATR), "ATR as the virtual card presents it");
        let (probe, _) = watch.expect("card_probed", Some(READER));
        assert_eq!(probe["state"]["card_kind"], "my_number_card");
        assert_eq!(probe["state"]["extended_length"], true, "measured through vpcd");
        assert_eq!(probe["state"]["protocol"], "T=1");
        assert!(t0.elapsed() < WAIT);
        drop(card);
        watch.expect("card_removed", Some(READER));
    }
}

#[test]
fn diagnose_json_reports_the_card_and_measures_extended_length() {
    let Some(_turn) = turn() else { return };
    let _card = Inserted::new("yamada", &[]);
    let out = madoguchi(&["--lang", "en", "diagnose", "--json"], "");
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["pcscd_running"], true);
    let r = reader_entry(&v, READER);
    assert_eq!(r["card"], "present");
    assert_eq!(r["atr"], hex(&DEFAULT_ATR));
    assert_eq!(r["atr_summary"]["known_my_number_atr"], true);
    assert_eq!(r["atr_summary"]["protocols"][0], "T=1");
    assert_eq!(r["card_kind"], "my_number_card");
    assert_eq!(r["extended_length"], true);
    assert!(r["last_rtt_ms"].as_f64().unwrap() >= 0.0);
    // Text form for people, same facts.
    let out = madoguchi(&["--lang", "en", "diagnose"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Card: present (My Number Card)") && text.contains("Extended APDU: yes (measured)"),
        "{text}"
    );
}

#[test]
fn monitor_stops_promptly_while_blocked_in_pcscd() {
    let Some(_turn) = turn() else { return };
    let (m, rx) = Monitor::spawn_channel();
    let first = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(first, ReaderEvent::ServiceUp);
    std::thread::sleep(Duration::from_millis(300)); // now inside SCardGetStatusChange(INFINITE)
    let t = Instant::now();
    m.stop();
    assert!(t.elapsed() < Duration::from_secs(3), "stop took {:?}", t.elapsed());
}

#[test]
fn diagnose_without_pcscd_says_what_to_do() {
    let out = Command::new(BIN)
        .args(["--lang", "en", "diagnose", "--json"])
        .env("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pcscd_running"], false);
    assert!(v["pcscd_hint"].as_str().unwrap().contains("systemctl start pcscd"));
    assert_eq!(v["last_error"]["code"], "no_service");
}

/// A pcscd of our own: its socket and pid file live in a temp dir bind-mounted over
/// /run/pcscd in a private mount namespace, and its vpcd reader listens on port 35968, so it
/// can be stopped and started without touching the machine's pcscd.
struct PrivatePcscd {
    dir: PathBuf,
    child: Option<Child>,
}

const PRIVATE_PORT: u16 = 35968;

impl PrivatePcscd {
    fn new() -> Option<PrivatePcscd> {
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        let unshare = Command::new("unshare").arg("--version").output().is_ok();
        if !root || !unshare {
            let why = format!("a private pcscd needs root and unshare (root={root}, unshare={unshare})");
            if std::env::var_os("CI").is_some() {
                panic!("{why}: CI runs as root");
            }
            skipped(&why);
            return None;
        }
        let dir = std::env::temp_dir().join(format!("madoguchi-pcscd-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("run")).unwrap();
        std::fs::create_dir_all(dir.join("conf")).unwrap();
        std::fs::write(
            dir.join("conf/vpcd"),
            format!(
                "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME /dev/null:{PRIVATE_PORT:#06X}\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID {PRIVATE_PORT:#06X}\n"
            ),
        )
        .unwrap();
        Some(PrivatePcscd { dir, child: None })
    }

    fn socket(&self) -> String {
        self.dir.join("run/pcscd.comm").display().to_string()
    }

    fn start(&mut self) {
        let script = format!(
            "mkdir -p /run/pcscd && mount --bind {run} /run/pcscd && exec pcscd --foreground -c {conf}",
            run = self.dir.join("run").display(),
            conf = self.dir.join("conf").display()
        );
        let child = Command::new("unshare")
            .args(["-m", "sh", "-c", &script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + WAIT;
        while !std::path::Path::new(&self.socket()).exists() {
            assert!(Instant::now() < deadline, "private pcscd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: plain kill(2) on our child's pid.
            unsafe { libc::kill(c.id() as i32, libc::SIGTERM) };
            let _ = c.wait();
        }
        let _ = std::fs::remove_file(self.socket());
    }
}

impl Drop for PrivatePcscd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn watch_survives_pcscd_stopping_and_starting() {
    let Some(mut pcscd) = PrivatePcscd::new() else { return };
    let env = [("PCSCLITE_CSOCK_NAME", pcscd.socket())];
    let watch = Watch::start(&env);
    watch.expect("service_down", None);

    pcscd.start();
    watch.expect("service_up", None);
    watch.expect("reader_added", Some(READER));
    let mut card = Command::new(BIN)
        .args(["vcard", "--profile", "yamada", "--port", &PRIVATE_PORT.to_string()])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (ins, _) = watch.expect("card_inserted", Some(READER));
    assert_eq!(ins["atr"], hex(&DEFAULT_ATR));

    pcscd.stop();
    watch.expect("service_down", None);
    let _ = card.kill();
    let _ = card.wait();

    pcscd.start();
    watch.expect("service_up", None);
    watch.expect("reader_added", Some(READER));
}

/// Two stations on one machine: the one holding a citizen's session has the card exclusively;
/// the other sees "busy" in its diagnostics and its own read is refused, not interleaved.
#[test]
fn a_second_station_sees_the_reader_busy() {
    let Some(_turn) = turn() else { return };
    let _card = Inserted::new("yamada", &[]);
    let ctx = madoguchi::reader::establish().unwrap();
    let held = madoguchi::reader::PcscCard::connect(&ctx, READER, true).unwrap();

    let out = madoguchi(&["--lang", "en", "diagnose", "--json"], "");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = reader_entry(&v, READER);
    assert_eq!(r["card"], "busy", "{v}");
    assert_eq!(v["last_error"]["code"], "reader_busy");

    let out = madoguchi(&["--lang", "en", "read", "--reader", READER, "--json"], "1234\n");
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Another program is using"));
    assert!(out.stdout.is_empty());

    drop(held);
    let out = madoguchi(&["--lang", "en", "diagnose", "--json"], "");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = reader_entry(&v, READER);
    assert_eq!(r["card"], "present", "{v}");
}
