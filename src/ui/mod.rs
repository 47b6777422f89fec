//! Rendering only: widgets draw state they are given. Themes in `theme`.

pub mod diagnostics_pane;
pub mod theme;
pub mod wrap;
pub mod station;
