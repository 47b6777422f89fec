//! The reader monitor: one thread that blocks in pcscd (`SCardGetStatusChange` with an infinite
//! timeout, the PnP pseudo-reader included) and reports typed events. An idle station costs no
//! CPU. When pcscd stops it says so, re-establishes with capped backoff, and says when it is
//! back. [`Monitor::stop`] cancels the blocking call and joins the thread.

use super::map_error;
use crate::card::TransportError;
use pcsc::{Context, ReaderState, Scope, State, PNP_NOTIFICATION};
use std::collections::BTreeMap;
use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ReaderEvent {
    /// pcscd answered (at start, or again after it was gone).
    ServiceUp,
    /// pcscd is not running or stopped; the monitor keeps trying.
    ServiceDown,
    ReaderAdded {
        reader: String,
    },
    ReaderRemoved {
        reader: String,
    },
    CardInserted {
        reader: String,
        #[serde(serialize_with = "hex")]
        atr: Vec<u8>,
    },
    CardRemoved {
        reader: String,
    },
    /// A card is present but does not answer reset (bad contact, field edge).
    CardMute {
        reader: String,
    },
    /// Another program took or released the card exclusively.
    CardBusy {
        reader: String,
        busy: bool,
    },
}

fn hex<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::hex(v))
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Seen {
    present: bool,
    mute: bool,
    busy: bool,
    atr: Vec<u8>,
}

impl Seen {
    fn from_state(rs: &ReaderState) -> Seen {
        let ev = rs.event_state();
        let present = ev.contains(State::PRESENT);
        Seen {
            present,
            mute: present && ev.contains(State::MUTE),
            busy: present && ev.contains(State::EXCLUSIVE),
            atr: if present { rs.atr().to_vec() } else { Vec::new() },
        }
    }
}

/// Events a change between two snapshots of one reader produces, in a stable order.
fn diff(reader: &str, old: &Seen, new: &Seen, out: &mut Vec<ReaderEvent>) {
    let r = || reader.to_string();
    if old.present && (!new.present || old.atr != new.atr) {
        out.push(ReaderEvent::CardRemoved { reader: r() });
    }
    if new.present && (!old.present || old.atr != new.atr) {
        if new.mute {
            out.push(ReaderEvent::CardMute { reader: r() });
        } else {
            out.push(ReaderEvent::CardInserted {
                reader: r(),
                atr: new.atr.clone(),
            });
        }
    } else if new.present && !old.mute && new.mute {
        out.push(ReaderEvent::CardMute { reader: r() });
    }
    if new.present && old.busy != new.busy {
        out.push(ReaderEvent::CardBusy {
            reader: r(),
            busy: new.busy,
        });
    }
}

pub struct Monitor {
    stop: Arc<AtomicBool>,
    wake: Sender<()>,
    ctx: Arc<Mutex<Option<Context>>>,
    thread: Option<JoinHandle<()>>,
}

impl Monitor {
    /// Starts the monitor thread; `emit` is called on that thread for each event.
    pub fn spawn(emit: impl FnMut(ReaderEvent) + Send + 'static) -> Monitor {
        let stop = Arc::new(AtomicBool::new(false));
        let ctx = Arc::new(Mutex::new(None));
        let (wake, wait) = mpsc::channel();
        let worker = Worker {
            stop: Arc::clone(&stop),
            ctx: Arc::clone(&ctx),
            wait,
            emit: Box::new(emit),
        };
        let thread = std::thread::Builder::new()
            .name("reader-monitor".into())
            .spawn(move || worker.run())
            .expect("spawn reader monitor thread");
        Monitor {
            stop,
            wake,
            ctx,
            thread: Some(thread),
        }
    }

    /// Convenience: events into a std channel.
    pub fn spawn_channel() -> (Monitor, Receiver<ReaderEvent>) {
        let (tx, rx) = mpsc::channel();
        let m = Monitor::spawn(move |ev| {
            let _ = tx.send(ev);
        });
        (m, rx)
    }

