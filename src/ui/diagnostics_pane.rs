//! The live reader diagnostics as a ratatui widget: a compact form for a side pane at 80x24,
//! and a full-screen form. Renders the model only, with words from the catalogue; readable
//! without colour (every state is also a word).

use super::labelled;
use super::station::SocketTrouble;
use super::theme::Theme;
use super::wrap::wrap_line;
use crate::card::{CardError, TransportError};
use crate::i18n::{self, msg, Msg};
use crate::lang::Lang;
use crate::reader::diagnostics::{CardState, Diagnostics, Pcscd, ReaderDiag};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Compact,
    Full,
}

pub struct DiagnosticsPane<'a> {
    pub model: &'a Diagnostics,
    pub theme: &'a Theme,
    pub lang: Lang,
    pub form: Form,
    /// The reader the station uses; defaults to the first with a card, else the first.
    pub selected: Option<&'a str>,
    /// Why the status socket (`madoguchi status`) could not be opened, when it could not.
    pub socket_error: Option<SocketTrouble<'a>>,
}

impl DiagnosticsPane<'_> {
    fn reader(&self) -> Option<&ReaderDiag> {
        let rs = &self.model.readers;
        self.selected
            .and_then(|s| rs.iter().find(|r| r.name == s))
            .or_else(|| rs.iter().find(|r| r.card != CardState::Absent))
            .or_else(|| rs.first())
    }

    fn t(&self, m: Msg) -> &'static str {
        msg(self.lang, m)
    }

    /// "label: value" as the catalogue joins them (`labelled`), the label muted and the
    /// value in `style`, with `lead` spaces before.
    fn field(&self, lead: &str, label: &str, value: &str, style: Style) -> Vec<Span<'static>> {
        let mut spans = labelled::spans(self.lang, label, value, self.theme.muted(), style);
        if !lead.is_empty() {
            spans.insert(0, Span::styled(lead.to_string(), self.theme.muted()));
        }
        spans
    }

    fn service_line(&self) -> Line<'static> {
        let th = self.theme;
        let (state, style) = if self.model.pcscd_running() {
            (Msg::DiagRunning, th.ok())
        } else if self.model.pcscd == Pcscd::NotUsed {
            (Msg::DiagNotUsed, th.text())
        } else {
            (Msg::DiagNotRunning, th.error())
        };
        Line::from(self.field("", "pcscd", self.t(state), style))
    }

    /// How to start pcscd, once it was reported down.
    fn hint_line(&self) -> Option<Line<'static>> {
        (self.model.pcscd == Pcscd::Stopped).then(|| {
            Line::styled(
                i18n::transport_error(self.lang, &TransportError::NoService),
                self.theme.error(),
            )
        })
    }

    fn card_style(&self, c: CardState) -> ratatui::style::Style {
        match c {
            CardState::Present => self.theme.ok(),
            CardState::Absent => self.theme.text(),
            CardState::Mute | CardState::Busy => self.theme.warn(),
        }
    }

    fn compact_lines(&self) -> Vec<Line<'static>> {
        let th = self.theme;
        let mut lines = vec![self.service_line()];
        lines.extend(self.hint_line());
        match self.reader() {
            None if self.model.pcscd_running() => {
                lines.push(Line::styled(self.t(Msg::DiagNoReader), th.warn()));
            }
            None => {}
            Some(r) => {
                let more = self.model.readers.len().saturating_sub(1);
                let mut name = vec![Span::styled(r.name.clone(), th.accent())];
                if more > 0 {
                    name.push(Span::styled(format!(" (+{more})"), th.muted()));
                }
                lines.push(Line::from(name));
                let card = i18n::card_state(self.lang, r.card);
                lines.push(Line::from(self.field(
                    "",
                    self.t(Msg::DiagCard),
                    card,
                    self.card_style(r.card),
                )));
                if let Some(k) = &r.facts.card_kind {
                    let kind = i18n::card_kind(self.lang, k);
                    lines.push(Line::from(self.field("", self.t(Msg::DiagKind), &kind, th.text())));
                }
                let mut protocol = vec![Span::styled(
                    r.facts.protocol.clone().unwrap_or_else(|| "—".into()),
                    th.text(),
                )];
                let extended = i18n::yes_no(self.lang, r.facts.extended_length, false);
                protocol.extend(self.field("  ", self.t(Msg::DiagExtendedShort), extended, th.text()));
                lines.push(Line::from(protocol));
                let rtt = r.facts.last_rtt_ms.map(|m| format!("{m:.1} ms"));
                let mut rtt = self.field("", self.t(Msg::DiagRtt), rtt.as_deref().unwrap_or("—"), th.text());
                let removals = self.model.card_removals.to_string();
                rtt.extend(self.field("  ", self.t(Msg::DiagRemovalsShort), &removals, th.text()));
                lines.push(Line::from(rtt));
            }
        }
        lines.extend(self.socket_line());
        if let Some(e) = &self.model.last_error {
            // The hint above already says it.
            let hinted = self.model.pcscd == Pcscd::Stopped && *e == CardError::Transport(TransportError::NoService);
            if !hinted {
                lines.push(Line::styled(i18n::card_error(self.lang, e), th.error()));
            }
        }
        lines
    }

    /// The status socket could not be opened: support can't ask this station.
    fn socket_line(&self) -> Option<Line<'static>> {
        self.socket_error.map(|e| {
            Line::styled(
                i18n::status_socket_failed(self.lang, e.path, e.reason),
                self.theme.warn(),
            )
        })
    }

    fn full_lines(&self) -> Vec<Line<'static>> {
        let th = self.theme;
        let mut lines = vec![self.service_line()];
        lines.extend(self.hint_line());
        lines.extend(self.socket_line());
        // What went wrong first, then the readers' facts: on a small screen the end is cut.
        let (last, style) = match &self.model.last_error {
            Some(e) => (i18n::card_error(self.lang, e), th.error()),
            None => ("—".to_string(), th.text()),
        };
        lines.push(Line::from(self.field("", self.t(Msg::DiagLastError), &last, style)));
        let removals = self.model.card_removals.to_string();
        lines.push(Line::from(self.field(
            "",
            self.t(Msg::DiagRemovals),
            &removals,
            th.text(),
        )));
        for r in &self.model.readers {
            lines.push(Line::raw(""));
            lines.push(Line::styled(r.name.clone(), th.accent()));
            let field = |k: &str, v: String, style| Line::from(self.field("  ", k, &v, style));
            let mut card = i18n::card_state(self.lang, r.card).to_string();
            if let Some(k) = &r.facts.card_kind {
                card.push_str(&format!(" ({})", i18n::card_kind(self.lang, k)));
            }
            lines.push(field(self.t(Msg::DiagCard), card, self.card_style(r.card)));
            if let Some(atr) = &r.atr {
                lines.push(field("ATR", atr.clone(), th.text()));
            }
            if let Some(a) = &r.atr_summary {
                let interface = i18n::atr_interface(self.lang, &a.interface);
                let mut v = format!("{} {interface}", a.protocols.join(","));
                if a.known_my_number_atr {
                    v.push_str(&format!(" / {}", self.t(Msg::DiagKnownAtr)));
                }
                lines.push(field(self.t(Msg::DiagAtrDecoded), v, th.text()));
            }
            lines.push(field(
                self.t(Msg::DiagProtocol),
                r.facts.protocol.clone().unwrap_or_else(|| "—".into()),
                th.text(),
            ));
            lines.push(field(
                self.t(Msg::DiagExtendedMeasured),
                i18n::yes_no(self.lang, r.facts.extended_length, false).into(),
                th.text(),
            ));
            lines.push(field(
                self.t(Msg::DiagLastApduLong),
                r.facts
                    .last_rtt_ms
                    .map(|m| format!("{m:.1} ms"))
                    .unwrap_or_else(|| "—".into()),
                th.text(),
            ));
            let dash = || "—".to_string();
            lines.push(field(
                self.t(Msg::DiagVendorModelFirmware),
                format!(
                    "{} / {} / {}",
                    r.facts.vendor.clone().unwrap_or_else(dash),
                    r.facts.model.clone().unwrap_or_else(dash),
                    r.facts.firmware.clone().unwrap_or_else(dash)
                ),
                th.text(),
            ));
        }
        lines
    }
}

impl Widget for DiagnosticsPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let title = match self.form {
            Form::Compact => format!(" {} ", self.t(Msg::DiagReader)),
            Form::Full => format!(" {} ", self.t(Msg::DiagTitleFull)),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(self.theme.muted())
            .title(Span::styled(title, self.theme.accent()));
        let lines = match self.form {
            Form::Compact => self.compact_lines(),
            Form::Full => self.full_lines(),
        };
        // Wrapped by display width with the project's line-breaking rules, never past the
        // border (ratatui's wrapping let a full-width bracket overwrite it).
        let inner = block.inner(area).width as usize;
        let lines: Vec<Line> = lines.iter().flat_map(|l| wrap_line(l, inner)).collect();
        Paragraph::new(lines).block(block).render(area, buf);
    }
}
