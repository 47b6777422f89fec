//! The station runtime: wires terminal keys, the reader monitor, the card thread and the
//! backend into the pure `flow`, and draws with `ui` only when something visible changed (an
//! idle station writes nothing). Data flows one way: events → flow → effects → events.

mod probe;
pub mod status;
pub mod terminal;
mod troubles;
pub mod worker;

use crate::card::CardError;
use crate::flow::{self, Effect, Flow, Screen, Verdict};
use crate::lang::Lang;
use crate::reader::diagnostics::{CardState, Diagnostics, Pcscd};
use crate::reader::monitor::{Monitor, ReaderEvent};
use crate::seam::QueueInfo;
use crate::ui::keys::{self, Action, Overlay};
use crate::ui::station::{self, CounterInfo, View};
use crate::ui::theme::Theme;
use crossterm::event::{Event as TermEvent, KeyEvent, KeyEventKind};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};
use worker::{CardSource, WorkerMsg};

pub use crate::seam::{BackendError, FinishError, Prepared, StationBackend};

pub enum AppEvent {
    Term(TermEvent),
    Reader(ReaderEvent),
    Card {
        id: u64,
        result: Result<flow::CardReply, CardError>,
    },
    Stored {
        id: u64,
        result: Result<String, BackendError>,
    },
    Delivered {
        enrollment_id: String,
        verdict: Verdict,
    },
    /// Support asked for the status now: the loop publishes a fresh snapshot.
    StatusRefresh,
    Quit,
}

pub enum CardSetup {
    /// A PC/SC reader (exact name or substring from the config; None: first with a card).
    Pcsc { reader: Option<String> },
    /// The demo: the virtual card is "on the reader" from the start; F8 pulls/places it.
    Virtual(worker::VirtualSource),
}

pub struct StationOptions {
    /// The clerk's language (status line, help line, diagnostics); the citizen's is the flow's.
    pub lang: Lang,
    pub theme: Theme,
    /// The terms in each language that has them; Japanese first (shown, with a line saying
    /// so, when the citizen's language has none).
    pub terms: Vec<(Lang, String)>,
    pub station_id: String,
    pub flow: flow::FlowConfig,
    pub card: CardSetup,
    pub backend: Arc<dyn StationBackend>,
    /// The privacy notice shown after the terms (config `privacy_file`), by language as
    /// `terms`; empty: none.
    pub privacy: Vec<(Lang, String)>,
    /// The operator's lines (config `[operator]`).
    pub counter: CounterInfo,
    /// The demo card's PIN and password, shown on screen (demo only).
    pub demo_secrets: Option<(String, Option<String>)>,
}

struct App {
    flow: Flow,
    lang: Lang,
    theme: Theme,
    terms: Vec<(Lang, String)>,
    station_id: String,
    diag: Diagnostics,
    reader_pattern: Option<String>,
    reader: Option<String>,
    pinned_reader: bool,
    /// What covers the step and holds the keyboard (F4's diagnostics, the quit question).
    overlay: Overlay,
    spinner: usize,
    queue: QueueInfo,
    sealed: bool,
    size: (u16, u16),
    started: Instant,
    wake_at: Option<u64>,
    dirty: bool,
    holding_card: bool,
    demo_present: Option<Arc<std::sync::atomic::AtomicBool>>,
    worker: Sender<WorkerMsg>,
    events: Sender<AppEvent>,
    backend: Arc<dyn StationBackend>,
    privacy: Vec<(Lang, String)>,
    counter: CounterInfo,
    demo_secrets: Option<(String, Option<String>)>,
    /// What support sees (`madoguchi status`), and the last errors and delivery for it.
    status: Arc<status::Hub>,
    recent: status::Recent,
    transmit_errors: u32,
    /// Removals and transmit errors close together: the "card moved?" hint while they are.
    troubles: troubles::Troubles,
    /// The last APDU round trips (µs), for the diagnostics sparkline.
    round_trips: Vec<u32>,
    /// Why the status socket could not be opened at start (said on screen, not only logged).
    status_socket_error: Option<String>,
    /// A citizen's data was wiped: the frames drawn of it go before the next one is drawn.
    wipe_frames: bool,
}

