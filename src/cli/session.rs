//! One card session for a CLI command: pick the reader, connect, show the tries left, get the
//! PIN (terminal without echo, or one stdin line for scripts), VERIFY once, run the operation.
//! Nothing is printed to stdout here; errors are one sentence on stderr and a [`Failure`].
//! However the command ends, the card is powered down as the connection drops
//! ([`PcscCard`]), so no PIN verified here stays verified for the next program.

use super::Failure;
use madoguchi::card::{client::MyNumberCard, CardError, TransportError};
use madoguchi::i18n;
use madoguchi::lang::Lang;
use madoguchi::reader::{self, PcscCard, PcscTransport};
use madoguchi::secret::{read_secret_line, FdReader, PinKind, Secret};
use std::io::{IsTerminal, Write};
use zeroize::Zeroizing;

pub type Card<'a, 'b> = MyNumberCard<&'a mut PcscTransport<'b>>;

/// Connects to the chosen reader's card.
pub fn connect(lang: Lang, wanted: Option<&str>) -> Result<PcscCard, Failure> {
    let ctx = reader::establish().map_err(|e| fail_transport(lang, &e))?;
    let chosen = reader::list_readers(&ctx)
        .and_then(|r| reader::choose_reader(&r, wanted))
        .map_err(|e| fail_transport(lang, &e))?;
    PcscCard::connect(&ctx, &chosen.name, true).map_err(|e| fail_transport(lang, &e))
}

/// Runs `op` in one transaction, without any PIN.
pub fn without_pin<R>(
    lang: Lang,
    wanted: Option<&str>,
    op: impl FnOnce(&mut Card) -> Result<R, CardError>,
) -> Result<R, Failure> {
    let mut conn = connect(lang, wanted)?;
    match conn.transaction(|t| op(&mut MyNumberCard::new(t))) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(fail_card(lang, &e)),
        Err(e) => Err(fail_transport(lang, &e)),
    }
}

/// Verifies the PIN of `kind` once, then runs `op` in the same transaction.
pub fn with_pin<R>(
    lang: Lang,
    wanted: Option<&str>,
    kind: PinKind,
    last_try: bool,
    op: impl FnOnce(&mut Card) -> Result<R, CardError>,
) -> Result<R, Failure> {
    // A script's PIN is read and checked before the card is touched: a typo costs nothing.
    let piped = if std::io::stdin().is_terminal() {
        None
    } else {
        let line = match read_secret_line(&mut FdReader::stdin()) {
            Ok(Some(l)) => l,
            _ => {
                eprintln!("{}", msg_no_pin(lang));
                return Err(Failure::Refused);
            }
        };
        match Secret::parse(kind, &line) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("{}", i18n::pin_format(lang, kind, &e));
                return Err(Failure::Refused);
            }
        }
    };
    let mut conn = connect(lang, wanted)?;
    let (secret, shown) = match piped {
        Some(s) => (s, None),
        None => {
            // Show the tries before the citizen types; don't hold the card while they do.
            let tries = match conn.transaction(|t| MyNumberCard::new(t).pin_tries(kind)) {
                Ok(Ok(n)) => n,
                Ok(Err(e)) => return Err(fail_card(lang, &e)),
                Err(e) => return Err(fail_transport(lang, &e)),
            };
            gate(lang, kind, tries, last_try)?;
            (prompt_until_well_formed(lang, kind)?, Some(tries))
        }
    };
    let outcome = conn.transaction(|t| -> Result<Result<R, Failure>, CardError> {
        let mut card = MyNumberCard::new(t);
        let tries = card.pin_tries(kind)?;
        // Shown already, unless another program spent tries while the citizen typed.
        if shown != Some(tries) {
            if let Err(f) = gate(lang, kind, tries, last_try) {
                return Ok(Err(f));
            }
        }
        card.verify(&secret)?;
        drop(secret);
        op(&mut card).map(Ok)
    });
    match outcome {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Err(fail_card(lang, &e)),
        Err(e) => Err(fail_transport(lang, &e)),
    }
}

/// Shows the tries left; refuses when locked, or at the last try without `--last-try`.
fn gate(lang: Lang, kind: PinKind, tries: u8, last_try: bool) -> Result<(), Failure> {
    eprintln!("{}", i18n::tries_left(lang, kind, tries));
    if tries == 0 {
        return Err(fail_card(lang, &CardError::Locked { kind }));
    }
    if tries == 1 && !last_try {
        eprintln!("{}", i18n::last_try_warning(lang, kind));
        eprintln!("{}", i18n::msg(lang, i18n::Msg::CliLastTryHint));
        return Err(Failure::Refused);
    }
    Ok(())
}

fn prompt_until_well_formed(lang: Lang, kind: PinKind) -> Result<Secret, Failure> {
    loop {
        let Some(line) = prompt_hidden(&format!("{}: ", i18n::pin_name(lang, kind))) else {
            eprintln!("{}", msg_no_pin(lang));
            return Err(Failure::Refused);
        };
        match Secret::parse(kind, &line) {
            Ok(s) => return Ok(s),
            Err(e) => eprintln!("{}", i18n::pin_format(lang, kind, &e)),
        }
    }
}

fn msg_no_pin(lang: Lang) -> &'static str {
    i18n::msg(lang, i18n::Msg::CliNoPin)
}

/// Says `e` in the person's language; the failure it comes to.
pub fn fail_transport(lang: Lang, e: &TransportError) -> Failure {
    eprintln!("{}", i18n::transport_error(lang, e));
    e.into()
}

/// Says `e` in the person's language; the failure it comes to.
pub fn fail_card(lang: Lang, e: &CardError) -> Failure {
    eprintln!("{}", i18n::card_error(lang, e));
    e.into()
}

/// Reads a line from the terminal with echo off, restoring the terminal on every path.
fn prompt_hidden(prompt: &str) -> Option<Zeroizing<Vec<u8>>> {
    let mut err = std::io::stderr();
    let _ = err.write_all(prompt.as_bytes());
    let _ = err.flush();
    let fd = libc::STDIN_FILENO;
    // SAFETY: termios is plain data, filled by tcgetattr for a valid fd before use.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    let have_tty = unsafe { libc::tcgetattr(fd, &mut saved) } == 0;
    if have_tty {
        let mut quiet = saved;
        quiet.c_lflag &= !(libc::ECHO | libc::ECHONL);
        quiet.c_lflag |= libc::ICANON;
        // SAFETY: valid fd and a termios derived from the one tcgetattr returned.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
    }
    let line = read_secret_line(&mut FdReader::stdin());
    if have_tty {
        // SAFETY: restores exactly what tcgetattr returned.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    }
    let _ = err.write_all(b"\n");
    line.ok().flatten()
}
