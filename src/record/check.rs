//! The card's four items against its signing certificate, the way J-LIS writes certificates
//! (card-protocol §11.3 and "Additions"). One comparison for the station and the receiver.
//!
//! - The certificate text uses JIS level 1/2 + 補助漢字. Other characters are replaced by a
//!   substitute (髙→高, 𠮷→吉, 﨑→崎) or by kana, and otherNames `.2` (name) and `.6` (address)
//!   carry one `0`/`1` flag per character of the certificate text. A flagged position matches
//!   any character; an unflagged one must be equal after width normalisation.
//! - A kana substitution may change the length: then the field "differs" (review), never an
//!   error.
//! - The certificate may carry the 旧氏 with the name or not at all, so the name is compared in
//!   every form the card gives: with and without its 旧氏 part.
//! - Birth: era digit + Gregorian date. Sex: chip 1/2 against certificate 1/2, any other chip
//!   code against certificate 3.
//!
//! The result says, per field, exact / through substitutes / differs, and never holds a value.

use super::card_data::CardData;
use crate::card::basic4::BirthDate;
use crate::card::cert::SanFour;
use serde::{Deserialize, Serialize};

/// How one item of the card compares with the certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldMatch {
    /// Equal after width normalisation.
    Exact,
    /// Equal except at positions the certificate flags as substitutes.
    Substituted,
    /// Not equal (or of another length): a person must look at it.
    Differs,
    /// The certificate does not carry this item.
    Missing,
}

impl FieldMatch {
    pub fn matches(self) -> bool {
        matches!(self, FieldMatch::Exact | FieldMatch::Substituted)
    }
}

/// Which form of the card's name matched the certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameForm {
    /// The name without its 旧氏 (also the only form when the card has none).
    Name,
    /// The name as read, 旧氏 included.
    WithFormerName,
}

/// One of the four items (for "which items differ", without their values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    Name,
    Address,
    BirthDate,
    Gender,
}

/// The comparison, as it goes into the record (`card_check`, docs/backend-api.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardCheck {
    pub address: FieldMatch,
    pub birth_date: FieldMatch,
    pub gender: FieldMatch,
    pub name: FieldMatch,
    /// The name form that matched best; null when none did.
    pub name_form: Option<NameForm>,
}

/// What the comparison means for the enrollment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Exact,
    Substituted,
    /// At least one item differs: stored and sent, marked for review.
    Differs,
}

impl CardCheck {
    pub fn outcome(&self) -> Outcome {
        let all = [self.name, self.address, self.birth_date, self.gender];
        if all.iter().all(|f| *f == FieldMatch::Exact) {
            Outcome::Exact
        } else if all.iter().all(|f| f.matches()) {
            Outcome::Substituted
        } else {
            Outcome::Differs
        }
    }

    /// The items that do not match, in screen order.
    pub fn differing(&self) -> Vec<Item> {
        [
            (Item::Name, self.name),
            (Item::BirthDate, self.birth_date),
            (Item::Gender, self.gender),
            (Item::Address, self.address),
        ]
        .into_iter()
        .filter(|(_, m)| !m.matches())
        .map(|(i, _)| i)
        .collect()
    }
}

/// Width normalisation, one character to one (flag positions stay aligned): full-width
/// digits, Latin letters and hyphen-like marks to ASCII, every space to one ASCII space.
fn norm(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}' | '\u{FE63}' => '-',
        '（' => '(',
        '）' => ')',
        c if c.is_whitespace() => ' ',
        c => c,
    }
}

