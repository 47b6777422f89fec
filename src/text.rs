//! Text from outside (a backend's answer, a reader's or vendor's name, card text in a log)
//! printed outside ratatui: control and invisible format characters are shown as `\u{…}`
//! escapes, so an OSC/SGR sequence or a bidi override can't drive or spoof the terminal.

use std::borrow::Cow;

fn unsafe_char(c: char) -> bool {
    c.is_control() || crate::card::basic4::is_invisible_format(c)
}

/// `s` with every control and invisible format character escaped (borrowed when clean).
pub fn escape_untrusted(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences_and_bidi_but_keeps_japanese() {
        assert_eq!(escape_untrusted("窓口 OK"), "窓口 OK");
        assert_eq!(escape_untrusted("\u{1b}]0;pwned\u{7}"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(escape_untrusted("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(escape_untrusted("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(escape_untrusted("a\nb"), "a\\u{a}b");
    }
}
