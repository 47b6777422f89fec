//! Sealed records as JWE (RFC 7516): opened by a stock JOSE library outside this project
//! (Debian's python3-jwcrypto), a jwcrypto JWE opened by our receiver, tampering and moving
//! refused with a JSON result, seal-key rotation with UNKNOWN_KEY in review until the key is
//! back, and the first release's envelope still opened.

mod support;

use support::card::enroll_json;
use support::records::post_record;

use madoguchi::backend::delivery::{self, DeliveryConfig};
use madoguchi::backend::jwe;
use madoguchi::backend::outbox::{Outbox, Status};
use madoguchi::backend::receiver::{self, ReceiverConfig};
use madoguchi::backend::station::StationStore;
use madoguchi::card::vcard::pki::TestPki;
use openssl::pkey::{PKey, Private, Public};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::tmp;

const PYTHON: &str = "/usr/bin/python3";

fn pair() -> (PKey<Private>, PKey<Public>) {
    let private = PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
    let public = PKey::public_key_from_pem(&private.public_key_to_pem().unwrap()).unwrap();
    (private, public)
}

/// jwcrypto available? Skips visibly, or fails under CI (.ci/run installs python3-jwcrypto).
fn jwcrypto() -> bool {
    let ok = Command::new(PYTHON)
        .args(["-c", "import jwcrypto.jwe"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3-jwcrypto missing: CI must run this (see .ci/run)"
        );
        support::skipped("python3-jwcrypto is not installed (apt-get install python3-jwcrypto)");
    }
    ok
}

fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new(PYTHON).arg("-c").arg(script).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn store(dir: &Path, key: Option<PKey<Public>>, station: &str) -> StationStore {
    StationStore::open(dir.join("outbox.sqlite3"), 100, station, "t", "terms", key, None).unwrap()
}

fn receiver(dir: &Path, pki: &TestPki, keys: Vec<PKey<Private>>) -> receiver::ReceiverHandle {
    support::receiver::spawn(
        ReceiverConfig {
            seal_keys: keys,
            ..support::receiver::config(dir.join("receiver.sqlite3"), &pki.sign_ca.cert)
        },
        None,
    )
}

fn flush(outbox: &mut Outbox, url: &str) {
    let cfg = DeliveryConfig::new(url);
    let client = delivery::client(&cfg).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(delivery::flush(outbox, &client, &cfg, &|_, _| {})).unwrap();
}

