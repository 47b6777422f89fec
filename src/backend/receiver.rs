//! The reference receiver (`madoguchi receive`, and in-process for `madoguchi demo`): opens
//! sealed bodies, verifies with openssl in this order — chain to the trusted CA
//! (UNSUPPORTED_CERTIFICATE), validity (CERTIFICATE_EXPIRED, vendor code 21), signature over the
//! statement (SIGNATURE_MISMATCH), CRL (CERTIFICATE_REVOKED, vendor code 23), card data against
//! the certificate and the statement (CARD_DATA_MISMATCH) — and stores idempotently in SQLite
//! or PostgreSQL (`store`). Verification runs outside any lock or transaction, one per core;
//! only the idempotency insert (per station and key, insert-or-replace-unless-success) touches
//! the database. A store out of reach is a 503 STORE_UNAVAILABLE, which stations retry.

use super::jwe;
use super::payload::{sha256_hex, unb64, verify_signature, Payload, Statement, SCHEMA};
use super::seal::{self, Envelope};
use super::store::{Remembered, Row, Store, StoreError};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use openssl::asn1::Asn1Time;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{SslAcceptor, SslMethod, SslVerifyMode};
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{X509Crl, X509StoreContext, X509};
use serde_json::{json, Value};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const BODY_LIMIT: usize = 256 * 1024;
/// Request line + headers (bytes) and header count answered with a JSON 431 past them.
pub const HEADER_LIMIT: usize = 16 * 1024;
pub const MAX_HEADERS: usize = 100;
/// hyper's own limits, above ours: past them hyper answers a bare 431 (no body) itself and
/// closes the connection, before any of our code runs.
const HYPER_HEADER_LIMIT: usize = 64 * 1024;
const HYPER_MAX_HEADERS: usize = 200;

/// How long each phase of a connection may take, and how many connections are served at once.
/// A connection past a timeout is closed (a body past its timeout gets 408 first).
#[derive(Clone, Debug)]
pub struct Limits {
    /// TCP accepted → TLS handshake done.
    pub tls_handshake: Duration,
    /// Waiting for a request head → request line and headers complete (hyper's
    /// `header_read_timeout`; it runs from the moment the connection waits for a request, so
    /// it also bounds a keep-alive connection that is silent or dribbles a head).
    pub headers: Duration,
    /// Headers complete → whole body read (408 REQUEST_TIMEOUT past it).
    pub body: Duration,
    /// No request in progress for this long → the keep-alive connection is closed.
    pub idle: Duration,
    /// Connections served at once; further ones wait in the listen backlog until a slot frees
    /// (every slot frees within the timeouts above).
    pub max_connections: usize,
    /// On shutdown (SIGTERM): how long requests in flight may take to finish before the
    /// receiver stops anyway. New connections are refused from the start of it.
    pub shutdown_grace: Duration,
    /// One call of the store (a lookup, an insert, a ping): past it the request is answered
    /// 503 STORE_UNAVAILABLE with Retry-After, and /readyz says not ready. A database that
    /// hangs (stopped, a network that drops packets) never holds a request longer.
    pub store: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            tls_handshake: Duration::from_secs(10),
            headers: Duration::from_secs(10),
            body: Duration::from_secs(30),
            idle: Duration::from_secs(60),
            max_connections: 256,
            shutdown_grace: Duration::from_secs(30),
            store: super::store::DEFAULT_DEADLINE,
        }
    }
}

#[derive(Default)]
pub struct ReceiverConfig {
    pub db: PathBuf,
    pub trust_ca: Vec<X509>,
    /// Where `trust_ca` came from: read again on reload (SIGHUP), so a CA can be added
    /// without a restart.
    pub trust_ca_file: Option<PathBuf>,
    pub crl: Option<X509Crl>,
    /// CRLs kept fresh (several, reloaded on SIGHUP and on change; stale → 503 CRL_STALE).
    /// Takes precedence over `crl`. With neither, accepted records say `revocation: unchecked`.
    pub crl_source: Option<std::sync::Arc<super::crl::CrlSource>>,
    /// Private keys that open sealed records, any number (seal-key rotation): a JWE names
    /// its key by `kid`; a first-release envelope is tried with each.
    pub seal_keys: Vec<PKey<Private>>,
    /// Accept unsigned records (signature and signing_certificate null). Even then only from a
    /// station bound by its client certificate (mTLS); the station is recorded with them.
    pub allow_unsigned: bool,
    pub limits: Limits,
    /// One JSON line per request (time, id, station, status, result, latency; never
    /// personal data). `madoguchi receive` writes them to stderr (the journal).
    pub request_log: Option<RequestLog>,
}

/// Where request lines go.
pub type RequestLog = Arc<std::sync::Mutex<Box<dyn std::io::Write + Send>>>;

/// First pause after a failed accept (EMFILE, ENFILE, ENOBUFS…), doubled up to the cap, so a
/// persistent error doesn't spin a core.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(50);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

fn accept_backoff(previous: Option<Duration>) -> Duration {
    previous.map_or(ACCEPT_BACKOFF_MIN, |d| (d * 2).min(ACCEPT_BACKOFF_MAX))
}

pub struct TlsConfig {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// With a client CA, stations must present a certificate (mTLS) with the clientAuth
    /// extended key usage; its CN must equal the record's station id. A file or a directory,
    /// read again on reload (SIGHUP).
    pub client_ca: Option<PathBuf>,
    /// CRLs of the client CA (files or directories): a station certificate listed on one is
    /// refused in the handshake. Read again on reload and when a file changes.
    pub client_crl: Vec<PathBuf>,
}

/// TLS as the receiver holds it: the acceptor is rebuilt on reload (a client CA added, a
/// station certificate revoked) and each new connection takes the current one.
struct Tls {
    config: TlsConfig,
    acceptor: std::sync::RwLock<Arc<SslAcceptor>>,
    client_crl: Option<Arc<super::crl::CrlSource>>,
}

impl Tls {
    fn new(config: TlsConfig) -> Result<Tls, String> {
        let client_crl = if config.client_crl.is_empty() {
            None
        } else {
            let ca = config.client_ca.as_ref().ok_or("--client-crl needs --client-ca")?;
            let cas = super::trust::load_certificates(ca)?;
            // Stale or not, a CRL's revocations stand: a station certificate listed is refused
            // (the grace only matters for "not revoked", which is not asked here).
            let src = super::crl::CrlSource::load(config.client_crl.clone(), cas, Duration::from_secs(0))?;
            src.watch(Duration::from_secs(5));
            Some(src)
        };
        let acceptor = acceptor(&config, client_crl.clone())?;
        Ok(Tls {
            config,
            acceptor: std::sync::RwLock::new(Arc::new(acceptor)),
            client_crl,
        })
    }

