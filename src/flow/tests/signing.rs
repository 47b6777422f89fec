//! The card pulled or swapped around the read and the signature, and what signing refuses.

use super::*;

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