/// Variation selectors (IVS/SVS) refine a glyph on the card; the certificate has none.
fn is_selector(c: char) -> bool {
    matches!(c as u32, 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
}

/// Card text against certificate text with its substitute flags. Spaces are not compared
/// (their flags are dropped with them). Flags of the wrong length or with other characters
/// are not trusted: then every position must match as it is.
pub fn compare_text(card: &str, cert: &str, flags: Option<&str>) -> FieldMatch {
    let cert_chars: Vec<char> = cert.chars().collect();
    let flags: Vec<bool> = match flags {
        Some(f) if f.chars().count() == cert_chars.len() && f.chars().all(|c| c == '0' || c == '1') => {
            f.chars().map(|c| c == '1').collect()
        }
        _ => vec![false; cert_chars.len()],
    };
    let cert: Vec<(char, bool)> = cert_chars
        .into_iter()
        .map(norm)
        .zip(flags)
        .filter(|(c, _)| *c != ' ')
        .collect();
    let card: Vec<char> = card
        .chars()
        .filter(|c| !is_selector(*c))
        .map(norm)
        .filter(|c| *c != ' ')
        .collect();
    if card.len() != cert.len() || card.is_empty() {
        return FieldMatch::Differs;
    }
    let mut result = FieldMatch::Exact;
    for (a, (b, flagged)) in card.iter().zip(&cert) {
        if a != b {
            if !flagged {
                return FieldMatch::Differs;
            }
            result = FieldMatch::Substituted;
        }
    }
    result
}

/// The name in every form the card gives (without its 旧氏, and as read with it) against the
/// certificate's name. Best match wins. A 旧氏 that only the certificate has is a difference.
fn compare_name(card: &CardData, cert: &str, flags: Option<&str>) -> (FieldMatch, Option<NameForm>) {
    let mut best = (compare_text(&card.name, cert, flags), NameForm::Name);
    if let Some(f) = &card.former_name {
        let full = zeroize::Zeroizing::new(format!("{}（{f}）", card.name));
        let m = compare_text(&full, cert, flags);
        if m < best.0 {
            best = (m, NameForm::WithFormerName);
        }
    }
    (best.0, best.0.matches().then_some(best.1))
}

/// `EYYYYMMDD`: the era digit must agree with the date (0 = unknown agrees with any).
fn compare_birth(card_iso: &str, cert: &str) -> FieldMatch {
    let Some(date) = BirthDate::from_iso(card_iso) else {
        return FieldMatch::Differs;
    };
    // ASCII digits only: the certificate's text is untrusted (a multi-byte first character
    // must not be sliced through; the fuzzer found that one).
    if !cert.bytes().all(|b| b.is_ascii_digit()) {
        return FieldMatch::Differs;
    }
    let (era, digits) = match cert.len() {
        9 => (cert.chars().next(), &cert[1..]),
        8 => (None, cert),
        _ => return FieldMatch::Differs,
    };
    if digits != date.yyyymmdd() {
        return FieldMatch::Differs;
    }
    let era_ok = match era {
        None | Some('0') => true,
        Some(d) => crate::wareki::to_wareki(date).is_some_and(|(e, _)| e.jpki_digit() == d),
    };
    if era_ok {
        FieldMatch::Exact
    } else {
        FieldMatch::Differs
    }
}

/// Chip `1`/`2` against certificate `1`/`2`; any other chip code against certificate `3`.
fn compare_gender(card_key: &str, cert: &str) -> FieldMatch {
    let expected = match card_key {
        "male" => "1",
        "female" => "2",
        _ => "3",
    };
    if cert == expected {
        FieldMatch::Exact
    } else {
        FieldMatch::Differs
    }
}

/// Compares the card's four items with the certificate's subjectAltName.
pub fn compare(card: &CardData, san: &SanFour) -> CardCheck {
    let (name, name_form) = match &san.name {
        Some(n) => compare_name(card, n.as_str(), san.name_flags.as_deref()),
        None => (FieldMatch::Missing, None),
    };
    let address = match &san.address {
        Some(a) => compare_text(&card.address, a.as_str(), san.address_flags.as_deref()),
        None => FieldMatch::Missing,
    };
    let birth_date = san
        .birth
        .as_deref()
        .map_or(FieldMatch::Missing, |b| compare_birth(&card.birth_date, b));
    let gender = san
        .gender
        .as_deref()
        .map_or(FieldMatch::Missing, |g| compare_gender(&card.gender, g));
    CardCheck {
        address,
        birth_date,
        gender,
        name,
        name_form,
    }
}

/// Compares with the certificate given as DER. A certificate whose extensions can't be read
/// compares as "missing" everywhere (review), never as an error.
pub fn compare_der(card: &CardData, cert_der: &[u8]) -> CardCheck {
    compare(card, &crate::card::cert::san_four(cert_der).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::basic4::PersonalText;
    use proptest::prelude::*;

    fn card(name: &str, former: Option<&str>, address: &str, birth: &str, gender: &str) -> CardData {
        CardData {
            address: address.into(),
            birth_date: birth.into(),
            former_name: former.map(str::to_string),
            gender: gender.into(),
            name: name.into(),
        }
    }

    fn san(name: &str, nflags: Option<&str>, address: &str, aflags: Option<&str>, birth: &str, g: &str) -> SanFour {
        SanFour {
            name: Some(PersonalText::new(name)),
            name_flags: nflags.map(str::to_string),
            gender: Some(g.into()),
            birth: Some(birth.into()),
            address: Some(PersonalText::new(address)),
            address_flags: aflags.map(str::to_string),
        }
    }

    #[test]
    fn the_three_citizens_turned_away_before() {
        // 髙橋　次郎: chip 髙, certificate 高 with the flag on the first character.
        let c = card("髙橋\u{3000}次郎", None, "東京都千代田区", "1985-04-01", "male");
        let s = san(
            "高橋\u{3000}次郎",
            Some("10000"),
            "東京都千代田区",
            Some("0000000"),
            "419850401",
            "1",
        );
        let r = compare(&c, &s);
        assert_eq!(r.name, FieldMatch::Substituted);
        assert_eq!(r.birth_date, FieldMatch::Differs, "1985 is 昭和 (3), not 平成 (4)");
        assert_eq!(r.outcome(), Outcome::Differs);
        let s = san(
            "高橋\u{3000}次郎",
            Some("10000"),
            "東京都千代田区",
            None,
            "319850401",
            "1",
        );
        assert_eq!(compare(&c, &s).outcome(), Outcome::Substituted);

        // 𠮷田　一郎 at an address with 﨑: 吉田, 崎, flags set.
        let c = card("𠮷田\u{3000}一郎", None, "長崎県長崎市﨑町１－２", "1970-01-01", "male");
        let s = san(
            "吉田\u{3000}一郎",
            Some("10000"),
            "長崎県長崎市崎町１－２",
            Some("00000010000"),
            "319700101",
            "1",
        );
        let r = compare(&c, &s);
        assert_eq!((r.name, r.address), (FieldMatch::Substituted, FieldMatch::Substituted));

        // 佐藤　花子 with 旧氏 鈴木: the certificate with or without the 旧氏.
        let c = card("佐藤\u{3000}花子", Some("鈴木"), "大阪府", "1990-02-03", "female");
        for (cert_name, form) in [
            ("佐藤\u{3000}花子", NameForm::Name),
            ("佐藤\u{3000}花子（鈴木）", NameForm::WithFormerName),
            ("佐藤 花子(鈴木)", NameForm::WithFormerName),
        ] {
            let s = san(cert_name, None, "大阪府", None, "419900203", "2");
            let r = compare(&c, &s);
            assert_eq!(r.outcome(), Outcome::Exact, "{form:?}");
            assert_eq!(r.name_form, Some(form));
        }
    }

    #[test]
    fn unflagged_differences_lengths_and_missing_items_are_for_review() {
        let c = card("山田\u{3000}太郎", None, "東京都千代田区１－１", "1980-02-17", "male");
        let s = san(
            "山田\u{3000}次郎",
            Some("00000"),
            "東京都千代田区１－１",
            None,
            "319800217",
            "1",
        );
        assert_eq!(compare(&c, &s).name, FieldMatch::Differs);
        // Kana substitution changed the length.
        let s = san(
            "やまだ\u{3000}太郎",
            Some("111000"),
            "東京都千代田区１－１",
            None,
            "319800217",
            "1",
        );
        assert_eq!(compare(&c, &s).name, FieldMatch::Differs);
        // Moved, certificate not renewed.
        let s = san("山田\u{3000}太郎", None, "東京都港区１－１", None, "319800217", "1");
        let r = compare(&c, &s);
        assert_eq!(r.outcome(), Outcome::Differs);
        assert_eq!(r.differing(), vec![Item::Address]);
        // Flags of the wrong length are not trusted.
        let s = san(
            "山田\u{3000}次郎",
            Some("001"),
            "東京都千代田区１－１",
            None,
            "319800217",
            "1",
        );
        assert_eq!(compare(&c, &s).name, FieldMatch::Differs);
        // Missing items.
        let r = compare(&c, &SanFour::default());
        assert_eq!(r.name, FieldMatch::Missing);
        assert_eq!(r.differing().len(), 4);
        // A 旧氏 on the certificate that the card does not have, or another one.
        let s = san(
            "山田\u{3000}太郎（佐藤）",
            None,
            "東京都千代田区１－１",
            None,
            "319800217",
            "1",
        );
        assert_eq!(compare(&c, &s).name, FieldMatch::Differs);
        assert_eq!(compare(&c, &s).name_form, None);
        let c2 = card(
            "山田\u{3000}太郎",
            Some("鈴木"),
            "東京都千代田区１－１",
            "1980-02-17",
            "male",
        );
        assert_eq!(compare(&c2, &s).name, FieldMatch::Differs);
    }

    #[test]
    fn birth_and_sex_codes() {
        assert_eq!(compare_birth("1989-01-07", "319890107"), FieldMatch::Exact);
        assert_eq!(compare_birth("1989-01-08", "419890108"), FieldMatch::Exact);
        assert_eq!(compare_birth("1989-01-08", "319890108"), FieldMatch::Differs);
        assert_eq!(compare_birth("1989-01-08", "019890108"), FieldMatch::Exact);
        assert_eq!(compare_birth("1989-01-08", "19890108"), FieldMatch::Exact);
        assert_eq!(compare_birth("1989-01-08", "41989010"), FieldMatch::Differs);
        assert_eq!(compare_birth("1989-01-08", "4198901089"), FieldMatch::Differs);
        // Found by fuzzing: a multi-byte first character in a 9-byte field.
        assert_eq!(compare_birth("1989-01-08", "é1989010"), FieldMatch::Differs);
        assert_eq!(compare_birth("1989-01-08", "４19890108"), FieldMatch::Differs);
        assert_eq!(compare_gender("male", "1"), FieldMatch::Exact);
        assert_eq!(compare_gender("female", "2"), FieldMatch::Exact);
        assert_eq!(compare_gender("not_applicable", "3"), FieldMatch::Exact);
        assert_eq!(compare_gender("unknown", "3"), FieldMatch::Exact);
        assert_eq!(compare_gender("male", "3"), FieldMatch::Differs);
        assert_eq!(compare_gender("not_applicable", "1"), FieldMatch::Differs);
    }

    #[test]
    fn width_variants_and_selectors() {
        assert_eq!(compare_text("港区１－２－３", "港区1-2-3", None), FieldMatch::Exact);
        assert_eq!(compare_text("港区1‐2−3", "港区１－２－３", None), FieldMatch::Exact);
        assert_eq!(compare_text("山田 太郎", "山田\u{3000}太郎", None), FieldMatch::Exact);
        assert_eq!(
            compare_text("山田太郎", "山田\u{3000}太郎", Some("00000")),
            FieldMatch::Exact
        );
        assert_eq!(compare_text("Ａ棟", "A棟", None), FieldMatch::Exact);
        assert_eq!(compare_text("葛\u{E0100}飾区", "葛飾区", None), FieldMatch::Exact);
        assert_eq!(compare_text("", "", None), FieldMatch::Differs);
        // The long-vowel mark is a letter, not a hyphen.
        assert_eq!(compare_text("ハイツー", "ハイツ-", None), FieldMatch::Differs);
    }

    fn text() -> impl Strategy<Value = Vec<char>> {
        prop::collection::vec(
            prop_oneof![
                prop::char::range('ぁ', 'ゖ'),
                prop::char::range('一', '龥'),
                prop::char::range('０', '９'),
                Just('髙'),
                Just('𠮷'),
                Just('﨑'),
            ],
            1..40,
        )
    }

    fn substitute(c: char) -> char {
        match c {
            '髙' => '高',
            '𠮷' => '吉',
            '﨑' => '崎',
            c => char::from_u32(c as u32 + 1).unwrap_or('〓'),
        }
    }

    proptest! {
        #[test]
        fn random_substitutions_with_flags_always_match(chars in text(), picks in prop::collection::vec(any::<bool>(), 40)) {
            let card: String = chars.iter().collect();
            let cert: String = chars.iter().zip(&picks).map(|(c, p)| if *p { substitute(*c) } else { *c }).collect();
            let flags: String = chars.iter().zip(&picks).map(|(_, p)| if *p { '1' } else { '0' }).collect();
            prop_assert!(compare_text(&card, &cert, Some(&flags)).matches());
            // Width variants of the same text still match.
            let narrow: String = card.chars().map(|c| if ('０'..='９').contains(&c) { char::from_u32(c as u32 - 0xFEE0).unwrap() } else { c }).collect();
            prop_assert!(compare_text(&narrow, &cert, Some(&flags)).matches());
            let wide: String = card.chars().map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c }).collect();
            prop_assert!(compare_text(&wide, &cert, Some(&flags)).matches());
        }

        #[test]
        fn one_changed_unflagged_character_never_matches(chars in text(), at in any::<prop::sample::Index>()) {
            let card: String = chars.iter().collect();
            let i = at.index(chars.len());
            let cert: String = chars.iter().enumerate().map(|(j, c)| if j == i { substitute(*c) } else { *c }).collect();
            let flags = "0".repeat(chars.len());
            prop_assert_eq!(compare_text(&card, &cert, Some(&flags)), FieldMatch::Differs);
            prop_assert_eq!(compare_text(&card, &cert, None), FieldMatch::Differs);
        }
    }
}
