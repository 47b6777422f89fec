//! Benchmark for the card face on the station's side: what the card thread does once EF 0002
//! is read (parse, decode the JPEG 2000 photo and a PNG text image) and what drawing the photo
//! writes to the terminal (sixel, kitty, half-blocks), with the bytes each sends. Run by
//! `bench/face.sh`; figures only, no thresholds.
//!
//!     cargo run --release --example bench_face -- [ROUNDS]

use madoguchi::card::face::{encode, CardFace, FaceParts};
use madoguchi::card::vcard::printed::{text_png, PHOTO_JP2};
use madoguchi::picture::{decode, halfblock, kitty, sixel, Cells, Palette};
use std::time::Instant;

/// Where the confirm screen puts the photo at 80x24 (about): 24 columns by 12 rows.
const AT: Cells = Cells {
    col: 52,
    row: 4,
    cols: 24,
    rows: 12,
};

fn time<T>(label: &str, rounds: u32, mut f: impl FnMut() -> T) -> T {
    let mut out = f();
    let start = Instant::now();
    for _ in 0..rounds {
        out = f();
    }
    let per = start.elapsed() / rounds;
    println!("{label:<34} {:>9.3} ms", per.as_secs_f64() * 1e3);
    out
}

fn main() {
    let rounds: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let name = text_png(&["山田 花子"], 2, 4);
    let address = text_png(&["東京都千代田区霞が関二丁目1番2号", "合同庁舎4号館"], 2, 4);
    let code = text_png(&["2285"], 2, 4);
    let key = [0x90u8, 0x03, 0x01, 0x00, 0x01];
    let parts = FaceParts {
        birth_yyyymmdd: b"19800217",
        sex: b'1',
        card_key: &key,
        name_png: &name,
        address_png: &address,
        photo_jp2: PHOTO_JP2,
        expiry_yyyymmdd: b"20350217",
        security_code_png: &code,
    };
    let ef = encode(&parts, &[0xA5; 256]);
    println!(
        "EF 0002: {} bytes (photo {} bytes, name {} + address {} bytes of PNG)",
        ef.len(),
        PHOTO_JP2.len(),
        name.len(),
        address.len()
    );
    println!("{rounds} rounds each, time per round:");
    time("parse EF 0002", rounds, || CardFace::parse(ef.clone()).unwrap());
    let photo = time("decode the photo (JPEG 2000)", rounds, || {
        decode::photo(PHOTO_JP2).unwrap()
    });
    time("decode the address image (PNG)", rounds, || {
        decode::text_png(&address).unwrap()
    });
    println!("photo: {}x{} grey pixels", photo.width(), photo.height());
    let s = time("sixel, 16 greys, 8x16 px cells", rounds, || {
        sixel::draw(&photo, AT, (8, 16), sixel::GREYS)
    });
    let k = time("kitty, 8x16 px cells", rounds, || kitty::draw(&photo, AT, 1));
    let h = time("half-blocks, 256 greys", rounds, || {
        halfblock::draw(&photo, AT, Palette::Grey256)
    });
    println!(
        "bytes to the terminal: sixel {}, kitty {}, half-blocks {}",
        s.len(),
        k.len(),
        h.len()
    );
}
