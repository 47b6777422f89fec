//! What an operator sets: the receiver's configuration, its per-phase limits and TLS files.
//! `cli/receive/` builds these from flags and the `[receiver]` config section.

use super::admission;
use crate::backend::store::StoreLocation;
use openssl::pkey::{PKey, Private};
use openssl::x509::{X509Crl, X509};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The largest request body taken (bytes): past it, 413 PAYLOAD_TOO_LARGE.
pub const BODY_LIMIT: usize = 256 * 1024;
/// Request line + headers (bytes) and header count answered with a JSON 431 past them.
pub const HEADER_LIMIT: usize = 16 * 1024;
pub const MAX_HEADERS: usize = 100;

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
    /// While fewer than an eighth of the slots are free: unproven connections (before an mTLS
    /// handshake or a first request head) one source address may hold; more are closed at
    /// once (`backend::admission`).
    pub per_address: usize,
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
            // Short: a handshake takes milliseconds; a socket that says nothing holds a slot.
            tls_handshake: Duration::from_secs(3),
            headers: Duration::from_secs(10),
            body: Duration::from_secs(30),
            idle: Duration::from_secs(60),
            max_connections: 256,
            per_address: admission::DEFAULT_PER_ADDRESS,
            shutdown_grace: Duration::from_secs(30),
            store: crate::backend::store::DEFAULT_DEADLINE,
        }
    }
}

#[derive(Default)]
pub struct ReceiverConfig {
    /// Where answered requests are kept: a SQLite file or a PostgreSQL database.
    pub db: StoreLocation,
    pub trust_ca: Vec<X509>,
    /// Where `trust_ca` came from: read again on reload (SIGHUP), so a CA can be added
    /// without a restart.
    pub trust_ca_file: Option<PathBuf>,
    pub crl: Option<X509Crl>,
    /// CRLs kept fresh (several, reloaded on SIGHUP and on change; stale → 503 CRL_STALE).
    /// Takes precedence over `crl`. With neither, accepted records say `revocation: unchecked`.
    pub crl_source: Option<Arc<crate::backend::crl::CrlSource>>,
    /// Private keys that open sealed records, any number (seal-key rotation): a JWE names
    /// its key by `kid`; a first-release envelope is tried with each.
    pub seal_keys: Vec<PKey<Private>>,
    /// Accept `unauthenticated` records (no signature, no 利用者証明 challenge: nothing proves
    /// the card; `--allow-unauthenticated`, formerly `--allow-unsigned`). Even then only from a
    /// station bound by its client certificate (mTLS); the station is recorded with them.
    /// `card-authenticated` records (holders under 15) need no such switch.
    pub allow_unsigned: bool,
    /// The 利用者証明用 CA certificates (J-LIS authca01–03 share one DN) the auth certificates
    /// of `card-authenticated` records must chain to. Empty: such records are refused
    /// (UNSUPPORTED_CERTIFICATE) until some are configured.
    pub auth_ca: Vec<X509>,
    /// Where `auth_ca` came from: read again on reload (SIGHUP).
    pub auth_ca_file: Option<PathBuf>,
    /// CRLs of the 利用者証明用 CAs (reloaded like `crl_source`). None: not checked
    /// (`--no-auth-crl`), and accepted `card-authenticated` records say
    /// `revocation: unchecked` (the answer speaks of the certificate that proves the record).
    pub auth_crl_source: Option<Arc<crate::backend::crl::CrlSource>>,
    pub limits: Limits,
    /// How old a record's signed time may be when it arrives (`None`: `MAX_RECORD_AGE`): a
    /// field laptop carries records for days, never for months; a time older than this, or
    /// ahead of the receiver's clock by more than `CLOCK_SKEW`, is a statement no one should
    /// vouch for (a backdated challenge would pass an expired certificate).
    pub max_record_age: Option<std::time::Duration>,
    /// One JSON line per request (time, id, station, status, result, latency; never
    /// personal data). `madoguchi receive` writes them to stderr (the journal).
    pub request_log: Option<RequestLog>,
}

/// Where request lines go.
pub type RequestLog = Arc<std::sync::Mutex<Box<dyn std::io::Write + Send>>>;

/// The default of `ReceiverConfig::max_record_age`: 90 days.
pub const MAX_RECORD_AGE: std::time::Duration = std::time::Duration::from_secs(90 * 86_400);

/// How far ahead of the receiver's clock a station's may run.
pub const CLOCK_SKEW: std::time::Duration = std::time::Duration::from_secs(600);

#[derive(Default)]
pub struct TlsConfig {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// With a client CA, stations must present a certificate (mTLS) with the clientAuth
    /// extended key usage; its CN must equal the record's station id. A file or a directory,
    /// read again on reload (SIGHUP).
    pub client_ca: Option<PathBuf>,
    /// CRLs of the client CA (files or directories): a station certificate listed on one is
    /// refused in the handshake. Read again on reload, and every `client_crl_watch` when a
    /// file changed (`None`: only on reload).
    pub client_crl: Vec<PathBuf>,
    pub client_crl_watch: Option<std::time::Duration>,
}
