//! Operating `madoguchi receive` as a process (issue #11 items 3–5): hand-carried files
//! imported through the same verification and idempotency as HTTP; the CRL and the trusted
//! CAs read again on SIGHUP (stale → CRL_STALE, fresh → REVOKED, a CA added → a reviewed record
//! accepted on `outbox retry`); /readyz and /metrics; one JSON log line per request without
//! personal data; a graceful stop on SIGTERM.

mod support;

use madoguchi::backend::receiver;
use madoguchi::backend::station::StationStore;
use madoguchi::backend::store::StoreLocation;
use madoguchi::card::vcard::{pki::TestPki, profile::Profile};
use madoguchi::time::unix_ms;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::card::enroll_json;
use support::cli::run;
use support::pg::both_stores;
use support::receiver_bin::ReceiverBin;
use support::{tmp, BIN, DAY};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// (status, Retry-After, body as JSON or text)
fn request(url: &str, key: Option<&str>, body: Option<&[u8]>) -> (u16, Option<String>, String) {
    rt().block_on(async {
        let c = reqwest::Client::new();
        let r = match body {
            Some(b) => c
                .post(url)
                .header("Idempotency-Key", key.unwrap_or_default())
                .header("Content-Type", "application/json")
                .body(b.to_vec()),
            None => c.get(url),
        };
        let r = r.send().await.unwrap();
        let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        (r.status().as_u16(), retry, r.text().await.unwrap())
    })
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Nothing of these citizens in `text`.
fn assert_no_personal_data(text: &str, profiles: &[&str]) {
    for name in profiles {
        let p = Profile::named(name).unwrap();
        for item in [&p.name, &p.address, &p.birth_date] {
            assert!(!text.contains(item.as_str()), "{item} of {name} in:\n{text}");
        }
    }
}

/// A field laptop's export, imported at the office twice, stores each record once; the
/// station's later network delivery of the same records is a duplicate, not a second row.
fn a_carried_file_imported_twice_stores_once_and_the_later_delivery_is_a_duplicate(dir: &Path, db: &StoreLocation) {
    let db = db.clone();
    let pki = TestPki::generate().unwrap();
    // Sealed as the station stores them: the receiver opens them with its key.
    let seal = openssl::rsa::Rsa::generate(2048).unwrap();
    let seal_key = dir.join("seal.key");
    std::fs::write(&seal_key, seal.private_key_to_pem().unwrap()).unwrap();
    let public = openssl::pkey::PKey::public_key_from_pem(&seal.public_key_to_pem().unwrap()).unwrap();
    let outbox_db = dir.join("outbox.sqlite3");
    let store = StationStore::open(outbox_db.clone(), 100, "field-7", "t", "terms", Some(public), None).unwrap();
    let (yamada, _) = enroll_json(&store, &pki, "yamada");
    let (sato, _) = enroll_json(&store, &pki, "sato-kyuushi");
    let (expired, _) = enroll_json(&store, &pki, "expired");
    drop(store);
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pki.sign_ca.cert.to_pem().unwrap()).unwrap();

    // The laptop: export, offline. The records stay queued, marked carried.
    let cfg = support::station::delivering(dir, "http://127.0.0.1:9", &outbox_db);
    let carried = dir.join("carried.jsonl");
    let (code, out, err) = support::cli::outbox(&cfg, &["export", carried.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, list, _) = support::cli::outbox(&cfg, &["list"]);
    assert_eq!(list.matches("pending+carried").count(), 3, "{list}");
    let file = std::fs::read_to_string(&carried).unwrap();
    assert_no_personal_data(&file, &["yamada", "sato-kyuushi", "expired"]);

    // The office: import twice.
    let import = |file: &Path| {
        run(&[
            "receive".as_ref(),
            "import".as_ref(),
            "--create".as_ref(),
            "--db".as_ref(),
            db.as_os_str(),
            "--trust-ca".as_ref(),
            ca.as_os_str(),
            "--no-crl".as_ref(),
            "--seal-key".as_ref(),
            seal_key.as_os_str(),
            file.as_os_str(),
        ] as &[&std::ffi::OsStr])
    };
    let (code, out, err) = import(&carried);
    assert_eq!(code, 3, "one record needs review: {out}{err}");
    assert!(
        out.contains("imported 3 record(s): accepted 2, duplicate 0, review 1, refused 0, retry later 0"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("review\t") && l.contains(&expired) && l.contains("CERTIFICATE_EXPIRED")),
        "the review names its id and reason: {out}"
    );
    assert_no_personal_data(&(out.clone() + &err), &["yamada", "sato-kyuushi", "expired"]);
    let (code, out, _) = import(&carried);
    assert_eq!(code, 3);
    assert!(out.contains("accepted 0, duplicate 2, review 1"), "{out}");
    assert_eq!(receiver::accepted_count(&db).unwrap(), 2);

    // A line that is not a record is refused by line number; the rest still goes in.
    let broken = dir.join("broken.jsonl");
    std::fs::write(
        &broken,
        format!("{{\"name\":\"山田\"\n{}", file.lines().next().unwrap()),
    )
    .unwrap();
    let (code, out, _) = import(&broken);
    assert_eq!(code, 3);
    assert!(
        out.contains("line 1: not a carried record") && !out.contains("山田"),
        "{out}"
    );
    assert!(out.contains("duplicate 1"), "{out}");

    // Back online: the station delivers the same records to a receiver on the same database.
    let rx = ReceiverBin::start(&[
        "--db".as_ref(),
        db.as_os_str(),
        "--trust-ca".as_ref(),
        ca.as_os_str(),
        "--no-crl".as_ref(),
        "--seal-key".as_ref(),
        seal_key.as_os_str(),
    ] as &[&std::ffi::OsStr]);
    let cfg = support::station::delivering(dir, &rx.url, &outbox_db);
    let (_, out, err) = support::cli::outbox(&cfg, &["flush"]);
    assert!(out.contains("delivered 2, review 1"), "{out}{err}");
    assert_eq!(receiver::accepted_count(&db).unwrap(), 2, "not a second record");
    let log = rx.requests();
    for id in [&yamada, &sato] {
        assert!(
            log.iter()
                .any(|l| l["id"] == id.as_str() && l["disposition"] == "replayed" && l["status"] == 200),
            "{id} answered as a duplicate: {log:?}"
        );
    }
    let (_, list, _) = support::cli::outbox(&cfg, &["list", "--json"]);
    let rows: Vec<Value> = serde_json::from_str(&list).unwrap();
    assert_eq!(rows.iter().filter(|r| r["status"] == "delivered").count(), 2);

    // The operator's review queue: the expired one, its reason, no personal data.
    let (code, out, _) = run(&[
        "receive".as_ref(),
        "list".as_ref(),
        "--db".as_ref(),
        db.as_os_str(),
        "--status".as_ref(),
        "review".as_ref(),
    ] as &[&std::ffi::OsStr]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains(&expired) && out.contains("CERTIFICATE_EXPIRED") && out.contains("validity"),
        "{out}"
    );
    // --show-data only to a terminal.
    let (code, _, err) = run(&[
        "receive".as_ref(),
        "list".as_ref(),
        "--db".as_ref(),
        db.as_os_str(),
        "--show-data".as_ref(),
    ] as &[&std::ffi::OsStr]);
    assert_eq!(code, 2, "{err}");
    // On a terminal (a pty from util-linux `script`) the operator sees the accepted records.
    let shown = Command::new("script")
        .args([
            "-qec",
            &format!("{BIN} receive list --db {db} --show-data"),
            "/dev/null",
        ])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    let yamada_name = Profile::named("yamada").unwrap().name;
    assert!(shown.contains(&format!("name: {yamada_name}")), "{shown}");
    drop(rx);
}
both_stores!(a_carried_file_imported_twice_stores_once_and_the_later_delivery_is_a_duplicate);

/// A forged rejection must not squat an enrollment id (issue #20 item 3). Ids are on the
/// citizen's receipt and QR; a line naming an unknown seal `kid` (or any verdict reached before
/// the card's signature is checked), carried in a file or POSTed to a receiver without
/// `--client-ca`, proves nothing of who sent it. It is kept for review, but the genuine record
/// — from the bound station, or unbound and verified — takes its place: 200, one row.
fn a_rejection_that_proves_nothing_does_not_hold_the_id(dir: &Path, db: &StoreLocation) {
    use madoguchi::backend::delivery::{self, DeliveryConfig, Outcome};
    let pki = TestPki::generate().unwrap();
    let seal = openssl::rsa::Rsa::generate(2048).unwrap();
    let seal_key = dir.join("seal.key");
    std::fs::write(&seal_key, seal.private_key_to_pem().unwrap()).unwrap();
    let public = openssl::pkey::PKey::public_key_from_pem(&seal.public_key_to_pem().unwrap()).unwrap();
    let outbox_db = dir.join("outbox.sqlite3");
    let store = StationStore::open(outbox_db.clone(), 100, "field-7", "t", "terms", Some(public), None).unwrap();
    let (carried_id, _) = enroll_json(&store, &pki, "yamada");
    let (posted_id, _) = enroll_json(&store, &pki, "sato-kyuushi");
    drop(store);
    let outbox = madoguchi::backend::outbox::Outbox::open_existing(&outbox_db, 100).unwrap();
    let genuine = |id: &str| outbox.body(id).unwrap();
    // The forger's copy: the id and station from the receipt, sealed to a key the receiver
    // does not have.
    let other = openssl::rsa::Rsa::generate(2048).unwrap();
    let other = openssl::pkey::PKey::public_key_from_pem(&other.public_key_to_pem().unwrap()).unwrap();
    let forged = |id: &str| {
        let jwe = madoguchi::backend::jwe::seal(&other, id, "field-7", b"{}").unwrap();
        serde_json::to_vec(&serde_json::json!({"enrollment_id": id, "station_id": "field-7", "jwe": jwe})).unwrap()
    };
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pki.sign_ca.cert.to_pem().unwrap()).unwrap();
    let verify: Vec<&std::ffi::OsStr> = vec![
        "--db".as_ref(),
        db.as_os_str(),
        "--trust-ca".as_ref(),
        ca.as_os_str(),
        "--no-crl".as_ref(),
        "--seal-key".as_ref(),
        seal_key.as_os_str(),
    ];

    // A receiver without --client-ca: the forged POST first, then the genuine one.
    let mut rx = ReceiverBin::start(&verify);
    let enrollments = format!("{}/v1/enrollments", rx.url);
    let (status, _, body) = request(&enrollments, Some(&posted_id), Some(&forged(&posted_id)));
    assert_eq!(
        (status, json(&body)["result"].as_str()),
        (422, Some("UNKNOWN_KEY")),
        "{body}"
    );
    let (status, _, body) = request(&enrollments, Some(&posted_id), Some(&genuine(&posted_id)));
    assert_eq!((status, json(&body)["result"].as_str()), (200, Some("OK")), "{body}");
    // A success is final: the forger's copy now gets the reuse answer.
    let (status, _, body) = request(&enrollments, Some(&posted_id), Some(&forged(&posted_id)));
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        json(&body)["error"],
        "Idempotency-Key reused with a different body",
        "{body}"
    );

    // A hand-carried forged line, imported beside the running receiver: kept for review.
    let file = dir.join("forged.jsonl");
    std::fs::write(
        &file,
        madoguchi::backend::carry::line(&carried_id, true, &forged(&carried_id), None).unwrap() + "\n",
    )
    .unwrap();
    let mut import: Vec<&std::ffi::OsStr> = vec!["receive".as_ref(), "import".as_ref(), "--create".as_ref()];
    import.extend(&verify);
    import.push(file.as_os_str());
    let (code, out, err) = run(&import);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("review\t") && l.contains(&carried_id) && l.contains("UNKNOWN_KEY")),
        "{out}"
    );
    assert!(rx.stop().is_some_and(|s| s.success()));

    // The bound station delivers the genuine record over mTLS: 200, in place of the forgery.
    let tls = receiver::LoopbackTls::create(&dir.join("tls"), "field-7").unwrap();
    let mut args = verify.clone();
    args.extend([
        "--tls-cert".as_ref(),
        tls.server_cert.as_os_str(),
        "--tls-key".as_ref(),
        tls.server_key.as_os_str(),
        "--client-ca".as_ref(),
        tls.ca.as_os_str(),
    ]);
    let rx = ReceiverBin::start(&args);
    let cfg = DeliveryConfig {
        ca_file: Some(tls.ca.clone()),
        client_cert: Some(tls.client_cert.clone()),
        client_key: Some(tls.client_key.clone()),
        ..DeliveryConfig::new(&rx.url)
    };
    let client = delivery::client(&cfg).unwrap();
    let outcome = rt().block_on(delivery::deliver(&client, &cfg, &carried_id, &genuine(&carried_id)));
    assert_eq!(outcome, Outcome::Delivered);
    drop(rx);

    let rows = madoguchi::backend::store::with_store(db, |s| s.list(false)).unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for id in [&carried_id, &posted_id] {
        let mine: Vec<_> = rows.iter().filter(|r| &r.idempotency_key == id).collect();
        assert_eq!(mine.len(), 1, "{id}: {rows:?}");
        assert_eq!((mine[0].status, mine[0].proven), (200, true), "{id}: {rows:?}");
    }
}
both_stores!(a_rejection_that_proves_nothing_does_not_hold_the_id);

