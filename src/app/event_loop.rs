//! Start-up, the loop and shut-down. Every source of events — the key reader, the readers,
//! the card thread, the backend's stores and deliveries, signals, support — sends into one
//! channel; the loop takes one event at a time, lets the state handle it, and draws when
//! something visible changed. Idle and empty, it blocks: no bytes, no CPU.

use super::readers::Readers;
use super::state::{App, Support};
use super::worker::{self, WorkerMsg};
use super::{status, terminal, AppEvent, RunError, StationOptions};
use crate::flow::{self, Screen};
use crate::ui::keys::Overlay;
use crossterm::event::Event as TermEvent;
use std::ops::ControlFlow;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SPINNER_EVERY: Duration = Duration::from_millis(200);
const QUEUE_EVERY: Duration = Duration::from_secs(2);

/// Runs the station until Ctrl-C, SIGTERM or SIGHUP.
pub fn run(mut opts: StationOptions) -> Result<(), RunError> {
    let (tx, rx) = mpsc::channel::<AppEvent>();
    let (wtx, wrx) = mpsc::channel::<WorkerMsg>();
    let source = start_readers(opts.readers.as_mut(), &tx);
    let backend = Arc::clone(&opts.backend);
    let worker_tx = tx.clone();
    let worker = std::thread::Builder::new()
        .name("card".into())
        .spawn(move || worker::run(source, backend, wrx, worker_tx))
        .expect("card thread");
    {
        let dtx = tx.clone();
        opts.backend.start_delivery(Box::new(move |enrollment_id, verdict| {
            let _ = dtx.send(AppEvent::Flow(flow::Event::Delivered { enrollment_id, verdict }));
        }));
    }
    terminal::spawn_signal_listener(tx.clone());
    let support = open_support(&tx);
    let mut term = match terminal::Term::enter() {
        Ok(t) => t,
        Err(e) => {
            let _ = wtx.send(WorkerMsg::Shutdown);
            opts.readers.stop();
            return Err(RunError::Terminal(e));
        }
    };
    terminal::spawn_key_reader(tx.clone());
    let size = term.size();
    let mut app = App::new(opts, wtx.clone(), tx, size, support);
    app.choose_reader();
    // What the readers told at start (the demo's reader and card) goes in before the first
    // frame is drawn.
    let mut flow = ControlFlow::Continue(());
    while flow.is_continue() {
        let Ok(ev) = rx.try_recv() else { break };
        flow = dispatch(&mut app, &mut term, ev);
    }
    let result = match flow {
        ControlFlow::Break(()) => Ok(()),
        ControlFlow::Continue(()) => {
            app.settle();
            app.refresh_queue();
            event_loop(&mut app, &mut term, &rx).map_err(RunError::Draw)
        }
    };
    finish_saving(&mut app, &mut term);
    drop(term); // restores the terminal
    let _ = wtx.send(WorkerMsg::Shutdown);
    let _ = worker.join();
    app.cards.readers.stop();
    result
}

/// Reader events go to the loop; the card side goes to the card thread.
fn start_readers(readers: &mut dyn Readers, tx: &Sender<AppEvent>) -> Box<dyn worker::CardSource> {
    let rtx = tx.clone();
    readers.start(Box::new(move |ev| {
        let _ = rtx.send(AppEvent::Reader(ev));
    }))
}

/// Support's window on this station (never a second PC/SC session).
fn open_support(tx: &Sender<AppEvent>) -> Support {
    let hub = Arc::new(status::Hub::default());
    let refresh = tx.clone();
    hub.on_refresh(move || {
        let _ = refresh.send(AppEvent::StatusRefresh);
    });
    let socket = status::socket_path();
    let socket_error = status::serve(Arc::clone(&hub), &socket).err().map(|e| {
        tracing::warn!(error = %e.error, reason = e.reason, "status socket not available");
        (socket.display().to_string(), e.reason)
    });
    Support {
        hub,
        recent: status::Recent::default(),
        socket_error,
    }
}

