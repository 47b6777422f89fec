//! 連絡先: the e-mail address typed (twice), what is wrong with it, the carrier-mail warning,
//! and the key that skips the step where it is optional.

use super::pane::{key_line, para, show};
use crate::card::basic4::PersonalText;
use crate::flow::contact::{carrier_legacy, ContactInput, EmailError};
use crate::flow::Action as F;
use crate::i18n::{self, Msg};
use crate::ui::station::View;
use crate::ui::wrap::wrap;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

pub fn draw(
    f: &mut Frame,
    v: &View,
    area: Rect,
    input: &ContactInput,
    first: Option<&PersonalText>,
    error: Option<EmailError>,
) {
    let iw = area.width.saturating_sub(2);
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let heading = if first.is_some() {
        Msg::EmailAgain
    } else {
        Msg::ContactHeading
    };
    let mut lines: Vec<Line> = para(v, heading, iw, th.accent()).collect();
    lines.extend(para(v, Msg::ContactNote, iw, th.muted()));
    if v.flow.config().email_optional {
        lines.extend(para(v, Msg::ContactOptional, iw, th.text()));
        lines.extend(key_line(v, F::Skip).map(|k| Line::styled(k, th.highlight())));
    }
    let warning = i18n::email_carrier_warning(l, v.flow.config().email_sender_domain.as_deref());
    lines.extend(
        wrap(&warning, iw as usize)
            .into_iter()
            .map(|w| Line::styled(w, th.warn())),
    );
    lines.push(Line::raw(""));
    let shown = format!("{}_", input.as_str());
    for part in wrap(&shown, iw.saturating_sub(2) as usize) {
        lines.push(Line::from(vec![Span::raw("  "), Span::styled(part, th.accent())]));
    }
    lines.push(Line::raw(""));
    if first.is_some_and(|f| carrier_legacy(f.as_str())) || carrier_legacy(input.as_str()) {
        lines.extend(para(v, Msg::EmailLegacy, iw, th.warn()));
    }
    if let Some(e) = error {
        let m = match e {
            EmailError::Empty => Msg::EmailEmpty,
            EmailError::At => Msg::EmailAt,
            EmailError::Local => Msg::EmailLocal,
            EmailError::Domain => Msg::EmailDomain,
            EmailError::TooLong => Msg::EmailTooLong,
            EmailError::Mismatch => Msg::EmailMismatch,
            EmailError::Character => Msg::EmailCharacter,
        };
        lines.extend(para(v, m, iw, th.error()));
    }
    show(f, v, area, lines);
}
