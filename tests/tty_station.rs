//! The whole station in a real terminal (tmux), with the real binary: the demo from 同意 to
//! 完了 with the record verified by the receiver (a child's through the 利用者証明 PIN); wrong PIN then right; locked card; card
//! pulled during 読み取り; Code 21/23 verdicts; resize mid-flow; Ctrl-C and SIGTERM restore the
//! terminal; the citizen's language, for the terms and the privacy notice. And once through a
//! real pcscd with the vpcd virtual card.
//!
//! Every step waits on what the screen shows (with `support::DEADLINE`), never on a fixed sleep:
//! keys sent to tmux reach the station in order, so a later key's visible effect proves an
//! earlier key was handled.

mod support;

use madoguchi::card::vcard::profile::Profile;
use madoguchi::i18n::{msg, Msg};
use madoguchi::lang::Lang;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::pcscd::*;
use support::tmux::Tmux;
use support::{BIN, DEADLINE};

/// Starts `madoguchi demo` in tmux (80x24, or as given) and waits for the consent screen.
/// Each demo has a runtime directory of its own (0700): its status socket never meets another
/// test's station (a socket in use is a warning on the status line, which would push other
/// parts off it).
fn demo(args: &str, dir: &Path, lang: &str) -> Option<Tmux> {
    use std::os::unix::fs::PermissionsExt;
    let run = dir.join("run");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    let cmd = format!(
        "XDG_RUNTIME_DIR={} {BIN} --lang {lang} demo --data-dir {} {args} 2>{}/stderr; echo EXIT=$?; sleep 60",
        run.display(),
        dir.display(),
        dir.display()
    );
    let t = Tmux::start(&cmd)?;
    t.wait_for(if lang == "ja" { "利用規約" } else { "Terms of use" });
    Some(t)
}

/// The consent screen's "Enter: agree" line, in either language.
fn agree_offered(s: &str) -> bool {
    [Lang::Ja, Lang::En].iter().any(|&l| s.contains(msg(l, Msg::KeyAgree)))
}

fn through_consent(t: &Tmux) {
    t.send(&["End"]);
    t.wait_until("the offer to agree", agree_offered);
    t.send(&["Enter"]);
}

/// The demo offers the clerk's card-face step after the four items are read (in the clerk's
/// language `clerk`): F7 goes on without it.
fn skip_face(t: &Tmux, clerk: Lang) {
    t.wait_for(msg(clerk, Msg::FaceLabelYear));
    t.send(&["F7"]);
}

fn enter_pin(t: &Tmux, pin: &str) {
    let keys: Vec<String> = pin.chars().map(|c| c.to_string()).collect();
    let refs: Vec<&str> = keys.iter().map(|s| s.as_str()).collect();
    t.send(&refs);
    t.send(&["Enter"]);
}

fn received(dir: &Path) -> u64 {
    madoguchi::backend::receiver::accepted_count(&dir.join("receiver.sqlite3")).unwrap_or(0)
}

