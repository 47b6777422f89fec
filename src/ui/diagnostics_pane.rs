//! The live reader diagnostics as a ratatui widget: a compact form for a side pane at 80x24,
//! and a full-screen form. Renders the model only, with words from the catalogue; readable
//! without colour (every state is also a word).

use super::theme::Theme;
use crate::card::{CardError, TransportError};
use crate::i18n::{self, msg, Msg};
use crate::lang::Lang;
use crate::reader::diagnostics::{CardState, Diagnostics, Pcscd, ReaderDiag};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

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
    pub socket_error: Option<&'a str>,
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

    /// "label: " as a muted span, with `lead` spaces before it.
    fn label(&self, lead: &str, m: Msg) -> Span<'static> {
        Span::styled(format!("{lead}{}: ", self.t(m)), self.theme.muted())
    }

    fn service_line(&self) -> Line<'static> {
        let th = self.theme;
        let state = if self.model.pcscd_running() {
            Span::styled(self.t(Msg::DiagRunning), th.ok())
        } else if self.model.pcscd == Pcscd::NotUsed {
            Span::styled(self.t(Msg::DiagNotUsed), th.text())
        } else {
            Span::styled(self.t(Msg::DiagNotRunning), th.error())
        };
        Line::from(vec![Span::styled("pcscd: ", th.muted()), state])
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
                lines.push(Line::from(vec![
                    self.label("", Msg::DiagCard),
                    Span::styled(i18n::card_state(self.lang, r.card), self.card_style(r.card)),
                ]));
                if let Some(k) = &r.facts.card_kind {
                    lines.push(Line::from(vec![
                        self.label("", Msg::DiagKind),
                        Span::styled(i18n::card_kind(self.lang, k), th.text()),
                    ]));
                }
                lines.push(Line::from(vec![
                    Span::styled(r.facts.protocol.clone().unwrap_or_else(|| "—".into()), th.text()),
                    self.label("  ", Msg::DiagExtendedShort),
                    Span::styled(i18n::yes_no(self.lang, r.facts.extended_length, false), th.text()),
                ]));
                lines.push(Line::from(vec![
                    self.label("", Msg::DiagRtt),
                    Span::styled(
                        r.facts
                            .last_rtt_ms
                            .map(|m| format!("{m:.1} ms"))
                            .unwrap_or_else(|| "—".into()),
                        th.text(),
                    ),
                    self.label("  ", Msg::DiagRemovalsShort),
                    Span::styled(self.model.card_removals.to_string(), th.text()),
                ]));
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
        self.socket_error
            .map(|e| Line::styled(i18n::status_socket_failed(self.lang, e), self.theme.warn()))
    }

    fn full_lines(&self) -> Vec<Line<'static>> {
        let th = self.theme;
        let mut lines = vec![self.service_line()];
        lines.extend(self.hint_line());
        lines.extend(self.socket_line());
        // What went wrong first, then the readers' facts: on a small screen the end is cut.
        lines.push(Line::from(vec![
            self.label("", Msg::DiagLastError),
            match &self.model.last_error {
                Some(e) => Span::styled(i18n::card_error(self.lang, e), th.error()),
                None => Span::styled("—", th.text()),
            },
        ]));
        lines.push(Line::from(vec![
            self.label("", Msg::DiagRemovals),
            Span::styled(self.model.card_removals.to_string(), th.text()),
        ]));
        for r in &self.model.readers {
            lines.push(Line::raw(""));
            lines.push(Line::styled(r.name.clone(), th.accent()));
            let field = |k: &str, v: String, style| {
                Line::from(vec![
                    Span::styled(format!("  {k}: "), th.muted()),
                    Span::styled(v, style),
                ])
            };
            let mut card = i18n::card_state(self.lang, r.card).to_string();
            if let Some(k) = &r.facts.card_kind {
                card.push_str(&format!(" ({})", i18n::card_kind(self.lang, k)));
            }
            lines.push(field(self.t(Msg::DiagCard), card, self.card_style(r.card)));
            if let Some(atr) = &r.atr {
                lines.push(field("ATR", atr.clone(), th.text()));
            }
            if let Some(a) = &r.atr_summary {
                let mut v = format!("{} {}", a.protocols.join(","), a.interface);
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
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