    fn current(&self) -> Arc<SslAcceptor> {
        Arc::clone(&self.acceptor.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Reads the client CA and its CRLs again and swaps the acceptor; on any error what was
    /// in use stays.
    fn reload(&self) -> Result<String, String> {
        let Some(ca) = &self.config.client_ca else {
            return Ok(String::new());
        };
        let cas = super::trust::load_certificates(ca)?;
        let mut crls = 0;
        if let Some(src) = &self.client_crl {
            src.set_trust(cas.clone());
            crls = src.reload()?;
        }
        let fresh = acceptor(&self.config, self.client_crl.clone())?;
        *self.acceptor.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(format!(", {} station CA(s), {crls} station CRL(s)", cas.len()))
    }
}

struct Shared {
    cfg: ReceiverConfig,
    /// The CAs signing certificates must chain to: `cfg.trust_ca`, or the trust file as
    /// last read.
    trust: std::sync::RwLock<Arc<Vec<X509>>>,
    metrics: super::metrics::Metrics,
    started: Instant,
    /// Set on shutdown: /readyz says so, so a load balancer stops sending.
    stopping: std::sync::atomic::AtomicBool,
    /// Whether the store answered its last call (every request's, and a ping each second):
    /// what /readyz says, without a query of its own.
    store_ok: std::sync::atomic::AtomicBool,
    /// Where answered requests are kept: SQLite or PostgreSQL.
    store: Arc<dyn Store>,
    /// Verifications at once: one per core (CPU-bound: RSA, chain, SAN).
    verify_slots: Arc<tokio::sync::Semaphore>,
    /// `cfg.seal_keys` by `kid`.
    keys: jwe::KeySet,
    /// The TLS acceptor (none: plain HTTP).
    tls: Option<Tls>,
}

/// Who is on the other end of the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Peer {
    /// Plain HTTP, or TLS without client certificates: the station is whatever the body says.
    Unbound,
    /// mTLS: the one CN of the client certificate, which must equal the record's station_id.
    Bound(String),
    /// mTLS, but the certificate names no station or several (not exactly one CN).
    NoStation,
}

/// The station a verified client certificate names: exactly one CN, UTF-8, 1–64 bytes.
fn peer_of(ssl: &openssl::ssl::SslRef) -> Peer {
    let Some(cert) = ssl.peer_certificate() else {
        return Peer::NoStation;
    };
    let cns: Vec<_> = cert
        .subject_name()
        .entries_by_nid(openssl::nid::Nid::COMMONNAME)
        .collect();
    match cns.as_slice() {
        [one] => match one.data().to_string() {
            Ok(cn) if station_id_ok(&cn) => Peer::Bound(cn.to_string()),
            _ => Peer::NoStation,
        },
        _ => Peer::NoStation,
    }
}

/// A station id both stores keep alike: 1–64 bytes, no control characters (PostgreSQL text
/// refuses NUL, which SQLite would take).
fn station_id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && !id.chars().any(char::is_control)
}

/// (HTTP status, result, vendor code, detail)
type Verdict = (StatusCode, &'static str, Option<u32>, String);

fn invalid(detail: impl Into<String>) -> Verdict {
    (StatusCode::BAD_REQUEST, "INVALID_REQUEST", None, detail.into())
}

fn reject(result: &'static str, code: Option<u32>, detail: impl Into<String>) -> Verdict {
    (StatusCode::UNPROCESSABLE_ENTITY, result, code, detail.into())
}

fn forbidden(detail: impl Into<String>) -> Verdict {
    (StatusCode::FORBIDDEN, "FORBIDDEN", None, detail.into())
}

/// Number of accepted records in a receiver database, SQLite file or `postgres://…` (tests
/// and `receive --count`).
pub fn accepted_count(db: &std::path::Path) -> Result<u64, String> {
    super::store::with_store(db, |s| s.accepted_count())
}

/// Accepted payloads, as JSON (tests, demo check).
pub fn accepted_payloads(db: &std::path::Path) -> Result<Vec<Value>, String> {
    super::store::with_store(db, |s| s.accepted_payloads())
}

fn check_chain(trust: &[X509], cert: &X509) -> Result<(), Verdict> {
    let unchained = || {
        reject(
            "UNSUPPORTED_CERTIFICATE",
            None,
            "certificate does not chain to a trusted CA",
        )
    };
    // The issuer by key identifier and signature: J-LIS keeps several CA generations under
    // one DN, and OpenSSL's lookup by name may pick another generation's key. OpenSSL then
    // checks the path found (constraints, key usage) with only its certificates in the store.
    let path = super::trust::chain_of(trust, cert).ok_or_else(unchained)?;
    let mut sb = X509StoreBuilder::new().map_err(|e| invalid(e.to_string()))?;
    for ca in path {
        let _ = sb.add_cert(ca);
    }
    // Time is checked next, separately, so an expired certificate gets its own verdict.
    let _ = sb.set_flags(X509VerifyFlags::NO_CHECK_TIME);
    let store = sb.build();
    let chain = openssl::stack::Stack::new().map_err(|e| invalid(e.to_string()))?;
    let mut ctx = X509StoreContext::new().map_err(|e| invalid(e.to_string()))?;
    let ok = ctx.init(&store, cert, &chain, |c| c.verify_cert()).unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(unchained())
    }
}

fn check_validity(cert: &X509) -> Result<(), Verdict> {
    let now = Asn1Time::days_from_now(0).map_err(|e| invalid(e.to_string()))?;
    let expired = now
        .diff(cert.not_after())
        .map(|d| d.days < 0 || (d.days == 0 && d.secs < 0))
        .unwrap_or(true);
    let early = now
        .diff(cert.not_before())
        .map(|d| d.days > 0 || (d.days == 0 && d.secs > 0))
        .unwrap_or(true);
    if expired || early {
        return Err(reject(
            "CERTIFICATE_EXPIRED",
            Some(21),
            "certificate outside its validity period",
        ));
    }
    Ok(())
}

// serde's messages can quote the offending value (personal data): answer with where, not what.
fn shape(what: &str, e: serde_json::Error) -> Verdict {
    invalid(format!("{what} (line {}, column {})", e.line(), e.column()))
}

/// The receiver's request checks on a raw body, for the fuzz target (`fuzz_targets::receiver`):
/// JSON parsing, the JWE or first-release envelope, the payload schema, the statement, the
/// signature and certificate checks and the card comparison. Returns the HTTP status.
#[doc(hidden)]
pub fn fuzz_check(cfg: &ReceiverConfig, keys: &jwe::KeySet, key: &str, bound: Option<&str>, body: &[u8]) -> u16 {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return 400;
    };
    let peer = bound.map_or(Peer::Unbound, |s| Peer::Bound(s.to_string()));
    match check(cfg, &cfg.trust_ca, keys, key, &peer, v) {
        Ok(_) => 200,
        Err((code, ..)) => code.as_u16(),
    }
}

