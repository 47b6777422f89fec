use super::*;
use crate::app::readers::VirtualSource;
use crate::app::ready::Ready;
use crate::backend::station::StationStore;
use crate::card::basic4::BasicFour;
use crate::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
use crate::card::Transport;
use crate::seam::FinishError;
use crate::seam::{BackendError, Declared};
use crate::secret::{PinKind, Secret};
use std::sync::Mutex;

/// A station store of the test's own, in a fresh directory under the temp dir.
fn station_store(name: &str) -> (std::path::PathBuf, StationStore) {
    let dir = std::env::temp_dir().join(format!("madoguchi-worker-{name}-{}", std::process::id()));
    let store = StationStore::open(dir.join("o.sqlite3"), 10, "s", "t", "terms", None, None).unwrap();
    (dir, store)
}

/// The demo's card, made and on its reader.
fn placed(card: VirtualCard) -> (VirtualSource, Arc<Ready<Mutex<VirtualCard>>>) {
    let made: Arc<Ready<Mutex<VirtualCard>>> = Arc::default();
    made.set(Mutex::new(card));
    (VirtualSource::placed(Arc::clone(&made)), made)
}

#[test]
fn the_held_card_is_not_reselected_between_requests() {
    let (dir, backend) = station_store("main");
    let profile = Profile::named("yamada").unwrap();
    let card = VirtualCard::new(&profile, &TestPki::generate().unwrap()).unwrap();
    let stats = card.stats();
    let (mut source, _made) = placed(card);
    let mut session = Held::default();
    let pin = |p: &[u8]| Secret::parse(PinKind::TextPin, p).unwrap();
    let apdus = || stats.lock().unwrap().apdus;

    assert!(matches!(
        execute(
            &mut source,
            &backend,
            &mut session,
            CardRequest::QueryTries(PinKind::TextPin)
        )
        .0,
        Ok(CardReply::Tries(3))
    ));
    assert_eq!(apdus(), 3, "SELECT AP, SELECT PIN, tries");
    let r = execute(
        &mut source,
        &backend,
        &mut session,
        CardRequest::VerifyAndRead(pin(b"1234")),
    )
    .0;
    assert!(matches!(r, Ok(CardReply::Read(_))));
    assert_eq!(apdus(), 6, "VERIFY, SELECT EF 02, READ: the minimum for the whole read");

    // A failed request starts the next one from scratch.
    source.release();
    session = Held::default();
    execute(
        &mut source,
        &backend,
        &mut session,
        CardRequest::QueryTries(PinKind::TextPin),
    )
    .0
    .unwrap();
    assert_eq!(apdus(), 9);
    let r = execute(
        &mut source,
        &backend,
        &mut session,
        CardRequest::VerifyAndRead(pin(b"9999")),
    )
    .0;
    assert!(matches!(r, Err(CardError::WrongPin { tries_left: 2, .. })));
    assert_eq!(session.session, Session::default());
    execute(
        &mut source,
        &backend,
        &mut session,
        CardRequest::QueryTries(PinKind::TextPin),
    )
    .0
    .unwrap();
    assert_eq!(apdus(), 10 + 3, "re-selected after the error");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_released_demo_card_keeps_nothing_verified() {
    use crate::card::apdu::{Command, StatusWord};
    use crate::card::files::{Application, Ef};
    let (dir, backend) = station_store("release");
    let card = VirtualCard::new(&Profile::named("yamada").unwrap(), &TestPki::generate().unwrap()).unwrap();
    let (mut source, card) = placed(card);
    let mut session = Held::default();
    let pin = Secret::parse(PinKind::TextPin, b"1234").unwrap();
    let r = execute(&mut source, &backend, &mut session, CardRequest::VerifyAndRead(pin)).0;
    assert!(matches!(r, Ok(CardReply::Read(_))));
    source.release();
    // Another program on the card now: SELECT AP, SELECT EF 02, READ needs the PIN again.
    let mut c = card.get().unwrap().lock().unwrap();
    c.transmit(&Command::select_df(Application::Text.aid())).unwrap();
    c.transmit(&Command::select_ef(Ef::Basic4.fid())).unwrap();
    let read = c.transmit(&Command::read_binary(0, 256)).unwrap();
    assert_eq!(read.sw, StatusWord::SECURITY_STATUS);
    assert_eq!(c.stats().lock().unwrap().power_downs, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_card_switched_between_transactions_never_reaches_the_my_number() {
    use crate::card::apdu::Command;
    use crate::card::files::Application;
    let (dir, backend) = station_store("swap");
    let profile = Profile::named("yamada").unwrap();
    let card = VirtualCard::new(&profile, &TestPki::generate().unwrap()).unwrap();
    let stats = card.stats();
    let (mut source, card) = placed(card);
    let mut session = Held::default();
    execute(
        &mut source,
        &backend,
        &mut session,
        CardRequest::QueryTries(PinKind::SignPassword),
    )
    .0
    .unwrap();
    // Between transactions something else selects the text AP on the card (a reset by
    // another program, a card swapped for one left in the text AP).
    card.get()
        .unwrap()
        .lock()
        .unwrap()
        .transmit(&Command::select_df(Application::Text.aid()))
        .unwrap();
    let person = {
        let mut c = MyNumberCard::new(VirtualCard::new(&profile, &TestPki::generate().unwrap()).unwrap());
        c.verify(&Secret::parse(PinKind::TextPin, b"1234").unwrap()).unwrap();
        c.read_basic_four().unwrap()
    };
    let r = execute(
        &mut source,
        &backend,
        &mut session,
        CardRequest::VerifyAndSign {
            password: Secret::parse(PinKind::SignPassword, b"ABC123").unwrap(),
            person,
            declared: Default::default(),
        },
    )
    .0;
    assert!(matches!(r, Ok(CardReply::Signed(_))), "{r:?}");
    let s = stats.lock().unwrap();
    assert_eq!(s.my_number_selects, 0);
    assert_eq!(s.text_pin_tries, 3, "no VERIFY went to the text AP's PIN");
    assert_eq!(s.sign_password_tries, 5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The figures come back with the reply: each APDU of this request timed (3: SELECT AP,
/// SELECT PIN, the counter query), nothing of any other.
#[test]
fn a_reply_brings_the_round_trips_of_its_own_apdus() {
    let (dir, backend) = station_store("link");
    let card = VirtualCard::new(&Profile::named("yamada").unwrap(), &TestPki::generate().unwrap()).unwrap();
    let (mut source, _made) = placed(card);
    let mut session = Held::default();
    let (r, link) = execute(
        &mut source,
        &backend,
        &mut session,
        CardRequest::QueryTries(PinKind::TextPin),
    );
    assert!(matches!(r, Ok(CardReply::Tries(3))));
    assert_eq!(link.round_trips_us.len(), 3);
    assert_eq!(link.resends, 0);
    // Held card, nothing re-selected: one APDU.
    let (_, link) = execute(
        &mut source,
        &backend,
        &mut session,
        CardRequest::QueryTries(PinKind::TextPin),
    );
    assert_eq!(link.round_trips_us.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The card face in the session of EF 02: the tries (no VERIFY), one VERIFY per number
/// (a wrong one is the flow's reply, not an error), EF 0002 read, its pictures decoded and
/// its signature checked with the issuer key the backend holds; EF 0005 and EF 0013 never
/// selected.
#[test]
fn the_card_face_is_read_after_pin_b_and_its_pictures_decoded() {
    use crate::card::face::FaceSignature;
    use crate::secret::PinB;
    let dir = std::env::temp_dir().join(format!("madoguchi-worker-face-{}", std::process::id()));
    let pki = TestPki::generate().unwrap();
    let issuer = openssl::pkey::PKey::public_key_from_pem(&pki.face_issuer_pem()).unwrap();
    let backend = StationStore::open(dir.join("o.sqlite3"), 10, "s", "t", "terms", None, None)
        .unwrap()
        .with_face_issuer(issuer);
    let profile = Profile::named("yamada").unwrap();
    let card = VirtualCard::new(&profile, &pki).unwrap();
    let stats = card.stats();
    let (mut source, _made) = placed(card);
    let mut session = Held::default();
    let pin = Secret::parse(PinKind::TextPin, b"1234").unwrap();
    let r = execute(&mut source, &backend, &mut session, CardRequest::VerifyAndRead(pin)).0;
    assert!(matches!(r, Ok(CardReply::Read(_))));
    let r = execute(&mut source, &backend, &mut session, CardRequest::FaceTries).0;
    assert!(matches!(r, Ok(CardReply::FaceTries(3))), "{r:?}");
    assert_eq!(stats.lock().unwrap().pin_b_verifies, 0, "the tries cost no VERIFY");
    let wrong = PinB::new(b"55021720359999").unwrap();
    let r = execute(
        &mut source,
        &backend,
        &mut session,
        CardRequest::VerifyFaceAndRead(wrong),
    )
    .0;
    assert!(matches!(r, Ok(CardReply::FaceWrong(2))), "{r:?}");
    let right = PinB::new(profile.pin_b().unwrap().as_bytes()).unwrap();
    let r = execute(
        &mut source,
        &backend,
        &mut session,
        CardRequest::VerifyFaceAndRead(right),
    )
    .0;
    let Ok(CardReply::Face(read)) = r else { panic!("{r:?}") };
    assert_eq!(read.signature, FaceSignature::Valid);
    let photo = read.pictures.photo.as_ref().expect("the photo decodes");
    assert_eq!((photo.width(), photo.height()), (378, 472));
    assert!(read.pictures.name.is_some() && read.pictures.address.is_some());
    let s = stats.lock().unwrap();
    assert_eq!(
        (s.pin_b_verifies, s.pin_b_tries),
        (2, 3),
        "one VERIFY each, the right one resets"
    );
    assert_eq!((s.my_number_selects, s.pin_a_verifies), (0, 0));
    assert!(
        !s.apdu_log.iter().any(|a| a.contains("00 05") || a.contains("00 13")),
        "{:?}",
        s.apdu_log
    );
    drop(s);
    // Without an issuer key: not verified, never "genuine".
    let plain = StationStore::open(dir.join("p.sqlite3"), 10, "s", "t", "terms", None, None).unwrap();
    assert_eq!(plain.check_card_face(&read.face), FaceSignature::NotVerified);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A backend whose statement can't be built: it never started.
struct NotStarted;

impl StationBackend for NotStarted {
    fn check_certificate(&self, _: &[u8]) -> Result<(), crate::seam::CertificateProblem> {
        Ok(())
    }
    fn prepare(&self, _: &BasicFour, _: &Declared) -> Result<crate::seam::Prepared, BackendError> {
        Err(BackendError::Storage("not started".into()))
    }
    fn finish(
        &self,
        _: crate::seam::Prepared,
        _: &[u8],
        _: &[u8],
        _: &BasicFour,
    ) -> Result<crate::seam::SignedPayload, FinishError> {
        unreachable!()
    }
    fn prepare_challenge(
        &self,
        _: &BasicFour,
        _: crate::card::basic4::Ef02,
        _: &Declared,
    ) -> Result<crate::seam::PreparedChallenge, BackendError> {
        unreachable!()
    }
    fn finish_challenge(
        &self,
        _: crate::seam::PreparedChallenge,
        _: &[u8],
        _: &[u8],
    ) -> Result<crate::seam::SignedPayload, FinishError> {
        unreachable!()
    }
    fn store_signed(&self, _: crate::seam::SignedPayload) -> Result<String, BackendError> {
        unreachable!()
    }
    fn allow_unauthenticated(&self) -> bool {
        false
    }
    fn store_unauthenticated(&self, _: &BasicFour, _: &Declared) -> Result<String, BackendError> {
        unreachable!()
    }
    fn queue(&self) -> crate::seam::QueueInfo {
        Default::default()
    }
    fn can_start_new(&self) -> bool {
        true
    }
    fn sealed(&self) -> bool {
        true
    }
    fn start_delivery(&self, _: Box<dyn Fn(String, crate::seam::Verdict) + Send + Sync>) {}
}

/// Issue 21: the backend's failure reaches the flow as the backend's, not as a card
/// communication error carrying its text.
#[test]
fn a_backend_failure_while_signing_is_the_backends_not_the_cards() {
    let profile = Profile::named("yamada").unwrap();
    let pki = TestPki::generate().unwrap();
    let person = {
        let mut c = MyNumberCard::new(VirtualCard::new(&profile, &pki).unwrap());
        c.verify(&Secret::parse(PinKind::TextPin, b"1234").unwrap()).unwrap();
        c.read_basic_four().unwrap()
    };
    let (mut source, _made) = placed(VirtualCard::new(&profile, &pki).unwrap());
    let (r, _) = execute(
        &mut source,
        &NotStarted,
        &mut Held::default(),
        CardRequest::VerifyAndSign {
            password: Secret::parse(PinKind::SignPassword, b"ABC123").unwrap(),
            person,
            declared: Default::default(),
        },
    );
    assert!(
        !matches!(r, Err(CardError::Transport(crate::card::TransportError::Other(_)))),
        "{r:?}"
    );
    assert!(
        matches!(r, Ok(CardReply::BackendFailed(BackendError::Storage(ref e))) if e == "not started"),
        "{r:?}"
    );
}
