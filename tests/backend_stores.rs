//! The receiver's storage, run against both stores: SQLite (a file) and PostgreSQL (a private
//! cluster from `support/pg.rs`). Each scenario is one function taking the store location; the
//! `both_stores!` macro (support/pg.rs) makes a `sqlite` and a `postgres` test of it. Stations are bound by mTLS and
//! send unsigned records (cheap to verify), so the database is what is exercised.

mod support;

use madoguchi::backend::delivery::{self, DeliveryConfig, Outcome};
use madoguchi::backend::receiver::{self, LoopbackTls, ReceiverConfig, ReceiverHandle, TlsConfig};
use madoguchi::backend::store::{self, StoreLocation};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use support::pg::{both_stores, PgCluster};
use support::receiver_bin;
use support::records::{self, unsigned_record};
use support::tmp;

/// Stations `station-0..n`, each with a client certificate of its own CA; the receiver
/// trusts all those CAs and presents the server certificate of station-0's CA.
struct Stations {
    tls: Vec<LoopbackTls>,
    client_ca: PathBuf,
}

impl Stations {
    fn new(dir: &Path, n: usize) -> Stations {
        let tls: Vec<LoopbackTls> = (0..n)
            .map(|i| LoopbackTls::create(&dir.join(format!("s{i}")), &format!("station-{i}")).unwrap())
            .collect();
        let mut cas = Vec::new();
        for t in &tls {
            cas.extend(std::fs::read(&t.ca).unwrap());
        }
        let client_ca = dir.join("client-cas.pem");
        std::fs::write(&client_ca, cas).unwrap();
        Stations { tls, client_ca }
    }

    fn receiver(&self, db: &StoreLocation) -> ReceiverHandle {
        support::receiver::spawn(
            ReceiverConfig {
                db: db.clone(),
                allow_unsigned: true,
                ..Default::default()
            },
            Some(TlsConfig {
                cert: self.tls[0].server_cert.clone(),
                key: self.tls[0].server_key.clone(),
                client_ca: Some(self.client_ca.clone()),
                client_crl: Vec::new(),
            }),
        )
    }

    /// Station `i`'s delivery to `rx`.
    fn client(&self, i: usize, rx: &ReceiverHandle) -> (reqwest::Client, DeliveryConfig) {
        self.client_to(i, &rx.url(true))
    }

    /// `madoguchi receive` as a process with the same TLS and station bindings.
    fn receiver_process(&self, db: &StoreLocation) -> receiver_bin::ReceiverBin {
        self.receiver_process_with(db, &[])
    }

    /// `receiver_process` with more flags.
    fn receiver_process_with(&self, db: &StoreLocation, more: &[&str]) -> receiver_bin::ReceiverBin {
        let more = more.iter().map(std::ffi::OsStr::new);
        receiver_bin::ReceiverBin::start(
            &[
                "--db".as_ref(),
                db.as_os_str(),
                "--trust-ca".as_ref(),
                self.tls[0].ca.as_os_str(),
                "--no-crl".as_ref(),
                "--tls-cert".as_ref(),
                self.tls[0].server_cert.as_os_str(),
                "--tls-key".as_ref(),
                self.tls[0].server_key.as_os_str(),
                "--client-ca".as_ref(),
                self.client_ca.as_os_str(),
                "--allow-unsigned".as_ref(),
                "--request-log".as_ref(),
                "off".as_ref(),
            ]
            .into_iter()
            .chain(more)
            .collect::<Vec<&std::ffi::OsStr>>(),
        )
    }

    fn client_to(&self, i: usize, url: &str) -> (reqwest::Client, DeliveryConfig) {
        let url = url.replace("http://", "https://");
        let cfg = DeliveryConfig {
            ca_file: Some(self.tls[0].ca.clone()),
            client_cert: Some(self.tls[i].client_cert.clone()),
            client_key: Some(self.tls[i].client_key.clone()),
            ..DeliveryConfig::new(&url)
        };
        (delivery::client(&cfg).unwrap(), cfg)
    }
}

