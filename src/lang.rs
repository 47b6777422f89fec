//! The languages madoguchi speaks, as a plain value at the bottom of the tree: the flow keeps
//! the citizen's, records store its code, the catalogue (`i18n`) turns it into text. No
//! dependencies, so the pure flow does not sit above PC/SC through the catalogue.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Ja,
    En,
    ZhHans,
    Ko,
    Es,
    PtBr,
    Vi,
}

impl Lang {
    /// Every language, in the order of the citizen's picker.
    pub const ALL: [Lang; 7] = [
        Lang::Ja,
        Lang::En,
        Lang::ZhHans,
        Lang::Ko,
        Lang::Es,
        Lang::PtBr,
        Lang::Vi,
    ];

    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "ja" | "jp" | "japanese" => Some(Lang::Ja),
            "en" | "english" => Some(Lang::En),
            "zh" | "zh-hans" | "zh-cn" | "chinese" => Some(Lang::ZhHans),
            "ko" | "kr" | "korean" => Some(Lang::Ko),
            "es" | "spanish" => Some(Lang::Es),
            "pt" | "pt-br" | "portuguese" => Some(Lang::PtBr),
            "vi" | "vietnamese" => Some(Lang::Vi),
            _ => None,
        }
    }

    /// The BCP 47 tag: the folder of the Fluent files, and what a record stores.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
            Lang::ZhHans => "zh-Hans",
            Lang::Ko => "ko",
            Lang::Es => "es",
            Lang::PtBr => "pt-BR",
            Lang::Vi => "vi",
        }
    }

    /// The language's name in its own script, as the picker shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ja => "日本語",
            Lang::En => "English",
            Lang::ZhHans => "简体中文",
            Lang::Ko => "한국어",
            Lang::Es => "Español",
            Lang::PtBr => "Português (Brasil)",
            Lang::Vi => "Tiếng Việt",
        }
    }

    /// The next language in [`Lang::ALL`], round.
    pub fn next(self) -> Lang {
        Lang::ALL[(self.index() + 1) % Lang::ALL.len()]
    }

    /// The previous language in [`Lang::ALL`], round.
    pub fn prev(self) -> Lang {
        Lang::ALL[(self.index() + Lang::ALL.len() - 1) % Lang::ALL.len()]
    }

    /// The position in [`Lang::ALL`] (the catalogue keeps its bundles in that order).
    pub fn index(self) -> usize {
        Lang::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
}
