//! The bodies of the `cargo fuzz` targets (`fuzz/fuzz_targets/*.rs`), here so that the
//! ordinary `cargo test` replays every committed corpus file through exactly the same code
//! (`tests/fuzz_corpora.rs`) without a nightly toolchain. Each must return normally for any
//! input; a panic is a finding.

use crate::card::apdu::{Command, Response, INS_SELECT};
use crate::card::files::{Ef, AID_TEXT};
use crate::card::{basic4, cert, client::MyNumberCard, Transport, TransportError};
use crate::record::card_data::CardData;
use crate::record::check;
use crate::secret::{Pin, PinB, SignPassword};

/// EF 02 (basic four items) decoding, then the record's canonical form.
pub fn ef02(data: &[u8]) {
    if let Ok(b) = basic4::decode(data) {
        let c = CardData::from_basic4(&b);
        let _ = c.canonical();
    }
}

/// Card answers, split from the input (`len, bytes…` records, the last two bytes of each the
/// status word), fed to the client through a whole read and signature, then the card face's
/// 照合番号B and EF 0002. Besides "no panic", the transport checks the allowlist's promise: no
/// SELECT of EF 01/03 while the text AP is selected, and none of EF 05/13 (the card face AP's
/// My Number image and 照合番号A) under any application, whatever the card answered before.
pub fn card_answers(data: &[u8]) {
    struct Scripted<'a> {
        rest: &'a [u8],
        text_ap: bool,
    }
    impl Transport for Scripted<'_> {
        fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError> {
            if cmd.ins() == INS_SELECT && cmd.p1() == 0x04 {
                self.text_ap = cmd.data() == AID_TEXT;
            }
            if cmd.ins() == INS_SELECT && cmd.p1() == 0x02 && self.text_ap {
                assert!(
                    !matches!(cmd.data(), [0x00, 0x01] | [0x00, 0x03]),
                    "allowlist escaped: {cmd}"
                );
            }
            if cmd.ins() == INS_SELECT {
                assert!(
                    !matches!(cmd.data(), [0x00, 0x05] | [0x00, 0x13]),
                    "allowlist escaped: {cmd}"
                );
            }
            let (&len, rest) = self.rest.split_first().ok_or(TransportError::CardRemoved)?;
            let n = (len as usize).min(rest.len());
            let (raw, rest) = rest.split_at(n);
            self.rest = rest;
            Response::from_raw(raw).ok_or_else(|| TransportError::Other("short answer".into()))
        }
    }
    let mut c = MyNumberCard::new(Scripted {
        rest: data,
        text_ap: false,
    });
    if let Ok(pin) = Pin::new(b"1234") {
        let _ = c.pin_tries(crate::secret::PinKind::TextPin);
        let _ = c.verify(pin.secret());
    }
    let _ = c.read_basic_four();
    let _ = c.identify();
    if let Ok(pw) = SignPassword::new(b"ABC123") {
        let _ = c.verify(pw.secret());
    }
    let _ = c.read_certificate(Ef::SignCert);
    let _ = c.sign(&[0u8; 51]);
    let _ = c.pin_b_tries();
    if let Ok(b) = PinB::new(b"55021720352285") {
        let _ = c.verify_pin_b(&b);
    }
    if let Ok(face) = c.read_card_face() {
        card_face_images(&face);
    }
}

/// The card face (券面事項確認AP EF 0002) as a forged chip may write it: parsed, and when it
/// parses, its photo and images decoded (bounded, strict) and its signature checked without a
/// key, which must never come out as verified. The decoders also get the input as it is (the
/// corpus holds bare images too).
pub fn card_face(data: &[u8]) {
    use crate::card::face::CardFace;
    use crate::picture::decode;
    if let Ok(face) = CardFace::parse(zeroize::Zeroizing::new(data.to_vec())) {
        card_face_images(&face);
    }
    let _ = decode::photo(data);
    let _ = decode::text_png(data);
}

fn card_face_images(face: &crate::card::face::CardFace) {
    use crate::card::face::FaceSignature;
    use crate::picture::decode;
    assert_eq!(face.check_signature(None), FaceSignature::NotVerified);
    let _ = face.signed_digest_info();
    if let Ok(g) = decode::photo(face.photo_jp2()) {
        assert!(g.width() <= decode::MAX_PHOTO_SIDE && g.height() <= decode::MAX_PHOTO_SIDE);
    }
    for png in [face.name_png(), face.address_png(), face.security_code_png()] {
        if let Ok(g) = decode::text_png(png) {
            assert!(g.width() <= decode::MAX_TEXT_WIDTH && g.height() <= decode::MAX_TEXT_HEIGHT);
        }
    }
}

