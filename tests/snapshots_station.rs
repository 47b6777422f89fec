//! Every station pane at 80x24 and 120x40, in Japanese and English (text), and in the default
//! and monochrome themes (styles), through TestBackend + insta.

use crossterm::event::{KeyCode as Key, KeyEvent, KeyModifiers};
use madoguchi::card::basic4;
use madoguchi::card::CardError;
use madoguchi::flow::{CardFacts, CardReply, CardRequest, Doc, Effect, Event, Flow, FlowConfig, Signing, Stop};
use madoguchi::lang::Lang;
use madoguchi::picture::Method;
use madoguchi::reader::diagnostics::{Diagnostics, Facts, Probe};
use madoguchi::reader::monitor::ReaderEvent;
use madoguchi::record::card_data::CardData;
use madoguchi::record::check::{CardCheck, FieldMatch};
use madoguchi::record::payload::{Payload, Statement};
use madoguchi::seam::{CertificateProblem, QueueInfo, SignedPayload, Verdict};
use madoguchi::secret::PinKind;
use madoguchi::ui::keys::{self, Overlay};
use madoguchi::ui::station::{consent_layout, draw, DemoSecrets, SocketTrouble, View};
use madoguchi::ui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const TERMS: &str = "本規約は、窓口でのマイナンバーカードを用いた本人確認の手続に適用されます。\n\
第1条 利用者は、カードから読み取った基本4情報（氏名、住所、生年月日、性別）を確認のうえ、電子署名により申請内容に同意します。\n\
第2条 個人番号（マイナンバー）は読み取りません。\n\
第3条 読み取った情報は暗号化して保存し、送信後に端末から消去します。\n\
第4条 暗証番号は利用者ご本人が入力してください。職員は暗証番号を見ません。\n\
第5条 以上に同意される方は、最後までお読みのうえ「同意」してください。";

const READER: &str = "Virtual PCD 00 00";

/// APDU round trips (µs) for the reader-health sparkline: a contactless card, one slow READ.
static RTTS: [u32; 12] = [1200, 1500, 900, 1100, 30000, 1300, 1250, 1400, 1000, 980, 1600, 1150];

const PRIVACY: &str =
    "個人情報の取り扱い\n読み取った基本4情報と電子署名を運営者に送信します。個人番号は読み取りません。";

fn person() -> basic4::BasicFour {
    basic4::decode(&basic4::encode(
        "佐藤　花子（鈴木）",
        "北海道札幌市中央区北一条西二丁目一番地　札幌時計台前ビルディング十二階一二〇四号室　株式会社窓口サービス気付",
        "19890108",
        b'2',
        false,
    ))
    .unwrap()
}

struct S {
    f: Flow,
    now: u64,
    last_card: Option<u64>,
    last_store: Option<u64>,
    /// What the card answers the probe with.
    facts: CardFacts,
}

