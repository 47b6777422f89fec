use super::catalogue::FTL;
use super::msg::TextId;
use super::*;
use crate::card::CardError;
use crate::card::TransportError;
use crate::lang::Lang;
use crate::secret::PinKind;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::{BTreeMap, BTreeSet};

fn inline_vars(e: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match e {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, out);
            }
            for a in &arguments.named {
                inline_vars(&a.value, out);
            }
        }
        InlineExpression::Placeable { expression } => expr_vars(expression, out),
        _ => {}
    }
}

fn expr_vars(e: &Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        Expression::Inline(i) => inline_vars(i, out),
        Expression::Select { selector, variants } => {
            inline_vars(selector, out);
            for v in variants {
                pattern_vars(&v.value, out);
            }
        }
    }
}

fn pattern_vars(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for el in &p.elements {
        if let PatternElement::Placeable { expression } = el {
            expr_vars(expression, out);
        }
    }
}

/// Each language's messages and the variables each uses, parsed from its Fluent files.
fn parsed() -> Vec<(Lang, BTreeMap<String, BTreeSet<String>>)> {
    FTL.iter()
        .map(|(lang, sources)| {
            let mut messages = BTreeMap::new();
            for s in sources {
                let res =
                    fluent_syntax::parser::parse(*s).unwrap_or_else(|(_, errs)| panic!("{}: {errs:?}", lang.code()));
                for entry in &res.body {
                    match entry {
                        Entry::Message(m) => {
                            let mut vars = BTreeSet::new();
                            let value = m.value.as_ref().unwrap_or_else(|| panic!("{} has no value", m.id.name));
                            pattern_vars(value, &mut vars);
                            let again = messages.insert(m.id.name.to_string(), vars);
                            assert!(again.is_none(), "{}: {} defined twice", lang.code(), m.id.name);
                        }
                        Entry::Comment(_) | Entry::GroupComment(_) | Entry::ResourceComment(_) => {}
                        other => panic!("{}: unexpected entry {other:?}", lang.code()),
                    }
                }
            }
            (*lang, messages)
        })
        .collect()
}

#[test]
fn every_language_has_exactly_the_japanese_messages_and_only_the_variables_the_code_passes() {
    let all = parsed();
    assert_eq!(all.len(), Lang::ALL.len());
    let ja: BTreeSet<&String> = all[0].1.keys().collect();
    assert_eq!(all[0].0, Lang::Ja);
    for m in Msg::ALL {
        assert!(ja.contains(&m.id().to_string()), "ja lacks {}", m.id());
    }
    for t in TextId::ALL {
        assert!(ja.contains(&t.id().to_string()), "ja lacks {}", t.id());
    }
    for (lang, messages) in &all {
        let ids: BTreeSet<&String> = messages.keys().collect();
        let missing: Vec<_> = ja.difference(&ids).collect();
        let extra: Vec<_> = ids.difference(&ja).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
        assert!(extra.is_empty(), "{} has {extra:?}, which Japanese lacks", lang.code());
        for (id, vars) in messages {
            let passed: &[&str] = TextId::ALL
                .iter()
                .find(|t| t.id() == id)
                .map(|t| t.vars())
                .unwrap_or(&[]);
            for v in vars {
                assert!(
                    passed.contains(&v.as_str()),
                    "{}: {id} uses ${v}, which the code does not pass",
                    lang.code()
                );
            }
        }
    }
}

#[test]
fn the_pin_names_keep_their_japanese_names_and_the_hotline_its_number() {
    for lang in Lang::ALL {
        assert!(
            pin_name(lang, PinKind::SignPassword).contains("署名用電子証明書のパスワード"),
            "{lang:?}"
        );
        assert!(
            pin_name(lang, PinKind::TextPin).contains("券面事項入力補助用暗証番号"),
            "{lang:?}"
        );
        assert!(msg(lang, Msg::Hotline).contains("0120-95-0178"), "{lang:?}");
        // The seeds' codes, which support and the citizen quote (in Japanese as エラーコード:
        // "Code: 21" reads as English there).
        assert!(msg(lang, Msg::VerdictExpired).contains("21"), "{lang:?}");
        assert!(msg(lang, Msg::VerdictRevoked).contains("23"), "{lang:?}");
        let locked = card_error(
            lang,
            &CardError::Locked {
                kind: PinKind::SignPassword,
            },
        );
        assert!(locked.contains("署名用電子証明書のパスワード"), "{locked}");
        // Arguments are filled in, without direction marks around them.
        let t = tries_short(lang, 3);
        assert!(t.contains('3') && !t.contains('{') && !t.contains('\u{2068}'), "{t}");
    }
}