fn check(
    cfg: &ReceiverConfig,
    trust: &[X509],
    keys: &jwe::KeySet,
    key: &str,
    peer: &Peer,
    v: Value,
) -> Result<Payload, Verdict> {
    let outer_station = v.get("station_id").and_then(Value::as_str).map(str::to_string);
    let mut payload: Payload = if let Some(jwe) = v.get("jwe") {
        if cfg.seal_keys.is_empty() {
            return Err(invalid("sealed body, but this receiver has no seal key"));
        }
        let compact = jwe.as_str().ok_or_else(|| invalid("jwe is not a compact JWE string"))?;
        let outer_id = v.get("enrollment_id").and_then(Value::as_str).unwrap_or_default();
        let plain =
            jwe::open(keys, compact, outer_id, outer_station.as_deref().unwrap_or_default()).map_err(|e| match e {
                // Never dropped: the station keeps it in review until the key is added.
                jwe::JweError::UnknownKey(_) => reject(
                    "UNKNOWN_KEY",
                    None,
                    "sealed to a key this receiver does not have (kid unknown); retry after adding it",
                ),
                jwe::JweError::Moved => invalid("the JWE header names another record or station"),
                jwe::JweError::UnknownParameter(p) => invalid(format!(
                    "JWE header parameter {p:?} is not understood (refused, RFC 7516 §4.1.13)"
                )),
                _ => invalid("the JWE does not open"),
            })?;
        let p: Payload =
            serde_json::from_slice(&plain).map_err(|e| shape("sealed payload does not match the schema", e))?;
        if p.enrollment_id != outer_id || outer_station.as_deref() != Some(p.station_id.as_str()) {
            return Err(invalid("the sealed record is not the one named outside"));
        }
        p
    } else if let Some(sealed) = v.get("sealed") {
        if cfg.seal_keys.is_empty() {
            return Err(invalid("sealed body, but this receiver has no seal key"));
        }
        let env: Envelope = serde_json::from_value(sealed.clone()).map_err(|_| invalid("malformed envelope"))?;
        // The first release's envelope names no key: each is tried.
        let plain = cfg
            .seal_keys
            .iter()
            .find_map(|k| seal::open(k, key, &env).ok())
            .ok_or_else(|| invalid("envelope does not open with this receiver's keys"))?;
        tracing::info!("opened a first-release envelope (records queued before the JWE format)");
        let p: Payload =
            serde_json::from_slice(&plain).map_err(|e| shape("sealed payload does not match the schema", e))?;
        if outer_station.is_some_and(|o| o != p.station_id) {
            return Err(invalid(
                "station_id outside the envelope differs from the sealed record",
            ));
        }
        p
    } else {
        serde_json::from_value(v).map_err(|e| {
            let field = e.to_string().split('`').nth(1).map(str::to_string);
            invalid(match field {
                // "missing field `x`" / "unknown field `x`": the name is structure, not data.
                Some(f) if e.to_string().contains("field") => format!("payload does not match the schema (field {f})"),
                _ => "payload does not match the schema".to_string(),
            })
        })?
    };
    if payload.schema != SCHEMA {
        return Err(invalid(format!("unsupported schema (expected {SCHEMA})")));
    }
    if payload.enrollment_id != key {
        return Err(invalid("Idempotency-Key must equal enrollment_id"));
    }
    if let Peer::Bound(cn) = peer {
        if *cn != payload.station_id {
            return Err(forbidden("station_id is not the station of the client certificate"));
        }
    }
    let st_bytes = unb64(&payload.statement).ok_or_else(|| invalid("statement is not base64"))?;
    let st: Statement = serde_json::from_slice(&st_bytes).map_err(|_| invalid("statement is not a statement"))?;
    if st.canonical() != st_bytes || st.enrollment_id != payload.enrollment_id || st.station_id != payload.station_id {
        return Err(invalid("statement does not belong to this record"));
    }
    match (&payload.signature, &payload.signing_certificate) {
        (None, None) => {
            if !cfg.allow_unsigned {
                return Err(forbidden("this receiver does not accept unsigned records"));
            }
            if !matches!(peer, Peer::Bound(_)) {
                return Err(forbidden(
                    "unsigned records are accepted only from a station bound by its client certificate (mTLS)",
                ));
            }
        }
        (Some(sig), Some(cert)) => {
            let sig = unb64(sig).ok_or_else(|| invalid("signature is not base64"))?;
            let der = unb64(cert).ok_or_else(|| invalid("signing_certificate is not base64"))?;
            let x = X509::from_der(&der).map_err(|_| invalid("signing_certificate is not a certificate"))?;
            check_chain(trust, &x)?;
            check_validity(&x)?;
            if !verify_signature(&der, &st_bytes, &sig).unwrap_or(false) {
                return Err(reject(
                    "SIGNATURE_MISMATCH",
                    None,
                    "signature does not verify over the statement",
                ));
            }
            if let Some(src) = &cfg.crl_source {
                match src.status(&x) {
                    super::crl::Revocation::NotRevoked => {}
                    super::crl::Revocation::Revoked => {
                        return Err(reject("CERTIFICATE_REVOKED", Some(23), "certificate is on the CRL"))
                    }
                    // Never "not revoked" from a list that may miss the revocation: try later.
                    super::crl::Revocation::Stale => {
                        return Err((
                            StatusCode::SERVICE_UNAVAILABLE,
                            "CRL_STALE",
                            None,
                            "no current CRL for this certificate's issuer; retry later".into(),
                        ))
                    }
                }
            } else if let Some(crl) = &cfg.crl {
                if let openssl::x509::CrlStatus::Revoked(_) = crl.get_by_serial(x.serial_number()) {
                    return Err(reject("CERTIFICATE_REVOKED", Some(23), "certificate is on the CRL"));
                }
            }
            // The same comparison as the station's (record/check.rs): substitutes and 旧氏
            // forms match; what still differs goes to review. The receiver's own result is
            // what it keeps, whatever the station claimed.
            let card_check = crate::record::check::compare_der(&payload.card, &der);
            if card_check.outcome() == crate::record::check::Outcome::Differs {
                return Err(reject(
                    "CARD_DATA_MISMATCH",
                    None,
                    "card data differs from the certificate (review)",
                ));
            }
            payload.card_check = Some(card_check);
        }
        _ => return Err(invalid("signature and signing_certificate go together")),
    }
    if payload.card.sha256() != st.card_data_sha256 {
        return Err(reject(
            "CARD_DATA_MISMATCH",
            None,
            "card data differs from what was signed",
        ));
    }
    if payload.contact_email.as_deref().map(|e| sha256_hex(e.as_bytes())) != st.contact_email_sha256 {
        return Err(reject(
            "CARD_DATA_MISMATCH",
            None,
            "contact e-mail differs from what was signed",
        ));
    }
    Ok(payload)
}

enum BodyError {
    TooLarge,
    Timeout,
    Broken,
}

/// Reads the whole body, at most `limit` bytes, within `timeout` (a client dribbling its body
/// doesn't hold the connection longer).
async fn read_body(
    body: axum::body::Body,
    headers: &HeaderMap,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    use axum::body::HttpBody;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut body = body;
    // Too large: the rest is read and dropped (up to DRAIN_LIMIT, briefly) so that a client
    // still sending reads the JSON 413 instead of a reset; past that the connection closes.
    async fn drain(body: &mut axum::body::Body) {
        use axum::body::HttpBody;
        let mut seen = 0usize;
        let go = async {
            while let Some(Ok(frame)) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut *body).poll_frame(cx)).await {
                seen += frame.data_ref().map_or(0, |d| d.len());
                if seen > DRAIN_LIMIT {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), go).await;
    }
    if declared.is_some_and(|n| n > limit as u64) {
        if declared.is_some_and(|n| n <= DRAIN_LIMIT as u64) {
            drain(&mut body).await;
        }
        return Err(BodyError::TooLarge);
    }
    let read = async {
        let mut buf = Vec::with_capacity(declared.unwrap_or(0) as usize);
        while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
            let frame = frame.map_err(|_| BodyError::Broken)?;
            if let Ok(data) = frame.into_data() {
                if buf.len() + data.len() > limit {
                    return Err(BodyError::TooLarge);
                }
                buf.extend_from_slice(&data);
            }
        }
        Ok(Bytes::from(buf))
    };
    let result = tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| BodyError::Timeout)?;
    if matches!(result, Err(BodyError::TooLarge)) {
        drain(&mut body).await;
    }
    result
}

