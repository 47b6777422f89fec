//! The card face (券面事項確認AP) through a real pcscd and the vpcd virtual card (issue #24),
//! counted by the card itself (its `--stats` file: counters and the log of every APDU it
//! received): a wrong 照合番号B costs exactly one try, a locked one gets no VERIFY, the right one
//! opens EF 0002, whose photo, images and signature (checked with the test issuer's key) come
//! out whole; and EF 0005 (the My Number image) and EF 0013 (照合番号A) never reach the card,
//! though the card has them and counts every SELECT of them.
//!
//! Needs pcscd with the vsmartcard-vpcd driver (`.ci/run`); SKIPPED without it, except under CI.

mod support;

use madoguchi::card::apdu::Command;
use madoguchi::card::face::{issuer_key, FaceError, FaceSignature};
use madoguchi::card::files::AID_FACE;
use madoguchi::card::guard::Guard;
use madoguchi::card::vcard::printed::PHOTO_JP2;
use madoguchi::card::vcard::profile::Profile;
use madoguchi::card::{client::MyNumberCard, CardError};
use madoguchi::card::{Refusal, Transport, TransportError};
use madoguchi::i18n::{msg, Msg};
use madoguchi::lang::Lang;
use madoguchi::picture::decode;
use madoguchi::reader::{self, PcscCard};
use madoguchi::secret::PinB;
use serde_json::Value;
use support::pcscd::*;
use support::receiver_bin::ReceiverBin;
use support::tmux::Tmux;
use support::{wait_until, BIN};

/// Waits until the card's counters (written after each APDU it answers) satisfy `cond`.
fn stats_until(card: &Inserted, what: &str, cond: impl Fn(&Value) -> bool) -> Value {
    wait_until(what, || cond(&card.stats()));
    card.stats()
}

/// No APDU the card received named EF 0005 or EF 0013, and every VERIFY it logged hid its data.
fn never_near_the_my_number(s: &Value) {
    assert_eq!(s["my_number_selects"], 0, "{s}");
    assert_eq!(s["pin_a_verifies"], 0, "{s}");
    for line in s["apdu_log"].as_array().unwrap() {
        let line = line.as_str().unwrap();
        assert!(!line.contains("0005") && !line.contains("0013"), "{line}");
        if line.starts_with("VERIFY") && line.len() > "VERIFY 00 20 00 80".len() {
            assert!(line.ends_with("[hidden]"), "{line}");
        }
    }
}

/// The 14 digits of the profile's 照合番号B with the security code replaced.
fn wrong_pin_b(p: &Profile) -> PinB {
    let right = p.pin_b().unwrap();
    let code = if right.ends_with("0000") { b"1111" } else { b"0000" };
    PinB::from_parts(&right.as_bytes()[..6], &right.as_bytes()[6..10], code).unwrap()
}

