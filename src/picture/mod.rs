//! Pictures in the terminal: the card face's photo and text images as zeroizing grey pixels
//! ([`decode`]), drawn with sixel ([`sixel`]), kitty's graphics protocol ([`kitty`]) or grey
//! half-blocks ([`halfblock`]), each with its erase; which one the terminal takes is asked
//! once at start ([`probe`]).
//!
//! At the bottom of the tree (it uses no other module of the crate). What it promises:
//! - pixels and the escape strings made of them live in zeroizing buffers sized once, wiped
//!   right after they were written, never kept;
//! - it writes only when asked to draw or erase (an idle station writes nothing);
//! - where nothing can be drawn (no graphics and a monochrome theme) it draws nothing and says
//!   so ([`Method::Nothing`]): the screen then says 「写真は表示できません」.

pub mod decode;
pub mod halfblock;
pub mod kitty;
pub mod probe;
pub mod sixel;

use std::fmt;
use std::io::{self, Write};
use zeroize::Zeroizing;

/// An 8-bit grey image, row by row. Personal data: zeroized on drop, no `Clone`, and `Debug`
/// shows the size only.
pub struct Grey {
    width: u32,
    height: u32,
    px: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Grey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Grey({}x{})", self.width, self.height)
    }
}

impl Grey {
    /// `px` holds `width × height` bytes (checked).
    pub fn new(width: u32, height: u32, px: Zeroizing<Vec<u8>>) -> Grey {
        assert_eq!(
            px.len(),
            width as usize * height as usize,
            "pixels for {width}x{height}"
        );
        Grey { width, height, px }
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn pixels(&self) -> &[u8] {
        &self.px
    }

    /// Scaled to `width × height` with a box filter (each output pixel the mean of the input
    /// pixels it covers), into a new zeroizing buffer.
    pub fn scaled(&self, width: u32, height: u32) -> Grey {
        let (sw, sh) = (self.width as usize, self.height as usize);
        let (dw, dh) = (width.max(1) as usize, height.max(1) as usize);
        let mut out = Zeroizing::new(vec![0u8; dw * dh]);
        for y in 0..dh {
            let (y0, y1) = (y * sh / dh, ((y + 1) * sh / dh).max(y * sh / dh + 1).min(sh));
            for x in 0..dw {
                let (x0, x1) = (x * sw / dw, ((x + 1) * sw / dw).max(x * sw / dw + 1).min(sw));
                let (mut sum, mut n) = (0u32, 0u32);
                for row in self.px[y0 * sw..y1 * sw].chunks_exact(sw) {
                    for &v in &row[x0..x1] {
                        sum += v as u32;
                        n += 1;
                    }
                }
                out[y * dw + x] = (sum / n.max(1)) as u8;
            }
        }
        Grey::new(dw as u32, dh as u32, out)
    }

    /// The largest size with this image's proportions inside `max_w × max_h` pixels, where a
    /// pixel of the target is `aspect` times as tall as wide (1 for sixel, 2 for half-blocks).
    pub fn fit(&self, max_w: u32, max_h: u32, aspect: f32) -> (u32, u32) {
        let (w, h) = (self.width as f32, self.height as f32 / aspect);
        let k = (max_w as f32 / w).min(max_h as f32 / h);
        (
            ((w * k) as u32).clamp(1, max_w.max(1)),
            ((h * k) as u32).clamp(1, max_h.max(1)),
        )
    }
}

/// A rectangle of terminal cells, 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cells {
    pub col: u16,
    pub row: u16,
    pub cols: u16,
    pub rows: u16,
}

/// What the terminal answered to the start-up probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Kitty,
    Sixel,
    None,
}

/// The terminal's graphics: the protocol it speaks and the size of a cell in pixels (known
/// from its answer, else from the tty's window size).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Graphics {
    pub protocol: Protocol,
    pub cell_px: Option<(u16, u16)>,
}

