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

mod consent;
pub mod contact;
pub mod input;
mod pin;
mod screen;
mod types;

pub use screen::{ConfirmChoice, PinMessage, PinScreen, Screen};
pub use types::*;

use crate::card::basic4::{BasicFour, PersonalText};
use crate::card::CardError;
use crate::lang::Lang;
use crate::record::check::{Item, Outcome};
use crate::seam::{CertificateProblem, Declared};
use crate::secret::PinKind;
use input::SecretInput;

pub use crate::seam::Verdict;

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
    /// The record being sent was signed by the card.
    signed_flag: bool,
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
}

fn is_card_gone(e: &CardError) -> bool {
    e.is_card_gone() || matches!(e, CardError::Transport(crate::card::TransportError::CardReset))
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
            signed_flag: false,
            review: Vec::new(),
            recheck: false,
            representative_asked: false,
            today: 0,
            idle_warning: None,
            declared: Declared::default(),
            lang: cfg_lang,
            facts: None,
            email_skipped: false,
        }
    }

    /// What the card on the reader told before any PIN, once probed.
    pub fn card_facts(&self) -> Option<CardFacts> {
        self.facts
    }

    /// The 署名 step was passed by without a signature: the record on its way is unsigned
    /// (the progress bar must not tick it as done).
    pub fn sign_skipped(&self) -> bool {
        self.cfg.signature
            && match &self.screen {
                Screen::Storing | Screen::Sending { .. } => !self.signed_flag,
                Screen::Done { signed, .. } => !signed,
                _ => false,
            }
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
            || self.declared.email.is_some()
            || matches!(&self.screen, Screen::Pin(p) | Screen::SignPin(p) if !p.input.is_empty())
            || matches!(&self.screen, Screen::Contact { input, .. } if !input.is_empty())
    }

    /// Whether Enter now would be an Enter "on a well-formed PIN" (for tests and the UI hint).
    pub fn pin_ready(&self) -> bool {
        matches!(&self.screen, Screen::Pin(p) | Screen::SignPin(p)
            if !p.busy && p.tries.is_some_and(|t| t > 0) && p.input.validate().is_ok())
    }

    /// The progress-bar position.
    pub fn step(&self) -> Step {
        match &self.screen {
            Screen::Consent { .. } => Step::Consent,
            Screen::Card { .. } => Step::Card,
            Screen::Pin(_) => Step::Pin,
            Screen::Reading => Step::Reading,
            Screen::Confirm { .. } | Screen::Representative { .. } => Step::Confirm,
            Screen::Contact { .. } => Step::Contact,
            Screen::SignPin(_) | Screen::Signing => Step::Sign,
            Screen::Storing | Screen::Sending { .. } => Step::Send,
            Screen::Done { .. } => Step::Done,
            Screen::Stopped(Stop::Finding(_)) => Step::Card,
            Screen::Stopped(Stop::Verdict(_) | Stop::StoreFailed(_)) => Step::Send,
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

    /// Steps shown in the progress bar (署名 only when signing is on).
    pub fn steps(&self) -> Vec<Step> {
        Step::ALL
            .into_iter()
            .filter(|s| (*s != Step::Sign || self.cfg.signature) && (*s != Step::Contact || self.cfg.email))
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

    /// Start over: wipe everything about this citizen, back to consent.
    fn reset(&mut self, notice: Option<Notice>, out: &mut Vec<Effect>) {
        self.person = None;
        self.declared = Declared::default();
        self.pending = None;
        self.confirmed = false;
        self.recheck = false;
        self.representative_asked = false;
        self.review.clear();
        self.facts = None;
        self.email_skipped = false;
        if self.lang != self.cfg.lang {
            // The next citizen starts in the default language; the terms wrap anew.
            self.lang = self.cfg.lang;
            self.layout = (0, 0);
        }
        out.push(Effect::Wipe);
        out.push(Effect::ReleaseCard);
        let back_from_privacy = matches!(self.screen, Screen::Consent { doc: Doc::Privacy, .. });
        if back_from_privacy {
            // The terms' layout is not known yet: the runtime sends it.
            self.layout = (0, 0);
        }
        self.screen = Screen::Consent {
            doc: Doc::Terms,
            scroll: 0,
            reached_end: self.layout.0 <= self.layout.1 && self.layout.0 > 0,
            notice,
        };
    }

    /// When the flow wants to be woken: the idle timeout while a citizen is in progress, and
    /// the send wait.
    fn deadline(&self) -> Option<u64> {
        let idle = match &self.screen {
            Screen::Consent { .. } => None,
            _ => {
                let wipe = self.last_activity_ms + self.cfg.idle_timeout_ms;
                let warn = wipe.saturating_sub(IDLE_WARNING_MS);
                // Before the warning: wake when it starts; during it: every second.
                Some(if self.now_ms < warn {
                    warn
                } else if self.now_ms < wipe {
                    (self.now_ms + 1000 - (wipe - self.now_ms) % 1000).min(wipe)
                } else {
                    // Past the wipe with a request in flight: look again in a second.
                    self.now_ms + 1000
                })
            }
        };
        let send = match &self.screen {
            Screen::Sending { since_ms, .. } => Some(since_ms + self.cfg.send_wait_ms),
            _ => None,
        };
        match (idle, send) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
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
            Event::Activity => {
                self.last_activity_ms = now_ms;
                self.idle_warning = None;
            }
            Event::CardPresent => {
                self.last_activity_ms = now_ms;
                self.idle_warning = None;
                self.card_present = true;
                if let Screen::Card { .. } = self.screen {
                    let kind = if self.confirmed && !self.recheck {
                        PinKind::SignPassword
                    } else {
                        PinKind::TextPin
                    };
                    self.enter_pin(kind, &mut out);
                }
            }
            Event::CardGone => {
                self.last_activity_ms = now_ms;
                self.idle_warning = None;
                self.card_present = false;
                // The next card may be another: probed again before its first PIN.
                self.facts = None;
                if self.person.is_some() {
                    self.recheck = true;
                }
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
                    match result {
                        Ok(enrollment_id) => {
                            // On disk: the citizen's data leaves the flow now.
                            self.person = None;
                            self.recheck = false;
                            self.declared = Declared::default();
                            out.push(Effect::Wipe);
                            out.push(Effect::ReleaseCard);
                            self.screen = Screen::Sending {
                                enrollment_id,
                                since_ms: now_ms,
                            };
                        }
                        Err(e) => self.screen = Screen::Stopped(Stop::StoreFailed(e)),
                    }
                }
            }
            Event::Delivered { enrollment_id, verdict } => {
                if let Screen::Sending { enrollment_id: id, .. } = &self.screen {
                    if *id == enrollment_id {
                        self.delivered(enrollment_id, verdict);
                    }
                }
            }
            Event::ConsentLayout { total, visible } => {
                self.layout = (total, visible);
                if let Screen::Consent {
                    scroll, reached_end, ..
                } = &mut self.screen
                {
                    let max = total.saturating_sub(visible);
                    *scroll = (*scroll).min(max);
                    if *scroll >= max {
                        *reached_end = true;
                    }
                }
            }
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

    /// A cheap fingerprint of what the UI shows, to bump `version` only on visible change.
    fn snapshot_key(&self) -> String {
        format!(
            "{:?}|{}|{}|{:?}|{:?}|{:?}",
            self.screen, self.card_present, self.queue_full, self.layout, self.idle_warning, self.lang
        )
    }

    fn delivered(&mut self, enrollment_id: String, verdict: Verdict) {
        let signed = self.signed_flag;
        self.signed_flag = false;
        let review = std::mem::take(&mut self.review);
        // A record whose certificate text differs was stored to be reviewed: the backend's
        // "data mismatch" is the expected answer, and 完了 says what happens next.
        let done = matches!(verdict, Verdict::Accepted | Verdict::Queued)
            || (verdict == Verdict::CardDataMismatch && !review.is_empty());
        self.screen = match verdict {
            verdict if done => Screen::Done {
                enrollment_id,
                verdict,
                signed,
                review,
            },
            v => Screen::Stopped(Stop::Verdict(v)),
        };
    }

    fn tick(&mut self, now: u64, out: &mut Vec<Effect>) {
        if let Screen::Sending {
            enrollment_id,
            since_ms,
        } = &self.screen
        {
            if now >= since_ms + self.cfg.send_wait_ms {
                let id = enrollment_id.clone();
                self.delivered(id, Verdict::Queued);
                return;
            }
        }
        let in_progress = !matches!(self.screen, Screen::Consent { .. });
        let wipe_at = self.last_activity_ms + self.cfg.idle_timeout_ms;
        if in_progress && now >= wipe_at && self.pending.is_none() {
            self.idle_warning = None;
            self.reset(Some(Notice::TimedOut), out);
        } else if in_progress && self.pending.is_none() && now + IDLE_WARNING_MS >= wipe_at {
            self.idle_warning = Some((wipe_at - now).div_ceil(1000));
        } else {
            self.idle_warning = None;
        }
    }

    fn card_gone(&mut self, out: &mut Vec<Effect>) {
        match &self.screen {
            Screen::Pin(_) | Screen::Reading => {
                self.pending = None;
                if !self.confirmed {
                    self.person = None;
                }
                self.screen = Screen::Card {
                    notice: Some(Notice::CardRemoved),
                };
                out.push(Effect::ReleaseCard);
            }
            Screen::SignPin(_) | Screen::Signing => {
                // The confirmed data stays: the card that comes back is read again and compared
                // before anything is signed, so another card can't slip in.
                self.pending = None;
                self.screen = Screen::Card {
                    notice: Some(Notice::CardRemoved),
                };
                out.push(Effect::ReleaseCard);
            }
            _ => {}
        }
    }

    fn stop_for(&mut self, e: CardError, kind: PinKind, out: &mut Vec<Effect>) {
        if is_card_gone(&e) {
            // Whatever comes back may be another card: probed again.
            self.facts = None;
            if kind == PinKind::TextPin && !self.confirmed {
                self.person = None;
            }
            // Whatever is on the reader now may not be the card that was read.
            if self.person.is_some() {
                self.recheck = true;
            }
            out.push(Effect::ReleaseCard);
            let reset_in_place = matches!(e, CardError::Transport(crate::card::TransportError::CardReset));
            if reset_in_place && self.card_present {
                // Reset without a removal: no "card present" event will follow.
                self.enter_pin(PinKind::TextPin, out);
            } else {
                self.screen = Screen::Card {
                    notice: Some(Notice::CardRemoved),
                };
            }
            return;
        }
        self.screen = Screen::Stopped(match e {
            CardError::Locked { kind } => Stop::Locked(kind),
            CardError::NotMyNumberCard => Stop::NotMyNumberCard,
            CardError::NoSigningCertificate if self.holder_is_adult() => Stop::NoSigningCertificateAdult,
            CardError::NoSigningCertificate => Stop::NoSigningCertificate,
            other => Stop::Card(other),
        });
        out.push(Effect::ReleaseCard);
    }

    /// 15 or over on today's date, by the birth date read from the card. Unknown (no data, no
    /// date) counts as adult: the stricter rule.
    fn holder_is_adult(&self) -> bool {
        match (&self.person, self.today) {
            (Some(p), today) if today > 0 => {
                let b = p.birth_date;
                let birth = u32::from(b.year()) * 10_000 + u32::from(b.month()) * 100 + u32::from(b.day());
                crate::time::age_on(birth, today) >= 15
            }
            _ => true,
        }
    }

    fn store_unsigned(&mut self, out: &mut Vec<Effect>) {
        if let Some(person) = self.person.clone() {
            let id = self.new_id();
            self.signed_flag = false;
            self.screen = Screen::Storing;
            out.push(Effect::StoreUnsigned {
                id,
                person,
                declared: self.declared.clone(),
            });
        }
    }

    fn card_reply(&mut self, result: Result<CardReply, CardError>, out: &mut Vec<Effect>) {
        let kind = match &self.screen {
            Screen::Pin(_) | Screen::Reading => PinKind::TextPin,
            _ => PinKind::SignPassword,
        };
        match result {
            Ok(CardReply::Probed(facts)) => self.probed(facts, out),
            Ok(CardReply::Tries(n)) => {
                if let Screen::Pin(p) | Screen::SignPin(p) = &mut self.screen {
                    p.busy = false;
                    p.tries = Some(n);
                    p.message = (n == 1).then_some(PinMessage::LastTryWarning);
                    if n == 0 {
                        let k = p.kind;
                        self.screen = Screen::Stopped(Stop::Locked(k));
                        out.push(Effect::ReleaseCard);
                    }
                }
            }
            Ok(CardReply::Read(person)) if self.recheck && self.confirmed => {
                // Read again after a removal: the same card goes on to the signature, another
                // card stops here (its data was never confirmed).
                self.recheck = false;
                if self.person.as_ref() == Some(&person) {
                    self.enter_pin(PinKind::SignPassword, out);
                } else {
                    self.person = None;
                    self.declared = Declared::default();
                    self.confirmed = false;
                    out.push(Effect::Wipe);
                    self.screen = Screen::Stopped(Stop::DifferentCard);
                    out.push(Effect::ReleaseCard);
                }
            }
            Ok(CardReply::Read(person)) => {
                self.recheck = false;
                self.person = Some(person);
                self.screen = Screen::Confirm {
                    choice: ConfirmChoice::Next,
                };
            }
            Ok(CardReply::Signed(record)) => {
                let id = self.new_id();
                self.signed_flag = true;
                self.review = match record.check() {
                    Some(c) if c.outcome() == Outcome::Differs => c.differing(),
                    _ => Vec::new(),
                };
                self.screen = Screen::Storing;
                out.push(Effect::StoreSigned { id, record });
            }
            Ok(CardReply::CertificateRefused(p)) => {
                self.screen = Screen::Stopped(Stop::Refused(match p {
                    CertificateProblem::Revoked => Verdict::CertificateRevoked,
                    CertificateProblem::Expired => Verdict::CertificateExpired,
                    CertificateProblem::Unreadable => Verdict::UnsupportedCertificate,
                }));
                out.push(Effect::ReleaseCard);
            }
            Ok(CardReply::SignatureInvalid) => {
                self.screen = Screen::Stopped(Stop::SignatureInvalid);
                out.push(Effect::ReleaseCard);
            }
            // Nothing was stored: the same words as a store that failed, for the same reason.
            Ok(CardReply::BackendFailed(e)) => {
                self.screen = Screen::Stopped(Stop::StoreFailed(e));
                out.push(Effect::ReleaseCard);
            }
            Err(CardError::WrongPin { kind, tries_left }) => {
                let mut p = Flow::pin_screen(kind);
                p.busy = false;
                p.tries = Some(tries_left);
                p.message = Some(PinMessage::Wrong(tries_left));
                self.screen = match kind {
                    PinKind::TextPin => Screen::Pin(p),
                    PinKind::SignPassword => Screen::SignPin(p),
                    // The 利用者証明 step (#22) is not in the flow yet: nothing asks for it.
                    PinKind::AuthPin => Screen::Pin(p),
                };
            }
            Err(CardError::NoSigningCertificate) if self.person.is_some() => self.without_signature(out),
            Err(e) => self.stop_for(e, kind, out),
        }
    }

    /// What the card told before any PIN: a finding that rules the card out stops here, at
    /// the card step, before a PIN is typed; otherwise the text PIN's tries are asked for.
    fn probed(&mut self, facts: CardFacts, out: &mut Vec<Effect>) {
        self.facts = Some(facts);
        let unsigned_ok = self.cfg.allow_unsigned_minors || self.cfg.allow_unsigned_adults;
        let finding = if facts.certificate_expired {
            Some(Finding::CertificateExpired)
        } else if facts.signing == Signing::Tries(0) {
            Some(Finding::SignPasswordLocked)
        } else if facts.signing == Signing::Missing && !unsigned_ok {
            Some(Finding::NoSigningCertificate)
        } else {
            None
        };
        match finding {
            Some(f) => {
                self.screen = Screen::Stopped(Stop::Finding(f));
                out.push(Effect::ReleaseCard);
            }
            None => self.request(CardRequest::QueryTries(PinKind::TextPin), out),
        }
    }

    /// The card holds no signing certificate: the four items alone where the holder's age
    /// allows it, else the stop that says where to get one.
    fn without_signature(&mut self, out: &mut Vec<Effect>) {
        let allowed = if self.holder_is_adult() {
            self.cfg.allow_unsigned_adults
        } else {
            self.cfg.allow_unsigned_minors
        };
        if allowed {
            self.store_unsigned(out);
        } else {
            self.stop_for(CardError::NoSigningCertificate, PinKind::SignPassword, out);
        }
    }

    fn action(&mut self, a: Action, out: &mut Vec<Effect>) {
        match &mut self.screen {
            Screen::Consent { .. } => self.consent_action(a, out),
            Screen::Card { .. } => {
                if a == Action::Cancel {
                    self.reset(Some(Notice::Cancelled), out);
                }
            }
            Screen::Pin(_) | Screen::SignPin(_) => self.pin_action(a, out),
            Screen::Reading | Screen::Signing | Screen::Storing | Screen::Sending { .. } => {
                // Work in flight. Cancel abandons a card request (never a store: once storing
                // started, the record is the citizen's and must land). While sending, the
                // record is already on disk: Cancel stops waiting for the verdict.
                if a == Action::Cancel && matches!(self.screen, Screen::Reading | Screen::Signing) {
                    self.reset(Some(Notice::Cancelled), out);
                } else if let (Action::Cancel, Screen::Sending { enrollment_id, .. }) = (a, &self.screen) {
                    let id = enrollment_id.clone();
                    self.delivered(id, Verdict::Queued);
                }
            }
            Screen::Confirm { choice } => match a {
                Action::Previous => *choice = choice.moved(-1),
                Action::Following => *choice = choice.moved(1),
                Action::Reread => {
                    self.person = None;
                    self.after_confirm(ConfirmChoice::Reread, out);
                }
                Action::Submit => {
                    let c = *choice;
                    self.after_confirm(c, out);
                }
                // Clerk key: a 法定代理人 applies for this holder (a 成年被後見人, say).
                Action::AskRepresentative => {
                    self.representative_asked = true;
                    self.after_confirm(ConfirmChoice::Next, out);
                }
                Action::Cancel => self.reset(Some(Notice::Cancelled), out),
                _ => {}
            },
            Screen::Representative { choice } => match a {
                Action::Representative(r) => *choice = Some(r),
                Action::Submit => {
                    if let Some(c) = *choice {
                        self.declared.representative = Some(c);
                        self.after_data(out);
                    }
                }
                Action::Cancel => self.reset(Some(Notice::Cancelled), out),
                _ => {}
            },
            Screen::Contact { input, first, error } => match a {
                Action::Type(c) => *error = input.push(c).err(),
                Action::Erase => {
                    *error = None;
                    input.pop();
                }
                Action::Submit => match contact::validate_email(input.as_str()) {
                    Err(e) => *error = Some(e),
                    // Typed twice, the same both times: a typo can't go unnoticed.
                    Ok(()) => match first.take() {
                        None => {
                            *first = Some(PersonalText::new(input.as_str()));
                            *input = contact::ContactInput::new();
                        }
                        Some(f) if f.as_str() == input.as_str() => {
                            self.declared.email = Some(f);
                            self.after_data(out);
                        }
                        Some(_) => {
                            *input = contact::ContactInput::new();
                            *error = Some(contact::EmailError::Mismatch);
                        }
                    },
                },
                // Only where the privacy notice calls the address optional.
                Action::Skip if self.cfg.email_optional => {
                    self.email_skipped = true;
                    self.after_data(out);
                }
                Action::Cancel => self.reset(Some(Notice::Cancelled), out),
                _ => {}
            },
            Screen::Done { .. } => {
                if matches!(a, Action::Submit | Action::Cancel) {
                    self.reset(None, out);
                }
            }
            Screen::Stopped(_) => {
                if matches!(a, Action::Submit | Action::Cancel) {
                    self.reset(None, out);
                }
            }
        }
    }

    fn after_confirm(&mut self, choice: ConfirmChoice, out: &mut Vec<Effect>) {
        match choice {
            ConfirmChoice::Reread => {
                self.person = None;
                if self.card_present {
                    self.enter_pin(PinKind::TextPin, out);
                } else {
                    self.screen = Screen::Card { notice: None };
                }
            }
            ConfirmChoice::Stop => self.reset(Some(Notice::Cancelled), out),
            ConfirmChoice::Next => {
                self.confirmed = true;
                self.after_data(out);
            }
        }
    }

    /// After the data is confirmed: the 法定代理人 (a minor's card, or the clerk said so), the
    /// contact e-mail when asked for, then the signature.
    fn after_data(&mut self, out: &mut Vec<Effect>) {
        if self.declared.representative.is_none() && (self.representative_asked || !self.holder_is_adult()) {
            self.screen = Screen::Representative { choice: None };
            return;
        }
        if self.cfg.email && self.declared.email.is_none() && !self.email_skipped {
            self.screen = Screen::Contact {
                input: contact::ContactInput::new(),
                first: None,
                error: None,
            };
            return;
        }
        self.toward_signature(out);
    }

    /// After the data (and contact) are confirmed: sign, or store without a signature.
    fn toward_signature(&mut self, out: &mut Vec<Effect>) {
        let no_certificate = self.facts.is_some_and(|f| f.signing == Signing::Missing);
        if !self.cfg.signature {
            self.store_unsigned(out);
        } else if no_certificate && !self.recheck {
            // Known since the card step: no password is asked for a certificate that isn't there.
            self.without_signature(out);
        } else if self.card_present && self.recheck {
            // The card left the reader since it was read: read it again first.
            self.enter_pin(PinKind::TextPin, out);
        } else if self.card_present {
            self.enter_pin(PinKind::SignPassword, out);
        } else {
            self.screen = Screen::Card {
                notice: Some(Notice::CardRemoved),
            };
        }
    }
}

#[cfg(test)]
mod tests;
