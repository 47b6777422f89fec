//! `madoguchi readers`.

use madoguchi::text::escape_untrusted;

use super::Outcome;
use madoguchi::i18n::{self, Msg};
use madoguchi::lang::Lang;
use madoguchi::reader::{self, hex};

pub fn run(lang: Lang, json: bool) -> Outcome {
    let readers = match reader::establish().and_then(|ctx| reader::list_readers(&ctx)) {
        Ok(r) => r,
        Err(e) => {
            return Err(super::session::fail_transport(lang, &e));
        }
    };
    if json {
        println!("{}", serde_json::json!({ "readers": readers }));
        return Ok(());
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
    Ok(())
}
