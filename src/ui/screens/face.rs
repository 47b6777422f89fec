//! 券面確認, the clerk's step (issue #24): what to type from the card face (the expiry year
//! and the security code), which calendar the birth date is used in, the tries left of
//! 照合番号B, one box per digit (masked unless revealed), the last try's question, a locked
//! number's advice, and whether this terminal can show the photo at all. In the clerk's
//! language: the clerk types here, not the citizen.

use super::pane::{show, styled_lines};
use crate::card::face::PrintedYear;
use crate::flow::{Action as F, FaceFormatError, FaceInput, FaceMessage, FaceScreen};
use crate::i18n::{self, msg, Msg};
use crate::picture::Method;
use crate::ui::keys::{self, Action, Overlay};
use crate::ui::station::View;
use crate::ui::wrap::wrap;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

pub fn draw(f: &mut Frame, v: &View, area: Rect, s: &FaceScreen) {
    let iw = area.width.saturating_sub(2) as usize;
    let l = v.lang;
    let th = v.theme;
    let mut lines: Vec<Line> = Vec::new();
    let para = |m: Msg, style| styled_lines(wrap(msg(l, m), iw), style);
    lines.extend(para(Msg::FaceHeading, th.accent()));
    lines.extend(para(Msg::FaceRequest, th.muted()));
    let birth = match s.year {
        PrintedYear::Wareki => Msg::FaceBirthWareki,
        PrintedYear::Seireki => Msg::FaceBirthSeireki,
    };
    lines.extend(para(birth, th.text()));
    lines.push(Line::raw(""));
    if s.locked {
        lines.extend(para(Msg::FaceLocked, th.error()));
    } else {
        match s.tries {
            None => lines.push(Line::styled(msg(l, Msg::CheckingTries), th.muted())),
            Some(n) => lines.push(Line::styled(
                i18n::tries_short(l, n),
                if n <= 1 { th.warn() } else { th.text() },
            )),
        }
        lines.push(Line::raw(""));
        lines.push(boxes(v, &s.input, s.reveal));
        if let Some(k) = clerk_key(v, F::Reveal) {
            lines.push(Line::styled(k, th.muted()));
        }
        lines.push(Line::raw(""));
        if s.busy && s.tries.is_some() {
            let text = format!("{} {}", SPINNER[v.spinner % SPINNER.len()], msg(l, Msg::FaceReading));
            lines.extend(styled_lines(wrap(&text, iw), th.accent()));
        } else if s.confirming_last {
            lines.extend(para(Msg::ConfirmLastTry, th.error()));
            let answers: Vec<String> = [F::Yes, F::No].into_iter().filter_map(|a| clerk_key(v, a)).collect();
            lines.push(Line::styled(answers.join("   "), th.highlight()));
        } else if let Some(m) = s.message {
            let (text, style) = message(v, m);
            lines.extend(styled_lines(wrap(&text, iw), style));
        }
    }
    // Said before a try is spent: what this terminal will show of the photo.
    let note = match v.graphics {
        _ if s.locked => None,
        Method::Nothing => Some(Msg::FaceNoPictures),
        Method::HalfBlocks(_) => Some(Msg::FaceHalfBlocks),
        _ => None,
    };
    if let Some(m) = note {
        lines.push(Line::raw(""));
        lines.extend(para(m, th.warn()));
    }
    show(f, v, area, lines);
}

/// The keys of `action` on this step and their word, in the clerk's language.
fn clerk_key(v: &View, action: F) -> Option<String> {
    let facets = keys::facets(v.flow, Overlay::None);
    keys::hint_for(facets, Action::Flow(action)).map(|(k, m)| i18n::key_hint(v.lang, &k, m))
}

/// Two labelled groups of four boxes: the expiry year, then the security code. Masked boxes
/// come from the length alone; revealed digits are borrowed from the zeroizing input.
fn boxes<'a>(v: &View, input: &'a FaceInput, reveal: bool) -> Line<'a> {
    let th = v.theme;
    let typed = input.revealed();
    let mut spans = vec![Span::raw("  ")];
    for (group, label) in [(0..4, Msg::FaceLabelYear), (4..8, Msg::FaceLabelCode)] {
        if group.start > 0 {
            spans.push(Span::raw("   "));
        }
        spans.push(Span::styled(format!("{} ", msg(v.lang, label)), th.muted()));
        for i in group {
            let cell: Span<'a> = match typed.get(i..i + 1) {
                Some(d) if reveal => Span::styled(d, th.accent()),
                Some(_) => Span::styled("＊", th.accent()),
                None => Span::styled("＿", th.accent()),
            };
            let narrow = reveal && typed.get(i..i + 1).is_some();
            spans.push(cell);
            spans.push(Span::raw(if narrow { "  " } else { " " }));
        }
    }
    Line::from(spans)
}

fn message(v: &View, m: FaceMessage) -> (String, ratatui::style::Style) {
    let l = v.lang;
    let th = v.theme;
    let fixed = |m: Msg| msg(l, m).to_string();
    match m {
        FaceMessage::Format(FaceFormatError::Length) => (fixed(Msg::FaceFormatLength), th.error()),
        FaceMessage::Format(FaceFormatError::Year) => (fixed(Msg::FaceFormatYear), th.error()),
        FaceMessage::Wrong(n) => (i18n::face_wrong(l, n), th.error()),
        FaceMessage::WaitForTries => {
            let facets = keys::facets(v.flow, Overlay::None);
            let enter = keys::keys_for(facets, Action::Flow(F::Submit)).unwrap_or_default();
            (i18n::pin_wait_for_tries(l, &enter), th.warn())
        }
        FaceMessage::LastTryWarning => (fixed(Msg::FaceLastTry), th.warn()),
        FaceMessage::CharNotAllowed => (fixed(Msg::CharNotAllowed), th.warn()),
        FaceMessage::Full => (fixed(Msg::FaceFull), th.warn()),
        FaceMessage::BirthUnprintable => (fixed(Msg::FaceBirthUnprintable), th.error()),
    }
}
