//! Every key the station takes, in one table: which screens (facets) take it, what it does,
//! and the help line's word for it. The app matches terminal keys against the table for the
//! screen on view and hands the flow the action it found (the flow never sees a key); the help
//! line and the keys named inside the panes ("Enter: 同意して次へ", "F5: 親権者") are built
//! from the same rows, so a key rebound here changes both, and no translation names a key.
//!
//! The table lives under `ui` so that `ui` (hints) and `app` (handling) both reach it with
//! dependencies pointing one way: `app` uses `ui`, never the reverse.

use crate::flow::{self, Flow, Screen, Scroll};
use crate::i18n::Msg;
use crate::record::payload::Representative;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key does: a station-wide action, or one for the step on screen (to the flow).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Open the full reader diagnostics (an overlay).
    Diagnostics,
    /// The next reader (offered only with more than one).
    NextReader,
    /// The clerk's next language, in the picker's order (the citizen's stays).
    Language,
    /// Quit; during an enrollment the station asks first (the citizen shares the keyboard).
    Quit,
    /// The quit question answered yes.
    QuitNow,
    /// Close the overlay on view (the diagnostics, the quit question).
    Close,
    /// The demo only: pull or place the virtual card.
    DemoCard,
    /// The step's own action, for the flow. `Type` carries the character typed.
    Flow(flow::Action),
}

/// What covers the step, taking the keyboard while it is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overlay {
    #[default]
    None,
    /// F4's full diagnostics.
    Diagnostics,
    /// "Quit the station?" (Ctrl-C during an enrollment).
    Quit,
    /// Quitting, the station waits for the record being saved: no key acts.
    Saving,
}

/// The set of facets a screen has: a binding acts where its facets meet the screen's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facets(u32);

impl Facets {
    /// The terms or the privacy notice, being read.
    pub const CONSENT: Facets = Facets(1);
    /// … read to the end: agreeing is possible.
    pub const CONSENT_END: Facets = Facets(1 << 1);
    /// Waiting for the card.
    pub const CARD: Facets = Facets(1 << 2);
    /// A PIN screen before the card told the tries: typing, but Enter waits for them.
    pub const PIN_WAIT: Facets = Facets(1 << 3);
    /// A PIN screen taking input, the PIN masked.
    pub const PIN_MASKED: Facets = Facets(1 << 4);
    /// … the PIN shown.
    pub const PIN_SHOWN: Facets = Facets(1 << 5);
    /// The explicit yes at the last try.
    pub const PIN_LAST: Facets = Facets(1 << 6);
    /// Reading or signing: the card request can be abandoned.
    pub const WORKING: Facets = Facets(1 << 7);
    /// Waiting for the backend's verdict (the record is on disk).
    pub const SENDING: Facets = Facets(1 << 8);
    pub const CONFIRM: Facets = Facets(1 << 9);
    pub const REPRESENTATIVE: Facets = Facets(1 << 10);
    pub const CONTACT: Facets = Facets(1 << 11);
    /// The e-mail address is optional here.
    pub const CONTACT_OPTIONAL: Facets = Facets(1 << 12);
    pub const DONE: Facets = Facets(1 << 13);
    pub const STOPPED: Facets = Facets(1 << 14);
    /// No overlay is open: the station-wide keys act.
    pub const STATION: Facets = Facets(1 << 15);
    /// The full diagnostics are open.
    pub const DIAGNOSTICS: Facets = Facets(1 << 16);
    /// The quit question is open.
    pub const QUIT: Facets = Facets(1 << 17);
    // The card face (券面確認), the clerk's: bits of their own, apart from the steps' above.
    /// The card-face step while the card works, or 照合番号B locked.
    pub const FACE_WAIT: Facets = Facets(1 << 24);
    /// The card-face step before the card told the tries: typing is kept, Enter waits.
    pub const FACE_ASKED: Facets = Facets(1 << 30);
    /// The card-face step taking the eight digits, masked.
    pub const FACE_MASKED: Facets = Facets(1 << 25);
    /// … the digits shown.
    pub const FACE_SHOWN: Facets = Facets(1 << 26);
    /// The explicit yes at 照合番号B's last try.
    pub const FACE_LAST: Facets = Facets(1 << 27);
    /// The station offers the step: the clerk may go on without it.
    pub const FACE_SKIP: Facets = Facets(1 << 28);
    /// 確認 with the chip's photo shown, the clerk's word on it awaited.
    pub const PHOTO: Facets = Facets(1 << 29);

