//! Real citizens' data end to end: the station (`madoguchi`, not the demo) in tmux, on the
//! virtual card in pcscd's vpcd reader, delivering over HTTP to the reference receiver on
//! loopback. The virtual card issues certificates the way J-LIS does (substitutes with flags,
//! 旧氏, an address not renewed). Each case checks the screen, the record's `card_check` and
//! the receiver's verdict.

mod support;

use madoguchi::backend::outbox::{Outbox, Status};
use madoguchi::backend::receiver;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::pcscd::{turn, Inserted, READER};
use support::tmux::Tmux;
use support::BIN;

struct Case {
    profile: &'static str,
    pin: &'static str,
    password: Option<&'static str>,
}

struct Run {
    dir: PathBuf,
    t: Tmux,
    rx: receiver::ReceiverHandle,
    _card: Inserted,
}

fn start(c: &Case, extra_config: &str) -> Option<Run> {
    let card = Inserted::new(c.profile, &[]);
    let dir = support::tmp(c.profile);
    let ca = openssl::x509::X509::from_pem(&card.cert_pem("sign-ca.pem")).unwrap();
    // The station bound by its client certificate (mTLS), as a city runs it: the reference
    // receiver takes unsigned records (holders under 15) only from a bound station.
    let auth_ca = openssl::x509::X509::from_pem(&card.cert_pem("auth-ca.pem")).unwrap();
    let (tls, rx) = support::receiver::bound_with_auth(&dir, "citizens", dir.join("receiver.sqlite3"), &ca, &auth_ca);
    // The card's test PKI is made per card process: its CRL comes from the running card.
    let crl = dir.join("crl.pem");
    std::fs::write(&crl, card.cert_pem("sign-crl.pem")).unwrap();
    let extra_config = extra_config.replace("{CRL}", &crl.display().to_string());
    let cfg = support::station::on_reader(
        &dir,
        "citizens",
        &format!(
            "{extra_config}\n[backend]\nurl = \"{}\"\nseal = false\noutbox = \"{}\"\nca_file = \"{}\"\nclient_cert = \"{}\"\nclient_key = \"{}\"\n",
            rx.url(true),
            dir.join("outbox.sqlite3").display(),
            tls.ca.display(),
            tls.client_cert.display(),
            tls.client_key.display()
        ),
    );
    // Its own runtime dir: the status socket of this station, for `madoguchi status`.
    let cmd = format!(
        "XDG_RUNTIME_DIR={} {BIN} --config {}; echo EXIT=$?; sleep 60",
        dir.join("run").display(),
        cfg.display()
    );
    let t = Tmux::start(&cmd)?;
    t.wait_for("Short terms");
    Some(Run {
        dir,
        t,
        rx,
        _card: card,
    })
}

fn keys(t: &Tmux, s: &str) {
    let k: Vec<String> = s.chars().map(|c| c.to_string()).collect();
    let refs: Vec<&str> = k.iter().map(|s| s.as_str()).collect();
    t.send(&refs);
    t.send(&["Enter"]);
}

/// Consent → PIN → confirm → signing password; returns the screen after the signature.
fn enroll(r: &Run, c: &Case) -> String {
    r.t.send(&["Enter"]);
    enroll_after_consent(r, c)
}

/// Consent → PIN → the data confirmed (the screen after 確認 is the caller's).
fn to_after_confirm(r: &Run, pin: &str) {
    r.t.send(&["Enter"]);
    r.t.wait_for("Tries left: 3");
    keys(&r.t, pin);
    r.t.wait_for("Please check what was read");
    r.t.send(&["Enter"]);
}

fn enroll_after_consent(r: &Run, c: &Case) -> String {
    r.t.wait_for("Tries left: 3");
    keys(&r.t, c.pin);
    r.t.wait_for("Please check what was read");
    r.t.send(&["Enter"]);
    r.t.wait_for("Tries left: 5");
    keys(&r.t, c.password.unwrap());
    r.t.wait_for("Receipt number")
}

/// The station's outbox row for the one record, once delivery has settled (delivered or
/// review), and its body.
fn settled(dir: &Path) -> (Status, Option<String>, Value) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let o = Outbox::open(&dir.join("outbox.sqlite3"), 10).unwrap();
        let list = o.list().unwrap();
        assert!(list.len() <= 1, "one record");
        if let Some(e) = list
            .first()
            .filter(|e| matches!(e.status, Status::Delivered | Status::Review))
        {
            let body = o.body(&e.id).unwrap();
            return (e.status, e.last_error.clone(), serde_json::from_slice(&body).unwrap());
        }
        assert!(Instant::now() < deadline, "delivery settles");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn finish(r: Run) {
    let s = r.t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    r.rx.stop();
    let _ = std::fs::remove_dir_all(&r.dir);
}

