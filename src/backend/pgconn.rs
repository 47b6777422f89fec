//! How the receiver reaches PostgreSQL, decided once from its `postgres://` URL before any
//! connection:
//! - never a password in the URL (`ps` shows command lines to every user, config files end up
//!   in backups), however it is spelled: the parsed configuration is checked, not the text;
//! - the password from a pgpass file in libpq's format: `PGPASSFILE`, else the systemd
//!   credential `pgpass` (`$CREDENTIALS_DIRECTORY/pgpass`, for the packaged unit, whose
//!   dynamic user has no home), else `~/.pgpass`;
//! - TLS by `sslmode`: `require` by default, `verify-ca` and `verify-full` as libpq names them,
//!   `disable` only when asked for (and then said once on stderr). Nothing falls back to
//!   cleartext on its own: `prefer` and `allow` are refused.
//!
//! docs/backend-api.md ("Storage") and docs/operations.md ("PostgreSQL") say this to operators.

use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// TLS to the database, as the URL's `sslmode` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// Cleartext: only when the URL says so.
    Disable,
    /// TLS, the server's certificate verified against the CA and its name against the host
    /// (stricter than libpq's `require`, which verifies nothing).
    Require,
    /// TLS, the certificate verified against the CA, the name not.
    VerifyCa,
    /// TLS, certificate and name verified (the same checks as `require`).
    VerifyFull,
}

/// What connecting needs: tokio-postgres's configuration (with the pgpass password, if one
/// matched) and the TLS connector for the chosen mode.
pub struct PgSettings {
    pub config: tokio_postgres::Config,
    pub tls: postgres_openssl::MakeTlsConnector,
    pub ssl_mode: SslMode,
    /// Where a password was looked for: said when the server asks for one and none matched.
    pub password_from: String,
}

/// The URL split into tokio-postgres's part and the parameters handled here (`sslmode`,
/// `sslrootcert`: tokio-postgres knows neither `verify-full` nor a CA file).
struct Parsed {
    config: tokio_postgres::Config,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    /// A `password` parameter or `user:password@` seen while splitting (also when
    /// tokio-postgres cannot parse the rest).
    password_seen: bool,
}

const REFUSED: &str = "the database URL holds a password: put it in a pgpass file instead \
     (PGPASSFILE, ~/.pgpass, or the systemd credential `pgpass`; see docs/operations.md)";

/// Whether `url` carries a password in any spelling tokio-postgres would accept (`user:pw@`,
/// `?password=`, `?pass%77ord=`).
pub fn holds_password(url: &str) -> bool {
    match parse(url) {
        Ok(p) => p.password_seen || p.config.get_password().is_some(),
        Err(e) => e == REFUSED,
    }
}

/// Everything needed to connect to `url`. `ca`, when given, is the only CA trusted for the
/// server (tests); else the URL's `sslrootcert`, else `PGSSLROOTCERT`, else the system's.
pub fn settings(url: &str, ca: Option<&Path>) -> Result<PgSettings, String> {
    let Parsed {
        mut config,
        sslmode,
        sslrootcert,
        password_seen,
    } = parse(url)?;
    if password_seen || config.get_password().is_some() {
        return Err(REFUSED.into());
    }
    let ssl_mode = ssl_mode(sslmode.as_deref(), &config)?;
    config.ssl_mode(match ssl_mode {
        SslMode::Disable => tokio_postgres::config::SslMode::Disable,
        _ => tokio_postgres::config::SslMode::Require,
    });
    if ssl_mode == SslMode::Disable && tcp_hosts(&config).next().is_some() {
        warn_cleartext_once(&config);
    }
    let ca: Option<PathBuf> = match (ca, sslrootcert.as_deref()) {
        (Some(ca), _) => Some(ca.to_path_buf()),
        // PostgreSQL 16's name for the system's CA store.
        (None, Some("system")) => None,
        (None, Some(file)) => Some(PathBuf::from(file)),
        (None, None) => std::env::var_os("PGSSLROOTCERT")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
    };
    let tls = tls_connector(ssl_mode, ca.as_deref())?;
    // Name the user as tokio-postgres would default it, so that the pgpass entry looked up
    // is the one for the user that connects.
    if config.get_user().is_none() {
        if let Some(me) = os_user() {
            config.user(me);
        }
    }
    let file = pgpass_file();
    let password_from = match &file {
        Some(f) => f.path.display().to_string(),
        None => "no pgpass file: PGPASSFILE, CREDENTIALS_DIRECTORY and HOME unset".into(),
    };
    if let Some(f) = file {
        if let Some(pw) = f.password_for(&config)? {
            // tokio-postgres keeps its own copy for reconnecting; ours dies here.
            config.password(pw.as_bytes());
        }
    }
    Ok(PgSettings {
        config,
        tls,
        ssl_mode,
        password_from,
    })
}

