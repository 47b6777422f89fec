//! The enrollment as a pure state machine: events in, effects out. No terminal, no threads,
//! no I/O, no clock (time comes in with events). Everything a citizen's PIN and data depend on
//! is decided here and unit tested:
//!
//! - tries are shown before typing (input is ignored until the count is known);
//! - a PIN try is spent only on Enter with a well-formed PIN, exactly once (one `Verify…`
//!   effect per such Enter; nothing is sent while a request is in flight);
//! - never an automatic retry; the last try needs an explicit "yes"; a locked PIN stops the
//!   flow with the municipal-office explanation;
//! - personal data and PIN input are wiped on 完了, on start-over and on the idle timeout;
//! - 完了 is shown only after the outbox confirmed the record is on disk.

mod card;
mod challenge;
mod consent;
pub mod contact;
mod face;
pub mod input;
mod pin;
mod screen;
mod session;
mod steps;
mod types;

pub use face::{
    FaceFormatError, FaceInput, FaceMessage, FacePictures, FaceRead, FaceScreen, FaceState, FaceStep, FaceStop,
};
pub use screen::{ConfirmChoice, PinMessage, PinScreen, Screen};
pub use types::*;

use crate::card::basic4::{BasicFour, PersonalText};
use crate::card::CardError;
use crate::lang::Lang;
use crate::record::check::{Item, Outcome};
use crate::record::payload::Assurance;
use crate::seam::{CertificateProblem, Declared};
use crate::secret::PinKind;
use input::SecretInput;

use crate::seam::Verdict;

/// The idle wipe is announced this long before, with a countdown.
pub const IDLE_WARNING_MS: u64 = 30_000;

pub struct Flow {
    cfg: FlowConfig,
    screen: Screen,
    person: Option<BasicFour>,
    card_present: bool,
    /// The request whose reply we wait for; replies with other ids are stale and ignored.
    pending: Option<u64>,
    next_id: u64,
    now_ms: u64,
    last_activity_ms: u64,
    queue_full: bool,
    /// (total, visible) lines of the consent text at the current terminal size.
    layout: (u16, u16),
    /// Bumped on every visible change: the UI redraws only when it moved.
    version: u64,
    /// The citizen confirmed the data: after a card removal, resume at the signature.
    confirmed: bool,
    /// How the record being stored and sent proves the card.
    level: Assurance,
    /// This citizen does not sign: the record rests on the 利用者証明 challenge.
    challenge: bool,
    /// Items of the record being sent that differ from the certificate.
    review: Vec<Item>,
    /// The card left the reader after its data was read: before signing, read it again and
    /// compare (a different card must not be signed with the confirmed data).
    recheck: bool,
    /// The clerk said a 法定代理人 applies for this holder (F5 on the confirm screen).
    representative_asked: bool,
    /// Today in Japan (`YYYYMMDD`), set by the runtime: ages are decided with it.
    today: u32,
    /// Seconds left before the idle wipe, while the warning shows.
    idle_warning: Option<u64>,
    /// The contact e-mail the citizen typed (when the step is on).
    declared: Declared,
    /// The language the citizen chose on the consent screen: every pane they read is in it.
    /// Back to the default (Japanese) for the next citizen.
    lang: Lang,
    /// What the card on the reader told before any PIN (None: not probed since it came).
    facts: Option<CardFacts>,
    /// The citizen went on without the optional e-mail address.
    email_skipped: bool,
    /// The card face on the confirm screen (its pictures and the clerk's judgement), from
    /// the clerk's step until the screen is left.
    face: Option<FaceState>,
}

impl Flow {
    pub fn new(cfg: FlowConfig) -> Flow {
        let cfg_lang = cfg.lang;
        Flow {
            cfg,
            screen: Screen::Consent {
                doc: Doc::Terms,
                scroll: 0,
                reached_end: false,
                notice: None,
            },
            person: None,
            card_present: false,
            pending: None,
            next_id: 1,
            now_ms: 0,
            last_activity_ms: 0,
            queue_full: false,
            layout: (0, 0),
            version: 1,
            confirmed: false,
            level: Assurance::Unauthenticated,
            challenge: false,
            review: Vec::new(),
            recheck: false,
            representative_asked: false,
            today: 0,
            idle_warning: None,
            declared: Declared::default(),
            lang: cfg_lang,
            facts: None,
            email_skipped: false,
            face: None,
        }
    }

