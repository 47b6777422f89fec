//! The live reader diagnostics as a ratatui widget: a compact form for a side pane at 80x24,
//! and a full-screen form. Renders the model only; readable without colour (every state is
//! also a word).

use super::theme::Theme;
use crate::i18n::Lang;
use crate::reader::diagnostics::{card_kind_text, card_state_text, CardState, Diagnostics, ReaderDiag};
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
}

impl DiagnosticsPane<'_> {
    fn reader(&self) -> Option<&ReaderDiag> {
        let rs = &self.model.readers;
        self.selected
            .and_then(|s| rs.iter().find(|r| r.name == s))
            .or_else(|| rs.iter().find(|r| r.card != CardState::Absent))
            .or_else(|| rs.first())
    }

    fn t(&self, ja: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    fn service_line(&self) -> Line<'static> {
        let th = self.theme;
        if self.model.pcscd_running {
            Line::from(vec![
                Span::styled("pcscd: ", th.muted()),
                Span::styled(self.t("動作中", "running"), th.ok()),
            ])
        } else {
            Line::from(vec![
                Span::styled("pcscd: ", th.muted()),
                Span::styled(self.t("停止", "not running"), th.error()),
            ])
        }
    }

    fn card_style(&self, c: CardState) -> ratatui::style::Style {
        match c {
            CardState::Present => self.theme.ok(),
            CardState::Absent => self.theme.text(),
            CardState::Mute | CardState::Busy => self.theme.warn(),
        }
    }

    fn yes_no(&self, v: Option<bool>) -> &'static str {
        match v {
            Some(true) => self.t("対応", "yes"),
            Some(false) => self.t("非対応", "no"),
            None => "—",
        }
    }

    fn compact_lines(&self) -> Vec<Line<'static>> {
        let th = self.theme;
        let mut lines = vec![self.service_line()];
        if let Some(h) = &self.model.pcscd_hint {
            lines.push(Line::styled(h.clone(), th.error()));
        }
        match self.reader() {
            None if self.model.pcscd_running => {
                lines.push(Line::styled(
                    self.t("リーダーが接続されていません", "No reader connected"),
                    th.warn(),
                ));
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
                    Span::styled(self.t("カード: ", "Card: "), th.muted()),
                    Span::styled(card_state_text(self.lang, r.card), self.card_style(r.card)),
                ]));
                if let Some(k) = &r.facts.card_kind {
                    lines.push(Line::from(vec![
                        Span::styled(self.t("種類: ", "Kind: "), th.muted()),
                        Span::styled(card_kind_text(self.lang, k), th.text()),
                    ]));
                }
                lines.push(Line::from(vec![
                    Span::styled(r.facts.protocol.clone().unwrap_or_else(|| "—".into()), th.text()),
                    Span::styled(self.t("  拡張APDU: ", "  Ext. APDU: "), th.muted()),
                    Span::styled(self.yes_no(r.facts.extended_length), th.text()),
                ]));
                lines.push(Line::from(vec![
                    Span::styled(self.t("応答: ", "RTT: "), th.muted()),
                    Span::styled(
                        r.facts
                            .last_rtt_ms
                            .map(|m| format!("{m:.1} ms"))
                            .unwrap_or_else(|| "—".into()),
                        th.text(),
                    ),
                    Span::styled(self.t("  取り外し: ", "  Removals: "), th.muted()),
                    Span::styled(self.model.card_removals.to_string(), th.text()),
                ]));
            }
        }
        if let Some(e) = &self.model.last_error {
            if self.model.pcscd_hint.as_deref() != Some(e.message.as_str()) {
                lines.push(Line::styled(e.message.clone(), th.error()));
            }
        }
        lines
    }

    fn full_lines(&self) -> Vec<Line<'static>> {
        let th = self.theme;
        let mut lines = vec![self.service_line()];
        if let Some(h) = &self.model.pcscd_hint {
            lines.push(Line::styled(h.clone(), th.error()));
        }
        for r in &self.model.readers {
            lines.push(Line::raw(""));
            lines.push(Line::styled(r.name.clone(), th.accent()));
            let field = |k: &'static str, v: String, style| {
                Line::from(vec![
                    Span::styled(format!("  {k}: "), th.muted()),
                    Span::styled(v, style),
                ])
            };
            let mut card = card_state_text(self.lang, r.card).to_string();
            if let Some(k) = &r.facts.card_kind {
                card.push_str(&format!(" ({})", card_kind_text(self.lang, k)));
            }
            lines.push(field(self.t("カード", "Card"), card, self.card_style(r.card)));
            if let Some(atr) = &r.atr {
                lines.push(field("ATR", atr.clone(), th.text()));
            }
            if let Some(a) = &r.atr_summary {
                let mut v = format!("{} {}", a.protocols.join(","), a.interface);
                if a.known_my_number_atr {
                    v.push_str(self.t(" / マイナンバーカードの既知ATR", " / known My Number Card ATR"));
                }
                lines.push(field(self.t("ATR解析", "ATR decoded"), v, th.text()));
            }
            lines.push(field(
                self.t("プロトコル", "Protocol"),
                r.facts.protocol.clone().unwrap_or_else(|| "—".into()),
                th.text(),
            ));
            lines.push(field(
                self.t("拡張APDU（実測）", "Extended APDU (measured)"),
                self.yes_no(r.facts.extended_length).into(),
                th.text(),
            ));
            lines.push(field(
                self.t("最終APDU応答", "Last APDU round trip"),
                r.facts
                    .last_rtt_ms
                    .map(|m| format!("{m:.1} ms"))
                    .unwrap_or_else(|| "—".into()),
                th.text(),
            ));
            let dash = || "—".to_string();
            lines.push(field(
                self.t("メーカー / 型番 / FW", "Vendor / model / firmware"),
                format!(
                    "{} / {} / {}",
                    r.facts.vendor.clone().unwrap_or_else(dash),
                    r.facts.model.clone().unwrap_or_else(dash),
                    r.facts.firmware.clone().unwrap_or_else(dash)
                ),
                th.text(),
            ));
        }
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled(self.t("カード取り外し回数: ", "Card removals: "), th.muted()),
            Span::styled(self.model.card_removals.to_string(), th.text()),
        ]));
        lines.push(Line::from(vec![
            Span::styled(self.t("最後のエラー: ", "Last error: "), th.muted()),
            match &self.model.last_error {
                Some(e) => Span::styled(e.message.clone(), th.error()),
                None => Span::styled("—", th.text()),
            },
        ]));
        lines
    }
}

impl Widget for DiagnosticsPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let title = match self.form {
            Form::Compact => self.t(" リーダー ", " Reader "),
            Form::Full => self.t(" リーダー診断 ", " Reader diagnostics "),
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
