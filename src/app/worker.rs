//! The card thread: PC/SC calls block, so all card work runs here, one request at a time,
//! and answers go back as events. During a citizen's session the card is held exclusively
//! (another station sees it busy); `Release` (完了, start over, the idle wipe, a removal, a
//! reader switch, quitting) powers the card down, so no verified PIN outlives the session: a
//! warm reset would keep it (docs/card.md, "Ending a card session").

use super::{AppEvent, StationBackend};
use crate::card::client::{sha256_digest_info, Session};
use crate::card::files::Ef;
use crate::card::vcard::VirtualCard;
use crate::card::{CardError, MyNumberCard, Transport, TransportError};
use crate::flow::{CardReply, CardRequest};
use crate::reader::{self, PcscCard};
use crate::seam::FinishError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub enum WorkerMsg {
    Request { id: u64, request: CardRequest },
    Release,
    SelectReader(Option<String>),
    Shutdown,
}

/// Where the card is: a PC/SC reader, or the demo's in-process virtual card.
pub trait CardSource: Send {
    fn with_card(
        &mut self,
        f: &mut dyn FnMut(&mut dyn Transport) -> Result<CardReply, CardError>,
    ) -> Result<CardReply, CardError>;
    /// Ends the citizen's card session: the card is powered down, nothing stays verified.
    fn release(&mut self);
    fn select(&mut self, _reader: Option<String>) {}
}

pub struct PcscSource {
    reader: Option<String>,
    conn: Option<PcscCard>,
}

impl PcscSource {
    pub fn new(reader: Option<String>) -> PcscSource {
        PcscSource { reader, conn: None }
    }
}

impl CardSource for PcscSource {
    fn with_card(
        &mut self,
        f: &mut dyn FnMut(&mut dyn Transport) -> Result<CardReply, CardError>,
    ) -> Result<CardReply, CardError> {
        if self.conn.is_none() {
            let ctx = reader::establish()?;
            let name = match &self.reader {
                Some(r) => r.clone(),
                None => reader::choose_reader(&reader::list_readers(&ctx)?, None)?.name,
            };
            self.conn = Some(PcscCard::connect(&ctx, &name, true)?);
        }
        let conn = self.conn.as_mut().ok_or(CardError::Transport(TransportError::NoCard))?;
        let result = match conn.transaction(|t| f(t)) {
            Ok(r) => r,
            Err(e) => Err(CardError::Transport(e)),
        };
        if matches!(&result, Err(e) if e.is_card_gone() || matches!(e, CardError::Transport(TransportError::CardReset | TransportError::NoService)))
        {
            self.conn = None;
        }
        result
    }

    fn release(&mut self) {
        self.conn = None;
    }

    fn select(&mut self, reader: Option<String>) {
        if reader != self.reader {
            self.conn = None;
            self.reader = reader;
        }
    }
}

/// The demo's card: on the "reader" while `present` is set; each APDU can be slowed down so
/// pulling it mid-read can be tried by hand.
pub struct VirtualSource {
    /// None until the demo has made the card (its keys are generated after the first frame).
    pub card: Arc<Mutex<Option<VirtualCard>>>,
    pub present: Arc<AtomicBool>,
    pub apdu_delay: Duration,
}

struct Slow<'a> {
    card: &'a mut VirtualCard,
    present: &'a AtomicBool,
    delay: Duration,
}

impl Transport for Slow<'_> {
    fn transmit(&mut self, cmd: &crate::card::apdu::Command) -> Result<crate::card::apdu::Response, TransportError> {
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
        if !self.present.load(Ordering::SeqCst) {
            return Err(TransportError::CardRemoved);
        }
        self.card.transmit(cmd)
    }
}

