//! What the virtual card's face prints, as the card stores it: text as 1-bit PNGs (name,
//! address, security code, and the My Number image of EF 0005 that the station never reads)
//! and the synthetic photo.
//!
//! The text is drawn at run time with a 5×7 bitmap font of digits, A–Z and `-` (the classic
//! dot-matrix shapes); full-width digits and letters are drawn as their ASCII forms. Kanji and
//! kana have no glyphs here: each becomes a pattern of dots made from its code point, a
//! stand-in of a character's size that is the same for the same character. A clerk comparing
//! the demo card's name image with EF 02 sees its shape, not its text: the virtual card makes
//! no claim to print Japanese.
//!
//! The photo is `art/face.jp2`, a geometric drawing made by `art/face.py` (never a person).

/// The synthetic photo: 378×472, 8-bit grey, JPEG 2000 in a JP2 container, 1,992 bytes.
pub const PHOTO_JP2: &[u8] = include_bytes!("art/face.jp2");

/// Rows of a 5-pixel-wide glyph, bit 4 leftmost.
type Glyph = [u8; 7];

fn glyph(c: char) -> Option<Glyph> {
    let c = match c as u32 {
        // Full-width digits and letters, and the dashes addresses use.
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => char::from_u32(c as u32 - 0xFEE0)?,
        0xFF0D | 0x2212 | 0x2010..=0x2015 | 0x30FC => '-',
        _ => c,
    };
    Some(match c.to_ascii_uppercase() {
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        ' ' | '\u{3000}' => [0; 7],
        _ => return None,
    })
}

/// A stand-in for a character without a glyph: dots from its code point (about half set),
/// framed top and bottom so it reads as one character.
fn stand_in(c: char) -> Glyph {
    let mut h = (c as u32).wrapping_mul(0x9E37_79B9) ^ 0x5BD1_E995;
    let mut g = [0u8; 7];
    g[0] = 0x1F;
    g[6] = 0x1F;
    for row in g.iter_mut().take(6).skip(1) {
        h = h.rotate_left(5).wrapping_mul(0x2754_2A6F) ^ (c as u32);
        *row = (h >> 11) as u8 & 0x1F;
    }
    g
}

/// Draws `lines` at `scale` (each font pixel a `scale`×`scale` square), in a frame of `pad`
/// pixels, as a 1-bit greyscale PNG: black text on white, as the card's images.
pub fn text_png(lines: &[&str], scale: u32, pad: u32) -> Vec<u8> {
    let cols = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0).max(1) as u32;
    let (cw, ch) = (6 * scale, 9 * scale);
    let (w, h) = (
        cols * cw - scale + 2 * pad,
        lines.len().max(1) as u32 * ch - 2 * scale + 2 * pad,
    );
    let stride = w.div_ceil(8) as usize;
    // White everywhere (1 = white in 1-bit grey), then black dots.
    let mut bits = vec![0xFFu8; stride * h as usize];
    for (row, line) in lines.iter().enumerate() {
        for (col, c) in line.chars().enumerate() {
            let g = glyph(c).unwrap_or_else(|| stand_in(c));
            for (gy, bitsrow) in g.iter().enumerate() {
                for gx in 0..5 {
                    if bitsrow & (0x10 >> gx) == 0 {
                        continue;
                    }
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let x = pad + col as u32 * cw + gx * scale + dx;
                            let y = pad + row as u32 * ch + gy as u32 * scale + dy;
                            bits[y as usize * stride + x as usize / 8] &= !(0x80 >> (x % 8));
                        }
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::One);
    let mut writer = enc.write_header().expect("PNG header into a Vec");
    writer.write_image_data(&bits).expect("PNG data into a Vec");
    writer.finish().expect("PNG end into a Vec");
    out
}

/// The address in lines of at most `width` characters, as a card face wraps it.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(width.max(1)).map(|c| c.iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut d = png::Decoder::new(std::io::Cursor::new(png));
        d.set_transformations(png::Transformations::EXPAND);
        let mut r = d.read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        assert_eq!(
            (info.color_type, info.bit_depth),
            (png::ColorType::Grayscale, png::BitDepth::Eight)
        );
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn the_security_code_is_as_small_as_the_cards() {
        // 24×12 on a real card (docs/card.md): four glyphs at scale 1 with a 2-pixel frame.
        let (w, h, px) = decode(&text_png(&["2285"], 1, 2));
        assert_eq!((w, h), (27, 11));
        // The "1" of another code differs from the "2" here: the digits are drawn.
        let (_, _, other) = decode(&text_png(&["1285"], 1, 2));
        assert_ne!(px, other);
        assert!(px.iter().all(|&v| v == 0 || v == 255));
        assert!(px.iter().filter(|&&v| v == 0).count() > 30);
    }

    #[test]
    fn full_width_forms_print_as_ascii_and_kanji_as_stand_ins() {
        assert_eq!(text_png(&["１－１"], 2, 4), text_png(&["1-1"], 2, 4));
        assert_eq!(text_png(&["山田"], 2, 4), text_png(&["山田"], 2, 4));
        assert_ne!(text_png(&["山田"], 2, 4), text_png(&["田山"], 2, 4));
        let (w, h, _) = decode(&text_png(&["山田　太郎"], 3, 6));
        assert_eq!((w, h), (5 * 18 - 3 + 12, 27 - 6 + 12));
    }

    #[test]
    fn the_photo_is_the_committed_drawing() {
        assert_eq!(PHOTO_JP2.len(), 1992);
        assert_eq!(&PHOTO_JP2[4..8], b"jP  ");
    }

    #[test]
    fn addresses_wrap() {
        assert_eq!(
            wrap("東京都千代田区千代田１－１", 6),
            ["東京都千代田", "区千代田１－", "１"]
        );
    }
}
