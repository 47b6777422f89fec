//! `madoguchi diagnose [--json] [--watch]`: what pcscd, the readers and the card look like,
//! for a support person (over SSH, as text or JSON). Never card data or PINs.

use super::EXIT_OK;
use madoguchi::i18n::Lang;
use madoguchi::reader::diagnostics::{self, Diagnostics, Measured};
use madoguchi::reader::monitor::{Monitor, ReaderEvent};
use std::io::Write;

pub fn run(lang: Lang, json: bool, watch: bool, no_probe: bool) -> u8 {
    if !watch {
        let d = Diagnostics::snapshot(lang, !no_probe);
        if json {
            println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
        } else {
            print!("{}", d.to_text());
        }
        return EXIT_OK;
    }
    // Streams one line per change until interrupted (Ctrl-C ends the process; nothing to
    // restore). The monitor blocks in pcscd: an idle watch uses no CPU.
    let (monitor, events) = Monitor::spawn_channel();
    let mut model = Diagnostics::new(lang);
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
    EXIT_OK
}

fn now() -> String {
    madoguchi::backend::payload::rfc3339_now()
}

type ProbeView<'a> = Option<(&'a diagnostics::ReaderDiag, Option<&'a diagnostics::LastError>)>;

fn emit(out: &mut impl Write, json: bool, lang: Lang, ev: &ReaderEvent, probe: ProbeView) -> std::io::Result<()> {
    let ts = now();
    if json {
        let mut v = match probe {
            None => serde_json::to_value(ev).unwrap_or_default(),
            Some((r, err)) => {
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
                    .map(|k| diagnostics::card_kind_text(lang, k))
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
                err.map(|e| format!(" error={}", e.message)).unwrap_or_default(),
            ),
            (None, ReaderEvent::ServiceUp) => "service_up".into(),
            (None, ReaderEvent::ServiceDown) => format!(
                "service_down {}",
                madoguchi::i18n::transport_error(lang, &madoguchi::card::TransportError::NoService)
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
        writeln!(out, "{ts} {line}")?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamp_shape() {
        let t = super::now();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }
}
