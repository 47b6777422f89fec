//! The checks of one record, outside any lock or transaction (the module doc of `receiver`
//! gives their order): the body opened, the payload and its statement, the proofs of the
//! assurance level claimed, then the card data against what was signed. Each refusal is a
//! `Refusal`: the HTTP status, the answer's `result`, a vendor code and a detail that names
//! structure, never data.

use super::config::ReceiverConfig;
use super::peer::Peer;
use crate::backend::jwe;
use crate::backend::seal::{self, Envelope};
use crate::record::canonical::sha256_hex;
use crate::record::card_data::CardData;
use crate::record::payload::{unb64, verify_signature, Assurance, Payload, Statement, SCHEMA};
use axum::http::StatusCode;
use openssl::asn1::Asn1Time;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{X509Crl, X509StoreContext, X509};
use serde_json::Value;

/// Why a record is refused, as answered: 400 malformed, 403 not this peer's to send, 422
/// refused (kept for review), 503 to retry.
pub(super) struct Refusal {
    pub(super) status: StatusCode,
    /// The answer's `result`: INVALID_REQUEST, CERTIFICATE_EXPIRED, CRL_STALE…
    pub(super) result: &'static str,
    /// The code the seeds' services give the same refusal (21 expired, 23 revoked).
    pub(super) vendor_code: Option<u32>,
    /// Where the record is wrong (a field, a check), never what it holds.
    pub(super) detail: String,
}

impl Refusal {
    fn new(status: StatusCode, result: &'static str, vendor_code: Option<u32>, detail: impl Into<String>) -> Refusal {
        Refusal {
            status,
            result,
            vendor_code,
            detail: detail.into(),
        }
    }
}

fn invalid(detail: impl Into<String>) -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", None, detail)
}

fn reject(result: &'static str, code: Option<u32>, detail: impl Into<String>) -> Refusal {
    Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, result, code, detail)
}

fn forbidden(detail: impl Into<String>) -> Refusal {
    Refusal::new(StatusCode::FORBIDDEN, "FORBIDDEN", None, detail)
}

/// Every check of one record, in the order of the module doc of `receiver`: the payload as
/// kept (with the receiver's own card comparison), or why it is refused.
pub(super) fn check(
    cfg: &ReceiverConfig,
    trust: &[X509],
    auth_trust: &[X509],
    keys: &jwe::KeySet,
    key: &str,
    peer: &Peer,
    v: Value,
) -> Result<Payload, Refusal> {
    let mut payload = open(cfg, keys, key, v)?;
    let (st, st_bytes) = check_record(cfg, &payload, key, peer)?;
    match proofs_of(&payload)? {
        Assurance::Unauthenticated => check_unauthenticated(cfg, peer)?,
        Assurance::Signed => check_signed(cfg, trust, &mut payload, &st, &st_bytes)?,
        Assurance::CardAuthenticated => {
            check_bound(peer, "card-authenticated")?;
            check_card_authenticated(cfg, auth_trust, &payload, &st, &st_bytes)?;
            // No signing certificate: nothing to compare the items with but EF 02 itself.
            payload.card_check = None;
        }
    }
    check_what_was_signed(&payload, &st)?;
    Ok(payload)
}

/// The payload a body carries: sealed in a JWE, in a first-release envelope, or in clear.
fn open(cfg: &ReceiverConfig, keys: &jwe::KeySet, key: &str, v: Value) -> Result<Payload, Refusal> {
    let outer_station = v.get("station_id").and_then(Value::as_str).map(str::to_string);
    let sealed = v.get("jwe").is_some() || v.get("sealed").is_some();
    if sealed && cfg.seal_keys.is_empty() {
        return Err(invalid("sealed body, but this receiver has no seal key"));
    }
    if let Some(jwe) = v.get("jwe") {
        open_jwe(keys, &v, jwe, outer_station.as_deref())
    } else if let Some(sealed) = v.get("sealed") {
        open_envelope(cfg, key, sealed, outer_station.as_deref())
    } else {
        serde_json::from_value(v).map_err(|e| {
            let field = e.to_string().split('`').nth(1).map(str::to_string);
            invalid(match field {
                // "missing field `x`" / "unknown field `x`": the name is structure, not data.
                Some(f) if e.to_string().contains("field") => format!("payload does not match the schema (field {f})"),
                _ => "payload does not match the schema".to_string(),
            })
        })
    }
}

