use super::*;
use crate::card::basic4;
use crate::card::TransportError;
use crate::record::payload::Assurance;
use crate::seam::{BackendError, SignedPayload};
use proptest::prelude::*;

/// The clerk's card-face step (issue #24), with this file's helpers.
mod face;

/// Keys as a terminal sends them. The tests press keys and the key table (`ui::keys`) turns
/// them into actions for the screen on view, as the app does: what a key does on each screen
/// is tested with the table it is declared in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Char(char),
    Enter,
    Backspace,
    Esc,
    Tab,
    Up,
    Down,
    Left,
    Right,
    PageDown,
    End,
    F(u8),
}

/// What `k` is to `f` now: its action on the screen on view, or mere activity.
fn key_event(f: &Flow, k: Key) -> Event {
    use crate::ui::keys::{self, Action as K, Overlay};
    use crossterm::event::{KeyCode as C, KeyEvent, KeyModifiers};
    let code = match k {
        Key::Char(c) => C::Char(c),
        Key::Enter => C::Enter,
        Key::Backspace => C::Backspace,
        Key::Esc => C::Esc,
        Key::Tab => C::Tab,
        Key::Up => C::Up,
        Key::Down => C::Down,
        Key::Left => C::Left,
        Key::Right => C::Right,
        Key::PageDown => C::PageDown,
        Key::End => C::End,
        Key::F(n) => C::F(n),
    };
    match keys::resolve(keys::facets(f, Overlay::None), &KeyEvent::new(code, KeyModifiers::NONE)) {
        Some(K::Flow(a)) => Event::Action(a),
        _ => Event::Activity,
    }
}

fn person() -> BasicFour {
    basic4::decode(&basic4::encode(
        "山田\u{3000}太郎",
        "東京都千代田区",
        "19800217",
        b'1',
        false,
    ))
    .unwrap()
}

struct T {
    f: Flow,
    now: u64,
    effects: Vec<Effect>,
}

impl T {
    fn new(cfg: FlowConfig) -> T {
        let mut t = T {
            f: Flow::new(cfg),
            now: 0,
            effects: Vec::new(),
        };
        t.ev(Event::ConsentLayout { total: 30, visible: 10 });
        t
    }
    fn ev(&mut self, e: Event) -> &mut T {
        self.now += 10;
        let out = self.f.handle(self.now, e);
        self.effects.extend(out);
        self
    }
    fn key(&mut self, k: Key) -> &mut T {
        let e = key_event(&self.f, k);
        self.ev(e)
    }
    fn typed(&mut self, s: &str) -> &mut T {
        for c in s.chars() {
            self.key(Key::Char(c));
        }
        self
    }
    /// The id and request of the last card effect, draining effects.
    fn take_card(&mut self) -> (u64, CardRequest) {
        let mut found = None;
        for e in self.effects.drain(..) {
            if let Effect::Card { id, request } = e {
                assert!(found.is_none(), "two card requests at once");
                found = Some((id, request));
            }
        }
        found.expect("a card request")
    }
    fn no_card_effect(&mut self) {
        assert!(
            !self.effects.iter().any(|e| matches!(e, Effect::Card { .. })),
            "{:?}",
            self.effects
        );
        self.effects.clear();
    }
    fn reply(&mut self, id: u64, r: Result<CardReply, CardError>) -> &mut T {
        self.ev(Event::Card { id, result: r })
    }
    /// The id of the pending store of a record that proves no card, if the last events
    /// asked for one.
    fn unauthenticated_store(&self) -> Option<u64> {
        self.effects.iter().find_map(|e| match e {
            Effect::StoreUnauthenticated { id, .. } => Some(*id),
            _ => None,
        })
    }
    /// The id of the pending store of a signed (or card-authenticated) record.
    fn signed_store(&self) -> Option<u64> {
        self.effects.iter().find_map(|e| match e {
            Effect::StoreSigned { id, .. } => Some(*id),
            _ => None,
        })
    }
    /// The 利用者証明 challenge asked for (its first half): answered with `tries`, the auth
    /// PIN typed and sent. Returns the `AuthSign` request's id.
    fn challenge_with(&mut self, tries: u8, pin: &str) -> u64 {
        let (id, req) = self.take_card();
        assert!(matches!(req, CardRequest::AuthStart), "{req:?}");
        assert!(matches!(self.f.screen(), Screen::AuthPin(_)));
        self.reply(id, Ok(CardReply::Tries(tries))).typed(pin).key(Key::Enter);
        let (id, req) = self.take_card();
        assert!(matches!(req, CardRequest::AuthSign { .. }), "{req:?}");
        id
    }
    /// The whole challenge, the card signing: returns the store's id.
    fn through_challenge(&mut self, enrollment_id: &str) -> u64 {
        let id = self.challenge_with(3, "5678");
        self.reply(id, Ok(authenticated(enrollment_id)));
        self.signed_store().expect("the card-authenticated record stored")
    }
    fn through_consent(&mut self) -> &mut T {
        self.key(Key::End).key(Key::Enter)
    }
    /// The card arrives: the probe (what it tells without a PIN) is answered with `facts`,
    /// which leaves the text PIN's tries query in `effects`.
    /// Without the signature step there is no probe: the tries query comes at once.
    fn card_with(&mut self, facts: CardFacts) -> &mut T {
        self.ev(Event::CardPresent);
        let probe = self.effects.iter().find_map(|e| match e {
            Effect::Card {
                id,
                request: CardRequest::Probe,
            } => Some(*id),
            _ => None,
        });
        match probe {
            Some(id) => {
                self.effects.clear();
                self.reply(id, Ok(CardReply::Probed(facts)))
            }
            None => self,
        }
    }
    /// The card arrives and tells nothing of note.
    fn card(&mut self) -> &mut T {
        self.card_with(CardFacts {
            signing: Signing::Tries(5),
            certificate_expired: false,
        })
    }
    /// Consent, card, tries 3, PIN typed and sent; returns the VerifyAndRead id.
    fn up_to_reading(&mut self) -> u64 {
        self.through_consent().card();
        let (id, req) = self.take_card();
        assert!(matches!(req, CardRequest::QueryTries(PinKind::TextPin)));
        self.reply(id, Ok(CardReply::Tries(3))).typed("1234").key(Key::Enter);
        let (id, req) = self.take_card();
        assert!(matches!(req, CardRequest::VerifyAndRead(_)));
        id
    }
}

