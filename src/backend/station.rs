//! The station's side of the backend: builds the statement, checks the card's signature (or
//! its 利用者証明 challenge) and certificate before anything is stored, seals, stores durably,
//! and runs delivery.

use super::delivery::{self, DeliveryConfig, Waker};
use super::outbox::Outbox;
use super::trust::asn1_unix;
use crate::card::basic4::{BasicFour, Ef02};
use crate::card::face::{CardFace, FaceSignature};
use crate::record::canonical::{sha256_hex, to_json_exact};
use crate::record::card_data::CardData;
use crate::record::check;
use crate::record::payload::{verify_signature, Payload, Statement, SCHEMA};
use crate::seam::{
    BackendError, CertificateProblem, Declared, FinishError, Prepared, PreparedChallenge, QueueInfo, SignedPayload,
    StationBackend, Verdict,
};
use crate::time::unix_ms;
use openssl::pkey::{PKey, Public};
use openssl::x509::{X509Crl, X509};
use std::path::PathBuf;
use std::sync::Mutex;
use zeroize::Zeroizing;

pub struct StationStore {
    outbox_path: PathBuf,
    limit: u64,
    outbox: Mutex<Outbox>,
    station_id: String,
    terms_id: String,
    terms: Shown,
    /// The privacy notice's id and hashes, when the station shows one.
    privacy: Option<(String, Shown)>,
    seal_key: Option<PKey<Public>>,
    delivery: Option<DeliveryConfig>,
    waker: Mutex<Option<Waker>>,
    crl: Option<StationCrl>,
    /// `[steps] allow_unauthenticated`: records that prove no card may be stored.
    allow_unauthenticated: bool,
    /// `[checks] card_face_issuer_key`: DF 28 of the card face is verified with it.
    face_issuer: Option<PKey<Public>>,
}

/// The SHA-256 of a text the citizen reads (the terms, the privacy notice): the default
/// (Japanese) text's, and each language's own. What is signed is the hash of the text the
/// citizen was shown, so it must pick the text the same way the screen does.
struct Shown {
    default: String,
    /// (language tag, SHA-256) of the texts in other languages.
    by_lang: Vec<(String, String)>,
}

impl Shown {
    fn new(default_text: &str) -> Shown {
        Shown {
            default: sha256_hex(default_text.as_bytes()),
            by_lang: Vec::new(),
        }
    }

    fn add(&mut self, lang: &str, text: &str) {
        self.by_lang.retain(|(l, _)| l != lang);
        self.by_lang.push((lang.to_string(), sha256_hex(text.as_bytes())));
    }

    /// The hash of the text a citizen in `lang` read: theirs, else the default one.
    fn for_lang(&self, lang: Option<&str>) -> &str {
        lang.and_then(|l| self.by_lang.iter().find(|(x, _)| x == l))
            .map_or(&self.default, |(_, sha)| sha)
    }
}

/// The CRLs the station checks signing certificates against before signing (`[checks]`): a
/// file (PEM, one or several, or DER) or a directory of them, one per CA generation.
pub struct StationCrl {
    crls: Vec<(X509Crl, i64)>,
}

impl StationCrl {
    /// Loads the CRLs of `path`. `max_age_secs` bounds how stale a CRL may be, counted from
    /// its thisUpdate: past it (or past nextUpdate plus at most a day) a CRL says nothing —
    /// the station can't know, and the backend decides.
    pub fn load(path: &std::path::Path, max_age_secs: i64) -> Result<StationCrl, String> {
        let (files, _) = super::trust::files_of(path, &super::trust::CRL_EXTS)?;
        let mut crls = Vec::new();
        for f in files {
            for crl in super::trust::load_crl_file(&f)? {
                let this_update = asn1_unix(crl.last_update()).unwrap_or(0);
                let mut until = this_update.saturating_add(max_age_secs);
                if let Some(next) = crl.next_update().and_then(asn1_unix) {
                    until = until.min(next.saturating_add(max_age_secs.min(86_400)));
                }
                crls.push((crl, until));
            }
        }
        if crls.is_empty() {
            return Err(format!("{}: no CRL files (*.crl, *.pem, *.der)", path.display()));
        }
        Ok(StationCrl { crls })
    }

    /// Seconds since the newest CRL's thisUpdate.
    pub fn age_secs(&self) -> i64 {
        let newest = self
            .crls
            .iter()
            .filter_map(|(c, _)| asn1_unix(c.last_update()))
            .max()
            .unwrap_or(0);
        unix_ms() / 1000 - newest
    }

