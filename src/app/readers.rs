//! Where the station's cards come from. Both kinds tell the runtime the same reader events
//! (readers plugged and pulled, cards placed and removed) and give the card thread a
//! [`CardSource`] to talk to the card on the chosen reader:
//!
//! - [`PcscReaders`]: pcscd's readers, watched by the [`Monitor`];
//! - [`VirtualReader`]: the demo's one reader holding the in-process virtual card, which the
//!   clerk pulls and places with F8. No pcscd is involved at all.
//!
//! The runtime never asks which kind it has: the demo is just another reader.

use super::ready::Ready;
use super::worker::CardSource;
use crate::card::apdu::{Command, Response};
use crate::card::vcard::{VirtualCard, DEFAULT_ATR};
use crate::card::{CardError, Transport, TransportError};
use crate::flow::CardReply;
use crate::reader::monitor::{Monitor, ReaderEvent};
use crate::reader::{self, PcscCard};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the runtime's reader events go (to its event channel).
pub type Emit = Box<dyn Fn(ReaderEvent) + Send + Sync>;

/// A source of readers and cards.
pub trait Readers: Send {
    /// Starts telling reader events through `emit` (from now on, on any thread) and returns
    /// the card side, for the card thread.
    fn start(&mut self, emit: Emit) -> Box<dyn CardSource>;
    /// The reader the configuration names (exact name or a part of it); None: the first
    /// with a card.
    fn wanted(&self) -> Option<String> {
        None
    }
    /// Whether these readers are pcscd's (the diagnostics must not claim a pcscd that the
    /// station does not use).
    fn uses_pcscd(&self) -> bool {
        true
    }
    /// A hand on the card: pulls it off the reader, or places it back (F8). False where no
    /// hand reaches the card (a real reader).
    fn pull_or_place(&mut self) -> bool {
        false
    }
    /// Stops telling events.
    fn stop(&mut self) {}
}

/// pcscd's readers.
pub struct PcscReaders {
    wanted: Option<String>,
    monitor: Option<Monitor>,
}

impl PcscReaders {
    /// `wanted`: the configured reader (exact name or a part of it); None: the first with a
    /// card.
    pub fn new(wanted: Option<String>) -> PcscReaders {
        PcscReaders { wanted, monitor: None }
    }
}

impl Readers for PcscReaders {
    fn start(&mut self, emit: Emit) -> Box<dyn CardSource> {
        self.monitor = Some(Monitor::spawn(emit));
        Box::new(PcscSource::new(None))
    }

    fn wanted(&self) -> Option<String> {
        self.wanted.clone()
    }

    fn stop(&mut self) {
        if let Some(m) = self.monitor.take() {
            m.stop();
        }
    }
}

/// The card on a PC/SC reader, held from the first request of a citizen to the release.
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

/// The name the demo's reader goes by.
pub const DEMO_READER: &str = "Demo card reader";

/// Where the demo's card is handed over once made (its keys are made after the first frame).
pub trait CardSlot: Send + Sync {
    /// The card, waiting at most `limit` for it; None when it has not come (or never will).
    fn card(&self, limit: Duration) -> Option<&Mutex<VirtualCard>>;
}

impl CardSlot for Ready<Mutex<VirtualCard>> {
    fn card(&self, limit: Duration) -> Option<&Mutex<VirtualCard>> {
        self.wait(limit)
    }
}

/// The demo's reader: one reader, the virtual card on it from the start. F8 pulls the card
/// off and places it back, and the reader tells it like a PC/SC one does; each APDU can be
/// slowed down so pulling it mid-read can be tried by hand.
pub struct VirtualReader {
    source: VirtualSource,
    emit: Option<Emit>,
}

impl VirtualReader {
    pub fn new(slot: Arc<dyn CardSlot>, apdu_delay: Duration) -> VirtualReader {
        VirtualReader {
            source: VirtualSource {
                slot,
                present: Arc::new(AtomicBool::new(true)),
                apdu_delay,
            },
            emit: None,
        }
    }

    fn tell(&self, placed: bool) {
        let reader = DEMO_READER.to_string();
        if let Some(emit) = &self.emit {
            emit(if placed {
                ReaderEvent::CardInserted {
                    reader,
                    atr: DEFAULT_ATR.to_vec(),
                }
            } else {
                ReaderEvent::CardRemoved { reader }
            });
        }
    }
}

