//! `madoguchi receive`: the reference receiver as a server operators can start from.

use madoguchi::backend::receiver::{self, Limits, ReceiverConfig, TlsConfig};
use openssl::pkey::PKey;
use openssl::x509::X509;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReceiveArgs {
    #[command(subcommand)]
    cmd: Option<ReceiveCmd>,
    /// Address to listen on, e.g. 0.0.0.0:8443 or 127.0.0.1:8080.
    #[arg(long, required = true)]
    listen: Option<String>,
    /// Where received records are kept: a SQLite file, or a PostgreSQL URL
    /// (postgres://user@host:port/db; several receivers may share one database).
    #[arg(long, required = true)]
    db: Option<PathBuf>,
    /// PEM file with the CA certificate(s) signing certificates must chain to.
    #[arg(long, required = true)]
    trust_ca: Option<PathBuf>,
    /// CRLs (PEM or DER) of the trusted CAs: repeat it, or name a directory. Each is matched
    /// to its issuer and checked against the CA's signature; they are read again on SIGHUP and
    /// when a file changes. A CRL past its nextUpdate plus the grace answers 503 CRL_STALE.
    #[arg(long)]
    crl: Vec<PathBuf>,
    /// Hours a CRL stays usable past its nextUpdate.
    #[arg(long, default_value_t = 24)]
    crl_grace_hours: u64,
    /// Run without any CRL: accepted records then say `revocation: unchecked`.
    #[arg(long, conflicts_with = "crl")]
    no_crl: bool,
    /// Private key (PEM) to open sealed records; repeat it, or name a directory of PEM files,
    /// to hold the old and the new key while stations move to the new one (records name their
    /// key by `kid`).
    #[arg(long)]
    seal_key: Vec<PathBuf>,
    /// TLS certificate chain and key (PEM). Without them: plain HTTP (only sensible on loopback).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// CA for client certificates: stations must present one (mTLS); its CN must equal the
    /// record's station id.
    #[arg(long, requires = "tls_cert")]
    client_ca: Option<PathBuf>,
    /// Accept unsigned records (holders under 15), only from stations bound by their client
    /// certificate; recorded with that station.
    #[arg(long, requires = "client_ca")]
    allow_unsigned: bool,
    /// Connections served at once; more wait in the listen backlog until one closes.
    #[arg(long, default_value_t = 256, value_name = "N")]
    max_connections: usize,
    /// Seconds for a TLS handshake.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
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
}

#[derive(clap::Subcommand)]
pub enum ReceiveCmd {
    /// Received requests, oldest first: station, Idempotency-Key, time, status and result
    /// (no personal data).
    List {
        /// The receiver's database: a SQLite file or a postgres:// URL.
        #[arg(long)]
        db: PathBuf,
        /// `review`: only what was not accepted.
        #[arg(long, value_parser = ["all", "review"], default_value = "all")]
        status: String,
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
}

fn list(db: &PathBuf, review_only: bool, json: bool) -> u8 {
    if !madoguchi::backend::store::is_postgres(db) && !db.exists() {
        eprintln!("madoguchi receive list: {}: no such database", db.display());
        return 2;
    }
    match madoguchi::backend::store::with_store(db, move |s| s.list(review_only)) {
        Ok(rows) => {
            for r in rows {
                if json {
                    println!("{}", serde_json::to_string(&r).unwrap_or_default());
                } else {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        r.station_id,
                        r.idempotency_key,
                        madoguchi::time::rfc3339(r.received_ms),
                        r.status,
                        r.result
                    );
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

pub fn run(args: ReceiveArgs) -> u8 {
    if let Some(ReceiveCmd::List { db, status, json }) = &args.cmd {
        return list(db, status == "review", *json);
    }
    let (Some(listen), Some(db), Some(trust_ca_file)) = (&args.listen, &args.db, &args.trust_ca) else {
        eprintln!("madoguchi receive: --listen, --db and --trust-ca are required");
        return 2;
    };
    let setup = || -> Result<(ReceiverConfig, Option<TlsConfig>), String> {
        let trust_ca =
            X509::stack_from_pem(&read(trust_ca_file)?).map_err(|e| format!("{}: {e}", trust_ca_file.display()))?;
        if trust_ca.is_empty() {
            return Err(format!("{}: no certificate", trust_ca_file.display()));
        }
        if args.crl.is_empty() && !args.no_crl {
            return Err(
                "give --crl FILE|DIR (repeatable), or --no-crl to accept records without a revocation check".into(),
            );
        }
        let crl_source = if args.crl.is_empty() {
            None
        } else {
            let src = madoguchi::backend::crl::CrlSource::load(
                args.crl.clone(),
                trust_ca.clone(),
                std::time::Duration::from_secs(args.crl_grace_hours * 3600),
            )?;
            src.watch(std::time::Duration::from_secs(5));
            Some(src)
        };
        let mut seal_keys = Vec::new();
        for p in &args.seal_key {
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
        let tls = match (&args.tls_cert, &args.tls_key) {
            (Some(c), Some(k)) => Some(TlsConfig {
                cert: c.clone(),
                key: k.clone(),
                client_ca: args.client_ca.clone(),
            }),
            _ => None,
        };
        Ok((
            ReceiverConfig {
                db: db.clone(),
                trust_ca,
                crl: None,
                crl_source: crl_source.clone(),
                seal_keys,
                allow_unsigned: args.allow_unsigned,
                limits: Limits {
                    tls_handshake: secs(args.handshake_timeout),
                    headers: secs(args.header_timeout),
                    body: secs(args.body_timeout),
                    idle: secs(args.idle_timeout),
                    max_connections: args.max_connections.max(1),
                },
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
    let https = tls.is_some();
    // SIGHUP reads the CRLs again (a stale one replaced by a fresh download).
    if let Some(src) = cfg.crl_source.clone() {
        let _ = std::thread::Builder::new().name("sighup".into()).spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
                    return;
                };
                while hup.recv().await.is_some() {
                    match src.reload() {
                        Ok(n) => eprintln!("madoguchi receive: SIGHUP: {n} CRL(s) loaded"),
                        Err(e) => eprintln!("madoguchi receive: SIGHUP: {e} (the previous CRLs stay in use)"),
                    }
                }
            });
        });
    }
    match receiver::spawn(listen, cfg, tls) {
        Ok(h) => {
            eprintln!("madoguchi receive: listening on {}", h.url(https));
            h.wait();
            0
        }
        Err(e) => {
            eprintln!("madoguchi receive: {e}");
            1
        }
    }
}
