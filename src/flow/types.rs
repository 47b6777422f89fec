//! What goes in and out of the flow: events, effects, card requests and replies, and the
//! small enums they carry.

use crate::card::basic4::BasicFour;
use crate::card::CardError;
use crate::record::payload::Representative;
use crate::seam::{BackendError, CertificateProblem, Declared, SignedPayload, Verdict};
use crate::secret::{AuthPin, PinKind, Secret};

/// The steps of the progress bar, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Consent,
    Card,
    Pin,
    Reading,
    Confirm,
    /// 連絡先: an e-mail address, when the config asks for one (like the seeds' services).
    Contact,
    Sign,
    /// 利用者証明: the card's authentication key signs the enrollment, for a citizen who does
    /// not sign (shown in the bar instead of 署名).
    Prove,
    Send,
    Done,
}

impl Step {
    pub const ALL: [Step; 10] = [
        Step::Consent,
        Step::Card,
        Step::Pin,
        Step::Reading,
        Step::Confirm,
        Step::Contact,
        Step::Sign,
        Step::Prove,
        Step::Send,
        Step::Done,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowConfig {
    /// Have the citizen sign with the signing key (署名 step). Off: every citizen goes
    /// through the 利用者証明 challenge instead.
    pub signature: bool,
    /// When the card has no signing certificate and its holder is under 15, finish without a
    /// signature: through the 利用者証明 challenge (`card-authenticated`).
    pub allow_unsigned_minors: bool,
    /// The same for holders of 15 or over (a certificate not requested, or a card without
    /// one). Off by default: they are told where to get a certificate.
    pub allow_unsigned_adults: bool,
    /// Records that prove no card (`unauthenticated`) may be stored: only for a card that
    /// holds no 利用者証明用 certificate, so the challenge can't be made. Off by default; the
    /// clerk sees that it is on.
    pub allow_unauthenticated: bool,
    /// Wipe and start over after this long without a key or card event (ms).
    pub idle_timeout_ms: u64,
    /// How long the 送信 step waits for the backend before showing 完了 with "sent later".
    pub send_wait_ms: u64,
    /// Ask for a contact e-mail address after the data is confirmed.
    pub email: bool,
    /// The privacy notice says the address is optional: the step can be skipped.
    pub email_optional: bool,
    /// The operator's sending domain, named in the e-mail step's warning about carrier mail
    /// and domain filters.
    pub email_sender_domain: Option<String>,
    /// A privacy notice (個人情報の取り扱い) with its own read-to-the-end step after the terms.
    pub privacy: bool,
    /// The language each citizen starts in (config `lang`); they pick theirs on the consent
    /// screen, and the next citizen starts in this one again.
    pub lang: crate::lang::Lang,
    /// The clerk's card-face step (券面確認, `[steps] card_face`): the chip's photo compared
    /// with the person after the four items are read.
    pub card_face: super::face::FaceStep,
    /// The terminal draws pictures in pixels (sixel, kitty: the runtime sets it at start from
    /// the graphics probe and `graphics`): the clerk can compare a photo only where one is
    /// drawn fine enough for a face (half-blocks are an outline, not that).
    pub pictures: bool,
}

/// Which text the consent step shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doc {
    Terms,
    Privacy,
}

impl Default for FlowConfig {
    fn default() -> FlowConfig {
        FlowConfig {
            signature: true,
            allow_unsigned_minors: true,
            allow_unsigned_adults: false,
            allow_unauthenticated: false,
            idle_timeout_ms: 180_000,
            send_wait_ms: 8_000,
            email: false,
            email_optional: false,
            email_sender_domain: None,
            privacy: false,
            lang: crate::lang::Lang::Ja,
            card_face: super::face::FaceStep::Off,
            pictures: true,
        }
    }
}

/// What a key asks of the current step. The key table (`ui::keys`) turns terminal keys into
/// these, screen by screen, with the hint the help line shows for each: the flow never sees a
/// key, so what a key does is declared once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Agree, verify the PIN, take the chosen button or representative, next citizen, start
    /// again after a stop.
    Submit,
    /// Stop here and wipe everything (back to the start); at the last-try question, "no";
    /// while sending, stop waiting for the verdict.
    Cancel,
    /// Decline the terms or the privacy notice: nothing is recorded, back to the start.
    Decline,
    Scroll(Scroll),
    /// The choice drawn before the current one (the language picker, the buttons of 確認).
    Previous,
    /// The choice drawn after the current one.
    Following,
    /// Show or hide the PIN being typed.
    Reveal,
    /// The explicit yes at the last try.
    Yes,
    No,
    /// Read the card again (確認).
    Reread,
    /// The clerk: a 法定代理人 applies for this holder (確認).
    AskRepresentative,
    /// The clerk picks who applies for the holder.
    Representative(Representative),
    /// Go on without the e-mail address, where the privacy notice makes it optional; go on
    /// without the card face, where the station offers it (the clerk).
    Skip,
    /// The clerk: the card face prints the birth year in the other calendar (和暦 ⇔ 西暦).
    SwitchCalendar,
    /// The clerk: the chip's photo is the person at the counter (確認).
    PhotoMatches,
    /// The clerk: it is not; nothing is recorded.
    PhotoDiffers,
    /// A character typed into the PIN or the e-mail field.
    Type(char),
    /// Backspace in the PIN or the e-mail field.
    Erase,
}

