//! Assurance levels at the receiver (issue #22): a `card-authenticated` record — the 利用者証明
//! challenge of a card without a signing certificate — is verified like a signed one against
//! the 利用者証明用 CAs (three generations under one DN), its CRLs, the statement and EF 02 as
//! read; a level its proofs do not show is refused with ASSURANCE_NOT_PROVEN; `unauthenticated`
//! only with `--allow-unauthenticated` and from a bound station. Records are made by virtual
//! cards the way a station makes them (tests/support/records.rs `Challenger`).

mod support;

use madoguchi::backend::delivery::{self, DeliveryConfig, Outcome};
use madoguchi::backend::receiver::{self, LoopbackTls, Receipt, ReceiverConfig};
use madoguchi::card::basic4::{self, Ef02};
use madoguchi::card::vcard::pki::TestPki;
use madoguchi::card::vcard::profile::Profile;
use madoguchi::record::card_data::CardData;
use madoguchi::record::payload::Assurance;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;
use support::card::pki;
use support::receiver_bin::ReceiverBin;
use support::records::{post_record_as, unsigned_record, Challenger};
use support::tmp;

fn id(n: u32) -> String {
    format!("0193f000-0000-7000-8000-{n:012}")
}

/// An in-process receiver (the same `check` as over HTTPS) trusting the test PKI's
/// 利用者証明用 CA, fed carried lines that station `station-1` signed with its client
/// certificate: bound to that station, as over mutual TLS.
struct Rx {
    local: receiver::Local,
    key: madoguchi::backend::carry::StationKey,
}

fn local(tag: &str, cfg: ReceiverConfig) -> Rx {
    local_db(tag, cfg).0
}

/// Like `local()`, with its database.
fn local_db(tag: &str, cfg: ReceiverConfig) -> (Rx, PathBuf) {
    let dir = tmp(tag);
    let db = dir.join("rx.sqlite3");
    let tls = LoopbackTls::create(&dir.join("tls"), "station-1").unwrap();
    let local = receiver::Local::open(ReceiverConfig {
        db: db.clone().into(),
        trust_ca: vec![pki().sign_ca.cert.clone()],
        ..cfg
    })
    .unwrap()
    .with_station_ca(&tls.ca, Vec::new())
    .unwrap();
    let key = madoguchi::backend::carry::StationKey::load(&tls.client_cert, &tls.client_key).unwrap();
    (Rx { local, key }, db)
}

/// The record as a line `station-1` signed, imported.
fn submit(rx: &Rx, key: &str, body: &[u8]) -> Receipt {
    use madoguchi::backend::carry;
    let line = carry::line(key, false, body, Some(&rx.key)).unwrap();
    let (carried, body) = carry::parse(1, &line).unwrap().unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(rx.local.submit_carried(&carried, &body))
}

fn auth_trusting() -> ReceiverConfig {
    ReceiverConfig {
        auth_ca: vec![pki().auth_ca.cert.clone()],
        ..Default::default()
    }
}

/// `(status, result, vendor_code)` of an answer.
fn verdict(r: &Receipt) -> (u16, String, Option<u64>) {
    let v: Value = serde_json::from_str(&r.answer).unwrap();
    (r.status, r.result.clone(), v["vendor_code"].as_u64())
}

