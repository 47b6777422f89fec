//! A revealed PIN leaves nothing in ratatui's buffers once it is off the screen: the cells of
//! both buffers (the one drawn and the one kept for the diff) hold no digit of it.

use madoguchi::card::CardError;
use madoguchi::flow::{Action, CardFacts, CardReply, Effect, Event, Flow, FlowConfig};
use madoguchi::lang::Lang;
use madoguchi::reader::diagnostics::Diagnostics;
use madoguchi::seam::QueueInfo;
use madoguchi::ui::station::{draw, View};
use madoguchi::ui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

fn reply(f: &mut Flow, now: &mut u64, last: &mut Option<u64>, r: Result<CardReply, CardError>) {
    *now += 1;
    let id = last.take().unwrap();
    for e in f.handle(*now, Event::Card { id, result: r }) {
        if let Effect::Card { id, .. } = e {
            *last = Some(id);
        }
    }
}

fn ev(f: &mut Flow, now: &mut u64, last: &mut Option<u64>, e: Event) {
    *now += 1;
    for e in f.handle(*now, e) {
        if let Effect::Card { id, .. } = e {
            *last = Some(id);
        }
    }
}

fn render(t: &mut Terminal<TestBackend>, f: &Flow, theme: &Theme, diag: &Diagnostics) {
    let counter = madoguchi::ui::station::CounterInfo::default();
    let v = View {
        flow: f,
        lang: Lang::Ja,
        theme,
        diag,
        reader: None,
        terms: "terms",
        terms_missing: None,
        station_id: "s",
        queue: QueueInfo::default(),
        sealed: true,
        overlay: Default::default(),
        spinner: 0,
        privacy: None,
        privacy_missing: None,
        counter: &counter,
        demo_secrets: None,
        crl: None,
        health: Default::default(),
        status_socket_error: None,
        graphics: madoguchi::picture::Method::Nothing,
        demo_face: None,
    };
    t.draw(|fr| draw(fr, &v)).unwrap();
}

fn text(b: &Buffer) -> String {
    b.content().iter().map(|c| c.symbol()).collect()
}

#[test]
fn revealed_digits_are_gone_from_both_buffers_after_the_next_frame() {
    let mut f = Flow::new(FlowConfig::default());
    let (mut now, mut last) = (0u64, None);
    ev(
        &mut f,
        &mut now,
        &mut last,
        Event::ConsentLayout { total: 1, visible: 10 },
    );
    ev(&mut f, &mut now, &mut last, Event::CardPresent);
    ev(&mut f, &mut now, &mut last, Event::Action(Action::Submit));
    // The probe (what the card tells before a PIN), then the tries.
    reply(&mut f, &mut now, &mut last, Ok(CardReply::Probed(CardFacts::default())));
    reply(&mut f, &mut now, &mut last, Ok(CardReply::Tries(3)));
    for c in "7395".chars() {
        ev(&mut f, &mut now, &mut last, Event::Action(Action::Type(c)));
    }
    ev(&mut f, &mut now, &mut last, Event::Action(Action::Reveal));
    let theme = Theme::named("monochrome").unwrap();
    let diag = Diagnostics::new();
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    render(&mut t, &f, &theme, &diag);
    let shown = format!("{}", t.backend());
    assert!(shown.contains("7  3  9  5"), "revealed on request");
    // Hide it again: the next frame draws masks, and no buffer keeps the digits.
    ev(&mut f, &mut now, &mut last, Event::Action(Action::Reveal));
    render(&mut t, &f, &theme, &diag);
    for (which, b) in [
        ("drawn", t.current_buffer_mut().clone()),
        ("kept", {
            t.swap_buffers();
            t.current_buffer_mut().clone()
        }),
    ] {
        let s = text(&b);
        for d in ["7", "3", "9", "5"] {
            let boxes_line = s.contains(&format!("{d}  "));
            assert!(!boxes_line, "{which} buffer still has {d}: {s}");
        }
    }
}
