use super::*;

/// Scripted answers; records encoded commands.
struct Script {
    answers: Vec<Result<Response, TransportError>>,
    sent: Vec<Vec<u8>>,
}
impl Script {
    fn new(answers: Vec<Result<Response, TransportError>>) -> Script {
        Script {
            answers: answers.into_iter().rev().collect(),
            sent: Vec::new(),
        }
    }
}
impl Transport for Script {
    fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError> {
        self.sent.push(cmd.encode().to_vec());
        self.answers.pop().unwrap_or(Err(TransportError::CardRemoved))
    }
}
fn ok() -> Result<Response, TransportError> {
    Ok(Response::status(StatusWord::OK))
}
fn sw(v: u16) -> Result<Response, TransportError> {
    Ok(Response::status(StatusWord(v)))
}

#[test]
fn status_words_map_to_typed_errors() {
    use crate::secret::Pin;
    let pin = Pin::new(b"1234").unwrap();
    let cases: Vec<(u16, CardError)> = vec![
        (
            0x63C2,
            CardError::WrongPin {
                kind: PinKind::TextPin,
                tries_left: 2,
            },
        ),
        (0x63C0, CardError::Locked { kind: PinKind::TextPin }),
        (0x6984, CardError::Locked { kind: PinKind::TextPin }),
        (0x6983, CardError::Locked { kind: PinKind::TextPin }),
        (
            0x6A80,
            CardError::Status {
                sw: StatusWord(0x6A80),
                op: "VERIFY",
            },
        ),
    ];
    for (code, expected) in cases {
        let mut c = MyNumberCard::new(Script::new(vec![ok(), ok(), sw(code)]));
        assert_eq!(c.verify(pin.secret()).unwrap_err(), expected);
        assert_eq!(c.apdus_sent(), 3);
    }
    let mut c = MyNumberCard::new(Script::new(vec![sw(0x6A82)]));
    assert_eq!(c.pin_tries(PinKind::TextPin).unwrap_err(), CardError::NotMyNumberCard);
    let mut c = MyNumberCard::new(Script::new(vec![ok(), sw(0x6A82)]));
    assert_eq!(
        c.pin_tries(PinKind::SignPassword).unwrap_err(),
        CardError::NoSigningCertificate
    );
    let mut c = MyNumberCard::new(Script::new(vec![ok(), ok(), ok()]));
    assert!(matches!(c.pin_tries(PinKind::TextPin), Err(CardError::Status { .. })));
    let mut c = MyNumberCard::new(Script::new(vec![ok(), ok(), sw(0x63C1)]));
    assert_eq!(c.pin_tries(PinKind::TextPin).unwrap(), 1);
}

#[test]
fn verify_is_never_resent_even_on_transport_errors_or_6c() {
    use crate::secret::Pin;
    let pin = Pin::new(b"1234").unwrap();
    for answer in [
        Err(TransportError::Timeout),
        Err(TransportError::CardReset),
        Err(TransportError::Other("x".into())),
        sw(0x6C04),
        sw(0x6700),
    ] {
        let mut t = Script::new(vec![ok(), ok(), answer]);
        let mut c = MyNumberCard::new(&mut t);
        assert!(c.verify(pin.secret()).is_err());
        let verifies = t.sent.iter().filter(|a| a[1] == 0x20 && a.len() > 4).count();
        assert_eq!(verifies, 1);
        assert_eq!(t.sent.len(), 3);
    }
}