impl S {
    fn new(w: u16, h: u16, lang: Lang) -> S {
        S::with(w, h, lang, FlowConfig::default())
    }
    fn with(w: u16, h: u16, lang: Lang, cfg: FlowConfig) -> S {
        S::with_terms(w, h, lang, cfg, TERMS)
    }
    fn with_terms(w: u16, h: u16, lang: Lang, cfg: FlowConfig, terms: &str) -> S {
        // The citizen starts in the language under test.
        let cfg = FlowConfig { lang, ..cfg };
        let mut s = S {
            f: Flow::new(cfg),
            now: 0,
            last_card: None,
            last_store: None,
            facts: CardFacts {
                signing: Signing::Tries(5),
                certificate_expired: false,
            },
        };
        let (total, visible) = consent_layout(w, h, lang, terms, &None);
        s.ev(Event::ConsentLayout { total, visible });
        s
    }
    fn ev(&mut self, e: Event) -> &mut S {
        self.now += 1;
        let mut probe = None;
        for eff in self.f.handle(self.now, e) {
            match eff {
                Effect::Card {
                    id,
                    request: CardRequest::Probe,
                } => probe = Some(id),
                Effect::Card { id, .. } => self.last_card = Some(id),
                Effect::StoreSigned { id, .. } | Effect::StoreUnauthenticated { id, .. } => self.last_store = Some(id),
                _ => {}
            }
        }
        // The card answers the probe at once: tests reply to the PIN's requests.
        if let Some(id) = probe {
            let facts = self.facts;
            return self.ev(Event::Card {
                id,
                result: Ok(CardReply::Probed(facts)),
            });
        }
        self
    }
    /// A key, through the key table for the screen on view (as the app reads it).
    fn key(&mut self, k: Key) -> &mut S {
        let ev = KeyEvent::new(k, KeyModifiers::NONE);
        match keys::resolve(keys::facets(&self.f, Overlay::None), &ev) {
            Some(keys::Action::Flow(a)) => self.ev(Event::Action(a)),
            _ => self.ev(Event::Activity),
        }
    }
    fn reply(&mut self, r: Result<CardReply, CardError>) -> &mut S {
        let id = self.last_card.unwrap();
        self.ev(Event::Card { id, result: r })
    }
    fn pin(&mut self) -> &mut S {
        self.key(Key::End).key(Key::Enter).ev(Event::CardPresent)
    }
    fn confirm(&mut self) -> &mut S {
        self.pin().reply(Ok(CardReply::Tries(3)));
        for c in "2580".chars() {
            self.key(Key::Char(c));
        }
        self.key(Key::Enter).reply(Ok(CardReply::Read(person())))
    }
    fn signing(&mut self) -> &mut S {
        self.confirm().key(Key::Enter).reply(Ok(CardReply::Tries(5)));
        for c in "hanako2024".chars() {
            self.key(Key::Char(c));
        }
        self.key(Key::Enter)
    }
    fn sending(&mut self) -> &mut S {
        self.sending_checked(None)
    }
    fn sending_checked(&mut self, check: Option<CardCheck>) -> &mut S {
        let card = CardData::from_basic4(&person());
        let mut st = Statement::new("counter-01", "terms", "00", &card, None);
        st.enrollment_id = "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into();
        let p = Payload::new(&st, card, None, Some(b"sig"), Some(b"cert"), check);
        self.signing()
            .reply(Ok(CardReply::Signed(Box::new(SignedPayload::new(p)))));
        let id = self.last_store.unwrap();
        self.ev(Event::Stored {
            id,
            result: Ok("01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into()),
        })
    }
}

fn minor() -> basic4::BasicFour {
    basic4::decode(&basic4::encode(
        "吉野　はな",
        "福岡県福岡市中央区天神１丁目８番１号",
        "20190501",
        b'2',
        false,
    ))
    .unwrap()
}

impl S {
    /// A child's card (no signing certificate): read, confirmed, the 法定代理人 chosen; the
    /// 利用者証明 challenge's PIN screen with the card's tries shown.
    fn challenge(&mut self) -> &mut S {
        self.facts = CardFacts {
            signing: Signing::Missing,
            certificate_expired: false,
        };
        self.f.set_today(20261201);
        self.pin().reply(Ok(CardReply::Tries(3)));
        for c in "2580".chars() {
            self.key(Key::Char(c));
        }
        self.key(Key::Enter)
            .reply(Ok(CardReply::Read(minor())))
            .key(Key::Enter)
            .key(Key::F(5))
            .key(Key::Enter)
            .reply(Ok(CardReply::Tries(3)))
    }
    /// The challenge signed and its `card-authenticated` record stored and accepted.
    fn card_authenticated(&mut self) -> &mut S {
        self.challenge();
        for c in "4649".chars() {
            self.key(Key::Char(c));
        }
        let card = CardData::from_basic4(&minor());
        let ef02 = basic4::Ef02::new(zeroize::Zeroizing::new(b"ef02".to_vec()));
        let mut st = Statement::new("counter-01", "terms", "00", &card, None).with_ef02(&ef02);
        st.enrollment_id = "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into();
        let p = Payload::card_authenticated(&st, card, None, b"sig", b"cert", &ef02);
        self.key(Key::Enter)
            .reply(Ok(CardReply::Signed(Box::new(SignedPayload::new(p)))));
        let id = self.last_store.unwrap();
        self.ev(Event::Stored {
            id,
            result: Ok("01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into()),
        })
        .ev(Event::Delivered {
            enrollment_id: "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into(),
            verdict: Verdict::Accepted,
        })
    }
}

fn diag() -> Diagnostics {
    let mut d = Diagnostics::new();
    d.apply(&ReaderEvent::ServiceUp);
    d.apply(&ReaderEvent::ReaderAdded { reader: READER.into() });
    d.apply(&ReaderEvent::CardInserted {
        reader: READER.into(),
        atr: madoguchi::card::vcard::DEFAULT_ATR.to_vec(),
    });
    d.apply_probe(
        READER,
        Probe {
            facts: Facts {
                protocol: Some("T=1".into()),
                card_kind: Some("my_number_card".into()),
                extended_length: Some(true),
                last_rtt_ms: Some(1.5),
                ..Facts::default()
            },
            ..Probe::default()
        },
    );
    d
}

/// The screens, each built by driving the flow.
fn screens(w: u16, h: u16, lang: Lang) -> Vec<(&'static str, S, bool)> {
    let mut v: Vec<(&'static str, S, bool)> = Vec::new();
    v.push(("consent", S::new(w, h, lang), false));
    let mut s = S::new(w, h, lang);
    s.key(Key::End);
    v.push(("consent_end", s, false));
    let mut s = S::new(w, h, lang);
    s.key(Key::End)
        .key(Key::Enter)
        .ev(Event::CardPresent)
        .ev(Event::CardGone);
    v.push(("card_removed", s, false));
    let mut s = S::new(w, h, lang);
    s.pin()
        .reply(Ok(CardReply::Tries(3)))
        .key(Key::Char('2'))
        .key(Key::Char('5'));
    v.push(("pin", s, false));
    let mut s = S::new(w, h, lang);
    s.pin().reply(Ok(CardReply::Tries(3))).key(Key::Char('1')).key(Key::Tab);
    v.push(("pin_revealed", s, false));
    let mut s = S::new(w, h, lang);
    s.pin().reply(Ok(CardReply::Tries(3)));
    for c in "1111".chars() {
        s.key(Key::Char(c));
    }
    s.key(Key::Enter).reply(Err(CardError::WrongPin {
        kind: PinKind::TextPin,
        tries_left: 1,
    }));
    v.push(("pin_wrong_last_try", s, false));
    let mut s = S::new(w, h, lang);
    s.pin().reply(Ok(CardReply::Tries(1)));
    for c in "2580".chars() {
        s.key(Key::Char(c));
    }
    s.key(Key::Enter);
    v.push(("pin_confirm_last", s, false));
    let mut s = S::new(w, h, lang);
    s.pin().reply(Ok(CardReply::Tries(3)));
    for c in "2580".chars() {
        s.key(Key::Char(c));
    }
    s.key(Key::Enter);
    v.push(("reading", s, false));
    let mut s = S::new(w, h, lang);
    s.confirm();
    v.push(("confirm", s, false));
    let mut s = S::with(
        w,
        h,
        lang,
        FlowConfig {
            email: true,
            ..FlowConfig::default()
        },
    );
    s.confirm().key(Key::Enter);
    for c in "hanako@example".chars() {
        s.key(Key::Char(c));
    }
    s.key(Key::Enter);
    v.push(("contact_error", s, false));
    let mut s = S::new(w, h, lang);
    s.confirm().key(Key::Enter).reply(Ok(CardReply::Tries(5)));
    for c in "han".chars() {
        s.key(Key::Char(c));
    }
    v.push(("sign_password", s, false));
    let mut s = S::new(w, h, lang);
    s.sending();
    v.push(("sending", s, false));
    let mut s = S::new(w, h, lang);
    s.sending().ev(Event::Delivered {
        enrollment_id: "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into(),
        verdict: Verdict::Queued,
    });
    v.push(("done_queued", s, false));
    let mut s = S::new(w, h, lang);
    s.sending_checked(Some(CardCheck {
        address: FieldMatch::Differs,
        birth_date: FieldMatch::Exact,
        gender: FieldMatch::Exact,
        name: FieldMatch::Substituted,
        name_form: None,
    }))
    .ev(Event::Delivered {
        enrollment_id: "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into(),
        verdict: Verdict::CardDataMismatch,
    });
    assert!(matches!(s.f.screen(), madoguchi::flow::Screen::Done { review, .. } if review.len() == 1));
    v.push(("done_review", s, false));
    let mut s = S::new(w, h, lang);
    s.signing()
        .reply(Ok(CardReply::CertificateRefused(CertificateProblem::Expired)));
    v.push(("expired_before_signing", s, false));
    let mut s = S::new(w, h, lang);
    s.signing().reply(Ok(CardReply::SignatureInvalid));
    assert!(matches!(
        s.f.screen(),
        madoguchi::flow::Screen::Stopped(Stop::SignatureInvalid)
    ));
    v.push(("signature_invalid", s, false));
    let mut s = S::new(w, h, lang);
    s.f.set_today(20261201);
    s.signing().reply(Err(CardError::NoSigningCertificate));
    assert!(matches!(
        s.f.screen(),
        madoguchi::flow::Screen::Stopped(Stop::NoSigningCertificateAdult)
    ));
    v.push(("no_certificate_adult", s, false));
    let mut s = S::new(w, h, lang);
    s.confirm();
    s.now += FlowConfig::default().idle_timeout_ms - 12_000;
    s.ev(Event::Tick);
    assert_eq!(s.f.idle_warning(), Some(12));
    v.push(("idle_warning", s, false));
    let mut s = S::new(w, h, lang);
    s.sending().ev(Event::Delivered {
        enrollment_id: "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into(),
        verdict: Verdict::CertificateExpired,
    });
    v.push(("verdict_expired", s, false));
    let mut s = S::new(w, h, lang);
    s.sending().ev(Event::Delivered {
        enrollment_id: "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into(),
        verdict: Verdict::CertificateRevoked,
    });
    v.push(("verdict_revoked", s, false));
    let mut s = S::new(w, h, lang);
    s.pin().reply(Ok(CardReply::Tries(0)));
    v.push(("locked", s, false));
    let mut s = S::new(w, h, lang);
    s.confirm().key(Key::Enter).reply(Ok(CardReply::Tries(0)));
    v.push(("locked_sign", s, false));
    let mut s = S::with(
        w,
        h,
        lang,
        FlowConfig {
            privacy: true,
            ..FlowConfig::default()
        },
    );
    s.key(Key::End).key(Key::Enter);
    let (total, visible) = consent_layout(w, h, lang, PRIVACY, &None);
    s.ev(Event::ConsentLayout { total, visible });
    v.push(("privacy", s, false));
    let mut s = S::new(w, h, lang);
    s.f.set_today(20261201);
    s.pin().reply(Ok(CardReply::Tries(3)));
    for c in "2580".chars() {
        s.key(Key::Char(c));
    }
    let minor = basic4::decode(&basic4::encode(
        "吉野　はな",
        "福岡県福岡市中央区天神１丁目８番１号",
        "20190501",
        b'2',
        false,
    ))
    .unwrap();
    s.key(Key::Enter)
        .reply(Ok(CardReply::Read(minor)))
        .key(Key::Enter)
        .key(Key::F(5));
    v.push(("representative", s, false));
    let mut s = S::with(
        w,
        h,
        lang,
        FlowConfig {
            email: true,
            email_sender_domain: Some("madoguchi.example.lg.jp".into()),
            ..FlowConfig::default()
        },
    );
    s.confirm().key(Key::Enter);
    for c in "hanako@example.jp".chars() {
        s.key(Key::Char(c));
    }
    s.key(Key::Enter);
    v.push(("contact_again", s, false));
    let mut s = S::new(w, h, lang);
    s.challenge().key(Key::Char('4')).key(Key::Char('6'));
    assert!(matches!(s.f.screen(), madoguchi::flow::Screen::AuthPin(_)));
    v.push(("auth_pin", s, false));
    let mut s = S::new(w, h, lang);
    s.card_authenticated();
    assert!(matches!(s.f.screen(), madoguchi::flow::Screen::Done { .. }));
    v.push(("done_card_authenticated", s, false));
    v.push(("diagnostics_full", S::new(w, h, lang), true));
    v
}

fn render(s: &S, w: u16, h: u16, lang: Lang, theme: &Theme, full_diag: bool) -> Terminal<TestBackend> {
    render_terms(s, w, h, lang, theme, full_diag, false)
}

/// [`render`] with the Japanese terms and privacy notice standing in for the citizen's
/// language (`missing`).
fn render_terms(
    s: &S,
    w: u16,
    h: u16,
    lang: Lang,
    theme: &Theme,
    full_diag: bool,
    missing: bool,
) -> Terminal<TestBackend> {
    let overlay = if full_diag { Overlay::Diagnostics } else { Overlay::None };
    render_with(
        s,
        w,
        h,
        lang,
        theme,
        Opts {
            overlay,
            missing,
            ..Opts::default()
        },
    )
}

/// What the station around the flow holds, for the renders that need more than the usual.
#[derive(Default)]
struct Opts<'a> {
    overlay: Overlay,
    missing: bool,
    review: u64,
    demo: Option<DemoSecrets>,
    diag: Option<Diagnostics>,
    socket_error: Option<SocketTrouble<'a>>,
    /// How the terminal draws pictures (none by default).
    graphics: Option<Method>,
    demo_face: Option<(&'a str, &'a str)>,
}

fn render_with(s: &S, w: u16, h: u16, lang: Lang, theme: &Theme, o: Opts) -> Terminal<TestBackend> {
    let d = o.diag.unwrap_or_else(diag);
    let counter = madoguchi::ui::station::CounterInfo {
        contact: vec![
            "市民課 2番窓口".to_string(),
            "03-0000-0000（平日 8:30～17:15）".to_string(),
        ],
        konbini_reset: true,
        reset_here: false,
    };
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        draw(
            f,
            &View {
                flow: &s.f,
                lang,
                theme,
                diag: &d,
                reader: Some(READER),
                terms: TERMS,
                terms_missing: o.missing.then_some(Lang::Ja),
                station_id: "counter-01",
                queue: QueueInfo {
                    pending: 2,
                    oldest_age_secs: Some(600),
                    review: o.review,
                },
                sealed: true,
                overlay: o.overlay,
                spinner: 1,
                privacy: Some(PRIVACY),
                privacy_missing: o.missing.then_some(Lang::Ja),
                counter: &counter,
                demo_secrets: o.demo.as_ref(),
                crl: None,
                health: madoguchi::ui::station::Health {
                    round_trips: &RTTS,
                    resends: 1,
                    transmit_errors: 0,
                    // The full diagnostics show the "card moved?" hint; the side pane not.
                    placement_suspect: o.overlay == Overlay::Diagnostics,
                },
                status_socket_error: o.socket_error,
                graphics: o.graphics.unwrap_or(Method::Nothing),
                demo_face: o.demo_face,
            },
        )
    })
    .unwrap();
    t
}

