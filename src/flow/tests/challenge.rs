//! The 利用者証明 challenge in the flow: a citizen who does not sign reaches 完了 only through
//! it, and its PIN keeps every PIN rule (issue #22).

use super::random::{any_step, reply_for, Step_};
use super::*;

/// A child (under 15 on 2026-12-01) whose card holds no signing certificate.
fn child() -> BasicFour {
    basic4::decode(&basic4::encode("吉野\u{3000}はな", "福岡県", "20190501", b'2', false)).unwrap()
}

/// The card without a signing certificate, as the probe tells it.
const NO_SIGNING: CardFacts = CardFacts {
    signing: Signing::Missing,
    certificate_expired: false,
};

impl T {
    /// A child's card: consent, the probe, PIN `0000` read into `child()`, confirmed, the
    /// clerk's 法定代理人: the flow has just asked for the challenge's first half.
    fn child_up_to_challenge(cfg: FlowConfig) -> T {
        let mut t = T::new(cfg);
        t.f.set_today(20261201);
        t.through_consent().card_with(NO_SIGNING);
        let (id, _) = t.take_card();
        t.reply(id, Ok(CardReply::Tries(3))).typed("0000").key(Key::Enter);
        let (id, _) = t.take_card();
        t.reply(id, Ok(CardReply::Read(child())))
            .key(Key::Enter)
            .key(Key::F(5))
            .key(Key::Enter);
        t
    }

    /// The auth PIN the request that VERIFYs it carries.
    fn auth_pin_sent(&self) -> Option<Vec<u8>> {
        self.effects.iter().find_map(|e| match e {
            Effect::Card {
                request: CardRequest::AuthSign { pin, .. },
                ..
            } => Some(pin.secret().expose().to_vec()),
            _ => None,
        })
    }

    /// Stopped on the locked auth PIN with the card released; keys and a yes afterwards send
    /// no VERIFY and store nothing.
    fn locked_and_nothing_after(&mut self) {
        assert_eq!(self.f.screen_stop(), Some(&Stop::Locked(PinKind::AuthPin)));
        assert!(self.effects.iter().any(|e| matches!(e, Effect::ReleaseCard)));
        self.effects.clear();
        self.typed("4649").key(Key::Enter).key(Key::Char('y'));
        assert_eq!(self.auth_signs(), 0, "no VERIFY for a locked PIN");
        assert!(self.unauthenticated_store().is_none() && self.signed_store().is_none());
    }

    fn auth_signs(&self) -> usize {
        self.effects
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Card {
                        request: CardRequest::AuthSign { .. },
                        ..
                    }
                )
            })
            .count()
    }

    /// The challenge's first half was asked for and answered with `tries`: the auth PIN
    /// screen takes input now.
    fn auth_tries(&mut self, tries: u8) -> &mut T {
        let (id, req) = self.take_card();
        assert!(matches!(req, CardRequest::AuthStart), "{req:?}");
        self.reply(id, Ok(CardReply::Tries(tries)))
    }
}

#[test]
fn a_child_reaches_done_only_through_the_challenge() {
    let mut t = T::child_up_to_challenge(FlowConfig::default());
    assert!(t.unauthenticated_store().is_none() && t.signed_store().is_none());
    assert_eq!(t.f.step(), Step::Prove);
    assert!(t.f.steps().contains(&Step::Prove) && !t.f.steps().contains(&Step::Sign));
    // Nothing on the way stores: the auth PIN screen, the card's work, a broken signature.
    let id = t.challenge_with(3, "4649");
    assert_eq!(t.f.step(), Step::Prove);
    t.reply(id, Ok(CardReply::SignatureInvalid));
    assert_eq!(t.f.screen_stop(), Some(&Stop::SignatureInvalid));
    assert_eq!(t.f.step(), Step::Prove);
    assert!(t.unauthenticated_store().is_none() && t.signed_store().is_none());

    let mut t = T::child_up_to_challenge(FlowConfig::default());
    let id = t.challenge_with(3, "4649");
    t.reply(id, Ok(authenticated("e-7")));
    let store = t.signed_store().expect("stored once the card signed");
    assert!(matches!(t.f.screen(), Screen::Storing));
    t.ev(Event::Stored {
        id: store,
        result: Ok("e-7".into()),
    });
    t.ev(Event::Delivered {
        enrollment_id: "e-7".into(),
        verdict: Verdict::Accepted,
    });
    assert!(
        matches!(
            t.f.screen(),
            Screen::Done {
                level: Assurance::CardAuthenticated,
                ..
            }
        ),
        "{:?}",
        t.f.screen()
    );
    assert!(!t.f.sign_skipped(), "the card proved itself: 利用者証明 is ticked");
}

