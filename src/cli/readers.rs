//! `madoguchi readers`.

use madoguchi::text::escape_untrusted;

use super::{exit_code_transport, EXIT_OK};
use madoguchi::i18n::{self, Msg};
use madoguchi::lang::Lang;
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
        let state = i18n::msg(
            lang,
            match (r.card_present, r.mute, r.exclusive) {
                (false, _, _) => Msg::ReadersNoCard,
                (true, true, _) => Msg::ReadersCardMute,
                (true, _, true) => Msg::ReadersCardBusy,
                (true, _, _) => Msg::ReadersCardPresent,
            },
        );
        match &r.atr {
            Some(atr) => println!("{}\t{}\tATR {}", escape_untrusted(&r.name), state, hex(atr)),
            None => println!("{}\t{}", escape_untrusted(&r.name), state),
        }
    }
    EXIT_OK
}
