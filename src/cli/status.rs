//! `madoguchi status`: reads the running station's status socket (see `app::status`).

use madoguchi::app::status::socket_candidates;
use madoguchi::i18n::{self, msg, Msg};
use madoguchi::lang::Lang;
use madoguchi::time::rfc3339_local;
use madoguchi::ui::wrap::str_width;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;

pub fn run(lang: Lang, json: bool, watch: bool) -> super::Outcome {
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
            return Err(super::Failure::NoStation);
        }
    };
    // Not fatal: a busy station answers and closes before reading the request.
    let _ = writeln!(conn, "{}", if watch { "watch" } else { "once" });
    for line in BufReader::new(conn).lines() {
        // A station that quits closes the socket (or resets it): said below, as its end.
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue; // keep-alive
        }
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if v["busy"] == true {
            // The station serves a handful of support clients at once.
            let max = v["max_clients"].as_u64().unwrap_or(0).to_string();
            eprintln!("{}", i18n::status_too_many(lang, &max));
            return Err(super::Failure::Internal);
        }
        if json {
            println!("{line}");
        } else {
            if watch {
                // Each snapshot under the time it came (the local clock's): blocks in a
                // scrolling terminal or a saved log tell apart.
                println!("{}", watch_rule(&rfc3339_local(&madoguchi::time::rfc3339_now())));
            }
            print!("{}", text(lang, &v, rfc3339_local));
        }
        if !watch {
            return Ok(());
        }
    }
    // The station went away (it quit, or closed before its first snapshot): said, with the
    // code for "no running station", so a script watching it knows.
    eprintln!("{}", i18n::status_station_gone(lang, &path.display().to_string()));
    Err(super::Failure::NoStation)
}

/// The line above each `--watch` snapshot.
fn watch_rule(now: &str) -> String {
    format!("── {now} ──")
}

/// The step's name in `lang` (the snapshot carries its code).
fn step(lang: Lang, code: &str) -> String {
    let m = match code {
        "consent" => Msg::StepConsent,
        "card" => Msg::StepCard,
        "pin" => Msg::StepPin,
        "reading" => Msg::StepReading,
        "confirm" => Msg::StepConfirm,
        "contact" => Msg::StepContact,
        "sign" => Msg::StepSign,
        "send" => Msg::StepSend,
        "done" => Msg::StepDone,
        other => return other.to_string(),
    };
    msg(lang, m).to_string()
}