fn edit(body: &[u8], f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(body).unwrap();
    f(v.as_object_mut().unwrap());
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn a_childs_card_authenticated_record_is_accepted_without_any_allow_flag() {
    let p = Profile::named("yoshino").unwrap();
    assert_eq!(p.signing_certificate, madoguchi::card::vcard::profile::CertState::None);
    let (rx, db) = local_db("child", auth_trusting());
    let mut child = Challenger::new(pki(), "yoshino");
    let body = child.record("station-1", &id(1));
    let r = submit(&rx, &id(1), &body);
    assert_eq!(verdict(&r), (200, "OK".into(), None), "{}", r.answer);
    let answer: Value = serde_json::from_str(&r.answer).unwrap();
    assert_eq!(answer["assurance"], "card-authenticated");
    assert_eq!(answer["revocation"], "unchecked", "no auth CRL configured");
    let stored = &receiver::accepted_payloads(&db).unwrap()[0];
    assert_eq!(stored["assurance"], "card-authenticated");
    assert_eq!(stored["card"]["name"], p.name.as_str());
    assert_eq!(stored["signature"], Value::Null);
    // The same record again: the same answer (idempotency absorbs a replayed challenge).
    assert_eq!(submit(&rx, &id(1), &body).status, 200);
}

#[test]
fn a_card_whose_auth_certificate_is_another_cas_expired_or_revoked_is_refused_with_its_code() {
    // Another CA under the same DN (a fake chip's own "J-LIS").
    let other = TestPki::generate().unwrap();
    let rx = local("other-ca", auth_trusting());
    let body = Challenger::new(&other, "yoshino").record("station-1", &id(2));
    assert_eq!(
        verdict(&submit(&rx, &id(2), &body)),
        (422, "UNSUPPORTED_CERTIFICATE".into(), None)
    );
    // No 利用者証明用 CA configured at all: the same, never accepted unchecked.
    let rx = local("no-auth-ca", ReceiverConfig::default());
    let body = Challenger::new(pki(), "yoshino").record("station-1", &id(3));
    let r = submit(&rx, &id(3), &body);
    assert_eq!(verdict(&r), (422, "UNSUPPORTED_CERTIFICATE".into(), None));
    assert!(r.detail.unwrap().contains("--auth-ca"));

    // Expired: Code 21, as for the signing certificate.
    let yoshino = madoguchi::card::vcard::profile::BUILTIN
        .iter()
        .find(|(id, _)| *id == "yoshino")
        .unwrap()
        .1;
    let text = format!("{yoshino}auth_certificate = \"expired\"\n");
    let expired = Profile::from_toml(&text, "yoshino-expired").unwrap();
    let rx = local("expired", auth_trusting());
    let body = Challenger::of(&expired, pki()).record("station-1", &id(4));
    assert_eq!(
        verdict(&submit(&rx, &id(4), &body)),
        (422, "CERTIFICATE_EXPIRED".into(), Some(21))
    );

    // Revoked: on the auth CA's CRL, Code 23. A CRL of the signing CA does not speak for it.
    let dir = tmp("auth-crl");
    let mut revoked = Challenger::new(pki(), "yoshino");
    let cert = openssl::x509::X509::from_der(&revoked.cert).unwrap();
    let listed = pki().auth_crl(&[cert.serial_number()]).unwrap();
    std::fs::write(dir.join("auth.crl"), listed.to_der().unwrap()).unwrap();
    let src = madoguchi::backend::crl::CrlSource::load(
        vec![dir.join("auth.crl")],
        vec![pki().auth_ca.cert.clone()],
        Duration::from_secs(0),
    )
    .unwrap();
    let rx = local(
        "revoked",
        ReceiverConfig {
            auth_crl_source: Some(src),
            ..auth_trusting()
        },
    );
    let body = revoked.record("station-1", &id(5));
    assert_eq!(
        verdict(&submit(&rx, &id(5), &body)),
        (422, "CERTIFICATE_REVOKED".into(), Some(23))
    );
    // Another card of the same CA is not on it: accepted, revocation checked.
    let r = submit(
        &rx,
        &id(6),
        &Challenger::new(pki(), "yoshino").record("station-1", &id(6)),
    );
    assert_eq!(r.status, 200, "{}", r.answer);
    assert_eq!(
        serde_json::from_str::<Value>(&r.answer).unwrap()["revocation"],
        "checked"
    );
}

#[test]
fn a_signature_over_other_ef02_bytes_another_enrollment_or_another_station_is_refused() {
    let rx = local("bound-to", auth_trusting());
    let mut c = Challenger::new(pki(), "yoshino");
    let other_ef02 = Ef02::new(zeroize::Zeroizing::new(basic4::encode(
        "𠮷野\u{3000}はな",
        "福岡県福岡市中央区天神１丁目８番２号",
        "20190501",
        b'2',
        true,
    )));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "the card signed a statement binding other EF 02 bytes",
            c.record_signing("station-1", &id(10), |st| {
                st.ef02_sha256 = Some(other_ef02.sha256_hex())
            }),
            "SIGNATURE_MISMATCH",
        ),
        (
            "the card signed another enrollment id",
            c.record_signing("station-1", &id(11), |st| st.enrollment_id = id(99)),
            "SIGNATURE_MISMATCH",
        ),
        (
            "the card signed for another station",
            c.record_signing("station-1", &id(12), |st| st.station_id = "station-2".into()),
            "SIGNATURE_MISMATCH",
        ),
        (
            "the EF 02 sent is not the one the signature binds",
            c.record_with_ef02("station-1", &id(13), &other_ef02),
            "ASSURANCE_NOT_PROVEN",
        ),
    ];
    for (n, (why, body, result)) in cases.into_iter().enumerate() {
        let key = id(10 + n as u32);
        let r = submit(&rx, &key, &body);
        assert_eq!((r.status, r.result.as_str()), (422, result), "{why}: {}", r.answer);
    }
    // The four items sent must be those of EF 02 as read, even when all else is consistent:
    // the card signed a statement whose card hash is of other items.
    let mut st = c.statement("station-1", &id(14));
    let mut card = CardData::from_basic4(&c.ef02().decode().unwrap());
    card.address = "東京都千代田区千代田１－１".into();
    st.card_data_sha256 = card.sha256();
    let sig = c.sign(&st);
    let body = c.payload(&st, &sig, card, &c.ef02().clone());
    let r = submit(&rx, &id(14), &body);
    assert_eq!(
        (r.status, r.result.as_str()),
        (422, "ASSURANCE_NOT_PROVEN"),
        "{}",
        r.answer
    );
    assert!(r.detail.unwrap().contains("EF 02"));
    // The items changed after signing: not EF 02 as read either.
    let forged = edit(&c.record("station-1", &id(15)), |p| {
        p["card"]["address"] = "東京都千代田区千代田１－１".into();
    });
    assert_eq!(submit(&rx, &id(15), &forged).result, "ASSURANCE_NOT_PROVEN");
    // The genuine record still goes through.
    assert_eq!(submit(&rx, &id(16), &c.record("station-1", &id(16))).status, 200);
}

