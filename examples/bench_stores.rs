//! Receiver storage benchmark (issue #11): STATIONS concurrent stations on loopback, each
//! bound by mTLS and delivering N records one after another, against: SQLite with one
//! receiver, PostgreSQL with one receiver, PostgreSQL with two receivers (each record to one
//! of them at random). Records are signed by virtual cards issued the J-LIS way (made before
//! the clock starts), so every request is verified in full — chain, validity, signature, card
//! data against the certificate — and then stored. Prints records/s, per-request p50/p99,
//! and the CPU used by this process (receivers + clients), by PostgreSQL and by the whole
//! machine, to tell what limits the rate. PostgreSQL is a private cluster per run
//! (`tests/support/pg.rs`, fsync on, as the default server).
//!
//!     cargo run --release --example bench_stores -- [N=300] [STATIONS=8] [unsigned]
//!
//! `unsigned` sends unsigned records instead (cheap to verify: the store alone).

#[path = "../tests/support/mod.rs"]
mod support;
use support::pg;
use support::records::{unsigned_record, Signer};

use madoguchi::backend::delivery::{self, DeliveryConfig, Outcome};
use madoguchi::backend::receiver::{LoopbackTls, ReceiverConfig, ReceiverHandle, TlsConfig};
use madoguchi::backend::store::StoreLocation;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn receiver(
    db: &StoreLocation,
    tls: &[LoopbackTls],
    client_ca: &Path,
    trust: &[openssl::x509::X509],
) -> ReceiverHandle {
    support::receiver::spawn(
        ReceiverConfig {
            db: db.clone(),
            allow_unsigned: true,
            trust_ca: trust.to_vec(),
            ..Default::default()
        },
        Some(TlsConfig {
            cert: tls[0].server_cert.clone(),
            key: tls[0].server_key.clone(),
            client_ca: Some(client_ca.to_path_buf()),
            client_crl: Vec::new(),
        }),
    )
}

/// (user+system CPU seconds of this process, busy CPU seconds of the machine)
fn cpu() -> (f64, f64) {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let me = ru.ru_utime.tv_sec as f64
        + ru.ru_utime.tv_usec as f64 / 1e6
        + ru.ru_stime.tv_sec as f64
        + ru.ru_stime.tv_usec as f64 / 1e6;
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let tick = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    // user nice system idle iowait irq softirq steal
    let busy = f
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, v)| v)
        .sum::<f64>();
    (me, busy / tick)
}

fn pct(v: &[Duration], p: f64) -> f64 {
    v[((v.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0
}

/// Each station's records: (id, body).
type Records = Vec<Vec<(String, Vec<u8>)>>;

fn run(label: &str, rxs: &[ReceiverHandle], tls: &[LoopbackTls], records: &Records, pg: Option<&pg::PgCluster>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let clients: Vec<Vec<Arc<(reqwest::Client, DeliveryConfig)>>> = (0..tls.len())
        .map(|i| {
            rxs.iter()
                .map(|rx| {
                    let cfg = DeliveryConfig {
                        ca_file: Some(tls[0].ca.clone()),
                        client_cert: Some(tls[i].client_cert.clone()),
                        client_key: Some(tls[i].client_key.clone()),
                        ..DeliveryConfig::new(&rx.url(true))
                    };
                    Arc::new((delivery::client(&cfg).unwrap(), cfg))
                })
                .collect()
        })
        .collect();
    let (cpu0, busy0) = cpu();
    let pg0 = pg.map_or(0.0, |c| c.cpu_seconds());
    let started = Instant::now();
    let mut lat: Vec<Duration> = rt.block_on(async {
        let mut tasks = Vec::new();
        for (i, mine) in clients.into_iter().enumerate() {
            let records = records[i].clone();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(records.len());
                let mut seed = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                for (id, body) in records {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let c = &mine[(seed % mine.len() as u64) as usize];
                    let t = Instant::now();
                    match delivery::deliver(&c.0, &c.1, &id, &body).await {
                        Outcome::Delivered => {}
                        o => panic!("{o:?}"),
                    }
                    lat.push(t.elapsed());
                }
                lat
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    let wall = started.elapsed().as_secs_f64();
    let (cpu1, busy1) = cpu();
    let pg1 = pg.map_or(0.0, |c| c.cpu_seconds());
    lat.sort();
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get()) as f64;
    println!(
        "{label:<28} {:>6.0} records/s  p50 {:>5.1} ms  p99 {:>5.1} ms  | CPU of {cores} cores: receivers+stations {:>3.0}%, postgres {:>3.0}%, machine busy {:>3.0}%",
        lat.len() as f64 / wall,
        pct(&lat, 0.50),
        pct(&lat, 0.99),
        100.0 * (cpu1 - cpu0) / wall / cores,
        100.0 * (pg1 - pg0) / wall / cores,
        100.0 * (busy1 - busy0) / wall / cores,
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);
    let stations: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(8).max(1);
    let signed = args.next().as_deref() != Some("unsigned");
    let dir: PathBuf = std::env::temp_dir().join(format!("madoguchi-bench-stores-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tls: Vec<LoopbackTls> = (0..stations)
        .map(|i| LoopbackTls::create(&dir.join(format!("s{i}")), &format!("station-{i}")).unwrap())
        .collect();
    let mut cas = Vec::new();
    for t in &tls {
        cas.extend(std::fs::read(&t.ca).unwrap());
    }
    let client_ca = dir.join("client-cas.pem");
    std::fs::write(&client_ca, cas).unwrap();
    // The records, made before any clock starts (a card signs each: ~2 ms apiece).
    let pki = madoguchi::card::vcard::pki::TestPki::generate().unwrap();
    let trust = vec![pki.sign_ca.cert.clone()];
    let made = Instant::now();
    let records: Records = (0..stations)
        .map(|i| {
            let station = format!("station-{i}");
            let mut signer = signed.then(|| Signer::new(&pki, ["yamada", "sato-kyuushi", "takahashi-jiro"][i % 3]));
            (0..n)
                .map(|k| {
                    let id = format!("{i}-{k}-{}", uuid::Uuid::now_v7());
                    let body = match &mut signer {
                        Some(s) => s.record(&station, &id),
                        None => unsigned_record(&station, &id),
                    };
                    (id, body)
                })
                .collect()
        })
        .collect();
    println!(
        "{stations} stations × {n} {} records each, mTLS on loopback ({:.1} s to make them)",
        if signed { "signed" } else { "unsigned" },
        made.elapsed().as_secs_f64()
    );

    let sqlite = StoreLocation::Sqlite(dir.join("receiver.sqlite3"));
    {
        let rx = receiver(&sqlite, &tls, &client_ca, &trust);
        run("SQLite, one receiver", std::slice::from_ref(&rx), &tls, &records, None);
    }
    // A cluster per run: the same records go into an empty database each time.
    for (label, receivers) in [("PostgreSQL, one receiver", 1), ("PostgreSQL, two receivers", 2)] {
        match pg::PgCluster::start("bench") {
            Ok(cluster) => {
                let db = cluster.location();
                let rxs: Vec<ReceiverHandle> = (0..receivers)
                    .map(|_| receiver(&db, &tls, &client_ca, &trust))
                    .collect();
                run(label, &rxs, &tls, &records, Some(&cluster));
            }
            Err(e) => println!("{label}: SKIPPED: {e}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
