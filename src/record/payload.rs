//! Payload v1 and the statement the card signs (docs/backend-api.md).
//!
//! The statement is canonical bytes: UTF-8 JSON with keys in sorted order and no spaces
//! (serde writes struct fields in declaration order, and they are declared sorted). It binds
//! the enrollment id, station, time, terms (id + SHA-256) and the SHA-256 of the canonical card
//! data, and — for the 利用者証明 challenge — the SHA-256 of EF 02 exactly as read. The card
//! signs DigestInfo(SHA-256(statement)) with RSA-2048 PKCS#1 v1.5: with its signing key
//! (`signed`) or its authentication key (`card-authenticated`); one canonical form for both.

use super::canonical::sha256_hex;
use super::card_data::CardData;
use super::check::CardCheck;
use crate::card::basic4::Ef02;
use crate::time::rfc3339_now;
use base64::Engine;
use openssl::hash::MessageDigest;
use openssl::x509::X509;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const SCHEMA: &str = "madoguchi.enrollment.v1";
pub const HASH_ALG: &str = "SHA-256";

pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

pub fn unb64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// Who applied for the holder, confirmed by the clerk (a 15歳未満 holder's, or a
/// 成年被後見人's, 法定代理人; seed 003).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Representative {
    /// 親権者
    Parent,
    /// 後見人 (未成年後見人 or 成年後見人)
    Guardian,
    /// Another representative (任意代理人 with a power of attorney)
    Other,
}

/// How a record proves that the card it was read from is genuine (docs/backend-api.md,
/// "Assurance levels").
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Assurance {
    /// The card's signing key signed the statement (署名用電子証明書).
    Signed,
    /// The card's authentication key signed the statement, which binds EF 02 as read in the
    /// same card session (利用者証明用電子証明書).
    CardAuthenticated,
    /// Nothing proves the card: only where the operator allows it.
    Unauthenticated,
}

impl Assurance {
    pub const ALL: [Assurance; 3] = [
        Assurance::Signed,
        Assurance::CardAuthenticated,
        Assurance::Unauthenticated,
    ];

    /// The payload's spelling (`signed`, `card-authenticated`, `unauthenticated`).
    pub fn as_str(self) -> &'static str {
        match self {
            Assurance::Signed => "signed",
            Assurance::CardAuthenticated => "card-authenticated",
            Assurance::Unauthenticated => "unauthenticated",
        }
    }

    pub fn parse(s: &str) -> Option<Assurance> {
        Assurance::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// What the clerk did with the card face (券面事項確認AP, docs/card.md "The card face"): the
/// record carries only this, never the photo, the images or 照合番号B. Absent when the step
/// was off or skipped.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CardFaceCheck {
    // Sorted keys: this sits in the signed statement.
    /// How the chip's photo was compared with the person at the counter.
    pub photo_check: PhotoCheck,
    /// EF 0002 was read with 照合番号B in the same card session as EF 02, and its birth date
    /// and sex equal EF 02's.
    pub read: bool,
    /// Whether DF 28 was verified with an issuer key the operator configured.
    pub signature: FaceSignatureCheck,
}

/// The clerk's comparison of the chip's photo with the person.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PhotoCheck {
    /// The clerk saw the photo and said it is the person at the counter.
    Matched,
    /// The terminal could not show the photo (or it would not decode): nothing was compared.
    NotShown,
}

/// DF 28, the issuer's signature over the card face, as the station checked it.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FaceSignatureCheck {
    /// Verified with the issuer key in `[checks] card_face_issuer_key`.
    Verified,
    /// No issuer key configured (J-LIS does not publish it): not checked, never assumed.
    NotVerified,
}

impl fmt::Display for Assurance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    // Sorted keys: these are the signed bytes. Optional keys that are absent stay absent (a
    // statement signed before they existed re-serializes to the same bytes).
    pub card_data_sha256: String,
    /// What the clerk did with the card face (the photo compared), when the step ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_face: Option<CardFaceCheck>,
    /// SHA-256 (hex) of the contact e-mail, when the station asked for one.
    pub contact_email_sha256: Option<String>,
    pub created_at: String,
    /// SHA-256 (hex) of EF 02 exactly as read in the card session that signs this statement:
    /// the 利用者証明 challenge's tie between the four items and the genuine card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ef02_sha256: Option<String>,
    pub enrollment_id: String,
    /// The citizen's language (BCP 47: ja, en, zh-Hans, ko, es, pt-BR, vi): the terms'
    /// SHA-256 is of the text shown in it (the Japanese text when it has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The privacy notice shown (its own read-to-the-end step), when the station has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_sha256: Option<String>,
    /// The 法定代理人 the clerk confirmed, when one applied for the holder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<Representative>,
    pub schema: String,
    pub station_id: String,
    pub terms_id: String,
    pub terms_sha256: String,
}