/// Delivers until the receiver acknowledges (retrying what the station retries, bounded);
/// returns the retried answers' details.
async fn deliver_retrying(client: &reqwest::Client, cfg: &DeliveryConfig, id: &str, body: &[u8]) -> Vec<String> {
    let mut retried = Vec::new();
    for _ in 0..600 {
        match delivery::deliver(client, cfg, id, body).await {
            Outcome::Delivered => return retried,
            Outcome::Retry { detail, .. } => {
                retried.push(detail);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Outcome::Permanent { detail, .. } => panic!("{id}: permanent {detail}"),
        }
    }
    panic!("{id}: not delivered after 600 tries: {:?}", retried.last());
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Keys are per station; the same body gets the same answer, another body under the key a
/// 422 that is not stored; the operator list names ids and results, no personal data.
fn idempotency_per_station_key(dir: &Path, db: &StoreLocation) {
    let stations = Stations::new(dir, 2);
    let rx = stations.receiver(db);
    let rt = runtime();
    let (c0, cfg0) = stations.client(0, &rx);
    let (c1, cfg1) = stations.client(1, &rx);
    let id = uuid::Uuid::now_v7().to_string();
    let r0 = unsigned_record("station-0", &id);
    let r1 = unsigned_record("station-1", &id);
    rt.block_on(async {
        assert!(matches!(
            delivery::deliver(&c0, &cfg0, &id, &r0).await,
            Outcome::Delivered
        ));
        assert!(
            matches!(delivery::deliver(&c0, &cfg0, &id, &r0).await, Outcome::Delivered),
            "replayed"
        );
        assert!(
            matches!(delivery::deliver(&c1, &cfg1, &id, &r1).await, Outcome::Delivered),
            "other station"
        );
        // The same JSON written differently (spacing, key order) is the same body…
        let mut spaced = r0.clone();
        spaced.push(b' ');
        assert!(
            matches!(delivery::deliver(&c0, &cfg0, &id, &spaced).await, Outcome::Delivered),
            "same JSON, same answer"
        );
        // …another JSON is not.
        let mut other: serde_json::Value = serde_json::from_slice(&r0).unwrap();
        other["contact_email"] = "someone@example.org".into();
        let other = serde_json::to_vec(&other).unwrap();
        match delivery::deliver(&c0, &cfg0, &id, &other).await {
            Outcome::Permanent { detail, .. } => assert_eq!(detail, "HTTP 422 INVALID_REQUEST"),
            o => panic!("{o:?}"),
        }
        // The same on another receiver sharing the database: the key is the database's.
        let rx2 = stations.receiver(db);
        let (c2, cfg2) = stations.client(0, &rx2);
        match delivery::deliver(&c2, &cfg2, &id, &other).await {
            Outcome::Permanent { detail, .. } => {
                assert_eq!(detail, "HTTP 422 INVALID_REQUEST", "on the other receiver")
            }
            o => panic!("{o:?}"),
        }
        assert!(
            matches!(delivery::deliver(&c2, &cfg2, &id, &r0).await, Outcome::Delivered),
            "the first body is the stored one there too"
        );
        tokio::task::spawn_blocking(move || drop(rx2)).await.unwrap();
    });
    drop(rx);
    assert_eq!(receiver::accepted_count(db).unwrap(), 2);
    assert_eq!(receiver::accepted_payloads(db).unwrap().len(), 2);
    let all = store::with_store(db, |s| s.list(false)).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all
        .iter()
        .all(|l| l.status == 200 && l.result == "OK" && l.idempotency_key == id));
    assert!(store::with_store(db, |s| s.list(true)).unwrap().is_empty());
    let listed = serde_json::to_string(&all).unwrap();
    assert!(!listed.contains("吉野") && !listed.contains("千代田"), "{listed}");
    // The operator's list: ids, time, status, result.
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi"))
            .args(["receive", "list", "--db"])
            .arg(db)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let text = cli(&[]);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.lines().all(|l| l.contains(&id) && l.ends_with("\t200\tOK\t")),
        "{text}"
    );
    assert!(text.contains("station-0\t") && text.contains("station-1\t"), "{text}");
    assert!(!text.contains("吉野"), "{text}");
    let json = cli(&["--json"]);
    let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(first["result"], "OK");
    assert_eq!(cli(&["--status", "review"]), "");
}
both_stores!(idempotency_per_station_key);

