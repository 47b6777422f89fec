//! `madoguchi`: command-line entry point. Commands live in `cli/`.

mod cli;

use clap::{CommandFactory, Parser, Subcommand};
use madoguchi::lang::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  unexpected internal error
  2  usage or configuration error (bad arguments, broken config file)
  3  pcscd (the PC/SC service) is not running; `outbox flush`, `receive import`: some records are not done (still queued, or in review)
  4  no reader, reader not found, or no card on the reader
  5  wrong PIN (the message says how many tries are left)
  6  PIN locked: reset at the municipal office
  7  card removed or not responding during the operation
  8  not a My Number Card, or the card gave an invalid or unexpected answer
  9  refused before any try was spent: PIN format, no PIN given, or last try without --last-try
 10  no running station answers (`madoguchi status`), or the watched one quit (`--watch`)";

#[derive(Parser)]
#[command(name = "madoguchi", version, about = "窓口 — My Number Card enrollment station. Without a command: the station on a PC/SC reader.", after_help = EXIT_CODES)]
struct Cli {
    /// Language of messages (default: the config's clerk_lang, else its lang, else ja). For
    /// the station: the clerk's language and the one each citizen starts in.
    #[arg(long, global = true, value_parser = cli::LangArg)]
    lang: Option<Lang>,
    /// Station configuration file (default: $XDG_CONFIG_HOME/madoguchi/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Write a debug log here (never card data or PINs).
    #[arg(long, global = true, value_name = "FILE")]
    log_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// The whole enrollment with the built-in virtual card and an in-process receiver on
    /// loopback: no reader, no pcscd, no network. F8 pulls/places the card.
    Demo(cli::station::DemoArgs),
    /// List PC/SC readers: name, card present, ATR.
    Readers {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Verify the 4-digit PIN and print the basic four items (name, former name, gender,
    /// birth date, address). The PIN is read from the terminal without echo, or as one line on
    /// stdin when stdin is not a terminal; never from arguments or the environment.
    #[command(after_help = EXIT_CODES)]
    Read {
        /// Reader name (exact or substring). Default: the first reader with a card.
        #[arg(long)]
        reader: Option<String>,
        /// Print JSON: {name, former_name, gender, birth_date (YYYY-MM-DD), address}.
        #[arg(long)]
        json: bool,
        /// Allow spending the last remaining PIN try.
        #[arg(long)]
        last_try: bool,
    },
    /// What the running station sees, from its status socket (works over SSH as the same user,
    /// while the station holds the card): step, reader, last errors, queue, last delivery, CRL
    /// age, APDU round trips. Never personal data or input. Exit code 10 when no running
    /// station answers.
    #[command(after_help = EXIT_CODES)]
    Status {
        /// Print one JSON document (each snapshot one line with --watch).
        #[arg(long)]
        json: bool,
        /// Keep printing a snapshot whenever something changes, each under a line with the
        /// time it was printed, until Ctrl-C.
        #[arg(long)]
        watch: bool,
    },
    /// What pcscd, the readers and the card look like: readable text, a stable JSON document
    /// (`--json`), or a stream of changes (`--watch`; JSON lines with `--json`) until Ctrl-C.
    /// Never shows card data or PINs.
    Diagnose {
        /// Print a stable JSON document (JSON lines with --watch).
        #[arg(long)]
        json: bool,
        /// Print one line per change (reader plugged or pulled, card placed or removed, pcscd
        /// gone or back) until Ctrl-C.
        #[arg(long)]
        watch: bool,
        /// Don't talk to the card (no token read, no extended-length measurement).
        #[arg(long)]
        no_probe: bool,
    },
    /// Read a JPKI certificate from the card and print it as PEM. `sign` needs the signing
    /// password (terminal without echo, or one line on stdin).
    #[command(after_help = EXIT_CODES)]
    Cert {
        /// Which certificate.
        #[arg(value_enum, default_value = "sign")]
        which: cli::cert::Which,
        /// Reader name (exact or substring). Default: the first reader with a card.
        #[arg(long)]
        reader: Option<String>,
        /// Allow spending the last remaining password try.
        #[arg(long)]
        last_try: bool,
    },
    /// The station's queue: list (no personal data), flush now, export sealed records,
    /// retry a reviewed record.
    #[command(subcommand)]
    Outbox(cli::outbox::OutboxCmd),
    /// The reference receiver: verifies (chain, validity, signature, CRL, card data) and
    /// stores records idempotently in SQLite or PostgreSQL; `receive list` lists them,
    /// `receive import` takes hand-carried files.
    Receive(Box<cli::receive::ReceiveArgs>),
    /// Run the virtual My Number Card in the vsmartcard vpcd reader of a running pcscd
    /// (for tests, demos and OpenSC cross-checks).
    Vcard(cli::vcard::VcardArgs),
}

/// `madoguchi generate …` writes the package's man pages and completions. It is parsed apart
/// from `Cli` so that what it writes (and `--help`) never lists it.
#[derive(Parser)]
#[command(
    name = "madoguchi generate",
    bin_name = "madoguchi generate",
    about = "Man pages and shell completions, for packaging (pkg/build-deb)."
)]
struct Generate {
    #[command(subcommand)]
    what: cli::generate::GenerateCmd,
}

fn main() -> ExitCode {
    // Before anything reads a PIN or a card: no core dumps, no ptrace, private files.
    madoguchi::harden::once();
    if std::env::args_os().nth(1).is_some_and(|a| a == "generate") {
        let g = Generate::parse_from(std::env::args_os().skip(1));
        return ExitCode::from(cli::exit_code(cli::generate::run(Cli::command(), g.what)));
    }
    let cli = Cli::parse();
    if let Some(path) = &cli.log_file {
        if let Err(e) = cli::init_log(path) {
            let failed = cli::fail(
                cli::Failure::Internal,
                format_args!("cannot open log file {}: {e}", path.display()),
            );
            return ExitCode::from(failed.code());
        }
    }
    // Support commands speak the clerk's language: --lang, else the config's clerk_lang
    // (else lang); a config that does not load leaves Japanese (diagnose reports why). Read
    // only by the commands that use it.
    let lang = || {
        cli.lang.unwrap_or_else(|| {
            madoguchi::config::Config::load(cli.config.as_deref())
                .map_or_else(|_| Default::default(), |c| c.clerk_language())
        })
    };
    let outcome = match cli.command {
        None => cli::station::run_station(cli.lang, cli.config.as_deref()),
        Some(Command::Demo(args)) => cli::station::run_demo(cli.lang, args),
        Some(Command::Readers { json }) => cli::readers::run(lang(), json),
        Some(Command::Read { reader, json, last_try }) => cli::read::run(lang(), reader.as_deref(), json, last_try),
        Some(Command::Status { json, watch }) => cli::status::run(lang(), json, watch),
        Some(Command::Diagnose { json, watch, no_probe }) => {
            cli::diagnose::run(lang(), json, watch, no_probe, cli.config.as_deref())
        }
        Some(Command::Cert {
            which,
            reader,
            last_try,
        }) => cli::cert::run(lang(), reader.as_deref(), which, last_try),
        Some(Command::Outbox(cmd)) => cli::outbox::run(lang(), cli.config.as_deref(), cmd),
        Some(Command::Receive(args)) => cli::receive::run(*args, cli.config.as_deref()),
        Some(Command::Vcard(args)) => cli::vcard::run(args),
    };
    ExitCode::from(cli::exit_code(outcome))
}
