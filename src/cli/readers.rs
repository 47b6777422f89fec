//! `madoguchi readers`.

use super::{exit_code_transport, EXIT_OK};
use madoguchi::i18n::{self, Lang};
use madoguchi::reader::{self, hex};

pub fn run(lang: Lang, json: bool) -> u8 {
    let readers = match reader::establish().and_then(|ctx| reader::list_readers(&ctx)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}", i18n::transport_error(lang, &e));
            return exit_code_transport(&e);
        }
    };
    if json {
        println!("{}", serde_json::json!({ "readers": readers }));
        return EXIT_OK;
    }
    if readers.is_empty() {
        println!(
            "{}",
            i18n::transport_error(lang, &madoguchi::card::TransportError::NoReader)
        );
    }
    for r in &readers {
        let state = match (r.card_present, r.mute, r.exclusive, lang) {
            (false, _, _, Lang::Ja) => "カードなし",
            (false, _, _, Lang::En) => "no card",
            (true, true, _, Lang::Ja) => "カード応答なし",
            (true, true, _, Lang::En) => "card mute",
            (true, _, true, Lang::Ja) => "カードあり（他のプログラムが使用中）",
            (true, _, true, Lang::En) => "card present (in use by another program)",
            (true, _, _, Lang::Ja) => "カードあり",
            (true, _, _, Lang::En) => "card present",
        };
        match &r.atr {
            Some(atr) => println!("{}\t{}\tATR {}", r.name, state, hex(atr)),
            None => println!("{}\t{}", r.name, state),
        }
    }
    EXIT_OK
}
