//! Station certificates at the receiver's door (issue #23 item 2): only a clientAuth
//! certificate is a station (the receiver's own server certificate is not), a certificate on
//! the client CRL is refused in the handshake — how a stolen laptop is retired — and the
//! client CA and its CRL are read again on SIGHUP. Through the real `madoguchi receive`.

mod support;

use madoguchi::backend::delivery::{self, DeliveryConfig, Outcome};
use madoguchi::backend::receiver::LoopbackTls;
use madoguchi::card::vcard::pki::{crl_of, TestPki};
use openssl::pkey::PKey;
use openssl::x509::X509;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::receiver_bin::ReceiverBin;
use support::records;
use support::tmp;
use support::DAY;

/// Posts an unsigned record of `station` over mTLS as (cert, key), trusting `ca` for the
/// server: what a station's delivery does.
fn post_as(url: &str, ca: &Path, cert: &Path, key: &Path, station: &str) -> Outcome {
    let cfg = DeliveryConfig {
        ca_file: Some(ca.to_path_buf()),
        client_cert: Some(cert.to_path_buf()),
        client_key: Some(key.to_path_buf()),
        ..DeliveryConfig::new(url)
    };
    // A new client each time: a pooled connection would outlive a reload.
    let client = delivery::client(&cfg).unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    let body = records::unsigned_record(station, &id);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), delivery::deliver(&client, &cfg, &id, &body))
            .await
            .expect("an answer within 30 s")
    })
}

/// A certificate from the loopback CA for `cn` with no extended key usage at all.
fn cert_without_eku(tls: &LoopbackTls, dir: &Path, cn: &str) -> (PathBuf, PathBuf) {
    let ca = X509::from_pem(&std::fs::read(&tls.ca).unwrap()).unwrap();
    let ca_key = PKey::private_key_from_pem(&std::fs::read(&tls.ca_key).unwrap()).unwrap();
    let group = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap();
    let key = PKey::from_ec_key(openssl::ec::EcKey::generate(&group).unwrap()).unwrap();
    let mut name = openssl::x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", cn).unwrap();
    let mut b = openssl::x509::X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    let serial = openssl::bn::BigNum::from_u32(4242).unwrap().to_asn1_integer().unwrap();
    b.set_serial_number(&serial).unwrap();
    b.set_subject_name(&name.build()).unwrap();
    b.set_issuer_name(ca.subject_name()).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(2).unwrap())
        .unwrap();
    b.sign(&ca_key, openssl::hash::MessageDigest::sha256()).unwrap();
    let (c, k) = (dir.join(format!("{cn}.pem")), dir.join(format!("{cn}.key")));
    std::fs::write(&c, b.build().to_pem().unwrap()).unwrap();
    std::fs::write(&k, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    (c, k)
}

fn write_crl(tls: &LoopbackTls, to: &Path, revoked: &[&Path]) {
    let ca = X509::from_pem(&std::fs::read(&tls.ca).unwrap()).unwrap();
    let ca_key = PKey::private_key_from_pem(&std::fs::read(&tls.ca_key).unwrap()).unwrap();
    let certs: Vec<X509> = revoked
        .iter()
        .map(|p| X509::from_pem(&std::fs::read(p).unwrap()).unwrap())
        .collect();
    let serials: Vec<_> = certs.iter().map(|c| c.serial_number()).collect();
    let crl = crl_of(
        &ca,
        &ca_key,
        &serials,
        support::unix_now() - DAY,
        support::unix_now() + 7 * DAY,
    )
    .unwrap();
    // Written beside and renamed into place, as a download job does.
    let tmp = to.with_file_name(".station.crl.part");
    std::fs::write(&tmp, crl.to_der().unwrap()).unwrap();
    std::fs::rename(&tmp, to).unwrap();
}

fn refused(o: &Outcome) -> bool {
    matches!(o, Outcome::Retry { detail, .. } if !detail.starts_with("HTTP"))
}

