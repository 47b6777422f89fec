//! The waiting screens — reading the card, signing, storing, sending: what is happening, a
//! spinner, and the key that stops it.

use super::pane::{key_line, show, styled_lines};
use crate::flow::Action as F;
use crate::i18n::{msg, Msg};
use crate::ui::station::View;
use crate::ui::wrap::wrap;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

/// `m` says what the station is doing.
pub fn draw(f: &mut Frame, v: &View, area: Rect, m: Msg) {
    let iw = area.width.saturating_sub(2);
    let mut lines: Vec<Line> = vec![Line::raw("")];
    let text = format!(
        "{} {}",
        SPINNER[v.spinner % SPINNER.len()],
        msg(v.flow.citizen_lang(), m)
    );
    lines.extend(styled_lines(wrap(&text, iw as usize), v.theme.accent()));
    if let Some(k) = key_line(v, F::Cancel) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(k, v.theme.muted()));
    }
    show(f, v, area, lines);
}