/// Any sequence of keys, card events and replies, on a station without the signature step
/// (every citizen goes through the challenge): a record is stored only as the answer to the
/// challenge's signing request, never one that proves no card.
#[test]
fn without_a_signature_nothing_is_stored_but_what_the_challenge_answered() {
    use proptest::test_runner::{Config, TestRunner};
    let steps = proptest::collection::vec(any_step(), 1..120);
    let mut runner = TestRunner::new(Config {
        cases: 600,
        ..Config::default()
    });
    runner
        .run(&steps, |steps| {
            let mut f = Flow::new(FlowConfig {
                signature: false,
                idle_timeout_ms: 60_000,
                ..FlowConfig::default()
            });
            let mut now = 0;
            let _ = f.handle(now, Event::ConsentLayout { total: 5, visible: 10 });
            let mut in_flight: Option<(u64, bool)> = None;
            for s in steps {
                now += 100;
                let mut answers_challenge = false;
                let ev = match s {
                    Step_::Key(k) => key_event(&f, k),
                    Step_::Type(text) => {
                        for c in text.chars() {
                            let typed = key_event(&f, Key::Char(c));
                            let _ = f.handle(now, typed);
                        }
                        continue;
                    }
                    Step_::CardPresent => Event::CardPresent,
                    Step_::CardGone => Event::CardGone,
                    Step_::Tick(d) => {
                        now += d;
                        Event::Tick
                    }
                    Step_::Stored(_) | Step_::Delivered => Event::Tick,
                    // No request of this station signs with the signing key.
                    Step_::ReplySigned => continue,
                    // Only the challenge's signing request is answered with its record.
                    Step_::ReplyAuthenticated if !in_flight.is_some_and(|(_, auth_sign)| auth_sign) => continue,
                    reply => {
                        let Some((id, auth_sign)) = in_flight else { continue };
                        answers_challenge = auth_sign;
                        Event::Card {
                            id,
                            result: reply_for(&reply, PinKind::AuthPin),
                        }
                    }
                };
                for e in f.handle(now, ev) {
                    match e {
                        Effect::Card { id, request } => {
                            in_flight = Some((id, matches!(request, CardRequest::AuthSign { .. })));
                        }
                        Effect::StoreSigned { record, .. } => {
                            prop_assert!(answers_challenge, "stored outside the challenge");
                            prop_assert_eq!(record.payload().level(), Assurance::CardAuthenticated);
                        }
                        Effect::StoreUnauthenticated { .. } => prop_assert!(false, "a record that proves no card"),
                        _ => {}
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_wrong_auth_pin_costs_exactly_one_try_and_is_never_retried() {
    let mut t = T::child_up_to_challenge(FlowConfig::default());
    let id = t.challenge_with(3, "1111");
    assert_eq!(t.auth_signs(), 0, "taken by challenge_with");
    t.reply(
        id,
        Err(CardError::WrongPin {
            kind: PinKind::AuthPin,
            tries_left: 2,
        }),
    );
    // The same screen, empty, the card's count shown; nothing sent again by itself.
    match t.f.screen() {
        Screen::AuthPin(p) => {
            assert_eq!(p.tries, Some(2));
            assert!(p.input.is_empty());
            assert_eq!(p.message, Some(PinMessage::Wrong(2)));
        }
        s => panic!("{s:?}"),
    }
    t.no_card_effect();
    t.key(Key::Enter).ev(Event::Tick);
    t.no_card_effect();
    // The next try only on the next Enter on four typed digits: one request.
    t.typed("4649").key(Key::Enter);
    assert_eq!(t.auth_signs(), 1);
    assert_eq!(t.auth_pin_sent().as_deref(), Some(&b"4649"[..]));
}

#[test]
fn the_last_auth_try_needs_the_explicit_yes() {
    let mut t = T::child_up_to_challenge(FlowConfig::default());
    t.auth_tries(1);
    assert!(matches!(t.f.screen(), Screen::AuthPin(p) if p.message == Some(PinMessage::LastTryWarning)));
    t.typed("4649").key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::AuthPin(p) if p.confirming_last));
    t.no_card_effect();
    // No: nothing sent; Enter again only asks again.
    t.key(Key::Char('n'));
    t.no_card_effect();
    t.key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::AuthPin(p) if p.confirming_last));
    t.no_card_effect();
    t.key(Key::Char('y'));
    assert_eq!(t.auth_signs(), 1);
    assert_eq!(t.auth_pin_sent().as_deref(), Some(&b"4649"[..]));
    assert!(matches!(t.f.screen(), Screen::Proving));
}

#[test]
fn a_locked_auth_pin_sends_no_verify_and_says_where_it_is_reset() {
    // As the card thread answers the first half for a locked PIN, and as a count of 0.
    for reply in [
        Err(CardError::Locked { kind: PinKind::AuthPin }),
        Ok(CardReply::Tries(0)),
    ] {
        let mut t = T::child_up_to_challenge(FlowConfig::default());
        let (id, req) = t.take_card();
        assert!(matches!(req, CardRequest::AuthStart));
        t.reply(id, reply);
        assert_eq!(t.f.step(), Step::Prove);
        t.locked_and_nothing_after();
    }
}

/// Between the EF 02 read and the challenge the card left the reader: the challenge would bind
/// bytes of another card session (or another card). The card put back is read again and
/// compared before its PIN is asked for; another card stops there.
#[test]
fn a_card_removed_between_the_read_and_the_challenge_is_read_again_first() {
    // Removed on the 法定代理人 screen, before the challenge was asked for.
    let mut t = T::new(FlowConfig::default());
    t.f.set_today(20261201);
    t.through_consent().card_with(NO_SIGNING);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(3))).typed("0000").key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Read(child()))).key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Representative { .. }));
    t.ev(Event::CardGone).key(Key::F(5)).key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Card { .. }));
    t.no_card_effect();
    t.card_with(NO_SIGNING);
    let (id, req) = t.take_card();
    assert!(
        matches!(req, CardRequest::QueryTries(PinKind::TextPin)),
        "read again first: {req:?}"
    );
    t.reply(id, Ok(CardReply::Tries(3))).typed("0000").key(Key::Enter);
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::VerifyAndRead(_)));
    t.reply(id, Ok(CardReply::Read(child())));
    // The same card: now, in this card session, the challenge.
    t.auth_tries(3);
    assert!(matches!(t.f.screen(), Screen::AuthPin(p) if p.tries == Some(3)));

    // Removed on the auth PIN screen, digits typed: they are gone, the card is read again.
    let mut t = T::child_up_to_challenge(FlowConfig::default());
    t.auth_tries(3).typed("46");
    t.ev(Event::CardGone);
    assert!(matches!(t.f.screen(), Screen::Card { .. }));
    t.card_with(NO_SIGNING);
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::QueryTries(PinKind::TextPin)), "{req:?}");
    // Another card came back: nothing of it is signed.
    t.reply(id, Ok(CardReply::Tries(3))).typed("0000").key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Read(person())));
    assert_eq!(t.f.screen_stop(), Some(&Stop::DifferentCard));
    t.no_card_effect();

    // A reset the flow did not see as a removal: the card thread answers `Unbound` (nothing
    // sent), and the card is read again.
    let mut t = T::child_up_to_challenge(FlowConfig::default());
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Unbound));
    let (_, req) = t.take_card();
    assert!(
        matches!(req, CardRequest::QueryTries(PinKind::TextPin) | CardRequest::Probe),
        "{req:?}"
    );
    assert!(matches!(t.f.screen(), Screen::Pin(_)));
}

