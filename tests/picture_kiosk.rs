//! The photo in the kiosk (issue #24, "the kiosk unit does the same"): the command line of
//! pkg/systemd/madoguchi-kiosk.service — cage running foot — on wlroots' headless backend,
//! with `madoguchi demo` in place of the configured station. grim screenshots cage's output
//! (wlr-screencopy); the photo's pixels must be where the confirm screen puts it, and gone
//! after Esc.
//!
//! cage has no virtual-keyboard protocol (wtype cannot type into it), so foot runs
//! tests/support/kiosk_relay.py, which runs the station in a pty of its own, passes bytes both
//! ways unchanged (sixel included) and types what the test writes to a FIFO.
//!
//! cage refuses to run as root: as root, the kiosk runs as `nobody` (setpriv), like the unit's
//! unprivileged station user. foot draws text red on white, so a grey pixel (R = G = B, neither
//! black nor white) can only be a picture's, even with anti-aliased glyphs. Needs `cage foot
//! grim python3` (`.ci/run` installs them): SKIPPED without them, except under CI.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::status::{runtime_dir, Killed};

/// How long to wait for a step (generous: a loaded machine).
const DEADLINE: Duration = Duration::from_secs(60);

/// The unprivileged user the kiosk runs as when the test runs as root.
const NOBODY: u32 = 65534;

fn tools_present() -> bool {
    let missing: Vec<&str> = ["cage", "foot", "grim", "python3", "setpriv"]
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
    let why = format!("{} not installed (Debian: cage foot grim python3)", missing.join(", "));
    if std::env::var_os("CI").is_some() {
        panic!("{why}: CI must run this test (see .ci/run)");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
    false
}

fn root() -> bool {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() == 0 }
}