    const NONE: Facets = Facets(0);

    pub const fn or(self, other: Facets) -> Facets {
        Facets(self.0 | other.0)
    }

    pub const fn meets(self, other: Facets) -> bool {
        self.0 & other.0 != 0
    }

    /// Each single facet, for tests that walk every screen.
    pub fn each() -> impl Iterator<Item = Facets> {
        (0..32).map(|i| Facets(1 << i))
    }
}

/// The facets of what is on view: the flow's screen, or the overlay covering it.
pub fn facets(flow: &Flow, overlay: Overlay) -> Facets {
    match overlay {
        Overlay::Diagnostics => return Facets::DIAGNOSTICS,
        Overlay::Quit => return Facets::QUIT,
        Overlay::Saving => return Facets::NONE,
        Overlay::None => {}
    }
    let screen = match flow.screen() {
        Screen::Consent { reached_end, .. } => {
            let (total, visible) = flow.consent_layout();
            if *reached_end || (total > 0 && total <= visible) {
                Facets::CONSENT.or(Facets::CONSENT_END)
            } else {
                Facets::CONSENT
            }
        }
        Screen::Card { .. } => Facets::CARD,
        Screen::Pin(p) | Screen::SignPin(p) | Screen::AuthPin(p) => {
            if p.confirming_last {
                Facets::PIN_LAST
            } else if p.busy || p.tries.is_none_or(|t| t == 0) {
                Facets::PIN_WAIT
            } else if p.reveal {
                Facets::PIN_SHOWN
            } else {
                Facets::PIN_MASKED
            }
        }
        Screen::Reading | Screen::Signing | Screen::Proving => Facets::WORKING,
        Screen::Storing => Facets::NONE,
        Screen::Sending { .. } => Facets::SENDING,
        Screen::Face(s) => face_facets(flow, s),
        Screen::Confirm { .. } if flow.face().is_some_and(|f| f.photo_shown() && !f.matched()) => {
            Facets::CONFIRM.or(Facets::PHOTO)
        }
        Screen::Confirm { .. } => Facets::CONFIRM,
        Screen::Representative { .. } => Facets::REPRESENTATIVE,
        Screen::Contact { .. } if flow.config().email_optional => Facets::CONTACT.or(Facets::CONTACT_OPTIONAL),
        Screen::Contact { .. } => Facets::CONTACT,
        Screen::Done { .. } => Facets::DONE,
        Screen::Stopped(_) => Facets::STOPPED,
    };
    screen.or(Facets::STATION)
}

/// The card-face step's facets: what it takes now, and whether it may be skipped.
fn face_facets(flow: &Flow, s: &flow::FaceScreen) -> Facets {
    let skip = flow.config().card_face == flow::FaceStep::Offer && !s.busy;
    let now = if s.confirming_last {
        Facets::FACE_LAST
    } else if s.busy && s.tries.is_none() {
        Facets::FACE_ASKED
    } else if !s.taking_input() {
        Facets::FACE_WAIT
    } else if s.reveal {
        Facets::FACE_SHOWN
    } else {
        Facets::FACE_MASKED
    };
    if skip {
        now.or(Facets::FACE_SKIP)
    } else {
        now
    }
}

/// Which keys a binding answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    /// Any of these (letters in either case, Shift allowed).
    Of(&'static [KeyCode]),
    /// This one with Ctrl held.
    Ctrl(char),
    /// Any printable character without Ctrl or Alt: typing into a field.
    AnyChar,
}

/// One row of the table. `hint` is the help line's word; a row without one is an alias of a
/// hinted row of the same kind on the same screens (j/k beside ↑↓), or typing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    pub on: Facets,
    pub keys: Keys,
    pub action: Action,
    pub hint: Option<Msg>,
    /// How the help line writes the keys when not simply "A/B" ("↑↓", "F5-F7").
    pub label: Option<&'static str>,
}

const fn row(on: Facets, keys: &'static [KeyCode], action: Action, hint: Option<Msg>) -> Binding {
    Binding {
        on,
        keys: Keys::Of(keys),
        action,
        hint,
        label: None,
    }
}

const fn labelled(on: Facets, keys: &'static [KeyCode], label: &'static str, action: Action, hint: Msg) -> Binding {
    Binding {
        on,
        keys: Keys::Of(keys),
        action,
        hint: Some(hint),
        label: Some(label),
    }
}

