//! Command implementations. Each returns an [`Outcome`]: done, or how it failed. What a
//! person needs to read is said on stderr where it happened, in their language; the exit
//! status is decided in one place, [`Failure::code`] (`EXIT_CODES` in main.rs lists it).

pub mod cert;
pub mod deferred;
pub mod diagnose;
pub mod generate;
pub mod outbox;
pub mod progress;
pub mod read;
pub mod readers;
pub mod receive;
pub mod session;
pub mod station;
pub mod status;
pub mod vcard;

use clap::builder::{PossibleValue, PossibleValuesParser, StringValueParser, TypedValueParser};
use madoguchi::card::{CardError, TransportError};
use madoguchi::lang::Lang;
use std::path::Path;

const EXIT_OK: u8 = 0;
const EXIT_INTERNAL: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_NO_SERVICE: u8 = 3;
/// `outbox flush`, `receive import`: the same number as [`EXIT_NO_SERVICE`], for commands
/// that never talk to pcscd.
const EXIT_UNFINISHED: u8 = 3;
const EXIT_NO_CARD: u8 = 4;
const EXIT_WRONG_PIN: u8 = 5;
const EXIT_LOCKED: u8 = 6;
const EXIT_CARD_GONE: u8 = 7;
const EXIT_BAD_CARD: u8 = 8;
const EXIT_REFUSED: u8 = 9;
/// `madoguchi status`: no running station answers on its socket.
const EXIT_NO_STATION: u8 = 10;

/// How a command failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// What should not happen: stdout closed, a store or a runtime that fails.
    Internal,
    /// Bad arguments or configuration: running it again as it is cannot help.
    Usage,
    /// pcscd (the PC/SC service) is not running.
    NoService,
    /// No reader, the reader not found, no card on it, or another program holds it.
    NoCard,
    WrongPin,
    Locked,
    /// The card was removed or stopped answering during the operation.
    CardGone,
    /// Not a My Number Card, or an invalid or unexpected answer.
    BadCard,
    /// Refused before any try was spent: the PIN's format, no PIN, the last try without
    /// `--last-try`.
    Refused,
    /// No running station answers `madoguchi status`.
    NoStation,
    /// Some records are not done yet: still queued, or in review (`outbox flush`, `receive
    /// import`).
    Unfinished,
}

/// What a command comes to.
pub type Outcome = Result<(), Failure>;

impl Failure {
    /// The exit status: the one place a failure becomes a number.
    pub fn code(self) -> u8 {
        match self {
            Failure::Internal => EXIT_INTERNAL,
            Failure::Usage => EXIT_USAGE,
            Failure::NoService => EXIT_NO_SERVICE,
            Failure::NoCard => EXIT_NO_CARD,
            Failure::WrongPin => EXIT_WRONG_PIN,
            Failure::Locked => EXIT_LOCKED,
            Failure::CardGone => EXIT_CARD_GONE,
            Failure::BadCard => EXIT_BAD_CARD,
            Failure::Refused => EXIT_REFUSED,
            Failure::NoStation => EXIT_NO_STATION,
            Failure::Unfinished => EXIT_UNFINISHED,
        }
    }
}

/// The exit status of what a command came to.
pub fn exit_code(outcome: Outcome) -> u8 {
    match outcome {
        Ok(()) => EXIT_OK,
        Err(f) => f.code(),
    }
}

impl From<&TransportError> for Failure {
    fn from(e: &TransportError) -> Failure {
        use TransportError as T;
        match e {
            T::NoService => Failure::NoService,
            T::NoReader | T::UnknownReader(_) | T::NoCard | T::Busy => Failure::NoCard,
            T::CardRemoved | T::CardReset | T::Unresponsive | T::Timeout | T::Other(_) => Failure::CardGone,
            T::ExtendedUnsupported | T::Refused(_) => Failure::BadCard,
        }
    }
}

