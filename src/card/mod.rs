//! Talking APDUs to a My Number Card: command/response types, the transport seam, the
//! allowlist guard, the client, EF 02 decoding, the card face of the 券面事項確認AP, and the
//! virtual card used by tests and the demo.

pub mod apdu;
pub mod basic4;
pub mod cert;
pub mod client;
mod error;
pub mod face;
pub mod files;
pub mod guard;
pub mod tlv;
mod transport;
pub mod vcard;

pub use error::{CardError, Malformed};
pub use transport::{LinkStats, Refusal, Timed, Transport, TransportError};