/// How the consent text scrolls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scroll {
    LineUp,
    LineDown,
    PageUp,
    PageDown,
    Top,
    Bottom,
}

/// What the card tells before any PIN, without spending a try: the signing password's EF and
/// its counter, and the validity of the authentication certificate (readable without a PIN,
/// issued together with the signing one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CardFacts {
    pub signing: Signing,
    /// The authentication certificate is past its validity: so is the signing certificate
    /// issued with it (docs/card.md).
    pub certificate_expired: bool,
}

/// The signing password as the card answered its counter query.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Signing {
    /// Not asked, or the card's answer said nothing certain.
    #[default]
    Unknown,
    /// No signing-password EF: the card holds no signing certificate.
    Missing,
    /// Tries left on the signing password.
    Tries(u8),
}

/// What the card worker answers to a [`CardRequest`].
#[derive(Debug)]
pub enum CardReply {
    Tries(u8),
    /// What [`CardRequest::Probe`] found.
    Probed(CardFacts),
    /// EF 02 read after a successful VERIFY.
    Read(BasicFour),
    /// Signed and checked locally against the certificate read (the executor built the
    /// statement and the record, and compared the certificate's text with the card's).
    Signed(Box<SignedPayload>),
    /// The signing certificate was refused before anything was signed (expired, revoked).
    CertificateRefused(CertificateProblem),
    /// The card's signature did not verify with its own certificate: nothing was stored.
    SignatureInvalid,
    /// Tries left of 照合番号B (the card face step).
    FaceTries(u8),
    /// 照合番号B is locked: no VERIFY was sent.
    FaceLocked,
    /// A wrong 照合番号B: this many tries left.
    FaceWrong(u8),
    /// EF 0002 read after 照合番号B, its signature checked, its pictures decoded.
    Face(Box<super::face::FaceRead>),
    /// The station's backend failed while the card waited (building the statement, or it
    /// never started): nothing was signed or stored. Not the card's fault, and not said as such.
    BackendFailed(BackendError),
    /// The card session that read EF 02 has ended (a reset, a reconnect): the challenge can't
    /// bind that read. Nothing was sent to the card; it is read again and compared.
    Unbound,
}

#[derive(Debug)]
pub enum Event {
    /// A key of the current step, as the key table decided it.
    Action(Action),
    /// A key that asked nothing of the step (an overlay's, or one the step does not take):
    /// it still keeps the session from the idle wipe.
    Activity,
    /// A card is on the chosen reader.
    CardPresent,
    /// The card left the reader (or the reader went away).
    CardGone,
    /// Answer to request `id`.
    Card {
        id: u64,
        result: Result<CardReply, CardError>,
    },
    /// The outbox answered request `id`: the record is durably stored (Ok) or not.
    Stored {
        id: u64,
        result: Result<String, BackendError>,
    },
    /// The delivery task judged enrollment `enrollment_id`.
    Delivered { enrollment_id: String, verdict: Verdict },
    /// The consent text is `total` lines at the current width, `visible` fit on screen.
    ConsentLayout { total: u16, visible: u16 },
    /// A timer asked for with `Effect::WakeAt` (or any periodic tick).
    Tick,
    /// The outbox is full: no new enrollment may start (nothing queued is touched).
    QueueFull(bool),
}