/// The 利用者証明用暗証番号 is another PIN: the 4-digit PIN typed before is not kept for it,
/// keys typed on other screens are not taken, and Enter on an empty or short field sends
/// nothing. The one request carries exactly the digits typed on its screen.
#[test]
fn no_auth_try_is_spent_on_digits_the_citizen_did_not_type_for_it() {
    let mut t = T::new(FlowConfig::default());
    t.f.set_today(20261201);
    t.through_consent().card_with(NO_SIGNING);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(3))).typed("0000").key(Key::Enter);
    let (id, _) = t.take_card();
    // Digits typed on the confirm and representative screens reach no PIN.
    t.reply(id, Ok(CardReply::Read(child())))
        .typed("1234")
        .key(Key::Enter)
        .typed("1234")
        .key(Key::F(5))
        .key(Key::Enter);
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::AuthStart));
    // While its tries are asked, what is typed on this screen is kept for this PIN (and only
    // that); Enter waits for the tries.
    t.typed("46").key(Key::Enter);
    t.no_card_effect();
    t.reply(id, Ok(CardReply::Tries(3)));
    match t.f.screen() {
        Screen::AuthPin(p) => assert_eq!(p.input.revealed(), "46", "nothing of the other PIN"),
        s => panic!("{s:?}"),
    }
    // Enter on two digits (the field is emptied), on nothing, or on three digits: no try.
    t.key(Key::Enter).key(Key::Enter).typed("000").key(Key::Enter);
    t.no_card_effect();
    t.typed("4649").key(Key::Enter);
    assert_eq!(t.auth_signs(), 1);
    assert_eq!(t.auth_pin_sent().as_deref(), Some(&b"4649"[..]));
}

