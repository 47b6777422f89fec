//! Rendering only: widgets draw state they are given. Themes in `theme`.

pub mod diagnostics_pane;
pub mod keys;
pub mod qr;
pub mod station;
pub mod theme;
pub mod wrap;
