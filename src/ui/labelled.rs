//! A label and its value on one line, joined as the catalogue's `labelled` says ("受付番号:
//! …"), with the label and the value styled apart.

use crate::i18n;
use crate::lang::Lang;
use ratatui::style::Style;
use ratatui::text::Span;

/// The spans of `label` and `value` joined in `lang`: the value in `value_style`, the rest
/// (the label and what the language puts around it) in `label_style`.
pub fn spans(lang: Lang, label: &str, value: &str, label_style: Style, value_style: Style) -> Vec<Span<'static>> {
    let text = i18n::labelled(lang, label, value);
    // The value goes in as it is: its last occurrence is the value (the label comes first
    // in every language so far; a label that held the value would still be styled whole).
    let Some(at) = text.rfind(value).filter(|_| !value.is_empty()) else {
        return vec![Span::styled(text, label_style)];
    };
    let (head, tail) = (&text[..at], &text[at + value.len()..]);
    [(head, label_style), (value, value_style), (tail, label_style)]
        .into_iter()
        .filter(|(s, _)| !s.is_empty())
        .map(|(s, style)| Span::styled(s.to_string(), style))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Style};

    #[test]
    fn the_value_is_styled_apart_from_its_label() {
        let (a, b) = (Style::default(), Style::default().fg(Color::Cyan));
        let s = spans(Lang::Ja, "受付番号", "AB12", a, b);
        let parts: Vec<(&str, Style)> = s.iter().map(|s| (s.content.as_ref(), s.style)).collect();
        assert_eq!(parts, [("受付番号: ", a), ("AB12", b)]);
        let s = spans(Lang::En, "ID", "", a, b);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].content, "ID: ");
    }
}
