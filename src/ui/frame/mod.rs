//! The frame around the step: where each part goes (`Areas`), the title and progress bar,
//! the status line, the help line, and the reader pane with its health. The step itself is
//! drawn by `ui/screens/`.

pub mod health;
pub mod help;
pub mod progress;
pub mod reader_pane;
pub mod status;

use super::station::SIDE_PANE_WIDTH;
use ratatui::layout::{Constraint, Layout, Rect};

/// The reader pane's width, when the terminal has room for it.
const SIDE_PANE: u16 = 34;

/// Where the frame's parts go on a terminal of at least 80x24.
pub struct Areas {
    pub title: Rect,
    pub progress: Rect,
    /// Between the progress bar and the status line: the step and the reader pane, or what
    /// covers them both (the full diagnostics).
    pub body: Rect,
    pub main: Rect,
    pub side: Option<Rect>,
    pub status: Rect,
    pub help: Rect,
}

impl Areas {
    pub fn of(area: Rect) -> Areas {
        let rows = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(8),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .split(area);
        let (main, side) = if area.width >= SIDE_PANE_WIDTH {
            let cols = Layout::horizontal([Constraint::Min(40), Constraint::Length(SIDE_PANE)]).split(rows[2]);
            (cols[0], Some(cols[1]))
        } else {
            (rows[2], None)
        };
        Areas {
            title: rows[0],
            progress: rows[1],
            body: rows[2],
            main,
            side,
            status: rows[3],
            help: rows[4],
        }
    }
}

/// The step pane's inner area for a terminal of `w`x`h` (what the consent text wraps to).
pub fn main_inner(w: u16, h: u16) -> (u16, u16) {
    let main_w = if w >= SIDE_PANE_WIDTH { w - SIDE_PANE } else { w };
    (main_w.saturating_sub(2), h.saturating_sub(4).saturating_sub(2))
}
