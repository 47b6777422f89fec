//! The My Number Card client: typed operations over a [`Transport`], through the allowlist.
//!
//! Rules it keeps (card-protocol §3, §8, §9; design.md):
//! - VERIFY with data is sent exactly once per call and never re-sent for any reason.
//! - Selections already in place are not repeated: re-selecting a DF would drop the verified
//!   state, and every APDU costs 30–200 ms on a contactless reader.
//! - File sizes come from the TLV/DER header, never a fixed size; reads use one extended READ
//!   BINARY where the reader allows it and fall back to 256-byte chunks (remembered).

use super::apdu::{Command, Response, StatusWord, EXTENDED_MAX_NE, INS_READ_BINARY, SHORT_MAX_NE};
use super::basic4::{self, BasicFour, Ef02};
use super::error::{CardError, Malformed};
use super::face::{CardFace, FaceError};
use super::files::{Application, Ef};
use super::guard::Guard;
use super::tlv;
use super::transport::{Transport, TransportError};
use crate::secret::{AuthPin, PinB, PinKind, Secret};
use zeroize::Zeroizing;

/// DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2); the 32-byte hash follows.
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
];

/// Builds `DigestInfo(SHA-256, hash)`.
pub fn sha256_digest_info(hash: &[u8; 32]) -> Vec<u8> {
    let mut v = SHA256_DIGEST_INFO_PREFIX.to_vec();
    v.extend_from_slice(hash);
    v
}

/// Appends `more` to `buf` without leaving a copy of `buf` behind: a `Vec` that grows in place
/// frees its old allocation unwiped, so a buffer too small is moved into a bigger one and the
/// old one wiped.
fn append(buf: &mut Zeroizing<Vec<u8>>, more: &[u8]) {
    if buf.capacity() - buf.len() < more.len() {
        let mut bigger = Zeroizing::new(Vec::with_capacity(buf.len() + more.len()));
        bigger.extend_from_slice(buf);
        // The old buffer is zeroized as it drops.
        *buf = bigger;
    }
    buf.extend_from_slice(more);
}

/// Errors after which nothing more can be done in this session (vs. a reader that merely
/// refused an extended APDU).
fn ends_session(e: &CardError) -> bool {
    matches!(
        e,
        CardError::Transport(
            TransportError::CardRemoved
                | TransportError::NoCard
                | TransportError::NoService
                | TransportError::CardReset
                | TransportError::Busy
                | TransportError::Refused(_)
        )
    )
}

/// What the token EF says the card is (card-protocol §1.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardKind {
    MyNumberCard,
    JukiCard,
    Other(String),
}

/// What a client learned about a card it keeps holding: what is selected, and whether
/// extended-length reads work. Lets the next request on the same exclusive connection skip
/// SELECTs already in place (each costs 30-65 ms on a contactless reader).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Session {
    selected: (Option<Application>, Option<Ef>),
    extended: Option<bool>,
}

impl Session {
    /// The same connection knowledge (extended length) with nothing taken as selected.
    pub fn unselected(self) -> Session {
        Session {
            selected: (None, None),
            extended: self.extended,
        }
    }
}

pub struct MyNumberCard<T: Transport> {
    g: Guard<T>,
    /// Extended-length reads: `Some(true)` work, `Some(false)` don't, `None` not tried yet.
    extended: Option<bool>,
}

fn pin_ef(kind: PinKind) -> Ef {
    match kind {
        PinKind::TextPin => Ef::TextPin,
        PinKind::SignPassword => Ef::SignPassword,
        PinKind::AuthPin => Ef::AuthPin,
    }
}

/// What the first half of the 利用者証明 challenge learns without any PIN: the auth
/// certificate (to check before a try is spent) and the tries left of the auth PIN (to show
/// before the citizen types).
pub struct AuthStart {
    /// 利用者証明用電子証明書 (EF 000A), DER.
    pub certificate: Zeroizing<Vec<u8>>,
    /// Tries left of the 利用者証明用暗証番号 (1–3; a locked PIN is an error instead).
    pub tries: u8,
}

impl<T: Transport> MyNumberCard<T> {
    pub fn new(transport: T) -> MyNumberCard<T> {
        let extended = transport.extended_length();
        MyNumberCard {
            g: Guard::new(transport),
            extended,
        }
    }

