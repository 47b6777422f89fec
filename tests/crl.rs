//! The receiver's CRLs over their lifetime (issue #11 item 3): a stale CRL answers 503
//! CRL_STALE with Retry-After, never 200, for a revoked certificate; a fresh one put in place
//! and read again (what SIGHUP does, and what the file watcher does by itself) answers
//! REVOKED with vendor code 23; a CRL not signed by a trusted CA is refused; without any CRL
//! accepted records say "revocation": "unchecked".

mod support;

use support::records::post_record;
use support::DAY;

use madoguchi::backend::crl::{CrlSource, Revocation};
use madoguchi::backend::receiver::ReceiverConfig;
use madoguchi::backend::station::StationStore;
use madoguchi::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
use madoguchi::time::unix_ms;
use std::time::{Duration, Instant};

#[test]
fn stale_crl_is_503_then_a_fresh_one_says_revoked() {
    let dir = std::env::temp_dir().join(format!("madoguchi-crl-{}-{}", std::process::id(), unix_ms()));
    std::fs::create_dir_all(&dir).unwrap();
    let pki = TestPki::generate().unwrap();
    let p = Profile::named("revoked").unwrap();
    let card = VirtualCard::new(&p, &pki).unwrap();
    let cert = openssl::x509::X509::from_der(card.sign_cert_der.as_ref().unwrap()).unwrap();
    let store = StationStore::open(dir.join("outbox.sqlite3"), 10, "s1", "t", "terms", None, None).unwrap();
    let (id, payload) = support::card::enroll(&store, card, &p);
    let body = serde_json::to_vec(&payload).unwrap();

    // A CRL that lists the certificate but is past nextUpdate + grace (1 h).
    let crl_path = dir.join("sign.crl");
    let stale = pki
        .signing_crl_dated(
            &[cert.serial_number()],
            support::unix_now() - 10 * DAY,
            support::unix_now() - 2 * DAY,
        )
        .unwrap();
    std::fs::write(&crl_path, stale.to_pem().unwrap()).unwrap();
    let src = CrlSource::load(
        vec![crl_path.clone()],
        vec![pki.sign_ca.cert.clone()],
        Duration::from_secs(3600),
    )
    .unwrap();
    assert_eq!(src.status(&cert), Revocation::Stale);
    let rx = support::receiver::spawn(
        ReceiverConfig {
            crl_source: Some(src.clone()),
            ..support::receiver::config(dir.join("receiver.sqlite3"), &pki.sign_ca.cert)
        },
        None,
    );
    let (status, retry, answer) = post_record(&rx.url(false), &id, &body);
    assert_eq!(
        (status, answer["result"].as_str()),
        (503, Some("CRL_STALE")),
        "{answer}"
    );
    assert!(retry.is_some(), "Retry-After on CRL_STALE");

    // A fresh CRL replaces it; the watcher notices the change by itself.
    let fresh = pki.signing_crl(&[cert.serial_number()]).unwrap();
    std::fs::write(&crl_path, fresh.to_pem().unwrap()).unwrap();
    src.watch(Duration::from_millis(100));
    let deadline = Instant::now() + Duration::from_secs(10);
    while src.status(&cert) != Revocation::Revoked {
        assert!(Instant::now() < deadline, "the changed CRL file was not read again");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The retried record (a 503 is never remembered) is now judged: revoked, Code 23.
    let (status, _, answer) = post_record(&rx.url(false), &id, &body);
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["result"], "CERTIFICATE_REVOKED");
    assert_eq!(answer["vendor_code"], 23);
    // reload() is what SIGHUP calls: a broken file keeps the CRLs in use.
    std::fs::write(&crl_path, b"not a crl").unwrap();
    assert!(src.reload().is_err());
    assert_eq!(src.status(&cert), Revocation::Revoked);
    rx.stop();

    // A CRL signed by another CA is refused at load.
    let other = TestPki::generate().unwrap();
    std::fs::write(&crl_path, other.signing_crl(&[]).unwrap().to_pem().unwrap()).unwrap();
    assert!(CrlSource::load(vec![crl_path], vec![pki.sign_ca.cert.clone()], Duration::ZERO).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_a_crl_records_say_revocation_unchecked_and_the_cli_wants_it_said() {
    let dir = std::env::temp_dir().join(format!("madoguchi-nocrl-{}-{}", std::process::id(), unix_ms()));
    std::fs::create_dir_all(&dir).unwrap();
    let pki = TestPki::generate().unwrap();
    let p = Profile::named("yamada").unwrap();
    let store = StationStore::open(dir.join("outbox.sqlite3"), 10, "s1", "t", "terms", None, None).unwrap();
    let (id, payload) = support::card::enroll(&store, VirtualCard::new(&p, &pki).unwrap(), &p);
    let rx = support::receiver::spawn(
        support::receiver::config(dir.join("receiver.sqlite3"), &pki.sign_ca.cert),
        None,
    );
    let (status, _, answer) = post_record(&rx.url(false), &id, &serde_json::to_vec(&payload).unwrap());
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["revocation"], "unchecked");
    rx.stop();
    // The CLI refuses to start without --crl or an explicit --no-crl.
    std::fs::write(dir.join("ca.pem"), pki.sign_ca.cert.to_pem().unwrap()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["receive", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.join("r2.sqlite3"))
        .arg("--trust-ca")
        .arg(dir.join("ca.pem"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-crl"));
    let _ = std::fs::remove_dir_all(&dir);
}
