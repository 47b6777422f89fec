//! Benchmark for the reader monitor (run by `bench/monitor.sh`): idle CPU of
//! `madoguchi diagnose --watch` and the time from a card entering vpcd to the event line.
//!
//!     cargo run --release --example bench_monitor -- target/release/madoguchi [IDLE_SECS] [CYCLES]

use madoguchi::card::vcard::{pki::TestPki, profile::Profile, vpcd, VirtualCard};
use std::io::{BufRead, BufReader};
use std::net::{Shutdown, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the ")" of the command name: utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let bin = args.next().unwrap_or_else(|| "target/release/madoguchi".into());
    let idle_secs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let cycles: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);

    let mut watch = Command::new(&bin)
        .args(["diagnose", "--watch", "--json", "--no-probe"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start diagnose --watch");
    let pid = watch.id();
    let (tx, lines) = mpsc::channel::<(Instant, String)>();
    let out = watch.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send((Instant::now(), l));
        }
    });
    let wait_for = |what: &str| -> Instant {
        loop {
            let (t, l) = lines.recv_timeout(Duration::from_secs(20)).expect("event in time");
            if l.contains(what) && l.contains("Virtual PCD 00 00") {
                return t;
            }
        }
    };
    wait_for("reader_added");

    let t0 = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(idle_secs));
    let ticks = cpu_ticks(pid) - t0;
    // Linux USER_HZ is 100.
    let pct = ticks as f64 / 100.0 / idle_secs as f64 * 100.0;
    println!("idle CPU of diagnose --watch over {idle_secs} s: {ticks} ticks = {pct:.3} % of one core");

    let pki = TestPki::generate().unwrap();
    let profile = Profile::named("yamada").unwrap();
    let mut ins = Vec::new();
    let mut rem = Vec::new();
    for _ in 0..cycles {
        let mut card = VirtualCard::new(&profile, &pki).unwrap();
        let start = Instant::now();
        let stream = TcpStream::connect(("127.0.0.1", vpcd::DEFAULT_PORT)).expect("vpcd");
        let pull = stream.try_clone().unwrap();
        let server = std::thread::spawn(move || {
            let _ = vpcd::serve_stream(&mut card, stream, &vpcd::BridgeOptions::default());
        });
        ins.push(wait_for("card_inserted").duration_since(start));
        let pulled = Instant::now();
        let _ = pull.shutdown(Shutdown::Both);
        rem.push(wait_for("card_removed").duration_since(pulled));
        let _ = server.join();
    }
    let _ = watch.kill();
    let _ = watch.wait();
    for (name, mut v) in [("insertion -> card_inserted", ins), ("removal -> card_removed", rem)] {
        v.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name}: median {:.1} ms, max {:.1} ms over {} cycles",
            ms(v[v.len() / 2]),
            ms(*v.last().unwrap()),
            v.len()
        );
    }
}