#[test]
fn a_wrong_pin_b_costs_one_try_and_the_right_one_opens_the_card_face() {
    let Some(_turn) = turn() else { return };
    let p = Profile::named("yamada").unwrap();
    let card = Inserted::new("yamada", &[]);
    let ctx = reader::establish().unwrap();
    let mut conn = PcscCard::connect(&ctx, READER, true).unwrap();

    let wrong = conn
        .transaction(|t| {
            let mut c = MyNumberCard::new(t);
            assert_eq!(c.pin_b_tries().unwrap(), 3);
            c.verify_pin_b(&wrong_pin_b(&p)).unwrap_err()
        })
        .unwrap();
    assert_eq!(wrong, FaceError::WrongPinB { tries_left: 2 });
    let s = stats_until(&card, "the wrong VERIFY counted", |s| s["pin_b_verifies"] == 1);
    assert_eq!(s["pin_b_tries"], 2, "exactly one try: {s}");
    assert_eq!(s["verify_with_data"], 1, "{s}");
    assert_eq!(
        (s["card_face_reads"].as_u64(), s["text_pin_tries"].as_u64()),
        (Some(0), Some(3)),
        "{s}"
    );

    // The tries shown again, the right number, EF 0002 read whole: SELECT the AP, SELECT
    // 0012, VERIFY query, VERIFY, SELECT 0002, one extended READ (docs/card.md).
    let before = s["apdus"].as_u64().unwrap();
    let (tries, face, sent) = conn
        .transaction(|t| {
            let mut c = MyNumberCard::new(t);
            let tries = c.pin_b_tries().unwrap();
            c.verify_pin_b(&PinB::new(p.pin_b().unwrap().as_bytes()).unwrap())
                .unwrap();
            (tries, c.read_card_face().unwrap(), c.apdus_sent())
        })
        .unwrap();
    assert_eq!((tries, sent), (2, 6));
    assert_eq!(face.photo_jp2(), PHOTO_JP2);
    assert_eq!(face.birth(), p.birth().unwrap());
    assert_eq!(face.sex_code(), b'1');
    assert_eq!(face.expiry().0, 2035);
    let photo = decode::photo(face.photo_jp2()).unwrap();
    assert_eq!((photo.width(), photo.height()), (378, 472));
    for png in [face.name_png(), face.address_png(), face.security_code_png()] {
        assert!(decode::text_png(png).is_ok());
    }
    // DF 28 with the test issuer's key (the test signing CA's, written by the card), and
    // "not verified" without one.
    let ca = openssl::x509::X509::from_pem(&card.cert_pem("sign-ca.pem")).unwrap();
    let issuer = issuer_key(&ca.public_key().unwrap().public_key_to_pem().unwrap()).unwrap();
    assert_eq!(face.check_signature(Some(&issuer)), FaceSignature::Valid);
    assert_eq!(face.check_signature(None), FaceSignature::NotVerified);
    drop(conn);
    let s = stats_until(&card, "the card face read", |s| {
        s["card_face_reads"].as_u64() >= Some(1)
    });
    assert_eq!(
        s["apdus"].as_u64().unwrap() - before,
        6,
        "each reached the card once: {s}"
    );
    assert_eq!(
        s["pin_b_verifies"], 2,
        "one VERIFY per number typed, never re-sent: {s}"
    );
    assert_eq!(s["pin_b_tries"], 3, "a success restores the counter: {s}");
    never_near_the_my_number(&s);
}

#[test]
fn a_locked_pin_b_gets_no_verify() {
    let Some(_turn) = turn() else { return };
    let p = Profile::named("yamada").unwrap();
    let card = Inserted::new("yamada", &[]);
    let ctx = reader::establish().unwrap();
    // Three wrong numbers, each in a card session of its own: 2, 1, then locked.
    for (n, want) in [
        (1, FaceError::WrongPinB { tries_left: 2 }),
        (2, FaceError::WrongPinB { tries_left: 1 }),
        (3, FaceError::PinBLocked),
    ] {
        let mut conn = PcscCard::connect(&ctx, READER, true).unwrap();
        let got = conn
            .transaction(|t| {
                let mut c = MyNumberCard::new(t);
                assert_eq!(c.pin_b_tries().unwrap(), 4 - n);
                c.verify_pin_b(&wrong_pin_b(&p)).unwrap_err()
            })
            .unwrap();
        assert_eq!(got, want);
        drop(conn);
        stats_until(&card, "the VERIFY counted", |s| s["pin_b_verifies"] == n);
    }
    // Locked: the tries query says so and nothing else is sent; the face stays closed.
    let mut conn = PcscCard::connect(&ctx, READER, true).unwrap();
    let (tries, read) = conn
        .transaction(|t| {
            let mut c = MyNumberCard::new(t);
            (c.pin_b_tries().unwrap_err(), c.read_card_face().err())
        })
        .unwrap();
    assert_eq!(tries, FaceError::PinBLocked);
    assert_eq!(read, Some(FaceError::Card(CardError::SecurityStatus)));
    drop(conn);
    let s = stats_until(&card, "the last query counted", |s| s["verify_queries"] == 4);
    assert_eq!(
        (s["pin_b_verifies"].as_u64(), s["verify_with_data"].as_u64()),
        (Some(3), Some(3)),
        "{s}"
    );
    assert_eq!(
        (s["pin_b_tries"].as_u64(), s["card_face_reads"].as_u64()),
        (Some(0), Some(0)),
        "{s}"
    );
    never_near_the_my_number(&s);
}

