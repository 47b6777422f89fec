//! 暗証番号 and 署名: a PIN or the signing password — the request and its rule, the tries
//! left, one box per character (masked unless revealed), the last try's question, and what
//! was wrong with the last entry. On a card without a signing certificate, the first PIN
//! screen says what happens without one.

use super::pane::{key_line, para, show, styled_lines};
use crate::card::CardError;
use crate::flow::{Action as F, PinMessage, PinScreen, Signing};
use crate::i18n::{self, msg, Msg};
use crate::secret::PinKind;
use crate::ui::keys::{self, Action, Overlay};
use crate::ui::station::View;
use crate::ui::wrap::wrap;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// A typed character while hidden, and a box still to fill: two columns wide, as a kanji.
const MASKED: &str = "＊";
const EMPTY: &str = "＿";

pub fn draw(f: &mut Frame, v: &View, area: Rect, p: &PinScreen) {
    let iw = area.width.saturating_sub(2);
    let th = v.theme;
    let mut lines = request_lines(v, p, iw);
    lines.push(boxes(v, p));
    lines.push(Line::styled(key_line(v, F::Reveal).unwrap_or_default(), th.muted()));
    lines.push(Line::raw(""));
    answer_lines(v, p, iw, &mut lines);
    lines.extend(styled_lines(no_certificate_note(v, p.kind, iw), th.warn()));
    show(f, v, area, lines);
}

/// Under the boxes: the last try's question with its answers, or what the field says.
pub(super) fn answer_lines(v: &View, p: &PinScreen, iw: u16, lines: &mut Vec<Line>) {
    let th = v.theme;
    if p.confirming_last {
        lines.extend(para(v, Msg::ConfirmLastTry, iw, th.error()));
        let answers: Vec<String> = [F::Yes, F::No].into_iter().filter_map(|a| key_line(v, a)).collect();
        lines.push(Line::styled(answers.join("   "), th.highlight()));
    } else if let Some((text, style)) = message(v, p) {
        lines.extend(styled_lines(wrap(&text, iw as usize), style));
    }
}

/// What to type, its rule, and the tries left (once the card said).
fn request_lines<'a>(v: &View, p: &PinScreen, iw: u16) -> Vec<Line<'a>> {
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let mut lines: Vec<Line> = styled_lines(wrap(&i18n::enter_pin(l, p.kind), iw as usize), th.accent()).collect();
    let rule = if p.kind == PinKind::TextPin {
        Msg::PinRuleText
    } else {
        Msg::PinRuleSign
    };
    lines.extend(para(v, rule, iw, th.muted()));
    lines.push(Line::raw(""));
    match p.tries {
        None => lines.push(Line::styled(msg(l, Msg::CheckingTries), th.muted())),
        Some(n) => {
            let text = i18n::tries_short(l, n);
            lines.push(Line::styled(text, if n <= 1 { th.warn() } else { th.text() }));
        }
    }
    lines.push(Line::raw(""));
    lines
}

/// One box per character; the 4-digit PIN shows its four boxes up front. Masked boxes come
/// from the length alone. Revealed characters are borrowed from the zeroizing input (ASCII,
/// one byte each): no copy of the PIN is made to draw it.
pub(super) fn boxes<'a>(v: &View, p: &'a PinScreen) -> Line<'a> {
    let th = v.theme;
    let (_, max) = p.kind.length_range();
    let slots = if p.kind == PinKind::TextPin {
        max
    } else {
        p.input.len().max(6).min(max)
    };
    let typed = p.input.revealed();
    let mut spans = vec![Span::raw("  ")];
    for i in 0..slots {
        let cell: Span<'a> = match typed.get(i..i + 1) {
            Some(ch) if p.reveal => Span::styled(ch, th.accent()),
            Some(_) => Span::styled(MASKED, th.accent()),
            None => Span::styled(EMPTY, th.accent()),
        };
        let wide = cell.content != typed.get(i..i + 1).unwrap_or("");
        spans.push(cell);
        spans.push(Span::styled(if wide { " " } else { "  " }, th.accent()));
    }
    Line::from(spans)
}

/// What was wrong with the last entry, or what the key pressed could not do.
pub(super) fn message(v: &View, p: &PinScreen) -> Option<(String, Style)> {
    let l = v.flow.citizen_lang();
    let th = v.theme;
    Some(match p.message.as_ref()? {
        PinMessage::Wrong(n) => {
            let e = CardError::WrongPin {
                kind: p.kind,
                tries_left: *n,
            };
            (i18n::card_error(l, &e), th.error())
        }
        PinMessage::Format(e) => (i18n::pin_format(l, p.kind, e), th.error()),
        PinMessage::CharNotAllowed => (msg(l, Msg::CharNotAllowed).to_string(), th.warn()),
        PinMessage::Full => (i18n::pin_full(l, p.kind), th.warn()),
        PinMessage::LastTryWarning => (i18n::last_try_warning(l, p.kind), th.warn()),
        PinMessage::WaitForTries => {
            let facets = keys::facets(v.flow, Overlay::None);
            let enter = keys::keys_for(facets, Action::Flow(F::Submit)).unwrap_or_default();
            (i18n::pin_wait_for_tries(l, &enter), th.warn())
        }
    })
}

/// On the first PIN screen of a card without a signing certificate: what happens without one,
/// said before the PIN is typed.
fn no_certificate_note(v: &View, kind: PinKind, iw: u16) -> Vec<String> {
    let cfg = v.flow.config();
    let missing = v.flow.card_facts().is_some_and(|f| f.signing == Signing::Missing);
    if kind != PinKind::TextPin || !missing || !cfg.signature {
        return Vec::new();
    }
    let l = v.flow.citizen_lang();
    let text = match (cfg.allow_unsigned_minors, cfg.allow_unsigned_adults) {
        (true, true) => msg(l, Msg::NoCertificateNoteUnsigned).to_string(),
        (true, false) => msg(l, Msg::NoCertificateNoteMinors).to_string(),
        _ => i18n::card_error(l, &CardError::NoSigningCertificate),
    };
    let mut out = vec![String::new()];
    out.extend(wrap(&text, iw as usize));
    out
}
