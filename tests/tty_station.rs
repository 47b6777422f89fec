//! The whole station in a real terminal (tmux), with the real binary: the demo from 同意 to
//! 完了 with the record verified by the receiver; wrong PIN then right; locked card; card
//! pulled during 読み取り; Code 21/23 verdicts; resize mid-flow; Ctrl-C and SIGTERM restore the
//! terminal. And once through a real pcscd with the vpcd virtual card.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn data_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("madoguchi-tty-{}-{name}-{}", std::process::id(), rand_suffix()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Starts `madoguchi demo` in tmux (80x24, or as given) and waits for the consent screen.
fn demo(args: &str, dir: &PathBuf, lang: &str) -> Option<Tmux> {
    let cmd = format!(
        "{BIN} --lang {lang} demo --data-dir {} {args} 2>{}/stderr; echo EXIT=$?; sleep 60",
        dir.display(),
        dir.display()
    );
    std::fs::create_dir_all(dir).unwrap();
    let t = Tmux::start(&cmd)?;
    t.wait_for(if lang == "ja" { "利用規約" } else { "Terms of use" });
    Some(t)
}

fn through_consent(t: &Tmux) {
    t.send(&["End"]);
    t.send(&["Enter"]);
}

fn enter_pin(t: &Tmux, pin: &str) {
    let keys: Vec<String> = pin.chars().map(|c| c.to_string()).collect();
    let refs: Vec<&str> = keys.iter().map(|s| s.as_str()).collect();
    t.send(&refs);
    t.send(&["Enter"]);
}

fn received(dir: &PathBuf) -> u64 {
    madoguchi::backend::receiver::accepted_count(&dir.join("receiver.sqlite3")).unwrap_or(0)
}

