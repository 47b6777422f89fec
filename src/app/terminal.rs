//! The terminal: raw mode + alternate screen while the station runs, restored on every way
//! out — normal exit, panic (hook), SIGTERM and SIGHUP (an SSH link dropping). The PIN is only
//! ever drawn on the alternate screen, so it never reaches the scrollback.

use super::AppEvent;
use crate::ui::station::{self, View};
use crossterm::{cursor, event, execute, terminal};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::Cell;
use ratatui::Terminal;
use std::io::Write;
use std::sync::mpsc::Sender;
use std::sync::Once;

pub struct Term {
    t: Terminal<CrosstermBackend<WipingOut>>,
}

/// The terminal's output buffer. Frames go out through it straight to fd 1 (not through
/// std's stdout buffer), and it is zeroed after every flush: a revealed PIN drawn on screen
/// leaves no bytes behind in freed or reused buffers. ratatui's own cells are reset when the
/// next frame is drawn (it resets the buffer it swaps out).
pub struct WipingOut {
    buf: Vec<u8>,
    fd: std::os::fd::RawFd,
}

impl WipingOut {
    const CAPACITY: usize = 64 * 1024;

    pub fn new(fd: std::os::fd::RawFd) -> WipingOut {
        WipingOut {
            buf: Vec::with_capacity(Self::CAPACITY),
            fd,
        }
    }

    /// Bytes waiting to be written (0 after a flush).
    pub fn pending(&self) -> &[u8] {
        &self.buf
    }
}

impl Write for WipingOut {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > Self::CAPACITY {
            self.flush()?;
        }
        // Never grow past the capacity (a reallocation would leave a copy in freed memory).
        let n = data.len().min(Self::CAPACITY - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let mut off = 0;
        let result = loop {
            if off >= self.buf.len() {
                break Ok(());
            }
            let rest = &self.buf[off..];
            let n = unsafe { libc::write(self.fd, rest.as_ptr() as *const libc::c_void, rest.len()) };
            if n < 0 {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                break Err(e);
            }
            off += n as usize;
        };
        zeroize::Zeroize::zeroize(&mut self.buf);
        result
    }
}

impl Drop for WipingOut {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

fn restore() {
    let _ = terminal::disable_raw_mode();
    let mut out = std::io::stdout();
    let _ = execute!(out, terminal::LeaveAlternateScreen, cursor::Show);
    let _ = out.flush();
}

static HOOK: Once = Once::new();

impl Term {
    pub fn enter() -> std::io::Result<Term> {
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        terminal::enable_raw_mode()?;
        let mut out = std::io::stdout();
        if let Err(e) = execute!(out, terminal::EnterAlternateScreen, cursor::Hide) {
            restore();
            return Err(e);
        }
        let t = Terminal::new(CrosstermBackend::new(WipingOut::new(libc::STDOUT_FILENO))).inspect_err(|_| restore())?;
        Ok(Term { t })
    }

    pub fn size(&self) -> (u16, u16) {
        self.t.size().map(|s| (s.width, s.height)).unwrap_or((80, 24))
    }

    pub fn autoresize(&mut self) {
        let _ = self.t.autoresize();
    }

    pub fn draw(&mut self, v: &View) -> std::io::Result<()> {
        self.t.draw(|f| station::draw(f, v)).map(|_| ())
    }

    /// Where pictures go beside the frames: the same output, zeroed after each flush.
    pub fn out(&mut self) -> &mut dyn Write {
        self.t.backend_mut()
    }