/// How much of an oversized body is read and dropped before the 413 is sent.
const DRAIN_LIMIT: usize = 8 * 1024 * 1024;

/// A JSON answer; `close` also ends the connection (the rest of the request is not read).
fn answer(status: StatusCode, result: &str, detail: &str, close: bool) -> Response {
    let mut r = (status, Json(json!({"result": result, "error": detail}))).into_response();
    if close {
        r.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    r
}

/// What became of one request: the answer, and what the request log, the metrics and
/// `receive import` need to know of it.
pub struct Receipt {
    pub status: u16,
    /// The JSON answer.
    pub answer: String,
    /// The answer's `result` (OK, CARD_DATA_MISMATCH, CRL_STALE…).
    pub result: String,
    /// The answer's `error`, when there is one (structure, never data).
    pub detail: Option<String>,
    pub disposition: Disposition,
    /// The station whose key this is, once known.
    pub station: Option<String>,
    /// End the connection after answering (the rest of the request was not read).
    close: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// A new row: accepted (200) or kept for review (422).
    Stored,
    /// Answered before with this body: the same answer again.
    Replayed,
    /// The key was answered before with another body: refused (422), nothing stored.
    Conflict,
    /// Answered, nothing stored: a malformed or refused request, or a 503 to retry.
    NotStored,
}

impl Receipt {
    fn new(status: u16, answer: String, disposition: Disposition, station: Option<String>) -> Receipt {
        let v: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
        Receipt {
            status,
            result: v["result"].as_str().unwrap_or("ERROR").to_string(),
            detail: v["error"].as_str().map(str::to_string),
            answer,
            disposition,
            station,
            close: false,
        }
    }

    /// Answered without storing anything.
    fn of(status: StatusCode, result: &str, detail: &str) -> Receipt {
        let answer = json!({"result": result, "error": detail}).to_string();
        Receipt::new(status.as_u16(), answer, Disposition::NotStored, None)
    }

    fn closing(mut self) -> Receipt {
        self.close = true;
        self
    }

    fn internal() -> Receipt {
        Receipt::new(
            500,
            json!({"result": "ERROR"}).to_string(),
            Disposition::NotStored,
            None,
        )
    }

    fn response(&self) -> Response {
        let mut r = respond(self.status, &self.answer);
        if self.close {
            r.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        r
    }
}

async fn enroll(State(shared): State<Arc<Shared>>, Extension(peer): Extension<Peer>, req: Request) -> Response {
    let started = Instant::now();
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 100)
        .map(str::to_string);
    let bound = matches!(peer, Peer::Bound(_));
    let receipt = {
        // Counted out by drop, also when the client goes away mid-request.
        let _in_flight = shared.metrics.in_flight();
        enroll_request(&shared, peer, key.clone(), req).await
    };
    shared.account(&receipt, key.as_deref(), bound, started.elapsed());
    receipt.response()
}

async fn enroll_request(shared: &Arc<Shared>, peer: Peer, key: Option<String>, req: Request) -> Receipt {
    let (parts, body) = req.into_parts();
    let Some(key) = key else {
        return Receipt::of(StatusCode::BAD_REQUEST, "INVALID_REQUEST", "missing Idempotency-Key");
    };
    if peer == Peer::NoStation {
        return Receipt::of(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "the client certificate must name exactly one station (one CN)",
        );
    }
    let body = match read_body(body, &parts.headers, BODY_LIMIT, shared.cfg.limits.body).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return Receipt::of(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!("body larger than {BODY_LIMIT} bytes"),
            )
            .closing()
        }
        Err(BodyError::Timeout) => {
            return Receipt::of(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                "body not received in time",
            )
            .closing()
        }
        Err(BodyError::Broken) => {
            return Receipt::of(StatusCode::BAD_REQUEST, "INVALID_REQUEST", "body not readable").closing()
        }
    };
    submit(shared, peer, key, &body).await
}

/// One record, from HTTP or from a hand-carried file: verified, then stored idempotently.
async fn submit(shared: &Arc<Shared>, peer: Peer, key: String, body: &[u8]) -> Receipt {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            let (code, result, _, detail) = shape("malformed JSON", e);
            return Receipt::of(code, result, &detail);
        }
    };
    // Whose key this is: the bound station's, else the station the body names.
    let station = match &peer {
        Peer::Bound(cn) => cn.clone(),
        _ => match v.get("station_id").and_then(Value::as_str) {
            Some(s) if station_id_ok(s) => s.to_string(),
            _ => {
                return Receipt::of(
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    "payload does not match the schema (field station_id)",
                )
            }
        },
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
    let verdict = {
        // The slot goes with the work: a client that hangs up does not free it while its
        // verification still runs on the blocking pool.
        let Ok(slot) = Arc::clone(&shared.verify_slots).acquire_owned().await else {
            return Receipt::internal();
        };
        let (s2, k2) = (Arc::clone(shared), key.clone());
        let started = Instant::now();
        let verdict = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let trust = s2.trust.read().map(|t| Arc::clone(&t)).unwrap_or_default();
            check(&s2.cfg, &trust, &s2.keys, &k2, &peer, v)
        })
        .await;
        shared.metrics.verified(started.elapsed());
        match verdict {
            Ok(v) => v,
            Err(_) => return Receipt::internal(),
        }
    };
    let (status, answer, stored) = match verdict {
        Ok(p) => (
            200u16,
            json!({
                "result": "OK",
                "enrollment_id": p.enrollment_id,
                // Whether a CRL was consulted: an operator running with --no-crl sees it on
                // every record.
                "revocation": if shared.cfg.crl_source.is_some() || shared.cfg.crl.is_some() {
                    "checked"
                } else {
                    "unchecked"
                },
            }),
            Some(p),
        ),
        Err((code, result, vendor, detail)) => {
            let mut a = json!({"result": result, "error": detail});
            if let Some(v) = vendor {
                a["vendor_code"] = json!(v);
            }
            (code.as_u16(), a, None)
        }
    };
    let answer = answer.to_string();
    // Malformed requests are answered but not remembered (they carry nothing to keep).
    // Refusals (403) are not remembered either: the key stays free for its own station.
    if status != 200 && status != 422 {
        return Receipt::new(status, answer, Disposition::NotStored, Some(station));
    }
    // 3. Store on (station, key): a new row, or over a remembered rejection of the same
    //    body; never over a success. When a concurrent request's success got there first (this receiver or
    //    another on the same database), its answer is the answer.
    let row = Row {
        proven: status == 200 || bound || card_signed(&answer),
        station_id: station.clone(),
        idempotency_key: key,
        station_bound: bound,
        body_sha256: body_hash,
        raw_sha256: hashes[1].clone(),
        status,
        answer: answer.clone(),
        received_ms: super::outbox::now_ms(),
        payload: stored.as_ref().and_then(|p| serde_json::to_vec(p).ok()),
    };
    match shared.noted(shared.store.store(row).await) {
        Ok(None) => Receipt::new(status, answer, Disposition::Stored, Some(station)),
        Ok(Some(first)) => with_station(replay(first, &hashes)),
        Err(e) => with_station(store_failed(e)),
    }
}

