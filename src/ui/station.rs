//! The station screen: title, step progress, the pane of the current step, a status line
//! (reader, queue) and a key help line that is always visible. Renders only what it is given.

use super::diagnostics_pane::{DiagnosticsPane, Form};
use super::keys::{self, Action, Overlay};
use super::theme::Theme;
use super::wrap::{str_width, truncate, wrap, wrap_slices};
use crate::card::basic4::Gender;
use crate::flow::contact::EmailError;
use crate::flow::Doc;
use crate::flow::{
    Action as F, ConfirmChoice, Finding, Flow, Notice, PinMessage, PinScreen, Screen, Signing, Step, Stop,
};
use crate::i18n::{self, msg, Msg};
use crate::lang::Lang;
use crate::reader::diagnostics::{CardState, Diagnostics, Pcscd};
use crate::record::payload::Representative;
use crate::seam::{BackendError, Verdict};
use crate::secret::PinKind;
use crate::wareki;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// Terminals at least this wide get the reader pane beside the step pane.
pub const SIDE_PANE_WIDTH: u16 = 110;
const SIDE_PANE: u16 = 34;
const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

pub use crate::seam::QueueInfo;

/// The counter's own lines: contact (name, phone, hours) and where a locked PIN is reset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CounterInfo {
    pub contact: Vec<String>,
    /// The municipality offers コンビニ resets of the signing password (seed 000's wording).
    pub konbini_reset: bool,
    /// This counter can reset PINs itself.
    pub reset_here: bool,
}

pub struct View<'a> {
    pub flow: &'a Flow,
    pub lang: Lang,
    pub theme: &'a Theme,
    pub diag: &'a Diagnostics,
    pub reader: Option<&'a str>,
    /// The terms in the citizen's language, or the Japanese ones when it has none.
    pub terms: &'a str,
    /// The citizen's language has no terms: `terms` is the text in this language (Japanese,
    /// unless the station has none), and a line says so.
    pub terms_missing: Option<Lang>,
    pub station_id: &'a str,
    pub queue: QueueInfo,
    /// Records are sealed to the backend key (false: `seal = false`, shown as a warning).
    pub sealed: bool,
    /// What covers the step (F4's diagnostics, the quit question), holding the keyboard.
    pub overlay: Overlay,
    pub spinner: usize,
    /// The privacy notice in the citizen's language (else the Japanese one), when the
    /// station shows one after the terms.
    pub privacy: Option<&'a str>,
    /// The citizen's language has no privacy notice: `privacy` is the one in this language.
    pub privacy_missing: Option<Lang>,
    /// Who runs this counter and what it can do (config `[operator]`).
    pub counter: &'a CounterInfo,
    /// The demo card's PIN and password, shown in the status line (demo only).
    pub demo_secrets: Option<(&'a str, Option<&'a str>)>,
    /// The station's CRL (`[checks] crl_file`), when configured.
    pub crl: Option<crate::seam::CrlInfo>,
    /// Reader health: the last APDU round trips (µs) and this session's troubles.
    pub health: Health<'a>,
    /// Why the status socket (`madoguchi status`) could not be opened at start, if it could not.
    pub status_socket_error: Option<&'a str>,
}

/// Reader health for the diagnostics: a sparkline of round trips, and counts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Health<'a> {
    pub round_trips: &'a [u32],
    pub resends: u32,
    pub transmit_errors: u32,
    /// Removals and transmit errors cluster now: the card is probably moving or badly placed.
    pub placement_suspect: bool,
}

