//! F4's full diagnostics, over the step and the reader pane: every reader's facts, and the
//! reader's health under them.

use crate::ui::diagnostics_pane::{DiagnosticsPane, Form};
use crate::ui::frame::health;
use crate::ui::station::View;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

/// Drawn over `body`, the rows between the progress bar and the status line.
pub fn draw(f: &mut Frame, v: &View, body: Rect) {
    let parts = Layout::vertical([Constraint::Min(8), Constraint::Length(6)]).split(body);
    f.render_widget(
        DiagnosticsPane {
            model: v.diag,
            theme: v.theme,
            lang: v.lang,
            form: Form::Full,
            selected: v.reader,
            socket_error: v.status_socket_error,
        },
        parts[0],
    );
    health::draw(f, v, parts[1]);
}
