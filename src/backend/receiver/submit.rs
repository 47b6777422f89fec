//! One record, from HTTP or from a hand-carried file: looked up, verified, then stored
//! idempotently per (station, key), and what became of it (`Receipt`).

use super::config::ReceiverConfig;
use super::peer::{station_id_ok, Peer};
use super::receipt::{Disposition, Receipt};
use super::state::Shared;
use super::verify::{check, shape, Refusal};
use crate::backend::store::{self, Remembered, Row, StoreError, StoreLocation};
use crate::record::canonical::sha256_hex;
use crate::record::payload::{Assurance, Payload};
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;

/// Number of accepted records in a receiver database, a store location or a SQLite file's
/// path (tests, the demo's summary).
pub fn accepted_count<'a, D: ?Sized>(db: &'a D) -> Result<u64, String>
where
    &'a D: Into<StoreLocation>,
{
    store::with_store(db, |s| s.accepted_count())
}

/// Accepted payloads, as JSON (tests, demo check).
pub fn accepted_payloads<'a, D: ?Sized>(db: &'a D) -> Result<Vec<Value>, String>
where
    &'a D: Into<StoreLocation>,
{
    store::with_store(db, |s| s.accepted_payloads())
}

/// One record, from HTTP or from a hand-carried file: verified, then stored idempotently.
pub(super) async fn submit(shared: &Arc<Shared>, peer: Peer, key: String, body: &[u8]) -> Receipt {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            let r = shape("malformed JSON", e);
            return Receipt::of(r.status, r.result, &r.detail);
        }
    };
    let Some(station) = station_of(&peer, &v) else {
        return Receipt::of(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "payload does not match the schema (field station_id)",
        );
    };
    // Bodies are the same when their JSON is: hashed in canonical form (keys sorted, no
    // spaces), so a record carried in a file and the same record sent later match. Rows of
    // the first release hold the hash of the raw bytes: both are accepted as "the same".
    let body_hash = sha256_hex(&serde_json::to_vec(&v).unwrap_or_default());
    let hashes = [body_hash.clone(), sha256_hex(body)];
    let bound = matches!(peer, Peer::Bound(_));
    let with_station = |mut r: Receipt| {
        r.station = Some(station.clone());
        r
    };
    // 1. Answered before (a retry)?
    let prior = match shared.noted(shared.store.lookup(&station, &key).await) {
        Ok(p) => p,
        Err(e) => return with_station(store_failed(e)),
    };
    // A success is final: the same key and body get the same 200 for ever. A rejection is
    // not: the operator may have fixed its cause (a CA or seal key added, a CRL refreshed),
    // so the same record retried is verified again. Another body under a remembered key is
    // refused (422), on every receiver sharing the store — unless the row is a rejection that
    // proved nothing of its sender: that one holds no key, the new body is verified.
    if let Some(prior) = prior.filter(|p| p.status == 200 || (p.proven && !hashes.contains(&p.body_sha256))) {
        return with_station(replay(prior, &hashes));
    }
    // 2. Verify outside any lock, one verification per core on the blocking pool.
    let Some(verdict) = verify(shared, peer, &key, v).await else {
        return Receipt::internal();
    };
    let (status, answer, stored) = answer_of(shared, verdict);
    // Malformed requests are answered but not remembered (they carry nothing to keep).
    // Refusals (403) are not remembered either: the key stays free for its own station.
    if status != 200 && status != 422 {
        return Receipt::new(status, answer, Disposition::NotStored, Some(station));
    }
    // 3. Store on (station, key): a new row, or over a remembered rejection of the same
    //    body; never over a success. When a concurrent request's success got there first (this receiver or
    //    another on the same database), its answer is the answer.
    let row = Row {
        // Only a bound station's rejection holds its key: an unbound sender (no client
        // certificate, an unsigned carried file) proves nothing of the station it names, not
        // even with a genuine card's signature — any card holder could make one for any id.
        proven: status == 200 || bound,
        station_id: station.clone(),
        idempotency_key: key,
        station_bound: bound,
        body_sha256: body_hash,
        raw_sha256: hashes[1].clone(),
        status,
        answer: answer.clone(),
        received_ms: crate::time::unix_ms(),
        payload: stored.as_ref().and_then(|p| serde_json::to_vec(p).ok()),
    };
    match shared.noted(shared.store.store(row).await) {
        Ok(None) => Receipt::new(status, answer, Disposition::Stored, Some(station)),
        Ok(Some(first)) => with_station(replay(first, &hashes)),
        Err(e) => with_station(store_failed(e)),
    }
}

/// Whose key this is: the bound station's, else the station the body names (None: the body
/// names none a store keeps).
fn station_of(peer: &Peer, v: &Value) -> Option<String> {
    match peer {
        Peer::Bound(cn) => Some(cn.clone()),
        _ => v
            .get("station_id")
            .and_then(Value::as_str)
            .filter(|s| station_id_ok(s))
            .map(str::to_string),
    }
}

/// `verify::check` on the blocking pool, within one of the verification slots; None when
/// the slots are closed or the check panicked.
async fn verify(shared: &Arc<Shared>, peer: Peer, key: &str, v: Value) -> Option<Result<Payload, Refusal>> {
    // The slot goes with the work: a client that hangs up does not free it while its
    // verification still runs on the blocking pool.
    let slot = Arc::clone(&shared.verify_slots).acquire_owned().await.ok()?;
    let (s2, k2) = (Arc::clone(shared), key.to_string());
    let started = Instant::now();
    let verdict = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let trust = s2.trust.read().map(|t| Arc::clone(&t)).unwrap_or_default();
        let auth_trust = s2.auth_trust.read().map(|t| Arc::clone(&t)).unwrap_or_default();
        check(&s2.cfg, &trust, &auth_trust, &s2.keys, &k2, &peer, v)
    })
    .await;
    shared.metrics.verified(started.elapsed());
    verdict.ok()
}

