//! A private PostgreSQL cluster for tests and benchmarks: `initdb` in a temp dir (trust auth,
//! no password anywhere), `pg_ctl start` on a free loopback port with its unix socket in the
//! same dir, one database `madoguchi`, stopped and removed on drop. PostgreSQL refuses to run
//! as root: as root every command runs as the `postgres` system user (`runuser`), which owns
//! the temp dir. No system service is touched.
//!
//! `PgCluster::for_test` fails the test under CI=true when the server can't start, else it
//! prints `SKIPPED: …` to stderr and the test returns early. When `.ci/run` started a cluster
//! (`MADOGUCHI_TEST_PG=host:port`), `for_test` makes a database of its own in that one
//! instead, dropped at the end; `own_for_test` always starts a cluster (a test that stops it).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A `sqlite` and a `postgres` test of a scenario `fn name(dir: &Path, db: &StoreLocation)`:
/// `dir` a directory of its own, `db` a SQLite file in it or a PostgreSQL database
/// (`PgCluster::for_test`). The test file has this scaffolding as `mod support;`.
macro_rules! both_stores {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                let dir = $crate::support::tmp(stringify!($name));
                let db = madoguchi::backend::store::StoreLocation::Sqlite(dir.join("receiver.sqlite3"));
                super::$name(&dir, &db);
                let _ = std::fs::remove_dir_all(&dir);
            }
            #[test]
            fn postgres() {
                let Some(pg) = $crate::support::pg::PgCluster::for_test(stringify!($name)) else {
                    return;
                };
                let dir = $crate::support::tmp(stringify!($name));
                super::$name(&dir, &pg.location());
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    };
}
pub(crate) use both_stores;

pub struct PgCluster {
    pub dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    pub url: String,
    as_postgres: bool,
    /// Server options beyond port and socket (TLS).
    extra: String,
    /// A database in the cluster `.ci/run` started: (host:port, database), dropped on drop.
    shared: Option<(String, String)>,
}

