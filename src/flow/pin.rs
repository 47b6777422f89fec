//! PIN and password entry: tries shown first, the format checked locally, exactly one
//! VERIFY-carrying request per Enter on a well-formed PIN, an explicit yes at the last try.

use super::*;

impl Flow {
    pub(super) fn pin_screen(kind: PinKind) -> PinScreen {
        PinScreen {
            kind,
            tries: None,
            input: SecretInput::new(kind),
            reveal: false,
            confirming_last: false,
            message: None,
            busy: true,
        }
    }

    /// The PIN screen of `kind`, once the card told its tries. A citizen's first PIN on a
    /// card is preceded by the probe (what the card tells without a PIN) when signing is on.
    pub(super) fn enter_pin(&mut self, kind: PinKind, out: &mut Vec<Effect>) {
        let screen = Flow::pin_screen(kind);
        self.screen = match kind {
            PinKind::TextPin => Screen::Pin(screen),
            PinKind::SignPassword => Screen::SignPin(screen),
            PinKind::AuthPin => Screen::AuthPin(screen),
        };
        if kind == PinKind::TextPin && self.cfg.signature && self.facts.is_none() {
            self.request(CardRequest::Probe, out);
        } else if kind == PinKind::AuthPin {
            // The certificate is checked before the tries are shown (docs/card.md).
            self.request(CardRequest::AuthStart, out);
        } else {
            self.request(CardRequest::QueryTries(kind), out);
        }
    }

    pub(super) fn pin_action(&mut self, a: Action, out: &mut Vec<Effect>) {
        let (Screen::Pin(p) | Screen::SignPin(p) | Screen::AuthPin(p)) = &mut self.screen else {
            return;
        };
        if a == Action::Cancel {
            self.reset(Some(Notice::Cancelled), out);
            return;
        }
        // While the card is asked for the tries, typing goes into the field (a key is never
        // dropped without a word) but Enter waits: no VERIFY before the tries are on screen.
        if p.busy || p.tries.is_none_or(|t| t == 0) {
            match a {
                Action::Type(_) | Action::Erase => type_into(p, a),
                Action::Submit => p.message = Some(PinMessage::WaitForTries),
                _ => {}
            }
            return;
        }
        if p.confirming_last {
            match a {
                Action::Yes => self.send_pin(out),
                Action::No => {
                    p.confirming_last = false;
                    p.message = Some(PinMessage::LastTryWarning);
                }
                _ => {}
            }
            return;
        }
        match a {
            Action::Type(_) | Action::Erase => type_into(p, a),
            Action::Reveal => p.reveal = !p.reveal,
            // A refused format empties the field: what is typed next, as the message asks, is
            // the whole PIN, never appended to what was refused.
            Action::Submit => match p.input.validate() {
                Err(e) => {
                    p.input.clear();
                    p.message = Some(PinMessage::Format(e));
                }
                Ok(secret) => {
                    drop(secret);
                    if p.tries == Some(1) {
                        p.confirming_last = true;
                    } else {
                        self.send_pin(out);
                    }
                }
            },
            _ => {}
        }
    }

    /// Sends the typed PIN: exactly one VERIFY-carrying request, input wiped.
    pub(super) fn send_pin(&mut self, out: &mut Vec<Effect>) {
        let (Screen::Pin(p) | Screen::SignPin(p) | Screen::AuthPin(p)) = &mut self.screen else {
            return;
        };
        let Ok(secret) = p.input.validate() else { return };
        p.input.clear();
        let kind = p.kind;
        match kind {
            PinKind::TextPin => {
                self.screen = Screen::Reading;
                self.request(CardRequest::VerifyAndRead(secret), out);
            }
            PinKind::SignPassword => {
                let Some(person) = self.person.clone() else {
                    self.screen = Screen::Card { notice: None };
                    return;
                };
                self.screen = Screen::Signing;
                let declared = self.declared.clone();
                self.request(
                    CardRequest::VerifyAndSign {
                        password: secret,
                        person,
                        declared,
                    },
                    out,
                );
            }
            PinKind::AuthPin => self.send_auth_pin(secret, out),
        }
    }
}

/// A character typed or erased: taken, or refused with the word that says why.
fn type_into(p: &mut PinScreen, a: Action) {
    match a {
        Action::Type(c) => {
            p.message = match p.input.push(c) {
                Ok(()) => None,
                Err(input::Refused::Character) => Some(PinMessage::CharNotAllowed),
                Err(input::Refused::Full) => Some(PinMessage::Full),
            };
        }
        Action::Erase => {
            p.input.pop();
            p.message = None;
        }
        _ => {}
    }
}
