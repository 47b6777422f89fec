//! What a citizen's card session leaves on the card, through a real pcscd and the vpcd virtual
//! card. A verified PIN is reported to survive a warm reset and a reconnect on real cards (the
//! virtual card behaves so); only a power-down clears it (docs/card.md, "Ending a card
//! session"). After each way a session ends — 完了 (after the 利用者証明 challenge too), Esc, the idle wipe, a removal, quitting the
//! station, and the CLI's `read` and `cert sign` — another PC/SC program that connects at once
//! (this test) reads nothing that needed the PIN.
//!
//! pcscd itself powers an unused card down after a grace period (5 s in pcsc-lite), so each
//! case connects the moment the station lets go, as the attack would.

mod support;

use madoguchi::card::files::{AID_JPKI, AID_TEXT};
use pcsc::{Context, Disposition, Protocols, Scope, ShareMode};
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::time::Instant;
use support::cli::madoguchi;
use support::pcscd::*;
use support::tmux::Tmux;
use support::{BIN, DEADLINE};

/// Connects as another program would, as soon as the station lets go of the card.
fn connect_when_free() -> (Context, pcsc::Card) {
    let ctx = Context::establish(Scope::User).unwrap();
    let name = CString::new(READER).unwrap();
    let deadline = Instant::now() + DEADLINE;
    loop {
        match ctx.connect(&name, ShareMode::Shared, Protocols::ANY) {
            Ok(card) => return (ctx, card),
            Err(pcsc::Error::SharingViolation) if Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            Err(e) => panic!("connecting to the card after the session: {e}"),
        }
    }
}

fn sw(card: &pcsc::Card, apdu: &[u8]) -> [u8; 2] {
    let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
    let r = card.transmit(apdu, &mut buf).unwrap();
    assert!(r.len() >= 2, "answer without a status word");
    [r[r.len() - 2], r[r.len() - 1]]
}

/// READ BINARY of `fid` without any PIN, twice: under whatever the card kept selected, and
/// after selecting `aid` (SELECT AP, SELECT EF, READ). Returns the status words of the reads.
fn reads_without_pin(aid: &[u8], fid: u16) -> [[u8; 2]; 2] {
    let (_ctx, card) = connect_when_free();
    let [hi, lo] = fid.to_be_bytes();
    let select_ef = [0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo];
    let read = [0x00, 0xB0, 0x00, 0x00, 0x00];
    sw(&card, &select_ef);
    let kept = sw(&card, &read);
    let mut select_ap = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
    select_ap.extend_from_slice(aid);
    assert_eq!(sw(&card, &select_ap), [0x90, 0x00], "SELECT AP");
    assert_eq!(sw(&card, &select_ef), [0x90, 0x00], "SELECT EF {fid:04X}");
    let selected = sw(&card, &read);
    let _ = card.disconnect(Disposition::LeaveCard);
    [kept, selected]
}

/// The text AP's EF 02 (basic four items) is not readable without the PIN.
fn assert_ef02_closed(after: &str) {
    let [kept, selected] = reads_without_pin(&AID_TEXT, 0x0002);
    assert_ne!(kept, [0x90, 0x00], "after {after}: EF 02 read under the kept selection");
    assert_eq!(
        selected,
        [0x69, 0x82],
        "after {after}: SELECT AP, SELECT EF 02, READ must answer 69 82"
    );
}

/// The 利用者証明 key (JPKI EF 0017) does not sign without its PIN: SELECT JPKI, SELECT
/// 0017, COMPUTE DIGITAL SIGNATURE over a SHA-256 DigestInfo. Returns its status word.
fn auth_signs_without_pin() -> [u8; 2] {
    let (_ctx, card) = connect_when_free();
    let mut select_ap = vec![0x00, 0xA4, 0x04, 0x0C, AID_JPKI.len() as u8];
    select_ap.extend_from_slice(&AID_JPKI);
    assert_eq!(sw(&card, &select_ap), [0x90, 0x00], "SELECT JPKI");
    assert_eq!(
        sw(&card, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17]),
        [0x90, 0x00],
        "SELECT 0017"
    );
    let digest_info = madoguchi::card::client::sha256_digest_info(&[0x5A; 32]);
    let mut sign = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
    sign.extend_from_slice(&digest_info);
    sign.push(0x00);
    let answer = sw(&card, &sign);
    let _ = card.disconnect(Disposition::LeaveCard);
    answer
}

#[test]
fn cli_read_and_cert_leave_nothing_verified() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("yamada", &[]);
    let out = madoguchi(&["--lang", "en", "read", "--reader", READER, "--json"], "1234\n");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_ef02_closed("madoguchi read");

    let out = madoguchi(&["--lang", "en", "cert", "sign", "--reader", READER], "abc123\n");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let [kept, selected] = reads_without_pin(&AID_JPKI, 0x0001);
    assert_ne!(kept, [0x90, 0x00], "signing certificate read under the kept selection");
    assert_eq!(selected, [0x69, 0x82], "signing certificate read without the password");
    assert_eq!(card.stats()["verify_with_data"], 2);
}

