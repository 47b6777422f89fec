//! The runtime's state without a terminal, a card thread or a reader monitor: station-wide
//! keys, what the view and support would show, the figures that come with card replies.

use super::readers::{Readers, VirtualReader};
use super::state::{App, Support, ROUND_TRIPS_KEPT};
use super::worker::CardSource;
use super::*;
use crate::card::CardError;
use crate::flow::{Effect, Screen};
use crate::reader::monitor::ReaderEvent;
use crate::seam::{BackendError, Verdict};
use crate::ui::keys::Action;
use crossterm::event::KeyEvent;
use std::sync::mpsc;

/// Readers that tell nothing and hold no card.
struct NoReaders;

impl Readers for NoReaders {
    fn start(&mut self, _: readers::Emit) -> Box<dyn CardSource> {
        unreachable!("not started in these tests")
    }
}

/// An App whose channels go nowhere: enough to drive station-wide keys and read what the view
/// would show.
fn app(citizen: Lang, terms: Vec<(Lang, String)>, privacy: Vec<(Lang, String)>) -> (App, std::path::PathBuf) {
    with_readers(citizen, terms, privacy, Box::new(NoReaders))
}

fn with_readers(
    citizen: Lang,
    terms: Vec<(Lang, String)>,
    privacy: Vec<(Lang, String)>,
    readers: Box<dyn Readers>,
) -> (App, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "madoguchi-app-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let store =
        crate::backend::station::StationStore::open(dir.join("o.sqlite3"), 10, "s", "t", "規約", None, None).unwrap();
    let (events, _) = mpsc::channel();
    let (worker, _) = mpsc::channel();
    let opts = StationOptions {
        lang: Lang::Ja,
        theme: Theme::named("default").unwrap(),
        terms,
        station_id: "s".into(),
        flow: flow::FlowConfig {
            lang: citizen,
            privacy: !privacy.is_empty(),
            ..flow::FlowConfig::default()
        },
        readers,
        backend: Arc::new(store),
        privacy,
        counter: CounterInfo::default(),
        demo_secrets: None,
        graphics: crate::picture::Setting::Off,
        demo_face: None,
    };
    let mut app = App::new(
        opts,
        worker,
        events,
        (80, 24),
        Support::default(),
        crate::picture::Method::Nothing,
    );
    app.shown.dirty = false;
    (app, dir)
}

