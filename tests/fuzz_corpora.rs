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
