//! 同意: the language picker, the terms (or the privacy notice) a page at a time, and the
//! offer to agree once the end was on screen.

use super::pane::{key_line, notice_lines, show, styled_lines};
use crate::flow::{Action as F, Doc, Notice};
use crate::i18n::{self, msg, Msg};
use crate::lang::Lang;
use crate::ui::frame::main_inner;
use crate::ui::station::View;
use crate::ui::wrap::{truncate, wrap};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// (total, visible) lines of the consent text at this size: the app tells the flow, which
/// allows "agree" only once the end was on screen.
/// `lang` is the citizen's.
pub fn consent_layout(w: u16, h: u16, lang: Lang, terms: &str, notice: &Option<Notice>) -> (u16, u16) {
    consent_layout_for(w, h, lang, terms, None, notice)
}

/// [`consent_layout`] when the citizen's language may lack the text (`missing`: Some((doc,
/// shown)) when it has no `doc` of its own, and the text in `shown` — Japanese, unless the
/// station has only another — is shown below a line that says so).
pub fn consent_layout_for(
    w: u16,
    h: u16,
    lang: Lang,
    terms: &str,
    missing: Option<(Doc, Lang)>,
    notice: &Option<Notice>,
) -> (u16, u16) {
    let (iw, ih) = main_inner(w, h);
    let total = wrap(terms, iw as usize).len() as u16;
    let missing = missing.map_or(0, |(doc, shown)| missing_lines(lang, doc, shown, iw).len() as u16);
    // Language picker + heading + hint.
    let reserved = 3 + missing + notice_lines(lang, notice, iw).len() as u16;
    (total, ih.saturating_sub(reserved).max(1))
}

/// The line saying the citizen's language has no `doc` of its own, and which is shown.
fn missing_lines(lang: Lang, doc: Doc, shown: Lang, width: u16) -> Vec<String> {
    let text = match doc {
        Doc::Terms => i18n::terms_missing(lang, shown),
        Doc::Privacy => i18n::privacy_missing(lang, shown),
    };
    wrap(&text, width as usize)
}

/// The language picker: every language in its own script, the citizen's highlighted.
fn picker_line<'a>(v: &View, l: Lang) -> Line<'a> {
    let th = v.theme;
    let mut spans = vec![Span::styled("← ", th.muted())];
    for (i, lang) in Lang::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        if *lang == l {
            spans.push(Span::styled(format!("[{}]", lang.native_name()), th.highlight()));
        } else {
            spans.push(Span::styled(lang.native_name(), th.text()));
        }
    }
    spans.push(Span::styled(" →", th.muted()));
    Line::from(spans)
}

/// The page of `doc` from line `scroll`.
pub fn draw(f: &mut Frame, v: &View, area: Rect, doc: Doc, scroll: u16, reached_end: bool, notice: &Option<Notice>) {
    let iw = area.width.saturating_sub(2);
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let mut lines: Vec<Line> = Vec::new();
    lines.extend(styled_lines(notice_lines(l, notice, iw), th.warn()));
    lines.push(picker_line(v, l));
    let (heading, body, missing) = match doc {
        Doc::Terms => (Msg::ConsentHeading, v.terms, v.terms_missing),
        Doc::Privacy => (Msg::PrivacyHeading, v.privacy.unwrap_or_default(), v.privacy_missing),
    };
    lines.push(Line::styled(msg(l, heading), th.accent()));
    if let Some(shown) = missing {
        lines.extend(styled_lines(missing_lines(l, doc, shown, iw), th.warn()));
    }
    let text = wrap(body, iw as usize);
    let (_, visible) = v.flow.consent_layout();
    let start = (scroll as usize).min(text.len());
    let end = (start + visible.max(1) as usize).min(text.len());
    lines.extend(styled_lines(text[start..end].to_vec(), th.text()));
    while lines.len() < (area.height.saturating_sub(3)) as usize {
        lines.push(Line::raw(""));
    }
    if reached_end {
        lines.push(Line::styled(key_line(v, F::Submit).unwrap_or_default(), th.highlight()));
    } else {
        // "(12/40)": the lines read so far, of all.
        let hint = format!("{} ({}/{})", msg(l, Msg::ConsentScrollHint), end, text.len());
        lines.push(Line::styled(truncate(&hint, iw as usize), th.muted()));
    }
    show(f, v, area, lines);
}