impl Shared {
    /// Remembers whether the store answered (for /readyz) and passes `r` on.
    fn noted<T>(&self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        let ok = !matches!(r, Err(StoreError::Unavailable(_)));
        self.store_ok.store(ok, Ordering::SeqCst);
        r
    }

    /// Pings the store every second until the receiver stops, so /readyz follows the store
    /// when no request does (each ping within the store's deadline).
    async fn watch_store(self: Arc<Self>, mut stopped: tokio::sync::watch::Receiver<bool>) {
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
    fn account(&self, r: &Receipt, key: Option<&str>, bound: bool, took: Duration) {
        self.metrics.answered(r.status, &r.result);
        match r.disposition {
            Disposition::Stored => self.metrics.stored(r.status == 200),
            Disposition::Replayed => self.metrics.replayed(),
            _ => {}
        }
        let Some(log) = &self.cfg.request_log else { return };
        let line = json!({
            "ts": crate::time::rfc3339(super::outbox::now_ms()),
            "id": key,
            "station": r.station,
            "bound": bound,
            "status": r.status,
            "result": r.result,
            "disposition": format!("{:?}", r.disposition).to_lowercase(),
            "ms": (took.as_secs_f64() * 1e6).round() / 1e3,
        });
        if let Ok(mut w) = log.lock() {
            let _ = writeln!(w, "{line}");
            let _ = w.flush();
        }
    }

    /// Reads the trust file and the CRLs again (SIGHUP). On any error what was in use stays.
    fn reload(&self) -> Result<String, String> {
        let mut cas = None;
        if let Some(f) = &self.cfg.trust_ca_file {
            cas = Some(super::trust::load_certificates(f)?);
        }
        let n_ca = cas
            .as_ref()
            .map_or_else(|| self.trust.read().map_or(0, |t| t.len()), Vec::len);
        let mut n_crl = 0;
        let mut skipped = String::new();
        if let Some(src) = &self.cfg.crl_source {
            if let Some(cas) = &cas {
                src.set_trust(cas.clone());
            }
            n_crl = src.reload()?;
            for f in src.skipped() {
                skipped.push_str(&format!("; not read (not *.crl, *.pem, *.der): {}", f.display()));
            }
        }
        if let (Some(cas), Ok(mut t)) = (cas, self.trust.write()) {
            *t = Arc::new(cas);
        }
        let stations = match &self.tls {
            Some(tls) => tls.reload()?,
            None => String::new(),
        };
        Ok(format!("{n_ca} trusted CA(s), {n_crl} CRL(s){stations}{skipped}"))
    }

    fn crl_figures(&self) -> Vec<super::metrics::CrlFigure> {
        self.cfg.crl_source.as_ref().map_or_else(Vec::new, |src| {
            src.states()
                .into_iter()
                .map(|c| super::metrics::CrlFigure {
                    issuer: c.issuer,
                    age_secs: c.age_secs,
                    fresh: c.fresh,
                })
                .collect()
        })
    }
}

/// Whether a rejection was reached only after the card's signature over the statement
/// verified (`check` runs chain, validity, signature, CRL, card data, in this order): the
/// statement names the enrollment id and the station, so the record is the card's own.
/// UNKNOWN_KEY, UNSUPPORTED_CERTIFICATE, CERTIFICATE_EXPIRED and SIGNATURE_MISMATCH come before
/// or from the signature check: anyone can produce them for any id.
fn card_signed(answer: &str) -> bool {
    let v: Value = serde_json::from_str(answer).unwrap_or(Value::Null);
    matches!(v["result"].as_str(), Some("CERTIFICATE_REVOKED" | "CARD_DATA_MISMATCH"))
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
fn store_unavailable() -> Receipt {
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

/// Seconds a station waits before retrying a 503: a CRL is refreshed by a job that runs
/// every few minutes at best; a database restarts or another receiver takes over in seconds.
fn retry_after(result: &str) -> &'static str {
    match result {
        "CRL_STALE" => "300",
        _ => "5",
    }
}

fn respond(status: u16, answer: &str) -> Response {
    let answer: Value = serde_json::from_str(answer).unwrap_or(Value::Null);
    let after = retry_after(answer["result"].as_str().unwrap_or(""));
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        Json(answer),
    )
        .into_response();
    if status == 503 {
        r.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(after),
        );
    }
    r
}

/// Every answer is `{"result": …}` JSON: headers past our limits get 431 here, and the
/// router's own empty or text answers (404, 405, …) are replaced by JSON with the same status.
async fn json_contract(req: Request, next: axum::middleware::Next) -> Response {
    let head = req.method().as_str().len()
        + req.uri().to_string().len()
        + 12
        + req
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>();
    if head > HEADER_LIMIT || req.headers().len() > MAX_HEADERS {
        return answer(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HEADERS_TOO_LARGE",
            &format!("request headers over {HEADER_LIMIT} bytes or {MAX_HEADERS} fields"),
            true,
        );
    }
    ensure_json(next.run(req).await)
}

fn ensure_json(r: Response) -> Response {
    use axum::http::header;
    // Ours: JSON, and the Prometheus text of /metrics.
    let is_ours = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v == PROMETHEUS_TEXT);
    if is_ours {
        return r;
    }
    let status = r.status();
    let (result, detail) = match status {
        StatusCode::NOT_FOUND => ("NOT_FOUND", "no such resource (POST /v1/enrollments)"),
        StatusCode::METHOD_NOT_ALLOWED => ("METHOD_NOT_ALLOWED", "method not allowed (POST /v1/enrollments)"),
        StatusCode::PAYLOAD_TOO_LARGE => ("PAYLOAD_TOO_LARGE", "body too large"),
        StatusCode::REQUEST_TIMEOUT => ("REQUEST_TIMEOUT", "request not received in time"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ("HEADERS_TOO_LARGE", "request headers too large"),
        s if s.is_server_error() => ("ERROR", "internal error"),
        _ => ("INVALID_REQUEST", "malformed request"),
    };
    let (mut parts, _) = r.into_parts();
    let mut json = answer(status, result, detail, false);
    for h in [header::ALLOW, header::CONNECTION, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.remove(&h) {
            json.headers_mut().insert(h, v);
        }
    }
    json
}

async fn not_found() -> Response {
    answer(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "no such resource (POST /v1/enrollments)",
        false,
    )
}

/// Liveness: the receiver answers (no database call).
async fn healthz() -> Response {
    (StatusCode::OK, Json(json!({"result": "OK", "status": "alive"}))).into_response()
}

/// How often the receiver asks its store whether it answers (`Shared::watch_store`).
const STORE_PING_EVERY: Duration = Duration::from_secs(1);

/// Readiness: not shutting down, the store answered its last call (requests' and the ping
/// each second: no query per probe, so a hung database never holds a probe), and every CRL is
/// current (a stale one would answer its issuer's records with CRL_STALE). Else 503.
async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    let crls: Vec<Value> = shared
        .crl_figures()
        .iter()
        .map(|c| json!({"issuer": c.issuer, "age_secs": c.age_secs, "fresh": c.fresh}))
        .collect();
    if shared.stopping.load(Ordering::SeqCst) {
        return Receipt::of(
            StatusCode::SERVICE_UNAVAILABLE,
            "SHUTTING_DOWN",
            "this receiver is stopping",
        )
        .response();
    }
    if !shared.store_ok.load(Ordering::SeqCst) {
        return store_unavailable().response();
    }
    let stale = crls.iter().filter(|c| c["fresh"] == false).count();
    if stale > 0 {
        return respond(
            503,
            &json!({
                "result": "CRL_STALE",
                "error": format!("{stale} CRL(s) past nextUpdate plus the grace; their records get CRL_STALE"),
                "crls": crls,
            })
            .to_string(),
        );
    }
    let mut ok = json!({"result": "OK", "store": "reachable"});
    if !crls.is_empty() {
        ok["crls"] = json!(crls);
    }
    (StatusCode::OK, Json(ok)).into_response()
}

