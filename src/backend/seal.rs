//! Sealing a record to the backend's RSA public key before it touches the disk, so the
//! station cannot read its own queue (a stolen laptop gives nothing away).
//!
//! Envelope (JSON): a fresh AES-256-GCM key per record, wrapped with RSA-OAEP (SHA-256, MGF1
//! SHA-256); the enrollment id is authenticated as associated data so an envelope can't be
//! moved to another record. Chosen over CMS because every backend language reads it with its
//! standard library, and openssl provides each part.

use super::payload::{b64, unb64};
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

pub fn seal(key: &PKey<Public>, aad: &str, plaintext: &[u8]) -> Result<Envelope, SealError> {
    let mut cek = Zeroizing::new([0u8; 32]);
    let mut iv = [0u8; 12];
    openssl::rand::rand_bytes(&mut cek[..]).map_err(crypto)?;
    openssl::rand::rand_bytes(&mut iv).map_err(crypto)?;
    let mut tag = [0u8; 16];
    let ct = encrypt_aead(
        Cipher::aes_256_gcm(),
        &cek[..],
        Some(&iv),
        aad.as_bytes(),
        plaintext,
        &mut tag,
    )
    .map_err(crypto)?;
    let mut enc = Encrypter::new(key).map_err(crypto)?;
    enc.set_rsa_padding(Padding::PKCS1_OAEP).map_err(crypto)?;
    enc.set_rsa_oaep_md(MessageDigest::sha256()).map_err(crypto)?;
    enc.set_rsa_mgf1_md(MessageDigest::sha256()).map_err(crypto)?;
    let mut wrapped = vec![0u8; enc.encrypt_len(&cek[..]).map_err(crypto)?];
    let n = enc.encrypt(&cek[..], &mut wrapped).map_err(crypto)?;
    wrapped.truncate(n);
    Ok(Envelope {
        alg: ALG.into(),
        key: b64(&wrapped),
        iv: b64(&iv),
        ciphertext: b64(&ct),
        tag: b64(&tag),
    })
}

pub fn open(key: &PKey<Private>, aad: &str, env: &Envelope) -> Result<Zeroizing<Vec<u8>>, SealError> {
    if env.alg != ALG {
        return Err(SealError::Invalid);
    }
    let (wrapped, iv, ct, tag) = match (unb64(&env.key), unb64(&env.iv), unb64(&env.ciphertext), unb64(&env.tag)) {
        (Some(a), Some(b), Some(c), Some(d)) if b.len() == 12 && d.len() == 16 => (a, b, c, d),
        _ => return Err(SealError::Invalid),
    };
    let mut dec = Decrypter::new(key).map_err(|_| SealError::Invalid)?;
    dec.set_rsa_padding(Padding::PKCS1_OAEP)
        .map_err(|_| SealError::Invalid)?;
    dec.set_rsa_oaep_md(MessageDigest::sha256())
        .map_err(|_| SealError::Invalid)?;
    dec.set_rsa_mgf1_md(MessageDigest::sha256())
        .map_err(|_| SealError::Invalid)?;
    let mut cek = Zeroizing::new(vec![0u8; dec.decrypt_len(&wrapped).map_err(|_| SealError::Invalid)?]);
    let n = dec.decrypt(&wrapped, &mut cek).map_err(|_| SealError::Invalid)?;
    cek.truncate(n);
    if cek.len() != 32 {
        return Err(SealError::Invalid);
    }
    decrypt_aead(Cipher::aes_256_gcm(), &cek, Some(&iv), aad.as_bytes(), &ct, &tag)
        .map(Zeroizing::new)
        .map_err(|_| SealError::Invalid)
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
