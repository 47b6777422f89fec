//! Every sentence a person reads, in one place: the Fluent files under `i18n/<lang>/`,
//! embedded in the binary. Japanese is the default; the other languages have the same message
//! ids (a test checks). Each message says what happened and what to do next. None includes
//! card data or a PIN.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::card::error::CardError;
use crate::card::transport::{Refusal, TransportError};
use crate::lang::Lang;
use crate::reader::diagnostics::CardState;
use crate::secret::{PinFormatError, PinKind};

/// The Fluent sources of each language, in [`Lang::ALL`] order.
pub const FTL: [(Lang, [&str; 2]); 7] = [
    (
        Lang::Ja,
        [include_str!("../i18n/ja/ui.ftl"), include_str!("../i18n/ja/card.ftl")],
    ),
    (
        Lang::En,
        [include_str!("../i18n/en/ui.ftl"), include_str!("../i18n/en/card.ftl")],
    ),
    (
        Lang::ZhHans,
        [
            include_str!("../i18n/zh-Hans/ui.ftl"),
            include_str!("../i18n/zh-Hans/card.ftl"),
        ],
    ),
    (
        Lang::Ko,
        [include_str!("../i18n/ko/ui.ftl"), include_str!("../i18n/ko/card.ftl")],
    ),
    (
        Lang::Es,
        [include_str!("../i18n/es/ui.ftl"), include_str!("../i18n/es/card.ftl")],
    ),
    (
        Lang::PtBr,
        [
            include_str!("../i18n/pt-BR/ui.ftl"),
            include_str!("../i18n/pt-BR/card.ftl"),
        ],
    ),
    (
        Lang::Vi,
        [include_str!("../i18n/vi/ui.ftl"), include_str!("../i18n/vi/card.ftl")],
    ),
];

/// The variables the code passes to each message that takes any; a message not listed takes
/// none. The test checks every language's files against this table.
pub const ARGS: &[(&str, &[&str])] = &[
    ("tries-left", &["pin", "n"]),
    ("health-title", &["n", "max"]),
    ("health-counts", &["removals", "resends", "errors"]),
    ("status-no-station", &["path", "error"]),
    ("status-too-many", &["max"]),
    ("last-try-warning", &["pin"]),
    ("pin-format-length", &["pin"]),
    ("pin-format-character", &["pin", "position"]),
    ("pin-format-letters-digits", &["pin"]),
    ("transport-unknown-reader", &["name"]),
    ("transport-refused", &["reason"]),
    ("transport-other", &["detail"]),
    ("card-wrong-pin", &["pin", "n"]),
    ("card-locked", &["pin"]),
    ("card-malformed", &["detail"]),
    ("card-status", &["op", "sw"]),
    ("enter-pin", &["pin"]),
    ("tries-short", &["n"]),
    ("oldest-minutes", &["minutes"]),
    ("crl-age", &["hours"]),
    ("crl-age-stale", &["hours"]),
    ("diag-config-invalid", &["path", "line", "message"]),
    ("diag-config-unreadable", &["path", "error"]),
    ("diag-config-file-problem", &["key", "error"]),
    ("demo-secrets", &["pin", "password"]),
    ("demo-secrets-pin", &["pin"]),
    ("email-carrier-warning-domain", &["domain"]),
    ("idle-warning", &["secs"]),
    ("era-name", &["era"]),
    ("terms-missing-other", &["lang"]),
    ("privacy-missing-other", &["lang"]),
    ("pin-full", &["pin", "max"]),
    ("status-socket-failed", &["error"]),
    ("status-pcscd-state", &["state"]),
    ("status-uptime", &["secs"]),
    ("status-queue", &["pending", "review"]),
    ("status-crl", &["hours", "fresh"]),
    ("status-apdu", &["n", "median", "max"]),
    ("status-errors", &["n", "removals", "transmit"]),
    ("status-code", &["code"]),
];