impl App {
    /// The snapshot support reads: codes, counts and timings, never personal data or input.
    fn status_snapshot(&self) -> status::Snapshot {
        status::Snapshot {
            schema: 1,
            version: env!("CARGO_PKG_VERSION"),
            station_id: self.station_id.clone(),
            uptime_secs: self.started.elapsed().as_secs(),
            step: format!("{:?}", self.flow.step()).to_lowercase(),
            busy: self.flow.busy(),
            reader: self.reader.clone(),
            pcscd_running: self.diag.pcscd == Pcscd::Running,
            pcscd: match self.diag.pcscd {
                Pcscd::Running => "running",
                Pcscd::Stopped => "stopped",
                Pcscd::Unknown => "unknown",
                Pcscd::NotUsed => "not_used",
            },
            readers: self.diag.readers.clone(),
            card_removals: self.diag.card_removals,
            transmit_errors: self.transmit_errors,
            placement_suspect: self.troubles.hint(),
            resends: crate::card::guard::resends(),
            apdu_rtt_us: self.round_trips.clone(),
            errors: self.recent.errors.iter().cloned().collect(),
            queue: self.queue.into(),
            last_delivery: self.recent.last_delivery.clone(),
            crl: self.backend.crl().map(Into::into),
        }
    }

    /// After a card request: errors for support, and the round trips for the sparkline.
    fn card_result(&mut self, result: &Result<flow::CardReply, CardError>) {
        if let Err(e) = result {
            self.recent.error(e);
            if matches!(e, CardError::Transport(_)) {
                self.transmit_errors += 1;
                self.trouble();
            }
            self.dirty = true;
        }
        let rtts = crate::card::guard::recent_round_trips();
        if rtts != self.round_trips {
            self.round_trips = rtts;
            self.dirty = true;
        }
    }

    fn stored(&mut self, id: u64, result: Result<String, BackendError>) {
        if let Err(e) = &result {
            self.recent.store_failed(e);
        }
        self.feed(flow::Event::Stored { id, result });
        self.refresh_queue();
    }

    fn delivered(&mut self, enrollment_id: String, verdict: Verdict) {
        self.recent.delivered(&verdict);
        self.feed(flow::Event::Delivered { enrollment_id, verdict });
        self.refresh_queue();
    }

    fn trouble(&mut self) {
        if self.troubles.push(Instant::now()) {
            self.dirty = true;
        }
    }

    /// Takes the placement hint on or off as troubles cluster or calm down.
    fn update_hint(&mut self) {
        if self.troubles.update(Instant::now()) {
            self.dirty = true;
        }
    }

    /// The terms shown to the citizen now, and, when they are not in the citizen's language
    /// for want of theirs, the language they are in.
    fn terms(&self) -> (&str, Option<Lang>) {
        shown(&self.terms, self.flow.citizen_lang())
    }