impl Graphics {
    pub const NONE: Graphics = Graphics {
        protocol: Protocol::None,
        cell_px: None,
    };
}

/// The colours the screen's theme allows for half-blocks: the 24 greys of the 256-colour
/// palette, the four greys of the 16 ANSI colours, or none (monochrome).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Palette {
    Grey256,
    Ansi16,
    Mono,
}

/// How a picture will be drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Sixel, scaled to pixels of this cell size.
    Sixel { cell_px: (u16, u16) },
    /// Kitty's graphics protocol, placed directly with this image id.
    Kitty { id: u32 },
    /// Grey half-blocks (`▀`, two pixels a cell) in the palette's greys.
    HalfBlocks(Palette),
    /// Nothing can be drawn: say 「写真は表示できません」.
    Nothing,
}

impl Method {
    /// Draws a picture in pixels, fine enough to compare a face with the person (sixel,
    /// kitty). Half-blocks give a rough outline only: shown, but no clerk can say "matches"
    /// on it.
    pub fn in_pixels(self) -> bool {
        matches!(self, Method::Sixel { .. } | Method::Kitty { .. })
    }

    /// The best the terminal and the theme allow. Sixel needs the cell size (or the picture
    /// could run past its cells); half-blocks need colours.
    pub fn choose(g: Graphics, palette: Palette, kitty_id: u32) -> Method {
        match (g.protocol, g.cell_px) {
            (Protocol::Kitty, _) => Method::Kitty { id: kitty_id },
            (Protocol::Sixel, Some(cell_px)) if cell_px.0 > 0 && cell_px.1 > 0 => Method::Sixel { cell_px },
            _ if palette == Palette::Mono => Method::Nothing,
            _ => Method::HalfBlocks(palette),
        }
    }
}

/// What the operator asked for (`graphics` in the station's config).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Setting {
    /// Whatever the terminal answers to the probe at start.
    #[default]
    Auto,
    /// Sixel (the probe still asks the cell size).
    Sixel,
    /// Kitty's graphics protocol, without asking.
    Kitty,
    /// Grey half-blocks, without asking.
    HalfBlocks,
    /// No pictures.
    Off,
}

impl Setting {
    /// The method for this setting on this terminal. `probe` is called only where the answer
    /// matters (auto, and sixel for the cell size): the one query of the station's life.
    /// Sixel without a known cell size falls back to half-blocks (a picture of unknown size
    /// could run past its cells).
    pub fn method(self, probe: impl FnOnce() -> Graphics, palette: Palette, kitty_id: u32) -> Method {
        let halfblocks = if palette == Palette::Mono {
            Method::Nothing
        } else {
            Method::HalfBlocks(palette)
        };
        match self {
            Setting::Off => Method::Nothing,
            Setting::HalfBlocks => halfblocks,
            Setting::Kitty => Method::Kitty { id: kitty_id },
            Setting::Sixel => match probe().cell_px {
                Some(cell_px) if cell_px.0 > 0 && cell_px.1 > 0 => Method::Sixel { cell_px },
                _ => halfblocks,
            },
            Setting::Auto => Method::choose(probe(), palette, kitty_id),
        }
    }
}

/// What [`draw`] put on the screen, for [`erase`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    pub method: Method,
    pub at: Cells,
}

/// Draws `img` into the cells `at` (scaled to fit, proportions kept, top left) and returns
/// what to erase later. The escape string is built in a zeroizing buffer of its final size,
/// written and flushed, then wiped.
pub fn draw(out: &mut dyn Write, method: Method, img: &Grey, at: Cells) -> io::Result<Placed> {
    let bytes = match method {
        Method::Sixel { cell_px } => sixel::draw(img, at, cell_px, sixel::GREYS),
        Method::Kitty { id } => kitty::draw(img, at, id),
        Method::HalfBlocks(palette) => halfblock::draw(img, at, palette),
        Method::Nothing => Zeroizing::new(Vec::new()),
    };
    write_all(out, &bytes)?;
    Ok(Placed { method, at })
}

