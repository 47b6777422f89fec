//! The seam between the station (flow, app, ui) and the backend (outbox, delivery): typed
//! values only, so nothing is downcast at run time. Sits at the bottom of the tree with
//! `record`; `backend` implements [`StationBackend`], `app` calls it, `flow` carries the
//! results, `ui` shows them.

use crate::card::basic4::{BasicFour, Ef02, PersonalText};
use crate::card::face::{CardFace, FaceSignature};
use crate::record::check::CardCheck;
use crate::record::payload::{CardFaceCheck, Payload, Representative, Statement};
use std::fmt;
use thiserror::Error;
use zeroize::Zeroizing;

/// What the backend layer does for the station (implemented over the outbox and delivery).
pub trait StationBackend: Send + Sync {
    /// Checks a card certificate before anything is signed — the signing certificate, or the
    /// 利用者証明用 certificate before its PIN is asked for: validity now, and revocation when
    /// the station has a CRL of its CA. `Ok` also when the station cannot know.
    fn check_certificate(&self, cert_der: &[u8]) -> Result<(), CertificateProblem>;
    /// The per-enrollment statement the card will sign (covering what was declared).
    fn prepare(&self, person: &BasicFour, declared: &Declared) -> Result<Prepared, BackendError>;
    /// Verifies the card's signature against the certificate read and compares the
    /// certificate's text with the confirmed data; returns the record to store.
    fn finish(
        &self,
        prepared: Prepared,
        cert_der: &[u8],
        signature: &[u8],
        person: &BasicFour,
    ) -> Result<SignedPayload, FinishError>;
    /// The statement for the 利用者証明 challenge (`card-authenticated`): the same canonical
    /// form as [`StationBackend::prepare`]'s, binding also the SHA-256 of `ef02`, EF 02 exactly
    /// as read in the card session that will sign (the one `person` was decoded from and the
    /// citizen confirmed; anything else is refused).
    fn prepare_challenge(
        &self,
        person: &BasicFour,
        ef02: Ef02,
        declared: &Declared,
    ) -> Result<PreparedChallenge, BackendError>;
    /// Verifies the authentication key's signature over the challenge with the 利用者証明用
    /// certificate read: a broken card answer never becomes `card-authenticated`. Returns the
    /// record to store with [`StationBackend::store_signed`].
    fn finish_challenge(
        &self,
        prepared: PreparedChallenge,
        auth_cert_der: &[u8],
        auth_signature: &[u8],
    ) -> Result<SignedPayload, FinishError>;
    /// Stores durably (committed and synced) and returns the enrollment id: a `signed` or a
    /// `card-authenticated` record, each verified locally before.
    fn store_signed(&self, record: SignedPayload) -> Result<String, BackendError>;
    /// Whether the operator allows records that prove no card (`allow_unauthenticated`, off by
    /// default): the flow offers the way only then, and the clerk sees that it is taken.
    fn allow_unauthenticated(&self) -> bool;
    /// Stores an `unauthenticated` record; refused (`BackendError::Storage`, nothing stored)
    /// unless [`StationBackend::allow_unauthenticated`].
    fn store_unauthenticated(&self, person: &BasicFour, declared: &Declared) -> Result<String, BackendError>;
    fn queue(&self) -> QueueInfo;
    /// False when the queue is full: no new enrollment may start.
    fn can_start_new(&self) -> bool;
    fn sealed(&self) -> bool;
    /// Starts background delivery; verdicts per enrollment id go to `verdicts`.
    fn start_delivery(&self, verdicts: Box<dyn Fn(String, Verdict) + Send + Sync>);
    /// The `kid` (RFC 7638 thumbprint) of the backend key records are sealed to.
    fn seal_kid(&self) -> Option<String> {
        None
    }
    /// The station's CRL, when one is configured.
    fn crl(&self) -> Option<CrlInfo> {
        None
    }
    /// DF 28 of the card face checked with the issuer key the operator configured
    /// (`[checks] card_face_issuer_key`): `NotVerified` without one, never a guess.
    fn check_card_face(&self, face: &CardFace) -> FaceSignature {
        face.check_signature(None)
    }
}

/// The station's CRL as the status line shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrlInfo {
    /// Seconds since its thisUpdate.
    pub age_secs: u64,
    /// Within the configured age limit (and nextUpdate): used for revocation checks.
    pub fresh: bool,
}

/// What the citizen and the clerk declared besides the card: the contact e-mail (typed twice)
/// and the 法定代理人 who applied for the holder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Declared {
    pub email: Option<PersonalText>,
    pub representative: Option<Representative>,
    /// The language the citizen read the terms in (BCP 47), signed with the terms' hash.
    pub lang: Option<String>,
    /// What the clerk did with the card face (the chip's photo compared with the person).
    pub card_face: Option<CardFaceCheck>,
}

impl Declared {
    pub fn email(&self) -> Option<&str> {
        self.email.as_ref().map(|e| e.as_str())
    }
}