/// A connection error made plain: "password missing" says where a password was looked for.
pub fn explain(error: String, looked_in: &str) -> String {
    if error.contains("password missing") {
        format!("{error}: the server asks for a password and no pgpass entry matched (looked in {looked_in})")
    } else {
        error
    }
}

fn percent_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, ..) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "database URL: a parameter is not UTF-8".to_string())
}

fn parse(url: &str) -> Result<Parsed, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    // `scheme://user:password@host…`: a colon in the user part.
    let authority = base
        .split_once("://")
        .map_or("", |(_, r)| r)
        .split('/')
        .next()
        .unwrap_or("");
    let mut password_seen = authority.rsplit_once('@').is_some_and(|(u, _)| u.contains(':'));
    let (mut sslmode, mut sslrootcert) = (None, None);
    let mut kept = Vec::new();
    for param in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = param.split_once('=').unwrap_or((param, ""));
        match percent_decode(k)?.as_str() {
            "sslmode" => sslmode = Some(percent_decode(v)?),
            "sslrootcert" => sslrootcert = Some(percent_decode(v)?),
            key => {
                password_seen |= key == "password";
                kept.push(param);
            }
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    // tokio-postgres's messages name the option, never its value.
    let config = rest.parse().map_err(|e| {
        if password_seen {
            REFUSED.to_string()
        } else {
            format!("database URL: {e}")
        }
    })?;
    Ok(Parsed {
        config,
        sslmode,
        sslrootcert,
        password_seen,
    })
}

fn tcp_hosts(config: &tokio_postgres::Config) -> impl Iterator<Item = &str> {
    config.get_hosts().iter().filter_map(|h| match h {
        tokio_postgres::config::Host::Tcp(h) => Some(h.as_str()),
        #[cfg(unix)]
        tokio_postgres::config::Host::Unix(_) => None,
    })
}

/// The URL's `sslmode`, `require` without one. Unix sockets carry no TLS (as with libpq):
/// a URL with only socket hosts connects without.
fn ssl_mode(given: Option<&str>, config: &tokio_postgres::Config) -> Result<SslMode, String> {
    let mode = match given {
        None | Some("require") => SslMode::Require,
        Some("verify-full") => SslMode::VerifyFull,
        Some("verify-ca") => SslMode::VerifyCa,
        Some("disable") => SslMode::Disable,
        Some(m @ ("prefer" | "allow")) => {
            return Err(format!(
                "database URL: sslmode={m} falls back to cleartext when TLS is refused, which an attacker \
                 on the network can force: use require (the default), verify-full, or disable"
            ))
        }
        Some(_) => {
            return Err("database URL: sslmode must be require, verify-full, verify-ca or disable".into());
        }
    };
    if !config.get_hosts().is_empty() && tcp_hosts(config).next().is_none() {
        return Ok(SslMode::Disable);
    }
    Ok(mode)
}

/// Said once per process (the pool connects many times), on stderr (the journal under
/// systemd) and in the log.
fn warn_cleartext_once(config: &tokio_postgres::Config) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    let hosts = tcp_hosts(config).collect::<Vec<_>>().join(",");
    ONCE.call_once(|| {
        eprintln!(
            "madoguchi: warning: sslmode=disable: the connection to PostgreSQL ({hosts}) is not encrypted; \
             its password exchange and the records cross the network in clear"
        );
        tracing::warn!(hosts = %hosts, "PostgreSQL connection without TLS (sslmode=disable)");
    });
}