/// The station on the vpcd reader (no signature step, records kept locally), in tmux.
struct Station {
    tmux: Tmux,
    dir: PathBuf,
}

impl Station {
    fn start(name: &str, extra_config: &str) -> Option<Station> {
        let dir = support::tmp(name);
        let cfg = support::station::on_reader(
            &dir,
            "release-test",
            &format!(
                "{extra_config}[steps]\nsignature = false\n[backend]\nseal = false\noutbox = \"{}\"\n",
                dir.join("outbox.sqlite3").display()
            ),
        );
        let cmd = format!("{BIN} --config {}; echo EXIT=$?; sleep 60", cfg.display());
        let tmux = Tmux::start(&cmd)?;
        Some(Station { tmux, dir })
    }

    /// Consent, PIN, read: the citizen looks at the confirm screen, the PIN verified.
    fn to_confirm(&self) {
        let t = &self.tmux;
        t.wait_for("Short terms");
        t.send(&["End"]);
        t.wait_until("the offer to agree", |s| {
            s.contains(madoguchi::i18n::msg(
                madoguchi::lang::Lang::En,
                madoguchi::i18n::Msg::KeyAgree,
            ))
        });
        t.send(&["Enter"]);
        t.wait_for("Tries left: 3");
        t.send(&["1", "2", "3", "4", "Enter"]);
        t.wait_for_all(&["Please check what was read", "山田"]);
    }
}

impl Drop for Station {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn outbox_len(dir: &Path) -> usize {
    madoguchi::backend::outbox::Outbox::open(&dir.join("outbox.sqlite3"), 10)
        .unwrap()
        .list()
        .unwrap()
        .len()
}

#[test]
fn station_done_leaves_nothing_verified() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("yamada", &[]);
    let Some(s) = Station::start("done", "") else { return };
    s.to_confirm();
    s.tmux.send(&["Enter"]);
    // No signature step: the card proves itself with the 利用者証明 challenge, after its own
    // PIN (yamada chose the same digits for both).
    s.tmux.wait_for_all(&["user certificate PIN", "Tries left: 3"]);
    s.tmux.send(&["1", "2", "3", "4", "Enter"]);
    // The station lets go of the card once the record is stored, before 完了 is on screen
    // (that waits for the delivery a while): look at once, as another program could. Neither
    // PIN verified in the session is left: EF 02 is closed, the auth key does not sign.
    assert_ef02_closed("storing the record");
    assert_eq!(
        auth_signs_without_pin(),
        [0x69, 0x82],
        "the auth key signed without its PIN"
    );
    s.tmux.wait_for("Enrollment complete.");
    assert_eq!(outbox_len(&s.dir), 1);
    let st = card.stats();
    assert_eq!(
        (st["verify_with_data"].as_u64(), st["auth_verifies"].as_u64()),
        (Some(2), Some(1)),
        "{st}"
    );
    assert_eq!(st["auth_signatures"], 1, "{st}");
}

#[test]
fn station_esc_leaves_nothing_verified() {
    let Some(_turn) = turn() else { return };
    let _card = Inserted::new("yamada", &[]);
    let Some(s) = Station::start("esc", "") else { return };
    s.to_confirm();
    s.tmux.send(&["Escape"]);
    assert_ef02_closed("Esc at the confirm screen");
    s.tmux.wait_for("Short terms");
}

#[test]
fn station_idle_wipe_leaves_nothing_verified() {
    let Some(_turn) = turn() else { return };
    let _card = Inserted::new("yamada", &[]);
    let Some(s) = Station::start("idle", "idle_timeout_secs = 10\n") else {
        return;
    };
    s.to_confirm();
    // No key: the idle wipe ends the session (the connect below waits for it).
    assert_ef02_closed("the idle wipe");
    s.tmux.wait_for("Short terms");
}

#[test]
fn station_quit_leaves_nothing_verified() {
    let Some(_turn) = turn() else { return };
    let _card = Inserted::new("yamada", &[]);
    let Some(s) = Station::start("quit", "") else { return };
    s.to_confirm();
    // During an enrollment the station asks first (`quit` answers yes).
    let screen = s.tmux.quit();
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert_ef02_closed("Ctrl-C");
}

/// A card taken away at the confirm screen (the station keeps what the citizen confirmed)
/// and put back: the station let go of the card at the removal, so another program gets the
/// card at once, and with nothing verified (a card off the reader has lost its power).
#[test]
fn station_removal_leaves_nothing_verified() {
    let Some(_turn) = turn() else { return };
    let Some(s) = Station::start("removal", "") else { return };
    {
        let _card = Inserted::new("yamada", &[]);
        s.to_confirm();
    }
    let _back = Inserted::new("yamada", &[]);
    assert_ef02_closed("a removal");
}
