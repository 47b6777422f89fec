//! 利用者証明: the 利用者証明用暗証番号 for the challenge of a citizen who does not sign — why
//! the card is asked to prove itself, that this is another PIN than the one typed before
//! (set by the 法定代理人 for a child), its rule and the tries left, one box per digit, the
//! last try's question, and what was wrong with the last entry. The boxes and the messages
//! are the PIN screen's.

use super::pane::{key_line, para, show, styled_lines};
use super::pin::{answer_lines, boxes};
use crate::flow::{Action as F, PinScreen};
use crate::i18n::{self, msg, Msg};
use crate::secret::PinKind;
use crate::ui::station::View;
use crate::ui::wrap::wrap;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

pub fn draw(f: &mut Frame, v: &View, area: Rect, p: &PinScreen) {
    let iw = area.width.saturating_sub(2);
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let mut lines: Vec<Line> = para(v, Msg::AuthPinWhy, iw, th.text()).collect();
    lines.extend(styled_lines(
        wrap(&i18n::enter_pin(l, PinKind::AuthPin), iw as usize),
        th.accent(),
    ));
    lines.extend(para(v, Msg::AuthPinOther, iw, th.warn()));
    lines.extend(para(v, Msg::PinRuleText, iw, th.muted()));
    lines.push(Line::raw(""));
    lines.push(match p.tries {
        None => Line::styled(msg(l, Msg::CheckingTries), th.muted()),
        Some(n) => Line::styled(i18n::tries_short(l, n), if n <= 1 { th.warn() } else { th.text() }),
    });
    lines.push(boxes(v, p));
    lines.push(Line::styled(key_line(v, F::Reveal).unwrap_or_default(), th.muted()));
    answer_lines(v, p, iw, &mut lines);
    show(f, v, area, lines);
}