#[test]
fn every_pane_in_both_sizes_and_languages() {
    let mono = Theme::named("monochrome").unwrap();
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        for lang in [Lang::Ja, Lang::En] {
            let tag = if lang == Lang::Ja { "ja" } else { "en" };
            for (name, s, full) in screens(w, h, lang) {
                let t = render(&s, w, h, lang, &mono, full);
                insta::assert_snapshot!(format!("{name}_{w}x{h}_{tag}"), t.backend());
            }
        }
    }
}

#[test]
fn default_and_monochrome_styles() {
    for theme in ["default", "monochrome"] {
        let th = Theme::named(theme).unwrap();
        for (name, s, full) in screens(80, 24, Lang::Ja) {
            if !["pin", "confirm", "verdict_expired"].contains(&name) {
                continue;
            }
            let t = render(&s, 80, 24, Lang::Ja, &th, full);
            insta::assert_debug_snapshot!(format!("styles_{name}_{theme}"), t.backend().buffer());
        }
    }
}

#[test]
fn no_pin_on_screen_unless_revealed() {
    let mono = Theme::named("monochrome").unwrap();
    let mut s = S::new(80, 24, Lang::Ja);
    s.pin().reply(Ok(CardReply::Tries(3)));
    for c in "7391".chars() {
        s.key(Key::Char(c));
    }
    let t = render(&s, 80, 24, Lang::Ja, &mono, false);
    let screen = format!("{}", t.backend());
    let boxes = screen.lines().find(|l| l.contains('＊')).expect("masked boxes");
    let boxes = boxes.split(" Hidden by").next().unwrap_or(boxes);
    assert!(boxes.contains("＊ ＊ ＊ ＊"), "{boxes}");
    for digit in ['7', '3', '9', '1'] {
        assert!(!boxes.contains(digit), "{boxes}");
    }
    s.key(Key::Tab);
    let t = render(&s, 80, 24, Lang::Ja, &mono, false);
    assert!(format!("{}", t.backend()).contains("7  3  9  1"), "revealed on request");
}

