//! ISO 7816-4 command and response APDUs.
//!
//! Data fields are held in zeroizing buffers: a VERIFY carries a PIN, a READ BINARY answer
//! carries personal data. `Display`/`Debug` of a command show the header only, and never the
//! data of a VERIFY (`VERIFY [hidden]`); a response shows its length and status word only.

use std::fmt;
use zeroize::Zeroizing;

pub const INS_SELECT: u8 = 0xA4;
pub const INS_READ_BINARY: u8 = 0xB0;
pub const INS_VERIFY: u8 = 0x20;
pub const INS_SIGN: u8 = 0x2A;
pub const INS_GET_RESPONSE: u8 = 0xC0;

/// Largest Ne a short APDU can ask for.
pub const SHORT_MAX_NE: usize = 256;
/// Largest Ne an extended APDU can ask for.
pub const EXTENDED_MAX_NE: usize = 65536;

/// A command APDU. Build one with the constructors; the fields are read-only outside.
pub struct Command {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: Zeroizing<Vec<u8>>,
    /// Expected response length Ne (0 = no Le field).
    ne: usize,
}

impl Command {
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8], ne: usize) -> Command {
        Command {
            cla,
            ins,
            p1,
            p2,
            data: Zeroizing::new(data.to_vec()),
            ne,
        }
    }

    /// `00 A4 04 0C Lc <AID>`: select a DF by name, no FCI.
    pub fn select_df(aid: &[u8]) -> Command {
        Command::new(0x00, INS_SELECT, 0x04, 0x0C, aid, 0)
    }

    /// `00 A4 02 0C 02 <FID>`: select an EF under the current DF, no FCI.
    pub fn select_ef(fid: u16) -> Command {
        Command::new(0x00, INS_SELECT, 0x02, 0x0C, &fid.to_be_bytes(), 0)
    }

    /// `00 B0 P1 P2 Le`: read `ne` bytes at `offset` of the current EF.
    pub fn read_binary(offset: u16, ne: usize) -> Command {
        let [p1, p2] = offset.to_be_bytes();
        Command::new(0x00, INS_READ_BINARY, p1 & 0x7F, p2, &[], ne)
    }

    /// `00 20 00 80`: ask for the retry counter of the current PIN EF. Spends no try.
    pub fn verify_query() -> Command {
        Command::new(0x00, INS_VERIFY, 0x00, 0x80, &[], 0)
    }

    /// `00 20 00 80 Lc <PIN>`: the data is moved into a zeroizing buffer.
    pub fn verify(secret: &crate::secret::Secret) -> Command {
        Command::new(0x00, INS_VERIFY, 0x00, 0x80, secret.expose(), 0)
    }

    /// `00 20 00 80 0E <14 digits>`: VERIFY of 照合番号B (券面事項確認AP EF 0012).
    pub fn verify_pin_b(pin: &crate::secret::PinB) -> Command {
        Command::new(0x00, INS_VERIFY, 0x00, 0x80, pin.expose(), 0)
    }

    /// `80 2A 00 80 Lc <DigestInfo> 00`: COMPUTE DIGITAL SIGNATURE with the selected key EF.
    pub fn sign(digest_info: &[u8]) -> Command {
        Command::new(0x80, INS_SIGN, 0x00, 0x80, digest_info, SHORT_MAX_NE)
    }

    /// `00 C0 00 00 Le`.
    pub fn get_response(ne: usize) -> Command {
        Command::new(0x00, INS_GET_RESPONSE, 0x00, 0x00, &[], ne)
    }

    pub fn cla(&self) -> u8 {
        self.cla
    }
    pub fn ins(&self) -> u8 {
        self.ins
    }
    pub fn p1(&self) -> u8 {
        self.p1
    }
    pub fn p2(&self) -> u8 {
        self.p2
    }
    pub fn ne(&self) -> usize {
        self.ne
    }
    pub fn data(&self) -> &[u8] {
        &self.data
    }
    pub fn with_ne(mut self, ne: usize) -> Command {
        self.ne = ne;
        self
    }

    /// True when the data field is secret (a PIN): logging and tracing must hide it.
    pub fn carries_secret(&self) -> bool {
        self.ins == INS_VERIFY && !self.data.is_empty()
    }

    /// Whether this command needs the extended form (Lc > 255 or Ne > 256).
    pub fn needs_extended(&self) -> bool {
        self.data.len() > 255 || self.ne > SHORT_MAX_NE
    }

    /// Encodes the command. Short form unless `needs_extended()`. The returned buffer zeroizes
    /// itself, because for VERIFY it holds the PIN.
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(4 + 3 + self.data.len() + 3));
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        let lc = self.data.len();
        if !self.needs_extended() {
            if lc > 0 {
                out.push(lc as u8);
                out.extend_from_slice(&self.data);
            }
            if self.ne > 0 {
                out.push(if self.ne == SHORT_MAX_NE { 0 } else { self.ne as u8 });
            }
        } else {
            out.push(0x00);
            if lc > 0 {
                out.extend_from_slice(&(lc as u16).to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if self.ne > 0 {
                let le = if self.ne >= EXTENDED_MAX_NE { 0 } else { self.ne as u16 };
                out.extend_from_slice(&le.to_be_bytes());
            }
        }
        out
    }

    /// Parses an encoded command (used by the virtual card). Returns None if malformed.
    pub fn decode(raw: &[u8]) -> Option<Command> {
        if raw.len() < 4 {
            return None;
        }
        let (cla, ins, p1, p2) = (raw[0], raw[1], raw[2], raw[3]);
        let body = &raw[4..];
        let (data, ne): (&[u8], usize) = match body.len() {
            0 => (&[], 0),
            1 => (&[], if body[0] == 0 { 256 } else { body[0] as usize }),
            _ if body[0] != 0 => {
                let lc = body[0] as usize;
                match body.len() - 1 {
                    n if n == lc => (&body[1..], 0),
                    n if n == lc + 1 => {
                        let le = body[1 + lc];
                        (&body[1..1 + lc], if le == 0 { 256 } else { le as usize })
                    }
                    _ => return None,
                }
            }
            3 => {
                // Extended, no data, Le only: 00 Le1 Le2.
                let le = u16::from_be_bytes([body[1], body[2]]) as usize;
                (&[], if le == 0 { 65536 } else { le })
            }
            n if n >= 3 => {
                let lc = u16::from_be_bytes([body[1], body[2]]) as usize;
                if lc == 0 {
                    return None;
                }
                match n - 3 {
                    m if m == lc => (&body[3..], 0),
                    m if m == lc + 2 => {
                        let le = u16::from_be_bytes([body[3 + lc], body[4 + lc]]) as usize;
                        (&body[3..3 + lc], if le == 0 { 65536 } else { le })
                    }
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(Command::new(cla, ins, p1, p2, data, ne))
    }

    fn name(&self) -> &'static str {
        match (self.cla, self.ins) {
            (_, INS_SELECT) => "SELECT",
            (_, INS_READ_BINARY) => "READ BINARY",
            (_, INS_VERIFY) => "VERIFY",
            (0x80, INS_SIGN) => "COMPUTE DIGITAL SIGNATURE",
            (_, INS_GET_RESPONSE) => "GET RESPONSE",
            _ => "APDU",
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:02X} {:02X} {:02X} {:02X}",
            self.name(),
            self.cla,
            self.ins,
            self.p1,
            self.p2
        )?;
        if self.carries_secret() {
            // Not even the length: it would tell a 4-digit PIN from a password's length.
            return f.write_str(" [hidden]");
        }
        match self.ins {
            // SELECT data are public identifiers (AID / FID) and help diagnostics.
            INS_SELECT => {
                f.write_str(" ")?;
                for b in self.data.iter() {
                    write!(f, "{b:02X}")?;
                }
            }
            _ if !self.data.is_empty() => write!(f, " Lc={}", self.data.len())?,
            _ => {}
        }
        if self.ne > 0 {
            write!(f, " Ne={}", self.ne)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A status word SW1 SW2.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    pub const OK: StatusWord = StatusWord(0x9000);
    pub const END_OF_FILE_WARNING: StatusWord = StatusWord(0x6282);
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    pub const SECURITY_STATUS: StatusWord = StatusWord(0x6982);
    pub const AUTH_BLOCKED: StatusWord = StatusWord(0x6983);
    pub const REF_DATA_UNUSABLE: StatusWord = StatusWord(0x6984);
    pub const CONDITIONS_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    pub const COMMAND_NOT_ALLOWED: StatusWord = StatusWord(0x6986);
    pub const WRONG_DATA: StatusWord = StatusWord(0x6A80);
    pub const FUNC_NOT_SUPPORTED: StatusWord = StatusWord(0x6A81);
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);
    pub const WRONG_P1P2: StatusWord = StatusWord(0x6A86);
    pub const REF_NOT_FOUND: StatusWord = StatusWord(0x6A88);
    pub const WRONG_OFFSET: StatusWord = StatusWord(0x6B00);
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    pub const UNKNOWN: StatusWord = StatusWord(0x6F00);

    pub fn new(sw1: u8, sw2: u8) -> StatusWord {
        StatusWord(u16::from_be_bytes([sw1, sw2]))
    }
    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }
    pub fn sw2(self) -> u8 {
        self.0 as u8
    }
    pub fn is_ok(self) -> bool {
        self == StatusWord::OK
    }
    /// `63 Cx`: x tries left.
    pub fn retries(self) -> Option<u8> {
        (self.sw1() == 0x63 && self.sw2() & 0xF0 == 0xC0).then_some(self.sw2() & 0x0F)
    }
    pub fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X} {:02X}", self.sw1(), self.sw2())
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SW({self})")
    }
}