    /// Stops the thread promptly: cancels the blocking pcscd call and wakes a backoff sleep.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.wake.send(());
        if let Ok(guard) = self.ctx.lock() {
            if let Some(ctx) = guard.as_ref() {
                // Errors here are benign (pcsc-lite #160: cancel racing a timeout).
                let _ = ctx.cancel();
            }
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.shutdown();
    }
}

struct Worker {
    stop: Arc<AtomicBool>,
    ctx: Arc<Mutex<Option<Context>>>,
    wait: Receiver<()>,
    emit: Box<dyn FnMut(ReaderEvent) + Send>,
}

enum Outcome {
    Stopped,
    ServiceLost,
}

impl Worker {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Sleeps up to `d`, returning early (true) when asked to stop.
    fn sleep(&self, d: Duration) -> bool {
        match self.wait.recv_timeout(d) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => true,
            Err(RecvTimeoutError::Timeout) => self.stopped(),
        }
    }

    fn run(mut self) {
        let mut backoff = Duration::from_millis(250);
        let mut service_up: Option<bool> = None;
        while !self.stopped() {
            let ctx = match Context::establish(Scope::User) {
                Ok(c) => c,
                Err(e) => {
                    if service_up != Some(false) {
                        tracing::info!(error = %e, "pcscd not reachable");
                        (self.emit)(ReaderEvent::ServiceDown);
                        service_up = Some(false);
                    }
                    if self.sleep(backoff) {
                        break;
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            };
            backoff = Duration::from_millis(250);
            if let Ok(mut g) = self.ctx.lock() {
                *g = Some(ctx.clone());
            }
            if self.stopped() {
                break;
            }
            (self.emit)(ReaderEvent::ServiceUp);
            let outcome = self.watch(&ctx);
            if let Ok(mut g) = self.ctx.lock() {
                *g = None;
            }
            match outcome {
                Outcome::Stopped => break,
                Outcome::ServiceLost => {
                    (self.emit)(ReaderEvent::ServiceDown);
                    service_up = Some(false);
                    if self.sleep(backoff) {
                        break;
                    }
                }
            }
        }
    }

    fn watch(&mut self, ctx: &Context) -> Outcome {
        let mut known: BTreeMap<String, Seen> = BTreeMap::new();
        let mut states = vec![ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE)];
        let mut events = Vec::new();
        loop {
            if self.stopped() {
                return Outcome::Stopped;
            }
            // Re-list on every round: PnP events, and pcsc-lite #190 (two readers at once).
            let names = match ctx.list_readers_owned() {
                Ok(n) => n,
                Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
                Err(e) if map_error(e) == TransportError::NoService => return Outcome::ServiceLost,
                Err(e) => {
                    tracing::warn!(error = %e, "listing readers failed");
                    if self.sleep(Duration::from_millis(500)) {
                        return Outcome::Stopped;
                    }
                    continue;
                }
            };
            relist(&names, &mut known, &mut states, &mut events);
            for ev in events.drain(..) {
                (self.emit)(ev);
            }
            for rs in states.iter_mut() {
                rs.sync_current_state();
            }
            // Readers from reader.conf can appear just after pcscd opens its socket without a
            // PnP signal; with no reader known, look again every two seconds. With a reader,
            // block until something changes (an idle station costs nothing).
            let timeout = if known.is_empty() {
                Some(Duration::from_secs(2))
            } else {
                None
            };
            match ctx.get_status_change(timeout, &mut states) {
                Ok(()) => {}
                Err(pcsc::Error::Cancelled) | Err(pcsc::Error::Timeout) => continue,
                Err(pcsc::Error::UnknownReader) => continue,
                Err(e) if map_error(e) == TransportError::NoService => return Outcome::ServiceLost,
                Err(e) => {
                    tracing::warn!(error = %e, "waiting for reader changes failed");
                    if self.sleep(Duration::from_millis(500)) {
                        return Outcome::Stopped;
                    }
                    continue;
                }
            }
            changed(&states, &mut known, &mut events);
            for ev in events.drain(..) {
                (self.emit)(ev);
            }
        }
    }
}

