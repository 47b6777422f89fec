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
use crate::wareki;
use openssl::pkey::{PKey, PKeyRef, Public};
use std::fmt;
use std::ops::Range;
use zeroize::Zeroizing;

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

fn parse_places(raw: &[u8]) -> Result<[Option<Place>; 10], CardFaceError> {
    let (outer, rest) = tlv::parse_one(raw)?;
    if outer.tag != TAG_FACE || !outer.constructed {
        return Err(CardFaceError::NotCardFace(outer.tag));
    }
    if !is_filler(rest) {
        return Err(CardFaceError::Trailing);
    }
    let mut places: [Option<Place>; 10] = Default::default();
    let mut starts = Vec::new();
    let mut newer = 0;
    let mut pos = outer.header_len;
    let end = outer.total_len();
    while pos < end && !is_filler(&raw[pos..end]) {
        let (t, _) = tlv::parse_one(&raw[pos..end])?;
        let object = pos..pos + t.total_len();
        let value = pos + t.header_len..object.end;
        let tag = u16::try_from(t.tag).map_err(|_| CardFaceError::Unexpected(t.tag))?;
        match index(tag) {
            _ if t.constructed => return Err(CardFaceError::Unexpected(t.tag)),
            Some(i) => {
                let (_, min, max) = FIELDS[i];
                if places[i].is_some() {
                    return Err(CardFaceError::Duplicate(tag));
                }
                if !(min..=max).contains(&t.value.len()) {
                    return Err(CardFaceError::Length {
                        tag,
                        len: t.value.len(),
                        min,
                        max,
                    });
                }
                places[i] = Some(Place {
                    object: object.clone(),
                    value,
                });
            }
            // A field a newer card adds after DF 2A: kept out, bounded.
            None if (0xDF2B..=0xDF3F).contains(&tag) => {
                newer += 1;
                if newer > MAX_NEWER_FIELDS || t.value.len() > 8 * 1024 {
                    return Err(CardFaceError::Unexpected(t.tag));
                }
            }
            None => return Err(CardFaceError::Unexpected(t.tag)),
        }
        if tag != DF_OFFSETS {
            starts.push(object.start);
        }
        pos = object.end;
    }
    for (i, (tag, _, _)) in FIELDS.iter().enumerate().skip(1) {
        if places[i].is_none() {
            return Err(CardFaceError::Missing(*tag));
        }
    }
    let value = |tag: u16| {
        let p = places[index(tag).expect("a field")].as_ref().expect("present");
        &raw[p.value.clone()]
    };
    for tag in [DF_BIRTH, DF_EXPIRY] {
        if !is_date(value(tag)) {
            return Err(CardFaceError::Value(tag));
        }
    }
    if !value(DF_SEX)[0].is_ascii_digit() {
        return Err(CardFaceError::Value(DF_SEX));
    }
    // The offset table: one big-endian u16 per following object, counted from the file's
    // first byte (docs/card.md). Checked when present: a file whose table and objects
    // disagree was not written by the card's issuer.
    if let Some(p) = &places[0] {
        let table = &raw[p.value.clone()];
        if table.len() != starts.len() * 2
            || table
                .chunks_exact(2)
                .zip(&starts)
                .any(|(c, &s)| u16::from_be_bytes([c[0], c[1]]) as usize != s)
        {
            return Err(CardFaceError::Offsets);
        }
    }
    Ok(places)
}

/// Nothing, or only the filler a card writes after its last object (all `00` or all `FF`).
fn is_filler(rest: &[u8]) -> bool {
    rest.iter().all(|&b| b == 0x00) || rest.iter().all(|&b| b == 0xFF)
}

/// The values of a card face, for the virtual card and the tests: [`encode`] lays them out
/// as the card does, offset table first.
pub struct FaceParts<'a> {
    pub birth_yyyymmdd: &'a [u8],
    pub sex: u8,
    pub card_key: &'a [u8],
    pub name_png: &'a [u8],
    pub address_png: &'a [u8],
    pub photo_jp2: &'a [u8],
    pub expiry_yyyymmdd: &'a [u8],
    pub security_code_png: &'a [u8],
}

fn tlv_into(out: &mut Vec<u8>, tag: u16, value: &[u8]) {
    out.extend_from_slice(&tag.to_be_bytes());
    match value.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend_from_slice(&[0x81, n as u8]),
        n => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(value);
}