/// Certificate SAN parsing and the comparison with a card's four items.
pub fn san(data: &[u8]) {
    let _ = cert::san_four(data);
    let card = CardData {
        address: "東京都千代田区千代田１－１".into(),
        birth_date: "1980-02-17".into(),
        former_name: Some("鈴木".into()),
        gender: "male".into(),
        name: "山田\u{3000}太郎".into(),
    };
    let r = check::compare_der(&card, data);
    let _ = r.outcome();
    let _ = r.differing();
}

/// The sealed-envelope opener with a fixed key: any JSON (or not) in, `Ok`/`Err` out.
pub fn sealed(data: &[u8]) {
    use std::sync::OnceLock;
    static KEY: OnceLock<openssl::pkey::PKey<openssl::pkey::Private>> = OnceLock::new();
    let key = KEY.get_or_init(|| {
        let rsa = openssl::rsa::Rsa::generate(2048).expect("RSA key");
        openssl::pkey::PKey::from_rsa(rsa).expect("PKey")
    });
    if let Ok(env) = serde_json::from_slice::<crate::backend::seal::Envelope>(data) {
        let _ = crate::backend::seal::open(key, "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f", &env);
    }
}

/// The JWE opener (`backend::jwe`) with a fixed key set: any string in, `Ok`/`Err` out.
pub fn jwe(data: &[u8]) {
    use std::sync::OnceLock;
    static KEYS: OnceLock<crate::backend::jwe::KeySet> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        let mut k = crate::backend::jwe::KeySet::default();
        let rsa = openssl::rsa::Rsa::generate(2048).expect("RSA key");
        let _ = k.add(openssl::pkey::PKey::from_rsa(rsa).expect("PKey"));
        k
    });
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = crate::backend::jwe::peek_header(s);
        let _ = crate::backend::jwe::open(keys, s, "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f", "counter-01");
    }
}

/// The receiver's request handling: the fuzzer's bytes as a request body, the first byte
/// choosing the idempotency key and whether the station is bound (mTLS). A real signed record
/// from the virtual card is in the seed corpus, so mutations reach past the envelope.
pub fn receiver(data: &[u8]) {
    use crate::backend::receiver::{fuzz_check, ReceiverConfig};
    use std::sync::OnceLock;
    struct Fixture {
        cfg: ReceiverConfig,
        keys: crate::backend::jwe::KeySet,
    }
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    let f = FIXTURE.get_or_init(|| {
        // A fixed seal key and CA from `fuzz_targets::fixture_pem` (the seeds use the same).
        let (seal, ca) = fixture();
        let mut keys = crate::backend::jwe::KeySet::default();
        let _ = keys.add(seal.clone());
        Fixture {
            cfg: ReceiverConfig {
                trust_ca: vec![ca],
                seal_keys: vec![seal],
                allow_unsigned: true,
                ..Default::default()
            },
            keys,
        }
    });
    let Some((&sel, body)) = data.split_first() else { return };
    // The key the body names (bit 0 clear), so mutations get past the key check; or another.
    let named = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["enrollment_id"].as_str().map(str::to_string));
    let key = match (sel & 1, named) {
        (0, Some(k)) => k,
        _ => "other".to_string(),
    };
    let bound = (sel & 2 != 0).then_some("counter-01");
    let _ = fuzz_check(&f.cfg, &f.keys, &key, bound, body);
}

/// A hand-carried file (`receive import`): any bytes, line by line. A record read back is a
/// JSON object; an error names its line, and never echoes what was in it.
pub fn carry(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for (i, line) in text.lines().enumerate() {
        match crate::backend::carry::parse(i + 1, line) {
            Ok(Some((c, body))) => {
                assert!(!c.enrollment_id.is_empty() && c.enrollment_id.len() <= 100);
                let v: serde_json::Value = serde_json::from_slice(&body).expect("body is JSON");
                assert!(v.is_object());
                // Canonical: written again, the same bytes (what idempotency relies on).
                assert_eq!(serde_json::to_vec(&v).expect("JSON"), body);
            }
            Ok(None) => {}
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.starts_with(&format!("line {}:", i + 1)), "{msg}");
                assert!(!msg.contains('"'), "{msg}");
            }
        }
    }
}

/// The receiver fixture's seal key and signing CA: generated once, cached in the corpus dir's
/// parent so seeds (examples/fuzz_seeds.rs) and the fuzzer agree across runs.
pub fn fixture() -> (openssl::pkey::PKey<openssl::pkey::Private>, openssl::x509::X509) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fixture");
    let key = std::fs::read(dir.join("seal.key"))
        .ok()
        .and_then(|k| openssl::pkey::PKey::private_key_from_pem(&k).ok());
    let ca = std::fs::read(dir.join("sign-ca.pem"))
        .ok()
        .and_then(|c| openssl::x509::X509::from_pem(&c).ok());
    match (key, ca) {
        (Some(k), Some(c)) => (k, c),
        _ => panic!("fuzz/fixture missing: run `cargo run --example fuzz_seeds`"),
    }
}
