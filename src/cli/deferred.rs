//! The demo draws its first frame before its keys exist: generating the test PKI, the card's
//! keys and the backend's seal key takes most of a second, and a citizen reads the terms first
//! anyway. The setup thread hands the card, the backend and the receiver over together in one
//! [`Kit`]; the demo's reader takes its card from it and [`Deferred`] stands in for the
//! backend. Queries answer "empty queue" meanwhile; work waits for the kit (bounded, woken when
//! it comes, never polling).

use madoguchi::app::readers::CardSlot;
use madoguchi::app::ready::Ready;
use madoguchi::backend::receiver::ReceiverHandle;
use madoguchi::backend::station::StationStore;
use madoguchi::card::basic4::{BasicFour, Ef02};
use madoguchi::card::face::{CardFace, FaceSignature};
use madoguchi::card::vcard::VirtualCard;
use madoguchi::seam::{
    BackendError, CertificateProblem, CrlInfo, Declared, FinishError, Prepared, PreparedChallenge, QueueInfo,
    SignedPayload, StationBackend, Verdict,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Verdicts = Box<dyn Fn(String, Verdict) + Send + Sync>;

/// How long work waits for the kit.
const WAIT: Duration = Duration::from_secs(30);

/// What the demo's setup makes.
pub struct Made {
    pub card: Mutex<VirtualCard>,
    pub store: StationStore,
    /// Taken when the demo ends, to stop the receiver.
    pub receiver: Mutex<Option<ReceiverHandle>>,
}

/// The demo's card, backend and receiver, once made — or why they could not be.
#[derive(Default)]
pub struct Kit(Ready<Result<Made, String>>);

impl Kit {
    fn made(&self, limit: Duration) -> Result<&Made, BackendError> {
        match self.0.wait(limit) {
            Some(Ok(m)) => Ok(m),
            Some(Err(e)) => Err(BackendError::Storage(e.clone())),
            None => Err(BackendError::Storage("the demo's backend did not start".into())),
        }
    }

    /// The receiver, for stopping it (None when the setup failed or never finished).
    pub fn take_receiver(&self) -> Option<ReceiverHandle> {
        let made = self.0.get()?.as_ref().ok()?;
        made.receiver.lock().ok()?.take()
    }
}

impl CardSlot for Kit {
    fn card(&self, limit: Duration) -> Option<&Mutex<VirtualCard>> {
        self.made(limit).ok().map(|m| &m.card)
    }
}

pub struct Deferred {
    kit: Arc<Kit>,
    verdicts: Mutex<Option<Verdicts>>,
    /// Each store waits this long first (`demo --store-delay-ms`): a quit or SIGTERM while a
    /// record is being saved can be tried.
    store_delay: Duration,
}

impl Deferred {
    pub fn new(kit: Arc<Kit>) -> Deferred {
        Deferred {
            kit,
            verdicts: Mutex::new(None),
            store_delay: Duration::ZERO,
        }
    }

    /// Slows each store down by `delay` (fault injection, as `--apdu-delay-ms` for the card).
    pub fn with_store_delay(self, delay: Duration) -> Deferred {
        Deferred {
            store_delay: delay,
            ..self
        }
    }

    /// Hands over what the setup made (or why there is nothing); starts delivery if the
    /// station asked for it meanwhile.
    pub fn ready(&self, made: Result<Made, String>) {
        self.kit.0.set(made);
        if let (Some(s), Ok(mut v)) = (self.now(), self.verdicts.lock()) {
            if let Some(v) = v.take() {
                s.start_delivery(v);
            }
        }
    }

    /// The backend, waiting for it at most [`WAIT`].
    fn wait(&self) -> Result<&StationStore, BackendError> {
        self.kit.made(WAIT).map(|m| &m.store)
    }

    fn now(&self) -> Option<&StationStore> {
        self.kit.made(Duration::ZERO).ok().map(|m| &m.store)
    }
}

impl StationBackend for Deferred {
    fn check_certificate(&self, cert_der: &[u8]) -> Result<(), CertificateProblem> {
        // Without a backend the station cannot know (`Ok`, as the trait says): `prepare`,
        // next, tells that the backend failed — not that the certificate is unreadable.
        match self.wait() {
            Ok(s) => s.check_certificate(cert_der),
            Err(_) => Ok(()),
        }
    }
    fn prepare(&self, person: &BasicFour, declared: &Declared) -> Result<Prepared, BackendError> {
        self.wait()?.prepare(person, declared)
    }
    fn finish(
        &self,
        prepared: Prepared,
        cert_der: &[u8],
        signature: &[u8],
        person: &BasicFour,
    ) -> Result<SignedPayload, FinishError> {
        self.wait()
            .map_err(FinishError::Backend)?
            .finish(prepared, cert_der, signature, person)
    }
    fn prepare_challenge(
        &self,
        person: &BasicFour,
        ef02: Ef02,
        declared: &Declared,
    ) -> Result<PreparedChallenge, BackendError> {
        self.wait()?.prepare_challenge(person, ef02, declared)
    }
    fn finish_challenge(
        &self,
        prepared: PreparedChallenge,
        auth_cert_der: &[u8],
        auth_signature: &[u8],
    ) -> Result<SignedPayload, FinishError> {
        self.wait()
            .map_err(FinishError::Backend)?
            .finish_challenge(prepared, auth_cert_der, auth_signature)
    }
    fn store_signed(&self, record: SignedPayload) -> Result<String, BackendError> {
        std::thread::sleep(self.store_delay);
        self.wait()?.store_signed(record)
    }
    fn allow_unauthenticated(&self) -> bool {
        self.wait().is_ok_and(|s| s.allow_unauthenticated())
    }
    fn store_unauthenticated(&self, person: &BasicFour, declared: &Declared) -> Result<String, BackendError> {
        std::thread::sleep(self.store_delay);
        self.wait()?.store_unauthenticated(person, declared)
    }
    fn queue(&self) -> QueueInfo {
        self.now().map(|s| s.queue()).unwrap_or_default()
    }
    fn can_start_new(&self) -> bool {
        self.now().is_none_or(|s| s.can_start_new())
    }
    fn sealed(&self) -> bool {
        // The demo always seals to its receiver's key.
        true
    }
    fn start_delivery(&self, verdicts: Verdicts) {
        match self.now() {
            Some(s) => s.start_delivery(verdicts),
            None => {
                if let Ok(mut v) = self.verdicts.lock() {
                    *v = Some(verdicts);
                }
                // Handed over in between: start it now.
                if let (Some(s), Ok(mut v)) = (self.now(), self.verdicts.lock()) {
                    if let Some(v) = v.take() {
                        s.start_delivery(v);
                    }
                }
            }
        }
    }
    fn seal_kid(&self) -> Option<String> {
        self.now().and_then(|s| s.seal_kid())
    }
    fn crl(&self) -> Option<CrlInfo> {
        self.now().and_then(<StationStore as StationBackend>::crl)
    }
    fn check_card_face(&self, face: &CardFace) -> FaceSignature {
        match self.wait() {
            Ok(s) => s.check_card_face(face),
            Err(_) => face.check_signature(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 21: a backend that never started is not a certificate the card got wrong.
    #[test]
    fn a_backend_that_failed_to_start_is_said_as_the_backends_failure() {
        let d = Deferred::new(Arc::default());
        d.ready(Err("no seal key".into()));
        let person = madoguchi::card::basic4::decode(&madoguchi::card::basic4::encode(
            "山田\u{3000}太郎",
            "東京都千代田区千代田１－１",
            "19800217",
            b'1',
            false,
        ))
        .unwrap();
        assert_eq!(d.check_certificate(b"not even DER"), Ok(()));
        let prepared = d.prepare(&person, &Declared::default());
        assert!(matches!(prepared, Err(BackendError::Storage(ref e)) if e == "no seal key"));
        let other = StationStore::open(
            std::env::temp_dir().join(format!("madoguchi-deferred-{}.sqlite3", std::process::id())),
            10,
            "s",
            "t",
            "terms",
            None,
            None,
        )
        .unwrap();
        let prepared = other.prepare(&person, &Declared::default()).unwrap();
        let finished = d.finish(prepared, b"cert", b"sig", &person);
        let e = finished.expect_err("not finished");
        assert_ne!(e, FinishError::CertificateUnreadable);
        assert_eq!(e, FinishError::Backend(BackendError::Storage("no seal key".into())));
    }
}
