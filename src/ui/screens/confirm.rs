//! 確認: the four items read from the card, for the citizen to check, and the buttons (read
//! again, next, stop).

use super::pane::{para, show};
use crate::card::basic4::{BasicFour, Gender};
use crate::flow::{ConfirmChoice, Flow};
use crate::i18n::{self, msg, Msg};
use crate::lang::Lang;
use crate::ui::station::View;
use crate::ui::wrap::{str_width, wrap_slices};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
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