const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Prometheus text exposition.
async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let text = shared.metrics.render(&shared.crl_figures(), shared.started.elapsed());
    (
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, PROMETHEUS_TEXT)],
        text,
    )
        .into_response()
}

/// Health, readiness and metrics: on the main listener, and alone on the operations listener
/// (`--ops-listen`: plain HTTP, so a load balancer or Prometheus reaches them without a
/// station's client certificate). They carry counts and states, never a record.
fn ops_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
        .route("/metrics", axum::routing::get(metrics))
}

/// Routes with the JSON contract: unknown paths 404 `{"result":"NOT_FOUND"}`.
fn with_contract(routes: Router<Arc<Shared>>, shared: Arc<Shared>) -> Router<()> {
    routes
        .fallback(not_found)
        .layer(axum::middleware::from_fn(json_contract))
        .with_state(shared)
}

fn ops_router(shared: Arc<Shared>) -> Router<()> {
    with_contract(ops_routes(), shared)
}

fn router(shared: Arc<Shared>) -> Router<()> {
    with_contract(ops_routes().route("/v1/enrollments", post(enroll)), shared)
}

/// Stops or reloads a running receiver (signals in `madoguchi receive`, tests).
#[derive(Clone)]
pub struct Control {
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    shared: Arc<Shared>,
    /// The receiver's runtime: the operations listener runs on it too, so pooled database
    /// connections (whose drivers run where they were opened) all live as long as it does.
    rt: tokio::runtime::Handle,
}

impl Control {
    /// Graceful stop: new connections are refused at once, requests in flight finish (up to
    /// `Limits::shutdown_grace`), idle keep-alive connections close.
    pub fn shutdown(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        let _ = self.stop.send(true);
    }

    /// Reads the trust file (when the receiver was started from one) and the CRLs again. On
    /// an error the ones in use stay. Returns what is in use now.
    pub fn reload(&self) -> Result<String, String> {
        self.shared.reload()
    }
}

pub struct ReceiverHandle {
    pub addr: SocketAddr,
    control: Control,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ReceiverHandle {
    pub fn url(&self, tls: bool) -> String {
        format!("{}://{}", if tls { "https" } else { "http" }, self.addr)
    }

    pub fn control(&self) -> Control {
        self.control.clone()
    }

    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        self.control.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Blocks until the server stops (the CLI: after `Control::shutdown`).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ReceiverHandle {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

/// Why a verified station certificate is still refused (depth 0 of the client chain).
fn station_refusal(cert: &openssl::x509::X509Ref, crl: Option<&super::crl::CrlSource>) -> Option<&'static str> {
    use openssl::x509::X509ExtendedKeyUsage;
    // Required, not merely allowed: a CA's server certificate has no clientAuth and is no
    // station, whatever its CN.
    if !cert
        .extended_key_usage()
        .is_some_and(|u| u.contains(X509ExtendedKeyUsage::SSL_CLIENT))
    {
        return Some("no clientAuth extended key usage");
    }
    if crl.is_some_and(|c| c.listed(cert)) {
        return Some("revoked (on the client CRL)");
    }
    None
}

fn acceptor(tls: &TlsConfig, client_crl: Option<Arc<super::crl::CrlSource>>) -> Result<SslAcceptor, String> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).map_err(|e| e.to_string())?;
    b.set_certificate_chain_file(&tls.cert)
        .map_err(|e| format!("{}: {e}", tls.cert.display()))?;
    b.set_private_key_file(&tls.key, openssl::ssl::SslFiletype::PEM)
        .map_err(|e| format!("{}: {e}", tls.key.display()))?;
    if let Some(ca) = &tls.client_ca {
        // PEM or DER, a bundle or a directory, like every other CA input.
        for c in super::trust::load_certificates(ca)? {
            b.cert_store_mut()
                .add_cert(c.clone())
                .map_err(|e| format!("{}: {e}", ca.display()))?;
            b.add_client_ca(&c).map_err(|e| format!("{}: {e}", ca.display()))?;
        }
        b.set_verify_callback(
            SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
            move |ok, ctx| {
                if ctx.error_depth() != 0 {
                    return ok;
                }
                let Some(cert) = ctx.current_cert() else { return false };
                let why = if ok {
                    station_refusal(cert, client_crl.as_deref())
                } else {
                    // OpenSSL's own refusal (unknown CA, expired, wrong purpose): said too.
                    Some(ctx.error().error_string())
                };
                let Some(why) = why else { return true };
                let cn = cert
                    .subject_name()
                    .entries_by_nid(openssl::nid::Nid::COMMONNAME)
                    .next()
                    .and_then(|e| e.data().to_string().ok())
                    .map(|s| crate::text::escape_untrusted(&s).into_owned())
                    .unwrap_or_default();
                let serial = cert
                    .serial_number()
                    .to_bn()
                    .and_then(|b| b.to_hex_str().map(|h| h.to_string()))
                    .unwrap_or_default();
                tracing::warn!(station = %cn, serial = %serial, reason = why, "station certificate refused");
                eprintln!("madoguchi receive: station certificate refused: CN={cn} serial {serial}: {why}");
                if ok {
                    // X509_V_ERR_CERT_REVOKED (23) or X509_V_ERR_INVALID_PURPOSE (26): the
                    // station is told why in the TLS alert.
                    let code = if why.starts_with("revoked") { 23 } else { 26 };
                    // SAFETY: a verification result is a plain error number; both are
                    // OpenSSL's own X509_V_ERR_* values.
                    ctx.set_error(unsafe { openssl::x509::X509VerifyResult::from_raw(code) });
                }
                false
            },
        );
    }
    Ok(b.build())
}

/// Resolves once shutdown was asked for (the watch's guard is not held past it).
async fn until_stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

fn shared(cfg: ReceiverConfig, tls: Option<Tls>) -> Result<Arc<Shared>, String> {
    let store = super::store::open_with_deadline(&cfg.db, cfg.limits.store)?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut keys = jwe::KeySet::default();
    for k in &cfg.seal_keys {
        keys.add(k.clone()).map_err(|e| format!("seal key: {e}"))?;
    }
    Ok(Arc::new(Shared {
        trust: std::sync::RwLock::new(Arc::new(cfg.trust_ca.clone())),
        cfg,
        keys,
        store,
        verify_slots: Arc::new(tokio::sync::Semaphore::new(cores)),
        metrics: Default::default(),
        started: Instant::now(),
        stopping: Default::default(),
        store_ok: std::sync::atomic::AtomicBool::new(true),
        tls,
    }))
}

/// The receiver without a listener, for records that arrive on foot (`receive import`):
/// the same verification, store and idempotency as `POST /v1/enrollments`. A carried file
/// binds no station, so records are taken as from an unbound peer.
pub struct Local {
    shared: Arc<Shared>,
}

