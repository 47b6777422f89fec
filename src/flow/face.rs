//! 券面確認: the clerk's step after the four items are read (issue #24, docs/card.md "The card
//! face"). The clerk types the card's expiry year and its security code (8 digits, from the
//! card face); the station adds the birth date from EF 02 as the card face prints it (和暦, or
//! 西暦 on foreign residents' cards: the clerk switches) and sends 照合番号B once, then reads
//! EF 0002 in the same card session. 照合番号B is a PIN here too: the tries are shown before
//! anything is typed, a try is spent only on Enter with eight well-formed digits, never
//! re-sent, the last try asks first, a locked one gets no VERIFY.
//!
//! What the card face says must agree with EF 02 (birth date, sex), and DF 28 must not be a
//! forgery where the operator gave the issuer key: otherwise the flow stops. On the confirm
//! screen the clerk compares the photo with the person: 一致 lets the citizen go on, 一致しない
//! stops with nothing recorded. The pictures leave the flow with the confirm screen; the record
//! keeps only what the clerk decided ([`CardFaceCheck`]).

use super::*;
use crate::card::face::{birth_as_printed, CardFace, FaceSignature, PrintedYear};
use crate::picture::Grey;
use crate::record::payload::{CardFaceCheck, FaceSignatureCheck, PhotoCheck};
use crate::secret::PinB;
use std::fmt;
use zeroize::Zeroizing;

/// `[steps] card_face`: whether the clerk's card-face step runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FaceStep {
    /// Never (the default: it needs a clerk at the counter).
    #[default]
    Off,
    /// After the four items are read; the clerk may go on without it.
    Offer,
    /// After the four items are read; no record without the photo compared.
    Require,
}

/// The eight digits the clerk types: the expiry year (4) and the security code (4). Zeroized,
/// fixed size (never reallocated), no `Debug` content.
pub struct FaceInput {
    digits: Zeroizing<[u8; FaceInput::LEN]>,
    len: usize,
}

impl FaceInput {
    pub const LEN: usize = 8;

    pub fn new() -> FaceInput {
        FaceInput {
            digits: Zeroizing::new([0; FaceInput::LEN]),
            len: 0,
        }
    }

    /// Takes a digit (full-width digits from an IME as ASCII), or says why not.
    pub fn push(&mut self, c: char) -> Result<(), input::Refused> {
        let c = match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        };
        if !c.is_ascii_digit() {
            return Err(input::Refused::Character);
        }
        if self.len >= FaceInput::LEN {
            return Err(input::Refused::Full);
        }
        self.digits[self.len] = c as u8;
        self.len += 1;
        Ok(())
    }

    pub fn pop(&mut self) {
        if self.len > 0 {
            self.len -= 1;
            self.digits[self.len] = 0;
        }
    }

    pub fn clear(&mut self) {
        *self.digits = [0; FaceInput::LEN];
        self.len = 0;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The typed digits, for the reveal toggle only.
    pub fn revealed(&self) -> &str {
        std::str::from_utf8(&self.digits[..self.len]).unwrap_or("")
    }

    /// Eight digits whose first four are a year a card can expire in (the card exists since
    /// 2016 and is valid ten years at most): what can be sent. `this_year` 0: not known.
    pub fn validate(&self, this_year: u16) -> Result<(&[u8], &[u8]), FaceFormatError> {
        if self.len != FaceInput::LEN {
            return Err(FaceFormatError::Length);
        }
        let year = self.digits[..4].iter().fold(0u16, |y, d| y * 10 + (d - b'0') as u16);
        let last = if this_year > 0 { this_year + 11 } else { 2099 };
        if !(2016..=last).contains(&year) {
            return Err(FaceFormatError::Year);
        }
        Ok((&self.digits[..4], &self.digits[4..]))
    }
}

impl Default for FaceInput {
    fn default() -> FaceInput {
        FaceInput::new()
    }
}

impl fmt::Debug for FaceInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FaceInput({} digits)", self.len)
    }
}

/// Why eight typed digits are not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceFormatError {
    /// Fewer than eight digits.
    Length,
    /// The first four are no year a card expires in.
    Year,
}