/// The sparkline and the counts under the diagnostics (full view, or a roomy side pane).
fn draw_health(f: &mut Frame, v: &View, area: Rect) {
    use ratatui::widgets::Sparkline;
    let l = v.lang;
    let th = v.theme;
    let h = v.health;
    let data: Vec<u64> = h.round_trips.iter().map(|&u| u64::from(u)).collect();
    let long = i18n::health_title(l, h.round_trips.len(), h.round_trips.iter().copied().max().unwrap_or(0));
    // The title sits in the top border, between the corners: a side pane gets the short one.
    let title = if str_width(&long) + 4 <= area.width as usize {
        long
    } else {
        truncate(msg(l, Msg::HealthTitleShort), (area.width as usize).saturating_sub(4))
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(th.muted())
        .title(Span::styled(format!(" {title} "), th.accent()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let counts = i18n::health_counts(l, v.diag.card_removals, h.resends, h.transmit_errors);
    let mut lines = vec![Line::styled(truncate(&counts, inner.width as usize), th.text())];
    if h.placement_suspect {
        // Wrapped, not cut: the advice is the point of the hint.
        for part in crate::ui::wrap::wrap(msg(l, Msg::PlacementSuspect), inner.width as usize) {
            lines.push(Line::styled(part, th.warn()));
        }
    }
    let text_rows = lines.len() as u16;
    let spark_rows = inner.height.saturating_sub(text_rows);
    if spark_rows > 0 {
        f.render_widget(
            Sparkline::default().data(&data).style(th.accent()),
            Rect {
                height: spark_rows,
                ..inner
            },
        );
    }
    f.render_widget(
        Paragraph::new(lines),
        Rect {
            y: inner.y + spark_rows,
            height: inner.height - spark_rows,
            ..inner
        },
    );
}

fn step_name(lang: Lang, s: Step) -> &'static str {
    msg(
        lang,
        match s {
            Step::Consent => Msg::StepConsent,
            Step::Card => Msg::StepCard,
            Step::Pin => Msg::StepPin,
            Step::Reading => Msg::StepReading,
            Step::Confirm => Msg::StepConfirm,
            Step::Contact => Msg::StepContact,
            Step::Sign => Msg::StepSign,
            Step::Send => Msg::StepSend,
            Step::Done => Msg::StepDone,
        },
    )
}

/// The main pane's inner area for a terminal of `w`x`h` (what the consent text wraps to).
fn main_inner(w: u16, h: u16) -> (u16, u16) {
    let main_w = if w >= SIDE_PANE_WIDTH { w - SIDE_PANE } else { w };
    (main_w.saturating_sub(2), h.saturating_sub(4).saturating_sub(2))
}

fn notice_lines(lang: Lang, notice: &Option<Notice>, width: u16) -> Vec<String> {
    match notice {
        None => Vec::new(),
        Some(n) => wrap(msg(lang, notice_msg(n)), width as usize),
    }
}

fn notice_msg(n: &Notice) -> Msg {
    match n {
        Notice::CardRemoved => Msg::NoticeCardRemoved,
        Notice::TimedOut => Msg::NoticeTimedOut,
        Notice::Cancelled => Msg::NoticeCancelled,
        Notice::QueueFull => Msg::NoticeQueueFull,
        Notice::Declined => Msg::NoticeDeclined,
    }
}

/// (total, visible) lines of the consent text at this size: the app tells the flow, which
/// allows "agree" only once the end was on screen.
/// `lang` is the citizen's.
pub fn consent_layout(w: u16, h: u16, lang: Lang, terms: &str, notice: &Option<Notice>) -> (u16, u16) {
    consent_layout_for(w, h, lang, terms, None, notice)
}

/// [`consent_layout`] when the citizen's language may lack the text (`missing`: Some((doc,
/// shown)) when it has no `doc` of its own, and the text in `shown` — Japanese, unless the
/// station has only another — is shown below a line that says so).
pub fn consent_layout_for(
    w: u16,
    h: u16,
    lang: Lang,
    terms: &str,
    missing: Option<(Doc, Lang)>,
    notice: &Option<Notice>,
) -> (u16, u16) {
    let (iw, ih) = main_inner(w, h);
    let total = wrap(terms, iw as usize).len() as u16;
    let missing = missing.map_or(0, |(doc, shown)| missing_lines(lang, doc, shown, iw).len() as u16);
    // Language picker + heading + hint.
    let reserved = 3 + missing + notice_lines(lang, notice, iw).len() as u16;
    (total, ih.saturating_sub(reserved).max(1))
}

/// The line saying the citizen's language has no `doc` of its own, and which is shown.
fn missing_lines(lang: Lang, doc: Doc, shown: Lang, width: u16) -> Vec<String> {
    let text = match doc {
        Doc::Terms => i18n::terms_missing(lang, shown),
        Doc::Privacy => i18n::privacy_missing(lang, shown),
    };
    wrap(&text, width as usize)
}

/// The language picker: every language in its own script, the citizen's highlighted.
fn picker_line<'a>(v: &View, l: Lang) -> Line<'a> {
    let th = v.theme;
    let mut spans = vec![Span::styled("← ", th.muted())];
    for (i, lang) in Lang::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        if *lang == l {
            spans.push(Span::styled(format!("[{}]", lang.native_name()), th.highlight()));
        } else {
            spans.push(Span::styled(lang.native_name(), th.text()));
        }
    }
    spans.push(Span::styled(" →", th.muted()));
    Line::from(spans)
}

pub fn draw(f: &mut Frame, v: &View) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let p = Paragraph::new(msg(v.lang, Msg::TooSmall))
            .style(v.theme.warn())
            .wrap(Wrap { trim: true });
        f.render_widget(p, area);
        return;
    }
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(8),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .split(area);
    draw_title(f, v, rows[0]);
    draw_progress(f, v, rows[1]);
    let (main, side) = if area.width >= SIDE_PANE_WIDTH {
        let cols = Layout::horizontal([Constraint::Min(40), Constraint::Length(SIDE_PANE)]).split(rows[2]);
        (cols[0], Some(cols[1]))
    } else {
        (rows[2], None)
    };
    if v.overlay == Overlay::Diagnostics {
        let parts = Layout::vertical([Constraint::Min(8), Constraint::Length(6)]).split(rows[2]);
        f.render_widget(
            DiagnosticsPane {
                model: v.diag,
                theme: v.theme,
                lang: v.lang,
                form: Form::Full,
                selected: v.reader,
                socket_error: v.status_socket_error,
            },
            parts[0],
        );
        draw_health(f, v, parts[1]);
    } else {
        draw_main(f, v, main);
        if let Some(side) = side {
            // A roomy side pane also shows the reader's health under the diagnostics.
            let (pane, health) = if side.height >= 20 {
                let parts = Layout::vertical([Constraint::Min(10), Constraint::Length(6)]).split(side);
                (parts[0], Some(parts[1]))
            } else {
                (side, None)
            };
            f.render_widget(
                DiagnosticsPane {
                    model: v.diag,
                    theme: v.theme,
                    lang: v.lang,
                    form: Form::Compact,
                    selected: v.reader,
                    socket_error: v.status_socket_error,
                },
                pane,
            );
            if let Some(h) = health {
                draw_health(f, v, h);
            }
        }
        if v.overlay == Overlay::Quit {
            draw_quit_question(f, v, main);
        }
    }
    draw_status(f, v, rows[3]);
    draw_help(f, v, rows[4]);
}

/// "Quit the station?" over the step: in the citizen's language (they may have pressed it),
/// and the clerk's when it differs; its keys from the table.
fn draw_quit_question(f: &mut Frame, v: &View, area: Rect) {
    use ratatui::widgets::Clear;
    let width = area.width.saturating_sub(8).min(60);
    let iw = width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let citizen = v.flow.citizen_lang();
    for l in [citizen, v.lang]
        .into_iter()
        .take(if citizen == v.lang { 1 } else { 2 })
    {
        lines.extend(styled_lines(wrap(msg(l, Msg::QuitQuestion), iw), v.theme.warn()));
    }
    lines.push(Line::raw(""));
    let row = keys::hints(keys::Facets::QUIT, |_| true)
        .into_iter()
        .map(|h| format!("{}: {}", h.keys, msg(citizen, h.word)))
        .collect::<Vec<_>>()
        .join("   ");
    lines.push(Line::styled(truncate(&row, iw), v.theme.highlight()));
    let height = (lines.len() as u16 + 2).min(area.height);
    let at = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height,
    };
    f.render_widget(Clear, at);
    let frame = Block::default().borders(Borders::ALL).border_style(v.theme.warn());
    f.render_widget(Paragraph::new(lines).block(frame), at);
}

