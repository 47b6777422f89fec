//! The card face of the 券面事項確認AP: EF 0002, opened with 照合番号B (docs/card.md, "The card
//! face"). `FF 20 { DF 21 offsets, DF 22 birth YYYYMMDD, DF 23 sex, DF 24 the card's public key,
//! DF 25 name (PNG), DF 26 address (PNG), DF 27 photo (JPEG 2000), DF 28 signature, DF 29 expiry
//! YYYYMMDD, DF 2A security code (PNG) }`.
//!
//! [`CardFace`] keeps the file in the one zeroizing buffer it was read into and hands out
//! slices of it: no copy of the photo or the images is made here, and nothing of it prints.
//! Parsing is strict: every field bounded, the dates real dates, the offset table (DF 21) equal
//! to where the objects start, no field twice; a truncated or odd file is a typed error that
//! names a tag, never a value. The images are decoded elsewhere (`crate::picture`), by the
//! caller that draws them.
//!
//! The signature (DF 28) is checked only with an issuer key the operator configured
//! ([`CardFace::check_signature`]): J-LIS does not publish it, and without one the answer is
//! "not verified", never "genuine".

use super::basic4::{BasicFour, BirthDate};
use super::error::CardError;
use super::tlv::{self, TlvError};
use openssl::pkey::{PKey, PKeyRef, Public};
use std::fmt;
use std::ops::Range;
use zeroize::Zeroizing;

mod parse;
mod printed;
mod write;

use parse::parse_places;
pub use printed::{birth_as_printed, PrintedYear};
pub use write::{encode, sign, FaceParts};

/// The outer tag of EF 0002.
pub const TAG_FACE: u32 = 0xFF20;

/// The fields, by tag. DF 21 is the offset table.
pub const DF_OFFSETS: u16 = 0xDF21;
pub const DF_BIRTH: u16 = 0xDF22;
pub const DF_SEX: u16 = 0xDF23;
pub const DF_CARD_KEY: u16 = 0xDF24;
pub const DF_NAME: u16 = 0xDF25;
pub const DF_ADDRESS: u16 = 0xDF26;
pub const DF_PHOTO: u16 = 0xDF27;
pub const DF_SIGNATURE: u16 = 0xDF28;
pub const DF_EXPIRY: u16 = 0xDF29;
pub const DF_SECURITY_CODE: u16 = 0xDF2A;

/// The largest photo accepted (the real one is about 2 KB).
pub const MAX_PHOTO: usize = 16 * 1024;

/// (tag, shortest, longest) value of every field this AP writes. The images are small 1-bit
/// PNGs (a name line, two or three address lines, four digits); the key is an RSA key as two
/// TLVs, the signature one RSA block.
const FIELDS: [(u16, usize, usize); 10] = [
    (DF_OFFSETS, 0, 64),
    (DF_BIRTH, 8, 8),
    (DF_SEX, 1, 1),
    (DF_CARD_KEY, 1, 1024),
    (DF_NAME, 1, 8 * 1024),
    (DF_ADDRESS, 1, 8 * 1024),
    (DF_PHOTO, 1, MAX_PHOTO),
    (DF_SIGNATURE, 64, 1024),
    (DF_EXPIRY, 8, 8),
    (DF_SECURITY_CODE, 1, 4 * 1024),
];

/// Fields after DF 2A that a newer card may add (furigana images, say): skipped, at most this
/// many, each no longer than a name image.
const MAX_NEWER_FIELDS: usize = 8;

/// Why EF 0002 is not a card face. Names tags and lengths only, never a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardFaceError {
    #[error("{0}")]
    Tlv(#[from] TlvError),
    #[error("not a card face (outer tag {0:#X})")]
    NotCardFace(u32),
    #[error("bytes after the card face")]
    Trailing,
    #[error("tag {0:#X} has no place in the card face")]
    Unexpected(u32),
    #[error("field {0:#X} twice")]
    Duplicate(u16),
    #[error("field {0:#X} missing")]
    Missing(u16),
    #[error("field {tag:#X} is {len} bytes, allowed {min}..={max}")]
    Length {
        tag: u16,
        len: usize,
        min: usize,
        max: usize,
    },
    #[error("field {0:#X} is not what it should be (a date, a digit)")]
    Value(u16),
    #[error("the offset table (DF 21) disagrees with the fields")]
    Offsets,
}