    /// Continues on a card this process holds exclusively since `session` was taken. Only for
    /// that case: on a shared connection another program may have selected something else.
    pub fn resume(transport: T, session: Session) -> MyNumberCard<T> {
        let mut c = MyNumberCard::new(transport);
        c.g.restore(session.selected);
        c.extended = session.extended.or(c.extended);
        c
    }

    pub fn session(&self) -> Session {
        Session {
            selected: self.g.selected(),
            extended: self.extended,
        }
    }

    pub fn transport(&self) -> &T {
        self.g.inner()
    }

    pub fn into_transport(self) -> T {
        self.g.into_inner()
    }

    /// APDUs sent to the card so far.
    pub fn apdus_sent(&self) -> u32 {
        self.g.sent()
    }

    pub fn extended_length(&self) -> Option<bool> {
        self.extended
    }

    /// Sends one command; follows `61 xx` with GET RESPONSE and, for READ BINARY only, `6C xx`
    /// with the corrected length. Never repeats any other command.
    fn exchange(&mut self, cmd: &Command) -> Result<Response, CardError> {
        let mut resp = self.g.transmit(cmd)?;
        if resp.sw.sw1() == 0x6C && cmd.ins() == INS_READ_BINARY {
            let ne = if resp.sw.sw2() == 0 {
                SHORT_MAX_NE
            } else {
                resp.sw.sw2() as usize
            };
            let retry = Command::new(cmd.cla(), cmd.ins(), cmd.p1(), cmd.p2(), &[], ne);
            resp = self.g.transmit(&retry)?;
        }
        let mut rounds = 0;
        while resp.sw.sw1() == 0x61 {
            rounds += 1;
            if rounds > 64 {
                return Err(Malformed::Chaining.into());
            }
            let ne = if resp.sw.sw2() == 0 {
                SHORT_MAX_NE
            } else {
                resp.sw.sw2() as usize
            };
            let next = self.g.transmit(&Command::get_response(ne))?;
            append(&mut resp.data, &next.data);
            resp.sw = next.sw;
        }
        Ok(resp)
    }

    fn select_app(&mut self, app: Application) -> Result<(), CardError> {
        if self.g.selected().0 == Some(app) {
            return Ok(());
        }
        let r = self.exchange(&Command::select_df(app.aid()))?;
        match r.sw {
            StatusWord::OK => Ok(()),
            StatusWord::FILE_NOT_FOUND | StatusWord::FUNC_NOT_SUPPORTED | StatusWord::WRONG_P1P2 => {
                Err(CardError::NotMyNumberCard)
            }
            sw => Err(CardError::Status {
                sw,
                op: "SELECT application",
            }),
        }
    }

    fn select_ef(&mut self, ef: Ef) -> Result<(), CardError> {
        // FID 0001 only under an application selected in this transaction (see the guard).
        if ef.fid() == 0x0001 && !self.g.app_confirmed() {
            self.g.forget();
        }
        self.select_app(ef.app())?;
        if self.g.selected().1 == Some(ef) {
            return Ok(());
        }
        let r = self.exchange(&Command::select_ef(ef.fid()))?;
        match r.sw {
            StatusWord::OK => Ok(()),
            StatusWord::FILE_NOT_FOUND => Err(match ef {
                // Under-15 cards carry no signing certificate, key or password.
                Ef::SignCert | Ef::SignKey | Ef::SignPassword => CardError::NoSigningCertificate,
                _ => CardError::FileNotFound(ef),
            }),
            sw => Err(CardError::Status { sw, op: "SELECT file" }),
        }
    }

    /// Tries left for a PIN, read with VERIFY without data. Spends no try.
    pub fn pin_tries(&mut self, kind: PinKind) -> Result<u8, CardError> {
        self.select_ef(pin_ef(kind))?;
        let r = self.exchange(&Command::verify_query())?;
        match r.sw {
            sw if sw.retries().is_some() => Ok(sw.retries().unwrap_or(0)),
            StatusWord::AUTH_BLOCKED | StatusWord::REF_DATA_UNUSABLE => Ok(0),
            // The card never answers 90 00 here (card-protocol §3.4); don't guess a count.
            sw => Err(CardError::Status {
                sw,
                op: "VERIFY (retry counter)",
            }),
        }
    }

