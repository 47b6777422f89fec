//! `madoguchi receive`: the reference receiver as a server operators can start from, and its
//! operator commands: `receive list` (the review queue, `list.rs`) and `receive import`
//! (hand-carried files from `outbox export`, `import.rs`). What verifying needs, shared by
//! the server and `import`, is in `verify.rs`.

mod import;
mod list;
mod verify;

use super::{fail, Failure, Outcome};
use madoguchi::backend::receiver::{self, Limits, ReceiverConfig, ReceiverHandle, TlsConfig};
use madoguchi::backend::store::StoreLocation;
use std::path::PathBuf;
use verify::{verify_config, VerifyArgs};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReceiveArgs {
    #[command(subcommand)]
    cmd: Option<ReceiveCmd>,
    /// Address to listen on, e.g. 0.0.0.0:8443 or 127.0.0.1:8080.
    #[arg(long)]
    listen: Option<String>,
    /// A second address, plain HTTP, with only /healthz, /readyz and /metrics: for probes and
    /// Prometheus when stations must present client certificates (e.g. 127.0.0.1:9464).
    #[arg(long, value_name = "ADDR")]
    ops_listen: Option<String>,
    #[command(flatten)]
    verify: VerifyArgs,
    /// TLS certificate chain and key (PEM). Without them: plain HTTP (only sensible on loopback).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The TLS certificate's private key (PEM); under the packaged unit, a systemd credential.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// CA for client certificates (DER or PEM file, bundle or directory): stations must
    /// present one (mTLS); its CN must equal the record's station id.
    #[arg(long, requires = "tls_cert")]
    client_ca: Option<PathBuf>,
    /// CRL of the client CA (DER or PEM file, or a directory; repeatable): a station
    /// certificate on it is refused in the TLS handshake — how a stolen laptop is retired.
    /// Read again on SIGHUP and when a file changes.
    #[arg(long, requires = "client_ca", value_name = "FILE|DIR")]
    client_crl: Vec<PathBuf>,
    /// Accept `unauthenticated` records (nothing proves the card: no signature, no 利用者証明
    /// challenge), only from stations bound by their client certificate; recorded with that
    /// station. `card-authenticated` records (holders under 15) need no such flag.
    #[arg(long, requires = "client_ca")]
    allow_unauthenticated: bool,
    /// The old name of --allow-unauthenticated (records of stations before the assurance
    /// levels that carry no signature are `unauthenticated`).
    #[arg(long, requires = "client_ca")]
    allow_unsigned: bool,
    /// Connections served at once; more wait in the listen backlog (4096) until one closes.
    /// Lowered to what the open-files limit allows (the soft limit is raised to the hard one
    /// at start; the start-up line says what was chosen).
    #[arg(long, default_value_t = 256, value_name = "N")]
    max_connections: usize,
    /// While fewer than an eighth of the connections are free: how many unproven ones (before
    /// an mTLS handshake, or a first request) one source address may hold; more are closed at
    /// once (sockets that connect and say nothing must not starve the stations).
    #[arg(long, default_value_t = 16, value_name = "N")]
    max_pending_per_address: usize,
    /// Seconds for a TLS handshake.
    #[arg(long, default_value_t = 3, value_name = "SECS")]
    handshake_timeout: u64,
    /// Seconds for the request line and headers (from the moment a request is awaited).
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    header_timeout: u64,
    /// Seconds for the request body (408 REQUEST_TIMEOUT past them).
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    body_timeout: u64,
    /// Seconds a keep-alive connection may stay without a request.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    idle_timeout: u64,
    /// Seconds requests in flight may take to finish after SIGTERM (new connections are
    /// refused at once).
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    shutdown_grace: u64,
    /// Seconds one call of the database may take: past them the request is answered 503
    /// STORE_UNAVAILABLE (stations retry) and /readyz says not ready.
    #[arg(long, default_value_t = 5, value_name = "SECS")]
    store_timeout: u64,
    /// Request log: one JSON line per request (id, station, status, result, latency; never
    /// personal data) on stderr, or `off`.
    #[arg(long, value_parser = ["stderr", "off"], default_value = "stderr")]
    request_log: String,
}

