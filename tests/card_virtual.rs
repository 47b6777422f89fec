//! The client against the in-process virtual card: the whole protocol without pcscd.

mod support;

use madoguchi::card::client::sha256_digest_info;
use madoguchi::card::files::Ef;
use madoguchi::card::vcard::profile::Profile;
use madoguchi::card::vcard::VirtualCard;
use madoguchi::card::CardError;
use madoguchi::card::{client::MyNumberCard, TransportError};
use madoguchi::secret::{Pin, PinKind, SignPassword};
use openssl::hash::{hash, MessageDigest};
use openssl::x509::X509;
use support::card::pki;

fn card(id: &str) -> VirtualCard {
    VirtualCard::new(&Profile::named(id).unwrap(), pki()).unwrap()
}

#[test]
fn reads_every_builtin_profile_exactly() {
    for (id, _) in madoguchi::card::vcard::profile::BUILTIN {
        let p = Profile::named(id).unwrap();
        if p.tries.pin == 0 {
            continue;
        }
        let vc = card(id);
        let stats = vc.stats();
        let mut c = MyNumberCard::new(vc);
        assert_eq!(c.pin_tries(PinKind::TextPin).unwrap(), p.tries.pin, "{id}");
        c.verify(Pin::new(p.pin.as_bytes()).unwrap().secret()).unwrap();
        let info = c.read_basic_four().unwrap();
        assert_eq!(info.name.as_str(), p.name, "{id}");
        assert_eq!(
            info.former_name.as_ref().map(|f| f.as_str()),
            p.former_name.as_deref(),
            "{id}"
        );
        assert_eq!(info.birth_date.iso(), p.birth_date, "{id}");
        assert_eq!(info.address.as_str(), p.address, "{id}");
        assert_eq!(info.gender.code(), p.gender.as_bytes()[0], "{id}");
        let s = stats.lock().unwrap().clone();
        assert_eq!(s.my_number_selects, 0);
        assert_eq!(s.verify_with_data, 1);
        // Minimum: SELECT AP, SELECT PIN, query, VERIFY, SELECT EF 02, READ (+1 READ when
        // EF 02 exceeds 256 bytes on a card without extended length).
        assert!(c.apdus_sent() <= 7, "{id}: {} APDUs", c.apdus_sent());
    }
}

#[test]
fn wrong_pin_twice_then_right_resets_the_counter() {
    let vc = card("yamada");
    let stats = vc.stats();
    let mut c = MyNumberCard::new(vc);
    let wrong = Pin::new(b"0000").unwrap();
    assert_eq!(
        c.verify(wrong.secret()).unwrap_err(),
        CardError::WrongPin {
            kind: PinKind::TextPin,
            tries_left: 2
        }
    );
    assert_eq!(c.pin_tries(PinKind::TextPin).unwrap(), 2);
    assert_eq!(
        c.verify(wrong.secret()).unwrap_err(),
        CardError::WrongPin {
            kind: PinKind::TextPin,
            tries_left: 1
        }
    );
    assert_eq!(c.pin_tries(PinKind::TextPin).unwrap(), 1);
    c.verify(Pin::new(b"1234").unwrap().secret()).unwrap();
    assert_eq!(
        c.pin_tries(PinKind::TextPin).unwrap(),
        3,
        "success restores the maximum"
    );
    assert_eq!(stats.lock().unwrap().verify_with_data, 3);
}

#[test]
fn third_wrong_pin_locks_and_the_card_refuses_even_the_right_one() {
    let mut c = MyNumberCard::new(card("yamada"));
    let wrong = Pin::new(b"0000").unwrap();
    let _ = c.verify(wrong.secret());
    let _ = c.verify(wrong.secret());
    assert_eq!(
        c.verify(wrong.secret()).unwrap_err(),
        CardError::Locked { kind: PinKind::TextPin }
    );
    assert_eq!(c.pin_tries(PinKind::TextPin).unwrap(), 0);
    assert_eq!(
        c.verify(Pin::new(b"1234").unwrap().secret()).unwrap_err(),
        CardError::Locked { kind: PinKind::TextPin }
    );
}

