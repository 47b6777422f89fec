//! Every committed fuzz corpus file (`fuzz/corpus/<target>/`) and every saved crash
//! (`fuzz/regressions/<target>/`) replayed through the same target body the fuzzer runs
//! (`madoguchi::fuzz_targets`), on stable, in an ordinary `cargo test`.

use std::path::Path;

fn replay(target: &str, f: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.') {
                f(&std::fs::read(&p).unwrap());
                n += 1;
            }
        }
    }
    assert!(n > 0, "no corpus for {target}: run `cargo run --example fuzz_seeds`");
}

#[test]
fn ef02() {
    replay("ef02", madoguchi::fuzz_targets::ef02);
}

#[test]
fn card_answers() {
    replay("card_answers", madoguchi::fuzz_targets::card_answers);
}

#[test]
fn card_face() {
    replay("card_face", madoguchi::fuzz_targets::card_face);
}

#[test]
fn san() {
    replay("san", madoguchi::fuzz_targets::san);
}

#[test]
fn sealed() {
    replay("sealed", madoguchi::fuzz_targets::sealed);
}

#[test]
fn jwe() {
    replay("jwe", madoguchi::fuzz_targets::jwe);
}

#[test]
fn receiver() {
    replay("receiver", madoguchi::fuzz_targets::receiver);
}

#[test]
fn carry() {
    replay("carry", madoguchi::fuzz_targets::carry);
}

/// The receiver's seeds are records it accepts: the fuzzer starts past every check.
#[test]
fn receiver_seeds_reach_acceptance() {
    use madoguchi::backend::receiver::{fuzz_check, ReceiverConfig};
    let (seal, ca) = madoguchi::fuzz_targets::fixture();
    let mut keys = madoguchi::backend::jwe::KeySet::default();
    keys.add(seal.clone()).unwrap();
    let cfg = ReceiverConfig {
        trust_ca: vec![ca],
        seal_keys: vec![seal],
        allow_unsigned: true,
        ..Default::default()
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/receiver");
    for (name, bound, want) in [
        ("jwe.json", None, 200),
        ("plain.json", None, 200),
        ("plain-unsigned.json", Some("counter-01"), 200),
    ] {
        let data = std::fs::read(dir.join(name)).unwrap();
        let body = &data[1..];
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        let key = v["enrollment_id"].as_str().unwrap();
        assert_eq!(fuzz_check(&cfg, &keys, key, bound, body), want, "{name}");
    }
}