#[test]
fn a_stock_jose_library_opens_our_records_and_we_open_its() {
    if !jwcrypto() {
        return;
    }
    let dir = tmp("python");
    let pki = TestPki::generate().unwrap();
    let (private, public) = pair();
    std::fs::write(dir.join("seal.key"), private.private_key_to_pem_pkcs8().unwrap()).unwrap();
    std::fs::write(dir.join("seal.pub"), public.public_key_to_pem().unwrap()).unwrap();
    let s = store(&dir, Some(public), "counter-01");
    let (id, payload) = enroll_json(&s, &pki, "yamada");
    let body: Value = serde_json::from_slice(
        &Outbox::open(&dir.join("outbox.sqlite3"), 100)
            .unwrap()
            .body(&id)
            .unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("record.jwe"), body["jwe"].as_str().unwrap()).unwrap();
    // 1. jwcrypto opens the station's record: same payload, header bound to the record.
    let opened = python(
        "import json,sys\nfrom jwcrypto import jwe, jwk\nk=jwk.JWK.from_pem(open(sys.argv[1],'rb').read())\nt=jwe.JWE()\nt.deserialize(open(sys.argv[2]).read(), key=k)\nh=t.jose_header\nprint(json.dumps({'payload': json.loads(t.payload), 'kid': h['kid'], 'enrollment_id': h['enrollment_id'], 'station_id': h['station_id'], 'alg': h['alg'], 'enc': h['enc']}))",
        &[dir.join("seal.key").to_str().unwrap(), dir.join("record.jwe").to_str().unwrap()],
    );
    let opened: Value = serde_json::from_str(&opened).unwrap();
    assert_eq!(opened["payload"], payload, "the plaintext is the payload");
    assert_eq!(opened["enrollment_id"], id.as_str());
    assert_eq!(opened["station_id"], "counter-01");
    assert_eq!(
        (opened["alg"].as_str(), opened["enc"].as_str()),
        (Some("RSA-OAEP-256"), Some("A256GCM"))
    );
    assert_eq!(opened["kid"].as_str().unwrap(), jwe::thumbprint(&private).unwrap());
    // jwcrypto's own thumbprint of the key agrees with ours (RFC 7638).
    let kid = python(
        "import sys\nfrom jwcrypto import jwk\nprint(jwk.JWK.from_pem(open(sys.argv[1],'rb').read()).thumbprint())",
        &[dir.join("seal.pub").to_str().unwrap()],
    );
    assert_eq!(kid.trim(), jwe::thumbprint(&private).unwrap());

    // 2. A JWE made by jwcrypto for our public key opens in our receiver.
    let rx = receiver(&dir, &pki, vec![private]);
    std::fs::write(dir.join("inner.json"), serde_json::to_vec(&payload).unwrap()).unwrap();
    let compact = python(
        "import json,sys\nfrom jwcrypto import jwe, jwk\nk=jwk.JWK.from_pem(open(sys.argv[1],'rb').read())\nh={'alg':'RSA-OAEP-256','enc':'A256GCM','kid':k.thumbprint(),'cty':'application/json','enrollment_id':sys.argv[3],'station_id':'counter-01'}\nt=jwe.JWE(open(sys.argv[2],'rb').read(), protected=json.dumps(h))\nt.add_recipient(k)\nprint(t.serialize(compact=True))",
        &[dir.join("seal.pub").to_str().unwrap(), dir.join("inner.json").to_str().unwrap(), &id],
    );
    // Same record id as the station's: the receiver opens it and finds the same record.
    let wire = serde_json::json!({"schema": "madoguchi.enrollment.v1", "enrollment_id": id, "station_id": "counter-01", "jwe": compact.trim()});
    let (status, _, answer) = post_record(&rx.url(false), &id, &serde_json::to_vec(&wire).unwrap());
    assert_eq!((status, answer["result"].as_str()), (200, Some("OK")), "{answer}");
    rx.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// RFC 7516 §4.1.13: a `crit` the receiver does not understand must be refused, and so is
/// `zip` (a compressed plaintext) and any parameter it does not know — each named in a JSON
/// answer, nothing stored. jwcrypto makes the JWEs, as a sender's JOSE library would.
#[test]
fn header_parameters_not_understood_are_refused_by_name() {
    if !jwcrypto() {
        return;
    }
    let dir = tmp("crit");
    let pki = TestPki::generate().unwrap();
    let (private, public) = pair();
    std::fs::write(dir.join("seal.pub"), public.public_key_to_pem().unwrap()).unwrap();
    let s = store(&dir, Some(public), "counter-01");
    let (id, payload) = enroll_json(&s, &pki, "yamada");
    std::fs::write(dir.join("inner.json"), serde_json::to_vec(&payload).unwrap()).unwrap();
    let rx = receiver(&dir, &pki, vec![private]);
    for (extra, named) in [
        (r#"{"crit": ["exp"], "exp": 1}"#, "crit"),
        (r#"{"zip": "DEF"}"#, "zip"),
        (r#"{"x5u": "https://attacker.example/"}"#, "x5u"),
    ] {
        let compact = python(
            "import json,sys\nfrom jwcrypto import jwe, jwk\nk=jwk.JWK.from_pem(open(sys.argv[1],'rb').read())\nh={'alg':'RSA-OAEP-256','enc':'A256GCM','kid':k.thumbprint(),'cty':'application/json','enrollment_id':sys.argv[3],'station_id':'counter-01'}\nh.update(json.loads(sys.argv[4]))\nt=jwe.JWE(open(sys.argv[2],'rb').read(), protected=json.dumps(h))\nt.add_recipient(k)\nprint(t.serialize(compact=True))",
            &[
                dir.join("seal.pub").to_str().unwrap(),
                dir.join("inner.json").to_str().unwrap(),
                &id,
                extra,
            ],
        );
        let wire = serde_json::json!({"schema": "madoguchi.enrollment.v1", "enrollment_id": id, "station_id": "counter-01", "jwe": compact.trim()});
        let (status, _, answer) = post_record(&rx.url(false), &id, &serde_json::to_vec(&wire).unwrap());
        assert_eq!(
            (status, answer["result"].as_str()),
            (400, Some("INVALID_REQUEST")),
            "{extra}: {answer}"
        );
        assert!(
            answer["error"].as_str().unwrap_or_default().contains(named),
            "{extra}: the parameter is named: {answer}"
        );
    }
    assert_eq!(receiver::accepted_count(&dir.join("receiver.sqlite3")).unwrap(), 0);
    rx.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tampered_or_moved_envelopes_are_refused_with_json() {
    let dir = tmp("tamper");
    let pki = TestPki::generate().unwrap();
    let (private, public) = pair();
    let s = store(&dir, Some(public), "counter-01");
    let (id, _) = enroll_json(&s, &pki, "yamada");
    let body: Value = serde_json::from_slice(
        &Outbox::open(&dir.join("outbox.sqlite3"), 100)
            .unwrap()
            .body(&id)
            .unwrap(),
    )
    .unwrap();
    let compact = body["jwe"].as_str().unwrap().to_string();
    let rx = receiver(&dir, &pki, vec![private]);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let parts: Vec<&str> = compact.split('.').collect();
    for (i, what) in ["header", "encrypted key", "IV", "ciphertext", "tag"]
        .iter()
        .enumerate()
    {
        let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
        let mut bytes = b64.decode(&p[i]).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x01;
        p[i] = b64.encode(&bytes);
        let mut w = body.clone();
        w["jwe"] = Value::String(p.join("."));
        let (status, _, answer) = post_record(&rx.url(false), &id, &serde_json::to_vec(&w).unwrap());
        assert!((400..500).contains(&status), "{what}: {status} {answer}");
        assert!(answer["result"].is_string(), "{what}: a JSON result: {answer}");
        assert_ne!(answer["result"], "OK");
    }
    // Moved to another enrollment id (outer body and key changed, envelope kept).
    let other = uuid::Uuid::now_v7().to_string();
    let mut w = body.clone();
    w["enrollment_id"] = Value::String(other.clone());
    let (status, _, answer) = post_record(&rx.url(false), &other, &serde_json::to_vec(&w).unwrap());
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["result"], "INVALID_REQUEST");
    assert_eq!(receiver::accepted_count(&dir.join("receiver.sqlite3")).unwrap(), 0);
    // The untouched record is accepted.
    let (status, _, answer) = post_record(&rx.url(false), &id, &serde_json::to_vec(&body).unwrap());
    assert_eq!(status, 200, "{answer}");
    rx.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn seal_key_rotation_and_unknown_keys_wait_in_review() {
    let dir = tmp("rotate");
    let pki = TestPki::generate().unwrap();
    let (a_private, a_public) = pair();
    let (b_private, b_public) = pair();
    // Three records under key A, then the station switches to key B for three more.
    let s = store(&dir, Some(a_public), "counter-01");
    let a_ids: Vec<String> = (0..3).map(|_| enroll_json(&s, &pki, "yamada").0).collect();
    drop(s);
    let s = store(&dir, Some(b_public), "counter-01");
    let b_ids: Vec<String> = (0..3).map(|_| enroll_json(&s, &pki, "yamada").0).collect();
    drop(s);
    let mut outbox = Outbox::open(&dir.join("outbox.sqlite3"), 100).unwrap();
    let kid_of = |o: &Outbox, id: &str| {
        let b: Value = serde_json::from_slice(&o.body(id).unwrap()).unwrap();
        jwe::peek_header(b["jwe"].as_str().unwrap()).unwrap().kid
    };
    assert!(a_ids
        .iter()
        .all(|i| kid_of(&outbox, i) == jwe::thumbprint(&a_private).unwrap()));
    assert!(b_ids
        .iter()
        .all(|i| kid_of(&outbox, i) == jwe::thumbprint(&b_private).unwrap()));

    // A receiver with A and B accepts all six.
    let both = dir.join("both");
    std::fs::create_dir_all(&both).unwrap();
    let rx = receiver(&both, &pki, vec![a_private.clone(), b_private.clone()]);
    for id in a_ids.iter().chain(&b_ids) {
        let (status, _, answer) = post_record(&rx.url(false), id, &outbox.body(id).unwrap());
        assert_eq!(status, 200, "{answer}");
    }
    assert_eq!(receiver::accepted_count(&both.join("receiver.sqlite3")).unwrap(), 6);
    rx.stop();

    // A receiver with only B: the A records go to review as UNKNOWN_KEY, never dropped.
    let only_b = dir.join("only-b");
    std::fs::create_dir_all(&only_b).unwrap();
    let rx = receiver(&only_b, &pki, vec![b_private.clone()]);
    flush(&mut outbox, &rx.url(false));
    for r in outbox.list().unwrap() {
        if a_ids.contains(&r.id) {
            assert_eq!(r.status, Status::Review, "{}", r.id);
            assert!(
                r.last_error.as_deref().unwrap_or_default().contains("UNKNOWN_KEY"),
                "{:?}",
                r.last_error
            );
        } else {
            assert_eq!(r.status, Status::Delivered);
        }
    }
    rx.stop();
    // Key A added back: `outbox retry` and the reviewed records are accepted.
    let rx = receiver(&only_b, &pki, vec![b_private, a_private]);
    for id in &a_ids {
        outbox.retry(id).unwrap();
    }
    flush(&mut outbox, &rx.url(false));
    assert!(outbox.list().unwrap().iter().all(|r| r.status == Status::Delivered));
    assert_eq!(receiver::accepted_count(&only_b.join("receiver.sqlite3")).unwrap(), 6);
    rx.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_first_release_envelope_still_opens() {
    let dir = tmp("legacy");
    let pki = TestPki::generate().unwrap();
    let (private, public) = pair();
    // A record as the first release queued it: the payload sealed in the old envelope.
    let s = store(&dir, None, "counter-01");
    let (id, payload) = enroll_json(&s, &pki, "yamada");
    let env = madoguchi::backend::seal::seal(&public, &id, &serde_json::to_vec(&payload).unwrap()).unwrap();
    let wire = serde_json::json!({"schema": "madoguchi.enrollment.v1", "enrollment_id": id, "station_id": "counter-01", "sealed": env});
    let rx = receiver(&dir, &pki, vec![pair().0, private]);
    let (status, _, answer) = post_record(&rx.url(false), &id, &serde_json::to_vec(&wire).unwrap());
    assert_eq!((status, answer["result"].as_str()), (200, Some("OK")), "{answer}");
    rx.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diagnose_shows_the_kid_records_are_sealed_to() {
    let dir = tmp("diagnose");
    let (private, public) = pair();
    std::fs::write(dir.join("seal.pub"), public.public_key_to_pem().unwrap()).unwrap();
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!("[backend]\npublic_key = \"{}\"\n", dir.join("seal.pub").display()),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["--config", cfg.to_str().unwrap(), "diagnose", "--json", "--no-probe"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["station"]["seal_kid"].as_str(),
        Some(jwe::thumbprint(&private).unwrap().as_str()),
        "{v}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
