//! Grey half-blocks: two pixels a cell (`▀`, its foreground the upper pixel, its background
//! the lower), in the palette's greys, never `RGB`: the 24 greys of the 256-colour palette
//! (with black and white), or the four greys of the 16 ANSI colours. A monochrome theme has no
//! greys; there nothing is drawn ([`super::Method::Nothing`]). At 20 cells wide a face is a
//! silhouette, good for "a photo is there", not for comparing a face.

use super::{Bounded, Cells, Grey, Palette};
use zeroize::Zeroizing;

/// The palette index nearest to grey `v`: 16 (black), 232–255, 231 (white) in the 256-colour
/// palette; 0 (black), 8 (dark grey), 7 (light grey), 15 (white) in the ANSI 16.
pub fn grey_index(v: u8, palette: Palette) -> u8 {
    match palette {
        Palette::Grey256 => match v {
            0..=3 => 16,
            247..=255 => 231,
            // 232 + i is 8 + 10·i.
            v => 232 + ((v as u16).saturating_sub(3) / 10).min(23) as u8,
        },
        Palette::Ansi16 | Palette::Mono => [0, 8, 7, 15][(v as usize * 4 / 256).min(3)],
    }
}

/// SGR parameters for `index` as foreground (`fg`) or background.
fn sgr(s: &mut Bounded, index: u8, fg: bool, palette: Palette) {
    match palette {
        Palette::Grey256 => {
            s.push(if fg { b"38;5;" } else { b"48;5;" });
            s.num(index as usize);
        }
        Palette::Ansi16 | Palette::Mono => {
            let base = match (fg, index >= 8) {
                (true, false) => 30,
                (true, true) => 90,
                (false, false) => 40,
                (false, true) => 100,
            };
            s.num(base + (index % 8) as usize);
        }
    }
}

/// The escape string that draws `img` at the top left of `at` in half-blocks, proportions
/// kept (a half-cell is about square), attributes reset at the end, cursor restored.
pub fn draw(img: &Grey, at: Cells, palette: Palette) -> Zeroizing<Vec<u8>> {
    if palette == Palette::Mono {
        return Zeroizing::new(Vec::new());
    }
    let (w, h) = img.fit(at.cols as u32, at.rows as u32 * 2, 1.0);
    let small = img.scaled(w, h);
    let (w, h) = (w as usize, h as usize);
    let rows = h.div_ceil(2);
    // Per cell at most two SGRs of `38;5;nnn`, separators, and `▀` (3 bytes).
    let mut s = Bounded::with_capacity(16 + rows * (16 + w * 28));
    s.push(b"\x1b7");
    for r in 0..rows {
        s.push(b"\x1b[");
        s.num(at.row as usize + r + 1);
        s.push(b";");
        s.num(at.col as usize + 1);
        s.push(b"H");
        let mut last = None;
        for x in 0..w {
            let top = grey_index(small.pixels()[2 * r * w + x], palette);
            // An odd last row: its lower half takes the upper's grey.
            let bottom = small
                .pixels()
                .get((2 * r + 1) * w + x)
                .map_or(top, |&v| grey_index(v, palette));
            if last != Some((top, bottom)) {
                s.push(b"\x1b[");
                sgr(&mut s, top, true, palette);
                s.push(b";");
                sgr(&mut s, bottom, false, palette);
                s.push(b"m");
                last = Some((top, bottom));
            }
            s.push("▀".as_bytes());
        }
        s.push(b"\x1b[0m");
    }
    s.push(b"\x1b8");
    s.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greys_map_to_palette_greys_only() {
        assert_eq!(grey_index(0, Palette::Grey256), 16);
        assert_eq!(grey_index(255, Palette::Grey256), 231);
        assert_eq!(grey_index(8, Palette::Grey256), 232);
        assert_eq!(grey_index(128, Palette::Grey256), 244);
        assert_eq!(grey_index(238, Palette::Grey256), 255);
        for v in 0..=255u8 {
            let i = grey_index(v, Palette::Grey256);
            assert!(i == 16 || i == 231 || (232..=255).contains(&i), "{v} → {i}");
            assert!([0, 8, 7, 15].contains(&grey_index(v, Palette::Ansi16)));
        }
    }

    #[test]
    fn two_pixels_a_cell_in_palette_colours_and_nothing_in_monochrome() {
        // 2×4: black over white in column 0, white over black in column 1.
        let g = Grey::new(2, 4, Zeroizing::new(vec![0, 255, 255, 0, 0, 255, 255, 0]));
        let at = Cells {
            col: 4,
            row: 0,
            cols: 2,
            rows: 2,
        };
        let s = String::from_utf8(draw(&g, at, Palette::Grey256).to_vec()).unwrap();
        assert_eq!(
            s,
            "\x1b7\x1b[1;5H\x1b[38;5;16;48;5;231m▀\x1b[38;5;231;48;5;16m▀\x1b[0m\
             \x1b[2;5H\x1b[38;5;16;48;5;231m▀\x1b[38;5;231;48;5;16m▀\x1b[0m\x1b8"
        );
        let s = String::from_utf8(draw(&g, at, Palette::Ansi16).to_vec()).unwrap();
        assert!(s.contains("\x1b[30;107m▀\x1b[97;40m▀"), "{s:?}");
        assert!(!s.contains("38;2") && !s.contains("48;2"), "never RGB");
        assert!(draw(&g, at, Palette::Mono).is_empty());
    }
}
