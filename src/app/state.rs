//! What the runtime holds, grouped by who owns it, and how each event changes it: keys through
//! the key table, reader events, card replies with their link figures, stores and deliveries.
//! The flow decides; this file carries out its effects and keeps what the screen and support
//! show besides it. Nothing here blocks: the card, the backend and the terminal answer as
//! events on the loop's channel.

use super::pictures::OnScreen;
use super::readers::Readers;
use super::worker::WorkerMsg;
use super::{status, troubles, AppEvent, StationOptions};
use crate::card::CardError;
use crate::card::LinkStats;
use crate::flow::{self, Effect, Flow, Screen};
use crate::lang::Lang;
use crate::picture::Method;
use crate::reader::diagnostics::{CardState, Diagnostics, Pcscd};
use crate::reader::monitor::ReaderEvent;
use crate::seam::{QueueInfo, StationBackend};
use crate::ui::keys::{self, Action, Overlay};
use crate::ui::station::{self, CounterInfo, DemoSecrets, View};
use crate::ui::theme::Theme;
use crossterm::event::{KeyEvent, KeyEventKind};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Instant;

/// How many APDU round trips the diagnostics sparkline and support see.
pub const ROUND_TRIPS_KEPT: usize = 64;

/// What the station draws around the flow: the clerk's language, the texts, the overlay.
pub struct Shown {
    /// The clerk's language (the citizen's is the flow's).
    pub lang: Lang,
    pub theme: Theme,
    pub terms: Vec<(Lang, String)>,
    pub privacy: Vec<(Lang, String)>,
    pub counter: CounterInfo,
    pub demo_secrets: Option<DemoSecrets>,
    pub station_id: String,
    pub size: (u16, u16),
    /// What covers the step and holds the keyboard (F4's diagnostics, the quit question).
    pub overlay: Overlay,
    pub spinner: usize,
    /// Something visible changed: the loop draws.
    pub dirty: bool,
    /// A citizen's data was wiped: the frames drawn of it go before the next one is drawn.
    pub wipe_frames: bool,
    /// How this terminal draws pictures (decided once at start).
    pub graphics: Method,
    /// The card face's pictures on the terminal now.
    pub pictures: OnScreen,
    pub demo_face: Option<(String, String)>,
}

/// The readers, which one is the station's, and the card on it (held by the card thread).
pub struct Cards {
    pub diag: Diagnostics,
    pub readers: Box<dyn Readers>,
    /// The configured reader (exact name or a part of it).
    pub wanted: Option<String>,
    /// The station's reader now.
    pub chosen: Option<String>,
    /// F3 picked the reader: a card elsewhere does not move the station.
    pub pinned: bool,
    /// The card thread holds the card for a citizen.
    pub holding: bool,
    pub worker: Sender<WorkerMsg>,
}

/// How the link to the card fares, from the figures each card reply brings.
#[derive(Default)]
pub struct Health {
    /// The last APDU round trips (µs), oldest first.
    pub round_trips: Vec<u32>,
    pub resends: u32,
    pub transmit_errors: u32,
    /// Removals and transmit errors close together: the "card moved?" hint while they are.
    pub troubles: troubles::Troubles,
}

impl Health {
    /// Takes a reply's figures in. True when the figures shown changed.
    fn link(&mut self, link: LinkStats) -> bool {
        if link.round_trips_us.is_empty() && link.resends == 0 {
            return false;
        }
        self.resends += link.resends;
        self.round_trips.extend(link.round_trips_us);
        let over = self.round_trips.len().saturating_sub(ROUND_TRIPS_KEPT);
        self.round_trips.drain(..over);
        true
    }
}

/// The backend as the station sees it.
pub struct Backend {
    pub store: Arc<dyn StationBackend>,
    pub queue: QueueInfo,
    pub sealed: bool,
    /// The stores under way, each on its thread: waited for before the station exits.
    pub saving: Vec<std::thread::JoinHandle<()>>,
}