/// What the card-face operations of the client can meet: 照合番号B's own answers, the card's
/// (transport, status words), or a card face that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaceError {
    #[error("wrong 照合番号B; {tries_left} tries left")]
    WrongPinB { tries_left: u8 },
    #[error("照合番号B is locked")]
    PinBLocked,
    #[error(transparent)]
    Card(#[from] CardError),
    #[error("malformed card face: {0}")]
    Format(#[from] CardFaceError),
}

/// Where a field lies in the file: the whole object (what the signature hashes) and its value.
#[derive(Clone, Default)]
struct Place {
    object: Range<usize>,
    value: Range<usize>,
}

/// EF 0002 of the 券面事項確認AP, parsed. Personal data: zeroized on drop, no `Debug` content,
/// no `Clone`.
pub struct CardFace {
    raw: Zeroizing<Vec<u8>>,
    /// Indexed by tag − DF 21; DF 21 itself is `None` when the card writes no table.
    places: [Option<Place>; 10],
}

impl fmt::Debug for CardFace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardFace([personal])")
    }
}

fn index(tag: u16) -> Option<usize> {
    (DF_OFFSETS..=DF_SECURITY_CODE)
        .contains(&tag)
        .then(|| (tag - DF_OFFSETS) as usize)
}

fn is_date(v: &[u8]) -> bool {
    BirthDate::from_yyyymmdd(v).is_some()
}

impl CardFace {
    /// Parses EF 0002 as read. Takes the buffer: the parsed face keeps it (no copy).
    pub fn parse(raw: Zeroizing<Vec<u8>>) -> Result<CardFace, CardFaceError> {
        let places = parse_places(&raw)?;
        Ok(CardFace { raw, places })
    }

    fn value(&self, tag: u16) -> &[u8] {
        match index(tag).and_then(|i| self.places[i].as_ref()) {
            Some(p) => &self.raw[p.value.clone()],
            None => &[],
        }
    }

    fn object(&self, tag: u16) -> &[u8] {
        match index(tag).and_then(|i| self.places[i].as_ref()) {
            Some(p) => &self.raw[p.object.clone()],
            None => &[],
        }
    }

    /// The whole file as read.
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// DF 22: the birth date (Gregorian).
    pub fn birth(&self) -> BirthDate {
        BirthDate::from_yyyymmdd(self.value(DF_BIRTH)).expect("checked when parsed")
    }

    /// DF 23: the sex code, one ASCII digit as in EF 02 of the text AP.
    pub fn sex_code(&self) -> u8 {
        self.value(DF_SEX)[0]
    }

    /// DF 24: the card's public key (`90` exponent, `91` modulus), as written.
    pub fn card_key(&self) -> &[u8] {
        self.value(DF_CARD_KEY)
    }

    /// DF 25: the name as printed, a PNG.
    pub fn name_png(&self) -> &[u8] {
        self.value(DF_NAME)
    }

    /// DF 26: the address as printed, a PNG.
    pub fn address_png(&self) -> &[u8] {
        self.value(DF_ADDRESS)
    }

    /// DF 27: the photo, JPEG 2000 in a JP2 container (at most [`MAX_PHOTO`] bytes).
    pub fn photo_jp2(&self) -> &[u8] {
        self.value(DF_PHOTO)
    }

    /// DF 28: the issuer's signature.
    pub fn signature(&self) -> &[u8] {
        self.value(DF_SIGNATURE)
    }

    /// DF 29: the card's expiry (year, month, day). Not covered by the signature.
    pub fn expiry(&self) -> (u16, u8, u8) {
        let d = BirthDate::from_yyyymmdd(self.value(DF_EXPIRY)).expect("checked when parsed");
        (d.year(), d.month(), d.day())
    }

    /// DF 2A: the security code as printed, a PNG. Not covered by the signature.
    pub fn security_code_png(&self) -> &[u8] {
        self.value(DF_SECURITY_CODE)
    }