// Parsed once at start-up: the size of a variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(clap::Subcommand)]
pub enum ReceiveCmd {
    /// Received requests, oldest first: station, Idempotency-Key, time, assurance level
    /// proven, status, result and reason (no personal data unless --show-data on a terminal).
    List {
        /// The receiver's database: a SQLite file or a postgres:// URL (default: the
        /// config's `database_url`).
        #[arg(long, value_parser = verify::store_location(), value_hint = clap::ValueHint::AnyPath)]
        db: Option<StoreLocation>,
        /// `review`: only what was not accepted.
        #[arg(long, value_parser = ["all", "review"], default_value = "all")]
        status: String,
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
        /// Also show each accepted record's card data (name, address…): only to a terminal,
        /// for the operator reviewing it; refused when the output is a file or a pipe.
        #[arg(long, conflicts_with = "json")]
        show_data: bool,
    },
    /// Take in hand-carried files of `outbox export`: each record goes through the same
    /// verification and idempotency as one sent over HTTPS. Prints accepted / duplicate /
    /// review with reasons by id (no personal data). Exit 0 when all were accepted or were
    /// already there, 3 when some need review or a retry, 1 on an error.
    Import {
        #[command(flatten)]
        verify: VerifyArgs,
        /// The station CA (as `receive --client-ca`): lines a station signed with its client
        /// certificate are bound to that station, as over mutual TLS (card-authenticated
        /// records need that). Default: client_ca of [receiver].
        #[arg(long, value_name = "FILE|DIR")]
        client_ca: Option<PathBuf>,
        /// CRLs of the station CA (as `receive --client-crl`): a retired station's signed
        /// lines are refused. Default: client_crl of [receiver].
        #[arg(long, requires = "client_ca", value_name = "FILE|DIR")]
        client_crl: Vec<PathBuf>,
        /// Make the SQLite database when it is not there (without it, a mistyped --db is an
        /// error, not a new empty database).
        #[arg(long)]
        create: bool,
        /// Files written by `madoguchi outbox export`.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

pub fn run(args: ReceiveArgs, config: Option<&std::path::Path>) -> Outcome {
    let rc = madoguchi::config::Config::load(config)
        .map_err(|e| fail(Failure::Usage, e))?
        .receiver;
    match &args.cmd {
        Some(ReceiveCmd::List {
            db,
            status,
            json,
            show_data,
        }) => {
            let Some(db) = db
                .clone()
                .or_else(|| rc.database_url.as_ref().map(StoreLocation::parse))
            else {
                eprintln!("madoguchi receive list: --db is required (or database_url in [receiver] of --config)");
                return Err(Failure::Usage);
            };
            list::list(&db, status == "review", *json, *show_data)
        }
        Some(ReceiveCmd::Import {
            verify,
            client_ca,
            client_crl,
            create,
            files,
        }) => {
            let ca = client_ca.clone().or_else(|| rc.client_ca.clone());
            let crl = if client_crl.is_empty() {
                rc.client_crl.clone()
            } else {
                client_crl.clone()
            };
            import::import(verify, &rc, ca.as_deref(), crl, *create, files)
        }
        None => serve(&args, &rc),
    }
}

/// The receiver, until SIGTERM or SIGINT.
fn serve(args: &ReceiveArgs, rc: &madoguchi::config::Receiver) -> Outcome {
    let Some(listen) = args.listen.as_ref().or(rc.listen.as_ref()) else {
        return Err(failed(
            Failure::Usage,
            "--listen, --db and --trust-ca are required (or listen, database_url and trust_ca in [receiver] of --config)",
        ));
    };
    let (cfg, tls) = server_config(args, rc).map_err(|e| failed(Failure::Usage, e))?;
    let https = tls.is_some();
    let h = receiver::spawn(listen, cfg, tls).map_err(|e| failed(Failure::Internal, e))?;
    serving(h, https, args.ops_listen.as_ref().or(rc.ops_listen.as_ref()))
}

/// Says `e` as the receiver's; the failure it comes to.
fn failed(f: Failure, e: impl std::fmt::Display) -> Failure {
    eprintln!("madoguchi receive: {e}");
    f
}

/// The server's whole configuration: the verifying half (`verify_config`), TLS, and the
/// connection limits.
fn server_config(
    args: &ReceiveArgs,
    rc: &madoguchi::config::Receiver,
) -> Result<(ReceiverConfig, Option<TlsConfig>), String> {
    let cfg = verify_config(&args.verify, rc)?;
    let tls_cert = args.tls_cert.clone().or_else(|| rc.tls_cert.clone());
    let tls_key = args.tls_key.clone().or_else(|| rc.tls_key.clone());
    let client_ca = args.client_ca.clone().or_else(|| rc.client_ca.clone());
    let client_crl = if args.client_crl.is_empty() {
        rc.client_crl.clone()
    } else {
        args.client_crl.clone()
    };
    if !client_crl.is_empty() && client_ca.is_none() {
        return Err("client_crl needs client_ca".into());
    }
    if args.allow_unsigned || rc.allow_unsigned {
        eprintln!(
            "madoguchi receive: allow_unsigned is now allow_unauthenticated: records that prove no card; card-authenticated records need neither"
        );
    }
    let allow_unsigned =
        args.allow_unauthenticated || rc.allow_unauthenticated || args.allow_unsigned || rc.allow_unsigned;
    let tls = match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => Some(TlsConfig {
            cert,
            key,
            client_ca,
            client_crl,
            client_crl_watch: (args.verify.crl_watch > 0)
                .then(|| std::time::Duration::from_secs(args.verify.crl_watch)),
        }),
        (None, None) if client_ca.is_none() => None,
        _ => return Err("tls_cert and tls_key go together, and client_ca needs them".into()),
    };
    if allow_unsigned && tls.as_ref().is_none_or(|t| t.client_ca.is_none()) {
        return Err(
            "allow_unauthenticated needs client_ca (records that prove no card only from bound stations)".into(),
        );
    }
    let (max_connections, chosen) = madoguchi::backend::receiver::admission::fit_connections(args.max_connections);
    eprintln!("madoguchi receive: {chosen}");
    let request_log: Option<receiver::RequestLog> = (args.request_log == "stderr")
        .then(|| std::sync::Arc::new(std::sync::Mutex::new(Box::new(std::io::stderr()) as Box<_>)));
    Ok((
        ReceiverConfig {
            allow_unsigned,
            request_log,
            limits: Limits {
                tls_handshake: secs(args.handshake_timeout),
                headers: secs(args.header_timeout),
                body: secs(args.body_timeout),
                idle: secs(args.idle_timeout),
                max_connections: max_connections.max(1),
                per_address: args.max_pending_per_address.max(1),
                shutdown_grace: secs(args.shutdown_grace),
                store: secs(args.store_timeout),
            },
            ..cfg
        },
        tls,
    ))
}

/// A receiver started: the operations listener beside it when asked for, the signals, then
/// waiting until it stops.
fn serving(h: ReceiverHandle, https: bool, ops: Option<&String>) -> Outcome {
    say(&h.control().trust_lines());
    eprintln!("madoguchi receive: listening on {}", h.url(https));
    if let Some(ops) = ops {
        match receiver::spawn_ops(ops, &h.control()) {
            Ok(addr) => {
                eprintln!("madoguchi receive: operations (healthz, readyz, metrics) on http://{addr}");
                if !addr.ip().is_loopback() {
                    eprintln!(
                        "madoguchi receive: warning: the operations listener {addr} is not on loopback: \
                         it asks no one who they are, and /metrics shows enrollment volume and result \
                         counts; keep it on a management network"
                    );
                }
            }
            Err(e) => {
                let failure = failed(Failure::Internal, format_args!("--ops-listen {e}"));
                h.control().shutdown();
                h.wait();
                return Err(failure);
            }
        }
    }
    signals(h.control());
    h.wait();
    eprintln!("madoguchi receive: stopped");
    Ok(())
}

fn secs(s: u64) -> std::time::Duration {
    std::time::Duration::from_secs(s.max(1))
}

/// Lines for the journal. What the receiver trusts is said so an operator can check each
/// fingerprint against a copy from a trusted source (J-LIS's site, or the operator's own CA).
fn say(lines: &[String]) {
    for l in lines {
        eprintln!("madoguchi receive: {l}");
    }
}

/// How often the warnings about trust anchors near their end are said again.
const TRUST_REMINDER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// SIGHUP reads the trust files (signing and 利用者証明用 CAs) and the CRLs again (a stale CRL replaced by a fresh download,
/// a CA added); SIGTERM and SIGINT stop gracefully: new connections refused, requests in
/// flight answered.
fn signals(control: receiver::Control) {
    let _ = std::thread::Builder::new().name("signals".into()).spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        rt.block_on(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut hup), Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::hangup()),
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                return;
            };
            let mut reminder = tokio::time::interval_at(tokio::time::Instant::now() + TRUST_REMINDER, TRUST_REMINDER);
            loop {
                tokio::select! {
                    _ = hup.recv() => match control.reload() {
                        Ok(n) => {
                            eprintln!("madoguchi receive: SIGHUP: {n} in use");
                            say(&control.trust_lines());
                        }
                        Err(e) => eprintln!("madoguchi receive: SIGHUP: {e} (what was in use stays)"),
                    },
                    _ = reminder.tick() => say(&control.trust_warnings()),
                    _ = term.recv() => break,
                    _ = int.recv() => break,
                }
            }
            eprintln!("madoguchi receive: stopping: new connections refused, finishing requests in flight");
            control.shutdown();
        });
    });
}