impl Local {
    pub fn open(cfg: ReceiverConfig) -> Result<Local, String> {
        Ok(Local {
            shared: shared(cfg, None)?,
        })
    }

    pub async fn submit(&self, key: &str, body: &[u8]) -> Receipt {
        let started = Instant::now();
        let r = submit(&self.shared, Peer::Unbound, key.to_string(), body).await;
        self.shared.account(&r, Some(key), false, started.elapsed());
        r
    }
}

/// Accepts until the receiver stops: a slot first (beyond the slots, connections wait in the
/// backlog), then a connection, handed to `serve` with its slot. A failing accept (EMFILE…)
/// backs off instead of spinning.
async fn accept_loop(
    listener: &tokio::net::TcpListener,
    slots: &Arc<tokio::sync::Semaphore>,
    stop: &tokio::sync::watch::Sender<bool>,
    mut serve: impl FnMut(tokio::net::TcpStream, tokio::sync::OwnedSemaphorePermit),
) {
    let mut stopped = stop.subscribe();
    let mut backoff = None;
    loop {
        let permit = tokio::select! {
            _ = until_stopped(&mut stopped) => return,
            p = Arc::clone(slots).acquire_owned() => match p { Ok(p) => p, Err(_) => return },
        };
        let tcp = tokio::select! {
            _ = until_stopped(&mut stopped) => return,
            r = listener.accept() => match r {
                Ok((tcp, _)) => {
                    backoff = None;
                    tcp
                }
                Err(_) => {
                    let pause = accept_backoff(backoff);
                    backoff = Some(pause);
                    tokio::select! {
                        _ = until_stopped(&mut stopped) => return,
                        _ = tokio::time::sleep(pause) => continue,
                    }
                }
            },
        };
        serve(tcp, permit);
    }
}

/// Connections the operations listener serves at once. Its answers touch no database (/readyz
/// reads the state the receiver keeps), so nothing on it waits for the store, and liveness is
/// never queued behind readiness; the slots are for sockets that say nothing, which
/// `OPS_DEADLINE` closes.
const OPS_CONNECTIONS: usize = 64;

/// On the operations listener: a connection that sends no complete request head, or stays idle
/// after an answer, for this long is closed. Probes ask and go; a scraper reconnects.
const OPS_DEADLINE: Duration = Duration::from_secs(2);

/// The operations listener's own limits: short, whatever the stations' are.
fn ops_limits(stations: &Limits) -> Limits {
    Limits {
        tls_handshake: OPS_DEADLINE,
        headers: stations.headers.min(OPS_DEADLINE),
        body: stations.body.min(OPS_DEADLINE),
        idle: stations.idle.min(OPS_DEADLINE),
        max_connections: OPS_CONNECTIONS,
        ..stations.clone()
    }
}

/// Starts the operations listener of a running receiver (`Control`) on the receiver's runtime:
/// `/healthz`, `/readyz` and `/metrics` over plain HTTP on `listen`. It stops accepting when
/// the receiver stops. Returns the address bound.
pub fn spawn_ops(listen: &str, control: &Control) -> Result<SocketAddr, String> {
    let std_listener = std::net::TcpListener::bind(listen).map_err(|e| format!("{listen}: {e}"))?;
    std_listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = std_listener.local_addr().map_err(|e| e.to_string())?;
    let shared = Arc::clone(&control.shared);
    let stop = Arc::clone(&control.stop);
    control.rt.spawn(async move {
        let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
            return;
        };
        let slots = Arc::new(tokio::sync::Semaphore::new(OPS_CONNECTIONS));
        let limits = ops_limits(&shared.cfg.limits);
        accept_loop(&listener, &slots, &stop, |tcp, permit| {
            let app = ops_router(Arc::clone(&shared));
            let limits = limits.clone();
            let stopped = stop.subscribe();
            tokio::spawn(async move {
                let _ = serve_http(tcp, app, limits, stopped).await;
                drop(permit);
            });
        })
        .await;
    });
    Ok(addr)
}

/// Starts the receiver on its own thread. `listen` like "127.0.0.1:0".
pub fn spawn(listen: &str, cfg: ReceiverConfig, tls: Option<TlsConfig>) -> Result<ReceiverHandle, String> {
    let mtls = tls.as_ref().is_some_and(|t| t.client_ca.is_some());
    let shared = shared(cfg, tls.map(Tls::new).transpose()?)?;
    let std_listener = std::net::TcpListener::bind(listen).map_err(|e| format!("{listen}: {e}"))?;
    std_listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = std_listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, _) = tokio::sync::watch::channel(false);
    let stop = Arc::new(stop);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get()).max(2))
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let control = Control {
        stop: Arc::clone(&stop),
        shared: Arc::clone(&shared),
        rt: rt.handle().clone(),
    };
    let thread = std::thread::Builder::new()
        .name("receiver".into())
        .spawn(move || {
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                    return;
                };
                tokio::spawn(Arc::clone(&shared).watch_store(stop.subscribe()));
                let max = shared.cfg.limits.max_connections.max(1);
                let slots = Arc::new(tokio::sync::Semaphore::new(max));
                accept_loop(&listener, &slots, &stop, |tcp, permit| {
                    let _ = tcp.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    let stopped = stop.subscribe();
                    tokio::spawn(async move {
                        let _ = serve_connection(tcp, mtls, shared, stopped).await;
                        drop(permit);
                    });
                })
                .await;
                // Refuse new connections from now on; let the ones in flight finish.
                drop(listener);
                let grace = shared.cfg.limits.shutdown_grace;
                if tokio::time::timeout(grace, slots.acquire_many(max as u32))
                    .await
                    .is_err()
                {
                    tracing::warn!("shutdown: connections still open after the grace; stopping anyway");
                }
            });
        })
        .map_err(|e| e.to_string())?;
    Ok(ReceiverHandle {
        addr,
        control,
        thread: Some(thread),
    })
}

async fn serve_connection(
    tcp: tokio::net::TcpStream,
    mtls: bool,
    shared: Arc<Shared>,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> Result<(), String> {
    let limits = shared.cfg.limits.clone();
    // The acceptor as of this connection: a reload (SIGHUP) applies to the next ones.
    match shared.tls.as_ref().map(Tls::current) {
        None => serve_http(tcp, router(shared).layer(Extension(Peer::Unbound)), limits, stopped).await,
        Some(acc) => {
            let ssl = openssl::ssl::Ssl::new(acc.context()).map_err(|e| e.to_string())?;
            let mut stream = tokio_openssl::SslStream::new(ssl, tcp).map_err(|e| e.to_string())?;
            tokio::time::timeout(
                shared.cfg.limits.tls_handshake,
                std::pin::Pin::new(&mut stream).accept(),
            )
            .await
            .map_err(|_| "TLS handshake timed out".to_string())?
            .map_err(|e| e.to_string())?;
            let peer = if mtls { peer_of(stream.ssl()) } else { Peer::Unbound };
            serve_http(stream, router(shared).layer(Extension(peer)), limits, stopped).await
        }
    }
}

/// When the connection last finished a request, and how many are in progress: the idle
/// timeout counts only while none is.
struct Activity {
    start: Instant,
    busy: AtomicUsize,
    last_ms: AtomicU64,
}

struct Busy(Arc<Activity>);

impl Activity {
    fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(self))
    }

    /// Resolves once no request has been in progress for `idle`.
    async fn idle_for(&self, idle: Duration) {
        loop {
            let since = self
                .start
                .elapsed()
                .saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::SeqCst)));
            if self.busy.load(Ordering::SeqCst) == 0 && since >= idle {
                return;
            }
            tokio::time::sleep(idle.saturating_sub(since).max(Duration::from_millis(50))).await;
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let a = &self.0;
        a.last_ms.store(a.start.elapsed().as_millis() as u64, Ordering::SeqCst);
        a.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How long a connection told to close (idle) may take to finish what it is writing.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// One HTTP/1.1 connection through `app`, with the receiver's timeouts and graceful stop.