/// What the face step says about the last key or the last try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceMessage {
    Format(FaceFormatError),
    /// A wrong 照合番号B: this many tries left.
    Wrong(u8),
    /// Enter before the card told the tries: nothing sent.
    WaitForTries,
    LastTryWarning,
    CharNotAllowed,
    Full,
    /// The birth date can't be written as the card face prints it in this calendar (before
    /// Meiji, or a 和暦 year past 99): switch the calendar.
    BirthUnprintable,
}

/// The face step's screen.
#[derive(Debug)]
pub struct FaceScreen {
    /// None until the card told (nothing is taken until then).
    pub tries: Option<u8>,
    pub input: FaceInput,
    pub reveal: bool,
    /// How the birth date is printed on this card (the clerk switches).
    pub year: PrintedYear,
    /// At one try left: waiting for the explicit yes/no.
    pub confirming_last: bool,
    pub message: Option<FaceMessage>,
    /// A request is in flight.
    pub busy: bool,
    /// 照合番号B is locked: advice, and no VERIFY.
    pub locked: bool,
}

impl FaceScreen {
    fn new(year: PrintedYear) -> FaceScreen {
        FaceScreen {
            tries: None,
            input: FaceInput::new(),
            reveal: false,
            year,
            confirming_last: false,
            message: None,
            busy: true,
            locked: false,
        }
    }

    /// Eight digits may be typed now.
    pub fn taking_input(&self) -> bool {
        !self.busy && !self.locked && self.tries.is_some_and(|t| t > 0)
    }
}

/// The card face's pictures, decoded on the card thread into zeroizing pixels; `None` where a
/// picture would not decode (the screen says so).
#[derive(Debug, Default)]
pub struct FacePictures {
    pub photo: Option<Grey>,
    pub name: Option<Grey>,
    pub address: Option<Grey>,
}

/// EF 0002 as the card thread read it: the parsed face (for the flow's agreement check), DF 28
/// as checked with the configured issuer key, and the decoded pictures.
#[derive(Debug)]
pub struct FaceRead {
    pub face: CardFace,
    pub signature: FaceSignature,
    pub pictures: FacePictures,
}

/// The card face while the confirm screen shows it: its pictures, the signature's state, and
/// the clerk's judgement. Dropped (pixels wiped) when the screen is left.
#[derive(Debug)]
pub struct FaceState {
    pictures: FacePictures,
    signature: FaceSignature,
    matched: bool,
    /// Enter was pressed before the clerk judged the photo: the screen says what is awaited.
    asked: bool,
    /// The terminal can draw pictures (from the flow's config when read).
    drawable: bool,
}

impl FaceState {
    pub fn pictures(&self) -> &FacePictures {
        &self.pictures
    }
    pub fn signature(&self) -> FaceSignature {
        self.signature
    }
    /// The clerk said the photo is the person's.
    pub fn matched(&self) -> bool {
        self.matched
    }
    pub fn asked(&self) -> bool {
        self.asked
    }
    /// The photo is on screen for the clerk to compare (the terminal draws, it decoded).
    pub fn photo_shown(&self) -> bool {
        self.drawable && self.pictures.photo.is_some()
    }
    fn check(&self) -> CardFaceCheck {
        CardFaceCheck {
            photo_check: if self.matched {
                PhotoCheck::Matched
            } else {
                PhotoCheck::NotShown
            },
            read: true,
            signature: match self.signature {
                FaceSignature::Valid => FaceSignatureCheck::Verified,
                _ => FaceSignatureCheck::NotVerified,
            },
        }
    }
}

/// Why the card face stopped the flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceStop {
    /// The card face's birth date or sex differs from EF 02's: the card's data disagree.
    Disagrees,
    /// DF 28 does not verify with the configured issuer key.
    NotGenuine,
    /// The clerk said the photo is not the person's: nothing is recorded.
    PhotoMismatch,
    /// 照合番号B is locked, and the station requires the card face.
    Locked,
    /// The station requires the photo compared, and it can't be shown here.
    PhotoNotShown,
}

