//! 法定代理人: the clerk says who applied for the holder, each kind on its function key.

use super::pane::{para, show};
use crate::flow::Action as F;
use crate::i18n::{self, Msg};
use crate::record::payload::Representative;
use crate::ui::keys::{self, Action, Overlay};
use crate::ui::station::View;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

pub fn draw(f: &mut Frame, v: &View, area: Rect, choice: Option<Representative>) {
    let iw = area.width.saturating_sub(2);
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let mut lines: Vec<Line> = para(v, Msg::RepresentativeHeading, iw, th.accent()).collect();
    lines.extend(para(v, Msg::RepresentativeNote, iw, th.text()));
    lines.push(Line::raw(""));
    let facets = keys::facets(v.flow, Overlay::None);
    for (m, r) in [
        (Msg::RepresentativeParent, Representative::Parent),
        (Msg::RepresentativeGuardian, Representative::Guardian),
        (Msg::RepresentativeOther, Representative::Other),
    ] {
        let on = choice == Some(r);
        let key = keys::keys_for(facets, Action::Flow(F::Representative(r))).unwrap_or_default();
        let text = format!("{} {}", if on { "(●)" } else { "( )" }, i18n::key_hint(l, &key, m));
        lines.push(Line::styled(text, if on { th.highlight() } else { th.text() }));
    }
    lines.push(Line::raw(""));
    lines.extend(para(v, Msg::RepresentativeChoose, iw, th.muted()));
    show(f, v, area, lines);
}