impl From<&CardError> for Failure {
    fn from(e: &CardError) -> Failure {
        match e {
            CardError::Transport(t) => t.into(),
            CardError::WrongPin { .. } => Failure::WrongPin,
            CardError::Locked { .. } => Failure::Locked,
            CardError::SecurityStatus => Failure::CardGone,
            CardError::NotMyNumberCard
            | CardError::FileNotFound(_)
            | CardError::NoSigningCertificate
            | CardError::Malformed(_)
            | CardError::Status { .. } => Failure::BadCard,
        }
    }
}

/// Says `e` on stderr as `madoguchi: {e}` and fails with `f` (for errors whose own words are
/// enough: configuration, files, stores).
pub fn fail(f: Failure, e: impl std::fmt::Display) -> Failure {
    eprintln!("madoguchi: {e}");
    f
}

/// `--lang`: the seven language codes, which help and completions offer; `Lang::parse`'s other
/// spellings (`jp`, `pt`, `EN`) are taken too.
#[derive(Clone)]
pub struct LangArg;

impl TypedValueParser for LangArg {
    type Value = Lang;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Lang, clap::Error> {
        if let Some(l) = value.to_str().and_then(Lang::parse) {
            return Ok(l);
        }
        // clap's own error: the value, and the possible ones.
        let codes = Lang::ALL.map(Lang::code);
        PossibleValuesParser::new(codes)
            .parse_ref(cmd, arg, value)
            .map(|_| Lang::default())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(Lang::ALL.iter().map(|l| PossibleValue::new(l.code()))))
    }
}

/// `--profile`: a built-in profile (completions offer their names) or a profile TOML file.
#[derive(Clone)]
pub struct ProfileArg;

impl TypedValueParser for ProfileArg {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        use madoguchi::card::vcard::profile::BUILTIN;
        Some(Box::new(BUILTIN.iter().map(|(name, _)| PossibleValue::new(*name))))
    }
}

/// Logs go to a file only: the terminal belongs to the user (and later to the UI).
pub fn init_log(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    // Not through a symlink someone planted, and private from creation.
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    // An existing file keeps its mode on open: a log left 0644 by hand (or by an older
    // version) is tightened through this descriptor; one that is not a regular file of ours
    // (a FIFO, a device, another user's file) is refused.
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = file.metadata()?;
    // SAFETY: geteuid(2) has no failure mode.
    let me = unsafe { libc::geteuid() };
    if !meta.is_file() || meta.uid() != me {
        return Err(std::io::Error::other("not a regular file owned by this user"));
    }
    if meta.mode() & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    let level = std::env::var("MADOGUCHI_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::DEBUG);
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every failure's status is one the help's `Exit codes:` list explains, and the list
    /// names no status that no failure has.
    #[test]
    fn every_failure_has_the_status_the_help_explains() {
        use Failure::*;
        let all = [
            Internal, Usage, NoService, NoCard, WrongPin, Locked, CardGone, BadCard, Refused, NoStation, Unfinished,
        ];
        let listed: Vec<u8> = crate::EXIT_CODES
            .lines()
            .filter_map(|l| l.split_whitespace().next()?.parse().ok())
            .collect();
        for f in all {
            assert!(listed.contains(&f.code()), "{f:?} exits {} unexplained", f.code());
        }
        for code in listed.iter().filter(|c| **c != EXIT_OK) {
            assert!(all.iter().any(|f| f.code() == *code), "{code} listed, never used");
        }
        assert_eq!(exit_code(Ok(())), EXIT_OK);
        assert_eq!(exit_code(Err(Unfinished)), 3);
    }

    #[test]
    fn card_errors_keep_their_statuses() {
        let wrong = CardError::WrongPin {
            kind: madoguchi::secret::PinKind::TextPin,
            tries_left: 2,
        };
        assert_eq!(Failure::from(&wrong).code(), 5);
        assert_eq!(Failure::from(&TransportError::NoService).code(), 3);
        assert_eq!(Failure::from(&TransportError::Busy).code(), 4);
        assert_eq!(Failure::from(&CardError::Transport(TransportError::Timeout)).code(), 7);
    }
}