/// The CRL and the trusted CAs over a receiver's life, through signals only (the file watch is
/// off): a record from a CA not yet trusted goes to review; SIGHUP with the CA and a stale CRL
/// → CRL_STALE (503, Retry-After), never 200, and /readyz says not ready; SIGHUP with a fresh
/// CRL → REVOKED (Code 23); `outbox retry` of the reviewed record → accepted. /metrics counts
/// it all, and the request log has one JSON line per request without personal data.
fn sighup_reloads_crls_and_cas_and_metrics_and_logs_follow(dir: &Path, db: &StoreLocation) {
    let pki = TestPki::generate().unwrap();
    // The revoked card's record, sent by hand; yamada's through a station.
    let loose = StationStore::open(dir.join("loose.sqlite3"), 10, "s1", "t", "terms", None, None).unwrap();
    let (revoked_id, revoked) = enroll_json(&loose, &pki, "revoked");
    let revoked_body = serde_json::to_vec(&revoked).unwrap();
    let revoked_cert = {
        let der = madoguchi::record::payload::unb64(revoked["signing_certificate"].as_str().unwrap()).unwrap();
        openssl::x509::X509::from_der(&der).unwrap()
    };
    let outbox_db = dir.join("outbox.sqlite3");
    let store = StationStore::open(outbox_db.clone(), 10, "s1", "t", "terms", None, None).unwrap();
    let (yamada_id, _) = enroll_json(&store, &pki, "yamada");
    drop(store);

    // At first it trusts only the authentication CA, and has no CRL yet.
    let trust = dir.join("trust.pem");
    std::fs::write(&trust, pki.auth_ca.cert.to_pem().unwrap()).unwrap();
    let crls = dir.join("crls");
    std::fs::create_dir_all(&crls).unwrap();
    let rx = ReceiverBin::start(&[
        "--db".as_ref(),
        db.as_os_str(),
        "--trust-ca".as_ref(),
        trust.as_os_str(),
        "--crl".as_ref(),
        crls.as_os_str(),
        "--crl-watch".as_ref(),
        "0".as_ref(),
    ] as &[&std::ffi::OsStr]);
    let enrollments = format!("{}/v1/enrollments", rx.url);
    let cfg = support::station::delivering(dir, &rx.url, &outbox_db);
    let (_, out, _) = support::cli::outbox(&cfg, &["flush"]);
    assert!(out.contains("delivered 0, review 1"), "{out}");
    let (_, list, _) = support::cli::outbox(&cfg, &["list"]);
    assert!(list.contains("UNSUPPORTED_CERTIFICATE"), "{list}");
    // The rejection is remembered for review, but it proved nothing of its sender (no client
    // certificate, no signature checked): another body under that key is verified in its
    // place, not refused as a reuse (here it names another id: 400, nothing stored).
    let (status, _, body) = request(&enrollments, Some(&yamada_id), Some(&revoked_body));
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        json(&body)["error"],
        "Idempotency-Key must equal enrollment_id",
        "{body}"
    );

    // The signing CA added, with a CRL past its nextUpdate + grace (24 h).
    let now = unix_ms() / 1000;
    let mut cas = pki.auth_ca.cert.to_pem().unwrap();
    cas.extend(pki.sign_ca.cert.to_pem().unwrap());
    std::fs::write(&trust, cas).unwrap();
    let stale = pki
        .signing_crl_dated(&[revoked_cert.serial_number()], now - 10 * DAY, now - 2 * DAY)
        .unwrap();
    std::fs::write(crls.join("sign.crl"), stale.to_pem().unwrap()).unwrap();
    rx.signal(libc::SIGHUP);
    assert!(
        rx.wait_line("SIGHUP: 2 trusted CA(s), 1 CRL(s)", Duration::from_secs(10))
            .is_some(),
        "{:?}",
        rx.lines()
    );
    let (status, retry, body) = request(&format!("{}/readyz", rx.url), None, None);
    assert_eq!(
        (status, json(&body)["result"].as_str()),
        (503, Some("CRL_STALE")),
        "{body}"
    );
    assert!(retry.is_some());
    let (status, retry, body) = request(&enrollments, Some(&revoked_id), Some(&revoked_body));
    assert_eq!(
        (status, json(&body)["result"].as_str()),
        (503, Some("CRL_STALE")),
        "{body}"
    );
    assert_eq!(retry.as_deref(), Some("300"));

    // A fresh CRL in place; without SIGHUP (the watch is off) nothing changes…
    let fresh = pki.signing_crl(&[revoked_cert.serial_number()]).unwrap();
    std::fs::write(crls.join("sign.crl"), fresh.to_pem().unwrap()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(request(&enrollments, Some(&revoked_id), Some(&revoked_body)).0, 503);
    // …after it, the certificate is revoked (Code 23).
    rx.signal(libc::SIGHUP);
    assert!(rx
        .wait_lines("SIGHUP: 2 trusted CA(s), 1 CRL(s)", 2, Duration::from_secs(10))
        .is_some());
    let (status, _, body) = request(&format!("{}/readyz", rx.url), None, None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["crls"][0]["fresh"], true);
    let (status, _, body) = request(&enrollments, Some(&revoked_id), Some(&revoked_body));
    let v = json(&body);
    assert_eq!(
        (status, v["result"].as_str(), v["vendor_code"].as_u64()),
        (422, Some("CERTIFICATE_REVOKED"), Some(23))
    );

    // The operator puts the reviewed record back: now accepted.
    let (code, _, _) = support::cli::outbox(&cfg, &["retry", &yamada_id]);
    assert_eq!(code, 0);
    let (_, out, _) = support::cli::outbox(&cfg, &["flush"]);
    assert!(out.contains("delivered 1, review 0"), "{out}");

    // A reload that fails keeps what is in use.
    std::fs::write(crls.join("junk.crl"), b"not a crl").unwrap();
    rx.signal(libc::SIGHUP);
    assert!(rx.wait_line("what was in use stays", Duration::from_secs(10)).is_some());
    assert_eq!(request(&format!("{}/readyz", rx.url), None, None).0, 200);

    let (status, _, text) = request(&format!("{}/metrics", rx.url), None, None);
    assert_eq!(status, 200);
    for line in [
        "madoguchi_receiver_requests_total{status=\"422\",result=\"UNSUPPORTED_CERTIFICATE\"} 1",
        "madoguchi_receiver_requests_total{status=\"503\",result=\"CRL_STALE\"} 2",
        "madoguchi_receiver_requests_total{status=\"422\",result=\"CERTIFICATE_REVOKED\"} 1",
        "madoguchi_receiver_requests_total{status=\"200\",result=\"OK\"} 1",
        "madoguchi_receiver_requests_total{status=\"400\",result=\"INVALID_REQUEST\"} 1",
        "madoguchi_receiver_records_stored_total{status=\"accepted\"} 1",
        "madoguchi_receiver_verify_seconds_count 6",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?}:\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("madoguchi_receiver_crl_age_seconds{issuer=\"") && l.contains("JPKI")),
        "{text}"
    );

    // One JSON line per enrollment request: id, station, status, result, latency.
    let log = rx.requests();
    assert_eq!(log.len(), 6, "{log:?}");
    for l in &log {
        assert!(
            l["ts"].is_string() && l["ms"].is_number() && l["status"].is_u64(),
            "{l}"
        );
        assert_eq!(l["station"], "s1");
    }
    assert!(log
        .iter()
        .any(|l| l["id"] == yamada_id.as_str() && l["result"] == "OK" && l["disposition"] == "stored"));
    assert_no_personal_data(&(rx.lines().join("\n") + &text), &["yamada", "revoked"]);
}
both_stores!(sighup_reloads_crls_and_cas_and_metrics_and_logs_follow);

