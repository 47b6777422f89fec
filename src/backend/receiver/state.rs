//! What every connection of one receiver shares: its configuration, the CAs as last read,
//! the store and whether it answered, the metrics, the verification slots, the seal keys and
//! the TLS acceptor; reloaded on SIGHUP (`reload`), accounted per request (`account`).

use super::config::ReceiverConfig;
use super::peer::Tls;
use super::receipt::{Disposition, Receipt};
use crate::backend::crl::CrlSource;
use crate::backend::jwe;
use crate::backend::store::{Store, StoreError};
use openssl::x509::X509;
use serde_json::json;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// One receiver's state, behind an `Arc` in every connection and in `Control`.
pub(super) struct Shared {
    pub(super) cfg: ReceiverConfig,
    /// The CAs signing certificates must chain to: `cfg.trust_ca`, or the trust file as
    /// last read.
    pub(super) trust: RwLock<Arc<Vec<X509>>>,
    /// The 利用者証明用 CAs: `cfg.auth_ca`, or its file as last read.
    pub(super) auth_trust: RwLock<Arc<Vec<X509>>>,
    pub(super) metrics: crate::backend::metrics::Metrics,
    pub(super) started: Instant,
    /// Set on shutdown: /readyz says so, so a load balancer stops sending.
    pub(super) stopping: AtomicBool,
    /// Whether the store answered its last call (every request's, and a ping each second):
    /// what /readyz says, without a query of its own.
    pub(super) store_ok: AtomicBool,
    /// Where answered requests are kept: SQLite or PostgreSQL.
    pub(super) store: Arc<dyn Store>,
    /// Verifications at once: one per core (CPU-bound: RSA, chain, SAN).
    pub(super) verify_slots: Arc<tokio::sync::Semaphore>,
    /// `cfg.seal_keys` by `kid`.
    pub(super) keys: jwe::KeySet,
    /// The TLS acceptor (none: plain HTTP).
    pub(super) tls: Option<Tls>,
}

/// How often the receiver asks its store whether it answers (`Shared::watch_store`).
const STORE_PING_EVERY: Duration = Duration::from_secs(1);

impl Shared {
    /// The state of a receiver of `cfg`: its store opened (migrated), its seal keys by `kid`.
    pub(super) fn open(cfg: ReceiverConfig, tls: Option<Tls>) -> Result<Arc<Shared>, String> {
        let store = crate::backend::store::open_with_deadline(&cfg.db, cfg.limits.store)?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut keys = jwe::KeySet::default();
        for k in &cfg.seal_keys {
            keys.add(k.clone()).map_err(|e| format!("seal key: {e}"))?;
        }
        Ok(Arc::new(Shared {
            trust: RwLock::new(Arc::new(cfg.trust_ca.clone())),
            auth_trust: RwLock::new(Arc::new(cfg.auth_ca.clone())),
            cfg,
            keys,
            store,
            verify_slots: Arc::new(tokio::sync::Semaphore::new(cores)),
            metrics: Default::default(),
            started: Instant::now(),
            stopping: Default::default(),
            store_ok: AtomicBool::new(true),
            tls,
        }))
    }

    /// Remembers whether the store answered (for /readyz) and passes `r` on.
    pub(super) fn noted<T>(&self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        let ok = !matches!(r, Err(StoreError::Unavailable(_)));
        self.store_ok.store(ok, Ordering::SeqCst);
        r
    }

    /// Pings the store every second until the receiver stops, so /readyz follows the store
    /// when no request does (each ping within the store's deadline).
    pub(super) async fn watch_store(self: Arc<Self>, mut stopped: tokio::sync::watch::Receiver<bool>) {
        loop {
            let r = self.store.ping().await;
            if let Err(StoreError::Unavailable(e)) = &r {
                if self.store_ok.load(Ordering::SeqCst) {
                    tracing::warn!("store unavailable: {e}");
                }
            }
            self.noted(r).ok();
            tokio::select! {
                _ = until_stopped(&mut stopped) => return,
                _ = tokio::time::sleep(STORE_PING_EVERY) => {}
            }
        }
    }

