//! Dependencies point one way. Each top-level module of the library may `use crate::…` only
//! the modules the README's layout table allows; the table itself must have no cycle. Test
//! code (a `#[cfg(test)]` block at the end of a file, `tests.rs`) and comments don't count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn allowed() -> BTreeMap<String, BTreeSet<String>> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("<!-- layering:begin -->")
        .expect("layering table in README.md");
    let end = readme.find("<!-- layering:end -->").expect("end of the layering table");
    readme[start..end]
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let uses = cells[3]
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty() && *m != "—")
                .map(str::to_string)
                .collect();
            (cells[1].to_string(), uses)
        })
        .collect()
}

/// `crate::x` and `crate::{x, y::z}` in code, not in comments.
fn uses(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + 7..];
            if let Some(group) = rest.strip_prefix('{') {
                for item in group.split('}').next().unwrap_or("").split(',') {
                    let m = item.trim().split("::").next().unwrap_or("").trim();
                    if !m.is_empty() {
                        out.insert(m.to_string());
                    }
                }
            } else {
                let m: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                out.insert(m);
            }
        }
    }
    out
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            visit(&p, files);
        } else if p.extension().is_some_and(|x| x == "rs") {
            files.push(p);
        }
    }
}

#[test]
fn every_use_crate_follows_the_readme_table() {
    let table = allowed();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    let mut violations = Vec::new();
    let mut seen_modules = BTreeSet::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .to_string();
        let module = first.trim_end_matches(".rs").to_string();
        if ["main", "lib", "cli"].contains(&module.as_str()) || rel.ends_with("tests.rs") {
            continue;
        }
        seen_modules.insert(module.clone());
        let text = std::fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let Some(ok) = table.get(&module) else {
            violations.push(format!(
                "{}: module `{module}` is not in the README's layering table",
                rel.display()
            ));
            continue;
        };
        for u in uses(code) {
            if u != module && !ok.contains(&u) {
                violations.push(format!("{}: `{module}` uses `crate::{u}`, not allowed", rel.display()));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "upward or unlisted imports:\n{}",
        violations.join("\n")
    );
    for m in table.keys() {
        assert!(seen_modules.contains(m), "the table lists `{m}`, which is not a module");
    }
}

#[test]
fn the_allowed_table_has_no_cycle() {
    let table = allowed();
    // Kahn's algorithm: repeatedly remove modules whose allowed uses are all removed.
    let mut left: BTreeMap<String, BTreeSet<String>> = table.clone();
    loop {
        let ready: Vec<String> = left
            .iter()
            .filter(|(_, deps)| deps.iter().all(|d| !left.contains_key(d)))
            .map(|(m, _)| m.clone())
            .collect();
        if ready.is_empty() {
            break;
        }
        for m in ready {
            left.remove(&m);
        }
    }
    assert!(left.is_empty(), "cycle among {:?}", left.keys().collect::<Vec<_>>());
}

#[test]
fn the_scanner_sees_grouped_and_plain_uses_but_not_comments() {
    let u = uses("use crate::{card::x, seam};\nlet a = crate::time::now(); // crate::ui\n/// crate::app");
    assert_eq!(u, ["card", "seam", "time"].iter().map(|s| s.to_string()).collect());
}