fn draw_title(f: &mut Frame, v: &View, area: Rect) {
    let left = format!(" {} ", msg(v.flow.citizen_lang(), Msg::Title));
    let right = format!("{} ", v.station_id);
    let pad = (area.width as usize).saturating_sub(str_width(&left) + str_width(&right));
    let line = Line::from(vec![
        Span::styled(left, v.theme.accent()),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, v.theme.muted()),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

fn draw_progress(f: &mut Frame, v: &View, area: Rect) {
    let wide = progress_spans(v, " > ");
    let fits = wide.iter().map(|s| str_width(&s.content)).sum::<usize>() <= area.width as usize;
    // With every step on (連絡先 and 署名), 80 columns need the tight separator.
    let spans = if fits { wide } else { progress_spans(v, ">") };
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn progress_spans(v: &View, sep: &'static str) -> Vec<Span<'static>> {
    let current = v.flow.step();
    let mut spans = vec![Span::raw(" ")];
    for (i, s) in v.flow.steps().into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(sep, v.theme.muted()));
        }
        let name = step_name(v.flow.citizen_lang(), s);
        if s == current {
            spans.push(Span::styled(format!("[{name}]"), v.theme.highlight()));
        } else if s == Step::Sign && v.flow.sign_skipped() {
            // Passed by without a signature: not ticked as done.
            spans.push(Span::styled(format!("-{name}"), v.theme.muted()));
        } else if s < current {
            spans.push(Span::styled(format!("✓{name}"), v.theme.ok()));
        } else {
            spans.push(Span::styled(format!(" {name}"), v.theme.muted()));
        }
    }
    spans
}

fn block<'a>(v: &View, title: &'a str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(v.theme.muted())
        .title(Span::styled(format!(" {title} "), v.theme.accent()))
}

fn styled_lines<'a>(lines: Vec<String>, style: Style) -> impl Iterator<Item = Line<'a>> {
    lines.into_iter().map(move |l| Line::styled(l, style))
}

