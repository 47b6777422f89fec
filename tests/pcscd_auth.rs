//! The 利用者証明 challenge through a real pcscd and the vpcd virtual card (issue #22): the
//! card layer's operations as the station will run them, counted by the card itself (its
//! `--stats` file): a wrong auth PIN costs exactly one try of its own counter, a locked one
//! gets no VERIFY, the signature verifies with the certificate read, and the record made from
//! it is `card-authenticated` and accepted by the receiver.
//!
//! Needs pcscd with the vsmartcard-vpcd driver (`.ci/run`); SKIPPED without it, except under CI.

mod support;

use madoguchi::backend::receiver::{self, ReceiverConfig};
use madoguchi::backend::station::StationStore;
use madoguchi::card::client::sha256_digest_info;
use madoguchi::card::vcard::profile::Profile;
use madoguchi::card::{client::MyNumberCard, CardError};
use madoguchi::reader::{self, PcscCard};
use madoguchi::seam::StationBackend;
use madoguchi::secret::{AuthPin, Pin, PinKind};
use serde_json::Value;
use support::pcscd::*;
use support::wait_until;

/// Waits until the card's counters (written after each APDU it answers) satisfy `cond`.
fn stats_until(card: &Inserted, what: &str, cond: impl Fn(&Value) -> bool) -> Value {
    wait_until(what, || cond(&card.stats()));
    card.stats()
}

#[test]
fn a_childs_challenge_costs_one_try_per_wrong_pin_and_signs_once() {
    let Some(_turn) = turn() else { return };
    let p = Profile::named("yoshino").unwrap();
    assert_ne!(p.auth_pin(), p.pin, "the child's two PINs differ");
    let card = Inserted::new("yoshino", &[]);
    let ctx = reader::establish().unwrap();
    let mut conn = PcscCard::connect(&ctx, READER, true).unwrap();
    let dir = card.dir.join("station");
    let store = StationStore::open(
        dir.join("outbox.sqlite3"),
        10,
        "station-1",
        "terms-1",
        "規約",
        None,
        None,
    )
    .unwrap();

    // One card session: EF 02 with the 4-digit PIN, then the challenge's first half and a
    // wrong auth PIN (the 券面事項入力補助用 PIN's digits).
    let (person, ef02, start) = conn
        .transaction(|t| -> Result<_, CardError> {
            let mut c = MyNumberCard::new(t);
            c.verify(Pin::new(p.pin.as_bytes()).unwrap().secret())?;
            let (person, ef02) = c.read_basic_four_with_bytes()?;
            let start = c.auth_start()?;
            assert_eq!(start.tries, 3);
            let wrong = AuthPin::new(p.pin.as_bytes()).unwrap();
            assert_eq!(
                c.auth_sign(&wrong, &sha256_digest_info(&[0; 32])).unwrap_err(),
                CardError::WrongPin {
                    kind: PinKind::AuthPin,
                    tries_left: 2
                }
            );
            Ok((person, ef02, start))
        })
        .unwrap()
        .unwrap();
    let s = stats_until(&card, "the wrong VERIFY counted", |s| s["auth_verifies"] == 1);
    assert_eq!(s["auth_pin_tries"], 2, "exactly one try: {s}");
    assert_eq!(
        (s["auth_signatures"].as_u64(), s["signatures"].as_u64()),
        (Some(0), Some(0)),
        "{s}"
    );
    assert_eq!(s["text_pin_tries"], 3, "the other PIN's counter untouched: {s}");

    // The same session goes on: the tries shown again, the right PIN, one signature.
    let prepared = store.prepare_challenge(&person, ef02, &Default::default()).unwrap();
    let digest = openssl::sha::sha256(prepared.statement());
    let (signature, sent, before) = conn
        .transaction(|t| -> Result<_, CardError> {
            let mut c = MyNumberCard::new(t);
            let before = card.stats()["apdus"].as_u64().unwrap();
            let again = c.auth_start()?;
            assert_eq!(again.tries, 2);
            assert_eq!(&again.certificate[..], &start.certificate[..]);
            let right = AuthPin::new(p.auth_pin().as_bytes()).unwrap();
            let sig = c.auth_sign(&right, &sha256_digest_info(&digest))?;
            Ok((sig, c.apdus_sent(), before))
        })
        .unwrap()
        .unwrap();
    let s = stats_until(&card, "the signature counted", |s| s["auth_signatures"] == 1);
    assert_eq!(s["auth_verifies"], 2, "one VERIFY per typed PIN, never re-sent: {s}");
    assert_eq!(s["auth_pin_tries"], 3, "a success restores the counter: {s}");
    assert_eq!(s["my_number_selects"], 0, "{s}");
    // Everything the client sent reached the card once: SELECT JPKI, SELECT 000A, one
    // extended READ, SELECT 0018, VERIFY query, VERIFY, SELECT 0017, SIGN.
    let reached = s["apdus"].as_u64().unwrap() - before;
    assert_eq!((sent, reached), (8, 8), "{s}");
    drop(conn);

    // The signature verifies with the certificate read (the one the card was issued).
    let pem = card.cert_pem("auth.pem");
    assert_eq!(
        openssl::x509::X509::from_pem(&pem).unwrap().to_der().unwrap(),
        start.certificate.to_vec()
    );
    let record = store
        .finish_challenge(prepared, &start.certificate, &signature)
        .unwrap();
    let body = serde_json::to_vec(record.payload()).unwrap();
    let id = store.store_signed(record).unwrap();
    let queued = madoguchi::backend::outbox::Outbox::open(&dir.join("outbox.sqlite3"), 10)
        .unwrap()
        .list()
        .unwrap();
    assert_eq!(queued[0].assurance.as_deref(), Some("card-authenticated"));

    // The record is card-authenticated and a receiver with the card's 利用者証明用 CA takes it.
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["assurance"], "card-authenticated");
    let auth_ca = openssl::x509::X509::from_pem(&card.cert_pem("auth-ca.pem")).unwrap();
    let sign_ca = openssl::x509::X509::from_pem(&card.cert_pem("sign-ca.pem")).unwrap();
    // Carried from station-1, which signs its lines: a bound station (card-authenticated
    // records need one).
    let tls = receiver::LoopbackTls::create(&dir.join("tls"), "station-1").unwrap();
    let rx = receiver::Local::open(ReceiverConfig {
        db: dir.join("rx.sqlite3").into(),
        trust_ca: vec![sign_ca],
        auth_ca: vec![auth_ca],
        ..Default::default()
    })
    .unwrap()
    .with_station_ca(&tls.ca, Vec::new())
    .unwrap();
    let key = madoguchi::backend::carry::StationKey::load(&tls.client_cert, &tls.client_key).unwrap();
    let line = madoguchi::backend::carry::line(&id, false, &body, Some(&key)).unwrap();
    let (carried, body) = madoguchi::backend::carry::parse(1, &line).unwrap().unwrap();
    let r = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(rx.submit_carried(&carried, &body));
    assert_eq!(
        (r.status, r.assurance.as_deref()),
        (200, Some("card-authenticated")),
        "{}",
        r.answer
    );
}