#[test]
fn read_falls_back_from_extended_to_short_and_remembers() {
    // A cert of 600 bytes: 30 82 02 54 + 596.
    let mut cert = vec![0x30, 0x82, 0x02, 0x54];
    cert.resize(600, 0xAB);
    let answers = vec![
        ok(),                                     // SELECT JPKI
        ok(),                                     // SELECT 000A
        Err(TransportError::ExtendedUnsupported), // extended READ
        Ok(Response::new(cert[..256].to_vec(), StatusWord::OK)),
        Ok(Response::new(cert[256..512].to_vec(), StatusWord::OK)),
        Ok(Response::new(cert[512..].to_vec(), StatusWord::OK)),
    ];
    let mut t = Script::new(answers);
    let mut c = MyNumberCard::new(&mut t);
    let err = c.read_certificate(Ef::AuthCert).unwrap_err();
    // The bytes are not a real certificate: the client says so after reading exactly.
    assert_eq!(err, CardError::Malformed(Malformed::Certificate));
    assert_eq!(c.extended_length(), Some(false));
    let reads: Vec<&Vec<u8>> = t.sent.iter().filter(|a| a[1] == 0xB0).collect();
    assert_eq!(reads.len(), 4);
    assert_eq!(reads[0], &vec![0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert_eq!(reads[1], &vec![0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert_eq!(reads[2], &vec![0x00, 0xB0, 0x01, 0x00, 0x00]);
    assert_eq!(reads[3], &vec![0x00, 0xB0, 0x02, 0x00, 0x58]);
}

#[test]
fn lying_length_headers_are_bounded() {
    let answers = vec![
        ok(),
        ok(),
        Ok(Response::new(vec![0xFF, 0x20, 0x83, 0xFF, 0xFF, 0xFF], StatusWord::OK)),
    ];
    let mut c = MyNumberCard::new(Script::new(answers));
    assert!(matches!(
        c.read_basic_four(),
        Err(CardError::Malformed(Malformed::TooLong(_)))
    ));
    // Declares 300 bytes, then the card gives nothing more.
    let answers = vec![
        ok(),
        ok(),
        Ok(Response::new(vec![0xFF, 0x20, 0x82, 0x01, 0x2C, 0xDF], StatusWord::OK)),
        Ok(Response::new(vec![], StatusWord::OK)),
    ];
    let mut c = MyNumberCard::new(Script::new(answers));
    assert_eq!(
        c.read_basic_four().unwrap_err(),
        CardError::Malformed(Malformed::Truncated)
    );
}

#[test]
fn a_file_read_in_chunks_fills_one_buffer_sized_once() {
    use crate::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
    // No extended length: the ~1 KB certificate comes in 256-byte chunks.
    let profile = Profile::named("takahashi").unwrap();
    assert!(!profile.extended_length);
    let vc = VirtualCard::new(&profile, &TestPki::generate().unwrap()).unwrap();
    let mut c = MyNumberCard::new(vc);
    let der = c.read_certificate(Ef::AuthCaCert).unwrap();
    assert!(der.len() > 2 * SHORT_MAX_NE, "read in several chunks: {}", der.len());
    // Allocated once at the size the header gave; a buffer grown chunk by chunk would
    // have doubled past it (and left freed copies of the earlier chunks).
    assert_eq!(der.capacity(), der.len());
    // A lying card that sends more than asked for does not make it grow either.
    // 4 header bytes and 300 of content.
    let mut cert = vec![0x30, 0x82, 0x01, 0x2C];
    cert.resize(304, 0xAB);
    let mut long_tail = cert[256..].to_vec();
    long_tail.extend_from_slice(&[0xCD; 200]);
    let answers = vec![
        ok(),
        ok(),
        Ok(Response::new(cert[..256].to_vec(), StatusWord::OK)),
        Ok(Response::new(long_tail, StatusWord::OK)),
    ];
    let mut c = MyNumberCard::new(Script::new(answers));
    c.extended = Some(false);
    let raw = c.read_ef(Ef::AuthCert).unwrap();
    assert_eq!((&raw[..], raw.capacity()), (&cert[..], 304));
}

#[test]
fn chained_answers_are_joined_in_a_buffer_of_the_exact_size() {
    let mut buf = Zeroizing::new(vec![1u8; 256]);
    assert_eq!(buf.capacity(), 256);
    append(&mut buf, &[2u8; 16]);
    assert_eq!(buf.len(), 272);
    assert_eq!(buf.capacity(), 272, "moved into a buffer of the size needed");
    assert_eq!(&buf[255..257], &[1, 2]);
    // GET RESPONSE after 61 10: one answer of 256 + 16 bytes.
    let answers = vec![
        ok(),
        ok(),
        Ok(Response::new(vec![7u8; 256], StatusWord(0x6110))),
        Ok(Response::new(vec![8u8; 16], StatusWord::OK)),
    ];
    let mut c = MyNumberCard::new(Script::new(answers));
    c.select_ef(Ef::AuthCert).unwrap();
    let r = c.exchange(&Command::read_binary(0, 0)).unwrap();
    assert_eq!((r.data.len(), r.data.capacity(), r.sw), (272, 272, StatusWord::OK));
}

/// The 利用者証明 challenge against the in-process virtual card: its APDUs exactly
/// (docs/card.md, "APDU counts"), one VERIFY, a signature the certificate's key verifies.
#[test]
fn the_auth_challenge_sends_its_apdus_once_each_and_signs_what_it_is_given() {
    use crate::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
    let pki = TestPki::generate().unwrap();
    for id in ["yoshino", "takahashi"] {
        let p = Profile::named(id).unwrap();
        let vc = VirtualCard::new(&p, &pki).unwrap();
        let cert_len = vc.auth_cert_der.len();
        let stats = vc.stats();
        let mut c = MyNumberCard::new(vc);
        c.verify(crate::secret::Pin::new(p.pin.as_bytes()).unwrap().secret())
            .unwrap();
        let (person, ef02) = c.read_basic_four_with_bytes().unwrap();
        assert_eq!(ef02.decode().unwrap(), person, "{id}");
        let before = c.apdus_sent();
        let start = c.auth_start().unwrap();
        assert_eq!((start.tries, start.certificate.len()), (3, cert_len), "{id}");
        let reads = if p.extended_length {
            1
        } else {
            // An extended READ tried first (refused by the reader, the selection kept),
            // then 256-byte chunks.
            1 + cert_len.div_ceil(SHORT_MAX_NE) as u32
        };
        // SELECT JPKI, SELECT 000A, READ…, SELECT 0018, VERIFY query.
        assert_eq!(c.apdus_sent() - before, 2 + reads + 2, "{id}");
        let digest = openssl::sha::sha256(b"statement");
        let pin = AuthPin::new(p.auth_pin().as_bytes()).unwrap();
        let sig = c.auth_sign(&pin, &sha256_digest_info(&digest)).unwrap();
        // VERIFY, SELECT 0017, COMPUTE DIGITAL SIGNATURE.
        assert_eq!(c.apdus_sent() - before, 2 + reads + 2 + 3, "{id}");
        let cert = openssl::x509::X509::from_der(&start.certificate).unwrap();
        let key = cert.public_key().unwrap();
        let mut v = openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &key).unwrap();
        v.update(b"statement").unwrap();
        assert!(v.verify(&sig).unwrap(), "{id}: the auth certificate's key verifies it");
        let s = stats.lock().unwrap().clone();
        assert_eq!(
            (s.auth_verifies, s.auth_signatures, s.verify_with_data),
            (1, 1, 2),
            "{id}"
        );
        assert_eq!((s.auth_pin_tries, s.text_pin_tries), (3, 3), "{id}");
    }
}

#[test]
fn a_wrong_auth_pin_costs_one_try_of_its_own_and_signs_nothing() {
    use crate::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
    let p = Profile::named("yoshino").unwrap();
    assert_ne!(p.auth_pin(), p.pin);
    let vc = VirtualCard::new(&p, &TestPki::generate().unwrap()).unwrap();
    let stats = vc.stats();
    let mut c = MyNumberCard::new(vc);
    assert_eq!(c.auth_start().unwrap().tries, 3);
    let sent = c.apdus_sent();
    // The 券面事項入力補助用 PIN's digits, typed where the 利用者証明用 one is asked.
    let wrong = AuthPin::new(p.pin.as_bytes()).unwrap();
    let digest = sha256_digest_info(&[7; 32]);
    assert_eq!(
        c.auth_sign(&wrong, &digest).unwrap_err(),
        CardError::WrongPin {
            kind: PinKind::AuthPin,
            tries_left: 2
        }
    );
    assert_eq!(
        c.apdus_sent() - sent,
        1,
        "the VERIFY alone: no SELECT 0017, no signature"
    );
    let s = stats.lock().unwrap().clone();
    assert_eq!((s.auth_verifies, s.auth_pin_tries, s.signatures), (1, 2, 0));
    assert_eq!(s.text_pin_tries, 3, "the other PIN's counter is untouched");
    assert_eq!(c.pin_tries(PinKind::AuthPin).unwrap(), 2);
}

#[test]
fn a_locked_auth_pin_is_reported_locked_and_gets_no_verify() {
    use crate::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
    let p = Profile::named("authlocked").unwrap();
    assert_eq!((p.tries.auth_pin, p.tries.pin), (0, 3));
    let vc = VirtualCard::new(&p, &TestPki::generate().unwrap()).unwrap();
    let stats = vc.stats();
    let mut c = MyNumberCard::new(vc);
    assert_eq!(c.auth_start().err(), Some(CardError::Locked { kind: PinKind::AuthPin }));
    let s = stats.lock().unwrap().clone();
    assert_eq!((s.verify_with_data, s.verify_queries, s.signatures), (0, 1, 0));
}

/// A virtual card for the built-in profile `id`, 照合番号B's tries set when given.
fn face_card(
    id: &str,
    tries_pin_b: Option<u8>,
) -> (
    crate::card::vcard::VirtualCard,
    crate::card::vcard::profile::Profile,
    crate::card::vcard::pki::TestPki,
) {
    use crate::card::vcard::{pki::TestPki, profile::Profile, profile::BUILTIN, VirtualCard};
    let text = BUILTIN.iter().find(|(n, _)| *n == id).unwrap().1;
    let text = match tries_pin_b {
        Some(n) if text.contains("[tries]") => text.replace("[tries]", &format!("[tries]\npin_b = {n}")),
        Some(n) => format!("{text}\n[tries]\npin_b = {n}\n"),
        None => text.to_string(),
    };
    let p = Profile::from_toml(&text, id).unwrap();
    let pki = TestPki::generate().unwrap();
    (VirtualCard::new(&p, &pki).unwrap(), p, pki)
}

/// 照合番号B's tries, one VERIFY, the card face read whole and parsed: the APDUs exactly
/// (docs/card.md, "APDU counts"), the photo the virtual card carries, DF 28 valid with the
/// test issuer's key, and no APDU near EF 0005 or EF 0013.
#[test]
fn the_card_face_opens_with_pin_b_and_is_read_whole() {
    use crate::card::face::{issuer_key, FaceSignature};
    use crate::card::vcard::printed::PHOTO_JP2;
    for id in ["yamada", "takahashi"] {
        let (vc, p, pki) = face_card(id, None);
        let stats = vc.stats();
        let mut c = MyNumberCard::new(vc);
        assert_eq!(c.pin_b_tries().unwrap(), 3, "{id}");
        // SELECT the AP, SELECT 0012, VERIFY query.
        assert_eq!(c.apdus_sent(), 3, "{id}");
        let b = PinB::new(p.pin_b().unwrap().as_bytes()).unwrap();
        c.verify_pin_b(&b).unwrap();
        assert_eq!(c.apdus_sent(), 4, "{id}: the VERIFY alone");
        let face = c.read_card_face().unwrap();
        let len = face.as_bytes().len();
        assert!(len > 2 * SHORT_MAX_NE, "{id}: several KB ({len})");
        let reads = if p.extended_length {
            1
        } else {
            1 + len.div_ceil(SHORT_MAX_NE) as u32
        };
        // SELECT 0002, then one extended READ, or a refused extended one and chunks.
        assert_eq!(c.apdus_sent(), 4 + 1 + reads, "{id}");
        assert_eq!(face.photo_jp2(), PHOTO_JP2, "{id}");
        assert_eq!(face.birth(), p.birth().unwrap(), "{id}");
        assert_eq!(face.expiry().0, p.card_expiry().unwrap().year(), "{id}");
        let issuer = issuer_key(&pki.face_issuer_pem()).unwrap();
        assert_eq!(face.check_signature(Some(&issuer)), FaceSignature::Valid, "{id}");
        assert_eq!(face.check_signature(None), FaceSignature::NotVerified, "{id}");
        let s = stats.lock().unwrap().clone();
        assert_eq!((s.pin_b_verifies, s.verify_with_data, s.pin_b_tries), (1, 1, 3), "{id}");
        assert_eq!((s.my_number_selects, s.pin_a_verifies), (0, 0), "{id}");
        assert!(s.card_face_reads >= 1, "{id}");
        for line in &s.apdu_log {
            assert!(!line.contains("0005") && !line.contains("0013"), "{id}: {line}");
        }
    }
}

#[test]
fn a_wrong_pin_b_costs_one_try_and_reads_nothing() {
    let (vc, p, _) = face_card("yamada", None);
    let stats = vc.stats();
    let mut c = MyNumberCard::new(vc);
    assert_eq!(c.pin_b_tries().unwrap(), 3);
    // The right birth date and expiry, a wrong security code.
    let right = p.pin_b().unwrap();
    let wrong = PinB::from_parts(&right.as_bytes()[..6], &right.as_bytes()[6..10], b"0000").unwrap();
    let sent = c.apdus_sent();
    assert_eq!(
        c.verify_pin_b(&wrong).unwrap_err(),
        FaceError::WrongPinB { tries_left: 2 }
    );
    assert_eq!(c.apdus_sent() - sent, 1, "the VERIFY alone");
    // EF 0002 stays closed.
    assert_eq!(
        c.read_card_face().unwrap_err(),
        FaceError::Card(CardError::SecurityStatus)
    );
    let s = stats.lock().unwrap().clone();
    assert_eq!((s.pin_b_verifies, s.pin_b_tries, s.card_face_reads), (1, 2, 0));
    assert_eq!(
        (s.text_pin_tries, s.auth_pin_tries),
        (3, 3),
        "the other counters untouched"
    );
    assert_eq!(c.pin_b_tries().unwrap(), 2);
}

#[test]
fn a_locked_pin_b_is_reported_locked_and_gets_no_verify() {
    let (vc, _, _) = face_card("yamada", Some(0));
    let stats = vc.stats();
    let mut c = MyNumberCard::new(vc);
    assert_eq!(c.pin_b_tries().unwrap_err(), FaceError::PinBLocked);
    let s = stats.lock().unwrap().clone();
    assert_eq!((s.verify_with_data, s.verify_queries, s.pin_b_verifies), (0, 1, 0));
    // The last try: a wrong number locks it.
    let (vc, p, _) = face_card("locked", Some(1));
    let mut c = MyNumberCard::new(vc);
    assert_eq!(c.pin_b_tries().unwrap(), 1);
    let right = p.pin_b().unwrap();
    let wrong = PinB::from_parts(&right.as_bytes()[..6], b"2099", &right.as_bytes()[10..]).unwrap();
    assert_eq!(c.verify_pin_b(&wrong).unwrap_err(), FaceError::PinBLocked);
}

/// Only `63 Cx` is a count: anything else the card answers to the query is an error, and
/// a VERIFY is never sent twice, whatever comes back.
#[test]
fn pin_b_counts_only_63cx_and_its_verify_is_never_resent() {
    for (answer, want) in [
        (0x63C2, Ok(2)),
        (0x63C0, Err(FaceError::PinBLocked)),
        (0x6984, Err(FaceError::PinBLocked)),
        (
            0x9000,
            Err(FaceError::Card(CardError::Status {
                sw: StatusWord::OK,
                op: "VERIFY (照合番号B counter)",
            })),
        ),
        (
            0x6982,
            Err(FaceError::Card(CardError::Status {
                sw: StatusWord::SECURITY_STATUS,
                op: "VERIFY (照合番号B counter)",
            })),
        ),
    ] {
        let mut c = MyNumberCard::new(Script::new(vec![ok(), ok(), sw(answer)]));
        assert_eq!(c.pin_b_tries(), want, "{answer:04X}");
    }
    let b = PinB::new(b"55021720352285").unwrap();
    for answer in [
        Err(TransportError::Timeout),
        Err(TransportError::CardReset),
        sw(0x6C0E),
        sw(0x6100),
        sw(0x6700),
    ] {
        let mut t = Script::new(vec![ok(), ok(), answer]);
        let mut c = MyNumberCard::new(&mut t);
        assert!(c.verify_pin_b(&b).is_err());
        let verifies = t.sent.iter().filter(|a| a[1] == 0x20 && a.len() > 4).count();
        assert_eq!((verifies, t.sent.len()), (1, 3));
        // The data went out as typed: 14 digits after `00 20 00 80 0E`.
        assert_eq!(&t.sent[2][..5], &[0x00, 0x20, 0x00, 0x80, 0x0E]);
    }
}

/// A card face whose header claims more than READ BINARY can reach: refused before any
/// buffer of that size exists, and nothing read past the first answer.
#[test]
fn a_lying_card_face_header_is_refused_before_reading_on() {
    for header in [
        vec![0xFF, 0x20, 0x83, 0xFF, 0xFF, 0xFF],
        vec![0xFF, 0x20, 0x82, 0x80, 0x00],
    ] {
        let answers = vec![ok(), ok(), Ok(Response::new(header, StatusWord::OK))];
        let mut t = Script::new(answers);
        let mut c = MyNumberCard::new(&mut t);
        c.extended = Some(true);
        assert!(matches!(
            c.read_card_face(),
            Err(FaceError::Card(CardError::Malformed(Malformed::TooLong(_))))
        ));
        assert_eq!(t.sent.len(), 3, "SELECT AP, SELECT 0002, one READ");
    }
}

/// The card face read in chunks fills one buffer sized once from the header.
#[test]
fn the_card_face_is_read_into_one_buffer_sized_once() {
    let (vc, p, _) = face_card("takahashi", None);
    assert!(!p.extended_length);
    let mut c = MyNumberCard::new(vc);
    c.verify_pin_b(&PinB::new(p.pin_b().unwrap().as_bytes()).unwrap())
        .unwrap();
    let face = c.read_card_face().unwrap();
    let raw = face.as_bytes();
    assert!(raw.len() > 4 * SHORT_MAX_NE);
    assert_eq!(c.extended_length(), Some(false));
    drop(face);
    let (vc, p, _) = face_card("takahashi", None);
    let mut c = MyNumberCard::new(vc);
    c.verify_pin_b(&PinB::new(p.pin_b().unwrap().as_bytes()).unwrap())
        .unwrap();
    let raw = c.read_ef(Ef::CardFace).unwrap();
    assert_eq!(raw.capacity(), raw.len());
}

#[test]
fn digest_info_prefix() {
    let di = sha256_digest_info(&[0u8; 32]);
    assert_eq!(di.len(), 51);
    assert_eq!(&di[..4], &[0x30, 0x31, 0x30, 0x0D]);
}
