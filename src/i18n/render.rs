//! The renderers: one typed function per kind of text, which passes the variables its message
//! takes ([`Text`]) and picks among fixed texts ([`Msg`]) by the value it is given.

use std::fmt;

use fluent_bundle::FluentValue;
use zeroize::Zeroizing;

use super::catalogue::{format, msg, write_text};
use super::msg::{Msg, Text};
use crate::card::CardError;
use crate::card::{Refusal, TransportError};
use crate::lang::Lang;
use crate::reader::diagnostics::CardState;
use crate::secret::{PinFormatError, PinKind};
use crate::wareki::{self, Ymd};

/// A number as the catalogue has always been given it: its decimal digits, as text.
fn num(n: impl fmt::Display) -> FluentValue<'static> {
    FluentValue::from(n.to_string())
}

pub fn pin_name(lang: Lang, kind: PinKind) -> &'static str {
    msg(
        lang,
        match kind {
            PinKind::TextPin => Msg::PinNameText,
            PinKind::SignPassword => Msg::PinNameSign,
            PinKind::AuthPin => Msg::PinNameAuth,
        },
    )
}

pub fn tries_left(lang: Lang, kind: PinKind, n: u8) -> String {
    format(
        lang,
        Text::TriesLeft {
            pin: pin_name(lang, kind).into(),
            n: num(n),
        },
    )
}

pub fn last_try_warning(lang: Lang, kind: PinKind) -> String {
    format(
        lang,
        Text::LastTryWarning {
            pin: pin_name(lang, kind).into(),
        },
    )
}

pub fn pin_format(lang: Lang, kind: PinKind, e: &PinFormatError) -> String {
    let pin = pin_name(lang, kind).into();
    format(
        lang,
        match e {
            PinFormatError::Length { .. } => Text::PinFormatLength { pin },
            PinFormatError::Character { position } => Text::PinFormatCharacter {
                pin,
                position: num(position),
            },
            PinFormatError::LettersAndDigits => Text::PinFormatLettersDigits { pin },
        },
    )
}

pub fn transport_error(lang: Lang, e: &TransportError) -> String {
    use TransportError as T;
    let m = match e {
        T::NoService => Msg::TransportNoService,
        T::NoReader => Msg::TransportNoReader,
        T::UnknownReader(n) => {
            return format(
                lang,
                Text::TransportUnknownReader {
                    name: n.as_str().into(),
                },
            )
        }
        T::NoCard => Msg::TransportNoCard,
        T::CardRemoved => Msg::TransportCardRemoved,
        T::CardReset => Msg::TransportCardReset,
        T::Unresponsive => Msg::TransportUnresponsive,
        T::Busy => Msg::TransportBusy,
        T::Timeout => Msg::TransportTimeout,
        T::ExtendedUnsupported => Msg::TransportExtendedUnsupported,
        T::Refused(r) => {
            let reason = refusal(lang, r).into();
            return format(lang, Text::TransportRefused { reason });
        }
        T::Other(d) => return format(lang, Text::TransportOther { detail: num(d) }),
    };
    msg(lang, m).to_string()
}

fn refusal(lang: Lang, r: &Refusal) -> &'static str {
    match r {
        Refusal::MyNumberFile => msg(lang, Msg::RefusalMyNumber),
        _ => msg(lang, Msg::RefusalAllowlist),
    }
}

pub fn card_error(lang: Lang, e: &CardError) -> String {
    use CardError as C;
    let m = match e {
        C::Transport(t) => return transport_error(lang, t),
        C::NotMyNumberCard => Msg::CardNotMyNumberCard,
        C::WrongPin { kind, tries_left } => {
            let (pin, n) = (pin_name(lang, *kind).into(), num(tries_left));
            return format(lang, Text::CardWrongPin { pin, n });
        }
        C::Locked { kind } => {
            let pin = pin_name(lang, *kind).into();
            return format(lang, Text::CardLocked { pin });
        }
        C::SecurityStatus => Msg::CardSecurityStatus,
        C::FileNotFound(_) => Msg::CardFileNotFound,
        C::NoSigningCertificate => Msg::CardNoSigningCertificate,
        C::Malformed(m) => return format(lang, Text::CardMalformed { detail: num(m) }),
        C::Status { sw, op } => {
            let (op, sw) = (FluentValue::from(*op), num(sw));
            return format(lang, Text::CardStatus { op, sw });
        }
    };
    msg(lang, m).to_string()
}

