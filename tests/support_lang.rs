//! The support commands speak the clerk's language: under `ja` (the default) `outbox list`'s
//! column titles and `diagnose`'s configuration problem are Japanese, under `--lang en`
//! English; the values and the JSON documents stay as they are for scripts.

mod support;

use madoguchi::backend::station::StationStore;
use std::process::Command;
use support::tmp;
use support::BIN;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("LANG")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn outbox_list_titles_its_columns_in_the_clerks_language() {
    let dir = tmp("outbox");
    let outbox = dir.join("outbox.sqlite3");
    drop(StationStore::open(outbox.clone(), 100, "s1", "t", "terms", None, None).unwrap());
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, format!("[backend]\noutbox = \"{}\"\n", outbox.display())).unwrap();
    let cfg = cfg.to_str().unwrap();
    let (code, ja) = run(&["--config", cfg, "outbox", "list"]);
    assert_eq!(code, 0, "{ja}");
    let header = ja.lines().next().unwrap_or_default();
    for title in ["状態", "送信回数", "最後のエラー"] {
        assert!(header.contains(title), "{header}");
    }
    assert!(!header.contains("status") && !header.contains("last error"), "{header}");
    // Columns line up by display width: 状態 (4 columns) leaves 11 spaces to 15.
    assert!(header.contains("状態            送信回数"), "{header}");
    let (_, en) = run(&["--lang", "en", "--config", cfg, "outbox", "list"]);
    assert!(en.lines().next().unwrap_or_default().contains("last error"), "{en}");
    // Without --lang: the config's clerk_lang, as the station's.
    let ko_cfg = dir.join("ko.toml");
    std::fs::write(
        &ko_cfg,
        format!("clerk_lang = \"ko\"\n[backend]\noutbox = \"{}\"\n", outbox.display()),
    )
    .unwrap();
    let (_, ko) = run(&["--config", ko_cfg.to_str().unwrap(), "outbox", "list"]);
    assert!(ko.contains("마지막 오류"), "{ko}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diagnose_says_a_config_problem_in_the_clerks_language() {
    let dir = tmp("diagnose");
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, "lang = \"xx\"\n").unwrap();
    let cfg = cfg.to_str().unwrap();
    let (code, ja) = run(&["--config", cfg, "diagnose", "--no-probe"]);
    assert_eq!(code, 0, "{ja}");
    assert!(
        ja.contains("設定ファイル: ") && ja.contains("設定の問題") && ja.contains("1 行目"),
        "{ja}"
    );
    assert!(!ja.contains("config problem") && !ja.contains("config:"), "{ja}");
    let (_, en) = run(&["--lang", "en", "--config", cfg, "diagnose", "--no-probe"]);
    assert!(en.contains("config problem") && en.contains("line 1"), "{en}");
    // The JSON document keeps the error as it was.
    let (_, json) = run(&["--config", cfg, "diagnose", "--no-probe", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["station"]["problem"].as_str().unwrap().contains(":1: lang"), "{json}");
    let _ = std::fs::remove_dir_all(&dir);
}
