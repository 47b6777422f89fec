//! `madoguchi read`: tries left → PIN → VERIFY once → EF 02 → print, or one clear error.
//!
//! Nothing is printed to stdout unless the whole read succeeded (no partial JSON).

use super::*;
use madoguchi::card::basic4::BasicFour;
use madoguchi::card::MyNumberCard;
use madoguchi::i18n::{self, Lang};
use madoguchi::reader::{self, PcscCard};
use madoguchi::secret::{read_secret_line, Pin, PinKind};
use madoguchi::wareki;
use std::io::{IsTerminal, Write};
use zeroize::Zeroizing;

enum Source {
    /// Interactive: prompt on the terminal after showing the tries left.
    Terminal,
    /// A script gave the PIN as one line on stdin (read before touching the card).
    Piped(Zeroizing<Vec<u8>>),
}

pub fn run(lang: Lang, wanted: Option<&str>, json: bool, last_try: bool) -> u8 {
    let source = if std::io::stdin().is_terminal() {
        Source::Terminal
    } else {
        match read_secret_line(&mut std::io::stdin().lock()) {
            Ok(Some(line)) => Source::Piped(line),
            _ => {
                eprintln!("{}", msg_no_pin(lang));
                return EXIT_REFUSED;
            }
        }
    };
    // Validate the format before the card is touched: a typo never costs a try.
    let piped_pin = match &source {
        Source::Piped(line) => match Pin::new(line) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("{}", i18n::pin_format(lang, PinKind::TextPin, &e));
                return EXIT_REFUSED;
            }
        },
        Source::Terminal => None,
    };
    drop(source);

    let ctx = match reader::establish() {
        Ok(c) => c,
        Err(e) => return fail_transport(lang, &e),
    };
    let chosen = match reader::list_readers(&ctx).and_then(|r| reader::choose_reader(&r, wanted)) {
        Ok(r) => r,
        Err(e) => return fail_transport(lang, &e),
    };
    let mut conn = match PcscCard::connect(&ctx, &chosen.name) {
        Ok(c) => c,
        Err(e) => return fail_transport(lang, &e),
    };

    let result = match piped_pin {
        Some(pin) => conn.transaction(|t| {
            let mut card = MyNumberCard::new(t);
            let tries = card.pin_tries(PinKind::TextPin)?;
            if let Some(code) = gate(lang, tries, last_try) {
                return Ok(Err(code));
            }
            card.verify(pin.secret())?;
            drop(pin);
            card.read_basic_four().map(Ok)
        }),
        None => interactive(lang, &mut conn, last_try),
    };
    let info = match result {
        Ok(Ok(Ok(info))) => info,
        Ok(Ok(Err(code))) => return code,
        Ok(Err(e)) => {
            eprintln!("{}", i18n::card_error(lang, &e));
            return exit_code(&e);
        }
        Err(e) => return fail_transport(lang, &e),
    };
    print_info(lang, &info, json)
}

type Outcome = Result<Result<BasicFour, u8>, madoguchi::card::CardError>;

