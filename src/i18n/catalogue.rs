//! Loading: the Fluent files of every language, embedded in the binary, made into one bundle
//! each on first use. Only the message enums reach in ([`Msg`], [`Text`]): no text is looked
//! up by a string the compiler has not checked.

use std::fmt;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::msg::{Msg, Text};
use crate::lang::Lang;

/// The Fluent sources of each language, in [`Lang::ALL`] order.
pub const FTL: [(Lang, [&str; 3]); 7] = [
    (
        Lang::Ja,
        [
            include_str!("../../i18n/ja/ui.ftl"),
            include_str!("../../i18n/ja/card.ftl"),
            include_str!("../../i18n/ja/face.ftl"),
        ],
    ),
    (
        Lang::En,
        [
            include_str!("../../i18n/en/ui.ftl"),
            include_str!("../../i18n/en/card.ftl"),
            include_str!("../../i18n/en/face.ftl"),
        ],
    ),
    (
        Lang::ZhHans,
        [
            include_str!("../../i18n/zh-Hans/ui.ftl"),
            include_str!("../../i18n/zh-Hans/card.ftl"),
            include_str!("../../i18n/zh-Hans/face.ftl"),
        ],
    ),
    (
        Lang::Ko,
        [
            include_str!("../../i18n/ko/ui.ftl"),
            include_str!("../../i18n/ko/card.ftl"),
            include_str!("../../i18n/ko/face.ftl"),
        ],
    ),
    (
        Lang::Es,
        [
            include_str!("../../i18n/es/ui.ftl"),
            include_str!("../../i18n/es/card.ftl"),
            include_str!("../../i18n/es/face.ftl"),
        ],
    ),
    (
        Lang::PtBr,
        [
            include_str!("../../i18n/pt-BR/ui.ftl"),
            include_str!("../../i18n/pt-BR/card.ftl"),
            include_str!("../../i18n/pt-BR/face.ftl"),
        ],
    ),
    (
        Lang::Vi,
        [
            include_str!("../../i18n/vi/ui.ftl"),
            include_str!("../../i18n/vi/card.ftl"),
            include_str!("../../i18n/vi/face.ftl"),
        ],
    ),
];

fn bundles() -> &'static [FluentBundle<FluentResource>] {
    static BUNDLES: OnceLock<Vec<FluentBundle<FluentResource>>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        FTL.iter()
            .map(|(lang, sources)| {
                let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("a valid language tag");
                let mut b = FluentBundle::new_concurrent(vec![id]);
                // Direction marks around placeables would show as stray characters in a terminal.
                b.set_use_isolating(false);
                b.add_function("NUMBER", number).expect("NUMBER defined once");
                for s in sources {
                    let res = FluentResource::try_new(s.to_string()).expect("the embedded Fluent files parse");
                    b.add_resource(res).expect("no message id defined twice");
                }
                b
            })
            .collect()
    })
}

/// Fluent's `NUMBER($n, minimumIntegerDigits: 2)`, which the catalogue uses to write ISO dates
/// (`1985-03-01`); fluent-bundle's own NUMBER ignores that option when it writes the number.
fn number<'a>(positional: &[FluentValue<'a>], named: &FluentArgs) -> FluentValue<'a> {
    let Some(FluentValue::Number(n)) = positional.first() else {
        return FluentValue::Error;
    };
    let digits = named.iter().find_map(|(k, v)| match (k, v) {
        ("minimumIntegerDigits", FluentValue::Number(d)) => Some(d.value as usize),
        _ => None,
    });
    match digits {
        Some(width) if n.value >= 0.0 && n.value.fract() == 0.0 => {
            FluentValue::from(format!("{:0width$}", n.value as u64))
        }
        _ => FluentValue::Number(n.clone()),
    }
}

/// Writes message `id` with `args` in `lang` to `out`; Japanese when the language lacks it
/// (the tests keep that from happening), the id itself when even Japanese does.
fn write(lang: Lang, id: &str, args: Option<&FluentArgs>, out: &mut impl fmt::Write) {
    for l in [lang, Lang::Ja] {
        let b = &bundles()[l.index()];
        if let Some(p) = b.get_message(id).and_then(|m| m.value()) {
            let mut errors = vec![];
            // Writing to a String can't fail; a fmt::Write of the caller's that fails keeps
            // what it has.
            let _ = b.write_pattern(out, p, args, &mut errors);
            return;
        }
    }
    let _ = out.write_str(id);
}

/// A fixed text: every one of every language is formatted once, on first use, and kept for
/// the life of the program (there are only so many).
pub fn msg(lang: Lang, m: Msg) -> &'static str {
    static TEXTS: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        Lang::ALL
            .iter()
            .map(|l| {
                Msg::ALL
                    .iter()
                    .map(|m| {
                        let mut s = String::new();
                        write(*l, m.id(), None, &mut s);
                        &*Box::leak(s.into_boxed_str())
                    })
                    .collect()
            })
            .collect()
    })[lang.index()][m as usize]
}

/// A text with its variables, as a new string.
pub(super) fn format(lang: Lang, t: Text) -> String {
    let mut s = String::new();
    write_text(lang, t, &mut s);
    s
}

/// A text with its variables, written to `out` (a buffer of the caller's: card data goes
/// into a zeroizing one sized beforehand).
pub(super) fn write_text(lang: Lang, t: Text, out: &mut impl fmt::Write) {
    let id = t.id().id();
    write(lang, id, Some(&t.args()), out);
}
