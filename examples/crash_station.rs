//! Crash-safety helper for `tests/backend_crash.rs` (not a user tool).
//!
//!   crash_station DIR URL enqueue   store records and deliver them in the background, printing
//!                                   "CONFIRMED <id>" after each store returned (= 完了 shown),
//!                                   until killed
//!   crash_station DIR URL drain     deliver everything pending, then exit
//!
//! With DIR/tls (receiver::LoopbackTls) it delivers over mTLS as station "crash": the records
//! are unsigned, which the receiver takes only from a bound station.

use madoguchi::backend::delivery::{self, DeliveryConfig};
use madoguchi::backend::outbox::Outbox;
use madoguchi::backend::station::StationStore;
use madoguchi::card::basic4;
use madoguchi::seam::StationBackend;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (dir, url, mode) = (PathBuf::from(&args[1]), args[2].clone(), args[3].as_str());
    let outbox = dir.join("outbox.sqlite3");
    let tls = dir.join("tls");
    let file = |name: &str| Some(tls.join(name)).filter(|p| p.exists());
    let cfg = DeliveryConfig {
        backoff_base: Duration::from_millis(50),
        backoff_cap: Duration::from_millis(200),
        ca_file: file("ca.pem"),
        client_cert: file("station.pem"),
        client_key: file("station.key"),
        ..DeliveryConfig::new(&url)
    };
    match mode {
        "enqueue" => {
            // Records that prove no card: the crash test needs no card (the operator's switch on).
            let store = StationStore::open(outbox, 1_000_000, "crash", "t", "terms", None, Some(cfg))
                .expect("store")
                .with_allow_unauthenticated(true);
            store.start_delivery(Box::new(|_, _| {}));
            let person =
                basic4::decode(&basic4::encode("試験\u{3000}太郎", "東京都", "19800217", b'1', false)).unwrap();
            let mut out = std::io::stdout();
            loop {
                let id = store
                    .store_unauthenticated(&person, &Default::default())
                    .expect("store");
                let _ = writeln!(out, "CONFIRMED {id}");
                let _ = out.flush();
                std::thread::sleep(Duration::from_millis(3));
            }
        }
        _ => {
            let mut o = Outbox::open(&outbox, 1_000_000).expect("outbox");
            let client = delivery::client(&cfg).expect("client");
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            for _ in 0..200 {
                o.make_all_due().unwrap();
                rt.block_on(delivery::flush(&mut o, &client, &cfg, &|_, _| {})).unwrap();
                if o.stats().unwrap().pending == 0 {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            std::process::exit(1);
        }
    }
}