#[test]
fn a_locked_auth_pin_is_reported_locked_and_gets_no_verify() {
    let Some(_turn) = turn() else { return };
    let p = Profile::named("authlocked").unwrap();
    assert_eq!(p.tries.auth_pin, 0);
    let card = Inserted::new("authlocked", &[]);
    let ctx = reader::establish().unwrap();
    let mut conn = PcscCard::connect(&ctx, READER, true).unwrap();
    let err = conn.transaction(|t| MyNumberCard::new(t).auth_start().err()).unwrap();
    assert_eq!(err, Some(CardError::Locked { kind: PinKind::AuthPin }));
    drop(conn);
    let s = stats_until(&card, "the tries query counted", |s| s["verify_queries"] == 1);
    assert_eq!(s["verify_with_data"], 0, "no VERIFY for a locked PIN: {s}");
    assert_eq!(
        (s["auth_verifies"].as_u64(), s["signatures"].as_u64()),
        (Some(0), Some(0)),
        "{s}"
    );
    assert_eq!(s["auth_pin_tries"], 0, "{s}");
}

/// The whole station, not only the card operations: the `madoguchi` binary on the vpcd reader
/// (in tmux) enrols a child, whose card proves itself with the 利用者証明 challenge, and
/// delivers by mutual TLS to `madoguchi receive` running as a process with the card's
/// 利用者証明用 CA and CRL. The card's own counters and APDU log: the tries before any try, one
/// try for a wrong auth PIN, one signature, the challenge's APDUs as docs/card.md counts them
/// (the probe's certificate read serves the challenge). The level is `card-authenticated` on
/// 完了, in `outbox list`, in the receiver's database, `receive list` and its metrics.
#[test]
fn the_station_enrols_a_child_card_authenticated_to_a_bound_receiver_process() {
    use madoguchi::backend::receiver::LoopbackTls;
    use support::receiver_bin::ReceiverBin;
    use support::tmux::Tmux;

    let Some(_turn) = turn() else { return };
    let card = Inserted::new("yoshino", &[]);
    let dir = support::tmp("station-auth");
    let certs = card.dir.join("certs");
    let path = |name: &str| certs.join(name).display().to_string();
    let tls = LoopbackTls::create(&dir.join("tls"), "auth-station").unwrap();
    let db = dir.join("rx.sqlite3");
    let rx = ReceiverBin::start(&[
        "--db",
        db.to_str().unwrap(),
        "--trust-ca",
        &path("sign-ca.pem"),
        "--crl",
        &path("sign-crl.pem"),
        "--auth-ca",
        &path("auth-ca.pem"),
        "--auth-crl",
        &path("auth-crl.pem"),
        "--tls-cert",
        tls.server_cert.to_str().unwrap(),
        "--tls-key",
        tls.server_key.to_str().unwrap(),
        "--client-ca",
        tls.ca.to_str().unwrap(),
    ]);
    let outbox = dir.join("outbox.sqlite3");
    let cfg = support::station::on_reader(
        &dir,
        "auth-station",
        &format!(
            "[backend]\nurl = \"{}\"\nseal = false\noutbox = \"{}\"\nca_file = \"{}\"\nclient_cert = \"{}\"\nclient_key = \"{}\"\n",
            rx.url,
            outbox.display(),
            tls.ca.display(),
            tls.client_cert.display(),
            tls.client_key.display()
        ),
    );
    let Some(t) = Tmux::start(&format!(
        "{} --config {}; echo EXIT=$?; sleep 60",
        support::BIN,
        cfg.display()
    )) else {
        return;
    };
    let keys = |s: &str| {
        let k: Vec<String> = s.chars().map(|c| c.to_string()).collect();
        t.send(&k.iter().map(String::as_str).collect::<Vec<_>>());
        t.send(&["Enter"]);
    };
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
    keys("0000");
    t.wait_for("Please check what was read");
    t.send(&["Enter"]);
    t.wait_for("Legal representative");
    t.send(&["F5"]);
    t.wait_for("(●) F5: parent");
    let before = card.stats()["apdus"].as_u64().unwrap() as usize;
    t.send(&["Enter"]);

    // The challenge's first half: the tries shown before anything can be typed.
    t.wait_for_all(&["user certificate PIN", "Tries left: 3"]);
    let s = stats_until(&card, "the auth PIN's tries query", |s| s["verify_queries"] == 2);
    assert_eq!(s["auth_verifies"], 0, "{s}");
    // The 4-digit PIN's digits: another PIN here, one try.
    keys("0000");
    t.wait_for("Tries left: 2");
    let s = stats_until(&card, "the wrong auth VERIFY", |s| s["auth_verifies"] == 1);
    assert_eq!(
        (s["auth_pin_tries"].as_u64(), s["text_pin_tries"].as_u64()),
        (Some(2), Some(3)),
        "{s}"
    );
    keys("4649");
    let done = t.wait_for_all(&["Enrollment complete.", "Receipt number"]);
    assert!(
        done.contains("Card proof (clerk)") && done.contains("(card-authenticated)"),
        "{done}"
    );
    let s = stats_until(&card, "the auth signature", |s| s["auth_signatures"] == 1);
    assert_eq!(
        (
            s["auth_verifies"].as_u64(),
            s["auth_pin_tries"].as_u64(),
            s["signatures"].as_u64()
        ),
        (Some(2), Some(3), Some(1)),
        "{s}"
    );
    assert_eq!(s["my_number_selects"], 0, "{s}");
    // What the challenge sent, as the card logged it: the certificate read by the probe before
    // the first PIN serves (no second read of EF 000A), the tries query, the wrong VERIFY,
    // and after it (a wrong PIN leaves the selection as it was) the try that signs.
    let log: Vec<String> = s["apdu_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let select_jpki = "SELECT 00 A4 04 0C D392F000260100000001";
    assert_eq!(
        log[before..],
        [
            select_jpki,
            "SELECT 00 A4 02 0C 0018",
            "VERIFY 00 20 00 80",
            "VERIFY 00 20 00 80 [hidden]",
            "VERIFY 00 20 00 80 [hidden]",
            "SELECT 00 A4 02 0C 0017",
            "COMPUTE DIGITAL SIGNATURE 80 2A 00 80 Lc=51 Ne=256",
        ],
        "{log:#?}"
    );

    // Delivered by mTLS and accepted as card-authenticated; said by every list.
    support::wait_until("the record accepted", || {
        madoguchi::backend::receiver::accepted_count(&db).unwrap_or(0) == 1
    });
    let p = madoguchi::backend::receiver::accepted_payloads(&db).unwrap();
    assert_eq!(
        (p[0]["assurance"].as_str(), p[0]["station_id"].as_str()),
        (Some("card-authenticated"), Some("auth-station"))
    );
    assert!(
        p[0]["signature"].is_null() && p[0]["auth_signature"].is_string(),
        "{}",
        p[0]
    );
    let screen = t.quit();
    assert!(screen.contains("EXIT=0"), "{screen}");
    let (code, out, err) = support::cli::outbox(&cfg, &["list"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("card-authenticated") && out.contains("delivered"), "{out}");
    let (_, out, _) = support::cli::outbox(&cfg, &["list", "--json"]);
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["assurance"], "card-authenticated", "{out}");
    let list = support::cli::madoguchi(&["receive", "list", "--db", db.to_str().unwrap()], "");
    let text = String::from_utf8(list.stdout).unwrap();
    assert!(text.contains("\tcard-authenticated\t200\tOK\t"), "{text}");
    let (_, _, metrics) = support::records::request_as(&tls, &format!("{}/metrics", rx.url), "", None);
    assert!(
        metrics
            .lines()
            .any(|l| l == "madoguchi_receiver_accepted_total{assurance=\"card-authenticated\"} 1"),
        "{metrics}"
    );
    drop(rx);
    let _ = std::fs::remove_dir_all(&dir);
}
