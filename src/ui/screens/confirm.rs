//! 確認: the four items read from the card, for the citizen to check, and the buttons (read
//! again, next, stop). With the card face read (issue #24), a column beside the items holds
//! the chip's photo and the name and address images for the clerk to compare with the person
//! and with the items; the clerk's word on the photo, and DF 28's state, under the buttons.
//!
//! The pictures are not drawn by ratatui: the runtime writes them straight to the terminal
//! ([`pictures`] says where) after the frame. Their cells are marked `Skip` in the frame, so
//! ratatui never writes over a picture while it is shown, and writes those cells again (they
//! differ from skipped ones) on the first frame without it.

use super::pane::{block, para, show, styled_lines};
use crate::card::basic4::{BasicFour, Gender};
use crate::card::face::FaceSignature;
use crate::flow::{Action as F, ConfirmChoice, FaceState, Flow};
use crate::i18n::{self, msg, Msg};
use crate::lang::Lang;
use crate::picture::{Cells, Method};
use crate::ui::keys::{self, Action, Overlay};
use crate::ui::station::View;
use crate::ui::wrap::{str_width, wrap, wrap_slices};
use ratatui::buffer::CellDiffOption;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use zeroize::Zeroizing;

/// The birth date as the confirm screen shows it (和暦 and 西暦, in the citizen's language:
/// the catalogue's `birth-date`), in a zeroizing buffer the frame borrows from.
fn birth_text(l: Lang, p: &BasicFour) -> Zeroizing<String> {
    i18n::birth_date(l, p.birth_date)
}

/// The four items are drawn from slices of the flow's zeroizing values (and of the birth
/// date's buffer): no copy of the citizen's data outlives the frame.
pub fn draw(f: &mut Frame, v: &View, area: Rect, choice: ConfirmChoice) {
    if let Some(face) = v.flow.face() {
        return draw_with_face(f, v, area, choice, face);
    }
    let iw = area.width.saturating_sub(2);
    let l = v.flow.citizen_lang();
    let flow: &Flow = v.flow;
    let birth = match flow.person() {
        Some(p) => birth_text(l, p),
        None => Zeroizing::new(String::new()),
    };
    let mut lines: Vec<Line> = para(v, Msg::ConfirmHeading, iw, v.theme.accent()).collect();
    lines.push(Line::raw(""));
    if let Some(p) = flow.person() {
        items(v, p, &birth, iw, &mut lines);
        lines.push(Line::raw(""));
        lines.extend(para(v, Msg::ConfirmNote, iw, v.theme.muted()));
        lines.push(buttons(v, choice));
    }
    show(f, v, area, lines);
}

/// Which of the card face's pictures a rectangle of cells holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FacePicture {
    Photo,
    Name,
    Address,
}

/// Where the confirm screen puts its text and the card face's column, in the step pane `area`.
struct FaceLayout {
    text: Rect,
    /// The column's label row.
    label: Rect,
    photo: Rect,
    /// Under the photo: its caption or why it can't be shown.
    caption: Rect,
    /// The name and address images with their label, when there is room and pixels to draw.
    images: Option<(Rect, Rect, Rect)>,
}

fn face_layout(area: Rect, pixels: bool) -> FaceLayout {
    let iw = area.width.saturating_sub(2);
    let ih = area.height.saturating_sub(2);
    let pw = (iw / 3).clamp(20, 32).min(iw / 2);
    let tw = iw.saturating_sub(pw + 1);
    let (x, y) = (area.x + 1, area.y + 1);
    let cx = x + tw + 1;
    let text = Rect::new(x, y, tw, ih);
    // Label, photo, caption; below, when pixels are drawn and there is room, the images.
    let images_rows = if pixels && ih >= 18 { 6 } else { 0 };
    let photo_rows = ih.saturating_sub(2 + images_rows).min(16);
    let label = Rect::new(cx, y, pw, 1);
    let photo = Rect::new(cx, y + 1, pw, photo_rows);
    let caption_rows = ih.saturating_sub(1 + photo_rows + images_rows);
    let caption = Rect::new(cx, photo.bottom(), pw, caption_rows);
    let images = (images_rows > 0).then(|| {
        let top = caption.bottom();
        (
            Rect::new(cx, top, pw, 1),
            Rect::new(cx, top + 1, pw, 2),
            Rect::new(cx, top + 3, pw, 3),
        )
    });
    FaceLayout {
        text,
        label,
        photo,
        caption,
        images,
    }
}

fn cells(r: Rect) -> Cells {
    Cells {
        col: r.x,
        row: r.y,
        cols: r.width,
        rows: r.height,
    }
}

/// Where the card face's pictures go on the confirm screen drawn in the step pane `area`, and
/// which: nothing when the terminal draws no pictures or none is decoded. Half-blocks draw the
/// photo only (text images would be unreadable at two pixels a cell).
pub fn pictures(v: &View, area: Rect) -> Vec<(FacePicture, Cells)> {
    let Some(face) = v.flow.face() else {
        return Vec::new();
    };
    let p = face.pictures();
    places(area, v.graphics)
        .into_iter()
        .filter(|(which, _)| match which {
            FacePicture::Photo => p.photo.is_some(),
            FacePicture::Name => p.name.is_some(),
            FacePicture::Address => p.address.is_some(),
        })
        .collect()
}

/// Where each picture goes in the step pane `area` when drawn with `method`.
pub fn places(area: Rect, method: Method) -> Vec<(FacePicture, Cells)> {
    if method == Method::Nothing {
        return Vec::new();
    }
    let lay = face_layout(area, method.in_pixels());
    let mut out = Vec::new();
    if lay.photo.height > 0 {
        out.push((FacePicture::Photo, cells(lay.photo)));
    }
    if let Some((_, name, address)) = lay.images {
        out.push((FacePicture::Name, cells(name)));
        out.push((FacePicture::Address, cells(address)));
    }
    out
}

