//! The photo in a real terminal (issue #24): xterm emulating a VT340 (sixel) on a private
//! Xvfb display runs `examples/show_photo.rs` (this binary re-runs itself as that program);
//! a screenshot taken with ImageMagick's `import` must show image pixels where the photo
//! belongs, and, after Esc (sent with xdotool), none anywhere.
//!
//! xterm draws text in its two colours only (black on white here), so any other grey is a
//! picture's. Needs `xvfb xterm imagemagick xdotool` (`.ci/run` installs them): SKIPPED
//! without them, except under CI.

#[path = "../examples/show_photo.rs"]
mod show_photo;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Set in the environment of the copy of this binary that xterm runs.
const CHILD: &str = "MADOGUCHI_SHOW_PHOTO_STATUS";

/// How long to wait for a step (generous: a loaded machine).
const DEADLINE: Duration = Duration::from_secs(60);

/// Where xterm's first cell starts on the screen: its window's X border (1 pixel, no window
/// manager here) and its inner border (`internalBorder`, 2).
const BORDER: u32 = 3;

/// The copy xterm runs: the demo itself, on xterm's tty.
#[test]
fn show_photo_child() {
    if let Some(status) = std::env::var_os(CHILD) {
        show_photo::run(Some(Path::new(&status))).unwrap();
    }
}

fn tools_present() -> bool {
    let missing: Vec<&str> = ["Xvfb", "xterm", "import", "xdotool"]
        .into_iter()
        .filter(|t| {
            Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .stdout(Stdio::null())
                .status()
                .map(|s| !s.success())
                .unwrap_or(true)
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "{} not installed (Debian: xvfb xterm imagemagick xdotool)",
        missing.join(", ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("{why}: CI must run this test (see .ci/run)");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
    false
}

/// A process killed (by its own pid) when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Xvfb on the first free display from :140, its socket up.
fn xvfb() -> (Killed, String) {
    for n in 140..200 {
        if Path::new(&format!("/tmp/.X{n}-lock")).exists() || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            continue;
        }
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([&display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut x = Killed(child);
        let started = Instant::now();
        while started.elapsed() < DEADLINE {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (x, display);
            }
            if x.0.try_wait().unwrap().is_some() {
                break; // taken meanwhile: the next one
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("no free X display for Xvfb");
}

fn wait_for(status: &Path, line: &str) -> String {
    let started = Instant::now();
    loop {
        let s = std::fs::read_to_string(status).unwrap_or_default();
        if s.lines().any(|l| l.starts_with(line)) {
            return s;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "timed out waiting for {line:?}; status so far:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The screen as (width, height, luma per pixel), through `import -window root`.
fn screenshot(display: &str, file: &Path) -> (u32, u32, Vec<u8>) {
    let ok = Command::new("import")
        .args(["-display", display, "-window", "root"])
        .arg(file)
        .status()
        .unwrap();
    assert!(ok.success(), "import failed");
    let bytes = std::fs::read(file).unwrap();
    let mut d = png::Decoder::new(std::io::Cursor::new(&bytes[..]));
    d.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut r = d.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let luma = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| match channels {
            1 | 2 => p[0],
            _ => ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8,
        })
        .collect();
    (info.width, info.height, luma)
}

/// Pixels neither (nearly) black nor (nearly) white, and their bounding box.
fn greys(w: u32, luma: &[u8]) -> (usize, Option<(u32, u32, u32, u32)>) {
    let mut n = 0;
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    for (i, &v) in luma.iter().enumerate() {
        if (10..=245).contains(&v) {
            n += 1;
            let (x, y) = (i as u32 % w, i as u32 / w);
            bbox = Some(match bbox {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
    }
    (n, bbox)
}

#[test]
fn the_photo_is_drawn_in_xterm_and_gone_after_esc() {
    if std::env::var_os(CHILD).is_some() || !tools_present() {
        return;
    }
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "madoguchi-xterm-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let status = dir.join("status");
    let (_x, display) = xvfb();
    let me = std::env::current_exe().unwrap();
    let xterm = Command::new("xterm")
        .env("DISPLAY", &display)
        .env(CHILD, &status)
        .args([
            "-ti",
            "vt340",
            "-geometry",
            "80x30+0+0",
            "-bg",
            "white",
            "-fg",
            "black",
            "-e",
        ])
        .arg(&me)
        .args(["--exact", "show_photo_child", "--nocapture", "--test-threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut xterm = Killed(xterm);

    let s = wait_for(&status, "drawn");
    let probe = s.lines().find(|l| l.starts_with("probe")).unwrap().to_string();
    let p: Vec<&str> = probe.split(' ').collect();
    assert_eq!(p[1], "sixel", "xterm -ti vt340 says sixel: {s}");
    let (cw, ch): (u32, u32) = (p[2].parse().unwrap(), p[3].parse().unwrap());
    assert!(cw > 0 && ch > 0, "{s}");
    let at = show_photo::AT;
    let (x0, y0) = (BORDER + at.col as u32 * cw, BORDER + at.row as u32 * ch);
    let (x1, y1) = (x0 + at.cols as u32 * cw, y0 + at.rows as u32 * ch);

    // The terminal may take a moment to paint what it was sent.
    let started = Instant::now();
    let (shot, n, bbox) = loop {
        let (w, _, luma) = screenshot(&display, &dir.join("drawn.png"));
        let (n, bbox) = greys(w, &luma);
        if n > 1000 || started.elapsed() > DEADLINE {
            break ((w, luma), n, bbox);
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let (bx0, by0, bx1, by1) = bbox.expect("image pixels on the screen");
    // The photo: 378×472 fitted into 24×12 cells keeps its proportions, filling the height.
    let expect_h = (at.rows as u32 * ch) as usize;
    assert!(n > expect_h * expect_h / 3, "{n} grey pixels");
    assert!(
        bx0 >= x0 && by0 >= y0 && bx1 < x1 && by1 < y1,
        "image pixels {bbox:?} outside the photo's cells {:?}",
        (x0, y0, x1, y1)
    );
    // A photo, not a flat patch: many levels inside its box.
    let (w, luma) = shot;
    let mut levels = std::collections::BTreeSet::new();
    for y in by0..=by1 {
        for x in bx0..=bx1 {
            levels.insert(luma[(y * w + x) as usize] / 8);
        }
    }
    assert!(levels.len() >= 8, "{} grey levels", levels.len());

    // Esc: erased, nothing of it left anywhere on the screen.
    let win = Command::new("xdotool")
        .env("DISPLAY", &display)
        .args(["search", "--sync", "--class", "xterm"])
        .output()
        .unwrap();
    let win = String::from_utf8_lossy(&win.stdout).lines().last().unwrap().to_string();
    let key = |k: &str| {
        let ok = Command::new("xdotool")
            .env("DISPLAY", &display)
            .args(["windowfocus", "--sync", &win, "key", k])
            .status()
            .unwrap();
        assert!(ok.success(), "xdotool key {k}");
    };
    key("Escape");
    wait_for(&status, "erased");
    let started = Instant::now();
    loop {
        let (w, _, luma) = screenshot(&display, &dir.join("erased.png"));
        let (n, bbox) = greys(w, &luma);
        if n == 0 {
            break;
        }
        assert!(started.elapsed() < DEADLINE, "{n} image pixels left at {bbox:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    key("q");
    wait_for(&status, "done");
    let started = Instant::now();
    while xterm.0.try_wait().unwrap().is_none() && started.elapsed() < DEADLINE {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
