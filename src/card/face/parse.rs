//! EF 0002's layout checked strictly: every field once and bounded, the dates real dates, the
//! offset table equal to where the objects start.

use super::*;

pub(super) fn parse_places(raw: &[u8]) -> Result<[Option<Place>; 10], CardFaceError> {
    let (outer, rest) = tlv::parse_one(raw)?;
    if outer.tag != TAG_FACE || !outer.constructed {
        return Err(CardFaceError::NotCardFace(outer.tag));
    }
    if !is_filler(rest) {
        return Err(CardFaceError::Trailing);
    }
    let mut places: [Option<Place>; 10] = Default::default();
    let mut starts = Vec::new();
    let mut newer = 0;
    let mut pos = outer.header_len;
    let end = outer.total_len();
    while pos < end && !is_filler(&raw[pos..end]) {
        let (t, _) = tlv::parse_one(&raw[pos..end])?;
        let object = pos..pos + t.total_len();
        let value = pos + t.header_len..object.end;
        let tag = u16::try_from(t.tag).map_err(|_| CardFaceError::Unexpected(t.tag))?;
        match index(tag) {
            _ if t.constructed => return Err(CardFaceError::Unexpected(t.tag)),
            Some(i) => {
                let (_, min, max) = FIELDS[i];
                if places[i].is_some() {
                    return Err(CardFaceError::Duplicate(tag));
                }
                if !(min..=max).contains(&t.value.len()) {
                    return Err(CardFaceError::Length {
                        tag,
                        len: t.value.len(),
                        min,
                        max,
                    });
                }
                places[i] = Some(Place {
                    object: object.clone(),
                    value,
                });
            }
            // A field a newer card adds after DF 2A: kept out, bounded.
            None if (0xDF2B..=0xDF3F).contains(&tag) => {
                newer += 1;
                if newer > MAX_NEWER_FIELDS || t.value.len() > 8 * 1024 {
                    return Err(CardFaceError::Unexpected(t.tag));
                }
            }
            None => return Err(CardFaceError::Unexpected(t.tag)),
        }
        if tag != DF_OFFSETS {
            starts.push(object.start);
        }
        pos = object.end;
    }
    check_values(raw, &places, &starts)?;
    Ok(places)
}

/// Every field but the offset table present, the dates and the sex well formed, and the
/// offset table (when present) naming where the objects start.
fn check_values(raw: &[u8], places: &[Option<Place>; 10], starts: &[usize]) -> Result<(), CardFaceError> {
    for (i, (tag, _, _)) in FIELDS.iter().enumerate().skip(1) {
        if places[i].is_none() {
            return Err(CardFaceError::Missing(*tag));
        }
    }
    let value = |tag: u16| {
        let p = places[index(tag).expect("a field")].as_ref().expect("present");
        &raw[p.value.clone()]
    };
    for tag in [DF_BIRTH, DF_EXPIRY] {
        if !is_date(value(tag)) {
            return Err(CardFaceError::Value(tag));
        }
    }
    if !value(DF_SEX)[0].is_ascii_digit() {
        return Err(CardFaceError::Value(DF_SEX));
    }
    // The offset table: one big-endian u16 per following object, counted from the file's
    // first byte (docs/card.md). Checked when present: a file whose table and objects
    // disagree was not written by the card's issuer.
    if let Some(p) = &places[0] {
        let table = &raw[p.value.clone()];
        if table.len() != starts.len() * 2
            || table
                .chunks_exact(2)
                .zip(starts)
                .any(|(c, &s)| u16::from_be_bytes([c[0], c[1]]) as usize != s)
        {
            return Err(CardFaceError::Offsets);
        }
    }
    Ok(())
}