#[test]
fn too_small_terminal_says_so() {
    let mono = Theme::named("monochrome").unwrap();
    let s = S::new(60, 20, Lang::En);
    let t = render(&s, 60, 20, Lang::En, &mono, false);
    assert!(format!("{}", t.backend()).contains("80x24"));
}

/// The citizen's panes in each language at 80x24, the clerk's status and help lines in
/// Japanese all the while.
#[test]
fn citizen_panes_in_every_language_clerk_lines_in_japanese() {
    use madoguchi::i18n::{msg, Msg};
    let mono = Theme::named("monochrome").unwrap();
    for lang in Lang::ALL {
        for (name, s, full) in screens(80, 24, lang) {
            if !["consent", "pin", "confirm", "verdict_expired"].contains(&name) {
                continue;
            }
            assert_eq!(s.f.citizen_lang(), lang);
            let t = render(&s, 80, 24, Lang::Ja, &mono, full);
            let screen = format!("{}", t.backend());
            let lines: Vec<&str> = screen.lines().collect();
            let clerk = lines[lines.len() - 2..].join("\n");
            assert!(clerk.contains(msg(Lang::Ja, Msg::Queue)), "{clerk}");
            assert!(clerk.contains(msg(Lang::Ja, Msg::KeyQuit)), "{clerk}");
            insta::assert_snapshot!(format!("lang_{name}_80x24_{}", lang.code()), t.backend());
        }
    }
}

/// A language without its own terms: the Japanese text, below a line in the citizen's language
/// saying so; the layout counts that line, so the end of the terms is still reached.
#[test]
fn a_language_without_terms_shows_the_japanese_ones_with_a_note() {
    use madoguchi::i18n::terms_missing;
    use madoguchi::ui::station::consent_layout_for;
    let mono = Theme::named("monochrome").unwrap();
    let mut s = S::new(80, 24, Lang::Vi);
    let (total, visible) = consent_layout_for(80, 24, Lang::Vi, TERMS, Some((Doc::Terms, Lang::Ja)), &None);
    s.ev(Event::ConsentLayout { total, visible });
    let t = render_terms(&s, 80, 24, Lang::Ja, &mono, false, true);
    let screen = format!("{}", t.backend());
    assert!(screen.contains("Không có điều khoản"), "{screen}");
    assert!(terms_missing(Lang::Vi, Lang::Ja).starts_with("Không có điều khoản"));
    assert!(terms_missing(Lang::Ko, Lang::En).contains("English"));
    assert!(screen.contains("第5条"), "the Japanese terms, to their end: {screen}");
    assert!(screen.contains("[Tiếng Việt]"), "{screen}");
    insta::assert_snapshot!("consent_terms_missing_80x24_vi", t.backend());
}

/// The same for the privacy notice: the Japanese one, below its own line in Korean.
#[test]
fn a_language_without_a_privacy_notice_shows_the_japanese_one_with_a_note() {
    use madoguchi::i18n::privacy_missing;
    use madoguchi::ui::station::consent_layout_for;
    let mono = Theme::named("monochrome").unwrap();
    let privacy = FlowConfig {
        privacy: true,
        ..FlowConfig::default()
    };
    let mut s = S::with(80, 24, Lang::Ko, privacy);
    s.key(Key::End).key(Key::Enter);
    let (total, visible) = consent_layout_for(80, 24, Lang::Ko, PRIVACY, Some((Doc::Privacy, Lang::Ja)), &None);
    s.ev(Event::ConsentLayout { total, visible });
    let t = render_terms(&s, 80, 24, Lang::Ja, &mono, false, true);
    let screen = format!("{}", t.backend());
    assert!(privacy_missing(Lang::Ko, Lang::Ja).starts_with("한국어 개인정보"));
    assert!(screen.contains("한국어 개인정보"), "{screen}");
    assert!(
        !screen.contains("이용약관이 없습니다"),
        "the terms' line is not the notice's: {screen}"
    );
    assert!(
        screen.contains("個人番号は読み取りません"),
        "the Japanese notice, to its end: {screen}"
    );
    insta::assert_snapshot!("privacy_missing_80x24_ko", t.backend());
}

/// The picker fits whole in the narrowest main pane (80 columns, and 110 beside the reader pane)
/// whichever language is chosen.
#[test]
fn the_language_picker_fits_whole() {
    let mono = Theme::named("monochrome").unwrap();
    for (w, h) in [(80u16, 24u16), (110, 30)] {
        for lang in Lang::ALL {
            let s = S::new(w, h, lang);
            let t = render(&s, w, h, Lang::Ja, &mono, false);
            let screen = format!("{}", t.backend());
            let line = screen
                .lines()
                .find(|l| l.contains("日本語") && l.contains('←'))
                .unwrap();
            assert!(
                line.contains("Tiếng Việt") && line.contains('→'),
                "{w}x{h} {lang:?}: {line}"
            );
            assert!(line.contains(&format!("[{}]", lang.native_name())), "{line}");
        }
    }
}

/// The screen's rows as text (a wide character's second cell left out).
fn rows(t: &Terminal<TestBackend>) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let b = t.backend().buffer();
    let (w, h) = (b.area.width, b.area.height);
    (0..h)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in 0..w {
                let sym = b[(x, y)].symbol();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                skip = sym.width().saturating_sub(1);
                row.push_str(sym);
            }
            row
        })
        .collect()
}

fn help_line(t: &Terminal<TestBackend>) -> String {
    rows(t).last().cloned().unwrap_or_default()
}

/// The column where `item` is drawn highlighted as `[item]` or `[ item ]`, if it is.
fn highlighted(t: &Terminal<TestBackend>) -> Option<(usize, String)> {
    use unicode_width::UnicodeWidthStr;
    for r in rows(t) {
        for (i, _) in r.match_indices('[') {
            let Some(end) = r[i..].find(']') else { continue };
            let item = r[i + 1..i + end].trim().to_string();
            // Step names in the progress bar are bracketed too: only the pane's rows count.
            if r.starts_with('│') && !item.is_empty() {
                return Some((r[..i].width(), item));
            }
        }
    }
    None
}

