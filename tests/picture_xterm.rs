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

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::status::{runtime_dir, Killed};

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

/// Xvfb on a display it picks itself (`-displayfd`: no race with another test or session
/// starting one at the same time), ready once it has written the display's number.
fn xvfb() -> (Killed, String) {
    use std::io::BufRead;
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let out = child.stdout.take().unwrap();
    let x = Killed(child);
    std::io::BufReader::new(out).read_line(&mut line).unwrap();
    let n: u32 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("Xvfb said no display: {line:?}"));
    (x, format!(":{n}"))
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
    let dir: PathBuf = support::tmp("xterm");
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

/// The size of xterm's cells in pixels, from its window's size (80×30 cells inside the inner
/// border of 2 pixels on each side).
fn cell_size(display: &str, win: &str) -> (u32, u32) {
    let out = Command::new("xdotool")
        .env("DISPLAY", display)
        .args(["getwindowgeometry", "--shell", win])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let field = |k: &str| -> u32 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {k} in {text}"))
    };
    let (w, h) = (field("WIDTH") - 4, field("HEIGHT") - 4);
    assert!(w % 80 == 0 && h % 30 == 0, "80x30 cells in {w}x{h} pixels?");
    (w / 80, h / 30)
}

/// The whole station in xterm (sixel): `madoguchi demo` from 同意 through the PIN and the
/// clerk's card-face step (the demo card's expiry year and security code) to the confirm
/// screen. A screenshot must show the photo's pixels in the cells where the confirm screen
/// puts it (`ui::station::picture_places`), and image pixels nowhere but in the pictures' cells;
/// after Esc (start over) none anywhere. Steps are followed through the status socket.
#[test]
fn the_demo_draws_the_chips_photo_on_the_confirm_screen_and_esc_removes_it() {
    use madoguchi::picture::Method;
    use madoguchi::ui::station::{picture_places, FacePicture};
    use ratatui::layout::Rect;
    if std::env::var_os(CHILD).is_some() || !tools_present() {
        return;
    }
    let dir: PathBuf = support::tmp("xterm-demo");
    let run = runtime_dir(&dir);
    let (_x, display) = xvfb();
    // Monochrome (NO_COLOR): text in xterm's two colours only, so any grey is a picture's.
    let _xterm = Killed(
        Command::new("xterm")
            .env("DISPLAY", &display)
            .env("XDG_RUNTIME_DIR", &run)
            .env("NO_COLOR", "1")
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
            .arg(env!("CARGO_BIN_EXE_madoguchi"))
            .args(["--lang", "en", "demo", "--profile", "yamada", "--data-dir"])
            .arg(dir.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_step(&run, "consent");
    let win = Command::new("xdotool")
        .env("DISPLAY", &display)
        .args(["search", "--sync", "--class", "xterm"])
        .output()
        .unwrap();
    let win = String::from_utf8_lossy(&win.stdout).lines().last().unwrap().to_string();
    let xdo = |args: &[&str]| {
        let mut all = vec!["windowfocus", "--sync", win.as_str()];
        all.extend_from_slice(args);
        let ok = Command::new("xdotool")
            .env("DISPLAY", &display)
            .args(&all)
            .status()
            .unwrap();
        assert!(ok.success(), "xdotool {args:?}");
    };
    let (cw, ch) = cell_size(&display, &win);

    xdo(&["key", "End", "Return"]);
    wait_step(&run, "pin");
    xdo(&["type", "1234"]);
    xdo(&["key", "Return"]);
    // The clerk's step (its screen belongs to 読み取り): what the status line shows.
    wait_step(&run, "reading");
    xdo(&["type", "20352285"]);
    xdo(&["key", "Return"]);
    wait_step(&run, "confirm");

    let places = picture_places(
        Rect::new(0, 0, 80, 30),
        Method::Sixel {
            cell_px: (cw as u16, ch as u16),
        },
    );
    let px = |c: &madoguchi::picture::Cells| {
        let (x0, y0) = (BORDER + c.col as u32 * cw, BORDER + c.row as u32 * ch);
        (x0, y0, x0 + c.cols as u32 * cw, y0 + c.rows as u32 * ch)
    };
    let photo = px(&places
        .iter()
        .find(|(w, _)| *w == FacePicture::Photo)
        .expect("the photo has a place")
        .1);
    let inside = |(x0, y0, x1, y1): (u32, u32, u32, u32), x: u32, y: u32| x >= x0 && x < x1 && y >= y0 && y < y1;
    // Image pixels in the photo's cells (the terminal may take a moment to paint them).
    let started = Instant::now();
    let (w, luma) = loop {
        let (w, _, luma) = screenshot(&display, &dir.join("confirm.png"));
        let n = luma
            .iter()
            .enumerate()
            .filter(|(i, v)| (10..=245).contains(*v) && inside(photo, *i as u32 % w, *i as u32 / w))
            .count();
        if n > 2000 {
            break (w, luma);
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{n} image pixels where the photo belongs {photo:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut levels = std::collections::BTreeSet::new();
    for y in photo.1..photo.3 {
        for x in photo.0..photo.2 {
            levels.insert(luma[(y * w + x) as usize] / 8);
        }
    }
    assert!(
        levels.len() >= 8,
        "a photo, not a flat patch: {} grey levels",
        levels.len()
    );
    // Nothing drawn outside the pictures' cells.
    let cells: Vec<_> = places.iter().map(|(_, c)| px(c)).collect();
    let stray = luma
        .iter()
        .enumerate()
        .filter(|(i, v)| {
            let (x, y) = (*i as u32 % w, *i as u32 / w);
            (10..=245).contains(*v) && !cells.iter().any(|c| inside(*c, x, y))
        })
        .count();
    assert_eq!(stray, 0, "image pixels outside the pictures' cells {cells:?}");

    // Esc: start over; the photo and the images are gone from the screen.
    xdo(&["key", "Escape"]);
    wait_step(&run, "consent");
    let started = Instant::now();
    loop {
        let (w, _, luma) = screenshot(&display, &dir.join("after-esc.png"));
        let (n, bbox) = greys(w, &luma);
        if n == 0 {
            break;
        }
        assert!(started.elapsed() < DEADLINE, "{n} image pixels left at {bbox:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits until the station of `run` is on `step`, nothing in flight (`support::status`).
fn wait_step(run: &Path, step: &str) {
    support::status::wait_step(run, step, DEADLINE, || Command::new(env!("CARGO_BIN_EXE_madoguchi")));
}
