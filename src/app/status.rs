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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Where the socket lives: `$XDG_RUNTIME_DIR/madoguchi/station.sock`, or a per-user directory
/// under the temp dir when there is no runtime dir (a bare SSH or tmux session as root).
pub fn socket_path() -> PathBuf {
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|v| !v.is_empty())
        .map(|d| PathBuf::from(d).join("madoguchi"))
        // SAFETY: getuid has no preconditions and cannot fail.
        .unwrap_or_else(|| std::env::temp_dir().join(format!("madoguchi-{}", unsafe { libc::getuid() })));
    base.join("station.sock")
}

/// Where `madoguchi status` looks, in order: [`socket_path`] as this session sees it, then the
/// user's systemd runtime dir (`/run/user/UID`, where a kiosk unit's station puts it, while
/// `runuser` or `sudo -u` from an SSH session may carry another user's XDG_RUNTIME_DIR),
/// then the temp-dir fallback. The first that exists is asked.
pub fn socket_candidates() -> Vec<PathBuf> {
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    let mut v = vec![socket_path()];
    for p in [
        PathBuf::from(format!("/run/user/{uid}/madoguchi/station.sock")),
        std::env::temp_dir()
            .join(format!("madoguchi-{uid}"))
            .join("station.sock"),
    ] {
        if !v.contains(&p) {
            v.push(p);
        }
    }
    v
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
    /// pcscd as the station sees it: `running`, `stopped`, `unknown`, or `not_used` (the demo's
    /// card is in-process).
    pub pcscd: &'static str,
    pub readers: Vec<ReaderDiag>,
    pub card_removals: u32,
    pub transmit_errors: u32,
    /// Removals and transmit errors cluster now (the "card moved?" hint is on).
    pub placement_suspect: bool,
    /// GET RESPONSE and re-sent READs since the station started (`card::LinkStats`).
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
        Verdict::AssuranceNotProven => "assurance_not_proven",
        Verdict::RecordTime => "record_time",
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

    fn push(&mut self, code: &'static str) {
        if self.errors.len() == Self::KEEP {
            self.errors.pop_front();
        }
        self.errors.push_back(ErrorEntry {
            at: crate::time::rfc3339_now(),
            code,
        });
    }

    /// A card request that failed.
    pub fn error(&mut self, e: &crate::card::CardError) {
        self.push(error_code(e));
    }

    /// A confirmed record the outbox could not take.
    pub fn store_failed(&mut self, e: &crate::seam::BackendError) {
        use crate::seam::BackendError as B;
        self.push(match e {
            B::QueueFull => "outbox_full",
            B::Storage(_) => "outbox_storage",
            B::Seal(_) => "outbox_seal",
            B::Encode => "outbox_encode",
        });
    }

    /// What the reader monitor saw that support should know of.
    pub fn reader(&mut self, ev: &crate::reader::monitor::ReaderEvent) {
        use crate::reader::monitor::ReaderEvent as R;
        match ev {
            R::ServiceDown => self.push("pcscd_down"),
            R::ReaderRemoved { .. } => self.push("reader_removed"),
            R::CardMute { .. } => self.push("card_mute"),
            _ => {}
        }
    }

    /// A delivery's result; one that did not reach the receiver (kept, retried) is an error.
    pub fn delivered(&mut self, v: &Verdict) {
        if matches!(v, Verdict::Queued) {
            self.push("delivery_failed");
        }
        self.last_delivery = Some(DeliverySnapshot {
            at: crate::time::rfc3339_now(),
            result: verdict_code(v),
        });
    }
}

/// The latest snapshot (as one JSON line) and a version watchers wait on.
#[derive(Default)]
pub struct Hub {
    state: Mutex<Published>,
    changed: Condvar,
    /// Asks the station for a snapshot now (it publishes only after events, so an idle
    /// station's uptime, CRL age and queue age would be as old as its last event).
    refresh: Mutex<Option<Box<dyn Fn() + Send>>>,
}

