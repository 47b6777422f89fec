//! `madoguchi generate man DIR | completions SHELL` (not listed anywhere): the man pages and
//! shell completions of the Debian package, made from the CLI definition itself so they never
//! drift from `--help`. `pkg/build-deb` runs it.
//!
//! A page is clap_mangen's sections (name, synopsis, description, options, commands) plus
//! ours: EXIT STATUS as a table (from the `Exit codes:` help text), KEYS (from the station's
//! key table, `ui::keys`), ENVIRONMENT and FILES. An option without a description stops
//! `generate man`: every option a page lists says what it does.

use super::{Failure, Outcome};
use madoguchi::ui::keys::{Action, KEYS};
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum GenerateCmd {
    /// Write madoguchi.1 and one page per command (madoguchi-receive.1, …) into DIR.
    Man {
        /// Directory for the pages (made when missing).
        dir: PathBuf,
    },
    /// Print the completion script for SHELL (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

pub fn run(cmd: clap::Command, what: GenerateCmd) -> Outcome {
    match what {
        GenerateCmd::Man { dir } => match write_pages(cmd, &dir) {
            Ok(()) => Ok(()),
            Err(e) => {
                eprintln!("madoguchi generate man: {}: {e}", dir.display());
                Err(Failure::Internal)
            }
        },
        GenerateCmd::Completions { shell } => {
            let mut cmd = cmd;
            let name = cmd.get_name().to_string();
            clap_complete::generate(shell, &mut cmd, name, &mut std::io::stdout());
            Ok(())
        }
    }
}

fn write_pages(cmd: clap::Command, dir: &Path) -> std::io::Result<()> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let missing = undocumented(&cmd);
    if !missing.is_empty() {
        return Err(std::io::Error::other(format!(
            "options without a description (a doc comment in the clap definition): {}",
            missing.join(", ")
        )));
    }
    // The process umask is 077 (harden): the pages are public, say so.
    use std::os::unix::fs::PermissionsExt;
    let public = |p: &Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
    if !dir.exists() {
        std::fs::create_dir_all(dir)?;
        public(dir, 0o755)?;
    }
    let codes = exit_codes(&cmd);
    let mut pages = Vec::new();
    collect(&cmd, &mut pages);
    for c in pages {
        let name = c.get_display_name().unwrap_or(c.get_name()).to_string();
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, page(c, &name, &codes)?)?;
        public(&path, 0o644)?;
    }
    Ok(())
}

/// The command and its visible subcommands, depth first.
fn collect<'a>(cmd: &'a clap::Command, out: &mut Vec<&'a clap::Command>) {
    out.push(cmd);
    for s in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(s, out);
    }
}

/// `page: --flag` for every visible option of every page that has no help text.
fn undocumented(cmd: &clap::Command) -> Vec<String> {
    let mut pages = Vec::new();
    collect(cmd, &mut pages);
    let mut missing = Vec::new();
    for c in pages {
        for a in c.get_arguments().filter(|a| !a.is_hide_set()) {
            if a.get_help().is_none() && a.get_long_help().is_none() {
                let name = a
                    .get_long()
                    .map(|l| format!("--{l}"))
                    .unwrap_or_else(|| a.get_id().to_string());
                missing.push(format!("{} {name}", c.get_display_name().unwrap_or(c.get_name())));
            }
        }
    }
    missing
}

/// (code, meaning) from the `Exit codes:` text the top-level help ends with.
fn exit_codes(cmd: &clap::Command) -> Vec<(String, String)> {
    let text = cmd.get_after_help().map(|s| s.to_string()).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let (code, meaning) = l.split_once(char::is_whitespace)?;
            code.parse::<u8>().ok()?;
            Some((code.to_string(), meaning.trim().to_string()))
        })
        .collect()
}

