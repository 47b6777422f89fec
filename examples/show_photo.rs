//! Draws the virtual card's synthetic photo in this terminal the way the station will: the
//! graphics probe once at start, the photo in a fixed rectangle of cells on the alternate
//! screen with the method the answer allows (sixel, kitty, grey half-blocks, or nothing), Esc
//! erases it, q quits.
//!
//!     cargo run --example show_photo                 # in xterm -ti vt340, foot, kitty, …
//!     cargo run --example show_photo -- --status F   # also writes what it did to F
//!
//! tests/picture_xterm.rs runs it inside xterm under Xvfb and screenshots the result.

use madoguchi::card::vcard::printed::PHOTO_JP2;
use madoguchi::picture::{self, decode, probe, Cells, Method, Palette, Protocol};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where the photo goes: 24 columns by 12 rows, from column 10 of row 3.
pub const AT: Cells = Cells {
    col: 10,
    row: 3,
    cols: 24,
    rows: 12,
};

/// The kitty image id used.
const KITTY_ID: u32 = 1;

/// Standard output by `write(2)`: no buffer of std's in between (and no test harness
/// capturing it when a test runs this).
struct Tty;

impl Write for Tty {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: writes from the caller's buffer to fd 1.
        let n = unsafe { libc::write(1, buf.as_ptr() as *const libc::c_void, buf.len()) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn read_key() -> Option<u8> {
    let mut b = [0u8; 1];
    // SAFETY: one byte from fd 0 into the stack.
    let n = unsafe { libc::read(0, b.as_mut_ptr() as *mut libc::c_void, 1) };
    (n == 1).then_some(b[0])
}

fn say(status: Option<&Path>, line: &str) {
    if let Some(p) = status {
        let mut old = std::fs::read_to_string(p).unwrap_or_default();
        old.push_str(line);
        old.push('\n');
        // Written whole, then renamed: a reader never sees half a line.
        let tmp = p.with_extension("tmp");
        let _ = std::fs::write(&tmp, old);
        let _ = std::fs::rename(&tmp, p);
    }
}

/// Runs the demo on fds 0 and 1; `status` gets one line per step.
pub fn run(status: Option<&Path>) -> io::Result<()> {
    // Raw mode for the keys (the probe would do it for itself, but Esc and q come after).
    // SAFETY: termios is plain data, filled by tcgetattr.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    let is_tty = unsafe { libc::tcgetattr(0, &mut saved) } == 0;
    if is_tty {
        let mut raw = saved;
        raw.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG);
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        // SAFETY: our own tty, restored below.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &raw) };
    }
    let mut out = Tty;
    // The alternate screen, cleared, cursor hidden: as the station draws.
    out.write_all(b"\x1b[?1049h\x1b[2J\x1b[H\x1b[?25l")?;
    let g = probe::probe(0, 1, probe::DEADLINE);
    let method = Method::choose(g, Palette::Grey256, KITTY_ID);
    let (cw, ch) = g.cell_px.unwrap_or((0, 0));
    let protocol = match g.protocol {
        Protocol::Sixel => "sixel",
        Protocol::Kitty => "kitty",
        Protocol::None => "none",
    };
    write!(
        out,
        "\x1b[1;1Hgraphics: {protocol}, cell {cw}x{ch} px; Esc erases, q quits"
    )?;
    say(status, &format!("probe {protocol} {cw} {ch}"));
    let photo = decode::photo(PHOTO_JP2).map_err(io::Error::other)?;
    let placed = picture::draw(&mut out, method, &photo, AT)?;
    drop(photo);
    if method == Method::Nothing {
        write!(out, "\x1b[{};{}H写真は表示できません", AT.row + 1, AT.col + 1)?;
    }
    say(
        status,
        &format!("drawn {:?} at {} {} {} {}", method, AT.col, AT.row, AT.cols, AT.rows),
    );
    let mut erased = false;
    while let Some(k) = read_key() {
        match k {
            0x1b if !erased => {
                picture::erase(&mut out, &placed)?;
                erased = true;
                say(status, "erased");
            }
            b'q' | 0x03 => break,
            _ => {}
        }
    }
    out.write_all(b"\x1b[?25h\x1b[?1049l")?;
    if is_tty {
        // SAFETY: restores what tcgetattr read.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &saved) };
    }
    say(status, "done");
    Ok(())
}

#[allow(dead_code)] // a test includes this file and calls `run`
fn main() {
    let mut args = std::env::args().skip(1);
    let mut status: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--status" => status = args.next().map(PathBuf::from),
            _ => {
                eprintln!("usage: show_photo [--status FILE]");
                std::process::exit(2);
            }
        }
    }
    if let Err(e) = run(status.as_deref()) {
        eprintln!("show_photo: {e}");
        std::process::exit(1);
    }
}