fn signed_checked(id: &str, check: Option<crate::record::check::CardCheck>) -> CardReply {
    use crate::record::card_data::CardData;
    use crate::record::payload::{Payload, Statement};
    let card = CardData::from_basic4(&person());
    let mut st = Statement::new("s", "t", "h", &card, None);
    st.enrollment_id = id.into();
    let p = Payload::new(&st, card, None, Some(b"sig"), Some(b"cert"), check);
    CardReply::Signed(Box::new(SignedPayload::new(p)))
}

fn signed(id: &str) -> CardReply {
    signed_checked(id, None)
}

/// What the card thread answers a challenge that verified: a `card-authenticated` record.
fn authenticated(id: &str) -> CardReply {
    use crate::record::card_data::CardData;
    use crate::record::payload::{Payload, Statement};
    let card = CardData::from_basic4(&person());
    let ef02 = basic4::Ef02::new(zeroize::Zeroizing::new(b"ef02".to_vec()));
    let mut st = Statement::new("s", "t", "h", &card, None).with_ef02(&ef02);
    st.enrollment_id = id.into();
    let p = Payload::card_authenticated(&st, card, None, b"sig", b"cert", &ef02);
    CardReply::Signed(Box::new(SignedPayload::new(p)))
}

#[test]
fn full_enrollment_with_signature() {
    let mut t = T::new(FlowConfig::default());
    assert_eq!(t.f.step(), Step::Consent);
    let id = t.up_to_reading();
    assert_eq!(t.f.step(), Step::Reading);
    t.reply(id, Ok(CardReply::Read(person())));
    assert!(matches!(
        t.f.screen(),
        Screen::Confirm {
            choice: ConfirmChoice::Next
        }
    ));
    assert!(t.f.holds_personal_data());
    t.key(Key::Enter);
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::QueryTries(PinKind::SignPassword)));
    t.reply(id, Ok(CardReply::Tries(5))).typed("abc123").key(Key::Enter);
    let (id, req) = t.take_card();
    match req {
        CardRequest::VerifyAndSign {
            password,
            person,
            declared,
        } => {
            assert!(declared.email.is_none(), "no contact step configured");
            assert!(declared.representative.is_none(), "an adult, no representative");
            assert_eq!(password.kind(), PinKind::SignPassword);
            assert_eq!(person.name.as_str(), "山田\u{3000}太郎");
        }
        other => panic!("{other:?}"),
    }
    t.reply(id, Ok(signed("e-1")));
    let store = t.effects.drain(..).find_map(|e| match e {
        Effect::StoreSigned { id, .. } => Some(id),
        _ => None,
    });
    let store = store.expect("store effect");
    assert_eq!(t.f.step(), Step::Send);
    assert!(
        !matches!(t.f.screen(), Screen::Done { .. }),
        "完了 only after the store"
    );
    t.ev(Event::Stored {
        id: store,
        result: Ok("e-1".into()),
    });
    assert!(!t.f.holds_personal_data(), "wiped once on disk");
    assert!(t.effects.iter().any(|e| matches!(e, Effect::Wipe)));
    t.ev(Event::Delivered {
        enrollment_id: "e-1".into(),
        verdict: Verdict::Accepted,
    });
    assert!(matches!(
        t.f.screen(),
        Screen::Done {
            verdict: Verdict::Accepted,
            level: Assurance::Signed,
            ..
        }
    ));
    t.key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Consent { .. }));
}

