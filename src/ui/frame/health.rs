//! The reader's health under the diagnostics (the full view, or a roomy reader pane): a
//! sparkline of APDU round trips, and the session's troubles.

use crate::i18n::{self, msg, Msg};
use crate::ui::station::View;
use crate::ui::wrap::{str_width, truncate, wrap};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};
use ratatui::Frame;

pub fn draw(f: &mut Frame, v: &View, area: Rect) {
    let l = v.lang;
    let th = v.theme;
    let h = v.health;
    let data: Vec<u64> = h.round_trips.iter().map(|&u| u64::from(u)).collect();
    let long = i18n::health_title(l, h.round_trips.len(), h.round_trips.iter().copied().max().unwrap_or(0));
    // The title sits in the top border, between the corners: a side pane gets the short one.
    let title = if str_width(&long) + 4 <= area.width as usize {
        long
    } else {
        truncate(msg(l, Msg::HealthTitleShort), (area.width as usize).saturating_sub(4))
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(th.muted())
        .title(Span::styled(format!(" {title} "), th.accent()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let counts = i18n::health_counts(l, v.diag.card_removals, h.resends, h.transmit_errors);
    let mut lines = vec![Line::styled(truncate(&counts, inner.width as usize), th.text())];
    if h.placement_suspect {
        // Wrapped, not cut: the advice is the point of the hint.
        for part in wrap(msg(l, Msg::PlacementSuspect), inner.width as usize) {
            lines.push(Line::styled(part, th.warn()));
        }
    }
    let text_rows = lines.len() as u16;
    let spark_rows = inner.height.saturating_sub(text_rows);
    if spark_rows > 0 {
        f.render_widget(
            Sparkline::default().data(&data).style(th.accent()),
            Rect {
                height: spark_rows,
                ..inner
            },
        );
    }
    f.render_widget(
        Paragraph::new(lines),
        Rect {
            y: inner.y + spark_rows,
            height: inner.height - spark_rows,
            ..inner
        },
    );
}
