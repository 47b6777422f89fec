//! The card face on hostile bytes (issue #24): a forged chip writes what it likes into EF 0002,
//! so the parser and the image decoders must refuse with a clear error, and in bounded memory,
//! a truncated photo, a PNG that declares a huge canvas, an oversized DF 27 and a JPEG 2000
//! whose header declares 60000×60000. Memory is measured by this binary's allocator: the
//! largest single allocation and the bytes allocated by the thread doing the work; anything
//! over 256 MiB is refused outright (the process aborts: a test that fails, not a machine that
//! swaps).

use madoguchi::card::face::{self, CardFace, CardFaceError, FaceParts, MAX_PHOTO};
use madoguchi::card::vcard::printed::{text_png, PHOTO_JP2};
use madoguchi::picture::decode::{self, DecodeError};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use zeroize::Zeroizing;

struct Counting;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static TOTAL: Cell<usize> = const { Cell::new(0) };
}

/// Past this a single allocation is refused (the process aborts).
const REFUSE: usize = 256 << 20;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > REFUSE {
            return std::ptr::null_mut();
        }
        let _ = LARGEST.try_with(|l| l.set(l.get().max(layout.size())));
        let _ = TOTAL.try_with(|t| t.set(t.get() + layout.size()));
        // SAFETY: forwarded as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result with (largest allocation, bytes allocated) on this thread.
fn measured<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    LARGEST.with(|l| l.set(0));
    TOTAL.with(|t| t.set(0));
    let r = f();
    (r, LARGEST.with(Cell::get), TOTAL.with(Cell::get))
}

const MIB: usize = 1 << 20;

fn parts<'a>(photo: &'a [u8], name: &'a [u8]) -> FaceParts<'a> {
    FaceParts {
        birth_yyyymmdd: b"19800217",
        sex: b'1',
        card_key: &[0x90, 0x01, 0x03, 0x91, 0x01, 0x05],
        name_png: name,
        address_png: name,
        photo_jp2: photo,
        expiry_yyyymmdd: b"20350217",
        security_code_png: name,
    }
}

/// `crc32` of PNG chunks (ISO 3309), to patch a header.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

/// A real 1-bit PNG whose IHDR now declares `w × h` (its CRC fixed): a decoder that trusted
/// the header would allocate for the declared canvas.
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut png = text_png(&["2285"], 4, 4);
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// The synthetic photo with its JP2 header (`ihdr`) and codestream header (SIZ) saying
/// 60000×60000.
fn jp2_declaring_huge() -> Vec<u8> {
    let mut j = PHOTO_JP2.to_vec();
    let ihdr = j.windows(4).position(|w| w == b"ihdr").unwrap() + 4;
    j[ihdr..ihdr + 4].copy_from_slice(&60000u32.to_be_bytes());
    j[ihdr + 4..ihdr + 8].copy_from_slice(&60000u32.to_be_bytes());
    // SIZ: FF 51, Lsiz, Rsiz, then Xsiz and Ysiz.
    let siz = j.windows(2).position(|w| w == [0xFF, 0x51]).unwrap() + 6;
    j[siz..siz + 4].copy_from_slice(&60000u32.to_be_bytes());
    j[siz + 4..siz + 8].copy_from_slice(&60000u32.to_be_bytes());
    j
}

#[test]
fn a_truncated_photo_is_an_error_not_a_partial_picture() {
    for cut in [300, 1000, PHOTO_JP2.len() - 1] {
        let (r, largest, total) = measured(|| decode::photo(&PHOTO_JP2[..cut]));
        assert!(
            matches!(r, Err(DecodeError::Format | DecodeError::Broken)),
            "cut at {cut}: {r:?}"
        );
        assert!(
            largest < 4 * MIB && total < 32 * MIB,
            "cut at {cut}: {largest} / {total}"
        );
    }
    // The whole photo, for scale: 378×472 grey is 178 KB of pixels.
    let (r, largest, total) = measured(|| decode::photo(PHOTO_JP2));
    let g = r.unwrap();
    assert_eq!((g.width(), g.height()), (378, 472));
    assert!(largest < 4 * MIB && total < 32 * MIB, "{largest} / {total}");
}

