//! The diagnostics model a support person reads (as text, JSON, or the UI pane): pcscd state,
//! readers with their attributes, card state, ATR summary, protocol, measured extended-length
//! support, last APDU round trip, card removals, last error. It holds states, codes and values
//! only; `ui::diagnostics_pane` and the `diagnose` command turn them into words through the
//! catalogue (`crate::i18n`), so switching language re-renders instead of rebuilding it. It
//! never holds card data or PINs: only what PC/SC and the public token EF say.

use super::atr::{self, AtrSummary};
use super::monitor::ReaderEvent;
use super::{hex, map_error, PcscCard, PcscTransport};
use crate::card::client::CardKind;
use crate::card::{client::MyNumberCard, CardError, TransportError};
use pcsc::{Attribute, Context, Protocols, ShareMode};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the `diagnose --json` document.
pub const SCHEMA: u32 = 1;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardState {
    #[default]
    Absent,
    Present,
    Mute,
    /// Held exclusively by another program (another station, a browser plug-in).
    Busy,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReaderDiag {
    pub name: String,
    pub card: CardState,
    pub atr: Option<String>,
    pub atr_summary: Option<AtrSummary>,
    #[serde(flatten)]
    pub facts: Facts,
}

/// What probing a reader (and its card) teaches us.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Facts {
    /// From the reader driver, where it gives them (USB vendor string, bcdDevice, model).
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub firmware: Option<String>,
    /// Active protocol of the last connection ("T=1").
    pub protocol: Option<String>,
    /// What the token EF says: my_number_card, juki_card, other:<text>, not_jpki.
    pub card_kind: Option<String>,
    /// Measured with one extended READ BINARY; remembered for this reader.
    pub extended_length: Option<bool>,
    pub last_rtt_ms: Option<f64>,
}

impl Facts {
    /// Takes what `newer` learned; keeps what it could not (a failed probe knows less).
    fn merge(&mut self, newer: Facts) {
        let Facts {
            vendor,
            model,
            firmware,
            protocol,
            card_kind,
            extended_length,
            last_rtt_ms,
        } = newer;
        self.vendor = vendor.or(self.vendor.take());
        self.model = model.or(self.model.take());
        self.firmware = firmware.or(self.firmware.take());
        self.protocol = protocol.or(self.protocol.take());
        self.card_kind = card_kind.or(self.card_kind.take());
        self.extended_length = extended_length.or(self.extended_length);
        self.last_rtt_ms = last_rtt_ms.or(self.last_rtt_ms);
    }
}

/// pcscd as last seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pcscd {
    /// Not heard from yet (the monitor's first event is still to come).
    #[default]
    Unknown,
    Running,
    /// Reported down: the next step is to start it.
    Stopped,
    /// The station's card is the demo's virtual one: no PC/SC service is used at all.
    NotUsed,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics {
    pub pcscd: Pcscd,
    pub readers: Vec<ReaderDiag>,
    pub card_removals: u32,
    /// The last error met; `error_code` gives its stable machine code.
    pub last_error: Option<CardError>,
}

/// Result of probing one reader (attributes, and the card when present).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Probe {
    pub facts: Facts,
    pub error: Option<CardError>,
}