impl Readers for VirtualReader {
    fn start(&mut self, emit: Emit) -> Box<dyn CardSource> {
        emit(ReaderEvent::ReaderAdded {
            reader: DEMO_READER.into(),
        });
        self.emit = Some(emit);
        self.tell(self.source.present.load(Ordering::SeqCst));
        Box::new(self.source.clone())
    }

    fn uses_pcscd(&self) -> bool {
        false
    }

    fn pull_or_place(&mut self) -> bool {
        let placed = !self.source.present.load(Ordering::SeqCst);
        self.source.present.store(placed, Ordering::SeqCst);
        self.tell(placed);
        true
    }
}

/// The card side of the demo's reader: the virtual card, while it is on the reader.
#[derive(Clone)]
pub struct VirtualSource {
    slot: Arc<dyn CardSlot>,
    present: Arc<AtomicBool>,
    apdu_delay: Duration,
}

impl VirtualSource {
    /// A virtual card made already, on the reader.
    pub fn placed(card: Arc<Ready<Mutex<VirtualCard>>>) -> VirtualSource {
        VirtualSource {
            slot: card,
            present: Arc::new(AtomicBool::new(true)),
            apdu_delay: Duration::ZERO,
        }
    }
}

/// The virtual card as the demo's reader passes it APDUs: slowed down, and gone when pulled.
struct Slow<'a> {
    card: &'a mut VirtualCard,
    present: &'a AtomicBool,
    delay: Duration,
}

impl Transport for Slow<'_> {
    fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError> {
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
        let Some(card) = self.slot.card(Duration::from_secs(30)) else {
            return Err(CardError::Transport(TransportError::NoCard));
        };
        let mut card = card.lock().unwrap_or_else(|e| e.into_inner());
        let mut slow = Slow {
            card: &mut card,
            present: &self.present,
            delay: self.apdu_delay,
        };
        f(&mut slow)
    }

    fn release(&mut self) {
        if let Some(card) = self.slot.card(Duration::ZERO) {
            card.lock().unwrap_or_else(|e| e.into_inner()).power_down();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::vcard::{pki::TestPki, profile::Profile};
    use std::sync::mpsc;

    #[test]
    fn the_demos_reader_tells_the_same_events_as_a_pcsc_one() {
        let made: Arc<Ready<Mutex<VirtualCard>>> = Arc::default();
        let mut r = VirtualReader::new(made.clone(), Duration::ZERO);
        let (tx, rx) = mpsc::channel();
        let mut source = r.start(Box::new(move |ev| tx.send(ev).unwrap()));
        let atr = DEFAULT_ATR.to_vec();
        let reader = DEMO_READER.to_string();
        assert_eq!(
            rx.try_iter().collect::<Vec<_>>(),
            [
                ReaderEvent::ReaderAdded { reader: reader.clone() },
                ReaderEvent::CardInserted {
                    reader: reader.clone(),
                    atr: atr.clone()
                }
            ]
        );
        // The card comes after the request started waiting for it: no poll, a wake-up.
        let maker = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            let card = VirtualCard::new(&Profile::named("yamada").unwrap(), &TestPki::generate().unwrap()).unwrap();
            made.set(Mutex::new(card));
        });
        let tries = source.with_card(&mut |t| {
            crate::card::client::MyNumberCard::new(t)
                .pin_tries(crate::secret::PinKind::TextPin)
                .map(CardReply::Tries)
        });
        assert!(matches!(tries, Ok(CardReply::Tries(3))), "{tries:?}");
        maker.join().unwrap();
        // F8: pulled (told, and the card answers no more), then placed back.
        assert!(r.pull_or_place());
        assert_eq!(
            rx.try_recv().unwrap(),
            ReaderEvent::CardRemoved { reader: reader.clone() }
        );
        let gone = source.with_card(&mut |_| Ok(CardReply::Tries(0)));
        assert!(matches!(gone, Err(CardError::Transport(TransportError::NoCard))));
        assert!(r.pull_or_place());
        assert_eq!(rx.try_recv().unwrap(), ReaderEvent::CardInserted { reader, atr });
    }
}