    /// What the card on the reader told before any PIN, once probed.
    pub fn card_facts(&self) -> Option<CardFacts> {
        self.facts
    }

    /// The step that proves the card (署名, or 利用者証明) was passed by without a proof: the
    /// record on its way is `unauthenticated` (the progress bar must not tick it as done).
    pub fn sign_skipped(&self) -> bool {
        match &self.screen {
            Screen::Storing | Screen::Sending { .. } => self.level == Assurance::Unauthenticated,
            Screen::Done { level, .. } => *level == Assurance::Unauthenticated,
            _ => false,
        }
    }

    /// This citizen's record rests on the 利用者証明 challenge rather than a signature: the
    /// signature step is off, or the card holds no signing certificate (known from the
    /// probe, or found when the password was asked for).
    pub fn proves(&self) -> bool {
        !self.cfg.signature || self.challenge || self.facts.is_some_and(|f| f.signing == Signing::Missing)
    }

    /// A citizen is somewhere in an enrollment (past the consent screen): quitting the
    /// station now asks first.
    pub fn in_enrollment(&self) -> bool {
        !matches!(self.screen, Screen::Consent { .. })
    }

    /// The citizen's language (the clerk's lines keep the station's own).
    pub fn citizen_lang(&self) -> Lang {
        self.lang
    }

    /// Today's date in Japan as `YYYYMMDD` (the runtime sets it; tests choose it).
    pub fn set_today(&mut self, yyyymmdd: u32) {
        self.today = yyyymmdd;
    }

    /// Seconds left before the idle wipe, during the last 30 s.
    pub fn idle_warning(&self) -> Option<u64> {
        self.idle_warning
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// Why the flow stopped, on a stop screen.
    pub fn screen_stop(&self) -> Option<&Stop> {
        match &self.screen {
            Screen::Stopped(s) => Some(s),
            _ => None,
        }
    }
    pub fn person(&self) -> Option<&BasicFour> {
        self.person.as_ref()
    }
    pub fn email(&self) -> Option<&PersonalText> {
        self.declared.email.as_ref()
    }

    /// What was declared for this citizen so far (e-mail, representative).
    pub fn declared(&self) -> &Declared {
        &self.declared
    }
    pub fn config(&self) -> &FlowConfig {
        &self.cfg
    }
    pub fn version(&self) -> u64 {
        self.version
    }
    pub fn card_present(&self) -> bool {
        self.card_present
    }
    pub fn queue_full(&self) -> bool {
        self.queue_full
    }
    pub fn consent_layout(&self) -> (u16, u16) {
        self.layout
    }
    /// A card request or a store is in flight (the UI shows a spinner).
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// True while this citizen's personal data or PIN input is held.
    pub fn holds_personal_data(&self) -> bool {
        self.person.is_some()
            || self.face.is_some()
            || self.declared.email.is_some()
            || matches!(&self.screen, Screen::Face(s) if !s.input.is_empty())
            || matches!(&self.screen, Screen::Pin(p) | Screen::SignPin(p) | Screen::AuthPin(p) if !p.input.is_empty())
            || matches!(&self.screen, Screen::Contact { input, .. } if !input.is_empty())
    }

    /// Whether Enter now would be an Enter "on a well-formed PIN" (for tests and the UI hint).
    pub fn pin_ready(&self) -> bool {
        matches!(&self.screen, Screen::Pin(p) | Screen::SignPin(p) | Screen::AuthPin(p)
            if !p.busy && p.tries.is_some_and(|t| t > 0) && p.input.validate().is_ok())
    }

    /// The progress-bar position.
    pub fn step(&self) -> Step {
        match &self.screen {
            Screen::Consent { .. } => Step::Consent,
            Screen::Card { .. } => Step::Card,
            Screen::Pin(_) => Step::Pin,
            Screen::Reading | Screen::Face(_) => Step::Reading,
            Screen::Confirm { .. } | Screen::Representative { .. } => Step::Confirm,
            Screen::Contact { .. } => Step::Contact,
            Screen::SignPin(_) | Screen::Signing => Step::Sign,
            Screen::AuthPin(_) | Screen::Proving => Step::Prove,
            Screen::Storing | Screen::Sending { .. } => Step::Send,
            Screen::Done { .. } => Step::Done,
            Screen::Stopped(Stop::Finding(_)) => Step::Card,
            Screen::Stopped(Stop::Face(FaceStop::PhotoMismatch)) => Step::Confirm,
            Screen::Stopped(Stop::Face(_)) => Step::Reading,
            Screen::Stopped(Stop::Verdict(_) | Stop::StoreFailed(_)) => Step::Send,
            Screen::Stopped(Stop::Locked(PinKind::AuthPin) | Stop::NoAuthCertificate) => Step::Prove,
            Screen::Stopped(Stop::SignatureInvalid | Stop::Refused(_)) if self.challenge => Step::Prove,
            Screen::Stopped(
                Stop::Locked(PinKind::SignPassword)
                | Stop::NoSigningCertificate
                | Stop::NoSigningCertificateAdult
                | Stop::DifferentCard
                | Stop::SignatureInvalid
                | Stop::Refused(_),
            ) => Step::Sign,
            Screen::Stopped(_) => Step::Pin,
        }
    }

    /// Steps shown in the progress bar: 署名 for a citizen who signs, 利用者証明 in its place
    /// for one who does not (known from the card step on, or once found).
    pub fn steps(&self) -> Vec<Step> {
        let proves = self.proves();
        Step::ALL
            .into_iter()
            .filter(|s| match s {
                Step::Sign => !proves,
                Step::Prove => proves,
                Step::Contact => self.cfg.email,
                _ => true,
            })
            .collect()
    }

    fn new_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.pending = Some(id);
        id
    }

