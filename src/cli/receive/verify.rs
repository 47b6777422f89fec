//! What verifying a record needs, for the server and for `receive import` alike: the store,
//! the trusted CAs (signing and 利用者証明用), their CRLs and the seal keys — from the flags,
//! else the config's `[receiver]` section.

use madoguchi::backend::crl::CrlSource;
use madoguchi::backend::receiver::ReceiverConfig;
use madoguchi::backend::store::StoreLocation;
use openssl::pkey::{PKey, Private};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What verifying a record needs: the store, the trusted CAs, the CRLs and the seal keys.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Where received records are kept: a SQLite file, or a PostgreSQL URL
    /// (postgres://user@host:port/db; several receivers may share one database).
    /// Default: `database_url` of the `[receiver]` section of the --config file.
    #[arg(long, value_parser = store_location(), value_hint = clap::ValueHint::AnyPath)]
    db: Option<StoreLocation>,
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

/// `--db` as given: a SQLite file, or a PostgreSQL URL (`StoreLocation::parse`, the one place
/// a command line's text becomes a store location).
pub(super) fn store_location() -> impl clap::builder::TypedValueParser<Value = StoreLocation> {
    use clap::builder::TypedValueParser as _;
    clap::builder::OsStringValueParser::new().map(|text: std::ffi::OsString| StoreLocation::parse(text))
}

/// A database URL with a password in it is refused: on a command line every local user sees
/// it in `ps`, in a file it ends up in backups.
pub(super) fn db_without_password(db: &StoreLocation) -> Result<(), String> {
    if db.holds_password() {
        return Err("the database URL holds a password: put it in a pgpass file instead (PGPASSFILE, ~/.pgpass, or the systemd credential `pgpass`: docs/operations.md)".into());
    }
    Ok(())
}

fn read(p: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// The verifying half of a receiver's configuration: the flags, else the config's
/// `[receiver]` section.
pub(super) fn verify_config(v: &VerifyArgs, rc: &madoguchi::config::Receiver) -> Result<ReceiverConfig, String> {
    let db =
        v.db.clone()
            .or_else(|| rc.database_url.as_ref().map(StoreLocation::parse));
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
    let crl_source = crl_source(v, crl, &trust_ca, grace_hours)?;
    let seal_keys = seal_keys(&seal_key)?;
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

/// The signing CAs' CRLs, kept fresh (none with `--no-crl`).
fn crl_source(
    v: &VerifyArgs,
    crl: Vec<PathBuf>,
    trust_ca: &[openssl::x509::X509],
    grace_hours: u64,
) -> Result<Option<Arc<CrlSource>>, String> {
    if crl.is_empty() {
        return Ok(None);
    }
    let src = CrlSource::load(crl, trust_ca.to_vec(), Duration::from_secs(grace_hours * 3600))?;
    for f in src.skipped() {
        eprintln!(
            "madoguchi receive: {}: not read as a CRL (only *.crl, *.pem and *.der are)",
            f.display()
        );
    }
    if v.crl_watch > 0 {
        src.watch(Duration::from_secs(v.crl_watch));
    }
    Ok(Some(src))
}

/// The seal keys: each file, and each *.pem and *.key of a directory, in name order.
fn seal_keys(paths: &[PathBuf]) -> Result<Vec<PKey<Private>>, String> {
    let mut seal_keys = Vec::new();
    for p in paths {
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
    Ok(seal_keys)
}

/// The 利用者証明用 side: CAs, and their CRLs or an explicit `--no-auth-crl`.
type AuthTrust = (Vec<openssl::x509::X509>, Option<PathBuf>, Option<Arc<CrlSource>>);

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
        let src = CrlSource::load(crl, cas.clone(), Duration::from_secs(grace_hours * 3600))?;
        for f in src.skipped() {
            eprintln!(
                "madoguchi receive: {}: not read as an auth CRL (only *.crl, *.pem and *.der are)",
                f.display()
            );
        }
        if v.crl_watch > 0 {
            src.watch(Duration::from_secs(v.crl_watch));
        }
        Some(src)
    };
    Ok((cas, Some(file), src))
}