#[derive(Clone, Default)]
struct Published {
    /// Bumped when the snapshot changed: watchers wait on it.
    version: u64,
    line: String,
    /// Bumped on every publish, changed or not: a refresh waits on it.
    count: u64,
}

/// How long a client waits for the station to answer a refresh; past it, the last snapshot.
const REFRESH_WAIT: Duration = Duration::from_secs(1);

impl Hub {
    /// Publishes `snap`; watchers wake if it differs from the last one.
    pub fn publish(&self, snap: &Snapshot) {
        let Ok(line) = serde_json::to_string(snap) else { return };
        let Ok(mut s) = self.state.lock() else { return };
        s.count += 1;
        if s.line != line {
            s.version += 1;
            s.line = line;
        }
        self.changed.notify_all();
    }

    /// How the station is asked for a fresh snapshot (the runtime: an event on its queue).
    pub fn on_refresh(&self, f: impl Fn() + Send + 'static) {
        if let Ok(mut r) = self.refresh.lock() {
            *r = Some(Box::new(f));
        }
    }

    /// A snapshot taken now: the station is asked to publish and, within `REFRESH_WAIT`,
    /// that one is returned (else the last one: a busy station still answers).
    fn fresh(&self) -> (u64, String) {
        let before = self.state.lock().map(|s| s.count).unwrap_or_default();
        let asked = match self.refresh.lock() {
            Ok(r) => r.as_ref().map(|f| f()).is_some(),
            Err(_) => false,
        };
        let Ok(s) = self.state.lock() else {
            return Default::default();
        };
        let s = if asked {
            self.changed
                .wait_timeout_while(s, REFRESH_WAIT, |s| s.count == before)
                .map(|(s, _)| s.clone())
                .unwrap_or_default()
        } else {
            s.clone()
        };
        (s.version, s.line)
    }

    /// The next snapshot after `version`, or after `wait` a fresh one (a watcher's figures
    /// keep moving on an idle station).
    fn next(&self, version: u64, wait: Duration) -> (u64, String) {
        let Ok(s) = self.state.lock() else {
            return (version, String::new());
        };
        let s = self
            .changed
            .wait_timeout_while(s, wait, |s| s.version == version)
            .map(|(s, _)| s.clone())
            .unwrap_or_default();
        if s.version != version {
            return (s.version, s.line);
        }
        self.fresh()
    }
}

/// The socket's directory must be a real directory of this user, not a symlink: under the
/// shared temp dir another user could have made `madoguchi-<uid>` first, to catch the socket
/// or to answer `status` with a fake one.
pub fn check_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(dir)?;
    // SAFETY: getuid has no preconditions and cannot fail.
    let me = unsafe { libc::getuid() };
    if !m.is_dir() || m.uid() != me {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("{} is not a directory of this user", dir.display()),
        ));
    }
    Ok(())
}

/// Clients served at once (`status`, `status --watch`): support needs one or two; each holds
/// a thread.
pub const MAX_CLIENTS: usize = 8;

/// Why the status socket could not be opened: a code the catalogue words on screen
/// (`status-socket-reason`: `in_use`, `not_private`, `permission`, `read_only`, `no_space`,
/// `not_found`, `other`) and the system's error for the log.
#[derive(Debug)]
pub struct SocketError {
    pub reason: &'static str,
    pub error: std::io::Error,
}

impl From<std::io::Error> for SocketError {
    fn from(error: std::io::Error) -> SocketError {
        use std::io::ErrorKind as K;
        let reason = match error.kind() {
            K::AddrInUse => "in_use",
            K::PermissionDenied => "permission",
            K::ReadOnlyFilesystem => "read_only",
            K::StorageFull => "no_space",
            K::NotFound => "not_found",
            _ => "other",
        };
        SocketError { reason, error }
    }
}