fn bundles() -> &'static [FluentBundle<FluentResource>] {
    static BUNDLES: OnceLock<Vec<FluentBundle<FluentResource>>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        FTL.iter()
            .map(|(lang, sources)| {
                let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("a valid language tag");
                let mut b = FluentBundle::new_concurrent(vec![id]);
                // Direction marks around placeables would show as stray characters in a terminal.
                b.set_use_isolating(false);
                for s in sources {
                    let res = FluentResource::try_new(s.to_string()).expect("the embedded Fluent files parse");
                    b.add_resource(res).expect("no message id defined twice");
                }
                b
            })
            .collect()
    })
}

/// Message `id` in `lang` with string arguments; Japanese when the language lacks it (the
/// test keeps that from happening), the id itself when even Japanese does.
pub fn text(lang: Lang, id: &str, args: &[(&str, &str)]) -> String {
    debug_assert!(
        args.iter()
            .all(|(k, _)| ARGS.iter().any(|(i, vars)| *i == id && vars.contains(k))),
        "{id} is not declared to take {args:?}"
    );
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, FluentValue::from(*v));
    }
    for l in [lang, Lang::Ja] {
        let b = &bundles()[l.index()];
        if let Some(p) = b.get_message(id).and_then(|m| m.value()) {
            let mut errors = vec![];
            return b.format_pattern(p, Some(&fargs), &mut errors).into_owned();
        }
    }
    id.to_string()
}

/// A message without arguments, kept for the life of the program (there are only so many).
fn fixed(lang: Lang, id: &'static str) -> &'static str {
    static CACHE: OnceLock<Mutex<HashMap<(Lang, &'static str), &'static str>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    cache
        .entry((lang, id))
        .or_insert_with(|| Box::leak(text(lang, id, &[]).into_boxed_str()))
}

pub fn pin_name(lang: Lang, kind: PinKind) -> &'static str {
    match kind {
        PinKind::TextPin => fixed(lang, "pin-name-text"),
        PinKind::SignPassword => fixed(lang, "pin-name-sign"),
        // Its catalogue text comes with the flow's 利用者証明 step (#22).
        PinKind::AuthPin => fixed(lang, "pin-name-auth"),
    }
}

pub fn tries_left(lang: Lang, kind: PinKind, n: u8) -> String {
    text(
        lang,
        "tries-left",
        &[("pin", pin_name(lang, kind)), ("n", &n.to_string())],
    )
}

pub fn last_try_warning(lang: Lang, kind: PinKind) -> String {
    text(lang, "last-try-warning", &[("pin", pin_name(lang, kind))])
}

pub fn pin_format(lang: Lang, kind: PinKind, e: &PinFormatError) -> String {
    let pin = pin_name(lang, kind);
    match e {
        PinFormatError::Length { .. } => text(lang, "pin-format-length", &[("pin", pin)]),
        PinFormatError::Character { position } => text(
            lang,
            "pin-format-character",
            &[("pin", pin), ("position", &position.to_string())],
        ),
        PinFormatError::LettersAndDigits => text(lang, "pin-format-letters-digits", &[("pin", pin)]),
    }
}

pub fn transport_error(lang: Lang, e: &TransportError) -> String {
    use TransportError as T;
    let id = match e {
        T::NoService => "transport-no-service",
        T::NoReader => "transport-no-reader",
        T::UnknownReader(n) => return text(lang, "transport-unknown-reader", &[("name", n)]),
        T::NoCard => "transport-no-card",
        T::CardRemoved => "transport-card-removed",
        T::CardReset => "transport-card-reset",
        T::Unresponsive => "transport-unresponsive",
        T::Busy => "transport-busy",
        T::Timeout => "transport-timeout",
        T::ExtendedUnsupported => "transport-extended-unsupported",
        T::Refused(r) => return text(lang, "transport-refused", &[("reason", refusal(lang, r))]),
        T::Other(d) => return text(lang, "transport-other", &[("detail", &d.to_string())]),
    };
    fixed(lang, id).to_string()
}

fn refusal(lang: Lang, r: &Refusal) -> &'static str {
    match r {
        Refusal::MyNumberFile => fixed(lang, "refusal-my-number"),
        _ => fixed(lang, "refusal-allowlist"),
    }
}

