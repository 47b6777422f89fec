//! 基本4情報: the basic four items of 券面事項入力補助AP EF 02, decoded into typed values.
//!
//! Layout (card-protocol §5.3): `FF 20 L { DF 21 offsets, DF 22 name, DF 23 address,
//! DF 24 birth YYYYMMDD, DF 25 sex }`. We parse the elements in sequence and treat the DF 21
//! positions as a hint we don't need. Unknown tags inside are skipped (forward compatible),
//! duplicates and missing items are errors. Every value is personal data: the types here zeroize
//! on drop and their `Debug` prints nothing of the content.

use super::tlv::{self, TlvError};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::fmt;
use thiserror::Error;
use zeroize::Zeroizing;

pub const TAG_BASIC4: u32 = 0xFF20;
pub const TAG_OFFSETS: u32 = 0xDF21;
pub const TAG_NAME: u32 = 0xDF22;
pub const TAG_ADDRESS: u32 = 0xDF23;
pub const TAG_BIRTH: u32 = 0xDF24;
pub const TAG_SEX: u32 = 0xDF25;

/// Which field a decoding problem is in. Never carries the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    Address,
    BirthDate,
    Gender,
}

impl Field {
    pub fn label_en(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Address => "address",
            Field::BirthDate => "birth date",
            Field::Gender => "gender",
        }
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            Field::Name => "氏名",
            Field::Address => "住所",
            Field::BirthDate => "生年月日",
            Field::Gender => "性別",
        }
    }
}

/// Why EF 02 could not be decoded. Carries structure only, never personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum Basic4Error {
    #[error("malformed TLV: {0}")]
    Tlv(#[from] TlvError),
    #[error("unexpected outer tag {0:#06X}")]
    UnexpectedTag(u32),
    #[error("{} is missing", .0.label_en())]
    Missing(Field),
    #[error("{} appears twice", .0.label_en())]
    Duplicate(Field),
    #[error("{} is not valid UTF-8", .0.label_en())]
    InvalidUtf8(Field),
    #[error("{} contains a control character", .0.label_en())]
    ControlCharacter(Field),
    #[error("{} is empty", .0.label_en())]
    Empty(Field),
    #[error("{} has an invalid format", .0.label_en())]
    Format(Field),
}

/// Personal text from the card (name, address). Zeroized on drop, hidden from `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonalText(Zeroizing<String>);

impl PersonalText {
    pub fn new(s: &str) -> PersonalText {
        PersonalText(Zeroizing::new(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PersonalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[personal]")
    }
}

impl Serialize for PersonalText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// 性別 as the card codes it. `1`/`2` are certain; other codes are kept verbatim.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
    /// Any other code (`9` "not applicable" in ISO 5218, `3` "unknown" in the certificate).
    Other(u8),
}

impl Gender {
    pub fn from_code(code: u8) -> Gender {
        match code {
            b'1' => Gender::Male,
            b'2' => Gender::Female,
            c => Gender::Other(c),
        }
    }
    pub fn code(self) -> u8 {
        match self {
            Gender::Male => b'1',
            Gender::Female => b'2',
            Gender::Other(c) => c,
        }
    }
    /// Stable machine value used in JSON.
    pub fn as_key(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::Other(b'9') => "not_applicable",
            Gender::Other(_) => "unknown",
        }
    }
}

impl fmt::Debug for Gender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[personal]")
    }
}

/// A Gregorian calendar date that exists.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BirthDate {
    year: u16,
    month: u8,
    day: u8,
}

impl BirthDate {
    pub fn new(year: u16, month: u8, day: u8) -> Option<BirthDate> {
        let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1800 && day >= 1 && day <= days).then_some(BirthDate { year, month, day })
    }

    /// From 8 ASCII digits `YYYYMMDD`.
    pub fn from_yyyymmdd(raw: &[u8]) -> Option<BirthDate> {
        if raw.len() != 8 || !raw.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = |r: &[u8]| r.iter().fold(0u32, |a, &b| a * 10 + (b - b'0') as u32);
        BirthDate::new(n(&raw[0..4]) as u16, n(&raw[4..6]) as u8, n(&raw[6..8]) as u8)
    }

    /// From `YYYY-MM-DD`.
    pub fn from_iso(s: &str) -> Option<BirthDate> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits: Vec<u8> = b.iter().copied().filter(|c| *c != b'-').collect();
        BirthDate::from_yyyymmdd(&digits)
    }

    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
    pub fn yyyymmdd(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[personal]")
    }
}