    /// Counts the request and writes its log line.
    pub(super) fn account(&self, r: &Receipt, key: Option<&str>, bound: bool, took: Duration) {
        self.metrics.answered(r.status, &r.result);
        match r.disposition {
            Disposition::Stored => {
                self.metrics.stored(r.status == 200);
                if let (200, Some(level)) = (r.status, &r.assurance) {
                    self.metrics.accepted(level);
                }
            }
            Disposition::Replayed => self.metrics.replayed(),
            _ => {}
        }
        let Some(log) = &self.cfg.request_log else { return };
        let line = json!({
            "ts": crate::time::rfc3339(crate::time::unix_ms()),
            "id": key,
            "station": r.station,
            "bound": bound,
            "status": r.status,
            "result": r.result,
            "assurance": r.assurance,
            "disposition": format!("{:?}", r.disposition).to_lowercase(),
            "ms": (took.as_secs_f64() * 1e6).round() / 1e3,
        });
        if let Ok(mut w) = log.lock() {
            let _ = writeln!(w, "{line}");
            let _ = w.flush();
        }
    }

    /// Reads the trust file and the CRLs again (SIGHUP). On any error what was in use stays.
    pub(super) fn reload(&self) -> Result<String, String> {
        let mut cas = None;
        if let Some(f) = &self.cfg.trust_ca_file {
            cas = Some(crate::backend::trust::load_certificates(f)?);
        }
        // Both CA files are read before anything changes: an error leaves all as it was.
        let auth_cas = match &self.cfg.auth_ca_file {
            Some(f) => Some(crate::backend::trust::load_certificates(f)?),
            None => None,
        };
        let n_ca = cas
            .as_ref()
            .map_or_else(|| self.trust.read().map_or(0, |t| t.len()), Vec::len);
        let mut skipped = String::new();
        let n_crl = reload_crls(self.cfg.crl_source.as_deref(), cas.as_ref(), &mut skipped)?;
        // The 利用者証明用 CAs' CRLs, the same way.
        let n_auth_crl = reload_crls(self.cfg.auth_crl_source.as_deref(), auth_cas.as_ref(), &mut skipped)?;
        let n_auth_ca = auth_cas
            .as_ref()
            .map_or_else(|| self.auth_trust.read().map_or(0, |t| t.len()), Vec::len);
        if let (Some(cas), Ok(mut t)) = (cas, self.trust.write()) {
            *t = Arc::new(cas);
        }
        if let (Some(cas), Ok(mut t)) = (auth_cas, self.auth_trust.write()) {
            *t = Arc::new(cas);
        }
        let stations = match &self.tls {
            Some(tls) => tls.reload()?,
            None => String::new(),
        };
        Ok(format!(
            "{n_ca} trusted CA(s), {n_crl} CRL(s), {n_auth_ca} 利用者証明用 CA(s), {n_auth_crl} auth CRL(s){stations}{skipped}"
        ))
    }

    pub(super) fn crl_figures(&self) -> Vec<crate::backend::metrics::CrlFigure> {
        self.cfg.crl_source.as_ref().map_or_else(Vec::new, |src| {
            src.states()
                .into_iter()
                .map(|c| crate::backend::metrics::CrlFigure {
                    issuer: c.issuer,
                    age_secs: c.age_secs,
                    fresh: c.fresh,
                })
                .collect()
        })
    }
}

/// Reads the CRLs of `src` again (with the CAs just read, if any): how many are in use; the
/// files not read are said in `skipped`.
fn reload_crls(src: Option<&CrlSource>, cas: Option<&Vec<X509>>, skipped: &mut String) -> Result<usize, String> {
    let Some(src) = src else { return Ok(0) };
    if let Some(cas) = cas {
        src.set_trust(cas.clone());
    }
    let n = src.reload()?;
    for f in src.skipped() {
        skipped.push_str(&format!("; not read (not *.crl, *.pem, *.der): {}", f.display()));
    }
    Ok(n)
}

/// Resolves once shutdown was asked for (the watch's guard is not held past it).
pub(super) async fn until_stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}
