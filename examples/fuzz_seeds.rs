//! Writes seed inputs for the fuzz targets into `fuzz/corpus/<target>/`: EF 02 of every
//! built-in profile, their signing certificates, a virtual card's answers to a whole read and
//! signature and to the card face's 照合番号B and EF 0002 (in the `card_answers` framing), the
//! card faces of two virtual cards with the photo and a text image alone, and sealed envelopes.
//! `cargo run --example fuzz_seeds` (bench/fuzz.sh runs it when a corpus is empty).

use madoguchi::card::apdu::{Command, Response};
use madoguchi::card::files::Ef;
use madoguchi::card::vcard::{pki::TestPki, profile, VirtualCard};
use madoguchi::card::{client::MyNumberCard, Transport, TransportError};
use madoguchi::secret::{Pin, PinB, SignPassword};
use std::path::Path;

/// Records the card's answers in the `len, raw…` framing of `fuzz_targets::card_answers`.
struct Recording {
    card: VirtualCard,
    out: Vec<u8>,
}

impl Transport for Recording {
    fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError> {
        let r = self.card.transmit(cmd)?;
        let mut raw = r.data.to_vec();
        raw.extend_from_slice(&r.sw.to_bytes());
        // The framing holds up to 255 bytes per answer: longer ones are cut (still a seed).
        let n = raw.len().min(255);
        self.out.push(n as u8);
        self.out.extend_from_slice(&raw[..n]);
        Ok(r)
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let pki = TestPki::generate().unwrap();
    for (id, _) in profile::BUILTIN {
        let p = profile::Profile::named(id).unwrap();
        let card = VirtualCard::new(&p, &pki).unwrap();
        if let Some(der) = &card.sign_cert_der {
            write(&root.join("san"), &format!("{id}.der"), der);
        }
        let birth = p.birth().unwrap().yyyymmdd();
        let ef02 = madoguchi::card::basic4::encode(
            &p.card_name(),
            &p.address,
            &birth,
            p.gender.as_bytes()[0],
            p.ef02_long_header,
        );
        write(&root.join("ef02"), &format!("{id}.bin"), &ef02);
        if p.tries.pin == 0 {
            continue;
        }
        let mut c = MyNumberCard::new(Recording { card, out: Vec::new() });
        let _ = c.pin_tries(madoguchi::secret::PinKind::TextPin);
        let _ = c.verify(Pin::new(b"1234").unwrap().secret());
        let _ = c.read_basic_four();
        let _ = c.identify();
        let _ = c.verify(SignPassword::new(b"ABC123").unwrap().secret());
        let _ = c.read_certificate(Ef::SignCert);
        let _ = c.sign(&[0u8; 51]);
        write(
            &root.join("card_answers"),
            &format!("{id}.bin"),
            &c.into_transport().out,
        );
    }
    // The card face: EF 0002 as two virtual cards hold it, the photo alone, whole and cut, a
    // text image; and a card's answers to 照合番号B and the read of EF 0002.
    for id in ["yamada", "takahashi"] {
        let p = profile::Profile::named(id).unwrap();
        let pin_b = PinB::new(p.pin_b().unwrap().as_bytes()).unwrap();
        let mut c = MyNumberCard::new(VirtualCard::new(&p, &pki).unwrap());
        c.verify_pin_b(&pin_b).unwrap();
        let face = c.read_card_face().unwrap();
        write(&root.join("card_face"), &format!("{id}.bin"), face.as_bytes());
        let card = VirtualCard::new(&p, &pki).unwrap();
        let mut c = MyNumberCard::new(Recording { card, out: Vec::new() });
        let _ = c.pin_b_tries();
        let _ = c.verify_pin_b(&pin_b);
        let _ = c.read_card_face();
        write(
            &root.join("card_answers"),
            &format!("face-{id}.bin"),
            &c.into_transport().out,
        );
    }
    use madoguchi::card::vcard::printed::{text_png, PHOTO_JP2};
    write(&root.join("card_face"), "photo.jp2", PHOTO_JP2);
    write(&root.join("card_face"), "photo-cut.jp2", &PHOTO_JP2[..1000]);
    write(&root.join("card_face"), "code.png", &text_png(&["2285"], 1, 2));
    let key = openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
    let public = openssl::pkey::PKey::public_key_from_pem(&key.public_key_to_pem().unwrap()).unwrap();
    let env = madoguchi::backend::seal::seal(&public, "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f", b"{\"a\":1}").unwrap();
    write(
        &root.join("sealed"),
        "envelope.json",
        &serde_json::to_vec(&env).unwrap(),
    );
    write(&root.join("sealed"), "empty.json", b"{}");
    // Hand-carry files: this format, the first release's, a later one, and broken lines.
    let carry = [
        madoguchi::backend::carry::line("01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f", true, br#"{"jwe":"a.b.c.d.e","station_id":"s1","enrollment_id":"01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f","n":[1,2.5,-3e10]}"#, None).unwrap_or_default(),
        r#"{"enrollment_id":"x","sealed":false,"body":{"schema":"madoguchi.enrollment/v1","card":{"name":"山田"}}}"#.to_string(),
        r#"{"format":"madoguchi-carry-2","enrollment_id":"x","sealed":true,"body":{}}"#.to_string(),
        "{\"enrollment_id\":\"\",\"sealed\":1}\n\n{".to_string(),
    ];
    write(&root.join("carry"), "lines.jsonl", carry.join("\n").as_bytes());
    let jwe = madoguchi::backend::jwe::seal(
        &public,
        "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f",
        "counter-01",
        b"{\"a\":1}",
    )
    .unwrap();
    write(&root.join("jwe"), "record.jwe", jwe.as_bytes());
    write(
        &root.join("jwe"),
        "dots.jwe",
        b"e30.AA.AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA",
    );
    // The receiver target: a fixed seal key and the signing CA of a test PKI, kept in
    // fuzz/fixture (test keys only), and real records from the virtual card as seeds.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fixture");
    std::fs::create_dir_all(&fixture).unwrap();
    std::fs::write(fixture.join("seal.key"), key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    std::fs::write(fixture.join("sign-ca.pem"), pki.sign_ca.cert.to_pem().unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("madoguchi-fuzz-seeds-{}", std::process::id()));
    for (name, sealed) in [("jwe", true), ("plain", false)] {
        let _ = std::fs::remove_dir_all(&dir);
        let store = madoguchi::backend::station::StationStore::open(
            dir.join("o.sqlite3"),
            10,
            "counter-01",
            "t",
            "terms",
            sealed.then(|| public.clone()),
            None,
        )
        .unwrap()
        // The seed of a record that proves no card (the operator's switch on).
        .with_allow_unauthenticated(true);
        let p = profile::Profile::named("yamada").unwrap();
        let mut c = MyNumberCard::new(VirtualCard::new(&p, &pki).unwrap());
        c.verify(Pin::new(b"1234").unwrap().secret()).unwrap();
        let person = c.read_basic_four().unwrap();
        c.verify(SignPassword::new(b"ABC123").unwrap().secret()).unwrap();
        let cert = c.read_certificate(Ef::SignCert).unwrap();
        use madoguchi::seam::StationBackend;
        let prepared = store.prepare(&person, &Default::default()).unwrap();
        let sig = c
            .sign(&madoguchi::card::client::sha256_digest_info(&openssl::sha::sha256(
                &prepared.statement,
            )))
            .unwrap();
        let record = store.finish(prepared, &cert, &sig, &person).unwrap();
        let id = store.store_signed(record).unwrap();
        let o = madoguchi::backend::outbox::Outbox::open(&dir.join("o.sqlite3"), 10).unwrap();
        let mut body = o.body(&id).unwrap();
        // The first byte selects the key (0: the id the body names) and the binding (2: mTLS).
        body.insert(0, 0);
        write(&root.join("receiver"), &format!("{name}.json"), &body);
        let unsigned = store.store_unauthenticated(&person, &Default::default()).unwrap();
        let mut ub = o.body(&unsigned).unwrap();
        ub.insert(0, 3);
        write(&root.join("receiver"), &format!("{name}-unsigned.json"), &ub);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("seeds written to {}", root.display());
}