fn wait_received(dir: &Path) {
    let deadline = Instant::now() + DEADLINE;
    while received(dir) < 1 {
        assert!(Instant::now() < deadline, "the receiver never got the record");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn demo_from_consent_to_done_and_the_receiver_has_the_record() {
    let dir = support::temp_path("happy");
    let Some(t) = demo("--profile sato", &dir, "en") else {
        return;
    };
    // Enter before the end of the terms does nothing: the End sent after it is handled after
    // it, so once End's offer to agree shows, the Enter has been handled, and left the terms.
    t.send(&["Enter"]);
    t.send(&["End"]);
    let s = t.wait_until("the offer to agree", agree_offered);
    assert!(s.contains("Terms of use") && !s.contains("Tries left"), "{s}");
    t.send(&["Enter"]);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "2580");
    // The clerk's card-face step the demo offers: the expiry year and security code the
    // status line shows. tmux draws no sixel: the photo is an outline only, so the clerk can't
    // say it matches, and Enter goes on with "not shown" in the record.
    let sato = Profile::named("sato").unwrap();
    let typed = format!("{}{}", sato.card_expiry().unwrap().year(), sato.security_code());
    t.wait_for_all(&["expiry year", "Tries left: 3", "rough outline only"]);
    enter_pin(&t, &typed);
    let s = t.wait_for_all(&[
        "Please check what was read",
        "佐藤",
        "Former name",
        "鈴木",
        "1989-01-08 (Heisei 1)",
        "rough outline only",
        "Card face signature: verified",
    ]);
    assert!(!s.contains("F6"), "no \"photo matches\" on an outline: {s}");
    t.send(&["Enter"]);
    t.wait_for("Tries left: 5");
    enter_pin(&t, "hanako2024");
    t.wait_for("Enrollment complete.");
    wait_received(&dir);
    t.send(&["Enter"]);
    t.wait_for("Terms of use");
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    // Once stored and delivered, the receiver holds exactly one verified record.
    assert_eq!(received(&dir), 1);
    let payloads = madoguchi::backend::receiver::accepted_payloads(&dir.join("receiver.sqlite3")).unwrap();
    assert_eq!(payloads[0]["card"]["former_name"], "鈴木");
    assert!(payloads[0]["signature"].is_string());
    assert_eq!(
        payloads[0]["card_face"],
        serde_json::json!({"photo_check": "not-shown", "read": true, "signature": "verified"})
    );
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

/// A holder under 15 signs nothing: the card proves itself with the 利用者証明 challenge. The
/// demo child's auth PIN is not its 4-digit PIN: typing that one costs one try and says so;
/// the right one reaches 完了, which tells the clerk the level. The demo receiver accepts the
/// `card-authenticated` record from the demo station, bound to it by its client certificate
/// (mTLS on loopback).
#[test]
fn demo_child_goes_through_the_auth_pin_to_done_and_done_shows_the_level() {
    let dir = support::temp_path("minor");
    let Some(t) = demo("--profile yoshino", &dir, "en") else {
        return;
    };
    through_consent(&t);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "0000");
    // The card face read in the card session the challenge binds later (the clerk types the
    // child's card's expiry year and code; tmux shows the photo as an outline only).
    let child = Profile::named("yoshino").unwrap();
    let typed = format!("{}{}", child.card_expiry().unwrap().year(), child.security_code());
    t.wait_for_all(&["expiry year", "Tries left: 3"]);
    enter_pin(&t, &typed);
    t.wait_for_all(&["Please check what was read", "rough outline only"]);
    t.send(&["Enter"]);
    // A minor: the clerk confirms the 法定代理人 with a function key.
    t.wait_for("Legal representative");
    t.send(&["F5"]);
    t.wait_for("(●) F5: parent");
    t.send(&["Enter"]);
    // The 利用者証明 step in the bar, its PIN screen with the tries before anything is typed.
    let s = t.wait_for_all(&["user certificate PIN", "Tries left: 3"]);
    assert!(s.contains("[Authenticate]") && !s.contains("Sign >"), "{s}");
    // The 4-digit PIN's digits are another PIN here: one try, said.
    enter_pin(&t, "0000");
    t.wait_for("Tries left: 2");
    enter_pin(&t, "4649");
    let s = t.wait_for("Enrollment complete.");
    assert!(
        s.contains("Card proof (clerk)") && s.contains("(card-authenticated)"),
        "完了 names the level for the clerk:\n{s}"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while received(&dir) < 1 {
        assert!(Instant::now() < deadline, "the receiver never got the record");
        std::thread::sleep(Duration::from_millis(100));
    }
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    assert!(!s.contains("4649"), "the auth PIN never reaches the scrollback:\n{s}");
    let p = madoguchi::backend::receiver::accepted_payloads(&dir.join("receiver.sqlite3")).unwrap();
    assert!(p[0]["signature"].is_null() && p[0]["signing_certificate"].is_null());
    assert_eq!(p[0]["assurance"], "card-authenticated");
    assert_eq!(
        p[0]["card_face"],
        serde_json::json!({"photo_check": "not-shown", "read": true, "signature": "verified"})
    );
    assert_eq!(p[0]["station_id"], "demo-station");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_with_the_contact_email_step() {
    let dir = support::temp_path("email");
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
    // Typed twice.
    t.wait_for("once more");
    t.send(&["-l", "hanako@example.jp"]);
    t.send(&["Enter"]);
    t.wait_for("Tries left: 5");
    enter_pin(&t, "abc123");
    t.wait_for("Enrollment complete.");
    wait_received(&dir);
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let p = madoguchi::backend::receiver::accepted_payloads(&dir.join("receiver.sqlite3")).unwrap();
    assert_eq!(p[0]["contact_email"], "hanako@example.jp");
    assert_eq!(p[0]["station_id"], "demo-email");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wrong_pin_then_right() {
    let dir = support::temp_path("wrong");
    let Some(t) = demo("--profile yamada", &dir, "en") else {
        return;
    };
    through_consent(&t);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "9999");
    t.wait_for_all(&["Wrong", "tries left: 2"]);
    // A malformed PIN costs nothing.
    enter_pin(&t, "12");
    t.wait_for("No try was used");
    for _ in 0..2 {
        t.send(&["BSpace"]);
    }
    enter_pin(&t, "1234");
    // At 80 columns the status line still shows what the clerk types on the card-face step
    // (the demo card's expiry year and security code).
    t.resize(80, 24);
    let s = t.wait_for_all(&["expiry year", "card face 2035 / 2285"]);
    assert!(s.lines().all(|l| l.chars().count() <= 80), "{s}");
    skip_face(&t, Lang::En);
    t.wait_for("Please check what was read");
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn locked_card_explains_the_municipal_office() {
    let dir = support::temp_path("locked");
    let Some(t) = demo("--profile locked", &dir, "ja") else {
        return;
    };
    through_consent(&t);
    t.wait_for_all(&["ロックされています", "市区町村の窓口"]);
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn card_pulled_during_reading_goes_back_to_the_card_step() {
    let dir = support::temp_path("pulled");
    // Slow APDUs keep the read going for seconds: F8 lands in the middle of it even on a
    // loaded machine.
    let Some(t) = demo("--profile yamada --apdu-delay-ms 1000", &dir, "en") else {
        return;
    };
    through_consent(&t);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "1234");
    t.wait_for("Reading the card");
    t.send(&["F8"]);
    t.wait_for_all(&["The card left the reader", "Place the My Number Card"]);
    t.send(&["F8"]);
    t.wait_for("Tries left");
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Revoked (Code 23) is found once the password opened the certificate; expired (Code 21) is
/// told by the card before any PIN (issue 25 item 6): no PIN is asked for at all.
#[test]
fn expired_and_revoked_certificates_show_code_21_and_23() {
    let dir = support::temp_path("expired");
    let Some(t) = demo("--profile expired", &dir, "ja") else {
        return;
    };
    through_consent(&t);
    let s = t.wait_for_all(&["エラーコード21", "市区町村の窓口で電子証明書を更新"]);
    assert!(!s.contains("残り入力回数"), "no PIN asked for: {s}");
    assert!(s.contains("[カード]") && !s.contains("✓暗証番号"), "{s}");
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    assert_eq!(received(&dir), 0, "expired: not accepted");
    let _ = std::fs::remove_dir_all(&dir);

    let dir = support::temp_path("revoked");
    let Some(t) = demo("--profile revoked", &dir, "ja") else {
        return;
    };
    through_consent(&t);
    t.wait_for("残り入力回数: 3回");
    enter_pin(&t, "2222");
    skip_face(&t, Lang::Ja);
    t.wait_for("ご確認ください");
    t.send(&["Enter"]);
    t.wait_for("残り入力回数: 5回");
    enter_pin(&t, "revoked2");
    let s = t.wait_for_all(&["エラーコード23", "市区町村の窓口で電子証明書を更新"]);
    assert!(!s.contains("Code"), "Japanese says エラーコード: {s}");
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    assert_eq!(received(&dir), 0, "revoked: not accepted");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn resize_mid_flow_and_ctrl_c_restores_the_terminal() {
    let dir = support::temp_path("resize");
    let Some(t) = demo("", &dir, "en") else { return };
    through_consent(&t);
    t.wait_for("Tries left: 3");
    t.send(&["1", "2"]);
    // The window change can overtake keys still in the tty: see them on screen first.
    t.wait_for("＊ ＊ ＿ ＿");
    t.resize(120, 40);
    // The wide layout brings the reader pane beside the step, and the typed digits survive.
    // Both in one capture: the redraw after a resize starts from a cleared screen, and tmux
    // may show the top of the new frame (the pane title) before the rest.
    t.wait_for_all(&[" Reader ", "＊ ＊ ＿ ＿"]);
    t.resize(60, 20);
    t.wait_for("Terminal too small");
    t.resize(80, 24);
    t.wait_for_all(&["Tries left: 3", "＊ ＊ ＿ ＿"]);
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
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
    let dir = support::temp_path("signal");
    let Some(t) = demo("", &dir, "en") else { return };
    let child = station_pid(&t);
    assert!(Command::new("kill").args([signal, &child]).status().unwrap().success());
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=0") && !s.contains("Terms of use"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The review of issue #25: answering Y to the quit question, or SIGTERM, while the record was
/// being saved ended the station at once, its store on a thread nobody waited for. The
/// station says it is saving, waits, and the record is on disk after it exits.
#[test]
fn quitting_while_a_record_is_saved_waits_for_it() {
    for how in ["quit", "-TERM"] {
        let dir = support::temp_path("savequit");
        let Some(t) = demo("--profile yamada --store-delay-ms 2500", &dir, "en") else {
            return;
        };
        through_consent(&t);
        t.wait_for("Tries left: 3");
        enter_pin(&t, "1234");
        skip_face(&t, Lang::En);
        t.wait_for_all(&["Please check what was read", "山田"]);
        t.send(&["Enter"]);
        t.wait_for("Tries left: 5");
        enter_pin(&t, "abc123");
        t.wait_for(msg(Lang::En, Msg::Storing));
        if how == "quit" {
            t.send(&["C-c"]);
            t.wait_for("Quit the station?");
            t.send(&["y"]);
        } else {
            assert!(Command::new("kill")
                .args([how, &station_pid(&t)])
                .status()
                .unwrap()
                .success());
        }
        let s = t.wait_until("the saving notice or the exit", |s| {
            s.contains(msg(Lang::En, Msg::QuitSaving)) || s.contains("EXIT=")
        });
        assert!(s.contains(msg(Lang::En, Msg::QuitSaving)), "{how}: {s}");
        let s = t.wait_for("EXIT=");
        assert!(s.contains("EXIT=0"), "{how}: {s}");
        let o = madoguchi::backend::outbox::Outbox::open(&dir.join("outbox.sqlite3"), 10).unwrap();
        assert_eq!(o.list().unwrap().len(), 1, "{how}: the confirmed record is on disk");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The station's pid in the pane (which runs `sh -c "madoguchi …; echo …"`).
fn station_pid(t: &Tmux) -> String {
    let pid = String::from_utf8(
        Command::new("tmux")
            .args(["-L", &t.0, "list-panes", "-F", "#{pane_pid}"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let out = Command::new("pgrep")
        .args(["-P", pid.trim(), "madoguchi"])
        .output()
        .unwrap();
    let child = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!child.is_empty(), "madoguchi child of pane {pid}");
    child
}

/// Once through the real PC/SC path: pcscd, the vpcd reader, the virtual card behind it, and
/// the station binary configured for that reader (records kept locally, unsealed by config).
#[test]
fn station_through_a_real_pcscd() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("yamada", &[]);
    let dir = support::tmp("pcscd");
    let cfg = support::station::on_reader(
        &dir,
        "tty-test",
        &format!(
            "[steps]\nsignature = false\n[backend]\nseal = false\noutbox = \"{}\"\n",
            dir.join("outbox.sqlite3").display()
        ),
    );
    let cmd = format!("{BIN} --config {}; echo EXIT=$?; sleep 60", cfg.display());
    let Some(t) = Tmux::start(&cmd) else { return };
    t.wait_for("Short terms");
    through_consent(&t);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "1234");
    t.wait_for_all(&["Please check what was read", "山田"]);
    t.send(&["Enter"]);
    // No signature step: the 利用者証明 challenge, after its own PIN.
    t.wait_for_all(&["user certificate PIN", "Tries left: 3"]);
    enter_pin(&t, "1234");
    t.wait_for_all(&["Enrollment complete.", "(card-authenticated)"]);
    let st = card.stats();
    assert_eq!(
        (st["verify_with_data"].as_u64(), st["auth_verifies"].as_u64()),
        (Some(2), Some(1)),
        "{st}"
    );
    assert_eq!(st["my_number_selects"], 0);
    // Without the signature step there is no probe: the challenge reads the auth certificate
    // itself, right after EF 02 (docs/card.md: 5, then 3).
    let log: Vec<&str> = st["apdu_log"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        log[6..],
        [
            "SELECT 00 A4 04 0C D392F000260100000001",
            "SELECT 00 A4 02 0C 000A",
            "READ BINARY 00 B0 00 00 Ne=65536",
            "SELECT 00 A4 02 0C 0018",
            "VERIFY 00 20 00 80",
            "VERIFY 00 20 00 80 [hidden]",
            "SELECT 00 A4 02 0C 0017",
            "COMPUTE DIGITAL SIGNATURE 80 2A 00 80 Lc=51 Ne=256",
        ],
        "{log:#?}"
    );
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
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
    let deadline = Instant::now() + DEADLINE;
    while !present(SECOND) {
        assert!(Instant::now() < deadline, "card in the second reader");
        std::thread::sleep(Duration::from_millis(50));
    }
    let dir = support::temp_path("readers");
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
        let _ = card.kill();
        let _ = card.wait();
        return;
    };
    t.wait_for("Short terms");
    through_consent(&t);
    // The status line names the reader with the card; F3 is offered with two readers.
    t.wait_for_all(&["Tries left: 3", &format!("{SECOND}:"), "F3"]);
    // A card arriving in the other reader does not pull the session away. The full
    // diagnostics (F4) show when the station has seen that card; then the session is checked.
    let first = Inserted::new("sato", &[]);
    t.send(&["F4"]);
    t.wait_until("the card in the first reader, in the diagnostics", |s| {
        let lines: Vec<&str> = s.lines().collect();
        lines
            .windows(2)
            .any(|w| w[0].contains(READER) && w[1].contains("Card: present"))
    });
    t.send(&["F4"]);
    let s = t.wait_for("Tries left: 3");
    assert!(
        s.contains(&format!("{SECOND}:")) && !s.contains(&format!("{READER}:")),
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
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let _ = card.kill();
    let _ = card.wait();
    let deadline = Instant::now() + DEADLINE;
    while present(SECOND) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The citizen picks 한국어 on the consent screen: their panes are in Korean, the clerk's
/// lines stay Japanese, and the record signs `ko` with the hash of the Korean terms shown.
#[test]
fn citizen_picks_korean_while_the_clerk_keeps_japanese() {
    let dir = support::temp_path("korean");
    let Some(t) = demo("--profile sato", &dir, "ja") else {
        return;
    };
    // Each pane, waited for until one capture holds all of it (tmux may catch a frame half
    // drawn over the last language's): `waited` on screen, the citizen's texts in Korean and
    // not in Japanese, the clerk's help and status lines (終了, 診断, 未送信) in Japanese.
    let pane = |waited: &[&str], citizen: &[Msg]| -> String {
        let what = format!("{waited:?}, {citizen:?} in Korean and not Japanese, the clerk's lines in Japanese");
        t.wait_until(&what, |s| {
            // The citizen's panes: all but the clerk's two lines at the bottom.
            let lines: Vec<&str> = s.trim_end().lines().collect();
            // Wrapped messages compare without the line breaks and the box.
            let flat = |t: &str| {
                t.chars()
                    .filter(|c| !c.is_whitespace() && *c != '│')
                    .collect::<String>()
            };
            let panes = flat(&lines[..lines.len().saturating_sub(2)].join("\n"));
            waited.iter().all(|w| s.contains(w))
                && [Msg::KeyQuit, Msg::KeyDiag, Msg::Queue]
                    .iter()
                    .all(|&m| s.contains(msg(Lang::Ja, m)))
                && citizen
                    .iter()
                    .all(|&m| panes.contains(&flat(msg(Lang::Ko, m))) && !panes.contains(&flat(msg(Lang::Ja, m))))
        })
    };
    // 日本語 → English → 简体中文 → 한국어.
    t.send(&["Right", "Right", "Right"]);
    let s = pane(
        &["[한국어]", "이용약관", "제1조"],
        &[Msg::StepConsent, Msg::StepConfirm],
    );
    assert!(!s.contains("利用規約"), "{s}");
    t.send(&["End"]);
    pane(&["Enter: 동의하고 다음으로"], &[Msg::KeyAgree]);
    t.send(&["Enter"]);
    pane(&["남은 입력 횟수: 3회"], &[Msg::PinRuleText, Msg::StepConsent]);
    enter_pin(&t, "2580");
    skip_face(&t, Lang::Ja);
    let s = pane(
        &["카드에서 읽은 내용을 확인해 주십시오", "佐藤", "[ 다음 ]"],
        // (「次へ」 is in the clerk's key line too: the button itself is 다음.)
        &[Msg::ConfirmHeading, Msg::ConfirmNote, Msg::LabelName, Msg::LabelAddress],
    );
    assert!(s.contains("[ 다음 ]"), "{s}");
    t.send(&["Enter"]);
    pane(&["남은 입력 횟수: 5회"], &[Msg::StepConsent]);
    enter_pin(&t, "hanako2024");
    pane(&["접수가 완료되었습니다."], &[Msg::DoneHeading, Msg::KeyNextCitizen]);
    wait_received(&dir);
    // The next citizen starts in Japanese again.
    t.send(&["Enter"]);
    t.wait_for_all(&["[日本語]", "利用規約"]);
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let p = madoguchi::backend::receiver::accepted_payloads(&dir.join("receiver.sqlite3")).unwrap();
    use base64::Engine;
    let statement = base64::engine::general_purpose::STANDARD
        .decode(p[0]["statement"].as_str().unwrap())
        .unwrap();
    let statement: serde_json::Value = serde_json::from_slice(&statement).unwrap();
    assert_eq!(statement["lang"], "ko");
    let ko = include_str!("../examples/terms-demo.ko.txt");
    assert_eq!(
        statement["terms_sha256"],
        madoguchi::record::canonical::sha256_hex(ko.as_bytes())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `demo --privacy`: a Korean citizen reads and signs the Korean notice; the next one, in
/// Vietnamese, reads the Japanese notice below a line saying so, and signs its hash.
#[test]
fn demo_privacy_notice_in_the_citizens_language_or_the_japanese_one() {
    use madoguchi::i18n::tries_short;
    let dir = support::temp_path("privacy-lang");
    let Some(t) = demo("--profile sato --privacy", &dir, "en") else {
        return;
    };
    // One citizen through both consent screens and the two PINs, in `lang`.
    let enroll = |lang: Lang, terms: &[&str], privacy: &[&str]| {
        let agree = msg(lang, Msg::KeyAgree);
        t.wait_for_all(terms);
        t.send(&["End"]);
        t.wait_for(agree);
        t.send(&["Enter"]);
        t.wait_for_all(privacy);
        t.send(&["End"]);
        t.wait_for(agree);
        t.send(&["Enter"]);
        t.wait_for(&tries_short(lang, 3));
        enter_pin(&t, "2580");
        skip_face(&t, Lang::En);
        t.wait_for("佐藤");
        t.send(&["Enter"]);
        t.wait_for(&tries_short(lang, 5));
        enter_pin(&t, "hanako2024");
        t.wait_for(msg(lang, Msg::DoneHeading));
    };
    // English → 简体中文 → 한국어.
    t.send(&["Right", "Right"]);
    enroll(Lang::Ko, &["[한국어]", "이용약관"], &["개인정보의 취급에 관하여(데모)"]);
    t.send(&["Enter"]);
    t.wait_for("[English]");
    // → 简体中文 → 한국어 → Español → Português → Tiếng Việt: no notice of its own.
    t.send(&["Right", "Right", "Right", "Right", "Right"]);
    enroll(
        Lang::Vi,
        &["[Tiếng Việt]", "Không có điều khoản"],
        &["Không có thông báo xử lý", "個人情報の取り扱いについて（デモ）"],
    );
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let payloads = madoguchi::backend::receiver::accepted_payloads(&dir.join("receiver.sqlite3")).unwrap();
    assert_eq!(payloads.len(), 2);
    use base64::Engine;
    let sha = |s: &str| madoguchi::record::canonical::sha256_hex(s.as_bytes());
    let mut seen = Vec::new();
    for p in &payloads {
        let statement = base64::engine::general_purpose::STANDARD
            .decode(p["statement"].as_str().unwrap())
            .unwrap();
        let st: serde_json::Value = serde_json::from_slice(&statement).unwrap();
        assert_eq!(st["privacy_id"], "demo-privacy");
        seen.push((st["lang"].as_str().unwrap().to_string(), st["privacy_sha256"].clone()));
    }
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        seen,
        [
            (
                "ko".to_string(),
                sha(include_str!("../examples/privacy-demo.ko.txt")).into()
            ),
            (
                "vi".to_string(),
                sha(include_str!("../examples/privacy-demo.txt")).into()
            ),
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 25 item 3: while F4's diagnostics are open, only their keys act: End and Enter don't
/// accept the terms unseen, digits and Enter send nothing. Esc closes them (and says so).
#[test]
fn the_diagnostics_overlay_holds_the_keyboard() {
    let dir = support::temp_path("overlay");
    let Some(t) = demo("", &dir, "en") else { return };
    t.resize(80, 24);
    t.wait_for("Terms of use");
    t.send(&["F4"]);
    t.wait_for_all(&["Reader diagnostics", "F4/Esc close"]);
    t.send(&["End", "Enter", "1", "2", "3", "4", "Enter"]);
    // F9 still acts (the clerk's lines turn to Chinese): every key before it was handled.
    t.send(&["F9"]);
    t.wait_for("F4/Esc 关闭");
    t.send(&["Escape"]);
    let s = t.wait_for("Terms of use");
    assert!(!s.contains("Tries left") && !s.contains("Reader diagnostics"), "{s}");
    assert!(
        !s.contains("agree and continue"),
        "the terms were not scrolled to the end: {s}"
    );
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 25 items 2 and 4: Ctrl-C during an enrollment asks first (N goes on); ← from 次へ
/// selects the button drawn to its left.
#[test]
fn ctrl_c_asks_during_an_enrollment_and_arrows_follow_the_buttons() {
    let dir = support::temp_path("ask");
    let Some(t) = demo("--profile yamada", &dir, "en") else {
        return;
    };
    through_consent(&t);
    t.wait_for("Tries left: 3");
    enter_pin(&t, "1234");
    skip_face(&t, Lang::En);
    t.wait_for("[ Next ]");
    t.send(&["Left"]);
    t.wait_for("[ Read again ]");
    t.send(&["Right", "Right"]);
    t.wait_for("[ Stop ]");
    t.send(&["C-c"]);
    t.wait_for_all(&["Quit the station?", "Y: quit"]);
    t.send(&["n"]);
    let s = t.wait_for("[ Stop ]");
    assert!(!s.contains("Quit the station?") && !s.contains("EXIT="), "{s}");
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 25 item 10: the demo shows the terms of `--config`'s `terms_file`; its diagnostics
/// don't claim a pcscd it does not use. Issue 25 item 9: a status socket that can't be opened
/// (here its runtime dir is a file) is said on screen.
#[test]
fn the_demo_shows_the_configured_terms_and_no_pcscd() {
    let dir = support::temp_path("terms");
    std::fs::create_dir_all(&dir).unwrap();
    let terms = dir.join("city-terms.txt");
    std::fs::write(&terms, "City of Example: terms of the counter.\nRead and agree.").unwrap();
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, format!("terms_file = \"{}\"\n", terms.display())).unwrap();
    let not_a_dir = dir.join("runtime-file");
    std::fs::write(&not_a_dir, "").unwrap();
    let cmd = format!(
        "XDG_RUNTIME_DIR={} {BIN} --lang en demo --data-dir {} --config {} 2>{}/stderr; echo EXIT=$?; sleep 60",
        not_a_dir.display(),
        dir.display(),
        cfg.display(),
        dir.display()
    );
    let Some(t) = Tmux::start(&cmd) else { return };
    let s = t.wait_for("City of Example");
    assert!(s.contains("status ✕"), "the status socket's failure on screen: {s}");
    t.send(&["F4"]);
    let s = t.wait_for("Reader diagnostics");
    assert!(s.contains("pcscd: not used") && !s.contains("pcscd: running"), "{s}");
    assert!(
        s.contains("madoguchi status"),
        "the socket's failure in the diagnostics: {s}"
    );
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 25 item 9: `madoguchi status` without a running station has its own exit code.
#[test]
fn status_without_a_station_exits_with_its_own_code() {
    let dir = support::temp_path("nostation");
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(BIN)
        .args(["status"])
        .env("XDG_RUNTIME_DIR", &dir)
        .env("TMPDIR", &dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(10), "{}", String::from_utf8_lossy(&out.stderr));
    let help = Command::new(BIN).args(["status", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("10  no running station"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The review of issue #25: `madoguchi status --watch` exited 0, with nothing on stderr, when
/// the station it watched quit. It says so and exits 10 ("no running station"); the time
/// over each block is the local clock's, in RFC 3339 with the offset (not UTC `…Z`).
#[test]
fn status_watch_says_when_the_station_quits() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::PermissionsExt;
    use std::process::Stdio;
    let dir = support::temp_path("watchquit");
    let run = dir.join("run");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    let cmd = format!(
        "XDG_RUNTIME_DIR={} {BIN} --lang en demo --data-dir {} 2>{}/stderr; echo EXIT=$?; sleep 60",
        run.display(),
        dir.display(),
        dir.display()
    );
    let Some(t) = Tmux::start(&cmd) else { return };
    t.wait_for("Terms of use");
    let mut watch = Command::new(BIN)
        .args(["--lang", "ja", "status", "--watch"])
        .env("XDG_RUNTIME_DIR", &run)
        .env("TZ", "JST-9")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx.recv_timeout(DEADLINE).expect("a first snapshot");
    assert!(first.starts_with("── ") && first.ends_with("+09:00 ──"), "{first}");
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let deadline = Instant::now() + DEADLINE;
    let code = loop {
        if let Some(status) = watch.try_wait().unwrap() {
            break status.code();
        }
        assert!(Instant::now() < deadline, "status --watch did not end with the station");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut watch.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(code, Some(10), "{stderr}");
    assert!(stderr.contains("監視していた窓口端末が終了しました"), "{stderr:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 25 item 6: a card without a signing certificate says so before the PIN.
#[test]
fn a_card_without_a_signing_certificate_says_so_before_the_pin() {
    let dir = support::temp_path("nocert");
    let Some(t) = demo("--profile nocert-adult", &dir, "en") else {
        return;
    };
    through_consent(&t);
    let s = t.wait_for_all(&["Tries left: 3", "no signing certificate"]);
    assert!(!s.contains("Please check what was read"), "{s}");
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `[steps] allow_unauthenticated = true` in the station's configuration: the clerk's status
/// line says that records proving no card are allowed, from the first screen on.
#[test]
fn the_station_says_when_records_proving_no_card_are_allowed() {
    let dir = support::tmp("unauth");
    let cfg = support::station::on_reader(
        &dir,
        "unauth-test",
        &format!(
            "[steps]\nallow_unauthenticated = true\n[backend]\nseal = false\noutbox = \"{}\"\n",
            dir.join("outbox.sqlite3").display()
        ),
    );
    let cmd = format!("{BIN} --config {}; echo EXIT=$?; sleep 60", cfg.display());
    let Some(t) = Tmux::start(&cmd) else { return };
    t.wait_for_all(&["Short terms", msg(Lang::En, Msg::UnauthenticatedAllowed)]);
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}
