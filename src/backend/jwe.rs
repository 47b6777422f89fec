//! Sealed records as JWE (RFC 7516) compact serialization, `RSA-OAEP-256` + `A256GCM`, built
//! with openssl: any JOSE library (jose4j, go-jose, jwcrypto, panva/jose) opens them.
//!
//! Protected header: `alg`, `enc`, `kid` (RFC 7638 JWK thumbprint of the backend's key, so the
//! operator can rotate keys), `cty: application/json`, and the record's `enrollment_id` and
//! `station_id`. The protected header is the JWE's own AAD: an envelope moved to another record
//! or station fails its tag, and the receiver also compares the header with the body.

use base64::Engine;
use openssl::bn::BigNumRef;
use openssl::pkey::{HasPublic, PKey, PKeyRef, Private, Public};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

pub const ALG: &str = "RSA-OAEP-256";
pub const ENC: &str = "A256GCM";

fn b64u(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn unb64u(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok()
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JweError {
    #[error("sealing failed: {0}")]
    Crypto(String),
    #[error("not a JWE this receiver can open")]
    Invalid,
    /// No private key with this `kid`: the record waits (review) until the key is added.
    #[error("no key with kid {0}")]
    UnknownKey(String),
    #[error("the JWE header names another record or station")]
    Moved,
    /// A header parameter this receiver does not understand: `crit` must then be refused
    /// (RFC 7516 §4.1.13), `zip` would mean a compressed plaintext, and anything else may
    /// change what the JWE means. Named, so the station's operator can see which.
    #[error("JWE header parameter {0:?} is not understood")]
    UnknownParameter(String),
}

/// Every protected-header parameter madoguchi writes and reads; any other is refused.
const KNOWN: [&str; 6] = ["alg", "enc", "kid", "cty", "enrollment_id", "station_id"];

/// The protected header (serialized in this field order; the bytes are whatever was sent).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    pub alg: String,
    pub enc: String,
    pub kid: String,
    #[serde(default)]
    pub cty: Option<String>,
    pub enrollment_id: String,
    pub station_id: String,
}

fn bn(b: &BigNumRef) -> String {
    b64u(&b.to_vec())
}

/// RFC 7638 thumbprint of an RSA public key: SHA-256 over `{"e":…,"kty":"RSA","n":…}`.
pub fn thumbprint<T: HasPublic>(key: &PKeyRef<T>) -> Result<String, JweError> {
    let rsa = key.rsa().map_err(|e| JweError::Crypto(e.to_string()))?;
    let json = format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, bn(rsa.e()), bn(rsa.n()));
    Ok(b64u(&openssl::sha::sha256(json.as_bytes())))
}

/// Seals `plaintext` for `key`; returns the compact serialization.
pub fn seal(key: &PKey<Public>, enrollment_id: &str, station_id: &str, plaintext: &[u8]) -> Result<String, JweError> {
    let crypto = |e: openssl::error::ErrorStack| JweError::Crypto(e.to_string());
    let header = Header {
        alg: ALG.into(),
        enc: ENC.into(),
        kid: thumbprint(key)?,
        cty: Some("application/json".into()),
        enrollment_id: enrollment_id.into(),
        station_id: station_id.into(),
    };
    let protected = b64u(&serde_json::to_vec(&header).map_err(|e| JweError::Crypto(e.to_string()))?);
    // The AAD is the ASCII of the encoded protected header (RFC 7516 §5.1 step 14).
    let p = super::seal::seal_parts(key, protected.as_bytes(), plaintext).map_err(crypto)?;
    Ok(format!(
        "{protected}.{}.{}.{}.{}",
        b64u(&p.wrapped),
        b64u(&p.iv),
        b64u(&p.ciphertext),
        b64u(&p.tag)
    ))
}

/// The protected header of a compact JWE, not verified (for `outbox list` and routing).
pub fn peek_header(compact: &str) -> Option<Header> {
    let first = compact.split('.').next()?;
    serde_json::from_slice(&unb64u(first)?).ok()
}

/// Private keys by `kid`.
#[derive(Default)]
pub struct KeySet(BTreeMap<String, PKey<Private>>);

impl KeySet {
    pub fn add(&mut self, key: PKey<Private>) -> Result<String, JweError> {
        let kid = thumbprint(&key)?;
        self.0.insert(kid.clone(), key);
        Ok(kid)
    }
    pub fn get(&self, kid: &str) -> Option<&PKey<Private>> {
        self.0.get(kid)
    }
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Opens a compact JWE for the record (`enrollment_id`, `station_id`) it must belong to.
pub fn open(
    keys: &KeySet,
    compact: &str,
    enrollment_id: &str,
    station_id: &str,
) -> Result<Zeroizing<Vec<u8>>, JweError> {
    let parts: Vec<&str> = compact.split('.').collect();
    let [protected, wrapped, iv, ct, tag] = parts[..] else {
        return Err(JweError::Invalid);
    };
    let raw: serde_json::Map<String, serde_json::Value> = unb64u(protected)
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or(JweError::Invalid)?;
    if let Some(unknown) = raw.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        // Printable and short: it goes into a JSON answer and the station's review reason.
        let name: String = unknown.chars().filter(|c| c.is_ascii_graphic()).take(32).collect();
        return Err(JweError::UnknownParameter(name));
    }
    let header: Header = serde_json::from_value(serde_json::Value::Object(raw)).map_err(|_| JweError::Invalid)?;
    if header.alg != ALG || header.enc != ENC {
        return Err(JweError::Invalid);
    }
    if header.enrollment_id != enrollment_id || header.station_id != station_id {
        return Err(JweError::Moved);
    }
    let key = keys
        .get(&header.kid)
        .ok_or_else(|| JweError::UnknownKey(header.kid.clone()))?;
    let (Some(wrapped), Some(iv), Some(ct), Some(tag)) = (unb64u(wrapped), unb64u(iv), unb64u(ct), unb64u(tag)) else {
        return Err(JweError::Invalid);
    };
    super::seal::open_parts(key, protected.as_bytes(), &wrapped, &iv, &ct, &tag).ok_or(JweError::Invalid)
}

