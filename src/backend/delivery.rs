//! Delivery: drains the outbox to `{url}/v1/enrollments` over HTTPS (reqwest on openssl),
//! with `Idempotency-Key: <enrollment id>`, exponential backoff with full jitter (capped,
//! `Retry-After` honoured, persisted in the row), and permanent verdicts parked in review.

use super::outbox::{Outbox, OutboxError};
use crate::seam::Verdict;
use crate::time::unix_ms;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct DeliveryConfig {
    pub url: String,
    pub ca_file: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// An HTTP(S) proxy named in the config. Without one, no proxy is used: the environment's
    /// `HTTP(S)_PROXY` is ignored (a proxy would see a loopback delivery in the clear).
    pub proxy: Option<String>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// First retry delay and the cap of the exponential schedule.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
}

impl DeliveryConfig {
    pub fn new(url: &str) -> DeliveryConfig {
        DeliveryConfig {
            url: url.trim_end_matches('/').to_string(),
            ca_file: None,
            client_cert: None,
            client_key: None,
            proxy: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            backoff_base: Duration::from_secs(2),
            backoff_cap: Duration::from_secs(600),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("{}/v1/enrollments", self.url)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// A verdict retrying can't change: the row goes to review.
    Permanent {
        verdict: Verdict,
        detail: String,
    },
    Retry {
        after: Option<Duration>,
        detail: String,
    },
}

pub fn verdict_of(result: &str) -> Option<Verdict> {
    Some(match result {
        "OK" => Verdict::Accepted,
        "CERTIFICATE_EXPIRED" => Verdict::CertificateExpired,
        "CERTIFICATE_REVOKED" => Verdict::CertificateRevoked,
        "SIGNATURE_MISMATCH" => Verdict::SignatureMismatch,
        "UNSUPPORTED_CERTIFICATE" => Verdict::UnsupportedCertificate,
        "CARD_DATA_MISMATCH" => Verdict::CardDataMismatch,
        "ASSURANCE_NOT_PROVEN" => Verdict::AssuranceNotProven,
        "RECORD_TIME" => Verdict::RecordTime,
        "INVALID_REQUEST" => Verdict::InvalidRequest,
        _ => return None,
    })
}

/// Whether `url` may be plain http: its parsed host is a loopback IP or `localhost` (not a
/// prefix test: `http://127.attacker.example` and `http://localhost@attacker.example` are
/// other hosts).
pub fn is_loopback_url(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Whether the station may send to `url`: https, or plain http to loopback.
pub fn url_allowed(url: &str) -> bool {
    match reqwest::Url::parse(url) {
        Ok(u) if u.scheme() == "https" => u.host().is_some(),
        Ok(u) if u.scheme() == "http" => is_loopback_url(url),
        _ => false,
    }
}

pub fn client(cfg: &DeliveryConfig) -> Result<reqwest::Client, String> {
    if !url_allowed(&cfg.url) {
        return Err(format!("{}: must be https (plain http only to loopback)", cfg.url));
    }
    // No redirects: a 307 would re-send the whole record to wherever it points.
    let mut b = reqwest::Client::builder()
        .connect_timeout(cfg.connect_timeout)
        .timeout(cfg.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .https_only(!is_loopback_url(&cfg.url));
    b = match &cfg.proxy {
        Some(p) => b.proxy(reqwest::Proxy::all(p).map_err(|e| format!("proxy {p}: {e}"))?),
        None => b.no_proxy(),
    };
    if let Some(ca) = &cfg.ca_file {
        // The operator's CA bundle replaces the system roots: a private backend is trusted
        // only through its own CA.
        // PEM or DER, a bundle or a directory, like every CA input (backend/trust.rs).
        let mut certs = Vec::new();
        for x in super::trust::load_certificates(ca)? {
            let der = x.to_der().map_err(|e| format!("{}: {e}", ca.display()))?;
            certs.push(reqwest::Certificate::from_der(&der).map_err(|e| format!("{}: {e}", ca.display()))?);
        }
        b = b.tls_certs_only(certs);
    }
    if let (Some(cert), Some(key)) = (&cfg.client_cert, &cfg.client_key) {
        let c = std::fs::read(cert).map_err(|e| format!("{}: {e}", cert.display()))?;
        let k = std::fs::read(key).map_err(|e| format!("{}: {e}", key.display()))?;
        b = b.identity(reqwest::Identity::from_pkcs8_pem(&c, &k).map_err(|e| format!("client certificate: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = h.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(|s| Duration::from_secs(s.min(86_400)))
}

/// One POST. Never panics on any answer.
pub async fn deliver(client: &reqwest::Client, cfg: &DeliveryConfig, id: &str, body: &[u8]) -> Outcome {
    let resp = client
        .post(cfg.endpoint())
        .header("Idempotency-Key", id)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_vec())
        .send()
        .await;
    let resp = match resp {
        Ok(r) => r,
        Err(e) => {
            let kind = if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "cannot connect"
            } else {
                "request failed"
            };
            return Outcome::Retry {
                after: None,
                detail: format!("{kind}: {e}"),
            };
        }
    };
    let status = resp.status();
    let after = retry_after(resp.headers());
    let text = resp.bytes().await.unwrap_or_default();
    let result = serde_json::from_slice::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("result").and_then(|r| r.as_str()).map(str::to_string));
    let code = status.as_u16();
    match (code, result.as_deref().and_then(verdict_of)) {
        (200..=299, Some(Verdict::Accepted)) => Outcome::Delivered,
        // A 2xx that doesn't say OK is not an acknowledgement: try again later.
        (200..=299, _) => Outcome::Retry {
            after,
            detail: format!("HTTP {code} without a valid answer"),
        },
        (408 | 425 | 429, _) | (500..=599, _) => Outcome::Retry {
            after,
            detail: format!("HTTP {code}"),
        },
        (400..=499, Some(v)) if v != Verdict::Accepted => Outcome::Permanent {
            verdict: v,
            detail: format!("HTTP {code} {}", result.unwrap_or_default()),
        },
        (400..=499, _) => Outcome::Permanent {
            verdict: Verdict::InvalidRequest,
            detail: format!("HTTP {code} {}", result.unwrap_or_else(|| "(no result)".into())),
        },
        _ => Outcome::Retry {
            after,
            detail: format!("HTTP {code}"),
        },
    }
}

/// Full-jitter exponential backoff: uniform in [0, min(cap, base·2^attempts)], at least
/// `Retry-After` when the server gave one.
pub fn next_delay(cfg: &DeliveryConfig, attempts: u32, after: Option<Duration>) -> Duration {
    let exp = cfg
        .backoff_base
        .saturating_mul(1u32 << attempts.min(20))
        .min(cfg.backoff_cap);
    let mut r = [0u8; 8];
    let _ = openssl::rand::rand_bytes(&mut r);
    let frac = u64::from_le_bytes(r) as f64 / u64::MAX as f64;
    let jitter = Duration::from_millis((exp.as_millis() as f64 * frac) as u64);
    match after {
        Some(a) => a.max(jitter),
        None => jitter.max(Duration::from_millis(200)),
    }
}

/// Applies one outcome to the outbox; returns the verdict for the UI.
pub fn record(
    outbox: &mut Outbox,
    cfg: &DeliveryConfig,
    id: &str,
    attempts: u32,
    o: &Outcome,
) -> Result<Verdict, OutboxError> {
    Ok(match o {
        Outcome::Delivered => {
            outbox.mark_delivered(id)?;
            Verdict::Accepted
        }
        // The backend's words are kept escaped: they are printed by `outbox list` later.
        Outcome::Permanent { verdict, detail } => {
            outbox.mark_review(id, &crate::text::escape_untrusted(detail))?;
            verdict.clone()
        }
        Outcome::Retry { after, detail } => {
            let next = unix_ms() + next_delay(cfg, attempts, *after).as_millis() as i64;
            outbox.mark_retry(id, next, &crate::text::escape_untrusted(detail))?;
            Verdict::Queued
        }
    })
}

/// Sends every due row once. Returns (delivered, review, retry) counts.
pub async fn flush(
    outbox: &mut Outbox,
    client: &reqwest::Client,
    cfg: &DeliveryConfig,
    notify: &(dyn Fn(String, Verdict) + Send + Sync),
) -> Result<(u32, u32, u32), OutboxError> {
    let mut counts = (0, 0, 0);
    loop {
        let due = outbox.due(unix_ms(), 32)?;
        if due.is_empty() {
            return Ok(counts);
        }
        for (entry, body) in due {
            let o = deliver(client, cfg, &entry.id, &body).await;
            let v = record(outbox, cfg, &entry.id, entry.attempts, &o)?;
            match v {
                Verdict::Accepted => counts.0 += 1,
                Verdict::Queued => counts.2 += 1,
                _ => counts.1 += 1,
            }
            notify(entry.id.clone(), v);
        }
    }
}

/// Wakes the background delivery (a record was just enqueued).
#[derive(Clone)]
pub struct Waker(Arc<tokio::sync::Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Runs delivery in the background on its own thread until the process ends: drains what is
/// due, then sleeps until the next row is due (at most a minute) or until woken.
pub fn spawn(
    outbox_path: PathBuf,
    limit: u64,
    cfg: DeliveryConfig,
    notify: Box<dyn Fn(String, Verdict) + Send + Sync>,
) -> Result<Waker, String> {
    let client = client(&cfg)?;
    let wake = Arc::new(tokio::sync::Notify::new());
    let w = Arc::clone(&wake);
    std::thread::Builder::new()
        .name("delivery".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                let mut outbox = match Outbox::open(&outbox_path, limit) {
                    Ok(o) => o,
                    Err(e) => {
                        tracing::error!(error = %e, "delivery cannot open the outbox");
                        return;
                    }
                };
                loop {
                    if let Err(e) = flush(&mut outbox, &client, &cfg, notify.as_ref()).await {
                        tracing::warn!(error = %e, "delivery round failed");
                    }
                    let wait = match outbox.next_due() {
                        Ok(Some(at)) => Duration::from_millis((at - unix_ms()).clamp(0, 60_000) as u64),
                        _ => Duration::from_secs(60),
                    };
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = w.notified() => {}
                    }
                }
            });
        })
        .map_err(|e| e.to_string())?;
    Ok(Waker(wake))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_jittered_and_honours_retry_after() {
        let cfg = DeliveryConfig::new("http://127.0.0.1:1");
        for attempts in [0, 1, 5, 30] {
            for _ in 0..50 {
                let d = next_delay(&cfg, attempts, None);
                let cap = cfg
                    .backoff_base
                    .saturating_mul(1 << attempts.min(20))
                    .min(cfg.backoff_cap);
                assert!(d <= cap.max(Duration::from_millis(200)), "{d:?} > {cap:?}");
            }
        }
        assert!(next_delay(&cfg, 0, Some(Duration::from_secs(120))) >= Duration::from_secs(120));
        assert_eq!(verdict_of("CERTIFICATE_REVOKED"), Some(Verdict::CertificateRevoked));
        assert_eq!(verdict_of("nope"), None);
    }

    /// The receiver's answers of the assurance levels (#22) are verdicts the station names in
    /// words of their own, not "invalid request" (docs/backend-api.md, station answers).
    #[test]
    fn the_assurance_answers_are_verdicts_of_their_own() {
        assert_eq!(verdict_of("ASSURANCE_NOT_PROVEN"), Some(Verdict::AssuranceNotProven));
        assert_eq!(verdict_of("RECORD_TIME"), Some(Verdict::RecordTime));
    }
}
