//! The station screen: title, step progress, the pane of the current step, a status line
//! (reader, queue) and a key help line that is always visible. Renders only what it is given
//! (the [`View`]): the frame's parts are in `ui/frame/`, each screen in `ui/screens/`.

use super::frame::{self, Areas};
use super::keys::Overlay;
use super::screens;
use super::theme::Theme;
use crate::flow::Flow;
use crate::i18n::{msg, Msg};
use crate::lang::Lang;
use crate::picture::{Cells, Method};
use crate::reader::diagnostics::Diagnostics;
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// Terminals at least this wide get the reader pane beside the step pane.
pub const SIDE_PANE_WIDTH: u16 = 110;

use crate::seam::QueueInfo;
pub use screens::confirm::FacePicture;
pub use screens::consent::{consent_layout, consent_layout_for};

/// The counter's own lines: contact (name, phone, hours) and where a locked PIN is reset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CounterInfo {
    pub contact: Vec<String>,
    /// The municipality offers コンビニ resets of the signing password (seed 000's wording).
    pub konbini_reset: bool,
    /// This counter can reset PINs itself.
    pub reset_here: bool,
}

/// The demo card's secrets, shown in the status line (demo only: a profile's test values,
/// never a citizen's): its 4-digit PIN, its signing password (none on a child's card) and its
/// 利用者証明用暗証番号.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DemoSecrets {
    pub pin: String,
    pub password: Option<String>,
    pub auth_pin: String,
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
    /// The demo card's PINs and password, shown in the status line (demo only).
    pub demo_secrets: Option<&'a DemoSecrets>,
    /// The station's CRL (`[checks] crl_file`), when configured.
    pub crl: Option<crate::seam::CrlInfo>,
    /// Reader health: the last APDU round trips (µs) and this session's troubles.
    pub health: Health<'a>,
    /// Why the status socket (`madoguchi status`) could not be opened at start, if it could not.
    pub status_socket_error: Option<SocketTrouble<'a>>,
    /// How this terminal draws the card face's pictures (from the probe at start and the
    /// `graphics` setting); `Method::Nothing` where it draws none.
    pub graphics: Method,
    /// The demo card's expiry year and security code, shown in the status line (demo only).
    pub demo_face: Option<(&'a str, &'a str)>,
}

/// The status socket could not be opened: where it is, and why as a code the catalogue words
/// (`status-socket-reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketTrouble<'a> {
    pub path: &'a str,
    pub reason: &'a str,
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

/// Where the card face's pictures go on a terminal of `area` now, and which: only on the
/// confirm screen with the card face, nothing under an overlay or below 80x24. The runtime
/// draws them after the frame; the frame leaves their cells alone.
pub fn pictures(v: &View, area: Rect) -> Vec<(FacePicture, Cells)> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT || v.overlay != Overlay::None {
        return Vec::new();
    }
    if !matches!(v.flow.screen(), crate::flow::Screen::Confirm { .. }) {
        return Vec::new();
    }
    screens::confirm::pictures(v, Areas::of(area).main)
}

/// Where the confirm screen puts the card face's pictures on a terminal of `area` drawing with
/// `method` (every picture decoded): what a screenshot is compared with.
pub fn picture_places(area: Rect, method: Method) -> Vec<(FacePicture, Cells)> {
    screens::confirm::places(Areas::of(area).main, method)
}

/// The whole station: the frame around the step on view, or what covers it.
pub fn draw(f: &mut Frame, v: &View) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let p = Paragraph::new(msg(v.lang, Msg::TooSmall))
            .style(v.theme.warn())
            .wrap(Wrap { trim: true });
        f.render_widget(p, area);
        return;
    }
    let a = Areas::of(area);
    frame::progress::draw_title(f, v, a.title);
    frame::progress::draw(f, v, a.progress);
    if v.overlay == Overlay::Diagnostics {
        screens::diagnostics::draw(f, v, a.body);
    } else {
        screens::draw(f, v, a.main);
        if let Some(side) = a.side {
            frame::reader_pane::draw(f, v, side);
        }
        if v.overlay == Overlay::Quit {
            screens::quit::draw(f, v, a.main);
        }
        if v.overlay == Overlay::Saving {
            screens::quit::draw_saving(f, v, a.main);
        }
    }
    frame::status::draw(f, v, a.status);
    frame::help::draw(f, v, a.help);
}