#[test]
fn contact_step_when_configured() {
    let mut t = T::new(FlowConfig {
        email: true,
        ..FlowConfig::default()
    });
    assert!(t.f.steps().contains(&Step::Contact));
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    assert_eq!(t.f.step(), Step::Contact);
    t.no_card_effect();
    t.typed("hanako@example").key(Key::Enter);
    assert!(matches!(
        t.f.screen(),
        Screen::Contact {
            error: Some(contact::EmailError::Domain),
            ..
        }
    ));
    t.typed(".jp").key(Key::Enter);
    // Typed twice: a different second entry starts over, the same one goes on.
    t.no_card_effect();
    assert!(matches!(t.f.screen(), Screen::Contact { first: Some(_), .. }));
    t.typed("hanako@example.co.jp").key(Key::Enter);
    assert!(matches!(
        t.f.screen(),
        Screen::Contact {
            first: None,
            error: Some(contact::EmailError::Mismatch),
            ..
        }
    ));
    t.no_card_effect();
    t.typed("hanako@example.jp").key(Key::Enter);
    t.typed("hanako@example.jp").key(Key::Enter);
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::QueryTries(PinKind::SignPassword)));
    assert_eq!(t.f.email().unwrap().as_str(), "hanako@example.jp");
    t.reply(id, Ok(CardReply::Tries(5))).typed("abc123").key(Key::Enter);
    let (_, req) = t.take_card();
    match req {
        CardRequest::VerifyAndSign { declared, .. } => {
            assert_eq!(declared.email.unwrap().as_str(), "hanako@example.jp")
        }
        other => panic!("{other:?}"),
    }
    // Start over wipes the address too.
    t.key(Key::Esc);
    assert!(t.f.email().is_none() && !t.f.holds_personal_data());
}

#[test]
fn consent_accepts_only_after_reaching_the_end() {
    let mut t = T::new(FlowConfig::default());
    t.key(Key::Enter);
    assert_eq!(t.f.step(), Step::Consent);
    for _ in 0..19 {
        t.key(Key::Down);
    }
    t.key(Key::Enter);
    assert_eq!(t.f.step(), Step::Consent, "one line short of the end");
    t.key(Key::Down).key(Key::Up).key(Key::Enter);
    assert_eq!(t.f.step(), Step::Card, "reached once is enough");
}

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

#[test]
fn card_pulled_during_reading_goes_back_and_ignores_the_late_answer() {
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.ev(Event::CardGone);
    assert!(matches!(
        t.f.screen(),
        Screen::Card {
            notice: Some(Notice::CardRemoved)
        }
    ));
    t.reply(id, Ok(CardReply::Read(person())));
    assert!(t.f.person().is_none(), "stale answer ignored");
    t.card();
    let (_, req) = t.take_card();
    assert!(matches!(req, CardRequest::QueryTries(PinKind::TextPin)));
    // The same through an error answer.
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.reply(id, Err(CardError::Transport(TransportError::CardRemoved)));
    assert!(matches!(
        t.f.screen(),
        Screen::Card {
            notice: Some(Notice::CardRemoved)
        }
    ));
}

#[test]
fn card_pulled_at_signing_keeps_the_confirmed_data_and_reads_the_card_again() {
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(5))).ev(Event::CardGone);
    assert!(matches!(t.f.screen(), Screen::Card { .. }));
    assert!(t.f.person().is_some());
    t.card();
    let (id, req) = t.take_card();
    assert!(
        matches!(req, CardRequest::QueryTries(PinKind::TextPin)),
        "the card that came back is read again before anything is signed"
    );
    t.reply(id, Ok(CardReply::Tries(3))).typed("1234").key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Read(person())));
    let (_, req) = t.take_card();
    assert!(
        matches!(req, CardRequest::QueryTries(PinKind::SignPassword)),
        "the same card resumes at the signature without a second confirmation"
    );
}