    /// The privacy notice shown to the citizen now, as [`App::terms`].
    fn privacy(&self) -> (&str, Option<Lang>) {
        shown(&self.privacy, self.flow.citizen_lang())
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn feed(&mut self, ev: flow::Event) {
        let is_layout = matches!(ev, flow::Event::ConsentLayout { .. });
        let v = self.flow.version();
        self.flow.set_today(crate::time::today_jst());
        let effects = self.flow.handle(self.now_ms(), ev);
        if self.flow.version() != v {
            self.dirty = true;
        }
        self.wake_at = None;
        for e in effects {
            self.effect(e);
        }
        // Back at the start (start-over, timeout, next citizen): the notice may change the
        // lines available. Stops recursing once the flow has the same layout.
        if !is_layout {
            self.consent_layout();
        }
    }

    fn effect(&mut self, e: Effect) {
        match e {
            Effect::Card { id, request } => {
                self.holding_card = true;
                let _ = self.worker.send(WorkerMsg::Request { id, request });
            }
            Effect::StoreSigned { id, record } => {
                let backend = Arc::clone(&self.backend);
                let tx = self.events.clone();
                std::thread::spawn(move || {
                    let result = backend.store_signed(*record);
                    let _ = tx.send(AppEvent::Stored { id, result });
                });
            }
            Effect::StoreUnsigned { id, person, declared } => {
                let backend = Arc::clone(&self.backend);
                let tx = self.events.clone();
                std::thread::spawn(move || {
                    let result = backend.store_unsigned(&person, &declared);
                    drop(person);
                    drop(declared);
                    let _ = tx.send(AppEvent::Stored { id, result });
                });
            }
            Effect::ReleaseCard => {
                self.holding_card = false;
                let _ = self.worker.send(WorkerMsg::Release);
            }
            // The flow dropped the citizen's data, and the copies moved into card requests and
            // stores die with them; what is left are the frames drawn of it.
            Effect::Wipe => {
                self.wipe_frames = true;
                self.dirty = true;
            }
            Effect::WakeAt(at) => self.wake_at = Some(self.wake_at.map_or(at, |w| w.min(at))),
        }
    }

    /// Tells the flow how the terms wrap at this size. Only on the consent screen: wrapping
    /// the whole text on every key of a PIN entry would be work for nothing.
    fn consent_layout(&mut self) {
        let (doc, notice) = match self.flow.screen() {
            Screen::Consent { doc, notice, .. } => (*doc, notice.clone()),
            _ => return,
        };
        let (text, missing) = match doc {
            flow::Doc::Terms => self.terms(),
            flow::Doc::Privacy => self.privacy(),
        };
        let lang = self.flow.citizen_lang();
        let missing = missing.map(|shown| (doc, shown));
        let (total, visible) = station::consent_layout_for(self.size.0, self.size.1, lang, text, missing, &notice);
        if (total, visible) != self.flow.consent_layout() {
            self.feed(flow::Event::ConsentLayout { total, visible });
        }
    }

    fn refresh_queue(&mut self) {
        let q = self.backend.queue();
        if q != self.queue {
            self.queue = q;
            self.dirty = true;
        }
        let full = !self.backend.can_start_new();
        if full != self.flow.queue_full() {
            self.feed(flow::Event::QueueFull(full));
        }
    }

    /// Picks the reader: the configured one, else the first with a card (unless pinned by F3).
    fn choose_reader(&mut self) {
        if self.pinned_reader {
            return;
        }
        let names: Vec<&crate::reader::diagnostics::ReaderDiag> = self.diag.readers.iter().collect();
        // A card arriving in another reader must not pull a citizen's session away.
        let current_has_card = self
            .reader
            .as_ref()
            .is_some_and(|r| names.iter().any(|d| &d.name == r && d.card != CardState::Absent));
        if self.reader_pattern.is_none() && current_has_card {
            return;
        }
        let chosen = match &self.reader_pattern {
            Some(p) => names
                .iter()
                .find(|r| r.name == *p)
                .or_else(|| names.iter().find(|r| r.name.contains(p.as_str()))),
            None => names.iter().find(|r| r.card != CardState::Absent).or(names.first()),
        }
        .map(|r| r.name.clone());
        if chosen != self.reader {
            self.reader = chosen.clone();
            let _ = self.worker.send(WorkerMsg::SelectReader(chosen));
            self.dirty = true;
        }
    }

    fn reader_event(&mut self, ev: ReaderEvent) {
        self.recent.reader(&ev);
        if self.diag.apply(&ev) {
            self.dirty = true;
        }
        // Our own exclusive hold shows as "busy" to the monitor: that is us, not another program.
        if self.holding_card {
            if let Some(r) = self.reader.clone() {
                let d = self.diag.reader_mut(&r);
                if d.card == CardState::Busy {
                    d.card = CardState::Present;
                }
            }
        }
        if matches!(ev, ReaderEvent::CardRemoved { .. }) {
            self.trouble();
        }
        self.choose_reader();
        let ours = |r: &String| self.reader.as_ref() == Some(r);
        match &ev {
            ReaderEvent::CardInserted { reader, .. } if ours(reader) => self.feed(flow::Event::CardPresent),
            ReaderEvent::CardRemoved { reader } | ReaderEvent::ReaderRemoved { reader } if ours(reader) => {
                // A removal ends the card session at any step (the flow keeps what the citizen
                // confirmed): a handle kept past it would hold the reader for the card put back.
                self.effect(Effect::ReleaseCard);
                self.feed(flow::Event::CardGone)
            }
            ReaderEvent::ServiceDown => self.feed(flow::Event::CardGone),
            _ => {}
        }
    }

    /// A key, as the table in `ui::keys` reads it for what is on view: the station's actions
    /// here, the step's to the flow; a key that asks nothing still keeps the session. Returns
    /// false to quit.
    fn key(&mut self, k: KeyEvent) -> bool {
        if k.kind != KeyEventKind::Press {
            return true;
        }
        match keys::resolve(keys::facets(&self.flow, self.overlay), &k) {
            Some(Action::Flow(a)) => {
                self.feed(flow::Event::Action(a));
                true
            }
            Some(action) => self.action(action),
            None => {
                self.feed(flow::Event::Activity);
                true
            }
        }
    }

    /// Does what a station-wide key asks. Returns false to quit.
    fn action(&mut self, action: Action) -> bool {
        match action {
            // The citizen shares the keyboard: during an enrollment, quitting asks first.
            Action::Quit if self.flow.in_enrollment() && self.overlay != Overlay::Quit => {
                self.overlay = Overlay::Quit;
                self.dirty = true;
            }
            Action::Quit | Action::QuitNow => return false,
            Action::Close => {
                self.overlay = Overlay::None;
                self.dirty = true;
            }
            Action::Flow(a) => self.feed(flow::Event::Action(a)),
            // The clerk's language only, round the picker's order: the citizen keeps theirs.
            Action::Language => {
                self.lang = self.lang.next();
                self.dirty = true;
                self.consent_layout();
            }
            Action::Diagnostics => {
                self.overlay = Overlay::Diagnostics;
                self.dirty = true;
            }
            Action::NextReader => self.cycle_reader(),
            Action::DemoCard => {
                if let Some(p) = &self.demo_present {
                    let now = !p.load(std::sync::atomic::Ordering::SeqCst);
                    p.store(now, std::sync::atomic::Ordering::SeqCst);
                    let r = self.reader.clone().unwrap_or_default();
                    self.reader_event(if now {
                        ReaderEvent::CardInserted {
                            reader: r,
                            atr: crate::card::vcard::DEFAULT_ATR.to_vec(),
                        }
                    } else {
                        ReaderEvent::CardRemoved { reader: r }
                    });
                }
            }
        }
        true
    }

    fn cycle_reader(&mut self) {
        let names: Vec<String> = self.diag.readers.iter().map(|r| r.name.clone()).collect();
        if names.len() < 2 {
            return;
        }
        let next = match self.reader.as_ref().and_then(|r| names.iter().position(|n| n == r)) {
            Some(i) => names[(i + 1) % names.len()].clone(),
            None => names[0].clone(),
        };
        self.pinned_reader = true;
        self.reader = Some(next.clone());
        let _ = self.worker.send(WorkerMsg::SelectReader(Some(next.clone())));
        self.feed(flow::Event::CardGone);
        if self
            .diag
            .readers
            .iter()
            .any(|r| r.name == next && r.card == CardState::Present)
        {
            self.feed(flow::Event::CardPresent);
        }
        self.dirty = true;
    }

    fn view<'a>(&'a self) -> View<'a> {
        View {
            flow: &self.flow,
            lang: self.lang,
            theme: &self.theme,
            diag: &self.diag,
            reader: self.reader.as_deref(),
            terms: self.terms().0,
            terms_missing: self.terms().1,
            station_id: &self.station_id,
            queue: self.queue,
            sealed: self.sealed,
            overlay: self.overlay,
            spinner: self.spinner,
            privacy: (!self.privacy.is_empty()).then(|| self.privacy().0),
            privacy_missing: self.privacy().1,
            counter: &self.counter,
            demo_secrets: self.demo_secrets.as_ref().map(|(p, w)| (p.as_str(), w.as_deref())),
            crl: self.backend.crl(),
            health: station::Health {
                round_trips: &self.round_trips,
                resends: crate::card::guard::resends(),
                transmit_errors: self.transmit_errors,
                placement_suspect: self.troubles.hint(),
            },
            status_socket_error: self.status_socket_error.as_deref(),
        }
    }
}