/// Issue 25 item 2: ← and → follow the drawing on every row of choices: the language picker
/// of the consent screen and the buttons of 確認 (← from 次へ selected 中止).
#[test]
fn arrows_move_to_the_choice_drawn_on_that_side() {
    let mono = Theme::named("monochrome").unwrap();
    let rows_of_choices: Vec<(&str, S)> = vec![
        ("consent", {
            let mut s = S::new(80, 24, Lang::Ja);
            s.key(Key::Right);
            s
        }),
        ("confirm", {
            let mut s = S::new(80, 24, Lang::Ja);
            s.confirm();
            s
        }),
    ];
    for (name, mut s) in rows_of_choices {
        let (start_at, start) = highlighted(&render(&s, 80, 24, Lang::Ja, &mono, false)).unwrap();
        s.key(Key::Left);
        let (left_at, left) = highlighted(&render(&s, 80, 24, Lang::Ja, &mono, false)).unwrap();
        s.key(Key::Right).key(Key::Right);
        let (right_at, right) = highlighted(&render(&s, 80, 24, Lang::Ja, &mono, false)).unwrap();
        // From the middle of a row, ← lands left of where it was and → right (a row's ends
        // wrap round, so the start is picked where it has neighbours on both sides).
        assert!(left_at < start_at, "{name}: ← went from {start} to {left}");
        assert!(right_at > start_at, "{name}: → went from {start} to {right}");
    }
}

/// Issue 25 item 4: each screen's real keys and what Enter does there, from the key table.
#[test]
fn the_help_line_says_each_screens_keys_and_what_enter_does() {
    use madoguchi::i18n::{msg, Msg};
    let mono = Theme::named("monochrome").unwrap();
    let help = |s: &S| help_line(&render(s, 120, 40, Lang::Ja, &mono, false));
    let ja = |m| msg(Lang::Ja, m);
    for (name, s, _) in screens(120, 40, Lang::Ja) {
        let h = help(&s);
        assert!(h.contains("Ctrl-C"), "{name}: {h}");
        match name {
            "confirm" | "idle_warning" => {
                for k in ["F5", ja(Msg::KeyRepresentative), "R ", ja(Msg::ButtonReread)] {
                    assert!(h.contains(k), "{name}: {k} in {h}");
                }
            }
            "representative" => assert!(h.contains("F5-F7"), "{name}: {h}"),
            "done_queued" | "done_review" => assert!(h.contains(ja(Msg::KeyNextCitizen)), "{name}: {h}"),
            "locked"
            | "locked_sign"
            | "verdict_expired"
            | "verdict_revoked"
            | "expired_before_signing"
            | "signature_invalid"
            | "no_certificate_adult" => {
                assert!(h.contains(&format!("Enter/Esc {}", ja(Msg::KeyEsc))), "{name}: {h}")
            }
            "privacy" => assert!(h.contains(&format!("Esc {}", ja(Msg::KeyDecline))), "{name}: {h}"),
            "pin" | "pin_revealed" | "sign_password" => {
                assert!(h.contains(&format!("Enter {}", ja(Msg::KeyVerify))), "{name}: {h}");
                assert!(h.contains("Tab/F2"), "{name}: {h}");
            }
            _ => {}
        }
    }
    // Before the end of the terms, Enter does nothing and is not offered.
    let long: String = (0..60).map(|i| format!("第{i}条 本文。\n")).collect();
    let mut s = S::with_terms(120, 40, Lang::Ja, FlowConfig::default(), &long);
    assert!(!help(&s).contains("Enter"), "{}", help(&s));
    s.key(Key::End);
    assert!(
        help(&s).contains(&format!("Enter {}", ja(Msg::KeyAgree))),
        "{}",
        help(&s)
    );
}

/// Issue 25 item 3: with F4's diagnostics open the help line lists their keys only (Esc
/// closes them; it no longer says 最初から).
#[test]
fn the_diagnostics_overlay_lists_its_own_keys() {
    use madoguchi::i18n::{msg, Msg};
    let mono = Theme::named("monochrome").unwrap();
    let mut s = S::new(80, 24, Lang::Ja);
    s.pin().reply(Ok(CardReply::Tries(3)));
    let h = help_line(&render(&s, 80, 24, Lang::Ja, &mono, true));
    assert!(h.contains(&format!("F4/Esc {}", msg(Lang::Ja, Msg::KeyClose))), "{h}");
    for not in ["Enter", msg(Lang::Ja, Msg::KeyEsc), "Tab"] {
        assert!(!h.contains(not), "{not} in {h}");
    }
}

/// Issue 25 item 8: the es and pt help lines lost Ctrl-C at 80 columns; no clerk language
/// may, on any screen.
#[test]
fn every_clerk_language_keeps_ctrl_c_at_80_columns() {
    use madoguchi::i18n::{msg, Msg};
    let mono = Theme::named("monochrome").unwrap();
    for clerk in Lang::ALL {
        for (name, s, full) in screens(80, 24, Lang::Ja) {
            let h = help_line(&render(&s, 80, 24, clerk, &mono, full));
            assert!(
                h.contains(&format!("Ctrl-C {}", msg(clerk, Msg::KeyQuit))),
                "{clerk:?} {name}: {h}"
            );
        }
    }
}

/// Issue 25 item 8: at 80x24 the full diagnostics showed no 最後のエラー.
#[test]
fn the_full_diagnostics_show_the_last_error_at_80x24() {
    use madoguchi::card::{CardError, TransportError};
    let mono = Theme::named("monochrome").unwrap();
    let mut d = diag();
    let e = CardError::Transport(TransportError::CardRemoved);
    d.set_error(&e);
    let s = S::new(80, 24, Lang::Ja);
    let t = render_with(
        &s,
        80,
        24,
        Lang::Ja,
        &mono,
        Opts {
            overlay: Overlay::Diagnostics,
            diag: Some(d),
            ..Opts::default()
        },
    );
    let screen: String = rows(&t)
        .iter()
        .map(|r| r.trim_matches(|c| c == '│' || c == ' '))
        .collect();
    assert!(screen.contains("最後のエラー"), "{screen}");
    let text = madoguchi::i18n::card_error(Lang::Ja, &e);
    assert!(screen.contains(&text), "the whole error: {text}\n{screen}");
}

/// Issue 25 item 8: the status line lost the demo password when 要確認 showed. The
/// 利用者証明用暗証番号 (issue 22) stays beside them at 80 columns, in every clerk language.
#[test]
fn the_status_line_keeps_the_demo_secrets_and_the_review_count() {
    let mono = Theme::named("monochrome").unwrap();
    for clerk in Lang::ALL {
        let s = S::new(80, 24, Lang::Ja);
        let t = render_with(
            &s,
            80,
            24,
            clerk,
            &mono,
            Opts {
                review: 3,
                demo: Some(DemoSecrets {
                    pin: "1234".into(),
                    password: Some("ABC123".into()),
                    auth_pin: "5678".into(),
                }),
                ..Opts::default()
            },
        );
        let status = rows(&t)[22].clone();
        assert!(
            status.contains("ABC123") && status.contains("1234") && status.contains("5678"),
            "{clerk:?}: {status}"
        );
        assert!(
            status.contains(&format!(
                "{} 3",
                madoguchi::i18n::msg(clerk, madoguchi::i18n::Msg::Review)
            )),
            "{clerk:?}: {status}"
        );
    }
}

