//! Wrapping by display width: kanji and full-width forms take two columns, so a long Japanese
//! address must be broken by width, not by characters. English breaks at spaces where it can;
//! closing punctuation (。、）」) never starts a line (禁則).

use unicode_width::UnicodeWidthChar;

const NO_LINE_START: &str = "。、，．）」』】〕！？：；ー・,.)!?:;";

fn width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Chinese characters and kana may break a line anywhere; other scripts (Latin with or without
/// diacritics, Hangul) break at spaces between words.
fn breaks_anywhere(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
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

/// The byte ranges of `text` that make the wrapped lines (trailing spaces left out).
pub fn wrap_ranges(text: &str, max: usize) -> Vec<std::ops::Range<usize>> {
    let max = max.max(2);
    let mut out = Vec::new();
    // One line as (byte index, char): lines are always contiguous runs of the paragraph.
    let emit = |line: &[(usize, char)], at: usize, out: &mut Vec<std::ops::Range<usize>>| {
        let end = line
            .iter()
            .rposition(|(_, c)| !c.is_whitespace())
            .map_or(line.first().map_or(at, |f| f.0), |i| line[i].0 + line[i].1.len_utf8());
        let start = line.first().map_or(at, |f| f.0);
        out.push(start..end.max(start));
    };
    let mut para_start = 0;
    for para in text.split('\n') {
        let mut line: Vec<(usize, char)> = Vec::new();
        let mut w = 0;
        for (i, c) in para.char_indices() {
            let at = para_start + i;
            let cw = width(c);
            if w + cw > max && !line.is_empty() {
                let mut carry: Vec<(usize, char)> = Vec::new();
                let mut dropped_space = None;
                if c != ' ' {
                    if let Some(sp) = line.iter().rposition(|&(_, x)| x == ' ') {
                        // Break English at the last space when the word isn't absurdly long.
                        let word: usize = line[sp + 1..].iter().map(|&(_, x)| width(x)).sum();
                        if line[sp + 1..].iter().all(|&(_, x)| !breaks_anywhere(x))
                            && !breaks_anywhere(c)
                            && sp > 0
                            && word + cw <= max
                        {
                            carry = line.split_off(sp + 1);
                            dropped_space = line.pop();
                        }
                    }
                    // What moves to the next line must still fit with `c` (a dropped space goes
                    // along: lines are contiguous).
                    let gap = usize::from(dropped_space.is_some());
                    let fits = line
                        .last()
                        .is_some_and(|&(_, l)| width(l) + gap + cw <= max && !NO_LINE_START.contains(l));
                    if carry.is_empty() && NO_LINE_START.contains(c) && line.len() > 1 && fits {
                        if let Some(last) = line.pop() {
                            carry.push(last);
                            // Lines are contiguous: a space dropped after the carried character
                            // goes along (and counts).
                            carry.extend(dropped_space);
                        }
                    }
                }
                emit(&line, at, &mut out);
                line = carry;
                w = line.iter().map(|&(_, x)| width(x)).sum();
                if c == ' ' && line.is_empty() {
                    continue;
                }
            }
            line.push((at, c));
            w += cw;
        }
        emit(&line, para_start + para.len(), &mut out);
        para_start += para.len() + 1;
    }
    out
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