/// Runs the station until Ctrl-C, SIGTERM or SIGHUP. Returns the exit code.
pub fn run(opts: StationOptions) -> u8 {
    let (tx, rx) = mpsc::channel::<AppEvent>();
    let (wtx, wrx) = mpsc::channel::<WorkerMsg>();
    let mut demo_present = None;
    let mut diag = Diagnostics::new();
    let (source, reader_pattern): (Box<dyn CardSource>, Option<String>) = match opts.card {
        CardSetup::Pcsc { reader } => (Box::new(worker::PcscSource::new(None)), reader),
        CardSetup::Virtual(v) => {
            demo_present = Some(Arc::clone(&v.present));
            // No pcscd: the demo's card is in-process (the diagnostics must not claim one runs).
            diag.pcscd = Pcscd::NotUsed;
            diag.apply(&ReaderEvent::ReaderAdded {
                reader: DEMO_READER.into(),
            });
            (Box::new(v), Some(DEMO_READER.to_string()))
        }
    };
    let backend = Arc::clone(&opts.backend);
    let worker_tx = tx.clone();
    let worker = std::thread::Builder::new()
        .name("card".into())
        .spawn(move || worker::run(source, backend, wrx, worker_tx))
        .expect("card thread");

    let monitor = if demo_present.is_none() {
        let mtx = tx.clone();
        Some(Monitor::spawn(move |ev| {
            let _ = mtx.send(AppEvent::Reader(ev));
        }))
    } else {
        None
    };
    {
        let dtx = tx.clone();
        opts.backend.start_delivery(Box::new(move |enrollment_id, verdict| {
            let _ = dtx.send(AppEvent::Delivered { enrollment_id, verdict });
        }));
    }
    terminal::spawn_signal_listener(tx.clone());

    // Support's window on this station (never a second PC/SC session).
    let status_hub = Arc::new(status::Hub::default());
    let refresh = tx.clone();
    status_hub.on_refresh(move || {
        let _ = refresh.send(AppEvent::StatusRefresh);
    });
    let socket = status::socket_path();
    let status_socket_error = status::serve(Arc::clone(&status_hub), &socket).err().map(|e| {
        tracing::warn!(error = %e, "status socket not available");
        format!("{}: {e}", socket.display())
    });
    let mut term = match terminal::Term::enter() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("madoguchi: cannot use this terminal: {e}");
            let _ = wtx.send(WorkerMsg::Shutdown);
            return 1;
        }
    };
    terminal::spawn_key_reader(tx.clone());
    let size = term.size();
    let mut app = App {
        flow: Flow::new(opts.flow),
        lang: opts.lang,
        theme: opts.theme,
        terms: opts.terms,
        station_id: opts.station_id,
        diag,
        reader_pattern,
        reader: None,
        pinned_reader: false,
        overlay: Overlay::None,
        spinner: 0,
        queue: QueueInfo::default(),
        sealed: opts.backend.sealed(),
        size,
        started: Instant::now(),
        wake_at: None,
        dirty: true,
        holding_card: false,
        demo_present: demo_present.clone(),
        worker: wtx.clone(),
        events: tx.clone(),
        backend: Arc::clone(&opts.backend),
        privacy: opts.privacy,
        counter: opts.counter,
        demo_secrets: opts.demo_secrets,
        status: Arc::clone(&status_hub),
        recent: status::Recent::default(),
        transmit_errors: 0,
        troubles: Default::default(),
        round_trips: Vec::new(),
        status_socket_error,
        wipe_frames: false,
    };
    app.choose_reader();
    if let Some(p) = &demo_present {
        if p.load(std::sync::atomic::Ordering::SeqCst) {
            app.reader_event(ReaderEvent::CardInserted {
                reader: DEMO_READER.into(),
                atr: crate::card::vcard::DEFAULT_ATR.to_vec(),
            });
        }
    }
    app.consent_layout();
    app.refresh_queue();
    let code = event_loop(&mut app, &mut term, &rx);
    drop(term); // restores the terminal
    let _ = wtx.send(WorkerMsg::Shutdown);
    let _ = worker.join();
    if let Some(m) = monitor {
        m.stop();
    }
    code
}