/// Text for roff: backslashes escaped, no line starting with a control character.
fn roff(text: &str) -> String {
    let t = text.replace('\\', "\\e").replace('-', "\\-");
    t.lines()
        .map(|l| {
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn page(cmd: &clap::Command, name: &str, codes: &[(String, String)]) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    // `'\" t`: man runs tbl, for the exit status table.
    let mut w = b"'\\\" t\n".to_vec();
    man.render_title(&mut w)?;
    man.render_name_section(&mut w)?;
    man.render_synopsis_section(&mut w)?;
    man.render_description_section(&mut w)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut w)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut w)?;
    }
    let after = cmd.get_after_help().map(|s| s.to_string());
    let top_codes = exit_codes(cmd);
    let mut extra = String::new();
    if !top_codes.is_empty() || name == "madoguchi" {
        extra += &exit_status(if top_codes.is_empty() { codes } else { &top_codes });
    } else if after.is_some() {
        man.render_extra_section(&mut w)?;
    }
    if name == "madoguchi" || name == "madoguchi-demo" {
        extra += &keys(name == "madoguchi-demo");
    }
    extra += &listed("ENVIRONMENT", ENVIRONMENT, name);
    extra += &listed("FILES", FILES, name);
    extra += ".SH \"SEE ALSO\"\n/usr/share/doc/madoguchi/operations.md: install, configure, run, support, \
              back up, upgrade, remove.\n";
    w.extend(extra.as_bytes());
    if cmd.get_version().is_some() {
        man.render_version_section(&mut w)?;
    }
    Ok(w)
}

fn exit_status(codes: &[(String, String)]) -> String {
    let mut s = String::from(".SH \"EXIT STATUS\"\n.TS\ntab(@);\nr lx.\n");
    for (code, meaning) in codes {
        s += &format!("{code}@T{{\n{}\nT}}\n", roff(meaning));
    }
    s + ".TE\n"
}

/// What a station-wide key does, in the man page's words (`None`: a screen's or an
/// overlay's key, listed from the table's own hints).
fn action_text(a: Action) -> Option<&'static str> {
    match a {
        Action::Diagnostics => Some("the reader diagnostics, shown and hidden"),
        Action::NextReader => Some("the next reader (only with more than one reader connected)"),
        Action::Language => Some("the clerk's next language (the citizen chooses theirs on the first screen)"),
        Action::Quit => Some("quit the station (during an enrollment it asks first)"),
        Action::DemoCard => Some("pull or place the virtual card (demo only)"),
        Action::QuitNow | Action::Close | Action::Flow(_) => None,
    }
}

fn keys(demo: bool) -> String {
    use madoguchi::i18n::msg;
    use madoguchi::lang::Lang;
    let mut s = String::from(
        ".SH KEYS\nStation\\-wide keys, the same on every screen (the help line at the bottom shows \
         those that act there):\n",
    );
    for b in KEYS
        .iter()
        .filter(|b| b.hint.is_some() && (demo || b.action != Action::DemoCard))
    {
        if let Some(text) = action_text(b.action) {
            s += &format!(".TP\n.B {}\n{}\n", roff(&b.label()), roff(text));
        }
    }
    s += ".PP\nEach screen's own keys, from the same table as the help line (which shows those \
          that act on the screen on view):\n";
    let mut seen = Vec::new();
    for b in KEYS.iter().filter(|b| action_text(b.action).is_none()) {
        let Some(hint) = b.hint else { continue };
        let entry = (b.label(), msg(Lang::En, hint).to_string());
        if !seen.contains(&entry) {
            s += &format!(".TP\n.B {}\n{}\n", roff(&entry.0), roff(&entry.1));
            seen.push(entry);
        }
    }
    s += ".PP\nDigits and letters go into the PIN, the signing password or the e\\-mail address \
          (never echoed for PINs and passwords). No key spends a PIN try except Enter on a \
          well\\-formed PIN.\n";
    s
}

/// An environment variable or file, and the pages it goes on: "*" for all, else page names;
/// a name also covers its subcommands' pages (`madoguchi-receive` → `madoguchi-receive-list`).
type Entry = (&'static str, &'static str, &'static [&'static str]);

