//! The 利用者証明 challenge, for a citizen who does not sign (a child under 15, an adult
//! without a signing certificate where the operator allows it, every citizen when the
//! signature step is off): the card's authentication key signs a statement binding this
//! enrollment and EF 02 as read in the same card session (README, "Assurance levels").
//!
//! Its PIN, the 利用者証明用暗証番号, is another PIN than the 4-digit one typed before: many
//! citizens chose the same digits, but nothing typed for the other PIN is kept or reused, so a
//! try is spent only on digits typed on this screen. The rules of every PIN hold: tries shown
//! before anything can be typed, one VERIFY per Enter on four digits, the last try after an
//! explicit yes, a locked PIN gets no VERIFY and the reset advice.

use super::*;
use crate::secret::{AuthPin, Secret};

impl Flow {
    /// The record will rest on the challenge: its PIN screen, once the card told the tries.
    /// The card must still be the one whose EF 02 was read, in the same card session: after a
    /// removal or a reset it is read again and compared first (`read` comes back here).
    pub(super) fn toward_challenge(&mut self, out: &mut Vec<Effect>) {
        self.challenge = true;
        if !self.card_present {
            self.screen = Screen::Card {
                notice: Some(Notice::CardRemoved),
            };
        } else if self.recheck {
            self.enter_pin(PinKind::TextPin, out);
        } else {
            self.enter_pin(PinKind::AuthPin, out);
        }
    }

    /// Enter on a well-formed auth PIN (and the yes, at the last try): exactly one request
    /// that VERIFYs it; the input is already wiped.
    pub(super) fn send_auth_pin(&mut self, secret: Secret, out: &mut Vec<Effect>) {
        let (Some(pin), Some(person)) = (AuthPin::from_secret(secret), self.person.clone()) else {
            self.screen = Screen::Card { notice: None };
            return;
        };
        self.screen = Screen::Proving;
        let declared = self.declared.clone();
        self.request(CardRequest::AuthSign { pin, person, declared }, out);
    }

    /// The card holds no 利用者証明用 certificate: a record that proves no card where the
    /// operator allows one, else the stop that says where the certificate is issued.
    pub(super) fn no_auth_certificate(&mut self, out: &mut Vec<Effect>) {
        if self.cfg.allow_unauthenticated {
            self.store_unauthenticated(out);
        } else {
            self.screen = Screen::Stopped(Stop::NoAuthCertificate);
            out.push(Effect::ReleaseCard);
        }
    }

    /// The card session that read EF 02 ended before the challenge (a reset, a reconnect the
    /// flow did not see as a removal): nothing was sent. Read the card again and compare, as
    /// after a removal.
    pub(super) fn unbound(&mut self, out: &mut Vec<Effect>) {
        self.recheck = true;
        self.facts = None;
        out.push(Effect::ReleaseCard);
        if self.card_present {
            self.enter_pin(PinKind::TextPin, out);
        } else {
            self.screen = Screen::Card {
                notice: Some(Notice::CardRemoved),
            };
        }
    }
}
