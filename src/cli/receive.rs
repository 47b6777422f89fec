//! `madoguchi receive`: the reference receiver as a server operators can start from, and its
//! operator commands: `receive list` (the review queue) and `receive import` (hand-carried
//! files from `outbox export`).

use madoguchi::backend::receiver::{self, Disposition, Limits, ReceiverConfig, TlsConfig};
use openssl::pkey::PKey;
use std::path::PathBuf;

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

/// What verifying a record needs: the store, the trusted CAs, the CRLs and the seal keys.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Where received records are kept: a SQLite file, or a PostgreSQL URL
    /// (postgres://user@host:port/db; several receivers may share one database).
    /// Default: `database_url` of the `[receiver]` section of the --config file.
    #[arg(long)]
    db: Option<PathBuf>,
    /// The CA certificate(s) signing certificates must chain to: a DER or PEM file (J-LIS
    /// publishes .cer in DER), a PEM bundle, or a directory of *.cer, *.crt, *.der, *.pem
    /// (every generation). Read again on SIGHUP (a CA added without a restart).
    #[arg(long)]
    trust_ca: Option<PathBuf>,
    /// CRLs (PEM or DER) of the trusted CAs: repeat it, or name a directory (its *.crl, *.pem
    /// and *.der files; hidden ones are not read). Each is matched
    /// to its issuer and checked against the CA's signature; they are read again on SIGHUP and
    /// when a file changes. A CRL past its nextUpdate plus the grace answers 503 CRL_STALE.
    #[arg(long)]
    crl: Vec<PathBuf>,
    /// Hours a CRL stays usable past its nextUpdate (default 24).
    #[arg(long)]
    crl_grace_hours: Option<u64>,
    /// Seconds between looks at the CRL files for a change (0: only on SIGHUP).
    #[arg(long, default_value_t = 5, value_name = "SECS")]
    crl_watch: u64,
    /// Run without any CRL: accepted records then say `revocation: unchecked`.
    #[arg(long, conflicts_with = "crl")]
    no_crl: bool,
    /// The 利用者証明用 CA certificate(s) the auth certificates of `card-authenticated` records
    /// (the 利用者証明 challenge) must chain to: a DER or PEM file, a bundle, or a directory
    /// (J-LIS authca01–03 share one DN: the issuer is chosen by signature). Read again on
    /// SIGHUP. Without it, such records are refused (UNSUPPORTED_CERTIFICATE).
    #[arg(long, value_name = "FILE|DIR")]
    auth_ca: Option<PathBuf>,
    /// CRLs (PEM or DER; repeatable, or a directory) of the 利用者証明用 CAs, read again on
    /// SIGHUP and when a file changes, like --crl.
    #[arg(long, requires = "auth_ca", value_name = "FILE|DIR")]
    auth_crl: Vec<PathBuf>,
    /// With --auth-ca, run without auth CRLs: accepted card-authenticated records then say
    /// `revocation: unchecked`.
    #[arg(long, conflicts_with = "auth_crl")]
    no_auth_crl: bool,
    /// Private key (PEM) to open sealed records; repeat it, or name a directory of PEM files,
    /// to hold the old and the new key while stations move to the new one (records name their
    /// key by `kid`).
    #[arg(long)]
    seal_key: Vec<PathBuf>,
}