fn tls_connector(mode: SslMode, ca: Option<&Path>) -> Result<postgres_openssl::MakeTlsConnector, String> {
    let mut connector =
        openssl::ssl::SslConnector::builder(openssl::ssl::SslMethod::tls()).map_err(|e| e.to_string())?;
    if let Some(ca) = ca {
        let mut store = openssl::x509::store::X509StoreBuilder::new().map_err(|e| e.to_string())?;
        let pem = std::fs::read(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
        for cert in openssl::x509::X509::stack_from_pem(&pem).map_err(|e| format!("{}: {e}", ca.display()))? {
            store.add_cert(cert).map_err(|e| e.to_string())?;
        }
        connector
            .set_verify_cert_store(store.build())
            .map_err(|e| e.to_string())?;
    }
    let mut tls = postgres_openssl::MakeTlsConnector::new(connector.build());
    if mode == SslMode::VerifyCa {
        tls.set_callback(|c, _| {
            c.set_verify_hostname(false);
            Ok(())
        });
    }
    Ok(tls)
}

/// The name of the user this process runs as (tokio-postgres's default user).
fn os_user() -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: buf outlives the call and the read of pw_name below; getpwuid_r writes only
    // into pw and buf.
    let rc = unsafe { libc::getpwuid_r(libc::geteuid(), &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut found) };
    if rc != 0 || found.is_null() {
        return None;
    }
    let name = unsafe { std::ffi::CStr::from_ptr(pw.pw_name) };
    name.to_str().ok().map(str::to_string)
}

/// Where a pgpass file was found, and whether the 0600 rule applies to it.
struct PgpassFile {
    path: PathBuf,
    /// `PGPASSFILE` or the credential: named on purpose, so missing is an error.
    named: bool,
    /// systemd's credential directory is the service's alone, whatever the file's mode bits
    /// show (on a tmpfs they carry an ACL for the dynamic user).
    credential: bool,
}

fn pgpass_file() -> Option<PgpassFile> {
    let set = |v: Option<std::ffi::OsString>| v.filter(|v| !v.is_empty());
    if let Some(p) = set(std::env::var_os("PGPASSFILE")) {
        return Some(PgpassFile {
            path: p.into(),
            named: true,
            credential: false,
        });
    }
    if let Some(dir) = set(std::env::var_os("CREDENTIALS_DIRECTORY")) {
        let path = PathBuf::from(dir).join("pgpass");
        if path.exists() {
            return Some(PgpassFile {
                path,
                named: true,
                credential: true,
            });
        }
    }
    set(std::env::var_os("HOME")).map(|h| PgpassFile {
        path: PathBuf::from(h).join(".pgpass"),
        named: false,
        credential: false,
    })
}

impl PgpassFile {
    /// The password of the first entry matching `config`'s hosts (in order), port, database
    /// and user; libpq's format: `host:port:database:user:password`, `*` for any, `\:` and
    /// `\\` inside a field, `#` comment lines.
    fn password_for(&self, config: &tokio_postgres::Config) -> Result<Option<Zeroizing<String>>, String> {
        let path = &self.path;
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !self.named => return Ok(None),
            Err(e) => return Err(format!("pgpass file {}: {e}", path.display())),
        };
        if !meta.is_file() {
            return Err(format!("pgpass file {}: not a plain file", path.display()));
        }
        use std::os::unix::fs::PermissionsExt;
        if !self.credential && meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "pgpass file {} has group or world access: permissions should be u=rw (0600) or less",
                path.display()
            ));
        }
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| format!("pgpass file {}: {e}", path.display()))?);
        let user = config.get_user().unwrap_or_default();
        let db = config.get_dbname().unwrap_or(user);
        let ports = config.get_ports();
        let hosts: Vec<String> = if config.get_hosts().is_empty() {
            vec!["localhost".into()]
        } else {
            config.get_hosts().iter().map(pgpass_host).collect()
        };
        for (i, host) in hosts.iter().enumerate() {
            // One port for all hosts, one per host, or the default.
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432).to_string();
            for line in text.lines() {
                let line = line.strip_suffix('\r').unwrap_or(line);
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let rest = Some(line)
                    .and_then(|l| field(l, host))
                    .and_then(|l| field(l, &port))
                    .and_then(|l| field(l, db))
                    .and_then(|l| field(l, user));
                if let Some(rest) = rest {
                    return Ok(Some(unescape_password(rest)));
                }
            }
        }
        Ok(None)
    }
}

