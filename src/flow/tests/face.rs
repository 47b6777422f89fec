//! The clerk's card-face step (issue #24): 照合番号B treated like a PIN (tries first, one try
//! per Enter on eight well-formed digits, never re-sent, the last try asked, a locked one never
//! sent), the card face agreeing with EF 02, and the clerk's word on the photo — a mismatch
//! records nothing, a match goes into the record (never the pictures or the number).

use super::*;
use crate::card::face::{self, CardFace, FaceParts, FaceSignature};
use crate::picture::Grey;
use crate::record::payload::{CardFaceCheck, FaceSignatureCheck, PhotoCheck};
use zeroize::Zeroizing;

fn cfg(step: FaceStep) -> FlowConfig {
    FlowConfig {
        card_face: step,
        ..FlowConfig::default()
    }
}

/// EF 0002 with this birth date and sex (the test person is 1980-02-17, sex 1).
fn card_face(birth: &[u8], sex: u8) -> CardFace {
    let key = [0x90, 0x03, 0x01, 0x00, 0x01];
    let parts = FaceParts {
        birth_yyyymmdd: birth,
        sex,
        card_key: &key,
        name_png: b"\x89PNG name",
        address_png: b"\x89PNG address",
        photo_jp2: b"\x00\x00\x00\x0cjP  photo",
        expiry_yyyymmdd: b"20350217",
        security_code_png: b"\x89PNG code",
    };
    CardFace::parse(face::encode(&parts, &[0xA5; 256])).unwrap()
}

fn read_with(birth: &[u8], sex: u8, signature: FaceSignature) -> CardReply {
    CardReply::Face(Box::new(FaceRead {
        face: card_face(birth, sex),
        signature,
        pictures: FacePictures {
            photo: Some(Grey::new(3, 4, Zeroizing::new(vec![100; 12]))),
            name: None,
            address: None,
        },
    }))
}

fn read() -> CardReply {
    read_with(b"19800217", b'1', FaceSignature::NotVerified)
}

/// The digits a VERIFY of 照合番号B would carry.
fn digits(req: &CardRequest) -> String {
    match req {
        CardRequest::VerifyFaceAndRead(pin) => String::from_utf8(pin.expose().to_vec()).unwrap(),
        other => panic!("not PIN B: {other:?}"),
    }
}

fn face_screen(t: &T) -> &FaceScreen {
    match t.f.screen() {
        Screen::Face(s) => s,
        other => panic!("not the card-face step: {other:?}"),
    }
}

impl T {
    /// Consent, PIN, EF 02 read: the card-face step asks the tries; returns that request's id.
    fn up_to_face(&mut self) -> u64 {
        let id = self.up_to_reading();
        self.reply(id, Ok(CardReply::Read(person())));
        let (id, req) = self.take_card();
        assert!(matches!(req, CardRequest::FaceTries), "{req:?}");
        assert_eq!(self.f.step(), Step::Reading);
        id
    }

    /// … the card said `tries`; the clerk typed `typed` and pressed Enter.
    fn face_entered(&mut self, tries: u8, typed: &str) -> &mut T {
        let id = self.up_to_face();
        self.reply(id, Ok(CardReply::FaceTries(tries)))
            .typed(typed)
            .key(Key::Enter)
    }

    /// Through the step: the card face read, on the confirm screen.
    fn face_confirm(&mut self) -> &mut T {
        self.face_entered(3, "20352285");
        let (id, _) = self.take_card();
        self.reply(id, Ok(read()));
        assert!(matches!(self.f.screen(), Screen::Confirm { .. }));
        self
    }

    /// Without the signature step the 利用者証明 challenge makes the record: what it was asked
    /// to sign (the auth PIN's tries answered, a PIN typed).
    fn declared_at_the_challenge(&mut self) -> Declared {
        let (id, req) = self.take_card();
        assert!(matches!(req, CardRequest::AuthStart), "{req:?}");
        self.reply(id, Ok(CardReply::Tries(3))).typed("5678").key(Key::Enter);
        match self.take_card().1 {
            CardRequest::AuthSign { declared, .. } => declared,
            other => panic!("{other:?}"),
        }
    }