#[test]
fn demo_from_consent_to_done_and_the_receiver_has_the_record() {
    let dir = data_dir("happy");
    let Some(t) = demo("--profile sato", &dir, "en") else {
        return;
    };
    // Enter before the end of the terms does nothing.
    t.send(&["Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(t.screen().contains("Terms of use"));
    through_consent(&t);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "2580");
    let s = t.wait_for("Please check what was read");
    assert!(
        s.contains("佐藤") && s.contains("Former name") && s.contains("鈴木"),
        "{s}"
    );
    assert!(s.contains("1989-01-08 (Heisei 1)"), "{s}");
    t.send(&["Enter"]);
    t.wait_for("Tries left: 5");
    enter_pin(&t, "hanako2024");
    t.wait_for("Enrollment complete.");
    let deadline = Instant::now() + Duration::from_secs(20);
    while received(&dir) < 1 {
        assert!(Instant::now() < deadline, "the receiver never got the record");
        std::thread::sleep(Duration::from_millis(100));
    }
    t.send(&["Enter"]);
    t.wait_for("Terms of use");
    t.send(&["C-c"]);
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "{s}");
    // Once stored and delivered, the receiver holds exactly one verified record.
    assert_eq!(received(&dir), 1);
    let payloads = madoguchi::backend::receiver::accepted_payloads(&dir.join("receiver.sqlite3")).unwrap();
    assert_eq!(payloads[0]["card"]["former_name"], "鈴木");
    assert!(payloads[0]["signature"].is_string());
    // The outbox on disk holds the record sealed: no personal data in clear.
    let raw = std::fs::read(dir.join("outbox.sqlite3")).unwrap();
    for needle in ["佐藤", "札幌", "1989-01-08"] {
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} in the outbox file"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A holder under 15 signs nothing: the demo receiver accepts the unsigned record because the
/// demo station is bound to it by its client certificate (mTLS on loopback).
#[test]
fn demo_under_15_unsigned_record_is_accepted_from_the_bound_station() {
    let dir = data_dir("minor");
    let Some(t) = demo("--profile yoshino", &dir, "en") else {
        return;
    };
    through_consent(&t);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "0000");
    t.wait_for("Please check what was read");
    t.send(&["Enter"]);
    t.wait_for("Enrollment complete.");
    let deadline = Instant::now() + Duration::from_secs(20);
    while received(&dir) < 1 {
        assert!(Instant::now() < deadline, "the receiver never got the record");
        std::thread::sleep(Duration::from_millis(100));
    }
    t.send(&["C-c"]);
    t.wait_for("EXIT=0");
    let p = madoguchi::backend::receiver::accepted_payloads(&dir.join("receiver.sqlite3")).unwrap();
    assert!(p[0]["signature"].is_null() && p[0]["signing_certificate"].is_null());
    assert_eq!(p[0]["station_id"], "demo-station");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_with_the_contact_email_step() {
    let dir = data_dir("email");
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, "station_id = \"demo-email\"\n[steps]\nemail = true\n").unwrap();
    let Some(t) = demo(&format!("--config {}", cfg.display()), &dir, "en") else {
        return;
    };
    through_consent(&t);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "1234");
    t.wait_for("Please check what was read");
    t.send(&["Enter"]);
    t.wait_for("contact e-mail");
    t.send(&["-l", "hanako@example"]);
    t.send(&["Enter"]);
    t.wait_for("domain");
    t.send(&["-l", ".jp"]);
    t.send(&["Enter"]);
    t.wait_for("Tries left: 5");
    enter_pin(&t, "abc123");
    t.wait_for("Enrollment complete.");
    let deadline = Instant::now() + Duration::from_secs(20);
    while received(&dir) < 1 {
        assert!(Instant::now() < deadline, "the receiver never got the record");
        std::thread::sleep(Duration::from_millis(100));
    }
    t.send(&["C-c"]);
    t.wait_for("EXIT=0");
    let p = madoguchi::backend::receiver::accepted_payloads(&dir.join("receiver.sqlite3")).unwrap();
    assert_eq!(p[0]["contact_email"], "hanako@example.jp");
    assert_eq!(p[0]["station_id"], "demo-email");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wrong_pin_then_right() {
    let dir = data_dir("wrong");
    let Some(t) = demo("--profile yamada", &dir, "en") else {
        return;
    };
    through_consent(&t);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "9999");
    let s = t.wait_for("2 tries left");
    assert!(s.contains("Wrong"), "{s}");
    // A malformed PIN costs nothing.
    enter_pin(&t, "12");
    t.wait_for("No try was used");
    for _ in 0..2 {
        t.send(&["BSpace"]);
    }
    enter_pin(&t, "1234");
    t.wait_for("Please check what was read");
    t.send(&["C-c"]);
    t.wait_for("EXIT=0");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn locked_card_explains_the_municipal_office() {
    let dir = data_dir("locked");
    let Some(t) = demo("--profile locked", &dir, "ja") else {
        return;
    };
    through_consent(&t);
    let s = t.wait_for("ロックされています");
    assert!(s.contains("市区町村の窓口"), "{s}");
    t.send(&["C-c"]);
    t.wait_for("EXIT=0");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn card_pulled_during_reading_goes_back_to_the_card_step() {
    let dir = data_dir("pulled");
    let Some(t) = demo("--profile yamada --apdu-delay-ms 400", &dir, "en") else {
        return;
    };
    through_consent(&t);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "1234");
    t.wait_for("Reading the card");
    t.send(&["F8"]);
    let s = t.wait_for("The card left the reader");
    assert!(s.contains("Place the My Number Card"), "{s}");
    t.send(&["F8"]);
    t.wait_for("Tries left");
    t.send(&["C-c"]);
    t.wait_for("EXIT=0");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn expired_and_revoked_certificates_show_code_21_and_23() {
    for (profile, pw, code) in [("expired", "expired1", "Code: 21"), ("revoked", "revoked2", "Code: 23")] {
        let dir = data_dir(profile);
        let Some(t) = demo(&format!("--profile {profile}"), &dir, "ja") else {
            return;
        };
        through_consent(&t);
        t.wait_for("残り入力回数: 3回");
        let pin = if profile == "expired" { "1111" } else { "2222" };
        enter_pin(&t, pin);
        t.wait_for("ご確認ください");
        t.send(&["Enter"]);
        t.wait_for("残り入力回数: 5回");
        enter_pin(&t, pw);
        let s = t.wait_for(code);
        assert!(s.contains("市区町村の窓口で電子証明書を更新"), "{s}");
        t.send(&["C-c"]);
        t.wait_for("EXIT=0");
        assert_eq!(received(&dir), 0, "{profile}: not accepted");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn resize_mid_flow_and_ctrl_c_restores_the_terminal() {
    let dir = data_dir("resize");
    let Some(t) = demo("", &dir, "en") else { return };
    through_consent(&t);
    t.wait_for("Tries left: 3");
    t.send(&["1", "2"]);
    // The window change can overtake keys still in the tty: see them on screen first.
    t.wait_for("＊ ＊ ＿ ＿");
    assert!(Command::new("tmux")
        .args(["-L", &t.0, "resize-window", "-x", "120", "-y", "40"])
        .status()
        .unwrap()
        .success());
    // The wide layout brings the reader pane beside the step.
    let s = t.wait_for(" Reader ");
    assert!(s.contains("＊ ＊ ＿ ＿"), "typed digits survive the resize:\n{s}");
    assert!(Command::new("tmux")
        .args(["-L", &t.0, "resize-window", "-x", "60", "-y", "20"])
        .status()
        .unwrap()
        .success());
    t.wait_for("Terminal too small");
    assert!(Command::new("tmux")
        .args(["-L", &t.0, "resize-window", "-x", "80", "-y", "24"])
        .status()
        .unwrap()
        .success());
    t.wait_for("Tries left: 3");
    t.send(&["C-c"]);
    let s = t.wait_for("EXIT=0");
    // Back on the normal screen: none of the station is left, the cursor shows again.
    assert!(!s.contains("Tries left") && !s.contains("＊"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for signal in ["-TERM", "-HUP"] {
        signal_restores(signal);
    }
}

fn signal_restores(signal: &str) {
    let dir = data_dir("signal");
    let Some(t) = demo("", &dir, "en") else { return };
    let pid = String::from_utf8(
        Command::new("tmux")
            .args(["-L", &t.0, "list-panes", "-F", "#{pane_pid}"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    // The pane runs `sh -c "madoguchi …; echo …"`: signal its madoguchi child.
    let out = Command::new("pgrep")
        .args(["-P", pid.trim(), "madoguchi"])
        .output()
        .unwrap();
    let child = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!child.is_empty(), "madoguchi child of pane {pid}");
    assert!(Command::new("kill").args([signal, &child]).status().unwrap().success());
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=0") && !s.contains("Terms of use"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Once through the real PC/SC path: pcscd, the vpcd reader, the virtual card behind it, and
/// the station binary configured for that reader (records kept locally, unsealed by config).
#[test]
fn station_through_a_real_pcscd() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("yamada", &[]);
    let dir = data_dir("pcscd");
    std::fs::create_dir_all(&dir).unwrap();
    let terms = dir.join("terms.txt");
    std::fs::write(&terms, "Short terms.\nAgree with Enter.").unwrap();
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "station_id = \"tty-test\"\nlang = \"en\"\nreader = \"{READER}\"\nterms_file = \"{}\"\n[steps]\nsignature = false\n[backend]\nseal = false\noutbox = \"{}\"\n",
            terms.display(),
            dir.join("outbox.sqlite3").display()
        ),
    )
    .unwrap();
    let cmd = format!("{BIN} --config {}; echo EXIT=$?; sleep 60", cfg.display());
    let Some(t) = Tmux::start(&cmd) else { return };
    t.wait_for("Short terms");
    t.send(&["Enter"]);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "1234");
    let s = t.wait_for("Please check what was read");
    assert!(s.contains("山田"), "{s}");
    t.send(&["Enter"]);
    t.wait_for("Enrollment complete.");
    assert_eq!(card.stats()["verify_with_data"], 1);
    assert_eq!(card.stats()["my_number_selects"], 0);
    t.send(&["C-c"]);
    t.wait_for("EXIT=0");
    let o = madoguchi::backend::outbox::Outbox::open(&dir.join("outbox.sqlite3"), 10).unwrap();
    assert_eq!(o.list().unwrap().len(), 1, "stored before 完了");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two readers: the station takes the one with a card; F3 switches to the other (no card:
/// back to "place the card"), and back again.
#[test]
fn station_picks_the_reader_with_a_card_and_f3_switches() {
    let Some(_turn) = turn() else { return };
    const SECOND: &str = "Virtual PCD 00 01";
    let present = |name: &str| {
        madoguchi::reader::establish()
            .and_then(|c| madoguchi::reader::list_readers(&c))
            .map(|rs| rs.iter().any(|r| r.name == name && r.card_present))
            .unwrap_or(false)
    };
    let mut card = Command::new(BIN)
        .args(["vcard", "--profile", "yamada", "--port", "35964"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !present(SECOND) {
        assert!(Instant::now() < deadline, "card in the second reader");
        std::thread::sleep(Duration::from_millis(50));
    }
    let dir = data_dir("readers");
    std::fs::create_dir_all(&dir).unwrap();
    let terms = dir.join("terms.txt");
    std::fs::write(&terms, "Short terms.").unwrap();
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "lang = \"en\"\nterms_file = \"{}\"\n[backend]\nseal = false\noutbox = \"{}\"\n",
            terms.display(),
            dir.join("o.sqlite3").display()
        ),
    )
    .unwrap();
    let Some(t) = Tmux::start(&format!("{BIN} --config {}; echo EXIT=$?; sleep 60", cfg.display())) else {
        return;
    };
    t.wait_for("Short terms");
    t.send(&["Enter"]);
    let s = t.wait_for("Tries left: 3");
    assert!(s.contains(SECOND), "status line names the reader with the card:\n{s}");
    assert!(s.contains("F3"), "F3 offered with two readers");
    // A card arriving in the other reader does not pull the session away.
    let first = Inserted::new("sato", &[]);
    std::thread::sleep(Duration::from_millis(1500));
    let s = t.screen();
    assert!(
        s.contains("Tries left: 3") && s.contains(SECOND) && !s.contains(&format!("{READER}:")),
        "{s}"
    );
    // F3 moves to the other reader (it has a card: a new session there).
    t.send(&["F3"]);
    let s = t.wait_for(&format!("{READER}:"));
    assert!(!s.contains(&format!("{SECOND}:")), "{s}");
    t.wait_for("Tries left: 3");
    // That card leaves: back to "place the card" on the chosen reader.
    drop(first);
    t.wait_for("Place the My Number Card");
    t.send(&["C-c"]);
    t.wait_for("EXIT=0");
    let _ = card.kill();
    let _ = card.wait();
    let deadline = Instant::now() + Duration::from_secs(10);
    while present(SECOND) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