/// Readers gone from the listing `names` and new in it, as events; the states to wait on
/// follow the listing.
fn relist(
    names: &[CString],
    known: &mut BTreeMap<String, Seen>,
    states: &mut Vec<ReaderState>,
    events: &mut Vec<ReaderEvent>,
) {
    let current: Vec<String> = names.iter().map(|n| n.to_string_lossy().into_owned()).collect();
    states.retain(|rs| {
        let name = rs.name().to_string_lossy();
        rs.name() == PNP_NOTIFICATION() || current.iter().any(|c| *c == name)
    });
    for (name, seen) in known.clone() {
        if !current.contains(&name) {
            if seen.present {
                events.push(ReaderEvent::CardRemoved { reader: name.clone() });
            }
            events.push(ReaderEvent::ReaderRemoved { reader: name.clone() });
            known.remove(&name);
        }
    }
    for (name, cname) in current.iter().zip(names.iter()) {
        if !known.contains_key(name) {
            events.push(ReaderEvent::ReaderAdded { reader: name.clone() });
            known.insert(name.clone(), Seen::default());
            states.push(ReaderState::new(CString::from(cname.as_c_str()), State::UNAWARE));
        }
    }
}

/// What changed on each reader since it was last seen, as events.
fn changed(states: &[ReaderState], known: &mut BTreeMap<String, Seen>, events: &mut Vec<ReaderEvent>) {
    for rs in states {
        if rs.name() == PNP_NOTIFICATION() {
            continue;
        }
        if rs.event_state().intersects(State::UNKNOWN | State::IGNORE) {
            continue; // gone: the next listing reports it
        }
        let name = rs.name().to_string_lossy().into_owned();
        let new = Seen::from_state(rs);
        let old = known.get(&name).cloned().unwrap_or_default();
        if new != old {
            diff(&name, &old, &new, events);
            known.insert(name, new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(present: bool, mute: bool, busy: bool, atr: &[u8]) -> Seen {
        Seen {
            present,
            mute,
            busy,
            atr: atr.to_vec(),
        }
    }

    #[test]
    fn diffs_produce_ordered_events() {
        let mut out = Vec::new();
        diff("R", &Seen::default(), &seen(true, false, false, &[0x3B, 1]), &mut out);
        assert_eq!(
            out,
            vec![ReaderEvent::CardInserted {
                reader: "R".into(),
                atr: vec![0x3B, 1]
            }]
        );
        out.clear();
        diff("R", &seen(true, false, false, &[0x3B, 1]), &Seen::default(), &mut out);
        assert_eq!(out, vec![ReaderEvent::CardRemoved { reader: "R".into() }]);
        out.clear();
        // A different card between two looks: removed, then inserted.
        diff(
            "R",
            &seen(true, false, false, &[1]),
            &seen(true, false, false, &[2]),
            &mut out,
        );
        assert_eq!(out.len(), 2);
        assert!(matches!(out[0], ReaderEvent::CardRemoved { .. }));
        out.clear();
        diff("R", &Seen::default(), &seen(true, true, false, &[]), &mut out);
        assert_eq!(out, vec![ReaderEvent::CardMute { reader: "R".into() }]);
        out.clear();
        diff(
            "R",
            &seen(true, false, false, &[1]),
            &seen(true, false, true, &[1]),
            &mut out,
        );
        assert_eq!(
            out,
            vec![ReaderEvent::CardBusy {
                reader: "R".into(),
                busy: true
            }]
        );
    }

    #[test]
    fn events_serialize_as_stable_json() {
        let e = ReaderEvent::CardInserted {
            reader: "Virtual PCD 00 00".into(),
            atr: vec![0x3B, 0x88],
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"event":"card_inserted","reader":"Virtual PCD 00 00","atr":"3B 88"}"#
        );
        assert_eq!(
            serde_json::to_string(&ReaderEvent::ServiceDown).unwrap(),
            r#"{"event":"service_down"}"#
        );
    }
}
