//! PINs and passwords typed by the citizen.
//!
//! These types validate on construction (so a typo never reaches the card and never costs a
//! try), zeroize their bytes on drop, and cannot be printed: `Debug` shows only the kind, there
//! is no `Display`, no `Clone`, no `Serialize`. The only way out is [`Secret::expose`], which
//! is crate-private and used to build the VERIFY APDU (whose buffer is zeroizing too).

use std::fmt;
use zeroize::Zeroizing;

/// Longest input we ever accept from a keyboard or stdin line for any PIN kind. Anything longer
/// is refused before it is stored, so a pasted blob cannot grow buffers.
pub const MAX_INPUT: usize = 64;

/// Which PIN rule applies. The texts the UI shows for each rule live in `i18n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinKind {
    /// 券面事項入力補助用暗証番号: 4 digits, 3 tries.
    TextPin,
    /// 署名用電子証明書のパスワード: 6–16 of A–Z 0–9, 5 tries.
    SignPassword,
    /// 利用者証明用電子証明書の暗証番号 (JPKI EF 0018): 4 digits, 3 tries, a counter of its
    /// own. Many citizens set the same four digits as the 券面事項入力補助用暗証番号, but it is
    /// another PIN: never sent without the citizen typing (or explicitly reusing) it.
    AuthPin,
}

impl PinKind {
    pub fn max_tries(self) -> u8 {
        match self {
            PinKind::TextPin | PinKind::AuthPin => 3,
            PinKind::SignPassword => 5,
        }
    }

    pub fn length_range(self) -> (usize, usize) {
        match self {
            PinKind::TextPin | PinKind::AuthPin => (4, 4),
            PinKind::SignPassword => (6, 16),
        }
    }

    /// Whether `c` may be typed at all for this kind (after upper-casing for passwords).
    pub fn accepts_char(self, c: char) -> bool {
        match self {
            PinKind::TextPin | PinKind::AuthPin => c.is_ascii_digit(),
            PinKind::SignPassword => c.is_ascii_digit() || c.is_ascii_alphabetic(),
        }
    }
}

/// Why a typed value is not a well-formed PIN. Carries no part of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PinFormatError {
    #[error("wrong length: {len} characters, expected {min}..={max}")]
    Length { len: usize, min: usize, max: usize },
    #[error("character not allowed at position {position}")]
    Character { position: usize },
    /// The signing password mixes letters and digits: at least one of each (the card
    /// application sites' 英大文字と数字を混在).
    #[error("needs at least one letter and one digit")]
    LettersAndDigits,
}

/// A validated PIN or password. Construct with [`Pin::new`] / [`SignPassword::new`].
pub struct Secret {
    kind: PinKind,
    bytes: Zeroizing<Vec<u8>>,
}

impl Drop for Secret {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        let (ptr, cap) = (self.bytes.as_ptr(), self.bytes.capacity());
        self.bytes.zeroize();
        crate::harden::unlock_buffer(ptr, cap);
    }
}

impl Secret {
    /// Validates `input` against the rule of `kind` (see [`Pin`] / [`SignPassword`]).
    pub fn parse(kind: PinKind, input: &[u8]) -> Result<Secret, PinFormatError> {
        let (min, max) = kind.length_range();
        if input.len() < min || input.len() > max {
            return Err(PinFormatError::Length {
                len: input.len().min(MAX_INPUT),
                min,
                max,
            });
        }
        let mut bytes = Zeroizing::new(Vec::with_capacity(max));
        crate::harden::lock_buffer(bytes.as_ptr(), bytes.capacity());
        for (i, &b) in input.iter().enumerate() {
            let c = match kind {
                // The card compares bytes; clients upper-case the password (card-protocol §8.1).
                PinKind::SignPassword => b.to_ascii_uppercase(),
                PinKind::TextPin | PinKind::AuthPin => b,
            };
            if !c.is_ascii() || !kind.accepts_char(c as char) {
                return Err(PinFormatError::Character { position: i + 1 });
            }
            bytes.push(c);
        }
        if kind == PinKind::SignPassword
            && !(bytes.iter().any(u8::is_ascii_alphabetic) && bytes.iter().any(u8::is_ascii_digit))
        {
            return Err(PinFormatError::LettersAndDigits);
        }
        Ok(Secret { kind, bytes })
    }

