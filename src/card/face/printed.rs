//! The birth date as the card face prints it: the first six digits of 照合番号B.

use super::super::basic4::BirthDate;
use crate::wareki;
use zeroize::Zeroizing;

/// How the card face prints the year of birth, hence the first two digits of 照合番号B.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrintedYear {
    /// 和暦 (the era's year): cards of Japanese nationals.
    Wareki,
    /// 西暦 (the last two digits): foreign residents' cards.
    Seireki,
}

/// The birth date as the card face prints it, `YYMMDD`: the first six digits of 照合番号B.
/// None for a date before Meiji.
pub fn birth_as_printed(birth: BirthDate, year: PrintedYear) -> Option<Zeroizing<[u8; 6]>> {
    let yy = match year {
        PrintedYear::Wareki => wareki::to_wareki(birth)?.1,
        PrintedYear::Seireki => birth.year() % 100,
    };
    if yy > 99 {
        return None;
    }
    let mut out = Zeroizing::new([0u8; 6]);
    for (i, n) in [yy, birth.month() as u16, birth.day() as u16].into_iter().enumerate() {
        out[2 * i] = b'0' + (n / 10) as u8;
        out[2 * i + 1] = b'0' + (n % 10) as u8;
    }
    Some(out)
}
