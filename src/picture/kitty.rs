//! Kitty's graphics protocol, direct placement: the picture as an 8-bit grey PNG, base64 in
//! chunks of 4096, transmitted and shown at the cursor in one go (`a=T`) under an image id of
//! ours, scaled by the terminal into whole cells; `a=d,d=I` with that id deletes it, data and
//! all (kitty keeps an image until it is deleted, whatever is drawn over it). Responses are
//! switched off (`q=2`): nothing comes back to read.

use super::{Bounded, Cells, Grey};
use base64::Engine;
use std::io::Write;
use zeroize::Zeroizing;

/// Base64 characters per escape sequence (the protocol's limit).
const CHUNK: usize = 4096;

/// Pixels sent per cell at most (a cell is about twice as tall as wide): more would only be
/// scaled away by the terminal.
const PX_PER_CELL: (u32, u32) = (12, 24);

/// The escape string that draws `img` at the top left of `at`, in as many whole cells as its
/// proportions allow, under image id `id`.
pub fn draw(img: &Grey, at: Cells, id: u32) -> Zeroizing<Vec<u8>> {
    // Cells are taken as twice as tall as wide (the usual font) for the proportions.
    let (cols, rows) = img.fit(at.cols as u32, at.rows as u32, 2.0);
    let (w, h) = img.fit(cols * PX_PER_CELL.0, rows * PX_PER_CELL.1, 1.0);
    let small = img.scaled(w, h);
    let png = grey_png(&small);
    drop(small);
    let b64_len = png.len().div_ceil(3) * 4;
    let chunks = b64_len.div_ceil(CHUNK).max(1);
    let mut b64 = Zeroizing::new(vec![0u8; b64_len]);
    let n = base64::engine::general_purpose::STANDARD
        .encode_slice(&png[..], &mut b64[..])
        .expect("sized for the encoding");
    drop(png);
    let mut s = Bounded::with_capacity(64 + b64_len + chunks * 32);
    s.push(b"\x1b7\x1b[");
    s.num(at.row as usize + 1);
    s.push(b";");
    s.num(at.col as usize + 1);
    s.push(b"H");
    for (i, chunk) in b64[..n].chunks(CHUNK).enumerate() {
        s.push(b"\x1b_G");
        if i == 0 {
            // Transmit and display a PNG, quietly, in cols × rows cells, cursor not moved.
            s.push(b"a=T,f=100,q=2,C=1,i=");
            s.num(id as usize);
            s.push(b",c=");
            s.num(cols as usize);
            s.push(b",r=");
            s.num(rows as usize);
            s.push(b",");
        }
        s.push(if i + 1 < chunks { b"m=1;" } else { b"m=0;" });
        s.push(chunk);
        s.push(b"\x1b\\");
    }
    s.push(b"\x1b8");
    s.into_inner()
}

/// Deletes image `id`: its placements and its data.
pub fn delete(id: u32) -> Vec<u8> {
    format!("\x1b_Ga=d,d=I,i={id},q=2\x1b\\").into_bytes()
}

/// A sink that never grows past its capacity (the PNG encoder writes in pieces).
struct Sink(Bounded, usize);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.1 + buf.len() > self.0 .0.capacity() {
            return Err(std::io::Error::other("PNG larger than its bound"));
        }
        self.0.push(buf);
        self.1 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `img` as an 8-bit grey PNG in a zeroizing buffer sized once: raw rows plus deflate's
/// worst case (stored blocks) and the chunks' overhead.
fn grey_png(img: &Grey) -> Zeroizing<Vec<u8>> {
    let raw = (img.width() as usize + 1) * img.height() as usize;
    let bound = raw + raw / 1000 * 8 + 4096;
    let mut sink = Sink(Bounded::with_capacity(bound), 0);
    {
        let mut enc = png::Encoder::new(&mut sink, img.width(), img.height());
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("PNG header within bound");
        w.write_image_data(img.pixels()).expect("PNG data within bound");
        w.finish().expect("PNG end within bound");
    }
    sink.0.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo_like() -> Grey {
        let px: Vec<u8> = (0..378 * 472).map(|i| (i * 13 % 251) as u8).collect();
        Grey::new(378, 472, Zeroizing::new(px))
    }

    #[test]
    fn the_picture_goes_in_chunks_under_its_id_and_is_deleted_by_it() {
        let at = Cells {
            col: 0,
            row: 1,
            cols: 20,
            rows: 12,
        };
        let s = draw(&photo_like(), at, 42);
        let text = std::str::from_utf8(&s).unwrap();
        assert!(
            text.starts_with("\x1b7\x1b[2;1H\x1b_Ga=T,f=100,q=2,C=1,i=42,c=19,r=12,m="),
            "{}",
            &text[..60]
        );
        let chunks: Vec<&str> = text.split("\x1b_G").skip(1).collect();
        assert!(chunks.len() > 1, "noise does not compress: several chunks");
        assert!(chunks[..chunks.len() - 1].iter().skip(1).all(|c| c.starts_with("m=1;")));
        assert!(chunks.last().unwrap().starts_with("m=0;") && text.ends_with("\x1b\\\x1b8"));
        // The payload is the PNG of the scaled picture.
        let b64: String = chunks
            .iter()
            .map(|c| c.split(';').nth(1).unwrap().split('\x1b').next().unwrap())
            .collect();
        let png = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
        let d = png::Decoder::new(std::io::Cursor::new(&png[..])).read_info().unwrap();
        // 19×12 cells of at most 12×24 pixels, the photo's proportions.
        assert_eq!(d.info().size(), (19 * 12, 284));
        assert_eq!(delete(42), b"\x1b_Ga=d,d=I,i=42,q=2\x1b\\");
    }
}
