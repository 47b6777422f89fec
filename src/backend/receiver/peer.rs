//! Who is on the other end: the TLS acceptor (rebuilt on reload, when a client CA is added or a
//! station certificate revoked) and the station a verified client certificate names (mTLS).

use super::config::TlsConfig;
use crate::backend::crl::CrlSource;
use openssl::ssl::{SslAcceptor, SslMethod, SslVerifyMode};
use openssl::x509::X509;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// TLS as the receiver holds it: the acceptor is rebuilt on reload (a client CA added, a
/// station certificate revoked) and each new connection takes the current one.
pub(super) struct Tls {
    config: TlsConfig,
    acceptor: RwLock<Arc<SslAcceptor>>,
    /// The station CAs the acceptor trusts, as last read (for what the receiver says it trusts).
    cas: RwLock<Vec<X509>>,
    client_crl: Option<Arc<CrlSource>>,
}

/// A reload of the station side read but not in use yet (`Tls::commit`).
pub(super) struct StagedTls {
    acceptor: SslAcceptor,
    cas: Vec<X509>,
    crls: Option<crate::backend::crl::Staged>,
}

impl Tls {
    pub(super) fn new(config: TlsConfig) -> Result<Tls, String> {
        let cas = match &config.client_ca {
            Some(ca) => crate::backend::trust::load_certificates(ca)?,
            None => Vec::new(),
        };
        let client_crl = if config.client_crl.is_empty() {
            None
        } else {
            if config.client_ca.is_none() {
                return Err("--client-crl needs --client-ca".into());
            }
            // Stale or not, a CRL's revocations stand: a station certificate listed is refused
            // (the grace only matters for "not revoked", which is not asked here).
            let src = CrlSource::load(config.client_crl.clone(), cas.clone(), Duration::from_secs(0))?;
            if let Some(every) = config.client_crl_watch {
                src.watch(every);
            }
            Some(src)
        };
        let acceptor = acceptor(&config, client_crl.clone())?;
        Ok(Tls {
            config,
            acceptor: RwLock::new(Arc::new(acceptor)),
            cas: RwLock::new(cas),
            client_crl,
        })
    }