    /// See [`wipe_frames`].
    pub fn wipe(&mut self) -> std::io::Result<()> {
        wipe_frames(&mut self.t)
    }
}

/// Forgets every frame drawn so far, after a citizen's data was wiped (`Effect::Wipe`): both of
/// ratatui's buffers are zeroed over their whole allocation (a frame drawn before the terminal
/// shrank leaves its cells past the end of the smaller one, where the next frames never write)
/// and blanked again, and the terminal is cleared, so the next frame is drawn whole and no
/// cell of what the citizen was shown is left on the screen or in this process.
pub fn wipe_frames<B: Backend>(t: &mut Terminal<B>) -> Result<(), B::Error> {
    for _ in 0..2 {
        wipe_cells(&mut t.current_buffer_mut().content);
        // Makes the other buffer current (and resets it, which the loop then redoes in full).
        t.swap_buffers();
    }
    t.backend_mut().clear()?;
    t.backend_mut().flush()
}

fn wipe_cells(cells: &mut Vec<Cell>) {
    let len = cells.len();
    // Drops every symbol and keeps the allocation, whose bytes are all spare then.
    cells.clear();
    zeroize::Zeroize::zeroize(cells.spare_capacity_mut());
    cells.resize(len, Cell::EMPTY);
}

impl Drop for Term {
    fn drop(&mut self) {
        restore();
    }
}

/// Reads terminal events on their own thread (crossterm's read blocks).
pub fn spawn_key_reader(tx: Sender<AppEvent>) {
    std::thread::Builder::new()
        .name("keys".into())
        .spawn(move || {
            while let Ok(ev) = event::read() {
                if tx.send(AppEvent::Term(ev)).is_err() {
                    break;
                }
            }
        })
        .expect("key thread");
}

/// SIGTERM, SIGHUP and SIGINT become a clean quit (terminal restored, card released).
pub fn spawn_signal_listener(tx: Sender<AppEvent>) {
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                use tokio::signal::unix::{signal, SignalKind};
                let (Ok(mut term), Ok(mut hup), Ok(mut int)) = (
                    signal(SignalKind::terminate()),
                    signal(SignalKind::hangup()),
                    signal(SignalKind::interrupt()),
                ) else {
                    return;
                };
                tokio::select! {
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                    _ = int.recv() => {}
                }
                let _ = tx.send(AppEvent::Quit);
            });
        })
        .expect("signal thread");
}

/// The bytes of a vector's whole allocation, spare capacity included, as another reader of this
/// process's memory sees them (through /proc/self/mem: no reference to spare capacity is made).
#[cfg(test)]
pub(crate) fn bytes_of<T>(v: &Vec<T>) -> Vec<u8> {
    use std::os::unix::fs::FileExt;
    let mut out = vec![0u8; v.capacity() * std::mem::size_of::<T>()];
    std::fs::File::open("/proc/self/mem")
        .unwrap()
        .read_exact_at(&mut out, v.as_ptr() as u64)
        .unwrap();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wiping_the_frames_zeroes_both_buffers_whole_and_clears_the_screen() {
        use ratatui::backend::TestBackend;
        use ratatui::widgets::Paragraph;
        let mut t = Terminal::new(TestBackend::new(20, 6)).unwrap();
        let text = "\n\n\n\n\n住所　東京";
        t.draw(|f| f.render_widget(Paragraph::new(text), f.area())).unwrap();
        // The terminal shrinks: the last row is now past the end of both buffers.
        t.backend_mut().resize(20, 2);
        t.draw(|f| f.render_widget(Paragraph::new("x"), f.area())).unwrap();
        let kept = |t: &mut Terminal<TestBackend>| {
            let mut found = 0;
            for _ in 0..2 {
                let b = t.current_buffer_mut();
                found += bytes_of(&b.content)
                    .windows(3)
                    .filter(|w| *w == "東".as_bytes())
                    .count();
                // Reading the other buffer means making it current (swap resets it, but only
                // the cells in use: a reset buffer can't hide what is found past them).
                t.swap_buffers();
            }
            found
        };
        assert!(kept(&mut t) > 0, "the shrunk frame's cells are still in memory");
        wipe_frames(&mut t).unwrap();
        assert_eq!(kept(&mut t), 0);
        assert_eq!(t.current_buffer_mut().content.len(), 40, "the buffers keep their size");
        assert!(
            t.backend().buffer().content.iter().all(|c| c.symbol() == " "),
            "screen cleared"
        );
    }

    #[test]
    fn output_goes_to_the_fd_and_the_buffer_is_zeroed_after_flush() {
        let mut fds = [0; 2];
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let mut w = WipingOut::new(fds[1]);
        w.write_all(b"PIN 7391").unwrap();
        assert_eq!(w.pending(), b"PIN 7391");
        let ptr = w.buf.as_ptr();
        w.flush().unwrap();
        assert!(w.pending().is_empty());
        // The bytes that held the frame are zero, in place (capacity kept, no reallocation).
        let old = unsafe { std::slice::from_raw_parts(ptr, 8) };
        assert_eq!(old, &[0u8; 8]);
        assert_eq!(w.buf.as_ptr(), ptr);
        let mut got = [0u8; 8];
        assert_eq!(
            unsafe { libc::read(fds[0], got.as_mut_ptr() as *mut libc::c_void, 8) },
            8
        );
        assert_eq!(&got, b"PIN 7391");
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
    }
}