/// A station id the stores would keep differently (PostgreSQL text refuses NUL, SQLite takes
/// it) or an operator could be fooled by (control characters) is refused alike: 400, nothing
/// stored, never a 500 that stations would retry for ever.
fn odd_station_ids_are_refused_alike(_dir: &Path, db: &StoreLocation) {
    let rx = support::receiver::spawn(
        ReceiverConfig {
            db: db.clone(),
            ..Default::default()
        },
        None,
    );
    for (n, station) in ["a\u{0}b", "line\nbreak", "\u{1b}[2J"].into_iter().enumerate() {
        let key = format!("odd-{n}");
        let (status, _, answer) = records::post_record(&rx.url(false), &key, &unsigned_record(station, &key));
        assert_eq!(status, 400, "{station:?}: {answer}");
        assert_eq!(answer["result"], "INVALID_REQUEST", "{answer}");
    }
    drop(rx);
    assert!(store::with_store(db, |s| s.list(false)).unwrap().is_empty());
}
both_stores!(odd_station_ids_are_refused_alike);

/// Records per station in the two-receiver test (500 by default; MADOGUCHI_STORE_RECORDS).
fn records_per_station() -> usize {
    std::env::var("MADOGUCHI_STORE_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

/// Two receiver processes on one database; 8 stations each send the same records to both, in
/// random order and at once (racing on the unique key), and one try in eight is abandoned
/// mid-way and retried: every record is accepted by both and stored exactly once.
fn two_receivers_eight_stations(dir: &Path, db: &StoreLocation) {
    const STATIONS: usize = 8;
    let n = records_per_station();
    let stations = Stations::new(dir, STATIONS);
    let rx = [stations.receiver_process(db), stations.receiver_process(db)];
    let rt = runtime();
    let started = std::time::Instant::now();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..STATIONS {
            let a = Arc::new(stations.client_to(i, &rx[0].url));
            let b = Arc::new(stations.client_to(i, &rx[1].url));
            tasks.push(tokio::spawn(async move {
                let mut ids: Vec<String> = (0..n)
                    .map(|k| format!("{i:02}-{k:05}-{}", uuid::Uuid::now_v7()))
                    .collect();
                for k in (1..ids.len()).rev() {
                    ids.swap(k, (support::random_u64() % (k as u64 + 1)) as usize);
                }
                let mut lost = 0usize;
                for id in ids {
                    let body = unsigned_record(&format!("station-{i}"), &id);
                    let (first, second) = if support::random_u64().is_multiple_of(2) {
                        (&a, &b)
                    } else {
                        (&b, &a)
                    };
                    if support::random_u64().is_multiple_of(8) {
                        // A lost answer: the station gives up on a try mid-way (the request
                        // may or may not have been stored) and retries, below.
                        let (c, cfg) = if support::random_u64().is_multiple_of(2) {
                            &**first
                        } else {
                            &**second
                        };
                        let wait = Duration::from_micros(support::random_u64() % 3000);
                        let _ = tokio::time::timeout(wait, delivery::deliver(c, cfg, &id, &body)).await;
                        lost += 1;
                    }
                    let (x, y) = tokio::join!(
                        deliver_retrying(&first.0, &first.1, &id, &body),
                        deliver_retrying(&second.0, &second.1, &id, &body)
                    );
                    assert!(x.is_empty() && y.is_empty(), "{x:?} {y:?}");
                }
                lost
            }));
        }
        let mut lost = 0;
        for t in tasks {
            lost += t.await.unwrap();
        }
        assert!(lost > 0, "some tries were abandoned and retried");
    });
    let took = started.elapsed();
    eprintln!(
        "two receivers, {STATIONS} stations × {n} records, each to both: {:.1} s ({:.0} requests/s)",
        took.as_secs_f64(),
        (2 * STATIONS * n) as f64 / took.as_secs_f64()
    );
    for mut r in rx {
        assert_eq!(r.stop().and_then(|s| s.code()), Some(0), "a graceful stop");
    }
    assert_eq!(receiver::accepted_count(db).unwrap(), (STATIONS * n) as u64);
    let all = store::with_store(db, |s| s.list(false)).unwrap();
    assert_eq!(all.len(), STATIONS * n, "rows stored");
    for i in 0..STATIONS {
        let mine = all.iter().filter(|l| l.station_id == format!("station-{i}")).count();
        assert_eq!(mine, n, "station-{i}");
    }
}
both_stores!(two_receivers_eight_stations);