    /// VERIFY with data: sent exactly once. The caller must have shown the tries left and got
    /// an Enter on a well-formed PIN; this function never retries.
    pub fn verify(&mut self, secret: &Secret) -> Result<(), CardError> {
        let kind = secret.kind();
        self.select_ef(pin_ef(kind))?;
        let cmd = Command::verify(secret);
        let r = self.g.transmit(&cmd)?;
        drop(cmd);
        match r.sw {
            StatusWord::OK => Ok(()),
            sw if sw.retries() == Some(0) => Err(CardError::Locked { kind }),
            sw if sw.retries().is_some() => Err(CardError::WrongPin {
                kind,
                tries_left: sw.retries().unwrap_or(0),
            }),
            StatusWord::AUTH_BLOCKED | StatusWord::REF_DATA_UNUSABLE => Err(CardError::Locked { kind }),
            sw => Err(CardError::Status { sw, op: "VERIFY" }),
        }
    }

    /// Reads and decodes 基本4情報 (text AP EF 02). Needs the 4-digit PIN verified.
    pub fn read_basic_four(&mut self) -> Result<BasicFour, CardError> {
        let raw = self.read_ef(Ef::Basic4)?;
        Ok(basic4::decode(&raw)?)
    }

    /// [`MyNumberCard::read_basic_four`], also keeping EF 02 exactly as read: the 利用者証明
    /// challenge binds its SHA-256. The same APDUs as `read_basic_four`.
    pub fn read_basic_four_with_bytes(&mut self) -> Result<(BasicFour, Ef02), CardError> {
        let raw = Ef02::new(self.read_ef(Ef::Basic4)?);
        let person = raw.decode()?;
        Ok((person, raw))
    }

    /// The 利用者証明 challenge, first half (no PIN): selects the JPKI AP, reads the auth
    /// certificate (EF 000A) and the tries left of the auth PIN (EF 0018, VERIFY without
    /// data). SELECT JPKI, SELECT 000A, READ (one extended, or 256-byte chunks), SELECT 0018,
    /// VERIFY query (docs/card.md, "APDU counts"). A locked PIN is `Locked`: the caller sends
    /// no VERIFY and says where the PIN is reset. A caller that read the auth certificate
    /// earlier in the same card session (the probe) asks `pin_tries(PinKind::AuthPin)` instead.
    pub fn auth_start(&mut self) -> Result<AuthStart, CardError> {
        let certificate = self.read_certificate(Ef::AuthCert)?;
        match self.pin_tries(PinKind::AuthPin)? {
            0 => Err(CardError::Locked { kind: PinKind::AuthPin }),
            tries => Ok(AuthStart { certificate, tries }),
        }
    }

    /// The 利用者証明 challenge, second half: after [`MyNumberCard::auth_start`] and an Enter
    /// on a well-formed auth PIN: VERIFY once (never re-sent, whatever happens), SELECT 0017,
    /// COMPUTE DIGITAL SIGNATURE (`80 2A 00 80`) over `digest_info` (a SHA-256 DigestInfo of
    /// the statement). Returns the 256-byte signature. A wrong PIN is `WrongPin` (one try
    /// spent) or `Locked` (the last one); nothing is signed then.
    pub fn auth_sign(&mut self, pin: &AuthPin, digest_info: &[u8]) -> Result<Vec<u8>, CardError> {
        self.verify(pin.secret())?;
        self.compute_signature(Ef::AuthKey, digest_info)
    }

    /// Tries left of 照合番号B (券面事項確認AP EF 0012): SELECT the AP (unless selected), SELECT
    /// 0012, VERIFY without data. Believed only as `63 Cx`: any other answer is an error, not
    /// a count. `63 C0` (or `69 83`/`69 84`) is [`FaceError::PinBLocked`]: the caller sends no
    /// VERIFY then and says where the card is reset. Spends no try.
    pub fn pin_b_tries(&mut self) -> Result<u8, FaceError> {
        self.select_ef(Ef::FacePinB)?;
        let r = self.exchange(&Command::verify_query())?;
        match r.sw {
            sw if sw.retries() == Some(0) => Err(FaceError::PinBLocked),
            sw if sw.retries().is_some() => Ok(sw.retries().unwrap_or(0)),
            StatusWord::AUTH_BLOCKED | StatusWord::REF_DATA_UNUSABLE => Err(FaceError::PinBLocked),
            sw => Err(CardError::Status {
                sw,
                op: "VERIFY (照合番号B counter)",
            }
            .into()),
        }
    }