/// Issue 25 item 8: at 120x40 the reader-health title was cut in the side pane. Every box's
/// title ends inside its top border, on every screen, in every clerk language.
#[test]
fn no_box_title_is_cut() {
    let mono = Theme::named("monochrome").unwrap();
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        for clerk in Lang::ALL {
            for (name, s, full) in screens(w, h, Lang::Ja) {
                for r in rows(&render(&s, w, h, clerk, &mono, full)) {
                    for (i, _) in r.match_indices('┌') {
                        let top = &r[i..];
                        let end = top.find('┐').unwrap_or(top.len());
                        let border = &top[..end];
                        assert!(border.ends_with('─'), "{w}x{h} {clerk:?} {name}: {border:?}");
                    }
                }
            }
        }
    }
}

/// Issue 25 item 6: a card whose certificates expired stops at the card step, before any PIN,
/// and the bar ticks nothing past the card; an unsigned record is not ticked as signed.
#[test]
fn what_the_card_tells_first_is_said_at_the_card_step() {
    use madoguchi::i18n::{msg, Msg};
    let mono = Theme::named("monochrome").unwrap();
    let mut s = S::new(80, 24, Lang::Ja);
    s.facts.certificate_expired = true;
    s.pin();
    let t = render(&s, 80, 24, Lang::Ja, &mono, false);
    let screen: String = rows(&t).join("\n");
    assert!(screen.contains("エラーコード21"), "{screen}");
    assert!(!screen.contains("✓暗証番号") && screen.contains("[カード]"), "{screen}");
    insta::assert_snapshot!("finding_expired_80x24_ja", t.backend());
    // A minor's card without a signing certificate: said before the PIN, with the challenge
    // that replaces the signature; 完了 with ✓利用者証明 and no 署名 in the bar.
    let mut s = S::new(80, 24, Lang::Ja);
    s.f.set_today(20261201);
    s.facts.signing = Signing::Missing;
    s.pin().reply(Ok(CardReply::Tries(3)));
    let screen = rows(&render(&s, 80, 24, Lang::Ja, &mono, false)).join("");
    assert!(screen.contains("署名用電子証明書がありません"), "{screen}");
    assert!(
        screen.contains("証明用電子証明書の暗証番号（数字4桁）でカードを確認"),
        "{screen}"
    );
    let mut s = S::new(80, 24, Lang::Ja);
    s.card_authenticated();
    let bar = rows(&render(&s, 80, 24, Lang::Ja, &mono, false))[1].clone();
    let (sign, prove) = (msg(Lang::Ja, Msg::StepSign), msg(Lang::Ja, Msg::StepProve));
    assert!(bar.contains("[完了]") && bar.contains(&format!("✓{prove}")), "{bar}");
    assert!(!bar.contains(sign), "{bar}");
}

/// Issue 25 item 4: Ctrl-C during an enrollment asks first; the question holds the keyboard.
#[test]
fn the_quit_question_covers_the_step_with_its_own_keys() {
    use madoguchi::i18n::{msg, Msg};
    let mono = Theme::named("monochrome").unwrap();
    let mut s = S::new(80, 24, Lang::Ko);
    s.confirm();
    let t = render_with(
        &s,
        80,
        24,
        Lang::Ja,
        &mono,
        Opts {
            overlay: Overlay::Quit,
            ..Opts::default()
        },
    );
    let screen = rows(&t).join("\n");
    assert!(
        screen.contains(msg(Lang::Ko, Msg::QuitQuestion).split(' ').next().unwrap()),
        "{screen}"
    );
    let h = help_line(&t);
    assert!(h.contains(&format!("Y {}", msg(Lang::Ja, Msg::KeyQuitNow))), "{h}");
    assert!(!h.contains("F4") && !h.contains("Enter"), "{h}");
    insta::assert_snapshot!("quit_question_80x24_ko", t.backend());
}

/// Issue 25 item 9: a station whose status socket could not be bound says so on screen and
/// in its diagnostics.
#[test]
fn a_status_socket_that_could_not_be_opened_is_said_on_screen_and_in_the_diagnostics() {
    use madoguchi::i18n::{msg, Msg};
    let mono = Theme::named("monochrome").unwrap();
    let s = S::new(80, 24, Lang::Ja);
    let err = Some(SocketTrouble {
        path: "/run/user/1000/madoguchi/station.sock",
        reason: "permission",
    });
    let status = rows(&render_with(
        &s,
        80,
        24,
        Lang::Ja,
        &mono,
        Opts {
            socket_error: err,
            ..Opts::default()
        },
    ))[22]
        .clone();
    assert!(status.contains(msg(Lang::Ja, Msg::StatusSocketShort)), "{status}");
    let full: String = rows(&render_with(
        &s,
        80,
        24,
        Lang::Ja,
        &mono,
        Opts {
            socket_error: err,
            overlay: Overlay::Diagnostics,
            ..Opts::default()
        },
    ))
    .iter()
    .map(|r| r.trim_matches(|c| c == '│' || c == ' '))
    .collect();
    assert!(
        full.contains("権限がありません") && full.contains("madoguchi status"),
        "{full}"
    );
    assert!(!full.contains("Permission denied"), "{full}");
}

/// Issue 25 item 5: where the privacy notice makes the address optional, the e-mail step
/// names the key that skips it; a docomo address of before 2009 is taken, with a warning.
#[test]
fn an_optional_email_step_names_its_skip_key_and_warns_of_old_carrier_addresses() {
    use madoguchi::i18n::{msg, Msg};
    let mono = Theme::named("monochrome").unwrap();
    let cfg = FlowConfig {
        email: true,
        email_optional: true,
        ..FlowConfig::default()
    };
    let mut s = S::with(80, 24, Lang::Ja, cfg);
    s.confirm().key(Key::Enter);
    for c in "hanako..mama.@docomo.ne.jp".chars() {
        s.key(Key::Char(c));
    }
    s.key(Key::Enter);
    let t = render(&s, 80, 24, Lang::Ja, &mono, false);
    let screen: String = rows(&t)
        .iter()
        .map(|r| r.trim_matches(|c| c == '│' || c == ' '))
        .collect();
    assert!(
        screen.contains(&format!("F6: {}", msg(Lang::Ja, Msg::KeySkip))),
        "{screen}"
    );
    assert!(help_line(&t).contains(&format!("F6 {}", msg(Lang::Ja, Msg::KeySkip))));
    assert!(
        screen.contains(msg(Lang::Ja, Msg::EmailAgain)),
        "the address was taken: {screen}"
    );
    assert!(screen.contains("2009"), "the old carrier form is warned of: {screen}");
    insta::assert_snapshot!("contact_optional_legacy_80x24_ja", t.backend());
}