/// Two receiver processes on one database; 8 stations send each record to one of them at
/// random. One receiver is killed with SIGKILL mid-stream: the stations' retries land on the
/// other, and every record is stored exactly once (a record whose answer died with the killed
/// receiver is answered again, from the database, by the survivor).
fn sigkill_one_receiver_mid_stream(dir: &Path, db: &StoreLocation) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const STATIONS: usize = 8;
    const PER_STATION: usize = 120;
    let stations = Stations::new(dir, STATIONS);
    let victim = stations.receiver_process(db);
    let survivor = stations.receiver_process(db);
    // A URL whose "listening on" line said http: the processes serve TLS, so the URL is https.
    let urls = [victim.url.clone(), survivor.url.clone()];
    let sent = Arc::new(AtomicUsize::new(0));
    let rt = runtime();
    let (switched, after_kill) = rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..STATIONS {
            let clients = Arc::new([stations.client_to(i, &urls[0]), stations.client_to(i, &urls[1])]);
            let sent = Arc::clone(&sent);
            tasks.push(tokio::spawn(async move {
                let mut switched = 0usize;
                for k in 0..PER_STATION {
                    let id = format!("{i}-{k}-{}", uuid::Uuid::now_v7());
                    let body = unsigned_record(&format!("station-{i}"), &id);
                    let mut at = (support::random_u64() % 2) as usize;
                    for attempt in 0.. {
                        assert!(attempt < 400, "{id} never delivered");
                        let (c, cfg) = &clients[at];
                        match delivery::deliver(c, cfg, &id, &body).await {
                            Outcome::Delivered => break,
                            Outcome::Retry { .. } => {
                                // What a station behind a load balancer sees: the next try
                                // goes to the other address.
                                at = 1 - at;
                                switched += 1;
                                tokio::time::sleep(Duration::from_millis(20)).await;
                            }
                            Outcome::Permanent { detail, .. } => panic!("{id}: {detail}"),
                        }
                    }
                    sent.fetch_add(1, Ordering::SeqCst);
                }
                switched
            }));
        }
        // Mid-stream: a third of the records through.
        while sent.load(Ordering::SeqCst) < STATIONS * PER_STATION / 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        victim.signal(libc::SIGKILL);
        let at_kill = sent.load(Ordering::SeqCst);
        let mut switched = 0;
        for t in tasks {
            switched += t.await.unwrap();
        }
        (switched, STATIONS * PER_STATION - at_kill)
    });
    assert!(
        after_kill >= STATIONS * PER_STATION / 10,
        "killed mid-stream ({after_kill} records after)"
    );
    assert!(
        switched > 0,
        "some stations met the dead receiver and went to the other"
    );
    let all = store::with_store(db, |s| s.list(false)).unwrap();
    assert_eq!(all.len(), STATIONS * PER_STATION, "nothing lost, nothing twice");
    assert!(all.iter().all(|r| r.status == 200), "every record accepted");
    for i in 0..STATIONS {
        let mine = all.iter().filter(|l| l.station_id == format!("station-{i}")).count();
        assert_eq!(mine, PER_STATION, "station-{i}");
    }
    assert_eq!(receiver::accepted_count(db).unwrap(), (STATIONS * PER_STATION) as u64);
    drop(survivor);
}
both_stores!(sigkill_one_receiver_mid_stream);

