//! 和暦 (Japanese era) for dates since Meiji, with the era boundaries as days, not years:
//! 1989-01-07 is 昭和64年, 1989-01-08 is 平成元年. How a date is written (元年, the order,
//! the 西暦 beside it) is the catalogue's (`birth-date` in `i18n/<lang>/ui.ftl`).

/// A Gregorian date (year, month, day). The card's `BirthDate` converts into it, so this
/// module depends on nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ymd(pub u16, pub u8, pub u8);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

/// First day of each era (Gregorian). Meiji counts from 1868-01-25 (the era was proclaimed
/// retroactively to the start of that lunar year).
const STARTS: [(Era, (u16, u8, u8)); 5] = [
    (Era::Reiwa, (2019, 5, 1)),
    (Era::Heisei, (1989, 1, 8)),
    (Era::Showa, (1926, 12, 25)),
    (Era::Taisho, (1912, 7, 30)),
    (Era::Meiji, (1868, 1, 25)),
];

impl Era {
    pub fn name_ja(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Era::Meiji => "Meiji",
            Era::Taisho => "Taisho",
            Era::Showa => "Showa",
            Era::Heisei => "Heisei",
            Era::Reiwa => "Reiwa",
        }
    }
    /// The era's key in the Fluent files (`era-name`'s variants).
    pub fn key(self) -> &'static str {
        match self {
            Era::Meiji => "meiji",
            Era::Taisho => "taisho",
            Era::Showa => "showa",
            Era::Heisei => "heisei",
            Era::Reiwa => "reiwa",
        }
    }
    /// The era digit of the JPKI signing certificate's birth-date field (1 明治 … 5 令和).
    pub fn jpki_digit(self) -> char {
        match self {
            Era::Meiji => '1',
            Era::Taisho => '2',
            Era::Showa => '3',
            Era::Heisei => '4',
            Era::Reiwa => '5',
        }
    }
}

/// (era, year of era) for a date, or None before Meiji.
pub fn to_wareki(d: impl Into<Ymd>) -> Option<(Era, u16)> {
    let Ymd(y, m, day) = d.into();
    STARTS
        .iter()
        .find(|(_, start)| (y, m, day) >= *start)
        .map(|(era, start)| (*era, y - start.0 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `昭和64年1月7日`, with 元年 for year 1: the boundaries as a Japanese reader checks
    /// them (the citizen's date is written by the catalogue's `birth-date`).
    fn format_ja(d: impl Into<Ymd>) -> Option<String> {
        let d = d.into();
        let (era, y) = to_wareki(d)?;
        let year = if y == 1 { "元".to_string() } else { y.to_string() };
        Some(format!("{}{}年{}月{}日", era.name_ja(), year, d.1, d.2))
    }

    fn d(y: u16, m: u8, day: u8) -> Ymd {
        Ymd(y, m, day)
    }

    #[test]
    fn era_boundaries_are_exact_days() {
        assert_eq!(format_ja(d(1989, 1, 7)).unwrap(), "昭和64年1月7日");
        assert_eq!(format_ja(d(1989, 1, 8)).unwrap(), "平成元年1月8日");
        assert_eq!(format_ja(d(2019, 4, 30)).unwrap(), "平成31年4月30日");
        assert_eq!(format_ja(d(2019, 5, 1)).unwrap(), "令和元年5月1日");
        assert_eq!(format_ja(d(1926, 12, 24)).unwrap(), "大正15年12月24日");
        assert_eq!(format_ja(d(1926, 12, 25)).unwrap(), "昭和元年12月25日");
        assert_eq!(format_ja(d(1912, 7, 29)).unwrap(), "明治45年7月29日");
        assert_eq!(format_ja(d(1912, 7, 30)).unwrap(), "大正元年7月30日");
        assert_eq!(format_ja(d(2026, 11, 24)).unwrap(), "令和8年11月24日");
        assert_eq!(to_wareki(d(1850, 1, 1)), None);
        assert_eq!(to_wareki(d(1980, 2, 17)).unwrap().0.jpki_digit(), '3');
    }
}
