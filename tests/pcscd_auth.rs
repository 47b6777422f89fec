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