/// EF 0002 with `signature` as DF 28 (see [`sign`] for a real one): the outer length in the
/// `82 HH LL` form, the offset table first.
pub fn encode(parts: &FaceParts<'_>, signature: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut objects = Zeroizing::new(Vec::new());
    let mut starts = Vec::new();
    let fields: [(u16, &[u8]); 9] = [
        (DF_BIRTH, parts.birth_yyyymmdd),
        (DF_SEX, &[parts.sex]),
        (DF_CARD_KEY, parts.card_key),
        (DF_NAME, parts.name_png),
        (DF_ADDRESS, parts.address_png),
        (DF_PHOTO, parts.photo_jp2),
        (DF_SIGNATURE, signature),
        (DF_EXPIRY, parts.expiry_yyyymmdd),
        (DF_SECURITY_CODE, parts.security_code_png),
    ];
    // Outer header `FF 20 82 HH LL` (5) and the table `DF 21 12 <18 bytes>` (21).
    let first = 5 + 3 + 2 * fields.len();
    for (tag, value) in fields {
        starts.push(first + objects.len());
        tlv_into(&mut objects, tag, value);
    }
    let table: Vec<u8> = starts.iter().flat_map(|s| (*s as u16).to_be_bytes()).collect();
    let body_len = 3 + table.len() + objects.len();
    let mut out = Zeroizing::new(Vec::with_capacity(5 + body_len));
    out.extend_from_slice(&[0xFF, 0x20, 0x82, (body_len >> 8) as u8, body_len as u8]);
    tlv_into(&mut out, DF_OFFSETS, &table);
    out.extend_from_slice(&objects);
    out
}

/// The issuer's signature over `parts` with `key` (the virtual card's test issuer): PKCS#1
/// v1.5 over [`CardFace::signed_digest_info`].
pub fn sign(parts: &FaceParts<'_>, key: &openssl::rsa::RsaRef<openssl::pkey::Private>) -> Vec<u8> {
    let unsigned = encode(parts, &[0u8; 256]);
    let face = CardFace::parse(unsigned).expect("encode writes a card face");
    let digest_info = face.signed_digest_info();
    let mut sig = vec![0u8; key.size() as usize];
    let n = key
        .private_encrypt(&digest_info, &mut sig, openssl::rsa::Padding::PKCS1)
        .expect("a DigestInfo fits an RSA block");
    sig.truncate(n);
    sig
}

/// How the card face prints the year of birth, hence the first two digits of 照合番号B.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrintedYear {
    /// 和暦 (the era's year): cards of Japanese nationals.
    Wareki,
    /// 西暦 (the last two digits): foreign residents' cards.
    Seireki,
}