/// The directory with initdb and pg_ctl: Debian's /usr/lib/postgresql/<newest>/bin, else PATH.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl PgCluster {
    /// Where a receiver finds this database (`--db`).
    pub fn location(&self) -> madoguchi::backend::store::StoreLocation {
        madoguchi::backend::store::StoreLocation::Postgres(self.url.clone())
    }

    /// A cluster for a test: None (after `SKIPPED: …` on stderr) when PostgreSQL can't run
    /// here, except under CI=true, where that fails the test.
    pub fn for_test(name: &str) -> Option<PgCluster> {
        match std::env::var("MADOGUCHI_TEST_PG") {
            Ok(addr) if !addr.is_empty() => match PgCluster::database_in(&addr, name) {
                Ok(c) => Some(c),
                Err(e) => panic!("a database in the cluster at {addr} (MADOGUCHI_TEST_PG): {e}"),
            },
            _ => PgCluster::own_for_test(name),
        }
    }

    /// A new database in the running cluster at `addr` (host:port, trust auth as postgres).
    fn database_in(addr: &str, name: &str) -> Result<PgCluster, String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let (host, port) = addr.rsplit_once(':').ok_or("host:port")?;
        let port: u16 = port.parse().map_err(|_| "port")?;
        let db: String = format!(
            "t_{}_{}_{}",
            name.chars()
                .filter(char::is_ascii_alphanumeric)
                .take(30)
                .collect::<String>(),
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        )
        .to_lowercase();
        let cluster = PgCluster {
            dir: std::env::temp_dir(),
            bin: bin_dir().unwrap_or_default(),
            port,
            // No TLS there: cleartext asked for (the receiver's default is sslmode=require).
            url: format!("postgres://postgres@{addr}/{db}?sslmode=disable"),
            as_postgres: false,
            extra: String::new(),
            shared: Some((addr.to_string(), db.clone())),
        };
        cluster.client_tool("createdb", host, &db)?;
        Ok(cluster)
    }

    fn client_tool(&self, tool: &str, host: &str, db: &str) -> Result<(), String> {
        let exe = self.bin.join(tool);
        let exe = if exe.exists() { exe } else { PathBuf::from(tool) };
        let mut c = Command::new(&exe);
        c.args(["-h", host, "-p", &self.port.to_string(), "-U", "postgres"]);
        if tool == "dropdb" {
            c.arg("--force");
        }
        let out = c.arg(db).output().map_err(|e| format!("{}: {e}", exe.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("{tool}: {}", String::from_utf8_lossy(&out.stderr)))
        }
    }

    /// A cluster of the test's own (one it may stop and start).
    pub fn own_for_test(name: &str) -> Option<PgCluster> {
        match PgCluster::start(name) {
            Ok(c) => Some(c),
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("PostgreSQL test cluster did not start (CI=true): {e}")
            }
            Err(e) => {
                eprintln!("SKIPPED: {name}: PostgreSQL test cluster did not start: {e}");
                None
            }
        }
    }

    pub fn start(name: &str) -> Result<PgCluster, String> {
        PgCluster::start_with(name, None)
    }

    /// With TLS on: the server presents `cert` (chain PEM) with `key`.
    pub fn start_with(name: &str, tls: Option<(&Path, &Path)>) -> Result<PgCluster, String> {
        let bin = match bin_dir() {
            Some(b) => b,
            None => PathBuf::from(
                String::from_utf8_lossy(
                    &Command::new("sh")
                        .args(["-c", "command -v initdb"])
                        .output()
                        .map_err(|e| e.to_string())?
                        .stdout,
                )
                .trim(),
            )
            .parent()
            .ok_or("initdb not found (install the postgresql package)")?
            .to_path_buf(),
        };
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let dir = std::env::temp_dir().join(format!(
            "madoguchi-pg-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| e.to_string())?;
        }
        if as_postgres {
            let out = Command::new("id")
                .args(["-u", "postgres"])
                .output()
                .map_err(|e| e.to_string())?;
            let gid = Command::new("id")
                .args(["-g", "postgres"])
                .output()
                .map_err(|e| e.to_string())?;
            let parse = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).trim().parse::<u32>().ok();
            let (Some(uid), Some(gid)) = (parse(&out), parse(&gid)) else {
                return Err("running as root and there is no postgres user".into());
            };
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
        }
        let port = free_port()?;
        let mut extra = String::new();
        if let Some((cert, key)) = tls {
            // The server reads its key only when it owns it and no one else may read it.
            for (from, to) in [(cert, "server.crt"), (key, "server.key")] {
                let to = dir.join(to);
                std::fs::copy(from, &to).map_err(|e| format!("{}: {e}", from.display()))?;
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
                if as_postgres {
                    let meta = std::fs::metadata(&dir).map_err(|e| e.to_string())?;
                    use std::os::unix::fs::MetadataExt;
                    std::os::unix::fs::chown(&to, Some(meta.uid()), Some(meta.gid())).map_err(|e| e.to_string())?;
                }
            }
            extra = format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                dir.join("server.crt").display(),
                dir.join("server.key").display()
            );
        }
        let cluster = PgCluster {
            // Without TLS, cleartext asked for (the receiver's default is sslmode=require);
            // with it, the test says which sslmode.
            url: if extra.is_empty() {
                format!("postgres://postgres@127.0.0.1:{port}/madoguchi?sslmode=disable")
            } else {
                format!("postgres://postgres@127.0.0.1:{port}/madoguchi")
            },
            extra,
            dir,
            bin,
            port,
            as_postgres,
            shared: None,
        };
        let data = cluster.dir.join("data");
        cluster.run(
            "initdb",
            &[
                "-D",
                path(&data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        )?;
        cluster.pg_start()?;
        cluster.run(
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "postgres",
                "madoguchi",
            ],
        )?;
        Ok(cluster)
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let exe = self.bin.join(tool);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        c.args(args).current_dir(&self.dir).stdin(std::process::Stdio::null());
        let out = c.output().map_err(|e| format!("{}: {e}", exe.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
            Err(format!(
                "{tool} failed: {}{}\n{log}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Replaces `pg_hba.conf` with `lines` and restarts the server with it (a reload would
    /// be applied at some moment after `pg_ctl` returns; a restart, before it does).
    pub fn set_hba(&self, lines: &str) -> Result<(), String> {
        if self.shared.is_some() {
            return Err("a shared cluster is not ours to reconfigure".into());
        }
        // Written in place: the file keeps its owner (the postgres user when we are root).
        std::fs::write(self.dir.join("data").join("pg_hba.conf"), lines).map_err(|e| e.to_string())?;
        self.pg_stop()?;
        self.pg_start()
    }

    /// Starts (or starts again) the server, waiting until it accepts connections.
    pub fn pg_start(&self) -> Result<(), String> {
        if self.shared.is_some() {
            return Err("a shared cluster is not ours to start".into());
        }
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=100{}",
            self.port,
            self.dir.display(),
            self.extra
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                path(&self.dir.join("data")),
                "-l",
                path(&self.dir.join("log")),
                "-o",
                &opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
    }

    /// CPU seconds (user + system) used so far by this cluster: the postmaster, its live
    /// backends, and the children it reaped (benchmarks).
    pub fn cpu_seconds(&self) -> f64 {
        let pid_file = std::fs::read_to_string(self.dir.join("data").join("postmaster.pid")).unwrap_or_default();
        let Some(master) = pid_file.lines().next().and_then(|l| l.trim().parse::<u32>().ok()) else {
            return 0.0;
        };
        let tick = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        // Fields after the ")" of comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
        let fields = |pid: &str| -> Option<Vec<String>> {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let rest = &stat[stat.rfind(')')? + 2..];
            Some(rest.split_whitespace().map(str::to_string).collect())
        };
        let num = |f: &[String], i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
        let mut total = 0.0;
        if let Some(f) = fields(&master.to_string()) {
            total += num(&f, 11) + num(&f, 12) + num(&f, 13) + num(&f, 14);
        }
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let name = e.file_name();
            let Some(pid) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else {
                continue;
            };
            if let Some(f) = fields(pid) {
                if f.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(master) {
                    total += num(&f, 11) + num(&f, 12);
                }
            }
        }
        total / tick
    }

    /// Sends `sig` to every process of this cluster: the postmaster and its children. SIGSTOP
    /// hangs the database as a frozen host would: its sockets stay open and the kernel still
    /// accepts connections, but nothing answers (SIGCONT resumes it).
    pub fn signal_all(&self, sig: i32) -> Result<(), String> {
        if self.shared.is_some() {
            return Err("a shared cluster is not ours to signal".into());
        }
        let pid_file =
            std::fs::read_to_string(self.dir.join("data").join("postmaster.pid")).map_err(|e| e.to_string())?;
        let master: i32 = pid_file
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .ok_or("no postmaster pid")?;
        let mut pids = vec![master];
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
                continue;
            };
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let ppid = stat
                .rfind(')')
                .and_then(|i| stat[i + 2..].split_whitespace().nth(1))
                .and_then(|p| p.parse::<i32>().ok());
            if ppid == Some(master) {
                pids.push(pid);
            }
        }
        for pid in pids {
            // SAFETY: kill(2) on the processes of the cluster this test started.
            unsafe { libc::kill(pid, sig) };
        }
        Ok(())
    }

    /// Stops the server (fast: open sessions are ended), waiting until it is down.
    pub fn pg_stop(&self) -> Result<(), String> {
        if self.shared.is_some() {
            return Err("a shared cluster is not ours to stop".into());
        }
        self.run(
            "pg_ctl",
            &[
                "-D",
                path(&self.dir.join("data")),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "stop",
            ],
        )
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if let Some((addr, db)) = &self.shared {
            let host = addr.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
            let _ = self.client_tool("dropdb", host, db);
            return;
        }
        let _ = self.run(
            "pg_ctl",
            &["-D", path(&self.dir.join("data")), "-m", "immediate", "-w", "stop"],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
