//! `madoguchi generate`: the man pages and completions the Debian package ships come from the
//! real CLI, one page per command, readable by everyone, and never list `generate` itself.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_madoguchi");

#[test]
fn man_pages_one_per_command_and_public() {
    let dir = std::env::temp_dir().join(format!("madoguchi-generate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let st = Command::new(BIN).args(["generate", "man"]).arg(&dir).status().unwrap();
    assert!(st.success());
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o755);
    for page in [
        "madoguchi.1",
        "madoguchi-demo.1",
        "madoguchi-diagnose.1",
        "madoguchi-outbox.1",
        "madoguchi-outbox-list.1",
        "madoguchi-receive.1",
    ] {
        let p = dir.join(page);
        assert_eq!(mode(&p), 0o644, "{page}");
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(".TH"), "{page}: not roff");
        assert!(!text.contains("generate"), "{page} lists generate");
    }
    let main = std::fs::read_to_string(dir.join("madoguchi.1")).unwrap();
    assert!(main.contains("Exit codes"));
    let receive = std::fs::read_to_string(dir.join("madoguchi-receive.1")).unwrap();
    for flag in ["listen", "db", "trust\\-ca", "seal\\-key", "tls\\-cert", "client\\-ca"] {
        assert!(receive.contains(flag), "madoguchi-receive.1 lacks {flag}");
    }
    assert!(!dir.join("madoguchi-generate.1").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn completions_for_bash_zsh_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(BIN)
            .args(["generate", "completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for word in ["diagnose", "outbox", "receive", "--trust-ca"] {
            let word = if shell == "fish" {
                word.trim_start_matches("--")
            } else {
                word
            };
            assert!(text.contains(word), "{shell} lacks {word}");
        }
        assert!(!text.contains("generate"), "{shell} lists generate");
    }
    let out = Command::new(BIN)
        .args(["generate", "completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
