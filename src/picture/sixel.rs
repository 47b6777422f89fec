//! Greyscale sixel: the picture box-filtered to the pixels of its cells, quantized to a few
//! grey registers (a VT340, and xterm emulating one, has 16), each 6-row band written colour
//! by colour with run-length encoding. No other colours, no dithering: a photo on an ID card is
//! grey to begin with.

use super::{Bounded, Cells, Grey};
use zeroize::Zeroizing;

/// Grey registers used: what a VT340 (`xterm -ti vt340`) has.
pub const GREYS: usize = 16;

/// The escape string that draws `img` at the top left of `at`, scaled to fit `at`'s pixels
/// (`cell_px` each) with its proportions: cursor saved, moved, the sixel, cursor restored.
/// Sixel scrolling is left as the terminal has it; the picture never reaches past its last
/// cell row, so nothing scrolls.
pub fn draw(img: &Grey, at: Cells, cell_px: (u16, u16), greys: usize) -> Zeroizing<Vec<u8>> {
    let greys = greys.clamp(2, 256);
    let (bw, bh) = (at.cols as u32 * cell_px.0 as u32, at.rows as u32 * cell_px.1 as u32);
    let (w, h) = img.fit(bw, bh, 1.0);
    let small = img.scaled(w, h);
    let (w, h) = (w as usize, h as usize);
    let q = Zeroizing::new(
        small
            .pixels()
            .iter()
            .map(|&v| ((v as usize * (greys - 1) + 127) / 255) as u8)
            .collect::<Vec<u8>>(),
    );
    drop(small);
    // Upper bound: a colour's line in a band is at most one character per column (a run of
    // four or more is shorter as `!n?`), plus `#n` and `$`; the header and palette are short.
    let bands = h.div_ceil(6);
    let bound = 64 + greys * 20 + bands * (greys * (w + 6) + 1) + 8;
    let mut s = Bounded::with_capacity(bound);
    s.push(b"\x1b7\x1b[");
    s.num(at.row as usize + 1);
    s.push(b";");
    s.num(at.col as usize + 1);
    // DCS: P2 = 1, pixels not painted keep the background; raster 1:1, w × h.
    s.push(b"H\x1bP0;1;0q\"1;1;");
    s.num(w);
    s.push(b";");
    s.num(h);
    for i in 0..greys {
        let p = i * 100 / (greys - 1);
        s.push(b"#");
        s.num(i);
        s.push(b";2;");
        for k in 0..3 {
            s.num(p);
            if k < 2 {
                s.push(b";");
            }
        }
    }
    let mut used = vec![false; greys];
    for band in (0..h).step_by(6) {
        write_band(&mut s, &q, w, band..(band + 6).min(h), &mut used);
        // Down to the next band; not after the last (the cursor would move past the picture).
        if band + 6 < h {
            s.push(b"-");
        }
    }
    s.push(b"\x1b\\\x1b8");
    s.into_inner()
}

/// One 6-row band of the quantized picture `q` (`w` wide): each grey the band uses, as a line
/// of sixels with run-length encoding, the lines joined by `$` (back to the band's start).
fn write_band(s: &mut Bounded, q: &[u8], w: usize, rows: std::ops::Range<usize>, used: &mut [bool]) {
    used.iter_mut().for_each(|u| *u = false);
    for y in rows.clone() {
        for &v in &q[y * w..(y + 1) * w] {
            used[v as usize] = true;
        }
    }
    let mut first = true;
    for c in (0..used.len()).filter(|&c| used[c]) {
        if !first {
            s.push(b"$");
        }
        first = false;
        s.push(b"#");
        s.num(c);
        let mut run = (0u8, 0usize);
        for x in 0..w {
            let mut bits = 0u8;
            for (dy, y) in rows.clone().enumerate() {
                if q[y * w + x] as usize == c {
                    bits |= 1 << dy;
                }
            }
            if bits == run.0 {
                run.1 += 1;
            } else {
                flush(s, run);
                run = (bits, 1);
            }
        }
        flush(s, run);
    }
}

fn flush(s: &mut Bounded, (bits, n): (u8, usize)) {
    let ch = [63 + bits];
    match n {
        0 => {}
        1..=3 => (0..n).for_each(|_| s.push(&ch)),
        _ => {
            s.push(b"!");
            s.num(n);
            s.push(&ch);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Cells {
        Cells {
            col: 9,
            row: 2,
            cols: 20,
            rows: 12,
        }
    }

    #[test]
    fn a_flat_picture_is_one_run_per_band() {
        let g = Grey::new(12, 12, Zeroizing::new(vec![255; 144]));
        let s = draw(&g, at(), (1, 1), 16);
        let s = std::str::from_utf8(&s).unwrap();
        assert!(
            s.starts_with("\x1b7\x1b[3;10H\x1bP0;1;0q\"1;1;12;12#0;2;0;0;0#1;2;6;6;6"),
            "{s}"
        );
        assert!(s.contains("#15;2;100;100;100"));
        // Two bands of six rows, white (register 15), all six bits set (`~`) 12 times.
        assert!(s.ends_with("#15!12~-#15!12~\x1b\\\x1b8"), "{s}");
    }

    #[test]
    fn the_picture_fits_its_cells_and_the_buffer_its_bound() {
        let px: Vec<u8> = (0..378 * 472).map(|i| (i * 7 % 256) as u8).collect();
        let g = Grey::new(378, 472, Zeroizing::new(px));
        let s = draw(&g, at(), (6, 13), GREYS);
        let text = std::str::from_utf8(&s).unwrap();
        // 20×12 cells of 6×13 pixels: 120×156, the photo's proportions make it 120×149.
        assert!(text.contains("\"1;1;120;149#"), "{}", &text[..40]);
        assert!(s.capacity() >= s.len());
        // Noise is the worst case for run-length encoding: still within the bound (the
        // buffer would have panicked otherwise), and one `-` between each of the 25 bands.
        assert_eq!(text.matches('-').count(), 24);
    }
}