pub fn card_error(lang: Lang, e: &CardError) -> String {
    use CardError as C;
    let id = match e {
        C::Transport(t) => return transport_error(lang, t),
        C::NotMyNumberCard => "card-not-my-number-card",
        C::WrongPin { kind, tries_left } => {
            return text(
                lang,
                "card-wrong-pin",
                &[("pin", pin_name(lang, *kind)), ("n", &tries_left.to_string())],
            )
        }
        C::Locked { kind } => return text(lang, "card-locked", &[("pin", pin_name(lang, *kind))]),
        C::SecurityStatus => "card-security-status",
        C::FileNotFound(_) => "card-file-not-found",
        C::NoSigningCertificate => "card-no-signing-certificate",
        C::Malformed(m) => return text(lang, "card-malformed", &[("detail", &m.to_string())]),
        C::Status { sw, op } => return text(lang, "card-status", &[("op", op), ("sw", &sw.to_string())]),
    };
    fixed(lang, id).to_string()
}

/// The PIN pane's request.
pub fn enter_pin(lang: Lang, kind: PinKind) -> String {
    text(lang, "enter-pin", &[("pin", pin_name(lang, kind))])
}

/// Tries left, shown before anything can be typed.
pub fn tries_short(lang: Lang, n: u8) -> String {
    text(lang, "tries-short", &[("n", &n.to_string())])
}

/// The age of the oldest unsent record in the status line.
pub fn oldest_minutes(lang: Lang, minutes: u64) -> String {
    text(lang, "oldest-minutes", &[("minutes", &minutes.to_string())])
}

/// The station CRL's age in the status line; a stale one is not used.
pub fn crl_age(lang: Lang, hours: u64, fresh: bool) -> String {
    let id = if fresh { "crl-age" } else { "crl-age-stale" };
    text(lang, id, &[("hours", &hours.to_string())])
}

/// `diagnose`: a configuration file that does not load, or one of its files.
pub fn diag_config_invalid(lang: Lang, path: &str, line: usize, message: &str) -> String {
    let line = if line == 0 { "?".to_string() } else { line.to_string() };
    text(
        lang,
        "diag-config-invalid",
        &[("path", path), ("line", &line), ("message", message)],
    )
}

pub fn diag_config_unreadable(lang: Lang, path: &str, error: &str) -> String {
    text(lang, "diag-config-unreadable", &[("path", path), ("error", error)])
}

pub fn diag_config_file_problem(lang: Lang, key: &str, error: &str) -> String {
    text(lang, "diag-config-file-problem", &[("key", key), ("error", error)])
}

/// `diagnose`'s labels for the station's config file and seal key.
pub fn diag_station_label(lang: Lang, key: &str) -> &'static str {
    match key {
        "config" => fixed(lang, "diag-config-file"),
        "seal-kid" => fixed(lang, "diag-seal-kid"),
        _ => "",
    }
}

/// The column titles of `madoguchi outbox list`, in order: id, status, attempts, age, next
/// try, key, last error.
pub fn outbox_columns(lang: Lang) -> [&'static str; 8] {
    [
        fixed(lang, "outbox-col-id"),
        fixed(lang, "outbox-col-status"),
        fixed(lang, "outbox-col-attempts"),
        fixed(lang, "outbox-col-age"),
        fixed(lang, "outbox-col-next"),
        fixed(lang, "outbox-col-assurance"),
        fixed(lang, "outbox-col-kid"),
        fixed(lang, "outbox-col-last-error"),
    ]
}

/// The demo's card secrets, on screen so a new user can try every profile (demo only).
pub fn demo_secrets(lang: Lang, pin: &str, password: Option<&str>) -> String {
    match password {
        Some(pw) => text(lang, "demo-secrets", &[("pin", pin), ("password", pw)]),
        None => text(lang, "demo-secrets-pin", &[("pin", pin)]),
    }
}

