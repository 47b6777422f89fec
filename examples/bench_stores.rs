//! Receiver storage benchmark (issue #11): STATIONS concurrent stations on loopback, each
//! bound by mTLS and delivering N unsigned records one after another (cheap to verify, so the
//! store is what is measured), against: SQLite with one receiver, PostgreSQL with one
//! receiver, PostgreSQL with two receivers (each record to one of them at random). Prints
//! records/s, per-request p50/p99, and the CPU used by this process (receivers + clients) and
//! by the whole machine, to tell what limits the rate. PostgreSQL is a private cluster
//! (`tests/support/pg.rs`, fsync on, as the default server).
//!
//!     cargo run --release --example bench_stores -- [N=300] [STATIONS=8]

#[path = "../tests/support/pg.rs"]
mod pg;
#[path = "../tests/support/records.rs"]
mod records;
use records::unsigned_record;

use madoguchi::backend::delivery::{self, DeliveryConfig, Outcome};
use madoguchi::backend::receiver::{self, LoopbackTls, ReceiverConfig, ReceiverHandle, TlsConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn receiver(db: &Path, tls: &[LoopbackTls], client_ca: &Path) -> ReceiverHandle {
    receiver::spawn(
        "127.0.0.1:0",
        ReceiverConfig {
            db: db.to_path_buf(),
            allow_unsigned: true,
            ..Default::default()
        },
        Some(TlsConfig {
            cert: tls[0].server_cert.clone(),
            key: tls[0].server_key.clone(),
            client_ca: Some(client_ca.to_path_buf()),
        }),
    )
    .unwrap()
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

fn run(label: &str, rxs: &[ReceiverHandle], tls: &[LoopbackTls], n: usize, pg: Option<&pg::PgCluster>) {
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
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(n);
                let mut seed = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                for k in 0..n {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let c = &mine[(seed % mine.len() as u64) as usize];
                    let id = format!("{i}-{k}-{}", uuid::Uuid::now_v7());
                    let body = unsigned_record(&format!("station-{i}"), &id);
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
    println!("{stations} stations × {n} records each, mTLS on loopback");

    let sqlite = dir.join("receiver.sqlite3");
    {
        let rx = receiver(&sqlite, &tls, &client_ca);
        run("SQLite, one receiver", std::slice::from_ref(&rx), &tls, n, None);
    }
    match pg::PgCluster::start("bench") {
        Ok(cluster) => {
            let db = PathBuf::from(&cluster.url);
            {
                let rx = receiver(&db, &tls, &client_ca);
                run(
                    "PostgreSQL, one receiver",
                    std::slice::from_ref(&rx),
                    &tls,
                    n,
                    Some(&cluster),
                );
            }
            let rxs = [receiver(&db, &tls, &client_ca), receiver(&db, &tls, &client_ca)];
            run("PostgreSQL, two receivers", &rxs, &tls, n, Some(&cluster));
        }
        Err(e) => println!("PostgreSQL: SKIPPED: {e}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