fn draw_main<'a>(f: &mut Frame, v: &View<'a>, area: Rect) {
    let iw = area.width.saturating_sub(2);
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let birth = match (v.flow.screen(), v.flow.person()) {
        (Screen::Confirm { .. }, Some(p)) => birth_text(l, p),
        _ => zeroize::Zeroizing::new(String::new()),
    };
    let mut lines: Vec<Line> = Vec::new();
    let title = step_name(l, v.flow.step());
    match v.flow.screen() {
        Screen::Consent {
            doc,
            scroll,
            reached_end,
            notice,
        } => {
            lines.extend(styled_lines(notice_lines(l, notice, iw), th.warn()));
            lines.push(picker_line(v, l));
            let (heading, body, missing) = match doc {
                Doc::Terms => (Msg::ConsentHeading, v.terms, v.terms_missing),
                Doc::Privacy => (Msg::PrivacyHeading, v.privacy.unwrap_or_default(), v.privacy_missing),
            };
            lines.push(Line::styled(msg(l, heading), th.accent()));
            if let Some(shown) = missing {
                lines.extend(styled_lines(missing_lines(l, *doc, shown, iw), th.warn()));
            }
            let text = wrap(body, iw as usize);
            let (_, visible) = v.flow.consent_layout();
            let start = (*scroll as usize).min(text.len());
            let end = (start + visible.max(1) as usize).min(text.len());
            lines.extend(styled_lines(text[start..end].to_vec(), th.text()));
            while lines.len() < (area.height.saturating_sub(3)) as usize {
                lines.push(Line::raw(""));
            }
            if *reached_end {
                lines.push(Line::styled(key_line(v, F::Submit).unwrap_or_default(), th.highlight()));
            } else {
                lines.push(Line::styled(
                    truncate(
                        &format!("{} ({}/{})", msg(l, Msg::ConsentScrollHint), end, text.len()),
                        iw as usize,
                    ),
                    th.muted(),
                ));
            }
        }
        Screen::Card { notice } => {
            lines.push(Line::raw(""));
            lines.extend(styled_lines(notice_lines(l, notice, iw), th.warn()));
            lines.push(Line::raw(""));
            lines.extend(styled_lines(wrap(msg(l, Msg::PlaceCard), iw as usize), th.accent()));
            lines.extend(styled_lines(wrap(msg(l, Msg::KeepCardStill), iw as usize), th.text()));
            lines.push(Line::raw(""));
            // The seeds' placement tips; after a removal they come with the reader's own
            // account of what went wrong.
            let tip_style = if notice.is_some() { th.warn() } else { th.muted() };
            for m in [Msg::CardTipCase, Msg::CardTipMetal, Msg::CardTipStill] {
                lines.extend(styled_lines(wrap(msg(l, m), iw as usize), tip_style));
            }
            lines.push(Line::raw(""));
            if let Some(r) = v.reader {
                lines.push(Line::styled(truncate(r, iw as usize), th.muted()));
                if notice.is_some() {
                    if let Some(e) = &v.diag.last_error {
                        lines.extend(styled_lines(wrap(&i18n::card_error(l, e), iw as usize), th.muted()));
                    }
                }
            }
        }
        Screen::Pin(p) | Screen::SignPin(p) => {
            pin_lines(v, p, iw, &mut lines);
            lines.extend(styled_lines(no_certificate_note(v, p.kind, iw), th.warn()));
        }
        Screen::Reading => busy_lines(v, Msg::Reading, iw, &mut lines),
        Screen::Signing => busy_lines(v, Msg::Signing, iw, &mut lines),
        Screen::Storing => busy_lines(v, Msg::Storing, iw, &mut lines),
        Screen::Sending { .. } => busy_lines(v, Msg::Sending, iw, &mut lines),
        Screen::Confirm { choice } => confirm_lines(v, &birth, *choice, iw, &mut lines),
        Screen::Representative { choice } => {
            lines.extend(styled_lines(
                wrap(msg(l, Msg::RepresentativeHeading), iw as usize),
                th.accent(),
            ));
            lines.extend(styled_lines(
                wrap(msg(l, Msg::RepresentativeNote), iw as usize),
                th.text(),
            ));
            lines.push(Line::raw(""));
            let facets = keys::facets(v.flow, Overlay::None);
            for (m, r) in [
                (Msg::RepresentativeParent, Representative::Parent),
                (Msg::RepresentativeGuardian, Representative::Guardian),
                (Msg::RepresentativeOther, Representative::Other),
            ] {
                let on = *choice == Some(r);
                let key = keys::keys_for(facets, Action::Flow(F::Representative(r))).unwrap_or_default();
                let text = format!("{} {key}: {}", if on { "(●)" } else { "( )" }, msg(l, m));
                lines.push(Line::styled(text, if on { th.highlight() } else { th.text() }));
            }
            lines.push(Line::raw(""));
            lines.extend(styled_lines(
                wrap(msg(l, Msg::RepresentativeChoose), iw as usize),
                th.muted(),
            ));
        }
        Screen::Contact { input, first, error } => contact_lines(v, input, first.as_ref(), *error, iw, &mut lines),
        Screen::Done {
            enrollment_id,
            verdict,
            signed,
            review,
        } => {
            let receipt = crate::record::receipt::number(enrollment_id);
            // The QR code goes to the right when the pane has room for it beside the text.
            let qr = super::qr::lines(&receipt).filter(|q| {
                let (qw, qh) = (q[0].chars().count() as u16, q.len() as u16);
                iw >= qw + 44 && area.height.saturating_sub(2) >= qh
            });
            let tw = match &qr {
                Some(q) => iw - q[0].chars().count() as u16 - 2,
                None => iw,
            } as usize;
            lines.push(Line::styled(
                msg(l, Msg::DoneHeading),
                th.ok().add_modifier(ratatui::style::Modifier::BOLD),
            ));
            lines.push(Line::from(vec![
                Span::styled(format!("{}: ", msg(l, Msg::ReceiptNumber)), th.text()),
                Span::styled(
                    receipt.clone(),
                    th.accent().add_modifier(ratatui::style::Modifier::BOLD),
                ),
            ]));
            lines.extend(styled_lines(wrap(msg(l, Msg::ReceiptKeep), tw), th.muted()));
            if !review.is_empty() {
                let items: Vec<&str> = review.iter().map(|i| msg(l, item_label(*i))).collect();
                let sep = if matches!(l, Lang::Ja | Lang::ZhHans) {
                    "、"
                } else {
                    ", "
                };
                let text = format!("{} {}", msg(l, Msg::DoneReview), items.join(sep));
                lines.extend(styled_lines(wrap(&text, tw), th.warn()));
                lines.extend(styled_lines(wrap(msg(l, Msg::DoneReviewWhy), tw), th.text()));
            }
            if *verdict == Verdict::Queued {
                lines.extend(styled_lines(wrap(msg(l, Msg::DoneQueued), tw), th.text()));
                lines.extend(styled_lines(wrap(msg(l, Msg::DoneVerdictLater), tw), th.text()));
            }
            if !signed && v.flow.config().signature {
                lines.extend(styled_lines(wrap(msg(l, Msg::DoneUnsigned), tw), th.text()));
            }
            for c in &v.counter.contact {
                lines.extend(styled_lines(wrap(c, tw), th.muted()));
            }
            lines.push(Line::styled(truncate(&format!("ID: {enrollment_id}"), tw), th.muted()));
            lines.push(Line::styled(key_line(v, F::Submit).unwrap_or_default(), th.highlight()));
            if let Some(q) = qr {
                let qw = q[0].chars().count() as u16;
                let inner = block(v, title).inner(area);
                let text_area = Rect {
                    width: inner.width - qw - 1,
                    ..inner
                };
                let qr_area = Rect {
                    x: inner.x + inner.width - qw,
                    width: qw,
                    height: q.len() as u16,
                    ..inner
                };
                f.render_widget(block(v, title), area);
                f.render_widget(Paragraph::new(lines), text_area);
                let qr_style = th.qr();
                f.render_widget(
                    Paragraph::new(q.into_iter().map(|r| Line::styled(r, qr_style)).collect::<Vec<_>>()),
                    qr_area,
                );
                return;
            }
        }
        Screen::Stopped(stop) => stopped_lines(v, stop, iw, &mut lines),
    }
    if let Some(secs) = v.flow.idle_warning() {
        let mut warned = styled_lines(wrap(&i18n::idle_warning(l, secs), iw as usize), th.error()).collect::<Vec<_>>();
        warned.push(Line::raw(""));
        warned.append(&mut lines);
        lines = warned;
    }
    f.render_widget(Paragraph::new(lines).block(block(v, title)), area);
}

/// The keys of `action` on the step on view and their word, in the citizen's language, as the
/// panes name them beside their own lines ("Enter: 同意して次へ"), from the key table.
fn key_line(v: &View, action: F) -> Option<String> {
    let facets = keys::facets(v.flow, Overlay::None);
    keys::hint_for(facets, Action::Flow(action)).map(|(k, m)| format!("{k}: {}", msg(v.flow.citizen_lang(), m)))
}

