//! The station runtime: wires terminal keys, the readers, the card thread and the backend into
//! the pure `flow`, and draws with `ui` only when something visible changed (an idle station
//! writes nothing). Data flows one way: events → flow → effects → events.
//!
//! - `state`: what the runtime holds ([`state::App`], its fields grouped by who owns them) and
//!   how each event changes it;
//! - `event_loop`: start-up, the loop that waits for events and draws, shut-down;
//! - `readers`: where cards come from — pcscd's readers, or the demo's virtual one — told as
//!   the same reader events;
//! - `worker`: the card thread (PC/SC calls block); `probe`: what a card tells before a PIN;
//!   `challenge`: the 利用者証明 challenge and the EF 02 it binds, kept per card session;
//! - `pictures`: the card face's pictures written to the terminal beside the frame;
//! - `status`: support's socket; `terminal`: the terminal, keys and signals; `troubles`: the
//!   placement hint; `ready`: a value made on another thread, waited for without polling.

mod challenge;
mod event_loop;
mod pictures;
mod probe;
pub mod readers;
pub mod ready;
mod state;
pub mod status;
pub mod terminal;
mod troubles;
pub mod worker;

pub use event_loop::run;

use crate::card::LinkStats;
use crate::flow;
use crate::lang::Lang;
use crate::reader::monitor::ReaderEvent;
use crate::seam::StationBackend;
use crate::ui::station::{CounterInfo, DemoSecrets};
use crate::ui::theme::Theme;
use crossterm::event::Event as TermEvent;
use std::sync::Arc;

/// Why the station stopped other than by the clerk's quit or a signal.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot use this terminal: {0}")]
    Terminal(std::io::Error),
    #[error("drawing on the terminal failed: {0}")]
    Draw(std::io::Error),
}

/// What wakes the runtime's loop.
pub enum AppEvent {
    Term(TermEvent),
    Reader(ReaderEvent),
    /// The card thread's answer to a request (an [`flow::Event::Card`]) and what its APDUs
    /// cost: the reader-health figures travel with the reply.
    Card {
        reply: flow::Event,
        link: LinkStats,
    },
    /// For the flow from the backend: a store's outcome, a delivery's verdict.
    Flow(flow::Event),
    /// Support asked for the status now: the loop publishes a fresh snapshot.
    StatusRefresh,
    Quit,
}

pub struct StationOptions {
    /// The clerk's language (status line, help line, diagnostics); the citizen's is the flow's.
    pub lang: Lang,
    pub theme: Theme,
    /// The terms in each language that has them; Japanese first (shown, with a line saying
    /// so, when the citizen's language has none).
    pub terms: Vec<(Lang, String)>,
    pub station_id: String,
    pub flow: flow::FlowConfig,
    /// Where cards come from: pcscd's readers, or the demo's virtual one.
    pub readers: Box<dyn readers::Readers>,
    pub backend: Arc<dyn StationBackend>,
    /// The privacy notice shown after the terms (config `privacy_file`), by language as
    /// `terms`; empty: none.
    pub privacy: Vec<(Lang, String)>,
    /// The operator's lines (config `[operator]`).
    pub counter: CounterInfo,
    /// The demo card's PINs and password, shown on screen (demo only).
    pub demo_secrets: Option<DemoSecrets>,
    /// How to draw the card face's pictures (config `graphics`): the terminal is asked once at
    /// start where the setting needs its answer.
    pub graphics: crate::picture::Setting,
    /// The demo card's expiry year and security code, shown on screen (demo only).
    pub demo_face: Option<(String, String)>,
}

#[cfg(test)]
mod tests;
