//! Themes from `themes/*.toml` (built in, or a file path). With `monochrome = true`, or when
//! `NO_COLOR` is set, no colour is emitted: emphasis is bold, underline and reverse video.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::str::FromStr;

pub const BUILTIN: [(&str, &str); 3] = [
    ("default", include_str!("../../themes/default.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    #[serde(default)]
    monochrome: bool,
    colors: Colors,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Colors {
    text: String,
    muted: String,
    accent: String,
    ok: String,
    warn: String,
    error: String,
    highlight_fg: String,
    highlight_bg: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    pub monochrome: bool,
    text: Color,
    muted: Color,
    accent: Color,
    ok: Color,
    warn: Color,
    error: Color,
    highlight_fg: Color,
    highlight_bg: Color,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme {origin}: {message}")]
    Invalid { origin: String, message: String },
}

fn color(origin: &str, field: &str, v: &str) -> Result<Color, ThemeError> {
    Color::from_str(v).map_err(|_| ThemeError::Invalid {
        origin: origin.to_string(),
        message: format!("colors.{field} = {v:?} is not a colour name or #rrggbb"),
    })
}

impl Theme {
    pub fn from_toml(text: &str, origin: &str) -> Result<Theme, ThemeError> {
        let f: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::Invalid {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        let c = &f.colors;
        Ok(Theme {
            name: f.name,
            monochrome: f.monochrome,
            text: color(origin, "text", &c.text)?,
            muted: color(origin, "muted", &c.muted)?,
            accent: color(origin, "accent", &c.accent)?,
            ok: color(origin, "ok", &c.ok)?,
            warn: color(origin, "warn", &c.warn)?,
            error: color(origin, "error", &c.error)?,
            highlight_fg: color(origin, "highlight_fg", &c.highlight_fg)?,
            highlight_bg: color(origin, "highlight_bg", &c.highlight_bg)?,
        })
    }

    /// A built-in theme by name, or a theme file by path.
    pub fn named(name: &str) -> Result<Theme, ThemeError> {
        if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name) {
            return Theme::from_toml(text, name);
        }
        let text = std::fs::read_to_string(name).map_err(|e| ThemeError::Invalid {
            origin: name.to_string(),
            message: format!("not a built-in theme (default, high-contrast, monochrome) and not readable: {e}"),
        })?;
        Theme::from_toml(&text, name)
    }

    /// The theme to use: monochrome whenever `NO_COLOR` is set to anything non-empty.
    pub fn resolve(name: &str, no_color: bool) -> Result<Theme, ThemeError> {
        if no_color {
            return Theme::named("monochrome");
        }
        Theme::named(name)
    }

    pub fn no_color_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    fn fg(&self, c: Color) -> Style {
        if self.monochrome {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    pub fn text(&self) -> Style {
        self.fg(self.text)
    }
    pub fn muted(&self) -> Style {
        self.fg(self.muted)
    }
    pub fn accent(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }
    pub fn ok(&self) -> Style {
        self.fg(self.ok)
    }
    pub fn warn(&self) -> Style {
        let s = self.fg(self.warn);
        if self.monochrome {
            s.add_modifier(Modifier::BOLD)
        } else {
            s
        }
    }
    pub fn error(&self) -> Style {
        let s = self.fg(self.error).add_modifier(Modifier::BOLD);
        if self.monochrome {
            s.add_modifier(Modifier::UNDERLINED)
        } else {
            s
        }
    }
    /// The current item (progress step, selected button).
    /// A QR code: light modules white on black whatever the theme, so a phone reads it on a
    /// light terminal too. Monochrome leaves the terminal's own colours.
    pub fn qr(&self) -> Style {
        if self.monochrome {
            Style::default()
        } else {
            Style::default().fg(Color::White).bg(Color::Black)
        }
    }

    pub fn highlight(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default()
                .fg(self.highlight_fg)
                .bg(self.highlight_bg)
                .add_modifier(Modifier::BOLD)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse() {
        for (name, _) in BUILTIN {
            let t = Theme::named(name).unwrap();
            assert_eq!(t.name, name);
        }
        assert!(Theme::named("monochrome").unwrap().monochrome);
    }

    #[test]
    fn no_color_means_no_colour_at_all() {
        let t = Theme::resolve("default", true).unwrap();
        for s in [
            t.text(),
            t.muted(),
            t.accent(),
            t.ok(),
            t.warn(),
            t.error(),
            t.highlight(),
        ] {
            assert_eq!((s.fg, s.bg), (None, None), "{s:?}");
        }
        assert!(t.highlight().add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn broken_theme_says_which_field() {
        let bad = include_str!("../../themes/default.toml").replace("\"cyan\"", "\"sky\"");
        let e = Theme::from_toml(&bad, "mine.toml").unwrap_err().to_string();
        assert!(e.contains("mine.toml") && e.contains("sky"), "{e}");
        assert!(Theme::named("/nonexistent/theme.toml").is_err());
    }
}