    fn card_requests(&mut self) -> Vec<CardRequest> {
        self.effects
            .drain(..)
            .filter_map(|e| match e {
                Effect::Card { request, .. } => Some(request),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn the_tries_come_first_and_a_wrong_number_costs_exactly_one_try() {
    let mut t = T::new(cfg(FaceStep::Offer));
    t.up_to_face();
    // Nothing is sent before the card told the tries (what is typed waits in the field).
    t.typed("2035").key(Key::Enter);
    t.no_card_effect();
    assert!(face_screen(&t).input.len() == 4 && face_screen(&t).busy);
    let id = face_screen_tries_id(&mut t);
    t.reply(id, Ok(CardReply::FaceTries(3)));
    for _ in 0..4 {
        t.key(Key::Backspace);
    }
    // Seven digits: refused here, nothing sent, the field emptied.
    t.typed("2035228").key(Key::Enter);
    t.no_card_effect();
    assert_eq!(
        face_screen(&t).message,
        Some(FaceMessage::Format(FaceFormatError::Length))
    );
    assert!(face_screen(&t).input.is_empty());
    // A year no card expires in: refused too.
    t.typed("19992285").key(Key::Enter);
    t.no_card_effect();
    assert_eq!(
        face_screen(&t).message,
        Some(FaceMessage::Format(FaceFormatError::Year))
    );
    // Eight good digits: one VERIFY, the birth date as the card prints it (昭和55) first.
    t.typed("20352285").key(Key::Enter);
    let reqs = t.card_requests();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert_eq!(digits(&reqs[0]), "55021720352285");
    assert!(face_screen(&t).input.is_empty(), "the typed digits are wiped once sent");
    // Keys while the card works send nothing more.
    t.typed("20352285").key(Key::Enter);
    t.no_card_effect();
    // Wrong: the same step, empty, with the card's count; nothing re-sent.
    let id = t.f.pending.unwrap();
    t.reply(id, Ok(CardReply::FaceWrong(2)));
    t.no_card_effect();
    let s = face_screen(&t);
    assert_eq!(
        (s.tries, s.message, s.busy),
        (Some(2), Some(FaceMessage::Wrong(2)), false)
    );
    assert!(s.input.is_empty());
    // Enter on an empty field spends nothing.
    t.key(Key::Enter);
    t.no_card_effect();
}

/// The id of the tries query just asked (the step's first request).
fn face_screen_tries_id(t: &mut T) -> u64 {
    t.f.pending.expect("the tries asked")
}

#[test]
fn the_last_try_needs_an_explicit_yes() {
    let mut t = T::new(cfg(FaceStep::Offer));
    t.face_entered(1, "20352285");
    t.no_card_effect();
    assert!(face_screen(&t).confirming_last);
    // No: nothing sent, and the warning stays.
    t.key(Key::Char('n'));
    t.no_card_effect();
    assert_eq!(face_screen(&t).message, Some(FaceMessage::LastTryWarning));
    assert!(!face_screen(&t).confirming_last);
    t.key(Key::Enter);
    t.no_card_effect();
    t.key(Key::Char('y'));
    let reqs = t.card_requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(digits(&reqs[0]), "55021720352285");
}

#[test]
fn a_locked_number_gets_no_verify() {
    // Offered: advice, nothing can be typed or sent; the clerk may go on without the face.
    let mut t = T::new(cfg(FaceStep::Offer));
    let id = t.up_to_face();
    t.reply(id, Ok(CardReply::FaceLocked));
    assert!(face_screen(&t).locked);
    t.typed("20352285").key(Key::Enter).key(Key::Char('y'));
    t.no_card_effect();
    t.key(Key::F(7));
    assert!(matches!(t.f.screen(), Screen::Confirm { .. }));
    assert!(t.f.face().is_none());
    t.no_card_effect();
    // The same when the tries query answers 0.
    let mut t = T::new(cfg(FaceStep::Offer));
    let id = t.up_to_face();
    t.reply(id, Ok(CardReply::FaceTries(0)));
    t.typed("20352285").key(Key::Enter);
    t.no_card_effect();
    assert!(face_screen(&t).locked);
    // Required: the flow stops there, the card released, nothing sent.
    let mut t = T::new(cfg(FaceStep::Require));
    let id = t.up_to_face();
    t.reply(id, Ok(CardReply::FaceLocked));
    assert_eq!(t.f.screen_stop(), Some(&Stop::Face(FaceStop::Locked)));
    assert!(t.effects.iter().any(|e| matches!(e, Effect::ReleaseCard)));
    t.no_card_effect();
    assert!(!t.f.holds_personal_data());
}

#[test]
fn the_calendar_key_makes_the_birth_digits_gregorian() {
    let mut t = T::new(cfg(FaceStep::Offer));
    let id = t.up_to_face();
    t.reply(id, Ok(CardReply::FaceTries(3)));
    t.key(Key::F(6)).typed("20352285").key(Key::Enter);
    let reqs = t.card_requests();
    assert_eq!(digits(&reqs[0]), "80021720352285");
}

#[test]
fn a_card_face_that_disagrees_with_ef02_stops_and_wipes() {
    for (birth, sex) in [(&b"19800218"[..], b'1'), (&b"19800217"[..], b'2')] {
        let mut t = T::new(cfg(FaceStep::Offer));
        t.face_entered(3, "20352285");
        let (id, _) = t.take_card();
        t.reply(id, Ok(read_with(birth, sex, FaceSignature::NotVerified)));
        assert_eq!(t.f.screen_stop(), Some(&Stop::Face(FaceStop::Disagrees)));
        assert!(t.effects.iter().any(|e| matches!(e, Effect::Wipe)));
        assert!(!t.f.holds_personal_data());
        assert!(t.f.face().is_none());
        t.no_card_effect();
    }
    // A signature that does not verify with the configured key: not believed either.
    let mut t = T::new(cfg(FaceStep::Offer));
    t.face_entered(3, "20352285");
    let (id, _) = t.take_card();
    t.reply(id, Ok(read_with(b"19800217", b'1', FaceSignature::Invalid)));
    assert_eq!(t.f.screen_stop(), Some(&Stop::Face(FaceStop::NotGenuine)));
}

#[test]
fn photo_does_not_match_stops_and_records_nothing() {
    let mut t = T::new(cfg(FaceStep::Require));
    t.face_confirm();
    assert!(t.f.face().is_some_and(|f| f.photo_shown() && !f.matched()));
    // The citizen's Enter waits for the clerk's word.
    t.key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Confirm { .. }));
    assert!(t.f.face().is_some_and(|f| f.asked()));
    t.no_card_effect();
    t.key(Key::F(7));
    assert_eq!(t.f.screen_stop(), Some(&Stop::Face(FaceStop::PhotoMismatch)));
    assert_eq!(t.f.step(), Step::Confirm);
    assert!(t.effects.iter().any(|e| matches!(e, Effect::Wipe)));
    assert!(t.effects.iter().any(|e| matches!(e, Effect::ReleaseCard)));
    assert!(
        !t.effects.iter().any(|e| matches!(
            e,
            Effect::StoreSigned { .. } | Effect::StoreUnauthenticated { .. } | Effect::Card { .. }
        )),
        "{:?}",
        t.effects
    );
    assert!(!t.f.holds_personal_data());
    assert!(t.f.face().is_none() && t.f.person().is_none());
    // Enter from the stop: back to the start, still nothing stored.
    t.key(Key::Enter);
    assert!(matches!(t.f.screen(), Screen::Consent { .. }));
    assert!(!t
        .effects
        .iter()
        .any(|e| matches!(e, Effect::StoreSigned { .. } | Effect::StoreUnauthenticated { .. })));
}

#[test]
fn a_matched_photo_goes_into_the_record_and_the_pictures_leave() {
    let check = CardFaceCheck {
        photo_check: PhotoCheck::Matched,
        read: true,
        signature: FaceSignatureCheck::NotVerified,
    };
    // Signed.
    let mut t = T::new(cfg(FaceStep::Require));
    t.face_confirm().key(Key::F(6));
    assert!(t.f.face().is_some_and(|f| f.matched()));
    t.key(Key::Enter);
    assert!(t.f.face().is_none(), "the pictures go with the confirm screen");
    let (id, req) = t.take_card();
    assert!(matches!(req, CardRequest::QueryTries(PinKind::SignPassword)));
    t.reply(id, Ok(CardReply::Tries(5))).typed("abc123").key(Key::Enter);
    match t.take_card().1 {
        CardRequest::VerifyAndSign { declared, .. } => assert_eq!(declared.card_face, Some(check)),
        other => panic!("{other:?}"),
    }
    // Unsigned, DF 28 verified.
    let mut t = T::new(FlowConfig {
        signature: false,
        ..cfg(FaceStep::Offer)
    });
    t.face_entered(3, "20352285");
    let (id, _) = t.take_card();
    t.reply(id, Ok(read_with(b"19800217", b'1', FaceSignature::Valid)));
    t.key(Key::F(6)).key(Key::Enter);
    let declared = t.declared_at_the_challenge();
    assert_eq!(
        declared.card_face,
        Some(CardFaceCheck {
            signature: FaceSignatureCheck::Verified,
            ..check
        })
    );
}

#[test]
fn skipping_is_only_where_offered_and_records_no_card_face() {
    let mut t = T::new(FlowConfig {
        signature: false,
        ..cfg(FaceStep::Offer)
    });
    let id = t.up_to_face();
    t.reply(id, Ok(CardReply::FaceTries(3))).key(Key::F(7));
    assert!(matches!(t.f.screen(), Screen::Confirm { .. }));
    t.no_card_effect();
    t.key(Key::Enter);
    let declared = t.declared_at_the_challenge();
    assert_eq!(declared.card_face, None);
    // Required: F7 is no key of this step.
    let mut t = T::new(cfg(FaceStep::Require));
    let id = t.up_to_face();
    t.reply(id, Ok(CardReply::FaceTries(3))).key(Key::F(7));
    assert!(matches!(t.f.screen(), Screen::Face(_)));
    // Off: no step at all, straight to the confirm screen.
    let mut t = T::new(cfg(FaceStep::Off));
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person())));
    assert!(matches!(t.f.screen(), Screen::Confirm { .. }));
    t.no_card_effect();
}