/// The PIN pane's request.
pub fn enter_pin(lang: Lang, kind: PinKind) -> String {
    format(
        lang,
        Text::EnterPin {
            pin: pin_name(lang, kind).into(),
        },
    )
}

/// Tries left, shown before anything can be typed.
pub fn tries_short(lang: Lang, n: u8) -> String {
    format(lang, Text::TriesShort { n: num(n) })
}

/// The PIN field is full: the key was refused.
pub fn pin_full(lang: Lang, kind: PinKind) -> String {
    let max = num(kind.length_range().1);
    format(
        lang,
        Text::PinFull {
            pin: pin_name(lang, kind).into(),
            max,
        },
    )
}

/// Enter before the card told the tries: nothing sent, press `keys` again once they show.
pub fn pin_wait_for_tries(lang: Lang, keys: &str) -> String {
    format(lang, Text::PinWaitForTries { keys: keys.into() })
}

/// How the card talks to the reader (the ATR's `contact`, `contactless`, `unknown`), worded.
pub fn atr_interface(lang: Lang, interface: &str) -> String {
    format(
        lang,
        Text::DiagInterface {
            interface: interface.into(),
        },
    )
}

/// `madoguchi status --watch`: the watched station went away.
pub fn status_station_gone(lang: Lang, path: &str) -> String {
    format(lang, Text::StatusStationGone { path: path.into() })
}

/// The age of the oldest unsent record in the status line.
pub fn oldest_minutes(lang: Lang, minutes: u64) -> String {
    format(lang, Text::OldestMinutes { minutes: num(minutes) })
}

/// The station CRL's age in the status line; a stale one is not used.
pub fn crl_age(lang: Lang, hours: u64, fresh: bool) -> String {
    let hours = num(hours);
    format(
        lang,
        if fresh {
            Text::CrlAge { hours }
        } else {
            Text::CrlAgeStale { hours }
        },
    )
}

/// `diagnose`: a configuration file that does not load, or one of its files.
pub fn diag_config_invalid(lang: Lang, path: &str, line: usize, message: &str) -> String {
    let line = if line == 0 { num('?') } else { num(line) };
    format(
        lang,
        Text::DiagConfigInvalid {
            path: path.into(),
            line,
            message: message.into(),
        },
    )
}

pub fn diag_config_unreadable(lang: Lang, path: &str, error: &str) -> String {
    format(
        lang,
        Text::DiagConfigUnreadable {
            path: path.into(),
            error: error.into(),
        },
    )
}

pub fn diag_config_file_problem(lang: Lang, key: &str, error: &str) -> String {
    format(
        lang,
        Text::DiagConfigFileProblem {
            key: key.into(),
            error: error.into(),
        },
    )
}

/// The column titles of `madoguchi outbox list`, in order: id, status, attempts, age, next
/// try, assurance, key, last error.
pub fn outbox_columns(lang: Lang) -> [&'static str; 8] {
    [
        Msg::OutboxColId,
        Msg::OutboxColStatus,
        Msg::OutboxColAttempts,
        Msg::OutboxColAge,
        Msg::OutboxColNext,
        Msg::OutboxColAssurance,
        Msg::OutboxColKid,
        Msg::OutboxColLastError,
    ]
    .map(|m| msg(lang, m))
}

/// The clerk's line on 完了: the level in words (`level`, a catalogue text) and as the
/// payload spells it.
pub fn done_level(lang: Lang, level: &str, code: &str) -> String {
    format(
        lang,
        Text::DoneLevel {
            level: level.into(),
            code: code.into(),
        },
    )
}

/// The demo's card secrets, on screen so a new user can try every profile (demo only): the
/// 4-digit PIN, the signing password (a child's card has none) and the 利用者証明用暗証番号.
pub fn demo_secrets(lang: Lang, pin: &str, password: Option<&str>, auth: &str) -> String {
    let t = match password {
        Some(pw) => Text::DemoSecrets {
            pin: pin.into(),
            password: pw.into(),
            auth: auth.into(),
        },
        None => Text::DemoSecretsPin {
            pin: pin.into(),
            auth: auth.into(),
        },
    };
    format(lang, t)
}

