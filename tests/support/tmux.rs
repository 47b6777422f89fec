//! The station on a terminal: a tmux server of our own, its screen, its keys.

use super::DEADLINE;
use std::process::Command;
use std::time::{Duration, Instant};

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
                super::skipped(&format!("tmux not available ({other:?})"));
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