/// Removes what [`draw`] put there: blanks over its cells, and for kitty the image itself
/// (kitty keeps an image's data until it is deleted).
pub fn erase(out: &mut dyn Write, placed: &Placed) -> io::Result<()> {
    let mut s = Vec::new();
    if let Method::Kitty { id } = placed.method {
        s.extend_from_slice(&kitty::delete(id));
    }
    if placed.method != Method::Nothing {
        s.extend_from_slice(&blank(placed.at));
    }
    write_all(out, &s)
}

/// Spaces over every cell of `at`, cursor saved and restored: what erases sixel pixels and
/// half-blocks (a terminal drops the pixels of cells that text overwrites).
pub fn blank(at: Cells) -> Vec<u8> {
    let mut s = Vec::with_capacity(4 + at.rows as usize * (12 + at.cols as usize));
    s.extend_from_slice(b"\x1b7\x1b[0m");
    for r in 0..at.rows {
        s.extend_from_slice(format!("\x1b[{};{}H", at.row + r + 1, at.col + 1).as_bytes());
        s.resize(s.len() + at.cols as usize, b' ');
    }
    s.extend_from_slice(b"\x1b8");
    s
}

fn write_all(out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    out.write_all(bytes)?;
    out.flush()
}

/// A byte buffer that never grows past the capacity it was made with (a growing `Vec` would
/// leave freed copies of the picture behind): the encoders size it from an upper bound.
pub(crate) struct Bounded(Zeroizing<Vec<u8>>);

impl Bounded {
    pub(crate) fn with_capacity(n: usize) -> Bounded {
        Bounded(Zeroizing::new(Vec::with_capacity(n)))
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        assert!(
            self.0.len() + bytes.len() <= self.0.capacity(),
            "picture buffer bound too small"
        );
        self.0.extend_from_slice(bytes);
    }