/// The card face's EF 0002 for `person()` (1989-01-08, sex 2), and what the card thread makes
/// of it: a photo decoded, no name or address image.
fn face_read() -> CardReply {
    use madoguchi::card::face::{encode, CardFace, FaceParts, FaceSignature};
    use madoguchi::flow::{FacePictures, FaceRead};
    use madoguchi::picture::Grey;
    let parts = FaceParts {
        birth_yyyymmdd: b"19890108",
        sex: b'2',
        card_key: &[0x90, 0x03, 0x01, 0x00, 0x01],
        name_png: b"\x89PNG name",
        address_png: b"\x89PNG address",
        photo_jp2: b"photo",
        expiry_yyyymmdd: b"20350108",
        security_code_png: b"\x89PNG code",
    };
    CardReply::Face(Box::new(FaceRead {
        face: CardFace::parse(encode(&parts, &[0xA5; 256])).unwrap(),
        signature: FaceSignature::NotVerified,
        pictures: FacePictures {
            photo: Some(Grey::new(4, 5, zeroize::Zeroizing::new(vec![128; 20]))),
            name: None,
            address: None,
        },
    }))
}

/// The card-face screens (issue #24): the clerk's step and the confirm screen beside the photo's
/// place, at 80x24 in Japanese and English. Graphics off (the pictures are the runtime's, never
/// in the frame), sixel for the clerk's keys on the photo, half-blocks for an outline only.
#[test]
fn the_card_face_screens_at_80x24() {
    use madoguchi::flow::FaceStep;
    let mono = Theme::named("monochrome").unwrap();
    let (w, h) = (80, 24);
    for lang in [Lang::Ja, Lang::En] {
        let tag = if lang == Lang::Ja { "ja" } else { "en" };
        let offer = FlowConfig {
            card_face: FaceStep::Offer,
            ..FlowConfig::default()
        };
        let face = |tries: u8| {
            let mut s = S::with(w, h, lang, offer.clone());
            s.confirm().reply(Ok(CardReply::FaceTries(tries)));
            s
        };
        let mut shots: Vec<(&str, S, Option<Method>)> = Vec::new();
        let mut s = face(3);
        for c in "2035".chars() {
            s.key(Key::Char(c));
        }
        shots.push(("face", s, None));
        let mut s = face(3);
        s.key(Key::F(6));
        for c in "20352285".chars() {
            s.key(Key::Char(c));
        }
        s.key(Key::Enter).reply(Ok(CardReply::FaceWrong(1)));
        shots.push(("face_wrong_seireki", s, None));
        let mut s = face(1);
        for c in "20352285".chars() {
            s.key(Key::Char(c));
        }
        s.key(Key::Enter);
        shots.push(("face_confirm_last", s, None));
        let mut s = S::with(w, h, lang, offer.clone());
        s.confirm().reply(Ok(CardReply::FaceLocked));
        shots.push(("face_locked", s, None));
        // The card face read with the right number, on the confirm screen.
        let read = |cfg: FlowConfig| {
            let mut s = S::with(w, h, lang, cfg);
            s.confirm().reply(Ok(CardReply::FaceTries(3)));
            for c in "20352285".chars() {
                s.key(Key::Char(c));
            }
            s.key(Key::Enter).reply(Ok(face_read()));
            s
        };
        // Graphics off: the runtime tells the flow no picture is drawn here.
        let no_pixels = FlowConfig {
            pictures: false,
            ..offer.clone()
        };
        shots.push(("confirm_face_graphics_off", read(no_pixels.clone()), None));
        let photo = || {
            read(FlowConfig {
                card_face: FaceStep::Require,
                ..FlowConfig::default()
            })
        };
        // Sixel: the photo in pixels, the clerk's keys on it, the name and address images.
        let sixel = Some(Method::Sixel { cell_px: (8, 16) });
        let mut s = photo();
        s.key(Key::Enter);
        shots.push(("confirm_face_awaiting", s, sixel));
        let mut s = photo();
        s.key(Key::F(6));
        shots.push(("confirm_face_matched", s, sixel));
        // Half-blocks (over SSH): an outline beside the items, too rough to say "matches" on.
        let s = read(no_pixels);
        shots.push((
            "confirm_face_halfblocks",
            s,
            Some(Method::HalfBlocks(madoguchi::picture::Palette::Grey256)),
        ));
        let mut s = photo();
        s.key(Key::F(7));
        shots.push(("face_photo_mismatch", s, None));
        for (name, s, graphics) in shots {
            let t = render_with(
                &s,
                w,
                h,
                lang,
                &mono,
                Opts {
                    graphics,
                    demo_face: Some(("2035", "2285")),
                    demo: Some(DemoSecrets {
                        pin: "1234".into(),
                        password: Some("ABC123".into()),
                        auth_pin: "1234".into(),
                    }),
                    ..Opts::default()
                },
            );
            insta::assert_snapshot!(format!("{name}_{w}x{h}_{tag}"), t.backend());
        }
    }
}

