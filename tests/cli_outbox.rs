//! `madoguchi outbox list|flush|export|retry` against a real outbox and receiver.

mod support;

use madoguchi::backend::station::StationStore;
use madoguchi::card::vcard::pki::TestPki;
use support::card::SignedIn;
use support::BIN;

#[test]
fn list_flush_export_retry() {
    let dir = support::tmp("outbox");
    let pki = TestPki::generate().unwrap();
    let rx = support::receiver::spawn(
        support::receiver::config(dir.join("r.sqlite3"), &pki.sign_ca.cert),
        None,
    );
    let outbox = dir.join("outbox.sqlite3");
    let store = StationStore::open(outbox.clone(), 100, "s1", "t", "terms", None, None).unwrap();
    SignedIn::named(&pki, "yamada").enroll(&store);
    SignedIn::named(&pki, "expired").enroll(&store);
    drop(store);
    let cfg = support::station::delivering(&dir, &rx.url(false), &outbox);

    let (code, out, _) = support::cli::outbox(&cfg, &["list", "--json"]);
    assert_eq!(code, 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["status"] == "pending"));
    assert!(
        !out.contains("山田") && !out.contains("期限"),
        "no personal data in the list"
    );

    let (code, out, err) = support::cli::outbox(&cfg, &["flush"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("delivered 1, review 1, still queued 0"), "{out}");
    let (_, out, _) = support::cli::outbox(&cfg, &["list"]);
    assert!(
        out.contains("delivered") && out.contains("review") && out.contains("CERTIFICATE_EXPIRED"),
        "{out}"
    );

    let export = dir.join("export.jsonl");
    let (code, out, err) = support::cli::outbox(&cfg, &["export", export.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("exported 1 record"), "{out}");
    assert!(err.contains("NOT sealed"), "the plaintext export is flagged: {err}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&export).unwrap().permissions().mode() & 0o777, 0o600);
    let line: serde_json::Value = serde_json::from_str(std::fs::read_to_string(&export).unwrap().trim()).unwrap();
    let review_id = line["enrollment_id"].as_str().unwrap().to_string();
    assert_eq!(
        support::cli::outbox(&cfg, &["export", export.to_str().unwrap()]).0,
        1,
        "never overwrites an export"
    );

    let (code, _, _) = support::cli::outbox(&cfg, &["retry", &review_id]);
    assert_eq!(code, 0);
    let (_, out, _) = support::cli::outbox(&cfg, &["list", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.iter().filter(|r| r["status"] == "pending").count(), 1);
    assert_eq!(support::cli::outbox(&cfg, &["retry", "no-such-id"]).0, 1);
    // A broken config names the file and line.
    std::fs::write(&cfg, "[backend]\nqueue_limit = \"many\"\n").unwrap();
    let (code, _, err) = support::cli::outbox(&cfg, &["list"]);
    assert_eq!(code, 2);
    assert!(err.contains("config.toml:2:"), "{err}");
    drop(rx);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A backend that answers with terminal escapes and a bidi override: `outbox flush` and
/// `outbox list` print them escaped, never raw.
#[test]
fn a_lying_backend_cannot_drive_the_terminal() {
    use std::io::{Read, Write};
    let dir = support::tmp("escape");
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 65536];
            let _ = s.read(&mut buf);
            let body = "{\"result\":\"INVALID_REQUEST\\u001b]0;pwned\\u0007\",\"error\":\"\\u001b[2J\\u202eevil\"}";
            let _ = write!(
                s,
                "HTTP/1.1 422 Unprocessable Entity\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let pki = TestPki::generate().unwrap();
    let outbox = dir.join("outbox.sqlite3");
    let store = StationStore::open(outbox.clone(), 100, "s1", "t", "terms", None, None).unwrap();
    SignedIn::named(&pki, "yamada").enroll(&store);
    drop(store);
    let cfg = support::station::delivering(&dir, &format!("http://{addr}"), &outbox);
    let (_, flushed, _) = support::cli::outbox(&cfg, &["flush"]);
    let (_, listed, _) = support::cli::outbox(&cfg, &["list"]);
    let (_, json, _) = support::cli::outbox(&cfg, &["list", "--json"]);
    for out in [&flushed, &listed, &json] {
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
            "{out:?}"
        );
    }
    assert!(listed.contains("\\u{1b}"), "shown escaped: {listed}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Support commands speak the clerk's language from the config (`clerk_lang`), `--lang` first.
#[test]
fn support_commands_follow_clerk_lang_and_lang_wins() {
    let dir = support::tmp("clerk-lang");
    std::fs::create_dir_all(dir.join("run")).unwrap();
    let cfg = dir.join("m.toml");
    std::fs::write(&cfg, "lang = \"ja\"\nclerk_lang = \"ko\"\n").unwrap();
    let status = |extra: &[&str]| {
        let out = std::process::Command::new(BIN)
            .arg("--config")
            .arg(&cfg)
            .args(extra)
            .arg("status")
            .env("XDG_RUNTIME_DIR", dir.join("run"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(10), "no station runs (its own exit code)");
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(
        status(&[]).contains("실행 중인 창구 단말을 찾을 수 없습니다"),
        "clerk_lang"
    );
    assert!(
        status(&["--lang", "en"]).contains("No running station answers"),
        "--lang wins"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An operator command that only reads never creates a database (issue #25 item 14): a typo in
/// the path is said, not left behind as an empty outbox the station would never use.
#[test]
fn outbox_commands_never_create_a_database() {
    let dir = support::tmp("no-outbox");
    let missing = dir.join("typo").join("outbox.sqlite3");
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, format!("[backend]\noutbox = \"{}\"\n", missing.display())).unwrap();
    for args in [&["list"][..], &["list", "--json"], &["retry", "x"]] {
        let (code, out, err) = support::cli::outbox(&cfg, args);
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert!(err.contains("no outbox"), "{args:?}: {err}");
        assert!(!missing.exists() && !dir.join("typo").exists(), "{args:?} created it");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