#[test]
fn a_jpeg2000_header_declaring_60000_squared_is_refused_before_decoding() {
    let (r, largest, total) = measured(|| decode::photo(&jp2_declaring_huge()));
    assert_eq!(
        r.unwrap_err(),
        DecodeError::TooLarge {
            width: 60000,
            height: 60000
        }
    );
    assert!(largest < MIB && total < 4 * MIB, "{largest} / {total}");
}

#[test]
fn a_png_bomb_is_refused_at_its_header() {
    for (w, h) in [(30000, 30000), (16384, 16384), (2049, 8), (8, 1025), (0, 10)] {
        let bomb = png_declaring(w, h);
        assert!(bomb.len() < 1024, "a small file");
        let (r, largest, total) = measured(|| decode::text_png(&bomb));
        assert!(
            matches!(r, Err(DecodeError::TooLarge { .. } | DecodeError::Format)),
            "{w}x{h}: {r:?}"
        );
        assert!(largest < MIB && total < 2 * MIB, "{w}x{h}: {largest} / {total}");
    }
    // Within the cap but its data cut short: an error, the buffer no bigger than the canvas.
    let (r, largest, _) = measured(|| decode::text_png(&png_declaring(2048, 1024)));
    assert_eq!(r.unwrap_err(), DecodeError::Broken);
    assert!(largest <= 2048 * 1024 + 64 * 1024, "{largest}");
    // A colour PNG where a 1-bit grey one belongs.
    let mut rgb = Vec::new();
    {
        let mut e = png::Encoder::new(&mut rgb, 4, 4);
        e.set_color(png::ColorType::Rgb);
        e.write_header().unwrap().write_image_data(&[9; 48]).unwrap();
    }
    assert_eq!(decode::text_png(&rgb).unwrap_err(), DecodeError::NotGrey);
}

#[test]
fn an_oversized_photo_field_is_refused_by_the_parser() {
    let name = text_png(&["X"], 1, 1);
    let big = vec![0x5A; MAX_PHOTO + 1];
    let raw = face::encode(&parts(&big, &name), &[1; 256]);
    let (r, largest, _) = measured(|| CardFace::parse(Zeroizing::new(raw.to_vec())));
    assert_eq!(
        r.unwrap_err(),
        CardFaceError::Length {
            tag: face::DF_PHOTO,
            len: MAX_PHOTO + 1,
            min: 1,
            max: MAX_PHOTO
        }
    );
    // The parser copies nothing: the one allocation is the buffer handed to it.
    assert!(largest <= raw.len() + 1024, "{largest}");
    // The photo field claiming more bytes than the file holds.
    let ok = face::encode(&parts(PHOTO_JP2, &name), &[1; 256]).to_vec();
    let at = ok.windows(2).position(|w| w == [0xDF, 0x27]).unwrap();
    let mut lying = ok.clone();
    lying[at + 3..at + 5].copy_from_slice(&0x7FFFu16.to_be_bytes());
    assert!(matches!(
        CardFace::parse(Zeroizing::new(lying)).unwrap_err(),
        CardFaceError::Tlv(_)
    ));
}

/// Every cut of a real card face and every single-bit change of its structure: an error or
/// a face, never a panic; the images of any face that parses decode or fail cleanly (the
/// photo's own mutations are the fuzz target's: `fuzz_targets::card_face`).
#[test]
fn every_cut_and_flip_of_a_card_face_is_handled() {
    let name = text_png(&["山田 TARO"], 2, 4);
    let raw = face::encode(&parts(PHOTO_JP2, &name), &[1; 256]).to_vec();
    assert!(CardFace::parse(Zeroizing::new(raw.clone())).is_ok());
    for cut in 0..raw.len() {
        assert!(
            CardFace::parse(Zeroizing::new(raw[..cut].to_vec())).is_err(),
            "cut {cut}"
        );
    }
    // The headers and the first bytes of every field, flipped bit by bit.
    let mut positions: Vec<usize> = (0..64).collect();
    let mut i = 5 + 21;
    while i + 5 < raw.len() {
        positions.extend(i..i + 8);
        let len = u16::from_be_bytes([raw[i + 3], raw[i + 4]]) as usize;
        i += 5 + len;
    }
    for &p in &positions {
        for bit in 0..8 {
            let mut m = raw.clone();
            m[p] ^= 1 << bit;
            if let Ok(f) = CardFace::parse(Zeroizing::new(m)) {
                let _ = decode::text_png(f.name_png());
            }
        }
    }
}
