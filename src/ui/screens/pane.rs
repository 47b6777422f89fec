//! What every step pane shares: its box titled with the step's name, the idle-wipe countdown
//! above its lines, styled wrapped lines, a notice, and the keys it names beside its lines.

use crate::flow::{Action as F, Notice};
use crate::i18n::{self, msg, Msg};
use crate::lang::Lang;
use crate::ui::frame::progress::step_name;
use crate::ui::keys::{self, Action, Overlay};
use crate::ui::station::View;
use crate::ui::wrap::wrap;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// The step pane's box, titled with the step's name in the citizen's language.
pub fn block(v: &View) -> Block<'static> {
    let title = step_name(v.flow.citizen_lang(), v.flow.step());
    Block::default()
        .borders(Borders::ALL)
        .border_style(v.theme.muted())
        .title(Span::styled(format!(" {title} "), v.theme.accent()))
}

/// Draws a screen's lines in the step's box, under the idle-wipe countdown while one runs.
pub fn show(f: &mut Frame, v: &View, area: Rect, mut lines: Vec<Line<'_>>) {
    if let Some(secs) = v.flow.idle_warning() {
        let iw = area.width.saturating_sub(2) as usize;
        let text = i18n::idle_warning(v.flow.citizen_lang(), secs);
        let mut warned = styled_lines(wrap(&text, iw), v.theme.error()).collect::<Vec<_>>();
        warned.push(Line::raw(""));
        warned.append(&mut lines);
        lines = warned;
    }
    f.render_widget(Paragraph::new(lines).block(block(v)), area);
}

pub fn styled_lines<'a>(lines: Vec<String>, style: Style) -> impl Iterator<Item = Line<'a>> {
    lines.into_iter().map(move |l| Line::styled(l, style))
}

/// `m` in the citizen's language, wrapped to `iw` columns, in `style`.
pub fn para<'a>(v: &View, m: Msg, iw: u16, style: Style) -> impl Iterator<Item = Line<'a>> {
    styled_lines(wrap(msg(v.flow.citizen_lang(), m), iw as usize), style)
}

/// Why the citizen is back at the start (or the card step), wrapped.
pub fn notice_lines(lang: Lang, notice: &Option<Notice>, width: u16) -> Vec<String> {
    let m = match notice {
        None => return Vec::new(),
        Some(Notice::CardRemoved) => Msg::NoticeCardRemoved,
        Some(Notice::TimedOut) => Msg::NoticeTimedOut,
        Some(Notice::Cancelled) => Msg::NoticeCancelled,
        Some(Notice::QueueFull) => Msg::NoticeQueueFull,
        Some(Notice::Declined) => Msg::NoticeDeclined,
    };
    wrap(msg(lang, m), width as usize)
}

/// The keys of `action` on the step on view and their word, in the citizen's language, as the
/// panes name them beside their own lines ("Enter: 同意して次へ"), from the key table.
pub fn key_line(v: &View, action: F) -> Option<String> {
    let facets = keys::facets(v.flow, Overlay::None);
    keys::hint_for(facets, Action::Flow(action)).map(|(k, m)| i18n::key_hint(v.flow.citizen_lang(), &k, m))
}