#[test]
fn the_level_claimed_must_be_the_level_proven() {
    let rx = local("claims", auth_trusting());
    let mut c = Challenger::new(pki(), "yoshino");
    type Change = fn(&mut serde_json::Map<String, Value>);
    let cases: [(&str, Change); 5] = [
        ("card-authenticated without its signature", |p| {
            p.remove("auth_signature");
        }),
        ("card-authenticated without EF 02", |p| {
            p.remove("ef02");
        }),
        ("the challenge's proofs claimed as signed", |p| {
            p["assurance"] = "signed".into();
        }),
        ("the challenge's proofs claimed as unauthenticated", |p| {
            p["assurance"] = "unauthenticated".into();
        }),
        (
            "no assurance field, but the challenge's proofs (read as unauthenticated)",
            |p| {
                p.remove("assurance");
            },
        ),
    ];
    for (n, (why, change)) in cases.into_iter().enumerate() {
        let key = id(20 + n as u32);
        let body = edit(&c.record("station-1", &key), change);
        let r = submit(&rx, &key, &body);
        assert_eq!(r.status, 422, "{why}: {}", r.answer);
        assert_eq!(r.result, "ASSURANCE_NOT_PROVEN", "{why}: {}", r.answer);
        let v: Value = serde_json::from_str(&r.answer).unwrap();
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{why}: a reason");
    }
    let good = c.record("station-1", &id(29));
    // An unknown level is not a level.
    let body = edit(&good, |p| p["assurance"] = "trusted".into());
    assert_eq!(submit(&rx, &id(29), &body).status, 400);
    assert_eq!(
        Assurance::parse("card-authenticated"),
        Some(Assurance::CardAuthenticated)
    );
}