/// The guard under the client stops every way to EF 0005 and EF 0013 before pcscd sees it;
/// the same SELECT sent around the guard reaches the card and is counted (the counter works).
#[test]
fn ef_0005_and_ef_0013_never_reach_the_card() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("yamada", &[]);
    let ctx = reader::establish().unwrap();
    let mut conn = PcscCard::connect(&ctx, READER, true).unwrap();
    conn.transaction(|t| {
        let mut g = Guard::new(t);
        g.transmit(&Command::select_df(&AID_FACE)).unwrap();
        for fid in [0x0005u16, 0x0013] {
            let [hi, lo] = fid.to_be_bytes();
            for cmd in [
                Command::select_ef(fid),
                Command::new(0, 0xA4, 0x08, 0x0C, &[hi, lo], 0),
                Command::new(0, 0xA4, 0x00, 0x0C, &[hi, lo], 0),
                Command::new(0, 0xB0, 0x80 | lo, 0, &[], 256),
                Command::new(0, 0x20, 0x00, 0x80 | lo, b"123456789012", 0),
            ] {
                assert!(
                    matches!(g.transmit(&cmd), Err(TransportError::Refused(_))),
                    "{cmd} reached the card"
                );
            }
            assert!(matches!(
                g.transmit(&Command::select_ef(fid)),
                Err(TransportError::Refused(Refusal::MyNumberFile))
            ));
        }
        assert_eq!(g.sent(), 1, "only the SELECT of the application went out");
    })
    .unwrap();
    let s = stats_until(&card, "the SELECT of the AP", |s| s["selects"] == 1);
    assert_eq!(s["apdus"], 1, "{s}");
    never_near_the_my_number(&s);
    // Around the guard (never done by the station): the card counts it.
    conn.transaction(|t| {
        t.transmit(&Command::select_df(&AID_FACE)).unwrap();
        t.transmit(&Command::select_ef(0x0005)).unwrap();
    })
    .unwrap();
    let s = stats_until(&card, "the unguarded SELECT", |s| s["my_number_selects"] == 1);
    assert!(
        s["apdu_log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().ends_with("0005")),
        "{s}"
    );
}

/// Sends each character of `text`, then Enter.
fn type_enter(t: &Tmux, text: &str) {
    let keys: Vec<String> = text.chars().map(|c| c.to_string()).collect();
    let refs: Vec<&str> = keys.iter().map(|s| s.as_str()).collect();
    t.send(&refs);
    t.send(&["Enter"]);
}

