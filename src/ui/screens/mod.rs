//! One file per screen, each drawing its step pane from the view: consent (同意), card
//! (カード), pin (暗証番号 and the signing password), face (券面確認, the clerk's), auth (the
//! 利用者証明用暗証番号 of the challenge), busy (reading, signing, proving, storing, sending),
//! confirm (確認, with the card face's pictures), representative (法定代理人), contact (連絡先),
//! done (完了),
//! stopped; and the overlays that cover the step, quit and diagnostics. `pane` holds what
//! they share, `overlay` what every box drawn over the step must do first. Texts come from
//! the catalogue; the screens only place and style them.

pub mod auth;
pub mod busy;
pub mod card;
pub mod confirm;
pub mod consent;
pub mod contact;
pub mod diagnostics;
pub mod done;
pub mod face;
pub mod overlay;
pub mod pane;
pub mod pin;
pub mod quit;
pub mod representative;
pub mod stopped;

use crate::flow::Screen;
use crate::i18n::Msg;
use crate::ui::station::View;
use ratatui::layout::Rect;
use ratatui::Frame;

/// The step pane of the screen on view: only dispatches (an exhaustive match over `Screen`).
pub fn draw(f: &mut Frame, v: &View, area: Rect) {
    match v.flow.screen() {
        Screen::Consent {
            doc,
            scroll,
            reached_end,
            notice,
        } => consent::draw(f, v, area, *doc, *scroll, *reached_end, notice),
        Screen::Card { notice } => card::draw(f, v, area, notice),
        Screen::Pin(p) | Screen::SignPin(p) => pin::draw(f, v, area, p),
        Screen::AuthPin(p) => auth::draw(f, v, area, p),
        Screen::Proving => busy::draw(f, v, area, Msg::Proving),
        Screen::Reading => busy::draw(f, v, area, Msg::Reading),
        Screen::Face(s) => face::draw(f, v, area, s),
        Screen::Signing => busy::draw(f, v, area, Msg::Signing),
        Screen::Storing => busy::draw(f, v, area, Msg::Storing),
        Screen::Sending { .. } => busy::draw(f, v, area, Msg::Sending),
        Screen::Confirm { choice } => confirm::draw(f, v, area, *choice),
        Screen::Representative { choice } => representative::draw(f, v, area, *choice),
        Screen::Contact { input, first, error } => contact::draw(f, v, area, input, first.as_ref(), *error),
        Screen::Done {
            enrollment_id,
            verdict,
            level,
            review,
        } => {
            let d = done::Done {
                enrollment_id,
                verdict,
                level: *level,
                review,
            };
            done::draw(f, v, area, d)
        }
        Screen::Stopped(stop) => stopped::draw(f, v, area, stop),
    }
}
