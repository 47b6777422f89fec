//! The virtual My Number Card: an in-process card that answers raw APDUs the way the real card
//! does (card-protocol §15). It is a [`Transport`] for tests and the demo, and the card behind
//! the vpcd bridge, where every PC/SC program (pcsc_scan, OpenSC) sees it as a real card.
//!
//! Behaviour kept from the real card: SELECT by DF name / by FID with P2 `0C` and no FCI;
//! selecting another application drops every verified state; protected EFs select fine and
//! answer `69 82` on READ; READ BINARY returns min(Ne, remaining) with short and extended Le;
//! VERIFY without data answers `63 Cx` always; wrong PIN → `63 Cx` (x = tries left, `63 C0` on
//! the last), any VERIFY while blocked → `69 84`; counters survive resets (they belong to the
//! card, not the connection); COMPUTE DIGITAL SIGNATURE does PKCS#1 v1.5 type-1 + RSA-2048 over
//! the data.
//!
//! The 券面事項確認AP carries a card face (EF 0002) behind its own 照合番号B counter (EF 0012),
//! with the synthetic photo of `printed.rs`, the profile's name, address and security code as
//! 1-bit PNGs, its expiry, and DF 28 signed by the test PKI's face issuer; and, as on a real
//! card, the My Number image (EF 0005) behind 照合番号A (EF 0013, the My Number itself), which
//! the station must never reach: their SELECTs are counted.
//!
//! Also as reported (docs/card.md, "Card session hygiene"): SELECT by DF name takes an AID
//! prefix of 8 bytes or more (the first application, in the order text AP, JPKI-AP, 券面事項
//! 確認AP, 住基 AP, whose AID starts with it), and GET DATA with no DF selected answers the
//! card's identification data without any credential.
//!
//! Resets as reported of a real card (docs/card.md, "Ending a card session"): a warm reset keeps
//! the selected application and the verified PINs, and so does selecting the application that
//! is already selected; only a power-down clears them. Where reports disagree (a client that
//! "logs out" by re-selecting), the virtual card takes the reading that is worse for the
//! station, so the tests show the station safe against it.

pub mod jlis;
pub mod pki;
pub mod printed;
pub mod profile;
pub mod vpcd;

use super::apdu::{Command, Response, StatusWord};
use super::basic4;
use super::face;
use super::files::{AID_FACE, AID_JPKI, AID_TEXT};
use super::transport::{Transport, TransportError};
use openssl::pkey::Private;
use openssl::rsa::{Padding, Rsa};
use pki::{PersonKeys, TestPki};
use profile::{CertState, Profile};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

/// The 住基 AP exists on the card; we give it no files.
const AID_JUKI: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00];

/// What GET DATA answers with no DF selected: a stand-in for the card's identification data
/// (its real layout does not matter here; that it comes without any credential does).
const IDENTIFICATION: &[u8] = b"card 0012345678 city 131016 until 20350101";