/// A response APDU: data (zeroizing: it may be personal data) and the status word.
pub struct Response {
    pub data: Zeroizing<Vec<u8>>,
    pub sw: StatusWord,
}

impl Response {
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Response {
        Response {
            data: Zeroizing::new(data),
            sw,
        }
    }

    pub fn status(sw: StatusWord) -> Response {
        Response::new(Vec::new(), sw)
    }

    /// Splits raw bytes `data || SW1 SW2`. None when shorter than 2 bytes.
    pub fn from_raw(raw: &[u8]) -> Option<Response> {
        if raw.len() < 2 {
            return None;
        }
        let (data, sw) = raw.split_at(raw.len() - 2);
        Some(Response::new(data.to_vec(), StatusWord::new(sw[0], sw[1])))
    }

    pub fn to_raw(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(self.data.len() + 2));
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Response({} bytes, {})", self.data.len(), self.sw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Pin;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02X}")).collect()
    }

    #[test]
    fn encodes_the_documented_bytes() {
        let aid = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
        assert_eq!(
            hex(&Command::select_df(&aid).encode()),
            "00A4040C0AD3921000310001010408"
        );
        assert_eq!(hex(&Command::select_ef(0x0011).encode()), "00A4020C020011");
        assert_eq!(hex(&Command::verify_query().encode()), "00200080");
        assert_eq!(hex(&Command::read_binary(0, 256).encode()), "00B0000000");
        assert_eq!(hex(&Command::read_binary(0x0104, 4).encode()), "00B0010404");
        // Extended Le, no data: 00 then two bytes.
        assert_eq!(hex(&Command::read_binary(4, 0x061F).encode()), "00B0000400061F");
        assert_eq!(hex(&Command::read_binary(0, 65536).encode()), "00B00000000000");
        let pin = Pin::new(b"1234").unwrap();
        assert_eq!(hex(&Command::verify(pin.secret()).encode()), "002000800431323334");
        let sig = Command::sign(&[0x30; 51]);
        let enc = sig.encode();
        assert_eq!(&enc[..5], &[0x80, 0x2A, 0x00, 0x80, 0x33]);
        assert_eq!(*enc.last().unwrap(), 0x00);
        assert_eq!(enc.len(), 5 + 51 + 1);
    }

    #[test]
    fn decode_roundtrips_all_forms() {
        let cmds = [
            Command::select_ef(0x0002),
            Command::read_binary(0x0100, 256),
            Command::read_binary(0x0004, 0x061F),
            Command::read_binary(0, 65536),
            Command::verify_query(),
            Command::sign(&[1u8; 51]),
            Command::new(0x00, 0xB0, 0, 0, &[7u8; 300], 1000),
            Command::new(0x00, 0xD6, 0, 0, &[7u8; 300], 0),
        ];
        for c in cmds {
            let d = Command::decode(&c.encode()).expect("decodes");
            assert_eq!(
                (d.cla, d.ins, d.p1, d.p2, d.ne),
                (c.cla, c.ins, c.p1, c.p2, c.ne),
                "{c}"
            );
            assert_eq!(d.data(), c.data());
        }
        assert!(Command::decode(&[0, 0xB0, 0]).is_none());
        assert!(Command::decode(&[0, 0xA4, 4, 0x0C, 5, 1, 2]).is_none());
    }

    #[test]
    fn verify_is_hidden_in_display_and_debug() {
        let pin = Pin::new(b"4321").unwrap();
        let c = Command::verify(pin.secret());
        let s = format!("{c} {c:?}");
        assert!(s.contains("VERIFY") && s.contains("[hidden]"), "{s}");
        assert!(
            !s.contains("4321") && !s.contains("34333231") && !s.contains("Lc"),
            "{s}"
        );
        assert_eq!(format!("{}", Command::verify_query()), "VERIFY 00 20 00 80");
    }

    #[test]
    fn status_words() {
        assert_eq!(StatusWord::new(0x63, 0xC2).retries(), Some(2));
        assert_eq!(StatusWord::new(0x63, 0xC0).retries(), Some(0));
        assert_eq!(StatusWord::new(0x63, 0x00).retries(), None);
        assert_eq!(StatusWord::OK.retries(), None);
        let r = Response::from_raw(&[1, 2, 3, 0x90, 0x00]).unwrap();
        assert_eq!(&r.data[..], &[1, 2, 3]);
        assert!(r.sw.is_ok());
        assert!(Response::from_raw(&[0x90]).is_none());
        assert_eq!(format!("{r:?}"), "Response(3 bytes, 90 00)");
    }
}
