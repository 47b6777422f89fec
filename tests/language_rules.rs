//! Language rules live in the catalogue (`i18n/<lang>/*.ftl`), not in Rust (issue #21 item
//! 2): no Japanese, Chinese or Korean text in the code of `src/` — no 年/元/원 to write a date,
//! no "、" to join a list — outside comments, tests and the few files where such characters
//! are data, not a way of writing; and no pane or `madoguchi read` joins a label to its value
//! ("ID: …", "Enter: …") with a colon of its own.

use std::path::{Path, PathBuf};

/// Where CJK characters are data the code works on, not language it writes, and why. A path
/// ending in `/` covers a directory; `Some(chars)` allows only those characters.
const DATA: &[(&str, Option<&str>, &str)] = &[
    ("src/wareki.rs", None, "the era table: each era's name"),
    (
        "src/lang.rs",
        None,
        "each language's name in its own script, as the picker shows it",
    ),
    (
        "src/ui/wrap.rs",
        None,
        "JIS X 4051's classes of characters a line may not start or end with",
    ),
    (
        "src/ui/screens/pin.rs",
        Some("＊＿"),
        "the masked and empty PIN boxes, two columns wide",
    ),
    (
        "src/ui/screens/face.rs",
        Some("＊＿"),
        "the masked and empty boxes of the card face's digits, like the PIN's",
    ),
    (
        "src/card/",
        None,
        "the card's own text: 旧氏 in the name field, J-LIS substitutions, profiles",
    ),
    (
        "src/record/",
        None,
        "the card-certificate comparison folds full-width forms and （旧氏）",
    ),
    (
        "src/backend/",
        None,
        "the receiver's English operator lines name 利用者証明 as J-LIS does",
    ),
    (
        "src/cli/receive",
        None,
        "the receiver's English operator lines name 利用者証明 as J-LIS does",
    ),
    ("src/fuzz_targets.rs", None, "sample card data"),
    ("src/main.rs", None, "the program's name, 窓口, in --help"),
];

/// Where panes and `read` put text together: their joins come from the catalogue.
const JOINERS: &[&str] = &[
    "src/ui/screens/",
    "src/ui/frame/",
    "src/ui/station.rs",
    "src/ui/diagnostics_pane.rs",
    "src/cli/read.rs",
];

fn cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x3000..=0x30FF | 0x3130..=0x318F | 0x31F0..=0x31FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Each file of `src/` (its path from the crate root) and its code lines: what precedes the
/// first `#[cfg(test)]`, without `//` comments; test files (`tests.rs`, and the files of a
/// `tests/` module such as `src/flow/tests/challenge.rs`) left out.
fn code() -> Vec<(String, Vec<(usize, String)>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|f| !f.ends_with("tests.rs"))
        .filter(|f| {
            !f.strip_prefix(root)
                .unwrap()
                .components()
                .any(|c| c.as_os_str() == "tests")
        })
        .map(|f| {
            let rel = f.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&f).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let lines = code
                .lines()
                .enumerate()
                .map(|(i, l)| (i + 1, l.split("//").next().unwrap_or("").to_string()))
                .collect();
            (rel, lines)
        })
        .collect()
}

fn covers(path: &str, rel: &str) -> bool {
    if path.ends_with('/') {
        rel.starts_with(path)
    } else {
        rel == path || rel.starts_with(&format!("{path}/")) || rel.starts_with(&format!("{path}."))
    }
}

#[test]
fn no_cjk_text_in_the_code_outside_its_data() {
    let mut found = Vec::new();
    for (rel, lines) in code() {
        let allowed = DATA
            .iter()
            .find(|(p, _, _)| covers(p, &rel))
            .map(|(_, chars, _)| *chars);
        for (n, line) in lines {
            let bad: String = line
                .chars()
                .filter(|c| cjk(*c))
                .filter(|c| match allowed {
                    None => true,
                    Some(None) => false,
                    Some(Some(chars)) => !chars.contains(*c),
                })
                .collect();
            if !bad.is_empty() {
                found.push(format!("{rel}:{n}: {bad}   {}", line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "text in a language belongs in i18n/<lang>/*.ftl (or, if it is data, in DATA with why):\n{}",
        found.join("\n")
    );
}

/// A string literal of the panes or of `read` that joins a word or a value to what follows
/// with a colon ("ID: {id}", "{k}: {word}"): the catalogue's `labelled` and `key-hint` do.
#[test]
fn no_pane_joins_a_label_with_a_colon_of_its_own() {
    let mut found = Vec::new();
    for (rel, lines) in code() {
        if !JOINERS.iter().any(|p| covers(p, &rel)) {
            continue;
        }
        for (n, line) in lines {
            // The string literals of the line (no escaped quotes in the code scanned).
            for lit in line.split('"').skip(1).step_by(2) {
                let joins = lit
                    .match_indices(": ")
                    .any(|(i, _)| lit[..i].ends_with(|c: char| c.is_alphanumeric() || c == '}'));
                if joins {
                    found.push(format!("{rel}:{n}: {:?}   {}", lit, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "a label joined in Rust:\n{}", found.join("\n"));
}

/// The scans see what they look for: the code that used to write the birth date and the
/// done screen's id would fail them.
#[test]
fn the_scans_catch_what_they_are_for() {
    let old = r#"(Lang::Ko, Some((era, y))) => format!("{} ({} {}년)", d.iso(), era, first(y, "원")),"#;
    assert!(old.chars().any(cjk));
    let lit = "ID: {enrollment_id}";
    assert!(lit
        .match_indices(": ")
        .any(|(i, _)| lit[..i].ends_with(char::is_alphanumeric)));
    assert!(covers("src/cli/receive", "src/cli/receive.rs"));
    assert!(covers("src/cli/receive", "src/cli/receive/check.rs"));
    assert!(!covers("src/cli/receive", "src/cli/received.rs"));
    assert!(covers("src/ui/", "src/ui/screens/done.rs"));
}