/// `unauthenticated` (nothing proves the card) only with the flag and from a bound station;
/// records of stations before the levels (no `assurance`, no signature) are the same.
#[test]
fn unauthenticated_needs_the_flag_and_a_bound_station() {
    let dir = tmp("unauth");
    let tls = LoopbackTls::create(&dir.join("tls"), "station-1").unwrap();
    let spawn = |db: &str, allow: bool, mtls: bool| {
        support::receiver::spawn(
            ReceiverConfig {
                auth_ca: vec![pki().auth_ca.cert.clone()],
                allow_unsigned: allow,
                ..support::receiver::config(dir.join(db), &pki().sign_ca.cert)
            },
            mtls.then(|| tls.server()),
        )
    };
    let strict = spawn("strict.sqlite3", false, true);
    let allowing = spawn("allowing.sqlite3", true, true);
    let plain = spawn("plain.sqlite3", true, false);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let send = |rx: &receiver::ReceiverHandle, bound: bool, key: &str, body: &[u8]| {
        let cfg = DeliveryConfig {
            ca_file: bound.then(|| tls.ca.clone()),
            client_cert: bound.then(|| tls.client_cert.clone()),
            client_key: bound.then(|| tls.client_key.clone()),
            ..DeliveryConfig::new(&rx.url(bound))
        };
        let client = delivery::client(&cfg).unwrap();
        match rt.block_on(delivery::deliver(&client, &cfg, key, body)) {
            Outcome::Delivered => "OK".to_string(),
            Outcome::Permanent { detail, .. } => detail,
            other => panic!("{other:?}"),
        }
    };
    let new = unsigned_record("station-1", &id(30));
    assert_eq!(
        serde_json::from_slice::<Value>(&new).unwrap()["assurance"],
        "unauthenticated"
    );
    let old = edit(&unsigned_record("station-1", &id(31)), |p| {
        p.remove("assurance");
    });
    for (key, body) in [(id(30), &new), (id(31), &old)] {
        assert_eq!(
            send(&strict, true, &key, body),
            "HTTP 403 FORBIDDEN",
            "without the flag"
        );
        assert_eq!(send(&plain, false, &key, body), "HTTP 403 FORBIDDEN", "unbound");
        assert_eq!(send(&allowing, true, &key, body), "OK", "flag and bound station");
    }
    // A child's card-authenticated record needs no flag, but a bound station: the challenge
    // proves the card, only the station's card session binds EF 02 to it, and anyone
    // unbound could sign made-up EF 02 bytes with any genuine card.
    let mut c = Challenger::new(pki(), "yoshino");
    assert_eq!(send(&strict, true, &id(32), &c.record("station-1", &id(32))), "OK");
    assert_eq!(
        send(&plain, false, &id(33), &c.record("station-1", &id(33))),
        "HTTP 403 FORBIDDEN",
        "unbound"
    );
    drop((strict, allowing, plain));
    let stored = receiver::accepted_payloads(&dir.join("allowing.sqlite3")).unwrap();
    assert_eq!(stored.len(), 2);
}