    pub fn kind(&self) -> PinKind {
        self.kind
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The ASCII bytes for the VERIFY data field. Crate-private on purpose.
    pub(crate) fn expose(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}([hidden])", self.kind)
    }
}

/// The 4-digit 券面事項入力補助用暗証番号.
pub struct Pin(Secret);

impl Pin {
    pub fn new(input: &[u8]) -> Result<Pin, PinFormatError> {
        Secret::parse(PinKind::TextPin, input).map(Pin)
    }
    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin([hidden])")
    }
}

/// The 4-digit 利用者証明用電子証明書の暗証番号: its own type, so it can't be passed where the
/// 券面事項入力補助用暗証番号 is meant (a try of one PIN is never spent on the other).
pub struct AuthPin(Secret);

impl AuthPin {
    pub fn new(input: &[u8]) -> Result<AuthPin, PinFormatError> {
        Secret::parse(PinKind::AuthPin, input).map(AuthPin)
    }
    /// The validated secret, when it is of the auth PIN's kind (what the flow's input holds).
    pub fn from_secret(secret: Secret) -> Option<AuthPin> {
        (secret.kind() == PinKind::AuthPin).then_some(AuthPin(secret))
    }
    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

impl fmt::Debug for AuthPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthPin([hidden])")
    }
}

/// The signing password (署名用電子証明書のパスワード). Lower case input is upper-cased.
pub struct SignPassword(Secret);

impl SignPassword {
    pub fn new(input: &[u8]) -> Result<SignPassword, PinFormatError> {
        Secret::parse(PinKind::SignPassword, input).map(SignPassword)
    }
    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

impl fmt::Debug for SignPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SignPassword([hidden])")
    }
}

/// 照合番号B of the 券面事項確認AP (PIN EF 0012), which opens the card face (EF 0002): 14
/// ASCII digits, the birth date YYMMDD **as printed on the card** (the 和暦 year for Japanese
/// nationals, the Gregorian two digits on foreign residents' cards), the card's expiry year
/// YYYY and the 4-digit セキュリティコード printed on its face (docs/card.md, "The card face").
///
/// A type of its own, not a [`PinKind`]: it is typed by the clerk from the card, not by the
/// citizen, and opens another application. Like [`Secret`] it is validated before it can reach
/// the card, zeroized on drop, locked in memory, and never printed.
pub struct PinB {
    bytes: Zeroizing<Vec<u8>>,
}

impl PinB {
    /// Length of 照合番号B.
    pub const LEN: usize = 14;

    /// Exactly 14 ASCII digits.
    pub fn new(input: &[u8]) -> Result<PinB, PinFormatError> {
        if input.len() != PinB::LEN {
            return Err(PinFormatError::Length {
                len: input.len().min(MAX_INPUT),
                min: PinB::LEN,
                max: PinB::LEN,
            });
        }
        let mut bytes = Zeroizing::new(Vec::with_capacity(PinB::LEN));
        crate::harden::lock_buffer(bytes.as_ptr(), bytes.capacity());
        for (i, &b) in input.iter().enumerate() {
            if !b.is_ascii_digit() {
                return Err(PinFormatError::Character { position: i + 1 });
            }
            bytes.push(b);
        }
        Ok(PinB { bytes })
    }

    /// From its three parts: the birth date as printed (6 digits, YYMMDD), the expiry year
    /// (4 digits) and the security code (4 digits). An error's position counts in the whole
    /// 14 digits; nothing of the input is kept in it.
    pub fn from_parts(birth_yymmdd: &[u8], expiry_year: &[u8], security_code: &[u8]) -> Result<PinB, PinFormatError> {
        let mut start = 0;
        for (part, len) in [(birth_yymmdd, 6), (expiry_year, 4), (security_code, 4)] {
            if part.len() != len {
                return Err(PinFormatError::Length {
                    len: part.len().min(MAX_INPUT),
                    min: len,
                    max: len,
                });
            }
            if let Some(i) = part.iter().position(|b| !b.is_ascii_digit()) {
                return Err(PinFormatError::Character {
                    position: start + i + 1,
                });
            }
            start += len;
        }
        let mut whole = Zeroizing::new([0u8; PinB::LEN]);
        whole[..6].copy_from_slice(birth_yymmdd);
        whole[6..10].copy_from_slice(expiry_year);
        whole[10..].copy_from_slice(security_code);
        PinB::new(&whole[..])
    }