/// The statement prepared for one signature, and what the record needs besides it.
pub struct Prepared {
    pub enrollment_id: String,
    /// The canonical bytes the card signs (SHA-256 of these in a DigestInfo).
    pub statement: Vec<u8>,
    parsed: Statement,
    email: Option<Zeroizing<String>>,
}

impl Prepared {
    pub fn new(statement: Statement, email: Option<&str>) -> Prepared {
        Prepared {
            enrollment_id: statement.enrollment_id.clone(),
            statement: statement.canonical(),
            parsed: statement,
            email: email.map(|e| Zeroizing::new(e.to_string())),
        }
    }
    pub fn parsed(&self) -> &Statement {
        &self.parsed
    }
    pub fn email(&self) -> Option<&str> {
        self.email.as_ref().map(|e| e.as_str())
    }
}

/// The challenge prepared for one 利用者証明 signature: the statement (binding EF 02's
/// SHA-256), and EF 02 and the four items it carries into the record.
pub struct PreparedChallenge {
    prepared: Prepared,
    ef02: Ef02,
    person: BasicFour,
}

impl PreparedChallenge {
    /// Only the backend builds these, after checking `ef02` is what `person` came from.
    pub fn new(prepared: Prepared, ef02: Ef02, person: BasicFour) -> PreparedChallenge {
        PreparedChallenge { prepared, ef02, person }
    }
    pub fn enrollment_id(&self) -> &str {
        &self.prepared.enrollment_id
    }
    /// The canonical bytes the card's authentication key signs (SHA-256 of these in a
    /// DigestInfo).
    pub fn statement(&self) -> &[u8] {
        &self.prepared.statement
    }
    pub fn prepared(&self) -> &Prepared {
        &self.prepared
    }
    pub fn ef02(&self) -> &Ef02 {
        &self.ef02
    }
    pub fn person(&self) -> &BasicFour {
        &self.person
    }
}

impl fmt::Debug for PreparedChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PreparedChallenge({})", self.prepared.enrollment_id)
    }
}

/// A record whose card proof (the signing key's signature, or the 利用者証明 challenge) was
/// verified locally against the certificate read: the only thing `store_signed` takes.
pub struct SignedPayload(Payload);

impl SignedPayload {
    /// Only the backend builds these, after checking the signature.
    pub fn new(payload: Payload) -> SignedPayload {
        SignedPayload(payload)
    }
    pub fn payload(&self) -> &Payload {
        &self.0
    }
    pub fn into_payload(self) -> Payload {
        self.0
    }
    pub fn enrollment_id(&self) -> &str {
        &self.0.enrollment_id
    }
    /// How the card's text compared with its signing certificate.
    pub fn check(&self) -> Option<&CardCheck> {
        self.0.card_check.as_ref()
    }
}

impl fmt::Debug for SignedPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignedPayload({})", self.0.enrollment_id)
    }
}

/// Why the station could not store a record. The detail is for the log (never personal data);
/// the citizen and the clerk see the catalogue's words for the variant.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum BackendError {
    #[error("the outbox is full")]
    QueueFull,
    #[error("outbox: {0}")]
    Storage(String),
    #[error("sealing: {0}")]
    Seal(String),
    #[error("the record could not be encoded")]
    Encode,
}

/// Why a signature did not become a record.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum FinishError {
    /// The card's signature does not verify over the statement with the certificate read:
    /// a broken card answer never reaches the backend as "signed".
    #[error("the card's signature does not verify")]
    SignatureInvalid,
    /// What the card gave as its signing certificate is not a certificate.
    #[error("the signing certificate cannot be read")]
    CertificateUnreadable,
    /// The backend itself failed (the demo's never started, say): nothing about the card.
    #[error("{0}")]
    Backend(BackendError),
}

/// What the station can tell about the signing certificate before signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum CertificateProblem {
    /// Past notAfter (or before notBefore): the seeds' Code 21.
    #[error("the certificate is expired")]
    Expired,
    /// On the station's CRL: Code 23.
    #[error("the certificate is revoked")]
    Revoked,
    #[error("the certificate cannot be read")]
    Unreadable,
}

/// How the backend judged a delivered record (or why it is not delivered yet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Stored; the backend could not be reached or asked to retry later.
    Queued,
    CertificateExpired,
    CertificateRevoked,
    SignatureMismatch,
    UnsupportedCertificate,
    CardDataMismatch,
    /// The record does not prove the card the way its level claims (`ASSURANCE_NOT_PROVEN`).
    AssuranceNotProven,
    /// The receiver refused the record's signed time (`RECORD_TIME`): the station's clock is
    /// far off, or the record is older than the receiver accepts.
    RecordTime,
    InvalidRequest,
}

/// The outbox as the status line shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueInfo {
    pub pending: u64,
    pub oldest_age_secs: Option<u64>,
    pub review: u64,
}
