//! The station's side of the backend: builds the statement, checks the card's signature and
//! certificate before anything is stored, seals, stores durably, and runs delivery.

use super::delivery::{self, DeliveryConfig, Waker};
use super::outbox::{now_ms, Outbox};
use super::payload::{verify_signature, CardData, Payload, Statement, SCHEMA};
use super::seal;
use crate::app::{FinishError, Prepared, StationBackend};
use crate::card::basic4::BasicFour;
use crate::flow::Verdict;
use crate::ui::station::QueueInfo;
use openssl::pkey::{PKey, Public};
use std::path::PathBuf;
use std::sync::Mutex;
use zeroize::Zeroizing;

pub struct StationStore {
    outbox_path: PathBuf,
    limit: u64,
    outbox: Mutex<Outbox>,
    station_id: String,
    terms_id: String,
    terms_sha256: String,
    seal_key: Option<PKey<Public>>,
    delivery: Option<DeliveryConfig>,
    waker: Mutex<Option<Waker>>,
}

impl StationStore {
    pub fn open(
        outbox_path: PathBuf,
        limit: u64,
        station_id: &str,
        terms_id: &str,
        terms_text: &str,
        seal_key: Option<PKey<Public>>,
        delivery: Option<DeliveryConfig>,
    ) -> Result<StationStore, String> {
        let outbox = Outbox::open(&outbox_path, limit).map_err(|e| e.to_string())?;
        Ok(StationStore {
            outbox_path,
            limit,
            outbox: Mutex::new(outbox),
            station_id: station_id.into(),
            terms_id: terms_id.into(),
            terms_sha256: super::payload::sha256_hex(terms_text.as_bytes()),
            seal_key,
            delivery,
            waker: Mutex::new(None),
        })
    }

    fn store(&self, payload: &Payload) -> Result<String, String> {
        let plain = Zeroizing::new(serde_json::to_vec(payload).map_err(|e| e.to_string())?);
        let body: Zeroizing<Vec<u8>> = match &self.seal_key {
            Some(k) => {
                let env = seal::seal(k, &payload.enrollment_id, &plain).map_err(|e| e.to_string())?;
                let wire = serde_json::json!({
                    "schema": SCHEMA,
                    "enrollment_id": payload.enrollment_id,
                    "station_id": payload.station_id,
                    "sealed": env,
                });
                Zeroizing::new(serde_json::to_vec(&wire).map_err(|e| e.to_string())?)
            }
            None => plain,
        };
        let mut o = self.outbox.lock().map_err(|_| "outbox lock".to_string())?;
        o.enqueue(
            &payload.enrollment_id,
            &payload.station_id,
            now_ms(),
            &body,
            self.seal_key.is_some(),
        )
        .map_err(|e| e.to_string())?;
        drop(o);
        if let Ok(w) = self.waker.lock() {
            if let Some(w) = w.as_ref() {
                w.wake();
            }
        }
        Ok(payload.enrollment_id.clone())
    }

    fn statement(&self, card: &CardData, email: Option<&str>) -> Statement {
        Statement::new(&self.station_id, &self.terms_id, &self.terms_sha256, card, email)
    }
}

impl StationBackend for StationStore {
    fn prepare(&self, person: &BasicFour, email: Option<&str>) -> Result<Prepared, String> {
        let st = self.statement(&CardData::from_basic4(person), email);
        let context: (Statement, Option<String>) = (st.clone(), email.map(str::to_string));
        Ok(Prepared {
            enrollment_id: st.enrollment_id.clone(),
            statement: st.canonical(),
            context: Box::new(context),
        })
    }

    fn finish(
        &self,
        prepared: Prepared,
        cert_der: &[u8],
        signature: &[u8],
        person: &BasicFour,
    ) -> Result<Box<dyn std::any::Any + Send>, FinishError> {
        let (st, email) = *prepared
            .context
            .downcast::<(Statement, Option<String>)>()
            .map_err(|_| FinishError::Invalid("statement".into()))?;
        match verify_signature(cert_der, &prepared.statement, signature) {
            Ok(true) => {}
            Ok(false) => return Err(FinishError::Invalid("signature does not verify".into())),
            Err(e) => return Err(FinishError::Invalid(e)),
        }
        let card = CardData::from_basic4(person);
        if !card.matches_certificate(cert_der) {
            return Err(FinishError::Mismatch);
        }
        Ok(Box::new(Payload::new(
            &st,
            card,
            email.as_deref(),
            Some(signature),
            Some(cert_der),
        )))
    }

    fn store_signed(&self, record: Box<dyn std::any::Any + Send>) -> Result<String, String> {
        let p = record.downcast::<Payload>().map_err(|_| "not a payload".to_string())?;
        self.store(&p)
    }

    fn store_unsigned(&self, person: &BasicFour, email: Option<&str>) -> Result<String, String> {
        let card = CardData::from_basic4(person);
        let st = self.statement(&card, email);
        self.store(&Payload::new(&st, card, email, None, None))
    }

    fn queue(&self) -> QueueInfo {
        let Ok(o) = self.outbox.lock() else {
            return QueueInfo::default();
        };
        let s = o.stats().unwrap_or_default();
        QueueInfo {
            pending: s.pending,
            oldest_age_secs: s.oldest_pending_ms.map(|t| ((now_ms() - t).max(0) / 1000) as u64),
            review: s.review,
        }
    }

    fn can_start_new(&self) -> bool {
        self.outbox
            .lock()
            .ok()
            .and_then(|o| o.can_start_new().ok())
            .unwrap_or(false)
    }

    fn sealed(&self) -> bool {
        self.seal_key.is_some()
    }

    fn start_delivery(&self, verdicts: Box<dyn Fn(String, Verdict) + Send + Sync>) {
        let Some(cfg) = self.delivery.clone() else { return };
        match delivery::spawn(self.outbox_path.clone(), self.limit, cfg, verdicts) {
            Ok(w) => {
                if let Ok(mut slot) = self.waker.lock() {
                    *slot = Some(w);
                }
            }
            Err(e) => tracing::error!(error = %e, "delivery not started"),
        }
    }
}
