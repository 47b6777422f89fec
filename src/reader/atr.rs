//! Decoding an ATR far enough for a support person: protocols, historical bytes, contact or
//! contactless, what the card declares about extended length, and whether the ATR is one seen
//! on My Number Cards. Identification itself goes by AID and token, never by ATR
//! (card-protocol §1.5): the same card shows different ATRs on different readers.

use serde::Serialize;

/// ATRs listed for the My Number Card (card-protocol §1.2).
const KNOWN: [(&[u8], &str); 6] = [
    (
        &[
            0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x05, 0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x7F,
        ],
        "contactless",
    ),
    (
        &[
            0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x41, 0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x3B,
        ],
        "contactless",
    ),
    (
        &[
            0x3B, 0x88, 0x80, 0x01, 0x00, 0x4B, 0x51, 0xFF, 0xB3, 0x81, 0xD1, 0x00, 0x0F,
        ],
        "contactless",
    ),
    (
        &[
            0x3B, 0x88, 0x80, 0x01, 0x00, 0x4B, 0x51, 0xFF, 0x00, 0x81, 0xD1, 0x00, 0xBC,
        ],
        "contactless",
    ),
    (
        &[
            0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6, 0x01, 0xC0,
            0x3B,
        ],
        "contact",
    ),
    (
        &[
            0x3B, 0xC5, 0xFF, 0x81, 0x31, 0xFB, 0x45, 0x80, 0x73, 0xC6, 0x01, 0x00, 0x00,
        ],
        "contact",
    ),
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AtrSummary {
    /// Protocols offered, e.g. ["T=1"].
    pub protocols: Vec<String>,
    /// Historical bytes, hex.
    pub historical_bytes: String,
    /// "contact", "contactless" or "unknown".
    pub interface: String,
    /// Extended Lc/Le declared in the card capabilities (compact-TLV tag 7), when present.
    pub declares_extended_length: Option<bool>,
    /// The ATR is one listed for My Number Cards (a hint; identification is by AID).
    pub known_my_number_atr: bool,
    /// The ATR's structure is inconsistent (too short, missing bytes).
    pub malformed: bool,
}

pub fn decode(atr: &[u8]) -> AtrSummary {
    let mut s = AtrSummary {
        protocols: Vec::new(),
        historical_bytes: String::new(),
        interface: "unknown".into(),
        declares_extended_length: None,
        known_my_number_atr: KNOWN.iter().any(|(k, _)| *k == atr),
        malformed: false,
    };
    if let Some((_, iface)) = KNOWN.iter().find(|(k, _)| *k == atr) {
        s.interface = (*iface).into();
    }
    if atr.len() < 2 {
        s.malformed = true;
        return s;
    }
    let t0 = atr[1];
    let k = (t0 & 0x0F) as usize;
    let mut y = t0 >> 4;
    let mut pos = 2;
    let mut protocols = Vec::new();
    loop {
        for bit in [0x1, 0x2, 0x4] {
            if y & bit != 0 {
                pos += 1;
            }
        }
        if y & 0x8 == 0 {
            break;
        }
        let Some(&td) = atr.get(pos) else {
            s.malformed = true;
            return s;
        };
        pos += 1;
        let t = td & 0x0F;
        if !protocols.contains(&t) {
            protocols.push(t);
        }
        y = td >> 4;
    }
    if protocols.is_empty() {
        protocols.push(0);
    }
    s.protocols = protocols
        .iter()
        .filter(|t| **t != 15)
        .map(|t| format!("T={t}"))
        .collect();
    let Some(hist) = atr.get(pos..pos + k) else {
        s.malformed = true;
        return s;
    };
    s.historical_bytes = super::hex(hist);
    // PC/SC part 3 builds contactless ATRs as 3B 8n 80 01 <historical> TCK.
    if atr.len() >= 4 && atr[0] == 0x3B && atr[1] & 0xF0 == 0x80 && atr[2] == 0x80 && atr[3] == 0x01 {
        s.interface = "contactless".into();
        // TD1 = 80 is the formal "T=0, TD2 follows"; the reader speaks ISO 14443-4 as T=1.
        s.protocols = vec!["T=1".into()];
    } else if s.interface == "unknown" && !s.malformed {
        s.interface = "contact".into();
    }
    if hist.first() == Some(&0x80) {
        let mut i = 1;
        while i < hist.len() {
            let tag = hist[i] >> 4;
            let len = (hist[i] & 0x0F) as usize;
            let Some(v) = hist.get(i + 1..i + 1 + len) else { break };
            if tag == 7 && len >= 3 {
                s.declares_extended_length = Some(v[2] & 0x40 != 0);
            }
            i += 1 + len;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_my_number_atr() {
        let s = decode(&[
            0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6, 0x01, 0xC0,
            0x3B,
        ]);
        assert_eq!(s.protocols, vec!["T=1"]);
        assert_eq!(s.historical_bytes, "80 12 39 2F 31 C1 73 C6 01 C0");
        assert_eq!(s.interface, "contact");
        assert_eq!(s.declares_extended_length, Some(true));
        assert!(s.known_my_number_atr && !s.malformed);
    }

    #[test]
    fn contactless_and_unknown_atrs() {
        let s = decode(&[
            0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x05, 0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x7F,
        ]);
        assert_eq!(
            (s.interface.as_str(), s.protocols.clone()),
            ("contactless", vec!["T=1".to_string()])
        );
        assert_eq!(s.historical_bytes, "00 00 05 E0 B3 81 A1 00");
        let s = decode(&[
            0x3B, 0xC5, 0xFF, 0x81, 0x31, 0xFB, 0x45, 0x80, 0x73, 0xC6, 0x01, 0x00, 0x00,
        ]);
        assert_eq!(s.declares_extended_length, Some(false));
        let s = decode(&[0x3B, 0x02, 0x14, 0x50]);
        assert_eq!(s.protocols, vec!["T=0"]);
        assert!(!s.known_my_number_atr);
        assert!(decode(&[0x3B, 0xDA, 0x13]).malformed);
        assert!(decode(&[0x3B]).malformed);
    }
}
