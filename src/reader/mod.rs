//! PC/SC: find readers, connect to a card, and carry APDUs in one transaction.
//!
//! Every pcsc call blocks; callers run this on a card thread, never on the UI. pcscd not
//! running is an expected state with its own error ([`TransportError::NoService`]).

pub mod atr;
pub mod diagnostics;
pub mod monitor;

use crate::card::apdu::{Command, Response};
use crate::card::{Transport, TransportError};
use pcsc::{Card, Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::ffi::CString;
use std::time::{Duration, Instant};
use zeroize::Zeroize;

/// Maps a pcsc error to what it means for the station.
pub fn map_error(e: pcsc::Error) -> TransportError {
    use pcsc::Error as E;
    match e {
        E::NoService | E::ServiceStopped | E::InvalidHandle => TransportError::NoService,
        E::NoReadersAvailable | E::ReaderUnavailable => TransportError::NoReader,
        E::UnknownReader => TransportError::UnknownReader(String::new()),
        E::NoSmartcard => TransportError::NoCard,
        E::RemovedCard => TransportError::CardRemoved,
        E::ResetCard => TransportError::CardReset,
        E::UnpoweredCard | E::UnresponsiveCard | E::CommError | E::NotTransacted | E::ProtoMismatch => {
            TransportError::Unresponsive
        }
        E::SharingViolation => TransportError::Busy,
        E::Timeout => TransportError::Timeout,
        other => TransportError::Other(other.to_string()),
    }
}

/// One reader as PC/SC reports it.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct ReaderInfo {
    pub name: String,
    pub card_present: bool,
    /// Another program holds the card exclusively.
    pub exclusive: bool,
    pub mute: bool,
    #[serde(serialize_with = "hex_opt")]
    pub atr: Option<Vec<u8>>,
}

fn hex_opt<S: serde::Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_str(&hex(b)),
        None => s.serialize_none(),
    }
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect::<Vec<_>>().join(" ")
}

pub fn establish() -> Result<Context, TransportError> {
    Context::establish(Scope::User).map_err(map_error)
}

/// All readers with their current state. No readers is an empty list, not an error.
pub fn list_readers(ctx: &Context) -> Result<Vec<ReaderInfo>, TransportError> {
    let names = match ctx.list_readers_owned() {
        Ok(n) => n,
        Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
        Err(e) => return Err(map_error(e)),
    };
    let mut states: Vec<ReaderState> = names
        .iter()
        .map(|n| ReaderState::new(n.clone(), State::UNAWARE))
        .collect();
    match ctx.get_status_change(Duration::ZERO, &mut states) {
        Ok(()) | Err(pcsc::Error::Timeout) => {}
        Err(e) => return Err(map_error(e)),
    }
    Ok(states
        .iter()
        .map(|rs| {
            let ev = rs.event_state();
            let present = ev.contains(State::PRESENT);
            ReaderInfo {
                name: rs.name().to_string_lossy().into_owned(),
                card_present: present,
                exclusive: ev.contains(State::EXCLUSIVE),
                mute: ev.contains(State::MUTE),
                atr: (present && !rs.atr().is_empty()).then(|| rs.atr().to_vec()),
            }
        })
        .collect())
}

/// Picks a reader: `wanted` matches exactly or as a substring; otherwise the first reader
/// with a card (so a TPM virtual reader listed first doesn't win).
pub fn choose_reader(readers: &[ReaderInfo], wanted: Option<&str>) -> Result<ReaderInfo, TransportError> {
    if readers.is_empty() {
        return Err(TransportError::NoReader);
    }
    if let Some(w) = wanted {
        return readers
            .iter()
            .find(|r| r.name == w)
            .or_else(|| readers.iter().find(|r| r.name.contains(w)))
            .cloned()
            .ok_or_else(|| TransportError::UnknownReader(w.to_string()));
    }
    readers
        .iter()
        .find(|r| r.card_present)
        .cloned()
        .ok_or(TransportError::NoCard)
}

/// A connected card. Dropping it powers the card down (`SCARD_UNPOWER_CARD`): a verified PIN
/// is reported to survive a warm reset and a reconnect, so the reset the pcsc crate does on
/// drop would leave the card verified for the next program (docs/card.md, "Ending a card
/// session").
pub struct PcscCard {
    /// Some until dropped.
    card: Option<Card>,
    pub reader: String,
    last_rtt: Option<Duration>,
}

