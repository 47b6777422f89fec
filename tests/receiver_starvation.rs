//! Sockets that connect and say nothing must not starve the stations (issue #23 item 1):
//! 1000 reconnecting idle or half-ClientHello sockets from one loopback address (127.0.0.2)
//! while 8 stations on another (127.0.0.1) deliver over mTLS: every valid POST answered, the
//! 99th percentile under 2 s. Before the admission gate the attackers held every slot for a
//! 10 s handshake timeout each.

mod support;

use madoguchi::backend::delivery::{self, DeliveryConfig, Outcome};
use madoguchi::backend::receiver;
use madoguchi::card::vcard::pki::TestPki;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::records;

const ATTACKERS: usize = 1000;
const STATIONS: usize = 8;
const POSTS_EACH: usize = 6;

/// One attacker socket, for ever: connect from 127.0.0.2, send nothing (or the first bytes
/// of a ClientHello), wait until the receiver closes it, connect again.
async fn attacker(to: std::net::SocketAddr, half_hello: bool, stop: Arc<AtomicBool>, cycles: Arc<AtomicU64>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    while !stop.load(Ordering::Relaxed) {
        let Ok(sock) = tokio::net::TcpSocket::new_v4() else {
            return;
        };
        if sock.bind("127.0.0.2:0".parse().unwrap()).is_err() {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        }
        let Ok(Ok(mut s)) = tokio::time::timeout(Duration::from_secs(5), sock.connect(to)).await else {
            continue;
        };
        if half_hello {
            let _ = s.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00]).await;
        }
        let mut buf = [0u8; 64];
        // Until the receiver closes it (or a minute: never, with the gate).
        let _ = tokio::time::timeout(Duration::from_secs(60), async {
            while let Ok(n) = s.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
        cycles.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn a_thousand_idle_sockets_from_one_address_do_not_starve_eight_stations() {
    let dir = support::tmp("starve");
    let pki = TestPki::generate().unwrap();
    let (tls, rx) = support::receiver::bound(&dir, "s1", dir.join("recv.sqlite3"), &pki.sign_ca.cert);
    let addr = rx.addr;

    // The attackers, on a runtime of their own.
    let stop = Arc::new(AtomicBool::new(false));
    let cycles = Arc::new(AtomicU64::new(0));
    let attack = {
        let (stop, cycles) = (Arc::clone(&stop), Arc::clone(&cycles));
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let tasks: Vec<_> = (0..ATTACKERS)
                    .map(|i| tokio::spawn(attacker(addr, i % 2 == 1, Arc::clone(&stop), Arc::clone(&cycles))))
                    .collect();
                for t in tasks {
                    let _ = t.await;
                }
            });
        })
    };
    // Let them fill what they can.
    std::thread::sleep(Duration::from_secs(2));

    let url = rx.url(true);
    let latencies: Vec<(Outcome, Duration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..STATIONS)
            .map(|k| {
                let (tls, url) = (&tls, &url);
                scope.spawn(move || {
                    let cfg = DeliveryConfig {
                        ca_file: Some(tls.ca.clone()),
                        client_cert: Some(tls.client_cert.clone()),
                        client_key: Some(tls.client_key.clone()),
                        connect_timeout: Duration::from_secs(10),
                        request_timeout: Duration::from_secs(12),
                        ..DeliveryConfig::new(url)
                    };
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    (0..POSTS_EACH)
                        .map(|n| {
                            // A new connection for every record: the door is what is tested.
                            let client = delivery::client(&cfg).unwrap();
                            let id = uuid::Uuid::now_v7().to_string();
                            let body = records::unsigned_record("s1", &id);
                            let t = Instant::now();
                            let o = rt.block_on(delivery::deliver(&client, &cfg, &id, &body));
                            let took = t.elapsed();
                            let _ = (k, n);
                            (o, took)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    stop.store(true, Ordering::Relaxed);
    let refused_meanwhile = cycles.load(Ordering::Relaxed);

    let failed: Vec<_> = latencies.iter().filter(|(o, _)| *o != Outcome::Delivered).collect();
    assert!(
        failed.is_empty(),
        "every valid POST answered: {} of {} not, e.g. {:?}",
        failed.len(),
        latencies.len(),
        failed.first()
    );
    let mut times: Vec<Duration> = latencies.iter().map(|(_, t)| *t).collect();
    times.sort();
    let p99 = times[(times.len() * 99).div_ceil(100) - 1];
    assert!(
        p99 < Duration::from_secs(2),
        "p99 {p99:?} (slowest {:?}, median {:?}); attacker connections closed meanwhile: {refused_meanwhile}",
        times.last().unwrap(),
        times[times.len() / 2]
    );
    // The attackers were really there, turned away over and over.
    assert!(refused_meanwhile > ATTACKERS as u64, "{refused_meanwhile}");
    assert_eq!(
        receiver::accepted_count(&dir.join("recv.sqlite3")).unwrap(),
        (STATIONS * POSTS_EACH) as u64
    );
    drop(rx);
    let _ = attack.join();
    let _ = std::fs::remove_dir_all(&dir);
}