/// A card without a 利用者証明用 certificate: a stop that says where one is issued, or, where
/// the operator allows records that prove no card, such a record (marked on 完了).
#[test]
fn no_auth_certificate_stops_unless_the_operator_allows_unauthenticated_records() {
    let no_cert = || Err(CardError::FileNotFound(crate::card::files::Ef::AuthCert));
    let mut t = T::child_up_to_challenge(FlowConfig::default());
    let (id, _) = t.take_card();
    t.reply(id, no_cert());
    assert_eq!(t.f.screen_stop(), Some(&Stop::NoAuthCertificate));
    assert!(t.unauthenticated_store().is_none());

    let mut t = T::child_up_to_challenge(FlowConfig {
        allow_unauthenticated: true,
        ..FlowConfig::default()
    });
    let (id, _) = t.take_card();
    t.reply(id, no_cert());
    let store = t.unauthenticated_store().expect("stored as the operator allows");
    assert!(t.f.sign_skipped(), "the proof step is not ticked");
    t.ev(Event::Stored {
        id: store,
        result: Ok("e-8".into()),
    });
    t.ev(Event::Delivered {
        enrollment_id: "e-8".into(),
        verdict: Verdict::Accepted,
    });
    assert!(matches!(
        t.f.screen(),
        Screen::Done {
            level: Assurance::Unauthenticated,
            ..
        }
    ));
}

