//! Trust material as J-LIS publishes it (issue #26): DER `.cer` files, several CA generations
//! under one DN in one directory, CRLs that speak only for their own generation; the receiver
//! says at start what it trusts (subject, validity, SHA-256) and names a file that is not a
//! certificate; the station's `ca_file` takes DER too.

mod support;

use madoguchi::backend::delivery::{self, DeliveryConfig, Outcome};
use madoguchi::backend::receiver::LoopbackTls;
use madoguchi::card::vcard::pki::TestPki;
use openssl::x509::X509;
use std::time::Duration;
use support::receiver_bin::ReceiverBin;
use support::records::{post_record, Signer};
use support::tmp;

/// The signing certificate inside a record made by `Signer`.
fn certificate_of(record: &[u8]) -> X509 {
    use base64::Engine;
    let v: serde_json::Value = serde_json::from_slice(record).unwrap();
    let der = base64::engine::general_purpose::STANDARD
        .decode(v["signing_certificate"].as_str().unwrap())
        .unwrap();
    X509::from_der(&der).unwrap()
}

fn fingerprint(x: &X509) -> String {
    x.digest(openssl::hash::MessageDigest::sha256())
        .unwrap()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn a_directory_of_der_generations_verifies_each_and_applies_each_crl_to_its_own() {
    let dir = tmp("gens");
    let (anchors, crls) = (dir.join("ca"), dir.join("crl"));
    std::fs::create_dir_all(&anchors).unwrap();
    std::fs::create_dir_all(&crls).unwrap();
    // Three generations of one signing CA: one DN, three keys (J-LIS: signca01–03).
    let gens: Vec<TestPki> = (0..3).map(|_| TestPki::generate().unwrap()).collect();
    for (i, g) in gens.iter().enumerate() {
        assert_eq!(
            g.sign_ca.cert.subject_name().to_der().unwrap(),
            gens[0].sign_ca.cert.subject_name().to_der().unwrap()
        );
        std::fs::write(
            anchors.join(format!("signca0{}.cer", i + 1)),
            g.sign_ca.cert.to_der().unwrap(),
        )
        .unwrap();
    }
    let mut signers: Vec<Signer> = gens.iter().map(|g| Signer::new(g, "yamada")).collect();
    let records: Vec<(String, Vec<u8>)> = signers
        .iter_mut()
        .enumerate()
        .map(|(i, s)| {
            let id = format!("0193f000-0000-7000-8000-00000000002{i}");
            let r = s.record("s1", &id);
            (id, r)
        })
        .collect();
    let certs: Vec<X509> = records.iter().map(|(_, r)| certificate_of(r)).collect();
    // Generation 1's CRL lists the serial of generation 2's holder (serials are per CA: the
    // same number may name another certificate); generation 2's lists nobody; generation 3's
    // revokes its own holder. All DER, as downloaded.
    let crl_files = [
        gens[0].signing_crl(&[certs[1].serial_number()]).unwrap(),
        gens[1].signing_crl(&[]).unwrap(),
        gens[2].signing_crl(&[certs[2].serial_number()]).unwrap(),
    ];
    for (i, c) in crl_files.iter().enumerate() {
        std::fs::write(crls.join(format!("sign0{}.crl", i + 1)), c.to_der().unwrap()).unwrap();
    }
    let db = dir.join("recv.sqlite3");
    let mut rx = ReceiverBin::start(&[
        "--db".as_ref(),
        db.as_os_str(),
        "--trust-ca".as_ref(),
        anchors.as_os_str(),
        "--crl".as_ref(),
        crls.as_os_str(),
    ]);
    // What it trusts, said at start: each generation's fingerprint, for the operator to
    // compare with a trusted copy.
    let said = rx.lines().join("\n");
    for g in &gens {
        let fp = fingerprint(&g.sign_ca.cert);
        assert!(
            rx.lines().iter().any(|l| l.contains("trusts (signing CA)")
                && l.contains(&fp)
                && l.contains("OU=JPKI for digital signature")),
            "fingerprint {fp} not said:\n{said}"
        );
    }
    let (s, _, v) = post_record(&rx.url, &records[0].0, &records[0].1);
    assert_eq!((s, v["result"].as_str()), (200, Some("OK")), "generation 1: {v}");
    let (s, _, v) = post_record(&rx.url, &records[1].0, &records[1].1);
    assert_eq!(
        (s, v["result"].as_str()),
        (200, Some("OK")),
        "generation 2 is not revoked by generation 1's CRL: {v}"
    );
    let (s, _, v) = post_record(&rx.url, &records[2].0, &records[2].1);
    assert_eq!(
        (s, v["result"].as_str(), v["vendor_code"].as_u64()),
        (422, Some("CERTIFICATE_REVOKED"), Some(23)),
        "generation 3's own CRL applies: {v}"
    );
    // A certificate of a fourth CA under the same DN, not installed, chains to none.
    let stranger = TestPki::generate().unwrap();
    let mut s4 = Signer::new(&stranger, "yamada");
    let id = "0193f000-0000-7000-8000-000000000029";
    let (s, _, v) = post_record(&rx.url, id, &s4.record("s1", id));
    assert_eq!((s, v["result"].as_str()), (422, Some("UNSUPPORTED_CERTIFICATE")), "{v}");
    rx.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn anything_else_is_named_with_what_was_expected() {
    let dir = tmp("bad");
    let not_cert = dir.join("signca01.cer");
    std::fs::write(&not_cert, b"<html>404 Not Found</html>").unwrap();
    let db = dir.join("recv.sqlite3");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["receive", "--listen", "127.0.0.1:0", "--no-crl", "--db"])
        .arg(&db)
        .arg("--trust-ca")
        .arg(&not_cert)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("signca01.cer") && err.contains("not a PEM or DER X.509 certificate"),
        "{err}"
    );
    // A CRL where a certificate belongs is not a certificate either.
    let pki = TestPki::generate().unwrap();
    std::fs::write(&not_cert, pki.signing_crl(&[]).unwrap().to_der().unwrap()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["receive", "--listen", "127.0.0.1:0", "--no-crl", "--db"])
        .arg(&db)
        .arg("--trust-ca")
        .arg(&not_cert)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a PEM or DER X.509 certificate"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_anchor_near_its_end_is_warned_about_at_start() {
    let dir = tmp("expiring");
    let now = madoguchi::time::unix_ms() / 1000;
    let ending = TestPki::generate_dated(now - 3650 * 86_400, now + 30 * 86_400).unwrap();
    let ended = TestPki::generate_dated(now - 3650 * 86_400, now - 86_400).unwrap();
    let ok = TestPki::generate().unwrap();
    let bundle = dir.join("anchors.pem");
    let mut pem = Vec::new();
    for p in [&ending, &ended, &ok] {
        pem.extend(p.sign_ca.cert.to_pem().unwrap());
    }
    std::fs::write(&bundle, pem).unwrap();
    let db = dir.join("recv.sqlite3");
    let mut rx = ReceiverBin::start(&[
        "--db".as_ref(),
        db.as_os_str(),
        "--trust-ca".as_ref(),
        bundle.as_os_str(),
        "--no-crl".as_ref(),
    ]);
    let warnings: Vec<String> = rx.lines().into_iter().filter(|l| l.contains("warning:")).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("expires in 29 days") || w.contains("expires in 30 days")),
        "{warnings:?}"
    );
    assert!(warnings.iter().any(|w| w.contains("expired on")), "{warnings:?}");
    assert_eq!(
        rx.lines().iter().filter(|l| l.contains("trusts (signing CA)")).count(),
        3
    );
    rx.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_station_takes_its_ca_file_in_der_and_the_receiver_its_client_ca() {
    let dir = tmp("station");
    let tls = LoopbackTls::create(&dir.join("tls"), "s1").unwrap();
    // Both CA inputs as DER files.
    let ca_der = dir.join("backend-ca.cer");
    let ca = X509::from_pem(&std::fs::read(&tls.ca).unwrap()).unwrap();
    std::fs::write(&ca_der, ca.to_der().unwrap()).unwrap();
    let pki = TestPki::generate().unwrap();
    let mut server = tls.server();
    server.client_ca = Some(ca_der.clone());
    let rx = support::receiver::spawn(
        support::receiver::config(dir.join("recv.sqlite3"), &pki.sign_ca.cert),
        Some(server),
    );
    let cfg = DeliveryConfig {
        ca_file: Some(ca_der),
        client_cert: Some(tls.client_cert.clone()),
        client_key: Some(tls.client_key.clone()),
        ..DeliveryConfig::new(&rx.url(true))
    };
    let client = delivery::client(&cfg).unwrap();
    let mut signer = Signer::new(&pki, "yamada");
    let id = "0193f000-0000-7000-8000-000000000031";
    let body = signer.record("s1", id);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), delivery::deliver(&client, &cfg, id, &body)).await
    });
    assert!(matches!(outcome, Ok(Outcome::Delivered)), "{outcome:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_crl_that_fails_to_reload_at_run_time_is_said_on_stderr() {
    let dir = tmp("reload");
    let pki = TestPki::generate().unwrap();
    let ca = dir.join("sign-ca.cer");
    std::fs::write(&ca, pki.sign_ca.cert.to_der().unwrap()).unwrap();
    let crls = dir.join("crl");
    std::fs::create_dir_all(&crls).unwrap();
    std::fs::write(crls.join("sign.crl"), pki.signing_crl(&[]).unwrap().to_der().unwrap()).unwrap();
    let db = dir.join("recv.sqlite3");
    let rx = ReceiverBin::start(&[
        "--db".as_ref(),
        db.as_os_str(),
        "--trust-ca".as_ref(),
        ca.as_os_str(),
        "--crl".as_ref(),
        crls.as_os_str(),
        "--crl-watch".as_ref(),
        "1".as_ref(),
    ]);
    // A download job that wrote garbage in place of the CRL.
    std::fs::write(crls.join("sign.crl"), b"<html>503</html>").unwrap();
    let line = rx
        .wait_line("CRL reload failed", Duration::from_secs(15))
        .unwrap_or_else(|| panic!("not said: {:?}", rx.lines()));
    assert!(
        line.contains("sign.crl") && line.contains("previous CRLs stay in use"),
        "{line}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