impl PcscCard {
    /// Connects to the card in `reader`. `exclusive` is for a citizen's session: another
    /// station on the same machine then sees the reader as busy instead of interleaving.
    pub fn connect(ctx: &Context, reader: &str, exclusive: bool) -> Result<PcscCard, TransportError> {
        let name = CString::new(reader).map_err(|_| TransportError::UnknownReader(reader.to_string()))?;
        let mode = if exclusive {
            ShareMode::Exclusive
        } else {
            ShareMode::Shared
        };
        let card = ctx
            .connect(&name, mode, Protocols::ANY)
            .map_err(|e| match map_error(e) {
                TransportError::CardRemoved => TransportError::NoCard,
                TransportError::UnknownReader(_) => TransportError::UnknownReader(reader.to_string()),
                other => other,
            })?;
        Ok(PcscCard {
            card: Some(card),
            reader: reader.to_string(),
            last_rtt: None,
        })
    }

    fn card(&self) -> Result<&Card, TransportError> {
        self.card.as_ref().ok_or(TransportError::NoCard)
    }

    /// Active protocol as text ("T=0", "T=1", "RAW").
    pub fn protocol(&self) -> Option<&'static str> {
        let st = self.card().ok()?.status2_owned().ok()?;
        Some(match st.protocol2()? {
            pcsc::Protocol::T0 => "T=0",
            pcsc::Protocol::T1 => "T=1",
            pcsc::Protocol::RAW => "RAW",
        })
    }

    /// Round-trip time of the last APDU sent on this connection.
    pub fn last_rtt(&self) -> Option<Duration> {
        self.last_rtt
    }

    /// Runs `f` inside one PC/SC transaction, so no other program interleaves APDUs.
    pub fn transaction<R>(&mut self, f: impl FnOnce(&mut PcscTransport<'_>) -> R) -> Result<R, TransportError> {
        let card = self.card.as_mut().ok_or(TransportError::NoCard)?;
        let tx = card.transaction().map_err(map_error)?;
        let mut t = PcscTransport::new(&tx);
        let r = f(&mut t);
        if t.last_rtt.is_some() {
            self.last_rtt = t.last_rtt;
        }
        drop(t);
        // Errors ending the transaction (card gone) surface on the next call; the result of
        // `f` already says what happened.
        let _ = tx.end(Disposition::LeaveCard);
        Ok(r)
    }
}

impl Drop for PcscCard {
    fn drop(&mut self) {
        let Some(card) = self.card.take() else { return };
        // A card already gone needs nothing; if the power-down fails otherwise, dropping the
        // handle still disconnects it (with a reset).
        if let Err((_, e)) = card.disconnect(Disposition::UnpowerCard) {
            tracing::debug!(error = %e, "card not powered down at release");
        }
    }
}

/// Sends APDUs over a connected card. The receive buffer is extended-size, so an answer never
/// needs a second transmit (the bug that costs two PIN tries in another library).
pub struct PcscTransport<'a> {
    card: &'a Card,
    buf: Vec<u8>,
    pub last_rtt: Option<Duration>,
}

impl<'a> PcscTransport<'a> {
    pub fn new(card: &'a Card) -> PcscTransport<'a> {
        PcscTransport {
            card,
            buf: vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED],
            last_rtt: None,
        }
    }

    /// After a failed exchange: did the card leave? Readers (and vpcd) notice a removal with
    /// some delay, so look for up to one second before calling it a communication error.
    fn card_gone(&self) -> bool {
        for _ in 0..10 {
            let gone = match self.card.status2_owned() {
                Ok(st) => !st.status().contains(pcsc::Status::PRESENT),
                Err(e) => matches!(map_error(e), TransportError::CardRemoved | TransportError::NoCard),
            };
            if gone {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

impl Transport for PcscTransport<'_> {
    fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError> {
        let apdu = cmd.encode();
        let started = Instant::now();
        let mut used = 0;
        let result = self.card.transmit(&apdu, &mut self.buf).map(|r| {
            used = r.len();
            Response::from_raw(r)
        });
        drop(apdu);
        self.last_rtt = Some(started.elapsed());
        let out = match result {
            Ok(Some(resp)) => Ok(resp),
            // vpcd (and some readers) hand back nothing when the card leaves mid-command.
            Ok(None) if self.card_gone() => Err(TransportError::CardRemoved),
            Ok(None) => Err(TransportError::Other("answer shorter than a status word".into())),
            Err(e) => {
                let mapped = map_error(e);
                Err(match mapped {
                    // The client falls back to short reads; if the card is really gone, that
                    // next read says so.
                    TransportError::Unresponsive | TransportError::Other(_) if cmd.needs_extended() => {
                        TransportError::ExtendedUnsupported
                    }
                    // A lifted contactless card often shows first as a failed transmit.
                    TransportError::Unresponsive | TransportError::Other(_) if self.card_gone() => {
                        TransportError::CardRemoved
                    }
                    m => m,
                })
            }
        };
        // The answer may be personal data; wipe our copy of it.
        self.buf[..used].zeroize();
        out
    }
}

impl Drop for PcscTransport<'_> {
    fn drop(&mut self) {
        self.buf.as_mut_slice().zeroize();
    }
}
