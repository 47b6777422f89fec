//! How J-LIS writes a person's text into the signing certificate (card-protocol §11.3 and
//! "Additions"): the certificate's repertoire is JIS level 1/2 + 補助漢字; a character outside
//! it is replaced by a predetermined substitute (or kana when there is none), and the
//! position flags (`.2` name, `.6` address) carry `1` for every replaced character of the
//! certificate text. Variation selectors on the card have no place in the certificate.
//!
//! The virtual card uses this to issue certificates that disagree with the chip the way real
//! ones do. The table holds the characters our profiles and tests meet; anything else
//! non-BMP or in the compatibility block becomes 〓 (the JIS geta mark, for "no substitute").

/// (card character, certificate substitute).
const SUBSTITUTES: &[(char, &str)] = &[
    ('髙', "高"),
    ('𠮷', "吉"),
    ('\u{FA11}', "崎"), // 﨑
    ('\u{FA10}', "塚"), // 塚 (compatibility form)
    ('\u{FA19}', "神"),
    ('\u{FA1B}', "福"),
    ('𡈽', "土"),
    ('𠀋', "丈"),
    // A kana substitute changes the length: 𩸽 (hokke) has no kanji substitute.
    ('𩸽', "ほっけ"),
];

fn is_selector(c: char) -> bool {
    matches!(c as u32, 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
}

/// Outside the repertoire and not in the table: non-BMP, or a compatibility ideograph.
fn outside_repertoire(c: char) -> bool {
    (c as u32) > 0xFFFF || (0xF900..=0xFAFF).contains(&(c as u32))
}

/// The certificate's text and its flags for a card text.
pub fn certificate_text(card: &str) -> (String, String) {
    let mut text = String::with_capacity(card.len());
    let mut flags = String::new();
    for c in card.chars().filter(|c| !is_selector(*c)) {
        if let Some((_, sub)) = SUBSTITUTES.iter().find(|(k, _)| *k == c) {
            for s in sub.chars() {
                text.push(s);
                flags.push('1');
            }
        } else if outside_repertoire(c) {
            text.push('〓');
            flags.push('1');
        } else {
            text.push(c);
            flags.push('0');
        }
    }
    (text, flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_and_flags_as_the_issue_reports_them() {
        assert_eq!(
            certificate_text("髙橋\u{3000}次郎"),
            ("高橋\u{3000}次郎".into(), "10000".into())
        );
        assert_eq!(
            certificate_text("𠮷田\u{3000}一郎"),
            ("吉田\u{3000}一郎".into(), "10000".into())
        );
        assert_eq!(certificate_text("長崎県﨑町"), ("長崎県崎町".into(), "00010".into()));
        assert_eq!(
            certificate_text("山田\u{3000}太郎"),
            ("山田\u{3000}太郎".into(), "00000".into())
        );
        assert_eq!(certificate_text("葛\u{E0100}西"), ("葛西".into(), "00".into()));
        assert_eq!(certificate_text("𩸽野"), ("ほっけ野".into(), "1110".into()));
        assert_eq!(certificate_text("\u{20000}"), ("〓".into(), "1".into()));
    }
}