/// Whether `hay` holds `needle` anywhere.
fn holds(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The whole station (the real binary, in tmux) on the vpcd reader with `[steps] card_face =
/// "require"`, delivering to a real `madoguchi receive`. Counted by the card: each wrong
/// 照合番号B costs exactly one try, the last try is sent only after the clerk's yes, and no APDU
/// names EF 0005 or EF 0013. The clerk says the photo matches; the receiver's record carries
/// `card_face` {read, matched, DF 28 verified with the configured issuer key}, in the signed
/// statement too, and neither the record, the outbox nor the receiver's database holds the
/// photo, an image or 照合番号B.
///
/// `graphics = "kitty"`: tmux draws no pictures, so the operator's word stands in for a
/// terminal that does (tests/picture_xterm.rs shows a real one drawing the photo).
#[test]
fn the_station_records_the_clerks_word_on_the_photo_and_nothing_of_the_face() {
    let Some(_turn) = turn() else { return };
    let p = Profile::named("yamada").unwrap();
    let card = Inserted::new("yamada", &[]);
    let dir = support::tmp("face-station");
    let sign_ca = dir.join("sign-ca.pem");
    std::fs::write(&sign_ca, card.cert_pem("sign-ca.pem")).unwrap();
    let ca = openssl::x509::X509::from_pem(&card.cert_pem("sign-ca.pem")).unwrap();
    let issuer = dir.join("face-issuer.pem");
    std::fs::write(&issuer, ca.public_key().unwrap().public_key_to_pem().unwrap()).unwrap();
    let db = dir.join("receiver.sqlite3");
    let rx = ReceiverBin::start(&[
        "--db".as_ref(),
        db.as_os_str(),
        "--trust-ca".as_ref(),
        sign_ca.as_os_str(),
        "--no-crl".as_ref(),
    ]);
    let outbox = dir.join("outbox.sqlite3");
    let cfg = support::station::on_reader(
        &dir,
        "face-station",
        &format!(
            "graphics = \"kitty\"\n[steps]\ncard_face = \"require\"\n[checks]\ncard_face_issuer_key = \"{}\"\n[backend]\nurl = \"{}\"\nseal = false\noutbox = \"{}\"\n",
            issuer.display(),
            rx.url,
            outbox.display()
        ),
    );
    let cmd = format!("{BIN} --config {}; echo EXIT=$?; sleep 60", cfg.display());
    let Some(t) = Tmux::start(&cmd) else { return };
    t.wait_for("Short terms");
    t.send(&["End"]);
    t.wait_for(msg(Lang::En, Msg::KeyAgree));
    t.send(&["Enter"]);
    t.wait_for("Tries left: 3");
    type_enter(&t, &p.pin);

    // The clerk's step: the tries first, then two wrong numbers, one try each.
    let right = p.pin_b().unwrap();
    let (year, code) = (&right[6..10], &right[10..]);
    let wrong = if code == "0000" { "1111" } else { "0000" };
    t.wait_for_all(&["expiry year", "Tries left: 3"]);
    type_enter(&t, &format!("{year}{wrong}"));
    t.wait_for("tries left: 2");
    let s = stats_until(&card, "the first wrong number", |s| s["pin_b_verifies"] == 1);
    assert_eq!(s["pin_b_tries"], 2, "exactly one try: {s}");
    type_enter(&t, &format!("{year}{wrong}"));
    t.wait_for("tries left: 1");
    // The last try: Enter only asks; nothing reaches the card before the clerk's yes.
    type_enter(&t, &format!("{year}{code}"));
    t.wait_for(msg(Lang::En, Msg::ConfirmLastTry));
    let s = stats_until(&card, "the second wrong number", |s| s["pin_b_verifies"] == 2);
    assert_eq!(s["pin_b_tries"], 1, "{s}");
    t.send(&["y"]);

    // The confirm screen beside the photo: the clerk's word, then the signature.
    t.wait_for_all(&[
        "Please check what was read",
        "山田",
        "Card face signature: verified",
        "F6",
    ]);
    let s = card.stats();
    assert_eq!(
        (s["pin_b_verifies"].as_u64(), s["pin_b_tries"].as_u64()),
        (Some(3), Some(3)),
        "{s}"
    );
    assert_eq!(s["card_face_reads"], 1, "{s}");
    t.send(&["F6"]);
    t.wait_for("Clerk: the photo matches the person");
    t.send(&["Enter"]);
    t.wait_for("Tries left: 5");
    type_enter(&t, p.sign_password.as_deref().unwrap());
    t.wait_for("Enrollment complete.");
    wait_until("the receiver's record", || {
        madoguchi::backend::receiver::accepted_count(&db).unwrap_or(0) >= 1
    });
    let s = t.quit();
    assert!(s.contains("EXIT=0"), "{s}");

    let payloads = madoguchi::backend::receiver::accepted_payloads(&db).unwrap();
    assert_eq!(payloads.len(), 1);
    let want = serde_json::json!({"photo_check": "matched", "read": true, "signature": "verified"});
    assert_eq!(payloads[0]["card_face"], want);
    use base64::Engine;
    let statement = base64::engine::general_purpose::STANDARD
        .decode(payloads[0]["statement"].as_str().unwrap())
        .unwrap();
    let statement: Value = serde_json::from_slice(&statement).unwrap();
    assert_eq!(statement["card_face"], want, "signed with the rest");
    // Nothing of the card face but the clerk's word: not in the record, the outbox (unsealed
    // here, so readable) or the receiver's database.
    let record = payloads[0].to_string();
    let photo = &PHOTO_JP2[PHOTO_JP2.len() - 64..];
    for (what, bytes) in [
        ("the record", record.into_bytes()),
        ("the outbox", std::fs::read(&outbox).unwrap()),
        ("the receiver's database", std::fs::read(&db).unwrap()),
    ] {
        assert!(!holds(&bytes, right.as_bytes()), "照合番号B in {what}");
        assert!(
            !holds(&bytes, format!("{year}{code}").as_bytes()),
            "the typed digits in {what}"
        );
        assert!(
            !holds(&bytes, photo) && !holds(&bytes, b"\x89PNG"),
            "an image in {what}"
        );
    }
    let s = card.stats();
    never_near_the_my_number(&s);
    let _ = std::fs::remove_dir_all(&dir);
}
