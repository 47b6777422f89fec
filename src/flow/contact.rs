//! The optional contact e-mail step: what may be typed and when it is well-formed. Checked
//! locally so a typo is caught at the counter, not by a bounced mail later.

use std::fmt;
use zeroize::Zeroizing;

pub const MAX_LEN: usize = 254;

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
}

/// A practical check (RFC 5322 allows more, but counters see typos, not exotic addresses):
/// one `@`, a local part of printable ASCII without spaces, a domain of labels with a dot.
pub fn validate_email(s: &str) -> Result<(), EmailError> {
    if s.is_empty() {
        return Err(EmailError::Empty);
    }
    if s.len() > MAX_LEN {
        return Err(EmailError::TooLong);
    }
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(EmailError::At);
    };
    if local.is_empty() || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
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
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(EmailError::Domain);
    }
    Ok(())
}

/// What is being typed: ASCII only (the address is what a mail server will see), bounded.
pub struct ContactInput(Zeroizing<String>);

impl ContactInput {
    pub fn new() -> ContactInput {
        ContactInput(Zeroizing::new(String::with_capacity(MAX_LEN)))
    }
    pub fn push(&mut self, c: char) {
        if c.is_ascii_graphic() && self.0.len() < MAX_LEN {
            self.0.push(c);
        }
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
        assert_eq!(validate_email(""), Err(EmailError::Empty));
        assert_eq!(validate_email("hanako.example.jp"), Err(EmailError::At));
        assert_eq!(validate_email("a@b@c.jp"), Err(EmailError::At));
        assert_eq!(validate_email("@example.jp"), Err(EmailError::Local));
        assert_eq!(validate_email("a..b@example.jp"), Err(EmailError::Local));
        assert_eq!(validate_email("hanako@example"), Err(EmailError::Domain));
        assert_eq!(validate_email("hanako@-x.jp"), Err(EmailError::Domain));
        assert_eq!(
            validate_email(&format!("{}@example.jp", "a".repeat(250))),
            Err(EmailError::TooLong)
        );
        let mut i = ContactInput::new();
        for c in "あa b".chars() {
            i.push(c);
        }
        assert_eq!(i.as_str(), "ab");
        assert!(!format!("{i:?}").contains("ab"));
    }
}