#[test]
fn another_card_after_a_removal_is_a_different_card_and_nothing_is_signed() {
    let other = basic4::decode(&basic4::encode("鈴木\u{3000}一郎", "大阪府", "19700101", b'1', false)).unwrap();
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let (id, _) = t.take_card();
    // Removal between 確認 and 署名, reported by the card (a reset on the held connection).
    t.reply(id, Err(CardError::Transport(TransportError::CardReset)));
    let (id, req) = t.take_card();
    assert!(
        matches!(req, CardRequest::Probe),
        "card still present: probed and read again"
    );
    t.reply(id, Ok(CardReply::Probed(CardFacts::default())));
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::QueryTries(PinKind::TextPin)));
    t.reply(id, Ok(CardReply::Tries(3))).typed("1234").key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Read(other)));
    assert!(matches!(t.f.screen(), Screen::Stopped(Stop::DifferentCard)));
    assert!(t.f.person().is_none(), "the confirmed data is wiped");
    assert!(t.effects.iter().any(|e| matches!(e, Effect::Wipe)));
    assert!(!t.effects.iter().any(|e| matches!(e, Effect::Card { .. })));
}

#[test]
fn a_record_that_differs_from_its_certificate_is_stored_and_done_says_review() {
    use crate::record::check::{CardCheck, FieldMatch};
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(5))).typed("abc123").key(Key::Enter);
    let (id, _) = t.take_card();
    let check = CardCheck {
        address: FieldMatch::Differs,
        birth_date: FieldMatch::Exact,
        gender: FieldMatch::Exact,
        name: FieldMatch::Substituted,
        name_form: Some(crate::record::check::NameForm::Name),
    };
    t.reply(id, Ok(signed_checked("e-9", Some(check))));
    let store = t
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::StoreSigned { id, .. } => Some(*id),
            _ => None,
        })
        .expect("stored, never thrown away");
    t.ev(Event::Stored {
        id: store,
        result: Ok("e-9".into()),
    });
    t.ev(Event::Delivered {
        enrollment_id: "e-9".into(),
        verdict: Verdict::CardDataMismatch,
    });
    match t.f.screen() {
        Screen::Done { review, level, .. } => {
            assert_eq!(review, &vec![crate::record::check::Item::Address]);
            assert_eq!(*level, Assurance::Signed);
        }
        s => panic!("{s:?}"),
    }
}

#[test]
fn expired_certificate_stops_before_signing() {
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(5))).typed("abc123").key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::CertificateRefused(CertificateProblem::Expired)));
    assert!(matches!(
        t.f.screen(),
        Screen::Stopped(Stop::Refused(Verdict::CertificateExpired))
    ));
    assert_eq!(t.f.step(), Step::Sign);
    assert!(!t
        .effects
        .iter()
        .any(|e| matches!(e, Effect::StoreSigned { .. } | Effect::StoreUnauthenticated { .. })));
}

/// Issue 21: the station's backend failing while the card waited (the demo's never started)
/// stops with the backend's words, not a card error, and nothing is stored.
#[test]
fn a_backend_failure_while_signing_is_said_as_the_backends() {
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(5))).typed("abc123").key(Key::Enter);
    let (id, _) = t.take_card();
    t.effects.clear();
    t.reply(
        id,
        Ok(CardReply::BackendFailed(BackendError::Storage("not started".into()))),
    );
    assert!(matches!(
        t.f.screen(),
        Screen::Stopped(Stop::StoreFailed(BackendError::Storage(_)))
    ));
    assert!(t.effects.iter().any(|e| matches!(e, Effect::ReleaseCard)));
    assert!(!t
        .effects
        .iter()
        .any(|e| matches!(e, Effect::StoreSigned { .. } | Effect::StoreUnauthenticated { .. })));
}

#[test]
fn adult_without_signing_certificate_is_not_called_a_minor() {
    for (allow, today, expect_challenge) in [(false, 20261201, false), (true, 20261201, true)] {
        let mut t = T::new(FlowConfig {
            allow_unsigned_adults: allow,
            ..FlowConfig::default()
        });
        t.f.set_today(today);
        let id = t.up_to_reading();
        t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
        let (id, _) = t.take_card();
        t.reply(id, Err(CardError::NoSigningCertificate));
        let challenge = t.effects.iter().any(|e| {
            matches!(
                e,
                Effect::Card {
                    request: CardRequest::AuthStart,
                    ..
                }
            )
        });
        assert_eq!(challenge, expect_challenge);
        assert!(t.unauthenticated_store().is_none());
        if !expect_challenge {
            assert!(matches!(t.f.screen(), Screen::Stopped(Stop::NoSigningCertificateAdult)));
        }
    }
}

#[test]
fn idle_warning_counts_down_and_a_key_only_keeps_the_session() {
    let cfg = FlowConfig {
        idle_timeout_ms: 60_000,
        ..FlowConfig::default()
    };
    let mut t = T::new(cfg);
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person())));
    let last = t.now;
    assert!(t
        .effects
        .iter()
        .any(|e| matches!(e, Effect::WakeAt(at) if *at == last + 30_000)));
    t.now = last + 45_000 - 10;
    t.ev(Event::Tick);
    assert_eq!(t.f.idle_warning(), Some(15));
    // The key that dismisses the warning does not choose on the confirm screen.
    t.key(Key::Enter);
    assert_eq!(t.f.idle_warning(), None);
    assert!(matches!(t.f.screen(), Screen::Confirm { .. }));
    t.now += 60_000;
    t.ev(Event::Tick);
    assert!(matches!(
        t.f.screen(),
        Screen::Consent {
            notice: Some(Notice::TimedOut),
            ..
        }
    ));
}