/// A readable report in `lang`, labels padded by display width (a Japanese label is two
/// columns a character); names from devices are escaped (they come from drivers). The
/// station's times (UTC) are written by `time` (the local clock's, with its offset).
fn text(lang: Lang, v: &serde_json::Value, time: impl Fn(&str) -> String) -> String {
    let s = |k: &str| v[k].as_str().unwrap_or("-").to_string();
    let n = |x: &serde_json::Value| x.as_u64().unwrap_or(0);
    let l = |m: Msg| msg(lang, m).to_string();
    let mut rows: Vec<(String, String)> = Vec::new();
    rows.push((
        l(Msg::StatusLabelStation),
        format!("{} (madoguchi {})", s("station_id"), s("version")),
    ));
    rows.push((
        l(Msg::StatusLabelUptime),
        i18n::status_uptime(lang, n(&v["uptime_secs"])),
    ));
    let mut step_text = step(lang, &s("step"));
    if v["busy"].as_bool() == Some(true) {
        step_text = format!("{step_text} ({})", msg(lang, Msg::StatusBusy));
    }
    rows.push((l(Msg::StatusLabelStep), step_text));
    rows.push((l(Msg::StatusLabelReader), s("reader")));
    // Older stations send only `pcscd_running`.
    let pcscd = match v["pcscd"].as_str() {
        Some(state) => state.to_string(),
        None if v["pcscd_running"].as_bool() == Some(true) => "running".into(),
        None => "stopped".into(),
    };
    rows.push((l(Msg::StatusLabelPcscd), i18n::status_pcscd(lang, &pcscd)));
    rows.push((
        l(Msg::StatusLabelQueue),
        i18n::status_queue(lang, n(&v["queue"]["pending"]), n(&v["queue"]["review"])),
    ));
    if let Some(d) = v["last_delivery"].as_object() {
        let result = i18n::status_code(lang, d["result"].as_str().unwrap_or(""));
        rows.push((
            l(Msg::StatusLabelDelivery),
            format!("{} {result}", time(d["at"].as_str().unwrap_or(""))),
        ));
    }
    if let Some(c) = v["crl"].as_object() {
        let fresh = c["fresh"].as_bool().unwrap_or(false);
        rows.push((
            l(Msg::StatusLabelCrl),
            i18n::status_crl(lang, c["age_hours"].as_u64().unwrap_or(0), fresh),
        ));
    }
    let rtts: Vec<u64> = v["apdu_rtt_us"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_u64()).collect())
        .unwrap_or_default();
    if !rtts.is_empty() {
        let mut sorted = rtts.clone();
        sorted.sort_unstable();
        rows.push((
            l(Msg::StatusLabelApdu),
            i18n::status_apdu(lang, rtts.len(), sorted[sorted.len() / 2], sorted[sorted.len() - 1]),
        ));
    }
    let errors = v["errors"].as_array().cloned().unwrap_or_default();
    rows.push((
        l(Msg::StatusLabelErrors),
        i18n::status_errors(lang, errors.len(), n(&v["card_removals"]), n(&v["transmit_errors"])),
    ));
    for e in &errors {
        let code = i18n::status_code(lang, e["code"].as_str().unwrap_or(""));
        rows.push((
            String::new(),
            format!("{} {code}", time(e["at"].as_str().unwrap_or(""))),
        ));
    }
    let label_w = rows.iter().map(|(label, _)| str_width(label)).max().unwrap_or(0) + 2;
    let mut out = String::new();
    for (label, value) in rows {
        let pad = " ".repeat(label_w - str_width(&label));
        out.push_str(&format!("{label}{pad}{}\n", madoguchi::text::escape_untrusted(&value)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> serde_json::Value {
        serde_json::json!({
            "schema": 1, "version": "0.1.0", "station_id": "counter-01", "uptime_secs": 3600,
            "step": "done", "busy": false, "reader": "Virtual PCD 00 00", "pcscd_running": true,
            "pcscd": "running", "readers": [], "card_removals": 2, "transmit_errors": 1,
            "placement_suspect": false, "resends": 0, "apdu_rtt_us": [1200, 900, 30000],
            "errors": [{"at": "2026-12-01T01:00:00.000Z", "code": "wrong_pin"}],
            "queue": {"pending": 1, "review": 2, "oldest_age_secs": 60},
            "last_delivery": {"at": "2026-12-01T01:01:00.000Z", "result": "accepted"},
            "crl": {"age_hours": 3, "fresh": true}
        })
    }

    /// Issue 25 item 9: values line up by display width, and read in the clerk's language.
    #[test]
    fn japanese_values_line_up_and_are_in_japanese() {
        let out = text(Lang::Ja, &snapshot(), jst);
        let columns: Vec<usize> = out
            .lines()
            .map(|line| {
                let value_at = line
                    .char_indices()
                    .find(|&(i, c)| c != ' ' && line[..i].ends_with("  "))
                    .map(|(i, _)| i);
                str_width(&line[..value_at.unwrap_or(0)])
            })
            .collect();
        assert!(columns.windows(2).all(|w| w[0] == w[1]), "{columns:?}\n{out}");
        for english in ["done", "true", "review", "removals", "wrong_pin", "accepted", "fresh"] {
            assert!(!out.contains(english), "{english} in\n{out}");
        }
        for japanese in ["完了", "動作中", "要確認 2", "暗証番号の誤り", "受理", "取り外し 2"] {
            assert!(out.contains(japanese), "{japanese} in\n{out}");
        }
    }

    /// The clerk's clock in these tests: Japan's.
    fn jst(s: &str) -> String {
        let secs = madoguchi::time::parse_rfc3339(s).unwrap();
        madoguchi::time::rfc3339_in(secs, 9 * 3600)
    }

    /// The review of issue #25: the times and 最後の送信 came in UTC (`…Z`); they are the
    /// local clock's, in RFC 3339 with the offset.
    #[test]
    fn times_are_the_local_clocks_with_the_offset() {
        let out = text(Lang::Ja, &snapshot(), jst);
        assert!(out.contains("2026-12-01T10:01:00+09:00 受理"), "{out}");
        assert!(out.contains("2026-12-01T10:00:00+09:00 暗証番号の誤り"), "{out}");
        assert!(!out.contains("Z "), "{out}");
    }

    #[test]
    fn each_watched_snapshot_comes_under_its_time() {
        assert_eq!(
            watch_rule("2026-12-01T10:00:00+09:00"),
            "── 2026-12-01T10:00:00+09:00 ──"
        );
        let en = text(Lang::En, &snapshot(), jst);
        assert!(en.contains("Done") || en.contains("done"), "{en}");
    }
}