#[test]
fn substituted_characters_and_kyuushi_are_accepted() {
    let Some(_turn) = turn() else { return };
    for (c, name_check, address_check) in [
        (
            Case {
                profile: "takahashi-jiro",
                pin: "4321",
                password: Some("jiro1975"),
            },
            "substituted",
            "exact",
        ),
        (
            Case {
                profile: "yoshida",
                pin: "5678",
                password: Some("ichiro68"),
            },
            "substituted",
            "substituted",
        ),
        (
            Case {
                profile: "sato-kyuushi",
                pin: "1357",
                password: Some("suzuki92"),
            },
            "exact",
            "exact",
        ),
        (
            Case {
                profile: "furigana",
                pin: "9753",
                password: Some("shota2001"),
            },
            "exact",
            "exact",
        ),
    ] {
        let Some(r) = start(&c, "") else { return };
        let screen = enroll(&r, &c);
        assert!(screen.contains("Enrollment complete."), "{}: {screen}", c.profile);
        assert!(!screen.contains("differ"), "{}: {screen}", c.profile);
        let (status, err, body) = settled(&r.dir);
        assert_eq!(status, Status::Delivered, "{}: {err:?}", c.profile);
        assert_eq!(body["card_check"]["name"], name_check, "{}", c.profile);
        assert_eq!(body["card_check"]["address"], address_check, "{}", c.profile);
        if c.profile == "sato-kyuushi" {
            assert_eq!(body["card_check"]["name_form"], "with_former_name");
            assert_eq!(body["card"]["former_name"], "鈴木");
        }
        let stored = receiver::accepted_payloads(&r.dir.join("receiver.sqlite3")).unwrap();
        assert_eq!(stored.len(), 1, "{}", c.profile);
        assert_eq!(
            stored[0]["card_check"], body["card_check"],
            "the receiver's own comparison agrees"
        );
        finish(r);
    }
}

#[test]
fn a_certificate_not_renewed_is_stored_for_review_and_said_truthfully() {
    let Some(_turn) = turn() else { return };
    let c = Case {
        profile: "moved",
        pin: "2468",
        password: Some("naka1985"),
    };
    let Some(r) = start(&c, "") else { return };
    let screen = enroll(&r, &c);
    assert!(
        screen.contains("Some items on the card differ from the signing certificate: Address"),
        "{screen}"
    );
    assert!(!screen.contains("different card"), "{screen}");
    let (status, err, body) = settled(&r.dir);
    assert_eq!(status, Status::Review);
    assert!(err.unwrap_or_default().contains("CARD_DATA_MISMATCH"));
    assert_eq!(body["card_check"]["address"], "differs");
    assert_eq!(receiver::accepted_count(&r.dir.join("receiver.sqlite3")).unwrap(), 0);
    // No value of the address on screen beyond the confirm step: only the item's name.
    assert!(
        !r.t.screen().contains("岐阜"),
        "the certificate's old address is never shown"
    );
    finish(r);
}

#[test]
fn an_adult_without_a_signing_certificate_is_not_called_a_minor() {
    let Some(_turn) = turn() else { return };
    let c = Case {
        profile: "nocert-adult",
        pin: "8642",
        password: None,
    };
    let Some(r) = start(&c, "") else { return };
    to_after_confirm(&r, c.pin);
    let s = r.t.wait_for("holds no signing certificate");
    assert!(!s.contains("15"), "{s}");
    std::thread::sleep(Duration::from_millis(300));
    let o = Outbox::open(&r.dir.join("outbox.sqlite3"), 10).unwrap();
    assert!(o.list().unwrap().is_empty(), "not accepted unsigned by default");
    finish(r);
}

