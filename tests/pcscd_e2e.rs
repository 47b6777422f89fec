//! End to end through a real pcscd: the virtual card sits in vsmartcard's vpcd reader
//! ("Virtual PCD 00 00"), and the real `madoguchi` binary talks to it over PC/SC, as it would
//! to a card on an NFC reader. OpenSC cross-checks the card from the outside.
//!
//! Needs pcscd running with the vsmartcard-vpcd driver (`.ci/run` sets that up). Without it the
//! tests print SKIPPED and pass — except under CI (`CI` set), where they fail.

mod support;

use madoguchi::card::vcard::profile::Profile;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use support::cli::madoguchi;
use support::pcscd::*;
use support::tmux::Tmux;
use support::{skipped, BIN};

fn read_json(pin: &str, extra: &[&str]) -> Output {
    let mut args = vec!["--lang", "en", "read", "--reader", READER, "--json"];
    args.extend_from_slice(extra);
    madoguchi(&args, &format!("{pin}\n"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn read_json_matches_each_profile() {
    let Some(_turn) = turn() else { return };
    // Plain; 旧氏 + long address (EF 02 > 256 bytes) + Heisei day 1; non-BMP 𠮷 + under 15 +
    // Reiwa day 1; last day of Showa + gender 9 + no extended length.
    for id in ["yamada", "sato", "yoshino", "takahashi"] {
        let p = Profile::named(id).unwrap();
        let card = Inserted::new(id, &[]);
        let out = read_json(&p.pin, &[]);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["name"], p.name.as_str(), "{id}");
        assert_eq!(
            v["former_name"],
            p.former_name.as_deref().map(Value::from).unwrap_or(Value::Null),
            "{id}"
        );
        assert_eq!(v["birth_date"], p.birth_date.as_str(), "{id}");
        assert_eq!(v["address"], p.address.as_str(), "{id}");
        let gender = match p.gender.as_str() {
            "1" => "male",
            "2" => "female",
            "9" => "not_applicable",
            _ => "unknown",
        };
        assert_eq!(v["gender"], gender, "{id}");
        let s = card.stats();
        assert_eq!(s["verify_with_data"], 1, "{id}");
        assert_eq!(s["my_number_selects"], 0, "{id}");
        // Minimum for this read: SELECT AP, SELECT PIN, query, VERIFY, SELECT EF 02, READ
        // (+1 READ without extended length when EF 02 is longer than 256 bytes).
        assert!(s["apdus"].as_u64().unwrap() <= 7, "{id}: {s}");
    }
}

#[test]
fn wrong_pin_twice_then_right() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("yamada", &[]);
    let out = read_json("0000", &[]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("tries left: 3") && stderr(&out).contains("tries left: 2"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    assert_eq!(card.stats()["text_pin_tries"], 2);

    let out = read_json("0000", &[]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("tries left: 1"), "{}", stderr(&out));
    assert_eq!(card.stats()["text_pin_tries"], 1);

    // One try left: refused without --last-try, and no VERIFY with data goes out.
    let out = read_json("1234", &[]);
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    assert!(stderr(&out).contains("--last-try"));
    assert_eq!(card.stats()["verify_with_data"], 2);

    let out = read_json("1234", &["--last-try"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = card.stats();
    assert_eq!(s["text_pin_tries"], 3, "a success restores the counter");
    assert_eq!(s["verify_with_data"], 3);
}

#[test]
fn locked_card_gets_the_locked_message_and_no_verify_with_data() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("locked", &[]);
    let out = read_json("5555", &["--last-try"]);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("locked") && stderr(&out).contains("municipal office"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    assert_eq!(card.stats()["verify_with_data"], 0);
}

#[test]
fn malformed_pin_never_touches_the_card() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("yamada", &[]);
    for bad in ["12a4", "123", "12345", ""] {
        let out = read_json(bad, &[]);
        assert_eq!(out.status.code(), Some(9), "{bad:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("No try was used") || stderr(&out).contains("No PIN"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(card.stats()["apdus"], 0);
}

#[test]
fn card_pulled_mid_read_gives_a_clear_error_and_no_partial_output() {
    let Some(_turn) = turn() else { return };
    // 3: right after the tries query; 5: at the READ of EF 02 (after the VERIFY).
    for n in ["3", "5"] {
        let _card = Inserted::new("sato", &["--drop-after", n]);
        let out = read_json("2580", &[]);
        assert_eq!(out.status.code(), Some(7), "after {n}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "partial output after {n}");
        let err = stderr(&out);
        assert!(
            err.contains("left the reader") || err.contains("does not respond"),
            "{err}"
        );
        assert!(!err.contains("2580"));
    }
}

#[test]
fn readers_lists_the_virtual_card_with_its_atr() {
    let Some(_turn) = turn() else { return };
    let _card = Inserted::new("yamada", &[]);
    let out = madoguchi(&["readers", "--json"], "");
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = reader_entry(&v, READER);
    assert_eq!(r["card_present"], true);
    assert_eq!(r["atr"], "3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B");
}

#[test]
fn our_certificate_reads_match_the_card() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("sato", &[]);
    let out = madoguchi(&["cert", "sign", "--reader", READER], "hanako2024\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(der(&out.stdout), der(&card.cert_pem("sign.pem")));
    let out = madoguchi(&["cert", "sign-ca", "--reader", READER], "");
    assert_eq!(der(&out.stdout), der(&card.cert_pem("sign-ca.pem")));
}

fn der(pem: &[u8]) -> Vec<u8> {
    openssl::x509::X509::from_pem(pem)
        .expect("PEM certificate")
        .to_der()
        .unwrap()
}

fn opensc(args: &[&str]) -> Option<Output> {
    match Command::new("pkcs15-tool").args(args).stdin(Stdio::null()).output() {
        Ok(o) => Some(o),
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("pkcs15-tool (opensc) is required in CI: {e}");
            }
            skipped(&format!("pkcs15-tool not installed ({e})"));
            None
        }
    }
}

/// OpenSC's jpki driver is an independent client: if it disagrees with our card, our card is
/// wrong. It must find the four certificates, read the public ones, and read the signing
/// certificate after verifying the signing password.
#[test]
fn opensc_reads_the_virtual_card_like_a_real_one() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("yamada", &[]);
    let Some(list) = opensc(&["--reader", "0", "--list-certificates"]) else {
        return;
    };
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{text}{}", stderr(&list));
    for label in [
        "User Authentication Certificate",
        "Digital Signature Certificate",
        "User Authentication Certificate CA",
        "Digital Signature Certificate CA",
    ] {
        assert!(text.contains(label), "OpenSC did not list {label}:\n{text}");
    }
    let pins = opensc(&["--reader", "0", "--list-pins"]).unwrap();
    let pins = String::from_utf8_lossy(&pins.stdout);
    assert!(
        pins.contains("Tries left     : 3") && pins.contains("Tries left     : 5"),
        "{pins}"
    );

    let ca = opensc(&["--reader", "0", "--read-certificate", "04"]).unwrap();
    assert!(ca.status.success(), "{}", stderr(&ca));
    assert_eq!(der(&ca.stdout), der(&card.cert_pem("sign-ca.pem")));

    let sign = opensc(&[
        "--reader",
        "0",
        "--read-certificate",
        "02",
        "--verify-pin",
        "--auth-id",
        "02",
        "--pin",
        "ABC123",
    ])
    .unwrap();
    assert!(sign.status.success(), "{}", stderr(&sign));
    assert_eq!(der(&sign.stdout), der(&card.cert_pem("sign.pem")));
    assert_eq!(card.stats()["sign_password_tries"], 5);
    assert_eq!(card.stats()["my_number_selects"], 0);
}

#[test]
fn pcscd_not_running_has_its_own_message_and_exit_code() {
    // Point libpcsclite at a socket nobody listens on: the same as pcscd being down.
    let out = Command::new(BIN)
        .args(["--lang", "en", "read", "--json"])
        .env("PCSCLITE_CSOCK_NAME", Path::new("/nonexistent/pcscd.comm"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(b"1234\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("pcscd") && stderr(&out).contains("not running"));
    assert!(out.stdout.is_empty());
}

/// In a real terminal: tries shown before the prompt, the PIN typed without echo (it never
/// reaches the screen or scrollback), a malformed PIN re-prompted without spending a try.
#[test]
fn terminal_pin_entry_has_no_echo_and_shows_tries_first() {
    let Some(_turn) = turn() else { return };
    let card = Inserted::new("sato", &[]);
    let cmd = format!("{BIN} --lang en read --reader '{READER}'; echo EXIT=$?; sleep 30");
    let Some(tmux) = Tmux::start(&cmd) else { return };
    let s = tmux.wait_for("4 digits):");
    assert!(s.contains("tries left: 3"), "tries shown before the prompt:\n{s}");
    tmux.send(&["25x0", "Enter"]);
    tmux.wait_for("not allowed");
    tmux.send(&["2580", "Enter"]);
    let s = tmux.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "{s}");
    assert!(s.contains("Name: 佐藤") || s.contains("Name: 佐藤\u{3000}花子"), "{s}");
    assert!(s.contains("Former name: 鈴木"), "{s}");
    assert!(
        !s.contains("2580") && !s.contains("25x0"),
        "PIN echoed to the terminal:\n{s}"
    );
    assert_eq!(card.stats()["verify_with_data"], 1);
}