    fn request(&mut self, request: CardRequest, out: &mut Vec<Effect>) {
        let id = self.new_id();
        out.push(Effect::Card { id, request });
    }

    /// Handles one event at time `now_ms` (ms since the station started).
    pub fn handle(&mut self, now_ms: u64, ev: Event) -> Vec<Effect> {
        self.now_ms = now_ms;
        let mut out = Vec::new();
        let before = self.snapshot_key();
        match ev {
            Event::Action(a) => {
                self.last_activity_ms = now_ms;
                // A key during the idle warning only keeps the session: it must not also
                // type into a PIN or confirm a screen the citizen was not looking at.
                if self.idle_warning.take().is_none() {
                    self.action(a, &mut out);
                }
            }
            Event::Activity => self.active(),
            Event::CardPresent => {
                self.active();
                self.card_placed(&mut out);
            }
            Event::CardGone => {
                self.active();
                self.card_gone(&mut out);
            }
            Event::Card { id, result } => {
                if self.pending == Some(id) {
                    self.pending = None;
                    self.last_activity_ms = now_ms;
                    self.card_reply(result, &mut out);
                }
            }
            Event::Stored { id, result } => {
                if self.pending == Some(id) {
                    self.pending = None;
                    self.stored(result, &mut out);
                }
            }
            Event::Delivered { enrollment_id, verdict } => {
                if matches!(&self.screen, Screen::Sending { enrollment_id: id, .. } if *id == enrollment_id) {
                    self.delivered(enrollment_id, verdict);
                }
            }
            Event::ConsentLayout { total, visible } => self.consent_layout_is(total, visible),
            Event::Tick => self.tick(now_ms, &mut out),
            Event::QueueFull(full) => self.queue_full = full,
        }
        if self.snapshot_key() != before {
            self.version += 1;
        }
        if let Some(at) = self.deadline() {
            out.push(Effect::WakeAt(at));
        }
        out
    }

    /// Someone is at the station: the idle wipe starts counting again.
    fn active(&mut self) {
        self.last_activity_ms = self.now_ms;
        self.idle_warning = None;
    }

    /// A cheap fingerprint of what the UI shows, to bump `version` only on visible change.
    fn snapshot_key(&self) -> String {
        format!(
            "{:?}|{}|{}|{:?}|{:?}|{:?}|{}|{:?}",
            self.screen,
            self.card_present,
            self.queue_full,
            self.layout,
            self.idle_warning,
            self.lang,
            self.proves(),
            self.face
        )
    }
}

#[cfg(test)]
mod tests;