/// What support sees (`madoguchi status`), and the last errors and delivery for it.
#[derive(Default)]
pub struct Support {
    pub hub: Arc<status::Hub>,
    pub recent: status::Recent,
    /// Where the status socket is and why it could not be opened at start (a code; said on
    /// screen, not only logged).
    pub socket_error: Option<(String, &'static str)>,
}

/// The runtime's state: the flow, and around it what each part of the station owns.
pub struct App {
    /// The enrollment (pure: it decides, the rest carries out).
    pub flow: Flow,
    pub shown: Shown,
    pub cards: Cards,
    pub health: Health,
    pub backend: Backend,
    pub support: Support,
    /// The station's clock starts here (the flow's `now_ms`).
    pub started: Instant,
    /// When the flow wants a tick (ms since `started`).
    pub wake_at: Option<u64>,
    /// The loop's own channel: stores answer on it.
    pub events: Sender<AppEvent>,
}

impl App {
    /// The runtime's state at start; `worker` and `events` are the card thread's and the
    /// loop's channels.
    pub fn new(
        opts: StationOptions,
        worker: Sender<WorkerMsg>,
        events: Sender<AppEvent>,
        size: (u16, u16),
        support: Support,
        graphics: Method,
    ) -> App {
        let mut diag = Diagnostics::new();
        if !opts.readers.uses_pcscd() {
            diag.pcscd = Pcscd::NotUsed;
        }
        App {
            flow: Flow::new(opts.flow),
            shown: Shown {
                lang: opts.lang,
                theme: opts.theme,
                terms: opts.terms,
                privacy: opts.privacy,
                counter: opts.counter,
                demo_secrets: opts.demo_secrets,
                station_id: opts.station_id,
                size,
                overlay: Overlay::None,
                spinner: 0,
                dirty: true,
                wipe_frames: false,
                graphics,
                pictures: OnScreen::default(),
                demo_face: opts.demo_face,
            },
            cards: Cards {
                diag,
                wanted: opts.readers.wanted(),
                readers: opts.readers,
                chosen: None,
                pinned: false,
                holding: false,
                worker,
            },
            health: Health::default(),
            backend: Backend {
                sealed: opts.backend.sealed(),
                store: opts.backend,
                queue: QueueInfo::default(),
                saving: Vec::new(),
            },
            support,
            started: Instant::now(),
            wake_at: None,
            events,
        }
    }

    /// The snapshot support reads: codes, counts and timings, never personal data or input.
    pub fn status_snapshot(&self) -> status::Snapshot {
        let diag = &self.cards.diag;
        status::Snapshot {
            schema: 1,
            version: env!("CARGO_PKG_VERSION"),
            station_id: self.shown.station_id.clone(),
            uptime_secs: self.started.elapsed().as_secs(),
            step: format!("{:?}", self.flow.step()).to_lowercase(),
            busy: self.flow.busy(),
            reader: self.cards.chosen.clone(),
            pcscd_running: diag.pcscd == Pcscd::Running,
            pcscd: match diag.pcscd {
                Pcscd::Running => "running",
                Pcscd::Stopped => "stopped",
                Pcscd::Unknown => "unknown",
                Pcscd::NotUsed => "not_used",
            },
            readers: diag.readers.clone(),
            card_removals: diag.card_removals,
            transmit_errors: self.health.transmit_errors,
            placement_suspect: self.health.troubles.hint(),
            resends: self.health.resends,
            apdu_rtt_us: self.health.round_trips.clone(),
            errors: self.support.recent.errors.iter().cloned().collect(),
            queue: self.backend.queue.into(),
            last_delivery: self.support.recent.last_delivery.clone(),
            crl: self.backend.store.crl().map(Into::into),
        }
    }

    /// The card thread's answer: errors for support, the link's figures for the sparkline,
    /// the reply to the flow.
    pub fn card_answer(&mut self, reply: flow::Event, link: LinkStats) {
        if let flow::Event::Card { result: Err(e), .. } = &reply {
            self.support.recent.error(e);
            if matches!(e, CardError::Transport(_)) {
                self.health.transmit_errors += 1;
                self.trouble();
            }
            self.shown.dirty = true;
        }
        if self.health.link(link) {
            self.shown.dirty = true;
        }
        self.feed(reply);
    }

    /// What the backend tells the flow (a store's outcome, a delivery's verdict), noted for
    /// support on the way.
    pub fn backend_answer(&mut self, ev: flow::Event) {
        match &ev {
            flow::Event::Stored { result: Err(e), .. } => self.support.recent.store_failed(e),
            flow::Event::Delivered { verdict, .. } => self.support.recent.delivered(verdict),
            _ => {}
        }
        self.feed(ev);
        self.refresh_queue();
    }

    fn trouble(&mut self) {
        if self.health.troubles.push(Instant::now()) {
            self.shown.dirty = true;
        }
    }

    /// Takes the placement hint on or off as troubles cluster or calm down.
    pub fn update_hint(&mut self) {
        if self.health.troubles.update(Instant::now()) {
            self.shown.dirty = true;
        }
    }

    /// The terms shown to the citizen now, and, when they are not in the citizen's language
    /// for want of theirs, the language they are in.
    pub fn terms(&self) -> (&str, Option<Lang>) {
        shown(&self.shown.terms, self.flow.citizen_lang())
    }

    /// The privacy notice shown to the citizen now, as [`App::terms`].
    pub fn privacy(&self) -> (&str, Option<Lang>) {
        shown(&self.shown.privacy, self.flow.citizen_lang())
    }

