//! The demo draws its first frame before its keys exist: generating the test PKI, the card's
//! keys and the backend's seal key takes most of a second, and a citizen reads the terms first
//! anyway. `Deferred` stands in for the backend until the setup thread hands over the real
//! one: queries answer "empty queue" meanwhile, work waits for it (bounded).

use madoguchi::backend::station::StationStore;
use madoguchi::card::basic4::{BasicFour, Ef02};
use madoguchi::seam::{
    BackendError, CertificateProblem, CrlInfo, Declared, FinishError, Prepared, PreparedChallenge, QueueInfo,
    SignedPayload, StationBackend, Verdict,
};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

type Verdicts = Box<dyn Fn(String, Verdict) + Send + Sync>;

#[derive(Default)]
pub struct Deferred {
    inner: OnceLock<Result<StationStore, String>>,
    verdicts: Mutex<Option<Verdicts>>,
}

impl Deferred {
    /// Hands over the real backend (or why there is none); starts delivery if the station
    /// asked for it meanwhile.
    pub fn ready(&self, store: Result<StationStore, String>) {
        let _ = self.inner.set(store);
        if let (Some(Ok(s)), Ok(mut v)) = (self.inner.get(), self.verdicts.lock()) {
            if let Some(v) = v.take() {
                s.start_delivery(v);
            }
        }
    }

    /// The backend, waiting for it at most 30 s.
    fn wait(&self) -> Result<&StationStore, BackendError> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match self.inner.get() {
                Some(Ok(s)) => return Ok(s),
                Some(Err(e)) => return Err(BackendError::Storage(e.clone())),
                None if Instant::now() > deadline => {
                    return Err(BackendError::Storage("the demo's backend did not start".into()))
                }
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    fn now(&self) -> Option<&StationStore> {
        self.inner.get().and_then(|r| r.as_ref().ok())
    }
}

impl StationBackend for Deferred {
    fn check_certificate(&self, cert_der: &[u8]) -> Result<(), CertificateProblem> {
        self.wait()
            .map_err(|_| CertificateProblem::Unreadable)?
            .check_certificate(cert_der)
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
            .map_err(|_| FinishError::CertificateUnreadable)?
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
            .map_err(|_| FinishError::CertificateUnreadable)?
            .finish_challenge(prepared, auth_cert_der, auth_signature)
    }
    fn store_signed(&self, record: SignedPayload) -> Result<String, BackendError> {
        self.wait()?.store_signed(record)
    }
    fn store_unsigned(&self, person: &BasicFour, declared: &Declared) -> Result<String, BackendError> {
        self.wait()?.store_unsigned(person, declared)
    }
    fn allow_unauthenticated(&self) -> bool {
        self.wait().is_ok_and(|s| s.allow_unauthenticated())
    }
    fn store_unauthenticated(&self, person: &BasicFour, declared: &Declared) -> Result<String, BackendError> {
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
}