#[test]
fn a_terminal_without_pictures_can_not_say_matched() {
    // Offered: no F6, and going on records that nothing was compared.
    let mut t = T::new(FlowConfig {
        signature: false,
        pictures: false,
        ..cfg(FaceStep::Offer)
    });
    t.face_confirm().key(Key::F(6));
    assert!(t.f.face().is_some_and(|f| !f.matched() && !f.photo_shown()));
    t.key(Key::Enter);
    let declared = t.declared_at_the_challenge();
    assert_eq!(declared.card_face.map(|c| c.photo_check), Some(PhotoCheck::NotShown));
    // Required: it stops once the four items are read (no photo can be compared here), before
    // anything is asked of 照合番号B; the card released, the items wiped.
    let mut t = T::new(FlowConfig {
        pictures: false,
        ..cfg(FaceStep::Require)
    });
    let id = t.up_to_reading();
    t.reply(id, Ok(CardReply::Read(person())));
    assert_eq!(t.f.screen_stop(), Some(&Stop::Face(FaceStop::PhotoNotShown)));
    assert!(t.effects.iter().any(|e| matches!(e, Effect::ReleaseCard)));
    t.no_card_effect();
    assert!(!t.f.holds_personal_data());
}

#[test]
fn the_card_pulled_on_the_step_goes_back_and_the_late_answer_is_ignored() {
    let mut t = T::new(cfg(FaceStep::Offer));
    t.face_entered(3, "20352285");
    let (id, _) = t.take_card();
    t.ev(Event::CardGone);
    assert!(matches!(t.f.screen(), Screen::Card { .. }));
    assert!(t.f.person().is_none());
    t.reply(id, Ok(read()));
    assert!(matches!(t.f.screen(), Screen::Card { .. }));
    assert!(t.f.face().is_none());
}