impl Flow {
    /// The card face on the confirm screen, while it is shown.
    pub fn face(&self) -> Option<&FaceState> {
        self.face.as_ref()
    }

    /// After the four items were read: the clerk's step, the tries asked first.
    pub(super) fn enter_face(&mut self, out: &mut Vec<Effect>) {
        self.face = None;
        // Required, and this terminal can't draw a photo to compare: no 照合番号B for nothing.
        if self.cfg.card_face == FaceStep::Require && !self.cfg.pictures {
            return self.face_stop(FaceStop::PhotoNotShown, out);
        }
        self.screen = Screen::Face(FaceScreen::new(PrintedYear::Wareki));
        self.request(CardRequest::FaceTries, out);
    }

    pub(super) fn face_action(&mut self, a: Action, out: &mut Vec<Effect>) {
        let require = self.cfg.card_face == FaceStep::Require;
        let this_year = (self.today / 10_000) as u16;
        let Screen::Face(s) = &mut self.screen else {
            return;
        };
        match a {
            Action::Cancel => return self.reset(Some(Notice::Cancelled), out),
            // Without the card face, where the station allows it: nothing of it is recorded.
            Action::Skip if !require && !s.busy => {
                self.face = None;
                self.screen = Screen::Confirm {
                    choice: ConfirmChoice::Next,
                };
                return;
            }
            _ => {}
        }
        // While the card is asked for the tries, typing goes into the field (a key is never
        // dropped without a word) but Enter waits, as on the PIN screens.
        if s.busy && s.tries.is_none() {
            match a {
                Action::Type(c) => s.message = typed_message(s.input.push(c)),
                Action::Erase => {
                    s.input.pop();
                    s.message = None;
                }
                Action::Submit => s.message = Some(FaceMessage::WaitForTries),
                _ => {}
            }
            return;
        }
        if !s.taking_input() {
            return;
        }
        if s.confirming_last {
            match a {
                Action::Yes => self.send_face(out),
                Action::No => {
                    s.confirming_last = false;
                    s.message = Some(FaceMessage::LastTryWarning);
                }
                _ => {}
            }
            return;
        }
        match a {
            Action::Type(c) => s.message = typed_message(s.input.push(c)),
            Action::Erase => {
                s.input.pop();
                s.message = None;
            }
            Action::Reveal => s.reveal = !s.reveal,
            Action::SwitchCalendar => {
                s.year = match s.year {
                    PrintedYear::Wareki => PrintedYear::Seireki,
                    PrintedYear::Seireki => PrintedYear::Wareki,
                };
                if s.message == Some(FaceMessage::BirthUnprintable) {
                    s.message = None;
                }
            }
            // A refused format empties the field, as on the PIN screens.
            Action::Submit => match s.input.validate(this_year).map(|_| ()) {
                Err(e) => {
                    s.input.clear();
                    s.message = Some(FaceMessage::Format(e));
                }
                Ok(_) if s.tries == Some(1) => s.confirming_last = true,
                Ok(_) => self.send_face(out),
            },
            _ => {}
        }
    }

    /// 照合番号B made of the birth date as printed and the typed digits, sent in exactly one
    /// request; the input is wiped.
    fn send_face(&mut self, out: &mut Vec<Effect>) {
        let this_year = (self.today / 10_000) as u16;
        let Some(birth) = self.person.as_ref().map(|p| p.birth_date) else {
            return;
        };
        let Screen::Face(s) = &mut self.screen else {
            return;
        };
        s.confirming_last = false;
        let Some(printed) = birth_as_printed(birth, s.year) else {
            s.message = Some(FaceMessage::BirthUnprintable);
            return;
        };
        let pin = match s.input.validate(this_year) {
            Ok((year, code)) => PinB::from_parts(&printed[..], year, code),
            Err(e) => {
                s.input.clear();
                s.message = Some(FaceMessage::Format(e));
                return;
            }
        };
        s.input.clear();
        match pin {
            Ok(pin) => {
                s.busy = true;
                s.message = None;
                self.request(CardRequest::VerifyFaceAndRead(pin), out);
            }
            // Not reached: the parts were checked above.
            Err(_) => s.message = Some(FaceMessage::Format(FaceFormatError::Length)),
        }
    }

