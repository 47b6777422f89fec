//! The PIN rules under any sequence of keys and card answers (proptest).

use super::*;

pub(super) fn any_key() -> impl Strategy<Value = Key> {
    prop_oneof![
        prop::sample::select(vec!['0', '1', '2', '3', '4', 'a', 'B', 'y', 'n', 'r', ' ', '-']).prop_map(Key::Char),
        Just(Key::Enter),
        Just(Key::Enter),
        Just(Key::Backspace),
        Just(Key::Esc),
        Just(Key::Tab),
        Just(Key::Down),
        Just(Key::End),
        Just(Key::Left),
    ]
}

#[derive(Clone, Debug)]
pub(super) enum Step_ {
    Key(Key),
    /// Several keys at once, so random runs reach well-formed PINs.
    Type(&'static str),
    CardPresent,
    CardGone,
    ReplyTries(u8),
    ReplyWrong(u8),
    ReplyRead,
    ReplyLocked,
    ReplyRemoved,
    ReplySigned,
    ReplyNoSign,
    /// The challenge verified: a `card-authenticated` record.
    ReplyAuthenticated,
    /// The card session that read EF 02 has ended.
    ReplyUnbound,
    Stored(bool),
    Delivered,
    Tick(u64),
}

pub(super) fn any_step() -> impl Strategy<Value = Step_> {
    prop_oneof![
        6 => any_key().prop_map(Step_::Key),
        3 => prop::sample::select(vec!["1234", "abc123", "12", "9999"]).prop_map(Step_::Type),
        1 => Just(Step_::CardPresent),
        1 => Just(Step_::CardGone),
        2 => (0u8..6).prop_map(Step_::ReplyTries),
        1 => (0u8..5).prop_map(Step_::ReplyWrong),
        1 => Just(Step_::ReplyRead),
        1 => Just(Step_::ReplyLocked),
        1 => Just(Step_::ReplyRemoved),
        1 => Just(Step_::ReplySigned),
        1 => Just(Step_::ReplyNoSign),
        1 => Just(Step_::ReplyAuthenticated),
        1 => Just(Step_::ReplyUnbound),
        1 => any::<bool>().prop_map(Step_::Stored),
        1 => Just(Step_::Delivered),
        1 => (0u64..300_000).prop_map(Step_::Tick),
    ]
}

/// What the card thread answers, for a reply step (`kind`: the PIN its wrong-PIN and lock
/// answers name).
pub(super) fn reply_for(reply: &Step_, kind: PinKind) -> Result<CardReply, CardError> {
    match reply {
        Step_::ReplyTries(n) => Ok(CardReply::Tries(*n)),
        Step_::ReplyWrong(n) => Err(CardError::WrongPin { kind, tries_left: *n }),
        Step_::ReplyRead => Ok(CardReply::Read(person())),
        Step_::ReplyLocked => Err(CardError::Locked { kind }),
        Step_::ReplyRemoved => Err(CardError::Transport(TransportError::CardRemoved)),
        Step_::ReplySigned => Ok(signed("e")),
        Step_::ReplyAuthenticated => Ok(authenticated("e")),
        Step_::ReplyUnbound => Ok(CardReply::Unbound),
        _ => Err(CardError::NoSigningCertificate),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    /// Never more PIN-carrying requests than Enter (or last-try "y") presses made while a
    /// well-formed PIN was typed; never two requests in flight; data gone after 完了,
    /// start-over and timeout.
    #[test]
    fn pin_rules_hold_for_any_event_sequence(steps in proptest::collection::vec(any_step(), 1..120)) {
        let mut f = Flow::new(FlowConfig { idle_timeout_ms: 60_000, ..FlowConfig::default() });
        let mut now = 0u64;
        let _ = f.handle(now, Event::ConsentLayout { total: 5, visible: 10 });
        let mut ready_presses = 0u32;
        let mut verifies = 0u32;
        let mut in_flight: Option<u64> = None;
        let mut last_store: Option<u64> = None;
        for s in steps {
            now += 100;
            let ready = f.pin_ready()
                || matches!(f.screen(), Screen::Pin(p) | Screen::SignPin(p) | Screen::AuthPin(p) if p.confirming_last);
            let ev = match s {
                Step_::Key(k) => {
                    if ready && matches!(k, Key::Enter | Key::Char('y')) {
                        ready_presses += 1;
                    }
                    key_event(&f, k)
                }
                Step_::Type(text) => {
                    for c in text.chars() {
                        let typed = key_event(&f, Key::Char(c));
                        for e in f.handle(now, typed) {
                            prop_assert!(!matches!(e, Effect::Card { .. }), "typing sent something");
                        }
                    }
                    continue;
                }
                Step_::CardPresent => Event::CardPresent,
                Step_::CardGone => Event::CardGone,
                Step_::Tick(d) => { now += d; Event::Tick }
                Step_::Stored(ok) => match last_store {
                    Some(id) => Event::Stored { id, result: if ok { Ok("e".into()) } else { Err(BackendError::QueueFull) } },
                    None => Event::Tick,
                },
                Step_::Delivered => Event::Delivered { enrollment_id: "e".into(), verdict: Verdict::Accepted },
                reply => {
                    let Some(id) = in_flight else { continue };
                    Event::Card { id, result: reply_for(&reply, PinKind::TextPin) }
                }
            };
            let effects = f.handle(now, ev);
            let card_effects = effects.iter().filter(|e| matches!(e, Effect::Card { .. })).count();
            prop_assert!(card_effects <= 1, "{card_effects} card requests from one event");
            for e in effects {
                match e {
                    Effect::Card { id, request } => {
                        if matches!(
                            request,
                            CardRequest::VerifyAndRead(_) | CardRequest::VerifyAndSign { .. } | CardRequest::AuthSign { .. }
                        ) {
                            verifies += 1;
                        }
                        in_flight = Some(id);
                    }
                    Effect::StoreSigned { id, .. } | Effect::StoreUnauthenticated { id, .. } => last_store = Some(id),
                    _ => {}
                }
            }
            prop_assert!(verifies <= ready_presses, "{verifies} PIN requests for {ready_presses} presses");
            if matches!(f.screen(), Screen::Done { .. } | Screen::Consent { .. } | Screen::Sending { .. }) {
                prop_assert!(!f.holds_personal_data());
            }
        }
    }
}
