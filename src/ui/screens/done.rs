//! 完了: the receipt number (and its QR code where the pane has room), what happens next
//! (queued, review, without a signature), how the record proves the card (for the clerk, in
//! the clerk's language), the counter's contact, and the key to the next citizen.

use super::pane::{block, key_line, show, styled_lines};
use crate::flow::Action as F;
use crate::i18n::{self, msg, Msg};
use crate::record::check::Item;
use crate::record::payload::Assurance;
use crate::seam::Verdict;
use crate::ui::labelled;
use crate::ui::station::View;
use crate::ui::wrap::{truncate, wrap};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// What the done screen says: the flow's `Screen::Done`.
pub struct Done<'a> {
    pub enrollment_id: &'a str,
    pub verdict: &'a Verdict,
    /// How the record proves the card (the clerk's line).
    pub level: Assurance,
    /// The items whose certificate text differs from the card (the record is in review).
    pub review: &'a [Item],
}

pub fn draw(f: &mut Frame, v: &View, area: Rect, d: Done) {
    let iw = area.width.saturating_sub(2);
    let receipt = crate::record::receipt::number(d.enrollment_id);
    // The QR code goes to the right when the pane has room for it beside the text.
    let qr = crate::ui::qr::lines(&receipt).filter(|q| {
        let (qw, qh) = (q[0].chars().count() as u16, q.len() as u16);
        iw >= qw + 44 && area.height.saturating_sub(2) >= qh
    });
    let tw = match &qr {
        Some(q) => iw - q[0].chars().count() as u16 - 2,
        None => iw,
    } as usize;
    let lines = text_lines(v, &d, &receipt, tw);
    let Some(q) = qr else {
        return show(f, v, area, lines);
    };
    let qw = q[0].chars().count() as u16;
    let inner = block(v).inner(area);
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
    f.render_widget(block(v), area);
    f.render_widget(Paragraph::new(lines), text_area);
    let qr_style = v.theme.qr();
    f.render_widget(
        Paragraph::new(q.into_iter().map(|r| Line::styled(r, qr_style)).collect::<Vec<_>>()),
        qr_area,
    );
}

/// The text beside the QR code (or alone), `tw` columns wide.
fn text_lines<'a>(v: &View, d: &Done, receipt: &str, tw: usize) -> Vec<Line<'a>> {
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let para = |m: Msg, style| styled_lines(wrap(msg(l, m), tw), style);
    let mut lines = vec![Line::styled(
        msg(l, Msg::DoneHeading),
        th.ok().add_modifier(Modifier::BOLD),
    )];
    let number = th.accent().add_modifier(Modifier::BOLD);
    lines.push(Line::from(labelled::spans(
        l,
        msg(l, Msg::ReceiptNumber),
        receipt,
        th.text(),
        number,
    )));
    lines.extend(para(Msg::ReceiptKeep, th.muted()));
    if !d.review.is_empty() {
        let items: Vec<Msg> = d.review.iter().map(|i| item_label(*i)).collect();
        let text = i18n::done_review_items(l, &items);
        lines.extend(styled_lines(wrap(&text, tw), th.warn()));
        lines.extend(para(Msg::DoneReviewWhy, th.text()));
    }
    if *d.verdict == Verdict::Queued {
        lines.extend(para(Msg::DoneQueued, th.text()));
        lines.extend(para(Msg::DoneVerdictLater, th.text()));
    }
    match d.level {
        Assurance::CardAuthenticated if v.flow.config().signature => lines.extend(para(Msg::DoneUnsigned, th.text())),
        Assurance::Unauthenticated => lines.extend(para(Msg::DoneUnauthenticated, th.text())),
        _ => {}
    }
    lines.extend(level_lines(v, d.level, tw));
    for c in &v.counter.contact {
        lines.extend(styled_lines(wrap(c, tw), th.muted()));
    }
    let id = i18n::labelled(l, msg(l, Msg::EnrollmentId), d.enrollment_id);
    lines.push(Line::styled(truncate(&id, tw), th.muted()));
    lines.push(Line::styled(key_line(v, F::Submit).unwrap_or_default(), th.highlight()));
    lines
}

/// For the clerk, in the clerk's language: how the record proves the card. A record that
/// proves none (the operator's `allow_unauthenticated`) is marked as an error.
fn level_lines<'a>(v: &View, level: Assurance, tw: usize) -> impl Iterator<Item = Line<'a>> {
    let (name, style) = match level {
        Assurance::Signed => (Msg::LevelSigned, v.theme.ok()),
        Assurance::CardAuthenticated => (Msg::LevelCardAuthenticated, v.theme.ok()),
        Assurance::Unauthenticated => (Msg::LevelUnauthenticated, v.theme.error()),
    };
    let text = i18n::done_level(v.lang, msg(v.lang, name), level.as_str());
    styled_lines(wrap(&text, tw), style)
}

fn item_label(i: Item) -> Msg {
    match i {
        Item::Name => Msg::LabelName,
        Item::Address => Msg::LabelAddress,
        Item::BirthDate => Msg::LabelBirth,
        Item::Gender => Msg::LabelGender,
    }
}
