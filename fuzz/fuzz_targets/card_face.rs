#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| madoguchi::fuzz_targets::card_face(data));
