//! The station-wide keys in one table: the app matches terminal keys against it, and the help
//! line is built from it, so a key rebound here changes both. Keys a screen handles itself
//! (Enter, Esc, Tab, arrows, typing) belong to `flow`, which sees them after this table.
//!
//! The table lives under `ui` so that `ui` (hints) and `app` (handling) both reach it with
//! dependencies pointing one way: `app` uses `ui`, never the reverse.

use crate::i18n::Msg;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a station-wide key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Full reader diagnostics on and off.
    Diagnostics,
    /// The next reader (offered only with more than one).
    NextReader,
    /// The clerk's next language, in the picker's order (the citizen's stays).
    Language,
    Quit,
    /// The demo only: pull or place the virtual card.
    DemoCard,
}

/// One key and what it does; `hint` is the help line's word for it (None: not shown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    pub code: KeyCode,
    /// Must all be held; others may be too (F9 with Shift is still F9).
    pub modifiers: KeyModifiers,
    pub action: Action,
    pub hint: Option<Msg>,
}

const fn key(code: KeyCode, action: Action, hint: Option<Msg>) -> Binding {
    Binding {
        code,
        modifiers: KeyModifiers::NONE,
        action,
        hint,
    }
}

const fn ctrl(c: char, action: Action, hint: Option<Msg>) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
        action,
        hint,
    }
}

/// The station-wide keys, in help-line order.
pub const KEYS: [Binding; 6] = [
    key(KeyCode::F(4), Action::Diagnostics, Some(Msg::KeyDiag)),
    key(KeyCode::F(3), Action::NextReader, Some(Msg::KeyReader)),
    key(KeyCode::F(9), Action::Language, Some(Msg::KeyLang)),
    ctrl('c', Action::Quit, Some(Msg::KeyQuit)),
    ctrl('q', Action::Quit, None),
    key(KeyCode::F(8), Action::DemoCard, None),
];

impl Binding {
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        ev.code == self.code && ev.modifiers.contains(self.modifiers)
    }

    /// How the help line writes the key: "F4", "Ctrl-C".
    pub fn label(&self) -> String {
        let key = match self.code {
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(c) => c.to_uppercase().to_string(),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{key}")
        } else {
            key
        }
    }
}

/// The station-wide action for a key, if it is one.
pub fn action(ev: &KeyEvent) -> Option<Action> {
    KEYS.iter().find(|b| b.matches(ev)).map(|b| b.action)
}

/// The help line's (key, word) pairs for the actions `offered` allows, in table order.
pub fn hints(offered: impl Fn(Action) -> bool) -> Vec<(String, Msg)> {
    KEYS.iter()
        .filter(|b| offered(b.action))
        .filter_map(|b| b.hint.map(|m| (b.label(), m)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(
            action(&ev(KeyCode::F(4), KeyModifiers::NONE)),
            Some(Action::Diagnostics)
        );
        assert_eq!(action(&ev(KeyCode::F(9), KeyModifiers::SHIFT)), Some(Action::Language));
        assert_eq!(
            action(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            action(&ev(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        // Letters typed into a password or an e-mail address are not station keys.
        for c in ['c', 'q', 'C', 'Q'] {
            assert_eq!(action(&ev(KeyCode::Char(c), KeyModifiers::NONE)), None);
            assert_eq!(action(&ev(KeyCode::Char(c), KeyModifiers::SHIFT)), None);
        }
        assert_eq!(action(&ev(KeyCode::F(5), KeyModifiers::NONE)), None);
    }

    #[test]
    fn hints_come_from_the_same_table() {
        let all = hints(|_| true);
        let labels: Vec<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(labels, ["F4", "F3", "F9", "Ctrl-C"]);
        assert_eq!(all[3].1, Msg::KeyQuit);
        let one_reader = hints(|a| a != Action::NextReader);
        assert!(one_reader.iter().all(|(k, _)| k != "F3"));
        // Every hinted binding is also what `action` finds for its key.
        for b in KEYS.iter().filter(|b| b.hint.is_some()) {
            assert_eq!(action(&ev(b.code, b.modifiers)), Some(b.action));
        }
    }
}
