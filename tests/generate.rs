//! `madoguchi generate`: the man pages and completions the Debian package ships come from the
//! real CLI, one page per command, readable by everyone, and never list `generate` itself.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use support::BIN;

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
    assert!(main.contains("EXIT STATUS"));
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

/// The pages of `generate man`, by file name (a fresh directory each call).
fn man_pages(tag: &str) -> Vec<(String, String)> {
    let dir = std::env::temp_dir().join(format!("madoguchi-generate-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(BIN).args(["generate", "man"]).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut pages: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    pages.sort();
    std::fs::remove_dir_all(&dir).unwrap();
    pages
}

/// The body of section `name` (`.SH NAME` up to the next `.SH`), if the page has it.
fn section<'a>(page: &'a str, name: &str) -> Option<&'a str> {
    let start = page
        .find(&format!(".SH {name}\n"))
        .or_else(|| page.find(&format!(".SH \"{name}\"\n")))?;
    let body = &page[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    Some(&body[..body.find("\n.SH ").map_or(body.len(), |e| e + 1)])
}

/// Every option a page lists is followed by what it does (clap_mangen writes an empty line
/// for an option without help).
#[test]
fn every_option_on_every_page_is_described() {
    for (name, page) in man_pages("options") {
        let Some(options) = section(&page, "OPTIONS") else {
            continue;
        };
        let lines: Vec<&str> = options.lines().collect();
        for (i, _) in lines.iter().enumerate().filter(|(_, l)| **l == ".TP") {
            let item = lines.get(i + 1).copied().unwrap_or_default();
            let text = lines.get(i + 2).copied().unwrap_or_default();
            assert!(
                !text.trim().is_empty() && !text.starts_with('.'),
                "{name}: {item} has no description"
            );
        }
    }
}

/// Exit codes as a table (tbl) on the top page and on the pages of the commands whose help
/// ends with them; the same codes `--help` lists.
#[test]
fn exit_codes_are_a_table() {
    let help = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let codes: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Exit codes"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(codes.len() >= 9, "{help}");
    let pages = man_pages("exit");
    for want in ["madoguchi.1", "madoguchi-read.1", "madoguchi-cert.1"] {
        let page = &pages.iter().find(|(n, _)| n == want).unwrap().1;
        assert!(page.starts_with("'\\\" t\n"), "{want}: man must run tbl");
        let table = section(page, "EXIT STATUS").unwrap_or_else(|| panic!("{want}: no EXIT STATUS"));
        assert!(table.contains(".TS\n") && table.contains(".TE\n"), "{want}: {table}");
        for code in &codes {
            assert!(table.contains(&format!("\n{code}@T{{\n")), "{want}: code {code}");
        }
    }
}

/// KEYS on the station's and the demo's pages: every hinted key of the table (ui::keys) —
/// station-wide and each screen's — the demo's F8 only on the demo's page.
#[test]
fn keys_environment_and_files_sections() {
    use madoguchi::ui::keys::{Action, KEYS};
    let pages = man_pages("sections");
    let page = |n: &str| pages.iter().find(|(p, _)| p == n).unwrap().1.as_str();
    for (name, demo) in [("madoguchi.1", false), ("madoguchi-demo.1", true)] {
        let keys = section(page(name), "KEYS").unwrap_or_else(|| panic!("{name}: no KEYS"));
        for b in KEYS.iter().filter(|b| b.hint.is_some()) {
            let shown = keys.contains(&format!(".B {}\n", b.label().replace('-', "\\-")));
            assert_eq!(shown, demo || b.action != Action::DemoCard, "{name}: {}", b.label());
        }
        assert!(keys.contains("Enter") && keys.contains("Esc"), "{name}: screen keys");
    }
    // Every variable the sources read is explained on the top page.
    let env = section(page("madoguchi.1"), "ENVIRONMENT").expect("ENVIRONMENT");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut read = std::collections::BTreeSet::new();
    let mut dirs = vec![src];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for (i, _) in text.match_indices("env::var") {
                    let rest = &text[i..];
                    let Some(q) = rest.find("(\"") else { continue };
                    let name: String = rest[q + 2..].chars().take_while(|c| *c != '"').collect();
                    if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') && !name.is_empty() {
                        read.insert(name);
                    }
                }
            }
        }
    }
    for v in ["PGPASSFILE", "CREDENTIALS_DIRECTORY", "PGSSLROOTCERT", "MADOGUCHI_LOG"] {
        assert!(read.contains(v), "the scan finds {v}: {read:?}");
    }
    for v in &read {
        assert!(env.contains(v.as_str()), "ENVIRONMENT lacks {v}");
    }
    let receive = section(page("madoguchi-receive.1"), "ENVIRONMENT").expect("receive: ENVIRONMENT");
    assert!(
        receive.contains("PGPASSFILE") && !receive.contains("NO_COLOR"),
        "{receive}"
    );
    for name in ["madoguchi.1", "madoguchi-receive.1", "madoguchi-outbox-list.1"] {
        let files = section(page(name), "FILES").unwrap_or_else(|| panic!("{name}: no FILES"));
        assert!(files.contains("config.toml"), "{name}: {files}");
    }
    assert!(section(page("madoguchi-receive.1"), "FILES")
        .unwrap()
        .contains("/etc/default/madoguchi\\-receiver"));
}

/// Completions offer the fixed values: the seven languages for `--lang` (every command), the
/// built-in profiles for `--profile`.
#[test]
fn completions_offer_languages_and_profiles() {
    use madoguchi::card::vcard::profile::BUILTIN;
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(BIN)
            .args(["generate", "completions", shell])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let langs = ["ja", "en", "zh-Hans", "ko", "es", "pt-BR", "vi"];
        let profiles: Vec<&str> = BUILTIN.iter().map(|(name, _)| *name).collect();
        // How each shell writes a fixed list of values.
        let list = |values: &[&str]| match shell {
            "bash" => format!("compgen -W \"{}\"", values.join(" ")),
            "zsh" => format!(":({})'", values.join(" ")),
            _ => format!(
                "-a \"{}\"",
                values
                    .iter()
                    .map(|v| format!("{v}\\t''"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        };
        assert!(
            text.contains(&list(&langs)),
            "{shell} does not offer the languages for --lang"
        );
        assert!(
            text.contains(&list(&profiles)),
            "{shell} does not offer the profiles for --profile"
        );
    }
    // The codes, and the other spellings Lang::parse knows, are taken; others are refused
    // with the list.
    let out = Command::new(BIN)
        .args(["--lang", "pt", "status", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = Command::new(BIN).args(["--lang", "xx", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("zh-Hans"));
}