/// Terminal flow: query tries in one transaction, prompt without holding the card, then a
/// second transaction that re-checks the counter and sends VERIFY once.
fn interactive(lang: Lang, conn: &mut PcscCard, last_try: bool) -> Result<Outcome, madoguchi::card::TransportError> {
    let first = conn.transaction(|t| MyNumberCard::new(t).pin_tries(PinKind::TextPin))?;
    let tries = match first {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(code) = gate(lang, tries, last_try) {
        return Ok(Ok(Err(code)));
    }
    let pin = loop {
        let line = match prompt_hidden(&format!("{}: ", i18n::pin_name(lang, PinKind::TextPin))) {
            Some(l) => l,
            None => {
                eprintln!("{}", msg_no_pin(lang));
                return Ok(Ok(Err(EXIT_REFUSED)));
            }
        };
        match Pin::new(&line) {
            Ok(p) => break p,
            Err(e) => eprintln!("{}", i18n::pin_format(lang, PinKind::TextPin, &e)),
        }
    };
    conn.transaction(|t| {
        let mut card = MyNumberCard::new(t);
        // Another program may have spent tries while the citizen typed.
        let now = card.pin_tries(PinKind::TextPin)?;
        if now != tries {
            if let Some(code) = gate(lang, now, last_try) {
                return Ok(Err(code));
            }
        }
        card.verify(pin.secret())?;
        drop(pin);
        card.read_basic_four().map(Ok)
    })
}

/// Shows the tries left; returns an exit code when we must not try.
fn gate(lang: Lang, tries: u8, last_try: bool) -> Option<u8> {
    eprintln!("{}", i18n::tries_left(lang, PinKind::TextPin, tries));
    if tries == 0 {
        let e = madoguchi::card::CardError::Locked { kind: PinKind::TextPin };
        eprintln!("{}", i18n::card_error(lang, &e));
        return Some(EXIT_LOCKED);
    }
    if tries == 1 && !last_try {
        eprintln!("{}", i18n::last_try_warning(lang, PinKind::TextPin));
        eprintln!(
            "{}",
            match lang {
                Lang::Ja => "続ける場合は --last-try を付けて実行してください。",
                Lang::En => "To go ahead, run again with --last-try.",
            }
        );
        return Some(EXIT_REFUSED);
    }
    None
}

fn msg_no_pin(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "暗証番号が入力されませんでした。カードには何も送信していません。",
        Lang::En => "No PIN was entered. Nothing was sent to the card.",
    }
}

fn fail_transport(lang: Lang, e: &madoguchi::card::TransportError) -> u8 {
    eprintln!("{}", i18n::transport_error(lang, e));
    exit_code_transport(e)
}

/// Reads a line from the terminal with echo off, restoring the terminal on every path.
fn prompt_hidden(prompt: &str) -> Option<Zeroizing<Vec<u8>>> {
    let mut err = std::io::stderr();
    let _ = err.write_all(prompt.as_bytes());
    let _ = err.flush();
    let fd = libc::STDIN_FILENO;
    // SAFETY: termios is plain data; tcgetattr fills it for a valid fd.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    let have_tty = unsafe { libc::tcgetattr(fd, &mut saved) } == 0;
    if have_tty {
        let mut quiet = saved;
        quiet.c_lflag &= !(libc::ECHO | libc::ECHONL);
        quiet.c_lflag |= libc::ICANON;
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
    }
    let line = read_secret_line(&mut std::io::stdin().lock());
    if have_tty {
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    }
    let _ = err.write_all(b"\n");
    line.ok().flatten()
}

fn print_info(lang: Lang, info: &BasicFour, json: bool) -> u8 {
    let text = if json {
        match serde_json::to_string_pretty(info) {
            Ok(s) => Zeroizing::new(s),
            Err(_) => return EXIT_INTERNAL,
        }
    } else {
        let d = info.birth_date;
        let wa = wareki::format_ja(d).unwrap_or_default();
        let gender = match (lang, info.gender.as_key()) {
            (Lang::Ja, "male") => "男性",
            (Lang::Ja, "female") => "女性",
            (Lang::Ja, _) => "その他・不明",
            (Lang::En, "male") => "male",
            (Lang::En, "female") => "female",
            (Lang::En, _) => "other / unknown",
        };
        let mut s = String::new();
        let labels = match lang {
            Lang::Ja => ["氏名", "旧氏", "性別", "生年月日", "住所"],
            Lang::En => ["Name", "Former name", "Gender", "Birth date", "Address"],
        };
        s.push_str(&format!("{}: {}\n", labels[0], info.name.as_str()));
        if let Some(f) = &info.former_name {
            s.push_str(&format!("{}: {}\n", labels[1], f.as_str()));
        }
        s.push_str(&format!("{}: {}\n", labels[2], gender));
        s.push_str(&format!("{}: {} ({})\n", labels[3], wa, d.iso()));
        s.push_str(&format!("{}: {}", labels[4], info.address.as_str()));
        Zeroizing::new(s)
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{}", text.as_str()).and_then(|_| out.flush()).is_err() {
        return EXIT_INTERNAL;
    }
    EXIT_OK
}