    /// VERIFY of 照合番号B, sent exactly once whatever happens (after [`Self::pin_b_tries`]
    /// and the clerk's Enter on 14 well-formed digits). A wrong number is `WrongPinB` (one try
    /// spent), the last one `PinBLocked`.
    pub fn verify_pin_b(&mut self, pin: &PinB) -> Result<(), FaceError> {
        self.select_ef(Ef::FacePinB)?;
        let cmd = Command::verify_pin_b(pin);
        let r = self.g.transmit(&cmd).map_err(CardError::from)?;
        drop(cmd);
        match r.sw {
            StatusWord::OK => Ok(()),
            sw if sw.retries() == Some(0) => Err(FaceError::PinBLocked),
            sw if sw.retries().is_some() => Err(FaceError::WrongPinB {
                tries_left: sw.retries().unwrap_or(0),
            }),
            StatusWord::AUTH_BLOCKED | StatusWord::REF_DATA_UNUSABLE => Err(FaceError::PinBLocked),
            sw => Err(CardError::Status {
                sw,
                op: "VERIFY (照合番号B)",
            }
            .into()),
        }
    }

    /// Reads the card face (券面事項確認AP EF 0002) whole and parses it: SELECT 0002, then one
    /// extended READ BINARY where the reader allows it, else 256-byte chunks, into one
    /// zeroizing buffer sized from the header. Needs 照合番号B verified in this selection of
    /// the AP (else `Card(SecurityStatus)`).
    pub fn read_card_face(&mut self) -> Result<CardFace, FaceError> {
        let raw = self.read_ef(Ef::CardFace)?;
        Ok(CardFace::parse(raw)?)
    }

    /// Reads a certificate EF and checks it is one X.509 certificate.
    pub fn read_certificate(&mut self, ef: Ef) -> Result<Zeroizing<Vec<u8>>, CardError> {
        let der = self.read_ef(ef)?;
        if der.first() != Some(&0x30) || openssl::x509::X509::from_der(&der).is_err() {
            return Err(Malformed::Certificate.into());
        }
        Ok(der)
    }

    /// Reads the token EF (JPKI 0006) to tell a My Number Card from other JPKI tokens.
    pub fn identify(&mut self) -> Result<CardKind, CardError> {
        self.select_ef(Ef::JpkiToken)?;
        let r = self.exchange(&Command::read_binary(0, 0x20))?;
        if !(r.sw.is_ok() || r.sw == StatusWord::END_OF_FILE_WARNING) {
            return Err(CardError::Status {
                sw: r.sw,
                op: "READ BINARY (token)",
            });
        }
        let text = std::str::from_utf8(&r.data).map_err(|_| Malformed::Token)?;
        let text = text.trim_end_matches([' ', '\0']);
        Ok(match text {
            "JPKIAPICCTOKEN2" => CardKind::MyNumberCard,
            "JPKIAPICCTOKEN" => CardKind::JukiCard,
            t if t.chars().all(|c| c.is_ascii_graphic()) => CardKind::Other(t.to_string()),
            _ => return Err(Malformed::Token.into()),
        })
    }

    /// COMPUTE DIGITAL SIGNATURE with the signing key over a DigestInfo. Needs the signing
    /// password verified in this same JPKI-AP selection. Returns the 256-byte signature.
    pub fn sign(&mut self, digest_info: &[u8]) -> Result<Vec<u8>, CardError> {
        self.compute_signature(Ef::SignKey, digest_info)
    }