/// A wrong 照合番号B on the card-face step, with the tries left.
pub fn face_wrong(lang: Lang, tries_left: u8) -> String {
    format(lang, Text::FaceWrong { n: num(tries_left) })
}

/// The demo card's expiry year and security code, for the status line.
pub fn demo_face(lang: Lang, year: &str, code: &str) -> String {
    format(
        lang,
        Text::DemoFace {
            year: year.into(),
            code: code.into(),
        },
    )
}

/// The warning of the e-mail step: carrier mail and domain filters, naming the sending domain.
pub fn email_carrier_warning(lang: Lang, domain: Option<&str>) -> String {
    match domain {
        Some(d) => format(lang, Text::EmailCarrierWarningDomain { domain: d.into() }),
        None => msg(lang, Msg::EmailCarrierWarning).to_string(),
    }
}

/// The reader-health box's title: APDU round trips.
pub fn health_title(lang: Lang, n: usize, max_us: u32) -> String {
    let max = num(format_args!("{:.1}", max_us as f64 / 1000.0));
    format(lang, Text::HealthTitle { n: num(n), max })
}

/// The session's troubles under the sparkline.
pub fn health_counts(lang: Lang, removals: u32, resends: u32, errors: u32) -> String {
    format(
        lang,
        Text::HealthCounts {
            removals: num(removals),
            resends: num(resends),
            errors: num(errors),
        },
    )
}

/// `madoguchi status` when no station answers.
pub fn status_no_station(lang: Lang, path: &str, error: &str) -> String {
    format(
        lang,
        Text::StatusNoStation {
            path: path.into(),
            error: error.into(),
        },
    )
}

/// `madoguchi status` when the station already serves as many clients as it takes.
pub fn status_too_many(lang: Lang, max: &str) -> String {
    format(lang, Text::StatusTooMany { max: max.into() })
}

/// The station could not bind its status socket at `path`, for `reason` (a code the
/// catalogue words: `in_use`, `not_private`, `permission`, …): on screen and in diagnostics.
pub fn status_socket_failed(lang: Lang, path: &str, reason: &str) -> String {
    let reason = format(lang, Text::StatusSocketReason { reason: reason.into() });
    format(
        lang,
        Text::StatusSocketFailed {
            path: path.into(),
            reason: reason.into(),
        },
    )
}

/// `madoguchi status`: pcscd's state as the status document writes it (`running`,
/// `stopped`, `not_used`; the catalogue says "unknown" for any other).
pub fn status_pcscd(lang: Lang, state: &str) -> String {
    format(lang, Text::StatusPcscdState { state: state.into() })
}

/// `madoguchi status`: the station's uptime.
pub fn status_uptime(lang: Lang, secs: u64) -> String {
    format(lang, Text::StatusUptime { secs: num(secs) })
}

/// `madoguchi status`: the queue and the records kept for review.
pub fn status_queue(lang: Lang, pending: u64, review: u64) -> String {
    format(
        lang,
        Text::StatusQueue {
            pending: num(pending),
            review: num(review),
        },
    )
}

/// `madoguchi status`: the CRL's age, and whether it is used.
pub fn status_crl(lang: Lang, hours: u64, fresh: bool) -> String {
    let fresh = if fresh { "yes" } else { "no" };
    format(
        lang,
        Text::StatusCrl {
            hours: num(hours),
            fresh: fresh.into(),
        },
    )
}

/// `madoguchi status`: the APDU round trips.
pub fn status_apdu(lang: Lang, n: usize, median: u64, max: u64) -> String {
    format(
        lang,
        Text::StatusApdu {
            n: num(n),
            median: num(median),
            max: num(max),
        },
    )
}

/// `madoguchi status`: the errors kept, and the session's troubles.
pub fn status_errors(lang: Lang, n: usize, removals: u64, transmit: u64) -> String {
    format(
        lang,
        Text::StatusErrors {
            n: num(n),
            removals: num(removals),
            transmit: num(transmit),
        },
    )
}