/// As reported of real cards (docs/card.md, "Ending a card session"): the PIN counter belongs
/// to the card; a verified PIN survives a warm reset and re-selecting the same application, and
/// goes with a power-down or with selecting another application.
#[test]
fn a_warm_reset_keeps_the_verified_pin_and_a_power_down_clears_it() {
    const SELECT_TEXT: [u8; 15] = [
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08,
    ];
    const SELECT_JPKI: [u8; 15] = [
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
    ];
    const SELECT_EF02: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x02];
    const READ: [u8; 5] = [0x00, 0xB0, 0x00, 0x00, 0x02];
    let mut vc = card("yamada");
    let verify = |vc: &mut VirtualCard| {
        vc.process(&SELECT_TEXT);
        vc.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11]);
        vc.process(&[0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'])
    };
    vc.process(&SELECT_TEXT);
    vc.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11]);
    assert_eq!(
        &vc.process(&[0x00, 0x20, 0x00, 0x80, 0x04, b'9', b'9', b'9', b'9'])[..],
        &[0x63, 0xC2]
    );
    assert_eq!(&verify(&mut vc)[..], &[0x90, 0x00]);
    vc.process(&SELECT_EF02);
    assert_eq!(&vc.process(&READ)[..], &[0xFF, 0x20, 0x90, 0x00]);

    vc.reset();
    vc.process(&SELECT_EF02);
    assert_eq!(
        &vc.process(&READ)[..],
        &[0xFF, 0x20, 0x90, 0x00],
        "a warm reset keeps it"
    );
    vc.process(&SELECT_TEXT);
    vc.process(&SELECT_EF02);
    assert_eq!(
        &vc.process(&READ)[..],
        &[0xFF, 0x20, 0x90, 0x00],
        "re-selecting the same application keeps it"
    );

    vc.power_down();
    vc.power_on();
    assert_eq!(
        &vc.process(&SELECT_EF02)[..],
        &[0x6A, 0x82],
        "nothing selected after a power-down"
    );
    vc.process(&SELECT_TEXT);
    vc.process(&SELECT_EF02);
    assert_eq!(&vc.process(&READ)[..], &[0x69, 0x82], "a power-down clears it");

    assert_eq!(&verify(&mut vc)[..], &[0x90, 0x00]);
    vc.process(&SELECT_JPKI);
    vc.process(&SELECT_TEXT);
    vc.process(&SELECT_EF02);
    assert_eq!(&vc.process(&READ)[..], &[0x69, 0x82], "another application clears it");
    // The counter went back to 3 with the right PIN, and stays across all of it.
    vc.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11]);
    assert_eq!(&vc.process(&[0x00, 0x20, 0x00, 0x80])[..], &[0x63, 0xC3]);
    let s = vc.stats().lock().unwrap().clone();
    assert_eq!((s.resets, s.power_downs), (1, 1));
}

#[test]
fn locked_card_gets_no_verify_with_data_from_a_careful_caller() {
    let vc = card("locked");
    let stats = vc.stats();
    let mut c = MyNumberCard::new(vc);
    assert_eq!(c.pin_tries(PinKind::TextPin).unwrap(), 0);
    assert_eq!(stats.lock().unwrap().verify_with_data, 0);
}

#[test]
fn signs_a_digest_info_that_verifies_against_the_certificate_read() {
    let p = Profile::named("yamada").unwrap();
    let vc = card("yamada");
    let stats = vc.stats();
    let mut c = MyNumberCard::new(vc);
    let pw = SignPassword::new(p.sign_password.as_ref().unwrap().to_lowercase().as_bytes()).unwrap();
    assert_eq!(c.pin_tries(PinKind::SignPassword).unwrap(), 5);
    // The signing certificate needs the password first.
    assert_eq!(c.read_certificate(Ef::SignCert).unwrap_err(), CardError::SecurityStatus);
    c.verify(pw.secret()).unwrap();
    let cert_der = c.read_certificate(Ef::SignCert).unwrap();
    let ca_der = c.read_certificate(Ef::SignCaCert).unwrap();
    let statement = "madoguchi test statement";
    let digest = hash(MessageDigest::sha256(), statement.as_bytes()).unwrap();
    let sig = c
        .sign(&sha256_digest_info(digest.as_ref().try_into().unwrap()))
        .unwrap();
    assert_eq!(sig.len(), 256);
    let cert = X509::from_der(&cert_der).unwrap();
    let ca = X509::from_der(&ca_der).unwrap();
    assert!(
        cert.verify(&ca.public_key().unwrap()).unwrap(),
        "certificate chains to the CA read from the card"
    );
    let public = cert.public_key().unwrap();
    let mut v = openssl::sign::Verifier::new(MessageDigest::sha256(), &public).unwrap();
    v.update(statement.as_bytes()).unwrap();
    assert!(v.verify(&sig).unwrap(), "standard RSASSA-PKCS1-v1_5 verification");
    assert_eq!(stats.lock().unwrap().signatures, 1);
    // The SAN carries the four items like the real certificate.
    let text = String::from_utf8(cert.to_text().unwrap()).unwrap();
    assert!(
        text.contains("1.2.392.200149.8.5.5.1") || text.contains("othername"),
        "{text}"
    );
}

#[test]
fn signing_without_the_password_is_refused_by_the_card() {
    let mut c = MyNumberCard::new(card("yamada"));
    assert_eq!(
        c.sign(&sha256_digest_info(&[0u8; 32])).unwrap_err(),
        CardError::SecurityStatus
    );
}

