//! Dependencies point one way. Each top-level module of the library may `use crate::…` only
//! the modules the README's layout table allows, and the table allows nothing that no import
//! uses; the table itself must have no cycle, and neither may the files of one directory
//! among themselves. Test code (a `#[cfg(test)]` block at the end of a file, `tests.rs`) and
//! comments don't count.

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
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
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
            used.entry(module.clone()).or_default().insert(u);
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
    let unused: Vec<String> = table
        .iter()
        .flat_map(|(m, allowed)| {
            let used = used.get(m).cloned().unwrap_or_default();
            allowed
                .iter()
                .filter(move |a| !used.contains(*a))
                .map(move |a| format!("`{m}` may use `{a}`, but no import does"))
        })
        .collect();
    assert!(
        unused.is_empty(),
        "allowances in the README's table that nothing uses:\n{}",
        unused.join("\n")
    );
}

/// The files (and directories) of `dir` that each file of `dir` imports: `super::x` from a
/// file beside `x`, or `crate::…::x` by its full path. `super::*` and the parent's own items
/// are not a sibling.
fn sibling_uses(src: &Path, dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let name = |p: &Path| p.file_stem().unwrap().to_string_lossy().to_string();
    let siblings: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "rs"))
        .map(|p| name(&p))
        .filter(|n| n != "mod" && n != "tests" && n != "lib" && n != "main")
        .collect();
    let module_path: Vec<String> = dir
        .strip_prefix(src)
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    let full = format!("crate::{}::", module_path.join("::"));
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in &siblings {
        let file = dir.join(format!("{s}.rs"));
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue; // a directory: its files are checked in their own directory
        };
        let code = text.split("#[cfg(test)]").next().unwrap();
        let mut found = BTreeSet::new();
        for line in code.lines() {
            let line = line.split("//").next().unwrap_or("");
            for prefix in ["super::", full.as_str()] {
                let mut rest = line;
                while let Some(i) = rest.find(prefix) {
                    rest = &rest[i + prefix.len()..];
                    let items: Vec<&str> = match rest.strip_prefix('{') {
                        Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
                        None => vec![rest],
                    };
                    for item in items {
                        let m: String = item
                            .trim()
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if siblings.contains(&m) && m != *s {
                            found.insert(m);
                        }
                    }
                }
            }
        }
        out.insert(s.clone(), found);
    }
    out
}

/// Kahn's algorithm: what is left once everything that depends on nothing left is taken away.
fn in_a_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut left = graph.clone();
    loop {
        let ready: Vec<String> = left
            .iter()
            .filter(|(_, deps)| deps.iter().all(|d| !left.contains_key(d)))
            .map(|(m, _)| m.clone())
            .collect();
        if ready.is_empty() {
            return left.into_keys().collect();
        }
        for m in ready {
            left.remove(&m);
        }
    }
}

#[test]
fn no_two_files_of_a_directory_import_each_other_round() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![src.clone()];
    let mut circles = Vec::new();
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            }
        }
        if dir == src {
            continue; // the top level is the README's table
        }
        let cycle = in_a_cycle(&sibling_uses(&src, &dir));
        if !cycle.is_empty() {
            circles.push(format!("{}: {cycle:?}", dir.strip_prefix(&src).unwrap().display()));
        }
    }
    assert!(
        circles.is_empty(),
        "files importing each other round:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_allowed_table_has_no_cycle() {
    let left = in_a_cycle(&allowed());
    assert!(left.is_empty(), "cycle among {left:?}");
}

#[test]
fn the_scanner_sees_grouped_and_plain_uses_but_not_comments() {
    let u = uses("use crate::{card::x, seam};\nlet a = crate::time::now(); // crate::ui\n/// crate::app");
    assert_eq!(u, ["card", "seam", "time"].iter().map(|s| s.to_string()).collect());
}

#[test]
fn the_sibling_scanner_sees_super_and_full_paths() {
    let dir = std::env::temp_dir().join(format!("madoguchi-layering-{}", std::process::id()));
    let d = dir.join("record");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("mod.rs"), "pub mod a;\npub mod b;\npub mod c;\n").unwrap();
    std::fs::write(d.join("a.rs"), "use super::b::X;\nuse super::*;\n").unwrap();
    std::fs::write(d.join("b.rs"), "use crate::record::{c::Y, a};\n// super::c\n").unwrap();
    std::fs::write(d.join("c.rs"), "#[cfg(test)]\nmod tests { use super::super::a; }\n").unwrap();
    let got = sibling_uses(&dir, &d);
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(got["a"], set(&["b"]));
    assert_eq!(got["b"], set(&["a", "c"]));
    assert_eq!(got["c"], set(&[]));
    assert_eq!(in_a_cycle(&got), ["a", "b"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The longest function of `code` over `limit` lines that no comment just above names as a
/// table or an exhaustive match: (first line, name, length). A function ends at the first
/// line that closes it at its own indentation.
fn long_functions(code: &str, limit: usize) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let indent = &line[..line.len() - t.len()];
        let decl = [
            "pub fn ",
            "pub(crate) fn ",
            "pub(super) fn ",
            "fn ",
            "async fn ",
            "pub async fn ",
            "const fn ",
            "pub const fn ",
        ];
        let Some(rest) = decl.iter().find_map(|d| t.strip_prefix(d)) else {
            continue;
        };
        if t.ends_with(';') {
            continue;
        }
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let close = format!("{indent}}}");
        let Some(len) = lines[i..].iter().position(|l| l.starts_with(&close) && l.trim() == "}") else {
            continue;
        };
        let named = lines[..i]
            .iter()
            .rev()
            .take_while(|l| {
                let l = l.trim_start();
                l.starts_with("//") || l.starts_with("#[")
            })
            .any(|l| l.contains("a table") || l.contains("an exhaustive match"));
        if len + 1 > limit && !named {
            out.push((i + 1, name, len + 1));
        }
    }
    out
}

/// Rooms a newcomer reads in one sitting (#21): no source file over 600 lines (tests
/// included), no function over 80 lines unless a comment names it as a table or an
/// exhaustive match.
#[test]
fn no_room_and_no_function_grows_past_a_sitting() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    let mut over = Vec::new();
    for f in files {
        let code = std::fs::read_to_string(&f).unwrap();
        let shown = f.strip_prefix(&src).unwrap().display().to_string();
        let n = code.lines().count();
        if n > 600 {
            over.push(format!("{shown}: {n} lines"));
        }
        for (line, name, len) in long_functions(&code, 80) {
            over.push(format!("{shown}:{line}: fn {name} is {len} lines"));
        }
    }
    assert!(over.is_empty(), "split these at their seams:\n{}", over.join("\n"));
}

#[test]
fn the_length_scanner_counts_to_the_closing_brace_and_honours_the_named_exceptions() {
    let body = "    x();\n".repeat(81);
    let long = format!("fn long() {{\n{body}}}\n");
    assert_eq!(long_functions(&long, 80), vec![(1, "long".to_string(), 83)]);
    assert!(long_functions(&format!("/// Keys: a table.\n{long}"), 80).is_empty());
    let nested = format!("impl X {{\n    pub fn short() {{\n        y();\n    }}\n}}\n{long}");
    assert_eq!(long_functions(&nested, 80), vec![(6, "long".to_string(), 83)]);
}
