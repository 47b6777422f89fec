//! The challenge on the card thread, against the virtual card and the real station store: the
//! card's own counters say what was sent.

use super::super::readers::{Readers, VirtualReader};
use super::super::ready::Ready;
use super::super::worker::{execute, Held};
use crate::backend::station::StationStore;
use crate::card::vcard::{pki::TestPki, profile::Profile, CardStats, VirtualCard};
use crate::flow::{CardReply, CardRequest};
use crate::record::payload::Assurance;
use crate::secret::{AuthPin, PinKind, Secret};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Rig {
    source: Box<dyn super::super::worker::CardSource>,
    reader: Option<VirtualReader>,
    stats: Arc<Mutex<CardStats>>,
    store: StationStore,
    held: Held,
    dir: std::path::PathBuf,
}

impl Rig {
    fn new(profile: &Profile, name: &str) -> Rig {
        // One directory per rig: tests of the same profile run at once, and two stores opening
        // one outbox race on its migration.
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("madoguchi-challenge-{name}-{}-{seq}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = StationStore::open(dir.join("o.sqlite3"), 10, "s", "t", "terms", None, None).unwrap();
        let card = VirtualCard::new(profile, &TestPki::generate().unwrap()).unwrap();
        let stats = card.stats();
        let made: Arc<Ready<Mutex<VirtualCard>>> = Arc::default();
        made.set(Mutex::new(card));
        let mut reader = VirtualReader::new(made, Duration::ZERO);
        let source = reader.start(Box::new(|_| {}));
        Rig {
            source,
            reader: Some(reader),
            stats,
            store,
            held: Held::default(),
            dir,
        }
    }

    fn named(name: &str) -> Rig {
        Rig::new(&Profile::named(name).unwrap(), name)
    }

    fn run(&mut self, request: CardRequest) -> Result<CardReply, crate::card::CardError> {
        execute(self.source.as_mut(), &self.store, &mut self.held, request).0
    }

    fn stats(&self) -> CardStats {
        self.stats.lock().unwrap().clone()
    }

    /// The probe (when `probe`), then the 4-digit PIN and EF 02: the card session the
    /// challenge binds.
    fn read(&mut self, probe: bool, pin: &str) -> crate::card::basic4::BasicFour {
        if probe {
            assert!(matches!(self.run(CardRequest::Probe), Ok(CardReply::Probed(_))));
        }
        match self.run(CardRequest::VerifyAndRead(
            Secret::parse(PinKind::TextPin, pin.as_bytes()).unwrap(),
        )) {
            Ok(CardReply::Read(p)) => p,
            r => panic!("{r:?}"),
        }
    }

    fn sign(
        &mut self,
        pin: &str,
        person: &crate::card::basic4::BasicFour,
    ) -> Result<CardReply, crate::card::CardError> {
        self.run(CardRequest::AuthSign {
            pin: AuthPin::new(pin.as_bytes()).unwrap(),
            person: person.clone(),
            declared: Default::default(),
        })
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// docs/card.md, "APDU counts": after the probe read the auth certificate, the challenge is
/// SELECT JPKI, SELECT 0018, query (the tries shown), VERIFY, SELECT 0017, SIGN = 6; without
/// the probe (signature step off) the certificate is read first: 8 with extended length.
#[test]
fn a_childs_challenge_signs_once_with_the_fewest_apdus_and_is_card_authenticated() {
    for (probe, apdus) in [(true, 6), (false, 8)] {
        let mut r = Rig::named("yoshino");
        let person = r.read(probe, "0000");
        let before = r.stats().apdus;
        assert!(matches!(r.run(CardRequest::AuthStart), Ok(CardReply::Tries(3))));
        let record = match r.sign("4649", &person) {
            Ok(CardReply::Signed(record)) => record,
            other => panic!("{other:?}"),
        };
        let s = r.stats();
        assert_eq!(
            s.apdus - before,
            apdus,
            "probe {probe}: {:?}",
            &s.apdu_log[before as usize..]
        );
        assert_eq!((s.auth_verifies, s.auth_signatures, s.signatures), (1, 1, 1));
        assert_eq!(s.text_pin_tries, 3);
        assert_eq!(s.my_number_selects, 0);
        assert_eq!(record.payload().level(), Assurance::CardAuthenticated);
        assert!(record.payload().ef02.is_some(), "EF 02 as read travels with the record");
    }
}

#[test]
fn a_wrong_auth_pin_is_one_verify_and_nothing_is_signed() {
    let mut r = Rig::named("yoshino");
    let person = r.read(true, "0000");
    assert!(matches!(r.run(CardRequest::AuthStart), Ok(CardReply::Tries(3))));
    // The 4-digit PIN's digits, typed for the other PIN: one try of the auth PIN's own.
    let e = r.sign("0000", &person).unwrap_err();
    assert_eq!(
        e,
        crate::card::CardError::WrongPin {
            kind: PinKind::AuthPin,
            tries_left: 2
        }
    );
    let s = r.stats();
    assert_eq!((s.auth_verifies, s.auth_pin_tries, s.signatures), (1, 2, 0));
    assert_eq!(s.text_pin_tries, 3, "the other PIN's counter untouched");
}

#[test]
fn a_locked_auth_pin_gets_no_verify() {
    let mut r = Rig::named("authlocked");
    r.read(true, "3690");
    let reply = r.run(CardRequest::AuthStart);
    assert_eq!(
        reply.unwrap_err(),
        crate::card::CardError::Locked { kind: PinKind::AuthPin }
    );
    assert_eq!(r.stats().auth_verifies, 0);
}

/// An expired 利用者証明用 certificate is said before the citizen types (Code 21): the tries
/// are not even asked.
#[test]
fn an_expired_auth_certificate_is_refused_before_any_pin() {
    let yoshino = crate::card::vcard::profile::BUILTIN
        .iter()
        .find(|(id, _)| *id == "yoshino")
        .unwrap()
        .1;
    let text = format!("{yoshino}auth_certificate = \"expired\"\n");
    let mut r = Rig::new(&Profile::from_toml(&text, "yoshino-expired").unwrap(), "expired");
    r.read(false, "0000");
    let reply = r.run(CardRequest::AuthStart);
    assert!(
        matches!(
            reply,
            Ok(CardReply::CertificateRefused(crate::seam::CertificateProblem::Expired))
        ),
        "{reply:?}"
    );
    let s = r.stats();
    assert_eq!((s.auth_verifies, s.verify_queries), (0, 0), "not even the tries asked");
}

/// The session that read EF 02 ended (released, or the card left): the challenge sends
/// nothing and answers `Unbound`, so the flow reads again, whatever it believed.
#[test]
fn a_challenge_after_the_card_session_ended_sends_nothing() {
    // Released between the read and the challenge.
    let mut r = Rig::named("yoshino");
    let person = r.read(true, "0000");
    r.held.end();
    r.source.release();
    let before = r.stats().apdus;
    assert!(matches!(r.run(CardRequest::AuthStart), Ok(CardReply::Unbound)));
    assert!(matches!(r.sign("4649", &person), Ok(CardReply::Unbound)));
    assert_eq!(r.stats().apdus, before);

    // Pulled and put back without a release reaching the card thread: the error that said
    // it was gone ended the session.
    let mut r = Rig::named("yoshino");
    let person = r.read(true, "0000");
    let reader = r.reader.as_mut().unwrap();
    assert!(reader.pull_or_place());
    assert!(r.run(CardRequest::AuthStart).unwrap_err().is_card_gone());
    assert!(r.reader.as_mut().unwrap().pull_or_place());
    let before = r.stats().apdus;
    assert!(matches!(r.run(CardRequest::AuthStart), Ok(CardReply::Unbound)));
    assert!(matches!(r.sign("4649", &person), Ok(CardReply::Unbound)));
    assert_eq!(r.stats().apdus, before);
    assert_eq!(r.stats().auth_verifies, 0);
}
