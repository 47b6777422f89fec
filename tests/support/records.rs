//! Records and requests shared by the receiver tests and the store benchmark
//! (`examples/bench_stores.rs` includes this file too).
#![allow(dead_code)]

use madoguchi::backend::payload::{sha256_hex, CardData, Payload, Statement};
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

/// Signed records of one virtual card (the J-LIS way: `card::vcard`), as a station makes
/// them: the statement signed by the card, its signing certificate attached. The receiver
/// verifies chain, validity, signature and card data, the full cost of a real record.
pub struct Signer {
    card: madoguchi::card::MyNumberCard<madoguchi::card::vcard::VirtualCard>,
    person: madoguchi::card::BasicFour,
    cert: Vec<u8>,
}

impl Signer {
    pub fn new(pki: &madoguchi::card::vcard::pki::TestPki, profile: &str) -> Signer {
        use madoguchi::secret::{Pin, SignPassword};
        let p = madoguchi::card::vcard::profile::Profile::named(profile).unwrap();
        let mut card = madoguchi::card::MyNumberCard::new(madoguchi::card::vcard::VirtualCard::new(&p, pki).unwrap());
        card.verify(Pin::new(p.pin.as_bytes()).unwrap().secret()).unwrap();
        let person = card.read_basic_four().unwrap();
        card.verify(
            SignPassword::new(p.sign_password.as_ref().unwrap().as_bytes())
                .unwrap()
                .secret(),
        )
        .unwrap();
        let cert = card.read_certificate(madoguchi::card::files::Ef::SignCert).unwrap();
        Signer {
            card,
            person,
            cert: cert.to_vec(),
        }
    }

    /// A record of `station` with the given id, signed now.
    pub fn record(&mut self, station: &str, id: &str) -> Vec<u8> {
        let card = CardData::from_basic4(&self.person);
        let mut st = Statement::new(station, "terms-1", &sha256_hex(TERMS.as_bytes()), &card, None);
        st.enrollment_id = id.to_string();
        let digest = openssl::sha::sha256(&st.canonical());
        let sig = self
            .card
            .sign(&madoguchi::card::client::sha256_digest_info(&digest))
            .unwrap();
        serde_json::to_vec(&Payload::new(&st, card, None, Some(&sig), Some(&self.cert), None)).unwrap()
    }
}
