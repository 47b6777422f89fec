//! Sealing a record to the backend's RSA public key before it touches the disk, so the
//! station cannot read its own queue (a stolen laptop gives nothing away).
//!
//! Envelope (JSON): a fresh AES-256-GCM key per record, wrapped with RSA-OAEP (SHA-256, MGF1
//! SHA-256); the enrollment id is authenticated as associated data so an envelope can't be
//! moved to another record. Chosen over CMS because every backend language reads it with its
//! standard library, and openssl provides each part.

use crate::record::payload::{b64, unb64};
use openssl::encrypt::{Decrypter, Encrypter};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::Padding;
use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub const ALG: &str = "RSA-OAEP-256+A256GCM";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub alg: String,
    /// The AES key, RSA-OAEP wrapped, base64.
    pub key: String,
    pub iv: String,
    pub ciphertext: String,
    pub tag: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("sealing failed: {0}")]
    Crypto(String),
    #[error("not a sealed envelope this receiver can open")]
    Invalid,
}

fn crypto(e: openssl::error::ErrorStack) -> SealError {
    SealError::Crypto(e.to_string())
}

/// The parts of RSA-OAEP (SHA-256, MGF1-SHA-256) + AES-256-GCM with a fresh content key, as
/// both envelopes use them (this one and the JWE of `jwe.rs`).
pub(super) struct Parts {
    pub wrapped: Vec<u8>,
    pub iv: [u8; 12],
    pub ciphertext: Vec<u8>,
    pub tag: [u8; 16],
}

pub(super) fn seal_parts(
    key: &PKey<Public>,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Parts, openssl::error::ErrorStack> {
    let mut cek = Zeroizing::new([0u8; 32]);
    let mut iv = [0u8; 12];
    openssl::rand::rand_bytes(&mut cek[..])?;
    openssl::rand::rand_bytes(&mut iv)?;
    let mut tag = [0u8; 16];
    let ciphertext = encrypt_aead(Cipher::aes_256_gcm(), &cek[..], Some(&iv), aad, plaintext, &mut tag)?;
    let mut enc = Encrypter::new(key)?;
    enc.set_rsa_padding(Padding::PKCS1_OAEP)?;
    enc.set_rsa_oaep_md(MessageDigest::sha256())?;
    enc.set_rsa_mgf1_md(MessageDigest::sha256())?;
    let mut wrapped = vec![0u8; enc.encrypt_len(&cek[..])?];
    let n = enc.encrypt(&cek[..], &mut wrapped)?;
    wrapped.truncate(n);
    Ok(Parts {
        wrapped,
        iv,
        ciphertext,
        tag,
    })
}

/// Opens [`Parts`]; None for anything that doesn't open (wrong key, a changed byte).
pub(super) fn open_parts(
    key: &PKey<Private>,
    aad: &[u8],
    wrapped: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if iv.len() != 12 || tag.len() != 16 {
        return None;
    }
    let mut dec = Decrypter::new(key).ok()?;
    dec.set_rsa_padding(Padding::PKCS1_OAEP).ok()?;
    dec.set_rsa_oaep_md(MessageDigest::sha256()).ok()?;
    dec.set_rsa_mgf1_md(MessageDigest::sha256()).ok()?;
    let mut cek = Zeroizing::new(vec![0u8; dec.decrypt_len(wrapped).ok()?]);
    let n = dec.decrypt(wrapped, &mut cek).ok()?;
    cek.truncate(n);
    if cek.len() != 32 {
        return None;
    }
    decrypt_aead(Cipher::aes_256_gcm(), &cek, Some(iv), aad, ciphertext, tag)
        .ok()
        .map(Zeroizing::new)
}

pub fn seal(key: &PKey<Public>, aad: &str, plaintext: &[u8]) -> Result<Envelope, SealError> {
    let p = seal_parts(key, aad.as_bytes(), plaintext).map_err(crypto)?;
    Ok(Envelope {
        alg: ALG.into(),
        key: b64(&p.wrapped),
        iv: b64(&p.iv),
        ciphertext: b64(&p.ciphertext),
        tag: b64(&p.tag),
    })
}

pub fn open(key: &PKey<Private>, aad: &str, env: &Envelope) -> Result<Zeroizing<Vec<u8>>, SealError> {
    if env.alg != ALG {
        return Err(SealError::Invalid);
    }
    let (Some(wrapped), Some(iv), Some(ct), Some(tag)) =
        (unb64(&env.key), unb64(&env.iv), unb64(&env.ciphertext), unb64(&env.tag))
    else {
        return Err(SealError::Invalid);
    };
    open_parts(key, aad.as_bytes(), &wrapped, &iv, &ct, &tag).ok_or(SealError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_tamper() {
        let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
        let private = PKey::from_rsa(rsa.clone()).unwrap();
        let public = PKey::public_key_from_pem(&private.public_key_to_pem().unwrap()).unwrap();
        let env = seal(&public, "id-1", "山田　太郎".as_bytes()).unwrap();
        assert!(!env.ciphertext.contains("山田"));
        assert_eq!(&open(&private, "id-1", &env).unwrap()[..], "山田　太郎".as_bytes());
        assert!(open(&private, "id-2", &env).is_err(), "bound to its enrollment id");
        let mut bad = env.clone();
        bad.ciphertext = b64(b"xxxxxxxxxxxx");
        assert!(open(&private, "id-1", &bad).is_err());
    }
}
