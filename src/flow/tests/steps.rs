//! The optional steps and stops: 法定代理人, the privacy notice, languages, the card step's
//! findings, the e-mail.

use super::*;

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
