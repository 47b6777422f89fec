//! Wrapping by display width: kanji and full-width forms take two columns, so a long Japanese
//! address must be broken by width, not by characters. Line breaking follows the basic rules
//! of JIS X 4051: no closing bracket, small kana, iteration mark or punctuation at a line
//! start, no opening bracket at a line end, and no break inside a run of Latin letters and
//! digits (`J-LIS`, `PgDn`): Japanese and Chinese break between their characters, other
//! scripts (Latin with or without diacritics, Hangul) at spaces.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// Never at a line start (JIS X 4051 cl-02 closing brackets, cl-03 hyphens, cl-04 dividing
/// punctuation, cl-05 middle dots, cl-06 full stops, cl-07 commas, cl-09 iteration marks,
/// cl-10 prolonged sound mark, cl-11 small kana), and their ASCII kin.
const NO_LINE_START: &str = "）〕］｝〉》」』】〙〗〟’”｠»\
‐゠–〜～？！‼⁇⁈⁉・：；。．、，\
ヽヾゝゞ々〻ー\
ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ\
,.)]}!?:;%";

/// Never at a line end (JIS X 4051 cl-01 opening brackets), and their ASCII kin.
const NO_LINE_END: &str = "（〔［｛〈《「『【〘〖〝‘“｟«([{";

fn width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Chinese characters and kana may break a line anywhere; other scripts (Latin with or without
/// diacritics, Hangul) break at spaces between words.
fn breaks_anywhere(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Display width of a string.
pub fn str_width(s: &str) -> usize {
    s.chars().map(width).sum()
}

/// Wraps `text` to lines of at most `max` columns (each line's width ≤ max for max ≥ 2).
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    wrap_slices(text, max).into_iter().map(str::to_string).collect()
}

/// [`wrap`] as slices of `text`: personal data (a name, an address) is drawn from these
/// without a copy that would outlive the frame unzeroized.
pub fn wrap_slices(text: &str, max: usize) -> Vec<&str> {
    wrap_ranges(text, max).into_iter().map(|r| &text[r]).collect()
}

/// Whether a line may break between `a` and `b` (`b` starts the next line).
fn may_break(a: char, b: char) -> bool {
    if b == ' ' || width(b) == 0 {
        return false; // spaces stay at the end of the line; marks stay on their letter
    }
    let opportunity = a == ' ' || breaks_anywhere(a) || breaks_anywhere(b);
    opportunity && !NO_LINE_START.contains(b) && !NO_LINE_END.contains(a)
}

/// The byte ranges of `text` that make the wrapped lines (trailing spaces left out).
pub fn wrap_ranges(text: &str, max: usize) -> Vec<std::ops::Range<usize>> {
    let max = max.max(2);
    let mut out = Vec::new();
    let mut para_start = 0;
    for para in text.split('\n') {
        let chars: Vec<(usize, char)> = para.char_indices().map(|(i, c)| (para_start + i, c)).collect();
        let end_of = |i: usize| chars.get(i).map_or(para_start + para.len(), |c| c.0);
        // The line is chars[start..i]; `w` its width.
        let mut start = 0;
        let mut w = 0;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i].1;
            if w + width(c) <= max || c == ' ' {
                w += width(c);
                i += 1;
                continue;
            }
            // `c` does not fit: break at the last opportunity on the line, else (one word
            // longer than the line, or a run of characters that can't start one) before `c`.
            let at = (start + 1..=i)
                .rev()
                .find(|&b| may_break(chars[b - 1].1, chars[b].1))
                .filter(|&b| chars[b..=i].iter().map(|x| width(x.1)).sum::<usize>() <= max)
                .unwrap_or(i);
            out.push(line_range(&chars[start..at], end_of(start)));
            start = at;
            while start < chars.len() && chars[start].1 == ' ' {
                start += 1;
            }
            w = chars[start..i.max(start)].iter().map(|x| width(x.1)).sum();
            i = i.max(start);
        }
        out.push(line_range(&chars[start..], end_of(start)));
        para_start += para.len() + 1;
    }
    out
}

