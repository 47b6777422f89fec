//! A virtual card signed in the way a station signs it in — the 4-digit PIN, EF 02, the
//! signing password, the signing certificate — and left open for signatures; one enrollment
//! through a station store with it.

use madoguchi::backend::station::StationStore;
use madoguchi::card::basic4::BasicFour;
use madoguchi::card::client::MyNumberCard;
use madoguchi::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
use madoguchi::record::payload::Payload;
use madoguchi::seam::StationBackend;
use madoguchi::secret::{Pin, SignPassword};
use std::sync::OnceLock;

/// One test PKI for the whole test binary (a key generation each would be slow).
pub fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::generate().expect("test PKI"))
}

/// A card after the station's sign-in: the four items read, the signing password verified.
pub struct SignedIn {
    pub card: MyNumberCard<VirtualCard>,
    pub person: BasicFour,
    /// The signing certificate (DER) as read.
    pub cert: Vec<u8>,
}

impl SignedIn {
    /// Signs in to `card` with `p`'s PIN and signing password.
    pub fn new(card: VirtualCard, p: &Profile) -> SignedIn {
        let mut card = MyNumberCard::new(card);
        card.verify(Pin::new(p.pin.as_bytes()).unwrap().secret()).unwrap();
        let person = card.read_basic_four().unwrap();
        card.verify(
            SignPassword::new(p.sign_password.as_ref().unwrap().as_bytes())
                .unwrap()
                .secret(),
        )
        .unwrap();
        let cert = card.read_certificate(madoguchi::card::files::Ef::SignCert).unwrap();
        SignedIn {
            card,
            person,
            cert: cert.to_vec(),
        }
    }

    /// The built-in profile `name`'s card, issued by `pki`, signed in.
    pub fn named(pki: &TestPki, name: &str) -> SignedIn {
        let p = Profile::named(name).unwrap();
        SignedIn::new(VirtualCard::new(&p, pki).unwrap(), &p)
    }

    /// The card's signature over `statement` (its SHA-256 in a DigestInfo).
    pub fn sign(&mut self, statement: &[u8]) -> Vec<u8> {
        let digest = openssl::sha::sha256(statement);
        self.card
            .sign(&madoguchi::card::client::sha256_digest_info(&digest))
            .unwrap()
    }

    /// One enrollment as the station makes it: prepared, signed by the card, finished and
    /// stored through `store`; the enrollment id and the payload stored.
    pub fn enroll(&mut self, store: &StationStore) -> (String, Payload) {
        let prepared = store.prepare(&self.person, &Default::default()).unwrap();
        let sig = self.sign(&prepared.statement);
        let record = store.finish(prepared, &self.cert, &sig, &self.person).unwrap();
        let payload = record.payload().clone();
        let id = store.store_signed(record).unwrap();
        (id, payload)
    }
}

/// Signs a real statement for `profile` with its virtual card and stores it through the
/// station's backend; returns the enrollment id and the payload stored.
pub fn enroll(store: &StationStore, card: VirtualCard, profile: &Profile) -> (String, Payload) {
    SignedIn::new(card, profile).enroll(store)
}

/// One enrollment of the built-in profile `name`'s card (issued by `pki`) through `store`: the
/// enrollment id and the payload stored, as JSON.
pub fn enroll_json(store: &StationStore, pki: &TestPki, name: &str) -> (String, serde_json::Value) {
    let (id, payload) = SignedIn::named(pki, name).enroll(store);
    (id, serde_json::to_value(&payload).unwrap())
}

/// A child's `card-authenticated` record through `store`, as the flow makes it: EF 02 read with
/// the text PIN, the 利用者証明 challenge signed by the auth key in the same card session.
/// Returns the enrollment id.
pub fn enroll_child(store: &StationStore) -> String {
    let p = Profile::named("yoshino").unwrap();
    let mut card = MyNumberCard::new(VirtualCard::new(&p, pki()).unwrap());
    card.verify(Pin::new(p.pin.as_bytes()).unwrap().secret()).unwrap();
    let (person, ef02) = card.read_basic_four_with_bytes().unwrap();
    let start = card.auth_start().unwrap();
    let prepared = store.prepare_challenge(&person, ef02, &Default::default()).unwrap();
    let digest = openssl::sha::sha256(prepared.statement());
    let pin = madoguchi::secret::AuthPin::new(p.auth_pin().as_bytes()).unwrap();
    let sig = card
        .auth_sign(&pin, &madoguchi::card::client::sha256_digest_info(&digest))
        .unwrap();
    let record = store.finish_challenge(prepared, &start.certificate, &sig).unwrap();
    store.store_signed(record).unwrap()
}
