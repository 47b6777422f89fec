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

use madoguchi::card::{CardError, TransportError};
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
