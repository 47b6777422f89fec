//! Any byte string as a card answer gives `Ok` or a typed error, never a panic.

use madoguchi::card::apdu::{Command, Response};
use madoguchi::card::files::Ef;
use madoguchi::card::{basic4, client::MyNumberCard, tlv, Transport, TransportError};
use madoguchi::secret::{Pin, PinKind, SignPassword};
use proptest::prelude::*;

/// Answers each APDU with the next scripted raw answer (data || SW), then "card removed".
struct Replay(Vec<Vec<u8>>);

impl Transport for Replay {
    fn transmit(&mut self, _cmd: &Command) -> Result<Response, TransportError> {
        match self.0.pop() {
            Some(raw) => Response::from_raw(&raw).ok_or_else(|| TransportError::Other("short".into())),
            None => Err(TransportError::CardRemoved),
        }
    }
}

/// Answers biased towards what a card says, so the client gets past SELECT and into parsing.
fn answer() -> impl Strategy<Value = Vec<u8>> {
    let sw = prop_oneof![
        Just(vec![0x90, 0x00]),
        Just(vec![0x63, 0xC2]),
        Just(vec![0x63, 0xC0]),
        Just(vec![0x61, 0x10]),
        Just(vec![0x6C, 0x05]),
        Just(vec![0x62, 0x82]),
        any::<[u8; 2]>().prop_map(|s| s.to_vec()),
    ];
    let data = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(|mut v| {
            let mut out = vec![0xFF, 0x20];
            out.append(&mut v);
            out
        }),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(|mut v| {
            let mut out = vec![0x30, 0x82];
            out.append(&mut v);
            out
        }),
    ];
    (data, sw).prop_map(|(mut d, s)| {
        d.extend_from_slice(&s);
        d
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn client_never_panics(answers in proptest::collection::vec(answer(), 0..40)) {
        let mut script = answers;
        script.reverse();
        let mut c = MyNumberCard::new(Replay(script));
        let _ = c.pin_tries(PinKind::TextPin);
        let _ = c.verify(Pin::new(b"1234").unwrap().secret());
        let _ = c.read_basic_four();
        let _ = c.identify();
        let _ = c.verify(SignPassword::new(b"ABC123").unwrap().secret());
        let _ = c.read_certificate(Ef::SignCert);
        let _ = c.sign(&[0u8; 51]);
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = basic4::decode(&bytes);
        let _ = tlv::read_header(&bytes);
        let _ = tlv::iter(&bytes).count();
        let _ = Command::decode(&bytes);
        let _ = Response::from_raw(&bytes);
    }

    #[test]
    fn structured_ef02_roundtrips(name in "[^\\p{Cc}\\p{Cf}（）()]{1,40}", addr in "[^\\p{Cc}\\p{Cf}]{1,120}", long in any::<bool>()) {
        prop_assume!(!name.trim_matches([' ', '\u{3000}']).is_empty());
        prop_assume!(!addr.trim_matches([' ', '\u{3000}']).is_empty());
        let enc = basic4::encode(&name, &addr, "19991231", b'1', long);
        let dec = basic4::decode(&enc).unwrap();
        prop_assert_eq!(dec.address.as_str(), addr.as_str());
        prop_assert_eq!(dec.name.as_str(), name.as_str());
    }
}
