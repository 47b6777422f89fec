//! A record's time is the signed one, and the receiver bounds it: not ahead of its clock by
//! more than 10 minutes, not older than `--max-record-age-days` (90); the certificates are
//! checked valid at that time and now — a backdated 利用者証明 challenge no longer passes an
//! expired certificate (which has left the CRLs).

mod support;

use madoguchi::backend::receiver::LoopbackTls;
use madoguchi::card::vcard::pki::TestPki;
use serde_json::Value;
use support::receiver_bin::ReceiverBin;
use support::records::{post_record_as, Challenger, Signer};
use support::tmp;

fn at(hours_ago: i64) -> String {
    madoguchi::time::rfc3339((madoguchi::time::unix_ms() / 1000 - hours_ago * 3600) * 1000)
}

#[test]
fn the_signed_time_is_bounded_and_certificates_are_valid_then_and_now() {
    let dir = tmp("record-time");
    let pki = TestPki::generate().unwrap();
    let (sign_ca, auth_ca) = (dir.join("sign.pem"), dir.join("auth.pem"));
    std::fs::write(&sign_ca, pki.sign_ca.cert.to_pem().unwrap()).unwrap();
    std::fs::write(&auth_ca, pki.auth_ca.cert.to_pem().unwrap()).unwrap();
    let db = dir.join("recv.sqlite3");
    // A station bound by its certificate (mutual TLS), as card-authenticated records need.
    let tls = LoopbackTls::create(&dir.join("tls"), "s1").unwrap();
    let rx = ReceiverBin::start(&[
        "--tls-cert".as_ref(),
        tls.server_cert.as_os_str(),
        "--tls-key".as_ref(),
        tls.server_key.as_os_str(),
        "--client-ca".as_ref(),
        tls.ca.as_os_str(),
        "--db".as_ref(),
        db.as_os_str(),
        "--trust-ca".as_ref(),
        sign_ca.as_os_str(),
        "--no-crl".as_ref(),
        "--auth-ca".as_ref(),
        auth_ca.as_os_str(),
        "--no-auth-crl".as_ref(),
        "--max-record-age-days".as_ref(),
        "60".as_ref(),
    ]);
    let id = |n: u32| format!("0193f000-0000-7000-8000-{n:012}");
    let result = |(s, _, v): (u16, Option<String>, Value)| (s, v["result"].as_str().unwrap_or_default().to_string());
    let mut yamada = Signer::new(&pki, "yamada");
    // Signed half a day ago (a laptop offline; the test certificates are a day old): fine.
    let (s, r) = result(post_record_as(
        &tls,
        &rx.url,
        &id(1),
        &yamada.record_with("s1", &id(1), |st| st.created_at = at(12)),
    ));
    assert_eq!((s, r.as_str()), (200, "OK"));
    // Older than the receiver takes, or ahead of its clock: RECORD_TIME.
    let (s, r) = result(post_record_as(
        &tls,
        &rx.url,
        &id(2),
        &yamada.record_with("s1", &id(2), |st| st.created_at = at(61 * 24)),
    ));
    assert_eq!((s, r.as_str()), (422, "RECORD_TIME"));
    let (s, r) = result(post_record_as(
        &tls,
        &rx.url,
        &id(3),
        &yamada.record_with("s1", &id(3), |st| st.created_at = at(-1)),
    ));
    assert_eq!((s, r.as_str()), (422, "RECORD_TIME"));
    // The payload's time must be the signed one.
    let body = yamada.record("s1", &id(4));
    let mut v: Value = serde_json::from_slice(&body).unwrap();
    v["created_at"] = Value::String(at(2));
    let (s, r) = result(post_record_as(&tls, &rx.url, &id(4), &serde_json::to_vec(&v).unwrap()));
    assert_eq!((s, r.as_str()), (400, "INVALID_REQUEST"));

    // A card whose 利用者証明用 certificate expired a month ago, its challenge backdated into
    // the certificate's validity: refused (valid then, not now).
    let expired = madoguchi::card::vcard::profile::Profile::named("expired").unwrap();
    let mut card = Challenger::of(&expired, &pki);
    let (s, r) = result(post_record_as(
        &tls,
        &rx.url,
        &id(5),
        &card.record_with("s1", &id(5), |st| st.created_at = at(40 * 24)),
    ));
    assert_eq!((s, r.as_str()), (422, "CERTIFICATE_EXPIRED"));
    let _ = std::fs::remove_dir_all(&dir);
}
