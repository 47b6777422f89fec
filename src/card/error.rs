//! Typed card errors: every status word and transport failure the client can meet ends up as
//! one of these, so the UI can explain it (texts in `crate::i18n`). No variant carries card
//! data or PIN bytes.

use super::apdu::StatusWord;
use super::basic4::Basic4Error;
use super::files::Ef;
use super::tlv::TlvError;
use super::transport::TransportError;
use crate::secret::PinKind;
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CardError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("this card is not a My Number Card (application not found)")]
    NotMyNumberCard,
    #[error("wrong PIN; {tries_left} tries left")]
    WrongPin { kind: PinKind, tries_left: u8 },
    #[error("the PIN is locked")]
    Locked { kind: PinKind },
    #[error("security status not satisfied (PIN not verified)")]
    SecurityStatus,
    #[error("file {0:?} not found on the card")]
    FileNotFound(Ef),
    #[error("this card has no signing certificate (holders under 15 have none)")]
    NoSigningCertificate,
    #[error("malformed card answer: {0}")]
    Malformed(#[from] Malformed),
    #[error("unexpected status word {sw} for {op}")]
    Status { sw: StatusWord, op: &'static str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum Malformed {
    #[error("{0}")]
    Basic4(#[from] Basic4Error),
    #[error("{0}")]
    Tlv(#[from] TlvError),
    #[error("file longer than allowed ({0} bytes)")]
    TooLong(usize),
    #[error("file ends before its declared length")]
    Truncated,
    #[error("not a certificate")]
    Certificate,
    #[error("signature has the wrong length ({0} bytes)")]
    SignatureLength(usize),
    #[error("too many GET RESPONSE rounds")]
    Chaining,
    #[error("token information is not text")]
    Token,
    /// EF 0002 of the 券面事項確認AP does not parse (`face::CardFaceError` says where; it
    /// is logged where it is met).
    #[error("the card face does not parse")]
    CardFace,
}

impl From<Basic4Error> for CardError {
    fn from(e: Basic4Error) -> CardError {
        CardError::Malformed(Malformed::Basic4(e))
    }
}

impl From<TlvError> for CardError {
    fn from(e: TlvError) -> CardError {
        CardError::Malformed(Malformed::Tlv(e))
    }
}

impl CardError {
    /// True when the card left the reader (or the reader left the machine): the UI goes back
    /// to "place the card" rather than showing an error to act on.
    pub fn is_card_gone(&self) -> bool {
        matches!(
            self,
            CardError::Transport(TransportError::CardRemoved | TransportError::NoCard | TransportError::Unresponsive)
        )
    }
}