/// Keys are named by the key table (`ui::keys`), never by a translation: a key rebound
/// there would leave the text wrong in seven languages.
#[test]
fn no_translation_names_a_key() {
    let keyish = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        let fkey = w
            .strip_prefix('F')
            .is_some_and(|n| !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit()));
        fkey || ["Esc", "Tab", "PgDn", "PgUp", "Ctrl", "Backspace", "BS"].contains(&w) || w.starts_with("Ctrl-")
    };
    // "Enter" the key, not the English verb ("Enter your contact e-mail address").
    let enter_key = |line: &str| {
        line.match_indices("Enter").any(|(i, _)| {
            let after = &line[i + 5..];
            let word_goes_on = after.starts_with(|c: char| c.is_alphanumeric());
            let verb = after.starts_with(' ') && after[1..].starts_with(|c: char| c.is_ascii_lowercase());
            !(word_goes_on || verb)
        })
    };
    for (lang, sources) in FTL {
        for src in sources {
            for line in src.lines().filter(|l| !l.trim_start().starts_with('#')) {
                let words = line.split(|c: char| c.is_whitespace() || "：:/（）()「」".contains(c));
                for w in words {
                    assert!(!keyish(w), "{}: {line:?} names the key {w:?}", lang.code());
                }
                assert!(!enter_key(line), "{}: {line:?} names the key Enter", lang.code());
                for arrow in ['←', '→', '↑', '↓'] {
                    assert!(!line.contains(arrow), "{}: {line:?}", lang.code());
                }
                // "Y: はい  N: いいえ"
                let bytes = line.as_bytes();
                for i in 1..bytes.len() {
                    let single = bytes[i - 1].is_ascii_uppercase() && (i < 2 || !bytes[i - 2].is_ascii_alphanumeric());
                    assert!(!(single && bytes[i] == b':'), "{}: {line:?}", lang.code());
                }
            }
        }
    }
}

#[test]
fn japanese_says_error_codes_in_japanese() {
    for m in [
        Msg::VerdictExpired,
        Msg::VerdictRevoked,
        Msg::DoneVerdictLater,
        Msg::FindingExpired,
    ] {
        let t = msg(Lang::Ja, m);
        assert!(!t.contains("Code"), "{t}");
        assert!(t.contains("エラーコード"), "{t}");
    }
    // Three mistakes lock the text PIN, as the English says; the last try checks (照合),
    // it does not send (送信 is the delivery step's name).
    assert!(
        msg(Lang::Ja, Msg::PinRuleText).contains("3回"),
        "{}",
        msg(Lang::Ja, Msg::PinRuleText)
    );
    assert!(msg(Lang::Ja, Msg::ConfirmLastTry).contains("照合"));
    assert!(!msg(Lang::Ja, Msg::ConfirmLastTry).contains("送信"));
}

/// Both PIN rules say what locks the PIN, in every language: the password's once said only
/// "5 tries" (入力回数は5回まで), which does not tell that five wrong entries lock it.
#[test]
fn both_pin_rules_say_that_wrong_entries_lock_the_pin() {
    let lock = |lang: Lang| match lang {
        Lang::Ja => "回続けて間違えるとロック",
        Lang::En => "wrong entries lock it",
        Lang::Es => "se bloquea",
        Lang::PtBr => "é bloqueada",
        Lang::Ko => "틀리면 잠깁니다",
        Lang::ZhHans => "将被锁定",
        Lang::Vi => "bị khóa",
    };
    for lang in Lang::ALL {
        for (m, n) in [(Msg::PinRuleText, '3'), (Msg::PinRuleSign, '5')] {
            let t = msg(lang, m);
            assert!(t.contains(lock(lang)), "{lang:?} {m:?}: {t}");
            assert!(t.contains(n), "{lang:?} {m:?}: {t}");
        }
    }
}

#[test]
fn every_era_has_its_name_in_every_language() {
    use crate::wareki::Era;
    for era in [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa] {
        // Japanese and Chinese write the same characters as the 和暦 date does.
        assert_eq!(era_name(Lang::Ja, era), era.name_ja());
        assert_eq!(era_name(Lang::ZhHans, era), era.name_ja());
        for lang in [Lang::En, Lang::Es, Lang::PtBr, Lang::Vi] {
            assert_eq!(era_name(lang, era), era.name_en(), "{lang:?}");
        }
    }
    let ko: Vec<String> = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa]
        .into_iter()
        .map(|e| era_name(Lang::Ko, e))
        .collect();
    assert_eq!(ko, ["메이지", "다이쇼", "쇼와", "헤이세이", "레이와"]);
}