impl From<BirthDate> for crate::wareki::Ymd {
    fn from(d: BirthDate) -> Self {
        crate::wareki::Ymd(d.year(), d.month(), d.day())
    }
}

/// The decoded basic four items.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicFour {
    /// 氏名 without the former-name part.
    pub name: PersonalText,
    /// 旧氏, when the card's name text carries one (see [`split_former_name`]).
    pub former_name: Option<PersonalText>,
    pub gender: Gender,
    pub birth_date: BirthDate,
    pub address: PersonalText,
}

impl fmt::Debug for BasicFour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BasicFour([personal data hidden])")
    }
}

impl Serialize for BasicFour {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("BasicFour", 5)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("former_name", &self.former_name)?;
        st.serialize_field("gender", self.gender.as_key())?;
        st.serialize_field("birth_date", &self.birth_date.iso())?;
        st.serialize_field("address", &self.address)?;
        st.end()
    }
}

/// EF 02 exactly as read (its whole TLV, DF 21 offsets and any newer field included): what
/// the 利用者証明 challenge binds by its SHA-256, and what a receiver decodes again to check
/// the four items sent. Personal data: zeroized on drop, hidden from `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Ef02(Zeroizing<Vec<u8>>);

impl Ef02 {
    pub fn new(bytes: Zeroizing<Vec<u8>>) -> Ef02 {
        Ef02(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// SHA-256 of the bytes, hex (the statement's `ef02_sha256`).
    pub fn sha256_hex(&self) -> String {
        openssl::sha::sha256(&self.0)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub fn decode(&self) -> Result<BasicFour, Basic4Error> {
        decode(&self.0)
    }
}

impl fmt::Debug for Ef02 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ef02({} bytes, [personal data hidden])", self.0.len())
    }
}

/// Where the chip keeps 旧氏 is unconfirmed (card-protocol §12). We follow the one hint there
/// is: a trailing full-width (or ASCII) parenthesised part of the name text, optionally
/// prefixed `旧氏：`/`旧姓：`. The virtual card writes that form. Returns (name, former name).
pub fn split_former_name(full: &str) -> (&str, Option<&str>) {
    let trimmed = full.trim_end();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(body) = trimmed.strip_suffix(close) {
            if let Some(idx) = body.rfind(open) {
                let name = body[..idx].trim_end_matches([' ', '\u{3000}']);
                let mut former = &body[idx + open.len_utf8()..];
                for prefix in ["旧氏", "旧姓"] {
                    if let Some(rest) = former.strip_prefix(prefix) {
                        former = rest.trim_start_matches(['：', ':', ' ', '\u{3000}']);
                    }
                }
                if !name.is_empty() && !former.is_empty() {
                    return (name, Some(former));
                }
            }
        }
    }
    (full, None)
}

/// Bidi controls, zero-width and other invisible format characters (Unicode category Cf that
/// a name or address never needs). Variation selectors (IVS) are not among them: they refine
/// a kanji's glyph and are legitimate in names.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x061C | 0x180E
        | 0x200B..=0x200F // zero-width space/joiners, LRM, RLM
        | 0x202A..=0x202E // embeddings and overrides
        | 0x2060..=0x2064 // word joiner, invisible operators
        | 0x2066..=0x2069 // isolates
        | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE0001 | 0xE0020..=0xE007F)
}

fn text(field: Field, raw: &[u8]) -> Result<PersonalText, Basic4Error> {
    let s = std::str::from_utf8(raw).map_err(|_| Basic4Error::InvalidUtf8(field))?;
    // A control character (ESC above all) in card text could drive the clerk's terminal; a
    // bidi control or an invisible character could make the confirm screen show other text
    // than the record holds.
    if s.chars().any(|c| c.is_control() || is_invisible_format(c)) {
        return Err(Basic4Error::ControlCharacter(field));
    }
    if s.trim_matches([' ', '\u{3000}']).is_empty() {
        return Err(Basic4Error::Empty(field));
    }
    Ok(PersonalText::new(s))
}