impl Statement {
    pub fn new(
        station_id: &str,
        terms_id: &str,
        terms_sha256: &str,
        card: &CardData,
        email: Option<&str>,
    ) -> Statement {
        Statement {
            card_data_sha256: card.sha256(),
            card_face: None,
            contact_email_sha256: email.map(|e| sha256_hex(e.as_bytes())),
            created_at: rfc3339_now(),
            ef02_sha256: None,
            enrollment_id: uuid::Uuid::now_v7().to_string(),
            lang: None,
            privacy_id: None,
            privacy_sha256: None,
            representative: None,
            schema: SCHEMA.into(),
            station_id: station_id.into(),
            terms_id: terms_id.into(),
            terms_sha256: terms_sha256.into(),
        }
    }

    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Binds EF 02 as read (its SHA-256) into the statement.
    pub fn with_ef02(mut self, ef02: &Ef02) -> Statement {
        self.ef02_sha256 = Some(ef02.sha256_hex());
        self
    }
}

/// What is POSTed to `{base}/v1/enrollments` (before sealing).
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    pub schema: String,
    pub enrollment_id: String,
    pub station_id: String,
    pub created_at: String,
    pub card: CardData,
    /// Contact e-mail (the optional 連絡先 step); null when not asked.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// The canonical statement bytes, base64.
    pub statement: String,
    pub hash_alg: String,
    /// RSA-2048 PKCS#1 v1.5 over SHA-256(statement), base64; null when unsigned (no signing
    /// step, or a card without a signing certificate).
    pub signature: Option<String>,
    /// The signing certificate (DER, base64); null when unsigned.
    pub signing_certificate: Option<String>,
    /// The 法定代理人 the clerk confirmed (also in the statement); absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<Representative>,
    /// The contact e-mail was typed twice and checked for form only: whether the mailbox
    /// exists is the backend's to verify. `false` whenever `contact_email` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email_verified: Option<bool>,
    /// How the card's four items compared with the signing certificate (record/check.rs);
    /// null when unsigned.
    #[serde(default)]
    pub card_check: Option<CardCheck>,
    /// How the record proves the card genuine. Records of stations before it have none:
    /// read as `signed` when they carry a signature, else `unauthenticated` ([`Payload::level`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assurance: Option<Assurance>,
    /// `card-authenticated`: the auth key's RSA-2048 PKCS#1 v1.5 signature over
    /// SHA-256(statement), base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_signature: Option<String>,
    /// `card-authenticated`: the 利用者証明用電子証明書 (DER, base64). It names no person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_certificate: Option<String>,
    /// `card-authenticated`: EF 02 exactly as read (base64), whose SHA-256 the statement
    /// binds: the four items and their offsets (never the My Number). Sealed with the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ef02: Option<String>,
    /// What the clerk did with the card face (also in the statement); absent when the step
    /// was off or skipped. Never the photo, the images or 照合番号B.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_face: Option<CardFaceCheck>,
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Payload({}, [personal data hidden])", self.enrollment_id)
    }
}

impl Payload {
    pub fn new(
        st: &Statement,
        card: CardData,
        email: Option<&str>,
        signature: Option<&[u8]>,
        cert_der: Option<&[u8]>,
        card_check: Option<CardCheck>,
    ) -> Payload {
        Payload {
            schema: SCHEMA.into(),
            enrollment_id: st.enrollment_id.clone(),
            station_id: st.station_id.clone(),
            created_at: st.created_at.clone(),
            card,
            contact_email: email.map(str::to_string),
            statement: b64(&st.canonical()),
            hash_alg: HASH_ALG.into(),
            signature: signature.map(b64),
            signing_certificate: cert_der.map(b64),
            representative: st.representative,
            contact_email_verified: email.map(|_| false),
            card_check,
            assurance: Some(if signature.is_some() {
                Assurance::Signed
            } else {
                Assurance::Unauthenticated
            }),
            auth_signature: None,
            auth_certificate: None,
            ef02: None,
            card_face: st.card_face,
        }
    }

    /// A `card-authenticated` record: the statement (which binds `ef02`'s SHA-256) signed by
    /// the card's authentication key, its certificate, and EF 02 as read.
    pub fn card_authenticated(
        st: &Statement,
        card: CardData,
        email: Option<&str>,
        auth_signature: &[u8],
        auth_cert_der: &[u8],
        ef02: &Ef02,
    ) -> Payload {
        let mut p = Payload::new(st, card, email, None, None, None);
        p.assurance = Some(Assurance::CardAuthenticated);
        p.auth_signature = Some(b64(auth_signature));
        p.auth_certificate = Some(b64(auth_cert_der));
        p.ef02 = Some(b64(ef02.as_bytes()));
        p
    }

    /// The level the record claims: its `assurance`, or for a record without one (stations
    /// before it) `signed` when it carries a signature, else `unauthenticated`.
    pub fn level(&self) -> Assurance {
        self.assurance.unwrap_or(if self.signature.is_some() {
            Assurance::Signed
        } else {
            Assurance::Unauthenticated
        })
    }
}

impl Drop for Payload {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        // The card data zeroizes itself; the certificate holds the same four items.
        self.contact_email.zeroize();
        self.signing_certificate.zeroize();
        self.statement.zeroize();
        self.ef02.zeroize();
    }
}