#[test]
fn minor_without_signing_certificate() {
    let minor = basic4::decode(&basic4::encode("吉野\u{3000}葵", "東京都", "20190501", b'2', false)).unwrap();
    let mut t = T::new(FlowConfig::default());
    t.f.set_today(20261201);
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(minor))).key(Key::Enter);
    // A minor: the clerk confirms the 法定代理人 first.
    t.key(Key::F(5)).key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Err(CardError::NoSigningCertificate));
    // No signature: the card proves itself with the 利用者証明 challenge.
    let store = t.through_challenge("e-2");
    t.ev(Event::Stored {
        id: store,
        result: Ok("e-2".into()),
    });
    t.ev(Event::Delivered {
        enrollment_id: "e-2".into(),
        verdict: Verdict::Accepted,
    });
    assert!(matches!(
        t.f.screen(),
        Screen::Done {
            level: Assurance::CardAuthenticated,
            ..
        }
    ));

    let mut t = T::new(FlowConfig {
        allow_unsigned_minors: false,
        ..FlowConfig::default()
    });
    t.f.set_today(20261201);
    let id = t.up_to_reading();
    let minor = basic4::decode(&basic4::encode("吉野\u{3000}葵", "東京都", "20190501", b'2', false)).unwrap();
    t.reply(id, Ok(CardReply::Read(minor))).key(Key::Enter);
    // A minor: the clerk confirms the 法定代理人 first.
    t.key(Key::F(5)).key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Err(CardError::NoSigningCertificate));
    assert!(matches!(t.f.screen(), Screen::Stopped(Stop::NoSigningCertificate)));
}

#[test]
fn without_signature_step_the_card_proves_itself_with_the_challenge() {
    let mut t = T::new(FlowConfig {
        signature: false,
        ..FlowConfig::default()
    });
    assert!(!t.f.steps().contains(&Step::Sign));
    assert!(t.f.steps().contains(&Step::Prove));
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    assert!(t.unauthenticated_store().is_none());
    assert!(t.through_challenge("e-1") > 0);
}

#[test]
fn idle_timeout_wipes_and_starts_over() {
    let cfg = FlowConfig {
        idle_timeout_ms: 1000,
        ..FlowConfig::default()
    };
    let mut t = T::new(cfg);
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person())));
    assert!(t.f.holds_personal_data());
    assert!(t.effects.iter().any(|e| matches!(e, Effect::WakeAt(_))));
    t.now += 2000;
    t.ev(Event::Tick);
    assert!(!t.f.holds_personal_data());
    assert!(matches!(
        t.f.screen(),
        Screen::Consent {
            notice: Some(Notice::TimedOut),
            ..
        }
    ));
}

#[test]
fn store_failure_is_not_completion() {
    let mut t = T::new(FlowConfig {
        signature: false,
        ..FlowConfig::default()
    });
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let store = t.through_challenge("e-1");
    t.ev(Event::Stored {
        id: store,
        result: Err(BackendError::Storage("disk full".into())),
    });
    assert!(matches!(t.f.screen(), Screen::Stopped(Stop::StoreFailed(_))));
}

#[test]
fn send_wait_ends_in_done_queued_and_verdicts_stop() {
    let cfg = FlowConfig {
        signature: false,
        send_wait_ms: 500,
        ..FlowConfig::default()
    };
    let mut t = T::new(cfg.clone());
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let store = t.through_challenge("e-3");
    t.ev(Event::Stored {
        id: store,
        result: Ok("e-3".into()),
    });
    t.now += 600;
    t.ev(Event::Tick);
    assert!(matches!(
        t.f.screen(),
        Screen::Done {
            verdict: Verdict::Queued,
            ..
        }
    ));

    let mut t = T::new(cfg);
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let store = t.through_challenge("e-4");
    t.ev(Event::Stored {
        id: store,
        result: Ok("e-4".into()),
    });
    t.ev(Event::Delivered {
        enrollment_id: "other".into(),
        verdict: Verdict::CertificateRevoked,
    });
    assert!(
        matches!(t.f.screen(), Screen::Sending { .. }),
        "another record's verdict"
    );
    t.ev(Event::Delivered {
        enrollment_id: "e-4".into(),
        verdict: Verdict::CertificateExpired,
    });
    assert!(matches!(
        t.f.screen(),
        Screen::Stopped(Stop::Verdict(Verdict::CertificateExpired))
    ));
}

