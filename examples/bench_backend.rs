//! Backend benchmark (run by `bench/backend.sh`): enqueue latency (synced) and records/s;
//! drain of N queued, card-signed records to the reference receiver on loopback (delivery
//! throughput = receiver verify+store requests/s, sequential as the station sends them).
//!
//!     cargo run --release --example bench_backend -- [ENQUEUE_N=2000] [DRAIN_N=10000]

use madoguchi::app::StationBackend;
use madoguchi::backend::delivery::{self, DeliveryConfig};
use madoguchi::backend::outbox::Outbox;
use madoguchi::backend::receiver::{self, ReceiverConfig};
use madoguchi::backend::station::StationStore;
use madoguchi::card::client::sha256_digest_info;
use madoguchi::card::files::Ef;
use madoguchi::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
use madoguchi::card::MyNumberCard;
use madoguchi::secret::{Pin, SignPassword};
use openssl::pkey::PKey;
use std::time::{Duration, Instant};

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let enqueue_n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let drain_n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("madoguchi-bench-backend-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pki = TestPki::generate().unwrap();
    let profile = Profile::named("yamada").unwrap();
    let seal = PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
    let public = PKey::public_key_from_pem(&seal.public_key_to_pem().unwrap()).unwrap();

    // One real card session gives a person, certificate and a signing key to reuse.
    let mut c = MyNumberCard::new(VirtualCard::new(&profile, &pki).unwrap());
    c.verify(Pin::new(b"1234").unwrap().secret()).unwrap();
    let person = c.read_basic_four().unwrap();
    c.verify(SignPassword::new(b"ABC123").unwrap().secret()).unwrap();
    let cert = c.read_certificate(Ef::SignCert).unwrap();

    let rx = receiver::spawn(
        "127.0.0.1:0",
        ReceiverConfig {
            db: dir.join("receiver.sqlite3"),
            trust_ca: vec![pki.sign_ca.cert.clone()],
            crl: None,
            seal_key: Some(seal),
        },
        None,
    )
    .unwrap();
    let store = StationStore::open(
        dir.join("outbox.sqlite3"),
        1_000_000,
        "bench",
        "t",
        "terms",
        Some(public),
        None,
    )
    .unwrap();
    let mut sign_and_store = |timed: &mut Vec<Duration>| {
        let prepared = store.prepare(&person, &Default::default()).unwrap();
        let sig = c
            .sign(&sha256_digest_info(&openssl::sha::sha256(&prepared.statement)))
            .unwrap();
        let record = store.finish(prepared, &cert, &sig, &person).unwrap();
        let t = Instant::now();
        store.store_signed(record).unwrap();
        timed.push(t.elapsed());
    };
    let mut lat = Vec::with_capacity(enqueue_n);
    let t = Instant::now();
    for _ in 0..enqueue_n {
        sign_and_store(&mut lat);
    }
    let total = t.elapsed();
    let store_time: Duration = lat.iter().sum();
    println!(
        "enqueue (sealed, synced): p50 {:.2} ms, p99 {:.2} ms, {:.0} records/s ({} records; with card signing {:.0}/s)",
        pct(&mut lat, 0.5),
        pct(&mut lat, 0.99),
        enqueue_n as f64 / store_time.as_secs_f64(),
        enqueue_n,
        enqueue_n as f64 / total.as_secs_f64()
    );
    let mut ignore = Vec::new();
    for _ in enqueue_n..drain_n {
        sign_and_store(&mut ignore);
    }
    let cfg = DeliveryConfig::new(&rx.url(false));
    let client = delivery::client(&cfg).unwrap();
    let mut outbox = Outbox::open(&dir.join("outbox.sqlite3"), 1_000_000).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let t = Instant::now();
    let (ok, review, retry) = rt
        .block_on(delivery::flush(&mut outbox, &client, &cfg, &|_, _| {}))
        .unwrap();
    let drain = t.elapsed();
    println!(
        "drain {} queued records to the receiver (open seal, verify chain + signature + SAN, store): {:.1} s = {:.0} records/s (ok {ok}, review {review}, retry {retry})",
        drain_n.max(enqueue_n),
        drain.as_secs_f64(),
        ok as f64 / drain.as_secs_f64()
    );
    println!(
        "receiver accepted: {}",
        receiver::accepted_count(&dir.join("receiver.sqlite3")).unwrap()
    );
    drop(rx);
    let _ = std::fs::remove_dir_all(&dir);
}
