//! The status line, in the clerk's language: the reader and its card, the queue, and the
//! warnings the clerk must see (review, CRL, status socket, unsealed records, records that
//! prove no card allowed, the demo's PINs). A narrow line gives up the least needed items
//! first, whole: the reader's name is shortened by whole words or with an ellipsis, never cut
//! mid-word.

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

/// When a narrow line gives a part up: the demo's secrets the step on screen does not need
/// first, then ranks 4 to 1 (4 first), then the reader's name, then the demo's secrets the step
/// needs; warnings never (a warning outranks the demo's secrets: the clerk must see it).
const NEVER: u8 = 0;
const AFTER_NAME: u8 = 5;
const NOT_NOW: u8 = 6;

/// How readily a part of `rank` is given up, higher first; the reader's name is
/// [`NAME_READINESS`]; 0 never.
fn readiness(rank: u8) -> u8 {
    match rank {
        NEVER => 0,
        1..=4 => 10 + rank,
        NOT_NOW => 15,
        _ => 9,
    }
}
const NAME_READINESS: u8 = 10;

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
    // The demo card's secrets: on 券面確認 the clerk types its face's numbers, elsewhere the
    // citizen its PINs — what the step needs goes last, the rest first.
    let on_face = matches!(v.flow.screen(), crate::flow::Screen::Face(_));
    let (pins, face) = if on_face {
        (NOT_NOW, AFTER_NAME)
    } else {
        (AFTER_NAME, NOT_NOW)
    };
    if let Some(d) = v.demo_secrets {
        let text = i18n::demo_secrets(l, &d.pin, d.password.as_deref(), &d.auth_pin);
        rest.push(part(pins, text, th.warn()));
    }
    // Records that prove no card may be stored: the clerk sees it all the time.
    if v.flow.config().allow_unauthenticated {
        rest.push(part(NEVER, msg(l, Msg::UnauthenticatedAllowed).to_string(), th.warn()));
    }
    // The demo card's 照合番号B parts, beside its PIN (the clerk types them on 券面確認).
    if let Some((year, code)) = v.demo_face {
        rest.push(part(face, i18n::demo_face(l, year, code), th.warn()));
    }
    if !v.sealed {
        rest.push(part(NEVER, msg(l, Msg::Unsealed).to_string(), th.error()));
    }
    rest
}

/// The kept parts' width as drawn: a gap before each but the first and the attached ones.
fn width(parts: &[Part], keep: &[bool]) -> usize {
    parts
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .enumerate()
        .map(|(i, (p, _))| str_width(&p.span.content) + if i > 0 && !p.attached { GAP.len() } else { 0 })
        .sum()
}

/// Which parts stay, and whether the reader's name does (at its least, `NAME_MIN`), in `room`
/// columns: given up by [`readiness`] until the line fits, then taken back, the most needed
/// first, where they fit after all. A part attached to the one before stays only with it.
fn choose(parts: &[Part], name: bool, room: usize) -> (Vec<bool>, bool) {
    let mut keep = vec![true; parts.len()];
    let mut keep_name = name;
    let need = |keep: &[bool], name: bool| width(parts, keep) + if name { NAME_MIN + 2 } else { 0 };
    // None: the name.
    let mut order: Vec<(u8, Option<usize>)> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| (readiness(p.rank), Some(i)))
        .filter(|(r, _)| *r > 0)
        .collect();
    if name {
        order.push((NAME_READINESS, None));
    }
    order.sort_by_key(|&(r, i)| std::cmp::Reverse((r, i)));
    let mut given_up = Vec::new();
    for &(_, which) in &order {
        if need(&keep, keep_name) <= room {
            break;
        }
        match which {
            Some(i) => keep[i] = false,
            None => keep_name = false,
        }
        given_up.push(which);
    }
    let attached_alone = |keep: &[bool]| (1..parts.len()).any(|i| keep[i] && parts[i].attached && !keep[i - 1]);
    for which in given_up.into_iter().rev() {
        let (k, n) = (keep.clone(), keep_name);
        match which {
            Some(i) => keep[i] = true,
            None => keep_name = true,
        }
        if need(&keep, keep_name) > room || attached_alone(&keep) {
            (keep, keep_name) = (k, n);
        }
    }
    (keep, keep_name)
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
    let rest = parts(v);
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
    let named = reader.is_some() && !pcscd_down;
    let (keep, keep_name) = choose(&rest, named, total.saturating_sub(fixed));
    let room = total.saturating_sub(fixed + width(&rest, &keep) + 2);
    let name = reader
        .filter(|_| keep_name && room >= NAME_MIN)
        .map(|r| shorten(&r.name, room.min(NAME_MAX)));
    let mut spans = vec![Span::raw(" ")];
    if let Some(n) = name {
        spans.push(Span::styled(n, th.muted()));
        spans.push(Span::raw(": "));
    }
    let any = keep.iter().any(|k| *k);
    spans.extend(head);
    if any {
        spans.push(Span::styled(sep, th.muted()));
    }
    let mut first = true;
    for (p, _) in rest.into_iter().zip(keep).filter(|(_, k)| *k) {
        if !first && !p.attached {
            spans.push(Span::raw(GAP));
        }
        first = false;
        spans.push(p.span);
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(rank: u8, text: &str) -> Part<'static> {
        part(rank, text.to_string(), ratatui::style::Style::default())
    }

    /// Given up by readiness (the demo part the step does not need first of all, the one it
    /// does after the name), then taken back where it fits: the queue count returns beside the
    /// kept demo part, its attached age only with it; a warning never goes.
    #[test]
    fn parts_go_by_readiness_and_come_back_where_they_fit() {
        let parts = vec![
            p(1, "unsent 2"),
            Part {
                attached: true,
                ..p(4, " (oldest 10 min)")
            },
            p(NEVER, "CRL old"),
            p(AFTER_NAME, "demo: PIN 1234 / password ABC123"),
            p(NOT_NOW, "card face 2035 / 2285"),
        ];
        let all = vec![true; 5];
        assert_eq!(choose(&parts, true, width(&parts, &all) + NAME_MIN + 2), (all, true));
        // The demo part the step does not need goes first, before the queue count.
        let room = width(&parts, &[true, true, true, true, false]) + NAME_MIN + 2;
        assert_eq!(choose(&parts, true, room), (vec![true, true, true, true, false], true));
        // Room for the warning, the needed demo part, the name and the queue count.
        let room = width(&parts, &[true, false, true, true, false]) + NAME_MIN + 2;
        assert_eq!(choose(&parts, true, room), (vec![true, false, true, true, false], true));
        // Room for one of the name and the count: the name (the count goes first).
        let room = width(&parts, &[true, false, true, true, false]);
        assert_eq!(
            choose(&parts, true, room),
            (vec![false, false, true, true, false], true)
        );
        // Less: the needed demo part stays over the count.
        let room = width(&parts, &[false, false, true, true, false]);
        assert_eq!(
            choose(&parts, true, room),
            (vec![false, false, true, true, false], false)
        );
        // Nothing fits: the warning stays all the same.
        assert_eq!(choose(&parts, true, 3), (vec![false, false, true, false, false], false));
    }

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