/// Binds the socket (0600 in a 0700 directory; a stale socket is replaced) and serves it on
/// its own threads. An error here never stops the station: it is logged, said on screen, and
/// support gets none.
pub fn serve(hub: Arc<Hub>, path: &Path) -> Result<(), SocketError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if let Some(dir) = path.parent() {
        if std::fs::symlink_metadata(dir).is_err() {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
        check_private_dir(dir).map_err(|error| SocketError {
            reason: "not_private",
            error,
        })?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    if UnixStream::connect(path).is_ok() {
        return Err(SocketError {
            reason: "in_use",
            error: std::io::Error::new(std::io::ErrorKind::AddrInUse, "another station answers on this socket"),
        });
    }
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    let clients = Arc::new(AtomicUsize::new(0));
    std::thread::Builder::new().name("status".into()).spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            // A thread per client, a handful at most: the rest are told so and closed.
            if clients.fetch_add(1, Ordering::SeqCst) >= MAX_CLIENTS {
                clients.fetch_sub(1, Ordering::SeqCst);
                let _ = conn.set_write_timeout(Some(Duration::from_secs(1)));
                let _ = writeln!(
                    conn,
                    "{}",
                    serde_json::json!({"busy": true, "max_clients": MAX_CLIENTS})
                );
                continue;
            }
            let hub = Arc::clone(&hub);
            // Counted down however the client ends (a thread that fails to start included).
            let seat = Seat(Arc::clone(&clients));
            let _ = std::thread::Builder::new().name("status-client".into()).spawn(move || {
                client(conn, &hub);
                drop(seat);
            });
        }
    })?;
    Ok(())
}

/// One of the `MAX_CLIENTS` seats, given back on drop.
struct Seat(Arc<AtomicUsize>);

impl Drop for Seat {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn client(conn: UnixStream, hub: &Hub) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut line = String::new();
    let Ok(read) = conn.try_clone() else { return };
    // One short request line; anything longer or stranger gets one snapshot.
    let _ = BufReader::new(read.take(64)).read_line(&mut line);
    let mut out = conn;
    let (mut version, snap) = hub.fresh();
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
            // Nothing new even now: a blank keep-alive line; a gone client ends the thread.
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(uptime_secs: u64) -> Snapshot {
        Snapshot {
            schema: 1,
            version: "test",
            station_id: "s".into(),
            uptime_secs,
            step: "consent".into(),
            busy: false,
            reader: None,
            pcscd_running: true,
            pcscd: "running",
            readers: Vec::new(),
            card_removals: 0,
            transmit_errors: 0,
            placement_suspect: false,
            resends: 0,
            apdu_rtt_us: Vec::new(),
            errors: Vec::new(),
            queue: QueueSnapshot {
                pending: 0,
                review: 0,
                oldest_age_secs: None,
            },
            last_delivery: None,
            crl: None,
        }
    }

    #[test]
    fn a_client_gets_a_snapshot_taken_now_not_the_last_event_s() {
        let hub = Arc::new(Hub::default());
        hub.publish(&snap(5));
        // Without a station to ask: the last one.
        assert!(hub.fresh().1.contains("\"uptime_secs\":5"));
        // The station answers a refresh on its own thread, as the runtime does.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let h = Arc::clone(&hub);
        std::thread::spawn(move || {
            for () in rx {
                h.publish(&snap(3600));
            }
        });
        hub.on_refresh(move || {
            let _ = tx.send(());
        });
        let (v, line) = hub.fresh();
        assert!(line.contains("\"uptime_secs\":3600"), "{line}");
        // A watcher with nothing new gets the fresh one after its wait.
        let (v2, _) = hub.next(v, Duration::from_millis(50));
        assert_eq!(v2, v, "the same snapshot again: no new version");
    }

