//! カード: place the card, the seeds' placement tips, and after a removal the reader's own
//! account of what went wrong.

use super::pane::{notice_lines, para, show, styled_lines};
use crate::flow::Notice;
use crate::i18n::{self, Msg};
use crate::ui::station::View;
use crate::ui::wrap::{truncate, wrap};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

pub fn draw(f: &mut Frame, v: &View, area: Rect, notice: &Option<Notice>) {
    let iw = area.width.saturating_sub(2);
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let mut lines: Vec<Line> = vec![Line::raw("")];
    lines.extend(styled_lines(notice_lines(l, notice, iw), th.warn()));
    lines.push(Line::raw(""));
    lines.extend(para(v, Msg::PlaceCard, iw, th.accent()));
    lines.extend(para(v, Msg::KeepCardStill, iw, th.text()));
    lines.push(Line::raw(""));
    // The seeds' placement tips; after a removal they come with the reader's own account of
    // what went wrong.
    let tip_style = if notice.is_some() { th.warn() } else { th.muted() };
    for m in [Msg::CardTipCase, Msg::CardTipMetal, Msg::CardTipStill] {
        lines.extend(para(v, m, iw, tip_style));
    }
    lines.push(Line::raw(""));
    if let Some(r) = v.reader {
        lines.push(Line::styled(truncate(r, iw as usize), th.muted()));
        if notice.is_some() {
            if let Some(e) = &v.diag.last_error {
                lines.extend(styled_lines(wrap(&i18n::card_error(l, e), iw as usize), th.muted()));
            }
        }
    }
    show(f, v, area, lines);
}