    /// The acceptor as of now: a reload applies to the connections accepted after it.
    pub(super) fn current(&self) -> Arc<SslAcceptor> {
        Arc::clone(&self.acceptor.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// The station CAs in use.
    pub(super) fn station_cas(&self) -> Vec<X509> {
        self.cas.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// The station CRLs in use (readiness, metrics).
    pub(super) fn client_crl(&self) -> Option<&CrlSource> {
        self.client_crl.as_deref()
    }

    /// Reads the client CA and its CRLs again and builds the acceptor, changing nothing yet.
    pub(super) fn stage(&self) -> Result<Option<StagedTls>, String> {
        let Some(ca) = &self.config.client_ca else {
            return Ok(None);
        };
        let cas = crate::backend::trust::load_certificates(ca)?;
        let crls = match &self.client_crl {
            Some(src) => Some(src.stage(Some(cas.clone()))?),
            None => None,
        };
        let acceptor = acceptor(&self.config, self.client_crl.clone())?;
        Ok(Some(StagedTls { acceptor, cas, crls }))
    }

    /// Puts a staged reload in use: what it says for the SIGHUP line.
    pub(super) fn commit(&self, staged: StagedTls) -> String {
        let crls = match (&self.client_crl, staged.crls) {
            (Some(src), Some(s)) => src.commit(s),
            _ => 0,
        };
        let n = staged.cas.len();
        *self.cas.write().unwrap_or_else(|e| e.into_inner()) = staged.cas;
        *self.acceptor.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(staged.acceptor);
        format!(", {n} station CA(s), {crls} station CRL(s)")
    }
}

/// Who is on the other end of the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Peer {
    /// Plain HTTP, or TLS without client certificates: the station is whatever the body says.
    Unbound,
    /// mTLS: the one CN of the client certificate, which must equal the record's station_id.
    Bound(String),
    /// mTLS, but the certificate names no station or several (not exactly one CN).
    NoStation,
}

/// The station a verified client certificate names: exactly one CN, UTF-8, 1–64 bytes.
pub(super) fn peer_of(ssl: &openssl::ssl::SslRef) -> Peer {
    match ssl.peer_certificate() {
        Some(cert) => peer_of_certificate(&cert),
        None => Peer::NoStation,
    }
}

/// The station a station certificate names: exactly one CN, UTF-8, 1–64 bytes.
fn peer_of_certificate(cert: &openssl::x509::X509Ref) -> Peer {
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

/// The station a carried line's certificate names, checked as the handshake checks a client
/// certificate: it chains to the station CAs (issuer by key identifier and signature; valid
/// now), carries clientAuth, is not on the station CRL, and names one station.
pub(super) fn carried_station(cert: &X509, cas: &[X509], crl: Option<&CrlSource>) -> Result<String, String> {
    use openssl::x509::store::X509StoreBuilder;
    let path = crate::backend::trust::chain_of(cas, cert)
        .ok_or_else(|| "the station certificate does not chain to a station CA (--client-ca)".to_string())?;
    let mut sb = X509StoreBuilder::new().map_err(|e| e.to_string())?;
    for ca in path {
        sb.add_cert(ca).map_err(|e| e.to_string())?;
    }
    let store = sb.build();
    let chain = openssl::stack::Stack::new().map_err(|e| e.to_string())?;
    let mut ctx = openssl::x509::X509StoreContext::new().map_err(|e| e.to_string())?;
    let ok = ctx
        .init(&store, cert, &chain, |c| {
            c.verify_cert().map(|ok| ok.then_some(()).ok_or(c.error()))
        })
        .map_err(|e| e.to_string())?;
    if let Err(e) = ok {
        return Err(format!("the station certificate: {}", e.error_string()));
    }
    if let Some(why) = station_refusal(cert, crl) {
        return Err(format!("the station certificate: {why}"));
    }
    match peer_of_certificate(cert) {
        Peer::Bound(cn) => Ok(cn),
        _ => Err("the station certificate names no station (exactly one CN)".into()),
    }
}

/// A station id both stores keep alike: 1–64 bytes, no control characters (PostgreSQL text
/// refuses NUL, which SQLite would take).
pub(super) fn station_id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && !id.chars().any(char::is_control)
}

/// Why a verified station certificate is still refused (depth 0 of the client chain).
fn station_refusal(cert: &openssl::x509::X509Ref, crl: Option<&CrlSource>) -> Option<&'static str> {
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

/// The acceptor of `tls`: its certificate and key, and with a client CA, mTLS that takes only
/// station certificates (`verify_station`).
fn acceptor(tls: &TlsConfig, client_crl: Option<Arc<CrlSource>>) -> Result<SslAcceptor, String> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).map_err(|e| e.to_string())?;
    b.set_certificate_chain_file(&tls.cert)
        .map_err(|e| format!("{}: {e}", tls.cert.display()))?;
    b.set_private_key_file(&tls.key, openssl::ssl::SslFiletype::PEM)
        .map_err(|e| format!("{}: {e}", tls.key.display()))?;
    // No session resumption: a resumed session skips the certificate checks below (a station
    // revoked since would still get in), and without a session id context OpenSSL answers a
    // resuming client (curl, Java) with an alert. Every connection is a full handshake.
    b.set_session_id_context(b"madoguchi-receiver")
        .map_err(|e| e.to_string())?;
    b.set_session_cache_mode(openssl::ssl::SslSessionCacheMode::OFF);
    b.set_options(openssl::ssl::SslOptions::NO_TICKET);
    b.set_num_tickets(0).map_err(|e| e.to_string())?;
    if let Some(ca) = &tls.client_ca {
        // PEM or DER, a bundle or a directory, like every other CA input.
        for c in crate::backend::trust::load_certificates(ca)? {
            b.cert_store_mut()
                .add_cert(c.clone())
                .map_err(|e| format!("{}: {e}", ca.display()))?;
            b.add_client_ca(&c).map_err(|e| format!("{}: {e}", ca.display()))?;
        }
        b.set_verify_callback(
            SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
            move |ok, ctx| verify_station(ok, ctx, client_crl.as_deref()),
        );
    }
    Ok(b.build())
}

/// OpenSSL's check of a client certificate, and ours of the station's own certificate
/// (depth 0): a refusal is said on stderr and in the log, and the station is told why in the
/// TLS alert.
fn verify_station(ok: bool, ctx: &mut openssl::x509::X509StoreContextRef, crl: Option<&CrlSource>) -> bool {
    if ctx.error_depth() != 0 {
        return ok;
    }
    let Some(cert) = ctx.current_cert() else { return false };
    let why = if ok {
        station_refusal(cert, crl)
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
}
