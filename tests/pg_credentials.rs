//! PostgreSQL credentials and TLS, against real servers with a SCRAM user and a password:
//! the password comes from a pgpass file (`PGPASSFILE`, `~/.pgpass`, or the systemd credential
//! the packaged unit loads), never from the URL however spelled; TLS is `require` by default,
//! `verify-full` checks the CA file and the name, `disable` is said once on stderr.
//! docs/operations.md ("PostgreSQL") and docs/backend-api.md ("Storage") describe the same.

mod support;

use pg::PgCluster;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::pg;
use support::tmp;
use support::BIN;

/// The SCRAM user's password: a colon and a backslash, escaped in pgpass files.
const PASSWORD: &str = r"s3cret:pw\x";
const PGPASS_PASSWORD: &str = r"s3cret\:pw\\x";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate it signed for `localhost` only (not 127.0.0.1), made with
/// the openssl tool as an operator would: (ca.pem, server.crt, server.key) in `dir`.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=test-pg-ca",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "server.crt",
        ],
    );
    (dir.join("ca.pem"), dir.join("server.crt"), dir.join("server.key"))
}

/// A cluster of the test's own with TLS on, where `rx` logs in with SCRAM and its password
/// over TLS only, and owns the database `madoguchi`.
struct Scram {
    pg: PgCluster,
    dir: PathBuf,
    ca: PathBuf,
}

impl Scram {
    fn start(name: &str) -> Option<Scram> {
        let dir = tmp(name);
        let (ca, cert, key) = certificates(&dir.join("tls"));
        let pg = match PgCluster::start_with(name, Some((&cert, &key))) {
            Ok(c) => c,
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("PostgreSQL with TLS did not start: {e}")
            }
            Err(e) => {
                eprintln!("SKIPPED: {name}: {e}");
                return None;
            }
        };
        pg.set_hba(
            "local all all trust\n\
             host all postgres 127.0.0.1/32 trust\n\
             hostssl all rx 127.0.0.1/32 scram-sha-256\n",
        )
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let url = format!("postgres://postgres@127.0.0.1:{}/madoguchi", pg.port);
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(conn);
            client
                .batch_execute(&format!(
                    "SET password_encryption = 'scram-sha-256';
                     CREATE ROLE rx LOGIN PASSWORD '{PASSWORD}';
                     ALTER DATABASE madoguchi OWNER TO rx;"
                ))
                .await
                .unwrap();
            let scram: bool = client
                .query_one(
                    "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'rx'",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            assert!(scram, "rx has a SCRAM verifier");
        });
        Some(Scram { pg, dir, ca })
    }

    /// A pgpass file at `path` with `mode`: an entry for another port first, then rx's.
    fn pgpass(&self, path: &Path, mode: u32) {
        let text = format!(
            "# madoguchi test\n\
             localhost:1:madoguchi:rx:wrong\n\
             localhost:{port}:madoguchi:rx:{PGPASS_PASSWORD}\n\
             127.0.0.1:{port}:*:rx:{PGPASS_PASSWORD}\n",
            port = self.pg.port
        );
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn url(&self, host: &str, params: &str) -> String {
        format!("postgres://rx@{host}:{}/madoguchi?{params}", self.pg.port)
    }
}