/// Card work the flow asks for. Each carries the id its reply must echo.
#[derive(Debug)]
pub enum CardRequest {
    /// What the card tells without a PIN (the signing password's EF and counter, the
    /// certificate's validity), before the first PIN of a citizen is asked for.
    Probe,
    QueryTries(PinKind),
    /// VERIFY the 4-digit PIN once, then read EF 02.
    VerifyAndRead(Secret),
    /// Tries left of 照合番号B (券面事項確認AP), for the clerk to see before typing.
    FaceTries,
    /// VERIFY 照合番号B once, then read EF 0002 (the card face), check its signature and
    /// decode its pictures.
    VerifyFaceAndRead(crate::secret::PinB),
    /// VERIFY the signing password once, read the signing certificate, sign the statement
    /// built from `person`, verify the signature locally.
    VerifyAndSign {
        password: Secret,
        person: BasicFour,
        declared: Declared,
    },
    /// The 利用者証明 challenge, first half (no PIN), in the card session that read EF 02:
    /// the authentication certificate (read, or kept from the probe) checked, then the tries
    /// of the 利用者証明用暗証番号. Answers `Tries`, `CertificateRefused`, `Unbound`, or
    /// `Locked`/`FileNotFound` (no 利用者証明用 certificate).
    AuthStart,
    /// The challenge, second half: the statement binding EF 02 of this card session is
    /// prepared, the auth PIN VERIFYed once, the statement signed by the authentication key
    /// and the signature verified with the certificate read.
    AuthSign {
        pin: AuthPin,
        person: BasicFour,
        declared: Declared,
    },
}

#[derive(Debug)]
pub enum Effect {
    Card {
        id: u64,
        request: CardRequest,
    },
    /// Store a signed record durably; answer with `Event::Stored`.
    StoreSigned {
        id: u64,
        record: Box<SignedPayload>,
    },
    /// Store the four items with nothing that proves the card (`unauthenticated`): only where
    /// the operator allows it and the card holds no 利用者証明用 certificate.
    StoreUnauthenticated {
        id: u64,
        person: BasicFour,
        declared: Declared,
    },
    /// Release the card connection (start over, done).
    ReleaseCard,
    /// Personal data of this citizen is gone from the flow; the executor drops its copies too.
    Wipe,
    /// Schedule an `Event::Tick` at this time (the only timer; none while idle).
    WakeAt(u64),
}

/// Why the flow stopped at an explanation screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    Locked(PinKind),
    NotMyNumberCard,
    /// No signing certificate on the card of a holder under 15.
    NoSigningCertificate,
    /// No signing certificate on the card of a holder of 15 or over (not requested, or a
    /// card issued without one): the municipal office issues one.
    NoSigningCertificateAdult,
    /// Storing failed: nothing was lost, the record was never confirmed; try again.
    StoreFailed(BackendError),
    /// The card's signature did not verify with its certificate: nothing was stored.
    SignatureInvalid,
    Card(CardError),
    /// The backend's permanent verdict on this record (it stays in review on the station).
    Verdict(Verdict),
    /// The station refused the signing certificate before signing (expired, revoked on its
    /// CRL): nothing was signed or stored.
    Refused(Verdict),
    /// After a removal, the card put back holds other data than the one confirmed.
    DifferentCard,
    /// What the card told before any PIN rules it out (said at the card step).
    Finding(Finding),
    /// The card face stopped it (its data disagree, a forged signature, the photo is not the
    /// person's, 照合番号B locked where the step is required).
    Face(super::face::FaceStop),
    /// The card holds no 利用者証明用 certificate (not requested at issuance): the challenge
    /// can't be made, and the station takes no record that proves no card.
    NoAuthCertificate,
}

/// Why a card can't go on, known before any PIN ([`CardRequest::Probe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// The certificates are past their validity (Code 21).
    CertificateExpired,
    /// The signing password is locked.
    SignPasswordLocked,
    /// No signing certificate, and the station takes no record without one.
    NoSigningCertificate,
}

/// A notice shown on the card step (why we are back there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    CardRemoved,
    TimedOut,
    Cancelled,
    QueueFull,
    /// The citizen declined the terms or the privacy notice: nothing was recorded.
    Declined,
}