/// The birth date as the card face prints it, `YYMMDD`: the first six digits of 照合番号B.
/// None for a date before Meiji.
pub fn birth_as_printed(birth: BirthDate, year: PrintedYear) -> Option<Zeroizing<[u8; 6]>> {
    let yy = match year {
        PrintedYear::Wareki => wareki::to_wareki(birth)?.1,
        PrintedYear::Seireki => birth.year() % 100,
    };
    if yy > 99 {
        return None;
    }
    let mut out = Zeroizing::new([0u8; 6]);
    for (i, n) in [yy, birth.month() as u16, birth.day() as u16].into_iter().enumerate() {
        out[2 * i] = b'0' + (n / 10) as u8;
        out[2 * i + 1] = b'0' + (n % 10) as u8;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::rsa::Rsa;

    fn key_tlvs() -> Vec<u8> {
        let mut k = vec![0x90, 0x03, 0x01, 0x00, 0x01, 0x91, 0x82, 0x01, 0x00];
        k.extend(std::iter::repeat_n(0xA5, 256));
        k
    }

    fn parts<'a>(key: &'a [u8], photo: &'a [u8]) -> FaceParts<'a> {
        FaceParts {
            birth_yyyymmdd: b"19800217",
            sex: b'1',
            card_key: key,
            name_png: b"\x89PNG name",
            address_png: b"\x89PNG address",
            photo_jp2: photo,
            expiry_yyyymmdd: b"20350217",
            security_code_png: b"\x89PNG code",
        }
    }

    fn face(bytes: &[u8]) -> Result<CardFace, CardFaceError> {
        CardFace::parse(Zeroizing::new(bytes.to_vec()))
    }

    #[test]
    fn parses_what_encode_writes() {
        let key = key_tlvs();
        let photo = vec![0x4A; 2000];
        let raw = encode(&parts(&key, &photo), &[0xBC; 256]);
        let f = face(&raw).unwrap();
        assert_eq!(f.birth(), BirthDate::new(1980, 2, 17).unwrap());
        assert_eq!(f.sex_code(), b'1');
        assert_eq!(f.card_key(), &key[..]);
        assert_eq!(f.name_png(), b"\x89PNG name");
        assert_eq!(f.address_png(), b"\x89PNG address");
        assert_eq!(f.photo_jp2(), &photo[..]);
        assert_eq!(f.signature(), &[0xBC; 256][..]);
        assert_eq!(f.expiry(), (2035, 2, 17));
        assert_eq!(f.security_code_png(), b"\x89PNG code");
        assert_eq!(format!("{f:?}"), "CardFace([personal])");
        // Filler after the object, as a card may write it past its end.
        let mut padded = raw.to_vec();
        padded.extend_from_slice(&[0xFF; 40]);
        assert!(face(&padded).is_ok());
    }

    /// One byte changed, cut or added anywhere in the structure: a typed error naming a tag,
    /// never a panic, never a face.
    #[test]
    fn odd_files_are_refused_by_name() {
        let key = key_tlvs();
        let photo = vec![0x4A; 300];
        let raw = encode(&parts(&key, &photo), &[0xBC; 256]).to_vec();
        for cut in [0, 1, 4, 5, 30, raw.len() / 2, raw.len() - 1] {
            assert!(face(&raw[..cut]).is_err(), "cut at {cut}");
        }
        let mut other = raw.clone();
        other[1] = 0x10;
        assert_eq!(face(&other).unwrap_err(), CardFaceError::NotCardFace(0xFF10));
        let mut trailing = raw.clone();
        trailing.push(0x01);
        assert_eq!(face(&trailing).unwrap_err(), CardFaceError::Trailing);
        // A bad birth date, a sex that is not a digit.
        let mut bad = parts(&key, &photo);
        bad.birth_yyyymmdd = b"19800230";
        assert_eq!(
            face(&encode(&bad, &[1; 256])).unwrap_err(),
            CardFaceError::Value(DF_BIRTH)
        );
        let mut bad = parts(&key, &photo);
        bad.expiry_yyyymmdd = b"2035-2-1";
        assert_eq!(
            face(&encode(&bad, &[1; 256])).unwrap_err(),
            CardFaceError::Value(DF_EXPIRY)
        );
        let mut bad = parts(&key, &photo);
        bad.sex = b'M';
        assert_eq!(
            face(&encode(&bad, &[1; 256])).unwrap_err(),
            CardFaceError::Value(DF_SEX)
        );
        // A wrong offset in DF 21.
        let mut off = raw.clone();
        off[9] ^= 1;
        assert_eq!(face(&off).unwrap_err(), CardFaceError::Offsets);
        // A missing field, a field twice, a field that has no place.
        let body = raw[5..].to_vec();
        let table_end = 3 + 18;
        let birth = body[table_end..table_end + 11].to_vec();
        let wrap = |body: &[u8]| {
            let mut out = vec![0xFF, 0x20, 0x82, (body.len() >> 8) as u8, body.len() as u8];
            out.extend_from_slice(body);
            out
        };
        let without_table = body[table_end..].to_vec();
        assert!(face(&wrap(&without_table)).is_ok(), "DF 21 is optional");
        assert_eq!(
            face(&wrap(&without_table[11..])).unwrap_err(),
            CardFaceError::Missing(DF_BIRTH)
        );
        let mut twice = without_table.clone();
        twice.extend_from_slice(&birth);
        assert_eq!(face(&wrap(&twice)).unwrap_err(), CardFaceError::Duplicate(DF_BIRTH));
        let mut foreign = without_table.clone();
        foreign.extend_from_slice(&[0x5F, 0x20, 0x01, 0x00]);
        assert_eq!(face(&wrap(&foreign)).unwrap_err(), CardFaceError::Unexpected(0x5F20));
        let mut newer = without_table.clone();
        newer.extend_from_slice(&[0xDF, 0x2B, 0x02, 0x00, 0x01]);
        assert!(face(&wrap(&newer)).is_ok(), "a field a newer card adds is skipped");
    }

    #[test]
    fn every_field_is_bounded() {
        let key = key_tlvs();
        let photo = vec![0x4A; MAX_PHOTO + 1];
        assert_eq!(
            face(&encode(&parts(&key, &photo), &[1; 256])).unwrap_err(),
            CardFaceError::Length {
                tag: DF_PHOTO,
                len: MAX_PHOTO + 1,
                min: 1,
                max: MAX_PHOTO
            }
        );
        let ok = vec![0x4A; MAX_PHOTO];
        assert!(face(&encode(&parts(&key, &ok), &[1; 256])).is_ok());
        assert!(matches!(
            face(&encode(&parts(&key, &ok), &[1; 32])).unwrap_err(),
            CardFaceError::Length { tag: DF_SIGNATURE, .. }
        ));
        let mut long_name = parts(&key, &ok);
        let name = vec![0; 8 * 1024 + 1];
        long_name.name_png = &name;
        assert!(matches!(
            face(&encode(&long_name, &[1; 256])).unwrap_err(),
            CardFaceError::Length { tag: DF_NAME, .. }
        ));
    }

    #[test]
    fn the_signature_verifies_only_with_the_issuer_key_and_only_over_the_signed_fields() {
        let issuer = Rsa::generate(2048).unwrap();
        let public = PKey::public_key_from_pem(&issuer.public_key_to_pem().unwrap()).unwrap();
        let key = key_tlvs();
        let photo = vec![0x4A; 1500];
        let p = parts(&key, &photo);
        let sig = sign(&p, &issuer);
        let f = face(&encode(&p, &sig)).unwrap();
        assert_eq!(f.check_signature(Some(&public)), FaceSignature::Valid);
        assert_eq!(f.check_signature(None), FaceSignature::NotVerified);
        // Another key.
        let other = Rsa::generate(2048).unwrap();
        let other = PKey::public_key_from_pem(&other.public_key_to_pem().unwrap()).unwrap();
        assert_eq!(f.check_signature(Some(&other)), FaceSignature::Invalid);
        // Another photo, name or birth date under the same signature.
        let photo2 = vec![0x4B; 1500];
        let f2 = face(&encode(&parts(&key, &photo2), &sig)).unwrap();
        assert_eq!(f2.check_signature(Some(&public)), FaceSignature::Invalid);
        let mut p3 = parts(&key, &photo);
        p3.name_png = b"\x89PNG other";
        assert_eq!(
            face(&encode(&p3, &sig)).unwrap().check_signature(Some(&public)),
            FaceSignature::Invalid
        );
        // Expiry and the security code are outside the signature (as on the card).
        let mut p4 = parts(&key, &photo);
        p4.expiry_yyyymmdd = b"20360217";
        p4.security_code_png = b"\x89PNG 9999";
        assert_eq!(
            face(&encode(&p4, &sig)).unwrap().check_signature(Some(&public)),
            FaceSignature::Valid
        );
        // The DigestInfo: SHA-256's, with 96 bytes of three digests.
        let di = f.signed_digest_info();
        assert_eq!(
            (di.len(), &di[..2], &di[17..19]),
            (115, &[0x30, 0x71][..], &[0x04, 0x60][..])
        );
    }

    #[test]
    fn the_issuer_key_must_be_rsa_of_2048_bits_or_more() {
        let rsa = Rsa::generate(2048).unwrap();
        assert!(issuer_key(&rsa.public_key_to_pem().unwrap()).is_ok());
        assert!(issuer_key(&rsa.public_key_to_der().unwrap()).is_ok());
        let short = Rsa::generate(1024).unwrap();
        assert!(issuer_key(&short.public_key_to_pem().unwrap())
            .unwrap_err()
            .contains("1024"));
        assert!(issuer_key(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").is_err());
    }

    #[test]
    fn birth_as_printed_in_either_calendar() {
        let d = |y, m, day| BirthDate::new(y, m, day).unwrap();
        let p = |b, y| birth_as_printed(b, y).map(|v| String::from_utf8(v.to_vec()).unwrap());
        // card-protocol's test card: 1980-02-17 is 昭和55.
        assert_eq!(p(d(1980, 2, 17), PrintedYear::Wareki).as_deref(), Some("550217"));
        assert_eq!(p(d(1980, 2, 17), PrintedYear::Seireki).as_deref(), Some("800217"));
        assert_eq!(p(d(1989, 1, 7), PrintedYear::Wareki).as_deref(), Some("640107"));
        assert_eq!(p(d(1989, 1, 8), PrintedYear::Wareki).as_deref(), Some("010108"));
        assert_eq!(p(d(2019, 5, 1), PrintedYear::Wareki).as_deref(), Some("010501"));
        assert_eq!(p(d(2005, 12, 31), PrintedYear::Seireki).as_deref(), Some("051231"));
        assert_eq!(p(d(1850, 1, 1), PrintedYear::Wareki), None);
    }
}
