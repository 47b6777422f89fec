//! `madoguchi status`: reads the running station's status socket (see `app::status`).

use madoguchi::app::status::socket_candidates;
use madoguchi::i18n::{self, Lang};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;

pub fn run(lang: Lang, json: bool, watch: bool) -> u8 {
    let candidates = socket_candidates();
    let path = candidates.iter().find(|p| p.exists()).unwrap_or(&candidates[0]).clone();
    // Only a socket in a directory of ours: in a shared temp dir another user could have
    // put one there that tells lies.
    let dir_ok = path.parent().map_or(Ok(()), madoguchi::app::status::check_private_dir);
    let mut conn = match dir_ok.and_then(|()| UnixStream::connect(&path)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "{}",
                i18n::status_no_station(lang, &path.display().to_string(), &e.to_string())
            );
            return 4;
        }
    };
    if writeln!(conn, "{}", if watch { "watch" } else { "once" }).is_err() {
        return 1;
    }
    for line in BufReader::new(conn).lines() {
        let Ok(line) = line else { return 1 };
        if line.trim().is_empty() {
            continue; // keep-alive
        }
        if json {
            println!("{line}");
        } else {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            print!("{}", text(lang, &v));
        }
        if !watch {
            break;
        }
    }
    0
}

/// A readable report; names from devices are escaped (they come from drivers).
fn text(lang: Lang, v: &serde_json::Value) -> String {
    let s = |k: &str| v[k].as_str().unwrap_or("-").to_string();
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        out.push_str(&format!("{label:<16} {}\n", madoguchi::text::escape_untrusted(&value)));
    };
    let l = |k: &str| i18n::status_label(lang, k);
    line(
        l("station"),
        format!("{} (madoguchi {})", s("station_id"), s("version")),
    );
    line(l("uptime"), format!("{} s", v["uptime_secs"]));
    line(l("step"), s("step"));
    line(l("reader"), s("reader"));
    line(l("pcscd"), v["pcscd_running"].to_string());
    line(
        l("queue"),
        format!("{} / review {}", v["queue"]["pending"], v["queue"]["review"]),
    );
    if let Some(d) = v["last_delivery"].as_object() {
        line(
            l("delivery"),
            format!(
                "{} {}",
                d["at"].as_str().unwrap_or(""),
                d["result"].as_str().unwrap_or("")
            ),
        );
    }
    if let Some(c) = v["crl"].as_object() {
        line("CRL", format!("{} h, fresh {}", c["age_hours"], c["fresh"]));
    }
    let rtts: Vec<u64> = v["apdu_rtt_us"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_u64()).collect())
        .unwrap_or_default();
    if !rtts.is_empty() {
        let mut sorted = rtts.clone();
        sorted.sort_unstable();
        line(
            l("apdu"),
            format!(
                "{} APDUs, median {} µs, max {} µs",
                rtts.len(),
                sorted[sorted.len() / 2],
                sorted[sorted.len() - 1]
            ),
        );
    }
    line(
        l("errors"),
        format!(
            "{} (removals {}, transmit {})",
            v["errors"].as_array().map_or(0, |a| a.len()),
            v["card_removals"],
            v["transmit_errors"]
        ),
    );
    for e in v["errors"].as_array().into_iter().flatten() {
        line(
            "",
            format!(
                "{} {}",
                e["at"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap_or("")
            ),
        );
    }
    out
}
