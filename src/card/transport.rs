//! The one thing a card client needs from below: send one APDU, get its answer.
//!
//! A transport sends each command exactly once. It never re-sends to grow a buffer, after a
//! timeout, or after a reset: for VERIFY that would spend a second PIN try (design.md).

use super::apdu::{Command, Response};
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