const fn step(a: flow::Action) -> Action {
    Action::Flow(a)
}

use flow::Action as F;
use KeyCode::{Backspace, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Tab, Up};

const PIN_INPUT: Facets = Facets::PIN_MASKED.or(Facets::PIN_SHOWN);
const FACE_INPUT: Facets = Facets::FACE_MASKED.or(Facets::FACE_SHOWN);
const FACE_TYPING: Facets = FACE_INPUT.or(Facets::FACE_ASKED);
const FACE: Facets = FACE_TYPING.or(Facets::FACE_WAIT);
/// While the tries are asked the PIN can already be typed (a key is never dropped without a
/// word); Enter there is refused with a message by the flow, never sent before the tries.
const PIN_ANY: Facets = PIN_INPUT.or(Facets::PIN_WAIT);
const TYPING: Facets = PIN_ANY.or(Facets::CONTACT);
const LEAVING: Facets = Facets::CARD
    .or(Facets::PIN_WAIT)
    .or(PIN_INPUT)
    .or(Facets::WORKING)
    .or(Facets::CONFIRM)
    .or(Facets::REPRESENTATIVE)
    .or(Facets::CONTACT);
const STATION_AND_DIAG: Facets = Facets::STATION.or(Facets::DIAGNOSTICS);

/// The keys, in help-line order: each screen's own first, then the station's.
pub const KEYS: &[Binding] = &[
    // Enter: what it does depends on the screen, and the help line says which.
    row(Facets::CONSENT_END, &[Enter], step(F::Submit), Some(Msg::KeyAgree)),
    row(PIN_ANY, &[Enter], step(F::Submit), Some(Msg::KeyVerify)),
    row(
        Facets::CONFIRM.or(Facets::REPRESENTATIVE).or(Facets::CONTACT),
        &[Enter],
        step(F::Submit),
        Some(Msg::KeyEnter),
    ),
    row(Facets::DONE, &[Enter, Esc], step(F::Submit), Some(Msg::KeyNextCitizen)),
    row(Facets::STOPPED, &[Enter, Esc], step(F::Submit), Some(Msg::KeyEsc)),
    row(Facets::PIN_LAST, &[KeyCode::Char('y')], step(F::Yes), Some(Msg::KeyYes)),
    row(
        Facets::PIN_LAST,
        &[KeyCode::Char('n'), Esc],
        step(F::No),
        Some(Msg::KeyNo),
    ),
    // The card face (the clerk's step): 照合番号B is a PIN here too.
    row(FACE_TYPING, &[Enter], step(F::Submit), Some(Msg::KeyVerify)),
    row(
        Facets::FACE_LAST,
        &[KeyCode::Char('y')],
        step(F::Yes),
        Some(Msg::KeyYes),
    ),
    row(
        Facets::FACE_LAST,
        &[KeyCode::Char('n'), Esc],
        step(F::No),
        Some(Msg::KeyNo),
    ),
    row(
        Facets::FACE_MASKED,
        &[Tab, KeyCode::F(2)],
        step(F::Reveal),
        Some(Msg::Reveal),
    ),
    row(
        Facets::FACE_SHOWN,
        &[Tab, KeyCode::F(2)],
        step(F::Reveal),
        Some(Msg::Hide),
    ),
    row(
        FACE_INPUT,
        &[KeyCode::F(6)],
        step(F::SwitchCalendar),
        Some(Msg::KeyFaceCalendar),
    ),
    row(
        Facets::FACE_SKIP,
        &[KeyCode::F(7)],
        step(F::Skip),
        Some(Msg::KeyFaceSkip),
    ),
    // Typing while the tries are asked goes into the field; Enter then says it waits.
    row(FACE_TYPING, &[Backspace], step(F::Erase), None),
    Binding {
        on: FACE_TYPING,
        keys: Keys::AnyChar,
        action: step(F::Type(' ')),
        hint: None,
        label: None,
    },
    row(FACE, &[Esc], step(F::Cancel), Some(Msg::KeyEsc)),
    // 確認 with the chip's photo: the clerk's word on it.
    row(
        Facets::PHOTO,
        &[KeyCode::F(6)],
        step(F::PhotoMatches),
        Some(Msg::KeyPhotoMatches),
    ),
    row(
        Facets::PHOTO,
        &[KeyCode::F(7)],
        step(F::PhotoDiffers),
        Some(Msg::KeyPhotoDiffers),
    ),
    // The consent text.
    labelled(
        Facets::CONSENT,
        &[Down, KeyCode::Char('j')],
        "↑↓",
        step(F::Scroll(Scroll::LineDown)),
        Msg::KeyScroll,
    ),
    row(
        Facets::CONSENT,
        &[Up, KeyCode::Char('k')],
        step(F::Scroll(Scroll::LineUp)),
        None,
    ),
    row(
        Facets::CONSENT,
        &[PageDown, KeyCode::Char(' ')],
        step(F::Scroll(Scroll::PageDown)),
        None,
    ),
    row(Facets::CONSENT, &[PageUp], step(F::Scroll(Scroll::PageUp)), None),
    row(Facets::CONSENT, &[End], step(F::Scroll(Scroll::Bottom)), None),
    row(Facets::CONSENT, &[Home], step(F::Scroll(Scroll::Top)), None),
    // Rows of choices: ← the one drawn before, → the one drawn after.
    labelled(Facets::CONSENT, &[Right], "←→", step(F::Following), Msg::KeyCitizenLang),
    row(Facets::CONSENT, &[Left], step(F::Previous), None),
    labelled(Facets::CONFIRM, &[Right], "←→", step(F::Following), Msg::KeyChoose),
    row(Facets::CONFIRM, &[Left], step(F::Previous), None),
    row(
        Facets::CONFIRM,
        &[KeyCode::Char('r')],
        step(F::Reread),
        Some(Msg::ButtonReread),
    ),
    row(
        Facets::CONFIRM,
        &[KeyCode::F(5)],
        step(F::AskRepresentative),
        Some(Msg::KeyRepresentative),
    ),
    labelled(
        Facets::REPRESENTATIVE,
        &[KeyCode::F(5)],
        "F5-F7",
        step(F::Representative(Representative::Parent)),
        Msg::KeyPick,
    ),
    row(
        Facets::REPRESENTATIVE,
        &[KeyCode::F(6)],
        step(F::Representative(Representative::Guardian)),
        None,
    ),
    row(
        Facets::REPRESENTATIVE,
        &[KeyCode::F(7)],
        step(F::Representative(Representative::Other)),
        None,
    ),
    // Typing.
    row(
        Facets::PIN_MASKED,
        &[Tab, KeyCode::F(2)],
        step(F::Reveal),
        Some(Msg::Reveal),
    ),
    row(
        Facets::PIN_SHOWN,
        &[Tab, KeyCode::F(2)],
        step(F::Reveal),
        Some(Msg::Hide),
    ),
    // Not F2: the password screen that follows shows the password on F2 (a double press or a
    // key repeat would have shown it in clear). F6 means nothing on the screens that follow.
    row(
        Facets::CONTACT_OPTIONAL,
        &[KeyCode::F(6)],
        step(F::Skip),
        Some(Msg::KeySkip),
    ),
    row(TYPING, &[Backspace], step(F::Erase), None),
    Binding {
        on: TYPING,
        keys: Keys::AnyChar,
        action: step(F::Type(' ')),
        hint: None,
        label: None,
    },
    // Leaving the step.
    row(Facets::CONSENT, &[Esc], step(F::Decline), Some(Msg::KeyDecline)),
    row(LEAVING, &[Esc], step(F::Cancel), Some(Msg::KeyEsc)),
    row(Facets::SENDING, &[Esc], step(F::Cancel), Some(Msg::KeyDontWait)),
    // The overlays' own keys.
    row(
        Facets::QUIT,
        &[KeyCode::Char('y')],
        Action::QuitNow,
        Some(Msg::KeyQuitNow),
    ),
    Binding {
        on: Facets::QUIT,
        keys: Keys::Ctrl('c'),
        action: Action::QuitNow,
        hint: None,
        label: None,
    },
    row(
        Facets::QUIT,
        &[KeyCode::Char('n'), Esc],
        Action::Close,
        Some(Msg::KeyContinue),
    ),
    row(
        Facets::DIAGNOSTICS,
        &[KeyCode::F(4), Esc],
        Action::Close,
        Some(Msg::KeyClose),
    ),
    // The station's.
    row(
        Facets::STATION,
        &[KeyCode::F(4)],
        Action::Diagnostics,
        Some(Msg::KeyDiag),
    ),
    row(
        STATION_AND_DIAG,
        &[KeyCode::F(3)],
        Action::NextReader,
        Some(Msg::KeyReader),
    ),
    row(STATION_AND_DIAG, &[KeyCode::F(9)], Action::Language, Some(Msg::KeyLang)),
    row(
        Facets::STATION,
        &[KeyCode::F(8)],
        Action::DemoCard,
        Some(Msg::KeyDemoCard),
    ),
    Binding {
        on: STATION_AND_DIAG,
        keys: Keys::Ctrl('c'),
        action: Action::Quit,
        hint: Some(Msg::KeyQuit),
        label: None,
    },
    Binding {
        on: STATION_AND_DIAG,
        keys: Keys::Ctrl('q'),
        action: Action::Quit,
        hint: None,
        label: None,
    },
];