/// The warning of the e-mail step: carrier mail and domain filters, naming the sending domain.
pub fn email_carrier_warning(lang: Lang, domain: Option<&str>) -> String {
    match domain {
        Some(d) => text(lang, "email-carrier-warning-domain", &[("domain", d)]),
        None => fixed(lang, "email-carrier-warning").to_string(),
    }
}

/// The reader-health box's title: APDU round trips.
pub fn health_title(lang: Lang, n: usize, max_us: u32) -> String {
    let max = format!("{:.1}", max_us as f64 / 1000.0);
    text(lang, "health-title", &[("n", &n.to_string()), ("max", &max)])
}

/// The session's troubles under the sparkline.
pub fn health_counts(lang: Lang, removals: u32, resends: u32, errors: u32) -> String {
    text(
        lang,
        "health-counts",
        &[
            ("removals", &removals.to_string()),
            ("resends", &resends.to_string()),
            ("errors", &errors.to_string()),
        ],
    )
}

/// `madoguchi status` when no station answers.
pub fn status_no_station(lang: Lang, path: &str, error: &str) -> String {
    text(lang, "status-no-station", &[("path", path), ("error", error)])
}

/// `madoguchi status` when the station already serves as many clients as it takes.
pub fn status_too_many(lang: Lang, max: &str) -> String {
    text(lang, "status-too-many", &[("max", max)])
}

/// Labels of `madoguchi status` (`station`, `uptime`, `step`, `reader`, `pcscd`, `queue`,
/// `delivery`, `crl`, `apdu`, `errors`).
pub fn status_label(lang: Lang, key: &str) -> &'static str {
    match key {
        "station" => fixed(lang, "status-label-station"),
        "uptime" => fixed(lang, "status-label-uptime"),
        "step" => fixed(lang, "status-label-step"),
        "reader" => fixed(lang, "status-label-reader"),
        "pcscd" => fixed(lang, "status-label-pcscd"),
        "queue" => fixed(lang, "status-label-queue"),
        "delivery" => fixed(lang, "status-label-delivery"),
        "crl" => fixed(lang, "status-label-crl"),
        "apdu" => fixed(lang, "status-label-apdu"),
        "errors" => fixed(lang, "status-label-errors"),
        _ => "",
    }
}

/// The PIN field is full: the key was refused.
pub fn pin_full(lang: Lang, kind: PinKind) -> String {
    let max = kind.length_range().1.to_string();
    text(lang, "pin-full", &[("pin", pin_name(lang, kind)), ("max", &max)])
}

/// The station could not bind its status socket (on screen and in the diagnostics).
pub fn status_socket_failed(lang: Lang, error: &str) -> String {
    text(lang, "status-socket-failed", &[("error", error)])
}

/// `madoguchi status`: pcscd's state (`running`, `stopped`, `not_used`, `unknown`).
pub fn status_pcscd(lang: Lang, state: &str) -> String {
    text(lang, "status-pcscd-state", &[("state", state)])
}

/// `madoguchi status`: the station's uptime.
pub fn status_uptime(lang: Lang, secs: u64) -> String {
    text(lang, "status-uptime", &[("secs", &secs.to_string())])
}

/// `madoguchi status`: the queue and the records kept for review.
pub fn status_queue(lang: Lang, pending: u64, review: u64) -> String {
    text(
        lang,
        "status-queue",
        &[("pending", &pending.to_string()), ("review", &review.to_string())],
    )
}

/// `madoguchi status`: the CRL's age, and whether it is used.
pub fn status_crl(lang: Lang, hours: u64, fresh: bool) -> String {
    let fresh = if fresh { "yes" } else { "no" };
    text(lang, "status-crl", &[("hours", &hours.to_string()), ("fresh", fresh)])
}

/// `madoguchi status`: the APDU round trips.
pub fn status_apdu(lang: Lang, n: usize, median: u64, max: u64) -> String {
    text(
        lang,
        "status-apdu",
        &[
            ("n", &n.to_string()),
            ("median", &median.to_string()),
            ("max", &max.to_string()),
        ],
    )
}

