//! `madoguchi read`: tries left → PIN → VERIFY once → EF 02 → print. Nothing reaches stdout
//! unless the whole read succeeded (no partial JSON).

use super::session;
use super::{Failure, Outcome};
use madoguchi::card::basic4::BasicFour;
use madoguchi::i18n::{msg, Msg};
use madoguchi::lang::Lang;
use madoguchi::secret::PinKind;
use madoguchi::wareki;
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
        let d = info.birth_date;
        let t = |m: Msg| msg(lang, m);
        let gender = t(match info.gender.as_key() {
            "male" => Msg::Male,
            "female" => Msg::Female,
            _ => Msg::OtherGender,
        });
        let era = match lang {
            Lang::Ja => wareki::format_ja(d).unwrap_or_default(),
            _ => wareki::to_wareki(d)
                .map(|(e, y)| format!("{} {}", e.name_en(), y))
                .unwrap_or_default(),
        };
        let labels = [
            t(Msg::LabelName),
            t(Msg::LabelFormerName),
            t(Msg::LabelGender),
            t(Msg::LabelBirth),
            t(Msg::LabelAddress),
        ];
        let mut s = format!("{}: {}\n", labels[0], info.name.as_str());
        if let Some(f) = &info.former_name {
            s.push_str(&format!("{}: {}\n", labels[1], f.as_str()));
        }
        s.push_str(&format!("{}: {}\n", labels[2], gender));
        s.push_str(&format!("{}: {} ({})\n", labels[3], era, d.iso()));
        s.push_str(&format!("{}: {}", labels[4], info.address.as_str()));
        Zeroizing::new(s)
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", text.as_str())
        .and_then(|_| out.flush())
        .map_err(|_| Failure::Internal)
}