    /// Whether every CRL still speaks.
    pub fn fresh(&self) -> bool {
        let now = unix_ms() / 1000;
        self.crls.iter().all(|(_, until)| now <= *until)
    }

    /// Whether a current CRL of the certificate's own CA generation (issuer name and key
    /// identifier) lists it. A CRL of another generation under the same DN is not applied.
    pub fn revokes(&self, cert: &X509) -> bool {
        let now = unix_ms() / 1000;
        self.crls.iter().any(|(crl, until)| {
            now <= *until
                && super::trust::crl_matches_certificate(crl, cert)
                && matches!(
                    crl.get_by_serial(cert.serial_number()),
                    openssl::x509::CrlStatus::Revoked(_)
                )
        })
    }
}

/// Validity now, by the certificate's own dates.
pub fn validity_problem(x: &X509) -> Option<CertificateProblem> {
    let now = openssl::asn1::Asn1Time::days_from_now(0).ok()?;
    let expired = x.not_after() < now;
    let early = x.not_before() > now;
    (expired || early).then_some(CertificateProblem::Expired)
}

impl StationStore {
    pub fn open(
        outbox_path: PathBuf,
        limit: u64,
        station_id: &str,
        terms_id: &str,
        terms_text: &str,
        seal_key: Option<PKey<Public>>,
        delivery: Option<DeliveryConfig>,
    ) -> Result<StationStore, String> {
        let outbox = Outbox::open(&outbox_path, limit).map_err(|e| e.to_string())?;
        Ok(StationStore {
            outbox_path,
            limit,
            outbox: Mutex::new(outbox),
            station_id: station_id.into(),
            terms_id: terms_id.into(),
            terms: Shown::new(terms_text),
            privacy: None,
            seal_key,
            delivery,
            waker: Mutex::new(None),
            crl: None,
            allow_unauthenticated: false,
            face_issuer: None,
        })
    }

    /// The terms in language `lang` (BCP 47): a citizen who chose it read this text, and its
    /// hash is signed instead of the default text's. A language without its own terms is
    /// shown the default (Japanese) text, and that hash is signed.
    pub fn with_terms(mut self, lang: &str, text: &str) -> StationStore {
        self.terms.add(lang, text);
        self
    }

    /// The privacy notice the citizen reads after the terms: its id and hash are signed too.
    /// `text` is the default (Japanese) one; [`StationStore::with_privacy_in`] adds others.
    pub fn with_privacy(mut self, id: &str, text: &str) -> StationStore {
        self.privacy = Some((id.to_string(), Shown::new(text)));
        self
    }

    /// The privacy notice in language `lang`, as [`StationStore::with_terms`] for the terms.
    /// Without [`StationStore::with_privacy`] first there is no notice, and this does nothing.
    pub fn with_privacy_in(mut self, lang: &str, text: &str) -> StationStore {
        if let Some((_, shown)) = &mut self.privacy {
            shown.add(lang, text);
        }
        self
    }

    /// Checks signing certificates against this CRL before signing.
    pub fn with_crl(mut self, crl: StationCrl) -> StationStore {
        self.crl = Some(crl);
        self
    }

    pub fn crl(&self) -> Option<&StationCrl> {
        self.crl.as_ref()
    }

    /// Allows records that prove no card (`[steps] allow_unauthenticated`; off by default).
    pub fn with_allow_unauthenticated(mut self, allow: bool) -> StationStore {
        self.allow_unauthenticated = allow;
        self
    }

    /// The card face's issuer key (`[checks] card_face_issuer_key`): DF 28 is verified with
    /// it; without it every card face is "not verified".
    pub fn with_face_issuer(mut self, key: PKey<Public>) -> StationStore {
        self.face_issuer = Some(key);
        self
    }

    fn store(&self, payload: &Payload) -> Result<String, BackendError> {
        let plain = to_json_exact(payload).map_err(|_| BackendError::Encode)?;
        let body: Zeroizing<Vec<u8>> = match &self.seal_key {
            Some(k) => {
                // A JWE (RFC 7516) any JOSE library opens; its kid names the key for rotation.
                let jwe = super::jwe::seal(k, &payload.enrollment_id, &payload.station_id, &plain)
                    .map_err(|e| BackendError::Seal(e.to_string()))?;
                let wire = serde_json::json!({
                    "schema": SCHEMA,
                    "enrollment_id": payload.enrollment_id,
                    "station_id": payload.station_id,
                    "jwe": jwe,
                });
                to_json_exact(&wire).map_err(|_| BackendError::Encode)?
            }
            None => plain,
        };
        let mut o = self
            .outbox
            .lock()
            .map_err(|_| BackendError::Storage("outbox lock poisoned".into()))?;
        o.enqueue_record(
            &payload.enrollment_id,
            &payload.station_id,
            unix_ms(),
            &body,
            self.seal_key.is_some(),
            Some(payload.level().as_str()),
        )
        .map_err(|e| match e {
            super::outbox::OutboxError::Full(_) => BackendError::QueueFull,
            e => BackendError::Storage(e.to_string()),
        })?;
        drop(o);
        if let Ok(w) = self.waker.lock() {
            if let Some(w) = w.as_ref() {
                w.wake();
            }
        }
        Ok(payload.enrollment_id.clone())
    }