    #[test]
    fn a_handful_of_clients_are_served_and_the_rest_told_so() {
        let dir = std::env::temp_dir().join(format!("madoguchi-status-cap-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("status.sock");
        let hub = Arc::new(Hub::default());
        hub.publish(&snap(1));
        serve(Arc::clone(&hub), &path).unwrap();
        let watch = || {
            let mut c = UnixStream::connect(&path).unwrap();
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            // A busy station may have answered and closed before the request is written.
            let _ = writeln!(c, "watch");
            let mut line = String::new();
            BufReader::new(c.try_clone().unwrap()).read_line(&mut line).unwrap();
            (c, line)
        };
        // Every seat taken by a watcher, each served a snapshot.
        let mut watchers: Vec<UnixStream> = (0..MAX_CLIENTS)
            .map(|_| {
                let (c, line) = watch();
                assert!(line.contains("\"uptime_secs\""), "{line}");
                c
            })
            .collect();
        // One more is told the station is busy, and closed: no thread for it.
        let (_, line) = watch();
        assert!(line.contains("\"busy\":true"), "{line}");
        // A watcher leaves: its seat is free again (its thread notices at its next write).
        drop(watchers.pop());
        hub.publish(&snap(2));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (_, line) = watch();
            if line.contains("\"uptime_secs\"") {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the seat did not come back: {line}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(watchers);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Why the socket could not be opened travels as a code the catalogue words in every
    /// language (it once reached the Japanese screen as English: "another station answers
    /// on this socket").
    #[test]
    fn a_socket_that_cannot_be_opened_says_why_as_a_code() {
        use crate::i18n::status_socket_failed;
        use crate::lang::Lang;
        let dir = std::env::temp_dir().join(format!("madoguchi-status-why-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("station.sock");
        serve(Arc::new(Hub::default()), &path).unwrap();
        let second = serve(Arc::new(Hub::default()), &path).unwrap_err();
        assert_eq!(second.reason, "in_use");
        let shown = path.display().to_string();
        let ja = status_socket_failed(Lang::Ja, &shown, second.reason);
        assert!(ja.contains("別の窓口端末") && ja.contains(&shown), "{ja}");
        for lang in Lang::ALL {
            let text = status_socket_failed(lang, &shown, second.reason);
            assert!(
                !text.contains("another station") || lang == Lang::En,
                "{lang:?}: {text}"
            );
            assert!(text.contains(&shown), "{text}");
        }
        // The socket's directory is a file: not a private directory.
        let file = dir.join("plain");
        std::fs::write(&file, b"").unwrap();
        let e = serve(Arc::new(Hub::default()), &file.join("station.sock")).unwrap_err();
        assert_eq!(e.reason, "not_private", "{:?}", e.error);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn status_looks_where_this_session_says_then_in_the_users_runtime_dir() {
        let c = socket_candidates();
        assert_eq!(c[0], socket_path());
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        assert!(c.contains(&PathBuf::from(format!("/run/user/{uid}/madoguchi/station.sock"))));
        assert!(
            c.iter().all(|p| p.file_name() == Some("station.sock".as_ref())),
            "{c:?}"
        );
        let unique: std::collections::BTreeSet<_> = c.iter().collect();
        assert_eq!(unique.len(), c.len(), "each place once: {c:?}");
    }

    #[test]
    fn a_socket_directory_of_another_user_or_a_symlink_is_refused() {
        let base = std::env::temp_dir().join(format!("madoguchi-status-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("real")).unwrap();
        assert!(check_private_dir(&base.join("real")).is_ok());
        std::os::unix::fs::symlink(base.join("real"), base.join("link")).unwrap();
        assert!(check_private_dir(&base.join("link")).is_err(), "a symlink");
        std::fs::write(base.join("file"), b"").unwrap();
        assert!(check_private_dir(&base.join("file")).is_err(), "not a directory");
        // Another user's directory: as root, one given to `nobody`; else root's `/`.
        // SAFETY: getuid has no preconditions.
        let theirs = if unsafe { libc::getuid() } == 0 {
            let d = base.join("theirs");
            std::fs::create_dir(&d).unwrap();
            std::os::unix::fs::chown(&d, Some(65534), Some(65534)).unwrap();
            d
        } else {
            PathBuf::from("/")
        };
        assert!(check_private_dir(&theirs).is_err(), "another user's");
        let _ = std::fs::remove_dir_all(&base);
    }
}
