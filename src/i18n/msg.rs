//! The message enums: [`Msg`] names every fixed text, [`Text`] every text with variables
//! together with their values. Each is a Fluent message whose id is the variant's name in
//! kebab case (`ConsentHeading` is `consent-heading`); a variable's name is its field's. A
//! message that is not in the enums can't be asked for, and one asked for without its
//! variables does not compile; the tests check that every language has every message and uses
//! only the variables its variant carries.

use std::sync::OnceLock;

use fluent_bundle::{FluentArgs, FluentValue};

/// `ConsentHeading` → `consent-heading`, for each name of an enum: made once and kept.
fn kebab(names: &'static [&'static str], ids: &'static OnceLock<Vec<&'static str>>, i: usize) -> &'static str {
    ids.get_or_init(|| {
        names
            .iter()
            .map(|name| {
                let mut id = String::new();
                for (i, c) in name.chars().enumerate() {
                    if c.is_ascii_uppercase() && i > 0 {
                        id.push('-');
                    }
                    id.push(c.to_ascii_lowercase());
                }
                &*Box::leak(id.into_boxed_str())
            })
            .collect()
    })[i]
}

/// Fixed texts: the Fluent message whose id is the variant's name in kebab case.
macro_rules! messages {
    ($($v:ident),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($v),* }
        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$v),*];
            /// The Fluent id.
            pub fn id(self) -> &'static str {
                static IDS: OnceLock<Vec<&'static str>> = OnceLock::new();
                kebab(&[$(stringify!($v)),*], &IDS, self as usize)
            }
        }
    };
}

/// Texts with variables: `Variant { var, … }` is the Fluent message `variant` and the values
/// of its variables `$var, …`. [`TextId`] names the message without its values.
macro_rules! texts {
    ($($(#[$doc:meta])* $v:ident { $($f:ident),* $(,)? }),* $(,)?) => {
        /// A message with variables and their values (no `Debug`: the values may be a demo
        /// card's PIN or a citizen's birth date).
        // Made and formatted at once, on the stack: never kept, so its size does not matter.
        #[allow(clippy::large_enum_variant)]
        pub enum Text<'a> { $($(#[$doc])* $v { $($f: FluentValue<'a>),* }),* }
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum TextId { $($v),* }
        impl TextId {
            #[cfg(test)]
            pub const ALL: &'static [TextId] = &[$(TextId::$v),*];
            /// The Fluent id.
            pub fn id(self) -> &'static str {
                static IDS: OnceLock<Vec<&'static str>> = OnceLock::new();
                kebab(&[$(stringify!($v)),*], &IDS, self as usize)
            }
            /// The variables the message takes.
            #[cfg(test)]
            pub fn vars(self) -> &'static [&'static str] {
                match self { $(TextId::$v => &[$(stringify!($f)),*]),* }
            }
        }
        impl<'a> Text<'a> {
            pub fn id(&self) -> TextId {
                match self { $(Text::$v { .. } => TextId::$v),* }
            }
            /// The values as Fluent arguments, each under its field's name.
            pub fn args(self) -> FluentArgs<'a> {
                match self {
                    $(Text::$v { $($f),* } => {
                        #[allow(unused_mut)]
                        let mut a = FluentArgs::new();
                        $(a.set(stringify!($f), $f);)*
                        a
                    })*
                }
            }
        }
    };
}

