//! The help line, in the clerk's language: the keys of what is on view, from the key table
//! (`ui/keys.rs`), the step's (or the overlay's) first, then the station's.

use crate::i18n::msg;
use crate::ui::keys::{self, Action};
use crate::ui::station::View;
use crate::ui::wrap::str_width;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// How readily a narrow help line gives up a key (0: never): the station's extras first,
/// then shortcuts, then the step's own keys; Enter and Esc and the way to quit stay.
fn weight(a: Action) -> u8 {
    use crate::flow::Action as A;
    match a {
        Action::Quit => 0,
        Action::Flow(A::Submit | A::Cancel | A::Decline | A::Yes | A::No) | Action::Close | Action::QuitNow => 1,
        // The clerk's keys of the card face (issue #24): the photo's verdict, the calendar.
        Action::Flow(A::PhotoMatches | A::PhotoDiffers | A::SwitchCalendar) => 1,
        Action::Flow(A::AskRepresentative | A::Representative(_) | A::Skip | A::Reveal) => 2,
        Action::Flow(A::Previous | A::Following | A::Scroll(_)) => 3,
        Action::Flow(_) => 4,
        Action::Diagnostics => 5,
        Action::Language | Action::NextReader | Action::DemoCard => 6,
    }
}

/// A narrow line drops the station's extras, closes the gaps, then drops keys by [`weight`];
/// the way to quit always stays.
pub fn draw(f: &mut Frame, v: &View, area: Rect) {
    let l = v.lang;
    let th = v.theme;
    let facets = keys::facets(v.flow, v.overlay);
    let demo = v.demo_secrets.is_some();
    let mut hints = keys::hints(facets, |a| match a {
        Action::NextReader => v.diag.readers.len() > 1,
        Action::DemoCard => demo,
        _ => true,
    });
    let item = |h: &keys::Hint| str_width(&h.keys) + 1 + str_width(msg(l, h.word));
    let total = |h: &[keys::Hint], gap: usize| 1 + h.iter().map(item).sum::<usize>() + gap * h.len().saturating_sub(1);
    let mut gap = 2;
    while total(&hints, gap) > area.width as usize {
        let heaviest = hints.iter().map(|h| weight(h.action)).max().unwrap_or(0);
        if gap == 2 && heaviest < 6 {
            gap = 1;
            continue;
        }
        match hints.iter().rposition(|h| weight(h.action) == heaviest && heaviest > 0) {
            Some(i) => {
                hints.remove(i);
            }
            None => break,
        }
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, h) in hints.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" ".repeat(gap)));
        }
        spans.push(Span::styled(h.keys.clone(), th.accent()));
        spans.push(Span::styled(format!(" {}", msg(l, h.word)), th.muted()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
