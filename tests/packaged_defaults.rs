//! The receiver as the Debian package runs it (issue #25 item 12): the unit's `ExecStart` with
//! the shipped `/etc/default/madoguchi-receiver`, its paths moved into a test directory. A
//! child's record — `card-authenticated`, no signing certificate — is accepted with those
//! defaults over HTTPS from a bound station, and by `receive import` of a file the station
//! signed; an `unauthenticated` one is refused.

mod support;

use madoguchi::backend::receiver::{self, LoopbackTls};
use madoguchi::backend::station::StationStore;
use std::collections::HashMap;
use std::path::Path;
use support::card::{enroll_child, pki};
use support::receiver_bin::ReceiverBin;
use support::records::{post_record_as, unsigned_record, Challenger};
use support::tmp;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The shipped environment file's variables (shell-style `NAME=value`, `"…"` quoting).
fn shipped_env() -> HashMap<String, String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("pkg/madoguchi-receiver.default")).unwrap();
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        .collect()
}

/// The unit's `ExecStart` arguments after the binary, expanded as systemd does: `${NAME}` one
/// word, `$NAME` split on spaces (empty: nothing).
fn exec_start(env: &HashMap<String, String>) -> Vec<String> {
    let unit = std::fs::read_to_string(Path::new(ROOT).join("pkg/systemd/madoguchi-receiver.service")).unwrap();
    let line = unit.lines().find(|l| l.starts_with("ExecStart=")).unwrap();
    let mut args = Vec::new();
    for word in line.trim_start_matches("ExecStart=").split_whitespace().skip(1) {
        if let Some(name) = word.strip_prefix('$').filter(|n| !n.starts_with('{')) {
            // $NAME: split into words, none when empty.
            args.extend(
                env.get(name)
                    .map(|v| v.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                    .unwrap_or_default(),
            );
        } else {
            // ${NAME} anywhere in a word: one word.
            let mut w = word.to_string();
            while let Some(start) = w.find("${") {
                let end = start + w[start..].find('}').unwrap();
                let value = env.get(&w[start + 2..end]).cloned().unwrap_or_default();
                w.replace_range(start..=end, &value);
            }
            args.push(w);
        }
    }
    args
}

#[test]
fn a_childs_record_passes_the_packaged_defaults_by_https_and_by_import() {
    let dir = tmp("packaged");
    let (etc, var, creds) = (dir.join("etc"), dir.join("var"), dir.join("creds"));
    for d in [&etc, &var, &creds] {
        std::fs::create_dir_all(d).unwrap();
    }
    // The files the guide installs, made here: the test PKI's CAs and CRLs, a station CA.
    let tls = LoopbackTls::create(&dir.join("tls"), "counter-01").unwrap();
    let now = madoguchi::time::unix_ms() / 1000;
    let crl = |ca: &madoguchi::card::vcard::pki::Ca| {
        madoguchi::card::vcard::pki::crl_of(&ca.cert, &ca.key, &[], now - 3600, now + 7 * 86_400)
            .unwrap()
            .to_der()
            .unwrap()
    };
    std::fs::write(etc.join("trust-ca.pem"), pki().sign_ca.cert.to_pem().unwrap()).unwrap();
    std::fs::write(etc.join("jpki-sign.crl"), crl(&pki().sign_ca)).unwrap();
    std::fs::write(etc.join("auth-ca.pem"), pki().auth_ca.cert.to_pem().unwrap()).unwrap();
    std::fs::write(etc.join("jpki-auth.crl"), crl(&pki().auth_ca)).unwrap();
    std::fs::copy(&tls.ca, etc.join("station-ca.pem")).unwrap();
    std::fs::copy(&tls.server_cert, etc.join("tls-cert.pem")).unwrap();
    std::fs::copy(&tls.server_key, creds.join("tls-key.pem")).unwrap();
    let seal = openssl::rsa::Rsa::generate(2048).unwrap();
    std::fs::write(creds.join("seal-key.pem"), seal.private_key_to_pem().unwrap()).unwrap();

    // The shipped defaults, their paths moved here.
    let mut env: HashMap<String, String> = shipped_env()
        .into_iter()
        .map(|(k, v)| {
            let v = v
                .replace("/etc/madoguchi-receiver/", &format!("{}/", etc.display()))
                .replace("/var/lib/madoguchi-receiver/", &format!("{}/", var.display()));
            (k, v)
        })
        .collect();
    assert!(
        env.contains_key("MADOGUCHI_AUTH"),
        "the package configures the 利用者証明用 CA"
    );
    env.insert("MADOGUCHI_LISTEN".into(), "127.0.0.1:0".into());
    env.insert("CREDENTIALS_DIRECTORY".into(), creds.display().to_string());
    let args = exec_start(&env);
    assert_eq!(args.first().map(String::as_str), Some("receive"));
    // ReceiverBin adds `receive --listen 127.0.0.1:0`: the rest as the unit has it.
    let mut rest: Vec<&str> = Vec::new();
    let mut it = args.iter().skip(1).map(String::as_str);
    while let Some(a) = it.next() {
        if a == "--listen" {
            it.next();
        } else {
            rest.push(a);
        }
    }
    let rx = ReceiverBin::start(&rest);

    // Over HTTPS from the bound station: accepted card-authenticated.
    let mut child = Challenger::new(pki(), "yoshino");
    let id1 = "0193f000-0000-7000-8000-000000000101";
    let (s, _, v) = post_record_as(&tls, &rx.url, id1, &child.record("counter-01", id1));
    assert_eq!((s, v["assurance"].as_str()), (200, Some("card-authenticated")), "{v}");
    // A record that proves no card: refused with the packaged defaults.
    let id2 = "0193f000-0000-7000-8000-000000000102";
    let (s, _, v) = post_record_as(&tls, &rx.url, id2, &unsigned_record("counter-01", id2));
    assert_eq!((s, v["result"].as_str()), (403, Some("FORBIDDEN")), "{v}");

    // By import: a field laptop's signed export, with the same material.
    let station = dir.join("laptop");
    std::fs::create_dir_all(&station).unwrap();
    let outbox = station.join("outbox.sqlite3");
    let store = StationStore::open(outbox.clone(), 100, "counter-01", "terms-1", "terms", None, None).unwrap();
    let id3 = enroll_child(&store);
    drop(store);
    let cfg = station.join("station.toml");
    std::fs::write(
        &cfg,
        format!(
            "station_id = \"counter-01\"\n[backend]\nurl = \"https://127.0.0.1:9/\"\nseal = false\noutbox = \"{}\"\nclient_cert = \"{}\"\nclient_key = \"{}\"\n",
            outbox.display(),
            tls.client_cert.display(),
            tls.client_key.display()
        ),
    )
    .unwrap();
    let file = station.join("carried.jsonl");
    let (code, out, err) = support::cli::outbox(&cfg, &["export", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let db = env["MADOGUCHI_DB"].clone();
    let (code, out, err) = support::cli::run(&[
        "receive",
        "import",
        "--db",
        &db,
        "--trust-ca",
        &env["MADOGUCHI_TRUST_CA"],
        "--crl",
        &format!("{}/jpki-sign.crl", etc.display()),
        "--auth-ca",
        &format!("{}/auth-ca.pem", etc.display()),
        "--auth-crl",
        &format!("{}/jpki-auth.crl", etc.display()),
        "--client-ca",
        &format!("{}/station-ca.pem", etc.display()),
        "--seal-key",
        &format!("{}/seal-key.pem", creds.display()),
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("accepted 1"), "{out}");
    let stored = receiver::accepted_payloads(Path::new(&db)).unwrap();
    assert!(stored
        .iter()
        .any(|p| p["enrollment_id"] == id3.as_str() && p["assurance"] == "card-authenticated"));
    drop(rx);
    let _ = std::fs::remove_dir_all(&dir);
}