/// The range of a line's characters, without its trailing spaces.
fn line_range(line: &[(usize, char)], at: usize) -> std::ops::Range<usize> {
    let start = line.first().map_or(at, |f| f.0);
    let end = line
        .iter()
        .rposition(|(_, c)| !c.is_whitespace())
        .map_or(start, |i| line[i].0 + line[i].1.len_utf8());
    start..end
}

/// [`wrap`] for a line of styled spans: the same breaks, each piece keeping its span's style
/// (a label muted, its value coloured), for widgets that would otherwise leave wrapping to
/// ratatui, which breaks by its own rules and can draw a wide character over a border.
pub fn wrap_line(line: &Line<'_>, max: usize) -> Vec<Line<'static>> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let mut parts = Vec::with_capacity(line.spans.len());
    let mut at = 0;
    for s in &line.spans {
        parts.push((at, at + s.content.len(), s.style));
        at += s.content.len();
    }
    wrap_ranges(&text, max)
        .into_iter()
        .map(|r| {
            let spans: Vec<Span<'static>> = parts
                .iter()
                .filter_map(|&(a, b, style)| {
                    let (s, e) = (a.max(r.start), b.min(r.end));
                    (s < e).then(|| Span::styled(text[s..e].to_string(), style))
                })
                .collect();
            Line::from(spans).style(line.style)
        })
        .collect()
}