#[derive(clap::Subcommand)]
pub enum ReceiveCmd {
    /// Received requests, oldest first: station, Idempotency-Key, time, assurance level
    /// proven, status, result and reason (no personal data unless --show-data on a terminal).
    List {
        /// The receiver's database: a SQLite file or a postgres:// URL (default: the
        /// config's `database_url`).
        #[arg(long)]
        db: Option<PathBuf>,
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
        /// Files written by `madoguchi outbox export`.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// A database URL with a password in it is refused: on a command line every local user sees
/// it in `ps`, in a file it ends up in backups.
fn db_without_password(db: &std::path::Path) -> Result<(), String> {
    if madoguchi::config::url_has_password(&db.to_string_lossy()) {
        return Err("the database URL holds a password: put it in a pgpass file instead (PGPASSFILE, ~/.pgpass, or the systemd credential `pgpass`: docs/operations.md)".into());
    }
    Ok(())
}

fn list(db: &std::path::Path, review_only: bool, json: bool, show_data: bool) -> u8 {
    use std::io::IsTerminal;
    if let Err(e) = db_without_password(db) {
        eprintln!("madoguchi receive list: {e}");
        return 2;
    }
    if show_data && !std::io::stdout().is_terminal() {
        eprintln!("madoguchi receive list: --show-data prints personal data only to a terminal");
        return 2;
    }
    // `with_store` never creates a SQLite file: a typo is said, not left behind as a database.
    if !madoguchi::backend::store::is_postgres(db) && !db.exists() {
        eprintln!("madoguchi receive list: {}: no such database", db.display());
        return 2;
    }
    let rows = madoguchi::backend::store::with_store(db, move |s| s.list(review_only));
    let data = if show_data {
        match madoguchi::backend::receiver::accepted_payloads(db) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("madoguchi receive list: {e}");
                return 1;
            }
        }
    } else {
        Vec::new()
    };
    match rows {
        Ok(rows) => {
            for r in rows {
                if json {
                    println!("{}", serde_json::to_string(&r).unwrap_or_default());
                    continue;
                }
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    madoguchi::text::escape_untrusted(&r.station_id),
                    madoguchi::text::escape_untrusted(&r.idempotency_key),
                    madoguchi::time::rfc3339(r.received_ms),
                    // The level proven, on accepted records ("-": refused, or answered before
                    // the levels).
                    madoguchi::text::escape_untrusted(r.assurance.as_deref().unwrap_or("-")),
                    r.status,
                    r.result,
                    madoguchi::text::escape_untrusted(r.reason.as_deref().unwrap_or("")),
                );
                let card = data
                    .iter()
                    .find(|p| {
                        p["enrollment_id"] == r.idempotency_key.as_str() && p["station_id"] == r.station_id.as_str()
                    })
                    .map(|p| &p["card"]);
                if let Some(card) = card {
                    for field in ["name", "former_name", "gender", "birth_date", "address"] {
                        if let Some(v) = card[field].as_str().filter(|v| !v.is_empty()) {
                            println!("\t{field}: {}", madoguchi::text::escape_untrusted(v));
                        }
                    }
                }
            }
            0
        }
        Err(e) => {
            eprintln!("madoguchi receive list: {e}");
            1
        }
    }
}

fn secs(s: u64) -> std::time::Duration {
    std::time::Duration::from_secs(s.max(1))
}

fn read(p: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// The verifying half of a receiver's configuration: the flags, else the config's
/// `[receiver]` section.
fn verify_config(v: &VerifyArgs, rc: &madoguchi::config::Receiver) -> Result<ReceiverConfig, String> {
    let db = v.db.clone().or_else(|| rc.database_url.as_ref().map(PathBuf::from));
    let trust_ca_file = v.trust_ca.clone().or_else(|| rc.trust_ca.clone());
    let (Some(db), Some(trust_ca_file)) = (db, trust_ca_file) else {
        return Err("--db and --trust-ca are required (or database_url and trust_ca in [receiver] of --config)".into());
    };
    db_without_password(&db)?;
    let trust_ca_file = &trust_ca_file;
    let crl = if v.crl.is_empty() {
        rc.crl.clone()
    } else {
        v.crl.clone()
    };
    let seal_key = if v.seal_key.is_empty() {
        rc.seal_key.clone()
    } else {
        v.seal_key.clone()
    };
    let no_crl = v.no_crl || rc.no_crl;
    let grace_hours = v.crl_grace_hours.or(rc.crl_grace_hours).unwrap_or(24);
    let trust_ca = madoguchi::backend::trust::load_certificates(trust_ca_file)?;
    if crl.is_empty() && !no_crl {
        return Err(
            "give --crl FILE|DIR (repeatable), or --no-crl to accept records without a revocation check".into(),
        );
    }
    if !crl.is_empty() && no_crl {
        return Err("--no-crl contradicts the CRLs given".into());
    }
    let (auth_ca, auth_ca_file, auth_crl_source) = auth_config(v, rc, grace_hours)?;
    let crl_source = if crl.is_empty() {
        None
    } else {
        let src = madoguchi::backend::crl::CrlSource::load(
            crl,
            trust_ca.clone(),
            std::time::Duration::from_secs(grace_hours * 3600),
        )?;
        for f in src.skipped() {
            eprintln!(
                "madoguchi receive: {}: not read as a CRL (only *.crl, *.pem and *.der are)",
                f.display()
            );
        }
        if v.crl_watch > 0 {
            src.watch(std::time::Duration::from_secs(v.crl_watch));
        }
        Some(src)
    };
    let mut seal_keys = Vec::new();
    for p in &seal_key {
        let files: Vec<PathBuf> = if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "pem" || x == "key"))
                .collect();
            v.sort();
            v
        } else {
            vec![p.clone()]
        };
        for f in files {
            let k = PKey::private_key_from_pem(&read(&f)?).map_err(|e| format!("{}: {e}", f.display()))?;
            let kid = madoguchi::backend::jwe::thumbprint(&k).map_err(|e| format!("{}: {e}", f.display()))?;
            eprintln!("madoguchi receive: seal key {} (kid {kid})", f.display());
            seal_keys.push(k);
        }
    }
    Ok(ReceiverConfig {
        db,
        trust_ca,
        trust_ca_file: Some(trust_ca_file.clone()),
        crl_source,
        seal_keys,
        auth_ca,
        auth_ca_file,
        auth_crl_source,
        ..Default::default()
    })
}

