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