/// The real `madoguchi receive` with its default flags and `--auth-ca DIR` of three
/// generations of the 利用者証明用 CA in DER under one DN (J-LIS authca01–03): each
/// generation's card is accepted; a generation added, or an auth CRL replaced, counts after
/// SIGHUP; `receive list` and the metrics say the level.
#[test]
fn the_receiver_binary_takes_three_auth_ca_generations_and_reloads_them() {
    let dir = tmp("bin");
    let (anchors, crls) = (dir.join("authca"), dir.join("authcrl"));
    std::fs::create_dir_all(&anchors).unwrap();
    std::fs::create_dir_all(&crls).unwrap();
    let gens: Vec<TestPki> = (0..3).map(|_| TestPki::generate().unwrap()).collect();
    for g in &gens[1..] {
        assert_eq!(
            g.auth_ca.cert.subject_name().to_der().unwrap(),
            gens[0].auth_ca.cert.subject_name().to_der().unwrap(),
            "one DN for every generation"
        );
    }
    // Generations 1 and 2 at start; each with its own (empty) CRL.
    for (i, g) in gens.iter().enumerate().take(2) {
        std::fs::write(
            anchors.join(format!("authca0{}.cer", i + 1)),
            g.auth_ca.cert.to_der().unwrap(),
        )
        .unwrap();
        std::fs::write(
            crls.join(format!("authca0{}.crl", i + 1)),
            g.auth_crl(&[]).unwrap().to_der().unwrap(),
        )
        .unwrap();
    }
    let sign_ca = dir.join("sign-ca.pem");
    std::fs::write(&sign_ca, gens[0].sign_ca.cert.to_pem().unwrap()).unwrap();
    let db = dir.join("rx.sqlite3");
    // --auth-ca needs its CRLs or an explicit --no-auth-crl.
    let out = support::cli::madoguchi(
        &[
            "receive",
            "--listen",
            "127.0.0.1:0",
            "--db",
            db.to_str().unwrap(),
            "--trust-ca",
            sign_ca.to_str().unwrap(),
            "--no-crl",
            "--auth-ca",
            anchors.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-auth-crl"));
    // Stations bound by their certificates (mutual TLS): card-authenticated records need it.
    let tls = LoopbackTls::create(&dir.join("tls"), "station-1").unwrap();
    let rx = ReceiverBin::start(&[
        "--db",
        db.to_str().unwrap(),
        "--trust-ca",
        sign_ca.to_str().unwrap(),
        "--no-crl",
        "--auth-ca",
        anchors.to_str().unwrap(),
        "--auth-crl",
        crls.to_str().unwrap(),
        "--crl-watch",
        "0",
        "--tls-cert",
        tls.server_cert.to_str().unwrap(),
        "--tls-key",
        tls.server_key.to_str().unwrap(),
        "--client-ca",
        tls.ca.to_str().unwrap(),
    ]);
    assert!(
        rx.lines()
            .iter()
            .filter(|l| l.contains("trusts (利用者証明用 CA)"))
            .count()
            == 2,
        "{:?}",
        rx.lines()
    );
    let mut cards: Vec<Challenger> = gens.iter().map(|g| Challenger::new(g, "yoshino")).collect();
    let mut post = |n: usize, k: u32| {
        let key = id(k);
        let body = cards[n].record("station-1", &key);
        post_record_as(&tls, &rx.url, &key, &body)
    };
    for (n, k) in [(0, 40), (1, 41)] {
        let (status, _, answer) = post(n, k);
        assert_eq!(status, 200, "generation {}: {answer}", n + 1);
        assert_eq!(
            (answer["assurance"].as_str(), answer["revocation"].as_str()),
            (Some("card-authenticated"), Some("checked"))
        );
    }
    let (status, _, answer) = post(2, 42);
    assert_eq!(
        (status, answer["result"].as_str()),
        (422, Some("UNSUPPORTED_CERTIFICATE"))
    );
    // Generation 3 published, and generation 1's CRL now lists its card: SIGHUP.
    std::fs::write(anchors.join("authca03.cer"), gens[2].auth_ca.cert.to_der().unwrap()).unwrap();
    std::fs::write(
        crls.join("authca03.crl"),
        gens[2].auth_crl(&[]).unwrap().to_der().unwrap(),
    )
    .unwrap();
    // Generation 1's CRL lists its own card, and — as serials are per CA, the same number may
    // name a card of another generation — the serial of generation 2's card too.
    let first = openssl::x509::X509::from_der(&cards[0].cert).unwrap();
    let second = openssl::x509::X509::from_der(&cards[1].cert).unwrap();
    std::fs::write(
        crls.join("authca01.crl"),
        gens[0]
            .auth_crl(&[first.serial_number(), second.serial_number()])
            .unwrap()
            .to_der()
            .unwrap(),
    )
    .unwrap();
    rx.signal(libc::SIGHUP);
    rx.wait_line("3 利用者証明用 CA(s), 3 auth CRL(s)", Duration::from_secs(10))
        .unwrap_or_else(|| panic!("{:?}", rx.lines()));
    let mut post = |n: usize, k: u32| {
        let key = id(k);
        let body = cards[n].record("station-1", &key);
        post_record_as(&tls, &rx.url, &key, &body)
    };
    let (status, _, answer) = post(2, 43);
    assert_eq!(status, 200, "generation 3 after SIGHUP: {answer}");
    let (status, _, answer) = post(0, 44);
    assert_eq!(
        (status, answer["result"].as_str()),
        (422, Some("CERTIFICATE_REVOKED")),
        "{answer}"
    );
    let (status, _, _) = post(1, 45);
    assert_eq!(status, 200, "generation 2's card is not on generation 1's CRL");
    // The metrics count accepted records by level.
    let (_, _, metrics) = support::records::request_as(&tls, &format!("{}/metrics", rx.url), "", None);
    assert!(
        metrics
            .lines()
            .any(|l| l == "madoguchi_receiver_accepted_total{assurance=\"card-authenticated\"} 4"),
        "{metrics}"
    );
    assert!(metrics
        .lines()
        .any(|l| l == "madoguchi_receiver_accepted_total{assurance=\"signed\"} 0"));
    // The request log says the level of what was accepted.
    assert!(rx.requests().iter().any(|r| r["assurance"] == "card-authenticated"));
    // `receive list`, text and JSON: the level proven, "-" for the refusals.
    let list = support::cli::madoguchi(&["receive", "list", "--db", db.to_str().unwrap()], "");
    let text = String::from_utf8(list.stdout).unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("\tcard-authenticated\t200\tOK\t"))
            .count(),
        4,
        "{text}"
    );
    assert_eq!(text.lines().filter(|l| l.contains("\t-\t422\t")).count(), 2, "{text}");
    assert!(!text.contains("はな"), "no personal data: {text}");
    let json = support::cli::madoguchi(&["receive", "list", "--db", db.to_str().unwrap(), "--json"], "");
    let rows: Vec<Value> = String::from_utf8(json.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows.iter().filter(|r| r["assurance"] == "card-authenticated").count(),
        4
    );
}