/// The 利用者証明用 side: CAs, and their CRLs or an explicit `--no-auth-crl`.
type AuthTrust = (
    Vec<openssl::x509::X509>,
    Option<PathBuf>,
    Option<std::sync::Arc<madoguchi::backend::crl::CrlSource>>,
);

fn auth_config(v: &VerifyArgs, rc: &madoguchi::config::Receiver, grace_hours: u64) -> Result<AuthTrust, String> {
    let file = v.auth_ca.clone().or_else(|| rc.auth_ca.clone());
    let crl = if v.auth_crl.is_empty() {
        rc.auth_crl.clone()
    } else {
        v.auth_crl.clone()
    };
    let no_crl = v.no_auth_crl || rc.no_auth_crl;
    let Some(file) = file else {
        if !crl.is_empty() || no_crl {
            return Err("auth_crl and no_auth_crl go with auth_ca (the 利用者証明用 CA certificates)".into());
        }
        eprintln!(
            "madoguchi receive: no --auth-ca: card-authenticated records (利用者証明, holders under 15) are refused (UNSUPPORTED_CERTIFICATE)"
        );
        return Ok((Vec::new(), None, None));
    };
    let cas = madoguchi::backend::trust::load_certificates(&file)?;
    if crl.is_empty() && !no_crl {
        return Err(
            "give --auth-crl FILE|DIR (repeatable), or --no-auth-crl to accept card-authenticated records without a revocation check".into(),
        );
    }
    if !crl.is_empty() && no_crl {
        return Err("--no-auth-crl contradicts the auth CRLs given".into());
    }
    let src = if crl.is_empty() {
        None
    } else {
        let src = madoguchi::backend::crl::CrlSource::load(
            crl,
            cas.clone(),
            std::time::Duration::from_secs(grace_hours * 3600),
        )?;
        for f in src.skipped() {
            eprintln!(
                "madoguchi receive: {}: not read as an auth CRL (only *.crl, *.pem and *.der are)",
                f.display()
            );
        }
        if v.crl_watch > 0 {
            src.watch(std::time::Duration::from_secs(v.crl_watch));
        }
        Some(src)
    };
    Ok((cas, Some(file), src))
}