#[test]
fn only_client_auth_certificates_are_stations_and_revoked_ones_are_turned_away() {
    let dir = tmp("door");
    let tls = LoopbackTls::create(&dir.join("tls"), "s1").unwrap();
    let other = LoopbackTls::create(&dir.join("tls2"), "s2").unwrap();
    let pki = TestPki::generate().unwrap();
    let sign_ca = dir.join("sign-ca.pem");
    std::fs::write(&sign_ca, pki.sign_ca.cert.to_pem().unwrap()).unwrap();
    // The client CA as a file the operator edits; its CRL in a directory.
    let client_ca = dir.join("station-ca.pem");
    std::fs::copy(&tls.ca, &client_ca).unwrap();
    let crl_dir = dir.join("station-crl");
    std::fs::create_dir_all(&crl_dir).unwrap();
    let crl = crl_dir.join("station.crl");
    write_crl(&tls, &crl, &[]);
    let db = dir.join("recv.sqlite3");
    let mut rx = ReceiverBin::start(&[
        "--tls-cert".as_ref(),
        tls.server_cert.as_os_str(),
        "--tls-key".as_ref(),
        tls.server_key.as_os_str(),
        "--client-ca".as_ref(),
        client_ca.as_os_str(),
        "--client-crl".as_ref(),
        crl_dir.as_os_str(),
        "--allow-unsigned".as_ref(),
        "--trust-ca".as_ref(),
        sign_ca.as_os_str(),
        "--no-crl".as_ref(),
        "--db".as_ref(),
        db.as_os_str(),
    ]);
    let url = rx.url.clone();
    // The station's own certificate: accepted.
    let o = post_as(&url, &tls.ca, &tls.client_cert, &tls.client_key, "s1");
    assert_eq!(o, Outcome::Delivered);

    // The receiver's server certificate from the same CA (serverAuth, CN=localhost) is no
    // station; nor is a certificate without any extended key usage.
    let o = post_as(&url, &tls.ca, &tls.server_cert, &tls.server_key, "localhost");
    assert!(refused(&o), "server certificate as a station: {o:?}");
    let (c, k) = cert_without_eku(&tls, &dir, "s9");
    let o = post_as(&url, &tls.ca, &c, &k, "s9");
    assert!(refused(&o), "no EKU: {o:?}");
    let said = |pat: &str| {
        rx.wait_line(pat, Duration::from_secs(5))
            .unwrap_or_else(|| panic!("{pat}: {:?}", rx.lines()))
    };
    // OpenSSL refuses serverAuth-only as a client; the receiver itself refuses no EKU at all.
    assert!(said("station certificate refused: CN=localhost").contains("purpose"));
    assert!(said("station certificate refused: CN=s9").contains("no clientAuth"));

    // The laptop of s1 is stolen: its certificate goes on the CRL, the receiver reloads.
    write_crl(&tls, &crl, &[&tls.client_cert]);
    rx.signal(libc::SIGHUP);
    let line = rx.wait_line("SIGHUP:", Duration::from_secs(10)).expect("reload said");
    assert!(line.contains("1 station CRL(s)"), "{line}");
    let o = post_as(&url, &tls.ca, &tls.client_cert, &tls.client_key, "s1");
    assert!(refused(&o), "revoked station: {o:?}");
    assert!(said("station certificate refused: CN=s1").contains("revoked"));

    // A second CA added to the client CA file is trusted after SIGHUP, not before.
    let o = post_as(&url, &tls.ca, &other.client_cert, &other.client_key, "s2");
    assert!(refused(&o), "unknown CA: {o:?}");
    let mut bundle = std::fs::read(&tls.ca).unwrap();
    bundle.extend(std::fs::read(&other.ca).unwrap());
    std::fs::write(&client_ca, bundle).unwrap();
    rx.signal(libc::SIGHUP);
    rx.wait_lines("SIGHUP:", 2, Duration::from_secs(10))
        .expect("second reload said");
    let o = post_as(&url, &tls.ca, &other.client_cert, &other.client_key, "s2");
    assert_eq!(o, Outcome::Delivered);

    rx.stop();
    // Two records: s1 before it was revoked, s2 after its CA was added.
    assert_eq!(madoguchi::backend::receiver::accepted_count(&db).unwrap(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}