    fn statement(&self, card: &CardData, declared: &Declared) -> Statement {
        let lang = declared.lang.as_deref();
        let terms = self.terms.for_lang(lang);
        let mut st = Statement::new(&self.station_id, &self.terms_id, terms, card, declared.email());
        st.lang = declared.lang.clone();
        if let Some((id, shown)) = &self.privacy {
            st.privacy_id = Some(id.clone());
            st.privacy_sha256 = Some(shown.for_lang(lang).to_string());
        }
        st.representative = declared.representative;
        st.card_face = declared.card_face;
        st
    }
}

impl StationBackend for StationStore {
    fn check_certificate(&self, cert_der: &[u8]) -> Result<(), CertificateProblem> {
        let x = X509::from_der(cert_der).map_err(|_| CertificateProblem::Unreadable)?;
        if let Some(p) = validity_problem(&x) {
            return Err(p);
        }
        if self.crl.as_ref().is_some_and(|c| c.revokes(&x)) {
            return Err(CertificateProblem::Revoked);
        }
        Ok(())
    }

    fn prepare(&self, person: &BasicFour, declared: &Declared) -> Result<Prepared, BackendError> {
        Ok(Prepared::new(
            self.statement(&CardData::from_basic4(person), declared),
            declared.email(),
        ))
    }

    fn finish(
        &self,
        prepared: Prepared,
        cert_der: &[u8],
        signature: &[u8],
        person: &BasicFour,
    ) -> Result<SignedPayload, FinishError> {
        match verify_signature(cert_der, &prepared.statement, signature) {
            Ok(true) => {}
            Ok(false) => return Err(FinishError::SignatureInvalid),
            Err(_) => return Err(FinishError::CertificateUnreadable),
        }
        let card = CardData::from_basic4(person);
        // What differs is for review, never a refusal: the record is stored and sent.
        let card_check = check::compare_der(&card, cert_der);
        Ok(SignedPayload::new(Payload::new(
            prepared.parsed(),
            card,
            prepared.email(),
            Some(signature),
            Some(cert_der),
            Some(card_check),
        )))
    }

    fn prepare_challenge(
        &self,
        person: &BasicFour,
        ef02: Ef02,
        declared: &Declared,
    ) -> Result<PreparedChallenge, BackendError> {
        let card = CardData::from_basic4(person);
        // The bytes bound must be the ones the confirmed items came from: a flow that passed
        // another read's bytes would make the receiver refuse the record later.
        match ef02.decode() {
            Ok(read) if CardData::from_basic4(&read) == card => {}
            _ => {
                tracing::error!("EF 02 given for the challenge is not the confirmed card data");
                return Err(BackendError::Encode);
            }
        }
        let st = self.statement(&card, declared).with_ef02(&ef02);
        Ok(PreparedChallenge::new(
            Prepared::new(st, declared.email()),
            ef02,
            person.clone(),
        ))
    }

    fn finish_challenge(
        &self,
        prepared: PreparedChallenge,
        auth_cert_der: &[u8],
        auth_signature: &[u8],
    ) -> Result<SignedPayload, FinishError> {
        match verify_signature(auth_cert_der, prepared.statement(), auth_signature) {
            Ok(true) => {}
            Ok(false) => return Err(FinishError::SignatureInvalid),
            Err(_) => return Err(FinishError::CertificateUnreadable),
        }
        let p = prepared.prepared();
        Ok(SignedPayload::new(Payload::card_authenticated(
            p.parsed(),
            CardData::from_basic4(prepared.person()),
            p.email(),
            auth_signature,
            auth_cert_der,
            prepared.ef02(),
        )))
    }

    fn store_signed(&self, record: SignedPayload) -> Result<String, BackendError> {
        self.store(record.payload())
    }

    fn allow_unauthenticated(&self) -> bool {
        self.allow_unauthenticated
    }