pub fn error_code(e: &CardError) -> &'static str {
    use TransportError as T;
    match e {
        CardError::Transport(t) => match t {
            T::NoService => "no_service",
            T::NoReader => "no_reader",
            T::UnknownReader(_) => "unknown_reader",
            T::NoCard => "no_card",
            T::CardRemoved => "card_removed",
            T::CardReset => "card_reset",
            T::Unresponsive => "card_unresponsive",
            T::Busy => "reader_busy",
            T::Timeout => "timeout",
            T::ExtendedUnsupported => "extended_unsupported",
            T::Refused(_) => "refused",
            T::Other(_) => "communication",
        },
        CardError::NotMyNumberCard => "not_my_number_card",
        CardError::WrongPin { .. } => "wrong_pin",
        CardError::Locked { .. } => "pin_locked",
        CardError::SecurityStatus => "security_status",
        CardError::FileNotFound(_) => "file_not_found",
        CardError::NoSigningCertificate => "no_signing_certificate",
        CardError::Malformed(_) => "malformed_answer",
        CardError::Status { .. } => "card_status",
    }
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn pcscd_running(&self) -> bool {
        self.pcscd == Pcscd::Running
    }

    pub fn reader_mut(&mut self, name: &str) -> &mut ReaderDiag {
        if let Some(i) = self.readers.iter().position(|r| r.name == name) {
            return &mut self.readers[i];
        }
        self.readers.push(ReaderDiag {
            name: name.to_string(),
            ..ReaderDiag::default()
        });
        self.readers.last_mut().expect("just pushed")
    }

    pub fn set_error(&mut self, e: &CardError) {
        self.last_error = Some(e.clone());
    }

    /// Folds one monitor event in. Returns whether anything visible changed.
    pub fn apply(&mut self, ev: &ReaderEvent) -> bool {
        let before = self.clone();
        match ev {
            ReaderEvent::ServiceUp => self.pcscd = Pcscd::Running,
            ReaderEvent::ServiceDown => {
                self.pcscd = Pcscd::Stopped;
                self.readers.clear();
                self.set_error(&CardError::Transport(TransportError::NoService));
            }
            ReaderEvent::ReaderAdded { reader } => {
                self.reader_mut(reader);
            }
            ReaderEvent::ReaderRemoved { reader } => self.readers.retain(|r| &r.name != reader),
            ReaderEvent::CardInserted { reader, atr } => {
                let r = self.reader_mut(reader);
                r.card = CardState::Present;
                r.atr = Some(hex(atr));
                r.atr_summary = Some(atr::decode(atr));
                r.facts.card_kind = None;
                r.facts.protocol = None;
            }
            ReaderEvent::CardRemoved { reader } => {
                let r = self.reader_mut(reader);
                r.card = CardState::Absent;
                r.atr = None;
                r.atr_summary = None;
                r.facts.card_kind = None;
                r.facts.protocol = None;
                self.card_removals += 1;
            }
            ReaderEvent::CardMute { reader } => self.reader_mut(reader).card = CardState::Mute,
            ReaderEvent::CardBusy { reader, busy } => {
                self.reader_mut(reader).card = if *busy { CardState::Busy } else { CardState::Present }
            }
        }
        *self != before
    }

    pub fn apply_probe(&mut self, reader: &str, p: Probe) {
        let r = self.reader_mut(reader);
        r.facts.merge(p.facts);
        if let Some(e) = p.error {
            if e == CardError::Transport(TransportError::Busy) {
                r.card = CardState::Busy;
            }
            self.set_error(&e);
        }
    }

    /// A snapshot straight from pcscd (for `diagnose` without `--watch`).
    pub fn snapshot(probe_cards: bool) -> Diagnostics {
        let mut d = Diagnostics::new();
        let ctx = match Context::establish(pcsc::Scope::User) {
            Ok(c) => c,
            Err(e) => {
                d.apply(&ReaderEvent::ServiceDown);
                if map_error(e) != TransportError::NoService {
                    d.set_error(&CardError::Transport(map_error(e)));
                }
                return d;
            }
        };
        d.apply(&ReaderEvent::ServiceUp);
        let readers = match super::list_readers(&ctx) {
            Ok(r) => r,
            Err(e) => {
                d.set_error(&CardError::Transport(e));
                return d;
            }
        };
        for r in readers {
            d.apply(&ReaderEvent::ReaderAdded { reader: r.name.clone() });
            if let Some(atr) = &r.atr {
                d.apply(&ReaderEvent::CardInserted {
                    reader: r.name.clone(),
                    atr: atr.clone(),
                });
                if r.mute {
                    d.apply(&ReaderEvent::CardMute { reader: r.name.clone() });
                } else if r.exclusive {
                    d.apply(&ReaderEvent::CardBusy {
                        reader: r.name.clone(),
                        busy: true,
                    });
                }
            }
            let known_ext = d.reader_mut(&r.name).facts.extended_length;
            let p = probe(&ctx, &r.name, probe_cards && r.card_present && !r.mute, known_ext);
            d.apply_probe(&r.name, p);
        }
        d
    }
}

