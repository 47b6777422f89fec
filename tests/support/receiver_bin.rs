//! `madoguchi receive` as a process, for what only a process shows: signals (SIGHUP, SIGTERM,
//! SIGKILL), the request log on stderr, the exit. Its stderr is collected line by line; the
//! URL comes from its "listening on" line. Killed on drop.

use std::io::BufRead;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct ReceiverBin {
    child: Child,
    pub url: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl ReceiverBin {
    /// `madoguchi receive --listen 127.0.0.1:0` plus `args`; waits for it to listen.
    pub fn start<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> ReceiverBin {
        let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
            .args(["receive", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("madoguchi receive starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let err = child.stderr.take().unwrap();
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(l);
            }
        });
        let mut r = ReceiverBin {
            child,
            url: String::new(),
            lines,
        };
        let line = r
            .wait_line("listening on ", Duration::from_secs(20))
            .unwrap_or_else(|| panic!("receiver did not start: {:?}", r.lines()));
        r.url = line.rsplit(' ').next().unwrap().to_string();
        r
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// The first stderr line containing `pat` (waiting up to `timeout`).
    pub fn wait_line(&self, pat: &str, timeout: Duration) -> Option<String> {
        self.wait_lines(pat, 1, timeout).map(|mut v| v.remove(0))
    }

    /// Waits until `n` lines contain `pat`.
    pub fn wait_lines(&self, pat: &str, n: usize, timeout: Duration) -> Option<Vec<String>> {
        let end = Instant::now() + timeout;
        loop {
            let found: Vec<String> = self.lines().into_iter().filter(|l| l.contains(pat)).collect();
            if found.len() >= n {
                return Some(found);
            }
            if Instant::now() > end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The JSON request-log lines so far.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        self.lines()
            .iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v.get("disposition").is_some())
            .collect()
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child's pid.
        assert_eq!(unsafe { libc::kill(self.pid(), sig) }, 0);
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let end = Instant::now() + timeout;
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            if Instant::now() > end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl ReceiverBin {
    /// SIGKILL: the process dies where it stands (what a power cut leaves on disk).
    pub fn kill9(&mut self) {
        self.signal(libc::SIGKILL);
        let _ = self.wait_exit(Duration::from_secs(30));
    }

    /// SIGTERM, then its exit status (`None`: still running after 30 s).
    pub fn stop(&mut self) -> Option<ExitStatus> {
        self.signal(libc::SIGTERM);
        self.wait_exit(Duration::from_secs(30))
    }
}

impl Drop for ReceiverBin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