pub fn run(args: ReceiveArgs, config: Option<&std::path::Path>) -> u8 {
    let rc = match madoguchi::config::Config::load(config) {
        Ok(c) => c.receiver,
        Err(e) => {
            eprintln!("madoguchi: {e}");
            return 2;
        }
    };
    match &args.cmd {
        Some(ReceiveCmd::List {
            db,
            status,
            json,
            show_data,
        }) => {
            let Some(db) = db.clone().or_else(|| rc.database_url.as_ref().map(PathBuf::from)) else {
                eprintln!("madoguchi receive list: --db is required (or database_url in [receiver] of --config)");
                return 2;
            };
            return list(&db, status == "review", *json, *show_data);
        }
        Some(ReceiveCmd::Import { verify, files }) => return import(verify, &rc, files),
        None => {}
    }
    let Some(listen) = args.listen.as_ref().or(rc.listen.as_ref()) else {
        eprintln!("madoguchi receive: --listen, --db and --trust-ca are required (or listen, database_url and trust_ca in [receiver] of --config)");
        return 2;
    };
    let setup = || -> Result<(ReceiverConfig, Option<TlsConfig>), String> {
        let cfg = verify_config(&args.verify, &rc)?;
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
            }),
            (None, None) if client_ca.is_none() => None,
            _ => return Err("tls_cert and tls_key go together, and client_ca needs them".into()),
        };
        if allow_unsigned && tls.as_ref().is_none_or(|t| t.client_ca.is_none()) {
            return Err(
                "allow_unauthenticated needs client_ca (records that prove no card only from bound stations)".into(),
            );
        }
        let (max_connections, chosen) = madoguchi::backend::admission::fit_connections(args.max_connections);
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
    };
    let (cfg, tls) = match setup() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("madoguchi receive: {e}");
            return 2;
        }
    };
    say_trust("trusts (signing CA)", &cfg.trust_ca);
    say_trust("trusts (利用者証明用 CA)", &cfg.auth_ca);
    if let Some(ca) = tls.as_ref().and_then(|t| t.client_ca.as_ref()) {
        match madoguchi::backend::trust::load_certificates(ca) {
            Ok(v) => say_trust("trusts (station CA, mTLS)", &v),
            Err(e) => {
                eprintln!("madoguchi receive: {e}");
                return 2;
            }
        }
    }
    let https = tls.is_some();
    match receiver::spawn(listen, cfg, tls) {
        Ok(h) => {
            eprintln!("madoguchi receive: listening on {}", h.url(https));
            if let Some(ops) = args.ops_listen.as_ref().or(rc.ops_listen.as_ref()) {
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
                        eprintln!("madoguchi receive: --ops-listen {e}");
                        h.control().shutdown();
                        h.wait();
                        return 1;
                    }
                }
            }
            signals(h.control());
            h.wait();
            eprintln!("madoguchi receive: stopped");
            0
        }
        Err(e) => {
            eprintln!("madoguchi receive: {e}");
            1
        }
    }
}

/// Says what the receiver trusts, for an operator to check each fingerprint against a copy
/// from a trusted source (J-LIS's site, or the operator's own CA), and warns about anchors
/// that have expired or end within 90 days.
fn say_trust(what: &str, anchors: &[openssl::x509::X509]) {
    for a in anchors.iter().map(|x| madoguchi::backend::trust::Anchor::of(x)) {
        eprintln!("madoguchi receive: {what}: {}", a.describe());
        if let Some(w) = a.warning() {
            eprintln!("madoguchi receive: warning: {w}");
        }
    }
}

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
            loop {
                tokio::select! {
                    _ = hup.recv() => match control.reload() {
                        Ok(n) => eprintln!("madoguchi receive: SIGHUP: {n} in use"),
                        Err(e) => eprintln!("madoguchi receive: SIGHUP: {e} (what was in use stays)"),
                    },
                    _ = term.recv() => break,
                    _ = int.recv() => break,
                }
            }
            eprintln!("madoguchi receive: stopping: new connections refused, finishing requests in flight");
            control.shutdown();
        });
    });
}