/// PostgreSQL restarted mid-stream: requests meanwhile get 503 STORE_UNAVAILABLE (JSON), and
/// succeed on retry once it is back, without restarting the receiver.
#[test]
fn postgres_restart_mid_stream_is_503_then_retried() {
    let Some(pg) = PgCluster::own_for_test("restart") else {
        return;
    };
    let dir = tmp("restart");
    let db = pg.location();
    let stations = Stations::new(&dir, 4);
    let rx = stations.receiver(&db);
    let rt = runtime();
    const PER_STATION: usize = 60;
    let pg = Arc::new(pg);
    let retried = rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..4 {
            let c = Arc::new(stations.client(i, &rx));
            tasks.push(tokio::spawn(async move {
                let mut retried = Vec::new();
                for k in 0..PER_STATION {
                    let id = format!("{i}-{k}-{}", uuid::Uuid::now_v7());
                    let body = unsigned_record(&format!("station-{i}"), &id);
                    retried.extend(deliver_retrying(&c.0, &c.1, &id, &body).await);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                retried
            }));
        }
        // Mid-stream: down for a second, then up again.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let p = Arc::clone(&pg);
        tokio::task::spawn_blocking(move || p.pg_stop().unwrap()).await.unwrap();
        // While it is down, an answer is a JSON 503.
        let (c, cfg) = stations.client(0, &rx);
        let resp = c
            .post(cfg.endpoint())
            .header("Idempotency-Key", "down-1")
            .header("content-type", "application/json")
            .body(unsigned_record("station-0", "down-1"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 503);
        assert_eq!(
            resp.headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string()),
            Some("5".into()),
            "a database restart is a matter of seconds"
        );
        let v: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(v["result"], "STORE_UNAVAILABLE", "{v}");
        let get = |path: &str| c.get(format!("{}{path}", rx.url(true))).send();
        let ready = get("/readyz").await.unwrap();
        assert_eq!(ready.status().as_u16(), 503);
        assert_eq!(
            ready.json::<serde_json::Value>().await.unwrap()["result"],
            "STORE_UNAVAILABLE"
        );
        let alive = get("/healthz").await.unwrap();
        assert_eq!(alive.status().as_u16(), 200, "alive while the store is down");
        tokio::time::sleep(Duration::from_millis(700)).await;
        let p = Arc::clone(&pg);
        tokio::task::spawn_blocking(move || p.pg_start().unwrap())
            .await
            .unwrap();
        let again = deliver_retrying(&c, &cfg, "down-1", &unsigned_record("station-0", "down-1")).await;
        assert!(again.is_empty(), "{again:?}");
        let ready = get("/readyz").await.unwrap();
        assert_eq!(ready.status().as_u16(), 200);
        assert_eq!(ready.json::<serde_json::Value>().await.unwrap()["result"], "OK");
        let mut retried = Vec::new();
        for t in tasks {
            retried.extend(t.await.unwrap());
        }
        retried
    });
    assert!(
        retried.iter().any(|d| d == "HTTP 503"),
        "some stream requests met the restart: {retried:?}"
    );
    assert!(retried.iter().all(|d| d == "HTTP 503"), "{retried:?}");
    drop(rx);
    assert_eq!(receiver::accepted_count(&db).unwrap(), (4 * PER_STATION + 1) as u64);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A hung PostgreSQL (issue #20 item 2): the test's own cluster is stopped with SIGSTOP for 20 s
/// mid-stream — its sockets stay open, nothing answers, as with a frozen host. Every POST
/// meanwhile is answered 503 STORE_UNAVAILABLE with Retry-After within the store deadline (two
/// calls of it at most: a lookup, an insert); /healthz on the operations port answers 200 within
/// a second throughout while a load balancer keeps asking /readyz; after SIGCONT the stations'
/// retries deliver every record exactly once.
#[test]
fn postgres_hung_mid_stream_is_503_within_the_deadline_and_liveness_holds() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;
    let Some(pg) = PgCluster::own_for_test("hung") else {
        return;
    };
    let dir = tmp("hung");
    let db = pg.location();
    let pg = Arc::new(pg);
    // Resumed whatever happens (a failed assertion included): a stopped cluster can't stop.
    struct Resume(Arc<PgCluster>);
    impl Drop for Resume {
        fn drop(&mut self) {
            let _ = self.0.signal_all(libc::SIGCONT);
        }
    }
    let _resume = Resume(Arc::clone(&pg));
    let stations = Stations::new(&dir, 4);
    const DEADLINE_SECS: u64 = 2;
    let rx = stations.receiver_process_with(&db, &["--store-timeout", "2", "--ops-listen", "127.0.0.1:0"]);
    let ops = rx
        .wait_line(
            "operations (healthz, readyz, metrics) on http://",
            Duration::from_secs(10),
        )
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    // Longest a POST may take: two store calls at their deadline, and room for a busy machine.
    let bound = Duration::from_secs(2 * DEADLINE_SECS + 3);
    let rt = runtime();
    let (stopped, resumed, done) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    type Answer = (u16, Option<String>, Option<String>, Duration, bool);
    let (answers, health, ids) = rt.block_on(async {
        // Four stations, each sending its next record once the last one is acknowledged, and
        // retrying what was not, until a while after the database is back.
        let mut tasks = Vec::new();
        for i in 0..4 {
            let (c, cfg) = stations.client_to(i, &rx.url);
            let (stopped, resumed, done) = (Arc::clone(&stopped), Arc::clone(&resumed), Arc::clone(&done));
            tasks.push(tokio::spawn(async move {
                let mut answers: Vec<Answer> = Vec::new();
                let mut ids = Vec::new();
                let mut k = 0;
                while !done.load(Ordering::SeqCst) {
                    let id = format!("{i}-{k}-{}", uuid::Uuid::now_v7());
                    let body = unsigned_record(&format!("station-{i}"), &id);
                    loop {
                        let during = stopped.load(Ordering::SeqCst) && !resumed.load(Ordering::SeqCst);
                        let t = Instant::now();
                        let r = c
                            .post(cfg.endpoint())
                            .header("Idempotency-Key", &id)
                            .header("content-type", "application/json")
                            .body(body.clone())
                            .timeout(Duration::from_secs(60))
                            .send()
                            .await
                            .unwrap();
                        let status = r.status().as_u16();
                        let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
                        let v: serde_json::Value = r.json().await.unwrap_or_default();
                        answers.push((
                            status,
                            retry,
                            v["result"].as_str().map(str::to_string),
                            t.elapsed(),
                            during,
                        ));
                        if status == 200 {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    ids.push(id);
                    k += 1;
                }
                (answers, ids)
            }));
        }
        // The operations port: /healthz every 200 ms (1 s to answer), /readyz asked by four
        // pollers without pause.
        let health = {
            let (ops, done) = (ops.clone(), Arc::clone(&done));
            tokio::spawn(async move {
                let c = reqwest::Client::builder()
                    .timeout(Duration::from_secs(1))
                    .build()
                    .unwrap();
                let mut seen = Vec::new();
                while !done.load(Ordering::SeqCst) {
                    let t = Instant::now();
                    let r = c
                        .get(format!("{ops}/healthz"))
                        .send()
                        .await
                        .map(|r| r.status().as_u16());
                    seen.push((r.ok(), t.elapsed()));
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                seen
            })
        };
        for _ in 0..4 {
            let (ops, done) = (ops.clone(), Arc::clone(&done));
            tokio::spawn(async move {
                let c = reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .unwrap();
                while !done.load(Ordering::SeqCst) {
                    let _ = c.get(format!("{ops}/readyz")).send().await;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            });
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let p = Arc::clone(&pg);
        tokio::task::spawn_blocking(move || p.signal_all(libc::SIGSTOP).unwrap())
            .await
            .unwrap();
        stopped.store(true, Ordering::SeqCst);
        // Once the receiver noticed, /readyz says so, at once.
        tokio::time::sleep(Duration::from_secs(DEADLINE_SECS + 2)).await;
        let c = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .build()
            .unwrap();
        let ready = c.get(format!("{ops}/readyz")).send().await.unwrap();
        assert_eq!(ready.status().as_u16(), 503, "/readyz while the database hangs");
        tokio::time::sleep(Duration::from_secs(20 - DEADLINE_SECS - 2)).await;
        let p = Arc::clone(&pg);
        tokio::task::spawn_blocking(move || p.signal_all(libc::SIGCONT).unwrap())
            .await
            .unwrap();
        resumed.store(true, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(3)).await;
        done.store(true, Ordering::SeqCst);
        let (mut answers, mut ids) = (Vec::new(), Vec::new());
        for t in tasks {
            let (a, i) = t.await.unwrap();
            answers.extend(a);
            ids.extend(i);
        }
        (answers, health.await.unwrap(), ids)
    });
    let during: Vec<&Answer> = answers.iter().filter(|a| a.4).collect();
    assert!(
        during.len() > 8,
        "the stations kept asking while it hung: {}",
        during.len()
    );
    for a in &answers {
        assert!(a.3 <= bound, "a POST took {:?} (bound {bound:?}): {a:?}", a.3);
        assert!(
            a.0 == 200 || (a.0 == 503 && a.1.as_deref() == Some("5") && a.2.as_deref() == Some("STORE_UNAVAILABLE")),
            "{a:?}"
        );
    }
    assert!(during.iter().any(|a| a.0 == 503), "{during:?}");
    let slow: Vec<_> = health.iter().filter(|(s, _)| *s != Some(200)).collect();
    assert!(
        health.len() > 50 && slow.is_empty(),
        "/healthz not answered in 1 s: {slow:?} of {}",
        health.len()
    );
    // Every record delivered once: each id in the database, nothing twice.
    let all = store::with_store(&db, |s| s.list(false)).unwrap();
    assert_eq!(all.len(), ids.len(), "one row per record");
    assert!(all.iter().all(|r| r.status == 200));
    for id in &ids {
        assert_eq!(all.iter().filter(|r| &r.idempotency_key == id).count(), 1, "{id}");
    }
    drop(rx);
    let _ = std::fs::remove_dir_all(&dir);
}

/// TLS to PostgreSQL through openssl: `sslmode=require` connects when the server's certificate
/// verifies against the given CA, and is refused (no fallback to plain) when it does not.
#[test]
fn postgres_over_tls_verifies_the_server() {
    let dir = tmp("pg-tls");
    let ours = LoopbackTls::create(&dir.join("ours"), "db").unwrap();
    let other = LoopbackTls::create(&dir.join("other"), "db").unwrap();
    let Some(pg) = (match PgCluster::start_with("tls", Some((&ours.server_cert, &ours.server_key))) {
        Ok(c) => Some(c),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("PostgreSQL with TLS did not start: {e}"),
        Err(e) => {
            eprintln!("SKIPPED: postgres_over_tls_verifies_the_server: {e}");
            None
        }
    }) else {
        return;
    };
    let url = format!("{}?sslmode=require", pg.url);
    let rt = runtime();
    let trusted = store::PgStore::open_with_ca(&url, Some(&ours.ca)).unwrap();
    rt.block_on(async {
        use store::Store;
        trusted.ping().await.unwrap();
        assert_eq!(trusted.accepted_count().await.unwrap(), 0);
    });
    let err = match store::PgStore::open_with_ca(&url, Some(&other.ca)) {
        Ok(_) => panic!("connected with a server certificate of another CA"),
        Err(e) => e,
    };
    assert!(
        err.contains("certificate") || err.contains("tls") || err.contains("TLS"),
        "{err}"
    );
    drop(pg);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Receivers starting together on a fresh database apply each migration once (advisory lock,
/// one transaction), recorded in `schema_version`; a later start applies nothing again.
#[test]
fn postgres_migrations_apply_once_under_concurrent_starts() {
    let Some(pg) = PgCluster::for_test("migrations") else {
        return;
    };
    std::thread::scope(|s| {
        let starts: Vec<_> = (0..4).map(|_| s.spawn(|| store::PgStore::open(&pg.url))).collect();
        for t in starts {
            t.join().unwrap().unwrap();
        }
    });
    store::PgStore::open(&pg.url).unwrap();
    let rt = runtime();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&pg.url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        let versions: Vec<i32> = client
            .query("SELECT version FROM schema_version ORDER BY version", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(versions, [1, 2]);
        let pk: i64 = client
            .query_one(
                "SELECT COUNT(*) FROM information_schema.table_constraints
                 WHERE table_name = 'received' AND constraint_type = 'PRIMARY KEY'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(pk, 1, "idempotency is the database's unique key");
    });
}