/// On the first PIN screen of a card without a signing certificate: what happens without one,
/// said before the PIN is typed.
fn no_certificate_note(v: &View, kind: PinKind, iw: u16) -> Vec<String> {
    let cfg = v.flow.config();
    let missing = v.flow.card_facts().is_some_and(|f| f.signing == Signing::Missing);
    if kind != PinKind::TextPin || !missing || !cfg.signature {
        return Vec::new();
    }
    let l = v.flow.citizen_lang();
    let text = match (cfg.allow_unsigned_minors, cfg.allow_unsigned_adults) {
        (true, true) => msg(l, Msg::NoCertificateNoteUnsigned).to_string(),
        (true, false) => msg(l, Msg::NoCertificateNoteMinors).to_string(),
        _ => i18n::card_error(l, &crate::card::CardError::NoSigningCertificate),
    };
    let mut out = vec![String::new()];
    out.extend(wrap(&text, iw as usize));
    out
}

/// The e-mail step: the address typed (twice), what is wrong with it, and the key that skips
/// it where it is optional.
fn contact_lines<'a>(
    v: &View,
    input: &crate::flow::contact::ContactInput,
    first: Option<&crate::card::basic4::PersonalText>,
    error: Option<EmailError>,
    iw: u16,
    lines: &mut Vec<Line<'a>>,
) {
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let heading = if first.is_some() {
        Msg::EmailAgain
    } else {
        Msg::ContactHeading
    };
    lines.extend(styled_lines(wrap(msg(l, heading), iw as usize), th.accent()));
    lines.extend(styled_lines(wrap(msg(l, Msg::ContactNote), iw as usize), th.muted()));
    if v.flow.config().email_optional {
        lines.extend(styled_lines(wrap(msg(l, Msg::ContactOptional), iw as usize), th.text()));
        lines.extend(key_line(v, F::Skip).map(|k| Line::styled(k, th.highlight())));
    }
    let warning = i18n::email_carrier_warning(l, v.flow.config().email_sender_domain.as_deref());
    lines.extend(styled_lines(wrap(&warning, iw as usize), th.warn()));
    lines.push(Line::raw(""));
    let shown = format!("{}_", input.as_str());
    for part in wrap(&shown, iw.saturating_sub(2) as usize) {
        lines.push(Line::from(vec![Span::raw("  "), Span::styled(part, th.accent())]));
    }
    lines.push(Line::raw(""));
    let legacy = first.is_some_and(|f| crate::flow::contact::carrier_legacy(f.as_str()))
        || crate::flow::contact::carrier_legacy(input.as_str());
    if legacy {
        lines.extend(styled_lines(wrap(msg(l, Msg::EmailLegacy), iw as usize), th.warn()));
    }
    if let Some(e) = error {
        let m = match e {
            EmailError::Empty => Msg::EmailEmpty,
            EmailError::At => Msg::EmailAt,
            EmailError::Local => Msg::EmailLocal,
            EmailError::Domain => Msg::EmailDomain,
            EmailError::TooLong => Msg::EmailTooLong,
            EmailError::Mismatch => Msg::EmailMismatch,
            EmailError::Character => Msg::EmailCharacter,
        };
        lines.extend(styled_lines(wrap(msg(l, m), iw as usize), th.error()));
    }
}

