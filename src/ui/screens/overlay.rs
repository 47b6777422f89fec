//! What every box drawn over the step needs first: its area cleared, and the wide character
//! its left edge cuts in half cleared too. A terminal draws a full-width character over two
//! cells; ratatui's diff skips the cell after one, so a border drawn on that second cell was
//! never sent (the quit question lost its `┌`, left `│` and padding over Japanese text).

use ratatui::layout::Rect;
use ratatui::widgets::Clear;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// Clears `at` for an overlay, and the left half of any wide character it cuts.
pub fn clear(f: &mut Frame, at: Rect) {
    f.render_widget(Clear, at);
    let buf = f.buffer_mut();
    if at.x <= buf.area.x {
        return;
    }
    for y in at.top()..at.bottom().min(buf.area.bottom()) {
        let cell = &mut buf[(at.x - 1, y)];
        if cell.symbol().width() > 1 {
            cell.set_symbol(" ");
        }
    }
}
