//! Snapshots of the diagnostics pane (TestBackend + insta): compact and full, ja and en, with
//! and without colour. Text snapshots show what a person reads; the styled snapshot pins the
//! colours so a theme change is a visible diff.

use madoguchi::card::{CardError, TransportError};
use madoguchi::lang::Lang;
use madoguchi::reader::diagnostics::{Diagnostics, Facts, Probe};
use madoguchi::reader::monitor::ReaderEvent;
use madoguchi::ui::diagnostics_pane::{DiagnosticsPane, Form};
use madoguchi::ui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const ATR: [u8; 19] = [
    0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6, 0x01, 0xC0, 0x3B,
];

fn model() -> Diagnostics {
    let mut d = Diagnostics::new();
    d.apply(&ReaderEvent::ServiceUp);
    d.apply(&ReaderEvent::ReaderAdded {
        reader: "ACS ACR1252 1S CL Reader [ACR1252 1S CL Reader PICC] 00 00".into(),
    });
    d.apply(&ReaderEvent::ReaderAdded {
        reader: "Virtual PCD 00 00".into(),
    });
    d.apply(&ReaderEvent::CardInserted {
        reader: "Virtual PCD 00 00".into(),
        atr: ATR.to_vec(),
    });
    d.apply_probe(
        "Virtual PCD 00 00",
        Probe {
            facts: Facts {
                vendor: Some("Virtual".into()),
                protocol: Some("T=1".into()),
                card_kind: Some("my_number_card".into()),
                extended_length: Some(true),
                last_rtt_ms: Some(42.25),
                ..Facts::default()
            },
            ..Probe::default()
        },
    );
    d.apply(&ReaderEvent::CardRemoved {
        reader: "Virtual PCD 00 00".into(),
    });
    d.apply(&ReaderEvent::CardInserted {
        reader: "Virtual PCD 00 00".into(),
        atr: ATR.to_vec(),
    });
    d.apply_probe(
        "Virtual PCD 00 00",
        Probe {
            facts: Facts {
                card_kind: Some("my_number_card".into()),
                ..Facts::default()
            },
            ..Probe::default()
        },
    );
    d.set_error(&CardError::Transport(TransportError::CardRemoved));
    d
}

fn render(d: &Diagnostics, lang: Lang, theme: &Theme, form: Form, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        f.render_widget(
            DiagnosticsPane {
                model: d,
                theme,
                lang,
                form,
                selected: None,
                socket_error: None,
            },
            f.area(),
        );
    })
    .unwrap();
    t
}

#[test]
fn compact_and_full_in_both_languages() {
    let mono = Theme::named("monochrome").unwrap();
    for lang in [Lang::Ja, Lang::En] {
        let d = model();
        let tag = if lang == Lang::Ja { "ja" } else { "en" };
        insta::assert_snapshot!(
            format!("compact_{tag}"),
            render(&d, lang, &mono, Form::Compact, 32, 12).backend()
        );
        insta::assert_snapshot!(
            format!("full_{tag}"),
            render(&d, lang, &mono, Form::Full, 80, 24).backend()
        );
    }
}

#[test]
fn pcscd_down_compact() {
    let mono = Theme::named("monochrome").unwrap();
    for lang in [Lang::Ja, Lang::En] {
        let mut d = model();
        d.apply(&ReaderEvent::ServiceDown);
        let tag = if lang == Lang::Ja { "ja" } else { "en" };
        insta::assert_snapshot!(
            format!("pcscd_down_{tag}"),
            render(&d, lang, &mono, Form::Compact, 32, 12).backend()
        );
    }
}

#[test]
fn colour_and_monochrome_styles() {
    let d = model();
    for name in ["default", "monochrome"] {
        let theme = Theme::named(name).unwrap();
        let t = render(&d, Lang::Ja, &theme, Form::Compact, 32, 12);
        insta::assert_debug_snapshot!(format!("compact_styles_{name}"), t.backend().buffer());
    }
}

/// The review of issue #25: at 120x40 in Japanese, `pcscd: 使用しない（デモのカード）` is 33
/// columns in a pane of 32 and its `）` overwrote the right border; at 80x24 the socket path
/// was split mid-word. The pane wraps by display width with the project's rules.
#[test]
fn the_pane_wraps_by_display_width_inside_its_border() {
    use madoguchi::reader::diagnostics::Pcscd;
    let mono = Theme::named("monochrome").unwrap();
    let mut d = model();
    d.pcscd = Pcscd::NotUsed;
    let path = "/run/user/1000/madoguchi/station.sock";
    for (form, w, h) in [(Form::Compact, 34, 14), (Form::Full, 80, 24), (Form::Full, 60, 30)] {
        for lang in [Lang::Ja, Lang::En, Lang::Vi] {
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| {
                f.render_widget(
                    DiagnosticsPane {
                        model: &d,
                        theme: &mono,
                        lang,
                        form,
                        selected: None,
                        socket_error: Some(madoguchi::ui::station::SocketTrouble { path, reason: "in_use" }),
                    },
                    f.area(),
                );
            })
            .unwrap();
            let b = t.backend().buffer();
            for y in 0..h {
                let right = b[(w - 1, y)].symbol();
                assert!(
                    ["│", "┐", "┘"].contains(&right),
                    "{form:?} {w} {lang:?} row {y}: {right:?}\n{}",
                    t.backend()
                );
            }
            let text = t.backend().to_string();
            if form == Form::Full && w == 80 {
                assert!(text.contains(path), "{lang:?}: the path is split\n{text}");
            }
        }
    }
}

/// The review of issue #25: F4 said `ATR解析: T=1 contact` (English in Japanese): how the card
/// talks to the reader comes from the catalogue.
#[test]
fn the_decoded_atr_is_said_in_the_clerks_language() {
    let mono = Theme::named("monochrome").unwrap();
    let d = model();
    let ja = render(&d, Lang::Ja, &mono, Form::Full, 80, 24).backend().to_string();
    assert!(ja.contains("T=1 接触"), "{ja}");
    assert!(!ja.contains("contact"), "{ja}");
    let en = render(&d, Lang::En, &mono, Form::Full, 80, 24).backend().to_string();
    assert!(en.contains("T=1 contact"), "{en}");
}