    fn store_unauthenticated(&self, person: &BasicFour, declared: &Declared) -> Result<String, BackendError> {
        if !self.allow_unauthenticated {
            return Err(BackendError::Storage(
                "unauthenticated records are not allowed here ([steps] allow_unauthenticated = false)".into(),
            ));
        }
        let card = CardData::from_basic4(person);
        let st = self.statement(&card, declared);
        self.store(&Payload::new(&st, card, declared.email(), None, None, None))
    }

    fn queue(&self) -> QueueInfo {
        let Ok(o) = self.outbox.lock() else {
            return QueueInfo::default();
        };
        let s = o.stats().unwrap_or_default();
        QueueInfo {
            pending: s.pending,
            oldest_age_secs: s.oldest_pending_ms.map(|t| ((unix_ms() - t).max(0) / 1000) as u64),
            review: s.review,
        }
    }

    fn can_start_new(&self) -> bool {
        self.outbox
            .lock()
            .ok()
            .and_then(|o| o.can_start_new().ok())
            .unwrap_or(false)
    }

    fn crl(&self) -> Option<crate::seam::CrlInfo> {
        self.crl.as_ref().map(|c| crate::seam::CrlInfo {
            age_secs: c.age_secs().max(0) as u64,
            fresh: c.fresh(),
        })
    }

    fn check_card_face(&self, face: &CardFace) -> FaceSignature {
        face.check_signature(self.face_issuer.as_deref())
    }

    fn seal_kid(&self) -> Option<String> {
        self.seal_key.as_ref().and_then(|k| super::jwe::thumbprint(k).ok())
    }

    fn sealed(&self) -> bool {
        self.seal_key.is_some()
    }

