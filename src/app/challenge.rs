//! The card thread's side of the 利用者証明 challenge ([`CardRequest::AuthStart`] and
//! [`CardRequest::AuthSign`]), and what it binds: EF 02 exactly as read, and the
//! authentication certificate, each kept only for the card session they were read in.
//!
//! The session ends where a card source lets go of its connection — a release (every ending
//! of a citizen's session, a removal), a reader switch, or an error that means the card left
//! or was reset — and [`Bound`] is cleared there too: a challenge can't bind bytes read before
//! a reset, whatever the flow believes. It then answers [`CardReply::Unbound`] without sending
//! anything, and the flow reads the card again.
//!
//! Kept apart from `worker` so the card thread's request loop stays as it is.
//!
//! [`CardRequest::AuthStart`]: crate::flow::CardRequest::AuthStart
//! [`CardRequest::AuthSign`]: crate::flow::CardRequest::AuthSign

use crate::card::basic4::{BasicFour, Ef02};
use crate::card::client::{sha256_digest_info, MyNumberCard, Session};
use crate::card::files::Ef;
use crate::card::{CardError, Transport, TransportError};
use crate::flow::CardReply;
use crate::seam::{Declared, FinishError, StationBackend};
use crate::secret::{AuthPin, PinKind};
use zeroize::Zeroizing;

/// What this card session read that the challenge binds. Personal data: zeroized on drop.
#[derive(Default)]
pub(super) struct Bound {
    /// EF 02 as the last VERIFY-and-read of this session read it.
    pub ef02: Option<Ef02>,
    /// The 利用者証明用 certificate, read by the probe or by [`start`] in this session.
    pub auth_cert: Option<Zeroizing<Vec<u8>>>,
}

impl Bound {
    /// Forgets everything when `result` means the card session is over (the same errors
    /// after which a PC/SC source drops its connection).
    pub fn end_on(&mut self, result: &Result<CardReply, CardError>) {
        if let Err(e) = result {
            if e.is_card_gone()
                || matches!(
                    e,
                    CardError::Transport(TransportError::CardReset | TransportError::NoService)
                )
            {
                *self = Bound::default();
            }
        }
    }
}

/// The first half, no PIN: the certificate (kept from the probe, else read) checked by the
/// station — expired or revoked stops before the citizen types — then the auth PIN's tries.
/// Returns the reply and the session after it.
pub(super) fn start(
    t: &mut dyn Transport,
    session: Session,
    bound: &mut Bound,
    backend: &dyn StationBackend,
) -> (Result<CardReply, CardError>, Session) {
    let mut c = MyNumberCard::resume(t, session);
    let result = (|| {
        let cert = match bound.auth_cert.take() {
            Some(cert) => cert,
            None => c.read_certificate(Ef::AuthCert)?,
        };
        let checked = backend.check_certificate(&cert);
        bound.auth_cert = Some(cert);
        if let Err(p) = checked {
            return Ok(CardReply::CertificateRefused(p));
        }
        match c.pin_tries(PinKind::AuthPin)? {
            0 => Err(CardError::Locked { kind: PinKind::AuthPin }),
            n => Ok(CardReply::Tries(n)),
        }
    })();
    (result, c.session())
}

/// The second half, after an Enter on a well-formed auth PIN: the statement prepared first
/// (a backend failure spends no try), the VERIFY sent once, the signature made and checked
/// with the certificate of this session.
pub(super) fn sign(
    t: &mut dyn Transport,
    session: Session,
    bound: &Bound,
    backend: &dyn StationBackend,
    pin: &AuthPin,
    person: &BasicFour,
    declared: &Declared,
) -> (Result<CardReply, CardError>, Session) {
    let (Some(ef02), Some(cert)) = (&bound.ef02, &bound.auth_cert) else {
        return (Ok(CardReply::Unbound), session);
    };
    let prepared = match backend.prepare_challenge(person, ef02.clone(), declared) {
        Ok(p) => p,
        Err(e) => return (Ok(CardReply::BackendFailed(e)), session),
    };
    let digest = openssl::sha::sha256(prepared.statement());
    // The selection of `start` stands (EF 0018 for the VERIFY): the card is held
    // exclusively, and a reset in between fails this transaction instead.
    let mut c = MyNumberCard::resume(t, session);
    let signature = match c.auth_sign(pin, &sha256_digest_info(&digest)) {
        Ok(s) => s,
        Err(e) => return (Err(e), c.session()),
    };
    let end = c.session();
    // A broken card answer never becomes `card-authenticated`.
    let reply = match backend.finish_challenge(prepared, cert, &signature) {
        Ok(record) => CardReply::Signed(Box::new(record)),
        Err(FinishError::Backend(e)) => CardReply::BackendFailed(e),
        Err(e @ (FinishError::SignatureInvalid | FinishError::CertificateUnreadable)) => {
            tracing::warn!(error = %e, "the challenge's signature failed local verification");
            CardReply::SignatureInvalid
        }
    };
    (Ok(reply), end)
}

#[cfg(test)]
mod tests;
