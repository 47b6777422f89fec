//! Backend benchmark (run by `bench/backend.sh`): enqueue latency (synced) and records/s;
//! drain of N queued, card-signed records to the reference receiver on loopback (delivery
//! throughput = receiver verify+store requests/s, sequential as the station sends them); then
//! CONCURRENT_N more sealed, signed records POSTed by CLIENTS concurrent clients (as many
//! stations delivering at once): receiver records/s and per-request p50/p99.
//!
//!     cargo run --release --example bench_backend -- [ENQUEUE_N=2000] [DRAIN_N=10000] [CONCURRENT_N=2000] [CLIENTS=8]

use madoguchi::backend::delivery::{self, DeliveryConfig};
use madoguchi::backend::outbox::Outbox;
use madoguchi::backend::receiver::{self, ReceiverConfig};
use madoguchi::backend::station::StationStore;
use madoguchi::card::client::sha256_digest_info;
use madoguchi::card::client::MyNumberCard;
use madoguchi::card::files::Ef;
use madoguchi::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
use madoguchi::seam::StationBackend;
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
    let concurrent_n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let clients: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(8).max(1);
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
            db: dir.join("receiver.sqlite3").into(),
            trust_ca: vec![pki.sign_ca.cert.clone()],
            crl: None,
            seal_keys: vec![seal],
            ..Default::default()
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

    // Concurrent clients: fresh records, each POSTed once by one of `clients` workers.
    let mut ignore = Vec::new();
    for _ in 0..concurrent_n {
        sign_and_store(&mut ignore);
    }
    let bodies: Vec<(String, Vec<u8>)> = outbox
        .undelivered()
        .unwrap()
        .into_iter()
        .map(|(e, body)| (e.id, body))
        .collect();
    let bodies = std::sync::Arc::new(bodies);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let t = Instant::now();
    let (mut lat, ok) = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..clients {
            let (bodies, next, cfg) = (bodies.clone(), next.clone(), cfg.clone());
            let client = delivery::client(&cfg).unwrap();
            set.spawn(async move {
                let mut lat = Vec::new();
                let mut ok = 0usize;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((id, body)) = bodies.get(i) else { break };
                    let t = Instant::now();
                    if delivery::deliver(&client, &cfg, id, body).await == delivery::Outcome::Delivered {
                        ok += 1;
                    }
                    lat.push(t.elapsed());
                }
                (lat, ok)
            });
        }
        let (mut lat, mut ok) = (Vec::new(), 0);
        while let Some(r) = set.join_next().await {
            let (l, o) = r.unwrap();
            lat.extend(l);
            ok += o;
        }
        (lat, ok)
    });
    let wall = t.elapsed();
    if !lat.is_empty() {
        println!(
            "concurrent: {} records, {clients} clients: {:.0} records/s, p50 {:.2} ms, p99 {:.2} ms (ok {ok})",
            lat.len(),
            ok as f64 / wall.as_secs_f64(),
            pct(&mut lat, 0.5),
            pct(&mut lat, 0.99),
        );
    }
    println!(
        "receiver accepted: {}",
        receiver::accepted_count(&dir.join("receiver.sqlite3")).unwrap()
    );
    drop(rx);
    let _ = std::fs::remove_dir_all(&dir);
}