/// `madoguchi status`: the errors kept, and the session's troubles.
pub fn status_errors(lang: Lang, n: usize, removals: u64, transmit: u64) -> String {
    text(
        lang,
        "status-errors",
        &[
            ("n", &n.to_string()),
            ("removals", &removals.to_string()),
            ("transmit", &transmit.to_string()),
        ],
    )
}

/// `madoguchi status`: an error or delivery code in words (an unknown code as itself).
pub fn status_code(lang: Lang, code: &str) -> String {
    text(lang, "status-code", &[("code", code)])
}

/// The idle-wipe countdown.
pub fn idle_warning(lang: Lang, secs: u64) -> String {
    text(lang, "idle-warning", &[("secs", &secs.to_string())])
}

/// Said above the terms when the citizen's language has none: the Japanese ones are shown
/// (`shown`), or, on a station whose only text is in another language, that one.
pub fn terms_missing(lang: Lang, shown: Lang) -> String {
    match shown {
        Lang::Ja => fixed(lang, "terms-missing").to_string(),
        other => text(lang, "terms-missing-other", &[("lang", other.native_name())]),
    }
}

/// A Japanese era's name as `lang` writes it (昭和, 쇼와, Showa).
pub fn era_name(lang: Lang, era: crate::wareki::Era) -> String {
    text(lang, "era-name", &[("era", era.key())])
}

/// Said above the privacy notice when the citizen's language has none, as [`terms_missing`].
pub fn privacy_missing(lang: Lang, shown: Lang) -> String {
    match shown {
        Lang::Ja => fixed(lang, "privacy-missing").to_string(),
        other => text(lang, "privacy-missing-other", &[("lang", other.native_name())]),
    }
}

/// A fixed text's Fluent id: the variant's name in kebab case.
pub fn msg_id(m: Msg) -> &'static str {
    static IDS: OnceLock<HashMap<Msg, &'static str>> = OnceLock::new();
    IDS.get_or_init(|| {
        Msg::ALL
            .iter()
            .map(|m| {
                let mut id = String::new();
                for (i, c) in format!("{m:?}").chars().enumerate() {
                    if c.is_ascii_uppercase() && i > 0 {
                        id.push('-');
                    }
                    id.push(c.to_ascii_lowercase());
                }
                (*m, &*Box::leak(id.into_boxed_str()))
            })
            .collect()
    })[&m]
}

pub fn msg(lang: Lang, m: Msg) -> &'static str {
    fixed(lang, msg_id(m))
}

/// Fixed UI texts; each is the Fluent message whose id is the variant's name in kebab case
/// (`ConsentHeading` is `consent-heading`).
macro_rules! messages {
    ($($v:ident),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($v),* }
        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$v),*];
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
    NoCertificateNoteMinors,
    NoCertificateNoteUnsigned,
    FindingExpired,
    HealthTitleShort,
    DiagNotUsed,
    StatusSocketShort,
    StatusBusy,
}

/// A reader's card state, in words.
pub fn card_state(lang: Lang, c: CardState) -> &'static str {
    msg(
        lang,
        match c {
            CardState::Absent => Msg::CardAbsent,
            CardState::Present => Msg::CardPresent,
            CardState::Mute => Msg::CardMute,
            CardState::Busy => Msg::CardBusy,
        },
    )
}

/// What the token EF said (`my_number_card`, `juki_card`, `not_jpki`, `other:<text>`), in
/// words; a kind without a name here is shown as its code.
pub fn card_kind(lang: Lang, kind: &str) -> String {
    let m = match kind {
        "my_number_card" => Msg::KindMyNumberCard,
        "juki_card" => Msg::KindJukiCard,
        "not_jpki" => Msg::KindNotJpki,
        other => return other.to_string(),
    };
    msg(lang, m).to_string()
}