messages! {
    Title,
    StepConsent,
    StepCard,
    StepPin,
    StepReading,
    StepConfirm,
    StepContact,
    StepSign,
    StepSend,
    StepDone,
    ConsentHeading,
    ConsentScrollHint,
    PlaceCard,
    KeepCardStill,
    NoticeCardRemoved,
    NoticeTimedOut,
    NoticeCancelled,
    NoticeQueueFull,
    PinRuleText,
    PinRuleSign,
    CheckingTries,
    CharNotAllowed,
    ConfirmLastTry,
    Reading,
    ConfirmHeading,
    ConfirmNote,
    LabelName,
    LabelFormerName,
    LabelGender,
    LabelBirth,
    LabelAddress,
    Male,
    Female,
    OtherGender,
    ButtonReread,
    ButtonNext,
    ContactHeading,
    ContactNote,
    EmailEmpty,
    EmailAt,
    EmailLocal,
    EmailDomain,
    EmailTooLong,
    Signing,
    Storing,
    Sending,
    DoneHeading,
    DoneQueued,
    DoneUnsigned,
    StoppedHeading,
    StoreFailed,
    DifferentCard,
    VerdictExpired,
    VerdictRevoked,
    VerdictSignature,
    VerdictUnsupported,
    VerdictDataMismatch,
    VerdictInvalid,
    VerdictReview,
    Reveal,
    Hide,
    KeyEnter,
    KeyEsc,
    KeyScroll,
    KeyChoose,
    KeyDiag,
    KeyReader,
    KeyLang,
    KeyQuit,
    Queue,
    Unsealed,
    TooSmall,
    StoreFailedFull,
    StoreFailedDisk,
    StoreFailedSeal,
    SignatureInvalid,
    NoCertificateAdult,
    DoneReview,
    DoneReviewWhy,
    ButtonStop,
    Hotline,
    ReceiptNumber,
    ReceiptKeep,
    DoneVerdictLater,
    Review,
    PrivacyHeading,
    RepresentativeHeading,
    RepresentativeNote,
    RepresentativeParent,
    RepresentativeGuardian,
    RepresentativeOther,
    RepresentativeChoose,
    EmailAgain,
    EmailMismatch,
    CardTipCase,
    CardTipMetal,
    CardTipStill,
    KonbiniReset,
    ResetHere,
    DiagRunning,
    DiagNotRunning,
    DiagReader,
    DiagTitleFull,
    DiagNoReader,
    DiagCard,
    DiagKind,
    DiagAtrDecoded,
    DiagHistorical,
    DiagKnownAtr,
    DiagProtocol,
    DiagExtended,
    DiagExtendedShort,
    DiagExtendedMeasured,
    DiagYes,
    DiagNo,
    DiagYesMeasured,
    DiagNoMeasured,
    DiagLastApdu,
    DiagLastApduLong,
    DiagRtt,
    DiagVendor,
    DiagModel,
    DiagFirmware,
    DiagVendorModelFirmware,
    DiagRemovals,
    DiagRemovalsShort,
    DiagRemovalsSession,
    DiagLastError,
    CardAbsent,
    CardPresent,
    CardMute,
    CardBusy,
    KindMyNumberCard,
    KindJukiCard,
    KindNotJpki,
    ReadersNoCard,
    ReadersCardMute,
    ReadersCardBusy,
    ReadersCardPresent,
    PlacementSuspect,
    // The command line (`read`, `cert`).
    CliLastTryHint,
    CliNoPin,
    // Keys: the help line's words (the keys are in `ui::keys`).
    KeyAgree,
    KeyVerify,
    KeyNextCitizen,
    KeyYes,
    KeyNo,
    KeyCitizenLang,
    KeyRepresentative,
    KeyPick,
    KeySkip,
    KeyDecline,
    KeyDontWait,
    KeyQuitNow,
    KeyContinue,
    KeyClose,
    KeyDemoCard,
    EmailCharacter,
    EmailLegacy,
    ContactOptional,
    NoticeDeclined,
    QuitQuestion,
    QuitSaving,
    NoCertificateNoteMinors,
    NoCertificateNoteUnsigned,
    FindingExpired,
    HealthTitleShort,
    // The card face (券面確認, i18n/<lang>/face.ftl).
    KeyFaceCalendar,
    KeyFaceSkip,
    KeyPhotoMatches,
    KeyPhotoDiffers,
    FaceHeading,
    FaceRequest,
    FaceLabelYear,
    FaceLabelCode,
    FaceBirthWareki,
    FaceBirthSeireki,
    FaceFormatLength,
    FaceFormatYear,
    FaceLastTry,
    FaceFull,
    FaceBirthUnprintable,
    FaceLocked,
    FaceReading,
    FaceNoPictures,
    FaceHalfBlocks,
    PhotoLabel,
    PhotoNotShown,
    PhotoUndecodable,
    PhotoSilhouette,
    PhotoMatched,
    PhotoAwaiting,
    FaceSignatureVerified,
    FaceSignatureUnverified,
    FaceImagesLabel,
    StopFaceDisagrees,
    StopFaceNotGenuine,
    StopPhotoMismatch,
    StopFaceLocked,
    StopPhotoNotShown,
    DiagNotUsed,
    StatusSocketShort,
    StatusBusy,
    // Were looked up by string before the enum covered every fixed text.
    PinNameText,
    PinNameSign,
    PinNameAuth,
    TransportNoService,
    TransportNoReader,
    TransportNoCard,
    TransportCardRemoved,
    TransportCardReset,
    TransportUnresponsive,
    TransportBusy,
    TransportTimeout,
    TransportExtendedUnsupported,
    RefusalMyNumber,
    RefusalAllowlist,
    CardNotMyNumberCard,
    CardSecurityStatus,
    CardFileNotFound,
    CardNoSigningCertificate,
    DiagConfigFile,
    DiagSealKid,
    OutboxColId,
    OutboxColStatus,
    OutboxColAttempts,
    OutboxColAge,
    OutboxColNext,
    OutboxColAssurance,
    OutboxColKid,
    OutboxColLastError,
    EmailCarrierWarning,
    TermsMissing,
    PrivacyMissing,
    StatusLabelStation,
    StatusLabelUptime,
    StatusLabelStep,
    StatusLabelReader,
    StatusLabelPcscd,
    StatusLabelQueue,
    StatusLabelDelivery,
    StatusLabelCrl,
    StatusLabelApdu,
    StatusLabelErrors,
    // What joins the items of a list ("氏名、住所", "name, address").
    ListSeparator,
    // The label of the enrollment id on the done screen.
    EnrollmentId,
    // The 利用者証明 challenge (its step, its PIN screen, its stops and verdicts).
    StepProve,
    AuthPinWhy,
    AuthPinOther,
    Proving,
    NoAuthCertificate,
    VerdictAuthExpired,
    VerdictAuthRevoked,
    VerdictAssurance,
    VerdictRecordTime,
    DoneUnauthenticated,
    // How a record proves the card, for the clerk on 完了; and the status line's mark when
    // records that prove no card are allowed.
    LevelSigned,
    LevelCardAuthenticated,
    LevelUnauthenticated,
    UnauthenticatedAllowed,
}