async fn serve_http<I>(
    io: I,
    app: Router<()>,
    limits: Limits,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> Result<(), String>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use hyper::service::Service as _;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.headers)
        .max_header_size(HYPER_HEADER_LIMIT)
        .max_headers(HYPER_MAX_HEADERS);
    let activity = Arc::new(Activity {
        start: Instant::now(),
        busy: AtomicUsize::new(0),
        last_ms: AtomicU64::new(0),
    });
    let app = TowerToHyperService::new(app);
    let act = Arc::clone(&activity);
    let svc = hyper::service::service_fn(move |req| {
        let busy = act.begin();
        let answer = app.call(req);
        async move {
            let r = answer.await;
            drop(busy);
            r
        }
    });
    let conn = builder.serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => r.map_err(|e| e.to_string()),
        _ = activity.idle_for(limits.idle) => {
            conn.as_mut().graceful_shutdown();
            match tokio::time::timeout(CLOSE_GRACE, conn).await {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(_) => Err("connection did not close".into()),
            }
        }
        // Shutdown: the request in progress is answered (with `Connection: close`), then the
        // connection ends; an idle one ends now.
        _ = until_stopped(&mut stopped) => {
            conn.as_mut().graceful_shutdown();
            match tokio::time::timeout(limits.shutdown_grace, conn).await {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(_) => Err("connection did not finish within the shutdown grace".into()),
            }
        }
    }
}

/// mTLS on loopback for the demo and tests: a throwaway CA, a server certificate for 127.0.0.1
/// and a client certificate naming one station (EC P-256, quick to make). PEM files in `dir`,
/// keys 0600.
pub struct LoopbackTls {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    /// The CA's key (0600), for a test's CRL of station certificates.
    pub ca_key: PathBuf,
}

impl LoopbackTls {
    /// The receiver's side: its certificate, and stations must present one from the same CA.
    pub fn server(&self) -> TlsConfig {
        TlsConfig {
            cert: self.server_cert.clone(),
            key: self.server_key.clone(),
            client_ca: Some(self.ca.clone()),
            client_crl: Vec::new(),
        }
    }

    pub fn create(dir: &std::path::Path, station_id: &str) -> Result<LoopbackTls, String> {
        use openssl::asn1::Asn1Time;
        use openssl::ec::{EcGroup, EcKey};
        use openssl::hash::MessageDigest;
        use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage, SubjectAlternativeName};
        use openssl::x509::{X509Builder, X509NameBuilder, X509};
        use std::os::unix::fs::OpenOptionsExt;
        let e = |e: openssl::error::ErrorStack| e.to_string();
        let key = || -> Result<PKey<openssl::pkey::Private>, String> {
            let group = EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).map_err(e)?;
            PKey::from_ec_key(EcKey::generate(&group).map_err(e)?).map_err(e)
        };
        let cert = |cn: &str,
                    key: &PKey<openssl::pkey::Private>,
                    issuer: Option<(&X509, &PKey<openssl::pkey::Private>)>,
                    server: bool|
         -> Result<X509, openssl::error::ErrorStack> {
            let mut name = X509NameBuilder::new()?;
            name.append_entry_by_text("CN", cn)?;
            let name = name.build();
            let mut b = X509Builder::new()?;
            b.set_version(2)?;
            let mut serial = openssl::bn::BigNum::new()?;
            serial.rand(64, openssl::bn::MsbOption::MAYBE_ZERO, false)?;
            let serial = serial.to_asn1_integer()?;
            b.set_serial_number(&serial)?;
            b.set_subject_name(&name)?;
            b.set_pubkey(key)?;
            let (from, to) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(2)?);
            b.set_not_before(&from)?;
            b.set_not_after(&to)?;
            match issuer {
                None => {
                    b.set_issuer_name(&name)?;
                    b.append_extension(BasicConstraints::new().critical().ca().build()?)?;
                }
                Some((ca, _)) => {
                    b.set_issuer_name(ca.subject_name())?;
                    if server {
                        let san = SubjectAlternativeName::new()
                            .ip("127.0.0.1")
                            .build(&b.x509v3_context(Some(ca), None))?;
                        b.append_extension(san)?;
                        b.append_extension(ExtendedKeyUsage::new().server_auth().build()?)?;
                    } else {
                        // A station's certificate says what it is for: the receiver accepts
                        // only clientAuth certificates as stations.
                        b.append_extension(ExtendedKeyUsage::new().client_auth().build()?)?;
                    }
                }
            }
            b.sign(issuer.map_or(key, |(_, k)| k), MessageDigest::sha256())?;
            Ok(b.build())
        };
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let write = |name: &str, bytes: &[u8], mode: u32| -> Result<PathBuf, String> {
            let p = dir.join(name);
            let _ = std::fs::remove_file(&p);
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(&p)
                .and_then(|mut f| std::io::Write::write_all(&mut f, bytes))
                .map_err(|e| format!("{}: {e}", p.display()))?;
            Ok(p)
        };
        let (ca_key, server_key, client_key) = (key()?, key()?, key()?);
        // Named after its station: CAs of several stations can be trusted side by side
        // (OpenSSL finds an issuer by its name).
        let ca = cert(&format!("madoguchi demo TLS CA {station_id}"), &ca_key, None, false).map_err(e)?;
        let server = cert("localhost", &server_key, Some((&ca, &ca_key)), true).map_err(e)?;
        let client = cert(station_id, &client_key, Some((&ca, &ca_key)), false).map_err(e)?;
        let pem = |c: &X509| c.to_pem().map_err(e);
        let pkcs8 = |k: &PKey<openssl::pkey::Private>| k.private_key_to_pem_pkcs8().map_err(e);
        Ok(LoopbackTls {
            ca: write("ca.pem", &pem(&ca)?, 0o644)?,
            server_cert: write("server.pem", &pem(&server)?, 0o644)?,
            server_key: write("server.key", &pkcs8(&server_key)?, 0o600)?,
            client_cert: write("station.pem", &pem(&client)?, 0o644)?,
            client_key: write("station.key", &pkcs8(&client_key)?, 0o600)?,
            ca_key: write("ca.key", &pkcs8(&ca_key)?, 0o600)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_errors_back_off_50_ms_doubling_to_1_s() {
        let mut d = None;
        let mut seen = Vec::new();
        for _ in 0..8 {
            let next = accept_backoff(d);
            seen.push(next.as_millis());
            d = Some(next);
        }
        assert_eq!(seen, [50, 100, 200, 400, 800, 1000, 1000, 1000]);
    }
}
