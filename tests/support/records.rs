//! Records and requests for the receiver tests and the store benchmark: unsigned, signed by a
//! virtual card, or card-authenticated (the 利用者証明 challenge).

use super::card::SignedIn;
use madoguchi::record::canonical::sha256_hex;
use madoguchi::record::card_data::CardData;
use madoguchi::record::payload::{Payload, Statement};
use serde_json::Value;

/// The terms text unsigned records say was shown.
pub const TERMS: &str = "terms text";

/// An unsigned record (no signature, no certificate) of `station` with the given id: cheap to
/// verify, so a test of the store exercises the store.
pub fn unsigned_record(station: &str, id: &str) -> Vec<u8> {
    let person = madoguchi::card::basic4::decode(&madoguchi::card::basic4::encode(
        "吉野　桜",
        "東京都千代田区",
        "20150217",
        b'2',
        false,
    ))
    .unwrap();
    let card = CardData::from_basic4(&person);
    let mut st = Statement::new(station, "terms-1", &sha256_hex(TERMS.as_bytes()), &card, None);
    st.enrollment_id = id.to_string();
    serde_json::to_vec(&Payload::new(&st, card, None, None, None, None)).unwrap()
}

/// `POST {url}/v1/enrollments` over plain HTTP: (status, Retry-After, answer as JSON).
pub fn post_record(url: &str, key: &str, body: &[u8]) -> (u16, Option<String>, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(format!("{url}/v1/enrollments"))
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        (r.status().as_u16(), retry, r.json().await.unwrap_or(Value::Null))
    })
}

/// The same over mutual TLS as the station of `tls` (its CA for the server, its client
/// certificate): `GET` when `body` is `None`. A client of its own each time.
pub fn request_as(
    tls: &madoguchi::backend::receiver::LoopbackTls,
    url: &str,
    key: &str,
    body: Option<&[u8]>,
) -> (u16, Option<String>, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pem = |p: &std::path::Path| std::fs::read(p).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem(&tls.ca)).unwrap()])
        .identity(reqwest::Identity::from_pkcs8_pem(&pem(&tls.client_cert), &pem(&tls.client_key)).unwrap())
        .build()
        .unwrap();
    rt.block_on(async {
        let req = match body {
            Some(b) => client
                .post(format!("{url}/v1/enrollments"))
                .header("Idempotency-Key", key)
                .header("Content-Type", "application/json")
                .body(b.to_vec()),
            None => client.get(url),
        };
        let r = req.send().await.unwrap();
        let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        (r.status().as_u16(), retry, r.text().await.unwrap_or_default())
    })
}