texts! {
    TriesLeft { pin, n },
    LastTryWarning { pin },
    PinFormatLength { pin },
    PinFormatCharacter { pin, position },
    PinFormatLettersDigits { pin },
    PinFull { pin, max },
    /// Enter while the tries are asked: the keys that check the PIN once they show.
    PinWaitForTries { keys },
    /// How the card talks to the reader, as its ATR says: `contact`, `contactless`, `unknown`.
    DiagInterface { interface },
    EnterPin { pin },
    TriesShort { n },
    TransportUnknownReader { name },
    TransportRefused { reason },
    TransportOther { detail },
    CardWrongPin { pin, n },
    CardLocked { pin },
    CardMalformed { detail },
    CardStatus { op, sw },
    HealthTitle { n, max },
    HealthCounts { removals, resends, errors },
    OldestMinutes { minutes },
    CrlAge { hours },
    CrlAgeStale { hours },
    DiagConfigInvalid { path, line, message },
    DiagConfigUnreadable { path, error },
    DiagConfigFileProblem { key, error },
    /// The demo card's PIN, signing password and 利用者証明用暗証番号.
    DemoSecrets { pin, password, auth },
    DemoSecretsPin { pin, auth },
    /// A wrong 照合番号B, and the tries the card has left.
    FaceWrong { n },
    /// The demo card's face: its expiry year and security code (照合番号B's typed part).
    DemoFace { year, code },
    EmailCarrierWarningDomain { domain },
    IdleWarning { secs },
    EraName { era },
    TermsMissingOther { lang },
    PrivacyMissingOther { lang },
    StatusNoStation { path, error },
    StatusTooMany { max },
    /// The station `madoguchi status --watch` watched closed its socket (it quit).
    StatusStationGone { path },
    /// Where the status socket is, and why it could not be opened (`StatusSocketReason`).
    StatusSocketFailed { path, reason },
    /// Why the status socket could not be opened, by code (`in_use`, `permission`, …).
    StatusSocketReason { reason },
    StatusPcscdState { state },
    StatusUptime { secs },
    StatusQueue { pending, review },
    StatusCrl { hours, fresh },
    StatusApdu { n, median, max },
    StatusErrors { n, removals, transmit },
    StatusCode { code },
    /// The birth date (和暦 and 西暦): the era's key (`none` before Meiji), the year of the
    /// era, and the Gregorian year, month and day, as numbers.
    BirthDate { era, era_year, year, month, day },
    /// A key beside what it does: "Enter: 同意して次へ".
    KeyHint { keys, action },
    /// A label and its value on one line: "受付番号: …".
    Labelled { label, value },
    /// The status line's count of unsent records, and of those kept for review.
    QueueCount { n },
    ReviewCount { n },
    /// The items that differ, after the done screen's sentence that says so.
    DoneReviewItems { items },
    /// For the clerk on 完了: how the record proves the card, in words and as the payload
    /// spells it (`outbox list` and the receiver show the latter).
    DoneLevel { level, code },
}
