//! `madoguchi diagnose [--json] [--watch]`: what pcscd, the readers and the card look like,
//! for a support person (over SSH, as text or JSON). Never card data or PINs.

use super::Outcome;
use madoguchi::card::{CardError, TransportError};
use madoguchi::i18n::{self, msg, Msg};
use madoguchi::lang::Lang;
use madoguchi::reader::diagnostics::{self, Diagnostics, Measured, Pcscd, ReaderDiag};
use madoguchi::reader::monitor::{Monitor, ReaderEvent};
use serde::Serialize;
use std::io::Write;

/// The text report with every line's untrusted characters escaped (newlines kept).
fn printable(report: &str) -> String {
    let mut out: String = report
        .lines()
        .map(|l| madoguchi::text::escape_untrusted(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    if report.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// What the station's own configuration says about sealing and revocation: the `kid` of the
/// backend key records are sealed to (for key rotation), and the CRL's age.
#[derive(Serialize, Default)]
struct StationFacts {
    config: Option<String>,
    seal_kid: Option<String>,
    crl_age_hours: Option<u64>,
    crl_fresh: Option<bool>,
    /// The problem as the error says it (JSON); the text report says it in `lang`.
    problem: Option<String>,
    #[serde(skip)]
    problem_kind: Option<Problem>,
}

/// What is wrong with the station's configuration, kept apart from its wording.
enum Problem {
    Invalid { path: String, line: usize, message: String },
    Unreadable { path: String, error: String },
    File { key: &'static str, error: String },
}

impl Problem {
    fn text(&self, lang: Lang) -> String {
        match self {
            Problem::Invalid { path, line, message } => i18n::diag_config_invalid(lang, path, *line, message),
            Problem::Unreadable { path, error } => i18n::diag_config_unreadable(lang, path, error),
            Problem::File { key, error } => i18n::diag_config_file_problem(lang, key, error),
        }
    }
}

impl StationFacts {
    fn problem(&mut self, p: Problem) {
        self.problem = Some(match &p {
            Problem::Invalid { path, line, message } => format!("{path}:{line}: {message}"),
            Problem::Unreadable { path, error } => format!("cannot read {path}: {error}"),
            Problem::File { key, error } => format!("{key}: {error}"),
        });
        self.problem_kind = Some(p);
    }
}

fn station_facts(config: Option<&std::path::Path>) -> Option<StationFacts> {
    let path = config
        .map(std::path::Path::to_path_buf)
        .or_else(madoguchi::config::default_path)?;
    if !path.exists() {
        return None;
    }
    let mut f = StationFacts {
        config: Some(path.display().to_string()),
        ..StationFacts::default()
    };
    let cfg = match madoguchi::config::Config::load(Some(&path)) {
        Ok(c) => c,
        Err(e) => {
            f.problem(match e {
                madoguchi::config::ConfigError::Invalid { path, line, message } => {
                    Problem::Invalid { path, line, message }
                }
                madoguchi::config::ConfigError::Io { path, source } => Problem::Unreadable {
                    path,
                    error: source.to_string(),
                },
            });
            return Some(f);
        }
    };
    if let Some(p) = &cfg.backend.public_key {
        match std::fs::read(p)
            .map_err(|e| e.to_string())
            .and_then(|t| madoguchi::backend::jwe::public_keys(&t))
        {
            Ok(keys) => f.seal_kid = keys.first().and_then(|k| madoguchi::backend::jwe::thumbprint(k).ok()),
            Err(error) => f.problem(Problem::File {
                key: "public_key",
                error,
            }),
        }
    }
    if let Some(p) = &cfg.checks.crl_file {
        match madoguchi::backend::station::StationCrl::load(p, cfg.checks.crl_max_age_hours as i64 * 3600) {
            Ok(c) => {
                f.crl_age_hours = Some(c.age_secs().max(0) as u64 / 3600);
                f.crl_fresh = Some(c.fresh());
            }
            Err(e) => f.problem(Problem::File {
                key: "crl_file",
                error: e.to_string(),
            }),
        }
    }
    Some(f)
}

pub fn run(lang: Lang, json: bool, watch: bool, no_probe: bool, config: Option<&std::path::Path>) -> Outcome {
    if !watch {
        let d = Diagnostics::snapshot(!no_probe);
        let station = station_facts(config);
        if json {
            let mut v = serde_json::to_value(Report::new(lang, &d)).unwrap_or_default();
            if let Some(s) = &station {
                v["station"] = serde_json::to_value(s).unwrap_or_default();
            }
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        } else {
            // Reader, vendor and model names come from drivers and devices: never raw.
            print!("{}", printable(&text(lang, &d)));
            if let Some(s) = &station {
                let mut lines = Vec::new();
                if let Some(c) = &s.config {
                    lines.push(format!("{}: {c}", msg(lang, Msg::DiagConfigFile)));
                }
                if let Some(k) = &s.seal_kid {
                    lines.push(format!("{}: {k}", msg(lang, Msg::DiagSealKid)));
                }
                if let (Some(h), Some(fresh)) = (s.crl_age_hours, s.crl_fresh) {
                    lines.push(i18n::crl_age(lang, h, fresh));
                }
                if let Some(p) = &s.problem_kind {
                    lines.push(p.text(lang));
                }
                print!("{}", printable(&(lines.join("\n") + "\n")));
            }
        }
        return Ok(());
    }
    // Streams one line per change until interrupted (Ctrl-C ends the process; nothing to
    // restore). The monitor blocks in pcscd: an idle watch uses no CPU.
    let (monitor, events) = Monitor::spawn_channel();
    let mut model = Diagnostics::new();
    let mut measured = Measured::default();
    let mut out = std::io::stdout();
    for ev in events.iter() {
        model.apply(&ev);
        if emit(&mut out, json, lang, &ev, None).is_err() {
            break; // stdout closed
        }
        if let ReaderEvent::CardInserted { reader, .. } = &ev {
            if no_probe {
                continue;
            }
            let Ok(ctx) = madoguchi::reader::establish() else {
                continue;
            };
            let p = diagnostics::probe(&ctx, reader, true, measured.get(reader));
            measured.set(reader, p.facts.extended_length);
            model.apply_probe(reader, p);
            let r = model.readers.iter().find(|r| &r.name == reader).cloned();
            if emit(
                &mut out,
                json,
                lang,
                &ev,
                r.as_ref().map(|r| (r, model.last_error.as_ref())),
            )
            .is_err()
            {
                break;
            }
        }
    }
    monitor.stop();
    Ok(())
}

fn now() -> String {
    madoguchi::time::rfc3339_now()
}

/// The JSON document of `diagnose --json`: the model's codes and values, with the two
/// sentences a support person acts on (`pcscd_hint`, `last_error.message`) in `lang`.
#[derive(Serialize)]
struct Report<'a> {
    schema: u32,
    pcscd_running: bool,
    pcscd_hint: Option<String>,
    readers: &'a [ReaderDiag],
    card_removals: u32,
    last_error: Option<ErrorReport>,
}

#[derive(Serialize)]
struct ErrorReport {
    /// Stable machine code (e.g. `no_service`, `card_removed`).
    code: &'static str,
    /// One sentence in the requested language.
    message: String,
}

impl ErrorReport {
    fn new(lang: Lang, e: &CardError) -> ErrorReport {
        ErrorReport {
            code: diagnostics::error_code(e),
            message: i18n::card_error(lang, e),
        }
    }
}

impl Report<'_> {
    fn new(lang: Lang, d: &Diagnostics) -> Report<'_> {
        Report {
            schema: diagnostics::SCHEMA,
            pcscd_running: d.pcscd_running(),
            pcscd_hint: (d.pcscd == Pcscd::Stopped).then(|| i18n::transport_error(lang, &TransportError::NoService)),
            readers: &d.readers,
            card_removals: d.card_removals,
            last_error: d.last_error.as_ref().map(|e| ErrorReport::new(lang, e)),
        }
    }
}

/// The model as text for people (the UI pane renders the same model).
fn text(lang: Lang, d: &Diagnostics) -> String {
    let t = |m: Msg| msg(lang, m);
    let dash = "—".to_string();
    let mut s = String::new();
    let state = if d.pcscd_running() {
        Msg::DiagRunning
    } else {
        Msg::DiagNotRunning
    };
    s.push_str(&format!("pcscd: {}\n", t(state)));
    if d.pcscd == Pcscd::Stopped {
        s.push_str(&format!(
            "  {}\n",
            i18n::transport_error(lang, &TransportError::NoService)
        ));
    }
    if d.pcscd_running() && d.readers.is_empty() {
        s.push_str(&format!(
            "  {}\n",
            i18n::transport_error(lang, &TransportError::NoReader)
        ));
    }
    for r in &d.readers {
        s.push_str(&reader_text(lang, r));
    }
    s.push_str(&format!("{}: {}\n", t(Msg::DiagRemovalsSession), d.card_removals));
    s.push_str(&format!(
        "{}: {}\n",
        t(Msg::DiagLastError),
        d.last_error.as_ref().map(|e| i18n::card_error(lang, e)).unwrap_or(dash)
    ));
    s
}

/// One reader's lines of [`text`].
fn reader_text(lang: Lang, r: &ReaderDiag) -> String {
    let t = |m: Msg| msg(lang, m);
    let dash = "—".to_string();
    let mut s = String::new();
    s.push_str(&format!("{}: {}\n", t(Msg::DiagReader), r.name));
    s.push_str(&format!("  {}: {}", t(Msg::DiagCard), i18n::card_state(lang, r.card)));
    if let Some(k) = &r.facts.card_kind {
        s.push_str(&format!(" ({})", i18n::card_kind(lang, k)));
    }
    s.push('\n');
    if let Some(atr) = &r.atr {
        s.push_str(&format!("  ATR: {atr}\n"));
    }
    if let Some(a) = &r.atr_summary {
        s.push_str(&format!(
            "  {}: {} {} / {}: {}{}\n",
            t(Msg::DiagAtrDecoded),
            a.protocols.join(","),
            i18n::atr_interface(lang, &a.interface),
            t(Msg::DiagHistorical),
            if a.historical_bytes.is_empty() {
                "—"
            } else {
                &a.historical_bytes
            },
            if a.known_my_number_atr {
                format!(" / {}", t(Msg::DiagKnownAtr))
            } else {
                String::new()
            }
        ));
    }
    s.push_str(&format!(
        "  {}: {}   {}: {}   {}: {}\n",
        t(Msg::DiagProtocol),
        r.facts.protocol.as_ref().unwrap_or(&dash),
        t(Msg::DiagExtended),
        i18n::yes_no(lang, r.facts.extended_length, true),
        t(Msg::DiagLastApdu),
        r.facts
            .last_rtt_ms
            .map(|ms| format!("{ms:.1} ms"))
            .unwrap_or_else(|| dash.clone()),
    ));
    s.push_str(&format!(
        "  {}: {}   {}: {}   {}: {}\n",
        t(Msg::DiagVendor),
        r.facts.vendor.as_ref().unwrap_or(&dash),
        t(Msg::DiagModel),
        r.facts.model.as_ref().unwrap_or(&dash),
        t(Msg::DiagFirmware),
        r.facts.firmware.as_ref().unwrap_or(&dash),
    ));
    s
}

type ProbeView<'a> = Option<(&'a ReaderDiag, Option<&'a CardError>)>;

fn emit(out: &mut impl Write, json: bool, lang: Lang, ev: &ReaderEvent, probe: ProbeView) -> std::io::Result<()> {
    let ts = now();
    if json {
        let mut v = match probe {
            None => serde_json::to_value(ev).unwrap_or_default(),
            Some((r, err)) => {
                let err = err.map(|e| ErrorReport::new(lang, e));
                serde_json::json!({ "event": "card_probed", "reader": r.name, "state": r, "last_error": err })
            }
        };
        v["ts"] = serde_json::Value::from(ts);
        writeln!(out, "{v}")?;
    } else {
        let line = match (probe, ev) {
            (Some((r, err)), _) => format!(
                "card_probed {} kind={} protocol={} extended_length={} rtt={}{}",
                r.name,
                r.facts
                    .card_kind
                    .as_deref()
                    .map(|k| i18n::card_kind(lang, k))
                    .unwrap_or_else(|| "—".into()),
                r.facts.protocol.as_deref().unwrap_or("—"),
                r.facts
                    .extended_length
                    .map(|b| b.to_string())
                    .unwrap_or_else(|| "—".into()),
                r.facts
                    .last_rtt_ms
                    .map(|ms| format!("{ms:.1}ms"))
                    .unwrap_or_else(|| "—".into()),
                err.map(|e| format!(" error={}", i18n::card_error(lang, e)))
                    .unwrap_or_default(),
            ),
            (None, ReaderEvent::ServiceUp) => "service_up".into(),
            (None, ReaderEvent::ServiceDown) => format!(
                "service_down {}",
                i18n::transport_error(lang, &TransportError::NoService)
            ),
            (None, ReaderEvent::ReaderAdded { reader }) => format!("reader_added {reader}"),
            (None, ReaderEvent::ReaderRemoved { reader }) => format!("reader_removed {reader}"),
            (None, ReaderEvent::CardInserted { reader, atr }) => {
                format!("card_inserted {reader} ATR {}", madoguchi::reader::hex(atr))
            }
            (None, ReaderEvent::CardRemoved { reader }) => format!("card_removed {reader}"),
            (None, ReaderEvent::CardMute { reader }) => format!("card_mute {reader}"),
            (None, ReaderEvent::CardBusy { reader, busy }) => format!("card_busy {reader} {busy}"),
        };
        writeln!(out, "{ts} {}", madoguchi::text::escape_untrusted(&line))?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_shape() {
        let t = super::now();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }

    #[test]
    fn a_reader_named_with_escape_sequences_is_printed_escaped() {
        let mut d = Diagnostics::new();
        d.apply(&ReaderEvent::ServiceUp);
        d.apply(&ReaderEvent::ReaderAdded {
            reader: "Evil \u{1b}]0;owned\u{7}\u{1b}[2J \u{202e}redaeR".into(),
        });
        for lang in [Lang::Ja, Lang::En] {
            let out = printable(&text(lang, &d));
            assert!(
                !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
                "{out:?}"
            );
            assert!(out.contains("Evil \\u{1b}]0;owned"), "{out}");
            assert!(out.lines().count() > 1);
        }
    }
}