/// How pgpass names a host: its name, a socket directory as itself, or `localhost` for the
/// default socket directory (as libpq).
fn pgpass_host(h: &tokio_postgres::config::Host) -> String {
    match h {
        tokio_postgres::config::Host::Tcp(h) => h.clone(),
        #[cfg(unix)]
        tokio_postgres::config::Host::Unix(p)
            if p == Path::new("/var/run/postgresql") || p == Path::new("/run/postgresql") =>
        {
            "localhost".into()
        }
        #[cfg(unix)]
        tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
    }
}

/// The rest of `line` after its first field when that field is `*` or equals `want`.
fn field<'a>(line: &'a str, want: &str) -> Option<&'a str> {
    if let Some(rest) = line.strip_prefix("*:") {
        return Some(rest);
    }
    let mut want = want.chars();
    let mut it = line.char_indices();
    while let Some((i, c)) = it.next() {
        let c = match c {
            '\\' => it.next()?.1,
            ':' => return want.next().is_none().then(|| &line[i + 1..]),
            c => c,
        };
        if want.next() != Some(c) {
            return None;
        }
    }
    None
}

/// The password field: up to an unescaped `:` or the end, `\x` read as `x`.
fn unescape_password(rest: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(rest.len()));
    let mut it = rest.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some(e) => out.push(e),
                None => out.push('\\'),
            },
            ':' => break,
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_found_however_the_url_spells_it() {
        for url in [
            "postgres://rx:hunter2@db/records",
            "postgres://rx:@db/records",
            "postgres://rx@db/records?password=hunter2",
            "postgres://rx@db/records?pass%77ord=hunter2",
            "postgres://rx@db/records?sslmode=require&%70assword=hunter2",
            // Unparsable for tokio-postgres, still refused as a password.
            "postgres://rx@db/records?password=hunter2&nonsense=1",
        ] {
            assert!(holds_password(url), "{url}");
            let e = settings(url, None).err().unwrap_or_default();
            assert!(e.contains("pgpass") && !e.contains("hunter2"), "{url}: {e}");
        }
        for url in [
            "postgres://rx@db/records",
            "postgres://rx@db:5432/records?sslmode=verify-full&sslrootcert=/etc/ca.pem",
            "postgres://db/records?application_name=password",
        ] {
            assert!(!holds_password(url), "{url}");
        }
    }

    #[test]
    fn sslmode_is_require_unless_said_otherwise_and_never_prefer() {
        let mode = |url: &str| settings(url, None).map(|s| s.ssl_mode);
        assert_eq!(mode("postgres://rx@db/records"), Ok(SslMode::Require));
        assert_eq!(
            mode("postgres://rx@db/records?sslmode=verify-full"),
            Ok(SslMode::VerifyFull)
        );
        assert_eq!(
            mode("postgres://rx@db/records?ssl%6dode=verify-ca"),
            Ok(SslMode::VerifyCa)
        );
        assert_eq!(mode("postgres://rx@db/records?sslmode=disable"), Ok(SslMode::Disable));
        // A socket directory: no TLS, as libpq.
        assert_eq!(mode("postgres://rx@%2Frun%2Fpostgresql/records"), Ok(SslMode::Disable));
        for m in ["prefer", "allow", "bogus"] {
            let e = mode(&format!("postgres://rx@db/records?sslmode={m}")).unwrap_err();
            assert!(e.contains("sslmode"), "{m}: {e}");
        }
    }

    #[test]
    fn pgpass_fields_match_as_libpq_reads_them() {
        assert_eq!(field("db:5432:x:y:pw", "db"), Some("5432:x:y:pw"));
        assert_eq!(field("*:5432", "anything"), Some("5432"));
        assert_eq!(field("d\\:b:rest", "d:b"), Some("rest"));
        assert_eq!(field("dbx:rest", "db"), None);
        assert_eq!(field("db:rest", "dbx"), None);
        // `*` is a wildcard only as the whole field.
        assert_eq!(field("*b:rest", "db"), None);
        assert_eq!(unescape_password("p\\:w\\\\d").as_str(), "p:w\\d");
        assert_eq!(unescape_password("pw:trailing").as_str(), "pw");
    }
}
