//! A card face written as the card holds it, for the virtual card and the tests.

use super::*;

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
