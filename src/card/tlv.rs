//! A lenient BER-TLV reader for what the card returns.
//!
//! The card is not strict DER (card-protocol §9): it writes tag 16 in the long form (`FF 10`)
//! and lengths with leading zeros (`82 00 9F`). We accept both, and refuse what would make a
//! length ambiguous or unbounded (indefinite length, more than 4 length bytes, tags over 3
//! bytes). Every function returns a typed error and never panics on any input.

use thiserror::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum TlvError {
    #[error("data ends inside a tag or length header")]
    TruncatedHeader,
    #[error("value needs {needed} bytes but only {available} are present")]
    TruncatedValue { needed: usize, available: usize },
    #[error("indefinite or oversized length field")]
    BadLength,
    #[error("tag longer than 3 bytes")]
    BadTag,
}

/// One decoded element. `tag` holds the raw tag bytes big-endian (`0xDF22`, `0xFF20`, `0x30`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u32,
    pub constructed: bool,
    pub header_len: usize,
    pub value: &'a [u8],
}

/// Tag and length only: values are card data.
impl std::fmt::Debug for Tlv<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tlv({:#X}, {} bytes)", self.tag, self.value.len())
    }
}

impl Tlv<'_> {
    /// Header plus value length: how many bytes of the input this element covers.
    pub fn total_len(&self) -> usize {
        self.header_len + self.value.len()
    }
}

/// Reads a tag and a length. Returns (tag, constructed, header length, value length). Needs only
/// the header bytes to be present, so it sizes a file from its first few bytes.
pub fn read_header(input: &[u8]) -> Result<(u32, bool, usize, usize), TlvError> {
    let first = *input.first().ok_or(TlvError::TruncatedHeader)?;
    let constructed = first & 0x20 != 0;
    let mut tag = first as u32;
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input.get(pos).ok_or(TlvError::TruncatedHeader)?;
            pos += 1;
            if pos > 3 {
                return Err(TlvError::BadTag);
            }
            tag = (tag << 8) | b as u32;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let lb = *input.get(pos).ok_or(TlvError::TruncatedHeader)?;
    pos += 1;
    let len = if lb < 0x80 {
        lb as usize
    } else {
        let n = (lb & 0x7F) as usize;
        if n == 0 || n > 4 {
            return Err(TlvError::BadLength);
        }
        let bytes = input.get(pos..pos + n).ok_or(TlvError::TruncatedHeader)?;
        pos += n;
        // Leading zeros are allowed (the card writes `82 00 9F`).
        bytes.iter().fold(0usize, |acc, &b| (acc << 8) | b as usize)
    };
    Ok((tag, constructed, pos, len))
}

/// Parses the element at the start of `input`. Returns it and the bytes after it.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let (tag, constructed, header_len, len) = read_header(input)?;
    let available = input.len() - header_len;
    if len > available {
        return Err(TlvError::TruncatedValue { needed: len, available });
    }
    let value = &input[header_len..header_len + len];
    Ok((
        Tlv {
            tag,
            constructed,
            header_len,
            value,
        },
        &input[header_len + len..],
    ))
}

/// Iterates over consecutive elements in `input`, stopping at the first error.
pub fn iter(input: &[u8]) -> impl Iterator<Item = Result<Tlv<'_>, TlvError>> {
    let mut rest = input;
    let mut failed = false;
    std::iter::from_fn(move || {
        if rest.is_empty() || failed {
            return None;
        }
        match parse_one(rest) {
            Ok((tlv, r)) => {
                rest = r;
                Some(Ok(tlv))
            }
            Err(e) => {
                failed = true;
                Some(Err(e))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_form_tag_and_non_minimal_length() {
        // Declares 3 bytes of value but 4 follow: the element ends after 3.
        let data = [0xFF, 0x20, 0x82, 0x00, 0x03, 0xDF, 0x25, 0x01, 0x31];
        let (t, rest) = parse_one(&data).unwrap();
        assert_eq!((t.value.len(), rest), (3, &[0x31][..]));
        let (t, rest) = parse_one(&[0xFF, 0x20, 0x82, 0x00, 0x03, 0xDF, 0x25, 0x00, 0xAA]).unwrap();
        assert_eq!(t.tag, 0xFF20);
        assert!(t.constructed);
        assert_eq!(t.header_len, 5);
        assert_eq!(t.value, &[0xDF, 0x25, 0x00]);
        assert_eq!(rest, &[0xAA]);
        let (t, _) = parse_one(&[
            0xFF, 0x10, 0x0C, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x30, 0x31, 0x38,
        ])
        .unwrap();
        assert_eq!(t.tag, 0xFF10);
        assert_eq!(t.value.len(), 12);
    }

    #[test]
    fn der_certificate_header() {
        assert_eq!(read_header(&[0x30, 0x82, 0x06, 0xCA]).unwrap(), (0x30, true, 4, 0x06CA));
        assert_eq!(read_header(&[0x30, 0x81, 0x80]).unwrap(), (0x30, true, 3, 0x80));
    }

    #[test]
    fn refuses_what_is_ambiguous() {
        assert_eq!(read_header(&[]), Err(TlvError::TruncatedHeader));
        assert_eq!(read_header(&[0xDF]), Err(TlvError::TruncatedHeader));
        assert_eq!(read_header(&[0xDF, 0x22]), Err(TlvError::TruncatedHeader));
        assert_eq!(read_header(&[0x30, 0x80]), Err(TlvError::BadLength));
        assert_eq!(read_header(&[0x30, 0x85, 0, 0, 0, 0, 1]), Err(TlvError::BadLength));
        assert_eq!(read_header(&[0x30, 0x82, 0x01]), Err(TlvError::TruncatedHeader));
        assert_eq!(
            read_header(&[0xDF, 0x81, 0x81, 0x81, 0x01, 0x00]),
            Err(TlvError::BadTag)
        );
        assert_eq!(
            parse_one(&[0xDF, 0x22, 0x05, 1, 2]).unwrap_err(),
            TlvError::TruncatedValue {
                needed: 5,
                available: 2
            }
        );
    }

    #[test]
    fn iterates_and_stops_on_error() {
        let data = [0xDF, 0x24, 0x01, 0x31, 0xDF, 0x25, 0x01, 0x32, 0xDF];
        let items: Vec<_> = iter(&data).collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].unwrap().tag, 0xDF24);
        assert_eq!(items[1].unwrap().value, &[0x32]);
        assert!(items[2].is_err());
    }
}
