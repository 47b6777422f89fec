//! The screen model: what the UI shows for each step. Holds PIN input only in its zeroizing
//! buffer.

use super::contact;
use super::input::SecretInput;
use super::types::{Doc, Notice, Stop};
use crate::record::check::Item;
use crate::record::payload::Assurance;
use crate::record::payload::Representative;
use crate::seam::Verdict;
use crate::secret::PinKind;

#[derive(Debug)]
pub struct PinScreen {
    pub kind: PinKind,
    /// None until the card told us (typing is taken meanwhile, Enter is not).
    pub tries: Option<u8>,
    pub input: SecretInput,
    pub reveal: bool,
    /// At one try left: waiting for the explicit yes/no.
    pub confirming_last: bool,
    /// The last message for the citizen (wrong PIN, format).
    pub message: Option<PinMessage>,
    /// The tries are being asked: typing is taken, Enter waits for them.
    pub busy: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinMessage {
    Format(crate::secret::PinFormatError),
    Wrong(u8),
    LastTryWarning,
    /// A key that this PIN kind can't contain was pressed.
    CharNotAllowed,
    /// The field is full: the key was refused (never dropped without a word).
    Full,
    /// Enter before the card told the tries: nothing was sent, what was typed stays.
    WaitForTries,
}

#[derive(Debug)]
pub enum Screen {
    /// `notice` says why we are back at the start (timeout, card problem, queue full).
    Consent {
        doc: Doc,
        scroll: u16,
        reached_end: bool,
        notice: Option<Notice>,
    },
    Card {
        notice: Option<Notice>,
    },
    Pin(PinScreen),
    Reading,
    /// 券面確認: the clerk types the card's expiry year and security code (照合番号B).
    Face(super::face::FaceScreen),
    Confirm {
        choice: ConfirmChoice,
    },
    /// The clerk confirms who applied for the holder (a minor's, or a 成年被後見人's,
    /// 法定代理人) with function keys; the record can't go on without it.
    Representative {
        choice: Option<Representative>,
    },
    Contact {
        input: contact::ContactInput,
        /// The first entry, while the citizen types it again.
        first: Option<crate::card::basic4::PersonalText>,
        error: Option<contact::EmailError>,
    },
    SignPin(PinScreen),
    Signing,
    /// The 利用者証明用暗証番号, for the challenge of a citizen who does not sign.
    AuthPin(PinScreen),
    /// The card's authentication key signs the challenge (VERIFY, signature, local check).
    Proving,
    Storing,
    Sending {
        enrollment_id: String,
        since_ms: u64,
    },
    Done {
        enrollment_id: String,
        verdict: Verdict,
        /// How the record proves the card: the clerk sees it on 完了.
        level: Assurance,
        /// The items whose certificate text differs from the card (the record is in review).
        review: Vec<Item>,
    },
    Stopped(Stop),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfirmChoice {
    Reread,
    Next,
    /// Stop here: nothing is recorded, everything is wiped.
    Stop,
}

impl ConfirmChoice {
    /// The buttons in the order they are drawn, left to right: ← and → follow it.
    pub const ORDER: [ConfirmChoice; 3] = [ConfirmChoice::Reread, ConfirmChoice::Next, ConfirmChoice::Stop];

    /// The button drawn `step` places away (-1: to the left, 1: to the right), round.
    pub fn moved(self, step: isize) -> ConfirmChoice {
        let n = Self::ORDER.len() as isize;
        let i = Self::ORDER.iter().position(|c| *c == self).unwrap_or(0) as isize;
        Self::ORDER[(i + step).rem_euclid(n) as usize]
    }
}
