//! `receive import` reads what an outsider may have written (issue #20 item 4): it streams the
//! file line by line, each line within the HTTP body limit (memory stays bounded whatever the
//! file holds), refuses what is not a regular file (a FIFO would block for ever, `/dev/zero`
//! never ends), and escapes every id it prints (a forged id must not reach a terminal through
//! `| tee`).

mod support;

use madoguchi::card::vcard::pki::TestPki;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::records;
use support::tmp;
use support::BIN;

/// A trust file (the import needs one) in `dir`.
fn trust(dir: &Path, pki: &TestPki) -> PathBuf {
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pki.sign_ca.cert.to_pem().unwrap()).unwrap();
    ca
}

struct Ran {
    code: Option<i32>,
    out: String,
    err: String,
    /// Peak resident memory of the process, in KiB.
    max_rss_kib: i64,
}

/// `madoguchi receive import` of `file` into `dir`'s database; killed (code None) when it has
/// not ended within `within`. The child is reaped with wait4(2), for its peak memory.
#[allow(clippy::zombie_processes)]
fn import(dir: &Path, ca: &Path, file: &Path, within: Duration) -> Ran {
    let mut child = Command::new(BIN)
        .args(["receive", "import", "--create", "--no-crl", "--db"])
        .arg(dir.join("r.sqlite3"))
        .arg("--trust-ca")
        .arg(ca)
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut so, mut se) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut so, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut se, &mut s);
        s
    });
    let pid = child.id() as i32;
    let end = Instant::now() + within;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter for wait4(2).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut code = None;
    loop {
        // SAFETY: wait4(2) on our own child, with valid out-pointers.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
            break;
        }
        if Instant::now() > end {
            // SAFETY: kill(2) and wait4(2) on our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ran {
        code,
        out: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        err: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
        max_rss_kib: usage.ru_maxrss,
    }
}

#[test]
fn only_regular_files_are_read() {
    let dir = tmp("regular");
    let ca = trust(&dir, &TestPki::generate().unwrap());
    let fifo = dir.join("carried.fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for file in [fifo.as_path(), Path::new("/dev/zero"), dir.as_path()] {
        let r = import(&dir, &ca, file, Duration::from_secs(20));
        assert_eq!(
            r.code,
            Some(1),
            "{}: still reading, or {:?}: {}",
            file.display(),
            r.code,
            r.err
        );
        assert!(r.err.contains("not a regular file"), "{}: {}", file.display(), r.err);
    }
    assert!(
        !dir.join("r.sqlite3").exists(),
        "nothing opened before the files were checked"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lines_are_read_one_at_a_time_within_the_body_limit() {
    let dir = tmp("stream");
    let pki = TestPki::generate().unwrap();
    let ca = trust(&dir, &pki);
    let mut signer = records::Signer::new(&pki, "yamada");
    let line = |id: &str, body: &[u8]| madoguchi::backend::carry::line(id, false, body, None).unwrap() + "\n";
    let file = dir.join("big.jsonl");
    let mut f = std::fs::File::create(&file).unwrap();
    // Line 1: 64 MiB without a newline until its end (once read whole, by the old import).
    let chunk = vec![b'x'; 1 << 20];
    f.write_all(b"{\"enrollment_id\":\"huge\",\"sealed\":false,\"body\":{\"pad\":\"")
        .unwrap();
    for _ in 0..64 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\"}}\n").unwrap();
    // Line 2: a record over the HTTP body limit, in a line the reader still holds.
    let mut over: serde_json::Value = serde_json::from_slice(&signer.record("s1", "over")).unwrap();
    over["pad"] = "y".repeat(madoguchi::backend::receiver::BODY_LIMIT).into();
    f.write_all(line("over", &serde_json::to_vec(&over).unwrap()).as_bytes())
        .unwrap();
    // Line 3: a genuine record, still taken in.
    f.write_all(line("fine", &signer.record("s1", "fine")).as_bytes())
        .unwrap();
    drop(f);

    let r = import(&dir, &ca, &file, Duration::from_secs(120));
    assert_eq!(r.code, Some(3), "{}{}", r.out, r.err);
    assert!(
        r.out
            .lines()
            .any(|l| l.starts_with("refused\t") && l.contains("line 1: longer than")),
        "{}",
        r.out
    );
    assert!(
        r.out
            .lines()
            .any(|l| l.starts_with("refused\t") && l.contains("line 2: record larger than 262144 bytes")),
        "{}",
        r.out
    );
    assert!(r.out.contains("accepted 1"), "{}", r.out);
    assert_eq!(
        madoguchi::backend::receiver::accepted_count(&dir.join("r.sqlite3")).unwrap(),
        1
    );
    // The 64 MiB line was never held (the whole process stays well under its size).
    assert!(r.max_rss_kib < 48 * 1024, "peak memory {} KiB", r.max_rss_kib);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_id_printed_is_escaped() {
    let dir = tmp("escape");
    let ca = trust(&dir, &TestPki::generate().unwrap());
    let file = dir.join("forged.jsonl");
    let mut text = String::new();
    for id in ["\u{1b}]0;pwned\u{7}", "\u{1b}[2J\u{1b}[H", "ok\u{9b}31m"] {
        text.push_str(&madoguchi::backend::carry::line(id, false, br#"{"station_id":"s1"}"#, None).unwrap());
        text.push('\n');
    }
    std::fs::write(&file, text).unwrap();
    // stdout is a pipe here, as with `| tee`: the plain progress lines print each id.
    let r = import(&dir, &ca, &file, Duration::from_secs(60));
    assert_eq!(r.code, Some(3), "{}{}", r.out, r.err);
    let all = r.out.clone() + &r.err;
    assert!(
        !all.contains(['\u{1b}', '\u{7}', '\u{9b}']),
        "a control character reached the output: {all:?}"
    );
    assert!(all.contains("\\u{1b}]0;pwned\\u{7}"), "shown escaped: {all}");
    let _ = std::fs::remove_dir_all(&dir);
}
