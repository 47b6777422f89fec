//! The signature with the 署名用 key: the password VERIFYed, the certificate read and checked,
//! the statement signed and verified before it is a record.

use crate::card::basic4::BasicFour;
use crate::card::client::{sha256_digest_info, MyNumberCard, Session};
use crate::card::files::Ef;
use crate::card::{CardError, Transport};
use crate::flow::CardReply;
use crate::seam::{Declared, FinishError, StationBackend};
use crate::secret::Secret;

/// Signs `person` and `declared`'s statement in this transaction; returns the reply and the
/// card session after it.
pub(super) fn sign(
    t: &mut dyn Transport,
    start: Session,
    backend: &dyn StationBackend,
    password: &Secret,
    person: &BasicFour,
    declared: &Declared,
) -> (Result<CardReply, CardError>, Session) {
    // A fresh selection in this transaction: the VERIFY, the SELECT 0001 of the certificate
    // and the signature must all run under a JPKI AP selected here, never under a selection
    // remembered from an earlier transaction.
    let mut c = MyNumberCard::resume(t, start.unselected());
    let r = (|| {
        c.verify(password)?;
        let cert = c.read_certificate(Ef::SignCert)?;
        // Expired (Code 21) or revoked on the station's CRL (Code 23): said at once, and
        // nothing is signed.
        if let Err(p) = backend.check_certificate(&cert) {
            return Ok(CardReply::CertificateRefused(p));
        }
        // The backend's own failure is the backend's: said as such, not as the card's.
        let prepared = match backend.prepare(person, declared) {
            Ok(p) => p,
            Err(e) => return Ok(CardReply::BackendFailed(e)),
        };
        let digest = openssl::sha::sha256(&prepared.statement);
        let signature = c.sign(&sha256_digest_info(&digest))?;
        // A broken card answer must never reach the backend as "signed".
        match backend.finish(prepared, &cert, &signature, person) {
            Ok(record) => Ok(CardReply::Signed(Box::new(record))),
            Err(FinishError::Backend(e)) => Ok(CardReply::BackendFailed(e)),
            Err(e @ (FinishError::SignatureInvalid | FinishError::CertificateUnreadable)) => {
                tracing::warn!(error = %e, "card signature failed local verification");
                Ok(CardReply::SignatureInvalid)
            }
        }
    })();
    (r, c.session())
}
