//! The bodies of the `cargo fuzz` targets (`fuzz/fuzz_targets/*.rs`), here so that the
//! ordinary `cargo test` replays every committed corpus file through exactly the same code
//! (`tests/fuzz_corpora.rs`) without a nightly toolchain. Each must return normally for any
//! input; a panic is a finding.

use crate::card::apdu::{Command, Response, INS_SELECT};
use crate::card::files::{Ef, AID_TEXT};
use crate::card::{basic4, cert, MyNumberCard, Transport, TransportError};
use crate::record::check;
use crate::record::payload::CardData;
use crate::secret::{Pin, SignPassword};

/// EF 02 (basic four items) decoding, then the record's canonical form.
pub fn ef02(data: &[u8]) {
    if let Ok(b) = basic4::decode(data) {
        let c = CardData::from_basic4(&b);
        let _ = c.canonical();
    }
}

/// Card answers, split from the input (`len, bytes…` records, the last two bytes of each the
/// status word), fed to the client through a whole read and signature. Besides "no panic", the
/// transport checks the allowlist's promise: no SELECT of EF 01/03 while the text AP is
/// selected, whatever the card answered before.
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