    fn start_delivery(&self, verdicts: Box<dyn Fn(String, Verdict) + Send + Sync>) {
        let Some(cfg) = self.delivery.clone() else { return };
        match delivery::spawn(self.outbox_path.clone(), self.limit, cfg, verdicts) {
            Ok(w) => {
                if let Ok(mut slot) = self.waker.lock() {
                    *slot = Some(w);
                }
            }
            Err(e) => tracing::error!(error = %e, "delivery not started"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::basic4;

    /// A citizen's card data, for the statements below.
    fn yamada() -> CardData {
        let p = basic4::decode(&basic4::encode(
            "山田\u{3000}太郎",
            "東京都千代田区",
            "19800217",
            b'1',
            false,
        ))
        .unwrap();
        CardData::from_basic4(&p)
    }

    fn sha(t: &str) -> String {
        crate::record::canonical::sha256_hex(t.as_bytes())
    }

    /// What the citizen declared: only the language.
    fn with(lang: Option<&str>) -> Declared {
        Declared {
            lang: lang.map(str::to_string),
            ..Declared::default()
        }
    }

    #[test]
    fn the_signed_terms_hash_is_of_the_text_shown_in_the_citizens_language() {
        let dir = std::env::temp_dir().join(format!("madoguchi-terms-lang-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = StationStore::open(dir.join("o.sqlite3"), 10, "s", "terms-1", "日本語の規約", None, None)
            .unwrap()
            .with_terms("ja", "日本語の規約")
            .with_terms("ko", "한국어 약관");
        let card = yamada();
        let ko = store.statement(&card, &with(Some("ko")));
        assert_eq!(
            (ko.lang.as_deref(), ko.terms_sha256.as_str()),
            (Some("ko"), sha("한국어 약관").as_str())
        );
        assert!(String::from_utf8(ko.canonical()).unwrap().contains("\"lang\":\"ko\""));
        // A language without its own terms was shown the Japanese text: that hash is signed.
        let vi = store.statement(&card, &with(Some("vi")));
        assert_eq!(
            (vi.lang.as_deref(), vi.terms_sha256.as_str()),
            (Some("vi"), sha("日本語の規約").as_str())
        );
        // No language (an older flow): no key at all, as before.
        let none = store.statement(&card, &with(None));
        assert!(!String::from_utf8(none.canonical()).unwrap().contains("\"lang\""));
        assert_eq!(none.terms_sha256, sha("日本語の規約"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The station's side of the 利用者証明 challenge: the statement binds EF 02 as read, the
    /// card's answer is verified against the auth certificate before anything is stored, and
    /// a record that proves no card needs the operator's switch.
    #[test]
    fn a_challenge_is_verified_before_it_is_stored_and_unauthenticated_needs_the_switch() {
        use crate::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
        use crate::secret::{AuthPin, Pin};
        let dir = std::env::temp_dir().join(format!("madoguchi-challenge-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = StationStore::open(dir.join("o.sqlite3"), 10, "s", "terms-1", "規約", None, None).unwrap();
        let p = Profile::named("yoshino").unwrap();
        let mut c =
            crate::card::client::MyNumberCard::new(VirtualCard::new(&p, &TestPki::generate().unwrap()).unwrap());
        c.verify(Pin::new(p.pin.as_bytes()).unwrap().secret()).unwrap();
        let (person, ef02) = c.read_basic_four_with_bytes().unwrap();
        // EF 02 of another card is not what the confirmed items came from.
        let other = Ef02::new(zeroize::Zeroizing::new(basic4::encode(
            "山田\u{3000}太郎",
            "東京都",
            "19800217",
            b'1',
            false,
        )));
        assert_eq!(
            store
                .prepare_challenge(&person, other, &Declared::default())
                .unwrap_err(),
            BackendError::Encode
        );
        let prepared = store
            .prepare_challenge(&person, ef02.clone(), &Declared::default())
            .unwrap();
        let st: Statement = serde_json::from_slice(prepared.statement()).unwrap();
        assert_eq!(st.ef02_sha256, Some(ef02.sha256_hex()));
        let start = c.auth_start().unwrap();
        let digest = openssl::sha::sha256(prepared.statement());
        let sig = c
            .auth_sign(
                &AuthPin::new(p.auth_pin().as_bytes()).unwrap(),
                &crate::card::client::sha256_digest_info(&digest),
            )
            .unwrap();
        // A broken card answer (one bit) never becomes card-authenticated.
        let mut broken = sig.clone();
        broken[9] ^= 1;
        let again = store
            .prepare_challenge(&person, ef02.clone(), &Declared::default())
            .unwrap();
        assert_eq!(
            store.finish_challenge(again, &start.certificate, &broken).unwrap_err(),
            FinishError::SignatureInvalid
        );
        let record = store.finish_challenge(prepared, &start.certificate, &sig).unwrap();
        let payload = record.payload().clone();
        assert_eq!(payload.level(), crate::record::payload::Assurance::CardAuthenticated);
        assert_eq!(payload.signature, None);
        assert_eq!(payload.card, CardData::from_basic4(&person));
        let id = store.store_signed(record).unwrap();
        // Unauthenticated: refused without the switch (nothing stored), stored with it.
        assert!(!store.allow_unauthenticated());
        assert!(store.store_unauthenticated(&person, &Declared::default()).is_err());
        let list = store.outbox.lock().unwrap().list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].id.as_str(), list[0].assurance.as_deref()),
            (id.as_str(), Some("card-authenticated"))
        );
        drop(list);
        let store = store.with_allow_unauthenticated(true);
        assert!(store.allow_unauthenticated());
        store.store_unauthenticated(&person, &Declared::default()).unwrap();
        let list = store.outbox.lock().unwrap().list().unwrap();
        assert_eq!(list[1].assurance.as_deref(), Some("unauthenticated"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_signed_privacy_hash_is_of_the_notice_shown_in_the_citizens_language() {
        let dir = std::env::temp_dir().join(format!("madoguchi-privacy-lang-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = StationStore::open(dir.join("o.sqlite3"), 10, "s", "terms-1", "規約", None, None)
            .unwrap()
            .with_privacy("privacy-1", "個人情報の取り扱い")
            .with_privacy_in("ja", "個人情報の取り扱い")
            .with_privacy_in("ko", "개인정보 처리 안내");
        let card = yamada();
        let ko = store.statement(&card, &with(Some("ko")));
        assert_eq!(ko.privacy_id.as_deref(), Some("privacy-1"));
        assert_eq!(ko.privacy_sha256, Some(sha("개인정보 처리 안내")));
        let canonical = String::from_utf8(ko.canonical()).unwrap();
        assert!(canonical.contains(&sha("개인정보 처리 안내")), "{canonical}");
        // A language without its own notice was shown the Japanese one: that hash is signed.
        for lang in [Some("vi"), Some("en"), None] {
            let st = store.statement(&card, &with(lang));
            assert_eq!(st.privacy_sha256, Some(sha("個人情報の取り扱い")), "{lang:?}");
        }
        // No notice configured: no privacy keys.
        let bare = StationStore::open(dir.join("o2.sqlite3"), 10, "s", "terms-1", "規約", None, None)
            .unwrap()
            .with_privacy_in("ko", "개인정보 처리 안내");
        let st = bare.statement(&card, &with(Some("ko")));
        assert_eq!((st.privacy_id, st.privacy_sha256), (None, None));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
