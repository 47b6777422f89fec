//! The status line, in the clerk's language: the reader and its card, the queue, and the
//! warnings the clerk must see (review, CRL, status socket, unsealed records, records that
//! prove no card allowed, the demo's PINs). A narrow line gives up the least needed items
//! first, whole: the reader's name is shortened by whole words or with an ellipsis, never cut
//! mid-word.

use crate::flow::Screen;
use crate::i18n::{self, msg, Msg};
use crate::reader::diagnostics::{CardState, Pcscd};
use crate::ui::station::View;
use crate::ui::wrap::{str_width, truncate};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The reader's name keeps at least this many columns, or goes; and at most this many.
const NAME_MIN: usize = 8;
const NAME_MAX: usize = 28;

/// What joins the parts after the reader.
const GAP: &str = "  ";

/// When a narrow line gives a part up: ranks 4 to 1 go first (4 first), then the reader's
/// name, then the demo's PIN and password; warnings never (a warning outranks the demo's
/// secrets: the clerk must see it).
const NEVER: u8 = 0;
const AFTER_NAME: u8 = 5;

/// One part after the reader: its rank, whether it hangs on the part before it without a gap
/// (the age of the oldest record on the queue count), and what it says.
struct Part<'a> {
    rank: u8,
    attached: bool,
    span: Span<'a>,
}

fn part<'a>(rank: u8, text: String, style: ratatui::style::Style) -> Part<'a> {
    Part {
        rank,
        attached: false,
        span: Span::styled(text, style),
    }
}

/// What follows the reader, in order.
fn parts<'a>(v: &View) -> Vec<Part<'a>> {
    let l = v.lang;
    let th = v.theme;
    let q = v.queue;
    let queue_style = if q.pending > 0 { th.warn() } else { th.muted() };
    let mut rest = vec![part(1, i18n::queue_count(l, q.pending), queue_style)];
    if let Some(secs) = q.oldest_age_secs {
        rest.push(Part {
            attached: true,
            ..part(4, i18n::oldest_minutes(l, secs / 60), queue_style)
        });
    }
    if q.review > 0 {
        rest.push(part(NEVER, i18n::review_count(l, q.review), th.error()));
    }
    if let Some(c) = v.crl {
        let text = i18n::crl_age(l, c.age_secs / 3600, c.fresh);
        rest.push(if c.fresh {
            part(3, text, th.muted())
        } else {
            part(NEVER, text, th.warn())
        });
    }
    if v.status_socket_error.is_some() {
        rest.push(part(NEVER, msg(l, Msg::StatusSocketShort).to_string(), th.warn()));
    }
    // The demo's secrets: on the clerk's card-face step its expiry year and security code
    // (what is typed there), elsewhere the PINs and the password (both do not fit 80 columns).
    let face_step = matches!(v.flow.screen(), Screen::Face(_));
    match (v.demo_secrets.as_ref(), v.demo_face) {
        (_, Some((year, code))) if face_step => {
            rest.push(part(AFTER_NAME, i18n::demo_face(l, year, code), th.warn()));
        }
        (Some(d), _) => {
            let text = i18n::demo_secrets(l, &d.pin, d.password.as_deref(), &d.auth_pin);
            rest.push(part(AFTER_NAME, text, th.warn()));
        }
        _ => {}
    }
    // Records that prove no card may be stored: the clerk sees it all the time.
    if v.flow.config().allow_unauthenticated {
        rest.push(part(NEVER, msg(l, Msg::UnauthenticatedAllowed).to_string(), th.warn()));
    }
    if !v.sealed {
        rest.push(part(NEVER, msg(l, Msg::Unsealed).to_string(), th.error()));
    }
    rest
}

/// The parts' width as drawn: a gap before each but the first and the attached ones.
fn width(parts: &[Part]) -> usize {
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| str_width(&p.span.content) + if i > 0 && !p.attached { GAP.len() } else { 0 })
        .sum()
}

/// `name` in at most `room` columns: whole, or its first whole words and an ellipsis, or (one
/// long word) cut by display width with an ellipsis. Never a word cut without a mark.
fn shorten(name: &str, room: usize) -> String {
    if str_width(name) <= room {
        return name.to_string();
    }
    let mut out = String::new();
    for word in name.split(' ') {
        let next = if out.is_empty() {
            word.to_string()
        } else {
            format!("{out} {word}")
        };
        if str_width(&next) + 1 > room {
            break;
        }
        out = next;
    }
    if out.is_empty() {
        out = truncate(name, room.saturating_sub(1));
    }
    out.push('…');
    out
}

pub fn draw(f: &mut Frame, v: &View, area: Rect) {
    let l = v.lang;
    let th = v.theme;
    let mut rest = parts(v);
    // The reader: its name (shortened to what is left), its card state; or pcscd down.
    let reader = v.reader.and_then(|r| v.diag.readers.iter().find(|d| d.name == r));
    let pcscd_down = !v.diag.pcscd_running() && v.diag.pcscd != Pcscd::NotUsed;
    let head: Vec<Span> = match reader {
        _ if pcscd_down => vec![Span::styled("pcscd ✕", th.error())],
        Some(r) => {
            let style = if r.card == CardState::Present {
                th.ok()
            } else {
                th.text()
            };
            vec![Span::styled(i18n::card_state(l, r.card), style)]
        }
        None => vec![],
    };
    let sep = "  |  ";
    let total = area.width as usize;
    let fixed = 1 + head.iter().map(|s| str_width(&s.content)).sum::<usize>() + str_width(sep);
    // Ranks 4 to 1 go while the name's least does not fit beside the rest.
    for rank in (1..=4).rev() {
        if fixed + NAME_MIN + 2 + width(&rest) <= total {
            break;
        }
        rest.retain(|p| !(rank..AFTER_NAME).contains(&p.rank));
    }
    let room = total.saturating_sub(fixed + width(&rest) + 2);
    let name = reader
        .filter(|_| !pcscd_down && room >= NAME_MIN)
        .map(|r| shorten(&r.name, room.min(NAME_MAX)));
    // Without the name and still too wide: the demo's secrets go, the warnings stay.
    if name.is_none() && fixed + width(&rest) > total {
        rest.retain(|p| p.rank != AFTER_NAME);
    }
    let mut spans = vec![Span::raw(" ")];
    if let Some(n) = name {
        spans.push(Span::styled(n, th.muted()));
        spans.push(Span::raw(": "));
    }
    spans.extend(head);
    spans.push(Span::styled(sep, th.muted()));
    for (i, p) in rest.into_iter().enumerate() {
        if i > 0 && !p.attached {
            spans.push(Span::raw(GAP));
        }
        spans.push(p.span);
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_shortened_by_whole_words_or_with_an_ellipsis() {
        assert_eq!(shorten("Demo card reader", 28), "Demo card reader");
        assert_eq!(shorten("Demo card reader", 15), "Demo card…");
        assert_eq!(shorten("Demo card reader", 12), "Demo card…");
        assert_eq!(shorten("Demo card reader", 9), "Demo…");
        assert_eq!(shorten("Verylongreadername", 8), "Verylon…");
        for room in 8..=20 {
            assert!(str_width(&shorten("ACS ACR1252 1S CL Reader", room)) <= room);
        }
    }
}
