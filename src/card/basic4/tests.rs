use super::*;

/// The synthetic example of card-protocol §5.3, byte for byte.
const DOC_EXAMPLE: &str = "FF20820044DF210800100022003A0045DF220FE5B1B1E794B0E38080E5A4AAE9838EDF2315E69DB1E4BAACE983BDE58D83E4BBA3E794B0E58CBADF240831393830303231 37DF250131";

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn decodes_the_documented_example() {
    let b = decode(&unhex(DOC_EXAMPLE)).unwrap();
    assert_eq!(b.name.as_str(), "山田\u{3000}太郎");
    assert!(b.former_name.is_none());
    assert_eq!(b.address.as_str(), "東京都千代田区");
    assert_eq!(b.birth_date.iso(), "1980-02-17");
    assert!(b.gender == Gender::Male);
}

#[test]
fn encoder_reproduces_the_documented_example() {
    let enc = encode("山田\u{3000}太郎", "東京都千代田区", "19800217", b'1', true);
    assert_eq!(enc, unhex(DOC_EXAMPLE));
}

#[test]
fn both_outer_length_forms_and_long_values() {
    let long_addr = "北海道札幌市中央区北一条西二丁目一番地　札幌市役所本庁舎内ビル十二階一二〇四号室".repeat(3);
    for long in [false, true] {
        let enc = encode("𠮷野\u{3000}花子（佐藤）", &long_addr, "20190501", b'2', long);
        assert!(enc.len() > 256);
        let b = decode(&enc).unwrap();
        assert_eq!(b.name.as_str(), "𠮷野\u{3000}花子");
        assert_eq!(b.former_name.as_ref().unwrap().as_str(), "佐藤");
        assert_eq!(b.address.as_str(), long_addr);
        assert!(b.gender == Gender::Female);
    }
}

#[test]
fn former_name_forms() {
    assert_eq!(
        split_former_name("山田\u{3000}花子（旧氏：佐藤）"),
        ("山田\u{3000}花子", Some("佐藤"))
    );
    assert_eq!(split_former_name("山田 花子(佐藤)"), ("山田 花子", Some("佐藤")));
    assert_eq!(split_former_name("山田\u{3000}花子"), ("山田\u{3000}花子", None));
    assert_eq!(split_former_name("（佐藤）"), ("（佐藤）", None));
    assert_eq!(split_former_name("山田（）"), ("山田（）", None));
}

#[test]
fn malformed_inputs_are_typed_errors() {
    let good = encode("山田\u{3000}太郎", "東京都", "19800217", b'1', false);
    // Truncated anywhere: never a panic, always an error.
    for cut in 0..good.len() {
        assert!(decode(&good[..cut]).is_err(), "cut at {cut}");
    }
    // Padding after the element is fine.
    let mut padded = good.clone();
    padded.extend_from_slice(&[0xFF; 40]);
    assert!(decode(&padded).is_ok());
    // Wrong outer tag.
    let mut wrong = good.clone();
    wrong[1] = 0x10;
    assert_eq!(decode(&wrong).unwrap_err(), Basic4Error::UnexpectedTag(0xFF10));
    // Invalid UTF-8 in the name (a lone continuation byte).
    let bad = encode("\u{0}", "東京都", "19800217", b'1', false);
    assert_eq!(decode(&bad).unwrap_err(), Basic4Error::ControlCharacter(Field::Name));
    let mut bad_utf8 = encode("ab", "東京都", "19800217", b'1', false);
    let i = bad_utf8.windows(2).position(|w| w == b"ab").unwrap();
    bad_utf8[i] = 0x80;
    assert_eq!(decode(&bad_utf8).unwrap_err(), Basic4Error::InvalidUtf8(Field::Name));
    // ESC in the address.
    let esc = encode("山田", "東京\u{1b}[2J", "19800217", b'1', false);
    assert_eq!(decode(&esc).unwrap_err(), Basic4Error::ControlCharacter(Field::Address));
    // Impossible dates and wrong sex field.
    assert_eq!(
        decode(&encode("山田", "東京", "19800230", b'1', false)).unwrap_err(),
        Basic4Error::Format(Field::BirthDate)
    );
    assert_eq!(
        decode(&encode("山田", "東京", "1980021", b'1', false)).unwrap_err(),
        Basic4Error::Format(Field::BirthDate)
    );
    assert_eq!(
        decode(&encode("山田", "東京", "19800217", b'M', false)).unwrap_err(),
        Basic4Error::Format(Field::Gender)
    );
    assert_eq!(
        decode(&encode("\u{3000}", "東京", "19800217", b'1', false)).unwrap_err(),
        Basic4Error::Empty(Field::Name)
    );
}

