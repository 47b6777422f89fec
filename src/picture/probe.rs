//! Which pictures the terminal draws, asked once at start: one write of four queries, then the
//! answers read with `poll()` until the terminal's own end marker or a short deadline. No
//! thread, nothing left reading the tty afterwards, and never asked again (an idle station
//! writes nothing).
//!
//! Asked: kitty's graphics query (`a=q` of a 1×1 image; terminals without the protocol ignore
//! it), the cell size in pixels (`CSI 16 t`), the device attributes (`CSI c`: a `4` among them
//! means sixel) and the status report (`CSI 5 n`, whose `CSI 0 n` every terminal sends last).
//! Without a cell-size answer the tty's window size (`TIOCGWINSZ`) gives it when it has pixels.
//! Keys typed during the probe are dropped.

use super::{Graphics, Protocol};
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

/// The queries, in the order the answers are expected.
pub const QUERY: &[u8] = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\\x1b[16t\x1b[c\x1b[5n";

/// How long to wait by default: local terminals answer in a few milliseconds, a link over SSH
/// in one round trip.
pub const DEADLINE: Duration = Duration::from_millis(500);

/// Asks the terminal on `output` and reads its answers from `input` until `deadline` has
/// passed (or the end marker came). A tty in canonical or echo mode is put in raw mode for
/// the probe and restored. Not a tty, or no answer: [`Graphics::NONE`].
pub fn probe(input: RawFd, output: RawFd, deadline: Duration) -> Graphics {
    // SAFETY: isatty on descriptors the caller owns.
    if unsafe { libc::isatty(input) } != 1 || unsafe { libc::isatty(output) } != 1 {
        return Graphics::NONE;
    }
    let saved = raw_for_probe(input);
    let answers = ask(input, output, deadline);
    if let Some(t) = saved {
        // SAFETY: restores the attributes read from the same descriptor.
        unsafe { libc::tcsetattr(input, libc::TCSANOW, &t) };
    }
    let mut g = parse(&answers);
    if g.cell_px.is_none() {
        g.cell_px = window_cell(output);
    }
    g
}

/// Switches off canonical mode and echo when on; returns what to restore.
fn raw_for_probe(fd: RawFd) -> Option<libc::termios> {
    // SAFETY: termios is plain data, filled by tcgetattr before use.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut t) } != 0 {
        return None;
    }
    if t.c_lflag & (libc::ICANON | libc::ECHO) == 0 {
        return None;
    }
    let saved = t;
    t.c_lflag &= !(libc::ICANON | libc::ECHO);
    t.c_cc[libc::VMIN] = 0;
    t.c_cc[libc::VTIME] = 0;
    // SAFETY: sets attributes on the caller's tty; restored by the caller of this function.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &t) };
    Some(saved)
}

/// Writes the queries and collects what comes back, up to 4 KiB.
fn ask(input: RawFd, output: RawFd, deadline: Duration) -> Vec<u8> {
    let end = Instant::now() + deadline;
    let mut written = 0;
    while written < QUERY.len() {
        // SAFETY: writes from a static buffer.
        let n = unsafe {
            libc::write(
                output,
                QUERY[written..].as_ptr() as *const libc::c_void,
                QUERY.len() - written,
            )
        };
        if n <= 0 {
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Vec::new();
        }
        written += n as usize;
    }
    let mut got = Vec::with_capacity(4096);
    let mut buf = [0u8; 512];
    while !got.windows(4).any(|w| w == b"\x1b[0n") && got.len() < 4096 {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let mut pfd = libc::pollfd {
            fd: input,
            events: libc::POLLIN,
            revents: 0,
        };
        // Rounded up: poll's milliseconds must not end the wait early.
        let ms = left.as_micros().div_ceil(1000).clamp(1, i32::MAX as u128) as i32;
        // SAFETY: one pollfd on the stack.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r == 0 || (r < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted) {
            continue;
        }
        if r < 0 || pfd.revents & libc::POLLIN == 0 {
            break;
        }
        // SAFETY: reads into the stack buffer.
        let n = unsafe { libc::read(input, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n <= 0 {
            break;
        }
        let n = (n as usize).min(4096 - got.len());
        got.extend_from_slice(&buf[..n]);
    }
    got
}

/// The terminal's answers (in any order, among stray keys).
pub fn parse(answers: &[u8]) -> Graphics {
    let mut g = Graphics::NONE;
    let mut sixel = false;
    let mut kitty = false;
    let mut i = 0;
    while i < answers.len() {
        let rest = &answers[i..];
        if let Some(body) = rest.strip_prefix(b"\x1b_G") {
            // `ESC _ G i=31;OK ESC \`: kitty draws.
            let end = body.windows(2).position(|w| w == b"\x1b\\").unwrap_or(body.len());
            kitty |= body[..end].starts_with(b"i=31;") && body[..end].ends_with(b";OK");
            i += 3 + end;
        } else if let Some(body) = rest.strip_prefix(b"\x1b[") {
            let end = body
                .iter()
                .position(|b| (0x40..=0x7E).contains(b))
                .unwrap_or(body.len());
            let params = &body[..end];
            match body.get(end) {
                // DA1: `ESC [ ? 6 2 ; 4 ; … c`.
                Some(b'c') if params.first() == Some(&b'?') => {
                    sixel |= params[1..].split(|&b| b == b';').any(|p| p == b"4");
                }
                // Cell size: `ESC [ 6 ; height ; width t`.
                Some(b't') => {
                    let n: Vec<Option<u16>> = params
                        .split(|&b| b == b';')
                        .map(|p| std::str::from_utf8(p).ok()?.parse().ok())
                        .collect();
                    if let [Some(6), Some(h), Some(w)] = n[..] {
                        if w > 0 && h > 0 {
                            g.cell_px = Some((w, h));
                        }
                    }
                }
                _ => {}
            }
            i += 2 + end + 1;
        } else {
            i += 1;
        }
    }
    g.protocol = if kitty {
        Protocol::Kitty
    } else if sixel {
        Protocol::Sixel
    } else {
        Protocol::None
    };
    g
}

/// The cell size from the tty's window size in pixels, when the terminal fills it in.
fn window_cell(fd: RawFd) -> Option<(u16, u16)> {
    // SAFETY: winsize is plain data, filled by the ioctl.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    if unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) } != 0 {
        return None;
    }
    (ws.ws_col > 0 && ws.ws_row > 0 && ws.ws_xpixel > 0 && ws.ws_ypixel > 0)
        .then(|| (ws.ws_xpixel / ws.ws_col, ws.ws_ypixel / ws.ws_row))
        .filter(|(w, h)| *w > 0 && *h > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

    #[test]
    fn answers_of_known_terminals() {
        // xterm -ti vt340: DA1 with 4, no 16t.
        let xterm = b"\x1b[?63;1;2;4;6;9;15;16;22;28c\x1b[0n";
        assert_eq!(
            parse(xterm),
            Graphics {
                protocol: Protocol::Sixel,
                cell_px: None
            }
        );
        // foot: 16t and DA1 with 4.
        let foot = b"\x1b[6;16;7t\x1b[?62;4;22c\x1b[0n";
        assert_eq!(
            parse(foot),
            Graphics {
                protocol: Protocol::Sixel,
                cell_px: Some((7, 16))
            }
        );
        // kitty: its graphics answer, 16t, DA1 without 4.
        let kitty = b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[?62;c\x1b[0n";
        assert_eq!(
            parse(kitty),
            Graphics {
                protocol: Protocol::Kitty,
                cell_px: Some((10, 20))
            }
        );
        // tmux, plain xterm (decTerminalID 420), the Linux console: DA1 without 4.
        for t in [
            &b"\x1b[?1;2c\x1b[0n"[..],
            b"\x1b[?64;1;2;6;9;15;16;17;18;21;22;28c\x1b[0n",
            b"\x1b[?6c\x1b[0n",
        ] {
            assert_eq!(parse(t).protocol, Protocol::None);
        }
        // A kitty error, a `4` that is not a parameter of DA1, stray keys: no graphics.
        assert_eq!(
            parse(b"\x1b_Gi=31;ENOTSUPPORTED:x\x1b\\a4b\x1b[24~\x1b[?41c").protocol,
            Protocol::None
        );
        assert_eq!(parse(b""), Graphics::NONE);
        assert_eq!(parse(b"\x1b[6;0;0t\x1b[6;x;9t\x1b[").cell_px, None);
    }

    struct Pty {
        master: OwnedFd,
        slave: OwnedFd,
    }

    fn pty() -> Pty {
        let (mut m, mut s) = (0, 0);
        // SAFETY: openpty fills two descriptors we then own.
        let r = unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
        assert_eq!(r, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: fresh descriptors from openpty.
        unsafe {
            Pty {
                master: OwnedFd::from_raw_fd(m),
                slave: OwnedFd::from_raw_fd(s),
            }
        }
    }

    fn read_some(fd: RawFd) -> Vec<u8> {
        let mut buf = [0u8; 256];
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        buf[..n.max(0) as usize].to_vec()
    }

    fn write_all(fd: RawFd, b: &[u8]) {
        assert_eq!(
            unsafe { libc::write(fd, b.as_ptr() as *const libc::c_void, b.len()) },
            b.len() as isize
        );
    }

    /// A terminal on the other side of a pty answers: the probe reads sixel and the cell size,
    /// restores the tty's mode, and returns at the end marker, long before its deadline.
    #[test]
    fn a_terminal_that_answers_through_a_pty() {
        let p = pty();
        let term = p.master.as_raw_fd();
        let answerer = std::thread::spawn(move || {
            let mut q = Vec::new();
            while !q.ends_with(b"\x1b[5n") {
                q.extend(read_some(term));
            }
            write_all(term, b"x\x1b[6;13;6t\x1b[?63;1;2;4;6c\x1b[0n");
            q
        });
        let mut before: libc::termios = unsafe { std::mem::zeroed() };
        unsafe { libc::tcgetattr(p.slave.as_raw_fd(), &mut before) };
        assert_ne!(before.c_lflag & libc::ICANON, 0, "a fresh pty is canonical");
        let started = Instant::now();
        let g = probe(p.slave.as_raw_fd(), p.slave.as_raw_fd(), Duration::from_secs(20));
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "returned at the end marker"
        );
        assert_eq!(
            g,
            Graphics {
                protocol: Protocol::Sixel,
                cell_px: Some((6, 13))
            }
        );
        assert_eq!(answerer.join().unwrap(), QUERY);
        let mut after: libc::termios = unsafe { std::mem::zeroed() };
        unsafe { libc::tcgetattr(p.slave.as_raw_fd(), &mut after) };
        assert_eq!(after.c_lflag, before.c_lflag, "mode restored");
    }

    /// A terminal that never answers: no graphics once the deadline has passed, and nothing
    /// left reading the tty (what is typed next is still there to read).
    #[test]
    fn a_silent_terminal_costs_the_deadline_and_leaves_the_tty_alone() {
        let p = pty();
        let started = Instant::now();
        let g = probe(p.slave.as_raw_fd(), p.slave.as_raw_fd(), Duration::from_millis(150));
        assert!(started.elapsed() >= Duration::from_millis(150));
        assert_eq!(g.protocol, Protocol::None);
        // The queries went out once.
        let mut q = Vec::new();
        while q.len() < QUERY.len() {
            q.extend(read_some(p.master.as_raw_fd()));
        }
        assert_eq!(q, QUERY);
        // A key typed now reaches whoever reads next: no reader was left behind.
        write_all(p.master.as_raw_fd(), b"k\n");
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(read_some(p.slave.as_raw_fd()), b"k\n");
        // Not a tty: no question asked.
        let (r, w) = {
            let mut fds = [0; 2];
            assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
        };
        assert_eq!(
            probe(r.as_raw_fd(), w.as_raw_fd(), Duration::from_secs(5)),
            Graphics::NONE
        );
    }
}
