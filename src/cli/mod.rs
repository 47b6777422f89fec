//! Command implementations. Each returns a process exit code (see `EXIT_CODES` in main.rs).

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

pub const EXIT_OK: u8 = 0;
pub const EXIT_INTERNAL: u8 = 1;
pub const EXIT_NO_SERVICE: u8 = 3;
pub const EXIT_NO_CARD: u8 = 4;
pub const EXIT_WRONG_PIN: u8 = 5;
pub const EXIT_LOCKED: u8 = 6;
pub const EXIT_CARD_GONE: u8 = 7;
pub const EXIT_BAD_CARD: u8 = 8;
pub const EXIT_REFUSED: u8 = 9;
/// `madoguchi status`: no running station answers on its socket.
pub const EXIT_NO_STATION: u8 = 10;

pub fn exit_code_transport(e: &TransportError) -> u8 {
    use TransportError as T;
    match e {
        T::NoService => EXIT_NO_SERVICE,
        T::NoReader | T::UnknownReader(_) | T::NoCard | T::Busy => EXIT_NO_CARD,
        T::CardRemoved | T::CardReset | T::Unresponsive | T::Timeout | T::Other(_) => EXIT_CARD_GONE,
        T::ExtendedUnsupported | T::Refused(_) => EXIT_BAD_CARD,
    }
}

pub fn exit_code(e: &CardError) -> u8 {
    match e {
        CardError::Transport(t) => exit_code_transport(t),
        CardError::WrongPin { .. } => EXIT_WRONG_PIN,
        CardError::Locked { .. } => EXIT_LOCKED,
        CardError::SecurityStatus => EXIT_CARD_GONE,
        CardError::NotMyNumberCard
        | CardError::FileNotFound(_)
        | CardError::NoSigningCertificate
        | CardError::Malformed(_)
        | CardError::Status { .. } => EXIT_BAD_CARD,
    }
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