impl Drop for Scram {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `madoguchi receive list --db URL` with only the given environment for PostgreSQL (HOME an
/// empty directory unless given): (exit code, stdout + stderr).
fn list(db: &str, env: &[(&str, &Path)]) -> (i32, String) {
    let home = std::env::temp_dir().join(format!("madoguchi-pgcred-emptyhome-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut c = Command::new(BIN);
    c.args(["receive", "list", "--db", db])
        .env_remove("PGPASSFILE")
        .env_remove("PGSSLROOTCERT")
        .env_remove("CREDENTIALS_DIRECTORY")
        .env("HOME", &home);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_pgpass_file_gives_a_scram_user_its_password() {
    let Some(s) = Scram::start("pgpass") else {
        return;
    };
    let db = s.url("localhost", &format!("sslrootcert={}", s.ca.display()));
    // Without any pgpass file the server's question is answered plainly.
    let (code, out) = list(&db, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("password") && out.contains("pgpass"), "{out}");
    // PGPASSFILE.
    let file = s.dir.join("pgpass");
    s.pgpass(&file, 0o600);
    let (code, out) = list(&db, &[("PGPASSFILE", &file)]);
    assert_eq!(code, 0, "{out}");
    // ~/.pgpass, and the entry for 127.0.0.1 (database `*`).
    let home = s.dir.join("home");
    s.pgpass(&home.join(".pgpass"), 0o600);
    let db = s.url(
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={}", s.ca.display()),
    );
    let (code, out) = list(&db, &[("HOME", &home)]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("s3cret"), "{out}");
}

/// libpq's rule: a password file others may read is not used (here: refused, saying why).
#[test]
fn a_pgpass_file_others_may_read_is_refused() {
    let Some(s) = Scram::start("pgpassmode") else {
        return;
    };
    let db = s.url("localhost", &format!("sslrootcert={}", s.ca.display()));
    let file = s.dir.join("pgpass");
    for mode in [0o640, 0o604] {
        s.pgpass(&file, mode);
        let (code, out) = list(&db, &[("PGPASSFILE", &file)]);
        assert_ne!(code, 0, "{mode:o}: {out}");
        assert!(out.contains("0600"), "{mode:o}: {out}");
    }
}

/// The packaged unit (DynamicUser, ProtectHome: no usable home) gets the file as the systemd
/// credential `pgpass` (`LoadCredential=pgpass:/etc/madoguchi-receiver/pgpass`), which systemd
/// hands over in `$CREDENTIALS_DIRECTORY`.
#[test]
fn the_systemd_credential_pgpass_serves_a_service_without_a_home() {
    let Some(s) = Scram::start("credential") else {
        return;
    };
    let creds = s.dir.join("credentials");
    s.pgpass(&creds.join("pgpass"), 0o400);
    let nowhere = s.dir.join("no-such-home");
    let db = s.url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", s.ca.display()),
    );
    let (code, out) = list(&db, &[("CREDENTIALS_DIRECTORY", &creds), ("HOME", &nowhere)]);
    assert_eq!(code, 0, "{out}");
    // The receiver itself: it connects (migrations) before it listens.
    let tls = madoguchi::backend::receiver::LoopbackTls::create(&s.dir.join("rx"), "station").unwrap();
    let mut rx = Command::new(BIN)
        .args(["receive", "--listen", "127.0.0.1:0", "--no-crl", "--db", &db])
        .arg("--trust-ca")
        .arg(&tls.ca)
        .env_remove("PGPASSFILE")
        .env_remove("PGSSLROOTCERT")
        .env("CREDENTIALS_DIRECTORY", &creds)
        .env("HOME", &nowhere)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(rx.stderr.take().unwrap());
    let mut line = String::new();
    let mut seen = Vec::new();
    while std::io::BufRead::read_line(&mut err, &mut line).unwrap_or(0) > 0 {
        seen.push(line.clone());
        if line.contains("listening on") {
            break;
        }
        line.clear();
    }
    let _ = rx.kill();
    let _ = rx.wait();
    assert!(seen.iter().any(|l| l.contains("listening on")), "{seen:?}");
    // A credential directory without the file: back to ~/.pgpass (there is none).
    let empty = s.dir.join("no-credentials");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, out) = list(&db, &[("CREDENTIALS_DIRECTORY", &empty), ("HOME", &nowhere)]);
    assert_eq!(code, 1, "{out}");
}

/// The check reads the parsed URL: `pass%77ord=` is `password=` to PostgreSQL, and would
/// authenticate (and show the password in `ps`). Refused on the command line and in a file.
#[test]
fn a_password_in_the_url_is_refused_however_spelled() {
    let Some(s) = Scram::start("urlpassword") else {
        return;
    };
    let encoded = "s3cret%3Apw%5Cx";
    // The CA by PGSSLROOTCERT, as the first release read it: with it, that release
    // authenticated with the first of these.
    let base = s.url("localhost", "sslmode=require");
    for db in [
        format!("{base}&pass%77ord={encoded}"),
        format!("{base}&%70assword={encoded}"),
        format!("{base}&password={encoded}"),
        base.replace("rx@", &format!("rx:{encoded}@")),
    ] {
        let (code, out) = list(&db, &[("PGSSLROOTCERT", &s.ca)]);
        assert_eq!(code, 2, "{db}: {out}");
        assert!(out.contains("pgpass"), "{db}: {out}");
        assert!(!out.contains("s3cret"), "echoed: {out}");
    }
    let config = s.dir.join("receiver.toml");
    std::fs::write(
        &config,
        format!("[receiver]\ndatabase_url = \"{base}&pass%77ord={encoded}\"\n"),
    )
    .unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args(["receive", "list"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("password") && !text.contains("s3cret"), "{text}");
}

/// `verify-full` with a CA file: the right CA and name connect; another CA, or a name the
/// certificate does not carry, do not. `verify-ca` checks the CA only. `PGSSLROOTCERT` is the
/// same as `sslrootcert=`.
#[test]
fn verify_full_checks_the_ca_file_and_the_name() {
    let Some(s) = Scram::start("verifyfull") else {
        return;
    };
    let file = s.dir.join("pgpass");
    s.pgpass(&file, 0o600);
    let other = certificates(&s.dir.join("other")).0;
    let ok = |db: &str, env: &[(&str, &Path)]| {
        let mut env = env.to_vec();
        env.push(("PGPASSFILE", &file));
        list(db, &env)
    };
    let full = |host: &str, ca: &Path| s.url(host, &format!("sslmode=verify-full&sslrootcert={}", ca.display()));
    let (code, out) = ok(&full("localhost", &s.ca), &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = ok(&s.url("localhost", "sslmode=verify-full"), &[("PGSSLROOTCERT", &s.ca)]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = ok(&full("localhost", &other), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("certificate verify failed"), "{out}");
    let (code, out) = ok(&full("127.0.0.1", &s.ca), &[]);
    assert_eq!(code, 1, "the certificate names localhost only: {out}");
    let ca_only = s.url(
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={}", s.ca.display()),
    );
    let (code, out) = ok(&ca_only, &[]);
    assert_eq!(code, 0, "{out}");
}

/// Without `sslmode` the connection is TLS or nothing: a server without TLS is refused (no
/// fall-back to cleartext an attacker could force).
#[test]
fn require_is_the_default_and_a_server_without_tls_is_refused() {
    let Some(pg) = PgCluster::for_test("notls") else {
        return;
    };
    let db = pg.url.replace("?sslmode=disable", "");
    assert!(!db.contains("sslmode"), "{db}");
    let (code, out) = list(&db, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("TLS"), "{out}");
    for mode in ["prefer", "allow"] {
        let (code, out) = list(&format!("{db}?sslmode={mode}"), &[]);
        assert_eq!(code, 1, "{mode}: {out}");
        assert!(out.contains("cleartext"), "{mode}: {out}");
    }
}

/// Cleartext when the operator asks for it, said once however many connections are made.
#[test]
fn cleartext_is_said_once_when_chosen() {
    let Some(pg) = PgCluster::for_test("cleartext") else {
        return;
    };
    assert!(pg.url.ends_with("?sslmode=disable"), "{}", pg.url);
    let (code, out) = list(&pg.url, &[]);
    assert_eq!(code, 0, "{out}");
    let warnings = out.lines().filter(|l| l.contains("sslmode=disable")).count();
    assert_eq!(warnings, 1, "{out}");
    assert!(out.contains("not encrypted"), "{out}");
}
