//! Rendering only: widgets draw state they are given. `station` is the station's screen and
//! what it is given (`View`); `frame` the parts around the step (title and progress, status
//! line, help line, the reader pane and its health); `screens` one file per screen. Keys in
//! `keys`, themes in `theme`, wrapping in `wrap`.

pub mod diagnostics_pane;
mod frame;
pub mod keys;
mod labelled;
pub mod qr;
mod screens;
pub mod station;
pub mod theme;
pub mod wrap;