/// `[steps] allow_unauthenticated = true` (off by default): the clerk's status line says that
/// records proving no card are allowed — at 80 columns, in every clerk language, and only
/// then. A record stored so (the card holds no 利用者証明用 certificate, so there is no
/// challenge) is marked on 完了 for the clerk as not checked, with its level.
#[test]
fn the_clerk_sees_when_records_proving_no_card_are_allowed_and_when_one_is_stored() {
    use madoguchi::i18n::{msg, Msg};
    let mono = Theme::named("monochrome").unwrap();
    let allowing = FlowConfig {
        allow_unauthenticated: true,
        ..FlowConfig::default()
    };
    for clerk in Lang::ALL {
        for cfg in [FlowConfig::default(), allowing.clone()] {
            let s = S::with(80, 24, Lang::Ja, cfg.clone());
            let t = render_with(&s, 80, 24, clerk, &mono, Opts::default());
            let status = rows(&t)[22].clone();
            assert_eq!(
                status.contains(msg(clerk, Msg::UnauthenticatedAllowed)),
                cfg.allow_unauthenticated,
                "{clerk:?}: {status}"
            );
        }
    }
    let mut s = S::with(80, 24, Lang::En, allowing);
    s.facts = CardFacts {
        signing: Signing::Missing,
        certificate_expired: false,
    };
    s.f.set_today(20261201);
    s.pin().reply(Ok(CardReply::Tries(3)));
    for c in "2580".chars() {
        s.key(Key::Char(c));
    }
    s.key(Key::Enter)
        .reply(Ok(CardReply::Read(minor())))
        .key(Key::Enter)
        .key(Key::F(5))
        .key(Key::Enter)
        .reply(Err(CardError::FileNotFound(madoguchi::card::files::Ef::AuthCert)));
    let id = s.last_store.expect("stored as the operator allows");
    s.ev(Event::Stored {
        id,
        result: Ok("01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into()),
    })
    .ev(Event::Delivered {
        enrollment_id: "01936f1e-7c2a-7d3b-9c1e-5a6b7c8d9e0f".into(),
        verdict: Verdict::Accepted,
    });
    let t = render_with(&s, 80, 24, Lang::En, &mono, Opts::default());
    let screen = rows(&t).join("\n");
    assert!(
        screen.contains("Enrollment complete.") && screen.contains("NOT") && screen.contains("(unauthenticated)"),
        "{screen}"
    );
    assert!(
        rows(&t)[22].contains(msg(Lang::En, Msg::UnauthenticatedAllowed)),
        "{screen}"
    );
}

/// The review of issue #25: on 署名 at 80x24, Ctrl-C's question lost its `┌`, its left `│`
/// and its padding where the box starts inside a full-width character of the step below.
/// Read as a terminal shows it: a cell covered by the wide character before it is not drawn.
#[test]
fn an_overlay_over_wide_characters_keeps_its_left_edge() {
    use unicode_width::UnicodeWidthStr;
    let mono = Theme::named("monochrome").unwrap();
    for lang in [Lang::Ja, Lang::ZhHans, Lang::Ko] {
        let mut s = S::new(80, 24, lang);
        s.confirm().key(Key::Enter).reply(Ok(CardReply::Tries(5)));
        let t = render_with(
            &s,
            80,
            24,
            Lang::Ja,
            &mono,
            Opts {
                overlay: Overlay::Quit,
                ..Opts::default()
            },
        );
        let b = t.backend().buffer();
        // What the terminal shows in each cell ("" where a wide character covers it).
        let shown = |x: u16, y: u16| -> &str {
            let covered = x > 0 && b[(x - 1, y)].symbol().width() > 1;
            if covered {
                ""
            } else {
                b[(x, y)].symbol()
            }
        };
        // The question's box: 60 wide, centred in the 80 columns of the step pane.
        let (left, right) = (10, 69);
        let box_rows: Vec<u16> = (3..21)
            .filter(|&y| ["┐", "│", "┘"].contains(&shown(right, y)))
            .collect();
        assert!(box_rows.len() >= 4, "{lang:?}\n{}", t.backend());
        for &y in &box_rows {
            let want = match shown(right, y) {
                "┐" => "┌",
                "┘" => "└",
                _ => "│",
            };
            assert_eq!(shown(left, y), want, "{lang:?} row {y}\n{}", t.backend());
            assert!(!shown(left + 1, y).is_empty(), "{lang:?} row {y}");
        }
        if lang == Lang::Ja {
            insta::assert_snapshot!("quit_question_over_sign_80x24_ja", t.backend());
        }
    }
}

/// The review of issue #25: at 80 columns the status line dropped `状態照会 ✕` whenever the
/// demo's PIN and password were shown (a warning outranks the demo's secrets); it cut the
/// reader's name mid-word (`Demo card reade: あり`) and left double gaps where a part went.
#[test]
fn the_status_line_keeps_warnings_and_gives_up_whole_parts() {
    use madoguchi::i18n::{msg, Msg};
    let mono = Theme::named("monochrome").unwrap();
    let words: Vec<&str> = READER.split(' ').collect();
    for clerk in Lang::ALL {
        for pw in ["ABC123", "HANAKO2024", "ABCDEFGHIJKLMN16"] {
            for (review, socket) in [(0, true), (3, true), (0, false), (3, false)] {
                let s = S::new(80, 24, Lang::Ja);
                let t = render_with(
                    &s,
                    80,
                    24,
                    clerk,
                    &mono,
                    Opts {
                        review,
                        demo: Some(DemoSecrets {
                            pin: "1234".into(),
                            password: Some(pw.into()),
                            auth_pin: "5678".into(),
                        }),
                        socket_error: socket.then_some(SocketTrouble {
                            path: "/run/user/0/madoguchi/station.sock",
                            reason: "in_use",
                        }),
                        ..Opts::default()
                    },
                );
                let status = rows(&t)[22].clone();
                let what = format!("{clerk:?} {pw} review {review} socket {socket}: {status:?}");
                if socket {
                    assert!(status.contains(msg(clerk, Msg::StatusSocketShort)), "{what}");
                }
                if review > 0 {
                    assert!(status.contains(&madoguchi::i18n::review_count(clerk, review)), "{what}");
                }
                // No double gap: parts are joined by one gap, whichever were given up.
                assert!(!status.trim().contains("   "), "{what}");
                // The reader's name: whole, whole words and an ellipsis, or not at all.
                let card = madoguchi::i18n::card_state(clerk, madoguchi::reader::diagnostics::CardState::Present);
                if let Some(name) = status
                    .trim_start()
                    .split(&format!(": {card}"))
                    .next()
                    .filter(|n| *n != status.trim_start())
                {
                    let shown = name.trim_end_matches('…');
                    let whole_words = shown.split(' ').zip(&words).all(|(a, b)| a == *b);
                    assert!(name == READER || (name.ends_with('…') && whole_words), "{what}");
                }
            }
        }
    }
}

/// The review of issue #25: at 80 columns the help line never showed the demo's F8 on 同意,
/// 暗証番号 and 確認, and on 確認 it dropped F4 too. What a first-day clerk needs most stays:
/// F8 on the card step (how the demo's card is placed) and beside the PIN (how it is pulled
/// mid-step), the step's Enter and Esc, the clerk's F5 and F4 on 確認 (in Japanese), Ctrl-C.
#[test]
fn the_help_line_keeps_what_a_first_day_clerk_needs_at_80_columns() {
    let mono = Theme::named("monochrome").unwrap();
    for clerk in Lang::ALL {
        let help = |s: &S| {
            help_line(&render_with(
                s,
                80,
                24,
                clerk,
                &mono,
                Opts {
                    demo: Some(DemoSecrets {
                        pin: "1234".into(),
                        password: Some("ABC123".into()),
                        auth_pin: "5678".into(),
                    }),
                    ..Opts::default()
                },
            ))
        };
        let mut card = S::new(80, 24, Lang::Ja);
        card.key(Key::End).key(Key::Enter);
        let mut pin = S::new(80, 24, Lang::Ja);
        pin.pin().reply(Ok(CardReply::Tries(3)));
        let mut sign = S::new(80, 24, Lang::Ja);
        sign.confirm().key(Key::Enter).reply(Ok(CardReply::Tries(5)));
        let mut confirm = S::new(80, 24, Lang::Ja);
        confirm.confirm();
        for (name, s) in [("card", &card), ("pin", &pin), ("sign", &sign)] {
            let h = help(s);
            assert!(
                h.contains("F8 ") && h.contains("Esc ") && h.contains("Ctrl-C"),
                "{clerk:?} {name}: {h}"
            );
        }
        let h = help(&confirm);
        for k in ["Enter ", "Esc ", "F5 ", "Ctrl-C"] {
            assert!(h.contains(k), "{clerk:?} confirm: {k} in {h}");
        }
        if clerk == Lang::Ja {
            assert!(h.contains("F4 "), "{h}");
        }
    }
}
