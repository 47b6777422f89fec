//! Delivery and the reference receiver on loopback, with statements really signed by the
//! virtual card: TLS + mTLS, verdicts, faults, queue full, data at rest, bad input.

mod support;

use madoguchi::backend::delivery::{self, DeliveryConfig, Outcome};
use madoguchi::backend::outbox::{Outbox, Status};
use madoguchi::backend::receiver::{self, ReceiverConfig, TlsConfig};
use madoguchi::backend::station::StationStore;
use madoguchi::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
use madoguchi::record::payload::{b64, Payload};
use madoguchi::seam::StationBackend;
use madoguchi::seam::Verdict;
use madoguchi::time::unix_ms;
use openssl::asn1::Asn1Time;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage, SubjectAlternativeName};
use openssl::x509::{X509Builder, X509NameBuilder, X509};
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::card::{enroll, SignedIn};
use support::records::{unsigned_record, TERMS};
use support::tmp;

struct Env {
    dir: PathBuf,
    pki: TestPki,
}

impl Env {
    fn new(name: &str) -> Env {
        Env {
            dir: tmp(name),
            pki: TestPki::generate().unwrap(),
        }
    }
    fn card(&self, id: &str) -> (VirtualCard, Profile) {
        let p = Profile::named(id).unwrap();
        (VirtualCard::new(&p, &self.pki).unwrap(), p)
    }
    fn store(&self, seal: Option<&PKey<Private>>, url: Option<&str>, limit: u64) -> StationStore {
        let public = seal.map(|k| PKey::public_key_from_pem(&k.public_key_to_pem().unwrap()).unwrap());
        StationStore::open(
            self.dir.join("outbox.sqlite3"),
            limit,
            "station-1",
            "terms-1",
            TERMS,
            public,
            url.map(DeliveryConfig::new),
        )
        .unwrap()
    }
    fn receiver(
        &self,
        seal: Option<PKey<Private>>,
        crl_for: &[&X509],
        tls: Option<TlsConfig>,
    ) -> receiver::ReceiverHandle {
        let serials: Vec<_> = crl_for.iter().map(|c| c.serial_number()).collect();
        support::receiver::spawn(
            ReceiverConfig {
                crl: Some(self.pki.signing_crl(&serials).unwrap()),
                seal_keys: seal.into_iter().collect(),
                ..support::receiver::config(self.dir.join("receiver.sqlite3"), &self.pki.sign_ca.cert)
            },
            tls,
        )
    }
    fn outbox(&self) -> Outbox {
        Outbox::open(&self.dir.join("outbox.sqlite3"), 100).unwrap()
    }
    fn accepted(&self) -> u64 {
        receiver::accepted_count(&self.dir.join("receiver.sqlite3")).unwrap()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rsa_key() -> PKey<Private> {
    PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap()
}

fn flush(outbox: &mut Outbox, cfg: &DeliveryConfig) -> (u32, u32, u32) {
    let client = delivery::client(cfg).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(delivery::flush(outbox, &client, cfg, &|_, _| {})).unwrap()
}

/// A CA, and a leaf for 127.0.0.1 (server) or with CN (client), written as PEM files.
fn tls_files(
    dir: &Path,
    name: &str,
    cn: &str,
    server: bool,
    ca: Option<(&X509, &PKey<Private>)>,
) -> (PathBuf, PathBuf, X509, PKey<Private>) {
    let key = rsa_key();
    let mut n = X509NameBuilder::new().unwrap();
    n.append_entry_by_text("CN", cn).unwrap();
    let n = n.build();
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    let serial = openssl::bn::BigNum::from_u32(support::random_u64() as u32 & 0x7FFF_FFFF)
        .unwrap()
        .to_asn1_integer()
        .unwrap();
    b.set_serial_number(&serial).unwrap();
    b.set_subject_name(&n).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap()).unwrap();
    b.set_not_after(&Asn1Time::days_from_now(30).unwrap()).unwrap();
    match ca {
        None => {
            b.set_issuer_name(&n).unwrap();
            b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
                .unwrap();
        }
        Some((ca_cert, _)) => {
            b.set_issuer_name(ca_cert.subject_name()).unwrap();
            if server {
                let san = SubjectAlternativeName::new()
                    .ip("127.0.0.1")
                    .dns("localhost")
                    .build(&b.x509v3_context(Some(ca_cert), None))
                    .unwrap();
                b.append_extension(san).unwrap();
            } else {
                // A station certificate: the receiver takes only clientAuth ones.
                b.append_extension(ExtendedKeyUsage::new().client_auth().build().unwrap())
                    .unwrap();
            }
        }
    }
    let signer = ca.map(|(_, k)| k).unwrap_or(&key);
    b.sign(signer, MessageDigest::sha256()).unwrap();
    let cert = b.build();
    let c = dir.join(format!("{name}.pem"));
    let k = dir.join(format!("{name}.key"));
    std::fs::write(&c, cert.to_pem().unwrap()).unwrap();
    std::fs::write(&k, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    (c, k, cert, key)
}

#[test]
fn whole_path_over_tls_and_mtls_stored_once() {
    let env = Env::new("mtls");
    let (ca_file, _, ca, ca_key) = tls_files(&env.dir, "ca", "test tls ca", false, None);
    let (srv_cert, srv_key, _, _) = tls_files(&env.dir, "server", "localhost", true, Some((&ca, &ca_key)));
    let (cli_cert, cli_key, _, _) = tls_files(&env.dir, "client", "station-1", false, Some((&ca, &ca_key)));
    let seal = rsa_key();
    let rx = env.receiver(
        Some(seal.clone()),
        &[],
        Some(TlsConfig {
            cert: srv_cert,
            key: srv_key,
            client_ca: Some(ca_file.clone()),
            client_crl: Vec::new(),
            ..Default::default()
        }),
    );
    let url = rx.url(true);
    let store = env.store(Some(&seal), Some(&url), 100);
    let (card, p) = env.card("yamada");
    let (id, payload) = enroll(&store, card, &p);
    let cfg = DeliveryConfig {
        ca_file: Some(ca_file.clone()),
        client_cert: Some(cli_cert),
        client_key: Some(cli_key),
        ..DeliveryConfig::new(&url)
    };
    let mut o = env.outbox();
    assert_eq!(flush(&mut o, &cfg), (1, 0, 0));
    assert_eq!(o.list().unwrap()[0].status, Status::Delivered);
    assert_eq!(flush(&mut o, &cfg), (0, 0, 0), "nothing left to send");
    assert_eq!(env.accepted(), 1);
    let stored = receiver::accepted_payloads(&env.dir.join("receiver.sqlite3")).unwrap();
    assert_eq!(stored[0]["enrollment_id"], id.as_str());
    assert_eq!(stored[0]["card"]["name"], "山田　太郎");
    // The same key and body again (a retry after a lost answer): same answer, still one record.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = o.undelivered().unwrap();
    assert!(body.is_empty());
    let wire = serde_json::to_vec(&payload).unwrap();
    let client = delivery::client(&cfg).unwrap();
    let again = rt.block_on(delivery::deliver(&client, &cfg, &id, &wire));
    assert_eq!(
        again,
        Outcome::Permanent {
            verdict: Verdict::InvalidRequest,
            detail: "HTTP 422 INVALID_REQUEST".into()
        },
        "same key, different body (unsealed this time)"
    );
    assert_eq!(env.accepted(), 1);
    // A client certificate for another station: the record is refused, not stored.
    let (other_cert, other_key, _, _) = tls_files(&env.dir, "other", "station-2", false, Some((&ca, &ca_key)));
    let (card, p) = env.card("sato");
    let (id2, _) = enroll(&store, card, &p);
    let other = DeliveryConfig {
        ca_file: cfg.ca_file.clone(),
        client_cert: Some(other_cert),
        client_key: Some(other_key),
        ..DeliveryConfig::new(&url)
    };
    let c3 = delivery::client(&other).unwrap();
    let body2 = o
        .undelivered()
        .unwrap()
        .into_iter()
        .find(|(e, _)| e.id == id2)
        .unwrap()
        .1;
    match rt.block_on(delivery::deliver(&c3, &other, &id2, &body2)) {
        Outcome::Permanent {
            verdict: Verdict::InvalidRequest,
            detail,
        } => assert_eq!(detail, "HTTP 403 FORBIDDEN"),
        other => panic!("{other:?}"),
    }
    assert_eq!(env.accepted(), 1);
    // Without a client certificate the TLS handshake fails: a retry, never a loss.
    let no_client = DeliveryConfig {
        ca_file: Some(ca_file),
        ..DeliveryConfig::new(&url)
    };
    let c2 = delivery::client(&no_client).unwrap();
    assert!(matches!(
        rt.block_on(delivery::deliver(&c2, &no_client, &id, &wire)),
        Outcome::Retry { .. }
    ));
}

#[test]
fn plain_http_idempotency_same_body_same_answer() {
    let env = Env::new("idem");
    let rx = env.receiver(None, &[], None);
    let store = env.store(None, None, 100);
    let (card, p) = env.card("sato");
    let (id, payload) = enroll(&store, card, &p);
    let cfg = DeliveryConfig::new(&rx.url(false));
    let client = delivery::client(&cfg).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = serde_json::to_vec(&payload).unwrap();
    assert_eq!(
        rt.block_on(delivery::deliver(&client, &cfg, &id, &body)),
        Outcome::Delivered
    );
    assert_eq!(
        rt.block_on(delivery::deliver(&client, &cfg, &id, &body)),
        Outcome::Delivered
    );
    assert_eq!(env.accepted(), 1);
}

#[test]
fn verdicts_land_in_review_with_their_codes() {
    let env = Env::new("verdicts");
    let (rev_card, rev_p) = env.card("revoked");
    let revoked_cert = X509::from_der(rev_card.sign_cert_der.as_ref().unwrap()).unwrap();
    let rx = env.receiver(None, &[&revoked_cert], None);
    let url = rx.url(false);
    let store = env.store(None, Some(&url), 100);
    let cfg = DeliveryConfig::new(&url);
    let client = delivery::client(&cfg).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let send =
        |id: &str, p: &Payload| rt.block_on(delivery::deliver(&client, &cfg, id, &serde_json::to_vec(p).unwrap()));

    let (card, p) = env.card("expired");
    let (id, payload) = enroll(&store, card, &p);
    assert!(matches!(
        send(&id, &payload),
        Outcome::Permanent {
            verdict: Verdict::CertificateExpired,
            ..
        }
    ));
    let (id, payload) = enroll(&store, rev_card, &rev_p);
    assert!(matches!(
        send(&id, &payload),
        Outcome::Permanent {
            verdict: Verdict::CertificateRevoked,
            ..
        }
    ));

    // Through the outbox: both land in review and are not retried.
    let mut o = env.outbox();
    assert_eq!(flush(&mut o, &cfg), (0, 2, 0));
    let review: Vec<_> = o
        .list()
        .unwrap()
        .into_iter()
        .filter(|e| e.status == Status::Review)
        .collect();
    assert!(review
        .iter()
        .any(|e| e.last_error.as_deref().unwrap_or("").contains("CERTIFICATE_EXPIRED")));
    assert!(review
        .iter()
        .any(|e| e.last_error.as_deref().unwrap_or("").contains("CERTIFICATE_REVOKED")));
    assert_eq!(flush(&mut o, &cfg), (0, 0, 0), "review is not retried");

    // A good record, tampered on the way: each alteration gets its own verdict. (Fresh
    // enrollments each time: an idempotency key is answered the same way forever.)
    let tamper = |f: &dyn Fn(&mut Payload)| {
        let (card, p) = env.card("yamada");
        let (id, mut payload) = enroll(&store, card, &p);
        f(&mut payload);
        send(&id, &payload)
    };
    let r = tamper(&|p| {
        let mut sig = madoguchi::record::payload::unb64(p.signature.as_ref().unwrap()).unwrap();
        sig[10] ^= 0xFF;
        p.signature = Some(b64(&sig));
    });
    assert!(
        matches!(
            r,
            Outcome::Permanent {
                verdict: Verdict::SignatureMismatch,
                ..
            }
        ),
        "{r:?}"
    );
    let r = tamper(&|p| p.card.address = "別の住所".into());
    assert!(
        matches!(
            r,
            Outcome::Permanent {
                verdict: Verdict::CardDataMismatch,
                ..
            }
        ),
        "{r:?}"
    );
    // A certificate from a CA the receiver doesn't trust.
    let other = TestPki::generate().unwrap();
    let p = Profile::named("yamada").unwrap();
    let (id, payload) = enroll(&store, VirtualCard::new(&p, &other).unwrap(), &p);
    assert!(matches!(
        send(&id, &payload),
        Outcome::Permanent {
            verdict: Verdict::UnsupportedCertificate,
            ..
        }
    ));
    assert_eq!(env.accepted(), 0);
    drop(rx);
}

/// A tiny HTTP server answering scripted raw responses, one per connection.
fn scripted(responses: Vec<&'static str>) -> (String, std::thread::JoinHandle<()>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let h = std::thread::spawn(move || {
        for r in responses {
            let Ok((mut s, _)) = l.accept() else { return };
            use std::io::{Read, Write};
            let mut buf = [0u8; 65536];
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = s.read(&mut buf);
            match r {
                "RESET" => drop(s),
                "HANG" => std::thread::sleep(Duration::from_secs(3)),
                raw => {
                    let _ = s.write_all(raw.as_bytes());
                }
            }
        }
    });
    (url, h)
}

