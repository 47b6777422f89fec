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

    /// Reads the trust files, the CRLs and the station CAs again (SIGHUP). Everything is read
    /// first; only when all of it reads is it put in use, so on any error what was in use
    /// stays, all of it.
    pub(super) fn reload(&self) -> Result<String, String> {
        let load = |f: &Option<std::path::PathBuf>| {
            f.as_ref()
                .map(|f| crate::backend::trust::load_certificates(f))
                .transpose()
        };
        let cas = load(&self.cfg.trust_ca_file)?;
        let auth_cas = load(&self.cfg.auth_ca_file)?;
        let stage = |src: Option<&CrlSource>, cas: &Option<Vec<X509>>| src.map(|s| s.stage(cas.clone())).transpose();
        let sign_crls = stage(self.cfg.crl_source.as_deref(), &cas)?;
        let auth_crls = stage(self.cfg.auth_crl_source.as_deref(), &auth_cas)?;
        let stations = match &self.tls {
            Some(tls) => tls.stage()?,
            None => None,
        };
        // All read: in use from here.
        let mut skipped = String::new();
        let n_crl = commit_crls(self.cfg.crl_source.as_deref(), sign_crls, &mut skipped);
        let n_auth_crl = commit_crls(self.cfg.auth_crl_source.as_deref(), auth_crls, &mut skipped);
        if let (Some(cas), Ok(mut t)) = (cas, self.trust.write()) {
            *t = Arc::new(cas);
        }
        if let (Some(cas), Ok(mut t)) = (auth_cas, self.auth_trust.write()) {
            *t = Arc::new(cas);
        }
        let stations = match (&self.tls, stations) {
            (Some(tls), Some(s)) => tls.commit(s),
            _ => String::new(),
        };
        let n_ca = self.trust.read().map_or(0, |t| t.len());
        let n_auth_ca = self.auth_trust.read().map_or(0, |t| t.len());
        Ok(format!(
            "{n_ca} trusted CA(s), {n_crl} CRL(s), {n_auth_ca} 利用者証明用 CA(s), {n_auth_crl} auth CRL(s){stations}{skipped}"
        ))
    }

    /// Every trust anchor in use, with what it is for: the start-up and SIGHUP lines.
    pub(super) fn anchors(&self) -> Vec<(&'static str, crate::backend::trust::Anchor)> {
        use crate::backend::trust::Anchor;
        let mut out = Vec::new();
        let read = |t: &RwLock<Arc<Vec<X509>>>| t.read().map(|t| Arc::clone(&t)).unwrap_or_default();
        for x in read(&self.trust).iter() {
            out.push(("signing CA", Anchor::of(x)));
        }
        for x in read(&self.auth_trust).iter() {
            out.push(("利用者証明用 CA", Anchor::of(x)));
        }
        if let Some(tls) = &self.tls {
            for x in tls.station_cas() {
                out.push(("station CA, mTLS", Anchor::of(&x)));
            }
        }
        out
    }

    /// Every CRL in use, by what it is for: the signing CA's and the 利用者証明用 CA's decide
    /// records (stale → CRL_STALE); the station CA's decides who connects.
    pub(super) fn crl_figures(&self) -> Vec<crate::backend::metrics::CrlFigure> {
        let sources = [
            ("signing", self.cfg.crl_source.as_deref()),
            ("auth", self.cfg.auth_crl_source.as_deref()),
            ("station", self.tls.as_ref().and_then(|t| t.client_crl())),
        ];
        sources
            .into_iter()
            .filter_map(|(kind, src)| src.map(|s| (kind, s)))
            .flat_map(|(kind, src)| {
                src.states()
                    .into_iter()
                    .map(move |c| crate::backend::metrics::CrlFigure {
                        kind,
                        issuer: c.issuer,
                        age_secs: c.age_secs,
                        fresh: c.fresh,
                    })
            })
            .collect()
    }
}

/// Puts staged CRLs in use: how many; the files not read are said in `skipped`.
fn commit_crls(src: Option<&CrlSource>, staged: Option<crate::backend::crl::Staged>, skipped: &mut String) -> usize {
    let (Some(src), Some(staged)) = (src, staged) else {
        return 0;
    };
    let n = src.commit(staged);
    for f in src.skipped() {
        skipped.push_str(&format!("; not read (not *.crl, *.pem, *.der): {}", f.display()));
    }
    n
}

/// Resolves once shutdown was asked for (the watch's guard is not held past it).
pub(super) async fn until_stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}