/// `madoguchi status`: an error or delivery code from the status document, in words (the
/// catalogue writes a code it has no words for as itself).
pub fn status_code(lang: Lang, code: &str) -> String {
    format(lang, Text::StatusCode { code: code.into() })
}

/// The idle-wipe countdown.
pub fn idle_warning(lang: Lang, secs: u64) -> String {
    format(lang, Text::IdleWarning { secs: num(secs) })
}

/// Said above the terms when the citizen's language has none: the Japanese ones are shown
/// (`shown`), or, on a station whose only text is in another language, that one.
pub fn terms_missing(lang: Lang, shown: Lang) -> String {
    match shown {
        Lang::Ja => msg(lang, Msg::TermsMissing).to_string(),
        other => format(
            lang,
            Text::TermsMissingOther {
                lang: other.native_name().into(),
            },
        ),
    }
}

/// Said above the privacy notice when the citizen's language has none, as [`terms_missing`].
pub fn privacy_missing(lang: Lang, shown: Lang) -> String {
    match shown {
        Lang::Ja => msg(lang, Msg::PrivacyMissing).to_string(),
        other => format(
            lang,
            Text::PrivacyMissingOther {
                lang: other.native_name().into(),
            },
        ),
    }
}

/// A Japanese era's name as `lang` writes it (昭和, 쇼와, Showa).
pub fn era_name(lang: Lang, era: wareki::Era) -> String {
    format(lang, Text::EraName { era: era.key().into() })
}

/// A birth date as the citizen reads it, 和暦 and 西暦 in the order and form of `lang`
/// (`birth-date`), in a zeroizing buffer sized beforehand so no copy is left behind.
pub fn birth_date(lang: Lang, d: impl Into<Ymd>) -> Zeroizing<String> {
    let d = d.into();
    let (era, era_year) = match wareki::to_wareki(d) {
        Some((era, y)) => (era.key(), y),
        None => ("none", 0),
    };
    let Ymd(year, month, day) = d;
    let mut out = Zeroizing::new(String::with_capacity(256));
    let t = Text::BirthDate {
        era: era.into(),
        era_year: era_year.into(),
        year: year.into(),
        month: month.into(),
        day: day.into(),
    };
    write_text(lang, t, &mut *out);
    out
}

/// A key (or keys) beside what it does there: "Enter: 同意して次へ".
pub fn key_hint(lang: Lang, keys: &str, action: Msg) -> String {
    format(
        lang,
        Text::KeyHint {
            keys: keys.into(),
            action: msg(lang, action).into(),
        },
    )
}

/// A label and its value on one line ("受付番号: …"), as a new string.
pub fn labelled(lang: Lang, label: &str, value: &str) -> String {
    let mut out = String::new();
    write_labelled(lang, label, value, &mut out);
    out
}

/// [`labelled`], written to the caller's buffer (card data goes into a zeroizing one with
/// room enough).
pub fn write_labelled(lang: Lang, label: &str, value: &str, out: &mut impl fmt::Write) {
    write_text(
        lang,
        Text::Labelled {
            label: label.into(),
            value: value.into(),
        },
        out,
    );
}

/// The status line's count of unsent records.
pub fn queue_count(lang: Lang, n: u64) -> String {
    format(lang, Text::QueueCount { n: num(n) })
}

/// The status line's count of records kept for review.
pub fn review_count(lang: Lang, n: u64) -> String {
    format(lang, Text::ReviewCount { n: num(n) })
}

/// The done screen's sentence on the items that differ from the certificate, and the items,
/// joined as `lang` joins a list.
pub fn done_review_items(lang: Lang, items: &[Msg]) -> String {
    let items: Vec<&str> = items.iter().map(|m| msg(lang, *m)).collect();
    let items = items.join(msg(lang, Msg::ListSeparator));
    format(lang, Text::DoneReviewItems { items: items.into() })
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

/// What the token EF said, as the reader's diagnostics keep it (`my_number_card`,
/// `juki_card`, `not_jpki`, `other:<text>`), in words; a kind without words here is the card's
/// own text and is shown as it is.
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