/// Every try of the 利用者証明用暗証番号 through to the lock: exactly one request that
/// VERIFYs per Enter on four typed digits (the last one per yes), none for an Enter on
/// nothing, on three digits or after a refused letter or fifth digit; once locked, nothing
/// more is sent, and the stop says where the PIN is reset.
#[test]
fn one_auth_verify_per_enter_on_four_digits_none_on_malformed_input() {
    let mut t = T::child_up_to_challenge(FlowConfig::default());
    t.auth_tries(3);
    // Malformed: nothing, three digits, a letter (refused as typed, the two digits stay).
    t.key(Key::Enter)
        .typed("123")
        .key(Key::Enter)
        .typed("12x")
        .key(Key::Enter);
    t.no_card_effect();
    // A fifth digit is refused: the four typed before are what is sent, once.
    t.typed("11112").key(Key::Enter);
    assert_eq!((t.auth_signs(), t.auth_pin_sent().as_deref()), (1, Some(&b"1111"[..])));
    let (id, _) = t.take_card();
    t.reply(
        id,
        Err(CardError::WrongPin {
            kind: PinKind::AuthPin,
            tries_left: 2,
        }),
    );
    t.no_card_effect();
    t.typed("2222").key(Key::Enter);
    assert_eq!((t.auth_signs(), t.auth_pin_sent().as_deref()), (1, Some(&b"2222"[..])));
    let (id, _) = t.take_card();
    t.reply(
        id,
        Err(CardError::WrongPin {
            kind: PinKind::AuthPin,
            tries_left: 1,
        }),
    );
    // The last try: Enter asks, the yes sends.
    t.typed("3333").key(Key::Enter);
    t.no_card_effect();
    t.key(Key::Char('y'));
    assert_eq!((t.auth_signs(), t.auth_pin_sent().as_deref()), (1, Some(&b"3333"[..])));
    let (id, _) = t.take_card();
    t.reply(id, Err(CardError::Locked { kind: PinKind::AuthPin }));
    t.locked_and_nothing_after();
}

/// The tries are on screen before anything can be sent: the auth PIN screen comes up
/// waiting for the card's count (what is typed meanwhile is kept, but Enter is not "on a
/// well-formed PIN" and sends nothing), and the count the card told is on screen when the
/// first try goes.
#[test]
fn the_auth_tries_are_shown_before_any_try() {
    let mut t = T::child_up_to_challenge(FlowConfig::default());
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::AuthStart));
    assert!(matches!(t.f.screen(), Screen::AuthPin(p) if p.tries.is_none() && p.busy));
    assert!(!t.f.pin_ready());
    // Typed meanwhile: kept, but Enter sends nothing and says it waits for the tries.
    t.typed("4649").key(Key::Enter);
    t.no_card_effect();
    assert!(matches!(t.f.screen(), Screen::AuthPin(p) if p.message == Some(PinMessage::WaitForTries)));
    t.reply(id, Ok(CardReply::Tries(2)));
    t.no_card_effect();
    assert!(matches!(t.f.screen(), Screen::AuthPin(p) if p.tries == Some(2) && !p.busy));
    assert!(t.f.pin_ready());
    // The first try goes on the Enter pressed once the count is on screen.
    t.key(Key::Enter);
    assert_eq!((t.auth_signs(), t.auth_pin_sent().as_deref()), (1, Some(&b"4649"[..])));
}

/// There is no "the same as before" key: the PIN typed for EF 02 (here the very digits of the
/// auth PIN) is never sent for the challenge. Every key the auth PIN screen could be offered
/// sends nothing while its field is empty; only digits typed on it are sent.
#[test]
fn the_text_pin_is_never_reused_for_the_auth_pin() {
    let mut t = T::new(FlowConfig::default());
    t.f.set_today(20261201);
    t.through_consent().card_with(NO_SIGNING);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(3))).typed("4649").key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Read(child())))
        .key(Key::Enter)
        .key(Key::F(5))
        .key(Key::Enter);
    t.auth_tries(3);
    let keys = [
        Key::Enter,
        Key::Tab,
        Key::Up,
        Key::Down,
        Key::Left,
        Key::Right,
        Key::PageDown,
        Key::End,
    ]
    .into_iter()
    .chain((1..=12).map(Key::F))
    .chain([Key::Char('y'), Key::Enter]);
    for k in keys {
        t.key(k);
        assert_eq!(t.auth_signs(), 0, "{k:?} sent a PIN");
        assert!(
            matches!(t.f.screen(), Screen::AuthPin(p) if p.input.is_empty()),
            "{k:?}: {:?}",
            t.f.screen()
        );
    }
    t.typed("4649").key(Key::Enter);
    assert_eq!(t.auth_signs(), 1);
}
