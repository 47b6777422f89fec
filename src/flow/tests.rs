use super::*;
use crate::card::basic4;
use crate::card::TransportError;
use crate::record::payload::Assurance;
use crate::seam::{BackendError, SignedPayload};
use proptest::prelude::*;

/// The clerk's card-face step (issue #24), with this file's helpers.
mod face;
mod pin;
mod random;
mod signing;
mod steps;

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

mod challenge;