#[test]
fn the_input_takes_eight_digits_only_and_prints_none() {
    let mut i = FaceInput::new();
    assert_eq!(i.push('a'), Err(input::Refused::Character));
    // Full-width digits (an IME) count as digits.
    for c in "\u{FF12}\u{FF10}35".chars() {
        i.push(c).unwrap();
    }
    for c in "2285".chars() {
        i.push(c).unwrap();
    }
    assert_eq!(i.push('9'), Err(input::Refused::Full));
    assert_eq!(i.revealed(), "20352285");
    assert_eq!(i.validate(2026), Ok((&b"2035"[..], &b"2285"[..])));
    assert_eq!(i.validate(2020), Err(FaceFormatError::Year), "past 2020 + 11");
    assert_eq!(format!("{i:?}"), "FaceInput(8 digits)");
    i.pop();
    assert_eq!(i.validate(0), Err(FaceFormatError::Length));
    i.clear();
    assert!(i.is_empty());
}

/// As on the PIN screens (issue #25): what the clerk types while the card is asked for the
/// tries goes into the field, none of it dropped; Enter then sends nothing and says so; once
/// the tries show, Enter sends exactly what was typed, once.
#[test]
fn typing_while_the_face_tries_are_asked_is_kept_and_enter_waits_for_them() {
    let mut t = T::new(cfg(FaceStep::Require));
    let id = t.up_to_face();
    t.typed("20352285").key(Key::Enter);
    t.no_card_effect();
    let s = face_screen(&t);
    assert_eq!(s.input.revealed(), "20352285");
    assert_eq!(s.message, Some(FaceMessage::WaitForTries));
    t.reply(id, Ok(CardReply::FaceTries(3))).key(Key::Enter);
    let (_, req) = t.take_card();
    assert_eq!(digits(&req)[6..], *"20352285");
    t.no_card_effect();
}