/// A JWE (compact), which must name the record and station it is sent as.
fn open_jwe(keys: &jwe::KeySet, v: &Value, jwe: &Value, outer_station: Option<&str>) -> Result<Payload, Refusal> {
    let compact = jwe.as_str().ok_or_else(|| invalid("jwe is not a compact JWE string"))?;
    let outer_id = v.get("enrollment_id").and_then(Value::as_str).unwrap_or_default();
    let plain = jwe::open(keys, compact, outer_id, outer_station.unwrap_or_default()).map_err(|e| match e {
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
    let p = sealed_payload(&plain)?;
    if p.enrollment_id != outer_id || outer_station != Some(p.station_id.as_str()) {
        return Err(invalid("the sealed record is not the one named outside"));
    }
    Ok(p)
}

/// The payload a sealed body opened to.
fn sealed_payload(plain: &[u8]) -> Result<Payload, Refusal> {
    serde_json::from_slice(plain).map_err(|e| shape("sealed payload does not match the schema", e))
}

/// The first release's envelope, which names no key: each is tried.
fn open_envelope(
    cfg: &ReceiverConfig,
    key: &str,
    sealed: &Value,
    outer_station: Option<&str>,
) -> Result<Payload, Refusal> {
    if cfg.seal_keys.is_empty() {
        return Err(invalid("sealed body, but this receiver has no seal key"));
    }
    let env: Envelope = serde_json::from_value(sealed.clone()).map_err(|_| invalid("malformed envelope"))?;
    let plain = cfg
        .seal_keys
        .iter()
        .find_map(|k| seal::open(k, key, &env).ok())
        .ok_or_else(|| invalid("envelope does not open with this receiver's keys"))?;
    tracing::info!("opened a first-release envelope (records queued before the JWE format)");
    let p = sealed_payload(&plain)?;
    if outer_station.is_some_and(|o| o != p.station_id) {
        return Err(invalid(
            "station_id outside the envelope differs from the sealed record",
        ));
    }
    Ok(p)
}

/// The payload's schema, key and station, and its statement: the statement (decoded, and its
/// bytes as signed) must be this record's.
fn check_record(
    cfg: &ReceiverConfig,
    payload: &Payload,
    key: &str,
    peer: &Peer,
) -> Result<(Statement, Vec<u8>), Refusal> {
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
    if payload.signature.is_some() != payload.signing_certificate.is_some() {
        return Err(invalid("signature and signing_certificate go together"));
    }
    check_time(cfg, payload, &st)?;
    Ok((st, st_bytes))
}

/// The record's time is the signed one (the payload's `created_at` repeats the statement's),
/// not ahead of the receiver's clock by more than the skew, and not older than the receiver
/// accepts: the certificates are then checked at that time and now.
fn check_time(cfg: &ReceiverConfig, payload: &Payload, st: &Statement) -> Result<(), Refusal> {
    if payload.created_at != st.created_at {
        return Err(invalid("created_at differs from the statement's"));
    }
    let at = crate::time::parse_rfc3339(&st.created_at)
        .ok_or_else(|| invalid("the statement's created_at is not an RFC 3339 time"))?;
    let now = crate::time::unix_ms() / 1000;
    let max_age = cfg.max_record_age.unwrap_or(super::config::MAX_RECORD_AGE).as_secs() as i64;
    if at > now + super::config::CLOCK_SKEW.as_secs() as i64 {
        return Err(reject(
            "RECORD_TIME",
            None,
            "the statement's time is ahead of the receiver's clock (check the station's clock)",
        ));
    }
    if at < now - max_age {
        return Err(reject(
            "RECORD_TIME",
            None,
            format!(
                "the statement is older than this receiver accepts ({} days)",
                max_age / 86_400
            ),
        ));
    }
    Ok(())
}

/// Validity at the record's signed time and now: a certificate must have been valid when it
/// signed and still be (an expired one has left the CRLs, which could no longer say it was
/// revoked).
fn check_validity_then_and_now(cert: &X509, st: &Statement) -> Result<(), Refusal> {
    let at = crate::time::parse_rfc3339(&st.created_at)
        .ok_or_else(|| invalid("the statement's created_at is not an RFC 3339 time"))?;
    let at = Asn1Time::from_unix(at).map_err(|_| invalid("the statement's created_at is out of range"))?;
    check_validity_at(cert, &at)?;
    check_validity(cert)
}

/// `unauthenticated`: only where the receiver allows it, and only from a bound station.
fn check_unauthenticated(cfg: &ReceiverConfig, peer: &Peer) -> Result<(), Refusal> {
    if !cfg.allow_unsigned {
        return Err(forbidden(
            "this receiver does not accept unauthenticated records (nothing proves the card)",
        ));
    }
    check_bound(peer, "unauthenticated")
}

/// Levels whose four items rest on the station's word — `card-authenticated` (the challenge
/// proves a genuine card and a known PIN; only the same card session binds EF 02 to it) and
/// `unauthenticated` — are taken only from a station that proved who it is: its client
/// certificate (mTLS), or its signature on a carried file. Anyone else could sign made-up EF
/// 02 bytes with any genuine card.
fn check_bound(peer: &Peer, level: &str) -> Result<(), Refusal> {
    if matches!(peer, Peer::Bound(_)) {
        return Ok(());
    }
    Err(forbidden(format!(
        "{level} records are accepted only from a station bound by its certificate (mutual TLS, or a carried file the station signed)"
    )))
}

/// `signed`: the signing certificate's chain, validity, signature over the statement and CRL,
/// then the card data against the certificate (the receiver's own comparison is kept in
/// `payload.card_check`), and EF 02 when the statement binds it.
fn check_signed(
    cfg: &ReceiverConfig,
    trust: &[X509],
    payload: &mut Payload,
    st: &Statement,
    st_bytes: &[u8],
) -> Result<(), Refusal> {
    let sig = payload.signature.as_deref().unwrap_or_default();
    let cert = payload.signing_certificate.as_deref().unwrap_or_default();
    let sig = unb64(sig).ok_or_else(|| invalid("signature is not base64"))?;
    let der = unb64(cert).ok_or_else(|| invalid("signing_certificate is not base64"))?;
    let x = X509::from_der(&der).map_err(|_| invalid("signing_certificate is not a certificate"))?;
    check_chain(trust, &x)?;
    check_validity_then_and_now(&x, st)?;
    if !verify_signature(&der, st_bytes, &sig).unwrap_or(false) {
        return Err(reject(
            "SIGNATURE_MISMATCH",
            None,
            "signature does not verify over the statement",
        ));
    }
    check_revocation(cfg.crl_source.as_deref(), cfg.crl.as_ref(), &x)?;
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
    // A signed statement may bind EF 02 too; then the bytes sent must be those.
    if payload.ef02.is_some() || st.ef02_sha256.is_some() {
        check_ef02(payload, st)?;
    }
    Ok(())
}

/// The card data and contact address sent are those the statement names.
fn check_what_was_signed(payload: &Payload, st: &Statement) -> Result<(), Refusal> {
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
    Ok(())
}

fn check_chain(trust: &[X509], cert: &X509) -> Result<(), Refusal> {
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
    let path = crate::backend::trust::chain_of(trust, cert).ok_or_else(unchained)?;
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

fn check_validity(cert: &X509) -> Result<(), Refusal> {
    let now = Asn1Time::days_from_now(0).map_err(|e| invalid(e.to_string()))?;
    check_validity_at(cert, &now)
}

/// Validity at `at`: CERTIFICATE_EXPIRED (vendor code 21) outside it.
fn check_validity_at(cert: &X509, now: &openssl::asn1::Asn1TimeRef) -> Result<(), Refusal> {
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
pub(super) fn shape(what: &str, e: serde_json::Error) -> Refusal {
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
    match check(cfg, &cfg.trust_ca, &cfg.auth_ca, keys, key, &peer, v) {
        Ok(_) => 200,
        Err(r) => r.status.as_u16(),
    }
}

/// A record whose assurance level is not what its proofs show (docs/backend-api.md,
/// "Assurance levels"): 422 ASSURANCE_NOT_PROVEN, which the station explains and keeps for
/// review.
fn not_proven(detail: impl Into<String>) -> Refusal {
    reject("ASSURANCE_NOT_PROVEN", None, detail)
}

/// The level a record claims, once its fields are seen to carry that level's proofs and no
/// other level's: `signed` a signature and a signing certificate; `card-authenticated` an auth
/// signature, an auth certificate and EF 02; `unauthenticated` none of them. Records of
/// stations before the levels have no `assurance`: `signed` with a signature, else
/// `unauthenticated`.
fn proofs_of(p: &Payload) -> Result<Assurance, Refusal> {
    let level = p.level();
    let signed = p.signature.is_some() && p.signing_certificate.is_some();
    let challenge = [&p.auth_signature, &p.auth_certificate, &p.ef02].map(Option::is_some);
    let (signature, auth) = (signed, challenge.iter().any(|c| *c));
    let proven = match level {
        Assurance::Signed => signature && !challenge[0] && !challenge[1],
        Assurance::CardAuthenticated => !signature && challenge.iter().all(|c| *c),
        Assurance::Unauthenticated => !signature && !auth,
    };
    if proven {
        Ok(level)
    } else {
        Err(not_proven(match level {
            Assurance::Signed => "a signed record carries the signature and signing certificate, and no 利用者証明 challenge",
            Assurance::CardAuthenticated => {
                "a card-authenticated record carries auth_signature, auth_certificate and ef02, and no signing signature"
            }
            Assurance::Unauthenticated => "an unauthenticated record carries no signature and no 利用者証明 challenge",
        }))
    }
}

/// The certificate against the CRLs of its issuer: CERTIFICATE_REVOKED (vendor code 23), or
/// 503 CRL_STALE when no current CRL of its issuer speaks for it.
fn check_revocation(
    src: Option<&crate::backend::crl::CrlSource>,
    crl: Option<&X509Crl>,
    x: &X509,
) -> Result<(), Refusal> {
    if let Some(src) = src {
        match src.status(x) {
            crate::backend::crl::Revocation::NotRevoked => Ok(()),
            crate::backend::crl::Revocation::Revoked => {
                Err(reject("CERTIFICATE_REVOKED", Some(23), "certificate is on the CRL"))
            }
            // Never "not revoked" from a list that may miss the revocation: try later.
            crate::backend::crl::Revocation::Stale => Err(Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "CRL_STALE",
                None,
                "no current CRL for this certificate's issuer; retry later",
            )),
        }
    } else if let Some(crl) = crl {
        match crl.get_by_serial(x.serial_number()) {
            openssl::x509::CrlStatus::Revoked(_) => {
                Err(reject("CERTIFICATE_REVOKED", Some(23), "certificate is on the CRL"))
            }
            _ => Ok(()),
        }
    } else {
        Ok(())
    }
}

/// EF 02 as sent against the statement and the card data: its SHA-256 must be the one the
/// card signed (`ef02_sha256`), and it must decode to exactly the four items sent.
fn check_ef02(p: &Payload, st: &Statement) -> Result<(), Refusal> {
    let raw = p
        .ef02
        .as_deref()
        .ok_or_else(|| not_proven("the statement binds EF 02, but the record carries none"))?;
    let raw = zeroize::Zeroizing::new(unb64(raw).ok_or_else(|| invalid("ef02 is not base64"))?);
    if st.ef02_sha256.as_deref() != Some(sha256_hex(&raw).as_str()) {
        return Err(not_proven("ef02 is not the EF 02 the card's signature binds"));
    }
    let person = crate::card::basic4::decode(&raw).map_err(|_| not_proven("ef02 is not an EF 02 of the four items"))?;
    if CardData::from_basic4(&person) != p.card {
        return Err(not_proven("card data differs from EF 02 as read"));
    }
    Ok(())
}

/// The 利用者証明 challenge (`card-authenticated`): the auth certificate chains to a
/// configured 利用者証明用 CA (issuer by key identifier and signature), is valid at the
/// record's time (the signed `created_at`) and now, and not revoked (when auth CRLs are configured);
/// its key signed exactly this statement; and the statement binds EF 02 as sent, which holds
/// the four items sent. What the challenge proves — a genuine card and a known PIN — binds the
/// four items only through EF 02 read in the same card session.
fn check_card_authenticated(
    cfg: &ReceiverConfig,
    auth_trust: &[X509],
    p: &Payload,
    st: &Statement,
    st_bytes: &[u8],
) -> Result<(), Refusal> {
    let sig = unb64(p.auth_signature.as_deref().unwrap_or_default())
        .ok_or_else(|| invalid("auth_signature is not base64"))?;
    let der = unb64(p.auth_certificate.as_deref().unwrap_or_default())
        .ok_or_else(|| invalid("auth_certificate is not base64"))?;
    let x = X509::from_der(&der).map_err(|_| invalid("auth_certificate is not a certificate"))?;
    if auth_trust.is_empty() {
        return Err(reject(
            "UNSUPPORTED_CERTIFICATE",
            None,
            "this receiver has no 利用者証明用 CA (--auth-ca) to check card-authenticated records",
        ));
    }
    check_chain(auth_trust, &x)?;
    check_validity_then_and_now(&x, st)?;
    if !verify_signature(&der, st_bytes, &sig).unwrap_or(false) {
        return Err(reject(
            "SIGNATURE_MISMATCH",
            None,
            "auth_signature does not verify over the statement",
        ));
    }
    check_revocation(cfg.auth_crl_source.as_deref(), None, &x)?;
    check_ef02(p, st)
}
