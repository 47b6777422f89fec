//! Every built-in virtual card read through the client as the station reads it (EF 02 with
//! the 4-digit PIN, the signing certificate with the password), then compared by the one
//! comparison the station and the receiver share. The virtual card issues its certificates
//! the way J-LIS does (substitutes with flags, 旧氏 or not, an address not renewed).

mod support;

use madoguchi::card::vcard::{pki::TestPki, profile, profile::CertState, VirtualCard};
use madoguchi::record::card_data::CardData;
use madoguchi::record::check::{self, FieldMatch, Item, NameForm, Outcome};
use support::card::SignedIn;

fn read(id: &str, pki: &TestPki) -> Option<(CardData, check::CardCheck)> {
    let p = profile::Profile::named(id).unwrap();
    // Locked cards can't be read; expired/revoked ones compare like any other.
    if p.signing_certificate == CertState::None || p.tries.pin == 0 || p.tries.sign_password == 0 {
        return None;
    }
    let signed_in = SignedIn::new(VirtualCard::new(&p, pki).unwrap(), &p);
    let card = CardData::from_basic4(&signed_in.person);
    let result = check::compare_der(&card, &signed_in.cert);
    Some((card, result))
}

#[test]
fn each_profile_compares_as_a_real_card_would() {
    let pki = TestPki::generate().unwrap();
    for (id, _) in profile::BUILTIN {
        let Some((card, r)) = read(id, &pki) else { continue };
        let expected = match id {
            "takahashi" | "takahashi-jiro" | "yoshida" => Outcome::Substituted,
            "moved" => Outcome::Differs,
            _ => Outcome::Exact,
        };
        assert_eq!(r.outcome(), expected, "{id}: {r:?}");
        match id {
            "takahashi-jiro" => assert_eq!(r.name, FieldMatch::Substituted),
            "yoshida" => assert_eq!((r.name, r.address), (FieldMatch::Substituted, FieldMatch::Substituted)),
            "sato-kyuushi" => {
                assert_eq!(card.former_name.as_deref(), Some("鈴木"));
                assert_eq!(r.name_form, Some(NameForm::WithFormerName));
            }
            "sato" => {
                assert!(card.former_name.is_some());
                assert_eq!(r.name_form, Some(NameForm::Name), "certificate without the 旧氏");
            }
            "moved" => assert_eq!(r.differing(), vec![Item::Address]),
            "furigana" => assert_eq!(card.name, "伊藤\u{3000}翔太", "the trailing field is skipped"),
            _ => {}
        }
    }
}