/// SIGTERM: a request in flight is answered, new connections are refused at once, and the
/// process exits 0. (The receiver runs from a config file alone.)
#[test]
fn sigterm_answers_the_request_in_flight_and_refuses_new_connections() {
    use std::io::{Read, Write};
    let dir = tmp("sigterm");
    let pki = TestPki::generate().unwrap();
    let store = StationStore::open(dir.join("outbox.sqlite3"), 10, "s1", "t", "terms", None, None).unwrap();
    let (id, payload) = enroll_json(&store, &pki, "yamada");
    let body = serde_json::to_vec(&payload).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pki.sign_ca.cert.to_pem().unwrap()).unwrap();
    // Started from a config file's [receiver] section (the flags would override it).
    let config = dir.join("receiver.toml");
    std::fs::write(
        &config,
        format!(
            "[receiver]\ndatabase_url = \"{}\"\ntrust_ca = \"{}\"\nno_crl = true\n",
            dir.join("receiver.sqlite3").display(),
            ca.display()
        ),
    )
    .unwrap();
    let mut rx = ReceiverBin::start(&["--config".as_ref(), config.as_os_str()] as &[&std::ffi::OsStr]);
    let addr = rx.url.trim_start_matches("http://").to_string();
    // Headers and half the body sent: the request is in flight.
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "POST /v1/enrollments HTTP/1.1\r\nHost: x\r\nIdempotency-Key: {id}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    let half = body.len() / 2;
    s.write_all(&body[..half]).unwrap();
    s.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    rx.signal(libc::SIGTERM);
    assert!(
        rx.wait_line("stopping", Duration::from_secs(5)).is_some(),
        "{:?}",
        rx.lines()
    );
    // New connections are refused (the listener is closed).
    let refused = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        std::net::TcpStream::connect(&addr).is_err()
    });
    assert!(refused, "a new connection was still accepted after SIGTERM");
    assert!(
        rx.wait_exit(Duration::from_millis(200)).is_none(),
        "it waits for the request in flight"
    );
    s.write_all(&body[half..]).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    let status = rx
        .wait_exit(Duration::from_secs(10))
        .expect("exits after the request in flight");
    assert_eq!(status.code(), Some(0));
    assert_eq!(receiver::accepted_count(&dir.join("receiver.sqlite3")).unwrap(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A database password on the command line (visible in `ps`) is refused, and not echoed.
#[test]
fn a_database_url_with_a_password_is_refused_on_the_command_line() {
    let dir = tmp("db-password");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, b"").unwrap();
    let url = "postgres://rx:s3cretPW@127.0.0.1:1/records";
    for args in [
        vec!["receive", "list", "--db", url],
        vec![
            "receive",
            "--listen",
            "127.0.0.1:0",
            "--db",
            url,
            "--trust-ca",
            ca.to_str().unwrap(),
            "--no-crl",
        ],
        vec![
            "receive",
            "import",
            "--create",
            "--db",
            url,
            "--trust-ca",
            ca.to_str().unwrap(),
            "--no-crl",
            "x.jsonl",
        ],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains("pgpass"), "{args:?}: {err}");
        assert!(!(out + &err).contains("s3cretPW"), "{args:?}: echoed");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--ops-listen`: probes and Prometheus reach /healthz, /readyz and /metrics over plain HTTP
/// while the main listener wants a station's client certificate; nothing else is served
/// there, and it stops with the receiver.
#[test]
fn the_operations_listener_serves_health_and_metrics_only() {
    let dir = tmp("ops-listen");
    let tls = receiver::LoopbackTls::create(&dir.join("tls"), "s1").unwrap();
    let rx = ReceiverBin::start(&[
        "--db".as_ref(),
        dir.join("receiver.sqlite3").as_os_str(),
        "--trust-ca".as_ref(),
        tls.ca.as_os_str(),
        "--no-crl".as_ref(),
        "--tls-cert".as_ref(),
        tls.server_cert.as_os_str(),
        "--tls-key".as_ref(),
        tls.server_key.as_os_str(),
        "--client-ca".as_ref(),
        tls.ca.as_os_str(),
        "--ops-listen".as_ref(),
        "127.0.0.1:0".as_ref(),
    ] as &[&std::ffi::OsStr]);
    let line = rx
        .wait_line(
            "operations (healthz, readyz, metrics) on http://",
            Duration::from_secs(10),
        )
        .unwrap_or_else(|| panic!("{:?}", rx.lines()));
    let ops = line.rsplit(' ').next().unwrap().to_string();
    let (status, _, text) = request(&format!("{ops}/metrics"), None, None);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("madoguchi_receiver_uptime_seconds"), "{text}");
    let (status, _, body) = request(&format!("{ops}/readyz"), None, None);
    assert_eq!((status, json(&body)["result"].as_str()), (200, Some("OK")), "{body}");
    assert_eq!(request(&format!("{ops}/healthz"), None, None).0, 200);
    // Records go only to the main listener.
    let (status, _, body) = request(&format!("{ops}/v1/enrollments"), Some("k-1"), Some(b"{}"));
    assert_eq!(status, 404, "{body}");
    assert_eq!(json(&body)["result"], "NOT_FOUND", "{body}");
    // The main listener wants a client certificate (plain HTTP is not even TLS there).
    let main = rx.url.replace("http://", "https://");
    let rt = rt();
    let refused = rt.block_on(async {
        let ca = reqwest::Certificate::from_pem(&std::fs::read(&tls.ca).unwrap()).unwrap();
        let c = reqwest::Client::builder().add_root_certificate(ca).build().unwrap();
        c.get(format!("{main}/metrics")).send().await.is_err()
    });
    assert!(refused, "no client certificate, no metrics on the main listener");
    rx.signal(libc::SIGTERM);
    assert!(rx.wait_line("stopped", Duration::from_secs(20)).is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

/// In a process that lives on (a receiver embedded in another program, the tests): the
/// operations listener stops with the receiver.
#[test]
fn the_operations_listener_stops_with_the_receiver() {
    let dir = tmp("ops-stop");
    let rx = support::receiver::spawn(
        receiver::ReceiverConfig {
            db: dir.join("receiver.sqlite3").into(),
            ..Default::default()
        },
        None,
    );
    let ops = receiver::spawn_ops("127.0.0.1:0", &rx.control()).unwrap();
    let (status, _, text) = request(&format!("http://{ops}/metrics"), None, None);
    assert_eq!(status, 200, "{text}");
    rx.control().shutdown();
    rx.wait();
    assert!(
        std::net::TcpStream::connect(ops).is_err(),
        "the operations listener stopped with the receiver"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// GET `url` with a client timeout: Some(status) when answered within `within`.
fn get_within(url: &str, within: Duration) -> Option<u16> {
    rt().block_on(async {
        let c = reqwest::Client::builder().timeout(within).build().unwrap();
        c.get(url).send().await.ok().map(|r| r.status().as_u16())
    })
}

/// Sockets that connect to the operations port and say nothing (or ask /readyz all the time)
/// do not starve /healthz (issue #23 item 4): liveness never waits for readiness or the
/// database, idle sockets are closed within seconds, and slots are many. A listener off
/// loopback is said at start (it asks no one who they are).
#[test]
fn idle_sockets_on_the_operations_port_do_not_starve_liveness() {
    use std::io::Read;
    let dir = tmp("ops-idle");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, TestPki::generate().unwrap().sign_ca.cert.to_pem().unwrap()).unwrap();
    let start = |ops: &str| {
        ReceiverBin::start(&[
            "--db".as_ref(),
            dir.join("receiver.sqlite3").as_os_str(),
            "--trust-ca".as_ref(),
            ca.as_os_str(),
            "--no-crl".as_ref(),
            "--ops-listen".as_ref(),
            ops.as_ref(),
        ] as &[&std::ffi::OsStr])
    };
    let rx = start("127.0.0.1:0");
    let line = rx
        .wait_line(
            "operations (healthz, readyz, metrics) on http://",
            Duration::from_secs(10),
        )
        .unwrap_or_else(|| panic!("{:?}", rx.lines()));
    let ops = line.rsplit(' ').next().unwrap().to_string();
    assert!(
        !rx.lines().iter().any(|l| l.contains("not on loopback")),
        "{:?}",
        rx.lines()
    );
    let addr = ops.trim_start_matches("http://").to_string();
    // Four times as many silent sockets as the listener used to serve at once.
    let idle: Vec<std::net::TcpStream> = (0..16).map(|_| std::net::TcpStream::connect(&addr).unwrap()).collect();
    // A load balancer asking /readyz without pause, four at a time.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let pollers: Vec<_> = (0..4)
        .map(|_| {
            let (stop, url) = (std::sync::Arc::clone(&stop), format!("{ops}/readyz"));
            std::thread::spawn(move || {
                rt().block_on(async {
                    let c = reqwest::Client::builder()
                        .timeout(Duration::from_secs(10))
                        .build()
                        .unwrap();
                    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                        let _ = c.get(&url).send().await;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                })
            })
        })
        .collect();
    let mut answered = Vec::new();
    for _ in 0..20 {
        answered.push(get_within(&format!("{ops}/healthz"), Duration::from_secs(1)));
        std::thread::sleep(Duration::from_millis(250));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for p in pollers {
        p.join().unwrap();
    }
    assert!(
        answered.iter().all(|a| *a == Some(200)),
        "/healthz beside idle sockets: {answered:?}"
    );
    // The silent sockets were closed by the receiver (well within the test's 5 s).
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut b = [0u8; 1];
        assert!(matches!(s.read(&mut b), Ok(0) | Err(_)), "an idle socket is still open");
    }
    drop(rx);

    // Off loopback: said at start.
    let rx = start("0.0.0.0:0");
    assert!(
        rx.wait_line("not on loopback", Duration::from_secs(10)).is_some(),
        "{:?}",
        rx.lines()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