    /// The ASCII digits for the VERIFY data field. Crate-private on purpose.
    pub(crate) fn expose(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for PinB {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        let (ptr, cap) = (self.bytes.as_ptr(), self.bytes.capacity());
        self.bytes.zeroize();
        crate::harden::unlock_buffer(ptr, cap);
    }
}

impl fmt::Debug for PinB {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinB([hidden])")
    }
}

/// Reads straight from a file descriptor with `read(2)`: no buffer of its own. std's stdin
/// reads ahead into an 8 KiB buffer that would keep a copy of the PIN (and whatever follows
/// it) after the zeroizing buffer is gone.
pub struct FdReader(pub std::os::fd::RawFd);

impl FdReader {
    pub fn stdin() -> FdReader {
        FdReader(libc::STDIN_FILENO)
    }
}

impl std::io::Read for FdReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = unsafe { libc::read(self.0, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }
}

/// Reads one line of secret input from `reader` byte by byte into a fixed, zeroizing buffer
/// (no `String` growth that would leave copies of the PIN in freed memory). Stops at `\n`;
/// strips a trailing `\r`. Input longer than [`MAX_INPUT`] is drained and refused.
pub fn read_secret_line(reader: &mut dyn std::io::Read) -> std::io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(MAX_INPUT + 1));
    let mut byte = Zeroizing::new([0u8; 1]);
    let mut too_long = false;
    let mut any = false;
    loop {
        match reader.read(&mut byte[..]) {
            Ok(0) => break,
            Ok(_) => {
                any = true;
                if byte[0] == b'\n' {
                    break;
                }
                if buf.len() < MAX_INPUT {
                    buf.push(byte[0]);
                } else {
                    too_long = true;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    if !any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    if too_long {
        // Keep the length wrong so validation refuses it, without keeping the content.
        buf.iter_mut().for_each(|b| *b = 0);
        buf.resize(MAX_INPUT + 1, 0);
    }
    Ok(Some(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_accepts_four_digits_only() {
        assert!(Pin::new(b"1234").is_ok());
        assert_eq!(
            Pin::new(b"123").unwrap_err(),
            PinFormatError::Length { len: 3, min: 4, max: 4 }
        );
        assert_eq!(
            Pin::new(b"12345").unwrap_err(),
            PinFormatError::Length { len: 5, min: 4, max: 4 }
        );
        assert_eq!(
            Pin::new(b"12a4").unwrap_err(),
            PinFormatError::Character { position: 3 }
        );
        assert_eq!(
            Pin::new("１２３４".as_bytes()).unwrap_err(),
            PinFormatError::Length {
                len: 12,
                min: 4,
                max: 4
            }
        );
        assert_eq!(
            Pin::new(b"12 4").unwrap_err(),
            PinFormatError::Character { position: 3 }
        );
    }

    #[test]
    fn auth_pin_is_four_digits_of_its_own_kind() {
        let a = AuthPin::new(b"5678").unwrap();
        assert_eq!(a.secret().kind(), PinKind::AuthPin);
        assert_eq!(a.secret().expose(), b"5678");
        assert_eq!(
            AuthPin::new(b"567").unwrap_err(),
            PinFormatError::Length { len: 3, min: 4, max: 4 }
        );
        assert_eq!(
            AuthPin::new(b"56a8").unwrap_err(),
            PinFormatError::Character { position: 3 }
        );
        assert_eq!(PinKind::AuthPin.max_tries(), 3);
        // A text PIN is not an auth PIN, even with the same digits.
        assert!(AuthPin::from_secret(Secret::parse(PinKind::TextPin, b"5678").unwrap()).is_none());
        assert!(AuthPin::from_secret(Secret::parse(PinKind::AuthPin, b"5678").unwrap()).is_some());
        let s = format!("{a:?} {:?}", a.secret());
        assert!(!s.contains("5678") && s.contains("hidden"), "{s}");
    }

    #[test]
    fn password_rules_and_upper_casing() {
        let p = SignPassword::new(b"abc123").unwrap();
        assert_eq!(p.secret().expose(), b"ABC123");
        assert!(SignPassword::new(b"ABCDE").is_err());
        assert!(SignPassword::new(b"ABCDEFGHIJ1234567").is_err());
        assert!(SignPassword::new(b"ABCDEFGHIJ123456").is_ok());
        assert_eq!(
            SignPassword::new(b"ABC-123").unwrap_err(),
            PinFormatError::Character { position: 4 }
        );
        assert!(SignPassword::new("ＡＢＣ１２３".as_bytes()).is_err());
    }

    #[test]
    fn debug_never_shows_content() {
        let p = Pin::new(b"9876").unwrap();
        let s = format!("{p:?} {:?}", p.secret());
        assert!(!s.contains("9876"), "{s}");
        assert!(s.contains("hidden"));
        let w = SignPassword::new(b"secret99").unwrap();
        let s = format!("{w:?} {:?}", w.secret());
        assert!(!s.to_uppercase().contains("SECRET99"), "{s}");
    }

    #[test]
    fn errors_carry_no_input() {
        let e = Pin::new(b"98x6").unwrap_err();
        let s = format!("{e} {e:?}");
        assert!(!s.contains("98") && !s.contains('x'), "{s}");
    }

    #[test]
    fn pin_b_is_fourteen_digits_from_its_three_parts() {
        // card-protocol's test card: 1980-02-17 (昭和55), expiry 2035, code 2285.
        let b = PinB::from_parts(b"550217", b"2035", b"2285").unwrap();
        assert_eq!(b.expose(), b"55021720352285");
        assert_eq!(PinB::new(b"55021720352285").unwrap().expose(), b.expose());
        assert_eq!(
            PinB::new(b"5502172035228").unwrap_err(),
            PinFormatError::Length {
                len: 13,
                min: 14,
                max: 14
            }
        );
        assert_eq!(
            PinB::new("550217203522８".as_bytes()).unwrap_err(),
            PinFormatError::Length {
                len: 15,
                min: 14,
                max: 14
            }
        );
        assert_eq!(
            PinB::new(b"55021720352 85").unwrap_err(),
            PinFormatError::Character { position: 12 }
        );
        // Each part its own length; a position counts in the whole number.
        assert_eq!(
            PinB::from_parts(b"55021", b"2035", b"2285").unwrap_err(),
            PinFormatError::Length { len: 5, min: 6, max: 6 }
        );
        assert_eq!(
            PinB::from_parts(b"550217", b"235", b"2285").unwrap_err(),
            PinFormatError::Length { len: 3, min: 4, max: 4 }
        );
        assert_eq!(
            PinB::from_parts(b"550217", b"2035", b"22x5").unwrap_err(),
            PinFormatError::Character { position: 13 }
        );
        assert_eq!(
            PinB::from_parts(b"550217", b"20-5", b"2285").unwrap_err(),
            PinFormatError::Character { position: 9 }
        );
    }

    #[test]
    fn pin_b_never_prints() {
        let b = PinB::from_parts(b"550217", b"2035", b"2285").unwrap();
        let s = format!("{b:?}");
        assert_eq!(s, "PinB([hidden])");
        let e = PinB::from_parts(b"550217", b"2035", b"22x5").unwrap_err();
        let s = format!("{e} {e:?}");
        assert!(!s.contains("2285") && !s.contains("22x5") && !s.contains("5502"), "{s}");
    }

    #[test]
    fn reads_a_line_and_refuses_overlong() {
        let mut input: &[u8] = b"1234\r\nrest";
        let line = read_secret_line(&mut input).unwrap().unwrap();
        assert_eq!(&line[..], b"1234");
        let long = vec![b'1'; 200];
        let mut input: &[u8] = &long;
        let line = read_secret_line(&mut input).unwrap().unwrap();
        assert!(Pin::new(&line).is_err());
        assert!(line.iter().all(|&b| b == 0));
        let mut empty: &[u8] = b"";
        assert!(read_secret_line(&mut empty).unwrap().is_none());
    }

    #[test]
    fn the_fd_reader_takes_the_line_and_not_a_byte_more() {
        let mut fds = [0; 2];
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let data = b"1234\nNEXT";
        assert_eq!(
            unsafe { libc::write(fds[1], data.as_ptr() as *const libc::c_void, data.len()) },
            9
        );
        unsafe { libc::close(fds[1]) };
        let line = read_secret_line(&mut FdReader(fds[0])).unwrap().unwrap();
        assert_eq!(&line[..], b"1234");
        // No read-ahead: what follows the line is still in the pipe, not in some buffer.
        let mut rest = [0u8; 8];
        let n = unsafe { libc::read(fds[0], rest.as_mut_ptr() as *mut libc::c_void, 8) };
        assert_eq!(&rest[..n as usize], b"NEXT");
        unsafe { libc::close(fds[0]) };
    }
}