#[test]
fn faults_are_retried_on_schedule_and_nothing_is_lost() {
    let env = Env::new("faults");
    let (url, server) = scripted(vec![
        "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
        "HTTP/1.1 503 Service Unavailable\r\nretry-after: 120\r\ncontent-length: 0\r\n\r\n",
        "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\n\r\n",
        "HANG",
        "RESET",
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\ngarbage",
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{\"result\":\"OK\"}",
    ]);
    let store = env.store(None, None, 100);
    let (card, p) = env.card("yamada");
    let (id, _) = enroll(&store, card, &p);
    let cfg = DeliveryConfig {
        request_timeout: Duration::from_secs(1),
        ..DeliveryConfig::new(&url)
    };
    let mut o = env.outbox();
    for round in 0..6 {
        o.make_all_due().unwrap();
        let before = unix_ms();
        assert_eq!(flush(&mut o, &cfg), (0, 0, 1), "round {round}");
        let e = o.list().unwrap().into_iter().find(|e| e.id == id).unwrap();
        assert_eq!(e.status, Status::Pending, "round {round}");
        assert_eq!(e.attempts, round + 1);
        assert!(e.next_attempt_ms > before, "round {round}: scheduled in the future");
        if round == 1 {
            assert!(e.next_attempt_ms >= before + 120_000, "Retry-After honoured");
            assert!(e.last_error.as_deref().unwrap().contains("503"));
        }
    }
    o.make_all_due().unwrap();
    assert_eq!(flush(&mut o, &cfg), (1, 0, 0));
    server.join().unwrap();
}

#[test]
fn tls_certificate_that_does_not_match_is_a_retry_not_a_loss() {
    let env = Env::new("tlsmismatch");
    let (_, _, ca, ca_key) = tls_files(&env.dir, "ca", "ca", false, None);
    let (srv_cert, srv_key, _, _) = tls_files(&env.dir, "server", "localhost", true, Some((&ca, &ca_key)));
    let (other_ca, _, _, _) = tls_files(&env.dir, "other", "other ca", false, None);
    let rx = env.receiver(
        None,
        &[],
        Some(TlsConfig {
            cert: srv_cert,
            key: srv_key,
            client_ca: None,
            client_crl: Vec::new(),
            ..Default::default()
        }),
    );
    let store = env.store(None, None, 100);
    let (card, p) = env.card("yamada");
    enroll(&store, card, &p);
    let cfg = DeliveryConfig {
        ca_file: Some(other_ca),
        ..DeliveryConfig::new(&rx.url(true))
    };
    let mut o = env.outbox();
    assert_eq!(flush(&mut o, &cfg), (0, 0, 1));
    assert_eq!(o.list().unwrap()[0].status, Status::Pending);
    assert_eq!(env.accepted(), 0);
}

#[test]
fn queue_full_refuses_new_and_touches_nothing() {
    let env = Env::new("full");
    let store = env.store(None, None, 2).with_allow_unauthenticated(true);
    for _ in 0..2 {
        let (card, p) = env.card("yamada");
        enroll(&store, card, &p);
    }
    assert!(!store.can_start_new());
    let before = env.outbox().list().unwrap();
    let person = madoguchi::card::basic4::decode(&madoguchi::card::basic4::encode(
        "山田", "東京", "19800217", b'1', false,
    ))
    .unwrap();
    assert_eq!(
        store.store_unauthenticated(&person, &Default::default()).unwrap_err(),
        madoguchi::seam::BackendError::QueueFull
    );
    assert_eq!(env.outbox().list().unwrap(), before);
}

#[test]
fn sealed_at_rest_no_personal_data_in_any_file() {
    let env = Env::new("rest");
    let seal = rsa_key();
    let store = env.store(Some(&seal), None, 100);
    let (card, p) = env.card("sato");
    enroll(&store, card, &p);
    let needles = ["佐藤", "鈴木", "札幌", "1989-01-08", "19890108"];
    for entry in std::fs::read_dir(&env.dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for n in needles {
            assert!(!bytes.windows(n.len()).any(|w| w == n.as_bytes()), "{n} found at rest");
        }
    }
    // Without a key (seal = false), the same search finds the data: the test can fail.
    let env2 = Env::new("rest-plain");
    let store = env2.store(None, None, 100);
    let (card, p) = env2.card("sato");
    enroll(&store, card, &p);
    drop(store);
    let found = std::fs::read_dir(&env2.dir).unwrap().any(|e| {
        std::fs::read(e.unwrap().path())
            .unwrap()
            .windows("佐藤".len())
            .any(|w| w == "佐藤".as_bytes())
    });
    assert!(found);
}

#[test]
fn receiver_rejects_bad_input_clearly_and_stores_nothing() {
    let env = Env::new("bad");
    let rx = env.receiver(None, &[], None);
    let url = format!("{}/v1/enrollments", rx.url(false));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // A fresh connection per request: the receiver closes after answering an oversized one.
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let post = |key: Option<&str>, body: Vec<u8>| {
        rt.block_on(async {
            let mut r = client.post(&url).body(body);
            if let Some(k) = key {
                r = r.header("Idempotency-Key", k);
            }
            let resp = r.send().await.unwrap();
            let status = resp.status().as_u16();
            let v: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
            (status, v)
        })
    };
    let store = env.store(None, None, 100);
    let (card, p) = env.card("yamada");
    let (id, good) = enroll(&store, card, &p);
    let good_json = serde_json::to_value(&good).unwrap();
    let (s, v) = post(None, serde_json::to_vec(&good_json).unwrap());
    assert_eq!((s, v["result"].as_str()), (400, Some("INVALID_REQUEST")), "missing key");
    let (s, v) = post(Some("k1"), b"{not json".to_vec());
    assert_eq!((s, v["result"].as_str()), (400, Some("INVALID_REQUEST")));
    let (s, _) = post(Some("k2"), vec![b'x'; 400 * 1024]);
    assert_eq!(s, 413, "body limit");
    let mut wrong = good_json.clone();
    wrong["schema"] = "madoguchi.enrollment.v0".into();
    let (s, v) = post(Some(&id), serde_json::to_vec(&wrong).unwrap());
    assert_eq!(s, 400);
    assert!(v["error"].as_str().unwrap().contains("schema"));
    let mut bad64 = good_json.clone();
    bad64["signature"] = "***".into();
    assert_eq!(post(Some(&id), serde_json::to_vec(&bad64).unwrap()).0, 400);
    let mut notcert = good_json.clone();
    notcert["signing_certificate"] = b64(b"not a certificate").into();
    let (s, v) = post(Some(&id), serde_json::to_vec(&notcert).unwrap());
    assert_eq!(s, 400);
    assert!(v["error"].as_str().unwrap().contains("certificate"));
    // A photo comparison the signed statement does not carry (issue #24): refused by name.
    let mut face = good_json.clone();
    face["card_face"] = serde_json::json!({"photo_check": "matched", "read": true, "signature": "verified"});
    let (s, v) = post(Some(&id), serde_json::to_vec(&face).unwrap());
    assert_eq!((s, v["result"].as_str()), (400, Some("INVALID_REQUEST")), "{v}");
    assert!(v["error"].as_str().unwrap().contains("card_face"), "{v}");
    assert_eq!(env.accepted(), 0);
    // And the good one still goes through afterwards.
    assert_eq!(post(Some(&id), serde_json::to_vec(&good_json).unwrap()).0, 200);
    assert_eq!(env.accepted(), 1);
}

#[test]
fn receiver_errors_never_echo_card_data() {
    let env = Env::new("echo");
    let rx = env.receiver(None, &[], None);
    let store = env.store(None, None, 100);
    let (card, p) = env.card("sato");
    let (id, good) = enroll(&store, card, &p);
    let mut v = serde_json::to_value(&good).unwrap();
    // A wrong type where card data sits: the message must not quote the value.
    v["card"]["name"] = serde_json::json!(12345);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("{}/v1/enrollments", rx.url(false));
    let text = rt.block_on(async {
        let r = reqwest::Client::new()
            .post(&url)
            .header("Idempotency-Key", &id)
            .json(&v)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        r.text().await.unwrap()
    });
    assert!(text.contains("INVALID_REQUEST"), "{text}");
    assert!(
        !text.contains("札幌") && !text.contains("12345") && !text.contains("佐藤"),
        "{text}"
    );
}

/// The receiver's database holds opened payloads: a directory it creates is 0700, the file and
/// its -wal/-shm 0600 from their creation, whatever the umask.
#[test]
fn receiver_database_is_private_at_rest() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new("private");
    let db = env.dir.join("new-subdir").join("deeper").join("receiver.sqlite3");
    let rx = support::receiver::spawn(support::receiver::config(db.clone(), &env.pki.sign_ca.cert), None);
    let store = env.store(None, None, 100);
    let (card, p) = env.card("yamada");
    let (id, payload) = enroll(&store, card, &p);
    let cfg = DeliveryConfig::new(&rx.url(false));
    let client = delivery::client(&cfg).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = serde_json::to_vec(&payload).unwrap();
    assert_eq!(
        rt.block_on(delivery::deliver(&client, &cfg, &id, &body)),
        Outcome::Delivered
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for d in [db.parent().unwrap(), db.parent().unwrap().parent().unwrap()] {
        assert_eq!(mode(d), 0o700, "{}", d.display());
    }
    // While the receiver runs, SQLite has its -wal and -shm next to the file.
    for suffix in ["", "-wal", "-shm"] {
        let f = PathBuf::from(format!("{}{suffix}", db.display()));
        assert!(f.exists(), "{}", f.display());
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    drop(rx);
    // A file made before with a looser mode is tightened when the receiver opens it.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(receiver::accepted_count(&db).unwrap(), 1);
    assert_eq!(mode(&db), 0o600);
}

/// One card session signs `n` records for each store (a fresh virtual card per record would
/// cost its key generation); returns (enrollment id, wire body) per store.
fn enroll_many(stores: &[StationStore], n: usize, card: VirtualCard, p: &Profile) -> Vec<Vec<(String, Vec<u8>)>> {
    let mut c = SignedIn::new(card, p);
    stores
        .iter()
        .map(|store| {
            (0..n)
                .map(|_| {
                    let (id, payload) = c.enroll(store);
                    (id, serde_json::to_vec(&payload).unwrap())
                })
                .collect()
        })
        .collect()
}

fn limits(secs: u64) -> receiver::Limits {
    let d = Duration::from_secs(secs);
    receiver::Limits {
        tls_handshake: d,
        headers: d,
        body: d,
        idle: d,
        ..Default::default()
    }
}

/// True when the peer closed (EOF or reset) within `within`; what it sent first is skipped.
fn closed_by_server(s: &std::net::TcpStream, within: Duration) -> bool {
    use std::io::Read;
    let deadline = std::time::Instant::now() + within;
    let mut s = s;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// Reads one HTTP/1.1 response (content-length bodies): status and JSON body.
fn read_response(s: &mut std::net::TcpStream) -> (u16, Vec<(String, String)>, serde_json::Value) {
    use std::io::Read;
    let mut buf = Vec::new();
    let mut b = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(
            s.read(&mut b).unwrap(),
            1,
            "response head: {}",
            String::from_utf8_lossy(&buf)
        );
        buf.push(b[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    (
        status,
        headers,
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    )
}

fn raw_connect(addr: std::net::SocketAddr) -> std::net::TcpStream {
    let s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Silent and dribbling clients at every phase (TLS handshake, headers, body) hold no slot
/// for long, and 8 stations delivering at the same time all get their answers in time.
#[test]
fn slowloris_does_not_starve_stations() {
    use std::io::Write;
    let env = Env::new("slowloris");
    let (ca_file, _, ca, ca_key) = tls_files(&env.dir, "ca", "test tls ca", false, None);
    let (srv_cert, srv_key, _, _) = tls_files(&env.dir, "server", "localhost", true, Some((&ca, &ca_key)));
    let names: Vec<String> = (0..8).map(|k| format!("station-{k}")).collect();
    let client_files: Vec<(PathBuf, PathBuf)> = names
        .iter()
        .map(|n| {
            let (c, k, _, _) = tls_files(&env.dir, n, n, false, Some((&ca, &ca_key)));
            (c, k)
        })
        .collect();
    let rx = support::receiver::spawn(
        ReceiverConfig {
            limits: limits(2),
            ..support::receiver::config(env.dir.join("receiver.sqlite3"), &env.pki.sign_ca.cert)
        },
        Some(TlsConfig {
            cert: srv_cert,
            key: srv_key,
            client_ca: Some(ca_file.clone()),
            client_crl: Vec::new(),
            ..Default::default()
        }),
    );
    let stores: Vec<StationStore> = names
        .iter()
        .map(|n| {
            StationStore::open(
                env.dir.join(format!("outbox-{n}.sqlite3")),
                100,
                n,
                "terms-1",
                TERMS,
                None,
                None,
            )
            .unwrap()
        })
        .collect();
    let (card, p) = env.card("yamada");
    let records = enroll_many(&stores, 2, card, &p);

    // 200 slow clients: 80 silent, 40 dribbling a TLS handshake, 40 dribbling request headers
    // and 40 dribbling a body, the last two over a finished (mTLS) handshake.
    let mut tls = openssl::ssl::SslConnector::builder(openssl::ssl::SslMethod::tls()).unwrap();
    tls.set_ca_file(&ca_file).unwrap();
    tls.set_certificate_chain_file(&client_files[0].0).unwrap();
    tls.set_private_key_file(&client_files[0].1, openssl::ssl::SslFiletype::PEM)
        .unwrap();
    let tls = tls.build();
    enum Slow {
        Silent(std::net::TcpStream),
        Raw(std::net::TcpStream),
        Tls(openssl::ssl::SslStream<std::net::TcpStream>),
    }
    let mut slow = Vec::new();
    for i in 0..200 {
        let tcp = std::net::TcpStream::connect(rx.addr).unwrap();
        slow.push(match i {
            0..80 => Slow::Silent(tcp),
            80..120 => {
                (&tcp).write_all(&[0x16]).unwrap();
                Slow::Raw(tcp)
            }
            _ => {
                let mut s = tls.connect("localhost", tcp).unwrap();
                let head = if i < 160 {
                    "POST /v1/enrollments HTTP/1.1\r\nhost: localhost\r\n".to_string()
                } else {
                    "POST /v1/enrollments HTTP/1.1\r\nhost: localhost\r\nidempotency-key: slow\r\ncontent-length: 1000\r\n\r\n{".to_string()
                };
                s.write_all(head.as_bytes()).unwrap();
                Slow::Tls(s)
            }
        });
    }
    let opened = std::time::Instant::now();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let dribbler = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                for s in slow.iter_mut() {
                    let _ = match s {
                        Slow::Raw(t) if t.peer_addr().is_ok() => t.write(b"a"),
                        Slow::Raw(_) | Slow::Silent(_) => Ok(0),
                        Slow::Tls(t) => t.write(b"a"),
                    };
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            slow
        })
    };

    // Meanwhile 8 stations deliver, each with its own client certificate.
    let answers: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = records
            .iter()
            .zip(&client_files)
            .map(|(recs, (cert, key))| {
                let cfg = DeliveryConfig {
                    ca_file: Some(ca_file.clone()),
                    client_cert: Some(cert.clone()),
                    client_key: Some(key.clone()),
                    request_timeout: Duration::from_secs(5),
                    ..DeliveryConfig::new(&rx.url(true))
                };
                scope.spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    let client = delivery::client(&cfg).unwrap();
                    recs.iter()
                        .map(|(id, body)| {
                            let t = std::time::Instant::now();
                            let o = rt.block_on(delivery::deliver(&client, &cfg, id, body));
                            (o, t.elapsed())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(answers.len(), 16);
    for (o, took) in &answers {
        assert_eq!(*o, Outcome::Delivered, "{took:?}");
        assert!(*took < Duration::from_secs(5), "{took:?}");
    }
    assert_eq!(env.accepted(), 16);

    // Every slow client was closed by the server once its phase's timeout (2 s) ran out.
    let left = Duration::from_secs(5).saturating_sub(opened.elapsed());
    std::thread::sleep(left.min(Duration::from_millis(500)));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let slow = dribbler.join().unwrap();
    let deadline = opened + Duration::from_secs(5);
    let open: Vec<usize> = slow
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            let tcp = match s {
                Slow::Raw(t) | Slow::Silent(t) => t,
                Slow::Tls(t) => t.get_ref(),
            };
            !closed_by_server(
                tcp,
                deadline
                    .saturating_duration_since(std::time::Instant::now())
                    .max(Duration::from_millis(50)),
            )
        })
        .map(|(i, _)| i)
        .collect();
    assert!(open.is_empty(), "still open after 5 s: {open:?}");
}

/// Silent connections fill max_connections: a station waits until their header timeout frees
/// a slot (not served beside them), then is answered.
#[test]
fn connections_beyond_the_cap_wait_for_a_slot() {
    let env = Env::new("cap");
    let rx = support::receiver::spawn(
        ReceiverConfig {
            db: env.dir.join("receiver.sqlite3").into(),
            trust_ca: vec![env.pki.sign_ca.cert.clone()],
            limits: receiver::Limits {
                max_connections: 2,
                ..limits(1)
            },
            ..Default::default()
        },
        None,
    );
    let store = env.store(None, None, 100);
    let (card, p) = env.card("yamada");
    let (id, payload) = enroll(&store, card, &p);
    let silent: Vec<_> = (0..2).map(|_| raw_connect(rx.addr)).collect();
    std::thread::sleep(Duration::from_millis(200));
    let cfg = DeliveryConfig {
        request_timeout: Duration::from_secs(5),
        ..DeliveryConfig::new(&rx.url(false))
    };
    let client = delivery::client(&cfg).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let t = std::time::Instant::now();
    let o = rt.block_on(delivery::deliver(
        &client,
        &cfg,
        &id,
        &serde_json::to_vec(&payload).unwrap(),
    ));
    let took = t.elapsed();
    assert_eq!(o, Outcome::Delivered);
    assert!(
        took >= Duration::from_millis(600),
        "served beside 2 silent connections: {took:?}"
    );
    assert!(took < Duration::from_secs(4), "{took:?}");
    for s in &silent {
        assert!(closed_by_server(s, Duration::from_secs(2)));
    }
}

/// Plain HTTP, one raw connection per phase: a dribbled head is cut at the header timeout, a
/// dribbled body gets 408 REQUEST_TIMEOUT at the body timeout, and a keep-alive connection
/// without a request is closed at the idle timeout (the header timeout being longer).
#[test]
fn each_phase_of_a_connection_has_a_timeout() {
    use std::io::Write;
    let env = Env::new("phases");
    let spawn = |l: receiver::Limits| {
        support::receiver::spawn(
            ReceiverConfig {
                db: env.dir.join(format!("receiver-{}.sqlite3", unix_ms())).into(),
                limits: l,
                ..Default::default()
            },
            None,
        )
    };
    let short = spawn(limits(1));
    let idle_only = spawn(receiver::Limits {
        idle: Duration::from_secs(1),
        ..limits(30)
    });
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let s = raw_connect(short.addr);
            (&s).write_all(b"POST /v1/enrollments HTTP/1.1\r\nhost: x\r\n").unwrap();
            let t = std::time::Instant::now();
            assert!(closed_by_server(&s, Duration::from_secs(4)), "dribbled head");
            assert!(t.elapsed() >= Duration::from_millis(500));
        });
        scope.spawn(|| {
            let mut s = raw_connect(short.addr);
            s.write_all(
                b"POST /v1/enrollments HTTP/1.1\r\nhost: x\r\nidempotency-key: k\r\ncontent-length: 100\r\n\r\n{\"a\":",
            )
            .unwrap();
            let t = std::time::Instant::now();
            let (status, headers, v) = read_response(&mut s);
            assert_eq!((status, v["result"].as_str()), (408, Some("REQUEST_TIMEOUT")), "{v}");
            assert!(headers.contains(&("content-type".into(), "application/json".into())));
            assert!(t.elapsed() >= Duration::from_millis(500) && t.elapsed() < Duration::from_secs(4));
            assert!(closed_by_server(&s, Duration::from_secs(2)));
        });
        scope.spawn(|| {
            let mut s = raw_connect(idle_only.addr);
            s.write_all(
                b"POST /v1/enrollments HTTP/1.1\r\nhost: x\r\nidempotency-key: k\r\ncontent-length: 9\r\n\r\n{not json",
            )
            .unwrap();
            let (status, _, v) = read_response(&mut s);
            assert_eq!((status, v["result"].as_str()), (400, Some("INVALID_REQUEST")));
            let t = std::time::Instant::now();
            assert!(closed_by_server(&s, Duration::from_secs(4)), "idle keep-alive");
            assert!(t.elapsed() >= Duration::from_millis(500), "{:?}", t.elapsed());
        });
    });
}

/// Every answer the receiver gives is `{"result": …}` JSON with the documented status: a
/// 3 MB body, unknown routes and methods, oversized headers. Only what hyper refuses before
/// any of our code runs (a malformed request line, headers past 64 KiB) is a bare status, and
/// the connection is closed.
#[test]
fn every_answer_is_json_with_its_status() {
    use std::io::Write;
    let env = Env::new("json");
    let rx = env.receiver(None, &[], None);
    let base = rx.url(false);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let send = |r: reqwest::RequestBuilder| {
        rt.block_on(async {
            let resp = r.send().await.unwrap();
            let status = resp.status().as_u16();
            let ct = resp
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            let allow = resp.headers().get("allow").map(|v| v.to_str().unwrap().to_string());
            let v: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
            (status, ct, allow, v["result"].as_str().map(str::to_string))
        })
    };
    let url = format!("{base}/v1/enrollments");
    let json = Some("application/json".to_string());
    let (s, ct, _, r) = send(
        client
            .post(&url)
            .header("Idempotency-Key", "k")
            .body(vec![b'x'; 3 * 1024 * 1024]),
    );
    assert_eq!(
        (s, ct.clone(), r.as_deref()),
        (413, json.clone(), Some("PAYLOAD_TOO_LARGE"))
    );
    let (s, ct, _, r) = send(client.post(format!("{base}/v2/nothing")).body("{}"));
    assert_eq!((s, ct, r.as_deref()), (404, json.clone(), Some("NOT_FOUND")));
    let (s, _, _, r) = send(client.get(&base));
    assert_eq!((s, r.as_deref()), (404, Some("NOT_FOUND")));
    let (s, ct, allow, r) = send(client.get(&url));
    assert_eq!((s, ct, r.as_deref()), (405, json.clone(), Some("METHOD_NOT_ALLOWED")));
    assert!(allow.unwrap_or_default().contains("POST"));
    let (s, ct, _, r) = send(client.put(&url).body("{}"));
    assert_eq!((s, ct, r.as_deref()), (405, json.clone(), Some("METHOD_NOT_ALLOWED")));
    let (s, ct, _, r) = send(
        client
            .post(&url)
            .header("Idempotency-Key", "k")
            .header("x-big", "a".repeat(20 * 1024))
            .body("{}"),
    );
    assert_eq!((s, ct, r.as_deref()), (431, json.clone(), Some("HEADERS_TOO_LARGE")));
    let mut many = client.post(&url).header("Idempotency-Key", "k");
    for i in 0..120 {
        many = many.header(format!("x-h{i}"), "1");
    }
    let (s, _, _, r) = send(many.body("{}"));
    assert_eq!((s, r.as_deref()), (431, Some("HEADERS_TOO_LARGE")));
    // A chunked body past the limit (no content-length to refuse up front).
    let mut c = raw_connect(rx.addr);
    c.write_all(
        b"POST /v1/enrollments HTTP/1.1\r\nhost: x\r\nidempotency-key: k\r\ntransfer-encoding: chunked\r\n\r\n",
    )
    .unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..5 {
        c.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).unwrap();
        c.write_all(&chunk).unwrap();
        c.write_all(b"\r\n").unwrap();
    }
    let (s, headers, v) = read_response(&mut c);
    assert_eq!(
        (s, v["result"].as_str()),
        (413, Some("PAYLOAD_TOO_LARGE")),
        "{headers:?}"
    );
    // What hyper refuses itself: a bare status, then the connection is closed.
    let mut c = raw_connect(rx.addr);
    c.write_all(b"NOT HTTP AT ALL\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut c).0, 400);
    assert!(closed_by_server(&c, Duration::from_secs(2)));
    let mut c = raw_connect(rx.addr);
    c.write_all(
        format!(
            "POST /v1/enrollments HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
            "a".repeat(100 * 1024)
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(read_response(&mut c).0, 431);
    assert!(closed_by_server(&c, Duration::from_secs(2)));
    assert_eq!(env.accepted(), 0);
}

/// A client certificate for `subject` (e.g. no CN, two CNs) signed by `ca`, as PEM files.
fn client_files(dir: &Path, name: &str, subject: &[(&str, &str)], ca: (&X509, &PKey<Private>)) -> (PathBuf, PathBuf) {
    let key = rsa_key();
    let mut n = X509NameBuilder::new().unwrap();
    for (k, v) in subject {
        n.append_entry_by_text(k, v).unwrap();
    }
    let n = n.build();
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    let serial = openssl::bn::BigNum::from_u32(support::random_u64() as u32 & 0x7FFF_FFFF)
        .unwrap()
        .to_asn1_integer()
        .unwrap();
    b.set_serial_number(&serial).unwrap();
    b.set_subject_name(&n).unwrap();
    b.set_issuer_name(ca.0.subject_name()).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap()).unwrap();
    b.set_not_after(&Asn1Time::days_from_now(30).unwrap()).unwrap();
    b.append_extension(ExtendedKeyUsage::new().client_auth().build().unwrap())
        .unwrap();
    b.sign(ca.1, MessageDigest::sha256()).unwrap();
    let (c, k) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
    std::fs::write(&c, b.build().to_pem().unwrap()).unwrap();
    std::fs::write(&k, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    (c, k)
}

/// With mTLS the client certificate names the station: exactly one CN, equal to the record's
/// station_id, else 403 FORBIDDEN. Unsigned records only from such a bound station and only
/// when the receiver allows them; the station is recorded. Keys are per station.
#[test]
fn mtls_binds_records_to_their_station() {
    let env = Env::new("binding");
    let (ca_file, _, ca, ca_key) = tls_files(&env.dir, "ca", "test tls ca", false, None);
    let (srv_cert, srv_key, _, _) = tls_files(&env.dir, "server", "localhost", true, Some((&ca, &ca_key)));
    let spawn = |db: &str, allow_unsigned: bool, mtls: bool| {
        support::receiver::spawn(
            ReceiverConfig {
                db: env.dir.join(db).into(),
                trust_ca: vec![env.pki.sign_ca.cert.clone()],
                allow_unsigned,
                ..Default::default()
            },
            mtls.then(|| TlsConfig {
                cert: srv_cert.clone(),
                key: srv_key.clone(),
                client_ca: Some(ca_file.clone()),
                client_crl: Vec::new(),
                ..Default::default()
            }),
        )
    };
    let bound = spawn("bound.sqlite3", true, true);
    let strict = spawn("strict.sqlite3", false, true);
    let plain = spawn("plain.sqlite3", true, false);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let as_client = |rx: &receiver::ReceiverHandle, files: Option<&(PathBuf, PathBuf)>| {
        let https = files.is_some();
        DeliveryConfig {
            ca_file: https.then(|| ca_file.clone()),
            client_cert: files.map(|f| f.0.clone()),
            client_key: files.map(|f| f.1.clone()),
            ..DeliveryConfig::new(&rx.url(https))
        }
    };
    let send = |cfg: &DeliveryConfig, id: &str, body: &[u8]| {
        let client = delivery::client(cfg).unwrap();
        match rt.block_on(delivery::deliver(&client, cfg, id, body)) {
            Outcome::Delivered => "OK".to_string(),
            Outcome::Permanent { detail, .. } => detail,
            other => panic!("{other:?}"),
        }
    };
    let ca_pair = (&ca, &ca_key);
    let station1 = client_files(&env.dir, "s1", &[("CN", "station-1")], ca_pair);
    let station2 = client_files(&env.dir, "s2", &[("CN", "station-2")], ca_pair);
    let no_cn = client_files(&env.dir, "nocn", &[("O", "madoguchi"), ("OU", "station-1")], ca_pair);
    let two_cn = client_files(&env.dir, "twocn", &[("CN", "station-1"), ("CN", "station-2")], ca_pair);

    // A signed record of station-1, through a certificate without a CN or with two: refused.
    let store = env.store(None, None, 100);
    let (card, p) = env.card("yamada");
    let (id, payload) = enroll(&store, card, &p);
    let signed = serde_json::to_vec(&payload).unwrap();
    assert_eq!(
        send(&as_client(&bound, Some(&no_cn)), &id, &signed),
        "HTTP 403 FORBIDDEN"
    );
    assert_eq!(
        send(&as_client(&bound, Some(&two_cn)), &id, &signed),
        "HTTP 403 FORBIDDEN"
    );
    assert_eq!(
        send(&as_client(&bound, Some(&station2)), &id, &signed),
        "HTTP 403 FORBIDDEN"
    );
    assert_eq!(send(&as_client(&bound, Some(&station1)), &id, &signed), "OK");

    // Unsigned: only bound, only where allowed.
    let id_u = uuid::Uuid::now_v7().to_string();
    let u1 = unsigned_record("station-1", &id_u);
    assert_eq!(
        send(&as_client(&plain, None), &id_u, &u1),
        "HTTP 403 FORBIDDEN",
        "unbound"
    );
    assert_eq!(
        send(&as_client(&strict, Some(&station1)), &id_u, &u1),
        "HTTP 403 FORBIDDEN",
        "not allowed"
    );
    assert_eq!(
        send(&as_client(&bound, Some(&station2)), &id_u, &u1),
        "HTTP 403 FORBIDDEN",
        "other station"
    );
    assert_eq!(send(&as_client(&bound, Some(&station1)), &id_u, &u1), "OK");
    // The same key from another station is another request, not a reuse (422).
    let u2 = unsigned_record("station-2", &id_u);
    assert_eq!(send(&as_client(&bound, Some(&station2)), &id_u, &u2), "OK");
    assert_eq!(send(&as_client(&bound, Some(&station1)), &id_u, &u1), "OK", "replayed");
    let mut other_body = unsigned_record("station-1", &id_u);
    other_body.extend_from_slice(b" ");
    assert_eq!(
        send(&as_client(&bound, Some(&station1)), &id_u, &other_body),
        "HTTP 422 INVALID_REQUEST"
    );
    drop((bound, strict, plain));
    assert_eq!(receiver::accepted_count(&env.dir.join("bound.sqlite3")).unwrap(), 3);
    assert_eq!(receiver::accepted_count(&env.dir.join("strict.sqlite3")).unwrap(), 0);
    assert_eq!(receiver::accepted_count(&env.dir.join("plain.sqlite3")).unwrap(), 0);
    let db = rusqlite::Connection::open(env.dir.join("bound.sqlite3")).unwrap();
    let rows: Vec<(String, bool, bool)> = db
        .prepare("SELECT station_id, station_bound, payload IS NOT NULL FROM received WHERE idempotency_key = ?1 AND status = 200 ORDER BY station_id")
        .unwrap()
        .query_map([&id_u], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        [
            ("station-1".to_string(), true, true),
            ("station-2".to_string(), true, true)
        ]
    );
}

/// A receiver database from before per-station keys is migrated in place: its records stay
/// accepted and answerable.
#[test]
fn receiver_database_from_before_per_station_keys_is_migrated() {
    let env = Env::new("migrate");
    let path = env.dir.join("receiver.sqlite3");
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE received (
                idempotency_key TEXT PRIMARY KEY, body_sha256 TEXT NOT NULL, status INTEGER NOT NULL,
                answer TEXT NOT NULL, station_id TEXT, received_ms INTEGER NOT NULL, payload BLOB);
             INSERT INTO received VALUES ('k1', 'h1', 200, '{\"result\":\"OK\"}', 'station-1', 1, x'7b7d');
             INSERT INTO received VALUES ('k2', 'h2', 422, '{\"result\":\"SIGNATURE_MISMATCH\"}', NULL, 2, NULL);",
        )
        .unwrap();
    }
    assert_eq!(receiver::accepted_count(&path).unwrap(), 1);
    let db = rusqlite::Connection::open(&path).unwrap();
    let rows: Vec<(String, String, i64)> = db
        .prepare("SELECT station_id, idempotency_key, status FROM received ORDER BY idempotency_key")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        [("station-1".into(), "k1".into(), 200), ("".into(), "k2".into(), 422)]
    );
    let pk: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM pragma_table_info('received') WHERE pk > 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(pk, 2, "(station_id, idempotency_key)");
}

/// Verification doesn't wait behind the database: while a commit is stuck (another process
/// holds the write lock), a request that needs no insert is verified and answered at once;
/// and 8 identical requests at once store one record and all get its answer.
#[test]
fn verification_is_not_serialised_behind_the_database() {
    let env = Env::new("parallel");
    let rx = env.receiver(None, &[], None);
    let store = env.store(None, None, 100);
    let (card, p) = env.card("yamada");
    let mut records = enroll_many(std::slice::from_ref(&store), 2, card, &p).remove(0);
    let (id_b, body_b) = records.pop().unwrap();
    let (id_a, body_a) = records.pop().unwrap();
    let url = rx.url(false);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let post = |id: String, body: Vec<u8>| {
        let url = url.clone();
        rt.spawn(async move {
            let t = std::time::Instant::now();
            let r = reqwest::Client::new()
                .post(format!("{url}/v1/enrollments"))
                .header("Idempotency-Key", id)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap(), t.elapsed())
        })
    };
    // Someone else holds the database's write lock for 2 s.
    let blocker = rusqlite::Connection::open(env.dir.join("receiver.sqlite3")).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let a = post(id_a.clone(), body_a.clone());
    std::thread::sleep(Duration::from_millis(300));
    let mut wrong = serde_json::from_slice::<serde_json::Value>(&body_b).unwrap();
    wrong["schema"] = "madoguchi.enrollment.v0".into();
    let b = post(id_b.clone(), serde_json::to_vec(&wrong).unwrap());
    let (status_b, _, took_b) = rt.block_on(b).unwrap();
    assert_eq!(status_b, 400);
    assert!(
        took_b < Duration::from_millis(1000),
        "verified behind a stuck commit: {took_b:?}"
    );
    std::thread::sleep(Duration::from_millis(1700));
    blocker.execute_batch("COMMIT").unwrap();
    let (status_a, _, _) = rt.block_on(a).unwrap();
    assert_eq!(status_a, 200);
    // Identical requests at once: verified side by side, stored once, one answer.
    let same: Vec<_> = (0..8).map(|_| post(id_b.clone(), body_b.clone())).collect();
    let answers: Vec<_> = same.into_iter().map(|h| rt.block_on(h).unwrap()).collect();
    for (status, text, _) in &answers {
        assert_eq!(*status, 200, "{text}");
        assert_eq!(*text, answers[0].1);
    }
    assert_eq!(env.accepted(), 2);
}