#[test]
fn queue_full_refuses_to_start() {
    let mut t = T::new(FlowConfig::default());
    t.ev(Event::QueueFull(true)).through_consent();
    assert!(matches!(
        t.f.screen(),
        Screen::Consent {
            notice: Some(Notice::QueueFull),
            ..
        }
    ));
    t.ev(Event::QueueFull(false)).key(Key::Enter);
    assert_eq!(t.f.step(), Step::Card);
}

#[test]
fn versions_move_only_on_visible_change() {
    let mut t = T::new(FlowConfig::default());
    let v = t.f.version();
    t.ev(Event::Tick);
    t.key(Key::Char('z'));
    assert_eq!(t.f.version(), v, "nothing visible changed");
    t.key(Key::Down);
    assert!(t.f.version() > v);
}

fn any_key() -> impl Strategy<Value = Key> {
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
enum Step_ {
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

fn any_step() -> impl Strategy<Value = Step_> {
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
fn reply_for(reply: &Step_, kind: PinKind) -> Result<CardReply, CardError> {
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

fn minor() -> BasicFour {
    basic4::decode(&basic4::encode("吉野\u{3000}葵", "東京都", "20190501", b'2', false)).unwrap()
}

#[test]
fn a_minor_cannot_finish_without_the_representative_the_clerk_chose() {
    let mut t = T::new(FlowConfig::default());
    t.f.set_today(20261201);
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(minor()))).key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Representative { choice: None }));
    t.no_card_effect();
    // Enter without a choice, and the citizen's keys, do nothing.
    t.key(Key::Enter).typed("123");
    assert!(matches!(t.f.screen(), Screen::Representative { choice: None }));
    t.no_card_effect();
    t.key(Key::F(6)).key(Key::Enter);
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::QueryTries(PinKind::SignPassword)));
    // The minor's card has no signing certificate: the challenge covers the representative.
    t.reply(id, Err(CardError::NoSigningCertificate));
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(3))).typed("5678").key(Key::Enter);
    let declared = t
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Card {
                request: CardRequest::AuthSign { declared, .. },
                ..
            } => Some(declared.clone()),
            _ => None,
        })
        .expect("the challenge signs");
    assert_eq!(
        declared.representative,
        Some(crate::record::payload::Representative::Guardian)
    );
}

#[test]
fn an_adult_gets_the_representative_step_only_when_the_clerk_asks() {
    let mut t = T::new(FlowConfig::default());
    t.f.set_today(20261201);
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person())));
    t.key(Key::F(5));
    assert!(matches!(t.f.screen(), Screen::Representative { .. }));
    t.key(Key::F(5)).key(Key::Enter);
    assert_eq!(
        t.f.declared().representative,
        Some(crate::record::payload::Representative::Parent)
    );
    let (_, req) = t.take_card();
    assert!(matches!(req, CardRequest::QueryTries(PinKind::SignPassword)));
}

#[test]
fn the_privacy_notice_is_its_own_read_to_the_end_step() {
    let mut t = T::new(FlowConfig {
        privacy: true,
        ..FlowConfig::default()
    });
    t.through_consent();
    assert!(matches!(
        t.f.screen(),
        Screen::Consent {
            doc: Doc::Privacy,
            reached_end: false,
            ..
        }
    ));
    // Not read yet: Enter does nothing until its own layout is known and scrolled.
    t.key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Consent { doc: Doc::Privacy, .. }));
    t.ev(Event::ConsentLayout { total: 25, visible: 10 });
    t.key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Consent { doc: Doc::Privacy, .. }));
    t.key(Key::End).key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Card { .. }));
}

#[test]
fn a_language_switch_on_the_privacy_notice_goes_back_to_the_terms_in_that_language() {
    let mut t = T::new(FlowConfig {
        privacy: true,
        ..FlowConfig::default()
    });
    // The terms read in Japanese, then English picked on the privacy notice.
    t.through_consent();
    assert!(matches!(t.f.screen(), Screen::Consent { doc: Doc::Privacy, .. }));
    t.key(Key::Right);
    assert_eq!(t.f.citizen_lang(), Lang::En);
    assert!(
        matches!(
            t.f.screen(),
            Screen::Consent {
                doc: Doc::Terms,
                scroll: 0,
                reached_end: false,
                ..
            }
        ),
        "the English terms are read before they are signed"
    );
    // Enter at the top of the terms does not skip them.
    t.ev(Event::ConsentLayout { total: 25, visible: 10 });
    t.key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Consent { doc: Doc::Terms, .. }));
    t.key(Key::End).key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Consent { doc: Doc::Privacy, .. }));
    t.ev(Event::ConsentLayout { total: 25, visible: 10 });
    t.key(Key::End).key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Card { .. }));
    assert_eq!(t.f.declared().lang.as_deref(), Some("en"));
}