/// A stop screen: why, where to go, and the key that starts again.
fn stopped_lines(v: &View, stop: &Stop, iw: u16, lines: &mut Vec<Line<'_>>) {
    let l = v.flow.citizen_lang();
    let th = v.theme;
    lines.push(Line::raw(""));
    lines.push(Line::styled(msg(l, Msg::StoppedHeading), th.error()));
    lines.push(Line::raw(""));
    for text in stop_texts(l, stop) {
        lines.extend(styled_lines(wrap(&text, iw as usize), th.text()));
    }
    let locked = match stop {
        Stop::Locked(kind) => Some(*kind),
        Stop::Finding(Finding::SignPasswordLocked) => Some(PinKind::SignPassword),
        _ => None,
    };
    if let Some(kind) = locked {
        if kind == PinKind::SignPassword && v.counter.konbini_reset {
            lines.extend(styled_lines(wrap(msg(l, Msg::KonbiniReset), iw as usize), th.text()));
        }
        if v.counter.reset_here {
            lines.extend(styled_lines(wrap(msg(l, Msg::ResetHere), iw as usize), th.accent()));
        }
    }
    if needs_hotline(stop) {
        for c in &v.counter.contact {
            lines.extend(styled_lines(wrap(c, iw as usize), th.muted()));
        }
        lines.extend(styled_lines(wrap(msg(l, Msg::Hotline), iw as usize), th.muted()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(key_line(v, F::Submit).unwrap_or_default(), th.highlight()));
}

fn item_label(i: crate::record::check::Item) -> Msg {
    use crate::record::check::Item;
    match i {
        Item::Name => Msg::LabelName,
        Item::Address => Msg::LabelAddress,
        Item::BirthDate => Msg::LabelBirth,
        Item::Gender => Msg::LabelGender,
    }
}

/// Lock, expiry and revocation send the citizen elsewhere: the national line says where.
fn needs_hotline(stop: &Stop) -> bool {
    matches!(
        stop,
        Stop::Locked(_)
            | Stop::Finding(Finding::CertificateExpired | Finding::SignPasswordLocked)
            | Stop::Verdict(Verdict::CertificateExpired | Verdict::CertificateRevoked)
            | Stop::Refused(Verdict::CertificateExpired | Verdict::CertificateRevoked)
    )
}

fn verdict_msg(v: &Verdict) -> Msg {
    match v {
        Verdict::CertificateExpired => Msg::VerdictExpired,
        Verdict::CertificateRevoked => Msg::VerdictRevoked,
        Verdict::SignatureMismatch => Msg::VerdictSignature,
        Verdict::UnsupportedCertificate => Msg::VerdictUnsupported,
        Verdict::CardDataMismatch => Msg::VerdictDataMismatch,
        _ => Msg::VerdictInvalid,
    }
}

fn stop_texts(l: Lang, stop: &Stop) -> Vec<String> {
    match stop {
        Stop::Locked(kind) => vec![i18n::card_error(l, &crate::card::CardError::Locked { kind: *kind })],
        Stop::NotMyNumberCard => vec![i18n::card_error(l, &crate::card::CardError::NotMyNumberCard)],
        Stop::NoSigningCertificate => vec![i18n::card_error(l, &crate::card::CardError::NoSigningCertificate)],
        Stop::NoSigningCertificateAdult => vec![msg(l, Msg::NoCertificateAdult).to_string()],
        Stop::SignatureInvalid => vec![msg(l, Msg::SignatureInvalid).to_string()],
        Stop::StoreFailed(e) => vec![msg(
            l,
            match e {
                BackendError::QueueFull => Msg::StoreFailedFull,
                BackendError::Storage(_) => Msg::StoreFailedDisk,
                BackendError::Seal(_) => Msg::StoreFailedSeal,
                BackendError::Encode => Msg::StoreFailed,
            },
        )
        .to_string()],
        Stop::Card(e) => vec![i18n::card_error(l, e)],
        Stop::DifferentCard => vec![msg(l, Msg::DifferentCard).to_string()],
        Stop::Verdict(v) => vec![
            msg(l, verdict_msg(v)).to_string(),
            msg(l, Msg::VerdictReview).to_string(),
        ],
        Stop::Refused(v) => vec![msg(l, verdict_msg(v)).to_string()],
        Stop::Finding(Finding::CertificateExpired) => vec![msg(l, Msg::FindingExpired).to_string()],
        Stop::Finding(Finding::SignPasswordLocked) => vec![i18n::card_error(
            l,
            &crate::card::CardError::Locked {
                kind: PinKind::SignPassword,
            },
        )],
        Stop::Finding(Finding::NoSigningCertificate) => {
            vec![i18n::card_error(l, &crate::card::CardError::NoSigningCertificate)]
        }
    }
}

fn busy_lines(v: &View, m: Msg, iw: u16, lines: &mut Vec<Line<'_>>) {
    lines.push(Line::raw(""));
    let text = format!(
        "{} {}",
        SPINNER[v.spinner % SPINNER.len()],
        msg(v.flow.citizen_lang(), m)
    );
    lines.extend(styled_lines(wrap(&text, iw as usize), v.theme.accent()));
    if let Some(k) = key_line(v, F::Cancel) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(k, v.theme.muted()));
    }
}

fn pin_lines<'a>(v: &View, p: &'a PinScreen, iw: u16, lines: &mut Vec<Line<'a>>) {
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let ask = i18n::enter_pin(l, p.kind);
    lines.extend(styled_lines(wrap(&ask, iw as usize), th.accent()));
    let rule = if p.kind == PinKind::TextPin {
        Msg::PinRuleText
    } else {
        Msg::PinRuleSign
    };
    lines.extend(styled_lines(wrap(msg(l, rule), iw as usize), th.muted()));
    lines.push(Line::raw(""));
    match p.tries {
        None => lines.push(Line::styled(msg(l, Msg::CheckingTries), th.muted())),
        Some(n) => {
            let text = i18n::tries_short(l, n);
            lines.push(Line::styled(text, if n <= 1 { th.warn() } else { th.text() }));
        }
    }
    lines.push(Line::raw(""));
    // One box per character; the 4-digit PIN shows its four boxes up front.
    let (_, max) = p.kind.length_range();
    let slots = if p.kind == PinKind::TextPin {
        max
    } else {
        p.input.len().max(6).min(max)
    };
    // Masked boxes come from the length alone. Revealed characters are borrowed from the
    // zeroizing input (ASCII, one byte each): no copy of the PIN is made to draw it.
    let typed = p.input.revealed();
    let mut spans = vec![Span::raw("  ")];
    for i in 0..slots {
        let cell: Span<'a> = match typed.get(i..i + 1) {
            Some(ch) if p.reveal => Span::styled(ch, th.accent()),
            Some(_) => Span::styled("＊", th.accent()),
            None => Span::styled("＿", th.accent()),
        };
        let wide = cell.content != typed.get(i..i + 1).unwrap_or("");
        spans.push(cell);
        spans.push(Span::styled(if wide { " " } else { "  " }, th.accent()));
    }
    lines.push(Line::from(spans));
    lines.push(Line::styled(key_line(v, F::Reveal).unwrap_or_default(), th.muted()));
    lines.push(Line::raw(""));
    if p.confirming_last {
        lines.extend(styled_lines(wrap(msg(l, Msg::ConfirmLastTry), iw as usize), th.error()));
        let answers: Vec<String> = [F::Yes, F::No].into_iter().filter_map(|a| key_line(v, a)).collect();
        lines.push(Line::styled(answers.join("   "), th.highlight()));
        return;
    }
    let message = match &p.message {
        None => None,
        Some(PinMessage::Wrong(n)) => Some((
            i18n::card_error(
                l,
                &crate::card::CardError::WrongPin {
                    kind: p.kind,
                    tries_left: *n,
                },
            ),
            th.error(),
        )),
        Some(PinMessage::Format(e)) => Some((i18n::pin_format(l, p.kind, e), th.error())),
        Some(PinMessage::CharNotAllowed) => Some((msg(l, Msg::CharNotAllowed).to_string(), th.warn())),
        Some(PinMessage::Full) => Some((i18n::pin_full(l, p.kind), th.warn())),
        Some(PinMessage::LastTryWarning) => Some((i18n::last_try_warning(l, p.kind), th.warn())),
    };
    if let Some((text, style)) = message {
        lines.extend(styled_lines(wrap(&text, iw as usize), style));
    }
}

