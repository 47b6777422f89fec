//! What the card tells before any PIN, without spending a try ([`CardRequest::Probe`]): the
//! signing password's counter (its EF is missing on a card without a signing certificate)
//! and the validity of the authentication certificate, which needs no PIN to read and is
//! issued together with the signing one (docs/card.md). Said at the card step, so a citizen
//! whose card can't finish is not asked for two PINs first.
//!
//! Kept apart from `worker` so the card thread's request loop stays as it is.
//!
//! [`CardRequest::Probe`]: crate::flow::CardRequest::Probe

use crate::card::client::Session;
use crate::card::files::Ef;
use crate::card::{client::MyNumberCard, CardError, Transport};
use crate::flow::{CardFacts, CardReply, Signing};
use crate::secret::PinKind;
use zeroize::Zeroizing;

/// Probes the card on `t` (continuing `start`); returns the reply and the session after it.
/// Only a card that left (or was reset) is an error: anything else the card answers oddly is
/// "not known", and the steps after the PIN find it as they always did. The authentication
/// certificate read goes to `auth_cert`: a 利用者証明 challenge later in this card session
/// needs no second read of it (docs/card.md, "APDU counts").
pub(super) fn probe(
    t: &mut dyn Transport,
    start: Session,
    auth_cert: &mut Option<Zeroizing<Vec<u8>>>,
) -> (Result<CardReply, CardError>, Session) {
    let mut c = MyNumberCard::resume(t, start);
    let gone =
        |e: &CardError| e.is_card_gone() || matches!(e, CardError::Transport(crate::card::TransportError::CardReset));
    let signing = match c.pin_tries(PinKind::SignPassword) {
        Ok(n) => Signing::Tries(n),
        Err(CardError::NoSigningCertificate) => Signing::Missing,
        Err(e) if gone(&e) => return (Err(e), Session::default()),
        Err(_) => Signing::Unknown,
    };
    let certificate_expired = match c.read_certificate(Ef::AuthCert) {
        Ok(der) => {
            let e = expired(&der);
            *auth_cert = Some(der);
            e
        }
        Err(e) if gone(&e) => return (Err(e), Session::default()),
        Err(_) => false,
    };
    let facts = CardFacts {
        signing,
        certificate_expired,
    };
    (Ok(CardReply::Probed(facts)), c.session())
}

/// The certificate's notAfter has passed (a certificate that can't be parsed: not said).
fn expired(der: &[u8]) -> bool {
    let (Ok(cert), Ok(now)) = (
        openssl::x509::X509::from_der(der),
        openssl::asn1::Asn1Time::days_from_now(0),
    ) else {
        return false;
    };
    cert.not_after() < now
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};

    fn facts(profile: &str) -> (CardFacts, u32) {
        let card = VirtualCard::new(&Profile::named(profile).unwrap(), &TestPki::generate().unwrap()).unwrap();
        let stats = card.stats();
        let mut card = card;
        let (r, _) = probe(&mut card, Session::default(), &mut None);
        let Ok(CardReply::Probed(f)) = r else { panic!("{r:?}") };
        let s = stats.lock().unwrap();
        (f, u32::from(s.text_pin_tries) + u32::from(s.sign_password_tries))
    }

    #[test]
    fn the_probe_tells_what_the_card_says_without_a_pin_and_spends_nothing() {
        let (yamada, _) = facts("yamada");
        assert_eq!(
            yamada,
            CardFacts {
                signing: Signing::Tries(5),
                certificate_expired: false
            }
        );
        let (minor, _) = facts("yoshino");
        assert_eq!(minor.signing, Signing::Missing);
        let (expired, tries) = facts("expired");
        assert!(expired.certificate_expired);
        // 3 + 5: the counters the virtual card keeps, untouched by the probe.
        assert_eq!(tries, 8, "no try spent");
        assert!(!facts("revoked").0.certificate_expired, "revoked is not expired");
    }
}