#[test]
fn esc_while_sending_shows_done_the_record_being_stored() {
    let cfg = FlowConfig {
        signature: false,
        ..FlowConfig::default()
    };
    let mut t = T::new(cfg);
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    let store = t.through_challenge("e-5");
    t.ev(Event::Stored {
        id: store,
        result: Ok("e-5".into()),
    });
    assert!(matches!(t.f.screen(), Screen::Sending { .. }));
    t.key(Key::Esc);
    assert!(matches!(
        t.f.screen(),
        Screen::Done {
            verdict: Verdict::Queued,
            ..
        }
    ));
}

#[test]
fn confirm_offers_a_stop_that_records_nothing() {
    let mut t = T::new(FlowConfig::default());
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person())));
    // 中止 is drawn right of 次へ.
    t.key(Key::Right).key(Key::Enter);
    assert!(matches!(
        t.f.screen(),
        Screen::Consent {
            notice: Some(Notice::Cancelled),
            ..
        }
    ));
    assert!(t.f.person().is_none());
    assert!(!t
        .effects
        .iter()
        .any(|e| matches!(e, Effect::StoreSigned { .. } | Effect::StoreUnauthenticated { .. })));
}

#[test]
fn the_citizen_picks_a_language_on_the_consent_screen_and_the_next_citizen_starts_in_the_default() {
    let mut t = T::new(FlowConfig::default());
    assert_eq!(t.f.citizen_lang(), Lang::Ja);
    // Scrolled halfway, then another language: its text is read from the top again.
    t.key(Key::PageDown);
    t.key(Key::Right);
    assert_eq!(t.f.citizen_lang(), Lang::En);
    assert!(matches!(
        t.f.screen(),
        Screen::Consent {
            scroll: 0,
            reached_end: false,
            ..
        }
    ));
    assert_eq!(t.f.consent_layout(), (0, 0), "the runtime wraps the new text");
    t.key(Key::Left).key(Key::Left);
    assert_eq!(t.f.citizen_lang(), Lang::Vi, "round from Japanese to the last");
    t.key(Key::Right).key(Key::Right).key(Key::Right).key(Key::Right);
    assert_eq!(t.f.citizen_lang(), Lang::Ko);
    // Enter before the end does nothing; after the new layout and the end, it goes on.
    t.ev(Event::ConsentLayout { total: 30, visible: 10 });
    t.key(Key::Enter);
    assert_eq!(t.f.step(), Step::Consent);
    let id = t.up_to_reading();
    assert_eq!(t.f.citizen_lang(), Lang::Ko, "kept through the enrollment");
    // Left / Right past consent are not the picker's.
    t.reply(id, Ok(CardReply::Read(person())));
    t.key(Key::Right).key(Key::Left);
    assert_eq!(t.f.citizen_lang(), Lang::Ko);
    t.key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(5))).typed("abc123").key(Key::Enter);
    match t.take_card().1 {
        CardRequest::VerifyAndSign { declared, .. } => assert_eq!(declared.lang.as_deref(), Some("ko")),
        other => panic!("{other:?}"),
    }
    // Start over: the next citizen starts in Japanese.
    t.key(Key::Esc);
    assert_eq!(t.f.step(), Step::Consent);
    assert_eq!(t.f.citizen_lang(), Lang::Ja);
    assert!(t.f.declared().lang.is_none());

    // The idle wipe resets it too.
    let mut t = T::new(FlowConfig {
        idle_timeout_ms: 60_000,
        ..FlowConfig::default()
    });
    t.key(Key::Right).key(Key::Right);
    assert_eq!(t.f.citizen_lang(), Lang::ZhHans);
    t.ev(Event::ConsentLayout { total: 30, visible: 10 });
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person())));
    t.now += 61_000;
    t.ev(Event::Tick);
    assert!(matches!(
        t.f.screen(),
        Screen::Consent {
            notice: Some(Notice::TimedOut),
            ..
        }
    ));
    assert_eq!(t.f.citizen_lang(), Lang::Ja);

    // A station whose citizens start in English goes back to English.
    let mut t = T::new(FlowConfig {
        lang: Lang::En,
        ..FlowConfig::default()
    });
    assert_eq!(t.f.citizen_lang(), Lang::En);
    t.key(Key::Right);
    t.ev(Event::ConsentLayout { total: 30, visible: 10 });
    t.through_consent().key(Key::Esc);
    assert_eq!(t.f.citizen_lang(), Lang::En);
}