/// The birth date as the confirm screen shows it (和暦 and 西暦), in a zeroizing buffer the
/// frame borrows from. The era is named in the citizen's language (`era-name`); Chinese and
/// Korean count the year as the Japanese do (年/년, and 元年/원년 for the first), the others
/// write the bare number.
fn birth_text(l: Lang, p: &crate::card::basic4::BasicFour) -> zeroize::Zeroizing<String> {
    let d = p.birth_date;
    let first = |y: u16, gan: &str| if y == 1 { gan.to_string() } else { y.to_string() };
    zeroize::Zeroizing::new(match (l, wareki::to_wareki(d)) {
        (Lang::Ja, Some(_)) => format!(
            "{}（{}年{}月{}日）",
            wareki::format_ja(d).unwrap_or_default(),
            d.year(),
            d.month(),
            d.day()
        ),
        (Lang::ZhHans, Some((era, y))) => format!("{}（{}{}年）", d.iso(), i18n::era_name(l, era), first(y, "元")),
        (Lang::Ko, Some((era, y))) => format!("{} ({} {}년)", d.iso(), i18n::era_name(l, era), first(y, "원")),
        (_, Some((era, y))) => format!("{} ({} {})", d.iso(), i18n::era_name(l, era), y),
        (_, None) => d.iso(),
    })
}

/// The four items, drawn from slices of the flow's zeroizing values (and `birth`): no copy of
/// the citizen's data outlives the frame.
fn confirm_lines<'a>(v: &View<'a>, birth: &'a str, choice: ConfirmChoice, iw: u16, lines: &mut Vec<Line<'a>>) {
    let l = v.flow.citizen_lang();
    let th = v.theme;
    lines.extend(styled_lines(
        wrap(msg(l, Msg::ConfirmHeading), iw as usize),
        th.accent(),
    ));
    lines.push(Line::raw(""));
    let flow: &'a Flow = v.flow;
    let Some(p) = flow.person() else { return };
    // The label column fits the longest label of this language (a third of the pane at most).
    let label_w = [
        Msg::LabelName,
        Msg::LabelFormerName,
        Msg::LabelGender,
        Msg::LabelBirth,
        Msg::LabelAddress,
    ]
    .iter()
    .map(|m| str_width(msg(l, *m)))
    .max()
    .unwrap_or(0)
    .clamp(12, (iw as usize / 3).max(12));
    let value_w = (iw as usize).saturating_sub(label_w + 1).max(10);
    let mut row = |label: Msg, value: &'a str| {
        let label = msg(l, label);
        let pad = label_w.saturating_sub(str_width(label));
        for (i, part) in wrap_slices(value, value_w).into_iter().enumerate() {
            let head = if i == 0 {
                format!("{label}{} ", " ".repeat(pad))
            } else {
                " ".repeat(label_w + 1)
            };
            lines.push(Line::from(vec![
                Span::styled(head, th.muted()),
                Span::styled(part, th.text()),
            ]));
        }
    };
    row(Msg::LabelName, p.name.as_str());
    if let Some(f) = &p.former_name {
        row(Msg::LabelFormerName, f.as_str());
    }
    let gender = match p.gender {
        Gender::Male => msg(l, Msg::Male),
        Gender::Female => msg(l, Msg::Female),
        Gender::Other(_) => msg(l, Msg::OtherGender),
    };
    row(Msg::LabelGender, gender);
    row(Msg::LabelBirth, birth);
    row(Msg::LabelAddress, p.address.as_str());
    lines.push(Line::raw(""));
    lines.extend(styled_lines(wrap(msg(l, Msg::ConfirmNote), iw as usize), th.muted()));
    // Drawn in the order ← and → walk (`ConfirmChoice::ORDER`).
    let mut buttons = vec![Span::raw("  ")];
    for (i, c) in ConfirmChoice::ORDER.into_iter().enumerate() {
        if i > 0 {
            buttons.push(Span::raw("   "));
        }
        let text = format!(" {} ", msg(l, button_msg(c)));
        buttons.push(if c == choice {
            Span::styled(format!("[{text}]"), th.highlight())
        } else {
            Span::styled(format!(" {text} "), th.text())
        });
    }
    lines.push(Line::from(buttons));
}

fn button_msg(c: ConfirmChoice) -> Msg {
    match c {
        ConfirmChoice::Reread => Msg::ButtonReread,
        ConfirmChoice::Next => Msg::ButtonNext,
        ConfirmChoice::Stop => Msg::ButtonStop,
    }
}

