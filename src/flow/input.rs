//! What the citizen has typed into a PIN field: a zeroizing buffer that only takes characters
//! the PIN kind allows (upper-casing password letters), never grows past the kind's maximum,
//! and can't be printed.

use crate::secret::{PinFormatError, PinKind, Secret};
use std::fmt;
use zeroize::Zeroizing;

/// Why a typed character was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a character this field may hold.
    Character,
    /// The field holds its maximum already.
    Full,
}

pub struct SecretInput {
    kind: PinKind,
    text: Zeroizing<String>,
}

impl SecretInput {
    pub fn new(kind: PinKind) -> SecretInput {
        // Capacity fixed up front: pushing never reallocates (no stray copies of the PIN).
        let text = Zeroizing::new(String::with_capacity(32));
        crate::harden::lock_buffer(text.as_ptr(), text.capacity());
        SecretInput { kind, text }
    }

    pub fn kind(&self) -> PinKind {
        self.kind
    }

    /// Adds `c` if this kind allows it and the field has room; otherwise keeps nothing and
    /// says why, so the screen can say it (a key is never dropped without a word).
    pub fn push(&mut self, c: char) -> Result<(), Refused> {
        let c = if self.kind == PinKind::SignPassword {
            c.to_ascii_uppercase()
        } else {
            c
        };
        if !c.is_ascii() || !self.kind.accepts_char(c) {
            return Err(Refused::Character);
        }
        if self.text.len() >= self.kind.length_range().1 {
            return Err(Refused::Full);
        }
        self.text.push(c);
        Ok(())
    }

    pub fn pop(&mut self) {
        self.text.pop();
    }

    pub fn clear(&mut self) {
        // Zeroizing<String> zeroes on drop; overwrite now as well.
        let n = self.text.len();
        self.text.clear();
        self.text.extend(std::iter::repeat_n('\0', n));
        self.text.clear();
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The typed characters, for the reveal toggle only.
    pub fn revealed(&self) -> &str {
        &self.text
    }

    pub fn validate(&self) -> Result<Secret, PinFormatError> {
        Secret::parse(self.kind, self.text.as_bytes())
    }
}

impl Drop for SecretInput {
    fn drop(&mut self) {
        let (ptr, cap) = (self.text.as_ptr(), self.text.capacity());
        self.clear();
        crate::harden::unlock_buffer(ptr, cap);
    }
}

impl fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretInput({:?}, {} chars)", self.kind, self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_only_allowed_characters_up_to_the_maximum() {
        let mut i = SecretInput::new(PinKind::TextPin);
        assert_eq!(i.push('a'), Err(Refused::Character));
        for c in "1234".chars() {
            assert_eq!(i.push(c), Ok(()));
        }
        assert_eq!(
            i.push('5'),
            Err(Refused::Full),
            "a fifth digit is refused, not swallowed"
        );
        assert_eq!(i.revealed(), "1234");
        assert!(i.validate().is_ok());
        i.pop();
        assert!(i.validate().is_err());
        let mut p = SecretInput::new(PinKind::SignPassword);
        for c in "abc12".chars() {
            p.push(c).unwrap();
        }
        assert_eq!(p.push('-'), Err(Refused::Character));
        assert_eq!(p.revealed(), "ABC12");
        assert!(p.validate().is_err());
        p.push('z').unwrap();
        assert_eq!(p.validate().unwrap().len(), 6);
        assert!(!format!("{p:?}").contains("ABC"));
        p.clear();
        assert!(p.is_empty());
    }
}