/// `receive import FILE…`: every file is read twice, line by line in bounded memory (a line
/// past `carry::LINE_LIMIT` is skipped unread, a record past the HTTP body limit refused):
/// first to count the records and to stop on a file that can't be read before anything is
/// stored, then to submit each record as it is read. Only regular files are read.
fn import(verify: &VerifyArgs, rc: &madoguchi::config::Receiver, files: &[PathBuf]) -> u8 {
    use madoguchi::backend::carry::{self, Line, Lines};
    let esc = madoguchi::text::escape_untrusted;
    let cfg = match verify_config(verify, rc) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("madoguchi receive import: {e}");
            return 2;
        }
    };
    let lines = |f: &PathBuf| -> Result<Lines<std::io::BufReader<std::fs::File>>, String> {
        let file = carry::open_regular(f).map_err(|e| format!("{}: {e}", esc(&f.display().to_string())))?;
        Ok(Lines::new(std::io::BufReader::new(file), carry::LINE_LIMIT))
    };
    let mut total = 0;
    for f in files {
        let counted = lines(f).and_then(|mut it| {
            it.try_fold(0usize, |n, l| match l {
                Ok((_, Line::Text(t))) if t.trim().is_empty() => Ok(n),
                Ok(_) => Ok(n + 1),
                Err(e) => Err(format!("{}: {e}", esc(&f.display().to_string()))),
            })
        });
        match counted {
            Ok(n) => total += n,
            Err(e) => {
                eprintln!("madoguchi receive import: {e}");
                return 1;
            }
        }
    }
    let local = match receiver::Local::open(cfg) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("madoguchi receive import: {e}");
            return 1;
        }
    };
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return 1;
    };
    #[derive(Default)]
    struct Counts {
        records: u32,
        accepted: u32,
        duplicate: u32,
        review: u32,
        refused: u32,
        retry: u32,
    }
    impl Counts {
        fn line(&self) -> String {
            format!(
                "accepted {}  duplicate {}  review {}  refused {}  retry later {}",
                self.accepted, self.duplicate, self.review, self.refused, self.retry
            )
        }
    }
    let mut n = Counts::default();
    let mut progress = super::progress::Progress::new(total);
    for f in files {
        let name = esc(&f.display().to_string()).into_owned();
        let it = match lines(f) {
            Ok(it) => it,
            Err(e) => {
                eprintln!("madoguchi receive import: {e}");
                return 1;
            }
        };
        for l in it {
            let (number, line) = match l {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("madoguchi receive import: {name}: {e}");
                    return 1;
                }
            };
            let parsed = match line {
                Line::Text(t) => carry::parse(number, &t).map_err(|e| e.to_string()),
                Line::TooLong => Err(format!(
                    "line {number}: longer than {} bytes (the request body limit is {})",
                    carry::LINE_LIMIT,
                    receiver::BODY_LIMIT
                )),
                Line::NotUtf8 => Err(madoguchi::backend::carry::CarryError::Malformed(number).to_string()),
            };
            let (id, body) = match parsed {
                Ok(None) => continue,
                Ok(Some((c, body))) if body.len() <= receiver::BODY_LIMIT => (c.enrollment_id, body),
                Ok(Some(_)) => {
                    n.records += 1;
                    n.refused += 1;
                    progress.note(&format!(
                        "refused\t{name}: line {number}: record larger than {} bytes (the request body limit)",
                        receiver::BODY_LIMIT
                    ));
                    continue;
                }
                // Not a record (counted as refused, not among the records imported).
                Err(e) => {
                    n.refused += 1;
                    progress.note(&format!("refused\t{name}: {}", esc(&e)));
                    continue;
                }
            };
            n.records += 1;
            let r = rt.block_on(local.submit(&id, &body));
            let (word, counter) = match (r.disposition, r.status) {
                (Disposition::Stored, 200) => ("accepted", &mut n.accepted),
                (Disposition::Replayed, 200) => ("duplicate", &mut n.duplicate),
                (Disposition::Stored | Disposition::Replayed | Disposition::Conflict, _) => ("review", &mut n.review),
                (Disposition::NotStored, 503) => ("retry-later", &mut n.retry),
                (Disposition::NotStored, _) => ("refused", &mut n.refused),
            };
            *counter += 1;
            let reason = match &r.detail {
                Some(d) => format!("{} ({d})", r.result),
                None => r.result.clone(),
            };
            if !matches!(word, "accepted" | "duplicate") {
                progress.note(&format!("{word}\t{}\t{}", esc(&id), esc(&reason)));
            }
            progress.step(&id, &format!("{word} {reason}"), &n.line());
        }
    }
    progress.done();
    println!(
        "imported {} record(s): accepted {}, duplicate {}, review {}, refused {}, retry later {}",
        n.records, n.accepted, n.duplicate, n.review, n.refused, n.retry
    );
    if n.review + n.refused + n.retry > 0 {
        3
    } else {
        0
    }
}