fn plain(m: KeyModifiers) -> bool {
    (m - KeyModifiers::SHIFT).is_empty()
}

fn key_label(k: KeyCode) -> String {
    match k {
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Char(c) => c.to_uppercase().to_string(),
        Enter => "Enter".into(),
        Esc => "Esc".into(),
        Tab => "Tab".into(),
        Backspace => "BS".into(),
        Up => "↑".into(),
        Down => "↓".into(),
        Left => "←".into(),
        Right => "→".into(),
        PageUp => "PgUp".into(),
        PageDown => "PgDn".into(),
        other => format!("{other:?}"),
    }
}

impl Binding {
    /// The action for `ev`, if this row takes it (with the typed character filled in).
    pub fn take(&self, ev: &KeyEvent) -> Option<Action> {
        let hit = match self.keys {
            Keys::Of(keys) => keys.iter().any(|k| match (*k, ev.code) {
                (KeyCode::Char(a), KeyCode::Char(b)) => plain(ev.modifiers) && a.eq_ignore_ascii_case(&b),
                (a, b) => a == b && !ev.modifiers.contains(KeyModifiers::CONTROL),
            }),
            Keys::Ctrl(c) => ev.code == KeyCode::Char(c) && ev.modifiers.contains(KeyModifiers::CONTROL),
            Keys::AnyChar => {
                return match ev.code {
                    KeyCode::Char(c) if plain(ev.modifiers) && !c.is_control() => Some(Action::Flow(F::Type(c))),
                    _ => None,
                }
            }
        };
        hit.then_some(self.action)
    }