    /// A number in decimal, without a `String`.
    pub(crate) fn num(&mut self, n: usize) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = n;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.push(&digits[i..]);
    }

    pub(crate) fn into_inner(self) -> Zeroizing<Vec<u8>> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(w: u32, h: u32) -> Grey {
        let px = (0..w * h).map(|i| ((i % w) * 255 / (w - 1)) as u8).collect();
        Grey::new(w, h, Zeroizing::new(px))
    }

    #[test]
    fn box_filter_keeps_means_and_gradients() {
        let g = ramp(100, 40);
        let s = g.scaled(10, 4);
        assert_eq!((s.width(), s.height()), (10, 4));
        let row: Vec<u8> = s.pixels()[..10].to_vec();
        assert!(row.windows(2).all(|w| w[0] < w[1]), "{row:?}");
        assert!(row[0] < 20 && row[9] > 235, "{row:?}");
        // Upscaling repeats pixels; a 1×1 input stays itself.
        let one = Grey::new(1, 1, Zeroizing::new(vec![77])).scaled(3, 2);
        assert_eq!(one.pixels(), &[77; 6]);
    }

    #[test]
    fn fit_keeps_proportions() {
        let photo = Grey::new(378, 472, Zeroizing::new(vec![0; 378 * 472]));
        // 20×12 cells of 6×13 pixels: 120×156 available, height decides nothing here.
        assert_eq!(photo.fit(120, 156, 1.0), (120, 149));
        // Kitty: 20×12 cells, each twice as tall as wide.
        assert_eq!(photo.fit(20, 12, 2.0), (19, 12));
        // Half-blocks: 20 cells wide, 24 half-cells high, about square.
        assert_eq!(photo.fit(20, 24, 1.0), (19, 24));
    }

    #[test]
    fn the_method_follows_terminal_and_theme() {
        let sixel = Graphics {
            protocol: Protocol::Sixel,
            cell_px: Some((6, 13)),
        };
        assert_eq!(
            Method::choose(sixel, Palette::Mono, 7),
            Method::Sixel { cell_px: (6, 13) }
        );
        let kitty = Graphics {
            protocol: Protocol::Kitty,
            cell_px: None,
        };
        assert_eq!(Method::choose(kitty, Palette::Grey256, 7), Method::Kitty { id: 7 });
        let sixel_unsized = Graphics {
            protocol: Protocol::Sixel,
            cell_px: None,
        };
        assert_eq!(
            Method::choose(sixel_unsized, Palette::Ansi16, 7),
            Method::HalfBlocks(Palette::Ansi16)
        );
        assert_eq!(
            Method::choose(Graphics::NONE, Palette::Grey256, 7),
            Method::HalfBlocks(Palette::Grey256)
        );
        assert_eq!(Method::choose(Graphics::NONE, Palette::Mono, 7), Method::Nothing);
        // Only pixels are fine enough to compare a face.
        assert!(Method::Sixel { cell_px: (6, 13) }.in_pixels() && Method::Kitty { id: 1 }.in_pixels());
        assert!(!Method::HalfBlocks(Palette::Grey256).in_pixels() && !Method::Nothing.in_pixels());
    }

    #[test]
    fn the_setting_asks_the_terminal_only_where_the_answer_matters() {
        let sixel = Graphics {
            protocol: Protocol::Sixel,
            cell_px: Some((6, 13)),
        };
        let unasked = || -> Graphics { panic!("probed") };
        assert_eq!(Setting::Off.method(unasked, Palette::Grey256, 1), Method::Nothing);
        assert_eq!(
            Setting::HalfBlocks.method(unasked, Palette::Ansi16, 1),
            Method::HalfBlocks(Palette::Ansi16)
        );
        assert_eq!(Setting::HalfBlocks.method(unasked, Palette::Mono, 1), Method::Nothing);
        assert_eq!(
            Setting::Kitty.method(unasked, Palette::Mono, 4),
            Method::Kitty { id: 4 }
        );
        assert_eq!(
            Setting::Auto.method(|| sixel, Palette::Grey256, 1),
            Method::Sixel { cell_px: (6, 13) }
        );
        assert_eq!(
            Setting::Auto.method(|| Graphics::NONE, Palette::Grey256, 1),
            Method::HalfBlocks(Palette::Grey256)
        );
        // Sixel forced on a terminal that says nothing of its cells: half-blocks, not a
        // picture of unknown size.
        assert_eq!(
            Setting::Sixel.method(|| Graphics::NONE, Palette::Grey256, 1),
            Method::HalfBlocks(Palette::Grey256)
        );
        assert_eq!(
            Setting::Sixel.method(|| Graphics::NONE, Palette::Mono, 1),
            Method::Nothing
        );
    }

    #[test]
    fn nothing_draws_nothing_and_erases_nothing() {
        let g = ramp(10, 10);
        let at = Cells {
            col: 1,
            row: 1,
            cols: 5,
            rows: 3,
        };
        let mut out = Vec::new();
        let placed = draw(&mut out, Method::Nothing, &g, at).unwrap();
        erase(&mut out, &placed).unwrap();
        assert!(out.is_empty());
        assert_eq!(format!("{g:?}"), "Grey(10x10)");
    }

    #[test]
    fn blank_overwrites_every_cell_and_restores_the_cursor() {
        let at = Cells {
            col: 2,
            row: 4,
            cols: 3,
            rows: 2,
        };
        let s = String::from_utf8(blank(at)).unwrap();
        assert_eq!(s, "\x1b7\x1b[0m\x1b[5;3H   \x1b[6;3H   \x1b8");
    }

    #[test]
    fn a_bounded_buffer_never_grows() {
        let mut b = Bounded::with_capacity(8);
        b.push(b"abc");
        b.num(12345);
        let v = b.into_inner();
        assert_eq!((&v[..], v.capacity()), (&b"abc12345"[..], 8));
        let r = std::panic::catch_unwind(|| {
            let mut b = Bounded::with_capacity(2);
            b.push(b"abc");
        });
        assert!(r.is_err());
    }
}