    /// Whether birth date and sex equal the text AP's EF 02: a card whose two applications
    /// disagree is not to be believed.
    pub fn agrees_with(&self, person: &BasicFour) -> bool {
        self.birth() == person.birth_date && self.sex_code() == person.gender.code()
    }

    /// The `DigestInfo` the issuer signed: SHA-256 of DF 22‖DF 23‖DF 24, of DF 25‖DF 26 and of
    /// DF 27 (each object as written, header included), the three digests concatenated into
    /// one `DigestInfo` of SHA-256 (docs/card.md, "The card face").
    pub fn signed_digest_info(&self) -> Vec<u8> {
        let groups: [&[u16]; 3] = [&[DF_BIRTH, DF_SEX, DF_CARD_KEY], &[DF_NAME, DF_ADDRESS], &[DF_PHOTO]];
        let mut digests = Vec::with_capacity(96);
        for group in groups {
            let mut h = openssl::sha::Sha256::new();
            for &tag in group {
                h.update(self.object(tag));
            }
            digests.extend_from_slice(&h.finish());
        }
        digest_info_of(&digests)
    }

    /// DF 28 checked with the issuer key the operator configured: [`FaceSignature::NotVerified`]
    /// when there is none (J-LIS does not publish it), never a guess.
    pub fn check_signature(&self, issuer: Option<&PKeyRef<Public>>) -> FaceSignature {
        let Some(key) = issuer else {
            return FaceSignature::NotVerified;
        };
        let Ok(rsa) = key.rsa() else {
            return FaceSignature::Invalid;
        };
        let sig = self.signature();
        if sig.len() != rsa.size() as usize {
            return FaceSignature::Invalid;
        }
        let mut out = vec![0u8; sig.len()];
        match rsa.public_decrypt(sig, &mut out, openssl::rsa::Padding::PKCS1) {
            // The whole padded payload, byte for byte: not a search for the digest inside it.
            Ok(n) if out[..n] == self.signed_digest_info()[..] => FaceSignature::Valid,
            _ => FaceSignature::Invalid,
        }
    }
}

/// What the card face's signature says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceSignature {
    /// No issuer key configured: nothing was checked (say 未検証).
    NotVerified,
    /// Signed by the configured issuer key.
    Valid,
    /// Not signed by the configured key (or not a signature at all): do not believe the face.
    Invalid,
}

/// An issuer public key as the operator gives it (PEM or DER SubjectPublicKeyInfo): RSA of
/// 2048 bits or more, or an error that says why not.
pub fn issuer_key(bytes: &[u8]) -> Result<PKey<Public>, String> {
    let key = PKey::public_key_from_pem(bytes)
        .or_else(|_| PKey::public_key_from_der(bytes))
        .map_err(|_| "not a public key (PEM or DER)".to_string())?;
    match key.rsa() {
        Ok(rsa) if rsa.size() >= 256 => Ok(key),
        Ok(rsa) => Err(format!("an RSA key of {} bits is too short", rsa.size() * 8)),
        Err(_) => Err("not an RSA key".to_string()),
    }
}

/// `DigestInfo { sha256, digest }` for a digest of any length below 128 bytes (the card face
/// puts 96 bytes in it).
fn digest_info_of(digest: &[u8]) -> Vec<u8> {
    const SHA256_ALGORITHM: [u8; 15] = [
        0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    ];
    let inner = SHA256_ALGORITHM.len() + 2 + digest.len();
    let mut out = Vec::with_capacity(2 + inner);
    out.extend_from_slice(&[0x30, inner as u8]);
    out.extend_from_slice(&SHA256_ALGORITHM);
    out.extend_from_slice(&[0x04, digest.len() as u8]);
    out.extend_from_slice(digest);
    out
}

/// Nothing, or only the filler a card writes after its last object (all `00` or all `FF`).
fn is_filler(rest: &[u8]) -> bool {
    rest.iter().all(|&b| b == 0x00) || rest.iter().all(|&b| b == 0xFF)
}

#[cfg(test)]
mod tests;
