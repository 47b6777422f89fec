//! Shared by the tests that need a real pcscd with the vsmartcard vpcd reader.
#![allow(dead_code)] // each test binary uses a different part

use madoguchi::reader;
use serde_json::Value;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub const READER: &str = "Virtual PCD 00 00";
pub const BIN: &str = env!("CARGO_BIN_EXE_madoguchi");

/// How long a test waits for what it expects (a screen, a card, a reader) before failing.
/// Generous, because a loaded machine (a build beside the tests on two cores) is slow; a wait
/// ends as soon as its condition holds, so a passing run does not pay for it.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// One vpcd reader pair: tests take turns.
static VPCD: Mutex<()> = Mutex::new(());

/// Written past the test harness's capture (it only captures the print macros), so a skip is
/// seen in a plain `cargo test` run.
pub fn skipped(why: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}

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

pub fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A virtual card inserted in the vpcd reader for the life of the value.
pub struct Inserted {
    pub child: Child,
    pub dir: PathBuf,
}

impl Inserted {
    pub fn new(profile: &str, extra: &[&str]) -> Inserted {
        wait_until("an empty reader", || !card_present());
        let dir = std::env::temp_dir().join(format!(
            "madoguchi-e2e-{}-{profile}-{}",
            std::process::id(),
            rand_suffix()
        ));
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

pub fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

pub fn madoguchi(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A tmux server of our own, killed on drop.
pub struct Tmux(pub String);

impl Tmux {
    pub fn start(cmd: &str) -> Option<Tmux> {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let sock = format!("madoguchi-test-{}-{n}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "-L",
                &sock,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "30",
                cmd,
            ])
            .status();
        match ok {
            Ok(s) if s.success() => Some(Tmux(sock)),
            other => {
                if std::env::var_os("CI").is_some() {
                    panic!("tmux is required in CI: {other:?}");
                }
                skipped(&format!("tmux not available ({other:?})"));
                None
            }
        }
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.0, "capture-pane", "-p", "-S", "-100"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["-L", self.0.as_str(), "send-keys"];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux").args(&args).status().unwrap().success());
    }

    /// Waits until one capture of the screen satisfies `cond` and returns that capture. Waiting
    /// on the screen (never a fixed sleep) is what keeps these tests independent of load;
    /// checking one capture matters because tmux may have taken only part of a frame.
    pub fn wait_until(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let s = self.screen();
            if cond(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {DEADLINE:?} waiting for {what} on screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Waits until every one of `texts` is on the screen at once: what a test then asserts
    /// about the screen is about a whole frame, not one tmux has half received.
    pub fn wait_for_all(&self, texts: &[&str]) -> String {
        self.wait_until(&format!("all of {texts:?}"), |s| texts.iter().all(|t| s.contains(t)))
    }

    /// Quits the station with Ctrl-C, answering yes when it asks first (an enrollment under
    /// way); returns the screen once the command printed its exit code.
    pub fn quit(&self) -> String {
        use madoguchi::i18n::{msg, Msg};
        use madoguchi::lang::Lang;
        self.send(&["C-c"]);
        // The question's first words, in any language (the box may wrap the rest).
        let asked = |s: &str| {
            Lang::ALL
                .iter()
                .any(|l| s.contains(msg(*l, Msg::QuitQuestion).chars().take(8).collect::<String>().as_str()))
        };
        let s = self.wait_until("the exit or the quit question", |s| s.contains("EXIT=") || asked(s));
        if !s.contains("EXIT=") {
            self.send(&["y"]);
        }
        self.wait_for("EXIT=")
    }

    pub fn resize(&self, width: u16, height: u16) {
        let status = Command::new("tmux")
            .args([
                "-L",
                &self.0,
                "resize-window",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .status()
            .unwrap();
        assert!(status.success(), "tmux resize-window {width}x{height}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.0, "kill-server"]).status();
    }
}

/// Signs a real statement for `profile` with its virtual card and stores it through the
/// station's backend; returns the enrollment id and the payload stored.
pub fn enroll(
    store: &madoguchi::backend::station::StationStore,
    card: madoguchi::card::vcard::VirtualCard,
    profile: &madoguchi::card::vcard::profile::Profile,
) -> (String, madoguchi::backend::payload::Payload) {
    use madoguchi::seam::StationBackend;
    use madoguchi::secret::{Pin, SignPassword};
    let mut c = madoguchi::card::MyNumberCard::new(card);
    c.verify(Pin::new(profile.pin.as_bytes()).unwrap().secret()).unwrap();
    let person = c.read_basic_four().unwrap();
    c.verify(
        SignPassword::new(profile.sign_password.as_ref().unwrap().as_bytes())
            .unwrap()
            .secret(),
    )
    .unwrap();
    let cert = c.read_certificate(madoguchi::card::files::Ef::SignCert).unwrap();
    let prepared = store.prepare(&person, &Default::default()).unwrap();
    let digest = openssl::sha::sha256(&prepared.statement);
    let sig = c.sign(&madoguchi::card::client::sha256_digest_info(&digest)).unwrap();
    let record = store.finish(prepared, &cert, &sig, &person).unwrap();
    let payload = record.payload().clone();
    let id = store.store_signed(record).unwrap();
    (id, payload)
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