/// Cuts `s` to at most `max` columns.
pub fn truncate(s: &str, max: usize) -> String {
    let mut w = 0;
    s.chars()
        .take_while(|c| {
            w += width(*c);
            w <= max
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_carried_space_never_overflows() {
        // Both found by the property test below.
        for (text, max) in [("aa 、", 3), ("a a漢 、", 4)] {
            for l in wrap(text, max) {
                assert!(str_width(&l) <= max, "{text:?} at {max}: {l:?}");
            }
        }
    }

    #[test]
    fn japanese_wraps_by_width_with_kinsoku() {
        let lines = wrap("北海道札幌市中央区北一条西二丁目", 10);
        assert_eq!(lines, vec!["北海道札幌", "市中央区北", "一条西二丁", "目"]);
        let lines = wrap("あいうえ。かきく", 8);
        assert_eq!(lines[0], "あいう", "。 does not start a line");
        assert_eq!(lines[1], "え。かき");
        assert_eq!(
            wrap("The card left the reader.", 12),
            vec!["The card", "left the", "reader."]
        );
        assert_eq!(wrap("a\nb", 10), vec!["a", "b"]);
        assert_eq!(str_width("𠮷野"), 4);
        assert_eq!(truncate("山田太郎", 5), "山田");
    }

    #[test]
    fn hangul_vietnamese_and_chinese_wrap_by_width_at_word_boundaries() {
        // Hangul is two columns a syllable and breaks between words.
        let ko = "서명용 전자증명서 비밀번호를 입력해 주십시오.";
        let lines = wrap(ko, 20);
        assert_eq!(lines, vec!["서명용 전자증명서", "비밀번호를 입력해", "주십시오."]);
        // Vietnamese precomposed (NFC) and with combining marks (NFD) wrap the same way: the
        // combining marks take no column and never start a line.
        let nfc = "Hãy nhập mật khẩu chứng thư chữ ký.";
        let nfd = "Ha\u{303}y nha\u{323}\u{302}p ma\u{323}\u{302}t kha\u{302}\u{309}u chu\u{31b}\u{301}ng thu\u{31b} chu\u{31b}\u{303} ky\u{301}.";
        assert_eq!(str_width(nfc), str_width(nfd));
        let a = wrap(nfc, 14);
        let b = wrap(nfd, 14);
        assert_eq!(a, vec!["Hãy nhập mật", "khẩu chứng thư", "chữ ký."]);
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(str_width(x), str_width(y), "{x:?} {y:?}");
            assert!(y.chars().next().is_some_and(|c| c.width() != Some(0)), "{y:?}");
        }
        // Chinese breaks anywhere by width.
        let zh = "请将个人编号卡放在读卡器上。";
        let lines = wrap(zh, 12);
        assert_eq!(lines, vec!["请将个人编号", "卡放在读卡器", "上。"]);
        for (text, max) in [(ko, 20), (nfc, 14), (nfd, 14), (zh, 12)] {
            for l in wrap(text, max) {
                assert!(str_width(&l) <= max, "{l:?}");
            }
        }
    }

    /// Issue 25 item 8: `J-LI│S`, `（│`, `ロ│ック` were seen.
    #[test]
    fn breaks_follow_jis_x_4051() {
        assert_eq!(wrap("発行はJ-LISです", 10), vec!["発行は", "J-LISです"]);
        assert_eq!(wrap("あいうえ（かき）", 10), vec!["あいうえ", "（かき）"]);
        assert_eq!(
            wrap("カードがロックされます", 10),
            vec!["カードが", "ロックされ", "ます"]
        );
        assert_eq!(wrap("あいうえおか。", 12), vec!["あいうえお", "か。"]);
        // A Latin word longer than the line is the one thing broken inside.
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    }

    /// Every Japanese message of the catalogue, at every width a pane can have: no small
    /// kana, closing bracket or punctuation starts a line, no opening bracket ends one, no
    /// Latin word or number is split.
    #[test]
    fn the_catalogue_wraps_by_the_rules_at_every_width() {
        use crate::i18n::{msg, Msg};
        use crate::lang::Lang;
        let texts: Vec<&str> = Msg::ALL.iter().map(|m| msg(Lang::Ja, *m)).collect();
        assert!(texts.len() > 100);
        for text in &texts {
            for max in 12..=78 {
                let ranges = wrap_ranges(text, max);
                for pair in ranges.windows(2) {
                    let (l0, l1) = (&text[pair[0].clone()], &text[pair[1].clone()]);
                    let (a, b) = (l0.chars().last(), l1.chars().next());
                    let (Some(a), Some(b)) = (a, b) else { continue };
                    assert!(!NO_LINE_START.contains(b), "{max}: {l0:?} | {l1:?}");
                    assert!(!NO_LINE_END.contains(a), "{max}: {l0:?} | {l1:?}");
                    // A break between two Latin words (`sudo systemctl`) is at their space.
                    let word = |c: char| c.is_ascii_alphanumeric() || c == '-';
                    let at_space = pair[0].end < pair[1].start;
                    assert!(!(word(a) && word(b)) || at_space, "{max}: {l0:?} | {l1:?}");
                }
            }
        }
    }

    #[test]
    fn styled_lines_wrap_like_text_and_keep_their_styles() {
        use ratatui::style::{Color, Style};
        let (a, b) = (Style::default(), Style::default().fg(Color::Cyan));
        let line = Line::from(vec![
            Span::styled("pcscd: ", a),
            Span::styled("使用しない（デモのカード）", b),
        ]);
        let lines = wrap_line(&line, 30);
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, wrap("pcscd: 使用しない（デモのカード）", 30));
        assert!(lines.iter().all(|l| l.width() <= 30));
        assert_eq!(lines[0].spans[0].style, a);
        assert!(lines[1].spans.iter().all(|s| s.style == b), "{lines:?}");
    }

    proptest! {
        #[test]
        fn no_line_exceeds_the_width_and_nothing_is_lost(text in "[a-z あ-ん漢字。、𠮷]{0,80}", max in 2usize..30) {
            let lines = wrap(&text, max);
            for l in &lines {
                prop_assert!(str_width(l) <= max, "{l:?} wider than {max}");
            }
            let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let orig: String = text.chars().filter(|c| *c != ' ').collect();
            prop_assert_eq!(joined, orig);
        }
    }
}
