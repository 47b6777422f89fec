//! The status line, in the clerk's language: the reader and its card, the queue, and the
//! warnings the clerk must see (review, CRL, status socket, unsealed records, records that
//! prove no card allowed, the demo's PINs). A narrow line gives up the least needed items
//! first.

use crate::i18n::{self, msg, Msg};
use crate::reader::diagnostics::{CardState, Pcscd};
use crate::ui::station::View;
use crate::ui::wrap::{str_width, truncate};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The reader's name keeps at least this many columns, or goes.
const NAME_MIN: usize = 8;

/// What follows the reader, each with the rank at which a narrow line gives it up (0:
/// never): the warnings and the demo's PIN and password stay, the queue's age goes first.
fn items<'a>(v: &View) -> Vec<(u8, Span<'a>)> {
    let l = v.lang;
    let th = v.theme;
    let q = v.queue;
    let queue_style = if q.pending > 0 { th.warn() } else { th.muted() };
    let mut rest: Vec<(u8, Span)> = vec![(1, Span::styled(i18n::queue_count(l, q.pending), queue_style))];
    if let Some(secs) = q.oldest_age_secs {
        rest.push((4, Span::styled(i18n::oldest_minutes(l, secs / 60), queue_style)));
    }
    if q.review > 0 {
        let text = format!("  {}", i18n::review_count(l, q.review));
        rest.push((0, Span::styled(text, th.error())));
    }
    if let Some(c) = v.crl {
        let text = format!("  {}", i18n::crl_age(l, c.age_secs / 3600, c.fresh));
        rest.push((3, Span::styled(text, if c.fresh { th.muted() } else { th.warn() })));
    }
    if v.status_socket_error.is_some() {
        rest.push((
            2,
            Span::styled(format!("  {}", msg(l, Msg::StatusSocketShort)), th.warn()),
        ));
    }
    if let Some(d) = v.demo_secrets {
        let text = i18n::demo_secrets(l, &d.pin, d.password.as_deref(), &d.auth_pin);
        rest.push((0, Span::styled(format!("  {text}"), th.warn())));
    }
    // Records that prove no card may be stored: the clerk sees it all the time.
    if v.flow.config().allow_unauthenticated {
        rest.push((
            0,
            Span::styled(format!("  {}", msg(l, Msg::UnauthenticatedAllowed)), th.warn()),
        ));
    }
    if !v.sealed {
        rest.push((0, Span::styled(format!("  {}", msg(l, Msg::Unsealed)), th.error())));
    }
    rest
}

pub fn draw(f: &mut Frame, v: &View, area: Rect) {
    let l = v.lang;
    let th = v.theme;
    let mut rest = items(v);
    // The reader: its name (cut to what is left), its card state; or pcscd down.
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
    let width = |spans: &[(u8, Span)]| spans.iter().map(|(_, s)| str_width(&s.content)).sum::<usize>();
    let fixed = 1 + head.iter().map(|s| str_width(&s.content)).sum::<usize>() + str_width(sep);
    for rank in (1..=4).rev() {
        if fixed + NAME_MIN + 2 + width(&rest) <= area.width as usize {
            break;
        }
        rest.retain(|(r, _)| *r < rank);
    }
    let mut spans = vec![Span::raw(" ")];
    if let (Some(r), false) = (reader, pcscd_down) {
        let room = (area.width as usize).saturating_sub(fixed + width(&rest) + 2);
        if room >= NAME_MIN {
            spans.push(Span::styled(truncate(&r.name, room.min(28)), th.muted()));
            spans.push(Span::raw(": "));
        }
    }
    spans.extend(head);
    spans.push(Span::styled(sep, th.muted()));
    spans.extend(rest.into_iter().map(|(_, s)| s));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
