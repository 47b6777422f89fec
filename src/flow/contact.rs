//! The optional contact e-mail step: what may be typed and when it is well-formed. Checked
//! locally so a typo is caught at the counter, not by a bounced mail later.

use std::fmt;
use zeroize::Zeroizing;

/// Like the seed services' forms: longer addresses are typos more often than real.
pub const MAX_LEN: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    /// No `@`, or more than one.
    At,
    /// Nothing before the `@`.
    Local,
    /// The part after `@` is not a host name with a dot.
    Domain,
    TooLong,
    /// The second entry differs from the first.
    Mismatch,
    /// A character an address can't hold here was typed (and not taken).
    Character,
}

/// A practical check (RFC 5322 allows more, but counters see typos, not exotic addresses):
/// one `@`, a local part of printable ASCII without spaces (`+` tags included), a domain of
/// labels with a dot; labels may be internationalised (IDN, kept as typed: the backend turns
/// them into punycode when it sends mail). Consecutive dots and a dot before the `@` are taken:
/// docomo and au issued such addresses until 2009 and they still receive mail
/// ([`carrier_legacy`] says so, and the screen warns).
pub fn validate_email(s: &str) -> Result<(), EmailError> {
    if s.is_empty() {
        return Err(EmailError::Empty);
    }
    if s.chars().count() > MAX_LEN {
        return Err(EmailError::TooLong);
    }
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(EmailError::At);
    };
    if local.is_empty() || local.starts_with('.') {
        return Err(EmailError::Local);
    }
    if !local
        .chars()
        .all(|c| c.is_ascii_graphic() && !"()<>[]\\,;:\"".contains(c))
    {
        return Err(EmailError::Local);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld_ok = labels.last().is_some_and(|t| !t.chars().all(|c| c.is_ascii_digit()));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(EmailError::Domain);
    }
    Ok(())
}

/// An address in the form docomo and au issued until 2009 (consecutive dots, or a dot right
/// before the `@`): valid for them, refused by some senders' software.
pub fn carrier_legacy(s: &str) -> bool {
    let local = s.split('@').next().unwrap_or("");
    local.contains("..") || (local.ends_with('.') && s.contains('@'))
}

/// What is being typed, bounded. Full-width letters and digits from an IME become ASCII (a
/// Japanese keyboard left in 全角 is the commonest typo); non-ASCII letters are taken only after
/// the `@` (an internationalised domain), never in the local part.
pub struct ContactInput(Zeroizing<String>);

impl ContactInput {
    pub fn new() -> ContactInput {
        ContactInput(Zeroizing::new(String::with_capacity(MAX_LEN * 4)))
    }
    /// Takes `c`, or says why not (the screen shows it: a key is never dropped silently).
    pub fn push(&mut self, c: char) -> Result<(), EmailError> {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        };
        let ok = c.is_ascii_graphic() || (c.is_alphanumeric() && self.0.contains('@'));
        if !ok {
            return Err(EmailError::Character);
        }
        // Bytes, not characters: the buffer never grows past its capacity.
        if self.0.len() + c.len_utf8() > self.0.capacity() || self.0.chars().count() >= MAX_LEN {
            return Err(EmailError::TooLong);
        }
        self.0.push(c);
        Ok(())
    }
    pub fn pop(&mut self) {
        self.0.pop();
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Default for ContactInput {
    fn default() -> Self {
        ContactInput::new()
    }
}

impl fmt::Debug for ContactInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContactInput({} chars)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(validate_email("hanako.sato@example.jp").is_ok());
        assert!(validate_email("a+b@mail.example.co.jp").is_ok());
        assert!(validate_email("hanako+counter@例え.テスト").is_ok(), "IDN domain");
        assert!(validate_email("はなこ@example.jp").is_err(), "no IDN local part");
        assert_eq!(validate_email("a@example.123"), Err(EmailError::Domain));
        assert_eq!(validate_email(""), Err(EmailError::Empty));
        assert_eq!(validate_email("hanako.example.jp"), Err(EmailError::At));
        assert_eq!(validate_email("a@b@c.jp"), Err(EmailError::At));
        assert_eq!(validate_email("@example.jp"), Err(EmailError::Local));
        assert_eq!(validate_email(".a@example.jp"), Err(EmailError::Local));
        assert_eq!(validate_email("hanako@example"), Err(EmailError::Domain));
        assert_eq!(validate_email("hanako@-x.jp"), Err(EmailError::Domain));
        assert_eq!(
            validate_email(&format!("{}@example.jp", "a".repeat(90))),
            Err(EmailError::TooLong)
        );
        let mut i = ContactInput::new();
        let refused: Vec<_> = "あa b".chars().map(|c| i.push(c)).collect();
        assert_eq!(i.as_str(), "ab");
        assert_eq!(
            refused,
            [Err(EmailError::Character), Ok(()), Err(EmailError::Character), Ok(())],
            "refused keys are said, not dropped"
        );
        let mut w = ContactInput::new();
        for c in "ｈａｎａｋｏ＠例え.jp".chars() {
            w.push(c).unwrap();
        }
        assert_eq!(w.as_str(), "hanako@例え.jp", "full-width to ASCII, IDN after @");
        assert!(!format!("{i:?}").contains("ab"));
        let mut full = ContactInput::new();
        for _ in 0..MAX_LEN {
            full.push('a').unwrap();
        }
        assert_eq!(full.push('a'), Err(EmailError::TooLong));
    }

    #[test]
    fn docomo_and_au_addresses_of_before_2009_are_taken_and_known() {
        for a in ["hanako..mama.@docomo.ne.jp", "taro.@ezweb.ne.jp", "a...b@docomo.ne.jp"] {
            assert_eq!(validate_email(a), Ok(()), "{a}");
            assert!(carrier_legacy(a), "{a}");
        }
        assert!(!carrier_legacy("hanako.sato@example.jp"));
        assert!(!carrier_legacy("hanako."), "no @ yet: not a finished address");
    }
}
