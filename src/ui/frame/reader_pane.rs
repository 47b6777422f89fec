//! The reader pane beside the step (from 110 columns): the compact diagnostics and, when the
//! pane is tall enough, the reader's health under them.

use super::health;
use crate::ui::diagnostics_pane::{DiagnosticsPane, Form};
use crate::ui::station::View;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

pub fn draw(f: &mut Frame, v: &View, side: Rect) {
    let (pane, health) = if side.height >= 20 {
        let parts = Layout::vertical([Constraint::Min(10), Constraint::Length(6)]).split(side);
        (parts[0], Some(parts[1]))
    } else {
        (side, None)
    };
    f.render_widget(
        DiagnosticsPane {
            model: v.diag,
            theme: v.theme,
            lang: v.lang,
            form: Form::Compact,
            selected: v.reader,
            socket_error: v.status_socket_error,
        },
        pane,
    );
    if let Some(h) = health {
        health::draw(f, v, h);
    }
}
