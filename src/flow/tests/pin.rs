//! PIN entry: what is typed is what is sent, one try per Enter on a well-formed PIN, the
//! last try asked, a locked PIN never VERIFYed.

use super::*;

/// Issue #25 (review): keys typed while the tries are asked go into the field, none dropped;
/// Enter then sends nothing and says so; once the tries show, the field holds all that was
/// typed and Enter sends exactly that.
#[test]
fn typing_while_the_tries_are_asked_is_kept_and_enter_waits_for_them() {
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::QueryTries(PinKind::SignPassword)));
    t.typed("ha").key(Key::Enter);
    t.no_card_effect();
    let Screen::SignPin(p) = t.f.screen() else { panic!() };
    assert_eq!(
        (p.input.revealed(), &p.message),
        ("HA", &Some(PinMessage::WaitForTries))
    );
    t.reply(id, Ok(CardReply::Tries(5))).typed("nako2024");
    t.no_card_effect();
    t.key(Key::Enter);
    let (_, req) = t.take_card();
    let CardRequest::VerifyAndSign { password, .. } = req else {
        panic!("{req:?}")
    };
    assert_eq!(password.expose(), b"HANAKO2024");
    // The text PIN the same, and the last try still asks for its yes.
    let mut t = T::new(FlowConfig::default());
    t.through_consent().card();
    let (id, _) = t.take_card();
    t.typed("12").key(Key::Backspace).typed("234").key(Key::Enter);
    t.no_card_effect();
    t.reply(id, Ok(CardReply::Tries(1))).key(Key::Enter);
    t.no_card_effect();
    let Screen::Pin(p) = t.f.screen() else { panic!() };
    assert!(p.confirming_last && p.input.revealed() == "1234");
    t.key(Key::Char('y'));
    let (_, req) = t.take_card();
    assert!(matches!(req, CardRequest::VerifyAndRead(_)));
}

#[test]
fn malformed_pin_costs_nothing() {
    let mut t = T::new(FlowConfig::default());
    t.through_consent().card();
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(3))).typed("12").key(Key::Enter);
    t.no_card_effect();
    let Screen::Pin(p) = t.f.screen() else { panic!() };
    assert!(matches!(p.message, Some(PinMessage::Format(_))));
    let Screen::Pin(p) = t.f.screen() else { panic!() };
    assert!(p.input.is_empty(), "a refused format empties the field");
    t.typed("1").key(Key::Char('x'));
    let Screen::Pin(p) = t.f.screen() else { panic!() };
    assert_eq!(p.message, Some(PinMessage::CharNotAllowed));
    assert_eq!(
        p.input.len(),
        1,
        "a refused character is not taken; the digit typed stays"
    );
}

/// Issue 25 item 1: retyping the whole PIN as the message says, after a refused format, is
/// what is sent (never `1231`), and a fifth digit is refused with a word, not swallowed. The
/// same for the password. The enrollment completes with every try left.
#[test]
fn retyping_after_a_refused_format_sends_what_was_retyped() {
    let mut t = T::new(FlowConfig::default());
    t.through_consent().card();
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(3))).typed("123").key(Key::Enter);
    t.no_card_effect();
    t.typed("1234").key(Key::Enter);
    let (id, req) = t.take_card();
    let CardRequest::VerifyAndRead(pin) = req else {
        panic!("{req:?}")
    };
    assert_eq!(pin.expose(), b"1234");
    drop(pin);
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(5))).typed("abcdef").key(Key::Enter);
    t.no_card_effect();
    let Screen::SignPin(p) = t.f.screen() else { panic!() };
    assert!(p.input.is_empty() && matches!(p.message, Some(PinMessage::Format(_))));
    t.typed("abc123").key(Key::Enter);
    let (id, req) = t.take_card();
    let CardRequest::VerifyAndSign { password, .. } = req else {
        panic!("{req:?}")
    };
    assert_eq!(password.expose(), b"ABC123");
    drop(password);
    t.reply(id, Ok(signed("e-1")));
    let store = t.effects.drain(..).find_map(|e| match e {
        Effect::StoreSigned { id, .. } => Some(id),
        _ => None,
    });
    t.ev(Event::Stored {
        id: store.unwrap(),
        result: Ok("e-1".into()),
    })
    .ev(Event::Delivered {
        enrollment_id: "e-1".into(),
        verdict: Verdict::Accepted,
    });
    assert!(matches!(
        t.f.screen(),
        Screen::Done {
            level: Assurance::Signed,
            ..
        }
    ));
}

#[test]
fn a_key_past_the_maximum_is_refused_with_a_word() {
    let mut t = T::new(FlowConfig::default());
    t.through_consent().card();
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(3))).typed("12345");
    let Screen::Pin(p) = t.f.screen() else { panic!() };
    assert_eq!(p.input.len(), 4);
    assert_eq!(p.message, Some(PinMessage::Full));
}

#[test]
fn wrong_pin_updates_tries_and_never_retries() {
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.reply(
        id,
        Err(CardError::WrongPin {
            kind: PinKind::TextPin,
            tries_left: 2,
        }),
    );
    t.no_card_effect();
    let Screen::Pin(p) = t.f.screen() else {
        panic!("{:?}", t.f.screen())
    };
    assert_eq!(
        (p.tries, p.message.clone(), p.input.is_empty()),
        (Some(2), Some(PinMessage::Wrong(2)), true)
    );
    // Enter on the empty field spends nothing.
    t.key(Key::Enter);
    t.no_card_effect();
}

#[test]
fn last_try_needs_an_explicit_yes() {
    let mut t = T::new(FlowConfig::default());
    t.through_consent().card();
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(1)));
    let Screen::Pin(p) = t.f.screen() else { panic!() };
    assert_eq!(p.message, Some(PinMessage::LastTryWarning));
    t.typed("1234").key(Key::Enter);
    t.no_card_effect();
    t.key(Key::Char('n'));
    t.no_card_effect();
    t.key(Key::Enter);
    t.no_card_effect();
    t.key(Key::Char('y'));
    let (_, req) = t.take_card();
    assert!(matches!(req, CardRequest::VerifyAndRead(_)));
}

#[test]
fn locked_pin_stops_without_a_verify() {
    let mut t = T::new(FlowConfig::default());
    t.through_consent().card();
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(0)));
    assert!(matches!(t.f.screen(), Screen::Stopped(Stop::Locked(PinKind::TextPin))));
    t.typed("1234").key(Key::Enter);
    t.no_card_effect();
    // A lock reported by VERIFY itself (e.g. 63 C0 on the last try) stops the same way.
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.reply(id, Err(CardError::Locked { kind: PinKind::TextPin }));
    assert!(matches!(t.f.screen(), Screen::Stopped(Stop::Locked(PinKind::TextPin))));
}