const ENVIRONMENT: &[Entry] = &[
    (
        "XDG_CONFIG_HOME, HOME",
        "The station configuration is $XDG_CONFIG_HOME/madoguchi/config.toml (default \
         ~/.config/madoguchi/config.toml) unless \\-\\-config names a file.",
        &["*"],
    ),
    (
        "XDG_DATA_HOME",
        "The outbox is $XDG_DATA_HOME/madoguchi/outbox.sqlite3 (default \
         ~/.local/share/madoguchi/outbox.sqlite3) unless the configuration names one.",
        &["madoguchi", "madoguchi-outbox", "madoguchi-diagnose"],
    ),
    (
        "XDG_RUNTIME_DIR, TMPDIR",
        "The station's status socket is $XDG_RUNTIME_DIR/madoguchi/station.sock, else \
         $TMPDIR/madoguchi\\-UID/station.sock (TMPDIR defaults to /tmp); madoguchi status also \
         looks in /run/user/UID/madoguchi/.",
        &["madoguchi", "madoguchi-status"],
    ),
    (
        "NO_COLOR",
        "When set and not empty, the station draws without colours (the monochrome theme).",
        &["madoguchi", "madoguchi-demo"],
    ),
    (
        "MADOGUCHI_LOG",
        "The level of the \\-\\-log\\-file log: error, warn, info, debug (default) or trace. \
         No level logs PINs, passwords or card data.",
        &["*"],
    ),
    (
        "PGPASSFILE",
        "The receiver's PostgreSQL password file (libpq's pgpass format, mode 0600 or \
         stricter). Without it: the systemd credential pgpass, then ~/.pgpass. A password in \
         the database URL is refused.",
        &["madoguchi", "madoguchi-receive"],
    ),
    (
        "CREDENTIALS_DIRECTORY",
        "Set by systemd for a unit with LoadCredential=: the receiver reads its pgpass file \
         from $CREDENTIALS_DIRECTORY/pgpass when PGPASSFILE is not set (the packaged unit has \
         no home directory).",
        &["madoguchi", "madoguchi-receive"],
    ),
    (
        "PGSSLROOTCERT",
        "CA certificate file (PEM) the PostgreSQL server's certificate must chain to, when \
         the URL has no sslrootcert=; else the system's CA store.",
        &["madoguchi", "madoguchi-receive"],
    ),
];

const FILES: &[Entry] = &[
    (
        "~/.config/madoguchi/config.toml",
        "The station configuration (see ENVIRONMENT); an annotated example is \
         /usr/share/doc/madoguchi/examples/madoguchi.toml.",
        &["*"],
    ),
    (
        "~/.local/share/madoguchi/outbox.sqlite3",
        "The outbox: confirmed enrollments, sealed, until the backend acknowledged them \
         (0600 in a 0700 directory).",
        &["madoguchi", "madoguchi-outbox", "madoguchi-diagnose"],
    ),
    (
        "/usr/share/madoguchi/themes/",
        "The built\\-in themes (default, high\\-contrast, monochrome), as templates for your own.",
        &["madoguchi", "madoguchi-demo"],
    ),
    (
        "/usr/share/doc/madoguchi/examples/profiles/",
        "The virtual card's built\\-in profiles, as templates for \\-\\-profile FILE.",
        &["madoguchi-demo", "madoguchi-vcard"],
    ),
    (
        "/etc/madoguchi/config.toml, /var/lib/madoguchi/",
        "The configuration and the state directory of the kiosk unit \
         (madoguchi\\-kiosk.service, user madoguchi).",
        &["madoguchi", "madoguchi-outbox", "madoguchi-status"],
    ),
    (
        "/etc/default/madoguchi-receiver",
        "The arguments of madoguchi\\-receiver.service (a conffile).",
        &["madoguchi", "madoguchi-receive"],
    ),
    (
        "/etc/madoguchi-receiver/",
        "The receiver's files: tls\\-key.pem and seal\\-key.pem (0600, handed to the service \
         as credentials), pgpass (0600, the credential pgpass when PostgreSQL asks for a \
         password), the public certificates and CRLs.",
        &["madoguchi", "madoguchi-receive"],
    ),
    (
        "/var/lib/madoguchi-receiver/records.sqlite3",
        "The receiver's SQLite database under the unit (DynamicUser=: on disk under \
         /var/lib/private/madoguchi\\-receiver/).",
        &["madoguchi", "madoguchi-receive"],
    ),
    (
        "/usr/lib/systemd/system/madoguchi-receiver.service",
        "The hardened receiver's systemd unit (man systemd.exec; a drop\\-in for PostgreSQL's \\
         password is in /usr/share/madoguchi/systemd/).",
        &["madoguchi", "madoguchi-receive"],
    ),
    (
        "/usr/lib/systemd/system/madoguchi-kiosk.service",
        "The station full\\-screen on tty1 (cage and foot).",
        &["madoguchi"],
    ),
];

fn on_page(pages: &[&str], page: &str) -> bool {
    pages.iter().any(|p| {
        *p == "*" || page == *p || page.strip_prefix(*p).is_some_and(|r| r.starts_with('-')) && *p != "madoguchi"
    })
}

fn listed(section: &str, entries: &[Entry], page: &str) -> String {
    let mut s = String::new();
    for (name, text, _) in entries.iter().filter(|(_, _, p)| on_page(p, page)) {
        s += &format!(".TP\n.B {}\n{text}\n", roff(name));
    }
    if s.is_empty() {
        s
    } else {
        format!(".SH {section}\n{s}")
    }
}
