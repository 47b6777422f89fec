//! The quit question over the step (Ctrl-C during an enrollment): in the citizen's language
//! (they may have pressed it), and the clerk's when it differs; its keys from the table. And,
//! quitting while a record is being saved, the box that says the station waits for it.

use super::pane::styled_lines;
use crate::i18n::{self, msg, Msg};
use crate::ui::keys;
use crate::ui::station::View;
use crate::ui::wrap::{truncate, wrap};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// Quitting while a record is being saved: the station waits for it, and says so (in the
/// citizen's language and the clerk's).
pub fn draw_saving(f: &mut Frame, v: &View, area: Rect) {
    let width = area.width.saturating_sub(8).min(60);
    let iw = width.saturating_sub(2) as usize;
    let citizen = v.flow.citizen_lang();
    let mut lines: Vec<Line> = Vec::new();
    for l in [citizen, v.lang]
        .into_iter()
        .take(if citizen == v.lang { 1 } else { 2 })
    {
        lines.extend(styled_lines(wrap(msg(l, Msg::QuitSaving), iw), v.theme.warn()));
    }
    boxed(f, v, area, width, lines);
}

/// `lines` in a box `width` wide, centred over `area`, over what is under it.
fn boxed(f: &mut Frame, v: &View, area: Rect, width: u16, lines: Vec<Line>) {
    let height = (lines.len() as u16 + 2).min(area.height);
    let at = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height,
    };
    super::overlay::clear(f, at);
    let frame = Block::default().borders(Borders::ALL).border_style(v.theme.warn());
    f.render_widget(Paragraph::new(lines).block(frame), at);
}

/// Drawn centred over `area` (the step pane).
pub fn draw(f: &mut Frame, v: &View, area: Rect) {
    let width = area.width.saturating_sub(8).min(60);
    let iw = width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let citizen = v.flow.citizen_lang();
    for l in [citizen, v.lang]
        .into_iter()
        .take(if citizen == v.lang { 1 } else { 2 })
    {
        lines.extend(styled_lines(wrap(msg(l, Msg::QuitQuestion), iw), v.theme.warn()));
    }
    lines.push(Line::raw(""));
    let row = keys::hints(keys::Facets::QUIT, |_| true)
        .into_iter()
        .map(|h| i18n::key_hint(citizen, &h.keys, h.word))
        .collect::<Vec<_>>()
        .join("   ");
    lines.push(Line::styled(truncate(&row, iw), v.theme.highlight()));
    boxed(f, v, area, width, lines);
}
