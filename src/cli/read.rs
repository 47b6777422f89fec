//! `madoguchi read`: tries left → PIN → VERIFY once → EF 02 → print. Nothing reaches stdout
//! unless the whole read succeeded (no partial JSON).

use super::session;
use super::{Failure, Outcome};
use madoguchi::card::basic4::{BasicFour, Gender};
use madoguchi::i18n::{self, msg, Msg};
use madoguchi::lang::Lang;
use madoguchi::secret::PinKind;
use std::io::Write;
use zeroize::Zeroizing;

pub fn run(lang: Lang, wanted: Option<&str>, json: bool, last_try: bool) -> Outcome {
    let info = session::with_pin(lang, wanted, PinKind::TextPin, last_try, |card| card.read_basic_four())?;
    print_info(lang, &info, json)
}

fn print_info(lang: Lang, info: &BasicFour, json: bool) -> Outcome {
    let text = if json {
        match serde_json::to_string_pretty(info) {
            Ok(s) => Zeroizing::new(s),
            Err(_) => return Err(Failure::Internal),
        }
    } else {
        text(lang, info)
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", text.as_str())
        .and_then(|_| out.flush())
        .map_err(|_| Failure::Internal)
}

/// The four items, one "label: value" a line as the catalogue joins them (`labelled`), the
/// birth date as the station's confirm screen writes it (`birth-date`); in a zeroizing
/// buffer sized for them beforehand, so no copy of the citizen's data is left behind.
fn text(lang: Lang, info: &BasicFour) -> Zeroizing<String> {
    let gender = msg(
        lang,
        match info.gender {
            Gender::Male => Msg::Male,
            Gender::Female => Msg::Female,
            Gender::Other(_) => Msg::OtherGender,
        },
    );
    let birth = i18n::birth_date(lang, info.birth_date);
    let rows = [
        (Msg::LabelName, Some(info.name.as_str())),
        (Msg::LabelFormerName, info.former_name.as_ref().map(|f| f.as_str())),
        (Msg::LabelGender, Some(gender)),
        (Msg::LabelBirth, Some(birth.as_str())),
        (Msg::LabelAddress, Some(info.address.as_str())),
    ];
    let room: usize = rows
        .iter()
        .map(|(m, v)| msg(lang, *m).len() + v.map_or(0, str::len) + 16)
        .sum();
    let mut s = Zeroizing::new(String::with_capacity(room));
    for (label, value) in rows {
        let Some(value) = value else { continue };
        if !s.is_empty() {
            s.push('\n');
        }
        i18n::write_labelled(lang, msg(lang, label), value, &mut *s);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi::card::basic4;

    fn card(birth: &str) -> BasicFour {
        let e = basic4::encode("佐藤\u{3000}花子（鈴木）", "東京都千代田区", birth, b'2', false);
        basic4::decode(&e).unwrap()
    }

    /// `read` writes the birth date with the station's one catalogue message (it used to
    /// write "昭和60年3月1日 (1985-03-01)" and "Showa 60 (1985-03-01)" of its own).
    #[test]
    fn the_birth_date_reads_as_on_the_confirm_screen() {
        let info = card("19850301");
        let ja = text(Lang::Ja, &info);
        assert_eq!(
            ja.as_str(),
            "氏名: 佐藤\u{3000}花子\n旧氏: 鈴木\n性別: 女性\n生年月日: 昭和60年3月1日（1985年3月1日）\n住所: 東京都千代田区"
        );
        let en = text(Lang::En, &info);
        assert!(en.contains("\nBirth date: 1985-03-01 (Showa 60)\n"), "{}", en.as_str());
        let info = card("19890108");
        for lang in Lang::ALL {
            let birth = i18n::birth_date(lang, info.birth_date);
            let line = i18n::labelled(lang, msg(lang, Msg::LabelBirth), &birth);
            assert!(text(lang, &info).lines().any(|l| l == line), "{lang:?}");
        }
        assert!(text(Lang::Ko, &info).contains("1989-01-08 (헤이세이 원년)"));
    }
}