/// `program`, as `nobody` when the test runs as root (cage refuses root; the station's status
/// socket answers its own user only).
fn as_kiosk_user(program: impl AsRef<std::ffi::OsStr>) -> Command {
    if root() {
        let mut c = Command::new("setpriv");
        c.args([
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
        ])
        .arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// The unit's ExecStart, split into words (double quotes group, as systemd reads this line).
fn unit_command() -> Vec<String> {
    let unit = include_str!("../pkg/systemd/madoguchi-kiosk.service");
    let line = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("the kiosk unit has an ExecStart");
    let (mut words, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// Waits for a file the kiosk writes and returns its contents.
fn wait_file(path: &Path) -> String {
    let started = Instant::now();
    loop {
        if let Ok(s) = std::fs::read_to_string(path) {
            return s;
        }
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {}", path.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// cage's output as (width, luma per pixel, grey or not per pixel), through grim.
fn screenshot(run: &Path, file: &Path) -> (u32, Vec<u8>, Vec<bool>) {
    let display = std::fs::read_dir(run)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.starts_with("wayland-") && !n.ends_with(".lock"))
        .expect("cage's Wayland socket");
    let ok = Command::new("grim")
        .env("XDG_RUNTIME_DIR", run)
        .env("WAYLAND_DISPLAY", display)
        .arg(file)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success(), "grim failed");
    let bytes = std::fs::read(file).unwrap();
    let mut d = png::Decoder::new(std::io::Cursor::new(&bytes[..]));
    d.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut r = d.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert!(channels >= 3, "grim writes RGB");
    let px = buf[..info.buffer_size()].chunks_exact(channels);
    let luma = px
        .clone()
        .map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8)
        .collect::<Vec<_>>();
    // Red-on-white text blends keep R at 255: only a picture has R = G = B in between.
    let grey = px
        .zip(&luma)
        .map(|(p, &l)| p[0].abs_diff(p[1]) <= 8 && p[1].abs_diff(p[2]) <= 8 && (10..=245).contains(&l))
        .collect();
    (info.width, luma, grey)
}

/// The kiosk unit's cage + foot running `madoguchi demo`: from 同意 through the PIN and the
/// clerk's card-face step to the confirm screen. A screenshot of cage's output must show the
/// photo's pixels in the cells where the confirm screen puts it (`ui::station::picture_places`)
/// and image pixels nowhere but in the pictures' cells; after Esc (start over) none anywhere.
#[test]
fn the_kiosk_draws_the_chips_photo_on_the_confirm_screen_and_esc_removes_it() {
    use madoguchi::picture::Method;
    use madoguchi::ui::station::{picture_places, FacePicture};
    use ratatui::layout::Rect;
    if !tools_present() {
        return;
    }
    let dir: PathBuf = support::tmp("kiosk");
    let run = runtime_dir(&dir);
    let relay = dir.join("kiosk_relay.py");
    std::fs::write(&relay, include_str!("support/kiosk_relay.py")).unwrap();
    let (keys, size) = (dir.join("keys"), dir.join("size"));
    let ok = Command::new("mkfifo").arg(&keys).status().unwrap();
    assert!(ok.success(), "mkfifo");
    if root() {
        let ok = Command::new("chown")
            .args(["-R", &format!("{NOBODY}:{NOBODY}")])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(ok.success(), "chown");
    }

    // The unit's command line up to the station, which becomes the relay running the demo.
    let unit = unit_command();
    let station = unit
        .iter()
        .position(|w| w == "/usr/bin/madoguchi")
        .expect("the unit runs madoguchi");
    let foot = unit
        .iter()
        .position(|w| w == "/usr/bin/foot")
        .expect("the unit runs foot");
    assert_eq!(unit[0], "/usr/bin/cage", "the unit runs cage: {unit:?}");
    let mut kiosk = as_kiosk_user(&unit[0]);
    kiosk.args(&unit[1..=foot]);
    // Red on white, so that glyphs' edges are never grey; no padding, so cell (0, 0) is at
    // pixel (0, 0).
    kiosk.args([
        "--override=colors.foreground=ff0000",
        "--override=colors.background=ffffff",
        "--override=pad=0x0",
    ]);
    kiosk.args(&unit[foot + 1..station]);
    kiosk
        .arg("python3")
        .arg(&relay)
        .arg(&size)
        .arg(&keys)
        .arg(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["--lang", "en", "demo", "--profile", "yamada", "--data-dir"])
        .arg(dir.join("data"));
    let _kiosk = Killed(
        kiosk
            .env("XDG_RUNTIME_DIR", &run)
            .env("HOME", &dir)
            .env("LANG", "C.UTF-8")
            .env("NO_COLOR", "1")
            .env("WLR_BACKENDS", "headless")
            .env("WLR_LIBINPUT_NO_DEVICES", "1")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_step(&run, "consent");
    let mut fifo = std::fs::OpenOptions::new().write(true).open(&keys).unwrap();
    let mut key = |bytes: &str| {
        use std::io::Write;
        fifo.write_all(bytes.as_bytes()).unwrap();
        fifo.flush().unwrap();
        // One read per key, as a keyboard sends them.
        std::thread::sleep(Duration::from_millis(100));
    };

    // End, Enter: agree; the PIN; the clerk's expiry year and security code.
    key("\x1b[F");
    key("\r");
    wait_step(&run, "pin");
    key("1234");
    key("\r");
    wait_step(&run, "reading");
    key("20352285");
    key("\r");
    wait_step(&run, "confirm");

    // foot's size as the station sees it (the relay passes it on, resizes included).
    let s = wait_file(&size);
    let n: Vec<u32> = s.split_whitespace().map(|v| v.parse().unwrap()).collect();
    let (cols, rows, cw, ch) = (n[0], n[1], n[2] / n[0], n[3] / n[1]);
    assert!(cols >= 80 && rows >= 24 && cw > 0 && ch > 0, "foot's size {s:?}");
    let places = picture_places(
        Rect::new(0, 0, cols as u16, rows as u16),
        Method::Sixel {
            cell_px: (cw as u16, ch as u16),
        },
    );
    let px = |c: &madoguchi::picture::Cells| {
        let (x0, y0) = (c.col as u32 * cw, c.row as u32 * ch);
        (x0, y0, x0 + c.cols as u32 * cw, y0 + c.rows as u32 * ch)
    };
    let photo = px(&places
        .iter()
        .find(|(w, _)| *w == FacePicture::Photo)
        .expect("the photo has a place")
        .1);
    let inside = |(x0, y0, x1, y1): (u32, u32, u32, u32), x: u32, y: u32| x >= x0 && x < x1 && y >= y0 && y < y1;
    // Image pixels in the photo's cells (foot may take a moment to paint them).
    let started = Instant::now();
    let (w, luma, grey) = loop {
        let (w, luma, grey) = screenshot(&run, &dir.join("confirm.png"));
        let n = grey
            .iter()
            .enumerate()
            .filter(|(i, g)| **g && inside(photo, *i as u32 % w, *i as u32 / w))
            .count();
        if n > 2000 {
            break (w, luma, grey);
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{n} image pixels where the photo belongs {photo:?} (screenshot: {})",
            dir.join("confirm.png").display()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut levels = std::collections::BTreeSet::new();
    for y in photo.1..photo.3 {
        for x in photo.0..photo.2 {
            let i = (y * w + x) as usize;
            if grey[i] {
                levels.insert(luma[i] / 8);
            }
        }
    }
    assert!(
        levels.len() >= 8,
        "a photo, not a flat patch: {} grey levels",
        levels.len()
    );
    // Nothing drawn outside the pictures' cells.
    let cells: Vec<_> = places.iter().map(|(_, c)| px(c)).collect();
    let stray = grey
        .iter()
        .enumerate()
        .filter(|(i, g)| **g && !cells.iter().any(|c| inside(*c, *i as u32 % w, *i as u32 / w)))
        .count();
    assert_eq!(stray, 0, "image pixels outside the pictures' cells {cells:?}");

    // Esc: start over; the photo and the images are gone from the screen.
    key("\x1b");
    wait_step(&run, "consent");
    let started = Instant::now();
    loop {
        let (_, _, grey) = screenshot(&run, &dir.join("after-esc.png"));
        let n = grey.iter().filter(|g| **g).count();
        if n == 0 {
            break;
        }
        assert!(started.elapsed() < DEADLINE, "{n} image pixels left after Esc");
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits until the station of `run` is on `step`, nothing in flight (`support::status`).
fn wait_step(run: &Path, step: &str) {
    support::status::wait_step(run, step, DEADLINE, || as_kiosk_user(env!("CARGO_BIN_EXE_madoguchi")));
}
