//! The terminal: raw mode + alternate screen while the station runs, restored on every way
//! out — normal exit, panic (hook), SIGTERM and SIGHUP (an SSH link dropping). The PIN is only
//! ever drawn on the alternate screen, so it never reaches the scrollback.

use super::AppEvent;
use crate::ui::station::{self, View};
use crossterm::{cursor, event, execute, terminal};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{Stdout, Write};
use std::sync::mpsc::Sender;
use std::sync::Once;

pub struct Term {
    t: Terminal<CrosstermBackend<Stdout>>,
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
        let t = Terminal::new(CrosstermBackend::new(out)).inspect_err(|_| restore())?;
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