/// The confirm screen with the card face: the items and buttons in the text column, the
/// clerk's word on the photo and the signature's state under them; the column beside them
/// with the pictures' cells left to the runtime.
fn draw_with_face(f: &mut Frame, v: &View, area: Rect, choice: ConfirmChoice, face: &FaceState) {
    let l = v.flow.citizen_lang();
    let cl = v.lang;
    let th = v.theme;
    let pixels = v.graphics.in_pixels();
    let lay = face_layout(area, pixels);
    let tw = lay.text.width;
    let birth = match v.flow.person() {
        Some(p) => birth_text(l, p),
        None => Zeroizing::new(String::new()),
    };
    let mut lines: Vec<Line> = Vec::new();
    if let Some(secs) = v.flow.idle_warning() {
        let text = i18n::idle_warning(l, secs);
        lines.extend(styled_lines(wrap(&text, tw as usize), th.error()));
        lines.push(Line::raw(""));
    }
    lines.extend(para(v, Msg::ConfirmHeading, tw, th.accent()));
    lines.push(Line::raw(""));
    if let Some(p) = v.flow.person() {
        items(v, p, &birth, tw, &mut lines);
        lines.push(Line::raw(""));
        lines.extend(para(v, Msg::ConfirmNote, tw, th.muted()));
        lines.push(buttons(v, choice));
    }
    if face.matched() {
        lines.extend(styled_lines(wrap(msg(cl, Msg::PhotoMatched), tw as usize), th.ok()));
    } else if face.photo_shown() {
        if face.asked() {
            lines.extend(para(v, Msg::PhotoAwaiting, tw, th.warn()));
        }
        let facets = keys::facets(v.flow, Overlay::None);
        let clerk: Vec<String> = [F::PhotoMatches, F::PhotoDiffers]
            .into_iter()
            .filter_map(|a| keys::hint_for(facets, Action::Flow(a)))
            .map(|(k, m)| i18n::key_hint(cl, &k, m))
            .collect();
        lines.push(Line::styled(clerk.join("   "), th.highlight()));
    }
    let signature = match face.signature() {
        FaceSignature::Valid => Msg::FaceSignatureVerified,
        _ => Msg::FaceSignatureUnverified,
    };
    lines.push(Line::styled(msg(cl, signature), th.muted()));
    f.render_widget(block(v), area);
    f.render_widget(Paragraph::new(lines), lay.text);
    draw_column(f, v, area, &lay, face);
}

/// The pictures' column: its label, the photo's cells (or why there is no photo), the images;
/// the cells of the pictures left for the runtime to draw into.
fn draw_column(f: &mut Frame, v: &View, area: Rect, lay: &FaceLayout, face: &FaceState) {
    let cl = v.lang;
    let th = v.theme;
    f.render_widget(
        Paragraph::new(Line::styled(msg(cl, Msg::PhotoLabel), th.muted())),
        lay.label,
    );
    let mut caption: Vec<Line> = Vec::new();
    let cw = lay.caption.width as usize;
    if face.pictures().photo.is_none() {
        caption.extend(styled_lines(wrap(msg(cl, Msg::PhotoNotShown), cw), th.warn()));
        caption.extend(styled_lines(wrap(msg(cl, Msg::PhotoUndecodable), cw), th.muted()));
    } else if v.graphics == Method::Nothing {
        caption.extend(styled_lines(wrap(msg(cl, Msg::PhotoNotShown), cw), th.warn()));
    } else if matches!(v.graphics, Method::HalfBlocks(_)) {
        caption.extend(styled_lines(wrap(msg(cl, Msg::PhotoSilhouette), cw), th.warn()));
    }
    if v.graphics == Method::Nothing || face.pictures().photo.is_none() {
        // No picture: the reason goes where it would have been.
        f.render_widget(Paragraph::new(caption), lay.photo.union(lay.caption));
    } else {
        f.render_widget(Paragraph::new(caption), lay.caption);
    }
    if let Some((label, _, _)) = lay.images {
        f.render_widget(
            Paragraph::new(Line::styled(msg(cl, Msg::FaceImagesLabel), th.muted())),
            label,
        );
    }
    let buf = f.buffer_mut();
    for (_, at) in pictures(v, area) {
        for y in at.row..at.row + at.rows {
            for x in at.col..at.col + at.cols {
                buf[(x, y)].set_diff_option(CellDiffOption::Skip);
            }
        }
    }
}

/// One row per item: the label in a column that fits the longest label of this language (a
/// third of the pane at most), the value wrapped beside it.
fn items<'a>(v: &View, p: &'a BasicFour, birth: &'a str, iw: u16, lines: &mut Vec<Line<'a>>) {
    let l = v.flow.citizen_lang();
    let th = v.theme;
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
}

/// The buttons, drawn in the order ← and → walk (`ConfirmChoice::ORDER`).
fn buttons<'a>(v: &View, choice: ConfirmChoice) -> Line<'a> {
    let l = v.flow.citizen_lang();
    let th = v.theme;
    let mut spans = vec![Span::raw("  ")];
    for (i, c) in ConfirmChoice::ORDER.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("   "));
        }
        let m = match c {
            ConfirmChoice::Reread => Msg::ButtonReread,
            ConfirmChoice::Next => Msg::ButtonNext,
            ConfirmChoice::Stop => Msg::ButtonStop,
        };
        let text = format!(" {} ", msg(l, m));
        spans.push(if c == choice {
            Span::styled(format!("[{text}]"), th.highlight())
        } else {
            Span::styled(format!(" {text} "), th.text())
        });
    }
    Line::from(spans)
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