/// `post_record` over mutual TLS as the station of `tls`.
pub fn post_record_as(
    tls: &madoguchi::backend::receiver::LoopbackTls,
    url: &str,
    key: &str,
    body: &[u8],
) -> (u16, Option<String>, Value) {
    let (status, retry, text) = request_as(tls, url, key, Some(body));
    (status, retry, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Signed records of one virtual card (the J-LIS way: `card::vcard`), as a station makes
/// them: the statement signed by the card, its signing certificate attached. The receiver
/// verifies chain, validity, signature and card data, the full cost of a real record.
pub struct Signer(SignedIn);

impl Signer {
    pub fn new(pki: &madoguchi::card::vcard::pki::TestPki, profile: &str) -> Signer {
        Signer(SignedIn::named(pki, profile))
    }

    /// A record of `station` with the given id, signed now.
    pub fn record(&mut self, station: &str, id: &str) -> Vec<u8> {
        self.record_with(station, id, |_| {})
    }

    /// The same with the statement changed by `f` before it is signed and sent (another time).
    pub fn record_with(&mut self, station: &str, id: &str, f: impl FnOnce(&mut Statement)) -> Vec<u8> {
        let card = CardData::from_basic4(&self.0.person);
        let mut st = Statement::new(station, "terms-1", &sha256_hex(TERMS.as_bytes()), &card, None);
        st.enrollment_id = id.to_string();
        f(&mut st);
        let sig = self.0.sign(&st.canonical());
        serde_json::to_vec(&Payload::new(&st, card, None, Some(&sig), Some(&self.0.cert), None)).unwrap()
    }
}

/// `card-authenticated` records of one virtual card, as a station makes them with the
/// 利用者証明 challenge: EF 02 read with the 4-digit PIN, then in the same card session the
/// auth certificate, the auth PIN and the auth key's signature over a statement that binds
/// EF 02's SHA-256. Works for a child's card (no signing certificate).
pub struct Challenger {
    card: madoguchi::card::client::MyNumberCard<madoguchi::card::vcard::VirtualCard>,
    person: madoguchi::card::basic4::BasicFour,
    ef02: madoguchi::card::basic4::Ef02,
    auth_pin: String,
    /// The 利用者証明用 certificate (DER) as read.
    pub cert: Vec<u8>,
}

impl Challenger {
    pub fn new(pki: &madoguchi::card::vcard::pki::TestPki, profile: &str) -> Challenger {
        let p = madoguchi::card::vcard::profile::Profile::named(profile).unwrap();
        Challenger::of(&p, pki)
    }

    pub fn of(p: &madoguchi::card::vcard::profile::Profile, pki: &madoguchi::card::vcard::pki::TestPki) -> Challenger {
        use madoguchi::secret::Pin;
        let mut card =
            madoguchi::card::client::MyNumberCard::new(madoguchi::card::vcard::VirtualCard::new(p, pki).unwrap());
        card.verify(Pin::new(p.pin.as_bytes()).unwrap().secret()).unwrap();
        let (person, ef02) = card.read_basic_four_with_bytes().unwrap();
        let start = card.auth_start().unwrap();
        Challenger {
            card,
            person,
            ef02,
            auth_pin: p.auth_pin().to_string(),
            cert: start.certificate.to_vec(),
        }
    }

    /// The statement a station would prepare for `station` and `id`, binding EF 02 as read.
    pub fn statement(&self, station: &str, id: &str) -> Statement {
        let card = CardData::from_basic4(&self.person);
        let mut st =
            Statement::new(station, "terms-1", &sha256_hex(TERMS.as_bytes()), &card, None).with_ef02(&self.ef02);
        st.enrollment_id = id.to_string();
        st
    }

    /// The card's authentication key over `st` (VERIFY of the auth PIN, then the signature).
    pub fn sign(&mut self, st: &Statement) -> Vec<u8> {
        let digest = openssl::sha::sha256(&st.canonical());
        let pin = madoguchi::secret::AuthPin::new(self.auth_pin.as_bytes()).unwrap();
        self.card
            .auth_sign(&pin, &madoguchi::card::client::sha256_digest_info(&digest))
            .unwrap()
    }

    /// A record of `station` with the given id: the statement sent is the one signed.
    pub fn record(&mut self, station: &str, id: &str) -> Vec<u8> {
        let st = self.statement(station, id);
        let sig = self.sign(&st);
        self.assemble(&st, &sig, &self.ef02.clone())
    }

    /// A record whose card signed another statement than the one sent: `signed` changes it.
    pub fn record_signing(&mut self, station: &str, id: &str, signed: impl FnOnce(&mut Statement)) -> Vec<u8> {
        let sent = self.statement(station, id);
        let mut other = sent.clone();
        signed(&mut other);
        let sig = self.sign(&other);
        self.assemble(&sent, &sig, &self.ef02.clone())
    }

    /// A record whose statement `f` changed before the card signed it, sent as signed.
    pub fn record_with(&mut self, station: &str, id: &str, f: impl FnOnce(&mut Statement)) -> Vec<u8> {
        let mut st = self.statement(station, id);
        f(&mut st);
        let sig = self.sign(&st);
        self.assemble(&st, &sig, &self.ef02.clone())
    }

    /// A record that sends `ef02` where the statement binds the EF 02 read.
    pub fn record_with_ef02(&mut self, station: &str, id: &str, ef02: &madoguchi::card::basic4::Ef02) -> Vec<u8> {
        let st = self.statement(station, id);
        let sig = self.sign(&st);
        self.assemble(&st, &sig, ef02)
    }

    fn assemble(&self, st: &Statement, sig: &[u8], ef02: &madoguchi::card::basic4::Ef02) -> Vec<u8> {
        self.payload(st, sig, CardData::from_basic4(&self.person), ef02)
    }

    /// The record of these parts, whatever they are.
    pub fn payload(&self, st: &Statement, sig: &[u8], card: CardData, ef02: &madoguchi::card::basic4::Ef02) -> Vec<u8> {
        serde_json::to_vec(&Payload::card_authenticated(st, card, None, sig, &self.cert, ef02)).unwrap()
    }

    /// EF 02 as this card's read gave it.
    pub fn ef02(&self) -> &madoguchi::card::basic4::Ef02 {
        &self.ef02
    }
}
