//! madoguchi (窓口): a terminal enrollment station for the Japanese My Number Card.
//!
//! Data flows one way: `reader` (PC/SC) and `card` (APDUs) below, texts in `i18n`, secrets in
//! `secret`. See `README.md` and `docs/` for the design.

pub mod app;
pub mod backend;
pub mod card;
pub mod config;
pub mod flow;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod harden;
pub mod i18n;
pub mod lang;
pub mod picture;
pub mod reader;
pub mod record;
pub mod seam;
pub mod secret;
pub mod text;
pub mod time;
pub mod ui;
pub mod wareki;