/// Decodes the content of EF 02. Bytes after the outer element (file padding) are ignored.
pub fn decode(ef: &[u8]) -> Result<BasicFour, Basic4Error> {
    let (outer, _padding) = tlv::parse_one(ef)?;
    if outer.tag != TAG_BASIC4 {
        return Err(Basic4Error::UnexpectedTag(outer.tag));
    }
    let mut name = None;
    let mut address = None;
    let mut birth = None;
    let mut sex = None;
    for item in tlv::iter(outer.value) {
        let item = item?;
        let (slot, field) = match item.tag {
            TAG_NAME => (&mut name, Field::Name),
            TAG_ADDRESS => (&mut address, Field::Address),
            TAG_BIRTH => (&mut birth, Field::BirthDate),
            TAG_SEX => (&mut sex, Field::Gender),
            _ => continue, // DF 21 offsets and anything newer
        };
        if slot.replace(item.value).is_some() {
            return Err(Basic4Error::Duplicate(field));
        }
    }
    let full_name = text(Field::Name, name.ok_or(Basic4Error::Missing(Field::Name))?)?;
    let address = text(Field::Address, address.ok_or(Basic4Error::Missing(Field::Address))?)?;
    let birth_date = BirthDate::from_yyyymmdd(birth.ok_or(Basic4Error::Missing(Field::BirthDate))?)
        .ok_or(Basic4Error::Format(Field::BirthDate))?;
    let gender = match sex.ok_or(Basic4Error::Missing(Field::Gender))? {
        [c] if c.is_ascii_digit() => Gender::from_code(*c),
        _ => return Err(Basic4Error::Format(Field::Gender)),
    };
    let (main, former) = split_former_name(full_name.as_str());
    Ok(BasicFour {
        name: PersonalText::new(main),
        former_name: former.map(PersonalText::new),
        gender,
        birth_date,
        address,
    })
}

/// Encodes the basic four items the way the card stores them (used by the virtual card).
/// `long_header` picks the outer length form `82 HH LL` instead of the shortest one.
pub fn encode(full_name: &str, address: &str, birth_yyyymmdd: &str, sex_code: u8, long_header: bool) -> Vec<u8> {
    encode_with(full_name, address, birth_yyyymmdd, sex_code, long_header, &[])
}

/// [`encode`] with `extra` elements after the four items (newer cards add fields, e.g.
/// furigana since 2026; readers skip tags they don't know).
pub fn encode_with(
    full_name: &str,
    address: &str,
    birth_yyyymmdd: &str,
    sex_code: u8,
    long_header: bool,
    extra: &[(u16, &[u8])],
) -> Vec<u8> {
    fn push_len(out: &mut Vec<u8>, len: usize, force_long: bool) {
        if force_long {
            out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
        } else if len < 0x80 {
            out.push(len as u8);
        } else if len < 0x100 {
            out.extend_from_slice(&[0x81, len as u8]);
        } else {
            out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
        }
    }
    let items: [(u32, &[u8]); 4] = [
        (TAG_NAME, full_name.as_bytes()),
        (TAG_ADDRESS, address.as_bytes()),
        (TAG_BIRTH, birth_yyyymmdd.as_bytes()),
        (TAG_SEX, std::slice::from_ref(&sex_code)),
    ];
    let mut body = Vec::new();
    let mut positions = Vec::new();
    // Header length decides the absolute positions written into DF 21.
    let element = |v: &[u8]| {
        2 + if v.len() < 0x80 {
            1
        } else if v.len() < 0x100 {
            2
        } else {
            3
        } + v.len()
    };
    let inner_len_guess: usize = 11
        + items.iter().map(|(_, v)| element(v)).sum::<usize>()
        + extra.iter().map(|(_, v)| element(v)).sum::<usize>();
    let outer_header = 2 + if long_header {
        3
    } else if inner_len_guess < 0x80 {
        1
    } else if inner_len_guess < 0x100 {
        2
    } else {
        3
    };
    let mut pos = outer_header + 11;
    for (tag, value) in items.iter() {
        positions.push(pos as u16);
        let start = body.len();
        body.extend_from_slice(&(*tag as u16).to_be_bytes());
        push_len(&mut body, value.len(), false);
        body.extend_from_slice(value);
        pos += body.len() - start;
    }
    for (tag, value) in extra {
        body.extend_from_slice(&tag.to_be_bytes());
        push_len(&mut body, value.len(), false);
        body.extend_from_slice(value);
    }
    let mut inner = vec![0xDF, 0x21, 0x08];
    for p in positions {
        inner.extend_from_slice(&p.to_be_bytes());
    }
    inner.extend_from_slice(&body);
    let mut out = vec![0xFF, 0x20];
    push_len(&mut out, inner.len(), long_header);
    out.extend_from_slice(&inner);
    out
}

#[cfg(test)]
mod tests;
