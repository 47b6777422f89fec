//! The one thing a card client needs from below: send one APDU, get its answer.
//!
//! A transport sends each command exactly once. It never re-sends to grow a buffer, after a
//! timeout, or after a reset: for VERIFY that would spend a second PIN try (docs/card.md).
//!
//! [`Timed`] wraps a transport to measure it: each APDU's round trip and the re-sends, per
//! card request, so the figures travel with the request's reply instead of living in
//! process-wide counters.

use super::apdu::{Command, Response, INS_GET_RESPONSE, INS_READ_BINARY};
use std::time::Instant;
use thiserror::Error;

/// Why an APDU did not get an answer. Texts are English for logs; the UI uses `i18n`.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TransportError {
    #[error("the PC/SC service (pcscd) is not running")]
    NoService,
    #[error("no card reader is connected")]
    NoReader,
    #[error("reader {0:?} not found")]
    UnknownReader(String),
    #[error("no card on the reader")]
    NoCard,
    #[error("the card was removed")]
    CardRemoved,
    #[error("the card was reset by another program")]
    CardReset,
    #[error("the card does not respond (bad contact or NFC field)")]
    Unresponsive,
    #[error("another program is using the card or reader")]
    Busy,
    #[error("the reader timed out")]
    Timeout,
    #[error("the reader does not support extended-length APDUs")]
    ExtendedUnsupported,
    #[error("refused by the APDU allowlist: {0}")]
    Refused(Refusal),
    #[error("card communication failed: {0}")]
    Other(String),
}

/// Why the allowlist refused a command before it reached the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("the My Number (券面事項入力補助AP EF 01) and EF 03 are never read")]
    MyNumberFile,
    #[error("application not on the allowlist")]
    Application,
    #[error("file not on the allowlist")]
    File,
    #[error("no allowlisted file is selected")]
    NothingSelected,
    #[error("operation not allowed on the selected file")]
    Operation,
    #[error("instruction not on the allowlist")]
    Instruction,
    /// FID 0001 is the JPKI signing certificate and also the My Number of 券面事項入力補助AP:
    /// it is selected only after its application was selected in the same transaction, never
    /// on a selection remembered from an earlier one (the card may have been reset or swapped).
    #[error("FID 0001 needs its application selected in this transaction")]
    StaleSelection,
}

pub trait Transport {
    /// Sends `cmd` once and returns the card's answer.
    fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError>;

    /// Whether extended-length APDUs are known to work (`Some(true)`), known not to
    /// (`Some(false)`), or unknown and worth one try (`None`).
    fn extended_length(&self) -> Option<bool> {
        None
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError> {
        (**self).transmit(cmd)
    }
    fn extended_length(&self) -> Option<bool> {
        (**self).extended_length()
    }
}

/// What the APDUs of one card request cost: timings and counts only (no command, no data), for
/// the reader-health figures (the diagnostics sparkline, `madoguchi status`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Each APDU's round trip (µs), in the order sent.
    pub round_trips_us: Vec<u32>,
    /// APDUs that were a second exchange for the same thing (GET RESPONSE after `61xx`, the
    /// same READ re-sent after `6Cxx`, a READ repeated in short form after an extended one
    /// failed): a reader or a card placement that struggles shows here.
    pub resends: u32,
}

impl LinkStats {
    /// Adds what a later exchange of the same request cost.
    pub fn extend(&mut self, later: LinkStats) {
        self.round_trips_us.extend(later.round_trips_us);
        self.resends += later.resends;
    }
}

/// A transport that times every APDU it passes on and counts re-sends. Put it under the
/// allowlist guard: only what reaches the card is measured.
pub struct Timed<T> {
    inner: T,
    /// INS, P1, P2 of the previous command (a READ with the same header is a re-send).
    last_header: Option<(u8, u8, u8)>,
    stats: LinkStats,
}

impl<T: Transport> Timed<T> {
    pub fn new(inner: T) -> Timed<T> {
        Timed {
            inner,
            last_header: None,
            stats: LinkStats::default(),
        }
    }

    /// What the APDUs passed on so far cost.
    pub fn into_stats(self) -> LinkStats {
        self.stats
    }
}

impl<T: Transport> Transport for Timed<T> {
    fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError> {
        let header = (cmd.ins(), cmd.p1(), cmd.p2());
        if cmd.ins() == INS_GET_RESPONSE || (cmd.ins() == INS_READ_BINARY && self.last_header == Some(header)) {
            self.stats.resends += 1;
        }
        self.last_header = Some(header);
        let started = Instant::now();
        let result = self.inner.transmit(cmd);
        let us = started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        self.stats.round_trips_us.push(us);
        result
    }

    fn extended_length(&self) -> Option<bool> {
        self.inner.extended_length()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::apdu::StatusWord;

    /// Answers `61 02` to the first command and 90 00 to the rest.
    struct Card(u32);
    impl Transport for Card {
        fn transmit(&mut self, _: &Command) -> Result<Response, TransportError> {
            self.0 += 1;
            let sw = if self.0 == 1 {
                StatusWord(0x6102)
            } else {
                StatusWord::OK
            };
            Ok(Response {
                data: Default::default(),
                sw,
            })
        }
    }

    #[test]
    fn each_apdu_is_timed_and_second_exchanges_are_counted() {
        let mut t = Timed::new(Card(0));
        t.transmit(&Command::read_binary(0, 256)).unwrap();
        t.transmit(&Command::get_response(2)).unwrap();
        t.transmit(&Command::read_binary(0, 256)).unwrap();
        t.transmit(&Command::read_binary(256, 256)).unwrap();
        let stats = t.into_stats();
        assert_eq!(stats.round_trips_us.len(), 4);
        // GET RESPONSE, and a READ whose header repeats the one before (not the READ after
        // GET RESPONSE, nor one at another offset).
        assert_eq!(stats.resends, 1);
    }

    /// Two requests measured side by side (two card threads, two tests at once) each see
    /// only their own APDUs.
    #[test]
    fn figures_belong_to_their_own_request() {
        let threads: Vec<_> = (1..=4u32)
            .map(|n| {
                std::thread::spawn(move || {
                    let mut t = Timed::new(Card(1));
                    for i in 0..n * 10 {
                        t.transmit(&Command::read_binary(i as u16, 1)).unwrap();
                    }
                    (n, t.into_stats())
                })
            })
            .collect();
        for h in threads {
            let (n, stats) = h.join().unwrap();
            assert_eq!(stats.round_trips_us.len() as u32, n * 10);
            assert_eq!(stats.resends, 0);
        }
    }
}