/// The contact ATR of a My Number Card (card-protocol §1.2): T=1, historical bytes declare
/// extended Lc/Le.
pub const DEFAULT_ATR: [u8; 19] = [
    0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6, 0x01, 0xC0, 0x3B,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Df {
    Text,
    Jpki,
    Visual,
    Juki,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PinId {
    Text,
    Auth,
    Sign,
    /// 照合番号B (券面事項確認AP EF 0012).
    FaceB,
    /// 照合番号A (券面事項確認AP EF 0013): the My Number.
    FaceA,
}

enum Node {
    /// `needs`: any one of these PINs verified opens it (none: free to read).
    Data {
        bytes: Vec<u8>,
        needs: &'static [PinId],
    },
    Pin(PinId),
    Key {
        needs: PinId,
        key: Rsa<Private>,
    },
}

struct PinState {
    value: Zeroizing<Vec<u8>>,
    tries: u8,
    max: u8,
}

/// What happened on the card, for tests and the bridge's `--stats` file. No data, no PINs.
#[derive(Clone, Debug, Default, serde::Serialize, PartialEq, Eq)]
pub struct CardStats {
    pub apdus: u32,
    pub verify_with_data: u32,
    pub verify_queries: u32,
    pub selects: u32,
    pub reads: u32,
    pub extended_apdus: u32,
    pub signatures: u32,
    /// Warm resets (verified PINs kept) and power-downs (verified PINs gone).
    pub resets: u32,
    pub power_downs: u32,
    /// Tries left per PIN, as the card holds them now.
    pub text_pin_tries: u8,
    pub sign_password_tries: u8,
    pub auth_pin_tries: u8,
    /// VERIFY with data on the 利用者証明用暗証番号 (EF 0018) alone, and signatures by the
    /// auth key (EF 0017) alone: the challenge's own figures.
    pub auth_verifies: u32,
    pub auth_signatures: u32,
    /// SELECT attempts on the My Number's files: 券面事項入力補助AP EF 01 / EF 03 and
    /// 券面事項確認AP EF 05 / EF 13 (must stay 0 with our client).
    pub my_number_selects: u32,
    /// 照合番号B: tries left, VERIFYs with data, and READ BINARYs of the card face answered.
    pub pin_b_tries: u8,
    pub pin_b_verifies: u32,
    pub card_face_reads: u32,
    /// VERIFYs of 照合番号A (EF 0013) of any kind: it is the My Number (must stay 0).
    pub pin_a_verifies: u32,
    /// Every APDU received, as `Command` prints it (headers, SELECT identifiers; a VERIFY's
    /// data as `[hidden]`), the first [`APDU_LOG_MAX`] of them.
    pub apdu_log: Vec<String>,
}

/// How many APDUs the card's log keeps.
pub const APDU_LOG_MAX: usize = 2000;

pub struct VirtualCard {
    files: HashMap<(Df, u16), Node>,
    pins: HashMap<PinId, PinState>,
    df: Option<Df>,
    ef: Option<(Df, u16)>,
    verified: Vec<PinId>,
    extended_length: bool,
    atr: Vec<u8>,
    stats: Arc<Mutex<CardStats>>,
    /// In-process fault injection: after this many APDUs the card is "pulled".
    remove_after: Option<u32>,
    /// Certificates as issued, for tests and the demo's receiver.
    pub sign_cert_der: Option<Vec<u8>>,
    pub auth_cert_der: Vec<u8>,
    pub sign_ca_der: Vec<u8>,
    pub auth_ca_der: Vec<u8>,
}

/// The 券面事項入力補助AP's files as the card holds them: EF 01 (the My Number, which the
/// station must never read), EF 02 (the four items), EF 03 and the PIN.
fn text_ap(p: &Profile) -> [((Df, u16), Node); 4] {
    let birth = p.birth().expect("validated profile").yyyymmdd();
    let furigana: Vec<(u16, &[u8])> = p.furigana.iter().map(|f| (0xDF26, f.as_bytes())).collect();
    let ef02 = basic4::encode_with(
        &p.card_name(),
        &p.address,
        &birth,
        p.gender.as_bytes()[0],
        p.ef02_long_header,
        &furigana,
    );
    let mut my_number = vec![0xFF, 0x10, 0x0C];
    my_number.extend_from_slice(p.my_number().as_bytes());
    my_number.extend_from_slice(&[0xFF, 0xFF]);
    // EF 03: J-LIS signature over hashes incl. the My Number's. Content is opaque here.
    let mut ef03 = vec![0xFF, 0x30, 0x82, 0x01, 0x4B, 0xDF, 0x31, 0x20];
    ef03.resize(336, 0x5A);
    let data = |bytes: Vec<u8>| Node::Data {
        bytes,
        needs: &[PinId::Text],
    };
    [
        ((Df::Text, 0x0001), data(my_number)),
        ((Df::Text, 0x0002), data(ef02)),
        ((Df::Text, 0x0003), data(ef03)),
        ((Df::Text, 0x0011), Node::Pin(PinId::Text)),
    ]
}

impl VirtualCard {
    /// A card for `profile`, with certificates issued by `pki`.
    pub fn new(profile: &Profile, pki: &TestPki) -> Result<VirtualCard, openssl::error::ErrorStack> {
        let keys = pki.issue(profile)?;
        Ok(VirtualCard::with_keys(profile, pki, keys))
    }

    pub fn with_keys(p: &Profile, pki: &TestPki, keys: PersonKeys) -> VirtualCard {
        let der = |c: &openssl::x509::X509| c.to_der().expect("DER of a built certificate");
        let mut token = b"JPKIAPICCTOKEN2".to_vec();
        token.resize(32, b' ');
        let sign_ca_der = der(&pki.sign_ca.cert);
        let auth_ca_der = der(&pki.auth_ca.cert);

        let mut files: HashMap<(Df, u16), Node> = text_ap(p).into_iter().collect();
        let data = |bytes: Vec<u8>, needs| Node::Data { bytes, needs };
        files.insert((Df::Jpki, 0x0002), data(sign_ca_der.clone(), &[]));
        files.insert((Df::Jpki, 0x0006), data(token, &[]));
        let auth_cert_der = der(&keys.auth_cert);
        files.insert((Df::Jpki, 0x000A), data(auth_cert_der.clone(), &[]));
        files.insert((Df::Jpki, 0x000B), data(auth_ca_der.clone(), &[]));
        // 券面事項確認AP: the card face opens with either 照合番号; the My Number image with A
        // only (docs/card.md).
        let (card_face, my_number_image) = face_files(p, pki, &keys.auth_key);
        files.insert((Df::Visual, 0x0002), data(card_face, &[PinId::FaceB, PinId::FaceA]));
        files.insert((Df::Visual, 0x0005), data(my_number_image, &[PinId::FaceA]));
        files.insert((Df::Visual, 0x0012), Node::Pin(PinId::FaceB));
        files.insert((Df::Visual, 0x0013), Node::Pin(PinId::FaceA));
        files.insert(
            (Df::Jpki, 0x0017),
            Node::Key {
                needs: PinId::Auth,
                key: keys.auth_key,
            },
        );
        files.insert((Df::Jpki, 0x0018), Node::Pin(PinId::Auth));
        let mut pins = HashMap::new();
        let pin = |v: &str, tries: u8, max: u8| PinState {
            value: Zeroizing::new(v.as_bytes().to_vec()),
            tries,
            max,
        };
        pins.insert(PinId::Text, pin(&p.pin, p.tries.pin, 3));
        pins.insert(PinId::Auth, pin(p.auth_pin(), p.tries.auth_pin, 3));
        let pin_b = p.pin_b().expect("validated profile");
        pins.insert(PinId::FaceB, pin(&pin_b, p.tries.pin_b, 3));
        pins.insert(PinId::FaceA, pin(&p.my_number(), 3, 3));
        let mut sign_cert_der = None;
        if let (Some(cert), Some(key), Some(pw)) = (keys.sign_cert, keys.sign_key, p.sign_password.as_deref()) {
            if p.signing_certificate != CertState::None {
                sign_cert_der = Some(der(&cert));
                files.insert((Df::Jpki, 0x0001), data(der(&cert), &[PinId::Sign]));
                files.insert(
                    (Df::Jpki, 0x001A),
                    Node::Key {
                        needs: PinId::Sign,
                        key,
                    },
                );
                files.insert((Df::Jpki, 0x001B), Node::Pin(PinId::Sign));
                pins.insert(PinId::Sign, pin(pw, p.tries.sign_password, 5));
            }
        }
        let stats = CardStats {
            text_pin_tries: p.tries.pin,
            sign_password_tries: pins.get(&PinId::Sign).map(|s| s.tries).unwrap_or(0),
            auth_pin_tries: p.tries.auth_pin,
            pin_b_tries: p.tries.pin_b,
            ..CardStats::default()
        };
        VirtualCard {
            files,
            pins,
            df: None,
            ef: None,
            verified: Vec::new(),
            extended_length: p.extended_length,
            atr: DEFAULT_ATR.to_vec(),
            stats: Arc::new(Mutex::new(stats)),
            remove_after: None,
            sign_cert_der,
            auth_cert_der,
            sign_ca_der,
            auth_ca_der,
        }
    }

    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    pub fn set_atr(&mut self, atr: Vec<u8>) {
        self.atr = atr;
    }

    /// A handle on the card's counters that stays valid after the card moves into a client.
    pub fn stats(&self) -> Arc<Mutex<CardStats>> {
        Arc::clone(&self.stats)
    }

    /// In-process fault injection: answer `CardRemoved` from the n+1-th APDU on.
    pub fn remove_after(&mut self, n: u32) {
        self.remove_after = Some(n);
    }

    /// Warm reset: as reported of the real card, the selected application and its verified
    /// PINs stay (only the selected EF goes); counters stay.
    pub fn reset(&mut self) {
        self.ef = None;
        self.bump(|s| s.resets += 1);
    }

    /// Power-down: nothing selected, nothing verified; counters stay.
    pub fn power_down(&mut self) {
        self.cold();
        self.bump(|s| s.power_downs += 1);
    }

    /// Power-on: a cold start, whatever came before.
    pub fn power_on(&mut self) {
        self.cold();
    }

    fn cold(&mut self) {
        self.df = None;
        self.ef = None;
        self.verified.clear();
    }

    /// Processes one raw command APDU and returns `data || SW1 SW2`.
    pub fn process(&mut self, raw: &[u8]) -> Zeroizing<Vec<u8>> {
        let extended = raw.len() > 5 && raw[4] == 0x00;
        let resp = match Command::decode(raw) {
            None => Response::status(StatusWord::WRONG_LENGTH),
            Some(_) if extended && !self.extended_length => Response::status(StatusWord::WRONG_LENGTH),
            Some(cmd) => {
                if extended {
                    self.bump(|s| s.extended_apdus += 1);
                }
                self.bump(|s| {
                    if s.apdu_log.len() < APDU_LOG_MAX {
                        s.apdu_log.push(cmd.to_string());
                    }
                });
                self.dispatch(&cmd)
            }
        };
        self.bump(|s| s.apdus += 1);
        resp.to_raw()
    }

    fn bump(&self, f: impl FnOnce(&mut CardStats)) {
        if let Ok(mut s) = self.stats.lock() {
            f(&mut s);
        }
    }

    fn dispatch(&mut self, cmd: &Command) -> Response {
        match (cmd.cla(), cmd.ins()) {
            (0x00, 0xA4) => self.select(cmd),
            (0x00, 0xB0) => self.read_binary(cmd),
            (0x00, 0x20) => self.verify(cmd),
            (0x80, 0x2A) => self.sign(cmd),
            (0x00, 0xC0) => Response::status(StatusWord::CONDITIONS_NOT_SATISFIED),
            (0x00, 0xCA) if self.df.is_none() => Response::new(IDENTIFICATION.to_vec(), StatusWord::OK),
            (0x00 | 0x80, _) => Response::status(StatusWord::INS_NOT_SUPPORTED),
            _ => Response::status(StatusWord::CLA_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, cmd: &Command) -> Response {
        self.bump(|s| s.selects += 1);
        if cmd.p2() != 0x0C {
            return Response::status(StatusWord::WRONG_P1P2);
        }
        match cmd.p1() {
            0x04 => {
                let name = cmd.data();
                let apps = [
                    (&AID_TEXT, Df::Text),
                    (&AID_JPKI, Df::Jpki),
                    (&AID_FACE, Df::Visual),
                    (&AID_JUKI, Df::Juki),
                ];
                let Some(df) = apps
                    .iter()
                    .find(|(aid, _)| name.len() >= 8 && aid.starts_with(name))
                    .map(|(_, df)| *df)
                else {
                    return Response::status(StatusWord::FILE_NOT_FOUND);
                };
                if self.df != Some(df) {
                    self.verified.clear();
                }
                self.df = Some(df);
                self.ef = None;
                Response::status(StatusWord::OK)
            }
            0x02 => {
                let (Some(df), [hi, lo]) = (self.df, cmd.data()) else {
                    return Response::status(StatusWord::FILE_NOT_FOUND);
                };
                let fid = u16::from_be_bytes([*hi, *lo]);
                if (df == Df::Text && (fid == 0x0001 || fid == 0x0003))
                    || (df == Df::Visual && (fid == 0x0005 || fid == 0x0013))
                {
                    self.bump(|s| s.my_number_selects += 1);
                }
                if self.files.contains_key(&(df, fid)) {
                    self.ef = Some((df, fid));
                    Response::status(StatusWord::OK)
                } else {
                    Response::status(StatusWord::FILE_NOT_FOUND)
                }
            }
            _ => Response::status(StatusWord::WRONG_P1P2),
        }
    }

    fn read_binary(&mut self, cmd: &Command) -> Response {
        self.bump(|s| s.reads += 1);
        if cmd.p1() & 0x80 != 0 {
            return Response::status(StatusWord::FUNC_NOT_SUPPORTED);
        }
        let Some(Node::Data { bytes, needs }) = self.ef.and_then(|k| self.files.get(&k)) else {
            return Response::status(StatusWord::COMMAND_NOT_ALLOWED);
        };
        if !needs.is_empty() && !needs.iter().any(|p| self.verified.contains(p)) {
            return Response::status(StatusWord::SECURITY_STATUS);
        }
        if self.ef == Some((Df::Visual, 0x0002)) {
            self.bump(|s| s.card_face_reads += 1);
        }
        let offset = u16::from_be_bytes([cmd.p1(), cmd.p2()]) as usize;
        if offset > bytes.len() {
            return Response::status(StatusWord::WRONG_OFFSET);
        }
        let ne = if cmd.ne() == 0 { 256 } else { cmd.ne() };
        let end = bytes.len().min(offset + ne);
        Response::new(bytes[offset..end].to_vec(), StatusWord::OK)
    }

    fn verify(&mut self, cmd: &Command) -> Response {
        if (cmd.p1(), cmd.p2()) != (0x00, 0x80) {
            return Response::status(StatusWord::WRONG_P1P2);
        }
        let Some(Node::Pin(id)) = self.ef.and_then(|k| self.files.get(&k)) else {
            return Response::status(StatusWord::COMMAND_NOT_ALLOWED);
        };
        let id = *id;
        if cmd.data().is_empty() {
            self.bump(|s| s.verify_queries += 1);
        } else {
            self.bump(|s| {
                s.verify_with_data += 1;
                match id {
                    PinId::Auth => s.auth_verifies += 1,
                    PinId::FaceB => s.pin_b_verifies += 1,
                    _ => {}
                }
            });
        }
        if id == PinId::FaceA {
            self.bump(|s| s.pin_a_verifies += 1);
        }
        let Some(state) = self.pins.get_mut(&id) else {
            return Response::status(StatusWord::FILE_NOT_FOUND);
        };
        if cmd.data().is_empty() {
            return Response::status(StatusWord::new(0x63, 0xC0 | state.tries));
        }
        if state.tries == 0 {
            return Response::status(StatusWord::REF_DATA_UNUSABLE);
        }
        // Constant-time compare; memcmp::eq panics on unequal lengths, so check those first.
        let right = state.value.len() == cmd.data().len() && openssl::memcmp::eq(&state.value, cmd.data());
        let resp = if right {
            state.tries = state.max;
            if !self.verified.contains(&id) {
                self.verified.push(id);
            }
            Response::status(StatusWord::OK)
        } else {
            state.tries -= 1;
            self.verified.retain(|v| *v != id);
            Response::status(StatusWord::new(0x63, 0xC0 | state.tries))
        };
        let tries = state.tries;
        self.bump(|s| match id {
            PinId::Text => s.text_pin_tries = tries,
            PinId::Sign => s.sign_password_tries = tries,
            PinId::Auth => s.auth_pin_tries = tries,
            PinId::FaceB => s.pin_b_tries = tries,
            PinId::FaceA => {}
        });
        resp
    }

    fn sign(&mut self, cmd: &Command) -> Response {
        if (cmd.p1(), cmd.p2()) != (0x00, 0x80) {
            return Response::status(StatusWord::WRONG_P1P2);
        }
        let Some(Node::Key { needs, key }) = self.ef.and_then(|k| self.files.get(&k)) else {
            return Response::status(StatusWord::COMMAND_NOT_ALLOWED);
        };
        let auth = *needs == PinId::Auth;
        if !self.verified.contains(needs) {
            return Response::status(StatusWord::SECURITY_STATUS);
        }
        // PKCS#1 v1.5 type 1 needs 11 bytes of padding in a 256-byte block.
        if cmd.data().is_empty() || cmd.data().len() > 245 {
            return Response::status(StatusWord::WRONG_LENGTH);
        }
        let mut sig = vec![0u8; key.size() as usize];
        match key.private_encrypt(cmd.data(), &mut sig, Padding::PKCS1) {
            Ok(n) => {
                sig.truncate(n);
                self.bump(|s| {
                    s.signatures += 1;
                    if auth {
                        s.auth_signatures += 1;
                    }
                });
                Response::new(sig, StatusWord::OK)
            }
            Err(_) => Response::status(StatusWord::UNKNOWN),
        }
    }
}

/// EF 0002 (the card face, DF 28 signed by the test PKI's face issuer) and EF 0005 (the My
/// Number as an image) of the 券面事項確認AP for `p`.
fn face_files(p: &Profile, pki: &TestPki, card: &Rsa<Private>) -> (Vec<u8>, Vec<u8>) {
    let birth = p.birth().expect("validated profile").yyyymmdd();
    let expiry = p.card_expiry().expect("validated profile").yyyymmdd();
    // The card's own key (DF 24, which a real card signs challenges with): the auth key's
    // public half stands in for it; only its shape matters here.
    let issuer = pki.face_issuer();
    let card_key = rsa_key_tlvs(card);
    let name = printed::text_png(&[&p.name], 3, 6);
    let lines = printed::wrap(&p.address, 16);
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let address = printed::text_png(&lines, 2, 6);
    let code = printed::text_png(&[&p.security_code()], 1, 2);
    let parts = face::FaceParts {
        birth_yyyymmdd: birth.as_bytes(),
        sex: p.gender.as_bytes()[0],
        card_key: &card_key,
        name_png: &name,
        address_png: &address,
        photo_jp2: printed::PHOTO_JP2,
        expiry_yyyymmdd: expiry.as_bytes(),
        security_code_png: &code,
    };
    let signature = face::sign(&parts, &issuer);
    let card_face = face::encode(&parts, &signature).to_vec();
    // FF 40 { DF 41 image, DF 42 key, DF 43 signature } (its content never leaves the card).
    let mut body = Vec::new();
    for (tag, value) in [
        (0xDF41u16, printed::text_png(&[&p.my_number()], 1, 2)),
        (0xDF42, card_key.clone()),
        (0xDF43, signature),
    ] {
        body.extend_from_slice(&tag.to_be_bytes());
        body.extend_from_slice(&[0x82, (value.len() >> 8) as u8, value.len() as u8]);
        body.extend_from_slice(&value);
    }
    let mut image = vec![0xFF, 0x40, 0x82, (body.len() >> 8) as u8, body.len() as u8];
    image.extend_from_slice(&body);
    (card_face, image)
}

/// An RSA public key as the card writes it: `90` exponent, `91` modulus.
fn rsa_key_tlvs(key: &Rsa<Private>) -> Vec<u8> {
    let (e, n) = (key.e().to_vec(), key.n().to_vec());
    let mut out = vec![0x90, e.len() as u8];
    out.extend_from_slice(&e);
    out.extend_from_slice(&[0x91, 0x82, (n.len() >> 8) as u8, n.len() as u8]);
    out.extend_from_slice(&n);
    out
}

impl Transport for VirtualCard {
    fn transmit(&mut self, cmd: &Command) -> Result<Response, TransportError> {
        if let Some(n) = self.remove_after {
            let sent = self.stats.lock().map(|s| s.apdus).unwrap_or(0);
            if sent >= n {
                return Err(TransportError::CardRemoved);
            }
        }
        if cmd.needs_extended() && !self.extended_length {
            // What a reader without extended-length support does: the APDU never goes out.
            return Err(TransportError::ExtendedUnsupported);
        }
        let raw = self.process(&cmd.encode());
        Response::from_raw(&raw).ok_or_else(|| TransportError::Other("short response".into()))
    }

    fn extended_length(&self) -> Option<bool> {
        None
    }
}