/// The backend's public keys as the station config gives them: a PEM file (one key) or a JWK
/// set (`{"keys": [...]}`, RSA keys; the first one is the newest and is sealed to).
pub fn public_keys(text: &[u8]) -> Result<Vec<PKey<Public>>, String> {
    if let Ok(k) = PKey::public_key_from_pem(text) {
        return Ok(vec![k]);
    }
    #[derive(Deserialize)]
    struct Jwk {
        kty: String,
        n: String,
        e: String,
        #[serde(default, rename = "use")]
        use_: Option<String>,
    }
    #[derive(Deserialize)]
    struct Jwks {
        keys: Vec<Jwk>,
    }
    let set: Jwks = serde_json::from_slice(text).map_err(|_| "neither a PEM public key nor a JWK set".to_string())?;
    let mut out = Vec::new();
    for k in set.keys {
        if k.kty != "RSA" || k.use_.as_deref().is_some_and(|u| u != "enc") {
            continue;
        }
        let (Some(n), Some(e)) = (unb64u(&k.n), unb64u(&k.e)) else {
            return Err("a JWK with n or e not base64url".into());
        };
        let rsa = openssl::rsa::Rsa::from_public_components(
            openssl::bn::BigNum::from_slice(&n).map_err(|e| e.to_string())?,
            openssl::bn::BigNum::from_slice(&e).map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        out.push(PKey::from_rsa(rsa).map_err(|e| e.to_string())?);
    }
    if out.is_empty() {
        return Err("the JWK set has no RSA encryption key".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (PKey<Private>, PKey<Public>) {
        let private = PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
        let public = PKey::public_key_from_pem(&private.public_key_to_pem().unwrap()).unwrap();
        (private, public)
    }

    #[test]
    fn roundtrip_moved_tampered_and_unknown_key() {
        let (private, public) = pair();
        let mut keys = KeySet::default();
        let kid = keys.add(private).unwrap();
        assert_eq!(kid, thumbprint(&public).unwrap());
        let jwe = seal(&public, "id-1", "st-1", "山田　太郎".as_bytes()).unwrap();
        assert_eq!(jwe.split('.').count(), 5);
        assert_eq!(peek_header(&jwe).unwrap().kid, kid);
        assert_eq!(&open(&keys, &jwe, "id-1", "st-1").unwrap()[..], "山田　太郎".as_bytes());
        assert_eq!(open(&keys, &jwe, "id-2", "st-1"), Err(JweError::Moved));
        assert_eq!(open(&keys, &jwe, "id-1", "st-2"), Err(JweError::Moved));
        // One changed byte in any part is refused.
        let parts: Vec<&str> = jwe.split('.').collect();
        for i in 0..5 {
            let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
            let mut bytes = unb64u(&p[i]).unwrap();
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x01;
            p[i] = b64u(&bytes);
            let tampered = p.join(".");
            assert!(open(&keys, &tampered, "id-1", "st-1").is_err(), "part {i}");
        }
        let (_, other) = pair();
        let jwe = seal(&other, "id-1", "st-1", b"x").unwrap();
        assert!(matches!(
            open(&keys, &jwe, "id-1", "st-1"),
            Err(JweError::UnknownKey(_))
        ));
    }

    #[test]
    fn parameters_not_understood_are_refused_before_any_key_is_tried() {
        let (private, public) = pair();
        let mut keys = KeySet::default();
        let kid = keys.add(private).unwrap();
        for (extra, named) in [
            (serde_json::json!({"crit": ["exp"], "exp": 1}), "crit"),
            (serde_json::json!({"zip": "DEF"}), "zip"),
            (serde_json::json!({"jku": "https://x.example/"}), "jku"),
        ] {
            let mut h =
                serde_json::json!({"alg": ALG, "enc": ENC, "kid": kid, "enrollment_id": "id-1", "station_id": "st-1"});
            h.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            let protected = b64u(&serde_json::to_vec(&h).unwrap());
            let p = crate::backend::seal::seal_parts(&public, protected.as_bytes(), b"{}").unwrap();
            let compact = [
                protected,
                b64u(&p.wrapped),
                b64u(&p.iv),
                b64u(&p.ciphertext),
                b64u(&p.tag),
            ]
            .join(".");
            assert_eq!(
                open(&keys, &compact, "id-1", "st-1"),
                Err(JweError::UnknownParameter(named.into()))
            );
            // Not "unknown key" either: a header not understood is refused first.
            assert_eq!(
                open(&KeySet::default(), &compact, "id-1", "st-1"),
                Err(JweError::UnknownParameter(named.into()))
            );
        }
    }

    #[test]
    fn rfc7638_thumbprint_of_the_rfc_example_key() {
        // RFC 7638 §3.1: the example RSA key's thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let jwks = format!(r#"{{"keys":[{{"kty":"RSA","n":"{n}","e":"AQAB","alg":"RS256","kid":"2011-04-29"}}]}}"#);
        let keys = public_keys(jwks.as_bytes()).unwrap();
        assert_eq!(
            thumbprint(&keys[0]).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
