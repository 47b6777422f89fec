//! A QR code drawn with half-block characters: two modules per terminal cell, so a version-1
//! code (21 modules) with a 2-module quiet zone takes 25 columns and 13 rows. Light modules
//! are drawn (foreground), dark ones left as background: on a dark terminal that is the
//! normal dark-on-light code; the caller pins the colours where the theme allows.

use qrcode::{Color, EcLevel, QrCode};

const QUIET: usize = 2;

/// The code for `text` as lines of `▀▄█ `, or None when it can't be encoded.
pub fn lines(text: &str) -> Option<Vec<String>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let w = code.width();
    let size = w + 2 * QUIET;
    // Light (true) outside the code and on light modules.
    let light = |x: usize, y: usize| -> bool {
        if x < QUIET || y < QUIET || x >= w + QUIET || y >= w + QUIET {
            return true;
        }
        code[(x - QUIET, y - QUIET)] == Color::Light
    };
    let mut out = Vec::with_capacity(size.div_ceil(2));
    for y in (0..size).step_by(2) {
        let mut row = String::with_capacity(size * 3);
        for x in 0..size {
            let top = light(x, y);
            let bottom = y + 1 >= size || light(x, y + 1);
            row.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push(row);
    }
    Some(out)
}

/// Columns and rows the code for `text` takes.
pub fn size(text: &str) -> Option<(u16, u16)> {
    let l = lines(text)?;
    Some((l.first()?.chars().count() as u16, l.len() as u16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_number_fits_in_25_by_13_and_decodes_back_to_modules() {
        let l = lines("7K3M-9QXZ").unwrap();
        assert_eq!(l.len(), 13);
        assert!(l.iter().all(|r| r.chars().count() == 25));
        // Rebuild the module grid from the half blocks and compare with the encoder's.
        let code = QrCode::with_error_correction_level(b"7K3M-9QXZ", EcLevel::M).unwrap();
        for y in 0..21 {
            for x in 0..21 {
                let (row, half) = ((y + QUIET) / 2, (y + QUIET) % 2);
                let c = l[row].chars().nth(x + QUIET).unwrap();
                let light = matches!((c, half), ('█', _) | ('▀', 0) | ('▄', 1));
                assert_eq!(light, code[(x, y)] == Color::Light, "module {x},{y}");
            }
        }
    }
}
