//! The card face's images into grey pixels: the photo (JPEG 2000 in a JP2 container, through
//! `hayro-jpeg2000`) and the 1-bit PNGs (name, address, security code, through `png`).
//!
//! Hostile input is the rule here (a forged chip writes what it likes), so before anything big
//! is allocated the header's dimensions are checked against a cap, and the output buffer is
//! ours, sized once and zeroizing. The decoders' own working memory (JPEG 2000 coefficients,
//! PNG rows and inflate window) is not ours to wipe: it is dropped as soon as the pixels are
//! out (README, "Security").

use super::Grey;
use zeroize::Zeroizing;

/// The photo's largest side: the card's is 378×472.
pub const MAX_PHOTO_SIDE: u32 = 1024;
/// The text images' largest sides (a name line is a few hundred pixels wide, an address a
/// few lines high).
pub const MAX_TEXT_WIDTH: u32 = 2048;
pub const MAX_TEXT_HEIGHT: u32 = 1024;
/// What the PNG decoder may allocate for itself (rows, chunks); the output is counted apart.
const PNG_DECODER_BYTES: usize = 256 * 1024;

/// Why an image was not decoded. Carries sizes at most, never pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not an image of the expected format")]
    Format,
    #[error("image of {width}x{height} pixels is larger than allowed")]
    TooLarge { width: u32, height: u32 },
    #[error("not a greyscale image")]
    NotGrey,
    #[error("the image data is broken or cut short")]
    Broken,
}

/// JP2 signature box (`jP  ` with its length and magic): the card's photo always has it.
const JP2_SIGNATURE: [u8; 12] = [0, 0, 0, 0x0C, b'j', b'P', b' ', b' ', 0x0D, 0x0A, 0x87, 0x0A];

/// The card's photo: a greyscale 8-bit JPEG 2000 in a JP2 container, each side at most
/// [`MAX_PHOTO_SIDE`]. Strict decoding: a truncated or inconsistent file is an error, not a
/// partial picture.
pub fn photo(jp2: &[u8]) -> Result<Grey, DecodeError> {
    use hayro_jpeg2000::{ColorSpace, DecodeSettings, DecoderContext, Image};
    if !jp2.starts_with(&JP2_SIGNATURE) {
        return Err(DecodeError::Format);
    }
    let settings = DecodeSettings {
        strict: true,
        ..DecodeSettings::default()
    };
    // The decoder is young; should it panic on some input, the station shows no photo
    // rather than going down (the fuzz target still sees the panic).
    let decoded = std::panic::catch_unwind(|| -> Result<Grey, DecodeError> {
        let img = Image::new(jp2, &settings).map_err(|_| DecodeError::Format)?;
        let (width, height) = (img.width(), img.height());
        if width == 0 || height == 0 || width > MAX_PHOTO_SIDE || height > MAX_PHOTO_SIDE {
            return Err(DecodeError::TooLarge { width, height });
        }
        if !matches!(img.color_space(), ColorSpace::Gray) || img.has_alpha() || img.original_bit_depth() != 8 {
            return Err(DecodeError::NotGrey);
        }
        let mut ctx = DecoderContext::default();
        let out = img.decode(&mut ctx).map_err(|_| DecodeError::Broken)?;
        let n = width as usize * height as usize;
        if out.components().len() != 1 || out.components()[0].samples().len() != n {
            return Err(DecodeError::Broken);
        }
        let mut px = Zeroizing::new(vec![0u8; n]);
        out.store_u8_into(&mut px);
        Ok(Grey::new(width, height, px))
    });
    decoded.unwrap_or(Err(DecodeError::Broken))
}

/// A card face text image: a greyscale PNG (1-bit on the card; 2, 4 or 8 bits accepted),
/// within [`MAX_TEXT_WIDTH`]×[`MAX_TEXT_HEIGHT`], as 8-bit grey (a 1-bit image gives 0 and
/// 255). The first frame only.
pub fn text_png(png_bytes: &[u8]) -> Result<Grey, DecodeError> {
    let mut dec = png::Decoder::new_with_limits(
        std::io::Cursor::new(png_bytes),
        png::Limits {
            bytes: PNG_DECODER_BYTES,
        },
    );
    dec.set_transformations(png::Transformations::EXPAND);
    let mut reader = dec.read_info().map_err(|_| DecodeError::Format)?;
    let (width, height) = reader.info().size();
    if width == 0 || height == 0 || width > MAX_TEXT_WIDTH || height > MAX_TEXT_HEIGHT {
        return Err(DecodeError::TooLarge { width, height });
    }
    if reader.output_color_type() != (png::ColorType::Grayscale, png::BitDepth::Eight) {
        return Err(DecodeError::NotGrey);
    }
    let n = width as usize * height as usize;
    if reader.output_buffer_size() != Some(n) {
        return Err(DecodeError::Broken);
    }
    let mut px = Zeroizing::new(vec![0u8; n]);
    let frame = reader.next_frame(&mut px).map_err(|_| DecodeError::Broken)?;
    if frame.buffer_size() != n {
        return Err(DecodeError::Broken);
    }
    Ok(Grey::new(width, height, px))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::vcard::printed::{text_png as draw_text, PHOTO_JP2};

    #[test]
    fn the_synthetic_photo_decodes_to_its_drawing() {
        let g = photo(PHOTO_JP2).unwrap();
        assert_eq!((g.width(), g.height()), (378, 472));
        let px = g.pixels();
        // art/face.py: background 215 - 25·y/H at the top left, hair 45, the eyes' whites
        // 245 with dark pupils 30. A lossy decoder: a few grey levels of slack.
        let at = |x: usize, y: usize| px[y * 378 + x] as i32;
        assert!((at(5, 5) - 215).abs() <= 6, "{}", at(5, 5));
        assert!((at(189, 100) - 45).abs() <= 10, "{}", at(189, 100));
        assert!(at(148, 215) < 90, "a pupil: {}", at(148, 215));
        assert!((at(189, 470) - 70).abs() <= 10, "shoulders: {}", at(189, 470));
        let mean = px.iter().map(|&v| v as u64).sum::<u64>() / px.len() as u64;
        assert!((130..=190).contains(&mean), "{mean}");
    }

    #[test]
    fn a_one_bit_png_decodes_to_black_and_white() {
        let g = text_png(&draw_text(&["2285"], 1, 2)).unwrap();
        assert_eq!((g.width(), g.height()), (27, 11));
        assert!(g.pixels().iter().all(|&v| v == 0 || v == 255));
        assert!(g.pixels().contains(&0) && g.pixels().contains(&255));
    }

    #[test]
    fn the_photo_is_refused_when_it_is_not_the_cards_kind() {
        assert_eq!(photo(b"").unwrap_err(), DecodeError::Format);
        assert_eq!(photo(&PHOTO_JP2[..11]).unwrap_err(), DecodeError::Format);
        // A raw codestream without the JP2 box: not what a card writes.
        let c = PHOTO_JP2
            .windows(4)
            .position(|w| w == [0xFF, 0x4F, 0xFF, 0x51])
            .unwrap();
        assert_eq!(photo(&PHOTO_JP2[c..]).unwrap_err(), DecodeError::Format);
        // A PNG where the photo belongs.
        assert_eq!(photo(&draw_text(&["1"], 1, 1)).unwrap_err(), DecodeError::Format);
        assert_eq!(text_png(PHOTO_JP2).unwrap_err(), DecodeError::Format);
    }
}