/// Issue 25 item 1: after a refused format the field is empty, so typing the whole PIN again
/// as the message says sends that PIN (it once sent `1231` and cost a try), and the same for
/// the password (`ABCDEFABC123`). The sequence ends with every try left.
#[test]
fn retyping_after_a_refused_format_reaches_done_with_every_try_left() {
    let Some(_turn) = turn() else { return };
    let c = Case {
        profile: "yamada",
        pin: "1234",
        password: Some("abc123"),
    };
    let Some(r) = start(&c, "") else { return };
    r.t.send(&["Enter"]);
    r.t.wait_for("Tries left: 3");
    keys(&r.t, "123");
    r.t.wait_for("No try was used");
    keys(&r.t, "1234");
    r.t.wait_for("Please check what was read");
    r.t.send(&["Enter"]);
    r.t.wait_for("Tries left: 5");
    keys(&r.t, "abcdef");
    r.t.wait_for("contain both letters and digits");
    let stats = r._card.stats();
    assert_eq!(stats["verify_with_data"], 1, "only the 4-digit PIN was sent: {stats}");
    keys(&r.t, "abc123");
    r.t.wait_for("Receipt number");
    let stats = r._card.stats();
    assert_eq!(stats["verify_with_data"], 2, "{stats}");
    assert_eq!(stats["text_pin_tries"], 3, "every try left: {stats}");
    assert_eq!(stats["sign_password_tries"], 5, "every try left: {stats}");
    finish(r);
}

/// Code 21: the card tells before any PIN that its certificates expired (issue 25 item 6);
/// nothing is verified, signed or stored.
#[test]
fn code_21_is_said_at_the_card_step_before_any_pin() {
    let Some(_turn) = turn() else { return };
    let c = Case {
        profile: "expired",
        pin: "1111",
        password: Some("expired1"),
    };
    let Some(r) = start(&c, "") else { return };
    r.t.send(&["Enter"]);
    let s = r.t.wait_for("Code 21");
    assert!(!s.contains("Tries left"), "no PIN asked for: {s}");
    assert!(!s.contains("stays on this station"), "nothing was stored: {s}");
    assert!(s.contains("0120-95-0178"), "the national line on an expiry: {s}");
    let stats = r._card.stats();
    assert_eq!(stats["signatures"], 0, "{stats}");
    assert_eq!(stats["verify_with_data"], 0, "no PIN, no password: {stats}");
    let o = Outbox::open(&r.dir.join("outbox.sqlite3"), 10).unwrap();
    assert!(o.list().unwrap().is_empty(), "nothing signed, nothing stored");
    finish(r);
}

/// With the CA's CRL configured (`[checks] crl_file`), a revoked certificate is Code 23 at
/// the counter, offline, before anything is signed.
#[test]
fn code_23_offline_from_the_station_crl() {
    let Some(_turn) = turn() else { return };
    let c = Case {
        profile: "revoked",
        pin: "2222",
        password: Some("revoked2"),
    };
    let Some(r) = start(&c, "[checks]\ncrl_file = \"{CRL}\"") else {
        return;
    };
    to_after_confirm(&r, c.pin);
    r.t.wait_for("Tries left: 5");
    keys(&r.t, c.password.unwrap());
    let s = r.t.wait_for("Code 23");
    assert!(s.contains("0120-95-0178"), "{s}");
    assert!(
        s.contains("CRL ") && s.contains(" h old"),
        "the CRL's age in the status line: {s}"
    );
    assert!(!s.contains("stays on this station"), "nothing was stored: {s}");
    assert_eq!(r._card.stats()["signatures"], 0);
    let o = Outbox::open(&r.dir.join("outbox.sqlite3"), 10).unwrap();
    assert!(o.list().unwrap().is_empty());
    finish(r);
}

/// The statement inside a stored (unsealed) record.
fn statement(body: &Value) -> Value {
    let st = madoguchi::record::payload::unb64(body["statement"].as_str().unwrap()).unwrap();
    serde_json::from_slice(&st).unwrap()
}

