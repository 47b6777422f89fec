//! What goes in and out of the flow: events, effects, card requests and replies, and the
//! small enums they carry.

use crate::card::basic4::BasicFour;
use crate::card::CardError;
use crate::seam::{BackendError, CertificateProblem, Declared, SignedPayload, Verdict};
use crate::secret::{PinKind, Secret};

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
    Send,
    Done,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::Consent,
        Step::Card,
        Step::Pin,
        Step::Reading,
        Step::Confirm,
        Step::Contact,
        Step::Sign,
        Step::Send,
        Step::Done,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowConfig {
    /// Have the citizen sign with the signing key (署名 step).
    pub signature: bool,
    /// When the card has no signing certificate and its holder is under 15, finish with the
    /// four items only.
    pub allow_unsigned_minors: bool,
    /// The same for holders of 15 or over (a certificate not requested, or a card without
    /// one). Off by default: they are told where to get a certificate.
    pub allow_unsigned_adults: bool,
    /// Wipe and start over after this long without a key or card event (ms).
    pub idle_timeout_ms: u64,
    /// How long the 送信 step waits for the backend before showing 完了 with "sent later".
    pub send_wait_ms: u64,
    /// Ask for a contact e-mail address after the data is confirmed.
    pub email: bool,
    /// The operator's sending domain, named in the e-mail step's warning about carrier mail
    /// and domain filters.
    pub email_sender_domain: Option<String>,
    /// A privacy notice (個人情報の取り扱い) with its own read-to-the-end step after the terms.
    pub privacy: bool,
    /// The language each citizen starts in (config `lang`); they pick theirs on the consent
    /// screen, and the next citizen starts in this one again.
    pub lang: crate::i18n::Lang,
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
            idle_timeout_ms: 180_000,
            send_wait_ms: 8_000,
            email: false,
            email_sender_domain: None,
            privacy: false,
            lang: crate::i18n::Lang::Ja,
        }
    }
}

/// Keys, abstracted from the terminal library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Backspace,
    Esc,
    Tab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    /// Function keys (F1…F12).
    F(u8),
}

/// What the card worker answers to a [`CardRequest`].
#[derive(Debug)]
pub enum CardReply {
    Tries(u8),
    /// EF 02 read after a successful VERIFY.
    Read(BasicFour),
    /// Signed and checked locally against the certificate read (the executor built the
    /// statement and the record, and compared the certificate's text with the card's).
    Signed(Box<SignedPayload>),
    /// The signing certificate was refused before anything was signed (expired, revoked).
    CertificateRefused(CertificateProblem),
    /// The card's signature did not verify with its own certificate: nothing was stored.
    SignatureInvalid,
}

#[derive(Debug)]
pub enum Event {
    Key(Key),
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
    Delivered {
        enrollment_id: String,
        verdict: Verdict,
    },
    /// The consent text is `total` lines at the current width, `visible` fit on screen.
    ConsentLayout {
        total: u16,
        visible: u16,
    },
    /// A timer asked for with `Effect::WakeAt` (or any periodic tick).
    Tick,
    /// The outbox is full: no new enrollment may start (nothing queued is touched).
    QueueFull(bool),
}

/// Card work the flow asks for. Each carries the id its reply must echo.
#[derive(Debug)]
pub enum CardRequest {
    QueryTries(PinKind),
    /// VERIFY the 4-digit PIN once, then read EF 02.
    VerifyAndRead(Secret),
    /// VERIFY the signing password once, read the signing certificate, sign the statement
    /// built from `person`, verify the signature locally.
    VerifyAndSign {
        password: Secret,
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
    /// Store the four items without a signature (signature step off, or a minor's card).
    StoreUnsigned {
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
}

/// A notice shown on the card step (why we are back there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    CardRemoved,
    TimedOut,
    Cancelled,
    QueueFull,
}
