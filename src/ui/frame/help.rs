//! The help line, in the clerk's language: the keys of what is on view, from the key table
//! (`ui/keys/`), the step's (or the overlay's) first, then the station's.

use crate::i18n::msg;
use crate::ui::keys::{self, Action, Facets};
use crate::ui::station::View;
use crate::ui::wrap::str_width;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// How readily a narrow help line gives up a key (0: never), as a first-day clerk needs them:
/// the step's own keys stay (Enter, Esc, the answers), and in the demo F8 on the card step
/// (it is how the demo's card is placed); then the clerk's keys (法定代理人), F4's
/// diagnostics, the arrows over choices drawn on screen, F8 elsewhere; keys the pane names
/// itself (Tab/F2 in the PIN box, the skip key) and shortcuts to buttons drawn (R) go before
/// those; the clerk's language and the next reader first of all.
fn weight(a: Action, facets: Facets) -> u8 {
    use crate::flow::Action as A;
    match a {
        Action::Quit => 0,
        Action::Flow(A::Submit | A::Cancel | A::Decline | A::Yes | A::No) | Action::Close | Action::QuitNow => 1,
        // The clerk's keys of the card face (issue #24): the photo's verdict, the calendar,
        // and going on without it (no pane names that key).
        Action::Flow(A::PhotoMatches | A::PhotoDiffers | A::SwitchCalendar) => 1,
        Action::Flow(A::Skip) if facets.meets(FACE_STEP) => 2,
        Action::DemoCard if facets.meets(Facets::CARD) => 1,
        Action::Flow(A::AskRepresentative | A::Representative(_)) => 2,
        Action::Diagnostics => 3,
        Action::Flow(A::Previous | A::Following | A::Scroll(_)) => 4,
        Action::DemoCard => 5,
        Action::Flow(_) => 6,
        Action::Language | Action::NextReader => EXTRA,
    }
}

/// The card-face step, whatever it shows.
const FACE_STEP: Facets = Facets::FACE_MASKED
    .or(Facets::FACE_SHOWN)
    .or(Facets::FACE_WAIT)
    .or(Facets::FACE_ASKED);

/// The weight of the station's extras, given up before the gaps between keys are narrowed.
const EXTRA: u8 = 7;

/// A narrow line drops the station's extras, closes the gaps, then drops keys by [`weight`]
/// and takes back those that fit after all; the way to quit always stays.
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
    let all = hints.clone();
    let mut gap = 2;
    while total(&hints, gap) > area.width as usize {
        let heaviest = hints.iter().map(|h| weight(h.action, facets)).max().unwrap_or(0);
        if gap == 2 && heaviest < EXTRA {
            gap = 1;
            continue;
        }
        match hints
            .iter()
            .rposition(|h| weight(h.action, facets) == heaviest && heaviest > 0)
        {
            Some(i) => {
                hints.remove(i);
            }
            None => break,
        }
    }
    // A key given up for a wider one that did not fit either comes back where there is room
    // (the most needed first), in its place in the table's order.
    let mut dropped: Vec<&keys::Hint> = all.iter().filter(|h| !hints.contains(h)).collect();
    dropped.sort_by_key(|h| weight(h.action, facets));
    for h in dropped {
        let with: Vec<keys::Hint> = all.iter().filter(|x| hints.contains(x) || *x == h).cloned().collect();
        if total(&with, gap) <= area.width as usize {
            hints = with;
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