    pub fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Hands the flow one event and carries out the effects it answers with.
    pub fn feed(&mut self, ev: flow::Event) {
        let v = self.flow.version();
        self.flow.set_today(crate::time::today_jst());
        let effects = self.flow.handle(self.now_ms(), ev);
        if self.flow.version() != v {
            self.shown.dirty = true;
        }
        self.wake_at = None;
        for e in effects {
            self.effect(e);
        }
    }

    fn effect(&mut self, e: Effect) {
        match e {
            Effect::Card { id, request } => {
                self.cards.holding = true;
                let _ = self.cards.worker.send(WorkerMsg::Request { id, request });
            }
            Effect::StoreSigned { id, record } => {
                let backend = Arc::clone(&self.backend.store);
                let tx = self.events.clone();
                self.saving(std::thread::spawn(move || {
                    let result = backend.store_signed(*record);
                    let _ = tx.send(AppEvent::Flow(flow::Event::Stored { id, result }));
                }));
            }
            Effect::StoreUnauthenticated { id, person, declared } => {
                let backend = Arc::clone(&self.backend.store);
                let tx = self.events.clone();
                self.saving(std::thread::spawn(move || {
                    let result = backend.store_unauthenticated(&person, &declared);
                    drop(person);
                    drop(declared);
                    let _ = tx.send(AppEvent::Flow(flow::Event::Stored { id, result }));
                }));
            }
            Effect::ReleaseCard => {
                self.cards.holding = false;
                let _ = self.cards.worker.send(WorkerMsg::Release);
            }
            // The flow dropped the citizen's data, and the copies moved into card requests and
            // stores die with them; what is left are the frames drawn of it.
            Effect::Wipe => {
                self.shown.wipe_frames = true;
                self.shown.dirty = true;
            }
            Effect::WakeAt(at) => self.wake_at = Some(self.wake_at.map_or(at, |w| w.min(at))),
        }
    }

    /// A store started: kept until it ends, so that quitting waits for it.
    fn saving(&mut self, store: std::thread::JoinHandle<()>) {
        self.backend.saving.retain(|h| !h.is_finished());
        self.backend.saving.push(store);
    }

    /// A record is being saved now.
    pub fn is_saving(&self) -> bool {
        self.backend.saving.iter().any(|h| !h.is_finished())
    }

    /// Waits for every store under way: a confirmed record is never dropped at exit (a quit
    /// or SIGTERM while one was being saved).
    pub fn finish_saving(&mut self) {
        for store in self.backend.saving.drain(..) {
            let _ = store.join();
        }
    }

    /// How the consent text wraps at this size, when the flow holds another page: the event
    /// that tells it. Only on the consent screen (wrapping the whole text on every key of a
    /// PIN entry would be work for nothing).
    pub fn consent_page(&self) -> Option<flow::Event> {
        let Screen::Consent { doc, notice, .. } = self.flow.screen() else {
            return None;
        };
        let (text, missing) = match doc {
            flow::Doc::Terms => self.terms(),
            flow::Doc::Privacy => self.privacy(),
        };
        let lang = self.flow.citizen_lang();
        let missing = missing.map(|shown| (*doc, shown));
        let (w, h) = self.shown.size;
        let (total, visible) = station::consent_layout_for(w, h, lang, text, missing, notice);
        ((total, visible) != self.flow.consent_layout()).then_some(flow::Event::ConsentLayout { total, visible })
    }

    /// After each event the loop handled: the flow learns the consent page it now shows (a
    /// resize, another language, back at the start). The page depends on nothing the flow
    /// changes when it takes the page, so once is enough.
    pub fn settle(&mut self) {
        if let Some(page) = self.consent_page() {
            self.feed(page);
        }
    }

    pub fn refresh_queue(&mut self) {
        let q = self.backend.store.queue();
        if q != self.backend.queue {
            self.backend.queue = q;
            self.shown.dirty = true;
        }
        let full = !self.backend.store.can_start_new();
        if full != self.flow.queue_full() {
            self.feed(flow::Event::QueueFull(full));
        }
    }

    /// Picks the reader: the configured one, else the first with a card (unless pinned by F3).
    pub fn choose_reader(&mut self) {
        let c = &self.cards;
        if c.pinned {
            return;
        }
        let readers = &c.diag.readers;
        // A card arriving in another reader must not pull a citizen's session away.
        let current_has_card = c
            .chosen
            .as_ref()
            .is_some_and(|r| readers.iter().any(|d| &d.name == r && d.card != CardState::Absent));
        if c.wanted.is_none() && current_has_card {
            return;
        }
        let chosen = match &c.wanted {
            Some(p) => readers
                .iter()
                .find(|r| r.name == *p)
                .or_else(|| readers.iter().find(|r| r.name.contains(p.as_str()))),
            None => readers.iter().find(|r| r.card != CardState::Absent).or(readers.first()),
        }
        .map(|r| r.name.clone());
        if chosen != self.cards.chosen {
            self.cards.chosen = chosen.clone();
            let _ = self.cards.worker.send(WorkerMsg::SelectReader(chosen));
            self.shown.dirty = true;
        }
    }

