//! Hand-carried records bound to their station (issue #22 item 3, #25 item 12): a field
//! laptop with a station certificate signs each exported line; `receive import --client-ca`
//! binds a signed line to that station as mutual TLS would, so a child's `card-authenticated`
//! record goes in from a file too. An unsigned line binds nothing: its card-authenticated
//! record is refused, and a rejection it causes never holds the enrollment id — a card
//! holder's own genuine signature over a victim's id included.

mod support;

use madoguchi::backend::receiver::{self, LoopbackTls, ReceiverConfig};
use madoguchi::backend::station::StationStore;
use serde_json::Value;
use support::card::{enroll_child, pki};
use support::cli::run;
use support::records::Signer;
use support::tmp;

#[test]
fn a_signed_carried_file_binds_its_records_to_the_station() {
    let dir = tmp("carried");
    let tls = LoopbackTls::create(&dir.join("tls"), "field-7").unwrap();
    // The laptop: a child enrolled offline, its outbox exported with the station's key.
    let outbox = dir.join("outbox.sqlite3");
    let store = StationStore::open(outbox.clone(), 100, "field-7", "terms-1", "terms", None, None).unwrap();
    let id = enroll_child(&store);
    drop(store);
    let cfg = dir.join("station.toml");
    std::fs::write(
        &cfg,
        format!(
            "station_id = \"field-7\"\n[backend]\nurl = \"https://127.0.0.1:9/\"\nseal = false\noutbox = \"{}\"\nclient_cert = \"{}\"\nclient_key = \"{}\"\n",
            outbox.display(),
            tls.client_cert.display(),
            tls.client_key.display()
        ),
    )
    .unwrap();
    let file = dir.join("field-7.jsonl");
    let (code, out, err) = support::cli::outbox(&cfg, &["export", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let line: Value = serde_json::from_str(std::fs::read_to_string(&file).unwrap().lines().next().unwrap()).unwrap();
    assert!(line["station"]["sig"].is_string(), "the line is signed: {line}");

    // The office.
    let (sign_ca, auth_ca) = (dir.join("sign.pem"), dir.join("auth.pem"));
    std::fs::write(&sign_ca, pki().sign_ca.cert.to_pem().unwrap()).unwrap();
    std::fs::write(&auth_ca, pki().auth_ca.cert.to_pem().unwrap()).unwrap();
    let db = dir.join("recv.sqlite3");
    let import = |extra: &[&std::ffi::OsStr], file: &std::path::Path| {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "receive".as_ref(),
            "import".as_ref(),
            "--create".as_ref(),
            "--db".as_ref(),
            db.as_os_str(),
            "--trust-ca".as_ref(),
            sign_ca.as_os_str(),
            "--no-crl".as_ref(),
            "--auth-ca".as_ref(),
            auth_ca.as_os_str(),
            "--no-auth-crl".as_ref(),
        ];
        args.extend(extra);
        args.push(file.as_os_str());
        run(&args)
    };
    // Without the station CA the signature can't be checked: refused, nothing stored.
    let (code, out, _) = import(&[], &file);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("refused\t") && out.contains("--client-ca"), "{out}");
    assert_eq!(receiver::accepted_count(&db).unwrap(), 0);
    // With it: bound to field-7, accepted card-authenticated.
    let with_ca = ["--client-ca".as_ref(), tls.ca.as_os_str()];
    let (code, out, err) = import(&with_ca, &file);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("accepted 1"), "{out}");
    let stored = receiver::accepted_payloads(&db).unwrap();
    assert_eq!(
        (stored.len(), stored[0]["assurance"].as_str()),
        (1, Some("card-authenticated"))
    );
    assert_eq!(stored[0]["enrollment_id"], id.as_str());

    // A line changed after the station signed it is refused, never taken as unbound.
    let tampered = dir.join("tampered.jsonl");
    let mut l = line.clone();
    l["body"]["station_id"] = Value::String("counter-01".into());
    l["enrollment_id"] = Value::String("0193f000-0000-7000-8000-000000000077".into());
    std::fs::write(&tampered, format!("{l}\n")).unwrap();
    let (code, out, _) = import(&with_ca, &tampered);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("signature does not verify"), "{out}");

    // The same record unsigned binds nothing: its card-authenticated record is refused.
    let unsigned = dir.join("unsigned.jsonl");
    let mut l = line.clone();
    l.as_object_mut().unwrap().remove("station");
    l["enrollment_id"] = l["body"]["enrollment_id"].clone();
    std::fs::write(&unsigned, format!("{l}\n")).unwrap();
    let db2 = dir.join("other.sqlite3");
    let (code, out, _) = run(&[
        "receive",
        "import",
        "--create",
        "--db",
        db2.to_str().unwrap(),
        "--trust-ca",
        sign_ca.to_str().unwrap(),
        "--no-crl",
        "--auth-ca",
        auth_ca.to_str().unwrap(),
        "--no-auth-crl",
        "--client-ca",
        tls.ca.to_str().unwrap(),
        unsigned.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("refused\t") && out.contains("FORBIDDEN"), "{out}");
    assert_eq!(receiver::accepted_count(&db2).unwrap(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The reviewer's squat: a card holder signs, with their own genuine card, a record under a
/// victim's enrollment id (it is on the receipt and its QR) and sends it unbound; it is
/// refused (CARD_DATA_MISMATCH) and kept for review, but holds nothing: the victim's station,
/// bound, then gets its 200 and the one row.
#[test]
fn a_rejection_from_an_unbound_sender_does_not_hold_the_id_even_with_a_genuine_card() {
    let dir = tmp("squat");
    let tls = LoopbackTls::create(&dir.join("tls"), "s1").unwrap();
    let db = dir.join("rx.sqlite3");
    let local = receiver::Local::open(ReceiverConfig {
        db: db.clone().into(),
        trust_ca: vec![pki().sign_ca.cert.clone()],
        ..Default::default()
    })
    .unwrap()
    .with_station_ca(&tls.ca, Vec::new())
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let victim_id = "0193f000-0000-7000-8000-000000000090";
    // The attacker's own card signs; the card data sent is not the certificate's.
    let mut attacker = Signer::new(pki(), "sato");
    let mut forged: Value = serde_json::from_slice(&attacker.record("s1", victim_id)).unwrap();
    forged["card"]["address"] = Value::String("東京都千代田区霞が関１－１".into());
    let forged = serde_json::to_vec(&forged).unwrap();
    let r = rt.block_on(local.submit(victim_id, &forged));
    assert_eq!(
        (r.status, r.result.as_str()),
        (422, "CARD_DATA_MISMATCH"),
        "{}",
        r.answer
    );
    // The genuine record, from the bound station (a line it signed).
    let key = madoguchi::backend::carry::StationKey::load(&tls.client_cert, &tls.client_key).unwrap();
    let genuine = Signer::new(pki(), "yamada").record("s1", victim_id);
    let line = madoguchi::backend::carry::line(victim_id, false, &genuine, Some(&key)).unwrap();
    let (carried, body) = madoguchi::backend::carry::parse(1, &line).unwrap().unwrap();
    let r = rt.block_on(local.submit_carried(&carried, &body));
    assert_eq!((r.status, r.result.as_str()), (200, "OK"), "{}", r.answer);
    assert_eq!(receiver::accepted_count(&db).unwrap(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