/// Whether the extended-length check succeeded; `measured` says so in the words (for the
/// `diagnose` text, where no heading says it).
pub fn yes_no(lang: Lang, v: Option<bool>, measured: bool) -> &'static str {
    match (v, measured) {
        (Some(true), false) => msg(lang, Msg::DiagYes),
        (Some(false), false) => msg(lang, Msg::DiagNo),
        (Some(true), true) => msg(lang, Msg::DiagYesMeasured),
        (Some(false), true) => msg(lang, Msg::DiagNoMeasured),
        (None, _) => "—",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
    use std::collections::{BTreeMap, BTreeSet};

    fn inline_vars(e: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, out);
                }
                for a in &arguments.named {
                    inline_vars(&a.value, out);
                }
            }
            InlineExpression::Placeable { expression } => expr_vars(expression, out),
            _ => {}
        }
    }

    fn expr_vars(e: &Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            Expression::Inline(i) => inline_vars(i, out),
            Expression::Select { selector, variants } => {
                inline_vars(selector, out);
                for v in variants {
                    pattern_vars(&v.value, out);
                }
            }
        }
    }

    fn pattern_vars(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let PatternElement::Placeable { expression } = el {
                expr_vars(expression, out);
            }
        }
    }

    /// Each language's messages and the variables each uses, parsed from its Fluent files.
    fn parsed() -> Vec<(Lang, BTreeMap<String, BTreeSet<String>>)> {
        FTL.iter()
            .map(|(lang, sources)| {
                let mut messages = BTreeMap::new();
                for s in sources {
                    let res = fluent_syntax::parser::parse(*s)
                        .unwrap_or_else(|(_, errs)| panic!("{}: {errs:?}", lang.code()));
                    for entry in &res.body {
                        match entry {
                            Entry::Message(m) => {
                                let mut vars = BTreeSet::new();
                                let value = m.value.as_ref().unwrap_or_else(|| panic!("{} has no value", m.id.name));
                                pattern_vars(value, &mut vars);
                                let again = messages.insert(m.id.name.to_string(), vars);
                                assert!(again.is_none(), "{}: {} defined twice", lang.code(), m.id.name);
                            }
                            Entry::Comment(_) | Entry::GroupComment(_) | Entry::ResourceComment(_) => {}
                            other => panic!("{}: unexpected entry {other:?}", lang.code()),
                        }
                    }
                }
                (*lang, messages)
            })
            .collect()
    }

    #[test]
    fn every_language_has_exactly_the_japanese_messages_and_only_the_variables_the_code_passes() {
        let all = parsed();
        assert_eq!(all.len(), Lang::ALL.len());
        let ja: BTreeSet<&String> = all[0].1.keys().collect();
        assert_eq!(all[0].0, Lang::Ja);
        for m in Msg::ALL {
            assert!(ja.contains(&msg_id(*m).to_string()), "ja lacks {}", msg_id(*m));
        }
        for (id, _) in ARGS {
            assert!(ja.contains(&id.to_string()), "ja lacks {id}");
        }
        for (lang, messages) in &all {
            let ids: BTreeSet<&String> = messages.keys().collect();
            let missing: Vec<_> = ja.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(&ja).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            assert!(extra.is_empty(), "{} has {extra:?}, which Japanese lacks", lang.code());
            for (id, vars) in messages {
                let passed: &[&str] = ARGS.iter().find(|(i, _)| i == id).map(|(_, v)| *v).unwrap_or(&[]);
                for v in vars {
                    assert!(
                        passed.contains(&v.as_str()),
                        "{}: {id} uses ${v}, which the code does not pass",
                        lang.code()
                    );
                }
            }
        }
    }

    #[test]
    fn the_pin_names_keep_their_japanese_names_and_the_hotline_its_number() {
        for lang in Lang::ALL {
            assert!(
                pin_name(lang, PinKind::SignPassword).contains("署名用電子証明書のパスワード"),
                "{lang:?}"
            );
            assert!(
                pin_name(lang, PinKind::TextPin).contains("券面事項入力補助用暗証番号"),
                "{lang:?}"
            );
            assert!(msg(lang, Msg::Hotline).contains("0120-95-0178"), "{lang:?}");
            // The seeds' codes, which support and the citizen quote (in Japanese as エラーコード:
            // "Code: 21" reads as English there).
            assert!(msg(lang, Msg::VerdictExpired).contains("21"), "{lang:?}");
            assert!(msg(lang, Msg::VerdictRevoked).contains("23"), "{lang:?}");
            let locked = card_error(
                lang,
                &CardError::Locked {
                    kind: PinKind::SignPassword,
                },
            );
            assert!(locked.contains("署名用電子証明書のパスワード"), "{locked}");
            // Arguments are filled in, without direction marks around them.
            let t = tries_short(lang, 3);
            assert!(t.contains('3') && !t.contains('{') && !t.contains('\u{2068}'), "{t}");
        }
    }

    /// Keys are named by the key table (`ui::keys`), never by a translation: a key rebound
    /// there would leave the text wrong in seven languages.
    #[test]
    fn no_translation_names_a_key() {
        let keyish = |w: &str| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
            let fkey = w
                .strip_prefix('F')
                .is_some_and(|n| !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit()));
            fkey || ["Esc", "Tab", "PgDn", "PgUp", "Ctrl", "Backspace", "BS"].contains(&w) || w.starts_with("Ctrl-")
        };
        // "Enter" the key, not the English verb ("Enter your contact e-mail address").
        let enter_key = |line: &str| {
            line.match_indices("Enter").any(|(i, _)| {
                let after = &line[i + 5..];
                let word_goes_on = after.starts_with(|c: char| c.is_alphanumeric());
                let verb = after.starts_with(' ') && after[1..].starts_with(|c: char| c.is_ascii_lowercase());
                !(word_goes_on || verb)
            })
        };
        for (lang, sources) in FTL {
            for src in sources {
                for line in src.lines().filter(|l| !l.trim_start().starts_with('#')) {
                    let words = line.split(|c: char| c.is_whitespace() || "：:/（）()「」".contains(c));
                    for w in words {
                        assert!(!keyish(w), "{}: {line:?} names the key {w:?}", lang.code());
                    }
                    assert!(!enter_key(line), "{}: {line:?} names the key Enter", lang.code());
                    for arrow in ['←', '→', '↑', '↓'] {
                        assert!(!line.contains(arrow), "{}: {line:?}", lang.code());
                    }
                    // "Y: はい  N: いいえ"
                    let bytes = line.as_bytes();
                    for i in 1..bytes.len() {
                        let single =
                            bytes[i - 1].is_ascii_uppercase() && (i < 2 || !bytes[i - 2].is_ascii_alphanumeric());
                        assert!(!(single && bytes[i] == b':'), "{}: {line:?}", lang.code());
                    }
                }
            }
        }
    }

    #[test]
    fn japanese_says_error_codes_in_japanese() {
        for m in [
            Msg::VerdictExpired,
            Msg::VerdictRevoked,
            Msg::DoneVerdictLater,
            Msg::FindingExpired,
        ] {
            let t = msg(Lang::Ja, m);
            assert!(!t.contains("Code"), "{t}");
            assert!(t.contains("エラーコード"), "{t}");
        }
        // Three mistakes lock the text PIN, as the English says; the last try checks (照合),
        // it does not send (送信 is the delivery step's name).
        assert!(
            msg(Lang::Ja, Msg::PinRuleText).contains("3回"),
            "{}",
            msg(Lang::Ja, Msg::PinRuleText)
        );
        assert!(msg(Lang::Ja, Msg::ConfirmLastTry).contains("照合"));
        assert!(!msg(Lang::Ja, Msg::ConfirmLastTry).contains("送信"));
    }

    #[test]
    fn every_era_has_its_name_in_every_language() {
        use crate::wareki::Era;
        for era in [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa] {
            // Japanese and Chinese write the same characters as the 和暦 date does.
            assert_eq!(era_name(Lang::Ja, era), era.name_ja());
            assert_eq!(era_name(Lang::ZhHans, era), era.name_ja());
            for lang in [Lang::En, Lang::Es, Lang::PtBr, Lang::Vi] {
                assert_eq!(era_name(lang, era), era.name_en(), "{lang:?}");
            }
        }
        let ko: Vec<String> = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa]
            .into_iter()
            .map(|e| era_name(Lang::Ko, e))
            .collect();
        assert_eq!(ko, ["메이지", "다이쇼", "쇼와", "헤이세이", "레이와"]);
    }

    #[test]
    fn every_language_parses_from_its_tag() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
            assert_eq!(lang.next().prev(), lang);
        }
    }

    #[test]
    fn every_message_is_one_sentence_or_two_and_nonempty() {
        let errors = [
            CardError::NotMyNumberCard,
            CardError::WrongPin {
                kind: PinKind::TextPin,
                tries_left: 2,
            },
            CardError::Locked {
                kind: PinKind::SignPassword,
            },
            CardError::NoSigningCertificate,
            CardError::Transport(TransportError::NoService),
            CardError::Transport(TransportError::CardRemoved),
        ];
        for e in &errors {
            for lang in Lang::ALL {
                let m = card_error(lang, e);
                assert!(!m.is_empty() && !m.contains('\n'), "{m}");
            }
        }
        assert!(card_error(Lang::Ja, &errors[1]).contains("残り入力回数は2回"));
        assert!(card_error(Lang::En, &errors[2]).contains("municipal office"));
    }

    /// The calls in this file against `ARGS`: each `text(lang, "id", &[("var", …), …])`
    /// passes exactly the variables `ARGS` lists for its id (and so the .ftl files use), and
    /// every id of `ARGS` is called. A variable declared and not passed fails here.
    #[test]
    fn every_call_passes_exactly_the_variables_args_declares() {
        let src = include_str!("i18n.rs");
        let code = &src[..src.find("#[cfg(test)]\nmod tests").expect("the test module")];
        // Ids chosen at run time (`crl_age`): each takes what its call passes.
        const COMPUTED: &[&str] = &["crl-age", "crl-age-stale"];
        let declared = |id: &str| -> BTreeSet<String> {
            ARGS.iter()
                .find(|(i, _)| *i == id)
                .map(|(_, v)| v.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default()
        };
        let mut called = BTreeSet::new();
        let mut computed_calls = 0;
        let mut at = 0;
        while let Some(i) = code[at..].find("text(") {
            let start = at + i;
            at = start + 5;
            if code[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_') || code[..start].ends_with("fn ") {
                continue;
            }
            // The call's text, to its matching parenthesis.
            let mut depth = 0;
            let mut end = at;
            for (j, c) in code[at..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' if depth == 0 => {
                        end = at + j;
                        break;
                    }
                    ')' => depth -= 1,
                    _ => {}
                }
            }
            let call = &code[at..end];
            let mut parts = call.splitn(3, ',');
            let (_, id, args) = (
                parts.next(),
                parts.next().unwrap_or("").trim(),
                parts.next().unwrap_or(""),
            );
            let passed: BTreeSet<String> = args
                .split("(\"")
                .skip(1)
                .filter_map(|p| p.split('"').next().map(str::to_string))
                .collect();
            if let Some(id) = id.strip_prefix('"').and_then(|i| i.strip_suffix('"')) {
                assert_eq!(passed, declared(id), "text(…, {id:?}, …) at byte {start}");
                called.insert(id.to_string());
            } else if !passed.is_empty() {
                for id in COMPUTED {
                    assert_eq!(passed, declared(id), "a computed id ({id}) at byte {start}");
                }
                computed_calls += 1;
            }
        }
        assert_eq!(computed_calls, 1, "the one computed call (crl_age)");
        for (id, _) in ARGS {
            assert!(
                called.contains(*id) || COMPUTED.contains(id),
                "{id} is in ARGS but never called"
            );
        }
        assert!(called.len() >= 20, "the scan found the calls: {called:?}");
    }
}
