//! The card thread: PC/SC calls block, so all card work runs here, one request at a time,
//! and answers go back as events. During a citizen's session the card is held exclusively
//! (another station sees it busy); `Release` disconnects with a reset, so no verified PIN
//! state outlives the session.

use super::{AppEvent, StationBackend};
use crate::card::client::sha256_digest_info;
use crate::card::files::Ef;
use crate::card::vcard::VirtualCard;
use crate::card::{CardError, MyNumberCard, Transport, TransportError};
use crate::flow::{CardReply, CardRequest, SignedRecord};
use crate::reader::{self, PcscCard};
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
    pub card: Arc<Mutex<VirtualCard>>,
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
        let mut card = self
            .card
            .lock()
            .map_err(|_| CardError::Transport(TransportError::Other("card lock".into())))?;
        let mut slow = Slow {
            card: &mut card,
            present: &self.present,
            delay: self.apdu_delay,
        };
        f(&mut slow)
    }

    fn release(&mut self) {
        if let Ok(mut c) = self.card.lock() {
            c.reset();
        }
    }
}

/// Runs one request against the card.
fn execute(
    source: &mut dyn CardSource,
    backend: &dyn StationBackend,
    request: CardRequest,
) -> Result<CardReply, CardError> {
    match request {
        CardRequest::QueryTries(kind) => source.with_card(&mut |t| {
            let mut c = MyNumberCard::new(t);
            c.forget_selection();
            c.pin_tries(kind).map(CardReply::Tries)
        }),
        CardRequest::VerifyAndRead(pin) => source.with_card(&mut |t| {
            let mut c = MyNumberCard::new(t);
            c.verify(&pin)?;
            c.read_basic_four().map(CardReply::Read)
        }),
        CardRequest::VerifyAndSign {
            password,
            person,
            email,
        } => source.with_card(&mut |t| {
            let mut c = MyNumberCard::new(t);
            c.verify(&password)?;
            let cert = c.read_certificate(Ef::SignCert)?;
            let prepared = match backend.prepare(&person, email.as_ref().map(|e| e.as_str())) {
                Ok(p) => p,
                Err(e) => return Err(CardError::Transport(TransportError::Other(e))),
            };
            let digest = openssl::sha::sha256(&prepared.statement);
            let signature = c.sign(&sha256_digest_info(&digest))?;
            let enrollment_id = prepared.enrollment_id.clone();
            // A broken card answer must never reach the backend as "signed".
            match backend.finish(prepared, &cert, &signature, &person) {
                Ok(record) => Ok(CardReply::Signed(Box::new(SignedRecord { enrollment_id, record }))),
                Err(super::FinishError::Mismatch) => Ok(CardReply::Mismatch),
                Err(super::FinishError::Invalid(e)) => {
                    tracing::warn!(error = %e, "card signature failed local verification");
                    Err(CardError::Malformed(crate::card::error::Malformed::Certificate))
                }
            }
        }),
    }
}

pub fn run(
    mut source: Box<dyn CardSource>,
    backend: Arc<dyn StationBackend>,
    rx: Receiver<WorkerMsg>,
    tx: Sender<AppEvent>,
) {
    for msg in rx.iter() {
        match msg {
            WorkerMsg::Request { id, request } => {
                let result = execute(source.as_mut(), backend.as_ref(), request);
                if tx.send(AppEvent::Card { id, result }).is_err() {
                    break;
                }
            }
            WorkerMsg::Release => source.release(),
            WorkerMsg::SelectReader(r) => source.select(r),
            WorkerMsg::Shutdown => break,
        }
    }
    source.release();
}