/// Verifies an RSA PKCS#1 v1.5 SHA-256 signature over `data` with the certificate's key.
pub fn verify_signature(cert_der: &[u8], data: &[u8], signature: &[u8]) -> Result<bool, String> {
    let cert = X509::from_der(cert_der).map_err(|e| format!("certificate: {e}"))?;
    let key = cert.public_key().map_err(|e| format!("public key: {e}"))?;
    let mut v = openssl::sign::Verifier::new(MessageDigest::sha256(), &key).map_err(|e| e.to_string())?;
    v.update(data).map_err(|e| e.to_string())?;
    Ok(v.verify(signature).unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::basic4;
    use crate::record::canonical::to_json_exact;
    use zeroize::Zeroizing;

    fn card() -> CardData {
        CardData::from_basic4(
            &basic4::decode(&basic4::encode(
                "山田\u{3000}花子（佐藤）",
                "東京都",
                "19800217",
                b'2',
                false,
            ))
            .unwrap(),
        )
    }

    #[test]
    fn canonical_json_has_sorted_keys_and_stable_hash() {
        let c = card();
        let text = String::from_utf8(c.canonical().to_vec()).unwrap();
        assert_eq!(
            text,
            r#"{"address":"東京都","birth_date":"1980-02-17","former_name":"佐藤","gender":"female","name":"山田　花子"}"#
        );
        let st = Statement::new("s1", "terms-1", &sha256_hex(b"terms"), &c, Some("a@example.jp"));
        let bytes = String::from_utf8(st.canonical()).unwrap();
        let keys: Vec<&str> = bytes.split('"').skip(1).step_by(4).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert!(uuid::Uuid::parse_str(&st.enrollment_id).unwrap().get_version_num() == 7);
        assert!(!format!("{c:?}").contains("山田"));
    }

    #[test]
    fn every_new_payload_says_its_level_and_old_ones_are_read_by_what_they_carry() {
        let c = card();
        let ef02 = Ef02::new(Zeroizing::new(basic4::encode(
            "山田\u{3000}花子（佐藤）",
            "東京都",
            "19800217",
            b'2',
            false,
        )));
        let st = Statement::new("s1", "t", "h", &c, None).with_ef02(&ef02);
        let text = String::from_utf8(st.canonical()).unwrap();
        // The digest sits in the sorted keys, between created_at and enrollment_id.
        let (at, ef, id) = (
            text.find("\"created_at\"").unwrap(),
            text.find("\"ef02_sha256\"").unwrap(),
            text.find("\"enrollment_id\"").unwrap(),
        );
        assert!(at < ef && ef < id, "{text}");
        assert!(text.contains(&ef02.sha256_hex()));
        let signed = Payload::new(&st, c.clone(), None, Some(b"sig"), Some(b"cert"), None);
        let unauth = Payload::new(&st, c.clone(), None, None, None, None);
        let auth = Payload::card_authenticated(&st, c.clone(), None, b"asig", b"acert", &ef02);
        for (p, level) in [
            (&signed, "signed"),
            (&unauth, "unauthenticated"),
            (&auth, "card-authenticated"),
        ] {
            let json: serde_json::Value = serde_json::to_value(p).unwrap();
            assert_eq!(json["assurance"], level);
            assert_eq!(p.level().as_str(), level);
            assert_eq!(Assurance::parse(level), Some(p.level()));
        }
        let json = serde_json::to_value(&auth).unwrap();
        assert_eq!(unb64(json["ef02"].as_str().unwrap()).unwrap(), ef02.as_bytes());
        assert_eq!(json["signature"], serde_json::Value::Null);
        // Signed and unauthenticated records carry no challenge fields at all.
        let json = serde_json::to_string(&signed).unwrap();
        assert!(!json.contains("auth_") && !json.contains("ef02\""), "{json}");
        // A record of a station before the levels: no `assurance`, read by what it carries.
        for (p, level) in [(&signed, Assurance::Signed), (&unauth, Assurance::Unauthenticated)] {
            let mut v = serde_json::to_value(p).unwrap();
            v.as_object_mut().unwrap().remove("assurance");
            let old: Payload = serde_json::from_value(v).unwrap();
            assert_eq!((old.assurance, old.level()), (None, level));
        }
        assert!(!format!("{ef02:?}").contains("東京"));
    }

    #[test]
    fn payload_debug_and_exact_json_hold_no_personal_data_copies() {
        let c = card();
        let st = Statement::new("s1", "t", "h", &c, Some("hanako@example.jp"));
        let p = Payload::new(&st, c, Some("hanako@example.jp"), None, None, None);
        let dbg = format!("{p:?}");
        assert!(
            !dbg.contains("山田") && !dbg.contains("hanako") && !dbg.contains("東京"),
            "{dbg}"
        );
        let json = to_json_exact(&p).unwrap();
        assert_eq!(json.len(), json.capacity(), "no growth, no stray copies");
        assert!(String::from_utf8_lossy(&json).contains("山田"));
    }
}
