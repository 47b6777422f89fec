//! The four items in a JPKI signing certificate: subjectAltName otherNames
//! `1.2.392.200149.8.5.5.1`–`.6` (card-protocol §11.3), read with the lenient DER reader.
//! Values are personal data: the result type zeroizes and hides itself like `BasicFour`.

use super::basic4::PersonalText;
use super::tlv;
use std::fmt;

const OID_SAN: [u8; 3] = [0x55, 0x1D, 0x11];

#[derive(Clone, Default, PartialEq, Eq)]
pub struct SanFour {
    pub name: Option<PersonalText>,
    /// `.2`: one `0`/`1` per character of `name`, `1` where J-LIS put a substitute character.
    pub name_flags: Option<String>,
    /// `1` male, `2` female, `3` unknown.
    pub gender: Option<String>,
    /// Era digit + Gregorian `YYYYMMDD`.
    pub birth: Option<String>,
    pub address: Option<PersonalText>,
    /// `.6`: substitute-character flags of `address`.
    pub address_flags: Option<String>,
}

impl fmt::Debug for SanFour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SanFour([personal data hidden])")
    }
}

impl Drop for SanFour {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.name_flags.zeroize();
        self.gender.zeroize();
        self.birth.zeroize();
        self.address_flags.zeroize();
    }
}

impl SanFour {
    /// Birth date as `YYYY-MM-DD` (the era digit dropped).
    pub fn birth_iso(&self) -> Option<String> {
        let b = self.birth.as_deref()?;
        let d = b.get(b.len().checked_sub(8)?..)?;
        Some(format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8]))
    }
}

/// Dotted form of a DER OID body.
pub fn oid_string(body: &[u8]) -> Option<String> {
    let (&first, rest) = body.split_first()?;
    let mut parts = vec![
        (first / 40).min(2) as u64,
        (first as u64).saturating_sub(40 * (first / 40).min(2) as u64),
    ];
    let mut acc: u64 = 0;
    for &b in rest {
        acc = acc.checked_mul(128)? | (b & 0x7F) as u64;
        if b & 0x80 == 0 {
            parts.push(acc);
            acc = 0;
        }
    }
    Some(parts.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("."))
}

fn children(v: &[u8]) -> Vec<tlv::Tlv<'_>> {
    tlv::iter(v).map_while(Result::ok).collect()
}

/// Reads the four items from a certificate (DER). Missing items stay `None`; a certificate
/// that isn't DER at all gives `None`.
pub fn san_four(cert_der: &[u8]) -> Option<SanFour> {
    let (cert, _) = tlv::parse_one(cert_der).ok()?;
    let tbs = children(cert.value).into_iter().next()?;
    let ext_wrapper = children(tbs.value).into_iter().find(|t| t.tag == 0xA3)?;
    let exts = children(ext_wrapper.value).into_iter().next()?;
    let mut out = SanFour::default();
    for ext in children(exts.value) {
        let parts = children(ext.value);
        let (Some(oid), Some(value)) = (parts.first(), parts.last()) else {
            continue;
        };
        if oid.tag != 0x06 || oid.value != OID_SAN || value.tag != 0x04 {
            continue;
        }
        let Ok((names, _)) = tlv::parse_one(value.value) else {
            continue;
        };
        for gn in children(names.value) {
            if gn.tag != 0xA0 {
                continue; // only otherName
            }
            let inner = children(gn.value);
            let (Some(type_id), Some(explicit)) = (inner.first(), inner.get(1)) else {
                continue;
            };
            let Some(text_tlv) = children(explicit.value).into_iter().next() else {
                continue;
            };
            // UTF8String in every certificate seen; BMPString (UTF-16BE) is read too.
            let bmp;
            let text = if text_tlv.tag == 0x1E {
                let units: Vec<u16> = text_tlv
                    .value
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect();
                let Ok(t) = String::from_utf16(&units) else { continue };
                bmp = zeroize::Zeroizing::new(t);
                bmp.as_str()
            } else {
                let Ok(t) = std::str::from_utf8(text_tlv.value) else {
                    continue;
                };
                t
            };
            match oid_string(type_id.value).as_deref() {
                Some("1.2.392.200149.8.5.5.1") => out.name = Some(PersonalText::new(text)),
                Some("1.2.392.200149.8.5.5.2") => out.name_flags = Some(text.to_string()),
                Some("1.2.392.200149.8.5.5.3") => out.gender = Some(text.to_string()),
                Some("1.2.392.200149.8.5.5.4") => out.birth = Some(text.to_string()),
                Some("1.2.392.200149.8.5.5.5") => out.address = Some(PersonalText::new(text)),
                Some("1.2.392.200149.8.5.5.6") => out.address_flags = Some(text.to_string()),
                _ => {} // furigana and anything newer
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::vcard::{pki::TestPki, profile::Profile};

    #[test]
    fn reads_the_four_items_of_a_test_certificate() {
        let pki = TestPki::generate().unwrap();
        let p = Profile::named("takahashi").unwrap();
        let keys = pki.issue(&p).unwrap();
        let der = keys.sign_cert.unwrap().to_der().unwrap();
        let s = san_four(&der).unwrap();
        // J-LIS writes 高 for the chip's 髙 and flags the position.
        assert_eq!(s.name.as_ref().unwrap().as_str(), "高橋\u{3000}誠");
        assert_eq!(s.name_flags.as_deref(), Some("1000"));
        assert_eq!(
            s.address_flags.as_deref(),
            Some(&*"0".repeat(p.address.chars().count()))
        );
        assert_eq!(s.address.as_ref().unwrap().as_str(), p.address);
        assert_eq!(s.gender.as_deref(), Some("3"), "chip 9 becomes 3 in the certificate");
        assert_eq!(s.birth.as_deref(), Some("319890107"));
        assert_eq!(s.birth_iso().as_deref(), Some("1989-01-07"));
        assert!(!format!("{s:?}").contains("髙橋"));
        // The auth certificate carries none.
        let auth = san_four(&keys.auth_cert.to_der().unwrap());
        assert!(auth.is_none_or(|a| a.name.is_none()));
        assert!(san_four(b"not a certificate").is_none());
        assert_eq!(oid_string(&[0x55, 0x1D, 0x11]).as_deref(), Some("2.5.29.17"));
    }
}