/// Issue 25 item 6: what the card tells before any PIN is said at the card step.
#[test]
fn an_expired_or_locked_card_stops_at_the_card_step_before_any_pin() {
    for (facts, finding) in [
        (
            CardFacts {
                signing: Signing::Tries(5),
                certificate_expired: true,
            },
            Finding::CertificateExpired,
        ),
        (
            CardFacts {
                signing: Signing::Tries(0),
                certificate_expired: false,
            },
            Finding::SignPasswordLocked,
        ),
    ] {
        let mut t = T::new(FlowConfig::default());
        t.through_consent().card_with(facts);
        assert_eq!(t.f.screen_stop(), Some(&Stop::Finding(finding)));
        assert_eq!(t.f.step(), Step::Card, "the bar claims no step past the card");
        t.no_card_effect();
    }
    // No certificate, and the station takes no record without one: said now.
    let mut t = T::new(FlowConfig {
        allow_unsigned_minors: false,
        ..FlowConfig::default()
    });
    t.through_consent().card_with(CardFacts {
        signing: Signing::Missing,
        certificate_expired: false,
    });
    assert_eq!(t.f.screen_stop(), Some(&Stop::Finding(Finding::NoSigningCertificate)));
}

/// A card without a signing certificate where minors may finish unsigned: the PIN is asked
/// (the holder may be under 15), no password is, and the bar does not tick 署名.
#[test]
fn a_card_without_a_signing_certificate_never_asks_for_the_password() {
    let mut t = T::new(FlowConfig::default());
    t.f.set_today(20261201);
    t.through_consent().card_with(CardFacts {
        signing: Signing::Missing,
        certificate_expired: false,
    });
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::QueryTries(PinKind::TextPin)));
    let minor = basic4::decode(&basic4::encode("吉野\u{3000}はな", "福岡県", "20190501", b'2', false)).unwrap();
    t.reply(id, Ok(CardReply::Tries(3))).typed("0000").key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Read(minor)))
        .key(Key::Enter)
        .key(Key::F(5))
        .key(Key::Enter);
    // The challenge instead of the password, 利用者証明 instead of 署名 in the bar.
    let (_, req) = t.take_card();
    assert!(matches!(req, CardRequest::AuthStart), "{req:?}");
    assert!(t.f.steps().contains(&Step::Prove) && !t.f.steps().contains(&Step::Sign));
    // An adult's card without one stops after the read, having been told at the card step.
    let mut t = T::new(FlowConfig::default());
    t.f.set_today(20261201);
    t.through_consent().card_with(CardFacts {
        signing: Signing::Missing,
        certificate_expired: false,
    });
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Tries(3))).typed("1234").key(Key::Enter);
    let (id, _) = t.take_card();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    t.no_card_effect();
    assert_eq!(t.f.screen_stop(), Some(&Stop::NoSigningCertificateAdult));
}

/// Issue 25 item 4: the privacy notice (and the terms) can be declined.
#[test]
fn the_privacy_notice_can_be_declined_and_nothing_is_recorded() {
    let mut t = T::new(FlowConfig {
        privacy: true,
        ..FlowConfig::default()
    });
    t.through_consent();
    t.ev(Event::ConsentLayout { total: 5, visible: 10 });
    assert!(matches!(t.f.screen(), Screen::Consent { doc: Doc::Privacy, .. }));
    t.key(Key::Esc);
    assert!(matches!(
        t.f.screen(),
        Screen::Consent {
            doc: Doc::Terms,
            notice: Some(Notice::Declined),
            ..
        }
    ));
    assert!(t.f.declared().lang.is_none(), "nothing agreed");
}

/// Issue 25 item 5: an optional e-mail address can be skipped; a docomo address of before
/// 2009 is taken.
#[test]
fn an_optional_email_can_be_skipped_and_an_old_carrier_address_is_taken() {
    let cfg = FlowConfig {
        email: true,
        email_optional: true,
        signature: false,
        ..FlowConfig::default()
    };
    let mut t = T::new(cfg.clone());
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person()))).key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Contact { .. }));
    t.key(Key::F(6));
    let (_, req) = t.take_card();
    assert!(
        matches!(req, CardRequest::AuthStart),
        "skipped: on to the card's proof without an address"
    );
    assert!(t.f.email().is_none());
    // Not optional: the same key does nothing.
    let mut t = T::new(FlowConfig {
        email_optional: false,
        ..cfg.clone()
    });
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person())))
        .key(Key::Enter)
        .key(Key::F(6));
    assert!(matches!(t.f.screen(), Screen::Contact { .. }));
    for _ in 0..2 {
        t.typed("hanako..mama.@docomo.ne.jp").key(Key::Enter);
    }
    assert_eq!(t.f.email().map(|e| e.as_str()), Some("hanako..mama.@docomo.ne.jp"));
}

mod challenge;