fn attr_text(card: &pcsc::Card, attr: Attribute) -> Option<String> {
    let v = card.get_attribute_owned(attr).ok()?;
    let s: String = String::from_utf8_lossy(&v).trim_end_matches('\0').trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Reader attributes (direct connection, no card needed) and, when asked, a card probe:
/// protocol, token (what card this is), one extended READ BINARY, round-trip time.
pub fn probe(ctx: &Context, reader: &str, card: bool, known_extended: Option<bool>) -> Probe {
    let mut p = Probe::default();
    let Ok(cname) = std::ffi::CString::new(reader) else {
        return p;
    };
    if let Ok(direct) = ctx.connect(&cname, ShareMode::Direct, Protocols::UNDEFINED) {
        p.facts.vendor = attr_text(&direct, Attribute::VendorName);
        p.facts.model = attr_text(&direct, Attribute::VendorIfdType);
        p.facts.firmware = direct
            .get_attribute_owned(Attribute::VendorIfdVersion)
            .ok()
            .and_then(|v| {
                let b: [u8; 4] = v.get(..4)?.try_into().ok()?;
                let n = u32::from_le_bytes(b);
                Some(format!("{}.{}.{}", n >> 24, (n >> 16) & 0xFF, n & 0xFFFF))
            });
        let _ = direct.disconnect(pcsc::Disposition::LeaveCard);
    }
    if !card {
        return p;
    }
    let mut conn = match PcscCard::connect(ctx, reader, false) {
        Ok(c) => c,
        Err(e) => {
            p.error = Some(CardError::Transport(e));
            return p;
        }
    };
    p.facts.protocol = conn.protocol().map(str::to_string);
    let result = conn.transaction(|t: &mut PcscTransport| {
        let mut c = MyNumberCard::new(&mut *t);
        let kind = match c.identify() {
            Ok(CardKind::MyNumberCard) => "my_number_card".to_string(),
            Ok(CardKind::JukiCard) => "juki_card".to_string(),
            Ok(CardKind::Other(t)) => format!("other:{t}"),
            Err(CardError::NotMyNumberCard) => return Ok(("not_jpki".to_string(), None)),
            Err(e) => return Err(e),
        };
        let ext = match known_extended {
            Some(v) => Some(v),
            None => Some(c.probe_extended_length()?),
        };
        Ok((kind, ext))
    });
    match result {
        Ok(Ok((kind, ext))) => {
            p.facts.card_kind = Some(kind);
            p.facts.extended_length = ext;
        }
        Ok(Err(e)) => p.error = Some(e),
        Err(e) => p.error = Some(CardError::Transport(e)),
    }
    p.facts.last_rtt_ms = conn.last_rtt().map(|d| d.as_secs_f64() * 1000.0);
    p
}

/// Remembers per reader what was measured, across card insertions.
#[derive(Default)]
pub struct Measured(BTreeMap<String, bool>);

impl Measured {
    pub fn get(&self, reader: &str) -> Option<bool> {
        self.0.get(reader).copied()
    }
    pub fn set(&mut self, reader: &str, v: Option<bool>) {
        if let Some(v) = v {
            self.0.insert(reader.to_string(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_fold_into_the_model() {
        let mut d = Diagnostics::new();
        assert!(d.apply(&ReaderEvent::ServiceUp));
        assert!(d.apply(&ReaderEvent::ReaderAdded { reader: "R".into() }));
        assert!(
            !d.apply(&ReaderEvent::ReaderAdded { reader: "R".into() }),
            "no change, no redraw"
        );
        d.apply(&ReaderEvent::CardInserted {
            reader: "R".into(),
            atr: vec![0x3B, 0x02, 0x14, 0x50],
        });
        assert_eq!(d.readers[0].card, CardState::Present);
        assert_eq!(d.readers[0].atr.as_deref(), Some("3B 02 14 50"));
        d.apply(&ReaderEvent::CardRemoved { reader: "R".into() });
        assert_eq!(d.card_removals, 1);
        d.apply(&ReaderEvent::ServiceDown);
        assert!(!d.pcscd_running() && d.readers.is_empty());
        assert_eq!(d.pcscd, Pcscd::Stopped, "down, not merely unseen");
        assert_eq!(error_code(d.last_error.as_ref().unwrap()), "no_service");
        assert!(d.apply(&ReaderEvent::ServiceUp));
        assert_eq!(d.pcscd, Pcscd::Running);
    }

    #[test]
    fn busy_probe_marks_the_reader() {
        let mut d = Diagnostics::new();
        d.apply(&ReaderEvent::CardInserted {
            reader: "R".into(),
            atr: vec![0x3B, 0x00],
        });
        d.apply_probe(
            "R",
            Probe {
                error: Some(CardError::Transport(TransportError::Busy)),
                ..Probe::default()
            },
        );
        assert_eq!(d.readers[0].card, CardState::Busy);
        assert_eq!(error_code(d.last_error.as_ref().unwrap()), "reader_busy");
    }
}