#[test]
fn a_minor_with_a_representative_the_clerk_chose() {
    let Some(_turn) = turn() else { return };
    let c = Case {
        profile: "yoshino",
        pin: "0000",
        password: None,
    };
    let Some(r) = start(&c, "") else { return };
    to_after_confirm(&r, c.pin);
    r.t.wait_for("Legal representative");
    // The citizen's Enter can't pass it; the clerk's function key can.
    r.t.send(&["Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(r.t.screen().contains("Legal representative"));
    r.t.send(&["F5"]);
    r.t.wait_for("(●) F5: parent");
    r.t.send(&["Enter"]);
    // No signing certificate: the card proves itself with the 利用者証明 challenge.
    r.t.wait_for_all(&["user certificate PIN", "Tries left: 3"]);
    keys(&r.t, "4649");
    let s = r.t.wait_for("Receipt number");
    assert!(s.contains("No signing certificate on this card"), "{s}");
    let o = Outbox::open(&r.dir.join("outbox.sqlite3"), 10).unwrap();
    let list = o.list().unwrap();
    assert_eq!(list.len(), 1);
    let body: Value = serde_json::from_slice(&o.body(&list[0].id).unwrap()).unwrap();
    assert_eq!(body["representative"], "parent");
    assert_eq!(statement(&body)["representative"], "parent");
    assert!(body["signature"].is_null());
    assert_eq!(body["assurance"], "card-authenticated");
    let (status, err, _) = settled(&r.dir);
    assert_eq!(
        status,
        Status::Delivered,
        "a minor's card-authenticated record from the bound station: {err:?}"
    );
    finish(r);
}

#[test]
fn the_privacy_notice_is_read_and_both_hashes_are_signed() {
    let Some(_turn) = turn() else { return };
    let c = Case {
        profile: "yamada",
        pin: "1234",
        password: Some("abc123"),
    };
    let dir = support::tmp("privacy");
    let privacy = "Privacy notice.\nWe send the four items and your signature.";
    let path = dir.join("privacy.txt");
    std::fs::write(&path, privacy).unwrap();
    let extra = format!(
        "privacy_file = \"{}\"\nprivacy_id = \"privacy-2026-12\"",
        path.display()
    );
    let Some(r) = start(&c, &extra) else { return };
    r.t.send(&["Enter"]);
    r.t.wait_for("We send the four items");
    r.t.send(&["Enter"]);
    let s = enroll_after_consent(&r, &c);
    assert!(s.contains("Enrollment complete."), "{s}");
    let (status, err, body) = settled(&r.dir);
    assert_eq!(status, Status::Delivered, "{err:?}");
    let st = statement(&body);
    assert_eq!(st["privacy_id"], "privacy-2026-12");
    assert_eq!(
        st["privacy_sha256"],
        madoguchi::record::canonical::sha256_hex(privacy.as_bytes())
    );
    assert_eq!(
        st["terms_sha256"],
        madoguchi::record::canonical::sha256_hex(b"Short terms.\nAgree with Enter.")
    );
    finish(r);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Support over SSH: `madoguchi status --json` while the station sits at the PIN step with
/// digits typed. The answer has the step and the reader, and no digit typed or personal data.
#[test]
fn status_shows_the_step_and_reader_but_nothing_typed_or_read() {
    let Some(_turn) = turn() else { return };
    let c = Case {
        profile: "yamada",
        pin: "1234",
        password: Some("abc123"),
    };
    let Some(r) = start(&c, "") else { return };
    to_after_confirm(&r, c.pin);
    r.t.wait_for("Tries left: 5");
    r.t.send(&["7", "3", "9"]);
    r.t.wait_for("＊ ＊ ＊");
    let status = |args: &[&str]| {
        std::process::Command::new(BIN)
            .args(args)
            .env("XDG_RUNTIME_DIR", r.dir.join("run"))
            .output()
            .unwrap()
    };
    let out = status(&["status", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let raw = out.stdout.clone();
    let v: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(v["step"], "sign");
    assert_eq!(v["reader"], READER);
    assert!(v["apdu_rtt_us"].as_array().is_some_and(|a| !a.is_empty()));
    // The reader's health as the diagnostics pane has it, and the queue.
    for count in ["card_removals", "transmit_errors", "resends", "uptime_secs"] {
        assert!(v[count].is_u64(), "{count}: {v}");
    }
    assert_eq!(v["placement_suspect"], false);
    assert!(v["errors"].is_array() && v["queue"]["pending"].is_u64(), "{v}");
    assert_eq!(v["pcscd_running"], true);
    let text = String::from_utf8_lossy(&raw);
    for secret in ["ABC123", "山田", "千代田", "1980-02-17"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // Digits: the raw bytes, less the one array of measured numbers (a round trip of 1234 µs
    // is no leak), searched for each typed or read number as a whole run of digits.
    let rtts = text.find("\"apdu_rtt_us\":[").unwrap();
    let end = rtts + text[rtts..].find(']').unwrap();
    let scrubbed = format!("{}{}", &text[..rtts], &text[end..]);
    let runs: Vec<&str> = scrubbed
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect();
    for secret in ["739", "1234", "1980", "19800217"] {
        assert!(!runs.contains(&secret), "{secret} in {scrubbed}");
    }
    for typed in ["7", "3", "9"] {
        assert!(
            !text.contains(&format!("\"{typed}\"")),
            "a typed digit as a string in {text}"
        );
    }
    // The socket is the user's alone.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&r.dir.join("run/madoguchi/station.sock")), 0o600);
    assert_eq!(mode(&r.dir.join("run/madoguchi")), 0o700);
    let human = status(&["--lang", "en", "status"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("step"), "{human:?}");
    finish(r);
}
