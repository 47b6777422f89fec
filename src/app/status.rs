//! The running station answers support (`madoguchi status`) on a Unix socket:
//! `$XDG_RUNTIME_DIR/madoguchi/station.sock` (0600 in a 0700 directory). A client writes one
//! line, `once` or `watch`, and reads JSON lines: the step, the reader as the station sees it,
//! the last errors, the queue, the last delivery, the CRL age, the APDU round trips. Never any
//! personal data or input: the snapshot is built from codes and counts only. It never opens a
//! PC/SC session of its own: the card is the station's.

use crate::reader::diagnostics::{error_code, ReaderDiag};
use crate::seam::{CrlInfo, QueueInfo, Verdict};
use serde::Serialize;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Where the socket lives: `$XDG_RUNTIME_DIR/madoguchi/station.sock`, or a per-user directory
/// under the temp dir when there is no runtime dir (a bare SSH or tmux session as root).
pub fn socket_path() -> PathBuf {
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|v| !v.is_empty())
        .map(|d| PathBuf::from(d).join("madoguchi"))
        .unwrap_or_else(|| std::env::temp_dir().join(format!("madoguchi-{}", unsafe { libc::getuid() })));
    base.join("station.sock")
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ErrorEntry {
    pub at: String,
    pub code: &'static str,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Snapshot {
    pub schema: u32,
    pub version: &'static str,
    pub station_id: String,
    pub uptime_secs: u64,
    /// The step on screen (`consent`, `pin`, …), never what was typed or read.
    pub step: String,
    pub busy: bool,
    pub reader: Option<String>,
    pub pcscd_running: bool,
    pub readers: Vec<ReaderDiag>,
    pub card_removals: u32,
    pub transmit_errors: u32,
    /// GET RESPONSE and re-sent READs (see `card::guard::resends`).
    pub resends: u32,
    /// Round trips of the last APDUs (µs), oldest first.
    pub apdu_rtt_us: Vec<u32>,
    pub errors: Vec<ErrorEntry>,
    pub queue: QueueSnapshot,
    pub last_delivery: Option<DeliverySnapshot>,
    pub crl: Option<CrlSnapshot>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct QueueSnapshot {
    pub pending: u64,
    pub review: u64,
    pub oldest_age_secs: Option<u64>,
}

impl From<QueueInfo> for QueueSnapshot {
    fn from(q: QueueInfo) -> Self {
        QueueSnapshot {
            pending: q.pending,
            review: q.review,
            oldest_age_secs: q.oldest_age_secs,
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DeliverySnapshot {
    pub at: String,
    pub result: &'static str,
}

pub fn verdict_code(v: &Verdict) -> &'static str {
    match v {
        Verdict::Accepted => "accepted",
        Verdict::Queued => "queued",
        Verdict::CertificateExpired => "certificate_expired",
        Verdict::CertificateRevoked => "certificate_revoked",
        Verdict::SignatureMismatch => "signature_mismatch",
        Verdict::UnsupportedCertificate => "unsupported_certificate",
        Verdict::CardDataMismatch => "card_data_mismatch",
        Verdict::InvalidRequest => "invalid_request",
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CrlSnapshot {
    pub age_hours: u64,
    pub fresh: bool,
}

impl From<CrlInfo> for CrlSnapshot {
    fn from(c: CrlInfo) -> Self {
        CrlSnapshot {
            age_hours: c.age_secs / 3600,
            fresh: c.fresh,
        }
    }
}

/// What the app keeps for the snapshot besides its own state: the last errors.
#[derive(Default)]
pub struct Recent {
    pub errors: VecDeque<ErrorEntry>,
    pub last_delivery: Option<DeliverySnapshot>,
}

impl Recent {
    pub const KEEP: usize = 20;

    pub fn error(&mut self, e: &crate::card::CardError) {
        if self.errors.len() == Self::KEEP {
            self.errors.pop_front();
        }
        self.errors.push_back(ErrorEntry {
            at: crate::time::rfc3339_now(),
            code: error_code(e),
        });
    }

    pub fn delivered(&mut self, v: &Verdict) {
        self.last_delivery = Some(DeliverySnapshot {
            at: crate::time::rfc3339_now(),
            result: verdict_code(v),
        });
    }
}

/// The latest snapshot (as one JSON line) and a version watchers wait on.
#[derive(Default)]
pub struct Hub {
    state: Mutex<(u64, String)>,
    changed: Condvar,
}

impl Hub {
    /// Publishes `snap` if it differs from the last one.
    pub fn publish(&self, snap: &Snapshot) {
        let Ok(line) = serde_json::to_string(snap) else { return };
        let Ok(mut s) = self.state.lock() else { return };
        if s.1 != line {
            s.0 += 1;
            s.1 = line;
            self.changed.notify_all();
        }
    }

    fn current(&self) -> (u64, String) {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The next snapshot after `version` (or the same one again after `wait`).
    fn next(&self, version: u64, wait: Duration) -> (u64, String) {
        let Ok(s) = self.state.lock() else {
            return (version, String::new());
        };
        let s = self
            .changed
            .wait_timeout_while(s, wait, |s| s.0 == version)
            .map(|(s, _)| s.clone())
            .unwrap_or_default();
        s
    }
}

/// Binds the socket (0600 in a 0700 directory; a stale socket is replaced) and serves it on
/// its own threads. An error here never stops the station: it is logged and support gets none.
pub fn serve(hub: Arc<Hub>, path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if let Some(dir) = path.parent() {
        if !dir.exists() {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    if UnixStream::connect(path).is_ok() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            "another station answers on this socket",
        ));
    }
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    std::thread::Builder::new().name("status".into()).spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let hub = Arc::clone(&hub);
            let _ = std::thread::Builder::new()
                .name("status-client".into())
                .spawn(move || client(conn, &hub));
        }
    })?;
    Ok(())
}

fn client(conn: UnixStream, hub: &Hub) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut line = String::new();
    let Ok(read) = conn.try_clone() else { return };
    // One short request line; anything longer or stranger gets one snapshot.
    let _ = BufReader::new(read.take(64)).read_line(&mut line);
    let mut out = conn;
    let (mut version, snap) = hub.current();
    if writeln!(out, "{snap}").is_err() || line.trim() != "watch" {
        return;
    }
    loop {
        let (v, snap) = hub.next(version, Duration::from_secs(30));
        if v != version {
            version = v;
            if writeln!(out, "{snap}").is_err() {
                return;
            }
        } else if writeln!(out).is_err() {
            // A blank keep-alive line: a gone client ends the thread.
            return;
        }
    }
}