    /// The card's answers on the face step.
    pub(super) fn face_reply(&mut self, reply: CardReply, out: &mut Vec<Effect>) {
        let require = self.cfg.card_face == FaceStep::Require;
        match reply {
            CardReply::FaceTries(0) | CardReply::FaceLocked => {
                if require {
                    self.face_stop(FaceStop::Locked, out);
                } else if let Screen::Face(s) = &mut self.screen {
                    s.busy = false;
                    s.locked = true;
                    s.tries = Some(0);
                    s.confirming_last = false;
                    s.input.clear();
                    s.message = None;
                }
            }
            CardReply::FaceTries(n) => {
                if let Screen::Face(s) = &mut self.screen {
                    s.busy = false;
                    s.tries = Some(n);
                    s.message = (n == 1).then_some(FaceMessage::LastTryWarning);
                }
            }
            CardReply::FaceWrong(n) => {
                if let Screen::Face(s) = &mut self.screen {
                    s.busy = false;
                    s.tries = Some(n);
                    s.input.clear();
                    s.message = Some(FaceMessage::Wrong(n));
                }
            }
            CardReply::Face(read) => self.face_read(*read, out),
            _ => {}
        }
    }

    /// EF 0002 read: it must agree with EF 02 and not be a forgery; then the confirm screen
    /// shows it.
    fn face_read(&mut self, read: FaceRead, out: &mut Vec<Effect>) {
        let FaceRead {
            face,
            signature,
            pictures,
        } = read;
        let agrees = self.person.as_ref().is_some_and(|p| face.agrees_with(p));
        drop(face);
        if !agrees {
            return self.face_stop(FaceStop::Disagrees, out);
        }
        if signature == FaceSignature::Invalid {
            return self.face_stop(FaceStop::NotGenuine, out);
        }
        let state = FaceState {
            pictures,
            signature,
            matched: false,
            asked: false,
            drawable: self.cfg.pictures,
        };
        if self.cfg.card_face == FaceStep::Require && !state.photo_shown() {
            return self.face_stop(FaceStop::PhotoNotShown, out);
        }
        self.face = Some(state);
        self.screen = Screen::Confirm {
            choice: ConfirmChoice::Next,
        };
    }

    /// Stops for the card face: everything of this citizen wiped, the card released.
    fn face_stop(&mut self, why: FaceStop, out: &mut Vec<Effect>) {
        self.person = None;
        self.face = None;
        self.declared = Declared::default();
        self.confirmed = false;
        out.push(Effect::Wipe);
        out.push(Effect::ReleaseCard);
        self.screen = Screen::Stopped(Stop::Face(why));
    }

    /// The clerk's keys on the confirm screen while the card face is shown. True when the
    /// action was the clerk's (taken or refused here).
    pub(super) fn photo_action(&mut self, a: Action, out: &mut Vec<Effect>) -> bool {
        let Some(face) = &mut self.face else {
            return false;
        };
        match a {
            Action::PhotoMatches if face.photo_shown() => {
                face.matched = true;
                face.asked = false;
                true
            }
            Action::PhotoDiffers => {
                self.face_stop(FaceStop::PhotoMismatch, out);
                true
            }
            Action::PhotoMatches => true,
            _ => false,
        }
    }

    /// Whether the confirmed data may go on past the confirm screen, as far as the card face
    /// is concerned; records the clerk's check and drops the pictures when it may.
    pub(super) fn face_allows_next(&mut self) -> bool {
        let Some(face) = &mut self.face else {
            return true;
        };
        let may = face.matched || (!face.photo_shown() && self.cfg.card_face == FaceStep::Offer);
        if !may {
            face.asked = true;
            return false;
        }
        self.declared.card_face = Some(face.check());
        self.face = None;
        true
    }
}

/// What the field says of a key typed into it.
fn typed_message(r: Result<(), input::Refused>) -> Option<FaceMessage> {
    match r {
        Ok(()) => None,
        Err(input::Refused::Character) => Some(FaceMessage::CharNotAllowed),
        Err(input::Refused::Full) => Some(FaceMessage::Full),
    }
}
