//! The 受付番号 a citizen keeps: 8 characters a person can read aloud and copy, derived from
//! the enrollment id (Crockford base32 of the first 40 bits of SHA-256(id): no I, L, O or U,
//! so nothing reads as another character). Shown as `XXXX-XXXX`. The backend derives the same
//! number from the id (docs/backend-api.md); with the date and station it finds the record.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `XXXX-XXXX` for an enrollment id.
pub fn number(enrollment_id: &str) -> String {
    let h = openssl::sha::sha256(enrollment_id.as_bytes());
    let bits = h[..5].iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut out = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            out.push('-');
        }
        out.push(ALPHABET[((bits >> (35 - 5 * i)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_unambiguous_characters_stable_per_id() {
        let a = number("0190c3a0-0000-7000-8000-000000000001");
        assert_eq!(a.len(), 9);
        assert_eq!(&a[4..5], "-");
        assert_eq!(a, number("0190c3a0-0000-7000-8000-000000000001"));
        assert_ne!(a, number("0190c3a0-0000-7000-8000-000000000002"));
        let mut seen = std::collections::HashSet::new();
        for i in 0..2000 {
            let n = number(&format!("id-{i}"));
            assert!(n.chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
            assert!(!n.contains(['I', 'L', 'O', 'U']));
            seen.insert(n);
        }
        assert_eq!(seen.len(), 2000, "40 bits: no collision among a day's records");
    }
}