#[test]
fn under_15_card_says_no_signing_certificate() {
    let mut c = MyNumberCard::new(card("yoshino"));
    assert_eq!(
        c.pin_tries(PinKind::SignPassword).unwrap_err(),
        CardError::NoSigningCertificate
    );
    assert_eq!(
        c.read_certificate(Ef::SignCert).unwrap_err(),
        CardError::NoSigningCertificate
    );
    // The basic four items still work.
    c.verify(Pin::new(b"0000").unwrap().secret()).unwrap();
    assert_eq!(c.read_basic_four().unwrap().name.as_str(), "𠮷野\u{3000}はな");
}

#[test]
fn extended_length_is_used_where_it_works_and_falls_back_where_not() {
    // Auth certificate (no PIN needed): one extended READ on a capable card.
    let vc = card("yamada");
    let stats = vc.stats();
    let mut c = MyNumberCard::new(vc);
    let cert = c.read_certificate(Ef::AuthCert).unwrap();
    assert!(cert.len() > 256);
    assert_eq!(c.extended_length(), Some(true));
    assert_eq!(stats.lock().unwrap().reads, 1);

    let vc = card("takahashi");
    let stats = vc.stats();
    let mut c = MyNumberCard::new(vc);
    let cert2 = c.read_certificate(Ef::AuthCert).unwrap();
    assert_eq!(c.extended_length(), Some(false));
    let expected_reads = cert2.len().div_ceil(256) as u32;
    assert_eq!(
        stats.lock().unwrap().reads,
        expected_reads,
        "short chunks only, none refused by the card"
    );
    // Remembered: the next file goes straight to short reads.
    c.read_certificate(Ef::AuthCaCert).unwrap();
    assert_eq!(stats.lock().unwrap().extended_apdus, 0);
}

#[test]
fn identifies_a_my_number_card_by_its_token() {
    let mut c = MyNumberCard::new(card("yamada"));
    assert_eq!(c.identify().unwrap(), madoguchi::card::client::CardKind::MyNumberCard);
}

#[test]
fn card_pulled_mid_read_is_a_clear_error() {
    for n in 0..6 {
        let mut vc = card("sato");
        vc.remove_after(n);
        let mut c = MyNumberCard::new(vc);
        let r = c.pin_tries(PinKind::TextPin).and_then(|_| {
            c.verify(Pin::new(b"2580").unwrap().secret())?;
            c.read_basic_four()
        });
        assert_eq!(
            r.unwrap_err(),
            CardError::Transport(TransportError::CardRemoved),
            "after {n}"
        );
    }
}

#[test]
fn extended_length_probe_is_measured() {
    let mut c = MyNumberCard::new(card("yamada"));
    assert!(c.probe_extended_length().unwrap());
    let mut c = MyNumberCard::new(card("takahashi"));
    assert!(!c.probe_extended_length().unwrap());
    // After the probe, certificate reads go straight to short chunks.
    let vc = card("takahashi");
    let stats = vc.stats();
    let mut c = MyNumberCard::new(vc);
    c.probe_extended_length().unwrap();
    c.read_certificate(Ef::AuthCert).unwrap();
    assert_eq!(stats.lock().unwrap().extended_apdus, 0);
}

/// The card takes an 8-byte AID prefix for the application and answers GET DATA with no DF
/// selected without any credential (docs/card.md, "Card session hygiene"); the guard under the
/// client sends neither.
#[test]
fn aid_prefixes_and_get_data_reach_the_card_only_without_the_guard() {
    use madoguchi::card::apdu::Command;
    use madoguchi::card::files::AID_TEXT;
    use madoguchi::card::guard::Guard;
    use madoguchi::card::{Refusal, Transport};
    let prefix = &AID_TEXT[..8];
    let get_data = Command::new(0x00, 0xCA, 0x01, 0x01, &[], 256);

    let mut raw = card("yamada");
    let answer = raw.transmit(&get_data).unwrap();
    assert!(
        answer.sw.is_ok() && !answer.data.is_empty(),
        "identification data, no PIN"
    );
    assert!(raw.transmit(&Command::select_df(prefix)).unwrap().sw.is_ok());
    // The prefix selected the text AP: its PIN EF is there.
    assert!(raw.transmit(&Command::select_ef(0x0011)).unwrap().sw.is_ok());

    let vc = card("yamada");
    let stats = vc.stats();
    let mut g = Guard::new(vc);
    for cmd in [get_data, Command::select_df(prefix)] {
        assert!(matches!(
            g.transmit(&cmd),
            Err(TransportError::Refused(Refusal::Instruction | Refusal::Application))
        ));
    }
    assert_eq!(stats.lock().unwrap().apdus, 0);
}