/// Quitting (the clerk's yes, SIGTERM, SIGHUP) while a record is being saved: the screen says
/// so and the station waits for the store to end — a confirmed enrollment is never dropped.
fn finish_saving(app: &mut App, term: &mut terminal::Term) {
    if !app.is_saving() {
        return;
    }
    app.shown.overlay = Overlay::Saving;
    if let Err(e) = term.draw(&app.view()) {
        tracing::warn!(error = %e, "draw failed");
    }
    tracing::info!("quitting: waiting for the record being saved");
    app.finish_saving();
}

/// Until a quit: Ok; Err when the terminal can't be drawn on.
fn event_loop(app: &mut App, term: &mut terminal::Term, rx: &Receiver<AppEvent>) -> std::io::Result<()> {
    let mut last_queue = Instant::now();
    loop {
        // Whatever woke the loop, the placement hint may have timed out meanwhile.
        app.update_hint();
        if app.shown.dirty {
            if std::mem::take(&mut app.shown.wipe_frames) {
                if let Err(e) = term.wipe() {
                    tracing::warn!(error = %e, "wiping the frames failed");
                }
            }
            if let Err(e) = term.draw(&app.view()) {
                tracing::warn!(error = %e, "draw failed");
                return Err(e);
            }
            app.shown.dirty = false;
        }
        // Only after an event: an idle station publishes (and costs) nothing.
        app.support.hub.publish(&app.status_snapshot());
        let busy = app.flow.busy() || matches!(app.flow.screen(), Screen::Sending { .. });
        let ev = match timeout(app, busy, last_queue) {
            Some(t) => match rx.recv_timeout(t) {
                Ok(ev) => Some(ev),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            },
            None => match rx.recv() {
                Ok(ev) => Some(ev),
                Err(_) => return Ok(()),
            },
        };
        match ev {
            None => {
                if busy {
                    app.shown.spinner += 1;
                    app.shown.dirty = true;
                }
                if app.wake_at.is_some_and(|w| app.now_ms() >= w) {
                    app.feed(flow::Event::Tick);
                }
                if last_queue.elapsed() >= QUEUE_EVERY {
                    last_queue = Instant::now();
                    app.refresh_queue();
                }
            }
            Some(ev) => {
                if dispatch(app, term, ev).is_break() {
                    return Ok(());
                }
            }
        }
        app.settle();
    }
}

/// How long the loop may sleep: until the flow's next deadline, a spinner frame while busy,
/// the placement hint's end, or a queue check while records wait for delivery. None: idle
/// and empty, block until an event.
fn timeout(app: &App, busy: bool, last_queue: Instant) -> Option<Duration> {
    let now = app.now_ms();
    let mut timeout: Option<Duration> = app.wake_at.map(|w| Duration::from_millis(w.saturating_sub(now)));
    let mut at_most = |d: Duration| timeout = Some(timeout.map_or(d, |t| t.min(d)));
    if busy {
        at_most(SPINNER_EVERY);
    }
    if let Some(end) = app.health.troubles.until(Instant::now()) {
        at_most(end.saturating_duration_since(Instant::now()));
    }
    if app.backend.queue.pending > 0 || app.flow.queue_full() {
        at_most(QUEUE_EVERY.saturating_sub(last_queue.elapsed()));
    }
    timeout
}

/// Handles one event; `Break` to quit.
fn dispatch(app: &mut App, term: &mut terminal::Term, ev: AppEvent) -> ControlFlow<()> {
    match ev {
        AppEvent::Quit => return ControlFlow::Break(()),
        AppEvent::StatusRefresh => {}
        AppEvent::Term(TermEvent::Key(k)) => {
            if !app.key(k) {
                return ControlFlow::Break(());
            }
        }
        AppEvent::Term(TermEvent::Resize(w, h)) => {
            app.shown.size = (w, h);
            app.shown.dirty = true;
            term.autoresize();
        }
        AppEvent::Term(_) => {}
        AppEvent::Reader(ev) => app.reader_event(ev),
        AppEvent::Card { reply, link } => app.card_answer(reply, link),
        AppEvent::Flow(ev) => app.backend_answer(ev),
    }
    ControlFlow::Continue(())
}