    pub fn reader_event(&mut self, ev: ReaderEvent) {
        self.support.recent.reader(&ev);
        if self.cards.diag.apply(&ev) {
            self.shown.dirty = true;
        }
        // Our own exclusive hold shows as "busy" to the monitor: that is us, not another program.
        if self.cards.holding {
            if let Some(r) = self.cards.chosen.clone() {
                let d = self.cards.diag.reader_mut(&r);
                if d.card == CardState::Busy {
                    d.card = CardState::Present;
                }
            }
        }
        if matches!(ev, ReaderEvent::CardRemoved { .. }) {
            self.trouble();
        }
        self.choose_reader();
        let ours = |r: &String| self.cards.chosen.as_ref() == Some(r);
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
    pub fn key(&mut self, k: KeyEvent) -> bool {
        if k.kind != KeyEventKind::Press {
            return true;
        }
        match keys::resolve(keys::facets(&self.flow, self.shown.overlay), &k) {
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
    pub fn action(&mut self, action: Action) -> bool {
        let shown = &mut self.shown;
        match action {
            // The citizen shares the keyboard: during an enrollment, quitting asks first.
            Action::Quit if self.flow.in_enrollment() && shown.overlay != Overlay::Quit => {
                shown.overlay = Overlay::Quit;
                shown.dirty = true;
            }
            Action::Quit | Action::QuitNow => return false,
            Action::Close => {
                shown.overlay = Overlay::None;
                shown.dirty = true;
            }
            Action::Flow(a) => self.feed(flow::Event::Action(a)),
            // The clerk's language only, round the picker's order: the citizen keeps theirs.
            Action::Language => {
                shown.lang = shown.lang.next();
                shown.dirty = true;
            }
            Action::Diagnostics => {
                shown.overlay = Overlay::Diagnostics;
                shown.dirty = true;
            }
            Action::NextReader => self.cycle_reader(),
            // The reader tells what happened to the card, as any reader does.
            Action::DemoCard => {
                self.cards.readers.pull_or_place();
            }
        }
        true
    }

    fn cycle_reader(&mut self) {
        let names: Vec<String> = self.cards.diag.readers.iter().map(|r| r.name.clone()).collect();
        if names.len() < 2 {
            return;
        }
        let next = match self
            .cards
            .chosen
            .as_ref()
            .and_then(|r| names.iter().position(|n| n == r))
        {
            Some(i) => names[(i + 1) % names.len()].clone(),
            None => names[0].clone(),
        };
        self.cards.pinned = true;
        self.cards.chosen = Some(next.clone());
        let _ = self.cards.worker.send(WorkerMsg::SelectReader(Some(next.clone())));
        self.feed(flow::Event::CardGone);
        if self
            .cards
            .diag
            .readers
            .iter()
            .any(|r| r.name == next && r.card == CardState::Present)
        {
            self.feed(flow::Event::CardPresent);
        }
        self.shown.dirty = true;
    }

    /// Where the card face's pictures go on the screen as it is now (none under an overlay,
    /// off the confirm screen, or where the terminal draws none).
    pub fn wanted_pictures(&self) -> Vec<(station::FacePicture, crate::picture::Cells)> {
        let (w, h) = self.shown.size;
        station::pictures(&self.view(), ratatui::layout::Rect::new(0, 0, w, h))
    }

    pub fn view(&self) -> View<'_> {
        let s = &self.shown;
        View {
            flow: &self.flow,
            lang: s.lang,
            theme: &s.theme,
            diag: &self.cards.diag,
            reader: self.cards.chosen.as_deref(),
            terms: self.terms().0,
            terms_missing: self.terms().1,
            station_id: &s.station_id,
            queue: self.backend.queue,
            sealed: self.backend.sealed,
            overlay: s.overlay,
            spinner: s.spinner,
            privacy: (!s.privacy.is_empty()).then(|| self.privacy().0),
            privacy_missing: self.privacy().1,
            counter: &s.counter,
            demo_secrets: s.demo_secrets.as_ref(),
            crl: self.backend.store.crl(),
            health: station::Health {
                round_trips: &self.health.round_trips,
                resends: self.health.resends,
                transmit_errors: self.health.transmit_errors,
                placement_suspect: self.health.troubles.hint(),
            },
            status_socket_error: self
                .support
                .socket_error
                .as_ref()
                .map(|(path, reason)| station::SocketTrouble { path, reason }),
            graphics: s.graphics,
            demo_face: s.demo_face.as_ref().map(|(y, c)| (y.as_str(), c.as_str())),
        }
    }
}

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