#[test]
fn every_language_parses_from_its_tag() {
    for lang in Lang::ALL {
        assert_eq!(Lang::parse(lang.code()), Some(lang));
        assert_eq!(lang.next().prev(), lang);
    }
}

#[test]
fn every_message_is_one_sentence_or_two_and_nonempty() {
    let errors = [
        CardError::NotMyNumberCard,
        CardError::WrongPin {
            kind: PinKind::TextPin,
            tries_left: 2,
        },
        CardError::Locked {
            kind: PinKind::SignPassword,
        },
        CardError::NoSigningCertificate,
        CardError::Transport(TransportError::NoService),
        CardError::Transport(TransportError::CardRemoved),
    ];
    for e in &errors {
        for lang in Lang::ALL {
            let m = card_error(lang, e);
            assert!(!m.is_empty() && !m.contains('\n'), "{m}");
        }
    }
    assert!(card_error(Lang::Ja, &errors[1]).contains("残り入力回数は2回"));
    assert!(card_error(Lang::En, &errors[2]).contains("municipal office"));
}

/// Each message with variables is passed exactly its variables by construction (a `Text`
/// variant carries one value per variable, under the field's name); what is left to check
/// is that every one of them is rendered somewhere, so none lingers in the files unused.
#[test]
fn every_message_with_variables_is_rendered() {
    let src = include_str!("render.rs");
    for t in TextId::ALL {
        let name = format!("{t:?}");
        assert!(
            src.contains(&format!("Text::{name} {{")),
            "Text::{name} ({}) is never rendered",
            t.id()
        );
    }
    // The ids and the variables as the files write them.
    let t = TextId::ALL.iter().find(|t| t.id() == "birth-date").unwrap();
    assert_eq!(t.vars(), ["era", "era_year", "year", "month", "day"]);
    assert_eq!(Msg::PinNameAuth.id(), "pin-name-auth");
}

/// The birth date as the station and `madoguchi read` show it, one message per language:
/// 元年/원년 and the ISO date's zeros come from the catalogue.
#[test]
fn the_birth_date_is_one_message_per_language() {
    use crate::wareki::Ymd;
    let t = |l, y, m, d| birth_date(l, Ymd(y, m, d)).to_string();
    assert_eq!(t(Lang::Ja, 1985, 3, 1), "昭和60年3月1日（1985年3月1日）");
    assert_eq!(t(Lang::Ja, 2019, 5, 1), "令和元年5月1日（2019年5月1日）");
    assert_eq!(t(Lang::Ja, 1989, 1, 7), "昭和64年1月7日（1989年1月7日）");
    assert_eq!(t(Lang::ZhHans, 1989, 1, 8), "1989-01-08（平成元年）");
    assert_eq!(t(Lang::ZhHans, 1985, 12, 31), "1985-12-31（昭和60年）");
    assert_eq!(t(Lang::Ko, 2019, 5, 1), "2019-05-01 (레이와 원년)");
    assert_eq!(t(Lang::Ko, 1985, 3, 1), "1985-03-01 (쇼와 60년)");
    assert_eq!(t(Lang::En, 1989, 1, 8), "1989-01-08 (Heisei 1)");
    assert_eq!(t(Lang::PtBr, 1926, 12, 25), "1926-12-25 (Showa 1)");
    assert_eq!(t(Lang::Vi, 2026, 11, 24), "2026-11-24 (Reiwa 8)");
    // Before Meiji there is no era to name: the date alone.
    for lang in Lang::ALL {
        assert_eq!(t(lang, 1850, 1, 2), "1850-01-02", "{lang:?}");
    }
}

/// The joins the panes used to type in Rust, now in the catalogue, write what they wrote.
#[test]
fn the_catalogues_joins_write_what_the_panes_wrote() {
    for lang in Lang::ALL {
        let agree = msg(lang, Msg::KeyAgree);
        assert_eq!(key_hint(lang, "Enter", Msg::KeyAgree), format!("Enter: {agree}"));
        assert_eq!(labelled(lang, "ID", "x-1"), "ID: x-1");
        assert_eq!(queue_count(lang, 3), format!("{} 3", msg(lang, Msg::Queue)));
        assert_eq!(review_count(lang, 2), format!("{} 2", msg(lang, Msg::Review)));
        let items = done_review_items(lang, &[Msg::LabelName, Msg::LabelAddress]);
        let sep = if matches!(lang, Lang::Ja | Lang::ZhHans) {
            "、"
        } else {
            ", "
        };
        let want = format!(
            "{} {}{sep}{}",
            msg(lang, Msg::DoneReview),
            msg(lang, Msg::LabelName),
            msg(lang, Msg::LabelAddress)
        );
        assert_eq!(items, want, "{lang:?}");
    }
}