    /// COMPUTE DIGITAL SIGNATURE with the key of `key` (selected first when it is not).
    fn compute_signature(&mut self, key: Ef, digest_info: &[u8]) -> Result<Vec<u8>, CardError> {
        self.select_ef(key)?;
        let r = self.exchange(&Command::sign(digest_info))?;
        match r.sw {
            StatusWord::OK if r.data.len() == 256 => Ok(r.data.to_vec()),
            StatusWord::OK => Err(Malformed::SignatureLength(r.data.len()).into()),
            StatusWord::SECURITY_STATUS | StatusWord::CONDITIONS_NOT_SATISFIED => Err(CardError::SecurityStatus),
            sw => Err(CardError::Status {
                sw,
                op: "COMPUTE DIGITAL SIGNATURE",
            }),
        }
    }

    fn read_chunk(&mut self, offset: usize, ne: usize) -> Result<Response, CardError> {
        let offset = u16::try_from(offset)
            .ok()
            .filter(|o| *o <= 0x7FFF)
            .ok_or(Malformed::TooLong(offset))?;
        let r = self.exchange(&Command::read_binary(offset, ne))?;
        match r.sw {
            StatusWord::OK | StatusWord::END_OF_FILE_WARNING => Ok(r),
            StatusWord::SECURITY_STATUS => Err(CardError::SecurityStatus),
            StatusWord::WRONG_OFFSET => Err(Malformed::Truncated.into()),
            sw => Err(CardError::Status { sw, op: "READ BINARY" }),
        }
    }

    /// First read of a file: one extended READ BINARY for the whole file where that works,
    /// else 256 bytes. An extended attempt that fails for a reason other than the card or the
    /// service going away is taken as "not supported" and not tried again on this reader.
    fn read_first(&mut self, ef: Ef) -> Result<Response, CardError> {
        // EF 02 almost always fits one short read; certificates (~1.7 KB) and the card face
        // (several KB) never do.
        let want_extended = self.extended != Some(false) && ef.is_large();
        if want_extended {
            match self.read_chunk(0, EXTENDED_MAX_NE) {
                Ok(r) => {
                    self.extended = Some(true);
                    return Ok(r);
                }
                Err(e) if e == CardError::SecurityStatus || ends_session(&e) => return Err(e),
                Err(_) => {
                    tracing::info!("extended-length READ BINARY failed; using 256-byte chunks");
                    self.extended = Some(false);
                    // The failed exchange may have dropped our view of the selection.
                    self.select_ef(ef)?;
                }
            }
        }
        self.read_chunk(0, SHORT_MAX_NE)
    }

    /// Measures whether extended-length APDUs reach the card: one extended READ BINARY of the
    /// token EF (public, 32 bytes). The answer is remembered for later reads.
    pub fn probe_extended_length(&mut self) -> Result<bool, CardError> {
        self.select_ef(Ef::JpkiToken)?;
        match self.read_chunk(0, SHORT_MAX_NE + 1) {
            Ok(_) => self.extended = Some(true),
            Err(e) if ends_session(&e) => return Err(e),
            Err(_) => self.extended = Some(false),
        }
        Ok(self.extended == Some(true))
    }

    /// Reads an EF whole: size from its TLV header, then the rest in as few reads as possible,
    /// into one buffer sized from that header (a growing buffer would leave freed copies).
    fn read_ef(&mut self, ef: Ef) -> Result<Zeroizing<Vec<u8>>, CardError> {
        self.select_ef(ef)?;
        let first = self.read_first(ef)?;
        let (_, _, header_len, value_len) = tlv::read_header(&first.data)?;
        let total = header_len + value_len;
        if total > ef.max_len() {
            return Err(Malformed::TooLong(total).into());
        }
        let mut buf = Zeroizing::new(Vec::with_capacity(total));
        buf.extend_from_slice(&first.data[..first.data.len().min(total)]);
        drop(first);
        while buf.len() < total {
            let chunk_max = if self.extended == Some(true) {
                EXTENDED_MAX_NE
            } else {
                SHORT_MAX_NE
            };
            let ne = (total - buf.len()).min(chunk_max);
            let r = self.read_chunk(buf.len(), ne)?;
            if r.data.is_empty() {
                return Err(Malformed::Truncated.into());
            }
            // Never past `total`, whatever the card sends: the buffer does not grow.
            let take = r.data.len().min(total - buf.len());
            buf.extend_from_slice(&r.data[..take]);
        }
        Ok(buf)
    }
}

#[cfg(test)]
mod tests;