impl CardSource for VirtualSource {
    fn with_card(
        &mut self,
        f: &mut dyn FnMut(&mut dyn Transport) -> Result<CardReply, CardError>,
    ) -> Result<CardReply, CardError> {
        if !self.present.load(Ordering::SeqCst) {
            return Err(CardError::Transport(TransportError::NoCard));
        }
        // The demo draws before its card exists: the first request waits for it (the citizen
        // reads the terms meanwhile; making the keys takes well under a second).
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut card = loop {
            let guard = self
                .card
                .lock()
                .map_err(|_| CardError::Transport(TransportError::Other("card lock".into())))?;
            if guard.is_some() {
                break guard;
            }
            drop(guard);
            if std::time::Instant::now() > deadline {
                return Err(CardError::Transport(TransportError::NoCard));
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let Some(card) = card.as_mut() else {
            return Err(CardError::Transport(TransportError::NoCard));
        };
        let mut slow = Slow {
            card,
            present: &self.present,
            delay: self.apdu_delay,
        };
        f(&mut slow)
    }

    fn release(&mut self) {
        if let Ok(mut c) = self.card.lock() {
            if let Some(c) = c.as_mut() {
                c.power_down();
            }
        }
    }
}

/// Runs one request against the card. `session` carries what is selected on the card held
/// for this citizen from one request to the next; any error starts it afresh.
fn execute(
    source: &mut dyn CardSource,
    backend: &dyn StationBackend,
    session: &mut Session,
    request: CardRequest,
) -> Result<CardReply, CardError> {
    let start = *session;
    let mut end = Session::default();
    let result = match request {
        CardRequest::QueryTries(kind) => source.with_card(&mut |t| {
            let mut c = MyNumberCard::resume(t, start);
            let r = c.pin_tries(kind).map(CardReply::Tries);
            end = c.session();
            r
        }),
        CardRequest::VerifyAndRead(pin) => source.with_card(&mut |t| {
            let mut c = MyNumberCard::resume(t, start);
            c.verify(&pin)?;
            let r = c.read_basic_four().map(CardReply::Read);
            end = c.session();
            r
        }),
        CardRequest::VerifyAndSign {
            password,
            person,
            declared,
        } => source.with_card(&mut |t| {
            // A fresh selection in this transaction: the VERIFY, the SELECT 0001 of the
            // certificate and the signature must all run under a JPKI AP selected here, never
            // under a selection remembered from an earlier transaction.
            let mut c = MyNumberCard::resume(t, start.unselected());
            c.verify(&password)?;
            let cert = c.read_certificate(Ef::SignCert)?;
            end = c.session();
            // Expired (Code 21) or revoked on the station's CRL (Code 23): said at once, and
            // nothing is signed.
            if let Err(p) = backend.check_certificate(&cert) {
                return Ok(CardReply::CertificateRefused(p));
            }
            let prepared = match backend.prepare(&person, &declared) {
                Ok(p) => p,
                Err(e) => return Err(CardError::Transport(TransportError::Other(e.to_string()))),
            };
            let digest = openssl::sha::sha256(&prepared.statement);
            let signature = c.sign(&sha256_digest_info(&digest))?;
            end = c.session();
            // A broken card answer must never reach the backend as "signed".
            match backend.finish(prepared, &cert, &signature, &person) {
                Ok(record) => Ok(CardReply::Signed(Box::new(record))),
                Err(e @ (FinishError::SignatureInvalid | FinishError::CertificateUnreadable)) => {
                    tracing::warn!(error = %e, "card signature failed local verification");
                    Ok(CardReply::SignatureInvalid)
                }
            }
        }),
    };
    *session = if result.is_ok() { end } else { Session::default() };
    result
}

pub fn run(
    mut source: Box<dyn CardSource>,
    backend: Arc<dyn StationBackend>,
    rx: Receiver<WorkerMsg>,
    tx: Sender<AppEvent>,
) {
    let mut session = Session::default();
    for msg in rx.iter() {
        match msg {
            WorkerMsg::Request { id, request } => {
                let result = execute(source.as_mut(), backend.as_ref(), &mut session, request);
                if tx.send(AppEvent::Card { id, result }).is_err() {
                    break;
                }
            }
            WorkerMsg::Release => {
                session = Session::default();
                source.release();
            }
            WorkerMsg::SelectReader(r) => {
                session = Session::default();
                source.select(r);
            }
            WorkerMsg::Shutdown => break,
        }
    }
    source.release();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::station::StationStore;
    use crate::card::vcard::{pki::TestPki, profile::Profile};
    use crate::secret::{PinKind, Secret};

    #[test]
    fn the_held_card_is_not_reselected_between_requests() {
        let dir = std::env::temp_dir().join(format!("madoguchi-worker-{}", std::process::id()));
        let backend = StationStore::open(dir.join("o.sqlite3"), 10, "s", "t", "terms", None, None).unwrap();
        let profile = Profile::named("yamada").unwrap();
        let card = VirtualCard::new(&profile, &TestPki::generate().unwrap()).unwrap();
        let stats = card.stats();
        let mut source = VirtualSource {
            card: Arc::new(Mutex::new(Some(card))),
            present: Arc::new(AtomicBool::new(true)),
            apdu_delay: Duration::ZERO,
        };
        let mut session = Session::default();
        let pin = |p: &[u8]| Secret::parse(PinKind::TextPin, p).unwrap();
        let apdus = || stats.lock().unwrap().apdus;

        assert!(matches!(
            execute(
                &mut source,
                &backend,
                &mut session,
                CardRequest::QueryTries(PinKind::TextPin)
            ),
            Ok(CardReply::Tries(3))
        ));
        assert_eq!(apdus(), 3, "SELECT AP, SELECT PIN, tries");
        let r = execute(
            &mut source,
            &backend,
            &mut session,
            CardRequest::VerifyAndRead(pin(b"1234")),
        );
        assert!(matches!(r, Ok(CardReply::Read(_))));
        assert_eq!(apdus(), 6, "VERIFY, SELECT EF 02, READ: the minimum for the whole read");

        // A failed request starts the next one from scratch.
        source.release();
        session = Session::default();
        execute(
            &mut source,
            &backend,
            &mut session,
            CardRequest::QueryTries(PinKind::TextPin),
        )
        .unwrap();
        assert_eq!(apdus(), 9);
        let r = execute(
            &mut source,
            &backend,
            &mut session,
            CardRequest::VerifyAndRead(pin(b"9999")),
        );
        assert!(matches!(r, Err(CardError::WrongPin { tries_left: 2, .. })));
        assert_eq!(session, Session::default());
        execute(
            &mut source,
            &backend,
            &mut session,
            CardRequest::QueryTries(PinKind::TextPin),
        )
        .unwrap();
        assert_eq!(apdus(), 10 + 3, "re-selected after the error");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_released_demo_card_keeps_nothing_verified() {
        use crate::card::apdu::{Command, StatusWord};
        use crate::card::files::{Application, Ef};
        let dir = std::env::temp_dir().join(format!("madoguchi-worker-release-{}", std::process::id()));
        let backend = StationStore::open(dir.join("o.sqlite3"), 10, "s", "t", "terms", None, None).unwrap();
        let card = VirtualCard::new(&Profile::named("yamada").unwrap(), &TestPki::generate().unwrap()).unwrap();
        let card = Arc::new(Mutex::new(Some(card)));
        let mut source = VirtualSource {
            card: Arc::clone(&card),
            present: Arc::new(AtomicBool::new(true)),
            apdu_delay: Duration::ZERO,
        };
        let mut session = Session::default();
        let pin = Secret::parse(PinKind::TextPin, b"1234").unwrap();
        let r = execute(&mut source, &backend, &mut session, CardRequest::VerifyAndRead(pin));
        assert!(matches!(r, Ok(CardReply::Read(_))));
        source.release();
        // Another program on the card now: SELECT AP, SELECT EF 02, READ needs the PIN again.
        let mut guard = card.lock().unwrap();
        let c = guard.as_mut().unwrap();
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
        let dir = std::env::temp_dir().join(format!("madoguchi-worker-swap-{}", std::process::id()));
        let backend = StationStore::open(dir.join("o.sqlite3"), 10, "s", "t", "terms", None, None).unwrap();
        let profile = Profile::named("yamada").unwrap();
        let card = VirtualCard::new(&profile, &TestPki::generate().unwrap()).unwrap();
        let stats = card.stats();
        let card = Arc::new(Mutex::new(Some(card)));
        let mut source = VirtualSource {
            card: Arc::clone(&card),
            present: Arc::new(AtomicBool::new(true)),
            apdu_delay: Duration::ZERO,
        };
        let mut session = Session::default();
        execute(
            &mut source,
            &backend,
            &mut session,
            CardRequest::QueryTries(PinKind::SignPassword),
        )
        .unwrap();
        // Between transactions something else selects the text AP on the card (a reset by
        // another program, a card swapped for one left in the text AP).
        card.lock()
            .unwrap()
            .as_mut()
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
        );
        assert!(matches!(r, Ok(CardReply::Signed(_))), "{r:?}");
        let s = stats.lock().unwrap();
        assert_eq!(s.my_number_selects, 0);
        assert_eq!(s.text_pin_tries, 3, "no VERIFY went to the text AP's PIN");
        assert_eq!(s.sign_password_tries, 5);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
