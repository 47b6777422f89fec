//! The tests that need a real pcscd with the vsmartcard vpcd reader: whose turn it is on the
//! reader, and a virtual card inserted in it.

use super::{skipped, wait_until, BIN, DEADLINE};
use madoguchi::reader;
use serde_json::Value;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub const READER: &str = "Virtual PCD 00 00";

/// One vpcd reader pair: tests take turns.
static VPCD: Mutex<()> = Mutex::new(());

pub fn pcscd_ready() -> bool {
    let state = reader::establish().and_then(|c| reader::list_readers(&c));
    match &state {
        Ok(readers) if readers.iter().any(|r| r.name == READER) => true,
        _ => {
            let why = format!("pcscd with the vpcd reader is not available ({state:?})");
            if std::env::var_os("CI").is_some() {
                panic!("{why}: CI must run these tests (see .ci/run)");
            }
            skipped(&format!(
                "{why}; install pcscd + vsmartcard-vpcd and start pcscd to run it"
            ));
            false
        }
    }
}

/// A test's turn on the vpcd readers, held until dropped.
pub struct Turn {
    _process: std::fs::File,
    _thread: MutexGuard<'static, ()>,
}

/// Waits for this test's turn on the readers; None (after a visible SKIPPED) without pcscd.
/// The readers belong to the machine's pcscd, so turns are taken between threads (a mutex)
/// and between processes (an flock): another `cargo test` on this machine, from another
/// checkout say, waits instead of putting its card in the middle of ours.
pub fn turn() -> Option<Turn> {
    let thread = VPCD.lock().unwrap_or_else(|e| e.into_inner());
    let process = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(std::env::temp_dir().join("madoguchi-vpcd.lock"))
        .unwrap();
    // SAFETY: flock(2) on a descriptor we own; the lock goes when the file is closed.
    let locked = unsafe { libc::flock(process.as_raw_fd(), libc::LOCK_EX) };
    assert_eq!(locked, 0, "flock: {}", std::io::Error::last_os_error());
    pcscd_ready().then_some(Turn {
        _process: process,
        _thread: thread,
    })
}

pub fn card_present() -> bool {
    reader::establish()
        .and_then(|c| reader::list_readers(&c))
        .map(|rs| rs.iter().any(|r| r.name == READER && r.card_present))
        .unwrap_or(false)
}

/// A virtual card inserted in the vpcd reader for the life of the value.
pub struct Inserted {
    pub child: Child,
    pub dir: PathBuf,
}

impl Inserted {
    pub fn new(profile: &str, extra: &[&str]) -> Inserted {
        wait_until("an empty reader", || !card_present());
        let dir = super::temp_path(profile);
        std::fs::create_dir_all(&dir).unwrap();
        let mut args = vec![
            "vcard".to_string(),
            "--profile".into(),
            profile.into(),
            "--stats".into(),
            dir.join("stats.json").display().to_string(),
            "--write-certs".into(),
            dir.join("certs").display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let child = Command::new(BIN)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_until("the virtual card in the reader", card_present);
        Inserted { child, dir }
    }

    pub fn stats(&self) -> Value {
        let text = std::fs::read_to_string(self.dir.join("stats.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    pub fn cert_pem(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join("certs").join(name)).unwrap()
    }
}

impl Drop for Inserted {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
        // Leave the reader empty for the next test.
        let deadline = Instant::now() + DEADLINE;
        while card_present() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The entry for `name` in a `{"readers": [...]}` JSON document (readers / diagnose).
pub fn reader_entry(doc: &Value, name: &str) -> Value {
    doc["readers"]
        .as_array()
        .expect("a readers array")
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no reader {name:?} in {doc}"))
        .clone()
}