    /// How the help line writes the keys: "F4", "Ctrl-C", "Enter/Esc", "↑↓".
    pub fn label(&self) -> String {
        if let Some(l) = self.label {
            return l.to_string();
        }
        match self.keys {
            Keys::Of(keys) => keys.iter().map(|k| key_label(*k)).collect::<Vec<_>>().join("/"),
            Keys::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Keys::AnyChar => String::new(),
        }
    }
}

/// What `ev` does on a screen of `facets`, if anything.
pub fn resolve(facets: Facets, ev: &KeyEvent) -> Option<Action> {
    KEYS.iter().filter(|b| b.on.meets(facets)).find_map(|b| b.take(ev))
}

/// One entry of the help line: the keys, their word, and what they do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub word: Msg,
    pub action: Action,
}

/// The help line's entries on a screen of `facets`, for the actions `offered` allows (F3
/// with one reader, F8 outside the demo are not), in table order.
pub fn hints(facets: Facets, offered: impl Fn(Action) -> bool) -> Vec<Hint> {
    KEYS.iter()
        .filter(|b| b.on.meets(facets) && offered(b.action))
        .filter_map(|b| {
            b.hint.map(|word| Hint {
                keys: b.label(),
                word,
                action: b.action,
            })
        })
        .collect()
}

/// The hinted row for `action` on a screen of `facets`: the keys the panes name beside their
/// own lines ("Enter: 同意して次へ").
pub fn hint_for(facets: Facets, action: Action) -> Option<(String, Msg)> {
    KEYS.iter()
        .find(|b| b.on.meets(facets) && b.action == action && b.hint.is_some())
        .and_then(|b| b.hint.map(|m| (b.label(), m)))
}

/// The keys of the row for `action` on a screen of `facets`, hinted or not ("F6").
pub fn keys_for(facets: Facets, action: Action) -> Option<String> {
    KEYS.iter()
        .find(|b| b.on.meets(facets) && b.action == action)
        .map(|b| match (b.keys, b.label) {
            (Keys::Of(k), Some(_)) => key_label(k[0]),
            _ => b.label(),
        })
}

#[cfg(test)]
mod tests;