#[test]
fn f9_cycles_the_clerks_language_through_every_language_and_leaves_the_citizens() {
    let (mut app, dir) = app(Lang::Ko, vec![(Lang::Ja, "規約".into())], vec![]);
    let mut seen = vec![app.shown.lang];
    for _ in 0..Lang::ALL.len() {
        assert!(app.action(Action::Language));
        assert!(app.shown.dirty);
        seen.push(app.shown.lang);
        assert_eq!(app.flow.citizen_lang(), Lang::Ko, "the citizen's language is theirs");
    }
    use Lang::*;
    assert_eq!(seen, [Ja, En, ZhHans, Ko, Es, PtBr, Vi, Ja]);
    let _ = std::fs::remove_dir_all(&dir);
}
#[test]
fn the_privacy_notice_is_the_citizens_or_the_japanese_one_with_a_note() {
    let privacy = vec![(Lang::Ja, "個人情報".to_string()), (Lang::Ko, "개인정보".to_string())];
    let (ko, dir) = app(Lang::Ko, vec![(Lang::Ja, "規約".into())], privacy.clone());
    assert_eq!(ko.privacy(), ("개인정보", None));
    assert_eq!((ko.view().privacy, ko.view().privacy_missing), (Some("개인정보"), None));
    let _ = std::fs::remove_dir_all(&dir);
    let (vi, dir) = app(Lang::Vi, vec![(Lang::Ja, "規約".into())], privacy);
    assert_eq!(
        (vi.view().privacy, vi.view().privacy_missing),
        (Some("個人情報"), Some(Lang::Ja))
    );
    assert_eq!(vi.terms(), ("規約", Some(Lang::Ja)));
    // A station whose only terms are English: a Korean citizen is told it is English.
    let (en_only, dir2) = app(Lang::Ko, vec![(Lang::En, "Terms".into())], vec![]);
    assert_eq!(en_only.terms(), ("Terms", Some(Lang::En)));
    let _ = std::fs::remove_dir_all(&dir2);
    let _ = std::fs::remove_dir_all(&dir);
    let (none, dir) = app(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![]);
    assert_eq!(none.view().privacy, None);
    let _ = std::fs::remove_dir_all(&dir);
}
#[test]
fn removals_close_together_raise_the_placement_hint_in_the_view_and_the_status() {
    let (mut app, dir) = app(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![]);
    let reader = "Reader 0".to_string();
    let insert = || ReaderEvent::CardInserted {
        reader: reader.clone(),
        atr: crate::card::vcard::DEFAULT_ATR.to_vec(),
    };
    for i in 0..3 {
        assert!(!app.view().health.placement_suspect, "after {i} removals");
        app.reader_event(insert());
        app.reader_event(ReaderEvent::CardRemoved { reader: reader.clone() });
    }
    assert!(app.view().health.placement_suspect);
    assert!(app.status_snapshot().placement_suspect);
    assert_eq!(app.status_snapshot().card_removals, 3);
    let _ = std::fs::remove_dir_all(&dir);
}
#[test]
fn support_sees_store_delivery_and_reader_errors_not_only_card_ones() {
    let (mut app, dir) = app(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![]);
    app.reader_event(ReaderEvent::ServiceDown);
    app.backend_answer(flow::Event::Stored {
        id: 99,
        result: Err(BackendError::QueueFull),
    });
    app.backend_answer(flow::Event::Delivered {
        enrollment_id: "e-1".into(),
        verdict: Verdict::Queued,
    });
    app.card_answer(
        flow::Event::Card {
            id: 98,
            result: Err(CardError::Transport(crate::card::TransportError::CardRemoved)),
        },
        LinkStats::default(),
    );
    let snap = app.status_snapshot();
    let codes: Vec<&str> = snap.errors.iter().map(|e| e.code).collect();
    assert_eq!(codes, ["pcscd_down", "outbox_full", "delivery_failed", "card_removed"]);
    assert_eq!(snap.last_delivery.map(|d| d.result), Some("queued"));
    // The last 20 only.
    for _ in 0..30 {
        app.reader_event(ReaderEvent::ServiceDown);
    }
    assert_eq!(app.status_snapshot().errors.len(), status::Recent::KEEP);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Walks the flow to the confirm screen with `person` read, answering its card requests.
fn to_confirm(app: &mut App, person: crate::card::basic4::BasicFour) {
    // To the confirm screen: the flow's card requests are answered here.
    let mut now = 0;
    let mut step = |app: &mut App, ev: flow::Event| {
        now += 10;
        app.flow.handle(now, ev).into_iter().find_map(|e| match e {
            Effect::Card { id, .. } => Some(id),
            _ => None,
        })
    };
    step(app, flow::Event::ConsentLayout { total: 1, visible: 10 });
    step(app, flow::Event::CardPresent);
    step(app, flow::Event::Action(flow::Action::Scroll(flow::Scroll::Bottom)));
    let id = step(app, flow::Event::Action(flow::Action::Submit)).expect("probe asked");
    let id = step(
        app,
        flow::Event::Card {
            id,
            result: Ok(flow::CardReply::Probed(Default::default())),
        },
    )
    .expect("tries asked");
    step(
        app,
        flow::Event::Card {
            id,
            result: Ok(flow::CardReply::Tries(3)),
        },
    );
    for c in "1234".chars() {
        step(app, flow::Event::Action(flow::Action::Type(c)));
    }
    let id = step(app, flow::Event::Action(flow::Action::Submit)).expect("read asked");
    step(
        app,
        flow::Event::Card {
            id,
            result: Ok(flow::CardReply::Read(person)),
        },
    );
}

#[test]
fn after_start_over_no_frame_keeps_the_confirm_view() {
    use crate::card::basic4;
    use crate::ui::station::draw;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    let (mut app, dir) = app(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![]);
    let (name, address) = ("山田\u{3000}太郎", "東京都千代田区千代田１－１");
    let person = basic4::decode(&basic4::encode(name, address, "19800217", b'1', false)).unwrap();
    to_confirm(&mut app, person);
    assert!(matches!(app.flow.screen(), Screen::Confirm { .. }));

    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| draw(f, &app.view())).unwrap();
    assert!(format!("{}", t.backend()).contains("千代田"));
    // The terminal shrinks (an SSH window made smaller): the rows with the four items are
    // past the end of the smaller frames now.
    t.backend_mut().resize(100, 5);
    t.draw(|f| draw(f, &app.view())).unwrap();

    // Esc: start over. The event loop wipes the frames before it draws the next one.
    assert!(app.key(KeyEvent::from(crossterm::event::KeyCode::Esc)));
    assert!(app.flow.person().is_none());
    if std::mem::take(&mut app.shown.wipe_frames) {
        terminal::wipe_frames(&mut t).unwrap();
    }
    t.draw(|f| draw(f, &app.view())).unwrap();
    for _ in 0..2 {
        let kept = terminal::bytes_of(&t.current_buffer_mut().content);
        for c in name.chars().chain(address.chars()).filter(|c| !c.is_ascii()) {
            let mut utf8 = [0u8; 4];
            let c = c.encode_utf8(&mut utf8).as_bytes();
            assert!(
                !kept.windows(c.len()).any(|w| w == c),
                "a frame still holds {:?}",
                std::str::from_utf8(c)
            );
        }
        t.swap_buffers();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 21: the round trips and re-sends shown are the ones that came with this station's
/// card replies, not a process-wide count that another card thread (or a test running beside
/// this one) adds to.
#[test]
fn reader_health_comes_from_the_replies_figures() {
    let (mut a, dir) = app(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![]);
    let (b, dir_b) = app(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![]);
    let reply = |id| flow::Event::Card {
        id,
        result: Ok(flow::CardReply::Tries(3)),
    };
    a.card_answer(
        reply(1),
        LinkStats {
            round_trips_us: vec![1200, 900, 30000],
            resends: 1,
        },
    );
    assert!(a.shown.dirty);
    assert_eq!(a.view().health.round_trips, [1200, 900, 30000]);
    assert_eq!(a.view().health.resends, 1);
    let snap = a.status_snapshot();
    assert_eq!((snap.apdu_rtt_us, snap.resends), (vec![1200, 900, 30000], 1));
    // Another station's replies are its own.
    assert!(b.view().health.round_trips.is_empty());
    assert_eq!(b.status_snapshot().resends, 0);
    // Re-sends add up; the sparkline keeps the last round trips only.
    a.card_answer(
        reply(2),
        LinkStats {
            round_trips_us: (0..100).collect(),
            resends: 2,
        },
    );
    assert_eq!(a.view().health.resends, 3);
    let kept = a.view().health.round_trips.to_vec();
    assert_eq!(kept.len(), ROUND_TRIPS_KEPT);
    assert_eq!(kept.last(), Some(&99));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&dir_b);
}

/// The consent page reaches the flow as an event after the loop handled one: a resize, or
/// another citizen's language, and only while the consent screen is on view.
#[test]
fn the_consent_page_follows_the_terminal_and_the_citizens_language() {
    let long: String = (0..60).map(|i| format!("第{i}条 この規約は長い。\n")).collect();
    let (mut app, dir) = app(Lang::Ja, vec![(Lang::Ja, long)], vec![]);
    app.settle();
    let at_80x24 = app.flow.consent_layout();
    assert!(at_80x24.0 >= 60 && at_80x24.1 > 0, "{at_80x24:?}");
    assert!(app.consent_page().is_none(), "told once");
    app.shown.size = (80, 40);
    app.settle();
    let taller = app.flow.consent_layout();
    assert!(taller.1 > at_80x24.1, "{taller:?} after {at_80x24:?}");
    // Another language (the Japanese text with a note saying so): the page is measured anew.
    assert!(app.key(KeyEvent::from(crossterm::event::KeyCode::Right)));
    assert_eq!(app.flow.consent_layout(), (0, 0), "the flow waits for the page");
    app.settle();
    assert_ne!(app.flow.consent_layout(), (0, 0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The demo's card is pulled and placed by its reader (F8): the reader tells the runtime, as
/// a PC/SC reader would, and the flow hears it from the reader event.
#[test]
fn f8_pulls_the_demo_card_through_its_reader() {
    let made: Arc<ready::Ready<std::sync::Mutex<crate::card::vcard::VirtualCard>>> = Arc::default();
    let reader = VirtualReader::new(made, std::time::Duration::ZERO);
    let (mut app, dir) = with_readers(Lang::Ja, vec![(Lang::Ja, "規約".into())], vec![], Box::new(reader));
    let (tx, rx) = mpsc::channel();
    let _card = app.cards.readers.start(Box::new(move |ev| tx.send(ev).unwrap()));
    assert_eq!(app.cards.diag.pcscd, crate::reader::diagnostics::Pcscd::NotUsed);
    for ev in rx.try_iter() {
        app.reader_event(ev);
    }
    assert_eq!(app.cards.chosen.as_deref(), Some(readers::DEMO_READER));
    assert!(app.flow.card_present());
    assert!(app.action(Action::DemoCard));
    let told: Vec<ReaderEvent> = rx.try_iter().collect();
    assert!(matches!(told[..], [ReaderEvent::CardRemoved { .. }]), "{told:?}");
    for ev in told {
        app.reader_event(ev);
    }
    assert!(!app.flow.card_present());
    let _ = std::fs::remove_dir_all(&dir);
}
