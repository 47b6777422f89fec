//! The card thread: PC/SC calls block, so all card work runs here, one request at a time,
//! and answers go back as events. During a citizen's session the card is held exclusively
//! (another station sees it busy); `Release` (完了, start over, the idle wipe, a removal, a
//! reader switch, quitting) powers the card down, so no verified PIN outlives the session: a
//! warm reset would keep it (docs/card.md, "Ending a card session").

mod face;
mod sign;

use super::challenge::{self, Bound};
use super::AppEvent;
use crate::card::client::Session;
use crate::card::{client::MyNumberCard, CardError, Transport};
use crate::card::{LinkStats, Timed};
use crate::flow::{self, CardReply, CardRequest, FaceRead};
use crate::seam::StationBackend;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;

pub enum WorkerMsg {
    Request { id: u64, request: CardRequest },
    Release,
    SelectReader(Option<String>),
    Shutdown,
}

/// Where the card is: a PC/SC reader, or the demo's in-process virtual card (`super::readers`).
pub trait CardSource: Send {
    fn with_card(
        &mut self,
        f: &mut dyn FnMut(&mut dyn Transport) -> Result<CardReply, CardError>,
    ) -> Result<CardReply, CardError>;
    /// Ends the citizen's card session: the card is powered down, nothing stays verified.
    fn release(&mut self);
    fn select(&mut self, _reader: Option<String>) {}
}

/// `source` with each APDU timed under the allowlist guard: what a request's exchanges cost
/// comes back with its reply.
struct Timing<'a> {
    source: &'a mut dyn CardSource,
    link: LinkStats,
}

impl CardSource for Timing<'_> {
    fn with_card(
        &mut self,
        f: &mut dyn FnMut(&mut dyn Transport) -> Result<CardReply, CardError>,
    ) -> Result<CardReply, CardError> {
        let Timing { source, link } = self;
        source.with_card(&mut |t| {
            let mut timed = Timed::new(t);
            let r = f(&mut timed);
            link.extend(timed.into_stats());
            r
        })
    }

    fn release(&mut self) {
        self.source.release();
    }

    fn select(&mut self, reader: Option<String>) {
        self.source.select(reader);
    }
}

/// What the card thread keeps of the card held for a citizen, from one request to the next:
/// what is selected (any error starts it afresh), and what the 利用者証明 challenge binds
/// (until the card session ends).
#[derive(Default)]
pub(super) struct Held {
    session: Session,
    bound: Bound,
}

impl Held {
    /// The card session is over (released, another reader): nothing of it is kept.
    pub(super) fn end(&mut self) {
        *self = Held::default();
    }
}

/// Runs one request against the card; returns the reply and what its APDUs cost.
pub(super) fn execute(
    source: &mut dyn CardSource,
    backend: &dyn StationBackend,
    held: &mut Held,
    request: CardRequest,
) -> (Result<CardReply, CardError>, LinkStats) {
    let mut timing = Timing {
        source,
        link: LinkStats::default(),
    };
    let result = run_request(&mut timing, backend, held, request);
    held.bound.end_on(&result);
    (result, timing.link)
}

fn run_request(
    source: &mut dyn CardSource,
    backend: &dyn StationBackend,
    held: &mut Held,
    request: CardRequest,
) -> Result<CardReply, CardError> {
    let start = held.session;
    let bound = &mut held.bound;
    let mut end = Session::default();
    let result = match request {
        CardRequest::Probe => source.with_card(&mut |t| {
            let (r, s) = super::probe::probe(t, start, &mut bound.auth_cert);
            end = s;
            r
        }),
        CardRequest::QueryTries(kind) => source.with_card(&mut |t| {
            let mut c = MyNumberCard::resume(t, start);
            let r = c.pin_tries(kind).map(CardReply::Tries);
            end = c.session();
            r
        }),
        CardRequest::VerifyAndRead(pin) => source.with_card(&mut |t| {
            bound.ef02 = None;
            let mut c = MyNumberCard::resume(t, start);
            c.verify(&pin)?;
            // EF 02 as read is kept for a 利用者証明 challenge in this card session.
            let (person, ef02) = c.read_basic_four_with_bytes()?;
            bound.ef02 = Some(ef02);
            end = c.session();
            Ok(CardReply::Read(person))
        }),
        CardRequest::FaceTries => source.with_card(&mut |t| {
            let mut c = MyNumberCard::resume(t, start);
            let r = c.pin_b_tries().map(CardReply::FaceTries);
            end = c.session();
            face::reply(r)
        }),
        // In the card session of the EF 02 just read: 照合番号B once, then EF 0002.
        CardRequest::VerifyFaceAndRead(pin) => source.with_card(&mut |t| {
            let mut c = MyNumberCard::resume(t, start);
            let r = c.verify_pin_b(&pin).and_then(|()| c.read_card_face());
            end = c.session();
            face::reply(r.map(|face| {
                let signature = backend.check_card_face(&face);
                let pictures = face::pictures(&face);
                CardReply::Face(Box::new(FaceRead {
                    face,
                    signature,
                    pictures,
                }))
            }))
        }),
        CardRequest::VerifyAndSign {
            password,
            person,
            declared,
        } => source.with_card(&mut |t| {
            let (r, s) = sign::sign(t, start, backend, &password, &person, &declared);
            end = s;
            r
        }),
        // Nothing is sent when the session that read EF 02 is over: the flow reads again.
        CardRequest::AuthStart if bound.ef02.is_none() => Ok(CardReply::Unbound),
        CardRequest::AuthStart => source.with_card(&mut |t| {
            let (r, s) = challenge::start(t, start, bound, backend);
            end = s;
            r
        }),
        CardRequest::AuthSign { .. } if bound.ef02.is_none() || bound.auth_cert.is_none() => Ok(CardReply::Unbound),
        CardRequest::AuthSign { pin, person, declared } => source.with_card(&mut |t| {
            let (r, s) = challenge::sign(t, start, bound, backend, &pin, &person, &declared);
            end = s;
            r
        }),
    };
    held.session = session_after(&result, end);
    result
}

/// The card session a request leaves: a wrong PIN (`63 Cx`) leaves the card's selection as it
/// was, so the next try sends only its VERIFY and what follows; after any other error nothing
/// is assumed.
fn session_after(result: &Result<CardReply, CardError>, end: Session) -> Session {
    match result {
        Ok(_) | Err(CardError::WrongPin { .. }) => end,
        Err(_) => Session::default(),
    }
}

pub fn run(
    mut source: Box<dyn CardSource>,
    backend: Arc<dyn StationBackend>,
    rx: Receiver<WorkerMsg>,
    tx: Sender<AppEvent>,
) {
    let mut held = Held::default();
    for msg in rx.iter() {
        match msg {
            WorkerMsg::Request { id, request } => {
                let (result, link) = execute(source.as_mut(), backend.as_ref(), &mut held, request);
                let reply = flow::Event::Card { id, result };
                if tx.send(AppEvent::Card { reply, link }).is_err() {
                    break;
                }
            }
            WorkerMsg::Release => {
                held.end();
                source.release();
            }
            WorkerMsg::SelectReader(r) => {
                held.end();
                source.select(r);
            }
            WorkerMsg::Shutdown => break,
        }
    }
    source.release();
}

#[cfg(test)]
mod tests;