pub const DEMO_READER: &str = "Demo card reader";

/// The text of `texts` (terms, privacy notice) a citizen in `lang` reads and, when it is not
/// theirs, the language of the one shown for want of it: the Japanese one, else the first.
/// The backend signs the hash of the same choice (`StationStore::statement`).
fn shown(texts: &[(Lang, String)], lang: Lang) -> (&str, Option<Lang>) {
    match texts.iter().find(|(l, _)| *l == lang) {
        Some((_, t)) => (t, None),
        None => match texts.iter().find(|(l, _)| *l == Lang::Ja).or(texts.first()) {
            Some((l, t)) => (t, Some(*l)),
            None => ("", None),
        },
    }
}

fn event_loop(app: &mut App, term: &mut terminal::Term, rx: &Receiver<AppEvent>) -> u8 {
    let spinner_every = Duration::from_millis(200);
    let queue_every = Duration::from_secs(2);
    let mut last_queue = Instant::now();
    loop {
        // Whatever woke the loop, the placement hint may have timed out meanwhile.
        app.update_hint();
        if app.dirty {
            if std::mem::take(&mut app.wipe_frames) {
                if let Err(e) = term.wipe() {
                    tracing::warn!(error = %e, "wiping the frames failed");
                }
            }
            if let Err(e) = term.draw(&app.view()) {
                tracing::warn!(error = %e, "draw failed");
                return 1;
            }
            app.dirty = false;
        }
        // Only after an event: an idle station publishes (and costs) nothing.
        app.status.publish(&app.status_snapshot());
        // Sleep until the flow's next deadline, a spinner frame while busy, or a queue check
        // while records wait for delivery. Idle and empty: block until an event.
        let now = app.now_ms();
        let mut timeout: Option<Duration> = app.wake_at.map(|w| Duration::from_millis(w.saturating_sub(now)));
        let busy = app.flow.busy() || matches!(app.flow.screen(), Screen::Sending { .. });
        if busy {
            timeout = Some(timeout.map_or(spinner_every, |t| t.min(spinner_every)));
        }
        if let Some(end) = app.troubles.until(Instant::now()) {
            let left = end.saturating_duration_since(Instant::now());
            timeout = Some(timeout.map_or(left, |t| t.min(left)));
        }
        if app.queue.pending > 0 || app.flow.queue_full() {
            let left = queue_every.saturating_sub(last_queue.elapsed());
            timeout = Some(timeout.map_or(left, |t| t.min(left)));
        }
        let ev = match timeout {
            Some(t) => match rx.recv_timeout(t) {
                Ok(ev) => Some(ev),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return 0,
            },
            None => match rx.recv() {
                Ok(ev) => Some(ev),
                Err(_) => return 0,
            },
        };
        match ev {
            None => {
                if busy {
                    app.spinner += 1;
                    app.dirty = true;
                }
                if app.wake_at.is_some_and(|w| app.now_ms() >= w) {
                    app.feed(flow::Event::Tick);
                }
                if last_queue.elapsed() >= queue_every {
                    last_queue = Instant::now();
                    app.refresh_queue();
                }
            }
            Some(AppEvent::Quit) => return 0,
            Some(AppEvent::StatusRefresh) => {}
            Some(AppEvent::Term(TermEvent::Key(k))) => {
                if !app.key(k) {
                    return 0;
                }
            }
            Some(AppEvent::Term(TermEvent::Resize(w, h))) => {
                app.size = (w, h);
                app.dirty = true;
                term.autoresize();
                app.consent_layout();
            }
            Some(AppEvent::Term(_)) => {}
            Some(AppEvent::Reader(ev)) => app.reader_event(ev),
            Some(AppEvent::Card { id, result }) => {
                app.card_result(&result);
                app.feed(flow::Event::Card { id, result })
            }
            Some(AppEvent::Stored { id, result }) => app.stored(id, result),
            Some(AppEvent::Delivered { enrollment_id, verdict }) => app.delivered(enrollment_id, verdict),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An App without a terminal, a card thread or a reader monitor (their channels go
    /// nowhere): enough to drive station-wide keys and read what the view would show.
    fn app(citizen: Lang, terms: Vec<(Lang, String)>, privacy: Vec<(Lang, String)>) -> (App, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "madoguchi-app-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let store =
            crate::backend::station::StationStore::open(dir.join("o.sqlite3"), 10, "s", "t", "規約", None, None)
                .unwrap();
        let (events, _) = mpsc::channel();
        let (worker, _) = mpsc::channel();
        let flow = Flow::new(flow::FlowConfig {
            lang: citizen,
            privacy: !privacy.is_empty(),
            ..flow::FlowConfig::default()
        });
        let app = App {
            flow,
            lang: Lang::Ja,
            theme: Theme::named("default").unwrap(),
            terms,
            station_id: "s".into(),
            diag: Diagnostics::new(),
            reader_pattern: None,
            reader: None,
            pinned_reader: false,
            overlay: Overlay::None,
            spinner: 0,
            queue: QueueInfo::default(),
            sealed: false,
            size: (80, 24),
            started: Instant::now(),
            wake_at: None,
            dirty: false,
            holding_card: false,
            demo_present: None,
            worker,
            events,
            backend: Arc::new(store),
            privacy,
            counter: CounterInfo::default(),
            demo_secrets: None,
            status: Arc::new(status::Hub::default()),
            recent: status::Recent::default(),
            transmit_errors: 0,
            troubles: Default::default(),
            round_trips: Vec::new(),
            status_socket_error: None,
            wipe_frames: false,
        };
        (app, dir)
    }

    #[test]
    fn f9_cycles_the_clerks_language_through_every_language_and_leaves_the_citizens() {
        let (mut app, dir) = app(Lang::Ko, vec![(Lang::Ja, "規約".into())], vec![]);
        let mut seen = vec![app.lang];
        for _ in 0..Lang::ALL.len() {
            assert!(app.action(Action::Language));
            assert!(app.dirty);
            seen.push(app.lang);
            assert_eq!(app.flow.citizen_lang(), Lang::Ko, "the citizen's language is theirs");
        }
        use Lang::*;
        assert_eq!(seen, [Ja, En, ZhHans, Ko, Es, PtBr, Vi, Ja]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_privacy_notice_is_the_citizens_or_the_japanese_one_with_a_note() {
        let privacy = vec![(Lang::Ja, "個人情報".to_string()), (Lang::Ko, "개인정보".to_string())];
        let (ko, dir) = app(Lang::Ko, vec![(Lang::Ja, "規約".into())], privacy.clone());
        assert_eq!(ko.privacy(), ("개인정보", None));
        assert_eq!((ko.view().privacy, ko.view().privacy_missing), (Some("개인정보"), None));
        let _ = std::fs::remove_dir_all(&dir);
        let (vi, dir) = app(Lang::Vi, vec![(Lang::Ja, "規約".into())], privacy);
        assert_eq!(
            (vi.view().privacy, vi.view().privacy_missing),
            (Some("個人情報"), Some(Lang::Ja))
        );
        assert_eq!(vi.terms(), ("規約", Some(Lang::Ja)));
        // A station whose only terms are English: a Korean citizen is told it is English.
        let (en_only, dir2) = app(Lang::Ko, vec![(Lang::En, "Terms".into())], vec![]);
        assert_eq!(en_only.terms(), ("Terms", Some(Lang::En)));
        let _ = std::fs::remove_dir_all(&dir2);
        let _ = std::fs::remove_dir_all(&dir);
        let (none, dir) = app(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![]);
        assert_eq!(none.view().privacy, None);
        let _ = std::fs::remove_dir_all(&dir);
    }
    #[test]
    fn removals_close_together_raise_the_placement_hint_in_the_view_and_the_status() {
        let (mut app, dir) = app(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![]);
        let reader = "Reader 0".to_string();
        let insert = || ReaderEvent::CardInserted {
            reader: reader.clone(),
            atr: crate::card::vcard::DEFAULT_ATR.to_vec(),
        };
        for i in 0..3 {
            assert!(!app.view().health.placement_suspect, "after {i} removals");
            app.reader_event(insert());
            app.reader_event(ReaderEvent::CardRemoved { reader: reader.clone() });
        }
        assert!(app.view().health.placement_suspect);
        assert!(app.status_snapshot().placement_suspect);
        assert_eq!(app.status_snapshot().card_removals, 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
    #[test]
    fn support_sees_store_delivery_and_reader_errors_not_only_card_ones() {
        let (mut app, dir) = app(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![]);
        app.reader_event(ReaderEvent::ServiceDown);
        app.stored(99, Err(BackendError::QueueFull));
        app.delivered("e-1".into(), Verdict::Queued);
        app.card_result(&Err(CardError::Transport(crate::card::TransportError::CardRemoved)));
        let snap = app.status_snapshot();
        let codes: Vec<&str> = snap.errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["pcscd_down", "outbox_full", "delivery_failed", "card_removed"]);
        assert_eq!(snap.last_delivery.map(|d| d.result), Some("queued"));
        // The last 20 only.
        for _ in 0..30 {
            app.reader_event(ReaderEvent::ServiceDown);
        }
        assert_eq!(app.status_snapshot().errors.len(), status::Recent::KEEP);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn after_start_over_no_frame_keeps_the_confirm_view() {
        use crate::card::basic4;
        use crate::ui::station::draw;
        use ratatui::backend::TestBackend;
        use ratatui::Terminal;
        let (mut app, dir) = app(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![]);
        let (name, address) = ("山田\u{3000}太郎", "東京都千代田区千代田１－１");
        let person = basic4::decode(&basic4::encode(name, address, "19800217", b'1', false)).unwrap();
        // To the confirm screen: the flow's card requests are answered here.
        let mut now = 0;
        let mut step = |app: &mut App, ev: flow::Event| {
            now += 10;
            app.flow.handle(now, ev).into_iter().find_map(|e| match e {
                Effect::Card { id, .. } => Some(id),
                _ => None,
            })
        };
        step(&mut app, flow::Event::ConsentLayout { total: 1, visible: 10 });
        step(&mut app, flow::Event::CardPresent);
        step(
            &mut app,
            flow::Event::Action(flow::Action::Scroll(flow::Scroll::Bottom)),
        );
        let id = step(&mut app, flow::Event::Action(flow::Action::Submit)).expect("probe asked");
        let id = step(
            &mut app,
            flow::Event::Card {
                id,
                result: Ok(flow::CardReply::Probed(Default::default())),
            },
        )
        .expect("tries asked");
        step(
            &mut app,
            flow::Event::Card {
                id,
                result: Ok(flow::CardReply::Tries(3)),
            },
        );
        for c in "1234".chars() {
            step(&mut app, flow::Event::Action(flow::Action::Type(c)));
        }
        let id = step(&mut app, flow::Event::Action(flow::Action::Submit)).expect("read asked");
        step(
            &mut app,
            flow::Event::Card {
                id,
                result: Ok(flow::CardReply::Read(person)),
            },
        );
        assert!(matches!(app.flow.screen(), Screen::Confirm { .. }));

        let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
        t.draw(|f| draw(f, &app.view())).unwrap();
        assert!(format!("{}", t.backend()).contains("千代田"));
        // The terminal shrinks (an SSH window made smaller): the rows with the four items are
        // past the end of the smaller frames now.
        t.backend_mut().resize(100, 5);
        t.draw(|f| draw(f, &app.view())).unwrap();

        // Esc: start over. The event loop wipes the frames before it draws the next one.
        assert!(app.key(KeyEvent::from(crossterm::event::KeyCode::Esc)));
        assert!(app.flow.person().is_none());
        if std::mem::take(&mut app.wipe_frames) {
            terminal::wipe_frames(&mut t).unwrap();
        }
        t.draw(|f| draw(f, &app.view())).unwrap();
        for _ in 0..2 {
            let kept = terminal::bytes_of(&t.current_buffer_mut().content);
            for c in name.chars().chain(address.chars()).filter(|c| !c.is_ascii()) {
                let mut utf8 = [0u8; 4];
                let c = c.encode_utf8(&mut utf8).as_bytes();
                assert!(
                    !kept.windows(c.len()).any(|w| w == c),
                    "a frame still holds {:?}",
                    std::str::from_utf8(c)
                );
            }
            t.swap_buffers();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