#[test]
fn unknown_tags_skipped_duplicates_and_missing_refused() {
    let inner: Vec<u8> = [
        &[0xDF, 0x30, 0x02, 0xAB, 0xCD][..],
        &[0xDF, 0x22, 0x02, b'A', b'B'],
        &[0xDF, 0x23, 0x01, b'C'],
        &[0xDF, 0x24, 0x08],
        b"20000229",
        &[0xDF, 0x25, 0x01, b'9'],
    ]
    .concat();
    let mut ef = vec![0xFF, 0x20, inner.len() as u8];
    ef.extend_from_slice(&inner);
    let b = decode(&ef).unwrap();
    assert_eq!(b.gender.as_key(), "not_applicable");
    assert_eq!(b.birth_date.iso(), "2000-02-29");

    let mut dup = inner.clone();
    dup.extend_from_slice(&[0xDF, 0x25, 0x01, b'1']);
    let mut ef = vec![0xFF, 0x20, dup.len() as u8];
    ef.extend_from_slice(&dup);
    assert_eq!(decode(&ef).unwrap_err(), Basic4Error::Duplicate(Field::Gender));

    let missing = &inner[..inner.len() - 4];
    let mut ef = vec![0xFF, 0x20, missing.len() as u8];
    ef.extend_from_slice(missing);
    assert_eq!(decode(&ef).unwrap_err(), Basic4Error::Missing(Field::Gender));
}

#[test]
fn debug_and_errors_hide_personal_data() {
    let b = decode(&encode("秘密\u{3000}太郎", "秘密町", "19800217", b'1', false)).unwrap();
    let s = format!("{b:?} {:?} {:?} {:?}", b.name, b.birth_date, b.gender);
    assert!(!s.contains("秘密") && !s.contains("1980"), "{s}");
    let json = serde_json::to_value(&b).unwrap();
    assert_eq!(json["name"], "秘密\u{3000}太郎");
    assert_eq!(json["former_name"], serde_json::Value::Null);
    assert_eq!(json["gender"], "male");
    assert_eq!(json["birth_date"], "1980-02-17");
}

#[test]
fn calendar() {
    assert!(BirthDate::new(1900, 2, 29).is_none());
    assert!(BirthDate::new(2000, 2, 29).is_some());
    assert!(BirthDate::new(2023, 4, 31).is_none());
    assert_eq!(BirthDate::from_iso("1989-01-08").unwrap().yyyymmdd(), "19890108");
    assert!(BirthDate::from_iso("1989/01/08").is_none());
}

#[test]
fn bidi_and_invisible_characters_are_refused_but_ivs_is_kept() {
    for bad in [
        "山田\u{202E}郎太",
        "山田\u{200B}太郎",
        "山田\u{2066}太郎\u{2069}",
        "\u{FEFF}山田",
    ] {
        let ef = encode(bad, "東京都", "19800217", b'1', false);
        assert_eq!(
            decode(&ef).unwrap_err(),
            Basic4Error::ControlCharacter(Field::Name),
            "{bad:?}"
        );
        let ef = encode("山田\u{3000}太郎", bad, "19800217", b'1', false);
        assert_eq!(decode(&ef).unwrap_err(), Basic4Error::ControlCharacter(Field::Address));
    }
    let ef = encode("葛\u{E0100}城\u{3000}太郎", "東京都", "19800217", b'1', false);
    assert_eq!(decode(&ef).unwrap().name.as_str(), "葛\u{E0100}城\u{3000}太郎");
}
