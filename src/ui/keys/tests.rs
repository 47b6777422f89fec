use super::*;
use std::mem::discriminant;

fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

fn on(facets: Facets, code: KeyCode) -> Option<Action> {
    resolve(facets, &ev(code, KeyModifiers::NONE))
}

#[test]
fn station_keys_map_to_actions_everywhere_but_under_the_quit_question() {
    let s = Facets::PIN_MASKED.or(Facets::STATION);
    assert_eq!(on(s, KeyCode::F(4)), Some(Action::Diagnostics));
    assert_eq!(
        resolve(s, &ev(KeyCode::F(9), KeyModifiers::SHIFT)),
        Some(Action::Language)
    );
    for c in ['c', 'q'] {
        assert_eq!(
            resolve(s, &ev(KeyCode::Char(c), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
    }
    // Letters typed into a password or an e-mail address are typing, not station keys.
    for c in ['c', 'q', 'C', 'Q'] {
        assert_eq!(on(s, KeyCode::Char(c)), Some(Action::Flow(F::Type(c))));
        assert_eq!(
            resolve(s, &ev(KeyCode::Char(c), KeyModifiers::SHIFT)),
            Some(Action::Flow(F::Type(c)))
        );
    }
    assert_eq!(on(Facets::QUIT, KeyCode::F(4)), None);
    assert_eq!(
        resolve(Facets::QUIT, &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Action::QuitNow)
    );
}

/// While F4's diagnostics are open, only their own keys act: Enter, End and digits reach
/// nothing (they once accepted the terms unseen and sent a VERIFY blind).
#[test]
fn the_diagnostics_overlay_holds_the_keyboard() {
    for code in [
        Enter,
        End,
        KeyCode::Char('1'),
        Tab,
        Left,
        Right,
        KeyCode::F(5),
        Backspace,
    ] {
        assert_eq!(on(Facets::DIAGNOSTICS, code), None, "{code:?}");
    }
    assert_eq!(on(Facets::DIAGNOSTICS, Esc), Some(Action::Close));
    assert_eq!(on(Facets::DIAGNOSTICS, KeyCode::F(4)), Some(Action::Close));
    let help: Vec<String> = hints(Facets::DIAGNOSTICS, |_| true)
        .into_iter()
        .map(|h| h.keys)
        .collect();
    assert_eq!(help, ["F4/Esc", "F3", "F9", "Ctrl-C"]);
}

#[test]
fn every_key_a_screen_takes_has_a_hint_or_is_an_alias_of_a_hinted_one() {
    for f in Facets::each() {
        for b in KEYS.iter().filter(|b| b.on.meets(f) && b.hint.is_none()) {
            let typing = matches!(b.action, Action::Flow(F::Type(_) | F::Erase));
            // ← and → are one row of the help line ("←→"), as are the scroll keys.
            let kind = |a: &Action| match a {
                Action::Flow(F::Previous) => (discriminant(a), Some(discriminant(&F::Following))),
                Action::Flow(x) => (discriminant(a), Some(discriminant(x))),
                _ => (discriminant(a), None),
            };
            let hinted = KEYS
                .iter()
                .any(|h| h.on.meets(f) && h.hint.is_some() && kind(&h.action) == kind(&b.action));
            assert!(typing || hinted, "{b:?} on {f:?} has no hinted row of its kind");
        }
    }
}

#[test]
fn no_two_rows_of_one_screen_answer_the_same_key() {
    let probe = [
        Enter, Esc, Tab, Backspace, Up, Down, Left, Right, PageUp, PageDown, Home, End,
    ]
    .into_iter()
    .chain((1..=12).map(KeyCode::F))
    .chain("yYnNrRjk 1a".chars().map(KeyCode::Char));
    let screens = Facets::each().filter(|f| !f.meets(Facets::STATION.or(Facets::DIAGNOSTICS).or(Facets::QUIT)));
    for f in screens
        .map(|f| f.or(Facets::STATION))
        .chain([Facets::DIAGNOSTICS, Facets::QUIT])
    {
        for code in probe.clone() {
            let takers = KEYS
                .iter()
                .filter(|b| b.on.meets(f) && b.take(&ev(code, KeyModifiers::NONE)).is_some())
                .count();
            assert!(takers <= 1, "{code:?} on {f:?}: {takers} rows");
        }
    }
}

/// A key pressed twice, or repeating, acts on the screen its first press led to: no key
/// that leaves a screen may show a PIN on the next (F2 skipped the e-mail address, then
/// showed the password in clear on 署名).
#[test]
fn no_key_that_leaves_a_screen_reveals_a_secret_on_the_next() {
    let f = |x: Facets| x.or(Facets::STATION);
    let pins = [
        Facets::PIN_WAIT,
        Facets::PIN_MASKED,
        Facets::PIN_SHOWN,
        Facets::PIN_LAST,
    ];
    // Each screen, and the screens a key on it can lead to.
    let before_pin = [
        Facets::CARD,
        Facets::CONFIRM,
        Facets::REPRESENTATIVE,
        Facets::CONTACT,
        Facets::CONTACT.or(Facets::CONTACT_OPTIONAL),
        Facets::WORKING,
        Facets::PIN_WAIT,
        Facets::PIN_LAST,
    ];
    let probe = [
        Enter, Esc, Tab, Backspace, Up, Down, Left, Right, PageUp, PageDown, Home, End,
    ]
    .into_iter()
    .chain((1..=12).map(KeyCode::F))
    .chain("yYnNrRjk 1a".chars().map(KeyCode::Char));
    for code in probe {
        let e = ev(code, KeyModifiers::NONE);
        for from in before_pin {
            let Some(first) = resolve(f(from), &e) else { continue };
            for to in pins {
                let second = resolve(f(to), &e);
                let reveals = second == Some(Action::Flow(F::Reveal));
                assert!(
                    !reveals || first == Action::Flow(F::Reveal),
                    "{code:?}: {first:?} on {from:?}, then shows the PIN on {to:?}"
                );
            }
        }
    }
}

#[test]
fn hints_come_from_the_same_table() {
    let all = hints(Facets::STATION, |_| true);
    let labels: Vec<&str> = all.iter().map(|h| h.keys.as_str()).collect();
    assert_eq!(labels, ["F4", "F3", "F9", "F8", "Ctrl-C"]);
    let one_reader = hints(Facets::STATION, |a| a != Action::NextReader);
    assert!(one_reader.iter().all(|h| h.keys != "F3"));
    // Every hinted binding is also what `resolve` finds for its first key.
    for b in KEYS.iter().filter(|b| b.hint.is_some()) {
        let e = match b.keys {
            Keys::Of(k) => ev(k[0], KeyModifiers::NONE),
            Keys::Ctrl(c) => ev(KeyCode::Char(c), KeyModifiers::CONTROL),
            Keys::AnyChar => continue,
        };
        assert_eq!(resolve(b.on, &e), Some(b.action), "{b:?}");
    }
    assert_eq!(
        hint_for(Facets::CONSENT_END, Action::Flow(F::Submit)).unwrap().0,
        "Enter"
    );
    assert_eq!(
        keys_for(
            Facets::REPRESENTATIVE,
            Action::Flow(F::Representative(Representative::Guardian))
        ),
        Some("F6".into())
    );
    assert_eq!(
        keys_for(
            Facets::REPRESENTATIVE,
            Action::Flow(F::Representative(Representative::Parent))
        ),
        Some("F5".into())
    );
}