fn draw_status(f: &mut Frame, v: &View, area: Rect) {
    let l = v.lang;
    let th = v.theme;
    let q = v.queue;
    let queue_style = if q.pending > 0 { th.warn() } else { th.muted() };
    // What follows the reader, each with the rank at which a narrow line gives it up (0:
    // never): the warnings and the demo's PIN and password stay, the queue's age goes first.
    let mut rest: Vec<(u8, Span)> = vec![(
        1,
        Span::styled(format!("{} {}", msg(l, Msg::Queue), q.pending), queue_style),
    )];
    if let Some(secs) = q.oldest_age_secs {
        rest.push((4, Span::styled(i18n::oldest_minutes(l, secs / 60), queue_style)));
    }
    if q.review > 0 {
        let text = format!("  {} {}", msg(l, Msg::Review), q.review);
        rest.push((0, Span::styled(text, th.error())));
    }
    if let Some(c) = v.crl {
        let text = format!("  {}", i18n::crl_age(l, c.age_secs / 3600, c.fresh));
        rest.push((3, Span::styled(text, if c.fresh { th.muted() } else { th.warn() })));
    }
    if v.status_socket_error.is_some() {
        rest.push((
            2,
            Span::styled(format!("  {}", msg(l, Msg::StatusSocketShort)), th.warn()),
        ));
    }
    if let Some((pin, pw)) = v.demo_secrets {
        rest.push((
            0,
            Span::styled(format!("  {}", i18n::demo_secrets(l, pin, pw)), th.warn()),
        ));
    }
    if !v.sealed {
        rest.push((0, Span::styled(format!("  {}", msg(l, Msg::Unsealed)), th.error())));
    }
    // The reader: its name (cut to what is left), its card state; or pcscd down.
    let reader = v.reader.and_then(|r| v.diag.readers.iter().find(|d| d.name == r));
    let pcscd_down = !v.diag.pcscd_running() && v.diag.pcscd != Pcscd::NotUsed;
    let head: Vec<Span> = match reader {
        _ if pcscd_down => vec![Span::styled("pcscd ✕", th.error())],
        Some(r) => {
            let style = if r.card == CardState::Present {
                th.ok()
            } else {
                th.text()
            };
            vec![Span::styled(i18n::card_state(l, r.card), style)]
        }
        None => vec![],
    };
    let sep = "  |  ";
    let width = |spans: &[(u8, Span)]| spans.iter().map(|(_, s)| str_width(&s.content)).sum::<usize>();
    let fixed = 1 + head.iter().map(|s| str_width(&s.content)).sum::<usize>() + str_width(sep);
    const NAME_MIN: usize = 8;
    for rank in (1..=4).rev() {
        if fixed + NAME_MIN + 2 + width(&rest) <= area.width as usize {
            break;
        }
        rest.retain(|(r, _)| *r < rank);
    }
    let mut spans = vec![Span::raw(" ")];
    if let (Some(r), false) = (reader, pcscd_down) {
        let room = (area.width as usize).saturating_sub(fixed + width(&rest) + 2);
        if room >= NAME_MIN {
            spans.push(Span::styled(truncate(&r.name, room.min(28)), th.muted()));
            spans.push(Span::raw(": "));
        }
    }
    spans.extend(head);
    spans.push(Span::styled(sep, th.muted()));
    spans.extend(rest.into_iter().map(|(_, s)| s));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// How readily a narrow help line gives up a key (0: never): the station's extras first,
/// then shortcuts, then the step's own keys; Enter and Esc and the way to quit stay.
fn weight(a: Action) -> u8 {
    use crate::flow::Action as A;
    match a {
        Action::Quit => 0,
        Action::Flow(A::Submit | A::Cancel | A::Decline | A::Yes | A::No) | Action::Close | Action::QuitNow => 1,
        Action::Flow(A::AskRepresentative | A::Representative(_) | A::Skip | A::Reveal) => 2,
        Action::Flow(A::Previous | A::Following | A::Scroll(_)) => 3,
        Action::Flow(_) => 4,
        Action::Diagnostics => 5,
        Action::Language | Action::NextReader | Action::DemoCard => 6,
    }
}

/// The keys of what is on view, from the key table: the step's (or the overlay's) first, then
/// the station's. A narrow line drops the station's extras, closes the gaps, then drops keys
/// by [`weight`]; the way to quit always stays.
fn draw_help(f: &mut Frame, v: &View, area: Rect) {
    let l = v.lang;
    let th = v.theme;
    let facets = keys::facets(v.flow, v.overlay);
    let demo = v.demo_secrets.is_some();
    let mut hints = keys::hints(facets, |a| match a {
        Action::NextReader => v.diag.readers.len() > 1,
        Action::DemoCard => demo,
        _ => true,
    });
    let item = |h: &keys::Hint| str_width(&h.keys) + 1 + str_width(msg(l, h.word));
    let total = |h: &[keys::Hint], gap: usize| 1 + h.iter().map(item).sum::<usize>() + gap * h.len().saturating_sub(1);
    let mut gap = 2;
    while total(&hints, gap) > area.width as usize {
        let heaviest = hints.iter().map(|h| weight(h.action)).max().unwrap_or(0);
        if gap == 2 && heaviest < 6 {
            gap = 1;
            continue;
        }
        match hints.iter().rposition(|h| weight(h.action) == heaviest && heaviest > 0) {
            Some(i) => {
                hints.remove(i);
            }
            None => break,
        }
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, h) in hints.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" ".repeat(gap)));
        }
        spans.push(Span::styled(h.keys.clone(), th.accent()));
        spans.push(Span::styled(format!(" {}", msg(l, h.word)), th.muted()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::basic4;

    fn born(yyyymmdd: &str) -> basic4::BasicFour {
        basic4::decode(&basic4::encode(
            "山田\u{3000}太郎",
            "東京都千代田区",
            yyyymmdd,
            b'1',
            false,
        ))
        .unwrap()
    }

    #[test]
    fn the_birth_dates_era_is_named_in_the_citizens_language() {
        let p = born("19850301");
        let t = |l| birth_text(l, &p).to_string();
        assert_eq!(t(Lang::Ja), "昭和60年3月1日（1985年3月1日）");
        assert_eq!(t(Lang::ZhHans), "1985-03-01（昭和60年）");
        assert_eq!(t(Lang::Ko), "1985-03-01 (쇼와 60년)");
        assert_eq!(t(Lang::En), "1985-03-01 (Showa 60)");
        assert_eq!(t(Lang::Vi), "1985-03-01 (Showa 60)");
        let p = born("20190501");
        assert_eq!(birth_text(Lang::Ko, &p).as_str(), "2019-05-01 (레이와 원년)");
        assert_eq!(birth_text(Lang::Ja, &p).as_str(), "令和元年5月1日（2019年5月1日）");
        let p = born("19890108");
        assert_eq!(birth_text(Lang::ZhHans, &p).as_str(), "1989-01-08（平成元年）");
        assert_eq!(birth_text(Lang::Es, &p).as_str(), "1989-01-08 (Heisei 1)");
    }
}