/// The answer to a verified record (status, JSON text) and the payload to keep with it.
fn answer_of(shared: &Shared, verdict: Result<Payload, Refusal>) -> (u16, String, Option<Payload>) {
    let (status, answer, stored) = match verdict {
        Ok(p) => {
            // Whether a CRL was consulted for the certificate that proves the record (the
            // 利用者証明用 one for `card-authenticated`): an operator running with --no-crl
            // or --no-auth-crl sees it on every such record.
            let checked = match p.level() {
                Assurance::CardAuthenticated => shared.cfg.auth_crl_source.is_some(),
                _ => shared.cfg.crl_source.is_some() || shared.cfg.crl.is_some(),
            };
            let a = json!({
                "result": "OK",
                "enrollment_id": p.enrollment_id,
                "revocation": if checked { "checked" } else { "unchecked" },
                // The level proven (docs/backend-api.md, "Assurance levels").
                "assurance": p.level().as_str(),
            });
            (200u16, a, Some(p))
        }
        Err(r) => {
            let mut a = json!({"result": r.result, "error": r.detail});
            if let Some(v) = r.vendor_code {
                a["vendor_code"] = json!(v);
            }
            (r.status.as_u16(), a, None)
        }
    };
    (status, answer.to_string(), stored)
}

/// A store that can't be reached is a 503 the station retries; other store errors are 500.
fn store_failed(e: StoreError) -> Receipt {
    match e {
        StoreError::Unavailable(detail) => {
            tracing::warn!("store unavailable: {detail}");
            store_unavailable()
        }
        StoreError::Other(detail) => {
            tracing::error!("store error: {detail}");
            Receipt::internal()
        }
    }
}

/// 503 STORE_UNAVAILABLE (with Retry-After): nothing was stored, the station retries.
pub(super) fn store_unavailable() -> Receipt {
    Receipt::of(
        StatusCode::SERVICE_UNAVAILABLE,
        "STORE_UNAVAILABLE",
        "the record store is unavailable; retry later",
    )
}

/// The same body gets the first answer again; another body under the key is a 422.
fn replay(prior: Remembered, hashes: &[String]) -> Receipt {
    if hashes.contains(&prior.body_sha256) {
        return Receipt::new(prior.status, prior.answer, Disposition::Replayed, None);
    }
    Receipt::new(
        422,
        json!({"result": "INVALID_REQUEST", "error": "Idempotency-Key reused with a different body"}).to_string(),
        Disposition::Conflict,
        None,
    )
}

/// The receiver without a listener, for records that arrive on foot (`receive import`):
/// the same verification, store and idempotency as `POST /v1/enrollments`. A carried file
/// binds no station, so records are taken as from an unbound peer.
pub struct Local {
    shared: Arc<Shared>,
    /// The station CAs and their CRL, to check the certificates of signed carried lines.
    stations: Option<(Vec<openssl::x509::X509>, Option<Arc<crate::backend::crl::CrlSource>>)>,
}

impl Local {
    pub fn open(cfg: ReceiverConfig) -> Result<Local, String> {
        Ok(Local {
            shared: Shared::open(cfg, None)?,
            stations: None,
        })
    }

    /// Checks the stations' signatures on carried lines against `ca` (file or directory, as
    /// `--client-ca`) and its CRLs: a line a station signed is bound to that station.
    pub fn with_station_ca(mut self, ca: &std::path::Path, crls: Vec<std::path::PathBuf>) -> Result<Local, String> {
        let cas = crate::backend::trust::load_certificates(ca)?;
        let crl = if crls.is_empty() {
            None
        } else {
            Some(crate::backend::crl::CrlSource::load(
                crls,
                cas.clone(),
                std::time::Duration::from_secs(0),
            )?)
        };
        self.stations = Some((cas, crl));
        Ok(self)
    }

    /// A record from no station in particular (an unsigned carried line).
    pub async fn submit(&self, key: &str, body: &[u8]) -> Receipt {
        self.submit_as(Peer::Unbound, key, body).await
    }

    /// A carried line: bound to its station when the station signed it and its certificate
    /// is a station's; refused when a signature is there but does not hold (never taken as
    /// unbound instead).
    pub async fn submit_carried(&self, c: &crate::backend::carry::Carried, body: &[u8]) -> Receipt {
        let key = c.enrollment_id.as_str();
        let Some(proof) = &c.station else {
            return self.submit(key, body).await;
        };
        let station = crate::backend::carry::verify_proof(key, &c.body, proof).and_then(|cert| match &self.stations {
            Some((cas, crl)) => super::peer::carried_station(&cert, cas, crl.as_deref()),
            None => {
                Err("the line is signed by a station, but no --client-ca was given to check its certificate".into())
            }
        });
        match station {
            Ok(cn) => self.submit_as(Peer::Bound(cn), key, body).await,
            Err(e) => {
                let r = Receipt::of(StatusCode::FORBIDDEN, "FORBIDDEN", &e);
                self.shared.account(&r, Some(key), false, std::time::Duration::ZERO);
                r
            }
        }
    }

    async fn submit_as(&self, peer: Peer, key: &str, body: &[u8]) -> Receipt {
        let started = Instant::now();
        let bound = matches!(peer, Peer::Bound(_));
        let r = submit(&self.shared, peer, key.to_string(), body).await;
        self.shared.account(&r, Some(key), bound, started.elapsed());
        r
    }
}
