//! `madoguchi receive`: the reference receiver as a server operators can start from.

use madoguchi::backend::receiver::{self, Limits, ReceiverConfig, TlsConfig};
use openssl::pkey::PKey;
use openssl::x509::{X509Crl, X509};
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
    /// CRL (PEM or DER) of that CA.
    #[arg(long)]
    crl: Option<PathBuf>,
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
        let crl = match &args.crl {
            Some(p) => {
                let bytes = read(p)?;
                let crl = X509Crl::from_pem(&bytes)
                    .or_else(|_| X509Crl::from_der(&bytes))
                    .map_err(|e| format!("{}: {e}", p.display()))?;
                let signed = trust_ca
                    .iter()
                    .any(|ca| ca.public_key().ok().is_some_and(|k| crl.verify(&k).unwrap_or(false)));
                if !signed {
                    return Err(format!("{}: not signed by a trusted CA", p.display()));
                }
                Some(crl)
            }
            None => None,
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
                crl,
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
